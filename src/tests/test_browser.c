/*
 * test_browser.c: the live view (src/web/, docs/live.md) in a real
 * headless Chromium, against server-blocking and server-threadpool, read
 * back through the DevTools protocol (cdp.h): what the page itself
 * recorded must show blocking's results computed apart but arriving
 * together and its bystander frozen, and threadpool's results arriving as
 * they are computed with the bystander answered all along.
 *
 * Every bound is relative to the item W as the server measured it (its
 * t_start/t_done, which the page maps onto its own clock), so a slow
 * machine stretches both sides. A third server, which does not allow the
 * page's origin, must refuse the page in the real browser. Without a browser the suite says so
 * loudly on stderr and passes, unless SENDLAB_REQUIRE_BROWSER is set
 * (.ci/run sets it, after installing one): then it fails.
 */
#include "common/clock.h"
#include "tests/cdp.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BR_ITEMS 3
#define BR_WORK_MS 200
#define BR_MAX 8		/* values per list in the page's report */

/* One panel of window.sendlabLive.report(). */
struct br_panel {
	char variant[32], state[16], error[200];
	double arrive[BR_MAX], start[BR_MAX], done[BR_MAX];
	int n_arrive, n_start, n_done;
	double echo_max_during;
	int echoes_during, echoes;
	long lag_max_us, offset_err_us;
};

static int br_list(const char *v, double *out)
{
	int n = 0;

	while (*v && n < BR_MAX) {
		char *end;

		out[n++] = strtod(v, &end);
		if (*end != ',')
			break;
		v = end + 1;
	}
	return n;
}

/* Parses "k=v;k=v;..." (one panel) into *p. */
static void br_parse(char *text, struct br_panel *p)
{
	memset(p, 0, sizeof(*p));
	for (char *kv = strtok(text, ";"); kv; kv = strtok(NULL, ";")) {
		char *v = strchr(kv, '=');

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(kv, "variant"))
			snprintf(p->variant, sizeof(p->variant), "%s", v);
		else if (!strcmp(kv, "state"))
			snprintf(p->state, sizeof(p->state), "%s", v);
		else if (!strcmp(kv, "error"))
			snprintf(p->error, sizeof(p->error), "%s", v);
		else if (!strcmp(kv, "arrive"))
			p->n_arrive = br_list(v, p->arrive);
		else if (!strcmp(kv, "start"))
			p->n_start = br_list(v, p->start);
		else if (!strcmp(kv, "done"))
			p->n_done = br_list(v, p->done);
		else if (!strcmp(kv, "echo_max_during"))
			p->echo_max_during = atof(v);
		else if (!strcmp(kv, "echoes_during"))
			p->echoes_during = atoi(v);
		else if (!strcmp(kv, "echoes"))
			p->echoes = atoi(v);
		else if (!strcmp(kv, "lag_max_us"))
			p->lag_max_us = atol(v);
		else if (!strcmp(kv, "offset_err_us"))
			p->offset_err_us = atol(v);
	}
}

/*
 * Loads the page from server a with panels for a, b and c (b allows a's
 * origin, c does not), with autorun, and waits for the page to say
 * "done". Fills pa, pb, pc. Returns false (and the test is skipped) when
 * there is no browser and none is required.
 */
static bool br_run(const struct spawned *a, const struct spawned *b,
		   const struct spawned *c3, struct br_panel *pa, struct br_panel *pb,
		   struct br_panel *pc)
{
	const char *browser = cdp_find_browser();

	if (!browser) {
		ck_assert_msg(!getenv("SENDLAB_REQUIRE_BROWSER"),
			      "SENDLAB_REQUIRE_BROWSER is set but no chromium-headless-shell "
			      "or chromium is installed (sh scripts/install-deps.sh browser)");
		fprintf(stderr, "\n*** SKIPPED: the live view's browser test: no "
			"chromium-headless-shell or chromium in PATH.\n*** Install one "
			"with: sh scripts/install-deps.sh browser\n\n");
		return false;
	}

	char url[256], err[600], report[4096];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/?ports=%d,%d,%d&items=%d&work_ms=%d"
		 "&autorun=1", a->port, a->port, b->port, c3->port, BR_ITEMS, BR_WORK_MS);

	struct cdp *c = cdp_open(browser, url, 30000, err, sizeof(err));

	ck_assert_msg(c, "%s: %s", browser, err);

	/* the page runs the two panels one after the other: ~2 x 1 s */
	int64_t deadline = clock_now_us() + 60 * 1000000LL;
	bool done = false;

	while (!done && clock_now_us() < deadline) {
		if (cdp_eval(c, "window.sendlabLive ? sendlabLive.state + '|' + "
			     "sendlabLive.report() : 'loading'", report, sizeof(report),
			     10000) < 0) {
			cdp_close(c);
			ck_abort_msg("reading the page: %s", report);
		}
		done = !strncmp(report, "done|", 5);
		if (!done)
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000000L }, NULL);
	}
	cdp_close(c);
	ck_assert_msg(done, "the page did not finish within 60 s: %s", report);
	fprintf(stderr, "browser: %s\n", report);

	char *second = strchr(report + 5, '|');
	char *third = second ? strchr(second + 1, '|') : NULL;

	ck_assert_msg(third, "fewer than three panels: %s", report);
	*second++ = '\0';
	*third++ = '\0';
	br_parse(report + 5, pa);
	br_parse(second, pb);
	br_parse(third, pc);
	return true;
}

/* The page ran the job on this panel and recorded all of it. */
static void br_assert_complete(const struct br_panel *p, const char *variant)
{
	ck_assert_msg(!strcmp(p->variant, variant), "panel of %s says variant %s",
		      variant, p->variant);
	ck_assert_msg(!strcmp(p->state, "done"), "%s: page state %s: %s", variant,
		      p->state, p->error);
	ck_assert_msg(p->n_arrive == BR_ITEMS && p->n_done == BR_ITEMS &&
		      p->n_start == BR_ITEMS, "%s: %d/%d/%d results recorded", variant,
		      p->n_arrive, p->n_start, p->n_done);
	ck_assert_msg(p->offset_err_us >= 0, "%s: no clock estimate", variant);
	ck_assert_msg(p->lag_max_us >= 0, "%s: no stats after the job", variant);
	ck_assert_msg(p->echoes >= 5, "%s: the bystander recorded %d echoes", variant,
		      p->echoes);
}

START_TEST(test_live_view_shows_the_clump_and_the_spacing)
{
	struct spawned blocking, threadpool, stranger;
	struct br_panel pb, pt, ps;
	char origin[64];

	tu_start(&blocking, "blocking", "--iters-per-ms", tu_iters_per_ms(), NULL);
	snprintf(origin, sizeof(origin), "http://127.0.0.1:%d", blocking.port);
	tu_start(&threadpool, "threadpool", "--iters-per-ms", tu_iters_per_ms(),
		 "--allow-origin", origin, NULL);
	/* a server that was not told about the page's origin */
	tu_start(&stranger, "flush", NULL);

	bool ran = br_run(&blocking, &threadpool, &stranger, &pb, &pt, &ps);

	tu_stop_clean(&stranger);
	tu_stop_clean(&threadpool);
	tu_stop_clean(&blocking);
	if (!ran)
		return;
	br_assert_complete(&pb, "blocking");
	br_assert_complete(&pt, "threadpool");
	/* the browser sent the page's Origin and that server refused it
	 * (HTTP 403): the page never got a session there */
	ck_assert_msg(!strcmp(ps.state, "error") && strstr(ps.error, "origin") &&
		      !ps.variant[0] && ps.n_arrive == 0,
		      "a server without --allow-origin for the page: state %s, variant "
		      "'%s', error '%s'", ps.state, ps.variant, ps.error);

	/* W: the shortest item the server reports; every bound scales with it */
	for (int i = 0; i < BR_ITEMS; i++) {
		double wb = pb.done[i] - pb.start[i], wt = pt.done[i] - pt.start[i];

		ck_assert_msg(wb >= BR_WORK_MS * 0.5 && wt >= BR_WORK_MS * 0.5,
			      "item %d took %.1f / %.1f ms on the servers' clocks", i, wb, wt);
	}
	double w = BR_WORK_MS;
	int last = BR_ITEMS - 1;

	/* the page's clock estimate is good to a small part of an item */
	ck_assert_msg(pb.offset_err_us < w * 100 && pt.offset_err_us < w * 100,
		      "clock error %ld / %ld us", pb.offset_err_us, pt.offset_err_us);

	/* blocking (proactor): items 1 and 2 were computed an item apart,
	 * and arrived together, after the last one was done */
	ck_assert_msg(pb.done[last] - pb.done[last - 1] >= 0.75 * w,
		      "blocking computed its last items %.1f ms apart",
		      pb.done[last] - pb.done[last - 1]);
	ck_assert_msg(pb.arrive[last] - pb.arrive[last - 1] < 0.25 * w,
		      "blocking's last results arrived %.1f ms apart: not clumped",
		      pb.arrive[last] - pb.arrive[last - 1]);
	ck_assert_msg(pb.arrive[last - 1] >= pb.done[last] - 0.05 * w,
		      "blocking's result %d arrived at %.1f, before item %d was done "
		      "(%.1f)", last - 1, pb.arrive[last - 1], last, pb.done[last]);
	/* ...and its bystander was frozen: no echo answered while it
	 * computed, the first one waited most of the job */
	ck_assert_msg(pb.echoes_during == 0, "blocking answered %d echoes while computing",
		      pb.echoes_during);
	ck_assert_msg(pb.echo_max_during >= (BR_ITEMS - 1) * 0.75 * w,
		      "blocking's worst echo during the job: %.1f ms", pb.echo_max_during);
	ck_assert_msg(pb.lag_max_us >= (long)((BR_ITEMS - 1) * 750 * w),
		      "blocking's lag monitor: %ld us", pb.lag_max_us);

	/* threadpool: every result arrived within a quarter item of being
	 * computed, and the items were computed an item apart */
	for (int i = 0; i < BR_ITEMS; i++) {
		ck_assert_msg(pt.arrive[i] - pt.done[i] < 0.25 * w,
			      "threadpool's result %d arrived %.1f ms after it was done",
			      i, pt.arrive[i] - pt.done[i]);
		if (i)
			ck_assert_msg(pt.arrive[i] - pt.arrive[i - 1] >= 0.5 * w,
				      "threadpool's results %d and %d arrived %.1f ms apart",
				      i - 1, i, pt.arrive[i] - pt.arrive[i - 1]);
	}
	/* ...and its bystander live: echoes answered all through the job
	 * (one per 20 ms expected; a third suffices), none waiting long */
	ck_assert_msg(pt.echoes_during >= (int)(BR_ITEMS * w / 20 / 3),
		      "threadpool answered only %d echoes while computing", pt.echoes_during);
	ck_assert_msg(pt.echo_max_during < 0.25 * w,
		      "threadpool's worst echo during the job: %.1f ms", pt.echo_max_during);
	ck_assert_msg(pt.lag_max_us < (long)(250 * w), "threadpool's lag monitor: %ld us",
		      pt.lag_max_us);
}
END_TEST

Suite *browser_suite(void)
{
	Suite *s = suite_create("browser");
	TCase *tc = tcase_create("live-view");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_live_view_shows_the_clump_and_the_spacing);
	suite_add_tcase(s, tc);
	return s;
}
