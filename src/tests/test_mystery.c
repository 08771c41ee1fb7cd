/*
 * test_mystery.c: lab 09's classification names hand-built probelogs
 * shaped like what each variant measured (src/mystery/classify.c), and
 * the table of hidden cases is a complete, scrambled 5 x 3 with words
 * that round-trip (src/mystery/cases.c).
 */
#include "mystery/cases.h"
#include "mystery/classify.h"
#include "probe/probelog.h"
#include "tests/probefixture.h"
#include "tests/suites.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- classify */

#define T_SEND (10000 * MS)	/* the job's send, 10 s into the probe */

/* The probe before the job: a ping every 10 ms, answered in 0.2 ms. */
static void probe_before(struct probelog *log)
{
	probelog_init(log, 10000, 100, 10);
	for (int64_t t = 0; t < T_SEND; t += 10 * MS)
		probe_fixture_ping(log, t, t + 200);
	probelog_add_send(log, T_SEND, 20);
}

/* The job's 6 messages at T_SEND + offsets[i]. */
static void job_msgs(struct probelog *log, const int64_t offsets[6])
{
	for (int i = 0; i < 6; i++)
		probelog_add_msg(log, T_SEND + offsets[i], 40);
}

static const int64_t spaced[6] = { 150 * MS, 300 * MS, 450 * MS, 600 * MS, 750 * MS,
				   900 * MS };
static const int64_t clumped[6] = { 900 * MS, 900 * MS + 100, 900 * MS + 200,
				    900 * MS + 300, 900 * MS + 400, 900 * MS + 500 };
static const int64_t first_then[6] = { 150 * MS, 900 * MS, 900 * MS + 100,
				       900 * MS + 200, 900 * MS + 300, 900 * MS + 400 };

START_TEST(test_classify_blocking_job_and_its_three_arrivals)
{
	/* the bug: one ping sent 10 ms into the job waits for the whole job
	 * (its pong leaves with the last result); how the results come
	 * depends on the send discipline (cases.c) */
	static const struct {
		const int64_t *offsets;
		enum mystery_arrivals arrivals;
		size_t groups, first_group;
	} rows[] = {
		{ spaced, MYSTERY_ARRIVALS_SPACED, 6, 1 },		/* direct */
		{ clumped, MYSTERY_ARRIVALS_CLUMPED, 1, 6 },		/* queue */
		{ first_then, MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED, 2, 1 },	/* proactor */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";
		int64_t last = T_SEND + rows[i].offsets[5];

		probe_before(&log);
		probe_fixture_ping(&log, T_SEND + 10 * MS, last + 100);
		job_msgs(&log, rows[i].offsets);
		for (int64_t t = last + 10 * MS; t < last + 500 * MS; t += 10 * MS)
			probe_fixture_ping(&log, t, t + 200);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_int_eq(j.t_send_us, T_SEND);
		ck_assert_int_eq(j.t_last_us, last);
		ck_assert_uint_eq(j.pings, 1);
		ck_assert_int_eq(j.worst_wait_us, last + 100 - (T_SEND + 10 * MS));
		ck_assert_int_eq(j.median_wait_us, j.worst_wait_us);
		ck_assert_int_eq(j.loop, MYSTERY_LOOP_JOB);
		ck_assert_msg(j.arrivals == rows[i].arrivals, "row %zu: %s", i,
			      mystery_arrivals_name(j.arrivals));
		ck_assert(j.arrivals_clear);
		ck_assert_uint_eq(j.groups, rows[i].groups);
		ck_assert_uint_eq(j.first_group, rows[i].first_group);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_classify_unanswered_ping_waits_until_the_job_ends)
{
	/* a probe cut off before the pong: the ping's age at the last result */
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	probe_before(&log);
	probe_fixture_ping(&log, T_SEND + 10 * MS, 0);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.worst_wait_us, 890 * MS);
	ck_assert_int_eq(j.median_wait_us, -1);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_JOB);
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_item_slice_never)
{
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	/* flush, pingpong: a pong waits an item or two (~300 ms), the loop
	 * turns in between */
	probe_before(&log);
	probe_fixture_ping(&log, T_SEND + 10 * MS, T_SEND + 310 * MS);
	probe_fixture_ping(&log, T_SEND + 320 * MS, T_SEND + 620 * MS);
	probe_fixture_ping(&log, T_SEND + 630 * MS, T_SEND + 901 * MS);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(j.pings, 3);
	ck_assert_int_eq(j.worst_wait_us, 300 * MS);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_ITEM);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	ck_assert(j.arrivals_clear);
	probelog_free(&log);

	/* partition: pongs after 6, 8 or 10 ms all through the job */
	probe_before(&log);
	for (int64_t t = T_SEND, k = 0; t < T_SEND + 900 * MS; k++) {
		int64_t lat = (6 + 2 * (k % 3)) * MS;

		probe_fixture_ping(&log, t, t + lat);
		t += lat + 10 * MS;
	}
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.median_wait_us, 8 * MS);
	ck_assert_int_eq(j.worst_wait_us, 10 * MS);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_SLICE);
	probelog_free(&log);

	/* threadpool: the loop is free, pongs in 0.2 ms */
	probe_before(&log);
	for (int64_t t = T_SEND + 5 * MS; t < T_SEND + 900 * MS; t += 10 * MS + 200)
		probe_fixture_ping(&log, t, t + 200);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.worst_wait_us, 200);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_NEVER);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_threshold_edges)
{
	/* a job of exactly 1 s (last result at T_SEND + 1 s): one ping 10 ms
	 * in waits `worst`; the rest of the job is pinged every 10 ms with
	 * pongs of `rest` (so the median is `rest` unless that ping is alone) */
	static const struct {
		int64_t worst, rest;
		enum mystery_loop loop;
	} rows[] = {
		{ 750000, 200, MYSTERY_LOOP_JOB },	/* exactly 0.75 of the job */
		{ 749999, 200, MYSTERY_LOOP_ITEM },	/* just under */
		{ CLASSIFY_ITEM_MIN_US, 200, MYSTERY_LOOP_ITEM },
		{ CLASSIFY_ITEM_MIN_US - 1, 200, MYSTERY_LOOP_NEVER },
		{ CLASSIFY_SLICE_MEDIAN_US, CLASSIFY_SLICE_MEDIAN_US, MYSTERY_LOOP_SLICE },
		{ CLASSIFY_SLICE_MEDIAN_US - 1, CLASSIFY_SLICE_MEDIAN_US - 1,
		  MYSTERY_LOOP_NEVER },
	};
	static const int64_t job[6] = { 200 * MS, 400 * MS, 600 * MS, 800 * MS,
					900 * MS, 1000 * MS };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";
		int64_t t = T_SEND + 10 * MS;

		probe_before(&log);
		probe_fixture_ping(&log, t, t + rows[i].worst);
		for (t += rows[i].worst + 10 * MS; t < T_SEND + 1000 * MS;
		     t += rows[i].rest + 10 * MS)
			probe_fixture_ping(&log, t, t + rows[i].rest);
		job_msgs(&log, job);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_int_eq(j.t_last_us - j.t_send_us, 1000 * MS);
		ck_assert_int_eq(j.worst_wait_us, rows[i].worst);
		ck_assert_int_eq(j.median_wait_us, rows[i].rest);
		ck_assert_msg(j.loop == rows[i].loop, "worst %lld rest %lld: %s",
			      (long long)rows[i].worst, (long long)rows[i].rest,
			      mystery_loop_name(j.loop));
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_classify_refuses_a_log_without_the_job)
{
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	/* no send row */
	probelog_init(&log, 100, 100, 10);
	probe_fixture_ping(&log, 0, 200);
	probe_fixture_ping(&log, 10 * MS, 900 * MS);
	for (int i = 0; i < 6; i++)
		probelog_add_msg(&log, (i + 1) * 150 * MS, 40);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no send row"));
	/* a job of no messages is refused, not read before msgs[0] */
	ck_assert(!classify_job(&log, 0, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "at least one message"));
	probelog_free(&log);

	/* 3 messages before the send do not make up for the one missing after */
	probe_before(&log);
	probelog_add_msg(&log, T_SEND - 3 * MS, 40);
	probelog_add_msg(&log, T_SEND - 2 * MS, 40);
	probelog_add_msg(&log, T_SEND - 1 * MS, 40);
	probe_fixture_ping(&log, T_SEND + 10 * MS, T_SEND + 800 * MS);
	for (int i = 0; i < 5; i++)
		probelog_add_msg(&log, T_SEND + spaced[i], 40);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_msg(strstr(err, "5 messages after the send, the job has 6"), "%s", err);
	/* with the sixth it is the job, counted from the send */
	probelog_add_msg(&log, T_SEND + spaced[5], 40);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.t_last_us, T_SEND + spaced[5]);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	ck_assert_uint_eq(j.groups, 6);
	probelog_free(&log);

	/* no ping in [send, last result): one before, one exactly at the end */
	probe_before(&log);
	job_msgs(&log, spaced);
	probe_fixture_ping(&log, T_SEND + 900 * MS, T_SEND + 900 * MS + 200);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no ping was sent while the job ran"));
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_unclear_arrivals)
{
	/* patterns none of the three words names: still a class (spaced) for
	 * the loop's sake, but flagged */
	static const struct {
		int64_t offsets[6];
		bool clear;
		size_t groups, first_group;
		enum mystery_arrivals arrivals;
	} rows[] = {
		{ { 150 * MS, 150 * MS + 100, 450 * MS, 450 * MS + 100, 900 * MS,
		    900 * MS + 100 }, false, 3, 2, MYSTERY_ARRIVALS_SPACED },	/* 2+2+2 */
		{ { 150 * MS, 300 * MS, 900 * MS, 900 * MS + 100, 900 * MS + 200,
		    900 * MS + 300 }, false, 3, 1, MYSTERY_ARRIVALS_SPACED },	/* 1+1+4 */
		{ { 150 * MS, 150 * MS + 100, 150 * MS + 200, 150 * MS + 300,
		    150 * MS + 400, 900 * MS }, false, 2, 5, MYSTERY_ARRIVALS_SPACED },	/* 5+1 */
		{ { 150 * MS, 900 * MS, 900 * MS + 100, 900 * MS + 200, 900 * MS + 300,
		    900 * MS + 400 }, true, 2, 1, MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";

		probe_before(&log);
		probe_fixture_ping(&log, T_SEND + 10 * MS, T_SEND + 10 * MS + 200);
		job_msgs(&log, rows[i].offsets);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_msg(j.arrivals_clear == rows[i].clear && j.groups == rows[i].groups &&
			      j.first_group == rows[i].first_group &&
			      j.arrivals == rows[i].arrivals,
			      "row %zu: clear %d groups %zu first %zu %s", i, j.arrivals_clear,
			      j.groups, j.first_group, mystery_arrivals_name(j.arrivals));
		probelog_free(&log);
	}
}
END_TEST

/* ---------------------------------------------------------------- cases */

START_TEST(test_cases_number_mapping_scrambles)
{
	int identity = 1;

	for (long n = 0; n < MYSTERY_CASES; n++)
		identity &= mystery_case_of(n) == n;
	ck_assert_msg(!identity, "mystery_case_of is the identity on 0..14");
	ck_assert_int_ne(mystery_case_of(0), 0);
}
END_TEST

START_TEST(test_cases_any_15_consecutive_numbers_hit_every_case)
{
	/* every window of 15 in 0..999999: the first is full and each next one
	 * drops and takes the same case, so all are */
	int seen[MYSTERY_CASES] = { 0 };

	for (long n = 0; n < MYSTERY_CASES; n++) {
		int c = mystery_case_of(n);

		ck_assert_int_ge(c, 0);
		ck_assert_int_lt(c, MYSTERY_CASES);
		seen[c]++;
	}
	for (int c = 0; c < MYSTERY_CASES; c++)
		ck_assert_int_eq(seen[c], 1);
	for (long n = MYSTERY_CASES; n <= MYSTERY_NUMBER_MAX; n++)
		if (mystery_case_of(n) != mystery_case_of(n - MYSTERY_CASES))
			ck_abort_msg("numbers %ld and %ld give different cases", n,
				     n - MYSTERY_CASES);
}
END_TEST

START_TEST(test_cases_out_of_range)
{
	ck_assert_int_eq(mystery_case_of(-1), -1);
	ck_assert_int_eq(mystery_case_of(MYSTERY_NUMBER_MAX + 1L), -1);
	ck_assert_int_eq(mystery_case_of(1000000), -1);
	ck_assert_int_ge(mystery_case_of(MYSTERY_NUMBER_MAX), 0);
	/* huge numbers are refused before any arithmetic can overflow */
	ck_assert_int_eq(mystery_case_of(LONG_MAX), -1);
	ck_assert_int_eq(mystery_case_of(LONG_MIN), -1);
	ck_assert_ptr_null(mystery_case_at(-1));
	ck_assert_ptr_null(mystery_case_at(MYSTERY_CASES));
	ck_assert_ptr_nonnull(mystery_case_at(0));
	ck_assert_ptr_nonnull(mystery_case_at(MYSTERY_CASES - 1));
}
END_TEST

START_TEST(test_cases_table_is_every_variant_by_every_send)
{
	static const char *const variants[] = { "blocking", "flush", "pingpong",
						"threadpool", "partition" };
	static const char *const sends[] = { "proactor", "queue", "direct" };
	int count[5][3] = { { 0 } };

	for (int i = 0; i < MYSTERY_CASES; i++) {
		const struct mystery_case *c = mystery_case_at(i);
		int v = -1, s = -1;

		ck_assert_ptr_nonnull(c);
		for (int k = 0; k < 5; k++)
			if (c->variant && !strcmp(c->variant, variants[k]))
				v = k;
		for (int k = 0; k < 3; k++)
			if (c->send && !strcmp(c->send, sends[k]))
				s = k;
		ck_assert_msg(v >= 0 && s >= 0, "case %d: '%s' x '%s'", i,
			      c->variant ? c->variant : "(null)", c->send ? c->send : "(null)");
		count[v][s]++;
		/* "ordered by variant, then by send discipline" (cases.h) */
		ck_assert_int_eq(i, v * 3 + s);
		ck_assert_str_ne(mystery_loop_name(c->expected.loop), "?");
		ck_assert_str_ne(mystery_arrivals_name(c->expected.arrivals), "?");
		ck_assert_str_ne(mystery_round_trip_name(c->expected.round_trip), "?");
	}
	for (int v = 0; v < 5; v++)
		for (int s = 0; s < 3; s++)
			ck_assert_int_eq(count[v][s], 1);
	/* the bug's three rows are the three arrival patterns */
	ck_assert_int_eq(mystery_case_at(0)->expected.arrivals,
			 MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED);
	ck_assert_int_eq(mystery_case_at(1)->expected.arrivals, MYSTERY_ARRIVALS_CLUMPED);
	ck_assert_int_eq(mystery_case_at(2)->expected.arrivals, MYSTERY_ARRIVALS_SPACED);
}
END_TEST

START_TEST(test_cases_words_round_trip)
{
	static const char *const loops[] = { "job", "item", "slice", "never" };
	static const char *const arrivals[] = { "clumped", "first-then-clumped", "spaced" };
	static const char *const rts[] = { "bound", "free" };

	for (int v = 0; v < 4; v++) {
		ck_assert_str_eq(mystery_loop_name((enum mystery_loop)v), loops[v]);
		ck_assert_int_eq(mystery_loop_parse(loops[v]), v);
	}
	for (int v = 0; v < 3; v++) {
		ck_assert_str_eq(mystery_arrivals_name((enum mystery_arrivals)v), arrivals[v]);
		ck_assert_int_eq(mystery_arrivals_parse(arrivals[v]), v);
	}
	for (int v = 0; v < 2; v++) {
		ck_assert_str_eq(mystery_round_trip_name((enum mystery_round_trip)v), rts[v]);
		ck_assert_int_eq(mystery_round_trip_parse(rts[v]), v);
	}
	ck_assert_int_eq(mystery_loop_parse(mystery_loop_name(MYSTERY_LOOP_NEVER)),
			 MYSTERY_LOOP_NEVER);
	/* outside the enum: "?", which parses to nothing */
	ck_assert_str_eq(mystery_loop_name((enum mystery_loop)4), "?");
	ck_assert_str_eq(mystery_loop_name((enum mystery_loop)-1), "?");
	ck_assert_str_eq(mystery_arrivals_name((enum mystery_arrivals)3), "?");
	ck_assert_str_eq(mystery_round_trip_name((enum mystery_round_trip)2), "?");
	ck_assert_int_eq(mystery_loop_parse("?"), -1);
}
END_TEST

START_TEST(test_cases_parse_refuses_other_words)
{
	static const char *const bad[] = { "Job", "JOB", "job ", " job", "jobs", "",
					   "first then clumped", "Spaced", "free\n",
					   "blocking" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(mystery_loop_parse(bad[i]) == -1 &&
			      mystery_arrivals_parse(bad[i]) == -1 &&
			      mystery_round_trip_parse(bad[i]) == -1, "'%s' parsed", bad[i]);
	}
	ck_assert_int_eq(mystery_loop_parse(NULL), -1);
	ck_assert_int_eq(mystery_arrivals_parse(NULL), -1);
	ck_assert_int_eq(mystery_round_trip_parse(NULL), -1);
	/* each word belongs to its own enum only */
	ck_assert_int_eq(mystery_loop_parse("spaced"), -1);
	ck_assert_int_eq(mystery_arrivals_parse("job"), -1);
	ck_assert_int_eq(mystery_round_trip_parse("never"), -1);
}
END_TEST

Suite *mystery_suite(void)
{
	Suite *s = suite_create("mystery");
	TCase *classify = tcase_create("classify");
	TCase *cases = tcase_create("cases");

	tcase_add_test(classify, test_classify_blocking_job_and_its_three_arrivals);
	tcase_add_test(classify, test_classify_unanswered_ping_waits_until_the_job_ends);
	tcase_add_test(classify, test_classify_item_slice_never);
	tcase_add_test(classify, test_classify_threshold_edges);
	tcase_add_test(classify, test_classify_refuses_a_log_without_the_job);
	tcase_add_test(classify, test_classify_unclear_arrivals);
	suite_add_tcase(s, classify);
	tcase_add_test(cases, test_cases_number_mapping_scrambles);
	tcase_add_test(cases, test_cases_any_15_consecutive_numbers_hit_every_case);
	tcase_add_test(cases, test_cases_out_of_range);
	tcase_add_test(cases, test_cases_table_is_every_variant_by_every_send);
	tcase_add_test(cases, test_cases_words_round_trip);
	tcase_add_test(cases, test_cases_parse_refuses_other_words);
	suite_add_tcase(s, cases);
	return s;
}
