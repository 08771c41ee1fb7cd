/*
 * test_labrun.c: scripts/lab-run.sh, the one way the labs start servers.
 * It runs the harness against a server on a free port and stops the
 * server afterwards, whatever happens: after a clean run, after a bad
 * server argument (a clear error, status 1), and when the script itself
 * is stopped (SIGTERM to it alone, from `kill`: the case a `&` in a lab
 * script used to get wrong, the server going on holding its port).
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Runs a shell command line to completion; output in out. */
static int labrun_sh(const char *cmd, char *out, size_t cap)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	int st = spawn_run(argv, out, cap, 60000);

	ck_assert_msg(st != -1 && WIFEXITED(st), "did not finish: %s\n%s", cmd, out);
	return WEXITSTATUS(st);
}

/* True once process pid runs no more (gone, or a zombie nobody reaped
 * yet: either way it holds no socket). Waits up to 5 s. */
static bool labrun_gone(long pid)
{
	char path[64], stat[256];

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");

		if (!f)
			return true;
		size_t n = fread(stat, 1, sizeof(stat) - 1, f);

		fclose(f);
		stat[n] = '\0';
		const char *end = strrchr(stat, ')');

		if (end && end[1] == ' ' && end[2] == 'Z')
			return true;
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return false;
}

/* The server's pid from lab-run's "listening on port N (pid P)" line. */
static long labrun_server_pid(const char *out)
{
	const char *at = strstr(out, "(pid ");

	ck_assert_msg(at, "no \"(pid N)\" in lab-run's output:\n%s", out);
	return strtol(at + 5, NULL, 10);
}

START_TEST(test_a_clean_run_stops_its_server)
{
	char cmd[1024], out[16384];

	snprintf(cmd, sizeof(cmd), "HARNESS=%s/harness sh scripts/lab-run.sh "
		 "%s/server-blocking -- --items 2 --work-ms 5 2>&1", tu_build_dir(),
		 tu_build_dir());
	int rc = labrun_sh(cmd, out, sizeof(out));

	ck_assert_msg(rc == 0, "lab-run exited %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "listening on port"), "%s", out);
	ck_assert_msg(labrun_gone(labrun_server_pid(out)), "the server still runs:\n%s", out);
}
END_TEST

/* RTT_MS puts the delay proxy between harness and server: the run goes
 * through it (no result can arrive before a round trip and the item) and
 * the proxy is stopped with the server. */
START_TEST(test_a_run_through_the_delay_proxy)
{
	char cmd[1024], out[16384];

	snprintf(cmd, sizeof(cmd), "RTT_MS=40 PROXY=%s/delayproxy HARNESS=%s/harness "
		 "sh scripts/lab-run.sh %s/server-flush -- --items 2 --work-ms 10 2>&1",
		 tu_build_dir(), tu_build_dir(), tu_build_dir());
	int rc = labrun_sh(cmd, out, sizeof(out));

	ck_assert_msg(rc == 0, "lab-run exited %d:\n%s", rc, out);
	const char *line = strstr(out, "20 ms each way to port"), *pp, *arr;

	ck_assert_msg(line && (pp = strstr(line, "proxy pid ")), "no proxy line:\n%s", out);
	arr = strstr(out, "arrivals ");
	ck_assert_msg(arr, "no arrivals:\n%s", out);
	/* the request's way there and the first result's way back, 20 ms
	 * each, whatever the machine does: the proxy is never early */
	ck_assert_msg(strtol(arr + 9, NULL, 10) >= 40, "first result too soon:\n%s", out);
	ck_assert_msg(labrun_gone(strtol(pp + 10, NULL, 10)), "the proxy still runs:\n%s", out);
	ck_assert_msg(labrun_gone(labrun_server_pid(out)), "the server still runs:\n%s", out);
}
END_TEST

START_TEST(test_a_bad_server_argument_is_a_clear_error)
{
	char cmd[1024], out[16384];

	snprintf(cmd, sizeof(cmd), "HARNESS=%s/harness sh scripts/lab-run.sh "
		 "%s/server-blocking --no-such-option -- --items 1 --work-ms 1 2>&1",
		 tu_build_dir(), tu_build_dir());
	int rc = labrun_sh(cmd, out, sizeof(out));

	ck_assert_msg(rc == 1, "lab-run exited %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "--no-such-option"), "the server's error is not shown:\n%s",
		      out);
	ck_assert_msg(strstr(out, "lab-run: ") && strstr(out, "before listening"), "%s", out);
}
END_TEST

START_TEST(test_interrupting_the_script_stops_its_server)
{
	char cmd[2048], out[16384];

	/* lab-run in the background, stopped with `kill` while the job (10
	 * s long) runs: its trap must stop the server. (SIGINT would
	 * not do: a non-interactive shell starts `cmd &` with SIGINT
	 * ignored, and an ignored signal cannot be trapped.) */
	snprintf(cmd, sizeof(cmd),
		 "log=$(mktemp); HARNESS=%s/harness sh scripts/lab-run.sh "
		 "%s/server-blocking -- --items 1 --work-ms 10000 >$log 2>&1 & p=$!; "
		 "i=0; until grep -q 'listening on port' $log; do "
		 "i=$((i+1)); [ $i -lt 200 ] || break; sleep 0.05; done; "
		 "kill -TERM $p; wait $p; echo \"lab-run status $?\"; cat $log; rm -f $log",
		 tu_build_dir(), tu_build_dir());
	labrun_sh(cmd, out, sizeof(out));
	ck_assert_msg(strstr(out, "lab-run status 143"), "%s", out);
	ck_assert_msg(labrun_gone(labrun_server_pid(out)),
		      "the server outlived lab-run:\n%s", out);
}
END_TEST

Suite *labrun_suite(void)
{
	Suite *s = suite_create("labrun");
	TCase *tc = tcase_create("lab-run.sh");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_a_clean_run_stops_its_server);
	tcase_add_test(tc, test_a_run_through_the_delay_proxy);
	tcase_add_test(tc, test_a_bad_server_argument_is_a_clear_error);
	tcase_add_test(tc, test_interrupting_the_script_stops_its_server);
	suite_add_tcase(s, tc);
	return s;
}
