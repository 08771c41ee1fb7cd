/*
 * pair.h: one relayed connection of the delay proxy: the client's socket,
 * the socket to the upstream, and a relay queue for each direction.
 *
 * delayproxy.c owns the epoll loop and the list of pairs; it hands each
 * epoll event of a pair's socket to pair_event, calls pair_flush when its
 * timer says bytes are due, and frees a pair once it is `dead` (after the
 * loop turn, so later events of the same turn never see freed memory).
 * Everything here runs on the one loop thread.
 */
#ifndef SENDLAB_PAIR_H
#define SENDLAB_PAIR_H

#include "proxy/relay.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum pair_side { PAIR_CLIENT = 0, PAIR_UPSTREAM = 1 };

/* What every pair shares, set up once by delayproxy.c. */
struct pair_ctx {
	int epfd;
	int64_t delay_us;
	size_t cap;			/* each direction's queue, bytes */
	struct sockaddr_in to;		/* the upstream */
	char to_text[300];		/* "HOST:PORT" as given, for messages */
};

/* One socket of a pair; epoll's data.ptr points here. */
struct pair_end {
	struct pair *pair;
	enum pair_side side;
	int fd;			/* -1 once closed */
	uint32_t events;	/* registered with epoll; 0: not registered */
	bool eof_read;		/* it sent its FIN (read returned 0) */
	int64_t eof_due_us;	/* ... at this time plus the delay */
	bool shut_wr;		/* the other side's EOF was forwarded to it */
	bool blocked;		/* a write to it returned EAGAIN: waiting for EPOLLOUT */
};

struct pair {
	struct pair_end end[2];		/* [PAIR_CLIENT], [PAIR_UPSTREAM] */
	struct relay q[2];		/* q[s]: bytes read from end[s], for the other end */
	bool connecting;		/* the upstream connect is in progress */
	bool dead;			/* both sockets closed: free after this loop turn */
	unsigned long id;		/* 1, 2, ... for messages */
	struct pair *next;		/* delayproxy.c's list */
};

/*
 * Takes over client_fd (accepted, non-blocking), starts a non-blocking
 * connect to ctx->to and registers both sockets. Bytes the client sends
 * meanwhile are read and queued (they are delayed anyway). Returns the
 * new pair, already dead if the connect failed at once (it said so on
 * stderr); NULL, with client_fd closed and one stderr line, if memory is
 * short.
 */
struct pair *pair_open(const struct pair_ctx *ctx, int client_fd, unsigned long id);

/* Handles the epoll events of one end: the upstream connect's result,
 * errors, reads into its queue, EPOLLOUT after a blocked write; then
 * writes what is due. On a reset or error both sockets are closed, with
 * one stderr line, and the pair is dead. No-op on a dead pair. */
void pair_event(const struct pair_ctx *ctx, struct pair_end *e, uint32_t events);

/* Writes every byte due by now in both directions, forwards an EOF whose
 * bytes were all delivered and whose own time came, and closes the pair
 * (dead) once both directions have ended. No-op on a dead pair. */
void pair_flush(const struct pair_ctx *ctx, struct pair *p);

/* The earliest time pair_flush has something to do that it can do
 * (directions waiting for EPOLLOUT or for the connect are left out, their
 * event brings them back). False if none. */
bool pair_next_due(const struct pair *p, int64_t *due_us);

/* The most bytes either direction ever held. */
size_t pair_peak(const struct pair *p);

/* Closes whatever is still open (a normal close: queued bytes are
 * dropped) and frees p. */
void pair_free(struct pair *p);

#endif
