/*
 * test_probeopt.c: build/wsprobe's command line refuses every malformed
 * option with a sentence naming the problem, and fills in the defaults
 * (src/probe/probeopt.c; the --url parser is test_probeurl.c's).
 */
#include "probe/probeopt.h"
#include "tests/suites.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a NULL-terminated list of words after "wsprobe". */
static bool parse_words(struct probeopt *o, char *err, size_t cap,
			const char *const *words)
{
	char *argv[64] = { "wsprobe" };
	int argc = 1;

	while (words[argc - 1]) {
		ck_assert_int_lt(argc, 64);
		argv[argc] = (char *)words[argc - 1], argc++;
	}
	return probeopt_parse(argc, argv, o, err, cap);
}

/* A command line probeopt_parse must refuse, and a part of its sentence. */
struct refused_line {
	const char *words[8];
	const char *says;
};

static void assert_lines_refused(const struct refused_line *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct probeopt o;
		char err[256] = "";

		ck_assert_msg(!parse_words(&o, err, sizeof(err), rows[i].words),
			      "row %zu accepted", i);
		ck_assert_msg(strstr(err, rows[i].says), "row %zu: '%s' does not say '%s'",
			      i, err, rows[i].says);
	}
}


#define PARSE(...) \
	parse_words(&o, err, sizeof(err), (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_options_defaults)
{
	struct probeopt o;
	char err[256] = "";

	ck_assert_msg(PARSE("--url", "ws://127.0.0.1:8080/"), "%s", err);
	ck_assert_int_eq(o.ping_ms, 10);
	ck_assert_int_eq(o.duration_s, 10);
	ck_assert_int_eq(o.stall_ms, 100);
	ck_assert_int_eq(o.burst_silence_ms, 100);
	ck_assert_int_eq(o.every_ms, 0);
	ck_assert_int_eq(o.n_headers, 0);
	ck_assert_ptr_null(o.send);
	ck_assert_ptr_null(o.send_file);
	ck_assert_ptr_null(o.subprotocol);
	ck_assert_ptr_null(o.ca_file);
	ck_assert_ptr_null(o.csv);
	ck_assert(!o.insecure && !o.quiet && !o.print && !o.help);
	ck_assert_int_eq(o.connect_timeout_s, 10);
	ck_assert_str_eq(o.url.host, "127.0.0.1");
	ck_assert_int_eq(o.url.port, 8080);
}
END_TEST

START_TEST(test_options_every_option_in_both_forms)
{
	struct probeopt o;
	char err[256] = "";

	ck_assert_msg(PARSE("--url=wss://h:9/p", "--ping-ms=50", "--duration-s", "20",
			    "--stall-ms=7", "--burst-silence-ms", "9", "--send=go",
			    "--every-ms", "500", "--subprotocol=sendlab", "--header",
			    "X-A: 1", "--header=X-B:2", "--ca-file=/tmp/ca.pem",
			    "--csv", "/tmp/p.csv", "--quiet", "--print",
			    "--connect-timeout-s=3"), "%s", err);
	ck_assert(o.url.tls);
	ck_assert_str_eq(o.url.path, "/p");
	ck_assert_int_eq(o.ping_ms, 50);
	ck_assert_int_eq(o.duration_s, 20);
	ck_assert_int_eq(o.stall_ms, 7);
	ck_assert_int_eq(o.burst_silence_ms, 9);
	ck_assert_str_eq(o.send, "go");
	ck_assert_int_eq(o.every_ms, 500);
	ck_assert_str_eq(o.subprotocol, "sendlab");
	ck_assert_int_eq(o.n_headers, 2);
	ck_assert_str_eq(o.headers[0], "X-A: 1");
	ck_assert_str_eq(o.headers[1], "X-B:2");
	ck_assert_str_eq(o.ca_file, "/tmp/ca.pem");
	ck_assert_str_eq(o.csv, "/tmp/p.csv");
	ck_assert(o.quiet && o.print && !o.insecure);
	ck_assert_int_eq(o.connect_timeout_s, 3);

	/* a value may itself hold '=' and may be empty */
	ck_assert_msg(PARSE("--url", "ws://h/", "--send=a=b", "--csv="), "%s", err);
	ck_assert_str_eq(o.send, "a=b");
	ck_assert_str_eq(o.csv, "");
	ck_assert_msg(PARSE("--url", "wss://h/", "--insecure", "--send-file", "/tmp/job",
			    "--every-ms", "1"), "%s", err);
	ck_assert(o.insecure);
	ck_assert_str_eq(o.send_file, "/tmp/job");
	ck_assert_ptr_null(o.send);
}
END_TEST

START_TEST(test_options_integer_range_edges)
{
	static const struct {
		const char *name;
		size_t offset;
		long min, max;
	} rows[] = {
		{ "--ping-ms", offsetof(struct probeopt, ping_ms), 1, 10000 },
		{ "--duration-s", offsetof(struct probeopt, duration_s), 1, 86400 },
		{ "--stall-ms", offsetof(struct probeopt, stall_ms), 1, 60000 },
		{ "--burst-silence-ms", offsetof(struct probeopt, burst_silence_ms), 1, 60000 },
		{ "--every-ms", offsetof(struct probeopt, every_ms), 0, 3600000 },
		{ "--connect-timeout-s", offsetof(struct probeopt, connect_timeout_s), 1, 600 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long v[4] = { rows[i].min - 1, rows[i].min, rows[i].max, rows[i].max + 1 };

		for (int k = 0; k < 4; k++) {
			struct probeopt o;
			char err[256] = "", val[32];
			bool in = k == 1 || k == 2;

			snprintf(val, sizeof(val), "%ld", v[k]);
			/* --ping-ms 1000 keeps 86400 s under the pings cap and
			 * --send lets --every-ms be given; the option under test
			 * comes last, so it wins over the same one in front */
			bool ok = PARSE("--url", "ws://h/", "--send", "x", "--ping-ms", "1000",
					rows[i].name, val);

			ck_assert_msg(ok == in, "%s %s: %s", rows[i].name, val,
				      ok ? "accepted" : err);
			if (ok)
				ck_assert_int_eq(*(int *)((char *)&o + rows[i].offset), v[k]);
			else
				ck_assert_msg(strstr(err, rows[i].name) && strstr(err, val),
					      "%s %s: '%s'", rows[i].name, val, err);
		}
	}
}
END_TEST

START_TEST(test_options_integers_are_whole_numbers)
{
	static const char *const bad[] = { "10x", "", "1.5", "0x10", "ten",
					   "99999999999999999999" };
	struct probeopt o;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!PARSE("--url", "ws://h/", "--ping-ms", bad[i]),
			      "--ping-ms '%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "--ping-ms must be an integer"));
	}
}
END_TEST

START_TEST(test_options_combinations_refused)
{
	static const struct refused_line rows[] = {
		{ { "--ping-ms", "5" }, "--url is required" },
		{ { "--url", "ws://h/", "--send", "a", "--send-file", "/tmp/f" },
		  "not both" },
		{ { "--url", "ws://h/", "--every-ms", "100" }, "--every-ms repeats" },
		{ { "--url", "ws://h/", "--insecure" }, "--insecure is for wss://" },
		/* the check is made after every option: the order does not matter */
		{ { "--insecure", "--url", "ws://h/" }, "--insecure is for wss://" },
		{ { "--url", "ws://h/", "--ca-file", "/tmp/ca" }, "--ca-file is for wss://" },
		{ { "--url", "wss://h/", "--insecure", "--ca-file", "/tmp/ca" },
		  "--insecure or --ca-file, not both" },
	};

	assert_lines_refused(rows, sizeof(rows) / sizeof(rows[0]));
}
END_TEST

START_TEST(test_options_every_ms_zero_needs_no_send)
{
	/* 0 is "once", the default: nothing to repeat, nothing to refuse */
	struct probeopt o;
	char err[256] = "";

	ck_assert_msg(PARSE("--url", "ws://h/", "--every-ms", "0"), "%s", err);
	ck_assert_int_eq(o.every_ms, 0);
}
END_TEST

START_TEST(test_options_header_checks)
{
	static const struct {
		const char *header;
		const char *says;	/* NULL: accepted */
	} rows[] = {
		{ "X-Token: abc", NULL },
		{ "X-Empty:", NULL },
		{ "X-Tab: a\tb", NULL },	/* a tab is allowed in a value */
		{ "Authorization: Bearer x", NULL },
		{ "NoColon", "must be 'Name: value'" },
		{ ": value", "must be 'Name: value'" },
		{ "Bad Name: v", "has a ' '" },
		{ "Bad(Name): v", "has a '('" },
		{ "X-A: a\r\nX-B: b", "control character" },
		{ "X-A: a\nb", "control character" },
		{ "Host: x", "cannot set Host" },
		/* header names are case-insensitive: so is the refusal */
		{ "hOsT: x", "cannot set hOsT" },
		{ "Upgrade: h2c", "cannot set Upgrade" },
		{ "Sec-WebSocket-Protocol: x", "--subprotocol" },
		{ "Content-Length: 0", "cannot set" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probeopt o;
		char err[256] = "";
		bool ok = PARSE("--url", "ws://h/", "--header", rows[i].header);

		if (!rows[i].says) {
			ck_assert_msg(ok, "'%s': %s", rows[i].header, err);
			ck_assert_str_eq(o.headers[0], rows[i].header);
		} else {
			ck_assert_msg(!ok, "'%s' accepted", rows[i].header);
			ck_assert_msg(strstr(err, "--header") && strstr(err, rows[i].says),
				      "'%s': '%s' does not say '%s'", rows[i].header, err,
				      rows[i].says);
		}
	}
}
END_TEST

START_TEST(test_options_at_most_16_headers)
{
	const char *words[2 + 2 * (PROBEOPT_HEADERS_MAX + 1) + 1] = { "--url", "ws://h/" };
	char names[PROBEOPT_HEADERS_MAX + 1][24];
	struct probeopt o;
	char err[256] = "";
	int n = 2;

	for (int i = 0; i < PROBEOPT_HEADERS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "X-%d: v", i);
		words[n++] = "--header";
		words[n++] = names[i];
	}
	words[n] = NULL;
	ck_assert_msg(parse_words(&o, err, sizeof(err), words), "%s", err);
	ck_assert_int_eq(o.n_headers, PROBEOPT_HEADERS_MAX);
	ck_assert_str_eq(o.headers[PROBEOPT_HEADERS_MAX - 1], "X-15: v");
	words[n++] = "--header";
	words[n++] = "X-16: v";
	words[n] = NULL;
	ck_assert(!parse_words(&o, err, sizeof(err), words));
	ck_assert_ptr_nonnull(strstr(err, "at most 16 --header"));
}
END_TEST

START_TEST(test_options_long_header_and_send_refused)
{
	/* --header of PROBEOPT_HEADER_LEN_MAX characters fits, one more does
	 * not; --send of PROBEOPT_SEND_MAX bytes fits, one more does not */
	char *h = malloc(PROBEOPT_HEADER_LEN_MAX + 2);
	char *s = malloc(PROBEOPT_SEND_MAX + 2);
	struct probeopt o;
	char err[256] = "";

	ck_assert(h && s);
	memcpy(h, "X-Long: ", 8);
	memset(h + 8, 'v', PROBEOPT_HEADER_LEN_MAX - 8);
	h[PROBEOPT_HEADER_LEN_MAX] = '\0';
	ck_assert_msg(PARSE("--url", "ws://h/", "--header", h), "%s", err);
	strcpy(h + PROBEOPT_HEADER_LEN_MAX, "v");
	ck_assert(!PARSE("--url", "ws://h/", "--header", h));
	ck_assert_ptr_nonnull(strstr(err, "--header is over 1024"));

	memset(s, 'x', PROBEOPT_SEND_MAX);
	s[PROBEOPT_SEND_MAX] = '\0';
	ck_assert_msg(PARSE("--url", "ws://h/", "--send", s), "%s", err);
	strcpy(s + PROBEOPT_SEND_MAX, "x");
	ck_assert(!PARSE("--url", "ws://h/", "--send", s));
	ck_assert_ptr_nonnull(strstr(err, "--send is over"));
	free(h);
	free(s);
}
END_TEST

START_TEST(test_options_subprotocol_is_one_token)
{
	static const struct {
		const char *v;
		bool ok;
	} rows[] = {
		{ "sendlab", true }, { "chat.v2", true }, { "a-b_c~d", true },
		{ "two words", false }, { "a,b", false }, { "x/y", false },
		{ "", false }, { "semi;colon", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probeopt o;
		char err[256] = "";
		bool ok = PARSE("--url", "ws://h/", "--subprotocol", rows[i].v);

		ck_assert_msg(ok == rows[i].ok, "'%s': %s", rows[i].v, ok ? "accepted" : err);
		if (!ok)
			ck_assert_ptr_nonnull(strstr(err, "--subprotocol"));
	}
}
END_TEST

START_TEST(test_options_pings_cap)
{
	/* every ping is kept: duration_s * 1000 / ping_ms may not pass
	 * PROBEOPT_PINGS_MAX, and exactly that many is fine */
	struct probeopt o;
	char err[256] = "";

	ck_assert(!PARSE("--url", "ws://h/", "--duration-s", "86400", "--ping-ms", "1"));
	ck_assert_ptr_nonnull(strstr(err, "over 2000000 pings"));
	ck_assert_msg(PARSE("--url", "ws://h/", "--duration-s", "2000", "--ping-ms", "1"),
		      "%s", err);
	ck_assert(!PARSE("--url", "ws://h/", "--duration-s", "2001", "--ping-ms", "1"));
	/* the longest run: 86400 s needs pings at least 44 ms apart */
	ck_assert_msg(PARSE("--url", "ws://h/", "--duration-s", "86400", "--ping-ms", "44"),
		      "%s", err);
	ck_assert(!PARSE("--url", "ws://h/", "--duration-s", "86400", "--ping-ms", "43"));
}
END_TEST

START_TEST(test_options_missing_value_and_unknown)
{
	static const struct refused_line rows[] = {
		{ { "--url" }, "--url needs a value" },
		{ { "--url", "ws://h/", "--ping-ms" }, "--ping-ms needs a value" },
		{ { "--url", "ws://h/", "--header" }, "--header needs a value" },
		{ { "--url", "ws://h/", "--every-ms" }, "--every-ms needs a value" },
		{ { "--url", "ws://h/", "--bogus", "1" }, "unknown option '--bogus'" },
		{ { "--url", "ws://h/", "--bogus=1" }, "unknown option '--bogus'" },
		{ { "--url", "ws://h/", "--bogus" }, "unknown option '--bogus'" },
		/* a flag given a value is not that flag */
		{ { "--url", "ws://h/", "--quiet=1" }, "unknown option '--quiet'" },
		{ { "--url", "ws://h/", "stray" }, "unexpected argument 'stray'" },
		{ { "--url", "ws://h/", "--a-very-long-option-name-past-32=1" },
		  "unknown option" },
		/* the URL's own sentence comes through */
		{ { "--url", "http://h/" }, "ws:// or wss://" },
	};

	assert_lines_refused(rows, sizeof(rows) / sizeof(rows[0]));
}
END_TEST

START_TEST(test_options_help_needs_no_url)
{
	struct probeopt o;
	char err[256] = "";

	ck_assert(PARSE("--help"));
	ck_assert(o.help);
	ck_assert(PARSE("-h"));
	ck_assert(o.help);
	/* --help stops the parse: what follows is not checked */
	ck_assert(PARSE("--url", "ws://h/", "--help", "--bogus"));
	ck_assert(o.help);
	ck_assert(PARSE("--url", "ws://h/"));
	ck_assert(!o.help);
}
END_TEST

Suite *probeopt_suite(void)
{
	Suite *s = suite_create("probeopt");
	TCase *options = tcase_create("options");

	tcase_add_test(options, test_options_defaults);
	tcase_add_test(options, test_options_every_option_in_both_forms);
	tcase_add_test(options, test_options_integer_range_edges);
	tcase_add_test(options, test_options_integers_are_whole_numbers);
	tcase_add_test(options, test_options_combinations_refused);
	tcase_add_test(options, test_options_every_ms_zero_needs_no_send);
	tcase_add_test(options, test_options_header_checks);
	tcase_add_test(options, test_options_at_most_16_headers);
	tcase_add_test(options, test_options_long_header_and_send_refused);
	tcase_add_test(options, test_options_subprotocol_is_one_token);
	tcase_add_test(options, test_options_pings_cap);
	tcase_add_test(options, test_options_missing_value_and_unknown);
	tcase_add_test(options, test_options_help_needs_no_url);
	suite_add_tcase(s, options);
	return s;
}
