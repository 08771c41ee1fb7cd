/*
 * classify.h: what a wsprobe CSV of one job says about a server, in lab
 * 09's words (cases.h): was its loop blocked for the whole job, for an
 * item at a time, for a slice, or never; did the job's messages arrive
 * clumped, the first on time and the rest together, or spaced. Whether
 * the server waits a round trip per item cannot be told from one CSV on
 * one host: that takes a second probe through build/delayproxy.
 *
 * Pure (the lab 09 grader and the unit tests use it). The thresholds are
 * shares of the job and short absolute floors far from what the variants
 * measured (docs/probe.md), so a slower or busier machine classifies the
 * same.
 */
#ifndef SENDLAB_MYSTERY_CLASSIFY_H
#define SENDLAB_MYSTERY_CLASSIFY_H

#include "mystery/cases.h"
#include "probe/probelog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A worst pong wait of at least this share of the job: blocked for the
 * job (measured 0.99 on every such case, 3 x 300 ms). */
#define CLASSIFY_JOB_SHARE 0.75
/* Under that, a worst wait of at least this: blocked for an item or two
 * (measured 287-654 ms with 300 ms items). */
#define CLASSIFY_ITEM_MIN_US 100000
/* Under that, a median wait of at least this: blocked a slice at a time
 * (measured medians: partition's 5 ms slices 5.6-9.8 ms; the thread
 * pool's loop 0.05-0.21 ms). */
#define CLASSIFY_SLICE_MEDIAN_US 2000

struct classify_job {
	int64_t t_send_us;	/* the first send: the job's start */
	int64_t t_last_us;	/* the arrival of the job's last message */
	size_t pings;		/* sent between those two */
	int64_t worst_wait_us;	/* of those pings (an unanswered one: its age) */
	int64_t median_wait_us;	/* of those answered; -1 if none */
	size_t groups;		/* of the job's messages, each within 1 ms of the one before */
	size_t first_group;	/* messages in the first group */
	enum mystery_loop loop;
	enum mystery_arrivals arrivals;
	bool arrivals_clear;	/* false: a pattern none of the three names */
};

/*
 * Classifies the job started by log's first `send` row, answered by the
 * next `messages` messages (the lab's job has one result per item). False
 * with a sentence in err if there is no send, fewer messages after it, or
 * no ping was sent while they came (the probe was not running).
 */
bool classify_job(const struct probelog *log, size_t messages,
		  struct classify_job *out, char *err, size_t errcap);

#endif
