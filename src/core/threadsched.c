/*
 * threadsched.c: see threadsched.h.
 */
#define _GNU_SOURCE	/* SCHED_IDLE, syscall() */
#include "core/threadsched.h"

#include "core/variant.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Worker thread: lowers the calling worker's priority below the loop
 * thread's, so that when the workers keep every core busy the loop (which
 * wakes for microseconds per message) and the process's clients get a core
 * soon. Linux keeps nice and the scheduling policy per thread, so this
 * touches only the calling worker (POSIX would make nice process-wide).
 *
 * Why SCHED_IDLE is the default (docs/scaling.md, "Who gets the core";
 * scripts/priority.sh, 2 threads, K clients x 20 items x 20 ms, 3 repeats,
 * quiet 2-core VM, Linux 6.18): any SCHED_OTHER thread that wakes preempts
 * a SCHED_IDLE one at once, whatever either has run, where EEVDF lets a
 * nice +5 or nice 0 worker finish its slice (1.4 ms here) or longer when
 * the woken thread has run a lot. The bystander's worst echo, K = 1 / 8 /
 * 16, in ms: normal 1.1-2.5 / 0.4-5.5 / 4.2-5.4, nice 0.3-2.0 / 3.4-4.4 /
 * 0.9-5.6, idle 0.4-2.2 / 0.5-1.0 / 0.8-2.8; throughput the same (idle at
 * K = 8: 97-101 % of the ideal). Behind nice +5 workers the time went
 * mostly to the harness (the client) waiting for a core; behind SCHED_IDLE
 * ones, in the traced cases, the worst echoes left were other programs
 * (the VM's agent at nice -10, kdamond) holding the core.
 *
 * The price, by design: SCHED_IDLE workers run only on cores nothing else
 * wants. With one busy loop on the side (sh -c 'while :; do :; done') the
 * pool got one core (51 % of the 2-core ideal at K = 8, against 52 % at
 * nice +5 and 69-72 % at nice 0); with as many busy loops as cores it
 * starved (no result in 6.2 s at K = 1), while the loop still answered
 * every echo. Honest limit (reasoned, not measured): a worker preempted
 * while it holds pool.lock (a few hundred ns per item) stalls the loop
 * until that worker runs again, which is at once if a core is free and
 * may be long if every core runs something else; a lock-free completion
 * ring would remove that.
 * A failure to set it costs only latency: reported once, then ignored.
 */
void threadsched_lower_worker(enum worker_priority p)
{
	int rc = 0;

	if (p == PRIORITY_NICE) {
		rc = setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0) + 5);
	} else if (p == PRIORITY_IDLE) {
		struct sched_param param = { .sched_priority = 0 };

		rc = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
	}
	if (rc != 0 && !server_options()->quiet)
		fprintf(stderr, "server: cannot set worker priority %s; "
			"workers run as the loop does\n", options_priority_name(p));
}

/* The kernel's struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0,
 * 48 bytes), for sched_getattr/sched_setattr, which glibc 2.36 does not
 * wrap. Its size field tells the kernel which fields follow. */
struct threadsched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

/*
 * Loop thread, after the pool's workers exist (a thread created
 * later would inherit the slice): asks the scheduler for a slice of us
 * microseconds for the calling thread, the event loop, keeping its policy
 * and nice. Linux >= 6.12 (EEVDF) lets any unprivileged SCHED_OTHER thread
 * do this (sched_attr.sched_runtime, clamped to 100..100000 us): a shorter
 * slice gives the thread an earlier deadline, so when it wakes it runs
 * before the tasks already waiting and preempts the one running. Honest
 * limits: only the order among runnable tasks changes, not their shares;
 * it does nothing against SCHED_IDLE workers, which every SCHED_OTHER
 * thread preempts anyway; kernels before 6.12 have no custom slice (the
 * call then changes nothing, or fails and is reported once). us == 0
 * leaves everything as it is. options.h says what it measured.
 */
void threadsched_set_loop_slice(int us)
{
	struct threadsched_attr a = { .size = sizeof(a) };

	if (us == 0)
		return;
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) != 0 ||
	    a.sched_policy != SCHED_OTHER) {
		if (!server_options()->quiet)
			fprintf(stderr, "server: the loop thread is not "
				"SCHED_OTHER here: its slice stays as it is\n");
		return;
	}
	a.size = sizeof(a);
	a.sched_flags = 0;
	a.sched_runtime = (uint64_t)us * 1000;
	if (syscall(SYS_sched_setattr, 0, &a, 0) != 0 && !server_options()->quiet)
		fprintf(stderr, "server: cannot set the loop thread's "
			"slice to %d us (%s; Linux >= 6.12 needed): it keeps the "
			"kernel's\n", us, strerror(errno));
}
