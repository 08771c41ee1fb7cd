/*
 * grade.c: build/grade, the lab grader (`make grade LAB=NN`).
 *
 *   build/grade LAB SERVER     e.g. build/grade 02 build/labs/server-lab02
 *
 * Starts SERVER as a child process, drives it with the tests' independent
 * WebSocket client (src/client/), and prints one line per check: PASS or
 * FAIL, the number it measured, what it should be, and on a FAIL the
 * likely cause. Exit status 0 when every check passes, 1 when any fails,
 * 2 on a bad command line. What each lab's checks are: grade_lab02.c,
 * grade_lab03.c, grade_lab04.c, grade_lab08.c. src/tests/test_grade.c proves the grader
 * fails plausible wrong solutions (src/tests/wrong/), not only starters.
 */
#include "grade/grade.h"

#include "common/clock.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void grade_check(struct grade *g, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s  ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		g->pass++;
	else
		g->fail++;
}

double grade_ms(int64_t us)
{
	return (double)us / 1000.0;
}

bool grade_start(struct grade *g, struct spawned *s, ...)
{
	char *argv[16];
	int argc = 0;
	char err[512];
	va_list ap;

	argv[argc++] = (char *)g->server;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--quiet";
	va_start(ap, s);
	for (char *a = va_arg(ap, char *); a && argc < 15; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	if (spawn_server(s, argv, 10000, err, sizeof(err)) == 0)
		return true;
	grade_check(g, false, "the server starts: %s", err);
	return false;
}

/* The whole line of errtext that holds `at`, quoted as evidence. */
static void grade_quote_stderr(struct grade *g, const char *what, const char *errtext,
			       const char *at, const char *kind)
{
	while (at > errtext && at[-1] != '\n')
		at--;
	int len = (int)strcspn(at, "\n");

	grade_check(g, false, "%s: the server's stderr holds %s: %.*s", what, kind,
		    len > 400 ? 400 : len, at);
}

void grade_stop(struct grade *g, struct spawned *s, const char *what)
{
	int st = spawn_stop(s, SIGTERM, 5000);
	char errtext[8192], how[64] = "";
	const char *at;

	spawn_read_stderr(s, errtext, sizeof(errtext));
	spawn_cleanup(s);
	if ((at = strstr(errtext, "called from a thread other than")) != NULL)
		grade_quote_stderr(g, what, errtext, at, "the core's wrong-thread report");
	if ((at = strstr(errtext, "Sanitizer")) != NULL ||
	    (at = strstr(errtext, "runtime error")) != NULL)
		grade_quote_stderr(g, what, errtext, at, "a sanitizer report");
	if (st == -1)
		snprintf(how, sizeof(how), " (it did not exit within 5 s)");
	else if (WIFSIGNALED(st))
		snprintf(how, sizeof(how), " (it had died of signal %d: a crash or an "
			 "abort)", WTERMSIG(st));
	else if (WEXITSTATUS(st) != 0)
		snprintf(how, sizeof(how), " (it exited with status %d)", WEXITSTATUS(st));
	grade_check(g, !how[0], "%s: the server exits with status 0 on SIGTERM%s", what,
		    how);
}

struct wsc *grade_connect(struct grade *g, struct spawned *s, const char *what)
{
	char err[256];
	struct wsc *c = wsc_connect(s->port, "/", "sendlab", GRADE_IO_MS, err, sizeof(err));

	if (!c) {
		grade_check(g, false, "%s: cannot connect: %s", what, err);
		grade_stop(g, s, what);
	}
	return c;
}

bool grade_job(struct grade *g, const struct spawned *s, const char *what,
	       const char *hint, int items, int work_ms, struct watched *w)
{
	char err[512];

	if (watch_job(s->port, items, work_ms, GRADE_BYSTANDER_MS, w, err,
		      sizeof(err)))
		return true;
	grade_check(g, false, "%s: a job of %d x %d ms completes: %s. Likely cause: %s",
		    what, items, work_ms, err, hint);
	return false;
}

/* The first k whose stamps are out of order, or -1. */
static int grade_stamps_out_of_order(const struct watched *w)
{
	for (int k = 0; k < w->items; k++)
		if (w->start[k] < w->t_recv || w->done[k] < w->start[k] ||
		    w->sent[k] < w->done[k] || w->arrived[k] < w->sent[k])
			return k;
	return -1;
}

void grade_delivery(struct grade *g, const char *what, int work_ms,
		    const struct watched *w)
{
	int shortest = 0, latest = 0, tightest = 1;

	for (int k = 1; k < w->items; k++) {
		if (w->done[k] - w->start[k] < w->done[shortest] - w->start[shortest])
			shortest = k;
		if (w->arrived[k] - w->done[k] > w->arrived[latest] - w->done[latest])
			latest = k;
		if (w->arrived[k] - w->arrived[k - 1] <
		    w->arrived[tightest] - w->arrived[tightest - 1])
			tightest = k;
	}
	int bad = grade_stamps_out_of_order(w);

	if (bad < 0)
		grade_check(g, true, "%s: every result's stamps are in order: t_recv <= "
			    "t_start <= t_done <= t_send <= its arrival on the grader's "
			    "clock", what);
	else
		grade_check(g, false, "%s: result %d's stamps are out of order: t_recv "
			    "%.1f, t_start %.1f, t_done %.1f, t_send %.1f, arrival %.1f ms "
			    "after the run was sent (want each <= the next). Likely cause: "
			    "stamps set by hand, not by session_compute_item and the core",
			    what, bad, grade_ms(w->t_recv - w->t_request),
			    grade_ms(w->start[bad] - w->t_request),
			    grade_ms(w->done[bad] - w->t_request),
			    grade_ms(w->sent[bad] - w->t_request),
			    grade_ms(w->arrived[bad] - w->t_request));
	int64_t item = w->done[shortest] - w->start[shortest];

	grade_check(g, item >= work_ms * 1000 / 2, "%s: the shortest item took "
		    "%.1f ms (item %d); each item is %d ms of work (>= %d)", what,
		    grade_ms(item), shortest, work_ms, work_ms / 2);
	/* On the grader's clock alone: a server that sends each result as
	 * it is ready gets result 0 out after 1 item of the job's N (0.2 of
	 * it at 5 items; up to 0.35 seen when a sanitizer slows the first
	 * item), one that holds results back after most of the job (compute
	 * all, then send: all of it; then drip them out an item apart with
	 * forged stamps: 5/9 of it). Relative to the job as measured, so a
	 * slow machine changes both sides alike. */
	double first = grade_ms(w->arrived[0] - w->t_request);
	double whole = grade_ms(w->arrived[w->items - 1] - w->t_request);
	bool early = first <= whole * 0.45;

	grade_check(g, early, "%s: result 0 arrived %.1f ms after the run was sent, "
		    "the last %.1f ms; sent as it is ready, result 0 comes after one "
		    "item of %d (<= 0.45 x the job)%s", what, first, whole, w->items,
		    early ? "" : ". Likely cause: results are held back and sent after "
		    "most of the job is computed");
	double late = grade_ms(w->arrived[latest] - w->done[latest]);

	grade_check(g, late < GRADE_ON_TIME_MS, "%s: the latest result (%d) arrived "
		    "%.1f ms after its compute finished; a fixed server sends within "
		    "%.0f ms%s", what, latest, late, GRADE_ON_TIME_MS,
		    late < GRADE_ON_TIME_MS ? "" : ". Likely cause: results wait in the "
		    "queue while the next item computes");
	double gap = grade_ms(w->arrived[tightest] - w->arrived[tightest - 1]);

	grade_check(g, gap >= work_ms / 2.0, "%s: results %d and %d arrived %.1f ms "
		    "apart on the grader's clock; one item apart is %d ms (>= %d)%s",
		    what, tightest - 1, tightest, gap, work_ms, work_ms / 2,
		    gap >= work_ms / 2.0 ? "" : ". Likely cause: they were held and "
		    "sent together");
}

bool grade_recv_text(struct wsc *c, struct wsc_frame *f, int timeout_ms)
{
	int64_t until = clock_now_us() + (int64_t)timeout_ms * 1000;

	while (clock_now_us() < until) {
		int rc = wsc_recv(c, f, (int)((until - clock_now_us()) / 1000) + 1);

		if (rc < 0)
			return false;
		if (rc == 1 && f->opcode == WSC_OP_TEXT)
			return true;
	}
	return false;
}

/* The labs with code, each graded against its server. Lab 09 has none:
 * it grades an answer file against a mystery number (grade_lab09.c). */
static const struct {
	const char *lab;
	void (*grade)(struct grade *g);
} grade_labs[] = {
	{ "02", grade_lab02 }, { "03", grade_lab03 }, { "04", grade_lab04 },
	{ "08", grade_lab08 },
};

static int grade_usage(void)
{
	fprintf(stderr, "usage: grade LAB SERVER   (LAB: 02, 03, 04 or 08)\n"
		"       grade 09 ANSWER_FILE MYSTERY_NUMBER\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct grade g = { 0 };
	bool found = false;

	if (argc < 2)
		return grade_usage();
	if (!strcmp(argv[1], "09")) {
		if (argc != 4)
			return grade_usage();
		grade_lab09(&g, argv[2], argv[3]);
		found = true;
	} else if (argc != 3) {
		return grade_usage();
	}
	g.server = argv[2];
	for (size_t i = 0; !found && i < sizeof(grade_labs) / sizeof(grade_labs[0]); i++)
		if (!strcmp(argv[1], grade_labs[i].lab)) {
			grade_labs[i].grade(&g);
			found = true;
		}
	if (!found) {
		fprintf(stderr, "grade: lab %s has nothing to grade (02, 03, 04, 08 and 09 do)\n",
			argv[1]);
		return 2;
	}
	printf("lab %s: %d of %d checks pass%s\n", argv[1], g.pass, g.pass + g.fail,
	       g.fail ? "" : ": done");
	return g.fail ? 1 : 0;
}
