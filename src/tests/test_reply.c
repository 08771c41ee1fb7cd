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
			"\"lag_p50_us\":3,\"lag_p99_us\":4,\"lag_max_us\":5,\"stalls\":6}",
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

Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_result);
	tcase_add_test(tc, test_echo_stats_error);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
