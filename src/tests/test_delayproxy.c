/*
 * test_delayproxy.c: build/delayproxy, as a process. The test itself is
 * the upstream: it listens on 127.0.0.1:0, starts the proxy --to that
 * port, connects to the proxy as the client and accepts the proxy's
 * connection, so it sees both ends on one clock. Every wait is a poll
 * with a bound; no sleep stands in for an event.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/dptest.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Byte i of the pattern of a direction (seed): a hash of the position, so
 * a lost, doubled or reordered byte shifts everything after it. */
static unsigned char dp_pattern(uint64_t i, uint64_t seed)
{
	uint64_t x = (i ^ seed) * 0x9E3779B97F4A7C15ULL;

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	return (unsigned char)(x >> 56);
}

/* The index in buf[0..n) of the first byte that is not the pattern's
 * from position `at`, or -1. (One ck_assert per byte would be one write
 * to Check's pipe per byte.) */
static ssize_t dp_first_mismatch(const unsigned char *buf, ssize_t n, uint64_t at,
				 uint64_t seed)
{
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] != dp_pattern(at + (uint64_t)i, seed))
			return i;
	return -1;
}

/* Attempts of the timing round: a sample over twice the delay is
 * measured again, up to this many times in all. Seen once in 60 runs
 * with one core busy: a stall of 83 ms (the proxy or the test not
 * scheduled), not a late proxy; a proxy late every time fails them all. */
#define DP_DELAY_ATTEMPTS 3

/* Asserts a chunk was delivered no earlier than the delay after it was
 * written: the proxy must never be early, on any attempt. A delivery
 * later than twice the delay is noted in late (the first one only), for
 * the attempt to be made again. */
static void dp_check_delay(int64_t t_write, int64_t t_arrive, int64_t d_us,
			   const char *what, char *late, size_t cap)
{
	int64_t dt = t_arrive - t_write;

	ck_assert_msg(dt >= d_us, "%s: arrived %lld us after it was written, "
		      "before the delay of %lld us", what, (long long)dt, (long long)d_us);
	if (dt > 2 * d_us && !late[0])
		snprintf(late, cap, "%s: arrived %lld us after it was written, over "
			 "twice the delay of %lld us", what, (long long)dt,
			 (long long)d_us);
}

/* One attempt on a fresh connection through proxy s: bytes each way, a
 * round trip, two bytes 20 ms apart, the EOF. Lower bounds asserted;
 * the first sample over twice the delay goes to late ("" if none). */
static void dp_delay_round(const struct spawned *s, int lfd, int64_t d, char *late,
			   size_t cap)
{
	int c = dp_connect(s->port), u = dp_accept(lfd);
	unsigned char b;

	late[0] = '\0';
	/* a few bytes each way, one at a time */
	for (int i = 0; i < 4; i++) {
		int64_t t0 = clock_now_us();

		dp_send_byte(c, (unsigned char)('a' + i));
		dp_check_delay(t0, dp_recv_byte(u, (unsigned char)('a' + i), "to upstream"),
			       d, "client -> upstream", late, cap);
		t0 = clock_now_us();
		dp_send_byte(u, (unsigned char)('A' + i));
		dp_check_delay(t0, dp_recv_byte(c, (unsigned char)('A' + i), "to client"),
			       d, "upstream -> client", late, cap);
	}

	/* a round trip crosses the proxy twice */
	int64_t t0 = clock_now_us();

	dp_send_byte(c, 'r');
	dp_recv_byte(u, 'r', "round trip out");
	dp_send_byte(u, 'R');
	dp_check_delay(t0, dp_recv_byte(c, 'R', "round trip back"), 2 * d, "round trip",
		       late, cap);

	/* two bytes 20 ms apart: each keeps its own due time, the second does
	 * not leave with the first; nothing arrives in those 20 ms */
	int64_t ta = clock_now_us();

	dp_send_byte(c, 'x');
	ck_assert_msg(!dp_wait(u, POLLIN, 20), "a byte arrived within 20 ms of its write");
	int64_t tb = clock_now_us();

	dp_send_byte(c, 'y');
	dp_check_delay(ta, dp_recv_byte(u, 'x', "first of two"), d, "first of two", late, cap);
	dp_check_delay(tb, dp_recv_byte(u, 'y', "second of two"), d, "second of two", late, cap);

	/* the EOF is delayed like a byte */
	t0 = clock_now_us();
	ck_assert(shutdown(c, SHUT_WR) == 0);
	ck_assert_msg(dp_wait(u, POLLIN, DP_IO_MS), "no EOF upstream");
	ck_assert_int_eq(read(u, &b, 1), 0);
	dp_check_delay(t0, clock_now_us(), d, "EOF", late, cap);
	close(c);
	close(u);
}

START_TEST(test_delay_each_way)
{
	struct spawned s;
	char errtext[4096], late[256];
	int port, lfd = dp_listen(&port), attempt = 0;

	dp_start(&s, port, DP_D_MS, NULL);
	do
		dp_delay_round(&s, lfd, DP_D_MS * 1000, late, sizeof(late));
	while (late[0] && ++attempt < DP_DELAY_ATTEMPTS);
	ck_assert_msg(!late[0], "late in all %d attempts; the last: %s",
		      DP_DELAY_ATTEMPTS, late);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
}
END_TEST

#define DP_BULK (4u << 20)

struct dp_flow {
	int from, to;			/* the sending and the receiving socket */
	uint64_t seed;
	size_t sent, got;
	bool eof;			/* the receiver read 0 */
};

static void dp_flow_send(struct dp_flow *f)
{
	unsigned char buf[65536];
	size_t n = DP_BULK - f->sent < sizeof(buf) ? DP_BULK - f->sent : sizeof(buf);

	for (size_t i = 0; i < n; i++)
		buf[i] = dp_pattern(f->sent + i, f->seed);
	ssize_t w = write(f->from, buf, n);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ck_assert_msg(w > 0, "bulk write: %s", strerror(errno));
	f->sent += (size_t)w;
	if (f->sent == DP_BULK)
		ck_assert(shutdown(f->from, SHUT_WR) == 0);
}

static void dp_flow_recv(struct dp_flow *f, const char *what)
{
	unsigned char buf[65536];
	ssize_t n = read(f->to, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ck_assert_msg(n >= 0, "%s: read: %s after %zu bytes", what, strerror(errno), f->got);
	if (n == 0) {
		ck_assert_msg(f->got == DP_BULK, "%s: EOF after %zu of %u bytes", what,
			      f->got, DP_BULK);
		f->eof = true;
		return;
	}
	ck_assert_msg(f->got + (size_t)n <= DP_BULK, "%s: more bytes than were sent", what);
	ssize_t bad = dp_first_mismatch(buf, n, f->got, f->seed);

	ck_assert_msg(bad < 0, "%s: byte %zu differs from what was sent", what,
		      f->got + (size_t)bad);
	f->got += (size_t)n;
}

START_TEST(test_order_integrity_eof)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap;
	int port, lfd = dp_listen(&port);

	dp_start(&s, port, 5, NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);
	struct dp_flow up = { .from = c, .to = u, .seed = 0x1234 },
		       down = { .from = u, .to = c, .seed = 0xabcdef };
	int64_t deadline = clock_now_us() + 60 * 1000000LL;

	fcntl(c, F_SETFL, O_NONBLOCK);
	fcntl(u, F_SETFL, O_NONBLOCK);
	/* both directions at once, as a full-duplex protocol would */
	while (!up.eof || !down.eof) {
		struct pollfd p[2] = {
			{ .fd = c, .events = (short)((up.sent < DP_BULK ? POLLOUT : 0) |
						     (!down.eof ? POLLIN : 0)) },
			{ .fd = u, .events = (short)((down.sent < DP_BULK ? POLLOUT : 0) |
						     (!up.eof ? POLLIN : 0)) },
		};
		int64_t left = deadline - clock_now_us();

		ck_assert_msg(left > 0, "4 MB each way not through in 60 s: up %zu/%zu "
			      "down %zu/%zu bytes sent/received", up.sent, up.got,
			      down.sent, down.got);
		if (poll(p, 2, (int)(left / 1000) + 1) <= 0)
			continue;
		if (p[0].revents & POLLOUT)
			dp_flow_send(&up);
		if (p[1].revents & POLLOUT)
			dp_flow_send(&down);
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			dp_flow_recv(&up, "client -> upstream");
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			dp_flow_recv(&down, "upstream -> client");
	}
	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(conns, 1);
	ck_assert_uint_le(peak, cap);
}
END_TEST

START_TEST(test_bounded_back_pressure)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap, written = 0, got = 0;
	int port, lfd = dp_listen(&port), small = 32 * 1024;
	unsigned char buf[65536];
	const size_t limit = 256u << 20;
	int64_t deadline;

	/* small socket buffers on the test's ends (the upstream's inherited
	 * from its listener), so back-pressure reaches the client after a
	 * few MB, not tens */
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	dp_start(&s, port, 2, "--buffer-kb", "64", NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);

	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	fcntl(c, F_SETFL, O_NONBLOCK);
	/* the upstream reads nothing: the client must end up unable to write,
	 * and stay so (a proxy reading without bound lets it go on) */
	deadline = clock_now_us() + 10 * 1000000LL;
	for (;;) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = dp_pattern(written + i, 7);
		ssize_t w = write(c, buf, sizeof(buf));

		if (w > 0) {
			written += (size_t)w;
			ck_assert_msg(written < limit, "no back-pressure after %zu bytes",
				      written);
			continue;
		}
		ck_assert_msg(errno == EAGAIN, "client write: %s", strerror(errno));
		ck_assert_msg(clock_now_us() < deadline, "still writable after 10 s "
			      "(%zu bytes): no back-pressure", written);
		if (!dp_wait(c, POLLOUT, 500))
			break;		/* full for half a second: it holds */
	}

	/* the upstream reads again: everything arrives, in order (the proxy
	 * resumed reading the client as its queue drained) */
	deadline = clock_now_us() + 20 * 1000000LL;
	while (got < written) {
		ck_assert_msg(dp_wait(u, POLLIN, (int)((deadline - clock_now_us()) / 1000) + 1),
			      "upstream got %zu of %zu bytes", got, written);
		ssize_t n = read(u, buf, sizeof(buf));

		ck_assert_msg(n > 0, "upstream read: %zd (%s)", n, n ? strerror(errno) : "EOF");
		ssize_t bad = dp_first_mismatch(buf, n, got, 7);

		ck_assert_msg(bad < 0, "byte %zu differs", got + (size_t)bad);
		got += (size_t)n;
	}
	ck_assert_uint_eq(got, written);

	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(cap, 64 * 1024);
	ck_assert_msg(peak <= cap, "peak %zu over the cap %zu", peak, cap);
	/* the queue was really the limit, not something before it */
	ck_assert_msg(peak > cap / 2, "peak %zu: the queue never filled", peak);
}
END_TEST

Suite *delayproxy_suite(void)
{
	Suite *s = suite_create("delayproxy");
	TCase *tc = tcase_create("proxy");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_delay_each_way);
	tcase_add_test(tc, test_order_integrity_eof);
	tcase_add_test(tc, test_bounded_back_pressure);
	suite_add_tcase(s, tc);
	return s;
}
