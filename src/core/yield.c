/*
 * yield.c: session_yield(), the way back into the event loop for a
 * variant that stops mid-job on purpose (server-partition, between slices).
 *
 * The variant returns from its callback; the loop turns (poll() and every
 * ready socket's callbacks: other clients' requests, replies, the lag
 * monitor); then the variant is called again. --yield chooses how the loop
 * is asked to call it again, so that the ways can be compared
 * (`make partition-sweep`; docs/variants.md, "How partition gives the loop
 * back"). What decides between them is the order of one turn of
 * lws_service() in lws 4.1.6 (lib/plat/unix/unix-service.c): first the
 * lws timers that are due, then poll(), then the ready sockets' callbacks
 * in the order of lws's poll array.
 *
 *   turn       (default) an lws timer due at once, plus
 *              lws_cancel_service() so that poll() does not sleep (see
 *              timer0). The slice runs at the start of the next turn,
 *              before poll(): everything that arrived during the previous
 *              slice has been served by then. Bystander: one slice.
 *   writeable  lws_callback_on_writable() on the session's own socket; the
 *              next WRITEABLE callback that finds its send queue empty
 *              resumes it. The slice runs in the middle of the sockets'
 *              callbacks: a socket after it in the poll array, whose
 *              request came during the previous slice, waits for this one
 *              too. Bystander: one or two slices, by connection order.
 *   wake       lws_cancel_service() from the loop thread itself: the next
 *              turn finds lws's wake-up pipe readable and delivers
 *              LWS_CALLBACK_EVENT_WAIT_CANCELLED, which resumes every
 *              session waiting for it. The pipe is first in the poll
 *              array, so every other socket waits for the slice: two.
 *   timer0     an lws timer due at once, alone. poll()'s timeout is
 *              counted from the turn's *start* (__lws_sul_service_ripe in
 *              lib/core-net/sorted-usec-list.c): a timer re-armed at the
 *              end of a 5 ms slice looks 5 ms away, and poll() sleeps
 *              that long unless a socket wakes it. Costs up to a slice.
 *   timer1     an lws timer due in 1 ms: a millisecond or two of idle
 *              loop per slice (lws rounds poll()'s timeout down to whole
 *              ms, common/looptimer.h).
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
