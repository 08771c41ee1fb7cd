/*
 * test_server.c: the core as a process, through server-blocking: command
 * line, listening, the protocol's ops, paths and subprotocols, lag monitor,
 * clean stops. What every variant must do alike is in test_variants.c.
 */
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *server_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/server-blocking", tu_build_dir());
	return path;
}

/* --port 0 gets a real port, named on the "listening on" line; "/" with
 * the sendlab subprotocol is served, and so is "/" asking for none
 * (sendlab is the default); another path is a 404. SIGINT on an idle
 * server exits 0 (SIGTERM: tu_stop_clean, in every test; SIGINT mid-item:
 * test_variants.c). */
START_TEST(test_port_zero_path_and_subprotocol)
{
	struct spawned s;
	char err[512];
	struct wsc *c;

	tu_start(&s, "blocking", NULL);
	ck_assert_int_gt(s.port, 0);
	ck_assert_int_ne(s.port, 7681);
	c = tu_connect(&s);
	ck_assert_str_eq(wsc_subprotocol(c), "sendlab");
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);

	c = wsc_connect(s.port, "/", NULL, TU_IO_MS, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);

	c = wsc_connect(s.port, "/other", "sendlab", TU_IO_MS, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "404"), "%s", err);
	/* plain HTTP (404, never a file): test_badframes.c */
	int st = spawn_stop(&s, SIGINT, TU_STOP_MS);

	spawn_cleanup(&s);
	ck_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

START_TEST(test_help_and_bad_options)
{
	char out[4096];
	char *help[] = { server_path(), "--help", NULL };
	char *bad[] = { server_path(), "--port", "seventy", NULL };
	char *unknown[] = { server_path(), "--frobnicate", NULL };
	int st;

	st = spawn_run(help, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: server-blocking"));
	ck_assert_ptr_nonnull(strstr(out, "--send MODE"));
	/* other variants' options, --threads: test_variants.c */

	st = spawn_run(bad, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_ptr_nonnull(strstr(out, "--port must be an integer from 0 to 65535, not 'seventy'"));
	ck_assert_ptr_nonnull(strstr(out, "usage: server-blocking"));

	st = spawn_run(unknown, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_ptr_nonnull(strstr(out, "unknown option '--frobnicate'"));
}
END_TEST

START_TEST(test_port_in_use_fails_clearly)
{
	struct spawned s;
	char out[4096], port[16];

	tu_start(&s, "blocking", NULL);
	snprintf(port, sizeof(port), "%d", s.port);
	char *argv[] = { server_path(), "--port", port, NULL };
	/* libwebsockets 4.1.6 itself leaks 72 bytes when it fails to create
	 * its context (seen with LeakSanitizer; nothing of ours is allocated
	 * yet). This test is about the message and the exit status, so only
	 * its own child skips leak detection. (Check forks each test, so the
	 * setting does not reach other tests.) */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	int st = spawn_run(argv, out, sizeof(out), TU_START_MS);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(out, "cannot listen on 127.0.0.1 port"));
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_stats_reports_the_stall)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;
	char msg[96];

	tu_start(&s, "blocking", NULL);
	c = tu_connect(&s);
	int64_t t0 = clock_now_us();

	tu_send(c, "{\"op\":\"run\",\"items\":2,\"work_ms\":150}");
	for (int i = 0; i < 2; i++) {
		tu_recv_reply(c, &r, TU_IO_MS, NULL);
		ck_assert_int_eq(r.op, REPLY_RESULT);
	}
	int64_t job = r.v[REPLY_T_DONE_US] - r.v[REPLY_T_RECV_US];

	snprintf(msg, sizeof(msg), "{\"op\":\"stats\",\"since_us\":%lld}", (long long)t0);
	tu_send(c, msg);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_STATS);
	ck_assert_str_eq(r.variant, "blocking");
	ck_assert_int_eq(r.v[REPLY_SINCE_US], t0);
	/* the monitor saw the loop blocked for about the whole job */
	ck_assert_int_ge(r.v[REPLY_SAMPLES], 1);
	ck_assert_msg(r.v[REPLY_LAG_MAX_US] > job * 8 / 10,
		      "lag max %lld us for a %lld us job",
		      (long long)r.v[REPLY_LAG_MAX_US], (long long)job);
	ck_assert_int_ge(r.v[REPLY_STALLS], 1);

	/* stats without since_us covers the connection's life: same stall */
	tu_send(c, "{\"op\":\"stats\"}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_ge(r.v[REPLY_STALLS], 1);

	/* a window that starts now sees a free loop */
	int64_t now = clock_now_us();
	struct timespec pause = { 0, 100 * 1000 * 1000 };

	nanosleep(&pause, NULL); /* a quiet 100 ms for the monitor to sample */
	snprintf(msg, sizeof(msg), "{\"op\":\"stats\",\"since_us\":%lld}", (long long)now);
	tu_send(c, msg);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_ge(r.v[REPLY_SAMPLES], 3);
	ck_assert_int_eq(r.v[REPLY_STALLS], 0);
	ck_assert_int_lt(r.v[REPLY_LAG_MAX_US], 100000);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_lag_log_and_stall_warning)
{
	struct spawned s;
	char path[] = "/tmp/sendlab-lag-XXXXXX";
	int fd = mkstemp(path);
	struct wsc *c;
	struct reply r;
	char errtext[4096], line[128];
	char *argv[] = { server_path(), "--port", "0", "--lag-log", path, NULL };
	char err[512];

	ck_assert_int_ge(fd, 0);
	close(fd);
	/* not --quiet: the stall warning must appear on stderr */
	ck_assert_msg(spawn_server(&s, argv, TU_START_MS, err, sizeof(err)) == 0, "%s", err);
	c = tu_connect(&s);
	tu_send(c, "{\"op\":\"run\",\"items\":1,\"work_ms\":200}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	struct timespec quiet = { 0, 100 * 1000 * 1000 };
	nanosleep(&quiet, NULL); /* a free loop for the monitor to sample */
	spawn_read_stderr(&s, errtext, sizeof(errtext));
	tu_stop_clean(&s);
	ck_assert_msg(strstr(errtext, "event loop blocked for "), "stderr: %s", errtext);

	FILE *f = fopen(path, "r");
	int rows = 0, stalls = 0;
	long long t, lag;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "t_us,lag_us\n");
	while (fgets(line, sizeof(line), f)) {
		ck_assert_int_eq(sscanf(line, "%lld,%lld", &t, &lag), 2);
		rows++;
		stalls += lag > 100000;
	}
	fclose(f);
	unlink(path);
	ck_assert_int_ge(rows, 5);
	ck_assert_int_eq(stalls, 1);
}
END_TEST

/* The start-up line says how items are computed: under --work cpu the
 * calibrated iterations a ms, under --work sleep no iteration count (a
 * nanosleep has none; it used to print "0 iterations/ms"). */
START_TEST(test_startup_line_names_the_work)
{
	static const char *const works[] = { "cpu", "sleep" };

	for (int i = 0; i < 2; i++) {
		struct spawned s;
		char errtext[4096], err[512];
		char *argv[] = { server_path(), "--port", "0", "--work", (char *)works[i],
				 "--iters-per-ms", "1000", NULL };

		ck_assert_msg(spawn_server(&s, argv, TU_START_MS, err, sizeof(err)) == 0,
			      "%s", err);
		spawn_read_stderr(&s, errtext, sizeof(errtext));
		tu_stop_clean(&s);
		if (i == 0) {
			ck_assert_msg(strstr(errtext, "work=cpu (1000 iterations/ms, given)"),
				      "stderr: %s", errtext);
		} else {
			ck_assert_msg(strstr(errtext, "work=sleep\n"), "stderr: %s", errtext);
			ck_assert_msg(!strstr(errtext, "iterations"), "stderr: %s", errtext);
		}
	}
}
END_TEST

/* A lag log that cannot be written (a full disk) is no silent truncation:
 * the server says so at once, keeps serving, and exits 1, not 0, so the
 * script that asked for the log knows it is short. */
START_TEST(test_lag_log_on_a_full_disk)
{
	struct spawned s;
	char *argv[] = { server_path(), "--port", "0", "--quiet", "--lag-log", "/dev/full",
			 NULL };
	char err[512], errtext[4096];

	ck_assert_msg(spawn_server(&s, argv, TU_START_MS, err, sizeof(err)) == 0, "%s", err);
	struct wsc *c = tu_connect(&s);

	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	spawn_read_stderr(&s, errtext, sizeof(errtext));
	int st = spawn_stop(&s, SIGINT, TU_STOP_MS);

	spawn_cleanup(&s);
	ck_assert_msg(strstr(errtext, "lag log '/dev/full': write failed: No space left"),
		      "stderr: %s", errtext);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1,
		      "status %d: a lag log that lost samples must not exit 0", st);
}
END_TEST

Suite *server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("blocking-process");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_port_zero_path_and_subprotocol);
	tcase_add_test(tc, test_help_and_bad_options);
	tcase_add_test(tc, test_port_in_use_fails_clearly);
	tcase_add_test(tc, test_stats_reports_the_stall);
	tcase_add_test(tc, test_lag_log_and_stall_warning);
	tcase_add_test(tc, test_lag_log_on_a_full_disk);
	tcase_add_test(tc, test_startup_line_names_the_work);
	suite_add_tcase(s, tc);
	return s;
}
