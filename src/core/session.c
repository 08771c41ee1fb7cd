/*
 * session.c: one connection's life: message assembly, request dispatch, and
 * the session functions variants call (see variant.h).
 */
#include "core/idle.h"
#include "core/session.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Try Again Later" in the IANA WebSocket close code registry; lws 4.1 has
 * no name for it. */
#define SESSION_CLOSE_TRY_AGAIN_LATER 1013

int session_open(struct session *s, struct server *srv, struct lws *wsi)
{
	/* lws zeroed *s; the send queue and job start empty */
	s->srv = srv;
	s->wsi = wsi;
	s->id = ++srv->next_session_id;
	s->opened_us = clock_now_us();
	if (srv->sessions.count >= (uint32_t)srv->opts.max_clients) {
		/* Refused before it costs anything, with a close frame the
		 * client can read (lws sends the reason when the callback
		 * returns non-zero), so a full server says why. */
		char why[96];

		snprintf(why, sizeof(why), "server full: %d clients already "
			 "connected (--max-clients)", srv->opts.max_clients);
		lwsl_warn("refusing connection %llu: %s\n", (unsigned long long)s->id, why);
		lws_close_reason(wsi, (enum lws_close_status)SESSION_CLOSE_TRY_AGAIN_LATER,
				 (unsigned char *)why, strlen(why));
		return -1;
	}
	if (srv->variant->session_data_size) {
		s->data = calloc(1, srv->variant->session_data_size);
		if (!s->data)
			return -1;
	}
	lws_dll2_add_tail(&s->list, &srv->sessions);
	idle_start(s);
	return 0;
}

void session_closed(struct session *s)
{
	if (lws_dll2_is_detached(&s->list))
		return;		/* refused in session_open: nothing to undo */
	/* lws frees *s right after this callback: everything that could
	 * still reach s (the variant's timers and queues, the lookup list)
	 * must let go of it here */
	s->closing = true;
	lws_sul_cancel(&s->timer);
	lws_sul_cancel(&s->stats_timer);
	idle_stop(s);
	yield_cancel(s);
	if (s->srv->variant->session_closed && !s->srv->variant_stopped)
		s->srv->variant->session_closed(s);
	lws_dll2_remove(&s->list);
	free(s->data);
	s->data = NULL;
}

uint64_t session_id(const struct session *s)
{
	server_require_loop_thread(__func__);
	return s->id;
}

void *session_data(struct session *s)
{
	server_require_loop_thread(__func__);
	return s->data;
}

void session_abort(struct session *s, int close_status, const char *why)
{
	if (s->closing)
		return;
	s->closing = true;
	if (close_status)
		lws_close_reason(s->wsi, (enum lws_close_status)close_status,
				 (unsigned char *)why, strlen(why));
	lwsl_warn("closing connection %llu: %s\n", (unsigned long long)s->id,
		  why);
	/* Not a direct close: we may be inside another wsi's callback. The
	 * next WRITEABLE returns -1 (send_writeable: closing), and lws then
	 * sends the close frame with this reason; killing the connection
	 * (LWS_TO_KILL_ASYNC, as this did before) sent none, measured with
	 * the idle close (test_abuse.c): the client saw EOF, not 1001. A
	 * connection that never becomes writeable is killed after 2 s. */
	lws_callback_on_writable(s->wsi);
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 2);
}

static void session_send_error(struct session *s, const struct proto_error *e)
{
	struct sendq_msg m = { .kind = SENDQ_ERROR, .u.error = *e };

	send_message(s, &m);
}

const struct job *session_job(const struct session *s)
{
	server_require_loop_thread(__func__);
	return &s->job;
}

bool session_compute_item(struct session *s, int seq, struct item_result *out)
{
	server_require_loop_thread(__func__);
	if (s->closing)
		return false;
	return server_compute_item(s->job.work_ms, seq, NULL, out);
}

enum item_progress session_compute_slice(struct session *s, int seq, int slice_ms,
					 struct item_part *part,
					 struct item_result *out)
{
	server_require_loop_thread(__func__);
	if (s->closing)
		return ITEM_STOPPED;
	return server_compute_slice(s->job.work_ms, seq, slice_ms, part, out);
}

bool session_send_result(struct session *s, const struct item_result *r)
{
	server_require_loop_thread(__func__);

	struct sendq_msg m = { .kind = SENDQ_RESULT, .u.result = *r };

	return send_message(s, &m);
}

void session_send_ping(struct session *s, const void *payload, size_t len)
{
	server_require_loop_thread(__func__);

	struct sendq_msg m = { .kind = SENDQ_PING };

	if (len > SENDQ_PING_MAX)
		len = SENDQ_PING_MAX;
	m.u.ping.len = (unsigned char)len;
	memcpy(m.u.ping.data, payload, len);
	send_enqueue(s, &m);
}

void session_result_written(struct session *s, const struct item_result *r)
{
	s->job.sent++;
	if (r->seq + 1 >= s->job.items) {
		s->job.active = false;
		idle_heard(s);	/* the quiet time counts from the job's end */
	}
}

void session_queue_drained(struct session *s)
{
	if (s->srv->variant->queue_drained && !s->closing)
		s->srv->variant->queue_drained(s);
}

static void session_timer_fire(lws_sorted_usec_list_t *sul)
{
	struct session *s = lws_container_of(sul, struct session, timer);

	if (!s->closing && s->timer_cb)
		s->timer_cb(s);
}

void session_timer_set(struct session *s, int ms, void (*cb)(struct session *s))
{
	server_require_loop_thread(__func__);
	s->timer_cb = cb;
	lws_sul_schedule(s->srv->ctx, 0, &s->timer, session_timer_fire,
			 (lws_usec_t)ms * LWS_US_PER_MS);
}

void session_timer_cancel(struct session *s)
{
	server_require_loop_thread(__func__);
	lws_sul_cancel(&s->timer);
}

void session_job_fail(struct session *s, const struct proto_error *e)
{
	server_require_loop_thread(__func__);
	session_send_error(s, e);
	s->job.active = false;
	idle_heard(s);
}

static void session_start_job(struct session *s, const struct proto_request *req)
{
	struct job *job = &s->job;

	if (job->active) {
		struct proto_error busy = { .code = PROTO_ERR_BUSY,
					    .a = job->sent, .b = job->items };
		session_send_error(s, &busy);
		return;
	}
	*job = (struct job){ .active = true,
			     .items = req->items,
			     .work_ms = req->work_ms,
			     .has_id = req->has_id,
			     .id_len = req->id_len,
			     .t_recv_us = clock_now_us() };
	memcpy(job->id, req->id, req->id_len);
	s->srv->variant->job_start(s);
}

/* One complete text message. */
static void session_handle(struct session *s, const char *msg, size_t len)
{
	struct proto_request req;
	struct proto_error err;

	if (!proto_parse_request(msg, len, &req, &err)) {
		session_send_error(s, &err);
		return;
	}
	switch (req.op) {
	case PROTO_OP_RUN:
		session_start_job(s, &req);
		break;
	case PROTO_OP_ECHO: {
		struct sendq_msg m = { .kind = SENDQ_ECHO, .u.echo_t_us = req.t_us };
		send_message(s, &m);
		break;
	}
	case PROTO_OP_STATS: {
		struct sendq_msg m = { .kind = SENDQ_STATS,
				       .u.stats_since_us = req.has_since ? req.since_us
									 : s->opened_us };
		send_message(s, &m);
		break;
	}
	}
}

/*
 * LWS_CALLBACK_RECEIVE: lws hands us a message in pieces (frames, and
 * frames longer than the rx buffer in chunks). Assemble them and handle the
 * message when its last piece arrives. Returns -1 to have lws close.
 *
 * A message over WIRE_MAX_MESSAGE closes the connection with 1009. We do
 * not close the moment we know, though: while the client is still sending
 * the rest, closing would leave its bytes unread, the kernel would answer
 * with a TCP reset, and the client would see 1006 instead of 1009. So the
 * rest of the message is read and dropped (never stored), up to
 * SESSION_DISCARD_MAX bytes; only a client past that gets the abrupt close.
 */
#define SESSION_DISCARD_MAX (1u << 20)

int session_receive(struct session *s, const void *in, size_t len)
{
	if (s->closing)
		return -1;
	idle_heard(s);
	if (!s->rx_in_message) {
		s->rx_len = 0;
		s->rx_binary = lws_frame_is_binary(s->wsi);
	}
	s->rx_in_message = !lws_is_final_fragment(s->wsi);

	if (s->rx_discarded || len > WIRE_MAX_MESSAGE - s->rx_len) {
		if (!s->rx_discarded) {
			char why[48];

			snprintf(why, sizeof(why), "message larger than %d bytes",
				 WIRE_MAX_MESSAGE);
			lws_close_reason(s->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
					 (unsigned char *)why, strlen(why));
		}
		s->rx_discarded += len;
		if (s->rx_in_message && s->rx_discarded <= SESSION_DISCARD_MAX)
			return 0;
		s->closing = true;
		return -1;
	}
	memcpy(s->rx + s->rx_len, in, len);
	s->rx_len += len;
	if (s->rx_in_message)
		return 0;

	if (s->rx_binary) {
		struct proto_error e = { .code = PROTO_ERR_BINARY };
		session_send_error(s, &e);
	} else {
		session_handle(s, s->rx, s->rx_len);
	}
	return s->closing ? -1 : 0;
}
