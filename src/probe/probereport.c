/*
 * probereport.c: see probereport.h.
 */
#include "probe/probereport.h"

#include "probe/probestat.h"

#include <inttypes.h>

/* Seconds since the connection opened. */
static double probereport_s(const struct probereport_in *in, int64_t t_us)
{
	return (double)(t_us - in->t_open_us) / 1e6;
}

int probereport_write(FILE *f, const struct probereport_in *in)
{
	struct probe_summary s;
	const struct probeopt *o = in->o;
	int64_t end = in->t_end_us;
	int status = PROBE_EXIT_OK;

	probestat_summarize(in->log, end, o->stall_ms * 1000LL,
			    o->burst_silence_ms * 1000LL, &s);
	fprintf(f, "wsprobe: %s://%s:%d%s for %.2f s: %zu pings, %zu pongs\n",
	       o->url.tls ? "wss" : "ws", o->url.host, o->url.port, o->url.path,
	       probereport_s(in, end), s.pings, s.pongs);
	if (s.pongs)
		fprintf(f, "pong latency: min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		       s.pong_min_us / 1e3, s.pong_p50_us / 1e3, s.pong_p99_us / 1e3,
		       s.pong_max_us / 1e3);
	if (s.pongs && s.pong_min_us * 2 > o->stall_ms * 1000LL)
		fprintf(f, "  (the fastest pong took %.1f ms: a round trip that long makes "
		       "every ping look stalled; give --stall-ms above it)\n",
		       s.pong_min_us / 1e3);
	fprintf(f, "stalls (no pong for over %d ms): %zu", o->stall_ms, s.n_stalls);
	if (s.n_stalls)
		fprintf(f, ", longest %.1f ms", s.longest_stall_us / 1e3);
	fprintf(f, "\n");
	for (size_t k = 0; k < s.n_stalls && k < PROBESTAT_LISTED; k++)
		fprintf(f, "  at %.3f s: %.1f ms%s\n", probereport_s(in, s.stalls[k].t_begin_us),
		       s.stalls[k].length_us / 1e3,
		       s.stalls[k].unanswered ? " and no pong by the end" : "");
	fprintf(f, "messages: %zu received (%" PRIu64 " bytes), %zu sent\n", s.msgs,
	       s.msg_bytes, in->log->n_sends);
	if (in->log->msgs_not_kept)
		fprintf(f, "  (%" PRIu64 " later messages were counted but not kept: the "
		       "first %zu are)\n", in->log->msgs_not_kept, in->log->max_msgs);
	fprintf(f, "bursts (2+ messages each within 1 ms of the one before, after over "
	       "%d ms of silence): %zu", o->burst_silence_ms, s.n_bursts);
	if (s.n_bursts)
		fprintf(f, ", largest %zu messages", s.largest_burst);
	fprintf(f, "\n");
	for (size_t k = 0; k < s.n_bursts && k < PROBESTAT_LISTED; k++)
		fprintf(f, "  at %.3f s: %zu messages within %.2f ms after %.1f ms of silence\n",
		       probereport_s(in, s.bursts[k].t_first_us), s.bursts[k].count,
		       (s.bursts[k].t_last_us - s.bursts[k].t_first_us) / 1e3,
		       s.bursts[k].silence_us / 1e3);
	if (in->stray_pongs)
		fprintf(f, "pongs matching no ping in flight (ignored): %zu\n", in->stray_pongs);
	if (s.pings && !s.pongs && !in->failed) {
		fprintf(f, "the server answered none of the %zu pings: it does not answer "
		       "PINGs (RFC 6455 section 5.5.2 says it must), or its event loop "
		       "was blocked for the whole run\n", s.pings);
		status = PROBE_EXIT_NO_PONG;
	} else if (s.last_unanswered && !in->failed) {
		const struct probe_ping *last = &in->log->pings[in->log->n_pings - 1];

		fprintf(f, "the server stopped answering: the ping sent at %.3f s had no "
		       "pong after %.0f ms (its loop is still blocked, or it stopped "
		       "answering PINGs)\n", probereport_s(in, last->t_sent_us),
		       (end - last->t_sent_us) / 1e3);
		status = PROBE_EXIT_NO_PONG;
	}
	fflush(f);
	return status;
}
