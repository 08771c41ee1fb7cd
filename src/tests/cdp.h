/*
 * cdp.h: just enough of the Chrome DevTools Protocol to load a page in a
 * real headless Chromium and read back what the page recorded, for the
 * live view's test (test_browser.c).
 *
 * The browser is started with --remote-debugging-port=0 and a fresh
 * profile directory; the port it chose is read from the profile's
 * DevToolsActivePort file; the project's own WebSocket client
 * (client/wsclient.h) connects to the browser endpoint, opens the page with
 * Target.createTarget and attaches to it (flat sessions), and
 * Runtime.evaluate reads values. Measured alternatives that do not work
 * for this: --dump-dom returns the page before the job's results arrive,
 * and --virtual-time-budget does not wait for real sockets.
 *
 * Every wait is bounded. One struct cdp per test; not thread-safe.
 */
#ifndef SENDLAB_CDP_H
#define SENDLAB_CDP_H

#include <stddef.h>

struct cdp;

/* The browser to use: $SENDLAB_BROWSER if set (a path), else the first of
 * chromium-headless-shell, chromium, chromium-browser found in PATH. NULL
 * if none. The string is static. */
const char *cdp_find_browser(void);

/*
 * Starts browser headless (its own process group, --no-sandbox: the tests
 * run as root in CI, where Chromium's sandbox refuses to start; the page
 * is our own), opens url in a new tab and attaches to it. Returns NULL
 * with one line in err on failure (the browser's exit or its log's last
 * line included when it died).
 */
struct cdp *cdp_open(const char *browser, const char *url, int timeout_ms,
		     char *err, size_t errcap);

/*
 * Evaluates the JavaScript expression expr in the page; its value must be
 * a string without '"' or '\\' (the caller's expression makes sure), which
 * is copied into out[0..cap). Returns 0, or -1 with the reason in out.
 */
int cdp_eval(struct cdp *c, const char *expr, char *out, size_t cap,
	     int timeout_ms);

/*
 * Writes a PNG of the page as it is now to path (Page.captureScreenshot).
 * The reply is base64 and larger than the tests' 64 KB messages: only a
 * build with a larger WSC_MAX_MESSAGE can receive it (build/tests/liveshot).
 * Returns 0, or -1 with the reason in err.
 */
int cdp_screenshot(struct cdp *c, const char *path, char *err, size_t cap,
		   int timeout_ms);

/* Kills the browser's whole process group, reaps it, removes the profile
 * directory, frees c. NULL is allowed. */
void cdp_close(struct cdp *c);

#endif
