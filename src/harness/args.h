/*
 * args.h: the harness command line. A pure parser, unit-tested.
 */
#ifndef SENDLAB_ARGS_H
#define SENDLAB_ARGS_H

#include "harness/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARGS_RUNS_MAX 100
#define ARGS_BYSTANDER_MS_MAX 10000
#define ARGS_CLIENTS_MAX REPORT_CLIENTS_MAX	/* the CSV reader's range too */

struct args {
	const char *url;		/* --url ws://HOST:PORT/ (required) */
	int items;			/* --items N (required), 1..1000 */
	int work_ms;			/* --work-ms M (required), 0..10000 */
	int runs;			/* --runs R, default 1; with --run R/N: N */
	int run_as;			/* --run R/N: this invocation is run R
					   (1..N) of N, interleaved with other
					   servers' runs; 0 = not given */
	int clients;			/* --clients K, 1..ARGS_CLIENTS_MAX, default 1:
					   K connections, one job each, sent
					   together once all K are open */
	int bystander_ms;		/* --bystander-ms MS, 0 (default) = none */
	const char *csv;		/* --csv FILE: one row per message */
	const char *bystander_csv;	/* --bystander-csv FILE: one row per echo */
	const char *lag_csv;		/* --lag-csv FILE: the server's stats per run */
	bool quiet;			/* --quiet: no per-run lines */
	bool help;			/* --help */
	/* parsed from url */
	char host[256];
	int port;
	char path[256];
};

/*
 * Parses argv into *a. Returns true on success, otherwise false with one
 * sentence in err[0..errcap). The URL must be ws://HOST[:PORT][/PATH]
 * (port default 80); wss:// is refused, the servers speak plain ws only.
 * items * work_ms must be at most 60000, as the protocol requires.
 */
bool args_parse(int argc, char **argv, struct args *a, char *err, size_t errcap);

void args_usage(FILE *f);

/*
 * The harness's exit statuses (args_usage() documents them).
 * ARGS_EXIT_FAILED: it gave up before any run sent its job, so nothing was
 * measured (cannot connect, the upgrade refused or never answered).
 * ARGS_EXIT_INCOMPLETE: it gave up after a job was sent (the server died,
 * closed the connection, stopped answering, or answered with an error): the
 * CSV files hold every row received and end with a "# incomplete" line.
 */
enum args_exit {
	ARGS_EXIT_OK = 0,
	ARGS_EXIT_FAILED = 1,
	ARGS_EXIT_USAGE = 2,
	ARGS_EXIT_INCOMPLETE = 3,
};

/*
 * Every wait of the harness is bounded. J = items * work_ms is one job's
 * nominal length and K = --clients the jobs of a run; ARGS_MARGIN_MS is
 * room for a loaded machine (a busy core, a slow start-up), generous
 * because a false timeout costs a whole experiment. Each bound covers
 * every client's connection: a phase ends only when all K have what it
 * waits for, so no client waits longer than its bound.
 */
#define ARGS_MARGIN_MS 5000

/* Opening the connections, the K clients' and the bystander's: TCP connect
 * and WebSocket upgrade: J + margin (a blocking server answers an upgrade
 * only between jobs, and another user's job of this size may be running;
 * our own jobs wait until every connection is open, so K adds nothing). */
int args_connect_timeout_ms(const struct args *a);

/* Every result of every client's job, counted from the `run` requests:
 * 3 K J + margin. K J is the work the run gives the server; a server that
 * does it one job at a time (the blocking variants) ends the last job
 * after K J, and a slow-but-working one, even one that starts sending
 * only after each whole job as the bug does, finishes well inside 3 K J.
 * K = 1: 3 J + margin, as it always was. */
int args_results_timeout_ms(const struct args *a);

/* A reply with no work behind it: the bystander's echoes still out after
 * the last result, the stats reply, the connections closing: the margin. */
int args_reply_timeout_ms(const struct args *a);

#endif
