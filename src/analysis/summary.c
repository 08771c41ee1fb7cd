/*
 * summary.c: see summary.h. The verdict rules live here and in
 * docs/experiment-reference.md; change both together.
 */
#include "analysis/summary.h"

#include "common/cli.h"
#include "common/stats.h"

#include <stdlib.h>
#include <string.h>

void summary_dist(int64_t *v, size_t n, struct summary_dist *out)
{
	struct stats_summary s;

	stats_summarize(v, n, &s);	/* sorts v */
	*out = (struct summary_dist){ .n = n, .min = s.min, .p50 = s.p50,
				      .p99 = s.p99, .max = s.max };
	out->q1 = stats_percentile_sorted(v, n, 25);
	out->q3 = stats_percentile_sorted(v, n, 75);
}

/* The messages of run r, ordered by seq, into out[0..items); false if the
 * run's seqs are not 0..items-1, each once. */
static bool summary_run_messages(const struct report_msg *msgs, size_t n, int run,
				 const struct report_msg **out, size_t items)
{
	size_t found = 0;

	memset(out, 0, items * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].run != run)
			continue;
		if (msgs[i].seq < 0 || (size_t)msgs[i].seq >= items || out[msgs[i].seq])
			return false;
		out[msgs[i].seq] = &msgs[i];
		found++;
	}
	return found == items;
}

/*
 * A run is clumped when two consecutive messages arrived much closer
 * together than their results were ready: arrival gap < SUMMARY_TOGETHER_RATIO
 * x the gap between their t_done. Spaced arrivals keep the ratio near 1.
 */
static bool summary_run_clumped(const struct report_msg *const *m, size_t items)
{
	for (size_t k = 1; k < items; k++) {
		int64_t ready_gap = m[k]->t_done_us - m[k - 1]->t_done_us;
		int64_t arrive_gap = m[k]->t_arrive_us - m[k - 1]->t_arrive_us;

		if (ready_gap > 0 && (double)arrive_gap < SUMMARY_TOGETHER_RATIO * (double)ready_gap)
			return true;
	}
	return false;
}

int summary_clients(const struct report_msg *msgs, size_t n)
{
	int max = 0;

	for (size_t i = 0; i < n; i++)
		if (msgs[i].client > max)
			max = msgs[i].client;
	return max + 1;
}

static int64_t *summary_alloc(size_t n)
{
	return malloc((n ? n : 1) * sizeof(int64_t));
}

/* What summary_compute() works in: the values it takes distributions of. */
struct summary_work {
	size_t runs, items;
	const struct report_msg **run_msgs;	/* one run's, by seq */
	int64_t rtt_us;		/* the round trip a delay proxy added */
	int64_t clock_err_max, clock_offset_max;	/* over the messages */
	int64_t *item, *delivery, *queue, *transit;	/* by message */
	int64_t *gap;		/* by message but each run's first: arrival
				   minus the previous seq's arrival */
	size_t n_gaps;
	int64_t *cpu;		/* the items whose CPU time the server reported */
	size_t n_cpu;
	int64_t *echo;		/* by echo */
	int64_t *lags;		/* the lag samples inside a run's window */
	size_t n_lags;
	int64_t *run_max, *win_from, *win_to;	/* by run */
};

static bool summary_work_alloc(struct summary_work *w, size_t n_msgs, size_t n_echoes,
			       size_t n_lag)
{
	w->run_msgs = calloc(w->items, sizeof(*w->run_msgs));
	w->item = summary_alloc(n_msgs);
	w->delivery = summary_alloc(n_msgs);
	w->cpu = summary_alloc(n_msgs);
	w->queue = summary_alloc(n_msgs);
	w->transit = summary_alloc(n_msgs);
	w->gap = summary_alloc(n_msgs);
	w->echo = summary_alloc(n_echoes);
	w->lags = summary_alloc(n_lag);
	w->run_max = summary_alloc(w->runs);
	w->win_from = summary_alloc(w->runs);
	w->win_to = summary_alloc(w->runs);
	return w->run_msgs && w->item && w->cpu && w->delivery && w->queue && w->transit &&
	       w->gap && w->echo && w->lags && w->run_max && w->win_from && w->win_to;
}

static void summary_work_free(struct summary_work *w)
{
	free(w->run_msgs);
	free(w->item);
	free(w->cpu);
	free(w->delivery);
	free(w->queue);
	free(w->transit);
	free(w->gap);
	free(w->echo);
	free(w->lags);
	free(w->run_max);
	free(w->win_from);
	free(w->win_to);
}

/* Each message's and echo's own times. Behind a delay proxy (rtt_us > 0)
 * every message crossed its one-way delay and every echo its round trip:
 * those known constants come off, so what is left is the server's part
 * and the verdicts mean what they mean on one host. */
static void summary_per_message(struct summary_work *w, const struct report_msg *msgs,
				size_t n_msgs, const struct report_echo *echoes,
				size_t n_echoes)
{
	for (size_t i = 0; i < n_msgs; i++) {
		int64_t off = msgs[i].clock_offset_us < 0 ? -msgs[i].clock_offset_us
							   : msgs[i].clock_offset_us;

		if (msgs[i].clock_offset_err_us > w->clock_err_max)
			w->clock_err_max = msgs[i].clock_offset_err_us;
		if (off > w->clock_offset_max)
			w->clock_offset_max = off;
		w->item[i] = msgs[i].t_done_us - msgs[i].t_start_us;
		if (msgs[i].cpu_us >= 0)
			w->cpu[w->n_cpu++] = msgs[i].cpu_us;
		w->delivery[i] = msgs[i].t_arrive_us - msgs[i].t_done_us - w->rtt_us / 2;
		w->queue[i] = msgs[i].t_send_us - msgs[i].t_done_us;
		w->transit[i] = msgs[i].t_arrive_us - msgs[i].t_send_us - w->rtt_us / 2;
	}
	for (size_t i = 0; i < n_echoes; i++)
		w->echo[i] = echoes[i].t_arrive_us - echoes[i].t_sent_us - w->rtt_us;
}

/* Per run: the clump rule, and the window its lag samples fall in. False
 * if a run is not whole. */
static bool summary_per_run(struct summary_work *w, const struct report_msg *msgs,
			    size_t n_msgs, struct summary *out, char *err, size_t errcap)
{
	const size_t items = w->items;

	for (int r = 1; r <= (int)w->runs; r++) {
		if (!summary_run_messages(msgs, n_msgs, r, w->run_msgs, items))
			return cli_fail(err, errcap, "run %d does not have results 0..%zu, "
					"each once", r, items - 1);
		if (summary_run_clumped(w->run_msgs, items))
			out->runs_clumped++;
		for (size_t k = 1; k < items; k++)
			w->gap[w->n_gaps++] = w->run_msgs[k]->t_arrive_us -
					      w->run_msgs[k - 1]->t_arrive_us;

		int64_t to = w->run_msgs[0]->t_request_us;
		for (size_t k = 0; k < items; k++)
			if (w->run_msgs[k]->t_arrive_us > to)
				to = w->run_msgs[k]->t_arrive_us;
		w->win_from[r - 1] = w->run_msgs[0]->t_request_us;
		w->win_to[r - 1] = to + SUMMARY_WINDOW_TAIL_US;
		w->run_max[r - 1] = 0;
	}
	return true;
}

/* Each lag sample counts once, for the first run whose window holds it. */
static void summary_lag_windows(struct summary_work *w,
				const struct summary_lag_sample *lag, size_t n_lag)
{
	for (size_t i = 0; i < n_lag; i++) {
		for (size_t r = 0; r < w->runs; r++) {
			if (lag[i].t_us < w->win_from[r] || lag[i].t_us > w->win_to[r])
				continue;
			w->lags[w->n_lags++] = lag[i].lag_us;
			if (lag[i].lag_us > w->run_max[r])
				w->run_max[r] = lag[i].lag_us;
			break;
		}
	}
}

/* The distributions and the verdicts, into out. */
static void summary_fill(struct summary_work *w, size_t n_msgs, size_t n_echoes,
			 struct summary *out)
{
	struct summary_dist d;

	out->runs = w->runs;
	out->messages = n_msgs;
	summary_dist(w->item, n_msgs, &d);
	out->item = d.p50;
	summary_dist(w->cpu, w->n_cpu, &d);
	out->item_cpu = w->n_cpu ? d.p50 : -1;
	summary_dist(w->delivery, n_msgs, &out->delivery);
	summary_dist(w->queue, n_msgs, &out->queue_wait);
	summary_dist(w->transit, n_msgs, &out->transit);
	summary_dist(w->echo, n_echoes, &out->echo);
	summary_dist(w->lags, w->n_lags, &out->lag);
	summary_dist(w->run_max, w->runs, &d);
	out->run_lag_max_median = d.p50;
	summary_dist(w->gap, w->n_gaps, &d);
	out->spacing = w->n_gaps ? d.p50 : -1;
	out->rtt_us = w->rtt_us;
	out->clock_err_max = w->clock_err_max;
	out->clock_offset_max = w->clock_offset_max;

	out->clumped = out->runs_clumped * 2 > out->runs;
	out->blocked = out->run_lag_max_median >= SUMMARY_STALL_US;
	out->bystander_agrees = n_echoes == 0 ||
				(out->echo.max >= SUMMARY_STALL_US) == out->blocked;
}

bool summary_compute(const struct report_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct summary_lag_sample *lag, size_t n_lag,
		     struct summary *out, char *err, size_t errcap)
{
	return summary_compute_rtt(msgs, n_msgs, echoes, n_echoes, lag, n_lag, 0,
				   out, err, errcap);
}

bool summary_compute_rtt(const struct report_msg *msgs, size_t n_msgs,
			 const struct report_echo *echoes, size_t n_echoes,
			 const struct summary_lag_sample *lag, size_t n_lag,
			 int64_t rtt_us, struct summary *out, char *err,
			 size_t errcap)
{
	memset(out, 0, sizeof(*out));
	if (n_msgs == 0)
		return cli_fail(err, errcap, "no messages to summarise");
	/* K jobs side by side are not K runs: the clump rule and the lag
	 * windows below assume one job at a time */
	if (summary_clients(msgs, n_msgs) > 1)
		return cli_fail(err, errcap, "rows of %d clients: only one client "
				"per run (--clients 1) can be summarised",
				summary_clients(msgs, n_msgs));

	int runs = 0;
	for (size_t i = 0; i < n_msgs; i++)
		if (msgs[i].run > runs)
			runs = msgs[i].run;
	/* no run 1 or later: nothing to divide by */
	if (runs < 1 || n_msgs % (size_t)runs)
		return cli_fail(err, errcap, "%zu messages do not divide into %d runs",
				n_msgs, runs);

	struct summary_work w = { .runs = (size_t)runs, .items = n_msgs / (size_t)runs,
				  .rtt_us = rtt_us, .clock_err_max = -1 };
	bool ok = summary_work_alloc(&w, n_msgs, n_echoes, n_lag);

	if (!ok)
		cli_fail(err, errcap, "out of memory");
	if (ok) {
		summary_per_message(&w, msgs, n_msgs, echoes, n_echoes);
		ok = summary_per_run(&w, msgs, n_msgs, out, err, errcap);
	}
	if (ok) {
		summary_lag_windows(&w, lag, n_lag);
		summary_fill(&w, n_msgs, n_echoes, out);
	}
	summary_work_free(&w);
	return ok;
}

int64_t summary_median_of(const int64_t *v, size_t n)
{
	int64_t *copy = summary_alloc(n);
	struct summary_dist d;
	size_t k = 0;

	if (!copy)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			copy[k++] = v[i];
	summary_dist(copy, k, &d);
	free(copy);
	return k ? d.p50 : -1;
}

bool summary_cpu_comparable(int64_t item_cpu, int64_t run_cpu)
{
	if (item_cpu < 0 || run_cpu <= 0)
		return true;	/* nothing to compare: no claim either way */
	double off = (double)(item_cpu - run_cpu) / (double)run_cpu;

	return off <= SUMMARY_SAME_WORK && off >= -SUMMARY_SAME_WORK;
}

const char *summary_arrivals_word(const struct summary *s)
{
	return s->clumped ? "clumped" : "spaced";
}

const char *summary_loop_word(const struct summary *s)
{
	return s->blocked ? "blocked" : "free";
}
