/*
 * test_relay.c: the delay proxy's queue of timed chunks releases bytes
 * only when due, in order, across the ring's end, and never holds more
 * than its cap (bytes or chunk records).
 */
#include "proxy/relay.h"
#include "tests/suites.h"

#include <string.h>

START_TEST(test_nothing_due_before_its_time)
{
	struct relay q;
	const unsigned char *d;

	ck_assert(relay_init(&q, 1024));
	ck_assert(relay_push(&q, "abc", 3, 1000));
	ck_assert_uint_eq(relay_due(&q, 999, &d), 0);	/* 1 us early: nothing */
	ck_assert_uint_eq(relay_due(&q, 1000, &d), 3);
	ck_assert(!memcmp(d, "abc", 3));
	relay_free(&q);
}
END_TEST

START_TEST(test_each_chunk_keeps_its_own_time)
{
	struct relay q;
	const unsigned char *d;
	int64_t t;

	ck_assert(relay_init(&q, 1024));
	ck_assert(relay_push(&q, "ab", 2, 100));
	ck_assert(relay_push(&q, "cd", 2, 200));
	ck_assert(relay_next_due(&q, &t));
	ck_assert_int_eq(t, 100);
	/* at 150 only the first chunk may go, not the second with it */
	ck_assert_uint_eq(relay_due(&q, 150, &d), 2);
	ck_assert(!memcmp(d, "ab", 2));
	relay_pop(&q, 1);			/* a partial write ... */
	ck_assert_uint_eq(relay_due(&q, 150, &d), 1);	/* ... leaves "b", still due */
	ck_assert_int_eq(*d, 'b');
	ck_assert(relay_next_due(&q, &t));
	ck_assert_int_eq(t, 100);
	relay_pop(&q, 1);
	ck_assert(relay_next_due(&q, &t));
	ck_assert_int_eq(t, 200);
	ck_assert_uint_eq(relay_due(&q, 150, &d), 0);
	ck_assert_uint_eq(relay_due(&q, 200, &d), 2);
	ck_assert(!memcmp(d, "cd", 2));
	relay_pop(&q, 2);
	ck_assert(!relay_next_due(&q, &t));
	ck_assert_uint_eq(relay_queued(&q), 0);
	relay_free(&q);
}
END_TEST

START_TEST(test_order_across_the_wrap)
{
	struct relay q;
	unsigned char in[37], out = 0;
	const unsigned char *d;
	unsigned next_in = 0, next_out = 0;
	int64_t now = 0;

	ck_assert(relay_init(&q, 100));
	/* pushes of 37 and pops of 1..7 bytes go round the ring many times */
	for (int round = 0; round < 200; round++) {
		while (relay_space(&q) >= sizeof(in)) {
			for (size_t i = 0; i < sizeof(in); i++)
				in[i] = (unsigned char)(next_in++ * 7u);
			ck_assert(relay_push(&q, in, sizeof(in), now));
		}
		now++;
		size_t n = relay_due(&q, now, &d);

		ck_assert_uint_gt(n, 0);
		if (n > (size_t)(round % 7 + 1))
			n = (size_t)(round % 7 + 1);
		for (size_t i = 0; i < n; i++) {
			out = (unsigned char)(next_out++ * 7u);
			ck_assert_int_eq(d[i], out);
		}
		relay_pop(&q, n);
	}
	/* the rest, in contiguous pieces */
	size_t n;
	while ((n = relay_due(&q, now, &d)) > 0) {
		for (size_t i = 0; i < n; i++)
			ck_assert_int_eq(d[i], (unsigned char)(next_out++ * 7u));
		relay_pop(&q, n);
	}
	ck_assert_uint_eq(next_in, next_out);
	relay_free(&q);
}
END_TEST

START_TEST(test_bytes_bounded_by_cap)
{
	struct relay q;
	unsigned char big[300] = { 0 };

	ck_assert(relay_init(&q, 256));
	ck_assert_uint_eq(relay_cap(&q), 256);
	ck_assert_uint_eq(relay_space(&q), 256);
	ck_assert(!relay_push(&q, big, 257, 0));	/* over: refused whole */
	ck_assert_uint_eq(relay_queued(&q), 0);
	ck_assert(relay_push(&q, big, 200, 0));
	ck_assert_uint_eq(relay_space(&q), 56);
	ck_assert(!relay_push(&q, big, 57, 0));
	ck_assert(relay_push(&q, big, 56, 0));
	ck_assert_uint_eq(relay_space(&q), 0);
	ck_assert(!relay_push(&q, big, 1, 0));
	ck_assert_uint_eq(relay_queued(&q), 256);
	ck_assert_uint_eq(relay_peak(&q), 256);
	relay_pop(&q, 100);
	ck_assert_uint_eq(relay_space(&q), 100);
	ck_assert_uint_eq(relay_peak(&q), 256);		/* the peak stays */
	relay_free(&q);
}
END_TEST

START_TEST(test_chunk_records_bounded)
{
	struct relay q;
	size_t pushed = 0;

	/* 1024 bytes: 16 records (1024 / 64); one-byte chunks fill those first */
	ck_assert(relay_init(&q, 1024));
	while (relay_space(&q) > 0) {
		ck_assert(relay_push(&q, "x", 1, (int64_t)pushed));
		pushed++;
		ck_assert_uint_le(pushed, 1024);
	}
	ck_assert_uint_eq(pushed, 1024 / RELAY_BYTES_PER_CHUNK);
	ck_assert(!relay_push(&q, "x", 1, 99999));
	relay_pop(&q, 1);
	ck_assert_uint_gt(relay_space(&q), 0);	/* a record freed: room again */
	relay_free(&q);
}
END_TEST

START_TEST(test_refuses_time_going_back_and_empty_chunks)
{
	struct relay q;

	ck_assert(relay_init(&q, 64));
	ck_assert(relay_push(&q, "a", 1, 50));
	ck_assert(!relay_push(&q, "b", 1, 49));
	ck_assert(!relay_push(&q, "b", 0, 60));
	ck_assert(relay_push(&q, "b", 1, 50));		/* the same time is fine */
	ck_assert_uint_eq(relay_queued(&q), 2);
	relay_free(&q);
	relay_free(&q);					/* twice: harmless */
	ck_assert(!relay_init(&q, 0));
	relay_free(&q);
}
END_TEST

Suite *relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("queue");

	tcase_add_test(tc, test_nothing_due_before_its_time);
	tcase_add_test(tc, test_each_chunk_keeps_its_own_time);
	tcase_add_test(tc, test_order_across_the_wrap);
	tcase_add_test(tc, test_bytes_bounded_by_cap);
	tcase_add_test(tc, test_chunk_records_bounded);
	tcase_add_test(tc, test_refuses_time_going_back_and_empty_chunks);
	suite_add_tcase(s, tc);
	return s;
}
