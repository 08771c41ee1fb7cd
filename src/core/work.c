/*
 * work.c: the checksum kernel, its calibration, and the sleep stand-in.
 */
#include "core/work.h"

#include "common/clock.h"

#include <errno.h>
#include <time.h>

/* splitmix64: turns any seed (0 included) into a well-mixed starting state. */
static uint64_t work_mix_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1; /* xorshift must not start at 0 */
}

/*
 * The kernel: xorshift64* steps, each depending on the previous one, summed
 * into a checksum. The dependency chain stops the compiler and the CPU from
 * vectorising or skipping steps, so the work really scales with iterations.
 */
static uint64_t work_kernel(uint64_t *state, uint64_t iterations)
{
	uint64_t x = *state, sum = 0;

	for (uint64_t i = 0; i < iterations; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		sum += x * 0x2545f4914f6cdd1dull;
	}
	*state = x;
	return sum;
}

bool work_stopped(const struct work_stop *st)
{
	return st && ((st->server && atomic_load_explicit(st->server, memory_order_relaxed)) ||
		      (st->job && atomic_load_explicit(st->job, memory_order_relaxed)));
}

/* Runs at most `budget` more steps of p (whole chunks but the item's
 * last), looking at st between chunks. Returns false if st stopped it. */
static bool work_part_spin(struct work_part *p, uint64_t budget,
			   const struct work_stop *st)
{
	while (p->left > 0 && budget > 0) {
		uint64_t n = p->left < WORK_CHUNK_ITERS ? p->left : WORK_CHUNK_ITERS;

		if (work_stopped(st))
			return false;
		p->sum = p->sum * 31 + work_kernel(&p->state, n);
		p->left -= n;
		budget = budget > n ? budget - n : 0;
	}
	return true;
}

uint64_t work_spin(uint64_t iterations, uint64_t seed,
		   const struct work_stop *st, bool *stopped)
{
	struct work_part p;
	bool ran;

	work_part_start(&p, WORK_CPU, 1, 0, seed);
	p.left = iterations;
	ran = work_part_spin(&p, iterations, st);
	if (stopped)
		*stopped = !ran;
	return p.sum;
}

uint64_t work_calibrate(int trials)
{
	const uint64_t trial_iters = 1u << 23; /* ~16 ms per trial */
	int64_t us[WORK_CALIBRATE_TRIALS_MAX];
	volatile uint64_t sink = 0;

	if (trials < 1)
		trials = 1;
	if (trials > WORK_CALIBRATE_TRIALS_MAX)
		trials = WORK_CALIBRATE_TRIALS_MAX;

	/* One untimed run first: warms caches, wakes the core from idle. */
	sink += work_spin(trial_iters, 0, NULL, NULL);
	for (int trial = 0; trial < trials; trial++) {
		int64_t t0 = clock_thread_cpu_us();

		sink += work_spin(trial_iters, (uint64_t)trial, NULL, NULL);
		us[trial] = clock_thread_cpu_us() - t0;
	}
	(void)sink;

	/* The median trial, not the fastest: the fastest is a lucky moment
	 * and makes every later item run a few percent long. (Insertion
	 * sort: a few dozen numbers.) */
	for (int i = 1; i < trials; i++)
		for (int j = i; j > 0 && us[j - 1] > us[j]; j--) {
			int64_t t = us[j];
			us[j] = us[j - 1];
			us[j - 1] = t;
		}
	int64_t median_us = us[trials / 2] > 0 ? us[trials / 2] : 1;
	uint64_t per_ms = trial_iters * 1000u / (uint64_t)median_us;

	return per_ms ? per_ms : 1;
}

/* Sleeps us microseconds in slices of at most 10 ms, so a stop request is
 * seen quickly. Returns false if stopped early. */
static bool work_sleep(int64_t us, const struct work_stop *st)
{
	int64_t end = clock_now_us() + us;

	for (;;) {
		if (work_stopped(st))
			return false;

		int64_t left = end - clock_now_us();

		if (left <= 0)
			return true;
		if (left > 10000)
			left = 10000;

		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)left * 1000 };

		/* EINTR (a signal) just sends us round the loop to look at
		 * the stop flag; the deadline, not the slice, bounds the wait. */
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			return false;
	}
}

bool work_item(enum work_kind kind, uint64_t iters_per_ms, int work_ms,
	       uint64_t seed, const struct work_stop *st, uint64_t *value)
{
	bool stopped = false;

	*value = 0;
	if (kind == WORK_SLEEP)
		return work_sleep((int64_t)work_ms * 1000, st);

	*value = work_spin((uint64_t)work_ms * iters_per_ms, seed, st, &stopped);
	return !stopped;
}

void work_part_start(struct work_part *p, enum work_kind kind,
		     uint64_t iters_per_ms, int work_ms, uint64_t seed)
{
	uint64_t ms = work_ms > 0 ? (uint64_t)work_ms : 0;

	*p = (struct work_part){
		.kind = kind,
		.left = kind == WORK_SLEEP ? ms * 1000u : ms * iters_per_ms,
		.state = work_mix_seed(seed),
	};
}

bool work_part_run(struct work_part *p, uint64_t iters_per_ms, int slice_ms,
		   const struct work_stop *st, bool *stopped, uint64_t *value)
{
	uint64_t slice = slice_ms > 0 ? (uint64_t)slice_ms : 1;

	*stopped = false;
	*value = 0;
	if (p->kind == WORK_SLEEP) {
		uint64_t us = p->left < slice * 1000u ? p->left : slice * 1000u;

		if (!work_sleep((int64_t)us, st)) {
			*stopped = true;
			return false;
		}
		p->left -= us;
		return p->left == 0;
	}
	uint64_t steps = slice * iters_per_ms;

	/* whole chunks keep the checksum independent of the slicing */
	steps = (steps + WORK_CHUNK_ITERS - 1) / WORK_CHUNK_ITERS * WORK_CHUNK_ITERS;
	if (!work_part_spin(p, steps, st)) {
		*stopped = true;
		return false;
	}
	if (p->left > 0)
		return false;
	*value = p->sum;
	return true;
}
