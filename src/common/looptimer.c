/*
 * looptimer.c: the timerfd timer declared in looptimer.h.
 */
#include "common/looptimer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

/*
 * Loop thread: lws's calls for every looptimer's wsi. RAW_RX_FILE means the
 * fd polled readable: the read empties it, and only a read that found an
 * expiry runs the callback (a timer disarmed or re-armed after poll saw it
 * reads nothing: EAGAIN). lws closes the fd with its wsi (RAW_CLOSE_FILE,
 * from lws_context_destroy() at the latest).
 */
int looptimer_callback(struct lws *wsi, enum lws_callback_reasons reason,
		       void *user, void *in, size_t len)
{
	struct looptimer *t = lws_get_opaque_user_data(wsi);
	uint64_t expirations;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (t && t->fd >= 0 &&
		    read(t->fd, &expirations, sizeof(expirations)) ==
		    (ssize_t)sizeof(expirations))
			t->cb(t);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (t) {
			t->wsi = NULL;
			t->fd = -1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		return -1;	/* a WebSocket client named this protocol */
	default:
		/* EVENT_WAIT_CANCELLED reaches every protocol: it must get 0 */
		return 0;
	}
}

bool looptimer_open(struct looptimer *t, struct lws_context *ctx,
		    looptimer_cb cb, char *err, size_t errcap)
{
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");

	t->wsi = NULL;
	t->cb = cb;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		snprintf(err, errcap, "cannot create a timerfd: %s", strerror(errno));
		return false;
	}

	lws_adopt_desc_t desc = {
		.vh = vh,
		.type = LWS_ADOPT_RAW_FILE_DESC,
		.fd = { .filefd = t->fd },
		.vh_prot_name = LOOPTIMER_PROTOCOL_NAME,
		.opaque = t,
	};

	if (vh)
		t->wsi = lws_adopt_descriptor_vhost_via_info(&desc);
	if (!t->wsi) {
		/* if lws made a wsi before failing, it closed the fd with it
		 * and said so (RAW_CLOSE_FILE set t->fd to -1): not twice */
		if (t->fd >= 0)
			close(t->fd);
		t->fd = -1;
		snprintf(err, errcap, "libwebsockets cannot poll a timerfd (%s)",
			 vh ? "adoption failed" : "no default vhost");
		return false;
	}
	return true;
}

bool looptimer_arm_at(struct looptimer *t, int64_t due_us)
{
	if (t->fd < 0) {
		errno = EBADF;
		return false;
	}
	if (due_us < 1)
		due_us = 1;	/* 0 would disarm it */

	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(due_us / 1000000),
			      .tv_nsec = (long)(due_us % 1000000) * 1000 },
	};

	return timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL) == 0;
}

void looptimer_disarm(struct looptimer *t)
{
	struct itimerspec off = { 0 };

	if (t->fd >= 0)
		timerfd_settime(t->fd, 0, &off, NULL);
}
