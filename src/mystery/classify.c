/*
 * classify.c: see classify.h.
 */
#include "mystery/classify.h"

#include "common/cli.h"
#include "probe/probestat.h"

#include <string.h>

/* Groups the job's messages msgs[0..n): a message within
 * PROBESTAT_BURST_WITHIN_US of the one before joins its group (wsprobe's
 * definition of a burst). */
static void classify_arrivals(const struct probe_event *msgs, size_t n,
			      struct classify_job *out)
{
	out->groups = n ? 1 : 0;
	out->first_group = n ? 1 : 0;
	for (size_t i = 1; i < n; i++) {
		if (msgs[i].t_us - msgs[i - 1].t_us > PROBESTAT_BURST_WITHIN_US)
			out->groups++;
		else if (out->groups == 1)
			out->first_group++;
	}
	out->arrivals_clear = true;
	if (n >= 2 && out->groups == 1)
		out->arrivals = MYSTERY_ARRIVALS_CLUMPED;
	else if (n >= 3 && out->groups == 2 && out->first_group == 1)
		out->arrivals = MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED;
	else if (out->groups == n)
		out->arrivals = MYSTERY_ARRIVALS_SPACED;
	else {
		out->arrivals = MYSTERY_ARRIVALS_SPACED;
		out->arrivals_clear = false;
	}
}

bool classify_job(const struct probelog *log, size_t messages,
		  struct classify_job *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	if (messages == 0)
		return cli_fail(err, errcap, "a job has at least one message");
	if (!log->n_sends)
		return cli_fail(err, errcap, "the CSV has no send row: probe with "
				"--send and the lab's job");
	out->t_send_us = log->sends[0].t_us;

	size_t first = 0;

	while (first < log->n_msgs && log->msgs[first].t_us < out->t_send_us)
		first++;
	if (log->n_msgs - first < messages)
		return cli_fail(err, errcap, "the CSV has %zu messages after the "
				"send, the job has %zu: was --duration-s long enough?",
				log->n_msgs - first, messages);
	out->t_last_us = log->msgs[first + messages - 1].t_us;
	for (size_t i = 0; i < log->n_pings; i++) {
		int64_t t = log->pings[i].t_sent_us;

		if (t >= out->t_send_us && t < out->t_last_us)
			out->pings++;
	}
	if (!out->pings)
		return cli_fail(err, errcap, "no ping was sent while the job ran: "
				"was wsprobe pinging?");
	/* a pong still missing at the end counts until the job's end: the
	 * probe ran at least that long */
	out->worst_wait_us = probestat_worst_wait(log, out->t_send_us, out->t_last_us,
						  out->t_last_us);
	out->median_wait_us = probestat_median_wait(log, out->t_send_us, out->t_last_us);

	int64_t job = out->t_last_us - out->t_send_us;

	if (out->worst_wait_us >= CLASSIFY_JOB_SHARE * (double)job)
		out->loop = MYSTERY_LOOP_JOB;
	else if (out->worst_wait_us >= CLASSIFY_ITEM_MIN_US)
		out->loop = MYSTERY_LOOP_ITEM;
	else if (out->median_wait_us >= CLASSIFY_SLICE_MEDIAN_US)
		out->loop = MYSTERY_LOOP_SLICE;
	else
		out->loop = MYSTERY_LOOP_NEVER;
	classify_arrivals(log->msgs + first, messages, out);
	return true;
}
