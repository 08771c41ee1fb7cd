/*
 * test_grade.c: the lab grader is honest both ways. It FAILS every
 * untouched starter (each lab's exercise.c as shipped), naming what is
 * wrong, and PASSES the reference solutions (src/servers/), every check.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static const struct lab {
	const char *lab;
	const char *reference;		/* build/server-<reference> */
	const char *starter_fails;	/* a FAIL line the starter must get */
} labs[] = {
	{ "02", "flush", "FAIL  --send queue: message 0 arrived " },
	{ "03", "pingpong", "FAIL  pingpong: the client got 0 PINGs for 3 items" },
	{ "04", "threadpool", "FAIL  threadpool: another client waited at most " },
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
	const struct lab *l = &labs[_i];
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/labs/starter-lab%s", tu_build_dir(), l->lab);
	int rc = grade(l->lab, server, out, sizeof(out));

	ck_assert_msg(rc == 1, "grade %s on the starter exited %d:\n%s", l->lab, rc, out);
	ck_assert_msg(strstr(out, l->starter_fails), "want \"%s\" in:\n%s", l->starter_fails,
		      out);
	ck_assert_msg(!strstr(out, "checks pass: done"), "%s", out);
}
END_TEST

START_TEST(test_reference_solution_passes)
{
	const struct lab *l = &labs[_i];
	char server[512], out[16384];

	snprintf(server, sizeof(server), "%s/server-%s", tu_build_dir(), l->reference);
	int rc = grade(l->lab, server, out, sizeof(out));

	ck_assert_msg(rc == 0, "grade %s on server-%s exited %d:\n%s", l->lab, l->reference,
		      rc, out);
	ck_assert_msg(!strstr(out, "FAIL"), "%s", out);
	ck_assert_msg(strstr(out, "checks pass: done"), "%s", out);
}
END_TEST

START_TEST(test_lab_without_code_is_refused)
{
	char out[1024];

	ck_assert_int_eq(grade("01", "/bin/true", out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "lab 01 has no code to grade"), "%s", out);
}
END_TEST

Suite *grade_suite(void)
{
	Suite *s = suite_create("grade");
	TCase *tc = tcase_create("labs");
	int n = (int)(sizeof(labs) / sizeof(labs[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_untouched_starter_fails, 0, n);
	tcase_add_loop_test(tc, test_reference_solution_passes, 0, n);
	tcase_add_test(tc, test_lab_without_code_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
