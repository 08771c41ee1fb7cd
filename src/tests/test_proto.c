/*
 * test_proto.c: the sendlab/1 request parser (every valid and invalid case
 * of the spec) and the reply writers.
 */
#include "core/proto.h"
#include "tests/suites.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>

static bool parse(const char *msg, struct proto_request *req,
		  struct proto_error *err)
{
	return proto_parse_request(msg, strlen(msg), req, err);
}

START_TEST(test_run_minimal)
{
	struct proto_request r;
	struct proto_error e;

	ck_assert(parse("{\"op\":\"run\",\"items\":3,\"work_ms\":300}", &r, &e));
	ck_assert_int_eq(r.op, PROTO_OP_RUN);
	ck_assert_int_eq(r.items, 3);
	ck_assert_int_eq(r.work_ms, 300);
	ck_assert(!r.has_id);
}
END_TEST

START_TEST(test_run_with_id_and_extras)
{
	struct proto_request r;
	struct proto_error e;

	/* whitespace, key order, unknown fields and other ops' fields are fine */
	ck_assert(parse(" \n{ \"work_ms\" : 0 , \"id\":\"job\\u00e9\\\"1\", \"x\":[1,{}],"
			"\"t_us\":\"ignored\", \"items\":1000, \"op\":\"run\"}\t", &r, &e));
	ck_assert_int_eq(r.items, 1000);
	ck_assert_int_eq(r.work_ms, 0);
	ck_assert(r.has_id);
	ck_assert_uint_eq(r.id_len, 7);
	ck_assert(!memcmp(r.id, "job\xc3\xa9\"1", 7));
}
END_TEST

START_TEST(test_run_limits_inclusive)
{
	struct proto_request r;
	struct proto_error e;
	char id64[160];

	ck_assert(parse("{\"op\":\"run\",\"items\":1,\"work_ms\":10000}", &r, &e));
	/* a long string before a short number leaves no stale digits */
	ck_assert(parse("{\"id\":\"eeeeeeee.9\",\"op\":\"run\",\"items\":3,\"work_ms\":1}",
			&r, &e));
	ck_assert_int_eq(r.items, 3);
	ck_assert(parse("{\"op\":\"run\",\"items\":6,\"work_ms\":10000}", &r, &e));
	ck_assert_int_eq(r.items * r.work_ms, 60000);
	ck_assert(parse("{\"op\":\"run\",\"items\":1000,\"work_ms\":60}", &r, &e));
	snprintf(id64, sizeof(id64), "{\"op\":\"run\",\"items\":1,\"work_ms\":1,"
		 "\"id\":\"%064d\"}", 0);
	ck_assert(parse(id64, &r, &e));
	ck_assert_uint_eq(r.id_len, 64);
}
END_TEST

START_TEST(test_id_counts_characters_not_bytes)
{
	struct proto_request r;
	struct proto_error e;
	char msg[512] = "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"";

	/* 64 two-byte characters (128 bytes) are allowed; 65 are not */
	for (int i = 0; i < 64; i++)
		strcat(msg, "\xc3\xa9");
	strcat(msg, "\"}");
	ck_assert(parse(msg, &r, &e));
	ck_assert_uint_eq(r.id_len, 128);
	msg[strlen(msg) - 2] = '\0';
	strcat(msg, "\xc3\xa9\"}");
	ck_assert(!parse(msg, &r, &e));
	ck_assert_int_eq(e.code, PROTO_ERR_ID_TOO_LONG);
	ck_assert_int_eq(e.a, 65);
}
END_TEST

START_TEST(test_id_with_invalid_utf8_is_accepted_raw)
{
	struct proto_request r;
	struct proto_error e;

	ck_assert(parse("{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"a\xff\x80z\"}",
			&r, &e));
	ck_assert_uint_eq(r.id_len, 4);
	ck_assert(!memcmp(r.id, "a\xff\x80z", 4));
	/* a '#' inside a string is no comment, even after an escaped quote */
	ck_assert(parse("{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"#\\\"#\\\\#\"}", &r, &e));
	ck_assert_uint_eq(r.id_len, 5);
	ck_assert(!memcmp(r.id, "#\"#\\#", 5));
}
END_TEST

START_TEST(test_id_escaped_surrogate_pairs_are_joined)
{
	struct proto_request r;
	struct proto_error e;
	char msg[2048], text[256];

	/* what JSON.stringify writes for U+1F600: one 4-byte character */
	ck_assert(parse("{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"a\\ud83d\\ude00b\"}",
			&r, &e));
	ck_assert_uint_eq(r.id_len, 6);
	ck_assert(!memcmp(r.id, "a\xf0\x9f\x98\x80" "b", 6));
	/* a lone surrogate is no Unicode character: refused, naming it and
	 * its place, whether escaped, reversed or sent as its raw bytes */
	static const struct {
		const char *id;
		int64_t surrogate, pos;
	} lone[] = {
		{ "\\ud800x", 0xd800, 1 },
		{ "a\\udfff", 0xdfff, 2 },
		{ "\\ude00\\ud83d", 0xde00, 1 },	/* a pair in the wrong order */
		{ "\\ud83d\\ude00\\ud83d", 0xd83d, 2 },
		{ "\xc3\xa9\xed\xa0\x80", 0xd800, 2 },	/* raw CESU-8 bytes */
	};

	for (size_t i = 0; i < sizeof(lone) / sizeof(lone[0]); i++) {
		snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":1,\"work_ms\":1,"
			 "\"id\":\"%s\"}", lone[i].id);
		ck_assert_msg(!parse(msg, &r, &e), "accepted %s", msg);
		ck_assert_int_eq(e.code, PROTO_ERR_ID_SURROGATE);
		ck_assert_int_eq(e.a, lone[i].surrogate);
		ck_assert_int_eq(e.b, lone[i].pos);
	}
	proto_error_text(&e, text, sizeof(text));
	ck_assert_str_eq(text, "field \"id\" must be valid Unicode; character 2 is a lone "
			 "UTF-16 surrogate, \\ud800");
	/* U+D7FF, just below the surrogates, is a character like any other */
	ck_assert(parse("{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"\\ud7ff\"}", &r, &e));
	ck_assert(!memcmp(r.id, "\xed\x9f\xbf", 3));

	/* 64 escaped pairs fit (256 bytes); 65 are counted; 70 are more than 65 */
	for (int n = 64; n <= 70; n += n == 64 ? 1 : 5) {
		int len = snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"");

		for (int i = 0; i < n; i++)
			len += snprintf(msg + len, sizeof(msg) - (size_t)len, "\\ud83d\\ude00");
		snprintf(msg + len, sizeof(msg) - (size_t)len, "\"}");
		if (n == 64) {
			ck_assert(parse(msg, &r, &e));
			ck_assert_uint_eq(r.id_len, 256);
			continue;
		}
		ck_assert(!parse(msg, &r, &e));
		ck_assert_int_eq(e.code, PROTO_ERR_ID_TOO_LONG);
		proto_error_text(&e, text, sizeof(text));
		ck_assert_str_eq(text, n == 65
				 ? "field \"id\" must be a string of at most 64 characters; got 65 characters"
				 : "field \"id\" must be a string of at most 64 characters; got more than 65");
	}
}
END_TEST

START_TEST(test_echo_and_stats)
{
	struct proto_request r;
	struct proto_error e;

	ck_assert(parse("{\"op\":\"echo\",\"t_us\":123456789}", &r, &e));
	ck_assert_int_eq(r.op, PROTO_OP_ECHO);
	ck_assert_int_eq(r.t_us, 123456789);
	ck_assert(parse("{\"op\":\"echo\",\"t_us\":9007199254740991}", &r, &e));
	ck_assert(parse("{\"op\":\"stats\"}", &r, &e));
	ck_assert_int_eq(r.op, PROTO_OP_STATS);
	ck_assert(!r.has_since);
	ck_assert(parse("{\"op\":\"stats\",\"since_us\":0}", &r, &e));
	ck_assert(r.has_since);
	ck_assert_int_eq(r.since_us, 0);
}
END_TEST

/* The invalid catalogue: each input, the error it must get, and words the
 * client-facing sentence must contain. An input test_badinput.c sends is
 * not repeated here: there every variant must answer it with the whole
 * sentence, which names the code and field, through this same parser. */
static const struct bad_case {
	const char *msg;
	enum proto_error_code code;
	enum proto_field field;
	const char *words;
} bad_cases[] = {
	{ " \r\n\t", PROTO_ERR_EMPTY, PROTO_F_OP, "empty message" },
	{ "not json", PROTO_ERR_NOT_JSON, PROTO_F_OP, "not valid JSON" },
	{ "nul", PROTO_ERR_NOT_JSON, PROTO_F_OP, "not valid JSON" },
	{ "[1,2", PROTO_ERR_NOT_JSON, PROTO_F_OP, "not valid JSON" },
	{ "[1,2]", PROTO_ERR_NOT_OBJECT, PROTO_F_OP, "not an array" },
	{ "\"run\"", PROTO_ERR_NOT_OBJECT, PROTO_F_OP, "not a string" },
	{ "42", PROTO_ERR_NOT_OBJECT, PROTO_F_OP, "not an integer" },
	{ "-1.5e3", PROTO_ERR_NOT_OBJECT, PROTO_F_OP, "not a number with a fraction" },
	{ "{", PROTO_ERR_NOT_JSON, PROTO_F_OP, "ended before the object was closed" },
	{ "{\"op\":\"echo\",\"t_us\":1", PROTO_ERR_NOT_JSON, PROTO_F_OP, "ended before" },
	{ "{op:\"echo\"}", PROTO_ERR_NOT_JSON, PROTO_F_OP, "at byte 1" },
	{ "{\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", PROTO_ERR_NOT_JSON, PROTO_F_OP,
	  "nested too deeply" },
	{ "{\"op\":\"echo\",\"t_us\":1} {}", PROTO_ERR_TRAILING, PROTO_F_OP, "at byte 23" },
	{ "{\"op\":\"echo\",\"t_us\":1}#", PROTO_ERR_COMMENT, PROTO_F_OP, "at byte 22" },
	{ " { } ", PROTO_ERR_MISSING, PROTO_F_OP, "missing field \"op\"" },
	{ "{\"items\":3}", PROTO_ERR_MISSING, PROTO_F_OP, "missing field \"op\"" },
	{ "{\"op\":1}", PROTO_ERR_TYPE, PROTO_F_OP, "not an integer" },
	{ "{\"op\":[\"run\"]}", PROTO_ERR_TYPE, PROTO_F_OP, "not an array" },
	{ "{\"op\":{\"op\":\"run\"}}", PROTO_ERR_TYPE, PROTO_F_OP, "not an object" },
	{ "{\"op\":\"runx\"}", PROTO_ERR_UNKNOWN_OP, PROTO_F_OP, "unknown op" },
	{ "{\"op\":\"\"}", PROTO_ERR_UNKNOWN_OP, PROTO_F_OP, "\"run\", \"echo\", \"stats\"" },
	{ "{\"op\":\"echo\",\"op\":\"echo\",\"t_us\":1}", PROTO_ERR_DUPLICATE, PROTO_F_OP,
	  "\"op\" appears more than once" },
	{ "{\"op\":\"run\",\"items\":1,\"items\":2,\"work_ms\":1}", PROTO_ERR_DUPLICATE,
	  PROTO_F_ITEMS, "\"items\" appears more than once" },
	/* run: items */
	{ "{\"op\":\"run\",\"items\":-3,\"work_ms\":1}", PROTO_ERR_RANGE, PROTO_F_ITEMS, "got -3" },
	{ "{\"op\":\"run\",\"items\":1234567890123456789012345,\"work_ms\":1}",
	  PROTO_ERR_NUMBER_TOO_LONG, PROTO_F_OP, "the number at byte 20 has more than 20" },
	/* a run of digits (or 'e's) before a string's bad byte is no number */
	{ "{\"x\":\"123456789012345678901234\x01\"}", PROTO_ERR_NOT_JSON, PROTO_F_OP,
	  "not valid JSON at byte 30: Illegal unescaped control char" },
	{ "{\"x\":\"eeeeeeeeeeeeeeeeeeeeeeeee\x01\"}", PROTO_ERR_NOT_JSON, PROTO_F_OP,
	  "not valid JSON at byte 31" },
	{ "{\"123456789012345678901234\n\":1}", PROTO_ERR_NOT_JSON, PROTO_F_OP,
	  "not valid JSON at byte 26" },
	/* 20 characters are not too many: what follows them is the error */
	{ "{\"op\":\"run\",\"items\":12345678901234567890x}", PROTO_ERR_NOT_JSON,
	  PROTO_F_OP, "not valid JSON at byte 40" },
	{ "{\"op\":\"run\",\"items\":9999999999999999999,\"work_ms\":1}", PROTO_ERR_RANGE,
	  PROTO_F_ITEMS, "too large to represent" },
	{ "{\"op\":\"run\",\"items\":1.5,\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS,
	  "not a number with a fraction" },
	{ "{\"op\":\"run\",\"items\":1e2,\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS, "fraction or exponent" },
	{ "{\"op\":\"run\",\"items\":\"3\",\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS, "not a string" },
	{ "{\"op\":\"run\",\"items\":{\"n\":3},\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS, "not an object" },
	{ "{\"op\":\"run\",\"items\":[3],\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS, "not an array" },
	{ "{\"op\":\"run\",\"items\":[],\"work_ms\":1}", PROTO_ERR_TYPE, PROTO_F_ITEMS, "not an array" },
	{ "{\"op\":\"run\",\"items\":[{\"items\":3}],\"work_ms\":1}", PROTO_ERR_TYPE,
	  PROTO_F_ITEMS, "not an array" },
	{ "{\"x\":{\"op\":\"run\",\"items\":3,\"work_ms\":1}}", PROTO_ERR_MISSING,
	  PROTO_F_OP, "missing field \"op\"" }, /* nested keys are not top-level fields */
	/* run: work_ms */
	{ "{\"op\":\"run\",\"items\":1,\"work_ms\":-1}", PROTO_ERR_RANGE, PROTO_F_WORK_MS, "got -1" },
	{ "{\"op\":\"run\",\"items\":1,\"work_ms\":0.5}", PROTO_ERR_TYPE, PROTO_F_WORK_MS, "fraction" },
	{ "{\"op\":\"run\",\"items\":1,\"work_ms\":\"300\"}", PROTO_ERR_TYPE, PROTO_F_WORK_MS, "not a string" },
	/* run: the product */
	{ "{\"op\":\"run\",\"items\":7,\"work_ms\":10000}", PROTO_ERR_JOB_TOO_LONG, PROTO_F_ITEMS,
	  "items * work_ms must be at most 60000 ms, got 7 * 10000 = 70000" },
	{ "{\"op\":\"run\",\"items\":1000,\"work_ms\":61}", PROTO_ERR_JOB_TOO_LONG, PROTO_F_ITEMS, "61000" },
	/* run: id */
	{ "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":"
	  "\"12345678901234567890123456789012345678901234567890123456789012345\"}",
	  PROTO_ERR_ID_TOO_LONG, PROTO_F_ID, "got 65 characters" },
	{ "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"\x01\"}", PROTO_ERR_NOT_JSON,
	  PROTO_F_OP, "not valid JSON" }, /* a raw control character is not JSON */
	/* echo */
	{ "{\"op\":\"echo\",\"t_us\":1.0}", PROTO_ERR_TYPE, PROTO_F_T_US, "fraction" },
	/* stats */
	{ "{\"op\":\"stats\",\"since_us\":-5}", PROTO_ERR_RANGE, PROTO_F_SINCE_US, "got -5" },
	{ "{\"op\":\"stats\",\"since_us\":[]}", PROTO_ERR_TYPE, PROTO_F_SINCE_US, "array" },
};

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	struct proto_request r;
	struct proto_error e;
	char text[400];

	ck_assert_msg(!parse(c->msg, &r, &e), "accepted: %s", c->msg);
	proto_error_text(&e, text, sizeof(text));
	ck_assert_msg(e.code == c->code, "%s: code %d, want %d (%s)", c->msg,
		      e.code, c->code, text);
	ck_assert_msg(e.field == c->field, "%s: field %s, want %s", c->msg,
		      proto_field_name(e.field), proto_field_name(c->field));
	ck_assert_msg(strstr(text, c->words), "%s: \"%s\" lacks \"%s\"", c->msg,
		      text, c->words);
}
END_TEST

START_TEST(test_message_not_nul_terminated)
{
	/* the server's receive buffer is not a C string: the parser must
	 * respect len and never read past it */
	char buf[64];
	struct proto_request r;
	struct proto_error e;
	const char *msg = "{\"op\":\"echo\",\"t_us\":7}";
	size_t n = strlen(msg);

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, msg, n);
	ck_assert(proto_parse_request(buf, n, &r, &e));
	ck_assert_int_eq(r.t_us, 7);
	memset(buf, '9', sizeof(buf));
	ck_assert(!proto_parse_request(buf, 3, &r, &e));
	ck_assert_int_eq(e.code, PROTO_ERR_NOT_OBJECT);
}
END_TEST

START_TEST(test_every_error_has_text)
{
	struct proto_error e = { 0 };
	char text[400];

	for (int code = PROTO_OK; code <= PROTO_ERR_BUSY; code++) { /* BUSY is last */
		e.code = (enum proto_error_code)code;
		text[0] = '\0';
		proto_error_text(&e, text, sizeof(text));
		ck_assert_uint_gt(strlen(text), 5);
	}
	e = (struct proto_error){ .code = PROTO_ERR_BUSY, .a = 1, .b = 3 };
	proto_error_text(&e, text, sizeof(text));
	ck_assert_str_eq(text, "busy: this connection's job is still running "
			 "(1 of 3 results sent); send the next run after its last result");
}
END_TEST

START_TEST(test_write_result)
{
	char buf[WIRE_REPLY_MAX];
	struct proto_result r = {
		.variant = "blocking", .has_id = true, .id = "a\"b", .id_len = 3,
		.seq = 1, .items = 3, .work_ms = 300, .t_recv_us = 10,
		.t_start_us = 11, .t_done_us = 12, .t_send_us = 13, .cpu_us = 14,
		.value = 0xffffffffffffffffull,
	};

	ck_assert_uint_gt(proto_write_result(buf, sizeof(buf), &r), 0);
	ck_assert_str_eq(buf, "{\"op\":\"result\",\"variant\":\"blocking\",\"id\":\"a\\\"b\","
			 "\"seq\":1,\"items\":3,\"work_ms\":300,\"t_recv_us\":10,"
			 "\"t_start_us\":11,\"t_done_us\":12,\"t_send_us\":13,"
			 "\"cpu_us\":14,\"value\":9007199254740991}");
	r.has_id = false;
	proto_write_result(buf, sizeof(buf), &r);
	ck_assert_ptr_null(strstr(buf, "\"id\""));
}
END_TEST

START_TEST(test_write_echo_stats_error)
{
	char buf[WIRE_REPLY_MAX];
	struct stats_summary lag = { .n = 90, .p50 = 300, .p99 = 1200, .max = 905000 };
	struct proto_error e = { .code = PROTO_ERR_RANGE, .field = PROTO_F_ITEMS, .a = 0 };

	proto_write_echo(buf, sizeof(buf), 5, 6);
	ck_assert_str_eq(buf, "{\"op\":\"echo\",\"t_us\":5,\"t_server_us\":6}");
	proto_write_stats(buf, sizeof(buf), "flush", 100, &lag, 1);
	ck_assert_str_eq(buf, "{\"op\":\"stats\",\"variant\":\"flush\",\"since_us\":100,"
			 "\"samples\":90,\"lag_p50_us\":300,\"lag_p99_us\":1200,"
			 "\"lag_max_us\":905000,\"stalls\":1}");
	proto_write_error(buf, sizeof(buf), &e);
	ck_assert_str_eq(buf, "{\"op\":\"error\",\"error\":\"field \\\"items\\\" must be "
			 "an integer from 1 to 1000, got 0\"}");
}
END_TEST

START_TEST(test_result_with_worst_id_is_valid_json)
{
	/* the longest id of the worst bytes still fits, and LEJP (an
	 * independent reader) accepts the reply */
	char id[WIRE_ID_MAX_BYTES], buf[WIRE_REPLY_MAX];
	struct proto_result r = { .variant = "blocking", .has_id = true, .id = id,
				  .id_len = sizeof(id), .items = 1 };
	struct proto_request req;
	struct proto_error e;

	for (size_t i = 0; i < sizeof(id); i++)
		id[i] = (char)(i % 2 ? 0xff : 0x01);
	size_t n = proto_write_result(buf, sizeof(buf), &r);
	ck_assert_uint_gt(n, 0);
	/* parsed as a request it is a valid object with an unknown op */
	ck_assert(!proto_parse_request(buf, n, &req, &e));
	ck_assert_int_eq(e.code, PROTO_ERR_UNKNOWN_OP);
}
END_TEST

Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *ok = tcase_create("valid");
	TCase *bad = tcase_create("invalid");
	TCase *out = tcase_create("replies");

	tcase_add_test(ok, test_run_minimal);
	tcase_add_test(ok, test_run_with_id_and_extras);
	tcase_add_test(ok, test_run_limits_inclusive);
	tcase_add_test(ok, test_id_counts_characters_not_bytes);
	tcase_add_test(ok, test_id_with_invalid_utf8_is_accepted_raw);
	tcase_add_test(ok, test_id_escaped_surrogate_pairs_are_joined);
	tcase_add_test(ok, test_echo_and_stats);
	tcase_add_test(ok, test_message_not_nul_terminated);
	tcase_add_loop_test(bad, test_bad_input, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(out, test_every_error_has_text);
	tcase_add_test(out, test_write_result);
	tcase_add_test(out, test_write_echo_stats_error);
	tcase_add_test(out, test_result_with_worst_id_is_valid_json);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, out);
	return s;
}
