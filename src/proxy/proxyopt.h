/*
 * proxyopt.h: build/delayproxy's command line, parsed strictly (the same
 * way and with the same kind of one-sentence errors as the servers'
 * options.c). Pure: resolving --to's host is delayproxy.c's job.
 */
#ifndef SENDLAB_PROXYOPT_H
#define SENDLAB_PROXYOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROXYOPT_DELAY_MAX 10000	/* ms */
#define PROXYOPT_BUFFER_KB_DEFAULT 256
/* 16 MiB a direction: with --max-conns 500 at most 16 GiB of address
 * space, touched only as bytes really queue */
#define PROXYOPT_BUFFER_KB_MAX 16384
#define PROXYOPT_MAX_CONNS_DEFAULT 64
/* two fds a pair: 500 pairs stay under the usual limit of 1024 fds */
#define PROXYOPT_MAX_CONNS_MAX 500
#define PROXYOPT_HOST_MAX 255

struct proxyopt {
	char to_host[PROXYOPT_HOST_MAX + 1];	/* --to's HOST */
	int to_port;				/* --to's PORT, 1..65535 */
	int delay_ms;				/* --delay-ms, required */
	int port;				/* --port, 0: any free one */
	int buffer_kb;				/* --buffer-kb, a direction's cap */
	int max_conns;				/* --max-conns */
	bool help;				/* --help */
};

/* Parses argv[1..argc) into *o ("--name value" or "--name=value").
 * Returns false with one sentence naming the argument in err. */
bool proxyopt_parse(int argc, char **argv, struct proxyopt *o, char *err,
		    size_t errcap);

void proxyopt_usage(FILE *f);

#endif
