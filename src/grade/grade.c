/*
 * grade.c: build/grade, the lab grader (`make grade LAB=NN`).
 *
 *   build/grade LAB SERVER     e.g. build/grade 02 build/labs/server-lab02
 *
 * Starts SERVER as a child process, drives it with the independent
 * WebSocket client of the tests (src/client/wsclient.c, through watch.c), and prints
 * one line per check: PASS or FAIL, the number it measured and what it
 * should be. Exit status 0 when every check passes, 1 when any fails, 2 on
 * a bad command line. Each check names a behaviour of the lab's fix:
 *   02 flush       every message on time; the next item starts only after
 *                  the previous result was written; under two disciplines
 *   03 pingpong    on time; one PING per item; the next item after the PONG;
 *                  a client that ignores PINGs gets the timeout error; a
 *                  run sent as the last result arrives is not "busy"
 *   04 threadpool  on time; another client answered within 50 ms; the loop
 *                  never stalls; 4 jobs on 2 threads in parallel, in order;
 *                  a client leaving mid-job costs nothing
 * The thresholds are the ones the project's own tests use (3 items of
 * 150 ms, so the shape dominates a noisy machine's noise).
 */
#include "client/spawn.h"
#include "client/watch.h"
#include "client/wsclient.h"
#include "common/clock.h"
#include "harness/reply.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define ITEMS 3
#define WORK_MS 150
#define BYSTANDER_MS 20
#define ON_TIME_MS 20.0		/* a fixed server sends within this */
#define IO_MS 5000

struct grade {
	const char *server;
	int pass, fail;
};

static void check(struct grade *g, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints one PASS/FAIL line and counts it. */
static void check(struct grade *g, bool ok, const char *fmt, ...)
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

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

/* Starts the server with --port 0 --quiet and the given extra arguments
 * (NULL-terminated); a failure to start is itself a failed check. */
static bool start(struct grade *g, struct spawned *s, ...)
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
	check(g, false, "the server starts: %s", err);
	return false;
}

/* SIGTERM: a clean exit (status 0) within 5 s is a check too, and so is
 * a stderr free of sanitizer reports (make grade ... SAN=thread). */
static void stop(struct grade *g, struct spawned *s, const char *what)
{
	int st = spawn_stop(s, SIGTERM, 5000);
	char errtext[4096];

	spawn_read_stderr(s, errtext, sizeof(errtext));
	spawn_cleanup(s);
	const char *report = strstr(errtext, "Sanitizer");

	if (!report)
		report = strstr(errtext, "runtime error");
	if (report)
		check(g, false, "%s: the server's stderr holds a sanitizer report: %.300s",
		      what, report);
	check(g, st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "%s: the server exits with status 0 on SIGTERM%s", what,
	      st == -1 ? " (it did not exit within 5 s)" :
	      WIFSIGNALED(st) ? " (it crashed with a signal)" : "");
}

/* One client connection to the server s; on failure a FAIL line, the
 * server stopped (and checked) and NULL, so the caller just returns. */
static struct wsc *connect_or_stop(struct grade *g, struct spawned *s, const char *what)
{
	char err[256];
	struct wsc *c = wsc_connect(s->port, "/", "sendlab", IO_MS, err, sizeof(err));

	if (!c) {
		check(g, false, "%s: cannot connect: %s", what, err);
		stop(g, s, what);
	}
	return c;
}

/* Runs one watched job; a failure is a failed check. */
static bool job(struct grade *g, const struct spawned *s, const char *what,
		struct watched *w)
{
	char err[512];

	if (watch_job(s->port, ITEMS, WORK_MS, BYSTANDER_MS, w, err, sizeof(err)))
		return true;
	check(g, false, "%s: a job of %d x %d ms completes: %s", what, ITEMS, WORK_MS, err);
	return false;
}

/* Every message within ON_TIME_MS of its item's end. */
static void check_on_time(struct grade *g, const char *what, const struct watched *w)
{
	for (int k = 0; k < w->items; k++) {
		double late = ms(w->arrived[k] - w->done[k]);

		check(g, late < ON_TIME_MS, "%s: message %d arrived %.1f ms after its "
		      "compute finished; a fixed server sends within %.0f ms", what, k,
		      late, ON_TIME_MS);
	}
}

static void lab02(struct grade *g)
{
	static const char *const sends[] = { "proactor", "queue" };

	for (int i = 0; i < 2; i++) {
		struct spawned s;
		struct watched w;
		char what[32];

		snprintf(what, sizeof(what), "--send %s", sends[i]);
		if (!start(g, &s, "--send", sends[i], NULL))
			continue;
		if (job(g, &s, what, &w)) {
			check_on_time(g, what, &w);
			for (int k = 1; k < w.items; k++)
				check(g, w.start[k] >= w.sent[k - 1], "%s: item %d started "
				      "%.1f ms after result %d was written; a flushing server "
				      "starts an item only after the previous result left (>= 0)",
				      what, k, ms(w.start[k] - w.sent[k - 1]), k - 1);
		}
		stop(g, &s, what);
	}
}

/* A client that never answers PINGs: the job must end with the pong
 * timeout error, and the connection must still answer. */
static void lab03_deaf_client(struct grade *g)
{
	struct spawned s;
	struct wsc_frame f;
	struct reply r;
	char why[200];
	const char *what = "a client that ignores PINGs";

	if (!start(g, &s, "--pong-timeout-ms", "300", NULL))
		return;
	struct wsc *c = connect_or_stop(g, &s, what);

	if (!c)
		return;
	wsc_set_auto_pong(c, 0);
	wsc_send_text(c, "{\"op\":\"run\",\"items\":3,\"work_ms\":50}");
	int64_t t0 = clock_now_us(), t_err = 0;
	int results = 0, pings = 0;
	bool got_error = false;

	/* read for up to 3 s: results, PINGs, and the error */
	while (!got_error && clock_now_us() - t0 < 3000000) {
		int rc = wsc_recv(c, &f, 200);

		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		if (f.opcode == WSC_OP_PING) {
			pings++;
		} else if (f.opcode == WSC_OP_TEXT &&
			   reply_parse((const char *)f.data, f.len, &r, why, sizeof(why))) {
			if (r.op == REPLY_RESULT)
				results++;
			else if (r.op == REPLY_ERROR && strstr(r.error, "no pong within 300 ms")) {
				got_error = true;
				t_err = f.t_arrive_us;
			}
		}
	}
	check(g, pings == 1 && results == 1, "%s: it got %d result(s) and %d PING(s) "
	      "before the timeout; want 1 and 1 (no next item without a PONG)", what,
	      results, pings);
	if (got_error)
		check(g, true, "%s: the job ended with the pong-timeout error %.0f ms after "
		      "the run (--pong-timeout-ms 300)", what, ms(t_err - t0));
	else
		check(g, false, "%s: no \"no pong within 300 ms\" error within 3 s of the "
		      "run (--pong-timeout-ms 300)", what);

	wsc_send_text(c, "{\"op\":\"echo\",\"t_us\":1}");
	bool echoed = false;

	while (!echoed && wsc_recv(c, &f, 1000) == 1)
		echoed = f.opcode == WSC_OP_TEXT && strstr((char *)f.data, "\"op\":\"echo\"");
	check(g, echoed, "%s: afterwards the same connection still answers echo", what);
	wsc_close(c, IO_MS);
	stop(g, &s, what);
}

/* A client that sends its next run the moment the last result arrives
 * must get that job, not "busy": the last PING's PONG is still on its
 * way, and nothing may wait for it. */
static void lab03_next_run_at_once(struct grade *g)
{
	struct spawned s;
	struct wsc_frame f;
	struct reply r;
	char why[200];
	const char *what = "the next run, sent as the last result arrives";
	int results = 0;

	if (!start(g, &s, NULL))
		return;
	struct wsc *c = connect_or_stop(g, &s, what);

	if (!c)
		return;
	wsc_send_text(c, "{\"op\":\"run\",\"items\":2,\"work_ms\":20}");
	while (results < 2 && wsc_recv(c, &f, IO_MS) == 1)
		results += f.opcode == WSC_OP_TEXT && strstr((char *)f.data, "\"op\":\"result\"");
	wsc_send_text(c, "{\"op\":\"run\",\"items\":1,\"work_ms\":0}");
	bool replied = false;

	while (!replied && wsc_recv(c, &f, IO_MS) == 1)
		replied = f.opcode == WSC_OP_TEXT;
	if (!replied || !reply_parse((const char *)f.data, f.len, &r, why, sizeof(why)))
		check(g, false, "%s: no reply to it", what);
	else
		check(g, r.op == REPLY_RESULT, "%s: it got %s%s", what,
		      r.op == REPLY_RESULT ? "its result" : "an error: ",
		      r.op == REPLY_RESULT ? "" : r.error);
	wsc_close(c, IO_MS);
	stop(g, &s, what);
}

static void lab03(struct grade *g)
{
	struct spawned s;
	struct watched w;
	const char *what = "pingpong";

	if (start(g, &s, NULL)) {
		if (job(g, &s, what, &w)) {
			check_on_time(g, what, &w);
			check(g, w.pings == w.items, "%s: the client got %d PINGs for %d "
			      "items; want one after each result", what, w.pings, w.items);
			for (int k = 1; k < w.items; k++)
				check(g, w.start[k] >= w.arrived[k - 1], "%s: item %d started "
				      "%.1f ms after result %d reached the client; it should wait "
				      "for the PONG that follows it (>= 0)", what, k,
				      ms(w.start[k] - w.arrived[k - 1]), k - 1);
		}
		stop(g, &s, what);
	}
	lab03_deaf_client(g);
	lab03_next_run_at_once(g);
}

static void lab04(struct grade *g)
{
	struct spawned s;
	struct watched w;
	struct watched_jobs j;
	char err[512];
	const char *what = "threadpool";

	if (!start(g, &s, "--threads", "2", NULL))
		return;
	if (job(g, &s, what, &w)) {
		check_on_time(g, what, &w);
		check(g, w.worst_echo < 50000, "%s: another client waited at most %.1f ms "
		      "during the job; with the work off the loop thread, under 50 ms",
		      what, ms(w.worst_echo));
		check(g, w.lag_max < 20000, "%s: the event loop's worst lag during the job "
		      "was %.1f ms; a loop that never computes stays under 20 ms", what,
		      ms(w.lag_max));
	}
	bool ok = watch_jobs(s.port, 4, ITEMS, WORK_MS, &j, err, sizeof(err));

	if (!ok) {
		check(g, false, "%s: 4 clients' jobs complete, each in order: %s", what, err);
	} else {
		int64_t ideal = 4 * ITEMS * j.item / 2, took = j.last_arrival - j.t_request;

		check(g, took <= ideal * 3 / 2, "%s: 4 jobs of %d x %d ms on --threads 2 took "
		      "%.0f ms; in parallel they take at most 1.5 x %.0f ms", what, ITEMS,
		      WORK_MS, ms(took), ms(ideal));
	}
	/* a client that leaves mid-job, then the server must still serve */
	struct wsc *c = wsc_connect(s.port, "/", "sendlab", IO_MS, err, sizeof(err));

	if (c) {
		wsc_send_text(c, "{\"op\":\"run\",\"items\":5,\"work_ms\":100}");
		wsc_reset(c);
	}
	bool served = watch_job(s.port, 2, 20, BYSTANDER_MS, &w, err, sizeof(err));

	check(g, served, "%s: after a client left mid-job, a new job completes%s%s", what,
	      served ? "" : ": ", served ? "" : err);
	stop(g, &s, what);
}

int main(int argc, char **argv)
{
	struct grade g = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: grade LAB SERVER   (LAB: 02, 03 or 04)\n");
		return 2;
	}
	g.server = argv[2];
	if (!strcmp(argv[1], "02"))
		lab02(&g);
	else if (!strcmp(argv[1], "03"))
		lab03(&g);
	else if (!strcmp(argv[1], "04"))
		lab04(&g);
	else {
		fprintf(stderr, "grade: lab %s has no code to grade (02, 03 and 04 do)\n",
			argv[1]);
		return 2;
	}
	printf("lab %s: %d of %d checks pass%s\n", argv[1], g.pass, g.pass + g.fail,
	       g.fail ? "" : ": done");
	return g.fail ? 1 : 0;
}
