/*
 * origin.c: the Origin check at the WebSocket upgrade (origin.h says why
 * and what is allowed).
 */
#include "core/origin.h"

#include "common/cli.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool origin_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* After "[": hex digits, ':' and '.' (an IPv4 tail) up to "]". Returns the
 * length through "]", or 0. */
static size_t origin_ipv6_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ']') {
		char c = s[n];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
			return 0;
		n++;
	}
	return s[n] == ']' && n > 1 ? n + 1 : 0;
}

bool origin_valid(const char *s, char *why, size_t cap)
{
	const char *host;

	if (strlen(s) >= ORIGIN_MAX)
		return cli_fail(why, cap, "an origin has at most %d characters",
				ORIGIN_MAX - 1);
	if (!strncasecmp(s, "http://", 7))
		host = s + 7;
	else if (!strncasecmp(s, "https://", 8))
		host = s + 8;
	else
		return cli_fail(why, cap, "an origin starts with http:// or "
				"https://, as in http://127.0.0.1:7682");

	size_t n = 0;

	if (host[0] == '[')
		n = origin_ipv6_len(host + 1) ? origin_ipv6_len(host + 1) + 1 : 0;
	else
		while (origin_host_char(host[n]))
			n++;
	if (n == 0)
		return cli_fail(why, cap, "an origin needs a host name or "
				"address after the scheme");

	const char *rest = host + n;

	if (*rest == ':') {
		int port;

		if (!cli_int(rest + 1, 1, 65535, &port))
			return cli_fail(why, cap, "the port of an origin is an "
					"integer from 1 to 65535, and nothing "
					"follows it (no path, no \"/\")");
		return true;
	}
	if (*rest)
		return cli_fail(why, cap, "an origin is only scheme://host:port, "
				"with no path (not even a final \"/\")");
	return true;
}

/* Appends http://HOST[:PORT] to p->own, if there is room. */
static void origin_add_own(struct origin_policy *p, const char *host,
			   bool brackets, int port)
{
	if (p->n_own >= ORIGIN_OWN_MAX)
		return;

	char portpart[8] = "";

	if (port != 80)	/* browsers leave out the scheme's default port */
		snprintf(portpart, sizeof(portpart), ":%d", port);
	snprintf(p->own[p->n_own++], ORIGIN_MAX, "http://%s%.100s%s%s",
		 brackets ? "[" : "", host, brackets ? "]" : "", portpart);
}

void origin_policy_init(struct origin_policy *p, const char *host, int port,
			const char *const *allowed, int n)
{
	memset(p, 0, sizeof(*p));
	if (!strcmp(host, "0.0.0.0") || !strcmp(host, "127.0.0.1") ||
	    !strcmp(host, "localhost")) {
		origin_add_own(p, "127.0.0.1", false, port);
		origin_add_own(p, "localhost", false, port);
	} else if (!strcmp(host, "::") || !strcmp(host, "::1")) {
		origin_add_own(p, "::1", true, port);
		origin_add_own(p, "localhost", false, port);
		if (!strcmp(host, "::"))	/* dual stack: IPv4 too */
			origin_add_own(p, "127.0.0.1", false, port);
	} else {
		origin_add_own(p, host, strchr(host, ':') != NULL, port);
	}
	for (int i = 0; i < n && i < ORIGIN_ALLOWED_MAX; i++)
		p->allowed[p->n_allowed++] = allowed[i];
}

bool origin_allowed(const struct origin_policy *p, const char *origin)
{
	if (!origin || !*origin)
		return true;
	for (int i = 0; i < p->n_own; i++)
		if (!strcasecmp(origin, p->own[i]))
			return true;
	for (int i = 0; i < p->n_allowed; i++)
		if (!strcasecmp(origin, p->allowed[i]))
			return true;
	return false;
}

void origin_printable(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	if (!cap)
		return;
	for (; s[i] && i + 1 < cap; i++) {
		char c = s[i];

		out[i] = origin_host_char(c) || c == ':' || c == '/' || c == '[' ||
			 c == ']' || c == '_' ? c : '?';
	}
	out[i] = '\0';
}
