/*
 * test_csvin.c: reading an experiment's CSVs back (analysis/csvin.c):
 * what the harness writes is read exactly, its "# incomplete" line too,
 * and every kind of damage is an error naming the file and line.
 */
#include "analysis/csvin.h"
#include "tests/csvtext.h"
#include "tests/suites.h"

#include <stdlib.h>
#include <string.h>

/* The messages header before the clock columns: still read (csvin.h), its
 * rows one field shorter of each; the damage further down is checked in it. */
#define MSG_HEADER_11 "variant,run,seq,t_request_us,t_recv_us,t_start_us," \
	"t_done_us,t_send_us,t_arrive_us,client,cpu_us"

START_TEST(test_messages_round_trip)
{
	/* written by the harness's own writer, read back field by field */
	char buf[1024];
	FILE *w = fmemopen(buf, sizeof(buf), "w");
	struct report_msg in = { 2, 1, 10, 11, 12, 13, 14, 15, 0, 16, 5000000, 40 }, *out;
	size_t n;
	char variant[16], err[200];

	fprintf(w, "%s\n", REPORT_MSG_HEADER);
	report_msg_csv(w, "flush", &in);
	in.client = REPORT_CLIENTS_MAX - 1;	/* the highest the harness writes */
	report_msg_csv(w, "flush", &in);
	fputc('\0', w);
	fclose(w);
	FILE *f = csvtext_open(buf);

	ck_assert_msg(csvin_messages(f, "m.csv", &out, &n, variant, sizeof(variant), NULL,
				     err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(variant, "flush");
	ck_assert_int_eq(out[1].run, 2);
	ck_assert_int_eq(out[1].seq, 1);
	ck_assert_int_eq(out[1].t_request_us, 10);
	ck_assert_int_eq(out[1].t_done_us, 13);
	ck_assert_int_eq(out[1].t_arrive_us, 15);
	ck_assert_int_eq(out[0].client, 0);
	ck_assert_int_eq(out[1].client, REPORT_CLIENTS_MAX - 1);
	ck_assert_int_eq(out[1].cpu_us, 16);
	ck_assert_int_eq(out[1].clock_offset_us, 5000000);
	ck_assert_int_eq(out[1].clock_offset_err_us, 40);
	free(out);
}
END_TEST

START_TEST(test_messages_without_clock_columns)
{
	/* a file from before the harness measured the server's clock (the
	 * reference run's): read, as one host's, the error "not measured" */
	struct report_msg *out;
	size_t n;
	char err[200];
	FILE *f = csvtext_open(MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0,7\n");

	ck_assert_msg(csvin_messages(f, "m.csv", &out, &n, NULL, 0, NULL, err,
				     sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].cpu_us, 7);
	ck_assert_int_eq(out[0].clock_offset_us, 0);
	ck_assert_int_eq(out[0].clock_offset_err_us, -1);
	free(out);
}
END_TEST

START_TEST(test_echoes_and_lag)
{
	struct report_echo *e;
	struct summary_lag_sample *l;
	size_t n;
	char err[200];
	FILE *f = csvtext_open(REPORT_ECHO_HEADER "\nx,1,0,100,150,160\n"
			       "x,1,1,120,151,170\n\n");

	ck_assert_msg(csvin_echoes(f, "b.csv", &e, &n, NULL, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e[1].t_sent_us, 120);
	ck_assert_int_eq(e[1].t_arrive_us, 170);
	free(e);

	f = csvtext_open("t_us,lag_us\n5,1\n6,-2\n");
	ck_assert_msg(csvin_lag(f, "l.csv", &l, &n, err, sizeof(err)), "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(l[1].lag_us, -2);
	free(l);

	f = csvtext_open("t_us,lag_us\n");	/* a header alone: no rows, no error */
	ck_assert(csvin_lag(f, "l.csv", &l, &n, err, sizeof(err)));
	fclose(f);
	ck_assert_int_eq(n, 0);
	free(l);
}
END_TEST

START_TEST(test_incomplete_line_read)
{
	/* as the harness writes it: run 1 whole, run 2 cut short */
	char buf[2048];
	FILE *w = fmemopen(buf, sizeof(buf), "w");
	struct report_msg m = { 1, 0, 10, 11, 12, 13, 14, 15, 0, -1, 0, 30 }, *out;
	struct csvin_incomplete inc = { .run = -1 };
	size_t n;
	char err[300];

	fprintf(w, "%s\n", REPORT_MSG_HEADER);
	report_msg_csv(w, "flush", &m);
	m.run = 2;
	report_msg_csv(w, "flush", &m);
	report_incomplete_csv(w, 2, 5, "the main connection dropped, no close frame");
	fputc('\0', w);
	fclose(w);
	FILE *f = csvtext_open(buf);

	ck_assert_msg(csvin_messages(f, "m.csv", &out, &n, NULL, 0, &inc, err, sizeof(err)),
		      "%s", err);
	fclose(f);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(inc.run, 2);
	ck_assert_int_eq(inc.runs, 5);
	ck_assert_str_eq(inc.why, "the main connection dropped; no close frame");
	free(out);

	/* a file with no such line says so */
	f = csvtext_open(REPORT_ECHO_HEADER "\nx,1,0,100,150,160\n");
	struct report_echo *e;

	ck_assert(csvin_echoes(f, "b.csv", &e, &n, &inc, err, sizeof(err)));
	fclose(f);
	ck_assert_int_eq(inc.run, 0);
	free(e);

	/* a header and the line alone: no rows, still marked */
	f = csvtext_open(REPORT_ECHO_HEADER "\n# incomplete: run 1 of 1: cannot connect\n");
	ck_assert(csvin_echoes(f, "b.csv", &e, &n, &inc, err, sizeof(err)));
	fclose(f);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(inc.run, 1);
	free(e);
}
END_TEST

/* A reader that cannot handle a partial run must not be handed one. */
START_TEST(test_incomplete_without_a_place_for_it_is_an_error)
{
	struct report_msg *out;
	size_t n;
	char err[300] = "";
	FILE *f = csvtext_open(REPORT_MSG_HEADER "\nv,1,0,1,2,3,4,5,6,0,7,0,0\n"
			       "# incomplete: run 1 of 1: timed out\n");

	ck_assert(!csvin_messages(f, "m.csv", &out, &n, NULL, 0, NULL, err, sizeof(err)));
	fclose(f);
	ck_assert_msg(strstr(err, "m.csv:3: the file is marked incomplete (run 1 of 1: "
			      "timed out)"), "%s", err);
	ck_assert_ptr_null(out);
}
END_TEST

static const struct bad_csv {
	const char *text;
	const char *err;
} bad_csvs[] = {
	{ "", "m.csv: empty file (no header)" },
	/* the current header: 13 fields, the clock's error at least -1 */
	{ REPORT_MSG_HEADER "\nv,1,0,1,2,3,4,5,6,0,7,0\n", "m.csv:2: fewer than 13 fields" },
	{ REPORT_MSG_HEADER "\nv,1,0,1,2,3,4,5,6,0,7,0,1,2\n", "m.csv:2: more than 13 fields" },
	{ REPORT_MSG_HEADER "\nv,1,0,1,2,3,4,5,6,0,7,0,-2\n",
	  "m.csv:2: clock_offset_err_us -2 is negative (-1 means: not measured)" },
	{ REPORT_MSG_HEADER "\nv,1,0,1,2,3,4,5,6,0,7,x,1\n", "m.csv:2: field 12 is not an integer" },
	{ "variant,run\n", "m.csv:1: header is \"variant,run\"" },
	/* the format before the cpu_us column: refused, and said why */
	{ "variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us,"
	  "t_arrive_us,client\nv,1,0,1,2,3,4,5,6,0\n",
	  "m.csv:1: the header lacks the column cpu_us: a file written by a "
	  "harness from before the servers reported each item's CPU time" },
	/* and the one before that: a plain mismatch */
	{ "variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us,"
	  "t_arrive_us\nv,1,0,1,2,3,4,5,6\n", "m.csv:1: header is " },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,x,0,7\n", "m.csv:2: field 9 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0\n", "m.csv:2: fewer than 11 fields" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0,7,8\n", "m.csv:2: more than 11 fields" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0,7\nw,1,1,1,2,3,4,5,6,0,7\n",
	  "m.csv:3: variant \"w\" differs from \"v\"" },
	{ MSG_HEADER_11 "\n,1,0,1,2,3,4,5,6,0,7\n", "m.csv:2: no variant column" },
	{ MSG_HEADER_11 "\nv,0,0,1,2,3,4,5,6,0,7\n", "m.csv:2: run 0 / seq 0 out of range" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,99999999999999999999,0,7\n",
	  "m.csv:2: field 9 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5, 6,0,7\n", "m.csv:2: field 9 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,,3,4,5,6,0,7\n", "m.csv:2: field 5 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,,7\n", "m.csv:2: field 10 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,c1,7\n", "m.csv:2: field 10 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,-1,7\n", "m.csv:2: client -1 out of range 0..63" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,64,7\n", "m.csv:2: client 64 out of range 0..63" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0,\n", "m.csv:2: field 11 is not an integer" },
	{ MSG_HEADER_11 "\nv,1,0,1,2,3,4,5,6,0,-2\n",
	  "m.csv:2: cpu_us -2 is negative (-1 means: not reported)" },
	{ MSG_HEADER_11 "\n# a note\n", "m.csv:2: a comment line, not a row" },
	{ MSG_HEADER_11 "\n# incomplete: run x of 2: y\n",
	  "m.csv:2: malformed \"# incomplete\" line" },
	{ MSG_HEADER_11 "\n# incomplete: run 3 of 2: y\n",
	  "m.csv:2: malformed \"# incomplete\" line" },
	{ MSG_HEADER_11 "\n# incomplete: run 1 of 1: y\nv,1,0,1,2,3,4,5,6,0,7\n",
	  "m.csv:3: a line after the \"# incomplete\" line 2" },
	{ MSG_HEADER_11 "\n# incomplete: run 1 of 2: y\n# incomplete: run 1 of 2: y\n",
	  "m.csv:3: a line after the \"# incomplete\" line 2" },
	{ MSG_HEADER_11 "\nv,2,0,1,2,3,4,5,6,0,7\n# incomplete: run 1 of 2: y\n",
	  "m.csv:3: marks run 1 incomplete, but rows of run 2 come before it" },
};

START_TEST(test_damaged_files_are_errors)
{
	const struct bad_csv *c = &bad_csvs[_i];
	struct report_msg *out = (void *)1;
	size_t n = 1;
	char err[300] = "";
	struct csvin_incomplete inc;
	FILE *f = csvtext_open(c->text);

	ck_assert(!csvin_messages(f, "m.csv", &out, &n, NULL, 0, &inc, err, sizeof(err)));
	fclose(f);
	ck_assert_msg(strstr(err, c->err), "got \"%s\", want \"%s\"", err, c->err);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_overlong_line_is_an_error)
{
	char *s = malloc(CSVIN_MAX_LINE * 2);
	struct summary_lag_sample *l;
	size_t n;
	char err[200] = "";

	strcpy(s, "t_us,lag_us\n1,");
	memset(s + strlen(s), '1', CSVIN_MAX_LINE);
	s[14 + CSVIN_MAX_LINE] = '\0';
	FILE *f = csvtext_open(s);

	ck_assert(!csvin_lag(f, "l.csv", &l, &n, err, sizeof(err)));
	fclose(f);
	free(s);
	ck_assert_msg(strstr(err, "l.csv:2: line longer than"), "%s", err);
}
END_TEST

Suite *csvin_suite(void)
{
	Suite *s = suite_create("csvin");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, test_messages_round_trip);
	tcase_add_test(tc, test_messages_without_clock_columns);
	tcase_add_test(tc, test_echoes_and_lag);
	tcase_add_test(tc, test_incomplete_line_read);
	tcase_add_test(tc, test_incomplete_without_a_place_for_it_is_an_error);
	tcase_add_loop_test(tc, test_damaged_files_are_errors, 0,
			    (int)(sizeof(bad_csvs) / sizeof(bad_csvs[0])));
	tcase_add_test(tc, test_overlong_line_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
