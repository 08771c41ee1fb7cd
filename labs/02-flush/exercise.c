/*
 * Lab 02 starter: make this server flush (labs/02-flush/README.md).
 *
 * As given it is server-blocking (src/servers/blocking.c): the whole job
 * runs inside the callback that received `run`, and each result is sent
 * as soon as it is ready. Under the default --send proactor the first
 * result leaves and the others wait for the loop, which runs again only
 * after the last item.
 *
 * The fix: start the next item only once the previous result has been
 * handed to lws_write. That is yours to design; core/variant.h has all
 * you need. Decide, and write down before coding:
 *   - when must the job stop computing? (what does session_send_result()
 *     tell you?)
 *   - what brings the loop back to this job, and which hook of struct
 *     variant does the core call then?
 *   - what must survive between stopping and going on, and where does it
 *     live? (core/job.h; session_data() if you need more)
 *   - does your design work under all three --send disciplines? The grader
 *     runs it under proactor, queue and direct.
 *
 * Build and grade:  make grade LAB=02
 * Run it yourself:  make build/labs/server-lab02 &&
 *                   sh scripts/lab-run.sh build/labs/server-lab02 -- --items 3 --work-ms 300
 * The finished fix is src/servers/flush.c: try without it first.
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
	.name = "lab02",
	.job_start = variant_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
