/*
 * wsio.c: the client's bounded socket I/O (see wsclient_impl.h): deadlines,
 * poll waits, sending all of a buffer, reading what has arrived, and the
 * TCP connect.
 *
 * The socket stays blocking, as the caller of wsc_fd expects, but every
 * send() and recv() here passes MSG_DONTWAIT and waits in poll() instead, so
 * no call can block past its deadline (a blocking send of a large frame to
 * a server that has stopped reading would otherwise hang the test).
 */
#include "client/wsclient_impl.h"

#include "common/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int64_t wsc_deadline(int timeout_ms)
{
	return clock_now_us() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000;
}

int wsc_left_ms(int64_t deadline)
{
	int64_t left = deadline - clock_now_us();

	if (left <= 0)
		return 0;
	left = (left + 999) / 1000;
	return left > 1000000000 ? 1000000000 : (int)left;
}

/* Waits until fd is ready for events or deadline. Returns 1 ready (an error
 * or hang-up counts: the next send/recv reports it), 0 timeout, -1 error. */
static int wsc_wait(struct wsc *c, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = events };
		int r = poll(&pfd, 1, wsc_left_ms(deadline));

		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR) {
			wsc_errf(c, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

/* Sends all len bytes by deadline. Returns 0 or -1 (reason in c->err;
 * every later send fails too). MSG_NOSIGNAL: a server that is gone must be
 * an error return, not a SIGPIPE that kills the test. */
int wsc_write_all(struct wsc *c, const void *buf, size_t len, int64_t deadline)
{
	const unsigned char *p = buf;

	if (c->tx_broken)
		return -1;	/* c->err still says why */
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = wsc_wait(c, POLLOUT, deadline);

			if (r == 0)
				wsc_errf(c, "send timed out (server not "
					 "reading?)");
			if (r <= 0)
				goto broken;
			continue;
		}
		wsc_errf(c, "send: %s", n < 0 ? strerror(errno) : "wrote 0 bytes");
		goto broken;
	}
	return 0;
broken:
	/* Part of a frame may be on the wire: anything sent after it would be
	 * misparsed. Receiving stays possible, since a close frame the server
	 * sent before it stopped reading may still be waiting. */
	c->tx_broken = 1;
	return -1;
}

/*
 * Reads whatever has arrived into in[] (after moving the unparsed rest to
 * the front), waiting until deadline for at least one byte. Returns 1 got
 * bytes, 0 timeout, -1 EOF or error (reason in c->err). Stamps
 * last_read_us: since we only read when in[] holds no complete frame, the
 * read that completes a frame is always the latest one.
 */
int wsc_fill(struct wsc *c, int64_t deadline)
{
	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_len == sizeof(c->in)) {
		/* cannot happen: wsc_parse rejects frames that would not fit */
		wsc_errf(c, "input buffer full");
		return -1;
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 sizeof(c->in) - c->in_len, MSG_DONTWAIT);

		if (n > 0) {
			c->last_read_us = clock_now_us();
			c->in_len += (size_t)n;
			return 1;
		}
		if (n == 0) {
			wsc_errf(c, "server closed the connection (EOF)");
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int r = wsc_wait(c, POLLIN, deadline);

			if (r <= 0)
				return r;
			continue;
		}
		if (errno == ECONNRESET)
			wsc_errf(c, "connection reset by server (ECONNRESET)");
		else
			wsc_errf(c, "recv: %s", strerror(errno));
		return -1;
	}
}

/* The rest of a non-blocking connect that is under way: waits for it by
 * deadline and reads its outcome. Returns 0 connected, or -1. */
static int wsc_connect_finish(struct wsc *c, int port, int64_t deadline)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	int r = wsc_wait(c, POLLOUT, deadline);

	if (r < 0)
		return -1;
	if (r == 0) {
		wsc_errf(c, "connect to 127.0.0.1:%d timed out", port);
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr) {
		wsc_errf(c, "connect to 127.0.0.1:%d: %s", port, strerror(soerr));
		return -1;
	}
	return 0;
}

int wsc_tcp_connect(struct wsc *c, int port, int64_t deadline)
{
	struct sockaddr_in sa;
	int one = 1, flags;

	if (port <= 0 || port > 65535) {
		wsc_errf(c, "bad port %d", port);
		return -1;
	}
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0) {
		wsc_errf(c, "socket: %s", strerror(errno));
		return -1;
	}
	/* Close-on-exec: a server spawned later must not inherit this socket,
	 * or wsc_reset/wsc_free would not end the connection. */
	fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	/* Requests are small and latency is what the tests measure: no Nagle. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	/* Non-blocking only for the connect, so it too is bounded. */
	flags = fcntl(c->fd, F_GETFL);
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		wsc_errf(c, "fcntl: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* EINTR: the connect carries on in the background, like
		 * EINPROGRESS; either way poll says when it is done. */
		if (errno != EINPROGRESS && errno != EINTR) {
			wsc_errf(c, "connect to 127.0.0.1:%d: %s", port,
				 strerror(errno));
			return -1;
		}
		if (wsc_connect_finish(c, port, deadline) < 0)
			return -1;
	}
	if (fcntl(c->fd, F_SETFL, flags) < 0) {
		wsc_errf(c, "fcntl: %s", strerror(errno));
		return -1;
	}
	return 0;
}
