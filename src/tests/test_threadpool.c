/*
 * test_threadpool.c: server-threadpool, the fix that takes the work off
 * the loop thread. Each test names one promise of the variant and fails
 * on a server that breaks it: on time and an item apart like the other
 * fixes, but with a loop that never stalls; jobs of different clients in
 * parallel on the pool, each job's results in order; a client that leaves
 * mid-job costs nothing. `make test-tsan` runs this suite under
 * ThreadSanitizer.
 */
#include "client/watch.h"
#include "common/clock.h"
#include "harness/reply.h"
#include "tests/observe.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

START_TEST(test_spaced_and_loop_never_stalls)
{
	struct watched o;

	obs_run("threadpool", obs_sends[_i], &o);
	obs_assert_spaced(&o);
	/* the loop only sends, so the bystander and the lag monitor see a
	 * free loop while the job runs */
	ck_assert_msg(o.echoes >= 10, "only %d echoes", o.echoes);
	/* free: nobody waits a sizeable part of an item (a blocked loop
	 * makes them wait the whole job) */
	ck_assert_msg(o.worst_echo < o.item / 3, "bystander waited %lld us; want under a "
		      "third of an item, %lld us", (long long)o.worst_echo,
		      (long long)o.item / 3);
	ck_assert_msg(o.lag_max < o.item / 5, "lag max %lld us; want under a fifth of an "
		      "item, %lld us", (long long)o.lag_max, (long long)o.item / 5);
	ck_assert_int_eq(o.stalls, 0);
	ck_assert_int_eq(o.pings, 0);
}
END_TEST

#define PAR_CLIENTS 4
#define PAR_ITEMS 3
#define PAR_WORK_MS 150
#define PAR_THREADS 2

START_TEST(test_jobs_run_in_parallel_results_in_order)
{
	struct spawned s;
	struct watched_jobs w;
	char err[512];

	/* Workers at the loop's own priority: this test asserts parallelism,
	 * and with another program busy on one core a SCHED_IDLE worker
	 * there would barely run (by design: docs/scaling.md), and a nice +5
	 * one would get a quarter of it. At nice 0 both workers always run. */
	tu_start(&s, "threadpool", "--threads", "2", "--worker-priority", "normal", NULL);
	bool ok = watch_jobs(s.port, PAR_CLIENTS, PAR_ITEMS, PAR_WORK_MS, &w, err, sizeof(err));

	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s", err);	/* every result came, each job in order */

	/* Parallel means items overlap: the items' computing time summed is
	 * about twice the whole span on 2 threads, and equal to it if the
	 * jobs ran one at a time. A ratio of the measured items, so a slow or
	 * busy machine (every item longer) changes nothing. */
	int64_t busy = 0, took = w.last_arrival - w.t_request;

	for (int k = 0; k < PAR_CLIENTS; k++)
		for (int i = 0; i < PAR_ITEMS; i++)
			busy += w.done[k][i] - w.start[k][i];
	double overlap = (double)busy / (double)took;

	fprintf(stderr, "threadpool parallel: %d x %d x %d ms on %d threads: %.0f ms, "
		"items computing %.0f ms in all: %.2f at once on average\n", PAR_CLIENTS,
		PAR_ITEMS, PAR_WORK_MS, PAR_THREADS, took / 1e3, busy / 1e3, overlap);
	ck_assert_msg(overlap >= 1.5, "items computed %.2f at once on average (%lld us of "
		      "items in %lld us); want at least 1.5 of the 2 threads", overlap,
		      (long long)busy, (long long)took);
}
END_TEST

START_TEST(test_one_thread_runs_jobs_one_after_another)
{
	struct spawned s;
	struct watched_jobs w;
	char err[512];

	tu_start(&s, "threadpool", "--threads", "1", NULL);
	bool ok = watch_jobs(s.port, 2, 2, 100, &w, err, sizeof(err));

	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s", err);

	/* one worker: whichever job started first ran to its end before the
	 * other began */
	int a = w.start[0][0] < w.start[1][0] ? 0 : 1, b = 1 - a;

	ck_assert_msg(w.start[b][0] >= w.done[a][1], "the second job started %lld us "
		      "before the first ended, on one thread",
		      (long long)(w.done[a][1] - w.start[b][0]));
}
END_TEST

START_TEST(test_many_quick_items_none_lost)
{
	/* 1000 results of 0 ms: far more than the completion ring holds, so
	 * the worker has to wait for the loop to drain it */
	struct spawned s;
	struct wsc *c;

	tu_start(&s, "threadpool", NULL);
	c = tu_connect(&s);
	tu_assert_job(c, 1000, 0);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

#define LEAVERS 50

/* One client that sends a job, waits for its first result (so the job is
 * certainly in the middle), and leaves: even ones with a FIN, odd ones
 * with a TCP RST. With `crowd`, two more clients start jobs first, so with
 * two workers this one's task is still waiting in the queue when it goes. */
static void leave_mid_job(const struct spawned *s, int i, bool crowd)
{
	struct wsc *others[2] = { NULL, NULL };
	struct wsc *c;
	struct reply r;

	if (crowd)
		for (int k = 0; k < 2; k++) {
			others[k] = tu_connect(s);
			tu_send(others[k], "{\"op\":\"run\",\"items\":2,\"work_ms\":30}");
		}
	c = tu_connect(s);
	tu_send(c, "{\"op\":\"run\",\"items\":5,\"work_ms\":20}");
	if (crowd) {
		wsc_reset(others[0]);	/* running tasks, cancelled */
		wsc_free(others[1]);
		wsc_reset(c);		/* most likely still pending */
		return;
	}
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_RESULT);
	if (i % 2)
		wsc_reset(c);
	else
		wsc_free(c);
}

START_TEST(test_clients_leaving_mid_job_cost_nothing)
{
	struct spawned s;
	struct wsc *c;

	tu_start(&s, "threadpool", NULL);
	/* warm up: the allocator's and lws's pools reach their working size */
	for (int i = 0; i < 10; i++)
		leave_mid_job(&s, i, i % 5 == 4);
	c = tu_connect(&s);
	tu_assert_echo(c);
	long rss0 = tu_rss_kb(s.pid);

	for (int i = 0; i < LEAVERS; i++)
		leave_mid_job(&s, i, i % 5 == 4);

	/* healthy: answers, and a whole job still comes back in order */
	tu_assert_echo(c);
	tu_assert_job(c, 3, 20);
	long rss1 = tu_rss_kb(s.pid);

	fprintf(stderr, "threadpool: %d clients left mid-job; RSS %ld kB -> %ld kB\n",
		LEAVERS, rss0, rss1);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);	/* and no sanitizer report, leaks included */
	ck_assert(rss0 > 0 && rss1 > 0);
	if (!tu_sanitized())
		ck_assert_msg(rss1 <= rss0 + rss0 / 10, "RSS grew from %ld kB to %ld kB",
			      rss0, rss1);
}
END_TEST

Suite *threadpool_suite(void)
{
	Suite *s = suite_create("threadpool");
	TCase *tc = tcase_create("threadpool");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_spaced_and_loop_never_stalls, 0, OBS_NSENDS);
	tcase_add_test(tc, test_jobs_run_in_parallel_results_in_order);
	tcase_add_test(tc, test_one_thread_runs_jobs_one_after_another);
	tcase_add_test(tc, test_many_quick_items_none_lost);
	tcase_add_test(tc, test_clients_leaving_mid_job_cost_nothing);
	suite_add_tcase(s, tc);
	return s;
}
