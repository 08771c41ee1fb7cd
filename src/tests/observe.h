/*
 * observe.h: the shape tests' view of watch.h: one job of 3 x 150 ms
 * watched with a bystander echoing every 20 ms, failing the Check test on
 * any protocol error, and the assertions every fix shares.
 */
#ifndef SENDLAB_OBSERVE_H
#define SENDLAB_OBSERVE_H

#include "client/spawn.h"
#include "client/watch.h"

#include <stdint.h>

#define OBS_ITEMS 3
#define OBS_WORK_MS 150		/* >= 100 ms, so shape dominates noise */
#define OBS_BYSTANDER_MS 20

/* The three send disciplines, for loop tests (_i indexes them). */
extern const char *const obs_sends[];
#define OBS_NSENDS 3

/*
 * Starts build/server-<variant> --send <send> (no --send if send is NULL:
 * the Python original has none), runs one job of OBS_ITEMS x
 * OBS_WORK_MS on a fresh connection while a second connection echoes,
 * stops the server (asserting a clean exit and no sanitizer report) and
 * prints one line to stderr with the numbers the shape test is judged by.
 * Fails the test on any protocol error or if the job takes over 3x its
 * nominal length + 5 s.
 */
void obs_run(const char *variant, const char *send, struct watched *o);

/* A tenth of one measured item: a message whose delivery latency (arrival
 * - t_done) is under it counts as sent as soon as it was ready. Relative to
 * the item, as every timing bound here: a busy machine stretches the item
 * and the wake-ups alike, and a message that waited for the loop waits a
 * whole item (seven tenths at the least). */
#define OBS_PROMPT(o) ((o)->item / 10)

/* What every fix must show: each message arrives within OBS_PROMPT of its
 * item's end, and at least 0.7 of its own item's length after the message
 * before it.
 * Fails the test otherwise. */
void obs_assert_spaced(const struct watched *o);

/* 30% of one measured item: the tolerance of "at once" and "together". */
#define OBS_TOL(o) ((o)->item * 3 / 10)

/* What a queued send shows (blocking --send queue, Python's create_task):
 * nothing leaves before the last item is computed, the first message waits
 * at least 1.4 items, and all arrive together. Fails the test otherwise. */
void obs_assert_clumped_at_end(const struct watched *o);

/* A loop that computes items itself, as both the bystander and the
 * server's lag monitor see it: at least 3 echoes, the worst waiting at
 * least worst_us, a lag of at least lag_us, and a stall. Fails the test
 * otherwise. */
void obs_assert_loop_blocked(const struct watched *o, int64_t worst_us, int64_t lag_us);

#endif
