/*
 * output.c: what the harness writes: the CSV files (opened once, a row
 * written as it arrives, the "# incomplete" line after a failure), one
 * line per run and the final medians on stdout, and what the files hold
 * on stderr when a run failed. The rows and figures themselves are
 * report.h's; this file decides when and where they go. All on the
 * harness's one thread.
 */
#include "harness/harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The run is complete (every client has every result, in H.msgs): keeps
 * its figures for the final summary and prints its line (report.h). */
void output_print_run(void)
{
	struct report_run rr;
	struct report_clients *rc = &H.together[H.run - 1];
	char line[640];

	report_summarize_run(H.msgs, H.n_msgs, H.echoes, H.n_echoes, &rr, H.scratch);
	report_summarize_clients(H.msgs, H.n_msgs, H.a.clients, rc, H.scratch);
	H.worst_echo[H.run - 1] = rr.echo.n ? rr.echo.max : -1;
	H.lag_max[H.run - 1] = H.lag.max_us;
	if (H.a.quiet)
		return;
	report_run_line(line, sizeof(line), H.run, H.a.runs, H.variant, H.a.clients,
			H.msgs, H.n_msgs, &rr, rc, &H.lag, H.scratch);
	fputs(line, stdout);
	fflush(stdout);
}

/*
 * Writes this run's echoes that are not in the bystander CSV yet. A row
 * carries the variant, which only a result names (an echo reply does not),
 * so echoes answered before the first result wait here for it; once the
 * run is over they are written with whatever is known ("unknown" if no
 * result ever came).
 */
void output_write_echoes(bool run_over)
{
	if (!H.variant[0] && !run_over)
		return;

	const char *v = H.variant[0] ? H.variant : "unknown";

	for (; H.echoes_written < H.n_echoes; H.echoes_written++)
		if (H.bystander_csv)
			report_echo_csv(H.bystander_csv, v, &H.echoes[H.echoes_written]);
}

/*
 * Opens a CSV file for this call's rows: created with its header by the
 * first run, appended to by a later run of --run R/N. Appending is refused
 * unless the file exists and its header is this one, so rows never land in
 * a file they do not belong to. Exits with ARGS_EXIT_FAILED on any of it.
 */
FILE *output_open_csv(const char *path, const char *header)
{
	if (!path)
		return NULL;

	bool append = H.first_run > 1;
	FILE *f = fopen(path, append ? "r+" : "w");

	if (!f) {
		fprintf(stderr, "harness: %s: %s%s\n", path, strerror(errno),
			append ? " (--run R/N with R > 1 appends to the file run 1 "
			"made)" : "");
		exit(ARGS_EXIT_FAILED);
	}
	if (append) {
		char line[256];

		if (!fgets(line, sizeof(line), f) || strcspn(line, "\n") != strlen(header) ||
		    strncmp(line, header, strlen(header))) {
			fprintf(stderr, "harness: %s: its first line is not the header "
				"\"%s\": not a file run 1 made\n", path, header);
			exit(ARGS_EXIT_FAILED);
		}
		fseek(f, 0, SEEK_END);
	}
	/* a line at a time: each row reaches the file as it arrives */
	setvbuf(f, NULL, _IOLBF, 0);
	if (!append)
		fprintf(f, "%s\n", header);
	return f;
}

/* Closes a CSV file; false (with a message) if any of it failed to reach
 * the disk. */
static bool output_close_csv(FILE *f, const char *path)
{
	if (!f)
		return true;

	bool write_failed = ferror(f);

	if (fclose(f) != 0) {
		fprintf(stderr, "harness: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	if (write_failed)
		fprintf(stderr, "harness: cannot write %s: a write failed\n", path);
	return !write_failed;
}

/* Closes every CSV file; false if any row of any of them failed to reach
 * the disk (each failure has its message). */
bool output_close_csvs(void)
{
	bool written = output_close_csv(H.csv, H.a.csv);

	written = output_close_csv(H.bystander_csv, H.a.bystander_csv) && written;
	written = output_close_csv(H.lag_csv, H.a.lag_csv) && written;
	return written;
}

/*
 * After a failure: writes the failed run's echoes still waiting, ends every
 * CSV file with the "# incomplete" line (report.h) and says on stderr what
 * the files hold, so neither a person nor a script can take them for a
 * complete measurement. The run it names is the first one not recorded:
 * the failed run, or the next one if the failure came while closing a run
 * already recorded.
 */
void output_mark_incomplete(void)
{
	FILE *files[] = { H.csv, H.bystander_csv, H.lag_csv };
	const char *paths[] = { H.a.csv, H.a.bystander_csv, H.a.lag_csv };
	int run = H.runs_recorded + 1;
	bool started = run == H.run;	/* else it never began */
	char list[1024] = "";
	int n_files = 0;

	output_write_echoes(true);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len = strlen(list);

		if (!files[i])
			continue;
		report_incomplete_csv(files[i], run, H.a.runs, H.why);
		snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", paths[i]);
		n_files++;
	}

	const char *verb_s = n_files == 1 ? "s" : "";	/* "holds" or "hold" */

	if (!H.job_sent) {
		fprintf(stderr, "harness: no job was sent: nothing was measured");
		if (n_files)
			fprintf(stderr, "; %s end%s with a line \"# incomplete: run %d "
				"of %d: ...\"", list, verb_s, run, H.a.runs);
		fprintf(stderr, " (exit status %d)\n", ARGS_EXIT_FAILED);
		return;
	}
	fprintf(stderr, "harness: run %d of %d is incomplete: %zu of %d results",
		run, H.a.runs, started ? H.n_msgs : 0, H.a.clients * H.a.items);
	if (H.a.clients > 1)
		fprintf(stderr, " (%d clients x %d item%s)", H.a.clients, H.a.items,
			H.a.items == 1 ? "" : "s");
	if (H.a.bystander_ms)
		fprintf(stderr, " and %zu bystander echoes (%d unanswered)",
			started ? H.n_echoes : 0, started ? H.echoes_out : 0);
	fprintf(stderr, " arrived");
	if (n_files)
		fprintf(stderr, "; %s hold%s every row received and end%s with a line "
			"\"# incomplete: run %d of %d: ...\"", list, verb_s, verb_s, run,
			H.a.runs);
	fprintf(stderr, " (exit status %d)\n", ARGS_EXIT_INCOMPLETE);
}

/* The summary's K > 1 lines: each run's figure over its clients, then the
 * median run. together: this call's runs, `runs` of them. */
static void output_print_together(const struct report_clients *together, int runs)
{
	struct stats_summary f50, fmax, span;
	char f50_s[32], fmax_s[32], span_s[32];

	for (int r = 0; r < runs; r++)
		H.scratch[r] = together[r].first_p50_us;
	stats_summarize(H.scratch, (size_t)runs, &f50);
	for (int r = 0; r < runs; r++)
		H.scratch[r] = together[r].first_max_us;
	stats_summarize(H.scratch, (size_t)runs, &fmax);
	for (int r = 0; r < runs; r++)
		H.scratch[r] = together[r].makespan_us;
	stats_summarize(H.scratch, (size_t)runs, &span);
	report_ms_list(f50_s, sizeof(f50_s), &f50.p50, 1);
	report_ms_list(fmax_s, sizeof(fmax_s), &fmax.p50, 1);
	report_ms_list(span_s, sizeof(span_s), &span.p50, 1);
	/* median and worst over each run's clients */
	printf("  first result, median (ms)   %s\n"
	       "  first result, worst (ms)    %s\n"
	       "  makespan (ms)               %s\n", f50_s, fmax_s, span_s);
}

/* Medians over the runs, one block of lines. */
void output_print_summary(void)
{
	size_t items = (size_t)H.a.items;
	int64_t *arr = calloc(items, sizeof(*arr)), *del = calloc(items, sizeof(*del));
	char arr_s[160], del_s[160];
	struct stats_summary worst, lag;
	/* this call's runs: the arrays' entries first_run - 1 .. run - 1 */
	int runs = H.run - H.first_run + 1;
	int64_t *worst_echo = H.worst_echo + (H.first_run - 1);	/* sorted below */
	int64_t *lag_max = H.lag_max + (H.first_run - 1);

	if (!arr || !del) {
		free(arr);
		free(del);
		return;
	}
	report_median_by_seq(H.all_msgs, H.n_all, items, arr, del, H.scratch);
	report_ms_list(arr_s, sizeof(arr_s), arr, items);
	report_ms_list(del_s, sizeof(del_s), del, items);
	stats_summarize(worst_echo, (size_t)runs, &worst);
	stats_summarize(lag_max, (size_t)runs, &lag);
	if (H.a.clients == 1)
		printf("%s, %d run%s of %d x %d ms, medians over runs:\n",
		       H.variant, runs, runs == 1 ? "" : "s", H.a.items, H.a.work_ms);
	else
		printf("%s, %d run%s of %d clients x %d x %d ms, medians over runs "
		       "(per seq: over runs and clients):\n", H.variant, runs,
		       runs == 1 ? "" : "s", H.a.clients, H.a.items, H.a.work_ms);
	printf("  arrival after request (ms)  %s\n"
	       "  delivery latency (ms)       %s\n", arr_s, del_s);
	if (H.a.clients > 1)
		output_print_together(H.together + (H.first_run - 1), runs);
	if (H.a.bystander_ms)
		printf("  bystander worst echo (ms)   %.1f\n", (double)worst.p50 / 1000.0);
	printf("  event-loop lag max (ms)     %.1f\n", (double)lag.p50 / 1000.0);
	free(arr);
	free(del);
}
