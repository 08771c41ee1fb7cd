/*
 * test_scaling_read.c: reading a scaling run's files (analysis/
 * scaling_read.c) from hand-made text: the harness's messages with their
 * client column and its "# incomplete" line, plan.csv, sweep.csv (a row
 * per point and round, summed) and env.txt's parameters; and every kind of
 * damage is an error naming the file and line.
 */
#include "analysis/scaling.h"
#include "tests/csvtext.h"
#include "tests/suites.h"

#include <stdlib.h>
#include <string.h>

START_TEST(test_messages_incomplete_mark)
{
	/* a point the harness gave up on: run 1 whole, run 2 cut short */
	size_t n;
	struct scaling_msg *m;
	struct csvin_incomplete inc;
	char err[300];
	FILE *f = csvtext_open(REPORT_MSG_HEADER "\n"
			       "blocking,1,0,0,1,2,3,4,5,0,-1,0,0\n"
			       "blocking,1,0,0,1,2,3,4,6,1,-1,0,0\n"
			       "blocking,2,0,10,11,12,13,14,15,0,-1,0,0\n"
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
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0\n", "m.csv:2: fewer than 13 fields" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,a,7,0,0\n", "m.csv:2: field 10 is not an integer" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,-1,7,0,0\n", "m.csv:2: client -1 out of range 0..63" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0,-5,0,0\n", "m.csv:2: cpu_us -5 is negative" },
	{ REPORT_MSG_HEADER "\n\nx,1,0,1,2,3,4,5,z,0,7,0,0\n", "m.csv:3: field 9 is not an integer" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,0\n", "m.csv:2: fewer than 13 fields" },
	{ REPORT_MSG_HEADER "\nx,1,0,1,2,3,4,5,6,0,7,0,0\ny,1,1,1,2,3,4,5,6,0,7\n",
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
	FILE *f = csvtext_open(bad_msgs[_i].csv);

	ck_assert(!scaling_read_messages(f, "m.csv", &m, &n, NULL, 0, &inc, err, sizeof(err)));
	fclose(f);
	ck_assert_msg(strstr(err, bad_msgs[_i].err), "got \"%s\", want \"%s\"", err,
		      bad_msgs[_i].err);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(n, 0);
}
END_TEST

/* sweep.csv's text, read: it must be good. */
static struct scaling_sweep *read_sweep(const char *csv, size_t *n)
{
	struct scaling_sweep *w;
	char err[300];
	FILE *f = csvtext_open(csv);

	ck_assert_msg(scaling_read_sweep(f, "sweep.csv", &w, n, err, sizeof(err)), "%s", err);
	fclose(f);
	return w;
}

START_TEST(test_plan_and_sweep)
{
	struct scaling_spec *s;
	struct scaling_sweep *w;
	size_t n;
	char err[300];
	FILE *f = csvtext_open(SCALING_PLAN_HEADER "\nblocking-cpu-k1,blocking,cpu,1,1\n"
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
	w = read_sweep(SCALING_SWEEP_HEADER "\nblocking-cpu-k1,0,19,50,400,431,9000,9062,100\n"
		       "flush-cpu-k2,3,7,7,431,431,9062,9062,100\n"
		       "blocking-cpu-k1,0,60,69,500,510,9100,9120,100\n", &n);
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
	w = read_sweep(SCALING_SWEEP_HEADER "\na,0,1,2,1,2,3,4,100\na,3,2,3,2,3,4,5,100\n"
		       "a,1,3,4,3,4,5,6,100\n", &n);
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
	FILE *f = csvtext_open(bad_tables[_i].csv);
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

Suite *scaling_read_suite(void)
{
	Suite *s = suite_create("scaling_read");
	TCase *read = tcase_create("read");

	tcase_add_test(read, test_messages_incomplete_mark);
	tcase_add_loop_test(read, test_damaged_messages_are_errors, 0,
			    (int)(sizeof(bad_msgs) / sizeof(bad_msgs[0])));
	tcase_add_test(read, test_plan_and_sweep);
	tcase_add_loop_test(read, test_damaged_tables_are_errors, 0,
			    (int)(sizeof(bad_tables) / sizeof(bad_tables[0])));
	tcase_add_test(read, test_params);
	suite_add_tcase(s, read);
	return s;
}
