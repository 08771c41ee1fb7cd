/*
 * test_probestat.c: the summary's percentiles, stalls and bursts follow
 * their definitions to the microsecond (src/probe/probestat.c).
 */
#include "probe/probelog.h"
#include "probe/probereport.h"
#include "probe/probestat.h"
#include "tests/probefixture.h"
#include "tests/suites.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- stats */

START_TEST(test_stats_percentiles_of_answered_pings_only)
{
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 100, 100, 100);
	/* latencies 1000, 100, 900, 200, ... (not sorted): 100..1000 */
	for (int i = 0; i < 10; i++) {
		int64_t lat = (i % 2 ? i : 10 - i) * 100;

		probe_fixture_ping(&log, i * 1000000LL, i * 1000000LL + lat);
	}
	/* two pings that never came back: not 0 latencies, not in the max */
	probe_fixture_ping(&log, 10000000, 0);
	probe_fixture_ping(&log, 10500000, 0);
	probelog_add_msg(&log, 50, 30);
	probelog_add_msg(&log, 60, 12);
	probestat_summarize(&log, 11000000, 1000000000, 100 * MS, &s);
	ck_assert_uint_eq(s.pings, 12);
	ck_assert_uint_eq(s.pongs, 10);
	ck_assert_int_eq(s.pong_p50_us, 500);
	ck_assert_int_eq(s.pong_p99_us, 1000);
	ck_assert_int_eq(s.pong_max_us, 1000);
	ck_assert(s.last_unanswered);
	ck_assert_int_eq(s.last_pong_us, 9000000 + 900);
	ck_assert_uint_eq(s.msgs, 2);
	ck_assert_uint_eq(s.msg_bytes, 42);
	ck_assert_uint_eq(s.n_stalls, 0);
	probelog_free(&log);

	/* no pong at all: zeros, not garbage */
	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 100, 0);
	probestat_summarize(&log, 200, 1000, 1000, &s);
	ck_assert_uint_eq(s.pongs, 0);
	ck_assert_int_eq(s.pong_p50_us + s.pong_p99_us + s.pong_max_us, 0);
	ck_assert_int_eq(s.last_pong_us, 0);
	ck_assert(s.last_unanswered);
	probelog_free(&log);

	/* an empty log */
	probelog_init(&log, 10, 10, 10);
	probestat_summarize(&log, 200, 1000, 1000, &s);
	ck_assert_uint_eq(s.pings + s.pongs + s.n_stalls + s.n_bursts + s.msgs, 0);
	ck_assert(!s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_stall_is_strictly_over_the_threshold)
{
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 100 * MS);			/* exactly 100 ms: no stall */
	probe_fixture_ping(&log, 200 * MS, 300 * MS + 1);		/* 1 us more: a stall */
	probe_fixture_ping(&log, 400 * MS, 400 * MS + 200);
	probestat_summarize(&log, 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 1);
	ck_assert_int_eq(s.stalls[0].t_begin_us, 200 * MS);
	ck_assert_int_eq(s.stalls[0].length_us, 100 * MS + 1);
	ck_assert(!s.stalls[0].unanswered);
	ck_assert_int_eq(s.longest_stall_us, 100 * MS + 1);
	ck_assert(!s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_unanswered_ping_stalls_only_when_old)
{
	struct probelog log;
	struct probe_summary s;

	/* older than the threshold at t_end: a stall until t_end, unanswered */
	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 200);
	probe_fixture_ping(&log, 10 * MS, 0);
	probestat_summarize(&log, 110 * MS + 1, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 1);
	ck_assert_int_eq(s.stalls[0].t_begin_us, 10 * MS);
	ck_assert_int_eq(s.stalls[0].length_us, 100 * MS + 1);
	ck_assert(s.stalls[0].unanswered);
	ck_assert_int_eq(s.longest_stall_us, 100 * MS + 1);
	ck_assert(s.last_unanswered);

	/* exactly the threshold old: just sent, not (yet) a stall */
	probestat_summarize(&log, 110 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 0);
	ck_assert_int_eq(s.longest_stall_us, 0);
	ck_assert(s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_only_the_first_stalls_listed_all_counted)
{
	struct probelog log;
	struct probe_summary s;
	const int n = PROBESTAT_LISTED + 5;

	probelog_init(&log, 100, 10, 10);
	/* each a little longer than the one before: the longest is past the list */
	for (int i = 0; i < n; i++)
		probe_fixture_ping(&log, i * 1000 * MS, i * 1000 * MS + 200 * MS + i);
	probestat_summarize(&log, n * 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, (size_t)n);
	ck_assert_int_eq(s.stalls[PROBESTAT_LISTED - 1].t_begin_us,
			 (PROBESTAT_LISTED - 1) * 1000 * MS);
	ck_assert_int_eq(s.longest_stall_us, 200 * MS + n - 1);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_burst_chains_from_message_to_message)
{
	/* 5 messages 900 us apart span 3.6 ms: one burst all the same, each
	 * being within 1 ms of the one before it (not of the first) */
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 100);		/* the start */
	for (int i = 0; i < 5; i++)
		probelog_add_msg(&log, 1000 * MS + i * 900, 10);
	probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_uint_eq(s.bursts[0].count, 5);
	ck_assert_int_eq(s.bursts[0].t_first_us, 1000 * MS);
	ck_assert_int_eq(s.bursts[0].t_last_us, 1000 * MS + 3600);
	ck_assert_int_eq(s.bursts[0].silence_us, 1000 * MS);	/* since the start */
	ck_assert_uint_eq(s.largest_burst, 5);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_burst_within_is_inclusive)
{
	/* "each within PROBESTAT_BURST_WITHIN_US of the one before"
	 * (probestat.h; classify.c groups the same way): 1000 us apart is
	 * one burst, 1001 us apart two single messages */
	static const struct {
		int64_t gap;
		size_t bursts;
	} rows[] = { { 0, 1 }, { 999, 1 }, { 1000, 1 }, { 1001, 0 }, { 5000, 0 } };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct probe_summary s;

		probelog_init(&log, 10, 10, 10);
		probe_fixture_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);
		probelog_add_msg(&log, 1000 * MS + rows[i].gap, 10);
		probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == rows[i].bursts, "gap %lld: %zu bursts",
			      (long long)rows[i].gap, s.n_bursts);
		ck_assert_uint_eq(s.largest_burst, rows[i].bursts ? 2 : 0);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_burst_needs_two_messages_and_more_than_the_silence)
{
	static const struct {
		int64_t quiet;		/* before the pair, since the message before */
		int n;			/* messages in the group */
		size_t bursts;
	} rows[] = {
		{ 100 * MS + 1, 2, 1 },
		{ 100 * MS, 2, 0 },	/* exactly the silence: not more */
		{ 100 * MS - 1, 2, 0 },
		{ 5000 * MS, 1, 0 },	/* one message is no burst */
		{ 5000 * MS, 3, 1 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct probe_summary s;
		int64_t t = 1000 * MS + rows[i].quiet;

		probelog_init(&log, 10, 10, 10);
		probe_fixture_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);	/* alone: the quiet's start */
		for (int k = 0; k < rows[i].n; k++)
			probelog_add_msg(&log, t + k * 100, 10);
		probestat_summarize(&log, 10000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == rows[i].bursts, "row %zu: %zu bursts", i,
			      s.n_bursts);
		if (s.n_bursts) {
			ck_assert_int_eq(s.bursts[0].silence_us, rows[i].quiet);
			ck_assert_uint_eq(s.bursts[0].count, (size_t)rows[i].n);
			ck_assert_int_eq(s.bursts[0].t_first_us, t);
		}
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_burst_silence_counts_from_the_latest_send)
{
	struct probelog log;
	struct probe_summary s;

	/* messages 50 us after a send answer it at once: no burst, however
	 * long since the start */
	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 100);
	probelog_add_send(&log, 1000 * MS, 5);
	probelog_add_send(&log, 5000 * MS, 5);	/* the latest before them */
	probelog_add_msg(&log, 5000 * MS + 50, 10);
	probelog_add_msg(&log, 5000 * MS + 60, 10);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 0);
	probelog_free(&log);

	/* the same 200 ms after the send: a burst, its silence from the send */
	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 100);
	probelog_add_send(&log, 1000 * MS, 5);
	probelog_add_send(&log, 5000 * MS, 5);
	probelog_add_msg(&log, 5200 * MS, 10);
	probelog_add_msg(&log, 5200 * MS + 10, 10);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_int_eq(s.bursts[0].silence_us, 200 * MS);
	probelog_free(&log);

	/* a send after the messages does not count for them */
	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 0, 100);
	probelog_add_msg(&log, 5000 * MS, 10);
	probelog_add_msg(&log, 5000 * MS + 10, 10);
	probelog_add_send(&log, 5000 * MS + 20, 5);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_int_eq(s.bursts[0].silence_us, 5000 * MS);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_later_sends_do_not_restart_the_silence)
{
	/* group A, then 500 ms without a message; a send 50 us before group B
	 * changes nothing: only the first message's silence counts from a
	 * send (probestat.h). With --every-ms the requests keep coming while
	 * the loop is blocked, and their answers are the burst. */
	for (int with_send = 0; with_send < 2; with_send++) {
		struct probelog log;
		struct probe_summary s;

		probelog_init(&log, 10, 10, 10);
		probe_fixture_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);
		probelog_add_msg(&log, 1000 * MS + 100, 10);
		if (with_send)
			probelog_add_send(&log, 1500 * MS, 5);
		probelog_add_msg(&log, 1500 * MS + 50, 10);
		probelog_add_msg(&log, 1500 * MS + 60, 10);
		probelog_add_msg(&log, 1500 * MS + 70, 10);
		probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == 2, "with_send %d: %zu bursts", with_send,
			      s.n_bursts);
		ck_assert_int_eq(s.bursts[0].t_first_us, 1000 * MS);
		ck_assert_int_eq(s.bursts[0].silence_us, 1000 * MS);
		ck_assert_int_eq(s.bursts[1].t_first_us, 1500 * MS + 50);
		ck_assert_int_eq(s.bursts[1].silence_us, 500 * MS - 50);
		ck_assert_uint_eq(s.largest_burst, 3);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_only_the_first_bursts_listed_all_counted)
{
	struct probelog log;
	struct probe_summary s;
	const int n = PROBESTAT_LISTED + 3;

	probelog_init(&log, 10, 200, 10);
	probe_fixture_ping(&log, 0, 100);
	for (int i = 0; i < n; i++) {
		int64_t t = (i + 1) * 1000 * MS;

		probelog_add_msg(&log, t, 10);
		probelog_add_msg(&log, t + 10, 10);
		if (i == n - 1)	/* the largest is the last, past the list */
			probelog_add_msg(&log, t + 20, 10);
	}
	probestat_summarize(&log, (n + 1) * 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, (size_t)n);
	ck_assert_int_eq(s.bursts[PROBESTAT_LISTED - 1].t_first_us,
			 PROBESTAT_LISTED * 1000 * MS);
	ck_assert_uint_eq(s.largest_burst, 3);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_wait_windows_are_half_open)
{
	struct probelog log;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 100, 150);	/* 50 */
	probe_fixture_ping(&log, 200, 500);	/* 300 */
	probe_fixture_ping(&log, 300, 0);		/* unanswered: 700 at t_end 1000 */
	probe_fixture_ping(&log, 400, 410);	/* 10 */

	static const struct {
		int64_t from, to, worst, median;
	} rows[] = {
		{ 100, 200, 50, 50 },		/* the ping at `to` is out */
		{ 100, 201, 300, 50 },		/* median of 50, 300: the lower */
		{ 200, 300, 300, 300 },
		{ 300, 301, 700, -1 },		/* unanswered: its age, no median */
		{ 100, 401, 700, 50 },		/* 50, 300, 10: 50 */
		{ 101, 200, 0, -1 },		/* no ping sent then */
		{ 0, 100, 0, -1 },
		{ 400, 1000, 10, 10 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t w = probestat_worst_wait(&log, rows[i].from, rows[i].to, 1000);
		int64_t m = probestat_median_wait(&log, rows[i].from, rows[i].to);

		ck_assert_msg(w == rows[i].worst && m == rows[i].median,
			      "[%lld, %lld): worst %lld median %lld", (long long)rows[i].from,
			      (long long)rows[i].to, (long long)w, (long long)m);
	}
	probelog_free(&log);
}
END_TEST

/* The report of log over [open, end) as text (free it) and its status. */
static char *report_of(const struct probelog *log, int64_t open, int64_t end, bool failed,
		       int *status)
{
	struct probeopt o;
	char err[256], *text = NULL;
	size_t size = 0;
	char *argv[] = { "wsprobe", "--url", "ws://127.0.0.1:9/", NULL };
	FILE *f = open_memstream(&text, &size);

	ck_assert_msg(probeopt_parse(3, argv, &o, err, sizeof(err)), "%s", err);
	ck_assert_ptr_nonnull(f);
	struct probereport_in in = { .o = &o, .log = log, .t_open_us = open,
				     .t_end_us = end, .failed = failed };

	*status = probereport_write(f, &in);
	fclose(f);
	return text;
}

/* A 900 ms stall that began 10 ms in, and a burst of two after 600 ms of
 * quiet: the sentences say when and how long, relative to the opening. */
START_TEST(test_report_says_when_and_how_long)
{
	struct probelog log;
	int status;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 1000 * MS, 1000 * MS + 100);
	probelog_add_send(&log, 1000 * MS + 200, 36);
	probe_fixture_ping(&log, 1010 * MS, 1910 * MS);
	probelog_add_msg(&log, 1300 * MS, 190);
	probelog_add_msg(&log, 1900 * MS, 190);
	probelog_add_msg(&log, 1900 * MS + 50, 190);
	probe_fixture_ping(&log, 1920 * MS, 1920 * MS + 80);
	char *text = report_of(&log, 1000 * MS, 3000 * MS, false, &status);

	ck_assert_int_eq(status, PROBE_EXIT_OK);
	ck_assert_msg(strstr(text, "for 2.00 s: 3 pings, 3 pongs\n"), "%s", text);
	ck_assert_msg(strstr(text, "stalls (no pong for over 100 ms): 1, longest 900.0 ms\n"
			     "  at 0.010 s: 900.0 ms\n"), "%s", text);
	ck_assert_msg(strstr(text, "messages: 3 received (570 bytes), 1 sent\n"), "%s", text);
	ck_assert_msg(strstr(text, "of silence): 1, largest 2 messages\n"
			     "  at 0.900 s: 2 messages within 0.05 ms after 600.0 ms of "
			     "silence\n"), "%s", text);
	free(text);
	probelog_free(&log);
}
END_TEST

/* No pong at all is exit 3 with its sentence; the last ping unanswered is
 * exit 3 with another; a run that failed (said elsewhere) is neither. */
START_TEST(test_report_exit_status_for_missing_pongs)
{
	struct probelog log;
	int status;
	char *text;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 1000 * MS, 0);
	text = report_of(&log, 1000 * MS, 2000 * MS, false, &status);
	ck_assert_int_eq(status, PROBE_EXIT_NO_PONG);
	ck_assert_msg(strstr(text, "the server answered none of the 1 pings"), "%s", text);
	free(text);
	text = report_of(&log, 1000 * MS, 2000 * MS, true, &status);
	ck_assert_int_eq(status, PROBE_EXIT_OK);
	ck_assert_msg(!strstr(text, "answered none"), "%s", text);
	free(text);
	probelog_free(&log);

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 1000 * MS, 1000 * MS + 100);
	probe_fixture_ping(&log, 1010 * MS, 0);
	text = report_of(&log, 1000 * MS, 2510 * MS, false, &status);
	ck_assert_int_eq(status, PROBE_EXIT_NO_PONG);
	ck_assert_msg(strstr(text, "the server stopped answering: the ping sent at 0.010 s "
			     "had no pong after 1500 ms"), "%s", text);
	free(text);
	probelog_free(&log);
}
END_TEST

Suite *probestat_suite(void)
{
	Suite *s = suite_create("probestat");
	TCase *stats = tcase_create("stats");

	tcase_add_test(stats, test_stats_percentiles_of_answered_pings_only);
	tcase_add_test(stats, test_stats_stall_is_strictly_over_the_threshold);
	tcase_add_test(stats, test_stats_unanswered_ping_stalls_only_when_old);
	tcase_add_test(stats, test_stats_only_the_first_stalls_listed_all_counted);
	tcase_add_test(stats, test_stats_burst_chains_from_message_to_message);
	tcase_add_test(stats, test_stats_burst_within_is_inclusive);
	tcase_add_test(stats, test_stats_burst_needs_two_messages_and_more_than_the_silence);
	tcase_add_test(stats, test_stats_burst_silence_counts_from_the_latest_send);
	tcase_add_test(stats, test_stats_later_sends_do_not_restart_the_silence);
	tcase_add_test(stats, test_stats_only_the_first_bursts_listed_all_counted);
	tcase_add_test(stats, test_stats_wait_windows_are_half_open);
	suite_add_tcase(s, stats);

	TCase *report = tcase_create("report");

	tcase_add_test(report, test_report_says_when_and_how_long);
	tcase_add_test(report, test_report_exit_status_for_missing_pongs);
	suite_add_tcase(s, report);
	return s;
}
