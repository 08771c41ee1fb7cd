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
#include "tests/observe.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS OBS_ITEMS

/* Every discipline: the loop is blocked for the whole job, and both the
 * bystander and the server's own lag monitor see it. */
static void assert_loop_blocked(const struct watched *o)
{
	obs_assert_loop_blocked(o, o->job * 7 / 10, o->job * 7 / 10);
}

START_TEST(test_proactor_first_escapes_rest_clump)
{
	struct watched o;

	obs_run("blocking", "proactor", &o);

	/* message 0 left as soon as it was ready, before item 1 was done */
	ck_assert_int_lt(o.sent[0] - o.done[0], OBS_TOL(&o));
	ck_assert_int_lt(o.arrived[0] - o.done[0], OBS_TOL(&o));
	ck_assert_int_lt(o.arrived[0], o.done[1]);
	/* message 1 waited in the server for item 2's compute ... */
	ck_assert_int_ge(o.sent[1] - o.done[1], o.item * 7 / 10);
	ck_assert_int_ge(o.sent[1], o.done[2]);
	/* ... and arrived together with message 2, which left at once */
	ck_assert_int_lt(o.sent[2] - o.done[2], OBS_TOL(&o));
	ck_assert_int_lt(llabs(o.arrived[2] - o.arrived[1]), OBS_TOL(&o));
	assert_loop_blocked(&o);
}
END_TEST

START_TEST(test_queue_all_clump_after_the_job)
{
	struct watched o;

	obs_run("blocking", "queue", &o);
	obs_assert_clumped_at_end(&o);
	assert_loop_blocked(&o);
}
END_TEST

START_TEST(test_direct_each_on_time)
{
	struct watched o;

	obs_run("blocking", "direct", &o);

	for (int i = 0; i < ITEMS; i++) {
		ck_assert_int_lt(o.sent[i] - o.done[i], OBS_TOL(&o));
		ck_assert_int_lt(o.arrived[i] - o.done[i], OBS_TOL(&o));
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
