/*
 * csvin.h: reads back the CSVs of an experiment run (the harness's
 * messages and bystander files, a server's --lag-log) for the summary.
 *
 * Strict, because a summary computed from a damaged file would be worse
 * than none: the header must be exactly the one the writer uses, every
 * row must have every field as an integer, and the file may hold at most
 * CSVIN_MAX_ROWS rows. Any violation is an error naming the file and line.
 * So a messages file from before the harness wrote `cpu_us` is refused by
 * its header: nothing guesses which format a file is in. One older header
 * is still read: the one before the clock columns (clock_offset_us,
 * clock_offset_err_us), whose rows come from one host (offset 0, error
 * -1: not measured).
 *
 * The one line that is not a row: the "# incomplete: run R of N: WHY" a
 * harness that gave up ends its files with (harness/report.h). It must be
 * the last line, no row may belong to a run after R, and it is read into
 * a struct csvin_incomplete for the caller to act on; a caller that passes
 * none gets an error, so no reader takes a partial run for a whole one.
 */
#ifndef SENDLAB_CSVIN_H
#define SENDLAB_CSVIN_H

#include "analysis/summary.h"
#include "harness/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CSVIN_MAX_ROWS 1000000
#define CSVIN_MAX_LINE 512

#define CSVIN_LAG_HEADER "t_us,lag_us"

/* What a "# incomplete" line said; run 0: the file has none. */
struct csvin_incomplete {
	int run;	/* the first run not recorded: its rows are partial */
	int runs;	/* the runs the harness was asked for */
	char why[REPORT_INCOMPLETE_WHY_MAX + 1];
};

/*
 * Each reads f (named `name` in errors) into a malloc'd array the caller
 * frees (*out, *n; NULL and 0 for a file with only its header). Returns
 * false with "NAME:LINE: why" in err. The variant column of the harness's
 * files is checked to be the same on every row and copied into variant
 * (at most varcap - 1 bytes) if non-NULL. A message's client must be
 * 0..REPORT_CLIENTS_MAX-1. The harness's files may end with
 * the "# incomplete" line: it goes into *incomplete (run 0 if there is
 * none), and is an error if incomplete is NULL.
 */
bool csvin_messages(FILE *f, const char *name, struct report_msg **out, size_t *n,
		    char *variant, size_t varcap, struct csvin_incomplete *incomplete,
		    char *err, size_t errcap);
bool csvin_echoes(FILE *f, const char *name, struct report_echo **out, size_t *n,
		  struct csvin_incomplete *incomplete, char *err, size_t errcap);
bool csvin_lag(FILE *f, const char *name, struct summary_lag_sample **out, size_t *n,
	       char *err, size_t errcap);

/* A line of f into line[0..cap) without its end of line: 1; 0 at the end
 * of the file; -1 with "NAME:LINENO: line longer than ..." in err if it
 * does not fit. For every reader of analysis/ (scaling_read.c too). */
int csvin_getline(FILE *f, char *line, size_t cap, const char *name, long lineno,
		  char *err, size_t errcap);

#endif
