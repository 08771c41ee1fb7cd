/*
 * test_harness.c: build/harness as a user runs it: its CSV, its summary,
 * its agreement with the independent client, and its failures (refused,
 * HTTP error, a full server, server death, silence, bad command line),
 * each a non-zero exit with a message naming the URL and the cause; after
 * a failure every CSV file holds the rows received and ends with the
 * "# incomplete" line.
 */
#include "common/clock.h"
#include "common/stats.h"
#include "harness/args.h"
#include "harness/report.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
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

/* What a CSV file of the harness holds: its data rows (every line after
 * the header that is not a '#' line) and its last line. */
struct csv_shape {
	int rows;
	char last[600];
};

static struct csv_shape csv_shape(const char *path)
{
	struct csv_shape cs = { 0 };
	FILE *f = fopen(path, "r");
	char line[600];

	ck_assert_ptr_nonnull(f);
	for (int lineno = 0; fgets(line, sizeof(line), f); lineno++) {
		if (lineno > 0 && line[0] != '#')
			cs.rows++;
		snprintf(cs.last, sizeof(cs.last), "%s", line);
	}
	fclose(f);
	return cs;
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
			 "t_done_us,t_send_us,t_arrive_us,client\n");
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(variant, "blocking");
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(rows[i][0], 1 + i / 3);	/* run */
		ck_assert_int_eq(rows[i][1], i % 3);		/* seq */
		ck_assert_int_eq(rows[i][8], 0);		/* client: one */
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

/* The count the harness's stderr gives in "N of ITEMS results" or "N
 * bystander echoes", or -1. */
static int stderr_count(const char *out, const char *after_number)
{
	const char *p = strstr(out, after_number);

	if (!p)
		return -1;
	while (p > out && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return atoi(p);
}

/*
 * The server is killed (SIGKILL) mid-job, after the first result reached
 * the harness: the harness sees the connection drop and exits at once
 * with status 3, not after its 8 s results bound; each file holds exactly
 * the rows stderr says arrived and ends with the "# incomplete" line; and
 * stderr says what happened. The trigger is the first row in the CSV (the
 * harness writes each as it arrives), never a guessed delay: under
 * server-blocking result 0 leaves at 200 ms and results 1-4 only when the
 * whole job ends at 1000 ms, so the kill lands between them.
 */
START_TEST(test_server_killed_after_first_result)
{
	struct spawned s;
	char url[64], m[64], b[64], l[64];
	struct tu_bg_run bg;

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	temp_name(b, sizeof(b), "by");
	temp_name(l, sizeof(l), "lag");
	char *argv[] = { harness_path(), "--url", url, "--items", "5", "--work-ms",
			 "200", "--bystander-ms", "20", "--csv", m, "--bystander-csv", b,
			 "--lag-csv", l, NULL };
	tu_bg_start(&bg, argv);

	bool saw_first = tu_wait_csv_rows(m, 1, 10000);
	int64_t t_kill = clock_now_us();

	kill(s.pid, SIGKILL);
	tu_bg_join(&bg);
	spawn_stop(&s, SIGKILL, TU_STOP_MS);
	spawn_cleanup(&s);
	ck_assert_msg(saw_first, "no result row within 10 s: %s", bg.out);

	/* the documented status, as soon as the drop is seen */
	ck_assert_msg(WIFEXITED(bg.status) && WEXITSTATUS(bg.status) == ARGS_EXIT_INCOMPLETE,
		      "status %d: %s", bg.status, bg.out);
	ck_assert_msg(bg.t_end_us - t_kill < 3000000, "exited %lld ms after the kill",
		      (long long)(bg.t_end_us - t_kill) / 1000);

	/* stderr: the URL, what happened, what was being waited for */
	ck_assert_msg(strstr(bg.out, url), "%s", bg.out);
	ck_assert_msg(strstr(bg.out, "run 1 of 1: the ") &&
		      strstr(bg.out, "connection dropped without a close frame (did the "
			     "server crash or get killed?) while we waited for result "),
		      "%s", bg.out);
	ck_assert_msg(strstr(bg.out, "run 1 of 1 is incomplete: "), "%s", bg.out);

	/* every row that arrived, and only those, each file marked */
	struct csv_shape msgs = csv_shape(m), echoes = csv_shape(b), lag = csv_shape(l);
	int results = stderr_count(bg.out, " of 5 results");

	ck_assert_int_ge(msgs.rows, 1);
	ck_assert_int_lt(msgs.rows, 5);
	ck_assert_int_eq(msgs.rows, results);
	ck_assert_int_eq(echoes.rows, stderr_count(bg.out, " bystander echoes"));
	ck_assert_int_eq(lag.rows, 0);	/* the stats reply never came */
	ck_assert_msg(!strncmp(msgs.last, REPORT_INCOMPLETE_PREFIX "1 of 1: the ",
			       strlen(REPORT_INCOMPLETE_PREFIX "1 of 1: the ")) &&
		      strstr(msgs.last, "dropped without a close frame"), "%s", msgs.last);
	ck_assert_str_eq(echoes.last, msgs.last);
	ck_assert_str_eq(lag.last, msgs.last);
	fprintf(stderr, "server killed after the first result: %d of 5 results, "
		"harness exited %lld ms after the kill\n", results,
		(long long)(bg.t_end_us - t_kill) / 1000);
	unlink(m);
	unlink(b);
	unlink(l);
}
END_TEST

/* A full server refuses with a close frame: the harness names its reason
 * (lws shows its 1013 as 1002, and the harness says so). */
START_TEST(test_full_server_close_frame_named)
{
	struct spawned s;
	char url[64], out[4096];

	tu_start(&s, "blocking", "--max-clients", "1", NULL);
	struct wsc *holder = tu_connect(&s);	/* takes the one place */

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	char *argv[] = { harness_path(), "--url", url, "--items", "1", "--work-ms",
			 "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	wsc_close(holder, TU_IO_MS);
	tu_stop_clean(&s);
	/* the server completes the upgrade before it refuses, so the harness
	 * has sent its job: a run under way and incomplete, with no result */
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_INCOMPLETE, "%s", out);
	ck_assert_msg(strstr(out, "the server closed the main connection (close code ") &&
		      strstr(out, "server full"), "%s", out);
	ck_assert_msg(strstr(out, "run 1 of 1 is incomplete: 0 of 1 results arrived"),
		      "%s", out);
}
END_TEST

/*
 * A server that accepts TCP and never answers the upgrade request (a plain
 * listening socket: the kernel completes the TCP handshake, nobody reads):
 * the harness gives up at its connect bound, J + 5 s = 5001 ms here, says
 * what it waited for, exits 1 (no job was sent) and marks its file.
 */
START_TEST(test_silent_server_gives_up_within_bound)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char url[64], out[4096], m[64];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", ntohs(a.sin_port));
	temp_name(m, sizeof(m), "msg");
	char *argv[] = { harness_path(), "--url", url, "--items", "1", "--work-ms", "1",
			 "--bystander-ms", "20", "--csv", m, NULL };
	int64_t t0 = clock_now_us();
	int st = spawn_run(argv, out, sizeof(out), 30000);
	int64_t took = clock_now_us() - t0;

	close(fd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_FAILED, "%s", out);
	ck_assert_msg(strstr(out, url), "%s", out);
	ck_assert_msg(strstr(out, "run 1 of 1: timed out after 5001 ms waiting for the "
			      "WebSocket upgrade (TCP connected; the server has not "
			      "answered the HTTP upgrade request) of the main connection"),
		      "%s", out);
	/* the bound, and not much more */
	ck_assert_int_ge(took, 5001000);
	ck_assert_int_lt(took, 8000000);

	struct csv_shape cs = csv_shape(m);

	ck_assert_int_eq(cs.rows, 0);
	ck_assert_msg(strstr(cs.last, REPORT_INCOMPLETE_PREFIX "1 of 1: timed out after "
			     "5001 ms"), "%s", cs.last);
	unlink(m);
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
	tcase_add_test(tc, test_full_server_close_frame_named);
	tcase_add_test(tc, test_server_killed_after_first_result);
	tcase_add_test(tc, test_silent_server_gives_up_within_bound);
	tcase_add_test(tc, test_bad_command_line_exits_2);
	suite_add_tcase(s, tc);
	return s;
}
