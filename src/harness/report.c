/*
 * report.c: CSV rows and the summaries the harness prints.
 */
#include "harness/report.h"

#include "common/wire.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

void report_msg_csv(FILE *f, const char *variant, const struct report_msg *m)
{
	fprintf(f, "%s,%d,%d,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
		",%" PRId64 ",%" PRId64 ",%d,%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
		variant, m->run, m->seq, m->t_request_us, m->t_recv_us, m->t_start_us,
		m->t_done_us, m->t_send_us, m->t_arrive_us, m->client, m->cpu_us,
		m->clock_offset_us, m->clock_offset_err_us);
}

bool report_clock_estimate(const struct report_echo *e, size_t n,
			   struct report_clock *out)
{
	const struct report_echo *best = NULL;

	for (size_t i = 0; i < n; i++) {
		/* a hostile or broken t_server_us must not overflow below */
		if (e[i].t_arrive_us < e[i].t_sent_us || e[i].t_sent_us < 0 ||
		    e[i].t_server_us < 0 || e[i].t_server_us > WIRE_TIME_MAX)
			continue;
		if (!best || e[i].t_arrive_us - e[i].t_sent_us <
			     best->t_arrive_us - best->t_sent_us)
			best = &e[i];
	}
	if (!best)
		return false;

	int64_t rtt = best->t_arrive_us - best->t_sent_us;
	/* the midpoint without overflow: both stamps are >= 0 and close */
	int64_t mid = best->t_sent_us + rtt / 2;

	out->estimate_us = best->t_server_us - mid;
	out->err_us = (rtt + 1) / 2;
	int64_t size = out->estimate_us < 0 ? -out->estimate_us : out->estimate_us;

	out->offset_us = size <= out->err_us ? 0 : out->estimate_us;
	return true;
}

void report_echo_csv(FILE *f, const char *variant, const struct report_echo *e)
{
	fprintf(f, "%s,%d,%d,%" PRId64 ",%" PRId64 ",%" PRId64 "\n", variant,
		e->run, e->seq, e->t_sent_us, e->t_server_us, e->t_arrive_us);
}

void report_lag_csv(FILE *f, const char *variant, const struct report_lag *l)
{
	fprintf(f, "%s,%d,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%"
		PRId64 ",%" PRId64 "\n", variant, l->run, l->since_us, l->samples,
		l->p50_us, l->p99_us, l->max_us, l->stalls);
}

void report_incomplete_csv(FILE *f, int run, int runs, const char *why)
{
	fprintf(f, REPORT_INCOMPLETE_PREFIX "%d of %d: ", run, runs);
	for (size_t i = 0; why[i] && i < REPORT_INCOMPLETE_WHY_MAX; i++) {
		unsigned char c = (unsigned char)why[i];

		fputc(c == ',' ? ';' : (c < 0x20 || c == 0x7f) ? ' ' : c, f);
	}
	fputc('\n', f);
}

void report_summarize_run(const struct report_msg *msgs, size_t n_msgs,
			  const struct report_echo *echoes, size_t n_echoes,
			  struct report_run *out, int64_t *scratch)
{
	out->items = n_msgs;
	for (size_t i = 0; i < n_msgs; i++)
		scratch[i] = msgs[i].t_arrive_us - msgs[i].t_done_us;
	stats_summarize(scratch, n_msgs, &out->delivery);
	for (size_t i = 0; i < n_echoes; i++)
		scratch[i] = echoes[i].t_arrive_us - echoes[i].t_sent_us;
	stats_summarize(scratch, n_echoes, &out->echo);
}

void report_median_by_seq(const struct report_msg *msgs, size_t n_msgs,
			  size_t items, int64_t *arrival_us,
			  int64_t *delivery_us, int64_t *scratch)
{
	struct stats_summary s;

	for (size_t seq = 0; seq < items; seq++) {
		size_t n = 0;

		for (size_t i = 0; i < n_msgs; i++)
			if ((size_t)msgs[i].seq == seq)
				scratch[n++] = msgs[i].t_arrive_us - msgs[i].t_request_us;
		stats_summarize(scratch, n, &s);
		arrival_us[seq] = n ? s.p50 : -1;

		n = 0;
		for (size_t i = 0; i < n_msgs; i++)
			if ((size_t)msgs[i].seq == seq)
				scratch[n++] = msgs[i].t_arrive_us - msgs[i].t_done_us;
		stats_summarize(scratch, n, &s);
		delivery_us[seq] = n ? s.p50 : -1;
	}
}

void report_summarize_clients(const struct report_msg *msgs, size_t n_msgs,
			      int clients, struct report_clients *out,
			      int64_t *scratch)
{
	struct stats_summary s;
	int64_t first_request = 0, last_arrival = 0;
	size_t n = 0;

	*out = (struct report_clients){ 0 };
	if (n_msgs == 0)
		return;
	for (int k = 0; k < clients; k++) {
		bool seen = false;
		int64_t first = 0;

		for (size_t i = 0; i < n_msgs; i++) {
			if (msgs[i].client != k)
				continue;
			int64_t after = msgs[i].t_arrive_us - msgs[i].t_request_us;

			if (!seen || after < first)
				first = after;
			seen = true;
		}
		if (seen)
			scratch[n++] = first;
	}
	for (size_t i = 0; i < n_msgs; i++) {
		if (i == 0 || msgs[i].t_request_us < first_request)
			first_request = msgs[i].t_request_us;
		if (i == 0 || msgs[i].t_arrive_us > last_arrival)
			last_arrival = msgs[i].t_arrive_us;
	}
	stats_summarize(scratch, n, &s);
	out->clients = n;
	out->first_p50_us = s.p50;
	out->first_max_us = s.max;
	out->makespan_us = last_arrival - first_request;
}

/* Lists longer than this show their first and last values around "...". */
#define REPORT_LIST_MAX 8

/* Appends printf output to buf[0..cap), never past it. */
static void report_append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

static void report_append_ms(char *buf, size_t cap, int64_t us)
{
	const char *sep = buf[0] ? " " : "";

	if (us < 0)
		report_append(buf, cap, "%s-", sep);
	else if (us < 10000)
		report_append(buf, cap, "%s%.1f", sep, (double)us / 1000.0);
	else
		report_append(buf, cap, "%s%" PRId64, sep, (us + 500) / 1000);
}

void report_ms_list(char *buf, size_t cap, const int64_t *us, size_t n)
{
	if (cap == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (n > REPORT_LIST_MAX && i == REPORT_LIST_MAX / 2) {
			report_append(buf, cap, " ...");
			i = n - REPORT_LIST_MAX / 2;
		}
		report_append_ms(buf, cap, us[i]);
	}
}

/* One value in ms as report_ms_list() writes it, into a small buffer. */
static const char *report_ms(char *b, size_t cap, int64_t us)
{
	report_ms_list(b, cap, &us, 1);
	return b;
}

void report_run_line(char *buf, size_t cap, int run, int runs, const char *variant,
		     int clients, const struct report_msg *msgs, size_t n_msgs,
		     const struct report_run *rr, const struct report_clients *rc,
		     const struct report_lag *lag, int64_t *scratch)
{
	if (cap == 0)
		return;
	buf[0] = '\0';
	if (clients <= 1 || !rc) {
		int64_t *arrival = scratch, *delivery = scratch + n_msgs;
		char arr_s[160], del_s[160];

		for (size_t i = 0; i < n_msgs; i++) {
			arrival[i] = msgs[i].t_arrive_us - msgs[i].t_request_us;
			delivery[i] = msgs[i].t_arrive_us - msgs[i].t_done_us;
		}
		report_ms_list(arr_s, sizeof(arr_s), arrival, n_msgs);
		report_ms_list(del_s, sizeof(del_s), delivery, n_msgs);
		report_append(buf, cap, "run %d/%d %s: arrivals %s ms after request; "
			      "delivery %s ms", run, runs, variant, arr_s, del_s);
	} else {
		char f50[24], fmax[24], span[24], d50[24], dmax[24];

		report_append(buf, cap, "run %d/%d %s, %d clients: first result after "
			      "request median %s, worst %s ms; makespan %s ms; delivery "
			      "median %s, max %s ms", run, runs, variant, clients,
			      report_ms(f50, sizeof(f50), rc->first_p50_us),
			      report_ms(fmax, sizeof(fmax), rc->first_max_us),
			      report_ms(span, sizeof(span), rc->makespan_us),
			      report_ms(d50, sizeof(d50), rr->delivery.p50),
			      report_ms(dmax, sizeof(dmax), rr->delivery.max));
	}
	if (rr->echo.n)
		report_append(buf, cap, "; bystander worst %.1f ms (%zu echoes)",
			      (double)rr->echo.max / 1000.0, rr->echo.n);
	report_append(buf, cap, "; loop lag max %.1f ms, stalls %" PRId64 "\n",
		      (double)lag->max_us / 1000.0, lag->stalls);
}
