/*
 * server-flush: the first fix, the analog of Python's `await ws.send()`.
 *
 * As in server-blocking every item is computed on the event-loop thread.
 * The one change: after each result, the next item starts only once that
 * result has been handed to lws_write. If the send discipline could only
 * queue it, flush_job_run() returns to the event loop instead of computing
 * on; the loop's next WRITEABLE turn writes the result and, finding the
 * queue empty, calls flush_job_run() again (the queue_drained hook). So
 * each message leaves as soon as it is ready: 300 / 600 / 900 ms.
 *
 * What it does not fix: the loop runs only between items, so another
 * client still waits for at least the item in progress. With --send direct
 * every write goes out at once, the loop never gets a turn, and a
 * bystander waits for the whole job, just as `await ws.send()` on an empty
 * buffer does not yield to asyncio's loop either.
 *
 * Diff this file against blocking.c to see the fix.
 */
#include "core/variant.h"

/* Per connection: the next item to compute. Loop thread only. */
struct flush_session {
	int next;
};

/* Loop thread: from job_start (inside LWS_CALLBACK_RECEIVE) and from
 * queue_drained (inside LWS_CALLBACK_SERVER_WRITEABLE). Computes items until
 * one result could not be written at once, then returns to the loop. */
static void flush_job_run(struct session *s)
{
	const struct job *job = session_job(s);
	struct flush_session *fs = session_data(s);

	while (job->active && fs->next < job->items) {
		struct item_result r;

		if (!session_compute_item(s, fs->next, &r))
			return;		/* server stopping or client gone */
		fs->next++;
		if (!session_send_result(s, &r))
			return;		/* queued: resume when the loop has written it */
	}
}

static void flush_job_start(struct session *s)
{
	struct flush_session *fs = session_data(s);

	fs->next = 0;
	flush_job_run(s);
}

static const struct variant flush = {
	.name = "flush",
	.session_data_size = sizeof(struct flush_session),
	.job_start = flush_job_start,
	.queue_drained = flush_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &flush);
}
