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
	struct report_msg m = { 2, 1, 10, 11, 12, 13, 14, 15, 3, 9, -7, 4 };
	struct report_echo e = { 2, 0, 20, 21, 22 };
	struct report_lag l = { 2, 10, 5, 6, 7, 8, 1 };

	ck_assert_ptr_nonnull(f);
	report_msg_csv(f, "blocking", &m);
	report_echo_csv(f, "blocking", &e);
	report_lag_csv(f, "blocking", &l);
	fclose(f);
	ck_assert_str_eq(text, "blocking,2,1,10,11,12,13,14,15,3,9,-7,4\n"
			 "blocking,2,0,20,21,22\n"
			 "blocking,2,10,5,6,7,8,1\n");
	free(text);
	/* the headers name exactly as many columns as the rows hold; the
	 * new columns last, so every column before them keeps its number */
	ck_assert_str_eq(REPORT_MSG_HEADER, "variant,run,seq,t_request_us,t_recv_us,"
			 "t_start_us,t_done_us,t_send_us,t_arrive_us,client,cpu_us,"
			 "clock_offset_us,clock_offset_err_us");
}
END_TEST

/* Client k's result seq of a run whose requests went out at 0 (client
 * k's at k us: back to back), arriving at arrive_ms. */
static struct report_msg client_msg(int client, int seq, int64_t arrive_ms)
{
	return (struct report_msg){ .run = 1, .seq = seq, .client = client,
				    .t_request_us = client,
				    .t_done_us = arrive_ms * 1000 - 100,
				    .t_send_us = arrive_ms * 1000 - 50,
				    .t_arrive_us = arrive_ms * 1000 };
}

/*
 * Three clients against a serial server (blocking: 100 ms items, one job
 * at a time): first results at 100, 300 and 500 ms, in any row order. The
 * median client waited 300 ms for its first result, the worst 500; the
 * makespan runs from the first request to the last arrival, 600 ms.
 */
START_TEST(test_clients_summary)
{
	struct report_msg m[] = {
		client_msg(2, 1, 600), client_msg(0, 0, 100), client_msg(1, 0, 300),
		client_msg(0, 1, 200), client_msg(1, 1, 400), client_msg(2, 0, 500),
	};
	struct report_clients rc;
	int64_t scratch[3];

	report_summarize_clients(m, 6, 3, &rc, scratch);
	ck_assert_uint_eq(rc.clients, 3);
	ck_assert_int_eq(rc.first_p50_us, 300000 - 1);	/* client 1 asked at 1 us */
	ck_assert_int_eq(rc.first_max_us, 500000 - 2);
	ck_assert_int_eq(rc.makespan_us, 600000);

	/* a client with no result counts in neither figure */
	report_summarize_clients(m + 1, 2, 3, &rc, scratch);	/* clients 0, 1 */
	ck_assert_uint_eq(rc.clients, 2);
	ck_assert_int_eq(rc.first_p50_us, 100000);	/* the lower middle of 2 */
	ck_assert_int_eq(rc.first_max_us, 300000 - 1);
	ck_assert_int_eq(rc.makespan_us, 300000);

	report_summarize_clients(m, 0, 3, &rc, scratch);
	ck_assert_uint_eq(rc.clients, 0);
	ck_assert_int_eq(rc.makespan_us, 0);
}
END_TEST

/* The per-run line: K = 1 exactly as the harness always printed it (the
 * experiment's step lines and people's scripts read it); K > 1 with the
 * clients' first results and the makespan instead of K x items values. */
START_TEST(test_run_line)
{
	struct report_msg one[] = { seed_msg(1, 0, 301, 300), seed_msg(1, 1, 902, 600),
				    seed_msg(1, 2, 902, 900) };
	struct report_echo e[] = { { .t_sent_us = 20000, .t_arrive_us = 902000 } };
	struct report_lag lag = { .max_us = 895400, .stalls = 1 };
	struct report_run rr;
	struct report_clients rc;
	int64_t scratch[12];
	char line[640];

	report_summarize_run(one, 3, e, 1, &rr, scratch);
	report_run_line(line, sizeof(line), 2, 5, "blocking", 1, one, 3, &rr, NULL,
			&lag, scratch);
	ck_assert_str_eq(line, "run 2/5 blocking: arrivals 301 902 902 ms after request; "
			 "delivery 1.0 302 2.0 ms; bystander worst 882.0 ms (1 echoes); "
			 "loop lag max 895.4 ms, stalls 1\n");
	report_summarize_run(one, 3, NULL, 0, &rr, scratch);
	report_run_line(line, sizeof(line), 1, 1, "blocking", 1, one, 3, &rr, NULL,
			&lag, scratch);
	ck_assert_str_eq(line, "run 1/1 blocking: arrivals 301 902 902 ms after request; "
			 "delivery 1.0 302 2.0 ms; loop lag max 895.4 ms, stalls 1\n");

	struct report_msg three[] = {
		client_msg(0, 0, 100), client_msg(1, 0, 300), client_msg(2, 0, 500),
		client_msg(0, 1, 200), client_msg(1, 1, 400), client_msg(2, 1, 600),
	};

	report_summarize_run(three, 6, e, 1, &rr, scratch);
	report_summarize_clients(three, 6, 3, &rc, scratch);
	report_run_line(line, sizeof(line), 1, 2, "blocking", 3, three, 6, &rr, &rc,
			&lag, scratch);
	ck_assert_str_eq(line, "run 1/2 blocking, 3 clients: first result after request "
			 "median 300, worst 500 ms; makespan 600 ms; delivery median "
			 "0.1, max 0.1 ms; bystander worst 882.0 ms (1 echoes); loop lag "
			 "max 895.4 ms, stalls 1\n");
}
END_TEST

START_TEST(test_clock_estimate)
{
	/* the server's clock 5 s ahead; the second echo has the shortest
	 * round trip (40 us) and a 6 us asymmetry, the others are slower */
	const int64_t ahead = 5000000;
	struct report_echo e[] = {
		{ 1, 0, 1000, 1000 + 300 + ahead, 1900 },	/* rtt 900 */
		{ 1, 1, 2000, 2000 + 26 + ahead, 2040 },	/* rtt 40 */
		{ 1, 2, 3000, 3000 + 50 + ahead, 3100 },	/* rtt 100 */
	};
	struct report_clock c;

	ck_assert(report_clock_estimate(e, 3, &c));
	ck_assert_int_eq(c.err_us, 20);
	ck_assert_int_eq(c.estimate_us, ahead + 6);
	ck_assert_int_eq(c.offset_us, ahead + 6);
	/* the truth lies within the stated error */
	ck_assert_int_le(c.estimate_us - ahead, c.err_us);

	/* one host: the estimate within its own error of 0 is no offset */
	struct report_echo same[] = { { 1, 0, 1000, 1030, 1050 } };

	ck_assert(report_clock_estimate(same, 1, &c));
	ck_assert_int_eq(c.estimate_us, 5);
	ck_assert_int_eq(c.err_us, 25);
	ck_assert_int_eq(c.offset_us, 0);

	/* behind, by more than the error: shifted */
	struct report_echo behind[] = { { 1, 0, 1000000, 900, 1000100 } };

	ck_assert(report_clock_estimate(behind, 1, &c));
	ck_assert_int_eq(c.offset_us, 900 - 1000050);

	/* nothing usable: arrivals before sending, hostile server stamps */
	struct report_echo bad[] = { { 1, 0, 10, 5, 9 }, { 1, 1, 10, INT64_MIN, 20 },
				     { 1, 2, 10, INT64_MAX, 20 } };

	ck_assert(!report_clock_estimate(bad, 3, &c));
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
	tcase_add_test(tc, test_clients_summary);
	tcase_add_test(tc, test_run_line);
	tcase_add_test(tc, test_clock_estimate);
	tcase_add_test(tc, test_incomplete_line);
	suite_add_tcase(s, tc);
	return s;
}
