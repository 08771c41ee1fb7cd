/*
 * work.h: the work item, a fixed amount of real CPU work (or a blocking sleep).
 *
 * A `cpu` item of work_ms runs work_ms * iters_per_ms steps of a checksum
 * kernel, where iters_per_ms is measured once at start-up. The amount of
 * work is fixed, not the time: on an idle core an item takes about work_ms,
 * and when more threads compute than there are cores each item takes longer,
 * which is exactly what the scaling experiment must be able to see (a loop
 * that spins "until work_ms have passed" would hide CPU contention). The
 * checksum is returned to the client, so the compiler cannot drop the work.
 *
 * A `sleep` item blocks the calling thread in nanosleep for work_ms: the
 * stand-in for blocking I/O (a synchronous database call). On the loop thread
 * it stalls the loop exactly like CPU work; on a pool it uses no core.
 *
 * Every function here is thread-safe: it touches only its arguments.
 */
#ifndef SENDLAB_WORK_H
#define SENDLAB_WORK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum work_kind { WORK_CPU, WORK_SLEEP };

/* Steps the kernel runs between two looks at the stop flag: a few hundred
 * microseconds, so a stop request is honoured well within a millisecond. */
#define WORK_CHUNK_ITERS 65536u

/*
 * Measures how many kernel steps the calling thread does per millisecond of
 * its own CPU time (so being preempted does not count): the median of
 * `trials` ~16 ms trials (clamped to 1..WORK_CALIBRATE_TRIALS_MAX). A server
 * measures WORK_CALIBRATE_TRIALS_SERVER at start-up (about 180 ms); an
 * experiment measures WORK_CALIBRATE_TRIALS_EXPERIMENT once (--calibrate,
 * about 0.5 s) and hands the figure to every server it starts, so that all
 * of them do the same work per item.
 *
 * Honest limits: the result is only as good as the core was quiet, and on
 * this project's 2-core VM a core's speed itself wanders. Measured there:
 * 30 back-to-back 11-trial calibrations ranged 550k..585k steps/ms (+-3%),
 * and 100 items of one fixed size took 292..313 ms of thread CPU time
 * (median 300). No calibration removes that; one shared figure at least
 * makes every server of a run do identical work, and the summaries report
 * each item's CPU time so the remaining noise is visible. Never returns
 * less than 1.
 */
#define WORK_CALIBRATE_TRIALS_SERVER 11
#define WORK_CALIBRATE_TRIALS_EXPERIMENT 31
#define WORK_CALIBRATE_TRIALS_MAX 63
uint64_t work_calibrate(int trials);

/* Two flags that can each stop a computation (either may be NULL): the
 * server's "stopping" and, for a thread pool, "this job was cancelled". */
struct work_stop {
	const atomic_bool *server;
	const atomic_bool *job;
};

/* Is either flag of st (which may be NULL) set? */
bool work_stopped(const struct work_stop *st);

/*
 * Runs `iterations` steps of the checksum kernel from `seed` and returns the
 * checksum: the same (iterations, seed) always give the same value. If st is
 * non-NULL its flags are read every WORK_CHUNK_ITERS steps; when one is set
 * the function returns early and sets *stopped (if stopped is non-NULL).
 */
uint64_t work_spin(uint64_t iterations, uint64_t seed,
		   const struct work_stop *st, bool *stopped);

/*
 * One work item of work_ms milliseconds, of the given kind, seeded with seed
 * (cpu: work_ms * iters_per_ms steps). Stores the checksum in *value (0 for
 * sleep). Returns false if a flag of st was set before the item finished.
 */
bool work_item(enum work_kind kind, uint64_t iters_per_ms, int work_ms,
	       uint64_t seed, const struct work_stop *st, uint64_t *value);

/*
 * One work item computed in pieces (server-partition keeps one between two
 * slices). Plain data, filled by work_part_start().
 */
struct work_part {
	enum work_kind kind;
	uint64_t left;		/* cpu: kernel steps still to run;
				   sleep: microseconds still to sleep */
	uint64_t state;		/* cpu: the kernel's state after the last step */
	uint64_t sum;		/* cpu: the checksum so far */
};

/* *p becomes the start of an item of work_ms (as work_item would run it). */
void work_part_start(struct work_part *p, enum work_kind kind,
		     uint64_t iters_per_ms, int work_ms, uint64_t seed);

/*
 * Runs at most slice_ms more of p's work. cpu: slice_ms * iters_per_ms
 * steps, rounded up to whole WORK_CHUNK_ITERS so that an item computed in
 * slices has exactly the checksum work_item gives it in one piece (the
 * slice is thus up to one chunk, ~0.1 ms, longer than asked). sleep:
 * slice_ms of sleep. Returns true when the item is complete, with its
 * checksum in *value (0 for sleep); false while work remains, or when a
 * flag of st was set (then *stopped is true and p must be abandoned).
 */
bool work_part_run(struct work_part *p, uint64_t iters_per_ms, int slice_ms,
		   const struct work_stop *st, bool *stopped, uint64_t *value);

#endif
