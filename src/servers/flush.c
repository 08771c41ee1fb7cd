/*
 * server-flush: the bug, except that the next item starts only once the
 * last result has been handed to lws_write.
 *
 * When a result could only be queued, the job returns to the event loop;
 * the loop's next WRITEABLE turn writes it and, finding the queue empty,
 * calls the job again (queue_drained), which goes on from the first item
 * not yet computed. Each message leaves as soon as it is ready; another
 * client still waits for the items computed meanwhile (docs/variants.md).
 *
 * Every variant in src/servers/ is blocking.c plus one idea, with the same
 * hook names, as Redis's ae_epoll.c and ae_select.c both define aeApiPoll:
 * `diff blocking.c flush.c` shows the fix and little else.
 */
#include "core/variant.h"

/* Loop thread, inside LWS_CALLBACK_RECEIVE (a new job) and inside
 * LWS_CALLBACK_SERVER_WRITEABLE (queue_drained: go on with it). */
static void variant_job_run(struct session *s)
{
	const struct job *job = session_job(s);

	/* job->sent results were written: the next is the first to compute */
	for (int seq = job->sent; job->active && seq < job->items; seq++) {
		struct item_result r;

		if (!session_compute_item(s, seq, &r))
			return;		/* server stopping or client gone */
		if (!session_send_result(s, &r))
			return;		/* only queued: go on once it is written */
	}
}

static const struct variant this_variant = {
	.name = "flush",
	.job_start = variant_job_run,
	.queue_drained = variant_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
