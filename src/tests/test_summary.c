/*
 * test_summary.c: the experiment's statistics and verdict rules
 * (analysis/summary.c) on hand-made runs whose right answers are known.
 */
#include "analysis/summary.h"
#include "tests/suites.h"

#include <string.h>

#define MS 1000

/* Appends one run of 3 items of 300 ms whose messages arrive at the given
 * times (ms after the request, which is at run * 10 s). */
static size_t add_run(struct report_msg *m, size_t n, int run, const int arrive_ms[3],
		      const int send_ms[3])
{
	int64_t t0 = (int64_t)run * 10000 * MS;

	for (int k = 0; k < 3; k++) {
		m[n] = (struct report_msg){
			.run = run, .seq = k, .t_request_us = t0, .t_recv_us = t0,
			.t_start_us = t0 + k * 300 * MS, .t_done_us = t0 + (k + 1) * 300 * MS,
			.t_send_us = t0 + send_ms[k] * MS, .t_arrive_us = t0 + arrive_ms[k] * MS,
		};
		n++;
	}
	return n;
}

static const int spaced[3] = { 300, 600, 900 }, proactor[3] = { 300, 900, 900 },
		 queued[3] = { 900, 900, 900 };

/* Runs 1 to 3 into m[0..9): run 1 arriving at first, 2 and 3 spaced. */
static size_t three_runs(struct report_msg *m, const int first[3])
{
	size_t n = add_run(m, 0, 1, first, first);

	n = add_run(m, n, 2, spaced, spaced);
	return add_run(m, n, 3, spaced, spaced);
}

static bool compute(const struct report_msg *m, size_t n, const struct summary_lag_sample *l,
		    size_t nl, struct summary *s)
{
	char err[200];

	return summary_compute(m, n, NULL, 0, l, nl, s, err, sizeof(err));
}

START_TEST(test_spaced_and_clumped_runs)
{
	struct report_msg m[9];
	struct summary s;
	size_t n = 0;

	n = add_run(m, n, 1, spaced, spaced);
	ck_assert(compute(m, n, NULL, 0, &s));
	ck_assert(!s.clumped);
	ck_assert_str_eq(summary_arrivals_word(&s), "spaced");

	n = add_run(m, 0, 1, proactor, proactor);
	ck_assert(compute(m, n, NULL, 0, &s));
	ck_assert(s.clumped);
	ck_assert_str_eq(summary_arrivals_word(&s), "clumped");

	n = add_run(m, 0, 1, queued, queued);
	ck_assert(compute(m, n, NULL, 0, &s));
	ck_assert(s.clumped);
}
END_TEST

START_TEST(test_clumped_needs_most_runs)
{
	struct report_msg m[9];
	struct summary s;
	size_t n = three_runs(m, proactor);

	ck_assert(compute(m, n, NULL, 0, &s));
	ck_assert_int_eq(s.runs, 3);
	ck_assert_int_eq(s.runs_clumped, 1);
	ck_assert(!s.clumped);		/* 1 of 3 */

	n = add_run(m, 6, 3, queued, queued);
	ck_assert(compute(m, n, NULL, 0, &s));
	ck_assert_int_eq(s.runs_clumped, 2);
	ck_assert(s.clumped);		/* 2 of 3 */
}
END_TEST

START_TEST(test_latency_components)
{
	/* proactor: message 1 waits 300 ms in the server, then 1 ms transit */
	static const int send[3] = { 300, 900, 900 }, arrive[3] = { 301, 901, 901 };
	struct report_msg m[3];
	struct summary s;

	add_run(m, 0, 1, arrive, send);
	ck_assert(compute(m, 3, NULL, 0, &s));
	ck_assert_int_eq(s.messages, 3);
	ck_assert_int_eq(s.item, 300 * MS);
	ck_assert_int_eq(s.delivery.min, 1 * MS);
	ck_assert_int_eq(s.delivery.p50, 1 * MS);
	ck_assert_int_eq(s.delivery.max, 301 * MS);
	ck_assert_int_eq(s.delivery.p99, 301 * MS);
	ck_assert_int_eq(s.queue_wait.p50, 0);
	ck_assert_int_eq(s.queue_wait.max, 300 * MS);
	ck_assert_int_eq(s.transit.min, 1 * MS);
	ck_assert_int_eq(s.transit.max, 1 * MS);
}
END_TEST

START_TEST(test_loop_verdict_from_lag_in_windows)
{
	struct report_msg m[9];
	struct summary s;
	size_t n = three_runs(m, spaced);
	int64_t r1 = 10000 * MS, r2 = 20000 * MS, r3 = 30000 * MS;
	struct summary_lag_sample lag[] = {
		{ r1 - 5000 * MS, 5000 * MS },	/* before any run: ignored */
		{ r1 + 300 * MS, 290 * MS },
		{ r2 + 300 * MS, 150 * MS },
		{ r3 + 300 * MS, 1 * MS },
		{ r3 + 950 * MS, 2 * MS },	/* within the 50 ms tail */
		{ r3 + 2000 * MS, 9000 * MS },	/* after every run: ignored */
	};

	ck_assert(compute(m, n, lag, 6, &s));
	ck_assert_int_eq(s.lag.n, 4);
	ck_assert_int_eq(s.lag.max, 290 * MS);
	/* per-run maxima 290, 150, 2: the median run stalled 150 ms */
	ck_assert_int_eq(s.run_lag_max_median, 150 * MS);
	ck_assert(s.blocked);
	ck_assert_str_eq(summary_loop_word(&s), "blocked");

	lag[2].lag_us = SUMMARY_STALL_US - 1;	/* now only one run stalls */
	ck_assert(compute(m, n, lag, 6, &s));
	ck_assert(!s.blocked);
	ck_assert_str_eq(summary_loop_word(&s), "free");
	lag[2].lag_us = SUMMARY_STALL_US;	/* the line itself is a stall */
	ck_assert(compute(m, n, lag, 6, &s));
	ck_assert(s.blocked);
}
END_TEST

START_TEST(test_bystander_statistics_and_agreement)
{
	struct report_msg m[3];
	struct report_echo e[4];
	struct summary_lag_sample lag = { 10000 * MS + 300 * MS, 290 * MS };
	struct summary s;
	char err[200];

	add_run(m, 0, 1, spaced, spaced);
	for (int i = 0; i < 4; i++)
		e[i] = (struct report_echo){ .run = 1, .seq = i,
					     .t_sent_us = 10000 * MS + i * 20 * MS,
					     .t_arrive_us = 10000 * MS + i * 20 * MS +
							    (i + 1) * MS };
	ck_assert(summary_compute(m, 3, e, 4, &lag, 1, &s, err, sizeof(err)));
	ck_assert_int_eq(s.echo.n, 4);
	ck_assert_int_eq(s.echo.p50, 2 * MS);
	ck_assert_int_eq(s.echo.max, 4 * MS);
	ck_assert(s.blocked);
	ck_assert(!s.bystander_agrees);	/* blocked loop, yet quick echoes */
	e[3].t_arrive_us += 200 * MS;
	ck_assert(summary_compute(m, 3, e, 4, &lag, 1, &s, err, sizeof(err)));
	ck_assert(s.bystander_agrees);
}
END_TEST

START_TEST(test_incomplete_runs_are_errors)
{
	struct report_msg m[6] = { { 0 } };
	struct summary s;
	char err[200];

	ck_assert(!summary_compute(m, 0, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_str_eq(err, "no messages to summarise");

	add_run(m, 0, 1, spaced, spaced);
	add_run(m, 3, 2, spaced, spaced);
	m[4].seq = 0;	/* run 2 has seq 0 twice and no seq 1 */
	ck_assert(!summary_compute(m, 6, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_str_eq(err, "run 2 does not have results 0..2, each once");

	ck_assert(!summary_compute(m, 5, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "do not divide into 2 runs"));

	/* no run numbered 1 or later: refused, not divided by zero */
	m[0].run = 0;
	ck_assert(!summary_compute(m, 1, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_str_eq(err, "1 messages do not divide into 0 runs");
}
END_TEST

/*
 * The rows of --clients K > 1: K jobs side by side in one run. Their seqs
 * repeat within a run, so pooling them would read as broken runs; the
 * summary refuses them by name instead, and K = 1 (client 0 on every row)
 * is summarised as always.
 */
START_TEST(test_more_than_one_client_refused)
{
	struct report_msg m[6] = { { 0 } };
	struct summary s;
	char err[200];

	ck_assert_int_eq(summary_clients(m, 0), 1);
	add_run(m, 0, 1, spaced, spaced);
	ck_assert_int_eq(summary_clients(m, 3), 1);
	ck_assert(compute(m, 3, NULL, 0, &s));

	/* client 1's job of the same run, beside client 0's */
	add_run(m, 3, 1, spaced, spaced);
	for (int i = 3; i < 6; i++)
		m[i].client = 1;
	ck_assert_int_eq(summary_clients(m, 6), 2);
	ck_assert(!summary_compute(m, 6, NULL, 0, NULL, 0, &s, err, sizeof(err)));
	ck_assert_str_eq(err, "rows of 2 clients: only one client per run "
			 "(--clients 1) can be summarised");
	/* the highest client decides, even if a client between got no row */
	m[5].client = 3;
	ck_assert_int_eq(summary_clients(m, 6), 4);
}
END_TEST

/*
 * Through a delay proxy of 25 ms each way (rtt 50 ms): a pingpong-like run
 * whose items are 350 ms apart (300 of work, 50 of round trip) and whose
 * bystander's echoes took 60 ms. The round trip comes off the echoes
 * (10 ms: under the stall line, so the bystander agrees with a free
 * loop), the one-way delay off delivery and transit, and the spacing is
 * what arrived, untouched.
 */
START_TEST(test_round_trip_taken_off)
{
	struct report_msg m[3];
	const int arrive[3] = { 325, 675, 1025 }, send[3] = { 300, 650, 1000 };
	struct report_echo e[2] = { { 1, 0, 0, 30 * MS, 60 * MS },
				    { 1, 1, 100 * MS, 130 * MS, 160 * MS } };
	struct summary s;
	char err[200];

	add_run(m, 0, 1, arrive, send);
	for (int k = 0; k < 3; k++) {	/* items 350 ms apart */
		m[k].t_start_us = m[k].t_request_us + (k * 350) * MS;
		m[k].t_done_us = m[k].t_start_us + 300 * MS;
		m[k].clock_offset_err_us = 25 * MS;	/* half the best echo */
	}
	m[1].clock_offset_us = -7 * MS;	/* a server whose clock was behind */
	ck_assert(summary_compute_rtt(m, 3, e, 2, NULL, 0, 50 * MS, &s, err, sizeof(err)));
	ck_assert_int_eq(s.rtt_us, 50 * MS);
	ck_assert_int_eq(s.spacing, 350 * MS);
	ck_assert_int_eq(s.item, 300 * MS);
	ck_assert_int_eq(s.clock_err_max, 25 * MS);
	ck_assert_int_eq(s.clock_offset_max, 7 * MS);
	ck_assert_int_eq(s.echo.max, 10 * MS);
	ck_assert(s.bystander_agrees);
	ck_assert_int_eq(s.delivery.p50, 0);	/* 25 ms, all of it the way */
	ck_assert_int_eq(s.transit.p50, 0);
	ck_assert(!s.clumped);

	/* the same rows as if on one host: nothing comes off */
	ck_assert(summary_compute(m, 3, e, 2, NULL, 0, &s, err, sizeof(err)));
	ck_assert_int_eq(s.rtt_us, 0);
	ck_assert_int_eq(s.echo.max, 60 * MS);
	ck_assert_int_eq(s.delivery.p50, 25 * MS);
	ck_assert_int_eq(s.spacing, 350 * MS);

	/* rows from before the harness measured the clock: not measured */
	for (int k = 0; k < 3; k++)
		m[k].clock_offset_err_us = -1;
	ck_assert(summary_compute(m, 3, e, 2, NULL, 0, &s, err, sizeof(err)));
	ck_assert_int_eq(s.clock_err_max, -1);
}
END_TEST

START_TEST(test_dist_quartiles)
{
	int64_t v[] = { 8, 1, 7, 2, 6, 3, 5, 4 };
	struct summary_dist d;

	summary_dist(v, 8, &d);
	ck_assert_int_eq(d.n, 8);
	ck_assert_int_eq(d.min, 1);
	ck_assert_int_eq(d.q1, 2);
	ck_assert_int_eq(d.p50, 4);
	ck_assert_int_eq(d.q3, 6);
	ck_assert_int_eq(d.p99, 8);
	ck_assert_int_eq(d.max, 8);
	summary_dist(v, 0, &d);
	ck_assert_int_eq(d.n, 0);
	ck_assert_int_eq(d.max, 0);
}
END_TEST

Suite *summary_suite(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("verdicts");

	tcase_add_test(tc, test_spaced_and_clumped_runs);
	tcase_add_test(tc, test_clumped_needs_most_runs);
	tcase_add_test(tc, test_latency_components);
	tcase_add_test(tc, test_loop_verdict_from_lag_in_windows);
	tcase_add_test(tc, test_bystander_statistics_and_agreement);
	tcase_add_test(tc, test_incomplete_runs_are_errors);
	tcase_add_test(tc, test_more_than_one_client_refused);
	tcase_add_test(tc, test_round_trip_taken_off);
	tcase_add_test(tc, test_dist_quartiles);
	suite_add_tcase(s, tc);
	return s;
}
