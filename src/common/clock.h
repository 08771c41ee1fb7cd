/*
 * clock.h: the one clock sendlab uses for every timestamp.
 *
 * Servers and the harness run on the same host, so they read the same
 * CLOCK_MONOTONIC and their microsecond stamps can be subtracted directly
 * (Python's time.monotonic_ns() and Node's process.hrtime.bigint() read the
 * same clock, so foreign clients can join in).
 */
#ifndef SENDLAB_CLOCK_H
#define SENDLAB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds of CLOCK_MONOTONIC. Any thread may call it. */
static inline int64_t clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time consumed by the calling thread, in microseconds. Unlike the
 * monotonic clock it does not advance while the thread is preempted, which
 * makes it the right ruler for calibrating the CPU workload. */
static inline int64_t clock_thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
