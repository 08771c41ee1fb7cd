/*
 * test_wsprobe_fail.c: build/wsprobe when things go wrong, as a process:
 * bad command lines (exit 2, before anything connects), a refused
 * connection, a host that does not resolve, an HTTP server that refuses
 * the upgrade, a server that closes mid-run (exit 1), a server that never
 * answers a PING or stops answering them (exit 3), and wss:// against
 * build/tests/tlsecho with a certificate made at test time (refused
 * without --ca-file or --insecure, accepted with either).
 *
 * The odd servers are fakes on raw sockets, each in a thread of the test:
 * they do the upgrade themselves (wsc_accept_for_key) and then answer, or
 * not, the probe's PINGs. Every wait has a deadline: each wsprobe run is
 * killed (and fails its test) past the bound its case allows, a fake gives
 * up after FAKE_LIFE_US. Needs /usr/bin/openssl (Debian's package openssl)
 * for the wss:// tests.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each run's bound (spawn_run's: a run past it is killed and fails the
 * test): what it must take at most, with room for a loaded machine. */
#define WP_QUICK_MS 5000	/* fails before or at connecting */
#define WP_DNS_MS 25000	/* the system resolver may wait for a silent server */
#define WP_RUN1_MS 6000	/* --duration-s 1 + 1 s grace + the close */
#define WP_CLOSE_MS 3000	/* a close mid-run: well before --duration-s 5 */
#define FAKE_LIFE_US 20000000	/* a fake server gives up after this */
#define WP_OPENSSL "/usr/bin/openssl"
#define WP_CSV_HEADER "kind,t_sent_us,t_recv_us,bytes"

/* One wsprobe run: its wait status and merged stdout + stderr. */
struct wp_run {
	int status;		/* spawn_run's: -1 if it outlived bound_ms */
	int bound_ms;
	int64_t took_us;
	char out[16384];
};

/* Runs $SENDLAB_BUILD/wsprobe with args (NULL-terminated) into *r,
 * killing it after bound_ms. */
static void wp_run_args(struct wp_run *r, int bound_ms, char *const args[])
{
	char path[512];
	char *argv[32];
	int argc = 0;

	snprintf(path, sizeof(path), "%s/wsprobe", tu_build_dir());
	argv[argc++] = path;
	for (int i = 0; args[i] && argc < 31; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	int64_t t0 = clock_now_us();

	r->bound_ms = bound_ms;
	r->status = spawn_run(argv, r->out, sizeof(r->out), bound_ms);
	r->took_us = clock_now_us() - t0;
}

/* Asserts that r exited with status want and its output holds every one of
 * the NULL-terminated sentences that follow. */
static void wp_assert(const struct wp_run *r, int want, ...)
{
	va_list ap;

	ck_assert_msg(r->status != -1, "wsprobe did not exit within %d ms: %s", r->bound_ms,
		      r->out);
	ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == want,
		      "exit status %d (wait status 0x%x) after %lld ms, want %d: %s",
		      WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1, (unsigned)r->status,
		      (long long)r->took_us / 1000, want, r->out);
	va_start(ap, want);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		ck_assert_msg(strstr(r->out, s), "no \"%s\" in: %s", s, r->out);
	va_end(ap);
}

/* The line of out that starts with prefix, copied into line ("" if none). */
static void wp_line(const char *out, const char *prefix, char *line, size_t cap)
{
	const char *p = out;

	line[0] = '\0';
	while (strncmp(p, prefix, strlen(prefix))) {
		p = strchr(p, '\n');
		if (!p++)
			return;
	}
	snprintf(line, cap, "%.*s", (int)strcspn(p, "\n"), p);
}

/* The report's first line: "wsprobe: URL for T s: N pings, M pongs". */
static void wp_counts(const char *out, int *pings, int *pongs)
{
	char line[1024];
	const char *p;

	wp_line(out, "wsprobe: ws", line, sizeof(line));	/* not the live lines */
	p = strstr(line, " s: ");
	ck_assert_msg(p && sscanf(p, " s: %d pings, %d pongs", pings, pongs) == 2,
		      "no report line in: %s", out);
}

/* ---- bad command lines: exit 2 and a sentence naming the problem ---- */

struct wp_usage_case {
	const char *args[8];
	const char *sentence;
};

static const struct wp_usage_case wp_usage_cases[] = {
	{ { "--duration-s", "1" }, "wsprobe: --url is required" },
	{ { "--url", "http://x" }, "wsprobe: --url must start with ws:// or wss://, not 'http://x'" },
	{ { "--url", "ws://127.0.0.1:0/" },
	  "wsprobe: --url's port must be an integer from 1 to 65535, not '0'" },
	{ { "--url", "ws://:80/" }, "wsprobe: --url has no host" },
	{ { "--url", "ws://127.0.0.1:9/", "--frobnicate", "1" },
	  "wsprobe: unknown option '--frobnicate'" },
	{ { "--url", "ws://127.0.0.1:9/", "--ping-ms", "0" },
	  "wsprobe: --ping-ms must be an integer from 1 to 10000, not '0'" },
	{ { "--url", "ws://127.0.0.1:9/", "--insecure" }, "wsprobe: --insecure is for wss:// URLs" },
};
#define WP_NUSAGE ((int)(sizeof(wp_usage_cases) / sizeof(wp_usage_cases[0])))

START_TEST(test_bad_command_line)
{
	const struct wp_usage_case *c = &wp_usage_cases[_i];
	struct wp_run r;

	wp_run_args(&r, WP_QUICK_MS, (char *const *)c->args);
	wp_assert(&r, 2, c->sentence, NULL);
}
END_TEST

/*
 * A file option that cannot be used (--send-file missing or too big, --csv
 * in a directory that does not exist): exit 2 at once, before connecting.
 * The URL is a listening socket that never answers: had wsprobe connected,
 * its connection would be pending there, and the run would outlive its
 * bound.
 */
static void wp_assert_fails_before_connecting(const char *opt, const char *path,
					      const char *sentence)
{
	struct wp_run r;
	char url[64];
	int lfd;

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tu_loopback_port(true, &lfd));
	char *args[] = { "--url", url, "--duration-s", "1", (char *)opt, (char *)path, NULL };

	wp_run_args(&r, WP_QUICK_MS, args);

	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int pending = poll(&p, 1, 0);

	close(lfd);
	wp_assert(&r, 2, sentence, NULL);
	ck_assert_msg(pending == 0, "wsprobe connected before failing: %s", r.out);
}

START_TEST(test_send_file_missing)
{
	wp_assert_fails_before_connecting("--send-file", "/nonexistent-sendlab/msg.txt",
					  "wsprobe: cannot read --send-file "
					  "/nonexistent-sendlab/msg.txt: No such file or directory");
}
END_TEST

START_TEST(test_csv_dir_missing)
{
	wp_assert_fails_before_connecting("--csv", "/nonexistent-sendlab/probe.csv",
					  "wsprobe: cannot write --csv "
					  "/nonexistent-sendlab/probe.csv: No such file or directory");
}
END_TEST

/* Writes n bytes of 'x' into the fresh temp file path. */
static void wp_fill_file(char *path, size_t cap, size_t n)
{
	tu_temp_file(path, cap, "sendfile");
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++)
		fputc('x', f);
	ck_assert_int_eq(fclose(f), 0);
}

/* 1 MiB + 1 byte: exit 2 before connecting. Exactly 1 MiB is accepted:
 * against a port nobody listens on, the run then fails at the connection
 * (exit 1), past the check. */
START_TEST(test_send_file_over_1mib)
{
	char big[64], max[64], url[64];
	struct wp_run r;
	int fd;

	wp_fill_file(big, sizeof(big), 1024 * 1024 + 1);
	wp_fill_file(max, sizeof(max), 1024 * 1024);

	char sentence[128];

	snprintf(sentence, sizeof(sentence), "wsprobe: --send-file %s: over 1 MiB", big);
	wp_assert_fails_before_connecting("--send-file", big, sentence);

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tu_loopback_port(false, &fd));
	close(fd);
	char *args[] = { "--url", url, "--send-file", max, "--quiet", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	wp_assert(&r, 1, "wsprobe: cannot connect to ", NULL);
	unlink(big);
	unlink(max);
}
END_TEST

/* ---- connections that fail: exit 1 ---- */

START_TEST(test_refused)
{
	char url[64], want[96];
	struct wp_run r;
	int fd;
	/* a port nobody listens on: bind one, note it, close it */
	int port = tu_loopback_port(false, &fd);

	close(fd);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", port);
	snprintf(want, sizeof(want), "wsprobe: cannot connect to %s: ", url);
	char *args[] = { "--url", url, "--duration-s", "1", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	wp_assert(&r, 1, want, "(is a server listening there?)", NULL);
	ck_assert_msg(!strstr(r.out, "pings"), "a report without a connection: %s", r.out);
}
END_TEST

/* A server that accepts TCP and never answers the upgrade request (a
 * listening socket nobody accepts on: the kernel completes the handshake):
 * exit 1 at --connect-timeout-s with a sentence naming the URL, never a
 * hang (lws 4.1.6 ends such a client with CLOSED_CLIENT_HTTP, which
 * wsprobe once ignored, and then waited forever). */
START_TEST(test_silent_server_gives_up)
{
	char url[64], want[96];
	struct wp_run r;
	int lfd;

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tu_loopback_port(true, &lfd));
	snprintf(want, sizeof(want), "wsprobe: cannot connect to %s: ", url);
	char *args[] = { "--url", url, "--duration-s", "1", "--connect-timeout-s", "1",
			 "--quiet", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	close(lfd);
	wp_assert(&r, 1, want, "no WebSocket connection within 1 s", NULL);
	ck_assert_msg(r.took_us >= 900000, "gave up after %lld ms, before its 1 s bound",
		      (long long)r.took_us / 1000);
}
END_TEST

/* .invalid never resolves (RFC 6761). The bound is generous: the lookup
 * is the system resolver's, which may wait for a silent DNS server. */
START_TEST(test_unresolvable_host)
{
	struct wp_run r;
	char *args[] = { "--url", "ws://no-such-host.invalid/", "--duration-s", "1", NULL };

	wp_run_args(&r, WP_DNS_MS, args);
	wp_assert(&r, 1, "wsprobe: cannot connect to ws://no-such-host.invalid:80/: ",
		  "a host name that does not resolve?", NULL);
	ck_assert_msg(!strstr(r.out, "is a server listening"), "two hints: %s", r.out);
}
END_TEST

/* ---- fake servers on raw sockets, one connection each ---- */

struct fake {
	int lfd, port;
	bool http_404;			/* answer the upgrade with a 404 */
	int answer;			/* PINGs answered with a PONG; later ones ignored */
	const char *close_reason;	/* after `answer` pongs: close 1011 with it */
	/* what happened, read after the join */
	int pings, pongs;
	bool client_closed;		/* the probe's close frame came */
	char err[160];			/* "" unless the fake itself failed */
	pthread_t thread;
};

/* Reads the HTTP request up to its blank line into buf. */
static bool fake_read_request(int fd, char *buf, size_t cap, int64_t give_up)
{
	size_t got = 0;

	buf[0] = '\0';
	while (!strstr(buf, "\r\n\r\n")) {
		if (got + 1 >= cap || !tu_read_exact(fd, (unsigned char *)buf + got, 1, give_up))
			return false;
		buf[++got] = '\0';
	}
	return true;
}

/* One client frame (masked): its opcode, and its payload unmasked into
 * payload (cut to cap; the rest is read and dropped). */
static bool fake_read_frame(int fd, int *op, unsigned char *payload, size_t cap,
			    size_t *len, int64_t give_up)
{
	unsigned char h[8], mask[4] = { 0 }, c;
	uint64_t n;
	bool masked;

	if (!tu_read_exact(fd, h, 2, give_up))
		return false;
	*op = h[0] & 0x0f;
	masked = h[1] & 0x80;
	n = h[1] & 0x7f;
	if (n >= 126) {
		size_t k = n == 126 ? 2 : 8;

		if (!tu_read_exact(fd, h, k, give_up))
			return false;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | h[i];
	}
	if (masked && !tu_read_exact(fd, mask, 4, give_up))
		return false;
	*len = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (!tu_read_exact(fd, &c, 1, give_up))
			return false;
		if (*len < cap)
			payload[(*len)++] = c ^ mask[i % 4];
	}
	return true;
}

/* One unmasked server frame with a payload under 126 bytes. */
static bool fake_send_frame(int fd, int op, const void *payload, size_t len)
{
	unsigned char f[2 + 125];

	f[0] = (unsigned char)(0x80 | op);
	f[1] = (unsigned char)len;
	memcpy(f + 2, payload, len);
	return send(fd, f, 2 + len, MSG_NOSIGNAL) == (ssize_t)(2 + len);
}

/* The upgrade: 101 with the right Sec-WebSocket-Accept. */
static bool fake_upgrade(int fd, const char *req)
{
	char resp[256], accept_key[29], key[64] = "";
	const char *k = strstr(req, "Sec-WebSocket-Key: ");

	if (!k || sscanf(k + 19, "%63[^\r]", key) != 1)
		return false;
	wsc_accept_for_key(key, accept_key);
	snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept_key);
	return send(fd, resp, strlen(resp), MSG_NOSIGNAL) == (ssize_t)strlen(resp);
}

/* Reads and drops everything until the peer closes (or give_up). */
static void fake_drain(int fd, int64_t give_up)
{
	unsigned char b;

	while (tu_read_exact(fd, &b, 1, give_up))
		;
}

/* The fake's thread: one connection, as struct fake says. */
static void *fake_run(void *arg)
{
	struct fake *f = arg;
	int64_t give_up = clock_now_us() + FAKE_LIFE_US;
	struct pollfd p = { .fd = f->lfd, .events = POLLIN };
	char req[4096];
	int fd;

	if (poll(&p, 1, 10000) != 1 || (fd = accept(f->lfd, NULL, NULL)) < 0) {
		snprintf(f->err, sizeof(f->err), "no connection within 10 s");
		return NULL;
	}
	if (!fake_read_request(fd, req, sizeof(req), give_up)) {
		snprintf(f->err, sizeof(f->err), "no complete upgrade request");
	} else if (f->http_404) {
		static const char r404[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
					   "Connection: close\r\n\r\n";

		send(fd, r404, sizeof(r404) - 1, MSG_NOSIGNAL);
		fake_drain(fd, give_up);
	} else if (!fake_upgrade(fd, req)) {
		snprintf(f->err, sizeof(f->err), "no Sec-WebSocket-Key in: %.100s", req);
	} else {
		unsigned char payload[256];
		size_t len;
		int op;

		while (fake_read_frame(fd, &op, payload, sizeof(payload), &len, give_up)) {
			if (op == 0x8)	/* never answered: the probe must give up on it */
				f->client_closed = true;
			if (op != 0x9)
				continue;
			f->pings++;
			if (f->pongs >= f->answer || len > 125)
				continue;
			fake_send_frame(fd, 0xA, payload, len);	/* the same payload */
			if (++f->pongs == f->answer && f->close_reason) {
				unsigned char c[125] = { 1011 >> 8, 1011 & 0xff };
				size_t n = strnlen(f->close_reason, sizeof(c) - 2);

				memcpy(c + 2, f->close_reason, n);
				fake_send_frame(fd, 0x8, c, 2 + n);
			}
		}
	}
	close(fd);
	return NULL;
}

/* Starts a fake on a fresh loopback port; url gets its ws:// URL. */
static void fake_start(struct fake *f, char *url, size_t cap)
{
	f->port = tu_loopback_port(true, &f->lfd);
	snprintf(url, cap, "ws://127.0.0.1:%d/", f->port);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* Joins the fake (it ends when the probe hangs up, or at its give-up
 * time); fails the test if the fake itself failed. */
static void fake_join(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	ck_assert_msg(!f->err[0], "the fake server: %s", f->err);
}

START_TEST(test_http_404_upgrade_refused)
{
	struct fake f = { .http_404 = true };
	char url[64], want[96];
	struct wp_run r;

	fake_start(&f, url, sizeof(url));
	snprintf(want, sizeof(want), "wsprobe: cannot connect to %s: ", url);
	char *args[] = { "--url", url, "--duration-s", "1", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	fake_join(&f);
	wp_assert(&r, 1, want, "not 101", "an HTTP server that refused the WebSocket upgrade",
		  NULL);
}
END_TEST

/* A row of the probe's CSV: a ping, its pong's stamp or -1 (empty). */
struct wp_ping_row {
	long long sent, recv;
};

/* Reads a wsprobe CSV that must hold the header and ping rows only;
 * returns the number of rows. */
static int wp_read_ping_csv(const char *path, struct wp_ping_row *rows, int max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	ck_assert_msg(fgets(line, sizeof(line), f) && !strcmp(line, WP_CSV_HEADER "\n"),
		      "%s: no header line", path);
	while (fgets(line, sizeof(line), f)) {
		char recv[32] = "";
		unsigned bytes;
		int used = 0;

		ck_assert_msg(n < max, "%s: over %d rows", path, max);
		ck_assert_msg(sscanf(line, "ping,%lld,%n", &rows[n].sent, &used) == 1 && used,
			      "%s: not a ping row: %s", path, line);
		ck_assert_msg(sscanf(line + used, "%31[0-9],%u", recv, &bytes) == 2 ||
			      sscanf(line + used, ",%u", &bytes) == 1,
			      "%s: malformed ping row: %s", path, line);
		rows[n].recv = recv[0] ? atoll(recv) : -1;
		ck_assert_msg(rows[n].recv == -1 || rows[n].recv >= rows[n].sent,
			      "%s: pong before its ping: %s", path, line);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * A server that completes the upgrade and then reads and ignores every
 * frame (its close frame too): exit 3 once --duration-s and the grace for
 * the last pong are over, plus the close wait (1 + 1 + 2 s at most); the
 * report says no ping was answered; the CSV has its one ping, unanswered.
 */
START_TEST(test_never_pongs)
{
	struct fake f = { .answer = 0 };
	struct wp_ping_row rows[16];
	char url[64], csv[64];
	struct wp_run r;
	int pings, pongs;

	tu_temp_file(csv, sizeof(csv), "probecsv");
	fake_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "1", "--csv", csv, NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	fake_join(&f);
	wp_assert(&r, 3, "the server answered none of the ", " pings: it does not answer PINGs",
		  NULL);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_ge(pings, 1);
	ck_assert_int_eq(pongs, 0);
	ck_assert_int_eq(f.pings, pings);
	ck_assert_msg(f.client_closed, "the probe never sent its close frame: %s", r.out);

	int n = wp_read_ping_csv(csv, rows, 16);

	ck_assert_int_eq(n, pings);
	for (int i = 0; i < n; i++)
		ck_assert_msg(rows[i].recv == -1, "row %d has a pong", i + 1);
	unlink(csv);
}
END_TEST

/*
 * A server that answers the first 3 PINGs and then none: exit 3, the
 * report says it stopped answering; the CSV has 3 answered pings and the
 * one after them (one ping in flight at a time) without a pong.
 */
START_TEST(test_stops_ponging)
{
	struct fake f = { .answer = 3 };
	struct wp_ping_row rows[16];
	char url[64], csv[64];
	struct wp_run r;
	int pings, pongs;

	tu_temp_file(csv, sizeof(csv), "probecsv");
	fake_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "1", "--quiet", "--csv", csv, NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	fake_join(&f);
	wp_assert(&r, 3, "the server stopped answering: the ping sent at ", NULL);
	ck_assert_msg(!strstr(r.out, "answered none"), "%s", r.out);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_eq(pings, 4);
	ck_assert_int_eq(pongs, 3);
	ck_assert_int_eq(f.pings, 4);

	int n = wp_read_ping_csv(csv, rows, 16);

	ck_assert_int_eq(n, 4);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(rows[i].recv != -1, "ping %d has no pong", i + 1);
	ck_assert_msg(rows[3].recv == -1, "the ping after the last pong has one");
	unlink(csv);
}
END_TEST

/* A server that answers 2 PINGs, then closes with 1011 and a reason:
 * exit 1 at once, stderr names the close code and the reason. */
START_TEST(test_server_closes_1011)
{
	struct fake f = { .answer = 2, .close_reason = "fake server gave up" };
	char url[64];
	struct wp_run r;
	int pings, pongs;

	fake_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "5", "--quiet", NULL };

	wp_run_args(&r, WP_CLOSE_MS, args);
	fake_join(&f);
	wp_assert(&r, 1, "wsprobe: the server closed the connection at ",
		  "(close code 1011: fake server gave up)", NULL);
	ck_assert_msg(!strstr(r.out, "stopped answering"), "%s", r.out);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_eq(pongs, 2);
}
END_TEST

/* ---- wss:// against build/tests/tlsecho ---- */

struct wp_tls {
	char dir[64], cert[96], key[96];
	struct spawned server;
};

/* Starts build/tests/tlsecho ("listening on wss://127.0.0.1:PORT/"). */
static void wp_tls_server_start(struct wp_tls *t)
{
	char path[512], err[512];
	char *argv[] = { path, "--cert", t->cert, "--key", t->key, NULL };

	snprintf(path, sizeof(path), "%s/tests/tlsecho", tu_build_dir());
	ck_assert_msg(spawn_server(&t->server, argv, TU_START_MS, err, sizeof(err)) == 0,
		      "%s: %s", path, err);
}

/* A self-signed certificate for localhost and 127.0.0.1 (openssl, into a
 * fresh temp dir), and tlsecho serving it. */
static void wp_tls_up(struct wp_tls *t)
{
	char out[4096], subj[] = "/CN=localhost",
	     san[] = "subjectAltName=DNS:localhost,IP:127.0.0.1";

	ck_assert_msg(access(WP_OPENSSL, X_OK) == 0,
		      "%s not found: the wss:// tests make their certificate with it; "
		      "install Debian's package openssl (sudo apt-get install openssl)",
		      WP_OPENSSL);
	snprintf(t->dir, sizeof(t->dir), "/tmp/sendlab-tls-XXXXXX");
	ck_assert_msg(mkdtemp(t->dir), "mkdtemp: %s", strerror(errno));
	snprintf(t->cert, sizeof(t->cert), "%s/cert.pem", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/key.pem", t->dir);
	char *argv[] = { WP_OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			 "-keyout", t->key, "-out", t->cert, "-days", "1", "-subj", subj,
			 "-addext", san, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "openssl req failed (status 0x%x): %s", (unsigned)st, out);
	wp_tls_server_start(t);
}

/* Stops tlsecho (exit 0 on SIGTERM, asserted) and removes the temp dir. */
static void wp_tls_down(struct wp_tls *t)
{
	tu_stop_clean(&t->server);
	tu_remove_dir(t->dir);
}

/* Without --ca-file or --insecure the self-signed certificate is refused:
 * exit 1, and wsprobe's sentence points at the certificate and both ways
 * out. */
START_TEST(test_tls_self_signed_refused)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64], prefix[96], line[1024];

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	wp_tls_down(&t);
	snprintf(prefix, sizeof(prefix), "wsprobe: cannot connect to %s: ", url);
	wp_assert(&r, 1, prefix, NULL);
	/* wsprobe's own line, not lws's log line about the certificate */
	wp_line(r.out, prefix, line, sizeof(line));
	ck_assert_msg(strstr(line, "certificate") && strstr(line, "--ca-file") &&
		      strstr(line, "--insecure"), "no certificate hint in: %s", line);
}
END_TEST

/* --insecure accepts it: exit 0, pongs, and tlsecho echoes --send. */
START_TEST(test_tls_insecure_runs)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64];
	int pings, pongs;
	unsigned long got = 0, sent = 0;

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", "--insecure", "--quiet", "--send",
			 "hello", "--every-ms", "100", NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	wp_tls_down(&t);
	wp_assert(&r, 0, "pong latency: ", NULL);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_ge(pongs, 1);
	ck_assert_int_eq(pongs, pings);

	const char *m = strstr(r.out, "messages: ");

	ck_assert_msg(m && sscanf(m, "messages: %lu received (%*u bytes), %lu sent", &got,
				  &sent) == 2, "%s", r.out);
	ck_assert_msg(sent >= 1 && got >= 1 && got <= sent, "%s", r.out);
}
END_TEST

/* --ca-file with the certificate and the name it carries: the chain and
 * the name are verified, and the run is clean. */
START_TEST(test_tls_ca_file_verifies)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64];
	int pings, pongs;

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://localhost:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", "--ca-file", t.cert, "--quiet", NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	wp_tls_down(&t);
	wp_assert(&r, 0, "wsprobe: wss://localhost:", "pong latency: ", NULL);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_ge(pongs, 1);
	ck_assert_int_eq(pongs, pings);
}
END_TEST

Suite *wsprobe_fail_suite(void)
{
	Suite *s = suite_create("wsprobe_fail");
	TCase *usage = tcase_create("usage");
	TCase *conn = tcase_create("connection");
	TCase *tls = tcase_create("tls");

	tcase_set_timeout(usage, 30);
	tcase_add_loop_test(usage, test_bad_command_line, 0, WP_NUSAGE);
	tcase_add_test(usage, test_send_file_missing);
	tcase_add_test(usage, test_csv_dir_missing);
	tcase_add_test(usage, test_send_file_over_1mib);
	suite_add_tcase(s, usage);

	tcase_set_timeout(conn, 60);
	tcase_add_test(conn, test_refused);
	tcase_add_test(conn, test_silent_server_gives_up);
	tcase_add_test(conn, test_unresolvable_host);
	tcase_add_test(conn, test_http_404_upgrade_refused);
	tcase_add_test(conn, test_never_pongs);
	tcase_add_test(conn, test_stops_ponging);
	tcase_add_test(conn, test_server_closes_1011);
	suite_add_tcase(s, conn);

	tcase_set_timeout(tls, 60);
	tcase_add_test(tls, test_tls_self_signed_refused);
	tcase_add_test(tls, test_tls_insecure_runs);
	tcase_add_test(tls, test_tls_ca_file_verifies);
	suite_add_tcase(s, tls);
	return s;
}
