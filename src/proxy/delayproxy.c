/*
 * delayproxy.c: build/delayproxy, a user-space TCP relay that delays every
 * byte by D ms in each direction, for kernels without netem. main(): the
 * command line, the listening socket on 127.0.0.1, and one epoll loop
 * over the listener, a signalfd (SIGINT, SIGTERM), one timerfd armed at
 * the earliest due time of any pair, and every pair's sockets (pair.c).
 *
 * The timerfd, not epoll_wait's timeout, wakes the loop for due bytes:
 * epoll_wait rounds up to whole milliseconds, a timerfd fires at the
 * microsecond (with the timer slack set to 1 ns below).
 */
#define _GNU_SOURCE	/* accept4 */

#include "proxy/pair.h"
#include "proxy/proxyopt.h"

#include "common/clock.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define PROXY_EVENTS 64
#define PROXY_ACCEPTS_PER_TURN 32
#define PROXY_MSG_INTERVAL_US 1000000	/* refusals: one stderr line a second */

/* epoll's data.ptr for the proxy's own fds; every other ptr is a
 * struct pair_end */
static char proxy_tag_listen, proxy_tag_signal, proxy_tag_timer;

struct proxy {
	struct pair_ctx ctx;
	int lfd, sfd, tfd;
	bool listen_paused;	/* out of fds: not accepting until a pair ends */
	int max_conns, live;
	unsigned long opened;	/* pairs opened: the exit line's C */
	size_t peak;		/* of the pairs already freed */
	struct pair *pairs;
	int64_t armed_us;	/* the timerfd's expiry, 0: disarmed */
	int64_t last_msg_us;	/* of the last refusal line */
	unsigned long refused_quiet; /* refusals since, not yet reported */
};

/* --to's host to an IPv4 address (getaddrinfo: a literal or a name).
 * False with the sentence in err. */
static bool proxy_resolve(const struct proxyopt *o, struct sockaddr_in *to,
			  char *err, size_t errcap)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int r = getaddrinfo(o->to_host, NULL, &hints, &res);

	if (r != 0 || !res) {
		snprintf(err, errcap, "--to: cannot resolve '%s' to an IPv4 address: %s",
			 o->to_host, r ? gai_strerror(r) : "no address");
		return false;
	}
	memcpy(to, res->ai_addr, sizeof(*to));
	to->sin_port = htons((uint16_t)o->to_port);
	freeaddrinfo(res);
	return true;
}

/* The listening socket on 127.0.0.1:port (never any other address: the
 * proxy relays to whatever --to names, for anyone who can reach it).
 * Returns the fd and the port in *bound, or -1 after a stderr line. */
static int proxy_listen(int port, int *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "delayproxy: cannot listen on 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return fd;
}

static bool proxy_watch(struct proxy *px, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(px->ctx.epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

/* Stops (or resumes) accepting: out of fds, the listener would stay
 * readable and spin the loop. proxy_reap resumes it when a pair ends;
 * limit: if none is open (the fds went elsewhere), it stays paused. */
static void proxy_pause_listen(struct proxy *px, bool pause)
{
	struct epoll_event ev = { .events = pause ? 0 : EPOLLIN, .data.ptr = &proxy_tag_listen };

	if (px->listen_paused != pause &&
	    epoll_ctl(px->ctx.epfd, EPOLL_CTL_MOD, px->lfd, &ev) == 0)
		px->listen_paused = pause;
}

/* A connection beyond --max-conns: closed at once, said on stderr at most
 * once a second (a flood of them must not flood the log). */
static void proxy_refuse(struct proxy *px, int fd)
{
	int64_t now = clock_now_us();

	close(fd);
	if (px->last_msg_us && now - px->last_msg_us < PROXY_MSG_INTERVAL_US) {
		px->refused_quiet++;
		return;
	}
	fprintf(stderr, "delayproxy: refused a connection: all %d pairs of "
		"--max-conns in use", px->max_conns);
	if (px->refused_quiet)
		fprintf(stderr, "; %lu more refused since the last message",
			px->refused_quiet);
	fputc('\n', stderr);
	px->last_msg_us = now;
	px->refused_quiet = 0;
}

static void proxy_accept(struct proxy *px)
{
	for (int i = 0; i < PROXY_ACCEPTS_PER_TURN; i++) {
		int fd = accept4(px->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				fprintf(stderr, "delayproxy: accept: %s; not accepting "
					"until a connection ends\n", strerror(errno));
				proxy_pause_listen(px, true);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				fprintf(stderr, "delayproxy: accept: %s\n", strerror(errno));
			}
			return;
		}
		if (px->live >= px->max_conns) {
			proxy_refuse(px, fd);
			continue;
		}

		struct pair *p = pair_open(&px->ctx, fd, ++px->opened);

		if (p) {
			p->next = px->pairs;
			px->pairs = p;
			px->live++;
		}
	}
}

/* Frees the pairs that died this turn (no event of the turn is left to
 * reach them), keeping their peak for the exit line. */
static void proxy_reap(struct proxy *px)
{
	for (struct pair **pp = &px->pairs; *pp;) {
		struct pair *p = *pp;

		if (!p->dead) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		if (pair_peak(p) > px->peak)
			px->peak = pair_peak(p);
		pair_free(p);
		px->live--;
		proxy_pause_listen(px, false);
	}
}

/* Arms the timerfd at the earliest due time of any pair (absolute
 * CLOCK_MONOTONIC; one in the past fires at once), or disarms it. */
static void proxy_arm_timer(struct proxy *px)
{
	int64_t due = 0, t;
	struct itimerspec its = { 0 };

	for (struct pair *p = px->pairs; p; p = p->next)
		if (pair_next_due(p, &t) && (!due || t < due))
			due = t;
	if (due == px->armed_us)
		return;
	if (due) {
		its.it_value.tv_sec = due / 1000000;
		its.it_value.tv_nsec = (long)(due % 1000000) * 1000;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;	/* 0 would disarm it */
	}
	if (timerfd_settime(px->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		fprintf(stderr, "delayproxy: timerfd_settime: %s\n", strerror(errno));
		return;
	}
	px->armed_us = due;
}

/* The loop, until SIGINT or SIGTERM. Returns 0, or 1 if epoll fails. */
static int proxy_run(struct proxy *px)
{
	struct epoll_event evs[PROXY_EVENTS];
	bool stop = false;

	while (!stop) {
		int n = epoll_wait(px->ctx.epfd, evs, PROXY_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "delayproxy: epoll_wait: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;

			if (tag == &proxy_tag_listen) {
				proxy_accept(px);
			} else if (tag == &proxy_tag_signal) {
				struct signalfd_siginfo si;

				if (read(px->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
					stop = true;
			} else if (tag == &proxy_tag_timer) {
				uint64_t expirations;

				/* EAGAIN: re-armed since it fired; the flush is harmless */
				if (read(px->tfd, &expirations, sizeof(expirations)) < 0 &&
				    errno != EAGAIN)
					fprintf(stderr, "delayproxy: timerfd: %s\n", strerror(errno));
				px->armed_us = 0;
				for (struct pair *p = px->pairs; p; p = p->next)
					pair_flush(&px->ctx, p);
			} else {
				pair_event(&px->ctx, tag, evs[i].events);
			}
		}
		proxy_reap(px);
		proxy_arm_timer(px);
	}
	return 0;
}

/* The fds the loop needs: epoll, the signalfd (SIGINT and SIGTERM
 * blocked, so they arrive only as its reads) and the timerfd. */
static bool proxy_setup(struct proxy *px)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGPIPE, SIG_IGN);	/* a dead peer is an error return */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (px->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (px->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (px->ctx.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    !proxy_watch(px, px->lfd, EPOLLIN, &proxy_tag_listen) ||
	    !proxy_watch(px, px->sfd, EPOLLIN, &proxy_tag_signal) ||
	    !proxy_watch(px, px->tfd, EPOLLIN, &proxy_tag_timer)) {
		fprintf(stderr, "delayproxy: cannot set up the event loop: %s\n",
			strerror(errno));
		return false;
	}
	/* the default 50 us of timer slack would let every due time slip by
	 * up to that much; best effort, the delay is a lower bound anyway */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	return true;
}

/* Frees every pair and fd, and prints the exit line a test checks the
 * bound with. */
static void proxy_finish(struct proxy *px)
{
	while (px->pairs) {
		struct pair *p = px->pairs;

		px->pairs = p->next;
		if (pair_peak(p) > px->peak)
			px->peak = pair_peak(p);
		pair_free(p);
	}
	int fds[] = { px->lfd, px->sfd, px->tfd, px->ctx.epfd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fprintf(stderr, "delayproxy: %lu connections, peak queued %zu bytes in one "
		"direction (cap %zu bytes)\n", px->opened, px->peak, px->ctx.cap);
}

int main(int argc, char **argv)
{
	struct proxyopt o;
	struct proxy px = { .lfd = -1, .sfd = -1, .tfd = -1, .ctx.epfd = -1 };
	char err[400];
	int port, rc;

	if (!proxyopt_parse(argc, argv, &o, err, sizeof(err)) ||
	    (!o.help && !proxy_resolve(&o, &px.ctx.to, err, sizeof(err)))) {
		fprintf(stderr, "delayproxy: %s (delayproxy --help lists the options)\n", err);
		return 2;
	}
	if (o.help) {
		proxyopt_usage(stdout);
		return 0;
	}
	px.ctx.delay_us = (int64_t)o.delay_ms * 1000;
	px.ctx.cap = (size_t)o.buffer_kb * 1024;
	px.max_conns = o.max_conns;
	snprintf(px.ctx.to_text, sizeof(px.ctx.to_text), "%s:%d", o.to_host, o.to_port);

	px.lfd = proxy_listen(o.port, &port);
	if (px.lfd < 0)
		return 1;
	if (!proxy_setup(&px)) {
		proxy_finish(&px);
		return 1;
	}
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	rc = proxy_run(&px);
	proxy_finish(&px);
	return rc;
}
