/*
 * summary.c: see summary.h. The verdict rules live here and in
 * docs/experiment.md; change both together.
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

bool summary_compute(const struct report_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct summary_lag_sample *lag, size_t n_lag,
		     struct summary *out, char *err, size_t errcap)
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
	size_t items = n_msgs / (size_t)runs;
	if (runs < 1 || items * (size_t)runs != n_msgs)
		return cli_fail(err, errcap, "%zu messages do not divide into %d runs",
				n_msgs, runs);

	bool ok = false;
	const struct report_msg **run_msgs = calloc(items, sizeof(*run_msgs));
	int64_t *item = summary_alloc(n_msgs), *delivery = summary_alloc(n_msgs);
	int64_t *cpu = summary_alloc(n_msgs);
	int64_t *queue = summary_alloc(n_msgs), *transit = summary_alloc(n_msgs);
	int64_t *echo = summary_alloc(n_echoes), *lags = summary_alloc(n_lag);
	int64_t *run_max = summary_alloc((size_t)runs);
	int64_t *win_from = summary_alloc((size_t)runs), *win_to = summary_alloc((size_t)runs);

	if (!run_msgs || !item || !cpu || !delivery || !queue || !transit || !echo || !lags ||
	    !run_max || !win_from || !win_to) {
		cli_fail(err, errcap, "out of memory");
		goto done;
	}
	size_t n_cpu = 0;	/* the items whose CPU time the server reported */

	for (size_t i = 0; i < n_msgs; i++) {
		item[i] = msgs[i].t_done_us - msgs[i].t_start_us;
		if (msgs[i].cpu_us >= 0)
			cpu[n_cpu++] = msgs[i].cpu_us;
		delivery[i] = msgs[i].t_arrive_us - msgs[i].t_done_us;
		queue[i] = msgs[i].t_send_us - msgs[i].t_done_us;
		transit[i] = msgs[i].t_arrive_us - msgs[i].t_send_us;
	}
	for (size_t i = 0; i < n_echoes; i++)
		echo[i] = echoes[i].t_arrive_us - echoes[i].t_sent_us;

	/* per run: the clump rule, and the window its lag samples fall in */
	for (int r = 1; r <= runs; r++) {
		if (!summary_run_messages(msgs, n_msgs, r, run_msgs, items)) {
			cli_fail(err, errcap, "run %d does not have results 0..%zu, each once",
				 r, items - 1);
			goto done;
		}
		if (summary_run_clumped(run_msgs, items))
			out->runs_clumped++;

		int64_t to = run_msgs[0]->t_request_us;
		for (size_t k = 0; k < items; k++)
			if (run_msgs[k]->t_arrive_us > to)
				to = run_msgs[k]->t_arrive_us;
		win_from[r - 1] = run_msgs[0]->t_request_us;
		win_to[r - 1] = to + SUMMARY_WINDOW_TAIL_US;
		run_max[r - 1] = 0;
	}
	/* each sample counts once, for the first run whose window holds it */
	size_t n_lags = 0;
	for (size_t i = 0; i < n_lag; i++) {
		for (int r = 0; r < runs; r++) {
			if (lag[i].t_us < win_from[r] || lag[i].t_us > win_to[r])
				continue;
			lags[n_lags++] = lag[i].lag_us;
			if (lag[i].lag_us > run_max[r])
				run_max[r] = lag[i].lag_us;
			break;
		}
	}

	struct summary_dist d;

	out->runs = (size_t)runs;
	out->messages = n_msgs;
	summary_dist(item, n_msgs, &d);
	out->item = d.p50;
	summary_dist(cpu, n_cpu, &d);
	out->item_cpu = n_cpu ? d.p50 : -1;
	summary_dist(delivery, n_msgs, &out->delivery);
	summary_dist(queue, n_msgs, &out->queue_wait);
	summary_dist(transit, n_msgs, &out->transit);
	summary_dist(echo, n_echoes, &out->echo);
	summary_dist(lags, n_lags, &out->lag);
	summary_dist(run_max, (size_t)runs, &d);
	out->run_lag_max_median = d.p50;

	out->clumped = out->runs_clumped * 2 > out->runs;
	out->blocked = out->run_lag_max_median >= SUMMARY_STALL_US;
	out->bystander_agrees = n_echoes == 0 ||
				(out->echo.max >= SUMMARY_STALL_US) == out->blocked;
	ok = true;
done:
	free(run_msgs);
	free(item);
	free(cpu);
	free(delivery);
	free(queue);
	free(transit);
	free(echo);
	free(lags);
	free(run_max);
	free(win_from);
	free(win_to);
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
