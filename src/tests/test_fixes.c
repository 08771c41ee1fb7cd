/*
 * test_fixes.c: server-flush and server-pingpong, each measured for what
 * it fixes and what it still costs, with the method of test_shape.c
 * (3 items x 150 ms, a bystander echoing every 20 ms, the server's own lag
 * monitor over the job), under every send discipline.
 *
 * What they fix: every message reaches the client within 20 ms of its
 * item's end, and the arrivals are an item apart. What they cost: the
 * items still run on the loop thread, so another client waits at least
 * 0.8 of an item and the lag monitor sees stalls over 100 ms.
 */
#include "common/clock.h"
#include "harness/reply.h"
#include "tests/observe.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <string.h>

/* The cost: the loop still computes whole items, and both the bystander
 * and the server's lag monitor see it: a wait of most of an item, a stall
 * over 100 ms. */
static void assert_loop_blocked_per_item(const struct watched *o)
{
	obs_assert_loop_blocked(o, o->item * 8 / 10, 100001);
}

START_TEST(test_flush_spaced_but_loop_blocked)
{
	struct watched o;

	obs_run("flush", obs_sends[_i], &o);
	obs_assert_spaced(&o);
	assert_loop_blocked_per_item(&o);
	ck_assert_int_eq(o.pings, 0);
}
END_TEST

START_TEST(test_pingpong_spaced_one_ping_per_item)
{
	struct watched o;

	obs_run("pingpong", obs_sends[_i], &o);
	obs_assert_spaced(&o);
	assert_loop_blocked_per_item(&o);
	ck_assert_msg(o.pings == OBS_ITEMS, "%d PINGs for %d items", o.pings, OBS_ITEMS);
	/* the next item starts only after the round trip */
	for (int i = 1; i < OBS_ITEMS; i++)
		ck_assert_int_gt(o.start[i], o.arrived[i - 1]);
}
END_TEST

/* Reads frames from c until one with opcode `want` (skipping none: any
 * other frame first fails the test); returns its arrival time. */
static int64_t expect_frame(struct wsc *c, int want, struct wsc_frame *f, int timeout_ms)
{
	int got = wsc_recv(c, f, timeout_ms);

	ck_assert_msg(got == 1, "no frame within %d ms (%s)", timeout_ms, wsc_error(c));
	ck_assert_msg(f->opcode == want, "got opcode %d (%.*s), want %d", f->opcode,
		      (int)f->len, (const char *)f->data, want);
	return f->t_arrive_us;
}

START_TEST(test_pingpong_timeout_when_pings_are_ignored)
{
	struct spawned s;
	struct wsc *deaf, *other;
	struct wsc_frame f;
	struct reply r;
	char why[200];

	tu_start(&s, "pingpong", "--pong-timeout-ms", "300", NULL);
	deaf = tu_connect(&s);
	other = tu_connect(&s);
	wsc_set_auto_pong(deaf, 0);
	tu_send(deaf, "{\"op\":\"run\",\"items\":3,\"work_ms\":100}");

	expect_frame(deaf, WSC_OP_TEXT, &f, TU_IO_MS);
	ck_assert(reply_parse((const char *)f.data, f.len, &r, why, sizeof(why)));
	ck_assert_int_eq(r.op, REPLY_RESULT);
	ck_assert_int_eq(r.v[REPLY_SEQ], 0);
	int64_t t_ping = expect_frame(deaf, WSC_OP_PING, &f, TU_IO_MS);

	/* while it waits for the pong the server serves everyone else, at
	 * once: no item is running (one would make the echo wait for it) */
	int64_t item = r.v[REPLY_T_DONE_US] - r.v[REPLY_T_START_US];
	int64_t t_echo = clock_now_us();

	tu_assert_echo(other);
	ck_assert_msg(clock_now_us() - t_echo < item / 2, "the echo took %lld us, against "
		      "an item of %lld us", (long long)(clock_now_us() - t_echo),
		      (long long)item);

	int64_t t_err = expect_frame(deaf, WSC_OP_TEXT, &f, TU_IO_MS);
	ck_assert(reply_parse((const char *)f.data, f.len, &r, why, sizeof(why)));
	ck_assert_msg(r.op == REPLY_ERROR && strstr(r.error, "no pong within 300 ms"),
		      "got %s", (const char *)f.data);
	ck_assert_msg(t_err - t_ping >= 250000, "timed out %lld us after the PING, "
		      "before the 300 ms timeout", (long long)(t_err - t_ping));
	/* the job is over: no further result comes, and the connection and
	 * the server still work */
	ck_assert_int_eq(wsc_recv(deaf, &f, 300), 0);
	tu_assert_echo(deaf);
	tu_assert_job(other, 2, 20);
	ck_assert_int_ge(wsc_pings_seen(other), 1);
	wsc_close(deaf, TU_IO_MS);
	wsc_close(other, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *fixes_suite(void)
{
	Suite *s = suite_create("fixes");
	TCase *tc = tcase_create("flush-pingpong");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_flush_spaced_but_loop_blocked, 0, OBS_NSENDS);
	tcase_add_loop_test(tc, test_pingpong_spaced_one_ping_per_item, 0, OBS_NSENDS);
	tcase_add_test(tc, test_pingpong_timeout_when_pings_are_ignored);
	suite_add_tcase(s, tc);
	return s;
}
