/*
 * variant.h: the interface between the shared core and a server variant.
 *
 * The shape is Redis's ae.c with its interchangeable ae_epoll.c/ae_select.c
 * back-ends. The core (src/core/) owns everything the servers share: the
 * libwebsockets context, the sendlab/1 protocol, per-connection sessions,
 * the three send disciplines, the lag monitor and the command line. A
 * variant (src/servers/<name>.c) supplies only its scheduling policy:
 * where a job's work runs and when its next item may start. It fills in a
 * struct variant and hands it to server_main().
 *
 * Threads: every function and hook here runs on, or must be called on, the
 * event-loop thread (the one running lws_service()), unless its comment
 * says "any thread". A loop-thread function called from another thread
 * stops the server (abort()) with a message naming it: that race would
 * otherwise corrupt a connection only now and then.
 */
#ifndef SENDLAB_VARIANT_H
#define SENDLAB_VARIANT_H

#include "core/job.h"
#include "core/options.h"
#include "core/proto.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One WebSocket connection. Opaque: variants use the functions below. */
struct session;

struct variant {
	/* Reported in every result and stats reply, and in server-<name>. */
	const char *name;

	/* OPTIONS_* flags this variant accepts beyond the shared ones. */
	unsigned options;

	/* Bytes of per-connection state the variant wants; zeroed at
	 * connection, freed after session_closed. See session_data(). */
	size_t session_data_size;

	/*
	 * Required. A valid `run` was accepted on s; session_job(s) describes
	 * it. Called from inside LWS_CALLBACK_RECEIVE: while it runs, the loop
	 * can neither read, write nor fire timers. The variant must pass the
	 * results of items 0..items-1, in order, to session_send_result() (now
	 * or later), stopping early only when computing fails (the server is
	 * stopping or the client has gone).
	 */
	void (*job_start)(struct session *s);

	/* Optional. A WRITEABLE turn of the loop has just handed the last
	 * queued frame of s to lws_write: its send queue is empty. */
	void (*queue_drained)(struct session *s);

	/* Optional. A PONG arrived on s with this payload. */
	void (*pong)(struct session *s, const void *payload, size_t len);

	/* Optional. The loop was woken by server_wake_loop() (from any
	 * thread; several wakes may arrive as one call). */
	void (*wake)(void);

	/* Optional. s is closing: after this returns its memory (and
	 * session_data) is freed, so cancel its timers and forget it. Not
	 * called for the connections still open at shutdown, which lws
	 * closes after the stop hook has run. */
	void (*session_closed)(struct session *s);

	/* Optional. Before the loop starts / after it stopped (before the
	 * lws context is destroyed). start returns false to abort start-up,
	 * after printing why. */
	bool (*start)(void);
	void (*stop)(void);
};

/*
 * The whole server: parses the command line (exit 2 on a bad one), listens,
 * prints "listening on ws://HOST:PORT/", runs the loop until SIGINT or
 * SIGTERM, and returns the process's exit status (0 after a clean stop).
 */
int server_main(int argc, char **argv, const struct variant *v);

/* The parsed command line. Any thread (it does not change after start-up). */
const struct options *server_options(void);

/* Wakes the event loop, which then calls the variant's wake hook. Any
 * thread: the only lws call that is safe off the loop thread. */
void server_wake_loop(void);

/*
 * Computes one work item of work_ms (seeded with seq) on the calling thread,
 * stamping t_start_us/t_done_us, into *out. Any thread. Returns false,
 * unfinished, if the server is stopping or *cancel (if non-NULL) is set.
 */
bool server_compute_item(int work_ms, int seq, const atomic_bool *cancel,
			 struct item_result *out);

/* The open session with this id, or NULL if it has closed. */
struct session *server_find_session(uint64_t id);

/* s's id: unique for the life of the process, never reused. */
uint64_t session_id(const struct session *s);

/* The variant's per-connection state (session_data_size bytes). */
void *session_data(struct session *s);

/* The job in progress on s (job->active is true while it runs). */
const struct job *session_job(const struct session *s);

/*
 * Computes item `seq` of s's job here, on the loop thread (see
 * server_compute_item). Returns false, unfinished, when the server is
 * stopping or the client has gone: the variant then abandons the job.
 */
bool session_compute_item(struct session *s, int seq, struct item_result *out);

/*
 * Computes at most slice_ms more of item `seq` of s's job here, on the loop
 * thread, going on from *part (zeroed before the item's first slice; keep
 * it untouched between slices). Returns ITEM_DONE with *out filled (its
 * t_start_us is the first slice's start, t_done_us the last slice's end,
 * cpu_us the slices' CPU time), ITEM_MORE while work remains, or
 * ITEM_STOPPED when the server is stopping or the client has gone (abandon
 * the job). The slices of one item compute exactly what
 * session_compute_item() computes in one piece, checksum included.
 */
enum item_progress { ITEM_MORE, ITEM_DONE, ITEM_STOPPED };
enum item_progress session_compute_slice(struct session *s, int seq, int slice_ms,
					 struct item_part *part,
					 struct item_result *out);

/*
 * Gives the event loop back and calls cb(s) on a later turn of it, after
 * the loop has served what was ready meanwhile: other clients' requests,
 * replies, timers. Return right after calling it. Sessions that yield take
 * turns, first come first served, one callback per turn of the loop. How
 * the loop is asked to come back is --yield's choice (core/yield.c;
 * docs/variants.md measures each: `turn`, the default, costs about 10 us).
 * Replaces a yield already pending on s; the core forgets it when s
 * closes.
 */
void session_yield(struct session *s, void (*cb)(struct session *s));

/*
 * Sends one result through the send discipline chosen with --send.
 * Results must come in seq order. Returns true if the frame was handed to
 * lws_write now; false if it was queued for a later WRITEABLE turn of the
 * loop (or dropped because the connection is closing).
 */
bool session_send_result(struct session *s, const struct item_result *r);

/* Queues a WebSocket PING with this payload (at most 16 bytes); it is
 * written on the next WRITEABLE turn, after every frame queued before it. */
void session_send_ping(struct session *s, const void *payload, size_t len);

/* Calls cb(s) once, ms milliseconds from now, on the loop thread; replaces
 * a timer already set on s. The core cancels it when s closes. */
void session_timer_set(struct session *s, int ms, void (*cb)(struct session *s));
void session_timer_cancel(struct session *s);

/* Ends s's job with an `error` frame carrying e (sent after any results
 * already queued). */
void session_job_fail(struct session *s, const struct proto_error *e);

#endif
