/*
 * scaling_write.c: see scaling_write.h. Every formula the tables name is
 * in docs/scaling.md; a failed point is listed with its reason and left
 * out of every number, a noisy one shown and marked.
 */
#include "analysis/scaling_write.h"

#include <stdbool.h>
#include <string.h>

/* "threadpool 6 (cores+4)" or "blocking": the line's name for people. */
static const char *label(const struct scaling_dir *d, const struct scaling_spec *s,
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

/* A measured number, or NaN (which gnuplot skips) when unknown. */
static void csv_or_nan(FILE *f, bool known, const char *fmt, double v, const char *end)
{
	if (known)
		fprintf(f, fmt, v);
	else
		fprintf(f, "NaN");
	fputs(end, f);
}

void scaling_write_points(FILE *f, const struct scaling_dir *d)
{
	fprintf(f, "point,work,variant,threads,pool,series,label,clients,runs,status,"
		"makespan_ms,makespan_min_ms,makespan_max_ms,throughput,"
		"ideal_makespan_ms,ideal_throughput,efficiency,first_p50_ms,first_p99_ms,"
		"first_max_ms,job_mean_ms,item_p50_ms,bystander_max_ms,cpu_ms,others_cores,"
		"item_cpu_ms\n");
	for (size_t k = 0; k < d->n; k++) {
		const struct scaling_spec *s = &d->specs[d->order[k]];
		const struct scaling_result *r = &d->res[d->order[k]];
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
		csv_or_nan(f, r->bystander_max_us >= 0, "%.3f", r->bystander_max_us / 1e3, ",");
		csv_or_nan(f, r->cpu_ms >= 0, "%.0f", r->cpu_ms, ",");
		csv_or_nan(f, r->others_cores >= 0, "%.2f", r->others_cores, ",");
		csv_or_nan(f, r->item_cpu_us >= 0, "%.3f", r->item_cpu_us / 1e3, "\n");
	}
}

/* The points other programs computed during, and the worst of them. */
static size_t busy_points(const struct scaling_dir *d, size_t *worst)
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

/* The title, the parameters, and a warning if the machine was busy. */
static void md_intro(FILE *f, const struct scaling_dir *d)
{
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
}

/* Did every point do the same work? And the noisy ones, if any. */
static void md_same_work(FILE *f, const struct scaling_dir *d)
{
	char a[24];
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
		return;
	}
	fprintf(f, "**Noisy, not comparable** (shown, marked, and left out of the "
		"verdict and the expectations; run again on a quiet machine):\n\n"
		"| point | why |\n|---|---|\n");
	for (size_t k = 0; k < d->n; k++)
		if (d->res[d->order[k]].ok && d->res[d->order[k]].noisy)
			fprintf(f, "| %s | %s |\n", d->specs[d->order[k]].point,
				d->res[d->order[k]].noisy_why);
	fprintf(f, "\n");
}

/* The failed points and why, if any ('|' escaped: it would end the cell). */
static void md_failed(FILE *f, const struct scaling_dir *d)
{
	if (d->measured == d->n)
		return;
	fprintf(f, "## Failed points\n\nLeft out of every table, figure and verdict "
		"below:\n\n| point | why |\n|---|---|\n");
	for (size_t k = 0; k < d->n; k++) {
		if (d->res[d->order[k]].ok)
			continue;
		fprintf(f, "| %s | ", d->specs[d->order[k]].point);
		for (const char *p = d->res[d->order[k]].why; *p; p++)
			fprintf(f, *p == '|' ? "\\|" : "%c", *p);
		fprintf(f, " |\n");
	}
	fprintf(f, "\n");
}

/* The verdict on cores + 4, a row per kind of work. */
static void md_verdict(FILE *f, const struct scaling_dir *d)
{
	fprintf(f, "## Verdict on \"threads = cores + 4\"\n\n");
	fprintf(f, "`--threads %d` (cores + 4) against `--threads %d` (cores) on this "
		"machine's %d cores: the throughput ratio at the largest K both were "
		"measured at; **helps** from %.1fx, **hurts** under %.1fx, **no gain** "
		"between.\n\n", d->p.cores + 4, d->p.cores, d->p.cores, SCALING_HELPS_RATIO,
		SCALING_HURTS_RATIO);
	fprintf(f, "| work | verdict | K | items/s, cores | items/s, cores + 4 | ratio | "
		"ratio at K = %d |\n|---|---|---|---|---|---|---|\n", SCALING_EXPECT_K);
	for (int w = 0; w < SCALING_WORKS; w++) {
		const struct scaling_verdict *v = &d->verdict[w];

		if (!v->measured) {
			fprintf(f, "| %s | not measured | | | | | |\n", v->work);
			continue;
		}
		fprintf(f, "| %s | **%s** | %d | %.1f | %.1f | %.2f | ", v->work, v->word, v->k,
			v->tp_cores, v->tp_more, v->ratio);
		if (v->has_k8)
			fprintf(f, "%.2f |\n", v->ratio_k8);
		else
			fprintf(f, "%s |\n", v->k == SCALING_EXPECT_K ? "(the same)" :
				"not measured");
	}
}

static void md_expectations(FILE *f, const struct scaling_dir *d)
{
	fprintf(f, "\n## Expectations\n\nWhat the issue that asked for this experiment "
		"expected, checked on these numbers:\n\n| expected | measured | met |\n"
		"|---|---|---|\n");
	for (int k = 0; k < SCALING_EXPECTS; k++)
		fprintf(f, "| %s | %s | %s |\n", d->expect[k].what, d->expect[k].measured,
			d->expect[k].met < 0 ? "-" : d->expect[k].met ? "yes" : "**no**");
}

/* One point's row of its work's table. */
static void md_point(FILE *f, const struct scaling_dir *d, const struct scaling_spec *s,
		     const struct scaling_result *r)
{
	char a[24], b[24], c[24], g[24], h[24], i_[24], j[24], l[24], lab[96];

	label(d, s, lab, sizeof(lab));
	if (!r->ok) {
		fprintf(f, "| %s | %d | failed | %s | | | | | | | |\n", lab, s->clients,
			ms(scaling_ideal_us(&d->p, s->work, s->threads, s->clients, 0), a,
			   sizeof(a)));
		return;
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

/* The table of one kind of work, if the sweep measured it. */
static void md_work(FILE *f, const struct scaling_dir *d, const char *work)
{
	bool any = false;

	for (size_t k = 0; k < d->n; k++)
		any = any || !strcmp(d->specs[k].work, work);
	if (!any)
		return;
	fprintf(f, "\n## `--work %s`\n\n", work);
	fprintf(f, "makespan: the first request to the last arrival (median run); "
		"first message: each client's first result, after its request; job: "
		"each client's last result, after its request; item: one item's "
		"compute time; bystander: the worst echo; CPU: the server's, a run. "
		"All in ms.\n\n");
	fprintf(f, "| server | K | makespan | ideal | of ideal | items/s | first "
		"message p50 / p99 / worst | job mean | item | bystander worst | CPU |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < d->n; k++)
		if (!strcmp(d->specs[d->order[k]].work, work))
			md_point(f, d, &d->specs[d->order[k]], &d->res[d->order[k]]);
}

void scaling_write_markdown(FILE *f, const struct scaling_dir *d)
{
	md_intro(f, d);
	md_same_work(f, d);
	md_failed(f, d);
	md_verdict(f, d);
	md_expectations(f, d);
	for (int w = 0; w < SCALING_WORKS; w++)
		md_work(f, d, scaling_works[w]);
}

void scaling_write_verdict(FILE *f, const struct scaling_dir *d)
{
	fprintf(f, "verdict on \"threads = cores + 4\" (%d cores: --threads %d against "
		"--threads %d; helps from %.1fx, hurts under %.1fx):\n", d->p.cores,
		d->p.cores + 4, d->p.cores, SCALING_HELPS_RATIO, SCALING_HURTS_RATIO);
	for (int w = 0; w < SCALING_WORKS; w++) {
		const struct scaling_verdict *v = &d->verdict[w];

		if (!v->measured) {
			fprintf(f, "  %-6s not measured: no K with both --threads %d and "
				"--threads %d\n", v->work, v->cores, v->more);
			continue;
		}
		fprintf(f, "  %-6s %-8s x%.2f at K = %d (%.1f against %.1f items/s)", v->work,
			v->word, v->ratio, v->k, v->tp_more, v->tp_cores);
		if (v->has_k8)
			fprintf(f, "; x%.2f at K = %d", v->ratio_k8, SCALING_EXPECT_K);
		fprintf(f, "\n");
	}
	fprintf(f, "expectations:\n");
	for (int k = 0; k < SCALING_EXPECTS; k++)
		fprintf(f, "  %-3s %s: %s\n", d->expect[k].met < 0 ? "-" :
			d->expect[k].met ? "yes" : "NO", d->expect[k].what,
			d->expect[k].measured);

	size_t worst = 0, busy = busy_points(d, &worst);

	if (busy)
		fprintf(f, "busy: other programs computed during %zu of %zu points (up to "
			"%.2f cores, during %s): the cpu numbers are not to be trusted; run "
			"again on an idle machine\n", busy, d->n, d->res[worst].others_cores,
			d->specs[worst].point);
	for (size_t k = 0; k < d->n; k++)
		if (d->res[d->order[k]].ok && d->res[d->order[k]].noisy)
			fprintf(f, "noisy: %s: %s (left out of the verdict)\n",
				d->specs[d->order[k]].point, d->res[d->order[k]].noisy_why);
	if (d->measured < d->n)
		fprintf(f, "failed: %zu of %zu points (left out; scaling.md says why)\n",
			d->n - d->measured, d->n);
}
