/*
 * harnessout.h: what a run of build/harness leaves behind, as the harness
 * tests read it: its three CSV files (in temp files of the test's own),
 * their rows and last lines, and the counts its stderr gives.
 */
#ifndef SENDLAB_HARNESSOUT_H
#define SENDLAB_HARNESSOUT_H

#include <stddef.h>

/* The numeric columns hout_read_csv returns, after the variant column. */
enum { HOUT_RUN, HOUT_SEQ, HOUT_REQUEST, HOUT_RECV, HOUT_START, HOUT_DONE, HOUT_SEND,
       HOUT_ARRIVE, HOUT_CLIENT, HOUT_CPU, HOUT_OFFSET, HOUT_OFFSET_ERR, HOUT_NCOLS };

/* The messages file's header line. */
#define HOUT_MSG_HEADER "variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us," \
	"t_send_us,t_arrive_us,client,cpu_us,clock_offset_us,clock_offset_err_us\n"

/* A run's three files: --csv, --bystander-csv, --lag-csv. */
struct hout_files {
	char msg[64], by[64], lag[64];
};

/* Creates the three (empty) temp files; fails the test if it cannot. */
void hout_files_make(struct hout_files *f);

/* Removes them. */
void hout_files_remove(const struct hout_files *f);

/* Reads a CSV file: header into hdr, the numeric columns after the variant
 * column into rows[r][c] (c as HOUT_*; in a messages file c = HOUT_CLIENT
 * is "client"), the variant of the last row into variant, skipping '#'
 * lines. Returns the row count. */
int hout_read_csv(const char *path, char *hdr, size_t hdrcap, long long rows[][HOUT_NCOLS],
		  int maxrows, char *variant, size_t vcap);

/* What a CSV file of the harness holds: its data rows (every line after
 * the header that is not a '#' line) and its last line. */
struct hout_shape {
	int rows;
	char last[600];
};

struct hout_shape hout_csv_shape(const char *path);

/* The count the harness's stderr gives in "N of ITEMS results" or "N
 * bystander echoes" (after_number: " of 5 results", " bystander
 * echoes"), or -1. */
int hout_count(const char *out, const char *after_number);

#endif
