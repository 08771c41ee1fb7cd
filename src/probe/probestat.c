/*
 * probestat.c: see probestat.h.
 */
#include "probe/probestat.h"

#include "common/stats.h"

#include <stdlib.h>
#include <string.h>

static void probestat_stalls(const struct probelog *log, int64_t t_end_us,
			     int64_t stall_us, struct probe_summary *out)
{
	for (size_t i = 0; i < log->n_pings; i++) {
		const struct probe_ping *p = &log->pings[i];
		bool unanswered = !p->t_pong_us;
		int64_t wait = (unanswered ? t_end_us : p->t_pong_us) - p->t_sent_us;

		if (wait <= stall_us)
			continue;
		if (out->n_stalls < PROBESTAT_LISTED)
			out->stalls[out->n_stalls] = (struct probe_stall){
				p->t_sent_us, wait, unanswered };
		out->n_stalls++;
		if (wait > out->longest_stall_us)
			out->longest_stall_us = wait;
	}
}

static void probestat_bursts(const struct probelog *log, int64_t start,
			     int64_t silence_us, struct probe_summary *out)
{
	size_t i = 0, s = 0;
	int64_t send = start;	/* the latest send before the first message, or the start */

	for (; s < log->n_sends && log->n_msgs && log->sends[s].t_us <= log->msgs[0].t_us; s++)
		send = log->sends[s].t_us;
	while (i < log->n_msgs) {
		size_t j = i + 1;

		while (j < log->n_msgs && log->msgs[j].t_us - log->msgs[j - 1].t_us
					  <= PROBESTAT_BURST_WITHIN_US)
			j++;
		int64_t t = log->msgs[i].t_us;
		/* quiet since the message before; the first message's since
		 * what asked for it (a later send does not restart the quiet:
		 * with --every-ms the requests keep coming while the loop is
		 * blocked, and their answers are the burst) */
		int64_t silence = t - (i ? log->msgs[i - 1].t_us : send);

		if (j - i >= 2 && silence > silence_us) {
			if (out->n_bursts < PROBESTAT_LISTED)
				out->bursts[out->n_bursts] = (struct probe_burst){
					t, log->msgs[j - 1].t_us, silence, j - i };
			out->n_bursts++;
			if (j - i > out->largest_burst)
				out->largest_burst = j - i;
		}
		i = j;
	}
}

void probestat_summarize(const struct probelog *log, int64_t t_end_us,
			 int64_t stall_us, int64_t silence_us,
			 struct probe_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->pings = log->n_pings;
	out->msgs = log->n_msgs;
	for (size_t i = 0; i < log->n_msgs; i++)
		out->msg_bytes += log->msgs[i].bytes;

	int64_t *lat = malloc((log->n_pings ? log->n_pings : 1) * sizeof(*lat));

	for (size_t i = 0; i < log->n_pings; i++) {
		const struct probe_ping *p = &log->pings[i];

		if (!p->t_pong_us)
			continue;
		if (lat)
			lat[out->pongs] = p->t_pong_us - p->t_sent_us;
		out->pongs++;
		out->last_pong_us = p->t_pong_us;
	}
	if (lat && out->pongs) {
		struct stats_summary s;

		stats_select_summary(lat, out->pongs, &s);
		out->pong_min_us = s.min;
		out->pong_p50_us = s.p50;
		out->pong_p99_us = s.p99;
		out->pong_max_us = s.max;
	}
	free(lat);
	out->last_unanswered = log->n_pings && !log->pings[log->n_pings - 1].t_pong_us;
	probestat_stalls(log, t_end_us, stall_us, out);
	probestat_bursts(log, log->n_pings ? log->pings[0].t_sent_us : 0,
			 silence_us, out);
}

int64_t probestat_worst_wait(const struct probelog *log, int64_t from_us,
			     int64_t to_us, int64_t t_end_us)
{
	int64_t worst = 0;

	for (size_t i = 0; i < log->n_pings; i++) {
		const struct probe_ping *p = &log->pings[i];

		if (p->t_sent_us < from_us || p->t_sent_us >= to_us)
			continue;
		int64_t wait = (p->t_pong_us ? p->t_pong_us : t_end_us) - p->t_sent_us;

		if (wait > worst)
			worst = wait;
	}
	return worst;
}

int64_t probestat_median_wait(const struct probelog *log, int64_t from_us,
			      int64_t to_us)
{
	size_t n = 0;
	int64_t *lat = malloc((log->n_pings ? log->n_pings : 1) * sizeof(*lat));
	int64_t median = -1;

	if (!lat)
		return -1;
	for (size_t i = 0; i < log->n_pings; i++) {
		const struct probe_ping *p = &log->pings[i];

		if (p->t_pong_us && p->t_sent_us >= from_us && p->t_sent_us < to_us)
			lat[n++] = p->t_pong_us - p->t_sent_us;
	}
	if (n) {
		struct stats_summary s;

		stats_select_summary(lat, n, &s);
		median = s.p50;
	}
	free(lat);
	return median;
}
