/*
 * csvin.h: reads back the CSVs of an experiment run (the harness's
 * messages and bystander files, a server's --lag-log) for the summary.
 *
 * Strict, because a summary computed from a damaged file would be worse
 * than none: the header must be exactly the one the writer uses, every
 * row must have every field as an integer, and the file may hold at most
 * CSVIN_MAX_ROWS rows. Any violation is an error naming the file and line.
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

/*
 * Each reads f (named `name` in errors) into a malloc'd array the caller
 * frees (*out, *n; NULL and 0 for a file with only its header). Returns
 * false with "NAME:LINE: why" in err. The variant column of the harness's
 * files is checked to be the same on every row and copied into variant
 * (at most varcap - 1 bytes) if non-NULL.
 */
bool csvin_messages(FILE *f, const char *name, struct report_msg **out, size_t *n,
		    char *variant, size_t varcap, char *err, size_t errcap);
bool csvin_echoes(FILE *f, const char *name, struct report_echo **out, size_t *n,
		  char *err, size_t errcap);
bool csvin_lag(FILE *f, const char *name, struct summary_lag_sample **out, size_t *n,
	       char *err, size_t errcap);

#endif
