/*
 * test_network.c: the servers and the harness over a slow network, made
 * with build/delayproxy (the kernel here has no netem; docs/network.md):
 * pingpong waits one round trip per item and flush does not, seen by the
 * independent client (client/watch.h); and the harness's estimate of a
 * server's clock, which must put a server whose stamps are 5 s off back
 * on the harness's clock within the uncertainty it states.
 *
 * Every bound is relative to the proxy's delay D, which the proxy
 * guarantees as a minimum (it never delivers a byte early), or to the
 * measured item: a busy machine stretches both the same way.
 */
#include "client/spawn.h"
#include "client/watch.h"
#include "tests/harnessout.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NET_DELAY_MS 25			/* each way: a 50 ms round trip */
#define NET_D_US ((int64_t)NET_DELAY_MS * 1000)

/* Starts build/delayproxy --to 127.0.0.1:to_port --delay-ms delay_ms. */
static void net_proxy(struct spawned *p, int to_port, int delay_ms)
{
	char path[256], to[32], d[16], err[400];

	snprintf(path, sizeof(path), "%s/delayproxy", tu_build_dir());
	snprintf(to, sizeof(to), "127.0.0.1:%d", to_port);
	snprintf(d, sizeof(d), "%d", delay_ms);
	char *argv[] = { path, "--to", to, "--delay-ms", d, "--port", "0", NULL };

	ck_assert_msg(spawn_server(p, argv, 5000, err, sizeof(err)) == 0,
		      "delayproxy: %s", err);
}

/* SIGINT; the proxy must exit 0. */
static void net_proxy_stop(struct spawned *p)
{
	int st = spawn_stop(p, SIGINT, 5000);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "delayproxy did not exit 0 on SIGINT (status %d)", st);
	spawn_cleanup(p);
}

/* One job of 3 x 100 ms on server-<variant> through a proxy of D each way. */
static void net_watch(const char *variant, struct watched *w)
{
	struct spawned s, p;
	char err[300];

	tu_start(&s, variant, "--iters-per-ms", tu_iters_per_ms(), NULL);
	net_proxy(&p, s.port, NET_DELAY_MS);
	bool ok = watch_job(p.port, 3, 100, 20, w, err, sizeof(err));

	net_proxy_stop(&p);
	tu_stop_clean(&s);
	ck_assert_msg(ok, "%s through the proxy: %s", variant, err);
	fprintf(stderr, "network %s D=%d ms: arrivals %.0f %.0f %.0f ms; next item "
		"started %.1f and %.1f ms after the result before it was sent\n",
		variant, NET_DELAY_MS, (w->arrived[0] - w->t_request) / 1e3,
		(w->arrived[1] - w->t_request) / 1e3, (w->arrived[2] - w->t_request) / 1e3,
		(w->start[1] - w->sent[0]) / 1e3, (w->start[2] - w->sent[1]) / 1e3);
}

/*
 * pingpong sends its PING with each result and starts the next item when
 * the PONG is back: through the proxy that cannot be sooner than 2D after
 * the result left (the server's own clock, so exact), and the client sees
 * the results at least item + 2D apart. Nothing reaches the client before
 * the request's way there, the item and the result's way back.
 */
START_TEST(test_pingpong_waits_a_round_trip)
{
	struct watched w;

	net_watch("pingpong", &w);
	ck_assert_int_ge(w.arrived[0] - w.t_request, 2 * NET_D_US + (w.done[0] - w.start[0]));
	for (int k = 1; k < 3; k++) {
		ck_assert_msg(w.start[k] - w.sent[k - 1] >= 2 * NET_D_US,
			      "item %d started %" PRId64 " us after result %d left: "
			      "before its PONG could have come back", k,
			      w.start[k] - w.sent[k - 1], k - 1);
		/* the gap may lose a little to the proxy's timer on each
		 * side; a tenth of D is far more than that */
		ck_assert_int_ge(w.arrived[k] - w.arrived[k - 1],
				 (w.done[k] - w.start[k]) + 2 * NET_D_US - NET_D_US / 10);
	}
}
END_TEST

/*
 * flush waits for nobody: its next item starts as the previous one ends,
 * far less than one round trip later, and its results arrive an item
 * apart however long the way is. The contrast that makes the pingpong
 * test above mean something.
 */
START_TEST(test_flush_does_not_wait_for_the_network)
{
	struct watched w;

	net_watch("flush", &w);
	ck_assert_int_ge(w.arrived[0] - w.t_request, 2 * NET_D_US + (w.done[0] - w.start[0]));
	for (int k = 1; k < 3; k++) {
		ck_assert_msg(w.start[k] - w.done[k - 1] < NET_D_US,
			      "item %d started %" PRId64 " us after item %d ended: "
			      "flush waited for something", k,
			      w.start[k] - w.done[k - 1], k - 1);
		ck_assert_int_lt(w.arrived[k] - w.arrived[k - 1],
				 (w.done[k] - w.start[k]) + NET_D_US);
	}
}
END_TEST

/* The harness against server-flush [--clock-offset-ms off] through a
 * proxy of 10 ms each way: 2 runs of 3 x 100 ms into rows. */
static int net_harness(const char *offset_ms, long long rows[][HOUT_NCOLS], char *out,
		       size_t outcap)
{
	struct spawned s, p;
	char url[64], m[64], hdr[256], variant[32];

	if (offset_ms)
		tu_start(&s, "flush", "--iters-per-ms", tu_iters_per_ms(),
			 "--clock-offset-ms", offset_ms, NULL);
	else
		tu_start(&s, "flush", "--iters-per-ms", tu_iters_per_ms(), NULL);
	net_proxy(&p, s.port, 10);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", p.port);
	tu_temp_file(m, sizeof(m), "msg");
	char *argv[] = { tu_harness_path(), "--url", url, "--runs", "2", "--items", "3",
			 "--work-ms", "100", "--bystander-ms", "20", "--csv", m, NULL };
	int st = spawn_run(argv, out, outcap, 30000);

	net_proxy_stop(&p);
	tu_stop_clean(&s);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "harness: %s", out);
	int n = hout_read_csv(m, hdr, sizeof(hdr), rows, 64, variant, sizeof(variant));

	unlink(m);
	ck_assert_str_eq(hdr, HOUT_MSG_HEADER);
	ck_assert_int_eq(n, 6);
	return n;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The median delivery latency (t_arrive - t_done) of n rows. */
static long long net_delivery_p50(long long rows[][HOUT_NCOLS], int n)
{
	long long v[64];

	for (int i = 0; i < n; i++)
		v[i] = rows[i][HOUT_ARRIVE] - rows[i][HOUT_DONE];
	qsort(v, (size_t)n, sizeof(v[0]), cmp_ll);
	return v[n / 2];
}

/*
 * A server whose every stamp is 5 s ahead (--clock-offset-ms 5000), as if
 * its clock were another machine's, behind a 20 ms round trip: the
 * harness's estimate is within its stated uncertainty of 5 s, that
 * uncertainty is at least the proxy's one-way delay (half a round trip
 * that cannot be shorter than 2D), its stamps land back on the harness's
 * clock, and so the delivery latencies agree within 1 ms with those of
 * the same server without the offset. Without the offset the harness
 * must say the clocks are one (offset 0) and shift nothing.
 */
START_TEST(test_clock_offset_is_measured)
{
	long long shifted[64][HOUT_NCOLS], plain[64][HOUT_NCOLS];
	char out[8192];
	int n = net_harness("5000", shifted, out, sizeof(out));

	ck_assert_msg(strstr(out, "the server's clock reads 5000."),
		      "the harness did not report the offset: %s", out);
	for (int i = 0; i < n; i++) {
		long long off = shifted[i][HOUT_OFFSET], err = shifted[i][HOUT_OFFSET_ERR];

		ck_assert_int_ge(err, 10000);
		ck_assert_msg(llabs(off - 5000000) <= err, "offset %lld us, +/- %lld: "
			      "5 s is not within it", off, err);
		/* shifted into the harness's clock: the request came first */
		ck_assert_int_ge(shifted[i][HOUT_RECV], shifted[i][HOUT_REQUEST]);
		ck_assert_int_ge(shifted[i][HOUT_ARRIVE], shifted[i][HOUT_SEND]);
	}
	int m = net_harness(NULL, plain, out, sizeof(out));

	for (int i = 0; i < m; i++) {
		ck_assert_int_eq(plain[i][HOUT_OFFSET], 0);
		ck_assert_int_ge(plain[i][HOUT_OFFSET_ERR], 10000);
	}
	long long a = net_delivery_p50(shifted, n), b = net_delivery_p50(plain, m);

	fprintf(stderr, "network clock: delivery p50 %.2f ms with a 5 s offset, "
		"%.2f ms without; offset %+lld us +/- %lld\n", a / 1e3, b / 1e3,
		shifted[0][HOUT_OFFSET] - 5000000, shifted[0][HOUT_OFFSET_ERR]);
	ck_assert_msg(llabs(a - b) < 1000, "delivery p50 %lld us with the offset, "
		      "%lld us without", a, b);
}
END_TEST

Suite *network_suite(void)
{
	Suite *s = suite_create("network");
	TCase *tc = tcase_create("delayproxy");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pingpong_waits_a_round_trip);
	tcase_add_test(tc, test_flush_does_not_wait_for_the_network);
	tcase_add_test(tc, test_clock_offset_is_measured);
	suite_add_tcase(s, tc);
	return s;
}
