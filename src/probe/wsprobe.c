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
 * This file: the command line, the context and the connection's start,
 * the loop, and what is written at the end. The connection itself is
 * probeconn.c's, the report probereport.c's. One thread: everything runs
 * on the lws loop thread, except the signal handler, which only sets a
 * flag.
 */
#include "common/clock.h"
#include "probe/probeconn.h"
#include "probe/probereport.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's bundle of the system's trusted CAs (package ca-certificates). */
#define PROBE_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define PROBE_MSGS_MAX 1000000
#define PROBE_SENDS_MAX 100000

struct probe_run P = { .in_flight = -1 };

static volatile sig_atomic_t probe_interrupted;

static void probe_on_signal(int sig)
{
	(void)sig;
	probe_interrupted = 1;	/* poll() returns EINTR; main() sees it */
}

/* --send or --send-file into P.send_buf (after LWS_PRE bytes). */
static bool probe_load_send(void)
{
	if (!P.o.send && !P.o.send_file)
		return true;
	/* --send's length is known; a file gets room for the cap + 1 byte, to
	 * tell a file over the cap from one exactly at it */
	size_t room = P.o.send ? strlen(P.o.send) : PROBEOPT_SEND_MAX + 1;

	P.send_buf = malloc(LWS_PRE + room);
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
			{
				struct probereport_in in = {
					.o = &P.o, .log = &P.log, .t_open_us = P.t_open_us,
					.t_end_us = P.t_stop_us ? P.t_stop_us : clock_now_us(),
					.stray_pongs = P.stray_pongs, .failed = P.failure[0] != '\0' };

				status = probereport_write(stdout, &in);
			}
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
