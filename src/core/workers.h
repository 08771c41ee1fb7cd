/*
 * workers.h: a fixed pool of worker threads that run jobs away from the
 * event loop: server-threadpool's pool, and the one lab 04 builds on.
 *
 * The loop thread submits a task (one job: the session's id, its items,
 * their work_ms); the oldest waiting task goes to the next free worker,
 * which calls the pool's run function on it. What run does with each
 * result is the caller's business (server-threadpool posts it to the
 * completion ring, completion.h).
 *
 * Ownership, one rule: the pool owns every task from workers_submit() on
 * and frees it itself, after run returns, when its connection closes
 * before a worker took it, or at workers_stop(). run may use its task only
 * until it returns.
 *
 * Threads: workers_start, workers_submit, workers_cancel and workers_stop
 * are loop thread only; run is called on a worker thread with no lock
 * held. One mutex (workers.c) guards the pending list and the table of
 * running tasks, and is never held while a task runs.
 */
#ifndef SENDLAB_WORKERS_H
#define SENDLAB_WORKERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* One job, as a worker sees it. */
struct workers_task {
	struct workers_task *next;	/* the pool's lock: the pending list */
	uint64_t session_id;		/* read-only after submit */
	int items, work_ms;		/* read-only after submit */
	atomic_bool cancel;		/* set by the loop thread when the
					   connection closes; read by run
					   between chunks of work (no lock) */
};

/* Called on a worker thread, no lock held. Must return soon after
 * t->cancel is set or the server starts stopping. */
typedef void (*workers_run_fn)(struct workers_task *t);

/*
 * Starts --threads workers (default: options_threads_default()), each lowered
 * to --worker-priority (threadsched.h), then gives the loop thread
 * --loop-slice-us; prints one line saying so unless --quiet. `who` names
 * the program in messages. Returns false, after printing why and cleaning
 * up, if memory or a thread could not be had.
 */
bool workers_start(const char *who, workers_run_fn run);

/* Queues a job for the workers. Returns false (nothing queued) only when
 * out of memory. */
bool workers_submit(uint64_t session_id, int items, int work_ms);

/* The connection session_id is closing: its waiting task is dropped, its
 * running one gets its cancel flag set (a worker may still be inside run
 * for up to a chunk of work). */
void workers_cancel(uint64_t session_id);

/* After the loop stopped: wakes and joins every worker (a running task
 * sees the server's stop flag within a chunk of work) and frees what is
 * left. Safe after a failed start. */
void workers_stop(void);

#endif
