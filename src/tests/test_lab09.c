/*
 * test_lab09.c: lab 09, the mystery server. The tests' own mystery servers
 * (make test builds build/tests/server-mystery-N for a few numbers) probed
 * by wsprobe on the lab's job classify as src/mystery/cases.c says, and
 * hide their case; the grader passes a right answer with its evidence and
 * fails every kind of wrong one.
 */
#include "client/spawn.h"
#include "harness/reply.h"
#include "mystery/cases.h"
#include "mystery/classify.h"
#include "probe/probelog.h"
#include "probe/probestat.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "tests/wprun.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAB09_JOB "{\"op\":\"run\",\"items\":6,\"work_ms\":150}"

/* Starts the tests' server-mystery-N (built by make test with
 * -DMYSTERY_NUMBER=N). */
static void mystery_start(struct spawned *s, int number)
{
	char bin[300], err[512];
	char *argv[] = { bin, "--port", "0", "--iters-per-ms", (char *)tu_iters_per_ms(),
			 NULL };

	snprintf(bin, sizeof(bin), "%s/tests/server-mystery-%d", tu_build_dir(), number);
	ck_assert_msg(spawn_server(s, argv, TU_START_MS, err, sizeof(err)) == 0,
		      "%s: %s", bin, err);
}

/* wsprobe on the lab's job classifies each test mystery server as cases.c
 * says its case looks from outside (the grader checks students against
 * the same table). Numbers: 7 blocking/proactor, 14 flush/queue, 9
 * partition/direct, 4 threadpool/proactor (cases.c's mapping). */
START_TEST(test_mystery_servers_classify_as_their_case)
{
	static const int numbers[] = { 7, 14, 9, 4 };
	int number = numbers[_i];
	const struct mystery_case *c = mystery_case_at(mystery_case_of(number));
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct classify_job j;
	struct wp_run run;
	char err[256];

	ck_assert_ptr_nonnull(c);
	mystery_start(&s, number);
	wp_probe_job(&run, s.port, LAB09_JOB, 6, 10, &log, &sum);
	ck_assert_msg(classify_job(&log, 6, &j, err, sizeof(err)), "%s", err);
	ck_assert_msg(j.loop == c->expected.loop && j.arrivals_clear &&
		      j.arrivals == c->expected.arrivals,
		      "mystery %d (%s, --send %s): classified loop %s, arrivals %s%s "
		      "(worst wait %lld us, median %lld us, %zu groups); cases.c says %s, %s",
		      number, c->variant, c->send, mystery_loop_name(j.loop),
		      mystery_arrivals_name(j.arrivals), j.arrivals_clear ? "" : " (unclear)",
		      (long long)j.worst_wait_us, (long long)j.median_wait_us, j.groups,
		      mystery_loop_name(c->expected.loop),
		      mystery_arrivals_name(c->expected.arrivals));
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* What would tell the hidden case is closed: frames say "mystery", the
 * options that would reveal or change it are refused with one sentence. */
START_TEST(test_mystery_server_hides_its_case)
{
	struct spawned s;
	struct reply r;
	char bin[300], out[2048];

	mystery_start(&s, 4);	/* threadpool: the one with options of its own */
	struct wsc *c = tu_connect(&s);

	tu_send(c, "{\"op\":\"run\",\"items\":1,\"work_ms\":1}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_RESULT);
	ck_assert_str_eq(r.variant, "mystery");
	tu_send(c, "{\"op\":\"stats\"}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_str_eq(r.variant, "mystery");
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);

	snprintf(bin, sizeof(bin), "%s/tests/server-mystery-4", tu_build_dir());
	static const char *const refused[] = { "--send", "--threads", "--slice-ms",
					       "--lag-log", "--pong-timeout-ms" };

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char *argv[] = { bin, (char *)refused[i], "1", NULL };
		int st = spawn_run(argv, out, sizeof(out), 5000);

		ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2 &&
			      strstr(out, "is not available: the mystery server keeps its "
				     "own settings"), "%s: status %d: %s", refused[i], st, out);
	}
	char *help[] = { bin, "--help", NULL };

	ck_assert_int_eq(spawn_run(help, out, sizeof(out), 5000), 0);
	ck_assert_msg(!strstr(out, "threadpool") && !strstr(out, "server-threadpool"),
		      "--help names the variant: %s", out);
}
END_TEST

/* The lab 09 grader's verdict on one answer file. */
struct graded {
	int status;
	char out[8192];
};

static void grade_answer(struct graded *g, const char *answer, const char *number)
{
	char bin[300];
	char *argv[] = { bin, "09", (char *)answer, (char *)number, NULL };

	snprintf(bin, sizeof(bin), "%s/grade", tu_build_dir());
	int st = spawn_run(argv, g->out, sizeof(g->out), 10000);

	ck_assert_msg(st != -1 && WIFEXITED(st), "the grader did not exit: %s", g->out);
	g->status = WEXITSTATUS(st);
}

static void write_answer(const char *path, const char *loop, const char *arrivals,
			 const char *round_trip, const char *evidence)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "# lab 09\nloop: %s\narrivals: %s\nround-trip: %s\nevidence: %s\n",
		loop, arrivals, round_trip, evidence);
	ck_assert_int_eq(fclose(f), 0);
}

/* Probes test mystery server `number` with the lab's job into csv. */
static void mystery_evidence(int number, const char *csv)
{
	struct spawned s;
	struct wp_run run;

	mystery_start(&s, number);
	wp_probe(&run, s.port, LAB09_JOB, 6, 10, csv);
	wp_assert(&run, 0, NULL);
	tu_stop_clean(&s);
}

/* The grader passes the right answer with its evidence and fails every
 * kind of wrong one: a wrong word, a claim its own CSV contradicts, a
 * right claim with another server's CSV, no or bad evidence, a short job,
 * words that are none of the allowed, and the answer of another case. */
START_TEST(test_lab09_grader_passes_right_and_fails_wrong_answers)
{
	char blocking[128], pool[128], bad[128], answer[128];
	struct graded g;

	tu_temp_file(blocking, sizeof(blocking), "lab09-blocking");
	tu_temp_file(pool, sizeof(pool), "lab09-pool");
	tu_temp_file(bad, sizeof(bad), "lab09-bad");
	tu_temp_file(answer, sizeof(answer), "lab09-answer");
	mystery_evidence(7, blocking);	/* blocking, proactor */
	mystery_evidence(4, pool);	/* threadpool, proactor */

	write_answer(answer, "job", "first-then-clumped", "free", blocking);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 0 && strstr(g.out, "6 of 6 checks pass"),
		      "the right answer: status %d: %s", g.status, g.out);

	/* the right class, graded as another case's number */
	grade_answer(&g, answer, "4");
	ck_assert_msg(g.status == 1 && strstr(g.out, "FAIL  loop: 'job'"),
		      "another case: status %d: %s", g.status, g.out);

	/* a wrong word the evidence contradicts: both checks fail */
	write_answer(answer, "item", "first-then-clumped", "free", blocking);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "FAIL  evidence shows the loop") &&
		      strstr(g.out, "FAIL  loop: 'item'"), "loop item: %s", g.out);

	/* a round trip on one host: the hint names the delay proxy */
	write_answer(answer, "job", "first-then-clumped", "bound", blocking);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "FAIL  round-trip") &&
		      strstr(g.out, "delayproxy"), "round-trip bound: %s", g.out);

	/* the right words, another server's CSV: the evidence does not show them */
	write_answer(answer, "job", "first-then-clumped", "free", pool);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "FAIL  evidence shows the loop") &&
		      strstr(g.out, "FAIL  evidence shows the arrivals"),
		      "threadpool's CSV for blocking's class: %s", g.out);

	/* no evidence, a missing file, a file that is not a wsprobe CSV */
	write_answer(answer, "job", "first-then-clumped", "free", "");
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "nothing after 'evidence:'"), "%s", g.out);
	write_answer(answer, "job", "first-then-clumped", "free", "/nonexistent/x.csv");
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "FAIL  evidence: the wsprobe CSV"),
		      "%s", g.out);
	FILE *f = fopen(bad, "w");

	ck_assert_ptr_nonnull(f);
	fputs("t_us,lag_us\n1,2\n", f);
	fclose(f);
	write_answer(answer, "job", "first-then-clumped", "free", bad);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "is a wsprobe CSV: line 1"), "%s", g.out);

	/* a job far shorter than the lab's: 6 results in a few ms */
	f = fopen(bad, "w");
	ck_assert_ptr_nonnull(f);
	fputs("kind,t_sent_us,t_recv_us,bytes\nping,1000,1100,9\nsend,1200,,30\n"
	      "ping,1300,1400,9\n", f);
	for (int k = 0; k < 6; k++)
		fprintf(f, "msg,,%d,190\n", 2000 + k * 2000);
	fclose(f);
	write_answer(answer, "never", "spaced", "free", bad);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "a shorter job than the lab's"),
		      "%s", g.out);

	/* words that are none of the allowed */
	write_answer(answer, "blocked", "late", "yes", blocking);
	grade_answer(&g, answer, "7");
	ck_assert_msg(g.status == 1 && strstr(g.out, "'blocked' is one of job, item, "
		      "slice, never") && strstr(g.out, "'yes' is one of bound, free"),
		      "%s", g.out);

	/* a bad mystery number */
	grade_answer(&g, answer, "12x");
	ck_assert_msg(g.status == 1 && strstr(g.out, "the mystery number '12x'"), "%s", g.out);

	/* no mystery number at all: a usage error, not a pass with no checks */
	char bin[300];
	char *argv[] = { bin, "09", answer, NULL };

	snprintf(bin, sizeof(bin), "%s/grade", tu_build_dir());
	int st = spawn_run(argv, g.out, sizeof(g.out), 10000);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2 &&
		      strstr(g.out, "grade 09 ANSWER_FILE MYSTERY_NUMBER"), "%d: %s", st, g.out);

	unlink(blocking);
	unlink(pool);
	unlink(bad);
	unlink(answer);
}
END_TEST

Suite *lab09_suite(void)
{
	Suite *s = suite_create("lab09");
	TCase *mystery = tcase_create("mystery");

	tcase_set_timeout(mystery, 90);
	tcase_add_loop_test(mystery, test_mystery_servers_classify_as_their_case, 0, 4);
	tcase_add_test(mystery, test_mystery_server_hides_its_case);
	tcase_add_test(mystery, test_lab09_grader_passes_right_and_fails_wrong_answers);
	suite_add_tcase(s, mystery);
	return s;
}
