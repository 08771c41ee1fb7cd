/*
 * options.c: strict parsing of the shared server command line.
 */
#include "core/options.h"

#include "common/cli.h"

#include <string.h>

const char *options_send_name(enum send_mode m)
{
	switch (m) {
	case SEND_PROACTOR: return "proactor";
	case SEND_QUEUE: return "queue";
	case SEND_DIRECT: return "direct";
	}
	return "?";
}

const char *options_work_name(enum work_kind k)
{
	return k == WORK_SLEEP ? "sleep" : "cpu";
}

void options_usage(FILE *f, const char *variant, unsigned allowed)
{
	fprintf(f,
		"usage: server-%s [options]\n"
		"  --host ADDR     address to listen on (default 127.0.0.1; any other\n"
		"                  address exposes a lab server that has no authentication)\n"
		"  --port N        TCP port, 0 for any free one (default %d)\n"
		"  --send MODE     send discipline: proactor (default), queue or direct\n"
		"  --work KIND     a work item is: cpu (default: real computation)\n"
		"                  or sleep (blocks like a synchronous I/O call)\n"
		"  --lag-log FILE  append event-loop lag samples to FILE as CSV t_us,lag_us\n"
		"  --max-clients N connections at once, 1..%d (default %d); the next\n"
		"                  one is closed with 1013 \"server full\"\n"
		"  --quiet         print no stall warnings\n",
		variant, OPTIONS_DEFAULT_PORT, OPTIONS_MAX_CLIENTS_MAX,
		OPTIONS_MAX_CLIENTS_DEFAULT);
	if (allowed & OPTIONS_THREADS)
		fprintf(f, "  --threads N     worker threads, 1..%d (default: online CPUs)\n",
			OPTIONS_THREADS_MAX);
	if (allowed & OPTIONS_PONG_TIMEOUT)
		fprintf(f, "  --pong-timeout-ms MS  abandon a job whose client does not answer\n"
			   "                  a ping within MS ms, 1..%d (default %d)\n",
			OPTIONS_PONG_TIMEOUT_MAX, OPTIONS_PONG_TIMEOUT_DEFAULT);
	fprintf(f, "  --help          show this text\n"
		   "Prints \"listening on ws://HOST:PORT/\" when ready; "
		   "SIGINT or SIGTERM stops it.\n");
}

bool options_parse(int argc, char **argv, const char *variant,
		   unsigned allowed, struct options *o, char *err,
		   size_t errcap)
{
	*o = (struct options){ .host = "127.0.0.1",
			       .port = OPTIONS_DEFAULT_PORT,
			       .send = SEND_PROACTOR,
			       .work = WORK_CPU,
			       .pong_timeout_ms = OPTIONS_PONG_TIMEOUT_DEFAULT,
			       .max_clients = OPTIONS_MAX_CLIENTS_DEFAULT };

	for (int i = 1; i < argc; i++) {
		char name[32];
		const char *arg = argv[i], *val = NULL;
		const char *eq = strchr(arg, '=');

		if (strncmp(arg, "--", 2) != 0)
			return cli_fail(err, errcap, "unexpected argument "
					    "'%s': options start with --", arg);
		size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
		if (n >= sizeof(name))
			return cli_fail(err, errcap, "unknown option '%.40s'", arg);
		memcpy(name, arg, n);
		name[n] = '\0';

		/* flags take no value */
		if (!strcmp(name, "--help") || !strcmp(name, "--quiet")) {
			if (eq)
				return cli_fail(err, errcap, "%s takes no value", name);
			if (!strcmp(name, "--help"))
				o->help = true;
			else
				o->quiet = true;
			continue;
		}

		bool known = !strcmp(name, "--host") || !strcmp(name, "--port") ||
			     !strcmp(name, "--send") || !strcmp(name, "--work") ||
			     !strcmp(name, "--lag-log") || !strcmp(name, "--threads") ||
			     !strcmp(name, "--pong-timeout-ms") ||
			     !strcmp(name, "--max-clients");
		if (!known)
			return cli_fail(err, errcap, "unknown option '%s'", name);
		if (!strcmp(name, "--threads") && !(allowed & OPTIONS_THREADS))
			return cli_fail(err, errcap, "--threads is only for "
					    "server-threadpool: server-%s computes on "
					    "its event-loop thread", variant);
		if (!strcmp(name, "--pong-timeout-ms") && !(allowed & OPTIONS_PONG_TIMEOUT))
			return cli_fail(err, errcap, "--pong-timeout-ms is only for "
					"server-pingpong: server-%s sends no pings", variant);

		val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val)
			return cli_fail(err, errcap, "%s needs a value", name);

		if (!strcmp(name, "--host")) {
			if (!*val)
				return cli_fail(err, errcap, "--host needs an address");
			o->host = val;
		} else if (!strcmp(name, "--port")) {
			if (!cli_int(val, 0, 65535, &o->port))
				return cli_fail(err, errcap, "--port must be an "
						    "integer from 0 to 65535, not '%s'", val);
		} else if (!strcmp(name, "--threads")) {
			if (!cli_int(val, 1, OPTIONS_THREADS_MAX, &o->threads))
				return cli_fail(err, errcap, "--threads must be an "
						    "integer from 1 to %d, not '%s'",
						    OPTIONS_THREADS_MAX, val);
		} else if (!strcmp(name, "--pong-timeout-ms")) {
			if (!cli_int(val, 1, OPTIONS_PONG_TIMEOUT_MAX, &o->pong_timeout_ms))
				return cli_fail(err, errcap, "--pong-timeout-ms must be an "
						"integer from 1 to %d, not '%s'",
						OPTIONS_PONG_TIMEOUT_MAX, val);
		} else if (!strcmp(name, "--max-clients")) {
			if (!cli_int(val, 1, OPTIONS_MAX_CLIENTS_MAX, &o->max_clients))
				return cli_fail(err, errcap, "--max-clients must be an "
						"integer from 1 to %d, not '%s'",
						OPTIONS_MAX_CLIENTS_MAX, val);
		} else if (!strcmp(name, "--send")) {
			if (!strcmp(val, "proactor"))
				o->send = SEND_PROACTOR;
			else if (!strcmp(val, "queue"))
				o->send = SEND_QUEUE;
			else if (!strcmp(val, "direct"))
				o->send = SEND_DIRECT;
			else
				return cli_fail(err, errcap, "--send must be proactor, "
						    "queue or direct, not '%s'", val);
		} else if (!strcmp(name, "--work")) {
			if (!strcmp(val, "cpu"))
				o->work = WORK_CPU;
			else if (!strcmp(val, "sleep"))
				o->work = WORK_SLEEP;
			else
				return cli_fail(err, errcap, "--work must be cpu or "
						    "sleep, not '%s'", val);
		} else { /* --lag-log */
			if (!*val)
				return cli_fail(err, errcap, "--lag-log needs a file name");
			o->lag_log = val;
		}
	}
	return true;
}
