/*
 * scaling.c: one point's numbers (see scaling.h): its makespan, throughput,
 * ideal and efficiency, first messages, bystander and CPU, and whether it
 * is comparable with the sweep's other points. The formulas live here and
 * in docs/scaling.md; change both together. Reading the files:
 * scaling_read.c; the verdict and the expectations: scaling_verdict.c.
 */
#include "analysis/scaling.h"

#include "common/cli.h"
#include "common/stats.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool scaling_serial(const char *variant)
{
	return strcmp(variant, "threadpool") != 0;
}

int64_t scaling_ideal_us(const struct scaling_params *p, const char *work, int threads,
			 int clients, int64_t item_us)
{
	double one = (double)p->work_ms * 1000.0;

	if (!strcmp(work, "cpu") && item_us > 0)
		one = (double)item_us;
	double job_us = (double)p->items * one;
	int lanes = threads;	/* what runs jobs side by side */

	if (!strcmp(work, "cpu") && p->cores < lanes)
		lanes = p->cores;
	if (lanes < 1)
		lanes = 1;
	double spread = (double)clients * job_us / lanes;

	return (int64_t)llround(spread > job_us ? spread : job_us);
}

const char *scaling_pool_name(const struct scaling_spec *s, int cores, char *buf,
			      size_t cap)
{
	if (scaling_serial(s->variant))
		snprintf(buf, cap, "%s", "");
	else if (s->threads == cores)
		snprintf(buf, cap, "cores");
	else if (s->threads == cores + 4)
		snprintf(buf, cap, "cores+4");
	else if (s->threads == 4 * cores)
		snprintf(buf, cap, "4xcores");
	else
		snprintf(buf, cap, "%d", s->threads);
	return buf;
}

/* Sorts v[0..n) and returns its nearest-rank percentile p. */
static int64_t scaling_pct(int64_t *v, size_t n, double p)
{
	struct stats_summary s;

	stats_summarize(v, n, &s);
	return stats_percentile_sorted(v, n, p);
}

/* What scaling_compute() works in: the point's shape, and arrays for its
 * rows by job and for the values it takes medians of. */
struct scaling_work {
	size_t runs, k, items, jobs, n_msgs;
	const struct scaling_msg **slot;	/* by job (run, client), then seq */
	int64_t *first;		/* by job: its first arrival - its request */
	int64_t *span;		/* by run: first request to last arrival */
	int64_t *item;		/* by row: t_done - t_start */
	int64_t *cpu;		/* the rows' cpu_us that were reported */
	size_t n_cpu;
	int64_t *run_cpu;	/* per run's items: the median cpu_us, -1: none */
	int64_t *sorted;	/* span, sorted */
	int64_t *one_run;	/* scratch */
	double job_sum;		/* every job's last arrival - its request */
};

static bool scaling_work_alloc(struct scaling_work *w)
{
	w->slot = calloc(w->jobs * w->items, sizeof(*w->slot));
	w->first = malloc(w->jobs * sizeof(int64_t));
	w->span = malloc(w->runs * sizeof(int64_t));
	w->item = malloc(w->n_msgs * sizeof(int64_t));
	w->cpu = malloc(w->n_msgs * sizeof(int64_t));
	w->run_cpu = malloc(w->runs * sizeof(int64_t));
	w->sorted = malloc(w->runs * sizeof(int64_t));
	w->one_run = malloc(w->k * w->items * sizeof(int64_t));
	return w->slot && w->first && w->span && w->item && w->cpu && w->run_cpu &&
	       w->sorted && w->one_run;
}

static void scaling_work_free(struct scaling_work *w)
{
	free(w->slot);
	free(w->first);
	free(w->span);
	free(w->item);
	free(w->cpu);
	free(w->run_cpu);
	free(w->sorted);
	free(w->one_run);
}

/* Puts each row in its job's slot, checking each is there once and none
 * outside; with n_msgs = jobs x items, every slot is then filled. */
static bool scaling_slot_rows(struct scaling_work *w, const struct scaling_msg *msgs,
			      char *err, size_t errcap)
{
	const size_t runs = w->runs, k = w->k, items = w->items;

	for (size_t i = 0; i < w->n_msgs; i++) {
		const struct scaling_msg *m = &msgs[i];

		if (m->m.run < 1 || (size_t)m->m.run > runs || m->client < 0 ||
		    (size_t)m->client >= k || m->m.seq < 0 || (size_t)m->m.seq >= items)
			return cli_fail(err, errcap, "a result of run %d, client %d, seq %d: "
					"outside runs 1..%zu, clients 0..%zu, seqs 0..%zu",
					m->m.run, m->client, m->m.seq, runs, k - 1, items - 1);
		size_t at = (((size_t)m->m.run - 1) * k + (size_t)m->client) * items +
			    (size_t)m->m.seq;

		if (w->slot[at])
			return cli_fail(err, errcap, "run %d, client %d has result %d twice",
					m->m.run, m->client, m->m.seq);
		w->slot[at] = m;
		w->item[i] = m->m.t_done_us - m->m.t_start_us;
		if (m->m.cpu_us >= 0)
			w->cpu[w->n_cpu++] = m->m.cpu_us;
	}
	return true;
}

/* Per run r: each job's first message and length, the run's span, and
 * its items' median CPU time. */
static void scaling_run_numbers(struct scaling_work *w, size_t r)
{
	const size_t k = w->k, items = w->items;
	int64_t from = INT64_MAX, to = INT64_MIN;

	for (size_t c = 0; c < k; c++) {
		const struct scaling_msg **job = &w->slot[(r * k + c) * items];
		int64_t request = job[0]->m.t_request_us, last = INT64_MIN;

		for (size_t s = 0; s < items; s++)
			if (job[s]->m.t_arrive_us > last)
				last = job[s]->m.t_arrive_us;
		w->first[r * k + c] = job[0]->m.t_arrive_us - request;
		w->job_sum += (double)(last - request);
		if (request < from)
			from = request;
		if (last > to)
			to = last;
	}
	w->span[r] = to - from;

	/* this run's items' CPU time, the median (-1: none reported) */
	size_t nr = 0;

	for (size_t c = 0; c < k * items; c++) {
		int64_t us = w->slot[r * k * items + c]->m.cpu_us;

		if (us >= 0)
			w->one_run[nr++] = us;
	}
	w->run_cpu[r] = nr ? scaling_pct(w->one_run, nr, 50) : -1;
}

/* The medians over the runs and the jobs, into out. */
static void scaling_medians(struct scaling_work *w, const struct scaling_params *p,
			    struct scaling_result *out)
{
	const size_t runs = w->runs, jobs = w->jobs;

	/* the median run (nearest rank), and the CPU time of its own items:
	 * its ideal must be of the speed the core ran at in that run */
	memcpy(w->sorted, w->span, runs * sizeof(int64_t));
	out->runs = p->runs;
	out->makespan_us = scaling_pct(w->sorted, runs, 50);	/* sorts sorted */
	out->makespan_min_us = w->sorted[0];
	out->makespan_max_us = w->sorted[runs - 1];
	out->ideal_item_us = -1;
	for (size_t r = 0; r < runs; r++)
		if (w->span[r] == out->makespan_us) {
			out->ideal_item_us = w->run_cpu[r];
			break;
		}
	out->first_p50_us = scaling_pct(w->first, jobs, 50);
	out->first_p99_us = stats_percentile_sorted(w->first, jobs, 99);
	out->first_max_us = w->first[jobs - 1];
	out->job_mean_us = (int64_t)llround(w->job_sum / (double)jobs);
	out->item_p50_us = scaling_pct(w->item, w->n_msgs, 50);
	out->item_cpu_us = w->n_cpu ? scaling_pct(w->cpu, w->n_cpu, 50) : -1;

	double per_run = (double)(w->k * w->items);

	out->throughput = out->makespan_us > 0 ? per_run * 1e6 / (double)out->makespan_us : 0;
}

/* The bystander's worst echo of runs 1..runs, and the server's and the
 * other programs' CPU from the sweep's counters (if any). */
static void scaling_others(const struct scaling_params *p, size_t runs,
			   const struct report_echo *echoes, size_t n_echoes,
			   const struct scaling_sweep *sweep, struct scaling_result *out)
{
	out->bystander_max_us = -1;
	for (size_t i = 0; i < n_echoes; i++) {
		int64_t wait = echoes[i].t_arrive_us - echoes[i].t_sent_us;

		if (echoes[i].run >= 1 && (size_t)echoes[i].run <= runs &&
		    wait > out->bystander_max_us)
			out->bystander_max_us = wait;
	}
	out->cpu_ms = -1;
	out->others_cores = -1;
	if (sweep) {
		int64_t server = sweep->ticks, busy = sweep->busy, total = sweep->total;

		out->cpu_ms = (double)server * 1000.0 / (double)sweep->clk_tck / (double)runs;
		/* the share of every CPU's time that was busy, not with the
		 * server, in cores; ticks are counted apart, so it can come
		 * out a tick below zero */
		if (total > 0) {
			double others = (double)(busy - server) / (double)total * p->cores;

			out->others_cores = others > 0 ? others : 0;
		}
	}
}

bool scaling_compute(const struct scaling_params *p, const struct scaling_spec *spec,
		     const struct scaling_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct scaling_sweep *sweep, struct scaling_result *out,
		     char *err, size_t errcap)
{
	struct scaling_work w = { .runs = (size_t)p->runs, .k = (size_t)spec->clients,
				  .items = (size_t)p->items, .n_msgs = n_msgs };
	bool ok = false;

	w.jobs = w.runs * w.k;
	memset(out, 0, sizeof(*out));
	if (n_msgs != w.jobs * w.items)
		return cli_fail(err, errcap, "%zu results, but %zu runs x %zu clients x %zu "
				"items make %zu", n_msgs, w.runs, w.k, w.items,
				w.jobs * w.items);
	if (!scaling_work_alloc(&w))
		cli_fail(err, errcap, "out of memory");
	else if (scaling_slot_rows(&w, msgs, err, errcap))
		ok = true;
	if (ok) {
		for (size_t r = 0; r < w.runs; r++)
			scaling_run_numbers(&w, r);
		scaling_medians(&w, p, out);
		scaling_others(p, w.runs, echoes, n_echoes, sweep, out);
		out->ok = true;
		scaling_rate(p, spec, 0, out);
	}
	scaling_work_free(&w);
	return ok;
}

int64_t scaling_cpu_item_us(const struct scaling_params *p, const struct scaling_spec *specs,
			    const struct scaling_result *res, size_t n, int lanes)
{
	int64_t *v = malloc((n ? n : 1) * sizeof(int64_t));
	size_t k = 0;

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (res[i].ok && !strcmp(specs[i].work, "cpu") && res[i].item_cpu_us >= 0 &&
		    scaling_lanes(p, &specs[i]) == lanes)
			v[k++] = res[i].item_cpu_us;
	int64_t median = k ? scaling_pct(v, k, 50) : 0;

	free(v);
	return median;
}

int scaling_lanes(const struct scaling_params *p, const struct scaling_spec *spec)
{
	int lanes = spec->threads < spec->clients ? spec->threads : spec->clients;

	return lanes < p->cores ? lanes : p->cores;
}

void scaling_rate(const struct scaling_params *p, const struct scaling_spec *spec,
		  int64_t ref_item_us, struct scaling_result *r)
{
	if (!r->ok)
		return;
	r->ideal_us = scaling_ideal_us(p, spec->work, spec->threads, spec->clients,
				       r->ideal_item_us);
	r->ideal_throughput = (double)spec->clients * p->items * 1e6 / (double)r->ideal_us;
	r->efficiency = r->makespan_us > 0 ? (double)r->ideal_us / (double)r->makespan_us : 0;

	r->noisy = false;
	r->noisy_why[0] = '\0';
	if (!strcmp(spec->work, "cpu") && ref_item_us > 0 && r->item_cpu_us >= 0) {
		double off = (double)(r->item_cpu_us - ref_item_us) / (double)ref_item_us;

		if (off > SCALING_SAME_WORK || off < -SCALING_SAME_WORK) {
			r->noisy = true;
			snprintf(r->noisy_why, sizeof(r->noisy_why), "its items took %.1f ms "
				 "of CPU, %+.1f%% off the %.1f ms of the sweep's points with "
				 "%d item%s computing at once: the core ran at another speed",
				 (double)r->item_cpu_us / 1e3, 100 * off,
				 (double)ref_item_us / 1e3, scaling_lanes(p, spec),
				 scaling_lanes(p, spec) == 1 ? "" : "s");
			return;
		}
	}
	if (r->efficiency > SCALING_EFFICIENCY_MAX) {
		r->noisy = true;
		snprintf(r->noisy_why, sizeof(r->noisy_why), "%.0f%% of the ideal: no "
			 "schedule beats the bound, so its work or its clock was not the "
			 "others'", 100 * r->efficiency);
	}
}

bool scaling_usable(const struct scaling_result *r)
{
	return r->ok && !r->noisy;
}

bool scaling_busy(const struct scaling_result *r)
{
	return r->ok && r->others_cores >= SCALING_BUSY_CORES;
}

