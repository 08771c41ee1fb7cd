/*
 * test_python.c: the Python original (src/python/server.py), every
 * --variant watched as the C servers are (observe.c: one job of 3 x 150 ms,
 * a bystander echoing every 20 ms, the server's own lag monitor) and held
 * to the shape of the C configuration docs/variants.md pairs it with
 * ("Python -> C"). Every bound is relative to the measured item, as in
 * test_shape.c, so a busy machine stretches the bound with the work.
 *
 * The bad-input catalogue runs against every Python variant in
 * test_badinput.c; here, one harness run shows the C harness measures the
 * Python server as it measures the C ones. Not under the sanitizers: the
 * servers here are Python, and the C client is tested in every other suite.
 */
#include "client/spawn.h"
#include "tests/harnessout.h"
#include "tests/observe.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define ITEMS OBS_ITEMS

/* The loop was blocked: the bystander waited at least worst_us and the
 * lag monitor saw at least lag_us. obs_assert_loop_blocked() without its
 * stall count: that threshold is 100 ms, and a Python server's items can
 * come out shorter than asked (it calibrates itself; one with one core
 * busy ran 95 ms items for 150), so every bound here is the item's. */
static void assert_loop_blocked(const struct watched *o, int64_t worst_us, int64_t lag_us)
{
	ck_assert_msg(o->echoes >= 3, "only %d echoes", o->echoes);
	ck_assert_msg(o->worst_echo >= worst_us, "bystander waited at most %lld us; want "
		      "%lld us (item %lld us, job %lld us)", (long long)o->worst_echo,
		      (long long)worst_us, (long long)o->item, (long long)o->job);
	ck_assert_msg(o->lag_max >= lag_us, "lag monitor max %lld us; want %lld us (item "
		      "%lld us)", (long long)o->lag_max, (long long)lag_us, (long long)o->item);
}

/* The loop computed the whole job: the bystander and the lag monitor both
 * waited most of it (test_shape.c's bound for server-blocking). */
static void assert_loop_blocked_for_the_job(const struct watched *o)
{
	assert_loop_blocked(o, o->job * 7 / 10, o->job * 7 / 10);
}

/* create_task(ws.send(r)): no frame leaves before the loop gets control,
 * which is after the last item: all three arrive together, at the end
 * (blocking --send queue). */
START_TEST(test_create_task_clumps_at_the_end)
{
	struct watched o;

	obs_run("py-create-task", NULL, &o);
	obs_assert_clumped_at_end(&o);
	assert_loop_blocked_for_the_job(&o);
}
END_TEST

/* await ws.send(r) on Linux: the selector loop's transport writes to the
 * socket at once and send() returns without yielding, so each message is
 * on time and the loop is still blocked for the whole job (blocking --send
 * direct). drain, the flush analog, looks the same on loopback. */
START_TEST(test_await_send_and_drain_spaced_loop_blocked)
{
	const char *v = _i == 0 ? "py-await-send" : "py-drain";
	struct watched o;

	obs_run(v, NULL, &o);
	obs_assert_spaced(&o);
	assert_loop_blocked_for_the_job(&o);
	ck_assert_int_eq(o.pings, 0);
}
END_TEST

/* await asyncio.sleep(0) after each send yields one loop turn per item,
 * and asyncio needs three to answer an echo (the reader callback, the
 * connection's frame-reading task, its handler), so the bystander still
 * waits two items or more: yielding once is not enough. */
START_TEST(test_sleep0_spaced_but_bystander_waits_items)
{
	struct watched o;

	obs_run("py-sleep0", NULL, &o);
	obs_assert_spaced(&o);
	assert_loop_blocked(&o, o.item * 3 / 2, o.item * 8 / 10);
}
END_TEST

/* await (await ws.ping()) after each send: spaced, one PING per item, the
 * next item only after the round trip, and the loop is idle during it, so
 * the bystander waits about one item, under two thirds of the job (await-
 * send's waits the job). */
START_TEST(test_pingpong_waits_for_each_pong)
{
	struct watched o;

	obs_run("py-pingpong", NULL, &o);
	obs_assert_spaced(&o);
	ck_assert_msg(o.pings == ITEMS, "%d PINGs for %d items", o.pings, ITEMS);
	for (int i = 1; i < ITEMS; i++)
		ck_assert_int_gt(o.start[i], o.arrived[i - 1]);
	assert_loop_blocked(&o, o.item * 8 / 10, o.item * 8 / 10);
	/* about one item, not the job (against the job, not the median item:
	 * with one core busy one item ran 163 ms and another 260) */
	ck_assert_msg(o.worst_echo < o.job * 2 / 3, "bystander waited %lld us, job %lld us",
		      (long long)o.worst_echo, (long long)o.job);
}
END_TEST

/* The offloads and partition: spaced, and the loop answers the bystander
 * while the work runs. The bound is each one's own, from its design and
 * 20 runs with one core busy: to-thread shares the GIL with the loop
 * (pure-Python work gives it back every 5 ms, sys.getswitchinterval()):
 * worst 6-34 ms, under a third of an item. partition gives the loop a
 * turn every 5 ms slice, but an echo needs about six turns: 29-38 ms, 53
 * once: under half an item. A process pool shares nothing: 3-8 ms, under
 * a tenth. A blocked loop makes the bystander wait an item or more. */
static const struct offload {
	const char *variant;
	int item_fraction;	/* the bystander waits under item / this */
} offloads[] = {
	{ "py-to-thread", 3 },
	{ "py-process-pool", 10 },
	{ "py-partition", 2 },
};

START_TEST(test_offloads_spaced_loop_responsive)
{
	const struct offload *off = &offloads[_i];
	struct watched o;

	obs_run(off->variant, NULL, &o);
	obs_assert_spaced(&o);
	ck_assert_msg(o.echoes >= 3, "only %d echoes", o.echoes);
	ck_assert_msg(o.worst_echo < o.item / off->item_fraction,
		      "%s: bystander waited %lld us; want under item/%d (item %lld us)",
		      off->variant, (long long)o.worst_echo, off->item_fraction,
		      (long long)o.item);
	ck_assert_msg(o.lag_max < o.item / off->item_fraction,
		      "%s: lag monitor max %lld us; want under item/%d (item %lld us)",
		      off->variant, (long long)o.lag_max, off->item_fraction, (long long)o.item);
}
END_TEST

/* The C harness runs against the Python server as against a C one: exit 0,
 * its summary names the variant, a row per message with py-await-send. */
START_TEST(test_harness_measures_the_python_server)
{
	struct spawned s;
	struct hout_files f;
	char out[8192], url[64], hdr[256], variant[64];
	long long rows[8][HOUT_NCOLS];

	tu_start(&s, "py-await-send", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	hout_files_make(&f);
	char *argv[] = { tu_harness_path(), "--url", url, "--items", "2", "--work-ms",
			 "50", "--bystander-ms", "20", "--csv", f.msg, "--bystander-csv", f.by,
			 "--lag-csv", f.lag, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	tu_stop_clean(&s);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
	ck_assert_msg(strstr(out, "run 1/1 py-await-send: arrivals "), "%s", out);
	ck_assert_int_eq(hout_read_csv(f.msg, hdr, sizeof(hdr), rows, 8, variant,
				       sizeof(variant)), 2);
	ck_assert_str_eq(hdr, HOUT_MSG_HEADER);
	ck_assert_str_eq(variant, "py-await-send");
	for (int i = 0; i < 2; i++)
		ck_assert_int_le(rows[i][HOUT_DONE], rows[i][HOUT_ARRIVE]);
	hout_files_remove(&f);
}
END_TEST

Suite *python_suite(void)
{
	Suite *s = suite_create("python");

	if (tu_sanitized()) {
		fprintf(stderr, "python suite: not run under a sanitizer or valgrind "
			"(its servers are Python)\n");
		return s;
	}

	TCase *tc = tcase_create("shapes");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_task_clumps_at_the_end);
	tcase_add_loop_test(tc, test_await_send_and_drain_spaced_loop_blocked, 0, 2);
	tcase_add_test(tc, test_sleep0_spaced_but_bystander_waits_items);
	tcase_add_test(tc, test_pingpong_waits_for_each_pong);
	tcase_add_loop_test(tc, test_offloads_spaced_loop_responsive, 0,
			    (int)(sizeof(offloads) / sizeof(offloads[0])));
	tcase_add_test(tc, test_harness_measures_the_python_server);
	suite_add_tcase(s, tc);
	return s;
}
