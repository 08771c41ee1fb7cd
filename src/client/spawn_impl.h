/*
 * spawn_impl.h: what the files of spawn.h share and nothing else:
 *   spawn_proc.c  fork + exec with reset state, bounded waits, kills
 *   spawn.c       servers: start, read the "listening on" line, stop
 *   spawn_run.c   a command run to completion with its output captured
 * Every function is for the one thread that started the child.
 */
#ifndef SENDLAB_SPAWN_IMPL_H
#define SENDLAB_SPAWN_IMPL_H

#include "client/spawn.h"

#include <sys/types.h>

#define SPAWN_STEP_MS 5

/* Sleeps ms milliseconds (a signal may cut it short). */
void spawn_sleep_ms(int ms);

/*
 * Moves fd to a number >= 3 with close-on-exec set. >= 3 so that in the
 * child dup2() onto 0..2 never has source and target the same (dup2 then
 * does nothing and the close-on-exec flag would survive); close-on-exec so
 * no other child (another server, spawn_run's) inherits it. Returns the
 * new fd, or -1 (fd closed either way).
 */
int spawn_cloexec(int fd);

/* fork + exec of argv[0] in a child of its own process group, stdin from
 * /dev/null, stdout on out_fd, stderr on err_fd, default signal state.
 * Returns the pid, or -1 with errno set. */
pid_t spawn_fork(char *const argv[], int out_fd, int err_fd);

/*
 * Waits up to timeout_ms for pid to exit. Returns 1 (exited, *status set),
 * 0 (still running), or -1 (waitpid failed: not our child, or already
 * reaped).
 */
int spawn_wait(pid_t pid, int timeout_ms, int *status);

/* SIGKILLs pid's process group and pid itself, then reaps it. */
void spawn_kill(pid_t pid);

#endif
