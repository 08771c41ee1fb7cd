/*
 * test_lag.c: the lag monitor's sample ring and its summary.
 */
#include "core/lag.h"
#include "tests/suites.h"

#include <stdlib.h>

START_TEST(test_summary_since)
{
	struct lag_ring *r = calloc(1, sizeof(*r));
	int64_t *scratch = calloc(LAG_WINDOW, sizeof(int64_t));
	struct stats_summary s;
	uint64_t stalls;

	/* 100 quiet samples, then one 900 ms stall, then 9 quiet ones */
	for (int i = 0; i < 100; i++)
		lag_ring_add(r, 1000 + i * 10000, 500);
	lag_ring_add(r, 2000000, 900000);
	for (int i = 0; i < 9; i++)
		lag_ring_add(r, 2010000 + i * 10000, 800);

	lag_ring_summary(r, 0, &s, &stalls, scratch);
	ck_assert_uint_eq(s.n, 110);
	ck_assert_int_eq(s.max, 900000);
	ck_assert_int_eq(s.p50, 500);
	ck_assert_uint_eq(stalls, 1);

	/* the window starting at the stall sees it and what followed */
	lag_ring_summary(r, 2000000, &s, &stalls, scratch);
	ck_assert_uint_eq(s.n, 10);
	ck_assert_int_eq(s.p50, 800);
	ck_assert_int_eq(s.p99, 900000);
	ck_assert_uint_eq(stalls, 1);

	/* after it: no stall */
	lag_ring_summary(r, 2000001, &s, &stalls, scratch);
	ck_assert_uint_eq(s.n, 9);
	ck_assert_uint_eq(stalls, 0);

	/* in the future: empty */
	lag_ring_summary(r, 9000000, &s, &stalls, scratch);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(s.max, 0);
	free(scratch);
	free(r);
}
END_TEST

START_TEST(test_stall_threshold_is_strict)
{
	struct lag_ring *r = calloc(1, sizeof(*r));
	int64_t *scratch = calloc(LAG_WINDOW, sizeof(int64_t));
	struct stats_summary s;
	uint64_t stalls;

	lag_ring_add(r, 1, LAG_STALL_US);	/* exactly 100 ms: not over */
	lag_ring_add(r, 2, LAG_STALL_US + 1);
	lag_ring_summary(r, 0, &s, &stalls, scratch);
	ck_assert_uint_eq(stalls, 1);
	free(scratch);
	free(r);
}
END_TEST

START_TEST(test_ring_is_bounded)
{
	struct lag_ring *r = calloc(1, sizeof(*r));
	int64_t *scratch = calloc(LAG_WINDOW, sizeof(int64_t));
	struct stats_summary s;
	uint64_t stalls;

	/* three windows' worth: only the newest LAG_WINDOW samples remain */
	for (int64_t i = 0; i < 3 * LAG_WINDOW; i++)
		lag_ring_add(r, i, i);
	ck_assert_uint_eq(r->count, LAG_WINDOW);
	lag_ring_summary(r, 0, &s, &stalls, scratch);
	ck_assert_uint_eq(s.n, LAG_WINDOW);
	ck_assert_int_eq(s.min, 2 * LAG_WINDOW);
	ck_assert_int_eq(s.max, 3 * LAG_WINDOW - 1);
	free(scratch);
	free(r);
}
END_TEST

/* A ring that has wrapped many times, asked about every since_us from
 * before the oldest sample to after the newest: the binary search must
 * find exactly the samples a full scan finds. */
START_TEST(test_wrapped_ring_since_matches_a_full_scan)
{
	struct lag_ring *r = calloc(1, sizeof(*r));
	int64_t *scratch = malloc(LAG_WINDOW * sizeof(int64_t));
	int64_t *all = malloc(LAG_WINDOW * sizeof(int64_t));

	ck_assert(r && scratch && all);
	for (int64_t i = 0; i < 3 * LAG_WINDOW + 123; i++)	/* t = 10 ms each */
		lag_ring_add(r, 1000000 + i * 10000, (i * 7919) % 250000);

	int64_t oldest = 1000000 + (3 * LAG_WINDOW + 123 - LAG_WINDOW) * 10000ll;

	/* every 485 ms (between samples), then exactly at a few samples */
	static const int64_t at[] = { 0, 1, 100, 4000, LAG_WINDOW - 1 };
	int64_t since = oldest - 30000;

	for (size_t step = 0; since <= oldest + LAG_WINDOW * 10000ll + 20000 ||
			      step < sizeof(at) / sizeof(at[0]); ) {
		if (since > oldest + LAG_WINDOW * 10000ll + 20000)
			since = oldest + at[step++] * 10000;
		else
			since += 4999 * 97;	/* ~170 windows: fast enough under ASan */
		struct stats_summary got, want;
		uint64_t stalls, want_stalls = 0;
		size_t n = 0;

		for (unsigned i = 0; i < r->count; i++)
			if (r->s[i].t_us >= since) {
				all[n++] = r->s[i].lag_us;
				want_stalls += r->s[i].lag_us > LAG_STALL_US;
			}
		stats_summarize(all, n, &want);
		lag_ring_summary(r, since, &got, &stalls, scratch);
		ck_assert_msg(got.n == want.n && got.p50 == want.p50 && got.p99 == want.p99 &&
			      got.max == want.max && stalls == want_stalls,
			      "since %lld: n %zu/%zu", (long long)since, got.n, want.n);
	}
	free(r);
	free(scratch);
	free(all);
}
END_TEST

Suite *lag_suite(void)
{
	Suite *s = suite_create("lag");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, test_summary_since);
	tcase_add_test(tc, test_stall_threshold_is_strict);
	tcase_add_test(tc, test_wrapped_ring_since_matches_a_full_scan);
	tcase_add_test(tc, test_ring_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}
