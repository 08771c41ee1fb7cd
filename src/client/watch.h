/*
 * watch.h: one job watched by the independent client (wsclient.c), with a
 * bystander connection echoing every few ms, and the server's lag monitor
 * read over the same window. No test framework: the Check tests
 * (observe.c) and the lab grader (src/grade/) both build on it.
 */
#ifndef SENDLAB_WATCH_H
#define SENDLAB_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WATCH_MAX_ITEMS 16
#define WATCH_MAX_ECHO_TIMES 256

/* What the client saw of one job. Times are CLOCK_MONOTONIC us. */
struct watched {
	int items;
	int64_t t_request, t_recv;
	int64_t start[WATCH_MAX_ITEMS], done[WATCH_MAX_ITEMS];
	int64_t sent[WATCH_MAX_ITEMS], arrived[WATCH_MAX_ITEMS];
	uint64_t value[WATCH_MAX_ITEMS];	/* each result's checksum */
	int64_t item;		/* median measured item length (us) */
	int64_t job;		/* t_recv .. last t_done (us) */
	int echoes;
	int64_t worst_echo;	/* the bystander's longest wait (us) */
	int64_t echo_arrived[WATCH_MAX_ECHO_TIMES]; /* when the first echo
				   replies reached the bystander */
	int echo_times;		/* how many of them echo_arrived holds */
	int64_t lag_max;	/* the server's own lag monitor, over the job */
	int64_t stalls;
	int pings;		/* WebSocket PINGs the job connection got
				   (answered at once with PONGs) */
};

/*
 * Connects twice to 127.0.0.1:port, runs one job of items x work_ms on the
 * first connection while the second sends an `echo` every bystander_ms,
 * then asks `stats` for the job's window. Every wait is bounded (the job
 * may take 3x its nominal length + 5 s). Returns false with one sentence
 * in err if anything goes wrong: a refused connection, an `error` reply,
 * a result out of order, a malformed reply, a timeout.
 */
bool watch_job(int port, int items, int work_ms, int bystander_ms,
	       struct watched *w, char *err, size_t errcap);

#define WATCH_MAX_CLIENTS 8

/* What n clients that started a job each at the same moment saw. */
struct watched_jobs {
	int clients, items;
	int64_t t_request;			/* the first run was sent */
	int64_t last_arrival;			/* of any result */
	int64_t start[WATCH_MAX_CLIENTS][WATCH_MAX_ITEMS];
	int64_t done[WATCH_MAX_CLIENTS][WATCH_MAX_ITEMS];
	int64_t item;				/* mean measured item (us) */
};

/*
 * Connects n clients to 127.0.0.1:port, sends each a run of items x
 * work_ms at once, and collects every result within 10 s. Returns false
 * with the reason in err on any failure, including a client's results
 * arriving out of order.
 */
bool watch_jobs(int port, int n, int items, int work_ms, struct watched_jobs *w,
		char *err, size_t errcap);

#endif
