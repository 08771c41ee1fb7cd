/*
 * probeconn.c: wsprobe's connection as lws drives it (probeconn.h): the
 * pings and their pongs, the sends, the messages, the timers, and how the
 * run ends. Loop thread only.
 */
#include "probe/probeconn.h"

#include "common/clock.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds since the connection opened, for the report and the live line. */
double probe_s(int64_t t_us)
{
	return (double)(t_us - P.t_open_us) / 1e6;
}

void probe_begin_close(int64_t now)
{
	if (P.state >= PS_CLOSING)
		return;
	P.t_stop_us = now;
	if (!P.wsi) {		/* nothing to close */
		P.state = PS_DONE;
		return;
	}
	P.state = PS_CLOSING;
	P.t_close_us = now + PROBE_CLOSE_US;
	looptimer_arm_at(&P.clock_timer, P.t_close_us);
	lws_callback_on_writable(P.wsi);	/* returns -1 there: close frame */
}

/* Keeps the first reason the run failed (a long one is cut). */
static void probe_set_failure(const char *fmt, va_list ap)
{
	if (!P.failure[0])
		vsnprintf(P.failure, sizeof(P.failure), fmt, ap);
}

/* Ends the run early: keeps the first reason, asks lws to close. */
static void probe_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void probe_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	probe_set_failure(fmt, ap);
	va_end(ap);
	probe_begin_close(clock_now_us());
}

/* The same for a connection never made: nothing to close. */
static void probe_fail_connecting(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void probe_fail_connecting(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	probe_set_failure(fmt, ap);
	va_end(ap);
	P.wsi = NULL;
	P.state = PS_DONE;
}

/* The line on stderr once a second: what the last second looked like. */
static void probe_live_line(int64_t now)
{
	int64_t waiting = P.in_flight >= 0 ? now - P.log.pings[P.in_flight].t_sent_us : 0;

	fprintf(stderr, "%swsprobe %5.1f s: %zu pings, slowest pong %.1f ms, "
		"waiting %.0f ms now, %zu messages (+%zu)%s",
		P.tty ? "\r" : "", probe_s(now), P.log.n_pings,
		(double)P.live_slowest_us / 1000, (double)waiting / 1000,
		P.log.n_msgs, P.log.n_msgs - P.live_msgs, P.tty ? "\033[K" : "\n");
	P.live_slowest_us = 0;
	P.live_msgs = P.log.n_msgs;
}

/* Arms the clock timer at the next thing it must do. */
static void probe_arm_clock(void)
{
	int64_t due = P.state == PS_PROBING ? P.t_end_us
		    : P.state == PS_DRAINING ? P.t_grace_us : P.t_close_us;

	if (!P.o.quiet && P.state <= PS_DRAINING && P.next_live_us < due)
		due = P.next_live_us;
	if (P.next_send_us && P.state == PS_PROBING && P.next_send_us < due)
		due = P.next_send_us;
	looptimer_arm_at(&P.clock_timer, due);
}

/* The run is over (--duration-s, or --messages reached): close now, or
 * once the ping in flight has its pong (at most PROBE_GRACE_US). */
static void probe_end_run(int64_t now)
{
	if (P.in_flight < 0) {
		probe_begin_close(now);
		return;
	}
	P.state = PS_DRAINING;
	P.t_grace_us = now + PROBE_GRACE_US;
	looptimer_arm_at(&P.clock_timer, P.t_grace_us);
}

void probe_on_clock(struct looptimer *t)
{
	int64_t now = clock_now_us();

	(void)t;
	if (P.state == PS_DONE)
		return;
	if (P.state == PS_CONNECTING) {
		/* lws has bounds of its own, but not on every path (a server
		 * that accepts TCP and never answers the upgrade): ours decides */
		if (now >= P.t_connect_by_us) {
			char why[120];

			snprintf(why, sizeof(why), "no WebSocket connection within %d s "
				 "(the server accepted TCP but never answered the upgrade?)",
				 P.o.connect_timeout_s);
			probe_on_connection_error(why, false);
		}
		return;
	}
	if (P.state == PS_CLOSING) {
		if (now >= P.t_close_us)	/* no close handshake: give up on it */
			P.state = PS_DONE;
		return;
	}
	if (!P.o.quiet && now >= P.next_live_us) {
		probe_live_line(now);
		P.next_live_us += 1000000;
	}
	if (P.state == PS_PROBING && P.next_send_us && now >= P.next_send_us) {
		P.sends_due++;
		P.next_send_us += P.o.every_ms * 1000LL;
		lws_callback_on_writable(P.wsi);
	}
	if (P.state == PS_PROBING && now >= P.t_end_us) {
		probe_end_run(now);
		if (P.state != PS_DRAINING)
			return;
	} else if (P.state == PS_DRAINING && now >= P.t_grace_us) {
		probe_begin_close(now);
		return;
	}
	probe_arm_clock();
}

void probe_on_ping_due(struct looptimer *t)
{
	(void)t;
	if (P.state != PS_PROBING || !P.wsi)
		return;
	P.ping_due = true;
	lws_callback_on_writable(P.wsi);
}

/* A PONG arrived at now with this payload. */
static void probe_on_pong(const void *in, size_t len, int64_t now)
{
	char buf[32];
	char *end;
	size_t plen = strlen(PROBE_PING_PREFIX);

	if (len >= sizeof(buf) || len <= plen || memcmp(in, PROBE_PING_PREFIX, plen)) {
		P.stray_pongs++;	/* RFC 6455 allows unsolicited pongs */
		return;
	}
	memcpy(buf, in, len);
	buf[len] = '\0';
	long seq = strtol(buf + plen, &end, 10);

	if (*end || seq != P.in_flight) {
		P.stray_pongs++;
		return;
	}
	struct probe_ping *p = &P.log.pings[seq];
	int64_t wait = now - p->t_sent_us;

	p->t_pong_us = now;
	P.in_flight = -1;
	if (wait > P.live_slowest_us)
		P.live_slowest_us = wait;
	if ((P.o.send || P.o.send_file) && !P.sending_started && P.state == PS_PROBING) {
		/* the first pong came: the baseline is measured, now the work */
		P.sending_started = true;
		P.sends_due++;
		if (P.o.every_ms)
			P.next_send_us = now + P.o.every_ms * 1000LL;
		probe_arm_clock();
		lws_callback_on_writable(P.wsi);
	}
	if (P.state == PS_PROBING)
		looptimer_arm_at(&P.ping_timer, now + P.o.ping_ms * 1000LL);
	else if (P.state == PS_DRAINING)
		probe_begin_close(now);
}

/* WRITEABLE: one text message and/or one ping, whichever are due. */
static int probe_on_writeable(struct lws *wsi)
{
	if (P.state >= PS_CLOSING) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
				 (unsigned char *)"wsprobe done", 12);
		return -1;
	}
	if (P.sends_due > 0 && !lws_send_pipe_choked(wsi)) {
		int64_t t = clock_now_us();

		if (lws_write(wsi, P.send_buf + LWS_PRE, P.send_len, LWS_WRITE_TEXT)
		    < (int)P.send_len) {
			probe_fail("sending --send's message failed");
			return 0;
		}
		probelog_add_send(&P.log, t, P.send_len);
		P.sends_due--;
	}
	if (P.ping_due && P.in_flight < 0 && !lws_send_pipe_choked(wsi)) {
		unsigned char buf[LWS_PRE + 32];
		int n = snprintf((char *)buf + LWS_PRE, 32, PROBE_PING_PREFIX "%zu",
				 P.log.n_pings);
		int64_t t = clock_now_us();
		long k = probelog_add_ping(&P.log, t, (uint32_t)n);

		if (k < 0) {
			probe_fail("out of memory for the pings");
			return 0;
		}
		if (lws_write(wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_PING) < n) {
			probe_fail("sending a ping failed");
			return 0;
		}
		P.in_flight = k;
		P.ping_due = false;
	}
	if (P.sends_due > 0 || (P.ping_due && P.in_flight < 0))
		lws_callback_on_writable(wsi);
	return 0;
}

/* The headers of --header, added to the upgrade request. */
static int probe_add_headers(struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;

	for (int i = 0; i < P.o.n_headers; i++) {
		const char *h = P.o.headers[i];
		size_t n = strcspn(h, ":");
		char name[PROBEOPT_HEADER_LEN_MAX + 2];
		const char *value = h + n + 1;

		while (*value == ' ' || *value == '\t')
			value++;
		snprintf(name, sizeof(name), "%.*s:", (int)n, h);
		if (lws_add_http_header_by_name(wsi, (unsigned char *)name,
						(const unsigned char *)value,
						(int)strlen(value), p, end)) {
			probe_fail("the --header options do not fit in the upgrade request");
			return -1;
		}
	}
	return 0;
}

/* Why the connection could not be made (lws's reason, or ours), with
 * what to try when guess_hint (lws's reasons are terse). Ends the run. */
void probe_on_connection_error(const char *why, bool guess_hint)
{
	const char *hint = "";

	if (!why)
		why = "no reason given";
	if (!guess_hint)
		;
	else if (strstr(why, "not 101"))
		hint = " (an HTTP server that refused the WebSocket upgrade: wrong "
		       "path, or it wants a --subprotocol or a --header?)";
	else if (strstr(why, "HS:"))
		hint = " (the server's answer to the WebSocket upgrade was not a "
		       "valid one)";
	else if (P.o.url.tls && (strstr(why, "ssl") || strstr(why, "SSL") ||
				 strstr(why, "tls") || strstr(why, "certif")))
		hint = " (a certificate the system does not trust? --ca-file "
		       "FILE trusts it; --insecure accepts any)";
	else if (strstr(why, "connect") || strstr(why, "refused"))
		hint = " (is a server listening there?)";
	probe_fail_connecting("cannot connect to %s://%s:%d%s: %s%s",
			      P.o.url.tls ? "wss" : "ws", P.o.url.host, P.o.url.port,
			      P.o.url.path, why, hint);
}

static void probe_on_closed(int64_t now)
{
	P.wsi = NULL;
	if (P.state < PS_CLOSING) {
		if (P.close_code)
			probe_fail("the server closed the connection at %.3f s "
				   "(close code %d%s%s)", probe_s(now), P.close_code,
				   P.close_reason[0] ? ": " : "", P.close_reason);
		else
			probe_fail("the connection dropped at %.3f s without a close "
				   "frame (the server crashed, was killed, or the network "
				   "failed)", probe_s(now));
	}
	P.state = PS_DONE;
}

/* --print: keeps the first PROBE_PRINT_MAX bytes of the message being
 * assembled. */
static void probe_keep_head(const void *in, size_t len)
{
	size_t room = PROBE_PRINT_MAX - P.rx_head_len;

	if (len > room)
		len = room;
	memcpy(P.rx_head + P.rx_head_len, in, len);
	P.rx_head_len += len;
}

/* --print: one line on stdout per message, when it arrived and its start,
 * control bytes shown as '.' (a binary message is only counted). */
static void probe_print_message(struct lws *wsi, int64_t now)
{
	if (lws_frame_is_binary(wsi)) {
		printf("%9.3f s  (binary, %" PRIu64 " bytes)\n", probe_s(now), P.rx_bytes);
		return;
	}
	for (size_t i = 0; i < P.rx_head_len; i++)
		if ((unsigned char)P.rx_head[i] < 0x20 || P.rx_head[i] == 0x7f)
			P.rx_head[i] = '.';
	printf("%9.3f s  %.*s%s\n", probe_s(now), (int)P.rx_head_len, P.rx_head,
	       P.rx_bytes > P.rx_head_len ? " ..." : "");
	fflush(stdout);
}

static void probe_note_close_frame(const unsigned char *p, size_t len)
{
	size_t n = 0;

	if (len < 2)
		return;
	P.close_code = p[0] << 8 | p[1];
	for (size_t i = 2; i < len && n < sizeof(P.close_reason) - 1; i++)
		P.close_reason[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	P.close_reason[n] = '\0';
}

static int probe_callback(struct lws *wsi, enum lws_callback_reasons reason,
			  void *user, void *in, size_t len)
{
	int64_t now = clock_now_us();	/* first: arrivals are stamped here */

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		probe_on_connection_error(in, true);
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		/* lws 4.1.6 ends a client whose upgrade got no answer this way,
		 * not with CONNECTION_ERROR */
		if (P.state == PS_CONNECTING)
			probe_on_connection_error("the connection closed before the "
						  "WebSocket upgrade was answered", false);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return probe_add_headers(wsi, in, len);
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		P.wsi = wsi;
		P.state = PS_PROBING;
		P.t_open_us = now;
		P.t_end_us = now + P.o.duration_s * 1000000LL;
		P.next_live_us = now + 1000000;
		P.ping_due = true;
		probe_arm_clock();
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return probe_on_writeable(wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		probe_on_pong(in, len, now);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		P.rx_bytes += len;
		if (P.o.print)
			probe_keep_head(in, len);
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			probelog_add_msg(&P.log, now, P.rx_bytes);
			if (P.o.print)
				probe_print_message(wsi, now);
			P.rx_bytes = 0;
			P.rx_head_len = 0;
			if (P.o.messages && P.state == PS_PROBING &&
			    P.log.n_msgs + P.log.msgs_not_kept >= (uint64_t)P.o.messages)
				probe_end_run(now);
		}
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		probe_note_close_frame(in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		probe_on_closed(now);
		return 0;
	default:
		return 0;
	}
}

const struct lws_protocols probe_protocols[] = {
	{ .name = "wsprobe", .callback = probe_callback, .rx_buffer_size = 65536 },
	LOOPTIMER_PROTOCOL,
	{ .name = NULL }
};
