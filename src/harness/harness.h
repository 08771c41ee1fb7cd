/*
 * harness.h: the harness program's state, H, and what its files offer each
 * other: conn.c (a connection, the lws callbacks), run.c (a run's phases),
 * output.c (the CSV files and the terminal lines), main.c (the program).
 * One lws event loop, one thread: every field of H and every function
 * below runs on that thread only, so nothing locks. The pure parts are
 * args.h, reply.h and report.h, which the unit tests link.
 */
#ifndef SENDLAB_HARNESS_H
#define SENDLAB_HARNESS_H

#include "common/looptimer.h"
#include "common/wire.h"
#include "harness/args.h"
#include "harness/report.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum conn_role { ROLE_CLIENT, ROLE_BYSTANDER };

/* One connection: a client's (it sends a job) or the bystander's. */
struct conn {
	enum conn_role role;
	int client;		/* ROLE_CLIENT: which, 0..K-1 */
	struct lws *wsi;	/* NULL before connecting and after it closed */
	bool tcp_connected;	/* lws is sending the HTTP upgrade request */
	bool established;
	int close_code;		/* from the server's close frame, 0 if none came */
	char close_reason[124];	/* its reason text, printable */
	char rx[WIRE_MAX_MESSAGE];	/* a reply being assembled */
	size_t rx_len;
	/* ROLE_CLIENT, this run's job */
	int64_t t_request_us;	/* its `run` request went out */
	size_t n_results;	/* results received: the next seq expected */
};

/* Where a run is. */
enum phase {
	PH_CONNECTING,	/* waiting for every connection to open */
	PH_SYNC,	/* client 0's echoes measure the server's clock */
	PH_JOB,		/* `run`s sent: results arriving, bystander echoing */
	PH_DRAIN,	/* all results in: waiting for echoes still out */
	PH_STATS,	/* `stats` sent */
	PH_CLOSING,	/* run recorded: waiting for the connections to close */
};

struct harness {
	struct args a;
	struct lws_context *ctx;
	struct conn clients[ARGS_CLIENTS_MAX];	/* [0..a.clients) */
	struct conn bystander;
	/* The bystander's echo every --bystander-ms: a looptimer, not an lws
	 * timer, which would make this loop spin for up to a millisecond
	 * before each echo (looptimer.h), on a core the server under test
	 * needs: measured, the server's loop then waited behind the spinning
	 * harness for up to 1 ms with a result ready. The phases' bounds are
	 * far off and fire only on failure: an lws timer is fine there. */
	struct looptimer echo_timer;
	lws_sorted_usec_list_t sul_timeout;

	int run;		/* 1-based, of a.runs */
	int first_run, last_run;	/* the runs this call makes: 1..a.runs,
					   or R..R with --run R/N */
	int runs_recorded;	/* runs whose every row is written, lag row too */
	enum phase phase;
	int phase_bound_ms;	/* how long this phase may wait (args.h) */
	int64_t t_request_us;	/* the run's first request: its stats window */
	int clients_done;	/* clients with every result of this run */
	char variant[32];
	/* PH_SYNC: the echoes client 0 sent before the job, one at a time,
	 * and what they said of the server's clock (report.h) */
	struct report_echo sync[REPORT_SYNC_ECHOES];
	size_t n_sync;
	struct report_clock clock;

	struct report_msg *msgs;	/* this run's results [client * items + seq] */
	size_t n_msgs;			/* of them received, every client's */
	struct report_echo *echoes;	/* this run's echoes [cap_echoes] */
	size_t n_echoes, cap_echoes;
	size_t echoes_written;		/* of them, already in the bystander CSV */
	int echoes_out;			/* sent, not yet answered */
	struct report_lag lag;

	struct report_msg *all_msgs;	/* every run's results, for medians */
	size_t n_all;
	int64_t *worst_echo;		/* per run */
	int64_t *lag_max;		/* per run */
	struct report_clients *together;	/* per run, K > 1 */
	int64_t *scratch;

	FILE *csv, *bystander_csv, *lag_csv;
	bool job_sent;		/* a run's job went out: a failure now loses data */
	bool done;
	bool failed;
	char why[REPORT_INCOMPLETE_WHY_MAX];	/* the failure, for the CSV marker */
};

extern struct harness H;	/* main.c */

/* conn.c */
extern const struct lws_protocols conn_protocols[];
void conn_connect(struct conn *c);
bool conn_send(struct conn *c, const char *json, size_t len);
void conn_close(struct conn *c);
const char *conn_name(const struct conn *c, char *buf, size_t cap);
const char *conn_who(const struct conn *c, char *buf, size_t cap);
const char *conn_waiting_for(const struct conn *c);

/* run.c */
void run_start(void);
void run_begin_sync(void);
void run_on_all_closed(void);
void run_on_frame(struct conn *c, const char *msg, size_t len, int64_t t);
void run_on_echo_tick(struct looptimer *t);
const char *run_waiting_for(char *buf, size_t cap);
void run_fail(const char *fmt, ...);
void run_finish(bool failed);

/* output.c */
void output_print_run(void);
void output_write_echoes(bool run_over);
FILE *output_open_csv(const char *path, const char *header);
bool output_close_csvs(void);
void output_mark_incomplete(void);
void output_print_summary(void);

#endif
