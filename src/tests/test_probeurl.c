/*
 * test_probeurl.c: build/wsprobe's --url parser fills in the defaults and
 * refuses every malformed URL with a sentence naming the problem
 * (probeopt_parse_url, src/probe/probeopt.c).
 */
#include "probe/probeopt.h"
#include "tests/suites.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

Suite *probeurl_suite(void)
{
	Suite *s = suite_create("probeurl");
	TCase *url = tcase_create("url");

	tcase_add_test(url, test_url_accepts_and_fills_defaults);
	tcase_add_test(url, test_url_refusals_name_the_problem);
	tcase_add_test(url, test_url_host_and_path_lengths);
	suite_add_tcase(s, url);
	return s;
}
