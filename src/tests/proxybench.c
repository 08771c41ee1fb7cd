/*
 * proxybench.c: build/tests/proxybench, what build/delayproxy adds to a
 * loopback round trip (scripts/proxy-overhead.sh runs it).
 *
 * One thread plays both ends, as test_delayproxy.c does: it listens as
 * the upstream, connects once straight to itself and once through the
 * proxy, and times 1-byte round trips on the two connections in turns
 * (direct, proxied, direct, ...), so a slow stretch of the machine falls
 * on both alike. The echo is the same thread reading and writing back,
 * so each round trip also holds two of our own read/write pairs: the same
 * on both paths, it cancels in the difference.
 */
#include "client/spawn.h"
#include "common/clock.h"
#include "common/stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_WARMUP 50

static void bench_die(const char *what)
{
	fprintf(stderr, "proxybench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int bench_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		bench_die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int bench_accept(int lfd)
{
	int one = 1, fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		bench_die("accept");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One round trip: a byte from c to u, u echoes it back; microseconds. */
static int64_t bench_rtt(int c, int u)
{
	unsigned char b = 'x';
	int64_t t0 = clock_now_us();

	if (write(c, &b, 1) != 1 || read(u, &b, 1) != 1 || write(u, &b, 1) != 1 ||
	    read(c, &b, 1) != 1)
		bench_die("round trip");
	return clock_now_us() - t0;
}

static void bench_print(const char *name, int64_t *v, int n)
{
	struct stats_summary s;

	stats_summarize(v, (size_t)n, &s);
	printf("  %-8s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  (n=%d)\n", name,
	       s.p50 / 1000.0, s.p99 / 1000.0, s.max / 1000.0, n);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char to[64], err[512];
	struct spawned px;
	int n, lfd;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: proxybench PATH/delayproxy DELAY_MS ROUND_TRIPS\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) < 0)
		bench_die("listen");
	snprintf(to, sizeof(to), "127.0.0.1:%d", ntohs(a.sin_port));

	char *pargv[] = { argv[1], "--to", to, "--delay-ms", argv[2], NULL };

	if (spawn_server(&px, pargv, 5000, err, sizeof(err)) < 0) {
		fprintf(stderr, "proxybench: %s\n", err);
		return 1;
	}

	int dc = bench_connect(ntohs(a.sin_port)), du = bench_accept(lfd);
	int pc = bench_connect(px.port), pu = bench_accept(lfd);
	int64_t *direct = malloc(sizeof(int64_t) * (size_t)n),
		*proxied = malloc(sizeof(int64_t) * (size_t)n),
		*added = malloc(sizeof(int64_t) * (size_t)n);

	if (!direct || !proxied || !added)
		bench_die("malloc");
	for (int i = 0; i < BENCH_WARMUP && !strcmp(argv[2], "0"); i++) {
		bench_rtt(dc, du);
		bench_rtt(pc, pu);
	}
	for (int i = 0; i < n; i++) {
		direct[i] = bench_rtt(dc, du);
		proxied[i] = bench_rtt(pc, pu);
		added[i] = proxied[i] - direct[i];
	}
	printf("1-byte round trips on loopback, delayproxy --delay-ms %s:\n", argv[2]);
	bench_print("direct", direct, n);
	bench_print("proxied", proxied, n);
	bench_print("added", added, n);	/* per pair of turns */

	close(dc);
	close(du);
	close(pc);
	close(pu);
	close(lfd);
	int st = spawn_stop(&px, SIGINT, 5000);

	spawn_cleanup(&px);
	free(direct);
	free(proxied);
	free(added);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
