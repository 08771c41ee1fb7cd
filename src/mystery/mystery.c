/*
 * mystery.c: server-mystery, lab 09's hidden server
 * (labs/09-mystery/README.md): one of the five variants under one of the
 * three send disciplines, chosen when it is built, which students must
 * tell from outside with a probe.
 *
 * All five variants are linked in, so the binary's strings name every one
 * of them whichever runs: the Makefile compiles each src/servers/<v>.c a
 * second time with -Dmain=mystery_main_<v> (their main()s become the
 * functions below), -Dserver_main=mystery_server_main (their call of the
 * core lands here first) and -Dworkers_start=mystery_workers_start (the
 * thread pool names itself in its messages). The choice is the build
 * number MYSTERY_NUMBER, a compile-time constant, through cases.h.
 *
 * What would tell the choice is closed: the options that reveal it, by
 * being accepted or by what they print (the variant-specific ones, --send,
 * --lag-log), are refused with one sentence the same in every build; the
 * server runs --quiet, so it prints none of its start-up details
 * (send=..., slices of ...) or stall warnings; and the core sees a copy of
 * the variant named "mystery", so every result and stats frame and every
 * message says "mystery".
 */
#include "core/options.h"
#include "core/variant.h"
#include "core/workers.h"
#include "mystery/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MYSTERY_NUMBER
#error "server-mystery is built with -DMYSTERY_NUMBER=N, 0 <= N <= 999999: use make mystery [MYSTERY=N]"
#elif MYSTERY_NUMBER < 0 || MYSTERY_NUMBER > MYSTERY_NUMBER_MAX
#error "MYSTERY_NUMBER must be from 0 to 999999"
#endif

/* The variants' main()s and the core's entry as renamed by the Makefile's
 * -D flags (see the header comment). */
int mystery_main_blocking(int argc, char **argv);
int mystery_main_flush(int argc, char **argv);
int mystery_main_pingpong(int argc, char **argv);
int mystery_main_threadpool(int argc, char **argv);
int mystery_main_partition(int argc, char **argv);
int mystery_server_main(int argc, char **argv, const struct variant *v);
bool mystery_workers_start(const char *who, workers_run_fn run);

/* The name every message and frame gives this server. */
#define MYSTERY_NAME "mystery"

static const struct {
	const char *name;	/* as in cases.c */
	int (*main)(int argc, char **argv);
} mystery_variants[] = {
	{ "blocking", mystery_main_blocking },
	{ "flush", mystery_main_flush },
	{ "pingpong", mystery_main_pingpong },
	{ "threadpool", mystery_main_threadpool },
	{ "partition", mystery_main_partition },
};

/*
 * The options server-mystery refuses. --send would change the hidden
 * discipline, --lag-log would write the loop's lag (the answer without a
 * probe), and each variant-specific option would be accepted by one
 * variant only and refused elsewhere with a sentence naming the variant
 * it belongs to (core/options.c): either way it would tell the choice.
 */
static const char *const mystery_refused[] = {
	"--send", "--lag-log",
	"--threads", "--worker-priority", "--loop-slice-us",	/* threadpool */
	"--pong-timeout-ms",					/* pingpong */
	"--slice-ms", "--yield",				/* partition */
	NULL,
};

/* The refused option arg is, as "--opt" or "--opt=value" (options_parse()
 * takes both), or NULL if it is none of them. */
static const char *mystery_refused_option(const char *arg)
{
	size_t n = strcspn(arg, "=");

	for (int i = 0; mystery_refused[i]; i++)
		if (strlen(mystery_refused[i]) == n && !strncmp(arg, mystery_refused[i], n))
			return mystery_refused[i];
	return NULL;
}

/* The shared options (core/options.c) that server-mystery keeps, with the
 * refused ones named: the same text in every build. */
static void mystery_usage(FILE *f)
{
	fprintf(f,
		"usage: server-mystery [options]\n"
		"Lab 09's hidden server: one of the variants under one send\n"
		"discipline, chosen when it was built (labs/09-mystery/README.md).\n"
		"  --host ADDR     address to listen on (default 127.0.0.1; any other\n"
		"                  address exposes a lab server that has no authentication)\n"
		"  --port N        TCP port, 0 for any free one (default %d)\n"
		"  --work KIND     a work item is: cpu (default: real computation)\n"
		"                  or sleep (blocks like a synchronous I/O call)\n"
		"  --iters-per-ms N  the cpu kernel's speed to assume, 1..%d, instead\n"
		"                  of measuring it at start-up\n"
		"  --calibrate     measure the kernel's speed, print\n"
		"                  \"iters_per_ms N\" and exit\n"
		"  --max-clients N connections at once, 1..%d (default %d); the next\n"
		"                  one is closed with 1013 \"server full\"\n"
		"  --idle-timeout-s T  ping a WebSocket that sent nothing for T s\n"
		"                  (no job running), close it with 1001 if it does not\n"
		"                  answer; 0..%d, 0 = never (default %d)\n"
		"  --quiet         accepted; this server is always quiet\n"
		"  --allow-origin ORIGIN  also let the page at ORIGIN open WebSockets\n"
		"                  here; repeatable up to %d times\n"
		"experiment-only (docs/network.md):\n"
		"  --clock-offset-ms MS  add MS to every timestamp sent\n"
		"  --nagle         turn Nagle's algorithm back on\n"
		"  --help, -h      show this text\n"
		"Not available here, as they would reveal or change the hidden choice:\n"
		"  --send --lag-log --threads --worker-priority --loop-slice-us\n"
		"  --pong-timeout-ms --slice-ms --yield\n"
		"Prints \"listening on ws://HOST:PORT/\" when ready; "
		"SIGINT or SIGTERM stops it.\n",
		OPTIONS_DEFAULT_PORT, OPTIONS_ITERS_PER_MS_MAX,
		OPTIONS_MAX_CLIENTS_MAX, OPTIONS_MAX_CLIENTS_DEFAULT,
		OPTIONS_IDLE_TIMEOUT_MAX, OPTIONS_IDLE_TIMEOUT_DEFAULT, ORIGIN_ALLOWED_MAX);
}

/*
 * What the variants' renamed main()s call instead of server_main(): the
 * real server, given a copy of the variant named "mystery", so the core
 * writes that name into every frame and message. The copy keeps the
 * variant's options flags: main() has already refused those options, and
 * has checked the whole command line, so the core never prints its own
 * usage (which lists the options the variant takes).
 */
int mystery_server_main(int argc, char **argv, const struct variant *v)
{
	/* static: the core keeps the pointer until the process ends */
	static struct variant hidden;

	hidden = *v;
	hidden.name = MYSTERY_NAME;
	return server_main(argc, argv, &hidden);
}

/* What threadpool.c's start hook calls instead of workers_start(): the
 * same, naming this server rather than server-threadpool in the pool's
 * messages (out of memory, a thread that cannot start). */
bool mystery_workers_start(const char *who, workers_run_fn run)
{
	(void)who;
	return workers_start("server-" MYSTERY_NAME, run);
}

/*
 * Refuses the options that would tell the hidden choice (exit 2), answers
 * --help/-h (exit 0), checks the rest as the core would, with no
 * variant-specific option allowed, so an error is the same whichever
 * variant runs (exit 2), then runs the chosen variant with the hidden
 * --send and --quiet appended.
 */
int main(int argc, char **argv)
{
	const struct mystery_case *c = mystery_case_at(mystery_case_of(MYSTERY_NUMBER));
	int (*variant_main)(int, char **) = NULL;

	for (size_t i = 0; c && i < sizeof(mystery_variants) / sizeof(mystery_variants[0]); i++)
		if (!strcmp(mystery_variants[i].name, c->variant))
			variant_main = mystery_variants[i].main;
	if (!variant_main) {	/* cases.c and the table above disagree */
		fprintf(stderr, "server-mystery: this build's case is broken "
			"(src/mystery/cases.c); rebuild with make mystery\n");
		return 1;
	}

	for (int i = 1; i < argc; i++) {
		const char *refused = mystery_refused_option(argv[i]);

		if (refused) {
			fprintf(stderr, "server-mystery: %s is not available: the "
				"mystery server keeps its own settings "
				"(labs/09-mystery/README.md)\n", refused);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			mystery_usage(stdout);
			return 0;
		}

	struct options checked;
	char err[256];

	if (!options_parse(argc, argv, MYSTERY_NAME, 0, &checked, err, sizeof(err))) {
		fprintf(stderr, "server-" MYSTERY_NAME ": %s\n", err);
		mystery_usage(stderr);
		return 2;
	}

	/* argv, then the hidden settings; options_parse() keeps pointers into
	 * it, so it lives until the server has stopped */
	static char send_opt[] = "--send", quiet_opt[] = "--quiet";
	static char send_word[16];
	char **argv2 = calloc((size_t)argc + 4, sizeof(*argv2));

	if (!argv2) {
		fprintf(stderr, "server-mystery: out of memory\n");
		return 1;
	}
	/* a copy: argv's strings are not const (the longest word is 8) */
	snprintf(send_word, sizeof(send_word), "%s", c->send);
	memcpy(argv2, argv, (size_t)argc * sizeof(*argv2));
	argv2[argc] = send_opt;
	argv2[argc + 1] = send_word;
	argv2[argc + 2] = quiet_opt;
	argv2[argc + 3] = NULL;

	int status = variant_main(argc + 3, argv2);

	free(argv2);
	return status;
}
