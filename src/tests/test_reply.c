/*
 * test_reply.c: the harness's parser for server replies.
 */
#include "harness/reply.h"
#include "tests/suites.h"

#include <string.h>

static bool parse(const char *msg, struct reply *r, char *why)
{
	return reply_parse(msg, strlen(msg), r, why, 200);
}

START_TEST(test_result)
{
	struct reply r;
	char why[200];

	ck_assert(parse("{\"op\":\"result\",\"variant\":\"blocking\",\"id\":\"x\",\"seq\":2,"
			"\"items\":3,\"work_ms\":300,\"t_recv_us\":1,\"t_start_us\":2,"
			"\"t_done_us\":3,\"t_send_us\":4,\"value\":5}", &r, why));
	ck_assert_int_eq(r.op, REPLY_RESULT);
	ck_assert_str_eq(r.variant, "blocking");
	ck_assert_int_eq(r.v[REPLY_SEQ], 2);
	ck_assert_int_eq(r.v[REPLY_T_DONE_US], 3);
	ck_assert_int_eq(r.v[REPLY_T_SEND_US], 4);
}
END_TEST

START_TEST(test_echo_stats_error)
{
	struct reply r;
	char why[200];

	ck_assert(parse("{\"op\":\"echo\",\"t_us\":10,\"t_server_us\":12}", &r, why));
	ck_assert_int_eq(r.op, REPLY_ECHO);
	ck_assert_int_eq(r.v[REPLY_T_US], 10);
	ck_assert(parse("{\"op\":\"stats\",\"variant\":\"v\",\"since_us\":1,\"samples\":2,"
			"\"lag_p50_us\":3,\"lag_p99_us\":4,\"lag_max_us\":5,\"stalls\":1}",
			&r, why));
	ck_assert_int_eq(r.op, REPLY_STATS);
	ck_assert_int_eq(r.v[REPLY_LAG_MAX_US], 5);
	ck_assert(parse("{\"op\":\"error\",\"error\":\"busy: \\\"x\\\"\"}", &r, why));
	ck_assert_int_eq(r.op, REPLY_ERROR);
	ck_assert_str_eq(r.error, "busy: \"x\"");
}
END_TEST

START_TEST(test_malformed)
{
	struct reply r;
	char why[200];

	ck_assert(!parse("{\"op\":\"result\",\"seq\":1}", &r, why));
	ck_assert_ptr_nonnull(strstr(why, "lacks integer field \"items\""));
	ck_assert(!parse("{\"op\":\"echo\",\"t_us\":\"10\",\"t_server_us\":1}", &r, why));
	ck_assert_ptr_nonnull(strstr(why, "\"t_us\" is not an integer"));
	ck_assert(!parse("{\"op\":\"nope\"}", &r, why));
	ck_assert_ptr_nonnull(strstr(why, "unknown op \"nope\""));
	ck_assert(!parse("{\"op\":\"echo\"", &r, why));
	ck_assert_ptr_nonnull(strstr(why, "truncated"));
	ck_assert(!parse("garbage", &r, why));
}
END_TEST

/* A result with one field replaced: "%s" is where the test's text goes. */
#define RESULT_WITH(extra) "{\"op\":\"result\",\"seq\":0,\"items\":3,\"work_ms\":300," \
	"\"t_recv_us\":1,\"t_start_us\":2,\"t_send_us\":4,\"value\":5," extra "}"

/* Values no honest server sends are refused, by name and range, before
 * any of them reaches report.c's arithmetic (INT64_MIN once overflowed a
 * subtraction there under UBSan). */
START_TEST(test_hostile_values_are_refused)
{
	static const struct {
		const char *msg, *why;
	} bad[] = {
		{ RESULT_WITH("\"t_done_us\":-9223372036854775808"), "\"t_done_us\" is -9223372036854775808, outside 0..9007199254740991" },
		{ RESULT_WITH("\"t_done_us\":9007199254740992"), "outside 0..9007199254740991" },
		{ RESULT_WITH("\"t_done_us\":-1"), "\"t_done_us\" is -1" },
		{ RESULT_WITH("\"t_done_us\":3,\"cpu_us\":-5"), "\"cpu_us\" is -5" },
		{ "{\"op\":\"result\",\"seq\":3,\"items\":3,\"work_ms\":300,\"t_recv_us\":1,"
		  "\"t_start_us\":2,\"t_done_us\":3,\"t_send_us\":4,\"value\":5}", "seq 3 of a job of 3 items" },
		{ "{\"op\":\"result\",\"seq\":0,\"items\":0,\"work_ms\":300,\"t_recv_us\":1,"
		  "\"t_start_us\":2,\"t_done_us\":3,\"t_send_us\":4,\"value\":5}", "\"items\" is 0, outside 1..1000" },
		{ "{\"op\":\"result\",\"seq\":0,\"items\":3,\"work_ms\":10001,\"t_recv_us\":1,"
		  "\"t_start_us\":2,\"t_done_us\":3,\"t_send_us\":4,\"value\":5}", "\"work_ms\" is 10001" },
		{ RESULT_WITH("\"t_done_us\":5"), "stamps out of order" },
		{ RESULT_WITH("\"t_done_us\":1"), "stamps out of order" },
		{ "{\"op\":\"echo\",\"t_us\":-1,\"t_server_us\":1}", "\"t_us\" is -1" },
		{ "{\"op\":\"stats\",\"since_us\":1,\"samples\":2,\"lag_p50_us\":5,"
		  "\"lag_p99_us\":4,\"lag_max_us\":6,\"stalls\":0}", "stats out of order" },
		{ "{\"op\":\"stats\",\"since_us\":1,\"samples\":2,\"lag_p50_us\":1,"
		  "\"lag_p99_us\":4,\"lag_max_us\":6,\"stalls\":3}", "stats out of order" },
	};
	struct reply r;
	char why[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(!parse(bad[i].msg, &r, why), "accepted %s", bad[i].msg);
		ck_assert_msg(strstr(why, bad[i].why), "%s: said '%s', not '%s'", bad[i].msg,
			      why, bad[i].why);
	}
	ck_assert_msg(parse(RESULT_WITH("\"t_done_us\":3,\"cpu_us\":0"), &r, why), "%s", why);
}
END_TEST

/* The whole frame is one object: bytes after it are refused, whitespace
 * is not. */
START_TEST(test_trailing_bytes_are_refused)
{
	struct reply r;
	char why[200];

	ck_assert_msg(parse("{\"op\":\"echo\",\"t_us\":1,\"t_server_us\":2} \r\n", &r, why),
		      "%s", why);
	ck_assert(!parse("{\"op\":\"echo\",\"t_us\":1,\"t_server_us\":2}x", &r, why));
	ck_assert_msg(strstr(why, "1 bytes after its JSON object"), "%s", why);
	ck_assert(!parse("{\"op\":\"echo\",\"t_us\":1,\"t_server_us\":2}"
			 "{\"op\":\"echo\",\"t_us\":1,\"t_server_us\":2}", &r, why));
	ck_assert_msg(strstr(why, "bytes after its JSON object"), "%s", why);
	/* LEJP would skip a '#' comment: JSON has none */
	ck_assert(!parse(" # x\n{\"op\":\"error\",\"error\":\"e\"}", &r, why));
	ck_assert_msg(strstr(why, "a '#' at byte 1"), "%s", why);
	ck_assert(!parse("{\"op\":\"error\",#\n\"error\":\"e\"}", &r, why));
	ck_assert_msg(parse("{\"op\":\"error\",\"error\":\"#1 \\\"#\\\" \"}", &r, why), "%s", why);
	/* a NUL inside the frame is a byte too */
	ck_assert(!reply_parse("{\"op\":\"echo\",\"t_us\":1,\"t_server_us\":2}\0", 39, &r,
			       why, sizeof(why)));
}
END_TEST

Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_result);
	tcase_add_test(tc, test_echo_stats_error);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_hostile_values_are_refused);
	tcase_add_test(tc, test_trailing_bytes_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
