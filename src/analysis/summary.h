/*
 * summary.h: what one configuration of an experiment showed, computed from
 * the rows the harness wrote, and the verdicts docs/experiment.md defines.
 * Pure functions over arrays, so they are unit-tested (test_summary.c).
 *
 * Every figure is in microseconds of the one clock client and server share.
 * Percentiles are nearest-rank (common/stats.h): every value reported was
 * really observed.
 */
#ifndef SENDLAB_SUMMARY_H
#define SENDLAB_SUMMARY_H

#include "harness/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One sample of the server's lag monitor (its --lag-log CSV). */
struct summary_lag_sample {
	int64_t t_us;	/* when the timer fired */
	int64_t lag_us;	/* how late it fired */
};

/* A five-number summary plus p99, for the box plot and the tables. */
struct summary_dist {
	size_t n;
	int64_t min, q1, p50, q3, p99, max;
};

/* The verdict rules (docs/experiment.md, "Verdicts"). */
#define SUMMARY_TOGETHER_RATIO 0.5	/* consecutive messages closer than half
					   the time between their results:
					   they arrived together */
#define SUMMARY_STALL_US 100000		/* a loop lag this long is a stall
					   (asyncio's slow-callback threshold) */
#define SUMMARY_WINDOW_TAIL_US 50000	/* lag samples this long after a run's
					   last arrival still belong to it */

struct summary {
	size_t runs;
	size_t messages;
	int64_t item;			/* median item compute time */
	struct summary_dist delivery;	/* t_arrive - t_done */
	struct summary_dist queue_wait;	/* t_send - t_done */
	struct summary_dist transit;	/* t_arrive - t_send */
	struct summary_dist echo;	/* the bystander's t_arrive - t_sent */
	struct summary_dist lag;	/* lag samples inside the runs' windows */
	int64_t run_lag_max_median;	/* the median over runs of each run's
					   worst lag sample */
	size_t runs_clumped;		/* runs in which two messages arrived
					   together */
	bool clumped;			/* in more than half the runs */
	bool blocked;			/* run_lag_max_median >= SUMMARY_STALL_US */
	bool bystander_agrees;		/* the bystander's worst echo is on
					   the same side of SUMMARY_STALL_US */
};

/*
 * How many concurrent clients the rows come from: 1 + the highest client
 * column (the harness's --clients K numbers them 0..K-1), 1 when n is 0.
 * The statistics and verdicts below are defined for one client per run
 * (K = 1, how make experiment runs the harness); build/summarize refuses
 * a file where this is more than 1 rather than pool K jobs that ran side
 * by side into runs they are not.
 */
int summary_clients(const struct report_msg *msgs, size_t n);

/*
 * Summarises one configuration: its messages (every run, any order), its
 * bystander echoes and its server's lag samples. Runs are numbered from 1
 * as the harness writes them. Returns false with a one-line reason in err
 * if there is nothing to summarise (no messages), a run is incomplete
 * (its seqs are not 0..k-1 each once), or the rows come from more than
 * one client (summary_clients()).
 */
bool summary_compute(const struct report_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct summary_lag_sample *lag, size_t n_lag,
		     struct summary *out, char *err, size_t errcap);

/* Sorts v[0..n) and fills *out (all zero when n is 0). */
void summary_dist(int64_t *v, size_t n, struct summary_dist *out);

/* "clumped" or "spaced"; "blocked" or "free". */
const char *summary_arrivals_word(const struct summary *s);
const char *summary_loop_word(const struct summary *s);

#endif
