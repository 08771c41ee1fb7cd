/*
 * wprun.h: running build/wsprobe as a process in the integration tests
 * (test_wsprobe_fail.c, test_wsprobe_tls.c): one bounded run, its exit
 * status and output checked, its report's counts read.
 */
#ifndef SENDLAB_WPRUN_H
#define SENDLAB_WPRUN_H

#include "probe/probelog.h"
#include "probe/probestat.h"

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

/* Probes 127.0.0.1:port with --send job (NULL: none) until `messages`
 * messages came, pinging every ping_ms, its CSV into csv, into *r.
 * --duration-s 20 only bounds it: a loaded machine that stretches a job
 * must not cut it short. Fails the test if wsprobe does not exit. */
void wp_probe(struct wp_run *r, int port, const char *job, int messages, int ping_ms,
	      const char *csv);

/* Reads a wsprobe CSV into *log (probelog_free it); fails the test if it
 * is not one. */
void wp_read_csv(const char *csv, struct probelog *log);

/* wp_probe into a temp CSV that must exit 0; the CSV is read into *log
 * (probelog_free it) and summarised into *sum (stalls and bursts at the
 * 100 ms defaults); the report is in r->out. */
void wp_probe_job(struct wp_run *r, int port, const char *job, int messages, int ping_ms,
		  struct probelog *log, struct probe_summary *sum);

#endif
