/*
 * probelog.h: what wsprobe saw, kept for the report and the CSV: every
 * ping (sent, and when its pong came back), every message the server sent
 * (when it arrived, how long it was) and every message wsprobe sent to
 * trigger work. Pure and bounded: each list has a cap fixed at creation,
 * and what comes after it is counted, not kept.
 *
 * The CSV (`kind,t_sent_us,t_recv_us,bytes`, CLOCK_MONOTONIC microseconds,
 * rows in time order) is written and read here, so the grader of lab 09
 * reads exactly what wsprobe writes:
 *   ping,T_SENT,T_PONG,BYTES   T_PONG empty if no pong came
 *   msg,,T_ARRIVED,BYTES       one per message the server sent
 *   send,T_SENT,,BYTES         one per --send (what made the server work)
 */
#ifndef SENDLAB_PROBELOG_H
#define SENDLAB_PROBELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROBELOG_CSV_HEADER "kind,t_sent_us,t_recv_us,bytes"

struct probe_ping {
	int64_t t_sent_us;
	int64_t t_pong_us;	/* 0: no pong (yet) */
	uint32_t bytes;		/* of the payload */
};

/* A message in either direction: a `msg` (t = arrival) or a `send`
 * (t = handed to libwebsockets). */
struct probe_event {
	int64_t t_us;
	uint64_t bytes;
};

struct probelog {
	struct probe_ping *pings;
	size_t n_pings, max_pings;
	struct probe_event *msgs, *sends;
	size_t n_msgs, max_msgs, n_sends, max_sends;
	uint64_t msgs_not_kept, sends_not_kept;	/* past the caps */
};

/* Empty lists with these caps. The memory grows as rows come (doubling),
 * never past the caps. */
void probelog_init(struct probelog *log, size_t max_pings, size_t max_msgs,
		   size_t max_sends);
void probelog_free(struct probelog *log);

/* Appends a ping sent at t; returns its index, or -1 past the cap or out
 * of memory (the caller stops pinging). */
long probelog_add_ping(struct probelog *log, int64_t t_sent_us, uint32_t bytes);
/* Appends a message that arrived (probelog_add_msg) or was sent
 * (probelog_add_send) at t; past the cap it is only counted. */
void probelog_add_msg(struct probelog *log, int64_t t_us, uint64_t bytes);
void probelog_add_send(struct probelog *log, int64_t t_us, uint64_t bytes);

/* Writes the CSV (header, then every row in time order). False if a write
 * failed (errno tells why). */
bool probelog_write_csv(const struct probelog *log, FILE *f);

/*
 * Reads a CSV written by probelog_write_csv into an initialised *log
 * (whose caps bound it). Strict: the header exactly, three kinds, integers
 * in 0..2^53-1, a pong not before its ping, times never going back within
 * a kind. Returns false with "line N: what is wrong" in err.
 */
bool probelog_read_csv(struct probelog *log, FILE *f, char *err, size_t errcap);

#endif
