/*
 * observe.c: see observe.h.
 */
#include "tests/observe.h"

#include "tests/testutil.h"

#include <check.h>
#include <stdio.h>

const char *const obs_sends[OBS_NSENDS] = { "proactor", "queue", "direct" };

static void obs_print(const char *variant, const char *send, const struct watched *o)
{
	fprintf(stderr, "%s %s: item %.0f ms; arrivals %.0f/%.0f/%.0f ms; delivery "
		"%.1f/%.1f/%.1f ms; bystander worst %.0f ms (%d echoes); lag max %.0f ms; "
		"%d pings\n",
		variant, send ? send : "-", o->item / 1e3, (o->arrived[0] - o->t_request) / 1e3,
		(o->arrived[1] - o->t_request) / 1e3, (o->arrived[2] - o->t_request) / 1e3,
		(o->arrived[0] - o->done[0]) / 1e3, (o->arrived[1] - o->done[1]) / 1e3,
		(o->arrived[2] - o->done[2]) / 1e3, o->worst_echo / 1e3, o->echoes,
		o->lag_max / 1e3, o->pings);
}

void obs_run(const char *variant, const char *send, struct watched *o)
{
	struct spawned s;
	char err[512];

	if (send)
		tu_start(&s, variant, "--send", send, NULL);
	else
		tu_start(&s, variant, NULL);
	bool ok = watch_job(s.port, OBS_ITEMS, OBS_WORK_MS, OBS_BYSTANDER_MS, o, err,
			    sizeof(err));

	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s", err);
	obs_print(variant, send, o);
}

void obs_assert_loop_blocked(const struct watched *o, int64_t worst_us, int64_t lag_us)
{
	ck_assert_msg(o->echoes >= 3, "only %d echoes", o->echoes);
	ck_assert_msg(o->worst_echo >= worst_us, "bystander waited at most %lld us; want "
		      "%lld us (item %lld us, job %lld us)", (long long)o->worst_echo,
		      (long long)worst_us, (long long)o->item, (long long)o->job);
	ck_assert_msg(o->lag_max >= lag_us, "lag monitor max %lld us; want %lld us",
		      (long long)o->lag_max, (long long)lag_us);
	ck_assert_int_ge(o->stalls, 1);
}

void obs_assert_clumped_at_end(const struct watched *o)
{
	for (int i = 0; i < OBS_ITEMS; i++) {
		ck_assert_int_ge(o->sent[i], o->done[OBS_ITEMS - 1]);
		ck_assert_int_ge(o->arrived[i], o->done[OBS_ITEMS - 1]);
	}
	ck_assert_int_ge(o->arrived[0] - o->done[0], 2 * o->item * 7 / 10);
	ck_assert_int_lt(o->arrived[OBS_ITEMS - 1] - o->arrived[0], OBS_TOL(o));
}

void obs_assert_spaced(const struct watched *o)
{
	for (int i = 0; i < OBS_ITEMS; i++)
		ck_assert_msg(o->arrived[i] - o->done[i] < OBS_PROMPT(o),
			      "message %d arrived %lld us after its item was done; "
			      "a fixed server sends within a tenth of an item, %lld us", i,
			      (long long)(o->arrived[i] - o->done[i]),
			      (long long)OBS_PROMPT(o));
	/* against the later item's own length, not the median: with another
	 * program on one core, one item can run at full speed and the next
	 * at half (measured: 155 and 290 ms items of one server-partition job) */
	for (int i = 1; i < OBS_ITEMS; i++) {
		int64_t own = o->done[i] - o->start[i];

		ck_assert_msg(o->arrived[i] - o->arrived[i - 1] >= own * 7 / 10,
			      "messages %d and %d arrived %lld us apart (item %d took %lld us)",
			      i - 1, i, (long long)(o->arrived[i] - o->arrived[i - 1]), i,
			      (long long)own);
	}
}

