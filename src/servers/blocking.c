/*
 * server-blocking: the bug.
 *
 * Every work item of a job is computed right here, inside the callback that
 * received the `run` request, one after another, and each result is sent as
 * soon as it is ready. While this loop computes, the event loop is not
 * running: it cannot write queued frames, read other clients' requests, or
 * fire timers.
 *
 * Why message 0 arrives on time and messages 1 and 2 arrive together (with
 * the default --send proactor): the first send finds no earlier write in
 * flight, so it goes straight to the socket at ~300 ms. That write now
 * waits for the loop to confirm it, so the next two sends can only be
 * queued, and the queue is drained when the loop next turns, which is after
 * the last item, at ~900 ms. With --send queue all three wait (900/900/900);
 * with --send direct all three go out on time (300/600/900). In every case
 * another client waits for the whole job: that part no send discipline fixes.
 *
 * The fixes are this file plus one idea each: flush.c, pingpong.c,
 * threadpool.c.
 */
#include "core/variant.h"

/* Loop thread, inside LWS_CALLBACK_RECEIVE: the whole job runs before it
 * returns. */
static void blocking_job_start(struct session *s)
{
	const struct job *job = session_job(s);

	for (int seq = 0; seq < job->items; seq++) {
		struct item_result r;

		if (!session_compute_item(s, seq, &r))
			return;		/* server stopping or client gone */
		session_send_result(s, &r);	/* may only be queued: see above */
	}
}

static const struct variant blocking = {
	.name = "blocking",
	.job_start = blocking_job_start,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &blocking);
}
