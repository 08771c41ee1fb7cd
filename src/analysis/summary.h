/*
 * summary.h: what one configuration of an experiment showed, computed from
 * the rows the harness wrote, and the verdicts that
 * docs/experiment-reference.md defines. Pure functions over arrays, so
 * they are unit-tested (test_summary.c).
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

/* The verdict rules (docs/experiment-reference.md, "Verdicts"). */
#define SUMMARY_TOGETHER_RATIO 0.5	/* consecutive messages closer than half
					   the time between their results:
					   they arrived together */
#define SUMMARY_STALL_US 100000		/* a loop lag this long is a stall
					   (asyncio's slow-callback threshold) */
#define SUMMARY_WINDOW_TAIL_US 50000	/* lag samples this long after a run's
					   last arrival still belong to it */
#define SUMMARY_SAME_WORK 0.03		/* a configuration whose median item
					   CPU time is further than this from
					   the run's did measurably different
					   work: "noisy: not comparable" */

struct summary {
	size_t runs;
	size_t messages;
	int64_t item;			/* median item compute time, wall clock
					   (t_done - t_start): grows when the
					   computing thread waits for a core */
	int64_t item_cpu;		/* median item CPU time (cpu_us); -1 if
					   the server reported none */
	struct summary_dist delivery;	/* t_arrive - t_done (behind a delay
					   proxy, minus its one-way delay;
					   transit too, and echo minus the
					   round trip: summary_compute_rtt) */
	struct summary_dist queue_wait;	/* t_send - t_done */
	struct summary_dist transit;	/* t_arrive - t_send */
	struct summary_dist echo;	/* the bystander's t_arrive - t_sent */
	struct summary_dist lag;	/* lag samples inside the runs' windows */
	int64_t run_lag_max_median;	/* the median over runs of each run's
					   worst lag sample */
	int64_t spacing;		/* the median gap between consecutive
					   results' arrivals; -1 if one item */
	int64_t rtt_us;			/* the round trip subtracted, 0 if none */
	int64_t clock_err_max;		/* the largest clock_offset_err_us of
					   any message; -1: not measured (rows
					   from before the harness measured the
					   server's clock) */
	int64_t clock_offset_max;	/* the largest |clock_offset_us|: 0
					   when every run found one clock */
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

/*
 * summary_compute() for rows measured through a delay proxy that added
 * rtt_us to every round trip (make experiment RTT_MS=R, docs/network.md):
 * delivery and transit lose the one-way delay (rtt_us / 2), each echo the
 * whole round trip, so the bystander's stall line and the tables compare
 * what the server did. Arrivals keep their times: the clump rule compares
 * their gaps, which a constant delay does not change.
 */
bool summary_compute_rtt(const struct report_msg *msgs, size_t n_msgs,
			 const struct report_echo *echoes, size_t n_echoes,
			 const struct summary_lag_sample *lag, size_t n_lag,
			 int64_t rtt_us, struct summary *out, char *err,
			 size_t errcap);

/* Sorts v[0..n) and fills *out (all zero when n is 0). */
void summary_dist(int64_t *v, size_t n, struct summary_dist *out);

/* The median of the values of v[0..n) that are >= 0 (-1 if none): the
 * run's item CPU time, from its configurations' item_cpu. */
int64_t summary_median_of(const int64_t *v, size_t n);

/*
 * Did a configuration whose median item CPU time is item_cpu do the same
 * work as the run (median run_cpu), within SUMMARY_SAME_WORK? Every server
 * of an experiment runs the same iterations per item (one --iters-per-ms),
 * so a difference means the core ran at another speed meanwhile (another
 * program, the VM's host), and comparing its times with the others' would
 * compare unequal work. True when either figure is unknown (< 0).
 */
bool summary_cpu_comparable(int64_t item_cpu, int64_t run_cpu);

/* "clumped" or "spaced"; "blocked" or "free". */
const char *summary_arrivals_word(const struct summary *s);
const char *summary_loop_word(const struct summary *s);

#endif
