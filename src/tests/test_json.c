/*
 * test_json.c: the flat-object writer and its string escaping.
 */
#include "common/json.h"
#include "tests/suites.h"

#include <string.h>

/* Escapes in[0..n) as a whole object {"k":"..."} and returns the text. */
static const char *escaped(const char *in, size_t n)
{
	static char buf[512];
	struct json_writer w;

	json_begin(&w, buf, sizeof(buf));
	json_str(&w, "k", in, n);
	ck_assert_uint_gt(json_end(&w), 0);
	return buf;
}

START_TEST(test_object_of_ints_and_strings)
{
	char buf[128];
	struct json_writer w;

	json_begin(&w, buf, sizeof(buf));
	json_str(&w, "op", "echo", 4);
	json_int(&w, "t_us", -5);
	json_uint(&w, "value", 18446744073709551615ull);
	ck_assert_uint_eq(json_end(&w), strlen(buf));
	ck_assert_str_eq(buf, "{\"op\":\"echo\",\"t_us\":-5,\"value\":18446744073709551615}");
}
END_TEST

START_TEST(test_empty_object)
{
	char buf[8];
	struct json_writer w;

	json_begin(&w, buf, sizeof(buf));
	ck_assert_uint_eq(json_end(&w), 2);
	ck_assert_str_eq(buf, "{}");
}
END_TEST

START_TEST(test_quotes_backslashes_controls)
{
	ck_assert_str_eq(escaped("a\"b\\c", 5), "{\"k\":\"a\\\"b\\\\c\"}");
	ck_assert_str_eq(escaped("\n\t\r\b\f", 5), "{\"k\":\"\\n\\t\\r\\b\\f\"}");
	ck_assert_str_eq(escaped("\x01\x1f", 2), "{\"k\":\"\\u0001\\u001f\"}");
	/* an embedded NUL is data, not the end of the string */
	ck_assert_str_eq(escaped("a\0b", 3), "{\"k\":\"a\\u0000b\"}");
}
END_TEST

START_TEST(test_valid_utf8_is_kept)
{
	/* e-acute (2 bytes), euro sign (3), an emoji (4) */
	const char *s = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";

	ck_assert_str_eq(escaped(s, strlen(s)), "{\"k\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
}
END_TEST

START_TEST(test_invalid_utf8_becomes_replacement)
{
	/* lone continuation byte, truncated sequence, overlong '/', a UTF-16
	 * surrogate, a code point over U+10FFFF, and 0xff */
	ck_assert_str_eq(escaped("\x80", 1), "{\"k\":\"\\ufffd\"}");
	ck_assert_str_eq(escaped("\xe2\x82", 2), "{\"k\":\"\\ufffd\\ufffd\"}");
	ck_assert_str_eq(escaped("\xc0\xaf", 2), "{\"k\":\"\\ufffd\\ufffd\"}");
	ck_assert_str_eq(escaped("\xed\xa0\x80", 3), "{\"k\":\"\\ufffd\\ufffd\\ufffd\"}");
	ck_assert_str_eq(escaped("\xf4\x90\x80\x80", 4),
			 "{\"k\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}");
	ck_assert_str_eq(escaped("a\xffz", 3), "{\"k\":\"a\\ufffdz\"}");
}
END_TEST

START_TEST(test_overflow_reports_zero)
{
	char buf[16];
	struct json_writer w;

	json_begin(&w, buf, sizeof(buf));
	json_str(&w, "key", "a long value that does not fit", 30);
	ck_assert_uint_eq(json_end(&w), 0);
	ck_assert(w.overflow);
	/* even on overflow the buffer stays a terminated string */
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
}
END_TEST

START_TEST(test_worst_case_escape_fits_reply_buffer)
{
	/* 256 bytes that each become \ufffd (6 bytes) must fit 2048 */
	char in[256], buf[2048];
	struct json_writer w;

	memset(in, 0xff, sizeof(in));
	json_begin(&w, buf, sizeof(buf));
	json_str(&w, "id", in, sizeof(in));
	ck_assert_uint_eq(json_end(&w), 2 + 4 + 1 + 2 + 256 * 6);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, test_object_of_ints_and_strings);
	tcase_add_test(tc, test_empty_object);
	tcase_add_test(tc, test_quotes_backslashes_controls);
	tcase_add_test(tc, test_valid_utf8_is_kept);
	tcase_add_test(tc, test_invalid_utf8_becomes_replacement);
	tcase_add_test(tc, test_overflow_reports_zero);
	tcase_add_test(tc, test_worst_case_escape_fits_reply_buffer);
	suite_add_tcase(s, tc);
	return s;
}
