/*
 * yield.c: session_yield(), the way back into the event loop for a
 * variant that stops mid-job on purpose (server-partition, between slices).
 *
 * The variant returns from its callback; the loop turns (poll() and every
 * ready socket's callbacks: other clients' requests, replies, the lag
 * monitor); then the variant is called again. --yield chooses how the loop
 * is asked to call it again, so that the four ways can be compared
 * (docs/variants.md, "How partition gives the loop back", has the
 * measurements):
 *
 *   writeable  lws_callback_on_writable() on the session's own socket, and
 *              the next WRITEABLE turn that finds its send queue empty
 *              resumes it. A socket with room is always writable, so poll()
 *              returns at once: one poll per slice.
 *   wake       lws_cancel_service() from the loop thread itself: lws's
 *              wake-up pipe becomes readable and the next turn delivers
 *              LWS_CALLBACK_EVENT_WAIT_CANCELLED, which resumes every
 *              session waiting for it.
 *   timer0     an lws timer (lws_sul) due in 0 us. In lws 4.1.6 timers run
 *              at the start of a turn, before poll(), and poll()'s timeout
 *              is computed from the turn's *start* time: a timer re-armed
 *              by a slice that ran inside that turn looks due "slice ms
 *              from now", so poll() may sleep that long when no socket is
 *              ready (lib/core-net/sorted-usec-list.c,
 *              __lws_sul_service_ripe; lib/plat/unix/unix-service.c).
 *   timer1     the same timer due in 1 ms: at least a millisecond of
 *              idle loop per slice.
 *
 * Loop thread only, like the sessions.
 */
#include "core/session.h"

static void yield_resume(struct session *s)
{
	void (*cb)(struct session *s) = s->yield_cb;

	s->yield_cb = NULL;
	if (cb && !s->closing)
		cb(s);
}

static void yield_timer_fire(lws_sorted_usec_list_t *sul)
{
	yield_resume(lws_container_of(sul, struct session, yield_timer));
}

void session_yield(struct session *s, void (*cb)(struct session *s))
{
	server_require_loop_thread(__func__);
	if (s->closing)
		return;
	s->yield_cb = cb;
	switch (s->srv->opts.yield) {
	case YIELD_WRITEABLE:
		lws_callback_on_writable(s->wsi);
		break;
	case YIELD_WAKE:
		if (lws_dll2_is_detached(&s->yield_list))
			lws_dll2_add_tail(&s->yield_list, &s->srv->yielding);
		lws_cancel_service(s->srv->ctx);
		break;
	case YIELD_TURN:
		lws_sul_schedule(s->srv->ctx, 0, &s->yield_timer, yield_timer_fire, 0);
		lws_cancel_service(s->srv->ctx);	/* poll() must not sleep */
		break;
	case YIELD_TIMER0:
	case YIELD_TIMER1:
		lws_sul_schedule(s->srv->ctx, 0, &s->yield_timer, yield_timer_fire,
				 s->srv->opts.yield == YIELD_TIMER1 ? LWS_US_PER_MS : 0);
		break;
	}
}

/*
 * Resumes each session that was waiting when this wake-up came, once.
 * One that yields again joins a fresh list and wakes the loop again, so
 * it resumes on the next turn, after that turn's sockets, not in this
 * one (which would starve them).
 */
void yield_on_wake(struct server *srv)
{
	lws_dll2_owner_t waiting = { 0 };

	while (lws_dll2_get_head(&srv->yielding)) {
		lws_dll2_t *d = lws_dll2_get_head(&srv->yielding);

		lws_dll2_remove(d);
		lws_dll2_add_tail(d, &waiting);
	}
	while (lws_dll2_get_head(&waiting)) {
		struct session *s = lws_container_of(lws_dll2_get_head(&waiting),
						     struct session, yield_list);

		lws_dll2_remove(&s->yield_list);
		yield_resume(s);
	}
}

void yield_on_writeable(struct session *s)
{
	if (s->srv->opts.yield == YIELD_WRITEABLE)
		yield_resume(s);
}

bool yield_wants_writeable(const struct session *s)
{
	return s->yield_cb && s->srv->opts.yield == YIELD_WRITEABLE;
}

void yield_cancel(struct session *s)
{
	s->yield_cb = NULL;
	lws_sul_cancel(&s->yield_timer);
	if (!lws_dll2_is_detached(&s->yield_list))
		lws_dll2_remove(&s->yield_list);
}
