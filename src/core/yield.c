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
 * lws_service() (lib/plat/unix/unix-service.c, read in an unpinned copy of
 * warmcat/libwebsockets; what follows was measured with 4.1.6): first the
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
 * One slice per turn, whoever's: the sessions that yielded wait in a
 * first-in first-out queue and each turn resumes only the first. lws runs
 * every due timer in one turn, so with a timer per session K jobs would
 * run K slices back to back between two poll()s, and another client
 * would wait K slices (measured with per-session timers, K = 8 jobs of 5
 * ms slices: worst echo 88 ms).
 *
 * Loop thread only, like the sessions.
 */
#include "core/session.h"

static void yield_arm(struct server *srv);

/* The waiting session whose turn comes next, or NULL. */
static struct session *yield_head(struct server *srv)
{
	lws_dll2_t *d = lws_dll2_get_head(&srv->yielding);

	return d ? lws_container_of(d, struct session, yield_list) : NULL;
}

/*
 * A turn of the loop has come: resume the session at the head of the
 * queue, once. One that yields again goes to the back, behind the others,
 * so K jobs take turns slice by slice; then the next turn is asked for.
 */
static void yield_run_next(struct server *srv)
{
	struct session *s = yield_head(srv);

	srv->yield_armed = false;
	srv->yield_armed_on = NULL;
	if (s) {
		void (*cb)(struct session *s) = s->yield_cb;

		lws_dll2_remove(&s->yield_list);
		s->yield_cb = NULL;
		if (cb && !s->closing)
			cb(s);
	}
	yield_arm(srv);
}

static void yield_timer_fire(lws_sorted_usec_list_t *sul)
{
	yield_run_next(lws_container_of(sul, struct server, yield_timer));
}

/* Asks the loop for the turn of the session at the head of the queue, if
 * there is one and no turn has been asked for yet. */
static void yield_arm(struct server *srv)
{
	struct session *head = yield_head(srv);

	/* stopping: lws_context_destroy() is closing the sessions */
	if (!head || srv->yield_armed || atomic_load(&srv->stop))
		return;
	srv->yield_armed = true;
	switch (srv->opts.yield) {
	case YIELD_TURN:
		lws_sul_schedule(srv->ctx, 0, &srv->yield_timer, yield_timer_fire, 0);
		lws_cancel_service(srv->ctx);	/* poll() must not sleep */
		break;
	case YIELD_WRITEABLE:
		srv->yield_armed_on = head;
		lws_callback_on_writable(head->wsi);
		break;
	case YIELD_WAKE:
		lws_cancel_service(srv->ctx);
		break;
	case YIELD_TIMER0:
	case YIELD_TIMER1:
		lws_sul_schedule(srv->ctx, 0, &srv->yield_timer, yield_timer_fire,
				 srv->opts.yield == YIELD_TIMER1 ? LWS_US_PER_MS : 0);
		break;
	}
}

void session_yield(struct session *s, void (*cb)(struct session *s))
{
	server_require_loop_thread(__func__);
	if (s->closing)
		return;
	s->yield_cb = cb;
	if (lws_dll2_is_detached(&s->yield_list))
		lws_dll2_add_tail(&s->yield_list, &s->srv->yielding);
	yield_arm(s->srv);
}

void yield_on_wake(struct server *srv)
{
	if (srv->opts.yield == YIELD_WAKE && srv->yield_armed)
		yield_run_next(srv);
}

void yield_on_writeable(struct session *s)
{
	struct server *srv = s->srv;

	if (srv->opts.yield == YIELD_WRITEABLE && srv->yield_armed &&
	    srv->yield_armed_on == s)
		yield_run_next(srv);
}

bool yield_wants_writeable(const struct session *s)
{
	return s->srv->yield_armed && s->srv->yield_armed_on == s;
}

void yield_cancel(struct session *s)
{
	struct server *srv = s->srv;

	s->yield_cb = NULL;
	if (!lws_dll2_is_detached(&s->yield_list))
		lws_dll2_remove(&s->yield_list);
	/* the turn was asked on s's own socket, which is going: ask again,
	 * on the next session's */
	if (srv->yield_armed_on == s) {
		srv->yield_armed = false;
		srv->yield_armed_on = NULL;
		yield_arm(srv);
	}
}
