/*
 * test_probelog.c: a probelog keeps its caps, writes its CSV in time
 * order and reads back exactly that, refusing anything damaged with the
 * line's number (src/probe/probelog.c).
 */
#include "probe/probelog.h"
#include "tests/csvtext.h"
#include "tests/probefixture.h"
#include "tests/suites.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ csv */

START_TEST(test_log_caps_count_what_is_not_kept)
{
	struct probelog log;

	probelog_init(&log, 2, 3, 1);
	ck_assert_int_eq(probelog_add_ping(&log, 10, 8), 0);
	ck_assert_int_eq(probelog_add_ping(&log, 20, 8), 1);
	ck_assert_int_eq(probelog_add_ping(&log, 30, 8), -1);
	ck_assert_uint_eq(log.n_pings, 2);
	for (int i = 0; i < 5; i++)
		probelog_add_msg(&log, 100 + i, 40);
	ck_assert_uint_eq(log.n_msgs, 3);
	ck_assert_uint_eq(log.msgs_not_kept, 2);
	ck_assert_int_eq(log.msgs[2].t_us, 102);	/* the first ones are kept */
	probelog_add_send(&log, 5, 1);
	probelog_add_send(&log, 6, 1);
	ck_assert_uint_eq(log.n_sends, 1);
	ck_assert_uint_eq(log.sends_not_kept, 1);
	probelog_free(&log);
	ck_assert_uint_eq(log.n_pings + log.n_msgs + log.n_sends, 0);
}
END_TEST

START_TEST(test_log_caps_hold_past_the_first_growth)
{
	/* the lists grow by doubling from 64: a cap between two sizes (100)
	 * and one at a size (128) are each reached exactly */
	size_t caps[] = { 100, 128, 0 };

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct probelog log;
		long last = -2;

		probelog_init(&log, caps[c], caps[c], caps[c]);
		for (int i = 0; i < 300; i++) {
			long k = probelog_add_ping(&log, i, 8);

			if (k >= 0)
				log.pings[k].t_pong_us = i + 1;	/* writes in bounds */
			else if (last == -2)
				last = i;
			probelog_add_msg(&log, i, (uint64_t)i);
		}
		ck_assert_int_eq(last, (long)caps[c]);
		ck_assert_uint_eq(log.n_pings, caps[c]);
		ck_assert_uint_eq(log.n_msgs, caps[c]);
		ck_assert_uint_eq(log.msgs_not_kept, 300 - caps[c]);
		if (caps[c])
			ck_assert_int_eq(log.msgs[caps[c] - 1].bytes, caps[c] - 1);
		probelog_free(&log);
	}
}
END_TEST

/* The log's CSV as a string (free it). */
static char *csv_of(const struct probelog *log)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(f);
	ck_assert(probelog_write_csv(log, f));
	fclose(f);
	return text;
}

START_TEST(test_csv_rows_in_time_order)
{
	/* added kind by kind, written merged: a ping by its sending, a msg by
	 * its arrival (the msg at 300 comes before the pong at 350 but after
	 * the ping's row), a send by its sending */
	struct probelog log;

	probelog_init(&log, 10, 10, 10);
	probe_fixture_ping(&log, 100, 350);
	probe_fixture_ping(&log, 1000, 0);
	probelog_add_msg(&log, 300, 40);
	probelog_add_msg(&log, 1200, 41);
	probelog_add_send(&log, 200, 5);
	probelog_add_send(&log, 1100, 6);

	char *text = csv_of(&log);

	ck_assert_str_eq(text,
			 "kind,t_sent_us,t_recv_us,bytes\n"
			 "ping,100,350,8\n"
			 "send,200,,5\n"
			 "msg,,300,40\n"
			 "ping,1000,,8\n"
			 "send,1100,,6\n"
			 "msg,,1200,41\n");
	free(text);
	probelog_free(&log);

	/* an empty log is the header alone */
	probelog_init(&log, 10, 10, 10);
	text = csv_of(&log);
	ck_assert_str_eq(text, PROBELOG_CSV_HEADER "\n");
	free(text);
	probelog_free(&log);
}
END_TEST

START_TEST(test_csv_round_trip)
{
	/* enough rows of each kind to grow the lists, interleaved in time,
	 * with the largest numbers the CSV allows: read back equal */
	struct probelog in, out;
	char err[256] = "";
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	probelog_init(&in, 1000, 1000, 1000);
	for (int64_t i = 0; i < 300; i++) {
		long k = probelog_add_ping(&in, 1000 + i * 997, (uint32_t)(i % 126));

		if (i % 5)	/* every fifth unanswered */
			in.pings[k].t_pong_us = 1000 + i * 997 + 13 * (i % 40);
		probelog_add_msg(&in, 1500 + i * 500 + (i % 3) * 7, (uint64_t)i * 1000003u);
		if (i % 10 == 0)
			probelog_add_send(&in, 1200 + i * 1000, (uint64_t)i);
	}
	probelog_add_msg(&in, 9007199254740991LL, 9007199254740991ULL);	/* 2^53-1 */
	ck_assert(probelog_write_csv(&in, f));
	rewind(f);
	probelog_init(&out, 1000, 1000, 1000);
	ck_assert_msg(probelog_read_csv(&out, f, err, sizeof(err)), "%s", err);
	fclose(f);

	ck_assert_uint_eq(out.n_pings, in.n_pings);
	ck_assert_uint_eq(out.n_msgs, in.n_msgs);
	ck_assert_uint_eq(out.n_sends, in.n_sends);
	for (size_t i = 0; i < in.n_pings; i++) {
		ck_assert_int_eq(out.pings[i].t_sent_us, in.pings[i].t_sent_us);
		ck_assert_int_eq(out.pings[i].t_pong_us, in.pings[i].t_pong_us);
		ck_assert_uint_eq(out.pings[i].bytes, in.pings[i].bytes);
	}
	for (size_t i = 0; i < in.n_msgs; i++) {
		ck_assert_int_eq(out.msgs[i].t_us, in.msgs[i].t_us);
		ck_assert_uint_eq(out.msgs[i].bytes, in.msgs[i].bytes);
	}
	for (size_t i = 0; i < in.n_sends; i++) {
		ck_assert_int_eq(out.sends[i].t_us, in.sends[i].t_us);
		ck_assert_uint_eq(out.sends[i].bytes, in.sends[i].bytes);
	}
	probelog_free(&in);
	probelog_free(&out);
}
END_TEST

START_TEST(test_csv_read_refusals_name_the_line)
{
#define H PROBELOG_CSV_HEADER "\n"
#define OK2 "ping,1,2,8\n"	/* a good line 2: the damage is on line 3 */
	static const struct {
		const char *text;
		int line;
		const char *says;
	} rows[] = {
		{ "", 1, "header" },
		{ "kind,t_sent,t_recv,bytes\n", 1, "header" },
		{ PROBELOG_CSV_HEADER, 1, "header" },	/* no newline */
		{ H OK2 "pong,1,2,3\n", 3, "kind 'pong'" },
		{ H OK2 "PING,3,4,8\n", 3, "kind 'PING'" },
		{ H OK2 "ping,3,4\n", 3, "not 4 fields" },
		{ H OK2 "ping,3,4,8,9\n", 3, "not 4 fields" },
		{ H OK2 "\n", 3, "not 4 fields" },
		{ H OK2 "msg,5,10,3\n", 3, "msg,,T_ARRIVED,BYTES" },
		{ H OK2 "send,5,10,3\n", 3, "send,T_SENT,,BYTES" },
		{ H OK2 "msg,,,3\n", 3, "msg,,T_ARRIVED,BYTES" },
		{ H OK2 "send,,,3\n", 3, "send,T_SENT,,BYTES" },
		{ H OK2 "ping,,5,8\n", 3, "ping,T_SENT" },
		{ H OK2 "ping,3,4,\n", 3, "ping,T_SENT" },
		{ H OK2 "ping,10,5,8\n", 3, "pong before its ping" },
		{ H "ping,10,,8\n" "ping,5,,8\n", 3, "pings out of order" },
		{ H "msg,,10,1\n" "msg,,9,1\n", 3, "messages out of order" },
		{ H "send,10,,1\n" "send,9,,1\n", 3, "sends out of order" },
		{ H OK2 "ping,abc,,8\n", 3, "ping,T_SENT" },
		{ H OK2 "ping,3x,,8\n", 3, "ping,T_SENT" },
		{ H OK2 "ping, 3,,8\n", 3, "ping,T_SENT" },
		{ H OK2 "ping,+3,,8\n", 3, "ping,T_SENT" },
		{ H OK2 "ping,-3,,8\n", 3, "ping,T_SENT" },
		{ H OK2 "msg,,-3,8\n", 3, "msg,,T_ARRIVED" },
		{ H OK2 "msg,,10,-1\n", 3, "msg,,T_ARRIVED" },
		{ H OK2 "ping,9007199254740992,,8\n", 3, "ping,T_SENT" },	/* 2^53 */
		{ H OK2 "msg,,10,99999999999999999999\n", 3, "msg,,T_ARRIVED" },
		{ H OK2 "ping,3,4,8\r\n", 3, "ping,T_SENT" },	/* CRLF */
		{ H OK2 "ping,3,4,8", 3, "not ended by a newline" },
		{ H OK2 "ping,3,4,126\n", 3, "at most 125 bytes" },
		/* a written 0 is not an empty field */
		{ H OK2 "ping,5,0,8\n", 3, "a time of 0" },
		{ H OK2 "msg,0,10,3\n", 3, "msg,,T_ARRIVED,BYTES" },
		{ H OK2 "send,5,0,3\n", 3, "send,T_SENT,,BYTES" },
		{ H OK2 "ping,0,,8\n", 3, "a time of 0" },
		{ H OK2 "msg,,0,8\n", 3, "a time of 0" },
	};
#undef OK2
#undef H

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		char err[256] = "", line[16];
		FILE *f = csvtext_open(rows[i].text);

		probelog_init(&log, 100, 100, 100);
		ck_assert_msg(!probelog_read_csv(&log, f, err, sizeof(err)),
			      "row %zu accepted", i);
		fclose(f);
		snprintf(line, sizeof(line), "line %d: ", rows[i].line);
		ck_assert_msg(!strncmp(err, line, strlen(line)) && strstr(err, rows[i].says),
			      "row %zu: '%s' is not '%s...%s'", i, err, line, rows[i].says);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_csv_read_edges_accepted)
{
	/* 2^53-1 and a 125-byte ping are the largest allowed; a pong at its
	 * ping's own time is not before it; equal times within a kind are
	 * not going back */
	struct probelog log;
	char err[256] = "";
	FILE *f = csvtext_open(PROBELOG_CSV_HEADER "\n"
			       "ping,9007199254740990,9007199254740991,125\n"
			       "ping,9007199254740990,9007199254740990,0\n"
			       "msg,,7,9007199254740991\n"
			       "msg,,7,0\n"
			       "send,1,,0\n");

	probelog_init(&log, 10, 10, 10);
	ck_assert_msg(probelog_read_csv(&log, f, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_uint_eq(log.n_pings, 2);
	ck_assert_int_eq(log.pings[0].t_pong_us, 9007199254740991LL);
	ck_assert_uint_eq(log.pings[0].bytes, 125);
	ck_assert_uint_eq(log.n_msgs, 2);
	ck_assert_uint_eq(log.msgs[0].bytes, 9007199254740991ULL);
	ck_assert_uint_eq(log.n_sends, 1);
	probelog_free(&log);
}
END_TEST

START_TEST(test_csv_read_keeps_the_caps)
{
	/* past max_msgs a row is counted, as when wsprobe records it; past
	 * max_pings the file is refused (a ping's pong must be kept) */
	struct probelog log;
	char err[256] = "";
	FILE *f = csvtext_open(PROBELOG_CSV_HEADER "\nmsg,,1,1\nmsg,,2,1\nmsg,,3,1\n");

	probelog_init(&log, 1, 2, 1);
	ck_assert_msg(probelog_read_csv(&log, f, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_uint_eq(log.n_msgs, 2);
	ck_assert_uint_eq(log.msgs_not_kept, 1);
	probelog_free(&log);

	f = csvtext_open(PROBELOG_CSV_HEADER "\nping,1,2,8\nping,3,4,8\n");
	probelog_init(&log, 1, 2, 1);
	ck_assert(!probelog_read_csv(&log, f, err, sizeof(err)));
	fclose(f);
	ck_assert_ptr_nonnull(strstr(err, "line 3: over 1 pings"));
	probelog_free(&log);
}
END_TEST

Suite *probelog_suite(void)
{
	Suite *s = suite_create("probelog");
	TCase *csv = tcase_create("csv");

	tcase_add_test(csv, test_log_caps_count_what_is_not_kept);
	tcase_add_test(csv, test_log_caps_hold_past_the_first_growth);
	tcase_add_test(csv, test_csv_rows_in_time_order);
	tcase_add_test(csv, test_csv_round_trip);
	tcase_add_test(csv, test_csv_read_refusals_name_the_line);
	tcase_add_test(csv, test_csv_read_edges_accepted);
	tcase_add_test(csv, test_csv_read_keeps_the_caps);
	suite_add_tcase(s, csv);
	return s;
}
