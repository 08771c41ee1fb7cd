/*
 * harness: drives a sendlab server and records when each message arrives.
 *
 * For each run it opens K fresh connections, one per client (--clients K,
 * default 1), and with --bystander-ms one more, the "bystander". Once
 * every one of them is open, client 0 sends 5 `echo`s, one at a time, to
 * measure the server's clock against its own (report_clock_estimate():
 * one host, one clock; another machine's is shifted into this one). Then
 * it sends the K `run` requests, back to back in one callback, so the K
 * jobs start together; each client stamps its own request and every
 * `result` it receives the moment it arrives (CLOCK_MONOTONIC). Meanwhile the bystander sends
 * an `echo` every MS ms. When every client has every result, the harness
 * asks the server for its event-loop lag over the run's window (`stats`
 * since the first request, on client 0's connection). Rows go
 * to CSV files as they arrive (line-buffered, so a reader sees each row at
 * once and a harness killed outright still leaves them); one line per run
 * and a final summary go to stdout.
 *
 * Everything runs on one lws event loop in this thread. The harness never
 * blocks that loop, so an arrival stamp is late only by the time lws takes
 * to read the frame. Every wait has its own bound (args.h: opening the
 * connections, each clock echo, the results, the echoes still out, the stats reply, the
 * closing), armed as the run enters the phase that waits; a phase ends
 * only when all K clients have what it waits for, so the bound holds for
 * each of them. Any failure of any connection (refused, HTTP error, server
 * gone, timeout, an `error` reply, a malformed reply) ends the harness with
 * a message that names the URL, the run, the connection (which client, when
 * K > 1) and the cause; every CSV file then holds the rows received and
 * ends with the "# incomplete" line (report.h), and the exit status says
 * whether a job was sent before it (3, incomplete) or not (1, nothing
 * measured): args.h.
 */
#include "harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness H = { .echo_timer = { .fd = -1 } };

/* Allocates the rows of a run and of every run; false (with a message) if
 * memory runs out. */
static bool harness_alloc(void)
{
	size_t runs = (size_t)H.a.runs, items = (size_t)H.a.items;
	size_t per_run = (size_t)H.a.clients * items;	/* results of one run */

	/* echoes are sent only while results are awaited, so at most one
	 * per period of the results' bound */
	H.cap_echoes = H.a.bystander_ms
		? (size_t)args_results_timeout_ms(&H.a) / (size_t)H.a.bystander_ms + 16 : 0;
	H.msgs = calloc(per_run, sizeof(*H.msgs));
	H.echoes = calloc(H.cap_echoes + 1, sizeof(*H.echoes));
	H.all_msgs = calloc(runs * per_run, sizeof(*H.all_msgs));
	H.worst_echo = calloc(runs, sizeof(int64_t));
	H.lag_max = calloc(runs, sizeof(int64_t));
	H.together = calloc(runs, sizeof(*H.together));
	/* the most any user of it takes: every run's results (medians), or
	 * two values per result of a run (report_run_line), or the echoes,
	 * or one per client or run */
	H.scratch = calloc(runs * per_run + per_run + H.cap_echoes + runs +
			   (size_t)H.a.clients + 1, sizeof(int64_t));
	if (!H.msgs || !H.echoes || !H.all_msgs || !H.worst_echo || !H.lag_max ||
	    !H.together || !H.scratch) {
		fprintf(stderr, "harness: out of memory\n");
		return false;
	}
	return true;
}

static void harness_free(void)
{
	free(H.msgs);
	free(H.echoes);
	free(H.all_msgs);
	free(H.worst_echo);
	free(H.lag_max);
	free(H.together);
	free(H.scratch);
}

/* Creates the lws context and the bystander's timer; false (with a
 * message) if either fails. */
static bool harness_open_loop(void)
{
	struct lws_context_creation_info info;
	char err[256];

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = conn_protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	/* lws has its own handshake timeouts (20 s by default) that would end
	 * a slow upgrade with a vague "connection error": set them past ours,
	 * so the harness's bound decides and its message names the wait */
	info.timeout_secs = info.connect_timeout_secs =
		(unsigned int)args_connect_timeout_ms(&H.a) / 1000 + 10;
	H.ctx = lws_create_context(&info);
	if (!H.ctx) {
		fprintf(stderr, "harness: cannot create the libwebsockets context\n");
		return false;
	}
	if (!looptimer_open(&H.echo_timer, H.ctx, run_on_echo_tick,
			    err, sizeof(err))) {
		fprintf(stderr, "harness: the bystander's timer: %s\n", err);
		lws_context_destroy(H.ctx);
		return false;
	}
	return true;
}

/* After the loop: says what the files hold, prints the medians of a
 * complete call, closes the files, and returns the exit status (args.h). */
static int harness_conclude(void)
{
	int status = ARGS_EXIT_OK;

	if (H.failed && H.runs_recorded == H.last_run) {
		/* it failed closing the last run: every row is written already */
		fprintf(stderr, "harness: every run was recorded before that: the "
			"files are complete\n");
		H.failed = false;
	}
	if (H.failed) {
		output_mark_incomplete();
		status = H.job_sent ? ARGS_EXIT_INCOMPLETE : ARGS_EXIT_FAILED;
	} else if (!H.a.run_as) {
		/* medians over one run of N would say nothing: the caller of
		 * --run R/N has every run's rows and makes its own */
		output_print_summary();
	}
	/* a row that never reached the disk must not pass for a complete run */
	if (!output_close_csvs() && status == ARGS_EXIT_OK)
		status = ARGS_EXIT_FAILED;
	return status;
}

int main(int argc, char **argv)
{
	char err[256];

	if (!args_parse(argc, argv, &H.a, err, sizeof(err))) {
		fprintf(stderr, "harness: %s\n", err);
		args_usage(stderr);
		return ARGS_EXIT_USAGE;
	}
	if (H.a.help) {
		args_usage(stdout);
		return ARGS_EXIT_OK;
	}
	if (!harness_alloc())
		return ARGS_EXIT_FAILED;
	H.first_run = H.a.run_as ? H.a.run_as : 1;
	H.last_run = H.a.run_as ? H.a.run_as : H.a.runs;
	H.run = H.runs_recorded = H.first_run - 1;	/* the next run starts it */
	H.csv = output_open_csv(H.a.csv, REPORT_MSG_HEADER);
	H.bystander_csv = output_open_csv(H.a.bystander_csv, REPORT_ECHO_HEADER);
	H.lag_csv = output_open_csv(H.a.lag_csv, REPORT_LAG_HEADER);
	if (!harness_open_loop())
		return ARGS_EXIT_FAILED;

	run_start();
	while (!H.done)
		if (lws_service(H.ctx, 0) < 0)
			run_fail("the libwebsockets event loop failed");

	looptimer_disarm(&H.echo_timer);
	lws_sul_cancel(&H.sul_timeout);
	lws_context_destroy(H.ctx);

	int status = harness_conclude();

	harness_free();
	return status;
}
