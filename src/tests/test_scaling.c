/*
 * test_scaling.c: the scaling sweep's numbers (analysis/scaling.c) on
 * hand-made CSVs whose answers are worked out by hand in the comments:
 * reading the harness's files with their client column, plan.csv and
 * sweep.csv; the makespan, throughput, ideal, first-message latency, job
 * and item times, bystander and CPU of a point; a point whose rows are not
 * whole; the verdict thresholds and the verdict and expectations over
 * points, failed points ignored.
 */
#include "analysis/scaling.h"
#include "tests/suites.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	ck_assert_ptr_nonnull(f);
	return f;
}

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
	"threadpool,1,0,0,50,100,100100,100150,100200,0,99000\n"
	"threadpool,1,0,10,60,200,100200,100250,100400,1,99000\n"
	"threadpool,1,1,0,50,100150,200150,200200,200300,0,99000\n"
	"threadpool,1,1,10,60,100250,200250,200300,200500,1,99000\n"
	"threadpool,2,0,1000000,1000050,1000100,1100100,1100150,1100300,0,99000\n"
	"threadpool,2,1,1000000,1000050,1100200,1300000,1300050,1300100,0,99500\n"
	"threadpool,2,0,1000000,1000050,1000100,1100100,1149000,1150000,1,99000\n"
	"threadpool,2,1,1000000,1000050,1150100,1250100,1250150,1250200,1,99000\n";

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

static struct scaling_msg *read_msgs(const char *csv, size_t *n)
{
	struct scaling_msg *m;
	struct csvin_incomplete inc;
	char variant[32], err[300];
	FILE *f = text(csv);

	ck_assert_msg(scaling_read_messages(f, "m.csv", &m, n, variant, sizeof(variant), &inc,
					    err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(inc.run, 0);
	return m;
}

static struct report_echo *read_echoes(const char *csv, size_t *n)
{
	struct report_echo *e;
	struct csvin_incomplete inc;
	char err[300];
	FILE *f = text(csv);

	ck_assert_msg(csvin_echoes(f, "b.csv", &e, n, &inc, err, sizeof(err)), "%s", err);
	fclose(f);
	return e;
}

START_TEST(test_messages_with_clients)
{
	size_t n;
	struct scaling_msg *m;
	struct csvin_incomplete inc;
	char variant[32], err[300];
	FILE *f = text(point_csv);

	ck_assert_msg(scaling_read_messages(f, "m.csv", &m, &n, variant, sizeof(variant), &inc,
					    err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 8);
	ck_assert_str_eq(variant, "threadpool");
	ck_assert_int_eq(inc.run, 0);
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

START_TEST(test_messages_incomplete_mark)
{
	/* a point the harness gave up on: run 1 whole, run 2 cut short */
	size_t n;
	struct scaling_msg *m;
	struct csvin_incomplete inc;
	char err[300];
	FILE *f = text(REPORT_MSG_HEADER "\n"
		       "blocking,1,0,0,1,2,3,4,5,0,-1\n"
		       "blocking,1,0,0,1,2,3,4,6,1,-1\n"
		       "blocking,2,0,10,11,12,13,14,15,0,-1\n"
		       "# incomplete: run 2 of 2: the main connection dropped\n");

	ck_assert_msg(scaling_read_messages(f, "m.csv", &m, &n, NULL, 0, &inc, err,
					    sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(inc.run, 2);
	ck_assert_int_eq(inc.runs, 2);
	ck_assert_str_eq(inc.why, "the main connection dropped");
	ck_assert_int_eq(m[2].client, 0);

	/* and its rows do not make a point */
	struct scaling_result r;
	struct scaling_spec s = { .point = "blocking-cpu-k2", .variant = "blocking",
				  .work = "cpu", .threads = 1, .clients = 2 };
	struct scaling_params p = { .items = 1, .work_ms = 100, .runs = 2, .cores = 2 };

	ck_assert(!scaling_compute(&p, &s, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_msg(strstr(err, "3 results, but 2 runs x 2 clients x 1 items make 4"), "%s",
		      err);
	ck_assert(!r.ok);
	free(m);
}
END_TEST

/* Damaged messages files and the error each must give. */
static const struct {
	const char *csv, *err;
} bad_msgs[] = {
	/* csvin judges every field, the client and cpu_us among them */
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0\n", "m.csv:2: fewer than 11 fields" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,a,7\n", "m.csv:2: field 10 is not an integer" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,-1,7\n", "m.csv:2: client -1 out of range 0..63" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0,-5\n", "m.csv:2: cpu_us -5 is negative" },
	{ REPORT_MSG_HEADER "\n\nx,1,0,1,2,3,4,5,z,0,7\n", "m.csv:3: field 9 is not an integer" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,0\n", "m.csv:2: fewer than 11 fields" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0,7\ny,1,1,1,2,3,4,5,6,0,7\n",
	  "m.csv:3: variant \"y\" differs" },
	{ REPORT_MSG_HEADER "\n# a comment\n", "m.csv:2: a comment line" },
	{ "", "m.csv: empty file" },
};

START_TEST(test_damaged_messages_are_errors)
{
	struct scaling_msg *m = (void *)1;
	struct csvin_incomplete inc;
	size_t n = 99;
	char err[300] = "";
	/* fmemopen may refuse a size of 0: an empty file is /dev/null */
	FILE *f = bad_msgs[_i].csv[0] ? text(bad_msgs[_i].csv) : fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert(!scaling_read_messages(f, "m.csv", &m, &n, NULL, 0, &inc, err, sizeof(err)));
	fclose(f);
	ck_assert_msg(strstr(err, bad_msgs[_i].err), "got \"%s\", want \"%s\"", err,
		      bad_msgs[_i].err);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_plan_and_sweep)
{
	struct scaling_spec *s;
	struct scaling_sweep *w;
	size_t n;
	char err[300];
	FILE *f = text(SCALING_PLAN_HEADER "\nblocking-cpu-k1,blocking,cpu,1,1\n"
		       "threadpool-t6-sleep-k16,threadpool,sleep,6,16\n");

	ck_assert_msg(scaling_read_plan(f, "plan.csv", &s, &n, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(s[1].point, "threadpool-t6-sleep-k16");
	ck_assert_str_eq(s[1].variant, "threadpool");
	ck_assert_str_eq(s[1].work, "sleep");
	ck_assert_int_eq(s[1].threads, 6);
	ck_assert_int_eq(s[1].clients, 16);
	free(s);

	/* a row per point and round: blocking's two rounds add up (31 + 9
	 * ticks of the server, 31 + 10 busy, 62 + 20 in all); flush failed
	 * in its first round and ran no second */
	f = text(SCALING_SWEEP_HEADER "\nblocking-cpu-k1,0,19,50,400,431,9000,9062,100\n"
		 "flush-cpu-k2,3,7,7,431,431,9062,9062,100\n"
		 "blocking-cpu-k1,0,60,69,500,510,9100,9120,100\n");
	ck_assert_msg(scaling_read_sweep(f, "sweep.csv", &w, &n, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(w[0].point, "blocking-cpu-k1");
	ck_assert_int_eq(w[0].rounds, 2);
	ck_assert_int_eq(w[0].harness_exit, 0);
	ck_assert_int_eq(w[0].ticks, 40);
	ck_assert_int_eq(w[0].busy, 41);
	ck_assert_int_eq(w[0].total, 82);
	ck_assert_int_eq(w[0].clk_tck, 100);
	ck_assert_int_eq(w[1].rounds, 1);
	ck_assert_int_eq(w[1].harness_exit, 3);
	free(w);

	/* the first failure of a point is the one it keeps */
	f = text(SCALING_SWEEP_HEADER "\na,0,1,2,1,2,3,4,100\na,3,2,3,2,3,4,5,100\n"
		 "a,1,3,4,3,4,5,6,100\n");
	ck_assert_msg(scaling_read_sweep(f, "sweep.csv", &w, &n, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(w[0].rounds, 3);
	ck_assert_int_eq(w[0].harness_exit, 3);
	free(w);
}
END_TEST

static const struct {
	bool plan;
	const char *csv, *err;
} bad_tables[] = {
	{ true, "point,variant,work,threads\n", "plan.csv:1: header is" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,cpu,1\n", "plan.csv:2: not 5 fields" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,cpu,1,1,1\n", "plan.csv:2: not 5 fields" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,disk,1,1\n", "neither cpu nor sleep" },
	{ true, SCALING_PLAN_HEADER "\n../a,blocking,cpu,1,1\n", "a point or variant name" },
	{ true, SCALING_PLAN_HEADER "\na b,blocking,cpu,1,1\n", "a point or variant name" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,cpu,0,1\n", "threads is not" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,cpu,1,+1\n", "clients is not" },
	{ true, SCALING_PLAN_HEADER "\na,blocking,cpu,1,1\na,flush,cpu,1,2\n",
	  "plan.csv:3: point a is planned twice" },
	{ false, "point,harness_exit,cpu_ticks_before,cpu_ticks_after,clk_tck\n",
	  "sweep.csv:1: header is" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,100\n", "sweep.csv:2: not 9 fields" },
	{ false, SCALING_SWEEP_HEADER "\na,0,50,49,1,2,3,4,100\n", "the second at least the first" },
	{ false, SCALING_SWEEP_HEADER "\na,256,1,2,1,2,3,4,100\n", "harness_exit is not" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,5,6,4,7,100\n", "busy at most total" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,2,1,3,4,100\n", "go backwards" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,1,2,4,3,100\n", "go backwards" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,1,2,3,4,0\n", "clk_tck is not" },
	{ false, SCALING_SWEEP_HEADER "\na,0,1,2,1,2,3,4,100\na,1,2,3,1,2,3,4,1000\n",
	  "sweep.csv:3: point a: clk_tck 1000 after 100" },
};

START_TEST(test_damaged_tables_are_errors)
{
	char err[300] = "";
	size_t n = 99;
	FILE *f = text(bad_tables[_i].csv);
	bool ok;

	if (bad_tables[_i].plan) {
		struct scaling_spec *s = (void *)1;

		ok = scaling_read_plan(f, "plan.csv", &s, &n, err, sizeof(err));
		ck_assert_ptr_null(s);
	} else {
		struct scaling_sweep *w = (void *)1;

		ok = scaling_read_sweep(f, "sweep.csv", &w, &n, err, sizeof(err));
		ck_assert_ptr_null(w);
	}
	fclose(f);
	ck_assert(!ok);
	ck_assert_int_eq(n, 0);
	ck_assert_msg(strstr(err, bad_tables[_i].err), "got \"%s\", want \"%s\"", err,
		      bad_tables[_i].err);
}
END_TEST

START_TEST(test_params)
{
	struct scaling_params p;
	char err[100];

	ck_assert(scaling_parse_params("SCALING=default RUNS=2 ITEMS=3 WORK_MS=100 "
				       "BYSTANDER_MS=20 CORES=2", &p, err, sizeof(err)));
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p.items, 3);
	ck_assert_int_eq(p.work_ms, 100);
	ck_assert_int_eq(p.cores, 2);
	/* a whole word only: XITEMS= is not ITEMS= */
	ck_assert(!scaling_parse_params("XITEMS=3 WORK_MS=100 RUNS=1 CORES=2", &p, err,
					sizeof(err)));
	ck_assert_str_eq(err, "no ITEMS=1..1000");
	ck_assert(!scaling_parse_params("ITEMS=3 WORK_MS=100 RUNS=1", &p, err, sizeof(err)));
	ck_assert_str_eq(err, "no CORES=1..4096");
	ck_assert(!scaling_parse_params("ITEMS=3 WORK_MS=100x RUNS=1 CORES=2", &p, err,
					sizeof(err)));
	ck_assert_str_eq(err, "no WORK_MS=1..10000");
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

START_TEST(test_point_numbers)
{
	size_t n, ne;
	struct scaling_msg *m = read_msgs(point_csv, &n);
	struct report_echo *e = read_echoes(point_echoes, &ne);
	/* 40 ticks at 100 a second over 2 runs: 200 ms a run; the machine (2
	 * cores: 200 ticks a second in all) was busy 60 ticks of 100: 20
	 * not the server's, a fifth of the time, 0.4 cores */
	struct scaling_sweep sw = { .point = "threadpool-t2-cpu-k2", .rounds = 2,
				    .harness_exit = 0, .ticks = 40, .busy = 60, .total = 100,
				    .clk_tck = 100 };
	struct scaling_result r;
	char err[300];

	ck_assert_msg(scaling_compute(&params, &pool2, m, n, e, ne, &sw, &r, err, sizeof(err)),
		      "%s", err);
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

	/* the server all of the busy time, and a tick more (counted apart):
	 * nobody else, not less than nobody */
	sw.busy = 39;
	ck_assert(scaling_compute(&params, &pool2, m, n, e, ne, &sw, &r, err, sizeof(err)));
	ck_assert_double_eq_tol(r.others_cores, 0.0, 1e-12);
	ck_assert(!scaling_busy(&r));
	/* just under the line, and on it */
	sw.busy = 40 + 12;
	ck_assert(scaling_compute(&params, &pool2, m, n, e, ne, &sw, &r, err, sizeof(err)));
	ck_assert_double_eq_tol(r.others_cores, 0.24, 1e-9);
	ck_assert(!scaling_busy(&r));
	sw.busy = 40 + 13;
	ck_assert(scaling_compute(&params, &pool2, m, n, e, ne, &sw, &r, err, sizeof(err)));
	ck_assert(scaling_busy(&r));

	/* no echoes, no CPU reading: marked unknown, not zero */
	ck_assert(scaling_compute(&params, &pool2, m, n, NULL, 0, NULL, &r, err, sizeof(err)));
	ck_assert_int_eq(r.bystander_max_us, -1);
	ck_assert(r.cpu_ms < 0);
	ck_assert(r.others_cores < 0);
	ck_assert(!scaling_busy(&r));
	free(m);
	free(e);
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

	/* each just on the wrong side */
	r[0].throughput = 10.6;	/* 19 / 10.6 = 1.79 */
	r[1].efficiency = 0.89;
	r[2].bystander_max_us = 20000;
	r[4].throughput = 29.9;
	r[2].throughput = 28.5;	/* 28.5 / 19 = 1.5 */
	scaling_expectations(s, r, n, 2, e);
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
}
END_TEST

Suite *scaling_suite(void)
{
	Suite *s = suite_create("scaling");
	TCase *read = tcase_create("read");
	TCase *numbers = tcase_create("numbers");
	TCase *verdict = tcase_create("verdict");

	tcase_add_test(read, test_messages_with_clients);
	tcase_add_test(read, test_messages_incomplete_mark);
	tcase_add_loop_test(read, test_damaged_messages_are_errors, 0,
			    (int)(sizeof(bad_msgs) / sizeof(bad_msgs[0])));
	tcase_add_test(read, test_plan_and_sweep);
	tcase_add_loop_test(read, test_damaged_tables_are_errors, 0,
			    (int)(sizeof(bad_tables) / sizeof(bad_tables[0])));
	tcase_add_test(read, test_params);
	suite_add_tcase(s, read);

	tcase_add_test(numbers, test_ideal);
	tcase_add_test(numbers, test_pool_names);
	tcase_add_test(numbers, test_point_numbers);
	tcase_add_test(numbers, test_point_sleep_ideal_is_the_fluid_bound);
	tcase_add_test(numbers, test_point_rows_not_whole);
	suite_add_tcase(s, numbers);

	tcase_add_test(verdict, test_verdict_words);
	tcase_add_test(verdict, test_verdict_over_points);
	tcase_add_test(verdict, test_expectations);
	suite_add_tcase(s, verdict);
	return s;
}
