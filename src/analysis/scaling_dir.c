/*
 * scaling_dir.c: see scaling_dir.h. A point that the sweep never reached,
 * that the harness gave up on (exit status not 0, a "# incomplete" line)
 * or whose rows are not whole is a failed point: its result says why, and
 * it takes no part in a verdict.
 */
#include "analysis/scaling_dir.h"

#include "analysis/envtxt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scaling_works[SCALING_WORKS] = { "cpu", "sleep" };

static FILE *scaling_dir_open(const char *dir, const char *file, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, file);
	return fopen(path, "r");
}

/* The first line of a point's harness stderr: the harness's reason. */
static bool scaling_dir_harness_reason(const char *dir, const char *point, char *out,
				       size_t cap)
{
	char file[256], path[1024];
	FILE *f;

	snprintf(file, sizeof(file), "%s.harness.stderr", point);
	f = scaling_dir_open(dir, file, path, sizeof(path));
	if (!f)
		return false;
	bool got = fgets(out, (int)cap, f) != NULL;

	fclose(f);
	if (got)
		out[strcspn(out, "\n")] = '\0';
	return got && out[0];
}

/* A point's two harness files, as read: the bystander's only if the
 * messages were; ok if both were, else err says why. */
struct scaling_point_files {
	struct scaling_msg *msgs;
	struct report_echo *echoes;
	size_t n_msgs, n_echoes;
	struct csvin_incomplete mmark, bmark;
	char variant[SCALING_NAME_MAX];
	char err[1400];
	bool ok;
};

static void scaling_dir_read_point(const struct scaling_dir *d, const char *point,
				   struct scaling_point_files *pf)
{
	char path[1024], file[256];
	FILE *f;

	snprintf(file, sizeof(file), "%s.messages.csv", point);
	f = scaling_dir_open(d->dir, file, path, sizeof(path));
	if (!f) {
		snprintf(pf->err, sizeof(pf->err), "cannot open %s: %s", path, strerror(errno));
		return;
	}
	pf->ok = scaling_read_messages(f, path, &pf->msgs, &pf->n_msgs, pf->variant,
				       sizeof(pf->variant), &pf->mmark, pf->err,
				       sizeof(pf->err));
	fclose(f);
	if (!pf->ok)
		return;
	snprintf(file, sizeof(file), "%s.bystander.csv", point);
	f = scaling_dir_open(d->dir, file, path, sizeof(path));
	if (!f) {
		snprintf(pf->err, sizeof(pf->err), "cannot open %s: %s", path, strerror(errno));
		pf->ok = false;
		return;
	}
	pf->ok = csvin_echoes(f, path, &pf->echoes, &pf->n_echoes, &pf->bmark, pf->err,
			      sizeof(pf->err));
	fclose(f);
}

/* Reads and computes one point into *r; on any failure r->ok is false and
 * r->why says why. */
static void scaling_dir_measure_point(const struct scaling_dir *d,
				      const struct scaling_spec *s, struct scaling_result *r)
{
	const struct scaling_sweep *sw = NULL;
	struct scaling_point_files pf = { 0 };
	char reason[600] = "", err[1400] = "";

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < d->n_sweep; i++)
		if (!strcmp(d->sweep[i].point, s->point))
			sw = &d->sweep[i];
	if (!sw) {
		snprintf(r->why, sizeof(r->why), "not run: sweep.csv has no row for it "
			 "(the sweep stopped before it?)");
		return;
	}
	scaling_dir_read_point(d, s->point, &pf);
	if (pf.mmark.run || pf.bmark.run) {
		const struct csvin_incomplete *m = pf.mmark.run ? &pf.mmark : &pf.bmark;

		snprintf(r->why, sizeof(r->why), "run %d of %d: %s (harness exit %d)",
			 m->run, m->runs, m->why, sw->harness_exit);
	} else if (sw->harness_exit != 0) {
		if (!scaling_dir_harness_reason(d->dir, s->point, reason, sizeof(reason)))
			snprintf(reason, sizeof(reason), "no reason recorded");
		snprintf(r->why, sizeof(r->why), "harness exit %d: %.500s", sw->harness_exit,
			 reason);
	} else if (!pf.ok) {
		snprintf(r->why, sizeof(r->why), "%.550s", pf.err);
	} else if (pf.n_msgs && strcmp(pf.variant, s->variant)) {
		snprintf(r->why, sizeof(r->why), "the results are from server-%s, not "
			 "server-%s", pf.variant, s->variant);
	} else if (!scaling_compute(&d->p, s, pf.msgs, pf.n_msgs, pf.echoes, pf.n_echoes,
				    sw, r, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "%s.messages.csv: %.500s", s->point, err);
	}
	free(pf.msgs);
	free(pf.echoes);
}

/* Where a variant goes in every table: the order the docs use. */
static int scaling_dir_variant_rank(const char *v)
{
	static const char *const order[] = { "blocking", "flush", "pingpong", "threadpool",
					     "partition" };
	const int n = (int)(sizeof(order) / sizeof(order[0]));

	for (int i = 0; i < n; i++)
		if (!strcmp(v, order[i]))
			return i;
	return n;
}

static const struct scaling_dir *sort_dir;	/* qsort() takes no context */

/* work, variant, pool, K: each line of a plot is one run of rows */
static int scaling_dir_point_cmp(const void *a, const void *b)
{
	const struct scaling_spec *x = &sort_dir->specs[*(const size_t *)a];
	const struct scaling_spec *y = &sort_dir->specs[*(const size_t *)b];
	int c = strcmp(x->work, y->work);

	if (!c)
		c = scaling_dir_variant_rank(x->variant) - scaling_dir_variant_rank(y->variant);
	if (!c)
		c = strcmp(x->variant, y->variant);
	if (!c)
		c = (x->threads > y->threads) - (x->threads < y->threads);
	if (!c)
		c = (x->clients > y->clients) - (x->clients < y->clients);
	return c;
}

/* Reads plan.csv or sweep.csv with its reader; false with err set. */
static bool scaling_dir_table(struct scaling_dir *d, const char *file, bool plan,
			      char *err, size_t errcap)
{
	char path[1024];
	FILE *f = scaling_dir_open(d->dir, file, path, sizeof(path));
	bool ok;

	if (!f) {
		snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (plan)
		ok = scaling_read_plan(f, path, &d->specs, &d->n, err, errcap);
	else
		ok = scaling_read_sweep(f, path, &d->sweep, &d->n_sweep, err, errcap);
	fclose(f);
	return ok;
}

bool scaling_dir_read(struct scaling_dir *d, const char *dir, char *err, size_t errcap)
{
	char why[256];

	memset(d, 0, sizeof(*d));
	d->dir = dir;
	if (!envtxt_value(dir, "parameters", d->params_line, sizeof(d->params_line))) {
		snprintf(err, errcap, "%s/env.txt: no \"parameters:\" line (not a scaling "
			 "run?)", dir);
		return false;
	}
	if (!scaling_parse_params(d->params_line, &d->p, why, sizeof(why))) {
		snprintf(err, errcap, "%s/env.txt: parameters: %s", dir, why);
		return false;
	}
	if (!envtxt_value(dir, "run_id", d->run_id, sizeof(d->run_id)))
		snprintf(d->run_id, sizeof(d->run_id), "%s", dir);
	if (!scaling_dir_table(d, "plan.csv", true, err, errcap) ||
	    !scaling_dir_table(d, "sweep.csv", false, err, errcap))
		return false;
	if (d->n == 0) {
		snprintf(err, errcap, "%s/plan.csv: no points", dir);
		return false;
	}
	d->res = calloc(d->n, sizeof(*d->res));
	d->order = malloc(d->n * sizeof(*d->order));
	if (!d->res || !d->order) {
		snprintf(err, errcap, "out of memory");
		return false;
	}
	if (!envtxt_value(dir, "iters_per_ms", d->iters_per_ms, sizeof(d->iters_per_ms)))
		d->iters_per_ms[0] = '\0';
	return true;
}

void scaling_dir_measure(struct scaling_dir *d)
{
	for (size_t k = 0; k < d->n; k++) {
		d->order[k] = k;
		scaling_dir_measure_point(d, &d->specs[k], &d->res[k]);
		d->measured += d->res[k].ok;
	}
	/* the sweep's cpu items are known only now: hold every point against
	 * those with as many items computing at once */
	for (size_t k = 0; k < d->n; k++)
		scaling_rate(&d->p, &d->specs[k],
			     scaling_cpu_item_us(&d->p, d->specs, d->res, d->n,
						 scaling_lanes(&d->p, &d->specs[k])),
			     &d->res[k]);
	sort_dir = d;
	qsort(d->order, d->n, sizeof(*d->order), scaling_dir_point_cmp);
	for (int w = 0; w < SCALING_WORKS; w++)
		scaling_verdict(d->specs, d->res, d->n, d->p.cores, scaling_works[w],
				&d->verdict[w]);
	scaling_expectations(d->specs, d->res, d->n, d->p.cores, d->expect);
}

void scaling_dir_free(struct scaling_dir *d)
{
	free(d->order);
	free(d->res);
	free(d->specs);
	free(d->sweep);
}
