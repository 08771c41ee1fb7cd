/*
 * variant.h: the interface between the shared core and a server variant.
 *
 * The shape is Redis's ae.c with its interchangeable ae_epoll.c/ae_select.c
 * back-ends. The core (src/core/) owns everything the servers share: the
 * libwebsockets context, the sendlab/1 protocol, per-connection sessions,
 * the three send disciplines, the lag monitor and the command line. A
 * variant (src/servers/<name>.c) supplies only its scheduling policy: where
 * a job's work runs and when its next item may start. It fills in a
 * struct variant and hands it to server_main().
 *
 * Threads: unless a comment says otherwise, every function here must be
 * called on the event-loop thread (the one running lws_service()).
 */
#ifndef SENDLAB_VARIANT_H
#define SENDLAB_VARIANT_H

#include "core/job.h"
#include "core/options.h"

#include <stdbool.h>

/* One WebSocket connection. Opaque: variants use the functions below. */
struct session;

struct variant {
	/* Reported in every result and stats reply, and in server-<name>. */
	const char *name;

	/* OPTIONS_* flags this variant accepts beyond the shared ones. */
	unsigned options;

	/*
	 * A valid `run` was accepted on s; session_job(s) describes it.
	 * Called on the loop thread, from inside LWS_CALLBACK_RECEIVE: while
	 * it runs, the loop can neither read, write nor fire timers. The
	 * variant must pass the results of items 0..items-1, in order, to
	 * session_send_result() (now or later), stopping early only when
	 * session_compute_item() returns false.
	 */
	void (*job_start)(struct session *s);
};

/*
 * The whole server: parses the command line (exit 2 on a bad one), listens,
 * prints "listening on ws://HOST:PORT/", runs the loop until SIGINT or
 * SIGTERM, and returns the process's exit status (0 after a clean stop).
 */
int server_main(int argc, char **argv, const struct variant *v);

/* The job in progress on s (job->active is true while it runs). */
const struct job *session_job(const struct session *s);

/*
 * Computes item `seq` of s's job on the calling thread (stamping
 * t_start_us/t_done_us) and stores it in *out. Returns false, computing
 * nothing more, when the item should not be finished: the server is
 * stopping or the client has gone. The variant then abandons the job.
 */
bool session_compute_item(struct session *s, int seq, struct item_result *out);

/*
 * Sends one result through the send discipline chosen with --send: it may
 * be written to the socket at once or queued for a later WRITEABLE turn of
 * the loop (see send.c). Results must be passed in seq order.
 */
void session_send_result(struct session *s, const struct item_result *r);

#endif
