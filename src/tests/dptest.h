/*
 * dptest.h: what the tests of build/delayproxy share (test_delayproxy.c,
 * test_delayproxy_fail.c): the test is the upstream, listening on
 * 127.0.0.1:0, and the client, so it sees both ends on one clock. Every
 * wait is a poll with a bound.
 */
#ifndef SENDLAB_DPTEST_H
#define SENDLAB_DPTEST_H

#include "client/spawn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_START_MS 5000
#define DP_STOP_MS 5000
#define DP_IO_MS 5000		/* any byte or EOF expected at all */
#define DP_D_MS 50		/* the delay of the timing test */

/* A listening socket on 127.0.0.1:0: the upstream. Its port in *port. */
int dp_listen(int *port);

/* Starts build/delayproxy --to 127.0.0.1:up_port --delay-ms delay_ms plus
 * the NULL-terminated extra arguments; fails the test if it does not
 * print its listening line. */
void dp_start(struct spawned *s, int up_port, int delay_ms, ...);

/* A blocking TCP connection to 127.0.0.1:port, with TCP_NODELAY. */
int dp_connect(int port);

/* Polls fd for events for at most timeout_ms (EINTR retried); true if
 * they came. */
bool dp_wait(int fd, short events, int timeout_ms);

/* The proxy's connection to the upstream, accepted within DP_IO_MS. */
int dp_accept(int lfd);

/* Reads one byte, which must be want, within DP_IO_MS; returns the
 * moment read() returned. */
int64_t dp_recv_byte(int fd, unsigned char want, const char *what);

/* Writes the one byte b; fails the test if the write fails. */
void dp_send_byte(int fd, unsigned char b);

/* Stops the proxy with sig; asserts exit status 0 within DP_STOP_MS and no
 * sanitizer report; its stderr goes to errtext. Cleans up. */
void dp_stop(struct spawned *s, int sig, char *errtext, size_t cap);

/* The exit line's numbers; fails the test if the line is missing. */
void dp_exit_line(const char *errtext, unsigned long *conns, size_t *peak, size_t *cap);

#endif
