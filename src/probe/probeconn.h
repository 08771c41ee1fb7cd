/*
 * probeconn.h: wsprobe's one connection, the state the lws callback and
 * main() share. wsprobe is one connection on one thread: every field and
 * function here is for the lws loop thread only (the signal handler in
 * wsprobe.c only sets a flag).
 *
 *   CONNECTING -> PROBING (pinging until --duration-s or --messages)
 *     -> DRAINING (the last ping's pong, PROBE_GRACE_US at most)
 *     -> CLOSING (close frame asked for, PROBE_CLOSE_US at most) -> DONE
 *
 * A connection error or an early close goes straight to DONE with the
 * reason in P.failure.
 */
#ifndef SENDLAB_PROBECONN_H
#define SENDLAB_PROBECONN_H

#include "common/looptimer.h"
#include "probe/probelog.h"
#include "probe/probeopt.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* After --duration-s, how long the last ping may still wait for its pong. */
#define PROBE_GRACE_US 1000000
/* After asking to close, how long the close handshake may take. */
#define PROBE_CLOSE_US 2000000
#define PROBE_PING_PREFIX "wsprobe "
/* --print shows this much of each message */
#define PROBE_PRINT_MAX 300

enum probe_state {
	PS_CONNECTING,
	PS_PROBING,		/* pinging until t_end */
	PS_DRAINING,		/* t_end passed; waiting for the last pong */
	PS_CLOSING,		/* close frame asked for */
	PS_DONE,
};

struct probe_run {
	struct probeopt o;
	struct lws_context *ctx;
	struct lws *wsi;		/* NULL until connected and once closed */
	struct looptimer ping_timer;	/* the next ping is due */
	struct looptimer clock_timer;	/* live line, sends, end of run */
	struct probelog log;
	enum probe_state state;
	int64_t t_connect_by_us;	/* give up connecting then */
	int64_t t_open_us, t_end_us, t_grace_us, t_close_us, t_stop_us;
	long in_flight;			/* index of the ping awaiting its pong, -1 none */
	bool ping_due;			/* write a ping at the next WRITEABLE */
	int sends_due;			/* text messages to write */
	int64_t next_send_us;		/* the next repeated send; 0: none */
	bool sending_started;		/* the first --send went out */
	int64_t next_live_us;
	int64_t live_slowest_us;	/* slowest pong since the last live line */
	size_t live_msgs;		/* messages at the last live line */
	uint64_t rx_bytes;		/* of the message being assembled */
	char rx_head[PROBE_PRINT_MAX + 1];	/* its first bytes, for --print */
	size_t rx_head_len;
	unsigned char *send_buf;	/* LWS_PRE + the text to send */
	size_t send_len;
	size_t stray_pongs;		/* pongs that match no ping in flight */
	int close_code;
	char close_reason[124];
	char failure[400];		/* why the run ended early; "" if it did not */
	bool tty;
};

extern struct probe_run P;	/* wsprobe.c */

/* The protocols of the context: the probe's and the loop timers'. */
extern const struct lws_protocols probe_protocols[];

/* The two timers' callbacks (looptimer_open them once the context
 * exists): the next ping is due; the live line, a send or the run's end. */
void probe_on_ping_due(struct looptimer *t);
void probe_on_clock(struct looptimer *t);

/* Seconds since the connection opened. */
double probe_s(int64_t t_us);

/* Ends the run: asks lws to close (or, with no connection, DONE at once). */
void probe_begin_close(int64_t now);

/* Why the connection could not be made (lws's reason, or ours), with what
 * to try when guess_hint (lws's reasons are terse). Ends the run. */
void probe_on_connection_error(const char *why, bool guess_hint);

#endif
