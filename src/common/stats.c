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

int64_t stats_percentile_sorted(const int64_t *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];

	/* rank = ceil(p/100 * n), 1-based. The small epsilon keeps exact
	 * products such as 0.5 * 4 = 2.0000000001 from rounding up a rank. */
	double exact = p / 100.0 * (double)n;
	size_t rank = (size_t)ceil(exact - 1e-9);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
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
