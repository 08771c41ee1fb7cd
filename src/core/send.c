/*
 * send.c: the three send disciplines (docs/the-bug.md, "Three ways
 * "send" works"). Which one runs is chosen with --send; all variants
 * share them.
 *
 *   proactor  write at once if no earlier write on this connection is still
 *             waiting for the loop to confirm it; otherwise queue, and the
 *             next WRITEABLE writes everything queued. A write is
 *             "confirmed" by a WRITEABLE callback that finds nothing
 *             queued. Models asyncio's proactor transport and IOCP: the
 *             first send escapes, later ones wait for the loop.
 *   queue     always queue and ask for WRITEABLE; write one frame per
 *             WRITEABLE. The libwebsockets idiom; asyncio create_task(send).
 *   direct    write at once unless frames are already queued or the socket
 *             is choked. asyncio's selector transport on Linux.
 *
 * With a blocked loop the difference is only *when* a frame can leave: a
 * queued frame waits for a WRITEABLE turn of the loop, and the loop turns
 * only when the variant's callback returns. Every frame's JSON is built in
 * send_write(), right before lws_write, so the stamps in it are true.
 * Loop thread only.
 */
#include "core/lag.h"
#include "core/session.h"

#include "common/clock.h"

/* Builds m's JSON at time now into buf. Returns its length (0: not built).
 * Every stamp on the wire is shifted by --clock-offset-ms (0 unless an
 * experiment asked for a clock like another machine's); the stats window
 * a client asks for is in that shifted clock, so it is shifted back. */
static size_t send_format(struct session *s, const struct sendq_msg *m,
			  int64_t now, char *buf, size_t cap)
{
	const struct server *srv = s->srv;
	const int64_t off = (int64_t)srv->opts.clock_offset_ms * 1000;

	switch (m->kind) {
	case SENDQ_RESULT: {
		const struct job *job = &s->job;
		const struct item_result *r = &m->u.result;
		struct proto_result out = {
			.variant = srv->variant->name,
			.has_id = job->has_id,
			.id = job->id,
			.id_len = job->id_len,
			.seq = r->seq,
			.items = job->items,
			.work_ms = job->work_ms,
			.t_recv_us = job->t_recv_us + off,
			.t_start_us = r->t_start_us + off,
			.t_done_us = r->t_done_us + off,
			.t_send_us = now + off,
			.cpu_us = r->cpu_us,
			.value = r->value,
		};
		return proto_write_result(buf, cap, &out);
	}
	case SENDQ_ECHO:
		return proto_write_echo(buf, cap, m->u.echo_t_us, now + off);
	case SENDQ_STATS: {
		struct stats_summary lag;
		uint64_t stalls;

		lag_summary(m->u.stats_since_us - off, &lag, &stalls);
		return proto_write_stats(buf, cap, srv->variant->name,
					 m->u.stats_since_us, &lag, stalls);
	}
	case SENDQ_ERROR:
		return proto_write_error(buf, cap, &m->u.error);
	case SENDQ_PING:
		memcpy(buf, m->u.ping.data, m->u.ping.len);
		return m->u.ping.len;
	}
	return 0;
}

/*
 * `stats` pacing: one connection's stats reply is computed at most once per
 * SEND_STATS_GAP_US. Its cost grows with the samples asked about (a few
 * tens of us for the whole 8192-sample window, lag.c), several echoes'
 * worth, and it is paid on the loop: a client flooding `stats` would take
 * the loop from everyone else. The lag monitor adds one sample per 10 ms,
 * so a faster client learns little more. A stats reply that comes too soon
 * waits at the head of its connection's queue (the replies after it wait
 * too, so order is kept, and backpressure stops reading a flooder), and a
 * timer asks for WRITEABLE when it is due. Other connections never wait.
 */
#define SEND_STATS_GAP_US LAG_PERIOD_US

static void send_stats_due(lws_sorted_usec_list_t *sul)
{
	struct session *s = lws_container_of(sul, struct session, stats_timer);

	if (!s->closing)
		lws_callback_on_writable(s->wsi);
}

/* True when m is a stats reply this connection may not have yet; then the
 * timer is armed for the moment it may. */
static bool send_stats_paced(struct session *s, const struct sendq_msg *m)
{
	int64_t now;

	if (m->kind != SENDQ_STATS || (now = clock_now_us()) >= s->stats_next_us)
		return false;
	lws_sul_schedule(s->srv->ctx, 0, &s->stats_timer, send_stats_due,
			 (lws_usec_t)(s->stats_next_us - now));
	return true;
}

/* Hands m to lws_write now. Returns false (and aborts the session) if the
 * connection is broken. */
static bool send_write(struct session *s, const struct sendq_msg *m)
{
	unsigned char *p = s->srv->tx + LWS_PRE;
	size_t n = send_format(s, m, clock_now_us(), (char *)p, WIRE_REPLY_MAX);
	enum lws_write_protocol kind = m->kind == SENDQ_PING ? LWS_WRITE_PING
							     : LWS_WRITE_TEXT;

	if (n == 0 && kind == LWS_WRITE_TEXT) { /* cannot happen: WIRE_REPLY_MAX fits every reply */
		session_abort(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			      "internal error: reply too large");
		return false;
	}
	if (lws_write(s->wsi, p, n, kind) < (int)n) {
		session_abort(s, 0, "write failed: the client has gone");
		return false;
	}
	if (m->kind == SENDQ_RESULT)
		session_result_written(s, &m->u.result);
	if (m->kind == SENDQ_STATS)
		s->stats_next_us = clock_now_us() + SEND_STATS_GAP_US;
	return true;
}

void send_enqueue(struct session *s, const struct sendq_msg *m)
{
	if (s->closing)
		return;
	if (!sendq_push(&s->q, m)) {
		session_abort(s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			      "send queue full: the client sends requests "
			      "but does not read the replies");
		return;
	}
	/* Backpressure: stop reading requests from a client whose replies
	 * pile up, rather than letting the queue fill. */
	if (!s->rx_paused && sendq_len(&s->q) >= SENDQ_PAUSE_RX) {
		lws_rx_flow_control(s->wsi, 0);
		s->rx_paused = true;
	}
	lws_callback_on_writable(s->wsi);
}

bool send_message(struct session *s, const struct sendq_msg *m)
{
	if (s->closing)
		return false;
	if (send_stats_paced(s, m)) {
		send_enqueue(s, m);
		return false;
	}
	switch (s->srv->opts.send) {
	case SEND_PROACTOR:
		if (!s->write_pending && sendq_empty(&s->q)) {
			if (!send_write(s, m))
				return false;
			/* the loop confirms this write on its next WRITEABLE
			 * turn; until then, later frames queue */
			s->write_pending = true;
			lws_callback_on_writable(s->wsi);
			return true;
		}
		break;
	case SEND_DIRECT:
		if (sendq_empty(&s->q) && !lws_send_pipe_choked(s->wsi))
			return send_write(s, m);
		break;
	case SEND_QUEUE:
		break;
	}
	send_enqueue(s, m);
	return false;
}

/* LWS_CALLBACK_SERVER_WRITEABLE: write the oldest queued frame (proactor:
 * every queued frame the socket takes), or, with nothing queued, confirm
 * the proactor's pending write. WRITEABLE may come unasked; an empty queue
 * is normal. When this turn empties the queue the variant hears of it
 * (queue_drained: flush starts its next item there). Returns -1 to close.
 *
 * Why proactor writes them all: when a write completes, asyncio's proactor
 * transport sends its whole backed-up buffer in one send
 * (_ProactorBaseWritePipeTransport._loop_writing in CPython 3.11's
 * asyncio/proactor_events.py). One frame per turn, the lws idiom that
 * `queue` keeps, lets a chatty client's replies fall behind whenever the
 * loop's turns are long: measured with server-partition --slice-ms 100
 * and an echo every 20 ms, the echo's worst wait grew to ~700 ms. */
int send_writeable(struct session *s)
{
	struct sendq_msg m;
	bool all = s->srv->opts.send == SEND_PROACTOR;

	if (s->closing)
		return -1;

	const struct sendq_msg *head = sendq_peek(&s->q);

	if (head && send_stats_paced(s, head))
		return 0;	/* send_stats_due() asks again */
	if (!sendq_pop(&s->q, &m)) {
		s->write_pending = false;
		yield_on_writeable(s);	/* a partition job goes on here */
		return s->closing ? -1 : 0;
	}
	for (;;) {
		if (!send_write(s, &m))
			return -1;
		if (!all || lws_send_pipe_choked(s->wsi) || !(head = sendq_peek(&s->q)) ||
		    send_stats_paced(s, head) || !sendq_pop(&s->q, &m))
			break;
	}
	if (s->rx_paused && sendq_len(&s->q) <= SENDQ_RESUME_RX) {
		lws_rx_flow_control(s->wsi, 1);
		s->rx_paused = false;
	}
	/* proactor: ask again even when empty, to confirm this write; and a
	 * yield waiting for an empty queue needs one more WRITEABLE turn */
	if (!sendq_empty(&s->q) || s->srv->opts.send == SEND_PROACTOR ||
	    yield_wants_writeable(s))
		lws_callback_on_writable(s->wsi);
	if (sendq_empty(&s->q))
		session_queue_drained(s);
	return s->closing ? -1 : 0;
}
