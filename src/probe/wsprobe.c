/*
 * wsprobe.c: build/wsprobe, any WebSocket server's event loop seen from
 * outside (docs/probe.md).
 *
 * RFC 6455 (section 5.5.2) makes every endpoint answer a PING with a PONG,
 * and in the common servers (libwebsockets, Python's websockets, Node's ws)
 * the PONG is written by the event loop itself. So wsprobe keeps one ping
 * in flight, sends the next --ping-ms after each pong, and times them: a
 * pong that takes 900 ms means the loop did not run for 900 ms. It also
 * stamps the arrival of every message the server sends (bursts show that
 * frames waited for the loop) and can send a text message now and then
 * (--send, --every-ms) to make the server work.
 *
 * One thread: everything below runs on the lws loop thread, except the
 * signal handler, which only sets a flag.
 */
#include "common/clock.h"
#include "common/looptimer.h"
#include "probe/probelog.h"
#include "probe/probeopt.h"
#include "probe/probestat.h"

#include <errno.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's bundle of the system's trusted CAs (package ca-certificates). */
#define PROBE_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
/* After --duration-s, how long the last ping may still wait for its pong. */
#define PROBE_GRACE_US 1000000
/* After asking to close, how long the close handshake may take. */
#define PROBE_CLOSE_US 2000000
#define PROBE_MSGS_MAX 1000000
#define PROBE_SENDS_MAX 100000
#define PROBE_PING_PREFIX "wsprobe "
/* --print shows this much of each message */
#define PROBE_PRINT_MAX 300

enum probe_state {
	PS_CONNECTING,
	PS_PROBING,		/* pinging until t_end */
	PS_DRAINING,		/* t_end passed; waiting for the last pong */
	PS_CLOSING,		/* close frame asked for */
	PS_DONE,
};

static struct {
	struct probeopt o;
	struct lws_context *ctx;
	struct lws *wsi;		/* NULL until connected and once closed */
	struct looptimer ping_timer;	/* the next ping is due */
	struct looptimer clock_timer;	/* live line, sends, end of run */
	struct probelog log;
	enum probe_state state;
	int64_t t_connect_by_us;	/* give up connecting then */
	int64_t t_open_us, t_end_us, t_grace_us, t_close_us, t_stop_us;
	long in_flight;			/* index of the ping awaiting its pong, -1 none */
	bool ping_due;			/* write a ping at the next WRITEABLE */
	int sends_due;			/* text messages to write */
	int64_t next_send_us;		/* the next repeated send; 0: none */
	bool sending_started;		/* the first --send went out */
	int64_t next_live_us;
	int64_t live_slowest_us;	/* slowest pong since the last live line */
	size_t live_msgs;		/* messages at the last live line */
	uint64_t rx_bytes;		/* of the message being assembled */
	char rx_head[PROBE_PRINT_MAX + 1];	/* its first bytes, for --print */
	size_t rx_head_len;
	unsigned char *send_buf;	/* LWS_PRE + the text to send */
	size_t send_len;
	size_t stray_pongs;		/* pongs that match no ping in flight */
	int close_code;
	char close_reason[124];
	char failure[400];		/* why the run ended early; "" if it did not */
	bool tty;
} P = { .in_flight = -1 };

static volatile sig_atomic_t probe_interrupted;

static void probe_on_signal(int sig)
{
	(void)sig;
	probe_interrupted = 1;	/* poll() returns EINTR; main() sees it */
}

/* Seconds since the connection opened, for the report and the live line. */
static double probe_s(int64_t t_us)
{
	return (double)(t_us - P.t_open_us) / 1e6;
}

/* Ends the run early: keeps the first reason, asks lws to close. */
static void probe_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void probe_begin_close(int64_t now)
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

static void probe_on_connection_error(const char *why, bool guess_hint);

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

static void probe_on_clock(struct looptimer *t)
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

static void probe_on_ping_due(struct looptimer *t)
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
static void probe_on_connection_error(const char *why, bool guess_hint)
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

static const struct lws_protocols probe_protocols[] = {
	{ .name = "wsprobe", .callback = probe_callback, .rx_buffer_size = 65536 },
	LOOPTIMER_PROTOCOL,
	{ .name = NULL }
};

/* --send or --send-file into P.send_buf (after LWS_PRE bytes). */
static bool probe_load_send(void)
{
	if (!P.o.send && !P.o.send_file)
		return true;
	P.send_buf = malloc(LWS_PRE + PROBEOPT_SEND_MAX + 1);
	if (!P.send_buf) {
		fprintf(stderr, "wsprobe: out of memory\n");
		return false;
	}
	if (P.o.send) {
		P.send_len = strlen(P.o.send);
		memcpy(P.send_buf + LWS_PRE, P.o.send, P.send_len);
		return true;
	}
	FILE *f = fopen(P.o.send_file, "rb");

	if (!f) {
		fprintf(stderr, "wsprobe: cannot read --send-file %s: %s\n",
			P.o.send_file, strerror(errno));
		return false;
	}
	P.send_len = fread(P.send_buf + LWS_PRE, 1, PROBEOPT_SEND_MAX + 1, f);
	bool bad = ferror(f);

	fclose(f);
	if (bad || P.send_len > PROBEOPT_SEND_MAX) {
		fprintf(stderr, "wsprobe: --send-file %s: %s\n", P.o.send_file,
			bad ? "read error" : "over 1 MiB");
		return false;
	}
	return true;
}

/* Creates the context (with TLS if wss://) and starts connecting. */
static bool probe_connect(void)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info i;
	char err[256];
	static char host_header[PROBEOPT_HOST_MAX + 16];
	const struct probe_url *u = &P.o.url;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = probe_protocols;
	/* past ours (probe_on_clock), so our sentence is the one said */
	info.timeout_secs = info.connect_timeout_secs =
		(unsigned int)P.o.connect_timeout_s + 5;
	if (!u->ipv6)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (u->tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		/* lws 4.1.6 does not find the system's CAs by itself: name the
		 * bundle, or the one the user trusts */
		info.client_ssl_ca_filepath = P.o.ca_file ? P.o.ca_file : PROBE_CA_BUNDLE;
		if (access(info.client_ssl_ca_filepath, R_OK) && !P.o.insecure) {
			fprintf(stderr, "wsprobe: cannot read %s%s: %s%s\n",
				P.o.ca_file ? "--ca-file " : "the system's CA bundle ",
				info.client_ssl_ca_filepath, strerror(errno),
				P.o.ca_file ? "" : " (install ca-certificates, or give "
				"--ca-file or --insecure)");
			return false;
		}
		if (P.o.insecure)
			info.client_ssl_ca_filepath = NULL;
	}
	P.ctx = lws_create_context(&info);
	if (!P.ctx) {
		fprintf(stderr, "wsprobe: cannot create the libwebsockets context\n");
		return false;
	}
	if (!looptimer_open(&P.ping_timer, P.ctx, probe_on_ping_due, err, sizeof(err)) ||
	    !looptimer_open(&P.clock_timer, P.ctx, probe_on_clock, err, sizeof(err))) {
		fprintf(stderr, "wsprobe: a timer: %s\n", err);
		return false;
	}
	bool default_port = u->port == (u->tls ? 443 : 80);

	snprintf(host_header, sizeof(host_header), "%s%s%s", u->ipv6 ? "[" : "",
		 u->host, u->ipv6 ? "]" : "");
	if (!default_port)
		snprintf(host_header + strlen(host_header), 8, ":%d", u->port);
	memset(&i, 0, sizeof(i));
	i.context = P.ctx;
	i.address = u->host;
	i.port = u->port;
	i.path = u->path;
	i.host = host_header;
	i.protocol = P.o.subprotocol;	/* NULL: ask for none */
	i.local_protocol_name = "wsprobe";
	if (u->tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (P.o.insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_ALLOW_EXPIRED |
				LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK | LCCSCF_ALLOW_INSECURE;
	}
	if (!lws_client_connect_via_info(&i) && P.state == PS_CONNECTING)
		probe_on_connection_error("libwebsockets could not start the connection "
					  "(a host name that does not resolve?)", false);
	P.t_connect_by_us = clock_now_us() + P.o.connect_timeout_s * 1000000LL;
	if (P.state == PS_CONNECTING)
		looptimer_arm_at(&P.clock_timer, P.t_connect_by_us);
	return true;
}

/* The report on stdout; returns the exit status it implies. */
static int probe_report(void)
{
	struct probe_summary s;
	const struct probeopt *o = &P.o;
	int64_t end = P.t_stop_us ? P.t_stop_us : clock_now_us();
	int status = PROBE_EXIT_OK;

	probestat_summarize(&P.log, end, o->stall_ms * 1000LL,
			    o->burst_silence_ms * 1000LL, &s);
	printf("wsprobe: %s://%s:%d%s for %.2f s: %zu pings, %zu pongs\n",
	       o->url.tls ? "wss" : "ws", o->url.host, o->url.port, o->url.path,
	       probe_s(end), s.pings, s.pongs);
	if (s.pongs)
		printf("pong latency: min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		       s.pong_min_us / 1e3, s.pong_p50_us / 1e3, s.pong_p99_us / 1e3,
		       s.pong_max_us / 1e3);
	if (s.pongs && s.pong_min_us * 2 > o->stall_ms * 1000LL)
		printf("  (the fastest pong took %.1f ms: a round trip that long makes "
		       "every ping look stalled; give --stall-ms above it)\n",
		       s.pong_min_us / 1e3);
	printf("stalls (no pong for over %d ms): %zu", o->stall_ms, s.n_stalls);
	if (s.n_stalls)
		printf(", longest %.1f ms", s.longest_stall_us / 1e3);
	printf("\n");
	for (size_t k = 0; k < s.n_stalls && k < PROBESTAT_LISTED; k++)
		printf("  at %.3f s: %.1f ms%s\n", probe_s(s.stalls[k].t_begin_us),
		       s.stalls[k].length_us / 1e3,
		       s.stalls[k].unanswered ? " and no pong by the end" : "");
	printf("messages: %zu received (%" PRIu64 " bytes), %zu sent\n", s.msgs,
	       s.msg_bytes, P.log.n_sends);
	if (P.log.msgs_not_kept)
		printf("  (%" PRIu64 " later messages were counted but not kept: the "
		       "first %d are)\n", P.log.msgs_not_kept, PROBE_MSGS_MAX);
	printf("bursts (2+ messages each within 1 ms of the one before, after over "
	       "%d ms of silence): %zu", o->burst_silence_ms, s.n_bursts);
	if (s.n_bursts)
		printf(", largest %zu messages", s.largest_burst);
	printf("\n");
	for (size_t k = 0; k < s.n_bursts && k < PROBESTAT_LISTED; k++)
		printf("  at %.3f s: %zu messages within %.2f ms after %.1f ms of silence\n",
		       probe_s(s.bursts[k].t_first_us), s.bursts[k].count,
		       (s.bursts[k].t_last_us - s.bursts[k].t_first_us) / 1e3,
		       s.bursts[k].silence_us / 1e3);
	if (P.stray_pongs)
		printf("pongs matching no ping in flight (ignored): %zu\n", P.stray_pongs);
	if (s.pings && !s.pongs && !P.failure[0]) {
		printf("the server answered none of the %zu pings: it does not answer "
		       "PINGs (RFC 6455 section 5.5.2 says it must), or its event loop "
		       "was blocked for the whole run\n", s.pings);
		status = PROBE_EXIT_NO_PONG;
	} else if (s.last_unanswered && !P.failure[0]) {
		const struct probe_ping *last = &P.log.pings[P.log.n_pings - 1];

		printf("the server stopped answering: the ping sent at %.3f s had no "
		       "pong after %.0f ms (its loop is still blocked, or it stopped "
		       "answering PINGs)\n", probe_s(last->t_sent_us),
		       (end - last->t_sent_us) / 1e3);
		status = PROBE_EXIT_NO_PONG;
	}
	fflush(stdout);
	return status;
}

static bool probe_write_csv(void)
{
	FILE *f = fopen(P.o.csv, "w");
	bool ok = f && probelog_write_csv(&P.log, f);

	if (f && fclose(f))
		ok = false;
	if (!ok)
		fprintf(stderr, "wsprobe: cannot write --csv %s: %s\n", P.o.csv,
			strerror(errno));
	return ok;
}

int main(int argc, char **argv)
{
	char err[256];

	if (!probeopt_parse(argc, argv, &P.o, err, sizeof(err))) {
		fprintf(stderr, "wsprobe: %s (wsprobe --help lists the options)\n", err);
		return PROBE_EXIT_USAGE;
	}
	if (P.o.help) {
		probeopt_usage(stdout);
		return PROBE_EXIT_OK;
	}
	if (P.o.csv) {	/* a path that cannot be written fails now, not after the run */
		FILE *f = fopen(P.o.csv, "w");

		if (!f) {
			fprintf(stderr, "wsprobe: cannot write --csv %s: %s\n", P.o.csv,
				strerror(errno));
			return PROBE_EXIT_USAGE;
		}
		fclose(f);
	}
	if (!probe_load_send())
		return PROBE_EXIT_USAGE;
	P.tty = isatty(STDERR_FILENO);
	probelog_init(&P.log, (size_t)PROBEOPT_PINGS_MAX, PROBE_MSGS_MAX, PROBE_SENDS_MAX);

	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lws_set_log_level(LLL_ERR, NULL);

	int status = PROBE_EXIT_FAILED;

	if (probe_connect()) {
		bool said_interrupted = false;

		while (P.state != PS_DONE && lws_service(P.ctx, 0) >= 0)
			if (probe_interrupted && !said_interrupted) {
				said_interrupted = true;
				fprintf(stderr, "%swsprobe: interrupted: reporting what "
					"was recorded\n", P.tty ? "\n" : "");
				if (P.state == PS_CONNECTING)
					break;
				probe_begin_close(clock_now_us());
			}
		if (P.tty && !P.o.quiet && P.t_open_us)
			fputc('\n', stderr);
		if (P.t_open_us) {
			status = probe_report();
		}
		if (P.failure[0]) {
			fprintf(stderr, "wsprobe: %s\n", P.failure);
			status = PROBE_EXIT_FAILED;
		}
		if (P.o.csv && !probe_write_csv())
			status = PROBE_EXIT_FAILED;
	}
	looptimer_disarm(&P.ping_timer);
	looptimer_disarm(&P.clock_timer);
	if (P.ctx)
		lws_context_destroy(P.ctx);
	probelog_free(&P.log);
	free(P.send_buf);
	return status;
}
