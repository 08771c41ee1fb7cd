/*
 * grade_lab02.c: the checks of lab 02, the flush fix.
 *
 * A flushing server starts the next item only once the previous result
 * has been handed to lws_write. So under every send discipline its
 * results arrive one item apart and on time, and each item starts after
 * the previous result was written (t_start[k] >= t_send[k-1]). Graded
 * under all three disciplines: `direct` writes at once and never queues,
 * so a job that returns to the loop after every result and waits for
 * queue_drained stalls there.
 */
#include "grade/grade.h"

#include <stdio.h>

static const char *const lab02_stall_hint =
	"the job stopped and was never resumed. The core calls queue_drained "
	"only after a WRITEABLE turn emptied a queue; when session_send_result "
	"returned true the result was written at once and nothing will call you "
	"back, so go on computing";

void grade_lab02(struct grade *g)
{
	static const char *const sends[] = { "proactor", "queue", "direct" };

	for (int i = 0; i < 3; i++) {
		struct spawned s;
		struct watched w;
		char what[32];

		snprintf(what, sizeof(what), "--send %s", sends[i]);
		if (!grade_start(g, &s, "--send", sends[i], NULL))
			continue;
		if (grade_job(g, &s, what, lab02_stall_hint, GRADE_ITEMS, GRADE_WORK_MS,
			      &w)) {
			grade_delivery(g, what, GRADE_WORK_MS, &w);
			int worst = 1;

			for (int k = 2; k < w.items; k++)
				if (w.start[k] - w.sent[k - 1] < w.start[worst] - w.sent[worst - 1])
					worst = k;
			double after = grade_ms(w.start[worst] - w.sent[worst - 1]);

			grade_check(g, after >= 0, "%s: item %d started %.1f ms after result %d "
				    "was written; a flushing server starts an item only after "
				    "the previous result left (>= 0)%s", what, worst, after,
				    worst - 1, after >= 0 ? "" : ". Likely cause: the job goes "
				    "on while the result is still queued");
		}
		grade_stop(g, &s, what);
	}
}
