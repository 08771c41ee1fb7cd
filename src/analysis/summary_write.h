/*
 * summary_write.h: how build/summarize presents an experiment run: the
 * tables of summary.md, the rows of summary.csv and latency.csv, and the
 * verdict lines it prints. The numbers come from summary.c; this file only
 * lays them out, so every output says the same thing in the same words.
 */
#ifndef SENDLAB_SUMMARY_WRITE_H
#define SENDLAB_SUMMARY_WRITE_H

#include "analysis/csvin.h"
#include "analysis/summary.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SUMMARY_CONFIG_NAME_MAX 48

/* One configuration of the run (a server and its send discipline). */
struct summary_config {
	char name[SUMMARY_CONFIG_NAME_MAX];	/* blocking-proactor, flush, ... */
	char variant[SUMMARY_CONFIG_NAME_MAX];	/* as the server named itself */
	struct summary s;
	struct csvin_incomplete incomplete;	/* run 0: every run complete */
	size_t msgs_left_out, echoes_left_out;	/* the incomplete run's rows */
	bool no_complete_run;			/* so no summary at all */
	bool comparable;	/* its item CPU time is within SUMMARY_SAME_WORK
				   of the run's (summary_cpu_comparable) */
};

/* The whole run, as summarize computed it. */
struct summary_run {
	const char *run_id;
	const char *params;		/* env.txt's parameters line */
	const char *iters_per_ms;	/* env.txt's, or NULL if not recorded */
	int64_t item_cpu;		/* the median of the configurations'
					   item_cpu; -1 if none reported one */
	const struct summary_config *c;
	int n;
};

/* "1 result and 12 echoes" and the like, into buf: the rows of c's
 * incomplete run that were left out. */
const char *summary_rows_left_out(const struct summary_config *c, char *buf,
				  size_t cap);

void summary_write_markdown(FILE *f, const struct summary_run *r);
void summary_write_csv(FILE *f, const struct summary_run *r);
/* For the box plot: x position, the name, and the five numbers in ms. */
void summary_write_latency(FILE *f, const struct summary_run *r);
/* The verdict table for the terminal (verdicts.txt). */
void summary_write_verdicts(FILE *f, const struct summary_run *r);

#endif
