/*
 * dptest.c: see dptest.h.
 */
#include "tests/dptest.h"

#include "common/clock.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>


/* A listening socket on 127.0.0.1:0: the upstream. Its port in *port. */
int dp_listen(int *port)
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
void dp_start(struct spawned *s, int up_port, int delay_ms, ...)
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
int dp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_msg(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
		      "connect to the proxy: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

bool dp_wait(int fd, short events, int timeout_ms)
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
int dp_accept(int lfd)
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
int64_t dp_recv_byte(int fd, unsigned char want, const char *what)
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

void dp_send_byte(int fd, unsigned char b)
{
	ck_assert_msg(write(fd, &b, 1) == 1, "write: %s", strerror(errno));
}

/* Stops the proxy with sig; asserts exit status 0 within DP_STOP_MS and no
 * sanitizer report; its stderr goes to errtext. Cleans up. */
void dp_stop(struct spawned *s, int sig, char *errtext, size_t cap)
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
void dp_exit_line(const char *errtext, unsigned long *conns, size_t *peak,
			 size_t *cap)
{
	const char *line = strstr(errtext, "delayproxy: ");

	for (; line; line = strstr(line + 1, "delayproxy: "))
		if (sscanf(line, "delayproxy: %lu connections, peak queued %zu bytes in "
			   "one direction (cap %zu bytes)", conns, peak, cap) == 3)
			return;
	ck_abort_msg("no exit line in stderr: %s", errtext);
}
