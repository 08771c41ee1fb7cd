/*
 * lag.c: the event-loop lag monitor declared in lag.h.
 */
#include "core/lag.h"

#include "common/clock.h"

#include <errno.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <string.h>

void lag_ring_add(struct lag_ring *r, int64_t t_us, int64_t lag_us)
{
	r->s[r->next] = (struct lag_sample){ .t_us = t_us, .lag_us = lag_us };
	r->next = (r->next + 1) % LAG_WINDOW;
	if (r->count < LAG_WINDOW)
		r->count++;
}

void lag_ring_summary(const struct lag_ring *r, int64_t since_us,
		      struct stats_summary *out, uint64_t *stalls,
		      int64_t *scratch)
{
	size_t n = 0;

	*stalls = 0;
	for (unsigned i = 0; i < r->count; i++) {
		const struct lag_sample *s = &r->s[i];

		if (s->t_us < since_us)
			continue;
		scratch[n++] = s->lag_us;
		if (s->lag_us > LAG_STALL_US)
			(*stalls)++;
	}
	stats_summarize(scratch, n, out);
}

/* The one monitor of this process. Loop thread only. */
static struct {
	lws_sorted_usec_list_t sul;
	struct lws_context *ctx;
	int64_t due_us;		/* when the pending timer should fire */
	struct lag_ring ring;
	int64_t scratch[LAG_WINDOW];
	FILE *log;
	bool quiet;
	bool running;
} lag;

static void lag_fire(lws_sorted_usec_list_t *sul);

static void lag_schedule(void)
{
	lag.due_us = clock_now_us() + LAG_PERIOD_US;
	lws_sul_schedule(lag.ctx, 0, &lag.sul, lag_fire, LAG_PERIOD_US);
}

static void lag_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	int64_t now = clock_now_us();
	int64_t late = now - lag.due_us;

	if (late < 0)
		late = 0; /* lws fired a little early (its clock ticks in ms) */
	lag_ring_add(&lag.ring, now, late);
	if (lag.log)
		fprintf(lag.log, "%" PRId64 ",%" PRId64 "\n", now, late);
	if (late > LAG_STALL_US && !lag.quiet)
		fprintf(stderr, "event loop blocked for %" PRId64 " ms\n",
			late / 1000);
	/* Re-arm from now, not from the missed due time: after a stall we
	 * want one sample that shows it, not a burst of catch-up samples. */
	lag_schedule();
}

bool lag_start(struct lws_context *ctx, const char *log_path, bool quiet)
{
	memset(&lag.ring, 0, sizeof(lag.ring));
	lag.ctx = ctx;
	lag.quiet = quiet;
	lag.log = NULL;
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
		if (ftell(lag.log) == 0)
			fprintf(lag.log, "t_us,lag_us\n");
	}
	memset(&lag.sul, 0, sizeof(lag.sul));
	lag.running = true;
	lag_schedule();
	return true;
}

void lag_stop(void)
{
	if (lag.running)
		lws_sul_cancel(&lag.sul);
	lag.running = false;
	if (lag.log)
		fclose(lag.log);
	lag.log = NULL;
}

void lag_summary(int64_t since_us, struct stats_summary *out, uint64_t *stalls)
{
	if (lag.log)
		fflush(lag.log); /* whoever asks for stats may read the log next */
	lag_ring_summary(&lag.ring, since_us, out, stalls, lag.scratch);
}
