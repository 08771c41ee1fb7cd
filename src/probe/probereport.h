/*
 * probereport.h: wsprobe's report, what a probelog says in sentences:
 * pong latency, the stalls with when they began and how long they lasted,
 * the bursts, and whether the server stopped answering. Pure (a FILE* and
 * the log), so it can be tested without a server.
 */
#ifndef SENDLAB_PROBEREPORT_H
#define SENDLAB_PROBEREPORT_H

#include "probe/probelog.h"
#include "probe/probeopt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct probereport_in {
	const struct probeopt *o;	/* the URL and the thresholds */
	const struct probelog *log;
	int64_t t_open_us;		/* the connection opened: time 0 */
	int64_t t_end_us;		/* the run ended */
	size_t stray_pongs;		/* pongs that matched no ping in flight */
	bool failed;			/* the run ended early (said elsewhere) */
};

/* Writes the report to f; returns the exit status it implies:
 * PROBE_EXIT_NO_PONG when no ping was answered or the last one was not
 * (unless the run failed: that is reported and its status chosen by the
 * caller), else PROBE_EXIT_OK. */
int probereport_write(FILE *f, const struct probereport_in *in);

#endif
