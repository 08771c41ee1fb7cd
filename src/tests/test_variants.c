/*
 * test_variants.c: what every server variant must do alike, whatever its
 * scheduling policy: its own name in every reply, its own command-line
 * options and no one else's, `busy` for a second run, SIGINT in the
 * middle of a long item exits 0 within a second, a connection over
 * --max-clients is refused with a readable close, and a server listens on
 * 127.0.0.1 unless told otherwise (and then warns). Each test runs once
 * per variant. Clients that leave mid-job: test_abuse.c (every variant)
 * and test_threadpool.c (the one with threads, under make test-tsan).
 */
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* Counts the listening sockets on `port` in a /proc/net/tcp-style table,
 * and how many of them are bound to `want_addr` (the kernel's hex form,
 * "0100007F" for 127.0.0.1). */
static void count_listeners(const char *table, int port, const char *want_addr, int *all,
			    int *matching)
{
	FILE *f = fopen(table, "r");
	char line[512], local[64], state[8];

	*all = *matching = 0;
	if (!f)
		return;		/* no IPv6 on this machine: nothing listens there */
	while (fgets(line, sizeof(line), f)) {
		unsigned p;
		char *colon;

		if (sscanf(line, " %*d: %63s %*s %7s", local, state) != 2 || strcmp(state, "0A"))
			continue;	/* the header, or not LISTEN */
		colon = strchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &p) != 1 || (int)p != port)
			continue;
		*colon = '\0';
		(*all)++;
		*matching += !strcmp(local, want_addr);
	}
	fclose(f);
}

/* Exposure: with no --host a server listens on 127.0.0.1 only (not on any
 * address, not on IPv6), and says so. */
START_TEST(test_listens_on_loopback_only_by_default)
{
	struct spawned s;
	int all, loopback;

	tu_start(&s, tu_variants[_i], NULL);
	count_listeners("/proc/net/tcp", s.port, "0100007F", &all, &loopback);
	ck_assert_int_eq(all, 1);
	ck_assert_int_eq(loopback, 1);
	count_listeners("/proc/net/tcp6", s.port, "", &all, &loopback);
	ck_assert_int_eq(all, 0);
	tu_stop_clean(&s);
}
END_TEST

/* --host with any other address works, with a warning on stderr that the
 * lab server has no authentication. */
START_TEST(test_other_host_warns_no_authentication)
{
	struct spawned s;
	char errtext[2048];
	int all, any;

	tu_start(&s, tu_variants[_i], "--host", "0.0.0.0", NULL);
	count_listeners("/proc/net/tcp", s.port, "00000000", &all, &any);
	ck_assert_int_eq(any, 1);
	struct wsc *c = tu_connect(&s);	/* 127.0.0.1 is one of "any" */

	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	spawn_read_stderr(&s, errtext, sizeof(errtext));
	ck_assert_msg(strstr(errtext, "WARNING: listening on 0.0.0.0: the lab server has no "
			     "authentication"), "stderr: %s", errtext);
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_options_are_each_variants_own)
{
	const char *v = tu_variants[_i];
	char path[512], out[4096];
	bool threads_ok = !strcmp(v, "threadpool"), pong_ok = !strcmp(v, "pingpong");
	bool slice_ok = !strcmp(v, "partition");

	snprintf(path, sizeof(path), "%s/server-%s", tu_build_dir(), v);
	char *help[] = { path, "--help", NULL };
	char *threads[] = { path, "--threads", "0", NULL };
	char *pong[] = { path, "--pong-timeout-ms", "0", NULL };
	char *slice[] = { path, "--slice-ms", "0", NULL };
	char *yield[] = { path, "--yield", "never", NULL };
	int st = spawn_run(help, out, sizeof(out), TU_START_MS);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(strstr(out, "--threads") != NULL, threads_ok);
	ck_assert_int_eq(strstr(out, "--pong-timeout-ms") != NULL, pong_ok);
	ck_assert_int_eq(strstr(out, "--slice-ms") != NULL, slice_ok);
	ck_assert_int_eq(strstr(out, "--yield") != NULL, slice_ok);

	/* 0 is out of range for both: the variants that accept the option
	 * say so, the others say the option is not theirs */
	st = spawn_run(threads, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, threads_ok ? "--threads must be an integer from 1"
			     : "--threads is only for server-threadpool"), "%s", out);
	st = spawn_run(pong, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, pong_ok ? "--pong-timeout-ms must be an integer from 1"
			     : "--pong-timeout-ms is only for server-pingpong"), "%s", out);
	st = spawn_run(slice, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, slice_ok ? "--slice-ms must be an integer from 1 to 1000"
			     : "--slice-ms is only for server-partition"), "%s", out);
	st = spawn_run(yield, out, sizeof(out), TU_START_MS);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, slice_ok ? "--yield must be turn, writeable, wake, timer0 "
			     "or timer1, not 'never'" : "--yield is only for server-partition"),
		      "%s", out);
}
END_TEST

START_TEST(test_result_fields)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;
	struct wsc_frame f;

	tu_start(&s, tu_variants[_i], NULL);
	c = tu_connect(&s);
	int64_t t0 = clock_now_us();
	tu_send(c, "{\"op\":\"run\",\"items\":2,\"work_ms\":30,\"id\":\"q\\\"\\\\\\u0001\xff\"}");
	ck_assert_int_eq(wsc_recv(c, &f, TU_IO_MS), 1);
	/* the id comes back escaped as valid JSON, bad UTF-8 replaced */
	ck_assert_msg(strstr((char *)f.data, "\"id\":\"q\\\"\\\\\\u0001\\ufffd\""),
		      "%s", (char *)f.data);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_RESULT);
	ck_assert_str_eq(r.variant, tu_variants[_i]);
	ck_assert_int_eq(r.v[REPLY_SEQ], 1);
	ck_assert_int_eq(r.v[REPLY_ITEMS], 2);
	ck_assert_int_eq(r.v[REPLY_WORK_MS], 30);
	/* the stamps are in order and on the client's clock */
	ck_assert_int_ge(r.v[REPLY_T_RECV_US], t0);
	ck_assert_int_le(r.v[REPLY_T_RECV_US], r.v[REPLY_T_START_US]);
	ck_assert_int_lt(r.v[REPLY_T_START_US], r.v[REPLY_T_DONE_US]);
	ck_assert_int_le(r.v[REPLY_T_DONE_US], r.v[REPLY_T_SEND_US]);
	ck_assert_int_le(r.v[REPLY_T_SEND_US], clock_now_us());
	/* 30 ms of work takes at least 15 ms, even on a fast core (the
	 * calibration's promise: work_ms of work is about work_ms on an idle
	 * core; a lower bound no busy machine can break) */
	ck_assert_int_ge(r.v[REPLY_T_DONE_US] - r.v[REPLY_T_START_US], 15000);
	/* the item's CPU time: reported, and no more than its wall time */
	ck_assert(r.has[REPLY_CPU_US]);
	ck_assert_int_gt(r.v[REPLY_CPU_US], 0);
	ck_assert_int_le(r.v[REPLY_CPU_US],
			 r.v[REPLY_T_DONE_US] - r.v[REPLY_T_START_US] + 1000);
	/* stats names the variant too */
	tu_send(c, "{\"op\":\"stats\"}");
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_STATS);
	ck_assert_str_eq(r.variant, tu_variants[_i]);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

START_TEST(test_run_while_busy)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;

	/* --send queue: in every variant the loop reads the second run
	 * before the first job's last result has been written (blocking:
	 * its results wait in the queue until the job is over) */
	tu_start(&s, tu_variants[_i], "--send", "queue", NULL);
	c = tu_connect(&s);
	tu_send(c, "{\"op\":\"run\",\"items\":2,\"work_ms\":100,\"id\":\"first\"}");
	tu_send(c, "{\"op\":\"run\",\"items\":1,\"work_ms\":1,\"id\":\"second\"}");
	int results = 0, busy = 0;

	for (int i = 0; i < 3; i++) {
		tu_recv_reply(c, &r, TU_IO_MS, NULL);
		if (r.op == REPLY_RESULT) {
			ck_assert_int_eq(r.v[REPLY_SEQ], results);
			results++;
		} else if (r.op == REPLY_ERROR && strstr(r.error, "busy: ")) {
			busy++;
		}
	}
	ck_assert_int_eq(results, 2);
	ck_assert_int_eq(busy, 1);
	/* the job was not disturbed, and the connection still works */
	tu_assert_echo(c);
	tu_assert_job(c, 1, 1);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* A client may send its next run the moment the last result of the
 * previous one arrives: it gets that job, never "busy" (pingpong's last
 * PING is still unanswered then; nothing may wait for its PONG). */
START_TEST(test_next_run_at_once_after_last_result)
{
	struct spawned s;
	struct wsc *c;

	tu_start(&s, tu_variants[_i], NULL);
	c = tu_connect(&s);
	for (int job = 0; job < 5; job++)
		tu_assert_job(c, 2, 5);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* The CPU time process pid has used so far (user + system), in ms, or -1. */
static long cpu_ms(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long utime, stime;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[n] = '\0';
	/* fields 14 and 15, counted after the ")" that ends the command name */
	const char *p = strrchr(buf, ')');

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &utime, &stime) != 2)
		return -1;
	return (long)((utime + stime) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

START_TEST(test_sigint_mid_item_exits_promptly)
{
	struct spawned s;
	struct wsc *job;

	tu_start(&s, tu_variants[_i], NULL);
	job = tu_connect(&s);
	long cpu0 = cpu_ms(s.pid);

	tu_send(job, "{\"op\":\"run\",\"items\":1,\"work_ms\":10000}");
	/* Proof that the server is inside the 10 s item, not a guess: it
	 * has burnt 200 ms of CPU since the run was sent (wherever the
	 * variant computes). */
	int64_t give_up = clock_now_us() + TU_IO_MS * 1000ll;

	while (cpu_ms(s.pid) - cpu0 < 200) {
		ck_assert_msg(clock_now_us() < give_up, "the server is not computing");
		struct timespec ts = { 0, 20 * 1000000 };

		nanosleep(&ts, NULL);
	}

	int64_t t_sig = clock_now_us();
	int st = spawn_stop(&s, SIGINT, TU_STOP_MS);
	int64_t took = clock_now_us() - t_sig;
	char errtext[4096];

	spawn_read_stderr(&s, errtext, sizeof(errtext));
	spawn_cleanup(&s);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "status %d: %s", st, errtext);
	ck_assert_msg(!strstr(errtext, "Sanitizer"), "%s", errtext);
	ck_assert_msg(took < 1000000, "SIGINT mid-item took %lld ms",
		      (long long)(took / 1000));
	wsc_free(job);
}
END_TEST

START_TEST(test_max_clients_refuses_the_next_cleanly)
{
	struct spawned s;
	struct wsc *a, *b, *c;
	struct wsc_frame f;

	tu_start(&s, tu_variants[_i], "--max-clients", "2", NULL);
	a = tu_connect(&s);
	b = tu_connect(&s);
	tu_assert_echo(a);	/* both really open before the third comes */
	tu_assert_echo(b);
	c = tu_connect(&s);	/* the upgrade succeeds; then it is closed */
	ck_assert_int_eq(wsc_recv(c, &f, TU_IO_MS), 1);
	ck_assert_int_eq(f.opcode, WSC_OP_CLOSE);
	ck_assert_int_eq(f.close_code, 1013);
	ck_assert_msg(strstr((char *)f.data, "server full: 2 clients already connected"),
		      "%s", (char *)f.data);
	wsc_free(c);
	tu_assert_echo(b);	/* the others were not disturbed */
	wsc_close(a, TU_IO_MS);
	/* a place is free again: a newcomer is served */
	int64_t give_up = clock_now_us() + TU_IO_MS * 1000ll;
	bool served = false;

	while (!served && clock_now_us() < give_up) {
		c = tu_connect(&s);
		if (wsc_recv(c, &f, 200) == 0) {	/* not closed: it was admitted */
			tu_assert_echo(c);
			served = true;
			wsc_close(c, TU_IO_MS);
		} else {
			wsc_free(c);	/* a's close not yet processed: try again */
		}
	}
	ck_assert(served);
	wsc_close(b, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *variants_suite(void)
{
	Suite *s = suite_create("variants");
	TCase *tc = tcase_create("every-variant");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_options_are_each_variants_own, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_listens_on_loopback_only_by_default, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_other_host_warns_no_authentication, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_result_fields, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_run_while_busy, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_next_run_at_once_after_last_result, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_sigint_mid_item_exits_promptly, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_max_clients_refuses_the_next_cleanly, 0, TU_NVARIANTS);
	suite_add_tcase(s, tc);
	return s;
}
