/*
 * grade_lab08.c: the checks of lab 08, the partition fix.
 *
 * A partitioned server computes each item on the loop thread in slices of
 * at most --slice-ms and gives the loop back after every slice. So, on
 * top of what every fix shows (grade_delivery), another client and the
 * server's own lag monitor wait about a slice, never an item; every item
 * does exactly the work of one whole item (its checksum, which the grader
 * computes itself from the same calibration); and two jobs sent at once
 * take turns instead of running one after the other.
 *
 * The server runs with --slice-ms 10 and items of 150 ms: an item is 15
 * slices, so "about a slice" and "about an item" are far apart whatever
 * the machine's speed; every bound is a fraction of the measured item.
 */
#include "grade/grade.h"

#include "client/spawn.h"
#include "common/wire.h"
#include "core/work.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#define LAB08_SLICE "10"
#define LAB08_WORK_MS 150

static const char *const lab08_stall_hint =
	"the job stopped and was never resumed: after a slice that leaves work "
	"(ITEM_MORE), and after sending a result that is not the last, call "
	"session_yield(s, your slice function) and return; and keep the item's "
	"progress in session_data(), zeroed only before a new item";

/* The kernel's speed as the server under test measures it (--calibrate),
 * so that the grader can compute each item's checksum; 0 if it fails. */
static uint64_t lab08_calibrate(struct grade *g)
{
	char *argv[] = { (char *)g->server, "--calibrate", NULL };
	char out[256];
	unsigned long long n = 0;
	int st = spawn_run(argv, out, sizeof(out), 10000);

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    sscanf(out, "iters_per_ms %llu", &n) != 1 || n == 0) {
		grade_check(g, false, "the server measures its speed (--calibrate): %.200s",
			    out);
		return 0;
	}
	return n;
}

/* Each result's checksum is the whole item's: a slice that restarts the
 * item, skips work, or reuses the previous item's progress changes it. */
static void lab08_checksums(struct grade *g, uint64_t ipm, const struct watched *w)
{
	for (int k = 0; k < w->items; k++) {
		uint64_t want;

		work_item(WORK_CPU, ipm, LAB08_WORK_MS, (uint64_t)k, NULL, &want);
		want &= (uint64_t)WIRE_TIME_MAX;
		if (w->value[k] != want) {
			grade_check(g, false, "result %d's checksum is %llu; the whole item's "
				    "is %llu. Likely cause: the item's progress was lost or "
				    "reused between slices (zero the struct item_part before "
				    "each new item, and only then)", k,
				    (unsigned long long)w->value[k], (unsigned long long)want);
			return;
		}
	}
	grade_check(g, true, "every result's checksum is its whole item's (%d items)",
		    w->items);
}

/* Another client and the lag monitor wait about a slice: under 0.3 of an
 * item (an item is 15 slices; computing a whole item, or the whole job,
 * before giving the loop back makes them wait at least an item). */
static void lab08_responsive(struct grade *g, const struct watched *w)
{
	int64_t bound = w->item * 3 / 10;

	grade_check(g, w->echoes >= 5 && w->worst_echo < bound, "another client waited at "
		    "most %.1f ms (%d echoes); slices of %s ms keep that under 0.3 of an "
		    "item, %.1f ms%s", grade_ms(w->worst_echo), w->echoes, LAB08_SLICE,
		    grade_ms(bound), w->worst_echo < bound ? "" : ". Likely cause: the "
		    "loop gets control back only after a whole item or job: call "
		    "session_yield() after every slice, not only after a result");
	grade_check(g, w->lag_max < bound, "the server's lag monitor saw at most %.1f ms; "
		    "under 0.3 of an item, %.1f ms%s", grade_ms(w->lag_max), grade_ms(bound),
		    w->lag_max < bound ? "" : ". Likely cause: more than one slice runs "
		    "before returning to the loop");
}

/* Two jobs at once take turns, slice by slice: each one's first result
 * comes before the other's last. */
static void lab08_two_jobs(struct grade *g, const struct spawned *s)
{
	struct watched_jobs w;
	char err[512];

	if (!watch_jobs(s->port, 2, 3, 100, &w, err, sizeof(err))) {
		grade_check(g, false, "two jobs at once both complete: %s. Likely cause: %s",
			    err, lab08_stall_hint);
		return;
	}
	for (int c = 0; c < 2; c++)
		if (w.done[c][0] >= w.done[1 - c][2]) {
			grade_check(g, false, "two jobs at once: job %d's first item ended "
				    "after job %d's last; they should take turns. Likely cause: "
				    "a job runs to its end before the loop gets control back",
				    c, 1 - c);
			return;
		}
	grade_check(g, true, "two jobs at once take turns: each one's first item ends "
		    "before the other's last");
}

void grade_lab08(struct grade *g)
{
	const char *what = "--slice-ms " LAB08_SLICE;
	uint64_t ipm = lab08_calibrate(g);
	char ipm_arg[32];
	struct spawned s;
	struct watched w;

	if (!ipm)
		return;
	snprintf(ipm_arg, sizeof(ipm_arg), "%llu", (unsigned long long)ipm);
	if (!grade_start(g, &s, "--slice-ms", LAB08_SLICE, "--iters-per-ms", ipm_arg, NULL))
		return;
	if (grade_job(g, &s, what, lab08_stall_hint, GRADE_ITEMS, LAB08_WORK_MS, &w)) {
		grade_delivery(g, what, LAB08_WORK_MS, &w);
		lab08_checksums(g, ipm, &w);
		lab08_responsive(g, &w);
		lab08_two_jobs(g, &s);
	}
	grade_stop(g, &s, what);
}
