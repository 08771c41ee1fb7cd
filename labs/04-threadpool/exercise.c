/*
 * Lab 04 starter: move the work off the event-loop thread
 * (labs/04-threadpool/README.md).
 *
 * As given the job is computed inside the callback that received `run`,
 * like server-blocking, although a pool of worker threads is already
 * running: each worker takes jobs from `pending` and computes their items
 * (worker_run_job), but nothing gives it any jobs, and a finished item
 * would go nowhere. Yours to write:
 *   TODO 1  exercise_job_start: hand the job to the pool (pool_submit).
 *   TODO 2  pool_post (worker thread): put the result in the completion
 *           ring and wake the loop with server_wake_loop().
 *   TODO 3  exercise_wake (loop thread): take every result out of the
 *           ring, find each one's session by id and send it.
 * The rule that makes it safe: a worker never touches a struct session or
 * a struct lws. It only knows the session's id; the loop thread looks the
 * id up (server_find_session returns NULL once the client has gone).
 *
 * Threads: every field says which thread may touch it and under which
 * lock. Keep it that way, and check with ThreadSanitizer:
 *   make grade LAB=04 BUILD=build/tsan SAN=thread
 * The finished fix is src/servers/threadpool.c: try without it first.
 */
#include "core/variant.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define RING_SIZE 64

/* One job: made by the loop thread, then owned by the worker that runs it. */
struct task {
	struct task *next;	/* pool.lock: the pending list */
	uint64_t session_id;	/* read-only once queued */
	int items, work_ms;	/* read-only once queued */
	atomic_bool cancel;	/* loop sets it when the client leaves */
};

/* A finished item on its way to the loop thread. */
struct done {
	uint64_t session_id;
	struct item_result result;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t task_ready;	/* a task was queued, or stopping */
	pthread_cond_t ring_space;	/* the ring was drained, or stopping */
	struct task *pending_head, *pending_tail;	/* lock */
	struct task **running;		/* lock: running[i] is worker i's task */
	struct done ring[RING_SIZE];	/* lock: finished items, oldest first */
	unsigned ring_head, ring_count;	/* lock */
	bool stopping;			/* lock */
	int nthreads;			/* loop thread only */
	pthread_t *threads;		/* loop thread only */
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.task_ready = PTHREAD_COND_INITIALIZER,
	.ring_space = PTHREAD_COND_INITIALIZER,
};

/* Worker thread: hands one finished item to the loop thread. Returns false
 * if it was not posted (the task was cancelled or the pool is stopping). */
static bool pool_post(const struct done *d, struct task *t)
{
	/* TODO 2: under pool.lock, wait on ring_space while the ring is full
	 * (and not stopping or cancelled), append *d, unlock, then wake the
	 * loop with server_wake_loop(). */
	(void)d;
	(void)t;
	return false;
}

/* Worker thread, no lock held: computes t's items in order. */
static void worker_run_job(struct task *t)
{
	for (int seq = 0; seq < t->items; seq++) {
		struct done d = { .session_id = t->session_id };

		if (!server_compute_item(t->work_ms, seq, &t->cancel, &d.result))
			return;		/* cancelled, or the server is stopping */
		if (!pool_post(&d, t))
			return;
	}
}

/* Worker thread i: takes the oldest pending task, runs it, frees it. */
static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	pthread_mutex_lock(&pool.lock);
	while (!pool.stopping) {
		struct task *t = pool.pending_head;

		if (!t) {
			pthread_cond_wait(&pool.task_ready, &pool.lock);
			continue;
		}
		pool.pending_head = t->next;
		if (!pool.pending_head)
			pool.pending_tail = NULL;
		pool.running[me] = t;
		pthread_mutex_unlock(&pool.lock);
		worker_run_job(t);
		pthread_mutex_lock(&pool.lock);
		pool.running[me] = NULL;
		free(t);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* Loop thread: queues s's job for the workers. */
static void pool_submit(struct session *s)
{
	const struct job *job = session_job(s);
	struct task *t = calloc(1, sizeof(*t));

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

/* Loop thread, inside LWS_CALLBACK_RECEIVE. */
static void exercise_job_start(struct session *s)
{
	const struct job *job = session_job(s);

	/* TODO 1: call pool_submit(s) instead, and return at once. */
	for (int seq = 0; seq < job->items; seq++) {
		struct item_result r;

		if (!session_compute_item(s, seq, &r))
			return;
		session_send_result(s, &r);
	}
}

/* Loop thread, inside LWS_CALLBACK_EVENT_WAIT_CANCELLED: some worker called
 * server_wake_loop() (several calls may arrive as one). */
static void exercise_wake(void)
{
	/* TODO 3: copy every result out of the ring under pool.lock, empty
	 * it and signal ring_space; then, without the lock, send each one
	 * whose session_id still finds a session. */
}

/* Loop thread: s is closing. Drop its waiting task, cancel its running one. */
static void exercise_session_closed(struct session *s)
{
	uint64_t id = session_id(s);
	struct task *prev = NULL;

	pthread_mutex_lock(&pool.lock);
	for (struct task *t = pool.pending_head; t; prev = t, t = t->next) {
		if (t->session_id != id)
			continue;
		if (prev)
			prev->next = t->next;
		else
			pool.pending_head = t->next;
		if (pool.pending_tail == t)
			pool.pending_tail = prev;
		free(t);
		break;
	}
	for (int i = 0; i < pool.nthreads; i++)
		if (pool.running[i] && pool.running[i]->session_id == id)
			atomic_store(&pool.running[i]->cancel, true);
	pthread_cond_broadcast(&pool.ring_space);
	pthread_mutex_unlock(&pool.lock);
}

/* Loop thread, after the loop stopped and before lws is destroyed. */
static void exercise_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.task_ready);
	pthread_cond_broadcast(&pool.ring_space);
	pthread_mutex_unlock(&pool.lock);
	for (int i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);
	while (pool.pending_head) {
		struct task *t = pool.pending_head;

		pool.pending_head = t->next;
		free(t);
	}
	free(pool.running);
	free(pool.threads);
	pool.nthreads = 0;
}

/* Loop thread, before the loop starts: --threads workers (default: CPUs). */
static bool exercise_start(void)
{
	int n = server_options()->threads;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n == 0)
		n = cpus > 0 && cpus <= OPTIONS_THREADS_MAX ? (int)cpus : 1;
	pool.running = calloc((size_t)n, sizeof(*pool.running));
	pool.threads = calloc((size_t)n, sizeof(*pool.threads));
	for (int i = 0; pool.running && pool.threads && i < n; i++) {
		if (pthread_create(&pool.threads[i], NULL, worker, (void *)(intptr_t)i))
			break;
		pool.nthreads = i + 1;
	}
	if (pool.nthreads < n) {
		fprintf(stderr, "server-lab04: cannot start %d worker threads\n", n);
		exercise_stop();
		return false;
	}
	return true;
}

static const struct variant exercise = {
	.name = "lab04",
	.options = OPTIONS_THREADS,
	.job_start = exercise_job_start,
	.wake = exercise_wake,
	.session_closed = exercise_session_closed,
	.start = exercise_start,
	.stop = exercise_stop,
};

int main(int argc, char **argv)
{
	(void)pool_submit;	/* remove once TODO 1 calls it */
	return server_main(argc, argv, &exercise);
}
