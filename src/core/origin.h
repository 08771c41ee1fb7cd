/*
 * origin.h: which web pages may open a WebSocket to this server.
 *
 * A browser lets any page the user visits open a WebSocket to
 * 127.0.0.1:7681; only the Origin header it sends says which page that
 * is. Without a check, any web site could make a lab server compute for a
 * minute per request. So the upgrade is allowed with no Origin (a
 * non-browser client: the harness, wsclient, websocat), with the server's
 * own origin (the page it serves itself, core/page.c), or with an origin
 * given by --allow-origin (make demo's other servers); anything else gets
 * HTTP 403 (server.c).
 *
 * The own origin comes from the address and port the server is bound to,
 * never from the request's Host header: a DNS-rebinding page at
 * http://evil.example:7681 whose name now resolves to 127.0.0.1 sends
 * Host: evil.example:7681, and its Origin is http://evil.example:7681, which
 * is not ours. Pure functions: unit-tested in test_origin.c.
 */
#ifndef SENDLAB_ORIGIN_H
#define SENDLAB_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

/* The longest origin accepted, in bytes; a longer Origin header is
 * refused. Enough for "https://" + a 64-character name + ":65535". */
#define ORIGIN_MAX 128
/* --allow-origin may be given this many times. */
#define ORIGIN_ALLOWED_MAX 16
/* The own origins: the bound address, and for a loopback or wildcard
 * address also the other loopback spellings a local browser may use. */
#define ORIGIN_OWN_MAX 3

struct origin_policy {
	char own[ORIGIN_OWN_MAX][ORIGIN_MAX];
	int n_own;
	const char *allowed[ORIGIN_ALLOWED_MAX];	/* --allow-origin values */
	int n_allowed;
};

/*
 * Checks that s is an origin as a browser writes it (RFC 6454 section
 * 6.2): "http://" or "https://", a host (letters, digits, '.', '-', or an
 * IPv6 address in brackets), an optional ":PORT" of 1..65535, and nothing
 * after it (no path, not even "/"). Returns true, or false with one
 * sentence in why[0..cap) saying what is wrong. "null" (the origin of
 * file:// pages and sandboxed frames) is not an origin here.
 */
bool origin_valid(const char *s, char *why, size_t cap);

/*
 * Fills *p for a server listening on host:port with the --allow-origin
 * values allowed[0..n) (kept as pointers; at most ORIGIN_ALLOWED_MAX,
 * each already checked by origin_valid). The own origins are
 * http://HOST:PORT (IPv6 in brackets; no ":80" for port 80, as browsers
 * write it), plus http://localhost:PORT and http://127.0.0.1:PORT when host
 * is a loopback address (127.0.0.1, ::1, localhost) or a wildcard
 * (0.0.0.0, ::): a page loaded from another machine's view of a wildcard
 * address has an origin only the user knows, so it needs --allow-origin.
 */
void origin_policy_init(struct origin_policy *p, const char *host, int port,
			const char *const *allowed, int n);

/*
 * The upgrade's verdict for an Origin header value: NULL (no header) and
 * "" are allowed (not a browser); otherwise the value must equal an own or
 * allowed origin, ignoring ASCII case (browsers send lower case; RFC 6454
 * compares the scheme and host without case).
 */
bool origin_allowed(const struct origin_policy *p, const char *origin);

/*
 * Copies s into out[0..cap) keeping only the characters an origin can
 * have (letters, digits, ".-:/[]_"), each other byte as '?', cut at cap-1:
 * safe to put in a log line or an HTTP error page whatever the client
 * sent.
 */
void origin_printable(const char *s, char *out, size_t cap);

#endif
