/*
 * test_badinput.c: every bad input of the spec, sent over a real
 * connection, gets its specific `error` frame (or close code), and the same
 * connection still answers `echo` afterwards.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdlib.h>
#include <string.h>

static const struct bad_frame {
	const char *name;
	int opcode;
	const char *payload;
	const char *words;	/* the error sentence must contain these */
} bad_frames[] = {
	{ "not JSON", WSC_OP_TEXT, "hello", "not valid JSON" },
	{ "truncated JSON", WSC_OP_TEXT, "{\"op\":\"echo\"", "not valid JSON" },
	{ "JSON array", WSC_OP_TEXT, "[1,2,3]", "must be a JSON object" },
	{ "JSON string", WSC_OP_TEXT, "\"echo\"", "must be a JSON object" },
	{ "JSON number", WSC_OP_TEXT, "17", "must be a JSON object" },
	{ "empty text", WSC_OP_TEXT, "", "empty message" },
	{ "deep nesting", WSC_OP_TEXT, "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
	  "nested too deeply" },
	{ "missing op", WSC_OP_TEXT, "{\"items\":1}", "missing field \"op\"" },
	{ "unknown op", WSC_OP_TEXT, "{\"op\":\"launch\"}", "unknown op" },
	{ "op not a string", WSC_OP_TEXT, "{\"op\":7}", "\"op\" must be" },
	{ "run without items", WSC_OP_TEXT, "{\"op\":\"run\",\"work_ms\":1}",
	  "missing field \"items\"" },
	{ "run without work_ms", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1}",
	  "missing field \"work_ms\"" },
	{ "items zero", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":0,\"work_ms\":1}",
	  "\"items\" must be an integer from 1 to 1000, got 0" },
	{ "items negative", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":-1,\"work_ms\":1}", "got -1" },
	{ "items too many", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1001,\"work_ms\":1}", "got 1001" },
	{ "items float", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":2.5,\"work_ms\":1}", "fraction" },
	{ "items string", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":\"2\",\"work_ms\":1}", "not a string" },
	{ "items boolean", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":true,\"work_ms\":1}", "not a boolean" },
	{ "items null", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":null,\"work_ms\":1}", "not null" },
	{ "work_ms too large", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1,\"work_ms\":10001}",
	  "\"work_ms\" must be an integer from 0 to 10000, got 10001" },
	{ "work_ms negative", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1,\"work_ms\":-5}", "got -5" },
	{ "job too long", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":100,\"work_ms\":601}",
	  "items * work_ms must be at most 60000 ms, got 100 * 601 = 60100" },
	{ "id too long", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":"
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	  "at most 64 characters; got 65" },
	{ "id not a string", WSC_OP_TEXT, "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":[]}",
	  "not an array" },
	{ "echo without t_us", WSC_OP_TEXT, "{\"op\":\"echo\"}", "missing field \"t_us\"" },
	{ "echo t_us negative", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":-1}", "got -1" },
	{ "stats since_us string", WSC_OP_TEXT, "{\"op\":\"stats\",\"since_us\":\"0\"}", "not a string" },
	{ "duplicate field", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1,\"t_us\":2}", "more than once" },
	{ "two objects", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1}{\"op\":\"echo\",\"t_us\":1}",
	  "unexpected data" },
	{ "binary frame", WSC_OP_BINARY, "{\"op\":\"echo\",\"t_us\":1}", "binary frames" },
};

START_TEST(test_bad_frame_gets_error_and_connection_lives)
{
	const struct bad_frame *b = &bad_frames[_i];
	struct spawned s;
	struct wsc *c;
	struct reply r;

	tu_start(&s, "blocking", NULL);
	c = tu_connect(&s);
	ck_assert(wsc_send_frame(c, b->opcode, 1, b->payload, strlen(b->payload)) == 0);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_msg(r.op == REPLY_ERROR, "%s: no error reply", b->name);
	ck_assert_msg(strstr(r.error, b->words), "%s: \"%s\" lacks \"%s\"", b->name,
		      r.error, b->words);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_fragmented_message_is_one_request)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;

	tu_start(&s, "blocking", NULL);
	c = tu_connect(&s);
	ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 0, "{\"op\":\"ec", 9) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 0, "ho\",\"t_us\"", 10) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, ":42}", 4) == 0);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	ck_assert_int_eq(r.v[REPLY_T_US], 42);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* Sends a text message of exactly n bytes that is a valid echo request. */
static void send_echo_of_size(struct wsc *c, size_t n, int fragments)
{
	const char *head = "{\"op\":\"echo\",\"t_us\":9";
	char *msg = malloc(n + 1);
	size_t h = strlen(head);

	ck_assert_ptr_nonnull(msg);
	memcpy(msg, head, h);
	memset(msg + h, ' ', n - h - 1);
	msg[n - 1] = '}';
	if (fragments == 1) {
		ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 1, msg, n) == 0);
	} else {
		size_t half = n / 2;
		ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 0, msg, half) == 0);
		ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, msg + half, n - half) == 0);
	}
	free(msg);
}

START_TEST(test_4096_bytes_ok_4097_closes_1009)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;
	struct wsc_frame f;
	/* one frame, two fragments, a 64-bit-length frame */
	const size_t sizes[] = { 4097, 4097, 70000 };
	const int frags[] = { 1, 2, 1 };

	tu_start(&s, "blocking", NULL);
	c = tu_connect(&s);
	send_echo_of_size(c, 4096, 1);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	send_echo_of_size(c, 4096, 2);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	wsc_close(c, TU_IO_MS);

	for (int i = 0; i < 3; i++) {
		c = tu_connect(&s);
		send_echo_of_size(c, sizes[i], frags[i]);
		ck_assert_int_eq(wsc_recv(c, &f, TU_IO_MS), 1);
		ck_assert_int_eq(f.opcode, WSC_OP_CLOSE);
		ck_assert_int_eq(f.close_code, 1009);
		ck_assert_str_eq((char *)f.data, "message larger than 4096 bytes");
		wsc_free(c);
	}
	/* and the server serves on */
	c = tu_connect(&s);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_invalid_utf8_text_is_answered)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;

	/* lws does not police UTF-8 here; our parser must cope */
	tu_start(&s, "blocking", NULL);
	c = tu_connect(&s);
	tu_send(c, "\xff\xfe{");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ERROR);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("catalogue");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_frame_gets_error_and_connection_lives, 0,
			    (int)(sizeof(bad_frames) / sizeof(bad_frames[0])));
	tcase_add_test(tc, test_fragmented_message_is_one_request);
	tcase_add_test(tc, test_4096_bytes_ok_4097_closes_1009);
	tcase_add_test(tc, test_invalid_utf8_text_is_answered);
	suite_add_tcase(s, tc);
	return s;
}
