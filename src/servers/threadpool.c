/*
 * server-threadpool: the third fix, and the real one: the CPU work leaves
 * the event-loop thread.
 *
 * A fixed pool of --threads worker threads (default: the online CPUs)
 * computes the items. The event loop only parses requests and writes
 * frames, so it never blocks: another client's echo is answered within a
 * millisecond or so while jobs run, and on N cores N jobs run at once.
 *
 *   loop thread                      worker threads
 *   -----------                      --------------
 *   job_start: task -> pending  ---> take the oldest task; for each item:
 *                                      compute it (no lock held)
 *   wake: drain the completion  <---   post {session id, result} to the
 *         ring; look each id up;       completion ring, then
 *         send the result              server_wake_loop()
 *
 * The rules that make it safe (libwebsockets is not thread-safe):
 * - A worker never touches a struct lws or a struct session. It carries the
 *   session's id, and the loop thread looks the id up when the result
 *   arrives; a result for a connection that has closed is dropped.
 * - From a worker the only lws call is lws_cancel_service() (inside
 *   server_wake_loop()); the loop then calls pool_wake() on its own thread.
 * - The core calls pool_stop() before destroying the lws context, and it
 *   joins every worker, so no worker can wake a context that is gone.
 *
 * Ordering: one job is one task, run by one worker from its first item to
 * its last, and the ring is first-in first-out, so a job's results keep
 * their order. A job waits in `pending` while every worker is busy.
 *
 * Bounds: at most one task per connection (a second `run` is answered
 * "busy") and at most --max-clients connections; the ring holds
 * POOL_RING_SIZE results, and a worker that finds it full waits for the
 * loop to drain it.
 *
 * Locking: one mutex, pool.lock, guards every field marked "lock" below.
 * It is never held while computing, and never while calling into lws or
 * the core, so neither thread can stall the other for long.
 *
 * Diff this file against blocking.c to see the fix.
 */
#include "core/threadsched.h"
#include "core/variant.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define POOL_RING_SIZE 64

/* One job. Created by the loop thread in pool_job_start(); owned by the
 * pending list, then by the worker that took it, which frees it. */
struct pool_task {
	struct pool_task *next;	/* lock: the pending list's link */
	uint64_t session_id;	/* read-only after creation */
	int items, work_ms;	/* read-only after creation */
	atomic_bool cancel;	/* set by the loop thread when the client
				   goes; read by the worker between chunks
				   of work (atomic: no lock needed) */
};

/* A finished item on its way from a worker to the loop thread. */
struct pool_done {
	uint64_t session_id;
	struct item_result result;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t task_ready;	/* a task was queued, or stopping */
	pthread_cond_t ring_space;	/* the ring was drained, a task was
					   cancelled, or stopping */

	/* lock: tasks not yet taken, oldest first */
	struct pool_task *pending_head, *pending_tail;
	/* lock: running[i] is worker i's task, or NULL */
	struct pool_task **running;
	/* lock: finished items, oldest at ring_head */
	struct pool_done ring[POOL_RING_SIZE];
	unsigned ring_head, ring_count;
	bool stopping;			/* lock */

	/* Loop thread only (set in pool_start, used in pool_stop). */
	int nthreads;
	pthread_t *threads;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.task_ready = PTHREAD_COND_INITIALIZER,
	.ring_space = PTHREAD_COND_INITIALIZER,
};

/*
 * Worker thread. Appends d to the ring, waiting while it is full. Returns
 * false, without posting, if the task was cancelled or the pool is
 * stopping meanwhile.
 */
static bool pool_post(const struct pool_done *d, struct pool_task *t)
{
	bool posted = false;

	pthread_mutex_lock(&pool.lock);
	while (pool.ring_count == POOL_RING_SIZE && !pool.stopping &&
	       !atomic_load(&t->cancel))
		pthread_cond_wait(&pool.ring_space, &pool.lock);
	if (!pool.stopping && !atomic_load(&t->cancel)) {
		pool.ring[(pool.ring_head + pool.ring_count) % POOL_RING_SIZE] = *d;
		pool.ring_count++;
		posted = true;
	}
	pthread_mutex_unlock(&pool.lock);
	return posted;
}

/* Worker thread, no lock held: computes t's items in order and posts each
 * result, until the last one or until the task is cancelled. */
static void pool_run_task(struct pool_task *t)
{
	for (int seq = 0; seq < t->items; seq++) {
		struct pool_done d = { .session_id = t->session_id };

		if (!server_compute_item(t->work_ms, seq, &t->cancel, &d.result))
			return;		/* cancelled, or the server is stopping */
		if (!pool_post(&d, t))
			return;
		server_wake_loop();	/* the one lws call a worker may make */
	}
}

/* Worker thread i: takes the oldest pending task, runs it, frees it;
 * until the pool stops. */
static void *pool_worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	/* below the loop thread: see threadsched.h */
	threadsched_lower_worker(server_options()->worker_priority);

	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (!pool.pending_head && !pool.stopping)
			pthread_cond_wait(&pool.task_ready, &pool.lock);
		if (pool.stopping)
			break;

		struct pool_task *t = pool.pending_head;

		pool.pending_head = t->next;
		if (!pool.pending_head)
			pool.pending_tail = NULL;
		pool.running[me] = t;	/* so the loop can cancel it */
		pthread_mutex_unlock(&pool.lock);

		pool_run_task(t);

		pthread_mutex_lock(&pool.lock);
		pool.running[me] = NULL;
		free(t);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE: hands the job to the pool and
 * returns at once, so the loop goes on serving everyone. */
static void pool_job_start(struct session *s)
{
	const struct job *job = session_job(s);
	struct pool_task *t = calloc(1, sizeof(*t));

	if (!t) {
		struct proto_error e = { .code = PROTO_ERR_NO_MEMORY };

		session_job_fail(s, &e);
		return;
	}
	t->session_id = session_id(s);
	t->items = job->items;
	t->work_ms = job->work_ms;
	atomic_init(&t->cancel, false);

	pthread_mutex_lock(&pool.lock);
	if (pool.pending_tail)
		pool.pending_tail->next = t;
	else
		pool.pending_head = t;
	pool.pending_tail = t;
	pthread_cond_signal(&pool.task_ready);
	pthread_mutex_unlock(&pool.lock);
}

/* Loop thread, inside LWS_CALLBACK_EVENT_WAIT_CANCELLED: one or more
 * workers posted results. Takes everything in the ring (under the lock),
 * then sends each result to its connection if it is still open (without
 * the lock). */
static void pool_wake(void)
{
	struct pool_done batch[POOL_RING_SIZE];
	unsigned n;

	pthread_mutex_lock(&pool.lock);
	n = pool.ring_count;
	for (unsigned i = 0; i < n; i++)
		batch[i] = pool.ring[(pool.ring_head + i) % POOL_RING_SIZE];
	pool.ring_head = 0;
	pool.ring_count = 0;
	pthread_cond_broadcast(&pool.ring_space);
	pthread_mutex_unlock(&pool.lock);

	for (unsigned i = 0; i < n; i++) {
		struct session *s = server_find_session(batch[i].session_id);

		if (s)		/* NULL: the client left; drop its result */
			session_send_result(s, &batch[i].result);
	}
}

/* Loop thread: s is closing. Its task, waiting or running, is cancelled;
 * results of it already in the ring are dropped by pool_wake(). */
static void pool_session_closed(struct session *s)
{
	uint64_t id = session_id(s);

	pthread_mutex_lock(&pool.lock);
	struct pool_task *prev = NULL;

	for (struct pool_task *t = pool.pending_head; t; prev = t, t = t->next) {
		if (t->session_id != id)
			continue;
		if (prev)
			prev->next = t->next;
		else
			pool.pending_head = t->next;
		if (pool.pending_tail == t)
			pool.pending_tail = prev;
		free(t);
		break;		/* at most one task per connection */
	}
	for (int i = 0; i < pool.nthreads; i++)
		if (pool.running[i] && pool.running[i]->session_id == id)
			atomic_store(&pool.running[i]->cancel, true);
	pthread_cond_broadcast(&pool.ring_space);	/* a poster may be waiting */
	pthread_mutex_unlock(&pool.lock);
}

static void pool_stop(void);

/* Loop thread, before the loop starts: the workers. On failure it cleans
 * up after itself (the core calls stop only after a successful start). */
static bool pool_start(void)
{
	int n = server_options()->threads;

	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = cpus > 0 && cpus <= OPTIONS_THREADS_MAX ? (int)cpus : 1;
	}
	pool.running = calloc((size_t)n, sizeof(*pool.running));
	pool.threads = calloc((size_t)n, sizeof(*pool.threads));
	if (!pool.running || !pool.threads) {
		fprintf(stderr, "server-threadpool: out of memory\n");
		pool_stop();
		return false;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&pool.threads[i], NULL, pool_worker,
				   (void *)(intptr_t)i) != 0) {
			fprintf(stderr, "server-threadpool: cannot start worker "
				"thread %d of %d\n", i + 1, n);
			pool.nthreads = i;
			pool_stop();	/* joins the ones that did start */
			return false;
		}
		pool.nthreads = i + 1;
	}
	threadsched_set_loop_slice(server_options()->loop_slice_us);
	if (!server_options()->quiet) {
		char slice[32] = "the kernel's";

		if (server_options()->loop_slice_us)
			snprintf(slice, sizeof(slice), "%d us",
				 server_options()->loop_slice_us);
		fprintf(stderr, "server-threadpool: %d worker threads, priority %s; "
			"loop thread's slice: %s\n", n,
			options_priority_name(server_options()->worker_priority), slice);
	}
	return true;
}

/* Loop thread, after the loop stopped and before the lws context is
 * destroyed. A worker in the middle of an item sees the server's stop flag
 * within a chunk of work and abandons it; then every worker is joined and
 * what is left is freed. */
static void pool_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.task_ready);
	pthread_cond_broadcast(&pool.ring_space);
	pthread_mutex_unlock(&pool.lock);

	for (int i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);

	while (pool.pending_head) {
		struct pool_task *t = pool.pending_head;

		pool.pending_head = t->next;
		free(t);
	}
	pool.pending_tail = NULL;
	free(pool.running);
	free(pool.threads);
	pool.running = NULL;
	pool.threads = NULL;
	pool.nthreads = 0;
}

static const struct variant threadpool = {
	.name = "threadpool",
	.options = OPTIONS_THREADS,
	.job_start = pool_job_start,
	.wake = pool_wake,
	.session_closed = pool_session_closed,
	.start = pool_start,
	.stop = pool_stop,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &threadpool);
}
