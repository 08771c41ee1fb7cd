/*
 * test_harness.c: build/harness as a user runs it: its CSV, its summary,
 * its agreement with the independent client, and its failures (refused,
 * HTTP error, server death, silence, bad command line), each a non-zero
 * exit with a message naming the URL and the cause.
 */
#include "common/clock.h"
#include "common/stats.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *harness_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/harness", tu_build_dir());
	return path;
}

/* A temp file name (the file exists, empty). */
static void temp_name(char *buf, size_t cap, const char *tag)
{
	snprintf(buf, cap, "/tmp/sendlab-%s-XXXXXX", tag);
	int fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* Reads a CSV file: header into hdr, the numeric columns after the variant
 * column into rows[r][c] (c = 0 is "run"). Returns the row count. */
static int read_csv(const char *path, char *hdr, size_t hdrcap,
		    long long rows[][9], int maxrows, char *variant, size_t vcap)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(hdr, (int)hdrcap, f));
	while (n < maxrows && fgets(line, sizeof(line), f)) {
		char *comma = strchr(line, ',');
		ck_assert_ptr_nonnull(comma);
		snprintf(variant, vcap, "%.*s", (int)(comma - line), line);
		char *p = comma + 1;
		for (int c = 0; c < 9 && *p && *p != '\n'; c++) {
			rows[n][c] = strtoll(p, &p, 10);
			if (*p == ',')
				p++;
		}
		n++;
	}
	fclose(f);
	return n;
}

START_TEST(test_harness_runs_and_writes_csv)
{
	struct spawned s;
	char out[8192], port_url[64], m[64], b[64], l[64], hdr[256], variant[32];
	long long rows[64][9];

	tu_start(&s, "blocking", NULL);
	snprintf(port_url, sizeof(port_url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	temp_name(b, sizeof(b), "by");
	temp_name(l, sizeof(l), "lag");
	char *argv[] = { harness_path(), "--url", port_url, "--items", "3", "--work-ms",
			 "150", "--runs", "2", "--bystander-ms", "20", "--csv", m,
			 "--bystander-csv", b, "--lag-csv", l, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	tu_stop_clean(&s);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
	ck_assert_msg(strstr(out, "run 1/2 blocking: arrivals "), "%s", out);
	ck_assert_msg(strstr(out, "run 2/2 blocking: arrivals "), "%s", out);
	ck_assert_msg(strstr(out, "blocking, 2 runs of 3 x 150 ms, medians over runs:"), "%s", out);
	ck_assert_msg(strstr(out, "bystander worst echo (ms)"), "%s", out);

	/* one row per message, in run and seq order, stamps in order;
	 * columns: 0 run, 1 seq, 2 t_request, 3 t_recv, 4 t_start, 5 t_done,
	 * 6 t_send, 7 t_arrive */
	int n = read_csv(m, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));
	ck_assert_str_eq(hdr, "variant,run,seq,t_request_us,t_recv_us,t_start_us,"
			 "t_done_us,t_send_us,t_arrive_us\n");
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(variant, "blocking");
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(rows[i][0], 1 + i / 3);	/* run */
		ck_assert_int_eq(rows[i][1], i % 3);		/* seq */
		for (int c = 2; c < 7; c++)
			ck_assert_int_le(rows[i][c], rows[i][c + 1]);
	}
	/* the CSV shows the seed's shape in every run: 1 and 2 clump */
	for (int run = 0; run < 2; run++) {
		long long *r0 = rows[run * 3], *r1 = rows[run * 3 + 1], *r2 = rows[run * 3 + 2];
		long long item = r1[5] - r1[4];

		ck_assert_int_lt(r0[7] - r0[5], item * 3 / 10);
		ck_assert_int_lt(llabs(r2[7] - r1[7]), item * 3 / 10);
		ck_assert_int_ge(r1[7] - r1[5], item * 7 / 10);
	}

	/* bystander rows: sent during the job, the worst waiting most of it */
	n = read_csv(b, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));
	ck_assert_str_eq(hdr, "variant,run,seq,t_sent_us,t_server_us,t_arrive_us\n");
	ck_assert_int_ge(n, 6);
	long long worst = 0;
	for (int i = 0; i < n; i++)
		if (rows[i][4] - rows[i][2] > worst)
			worst = rows[i][4] - rows[i][2];
	ck_assert_int_ge(worst, 300000); /* of a ~450 ms job */

	n = read_csv(l, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));
	ck_assert_int_eq(n, 2);
	ck_assert_int_ge(rows[0][5], 300000);	/* lag_max_us */
	ck_assert_int_ge(rows[0][6], 1);	/* stalls */
	unlink(m);
	unlink(b);
	unlink(l);
}
END_TEST

/*
 * The harness's stamps carry no bias of their own: its transit (arrival
 * minus the server's t_send_us) matches the independent client's within
 * 1 ms. Transit is the part of the delivery latency that depends on the
 * client; the queue wait before it is the server's and is shared.
 */
START_TEST(test_harness_agrees_with_independent_client)
{
	struct spawned s;
	char out[8192], url[64], m[64], hdr[256], variant[32];
	long long rows[64][9];
	int64_t h_transit[30], c_transit[30];
	size_t nh = 0, nc = 0;

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	char *argv[] = { harness_path(), "--url", url, "--items", "3", "--work-ms",
			 "100", "--runs", "3", "--csv", m, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	int n = read_csv(m, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));
	for (int i = 0; i < n; i++)
		h_transit[nh++] = rows[i][7] - rows[i][6]; /* t_arrive - t_send */
	unlink(m);

	for (int run = 0; run < 3; run++) {
		struct wsc *c = tu_connect(&s);
		struct reply r;
		int64_t t;

		tu_send(c, "{\"op\":\"run\",\"items\":3,\"work_ms\":100}");
		for (int i = 0; i < 3; i++) {
			tu_recv_reply(c, &r, TU_IO_MS, &t);
			c_transit[nc++] = t - r.v[REPLY_T_SEND_US];
		}
		wsc_close(c, TU_IO_MS);
	}
	tu_stop_clean(&s);

	struct stats_summary hs, cs;
	stats_summarize(h_transit, nh, &hs);
	stats_summarize(c_transit, nc, &cs);
	fprintf(stderr, "transit median: harness %lld us, independent client %lld us\n",
		(long long)hs.p50, (long long)cs.p50);
	ck_assert_uint_eq(nh, 9);
	ck_assert_int_lt(llabs(hs.p50 - cs.p50), 1000);
	ck_assert_int_lt(hs.p50, 1000);
}
END_TEST

START_TEST(test_refused_names_url_and_cause)
{
	char out[4096];
	/* a port nobody listens on: bind one, note it, close it */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char url[64];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", ntohs(a.sin_port));
	char *argv[] = { harness_path(), "--url", url, "--items", "1", "--work-ms", "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_msg(strstr(out, url), "%s", out);
	ck_assert_msg(strstr(out, "Connection refused"), "%s", out);
}
END_TEST

START_TEST(test_http_error_names_url_and_cause)
{
	struct spawned s;
	char out[4096], url[64];

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/wrong", s.port);
	char *argv[] = { harness_path(), "--url", url, "--items", "1", "--work-ms", "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	tu_stop_clean(&s);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_msg(strstr(out, url), "%s", out);
	ck_assert_msg(strstr(out, "refused the WebSocket upgrade"), "%s", out);
}
END_TEST

struct bg_run {
	char **argv;
	char out[8192];
	int status;
};

static void *bg_run_main(void *arg)
{
	struct bg_run *b = arg;

	b->status = spawn_run(b->argv, b->out, sizeof(b->out), 30000);
	return NULL;
}

START_TEST(test_server_death_mid_run)
{
	struct spawned s;
	char url[64], m[64], hdr[256], variant[32];
	long long rows[8][9];
	struct bg_run b;
	pthread_t t;
	struct wsc_frame f;

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	char *argv[] = { harness_path(), "--url", url, "--items", "3", "--work-ms",
			 "400", "--csv", m, NULL };
	b.argv = argv;
	ck_assert_int_eq(pthread_create(&t, NULL, bg_run_main, &b), 0);

	/* wait until the server is inside the harness's job (its loop stops
	 * answering echoes), then kill it */
	struct wsc *probe = tu_connect(&s);
	int64_t give_up = clock_now_us() + 10000000;
	for (;;) {
		ck_assert(clock_now_us() < give_up);
		tu_send(probe, "{\"op\":\"echo\",\"t_us\":1}");
		if (wsc_recv(probe, &f, 200) == 0)
			break;	/* blocked: the job runs */
	}
	kill(s.pid, SIGKILL);
	pthread_join(t, NULL);
	wsc_free(probe);
	spawn_stop(&s, SIGKILL, TU_STOP_MS);
	spawn_cleanup(&s);

	ck_assert_msg(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 1, "%s", b.out);
	ck_assert_msg(strstr(b.out, url), "%s", b.out);
	ck_assert_msg(strstr(b.out, "run 1 of 1: the server closed the connection"), "%s", b.out);
	ck_assert_msg(strstr(b.out, "run 1 is incomplete"), "%s", b.out);
	/* the file holds its header and whatever arrived: never a partial row */
	int n = read_csv(m, hdr, sizeof(hdr), rows, 8, variant, sizeof(variant));
	ck_assert_int_lt(n, 3);
	ck_assert_ptr_nonnull(strstr(hdr, "t_arrive_us"));
	unlink(m);
}
END_TEST

START_TEST(test_silent_server_times_out)
{
	/* accepts TCP connections and never answers */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char url[64], out[4096];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", ntohs(a.sin_port));
	char *argv[] = { harness_path(), "--url", url, "--items", "1", "--work-ms", "1", NULL };
	int64_t t0 = clock_now_us();
	int st = spawn_run(argv, out, sizeof(out), 30000);
	int64_t took = clock_now_us() - t0;

	close(fd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_msg(strstr(out, url), "%s", out);
	ck_assert_msg(strstr(out, "timed out after 5001 ms waiting for the WebSocket "
			      "upgrade"), "%s", out);
	/* bounded by the connect bound, items * work_ms + 5 s, and not much more */
	ck_assert_int_ge(took, 5000000);
	ck_assert_int_lt(took, 8000000);
}
END_TEST

START_TEST(test_bad_command_line_exits_2)
{
	char out[4096];
	char *argv[] = { harness_path(), "--url", "ws://127.0.0.1:1/", "--items", "0",
			 "--work-ms", "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 10000);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_ptr_nonnull(strstr(out, "--items must be an integer from 1 to 1000"));
	ck_assert_ptr_nonnull(strstr(out, "usage: harness"));
}
END_TEST

Suite *harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc = tcase_create("process");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_harness_runs_and_writes_csv);
	tcase_add_test(tc, test_harness_agrees_with_independent_client);
	tcase_add_test(tc, test_refused_names_url_and_cause);
	tcase_add_test(tc, test_http_error_names_url_and_cause);
	tcase_add_test(tc, test_server_death_mid_run);
	tcase_add_test(tc, test_silent_server_times_out);
	tcase_add_test(tc, test_bad_command_line_exits_2);
	suite_add_tcase(s, tc);
	return s;
}
