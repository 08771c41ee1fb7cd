/*
 * test_grade.c: the lab grader is honest both ways. It FAILS every
 * untouched starter (each lab's exercise.c as shipped) and every plausible
 * wrong solution in src/tests/wrong/ (the reference with one mistake a
 * student could make: build/wrong/NAME), each with the FAIL line that
 * names its mistake; and it PASSES the reference solutions (src/servers/),
 * every check.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const struct lab {
	const char *lab;
	const char *reference;		/* build/server-<reference> */
	const char *starter_fails;	/* a FAIL line the starter must get */
} graded_labs[] = {
	{ "02", "flush", "ms apart on the grader's clock; one item apart is 100 ms (>= 50). "
	  "Likely cause: they were held and sent together" },
	{ "03", "pingpong", "FAIL  pingpong: the client got 0 PINGs for 5 items" },
	{ "04", "threadpool", "FAIL  threadpool: another client waited at most " },
	{ "08", "partition", "FAIL  another client waited at most " },
};

/* Each wrong solution and the FAIL line that must name its mistake. */
static const struct wrong {
	const char *name;		/* src/tests/wrong/NAME.patch */
	const char *fails;
} wrongs[] = {
	{ "lab02-forged-stamps", "Likely cause: they were held and sent together" },
	{ "lab02-waits-for-drain", "FAIL  --send direct: a job of 5 x 100 ms completes: " },
	{ "lab02-restarts-from-zero", "out of order" },
	{ "lab03-any-pong", "FAIL  wrong PONGs first: item 1 started" },
	{ "lab03-no-job-check", "FAIL  wrong PONGs first: item 1 started" },
	{ "lab03-no-item-check", "FAIL  wrong PONGs first: item 2 started" },
	{ "lab03-timer-not-pong", "FAIL  wrong PONGs first: item 1 started" },
	{ "lab03-timeout-names-next", "FAIL  a client that stops answering PINGs: the job "
	  "ends with the pong-timeout error for result 1" },
	{ "lab04-worker-sends", "wrong-thread report: server-threadpool: "
	  "server_find_session() was called from a thread other than the event loop's" },
	{ "lab04-drop-when-full", "FAIL  the ring: a job of 192 results" },
	{ "lab04-no-wake", "FAIL  threadpool: a job of 5 x 100 ms completes" },
	{ "lab08-one-yield-per-item", "Likely cause: the loop gets control back only after "
	  "a whole item or job" },
	{ "lab08-never-yields", "they should take turns" },
	{ "lab08-part-on-stack", "FAIL  --slice-ms 10: a job of 5 x 150 ms completes" },
	{ "lab08-part-not-reset", "FAIL  result 1's checksum is " },
};

/* Runs build/grade LAB SERVER; returns its exit status, output in out. */
static int grade(const char *lab, const char *server, char *out, size_t cap)
{
	char grader[512];

	snprintf(grader, sizeof(grader), "%s/grade", tu_build_dir());
	char *argv[] = { grader, (char *)lab, (char *)server, NULL };
	int st = spawn_run(argv, out, cap, 60000);

	ck_assert_msg(st != -1 && WIFEXITED(st), "grade %s %s did not finish", lab, server);
	return WEXITSTATUS(st);
}

START_TEST(test_untouched_starter_fails)
{
	const struct lab *l = &graded_labs[_i];
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/labs/starter-lab%s", tu_build_dir(), l->lab);
	int rc = grade(l->lab, server, out, sizeof(out));

	ck_assert_msg(rc == 1, "grade %s on the starter exited %d:\n%s", l->lab, rc, out);
	ck_assert_msg(strstr(out, l->starter_fails), "want \"%s\" in:\n%s", l->starter_fails,
		      out);
	ck_assert_msg(!strstr(out, "checks pass: done"), "%s", out);
}
END_TEST

START_TEST(test_wrong_solution_fails)
{
	const struct wrong *w = &wrongs[_i];
	char lab[3] = { w->name[3], w->name[4], 0 };	/* "labNN-..." */
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/wrong/%s", tu_build_dir(), w->name);
	int rc = grade(lab, server, out, sizeof(out));

	ck_assert_msg(rc == 1, "grade %s on %s exited %d:\n%s", lab, w->name, rc, out);
	ck_assert_msg(strstr(out, w->fails), "%s: want \"%s\" in:\n%s", w->name, w->fails,
		      out);
}
END_TEST

START_TEST(test_reference_solution_passes)
{
	const struct lab *l = &graded_labs[_i];
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/server-%s", tu_build_dir(), l->reference);
	int rc = grade(l->lab, server, out, sizeof(out));

	ck_assert_msg(rc == 0, "grade %s on server-%s exited %d:\n%s", l->lab, l->reference,
		      rc, out);
	ck_assert_msg(!strstr(out, "FAIL"), "%s", out);
	ck_assert_msg(strstr(out, "checks pass: done"), "%s", out);
}
END_TEST

/* Under ThreadSanitizer (make test-tsan; make grade runs lab 04 so too): a
 * ring posted to without its lock races the loop's drain, and the grade
 * fails quoting the report; the reference passes every check. */
START_TEST(test_unlocked_ring_fails_under_tsan)
{
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/wrong/lab04-unlocked-ring", tu_build_dir());
	int rc = grade("04", server, out, sizeof(out));

	ck_assert_msg(rc == 1, "grade 04 on lab04-unlocked-ring exited %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "holds a sanitizer report: WARNING: ThreadSanitizer: data race"),
		      "want the data race quoted in:\n%s", out);
}
END_TEST

START_TEST(test_lab_without_code_is_refused)
{
	char out[1024];

	ck_assert_int_eq(grade("01", "/bin/true", out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "lab 01 has nothing to grade"), "%s", out);
}
END_TEST

Suite *grade_suite(void)
{
	Suite *s = suite_create("grade");
	TCase *tc = tcase_create("labs");
	int n = (int)(sizeof(graded_labs) / sizeof(graded_labs[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_untouched_starter_fails, 0, n);
	tcase_add_loop_test(tc, test_wrong_solution_fails, 0,
			    (int)(sizeof(wrongs) / sizeof(wrongs[0])));
	tcase_add_loop_test(tc, test_reference_solution_passes, 0, n);
	tcase_add_test(tc, test_lab_without_code_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

/* Empty unless the build is ThreadSanitizer's (SENDLAB_SAN=thread). */
Suite *grade_tsan_suite(void)
{
	Suite *s = suite_create("grade_tsan");
	const char *san = getenv("SENDLAB_SAN");

	if (san && strstr(san, "thread")) {
		TCase *tc = tcase_create("ring");

		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, test_unlocked_ring_fails_under_tsan);
		suite_add_tcase(s, tc);
	}
	return s;
}
