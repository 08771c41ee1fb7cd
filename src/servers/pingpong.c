/*
 * server-pingpong: the bug, except that a WebSocket PING follows each
 * result, and the next item starts only when that PING's PONG comes back.
 *
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
 * Every variant in src/servers/ is blocking.c plus one idea, with the same
 * hook names: `diff blocking.c pingpong.c` shows the fix.
 */
#include "core/variant.h"

#include <string.h>

/* Per connection. Loop thread only. */
struct variant_session {
	int next;		/* the item being computed, then the one whose
				   PING awaits its PONG */
	uint32_t job_gen;	/* counts this connection's jobs: a PONG for an
				   abandoned job's PING must not restart it */
};

/* What a PING carries, so its PONG can be matched to the item. */
struct variant_ping_tag {
	uint32_t job_gen;
	uint32_t seq;
};

/* Loop thread (a session timer): the client did not answer in time. */
static void variant_pong_timeout(struct session *s)
{
	struct variant_session *vs = session_data(s);
	struct proto_error e = { .code = PROTO_ERR_PONG_TIMEOUT, .a = vs->next,
				 .b = server_options()->pong_timeout_ms };

	session_job_fail(s, &e);
}

/* Loop thread: computes item `next`, sends it, and pings behind it. */
static void variant_job_step(struct session *s)
{
	struct variant_session *vs = session_data(s);
	struct variant_ping_tag tag = { vs->job_gen, (uint32_t)vs->next };
	struct item_result r;

	if (!session_compute_item(s, vs->next, &r))
		return;		/* server stopping or client gone */
	session_send_result(s, &r);
	session_send_ping(s, &tag, sizeof(tag));  /* leaves after the result */
	/* After the last item nothing waits for the PONG: the job ends as its
	 * last result is written, as in every variant, so a client may send
	 * its next run the moment that result arrives (its PONG, still on the
	 * way, must not make that run "busy"). The PING is still sent: one
	 * after every result keeps the rule simple. */
	if (vs->next + 1 < session_job(s)->items)
		session_timer_set(s, server_options()->pong_timeout_ms,
				  variant_pong_timeout);
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE_PONG. */
static void variant_pong(struct session *s, const void *payload, size_t len)
{
	struct variant_session *vs = session_data(s);
	const struct job *job = session_job(s);
	struct variant_ping_tag tag;

	if (len != sizeof(tag))
		return;		/* not an answer to our PING */
	memcpy(&tag, payload, sizeof(tag));
	/* the last item's PONG, or a late one, finds its job over (or a new
	 * job of another generation): nothing waits for it */
	if (!job->active || tag.job_gen != vs->job_gen || tag.seq != (uint32_t)vs->next)
		return;
	session_timer_cancel(s);
	vs->next++;
	variant_job_step(s);	/* the next item, now that the loop has breathed */
}

static void variant_job_run(struct session *s)
{
	struct variant_session *vs = session_data(s);

	vs->job_gen++;
	vs->next = 0;
	variant_job_step(s);
}

static const struct variant this_variant = {
	.name = "pingpong",
	.options = OPTIONS_PONG_TIMEOUT,
	.session_data_size = sizeof(struct variant_session),
	.job_start = variant_job_run,
	.pong = variant_pong,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
