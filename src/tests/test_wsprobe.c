/*
 * test_wsprobe.c: build/wsprobe against servers whose loop we know
 * (issue 21): on server-blocking its stall is the job and agrees with the
 * server's own lag monitor; each send discipline gives the bursts
 * docs/the-bug.md describes; on server-threadpool there is no stall; on
 * the Python original's create-task the stall and the burst show too.
 * Every bound is relative to the measured job or item. Lab 09's mystery
 * servers and grader are test_lab09.c's; the failure modes (no pong, bad
 * URLs) test_wsprobe_fail.c's, wss:// test_wsprobe_tls.c's.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "probe/probelog.h"
#include "probe/probestat.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "tests/wprun.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after `key` in the report, or -1. */
static double report_number(const char *out, const char *key)
{
	const char *at = strstr(out, key);

	return at ? strtod(at + strlen(key), NULL) : -1;
}

/* The time from the job's send to the arrival of its last (n-th) message. */
static int64_t job_span(const struct probelog *log, size_t n)
{
	ck_assert_msg(log->n_sends >= 1 && log->n_msgs >= n, "%zu sends, %zu messages",
		      log->n_sends, log->n_msgs);
	return log->msgs[n - 1].t_us - log->sends[0].t_us;
}

/* Done means: a 3 x 300 ms job on server-blocking gives a pong stall of
 * at least 600 ms (two thirds of the job), and the stall agrees with what
 * the server's own lag monitor saw (the same block measured from inside:
 * within 5 % of the job; measured 1-9 ms apart). */
START_TEST(test_blocking_stall_is_the_job_and_the_lag_monitors)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct reply r;
	struct wp_run run;
	char stats[96];
	int64_t t0 = clock_now_us();

	tu_start(&s, "blocking", "--iters-per-ms", tu_iters_per_ms(), NULL);
	wp_probe_job(&run, s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":300}",
		     3, 2, &log, &sum);
	int64_t job = job_span(&log, 3);

	ck_assert_msg(sum.longest_stall_us >= job * 2 / 3, "longest stall %lld us of a "
		      "%lld us job: %s", (long long)sum.longest_stall_us, (long long)job, run.out);
	/* the report says the same as the CSV */
	double said = report_number(run.out, "longest ");

	ck_assert_msg(said * 1000 > sum.longest_stall_us - 1000 &&
		      said * 1000 < sum.longest_stall_us + 1000, "report %.1f ms, CSV "
		      "%lld us: %s", said, (long long)sum.longest_stall_us, run.out);

	struct wsc *c = tu_connect(&s);

	snprintf(stats, sizeof(stats), "{\"op\":\"stats\",\"since_us\":%lld}", (long long)t0);
	tu_send(c, stats);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_STATS);
	int64_t lag = r.v[REPLY_LAG_MAX_US], diff = lag - sum.longest_stall_us;

	ck_assert_msg(llabs(diff) <= job / 20, "wsprobe's stall %lld us, the lag "
		      "monitor's max %lld us: %lld apart (want within 5 %% of the %lld "
		      "us job)", (long long)sum.longest_stall_us, (long long)lag,
		      (long long)diff, (long long)job);
	wsc_close(c, TU_IO_MS);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* The bursts of each send discipline of the bug (docs/the-bug.md),
 * counted by the report: proactor, the first alone and the other three
 * together; queue, all four together; direct, none. */
START_TEST(test_blocking_bursts_follow_the_send_discipline)
{
	static const char *const sends[] = { "proactor", "queue", "direct" };
	static const int largest[] = { 3, 4, 0 };
	const char *send = sends[_i];
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct wp_run run;
	const char *out = run.out;

	tu_start(&s, "blocking", "--send", send, "--iters-per-ms", tu_iters_per_ms(), NULL);
	wp_probe_job(&run, s.port, "{\"op\":\"run\",\"items\":4,\"work_ms\":100}", 4, 10,
		     &log, &sum);
	/* the bursts line: "...of silence): N, largest M messages" */
	const char *b = strstr(out, "of silence): ");
	double bursts = report_number(out, "of silence): ");
	double size = b && strstr(b, "largest ") ? report_number(b, "largest ") : 0;
	ck_assert_msg(bursts == (largest[_i] ? 1 : 0) && (int)size == largest[_i],
		      "--send %s: %.0f bursts, the largest %.0f messages; want %d of %d: %s",
		      send, bursts, size, largest[_i] ? 1 : 0, largest[_i], out);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* The fix: the loop never waits for the work, so no pong waits even a
 * tenth of an item (measured: at most 0.7 ms for 300 ms items), and the
 * results come one item apart, not in a burst. */
START_TEST(test_threadpool_answers_every_ping_at_once)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct wp_run run;

	tu_start(&s, "threadpool", "--iters-per-ms", tu_iters_per_ms(), NULL);
	wp_probe_job(&run, s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":300}",
		     3, 2, &log, &sum);
	int64_t item = job_span(&log, 3) / 3;

	ck_assert_msg(sum.pongs == sum.pings && sum.pong_max_us < item / 10,
		      "%zu of %zu pings answered, the slowest after %lld us; want all, "
		      "under a tenth of the %lld us item: %s", sum.pongs, sum.pings,
		      (long long)sum.pong_max_us, (long long)item, run.out);
	ck_assert_msg(sum.n_bursts == 0 && strstr(run.out, "stalls (no pong for over 100 ms): 0\n"),
		      "want no stall and no burst: %s", run.out);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* The Python original with create_task(ws.send(r)) in the compute loop
 * (python-websockets issue #1614): the loop stalls for the job, and all
 * three results arrive in one burst at its end. */
START_TEST(test_python_create_task_stalls_and_bursts)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct wp_run run;

	tu_start(&s, "py-create-task", NULL);
	wp_probe_job(&run, s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":150}",
		     3, 2, &log, &sum);
	int64_t job = job_span(&log, 3);

	ck_assert_msg(sum.longest_stall_us >= job * 7 / 10, "longest pong wait %lld us "
		      "of a %lld us job: %s", (long long)sum.longest_stall_us,
		      (long long)job, run.out);
	ck_assert_msg(sum.n_bursts == 1 && sum.largest_burst == 3, "%zu bursts, the "
		      "largest %zu messages; want the three results in one: %s",
		      sum.n_bursts, sum.largest_burst, run.out);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* --print shows each message as it arrives: its time and its text (here
 * a result, whose stamps the student compares with the CSV's). */
START_TEST(test_print_shows_each_message)
{
	struct spawned s;
	struct wp_run run;
	const char *out = run.out;
	char url[64];

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	char *args[] = { "--url", url, "--duration-s", "1", "--quiet", "--print",
			 "--send", "{\"op\":\"run\",\"items\":2,\"work_ms\":1}", NULL };

	wp_run_args(&run, 10000, args);
	wp_assert(&run, 0, NULL);
	const char *first = strstr(out, " s  {\"op\":\"result\",\"variant\":\"blocking\",\"seq\":0");
	const char *second = strstr(out, " s  {\"op\":\"result\",\"variant\":\"blocking\",\"seq\":1");

	ck_assert_msg(first && second && first < second, "want both results, in order: %s", out);
	tu_stop_clean(&s);
}
END_TEST

Suite *wsprobe_suite(void)
{
	Suite *s = suite_create("wsprobe");
	TCase *shape = tcase_create("shape");

	tcase_set_timeout(shape, 60);
	tcase_add_test(shape, test_blocking_stall_is_the_job_and_the_lag_monitors);
	tcase_add_loop_test(shape, test_blocking_bursts_follow_the_send_discipline, 0, 3);
	tcase_add_test(shape, test_threadpool_answers_every_ping_at_once);
	tcase_add_test(shape, test_python_create_task_stalls_and_bursts);
	tcase_add_test(shape, test_print_shows_each_message);
	suite_add_tcase(s, shape);
	return s;
}
