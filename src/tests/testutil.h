/*
 * testutil.h: helpers shared by the integration tests: starting a server
 * variant from the build directory, talking sendlab/1 to it with the
 * independent client (wsclient.h), and reading its replies.
 */
#ifndef SENDLAB_TESTUTIL_H
#define SENDLAB_TESTUTIL_H

#include "harness/reply.h"
#include "client/spawn.h"
#include "client/wsclient.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Generous bounds: a loaded 2-core CI machine must not fail a test by
 * being slow, only by showing the wrong shape. */
#define TU_START_MS 10000	/* server start-up (calibration included) */
#define TU_STOP_MS 5000		/* exit after SIGTERM */
#define TU_IO_MS 5000		/* any single reply */

/* Every server variant, in the order the docs list them. */
extern const char *const tu_variants[];
#define TU_NVARIANTS 5

/* The Python original's variants (src/python/server.py --variant V),
 * each named "py-V" as its frames are. tu_start() starts them too. */
extern const char *const tu_py_variants[];
#define TU_NPY_VARIANTS 8

/* True for a "py-..." name: the server is src/python/server.py. */
bool tu_is_python(const char *variant);

/* The build directory ($SENDLAB_BUILD, default "build"). */
const char *tu_build_dir(void);

/* Starts build/server-<variant> --port 0 --quiet plus extra args (a
 * NULL-terminated list, may be empty); fails the test if it cannot. A
 * "py-V" variant is /usr/bin/python3 src/python/server.py --variant V
 * (never under valgrind: memcheck would test the interpreter). */
void tu_start(struct spawned *s, const char *variant, ...);

/* One calibration for the whole test process (server-blocking
 * --calibrate, measured on first use), as a string for --iters-per-ms: the
 * servers a test compares then do the same work per item, as in make
 * experiment. */
const char *tu_iters_per_ms(void);

/* SIGTERM; asserts a clean exit (status 0) within TU_STOP_MS and that the
 * server's stderr holds no sanitizer report. Cleans up. */
void tu_stop_clean(struct spawned *s);

/* Connects with subprotocol "sendlab" to path "/"; fails the test if not. */
struct wsc *tu_connect(const struct spawned *s);

/* Sends text; fails the test if the send fails. */
void tu_send(struct wsc *c, const char *text);

/* Receives the next text message within timeout_ms and parses it as a
 * reply; fails the test on timeout, close, or a malformed reply. *t_arrive
 * (if non-NULL) gets the arrival stamp. */
void tu_recv_reply(struct wsc *c, struct reply *r, int timeout_ms,
		   int64_t *t_arrive);

/* Reads frames until the server's close frame and asserts its code and,
 * if reason is not NULL, its reason; what labels a failure. */
void tu_assert_closed_with(struct wsc *c, const char *what, int code, const char *reason);

/* Sends an echo and asserts that the reply comes back (the connection and
 * the server still work). */
void tu_assert_echo(struct wsc *c);

/* Sends a run of items x work_ms and asserts that its items results come
 * back, each within TU_IO_MS, every one a result, in seq order. */
void tu_assert_job(struct wsc *c, int items, int work_ms);

/* Receives one reply and asserts it is exactly the error sentence want
 * (variant and name only label a failure). */
void tu_assert_error_reply(struct wsc *c, const char *variant, const char *name,
			   const char *want);

/* The resident memory of process pid in kB (VmRSS), or -1. */
long tu_rss_kb(pid_t pid);

/* A TCP socket bound to a free loopback port (listening if `listening`),
 * in *fd; returns the port. Fails the test if it cannot. For the fake
 * servers, and for a port nobody listens on (close the fd). */
int tu_loopback_port(bool listening, int *fd);

/* Reads exactly n bytes from the socket fd by give_up_us (CLOCK_MONOTONIC),
 * polling every 100 ms: false on EOF, an error or the deadline. For the
 * tests' fake servers on raw sockets. */
bool tu_read_exact(int fd, void *buf, size_t n, int64_t give_up_us);

/* True under `make test-valgrind`: tu_start runs each server in memcheck. */
bool tu_valgrind(void);

/* A command (spawn_run, stdout and stderr into out) run in a thread of the
 * test, so the test can act while it runs: kill its server. */
struct tu_bg_run {
	char **argv;
	char out[8192];
	int status;		/* spawn_run's wait status, -1 on its timeout */
	int64_t t_end_us;	/* when it exited */
	pthread_t thread;
};

/*
 * Starts argv (a harness run against server s, writing its messages CSV
 * to csv; NULL-terminated) in the background, with a 30 s bound, and
 * SIGKILLs s the moment the CSV holds
 * `rows` data rows (a trigger, not a guessed delay: the harness writes each
 * row as it arrives) or after 10 s; then waits for the harness to exit and
 * reaps and cleans up s. Returns whether the rows came in time; *t_kill
 * (if non-NULL) gets the moment of the kill.
 */
bool tu_kill_at_rows(struct spawned *s, struct tu_bg_run *b, char **argv, const char *csv,
		     int rows, int64_t *t_kill);

/* $SENDLAB_BUILD/harness, in a buffer of its own. */
char *tu_harness_path(void);

/* Creates an empty file /tmp/sendlab-TAG-XXXXXX; its name goes to buf.
 * Fails the test if it cannot. */
void tu_temp_file(char *buf, size_t cap, const char *tag);

/* rm -rf dir; fails the test if that fails. A passing test removes its
 * directory; a failing one leaves it to look at. */
void tu_remove_dir(const char *dir);

/* True when the servers are built with a sanitizer ($SENDLAB_SAN is set by
 * make test-asan / test-tsan): memory figures then measure the sanitizer's
 * quarantine and shadow, not the server, and its own leak check decides.
 * Also true under valgrind, for the same reason. */
bool tu_sanitized(void);

#endif
