/*
 * watch.c: see watch.h.
 */
#include "client/watch.h"

#include "client/wsclient.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/stats.h"
#include "harness/reply.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define WATCH_IO_MS 5000

static bool watch_result(struct watched *w, const struct wsc_frame *f, int *n,
			 char *err, size_t errcap)
{
	struct reply r;
	char why[200];

	if (!reply_parse((const char *)f->data, f->len, &r, why, sizeof(why)))
		return cli_fail(err, errcap, "malformed reply to run: %s", why);
	if (r.op != REPLY_RESULT)
		return cli_fail(err, errcap, "the job's connection got %s instead of "
				"result %d: %.200s", r.op == REPLY_ERROR ? "an error" :
				"another reply", *n, (const char *)f->data);
	if (r.v[REPLY_SEQ] != *n)
		return cli_fail(err, errcap, "result %" PRId64 " arrived when result "
				"%d was due: out of order", r.v[REPLY_SEQ], *n);
	w->t_recv = r.v[REPLY_T_RECV_US];
	w->start[*n] = r.v[REPLY_T_START_US];
	w->done[*n] = r.v[REPLY_T_DONE_US];
	w->sent[*n] = r.v[REPLY_T_SEND_US];
	w->value[*n] = (uint64_t)r.v[REPLY_VALUE];
	w->arrived[*n] = f->t_arrive_us;
	(*n)++;
	return true;
}

static bool watch_echo(struct watched *w, const struct wsc_frame *f, int *out,
		       char *err, size_t errcap)
{
	struct reply r;
	char why[200];

	if (!reply_parse((const char *)f->data, f->len, &r, why, sizeof(why)) ||
	    r.op != REPLY_ECHO)
		return cli_fail(err, errcap, "the bystander got a bad reply to echo: %.200s",
				(const char *)f->data);
	int64_t waited = f->t_arrive_us - r.v[REPLY_T_US];

	if (waited > w->worst_echo)
		w->worst_echo = waited;
	if (w->echo_times < WATCH_MAX_ECHO_TIMES)
		w->echo_arrived[w->echo_times++] = f->t_arrive_us;
	w->echoes++;
	(*out)--;
	return true;
}

static bool watch_send(struct wsc *c, const char *msg, char *err, size_t errcap)
{
	if (wsc_send_text(c, msg) == 0)
		return true;
	return cli_fail(err, errcap, "cannot send to the server: %s", wsc_error(c));
}

/* After the job: the server's lag monitor over the same window (a stats
 * request on the job's connection), and the job's measured item and
 * length from the results already in *w. */
static bool watch_stats(struct wsc *job, struct watched *w, char *err, size_t errcap)
{
	struct wsc_frame f;
	struct reply r;
	char msg[128], why[200];

	snprintf(msg, sizeof(msg), "{\"op\":\"stats\",\"since_us\":%" PRId64 "}", w->t_request);
	if (!watch_send(job, msg, err, errcap))
		return false;
	if (wsc_recv(job, &f, WATCH_IO_MS) != 1 || f.opcode != WSC_OP_TEXT ||
	    !reply_parse((const char *)f.data, f.len, &r, why, sizeof(why)) ||
	    r.op != REPLY_STATS)
		return cli_fail(err, errcap, "no stats reply after the job (%s)",
				wsc_error(job));
	w->lag_max = r.v[REPLY_LAG_MAX_US];
	w->stalls = r.v[REPLY_STALLS];
	w->pings = wsc_pings_seen(job);

	int64_t item_us[WATCH_MAX_ITEMS];
	struct stats_summary st;

	for (int k = 0; k < w->items; k++)
		item_us[k] = w->done[k] - w->start[k];
	stats_summarize(item_us, (size_t)w->items, &st);
	w->item = st.p50;
	w->job = w->done[w->items - 1] - w->t_recv;
	return true;
}

/* The loop of watch_job once both connections are open. */
static bool watch_loop(struct wsc *job, struct wsc *by, int items, int work_ms,
		       int bystander_ms, struct watched *w, char *err, size_t errcap)
{
	struct wsc_frame f;
	char msg[128];
	int n = 0, out = 0;

	snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":%d}", items,
		 work_ms);
	w->t_request = clock_now_us();
	if (!watch_send(job, msg, err, errcap))
		return false;
	int64_t next_echo = w->t_request + bystander_ms * 1000ll;
	int64_t deadline = w->t_request + ((int64_t)items * work_ms * 3 + 5000) * 1000;

	while (n < items || out > 0) {
		int got = 0;

		if (clock_now_us() > deadline)
			return cli_fail(err, errcap, "the job did not finish in time: %d of %d "
					"results, %d echoes unanswered", n, items, out);
		/* frames already buffered in a client first, then the sockets */
		while (n < items && (got = wsc_recv(job, &f, 0)) == 1)
			if (!watch_result(w, &f, &n, err, errcap))
				return false;
		if (got < 0 && n < items)
			return cli_fail(err, errcap, "the job's connection failed after %d "
					"results: %s", n, wsc_error(job));
		while ((got = wsc_recv(by, &f, 0)) == 1)
			if (!watch_echo(w, &f, &out, err, errcap))
				return false;
		if (got < 0)
			return cli_fail(err, errcap, "the bystander's connection failed: %s",
					wsc_error(by));

		int64_t now = clock_now_us();
		if (n < items && now >= next_echo) {
			snprintf(msg, sizeof(msg), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}", now);
			if (!watch_send(by, msg, err, errcap))
				return false;
			out++;
			next_echo += bystander_ms * 1000ll;
		}
		int wait_ms = n < items ? (int)((next_echo - clock_now_us()) / 1000) : 50;
		struct pollfd p[2] = { { .fd = wsc_fd(job), .events = POLLIN },
				       { .fd = wsc_fd(by), .events = POLLIN } };
		poll(p, 2, wait_ms < 0 ? 0 : wait_ms);
	}
	return watch_stats(job, w, err, errcap);
}

bool watch_job(int port, int items, int work_ms, int bystander_ms,
	       struct watched *w, char *err, size_t errcap)
{
	char why[256];

	memset(w, 0, sizeof(*w));
	if (items < 1 || items > WATCH_MAX_ITEMS)
		return cli_fail(err, errcap, "watch_job: 1 to %d items, not %d",
				WATCH_MAX_ITEMS, items);
	w->items = items;
	struct wsc *job = wsc_connect(port, "/", "sendlab", WATCH_IO_MS, why, sizeof(why));

	if (!job)
		return cli_fail(err, errcap, "cannot connect to port %d: %s", port, why);
	struct wsc *by = wsc_connect(port, "/", "sendlab", WATCH_IO_MS, why, sizeof(why));

	if (!by) {
		wsc_free(job);
		return cli_fail(err, errcap, "cannot connect to port %d: %s", port, why);
	}
	bool ok = watch_loop(job, by, items, work_ms, bystander_ms, w, err, errcap);

	wsc_close(job, WATCH_IO_MS);
	wsc_close(by, WATCH_IO_MS);
	return ok;
}

/* The receive loop of watch_jobs once every run was sent. */
static bool watch_jobs_loop(struct wsc **c, struct watched_jobs *w, char *err,
			    size_t errcap)
{
	int got[WATCH_MAX_CLIENTS] = { 0 }, total = 0;
	int64_t deadline = clock_now_us() + 10000000;

	while (total < w->clients * w->items) {
		struct pollfd p[WATCH_MAX_CLIENTS];

		if (clock_now_us() > deadline)
			return cli_fail(err, errcap, "only %d of %d results within 10 s", total,
					w->clients * w->items);
		for (int i = 0; i < w->clients; i++)
			p[i] = (struct pollfd){ .fd = wsc_fd(c[i]), .events = POLLIN };
		poll(p, (nfds_t)w->clients, 100);
		for (int i = 0; i < w->clients; i++) {
			struct wsc_frame f;
			struct reply r;
			char why[200];
			int rc = 0;

			while (got[i] < w->items && (rc = wsc_recv(c[i], &f, 0)) == 1) {
				if (!reply_parse((const char *)f.data, f.len, &r, why, sizeof(why)) ||
				    r.op != REPLY_RESULT)
					return cli_fail(err, errcap, "client %d got %.200s instead "
							"of a result", i, (const char *)f.data);
				if (r.v[REPLY_SEQ] != got[i])
					return cli_fail(err, errcap, "client %d got result %" PRId64
							" when result %d was due: out of order",
							i, r.v[REPLY_SEQ], got[i]);
				w->start[i][got[i]] = r.v[REPLY_T_START_US];
				w->done[i][got[i]] = r.v[REPLY_T_DONE_US];
				w->item += r.v[REPLY_T_DONE_US] - r.v[REPLY_T_START_US];
				got[i]++;
				total++;
				w->last_arrival = f.t_arrive_us;
			}
			if (got[i] < w->items && rc < 0)
				return cli_fail(err, errcap, "client %d's connection failed: %s",
						i, wsc_error(c[i]));
		}
	}
	w->item /= total;
	return true;
}

bool watch_jobs(int port, int n, int items, int work_ms, struct watched_jobs *w,
		char *err, size_t errcap)
{
	struct wsc *c[WATCH_MAX_CLIENTS] = { NULL };
	char why[256], msg[128];
	bool ok = true;

	memset(w, 0, sizeof(*w));
	if (n < 1 || n > WATCH_MAX_CLIENTS || items < 1 || items > WATCH_MAX_ITEMS)
		return cli_fail(err, errcap, "watch_jobs: 1 to %d clients of 1 to %d items",
				WATCH_MAX_CLIENTS, WATCH_MAX_ITEMS);
	w->clients = n;
	w->items = items;
	for (int i = 0; ok && i < n; i++) {
		c[i] = wsc_connect(port, "/", "sendlab", WATCH_IO_MS, why, sizeof(why));
		if (!c[i])
			ok = cli_fail(err, errcap, "cannot connect to port %d: %s", port, why);
	}
	w->t_request = clock_now_us();
	for (int i = 0; ok && i < n; i++) {
		snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":%d,"
			 "\"id\":\"c%d\"}", items, work_ms, i);
		ok = watch_send(c[i], msg, err, errcap);
	}
	if (ok)
		ok = watch_jobs_loop(c, w, err, errcap);
	for (int i = 0; i < n; i++)
		if (c[i])
			wsc_close(c[i], WATCH_IO_MS);
	return ok;
}
