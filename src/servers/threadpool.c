/*
 * server-threadpool: the bug, except that the items are computed on worker
 * threads, so the event loop never blocks.
 *
 * A fixed pool of --threads workers (default: the online CPUs) computes;
 * the loop thread only parses requests and writes frames. Another client's
 * echo is answered within a millisecond or so while jobs run, and on N
 * cores N jobs run at once.
 *
 *   loop thread                        worker threads (core/workers.c)
 *   -----------                        --------------
 *   job_start: submit the job    --->  take the oldest job; for each item:
 *                                        compute it (no lock held),
 *   wake: drain the completion   <---    post {session id, result} to the
 *         ring; look each id up;         completion ring, then
 *         send the result                server_wake_loop()
 *
 * The rules that make it safe (libwebsockets is not thread-safe):
 * - A worker never touches a struct lws or a struct session. It carries the
 *   session's id; the loop thread looks the id up when the result arrives,
 *   and drops a result whose connection has closed (core/completion.c).
 * - From a worker the only lws call is lws_cancel_service(), inside
 *   server_wake_loop(); the loop then calls the wake hook on its own thread.
 * - The stop hook closes the ring and joins every worker before the core
 *   destroys the lws context, so no worker can wake a context that is gone.
 *
 * Ordering: one job runs on one worker, first item to last, and the ring is
 * first-in first-out, so a job's results keep their order. Bounds: one job
 * per connection (a second `run` is "busy"), --max-clients connections, and
 * COMPLETION_RING_SIZE results in flight (a worker waits while it is full).
 * Who owns a job: the pool, from submit to its end (core/workers.h).
 *
 * Every variant in src/servers/ is blocking.c plus one idea, with the same
 * hook names: `diff blocking.c threadpool.c` shows the fix.
 */
#include "core/completion.h"
#include "core/variant.h"
#include "core/workers.h"

/* A worker thread, no lock held: computes the job's items in order and
 * posts each result, until the last or until the job is cancelled (its
 * client left) or the server stops. */
static void variant_job_work(struct workers_task *t)
{
	for (int seq = 0; seq < t->items; seq++) {
		struct completion done = { .session_id = t->session_id };

		if (!server_compute_item(t->work_ms, seq, &t->cancel, &done.result))
			return;		/* cancelled, or the server is stopping */
		if (!completion_post(&done, &t->cancel))
			return;
		server_wake_loop();	/* the one lws call a worker may make */
	}
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE: hands the job to the pool and
 * returns at once, so the loop goes on serving everyone. */
static void variant_job_run(struct session *s)
{
	const struct job *job = session_job(s);

	if (!workers_submit(session_id(s), job->items, job->work_ms)) {
		struct proto_error e = { .code = PROTO_ERR_NO_MEMORY };

		session_job_fail(s, &e);
	}
}

/* Loop thread, inside LWS_CALLBACK_EVENT_WAIT_CANCELLED: one or more
 * workers posted results. */
static void variant_wake(void)
{
	completion_drain();
}

/* Loop thread: s is closing. Its job, waiting or running, is cancelled; a
 * worker waiting for room in the ring sees it; results of it already in
 * the ring are dropped when drained. */
static void variant_session_closed(struct session *s)
{
	workers_cancel(session_id(s));
	completion_recheck_cancel();
}

/* Loop thread, before the loop starts. */
static bool variant_start(void)
{
	return workers_start("server-threadpool", variant_job_work);
}

/* Loop thread, after the loop stopped and before the lws context is
 * destroyed: a worker waiting to post gives up; one in the middle of an
 * item sees the server's stop flag within a chunk of work. */
static void variant_stop(void)
{
	completion_close();
	workers_stop();
}

static const struct variant this_variant = {
	.name = "threadpool",
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
