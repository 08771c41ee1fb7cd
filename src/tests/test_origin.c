/*
 * test_origin.c: who may open a WebSocket (core/origin.h): what an origin
 * looks like, which origins a server bound to an address calls its own,
 * --allow-origin, and the DNS-rebinding case the own origin must not
 * follow. Also --allow-origin on the command line (options.c).
 */
#include "core/options.h"
#include "core/origin.h"
#include "tests/suites.h"

#include <stdio.h>
#include <string.h>

START_TEST(test_valid_origins_are_accepted)
{
	static const char *const ok[] = {
		"http://127.0.0.1:7681", "https://example.org", "http://localhost",
		"http://[::1]:8080", "HTTP://Example.ORG:1", "http://a-b.c:65535",
	};
	char why[160];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(origin_valid(ok[i], why, sizeof(why)), "%s: %s", ok[i], why);
}
END_TEST

START_TEST(test_malformed_origins_are_refused_with_a_reason)
{
	static const char *const bad[] = {
		"", "null", "127.0.0.1:7681", "ftp://x", "http://", "http://:80",
		"http://h:0", "http://h:65536", "http://h:80x", "http://h/",
		"http://h:80/", "http://h/path", "http://h?q", "http://[::1",
		"http://[]:1", "http://ex ample", "http://h:",
	};
	char why[160], longest[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(!origin_valid(bad[i], why, sizeof(why)), "accepted '%s'", bad[i]);
		ck_assert_msg(why[0], "no reason for '%s'", bad[i]);
	}
	ck_assert(!origin_valid("http://h/", why, sizeof(why)));
	ck_assert_msg(strstr(why, "path"), "%s", why);
	ck_assert(!origin_valid("127.0.0.1:7681", why, sizeof(why)));
	ck_assert_msg(strstr(why, "http://"), "%s", why);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memcpy(longest, "http://", 7);
	ck_assert(!origin_valid(longest, why, sizeof(why)));
	ck_assert_msg(strstr(why, "at most"), "%s", why);
}
END_TEST

/* A policy for host:port with the given --allow-origin values. */
static struct origin_policy policy(const char *host, int port, const char *const *allowed,
				   int n)
{
	struct origin_policy p;

	origin_policy_init(&p, host, port, allowed, n);
	ck_assert_int_le(p.n_own, ORIGIN_OWN_MAX);
	return p;
}

START_TEST(test_loopback_server_allows_its_own_page_and_no_other)
{
	struct origin_policy p = policy("127.0.0.1", 7681, NULL, 0);
	static const char *const yes[] = {
		"", "http://127.0.0.1:7681", "http://localhost:7681", "HTTP://LOCALHOST:7681",
	};
	static const char *const no[] = {
		"http://127.0.0.1:7682", "http://evil.example",
		"http://evil.example:7681",	/* DNS rebinding: our port, their name */
		"null", "http://127.0.0.1:7681/", "https://127.0.0.1:7681",
		"http://127.0.0.1", "http://127.0.0.1:76810",
	};

	ck_assert(origin_allowed(&p, NULL));
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(origin_allowed(&p, yes[i]), "refused '%s'", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!origin_allowed(&p, no[i]), "allowed '%s'", no[i]);
}
END_TEST

START_TEST(test_own_origin_follows_the_bound_address)
{
	struct origin_policy p = policy("127.0.0.1", 80, NULL, 0);

	/* browsers leave the scheme's default port out */
	ck_assert(origin_allowed(&p, "http://127.0.0.1"));
	ck_assert(!origin_allowed(&p, "http://127.0.0.1:80"));

	p = policy("::1", 9000, NULL, 0);
	ck_assert(origin_allowed(&p, "http://[::1]:9000"));
	ck_assert(origin_allowed(&p, "http://localhost:9000"));
	ck_assert(!origin_allowed(&p, "http://127.0.0.1:9000"));

	p = policy("0.0.0.0", 7681, NULL, 0);
	ck_assert(origin_allowed(&p, "http://127.0.0.1:7681"));
	ck_assert(origin_allowed(&p, "http://localhost:7681"));
	ck_assert(!origin_allowed(&p, "http://192.168.1.5:7681"));

	p = policy("192.168.1.5", 7681, NULL, 0);
	ck_assert(origin_allowed(&p, "http://192.168.1.5:7681"));
	ck_assert(!origin_allowed(&p, "http://localhost:7681"));
	ck_assert(!origin_allowed(&p, "http://127.0.0.1:7681"));
}
END_TEST

START_TEST(test_allow_origin_adds_exactly_those)
{
	static const char *const extra[] = { "http://127.0.0.1:7682", "https://lab.example" };
	struct origin_policy p = policy("127.0.0.1", 7681, extra, 2);

	ck_assert(origin_allowed(&p, "http://127.0.0.1:7682"));
	ck_assert(origin_allowed(&p, "https://LAB.example"));
	ck_assert(!origin_allowed(&p, "http://127.0.0.1:7683"));
	ck_assert(!origin_allowed(&p, "http://lab.example"));
	ck_assert(!origin_allowed(&p, "https://lab.example.evil.example"));
}
END_TEST

START_TEST(test_printable_keeps_origin_characters_only)
{
	char out[16];

	origin_printable("http://a.b:1", out, sizeof(out));
	ck_assert_str_eq(out, "http://a.b:1");
	origin_printable("<script>\"x\n", out, sizeof(out));
	ck_assert_str_eq(out, "?script??x?");
	origin_printable("http://aaaaaaaaaaaaaaaaaaaa", out, sizeof(out));
	ck_assert_uint_eq(strlen(out), sizeof(out) - 1);
	origin_printable("abc", out, 1);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_allow_origin_on_the_command_line)
{
	struct options o;
	char err[200];
	char *one[] = { "server-x", "--allow-origin", "http://127.0.0.1:7682",
			"--allow-origin=http://x:1" };
	char *bad[] = { "server-x", "--allow-origin", "http://h/" };
	char *none[] = { "server-x" };

	ck_assert(options_parse(1, none, "x", 0, &o, err, sizeof(err)));
	ck_assert_int_eq(o.n_allow_origin, 0);
	ck_assert_msg(options_parse(4, one, "x", 0, &o, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(o.n_allow_origin, 2);
	ck_assert_str_eq(o.allow_origin[0], "http://127.0.0.1:7682");
	ck_assert_str_eq(o.allow_origin[1], "http://x:1");
	ck_assert(!options_parse(3, bad, "x", 0, &o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "--allow-origin") && strstr(err, "path"), "%s", err);

	char *many[1 + 2 * (ORIGIN_ALLOWED_MAX + 1)];
	char origins[ORIGIN_ALLOWED_MAX + 1][32];
	int argc = 1;

	many[0] = "server-x";
	for (int i = 0; i <= ORIGIN_ALLOWED_MAX; i++) {
		snprintf(origins[i], sizeof(origins[i]), "http://h:%d", 1000 + i);
		many[argc++] = "--allow-origin";
		many[argc++] = origins[i];
	}
	ck_assert_msg(options_parse(argc - 2, many, "x", 0, &o, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(o.n_allow_origin, ORIGIN_ALLOWED_MAX);
	ck_assert(!options_parse(argc, many, "x", 0, &o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "at most 16"), "%s", err);
}
END_TEST

Suite *origin_suite(void)
{
	Suite *s = suite_create("origin");
	TCase *tc = tcase_create("origin");

	tcase_add_test(tc, test_valid_origins_are_accepted);
	tcase_add_test(tc, test_malformed_origins_are_refused_with_a_reason);
	tcase_add_test(tc, test_loopback_server_allows_its_own_page_and_no_other);
	tcase_add_test(tc, test_own_origin_follows_the_bound_address);
	tcase_add_test(tc, test_allow_origin_adds_exactly_those);
	tcase_add_test(tc, test_printable_keeps_origin_characters_only);
	tcase_add_test(tc, test_allow_origin_on_the_command_line);
	suite_add_tcase(s, tc);
	return s;
}
