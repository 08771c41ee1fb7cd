/*
 * cdp.c: a headless Chromium driven over the DevTools Protocol (cdp.h).
 */
#include "tests/cdp.h"

#include "client/spawn.h"
#include "client/wsclient.h"
#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cdp {
	pid_t pid;		/* the browser, leader of its process group */
	char dir[64];		/* its profile directory (and browser.log) */
	struct wsc *ws;		/* the browser endpoint */
	char session[80];	/* the page's flat session id */
	int next_id;
	char reply[WSC_MAX_MESSAGE + 1];	/* the last reply to a call */
};

const char *cdp_find_browser(void)
{
	static const char *const names[] = { "chromium-headless-shell", "chromium",
					     "chromium-browser" };
	static char found[512];
	const char *env = getenv("SENDLAB_BROWSER");

	if (env && *env)
		return env;

	const char *path = getenv("PATH");

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
		for (const char *p = path; *p;) {
			size_t len = strcspn(p, ":");

			snprintf(found, sizeof(found), "%.*s/%s", (int)len, p, names[n]);
			if (len && access(found, X_OK) == 0)
				return found;
			p += len + (p[len] == ':');
		}
	return NULL;
}

static int cdp_fail(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cdp_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* The last non-empty line of the browser's log, for an error message. */
static void cdp_log_tail(const struct cdp *c, char *out, size_t cap)
{
	char path[96], buf[4096];
	FILE *f;
	size_t n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/browser.log", c->dir);
	if (!(f = fopen(path, "r")))
		return;
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)sizeof(buf) - 1)
		fseek(f, -(long)sizeof(buf) + 1, SEEK_END);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';

	const char *last = strrchr(buf, '\n');

	snprintf(out, cap, "%.200s", last ? last + 1 : buf);
}

/* Starts the browser on about:blank in its own process group, output to
 * dir/browser.log. Returns 0 or -1. */
static int cdp_spawn(struct cdp *c, const char *browser, char *err, size_t cap)
{
	char profile[96], log[96];

	snprintf(profile, sizeof(profile), "--user-data-dir=%s", c->dir);
	snprintf(log, sizeof(log), "%s/browser.log", c->dir);
	c->pid = fork();
	if (c->pid < 0)
		return cdp_fail(err, cap, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (null >= 0)
			dup2(null, 0);
		execl(browser, browser, "--headless", "--no-sandbox", "--disable-gpu",
		      "--no-first-run", "--no-default-browser-check",
		      "--disable-extensions", "--mute-audio",
		      "--remote-debugging-port=0", profile, "--window-size=1000,800",
		      "about:blank", (char *)NULL);
		_exit(127);
	}
	setpgid(c->pid, c->pid);	/* either side may run first */
	return 0;
}

/* Waits for dir/DevToolsActivePort ("PORT\n/devtools/browser/ID\n").
 * Returns 0 with *port and path filled, or -1. */
static int cdp_endpoint(struct cdp *c, int *port, char *path, size_t pathcap,
			int64_t deadline, char *err, size_t cap)
{
	char file[96];

	snprintf(file, sizeof(file), "%s/DevToolsActivePort", c->dir);
	while (clock_now_us() < deadline) {
		FILE *f = fopen(file, "r");
		char p[64];

		if (f) {
			int ok = fscanf(f, "%d %63s", port, p) == 2;

			fclose(f);
			if (ok && *port > 0 && p[0] == '/') {
				snprintf(path, pathcap, "%s", p);
				return 0;
			}
		}

		int st;

		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			char tail[300];

			c->pid = -1;
			cdp_log_tail(c, tail, sizeof(tail));
			return cdp_fail(err, cap, "the browser exited (status %d) "
					"before listening for DevTools: %s", st, tail);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	}
	return cdp_fail(err, cap, "the browser wrote no DevToolsActivePort in time");
}

/* Appends s to out as the inside of a JSON string. */
static void cdp_escape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = (unsigned char)*s < 0x20 ? ' ' : *s;
	}
	out[n] = '\0';
}

/*
 * Sends {"id":N,"method":method,"params":params[,"sessionId":...]} and
 * waits for the reply with that id (events and other replies are
 * skipped), copying it into c->reply. Returns 0, or -1 with the reason in
 * err (a DevTools "error" reply included).
 */
static int cdp_call(struct cdp *c, const char *method, const char *params,
		    int on_page, int timeout_ms, char *err, size_t cap)
{
	char msg[8192], want[32];
	int id = ++c->next_id;
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;

	snprintf(msg, sizeof(msg), "{\"id\":%d,\"method\":\"%s\",\"params\":%s%s%s%s}",
		 id, method, params, on_page ? ",\"sessionId\":\"" : "",
		 on_page ? c->session : "", on_page ? "\"" : "");
	if (wsc_send_text(c->ws, msg) < 0)
		return cdp_fail(err, cap, "%s: send: %s", method, wsc_error(c->ws));
	snprintf(want, sizeof(want), "{\"id\":%d,", id);
	for (;;) {
		struct wsc_frame f;
		int64_t left = (deadline - clock_now_us()) / 1000;
		int r = wsc_recv(c->ws, &f, left > 0 ? (int)left : 0);

		if (r < 0)
			return cdp_fail(err, cap, "%s: %s", method, wsc_error(c->ws));
		if (r == 0)
			return cdp_fail(err, cap, "%s: no reply within %d ms", method,
					timeout_ms);
		if (f.opcode != WSC_OP_TEXT || strncmp((char *)f.data, want, strlen(want)))
			continue;
		snprintf(c->reply, sizeof(c->reply), "%s", (char *)f.data);
		if (strstr(c->reply, "\"error\":{"))
			return cdp_fail(err, cap, "%s: %.300s", method, c->reply);
		return 0;
	}
}

/* Copies the string after "key":" in c->reply (no escapes) into out. */
static int cdp_reply_string(const struct cdp *c, const char *key, char *out,
			    size_t cap)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if (!(p = strstr(c->reply, pat)))
		return -1;
	p += strlen(pat);
	n = strcspn(p, "\"\\");
	if (p[n] != '"' || n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

struct cdp *cdp_open(const char *browser, const char *url, int timeout_ms,
		     char *err, size_t errcap)
{
	struct cdp *c = calloc(1, sizeof(*c));
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	char path[128], params[1024], escaped[768], target[80];
	int port;

	if (!c) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	c->pid = -1;
	snprintf(c->dir, sizeof(c->dir), "/tmp/sendlab-chromium-XXXXXX");
	if (!mkdtemp(c->dir)) {
		snprintf(err, errcap, "mkdtemp: %s", strerror(errno));
		free(c);
		return NULL;
	}
	if (cdp_spawn(c, browser, err, errcap) < 0 ||
	    cdp_endpoint(c, &port, path, sizeof(path), deadline, err, errcap) < 0)
		goto fail;

	char why[300];

	c->ws = wsc_connect(port, path, NULL, timeout_ms, why, sizeof(why));
	if (!c->ws) {
		snprintf(err, errcap, "DevTools at port %d: %s", port, why);
		goto fail;
	}
	cdp_escape(url, escaped, sizeof(escaped));
	snprintf(params, sizeof(params), "{\"url\":\"%s\"}", escaped);
	if (cdp_call(c, "Target.createTarget", params, 0, timeout_ms, err, errcap) < 0)
		goto fail;
	if (cdp_reply_string(c, "targetId", target, sizeof(target)) < 0) {
		snprintf(err, errcap, "no targetId in %.200s", c->reply);
		goto fail;
	}
	snprintf(params, sizeof(params), "{\"targetId\":\"%s\",\"flatten\":true}", target);
	if (cdp_call(c, "Target.attachToTarget", params, 0, timeout_ms, err, errcap) < 0)
		goto fail;
	if (cdp_reply_string(c, "sessionId", c->session, sizeof(c->session)) < 0) {
		snprintf(err, errcap, "no sessionId in %.200s", c->reply);
		goto fail;
	}
	return c;
fail:
	cdp_close(c);
	return NULL;
}

int cdp_eval(struct cdp *c, const char *expr, char *out, size_t cap, int timeout_ms)
{
	char escaped[4096], params[4200];

	cdp_escape(expr, escaped, sizeof(escaped));
	snprintf(params, sizeof(params), "{\"expression\":\"%s\",\"returnByValue\":true}",
		 escaped);
	if (cdp_call(c, "Runtime.evaluate", params, 1, timeout_ms, out, cap) < 0)
		return -1;
	if (strstr(c->reply, "\"exceptionDetails\""))
		return cdp_fail(out, cap, "the expression threw: %.300s", c->reply);
	if (cdp_reply_string(c, "value", out, cap) < 0)
		return cdp_fail(out, cap, "not a plain string value: %.300s", c->reply);
	return 0;
}

/* The value of one base64 character, or -1. */
static int cdp_b64(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

int cdp_screenshot(struct cdp *c, const char *path, char *err, size_t cap, int timeout_ms)
{
	if (cdp_call(c, "Page.captureScreenshot", "{\"format\":\"png\"}", 1, timeout_ms,
		     err, cap) < 0)
		return -1;

	const char *p = strstr(c->reply, "\"data\":\"");
	FILE *f;
	unsigned acc = 0;
	int bits = 0;

	if (!p)
		return cdp_fail(err, cap, "no data in the screenshot reply");
	if (!(f = fopen(path, "wb")))
		return cdp_fail(err, cap, "%s: %s", path, strerror(errno));
	for (p += 8; *p && *p != '"' && *p != '='; p++) {
		int v = cdp_b64(*p);

		if (v < 0) {
			fclose(f);
			return cdp_fail(err, cap, "not base64 in the screenshot: '%c'", *p);
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			fputc((int)((acc >> bits) & 0xff), f);
		}
	}
	if (fclose(f) != 0)
		return cdp_fail(err, cap, "%s: %s", path, strerror(errno));
	return 0;
}

void cdp_close(struct cdp *c)
{
	if (!c)
		return;
	wsc_free(c->ws);
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);	/* the renderer, GPU and zygote too */
		waitpid(c->pid, NULL, 0);
	}
	if (c->dir[0]) {
		char out[256];
		char *argv[] = { "/bin/rm", "-rf", c->dir, NULL };

		spawn_run(argv, out, sizeof(out), 10000);
	}
	free(c);
}
