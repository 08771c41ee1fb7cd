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

#define DP_START_MS 5000
#define DP_STOP_MS 5000
#define DP_IO_MS 5000		/* any byte or EOF expected at all */
#define DP_D_MS 50		/* the delay of the timing test */

/* A listening socket on 127.0.0.1:0: the upstream. Its port in *port. */
static int dp_listen(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_msg(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      listen(fd, 16) == 0 &&
		      getsockname(fd, (struct sockaddr *)&a, &len) == 0,
		      "upstream listen: %s", strerror(errno));
	*port = ntohs(a.sin_port);
	return fd;
}

/* Starts build/delayproxy --to 127.0.0.1:up_port --delay-ms delay_ms plus
 * the NULL-terminated extra arguments; fails the test if it does not
 * print its listening line. */
static void dp_start(struct spawned *s, int up_port, int delay_ms, ...)
{
	static char path[512], to[64], delay[16];
	char *argv[16], err[512];
	int argc = 0;
	va_list ap;

	snprintf(path, sizeof(path), "%s/delayproxy", tu_build_dir());
	snprintf(to, sizeof(to), "127.0.0.1:%d", up_port);
	snprintf(delay, sizeof(delay), "%d", delay_ms);
	argv[argc++] = path;
	argv[argc++] = "--to";
	argv[argc++] = to;
	argv[argc++] = "--delay-ms";
	argv[argc++] = delay;
	va_start(ap, delay_ms);
	for (char *a; argc < 15 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	ck_assert_msg(spawn_server(s, argv, DP_START_MS, err, sizeof(err)) == 0,
		      "delayproxy: %s", err);
}

/* A blocking TCP connection to 127.0.0.1:port, with TCP_NODELAY. */
static int dp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_msg(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
		      "connect to the proxy: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static bool dp_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;

	for (;;) {
		int64_t left = deadline - clock_now_us();
		int r = poll(&p, 1, left > 0 ? (int)((left + 999) / 1000) : 0);

		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

/* The proxy's connection to the upstream, accepted within DP_IO_MS. */
static int dp_accept(int lfd)
{
	int one = 1, fd;

	ck_assert_msg(dp_wait(lfd, POLLIN, DP_IO_MS),
		      "the proxy did not connect upstream within %d ms", DP_IO_MS);
	fd = accept(lfd, NULL, NULL);
	ck_assert_msg(fd >= 0, "accept: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Reads one byte, which must be want, within DP_IO_MS; returns the
 * moment read() returned. */
static int64_t dp_recv_byte(int fd, unsigned char want, const char *what)
{
	unsigned char b;
	ssize_t n;

	ck_assert_msg(dp_wait(fd, POLLIN, DP_IO_MS), "%s: no byte within %d ms", what,
		      DP_IO_MS);
	n = read(fd, &b, 1);
	int64_t t = clock_now_us();

	ck_assert_msg(n == 1, "%s: read returned %zd (%s)", what, n,
		      n < 0 ? strerror(errno) : "EOF");
	ck_assert_msg(b == want, "%s: got byte %d, sent %d", what, b, want);
	return t;
}

static void dp_send_byte(int fd, unsigned char b)
{
	ck_assert_msg(write(fd, &b, 1) == 1, "write: %s", strerror(errno));
}

/* Stops the proxy with sig; asserts exit status 0 within DP_STOP_MS and no
 * sanitizer report; its stderr goes to errtext. Cleans up. */
static void dp_stop(struct spawned *s, int sig, char *errtext, size_t cap)
{
	int st = spawn_stop(s, sig, DP_STOP_MS);

	spawn_read_stderr(s, errtext, cap);
	spawn_cleanup(s);
	ck_assert_msg(st != -1, "delayproxy did not exit within %d ms of signal %d",
		      DP_STOP_MS, sig);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "delayproxy exit status %d (signal %d); stderr: %s",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0, errtext);
	ck_assert_msg(!strstr(errtext, "Sanitizer") && !strstr(errtext, "runtime error"),
		      "sanitizer report: %s", errtext);
}

/* The exit line's numbers; fails the test if the line is missing. */
static void dp_exit_line(const char *errtext, unsigned long *conns, size_t *peak,
			 size_t *cap)
{
	const char *line = strstr(errtext, "delayproxy: ");

	for (; line; line = strstr(line + 1, "delayproxy: "))
		if (sscanf(line, "delayproxy: %lu connections, peak queued %zu bytes in "
			   "one direction (cap %zu bytes)", conns, peak, cap) == 3)
			return;
	ck_abort_msg("no exit line in stderr: %s", errtext);
}

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

static int dp_count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
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

/* Asserts the proxy closes fd (EOF or a reset) within DP_IO_MS. */
static void dp_assert_closed(int fd, const char *what)
{
	unsigned char b;

	ck_assert_msg(dp_wait(fd, POLLIN, DP_IO_MS), "%s: still open after %d ms",
		      what, DP_IO_MS);
	ssize_t n = read(fd, &b, 1);

	ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET),
		      "%s: read returned %zd (%s), not EOF or a reset", what, n,
		      n < 0 ? strerror(errno) : "a byte");
}

START_TEST(test_upstream_refuses)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap;
	/* bound but not listening: the port stays ours, connects are refused */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int dead = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert(bind(dead, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  getsockname(dead, (struct sockaddr *)&a, &len) == 0);
	dp_start(&s, ntohs(a.sin_port), 10, NULL);
	for (int i = 0; i < 2; i++) {	/* the second: it still accepts */
		int c = dp_connect(s.port);

		dp_assert_closed(c, "client of a refused upstream");
		close(c);
	}
	close(dead);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	ck_assert_msg(dp_count(errtext, "Connection refused") == 2,
		      "not one line per refused connect: %s", errtext);
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(conns, 2);
}
END_TEST

START_TEST(test_upstream_reset)
{
	struct spawned s;
	char errtext[4096];
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int port, lfd = dp_listen(&port);

	dp_start(&s, port, 5, NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);

	dp_send_byte(c, 'a');
	dp_recv_byte(u, 'a', "before the reset");
	setsockopt(u, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(u);		/* a RST */
	/* the client sees a reset, not a clean EOF that would pass a cut
	 * stream off as complete */
	ck_assert_msg(dp_wait(c, POLLIN, DP_IO_MS), "client not closed after the reset");
	unsigned char b;
	ssize_t n = read(c, &b, 1);
	ck_assert_msg(n < 0 && errno == ECONNRESET, "client read %zd (%s), not a reset",
		      n, n < 0 ? strerror(errno) : "EOF or a byte");
	close(c);

	/* and the proxy serves the next connection */
	c = dp_connect(s.port);
	u = dp_accept(lfd);
	dp_send_byte(c, 'b');
	dp_recv_byte(u, 'b', "after the reset");
	dp_send_byte(u, 'B');
	dp_recv_byte(c, 'B', "after the reset");
	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	ck_assert_msg(dp_count(errtext, "reset") == 1, "not one line for the reset: %s",
		      errtext);
}
END_TEST

START_TEST(test_max_conns)
{
	struct spawned s;
	char errtext[4096];
	int port, lfd = dp_listen(&port);

	dp_start(&s, port, 5, "--max-conns", "1", NULL);

	int c = dp_connect(s.port), u = dp_accept(lfd);
	int64_t t0 = clock_now_us();

	for (int i = 0; i < 3; i++) {
		int extra = dp_connect(s.port);

		dp_assert_closed(extra, "a connection over --max-conns");
		close(extra);
	}
	int64_t refusing_us = clock_now_us() - t0;

	ck_assert_msg(!dp_wait(lfd, POLLIN, 0), "the proxy connected upstream for a "
		      "refused connection");
	/* the first pair still relays */
	dp_send_byte(c, 'k');
	dp_recv_byte(u, 'k', "the pair within --max-conns");
	close(c);
	close(u);
	close(lfd);
	dp_stop(&s, SIGINT, errtext, sizeof(errtext));
	/* three refusals in under a second: one line (if the machine took a
	 * second over them, two lines are right) */
	if (refusing_us < 900000)
		ck_assert_msg(dp_count(errtext, "refused a connection") == 1,
			      "refusals not rate-limited to one line a second: %s", errtext);
	else
		ck_assert_int_ge(dp_count(errtext, "refused a connection"), 1);
}
END_TEST

/* Runs the proxy with args; asserts exit status 2 and a one-line message
 * on stderr naming `names`. */
static void dp_assert_bad_args(const char *names, char **args)
{
	char path[512], out[2048];
	char *argv[12];
	int argc = 0, st;

	snprintf(path, sizeof(path), "%s/delayproxy", tu_build_dir());
	argv[argc++] = path;
	for (; *args && argc < 11; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	st = spawn_run(argv, out, sizeof(out), DP_START_MS);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2,
		      "bad arguments (%s): status 0x%x, not exit 2: %s", names,
		      (unsigned)st, out);
	ck_assert_msg(strstr(out, names), "the message does not name %s: %s", names, out);
	ck_assert_msg(dp_count(out, "\n") == 1 && out[strlen(out) - 1] == '\n',
		      "not one line: %s", out);
	ck_assert_msg(!strstr(out, "listening"), "it started: %s", out);
}

START_TEST(test_bad_arguments)
{
#define BAD(name, ...) dp_assert_bad_args(name, (char *[]){ __VA_ARGS__, NULL })
	BAD("--to", "--delay-ms", "5");
	BAD("--delay-ms", "--to", "127.0.0.1:1");
	BAD("--to", "--to", "127.0.0.1", "--delay-ms", "5");
	BAD("--to", "--to", ":80", "--delay-ms", "5");
	BAD("--to", "--to", "127.0.0.1:0", "--delay-ms", "5");
	BAD("--to", "--to", "127.0.0.1:65536", "--delay-ms", "5");
	BAD("--to", "--to", "::1:80", "--delay-ms", "5");	/* not IPv4 */
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "10001");
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "-1");
	BAD("--delay-ms", "--to", "127.0.0.1:1", "--delay-ms", "5x");
	BAD("--port", "--to", "127.0.0.1:1", "--delay-ms", "5", "--port", "65536");
	BAD("--port", "--to", "127.0.0.1:1", "--delay-ms", "5", "--port");
	BAD("--buffer-kb", "--to", "127.0.0.1:1", "--delay-ms", "5", "--buffer-kb", "0");
	BAD("--max-conns", "--to", "127.0.0.1:1", "--delay-ms", "5", "--max-conns", "0");
	BAD("--bogus", "--to", "127.0.0.1:1", "--delay-ms", "5", "--bogus");
#undef BAD
	char *none[] = { NULL };
	dp_assert_bad_args("--to", none);
}
END_TEST

/* Stops the proxy with sig while n pairs hold queued bytes both ways. */
static void dp_stop_busy(int sig)
{
	struct spawned s;
	char errtext[4096];
	unsigned long conns;
	size_t peak, cap;
	int c[3], u[3], port, lfd = dp_listen(&port);

	dp_start(&s, port, 2000, NULL);
	for (int i = 0; i < 3; i++) {
		c[i] = dp_connect(s.port);
		u[i] = dp_accept(lfd);
		ck_assert(write(c[i], "queued", 6) == 6);
		ck_assert(write(u[i], "queued", 6) == 6);
	}
	/* the bytes are in the proxy (its 2 s have not passed): stop it now */
	dp_stop(&s, sig, errtext, sizeof(errtext));
	dp_exit_line(errtext, &conns, &peak, &cap);
	ck_assert_uint_eq(conns, 3);
	for (int i = 0; i < 3; i++) {
		close(c[i]);
		close(u[i]);
	}
	close(lfd);
}

START_TEST(test_sigint_with_live_connections)
{
	dp_stop_busy(SIGINT);
}
END_TEST

START_TEST(test_sigterm_with_live_connections)
{
	dp_stop_busy(SIGTERM);
}
END_TEST

/* spawn_server reads the proxy's "listening on HOST:PORT" and still every
 * server's "listening on ws://HOST:PORT/", and nothing in between. */
START_TEST(test_spawn_ready_lines)
{
	static const struct { const char *line; int port; } cases[] = {
		{ "listening on ws://127.0.0.1:8080/", 8080 },
		{ "listening on ws://[::1]:8081/", 8081 },
		{ "listening on 127.0.0.1:8082", 8082 },
		{ "listening on ws://127.0.0.1:8083", -1 },	/* scheme, no slash */
		{ "listening on 127.0.0.1:8084/", -1 },		/* slash, no scheme */
		{ "listening on :8085", -1 },
		{ "listening on ws://:8086/", -1 },
		{ "listening on 127.0.0.1:", -1 },
		{ "listening on 127.0.0.1:65536", -1 },
		{ "listening on 127.0.0.1:80x", -1 },
		{ "listening at 127.0.0.1:8087", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char script[160], err[512];
		struct spawned s;

		snprintf(script, sizeof(script), "echo '%s'; exec sleep 10", cases[i].line);
		char *argv[] = { "/bin/sh", "-c", script, NULL };
		int r = spawn_server(&s, argv, DP_START_MS, err, sizeof(err));

		if (cases[i].port > 0) {
			ck_assert_msg(r == 0, "%s: %s", cases[i].line, err);
			ck_assert_int_eq(s.port, cases[i].port);
			spawn_cleanup(&s);
		} else {
			ck_assert_msg(r == -1 && strstr(err, "malformed"),
				      "%s: accepted", cases[i].line);
		}
	}
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
	tcase_add_test(tc, test_upstream_refuses);
	tcase_add_test(tc, test_upstream_reset);
	tcase_add_test(tc, test_max_conns);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_sigint_with_live_connections);
	tcase_add_test(tc, test_sigterm_with_live_connections);
	tcase_add_test(tc, test_spawn_ready_lines);
	suite_add_tcase(s, tc);
	return s;
}
