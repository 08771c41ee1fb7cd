/*
 * lag.c: the event-loop lag monitor declared in lag.h.
 */
#include "core/lag.h"

#include "common/clock.h"
#include "common/looptimer.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

void lag_ring_add(struct lag_ring *r, int64_t t_us, int64_t lag_us)
{
	r->s[r->next] = (struct lag_sample){ .t_us = t_us, .lag_us = lag_us };
	r->next = (r->next + 1) % LAG_WINDOW;
	if (r->count < LAG_WINDOW)
		r->count++;
}

/* The i-th oldest sample of r (0 <= i < count). */
static const struct lag_sample *lag_ring_at(const struct lag_ring *r, unsigned i)
{
	return &r->s[(r->next + LAG_WINDOW - r->count + i) % LAG_WINDOW];
}

/*
 * Runs on the loop, once per `stats` request, so it must cost little next
 * to an echo (a full sort of 8192 samples took ~1 ms). The samples are in
 * time order, so a binary search finds the first one at or after since_us
 * and only those are read; the percentiles come from a selection, not a
 * sort (stats_select_summary). Cost: O(log W) plus O(k) for the k samples
 * asked about. Measured (build/tests/lagbench, 2-core VM): 31 us for the
 * whole window, where sorting took 630-930 us; 0.5 us for a job's 100.
 * send.c also paces each connection's stats to one per 10 ms.
 */
void lag_ring_summary(const struct lag_ring *r, int64_t since_us,
		      struct stats_summary *out, uint64_t *stalls,
		      int64_t *scratch)
{
	unsigned lo = 0, hi = r->count;
	size_t n = 0;

	while (lo < hi) {	/* the first sample with t_us >= since_us */
		unsigned mid = lo + (hi - lo) / 2;

		if (lag_ring_at(r, mid)->t_us < since_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	*stalls = 0;
	for (unsigned i = lo; i < r->count; i++) {
		const struct lag_sample *s = lag_ring_at(r, i);

		scratch[n++] = s->lag_us;
		if (s->lag_us > LAG_STALL_US)
			(*stalls)++;
	}
	stats_select_summary(scratch, n, out);
}

/* The one monitor of this process. Loop thread only. Its timer is a
 * looptimer, not an lws timer: those make the loop spin for up to a
 * millisecond before each expiry (looptimer.h), which here was half a
 * millisecond of every 10 and a client waiting behind it for up to 1.1 ms. */
static struct {
	struct looptimer timer;
	int64_t due_us;		/* when the pending timer should fire */
	struct lag_ring ring;
	int64_t scratch[LAG_WINDOW];
	FILE *log;
	const char *log_path;	/* for messages */
	bool log_failed;	/* a write failed: samples were lost */
	bool quiet;
	bool running;
} lag = { .timer = { .fd = -1 } };

/* A write to the lag log failed (a full disk, say): the file now misses
 * samples. Says so once, closes it and writes no more; lag_stop() then
 * returns false, so the server's exit status tells the script that asked
 * for the log. Samples still go to the ring (stats). */
static void lag_log_failed(void)
{
	fprintf(stderr, "lag log '%s': write failed: %s; samples from now on "
		"are not logged\n", lag.log_path, strerror(errno));
	fclose(lag.log);
	lag.log = NULL;
	lag.log_failed = true;
}

/* Arms the timer LAG_PERIOD_US from now. */
static bool lag_schedule(void)
{
	lag.due_us = clock_now_us() + LAG_PERIOD_US;
	return looptimer_arm_at(&lag.timer, lag.due_us);
}

/* Loop thread: the timer expired and the loop got round to it. */
static void lag_fire(struct looptimer *t)
{
	(void)t;
	if (!lag.running)
		return;

	int64_t now = clock_now_us();
	int64_t late = now - lag.due_us;

	if (late < 0)
		late = 0;
	lag_ring_add(&lag.ring, now, late);
	if (lag.log && fprintf(lag.log, "%" PRId64 ",%" PRId64 "\n", now, late) < 0)
		lag_log_failed();
	if (late > LAG_STALL_US && !lag.quiet)
		fprintf(stderr, "event loop blocked for %" PRId64 " ms\n",
			late / 1000);
	/* Re-arm from now, not from the missed due time: after a stall we
	 * want one sample that shows it, not a burst of catch-up samples. */
	if (!lag_schedule() && !lag.quiet)
		fprintf(stderr, "lag monitor: cannot re-arm its timer: %s\n",
			strerror(errno));
}

bool lag_start(struct lws_context *ctx, const char *log_path, bool quiet)
{
	char err[160];

	memset(&lag.ring, 0, sizeof(lag.ring));
	lag.quiet = quiet;
	lag.log = NULL;
	lag.log_path = log_path;
	lag.log_failed = false;
	if (!looptimer_open(&lag.timer, ctx, lag_fire, err, sizeof(err))) {
		fprintf(stderr, "lag monitor: %s\n", err);
		return false;
	}
	if (log_path) {
		lag.log = fopen(log_path, "a");
		if (!lag.log) {
			fprintf(stderr, "cannot open lag log '%s': %s\n", log_path,
				strerror(errno));
			return false;
		}
		/* a line at a time (one write per 10 ms sample, about a
		 * microsecond): a server killed mid-run then leaves every sample
		 * up to its death, in whole lines, where a full buffer would
		 * leave nothing since the last stats, or half a line */
		setvbuf(lag.log, NULL, _IOLBF, 0);
		if (ftell(lag.log) == 0 && fprintf(lag.log, "t_us,lag_us\n") < 0)
			lag_log_failed();
	}
	if (!lag_schedule()) {
		fprintf(stderr, "lag monitor: cannot arm its timer: %s\n",
			strerror(errno));
		lag_stop();
		return false;
	}
	lag.running = true;
	return true;
}

bool lag_stop(void)
{
	lag.running = false;
	/* the timerfd itself is lws's now: lws_context_destroy() closes it */
	looptimer_disarm(&lag.timer);
	if (lag.log && fclose(lag.log) != 0 && !lag.log_failed) {
		fprintf(stderr, "lag log '%s': closing it failed: %s; its last "
			"samples may be lost\n", lag.log_path, strerror(errno));
		lag.log_failed = true;
	}
	lag.log = NULL;
	return !lag.log_failed;
}

void lag_summary(int64_t since_us, struct stats_summary *out, uint64_t *stalls)
{
	/* whoever asks for stats may read the log next */
	if (lag.log && fflush(lag.log) != 0)
		lag_log_failed();
	lag_ring_summary(&lag.ring, since_us, out, stalls, lag.scratch);
}
