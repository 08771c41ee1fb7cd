/*
 * completion.h: the completion ring: finished work items on their way from
 * worker threads back to the event-loop thread (server-threadpool).
 *
 * libwebsockets is not thread-safe, so a worker cannot send a result. It
 * posts {session id, result} here and wakes the loop (server_wake_loop());
 * the loop drains the ring on its own thread and sends each result to its
 * connection if that is still open. The ring is bounded (COMPLETION_RING_SIZE):
 * a worker that finds it full waits until the loop drains it, so a slow
 * loop slows the workers down instead of growing memory.
 *
 * Order: first in, first out. One job's results come from one worker, in
 * order, so they leave in order.
 *
 * Threads: completion_post from any worker thread; everything else on the
 * loop thread only. One mutex guards the ring; it is never held while
 * sending.
 */
#ifndef SENDLAB_COMPLETION_H
#define SENDLAB_COMPLETION_H

#include "core/job.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define COMPLETION_RING_SIZE 64

/* One finished item and the connection it belongs to. */
struct completion {
	uint64_t session_id;
	struct item_result result;
};

/*
 * Worker thread: appends *c, waiting while the ring is full. Returns false,
 * without posting, if *cancel is set or the ring is closed meanwhile (so a
 * worker whose client left does not wait for space it no longer needs).
 * Does not wake the loop: the caller does, with server_wake_loop().
 */
bool completion_post(const struct completion *c, const atomic_bool *cancel);

/* Loop thread: takes everything in the ring, then (without the lock) sends
 * each result to its session; a result whose session has closed is
 * dropped. */
void completion_drain(void);

/* Loop thread: a task's cancel flag was just set; a worker waiting for
 * space re-checks it. */
void completion_recheck_cancel(void);

/* Loop thread, when the server stops: every waiting and later post
 * returns false. */
void completion_close(void);

#endif
