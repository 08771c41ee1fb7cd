/*
 * test_run_of.c: the harness's --run R/N, which make experiment uses to
 * interleave its configurations (one run of each in turn): N calls build
 * one set of CSV files whose rows are numbered 1..N, as one call with
 * --runs N would; a later run never writes into a file that run 1 did not
 * make; and a run that fails is marked "run R of N", after the earlier
 * runs' rows, which stay whole.
 */
#include "tests/harnessout.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include "harness/args.h"
#include "harness/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One call of the harness: run `of` of 3, 2 items of 50 ms; its wait status. */
static int run_of(const char *url, const char *of, const struct hout_files *f, char *out,
		  size_t cap)
{
	char *argv[] = { tu_harness_path(), "--url", (char *)url, "--items", "2", "--work-ms",
			 "50", "--run", (char *)of, "--bystander-ms", "20", "--csv",
			 (char *)f->msg, "--bystander-csv", (char *)f->by, "--lag-csv",
			 (char *)f->lag, NULL };

	return spawn_run(argv, out, cap, 30000);
}

/* The lines of a file, each with its newline cut, into lines[0..cap);
 * their number. */
static int read_lines(const char *path, char lines[][512], int cap)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (n < cap && fgets(lines[n], 512, f)) {
		lines[n][strcspn(lines[n], "\n")] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

/* The run column (the second) of a row. */
static int run_of_row(const char *row)
{
	const char *comma = strchr(row, ',');

	ck_assert_ptr_nonnull(comma);
	return atoi(comma + 1);
}

START_TEST(test_three_calls_make_one_file)
{
	struct spawned s;
	struct hout_files f;
	char url[64], out[8192], lines[64][512];

	hout_files_make(&f);
	tu_start(&s, "flush", "--iters-per-ms", tu_iters_per_ms(), NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	/* the odd order is the point: rows say the run they were given */
	const char *const order[] = { "1/3", "2/3", "3/3" };

	for (int i = 0; i < 3; i++) {
		int st = run_of(url, order[i], &f, out, sizeof(out));

		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "--run %s: %s", order[i],
			      out);
		ck_assert_msg(strstr(out, order[i]), "its per-run line names run %s: %s",
			      order[i], out);
		/* and no medians: over one run of three they would mislead */
		ck_assert_msg(!strstr(out, "medians over runs"), "%s", out);
	}
	tu_stop_clean(&s);

	/* messages: one header, then 2 rows of each run, in order */
	int n = read_lines(f.msg, lines, 64);

	ck_assert_int_eq(n, 1 + 3 * 2);
	ck_assert_str_eq(lines[0], REPORT_MSG_HEADER);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(run_of_row(lines[i]), (i + 1) / 2);
	/* the server's stats: one row a run */
	n = read_lines(f.lag, lines, 64);
	ck_assert_int_eq(n, 1 + 3);
	ck_assert_str_eq(lines[0], REPORT_LAG_HEADER);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(run_of_row(lines[i]), i);
	/* echoes: one header, every row of runs 1..3 in order */
	n = read_lines(f.by, lines, 64);
	ck_assert_str_eq(lines[0], REPORT_ECHO_HEADER);
	ck_assert_int_ge(n, 4);
	ck_assert_int_eq(run_of_row(lines[1]), 1);
	ck_assert_int_eq(run_of_row(lines[n - 1]), 3);
	for (int i = 2; i < n; i++)
		ck_assert_int_ge(run_of_row(lines[i]), run_of_row(lines[i - 1]));
	hout_files_remove(&f);
}
END_TEST

/* A later run appends only to a file run 1 made: not to a missing file,
 * not to another kind of file; nothing is measured then (exit 1). */
START_TEST(test_later_run_needs_run_1s_file)
{
	char out[8192], lines[4][512], m[64];

	tu_temp_file(m, sizeof(m), "runof");
	unlink(m);
	char *argv[] = { tu_harness_path(), "--url", "ws://127.0.0.1:9/", "--items", "1",
			 "--work-ms", "1", "--run", "2/2", "--csv", m, NULL };
	int st = spawn_run(argv, out, sizeof(out), 10000);

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_FAILED, "%s", out);
	ck_assert_msg(strstr(out, "appends to the file run 1 made"), "%s", out);

	FILE *f = fopen(m, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", REPORT_ECHO_HEADER);	/* a bystander file */
	fclose(f);
	st = spawn_run(argv, out, sizeof(out), 10000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_FAILED, "%s", out);
	ck_assert_msg(strstr(out, "its first line is not the header"), "%s", out);
	/* and the file is as it was */
	ck_assert_int_eq(read_lines(m, lines, 4), 1);
	ck_assert_str_eq(lines[0], REPORT_ECHO_HEADER);
	unlink(m);
}
END_TEST

/* Run 2 of 2 loses its server after its first result: the file keeps run
 * 1's rows and run 2's first, then "# incomplete: run 2 of 2: ...". */
START_TEST(test_failed_later_run_is_marked_r_of_n)
{
	struct spawned s;
	struct tu_bg_run bg;
	char url[64], out[8192], lines[16][512], m[64];

	tu_temp_file(m, sizeof(m), "runof");
	tu_start(&s, "blocking", "--iters-per-ms", tu_iters_per_ms(), NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	char *first[] = { tu_harness_path(), "--url", url, "--items", "3", "--work-ms", "200",
			  "--run", "1/2", "--csv", m, NULL };
	int st = spawn_run(first, out, sizeof(out), 30000);

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	char *second[] = { tu_harness_path(), "--url", url, "--items", "3", "--work-ms", "200",
			   "--run", "2/2", "--csv", m, NULL };

	/* run 1's 3 rows, then run 2's first */
	bool seen = tu_kill_at_rows(&s, &bg, second, m, 4, NULL);

	ck_assert_msg(seen, "no result of run 2 within 10 s: %s", bg.out);
	ck_assert_msg(WIFEXITED(bg.status) && WEXITSTATUS(bg.status) == ARGS_EXIT_INCOMPLETE,
		      "%s", bg.out);
	ck_assert_msg(strstr(bg.out, "run 2 of 2 is incomplete"), "%s", bg.out);

	int n = read_lines(m, lines, 16);

	ck_assert_int_ge(n, 1 + 3 + 1 + 1);
	for (int i = 1; i <= 3; i++)
		ck_assert_int_eq(run_of_row(lines[i]), 1);
	for (int i = 4; i < n - 1; i++)
		ck_assert_int_eq(run_of_row(lines[i]), 2);
	ck_assert_msg(!strncmp(lines[n - 1], REPORT_INCOMPLETE_PREFIX "2 of 2: ",
			       strlen(REPORT_INCOMPLETE_PREFIX "2 of 2: ")), "%s", lines[n - 1]);
	unlink(m);
}
END_TEST

Suite *run_of_suite(void)
{
	Suite *s = suite_create("run_of");
	TCase *tc = tcase_create("interleaved");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_three_calls_make_one_file);
	tcase_add_test(tc, test_later_run_needs_run_1s_file);
	tcase_add_test(tc, test_failed_later_run_is_marked_r_of_n);
	suite_add_tcase(s, tc);
	return s;
}
