/*
 * server-blocking: the bug.
 *
 * Every item of a job is computed right here, on the event-loop thread, and
 * each result is sent as soon as it is ready. Until the last item is done
 * the loop does not run: it cannot write queued frames, read other clients'
 * requests or fire timers (docs/the-bug.md: what each --send discipline
 * then delivers, and when).
 *
 * Every variant in src/servers/ is this file plus one idea, with the same
 * hook names, as Redis's ae_epoll.c and ae_select.c both define aeApiPoll:
 * `diff blocking.c flush.c` shows the fix and little else.
 */
#include "core/variant.h"

/* Loop thread, inside LWS_CALLBACK_RECEIVE: the whole job runs before it
 * returns. */
static void variant_job_run(struct session *s)
{
	const struct job *job = session_job(s);

	for (int seq = 0; seq < job->items; seq++) {
		struct item_result r;

		if (!session_compute_item(s, seq, &r))
			return;		/* server stopping or client gone */
		session_send_result(s, &r);	/* may only be queued */
	}
}

static const struct variant this_variant = {
	.name = "blocking",
	.job_start = variant_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
