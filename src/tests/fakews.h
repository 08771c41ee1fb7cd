/*
 * fakews.h: a fake WebSocket server on a raw socket for the integration
 * tests of build/wsprobe (test_wsprobe_fail.c): one connection, in a thread
 * of the test. It does the upgrade itself (wsc_accept_for_key), or answers
 * it with a 404, then answers the first `answer` PINGs with PONGs and
 * ignores the rest, or closes with 1011. Every wait ends by FAKEWS_LIFE_US.
 */
#ifndef SENDLAB_FAKEWS_H
#define SENDLAB_FAKEWS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define FAKEWS_LIFE_US 20000000	/* a fake server gives up after this */

/* Set the first three fields, fakews_start(), run the probe, fakews_join(),
 * then read what happened. The thread owns the rest until the join. */
struct fakews {
	int lfd, port;
	bool http_404;			/* answer the upgrade with a 404 */
	int answer;			/* PINGs answered with a PONG; later ones ignored */
	const char *close_reason;	/* after `answer` pongs: close 1011 with it */
	/* what happened, read after the join */
	int pings, pongs;
	bool client_closed;		/* the probe's close frame came */
	char err[160];			/* "" unless the fake itself failed */
	pthread_t thread;
};

/* Starts a fake on a fresh loopback port; url gets its ws:// URL. */
void fakews_start(struct fakews *f, char *url, size_t cap);

/* Joins the fake (it ends when the probe hangs up, or at its give-up
 * time); fails the test if the fake itself failed. */
void fakews_join(struct fakews *f);

#endif
