/*
 * test_harness_fail.c: build/harness when things go wrong: a refused
 * connection, an HTTP error, a full server, a server that dies mid-job
 * (with one client or several), a server that never answers, a bad
 * command line. Each is a non-zero exit with a message naming the URL and
 * the cause; after a failure every CSV file holds the rows received and
 * ends with the "# incomplete" line.
 */
#include "common/clock.h"
#include "harness/args.h"
#include "harness/report.h"
#include "tests/harnessout.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs the harness (1 x 1 ms) against url: it must exit 1 with a message
 * that names url and cause. */
static void assert_fails_naming(const char *url, const char *cause)
{
	char out[4096];
	char *argv[] = { tu_harness_path(), "--url", (char *)url, "--items", "1", "--work-ms",
			 "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", out);
	ck_assert_msg(strstr(out, url), "%s", out);
	ck_assert_msg(strstr(out, cause), "%s", out);
}

START_TEST(test_refused_names_url_and_cause)
{
	char url[64];
	int fd;
	/* a port nobody listens on: bind one, note it, close it */
	int port = tu_loopback_port(false, &fd);

	close(fd);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", port);
	assert_fails_naming(url, "Connection refused");
}
END_TEST

START_TEST(test_http_error_names_url_and_cause)
{
	struct spawned s;
	char url[64];

	tu_start(&s, "blocking", NULL);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/wrong", s.port);
	assert_fails_naming(url, "refused the WebSocket upgrade");
	tu_stop_clean(&s);
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
	char *argv[] = { tu_harness_path(), "--url", url, "--items", "1", "--work-ms",
			 "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	wsc_close(holder, TU_IO_MS);
	tu_stop_clean(&s);
	/* the server completes the upgrade before it refuses, and closes
	 * while the harness measures its clock (the echoes before the job):
	 * no job was sent, so nothing was measured */
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_FAILED, "%s", out);
	ck_assert_msg(strstr(out, "while we waited for clock echo 1 of 5"), "%s", out);
	ck_assert_msg(strstr(out, "the server closed the main connection (close code ") &&
		      strstr(out, "server full"), "%s", out);
	ck_assert_msg(strstr(out, "no job was sent: nothing was measured"), "%s", out);
}
END_TEST

/* A harness run whose server was killed mid-job. */
struct killed_run {
	const char *clients;	/* --clients */
	char url[64];
	struct hout_files f;
	struct tu_bg_run bg;	/* the harness's exit and output */
	int64_t t_kill;
};

/*
 * Starts server-blocking and the harness against it (items x 200 ms for
 * each of `clients` clients, a bystander, three files), and SIGKILLs the
 * server once the first result is in the CSV.
 */
static void kill_after_first_result(struct killed_run *k, const char *items,
				    const char *clients)
{
	struct spawned s;

	k->clients = clients;
	tu_start(&s, "blocking", NULL);
	snprintf(k->url, sizeof(k->url), "ws://127.0.0.1:%d/", s.port);
	hout_files_make(&k->f);
	char *argv[] = { tu_harness_path(), "--url", k->url, "--items", (char *)items,
			 "--work-ms", "200", "--clients", (char *)clients, "--bystander-ms",
			 "20", "--csv", k->f.msg, "--bystander-csv", k->f.by, "--lag-csv",
			 k->f.lag, NULL };
	bool saw_first = tu_kill_at_rows(&s, &k->bg, argv, k->f.msg, 1, &k->t_kill);

	ck_assert_msg(saw_first, "no result row within 10 s: %s", k->bg.out);
}

/*
 * What the run k, cut by the server's death, leaves, with `total` the
 * results it asked for: the harness exits 3 at once (not after its 8 s
 * results bound), its stderr names the URL and the incomplete run, each
 * file holds exactly the rows stderr says arrived (at least one, not all)
 * and ends with the same "# incomplete" line naming the drop; the lag file
 * has no row (the stats reply never came). Returns the number of results.
 */
static int assert_cut_by_kill(const struct killed_run *k, int total)
{
	const char *out = k->bg.out;
	char of_total[32];

	ck_assert_msg(WIFEXITED(k->bg.status) && WEXITSTATUS(k->bg.status) ==
		      ARGS_EXIT_INCOMPLETE, "status %d: %s", k->bg.status, out);
	ck_assert_msg(k->bg.t_end_us - k->t_kill < 3000000, "exited %lld ms after the kill",
		      (long long)(k->bg.t_end_us - k->t_kill) / 1000);
	ck_assert_msg(strstr(out, k->url), "%s", out);
	ck_assert_msg(strstr(out, "run 1 of 1 is incomplete: "), "%s", out);

	struct hout_shape msgs = hout_csv_shape(k->f.msg), echoes = hout_csv_shape(k->f.by);
	struct hout_shape lag = hout_csv_shape(k->f.lag);
	int results;

	snprintf(of_total, sizeof(of_total), " of %d results", total);
	results = hout_count(out, of_total);
	ck_assert_int_ge(msgs.rows, 1);
	ck_assert_int_lt(msgs.rows, total);
	ck_assert_int_eq(msgs.rows, results);
	ck_assert_int_eq(echoes.rows, hout_count(out, " bystander echoes"));
	ck_assert_int_eq(lag.rows, 0);
	ck_assert_msg(!strncmp(msgs.last, REPORT_INCOMPLETE_PREFIX "1 of 1: the ",
			       strlen(REPORT_INCOMPLETE_PREFIX "1 of 1: the ")) &&
		      strstr(msgs.last, "dropped without a close frame"), "%s", msgs.last);
	ck_assert_str_eq(echoes.last, msgs.last);
	ck_assert_str_eq(lag.last, msgs.last);
	fprintf(stderr, "--clients %s, server killed after the first result: %d of %d "
		"results, harness exited %lld ms after the kill\n", k->clients, results, total,
		(long long)(k->bg.t_end_us - k->t_kill) / 1000);
	return results;
}

/*
 * The server is killed (SIGKILL) mid-job, after the first result reached
 * the harness: the harness sees the connection drop and exits at once
 * with status 3; the files are cut as assert_cut_by_kill says, and stderr
 * says what happened. Under server-blocking result 0 leaves at 200 ms and
 * results 1-4 only when the whole job ends at 1000 ms, so the kill lands
 * between them.
 */
START_TEST(test_server_killed_after_first_result)
{
	struct killed_run k;

	kill_after_first_result(&k, "5", "1");
	/* stderr: what happened, what was being waited for */
	ck_assert_msg(strstr(k.bg.out, "run 1 of 1: the ") &&
		      strstr(k.bg.out, "connection dropped without a close frame (did the "
			     "server crash or get killed?) while we waited for result "),
		      "%s", k.bg.out);
	assert_cut_by_kill(&k, 5);
	hout_files_remove(&k.f);
}
END_TEST

/*
 * Three clients, and the server is killed once the first result is in
 * the CSV (under server-blocking the jobs of 2 x 200 ms run one after
 * another, so most results are still to come): the harness sees a
 * client's connection drop, exits 3 at once, names the client, and every
 * file is cut as assert_cut_by_kill says, each row of a client 0..2.
 */
START_TEST(test_clients_server_killed)
{
	struct killed_run k;
	char hdr[256], variant[32];
	long long rows[64][HOUT_NCOLS];

	kill_after_first_result(&k, "2", "3");
	/* whichever connection lws reports first: a client's or the bystander's */
	ck_assert_msg(strstr(k.bg.out, "run 1 of 1: the connection of client ") ||
		      strstr(k.bg.out, "run 1 of 1: the bystander connection "), "%s", k.bg.out);
	ck_assert_msg(strstr(k.bg.out, " dropped without a close frame (did the server "
			     "crash or get killed?) while we waited for result "), "%s", k.bg.out);
	ck_assert_msg(strstr(k.bg.out, " of 6 results (3 clients x 2 items)"), "%s", k.bg.out);
	int results = assert_cut_by_kill(&k, 6);
	int n = hout_read_csv(k.f.msg, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));

	ck_assert_int_eq(n, results);
	for (int i = 0; i < n; i++) {
		ck_assert_int_ge(rows[i][HOUT_CLIENT], 0);
		ck_assert_int_le(rows[i][HOUT_CLIENT], 2);
	}
	hout_files_remove(&k.f);
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
	char url[64], out[4096], m[64];
	int fd;

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tu_loopback_port(true, &fd));
	tu_temp_file(m, sizeof(m), "msg");
	char *argv[] = { tu_harness_path(), "--url", url, "--items", "1", "--work-ms", "1",
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

	struct hout_shape cs = hout_csv_shape(m);

	ck_assert_int_eq(cs.rows, 0);
	ck_assert_msg(strstr(cs.last, REPORT_INCOMPLETE_PREFIX "1 of 1: timed out after "
			     "5001 ms"), "%s", cs.last);
	unlink(m);
}
END_TEST

/* Reads from fd into buf until it holds `until` or 10 s pass; returns the
 * bytes read (buf stays NUL-terminated). */
static size_t fake_read_until(int fd, char *buf, size_t cap, const char *until)
{
	size_t got = 0;
	int64_t give_up = clock_now_us() + 10000000;

	buf[0] = '\0';
	while (got + 1 < cap && !strstr(buf, until) && clock_now_us() < give_up) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = recv(fd, buf + got, cap - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
	return got;
}

/* Reads one masked client text frame of under 126 bytes into out
 * (unmasked, NUL-terminated), within 10 s. */
static bool fake_read_frame(int fd, char *out, size_t cap)
{
	unsigned char h[6], payload[126];
	size_t len;
	int64_t give_up = clock_now_us() + 10000000;

	if (!tu_read_exact(fd, h, sizeof(h), give_up) || (len = h[1] & 0x7f) >= 126 ||
	    len >= cap || !tu_read_exact(fd, payload, len, give_up))
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)(payload[i] ^ h[2 + i % 4]);
	out[len] = '\0';
	return true;
}

/* Sends one unmasked server text frame (under 64 KB). */
static void fake_send_text(int fd, const char *text)
{
	size_t len = strlen(text);
	unsigned char h[4] = { 0x81 };
	size_t hl = 2;

	if (len < 126) {
		h[1] = (unsigned char)len;
	} else {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	}
	ck_assert((size_t)send(fd, h, hl, MSG_NOSIGNAL) == hl);
	ck_assert((size_t)send(fd, text, len, MSG_NOSIGNAL) == len);
}

/* A fake server, one connection: the upgrade, then the harness's first
 * clock echo answered properly but padded to over 300 bytes, the second
 * with the 3 bytes "x y". Runs in a thread beside the harness. */
static void *fake_padded_then_short(void *arg)
{
	int lfd = *(int *)arg, fd;
	char buf[2048], resp[256], accept_key[29], key[64] = "";
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 10000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0)
		return NULL;
	fake_read_until(fd, buf, sizeof(buf), "\r\n\r\n");

	const char *k = strstr(buf, "Sec-WebSocket-Key: ");

	if (k)
		sscanf(k + 19, "%63[^\r]", key);
	wsc_accept_for_key(key, accept_key);
	snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		 "Sec-WebSocket-Protocol: sendlab\r\n\r\n", accept_key);
	send(fd, resp, strlen(resp), MSG_NOSIGNAL);
	for (int i = 0; i < 2; i++) {
		char req[128], reply[512];
		const char *t = NULL;

		if (!fake_read_frame(fd, req, sizeof(req)) || !(t = strstr(req, "\"t_us\":")))
			break;
		long long t_us = atoll(t + 7);

		if (i == 0)
			snprintf(reply, sizeof(reply), "{\"op\":\"echo\",\"t_us\":%lld,"
				 "\"t_server_us\":%lld}%300s", t_us, t_us, "");
		else
			snprintf(reply, sizeof(reply), "x y");
		fake_send_text(fd, reply);
	}
	fake_read_until(fd, buf, sizeof(buf), "never");	/* until the harness hangs up */
	close(fd);
	return NULL;
}

/* A malformed reply after a longer one: the harness quotes that frame
 * alone, never the bytes the previous frame left in its buffer. */
START_TEST(test_malformed_reply_quoted_alone)
{
	char url[64], out[4096];
	int lfd;
	pthread_t th;

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", tu_loopback_port(true, &lfd));
	ck_assert_int_eq(pthread_create(&th, NULL, fake_padded_then_short, &lfd), 0);

	char *argv[] = { tu_harness_path(), "--url", url, "--items", "1", "--work-ms", "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	pthread_join(th, NULL);
	close(lfd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == ARGS_EXIT_FAILED, "%s", out);
	ck_assert_msg(strstr(out, "malformed reply: reply is not a JSON object"), "%s", out);
	ck_assert_msg(strstr(out, ": x y\n"), "the quote is not the frame alone: %s", out);
}
END_TEST

START_TEST(test_bad_command_line_exits_2)
{
	char out[4096];
	char *argv[] = { tu_harness_path(), "--url", "ws://127.0.0.1:1/", "--items", "0",
			 "--work-ms", "1", NULL };
	int st = spawn_run(argv, out, sizeof(out), 10000);

	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_ptr_nonnull(strstr(out, "--items must be an integer from 1 to 1000"));
	ck_assert_ptr_nonnull(strstr(out, "usage: harness"));
}
END_TEST

Suite *harness_fail_suite(void)
{
	Suite *s = suite_create("harness_fail");
	TCase *tc = tcase_create("failures");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_refused_names_url_and_cause);
	tcase_add_test(tc, test_http_error_names_url_and_cause);
	tcase_add_test(tc, test_full_server_close_frame_named);
	tcase_add_test(tc, test_server_killed_after_first_result);
	tcase_add_test(tc, test_clients_server_killed);
	tcase_add_test(tc, test_silent_server_gives_up_within_bound);
	tcase_add_test(tc, test_bad_command_line_exits_2);
	tcase_add_test(tc, test_malformed_reply_quoted_alone);
	suite_add_tcase(s, tc);
	return s;
}
