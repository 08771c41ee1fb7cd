/*
 * test_probe.c: wsprobe's pure parts and lab 09's classification of what
 * it records: the --url and command-line parsers refuse every malformed
 * input with a sentence naming the problem; a probelog keeps its caps,
 * writes its CSV in time order and reads back exactly that (and nothing
 * damaged, naming the line); the summary's stalls and bursts follow their
 * definitions to the microsecond; classify_job names hand-built logs shaped
 * like what each variant measured; and the table of hidden cases is a
 * complete, scrambled 5 x 3 with words that round-trip.
 */
#include "mystery/cases.h"
#include "mystery/classify.h"
#include "probe/probelog.h"
#include "probe/probeopt.h"
#include "probe/probestat.h"
#include "tests/csvtext.h"
#include "tests/suites.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000	/* microseconds */

/* ------------------------------------------------------------------ url */

START_TEST(test_url_accepts_and_fills_defaults)
{
	static const struct {
		const char *in;
		bool tls;
		const char *host;
		bool ipv6;
		int port;
		const char *path;
	} rows[] = {
		{ "ws://example.com", false, "example.com", false, 80, "/" },
		{ "wss://example.com", true, "example.com", false, 443, "/" },
		{ "ws://example.com/", false, "example.com", false, 80, "/" },
		{ "ws://h:1/a?b=c", false, "h", false, 1, "/a?b=c" },
		{ "ws://127.0.0.1:65535/x/y", false, "127.0.0.1", false, 65535, "/x/y" },
		{ "wss://h:8443", true, "h", false, 8443, "/" },
		/* a query without a path is asked for at "/" */
		{ "ws://h?q", false, "h", false, 80, "/?q" },
		{ "ws://h:9?q=1&r=2", false, "h", false, 9, "/?q=1&r=2" },
		{ "ws://[::1]:8080", false, "::1", true, 8080, "/" },
		{ "wss://[fe80::1]/p", true, "fe80::1", true, 443, "/p" },
		{ "ws://a-b_c.d/p", false, "a-b_c.d", false, 80, "/p" },
		/* an '@' in the path is no user name */
		{ "ws://h/a@b", false, "h", false, 80, "/a@b" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probe_url u;
		char err[256] = "";

		ck_assert_msg(probeopt_parse_url(rows[i].in, &u, err, sizeof(err)),
			      "%s: %s", rows[i].in, err);
		ck_assert_msg(u.tls == rows[i].tls, "%s: tls", rows[i].in);
		ck_assert_msg(!strcmp(u.host, rows[i].host), "%s: host '%s'", rows[i].in, u.host);
		ck_assert_msg(u.ipv6 == rows[i].ipv6, "%s: ipv6", rows[i].in);
		ck_assert_msg(u.port == rows[i].port, "%s: port %d", rows[i].in, u.port);
		ck_assert_msg(!strcmp(u.path, rows[i].path), "%s: path '%s'", rows[i].in,
			      u.path);
	}
}
END_TEST

START_TEST(test_url_refusals_name_the_problem)
{
	static const struct {
		const char *in;
		const char *says;	/* a part of the sentence */
	} rows[] = {
		{ "example.com:80/", "ws:// or wss://" },
		{ "http://example.com/", "ws:// or wss://" },
		{ "WS://example.com/", "ws:// or wss://" },
		{ "", "ws:// or wss://" },
		{ "ws://", "no host" },
		{ "ws:///path", "no host" },
		{ "ws://:80/", "no host" },
		{ "ws://[]:80/", "not an IPv6 address" },
		{ "ws://h:0/", "port" },
		{ "ws://h:65536/", "port" },
		{ "ws://h:80x/", "port" },
		{ "ws://h:-1/", "port" },
		{ "ws://h:/", "port" },
		{ "ws://h:", "port" },
		{ "ws://h:99999999/", "port" },
		{ "ws://user:pass@h/", "user name or password" },
		{ "ws://user@h:80/", "user name or password" },
		{ "ws://h/a#frag", "fragment" },
		{ "ws://h/?q#frag", "fragment" },
		{ "ws://h#frag", "fragment" },
		{ "ws://h:80#frag", "fragment" },
		{ "ws://h: 80/", "port" },
		{ "ws://h:+80/", "port" },
		{ "ws://[1.2.3.4]/", "not an IPv6 address" },
		{ "ws://[:]/", "not an IPv6 address" },
		{ "ws://h/a b", "space" },
		{ "ws://h/a\tb", "control" },
		{ "ws://h/caf\xc3\xa9", "non-ASCII" },
		{ "ws://h st/", "host has a ' '" },
		{ "ws://[::1/", "no ']'" },
		{ "ws://[::1]x/", "after ']'" },
		/* a colon is only part of a host between [ ] */
		{ "ws://a:b:c/", "port" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probe_url u;
		char err[256] = "";

		ck_assert_msg(!probeopt_parse_url(rows[i].in, &u, err, sizeof(err)),
			      "'%s' accepted", rows[i].in);
		ck_assert_msg(strstr(err, "--url") && strstr(err, rows[i].says),
			      "'%s': '%s' does not say '%s'", rows[i].in, err, rows[i].says);
	}
}
END_TEST

START_TEST(test_url_host_and_path_lengths)
{
	char s[PROBEOPT_PATH_MAX + 64], err[256];
	struct probe_url u;

	/* 255 characters of host fit, 256 do not */
	strcpy(s, "ws://");
	memset(s + 5, 'a', PROBEOPT_HOST_MAX);
	strcpy(s + 5 + PROBEOPT_HOST_MAX, ":1/");
	ck_assert_msg(probeopt_parse_url(s, &u, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(strlen(u.host), PROBEOPT_HOST_MAX);
	memset(s + 5, 'a', PROBEOPT_HOST_MAX + 1);
	strcpy(s + 5 + PROBEOPT_HOST_MAX + 1, ":1/");
	ck_assert(!probeopt_parse_url(s, &u, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "host is over 255"));

	/* a path of PATH_MAX - 1 characters fits (u.path has room for "/" in
	 * front of a "?q" path that long), one more does not */
	strcpy(s, "ws://h");
	s[6] = '/';
	memset(s + 7, 'p', PROBEOPT_PATH_MAX - 2);
	s[6 + PROBEOPT_PATH_MAX - 1] = '\0';
	ck_assert_msg(probeopt_parse_url(s, &u, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(strlen(u.path), PROBEOPT_PATH_MAX - 1);
	s[6] = '?';	/* the same length as a query: "/" is put in front */
	ck_assert_msg(probeopt_parse_url(s, &u, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(strlen(u.path), PROBEOPT_PATH_MAX);
	ck_assert_int_eq(u.path[0], '/');
	s[6] = '/';
	strcpy(s + 6 + PROBEOPT_PATH_MAX - 1, "p");
	ck_assert(!probeopt_parse_url(s, &u, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "path is over"));
}
END_TEST

/* -------------------------------------------------------------- options */

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

/* ------------------------------------------------------------------ csv */

/* A ping at sent, answered at pong (0: not answered). */
static void add_ping(struct probelog *log, int64_t sent, int64_t pong)
{
	long k = probelog_add_ping(log, sent, 8);

	ck_assert_int_ge(k, 0);
	log->pings[k].t_pong_us = pong;
}

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
	add_ping(&log, 100, 350);
	add_ping(&log, 1000, 0);
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

/* ---------------------------------------------------------------- stats */

START_TEST(test_stats_percentiles_of_answered_pings_only)
{
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 100, 100, 100);
	/* latencies 1000, 100, 900, 200, ... (not sorted): 100..1000 */
	for (int i = 0; i < 10; i++) {
		int64_t lat = (i % 2 ? i : 10 - i) * 100;

		add_ping(&log, i * 1000000LL, i * 1000000LL + lat);
	}
	/* two pings that never came back: not 0 latencies, not in the max */
	add_ping(&log, 10000000, 0);
	add_ping(&log, 10500000, 0);
	probelog_add_msg(&log, 50, 30);
	probelog_add_msg(&log, 60, 12);
	probestat_summarize(&log, 11000000, 1000000000, 100 * MS, &s);
	ck_assert_uint_eq(s.pings, 12);
	ck_assert_uint_eq(s.pongs, 10);
	ck_assert_int_eq(s.pong_p50_us, 500);
	ck_assert_int_eq(s.pong_p99_us, 1000);
	ck_assert_int_eq(s.pong_max_us, 1000);
	ck_assert(s.last_unanswered);
	ck_assert_int_eq(s.last_pong_us, 9000000 + 900);
	ck_assert_uint_eq(s.msgs, 2);
	ck_assert_uint_eq(s.msg_bytes, 42);
	ck_assert_uint_eq(s.n_stalls, 0);
	probelog_free(&log);

	/* no pong at all: zeros, not garbage */
	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 100, 0);
	probestat_summarize(&log, 200, 1000, 1000, &s);
	ck_assert_uint_eq(s.pongs, 0);
	ck_assert_int_eq(s.pong_p50_us + s.pong_p99_us + s.pong_max_us, 0);
	ck_assert_int_eq(s.last_pong_us, 0);
	ck_assert(s.last_unanswered);
	probelog_free(&log);

	/* an empty log */
	probelog_init(&log, 10, 10, 10);
	probestat_summarize(&log, 200, 1000, 1000, &s);
	ck_assert_uint_eq(s.pings + s.pongs + s.n_stalls + s.n_bursts + s.msgs, 0);
	ck_assert(!s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_stall_is_strictly_over_the_threshold)
{
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 100 * MS);			/* exactly 100 ms: no stall */
	add_ping(&log, 200 * MS, 300 * MS + 1);		/* 1 us more: a stall */
	add_ping(&log, 400 * MS, 400 * MS + 200);
	probestat_summarize(&log, 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 1);
	ck_assert_int_eq(s.stalls[0].t_begin_us, 200 * MS);
	ck_assert_int_eq(s.stalls[0].length_us, 100 * MS + 1);
	ck_assert(!s.stalls[0].unanswered);
	ck_assert_int_eq(s.longest_stall_us, 100 * MS + 1);
	ck_assert(!s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_unanswered_ping_stalls_only_when_old)
{
	struct probelog log;
	struct probe_summary s;

	/* older than the threshold at t_end: a stall until t_end, unanswered */
	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 200);
	add_ping(&log, 10 * MS, 0);
	probestat_summarize(&log, 110 * MS + 1, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 1);
	ck_assert_int_eq(s.stalls[0].t_begin_us, 10 * MS);
	ck_assert_int_eq(s.stalls[0].length_us, 100 * MS + 1);
	ck_assert(s.stalls[0].unanswered);
	ck_assert_int_eq(s.longest_stall_us, 100 * MS + 1);
	ck_assert(s.last_unanswered);

	/* exactly the threshold old: just sent, not (yet) a stall */
	probestat_summarize(&log, 110 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, 0);
	ck_assert_int_eq(s.longest_stall_us, 0);
	ck_assert(s.last_unanswered);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_only_the_first_stalls_listed_all_counted)
{
	struct probelog log;
	struct probe_summary s;
	const int n = PROBESTAT_LISTED + 5;

	probelog_init(&log, 100, 10, 10);
	/* each a little longer than the one before: the longest is past the list */
	for (int i = 0; i < n; i++)
		add_ping(&log, i * 1000 * MS, i * 1000 * MS + 200 * MS + i);
	probestat_summarize(&log, n * 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_stalls, (size_t)n);
	ck_assert_int_eq(s.stalls[PROBESTAT_LISTED - 1].t_begin_us,
			 (PROBESTAT_LISTED - 1) * 1000 * MS);
	ck_assert_int_eq(s.longest_stall_us, 200 * MS + n - 1);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_burst_chains_from_message_to_message)
{
	/* 5 messages 900 us apart span 3.6 ms: one burst all the same, each
	 * being within 1 ms of the one before it (not of the first) */
	struct probelog log;
	struct probe_summary s;

	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 100);		/* the start */
	for (int i = 0; i < 5; i++)
		probelog_add_msg(&log, 1000 * MS + i * 900, 10);
	probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_uint_eq(s.bursts[0].count, 5);
	ck_assert_int_eq(s.bursts[0].t_first_us, 1000 * MS);
	ck_assert_int_eq(s.bursts[0].t_last_us, 1000 * MS + 3600);
	ck_assert_int_eq(s.bursts[0].silence_us, 1000 * MS);	/* since the start */
	ck_assert_uint_eq(s.largest_burst, 5);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_burst_within_is_inclusive)
{
	/* "each within PROBESTAT_BURST_WITHIN_US of the one before"
	 * (probestat.h; classify.c groups the same way): 1000 us apart is
	 * one burst, 1001 us apart two single messages */
	static const struct {
		int64_t gap;
		size_t bursts;
	} rows[] = { { 0, 1 }, { 999, 1 }, { 1000, 1 }, { 1001, 0 }, { 5000, 0 } };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct probe_summary s;

		probelog_init(&log, 10, 10, 10);
		add_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);
		probelog_add_msg(&log, 1000 * MS + rows[i].gap, 10);
		probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == rows[i].bursts, "gap %lld: %zu bursts",
			      (long long)rows[i].gap, s.n_bursts);
		ck_assert_uint_eq(s.largest_burst, rows[i].bursts ? 2 : 0);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_burst_needs_two_messages_and_more_than_the_silence)
{
	static const struct {
		int64_t quiet;		/* before the pair, since the message before */
		int n;			/* messages in the group */
		size_t bursts;
	} rows[] = {
		{ 100 * MS + 1, 2, 1 },
		{ 100 * MS, 2, 0 },	/* exactly the silence: not more */
		{ 100 * MS - 1, 2, 0 },
		{ 5000 * MS, 1, 0 },	/* one message is no burst */
		{ 5000 * MS, 3, 1 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct probe_summary s;
		int64_t t = 1000 * MS + rows[i].quiet;

		probelog_init(&log, 10, 10, 10);
		add_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);	/* alone: the quiet's start */
		for (int k = 0; k < rows[i].n; k++)
			probelog_add_msg(&log, t + k * 100, 10);
		probestat_summarize(&log, 10000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == rows[i].bursts, "row %zu: %zu bursts", i,
			      s.n_bursts);
		if (s.n_bursts) {
			ck_assert_int_eq(s.bursts[0].silence_us, rows[i].quiet);
			ck_assert_uint_eq(s.bursts[0].count, (size_t)rows[i].n);
			ck_assert_int_eq(s.bursts[0].t_first_us, t);
		}
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_burst_silence_counts_from_the_latest_send)
{
	struct probelog log;
	struct probe_summary s;

	/* messages 50 us after a send answer it at once: no burst, however
	 * long since the start */
	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 100);
	probelog_add_send(&log, 1000 * MS, 5);
	probelog_add_send(&log, 5000 * MS, 5);	/* the latest before them */
	probelog_add_msg(&log, 5000 * MS + 50, 10);
	probelog_add_msg(&log, 5000 * MS + 60, 10);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 0);
	probelog_free(&log);

	/* the same 200 ms after the send: a burst, its silence from the send */
	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 100);
	probelog_add_send(&log, 1000 * MS, 5);
	probelog_add_send(&log, 5000 * MS, 5);
	probelog_add_msg(&log, 5200 * MS, 10);
	probelog_add_msg(&log, 5200 * MS + 10, 10);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_int_eq(s.bursts[0].silence_us, 200 * MS);
	probelog_free(&log);

	/* a send after the messages does not count for them */
	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 0, 100);
	probelog_add_msg(&log, 5000 * MS, 10);
	probelog_add_msg(&log, 5000 * MS + 10, 10);
	probelog_add_send(&log, 5000 * MS + 20, 5);
	probestat_summarize(&log, 6000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, 1);
	ck_assert_int_eq(s.bursts[0].silence_us, 5000 * MS);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_later_sends_do_not_restart_the_silence)
{
	/* group A, then 500 ms without a message; a send 50 us before group B
	 * changes nothing: only the first message's silence counts from a
	 * send (probestat.h). With --every-ms the requests keep coming while
	 * the loop is blocked, and their answers are the burst. */
	for (int with_send = 0; with_send < 2; with_send++) {
		struct probelog log;
		struct probe_summary s;

		probelog_init(&log, 10, 10, 10);
		add_ping(&log, 0, 100);
		probelog_add_msg(&log, 1000 * MS, 10);
		probelog_add_msg(&log, 1000 * MS + 100, 10);
		if (with_send)
			probelog_add_send(&log, 1500 * MS, 5);
		probelog_add_msg(&log, 1500 * MS + 50, 10);
		probelog_add_msg(&log, 1500 * MS + 60, 10);
		probelog_add_msg(&log, 1500 * MS + 70, 10);
		probestat_summarize(&log, 2000 * MS, 100 * MS, 100 * MS, &s);
		ck_assert_msg(s.n_bursts == 2, "with_send %d: %zu bursts", with_send,
			      s.n_bursts);
		ck_assert_int_eq(s.bursts[0].t_first_us, 1000 * MS);
		ck_assert_int_eq(s.bursts[0].silence_us, 1000 * MS);
		ck_assert_int_eq(s.bursts[1].t_first_us, 1500 * MS + 50);
		ck_assert_int_eq(s.bursts[1].silence_us, 500 * MS - 50);
		ck_assert_uint_eq(s.largest_burst, 3);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_stats_only_the_first_bursts_listed_all_counted)
{
	struct probelog log;
	struct probe_summary s;
	const int n = PROBESTAT_LISTED + 3;

	probelog_init(&log, 10, 200, 10);
	add_ping(&log, 0, 100);
	for (int i = 0; i < n; i++) {
		int64_t t = (i + 1) * 1000 * MS;

		probelog_add_msg(&log, t, 10);
		probelog_add_msg(&log, t + 10, 10);
		if (i == n - 1)	/* the largest is the last, past the list */
			probelog_add_msg(&log, t + 20, 10);
	}
	probestat_summarize(&log, (n + 1) * 1000 * MS, 100 * MS, 100 * MS, &s);
	ck_assert_uint_eq(s.n_bursts, (size_t)n);
	ck_assert_int_eq(s.bursts[PROBESTAT_LISTED - 1].t_first_us,
			 PROBESTAT_LISTED * 1000 * MS);
	ck_assert_uint_eq(s.largest_burst, 3);
	probelog_free(&log);
}
END_TEST

START_TEST(test_stats_wait_windows_are_half_open)
{
	struct probelog log;

	probelog_init(&log, 10, 10, 10);
	add_ping(&log, 100, 150);	/* 50 */
	add_ping(&log, 200, 500);	/* 300 */
	add_ping(&log, 300, 0);		/* unanswered: 700 at t_end 1000 */
	add_ping(&log, 400, 410);	/* 10 */

	static const struct {
		int64_t from, to, worst, median;
	} rows[] = {
		{ 100, 200, 50, 50 },		/* the ping at `to` is out */
		{ 100, 201, 300, 50 },		/* median of 50, 300: the lower */
		{ 200, 300, 300, 300 },
		{ 300, 301, 700, -1 },		/* unanswered: its age, no median */
		{ 100, 401, 700, 50 },		/* 50, 300, 10: 50 */
		{ 101, 200, 0, -1 },		/* no ping sent then */
		{ 0, 100, 0, -1 },
		{ 400, 1000, 10, 10 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t w = probestat_worst_wait(&log, rows[i].from, rows[i].to, 1000);
		int64_t m = probestat_median_wait(&log, rows[i].from, rows[i].to);

		ck_assert_msg(w == rows[i].worst && m == rows[i].median,
			      "[%lld, %lld): worst %lld median %lld", (long long)rows[i].from,
			      (long long)rows[i].to, (long long)w, (long long)m);
	}
	probelog_free(&log);
}
END_TEST

/* ------------------------------------------------------------- classify */

#define T_SEND (10000 * MS)	/* the job's send, 10 s into the probe */

/* The probe before the job: a ping every 10 ms, answered in 0.2 ms. */
static void probe_before(struct probelog *log)
{
	probelog_init(log, 10000, 100, 10);
	for (int64_t t = 0; t < T_SEND; t += 10 * MS)
		add_ping(log, t, t + 200);
	probelog_add_send(log, T_SEND, 20);
}

/* The job's 6 messages at T_SEND + offsets[i]. */
static void job_msgs(struct probelog *log, const int64_t offsets[6])
{
	for (int i = 0; i < 6; i++)
		probelog_add_msg(log, T_SEND + offsets[i], 40);
}

static const int64_t spaced[6] = { 150 * MS, 300 * MS, 450 * MS, 600 * MS, 750 * MS,
				   900 * MS };
static const int64_t clumped[6] = { 900 * MS, 900 * MS + 100, 900 * MS + 200,
				    900 * MS + 300, 900 * MS + 400, 900 * MS + 500 };
static const int64_t first_then[6] = { 150 * MS, 900 * MS, 900 * MS + 100,
				       900 * MS + 200, 900 * MS + 300, 900 * MS + 400 };

START_TEST(test_classify_blocking_job_and_its_three_arrivals)
{
	/* the bug: one ping sent 10 ms into the job waits for the whole job
	 * (its pong leaves with the last result); how the results come
	 * depends on the send discipline (cases.c) */
	static const struct {
		const int64_t *offsets;
		enum mystery_arrivals arrivals;
		size_t groups, first_group;
	} rows[] = {
		{ spaced, MYSTERY_ARRIVALS_SPACED, 6, 1 },		/* direct */
		{ clumped, MYSTERY_ARRIVALS_CLUMPED, 1, 6 },		/* queue */
		{ first_then, MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED, 2, 1 },	/* proactor */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";
		int64_t last = T_SEND + rows[i].offsets[5];

		probe_before(&log);
		add_ping(&log, T_SEND + 10 * MS, last + 100);
		job_msgs(&log, rows[i].offsets);
		for (int64_t t = last + 10 * MS; t < last + 500 * MS; t += 10 * MS)
			add_ping(&log, t, t + 200);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_int_eq(j.t_send_us, T_SEND);
		ck_assert_int_eq(j.t_last_us, last);
		ck_assert_uint_eq(j.pings, 1);
		ck_assert_int_eq(j.worst_wait_us, last + 100 - (T_SEND + 10 * MS));
		ck_assert_int_eq(j.median_wait_us, j.worst_wait_us);
		ck_assert_int_eq(j.loop, MYSTERY_LOOP_JOB);
		ck_assert_msg(j.arrivals == rows[i].arrivals, "row %zu: %s", i,
			      mystery_arrivals_name(j.arrivals));
		ck_assert(j.arrivals_clear);
		ck_assert_uint_eq(j.groups, rows[i].groups);
		ck_assert_uint_eq(j.first_group, rows[i].first_group);
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_classify_unanswered_ping_waits_until_the_job_ends)
{
	/* a probe cut off before the pong: the ping's age at the last result */
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	probe_before(&log);
	add_ping(&log, T_SEND + 10 * MS, 0);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.worst_wait_us, 890 * MS);
	ck_assert_int_eq(j.median_wait_us, -1);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_JOB);
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_item_slice_never)
{
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	/* flush, pingpong: a pong waits an item or two (~300 ms), the loop
	 * turns in between */
	probe_before(&log);
	add_ping(&log, T_SEND + 10 * MS, T_SEND + 310 * MS);
	add_ping(&log, T_SEND + 320 * MS, T_SEND + 620 * MS);
	add_ping(&log, T_SEND + 630 * MS, T_SEND + 901 * MS);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(j.pings, 3);
	ck_assert_int_eq(j.worst_wait_us, 300 * MS);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_ITEM);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	ck_assert(j.arrivals_clear);
	probelog_free(&log);

	/* partition: pongs after 6, 8 or 10 ms all through the job */
	probe_before(&log);
	for (int64_t t = T_SEND, k = 0; t < T_SEND + 900 * MS; k++) {
		int64_t lat = (6 + 2 * (k % 3)) * MS;

		add_ping(&log, t, t + lat);
		t += lat + 10 * MS;
	}
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.median_wait_us, 8 * MS);
	ck_assert_int_eq(j.worst_wait_us, 10 * MS);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_SLICE);
	probelog_free(&log);

	/* threadpool: the loop is free, pongs in 0.2 ms */
	probe_before(&log);
	for (int64_t t = T_SEND + 5 * MS; t < T_SEND + 900 * MS; t += 10 * MS + 200)
		add_ping(&log, t, t + 200);
	job_msgs(&log, spaced);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.worst_wait_us, 200);
	ck_assert_int_eq(j.loop, MYSTERY_LOOP_NEVER);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_threshold_edges)
{
	/* a job of exactly 1 s (last result at T_SEND + 1 s): one ping 10 ms
	 * in waits `worst`; the rest of the job is pinged every 10 ms with
	 * pongs of `rest` (so the median is `rest` unless that ping is alone) */
	static const struct {
		int64_t worst, rest;
		enum mystery_loop loop;
	} rows[] = {
		{ 750000, 200, MYSTERY_LOOP_JOB },	/* exactly 0.75 of the job */
		{ 749999, 200, MYSTERY_LOOP_ITEM },	/* just under */
		{ CLASSIFY_ITEM_MIN_US, 200, MYSTERY_LOOP_ITEM },
		{ CLASSIFY_ITEM_MIN_US - 1, 200, MYSTERY_LOOP_NEVER },
		{ CLASSIFY_SLICE_MEDIAN_US, CLASSIFY_SLICE_MEDIAN_US, MYSTERY_LOOP_SLICE },
		{ CLASSIFY_SLICE_MEDIAN_US - 1, CLASSIFY_SLICE_MEDIAN_US - 1,
		  MYSTERY_LOOP_NEVER },
	};
	static const int64_t job[6] = { 200 * MS, 400 * MS, 600 * MS, 800 * MS,
					900 * MS, 1000 * MS };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";
		int64_t t = T_SEND + 10 * MS;

		probe_before(&log);
		add_ping(&log, t, t + rows[i].worst);
		for (t += rows[i].worst + 10 * MS; t < T_SEND + 1000 * MS;
		     t += rows[i].rest + 10 * MS)
			add_ping(&log, t, t + rows[i].rest);
		job_msgs(&log, job);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_int_eq(j.t_last_us - j.t_send_us, 1000 * MS);
		ck_assert_int_eq(j.worst_wait_us, rows[i].worst);
		ck_assert_int_eq(j.median_wait_us, rows[i].rest);
		ck_assert_msg(j.loop == rows[i].loop, "worst %lld rest %lld: %s",
			      (long long)rows[i].worst, (long long)rows[i].rest,
			      mystery_loop_name(j.loop));
		probelog_free(&log);
	}
}
END_TEST

START_TEST(test_classify_refuses_a_log_without_the_job)
{
	struct probelog log;
	struct classify_job j;
	char err[256] = "";

	/* no send row */
	probelog_init(&log, 100, 100, 10);
	add_ping(&log, 0, 200);
	add_ping(&log, 10 * MS, 900 * MS);
	for (int i = 0; i < 6; i++)
		probelog_add_msg(&log, (i + 1) * 150 * MS, 40);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no send row"));
	/* a job of no messages is refused, not read before msgs[0] */
	ck_assert(!classify_job(&log, 0, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "at least one message"));
	probelog_free(&log);

	/* 3 messages before the send do not make up for the one missing after */
	probe_before(&log);
	probelog_add_msg(&log, T_SEND - 3 * MS, 40);
	probelog_add_msg(&log, T_SEND - 2 * MS, 40);
	probelog_add_msg(&log, T_SEND - 1 * MS, 40);
	add_ping(&log, T_SEND + 10 * MS, T_SEND + 800 * MS);
	for (int i = 0; i < 5; i++)
		probelog_add_msg(&log, T_SEND + spaced[i], 40);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_msg(strstr(err, "5 messages after the send, the job has 6"), "%s", err);
	/* with the sixth it is the job, counted from the send */
	probelog_add_msg(&log, T_SEND + spaced[5], 40);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(j.t_last_us, T_SEND + spaced[5]);
	ck_assert_int_eq(j.arrivals, MYSTERY_ARRIVALS_SPACED);
	ck_assert_uint_eq(j.groups, 6);
	probelog_free(&log);

	/* no ping in [send, last result): one before, one exactly at the end */
	probe_before(&log);
	job_msgs(&log, spaced);
	add_ping(&log, T_SEND + 900 * MS, T_SEND + 900 * MS + 200);
	ck_assert(!classify_job(&log, 6, &j, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no ping was sent while the job ran"));
	probelog_free(&log);
}
END_TEST

START_TEST(test_classify_unclear_arrivals)
{
	/* patterns none of the three words names: still a class (spaced) for
	 * the loop's sake, but flagged */
	static const struct {
		int64_t offsets[6];
		bool clear;
		size_t groups, first_group;
		enum mystery_arrivals arrivals;
	} rows[] = {
		{ { 150 * MS, 150 * MS + 100, 450 * MS, 450 * MS + 100, 900 * MS,
		    900 * MS + 100 }, false, 3, 2, MYSTERY_ARRIVALS_SPACED },	/* 2+2+2 */
		{ { 150 * MS, 300 * MS, 900 * MS, 900 * MS + 100, 900 * MS + 200,
		    900 * MS + 300 }, false, 3, 1, MYSTERY_ARRIVALS_SPACED },	/* 1+1+4 */
		{ { 150 * MS, 150 * MS + 100, 150 * MS + 200, 150 * MS + 300,
		    150 * MS + 400, 900 * MS }, false, 2, 5, MYSTERY_ARRIVALS_SPACED },	/* 5+1 */
		{ { 150 * MS, 900 * MS, 900 * MS + 100, 900 * MS + 200, 900 * MS + 300,
		    900 * MS + 400 }, true, 2, 1, MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probelog log;
		struct classify_job j;
		char err[256] = "";

		probe_before(&log);
		add_ping(&log, T_SEND + 10 * MS, T_SEND + 10 * MS + 200);
		job_msgs(&log, rows[i].offsets);
		ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
		ck_assert_msg(j.arrivals_clear == rows[i].clear && j.groups == rows[i].groups &&
			      j.first_group == rows[i].first_group &&
			      j.arrivals == rows[i].arrivals,
			      "row %zu: clear %d groups %zu first %zu %s", i, j.arrivals_clear,
			      j.groups, j.first_group, mystery_arrivals_name(j.arrivals));
		probelog_free(&log);
	}
}
END_TEST

/* ---------------------------------------------------------------- cases */

START_TEST(test_cases_number_mapping_scrambles)
{
	int identity = 1;

	for (long n = 0; n < MYSTERY_CASES; n++)
		identity &= mystery_case_of(n) == n;
	ck_assert_msg(!identity, "mystery_case_of is the identity on 0..14");
	ck_assert_int_ne(mystery_case_of(0), 0);
}
END_TEST

START_TEST(test_cases_any_15_consecutive_numbers_hit_every_case)
{
	/* every window of 15 in 0..999999: the first is full and each next one
	 * drops and takes the same case, so all are */
	int seen[MYSTERY_CASES] = { 0 };

	for (long n = 0; n < MYSTERY_CASES; n++) {
		int c = mystery_case_of(n);

		ck_assert_int_ge(c, 0);
		ck_assert_int_lt(c, MYSTERY_CASES);
		seen[c]++;
	}
	for (int c = 0; c < MYSTERY_CASES; c++)
		ck_assert_int_eq(seen[c], 1);
	for (long n = MYSTERY_CASES; n <= MYSTERY_NUMBER_MAX; n++)
		if (mystery_case_of(n) != mystery_case_of(n - MYSTERY_CASES))
			ck_abort_msg("numbers %ld and %ld give different cases", n,
				     n - MYSTERY_CASES);
}
END_TEST

START_TEST(test_cases_out_of_range)
{
	ck_assert_int_eq(mystery_case_of(-1), -1);
	ck_assert_int_eq(mystery_case_of(MYSTERY_NUMBER_MAX + 1L), -1);
	ck_assert_int_eq(mystery_case_of(1000000), -1);
	ck_assert_int_ge(mystery_case_of(MYSTERY_NUMBER_MAX), 0);
	/* huge numbers are refused before any arithmetic can overflow */
	ck_assert_int_eq(mystery_case_of(LONG_MAX), -1);
	ck_assert_int_eq(mystery_case_of(LONG_MIN), -1);
	ck_assert_ptr_null(mystery_case_at(-1));
	ck_assert_ptr_null(mystery_case_at(MYSTERY_CASES));
	ck_assert_ptr_nonnull(mystery_case_at(0));
	ck_assert_ptr_nonnull(mystery_case_at(MYSTERY_CASES - 1));
}
END_TEST

START_TEST(test_cases_table_is_every_variant_by_every_send)
{
	static const char *const variants[] = { "blocking", "flush", "pingpong",
						"threadpool", "partition" };
	static const char *const sends[] = { "proactor", "queue", "direct" };
	int count[5][3] = { { 0 } };

	for (int i = 0; i < MYSTERY_CASES; i++) {
		const struct mystery_case *c = mystery_case_at(i);
		int v = -1, s = -1;

		ck_assert_ptr_nonnull(c);
		for (int k = 0; k < 5; k++)
			if (c->variant && !strcmp(c->variant, variants[k]))
				v = k;
		for (int k = 0; k < 3; k++)
			if (c->send && !strcmp(c->send, sends[k]))
				s = k;
		ck_assert_msg(v >= 0 && s >= 0, "case %d: '%s' x '%s'", i,
			      c->variant ? c->variant : "(null)", c->send ? c->send : "(null)");
		count[v][s]++;
		/* "ordered by variant, then by send discipline" (cases.h) */
		ck_assert_int_eq(i, v * 3 + s);
		ck_assert_str_ne(mystery_loop_name(c->expected.loop), "?");
		ck_assert_str_ne(mystery_arrivals_name(c->expected.arrivals), "?");
		ck_assert_str_ne(mystery_round_trip_name(c->expected.round_trip), "?");
	}
	for (int v = 0; v < 5; v++)
		for (int s = 0; s < 3; s++)
			ck_assert_int_eq(count[v][s], 1);
	/* the bug's three rows are the three arrival patterns */
	ck_assert_int_eq(mystery_case_at(0)->expected.arrivals,
			 MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED);
	ck_assert_int_eq(mystery_case_at(1)->expected.arrivals, MYSTERY_ARRIVALS_CLUMPED);
	ck_assert_int_eq(mystery_case_at(2)->expected.arrivals, MYSTERY_ARRIVALS_SPACED);
}
END_TEST

START_TEST(test_cases_words_round_trip)
{
	static const char *const loops[] = { "job", "item", "slice", "never" };
	static const char *const arrivals[] = { "clumped", "first-then-clumped", "spaced" };
	static const char *const rts[] = { "bound", "free" };

	for (int v = 0; v < 4; v++) {
		ck_assert_str_eq(mystery_loop_name((enum mystery_loop)v), loops[v]);
		ck_assert_int_eq(mystery_loop_parse(loops[v]), v);
	}
	for (int v = 0; v < 3; v++) {
		ck_assert_str_eq(mystery_arrivals_name((enum mystery_arrivals)v), arrivals[v]);
		ck_assert_int_eq(mystery_arrivals_parse(arrivals[v]), v);
	}
	for (int v = 0; v < 2; v++) {
		ck_assert_str_eq(mystery_round_trip_name((enum mystery_round_trip)v), rts[v]);
		ck_assert_int_eq(mystery_round_trip_parse(rts[v]), v);
	}
	ck_assert_int_eq(mystery_loop_parse(mystery_loop_name(MYSTERY_LOOP_NEVER)),
			 MYSTERY_LOOP_NEVER);
	/* outside the enum: "?", which parses to nothing */
	ck_assert_str_eq(mystery_loop_name((enum mystery_loop)4), "?");
	ck_assert_str_eq(mystery_loop_name((enum mystery_loop)-1), "?");
	ck_assert_str_eq(mystery_arrivals_name((enum mystery_arrivals)3), "?");
	ck_assert_str_eq(mystery_round_trip_name((enum mystery_round_trip)2), "?");
	ck_assert_int_eq(mystery_loop_parse("?"), -1);
}
END_TEST

START_TEST(test_cases_parse_refuses_other_words)
{
	static const char *const bad[] = { "Job", "JOB", "job ", " job", "jobs", "",
					   "first then clumped", "Spaced", "free\n",
					   "blocking" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(mystery_loop_parse(bad[i]) == -1 &&
			      mystery_arrivals_parse(bad[i]) == -1 &&
			      mystery_round_trip_parse(bad[i]) == -1, "'%s' parsed", bad[i]);
	}
	ck_assert_int_eq(mystery_loop_parse(NULL), -1);
	ck_assert_int_eq(mystery_arrivals_parse(NULL), -1);
	ck_assert_int_eq(mystery_round_trip_parse(NULL), -1);
	/* each word belongs to its own enum only */
	ck_assert_int_eq(mystery_loop_parse("spaced"), -1);
	ck_assert_int_eq(mystery_arrivals_parse("job"), -1);
	ck_assert_int_eq(mystery_round_trip_parse("never"), -1);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *url = tcase_create("url");
	TCase *options = tcase_create("options");
	TCase *csv = tcase_create("csv");
	TCase *stats = tcase_create("stats");
	TCase *classify = tcase_create("classify");
	TCase *cases = tcase_create("cases");

	tcase_add_test(url, test_url_accepts_and_fills_defaults);
	tcase_add_test(url, test_url_refusals_name_the_problem);
	tcase_add_test(url, test_url_host_and_path_lengths);
	suite_add_tcase(s, url);

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

	tcase_add_test(csv, test_log_caps_count_what_is_not_kept);
	tcase_add_test(csv, test_log_caps_hold_past_the_first_growth);
	tcase_add_test(csv, test_csv_rows_in_time_order);
	tcase_add_test(csv, test_csv_round_trip);
	tcase_add_test(csv, test_csv_read_refusals_name_the_line);
	tcase_add_test(csv, test_csv_read_edges_accepted);
	tcase_add_test(csv, test_csv_read_keeps_the_caps);
	suite_add_tcase(s, csv);

	tcase_add_test(stats, test_stats_percentiles_of_answered_pings_only);
	tcase_add_test(stats, test_stats_stall_is_strictly_over_the_threshold);
	tcase_add_test(stats, test_stats_unanswered_ping_stalls_only_when_old);
	tcase_add_test(stats, test_stats_only_the_first_stalls_listed_all_counted);
	tcase_add_test(stats, test_stats_burst_chains_from_message_to_message);
	tcase_add_test(stats, test_stats_burst_within_is_inclusive);
	tcase_add_test(stats, test_stats_burst_needs_two_messages_and_more_than_the_silence);
	tcase_add_test(stats, test_stats_burst_silence_counts_from_the_latest_send);
	tcase_add_test(stats, test_stats_later_sends_do_not_restart_the_silence);
	tcase_add_test(stats, test_stats_only_the_first_bursts_listed_all_counted);
	tcase_add_test(stats, test_stats_wait_windows_are_half_open);
	suite_add_tcase(s, stats);

	tcase_add_test(classify, test_classify_blocking_job_and_its_three_arrivals);
	tcase_add_test(classify, test_classify_unanswered_ping_waits_until_the_job_ends);
	tcase_add_test(classify, test_classify_item_slice_never);
	tcase_add_test(classify, test_classify_threshold_edges);
	tcase_add_test(classify, test_classify_refuses_a_log_without_the_job);
	tcase_add_test(classify, test_classify_unclear_arrivals);
	suite_add_tcase(s, classify);

	tcase_add_test(cases, test_cases_number_mapping_scrambles);
	tcase_add_test(cases, test_cases_any_15_consecutive_numbers_hit_every_case);
	tcase_add_test(cases, test_cases_out_of_range);
	tcase_add_test(cases, test_cases_table_is_every_variant_by_every_send);
	tcase_add_test(cases, test_cases_words_round_trip);
	tcase_add_test(cases, test_cases_parse_refuses_other_words);
	suite_add_tcase(s, cases);
	return s;
}
