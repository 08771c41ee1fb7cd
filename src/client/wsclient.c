/*
 * wsclient.c: the tests' independent RFC 6455 client (see wsclient.h): its
 * public API (connect, settings, the ways to end a connection) and the
 * small helpers its other files share (error text, randomness). The
 * handshake is in wshandshake.c, frames in wsframe.c, socket I/O in wsio.c.
 */
#include "client/wsclient_impl.h"

#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void wsc_errf(struct wsc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

uint64_t wsc_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void wsc_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		while (got < len) {
			ssize_t n = read(fd, p + got, len - got);

			if (n > 0)
				got += (size_t)n;
			else if (n < 0 && errno == EINTR)
				continue;
			else
				break;
		}
		close(fd);
	}
	if (got < len) {
		uint64_t x = (uint64_t)clock_now_us() ^ ((uint64_t)getpid() << 32);

		while (got < len)
			p[got++] = (unsigned char)(wsc_splitmix(&x) >> 56);
	}
}

struct wsc *wsc_connect(int port, const char *path, const char *subprotocol,
			int timeout_ms, char *err, size_t errcap)
{
	int64_t deadline = wsc_deadline(timeout_ms);
	struct wsc *c = calloc(1, sizeof(*c));

	if (!c) {
		if (err && errcap)
			snprintf(err, errcap, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->io_timeout_ms = timeout_ms;
	c->auto_pong = 1;
	wsc_random(&c->rng, sizeof(c->rng));
	if (wsc_tcp_connect(c, port, deadline) < 0 ||
	    wsc_handshake(c, port, path ? path : "/", subprotocol, deadline) < 0) {
		if (err && errcap)
			snprintf(err, errcap, "%s", c->err);
		wsc_free(c);
		return NULL;
	}
	return c;
}

/* ---- settings and ending ---- */

void wsc_set_auto_pong(struct wsc *c, int on)
{
	c->auto_pong = on;
}

int wsc_pings_seen(const struct wsc *c)
{
	return c->pings_seen;
}

void wsc_set_io_timeout(struct wsc *c, int timeout_ms)
{
	c->io_timeout_ms = timeout_ms;
}

const char *wsc_subprotocol(const struct wsc *c)
{
	return c->subprotocol;
}

const char *wsc_error(const struct wsc *c)
{
	return c ? c->err : "no connection";
}

int wsc_fd(const struct wsc *c)
{
	return c->fd;
}

void wsc_reset(struct wsc *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (!c)
		return;
	/* Zero linger time makes close() drop the connection with a RST
	 * instead of the FIN handshake: the "client vanished" case. */
	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	wsc_free(c);
}

/*
 * The close handshake from the client's side (RFC 6455 7.1.1): our close
 * frame, the server's close frame, then the server closes TCP first, so
 * the TIME_WAIT lands on the server. Any step failing or timing out just
 * ends the wait; the socket is closed and c freed regardless.
 */
void wsc_close(struct wsc *c, int timeout_ms)
{
	int64_t deadline = wsc_deadline(timeout_ms);
	static const unsigned char normal[2] = { 1000 >> 8, 1000 & 0xff };
	struct wsc_frame f;

	if (!c)
		return;
	c->io_timeout_ms = timeout_ms;
	if (c->broken || c->tx_broken ||
	    (!c->close_sent &&
	     wsc_send_frame(c, WSC_OP_CLOSE, 1, normal, sizeof(normal)) < 0))
		goto out;
	while (!c->close_received)
		if (wsc_recv(c, &f, wsc_left_ms(deadline)) <= 0)
			goto out;
	/* Drain until EOF: closing with unread bytes would send a RST. */
	while (wsc_fill(c, deadline) > 0)
		c->in_off = c->in_len;
out:
	wsc_free(c);
}

void wsc_free(struct wsc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}
