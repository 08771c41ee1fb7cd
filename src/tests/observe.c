/*
 * observe.c: see observe.h.
 */
#include "tests/observe.h"

#include "common/clock.h"
#include "harness/reply.h"
#include "tests/testutil.h"

#include <check.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

static void handle_result(struct observed *o, const struct wsc_frame *f, int *n)
{
	struct reply r;
	char why[200];

	ck_assert_msg(reply_parse((const char *)f->data, f->len, &r, why, sizeof(why)),
		      "%s", why);
	ck_assert_msg(r.op == REPLY_RESULT, "main connection got op %d: %s", r.op, r.error);
	ck_assert_int_eq(r.v[REPLY_SEQ], *n);
	o->t_recv = r.v[REPLY_T_RECV_US];
	o->done[*n] = r.v[REPLY_T_DONE_US];
	o->sent[*n] = r.v[REPLY_T_SEND_US];
	o->item_us[*n] = r.v[REPLY_T_DONE_US] - r.v[REPLY_T_START_US];
	o->arrived[*n] = f->t_arrive_us;
	(*n)++;
}

static void handle_echo(struct observed *o, const struct wsc_frame *f, int *out)
{
	struct reply r;
	char why[200];

	ck_assert(reply_parse((const char *)f->data, f->len, &r, why, sizeof(why)));
	ck_assert_int_eq(r.op, REPLY_ECHO);
	int64_t waited = f->t_arrive_us - r.v[REPLY_T_US];
	if (waited > o->worst_echo)
		o->worst_echo = waited;
	o->echoes++;
	(*out)--;
}

/* Runs one job on a fresh connection while a second one echoes. */
void obs_run(const struct spawned *s, struct observed *o)
{
	struct wsc *job = tu_connect(s), *by = tu_connect(s);
	struct wsc_frame f;
	char msg[128];
	int n = 0, out = 0;

	memset(o, 0, sizeof(*o));
	snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":%d}",
		 OBS_ITEMS, OBS_WORK_MS);
	o->t_request = clock_now_us();
	tu_send(job, msg);
	int64_t next_echo = o->t_request + OBS_BYSTANDER_MS * 1000;
	int64_t deadline = o->t_request + (OBS_ITEMS * OBS_WORK_MS * 3 + 5000) * 1000ll;

	while (n < OBS_ITEMS || out > 0) {
		int got = 0;

		ck_assert_msg(clock_now_us() < deadline, "job did not finish in time "
			      "(%d results, %d echoes out)", n, out);
		/* frames already buffered in a client first, then the sockets */
		while (n < OBS_ITEMS && (got = wsc_recv(job, &f, 0)) == 1)
			handle_result(o, &f, &n);
		ck_assert_msg(got >= 0 || n == OBS_ITEMS, "main: %s", wsc_error(job));
		while ((got = wsc_recv(by, &f, 0)) == 1)
			handle_echo(o, &f, &out);
		ck_assert_msg(got >= 0, "bystander: %s", wsc_error(by));

		int64_t now = clock_now_us();
		if (n < OBS_ITEMS && now >= next_echo) {
			snprintf(msg, sizeof(msg), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}", now);
			tu_send(by, msg);
			out++;
			next_echo += OBS_BYSTANDER_MS * 1000;
		}
		int wait_ms = n < OBS_ITEMS ? (int)((next_echo - clock_now_us()) / 1000) : 50;
		struct pollfd p[2] = { { .fd = wsc_fd(job), .events = POLLIN },
				       { .fd = wsc_fd(by), .events = POLLIN } };
		poll(p, 2, wait_ms < 0 ? 0 : wait_ms);
	}

	/* the server's lag monitor over the same window */
	struct reply r;
	snprintf(msg, sizeof(msg), "{\"op\":\"stats\",\"since_us\":%" PRId64 "}", o->t_request);
	tu_send(job, msg);
	tu_recv_reply(job, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_STATS);
	o->lag_max = r.v[REPLY_LAG_MAX_US];
	o->stalls = r.v[REPLY_STALLS];
	o->pings = wsc_pings_seen(job);
	wsc_close(job, TU_IO_MS);
	wsc_close(by, TU_IO_MS);

	int64_t a = o->item_us[0], b = o->item_us[1], c = o->item_us[2];
	o->item = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
	o->job = o->done[OBS_ITEMS - 1] - o->t_recv;
}

void obs_print(const char *name, const struct observed *o)
{
	fprintf(stderr, "%s: item %.0f ms; arrivals %.0f/%.0f/%.0f ms; delivery "
		"%.1f/%.1f/%.1f ms; bystander worst %.0f ms (%d echoes); lag max %.0f ms; "
		"%d pings\n",
		name, o->item / 1e3, (o->arrived[0] - o->t_request) / 1e3,
		(o->arrived[1] - o->t_request) / 1e3, (o->arrived[2] - o->t_request) / 1e3,
		(o->arrived[0] - o->done[0]) / 1e3, (o->arrived[1] - o->done[1]) / 1e3,
		(o->arrived[2] - o->done[2]) / 1e3, o->worst_echo / 1e3, o->echoes,
		o->lag_max / 1e3, o->pings);
}

void obs_assert_spaced(const struct observed *o)
{
	for (int i = 0; i < OBS_ITEMS; i++)
		ck_assert_msg(o->arrived[i] - o->done[i] < OBS_SPACED_DELIVERY_US,
			      "message %d arrived %lld us after its item was done; "
			      "a fixed server sends within %d us", i,
			      (long long)(o->arrived[i] - o->done[i]), OBS_SPACED_DELIVERY_US);
	for (int i = 1; i < OBS_ITEMS; i++)
		ck_assert_msg(o->arrived[i] - o->arrived[i - 1] >= o->item * 7 / 10,
			      "messages %d and %d arrived %lld us apart (item %lld us)",
			      i - 1, i, (long long)(o->arrived[i] - o->arrived[i - 1]),
			      (long long)o->item);
}

