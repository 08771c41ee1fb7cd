/*
 * scaling_main.c: build/scaling-summarize, the numbers of a scaling sweep.
 *
 *   build/scaling-summarize results/<run-id>      (a run of scripts/scaling.sh)
 *
 * Reads env.txt (ITEMS, WORK_MS, RUNS, CORES), plan.csv (every point),
 * sweep.csv (what happened to each) and each point's messages and
 * bystander CSVs, computes each point's numbers (analysis/scaling.h), and
 * writes into the same directory:
 *   points.csv   one row per point, for the plots and anyone's scripts
 *   scaling.md   the tables, the verdict on "cores + 4" and the expectations
 * and prints the verdict and the expectations to stdout.
 *
 * Same work: every server of a sweep runs the same iterations per item
 * (env.txt's iters_per_ms); the cpu ideal is computed from the sweep's
 * median item CPU time, and a point whose items' CPU time is more than
 * SCALING_SAME_WORK off it, or that beats its ideal by more than
 * SCALING_EFFICIENCY_MAX, is "noisy": shown, marked, and left out of the
 * verdict and the expectations (scaling_rate()).
 *
 * A point the harness gave up on (exit status not 0, a "# incomplete"
 * line), that the sweep never reached, or whose rows are not whole is a
 * failed point: its row in points.csv says "failed" with NaN numbers,
 * scaling.md and stderr say why, and it takes no part in a verdict. Exit
 * status 0: every point measured; 3: some failed; 1: nothing to
 * summarise, or env.txt, plan.csv or sweep.csv unreadable; 2: usage.
 */
#include "analysis/envtxt.h"
#include "analysis/scaling.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKS 2
static const char *const works[WORKS] = { "cpu", "sleep" };

struct sweep_dir {
	const char *dir;
	char run_id[128];
	char params_line[512];
	char iters_per_ms[32];	/* env.txt's, or "" */
	struct scaling_params p;
	struct scaling_spec *specs;
	struct scaling_result *res;
	size_t n;
	struct scaling_sweep *sweep;
	size_t n_sweep;
};

static int fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "scaling-summarize: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

static FILE *open_in(const char *dir, const char *file, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, file);
	return fopen(path, "r");
}

/* The first line of a point's harness stderr: the harness's reason. */
static bool harness_reason(const char *dir, const char *point, char *out, size_t cap)
{
	char file[256], path[1024];
	FILE *f;

	snprintf(file, sizeof(file), "%s.harness.stderr", point);
	f = open_in(dir, file, path, sizeof(path));
	if (!f)
		return false;
	bool got = fgets(out, (int)cap, f) != NULL;

	fclose(f);
	if (got)
		out[strcspn(out, "\n")] = '\0';
	return got && out[0];
}

/* Reads and computes one point into *r; on any failure r->ok is false and
 * r->why says why. */
static void measure_point(const struct sweep_dir *d, const struct scaling_spec *s,
			  struct scaling_result *r)
{
	const struct scaling_sweep *sw = NULL;
	struct scaling_msg *msgs = NULL;
	struct report_echo *echoes = NULL;
	size_t n_msgs = 0, n_echoes = 0;
	struct csvin_incomplete mmark = { 0 }, bmark = { 0 };
	char path[1024], file[256], err[1400] = "", variant[SCALING_NAME_MAX];
	FILE *f;
	bool read_ok = false;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < d->n_sweep; i++)
		if (!strcmp(d->sweep[i].point, s->point))
			sw = &d->sweep[i];
	if (!sw) {
		snprintf(r->why, sizeof(r->why), "not run: sweep.csv has no row for it "
			 "(the sweep stopped before it?)");
		return;
	}

	snprintf(file, sizeof(file), "%s.messages.csv", s->point);
	f = open_in(d->dir, file, path, sizeof(path));
	if (!f) {
		snprintf(err, sizeof(err), "cannot open %s: %s", path, strerror(errno));
	} else {
		read_ok = scaling_read_messages(f, path, &msgs, &n_msgs, variant,
						sizeof(variant), &mmark, err, sizeof(err));
		fclose(f);
	}
	if (read_ok) {
		snprintf(file, sizeof(file), "%s.bystander.csv", s->point);
		f = open_in(d->dir, file, path, sizeof(path));
		if (!f) {
			snprintf(err, sizeof(err), "cannot open %s: %s", path, strerror(errno));
			read_ok = false;
		} else {
			read_ok = csvin_echoes(f, path, &echoes, &n_echoes, &bmark, err,
					       sizeof(err));
			fclose(f);
		}
	}

	char reason[600] = "";

	if (mmark.run || bmark.run) {
		const struct csvin_incomplete *m = mmark.run ? &mmark : &bmark;

		snprintf(r->why, sizeof(r->why), "run %d of %d: %s (harness exit %d)",
			 m->run, m->runs, m->why, sw->harness_exit);
	} else if (sw->harness_exit != 0) {
		if (!harness_reason(d->dir, s->point, reason, sizeof(reason)))
			snprintf(reason, sizeof(reason), "no reason recorded");
		snprintf(r->why, sizeof(r->why), "harness exit %d: %.500s", sw->harness_exit,
			 reason);
	} else if (!read_ok) {
		snprintf(r->why, sizeof(r->why), "%.550s", err);
	} else if (n_msgs && strcmp(variant, s->variant)) {
		snprintf(r->why, sizeof(r->why), "the results are from server-%s, not "
			 "server-%s", variant, s->variant);
	} else if (!scaling_compute(&d->p, s, msgs, n_msgs, echoes, n_echoes, sw, r, err,
				    sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "%s.messages.csv: %.500s", s->point, err);
	}
	free(msgs);
	free(echoes);
}

/* Where a variant goes in every table: the order the docs use. */
static int variant_rank(const char *v)
{
	static const char *const order[] = { "blocking", "flush", "pingpong", "threadpool" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(v, order[i]))
			return i;
	return 4;
}

static const struct sweep_dir *sort_dir;

/* work, variant, pool, K: each line of a plot is one run of rows */
static int point_cmp(const void *a, const void *b)
{
	const struct scaling_spec *x = &sort_dir->specs[*(const size_t *)a];
	const struct scaling_spec *y = &sort_dir->specs[*(const size_t *)b];
	int c = strcmp(x->work, y->work);

	if (!c)
		c = variant_rank(x->variant) - variant_rank(y->variant);
	if (!c)
		c = strcmp(x->variant, y->variant);
	if (!c)
		c = (x->threads > y->threads) - (x->threads < y->threads);
	if (!c)
		c = (x->clients > y->clients) - (x->clients < y->clients);
	return c;
}

/* "threadpool 6 (cores+4)" or "blocking": the line's name for people. */
static const char *label(const struct sweep_dir *d, const struct scaling_spec *s,
			 char *buf, size_t cap)
{
	char pool[24];

	if (scaling_serial(s->variant))
		snprintf(buf, cap, "%s", s->variant);
	else if (strcmp(scaling_pool_name(s, d->p.cores, pool, sizeof(pool)), "") &&
		 strspn(pool, "0123456789") != strlen(pool))
		snprintf(buf, cap, "%s %d (%s)", s->variant, s->threads, pool);
	else
		snprintf(buf, cap, "%s %d", s->variant, s->threads);
	return buf;
}

/* Milliseconds: one decimal under 10 ms, whole above. */
static const char *ms(int64_t us, char *buf, size_t cap)
{
	double v = (double)us / 1000.0;

	snprintf(buf, cap, v < 10 && v > -10 ? "%.1f" : "%.0f", v);
	return buf;
}

static void write_points(FILE *f, const struct sweep_dir *d, const size_t *order)
{
	fprintf(f, "point,work,variant,threads,pool,series,label,clients,runs,status,"
		"makespan_ms,makespan_min_ms,makespan_max_ms,throughput,"
		"ideal_makespan_ms,ideal_throughput,efficiency,first_p50_ms,first_p99_ms,"
		"first_max_ms,job_mean_ms,item_p50_ms,bystander_max_ms,cpu_ms,others_cores,"
		"item_cpu_ms\n");
	for (size_t k = 0; k < d->n; k++) {
		const struct scaling_spec *s = &d->specs[order[k]];
		const struct scaling_result *r = &d->res[order[k]];
		char pool[24], lab[96];
		int64_t ideal = scaling_ideal_us(&d->p, s->work, s->threads, s->clients, 0);

		scaling_pool_name(s, d->p.cores, pool, sizeof(pool));
		fprintf(f, "%s,%s,%s,%d,%s,%s-%d,%s,%d,%d,%s,", s->point, s->work, s->variant,
			s->threads, pool[0] ? pool : "serial", s->variant, s->threads,
			label(d, s, lab, sizeof(lab)), s->clients, d->p.runs,
			!r->ok ? "failed" : r->noisy ? "noisy" : "ok");
		if (!r->ok) {
			/* the ideal is known; gnuplot skips the NaN */
			fprintf(f, "NaN,NaN,NaN,NaN,%.3f,%.3f,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,"
				"NaN\n",
				(double)ideal / 1e3,
				(double)s->clients * d->p.items * 1e6 / (double)ideal);
			continue;
		}
		fprintf(f, "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,",
			r->makespan_us / 1e3, r->makespan_min_us / 1e3, r->makespan_max_us / 1e3,
			r->throughput, r->ideal_us / 1e3, r->ideal_throughput, r->efficiency,
			r->first_p50_us / 1e3, r->first_p99_us / 1e3, r->first_max_us / 1e3,
			r->job_mean_us / 1e3, r->item_p50_us / 1e3);
		if (r->bystander_max_us >= 0)
			fprintf(f, "%.3f,", r->bystander_max_us / 1e3);
		else
			fprintf(f, "NaN,");
		if (r->cpu_ms >= 0)
			fprintf(f, "%.0f,", r->cpu_ms);
		else
			fprintf(f, "NaN,");
		if (r->others_cores >= 0)
			fprintf(f, "%.2f,", r->others_cores);
		else
			fprintf(f, "NaN,");
		if (r->item_cpu_us >= 0)
			fprintf(f, "%.3f\n", r->item_cpu_us / 1e3);
		else
			fprintf(f, "NaN\n");
	}
}

/* The points other programs computed during, and the worst of them. */
static size_t busy_points(const struct sweep_dir *d, size_t *worst)
{
	size_t n = 0;

	for (size_t k = 0; k < d->n; k++) {
		if (!scaling_busy(&d->res[k]))
			continue;
		if (!n || d->res[k].others_cores > d->res[*worst].others_cores)
			*worst = k;
		n++;
	}
	return n;
}

static void print_verdict(FILE *f, const struct sweep_dir *d,
			  const struct scaling_verdict *v, bool markdown)
{
	if (!markdown) {
		if (!v->measured) {
			printf("  %-6s not measured: no K with both --threads %d and --threads %d\n",
			       v->work, v->cores, v->more);
			return;
		}
		printf("  %-6s %-8s x%.2f at K = %d (%.1f against %.1f items/s)", v->work,
		       v->word, v->ratio, v->k, v->tp_more, v->tp_cores);
		if (v->has_k8)
			printf("; x%.2f at K = %d", v->ratio_k8, SCALING_EXPECT_K);
		printf("\n");
		return;
	}
	if (!v->measured) {
		fprintf(f, "| %s | not measured | | | | | |\n", v->work);
		return;
	}
	fprintf(f, "| %s | **%s** | %d | %.1f | %.1f | %.2f | ", v->work, v->word, v->k,
		v->tp_cores, v->tp_more, v->ratio);
	if (v->has_k8)
		fprintf(f, "%.2f |\n", v->ratio_k8);
	else
		fprintf(f, "%s |\n", v->k == SCALING_EXPECT_K ? "(the same)" : "not measured");
	(void)d;
}

static void write_markdown(FILE *f, const struct sweep_dir *d, const size_t *order,
			   const struct scaling_verdict *v, const struct scaling_expect *e)
{
	char a[24], b[24], c[24], g[24], h[24], i_[24], j[24], l[24], lab[96];
	bool any_failed = false;

	fprintf(f, "# Scaling sweep %s\n\n", d->run_id);
	fprintf(f, "Parameters: %s. Each point: K clients send one job of %d x %d ms "
		"at the same moment while a bystander echoes, %d run%s. Machine, "
		"versions and commit: `env.txt`. Every formula: docs/scaling.md.\n\n",
		d->params_line, d->p.items, d->p.work_ms, d->p.runs, d->p.runs == 1 ? "" : "s");

	size_t worst = 0, busy = busy_points(d, &worst);

	if (busy) {
		fprintf(f, "**The machine was busy** during %zu of %zu points: other "
			"programs used %.2f cores or more on average (the most: %.2f, "
			"during %s; `others_cores` in points.csv). They slow the `--work "
			"cpu` points, and a pool of more threads than cores then takes a "
			"bigger share of the CPU from them, which looks like a gain from "
			"cores + 4. Run the sweep again on an idle machine.\n\n", busy, d->n,
			SCALING_BUSY_CORES, d->res[worst].others_cores, d->specs[worst].point);
	}
	size_t noisy = 0;

	for (size_t k = 0; k < d->n; k++)
		noisy += d->res[k].ok && d->res[k].noisy;
	fprintf(f, "**Same work?** Every server computed the same iterations per item "
		"(`--iters-per-ms %s`). The median cpu item's CPU time, over the points "
		"with as many items computing at once:", d->iters_per_ms[0] ?
		d->iters_per_ms : "?");
	for (int lanes = 1; lanes <= d->p.cores; lanes++) {
		int64_t us = scaling_cpu_item_us(&d->p, d->specs, d->res, d->n, lanes);

		if (us > 0)
			fprintf(f, " %s ms with %d at once;", ms(us, a, sizeof(a)), lanes);
	}
	fprintf(f, " each point's cpu ideal uses its own median run's items. ");
	if (!noisy) {
		fprintf(f, "No point is more than %.0f%% off its figure or above %.0f%% of "
			"its ideal.\n\n", 100 * SCALING_SAME_WORK, 100 * SCALING_EFFICIENCY_MAX);
	} else {
		fprintf(f, "**Noisy, not comparable** (shown, marked, and left out of the "
			"verdict and the expectations; run again on a quiet machine):\n\n"
			"| point | why |\n|---|---|\n");
		for (size_t k = 0; k < d->n; k++)
			if (d->res[order[k]].ok && d->res[order[k]].noisy)
				fprintf(f, "| %s | %s |\n", d->specs[order[k]].point,
					d->res[order[k]].noisy_why);
		fprintf(f, "\n");
	}
	for (size_t k = 0; k < d->n; k++)
		any_failed = any_failed || !d->res[k].ok;
	if (any_failed) {
		fprintf(f, "## Failed points\n\nLeft out of every table, figure and verdict "
			"below:\n\n| point | why |\n|---|---|\n");
		for (size_t k = 0; k < d->n; k++) {
			if (d->res[order[k]].ok)
				continue;
			fprintf(f, "| %s | ", d->specs[order[k]].point);
			for (const char *p = d->res[order[k]].why; *p; p++)
				fprintf(f, *p == '|' ? "\\|" : "%c", *p);
			fprintf(f, " |\n");
		}
		fprintf(f, "\n");
	}

	fprintf(f, "## Verdict on \"threads = cores + 4\"\n\n");
	fprintf(f, "`--threads %d` (cores + 4) against `--threads %d` (cores) on this "
		"machine's %d cores: the throughput ratio at the largest K both were "
		"measured at; **helps** from %.1fx, **hurts** under %.1fx, **no gain** "
		"between.\n\n", d->p.cores + 4, d->p.cores, d->p.cores, SCALING_HELPS_RATIO,
		SCALING_HURTS_RATIO);
	fprintf(f, "| work | verdict | K | items/s, cores | items/s, cores + 4 | ratio | "
		"ratio at K = %d |\n|---|---|---|---|---|---|---|\n", SCALING_EXPECT_K);
	for (int w = 0; w < WORKS; w++)
		print_verdict(f, d, &v[w], true);

	fprintf(f, "\n## Expectations\n\nWhat the issue that asked for this experiment "
		"expected, checked on these numbers:\n\n| expected | measured | met |\n"
		"|---|---|---|\n");
	for (int k = 0; k < SCALING_EXPECTS; k++)
		fprintf(f, "| %s | %s | %s |\n", e[k].what, e[k].measured,
			e[k].met < 0 ? "-" : e[k].met ? "yes" : "**no**");

	for (int w = 0; w < WORKS; w++) {
		bool any = false;

		for (size_t k = 0; k < d->n; k++)
			any = any || !strcmp(d->specs[k].work, works[w]);
		if (!any)
			continue;
		fprintf(f, "\n## `--work %s`\n\n", works[w]);
		fprintf(f, "makespan: the first request to the last arrival (median run); "
			"first message: each client's first result, after its request; job: "
			"each client's last result, after its request; item: one item's "
			"compute time; bystander: the worst echo; CPU: the server's, a run. "
			"All in ms.\n\n");
		fprintf(f, "| server | K | makespan | ideal | of ideal | items/s | first "
			"message p50 / p99 / worst | job mean | item | bystander worst | CPU |\n"
			"|---|---|---|---|---|---|---|---|---|---|---|\n");
		for (size_t k = 0; k < d->n; k++) {
			const struct scaling_spec *s = &d->specs[order[k]];
			const struct scaling_result *r = &d->res[order[k]];

			if (strcmp(s->work, works[w]))
				continue;
			label(d, s, lab, sizeof(lab));
			if (!r->ok) {
				fprintf(f, "| %s | %d | failed | %s | | | | | | | |\n", lab,
					s->clients, ms(scaling_ideal_us(&d->p, s->work,
						s->threads, s->clients, 0), a, sizeof(a)));
				continue;
			}
			fprintf(f, "| %s%s | %d | %s | %s | %.0f%% | %.1f | %s / %s / %s | %s | "
				"%s | %s | ", lab, r->noisy ? " (noisy)" : "", s->clients,
				ms(r->makespan_us, a, sizeof(a)),
				ms(r->ideal_us, b, sizeof(b)), r->efficiency * 100, r->throughput,
				ms(r->first_p50_us, c, sizeof(c)), ms(r->first_p99_us, g, sizeof(g)),
				ms(r->first_max_us, h, sizeof(h)), ms(r->job_mean_us, i_, sizeof(i_)),
				ms(r->item_p50_us, j, sizeof(j)),
				r->bystander_max_us >= 0 ? ms(r->bystander_max_us, l, sizeof(l)) : "-");
			if (r->cpu_ms >= 0)
				fprintf(f, "%.0f |\n", r->cpu_ms);
			else
				fprintf(f, "- |\n");
		}
	}
}

static int write_file(const char *dir, const char *file, const struct sweep_dir *d,
		      const size_t *order, const struct scaling_verdict *v,
		      const struct scaling_expect *e)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	if (!f)
		return fail("cannot write %s: %s", path, strerror(errno));
	if (!strcmp(file, "points.csv"))
		write_points(f, d, order);
	else
		write_markdown(f, d, order, v, e);
	if (fclose(f) != 0)
		return fail("cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Reads plan.csv or sweep.csv with its reader; 0, or 1 after saying why. */
static int read_table(struct sweep_dir *d, const char *file, bool plan)
{
	char path[1024], err[1400];
	FILE *f = open_in(d->dir, file, path, sizeof(path));
	bool ok;

	if (!f)
		return fail("cannot open %s: %s", path, strerror(errno));
	if (plan)
		ok = scaling_read_plan(f, path, &d->specs, &d->n, err, sizeof(err));
	else
		ok = scaling_read_sweep(f, path, &d->sweep, &d->n_sweep, err, sizeof(err));
	fclose(f);
	if (!ok)
		return fail("%s%s", err, "");
	return 0;
}

int main(int argc, char **argv)
{
	static struct sweep_dir d;
	char err[256];

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: scaling-summarize RUN_DIR  (e.g. results/latest-scaling)\n");
		return 2;
	}
	d.dir = argv[1];
	if (!envtxt_value(d.dir, "parameters", d.params_line, sizeof(d.params_line)))
		return fail("%s/env.txt: no \"parameters:\" line (not a scaling run?)%s",
			    d.dir, "");
	if (!scaling_parse_params(d.params_line, &d.p, err, sizeof(err)))
		return fail("%s/env.txt: parameters: %s", d.dir, err);
	if (!envtxt_value(d.dir, "run_id", d.run_id, sizeof(d.run_id)))
		snprintf(d.run_id, sizeof(d.run_id), "%s", d.dir);
	if (read_table(&d, "plan.csv", true) || read_table(&d, "sweep.csv", false))
		return 1;
	if (d.n == 0)
		return fail("%s/plan.csv: no points%s", d.dir, "");

	d.res = calloc(d.n, sizeof(*d.res));
	size_t *order = malloc(d.n * sizeof(*order));

	if (!d.res || !order)
		return fail("out of memory%s%s", "", "");
	size_t measured = 0;

	for (size_t k = 0; k < d.n; k++) {
		order[k] = k;
		measure_point(&d, &d.specs[k], &d.res[k]);
		measured += d.res[k].ok;
	}
	/* the sweep's cpu items are known only now: hold every point against
	 * those with as many items computing at once */
	for (size_t k = 0; k < d.n; k++)
		scaling_rate(&d.p, &d.specs[k],
			     scaling_cpu_item_us(&d.p, d.specs, d.res, d.n,
						 scaling_lanes(&d.p, &d.specs[k])),
			     &d.res[k]);
	if (!envtxt_value(d.dir, "iters_per_ms", d.iters_per_ms, sizeof(d.iters_per_ms)))
		d.iters_per_ms[0] = '\0';
	sort_dir = &d;
	qsort(order, d.n, sizeof(*order), point_cmp);

	struct scaling_verdict v[WORKS];
	struct scaling_expect e[SCALING_EXPECTS];

	for (int w = 0; w < WORKS; w++)
		scaling_verdict(d.specs, d.res, d.n, d.p.cores, works[w], &v[w]);
	scaling_expectations(d.specs, d.res, d.n, d.p.cores, e);

	if (measured && (write_file(d.dir, "points.csv", &d, order, v, e) ||
			 write_file(d.dir, "scaling.md", &d, order, v, e)))
		return 1;

	for (size_t k = 0; k < d.n; k++)
		if (!d.res[order[k]].ok)
			fprintf(stderr, "scaling-summarize: %s: failed point %s: %s\n", d.dir,
				d.specs[order[k]].point, d.res[order[k]].why);
	if (!measured)
		return fail("%s: no point was measured: nothing to summarise%s", d.dir, "");

	printf("verdict on \"threads = cores + 4\" (%d cores: --threads %d against "
	       "--threads %d; helps from %.1fx, hurts under %.1fx):\n", d.p.cores,
	       d.p.cores + 4, d.p.cores, SCALING_HELPS_RATIO, SCALING_HURTS_RATIO);
	for (int w = 0; w < WORKS; w++)
		print_verdict(stdout, &d, &v[w], false);
	printf("expectations:\n");
	for (int k = 0; k < SCALING_EXPECTS; k++)
		printf("  %-3s %s: %s\n", e[k].met < 0 ? "-" : e[k].met ? "yes" : "NO",
		       e[k].what, e[k].measured);
	size_t worst = 0, busy = busy_points(&d, &worst);

	if (busy)
		printf("busy: other programs computed during %zu of %zu points (up to %.2f "
		       "cores, during %s): the cpu numbers are not to be trusted; run again "
		       "on an idle machine\n", busy, d.n, d.res[worst].others_cores,
		       d.specs[worst].point);
	for (size_t k = 0; k < d.n; k++)
		if (d.res[order[k]].ok && d.res[order[k]].noisy)
			printf("noisy: %s: %s (left out of the verdict)\n",
			       d.specs[order[k]].point, d.res[order[k]].noisy_why);
	if (measured < d.n)
		printf("failed: %zu of %zu points (left out; scaling.md says why)\n",
		       d.n - measured, d.n);
	free(order);
	free(d.res);
	free(d.specs);
	free(d.sweep);
	return measured < d.n ? 3 : 0;
}
