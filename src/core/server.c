/*
 * server.c: server_main(): the command line, the libwebsockets context, the
 * protocol callback that routes lws events to sessions, and a clean stop on
 * SIGINT/SIGTERM. Everything a variant does not decide happens here.
 */
#include "core/fdlimit.h"
#include "core/idle.h"
#include "core/lag.h"
#include "common/looptimer.h"
#include "core/session.h"

#include "common/clock.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* The process's one server. lws hands it back through lws_context_user(). */
static struct server server;

/* Async-signal-safe: only an atomic store. The loop sees it within one lag
 * period (10 ms), and a running work item within a chunk. */
static void server_on_signal(int sig)
{
	(void)sig;
	atomic_store(&server.stop, true);
}

static struct server *server_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

const struct options *server_options(void)
{
	return &server.opts;
}

void server_wake_loop(void)
{
	lws_cancel_service(server.ctx);
}

bool server_compute_item(int work_ms, int seq, const atomic_bool *cancel,
			 struct item_result *out)
{
	struct work_stop st = { .server = &server.stop, .job = cancel };

	if (work_stopped(&st))
		return false;
	out->seq = seq;
	int64_t cpu0 = clock_thread_cpu_us();
	out->t_start_us = clock_now_us();
	/* seed = seq: an item's checksum depends only on its size and place */
	bool done = work_item(server.opts.work, server.iters_per_ms, work_ms,
			      (uint64_t)seq, &st, &out->value);
	out->t_done_us = clock_now_us();
	out->cpu_us = clock_thread_cpu_us() - cpu0;
	return done;
}

enum item_progress server_compute_slice(int work_ms, int seq, int slice_ms,
					struct item_part *part,
					struct item_result *out)
{
	struct work_stop st = { .server = &server.stop };
	bool stopped;
	uint64_t value;

	if (work_stopped(&st))
		return ITEM_STOPPED;
	if (!part->started) {
		work_part_start(&part->work, server.opts.work, server.iters_per_ms,
				work_ms, (uint64_t)seq);	/* seed = seq, as above */
		part->t_start_us = clock_now_us();
		part->cpu_us = 0;
		part->started = true;
	}
	int64_t cpu0 = clock_thread_cpu_us();
	bool done = work_part_run(&part->work, server.iters_per_ms, slice_ms, &st,
				  &stopped, &value);

	part->cpu_us += clock_thread_cpu_us() - cpu0;
	if (stopped)
		return ITEM_STOPPED;
	if (!done)
		return ITEM_MORE;
	*out = (struct item_result){ .seq = seq,
				     .t_start_us = part->t_start_us,
				     .t_done_us = clock_now_us(),
				     .cpu_us = part->cpu_us,
				     .value = value };
	return ITEM_DONE;
}

/*
 * libwebsockets is not thread-safe, and neither are the sessions: a worker
 * thread that calls a session function races the loop, which may be
 * writing to the same connection or freeing it. That race rarely shows as
 * a wrong answer, so it is caught here, where it happens: a call from
 * another thread stops the server with a message naming the function.
 * The cost is one pthread_self() per call. Before server_main() has
 * started (unit tests) nothing is checked.
 */
void server_require_loop_thread(const char *fn)
{
	if (!server.loop_thread_known || pthread_equal(pthread_self(), server.loop_thread))
		return;
	fprintf(stderr, "server-%s: %s() was called from a thread other than the "
		"event loop's. A worker may call only server_wake_loop(), "
		"server_options() and server_compute_item(); it hands results to "
		"the loop thread, which sends them (core/variant.h). Aborting.\n",
		server.variant ? server.variant->name : "?", fn);
	abort();
}

struct session *server_find_session(uint64_t id)
{
	server_require_loop_thread(__func__);
	lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&server.sessions)) {
		struct session *s = lws_container_of(d, struct session, list);

		if (s->id == id)
			return s->closing ? NULL : s;
	} lws_end_foreach_dll(d);
	return NULL;
}

/*
 * --nagle: undoes libwebsockets' TCP_NODELAY on one accepted connection, so
 * an experiment can show what Nagle's algorithm would do to the replies
 * (docs/network.md). lws sets TCP_NODELAY on every socket it accepts
 * (lws_plat_set_socket_options(), lib/plat/unix/unix-sockets.c, 4.1.6), so
 * this runs after it, once the connection is a WebSocket. A failure is
 * reported, not fatal: the run then measures the usual socket.
 */
static void server_nagle_on(struct lws *wsi)
{
	int off = 0;

	if (setsockopt(lws_get_socket_fd(wsi), IPPROTO_TCP, TCP_NODELAY, &off,
		       sizeof(off)) != 0)
		fprintf(stderr, "--nagle: cannot clear TCP_NODELAY: %s\n",
			strerror(errno));
}

/* Answers an HTTP error to an upgrade request and refuses it. */
static int server_refuse_upgrade(struct lws *wsi, unsigned int code, const char *why)
{
	lws_return_http_status(wsi, code, why);
	return 1;
}

/*
 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: sendlab/1 lives at path "/" only
 * (anything else gets a real HTTP 404, so a client can say what went
 * wrong), and only the pages origin.h allows may open it: any other
 * Origin gets 403, before a session exists. One line on stderr per second
 * at most says so (unless --quiet), so a student whose page is refused
 * learns why, and a flood of refusals cannot flood the log.
 */
static int server_confirm_upgrade(struct lws *wsi)
{
	char uri[64], origin[ORIGIN_MAX];
	int n;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, "/"))
		return server_refuse_upgrade(wsi, HTTP_STATUS_NOT_FOUND,
					     "sendlab/1 is served at path / only");
	origin[0] = '\0';
	n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
	if (n >= (int)sizeof(origin) ||
	    (n > 0 && lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) < 0))
		snprintf(origin, sizeof(origin), "(an Origin header of %d bytes)", n);
	if (origin_allowed(&server.origins, origin))
		return 0;

	char shown[64], why[384];

	origin_printable(origin, shown, sizeof(shown));
	snprintf(why, sizeof(why), "a page from %s may not open a WebSocket "
		 "here: only this server's own page (%s) and --allow-origin "
		 "origins may", shown, server.origins.own[0]);

	static int64_t last_logged_us;
	int64_t now = clock_now_us();

	if (!server.opts.quiet && now - last_logged_us >= 1000000) {
		last_logged_us = now;
		fprintf(stderr, "server-%s: refused (HTTP 403) %s\n",
			server.variant->name, why);
	}
	return server_refuse_upgrade(wsi, HTTP_STATUS_FORBIDDEN, why);
}

static int server_callback(struct lws *wsi, enum lws_callback_reasons reason,
			   void *user, void *in, size_t len)
{
	struct session *s = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return fdlimit_filter((int)(lws_intptr_t)in);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return server_confirm_upgrade(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		if (server_of(wsi)->opts.nagle)
			server_nagle_on(wsi);
		return session_open(s, server_of(wsi), wsi);
	case LWS_CALLBACK_RECEIVE:
		return session_receive(s, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return send_writeable(s);
	case LWS_CALLBACK_RECEIVE_PONG:
		if (s->closing)
			return 0;
		idle_heard(s);	/* any PONG: the client is there */
		if (!idle_is_own_pong(in, len) && server.variant->pong)
			server.variant->pong(s, in, len);
		return 0;
	case LWS_CALLBACK_CLOSED:
		session_closed(s);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		/* server_wake_loop() from some thread, or session_yield()
		 * (--yield wake) from this one. It reaches every protocol
		 * with no session (user == NULL), and several wakes can merge
		 * into one. Must return 0: non-zero closes lws's wake-up
		 * pipe, and the next lws_cancel_service() crashes. */
		if (atomic_load(&server.stop))
			return 0;
		yield_on_wake(&server);
		if (server.variant->wake)
			server.variant->wake();
		return 0;
	case LWS_CALLBACK_HTTP:
		/* a plain GET: the live view's files, or 404 (core/page.c) */
		if (!s)
			return -1;
		return page_http(wsi, &s->page, in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return s ? page_writeable(wsi, &s->page) : -1;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static struct lws_protocols server_protocols[] = {
	{
		.name = WIRE_SUBPROTOCOL,
		.callback = server_callback,
		.per_session_data_size = sizeof(struct session),
		.rx_buffer_size = WIRE_MAX_MESSAGE,
	},
	/* the lag monitor's timer (looptimer.h); after sendlab/1, which
	 * stays the default for a client that names no subprotocol */
	LOOPTIMER_PROTOCOL,
	{ .name = NULL } /* terminator */
};

static bool server_is_loopback(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "::1") ||
	       !strcmp(host, "localhost") || !strncmp(host, "127.", 4);
}

static void server_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = server_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;	/* a dead peer is an error return, not a signal */
	sigaction(SIGPIPE, &sa, NULL);
}

/* The command line into server.opts. Returns -1 to go on, or the exit
 * status: 2 after a bad command line, 0 after --help. */
static int server_parse_command_line(int argc, char **argv, const struct variant *v)
{
	char err[256];

	if (!options_parse(argc, argv, v->name, v->options, &server.opts, err,
			   sizeof(err))) {
		fprintf(stderr, "server-%s: %s\n", v->name, err);
		options_usage(stderr, v->name, v->options);
		return 2;
	}
	if (server.opts.help) {
		options_usage(stdout, v->name, v->options);
		return 0;
	}
	return -1;
}

/* The kernel's speed: given with --iters-per-ms, or measured once now,
 * before any client (see work.h). */
static void server_calibrate(void)
{
	if (server.opts.iters_per_ms > 0)
		server.iters_per_ms = (uint64_t)server.opts.iters_per_ms;
	else if (server.opts.work == WORK_CPU)
		server.iters_per_ms = work_calibrate(WORK_CALIBRATE_TRIALS_SERVER);
}

/* Creates the lws context listening on --host/--port. Returns the port it
 * listens on, or -1 after saying why (and with no context left). */
static int server_listen(const struct variant *v)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = server.opts.port;
	info.iface = server.opts.host;
	info.protocols = server_protocols;
	info.user = &server;
	info.options = LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;
	if (!strchr(server.opts.host, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;

	server.ctx = lws_create_context(&info);
	struct lws_vhost *vh = server.ctx ? lws_get_vhost_by_name(server.ctx, "default")
					  : NULL;
	int port = vh ? lws_get_vhost_listen_port(vh) : -1;

	if (port > 0)
		return port;
	fprintf(stderr, "server-%s: cannot listen on %s port %d (address "
		"in use, or not an address of this host?)\n", v->name,
		server.opts.host, server.opts.port);
	if (server.ctx)
		lws_context_destroy(server.ctx);
	server.ctx = NULL;
	return -1;
}

/* The lines on stderr that say how this server runs. */
static void server_announce(const struct variant *v)
{
	if (!server_is_loopback(server.opts.host))
		fprintf(stderr, "server-%s: WARNING: listening on %s: the lab "
			"server has no authentication; anyone who can reach this "
			"address can make it compute\n", v->name, server.opts.host);
	if (server.opts.quiet)
		return;
	fprintf(stderr, "server-%s: live view at %s/ in a browser\n", v->name,
		server.origins.own[0]);
	if (v->options & OPTIONS_SLICES)
		fprintf(stderr, "server-%s: slices of %d ms, yield=%s\n", v->name,
			server.opts.slice_ms, options_yield_name(server.opts.yield));
	if (server.opts.work == WORK_SLEEP)	/* no kernel: nothing calibrated */
		fprintf(stderr, "server-%s: send=%s work=sleep\n", v->name,
			options_send_name(server.opts.send));
	else
		fprintf(stderr, "server-%s: send=%s work=%s (%llu iterations/ms, %s)\n",
			v->name, options_send_name(server.opts.send),
			options_work_name(server.opts.work),
			(unsigned long long)server.iters_per_ms,
			server.opts.iters_per_ms > 0 ? "given" : "measured");
}

/* Runs the loop until a signal sets server.stop. Returns false if lws's
 * loop failed instead (lws_service() < 0), after saying so. */
static bool server_run_loop(const struct variant *v)
{
	while (!atomic_load(&server.stop)) {
		int n = lws_service(server.ctx, 0);

		if (n < 0) {
			fprintf(stderr, "server-%s: the event loop failed "
				"(lws_service returned %d): stopping\n", v->name, n);
			return false;
		}
	}
	return true;
}

int server_main(int argc, char **argv, const struct variant *v)
{
	server.variant = v;
	server.loop_thread = pthread_self();	/* lws_service() runs here */
	server.loop_thread_known = true;

	int status = server_parse_command_line(argc, argv, v);

	if (status >= 0)
		return status;
	server_install_signals();
	lws_set_log_level(server.opts.quiet ? LLL_ERR : LLL_ERR | LLL_WARN, fdlimit_log_emit);
	if (server.opts.calibrate) {	/* what an experiment hands every server */
		printf("iters_per_ms %llu\n", (unsigned long long)
		       work_calibrate(WORK_CALIBRATE_TRIALS_EXPERIMENT));
		return 0;
	}
	server_calibrate();

	fdlimit_init(v->name, server.opts.quiet, &server.opts.max_clients);

	int port = server_listen(v);

	if (port < 0)
		return 1;
	origin_policy_init(&server.origins, server.opts.host, port,
			   server.opts.allow_origin, server.opts.n_allow_origin);
	if (!lag_start(server.ctx, server.opts.lag_log, server.opts.quiet)) {
		lws_context_destroy(server.ctx);
		return 1;
	}
	if (v->start && !v->start()) {
		lag_stop();
		lws_context_destroy(server.ctx);
		return 1;
	}
	server_announce(v);
	printf("listening on ws://%s:%d/\n", server.opts.host, port);
	fflush(stdout);

	bool clean = server_run_loop(v);

	/* The variant stops first (a thread pool joins its workers), while
	 * the context they may wake still exists. */
	if (v->stop)
		v->stop();
	server.variant_stopped = true;
	clean = lag_stop() && clean;	/* false: the lag log lost samples */
	lws_context_destroy(server.ctx);
	return clean ? 0 : 1;
}
