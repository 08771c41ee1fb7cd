/*
 * session.h: the core's own view of the server and of one connection.
 * Included by the core's own .c files only; variants see struct session as opaque.
 */
#ifndef SENDLAB_SESSION_H
#define SENDLAB_SESSION_H

#include "core/job.h"
#include "core/options.h"
#include "core/page.h"
#include "core/proto.h"
#include "core/sendq.h"
#include "core/variant.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The one server of this process. */
struct server {
	const struct variant *variant;	/* set once before the loop starts */
	struct options opts;		/* set once before the loop starts */
	struct lws_context *ctx;	/* loop thread (and lws_cancel_service) */
	uint64_t iters_per_ms;		/* set once before the loop; read by any thread */
	uint64_t next_session_id;	/* loop thread only */
	lws_dll2_owner_t sessions;	/* open sessions, for lookup by id; loop thread only */
	/* session_yield()'s run queue (yield.c). Loop thread only. */
	lws_dll2_owner_t yielding;	/* sessions waiting to resume, FIFO */
	bool yield_armed;		/* a turn has been asked for */
	struct session *yield_armed_on;	/* --yield writeable: whose WRITEABLE */
	lws_sorted_usec_list_t yield_timer; /* --yield turn, timer0, timer1 */
	atomic_bool stop;		/* set by the signal handler; read by any thread */
	pthread_t loop_thread;		/* set once before the loop starts */
	bool loop_thread_known;		/* set once before the loop starts */
	bool variant_stopped;		/* its stop hook ran: lws_context_destroy()
					   closes the last sessions after it, and
					   those must not reach the variant. Loop
					   thread only */
	/* Where a frame is built just before lws_write: LWS_PRE bytes of
	 * headroom for lws's frame header, then the JSON. Loop thread only. */
	unsigned char tx[LWS_PRE + WIRE_REPLY_MAX];
	/* who may open a WebSocket (core/origin.h): set once before the
	 * loop starts, read by the loop thread */
	struct origin_policy origins;
};

/* One WebSocket connection: lws allocates it (zeroed) as the per-session
 * data of the sendlab protocol and frees it after LWS_CALLBACK_CLOSED.
 * Loop thread only. */
struct session {
	struct server *srv;
	struct lws *wsi;
	lws_dll2_t list;	/* in srv->sessions */
	uint64_t id;		/* unique for the life of the process */
	void *data;		/* the variant's session_data_size bytes, or NULL */
	lws_sorted_usec_list_t timer;		/* session_timer_set() */
	void (*timer_cb)(struct session *s);
	/* session_yield() (yield.c): what to call back, and its place in
	 * the server's run queue */
	void (*yield_cb)(struct session *s);	/* NULL: no yield pending */
	lws_dll2_t yield_list;			/* in srv->yielding */
	int64_t opened_us;	/* default since_us of `stats` */
	/* `stats` pacing (send.c): this connection's next stats reply is not
	 * computed before stats_next_us; stats_timer asks for WRITEABLE then */
	int64_t stats_next_us;
	lws_sorted_usec_list_t stats_timer;
	/* the idle policy (idle.c): when the client last said something,
	 * whether the idle PING is out, and the timer that checks */
	int64_t idle_heard_us;
	bool idle_pinged;
	lws_sorted_usec_list_t idle_timer;
	bool closing;		/* write failed or queue overflowed: produce nothing more */
	bool write_pending;	/* proactor: a write awaits the loop's confirmation */
	bool rx_paused;		/* reading paused because sendq is long */
	bool rx_in_message;	/* a fragmented message is being assembled */
	bool rx_binary;		/* ... and it is binary */
	size_t rx_len;		/* bytes of it in rx */
	size_t rx_discarded;	/* bytes dropped of an oversized message */
	struct job job;
	char rx[WIRE_MAX_MESSAGE];
	struct sendq q;
	/* only while this connection is plain HTTP, fetching the live view
	 * (core/page.c); zero again before it could become a session */
	struct page_reply page;
};

/* server.c: aborts with a message naming fn unless called on the loop
 * thread. Every loop-thread-only function of core/variant.h calls it. */
void server_require_loop_thread(const char *fn);

/* server.c: session_compute_slice() without the session: one slice of
 * item seq of work_ms on the calling thread (variant.h has the contract). */
enum item_progress server_compute_slice(int work_ms, int seq, int slice_ms,
					struct item_part *part,
					struct item_result *out);

/* session.c: the connection's life and its requests */
/* Returns -1 (the connection is refused) if the variant's data cannot be
 * allocated, or with close 1013 "server full" when --max-clients
 * connections are already open. */
int session_open(struct session *s, struct server *srv, struct lws *wsi);
int session_receive(struct session *s, const void *in, size_t len);
void session_closed(struct session *s);
/* Stops all output to s and has lws close it soon (with close_status and
 * why, if close_status is non-zero). Safe from any callback on the loop
 * thread, including another connection's. */
void session_abort(struct session *s, int close_status, const char *why);
/* The send path calls this when a result frame has been handed to lws_write. */
void session_result_written(struct session *s, const struct item_result *r);
/* The send path calls this when a WRITEABLE turn emptied the queue. */
void session_queue_drained(struct session *s);

/* yield.c: session_yield()'s return trips through the loop */
/* The loop was woken (LWS_CALLBACK_EVENT_WAIT_CANCELLED): under --yield
 * wake, the next waiting session's turn. */
void yield_on_wake(struct server *srv);
/* A WRITEABLE turn of s found nothing queued: under --yield writeable,
 * the next waiting session's turn if s is the one it was asked on. */
void yield_on_writeable(struct session *s);
/* True if the run queue waits for a WRITEABLE turn of s (send.c asks for
 * one more after writing). */
bool yield_wants_writeable(const struct session *s);
/* s is closing: forget its pending yield. */
void yield_cancel(struct session *s);

/* send.c: the three send disciplines */
/* Sends m by s's discipline: true if handed to lws_write now, false if
 * queued (or dropped: the session is closing). */
bool send_message(struct session *s, const struct sendq_msg *m);
/* Queues m whatever the discipline (PINGs must go out from WRITEABLE). */
void send_enqueue(struct session *s, const struct sendq_msg *m);
int send_writeable(struct session *s);

#endif
