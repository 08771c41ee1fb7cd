/*
 * fdlimit.c: open files and log lines, so that a server out of file
 * descriptors neither spins nor floods stderr (fdlimit.h).
 */
#include "core/fdlimit.h"

#include "common/clock.h"

#include <stdio.h>
#include <sys/resource.h>

/* Set once by fdlimit_init() before the loop starts; loop thread after. */
static struct {
	unsigned long limit;	/* RLIMIT_NOFILE's soft limit, once raised */
	const char *name;	/* the variant, for messages */
	bool quiet;		/* --quiet */
} fdlimit;

/*
 * Open files. libwebsockets 4.1.6 spins when accept() fails for want of a
 * file descriptor: it logs "accept: errno 24" and returns with the
 * listening socket still readable, so the loop comes straight back
 * (measured: ulimit -n 64 and 200 idle TCP connections, 100% CPU and 25 MB
 * of stderr in 5 s, --quiet or not). So accept() must never run out:
 * descriptors are handed out lowest first, so an accepted one's number is
 * about how many are open, and one within FDLIMIT_SPARE of the limit is
 * closed at once (LWS_CALLBACK_FILTER_NETWORK_CONNECTION, before lws reads
 * a byte). A newcomer is then refused, cheaply, until others leave.
 * Measured the same way after: 1% CPU, no stderr, an existing client's
 * echo under 1.1 ms, a newcomer served once the idle ones went.
 */
#define FDLIMIT_SPARE 8
/* Descriptors that are not connections: lws's own, the lag timer, stdio,
 * a worker pool's wake-ups, the lag log: --max-clients is clamped to the
 * limit minus this. */
#define FDLIMIT_OVERHEAD 32

/* Refuses the connection on fd (returns 1) when fd is near the limit,
 * saying so at most once a second unless --quiet. Loop thread. */
int fdlimit_filter(int fd)
{
	static int64_t last_said_us;

	if (fd < (int)fdlimit.limit - FDLIMIT_SPARE)
		return 0;

	int64_t now = clock_now_us();

	if (!fdlimit.quiet && now - last_said_us >= 1000000) {
		last_said_us = now;
		fprintf(stderr, "server-%s: refusing TCP connections: %d of %lu files "
			"open (ulimit -n); clients are served again as others leave\n",
			fdlimit.name, fd, (unsigned long)fdlimit.limit);
	}
	return 1;
}

/*
 * The open-file limit: the soft one raised to the hard one (a server wants
 * every connection it may have), then --max-clients clamped below it with
 * a warning, so a full server says 1013 "server full" rather than refusing
 * at the TCP level. Before the context exists.
 */
void fdlimit_init(const char *name, bool quiet, int *max_clients)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = rl.rlim_max = 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = { .rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	fdlimit.limit = rl.rlim_cur;
	fdlimit.name = name;
	fdlimit.quiet = quiet;

	long room = (long)rl.rlim_cur - FDLIMIT_OVERHEAD;

	if (room < 1)
		room = 1;
	if (*max_clients > room) {
		fprintf(stderr, "server-%s: WARNING: --max-clients %d is more than %lu "
			"open files allow (ulimit -n); using %ld\n", name,
			*max_clients, (unsigned long)rl.rlim_cur, room);
		*max_clients = (int)room;
	}
}

/*
 * Where lws's own log lines go: stderr, at most FDLIMIT_LOG_PER_S a second,
 * then one line saying how many were dropped. An error lws repeats in a
 * loop cannot flood the disk, or block the loop on a pipe nobody reads.
 */
#define FDLIMIT_LOG_PER_S 20

void fdlimit_log_emit(int level, const char *line)
{
	static int64_t window_us;
	static int lines;
	static unsigned long dropped;
	int64_t now = clock_now_us();

	(void)level;
	if (now - window_us >= 1000000) {
		if (dropped)
			fprintf(stderr, "(%lu libwebsockets log lines dropped)\n", dropped);
		window_us = now;
		lines = 0;
		dropped = 0;
	}
	if (lines++ < FDLIMIT_LOG_PER_S)
		fprintf(stderr, "lws: %s", line);
	else
		dropped++;
}

