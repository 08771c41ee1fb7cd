/*
 * test_harness.c: build/harness as a user runs it: its CSV, its summary,
 * its agreement with the independent client, K concurrent clients
 * (--clients) that really start together, and its failures (refused,
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
 * column into rows[r][c] (c = 0 is "run"; in a messages file c = 8 is
 * "client"), skipping a "# incomplete" line. Returns the row count. */
static int read_csv(const char *path, char *hdr, size_t hdrcap,
		    long long rows[][9], int maxrows, char *variant, size_t vcap)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(hdr, (int)hdrcap, f));
	while (n < maxrows && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
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
			 "t_done_us,t_send_us,t_arrive_us,client,cpu_us\n");
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(variant, "blocking");
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(rows[i][0], 1 + i / 3);	/* run */
		ck_assert_int_eq(rows[i][1], i % 3);		/* seq */
		ck_assert_int_eq(rows[i][8], 0);		/* client: one */
		for (int c = 2; c < 7; c++)
			ck_assert_int_le(rows[i][c], rows[i][c + 1]);
	}
	/* the CSV shows the seed's shape in every run: 1 and 2 clump; the
	 * job, the first request to the last item's end, for what follows */
	long long job = rows[2][5] - rows[0][2];

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
	ck_assert_msg(worst >= job * 2 / 3, "worst echo %lld us of a %lld us job", worst,
		      job);

	n = read_csv(l, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));
	ck_assert_int_eq(n, 2);
	ck_assert_msg(rows[0][5] >= job * 2 / 3, "lag max %lld us of a %lld us job",
		      rows[0][5], job);	/* lag_max_us */
	ck_assert_int_ge(rows[0][6], 1);	/* stalls */
	unlink(m);
	unlink(b);
	unlink(l);
}
END_TEST

/*
 * The harness's stamps carry no bias of their own: its transit (arrival
 * minus the server's t_send_us) matches the independent client's within
 * a hundredth of an item (1 ms), and is itself that small. Transit is the
 * part of the delivery latency that depends on the client; the queue wait
 * before it is the server's and is shared.
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
	int64_t item = n ? rows[0][5] - rows[0][4] : 0;	/* t_done - t_start */

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
	ck_assert_msg(llabs(hs.p50 - cs.p50) < item / 100 && hs.p50 < item / 100,
		      "transit %lld vs %lld us; want both, and their difference, under a "
		      "hundredth of the %lld us item", (long long)hs.p50, (long long)cs.p50,
		      (long long)item);
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

/* Messages file columns, as read_csv() numbers them. */
enum { COL_RUN, COL_SEQ, COL_REQUEST, COL_RECV, COL_START, COL_DONE, COL_SEND,
       COL_ARRIVE, COL_CLIENT };

/* The spread (max - min) of column col over the rows with seq `seq` (any
 * seq if seq < 0). */
static long long spread(long long rows[][9], int n, int col, int seq)
{
	long long lo = 0, hi = 0;
	bool any = false;

	for (int i = 0; i < n; i++) {
		if (seq >= 0 && rows[i][COL_SEQ] != seq)
			continue;
		if (!any || rows[i][col] < lo)
			lo = rows[i][col];
		if (!any || rows[i][col] > hi)
			hi = rows[i][col];
		any = true;
	}
	return hi - lo;
}

/* Runs the harness with --clients against url, 1 run, into the CSV m;
 * asserts exit 0 and returns its row count. */
static int run_clients(const char *url, const char *clients, const char *items,
		       const char *work_ms, const char *m, long long rows[][9],
		       char *out, size_t outcap)
{
	char hdr[256], variant[32];
	char *argv[] = { harness_path(), "--url", (char *)url, "--items", (char *)items,
			 "--work-ms", (char *)work_ms, "--clients", (char *)clients,
			 "--csv", (char *)m, NULL };
	int st = spawn_run(argv, out, outcap, 30000);

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
	int n = read_csv(m, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));

	ck_assert_str_eq(hdr, "variant,run,seq,t_request_us,t_recv_us,t_start_us,"
			 "t_done_us,t_send_us,t_arrive_us,client,cpu_us\n");
	return n;
}

/*
 * Four clients against a pool of four workers, 2 items of 100 ms each:
 * every client's rows are there once (clients 0..3, seqs 0..1), the four
 * requests went out within 5 ms of each other (the harness sends them in
 * one loop turn, once all four connections are open), and so the four
 * jobs run side by side: their first results arrive within 60 ms of each
 * other, where one job after another would put them 100 ms apart. The
 * per-run line gives the clients' first results and the makespan.
 *
 * The items are --work sleep: four workers then really run at once on
 * any machine. With --work cpu four workers share 2 cores, and where the
 * kernel first places them decides when each first item ends: measured
 * here, one worker often had a core to itself for its first item while
 * three shared the other, first results 100-160 ms apart (and a request
 * delayed up to 13 ms by a worker preempting the harness), which is the
 * scheduler's shape, not the harness's.
 */
START_TEST(test_clients_start_together)
{
	struct spawned s;
	char out[8192], url[64], m[64];
	long long rows[64][9];
	int seen[4][2] = { { 0 } };

	tu_start(&s, "threadpool", "--threads", "4", "--work", "sleep", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	int n = run_clients(url, "4", "2", "100", m, rows, out, sizeof(out));

	tu_stop_clean(&s);
	ck_assert_int_eq(n, 8);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(rows[i][COL_RUN], 1);
		ck_assert_int_ge(rows[i][COL_CLIENT], 0);
		ck_assert_int_le(rows[i][COL_CLIENT], 3);
		ck_assert_int_ge(rows[i][COL_SEQ], 0);
		ck_assert_int_le(rows[i][COL_SEQ], 1);
		seen[rows[i][COL_CLIENT]][rows[i][COL_SEQ]]++;
		for (int c = COL_REQUEST; c < COL_ARRIVE; c++)
			ck_assert_int_le(rows[i][c], rows[i][c + 1]);
	}
	for (int k = 0; k < 4; k++)
		for (int seq = 0; seq < 2; seq++)
			ck_assert_msg(seen[k][seq] == 1, "client %d seq %d: %d rows", k, seq,
				      seen[k][seq]);

	long long req = spread(rows, n, COL_REQUEST, -1);
	long long first = spread(rows, n, COL_ARRIVE, 0);
	long long item = rows[0][COL_DONE] - rows[0][COL_START];

	fprintf(stderr, "4 clients, pool of 4: requests within %lld us, first results "
		"within %lld ms\n", req, first / 1000);
	/* sent in one loop turn; run side by side: one job after another
	 * would put the first results an item apart */
	ck_assert_msg(req < item / 20, "requests %lld us apart (item %lld us)", req, item);
	ck_assert_msg(first < item * 6 / 10, "first results %lld us apart (item %lld us)",
		      first, item);
	ck_assert_msg(strstr(out, "run 1/1 threadpool, 4 clients: first result after "
			      "request median "), "%s", out);
	ck_assert_msg(strstr(out, "; makespan "), "%s", out);
	ck_assert_msg(strstr(out, "threadpool, 1 run of 4 clients x 2 x 100 ms"), "%s", out);
	unlink(m);
}
END_TEST

/*
 * Three clients against server-blocking, one 100 ms item each: the
 * requests leave together, but the server computes each job inside its
 * loop, one at a time, so the first (and only) results arrive about
 * 100 ms apart: sorted, each gap at least 60 ms. The clients are
 * concurrent (every request went out before the first result arrived)
 * and the server serial.
 */
START_TEST(test_clients_against_serial_server)
{
	struct spawned s;
	char out[8192], url[64], m[64];
	long long rows[64][9], first[3];

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	int n = run_clients(url, "3", "1", "100", m, rows, out, sizeof(out));

	tu_stop_clean(&s);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(rows[i][COL_SEQ], 0);
		first[i] = rows[i][COL_ARRIVE];
	}
	ck_assert_int_ne(rows[0][COL_CLIENT], rows[1][COL_CLIENT]);
	ck_assert_int_ne(rows[0][COL_CLIENT], rows[2][COL_CLIENT]);
	ck_assert_int_ne(rows[1][COL_CLIENT], rows[2][COL_CLIENT]);
	/* sort the three arrivals */
	for (int i = 1; i < 3; i++)
		for (int j = i; j > 0 && first[j - 1] > first[j]; j--) {
			long long t = first[j];

			first[j] = first[j - 1];
			first[j - 1] = t;
		}
	long long last_request = 0;

	for (int i = 0; i < 3; i++)
		if (rows[i][COL_REQUEST] > last_request)
			last_request = rows[i][COL_REQUEST];
	ck_assert_int_lt(last_request, first[0]);
	fprintf(stderr, "3 clients, blocking: requests within %lld us, first results "
		"%lld and %lld ms apart\n", spread(rows, n, COL_REQUEST, -1),
		(first[1] - first[0]) / 1000, (first[2] - first[1]) / 1000);
	/* one job after another: an item apart (each job is one item) */
	long long item = rows[0][COL_DONE] - rows[0][COL_START];

	ck_assert_msg(first[1] - first[0] >= item * 6 / 10 &&
		      first[2] - first[1] >= item * 6 / 10,
		      "first results %lld and %lld us apart (item %lld us)",
		      first[1] - first[0], first[2] - first[1], item);
	unlink(m);
}
END_TEST

/*
 * Three clients, and the server is killed once the first result is in
 * the CSV (a trigger, not a delay: under server-blocking the jobs of 2 x
 * 200 ms run one after another, so most results are still to come): the
 * harness sees a client's connection drop, exits 3 at once, names the
 * client, and every file holds exactly the rows stderr counts, each of a
 * client 0..2, and ends with the "# incomplete" line.
 */
START_TEST(test_clients_server_killed)
{
	struct spawned s;
	char url[64], m[64], b[64], l[64], hdr[256], variant[32];
	long long rows[64][9];
	struct tu_bg_run bg;

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
	temp_name(m, sizeof(m), "msg");
	temp_name(b, sizeof(b), "by");
	temp_name(l, sizeof(l), "lag");
	char *argv[] = { harness_path(), "--url", url, "--items", "2", "--work-ms",
			 "200", "--clients", "3", "--bystander-ms", "20", "--csv", m,
			 "--bystander-csv", b, "--lag-csv", l, NULL };
	tu_bg_start(&bg, argv);

	bool saw_first = tu_wait_csv_rows(m, 1, 10000);
	int64_t t_kill = clock_now_us();

	kill(s.pid, SIGKILL);
	tu_bg_join(&bg);
	spawn_stop(&s, SIGKILL, TU_STOP_MS);
	spawn_cleanup(&s);
	ck_assert_msg(saw_first, "no result row within 10 s: %s", bg.out);
	ck_assert_msg(WIFEXITED(bg.status) && WEXITSTATUS(bg.status) == ARGS_EXIT_INCOMPLETE,
		      "status %d: %s", bg.status, bg.out);
	ck_assert_msg(bg.t_end_us - t_kill < 3000000, "exited %lld ms after the kill",
		      (long long)(bg.t_end_us - t_kill) / 1000);
	ck_assert_msg(strstr(bg.out, url), "%s", bg.out);
	/* whichever connection lws reports first: a client's or the bystander's */
	ck_assert_msg(strstr(bg.out, "run 1 of 1: the connection of client ") ||
		      strstr(bg.out, "run 1 of 1: the bystander connection "), "%s", bg.out);
	ck_assert_msg(strstr(bg.out, " dropped without a close frame (did the server "
			     "crash or get killed?) while we waited for result "), "%s", bg.out);
	ck_assert_msg(strstr(bg.out, "run 1 of 1 is incomplete: ") &&
		      strstr(bg.out, " of 6 results (3 clients x 2 items)"), "%s", bg.out);

	struct csv_shape msgs = csv_shape(m), echoes = csv_shape(b), lag = csv_shape(l);
	int results = stderr_count(bg.out, " of 6 results");

	ck_assert_int_ge(msgs.rows, 1);
	ck_assert_int_lt(msgs.rows, 6);
	ck_assert_int_eq(msgs.rows, results);
	ck_assert_int_eq(echoes.rows, stderr_count(bg.out, " bystander echoes"));
	ck_assert_int_eq(lag.rows, 0);
	ck_assert_msg(!strncmp(msgs.last, REPORT_INCOMPLETE_PREFIX "1 of 1: the ",
			       strlen(REPORT_INCOMPLETE_PREFIX "1 of 1: the ")) &&
		      strstr(msgs.last, "dropped without a close frame"), "%s", msgs.last);
	ck_assert_str_eq(echoes.last, msgs.last);
	ck_assert_str_eq(lag.last, msgs.last);

	int n = read_csv(m, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));

	ck_assert_int_eq(n, results);
	for (int i = 0; i < n; i++) {
		ck_assert_int_ge(rows[i][COL_CLIENT], 0);
		ck_assert_int_le(rows[i][COL_CLIENT], 2);
	}
	fprintf(stderr, "3 clients, server killed after the first result: %d of 6 "
		"results, harness exited %lld ms after the kill\n", results,
		(long long)(bg.t_end_us - t_kill) / 1000);
	unlink(m);
	unlink(b);
	unlink(l);
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
	tcase_add_test(tc, test_clients_start_together);
	tcase_add_test(tc, test_clients_against_serial_server);
	tcase_add_test(tc, test_clients_server_killed);
	tcase_add_test(tc, test_silent_server_gives_up_within_bound);
	tcase_add_test(tc, test_bad_command_line_exits_2);
	suite_add_tcase(s, tc);
	return s;
}
