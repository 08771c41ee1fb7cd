/*
 * test_wsprobe_fail.c: build/wsprobe when things go wrong, as a process:
 * bad command lines (exit 2, before anything connects), a refused
 * connection, a host that does not resolve, an HTTP server that refuses
 * the upgrade, a server that closes mid-run (exit 1), a server that never
 * answers a PING or stops answering them (exit 3). wss:// is
 * test_wsprobe_tls.c's.
 *
 * The odd servers are fakes on raw sockets (fakews.c), each in a thread
 * of the test. Every wait has a deadline: each wsprobe run is killed (and
 * fails its test) past the bound its case allows (wprun.h), a fake gives
 * up after FAKEWS_LIFE_US.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "tests/fakews.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "tests/wprun.h"

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

START_TEST(test_http_404_upgrade_refused)
{
	struct fakews f = { .http_404 = true };
	char url[64], want[96];
	struct wp_run r;

	fakews_start(&f, url, sizeof(url));
	snprintf(want, sizeof(want), "wsprobe: cannot connect to %s: ", url);
	char *args[] = { "--url", url, "--duration-s", "1", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	fakews_join(&f);
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
	struct fakews f = { .answer = 0 };
	struct wp_ping_row rows[16];
	char url[64], csv[64];
	struct wp_run r;
	int pings, pongs;

	tu_temp_file(csv, sizeof(csv), "probecsv");
	fakews_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "1", "--csv", csv, NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	fakews_join(&f);
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
	struct fakews f = { .answer = 3 };
	struct wp_ping_row rows[16];
	char url[64], csv[64];
	struct wp_run r;
	int pings, pongs;

	tu_temp_file(csv, sizeof(csv), "probecsv");
	fakews_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "1", "--quiet", "--csv", csv, NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	fakews_join(&f);
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
	struct fakews f = { .answer = 2, .close_reason = "fake server gave up" };
	char url[64];
	struct wp_run r;
	int pings, pongs;

	fakews_start(&f, url, sizeof(url));
	char *args[] = { "--url", url, "--duration-s", "5", "--quiet", NULL };

	wp_run_args(&r, WP_CLOSE_MS, args);
	fakews_join(&f);
	wp_assert(&r, 1, "wsprobe: the server closed the connection at ",
		  "(close code 1011: fake server gave up)", NULL);
	ck_assert_msg(!strstr(r.out, "stopped answering"), "%s", r.out);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_eq(pongs, 2);
}
END_TEST

Suite *wsprobe_fail_suite(void)
{
	Suite *s = suite_create("wsprobe_fail");
	TCase *usage = tcase_create("usage");
	TCase *conn = tcase_create("connection");

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
	return s;
}
