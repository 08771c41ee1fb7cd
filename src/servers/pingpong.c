/*
 * server-pingpong: the second fix: a WebSocket PING after each result, and
 * the next item starts only when that PING's PONG comes back.
 *
 * As in server-blocking every item is computed on the event-loop thread.
 * The round trip between items does two things. The PING is queued behind
 * the result, so when its PONG arrives the result has certainly left: the
 * flush. And while the PING travels the loop is idle, so it reads other
 * clients' requests and writes their replies. The cost: one round trip per
 * item (300 / 600+rtt / 900+2rtt ms), and the loop is still blocked for a
 * whole item while it computes.
 *
 * Every browser and WebSocket library answers PINGs by itself. A client
 * that does not gets --pong-timeout-ms (default 5000) per PING; then its
 * job ends with an `error` frame, and the server serves everyone else on.
 *
 * Diff this file against blocking.c to see the fix.
 */
#include "core/variant.h"

#include <string.h>

/* Per connection. Loop thread only. */
struct pingpong_session {
	int next;		/* the item to compute when the awaited PONG comes */
	uint32_t job_gen;	/* counts this connection's jobs: a PONG for an
				   abandoned job's PING must not restart it */
};

/* What a PING carries, so its PONG can be matched to the item. */
struct pingpong_tag {
	uint32_t job_gen;
	uint32_t seq;
};

static void pingpong_step(struct session *s);

/* Loop thread (a session timer): the client did not answer in time. */
static void pingpong_pong_timeout(struct session *s)
{
	struct pingpong_session *ps = session_data(s);
	struct proto_error e = { .code = PROTO_ERR_PONG_TIMEOUT, .a = ps->next,
				 .b = server_options()->pong_timeout_ms };

	session_job_fail(s, &e);
}

/* Loop thread: computes item `next`, sends it, and pings behind it. */
static void pingpong_step(struct session *s)
{
	struct pingpong_session *ps = session_data(s);
	struct pingpong_tag tag = { ps->job_gen, (uint32_t)ps->next };
	struct item_result r;

	if (!session_compute_item(s, ps->next, &r))
		return;		/* server stopping or client gone */
	session_send_result(s, &r);
	session_send_ping(s, &tag, sizeof(tag));  /* leaves after the result */
	/* After the last item nothing waits for the PONG: the job ends as its
	 * last result is written, as in every variant, so a client may send
	 * its next run the moment that result arrives (its PONG, still on the
	 * way, must not make that run "busy"). The PING is still sent: one
	 * after every result keeps the rule simple. */
	if (ps->next + 1 < session_job(s)->items)
		session_timer_set(s, server_options()->pong_timeout_ms,
				  pingpong_pong_timeout);
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE_PONG. */
static void pingpong_pong(struct session *s, const void *payload, size_t len)
{
	struct pingpong_session *ps = session_data(s);
	const struct job *job = session_job(s);
	struct pingpong_tag tag;

	if (len != sizeof(tag))
		return;		/* not an answer to our PING */
	memcpy(&tag, payload, sizeof(tag));
	/* the last item's PONG, or a late one, finds its job over (or a new
	 * job of another generation): nothing waits for it */
	if (!job->active || tag.job_gen != ps->job_gen || tag.seq != (uint32_t)ps->next)
		return;
	session_timer_cancel(s);
	ps->next++;
	pingpong_step(s);	/* the next item, now that the loop has breathed */
}

static void pingpong_job_start(struct session *s)
{
	struct pingpong_session *ps = session_data(s);

	ps->job_gen++;
	ps->next = 0;
	pingpong_step(s);
}

static const struct variant pingpong = {
	.name = "pingpong",
	.options = OPTIONS_PONG_TIMEOUT,
	.session_data_size = sizeof(struct pingpong_session),
	.job_start = pingpong_job_start,
	.pong = pingpong_pong,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &pingpong);
}
