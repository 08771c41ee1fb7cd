/*
 * spawn.c: servers as child processes of a test (see spawn.h): start one,
 * wait for its "listening on" line, stop it, read its stderr, clean up.
 * The process primitives are in spawn_proc.c, spawn_run in spawn_run.c.
 */
#include "client/spawn_impl.h"

#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWN_EXIT_GRACE_MS 2000 /* stdout closed: time for the exit itself */
#define SPAWN_PREFIX "listening on "
#define SPAWN_SCHEME "ws://"

static void spawn_describe(int status, char *buf, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "wait status 0x%x", (unsigned)status);
}

/* Makes text one line for an error message: control characters (the
 * newlines between stderr lines, too) become spaces. */
static void spawn_flatten(char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			*text = ' ';
}

/*
 * Parses the ready line (without its '\n'): "listening on ws://HOST:PORT/"
 * (the servers; wss:// the tests' TLS server) or "listening on HOST:PORT" (build/delayproxy, a plain TCP
 * relay: no scheme, no slash; a line with the scheme must have the slash).
 * HOST is everything up to the last ':' (an IPv6 address keeps its colons)
 * and not empty. Returns the port, or -1 if the line is not exactly that.
 */
static int spawn_parse_listening(const char *line)
{
	size_t plen = strlen(SPAWN_PREFIX), slen = strlen(SPAWN_SCHEME);
	const char *host = line + plen, *end, *colon = NULL, *p;
	long port = 0;

	if (strncmp(line, SPAWN_PREFIX, plen))
		return -1;
	end = host + strlen(host);
	/* wss://: the tests' TLS server (build/tests/tlsecho) */
	size_t scheme = !strncmp(host, SPAWN_SCHEME, slen) ? slen
		      : !strncmp(host, "wss://", 6) ? 6 : 0;

	if (scheme) {
		host += scheme;
		if (end == host || end[-1] != '/')
			return -1;
		end--;
	} else if (end > host && end[-1] == '/') {
		return -1;
	}
	for (p = host; p < end; p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == host)	/* no PORT or no HOST */
		return -1;
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return -1;
		port = port * 10 + (*p - '0');
	}
	if (p == colon + 1 || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

/*
 * Starts argv with stdout on a pipe (s->stdout_fd) and stderr into a fresh
 * temp file (s->stderr_path). Returns 0, or -1 with the reason in err; the
 * caller then cleans *s up.
 */
static int spawn_start(struct spawned *s, char *const argv[], char *err,
		       size_t errcap)
{
	int pfd[2], err_fd;

	snprintf(s->stderr_path, sizeof(s->stderr_path),
		 "/tmp/sendlab-stderr-XXXXXX");
	err_fd = spawn_cloexec(mkstemp(s->stderr_path));
	if (err_fd < 0) {
		snprintf(err, errcap, "cannot create %s: %s", s->stderr_path,
			 strerror(errno));
		s->stderr_path[0] = '\0';
		return -1;
	}
	if (pipe(pfd) < 0) {
		snprintf(err, errcap, "pipe: %s", strerror(errno));
		close(err_fd);
		return -1;
	}
	pfd[0] = spawn_cloexec(pfd[0]);
	pfd[1] = spawn_cloexec(pfd[1]);
	if (pfd[0] < 0 || pfd[1] < 0) {
		snprintf(err, errcap, "fcntl: %s", strerror(errno));
		if (pfd[0] >= 0)
			close(pfd[0]);
		if (pfd[1] >= 0)
			close(pfd[1]);
		close(err_fd);
		return -1;
	}
	s->stdout_fd = pfd[0];
	s->pid = spawn_fork(argv, pfd[1], err_fd);
	/* Our copies of the child's ends: with the write end closed here, EOF
	 * on the pipe means the child closed its stdout (usually: exited). */
	close(pfd[1]);
	close(err_fd);
	if (s->pid < 0) {
		snprintf(err, errcap, "fork: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* EOF (or a read error) on the child's stdout before its first line: it
 * is exiting. Says how (reaping it if it exits within the grace time) and
 * what its stderr holds, in err. */
static void spawn_why_no_line(struct spawned *s, const char *path, char *err,
			      size_t errcap)
{
	char what[64], serr[301];
	int status;

	if (spawn_wait(s->pid, SPAWN_EXIT_GRACE_MS, &status) == 1) {
		s->pid = -1;
		spawn_describe(status, what, sizeof(what));
	} else {
		snprintf(what, sizeof(what), "stdout closed, still running");
	}
	spawn_read_stderr(s, serr, sizeof(serr));
	spawn_flatten(serr);
	snprintf(err, errcap, "%s did not start (%s); stderr: \"%s\"", path, what,
		 serr);
}

/*
 * Reads the child's stdout into line[0..cap) until its first '\n', by
 * deadline. Returns a pointer to that '\n', or NULL with the reason in err
 * (timeout_ms is only for the message).
 */
static char *spawn_first_line(struct spawned *s, const char *path, char *line,
			      size_t cap, int64_t deadline, int timeout_ms,
			      char *err, size_t errcap)
{
	size_t got = 0;
	char *nl;

	while (!(nl = memchr(line, '\n', got))) {
		struct pollfd p = { .fd = s->stdout_fd, .events = POLLIN };
		int64_t left = deadline - clock_now_us();
		ssize_t n;
		int r;

		if (got == cap - 1) {
			line[got] = '\0';
			spawn_flatten(line);
			snprintf(err, errcap, "malformed first stdout line (over "
				 "%zu bytes): \"%.80s...\"", got, line);
			return NULL;
		}
		r = poll(&p, 1, left > 0 ? (int)((left + 999) / 1000) : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errcap, "poll: %s", strerror(errno));
			return NULL;
		}
		if (r == 0) {
			line[got] = '\0';
			spawn_flatten(line);
			snprintf(err, errcap, "no \"listening on\" line within %d ms "
				 "(stdout so far: \"%s\")", timeout_ms, line);
			return NULL;
		}
		n = read(s->stdout_fd, line + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			spawn_why_no_line(s, path, err, errcap);
			return NULL;
		}
		got += (size_t)n;
	}
	return nl;
}

int spawn_server(struct spawned *s, char *const argv[], int timeout_ms,
		 char *err, size_t errcap)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	char line[256], unwanted[320];
	char *nl;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->stdout_fd = -1;
	/* The caller does not want the reason: a buffer of its own, since
	 * the sentence is built from other buffers (the exit status, the
	 * stdout line) and snprintf's arguments must not overlap its output. */
	if (!err || !errcap) {
		err = unwanted;
		errcap = sizeof(unwanted);
	}
	if (spawn_start(s, argv, err, errcap) < 0)
		goto fail;
	nl = spawn_first_line(s, argv[0], line, sizeof(line), deadline, timeout_ms,
			      err, errcap);
	if (!nl)
		goto fail;

	*nl = '\0';
	s->port = spawn_parse_listening(line);
	if (s->port < 0) {
		spawn_flatten(line);
		snprintf(err, errcap, "malformed first stdout line \"%s\" "
			 "(expected \"" SPAWN_PREFIX SPAWN_SCHEME "HOST:PORT/\" or \""
			 SPAWN_PREFIX "HOST:PORT\")", line);
		s->port = 0;
		goto fail;
	}
	return 0;

fail:
	spawn_cleanup(s);
	return -1;
}

int spawn_stop(struct spawned *s, int sig, int timeout_ms)
{
	int status, r;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	r = spawn_wait(s->pid, timeout_ms, &status);
	if (r == 0)
		spawn_kill(s->pid);
	s->pid = -1;
	return r == 1 ? status : -1;
}

size_t spawn_read_stderr(const struct spawned *s, char *buf, size_t cap)
{
	size_t got = 0;
	int fd;

	if (!cap)
		return 0;
	buf[0] = '\0';
	if (!s->stderr_path[0])
		return 0;
	fd = open(s->stderr_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (got < cap - 1) {
		ssize_t n = read(fd, buf + got, cap - 1 - got);

		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

void spawn_cleanup(struct spawned *s)
{
	if (s->pid > 0)
		spawn_kill(s->pid);
	s->pid = -1;
	/* > 2: our pipe fd is always moved above the standard fds, so a
	 * zeroed struct never closes stdin. */
	if (s->stdout_fd > 2)
		close(s->stdout_fd);
	s->stdout_fd = -1;
	if (s->stderr_path[0])
		unlink(s->stderr_path);
	s->stderr_path[0] = '\0';
}
