/*
 * main.c: build/summarize, the statistics of an experiment run.
 *
 *   build/summarize results/<run-id>
 *
 * Reads the run's env.txt (its "configs:" line names the configurations)
 * and, per configuration, <config>.messages.csv, .bystander.csv and
 * .lagmon.csv. Writes, into the same directory:
 *   summary.md   the tables and verdicts, for people (and the README)
 *   summary.csv  the same numbers, one row per configuration
 *   latency.csv  the delivery-latency distribution per configuration, for
 *                the box plot (scripts/plot-latency.gp)
 * and prints the verdict table to stdout (summary_write.c lays them all
 * out). Exit status 0, or 1 with one line on stderr naming the file and
 * what is wrong with it.
 *
 * Same work: every server of a run computes the same iterations per item
 * (env.txt's iters_per_ms), and each reports its items' CPU time. A
 * configuration whose median item CPU time is more than SUMMARY_SAME_WORK
 * off the run's (the median of the configurations') gets no verdict:
 * "noisy: not comparable".
 *
 * One client per run: a messages file from a harness run with --clients K
 * > 1 (its client column holds 1..K-1 too) is refused, exit 1, with a
 * message that says so; the verdicts are defined for one job at a time.
 *
 * A run the harness gave up on (its files end with "# incomplete: run R of
 * N: WHY") is left out: the configuration is summarised over runs 1..R-1,
 * or left out entirely if R is 1. Never silently: summary.md opens with a
 * table of what was left out and why, stdout and stderr say it too. Exit
 * status 1 if no configuration has a complete run.
 */
#include "analysis/csvin.h"
#include "analysis/envtxt.h"
#include "analysis/summary.h"
#include "analysis/summary_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONFIGS 16

static int fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "summarize: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

/* The value of KEY=N (a whole word) in env.txt's parameters line, or -1 if
 * it is not there (a run directory made by hand, or by an older script). */
static int param_int(const char *params, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = strstr(params, key); p; p = strstr(p + 1, key)) {
		int v;

		if ((p == params || p[-1] == ' ') && p[klen] == '=' &&
		    sscanf(p + klen + 1, "%d", &v) == 1)
			return v;
	}
	return -1;
}

/* What the experiment asked for (env.txt), to check the files against:
 * -1 where unknown. */
struct asked {
	int runs, items;
	int64_t rtt_us;	/* env.txt's rtt_ms: the round trip a delay proxy
			   added to every connection (0: none) */
};

/* Opens DIR/CONFIG.SUFFIX (its path into name) and reads it with one of
 * the csvin readers; false with the reason in err. */
static bool read_one(const char *dir, const char *config, const char *suffix,
		     char *name, size_t namecap, FILE **f, char *err, size_t errcap)
{
	snprintf(name, namecap, "%s/%s.%s", dir, config, suffix);
	*f = fopen(name, "r");
	if (!*f)
		snprintf(err, errcap, "cannot open %s: %s", name, strerror(errno));
	return *f != NULL;
}

/*
 * Which run the two harness files mark incomplete, into c->incomplete: the
 * harness writes the same line to both, so they must agree where both have
 * it (one may lack it only if it was written by hand). False on conflict.
 */
static bool merge_incomplete(const char *dir, struct summary_config *c,
			     const struct csvin_incomplete *m,
			     const struct csvin_incomplete *b, char *err, size_t errcap)
{
	if (m->run && b->run && m->run != b->run) {
		snprintf(err, errcap, "%.900s/%.40s: messages.csv marks run %d incomplete, "
			 "bystander.csv run %d", dir, c->name, m->run, b->run);
		return false;
	}
	c->incomplete = m->run ? *m : *b;
	return true;
}

/* Moves the rows of runs before `run` to the front; returns how many. */
static size_t keep_msgs_before(struct report_msg *v, size_t n, int run)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].run < run)
			v[kept++] = v[i];
	return kept;
}

static size_t keep_echoes_before(struct report_echo *v, size_t n, int run)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].run < run)
			v[kept++] = v[i];
	return kept;
}

/*
 * The complete runs hold what the experiment asked for: ITEMS results
 * each, and RUNS runs unless a "# incomplete" line says why not. A harness
 * killed outright writes no such line; this is where its partial last run
 * is caught (summary_compute() alone would take a cut first run of 1 row
 * for a whole run of 1 item).
 */
static bool check_asked(const char *dir, const struct summary_config *c,
			const struct report_msg *msgs, size_t n_msgs,
			const struct asked *asked, char *err, size_t errcap)
{
	int runs = 0;

	for (size_t i = 0; i < n_msgs; i++)
		if (msgs[i].run > runs)
			runs = msgs[i].run;
	if (asked->items > 0 && n_msgs != (size_t)runs * (size_t)asked->items) {
		snprintf(err, errcap, "%.900s/%.40s.messages.csv: %zu results in %d "
			 "runs, but env.txt asks for ITEMS=%d a run, and no \"# "
			 "incomplete\" line says a run was cut short (a harness "
			 "killed outright?)", dir, c->name, n_msgs, runs, asked->items);
		return false;
	}
	if (asked->runs > 0 && !c->incomplete.run && runs != asked->runs) {
		snprintf(err, errcap, "%.900s/%.40s.messages.csv: %d runs, but env.txt "
			 "asks for RUNS=%d, and no \"# incomplete\" line says why (a "
			 "harness killed outright?)", dir, c->name, runs, asked->runs);
		return false;
	}
	return true;
}

/* One configuration's rows, as read. */
struct config_rows {
	struct report_msg *msgs;
	struct report_echo *echoes;
	struct summary_lag_sample *lag;
	size_t n_msgs, n_echoes, n_lag;
};

/*
 * Leaves the rows of c's incomplete run out (they are real, but not a
 * run), counting them in c; false if runs 1..R-1 are not all there: the
 * mark says the harness got that far.
 */
static bool drop_incomplete_run(const char *dir, struct summary_config *c,
				struct config_rows *rows, char *err, size_t errcap)
{
	size_t kept_msgs = keep_msgs_before(rows->msgs, rows->n_msgs, c->incomplete.run);
	size_t kept_echoes = keep_echoes_before(rows->echoes, rows->n_echoes,
						c->incomplete.run);

	c->msgs_left_out = rows->n_msgs - kept_msgs;
	c->echoes_left_out = rows->n_echoes - kept_echoes;
	rows->n_msgs = kept_msgs;
	rows->n_echoes = kept_echoes;
	c->no_complete_run = rows->n_msgs == 0;

	int last_kept = 0;

	for (size_t i = 0; i < rows->n_msgs; i++)
		if (rows->msgs[i].run > last_kept)
			last_kept = rows->msgs[i].run;
	if (last_kept != c->incomplete.run - 1) {
		snprintf(err, errcap, "%.900s/%.40s.messages.csv: marks run %d "
			 "incomplete, but its last complete run is %d, not %d", dir,
			 c->name, c->incomplete.run, last_kept, c->incomplete.run - 1);
		return false;
	}
	return true;
}

/* Reads c's two harness files into rows, refuses K clients, and leaves a
 * run they mark incomplete out. False with the reason in err. */
static bool read_harness_files(const char *dir, struct summary_config *c,
			       struct config_rows *rows, char *err, size_t errcap)
{
	char name[1024];
	struct csvin_incomplete msgs_mark, echoes_mark;
	FILE *f;
	bool ok = read_one(dir, c->name, "messages.csv", name, sizeof(name), &f, err,
			   errcap);

	if (ok) {
		ok = csvin_messages(f, name, &rows->msgs, &rows->n_msgs, c->variant,
				    sizeof(c->variant), &msgs_mark, err, errcap);
		fclose(f);
	}
	if (ok && (ok = read_one(dir, c->name, "bystander.csv", name, sizeof(name), &f,
				 err, errcap))) {
		ok = csvin_echoes(f, name, &rows->echoes, &rows->n_echoes, &echoes_mark, err,
				  errcap);
		fclose(f);
	}
	/* before anything counts rows: K clients' rows per run would only
	 * look like runs of the wrong length */
	int clients = ok ? summary_clients(rows->msgs, rows->n_msgs) : 1;

	if (clients > 1) {
		snprintf(err, errcap, "%.900s/%.40s.messages.csv: rows of %d "
			 "clients (the harness ran with --clients %d): build/summarize "
			 "summarises one client per run, as make experiment runs the "
			 "harness, and does not pool jobs that ran side by side",
			 dir, c->name, clients, clients);
		ok = false;
	}
	if (ok)
		ok = merge_incomplete(dir, c, &msgs_mark, &echoes_mark, err, errcap);
	if (ok && c->incomplete.run)
		ok = drop_incomplete_run(dir, c, rows, err, errcap);
	return ok;
}

/* Reads c's lag samples and summarises its rows into c->s. */
static bool summarize_rows(const char *dir, struct summary_config *c,
			   struct config_rows *rows, const struct asked *asked,
			   char *err, size_t errcap)
{
	char name[1024], why[512];
	FILE *f;

	if (!read_one(dir, c->name, "lagmon.csv", name, sizeof(name), &f, err, errcap))
		return false;
	bool ok = csvin_lag(f, name, &rows->lag, &rows->n_lag, err, errcap);

	fclose(f);
	if (ok && !summary_compute_rtt(rows->msgs, rows->n_msgs, rows->echoes,
				       rows->n_echoes, rows->lag, rows->n_lag, asked->rtt_us,
				       &c->s, why, sizeof(why))) {
		snprintf(err, errcap, "%.900s/%.40s.messages.csv: %.250s", dir, c->name, why);
		ok = false;
	}
	return ok;
}

/* Reads one configuration's three files and summarises its complete runs.
 * Returns 0, or 1 after printing why. */
static int summarize_config(const char *dir, struct summary_config *c,
			    const struct asked *asked)
{
	char err[1400] = "";
	struct config_rows rows = { 0 };
	bool ok = read_harness_files(dir, c, &rows, err, sizeof(err));

	if (ok && !c->no_complete_run)
		ok = check_asked(dir, c, rows.msgs, rows.n_msgs, asked, err, sizeof(err));
	/* nothing to summarise: the server's samples are not needed either */
	if (ok && !c->no_complete_run)
		ok = summarize_rows(dir, c, &rows, asked, err, sizeof(err));
	if (!ok)
		fprintf(stderr, "summarize: %s\n", err);
	free(rows.msgs);
	free(rows.echoes);
	free(rows.lag);
	return ok ? 0 : 1;
}

static int write_file(const char *dir, const char *file,
		      const struct summary_run *run)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	if (!f)
		return fail("cannot write %s: %s", path, strerror(errno));
	if (!strcmp(file, "summary.md"))
		summary_write_markdown(f, run);
	else if (!strcmp(file, "summary.csv"))
		summary_write_csv(f, run);
	else
		summary_write_latency(f, run);
	if (fclose(f) != 0)
		return fail("cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* The run's item CPU time (the median of its configurations'), and which
 * configurations are within SUMMARY_SAME_WORK of it. */
static int64_t compare_work(struct summary_config *c, int n)
{
	int64_t cpu[MAX_CONFIGS];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!c[i].no_complete_run)
			cpu[k++] = c[i].s.item_cpu;
	int64_t run_cpu = summary_median_of(cpu, (size_t)k);

	for (int i = 0; i < n; i++)
		c[i].comparable = c[i].no_complete_run ||
				  summary_cpu_comparable(c[i].s.item_cpu, run_cpu);
	return run_cpu;
}

/* Summarises each configuration env.txt's configs line (list, cut up
 * here) names, into configs[]; how many, or -1 after saying why. */
static int summarize_configs(const char *dir, char *list, struct summary_config *configs,
			     const struct asked *asked)
{
	int n = 0;

	for (char *save = NULL, *tok = strtok_r(list, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (n == MAX_CONFIGS)
			return -fail("%s/env.txt: more than 16 configurations%s", dir, "");
		if (strlen(tok) >= SUMMARY_CONFIG_NAME_MAX || strchr(tok, '/'))
			return -fail("%s/env.txt: bad configuration name \"%s\"", dir, tok);
		snprintf(configs[n].name, SUMMARY_CONFIG_NAME_MAX, "%s", tok);
		if (summarize_config(dir, &configs[n], asked))
			return -1;
		n++;
	}
	if (n == 0)
		return -fail("%s/env.txt: the \"configs:\" line is empty%s", dir, "");
	return n;
}

/* Says on stderr which runs were left out; how many configurations have
 * a complete run. */
static int report_incomplete(const char *dir, const struct summary_config *configs, int n)
{
	int summarised = 0;
	char rows[96];

	for (int k = 0; k < n; k++) {
		const struct summary_config *c = &configs[k];

		summarised += !c->no_complete_run;
		if (c->incomplete.run)
			fprintf(stderr, "summarize: %s: %s: run %d of %d is incomplete (%s): "
				"left out, %s%s\n", dir, c->name, c->incomplete.run,
				c->incomplete.runs, c->incomplete.why,
				summary_rows_left_out(c, rows, sizeof(rows)),
				c->no_complete_run ? "; no complete run, so the whole "
				"configuration is left out" : "");
	}
	return summarised;
}

int main(int argc, char **argv)
{
	static struct summary_config configs[MAX_CONFIGS];
	char list[1024], run_id[128], params[512], iters[32], rtt[32];

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: summarize RUN_DIR  (e.g. results/latest)\n");
		return 2;
	}
	const char *dir = argv[1];

	if (!envtxt_value(dir, "configs", list, sizeof(list)))
		return fail("%s/env.txt: no \"configs:\" line (not a run directory?)%s",
			    dir, "");
	if (!envtxt_value(dir, "run_id", run_id, sizeof(run_id)))
		snprintf(run_id, sizeof(run_id), "%s", dir);
	if (!envtxt_value(dir, "parameters", params, sizeof(params)))
		snprintf(params, sizeof(params), "(not recorded)");

	int rtt_ms = 0;

	/* "rtt_ms: R (...)": the round trip the delay proxy added */
	if (envtxt_value(dir, "rtt_ms", rtt, sizeof(rtt)) &&
	    (sscanf(rtt, "%d", &rtt_ms) != 1 || rtt_ms < 0 || rtt_ms > 20000))
		return fail("%s/env.txt: rtt_ms \"%s\" is not a round trip in ms",
			    dir, rtt);

	const struct asked asked = { param_int(params, "RUNS"), param_int(params, "ITEMS"),
				     (int64_t)rtt_ms * 1000 };
	int n = summarize_configs(dir, list, configs, &asked);

	if (n < 0)
		return 1;
	if (!report_incomplete(dir, configs, n))
		return fail("%s: no configuration has a complete run: nothing to "
			    "summarise%s", dir, "");

	const struct summary_run run = {
		.run_id = run_id,
		.params = params,
		.iters_per_ms = envtxt_value(dir, "iters_per_ms", iters, sizeof(iters))
				? iters : NULL,
		.item_cpu = compare_work(configs, n),
		.c = configs,
		.n = n,
	};

	if (write_file(dir, "summary.md", &run) || write_file(dir, "summary.csv", &run) ||
	    write_file(dir, "latency.csv", &run))
		return 1;
	summary_write_verdicts(stdout, &run);
	return 0;
}
