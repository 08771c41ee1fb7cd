/*
 * fakews.c: see fakews.h.
 */
#include "tests/fakews.h"

#include "client/wsclient.h"
#include "common/clock.h"
#include "tests/testutil.h"

#include <check.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads the HTTP request up to its blank line into buf. */
static bool fakews_read_request(int fd, char *buf, size_t cap, int64_t give_up)
{
	size_t got = 0;

	buf[0] = '\0';
	while (!strstr(buf, "\r\n\r\n")) {
		if (got + 1 >= cap || !tu_read_exact(fd, (unsigned char *)buf + got, 1, give_up))
			return false;
		buf[++got] = '\0';
	}
	return true;
}

/* One client frame (masked): its opcode, and its payload unmasked into
 * payload (cut to cap; the rest is read and dropped). */
static bool fakews_read_frame(int fd, int *op, unsigned char *payload, size_t cap,
			    size_t *len, int64_t give_up)
{
	unsigned char h[8], mask[4] = { 0 }, c;
	uint64_t n;
	bool masked;

	if (!tu_read_exact(fd, h, 2, give_up))
		return false;
	*op = h[0] & 0x0f;
	masked = h[1] & 0x80;
	n = h[1] & 0x7f;
	if (n >= 126) {
		size_t k = n == 126 ? 2 : 8;

		if (!tu_read_exact(fd, h, k, give_up))
			return false;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | h[i];
	}
	if (masked && !tu_read_exact(fd, mask, 4, give_up))
		return false;
	*len = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (!tu_read_exact(fd, &c, 1, give_up))
			return false;
		if (*len < cap)
			payload[(*len)++] = c ^ mask[i % 4];
	}
	return true;
}

/* One unmasked server frame with a payload under 126 bytes. */
static bool fakews_send_frame(int fd, int op, const void *payload, size_t len)
{
	unsigned char f[2 + 125];

	f[0] = (unsigned char)(0x80 | op);
	f[1] = (unsigned char)len;
	memcpy(f + 2, payload, len);
	return send(fd, f, 2 + len, MSG_NOSIGNAL) == (ssize_t)(2 + len);
}

/* The upgrade: 101 with the right Sec-WebSocket-Accept. */
static bool fakews_upgrade(int fd, const char *req)
{
	char resp[256], accept_key[29], key[64] = "";
	const char *k = strstr(req, "Sec-WebSocket-Key: ");

	if (!k || sscanf(k + 19, "%63[^\r]", key) != 1)
		return false;
	wsc_accept_for_key(key, accept_key);
	snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept_key);
	return send(fd, resp, strlen(resp), MSG_NOSIGNAL) == (ssize_t)strlen(resp);
}

/* Reads and drops everything until the peer closes (or give_up). */
static void fakews_drain(int fd, int64_t give_up)
{
	unsigned char b;

	while (tu_read_exact(fd, &b, 1, give_up))
		;
}

/* The fake's thread: one connection, as struct fakews says. */
static void *fakews_run(void *arg)
{
	struct fakews *f = arg;
	int64_t give_up = clock_now_us() + FAKEWS_LIFE_US;
	struct pollfd p = { .fd = f->lfd, .events = POLLIN };
	char req[4096];
	int fd;

	if (poll(&p, 1, 10000) != 1 || (fd = accept(f->lfd, NULL, NULL)) < 0) {
		snprintf(f->err, sizeof(f->err), "no connection within 10 s");
		return NULL;
	}
	if (!fakews_read_request(fd, req, sizeof(req), give_up)) {
		snprintf(f->err, sizeof(f->err), "no complete upgrade request");
	} else if (f->http_404) {
		static const char r404[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
					   "Connection: close\r\n\r\n";

		send(fd, r404, sizeof(r404) - 1, MSG_NOSIGNAL);
		fakews_drain(fd, give_up);
	} else if (!fakews_upgrade(fd, req)) {
		snprintf(f->err, sizeof(f->err), "no Sec-WebSocket-Key in: %.100s", req);
	} else {
		unsigned char payload[256];
		size_t len;
		int op;

		while (fakews_read_frame(fd, &op, payload, sizeof(payload), &len, give_up)) {
			if (op == 0x8)	/* never answered: the probe must give up on it */
				f->client_closed = true;
			if (op != 0x9)
				continue;
			f->pings++;
			if (f->pongs >= f->answer || len > 125)
				continue;
			fakews_send_frame(fd, 0xA, payload, len);	/* the same payload */
			if (++f->pongs == f->answer && f->close_reason) {
				unsigned char c[125] = { 1011 >> 8, 1011 & 0xff };
				size_t n = strnlen(f->close_reason, sizeof(c) - 2);

				memcpy(c + 2, f->close_reason, n);
				fakews_send_frame(fd, 0x8, c, 2 + n);
			}
		}
	}
	close(fd);
	return NULL;
}

/* Starts a fake on a fresh loopback port; url gets its ws:// URL. */
void fakews_start(struct fakews *f, char *url, size_t cap)
{
	f->port = tu_loopback_port(true, &f->lfd);
	snprintf(url, cap, "ws://127.0.0.1:%d/", f->port);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fakews_run, f), 0);
}

/* Joins the fake (it ends when the probe hangs up, or at its give-up
 * time); fails the test if the fake itself failed. */
void fakews_join(struct fakews *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	ck_assert_msg(!f->err[0], "the fake server: %s", f->err);
}
