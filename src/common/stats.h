/*
 * stats.h: order statistics over microsecond samples.
 *
 * Used by the servers' lag monitor (the `stats` reply) and by the harness
 * (delivery latency, bystander echoes), so both sides compute "p99" the same
 * way. Percentiles use the nearest-rank definition: the p-th percentile of n
 * sorted samples is the sample at rank ceil(p/100 * n), so every reported
 * value is a value that was really observed, never an interpolation. The
 * median is p50 by that rule (the lower middle sample when n is even).
 */
#ifndef SENDLAB_STATS_H
#define SENDLAB_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_summary {
	size_t n;	/* number of samples; every other field is 0 when n is 0 */
	int64_t min;
	int64_t p50;
	int64_t p99;
	int64_t max;
	double mean;
};

/* Nearest-rank percentile of n sorted samples; p in [0, 100]. Returns 0 when
 * n is 0. */
int64_t stats_percentile_sorted(const int64_t *sorted, size_t n, double p);

/* Sorts values[0..n) in place (ascending) and fills *out. */
void stats_summarize(int64_t *values, size_t n, struct stats_summary *out);

/* The k-th smallest of v[0..n) (k from 0; n >= 1, k < n) by quickselect:
 * linear on average (median-of-three pivot, three-way partition, so
 * sorted and constant input are linear too; quadratic only for inputs
 * built against that pivot). Reorders v. */
int64_t stats_select(int64_t *v, size_t n, size_t k);

/* What stats_summarize() computes, the same nearest-rank values, without
 * sorting: O(n) on average instead of O(n log n). Reorders values. For
 * the lag monitor's `stats`, which runs on the event loop. */
void stats_select_summary(int64_t *values, size_t n, struct stats_summary *out);

#endif
