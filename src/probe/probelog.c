/*
 * probelog.c: see probelog.h.
 */
#include "probe/probelog.h"

#include "common/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PROBELOG_INT_MAX 9007199254740991LL	/* 2^53-1: exact in a double */

void probelog_init(struct probelog *log, size_t max_pings, size_t max_msgs,
		   size_t max_sends)
{
	*log = (struct probelog){ .max_pings = max_pings, .max_msgs = max_msgs,
				  .max_sends = max_sends };
}

void probelog_free(struct probelog *log)
{
	free(log->pings);
	free(log->msgs);
	free(log->sends);
	log->pings = NULL;
	log->msgs = log->sends = NULL;
	log->n_pings = log->n_msgs = log->n_sends = 0;
}

/* Room for one more element of size `size` in *arr (n used, capacity
 * implied by doubling from 64, never past max). False past max or out of
 * memory. */
static bool probelog_grow(void **arr, size_t n, size_t max, size_t size)
{
	if (n >= max)
		return false;
	if (n == 0 || (n >= 64 && (n & (n - 1)) == 0)) {
		size_t cap = n == 0 ? 64 : n * 2;

		if (cap > max)
			cap = max;
		void *p = realloc(*arr, cap * size);

		if (!p)
			return false;
		*arr = p;
	}
	return true;
}

long probelog_add_ping(struct probelog *log, int64_t t_sent_us, uint32_t bytes)
{
	if (!probelog_grow((void **)&log->pings, log->n_pings, log->max_pings,
			   sizeof(*log->pings)))
		return -1;
	log->pings[log->n_pings] = (struct probe_ping){ t_sent_us, 0, bytes };
	return (long)log->n_pings++;
}

static void probelog_add_event(struct probe_event **arr, size_t *n, size_t max,
			       uint64_t *not_kept, int64_t t_us, uint64_t bytes)
{
	if (!probelog_grow((void **)arr, *n, max, sizeof(**arr))) {
		(*not_kept)++;
		return;
	}
	(*arr)[(*n)++] = (struct probe_event){ t_us, bytes };
}

void probelog_add_msg(struct probelog *log, int64_t t_us, uint64_t bytes)
{
	probelog_add_event(&log->msgs, &log->n_msgs, log->max_msgs,
			   &log->msgs_not_kept, t_us, bytes);
}

void probelog_add_send(struct probelog *log, int64_t t_us, uint64_t bytes)
{
	probelog_add_event(&log->sends, &log->n_sends, log->max_sends,
			   &log->sends_not_kept, t_us, bytes);
}

bool probelog_write_csv(const struct probelog *log, FILE *f)
{
	size_t p = 0, m = 0, s = 0;

	fprintf(f, "%s\n", PROBELOG_CSV_HEADER);
	/* a three-way merge on each row's time: pings by sending, messages
	 * by arrival, sends by sending */
	while (p < log->n_pings || m < log->n_msgs || s < log->n_sends) {
		int64_t tp = p < log->n_pings ? log->pings[p].t_sent_us : INT64_MAX;
		int64_t tm = m < log->n_msgs ? log->msgs[m].t_us : INT64_MAX;
		int64_t ts = s < log->n_sends ? log->sends[s].t_us : INT64_MAX;

		if (ts <= tp && ts <= tm) {
			fprintf(f, "send,%" PRId64 ",,%" PRIu64 "\n", ts, log->sends[s].bytes);
			s++;
		} else if (tp <= tm) {
			const struct probe_ping *g = &log->pings[p++];

			if (g->t_pong_us)
				fprintf(f, "ping,%" PRId64 ",%" PRId64 ",%" PRIu32 "\n",
					g->t_sent_us, g->t_pong_us, g->bytes);
			else
				fprintf(f, "ping,%" PRId64 ",,%" PRIu32 "\n", g->t_sent_us,
					g->bytes);
		} else {
			fprintf(f, "msg,,%" PRId64 ",%" PRIu64 "\n", tm, log->msgs[m].bytes);
			m++;
		}
	}
	return fflush(f) == 0 && !ferror(f);
}

/* One CSV field: empty (*present false, *out 0) or an integer in
 * 0..2^53-1. False for anything else. */
static bool probelog_field(const char *s, bool *present, int64_t *out)
{
	char *end;

	*present = *s != '\0';
	*out = 0;
	if (!*present)
		return true;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);

	if (errno || *end || v > PROBELOG_INT_MAX)
		return false;
	*out = v;
	return true;
}

/* Splits line (modified) at commas into exactly 4 fields. */
static bool probelog_split(char *line, char *field[4])
{
	int n = 0;

	field[n++] = line;
	for (char *c = line; *c; c++)
		if (*c == ',') {
			if (n == 4)
				return false;
			*c = '\0';
			field[n++] = c + 1;
		}
	return n == 4;
}

bool probelog_read_csv(struct probelog *log, FILE *f, char *err, size_t errcap)
{
	char line[256];
	long lineno = 1;

	if (!fgets(line, sizeof(line), f) ||
	    strcmp(line, PROBELOG_CSV_HEADER "\n"))
		return cli_fail(err, errcap, "line 1: not a wsprobe CSV (the header "
				"must be %s)", PROBELOG_CSV_HEADER);
	while (fgets(line, sizeof(line), f)) {
		char *field[4];
		int64_t sent, recv, bytes;
		bool has_sent, has_recv, has_bytes;
		size_t len = strlen(line);

		lineno++;
		if (len == 0 || line[len - 1] != '\n')
			return cli_fail(err, errcap, "line %ld: too long or not ended "
					"by a newline", lineno);
		line[len - 1] = '\0';
		if (!probelog_split(line, field))
			return cli_fail(err, errcap, "line %ld: not 4 fields", lineno);
		bool is_ping = !strcmp(field[0], "ping"), is_msg = !strcmp(field[0], "msg"),
		     is_send = !strcmp(field[0], "send");

		if (!is_ping && !is_msg && !is_send)
			return cli_fail(err, errcap, "line %ld: kind '%.10s' is not "
					"ping, msg or send", lineno, field[0]);
		/* which fields a kind has: ping sent [pong] bytes; msg arrival
		 * bytes; send sent bytes */
		if (!probelog_field(field[1], &has_sent, &sent) ||
		    !probelog_field(field[2], &has_recv, &recv) ||
		    !probelog_field(field[3], &has_bytes, &bytes) || !has_bytes ||
		    has_sent == is_msg || (is_msg && !has_recv) || (is_send && has_recv))
			return cli_fail(err, errcap, "line %ld: a %s row is %s", lineno,
					field[0], is_ping ? "ping,T_SENT,T_PONG or empty,BYTES"
					: is_msg ? "msg,,T_ARRIVED,BYTES" : "send,T_SENT,,BYTES");
		/* 0 would read back as "no pong": no CLOCK_MONOTONIC stamp is 0 */
		if ((has_sent && !sent) || (has_recv && !recv))
			return cli_fail(err, errcap, "line %ld: a time of 0", lineno);
		if (is_ping) {
			if (log->n_pings && sent < log->pings[log->n_pings - 1].t_sent_us)
				return cli_fail(err, errcap, "line %ld: pings out of order", lineno);
			if (has_recv && recv < sent)
				return cli_fail(err, errcap, "line %ld: a pong before its "
						"ping", lineno);
			if (bytes > 125)
				return cli_fail(err, errcap, "line %ld: a ping carries at "
						"most 125 bytes", lineno);
			long k = probelog_add_ping(log, sent, (uint32_t)bytes);

			if (k < 0)
				return cli_fail(err, errcap, "line %ld: over %zu pings",
						lineno, log->max_pings);
			log->pings[k].t_pong_us = recv;
		} else if (is_msg) {
			if (log->n_msgs && recv < log->msgs[log->n_msgs - 1].t_us)
				return cli_fail(err, errcap, "line %ld: messages out of order",
						lineno);
			probelog_add_msg(log, recv, (uint64_t)bytes);
		} else {
			if (log->n_sends && sent < log->sends[log->n_sends - 1].t_us)
				return cli_fail(err, errcap, "line %ld: sends out of order",
						lineno);
			probelog_add_send(log, sent, (uint64_t)bytes);
		}
	}
	if (ferror(f))
		return cli_fail(err, errcap, "cannot read the CSV: %s", strerror(errno));
	return true;
}
