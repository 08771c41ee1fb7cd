/*
 * wprun.h: running build/wsprobe as a process in the integration tests
 * (test_wsprobe_fail.c, test_wsprobe_tls.c): one bounded run, its exit
 * status and output checked, its report's counts read.
 */
#ifndef SENDLAB_WPRUN_H
#define SENDLAB_WPRUN_H

#include <stddef.h>
#include <stdint.h>

/* Each run's bound (spawn_run's: a run past it is killed and fails the
 * test): what it must take at most, with room for a loaded machine. */
#define WP_QUICK_MS 5000	/* fails before or at connecting */
#define WP_DNS_MS 25000	/* the system resolver may wait for a silent server */
#define WP_RUN1_MS 6000	/* --duration-s 1 + 1 s grace + the close */
#define WP_CLOSE_MS 3000	/* a close mid-run: well before --duration-s 5 */
#define WP_CSV_HEADER "kind,t_sent_us,t_recv_us,bytes"

/* One wsprobe run: its wait status and merged stdout + stderr. */
struct wp_run {
	int status;		/* spawn_run's: -1 if it outlived bound_ms */
	int bound_ms;
	int64_t took_us;
	char out[16384];
};

/* Runs $SENDLAB_BUILD/wsprobe with args (NULL-terminated) into *r,
 * killing it after bound_ms. */
void wp_run_args(struct wp_run *r, int bound_ms, char *const args[]);

/* Asserts that r exited with status want and its output holds every one of
 * the NULL-terminated sentences that follow. */
void wp_assert(const struct wp_run *r, int want, ...);

/* The line of out that starts with prefix, copied into line ("" if none). */
void wp_line(const char *out, const char *prefix, char *line, size_t cap);

/* The report's first line, "wsprobe: URL for T s: N pings, M pongs", into
 * *pings and *pongs; fails the test if there is none. */
void wp_counts(const char *out, int *pings, int *pongs);

#endif
