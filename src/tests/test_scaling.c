/*
 * test_scaling.c: the scaling sweep's numbers (analysis/scaling.c,
 * scaling_verdict.c) on hand-made CSVs whose answers are worked out by
 * hand in the comments: the makespan, throughput, ideal, first-message
 * latency, job and item times, bystander and CPU of a point; a point whose
 * rows are not whole; the verdict thresholds and the verdict and
 * expectations over points, failed points ignored. Reading the files
 * themselves: test_scaling_read.c.
 */
#include "analysis/scaling.h"
#include "tests/csvtext.h"
#include "tests/suites.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * A point of 2 clients x 2 runs x 2 items of 100 ms, threadpool --threads 2
 * on 2 cores, cpu work. By hand:
 *   run 1: requests at 0 and 10, last arrival 200500: makespan 200500
 *   run 2: requests at 1000000, last arrival 1300100: makespan 300100
 *   first messages: 100200, 100390, 100300, 150000 (arrival of seq 0
 *     minus the client's own request)
 *   jobs: 200300, 200490, 300100, 250200: mean 237772.5
 *   items: seven of 100000 and one of 199800 (wall); their CPU time, seven
 *     of 99000 and one of 99500 (the long one waited for a core): median
 *     99000
 */
static const char point_csv[] =
	REPORT_MSG_HEADER "\n"
	"threadpool,1,0,0,50,100,100100,100150,100200,0,99000,0,0\n"
	"threadpool,1,0,10,60,200,100200,100250,100400,1,99000,0,0\n"
	"threadpool,1,1,0,50,100150,200150,200200,200300,0,99000,0,0\n"
	"threadpool,1,1,10,60,100250,200250,200300,200500,1,99000,0,0\n"
	"threadpool,2,0,1000000,1000050,1000100,1100100,1100150,1100300,0,99000,0,0\n"
	"threadpool,2,1,1000000,1000050,1100200,1300000,1300050,1300100,0,99500,0,0\n"
	"threadpool,2,0,1000000,1000050,1000100,1100100,1149000,1150000,1,99000,0,0\n"
	"threadpool,2,1,1000000,1000050,1150100,1250100,1250150,1250200,1,99000,0,0\n";

/* echo waits of 300 and 3000 us */
static const char point_echoes[] =
	REPORT_ECHO_HEADER "\n"
	"threadpool,1,0,5000,5100,5300\n"
	"threadpool,2,0,1000500,1003000,1003500\n";

static const struct scaling_params params = { .items = 2, .work_ms = 100, .runs = 2,
					      .cores = 2 };
static const struct scaling_spec pool2 = { .point = "threadpool-t2-cpu-k2",
					   .variant = "threadpool", .work = "cpu",
					   .threads = 2, .clients = 2 };

/* A threadpool server's messages file, whole (no "# incomplete"). */
static struct scaling_msg *read_msgs(const char *csv, size_t *n)
{
	struct scaling_msg *m;
	struct csvin_incomplete inc;
	char variant[32], err[300];
	FILE *f = csvtext_open(csv);

	ck_assert_msg(scaling_read_messages(f, "m.csv", &m, n, variant, sizeof(variant), &inc,
					    err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_str_eq(variant, "threadpool");
	ck_assert_int_eq(inc.run, 0);
	return m;
}

static struct report_echo *read_echoes(const char *csv, size_t *n)
{
	struct report_echo *e;
	struct csvin_incomplete inc;
	char err[300];
	FILE *f = csvtext_open(csv);

	ck_assert_msg(csvin_echoes(f, "b.csv", &e, n, &inc, err, sizeof(err)), "%s", err);
	fclose(f);
	return e;
}

/* point_csv read whole (read_msgs: the variant, no "# incomplete") */
START_TEST(test_messages_with_clients)
{
	size_t n;
	struct scaling_msg *m = read_msgs(point_csv, &n);

	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(m[1].client, 1);
	ck_assert_int_eq(m[1].m.run, 1);
	ck_assert_int_eq(m[1].m.t_request_us, 10);
	ck_assert_int_eq(m[1].m.t_arrive_us, 100400);
	ck_assert_int_eq(m[7].client, 1);
	ck_assert_int_eq(m[7].m.seq, 1);
	ck_assert_int_eq(m[7].m.t_start_us, 1150100);
	free(m);
}
END_TEST

START_TEST(test_ideal)
{
	/* 3 items x 100 ms, 2 cores: J = 300 ms */
	struct scaling_params p = { .items = 3, .work_ms = 100, .runs = 1, .cores = 2 };

	/* serial (threads 1): K jobs in a row */
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 1, 1, 0), 300000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 1, 8, 0), 2400000);
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 1, 8, 0), 2400000);
	/* cpu: never more than the cores at once, whatever the pool */
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 2, 0), 300000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 2, 8, 0), 1200000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 6, 8, 0), 1200000);
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 6, 1, 0), 300000);
	/* sleep: the threads take the place of the cores */
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 6, 4, 0), 300000);
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 6, 8, 0), 400000);
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 8, 16, 0), 600000);
	/* K x J / lanes that does not divide: rounded to the microsecond */
	ck_assert_int_eq(scaling_ideal_us(&p, "sleep", 6, 16, 0), 800000);
	p.cores = 3;
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 8, 4, 0), 400000);
	p.items = 1;
	p.work_ms = 1;
	ck_assert_int_eq(scaling_ideal_us(&p, "cpu", 3, 4, 0), 1333);
}
END_TEST

START_TEST(test_pool_names)
{
	struct scaling_spec s = { .variant = "threadpool" };
	char buf[16];

	s.threads = 2;
	ck_assert_str_eq(scaling_pool_name(&s, 2, buf, sizeof(buf)), "cores");
	s.threads = 6;
	ck_assert_str_eq(scaling_pool_name(&s, 2, buf, sizeof(buf)), "cores+4");
	s.threads = 8;
	ck_assert_str_eq(scaling_pool_name(&s, 2, buf, sizeof(buf)), "4xcores");
	s.threads = 1;
	ck_assert_str_eq(scaling_pool_name(&s, 2, buf, sizeof(buf)), "1");
	ck_assert_str_eq(scaling_pool_name(&s, 1, buf, sizeof(buf)), "cores");
	snprintf(s.variant, sizeof(s.variant), "pingpong");
	ck_assert_str_eq(scaling_pool_name(&s, 1, buf, sizeof(buf)), "");
	ck_assert(scaling_serial("blocking") && scaling_serial("flush") &&
		  scaling_serial("pingpong") && !scaling_serial("threadpool"));
}
END_TEST

/* 40 ticks at 100 a second over 2 runs: 200 ms a run; the machine (2
 * cores: 200 ticks a second in all) was busy 60 ticks of 100: 20 not the
 * server's, a fifth of the time, 0.4 cores */
static const struct scaling_sweep point_sweep = {
	.point = "threadpool-t2-cpu-k2", .rounds = 2, .harness_exit = 0, .ticks = 40,
	.busy = 60, .total = 100, .clk_tck = 100
};

/* point_csv as pool2, with point_echoes if echoes, and sweep sw (or none):
 * it must compute. */
static struct scaling_result compute_point(const struct scaling_sweep *sw, bool echoes)
{
	size_t n, ne = 0;
	struct scaling_msg *m = read_msgs(point_csv, &n);
	struct report_echo *e = echoes ? read_echoes(point_echoes, &ne) : NULL;
	struct scaling_result r;
	char err[300];

	ck_assert_msg(scaling_compute(&params, &pool2, m, n, e, ne, sw, &r, err, sizeof(err)),
		      "%s", err);
	free(m);
	free(e);
	return r;
}

START_TEST(test_point_numbers)
{
	struct scaling_result r = compute_point(&point_sweep, true);

	ck_assert(r.ok);
	ck_assert_int_eq(r.runs, 2);
	/* nearest rank: the median of two runs is the lower one */
	ck_assert_int_eq(r.makespan_us, 200500);
	ck_assert_int_eq(r.makespan_min_us, 200500);
	ck_assert_int_eq(r.makespan_max_us, 300100);
	/* 4 items a run in 200.5 ms */
	ck_assert_double_eq_tol(r.throughput, 4 / 0.2005, 1e-9);
	/* J = 2 items of 99 ms of CPU (its median run's median) = 198 ms;
	 * 2 jobs over min(2 threads, 2 cores): 198 ms */
	ck_assert_int_eq(r.ideal_us, 198000);
	ck_assert_double_eq_tol(r.ideal_throughput, 4 / 0.198, 1e-9);
	ck_assert_double_eq_tol(r.efficiency, 198000.0 / 200500.0, 1e-12);
	/* first messages sorted: 100200 100300 100390 150000 */
	ck_assert_int_eq(r.first_p50_us, 100300);
	ck_assert_int_eq(r.first_p99_us, 150000);
	ck_assert_int_eq(r.first_max_us, 150000);
	ck_assert_int_eq(r.job_mean_us, 237773);	/* 237772.5, rounded */
	ck_assert_int_eq(r.item_p50_us, 100000);
	ck_assert_int_eq(r.item_cpu_us, 99000);
	ck_assert_int_eq(r.ideal_item_us, 99000);	/* run 1's items, the median run */
	ck_assert_int_eq(r.bystander_max_us, 3000);
	ck_assert_double_eq_tol(r.cpu_ms, 200.0, 1e-9);
	ck_assert_double_eq_tol(r.others_cores, 0.4, 1e-9);
	ck_assert(scaling_busy(&r));
}
END_TEST

START_TEST(test_point_machine_share)
{
	struct scaling_sweep sw = point_sweep;
	struct scaling_result r;

	/* the server all of the busy time, and a tick more (counted apart):
	 * nobody else, not less than nobody */
	sw.busy = 39;
	r = compute_point(&sw, true);
	ck_assert_double_eq_tol(r.others_cores, 0.0, 1e-12);
	ck_assert(!scaling_busy(&r));
	/* just under the line, and on it */
	sw.busy = 40 + 12;
	r = compute_point(&sw, true);
	ck_assert_double_eq_tol(r.others_cores, 0.24, 1e-9);
	ck_assert(!scaling_busy(&r));
	sw.busy = 40 + 13;
	r = compute_point(&sw, true);
	ck_assert(scaling_busy(&r));

	/* no echoes, no CPU reading: marked unknown, not zero */
	r = compute_point(NULL, false);
	ck_assert_int_eq(r.bystander_max_us, -1);
	ck_assert(r.cpu_ms < 0);
	ck_assert(r.others_cores < 0);
	ck_assert(!scaling_busy(&r));
}
END_TEST

START_TEST(test_point_sleep_ideal_is_the_fluid_bound)
{
	/* the same rows, read as sleep with 1 thread (a pool of 1): ideal
	 * 2 x 200 ms; 400 / 200.5 */
	size_t n;
	struct scaling_msg *m = read_msgs(point_csv, &n);
	struct scaling_spec s = pool2;
	struct scaling_result r;
	char err[300];

	s.threads = 1;
	snprintf(s.work, sizeof(s.work), "sleep");
	ck_assert(scaling_compute(&params, &s, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_int_eq(r.ideal_us, 400000);
	ck_assert_double_eq_tol(r.efficiency, 400000.0 / 200500.0, 1e-12);
	free(m);
}
END_TEST

START_TEST(test_point_rows_not_whole)
{
	size_t n;
	struct scaling_msg *m = read_msgs(point_csv, &n);
	struct scaling_result r;
	char err[300];

	/* one row twice (and so one missing) */
	m[3] = m[1];
	ck_assert(!scaling_compute(&params, &pool2, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_msg(strstr(err, "run 1, client 1 has result 0 twice"), "%s", err);
	ck_assert(!r.ok);

	/* a client the point did not have */
	free(m);
	m = read_msgs(point_csv, &n);
	m[0].client = 2;
	ck_assert(!scaling_compute(&params, &pool2, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_msg(strstr(err, "run 1, client 2, seq 0: outside"), "%s", err);

	/* a run more than env.txt's RUNS */
	free(m);
	m = read_msgs(point_csv, &n);
	m[0].m.run = 3;
	ck_assert(!scaling_compute(&params, &pool2, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_msg(strstr(err, "a result of run 3"), "%s", err);

	/* a row short */
	ck_assert(!scaling_compute(&params, &pool2, m, n - 1, NULL, 0, NULL, &r, err,
				   sizeof(err)));
	ck_assert_msg(strstr(err, "7 results, but 2 runs x 2 clients x 2 items make 8"), "%s",
		      err);
	free(m);
}
END_TEST

START_TEST(test_verdict_words)
{
	ck_assert_str_eq(scaling_verdict_word(2.0), "helps");
	ck_assert_str_eq(scaling_verdict_word(SCALING_HELPS_RATIO), "helps");
	ck_assert_str_eq(scaling_verdict_word(1.19), "no gain");
	ck_assert_str_eq(scaling_verdict_word(1.0), "no gain");
	ck_assert_str_eq(scaling_verdict_word(SCALING_HURTS_RATIO), "no gain");
	ck_assert_str_eq(scaling_verdict_word(0.89), "hurts");
	ck_assert_str_eq(scaling_verdict_word(0.0), "hurts");
}
END_TEST

/* A grid of points with only the fields the verdict and the expectations
 * read: variant, work, threads, K and throughput; ok unless failed. */
struct mini {
	const char *variant, *work;
	int threads, clients;
	double throughput;
	bool failed;
	double efficiency;
	int64_t bystander_us;
};

static size_t make_points(const struct mini *g, size_t n, struct scaling_spec *s,
			  struct scaling_result *r)
{
	for (size_t i = 0; i < n; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		memset(&r[i], 0, sizeof(r[i]));
		snprintf(s[i].point, sizeof(s[i].point), "%s-t%d-%s-k%d", g[i].variant,
			 g[i].threads, g[i].work, g[i].clients);
		snprintf(s[i].variant, sizeof(s[i].variant), "%s", g[i].variant);
		snprintf(s[i].work, sizeof(s[i].work), "%s", g[i].work);
		s[i].threads = g[i].threads;
		s[i].clients = g[i].clients;
		r[i].ok = !g[i].failed;
		r[i].throughput = g[i].throughput;
		r[i].efficiency = g[i].efficiency;
		r[i].bystander_max_us = g[i].bystander_us;
		r[i].makespan_us = 1200000;
		r[i].ideal_us = 1200000;
	}
	return n;
}

START_TEST(test_verdict_over_points)
{
	/* 2 cores: cores = 2 threads, cores + 4 = 6 */
	static const struct mini g[] = {
		{ "threadpool", "cpu", 2, 8, 20.0, false, 1, 0 },
		{ "threadpool", "cpu", 6, 8, 19.5, false, 1, 0 },
		{ "threadpool", "cpu", 2, 16, 19.8, false, 1, 0 },
		{ "threadpool", "cpu", 6, 16, 19.0, false, 1, 0 },
		{ "threadpool", "sleep", 2, 8, 20.0, false, 1, 0 },
		{ "threadpool", "sleep", 6, 8, 40.0, false, 1, 0 },
		{ "threadpool", "sleep", 2, 16, 20.0, false, 1, 0 },
		/* failed: the largest common K falls back to 8 */
		{ "threadpool", "sleep", 6, 16, 99.0, true, 1, 0 },
		/* a K only one pool has does not count */
		{ "threadpool", "sleep", 6, 32, 60.0, false, 1, 0 },
		/* another pool, and a serial variant, play no part */
		{ "threadpool", "sleep", 8, 16, 80.0, false, 1, 0 },
		{ "blocking", "sleep", 1, 16, 10.0, false, 1, 0 },
	};
	struct scaling_spec s[16];
	struct scaling_result r[16];
	struct scaling_verdict v;
	size_t n = make_points(g, sizeof(g) / sizeof(g[0]), s, r);

	scaling_verdict(s, r, n, 2, "cpu", &v);
	ck_assert(v.measured);
	ck_assert_int_eq(v.cores, 2);
	ck_assert_int_eq(v.more, 6);
	ck_assert_int_eq(v.k, 16);
	ck_assert_double_eq_tol(v.ratio, 19.0 / 19.8, 1e-12);
	ck_assert_str_eq(v.word, "no gain");
	ck_assert(v.has_k8);
	ck_assert_double_eq_tol(v.ratio_k8, 19.5 / 20.0, 1e-12);

	scaling_verdict(s, r, n, 2, "sleep", &v);
	ck_assert(v.measured);
	ck_assert_int_eq(v.k, 8);
	ck_assert_double_eq_tol(v.ratio, 2.0, 1e-12);
	ck_assert_str_eq(v.word, "helps");
	ck_assert(!v.has_k8);	/* K = 8 is the largest: said once */

	/* on 1 core the pools are 1 and 5 threads: none here */
	scaling_verdict(s, r, n, 1, "cpu", &v);
	ck_assert(!v.measured);
	ck_assert_str_eq(v.word, "not measured");

	/* hurts: cores + 4 well below */
	static const struct mini h[] = {
		{ "threadpool", "cpu", 4, 4, 40.0, false, 1, 0 },
		{ "threadpool", "cpu", 8, 4, 30.0, false, 1, 0 },
	};
	n = make_points(h, 2, s, r);
	scaling_verdict(s, r, n, 4, "cpu", &v);
	ck_assert_int_eq(v.k, 4);
	ck_assert_str_eq(v.word, "hurts");
}
END_TEST

START_TEST(test_expectations)
{
	static const struct mini g[] = {
		{ "blocking", "cpu", 1, 8, 10.0, false, 0.99, 2400000 },
		{ "threadpool", "cpu", 2, 8, 19.0, false, 0.95, 3000 },
		{ "threadpool", "cpu", 6, 8, 19.5, false, 0.97, 19999 },
		{ "threadpool", "sleep", 2, 8, 20.0, false, 1.0, 100 },
		{ "threadpool", "sleep", 6, 8, 30.0, false, 0.67, 200 },
		/* a failed point's echoes do not count */
		{ "threadpool", "sleep", 8, 8, 0, true, 0, 50000 },
		{ "partition", "cpu", 1, 8, 9.0, false, 0.9, 19999 },
	};
	struct scaling_spec s[8];
	struct scaling_result r[8];
	struct scaling_expect e[SCALING_EXPECTS];
	size_t n = make_points(g, sizeof(g) / sizeof(g[0]), s, r);

	scaling_expectations(s, r, n, 2, e);
	ck_assert_int_eq(e[0].met, 1);	/* 1.9x >= 1.8x */
	ck_assert_msg(strstr(e[0].measured, "1.90x (19.0 against 10.0 items/s)"), "%s",
		      e[0].measured);
	ck_assert_int_eq(e[1].met, 1);	/* 95% >= 90% */
	ck_assert_int_eq(e[2].met, 1);	/* worst 19.999 ms < 20 */
	ck_assert_msg(strstr(e[2].measured, "worst 20.0 ms (threadpool-t6-cpu-k8) over 4 points"),
		      "%s", e[2].measured);
	ck_assert_int_eq(e[3].met, 1);	/* 1.5x exactly */
	ck_assert_int_eq(e[4].met, 1);	/* 1.03x < 1.5x */
	ck_assert_int_eq(e[5].met, 1);	/* 0.90x of blocking, 19.999 ms */
	ck_assert_msg(strstr(e[5].measured, "0.90x (9.0 against 10.0 items/s); worst echo "
			     "20.0 ms"), "%s", e[5].measured);

	/* each just on the wrong side */
	r[0].throughput = 10.6;	/* 19 / 10.6 = 1.79 */
	r[1].efficiency = 0.89;
	r[2].bystander_max_us = 20000;
	r[4].throughput = 29.9;
	r[2].throughput = 28.5;	/* 28.5 / 19 = 1.5 */
	r[6].throughput = 9.5;	/* 9.5 / 10.6 = 0.896 */
	scaling_expectations(s, r, n, 2, e);
	ck_assert_int_eq(e[5].met, 0);
	r[6].throughput = 10.6;	/* the same throughput, but the bystander: */
	r[6].bystander_max_us = 20000;
	for (int k = 0; k < SCALING_EXPECTS; k++)
		ck_assert_msg(e[k].met == 0, "expectation %d: %s: %s", k, e[k].what,
			      e[k].measured);

	/* without blocking and the sleep pools: not measured, not failed */
	r[0].ok = false;
	r[3].ok = false;
	scaling_expectations(s, r, n, 2, e);
	ck_assert_int_eq(e[0].met, -1);
	ck_assert_msg(strstr(e[0].measured, "not measured (no blocking point)"), "%s",
		      e[0].measured);
	ck_assert_int_eq(e[1].met, 0);
	ck_assert_int_eq(e[3].met, -1);
	ck_assert_int_eq(e[5].met, -1);	/* no blocking to compare with */
}
END_TEST

Suite *scaling_suite(void)
{
	Suite *s = suite_create("scaling");
	TCase *numbers = tcase_create("numbers");
	TCase *verdict = tcase_create("verdict");

	tcase_add_test(numbers, test_messages_with_clients);
	tcase_add_test(numbers, test_ideal);
	tcase_add_test(numbers, test_pool_names);
	tcase_add_test(numbers, test_point_numbers);
	tcase_add_test(numbers, test_point_machine_share);
	tcase_add_test(numbers, test_point_sleep_ideal_is_the_fluid_bound);
	tcase_add_test(numbers, test_point_rows_not_whole);
	suite_add_tcase(s, numbers);

	tcase_add_test(verdict, test_verdict_words);
	tcase_add_test(verdict, test_verdict_over_points);
	tcase_add_test(verdict, test_expectations);
	suite_add_tcase(s, verdict);
	return s;
}
