/*
 * spawn_proc.c: the process primitives under spawn.h (see spawn_impl.h):
 * fork + exec with the child's state reset, bounded waits, kills.
 *
 * fork + execv, not posix_spawn: the child needs setpgid, a parent-death
 * signal and reset signal state, which posix_spawn only offers through
 * extensions. waitpid has no timeout, so bounded waits poll it with
 * WNOHANG every SPAWN_STEP_MS.
 */
#include "client/spawn_impl.h"

#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define SPAWN_REAP_MS 5000	/* how long a SIGKILLed child may take to go */
#define SPAWN_FD_SCAN_MAX 1024	/* the child closes inherited fds below this */

void spawn_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);	/* EINTR just makes this step shorter */
}

int spawn_cloexec(int fd)
{
	int nfd;

	if (fd < 0)
		return -1;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/*
 * The child's last words when execv failed: "spawn: cannot exec PATH: errno
 * N" on its stderr, then exit 127. Async-signal-safe (write(2) only; not
 * strerror): the path and errno must do. Never returns.
 */
static _Noreturn void spawn_child_exec_failed(const char *path, int e)
{
	static const char msg[] = "spawn: cannot exec ";
	char num[16];
	int n = (int)sizeof(num);

	num[--n] = '\n';
	do {
		num[--n] = (char)('0' + e % 10);
		e /= 10;
	} while (e && n > 0);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDERR_FILENO, path, strlen(path)) < 0 ||
	    write(STDERR_FILENO, ": errno ", 8) < 0 ||
	    write(STDERR_FILENO, num + n, sizeof(num) - (size_t)n) < 0)
		_exit(127);
	_exit(127);
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
	spawn_child_exec_failed(argv[0], errno);
}

/* fork + spawn_child. Returns the pid, or -1 with errno set. */
pid_t spawn_fork(char *const argv[], int out_fd, int err_fd)
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

int spawn_wait(pid_t pid, int timeout_ms, int *status)
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
void spawn_kill(pid_t pid)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	spawn_wait(pid, SPAWN_REAP_MS, &status);
}
