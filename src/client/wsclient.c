/*
 * wsclient.c: the tests' independent RFC 6455 client (see wsclient.h).
 *
 * The socket stays blocking, as the caller of wsc_fd expects, but every
 * send() and recv() here passes MSG_DONTWAIT and waits in poll() instead, so
 * no call can block past its deadline (a blocking send of a large frame to
 * a server that has stopped reading would otherwise hang the test).
 */
#include "client/wsclient.h"

#include "common/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define WSC_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WSC_HTTP_MAX 8192	/* the upgrade reply's headers must fit */
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

/* A parsed frame header; payload points into c->in. */
struct wsc_hdr {
	int fin;
	int opcode;
	const unsigned char *payload;
	size_t len;
};

static void wsc_errf(struct wsc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static int64_t wsc_deadline(int timeout_ms)
{
	return clock_now_us() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000;
}

/* Milliseconds left until deadline, rounded up so poll never wakes early
 * and spins; 0 once it has passed. */
static int wsc_left_ms(int64_t deadline)
{
	int64_t left = deadline - clock_now_us();

	if (left <= 0)
		return 0;
	left = (left + 999) / 1000;
	return left > 1000000000 ? 1000000000 : (int)left;
}

/* splitmix64 step: used for the mask stream and the no-urandom fallback. */
static uint64_t wsc_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fills buf from /dev/urandom; if that is missing or short, from a
 * generator seeded with the time and pid (good enough for a test key). */
static void wsc_random(void *buf, size_t len)
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

/* ---- SHA-1 (FIPS 180-4) and base64: just enough for the handshake ---- */

static uint32_t wsc_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void wsc_sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = wsc_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = wsc_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = wsc_rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

/* One-shot SHA-1 of len bytes: whole blocks straight from data, then the
 * tail, the 0x80 pad byte and the 64-bit bit count in one or two blocks. */
static void wsc_sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			  0xc3d2e1f0 };
	const unsigned char *p = data;
	size_t full = len / 64 * 64, rest = len - full;
	size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	unsigned char tail[128];

	for (size_t i = 0; i < full; i += 64)
		wsc_sha1_block(h, p + i);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	for (size_t i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tail_len; i += 64)
		wsc_sha1_block(h, tail + i);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* Standard padded base64; out needs 4 * ceil(len / 3) + 1 bytes. */
static void wsc_base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Keys longer than 200 characters are truncated (ours are 24). */
void wsc_accept_for_key(const char *key, char out[29])
{
	char buf[256];
	unsigned char digest[20];
	int n = snprintf(buf, sizeof(buf), "%.200s" WSC_GUID, key);

	wsc_sha1(buf, (size_t)n, digest);
	wsc_base64(digest, sizeof(digest), out);
}

/* ---- bounded socket I/O ---- */

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
 * every later send fails too). MSG_NOSIGNAL: a server that is gone must be an error return, not a
 * SIGPIPE that kills the test. */
static int wsc_write_all(struct wsc *c, const void *buf, size_t len,
			 int64_t deadline)
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
static int wsc_fill(struct wsc *c, int64_t deadline)
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

/* ---- connecting ---- */

static int wsc_tcp_connect(struct wsc *c, int port, int64_t deadline)
{
	struct sockaddr_in sa;
	int one = 1, flags, soerr = 0;
	socklen_t sl = sizeof(soerr);

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
			wsc_errf(c, "connect to 127.0.0.1:%d: %s", port,
				 strerror(soerr));
			return -1;
		}
	}
	if (fcntl(c->fd, F_SETFL, flags) < 0) {
		wsc_errf(c, "fcntl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Offset just past the "\r\n\r\n" ending the headers, or 0 if not there. */
static size_t wsc_header_end(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* Strips spaces and tabs from both ends, in place. */
static char *wsc_trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Does the comma-separated header value list contain token (any case)? */
static int wsc_has_token(char *list, const char *token)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (!strcasecmp(wsc_trim(t), token))
			return 1;
	return 0;
}

/*
 * Checks the upgrade reply in hdr (NUL-terminated, headers only): status
 * 101, Upgrade and Connection, the accept value, no extension (we offered
 * none) and no subprotocol we did not ask for. Modifies hdr.
 */
static int wsc_check_reply(struct wsc *c, char *hdr, const char *key,
			   const char *subprotocol)
{
	char expect[29], *save = NULL, *line;
	int upgrade = 0, connection = 0, accepted = 0;

	line = strtok_r(hdr, "\r\n", &save);
	if (!line || strncmp(line, "HTTP/1.1 101", 12) ||
	    (line[12] != ' ' && line[12] != '\0')) {
		wsc_errf(c, "upgrade refused: \"%.200s\"", line ? line : "");
		return -1;
	}
	wsc_accept_for_key(key, expect);

	while ((line = strtok_r(NULL, "\r\n", &save))) {
		char *colon = strchr(line, ':'), *value;

		if (!colon)
			continue;
		*colon = '\0';
		value = wsc_trim(colon + 1);
		if (!strcasecmp(line, "Upgrade")) {
			upgrade = !strcasecmp(value, "websocket");
		} else if (!strcasecmp(line, "Connection")) {
			connection = wsc_has_token(value, "upgrade");
		} else if (!strcasecmp(line, "Sec-WebSocket-Accept")) {
			if (strcmp(value, expect)) {
				wsc_errf(c, "bad Sec-WebSocket-Accept \"%.40s\" "
					 "(expected \"%s\")", value, expect);
				return -1;
			}
			accepted = 1;
		} else if (!strcasecmp(line, "Sec-WebSocket-Protocol")) {
			snprintf(c->subprotocol, sizeof(c->subprotocol), "%s",
				 value);
		} else if (!strcasecmp(line, "Sec-WebSocket-Extensions")) {
			wsc_errf(c, "server chose extensions \"%.60s\" that the "
				 "client did not offer", value);
			return -1;
		}
	}
	if (!upgrade || !connection || !accepted) {
		wsc_errf(c, "101 reply without %s",
			 !upgrade ? "\"Upgrade: websocket\"" :
			 !connection ? "\"Connection: Upgrade\"" :
				       "Sec-WebSocket-Accept");
		return -1;
	}
	/* RFC 6455 4.1: a subprotocol the client did not ask for fails the
	 * connection. Asking and getting none back is allowed. */
	if (c->subprotocol[0] &&
	    (!subprotocol || strcmp(c->subprotocol, subprotocol))) {
		wsc_errf(c, "server chose subprotocol \"%s\" but the client "
			 "asked for %s%s%s", c->subprotocol,
			 subprotocol ? "\"" : "none", subprotocol ? subprotocol : "",
			 subprotocol ? "\"" : "");
		return -1;
	}
	return 0;
}

static int wsc_handshake(struct wsc *c, int port, const char *path,
			 const char *subprotocol, int64_t deadline)
{
	unsigned char raw[16];
	char key[25], req[1024], hdr[WSC_HTTP_MAX + 1];
	size_t end;
	int n;

	wsc_random(raw, sizeof(raw));
	wsc_base64(raw, sizeof(raw), key);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\n"
		     "%s%s%s"
		     "\r\n",
		     path, port, key,
		     subprotocol ? "Sec-WebSocket-Protocol: " : "",
		     subprotocol ? subprotocol : "", subprotocol ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(req)) {
		wsc_errf(c, "path or subprotocol too long");
		return -1;
	}
	if (wsc_write_all(c, req, (size_t)n, deadline) < 0)
		return -1;

	/* Read until the blank line. Anything after it is already frames
	 * (a server may send right away) and stays in in[] for wsc_recv. */
	while (!(end = wsc_header_end(c->in, c->in_len))) {
		int r;

		if (c->in_len >= WSC_HTTP_MAX) {
			wsc_errf(c, "upgrade reply headers longer than %d bytes",
				 WSC_HTTP_MAX);
			return -1;
		}
		r = wsc_fill(c, deadline);
		if (r == 0) {
			wsc_errf(c, "timed out waiting for the upgrade reply "
				 "(%zu bytes received)", c->in_len);
			return -1;
		}
		if (r < 0) {
			char why[sizeof(c->err)];

			memcpy(why, c->err, sizeof(why));
			wsc_errf(c, "during the upgrade (%zu bytes received): %s",
				 c->in_len, why);
			return -1;
		}
	}
	if (end > WSC_HTTP_MAX) {
		wsc_errf(c, "upgrade reply headers longer than %d bytes",
			 WSC_HTTP_MAX);
		return -1;
	}
	memcpy(hdr, c->in, end);
	hdr[end] = '\0';
	c->in_off = end;
	return wsc_check_reply(c, hdr, key, subprotocol);
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

/* ---- frames ---- */

int wsc_send_frame(struct wsc *c, int opcode, int fin, const void *payload,
		   size_t len)
{
	const unsigned char *p = payload;
	int64_t deadline = wsc_deadline(c->io_timeout_ms);
	uint64_t m = wsc_splitmix(&c->rng);
	unsigned char mask[4], buf[16384];
	size_t fill = 0, off = 0;

	for (int i = 0; i < 4; i++)
		mask[i] = (unsigned char)(m >> (8 * i));

	buf[fill++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (len < 126) {
		buf[fill++] = (unsigned char)(0x80 | len);
	} else if (len <= 0xffff) {
		buf[fill++] = 0x80 | 126;
		buf[fill++] = (unsigned char)(len >> 8);
		buf[fill++] = (unsigned char)len;
	} else {
		buf[fill++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			buf[fill++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(buf + fill, mask, 4);
	fill += 4;

	/* Mask chunk by chunk into buf, header in the first chunk, so a small
	 * frame leaves in one send() (one TCP segment) and a huge one needs no
	 * allocation. */
	do {
		size_t n = len - off;

		if (n > sizeof(buf) - fill)
			n = sizeof(buf) - fill;
		for (size_t i = 0; i < n; i++)
			buf[fill + i] = p[off + i] ^ mask[(off + i) & 3];
		fill += n;
		off += n;
		if (wsc_write_all(c, buf, fill, deadline) < 0)
			return -1;
		fill = 0;
	} while (off < len);

	if ((opcode & 0x0f) == WSC_OP_CLOSE)
		c->close_sent = 1;
	return 0;
}

int wsc_send_text(struct wsc *c, const char *text)
{
	return wsc_send_frame(c, WSC_OP_TEXT, 1, text, strlen(text));
}

int wsc_send_raw(struct wsc *c, const void *buf, size_t len)
{
	return wsc_write_all(c, buf, len, wsc_deadline(c->io_timeout_ms));
}

/*
 * Parses one complete frame at in[in_off] into *h and consumes it. Returns
 * 1 done, 0 more bytes needed, -1 the server broke RFC 6455 (reason in
 * c->err). Checks everything checkable from the header alone, before the
 * payload arrives, so an oversized frame fails at once.
 */
static int wsc_parse(struct wsc *c, struct wsc_hdr *h)
{
	const unsigned char *p = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off, need = 2;
	uint64_t len;

	if (avail < 2)
		return 0;
	if (p[0] & 0x70) {
		wsc_errf(c, "server frame with RSV bits set (byte 0x%02x)", p[0]);
		return -1;
	}
	if (p[1] & 0x80) {
		wsc_errf(c, "server frame is masked (RFC 6455 5.1 forbids it)");
		return -1;
	}
	h->fin = p[0] >> 7;
	h->opcode = p[0] & 0x0f;
	len = p[1] & 0x7f;
	if (len == 126) {
		need = 4;
		if (avail < need)
			return 0;
		len = (uint64_t)p[2] << 8 | p[3];
		if (len < 126) {
			wsc_errf(c, "server frame length %u not minimally "
				 "encoded", (unsigned)len);
			return -1;
		}
	} else if (len == 127) {
		need = 10;
		if (avail < need)
			return 0;
		len = 0;
		for (int i = 2; i < 10; i++)
			len = len << 8 | p[i];
		if (len >> 63 || len <= 0xffff) {
			wsc_errf(c, "server frame 64-bit length %llu invalid or "
				 "not minimally encoded", (unsigned long long)len);
			return -1;
		}
	}

	switch (h->opcode) {
	case WSC_OP_CONT:
	case WSC_OP_TEXT:
	case WSC_OP_BINARY:
		if (len > WSC_MAX_MESSAGE) {
			wsc_errf(c, "server frame of %llu bytes: over the "
				 "client's %d-byte limit",
				 (unsigned long long)len, WSC_MAX_MESSAGE);
			return -1;
		}
		break;
	case WSC_OP_CLOSE:
	case WSC_OP_PING:
	case WSC_OP_PONG:
		if (!h->fin || len > WSC_CTRL_MAX) {
			wsc_errf(c, "server control frame (opcode %d) %s",
				 h->opcode, !h->fin ? "fragmented" :
				 "longer than 125 bytes");
			return -1;
		}
		break;
	default:
		wsc_errf(c, "server frame with reserved opcode %d", h->opcode);
		return -1;
	}

	if (avail - need < len)
		return 0;
	h->payload = p + need;
	h->len = (size_t)len;
	c->in_off += need + (size_t)len;
	return 1;
}

/* Copies a control frame into ctrl[] and describes it in *f. Returns 1, or
 * -1 for a close frame with a 1-byte payload (RFC 6455 5.5.1). */
static int wsc_control(struct wsc *c, const struct wsc_hdr *h,
		       struct wsc_frame *f)
{
	const unsigned char *p = h->payload;
	size_t len = h->len;

	f->opcode = h->opcode;
	f->t_arrive_us = c->last_read_us;
	if (h->opcode == WSC_OP_CLOSE) {
		if (len == 1) {
			wsc_errf(c, "server close frame with a 1-byte payload");
			return -1;
		}
		if (len >= 2) {
			f->close_code = p[0] << 8 | p[1];
			p += 2;
			len -= 2;
		}
		c->close_received = 1;
	}
	memcpy(c->ctrl, p, len);
	c->ctrl[len] = '\0';
	f->data = c->ctrl;
	f->len = len;
	return 1;
}

int wsc_recv(struct wsc *c, struct wsc_frame *f, int timeout_ms)
{
	int64_t deadline = wsc_deadline(timeout_ms);
	struct wsc_hdr h;

	memset(f, 0, sizeof(*f));
	if (c->broken)
		return -1;
	for (;;) {
		int r = wsc_parse(c, &h);

		if (r < 0)
			goto broken;
		if (r == 0) {
			r = wsc_fill(c, deadline);
			if (r < 0)
				goto broken;
			if (r == 0)
				return 0;	/* partial frame stays in in[] */
			continue;
		}

		if (h.opcode == WSC_OP_PING) {
			c->pings_seen++;
			if (!c->auto_pong)
				return wsc_control(c, &h, f);
			if (wsc_send_frame(c, WSC_OP_PONG, 1, h.payload, h.len) < 0)
				goto broken;
			continue;
		}
		if (h.opcode == WSC_OP_PONG || h.opcode == WSC_OP_CLOSE) {
			if (wsc_control(c, &h, f) < 0)
				goto broken;
			return 1;
		}

		/* A data frame: first of a message, or a continuation. */
		if (h.opcode != WSC_OP_CONT) {
			if (c->msg_active) {
				wsc_errf(c, "new data frame (opcode %d) inside a "
					 "fragmented message", h.opcode);
				goto broken;
			}
			c->msg_active = 1;
			c->msg_opcode = h.opcode;
			c->msg_len = 0;
		} else if (!c->msg_active) {
			wsc_errf(c, "continuation frame with no message to "
				 "continue");
			goto broken;
		}
		if (h.len > WSC_MAX_MESSAGE - c->msg_len) {
			wsc_errf(c, "server message over the client's %d-byte "
				 "limit", WSC_MAX_MESSAGE);
			goto broken;
		}
		memcpy(c->msg + c->msg_len, h.payload, h.len);
		c->msg_len += h.len;
		if (!h.fin)
			continue;

		c->msg_active = 0;
		c->msg[c->msg_len] = '\0';
		f->opcode = c->msg_opcode;
		f->data = c->msg;
		f->len = c->msg_len;
		f->t_arrive_us = c->last_read_us;
		return 1;
	}
broken:
	c->broken = 1;
	return -1;
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
