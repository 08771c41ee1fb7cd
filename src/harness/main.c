/*
 * harness: drives a sendlab server and records when each message arrives.
 *
 * For each run it opens K fresh connections, one per client (--clients K,
 * default 1), and with --bystander-ms one more, the "bystander". Only when
 * every one of them is open does it send the K `run` requests, back to
 * back in one callback, so the K jobs start together; each client stamps
 * its own request and every `result` it receives the moment it arrives
 * (CLOCK_MONOTONIC, the server's clock too). Meanwhile the bystander sends
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
 * connections, the results, the echoes still out, the stats reply, the
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
#include "common/clock.h"
#include "common/looptimer.h"
#include "common/wire.h"
#include "harness/args.h"
#include "harness/reply.h"
#include "harness/report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	bool rx_overflow;
	/* ROLE_CLIENT, this run's job */
	int64_t t_request_us;	/* its `run` request went out */
	size_t n_results;	/* results received: the next seq expected */
};

/* Where a run is. */
enum phase {
	PH_CONNECTING,	/* waiting for every connection to open */
	PH_JOB,		/* `run`s sent: results arriving, bystander echoing */
	PH_DRAIN,	/* all results in: waiting for echoes still out */
	PH_STATS,	/* `stats` sent */
	PH_CLOSING,	/* run recorded: waiting for the connections to close */
};

static struct harness {
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
} H = { .echo_timer = { .fd = -1 } };

static bool harness_conn_send(struct conn *c, const char *json, size_t len);
static void harness_start_run(void);
static void harness_on_connection_error(const char *lws_why);

/* Stops the loop: lws_service() may be about to sleep in poll(), so wake it. */
static void harness_finish(bool failed)
{
	H.failed = failed;
	H.done = true;
	lws_cancel_service(H.ctx);
}

/* Gives up: keeps the reason for the CSV marker and prints it naming the
 * URL and the run. Only the first failure counts: the others follow from it. */
static void harness_fail(const char *fmt, ...)
{
	va_list ap;

	if (H.done)
		return;
	va_start(ap, fmt);
	vsnprintf(H.why, sizeof(H.why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "harness: %s: run %d of %d: %s\n", H.a.url, H.run, H.a.runs,
		H.why);
	harness_finish(true);
}

/* How messages name connection c: "main connection" when there is one
 * client (the words the harness always used), "connection of client N"
 * when there are more, "bystander connection". */
static const char *harness_conn_name(const struct conn *c, char *buf, size_t cap)
{
	if (c->role == ROLE_BYSTANDER)
		return "bystander connection";
	if (H.a.clients == 1)
		return "main connection";
	snprintf(buf, cap, "connection of client %d", c->client);
	return buf;
}

/* A prefix naming the client for failures that concern one client's
 * connection: "" when there is one client (its messages stay as they
 * were), "client N: " when there are more. */
static const char *harness_who(const struct conn *c, char *buf, size_t cap)
{
	if (c->role == ROLE_BYSTANDER || H.a.clients == 1)
		return "";
	snprintf(buf, cap, "client %d: ", c->client);
	return buf;
}

/* Which step of opening a connection is still missing, or NULL if it is
 * open: lws gives no callback between TCP connect and the upgrade request,
 * so CLIENT_APPEND_HANDSHAKE_HEADER marks the TCP connection as made. */
static const char *harness_conn_waiting_for(const struct conn *c)
{
	if (c->established)
		return NULL;
	if (!c->tcp_connected)
		return "the TCP connection";
	return "the WebSocket upgrade (TCP connected; the server has not "
	       "answered the HTTP upgrade request)";
}

/* The first client still waiting for a result, or NULL. */
static const struct conn *harness_client_waiting(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (H.clients[k].n_results < (size_t)H.a.items)
			return &H.clients[k];
	return NULL;
}

/* What the current phase waits for, in words, for a failure message: the
 * first connection or client still missing something. */
static const char *harness_phase_waiting_for(char *buf, size_t cap)
{
	const char *step;
	const struct conn *c;
	char name[48];

	switch (H.phase) {
	case PH_CONNECTING:
		for (int k = 0; k < H.a.clients; k++) {
			c = &H.clients[k];
			if ((step = harness_conn_waiting_for(c))) {
				snprintf(buf, cap, "%s of the %s", step,
					 harness_conn_name(c, name, sizeof(name)));
				return buf;
			}
		}
		if (H.a.bystander_ms && (step = harness_conn_waiting_for(&H.bystander)))
			snprintf(buf, cap, "%s of the bystander connection", step);
		else
			snprintf(buf, cap, "the connections to open");
		return buf;
	case PH_JOB:
		c = harness_client_waiting();
		if (!c)
			snprintf(buf, cap, "the results");
		else if (H.a.clients == 1)
			snprintf(buf, cap, "result %zu of %d", c->n_results + 1, H.a.items);
		else
			snprintf(buf, cap, "result %zu of %d of client %d (%d of %d "
				 "clients still waiting for results)", c->n_results + 1,
				 H.a.items, c->client, H.a.clients - H.clients_done,
				 H.a.clients);
		return buf;
	case PH_DRAIN:
		snprintf(buf, cap, "%d bystander echo replies", H.echoes_out);
		return buf;
	case PH_STATS:
		return "the stats reply";
	case PH_CLOSING:
		return "the connections to close";
	}
	return "?";
}

static void harness_on_timeout(lws_sorted_usec_list_t *sul)
{
	char what[160];

	(void)sul;
	harness_fail("timed out after %d ms waiting for %s", H.phase_bound_ms,
		     harness_phase_waiting_for(what, sizeof(what)));
}

/* The bound of each phase's wait (args.h). */
static int harness_phase_bound_ms(enum phase p)
{
	switch (p) {
	case PH_CONNECTING:
		return args_connect_timeout_ms(&H.a);
	case PH_JOB:
		return args_results_timeout_ms(&H.a);
	case PH_DRAIN:
	case PH_STATS:
	case PH_CLOSING:
		break;
	}
	return args_reply_timeout_ms(&H.a);
}

/* Enters phase p and arms its bound: from now, what p waits for must come
 * within harness_phase_bound_ms(p). */
static void harness_enter_phase(enum phase p)
{
	H.phase = p;
	H.phase_bound_ms = harness_phase_bound_ms(p);
	lws_sul_schedule(H.ctx, 0, &H.sul_timeout, harness_on_timeout,
			 (lws_usec_t)H.phase_bound_ms * 1000);
}

/* Arms the bystander's next echo, --bystander-ms from now. */
static void harness_schedule_echo(void)
{
	if (!looptimer_arm_at(&H.echo_timer, clock_now_us() +
			      (int64_t)H.a.bystander_ms * 1000))
		harness_fail("cannot arm the bystander's timer: %s", strerror(errno));
}

static void harness_on_echo_tick(struct looptimer *t)
{
	(void)t;
	if (H.done || H.phase != PH_JOB)
		return;

	char json[64];
	int n = snprintf(json, sizeof(json), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}",
			 clock_now_us());

	/* An echo that cannot be sent (socket choked) is simply not sent:
	 * the latencies are of the echoes that were. */
	if (H.echoes_out + H.n_echoes < H.cap_echoes &&
	    harness_conn_send(&H.bystander, json, (size_t)n))
		H.echoes_out++;
	harness_schedule_echo();
}

static bool harness_conn_send(struct conn *c, const char *json, size_t len)
{
	unsigned char buf[LWS_PRE + 128];

	if (!c->wsi || len > sizeof(buf) - LWS_PRE || lws_send_pipe_choked(c->wsi))
		return false;
	memcpy(buf + LWS_PRE, json, len);
	return lws_write(c->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT) >= (int)len;
}

static void harness_connect(struct conn *c)
{
	struct lws_client_connect_info i;
	char host_header[300];

	snprintf(host_header, sizeof(host_header), "%s:%d", H.a.host, H.a.port);
	memset(&i, 0, sizeof(i));
	i.context = H.ctx;
	i.address = H.a.host;
	i.port = H.a.port;
	i.path = H.a.path;
	i.host = host_header;
	i.origin = host_header;
	i.protocol = WIRE_SUBPROTOCOL;
	i.local_protocol_name = "sendlab-harness";
	i.userdata = c;
	i.pwsi = &c->wsi;
	c->tcp_connected = false;
	c->established = false;
	c->rx_len = 0;
	c->rx_overflow = false;
	if (!lws_client_connect_via_info(&i) && !H.done)
		harness_on_connection_error(NULL);
}

/*
 * Every connection is open: each client sends its job. All K requests go
 * out here, back to back in this one callback, so the jobs start together
 * (nothing else of the loop runs between them); each client's request is
 * stamped just before its own write. A send that fails after an earlier
 * client's went out fails the run as incomplete: a job was sent.
 */
static void harness_begin_job(void)
{
	char json[128], who[24];

	for (int k = 0; k < H.a.clients; k++) {
		struct conn *c = &H.clients[k];
		int n = H.a.clients == 1
			? snprintf(json, sizeof(json), "{\"op\":\"run\",\"items\":%d,"
				   "\"work_ms\":%d,\"id\":\"run-%d\"}", H.a.items,
				   H.a.work_ms, H.run)
			: snprintf(json, sizeof(json), "{\"op\":\"run\",\"items\":%d,"
				   "\"work_ms\":%d,\"id\":\"run-%d-client-%d\"}",
				   H.a.items, H.a.work_ms, H.run, k);

		c->t_request_us = clock_now_us();
		if (k == 0)
			H.t_request_us = c->t_request_us;
		if (!harness_conn_send(c, json, (size_t)n)) {
			harness_fail("%scould not send the run request",
				     harness_who(c, who, sizeof(who)));
			return;
		}
		H.job_sent = true;
	}
	harness_enter_phase(PH_JOB);	/* every result counts from the requests */
	if (H.a.bystander_ms)
		harness_schedule_echo();
}

static void harness_maybe_ask_stats(void)
{
	char json[96];

	if (H.phase != PH_DRAIN || H.echoes_out > 0)
		return;
	int n = snprintf(json, sizeof(json), "{\"op\":\"stats\",\"since_us\":%"
			 PRId64 "}", H.t_request_us);
	/* one server, one lag monitor: client 0 asks for everyone */
	if (!harness_conn_send(&H.clients[0], json, (size_t)n)) {
		harness_fail("could not send the stats request");
		return;
	}
	harness_enter_phase(PH_STATS);
}

/* The run is complete (every client has every result, in H.msgs): keeps
 * its figures for the final summary and prints its line (report.h). */
static void harness_print_run(void)
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
static void harness_write_echoes(bool run_over)
{
	if (!H.variant[0] && !run_over)
		return;

	const char *v = H.variant[0] ? H.variant : "unknown";

	for (; H.echoes_written < H.n_echoes; H.echoes_written++)
		if (H.bystander_csv)
			report_echo_csv(H.bystander_csv, v, &H.echoes[H.echoes_written]);
}

static void harness_close_conn(struct conn *c)
{
	if (c->wsi)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void harness_end_run(void)
{
	harness_print_run();
	if (H.lag_csv)
		report_lag_csv(H.lag_csv, H.variant, &H.lag);
	harness_write_echoes(true);
	H.runs_recorded = H.run;
	looptimer_disarm(&H.echo_timer);
	harness_enter_phase(PH_CLOSING);
	for (int k = 0; k < H.a.clients; k++)
		harness_close_conn(&H.clients[k]);
	harness_close_conn(&H.bystander);
}

/* A result for client c's job, which arrived at t_arrive. */
static void harness_on_result(struct conn *c, const struct reply *r, int64_t t_arrive)
{
	char who[24];
	size_t items = (size_t)H.a.items;

	if (H.phase != PH_JOB || c->n_results == items) {
		harness_fail("%sunexpected result frame (seq %" PRId64 ")",
			     harness_who(c, who, sizeof(who)), r->v[REPLY_SEQ]);
		return;
	}
	if (r->v[REPLY_SEQ] != (int64_t)c->n_results || r->v[REPLY_ITEMS] != H.a.items) {
		harness_fail("%sresult out of order: got seq %" PRId64 " of %" PRId64
			     ", expected seq %zu of %d", harness_who(c, who, sizeof(who)),
			     r->v[REPLY_SEQ], r->v[REPLY_ITEMS], c->n_results, H.a.items);
		return;
	}
	snprintf(H.variant, sizeof(H.variant), "%s", r->variant);

	struct report_msg *m = &H.msgs[(size_t)c->client * items + c->n_results++];

	H.n_msgs++;
	*m = (struct report_msg){
		.run = H.run,
		.seq = (int)r->v[REPLY_SEQ],
		.t_request_us = c->t_request_us,
		.t_recv_us = r->v[REPLY_T_RECV_US],
		.t_start_us = r->v[REPLY_T_START_US],
		.t_done_us = r->v[REPLY_T_DONE_US],
		.t_send_us = r->v[REPLY_T_SEND_US],
		.t_arrive_us = t_arrive,
		.client = c->client,
		.cpu_us = r->has[REPLY_CPU_US] ? r->v[REPLY_CPU_US] : -1,
	};
	/* on disk at once: if the server dies next, this row is kept */
	if (H.csv)
		report_msg_csv(H.csv, H.variant, m);
	H.all_msgs[H.n_all++] = *m;
	harness_write_echoes(false);
	if (c->n_results == items && ++H.clients_done == H.a.clients) {
		looptimer_disarm(&H.echo_timer);
		harness_enter_phase(PH_DRAIN);
		harness_maybe_ask_stats();
	}
}

static void harness_on_echo(const struct reply *r, int64_t t_arrive)
{
	if (H.echoes_out <= 0 || H.n_echoes >= H.cap_echoes) {
		harness_fail("unexpected echo reply");
		return;
	}
	H.echoes_out--;
	H.echoes[H.n_echoes] = (struct report_echo){
		.run = H.run,
		.seq = (int)H.n_echoes,
		.t_sent_us = r->v[REPLY_T_US],
		.t_server_us = r->v[REPLY_T_SERVER_US],
		.t_arrive_us = t_arrive,
	};
	H.n_echoes++;
	harness_write_echoes(false);
	harness_maybe_ask_stats();
}

static void harness_on_stats(const struct conn *c, const struct reply *r)
{
	if (H.phase != PH_STATS || c != &H.clients[0]) {
		harness_fail("unexpected stats reply");
		return;
	}
	H.lag = (struct report_lag){
		.run = H.run,
		.since_us = r->v[REPLY_SINCE_US],
		.samples = r->v[REPLY_SAMPLES],
		.p50_us = r->v[REPLY_LAG_P50_US],
		.p99_us = r->v[REPLY_LAG_P99_US],
		.max_us = r->v[REPLY_LAG_MAX_US],
		.stalls = r->v[REPLY_STALLS],
	};
	harness_end_run();
}

/* A complete frame from the server on connection c, which arrived at t. */
static void harness_on_frame(struct conn *c, const char *msg, size_t len,
			     int64_t t)
{
	struct reply r;
	char why[200], who[24], name[48];

	if (!reply_parse(msg, len, &r, why, sizeof(why))) {
		harness_fail("%smalformed reply: %s: %.80s",
			     harness_who(c, who, sizeof(who)), why, msg);
		return;
	}
	if (r.op == REPLY_ERROR) {
		harness_fail("%sthe server answered with an error: %s",
			     harness_who(c, who, sizeof(who)), r.error);
		return;
	}
	if (c->role == ROLE_BYSTANDER) {
		if (r.op == REPLY_ECHO)
			harness_on_echo(&r, t);
		else
			harness_fail("unexpected reply on the bystander connection");
		return;
	}
	if (r.op == REPLY_RESULT)
		harness_on_result(c, &r, t);
	else if (r.op == REPLY_STATS)
		harness_on_stats(c, &r);
	else
		harness_fail("unexpected echo reply on the %s",
			     harness_conn_name(c, name, sizeof(name)));
}

static bool harness_all_established(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (!H.clients[k].established)
			return false;
	return !H.a.bystander_ms || H.bystander.established;
}

static bool harness_all_closed(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (H.clients[k].wsi)
			return false;
	return !H.bystander.wsi;
}

/*
 * lws reports a failed connection in vague words ("Unable to connect"). On
 * that failure path only, try a plain TCP connect (bounded by 1 s) to name
 * the real cause: "Connection refused", "No route to host", ...
 */
static void harness_tcp_diagnosis(char *buf, size_t cap)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char port[8];

	snprintf(port, sizeof(port), "%d", H.a.port);
	int rc = getaddrinfo(H.a.host, port, &hints, &ai);
	if (rc) {
		snprintf(buf, cap, "cannot resolve the host: %s", gai_strerror(rc));
		return;
	}

	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	int err = 0;

	if (fd < 0) {
		err = errno;
	} else {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			err = errno;
		} else {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			socklen_t len = sizeof(err);

			if (poll(&p, 1, 1000) != 1)
				err = ETIMEDOUT;
			else
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		}
		close(fd);
	}
	freeaddrinfo(ai);
	if (err)
		snprintf(buf, cap, "TCP connect failed: %s (is the server "
			 "running there?)", strerror(err));
	else
		snprintf(buf, cap, "TCP connects, but the WebSocket handshake "
			 "failed");
}

static void harness_on_connection_error(const char *lws_why)
{
	char why[200];

	if (lws_why && strstr(lws_why, "not 101"))
		snprintf(why, sizeof(why), "the server answered HTTP but refused "
			 "the WebSocket upgrade (%s): wrong path, or not a sendlab "
			 "server?", lws_why);
	else
		harness_tcp_diagnosis(why, sizeof(why));
	harness_fail("cannot connect: %s", why);
}

/* Keeps the close code and reason of a close frame from the server, so the
 * failure can say what the server said. */
static void harness_note_close_frame(struct conn *c, const void *in, size_t len)
{
	const unsigned char *p = in;
	size_t n = 0;

	if (!c || len < 2)
		return;
	c->close_code = p[0] << 8 | p[1];
	for (size_t i = 2; i < len && n < sizeof(c->close_reason) - 1; i++)
		c->close_reason[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	c->close_reason[n] = '\0';
}

/* A connection closed before the run was over: a close frame means the
 * server chose to end it; none means the TCP connection just went (the
 * server crashed or was killed, or the network failed). */
static void harness_on_unexpected_close(const struct conn *c)
{
	char name[48], what[200];
	const char *which = harness_conn_name(c, name, sizeof(name));

	harness_phase_waiting_for(what, sizeof(what));
	/* lws 4.1's client rewrites close codes it does not know (1012 to
	 * 2999, such as the servers' 1013 "server full") to 1002 before we
	 * see them: say so rather than blame a protocol error */
	const char *code_note = c->close_code == LWS_CLOSE_STATUS_PROTOCOL_ERR
		? " or a code libwebsockets does not know, such as 1013" : "";

	if (c->close_code)
		harness_fail("the server closed the %s (close code %d%s%s%s) "
			     "while we waited for %s", which, c->close_code, code_note,
			     c->close_reason[0] ? ": " : "", c->close_reason, what);
	else
		harness_fail("the %s dropped without a close frame (did "
			     "the server crash or get killed?) while we waited for %s",
			     which, what);
}

static int harness_callback(struct lws *wsi, enum lws_callback_reasons reason,
			    void *user, void *in, size_t len)
{
	struct conn *c = user;
	/* Stamp first: everything below is bookkeeping after the arrival. */
	int64_t now = clock_now_us();

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c)
			c->wsi = NULL;
		harness_on_connection_error(in);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		/* the TCP connection is up; lws is writing the upgrade request */
		if (c)
			c->tcp_connected = true;
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = true;
		if (H.phase == PH_CONNECTING && harness_all_established())
			harness_begin_job();
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_frame_is_binary(wsi)) {
			harness_fail("the server sent a binary frame");
			return -1;
		}
		if (len > sizeof(c->rx) - c->rx_len) {
			harness_fail("reply larger than %zu bytes", sizeof(c->rx));
			return -1;
		}
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
		if (!lws_is_final_fragment(wsi))
			return 0;
		harness_on_frame(c, c->rx, c->rx_len, now);
		c->rx_len = 0;
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		harness_note_close_frame(c, in, len);
		return 0;	/* lws answers the close */
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->wsi = NULL;
		if (H.phase != PH_CLOSING) {
			harness_on_unexpected_close(c);
		} else if (harness_all_closed()) {
			if (H.run < H.last_run)
				harness_start_run();
			else
				harness_finish(0);
		}
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols harness_protocols[] = {
	{ .name = "sendlab-harness", .callback = harness_callback,
	  .rx_buffer_size = WIRE_MAX_MESSAGE },
	LOOPTIMER_PROTOCOL,	/* the echo timer's */
	{ .name = NULL }
};

/* Opens the next run's connections, every client's and the bystander's,
 * all at once; the jobs wait for the last of them (CLIENT_ESTABLISHED). */
static void harness_start_run(void)
{
	H.run++;
	H.n_msgs = H.n_echoes = H.echoes_written = 0;
	H.echoes_out = 0;
	H.clients_done = 0;
	for (int k = 0; k < H.a.clients; k++)
		H.clients[k] = (struct conn){ .role = ROLE_CLIENT, .client = k };
	H.bystander = (struct conn){ .role = ROLE_BYSTANDER, .client = -1 };
	harness_enter_phase(PH_CONNECTING);
	for (int k = 0; k < H.a.clients && !H.done; k++)
		harness_connect(&H.clients[k]);
	if (H.a.bystander_ms && !H.done)
		harness_connect(&H.bystander);
}

/*
 * Opens a CSV file for this call's rows: created with its header by the
 * first run, appended to by a later run of --run R/N. Appending is refused
 * unless the file exists and its header is this one, so rows never land in
 * a file they do not belong to. Exits with ARGS_EXIT_FAILED on any of it.
 */
static FILE *harness_open_csv(const char *path, const char *header)
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
static bool harness_close_csv(FILE *f, const char *path)
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

/*
 * After a failure: writes the failed run's echoes still waiting, ends every
 * CSV file with the "# incomplete" line (report.h) and says on stderr what
 * the files hold, so neither a person nor a script can take them for a
 * complete measurement. The run it names is the first one not recorded:
 * the failed run, or the next one if the failure came while closing a run
 * already recorded.
 */
static void harness_mark_incomplete(void)
{
	FILE *files[] = { H.csv, H.bystander_csv, H.lag_csv };
	const char *paths[] = { H.a.csv, H.a.bystander_csv, H.a.lag_csv };
	int run = H.runs_recorded + 1;
	bool started = run == H.run;	/* else it never began */
	char list[1024] = "";
	int n_files = 0;

	harness_write_echoes(true);
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

/* Medians over the runs, one block of lines. */
static void harness_print_summary(void)
{
	size_t items = (size_t)H.a.items;
	int64_t *arr = calloc(items, sizeof(*arr)), *del = calloc(items, sizeof(*del));
	char arr_s[160], del_s[160];
	struct stats_summary worst, lag;
	/* this call's runs: the arrays' entries first_run - 1 .. run - 1 */
	int runs = H.run - H.first_run + 1;
	int64_t *worst_echo = H.worst_echo + (H.first_run - 1);	/* sorted below */
	int64_t *lag_max = H.lag_max + (H.first_run - 1);
	const struct report_clients *together = H.together + (H.first_run - 1);

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
	if (H.a.clients > 1) {
		/* each run's figure over its clients, then the median run */
		struct stats_summary f50, fmax, span;

		for (int r = 0; r < runs; r++)
			H.scratch[r] = together[r].first_p50_us;
		stats_summarize(H.scratch, (size_t)runs, &f50);
		for (int r = 0; r < runs; r++)
			H.scratch[r] = together[r].first_max_us;
		stats_summarize(H.scratch, (size_t)runs, &fmax);
		for (int r = 0; r < runs; r++)
			H.scratch[r] = together[r].makespan_us;
		stats_summarize(H.scratch, (size_t)runs, &span);
		char span_s[32];

		report_ms_list(arr_s, sizeof(arr_s), &f50.p50, 1);
		report_ms_list(del_s, sizeof(del_s), &fmax.p50, 1);
		report_ms_list(span_s, sizeof(span_s), &span.p50, 1);
		/* median and worst over each run's clients */
		printf("  first result, median (ms)   %s\n"
		       "  first result, worst (ms)    %s\n"
		       "  makespan (ms)               %s\n", arr_s, del_s, span_s);
	}
	if (H.a.bystander_ms)
		printf("  bystander worst echo (ms)   %.1f\n", (double)worst.p50 / 1000.0);
	printf("  event-loop lag max (ms)     %.1f\n", (double)lag.p50 / 1000.0);
	free(arr);
	free(del);
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
		return ARGS_EXIT_FAILED;
	}
	H.first_run = H.a.run_as ? H.a.run_as : 1;
	H.last_run = H.a.run_as ? H.a.run_as : H.a.runs;
	H.run = H.runs_recorded = H.first_run - 1;	/* the next run starts it */
	H.csv = harness_open_csv(H.a.csv, REPORT_MSG_HEADER);
	H.bystander_csv = harness_open_csv(H.a.bystander_csv, REPORT_ECHO_HEADER);
	H.lag_csv = harness_open_csv(H.a.lag_csv, REPORT_LAG_HEADER);

	struct lws_context_creation_info info;

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = harness_protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	/* lws has its own handshake timeouts (20 s by default) that would end
	 * a slow upgrade with a vague "connection error": set them past ours,
	 * so the harness's bound decides and its message names the wait */
	info.timeout_secs = info.connect_timeout_secs =
		(unsigned int)args_connect_timeout_ms(&H.a) / 1000 + 10;
	H.ctx = lws_create_context(&info);
	if (!H.ctx) {
		fprintf(stderr, "harness: cannot create the libwebsockets context\n");
		return ARGS_EXIT_FAILED;
	}
	if (!looptimer_open(&H.echo_timer, H.ctx, harness_on_echo_tick,
			    err, sizeof(err))) {
		fprintf(stderr, "harness: the bystander's timer: %s\n", err);
		lws_context_destroy(H.ctx);
		return ARGS_EXIT_FAILED;
	}

	harness_start_run();
	while (!H.done)
		if (lws_service(H.ctx, 0) < 0)
			harness_fail("the libwebsockets event loop failed");

	looptimer_disarm(&H.echo_timer);
	lws_sul_cancel(&H.sul_timeout);
	lws_context_destroy(H.ctx);

	int status = ARGS_EXIT_OK;

	if (H.failed && H.runs_recorded == H.last_run) {
		/* it failed closing the last run: every row is written already */
		fprintf(stderr, "harness: every run was recorded before that: the "
			"files are complete\n");
		H.failed = false;
	}
	if (H.failed) {
		harness_mark_incomplete();
		status = H.job_sent ? ARGS_EXIT_INCOMPLETE : ARGS_EXIT_FAILED;
	} else if (!H.a.run_as) {
		/* medians over one run of N would say nothing: the caller of
		 * --run R/N has every run's rows and makes its own */
		harness_print_summary();
	}
	/* a row that never reached the disk must not pass for a complete run */
	bool written = harness_close_csv(H.csv, H.a.csv);

	written = harness_close_csv(H.bystander_csv, H.a.bystander_csv) && written;
	written = harness_close_csv(H.lag_csv, H.a.lag_csv) && written;
	if (!written && status == ARGS_EXIT_OK)
		status = ARGS_EXIT_FAILED;
	free(H.msgs);
	free(H.echoes);
	free(H.all_msgs);
	free(H.worst_echo);
	free(H.lag_max);
	free(H.together);
	free(H.scratch);
	return status;
}
