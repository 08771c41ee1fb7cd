/*
 * lagbench.c: build/tests/lagbench, what one `stats` request costs the
 * event loop (lag.c, lag_ring_summary): a full ring of LAG_WINDOW samples
 * summarised whole (what a connection open for 80 s asks by default), the
 * same done by sorting (the way it was done before), and the last 100
 * samples (a job's worth, what the harness asks). Prints microseconds per
 * call, the mean of 2000 calls each. A benchmark, not a test: run it by
 * hand (make build/tests/lagbench && build/tests/lagbench).
 */
#include "common/clock.h"
#include "core/lag.h"

#include <stdio.h>
#include <string.h>

#define LAGBENCH_REPS 2000

static struct lag_ring ring;
static int64_t scratch[LAG_WINDOW], copy[LAG_WINDOW];

int main(void)
{
	struct stats_summary s;
	uint64_t stalls;

	/* three windows' worth: the ring has wrapped, as in a long run */
	for (int i = 0; i < 3 * LAG_WINDOW; i++)
		lag_ring_add(&ring, 1000000 + i * (int64_t)LAG_PERIOD_US,
			     200 + (i * 7919) % 900);

	int64_t t0 = clock_now_us();

	for (int k = 0; k < LAGBENCH_REPS; k++)
		lag_ring_summary(&ring, 0, &s, &stalls, scratch);

	int64_t t1 = clock_now_us();

	for (int k = 0; k < LAGBENCH_REPS; k++) {
		for (int i = 0; i < LAG_WINDOW; i++)
			copy[i] = ring.s[i].lag_us;
		stats_summarize(copy, LAG_WINDOW, &s);
	}

	int64_t t2 = clock_now_us();
	int64_t since = 1000000 + (3 * LAG_WINDOW - 100) * (int64_t)LAG_PERIOD_US;

	for (int k = 0; k < LAGBENCH_REPS; k++)
		lag_ring_summary(&ring, since, &s, &stalls, scratch);

	int64_t t3 = clock_now_us();

	printf("stats over %d samples: %.1f us (by sorting: %.1f us); over the last 100: %.2f us\n",
	       LAG_WINDOW, (double)(t1 - t0) / LAGBENCH_REPS, (double)(t2 - t1) / LAGBENCH_REPS,
	       (double)(t3 - t2) / LAGBENCH_REPS);
	return 0;
}
