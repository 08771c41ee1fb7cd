/*
 * Lab 08 starter: make this server partition its work
 * (labs/08-partition/README.md).
 *
 * As given it is server-blocking (src/servers/blocking.c): the whole job
 * runs inside the callback that received `run`, and the loop cannot serve
 * anyone until the last item is done.
 *
 * The fix: compute each item here, on the loop thread, but in slices of
 * at most server_options()->slice_ms (--slice-ms, default 5) of work, and
 * give the loop back after every slice. core/variant.h has what you need:
 *
 *   session_compute_slice(s, seq, slice_ms, &part, &r)
 *       runs one slice of item seq, going on from `part` (a struct
 *       item_part, core/job.h: zero it before an item's first slice, then
 *       leave it alone). It returns ITEM_MORE (work remains), ITEM_DONE
 *       (r holds the result) or ITEM_STOPPED (server stopping or client
 *       gone: abandon the job).
 *   session_yield(s, fn)
 *       returns control to the loop; fn(s) is called on a later turn, after
 *       the loop has served whatever was ready. Call it, then return.
 *
 * TODO 1: the state that must survive between slices (which item, how far
 *         it has got) cannot live on the stack: put it in struct
 *         variant_session below, which session_data(s) gives you.
 * TODO 2: write the function that runs one slice, sends the result when
 *         an item completes, and yields unless the job is done.
 * TODO 3: make variant_job_run start the job without computing anything
 *         itself (why? see the README's Explain 3).
 *
 * Build and grade:  make grade LAB=08
 * Run it yourself:  make build/labs/server-lab08 &&
 *                   sh scripts/lab-run.sh build/labs/server-lab08 --slice-ms 5 -- --items 3 --work-ms 300
 * The finished fix is src/servers/partition.c: try without it first.
 */
#include "core/variant.h"

/* Per connection. Loop thread only. TODO 1: what must it hold? */
struct variant_session {
	int unused;
};

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
	.name = "lab08",
	.options = OPTIONS_SLICES,	/* --slice-ms and --yield */
	.session_data_size = sizeof(struct variant_session),
	.job_start = variant_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
