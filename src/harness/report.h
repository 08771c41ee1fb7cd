/*
 * report.h: what the harness records, the CSV it writes, and the numbers it
 * summarises. Pure functions over arrays, so they are unit-tested.
 *
 * The server's stamps are in the harness's clock: on one host they are
 * the same CLOCK_MONOTONIC; a server with a clock of its own (another
 * machine) is measured by its offset (report_clock_estimate()) and its
 * stamps are shifted into the harness's clock before anything is derived.
 *
 * Derived measures (all in microseconds, all from one clock):
 *   arrival offset    t_arrive - t_request   when the client saw the message
 *   delivery latency  t_arrive - t_done      how long a finished result took
 *                                            to reach the client
 *   queue wait        t_send - t_done        ... of which waiting in the server
 *   transit           t_arrive - t_send      ... of which the network and lws
 *   echo latency      t_arrive - t_sent      how long another client waited
 */
#ifndef SENDLAB_REPORT_H
#define SENDLAB_REPORT_H

#include "common/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One result as the client saw it. */
struct report_msg {
	int run;		/* 1-based */
	int seq;
	int64_t t_request_us;	/* the client sent `run` */
	int64_t t_recv_us, t_start_us, t_done_us, t_send_us; /* the server's stamps */
	int64_t t_arrive_us;	/* the client received the frame */
	int client;		/* which of the harness's --clients K connections
				   received it, 0..K-1 (0 when K = 1); last, so
				   positional initialisers of the fields above
				   stay valid */
	int64_t cpu_us;		/* the item's CPU time on the server's computing
				   thread, as the server reported it; -1 if it
				   did not */
	int64_t clock_offset_us;	/* subtracted from the server's stamps
					   above: 0 when the clocks are one */
	int64_t clock_offset_err_us;	/* its uncertainty, half the best echo
					   round trip; -1: not measured (a file
					   from before the harness measured it) */
};

/* The most concurrent clients one harness drives (--clients). */
#define REPORT_CLIENTS_MAX 64

/* One bystander echo. */
struct report_echo {
	int run;
	int seq;		/* 0-based within the run */
	int64_t t_sent_us;	/* the client sent the echo (its t_us) */
	int64_t t_server_us;	/* the server wrote the reply */
	int64_t t_arrive_us;	/* the client received it */
};

/* The server's lag summary for one run's window. */
struct report_lag {
	int run;
	int64_t since_us;
	int64_t samples, p50_us, p99_us, max_us, stalls;
};

/* New columns go last (client, then cpu_us), so that every reader that
 * addresses the columns before them by number (the gnuplot scripts, the
 * labs' awk) reads them where they always were. client is always written,
 * 0 when K = 1; cpu_us is -1 when the server did not report it. */
#define REPORT_MSG_HEADER \
	"variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us," \
	"t_arrive_us,client,cpu_us,clock_offset_us,clock_offset_err_us"
#define REPORT_ECHO_HEADER "variant,run,seq,t_sent_us,t_server_us,t_arrive_us"
#define REPORT_LAG_HEADER \
	"variant,run,since_us,samples,lag_p50_us,lag_p99_us,lag_max_us,stalls"

/*
 * The server's clock against the harness's, from echoes: each echo reply
 * carries t_server_us, written between the client's t_sent_us and
 * t_arrive_us. If the way there and the way back took equally long, the
 * server wrote it at the midpoint, so offset = t_server - midpoint. The
 * echo with the shortest round trip bounds the error best: whatever the
 * asymmetry, the truth lies within half that round trip (NTP's rule).
 */
#define REPORT_SYNC_ECHOES 5	/* echoes a run sends before its job */

struct report_clock {
	int64_t estimate_us;	/* server clock - harness clock */
	int64_t err_us;		/* half the best round trip, rounded up */
	int64_t offset_us;	/* what to subtract from the server's stamps:
				   the estimate, or 0 when the estimate is
				   within its own error of 0 (the clocks are
				   one, or agree as far as can be measured:
				   one host's stamps are then left as
				   written rather than given the noise of
				   an estimate) */
};

/* The estimate from n >= 1 echoes (those of one run), into out. Echoes
 * with t_arrive_us < t_sent_us, or a stamp outside 0..WIRE_TIME_MAX, are
 * ignored; false if none is left. */
bool report_clock_estimate(const struct report_echo *e, size_t n,
			   struct report_clock *out);

/* One CSV row each (no header), ending in '\n'. */
void report_msg_csv(FILE *f, const char *variant, const struct report_msg *m);
void report_echo_csv(FILE *f, const char *variant, const struct report_echo *e);
void report_lag_csv(FILE *f, const char *variant, const struct report_lag *l);

/*
 * The last line of every CSV file of a harness that gave up before all its
 * runs completed:
 *   # incomplete: run R of N: WHY
 * The rows above it are every row received; those of run R are partial
 * (or absent). A trailing line, because a complete file then stays byte
 * for byte what it always was: the header and the column count every
 * reader knows do not change. gnuplot skips it as a comment;
 * build/summarize reads it (analysis/csvin.h) and leaves run R out.
 */
#define REPORT_INCOMPLETE_PREFIX "# incomplete: run "
#define REPORT_INCOMPLETE_WHY_MAX 400	/* longer reasons are cut */

/* Writes that line; WHY's commas become ';' and control characters spaces,
 * so the line is one field to any CSV reader and one line to all. */
void report_incomplete_csv(FILE *f, int run, int runs, const char *why);

/* What one run showed. */
struct report_run {
	size_t items;
	struct stats_summary delivery;	/* over the run's messages */
	struct stats_summary echo;	/* over its echoes (n = 0: no bystander) */
};

/* Delivery-latency and echo-latency summaries of one run. scratch must hold
 * max(n_msgs, n_echoes) values. */
void report_summarize_run(const struct report_msg *msgs, size_t n_msgs,
			  const struct report_echo *echoes, size_t n_echoes,
			  struct report_run *out, int64_t *scratch);

/* What the K clients of one run saw together (--clients K > 1). */
struct report_clients {
	size_t clients;		/* clients with at least one result */
	int64_t first_p50_us;	/* a client's first result, after its own
				   request: the median over the clients */
	int64_t first_max_us;	/* ... and the worst client's */
	int64_t makespan_us;	/* the earliest request to the last arrival,
				   over every client: how long the K jobs
				   took together */
};

/*
 * Summarises the results of one run's clients (msgs in any order, client
 * 0..clients-1). A client's first result is the one that arrived first,
 * measured from that client's own request; a client with no result counts
 * in neither figure. All zero when n_msgs is 0. scratch must hold
 * `clients` values.
 */
void report_summarize_clients(const struct report_msg *msgs, size_t n_msgs,
			      int clients, struct report_clients *out,
			      int64_t *scratch);

/*
 * The harness's line for one finished run, ending in '\n', into buf:
 *   K = 1: run R/N V: arrivals A.. ms after request; delivery D.. ms
 *          [; bystander worst W ms (E echoes)]; loop lag max L ms, stalls S
 *   K > 1: run R/N V, K clients: first result after request median F,
 *          worst G ms; makespan M ms; delivery median D, max X ms
 *          [; bystander ...]; loop lag max L ms, stalls S
 * (one line). The K = 1 form is the one the harness always printed, with
 * the values of msgs in their order; the K > 1 form replaces the lists,
 * K x items values long, with rc (report_summarize_clients()) and rr's
 * delivery. rc may be NULL when clients is 1. scratch must hold 2 x
 * n_msgs values.
 */
void report_run_line(char *buf, size_t cap, int run, int runs, const char *variant,
		     int clients, const struct report_msg *msgs, size_t n_msgs,
		     const struct report_run *rr, const struct report_clients *rc,
		     const struct report_lag *lag, int64_t *scratch);

/*
 * Per-seq medians over runs: for each seq in [0, items), the median of the
 * arrival offsets and of the delivery latencies of the messages with that
 * seq (msgs may hold several runs, in any order). Writes items values into
 * arrival_us[] and delivery_us[]; a seq no run delivered gets -1. scratch
 * must hold n_msgs values.
 */
void report_median_by_seq(const struct report_msg *msgs, size_t n_msgs,
			  size_t items, int64_t *arrival_us,
			  int64_t *delivery_us, int64_t *scratch);

/* Appends "a b c" (milliseconds, one decimal when under 10 ms) for values
 * in microseconds, eliding the middle of long lists. */
void report_ms_list(char *buf, size_t cap, const int64_t *us, size_t n);

#endif
