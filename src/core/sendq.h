/*
 * sendq.h: a connection's bounded queue of frames waiting to be written.
 *
 * A queued frame is a small description (which reply, which item), not its
 * JSON: the JSON is built at the moment it is handed to lws_write, so the
 * t_send_us and t_server_us stamps inside it are true. Loop thread only.
 */
#ifndef SENDLAB_SENDQ_H
#define SENDLAB_SENDQ_H

#include "core/job.h"
#include "core/proto.h"

#include <stdbool.h>

/*
 * The bound. The blocking variants queue a whole job's results while the
 * loop is blocked (up to WIRE_ITEMS_MAX), so the queue must hold that plus
 * the replies to requests that arrive meanwhile. Reading from the client is
 * paused once SENDQ_PAUSE_RX frames wait, and resumed at SENDQ_RESUME_RX, so
 * only a client that pipelines hundreds of requests without reading can
 * fill it; the connection is then closed with 1008 (see send.c).
 */
#define SENDQ_CAPACITY (WIRE_ITEMS_MAX + 256)
#define SENDQ_PAUSE_RX 64
#define SENDQ_RESUME_RX 16

enum sendq_kind { SENDQ_RESULT, SENDQ_ECHO, SENDQ_STATS, SENDQ_ERROR, SENDQ_PING };

#define SENDQ_PING_MAX 16	/* bytes of PING payload (the protocol allows 125) */

struct sendq_msg {
	enum sendq_kind kind;
	union {
		struct item_result result;	/* SENDQ_RESULT */
		int64_t echo_t_us;		/* SENDQ_ECHO: the client's t_us */
		int64_t stats_since_us;		/* SENDQ_STATS */
		struct proto_error error;	/* SENDQ_ERROR */
		struct {
			unsigned char len;
			unsigned char data[SENDQ_PING_MAX];
		} ping;				/* SENDQ_PING */
	} u;
};

struct sendq {
	struct sendq_msg msgs[SENDQ_CAPACITY];
	unsigned head;	/* index of the oldest message */
	unsigned len;	/* messages waiting */
};

static inline unsigned sendq_len(const struct sendq *q) { return q->len; }
static inline bool sendq_empty(const struct sendq *q) { return q->len == 0; }

/* Appends a copy of *m. Returns false, changing nothing, when full. */
bool sendq_push(struct sendq *q, const struct sendq_msg *m);

/* Removes the oldest message into *out. Returns false when empty. */
bool sendq_pop(struct sendq *q, struct sendq_msg *out);

/* The oldest message, left in the queue; NULL when empty. */
const struct sendq_msg *sendq_peek(const struct sendq *q);

#endif
