/*
 * lag.h: the event-loop lag monitor (the spec's "Event-loop lag monitor").
 *
 * One timer is due every 10 ms; each time the loop gets round to it, it
 * records how late it was. The timer is a looptimer (looptimer.h), not an
 * lws timer: those make the loop spin for up to a millisecond before each
 * expiry. A loop that is free fires it within about a millisecond; a loop
 * stuck in a 300 ms computation fires it ~300 ms late. This is the same
 * idea as Node's monitorEventLoopDelay (which records the time between
 * runs, so its idle reading is the period, not 0) and asyncio debug mode's
 * slow-callback warning. A sample over 100 ms is a stall: one line on stderr
 * (unless quiet) and one count in the `stats` reply.
 *
 * The recent samples live in a fixed ring (LAG_WINDOW, ~80 s at 10 ms, more
 * than the longest job), so memory is bounded however long the server runs.
 * Everything here runs on the loop thread only.
 */
#ifndef SENDLAB_LAG_H
#define SENDLAB_LAG_H

#include "common/stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LAG_PERIOD_US 10000
#define LAG_STALL_US 100000
#define LAG_WINDOW 8192

struct lag_sample {
	int64_t t_us;	/* when the timer fired */
	int64_t lag_us;	/* how late it fired */
};

/* The ring of recent samples. Exposed so tests can drive it without a loop. */
struct lag_ring {
	struct lag_sample s[LAG_WINDOW];
	unsigned next;	/* where the next sample goes */
	unsigned count;	/* samples held, at most LAG_WINDOW */
};

/* Adds a sample, overwriting the oldest when full. */
void lag_ring_add(struct lag_ring *r, int64_t t_us, int64_t lag_us);

/* Summarises the samples taken at or after since_us (p50/p99/max of lag_us,
 * and how many were stalls). scratch must hold LAG_WINDOW values. */
void lag_ring_summary(const struct lag_ring *r, int64_t since_us,
		      struct stats_summary *out, uint64_t *stalls,
		      int64_t *scratch);

struct lws_context;

/* Starts the timer on ctx's loop (whose default vhost must list
 * LOOPTIMER_PROTOCOL). If log_path is set, samples are appended
 * to it as CSV "t_us,lag_us" (a header line first when the file is empty).
 * Returns false, with a message on stderr, if the file cannot be opened. */
bool lag_start(struct lws_context *ctx, const char *log_path, bool quiet);

/* Stops the timer and closes the log. Safe to call when not started. The
 * timerfd itself stays open until lws_context_destroy() closes it.
 * Returns false if the log lost samples (a write or its close failed,
 * already reported on stderr). */
bool lag_stop(void);

/* The running monitor's summary since since_us (for the `stats` op). */
void lag_summary(int64_t since_us, struct stats_summary *out, uint64_t *stalls);

#endif
