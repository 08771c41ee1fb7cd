/*
 * options.h: the server command line every variant shares (see the spec's
 * "Server command line"). Parsing is a pure function so it is unit-tested;
 * server_main() turns a failure into usage on stderr and exit status 2.
 */
#ifndef SENDLAB_OPTIONS_H
#define SENDLAB_OPTIONS_H

#include "core/work.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum send_mode { SEND_PROACTOR, SEND_QUEUE, SEND_DIRECT };

/* Options only some variants accept (struct variant's `options`). */
#define OPTIONS_THREADS (1u << 0)	/* --threads N */
#define OPTIONS_PONG_TIMEOUT (1u << 1)	/* --pong-timeout-ms MS */

#define OPTIONS_DEFAULT_PORT 7681
#define OPTIONS_THREADS_MAX 256
#define OPTIONS_PONG_TIMEOUT_DEFAULT 5000
#define OPTIONS_PONG_TIMEOUT_MAX 60000
#define OPTIONS_MAX_CLIENTS_DEFAULT 256
#define OPTIONS_MAX_CLIENTS_MAX 1000	/* under the usual 1024 open files */

struct options {
	const char *host;	/* --host, default "127.0.0.1" */
	int port;		/* --port, default 7681; 0 = kernel's choice */
	int threads;		/* --threads; 0 = not given */
	int pong_timeout_ms;	/* --pong-timeout-ms, default 5000 */
	int max_clients;	/* --max-clients, default 256 */
	enum send_mode send;	/* --send, default proactor */
	enum work_kind work;	/* --work, default cpu */
	const char *lag_log;	/* --lag-log FILE, or NULL */
	bool quiet;		/* --quiet */
	bool help;		/* --help: print usage and exit 0 */
};

/*
 * Parses argv[1..argc) into *o (defaults first). `allowed` is the set of
 * OPTIONS_* flags this variant accepts; `variant` names it in messages.
 * Returns true on success; on failure writes one sentence naming the option
 * and what is allowed into err[0..errcap) and returns false. Accepts
 * "--opt value" and "--opt=value". Keeps pointers into argv.
 */
bool options_parse(int argc, char **argv, const char *variant,
		   unsigned allowed, struct options *o, char *err,
		   size_t errcap);

/* Writes the usage text for server-<variant> to f. */
void options_usage(FILE *f, const char *variant, unsigned allowed);

const char *options_send_name(enum send_mode m);
const char *options_work_name(enum work_kind k);

#endif
