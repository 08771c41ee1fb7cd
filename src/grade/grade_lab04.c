/*
 * grade_lab04.c: the checks of lab 04, the thread-pool fix.
 *
 * The work runs on worker threads, so the loop never stalls: results on
 * time, another client answered within 50 ms, the loop's own lag monitor
 * quiet; 4 jobs on --threads 2 run two at a time; a job of more results
 * than the completion ring holds (64) arrives whole and in order, which a
 * ring that drops when full cannot do; a client leaving mid-job costs
 * nothing.
 *
 * The ring fills only when the workers post faster than the loop drains.
 * A free loop drains within microseconds of each wake, so for the long
 * job the grader hands the workers the advantage: one core for the whole
 * server, the loop thread at nice 19, the worker at the loop's priority.
 * Then the worker posts until the ring is full before the loop runs. A worker that calls a session function itself is stopped by the
 * core (it checks the calling thread), and grade_stop() quotes that.
 */
#define _GNU_SOURCE	/* sched_setaffinity, CPU_SET: Linux */
#include "grade/grade.h"

#include "common/clock.h"
#include "harness/reply.h"

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#define LAB04_LONG_ITEMS (3 * 64)	/* three times the ring */

static const char *const lab04_stall_hint =
	"results never reach the client: does the worker post to the ring and "
	"call server_wake_loop(), and does variant_wake drain the ring and send "
	"each result whose session is still open?";

/* One job of LAB04_LONG_ITEMS items of 0 ms: the workers post far faster
 * than the loop drains, so the ring fills. Every result must arrive, in
 * order. Returns how many did (in *got) and false with a reason. */
static bool lab04_long_job(int port, int *got, char *why, size_t cap)
{
	struct wsc_frame f;
	struct reply r;
	char err[256];
	struct wsc *c = wsc_connect(port, "/", "sendlab", GRADE_IO_MS, err, sizeof(err));

	*got = 0;
	if (!c) {
		snprintf(why, cap, "cannot connect: %s", err);
		return false;
	}
	char msg[80];

	snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":0}",
		 LAB04_LONG_ITEMS);
	wsc_send_text(c, msg);
	bool ok = true;

	while (ok && *got < LAB04_LONG_ITEMS) {
		if (!grade_recv_text(c, &f, 3000)) {
			snprintf(why, cap, "nothing more within 3 s");
			ok = false;
		} else if (!reply_parse((const char *)f.data, f.len, &r, why, cap)) {
			ok = false;
		} else if (r.op != REPLY_RESULT || r.v[REPLY_SEQ] != *got) {
			snprintf(why, cap, "got %.120s when result %d was due",
				 (const char *)f.data, *got);
			ok = false;
		} else {
			(*got)++;
		}
	}
	wsc_close(c, GRADE_IO_MS);
	return ok;
}

/* Puts every thread of process pid on the one core the grader may run on
 * first, and its main thread (the event loop: its tid is the pid) at nice
 * 19. Returns false if /proc or the scheduler calls refuse. */
static bool lab04_slow_loop(pid_t pid)
{
	cpu_set_t allowed, one;
	char dir[64];

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return false;
	CPU_ZERO(&one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed)) {
			CPU_SET(cpu, &one);
			break;
		}
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	bool ok = d != NULL;

	for (struct dirent *e; ok && (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			ok = sched_setaffinity((pid_t)atoi(e->d_name), sizeof(one), &one) == 0;
	if (d)
		closedir(d);
	return ok && setpriority(PRIO_PROCESS, (id_t)pid, 19) == 0;
}

/* The long job, on a server of its own with a slowed loop. */
static void lab04_ring(struct grade *g, const char *what)
{
	struct spawned s;
	char err[512];
	int got;

	if (!grade_start(g, &s, "--threads", "1", "--worker-priority", "normal", NULL))
		return;
	if (!lab04_slow_loop(s.pid)) {
		grade_check(g, false, "%s: cannot slow the server's loop for the ring check "
			    "(sched_setaffinity/setpriority refused)", what);
	} else {
		bool whole = lab04_long_job(s.port, &got, err, sizeof(err));

		grade_check(g, whole, "%s: a job of %d results (3 x the ring's 64), with "
			    "the loop slowed so that the ring fills, arrives whole and in "
			    "order: %d did%s%s%s", what, LAB04_LONG_ITEMS, got,
			    whole ? "" : ": ", whole ? "" : err, whole ? "" : ". Likely "
			    "cause: ring_post drops or overwrites when the ring is full "
			    "instead of waiting on ring.space");
	}
	grade_stop(g, &s, what);
}

void grade_lab04(struct grade *g)
{
	const char *what = "threadpool";
	struct spawned s;
	struct watched w;
	struct watched_jobs j;
	char err[512];

	/* normal, not the default idle: the grade checks the student's code,
	 * not the scheduling policy, and a busy machine must not fail a right
	 * solution. Measured: SCHED_IDLE workers stalled (2 of 3 results in
	 * 6 s at a load of 4), nice +5 ones ran the first item 4x slow. */
	if (!grade_start(g, &s, "--threads", "2", "--worker-priority", "normal", NULL))
		return;
	if (!grade_job(g, &s, what, lab04_stall_hint, GRADE_ITEMS, GRADE_WORK_MS, &w)) {
		grade_stop(g, &s, what);	/* the other checks need results too */
		return;
	}
	grade_delivery(g, what, GRADE_WORK_MS, &w);
	grade_check(g, w.worst_echo < 50000, "%s: another client waited at most "
		    "%.1f ms during the job; with the work off the loop thread, "
		    "under 50 ms", what, grade_ms(w.worst_echo));
	grade_check(g, w.lag_max < 20000, "%s: the event loop's worst lag during "
		    "the job was %.1f ms; a loop that never computes stays under "
		    "20 ms", what, grade_ms(w.lag_max));
	if (!watch_jobs(s.port, 4, GRADE_ITEMS, GRADE_WORK_MS, &j, err, sizeof(err))) {
		grade_check(g, false, "%s: 4 clients' jobs complete, each in order: %s. "
			    "Likely cause: %s", what, err, lab04_stall_hint);
	} else {
		int64_t ideal = 4 * GRADE_ITEMS * j.item / 2;
		int64_t took = j.last_arrival - j.t_request;

		grade_check(g, took <= ideal * 3 / 2, "%s: 4 jobs of %d x %d ms on --threads "
			    "2 took %.0f ms; in parallel they take at most 1.5 x %.0f ms",
			    what, GRADE_ITEMS, GRADE_WORK_MS, grade_ms(took), grade_ms(ideal));
	}
	/* a client that leaves mid-job, then the server must still serve */
	struct wsc *c = wsc_connect(s.port, "/", "sendlab", GRADE_IO_MS, err, sizeof(err));

	if (c) {
		wsc_send_text(c, "{\"op\":\"run\",\"items\":5,\"work_ms\":100}");
		wsc_reset(c);
	}
	bool served = watch_job(s.port, 2, 20, GRADE_BYSTANDER_MS, &w, err, sizeof(err));

	grade_check(g, served, "%s: after a client left mid-job, a new job completes%s%s",
		    what, served ? "" : ": ", served ? "" : err);
	grade_stop(g, &s, what);
	lab04_ring(g, "the ring");
}
