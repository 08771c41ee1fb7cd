/*
 * test_partition.c: server-partition, the fix that slices each item and
 * gives the loop back between slices. Each test names one promise and
 * fails on a server that breaks it: on time and an item apart like the
 * other fixes, with nobody waiting more than a couple of slices (and,
 * with big slices, about a slice: the slices are real); the same work as
 * blocking, checksums and all, in about the same time; two jobs take
 * turns on the one thread, and eight still leave others one slice; a
 * client that leaves stops its work.
 *
 * Every bound is relative to what was measured: the slice is the item's
 * own wall time divided by the slices it took (a busy machine stretches
 * both), never an absolute number of milliseconds.
 */
#include "client/watch.h"
#include "common/clock.h"
#include "harness/reply.h"
#include "tests/observe.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs OBS_ITEMS x work_ms with a bystander on server-partition started
 * with args (NULL-terminated, at most 4), and returns the measured slice:
 * the median item's wall time over its number of slices. */
static int64_t watch_partition(int work_ms, int slice_ms, const char *work,
			       struct watched *o)
{
	struct spawned s;
	char err[512], slice[16];

	snprintf(slice, sizeof(slice), "%d", slice_ms);
	tu_start(&s, "partition", "--slice-ms", slice, "--work", work, NULL);
	bool ok = watch_job(s.port, OBS_ITEMS, work_ms, OBS_BYSTANDER_MS, o, err, sizeof(err));

	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s", err);
	int64_t measured = o->item * slice_ms / work_ms;

	fprintf(stderr, "partition --slice-ms %d --work %s: item %.0f ms (slice %.1f ms); "
		"arrivals %.0f/%.0f/%.0f ms; bystander worst %.1f ms (%d echoes); "
		"lag max %.1f ms\n", slice_ms, work, o->item / 1e3, measured / 1e3,
		(o->arrived[0] - o->t_request) / 1e3, (o->arrived[1] - o->t_request) / 1e3,
		(o->arrived[2] - o->t_request) / 1e3, o->worst_echo / 1e3, o->echoes,
		o->lag_max / 1e3);
	return measured;
}

/* Small slices: spaced arrivals, and nobody waits more than a few slices
 * (measured idle: one slice; two under proactor when a client talks
 * faster than the slices end, docs/variants.md). The bound is a fifth of
 * an item, 6 slices: with another program on one core the loop thread is
 * preempted now and then for longer than a 5 ms slice, and a server that
 * computes a whole item, or a whole job, before it yields makes the
 * bystander wait 30 or 90 slices. */
START_TEST(test_small_slices_keep_the_loop_responsive)
{
	static const char *const works[] = { "cpu", "sleep" };
	struct watched o;
	int64_t slice = watch_partition(OBS_WORK_MS, 5, works[_i], &o);

	obs_assert_spaced(&o);
	ck_assert_msg(o.echoes >= 10, "only %d echoes", o.echoes);
	ck_assert_msg(o.worst_echo < o.item / 5, "the bystander waited %lld us: over a "
		      "fifth of an item, %lld us (slices of %lld us)", (long long)o.worst_echo,
		      (long long)o.item / 5, (long long)slice);
	ck_assert_msg(o.lag_max < o.item / 5, "lag max %lld us: over a fifth of an item, "
		      "%lld us (slices of %lld us)", (long long)o.lag_max,
		      (long long)o.item / 5, (long long)slice);
	ck_assert_int_eq(o.stalls, 0);
	ck_assert_int_eq(o.pings, 0);
}
END_TEST

/* Big slices: the loop is given back only between them, so the lag
 * monitor sees stalls of about one slice and the bystander waits at
 * least half of one: the slices are as long as asked, not shorter. */
START_TEST(test_big_slices_block_for_about_a_slice)
{
	struct watched o;
	int64_t slice = watch_partition(200, 50, "cpu", &o);

	obs_assert_spaced(&o);
	ck_assert_msg(o.worst_echo >= slice / 2, "the bystander waited at most %lld us; "
		      "slices of %lld us should make it wait half of one",
		      (long long)o.worst_echo, (long long)slice);
	ck_assert_msg(o.lag_max >= slice / 2 && o.lag_max < 2 * slice, "lag max %lld us; "
		      "want about one slice of %lld us", (long long)o.lag_max,
		      (long long)slice);
}
END_TEST

/* The results of one job of 3 x 100 ms from a server started with args;
 * the job's length (request sent to last arrival) in *job_us. */
static void run_job(const char *variant, const char *ipm, struct reply r[3], int64_t *job_us)
{
	struct spawned s;
	struct wsc *c;
	int64_t t0, t_arrive = 0;

	tu_start(&s, variant, "--iters-per-ms", ipm, NULL);
	c = tu_connect(&s);
	t0 = clock_now_us();
	tu_send(c, "{\"op\":\"run\",\"items\":3,\"work_ms\":100}");
	for (int i = 0; i < 3; i++) {
		tu_recv_reply(c, &r[i], TU_IO_MS, &t_arrive);
		ck_assert_int_eq(r[i].op, REPLY_RESULT);
		ck_assert_int_eq(r[i].v[REPLY_SEQ], i);
	}
	*job_us = t_arrive - t0;
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}

/* The same work as blocking: every item's checksum is the one the whole
 * item gives, and the job takes about as long (a yield costs
 * microseconds: docs/variants.md; a 1 ms timer per 5 ms slice would cost
 * 20% or more, and this test fails it). */
START_TEST(test_same_work_as_blocking_in_about_the_time)
{
	const char *ipm = tu_iters_per_ms();
	struct reply b[3], p[3];
	int64_t job_b, job_p;

	run_job("blocking", ipm, b, &job_b);
	run_job("partition", ipm, p, &job_p);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(p[i].v[REPLY_VALUE] == b[i].v[REPLY_VALUE], "item %d: checksum "
			      "%lld, blocking's %lld: the slices did other work", i,
			      (long long)p[i].v[REPLY_VALUE], (long long)b[i].v[REPLY_VALUE]);
	fprintf(stderr, "partition: job %.0f ms, blocking's %.0f ms\n", job_p / 1e3, job_b / 1e3);
	ck_assert_msg(job_p < job_b * 5 / 4, "partition took %lld us, blocking %lld us: "
		      "over 25%% more for the same work", (long long)job_p, (long long)job_b);
}
END_TEST

/* Two jobs at once take turns on the one loop thread: each one's first
 * result comes before the other's last (one after the other, as on a
 * blocked loop, would not). */
START_TEST(test_two_jobs_take_turns)
{
	struct spawned s;
	struct watched_jobs w;
	char err[512];

	tu_start(&s, "partition", NULL);
	bool ok = watch_jobs(s.port, 2, 3, 100, &w, err, sizeof(err));

	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s", err);
	for (int c = 0; c < 2; c++)
		ck_assert_msg(w.done[c][0] < w.done[1 - c][2], "client %d's first item ended "
			      "after client %d's last: the jobs ran one after the other", c,
			      1 - c);
}
END_TEST

/* The largest of column `col` minus column `minus` (1-based) over the CSV
 * rows of path, and the median of column `med` (0: not wanted). */
static void csv_max_and_median(const char *path, int col, int minus, int med,
			       int64_t *max, int64_t *median)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int64_t v[256];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	*max = 0;
	while (fgets(line, sizeof(line), f)) {
		int64_t x[16] = { 0 };
		char *p = line;
		int k = 0;

		if (line[0] == '#' || !strncmp(line, "variant", 7))
			continue;
		while (k < 16 && (p = strchr(p, ',')))	/* column 1 is a word */
			x[++k] = strtoll(++p, NULL, 10);
		if (x[col - 1] - x[minus - 1] > *max)
			*max = x[col - 1] - x[minus - 1];
		if (med && n < 256)
			v[n++] = x[med - 1];
	}
	fclose(f);
	for (int i = 1; i < n; i++)	/* insertion sort: a few rows */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*median = n ? v[(n - 1) / 2] : 0;
}

/* Eight jobs at once take their slices in turn, one slice per turn of the
 * loop, so another client still waits about one slice, not eight (a
 * server that runs every job's slice in one turn made it wait 88 ms with
 * 5 ms slices). Run through the harness: 8 clients x 1 item, a bystander;
 * the bound is a third of an item's CPU time. */
START_TEST(test_eight_jobs_still_one_slice_at_a_time)
{
	struct spawned s;
	char url[64], out[8192], msg[256], by[256];
	int64_t worst, item_cpu, unused;

	tu_temp_file(msg, sizeof(msg), "partition-k8-msg");
	tu_temp_file(by, sizeof(by), "partition-k8-by");
	tu_start(&s, "partition", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	char *argv[] = { tu_harness_path(), "--url", url, "--items", "1", "--work-ms", "100",
			 "--clients", "8", "--bystander-ms", "10", "--quiet", "--csv", msg,
			 "--bystander-csv", by, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	tu_stop_clean(&s);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
	csv_max_and_median(msg, 2, 2, 11, &unused, &item_cpu);	/* cpu_us */
	csv_max_and_median(by, 6, 4, 0, &worst, &unused);	/* t_arrive - t_sent */
	remove(msg);
	remove(by);
	fprintf(stderr, "partition, 8 jobs at once: bystander worst %.1f ms, item CPU %.0f ms\n",
		worst / 1e3, item_cpu / 1e3);
	ck_assert_int_gt(item_cpu, 0);
	ck_assert_msg(worst < item_cpu / 3, "with 8 jobs the bystander waited %lld us: over a "
		      "third of an item's CPU time, %lld us", (long long)worst,
		      (long long)item_cpu / 3);
}
END_TEST

/* Every --yield gives the loop back and comes back: a job completes, in
 * order, also while another job that shares the turns is abandoned by
 * its client (under `writeable` the turn may have been asked on that
 * client's socket), and the connections still answer. How fast each is,
 * and what it costs, is make partition-sweep's to measure, not a test's. */
START_TEST(test_every_yield_completes_jobs)
{
	static const char *const yields[] = { "turn", "writeable", "wake", "timer0", "timer1" };
	struct spawned s;
	struct wsc *c, *other, *leaver;
	struct reply r;

	tu_start(&s, "partition", "--yield", yields[_i], "--slice-ms", "2", NULL);
	c = tu_connect(&s);
	other = tu_connect(&s);
	leaver = tu_connect(&s);
	tu_assert_job(c, 3, 20);
	tu_assert_echo(other);
	tu_assert_job(c, 1, 0);		/* an item of no work: one empty slice */
	tu_send(leaver, "{\"op\":\"run\",\"items\":3,\"work_ms\":60}");
	tu_recv_reply(leaver, &r, TU_IO_MS, NULL);	/* in the middle of its job */
	tu_send(c, "{\"op\":\"run\",\"items\":3,\"work_ms\":20}");
	wsc_reset(leaver);
	for (int i = 0; i < 3; i++) {
		tu_recv_reply(c, &r, TU_IO_MS, NULL);
		ck_assert_int_eq(r.op, REPLY_RESULT);
		ck_assert_int_eq(r.v[REPLY_SEQ], i);
	}
	tu_assert_echo(other);
	wsc_close(c, TU_IO_MS);
	wsc_close(other, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* The server process's CPU time so far, in microseconds (utime + stime of
 * /proc/PID/stat). */
static int64_t process_cpu_us(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');	/* the name may hold spaces */
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st), 2);
	return (int64_t)((ut + st) * 1000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* A client that leaves mid-job stops its work: once the server has seen
 * it go, it uses next to no CPU (still computing, it would use all of
 * one core). */
START_TEST(test_client_leaving_stops_its_work)
{
	struct spawned s;
	struct wsc *c, *other;
	struct reply r;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 400 * 1000000L };

	tu_start(&s, "partition", NULL);
	other = tu_connect(&s);
	c = tu_connect(&s);
	tu_send(c, "{\"op\":\"run\",\"items\":3,\"work_ms\":1000}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);	/* in the middle of item 1 now */
	wsc_reset(c);
	tu_assert_echo(other);	/* a turn later: the close has been seen */
	tu_assert_echo(other);
	int64_t cpu0 = process_cpu_us(s.pid), w0 = clock_now_us();

	nanosleep(&ts, NULL);
	int64_t cpu = process_cpu_us(s.pid) - cpu0, wall = clock_now_us() - w0;

	fprintf(stderr, "partition: %.0f ms of CPU in %.0f ms after the client left\n",
		cpu / 1e3, wall / 1e3);
	ck_assert_msg(cpu < wall / 4, "the server used %lld us of CPU in %lld us after its "
		      "only client with a job had gone", (long long)cpu, (long long)wall);
	tu_assert_echo(other);
	wsc_close(other, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *partition_suite(void)
{
	Suite *s = suite_create("partition");
	TCase *tc = tcase_create("partition");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_small_slices_keep_the_loop_responsive, 0, 2);
	tcase_add_test(tc, test_big_slices_block_for_about_a_slice);
	tcase_add_test(tc, test_same_work_as_blocking_in_about_the_time);
	tcase_add_test(tc, test_two_jobs_take_turns);
	tcase_add_test(tc, test_eight_jobs_still_one_slice_at_a_time);
	tcase_add_test(tc, test_client_leaving_stops_its_work);
	tcase_add_loop_test(tc, test_every_yield_completes_jobs, 0, 5);
	suite_add_tcase(s, tc);
	return s;
}
