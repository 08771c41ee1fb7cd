/*
 * Lab 03 starter: make this server wait for a PONG between items
 * (labs/03-pingpong/README.md).
 *
 * As given it is server-blocking: every item of a job is computed inside
 * the callback that received `run`, and nobody else is served meanwhile.
 *
 * Your fix: after each result, queue a WebSocket PING (session_send_ping;
 * it leaves after the result) and return to the loop. The client's PONG
 * arrives in the pong hook: start the next item there. A PING carries up
 * to 16 bytes that come back in its PONG: use them to tell which item (and
 * which job) the PONG answers. A client that never answers must not hang
 * the job forever: arm a timer (session_timer_set) for --pong-timeout-ms
 * and, when it fires, end the job with an error (session_job_fail with
 * PROTO_ERR_PONG_TIMEOUT, a = the item, b = the timeout).
 *
 * Build and grade:  make grade LAB=03
 * The finished fix is src/servers/pingpong.c: try without it first.
 */
#include "core/variant.h"

#include <string.h>

/* Per connection. Loop thread only. */
struct variant_session {
	int next;		/* the item being computed, then the one whose
				   PING awaits its PONG */
	uint32_t job_gen;	/* counts this connection's jobs, so a late PONG
				   of an abandoned job cannot restart it */
};

/* What a PING carries, so its PONG can be matched to the item. */
struct variant_ping_tag {
	uint32_t job_gen;
	uint32_t seq;
};

/* Loop thread (a session timer): the client did not answer in time. */
static void variant_pong_timeout(struct session *s)
{
	/* TODO 3: end the job with PROTO_ERR_PONG_TIMEOUT (see the top). */
	(void)s;
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE_PONG. */
static void variant_pong(struct session *s, const void *payload, size_t len)
{
	/* TODO 2: if this PONG answers the PING of item `next` of this job:
	 * cancel the timer, move to the next item, and compute it. (The
	 * last item's PONG needs nothing: the job ended when its result was
	 * written, so a client may send its next run at once.) */
	(void)s;
	(void)payload;
	(void)len;
}

static void variant_job_start(struct session *s)
{
	const struct job *job = session_job(s);
	struct variant_session *es = session_data(s);

	es->job_gen++;
	/* TODO 1: compute only item `next` here, send it, then PING (with a
	 * struct variant_ping_tag) and, unless it was the last item, arm the pong
	 * timeout, instead of computing the whole job in one go. */
	for (es->next = 0; es->next < job->items; es->next++) {
		struct item_result r;

		if (!session_compute_item(s, es->next, &r))
			return;		/* server stopping or client gone */
		session_send_result(s, &r);
	}
}

static const struct variant this_variant = {
	.name = "lab03",
	.options = OPTIONS_PONG_TIMEOUT,
	.session_data_size = sizeof(struct variant_session),
	.job_start = variant_job_start,
	.pong = variant_pong,
};

int main(int argc, char **argv)
{
	(void)variant_pong_timeout;	/* remove once TODO 1 arms the timer */
	return server_main(argc, argv, &this_variant);
}
