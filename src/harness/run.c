/*
 * run.c: one run of the harness, phase by phase (harness.h: enum phase):
 * open the connections (run_start), measure the server's clock with a few
 * echoes (run_begin_sync), send the K jobs together (run_begin_job), take
 * each reply (run_on_frame), drain the echoes,
 * ask for the lag, record the run (output.c), close, and start the next
 * run of this call or end the loop. Each phase arms its own bound (args.h);
 * any failure goes to run_fail(). main.c's comment tells the whole story.
 */
#include "common/clock.h"
#include "harness/harness.h"
#include "harness/reply.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* Stops the loop: lws_service() may be about to sleep in poll(), so wake it. */
void run_finish(bool failed)
{
	H.failed = failed;
	H.done = true;
	lws_cancel_service(H.ctx);
}

/* Gives up: keeps the reason for the CSV marker and prints it naming the
 * URL and the run. Only the first failure counts: the others follow from it. */
void run_fail(const char *fmt, ...)
{
	va_list ap;

	if (H.done)
		return;
	va_start(ap, fmt);
	vsnprintf(H.why, sizeof(H.why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "harness: %s: run %d of %d: %s\n", H.a.url, H.run, H.a.runs,
		H.why);
	run_finish(true);
}

/* The first client still waiting for a result, or NULL. */
static const struct conn *run_client_waiting(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (H.clients[k].n_results < (size_t)H.a.items)
			return &H.clients[k];
	return NULL;
}

/* What the current phase waits for, in words, for a failure message: the
 * first connection or client still missing something. */
const char *run_waiting_for(char *buf, size_t cap)
{
	const char *step;
	const struct conn *c;
	char name[48];

	switch (H.phase) {
	case PH_CONNECTING:
		for (int k = 0; k < H.a.clients; k++) {
			c = &H.clients[k];
			if ((step = conn_waiting_for(c))) {
				snprintf(buf, cap, "%s of the %s", step,
					 conn_name(c, name, sizeof(name)));
				return buf;
			}
		}
		if (H.a.bystander_ms && (step = conn_waiting_for(&H.bystander)))
			snprintf(buf, cap, "%s of the bystander connection", step);
		else
			snprintf(buf, cap, "the connections to open");
		return buf;
	case PH_SYNC:
		snprintf(buf, cap, "clock echo %zu of %d", H.n_sync + 1,
			 REPORT_SYNC_ECHOES);
		return buf;
	case PH_JOB:
		c = run_client_waiting();
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

static void run_on_timeout(lws_sorted_usec_list_t *sul)
{
	char what[160];

	(void)sul;
	run_fail("timed out after %d ms waiting for %s", H.phase_bound_ms,
		 run_waiting_for(what, sizeof(what)));
}

/* The bound of each phase's wait (args.h). */
static int run_phase_bound_ms(enum phase p)
{
	switch (p) {
	case PH_CONNECTING:
		return args_connect_timeout_ms(&H.a);
	case PH_JOB:
		return args_results_timeout_ms(&H.a);
	case PH_SYNC:
	case PH_DRAIN:
	case PH_STATS:
	case PH_CLOSING:
		break;
	}
	return args_reply_timeout_ms(&H.a);
}

/* Enters phase p and arms its bound: from now, what p waits for must come
 * within run_phase_bound_ms(p). */
static void run_enter_phase(enum phase p)
{
	H.phase = p;
	H.phase_bound_ms = run_phase_bound_ms(p);
	lws_sul_schedule(H.ctx, 0, &H.sul_timeout, run_on_timeout,
			 (lws_usec_t)H.phase_bound_ms * 1000);
}

/* Arms the bystander's next echo, --bystander-ms from now. */
static void run_schedule_echo(void)
{
	if (!looptimer_arm_at(&H.echo_timer, clock_now_us() +
			      (int64_t)H.a.bystander_ms * 1000))
		run_fail("cannot arm the bystander's timer: %s", strerror(errno));
}

void run_on_echo_tick(struct looptimer *t)
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
	    conn_send(&H.bystander, json, (size_t)n))
		H.echoes_out++;
	run_schedule_echo();
}

/* Opens the next run's connections, every client's and the bystander's,
 * all at once; the jobs wait for the last of them (CLIENT_ESTABLISHED). */
void run_start(void)
{
	H.run++;
	H.n_msgs = H.n_echoes = H.echoes_written = 0;
	H.echoes_out = 0;
	H.clients_done = 0;
	H.n_sync = 0;
	H.clock = (struct report_clock){ 0 };
	for (int k = 0; k < H.a.clients; k++)
		H.clients[k] = (struct conn){ .role = ROLE_CLIENT, .client = k };
	H.bystander = (struct conn){ .role = ROLE_BYSTANDER, .client = -1 };
	run_enter_phase(PH_CONNECTING);
	for (int k = 0; k < H.a.clients && !H.done; k++)
		conn_connect(&H.clients[k]);
	if (H.a.bystander_ms && !H.done)
		conn_connect(&H.bystander);
}

/* Client 0's next clock echo: one at a time, so none waits behind
 * another and each round trip is as short as the path allows. */
static void run_send_sync_echo(void)
{
	char json[64];
	int n = snprintf(json, sizeof(json), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}",
			 clock_now_us());

	run_enter_phase(PH_SYNC);	/* each echo gets the reply bound */
	if (!conn_send(&H.clients[0], json, (size_t)n))
		run_fail("could not send a clock echo");
}

/* Every connection is open: before the job, client 0 measures the
 * server's clock (report_clock_estimate()); run_on_sync_echo() begins the
 * job after the last echo. Costs REPORT_SYNC_ECHOES round trips a run:
 * well under a millisecond on one host. */
void run_begin_sync(void)
{
	run_send_sync_echo();
}

static void run_print_clock(void)
{
	if (H.clock.offset_us == 0)
		return;	/* one clock: nothing to say (the usual case) */
	printf("run %d/%d: the server's clock reads %.1f ms %s this one's "
	       "(+/- %.1f ms): its stamps are shifted into this clock\n", H.run,
	       H.a.runs, (double)(H.clock.offset_us < 0 ? -H.clock.offset_us
				  : H.clock.offset_us) / 1000.0,
	       H.clock.offset_us < 0 ? "behind" : "ahead of",
	       (double)H.clock.err_us / 1000.0);
}

static void run_begin_job(void);

/* A reply to a clock echo, which arrived at t_arrive. */
static void run_on_sync_echo(const struct reply *r, int64_t t_arrive)
{
	if (H.n_sync >= REPORT_SYNC_ECHOES) {
		run_fail("unexpected echo reply");
		return;
	}
	H.sync[H.n_sync++] = (struct report_echo){
		.run = H.run,
		.seq = (int)H.n_sync,
		.t_sent_us = r->v[REPLY_T_US],
		.t_server_us = r->v[REPLY_T_SERVER_US],
		.t_arrive_us = t_arrive,
	};
	if (H.n_sync < REPORT_SYNC_ECHOES) {
		run_send_sync_echo();
		return;
	}
	if (!report_clock_estimate(H.sync, H.n_sync, &H.clock)) {
		run_fail("the clock echoes' stamps make no sense (t_us not the "
			 "one sent, or t_server_us out of range)");
		return;
	}
	run_print_clock();
	run_begin_job();
}

/*
 * Each client sends its job. All K requests go
 * out here, back to back in this one callback, so the jobs start together
 * (nothing else of the loop runs between them); each client's request is
 * stamped just before its own write. A send that fails after an earlier
 * client's went out fails the run as incomplete: a job was sent.
 */
static void run_begin_job(void)
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
		if (!conn_send(c, json, (size_t)n)) {
			run_fail("%scould not send the run request",
				 conn_who(c, who, sizeof(who)));
			return;
		}
		H.job_sent = true;
	}
	run_enter_phase(PH_JOB);	/* every result counts from the requests */
	if (H.a.bystander_ms)
		run_schedule_echo();
}

static void run_maybe_ask_stats(void)
{
	char json[96];

	if (H.phase != PH_DRAIN || H.echoes_out > 0)
		return;
	/* the window in the server's clock */
	int n = snprintf(json, sizeof(json), "{\"op\":\"stats\",\"since_us\":%"
			 PRId64 "}", H.t_request_us + H.clock.offset_us);
	/* one server, one lag monitor: client 0 asks for everyone */
	if (!conn_send(&H.clients[0], json, (size_t)n)) {
		run_fail("could not send the stats request");
		return;
	}
	run_enter_phase(PH_STATS);
}

/* The run has every row: records it and closes its connections. */
static void run_end(void)
{
	output_print_run();
	if (H.lag_csv)
		report_lag_csv(H.lag_csv, H.variant, &H.lag);
	output_write_echoes(true);
	H.runs_recorded = H.run;
	looptimer_disarm(&H.echo_timer);
	run_enter_phase(PH_CLOSING);
	for (int k = 0; k < H.a.clients; k++)
		conn_close(&H.clients[k]);
	conn_close(&H.bystander);
}

/* Every connection of the run closed as asked: the next run, or the end. */
void run_on_all_closed(void)
{
	if (H.run < H.last_run)
		run_start();
	else
		run_finish(false);
}

/* A result for client c's job, which arrived at t_arrive. */
static void run_on_result(struct conn *c, const struct reply *r, int64_t t_arrive)
{
	char who[24];
	size_t items = (size_t)H.a.items;

	if (H.phase != PH_JOB || c->n_results == items) {
		run_fail("%sunexpected result frame (seq %" PRId64 ")",
			 conn_who(c, who, sizeof(who)), r->v[REPLY_SEQ]);
		return;
	}
	if (r->v[REPLY_SEQ] != (int64_t)c->n_results || r->v[REPLY_ITEMS] != H.a.items) {
		run_fail("%sresult out of order: got seq %" PRId64 " of %" PRId64
			 ", expected seq %zu of %d", conn_who(c, who, sizeof(who)),
			 r->v[REPLY_SEQ], r->v[REPLY_ITEMS], c->n_results, H.a.items);
		return;
	}
	snprintf(H.variant, sizeof(H.variant), "%s", r->variant);

	struct report_msg *m = &H.msgs[(size_t)c->client * items + c->n_results++];
	const int64_t off = H.clock.offset_us;	/* into this clock */

	H.n_msgs++;
	*m = (struct report_msg){
		.run = H.run,
		.seq = (int)r->v[REPLY_SEQ],
		.t_request_us = c->t_request_us,
		.t_recv_us = r->v[REPLY_T_RECV_US] - off,
		.t_start_us = r->v[REPLY_T_START_US] - off,
		.t_done_us = r->v[REPLY_T_DONE_US] - off,
		.t_send_us = r->v[REPLY_T_SEND_US] - off,
		.t_arrive_us = t_arrive,
		.client = c->client,
		.cpu_us = r->has[REPLY_CPU_US] ? r->v[REPLY_CPU_US] : -1,
		.clock_offset_us = off,
		.clock_offset_err_us = H.clock.err_us,
	};
	/* on disk at once: if the server dies next, this row is kept */
	if (H.csv)
		report_msg_csv(H.csv, H.variant, m);
	H.all_msgs[H.n_all++] = *m;
	output_write_echoes(false);
	if (c->n_results == items && ++H.clients_done == H.a.clients) {
		looptimer_disarm(&H.echo_timer);
		run_enter_phase(PH_DRAIN);
		run_maybe_ask_stats();
	}
}

static void run_on_echo(const struct reply *r, int64_t t_arrive)
{
	if (H.echoes_out <= 0 || H.n_echoes >= H.cap_echoes) {
		run_fail("unexpected echo reply");
		return;
	}
	H.echoes_out--;
	H.echoes[H.n_echoes] = (struct report_echo){
		.run = H.run,
		.seq = (int)H.n_echoes,
		.t_sent_us = r->v[REPLY_T_US],
		.t_server_us = r->v[REPLY_T_SERVER_US] - H.clock.offset_us,
		.t_arrive_us = t_arrive,
	};
	H.n_echoes++;
	output_write_echoes(false);
	run_maybe_ask_stats();
}

static void run_on_stats(const struct conn *c, const struct reply *r)
{
	if (H.phase != PH_STATS || c != &H.clients[0]) {
		run_fail("unexpected stats reply");
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
	run_end();
}

/* A complete frame from the server on connection c, which arrived at t. */
void run_on_frame(struct conn *c, const char *msg, size_t len, int64_t t)
{
	struct reply r;
	char why[200], who[24], name[48];

	if (!reply_parse(msg, len, &r, why, sizeof(why))) {
		/* this frame's bytes only: msg is not NUL-terminated */
		run_fail("%smalformed reply: %s: %.*s%s",
			 conn_who(c, who, sizeof(who)), why, (int)(len < 80 ? len : 80),
			 msg, len > 80 ? "..." : "");
		return;
	}
	if (r.op == REPLY_ERROR) {
		run_fail("%sthe server answered with an error: %s",
			 conn_who(c, who, sizeof(who)), r.error);
		return;
	}
	if (c->role == ROLE_BYSTANDER) {
		if (r.op == REPLY_ECHO)
			run_on_echo(&r, t);
		else
			run_fail("unexpected reply on the bystander connection");
		return;
	}
	if (r.op == REPLY_ECHO && H.phase == PH_SYNC && c == &H.clients[0])
		run_on_sync_echo(&r, t);
	else if (r.op == REPLY_RESULT)
		run_on_result(c, &r, t);
	else if (r.op == REPLY_STATS)
		run_on_stats(c, &r);
	else
		run_fail("unexpected echo reply on the %s",
			 conn_name(c, name, sizeof(name)));
}
