/*
 * test_delayproxy_fail.c: build/delayproxy when things go wrong: an
 * upstream that refuses or resets, more connections than --max-conns, bad
 * arguments, SIGINT and SIGTERM with live connections, and the ready line
 * the tests' spawn helpers read. The delay, order and back-pressure are
 * test_delayproxy.c's; both share dptest.c.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/dptest.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int dp_count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Asserts the proxy closes fd (EOF or a reset) within DP_IO_MS. */
static void dp_assert_closed(int fd, const char *what)
{
	unsigned char b;

	ck_assert_msg(dp_wait(fd, POLLIN, DP_IO_MS), "%s: still open after %d ms",
		      what, DP_IO_MS);
	ssize_t n = read(fd, &b, 1);

	ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET),
		      "%s: read returned %zd (%s), not EOF or a reset", what, n,
		      n < 0 ? strerror(errno) : "a byte");
}

START_TEST(test_upstream_refuses)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap;
	/* bound but not listening: the port stays ours, connects are refused */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int dead = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert(bind(dead, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  getsockname(dead, (struct sockaddr *)&a, &len) == 0);
	dp_start(&s, ntohs(a.sin_port), 10, NULL);
	for (int i = 0; i < 2; i++) {	/* the second: it still accepts */
		int c = dp_connect(s.port);

		dp_assert_closed(c, "client of a refused upstream");
		close(c);
	}
	close(dead);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	ck_assert_msg(dp_count(errtext, "Connection refused") == 2,
		      "not one line per refused connect: %s", errtext);
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(conns, 2);
}
END_TEST

START_TEST(test_upstream_reset)
{
	struct spawned s;
	char errtext[4096];
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int port, lfd = dp_listen(&port);

	dp_start(&s, port, 5, NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);

	dp_send_byte(c, 'a');
	dp_recv_byte(u, 'a', "before the reset");
	setsockopt(u, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(u);		/* a RST */
	/* the client sees a reset, not a clean EOF that would pass a cut
	 * stream off as complete */
	ck_assert_msg(dp_wait(c, POLLIN, DP_IO_MS), "client not closed after the reset");
	unsigned char b;
	ssize_t n = read(c, &b, 1);
	ck_assert_msg(n < 0 && errno == ECONNRESET, "client read %zd (%s), not a reset",
		      n, n < 0 ? strerror(errno) : "EOF or a byte");
	close(c);

	/* and the proxy serves the next connection */
	c = dp_connect(s.port);
	u = dp_accept(lfd);
	dp_send_byte(c, 'b');
	dp_recv_byte(u, 'b', "after the reset");
	dp_send_byte(u, 'B');
	dp_recv_byte(c, 'B', "after the reset");
	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	ck_assert_msg(dp_count(errtext, "reset") == 1, "not one line for the reset: %s",
		      errtext);
}
END_TEST

START_TEST(test_max_conns)
{
	struct spawned s;
	char errtext[4096];
	int port, lfd = dp_listen(&port);

	dp_start(&s, port, 5, "--max-conns", "1", NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);
	int64_t t0 = clock_now_us();

	for (int i = 0; i < 3; i++) {
		int extra = dp_connect(s.port);

		dp_assert_closed(extra, "a connection over --max-conns");
		close(extra);
	}
	int64_t refusing_us = clock_now_us() - t0;

	ck_assert_msg(!dp_wait(lfd, POLLIN, 0), "the proxy connected upstream for a "
		      "refused connection");
	/* the first pair still relays */
	dp_send_byte(c, 'k');
	dp_recv_byte(u, 'k', "the pair within --max-conns");
	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	/* three refusals in under a second: one line (if the machine took a
	 * second over them, two lines are right) */
	if (refusing_us < 900000)
		ck_assert_msg(dp_count(errtext, "refused a connection") == 1,
			      "refusals not rate-limited to one line a second: %s", errtext);
	else
		ck_assert_int_ge(dp_count(errtext, "refused a connection"), 1);
}
END_TEST

/* Runs the proxy with args; asserts exit status 2 and a one-line message
 * on stderr naming `names`. */
static void dp_assert_bad_args(const char *names, char **args)
{
	char path[512], out[2048];
	char *argv[12];
	int argc = 0, st;

	snprintf(path, sizeof(path), "%s/delayproxy", tu_build_dir());
	argv[argc++] = path;
	for (; *args && argc < 11; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	st = spawn_run(argv, out, sizeof(out), DP_START_MS);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2,
		      "bad arguments (%s): status 0x%x, not exit 2: %s", names,
		      (unsigned)st, out);
	ck_assert_msg(strstr(out, names), "the message does not name %s: %s", names, out);
	ck_assert_msg(dp_count(out, "\n") == 1 && out[strlen(out) - 1] == '\n',
		      "not one line: %s", out);
	ck_assert_msg(!strstr(out, "listening"), "it started: %s", out);
}

START_TEST(test_bad_arguments)
{
#define BAD(name, ...) dp_assert_bad_args(name, (char *[]){ __VA_ARGS__, NULL })
	BAD("--to", "--delay-ms", "5");
	BAD("--delay-ms", "--to", "127.0.0.1:1");
	BAD("--to", "--to", "127.0.0.1", "--delay-ms", "5");
	BAD("--to", "--to", ":80", "--delay-ms", "5");
	BAD("--to", "--to", "127.0.0.1:0", "--delay-ms", "5");
	BAD("--to", "--to", "127.0.0.1:65536", "--delay-ms", "5");
	BAD("--to", "--to", "::1:80", "--delay-ms", "5");	/* not IPv4 */
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "10001");
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "-1");
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "5x");
	BAD("--port", "--to", "127.0.0.1:1", "--delay-ms", "5", "--port", "65536");
	BAD("--port", "--to", "127.0.0.1:1", "--delay-ms", "5", "--port");
	BAD("--buffer-kb", "--to", "127.0.0.1:1", "--delay-ms", "5", "--buffer-kb", "0");
	BAD("--max-conns", "--to", "127.0.0.1:1", "--delay-ms", "5", "--max-conns", "0");
	BAD("--bogus", "--to", "127.0.0.1:1", "--delay-ms", "5", "--bogus");
#undef BAD
	char *none[] = { NULL };
	dp_assert_bad_args("--to", none);
}
END_TEST

/* Stops the proxy with sig while n pairs hold queued bytes both ways. */
static void dp_stop_busy(int sig)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap;
	int c[3], u[3], port, lfd = dp_listen(&port);

	dp_start(&s, port, 2000, NULL);
	for (int i = 0; i < 3; i++) {
		c[i] = dp_connect(s.port);
		u[i] = dp_accept(lfd);
		ck_assert(write(c[i], "queued", 6) == 6);
		ck_assert(write(u[i], "queued", 6) == 6);
	}
	/* the bytes are in the proxy (its 2 s have not passed): stop it now */
	dp_stop(&s, sig, errtext, sizeof(errtext));
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(conns, 3);
	for (int i = 0; i < 3; i++) {
		close(c[i]);
		close(u[i]);
	}
	close(lfd);
}

START_TEST(test_sigint_with_live_connections)
{
	dp_stop_busy(SIGINT);
}
END_TEST

START_TEST(test_sigterm_with_live_connections)
{
	dp_stop_busy(SIGTERM);
}
END_TEST

/* spawn_server reads the proxy's "listening on HOST:PORT" and still every
 * server's "listening on ws://HOST:PORT/", and nothing in between. */
START_TEST(test_spawn_ready_lines)
{
	static const struct { const char *line; int port; } cases[] = {
		{ "listening on ws://127.0.0.1:8080/", 8080 },
		{ "listening on ws://[::1]:8081/", 8081 },
		{ "listening on 127.0.0.1:8082", 8082 },
		{ "listening on ws://127.0.0.1:8083", -1 },	/* scheme, no slash */
		{ "listening on 127.0.0.1:8084/", -1 },		/* slash, no scheme */
		{ "listening on :8085", -1 },
		{ "listening on ws://:8086/", -1 },
		{ "listening on 127.0.0.1:", -1 },
		{ "listening on 127.0.0.1:65536", -1 },
		{ "listening on 127.0.0.1:80x", -1 },
		{ "listening at 127.0.0.1:8087", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char script[160], err[512];
		struct spawned s;

		snprintf(script, sizeof(script), "echo '%s'; exec sleep 10", cases[i].line);
		char *argv[] = { "/bin/sh", "-c", script, NULL };
		int r = spawn_server(&s, argv, DP_START_MS, err, sizeof(err));

		if (cases[i].port > 0) {
			ck_assert_msg(r == 0, "%s: %s", cases[i].line, err);
			ck_assert_int_eq(s.port, cases[i].port);
			spawn_cleanup(&s);
		} else {
			ck_assert_msg(r == -1 && strstr(err, "malformed"),
				      "%s: accepted", cases[i].line);
		}
	}
}
END_TEST

Suite *delayproxy_fail_suite(void)
{
	Suite *s = suite_create("delayproxy_fail");
	TCase *tc = tcase_create("failures");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_upstream_refuses);
	tcase_add_test(tc, test_upstream_reset);
	tcase_add_test(tc, test_max_conns);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_sigint_with_live_connections);
	tcase_add_test(tc, test_sigterm_with_live_connections);
	tcase_add_test(tc, test_spawn_ready_lines);
	suite_add_tcase(s, tc);
	return s;
}
