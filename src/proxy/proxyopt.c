/*
 * proxyopt.c: see proxyopt.h. Every integer option is one row of
 * proxyopt_ints; --to and --help are the two special cases.
 */
#include "proxy/proxyopt.h"

#include "common/cli.h"

#include <stddef.h>
#include <string.h>

struct proxyopt_int {
	const char *name;
	size_t offset;		/* of the int field in struct proxyopt */
	long min, max;
};

static const struct proxyopt_int proxyopt_ints[] = {
	{ "--delay-ms", offsetof(struct proxyopt, delay_ms), 0, PROXYOPT_DELAY_MAX },
	{ "--port", offsetof(struct proxyopt, port), 0, 65535 },
	{ "--buffer-kb", offsetof(struct proxyopt, buffer_kb), 1, PROXYOPT_BUFFER_KB_MAX },
	{ "--max-conns", offsetof(struct proxyopt, max_conns), 1, PROXYOPT_MAX_CONNS_MAX },
};

void proxyopt_usage(FILE *f)
{
	fprintf(f,
		"usage: delayproxy --to HOST:PORT --delay-ms D [options]\n"
		"  --to HOST:PORT  where to relay each connection (an IPv4 address\n"
		"                  or a name that resolves to one)\n"
		"  --delay-ms D    delay every byte by D ms in each direction, 0..%d\n"
		"  --port P        port to listen on at 127.0.0.1, 0 for any free one\n"
		"                  (default 0)\n"
		"  --buffer-kb K   each direction queues at most K KiB, 1..%d (default\n"
		"                  %d); when full the proxy stops reading that side\n"
		"  --max-conns N   connection pairs at once, 1..%d (default %d); the\n"
		"                  next one is accepted and closed at once\n"
		"  --help          show this text\n"
		"Prints \"listening on 127.0.0.1:PORT\" when ready; SIGINT or SIGTERM "
		"stops it.\n",
		PROXYOPT_DELAY_MAX, PROXYOPT_BUFFER_KB_MAX, PROXYOPT_BUFFER_KB_DEFAULT,
		PROXYOPT_MAX_CONNS_MAX, PROXYOPT_MAX_CONNS_DEFAULT);
}

/* "HOST:PORT" into o->to_host and o->to_port. HOST is everything before
 * the last ':' and must be non-empty; whether it resolves is checked
 * later. */
static bool proxyopt_to(const char *val, struct proxyopt *o, char *err, size_t errcap)
{
	const char *colon = strrchr(val, ':');
	size_t hlen = colon ? (size_t)(colon - val) : 0;

	if (!colon || hlen == 0)
		return cli_fail(err, errcap, "--to must be HOST:PORT, not '%s'", val);
	if (hlen > PROXYOPT_HOST_MAX)
		return cli_fail(err, errcap, "--to's host is over %d characters",
				PROXYOPT_HOST_MAX);
	if (!cli_int(colon + 1, 1, 65535, &o->to_port))
		return cli_fail(err, errcap, "--to's port must be an integer from 1 "
				"to 65535, not '%s'", colon + 1);
	memcpy(o->to_host, val, hlen);
	o->to_host[hlen] = '\0';
	return true;
}

static const struct proxyopt_int *proxyopt_find_int(const char *name)
{
	for (size_t i = 0; i < sizeof(proxyopt_ints) / sizeof(proxyopt_ints[0]); i++)
		if (!strcmp(proxyopt_ints[i].name, name))
			return &proxyopt_ints[i];
	return NULL;
}

bool proxyopt_parse(int argc, char **argv, struct proxyopt *o, char *err,
		    size_t errcap)
{
	bool have_to = false, have_delay = false;

	*o = (struct proxyopt){ .buffer_kb = PROXYOPT_BUFFER_KB_DEFAULT,
				.max_conns = PROXYOPT_MAX_CONNS_DEFAULT };
	for (int i = 1; i < argc; i++) {
		char name[32];
		const char *eq;

		if (!cli_option(argv[i], name, sizeof(name), &eq, err, errcap))
			return false;
		if (!strcmp(name, "--help")) {
			if (eq)
				return cli_fail(err, errcap, "--help takes no value");
			o->help = true;
			continue;
		}

		const struct proxyopt_int *r = proxyopt_find_int(name);

		if (!r && strcmp(name, "--to") != 0)
			return cli_fail(err, errcap, "unknown option '%s'", name);

		const char *val = cli_value(argc, argv, &i, eq);

		if (!val)
			return cli_fail(err, errcap, "%s needs a value", name);
		if (!r) {
			if (!proxyopt_to(val, o, err, errcap))
				return false;
			have_to = true;
		} else if (!cli_int(val, r->min, r->max, (int *)((char *)o + r->offset))) {
			return cli_fail(err, errcap, "%s must be an integer from %ld "
					"to %ld, not '%s'", name, r->min, r->max, val);
		} else if (r->offset == offsetof(struct proxyopt, delay_ms)) {
			have_delay = true;
		}
	}
	if (o->help)
		return true;
	if (!have_to)
		return cli_fail(err, errcap, "--to HOST:PORT is required: where "
				"to relay the connections");
	if (!have_delay)
		return cli_fail(err, errcap, "--delay-ms D is required (0 relays "
				"without delay)");
	return true;
}
