/*
 * test_shape.c: server-blocking shows the bug's shapes, measured by the
 * independent client (wsclient.c), with a bystander connection echoing
 * every 20 ms during the job.
 *
 * 3 items x 150 ms. Every assertion compares times to the server's own
 * stamps and to the measured item length (not to the nominal 150 ms), with
 * tolerances of 30% of an item, so a slow or noisy machine changes the
 * numbers but not the shape, and a server with the wrong shape fails.
 */
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS 3
#define WORK_MS 150
#define BYSTANDER_MS 20

/* What the client saw of one job. */
struct observed {
	int64_t t_request, t_recv;
	int64_t done[ITEMS], sent[ITEMS], arrived[ITEMS], item_us[ITEMS];
	int64_t item;		/* median measured item length (us) */
	int64_t job;		/* t_recv .. last t_done (us) */
	int echoes;
	int64_t worst_echo;	/* the bystander's longest wait (us) */
	int64_t lag_max;	/* the server's own lag monitor, over the job */
	int64_t stalls;
};

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
static void observe(const struct spawned *s, struct observed *o)
{
	struct wsc *job = tu_connect(s), *by = tu_connect(s);
	struct wsc_frame f;
	char msg[128];
	int n = 0, out = 0;

	memset(o, 0, sizeof(*o));
	snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":%d}",
		 ITEMS, WORK_MS);
	o->t_request = clock_now_us();
	tu_send(job, msg);
	int64_t next_echo = o->t_request + BYSTANDER_MS * 1000;
	int64_t deadline = o->t_request + (ITEMS * WORK_MS * 3 + 5000) * 1000ll;

	while (n < ITEMS || out > 0) {
		int got = 0;

		ck_assert_msg(clock_now_us() < deadline, "job did not finish in time "
			      "(%d results, %d echoes out)", n, out);
		/* frames already buffered in a client first, then the sockets */
		while (n < ITEMS && (got = wsc_recv(job, &f, 0)) == 1)
			handle_result(o, &f, &n);
		ck_assert_msg(got >= 0 || n == ITEMS, "main: %s", wsc_error(job));
		while ((got = wsc_recv(by, &f, 0)) == 1)
			handle_echo(o, &f, &out);
		ck_assert_msg(got >= 0, "bystander: %s", wsc_error(by));

		int64_t now = clock_now_us();
		if (n < ITEMS && now >= next_echo) {
			snprintf(msg, sizeof(msg), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}", now);
			tu_send(by, msg);
			out++;
			next_echo += BYSTANDER_MS * 1000;
		}
		int wait_ms = n < ITEMS ? (int)((next_echo - clock_now_us()) / 1000) : 50;
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
	wsc_close(job, TU_IO_MS);
	wsc_close(by, TU_IO_MS);

	int64_t a = o->item_us[0], b = o->item_us[1], c = o->item_us[2];
	o->item = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
	o->job = o->done[ITEMS - 1] - o->t_recv;
}

static void print_observed(const char *name, const struct observed *o)
{
	fprintf(stderr, "%s: item %.0f ms; arrivals %.0f/%.0f/%.0f ms; delivery "
		"%.1f/%.1f/%.1f ms; bystander worst %.0f ms (%d echoes); lag max %.0f ms\n",
		name, o->item / 1e3, (o->arrived[0] - o->t_request) / 1e3,
		(o->arrived[1] - o->t_request) / 1e3, (o->arrived[2] - o->t_request) / 1e3,
		(o->arrived[0] - o->done[0]) / 1e3, (o->arrived[1] - o->done[1]) / 1e3,
		(o->arrived[2] - o->done[2]) / 1e3, o->worst_echo / 1e3, o->echoes,
		o->lag_max / 1e3);
}

/* Every discipline: the loop is blocked for the whole job, and both the
 * bystander and the server's own lag monitor see it. */
static void assert_loop_blocked(const struct observed *o)
{
	ck_assert_msg(o->echoes >= 3, "only %d echoes", o->echoes);
	ck_assert_msg(o->worst_echo >= o->job * 7 / 10,
		      "bystander waited at most %lld us in a %lld us job",
		      (long long)o->worst_echo, (long long)o->job);
	ck_assert_msg(o->lag_max >= o->job * 7 / 10,
		      "lag monitor max %lld us in a %lld us job",
		      (long long)o->lag_max, (long long)o->job);
	ck_assert_int_ge(o->stalls, 1);
}

#define TOL(o) ((o)->item * 3 / 10)	/* 30% of one item */

START_TEST(test_proactor_first_escapes_rest_clump)
{
	struct spawned s;
	struct observed o;

	tu_start(&s, "blocking", "--send", "proactor", NULL);
	observe(&s, &o);
	tu_stop_clean(&s);
	print_observed("proactor", &o);

	/* message 0 left as soon as it was ready, before item 1 was done */
	ck_assert_int_lt(o.sent[0] - o.done[0], TOL(&o));
	ck_assert_int_lt(o.arrived[0] - o.done[0], TOL(&o));
	ck_assert_int_lt(o.arrived[0], o.done[1]);
	/* message 1 waited in the server for item 2's compute ... */
	ck_assert_int_ge(o.sent[1] - o.done[1], o.item * 7 / 10);
	ck_assert_int_ge(o.sent[1], o.done[2]);
	/* ... and arrived together with message 2, which left at once */
	ck_assert_int_lt(o.sent[2] - o.done[2], TOL(&o));
	ck_assert_int_lt(llabs(o.arrived[2] - o.arrived[1]), TOL(&o));
	assert_loop_blocked(&o);
}
END_TEST

START_TEST(test_queue_all_clump_after_the_job)
{
	struct spawned s;
	struct observed o;

	tu_start(&s, "blocking", "--send", "queue", NULL);
	observe(&s, &o);
	tu_stop_clean(&s);
	print_observed("queue", &o);

	for (int i = 0; i < ITEMS; i++) {
		/* nothing leaves before the last item is computed */
		ck_assert_int_ge(o.sent[i], o.done[ITEMS - 1]);
		ck_assert_int_ge(o.arrived[i], o.done[ITEMS - 1]);
	}
	ck_assert_int_ge(o.arrived[0] - o.done[0], 2 * o.item * 7 / 10);
	ck_assert_int_lt(o.arrived[ITEMS - 1] - o.arrived[0], TOL(&o));
	assert_loop_blocked(&o);
}
END_TEST

START_TEST(test_direct_each_on_time)
{
	struct spawned s;
	struct observed o;

	tu_start(&s, "blocking", "--send", "direct", NULL);
	observe(&s, &o);
	tu_stop_clean(&s);
	print_observed("direct", &o);

	for (int i = 0; i < ITEMS; i++) {
		ck_assert_int_lt(o.sent[i] - o.done[i], TOL(&o));
		ck_assert_int_lt(o.arrived[i] - o.done[i], TOL(&o));
	}
	for (int i = 1; i < ITEMS; i++)
		ck_assert_int_ge(o.arrived[i] - o.arrived[i - 1], o.item * 7 / 10);
	/* on time, and yet the loop was blocked all along */
	assert_loop_blocked(&o);
}
END_TEST

Suite *shape_suite(void)
{
	Suite *s = suite_create("shape");
	TCase *tc = tcase_create("blocking");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_proactor_first_escapes_rest_clump);
	tcase_add_test(tc, test_queue_all_clump_after_the_job);
	tcase_add_test(tc, test_direct_each_on_time);
	suite_add_tcase(s, tc);
	return s;
}
