/*
 * threadsched.h: who gets the core. Two knobs on the Linux scheduler that
 * decide whether the event-loop thread, woken for microseconds per message,
 * runs at once or waits behind threads that compute: lowering a worker
 * thread below it (--worker-priority) and shortening its own slice
 * (--loop-slice-us). docs/scaling.md, "Who gets the core", has the
 * measurements behind each and what each costs.
 *
 * Both act on the calling thread only (Linux keeps the policy, nice and
 * slice per thread; POSIX would make nice process-wide). A failure costs
 * only latency: it is reported on stderr (unless --quiet) and ignored.
 */
#ifndef SENDLAB_THREADSCHED_H
#define SENDLAB_THREADSCHED_H

#include "core/options.h"

/*
 * Any worker thread, once, before it computes: PRIORITY_NORMAL leaves it
 * as the loop; PRIORITY_NICE adds 5 to its nice; PRIORITY_IDLE (the
 * default) makes it SCHED_IDLE, which every other thread that wakes
 * preempts at once, and which runs only on a core nothing else wants (so
 * as many busy programs as cores starve it: by design).
 */
void threadsched_lower_worker(enum worker_priority p);

/*
 * The loop thread, after the workers exist (a thread created later would
 * inherit the slice): asks for a slice of us microseconds (Linux >= 6.12,
 * EEVDF, unprivileged, clamped by the kernel to 100..100000 us); 0 leaves
 * the kernel's. A shorter slice gives the thread an earlier deadline, so
 * when it wakes it runs before the tasks already waiting. Only the order
 * among runnable tasks changes, not their shares; against SCHED_IDLE
 * workers it adds nothing.
 */
void threadsched_set_loop_slice(int us);

#endif
