/*
 * Lab 02 starter: make this server flush (labs/02-flush/README.md).
 *
 * As given it is server-blocking: it computes every item of a job inside
 * the callback that received `run`, and sends each result as soon as it is
 * ready. Under the default --send proactor the first result escapes and the
 * others wait for the loop, which runs again only after the last item.
 *
 * Your fix, the analog of Python's `await ws.send()`: after each result,
 * start the next item only once that result has been handed to lws_write.
 * session_send_result() tells you: true, written now; false, only queued
 * for a later WRITEABLE turn of the loop. When it is only queued, return
 * to the loop; the core calls the variant's queue_drained hook from the
 * WRITEABLE turn that wrote it, and that is where the job goes on.
 *
 * Build and grade:  make grade LAB=02
 * Run it yourself:  make build/labs/server-lab02 && build/labs/server-lab02 --port 7681
 * The finished fix is src/servers/flush.c: try without it first.
 */
#include "core/variant.h"

/* Per connection, so the job can stop and go on later: the next item to
 * compute. Loop thread only. */
struct variant_session {
	int next;
};

/* Loop thread: from job_start (inside LWS_CALLBACK_RECEIVE) and, once you
 * have written TODO 2, from queue_drained (inside WRITEABLE). */
static void variant_job_run(struct session *s)
{
	const struct job *job = session_job(s);
	struct variant_session *es = session_data(s);

	while (job->active && es->next < job->items) {
		struct item_result r;

		if (!session_compute_item(s, es->next, &r))
			return;		/* server stopping or client gone */
		es->next++;
		/* TODO 1: session_send_result() returns false when the frame
		 * could only be queued. Then stop computing and return to
		 * the loop, so it can write the frame now. */
		session_send_result(s, &r);
	}
}

static void variant_job_start(struct session *s)
{
	struct variant_session *es = session_data(s);

	es->next = 0;
	variant_job_run(s);
}

/* Loop thread, inside LWS_CALLBACK_SERVER_WRITEABLE: the queue of s has
 * just been written out. */
static void variant_queue_drained(struct session *s)
{
	/* TODO 2: the result you stopped for has left: go on with the job. */
	(void)s;
}

static const struct variant this_variant = {
	.name = "lab02",
	.session_data_size = sizeof(struct variant_session),
	.job_start = variant_job_start,
	.queue_drained = variant_queue_drained,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
