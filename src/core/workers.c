/*
 * workers.c: the worker threads and their queue of tasks (workers.h).
 */
#include "core/workers.h"

#include "core/threadsched.h"
#include "core/variant.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct {
	pthread_mutex_t lock;
	pthread_cond_t task_ready;	/* a task was queued, or stopping */

	/* lock: tasks not yet taken, oldest first */
	struct workers_task *pending_head, *pending_tail;
	/* lock: running[i] is worker i's task, or NULL */
	struct workers_task **running;
	bool stopping;			/* lock */

	/* Loop thread only (set in workers_start, used in workers_stop);
	 * run is read by the workers, which start after it is set. */
	workers_run_fn run;
	int nthreads;
	pthread_t *threads;
} workers = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.task_ready = PTHREAD_COND_INITIALIZER,
};

/* Worker thread i: takes the oldest pending task, runs it, frees it; until
 * the pool stops. */
static void *workers_main(void *arg)
{
	int me = (int)(intptr_t)arg;

	/* below the loop thread: see threadsched.h */
	threadsched_lower_worker(server_options()->worker_priority);

	pthread_mutex_lock(&workers.lock);
	for (;;) {
		while (!workers.pending_head && !workers.stopping)
			pthread_cond_wait(&workers.task_ready, &workers.lock);
		if (workers.stopping)
			break;

		struct workers_task *t = workers.pending_head;

		workers.pending_head = t->next;
		if (!workers.pending_head)
			workers.pending_tail = NULL;
		workers.running[me] = t;	/* so the loop can cancel it */
		pthread_mutex_unlock(&workers.lock);

		workers.run(t);

		pthread_mutex_lock(&workers.lock);
		workers.running[me] = NULL;
		free(t);
	}
	pthread_mutex_unlock(&workers.lock);
	return NULL;
}

/* Loop thread: one line on stderr saying what was started. */
static void workers_report(const char *who)
{
	const struct options *o = server_options();
	char slice[32] = "the kernel's";

	if (o->quiet)
		return;
	if (o->loop_slice_us)
		snprintf(slice, sizeof(slice), "%d us", o->loop_slice_us);
	fprintf(stderr, "%s: %d worker threads, priority %s; loop thread's slice: %s\n",
		who, workers.nthreads, options_priority_name(o->worker_priority), slice);
}

bool workers_start(const char *who, workers_run_fn run)
{
	int n = server_options()->threads;

	if (n == 0)
		n = options_threads_default(sysconf(_SC_NPROCESSORS_ONLN));
	workers.run = run;
	workers.running = calloc((size_t)n, sizeof(*workers.running));
	workers.threads = calloc((size_t)n, sizeof(*workers.threads));
	if (!workers.running || !workers.threads) {
		fprintf(stderr, "%s: out of memory\n", who);
		workers_stop();
		return false;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&workers.threads[i], NULL, workers_main,
				   (void *)(intptr_t)i) != 0) {
			fprintf(stderr, "%s: cannot start worker thread %d of %d\n",
				who, i + 1, n);
			workers_stop();		/* joins the ones that did start */
			return false;
		}
		workers.nthreads = i + 1;
	}
	/* after the workers exist: a thread created later inherits it */
	threadsched_set_loop_slice(server_options()->loop_slice_us);
	workers_report(who);
	return true;
}

bool workers_submit(uint64_t session_id, int items, int work_ms)
{
	struct workers_task *t = calloc(1, sizeof(*t));

	if (!t)
		return false;
	t->session_id = session_id;
	t->items = items;
	t->work_ms = work_ms;
	atomic_init(&t->cancel, false);

	pthread_mutex_lock(&workers.lock);
	if (workers.pending_tail)
		workers.pending_tail->next = t;
	else
		workers.pending_head = t;
	workers.pending_tail = t;
	pthread_cond_signal(&workers.task_ready);
	pthread_mutex_unlock(&workers.lock);
	return true;
}

void workers_cancel(uint64_t session_id)
{
	struct workers_task *prev = NULL;

	pthread_mutex_lock(&workers.lock);
	for (struct workers_task *t = workers.pending_head; t; prev = t, t = t->next) {
		if (t->session_id != session_id)
			continue;
		if (prev)
			prev->next = t->next;
		else
			workers.pending_head = t->next;
		if (workers.pending_tail == t)
			workers.pending_tail = prev;
		free(t);
		break;		/* at most one task per connection */
	}
	for (int i = 0; i < workers.nthreads; i++)
		if (workers.running[i] && workers.running[i]->session_id == session_id)
			atomic_store(&workers.running[i]->cancel, true);
	pthread_mutex_unlock(&workers.lock);
}

void workers_stop(void)
{
	pthread_mutex_lock(&workers.lock);
	workers.stopping = true;
	pthread_cond_broadcast(&workers.task_ready);
	pthread_mutex_unlock(&workers.lock);

	for (int i = 0; i < workers.nthreads; i++)
		pthread_join(workers.threads[i], NULL);

	while (workers.pending_head) {
		struct workers_task *t = workers.pending_head;

		workers.pending_head = t->next;
		free(t);
	}
	workers.pending_tail = NULL;
	free(workers.running);
	free(workers.threads);
	workers.running = NULL;
	workers.threads = NULL;
	workers.nthreads = 0;
}
