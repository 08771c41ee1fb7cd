/*
 * test_badinput.c: the bad-input catalogue at the level of sendlab/1.
 * Every input below is sent to every server variant, the Python original's
 * too, over a real connection; each gets the exact `error` sentence the
 * protocol names, and the same connection then still answers `echo`. Beside it, ids that
 * must come back as valid JSON. Input that is bad at the WebSocket or
 * HTTP level is in test_badframes.c.
 *
 * docs/reliability.md is the table of all of it; keep the two in step.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <string.h>

/* The rules as the error sentences state them. */
#define EXAMPLE "{\"op\":\"echo\",\"t_us\":1}"
#define OP_RULE "one of \"run\", \"echo\", \"stats\""
#define ITEMS_RULE "an integer from 1 to 1000"
#define WORK_RULE "an integer from 0 to 10000"
#define US_RULE "an integer from 0 to 9007199254740991"
#define ID_RULE "a string of at most 64 characters"
#define NOT_OBJECT "the message must be a JSON object like " EXAMPLE ", not "
#define RUN(fields) "{\"op\":\"run\"," fields "}"
/* 64 two-byte characters (e acute) */
#define E8 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E64 E8 E8 E8 E8 E8 E8 E8 E8
/* 64 emoji, as JSON.stringify escapes them and as UTF-8 */
#define P8 "\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"
#define P64 P8 P8 P8 P8 P8 P8 P8 P8
#define W8 "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
#define W64 W8 W8 W8 W8 W8 W8 W8 W8

static const struct bad_input {
	const char *name;
	int opcode;
	const char *payload;	/* NUL-terminated: no input here needs a NUL */
	const char *error;	/* the whole sentence, exactly */
} catalogue[] = {
	/* not JSON, or not one JSON object */
	{ "not JSON", WSC_OP_TEXT, "hello",
	  "not valid JSON: send one JSON object per text frame, like " EXAMPLE },
	{ "truncated JSON", WSC_OP_TEXT, "{\"op\":\"echo\"",
	  "not valid JSON: the message ended before the object was closed" },
	{ "trailing comma", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1,}",
	  "not valid JSON at byte 22: Expected '\"'" },
	{ "single quotes", WSC_OP_TEXT, "{'op':'echo'}",
	  "not valid JSON at byte 1: Expected '\"'" },
	{ "missing comma", WSC_OP_TEXT, "{\"op\":\"echo\" \"t_us\":1}",
	  "not valid JSON at byte 13: Comma or block end expected" },
	{ "raw control character", WSC_OP_TEXT, "{\"op\":\"echo\x01\",\"t_us\":1}",
	  "not valid JSON at byte 11: Illegal unescaped control char" },
	{ "a '#' comment (LEJP would skip it)", WSC_OP_TEXT, "{\"op\":\"echo\",#x\n\"t_us\":1}",
	  "not valid JSON at byte 13: JSON has no comments, and '#' may appear only inside a string" },
	{ "invalid UTF-8 text", WSC_OP_TEXT, "\xff\xfe{",
	  "not valid JSON: send one JSON object per text frame, like " EXAMPLE },
	{ "invalid UTF-8 in op", WSC_OP_TEXT, "{\"op\":\"ec\xffho\",\"t_us\":1}",
	  "unknown op: \"op\" must be " OP_RULE },
	{ "empty text", WSC_OP_TEXT, "",
	  "empty message: send one JSON object per text frame, like " EXAMPLE },
	{ "only spaces", WSC_OP_TEXT, "   ",
	  "empty message: send one JSON object per text frame, like " EXAMPLE },
	{ "JSON array", WSC_OP_TEXT, "[1,2,3]", NOT_OBJECT "an array" },
	{ "JSON string", WSC_OP_TEXT, "\"echo\"", NOT_OBJECT "a string" },
	{ "JSON number", WSC_OP_TEXT, "17", NOT_OBJECT "an integer" },
	{ "JSON true", WSC_OP_TEXT, "true", NOT_OBJECT "a boolean" },
	{ "JSON null", WSC_OP_TEXT, "null", NOT_OBJECT "null" },
	{ "deep nesting", WSC_OP_TEXT,
	  "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	  "JSON nested too deeply at byte 10: sendlab/1 requests are flat objects" },
	{ "two objects", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1}{\"op\":\"echo\",\"t_us\":1}",
	  "unexpected data at byte 22 after the JSON object: send one object per frame" },
	{ "number of 24 digits", WSC_OP_TEXT, RUN("\"items\":123456789012345678901234,\"work_ms\":1"),
	  "the number at byte 20 has more than 20 characters: no field of sendlab/1 needs that many" },
	{ "duplicate field", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1,\"t_us\":2}",
	  "field \"t_us\" appears more than once" },
	{ "binary frame", WSC_OP_BINARY, "{\"op\":\"echo\",\"t_us\":1}",
	  "binary frames are not part of sendlab/1: send each JSON object as a text frame" },

	/* op */
	{ "op missing (empty object)", WSC_OP_TEXT, "{}", "missing field \"op\": it must be " OP_RULE },
	{ "op missing", WSC_OP_TEXT, "{\"items\":1,\"work_ms\":1}",
	  "missing field \"op\": it must be " OP_RULE },
	{ "op unknown", WSC_OP_TEXT, "{\"op\":\"launch\"}", "unknown op: \"op\" must be " OP_RULE },
	{ "op in capitals", WSC_OP_TEXT, "{\"op\":\"RUN\"}", "unknown op: \"op\" must be " OP_RULE },
	{ "op a number", WSC_OP_TEXT, "{\"op\":7}", "field \"op\" must be " OP_RULE ", not an integer" },
	{ "op null", WSC_OP_TEXT, "{\"op\":null}", "field \"op\" must be " OP_RULE ", not null" },

	/* run: items */
	{ "items missing", WSC_OP_TEXT, RUN("\"work_ms\":1"),
	  "missing field \"items\": it must be " ITEMS_RULE },
	{ "items zero", WSC_OP_TEXT, RUN("\"items\":0,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", got 0" },
	{ "items negative", WSC_OP_TEXT, RUN("\"items\":-1,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", got -1" },
	{ "items too many", WSC_OP_TEXT, RUN("\"items\":1001,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", got 1001" },
	{ "items beyond 64 bits", WSC_OP_TEXT, RUN("\"items\":99999999999999999999,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE "; got a number too large to represent" },
	{ "items float", WSC_OP_TEXT, RUN("\"items\":2.5,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not a number with a fraction or exponent" },
	{ "items exponent", WSC_OP_TEXT, RUN("\"items\":1e3,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not a number with a fraction or exponent" },
	{ "items string", WSC_OP_TEXT, RUN("\"items\":\"2\",\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not a string" },
	{ "items boolean", WSC_OP_TEXT, RUN("\"items\":true,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not a boolean" },
	{ "items null", WSC_OP_TEXT, RUN("\"items\":null,\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not null" },
	{ "items object", WSC_OP_TEXT, RUN("\"items\":{},\"work_ms\":1"),
	  "field \"items\" must be " ITEMS_RULE ", not an object" },

	/* run: work_ms (0 is allowed) */
	{ "work_ms missing", WSC_OP_TEXT, RUN("\"items\":1"),
	  "missing field \"work_ms\": it must be " WORK_RULE },
	{ "work_ms negative", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":-5"),
	  "field \"work_ms\" must be " WORK_RULE ", got -5" },
	{ "work_ms too large", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":10001"),
	  "field \"work_ms\" must be " WORK_RULE ", got 10001" },
	{ "work_ms float", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1.5"),
	  "field \"work_ms\" must be " WORK_RULE ", not a number with a fraction or exponent" },
	{ "work_ms string", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":\"1\""),
	  "field \"work_ms\" must be " WORK_RULE ", not a string" },
	{ "work_ms boolean", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":false"),
	  "field \"work_ms\" must be " WORK_RULE ", not a boolean" },
	{ "work_ms null", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":null"),
	  "field \"work_ms\" must be " WORK_RULE ", not null" },
	{ "work_ms array", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":[]"),
	  "field \"work_ms\" must be " WORK_RULE ", not an array" },
	{ "items * work_ms over 60000", WSC_OP_TEXT, RUN("\"items\":100,\"work_ms\":601"),
	  "items * work_ms must be at most 60000 ms, got 100 * 601 = 60100" },
	{ "items * work_ms at the largest", WSC_OP_TEXT, RUN("\"items\":1000,\"work_ms\":10000"),
	  "items * work_ms must be at most 60000 ms, got 1000 * 10000 = 10000000" },

	/* run: id */
	{ "id of 65 characters", WSC_OP_TEXT,
	  RUN("\"items\":1,\"work_ms\":1,\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""),
	  "field \"id\" must be " ID_RULE "; got 65 characters" },
	{ "id of 65 two-byte characters", WSC_OP_TEXT,
	  RUN("\"items\":1,\"work_ms\":1,\"id\":\"" E64 "\xc3\xa9\""),
	  "field \"id\" must be " ID_RULE "; got 65 characters" },
	{ "id of 65 escaped emoji", WSC_OP_TEXT,
	  RUN("\"items\":1,\"work_ms\":1,\"id\":\"" P64 "\\ud83d\\ude00\""),
	  "field \"id\" must be " ID_RULE "; got 65 characters" },
	{ "id a lone surrogate", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1,\"id\":\"\\ud800\""),
	  "field \"id\" must be valid Unicode; character 1 is a lone UTF-16 surrogate, \\ud800" },
	{ "id a surrogate pair reversed", WSC_OP_TEXT,
	  RUN("\"items\":1,\"work_ms\":1,\"id\":\"ab\\ude00\\ud83d\""),
	  "field \"id\" must be valid Unicode; character 3 is a lone UTF-16 surrogate, \\ude00" },
	{ "id a surrogate's raw bytes", WSC_OP_TEXT,
	  RUN("\"items\":1,\"work_ms\":1,\"id\":\"x\xed\xb0\x80\""),
	  "field \"id\" must be valid Unicode; character 2 is a lone UTF-16 surrogate, \\udc00" },
	{ "id a number", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1,\"id\":5"),
	  "field \"id\" must be " ID_RULE ", not an integer" },
	{ "id a boolean", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1,\"id\":true"),
	  "field \"id\" must be " ID_RULE ", not a boolean" },
	{ "id null", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1,\"id\":null"),
	  "field \"id\" must be " ID_RULE ", not null" },
	{ "id an array", WSC_OP_TEXT, RUN("\"items\":1,\"work_ms\":1,\"id\":[]"),
	  "field \"id\" must be " ID_RULE ", not an array" },

	/* echo and stats */
	{ "echo t_us missing", WSC_OP_TEXT, "{\"op\":\"echo\"}",
	  "missing field \"t_us\": it must be " US_RULE },
	{ "echo t_us negative", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":-1}",
	  "field \"t_us\" must be " US_RULE ", got -1" },
	{ "echo t_us past 2^53", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":9007199254740992}",
	  "field \"t_us\" must be " US_RULE ", got 9007199254740992" },
	{ "echo t_us float", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":1.5}",
	  "field \"t_us\" must be " US_RULE ", not a number with a fraction or exponent" },
	{ "echo t_us string", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":\"1\"}",
	  "field \"t_us\" must be " US_RULE ", not a string" },
	{ "echo t_us boolean", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":true}",
	  "field \"t_us\" must be " US_RULE ", not a boolean" },
	{ "echo t_us null", WSC_OP_TEXT, "{\"op\":\"echo\",\"t_us\":null}",
	  "field \"t_us\" must be " US_RULE ", not null" },
	{ "stats since_us negative", WSC_OP_TEXT, "{\"op\":\"stats\",\"since_us\":-1}",
	  "field \"since_us\" must be " US_RULE ", got -1" },
	{ "stats since_us float", WSC_OP_TEXT, "{\"op\":\"stats\",\"since_us\":1.5}",
	  "field \"since_us\" must be " US_RULE ", not a number with a fraction or exponent" },
	{ "stats since_us string", WSC_OP_TEXT, "{\"op\":\"stats\",\"since_us\":\"0\"}",
	  "field \"since_us\" must be " US_RULE ", not a string" },
	{ "stats since_us null", WSC_OP_TEXT, "{\"op\":\"stats\",\"since_us\":null}",
	  "field \"since_us\" must be " US_RULE ", not null" },
};
#define CATALOGUE_SIZE ((int)(sizeof(catalogue) / sizeof(catalogue[0])))

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2
			      : c >= 0xf0 && c < 0xf5 ? 3 : 99;
		unsigned long cp = need == 0 ? c : need == 1 ? c & 0x1f : need == 2 ? c & 0x0f : c & 0x07;

		if (need == 99 || i + need >= len)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += need + 1;
	}
	return true;
}

/* The C variants, then the Python original's: the tests' loop index. */
static const char *variant_at(int i)
{
	return i < TU_NVARIANTS ? tu_variants[i] : tu_py_variants[i - TU_NVARIANTS];
}
#define ALL_VARIANTS (TU_NVARIANTS + TU_NPY_VARIANTS)

/* websockets (python3-websockets 10.4, legacy/protocol.py read_message)
 * decodes every text frame as strict UTF-8 and fails the connection with
 * 1007 when it is not, as RFC 6455 section 8.1 requires; libwebsockets
 * 4.1.6 passes the bytes on, and the C servers echo U+FFFD. */
static bool closes_on_bad_utf8(const char *variant, const char *text)
{
	return tu_is_python(variant) && !valid_utf8((const unsigned char *)text, strlen(text));
}

/* Every catalogue input, each on a connection of its own, to one server. */
START_TEST(test_catalogue_gets_exact_errors_and_connection_lives)
{
	const char *v = variant_at(_i);
	struct spawned s;

	tu_start(&s, v, NULL);
	for (int k = 0; k < CATALOGUE_SIZE; k++) {
		const struct bad_input *b = &catalogue[k];
		struct wsc *c = tu_connect(&s);

		ck_assert(wsc_send_frame(c, b->opcode, 1, b->payload, strlen(b->payload)) == 0);
		if (b->opcode == WSC_OP_TEXT && closes_on_bad_utf8(v, b->payload)) {
			tu_assert_closed_with(c, b->name, 1007, NULL);
			wsc_close(c, TU_IO_MS);
			continue;
		}
		tu_assert_error_reply(c, v, b->name, b->error);
		tu_assert_echo(c);
		wsc_close(c, TU_IO_MS);
	}
	tu_stop_clean(&s);
}
END_TEST

/*
 * Decodes the JSON string value of "id" in a reply frame into UTF-8 bytes.
 * Independent of the server's and the harness's JSON code on purpose: it
 * understands exactly RFC 8259's escapes. Returns the length, or -1 if the
 * frame has no id or the string is malformed (a raw control byte, a bad
 * escape, an unpaired surrogate).
 */
static int decode_id(const char *frame, char *out, size_t cap)
{
	const char *p = strstr(frame, "\"id\":\"");
	size_t n = 0;

	if (!p)
		return -1;
	for (p += 6; *p != '"'; p++) {
		unsigned long cp;

		if ((unsigned char)*p < 0x20 || n + 4 > cap)
			return -1;
		if (*p != '\\') {
			out[n++] = *p;
			continue;
		}
		switch (*++p) {
		case '"': case '\\': case '/': out[n++] = *p; continue;
		case 'b': out[n++] = '\b'; continue;
		case 'f': out[n++] = '\f'; continue;
		case 'n': out[n++] = '\n'; continue;
		case 'r': out[n++] = '\r'; continue;
		case 't': out[n++] = '\t'; continue;
		case 'u': break;
		default: return -1;
		}
		if (sscanf(p + 1, "%4lx", &cp) != 1 || strspn(p + 1, "0123456789abcdefABCDEF") < 4)
			return -1;
		p += 4;
		if (cp >= 0xd800 && cp < 0xdc00) {	/* a pair, or an error */
			unsigned long lo;

			if (strncmp(p + 1, "\\u", 2) || sscanf(p + 3, "%4lx", &lo) != 1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			return -1;
		}
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xc0 | cp >> 6);
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[n++] = (char)(0xe0 | cp >> 12);
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[n++] = (char)(0xf0 | cp >> 18);
			out[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return (int)n;
}

/* ids that are valid requests but hostile to a careless JSON writer: each
 * must come back in the result as valid JSON that decodes to `want` (the id
 * as sent, with each byte of invalid UTF-8 replaced by U+FFFD). */
static const struct odd_id {
	const char *name;
	const char *json;	/* as it appears in the request */
	const char *want;	/* the decoded id the result must carry */
} odd_ids[] = {
	{ "quotes", "\"say \\\"hi\\\"\"", "say \"hi\"" },
	{ "backslashes", "\"C:\\\\lab\\\\\"", "C:\\lab\\" },
	{ "control characters", "\"a\\u0001b\\nc\\td\\u001f\\u007f\"", "a\001b\nc\td\037\177" },
	{ "invalid UTF-8 bytes", "\"x\xff\xc3(\xc0\xafy\"",
	  "x\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbdy" },
	{ "escaped surrogate pair", "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
	{ "HTML", "\"</script><b>\"", "</script><b>" },
	{ "64 two-byte characters", "\"" E64 "\"", E64 },
	{ "64 escaped emoji", "\"" P64 "\"", W64 },
	{ "empty", "\"\"", "" },
};

START_TEST(test_odd_ids_come_back_as_valid_json)
{
	const char *v = variant_at(_i);
	struct spawned s;
	struct wsc *c;
	char req[1024], id[512], why[200];

	tu_start(&s, v, NULL);
	c = tu_connect(&s);
	for (size_t k = 0; k < sizeof(odd_ids) / sizeof(odd_ids[0]); k++) {
		const struct odd_id *o = &odd_ids[k];
		struct wsc_frame f;
		struct reply r;

		snprintf(req, sizeof(req), RUN("\"items\":1,\"work_ms\":0,\"id\":%s"), o->json);
		if (closes_on_bad_utf8(v, req)) {	/* on a connection of its own */
			struct wsc *c2 = tu_connect(&s);

			tu_send(c2, req);
			tu_assert_closed_with(c2, o->name, 1007, NULL);
			wsc_close(c2, TU_IO_MS);
			continue;
		}
		tu_send(c, req);
		ck_assert_int_eq(wsc_recv(c, &f, TU_IO_MS), 1);
		ck_assert_int_eq(f.opcode, WSC_OP_TEXT);
		/* the whole frame is UTF-8 and JSON the harness accepts */
		ck_assert_msg(valid_utf8(f.data, f.len), "%s, id %s: reply is not UTF-8: %s", v,
			      o->name, (char *)f.data);
		ck_assert_msg(reply_parse((char *)f.data, f.len, &r, why, sizeof(why)),
			      "%s, id %s: %s: %s", v, o->name, why, (char *)f.data);
		ck_assert_msg(r.op == REPLY_RESULT, "%s, id %s: %s", v, o->name, (char *)f.data);
		int n = decode_id((char *)f.data, id, sizeof(id));

		ck_assert_msg(n == (int)strlen(o->want) && !memcmp(id, o->want, (size_t)n),
			      "%s, id %s: came back as %s", v, o->name, (char *)f.data);
	}
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("catalogue");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_catalogue_gets_exact_errors_and_connection_lives, 0,
			    ALL_VARIANTS);
	tcase_add_loop_test(tc, test_odd_ids_come_back_as_valid_json, 0, ALL_VARIANTS);
	suite_add_tcase(s, tc);
	return s;
}
