/*
 * test_same_work.c: whether the configurations and points of a run did the
 * same work, judged by the CPU time the servers report for their items
 * (analysis/summary.c's summary_cpu_comparable, analysis/scaling.c's
 * scaling_cpu_item_us and scaling_rate), and the cpu ideal built on it.
 * Every case is worked out by hand in its comment.
 */
#include "analysis/scaling.h"
#include "analysis/summary.h"
#include "tests/suites.h"

#include <string.h>

START_TEST(test_summary_median_and_comparable)
{
	/* unknown (-1) figures take no part: the median of 300, 303, 309 */
	const int64_t cpu[] = { 309000, -1, 300000, 303000 };

	ck_assert_int_eq(summary_median_of(cpu, 4), 303000);
	ck_assert_int_eq(summary_median_of(cpu + 1, 1), -1);
	ck_assert_int_eq(summary_median_of(NULL, 0), -1);

	/* 3% of 300 ms is 9 ms: 309 is on the line, 309.001 over it */
	ck_assert(summary_cpu_comparable(309000, 300000));
	ck_assert(summary_cpu_comparable(291000, 300000));
	ck_assert(!summary_cpu_comparable(309001, 300000));
	ck_assert(!summary_cpu_comparable(290999, 300000));
	/* nothing known: no claim */
	ck_assert(summary_cpu_comparable(-1, 300000));
	ck_assert(summary_cpu_comparable(250000, -1));
}
END_TEST

START_TEST(test_summary_item_cpu)
{
	/* one run of 3 items, 300 ms of wall clock each; the server reported
	 * the CPU time of two of them (301 and 297 ms) and not the third */
	const int64_t cpu[3] = { 301000, -1, 297000 };
	struct report_msg m[3];
	struct summary s;
	char err[200];

	for (int k = 0; k < 3; k++)
		m[k] = (struct report_msg){ .run = 1, .seq = k, .t_start_us = k * 300000,
					    .t_done_us = (k + 1) * 300000,
					    .t_send_us = (k + 1) * 300000,
					    .t_arrive_us = (k + 1) * 300000 + 100,
					    .cpu_us = cpu[k] };
	ck_assert_msg(summary_compute(m, 3, NULL, 0, NULL, 0, &s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(s.item, 300000);
	/* nearest rank over the two reported: the lower */
	ck_assert_int_eq(s.item_cpu, 297000);
	/* none reported: unknown, not zero */
	for (int k = 0; k < 3; k++)
		m[k].cpu_us = -1;
	ck_assert(summary_compute(m, 3, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_int_eq(s.item_cpu, -1);
}
END_TEST

/* One measured point of 2 clients x 1 run x 3 items: just what scaling_rate
 * reads (its one run is its median run, so both CPU figures are one). */
static struct scaling_result point(int64_t makespan_us, int64_t item_cpu_us)
{
	struct scaling_result r;

	memset(&r, 0, sizeof(r));
	r.ok = true;
	r.makespan_us = makespan_us;
	r.item_cpu_us = item_cpu_us;
	r.ideal_item_us = item_cpu_us;
	return r;
}

START_TEST(test_scaling_cpu_ideal_uses_the_measured_item)
{
	/* 3 items of "100 ms", 2 cores, a pool of 2, K = 2: J = 3 items */
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 1, .cores = 2 };
	const struct scaling_spec cpu = { .point = "p", .variant = "threadpool",
					  .work = "cpu", .threads = 2, .clients = 2 };
	const struct scaling_spec sleep = { .point = "s", .variant = "threadpool",
					    .work = "sleep", .threads = 2, .clients = 2 };

	/* not known: work_ms stands in, 300 ms */
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 2, 0), 300000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 2, -1), 300000);
	/* the point's items cost 97 ms of CPU: the ideal is 291 ms */
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 2, 97000), 291000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 8, 97000), 1164000);
	/* sleep items are work_ms of sleeping, whatever CPU they used */
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 2, 2, 97000), 300000);

	/* a point whose makespan is 293 ms would be 102.4% of the nominal
	 * 300; against its own 3 x 97.5 = 292.5 it is 99.8%: a core that ran
	 * fast is no schedule that beat the bound */
	struct scaling_result r = point(293000, 97500);

	scaling_rate(&p, &cpu, 0, &r);
	ck_assert_int_eq(r.ideal_us, 292500);
	ck_assert_double_eq_tol(r.efficiency, 292500.0 / 293000.0, 1e-12);
	ck_assert_double_eq_tol(r.ideal_throughput, 6 / 0.2925, 1e-9);
	ck_assert(!r.noisy);
	ck_assert(scaling_usable(&r));

	/* a sleep point is not judged by its (tiny) CPU time */
	r = point(300500, 40);
	scaling_rate(&p, &sleep, 100000, &r);
	ck_assert_int_eq(r.ideal_us, 300000);
	ck_assert(!r.noisy);
}
END_TEST

START_TEST(test_scaling_noisy_points)
{
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 1, .cores = 2 };
	const struct scaling_spec cpu = { .point = "p", .variant = "threadpool",
					  .work = "cpu", .threads = 2, .clients = 2 };
	const int64_t ref = 100000;	/* the sweep's points with 2 at once */
	struct scaling_result r;

	/* 103 ms of CPU against 100: on the line, comparable */
	r = point(310000, 103000);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(!r.noisy);
	/* 103.1: the core ran slower, not comparable */
	r = point(310000, 103100);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(r.noisy);
	ck_assert(!scaling_usable(&r));
	ck_assert_msg(strstr(r.noisy_why, "its items took 103.1 ms of CPU, +3.1% off the "
			     "100.0 ms of the sweep's points with 2 items computing at once"), "%s", r.noisy_why);
	/* and faster */
	r = point(290000, 96000);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(r.noisy);
	ck_assert_msg(strstr(r.noisy_why, "-4.0% off"), "%s", r.noisy_why);

	/* the same work, yet faster than its own items allow: 300 / 293 =
	 * 102.4% (its clock or its rows are wrong) */
	r = point(293000, 100000);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(r.noisy);
	ck_assert_msg(strstr(r.noisy_why, "102% of the ideal"), "%s", r.noisy_why);
	/* 300 / 294.2 = 101.97%: allowed */
	r = point(294200, 100000);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(!r.noisy);
	/* unknown CPU time: the nominal ideal, and only the bound can flag it */
	r = point(294200, -1);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(!r.noisy);
	r = point(290000, -1);
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert(r.noisy);

	/* a failed point is left alone */
	r = point(100, 1);
	r.ok = false;
	scaling_rate(&p, &cpu, ref, &r);
	ck_assert_int_eq(r.ideal_us, 0);
	ck_assert(!scaling_usable(&r));
}
END_TEST

START_TEST(test_scaling_sweep_item_and_verdict)
{
	struct scaling_spec s[5];
	struct scaling_result r[5];
	const char *works[5] = { "cpu", "cpu", "cpu", "sleep", "cpu" };
	const int64_t cpu[5] = { 99000, 101000, 100000, 50, 130000 };
	const int threads[5] = { 2, 6, 2, 2, 6 };
	const int clients[5] = { 8, 8, 16, 8, 16 };

	for (int i = 0; i < 5; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		snprintf(s[i].point, sizeof(s[i].point), "p%d", i);
		snprintf(s[i].variant, sizeof(s[i].variant), "threadpool");
		snprintf(s[i].work, sizeof(s[i].work), "%s", works[i]);
		s[i].threads = threads[i];
		s[i].clients = clients[i];
		r[i] = point(1200000, cpu[i]);
		r[i].throughput = 20;
	}
	/* 2 cores: the cpu points' items compute 2 at once (min of threads,
	 * K and cores) and their medians are 99, 101, 100 and 130 (the sleep
	 * one is not counted): nearest-rank median of four, the second, 100 */
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 1, .cores = 2 };

	ck_assert_int_eq(scaling_lanes(&p, &s[0]), 2);
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 5, 2), 100000);
	/* a failed point does not count either: 99, 101, 130 -> 101 */
	r[2].ok = false;
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 5, 2), 101000);
	r[2].ok = true;
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 0, 2), 0);
	/* nothing computed one at a time here */
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 5, 1), 0);

	/* the K = 16 pair has a noisy point (130 ms): the verdict falls back
	 * to K = 8, where both are usable */
	struct scaling_verdict v;

	for (int i = 0; i < 5; i++)
		scaling_rate(&p, &s[i], scaling_cpu_item_us(&p, s, r, 5,
							    scaling_lanes(&p, &s[i])), &r[i]);
	ck_assert(r[4].noisy);
	scaling_verdict(s, r, 5, 2, "cpu", &v);
	ck_assert(v.measured);
	ck_assert_int_eq(v.k, 8);
}
END_TEST

/* Points are held only against points with as many items computing at
 * once: a serial point (1 at a time) and a pool of 2 at K = 8 (2 at once,
 * on 2 cores) may cost different CPU an item, when the two cores share a
 * physical core, and neither is noisy for it. */
START_TEST(test_scaling_lanes_group_the_points)
{
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 1, .cores = 2 };
	struct scaling_spec s[4] = {
		{ .point = "b8", .variant = "blocking", .work = "cpu", .threads = 1, .clients = 8 },
		{ .point = "t2k1", .variant = "threadpool", .work = "cpu", .threads = 2, .clients = 1 },
		{ .point = "t2k8", .variant = "threadpool", .work = "cpu", .threads = 2, .clients = 8 },
		{ .point = "t6k8", .variant = "threadpool", .work = "cpu", .threads = 6, .clients = 8 },
	};
	struct scaling_result r[4] = { point(2400000, 100000), point(300000, 100500),
				       point(1300000, 106000), point(1300000, 106400) };

	ck_assert_int_eq(scaling_lanes(&p, &s[0]), 1);
	ck_assert_int_eq(scaling_lanes(&p, &s[1]), 1);
	ck_assert_int_eq(scaling_lanes(&p, &s[2]), 2);
	ck_assert_int_eq(scaling_lanes(&p, &s[3]), 2);
	for (int i = 0; i < 4; i++) {
		scaling_rate(&p, &s[i], scaling_cpu_item_us(&p, s, r, 4,
							    scaling_lanes(&p, &s[i])), &r[i]);
		ck_assert_msg(!r[i].noisy, "%s: %s", s[i].point, r[i].noisy_why);
	}
	/* against one figure for the whole sweep (100.5: the median of all
	 * four) both pools at K = 8 would be 5.5% off */
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 4, 1), 100000);
	ck_assert_int_eq(scaling_cpu_item_us(&p, s, r, 4, 2), 106000);
}
END_TEST

/* The ideal is of the median run's items: a point whose faster run (the
 * median of two, nearest rank) fell in a fast stretch is held against
 * that run's items, not the slower ones of its other run. */
START_TEST(test_scaling_ideal_of_the_median_run)
{
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 2, .cores = 2 };
	const struct scaling_spec b = { .point = "b1", .variant = "blocking", .work = "cpu",
					.threads = 1, .clients = 1 };
	struct scaling_result r = point(291000, 104000);

	r.ideal_item_us = 96000;	/* the faster run's items: 3 x 96 = 288 */
	scaling_rate(&p, &b, 0, &r);
	ck_assert_int_eq(r.ideal_us, 288000);
	ck_assert(!r.noisy);	/* 99%; against 3 x 104 it would be 107% */
}
END_TEST

Suite *same_work_suite(void)
{
	Suite *s = suite_create("same_work");
	TCase *tc = tcase_create("same_work");

	tcase_add_test(tc, test_summary_median_and_comparable);
	tcase_add_test(tc, test_summary_item_cpu);
	tcase_add_test(tc, test_scaling_cpu_ideal_uses_the_measured_item);
	tcase_add_test(tc, test_scaling_noisy_points);
	tcase_add_test(tc, test_scaling_sweep_item_and_verdict);
	tcase_add_test(tc, test_scaling_lanes_group_the_points);
	tcase_add_test(tc, test_scaling_ideal_of_the_median_run);
	suite_add_tcase(s, tc);
	return s;
}
