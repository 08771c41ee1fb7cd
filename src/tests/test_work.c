/*
 * test_work.c: the workload is real, fixed, repeatable, and stoppable.
 *
 * Durations are asserted on the thread's CPU time with wide tolerances: the
 * claim under test is "an item of work_ms is about work_ms of one core",
 * not the scheduler's punctuality (the experiment measures that).
 */
#include "common/clock.h"
#include "core/work.h"
#include "tests/suites.h"

#include <pthread.h>
#include <time.h>

START_TEST(test_same_iterations_same_checksum)
{
	uint64_t a = work_spin(1000000, 7, NULL, NULL);
	uint64_t b = work_spin(1000000, 7, NULL, NULL);

	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, work_spin(1000000, 8, NULL, NULL));
	ck_assert_uint_ne(a, work_spin(1000001, 7, NULL, NULL));
	ck_assert_uint_eq(work_spin(0, 7, NULL, NULL), 0);
}
END_TEST

START_TEST(test_checksum_independent_of_chunking)
{
	/* the same iterations in one call or split by the stop-check chunks
	 * give the same value: chunking is an implementation detail */
	uint64_t n = 3 * WORK_CHUNK_ITERS + 17;

	ck_assert_uint_eq(work_spin(n, 1, NULL, NULL), work_spin(n, 1, NULL, NULL));
}
END_TEST

/*
 * The work scales with work_ms: an item of 200 ms uses about twice the CPU
 * time of one of 100 ms. A ratio, not a window of milliseconds: this
 * machine's cores change speed by up to 10% from one second to the next,
 * and a busy one by more, but two items run back to back share the speed.
 * The calibration is judged by the experiment (its summaries report each
 * item's CPU time), not here.
 */
START_TEST(test_item_cpu_scales_with_work_ms)
{
	uint64_t per_ms = work_calibrate(WORK_CALIBRATE_TRIALS_SERVER);
	uint64_t value;

	ck_assert_uint_gt(per_ms, 1000); /* any real core does far more */
	int64_t c0 = clock_thread_cpu_us(), w0 = clock_now_us();
	ck_assert(work_item(WORK_CPU, per_ms, 100, 3, NULL, &value));
	int64_t c1 = clock_thread_cpu_us();
	ck_assert(work_item(WORK_CPU, per_ms, 200, 3, NULL, &value));
	int64_t c2 = clock_thread_cpu_us(), wall = clock_now_us() - w0;
	double ratio = (double)(c2 - c1) / (double)(c1 - c0);

	ck_assert_msg(ratio > 1.6 && ratio < 2.4, "a 200 ms item used %.2f times the CPU "
		      "of a 100 ms one (%lld and %lld us)", ratio, (long long)(c2 - c1),
		      (long long)(c1 - c0));
	ck_assert_int_ge(wall, c2 - c0 - 1000);	/* CPU time never outruns the clock */
	ck_assert_uint_eq(value, work_spin(200 * per_ms, 3, NULL, NULL));
}
END_TEST

START_TEST(test_zero_ms_item)
{
	uint64_t value = 1;

	ck_assert(work_item(WORK_CPU, 1000, 0, 0, NULL, &value));
	ck_assert_uint_eq(value, 0);
}
END_TEST

START_TEST(test_sleep_item_blocks_without_cpu)
{
	uint64_t value = 1;
	int64_t c0 = clock_thread_cpu_us(), w0 = clock_now_us();

	ck_assert(work_item(WORK_SLEEP, 0, 100, 0, NULL, &value));
	int64_t cpu = clock_thread_cpu_us() - c0, wall = clock_now_us() - w0;

	ck_assert_uint_eq(value, 0);
	ck_assert_int_ge(wall, 100000);
	ck_assert_msg(cpu < 20000, "sleep item used %lld us of CPU", (long long)cpu);
}
END_TEST

static atomic_bool stop_flag;

static void *set_stop_after_50ms(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	atomic_store(&stop_flag, true);
	return NULL;
}

START_TEST(test_stop_flag_interrupts_cpu_and_sleep)
{
	uint64_t value;
	pthread_t t;
	const enum work_kind kinds[] = { WORK_CPU, WORK_SLEEP };

	struct work_stop st = { .job = &stop_flag };

	for (int k = 0; k < 2; k++) {
		atomic_store(&stop_flag, false);
		ck_assert_int_eq(pthread_create(&t, NULL, set_stop_after_50ms, NULL), 0);
		int64_t w0 = clock_now_us();
		/* a 10 s item, stopped after ~50 ms */
		ck_assert(!work_item(kinds[k], work_calibrate(WORK_CALIBRATE_TRIALS_SERVER), 10000, 0, &st, &value));
		int64_t wall = clock_now_us() - w0;
		pthread_join(t, NULL);
		ck_assert_msg(wall < 1000000, "stop took %lld us", (long long)wall);
	}
	/* already set: nothing runs; either flag stops it */
	ck_assert(!work_item(WORK_CPU, 1000000, 10000, 0, &st, &value));
	st = (struct work_stop){ .server = &stop_flag };
	ck_assert(!work_item(WORK_CPU, 1000000, 10000, 0, &st, &value));
	atomic_store(&stop_flag, false);
	ck_assert(!work_stopped(&st));
	ck_assert(!work_stopped(NULL));
}
END_TEST

/* An item computed in slices (server-partition) is the same work as in one
 * piece: the same checksum whatever the slice, and as many slices as the
 * slice size says (a slice is whole chunks of the kernel, so it may run up
 * to one chunk long). */
START_TEST(test_sliced_item_same_checksum)
{
	const uint64_t per_ms = 2 * WORK_CHUNK_ITERS + 1000; /* a ms is not whole chunks */
	const int work_ms = 10;
	uint64_t whole, value;

	ck_assert(work_item(WORK_CPU, per_ms, work_ms, 7, NULL, &whole));
	for (int slice = 1; slice <= 12; slice++) {
		struct work_part p;
		bool stopped;
		int slices = 0;

		work_part_start(&p, WORK_CPU, per_ms, work_ms, 7);
		for (;;) {
			slices++;
			ck_assert_int_le(slices, work_ms + 1);
			if (work_part_run(&p, per_ms, slice, NULL, &stopped, &value))
				break;
			ck_assert(!stopped);
		}
		ck_assert_msg(value == whole, "slice %d ms: checksum differs", slice);
		/* each slice is slice * per_ms steps rounded up to chunks */
		uint64_t step = ((uint64_t)slice * per_ms + WORK_CHUNK_ITERS - 1) /
				WORK_CHUNK_ITERS * WORK_CHUNK_ITERS;
		uint64_t want = ((uint64_t)work_ms * per_ms + step - 1) / step;

		ck_assert_int_eq(slices, (int)want);
	}
}
END_TEST

START_TEST(test_sliced_sleep_and_stop)
{
	struct work_part p;
	bool stopped;
	uint64_t value = 1;
	int slices = 0;
	int64_t w0 = clock_now_us(), c0 = clock_thread_cpu_us();

	work_part_start(&p, WORK_SLEEP, 0, 30, 0);
	while (!work_part_run(&p, 0, 10, NULL, &stopped, &value))
		slices++;
	ck_assert_int_eq(slices + 1, 3);	/* 3 slices of 10 ms */
	ck_assert_uint_eq(value, 0);
	ck_assert_int_ge(clock_now_us() - w0, 30000);
	ck_assert_int_lt(clock_thread_cpu_us() - c0, 10000);	/* slept, not spun */

	/* a stop flag ends a slice early, unfinished, and says so */
	struct work_stop st = { .job = &stop_flag };

	atomic_store(&stop_flag, true);
	work_part_start(&p, WORK_CPU, 1000000, 100, 0);
	ck_assert(!work_part_run(&p, 1000000, 50, &st, &stopped, &value));
	ck_assert(stopped);
	atomic_store(&stop_flag, false);
	ck_assert(!work_part_run(&p, 1000000, 1, &st, &stopped, &value));
	ck_assert(!stopped);		/* unfinished, not stopped */
}
END_TEST

Suite *work_suite(void)
{
	Suite *s = suite_create("work");
	TCase *tc = tcase_create("workload");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_same_iterations_same_checksum);
	tcase_add_test(tc, test_checksum_independent_of_chunking);
	tcase_add_test(tc, test_item_cpu_scales_with_work_ms);
	tcase_add_test(tc, test_zero_ms_item);
	tcase_add_test(tc, test_sleep_item_blocks_without_cpu);
	tcase_add_test(tc, test_stop_flag_interrupts_cpu_and_sleep);
	tcase_add_test(tc, test_sliced_item_same_checksum);
	tcase_add_test(tc, test_sliced_sleep_and_stop);
	suite_add_tcase(s, tc);
	return s;
}
