/*
 * test_args.c: the harness command line and URL parsing.
 */
#include "harness/args.h"
#include "tests/suites.h"

#include <string.h>

static bool parse_words(struct args *a, char *err, size_t cap,
			const char *const *words)
{
	char *argv[24] = { "harness" };
	int argc = 1;

	while (words[argc - 1])
		argv[argc] = (char *)words[argc - 1], argc++;
	return args_parse(argc, argv, a, err, cap);
}

#define PARSE(...) \
	parse_words(&a, err, sizeof(err), (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_full_command_line)
{
	struct args a;
	char err[200];

	ck_assert(PARSE("--url", "ws://127.0.0.1:4567/", "--items", "3", "--work-ms",
			"300", "--runs", "5", "--bystander-ms", "20", "--csv", "m.csv",
			"--bystander-csv", "b.csv", "--lag-csv", "l.csv", "--quiet"));
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_int_eq(a.port, 4567);
	ck_assert_str_eq(a.path, "/");
	ck_assert_int_eq(a.items, 3);
	ck_assert_int_eq(a.work_ms, 300);
	ck_assert_int_eq(a.runs, 5);
	ck_assert_int_eq(a.bystander_ms, 20);
	ck_assert_str_eq(a.csv, "m.csv");
	ck_assert_str_eq(a.bystander_csv, "b.csv");
	ck_assert_str_eq(a.lag_csv, "l.csv");
	ck_assert(a.quiet);
	/* the bounds derive from the job, J = 3 x 300 ms */
	ck_assert_int_eq(args_connect_timeout_ms(&a), 900 + 5000);
	ck_assert_int_eq(args_results_timeout_ms(&a), 3 * 900 + 5000);
	ck_assert_int_eq(args_reply_timeout_ms(&a), 5000);
	ck_assert_int_eq(a.clients, 1);
}
END_TEST

/* K clients: the results bound grows with the work the run gives the
 * server (K jobs); the connect and reply bounds do not. */
START_TEST(test_clients)
{
	struct args a;
	char err[200];

	ck_assert(PARSE("--url", "ws://127.0.0.1:4567/", "--items", "3", "--work-ms",
			"300", "--clients", "4"));
	ck_assert_int_eq(a.clients, 4);
	ck_assert_int_eq(args_connect_timeout_ms(&a), 900 + 5000);
	ck_assert_int_eq(args_results_timeout_ms(&a), 3 * 4 * 900 + 5000);
	ck_assert_int_eq(args_reply_timeout_ms(&a), 5000);
	ck_assert(PARSE("--url", "ws://h:1/", "--items", "6", "--work-ms", "10000",
			"--clients", "64"));
	ck_assert_int_eq(a.clients, ARGS_CLIENTS_MAX);
	ck_assert_int_eq(args_results_timeout_ms(&a), 3 * 64 * 60000 + 5000);
}
END_TEST

/* --run R/N: one run, numbered R of N; plain --runs leaves run_as 0 */
START_TEST(test_run_of)
{
	struct args a;
	char err[200];

	ck_assert(PARSE("--url", "ws://h:1/", "--items", "3", "--work-ms", "300",
			"--run", "2/5"));
	ck_assert_int_eq(a.run_as, 2);
	ck_assert_int_eq(a.runs, 5);
	ck_assert(PARSE("--url", "ws://h:1/", "--items", "3", "--work-ms", "300",
			"--run", "100/100"));
	ck_assert_int_eq(a.run_as, ARGS_RUNS_MAX);
	ck_assert(PARSE("--url", "ws://h:1/", "--items", "3", "--work-ms", "300",
			"--runs", "4"));
	ck_assert_int_eq(a.run_as, 0);
	ck_assert_int_eq(a.runs, 4);
}
END_TEST

START_TEST(test_defaults_and_url_forms)
{
	struct args a;
	char err[200];

	ck_assert(PARSE("--url", "ws://localhost", "--items", "1", "--work-ms", "0"));
	ck_assert_int_eq(a.runs, 1);
	ck_assert_int_eq(a.bystander_ms, 0);
	ck_assert_int_eq(a.port, 80);
	ck_assert_str_eq(a.path, "/");
	ck_assert_ptr_null(a.csv);
	ck_assert(PARSE("--url", "ws://h:9/x/y", "--items", "1", "--work-ms", "0"));
	ck_assert_str_eq(a.host, "h");
	ck_assert_int_eq(a.port, 9);
	ck_assert_str_eq(a.path, "/x/y");
}
END_TEST

static const struct bad_args {
	const char *words[12];	/* NULL-terminated: at most 11 */
	const char *msg;
} bad_args[] = {
	{ { "--items", "1", "--work-ms", "1" }, "--url is required" },
	{ { "--url", "ws://h:1/", "--items", "1" }, "--items and --work-ms are required" },
	{ { "--url", "http://h:1/", "--items", "1", "--work-ms", "1" }, "must start with ws://" },
	{ { "--url", "wss://h:1/", "--items", "1", "--work-ms", "1" }, "wss:// is not supported" },
	{ { "--url", "ws://:1/", "--items", "1", "--work-ms", "1" }, "missing or overlong host" },
	{ { "--url", "ws://h:0/", "--items", "1", "--work-ms", "1" }, "port must be 1..65535" },
	{ { "--url", "ws://h:/", "--items", "1", "--work-ms", "1" }, "bad port" },
	{ { "--url", "ws://h:1/", "--items", "0", "--work-ms", "1" }, "--items must be an integer from 1 to 1000" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "10001" }, "--work-ms must be an integer from 0 to 10000" },
	{ { "--url", "ws://h:1/", "--items", "7", "--work-ms", "10000" }, "at most 60000, got 70000" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--runs", "0" }, "--runs must be" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--clients", "0" },
	  "--clients must be an integer from 1 to 64, not '0'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--clients", "65" },
	  "--clients must be an integer from 1 to 64, not '65'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--bystander-ms", "0" }, "--bystander-ms must be" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--bystander-csv", "b" }, "needs --bystander-ms" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--frobnicate", "1" }, "unknown option '--frobnicate'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms" }, "--work-ms needs a value" },
	{ { "--url", "ws://h:1/", "--items", "x", "--work-ms", "1" }, "not 'x'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "3/2" },
	  "--run must be R/N with 1 <= R <= N <= 100, not '3/2'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "0/2" }, "not '0/2'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "2" }, "not '2'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "/2" }, "not '/2'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "1/" }, "not '1/'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "1/101" }, "not '1/101'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "1/2x" }, "not '1/2x'" },
	{ { "--url", "ws://h:1/", "--items", "1", "--work-ms", "1", "--run", "1/2", "--runs", "2" },
	  "--run R/N and --runs exclude each other" },
};

START_TEST(test_bad_command_lines)
{
	struct args a;
	char err[200] = "";

	ck_assert(!parse_words(&a, err, sizeof(err), bad_args[_i].words));
	ck_assert_msg(strstr(err, bad_args[_i].msg), "got \"%s\", want \"%s\"", err,
		      bad_args[_i].msg);
}
END_TEST

Suite *args_suite(void)
{
	Suite *s = suite_create("args");
	TCase *tc = tcase_create("harness-cli");

	tcase_add_test(tc, test_full_command_line);
	tcase_add_test(tc, test_defaults_and_url_forms);
	tcase_add_test(tc, test_clients);
	tcase_add_test(tc, test_run_of);
	tcase_add_loop_test(tc, test_bad_command_lines, 0,
			    (int)(sizeof(bad_args) / sizeof(bad_args[0])));
	suite_add_tcase(s, tc);
	return s;
}
