/*
 * Lab 04 starter: move the work off the event-loop thread
 * (labs/04-threadpool/README.md).
 *
 * As given the job is computed inside the callback that received `run`,
 * like server-blocking, although a pool of worker threads is running: the
 * core's pool (src/core/workers.h) takes each job given to
 * workers_submit(), runs variant_job_work() on a worker thread for it and
 * frees it afterwards. Nothing submits a job yet, and a finished item
 * would go nowhere. Yours to write:
 *   TODO 1  variant_job_run: hand the job to the pool (workers_submit).
 *   TODO 2  ring_post (a worker thread): put the result in the ring,
 *           waiting while it is full.
 *   TODO 3  variant_wake (loop thread): take every result out of the ring,
 *           find each one's session by id and send it.
 * The rule that makes it safe: a worker never touches a struct session or
 * a struct lws. It only knows the session's id; the loop thread looks the
 * id up (server_find_session returns NULL once the client has gone). A
 * worker that calls a session function anyway stops the server with a
 * message naming it: the core checks the calling thread.
 *
 * Threads: every field says which thread may touch it and under which
 * lock. Keep it that way, and check with ThreadSanitizer:
 *   make grade LAB=04 BUILD=build/tsan SAN=thread
 * The finished fix is src/servers/threadpool.c with src/core/completion.c:
 * try without them first.
 */
#include "core/variant.h"
#include "core/workers.h"

#include <pthread.h>

#define RING_SIZE 64

/* A finished item on its way to the loop thread. */
struct ring_entry {
	uint64_t session_id;
	struct item_result result;
};

/* The completion ring: from the workers to the loop thread. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t space;		/* drained, a cancel, or closed */
	struct ring_entry entry[RING_SIZE]; /* lock: oldest at entry[head] */
	unsigned head, count;		/* lock */
	bool closed;			/* lock: the server is stopping */
} ring = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.space = PTHREAD_COND_INITIALIZER,
};

/* Worker thread: hands one finished item to the loop thread. Returns false
 * if it was not posted: *cancel was set (the client left) or the ring was
 * closed while it waited. */
static bool ring_post(const struct ring_entry *e, const atomic_bool *cancel)
{
	/* TODO 2: under ring.lock, wait on ring.space while the ring is full
	 * (and neither closed nor cancelled); then, unless closed or
	 * cancelled, append *e at (head + count) % RING_SIZE. */
	(void)e;
	(void)cancel;
	return false;
}

/* A worker thread, no lock held: computes the job's items in order and
 * posts each result. */
static void variant_job_work(struct workers_task *t)
{
	for (int seq = 0; seq < t->items; seq++) {
		struct ring_entry e = { .session_id = t->session_id };

		if (!server_compute_item(t->work_ms, seq, &t->cancel, &e.result))
			return;		/* cancelled, or the server is stopping */
		if (!ring_post(&e, &t->cancel))
			return;
		server_wake_loop();	/* the one lws call a worker may make */
	}
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE. */
static void variant_job_run(struct session *s)
{
	const struct job *job = session_job(s);

	/* TODO 1: hand the job to the pool instead, and return at once:
	 * workers_submit(session_id(s), job->items, job->work_ms); if it
	 * returns false (out of memory), fail the job with
	 * session_job_fail() and a PROTO_ERR_NO_MEMORY error. */
	for (int seq = 0; seq < job->items; seq++) {
		struct item_result r;

		if (!session_compute_item(s, seq, &r))
			return;
		session_send_result(s, &r);
	}
}

/* Loop thread, inside LWS_CALLBACK_EVENT_WAIT_CANCELLED: some worker called
 * server_wake_loop() (several calls may arrive as one). */
static void variant_wake(void)
{
	/* TODO 3: copy every entry out of the ring under ring.lock, empty it
	 * and wake the waiting posters (ring.space); then, without the lock,
	 * send each result whose session_id still finds a session. */
}

/* Loop thread: s is closing. Its job is dropped or cancelled; a worker
 * waiting for room in the ring must see the cancel, so wake it. */
static void variant_session_closed(struct session *s)
{
	workers_cancel(session_id(s));
	pthread_mutex_lock(&ring.lock);
	pthread_cond_broadcast(&ring.space);
	pthread_mutex_unlock(&ring.lock);
}

static bool variant_start(void)
{
	return workers_start("server-lab04", variant_job_work);
}

/* Loop thread, after the loop stopped: no worker may wait for the ring any
 * longer, then the pool joins its workers. */
static void variant_stop(void)
{
	pthread_mutex_lock(&ring.lock);
	ring.closed = true;
	pthread_cond_broadcast(&ring.space);
	pthread_mutex_unlock(&ring.lock);
	workers_stop();
}

static const struct variant this_variant = {
	.name = "lab04",
	.options = OPTIONS_THREADS,
	.job_start = variant_job_run,
	.wake = variant_wake,
	.session_closed = variant_session_closed,
	.start = variant_start,
	.stop = variant_stop,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
