/*
 * pair.c: a relayed connection (see pair.h): reads into the direction's
 * relay queue stamped with their due time, writes what is due, forwards
 * EOFs delayed like bytes, and keeps each socket's epoll interest to what
 * it can do now, so a full queue stops reading (TCP back-pressure) and a
 * finished socket never wakes the loop.
 */
#include "proxy/pair.h"

#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* One read() at most: a chunk of the queue. */
#define PAIR_READ_MAX 65536

static void pair_close_fd(struct pair_end *e, bool abort)
{
	if (e->fd < 0)
		return;
	if (abort) {
		/* linger 0: close() sends a RST, so the peer sees the
		 * connection fail instead of a clean end of stream that would
		 * pass a truncated transfer off as complete */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(e->fd);		/* also leaves the epoll set: no dup of it exists */
	e->fd = -1;
	e->events = 0;
}

/* A reset or error on side s (err: an errno), the upstream connect's
 * failure among them: one stderr line, both sockets closed with a RST,
 * the pair dead. Queued bytes are dropped: unlike data and EOF, an error
 * is not delayed. */
static void pair_fail(const struct pair_ctx *ctx, struct pair *p, enum pair_side s,
		      const char *what, int err)
{
	if (s == PAIR_UPSTREAM)
		fprintf(stderr, "delayproxy: connection %lu: upstream %s: %s: %s; "
			"closed both sides\n", p->id, ctx->to_text, what, strerror(err));
	else
		fprintf(stderr, "delayproxy: connection %lu: client: %s: %s; "
			"closed both sides\n", p->id, what, strerror(err));
	pair_close_fd(&p->end[0], true);
	pair_close_fd(&p->end[1], true);
	p->dead = true;
}

/* The epoll events end s can use now: EPOLLIN while its queue has room
 * and it has not ended (and, upstream, once connected), EPOLLOUT while
 * connecting or after a write returned EAGAIN. */
static uint32_t pair_wanted(const struct pair *p, enum pair_side s)
{
	const struct pair_end *e = &p->end[s];
	bool up_ready = !(s == PAIR_UPSTREAM && p->connecting);
	uint32_t ev = 0;

	if (up_ready && !e->eof_read && relay_space(&p->q[s]) > 0)
		ev |= EPOLLIN;
	if (!up_ready || e->blocked)
		ev |= EPOLLOUT;
	return ev;
}

/*
 * Brings both sockets' epoll registration in line with pair_wanted.
 * A socket that wants nothing is removed from the set, not kept with
 * events 0: epoll reports EPOLLHUP regardless of the events asked for,
 * and a socket that has ended both ways would wake the loop forever.
 * The price: a reset of a socket waiting for its queue to drain is seen
 * only when it is read again.
 */
static void pair_update(const struct pair_ctx *ctx, struct pair *p)
{
	for (int s = 0; s < 2 && !p->dead; s++) {
		struct pair_end *e = &p->end[s];
		uint32_t want = pair_wanted(p, (enum pair_side)s);
		struct epoll_event ev = { .events = want, .data.ptr = e };
		int op;

		if (want == e->events)
			continue;
		op = !want ? EPOLL_CTL_DEL : e->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(ctx->epfd, op, e->fd, &ev) < 0) {
			pair_fail(ctx, p, (enum pair_side)s, "epoll_ctl", errno);
			return;
		}
		e->events = want;
	}
}

struct pair *pair_open(const struct pair_ctx *ctx, int client_fd, unsigned long id)
{
	struct pair *p = calloc(1, sizeof(*p));
	int one = 1, fd;

	if (!p || !relay_init(&p->q[0], ctx->cap) || !relay_init(&p->q[1], ctx->cap)) {
		fprintf(stderr, "delayproxy: connection %lu: out of memory for its "
			"queues; closed it\n", id);
		if (p) {
			relay_free(&p->q[0]);
			relay_free(&p->q[1]);
			free(p);
		}
		close(client_fd);
		return NULL;
	}
	p->id = id;
	for (int s = 0; s < 2; s++) {
		p->end[s].pair = p;
		p->end[s].side = (enum pair_side)s;
		p->end[s].fd = -1;
	}
	p->end[PAIR_CLIENT].fd = client_fd;
	/* small writes leave at once: Nagle would hold a byte back until the
	 * previous one is acknowledged, a delay of its own */
	setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pair_fail(ctx, p, PAIR_UPSTREAM, "socket", errno);
		return p;
	}
	p->end[PAIR_UPSTREAM].fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&ctx->to, sizeof(ctx->to)) < 0) {
		if (errno != EINPROGRESS) {
			pair_fail(ctx, p, PAIR_UPSTREAM, "connect", errno);
			return p;
		}
		p->connecting = true;
	}
	pair_update(ctx, p);
	return p;
}

/* The connect finished (EPOLLOUT, EPOLLERR or EPOLLHUP while connecting):
 * its result is SO_ERROR. */
static void pair_connected(const struct pair_ctx *ctx, struct pair *p)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(p->end[PAIR_UPSTREAM].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		pair_fail(ctx, p, PAIR_UPSTREAM, "connect", err);
		return;
	}
	p->connecting = false;
}

/* One read from end s into its queue, at most the room left; the chunk
 * is due the delay after the moment read() returned. EOF is stamped the
 * same way. */
static void pair_read(const struct pair_ctx *ctx, struct pair *p, enum pair_side s)
{
	static unsigned char buf[PAIR_READ_MAX];	/* one loop thread */
	struct pair_end *e = &p->end[s];
	size_t room = relay_space(&p->q[s]);
	ssize_t n;

	if (room > sizeof(buf))
		room = sizeof(buf);
	do
		n = read(e->fd, buf, room);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		relay_push(&p->q[s], buf, (size_t)n, clock_now_us() + ctx->delay_us);
	} else if (n == 0) {
		e->eof_read = true;
		e->eof_due_us = clock_now_us() + ctx->delay_us;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
		pair_fail(ctx, p, s, "read", errno);
	}
}

/*
 * Direction s (from end s to the other end): writes the bytes due by
 * now until none are due or the socket is full (then it waits for
 * EPOLLOUT), then shuts the other end's write side if s's EOF is due and
 * nothing of s is queued.
 */
static void pair_flush_dir(const struct pair_ctx *ctx, struct pair *p, enum pair_side s)
{
	struct pair_end *src = &p->end[s], *dst = &p->end[!s];
	struct relay *q = &p->q[s];
	const unsigned char *data;
	size_t n;
	int64_t now = clock_now_us();

	if (p->connecting || dst->blocked || dst->shut_wr)
		return;
	while ((n = relay_due(q, now, &data)) > 0) {
		ssize_t w = send(dst->fd, data, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			dst->blocked = true;
			return;
		}
		if (w < 0) {
			pair_fail(ctx, p, (enum pair_side)!s, "write", errno);
			return;
		}
		relay_pop(q, (size_t)w);
		if ((size_t)w < n) {	/* the socket took what it had room for */
			dst->blocked = true;
			return;
		}
	}
	if (relay_queued(q) == 0 && src->eof_read && now >= src->eof_due_us) {
		if (shutdown(dst->fd, SHUT_WR) < 0) {
			pair_fail(ctx, p, (enum pair_side)!s, "shutdown", errno);
			return;
		}
		dst->shut_wr = true;
	}
}

void pair_flush(const struct pair_ctx *ctx, struct pair *p)
{
	if (p->dead)
		return;
	pair_flush_dir(ctx, p, PAIR_CLIENT);
	if (!p->dead)
		pair_flush_dir(ctx, p, PAIR_UPSTREAM);
	if (p->dead)
		return;
	if (p->end[0].shut_wr && p->end[1].shut_wr) {
		/* both directions ended and delivered: a normal close */
		pair_close_fd(&p->end[0], false);
		pair_close_fd(&p->end[1], false);
		p->dead = true;
		return;
	}
	pair_update(ctx, p);
}

void pair_event(const struct pair_ctx *ctx, struct pair_end *e, uint32_t events)
{
	struct pair *p = e->pair;

	if (p->dead)
		return;
	if (e->side == PAIR_UPSTREAM && p->connecting) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			pair_connected(ctx, p);
	} else if (events & EPOLLERR) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (!err)	/* already taken by an earlier call */
			err = EIO;
		pair_fail(ctx, p, e->side, "socket error", err);
	} else {
		/* EPOLLHUP too: the write then fails and says why, instead
		 * of epoll reporting the hang-up again and again */
		if (events & (EPOLLOUT | EPOLLHUP))
			e->blocked = false;
		/* EPOLLHUP: the read sees the EOF or the error */
		if ((events & (EPOLLIN | EPOLLHUP)) && (e->events & EPOLLIN))
			pair_read(ctx, p, e->side);
	}
	pair_flush(ctx, p);
}

bool pair_next_due(const struct pair *p, int64_t *due_us)
{
	bool any = false;

	if (p->dead || p->connecting)
		return false;
	for (int s = 0; s < 2; s++) {
		const struct pair_end *src = &p->end[s], *dst = &p->end[!s];
		int64_t t;

		if (dst->blocked || dst->shut_wr)
			continue;
		if (!relay_next_due(&p->q[s], &t)) {
			if (!src->eof_read)
				continue;
			t = src->eof_due_us;
		}
		if (!any || t < *due_us)
			*due_us = t;
		any = true;
	}
	return any;
}

size_t pair_peak(const struct pair *p)
{
	size_t a = relay_peak(&p->q[0]), b = relay_peak(&p->q[1]);

	return a > b ? a : b;
}

void pair_free(struct pair *p)
{
	pair_close_fd(&p->end[0], false);
	pair_close_fd(&p->end[1], false);
	relay_free(&p->q[0]);
	relay_free(&p->q[1]);
	free(p);
}
