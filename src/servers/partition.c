/*
 * server-partition: the bug, except that each item is computed in slices
 * of at most --slice-ms of work (default 5), and the event loop gets
 * control back after every slice.
 *
 * Between two slices the loop turns: it reads other clients' requests and
 * writes their replies, fires timers, writes this client's queued
 * results. So nobody waits more than a slice or two (two when a reply
 * must wait for the turn that confirms the previous one: docs/variants.md),
 * on one thread, with no locks. The price: the computation must be resumable (its state
 * lives in struct item_part between slices, not on the stack), every
 * slice pays for one trip through the loop, and the work is not parallel:
 * two jobs share the one core by taking turns. This is Node.js's
 * "partition" remedy; the thread pool is its "offload" (docs/variants.md
 * sets them side by side, with the slice size swept).
 *
 * Every variant in src/servers/ is blocking.c plus one idea, with the same
 * hook names: `diff blocking.c partition.c` shows the slicing and the
 * resumption.
 */
#include "core/variant.h"

/* Per connection. Loop thread only. */
struct variant_session {
	int next;		/* the item being computed */
	struct item_part part;	/* how far it has got: kept between slices */
};

/* Loop thread, on a turn of the loop of its own (session_yield), once per
 * slice. */
static void variant_job_slice(struct session *s)
{
	struct variant_session *vs = session_data(s);
	struct item_result r;

	switch (session_compute_slice(s, vs->next, server_options()->slice_ms,
				      &vs->part, &r)) {
	case ITEM_STOPPED:
		return;		/* server stopping or client gone */
	case ITEM_MORE:
		break;		/* the item goes on after the loop has turned */
	case ITEM_DONE:
		session_send_result(s, &r);
		vs->part = (struct item_part){ 0 };
		if (++vs->next == session_job(s)->items)
			return;	/* that was the last: the job is done */
		break;
	}
	session_yield(s, variant_job_slice);	/* give the loop back, then go on */
}

/* Loop thread, inside LWS_CALLBACK_RECEIVE. Even the first slice waits
 * for a turn of its own: run here, it would be followed at once by the
 * next turn's slice, with no poll() between them, and another client
 * would wait two slices. */
static void variant_job_run(struct session *s)
{
	struct variant_session *vs = session_data(s);

	vs->next = 0;
	vs->part = (struct item_part){ 0 };
	session_yield(s, variant_job_slice);
}

static const struct variant this_variant = {
	.name = "partition",
	.options = OPTIONS_SLICES,
	.session_data_size = sizeof(struct variant_session),
	.job_start = variant_job_run,
};

int main(int argc, char **argv)
{
	return server_main(argc, argv, &this_variant);
}
