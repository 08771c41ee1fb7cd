/*
 * liveshot.c: build/tests/liveshot, a screenshot of the live view taken
 * mid-run, for the README (scripts/liveshot.sh starts the servers).
 *
 *   liveshot URL OUT.png CONDITION
 *
 * Loads URL in headless Chromium (cdp.h), waits (at most 60 s, polling
 * every 10 ms) until the JavaScript expression CONDITION is true in the
 * page, and writes the page as it is then to OUT.png. Exit 0, 1 on
 * failure (with the reason), 2 on a bad command line.
 */
#include "tests/cdp.h"

#include "common/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char err[600], expr[1024], value[64];

	if (argc != 4) {
		fprintf(stderr, "usage: liveshot URL OUT.png CONDITION\n");
		return 2;
	}

	const char *browser = cdp_find_browser();

	if (!browser) {
		fprintf(stderr, "liveshot: no chromium-headless-shell or chromium "
			"(sh scripts/install-deps.sh browser)\n");
		return 1;
	}

	struct cdp *c = cdp_open(browser, argv[1], 30000, err, sizeof(err));

	if (!c) {
		fprintf(stderr, "liveshot: %s\n", err);
		return 1;
	}
	snprintf(expr, sizeof(expr), "(function () { try { return (%s) ? 'yes' : 'no'; } "
		 "catch (e) { return 'no'; } })()", argv[3]);

	int64_t deadline = clock_now_us() + 60 * 1000000LL;

	for (;;) {
		if (cdp_eval(c, expr, value, sizeof(value), 10000) < 0) {
			fprintf(stderr, "liveshot: %s\n", value);
			cdp_close(c);
			return 1;
		}
		if (!strcmp(value, "yes"))
			break;
		if (clock_now_us() > deadline) {
			fprintf(stderr, "liveshot: '%s' was not true within 60 s\n", argv[3]);
			cdp_close(c);
			return 1;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000L }, NULL);
	}

	int rc = cdp_screenshot(c, argv[2], err, sizeof(err), 10000);

	cdp_close(c);
	if (rc < 0) {
		fprintf(stderr, "liveshot: %s\n", err);
		return 1;
	}
	return 0;
}
