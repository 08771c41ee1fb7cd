/*
 * wsclient_impl.h: the inside of the tests' independent RFC 6455 client,
 * shared by its four files and by nothing else:
 *   wsclient.c    the public API: connect, settings, close; errors, randomness
 *   wshandshake.c the HTTP upgrade and its Sec-WebSocket-Accept check
 *   wsframe.c     the frame codec: masking and sending, parsing, reassembly
 *   wsio.c        bounded socket I/O: deadlines, poll, send, recv, TCP connect
 *
 * One struct wsc belongs to one thread (wsclient.h); nothing here is
 * shared between threads, so nothing is locked.
 */
#ifndef SENDLAB_WSCLIENT_IMPL_H
#define SENDLAB_WSCLIENT_IMPL_H

#include "client/wsclient.h"

#include <stddef.h>
#include <stdint.h>

#define WSC_HEAD_MAX 14		/* 2 + 8 (64-bit length) + 4 (mask) */
#define WSC_CTRL_MAX 125	/* RFC 6455 5.5: control payloads are small */
/* One whole frame must fit in in[] to be parsed in place; the slack lets a
 * read pull in the start of the next frame as well. */
#define WSC_IN_CAP (WSC_MAX_MESSAGE + WSC_HEAD_MAX + 4096)

struct wsc {
	int fd;
	int io_timeout_ms;	/* bounds each send */
	int auto_pong;
	int pings_seen;
	int broken;		/* wsc_recv returned -1: it keeps doing so */
	int tx_broken;		/* a send failed, maybe mid-frame: no more sends */
	int close_sent;
	int close_received;
	uint64_t rng;		/* xorshift64 state for the frame masks */
	int64_t last_read_us;	/* when the latest recv into in[] returned */
	char subprotocol[64];
	char err[256];

	/* The fragmented message being reassembled (msg_active), or the last
	 * one returned; one spare byte for the NUL. */
	int msg_active;
	int msg_opcode;
	size_t msg_len;
	unsigned char msg[WSC_MAX_MESSAGE + 1];
	/* The last control frame returned, kept apart so that a control frame
	 * arriving between fragments does not overwrite the message. */
	unsigned char ctrl[WSC_CTRL_MAX + 1];

	/* Raw bytes from the socket; in[in_off .. in_len) are not parsed yet. */
	size_t in_off, in_len;
	unsigned char in[WSC_IN_CAP];
};

/* wsclient.c */

/* Writes the one-line reason of the latest failure into c->err. */
void wsc_errf(struct wsc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* splitmix64 step: used for the mask stream and the no-urandom fallback. */
uint64_t wsc_splitmix(uint64_t *x);

/* Fills buf from /dev/urandom; if that is missing or short, from a
 * generator seeded with the time and pid (good enough for a test key). */
void wsc_random(void *buf, size_t len);

/* wsio.c */

/* now + timeout_ms (a negative timeout counts as 0), CLOCK_MONOTONIC us. */
int64_t wsc_deadline(int timeout_ms);

/* Milliseconds left until deadline, rounded up so poll never wakes early
 * and spins; 0 once it has passed. */
int wsc_left_ms(int64_t deadline);

/* Sends all len bytes by deadline. Returns 0 or -1 (reason in c->err;
 * every later send fails too). */
int wsc_write_all(struct wsc *c, const void *buf, size_t len, int64_t deadline);

/* Reads whatever has arrived into in[], waiting until deadline for at
 * least one byte. Returns 1 got bytes, 0 timeout, -1 EOF or error (reason
 * in c->err). Stamps last_read_us. */
int wsc_fill(struct wsc *c, int64_t deadline);

/* Opens c->fd, connected to 127.0.0.1:port by deadline. Returns 0 or -1
 * (reason in c->err; c->fd may be open and is closed by wsc_free). */
int wsc_tcp_connect(struct wsc *c, int port, int64_t deadline);

/* wshandshake.c */

/* The HTTP upgrade on the connected c->fd: sends the request, reads and
 * checks the reply (wsclient.h, wsc_connect). Bytes after the reply's
 * headers stay in in[] for wsc_recv. Returns 0 or -1 (reason in c->err). */
int wsc_handshake(struct wsc *c, int port, const char *path,
		  const char *subprotocol, int64_t deadline);

#endif
