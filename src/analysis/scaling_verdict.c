/*
 * scaling_verdict.c: the verdict on "threads = cores + 4" and the
 * expectations of the issue that asked for the experiment (see
 * scaling.h), over every measured point of a sweep. The thresholds live
 * in scaling.h and docs/scaling.md; change both together.
 */
#include "analysis/scaling.h"

#include <string.h>

const char *scaling_verdict_word(double ratio)
{
	if (ratio >= SCALING_HELPS_RATIO)
		return "helps";
	if (ratio >= SCALING_HURTS_RATIO)
		return "no gain";
	return "hurts";
}

/* The index of the measured point of variant/work/threads/K, or -1;
 * threads 0: any pool (a serial variant). */
static long scaling_find(const struct scaling_spec *specs, const struct scaling_result *res,
			 size_t n, const char *variant, const char *work, int threads,
			 int clients)
{
	for (size_t i = 0; i < n; i++)
		if (scaling_usable(&res[i]) && !strcmp(specs[i].variant, variant) &&
		    !strcmp(specs[i].work, work) &&
		    (threads == 0 || specs[i].threads == threads) &&
		    specs[i].clients == clients)
			return (long)i;
	return -1;
}

void scaling_verdict(const struct scaling_spec *specs, const struct scaling_result *results,
		     size_t n, int cores, const char *work, struct scaling_verdict *out)
{
	*out = (struct scaling_verdict){ .work = work, .cores = cores, .more = cores + 4,
					 .word = "not measured" };
	for (size_t i = 0; i < n; i++) {
		if (!scaling_usable(&results[i]) || strcmp(specs[i].variant, "threadpool") ||
		    strcmp(specs[i].work, work) || specs[i].threads != cores ||
		    specs[i].clients <= out->k)
			continue;
		long j = scaling_find(specs, results, n, "threadpool", work, cores + 4,
				      specs[i].clients);

		if (j < 0)
			continue;
		out->measured = true;
		out->k = specs[i].clients;
		out->tp_cores = results[i].throughput;
		out->tp_more = results[j].throughput;
	}
	if (!out->measured)
		return;
	out->ratio = out->tp_cores > 0 ? out->tp_more / out->tp_cores : 0;
	out->word = scaling_verdict_word(out->ratio);

	long c8 = scaling_find(specs, results, n, "threadpool", work, cores, SCALING_EXPECT_K);
	long m8 = scaling_find(specs, results, n, "threadpool", work, cores + 4,
			       SCALING_EXPECT_K);

	if (out->k > SCALING_EXPECT_K && c8 >= 0 && m8 >= 0 && results[c8].throughput > 0) {
		out->has_k8 = true;
		out->ratio_k8 = results[m8].throughput / results[c8].throughput;
	}
}

/* An expectation that could not be checked: which point is missing. */
static void scaling_unmeasured(struct scaling_expect *e, const char *missing)
{
	snprintf(e->measured, sizeof(e->measured), "not measured (no %s)", missing);
	e->met = -1;
}

/* An expectation on the throughput of point `a` over point `b` (indexes of
 * res, -1: not measured, `missing` says which): met if the ratio is at
 * least `limit` (at_least), else if it is under it. */
static void scaling_expect_ratio(struct scaling_expect *e, const struct scaling_result *res,
				 long a, long b, const char *missing, double limit,
				 bool at_least)
{
	if (a < 0 || b < 0) {
		scaling_unmeasured(e, missing);
		return;
	}
	double r = res[a].throughput / res[b].throughput;

	snprintf(e->measured, sizeof(e->measured), "%.2fx (%.1f against %.1f items/s)",
		 r, res[a].throughput, res[b].throughput);
	e->met = at_least ? r >= limit : r < limit;
}

/* Any threadpool point's worst echo under SCALING_EXPECT_BYSTANDER_US. */
static void scaling_expect_bystander(struct scaling_expect *e,
				     const struct scaling_spec *specs,
				     const struct scaling_result *res, size_t n)
{
	int64_t worst = -1;
	long worst_at = -1;
	size_t points = 0;

	snprintf(e->what, sizeof(e->what), "threadpool, every point: the bystander's worst "
		 "echo under %d ms", SCALING_EXPECT_BYSTANDER_US / 1000);
	for (size_t i = 0; i < n; i++) {
		if (!scaling_usable(&res[i]) || strcmp(specs[i].variant, "threadpool"))
			continue;
		points++;
		if (res[i].bystander_max_us > worst) {
			worst = res[i].bystander_max_us;
			worst_at = (long)i;
		}
	}
	if (worst_at < 0) {
		scaling_unmeasured(e, "threadpool point with echoes");
	} else {
		snprintf(e->measured, sizeof(e->measured), "worst %.1f ms (%s) over %zu points",
			 (double)worst / 1e3, specs[worst_at].point, points);
		e->met = worst < SCALING_EXPECT_BYSTANDER_US;
	}
}

void scaling_expectations(const struct scaling_spec *specs,
			  const struct scaling_result *res, size_t n, int cores,
			  struct scaling_expect *out)
{
	const int k = SCALING_EXPECT_K;
	long blocking = scaling_find(specs, res, n, "blocking", "cpu", 0, k);
	long pool = scaling_find(specs, res, n, "threadpool", "cpu", cores, k);
	long more = scaling_find(specs, res, n, "threadpool", "cpu", cores + 4, k);
	long pool_s = scaling_find(specs, res, n, "threadpool", "sleep", cores, k);
	long more_s = scaling_find(specs, res, n, "threadpool", "sleep", cores + 4, k);
	struct scaling_expect *e;
	char missing[64];

	memset(out, 0, SCALING_EXPECTS * sizeof(*out));

	e = &out[0];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: threadpool --threads %d (cores) "
		 "at least %.1fx blocking's throughput", k, cores, SCALING_EXPECT_VS_BLOCKING);
	snprintf(missing, sizeof(missing), "%s point", blocking < 0 ? "blocking" :
		 "threadpool cores");
	scaling_expect_ratio(e, res, pool, blocking, missing, SCALING_EXPECT_VS_BLOCKING,
			     true);

	e = &out[1];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: threadpool --threads %d (cores) "
		 "at least %.0f%% of the ideal throughput", k, cores,
		 SCALING_EXPECT_EFFICIENCY * 100);
	if (pool < 0) {
		scaling_unmeasured(e, "threadpool cores point");
	} else {
		snprintf(e->measured, sizeof(e->measured), "%.0f%% (makespan %.0f ms, "
			 "ideal %.0f ms)", res[pool].efficiency * 100,
			 (double)res[pool].makespan_us / 1e3, (double)res[pool].ideal_us / 1e3);
		e->met = res[pool].efficiency >= SCALING_EXPECT_EFFICIENCY;
	}

	scaling_expect_bystander(&out[2], specs, res, n);

	e = &out[3];
	snprintf(e->what, sizeof(e->what), "sleep, K = %d: --threads %d (cores + 4) at "
		 "least %.1fx the throughput of --threads %d (cores)", k, cores + 4,
		 SCALING_EXPECT_SLEEP_GAIN, cores);
	scaling_expect_ratio(e, res, more_s, pool_s, "sleep point of both pools",
			     SCALING_EXPECT_SLEEP_GAIN, true);

	e = &out[4];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: --threads %d (cores + 4) under "
		 "%.1fx the throughput of --threads %d (cores)", k, cores + 4,
		 SCALING_EXPECT_SLEEP_GAIN, cores);
	scaling_expect_ratio(e, res, more, pool, "cpu point of both pools",
			     SCALING_EXPECT_SLEEP_GAIN, false);

	/* partition: responsive but not parallel */
	long part = scaling_find(specs, res, n, "partition", "cpu", 0, k);

	e = &out[5];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: partition within %.0f%% of blocking's "
		 "throughput (one thread), its bystander's worst echo under %d ms", k,
		 SCALING_EXPECT_PARTITION_SAME * 100, SCALING_EXPECT_BYSTANDER_US / 1000);
	if (part < 0 || blocking < 0 || res[blocking].throughput <= 0) {
		scaling_unmeasured(e, part < 0 ? "partition point" : "blocking point");
	} else {
		double r = res[part].throughput / res[blocking].throughput;

		snprintf(e->measured, sizeof(e->measured), "%.2fx (%.1f against %.1f items/s); "
			 "worst echo %.1f ms", r, res[part].throughput, res[blocking].throughput,
			 (double)res[part].bystander_max_us / 1e3);
		e->met = r >= 1 - SCALING_EXPECT_PARTITION_SAME &&
			 r <= 1 + SCALING_EXPECT_PARTITION_SAME &&
			 res[part].bystander_max_us < SCALING_EXPECT_BYSTANDER_US;
	}
}
