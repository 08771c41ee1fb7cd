/*
 * args.c: strict parsing of the harness command line.
 */
#include "harness/args.h"

#include "common/cli.h"
#include "common/wire.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

void args_usage(FILE *f)
{
	fprintf(f,
		"usage: harness --url ws://127.0.0.1:PORT/ --items N --work-ms M [options]\n"
		"  --url URL             the server (plain ws://)\n"
		"  --items N             work items per job, 1..%d\n"
		"  --work-ms M           milliseconds of work per item, 0..%d\n"
		"                        (items * work-ms at most %d)\n"
		"  --runs R              runs, each on fresh connections (default 1)\n"
		"  --run R/N             one run, the R-th of N that several calls make\n"
		"                        (an experiment interleaving servers): its rows\n"
		"                        say run R, the CSV files are appended to (run 1\n"
		"                        creates them with their header), and a failure\n"
		"                        is marked \"run R of N\"; it prints the run's\n"
		"                        line but no medians (they are over one run)\n"
		"  --clients K           K concurrent clients per run, 1..%d (default 1):\n"
		"                        each opens its own connection; once all K are\n"
		"                        open, each sends one job, back to back, so the K\n"
		"                        jobs start together; the CSV's last column,\n"
		"                        client, says which client (0..K-1) a result\n"
		"                        reached; K > 1 adds each client's first result\n"
		"                        and the makespan to the per-run line\n"
		"  --bystander-ms MS     a second connection sends an echo every MS ms\n"
		"                        during each job: how long another client waits\n"
		"  --csv FILE            one row per result message: variant,run,seq,\n"
		"                        t_request_us,t_recv_us,t_start_us,t_done_us,\n"
		"                        t_send_us,t_arrive_us,client,cpu_us,\n"
		"                        clock_offset_us,clock_offset_err_us (before each\n"
		"                        job 5 echoes measure the server's clock; its\n"
		"                        stamps are shifted into this one's if the two\n"
		"                        differ by more than half the best round trip:\n"
		"                        docs/network.md)\n"
		"  --bystander-csv FILE  one row per bystander echo\n"
		"  --lag-csv FILE        the server's event-loop lag summary per run\n"
		"  --quiet               no per-run lines, only the final summary\n"
		"  --help                show this text\n"
		"Every wait is bounded (J = items * work-ms, one job's nominal length;\n"
		"K = --clients), and covers every client's connection:\n"
		"  opening the connections (TCP connect, WebSocket upgrade)  J + %d s\n"
		"  each of the 5 clock echoes before the job                %d s\n"
		"  every result of the K jobs, from the run requests       3 K J + %d s\n"
		"  the bystander's echo replies still out after the job     %d s\n"
		"  the stats reply                                          %d s\n"
		"  the connections closing                                  %d s\n"
		"A wait that runs out ends the harness; stderr names the URL, the run,\n"
		"what it waited for and for how long.\n"
		"Exit status:\n"
		"  0  every run complete\n"
		"  1  failed before any job was sent: nothing measured (cannot connect,\n"
		"     the upgrade refused or unanswered, a file cannot be created)\n"
		"  2  bad command line\n"
		"  3  incomplete: a run failed after a job was sent (the server died,\n"
		"     closed a connection, stopped answering, or sent an error): with\n"
		"     K clients, any one client's failure makes the run incomplete\n"
		"When a run fails, every CSV file holds the rows received and ends with\n"
		"the line  # incomplete: run R of N: WHY\n",
		WIRE_ITEMS_MAX, WIRE_WORK_MS_MAX, WIRE_JOB_MS_MAX, ARGS_CLIENTS_MAX,
		ARGS_MARGIN_MS / 1000, ARGS_MARGIN_MS / 1000, ARGS_MARGIN_MS / 1000,
		ARGS_MARGIN_MS / 1000, ARGS_MARGIN_MS / 1000, ARGS_MARGIN_MS / 1000);
}

/* Splits ws://HOST[:PORT][/PATH] into a. */
static bool args_parse_url(struct args *a, char *err, size_t cap)
{
	const char *u = a->url;

	if (!strncmp(u, "wss://", 6))
		return cli_fail(err, cap, "--url %s: wss:// is not supported; "
				 "the sendlab servers speak plain ws://", u);
	if (strncmp(u, "ws://", 5))
		return cli_fail(err, cap, "--url %s: must start with ws://", u);
	u += 5;

	size_t host_len = strcspn(u, ":/");

	if (host_len == 0 || host_len >= sizeof(a->host))
		return cli_fail(err, cap, "--url %s: missing or overlong host", a->url);
	memcpy(a->host, u, host_len);
	a->host[host_len] = '\0';
	u += host_len;

	a->port = 80;
	if (*u == ':') {
		char port[8];
		size_t n = strcspn(u + 1, "/");

		if (n == 0 || n >= sizeof(port))
			return cli_fail(err, cap, "--url %s: bad port", a->url);
		memcpy(port, u + 1, n);
		port[n] = '\0';
		if (!cli_int(port, 1, 65535, &a->port))
			return cli_fail(err, cap, "--url %s: port must be 1..65535",
					 a->url);
		u += 1 + n;
	}
	if (strlen(u) >= sizeof(a->path))
		return cli_fail(err, cap, "--url %s: path too long", a->url);
	strcpy(a->path, *u ? u : "/");
	return true;
}

/* "R/N" into a->run_as and a->runs; false unless 1 <= R <= N <= max. */
static bool args_parse_run_of(const char *val, struct args *a)
{
	char r[16];
	const char *slash = strchr(val, '/');
	size_t n = slash ? (size_t)(slash - val) : 0;
	int run, of;

	if (!slash || n == 0 || n >= sizeof(r))
		return false;
	memcpy(r, val, n);
	r[n] = '\0';
	if (!cli_int(r, 1, ARGS_RUNS_MAX, &run) || !cli_int(slash + 1, 1, ARGS_RUNS_MAX, &of) ||
	    run > of)
		return false;
	a->run_as = run;
	a->runs = of;
	return true;
}

/* The options that take an integer, each with its range and its field. */
enum {
	ARGS_OPT_ITEMS, ARGS_OPT_WORK_MS, ARGS_OPT_RUNS, ARGS_OPT_CLIENTS,
	ARGS_OPT_BYSTANDER_MS, ARGS_INT_OPTIONS
};
static const struct args_int_option {
	const char *name;
	int min, max;
	size_t field;		/* offsetof(struct args, the int it sets) */
} args_int_options[ARGS_INT_OPTIONS] = {
	[ARGS_OPT_ITEMS] = { "--items", WIRE_ITEMS_MIN, WIRE_ITEMS_MAX,
			     offsetof(struct args, items) },
	[ARGS_OPT_WORK_MS] = { "--work-ms", 0, WIRE_WORK_MS_MAX,
			       offsetof(struct args, work_ms) },
	[ARGS_OPT_RUNS] = { "--runs", 1, ARGS_RUNS_MAX, offsetof(struct args, runs) },
	[ARGS_OPT_CLIENTS] = { "--clients", 1, ARGS_CLIENTS_MAX,
			       offsetof(struct args, clients) },
	[ARGS_OPT_BYSTANDER_MS] = { "--bystander-ms", 1, ARGS_BYSTANDER_MS_MAX,
				    offsetof(struct args, bystander_ms) },
};

/* One option and its value into a; sets bit i of *given for
 * args_int_options[i]. False with the sentence in err if either is wrong. */
static bool args_parse_option(const char *name, const char *val, struct args *a,
			      unsigned *given, char *err, size_t errcap)
{
	for (unsigned i = 0; i < ARGS_INT_OPTIONS; i++) {
		const struct args_int_option *o = &args_int_options[i];

		if (strcmp(name, o->name))
			continue;
		if (!cli_int(val, o->min, o->max, (int *)((char *)a + o->field)))
			return cli_fail(err, errcap, "%s must be an integer from %d "
					"to %d, not '%s'", name, o->min, o->max, val);
		*given |= 1u << i;
		return true;
	}
	if (!strcmp(name, "--run")) {
		if (!args_parse_run_of(val, a))
			return cli_fail(err, errcap, "--run must be R/N with 1 <= R "
					"<= N <= %d, not '%s'", ARGS_RUNS_MAX, val);
	} else if (!strcmp(name, "--url")) {
		a->url = val;
	} else if (!strcmp(name, "--csv")) {
		a->csv = val;
	} else if (!strcmp(name, "--bystander-csv")) {
		a->bystander_csv = val;
	} else if (!strcmp(name, "--lag-csv")) {
		a->lag_csv = val;
	} else {
		return cli_fail(err, errcap, "unknown option '%s'", name);
	}
	return true;
}

/* What no single option can check: the required ones, and the pairs. */
static bool args_check(struct args *a, unsigned given, char *err, size_t errcap)
{
	if (!a->url)
		return cli_fail(err, errcap, "--url is required");
	if (!(given & 1u << ARGS_OPT_ITEMS) || !(given & 1u << ARGS_OPT_WORK_MS))
		return cli_fail(err, errcap, "--items and --work-ms are required");
	if (a->items * a->work_ms > WIRE_JOB_MS_MAX)
		return cli_fail(err, errcap, "--items * --work-ms must be at most "
				 "%d, got %d", WIRE_JOB_MS_MAX, a->items * a->work_ms);
	if (a->run_as && given & 1u << ARGS_OPT_RUNS)
		return cli_fail(err, errcap, "--run R/N and --runs exclude each other: "
				"--run is one run of N");
	if (a->bystander_csv && !a->bystander_ms)
		return cli_fail(err, errcap, "--bystander-csv needs --bystander-ms");
	return args_parse_url(a, err, errcap);
}

bool args_parse(int argc, char **argv, struct args *a, char *err, size_t errcap)
{
	unsigned given = 0;	/* bit i: args_int_options[i] came */

	*a = (struct args){ .runs = 1, .clients = 1 };
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];

		if (!strcmp(name, "--help")) {
			a->help = true;
			continue;
		}
		if (!strcmp(name, "--quiet")) {
			a->quiet = true;
			continue;
		}
		if (strncmp(name, "--", 2))
			return cli_fail(err, errcap, "unexpected argument '%s'", name);
		if (i + 1 >= argc)
			return cli_fail(err, errcap, "%s needs a value", name);
		if (!args_parse_option(name, argv[++i], a, &given, err, errcap))
			return false;
	}
	return a->help || args_check(a, given, err, errcap);
}

/* J, the job's nominal length in ms */
static int args_job_ms(const struct args *a)
{
	return a->items * a->work_ms;
}

int args_connect_timeout_ms(const struct args *a)
{
	return args_job_ms(a) + ARGS_MARGIN_MS;
}

int args_results_timeout_ms(const struct args *a)
{
	/* at most 3 x 64 x 60000 ms: well inside an int */
	return 3 * a->clients * args_job_ms(a) + ARGS_MARGIN_MS;
}

int args_reply_timeout_ms(const struct args *a)
{
	(void)a;
	return ARGS_MARGIN_MS;
}
