/*
 * proto.h: the sendlab/1 wire protocol (docs/protocol.md): its limits,
 * the request parser and the reply writers.
 *
 * Pure functions over buffers: no sockets, no libwebsockets state, so every
 * valid and invalid case is unit-tested directly. Requests are parsed with
 * libwebsockets' built-in LEJP parser (proto_parse.c) and checked against
 * the field table (proto_fields.c); proto_error.c words the errors and
 * proto_write.c writes the replies with json.h. Any thread may call any
 * function here.
 */
#ifndef SENDLAB_PROTO_H
#define SENDLAB_PROTO_H

#include "common/stats.h"
#include "common/wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proto_op { PROTO_OP_RUN, PROTO_OP_ECHO, PROTO_OP_STATS };

/* The request fields the parser knows. */
enum proto_field {
	PROTO_F_OP,
	PROTO_F_ITEMS,
	PROTO_F_WORK_MS,
	PROTO_F_ID,
	PROTO_F_T_US,
	PROTO_F_SINCE_US,
	PROTO_F_COUNT
};

/* The JSON type a field's value had. */
enum proto_type {
	PROTO_T_ABSENT,
	PROTO_T_INT,
	PROTO_T_FLOAT,
	PROTO_T_STRING,
	PROTO_T_BOOL,
	PROTO_T_NULL,
	PROTO_T_OBJECT,
	PROTO_T_ARRAY
};

enum proto_error_code {
	PROTO_OK = 0,
	PROTO_ERR_EMPTY,	/* nothing but whitespace */
	PROTO_ERR_NOT_OBJECT,	/* JSON value that is not an object: type */
	PROTO_ERR_NOT_JSON,	/* a = LEJP's code, b = byte offset */
	PROTO_ERR_NUMBER_TOO_LONG, /* valid JSON, but LEJP's limit: b = offset */
	PROTO_ERR_TRAILING,	/* b = byte offset of the extra data */
	PROTO_ERR_COMMENT,	/* b = byte offset of a '#' outside any string */
	PROTO_ERR_DUPLICATE,	/* field */
	PROTO_ERR_UNKNOWN_OP,
	PROTO_ERR_MISSING,	/* field */
	PROTO_ERR_TYPE,		/* field, type */
	PROTO_ERR_RANGE,	/* field, a = the value */
	PROTO_ERR_ID_TOO_LONG,	/* a = its length in characters (b = 1: bytes, beyond counting) */
	PROTO_ERR_JOB_TOO_LONG,	/* a = items, b = work_ms */
	PROTO_ERR_ID_SURROGATE,	/* a = the surrogate (0xd800-0xdfff), b = its
				   character position in the id, from 1 */
	PROTO_ERR_BINARY,	/* a binary frame */
	PROTO_ERR_PONG_TIMEOUT,	/* a = the item's seq, b = the timeout in ms */
	PROTO_ERR_NO_MEMORY,	/* the server could not allocate the job */
	PROTO_ERR_BUSY,		/* a = results sent so far, b = items (keep last) */
};

/* A structured error: small and fixed-size, so it can wait in a send queue;
 * proto_error_text() turns it into the sentence the client reads. */
struct proto_error {
	enum proto_error_code code;
	enum proto_field field;
	enum proto_type type;
	int64_t a, b;
};

struct proto_request {
	enum proto_op op;
	int items;		/* run */
	int work_ms;		/* run */
	bool has_id;		/* run: id given */
	size_t id_len;		/* run: bytes in id (no NUL terminator) */
	char id[WIRE_ID_MAX_BYTES]; /* run: as sent, unescaped; may hold any bytes */
	int64_t t_us;		/* echo */
	bool has_since;		/* stats: since_us given */
	int64_t since_us;	/* stats */
};

/*
 * Parses one complete message msg[0..len). On success fills *req and returns
 * true. Otherwise fills *err with the first problem found, in this order:
 * empty, not an object, not valid JSON (or a number LEJP cannot hold), data
 * after the object, a duplicated
 * field, op missing/not a string/unknown, then the op's own fields in the
 * order of the spec's table, then items * work_ms. Fields the op does not use
 * are ignored (but still must not be duplicated).
 */
bool proto_parse_request(const char *msg, size_t len, struct proto_request *req,
			 struct proto_error *err);

/* The client-facing sentence for err, NUL-terminated in buf[0..cap). */
void proto_error_text(const struct proto_error *err, char *buf, size_t cap);

/* Name of a field as it appears on the wire ("work_ms"). */
const char *proto_field_name(enum proto_field f);

/* One result frame's content; see the spec's `result` row. */
struct proto_result {
	const char *variant;
	bool has_id;
	const char *id;
	size_t id_len;
	int seq;
	int items;
	int work_ms;
	int64_t t_recv_us;
	int64_t t_start_us;
	int64_t t_done_us;
	int64_t t_send_us;
	int64_t cpu_us;		/* the item's thread CPU time */
	uint64_t value;		/* masked to 53 bits on the wire */
};

/* Reply writers: each writes one JSON object into buf[0..cap) and returns its
 * length, or 0 if it did not fit (WIRE_REPLY_MAX always fits). */
size_t proto_write_result(char *buf, size_t cap, const struct proto_result *r);
size_t proto_write_echo(char *buf, size_t cap, int64_t t_us, int64_t t_server_us);
size_t proto_write_stats(char *buf, size_t cap, const char *variant,
			 int64_t since_us, const struct stats_summary *lag,
			 uint64_t stalls);
size_t proto_write_error(char *buf, size_t cap, const struct proto_error *err);

#endif
