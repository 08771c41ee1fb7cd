/*
 * probeopt.c: see probeopt.h. Every integer option is one row of
 * probeopt_ints; the rest are strings or flags, each checked here so that
 * a mistake is a usage error (exit 2) before anything connects.
 */
#include "probe/probeopt.h"

#include "common/cli.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

struct probeopt_int {
	const char *name;
	size_t offset;		/* of the int field in struct probeopt */
	long min, max;
};

static const struct probeopt_int probeopt_ints[] = {
	{ "--ping-ms", offsetof(struct probeopt, ping_ms), 1, 10000 },
	{ "--duration-s", offsetof(struct probeopt, duration_s), 1, 86400 },
	{ "--connect-timeout-s", offsetof(struct probeopt, connect_timeout_s), 1, 600 },
	{ "--messages", offsetof(struct probeopt, messages), 0, 1000000 },
	{ "--stall-ms", offsetof(struct probeopt, stall_ms), 1, 60000 },
	{ "--burst-silence-ms", offsetof(struct probeopt, burst_silence_ms), 1, 60000 },
	{ "--every-ms", offsetof(struct probeopt, every_ms), 0, 3600000 },
};

void probeopt_usage(FILE *f)
{
	fprintf(f,
		"usage: wsprobe --url ws[s]://HOST[:PORT][/PATH] [options]\n"
		"Pings a WebSocket server (RFC 6455 PING/PONG) and stamps every message\n"
		"it sends, to see from outside when its event loop stalls and whether\n"
		"its messages come in bursts (docs/probe.md).\n"
		"  --ping-ms N           wait N ms after each pong before the next ping,\n"
		"                        1..10000 (default 10); one ping is in flight at a time\n"
		"  --duration-s S        probe for S s after connecting, 1..86400 (default 10)\n"
		"  --connect-timeout-s S give up connecting after S s, 1..600 (default 10)\n"
		"  --messages N          end the run once N messages came (default 0: at\n"
		"                        --duration-s only, which still bounds it)\n"
		"  --send TEXT           send TEXT as a text message (once the first pong\n"
		"                        came back), e.g. the request that makes the server work\n"
		"  --send-file PATH      the same, with the contents of PATH (at most 1 MiB)\n"
		"  --every-ms M          send it again every M ms, 0..3600000 (default 0: once)\n"
		"  --subprotocol NAME    ask for this WebSocket subprotocol\n"
		"  --header 'Name: v'    add a header to the upgrade request (at most %d)\n"
		"  --insecure            wss: accept any certificate (self-signed, expired,\n"
		"                        another name)\n"
		"  --ca-file PATH        wss: trust the certificates in PATH (PEM) instead\n"
		"                        of the system's CA bundle\n"
		"  --csv PATH            write every ping and message: kind,t_sent_us,t_recv_us,bytes\n"
		"  --stall-ms N          report pongs later than N ms as stalls (default 100)\n"
		"  --burst-silence-ms N  a burst is 2+ messages, each within 1 ms of the one\n"
		"                        before, after more than N ms without one (default 100)\n"
		"  --print               print each message as it arrives (its first 300\n"
		"                        bytes, with the seconds since connecting)\n"
		"  --quiet               no live line on stderr\n"
		"  --help                show this text\n"
		"Exit status: 0 ran, 1 could not connect or lost the connection, 2 bad\n"
		"command line, 3 the last ping (or every ping) went unanswered.\n",
		PROBEOPT_HEADERS_MAX);
}

static bool probeopt_host(const char *h, size_t n, struct probe_url *u, char *err,
			  size_t errcap)
{
	if (n == 0)
		return cli_fail(err, errcap, "--url has no host (ws://HOST:PORT/PATH)");
	if (n > PROBEOPT_HOST_MAX)
		return cli_fail(err, errcap, "--url's host is over %d characters",
				PROBEOPT_HOST_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!(isalnum(c) || c == '.' || c == '-' || c == '_' || (u->ipv6 && c == ':')))
			return cli_fail(err, errcap, "--url's host has a '%c': a host is a "
					"name, an IPv4 address or [an IPv6 address]", c);
	}
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	return true;
}

bool probeopt_parse_url(const char *s, struct probe_url *u, char *err, size_t errcap)
{
	const char *p;

	memset(u, 0, sizeof(*u));
	if (!strncmp(s, "ws://", 5)) {
		p = s + 5;
	} else if (!strncmp(s, "wss://", 6)) {
		u->tls = true;
		p = s + 6;
	} else {
		return cli_fail(err, errcap, "--url must start with ws:// or wss://, "
				"not '%.40s'", s);
	}
	/* authority: HOST[:PORT] or [V6][:PORT], up to the path */
	size_t alen = strcspn(p, "/?#");
	const char *host = p, *port = NULL;
	size_t hlen;

	if (memchr(p, '@', alen))
		return cli_fail(err, errcap, "--url must not carry a user name or "
				"password (use --header for credentials)");
	if (*p == '[') {
		const char *close = memchr(p, ']', alen);

		if (!close)
			return cli_fail(err, errcap, "--url's IPv6 address has no ']'");
		u->ipv6 = true;
		host = p + 1;
		hlen = (size_t)(close - host);
		/* an IPv6 address has at least two colons ("::1") */
		size_t colons = 0;

		for (size_t i = 0; i < hlen; i++)
			colons += host[i] == ':';
		if (colons < 2)
			return cli_fail(err, errcap, "--url: [%.*s] is not an IPv6 address",
					(int)hlen, host);
		if (close + 1 < p + alen) {
			if (close[1] != ':')
				return cli_fail(err, errcap, "--url: after ']' comes ':PORT' "
						"or the path");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(p, ':', alen);

		hlen = colon ? (size_t)(colon - p) : alen;
		port = colon ? colon + 1 : NULL;
	}
	if (!probeopt_host(host, hlen, u, err, errcap))
		return false;
	u->port = u->tls ? 443 : 80;
	if (port) {
		char digits[8];
		size_t plen = (size_t)(p + alen - port);

		if (plen == 0 || plen >= sizeof(digits))
			return cli_fail(err, errcap, "--url's port must be 1..65535");
		memcpy(digits, port, plen);
		digits[plen] = '\0';
		if (!cli_int(digits, 1, 65535, &u->port))
			return cli_fail(err, errcap, "--url's port must be an integer "
					"from 1 to 65535, not '%s'", digits);
	}
	const char *path = p + alen;

	if (strchr(path, '#'))
		return cli_fail(err, errcap, "--url: a fragment (#...) has no meaning "
				"for a WebSocket");
	if (strlen(path) > PROBEOPT_PATH_MAX - 1)
		return cli_fail(err, errcap, "--url's path is over %d characters",
				PROBEOPT_PATH_MAX - 1);
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return cli_fail(err, errcap, "--url's path has a space or a "
					"control or non-ASCII character: percent-encode it");
	/* "?q" with no path is "/?q" */
	snprintf(u->path, sizeof(u->path), "%s%s", *path == '/' ? "" : "/", path);
	return true;
}

/* "Name: value": a token name (RFC 9110), a colon, a value without CR, LF
 * or other control characters. The names lws writes itself are refused:
 * a second Host or Upgrade would make the request ambiguous. */
static bool probeopt_header(const char *h, char *err, size_t errcap)
{
	static const char *const own[] = { "host", "upgrade", "connection",
		"sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
		"sec-websocket-extensions", "content-length" };
	size_t n = strcspn(h, ":");

	if (strlen(h) > PROBEOPT_HEADER_LEN_MAX)
		return cli_fail(err, errcap, "--header is over %d characters",
				PROBEOPT_HEADER_LEN_MAX);
	if (!h[n] || n == 0)
		return cli_fail(err, errcap, "--header must be 'Name: value', not '%.40s'", h);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr("!#$%&'*+-.^_`|~", h[i]))
			return cli_fail(err, errcap, "--header's name '%.*s' has a '%c'",
					(int)n, h, h[i]);
	for (const char *c = h + n + 1; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return cli_fail(err, errcap, "--header's value has a control "
					"character (a line break?)");
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == n && !strncasecmp(h, own[i], n))
			return cli_fail(err, errcap, "--header cannot set %.*s: wsprobe "
					"writes it (--subprotocol for the protocol)", (int)n, h);
	return true;
}

static const struct probeopt_int *probeopt_find_int(const char *name)
{
	for (size_t i = 0; i < sizeof(probeopt_ints) / sizeof(probeopt_ints[0]); i++)
		if (!strcmp(probeopt_ints[i].name, name))
			return &probeopt_ints[i];
	return NULL;
}

static const char *const probeopt_strings[] = { "--url", "--send", "--send-file",
	"--subprotocol", "--header", "--ca-file", "--csv" };

static bool probeopt_takes_value(const char *name)
{
	for (size_t i = 0; i < sizeof(probeopt_strings) / sizeof(probeopt_strings[0]); i++)
		if (!strcmp(probeopt_strings[i], name))
			return true;
	return probeopt_find_int(name) != NULL;
}

/* One "--name value" pair into *o; false with a sentence in err. */
static bool probeopt_one(const char *name, const char *val, struct probeopt *o,
			 char *err, size_t errcap)
{
	const struct probeopt_int *oi = probeopt_find_int(name);

	if (oi) {
		if (!cli_int(val, oi->min, oi->max, (int *)((char *)o + oi->offset)))
			return cli_fail(err, errcap, "%s must be an integer from %ld "
					"to %ld, not '%s'", name, oi->min, oi->max, val);
		return true;
	}
	if (!strcmp(name, "--url"))
		return probeopt_parse_url(val, &o->url, err, errcap);
	if (!strcmp(name, "--send")) {
		if (strlen(val) > PROBEOPT_SEND_MAX)
			return cli_fail(err, errcap, "--send is over %d bytes", PROBEOPT_SEND_MAX);
		o->send = val;
	} else if (!strcmp(name, "--send-file")) {
		o->send_file = val;
	} else if (!strcmp(name, "--subprotocol")) {
		for (const char *c = val; *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr("!#$%&'*+-.^_`|~", *c))
				return cli_fail(err, errcap, "--subprotocol must be one "
						"token (letters, digits, -._~...), not '%.40s'", val);
		if (!*val)
			return cli_fail(err, errcap, "--subprotocol is empty");
		o->subprotocol = val;
	} else if (!strcmp(name, "--header")) {
		if (o->n_headers == PROBEOPT_HEADERS_MAX)
			return cli_fail(err, errcap, "at most %d --header options",
					PROBEOPT_HEADERS_MAX);
		if (!probeopt_header(val, err, errcap))
			return false;
		o->headers[o->n_headers++] = val;
	} else if (!strcmp(name, "--ca-file")) {
		o->ca_file = val;
	} else if (!strcmp(name, "--csv")) {
		o->csv = val;
	} else {
		return cli_fail(err, errcap, "unknown option '%s'", name);
	}
	return true;
}

bool probeopt_parse(int argc, char **argv, struct probeopt *o, char *err,
		    size_t errcap)
{
	bool have_url = false;

	*o = (struct probeopt){ .ping_ms = 10, .duration_s = 10, .connect_timeout_s = 10,
				.stall_ms = 100,
				.burst_silence_ms = 100 };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			o->help = true;
			return true;
		}
		if (!strcmp(arg, "--insecure")) {
			o->insecure = true;
			continue;
		}
		if (!strcmp(arg, "--quiet")) {
			o->quiet = true;
			continue;
		}
		if (!strcmp(arg, "--print")) {
			o->print = true;
			continue;
		}
		char name[32];
		const char *eq, *val;

		if (!cli_option(arg, name, sizeof(name), &eq, err, errcap))
			return false;
		if (!probeopt_takes_value(name))
			return cli_fail(err, errcap, "unknown option '%s'", name);
		val = cli_value(argc, argv, &i, eq);
		if (!val)
			return cli_fail(err, errcap, "%s needs a value", name);
		if (!probeopt_one(name, val, o, err, errcap))
			return false;
		if (!strcmp(name, "--url"))
			have_url = true;
	}
	if (!have_url)
		return cli_fail(err, errcap, "--url is required, e.g. --url ws://127.0.0.1:8080/");
	if (o->send && o->send_file)
		return cli_fail(err, errcap, "give --send or --send-file, not both");
	if (o->every_ms && !o->send && !o->send_file)
		return cli_fail(err, errcap, "--every-ms repeats --send or --send-file: "
				"give one of them");
	if ((o->insecure || o->ca_file) && !o->url.tls)
		return cli_fail(err, errcap, "%s is for wss:// URLs",
				o->insecure ? "--insecure" : "--ca-file");
	if (o->insecure && o->ca_file)
		return cli_fail(err, errcap, "give --insecure or --ca-file, not both");
	if ((long)o->duration_s * 1000 / o->ping_ms > PROBEOPT_PINGS_MAX)
		return cli_fail(err, errcap, "--duration-s %d at --ping-ms %d would keep "
				"over %ld pings: raise --ping-ms or shorten the run",
				o->duration_s, o->ping_ms, PROBEOPT_PINGS_MAX);
	return true;
}
