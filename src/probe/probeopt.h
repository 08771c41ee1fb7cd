/*
 * probeopt.h: build/wsprobe's command line and its --url, parsed strictly
 * with one-sentence errors (the same way as the servers' options.c and the
 * proxy's proxyopt.c). Pure: reading --send-file and resolving the host are
 * wsprobe.c's job.
 */
#ifndef SENDLAB_PROBEOPT_H
#define SENDLAB_PROBEOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROBEOPT_HOST_MAX 255
#define PROBEOPT_PATH_MAX 1024
#define PROBEOPT_HEADERS_MAX 16
#define PROBEOPT_HEADER_LEN_MAX 1024
#define PROBEOPT_SEND_MAX (1024 * 1024)		/* bytes of --send / --send-file */
/* Every ping is kept until the end (for the percentiles and the CSV):
 * 24 bytes each, so this bounds the probe's memory at about 48 MB. */
#define PROBEOPT_PINGS_MAX 2000000L

/* Exit statuses: a script can tell "it ran" from "it could not". */
enum {
	PROBE_EXIT_OK = 0,		/* ran for --duration-s; the report says what it saw */
	PROBE_EXIT_FAILED = 1,		/* could not connect, or the connection was lost */
	PROBE_EXIT_USAGE = 2,		/* a bad command line or --url */
	PROBE_EXIT_NO_PONG = 3,		/* the server did not answer the last ping (or any) */
};

struct probe_url {
	bool tls;				/* wss:// */
	char host[PROBEOPT_HOST_MAX + 1];	/* without the [ ] of an IPv6 address */
	bool ipv6;				/* written as [addr] */
	int port;				/* default 80 (ws) or 443 (wss) */
	char path[PROBEOPT_PATH_MAX + 1];	/* "/" when the URL has none */
};

struct probeopt {
	struct probe_url url;
	int ping_ms;		/* the pause after a pong before the next ping */
	int duration_s;		/* pinging time after the connection opened */
	int connect_timeout_s;	/* give up connecting after this */
	int messages;		/* end the run at this many messages; 0: no */
	int stall_ms;		/* a pong later than this is a stall */
	int burst_silence_ms;	/* quiet before a burst of messages */
	const char *send;	/* --send TEXT, or NULL */
	const char *send_file;	/* --send-file PATH, or NULL */
	int every_ms;		/* repeat the send every M ms; 0: once */
	const char *subprotocol;
	const char *headers[PROBEOPT_HEADERS_MAX];	/* "Name: value" */
	int n_headers;
	bool insecure;		/* wss: accept any certificate */
	const char *ca_file;	/* wss: trust these instead of the system's */
	const char *csv;	/* --csv PATH, or NULL */
	bool quiet;		/* no live line */
	bool print;		/* print each message as it arrives */
	bool help;
};

/* Parses "ws://HOST[:PORT][/PATH]" or "wss://..." into *u. IPv6 hosts are
 * written [addr]. Query strings stay part of the path. Returns false with
 * one sentence in err (which part is wrong and what it must be). */
bool probeopt_parse_url(const char *s, struct probe_url *u, char *err, size_t errcap);

/* Parses argv[1..argc) ("--name value" or "--name=value") into *o; --url
 * is required unless --help. Returns false with one sentence in err. */
bool probeopt_parse(int argc, char **argv, struct probeopt *o, char *err,
		    size_t errcap);

void probeopt_usage(FILE *f);

#endif
