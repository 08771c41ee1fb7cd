/*
 * options.h: the server command line every variant shares (see the spec's
 * "Server command line"). Parsing is a pure function so it is unit-tested;
 * server_main() turns a failure into usage on stderr and exit status 2.
 */
#ifndef SENDLAB_OPTIONS_H
#define SENDLAB_OPTIONS_H

#include "core/origin.h"
#include "core/work.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum send_mode { SEND_PROACTOR, SEND_QUEUE, SEND_DIRECT };

/* How the thread pool's workers are scheduled against the loop thread
 * (--worker-priority; docs/scaling.md, "Who gets the core"). */
enum worker_priority { PRIORITY_NORMAL, PRIORITY_NICE, PRIORITY_IDLE };

/* How server-partition gives the loop back between slices (--yield):
 * session_yield() in core/yield.c, measured in docs/variants.md. */
enum yield_mode { YIELD_TURN, YIELD_WRITEABLE, YIELD_WAKE, YIELD_TIMER0, YIELD_TIMER1 };

/* Options only some variants accept (struct variant's `options`). */
#define OPTIONS_THREADS (1u << 0)	/* --threads N, --worker-priority P,
					   --loop-slice-us US */
#define OPTIONS_PONG_TIMEOUT (1u << 1)	/* --pong-timeout-ms MS */
#define OPTIONS_SLICES (1u << 2)	/* --slice-ms S, --yield HOW */

#define OPTIONS_DEFAULT_PORT 7681
#define OPTIONS_THREADS_MAX 256
#define OPTIONS_PONG_TIMEOUT_DEFAULT 5000
#define OPTIONS_PONG_TIMEOUT_MAX 60000
#define OPTIONS_MAX_CLIENTS_DEFAULT 256
#define OPTIONS_MAX_CLIENTS_MAX 1000	/* under the usual 1024 open files */
/* --idle-timeout-s: a WebSocket quiet this long is pinged, then closed
 * (core/idle.h); 0 turns it off */
#define OPTIONS_IDLE_TIMEOUT_DEFAULT 60
#define OPTIONS_IDLE_TIMEOUT_MAX 86400
#define OPTIONS_SLICE_DEFAULT 5
#define OPTIONS_SLICE_MAX 1000
#define OPTIONS_YIELD_DEFAULT YIELD_TURN
#define OPTIONS_ITERS_PER_MS_MAX 1000000000	/* ~2000x this project's 2-core VM */
/* SCHED_IDLE: the one policy under which the loop, and the clients on the
 * same machine, get a core the moment they wake (threadpool.c,
 * pool_set_priority(), has the numbers and the price). */
#define OPTIONS_PRIORITY_DEFAULT PRIORITY_IDLE
/* --loop-slice-us: the loop thread's EEVDF slice; 0 keeps the kernel's
 * (1.4 ms on the 2-core VM). Linux (>= 6.12) clamps a requested slice to
 * 100..100000 us. Measured with scripts/priority.sh (3 repeats): behind
 * nice +5 workers, 100 us cut the loop's queue-wait p99 at K = 8 from
 * 0.30-1.87 to 0.12-0.63 ms (K = 16: 0.14-1.57 to 0.16-0.35), but not the
 * bystander's worst (2.4-5.6 against 0.4-5.1 ms: the harness waits behind
 * those workers too); with SCHED_IDLE workers it changed nothing beyond
 * the noise. So it stays 0. */
#define OPTIONS_LOOP_SLICE_MAX 100000
#define OPTIONS_LOOP_SLICE_DEFAULT 0
/* --clock-offset-ms: at most an hour either way, plenty to tell a shifted
 * clock from the truth and far from int64 overflow */
#define OPTIONS_CLOCK_OFFSET_MAX 3600000

struct options {
	const char *host;	/* --host, default "127.0.0.1" */
	int port;		/* --port, default 7681; 0 = kernel's choice */
	int threads;		/* --threads; 0 = not given */
	int pong_timeout_ms;	/* --pong-timeout-ms, default 5000 */
	int max_clients;	/* --max-clients, default 256 */
	int idle_timeout_s;	/* --idle-timeout-s, default 60; 0 = never */
	int iters_per_ms;	/* --iters-per-ms; 0 = measure at start-up */
	/* The enums are stored through an int by the parser's table. */
	enum send_mode send;	/* --send, default proactor */
	enum work_kind work;	/* --work, default cpu */
	enum worker_priority worker_priority; /* --worker-priority */
	int loop_slice_us;	/* --loop-slice-us; 0 = the kernel's default */
	int slice_ms;		/* --slice-ms, default 5 */
	enum yield_mode yield;	/* --yield, default turn */
	const char *lag_log;	/* --lag-log FILE, or NULL */
	/* --allow-origin, repeatable: other pages that may open a
	 * WebSocket here besides the server's own (core/origin.h) */
	const char *allow_origin[ORIGIN_ALLOWED_MAX];
	int n_allow_origin;
	bool quiet;		/* --quiet */
	/* Experiment-only options, outside sendlab/1's command line
	 * (docs/network.md): they make a server on this host behave like
	 * one elsewhere. */
	int clock_offset_ms;	/* --clock-offset-ms: added to every stamp the
				   server writes, as if its clock were another
				   machine's; 0 = none */
	bool nagle;		/* --nagle: turn Nagle's algorithm back on
				   (libwebsockets turns it off) */
	bool calibrate;		/* --calibrate: print the calibration, exit 0 */
	bool help;		/* --help: print usage and exit 0 */
};

_Static_assert(sizeof(enum send_mode) == sizeof(int) &&
	       sizeof(enum work_kind) == sizeof(int) &&
	       sizeof(enum worker_priority) == sizeof(int) &&
	       sizeof(enum yield_mode) == sizeof(int),
	       "options.c stores the enums through an int");

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

/* The worker threads when --threads is not given: the online CPUs (as
 * sysconf(_SC_NPROCESSORS_ONLN) reports them, < 1 when unknown), at least
 * 1 and at most OPTIONS_THREADS_MAX. */
int options_threads_default(long online_cpus);

/* Writes the usage text for server-<variant> to f. */
void options_usage(FILE *f, const char *variant, unsigned allowed);

const char *options_send_name(enum send_mode m);
const char *options_work_name(enum work_kind k);
const char *options_priority_name(enum worker_priority p);
const char *options_yield_name(enum yield_mode y);

#endif
