/*
 * test_wsprobe.c: build/wsprobe against servers whose loop we know
 * (issue 21): on server-blocking its stall is the job and agrees with the
 * server's own lag monitor; each send discipline gives the bursts
 * docs/the-bug.md describes; on server-threadpool there is no stall; on
 * the Python original's create-task the stall and the burst show too.
 * Then lab 09: the tests' own mystery servers classify as cases.c says and
 * hide their choice, and the grader passes a right answer and fails wrong
 * ones. Every bound is relative to the measured job or item. The failure
 * modes (no pong, TLS, bad URLs) are test_wsprobe_fail.c's.
 */
#include "client/spawn.h"
#include "mystery/cases.h"
#include "mystery/classify.h"
#include "probe/probelog.h"
#include "probe/probestat.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include "common/clock.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAB09_JOB "{\"op\":\"run\",\"items\":6,\"work_ms\":150}"

/* Runs build/wsprobe against port with --send job until `messages`
 * messages came (--duration-s 20 only bounds it: a loaded machine that
 * stretches the job must not cut it short), its CSV into csv; stdout and
 * stderr into out. Returns the exit status (fails the test if it did not
 * exit normally within its bound). */
static int probe_run(int port, const char *job, int messages, int ping_ms,
		     const char *csv, char *out, size_t outcap)
{
	const int duration_s = 20;
	char bin[300], url[64], dur[16], ping[16], count[16];
	char *argv[16];
	int n = 0;

	snprintf(bin, sizeof(bin), "%s/wsprobe", tu_build_dir());
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", port);
	snprintf(dur, sizeof(dur), "%d", duration_s);
	snprintf(ping, sizeof(ping), "%d", ping_ms);
	snprintf(count, sizeof(count), "%d", messages);
	argv[n++] = bin;
	argv[n++] = "--url";
	argv[n++] = url;
	argv[n++] = "--duration-s";
	argv[n++] = dur;
	argv[n++] = "--ping-ms";
	argv[n++] = ping;
	argv[n++] = "--quiet";
	argv[n++] = "--messages";
	argv[n++] = count;
	argv[n++] = "--csv";
	argv[n++] = (char *)csv;
	if (job) {
		argv[n++] = "--send";
		argv[n++] = (char *)job;
	}
	argv[n] = NULL;

	int st = spawn_run(argv, out, outcap, (duration_s + 10) * 1000);

	ck_assert_msg(st != -1 && WIFEXITED(st), "wsprobe did not exit in time: %s", out);
	return WEXITSTATUS(st);
}

/* Reads a wsprobe CSV into *log (probelog_free it); fails the test if it
 * is not one. */
static void probe_read(const char *csv, struct probelog *log)
{
	char err[256];
	FILE *f = fopen(csv, "r");

	ck_assert_msg(f != NULL, "cannot open %s", csv);
	probelog_init(log, 1000000, 100000, 1000);
	ck_assert_msg(probelog_read_csv(log, f, err, sizeof(err)), "%s: %s", csv, err);
	fclose(f);
}

/* The number after `key` in the report, or -1. */
static double report_number(const char *out, const char *key)
{
	const char *at = strstr(out, key);

	return at ? strtod(at + strlen(key), NULL) : -1;
}

/* The time from the job's send to the arrival of its last (n-th) message. */
static int64_t job_span(const struct probelog *log, size_t n)
{
	ck_assert_msg(log->n_sends >= 1 && log->n_msgs >= n, "%zu sends, %zu messages",
		      log->n_sends, log->n_msgs);
	return log->msgs[n - 1].t_us - log->sends[0].t_us;
}

/* Probes the server on port sending job, until its `messages` results
 * came, pinging every ping_ms: asserts a clean exit, reads its CSV into
 * *log (probelog_free it) and summarises it into *sum; the report goes to
 * out. */
static void probe_job(int port, const char *job, int messages, int ping_ms,
		      struct probelog *log, struct probe_summary *sum, char *out,
		      size_t outcap)
{
	char csv[128];

	tu_temp_file(csv, sizeof(csv), "probe");
	int rc = probe_run(port, job, messages, ping_ms, csv, out, outcap);

	ck_assert_msg(rc == 0, "wsprobe exited %d: %s", rc, out);
	probe_read(csv, log);
	unlink(csv);
	probestat_summarize(log, log->pings[log->n_pings - 1].t_pong_us, 100000, 100000,
			    sum);
}

/* Done means: a 3 x 300 ms job on server-blocking gives a pong stall of
 * at least 600 ms (two thirds of the job), and the stall agrees with what
 * the server's own lag monitor saw (the same block measured from inside:
 * within 5 % of the job; measured 1-9 ms apart). */
START_TEST(test_blocking_stall_is_the_job_and_the_lag_monitors)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	struct reply r;
	char out[4096], stats[96];
	int64_t t0 = clock_now_us();

	tu_start(&s, "blocking", "--iters-per-ms", tu_iters_per_ms(), NULL);
	probe_job(s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":300}", 3, 2, &log, &sum,
		  out, sizeof(out));
	int64_t job = job_span(&log, 3);

	ck_assert_msg(sum.longest_stall_us >= job * 2 / 3, "longest stall %lld us of a "
		      "%lld us job: %s", (long long)sum.longest_stall_us, (long long)job, out);
	/* the report says the same as the CSV */
	double said = report_number(out, "longest ");

	ck_assert_msg(said * 1000 > sum.longest_stall_us - 1000 &&
		      said * 1000 < sum.longest_stall_us + 1000, "report %.1f ms, CSV "
		      "%lld us: %s", said, (long long)sum.longest_stall_us, out);

	struct wsc *c = tu_connect(&s);

	snprintf(stats, sizeof(stats), "{\"op\":\"stats\",\"since_us\":%lld}", (long long)t0);
	tu_send(c, stats);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_STATS);
	int64_t lag = r.v[REPLY_LAG_MAX_US], diff = lag - sum.longest_stall_us;

	ck_assert_msg(llabs(diff) <= job / 20, "wsprobe's stall %lld us, the lag "
		      "monitor's max %lld us: %lld apart (want within 5 %% of the %lld "
		      "us job)", (long long)sum.longest_stall_us, (long long)lag,
		      (long long)diff, (long long)job);
	wsc_close(c, TU_IO_MS);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* The bursts of each send discipline of the bug (docs/the-bug.md),
 * counted by the report: proactor, the first alone and the other three
 * together; queue, all four together; direct, none. */
START_TEST(test_blocking_bursts_follow_the_send_discipline)
{
	static const char *const sends[] = { "proactor", "queue", "direct" };
	static const int largest[] = { 3, 4, 0 };
	const char *send = sends[_i];
	struct spawned s;
	char csv[128], out[4096];

	tu_start(&s, "blocking", "--send", send, "--iters-per-ms", tu_iters_per_ms(), NULL);
	tu_temp_file(csv, sizeof(csv), "probe-bursts");
	int rc = probe_run(s.port, "{\"op\":\"run\",\"items\":4,\"work_ms\":100}", 4, 10,
			   csv, out, sizeof(out));

	ck_assert_msg(rc == 0, "wsprobe exited %d: %s", rc, out);
	/* the bursts line: "...of silence): N, largest M messages" */
	const char *b = strstr(out, "of silence): ");
	double bursts = report_number(out, "of silence): ");
	double size = b && strstr(b, "largest ") ? report_number(b, "largest ") : 0;
	ck_assert_msg(bursts == (largest[_i] ? 1 : 0) && (int)size == largest[_i],
		      "--send %s: %.0f bursts, the largest %.0f messages; want %d of %d: %s",
		      send, bursts, size, largest[_i] ? 1 : 0, largest[_i], out);
	unlink(csv);
	tu_stop_clean(&s);
}
END_TEST

/* The fix: the loop never waits for the work, so no pong waits even a
 * tenth of an item (measured: at most 0.7 ms for 300 ms items), and the
 * results come one item apart, not in a burst. */
START_TEST(test_threadpool_answers_every_ping_at_once)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	char out[4096];

	tu_start(&s, "threadpool", "--iters-per-ms", tu_iters_per_ms(), NULL);
	probe_job(s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":300}", 3, 2, &log, &sum,
		  out, sizeof(out));
	int64_t item = job_span(&log, 3) / 3;

	ck_assert_msg(sum.pongs == sum.pings && sum.pong_max_us < item / 10,
		      "%zu of %zu pings answered, the slowest after %lld us; want all, "
		      "under a tenth of the %lld us item: %s", sum.pongs, sum.pings,
		      (long long)sum.pong_max_us, (long long)item, out);
	ck_assert_msg(sum.n_bursts == 0 && strstr(out, "stalls (no pong for over 100 ms): 0\n"),
		      "want no stall and no burst: %s", out);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* The Python original with create_task(ws.send(r)) in the compute loop
 * (python-websockets issue #1614): the loop stalls for the job, and all
 * three results arrive in one burst at its end. */
START_TEST(test_python_create_task_stalls_and_bursts)
{
	struct spawned s;
	struct probelog log;
	struct probe_summary sum;
	char out[4096];

	tu_start(&s, "py-create-task", NULL);
	probe_job(s.port, "{\"op\":\"run\",\"items\":3,\"work_ms\":150}", 3, 2, &log, &sum,
		  out, sizeof(out));
	int64_t job = job_span(&log, 3);

	ck_assert_msg(sum.longest_stall_us >= job * 7 / 10, "longest pong wait %lld us "
		      "of a %lld us job: %s", (long long)sum.longest_stall_us,
		      (long long)job, out);
	ck_assert_msg(sum.n_bursts == 1 && sum.largest_burst == 3, "%zu bursts, the "
		      "largest %zu messages; want the three results in one: %s",
		      sum.n_bursts, sum.largest_burst, out);
	probelog_free(&log);
	tu_stop_clean(&s);
}
END_TEST

/* --print shows each message as it arrives: its time and its text (here
 * a result, whose stamps the student compares with the CSV's). */
START_TEST(test_print_shows_each_message)
{
	struct spawned s;
	char bin[300], url[64], out[4096];

	tu_start(&s, "blocking", NULL);
	snprintf(bin, sizeof(bin), "%s/wsprobe", tu_build_dir());
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	char *argv[] = { bin, "--url", url, "--duration-s", "1", "--quiet", "--print",
			 "--send", "{\"op\":\"run\",\"items\":2,\"work_ms\":1}", NULL };
	int st = spawn_run(argv, out, sizeof(out), 10000);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%d: %s", st, out);
	const char *first = strstr(out, " s  {\"op\":\"result\",\"variant\":\"blocking\",\"seq\":0");
	const char *second = strstr(out, " s  {\"op\":\"result\",\"variant\":\"blocking\",\"seq\":1");

	ck_assert_msg(first && second && first < second, "want both results, in order: %s", out);
	tu_stop_clean(&s);
}
END_TEST

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
	char out[4096], err[256];

	ck_assert_ptr_nonnull(c);
	mystery_start(&s, number);
	probe_job(s.port, LAB09_JOB, 6, 10, &log, &sum, out, sizeof(out));
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
	char out[4096];

	mystery_start(&s, number);
	int rc = probe_run(s.port, LAB09_JOB, 6, 10, csv, out, sizeof(out));

	ck_assert_msg(rc == 0, "wsprobe exited %d: %s", rc, out);
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

	unlink(blocking);
	unlink(pool);
	unlink(bad);
	unlink(answer);
}
END_TEST

Suite *wsprobe_suite(void)
{
	Suite *s = suite_create("wsprobe");
	TCase *shape = tcase_create("shape");
	TCase *mystery = tcase_create("mystery");

	tcase_set_timeout(shape, 60);
	tcase_add_test(shape, test_blocking_stall_is_the_job_and_the_lag_monitors);
	tcase_add_loop_test(shape, test_blocking_bursts_follow_the_send_discipline, 0, 3);
	tcase_add_test(shape, test_threadpool_answers_every_ping_at_once);
	tcase_add_test(shape, test_python_create_task_stalls_and_bursts);
	tcase_add_test(shape, test_print_shows_each_message);
	suite_add_tcase(s, shape);
	tcase_set_timeout(mystery, 90);
	tcase_add_loop_test(mystery, test_mystery_servers_classify_as_their_case, 0, 4);
	tcase_add_test(mystery, test_mystery_server_hides_its_case);
	tcase_add_test(mystery, test_lab09_grader_passes_right_and_fails_wrong_answers);
	suite_add_tcase(s, mystery);
	return s;
}
