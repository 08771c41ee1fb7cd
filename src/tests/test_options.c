/*
 * test_options.c: the shared server command line.
 */
#include "core/options.h"
#include "tests/suites.h"

#include <string.h>

/* Parses a NULL-terminated list of words after "server-x". */
static bool parse_words(unsigned allowed, struct options *o, char *err,
			size_t cap, const char *const *words)
{
	char *argv[24] = { "server-x" };
	int argc = 1;

	while (words[argc - 1])
		argv[argc] = (char *)words[argc - 1], argc++;
	return options_parse(argc, argv, "x", allowed, o, err, cap);
}

#define PARSE(allowed, ...) \
	parse_words(allowed, &o, err, sizeof(err), (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_defaults)
{
	struct options o;
	char err[200];
	char *argv[] = { "server-x" };

	ck_assert(options_parse(1, argv, "x", 0, &o, err, sizeof(err)));
	ck_assert_str_eq(o.host, "127.0.0.1");
	ck_assert_int_eq(o.port, OPTIONS_DEFAULT_PORT);
	ck_assert_int_eq(o.send, SEND_PROACTOR);
	ck_assert_int_eq(o.work, WORK_CPU);
	ck_assert_int_eq(o.threads, 0);
	ck_assert_int_eq(o.pong_timeout_ms, OPTIONS_PONG_TIMEOUT_DEFAULT);
	ck_assert_int_eq(o.max_clients, OPTIONS_MAX_CLIENTS_DEFAULT);
	ck_assert_int_eq(o.idle_timeout_s, OPTIONS_IDLE_TIMEOUT_DEFAULT);
	ck_assert_int_eq(o.iters_per_ms, 0);
	ck_assert_int_eq(o.worker_priority, OPTIONS_PRIORITY_DEFAULT);
	ck_assert_int_eq(o.loop_slice_us, OPTIONS_LOOP_SLICE_DEFAULT);
	ck_assert_int_eq(o.slice_ms, OPTIONS_SLICE_DEFAULT);
	ck_assert_int_eq(o.yield, OPTIONS_YIELD_DEFAULT);
	ck_assert_ptr_null(o.lag_log);
	ck_assert(!o.quiet && !o.help && !o.calibrate);
}
END_TEST

START_TEST(test_every_option)
{
	struct options o;
	char err[200];

	ck_assert(PARSE(OPTIONS_THREADS, "--host", "0.0.0.0", "--port=0", "--send",
			"queue", "--work=sleep", "--lag-log", "/tmp/l.csv", "--quiet",
			"--threads", "4", "--iters-per-ms", "480000",
			"--worker-priority=idle", "--loop-slice-us", "100",
			"--calibrate"));
	ck_assert_str_eq(o.host, "0.0.0.0");
	ck_assert_int_eq(o.port, 0);
	ck_assert_int_eq(o.send, SEND_QUEUE);
	ck_assert_int_eq(o.work, WORK_SLEEP);
	ck_assert_str_eq(o.lag_log, "/tmp/l.csv");
	ck_assert(o.quiet);
	ck_assert_int_eq(o.threads, 4);
	ck_assert_int_eq(o.iters_per_ms, 480000);
	ck_assert_int_eq(o.worker_priority, PRIORITY_IDLE);
	ck_assert_int_eq(o.loop_slice_us, 100);
	ck_assert(o.calibrate);
	ck_assert(PARSE(OPTIONS_THREADS, "--worker-priority", "normal"));
	ck_assert_int_eq(o.worker_priority, PRIORITY_NORMAL);
	ck_assert(PARSE(OPTIONS_THREADS, "--worker-priority", "nice"));
	ck_assert_int_eq(o.worker_priority, PRIORITY_NICE);
	ck_assert(PARSE(0, "--send", "direct", "--port", "65535", "--help"));
	ck_assert_int_eq(o.send, SEND_DIRECT);
	ck_assert_int_eq(o.port, 65535);
	ck_assert(o.help);
}
END_TEST

static const struct bad_cli {
	const char *words[4];
	const char *msg;
} bad_clis[] = {
	{ { "--bogus" }, "unknown option '--bogus'" },
	{ { "stray" }, "unexpected argument 'stray'" },
	{ { "--port" }, "--port needs a value" },
	{ { "--port", "-1" }, "--port must be an integer from 0 to 65535, not '-1'" },
	{ { "--port", "65536" }, "from 0 to 65535" },
	{ { "--port", "80x" }, "not '80x'" },
	/* strtol would take these; cli_int does not */
	{ { "--port", " 80" }, "not ' 80'" },
	{ { "--port", "+80" }, "not '+80'" },
	{ { "--port", "" }, "not ''" },
	{ { "--send", "fast" }, "--send must be proactor, queue or direct, not 'fast'" },
	{ { "--work", "gpu" }, "--work must be cpu or sleep, not 'gpu'" },
	{ { "--threads", "2" }, "--threads is only for server-threadpool" },
	{ { "--pong-timeout-ms", "100" }, "--pong-timeout-ms is only for server-pingpong" },
	{ { "--worker-priority", "idle" },
	  "--worker-priority is only for server-threadpool: server-x has no worker threads" },
	{ { "--loop-slice-us", "100" },
	  "--loop-slice-us is only for server-threadpool: server-x computes on its event-loop thread" },
	{ { "--slice-ms", "5" },
	  "--slice-ms is only for server-partition: server-x computes each item in one piece" },
	{ { "--yield", "turn" }, "--yield is only for server-partition: server-x does not slice" },
	{ { "--iters-per-ms", "0" }, "--iters-per-ms must be an integer from 1 to 1000000000, not '0'" },
	{ { "--iters-per-ms", "1000000001" }, "--iters-per-ms must be an integer from 1" },
	{ { "--iters-per-ms", "5e5" }, "not '5e5'" },
	{ { "--iters-per-ms" }, "--iters-per-ms needs a value" },
	{ { "--calibrate=1" }, "--calibrate takes no value" },
	{ { "--max-clients", "0" }, "--max-clients must be an integer from 1 to 1000, not '0'" },
	{ { "--max-clients", "1001" }, "--max-clients must be an integer from 1 to 1000" },
	{ { "--host", "" }, "--host needs an address" },
	{ { "--lag-log=" }, "--lag-log needs a file name" },
	{ { "--quiet=yes" }, "--quiet takes no value" },
	{ { "--idle-timeout-s", "-1" }, "--idle-timeout-s must be an integer from 0 to 86400, not '-1'" },
	{ { "--idle-timeout-s", "86401" }, "--idle-timeout-s must be an integer from 0 to 86400" },
};

START_TEST(test_bad_command_lines)
{
	struct options o;
	char err[200] = "";
	const struct bad_cli *c = &bad_clis[_i];

	ck_assert(!parse_words(0, &o, err, sizeof(err), c->words));
	ck_assert_msg(strstr(err, c->msg), "got \"%s\", want \"%s\"", err, c->msg);
}
END_TEST

START_TEST(test_threads_range_when_allowed)
{
	struct options o;
	char err[200];

	ck_assert(!PARSE(OPTIONS_THREADS, "--threads", "0"));
	ck_assert_ptr_nonnull(strstr(err, "from 1 to 256"));
	ck_assert(!PARSE(OPTIONS_THREADS, "--threads", "257"));
	ck_assert(PARSE(OPTIONS_THREADS, "--threads", "256"));
}
END_TEST

START_TEST(test_pong_timeout_when_allowed)
{
	struct options o;
	char err[200];

	ck_assert(PARSE(OPTIONS_PONG_TIMEOUT, "--pong-timeout-ms", "250"));
	ck_assert_int_eq(o.pong_timeout_ms, 250);
	ck_assert(!PARSE(OPTIONS_PONG_TIMEOUT, "--pong-timeout-ms", "0"));
	ck_assert_ptr_nonnull(strstr(err, "from 1 to 60000"));
	ck_assert(!PARSE(OPTIONS_PONG_TIMEOUT, "--pong-timeout-ms", "60001"));
	ck_assert(!PARSE(OPTIONS_PONG_TIMEOUT, "--pong-timeout-ms", "1.5"));
}
END_TEST

START_TEST(test_loop_slice_when_allowed)
{
	struct options o;
	char err[200];

	ck_assert(PARSE(OPTIONS_THREADS, "--loop-slice-us", "0"));
	ck_assert_int_eq(o.loop_slice_us, 0);
	ck_assert(PARSE(OPTIONS_THREADS, "--loop-slice-us=100000"));
	ck_assert_int_eq(o.loop_slice_us, 100000);
	ck_assert(!PARSE(OPTIONS_THREADS, "--loop-slice-us", "100001"));
	ck_assert_str_eq(err, "--loop-slice-us must be an integer from 0 to 100000, "
			 "not '100001'");
	ck_assert(!PARSE(OPTIONS_THREADS, "--loop-slice-us", "-1"));
}
END_TEST

START_TEST(test_slices_when_allowed)
{
	struct options o;
	char err[200];

	ck_assert(PARSE(OPTIONS_SLICES, "--slice-ms", "1"));
	ck_assert_int_eq(o.slice_ms, 1);
	ck_assert(PARSE(OPTIONS_SLICES, "--slice-ms=1000", "--yield", "timer1"));
	ck_assert_int_eq(o.slice_ms, 1000);
	ck_assert_int_eq(o.yield, YIELD_TIMER1);
	ck_assert(!PARSE(OPTIONS_SLICES, "--slice-ms", "0"));
	ck_assert_str_eq(err, "--slice-ms must be an integer from 1 to 1000, not '0'");
	ck_assert(!PARSE(OPTIONS_SLICES, "--slice-ms", "1001"));
	ck_assert(!PARSE(OPTIONS_SLICES, "--yield", "sleep0"));
	ck_assert_str_eq(err, "--yield must be turn, writeable, wake, timer0 or timer1, "
			 "not 'sleep0'");
	for (int y = YIELD_TURN; y <= YIELD_TIMER1; y++) {
		ck_assert(PARSE(OPTIONS_SLICES, "--yield", options_yield_name((enum yield_mode)y)));
		ck_assert_int_eq(o.yield, y);
	}
}
END_TEST

START_TEST(test_worker_priority_words)
{
	struct options o;
	char err[200];

	ck_assert(!PARSE(OPTIONS_THREADS, "--worker-priority", "high"));
	ck_assert_str_eq(err, "--worker-priority must be normal, nice or idle, not 'high'");
	ck_assert(!PARSE(OPTIONS_THREADS, "--worker-priority", ""));
	ck_assert(!PARSE(OPTIONS_THREADS, "--worker-priority"));
	ck_assert_str_eq(err, "--worker-priority needs a value");
	ck_assert_str_eq(options_priority_name(PRIORITY_IDLE), "idle");
}
END_TEST

/* Without --threads the pool gets one worker per online CPU, clamped to
 * --threads' own range (it once fell to 1 above OPTIONS_THREADS_MAX). */
START_TEST(test_threads_default_follows_cpus)
{
	ck_assert_int_eq(options_threads_default(2), 2);
	ck_assert_int_eq(options_threads_default(OPTIONS_THREADS_MAX), OPTIONS_THREADS_MAX);
	ck_assert_int_eq(options_threads_default(OPTIONS_THREADS_MAX + 1), OPTIONS_THREADS_MAX);
	ck_assert_int_eq(options_threads_default(4096), OPTIONS_THREADS_MAX);
	ck_assert_int_eq(options_threads_default(0), 1);	/* sysconf could not tell */
	ck_assert_int_eq(options_threads_default(-1), 1);
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_option);
	tcase_add_loop_test(tc, test_bad_command_lines, 0,
			    (int)(sizeof(bad_clis) / sizeof(bad_clis[0])));
	tcase_add_test(tc, test_threads_range_when_allowed);
	tcase_add_test(tc, test_pong_timeout_when_allowed);
	tcase_add_test(tc, test_loop_slice_when_allowed);
	tcase_add_test(tc, test_slices_when_allowed);
	tcase_add_test(tc, test_worker_priority_words);
	tcase_add_test(tc, test_threads_default_follows_cpus);
	suite_add_tcase(s, tc);
	return s;
}
