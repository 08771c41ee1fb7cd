/*
 * test_sendq.c: the bounded send queue keeps order and refuses overflow.
 */
#include "core/sendq.h"
#include "tests/suites.h"

#include <stdlib.h>

static struct sendq_msg result(int seq)
{
	struct sendq_msg m = { .kind = SENDQ_RESULT };

	m.u.result.seq = seq;
	return m;
}

START_TEST(test_fifo_order_across_wrap)
{
	struct sendq *q = calloc(1, sizeof(*q));
	struct sendq_msg m;
	int next_in = 0, next_out = 0;

	/* push and pop past the ring's end several times */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < SENDQ_CAPACITY - 3; i++) {
			struct sendq_msg in = result(next_in++);
			ck_assert(sendq_push(q, &in));
		}
		while (sendq_pop(q, &m))
			ck_assert_int_eq(m.u.result.seq, next_out++);
	}
	ck_assert_int_eq(next_in, next_out);
	ck_assert(sendq_empty(q));
	free(q);
}
END_TEST

START_TEST(test_bounded)
{
	struct sendq *q = calloc(1, sizeof(*q));
	struct sendq_msg m = result(0);

	for (int i = 0; i < SENDQ_CAPACITY; i++)
		ck_assert(sendq_push(q, &m));
	ck_assert_uint_eq(sendq_len(q), SENDQ_CAPACITY);
	m.u.result.seq = 99;
	ck_assert(!sendq_push(q, &m));		/* full: refused ... */
	ck_assert_uint_eq(sendq_len(q), SENDQ_CAPACITY); /* ... and unchanged */
	ck_assert(sendq_pop(q, &m));
	ck_assert_int_eq(m.u.result.seq, 0);
	free(q);
}
END_TEST

START_TEST(test_capacity_holds_a_whole_job)
{
	/* a blocking variant queues every result of a job while its loop is
	 * blocked, plus replies to requests read meanwhile */
	ck_assert_int_ge(SENDQ_CAPACITY, WIRE_ITEMS_MAX + 2 * SENDQ_PAUSE_RX);
	ck_assert_int_lt(SENDQ_RESUME_RX, SENDQ_PAUSE_RX);
}
END_TEST

START_TEST(test_pop_empty)
{
	struct sendq *q = calloc(1, sizeof(*q));
	struct sendq_msg m;

	ck_assert(!sendq_pop(q, &m));
	free(q);
}
END_TEST

Suite *sendq_suite(void)
{
	Suite *s = suite_create("sendq");
	TCase *tc = tcase_create("queue");

	tcase_add_test(tc, test_fifo_order_across_wrap);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_capacity_holds_a_whole_job);
	tcase_add_test(tc, test_pop_empty);
	suite_add_tcase(s, tc);
	return s;
}
