/*
 * test_stats.c: nearest-rank percentiles and the summary.
 */
#include "common/stats.h"
#include "tests/suites.h"

#include <stdlib.h>
#include <string.h>

START_TEST(test_nearest_rank)
{
	int64_t v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };

	ck_assert_int_eq(stats_percentile_sorted(v, 10, 50), 50);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 90), 90);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 91), 100);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 99), 100);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 0), 10);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 100), 100);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 10), 10);
	ck_assert_int_eq(stats_percentile_sorted(v, 10, 11), 20);
}
END_TEST

START_TEST(test_median_odd_and_even)
{
	int64_t odd[] = { 3, 1, 2 };
	int64_t even[] = { 4, 1, 3, 2 };
	struct stats_summary s;

	stats_summarize(odd, 3, &s);
	ck_assert_int_eq(s.p50, 2);
	stats_summarize(even, 4, &s);
	ck_assert_int_eq(s.p50, 2); /* the lower middle: an observed value */
}
END_TEST

START_TEST(test_summary_fields)
{
	int64_t v[200];
	struct stats_summary s;

	for (int i = 0; i < 200; i++)
		v[i] = 199 - i; /* 0..199, reversed: summarize must sort */
	stats_summarize(v, 200, &s);
	ck_assert_uint_eq(s.n, 200);
	ck_assert_int_eq(s.min, 0);
	ck_assert_int_eq(s.max, 199);
	ck_assert_int_eq(s.p50, 99);
	ck_assert_int_eq(s.p99, 197);
	ck_assert_double_eq_tol(s.mean, 99.5, 1e-9);
	ck_assert_int_eq(v[0], 0); /* sorted in place */
}
END_TEST

START_TEST(test_empty_and_single)
{
	int64_t one = 42;
	struct stats_summary s;

	stats_summarize(NULL, 0, &s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(s.max, 0);
	ck_assert_int_eq(stats_percentile_sorted(NULL, 0, 50), 0);
	stats_summarize(&one, 1, &s);
	ck_assert_int_eq(s.min, 42);
	ck_assert_int_eq(s.p50, 42);
	ck_assert_int_eq(s.p99, 42);
	ck_assert_int_eq(s.max, 42);
}
END_TEST

START_TEST(test_negative_values)
{
	int64_t v[] = { -5, 7, -1 };
	struct stats_summary s;

	stats_summarize(v, 3, &s);
	ck_assert_int_eq(s.min, -5);
	ck_assert_int_eq(s.p50, -1);
	ck_assert_int_eq(s.max, 7);
}
END_TEST

/* The selection gives exactly what sorting gives, for every size from 1
 * to 300 and for sorted, reversed, constant, two-valued and random
 * input (duplicates are where a partition goes wrong). */
START_TEST(test_select_summary_equals_sorting)
{
	enum { MAX = 300 };
	int64_t a[MAX], b[MAX];
	unsigned seed = 12345;

	for (size_t n = 1; n <= MAX; n++)
		for (int shape = 0; shape < 5; shape++) {
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				a[i] = shape == 0 ? (int64_t)i : shape == 1 ? (int64_t)(n - i) :
				       shape == 2 ? 7 : shape == 3 ? (int64_t)(seed >> 16) % 2 :
				       (int64_t)(seed >> 8) % 1000 - 500;
			}
			memcpy(b, a, n * sizeof(a[0]));

			struct stats_summary sorted, selected;

			stats_summarize(a, n, &sorted);
			stats_select_summary(b, n, &selected);
			ck_assert_msg(sorted.p50 == selected.p50 && sorted.p99 == selected.p99 &&
				      sorted.min == selected.min && sorted.max == selected.max &&
				      sorted.n == selected.n,
				      "n %zu shape %d: p50 %lld/%lld p99 %lld/%lld", n, shape,
				      (long long)sorted.p50, (long long)selected.p50,
				      (long long)sorted.p99, (long long)selected.p99);
			for (size_t k = 0; k < n; k += 1 + n / 7) {
				memcpy(b, a, n * sizeof(a[0]));	/* a is sorted now */
				ck_assert_int_eq(stats_select(b, n, k), a[k]);
			}
		}
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("percentiles");

	tcase_add_test(tc, test_nearest_rank);
	tcase_add_test(tc, test_median_odd_and_even);
	tcase_add_test(tc, test_summary_fields);
	tcase_add_test(tc, test_empty_and_single);
	tcase_add_test(tc, test_negative_values);
	tcase_add_test(tc, test_select_summary_equals_sorting);
	suite_add_tcase(s, tc);
	return s;
}
