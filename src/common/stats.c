/*
 * stats.c: nearest-rank percentiles and a five-number summary.
 */
#include "common/stats.h"

#include <math.h>
#include <stdlib.h>

static int stats_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest rank of percentile p among n >= 1 samples, 1-based. */
static size_t stats_rank(size_t n, double p)
{
	if (p <= 0)
		return 1;
	if (p >= 100)
		return n;

	/* rank = ceil(p/100 * n). The small epsilon keeps exact products
	 * such as 0.5 * 4 = 2.0000000001 from rounding up a rank. */
	double exact = p / 100.0 * (double)n;
	size_t rank = (size_t)ceil(exact - 1e-9);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return rank;
}

int64_t stats_percentile_sorted(const int64_t *sorted, size_t n, double p)
{
	return n == 0 ? 0 : sorted[stats_rank(n, p) - 1];
}

/* Swaps two samples. */
static void stats_swap(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

int64_t stats_select(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		/* median of three as the pivot, moved to hi: sorted or
		 * constant input stays linear */
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < v[lo])
			stats_swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			stats_swap(&v[hi], &v[lo]);
		if (v[mid] < v[hi])
			stats_swap(&v[mid], &v[hi]);

		/* three-way partition around the pivot: < | == | > */
		int64_t pivot = v[hi];
		size_t lt = lo, i = lo, gt = hi + 1;

		while (i < gt) {
			if (v[i] < pivot)
				stats_swap(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				stats_swap(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt - 1;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return v[k];
}

void stats_select_summary(int64_t *values, size_t n, struct stats_summary *out)
{
	*out = (struct stats_summary){ .n = n };
	if (n == 0)
		return;

	double sum = 0;

	out->min = out->max = values[0];
	for (size_t i = 0; i < n; i++) {
		sum += (double)values[i];
		if (values[i] < out->min)
			out->min = values[i];
		if (values[i] > out->max)
			out->max = values[i];
	}
	out->mean = sum / (double)n;

	size_t k99 = stats_rank(n, 99) - 1, k50 = stats_rank(n, 50) - 1;

	out->p99 = stats_select(values, n, k99);
	/* everything before index k99 is now <= p99: p50 is among them */
	out->p50 = k50 < k99 ? stats_select(values, k99, k50) : out->p99;
}

void stats_summarize(int64_t *values, size_t n, struct stats_summary *out)
{
	*out = (struct stats_summary){ .n = n };
	if (n == 0)
		return;

	qsort(values, n, sizeof(values[0]), stats_cmp_i64);

	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)values[i];

	out->min = values[0];
	out->p50 = stats_percentile_sorted(values, n, 50);
	out->p99 = stats_percentile_sorted(values, n, 99);
	out->max = values[n - 1];
	out->mean = sum / (double)n;
}
