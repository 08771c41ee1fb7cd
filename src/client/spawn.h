/*
 * spawn.h: run a server binary (or any command) as a child process of an
 * integration test or the lab grader, with every wait bounded.
 *
 * A test starts a server with spawn_server, which returns once the server
 * has printed its "listening on ws://HOST:PORT/" line (build/delayproxy:
 * "listening on HOST:PORT"), so the port is known and the socket is
 * ready, talks to it, stops it with spawn_stop and checks the exit status,
 * then calls spawn_cleanup. Nothing is global, so it is safe in Check's
 * forked test children.
 *
 * Every child gets its own process group, stdin from /dev/null, default
 * signal dispositions and an empty signal mask, and (on Linux) is killed if
 * the test process dies first, so a failed test does not leave servers
 * running.
 */
#ifndef SENDLAB_SPAWN_H
#define SENDLAB_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

struct spawned {
	pid_t pid;		/* -1 once reaped */
	int port;		/* parsed from the "listening on" line */
	char stderr_path[256];	/* the child's stderr, a temp file */
	int stdout_fd;		/* read end of the child's stdout, or -1 */
};

/*
 * Starts argv[0] (a path such as "build/server-blocking", not searched in
 * PATH) with argv (NULL-terminated): stdout on a pipe, stderr into a fresh
 * temp file (mkstemp under /tmp, path in stderr_path). Waits up to
 * timeout_ms for the exact first line "listening on ws://HOST:PORT/\n"
 * (or wss://) or "listening on HOST:PORT\n" on stdout and parses PORT. Returns 0, or -1
 * with a reason in err: the child exited early (its exit status and the
 * first ~300 bytes of its stderr), timeout, or a malformed line. On
 * failure the child is killed and reaped and *s cleaned up (spawn_cleanup
 * is then harmless but unnecessary).
 * err may be NULL (or errcap 0) when the reason is not wanted.
 */
int spawn_server(struct spawned *s, char *const argv[], int timeout_ms,
		 char *err, size_t errcap);

/*
 * Sends sig to the child and waits up to timeout_ms for it to exit.
 * Returns the raw wait status (use WIFEXITED etc.), or -1 if it did not
 * exit in time (its process group is then SIGKILLed and it is reaped) or
 * was already reaped.
 */
int spawn_stop(struct spawned *s, int sig, int timeout_ms);

/* Reads the child's stderr file so far into buf (NUL-terminated,
 * truncated to cap - 1). Returns the length. */
size_t spawn_read_stderr(const struct spawned *s, char *buf, size_t cap);

/* Kills (SIGKILL) and reaps the child if it still runs, removes the stderr
 * temp file, closes the fds. Safe to call twice. */
void spawn_cleanup(struct spawned *s);

/*
 * Runs argv[0] (a path, not searched in PATH) to completion with stdout and
 * stderr both captured into out (NUL-terminated, truncated to outcap - 1;
 * the rest is read and dropped so the child never blocks on a full pipe).
 * After timeout_ms its process group is SIGKILLed. Returns the wait status,
 * or -1 on timeout or if it could not be started.
 */
int spawn_run(char *const argv[], char *out, size_t outcap, int timeout_ms);

#endif
