/*
 * test_web.c: the HTTP side of every server variant: the live view's
 * files are served byte for byte (core/page.c) and nothing else is (no
 * path reaches the file system), and the Origin check at the WebSocket
 * upgrade (core/origin.h): no Origin, the server's own origin and
 * --allow-origin ones are let in; any other page, a DNS-rebinding one
 * included, gets HTTP 403 before a session exists.
 *
 * Raw sockets, so the tests see exactly what a browser would get.
 * docs/reliability.md lists these rows; keep the two in step.
 */
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define WEB_REPLY_MAX (64 * 1024)

/* A reply: its status line, and the whole of it (headers and body). */
struct web_reply {
	char status[128];
	char *all;	/* NUL-terminated, malloc'd */
	size_t len;
	const char *body;	/* after the blank line, or NULL */
	size_t body_len;
};

/* The value of header name in r (case-insensitive name), copied into out,
 * or "" when absent. */
static void web_header(const struct web_reply *r, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	out[0] = '\0';
	for (const char *p = strstr(r->all, "\r\n"); p && (!r->body || p < r->body);
	     p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, name, n) && p[2 + n] == ':') {
			const char *v = p + 3 + n;

			v += strspn(v, " ");
			snprintf(out, cap, "%.*s", (int)strcspn(v, "\r\n"), v);
			return;
		}
	}
}

/*
 * Sends request to 127.0.0.1:port and reads the reply: until its
 * Content-Length is complete, the server closes, or TU_IO_MS passes
 * (an upgrade's 101 has no body: the headers are enough).
 */
static void web_request(int port, const char *request, struct web_reply *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int64_t give_up = clock_now_us() + TU_IO_MS * 1000ll;

	memset(r, 0, sizeof(*r));
	r->all = calloc(1, WEB_REPLY_MAX + 1);
	ck_assert(r->all && fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "connect: %s",
		      strerror(errno));
	ck_assert((size_t)send(fd, request, strlen(request), MSG_NOSIGNAL) == strlen(request));
	while (r->len < WEB_REPLY_MAX && clock_now_us() < give_up) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = recv(fd, r->all + r->len, WEB_REPLY_MAX - r->len, 0);

		if (n <= 0)
			break;
		r->len += (size_t)n;
		r->all[r->len] = '\0';

		char *end = strstr(r->all, "\r\n\r\n");

		if (!end)
			continue;
		r->body = end + 4;
		r->body_len = r->len - (size_t)(r->body - r->all);

		char cl[32];

		web_header(r, "content-length", cl, sizeof(cl));
		if (!cl[0] || r->body_len >= (size_t)atol(cl))
			break;
	}
	close(fd);
	snprintf(r->status, sizeof(r->status), "%.*s", (int)strcspn(r->all, "\r\n"), r->all);
}

static void web_free(struct web_reply *r)
{
	free(r->all);
}

/* The source file, as the server must serve it. */
static char *web_source(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, WEB_REPLY_MAX);

	ck_assert_msg(f && buf, "%s: %s (the tests run from the top of the tree)", path,
		      strerror(errno));
	*len = fread(buf, 1, WEB_REPLY_MAX, f);
	fclose(f);
	return buf;
}

/* GET of each page file: 200, its type, no caching, the CSP that forbids
 * inline script, and exactly the bytes of src/web/. */
START_TEST(test_page_files_are_served_byte_for_byte)
{
	static const struct {
		const char *path, *file, *type;
	} files[] = {
		{ "/", "src/web/index.html", "text/html; charset=utf-8" },
		{ "/live.js", "src/web/live.js", "text/javascript; charset=utf-8" },
		{ "/live.css", "src/web/live.css", "text/css; charset=utf-8" },
		{ "/?ports=1,2&autorun=1", "src/web/index.html", "text/html; charset=utf-8" },
	};
	struct spawned s;

	tu_start(&s, tu_variants[_i], NULL);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		char req[256], hdr[256];
		struct web_reply r;
		size_t want_len;
		char *want = web_source(files[k].file, &want_len);

		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
			 files[k].path);
		web_request(s.port, req, &r);
		ck_assert_msg(!strcmp(r.status, "HTTP/1.1 200 OK"), "%s %s -> %s",
			      tu_variants[_i], files[k].path, r.status);
		web_header(&r, "content-type", hdr, sizeof(hdr));
		ck_assert_msg(!strcmp(hdr, files[k].type), "%s: type %s", files[k].path, hdr);
		web_header(&r, "cache-control", hdr, sizeof(hdr));
		ck_assert_msg(!strcmp(hdr, "no-store"), "%s: cache-control %s", files[k].path, hdr);
		web_header(&r, "content-security-policy", hdr, sizeof(hdr));
		ck_assert_msg(strstr(hdr, "script-src 'self'"), "%s: CSP %s", files[k].path, hdr);
		ck_assert_msg(r.body && r.body_len == want_len &&
			      !memcmp(r.body, want, want_len),
			      "%s: %zu bytes served, %s has %zu", files[k].path, r.body_len,
			      files[k].file, want_len);
		free(want);
		web_free(&r);
	}
	struct wsc *c = tu_connect(&s);

	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* Only the page's own paths exist: everything else is 404, whatever it
 * names, and another method on a page path is 405. */
START_TEST(test_nothing_else_is_served)
{
	static const char *const requests[] = {
		"GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET //etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /Makefile HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /src/web/live.js HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /live.js/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /LIVE.JS HTTP/1.1\r\nHost: x\r\n\r\n",
	};
	struct spawned s;
	struct web_reply r;

	tu_start(&s, tu_variants[_i], NULL);
	for (size_t k = 0; k < sizeof(requests) / sizeof(requests[0]); k++) {
		web_request(s.port, requests[k], &r);
		ck_assert_msg(!strcmp(r.status, "HTTP/1.1 404 Not Found"), "%s -> \"%s\"",
			      requests[k], r.status);
		ck_assert_msg(!strstr(r.all, "root:"), "%s served a file", requests[k]);
		web_free(&r);
	}
	/* a NUL in the path: lws 4.1.6 hangs up without an answer, which
	 * serves nothing either */
	web_request(s.port, "GET /live.js%00.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	ck_assert_msg(!strcmp(r.status, "HTTP/1.1 404 Not Found") || r.len == 0,
		      "GET /live.js%%00.txt -> %s", r.status);
	web_free(&r);
	web_request(s.port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", &r);
	ck_assert_msg(!strcmp(r.status, "HTTP/1.1 405 Method Not Allowed"), "POST / -> %s",
		      r.status);
	web_free(&r);

	struct wsc *c = tu_connect(&s);

	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* The status line of a WebSocket upgrade to port with these extra
 * header lines (each ending in \r\n). */
static void web_upgrade(int port, const char *host, const char *extra, char *status,
			size_t cap, char *body, size_t bodycap)
{
	char req[1024];
	struct web_reply r;

	snprintf(req, sizeof(req),
		 "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sendlab\r\n%s\r\n",
		 host, extra);
	web_request(port, req, &r);
	snprintf(status, cap, "%s", r.status);
	snprintf(body, bodycap, "%s", r.body ? r.body : "");
	web_free(&r);
}

/* Which pages may open a WebSocket: none (no Origin), the server's own
 * (both loopback names), --allow-origin ones; any other gets 403 with a
 * reason, and the server serves on. */
START_TEST(test_origin_decides_the_upgrade)
{
	struct spawned s;
	char host[64], own[64], own_lh[64], other_port[64], rebind[64], rebind_host[64];
	char extra[160], status[128], body[1024];

	tu_start(&s, tu_variants[_i], "--allow-origin", "http://127.0.0.1:1234",
		 "--allow-origin", "https://lab.example", NULL);
	snprintf(host, sizeof(host), "127.0.0.1:%d", s.port);
	snprintf(own, sizeof(own), "http://127.0.0.1:%d", s.port);
	snprintf(own_lh, sizeof(own_lh), "http://localhost:%d", s.port);
	snprintf(other_port, sizeof(other_port), "http://127.0.0.1:%d", s.port + 1);
	/* DNS rebinding: the attacker's name now resolves to 127.0.0.1, so
	 * Host and Origin both carry it, with our port */
	snprintf(rebind, sizeof(rebind), "http://evil.example:%d", s.port);
	snprintf(rebind_host, sizeof(rebind_host), "evil.example:%d", s.port);

	const struct {
		const char *host, *origin;
		bool ok;
	} cases[] = {
		{ host, NULL, true },
		{ host, own, true },
		{ host, own_lh, true },
		{ host, "http://127.0.0.1:1234", true },
		{ host, "https://lab.example", true },
		{ host, "http://evil.example", false },
		{ rebind_host, rebind, false },
		{ host, other_port, false },
		{ host, "null", false },
		{ host, "https://lab.example.evil.example", false },
		{ host, "http://127.0.0.1:12345", false },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		if (cases[k].origin)
			snprintf(extra, sizeof(extra), "Origin: %s\r\n", cases[k].origin);
		else
			extra[0] = '\0';
		web_upgrade(s.port, cases[k].host, extra, status, sizeof(status), body,
			    sizeof(body));
		if (cases[k].ok) {
			ck_assert_msg(!strcmp(status, "HTTP/1.1 101 Switching Protocols"),
				      "%s: Origin %s -> %s", tu_variants[_i],
				      cases[k].origin ? cases[k].origin : "(none)", status);
		} else {
			/* lws answers an upgrade refused at this point in
			 * HTTP/1.0 (4.1.6): the code is what matters */
			ck_assert_msg(!strncmp(status, "HTTP/1.", 7) &&
				      !strcmp(status + 8, " 403 Forbidden"),
				      "%s: Origin %s -> %s", tu_variants[_i], cases[k].origin,
				      status);
			ck_assert_msg(strstr(body, "may not open a WebSocket"),
				      "403 without its reason: %s", body);
		}
	}
	struct wsc *c = tu_connect(&s);

	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* Reads from fd until buf holds `until` (or TU_IO_MS passes); returns
 * the bytes read. */
static size_t web_read_until(int fd, char *buf, size_t cap, const char *until)
{
	size_t got = 0;
	int64_t give_up = clock_now_us() + TU_IO_MS * 1000ll;

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

/* One keep-alive connection fetches the page, then upgrades: the session
 * must start from zero although the page's reply used the same
 * per-connection data (core/page.h), and answer an echo. */
START_TEST(test_page_then_upgrade_on_one_connection)
{
	struct spawned s;
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char *buf = calloc(1, WEB_REPLY_MAX);
	static const char upgrade[] =
		"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sendlab\r\n\r\n";
	static const char echo[] = "{\"op\":\"echo\",\"t_us\":5}";
	unsigned char frame[64] = { 0x81, 0x80 | (sizeof(echo) - 1), 1, 2, 3, 4 };

	tu_start(&s, tu_variants[_i], NULL);
	a.sin_port = htons((uint16_t)s.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd >= 0 && buf);
	ck_assert(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	ck_assert(send(fd, get, strlen(get), MSG_NOSIGNAL) == (ssize_t)strlen(get));
	web_read_until(fd, buf, WEB_REPLY_MAX, "</html>");
	ck_assert_msg(!strncmp(buf, "HTTP/1.1 200 OK", 15) && strstr(buf, "</html>"),
		      "%s: the page: %.60s", tu_variants[_i], buf);
	ck_assert(send(fd, upgrade, strlen(upgrade), MSG_NOSIGNAL) == (ssize_t)strlen(upgrade));
	web_read_until(fd, buf, WEB_REPLY_MAX, "\r\n\r\n");
	ck_assert_msg(!strncmp(buf, "HTTP/1.1 101", 12), "%s: upgrade: %.60s",
		      tu_variants[_i], buf);
	for (size_t k = 0; k < sizeof(echo) - 1; k++)	/* masked with 1 2 3 4 */
		frame[6 + k] = (unsigned char)echo[k] ^ (unsigned char)(1 + k % 4);
	ck_assert(send(fd, frame, 6 + sizeof(echo) - 1, MSG_NOSIGNAL) ==
		  (ssize_t)(6 + sizeof(echo) - 1));
	web_read_until(fd, buf, WEB_REPLY_MAX, "}");
	ck_assert_msg(strstr(buf, "\"op\":\"echo\",\"t_us\":5,"), "%s: echo: %s",
		      tu_variants[_i], buf);
	close(fd);
	free(buf);
	tu_stop_clean(&s);
}
END_TEST

Suite *web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("page-and-origin");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_page_files_are_served_byte_for_byte, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_nothing_else_is_served, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_origin_decides_the_upgrade, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_page_then_upgrade_on_one_connection, 0, TU_NVARIANTS);
	suite_add_tcase(s, tc);
	return s;
}
