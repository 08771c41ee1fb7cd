/*
 * spawn.c: child processes for the integration tests (see spawn.h).
 *
 * fork + execv, not posix_spawn: the child needs setpgid, a parent-death
 * signal and reset signal state, which posix_spawn only offers through
 * extensions. waitpid has no timeout, so bounded waits poll it with
 * WNOHANG every SPAWN_STEP_MS.
 */
#include "client/spawn.h"

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
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define SPAWN_STEP_MS 5
#define SPAWN_REAP_MS 5000	/* how long a SIGKILLed child may take to go */
#define SPAWN_EXIT_GRACE_MS 2000 /* stdout closed: time for the exit itself */
#define SPAWN_FD_SCAN_MAX 1024	/* the child closes inherited fds below this */
#define SPAWN_PREFIX "listening on ws://"

static void spawn_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);	/* EINTR just makes this step shorter */
}

/*
 * Moves fd to a number >= 3 with close-on-exec set. >= 3 so that in the
 * child dup2() onto 0..2 never has source and target the same (dup2 then
 * does nothing and the close-on-exec flag would survive); close-on-exec so
 * no other child (another server, spawn_run's) inherits it. Returns the
 * new fd, or -1 (fd closed either way).
 */
static int spawn_cloexec(int fd)
{
	int nfd;

	if (fd < 0)
		return -1;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/*
 * The child's side, between fork and execv: async-signal-safe calls only
 * (the test process may have threads). Never returns.
 */
static void spawn_child(char *const argv[], int out_fd, int err_fd,
			pid_t parent, int fd_max)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM,
				    SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
	static const char msg[] = "spawn: cannot exec ";
	struct sigaction dfl;
	sigset_t none;
	int null_fd;

	/* Own group, so a timeout can kill the child and its children. */
	setpgid(0, 0);
#ifdef __linux__
	/* If the test process dies (a failed ck_assert exits it), take the
	 * server with it; the getppid check closes the race where the parent
	 * died before prctl. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
#else
	(void)parent;
#endif
	/* Ignored signals and the mask survive exec: a test that ignores
	 * SIGTERM must not give us a server that cannot be stopped. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0 && null_fd != STDIN_FILENO) {
		dup2(null_fd, STDIN_FILENO);
		close(null_fd);
	}
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	/* Ours are close-on-exec already; this catches the test's own. */
	for (int fd = 3; fd < fd_max; fd++)
		close(fd);

	execv(argv[0], argv);

	/* strerror is not async-signal-safe: the path and errno must do. */
	char num[16];
	int n = (int)sizeof(num), e = errno;

	num[--n] = '\n';
	do {
		num[--n] = (char)('0' + e % 10);
		e /= 10;
	} while (e && n > 0);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDERR_FILENO, argv[0], strlen(argv[0])) < 0 ||
	    write(STDERR_FILENO, ": errno ", 8) < 0 ||
	    write(STDERR_FILENO, num + n, sizeof(num) - (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

/* fork + spawn_child. Returns the pid, or -1 with errno set. */
static pid_t spawn_fork(char *const argv[], int out_fd, int err_fd)
{
	pid_t parent = getpid(), pid;
	long open_max = sysconf(_SC_OPEN_MAX);
	int fd_max = open_max < 0 || open_max > SPAWN_FD_SCAN_MAX
			     ? SPAWN_FD_SCAN_MAX : (int)open_max;

	pid = fork();
	if (pid == 0)
		spawn_child(argv, out_fd, err_fd, parent, fd_max);
	if (pid > 0)
		setpgid(pid, pid); /* also here: whichever side runs first wins */
	return pid;
}

/*
 * Waits up to timeout_ms for pid to exit. Returns 1 (exited, *status set),
 * 0 (still running), or -1 (waitpid failed: not our child, or already
 * reaped).
 */
static int spawn_wait(pid_t pid, int timeout_ms, int *status)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_now_us() >= deadline)
			return 0;
		spawn_sleep_ms(SPAWN_STEP_MS);
	}
}

/* SIGKILLs pid's process group and pid itself (in case setpgid lost a
 * race), then reaps it. The group is signalled before the reap: until
 * then the zombie keeps the group id from being reused. */
static void spawn_kill(pid_t pid)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	spawn_wait(pid, SPAWN_REAP_MS, &status);
}

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
 * Parses "listening on ws://HOST:PORT/" (line without its '\n'). HOST is
 * everything up to the last ':' (an IPv6 address keeps its colons).
 * Returns the port, or -1 if the line is not exactly that.
 */
static int spawn_parse_listening(const char *line)
{
	size_t len = strlen(line), plen = strlen(SPAWN_PREFIX);
	const char *colon, *p;
	long port = 0;

	if (len < plen + 4 || strncmp(line, SPAWN_PREFIX, plen) ||
	    line[len - 1] != '/')
		return -1;
	colon = strrchr(line, ':');
	if (!colon || colon <= line + plen) /* the one in "ws:" or no HOST */
		return -1;
	for (p = colon + 1; p < line + len - 1; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return -1;
		port = port * 10 + (*p - '0');
	}
	if (p == colon + 1 || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

int spawn_server(struct spawned *s, char *const argv[], int timeout_ms,
		 char *err, size_t errcap)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	int pfd[2], err_fd, status;
	char line[256], what[64], serr[301];
	size_t got = 0;
	char *nl;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->stdout_fd = -1;
	if (!err || !errcap) {
		err = what;	/* the caller does not want the reason */
		errcap = sizeof(what);
	}

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
		goto fail;
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
		goto fail;
	}
	s->stdout_fd = pfd[0];
	s->pid = spawn_fork(argv, pfd[1], err_fd);
	/* Our copies of the child's ends: with the write end closed here, EOF
	 * on the pipe means the child closed its stdout (usually: exited). */
	close(pfd[1]);
	close(err_fd);
	if (s->pid < 0) {
		snprintf(err, errcap, "fork: %s", strerror(errno));
		goto fail;
	}

	while (!(nl = memchr(line, '\n', got))) {
		struct pollfd p = { .fd = s->stdout_fd, .events = POLLIN };
		int64_t left = deadline - clock_now_us();
		ssize_t n;
		int r;

		if (got == sizeof(line) - 1) {
			line[got] = '\0';
			spawn_flatten(line);
			snprintf(err, errcap, "malformed first stdout line (over "
				 "%zu bytes): \"%.80s...\"", got, line);
			goto fail;
		}
		r = poll(&p, 1, left > 0 ? (int)((left + 999) / 1000) : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errcap, "poll: %s", strerror(errno));
			goto fail;
		}
		if (r == 0) {
			line[got] = '\0';
			spawn_flatten(line);
			snprintf(err, errcap, "no \"listening on\" line within %d ms "
				 "(stdout so far: \"%s\")", timeout_ms, line);
			goto fail;
		}
		n = read(s->stdout_fd, line + got, sizeof(line) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			got += (size_t)n;
			continue;
		}

		/* EOF (or a read error) before the line: it is exiting. */
		if (spawn_wait(s->pid, SPAWN_EXIT_GRACE_MS, &status) == 1) {
			s->pid = -1;
			spawn_describe(status, what, sizeof(what));
		} else {
			snprintf(what, sizeof(what), "stdout closed, still running");
		}
		spawn_read_stderr(s, serr, sizeof(serr));
		spawn_flatten(serr);
		snprintf(err, errcap, "%s did not start (%s); stderr: \"%s\"",
			 argv[0], what, serr);
		goto fail;
	}

	*nl = '\0';
	s->port = spawn_parse_listening(line);
	if (s->port < 0) {
		spawn_flatten(line);
		snprintf(err, errcap, "malformed first stdout line \"%s\" "
			 "(expected \"" SPAWN_PREFIX "HOST:PORT/\")", line);
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

int spawn_run(char *const argv[], char *out, size_t outcap, int timeout_ms)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	int pfd[2], fd, status = -1, exited = 0;
	size_t got = 0;
	pid_t pid;

	if (out && outcap)
		out[0] = '\0';
	if (pipe(pfd) < 0)
		return -1;
	fd = spawn_cloexec(pfd[0]);
	pfd[1] = spawn_cloexec(pfd[1]);
	if (fd < 0 || pfd[1] < 0) {
		if (fd >= 0)
			close(fd);
		if (pfd[1] >= 0)
			close(pfd[1]);
		return -1;
	}
	pid = spawn_fork(argv, pfd[1], pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(fd);
		return -1;
	}

	/*
	 * Read and watch for the exit at once. Once the child has exited,
	 * take only what is already in the pipe: a grandchild that inherited
	 * the pipe could keep it open forever.
	 */
	for (;;) {
		if (!exited) {
			pid_t r = waitpid(pid, &status, WNOHANG);

			if (r == pid) {
				exited = 1;
			} else if (r < 0 && errno != EINTR) {
				exited = 1;	/* lost track of it: give up */
				status = -1;
			} else if (clock_now_us() >= deadline) {
				spawn_kill(pid);
				status = -1;
				break;
			}
		}
		if (fd < 0) {
			if (exited)
				break;
			spawn_sleep_ms(SPAWN_STEP_MS);
			continue;
		}

		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, exited ? 0 : SPAWN_STEP_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (exited)
				break;
			continue;
		}

		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			fd = -1;
			continue;
		}
		if (out && got + 1 < outcap) {
			size_t keep = (size_t)n < outcap - 1 - got ? (size_t)n
								  : outcap - 1 - got;

			memcpy(out + got, chunk, keep);
			got += keep;
			out[got] = '\0';
		}
		if (exited && clock_now_us() >= deadline)
			break;	/* a grandchild flooding the pipe */
	}
	if (fd >= 0)
		close(fd);
	return status;
}
