/*
 * test_limits.c: the server's own limits, against every variant: a flood
 * of `stats` is paced (one per 10 ms per connection) while a bystander is
 * served as when idle; a connection quiet for --idle-timeout-s is pinged,
 * then closed with 1001, but never during its own job; and out of file
 * descriptors (ulimit -n 64) the server neither spins nor floods stderr
 * (docs/reliability.md). Split from test_abuse.c, whose clients misbehave
 * in bulk; `make test-valgrind` runs both with the servers in memcheck.
 */
#include "common/clock.h"
#include "harness/reply.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The median of n latencies (sorts them). */
static double limits_median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? v[n / 2] : 0;
}

/* One echo on c: its round trip in ms. */
static double limits_echo_ms(struct wsc *c)
{
	struct reply r;
	int64_t t0 = clock_now_us(), t1;
	char req[64];

	snprintf(req, sizeof(req), "{\"op\":\"echo\",\"t_us\":%lld", (long long)t0);
	strcat(req, "}");
	tu_send(c, req);
	tu_recv_reply(c, &r, TU_IO_MS, &t1);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	return (double)(t1 - t0) / 1000.0;
}

#define FLOOD_STATS 40	/* pipelined on each of two connections */

/*
 * Two clients write FLOOD_STATS `stats` requests each at once. Each
 * connection's stats replies are paced, at most one per 10 ms (send.c:
 * a stats costs up to ~30 us of loop time for a full window, several
 * echoes), so the flood lasts at least (FLOOD_STATS - 1) x 10 ms; every
 * request is still answered, in order. A bystander echoing meanwhile is
 * served as when idle (its median within 10 x idle + 1 ms; not asserted
 * under valgrind or a sanitizer, which slow everything).
 */
START_TEST(test_stats_flood_is_paced)
{
	struct spawned s;
	struct wsc *flood[2], *by;
	double idle[10], during[64];
	int got[2] = { 0, 0 }, n_during = 0;
	int64_t first[2] = { 0, 0 }, last[2] = { 0, 0 };

	tu_start(&s, tu_variants[_i], NULL);
	by = tu_connect(&s);
	for (int i = 0; i < 10; i++)
		idle[i] = limits_echo_ms(by);
	for (int c = 0; c < 2; c++) {
		flood[c] = tu_connect(&s);
		for (int k = 0; k < FLOOD_STATS; k++)
			tu_send(flood[c], "{\"op\":\"stats\",\"since_us\":0}");
	}

	int64_t give_up = clock_now_us() + 20 * 1000000LL;

	while ((got[0] < FLOOD_STATS || got[1] < FLOOD_STATS) && clock_now_us() < give_up) {
		for (int c = 0; c < 2; c++) {
			struct wsc_frame f;
			struct reply r;
			char why[200];

			while (got[c] < FLOOD_STATS && wsc_recv(flood[c], &f, 0) == 1) {
				ck_assert_msg(f.opcode == WSC_OP_TEXT &&
					      reply_parse((char *)f.data, f.len, &r, why, sizeof(why)) &&
					      r.op == REPLY_STATS, "%s: flooder %d reply %d: %s",
					      tu_variants[_i], c, got[c], (char *)f.data);
				if (!got[c]++)
					first[c] = f.t_arrive_us;
				last[c] = f.t_arrive_us;
			}
		}
		if (n_during < 64)
			during[n_during++] = limits_echo_ms(by);
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000000L }, NULL);
	}
	for (int c = 0; c < 2; c++) {
		ck_assert_msg(got[c] == FLOOD_STATS, "%s: flooder %d got %d of %d stats",
			      tu_variants[_i], c, got[c], FLOOD_STATS);
		ck_assert_msg(last[c] - first[c] >= (FLOOD_STATS - 1) * 10000LL * 9 / 10,
			      "%s: %d stats answered within %.1f ms: not paced", tu_variants[_i],
			      FLOOD_STATS, (double)(last[c] - first[c]) / 1000.0);
		wsc_close(flood[c], TU_IO_MS);
	}

	double m_idle = limits_median(idle, 10), m_during = limits_median(during, n_during);

	fprintf(stderr, "%s: stats flood: bystander echo median %.3f ms (idle %.3f), "
		"%d stats each over %.0f ms\n", tu_variants[_i], m_during, m_idle, FLOOD_STATS,
		(double)(last[0] - first[0]) / 1000.0);
	if (!tu_sanitized())
		ck_assert_msg(m_during <= 10 * m_idle + 1.0, "%s: bystander median %.3f ms "
			      "during the flood, %.3f idle", tu_variants[_i], m_during, m_idle);
	wsc_close(by, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* Waits up to ms for the server's close frame on c, answering nothing,
 * while `other` answers its PINGs (wsclient does when it reads): returns
 * the close code (0: none came, -1: the connection broke), notes c's first
 * PING payload and when it and the close came. */
static int limits_wait_close(struct wsc *c, struct wsc *other, int ms, char *ping, size_t cap,
			    int64_t *t_ping, int64_t *t_close, char *reason, size_t rcap)
{
	int64_t give_up = clock_now_us() + (int64_t)ms * 1000;

	while (clock_now_us() < give_up) {
		struct wsc_frame f;
		int r = wsc_recv(c, &f, 20);

		while (wsc_recv(other, &(struct wsc_frame){ 0 }, 0) == 1)
			;	/* nothing else comes: this answers its PINGs */
		if (r < 0) {
			snprintf(reason, rcap, "%s", wsc_error(c));
			return -1;
		}
		if (r == 0)
			continue;
		if (f.opcode == WSC_OP_PING && !ping[0]) {
			snprintf(ping, cap, "%.*s", (int)f.len, (char *)f.data);
			*t_ping = f.t_arrive_us;
		}
		if (f.opcode == WSC_OP_CLOSE) {
			*t_close = f.t_arrive_us;
			snprintf(reason, rcap, "%.*s", (int)f.len, (char *)f.data);
			return f.close_code;
		}
	}
	return 0;
}

/*
 * --idle-timeout-s 1 (grace: 1 s): a connection that sends nothing and
 * answers no PING gets the core's PING after >= 1 s and a close 1001 after
 * >= 2 s; one that answers PINGs (as every browser does) stays; a job of
 * 3 x 1000 ms (sleeping items, so a blocked loop is one too) is not cut,
 * nor its connection closed right after it. Bounds are the timeout's, a
 * floor the server guarantees; the ceiling is generous.
 */
START_TEST(test_idle_connections_are_pinged_then_closed)
{
	struct spawned s;
	char ping[64] = "", reason[128] = "";
	int64_t t_ping = 0, t_close = 0;

	tu_start(&s, tu_variants[_i], "--idle-timeout-s", "1", "--work", "sleep", NULL);

	int64_t t0 = clock_now_us();	/* before the server starts counting */
	struct wsc *silent = tu_connect(&s), *answers = tu_connect(&s);

	wsc_set_auto_pong(silent, 0);
	int code = limits_wait_close(silent, answers, 10000, ping, sizeof(ping), &t_ping,
				    &t_close, reason, sizeof(reason));

	ck_assert_msg(code == 1001, "%s: a silent connection: close code %d, reason '%s'",
		      tu_variants[_i], code, reason);
	ck_assert_msg(!strcmp(ping, "sendlab-idle") && t_ping - t0 >= 1000000,
		      "%s: the idle PING '%s' after %.0f ms", tu_variants[_i], ping,
		      (double)(t_ping - t0) / 1000);
	ck_assert_msg(t_close - t0 >= 2000000 && t_close - t0 < 8000000,
		      "%s: closed after %.0f ms", tu_variants[_i], (double)(t_close - t0) / 1000);
	ck_assert_msg(strstr(reason, "idle: no message for 1 s"), "%s: reason '%s'",
		      tu_variants[_i], reason);
	wsc_free(silent);

	/* it answered every PING meanwhile (wsclient does by default) */
	ck_assert_msg(wsc_pings_seen(answers) >= 1, "%s: no PING reached the other one",
		      tu_variants[_i]);
	tu_assert_echo(answers);
	wsc_close(answers, TU_IO_MS);

	/* a job longer than timeout + grace, on a connection that answers no
	 * PING (pingpong's own PINGs must be answered for its job to go on) */
	struct wsc *busy = tu_connect(&s);

	if (strcmp(tu_variants[_i], "pingpong"))
		wsc_set_auto_pong(busy, 0);
	tu_send(busy, "{\"op\":\"run\",\"items\":3,\"work_ms\":1000}");
	for (int k = 0; k < 3; k++) {
		struct reply r;

		tu_recv_reply(busy, &r, 5000, NULL);
		ck_assert_msg(r.op == REPLY_RESULT, "%s: result %d", tu_variants[_i], k);
	}
	tu_assert_echo(busy);
	wsc_close(busy, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* The CPU time of process pid so far, in clock ticks. */
static long limits_ticks(pid_t pid)
{
	char path[64], buf[1024];
	FILE *f;
	long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;

	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[n] = '\0';

	const char *p = strrchr(buf, ')');

	/* after "pid (name)": state is field 3; utime and stime 14 and 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
			 &ut, &st) != 2)
		return -1;
	return ut + st;
}

/* The size of a file, or -1. */
static long limits_file_size(const char *path)
{
	FILE *f = fopen(path, "r");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

/*
 * Out of file descriptors (ulimit -n 64, 200 TCP connections that never
 * upgrade): lws 4.1.6 spins on a failed accept() (measured: 100% CPU,
 * 25 MB of stderr in 5 s); the server must instead refuse the surplus
 * cheaply: under 30% of one core over 2 s (spinning is ~100%), under
 * 10 KB of stderr, a client connected before still answered, a newcomer
 * served once the idle ones are gone, and --max-clients clamped with a
 * warning.
 */
START_TEST(test_out_of_files_does_not_spin)
{
	static const char *const variants[] = { "blocking", "threadpool" };
	const char *v = variants[_i];
	struct spawned s;
	char cmd[512], err[512];

	snprintf(cmd, sizeof(cmd), "ulimit -n 64 && exec %s/server-%s --port 0 --quiet "
		 "--iters-per-ms %s", tu_build_dir(), v, tu_iters_per_ms());

	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	ck_assert_msg(spawn_server(&s, argv, TU_START_MS, err, sizeof(err)) == 0, "%s", err);

	struct wsc *early = tu_connect(&s);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s.port) };
	int fds[200];
	long hz = sysconf(_SC_CLK_TCK);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 200; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert(fds[i] >= 0);
		/* a refused one may reset: connect's result does not matter */
		(void)connect(fds[i], (struct sockaddr *)&a, sizeof(a));
	}

	long t0 = limits_ticks(s.pid), e0 = limits_file_size(s.stderr_path);
	int64_t w0 = clock_now_us();

	for (int k = 0; k < 20; k++) {	/* 2 s, an echo every 100 ms */
		tu_assert_echo(early);
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000000L }, NULL);
	}

	double cpu = (double)(limits_ticks(s.pid) - t0) / (double)hz /
		     ((double)(clock_now_us() - w0) / 1e6);
	long grew = limits_file_size(s.stderr_path) - e0;

	for (int i = 0; i < 200; i++)
		close(fds[i]);
	fprintf(stderr, "%s: ulimit -n 64, 200 idle connections: CPU %.0f%%, stderr +%ld "
		"bytes in 2 s\n", v, cpu * 100, grew);
	ck_assert_msg(t0 >= 0 && cpu < 0.3, "%s: %.0f%% of a core with 200 idle "
		      "connections and ulimit -n 64: spinning", v, cpu * 100);
	ck_assert_msg(grew < 10 * 1024, "%s: stderr grew %ld bytes in 2 s", v, grew);

	/* the idle ones are gone: a newcomer is served (retried briefly while
	 * the server sees them close) */
	struct wsc *late = NULL;
	char why[300] = "";

	for (int k = 0; k < 50 && !late; k++) {
		late = wsc_connect(s.port, "/", "sendlab", TU_IO_MS, why, sizeof(why));
		if (!late)
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	}
	ck_assert_msg(late, "%s: no newcomer after the idle ones left: %s", v, why);
	tu_assert_echo(late);
	wsc_close(late, TU_IO_MS);
	wsc_close(early, TU_IO_MS);

	char out[4096];
	size_t n = spawn_read_stderr(&s, out, sizeof(out));

	out[n < sizeof(out) ? n : sizeof(out) - 1] = '\0';
	ck_assert_msg(strstr(out, "--max-clients 256 is more than 64 open files allow"),
		      "%s: no clamp warning: %s", v, out);
	tu_stop_clean(&s);
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *stats = tcase_create("stats-pacing");

	/* valgrind runs the servers some 20 times slower */
	tcase_set_timeout(stats, tu_valgrind() ? 300 : 60);
	tcase_add_loop_test(stats, test_stats_flood_is_paced, 0, TU_NVARIANTS);
	suite_add_tcase(s, stats);

	TCase *idle = tcase_create("idle");

	tcase_set_timeout(idle, tu_valgrind() ? 300 : 60);
	tcase_add_loop_test(idle, test_idle_connections_are_pinged_then_closed, 0, TU_NVARIANTS);
	suite_add_tcase(s, idle);

	TCase *files = tcase_create("fd-limit");

	tcase_set_timeout(files, tu_valgrind() ? 300 : 60);
	tcase_add_loop_test(files, test_out_of_files_does_not_spin, 0, 2);
	suite_add_tcase(s, files);
	return s;
}
