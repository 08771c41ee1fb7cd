/*
 * looptimer.h: a one-shot timer on a libwebsockets loop that does not make
 * the loop spin: a timerfd that lws polls with its sockets.
 *
 * Why not lws's own timers (lws_sul_schedule): libwebsockets 4.1 turns the
 * time to its next timer into poll()'s timeout in whole milliseconds,
 * rounded down (lib/plat/unix/unix-service.c). So poll returns up to 1 ms
 * before the timer is due, and from then until it is due every turn of the
 * loop is poll(..., 0): the thread spins. Measured on the project's 2-core
 * VM: about half a millisecond of spinning per expiry, 130 poll(..., 0)
 * calls in a row in one trace of the server's 10 ms lag timer, and a client
 * woken on the spinning thread's core waited behind it for up to 1.1 ms.
 * A timerfd wakes poll when the kernel timer expires, to the microsecond,
 * and the thread sleeps until then. lws's timers stay fine for deadlines
 * that are far off and rarely reached (timeouts): they spin only in the
 * last millisecond before they fire.
 *
 * Use: list LOOPTIMER_PROTOCOL in the protocols of the context's default
 * vhost, looptimer_open() once the context exists, then looptimer_arm_at()
 * whenever the next expiry is known. The callback runs on the loop thread,
 * from the loop turn that finds the timerfd readable. Every function here:
 * the loop thread only (the one that calls lws_service()).
 */
#ifndef SENDLAB_LOOPTIMER_H
#define SENDLAB_LOOPTIMER_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

struct looptimer;
typedef void (*looptimer_cb)(struct looptimer *t);

/* Loop thread only; the caller owns the struct, which must outlive the
 * lws context (lws reports the fd's close from lws_context_destroy()). */
struct looptimer {
	int fd;			/* the timerfd; -1 when closed */
	struct lws *wsi;	/* lws's raw-file wsi polling fd; NULL before
				   looptimer_open() and once lws closed it */
	looptimer_cb cb;
};

/* The lws protocol the timerfds are polled under. A WebSocket client that
 * asks for it by name is refused (ESTABLISHED returns -1). */
#define LOOPTIMER_PROTOCOL_NAME "sendlab-looptimer"
#define LOOPTIMER_PROTOCOL \
	{ .name = LOOPTIMER_PROTOCOL_NAME, .callback = looptimer_callback }
int looptimer_callback(struct lws *wsi, enum lws_callback_reasons reason,
		       void *user, void *in, size_t len);

/*
 * Creates t's timerfd (CLOCK_MONOTONIC, the clock of clock_now_us()) and
 * has lws poll it in ctx's default vhost, which must list
 * LOOPTIMER_PROTOCOL. Not armed yet. Returns false, t closed and a sentence
 * in err[0..errcap), if the fd cannot be made or lws cannot adopt it.
 */
bool looptimer_open(struct looptimer *t, struct lws_context *ctx,
		    looptimer_cb cb, char *err, size_t errcap);

/* Arms t to expire once at due_us (CLOCK_MONOTONIC microseconds; a time
 * already past expires at once), replacing any earlier arming. Returns
 * false, with errno set, if the kernel refuses. */
bool looptimer_arm_at(struct looptimer *t, int64_t due_us);

/* Disarms t: its callback will not run until it is armed again. Safe on a
 * timer never opened or already closed. */
void looptimer_disarm(struct looptimer *t);

#endif
