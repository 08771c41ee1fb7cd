/*
 * report.c: CSV rows and the summaries the harness prints.
 */
#include "harness/report.h"

#include <inttypes.h>
#include <string.h>

void report_msg_csv(FILE *f, const char *variant, const struct report_msg *m)
{
	fprintf(f, "%s,%d,%d,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
		",%" PRId64 ",%" PRId64 ",%d\n", variant, m->run, m->seq,
		m->t_request_us, m->t_recv_us, m->t_start_us, m->t_done_us,
		m->t_send_us, m->t_arrive_us, m->client);
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

/* Lists longer than this show their first and last values around "...". */
#define REPORT_LIST_MAX 8

static void report_append_ms(char *buf, size_t cap, int64_t us)
{
	size_t len = strlen(buf);

	if (len + 1 >= cap)
		return;
	if (us < 0)
		snprintf(buf + len, cap - len, "%s-", len ? " " : "");
	else if (us < 10000)
		snprintf(buf + len, cap - len, "%s%.1f", len ? " " : "",
			 (double)us / 1000.0);
	else
		snprintf(buf + len, cap - len, "%s%" PRId64, len ? " " : "",
			 (us + 500) / 1000);
}

void report_ms_list(char *buf, size_t cap, const int64_t *us, size_t n)
{
	if (cap == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (n > REPORT_LIST_MAX && i == REPORT_LIST_MAX / 2) {
			size_t len = strlen(buf);

			snprintf(buf + len, cap - len, " ...");
			i = n - REPORT_LIST_MAX / 2;
		}
		report_append_ms(buf, cap, us[i]);
	}
}
