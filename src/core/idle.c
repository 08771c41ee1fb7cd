/*
 * idle.c: the idle policy declared in idle.h.
 */
#include "core/idle.h"

#include "common/clock.h"
#include "core/session.h"

#include <stdio.h>
#include <string.h>

/* The grace between the PING and the close, in us: min(T, 10 s). */
static int64_t idle_grace_us(const struct session *s)
{
	int t = s->srv->opts.idle_timeout_s;

	return (int64_t)(t < IDLE_GRACE_MAX_S ? t : IDLE_GRACE_MAX_S) * 1000000;
}

static void idle_schedule(struct session *s, int64_t in_us);

/*
 * The timer: checks the session when it could have become idle. Quiet for
 * T (no job running): PING it once; quiet for the grace after that too:
 * close with 1001. Any message or PONG meanwhile (idle_heard) starts the
 * count again, and a running job postpones it.
 */
static void idle_fire(lws_sorted_usec_list_t *sul)
{
	struct session *s = lws_container_of(sul, struct session, idle_timer);
	const int64_t t_us = (int64_t)s->srv->opts.idle_timeout_s * 1000000;
	int64_t now = clock_now_us(), quiet = now - s->idle_heard_us;

	if (s->closing)
		return;
	if (s->job.active) {		/* the server is busy, not the client */
		s->idle_heard_us = now;
		s->idle_pinged = false;
		idle_schedule(s, t_us);
		return;
	}
	if (quiet < t_us) {
		idle_schedule(s, t_us - quiet);
		return;
	}
	if (!s->idle_pinged) {
		s->idle_pinged = true;
		session_send_ping(s, IDLE_PING_PAYLOAD, strlen(IDLE_PING_PAYLOAD));
		idle_schedule(s, idle_grace_us(s));
		return;
	}
	if (quiet < t_us + idle_grace_us(s)) {
		idle_schedule(s, t_us + idle_grace_us(s) - quiet);
		return;
	}

	char why[96];

	snprintf(why, sizeof(why), "idle: no message for %d s and no answer to a ping",
		 s->srv->opts.idle_timeout_s);
	session_abort(s, LWS_CLOSE_STATUS_GOINGAWAY, why);
}

static void idle_schedule(struct session *s, int64_t in_us)
{
	lws_sul_schedule(s->srv->ctx, 0, &s->idle_timer, idle_fire,
			 (lws_usec_t)(in_us > 0 ? in_us : 1));
}

void idle_start(struct session *s)
{
	s->idle_heard_us = clock_now_us();
	if (s->srv->opts.idle_timeout_s > 0)
		idle_schedule(s, (int64_t)s->srv->opts.idle_timeout_s * 1000000);
}

void idle_heard(struct session *s)
{
	/* the timer finds the new time when it fires: nothing to re-arm */
	s->idle_heard_us = clock_now_us();
	s->idle_pinged = false;
}

bool idle_is_own_pong(const void *payload, size_t len)
{
	return len == strlen(IDLE_PING_PAYLOAD) && !memcmp(payload, IDLE_PING_PAYLOAD, len);
}

void idle_stop(struct session *s)
{
	lws_sul_cancel(&s->idle_timer);
}
