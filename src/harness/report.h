/*
 * report.h: what the harness records, the CSV it writes, and the numbers it
 * summarises. Pure functions over arrays, so they are unit-tested.
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
	"t_arrive_us,client,cpu_us"
#define REPORT_ECHO_HEADER "variant,run,seq,t_sent_us,t_server_us,t_arrive_us"
#define REPORT_LAG_HEADER \
	"variant,run,since_us,samples,lag_p50_us,lag_p99_us,lag_max_us,stalls"

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
