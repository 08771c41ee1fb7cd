/*
 * test_summarize.c: build/summarize on a real run directory, made here the
 * way scripts/experiment.sh makes one (servers with --lag-log, the harness
 * with its CSVs, an env.txt): the verdicts come out right on real data, a
 * damaged file is an error naming the file and line, a run the server
 * died in is left out, with notes that say so, and a file of several
 * concurrent clients (--clients) is refused by name.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include "harness/args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One configuration's files in a run directory, as scripts/experiment.sh
 * names them, and the URL of its server. */
struct config {
	char lagmon[512], csv[512], bys[512], lag[512], url[64];
};

static void config_paths(const char *dir, const char *name, struct config *c)
{
	snprintf(c->lagmon, sizeof(c->lagmon), "%s/%s.lagmon.csv", dir, name);
	snprintf(c->csv, sizeof(c->csv), "%s/%s.messages.csv", dir, name);
	snprintf(c->bys, sizeof(c->bys), "%s/%s.bystander.csv", dir, name);
	snprintf(c->lag, sizeof(c->lag), "%s/%s.lag.csv", dir, name);
}

/* Runs `variant` under the harness (2 runs of 3 x 150 ms, `clients`
 * concurrent clients, its items `iters` iterations a ms) into
 * dir/config.*. */
static void make_config_iters(const char *dir, const char *config,
			      const char *variant, const char *send,
			      const char *clients, const char *iters)
{
	struct config c;
	struct spawned s;
	char out[8192];

	config_paths(dir, config, &c);
	tu_start(&s, variant, "--send", send, "--lag-log", c.lagmon, "--iters-per-ms",
		 iters, NULL);
	snprintf(c.url, sizeof(c.url), "ws://127.0.0.1:%d/", s.port);
	char *argv[] = { tu_harness_path(), "--url", c.url, "--items", "3", "--work-ms", "150",
			 "--runs", "2", "--bystander-ms", "20", "--quiet", "--csv", c.csv,
			 "--bystander-csv", c.bys, "--lag-csv", c.lag, "--clients",
			 (char *)clients, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	tu_stop_clean(&s);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
}

/* One client and the test's one calibration, as make experiment runs it. */
static void make_config(const char *dir, const char *config, const char *variant,
			const char *send)
{
	make_config_iters(dir, config, variant, send, "1", tu_iters_per_ms());
}

/*
 * Like make_config, but SIGKILLs the server once the harness's CSV holds
 * `rows` results: the files of a run the server died in, as make
 * experiment leaves them, each ending with the "# incomplete" line.
 */
static void make_config_server_killed(const char *dir, const char *config,
				      const char *variant, int rows)
{
	struct config c;
	struct spawned s;
	struct tu_bg_run bg;

	config_paths(dir, config, &c);
	tu_start(&s, variant, "--lag-log", c.lagmon, NULL);
	snprintf(c.url, sizeof(c.url), "ws://127.0.0.1:%d/", s.port);
	char *argv[] = { tu_harness_path(), "--url", c.url, "--items", "3", "--work-ms", "150",
			 "--runs", "2", "--bystander-ms", "20", "--quiet", "--csv", c.csv,
			 "--bystander-csv", c.bys, "--lag-csv", c.lag, NULL };
	bool seen = tu_kill_at_rows(&s, &bg, argv, c.csv, rows, NULL);

	ck_assert_msg(seen, "no %d rows within 10 s: %s", rows, bg.out);
	ck_assert_msg(WIFEXITED(bg.status) && WEXITSTATUS(bg.status) == ARGS_EXIT_INCOMPLETE,
		      "harness: %s", bg.out);
}

/* dir/env.txt for `configs`, with an iters_per_ms line unless iters is
 * NULL. */
static void write_env(const char *dir, const char *configs, const char *iters)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/env.txt", dir);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "run_id: test\nparameters: RUNS=2 ITEMS=3 WORK_MS=150\n"
		"configs: %s\n", configs);
	if (iters)
		fprintf(f, "iters_per_ms: %s\n", iters);
	fclose(f);
}

/* True if the file at dir/name contains text. */
static bool file_has(const char *dir, const char *name, const char *text)
{
	char path[512], buf[16384];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static int run_summarize(const char *dir, char *out, size_t cap)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/summarize", tu_build_dir());
	char *argv[] = { path, (char *)dir, NULL };
	int st = spawn_run(argv, out, cap, 30000);

	ck_assert(st != -1 && WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The summary.csv row of config, or fails. */
static void csv_row(const char *dir, const char *config, char *row, size_t cap)
{
	char path[512], line[1024];

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	row[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, config, strlen(config)) && line[strlen(config)] == ',')
			snprintf(row, cap, "%s", line);
	fclose(f);
	ck_assert_msg(row[0], "no row for %s in %s", config, path);
}

/* The start of field k (1-based) of a CSV row without quoting. */
static const char *csv_field(const char *row, int k)
{
	while (--k > 0 && row)
		if ((row = strchr(row, ',')))
			row++;
	ck_assert_ptr_nonnull(row);
	return row;
}

static bool ends_with(const char *row, const char *suffix)
{
	size_t n = strlen(row), k = strlen(suffix);

	return n >= k && !strcmp(row + n - k, suffix);
}

/* Three configurations in dir: two servers on the test's calibration and
 * one whose items are half as much work again as the others': the summary
 * must not compare it with them. Half, because this machine's cores
 * change speed by up to 10% between one run and the next
 * (docs/experiment-reference.md, "Same work"): the two equal servers can
 * land 5% apart, the odd one out lands 40-60% off. */
static void make_uneven_run(const char *dir)
{
	char more[32];

	make_config(dir, "blocking-proactor", "blocking", "proactor");
	make_config(dir, "threadpool", "threadpool", "proactor");
	snprintf(more, sizeof(more), "%llu", strtoull(tu_iters_per_ms(), NULL, 10) * 3 / 2);
	make_config_iters(dir, "flush", "flush", "proactor", "1", more);
	write_env(dir, "blocking-proactor threadpool flush", tu_iters_per_ms());
}

/* Broken input is an error that names the file and the line, exit 1: a
 * damaged row in dir, and a directory that is not a run at all. */
static void assert_damage_named(const char *dir)
{
	char path[512], out[8192];

	snprintf(path, sizeof(path), "%s/threadpool.bystander.csv", dir);
	FILE *f = fopen(path, "a");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "threadpool,1,99,12,x,14\n");
	fclose(f);
	ck_assert_int_eq(run_summarize(dir, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "threadpool.bystander.csv:") &&
		      strstr(out, ": field 5 is not an integer"), "%s", out);

	ck_assert_int_eq(run_summarize("/nonexistent-sendlab", out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "/nonexistent-sendlab/env.txt: no \"configs:\" line"),
		      "%s", out);
}

START_TEST(test_verdicts_on_real_runs)
{
	char dir[] = "/tmp/sendlab-run-XXXXXX", path[512], out[8192], row[1024], row2[1024];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_uneven_run(dir);
	ck_assert_msg(run_summarize(dir, out, sizeof(out)) == 0, "%s", out);
	ck_assert_msg(strstr(out, "blocking-proactor    clumped   blocked"), "%s", out);
	ck_assert_msg(strstr(out, "threadpool           spaced    free"), "%s", out);
	/* its verdict stands (each run against itself), its times are flagged */
	ck_assert_msg(strstr(out, "flush                spaced    blocked") &&
		      strstr(out, "noisy: not comparable (+"), "%s", out);
	/* the run's item CPU time is the median of the three, one of the
	 * equal two: that one is "yes" by definition, whatever the machine
	 * did; the other may be flagged by the machine's own noise */
	csv_row(dir, "blocking-proactor", row, sizeof(row));
	csv_row(dir, "threadpool", row2, sizeof(row2));
	ck_assert_msg(strstr(row, ",2,clumped,blocked,") && strstr(row2, ",0,spaced,free,"),
		      "%s%s", row, row2);
	ck_assert_msg(strstr(row, ",yes,") || strstr(row2, ",yes,"), "%s%s", row, row2);
	/* about 50% over the run's */
	csv_row(dir, "flush", row, sizeof(row));
	ck_assert_msg(strstr(row, ",no,"), "%s", row);
	/* no delay proxy in front: the last column, rtt_ms, is 0 */
	ck_assert_msg(ends_with(row, ",0.000\n"), "%s", row);
	double ratio = strtod(csv_field(row, 21), NULL);	/* item_cpu_vs_run */

	ck_assert_msg(ratio > 1.3 && ratio < 1.7, "flush's item CPU / the run's: %s", row);
	ck_assert(file_has(dir, "summary.md", "| flush | spaced | blocked | 0 of 2 |"));
	ck_assert(file_has(dir, "summary.md", "| noisy: not comparable (+"));
	ck_assert(file_has(dir, "summary.md", "| flush (noisy) | "));
	ck_assert(file_has(dir, "summary.md", "**Noisy, not comparable**"));
	ck_assert(file_has(dir, "summary.md", tu_iters_per_ms()));
	snprintf(path, sizeof(path), "%s/latency.csv", dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	assert_damage_named(dir);
	tu_remove_dir(dir);
}
END_TEST

/*
 * A run directory where the server of threadpool died in run 2 and that of
 * blocking-proactor in run 1: threadpool is summarised over run 1 alone,
 * blocking-proactor is left out, and summary.md, stdout and stderr all say
 * so. Without the marks (a harness killed outright) the cut run is an
 * error; with no complete run anywhere there is nothing to summarise:
 * exit 1 both.
 */
START_TEST(test_incomplete_runs_left_out)
{
	char dir[] = "/tmp/sendlab-run-XXXXXX", out[8192], row[1024], cmd[600];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_config_server_killed(dir, "threadpool", "threadpool", 4);	/* run 2's first */
	make_config_server_killed(dir, "blocking-proactor", "blocking", 1); /* run 1's first */
	write_env(dir, "blocking-proactor threadpool", NULL);

	ck_assert_msg(run_summarize(dir, out, sizeof(out)) == 0, "%s", out);
	/* stdout (verdicts.txt) and stderr */
	ck_assert_msg(strstr(out, "blocking-proactor    (left out: no complete run)"), "%s", out);
	ck_assert_msg(strstr(out, "threadpool           spaced    free"), "%s", out);
	ck_assert_msg(strstr(out, "incomplete: threadpool run 2 of 2 (the "), "%s", out);
	ck_assert_msg(strstr(out, ": threadpool: run 2 of 2 is incomplete (") &&
		      strstr(out, "; no complete run, so the whole configuration is left out"),
		      "%s", out);
	/* summary.csv: threadpool over its one complete run, 3 messages */
	csv_row(dir, "threadpool", row, sizeof(row));
	ck_assert_msg(!strncmp(row, "threadpool,threadpool,1,3,", 26), "%s", row);
	ck_assert(!file_has(dir, "summary.csv", "blocking-proactor"));
	ck_assert(!file_has(dir, "latency.csv", "blocking-proactor"));
	/* summary.md opens with what was left out and why */
	ck_assert(file_has(dir, "summary.md", "## Incomplete runs"));
	ck_assert(file_has(dir, "summary.md", "| threadpool | 2 of 2 | the "));
	ck_assert(file_has(dir, "summary.md", "without a close frame"));
	ck_assert(file_has(dir, "summary.md", "| blocking-proactor | 1 of 2 | "));
	ck_assert(file_has(dir, "summary.md", "no complete run: the whole configuration"));
	ck_assert(file_has(dir, "summary.md", "| threadpool | spaced | free | 0 of 1 |"));

	/* the same files without their "# incomplete" lines, as a harness
	 * killed outright leaves them: the cut run is caught, loudly */
	snprintf(cmd, sizeof(cmd), "sed -i '/^#/d' '%s/threadpool.messages.csv' "
		 "'%s/threadpool.bystander.csv'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	write_env(dir, "threadpool", NULL);
	ck_assert_int_eq(run_summarize(dir, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "threadpool.messages.csv: ") &&
		      strstr(out, "results in 2 runs, but env.txt asks for ITEMS=3 a run") &&
		      strstr(out, "a harness killed outright?"), "%s", out);

	/* nothing complete at all: fail loudly */
	write_env(dir, "blocking-proactor", NULL);
	ck_assert_int_eq(run_summarize(dir, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "no configuration has a complete run"), "%s", out);

	tu_remove_dir(dir);
}
END_TEST

/*
 * A run of the harness with --clients 2: its rows are K jobs side by side,
 * not runs, so summarize refuses the file by name (exit 1) rather than
 * summarise it or call its runs broken.
 */
START_TEST(test_more_than_one_client_refused)
{
	char dir[] = "/tmp/sendlab-run-XXXXXX", out[8192];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_config_iters(dir, "threadpool", "threadpool", "proactor", "2", tu_iters_per_ms());
	write_env(dir, "threadpool", NULL);
	ck_assert_int_eq(run_summarize(dir, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "threadpool.messages.csv: rows of 2 clients (the "
			      "harness ran with --clients 2): build/summarize summarises "
			      "one client per run"), "%s", out);
	tu_remove_dir(dir);
}
END_TEST

Suite *summarize_suite(void)
{
	Suite *s = suite_create("summarize");
	TCase *tc = tcase_create("run-directory");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_verdicts_on_real_runs);
	tcase_add_test(tc, test_incomplete_runs_left_out);
	tcase_add_test(tc, test_more_than_one_client_refused);
	suite_add_tcase(s, tc);
	return s;
}
