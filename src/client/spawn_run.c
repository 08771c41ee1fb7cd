/*
 * spawn_run.c: spawn_run (see spawn.h), a command run to completion with
 * its stdout and stderr captured, bounded in time.
 */
#include "client/spawn_impl.h"

#include "common/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* fork + spawn_child with stdout and stderr both on one pipe, whose read
 * end goes to *fd. Returns the pid, or -1 (nothing left open). */
static pid_t spawn_run_start(char *const argv[], int *fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	*fd = spawn_cloexec(pfd[0]);
	pfd[1] = spawn_cloexec(pfd[1]);
	if (*fd < 0 || pfd[1] < 0) {
		if (*fd >= 0)
			close(*fd);
		if (pfd[1] >= 0)
			close(pfd[1]);
		return -1;
	}
	pid = spawn_fork(argv, pfd[1], pfd[1]);
	close(pfd[1]);
	if (pid < 0)
		close(*fd);
	return pid;
}

/* One look at the child unless it has exited already: sets *exited (and
 * *status) once it has. Returns -1 if it is still running at deadline (it
 * is then SIGKILLed and reaped, *status -1), else 0. */
static int spawn_check_exit(pid_t pid, int *status, int *exited, int64_t deadline)
{
	pid_t r;

	if (*exited)
		return 0;
	r = waitpid(pid, status, WNOHANG);
	if (r == pid) {
		*exited = 1;
	} else if (r < 0 && errno != EINTR) {
		*exited = 1;	/* lost track of it: give up */
		*status = -1;
	} else if (clock_now_us() >= deadline) {
		spawn_kill(pid);
		*status = -1;
		return -1;
	}
	return 0;
}

/* Appends chunk[0..n) to out[0..outcap) after its first *got bytes, keeping
 * it NUL-terminated and dropping what does not fit. */
static void spawn_keep(char *out, size_t outcap, size_t *got, const char *chunk,
		       size_t n)
{
	if (!out || *got + 1 >= outcap)
		return;
	if (n > outcap - 1 - *got)
		n = outcap - 1 - *got;
	memcpy(out + *got, chunk, n);
	*got += n;
	out[*got] = '\0';
}

int spawn_run(char *const argv[], char *out, size_t outcap, int timeout_ms)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	int fd = -1, status = -1, exited = 0;
	size_t got = 0;
	pid_t pid;

	if (out && outcap)
		out[0] = '\0';
	pid = spawn_run_start(argv, &fd);
	if (pid < 0)
		return -1;

	/*
	 * Read and watch for the exit at once. Once the child has exited,
	 * take only what is already in the pipe: a grandchild that inherited
	 * the pipe could keep it open forever.
	 */
	for (;;) {
		if (spawn_check_exit(pid, &status, &exited, deadline) < 0)
			break;
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
		spawn_keep(out, outcap, &got, chunk, (size_t)n);
		if (exited && clock_now_us() >= deadline)
			break;	/* a grandchild flooding the pipe */
	}
	if (fd >= 0)
		close(fd);
	return status;
}
