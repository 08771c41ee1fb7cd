/*
 * observe.h: one job watched by the independent client, with a bystander
 * connection echoing every 20 ms, and the server's own lag monitor read
 * over the same window. The shape tests of every variant assert on what
 * this records.
 */
#ifndef SENDLAB_OBSERVE_H
#define SENDLAB_OBSERVE_H

#include "tests/spawn.h"

#include <stdint.h>

#define OBS_ITEMS 3
#define OBS_WORK_MS 150		/* >= 100 ms, so shape dominates noise */
#define OBS_BYSTANDER_MS 20

/* What the client saw of one job. Times are CLOCK_MONOTONIC us. */
struct observed {
	int64_t t_request, t_recv;
	int64_t done[OBS_ITEMS], sent[OBS_ITEMS], arrived[OBS_ITEMS];
	int64_t item_us[OBS_ITEMS];
	int64_t item;		/* median measured item length (us) */
	int64_t job;		/* t_recv .. last t_done (us) */
	int echoes;
	int64_t worst_echo;	/* the bystander's longest wait (us) */
	int64_t lag_max;	/* the server's own lag monitor, over the job */
	int64_t stalls;
	int pings;		/* WebSocket PINGs the job connection got
				   (answered at once with PONGs) */
};

/* Runs one job of OBS_ITEMS x OBS_WORK_MS on a fresh connection to s while
 * a second connection echoes; fails the test on any protocol error or if
 * the job takes over 3x its nominal length + 5 s. */
void obs_run(const struct spawned *s, struct observed *o);

/* One line to stderr: the numbers a failing shape test is judged by. */
void obs_print(const char *name, const struct observed *o);

/* Delivery latency (arrival - t_done) under which a message counts as
 * sent as soon as it was ready. */
#define OBS_SPACED_DELIVERY_US 20000

/* What every fix must show: each message arrives within
 * OBS_SPACED_DELIVERY_US of its item's end, and at least 0.7 of an item
 * after the message before it. Fails the test otherwise. */
void obs_assert_spaced(const struct observed *o);

/* 30% of one measured item: the tolerance of "at once" and "together". */
#define OBS_TOL(o) ((o)->item * 3 / 10)

#endif
