/*
 * job.h: one `run` request in progress, and the outcome of one work item.
 */
#ifndef SENDLAB_JOB_H
#define SENDLAB_JOB_H

#include "core/proto.h"
#include "core/work.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One computed work item. Plain data: a worker thread may fill one and hand
 * it to the loop thread. */
struct item_result {
	int seq;		/* 0-based position in the job */
	int64_t t_start_us;	/* compute began (CLOCK_MONOTONIC) */
	int64_t t_done_us;	/* compute finished */
	int64_t cpu_us;		/* CPU time the computing thread spent on it
				   (CLOCK_THREAD_CPUTIME_ID): unlike
				   t_done - t_start it does not grow while the
				   thread waits for a core, so it shows whether
				   two servers' items were the same work */
	uint64_t value;		/* the work's checksum */
};

/* An item computed in slices on the loop thread (session_compute_slice):
 * how far it has got. Zero it before the item's first slice. Loop thread
 * only. */
struct item_part {
	bool started;		/* its first slice has run */
	int64_t t_start_us;	/* ... and began then */
	int64_t cpu_us;		/* CPU time of the slices so far */
	struct work_part work;	/* the computation itself, resumable */
};

/* A connection's job. Loop thread only. At most one per connection: it is
 * `active` from the accepted `run` until its last result has been handed to
 * lws_write (or the job failed), and a `run` meanwhile is answered "busy". */
struct job {
	bool active;
	int items;
	int work_ms;
	bool has_id;
	size_t id_len;
	char id[WIRE_ID_MAX_BYTES];
	int64_t t_recv_us;	/* the request was parsed */
	int sent;		/* results handed to lws_write so far */
};

#endif
