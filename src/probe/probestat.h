/*
 * probestat.h: what a probelog says about the server, the numbers of
 * wsprobe's report: pong latency percentiles, the stalls (a ping whose
 * pong took longer than the threshold, or never came) and the bursts in
 * the messages the server sent. Pure; the lab 09 grader reads a CSV with
 * the same functions, so it and wsprobe cannot disagree.
 */
#ifndef SENDLAB_PROBESTAT_H
#define SENDLAB_PROBESTAT_H

#include "probe/probelog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Only the first ones are listed; all are counted. */
#define PROBESTAT_LISTED 20
/* Messages at most this far from the one before belong to the same burst. */
#define PROBESTAT_BURST_WITHIN_US 1000

struct probe_stall {
	int64_t t_begin_us;	/* the late ping's sending */
	int64_t length_us;	/* until its pong, or until t_end if none */
	bool unanswered;	/* no pong by t_end */
};

struct probe_burst {
	int64_t t_first_us;	/* the first message's arrival */
	int64_t t_last_us;
	int64_t silence_us;	/* since the message before it (the first: its send) */
	size_t count;
};

struct probe_summary {
	size_t pings, pongs;
	/* answered pings only; min is the round trip's floor (over a network
	 * every wait includes it) */
	int64_t pong_min_us, pong_p50_us, pong_p99_us, pong_max_us;
	size_t n_stalls;
	struct probe_stall stalls[PROBESTAT_LISTED];
	int64_t longest_stall_us;	/* 0 if none */
	size_t n_bursts;
	struct probe_burst bursts[PROBESTAT_LISTED];
	size_t largest_burst;		/* messages; 0 if no burst */
	size_t msgs;
	uint64_t msg_bytes;
	bool last_unanswered;		/* the last ping had no pong at t_end */
	int64_t last_pong_us;		/* arrival of the last pong; 0: none */
};

/*
 * Summarises log as of t_end_us. A stall is a ping whose pong took more
 * than stall_us, or which had none by t_end_us and was older than
 * stall_us then. A burst is two or more messages, each within
 * PROBESTAT_BURST_WITHIN_US of the one before, after more than
 * silence_us without a message; the silence before the first message is
 * counted from the last send before it (or the first ping: the start),
 * and later sends do not restart it.
 * Percentiles are nearest-rank over the answered pings.
 */
void probestat_summarize(const struct probelog *log, int64_t t_end_us,
			 int64_t stall_us, int64_t silence_us,
			 struct probe_summary *out);

/* The longest pong wait among the pings sent in [from_us, to_us): an
 * answered ping counts its latency, an unanswered one its age at t_end_us.
 * 0 if no ping was sent then. For "was the loop blocked while X ran?". */
int64_t probestat_worst_wait(const struct probelog *log, int64_t from_us,
			     int64_t to_us, int64_t t_end_us);

/* The median pong latency of the answered pings sent in [from_us, to_us);
 * -1 if none. */
int64_t probestat_median_wait(const struct probelog *log, int64_t from_us,
			      int64_t to_us);

#endif
