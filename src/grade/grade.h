/*
 * grade.h: what the lab grader's parts share (build/grade, `make grade`).
 *
 * grade.c holds the common checks (starting and stopping a server, one
 * watched job, what every fixed server must show); grade_lab02.c,
 * grade_lab03.c, grade_lab04.c, grade_lab08.c and grade_lab09.c hold each
 * lab's own. Every check prints
 * one PASS or FAIL line with the number it measured, what it should be,
 * and on a FAIL the likely cause.
 *
 * The grader trusts nothing the server could forge alone: arrivals and
 * their spacing are timed on the grader's own clock (CLOCK_MONOTONIC, the
 * same clock the server stamps with, so the two compare), and a server's
 * stamps must agree with them (t_start <= t_done <= t_send <= arrival).
 */
#ifndef SENDLAB_GRADE_H
#define SENDLAB_GRADE_H

#include "client/spawn.h"
#include "client/watch.h"
#include "client/wsclient.h"

#include <stdbool.h>
#include <stdint.h>

/* 5 items of 100 ms: long enough that shape beats a busy machine's noise,
 * and enough items that "result 0 after one item" and "after most of the
 * job" are far apart */
#define GRADE_ITEMS 5
#define GRADE_WORK_MS 100
#define GRADE_BYSTANDER_MS 20
#define GRADE_ON_TIME_MS 20.0	/* a fixed server sends within this */
#define GRADE_IO_MS 5000

struct grade {
	const char *server;
	int pass, fail;
};

/* Prints one PASS/FAIL line and counts it. */
void grade_check(struct grade *g, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

double grade_ms(int64_t us);

/* Starts the server with --port 0 --quiet and the extra arguments (a
 * NULL-terminated list); a failure to start is itself a failed check. */
bool grade_start(struct grade *g, struct spawned *s, ...);

/* SIGTERM; checks a clean exit within 5 s and a stderr free of sanitizer
 * reports and of the core's wrong-thread message, which it quotes. */
void grade_stop(struct grade *g, struct spawned *s, const char *what);

/* One client connection; on failure a FAIL line, the server stopped and
 * NULL, so the caller just returns. */
struct wsc *grade_connect(struct grade *g, struct spawned *s, const char *what);

/* Runs one watched job of items x work_ms with a bystander; a failure is
 * a failed check that ends with `hint` (the likely cause). */
bool grade_job(struct grade *g, const struct spawned *s, const char *what,
	       const char *hint, int items, int work_ms, struct watched *w);

/* What every fixed server shows, on the grader's clock: each item took
 * about work_ms, its stamps are in order and before its arrival, each
 * message arrived within GRADE_ON_TIME_MS of its compute, and arrivals
 * are spaced by about an item, not clumped. */
void grade_delivery(struct grade *g, const char *what, int work_ms,
		    const struct watched *w);

/* Reads frames until a TEXT one arrives (answering nothing); false on a
 * timeout or a closed connection. */
bool grade_recv_text(struct wsc *c, struct wsc_frame *f, int timeout_ms);

void grade_lab02(struct grade *g);
void grade_lab03(struct grade *g);
void grade_lab04(struct grade *g);
void grade_lab08(struct grade *g);
/* Lab 09 grades an answer file and its wsprobe CSV against the hidden
 * case of the mystery number (a string: checked there). */
void grade_lab09(struct grade *g, const char *answer_path, const char *number);

#endif
