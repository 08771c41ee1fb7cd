/*
 * test_report.c: the harness's statistics and CSV rows.
 */
#include "harness/report.h"
#include "tests/suites.h"

#include <stdlib.h>
#include <string.h>

/* The seed's shape, three runs: 300/900/900 ms after the request. */
static struct report_msg seed_msg(int run, int seq, int64_t arrive_ms,
				  int64_t done_ms)
{
	return (struct report_msg){ .run = run, .seq = seq, .t_request_us = 0,
				    .t_done_us = done_ms * 1000,
				    .t_send_us = arrive_ms * 1000 - 100,
				    .t_arrive_us = arrive_ms * 1000 };
}

START_TEST(test_median_by_seq)
{
	struct report_msg m[] = {
		seed_msg(1, 0, 301, 300), seed_msg(1, 1, 902, 600), seed_msg(1, 2, 902, 900),
		seed_msg(2, 2, 910, 905), seed_msg(2, 0, 305, 304), seed_msg(2, 1, 910, 605),
		seed_msg(3, 0, 299, 298), seed_msg(3, 1, 899, 597), seed_msg(3, 2, 899, 898),
	};
	int64_t arr[3], del[3], scratch[9];

	report_median_by_seq(m, 9, 3, arr, del, scratch);
	ck_assert_int_eq(arr[0], 301000);
	ck_assert_int_eq(arr[1], 902000);
	ck_assert_int_eq(arr[2], 902000);
	ck_assert_int_eq(del[0], 1000);
	ck_assert_int_eq(del[1], 302000);
	ck_assert_int_eq(del[2], 2000);
}
END_TEST

START_TEST(test_median_by_seq_missing)
{
	struct report_msg m[] = { seed_msg(1, 0, 301, 300) };
	int64_t arr[2], del[2], scratch[1];

	report_median_by_seq(m, 1, 2, arr, del, scratch);
	ck_assert_int_eq(arr[1], -1);
	ck_assert_int_eq(del[1], -1);
}
END_TEST

START_TEST(test_run_summary)
{
	struct report_msg m[] = { seed_msg(1, 0, 301, 300), seed_msg(1, 1, 902, 600),
				  seed_msg(1, 2, 902, 900) };
	struct report_echo e[] = {
		{ .t_sent_us = 20000, .t_arrive_us = 902000 },
		{ .t_sent_us = 40000, .t_arrive_us = 902100 },
	};
	struct report_run rr;
	int64_t scratch[3];

	report_summarize_run(m, 3, e, 2, &rr, scratch);
	ck_assert_uint_eq(rr.delivery.n, 3);
	ck_assert_int_eq(rr.delivery.max, 302000);
	ck_assert_int_eq(rr.delivery.p50, 2000);
	ck_assert_uint_eq(rr.echo.n, 2);
	ck_assert_int_eq(rr.echo.max, 882000);
	report_summarize_run(m, 3, NULL, 0, &rr, scratch);
	ck_assert_uint_eq(rr.echo.n, 0);
}
END_TEST

START_TEST(test_ms_list)
{
	int64_t us[] = { 300400, 1500, 902000 };
	int64_t many[20];
	char buf[200];

	report_ms_list(buf, sizeof(buf), us, 3);
	ck_assert_str_eq(buf, "300 1.5 902");
	for (int i = 0; i < 20; i++)
		many[i] = (i + 1) * 100000;
	report_ms_list(buf, sizeof(buf), many, 20);
	ck_assert_str_eq(buf, "100 200 300 400 ... 1700 1800 1900 2000");
	us[1] = -1;
	report_ms_list(buf, sizeof(buf), us, 3);
	ck_assert_str_eq(buf, "300 - 902");
}
END_TEST

START_TEST(test_csv_rows)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct report_msg m = { 2, 1, 10, 11, 12, 13, 14, 15, 3 };
	struct report_echo e = { 2, 0, 20, 21, 22 };
	struct report_lag l = { 2, 10, 5, 6, 7, 8, 1 };

	ck_assert_ptr_nonnull(f);
	report_msg_csv(f, "blocking", &m);
	report_echo_csv(f, "blocking", &e);
	report_lag_csv(f, "blocking", &l);
	fclose(f);
	ck_assert_str_eq(text, "blocking,2,1,10,11,12,13,14,15,3\n"
			 "blocking,2,0,20,21,22\n"
			 "blocking,2,10,5,6,7,8,1\n");
	free(text);
	/* the headers name exactly as many columns as the rows hold; the
	 * client column last, so every column before it keeps its number */
	ck_assert_str_eq(REPORT_MSG_HEADER, "variant,run,seq,t_request_us,t_recv_us,"
			 "t_start_us,t_done_us,t_send_us,t_arrive_us,client");
}
END_TEST

START_TEST(test_incomplete_line)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	char long_why[REPORT_INCOMPLETE_WHY_MAX + 50];

	ck_assert_ptr_nonnull(f);
	/* commas and control characters would split the line for a CSV
	 * reader or a line reader: they must not survive */
	report_incomplete_csv(f, 2, 5, "dropped, no close frame\nsee\tstderr");
	fclose(f);
	ck_assert_str_eq(text, "# incomplete: run 2 of 5: dropped; no close frame see stderr\n");
	ck_assert(!strncmp(text, REPORT_INCOMPLETE_PREFIX, strlen(REPORT_INCOMPLETE_PREFIX)));
	free(text);

	/* a long reason is cut, so the line stays within what readers take */
	memset(long_why, 'x', sizeof(long_why) - 1);
	long_why[sizeof(long_why) - 1] = '\0';
	f = open_memstream(&text, &size);
	report_incomplete_csv(f, 1, 1, long_why);
	fclose(f);
	ck_assert_uint_eq(strlen(text), strlen("# incomplete: run 1 of 1: ") +
			  REPORT_INCOMPLETE_WHY_MAX + 1);
	free(text);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, test_median_by_seq);
	tcase_add_test(tc, test_median_by_seq_missing);
	tcase_add_test(tc, test_run_summary);
	tcase_add_test(tc, test_ms_list);
	tcase_add_test(tc, test_csv_rows);
	tcase_add_test(tc, test_incomplete_line);
	suite_add_tcase(s, tc);
	return s;
}
