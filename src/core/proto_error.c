/*
 * proto_error.c: the sentence a client reads for each struct proto_error,
 * the one place its words are written (docs/protocol.md lists them all; the
 * unit and bad-input tests pin them). The sentences without a value are a
 * table; the others are formatted in three groups: the message as a whole,
 * one field, and the connection. Any thread may call proto_error_text().
 */
#include "core/proto_fields.h"

#include <inttypes.h>
#include <libwebsockets.h>
#include <stdio.h>

#define PROTO_EXAMPLE "{\"op\":\"echo\",\"t_us\":1}"

/* The sentences that carry no value; NULL: formatted below. */
static const char *const proto_fixed_text[PROTO_ERR_BUSY + 1] = {
	[PROTO_OK] = "no error",
	[PROTO_ERR_EMPTY] = "empty message: send one JSON object per text frame, "
			    "like " PROTO_EXAMPLE,
	[PROTO_ERR_BINARY] = "binary frames are not part of sendlab/1: send each "
			     "JSON object as a text frame",
	[PROTO_ERR_NO_MEMORY] = "the server is out of memory: try again later",
};

static const char *proto_type_name(enum proto_type t)
{
	switch (t) {
	case PROTO_T_ABSENT: return "nothing";
	case PROTO_T_INT: return "an integer";
	case PROTO_T_FLOAT: return "a number with a fraction or exponent";
	case PROTO_T_STRING: return "a string";
	case PROTO_T_BOOL: return "a boolean";
	case PROTO_T_NULL: return "null";
	case PROTO_T_OBJECT: return "an object";
	case PROTO_T_ARRAY: return "an array";
	}
	return "?";
}

/* "an integer from 1 to 1000" / "a string": what the field must be. */
static void proto_field_rule(enum proto_field f, char *buf, size_t cap)
{
	const struct proto_field_spec *spec = &proto_fields[f];

	if (f == PROTO_F_OP)
		snprintf(buf, cap, "one of \"run\", \"echo\", \"stats\"");
	else if (f == PROTO_F_ID)
		snprintf(buf, cap, "a string of at most %d characters",
			 WIRE_ID_MAX_CHARS);
	else
		snprintf(buf, cap, "an integer from %" PRId64 " to %" PRId64,
			 spec->min, spec->max);
}

/* The message is not a JSON object: what it was instead. */
static bool proto_message_text(const struct proto_error *e, char *buf, size_t cap)
{
	switch (e->code) {
	case PROTO_ERR_NOT_OBJECT:
		snprintf(buf, cap, "the message must be a JSON object like "
			 PROTO_EXAMPLE ", not %s", proto_type_name(e->type));
		return true;
	case PROTO_ERR_NOT_JSON:
		if (e->a == LEJP_CONTINUE)
			snprintf(buf, cap, "not valid JSON: the message ended "
				 "before the object was closed");
		else if (e->a == LEJP_REJECT_IDLE_NO_BRACE)
			snprintf(buf, cap, "not valid JSON: send one JSON object "
				 "per text frame, like " PROTO_EXAMPLE);
		else if (e->a == LEJP_REJECT_STACK_OVERFLOW ||
			 e->a == LEJP_REJECT_MP_DELIM_ISTACK)
			snprintf(buf, cap, "JSON nested too deeply at byte %" PRId64
				 ": sendlab/1 requests are flat objects", e->b);
		else
			snprintf(buf, cap, "not valid JSON at byte %" PRId64
				 ": %s", e->b, lejp_error_to_string((int)e->a));
		return true;
	case PROTO_ERR_NUMBER_TOO_LONG:
		snprintf(buf, cap, "the number at byte %" PRId64 " has more than "
			 "20 characters: no field of sendlab/1 needs that many", e->b);
		return true;
	case PROTO_ERR_COMMENT:
		snprintf(buf, cap, "not valid JSON at byte %" PRId64 ": JSON has no "
			 "comments, and '#' may appear only inside a string", e->b);
		return true;
	case PROTO_ERR_TRAILING:
		snprintf(buf, cap, "unexpected data at byte %" PRId64 " after "
			 "the JSON object: send one object per frame", e->b);
		return true;
	default:
		return false;
	}
}

/* A field is duplicated, missing, of the wrong type or out of range. */
static bool proto_field_text(const struct proto_error *e, char *buf, size_t cap)
{
	const char *name = proto_field_name(e->field);
	char rule[64];

	proto_field_rule(e->field, rule, sizeof(rule));
	switch (e->code) {
	case PROTO_ERR_DUPLICATE:
		snprintf(buf, cap, "field \"%s\" appears more than once", name);
		return true;
	case PROTO_ERR_UNKNOWN_OP:
		snprintf(buf, cap, "unknown op: \"op\" must be %s", rule);
		return true;
	case PROTO_ERR_MISSING:
		snprintf(buf, cap, "missing field \"%s\": it must be %s", name,
			 rule);
		return true;
	case PROTO_ERR_TYPE:
		snprintf(buf, cap, "field \"%s\" must be %s, not %s", name, rule,
			 proto_type_name(e->type));
		return true;
	case PROTO_ERR_RANGE:
		if (e->b)
			snprintf(buf, cap, "field \"%s\" must be %s; got a "
				 "number too large to represent", name, rule);
		else
			snprintf(buf, cap, "field \"%s\" must be %s, got %"
				 PRId64, name, rule, e->a);
		return true;
	case PROTO_ERR_ID_TOO_LONG:
		if (e->b)
			snprintf(buf, cap, "field \"id\" must be %s; got more "
				 "than %d", rule, WIRE_ID_MAX_CHARS + 1);
		else
			snprintf(buf, cap, "field \"id\" must be %s; got %"
				 PRId64 " characters", rule, e->a);
		return true;
	case PROTO_ERR_ID_SURROGATE:
		snprintf(buf, cap, "field \"id\" must be valid Unicode; character %"
			 PRId64 " is a lone UTF-16 surrogate, \\u%04" PRIx64, e->b,
			 (uint64_t)e->a);
		return true;
	case PROTO_ERR_JOB_TOO_LONG:
		snprintf(buf, cap, "items * work_ms must be at most %d ms, got "
			 "%" PRId64 " * %" PRId64 " = %" PRId64, WIRE_JOB_MS_MAX,
			 e->a, e->b, e->a * e->b);
		return true;
	default:
		return false;
	}
}

/* The connection's own errors, which no request field causes. */
static void proto_connection_text(const struct proto_error *e, char *buf,
				  size_t cap)
{
	if (e->code == PROTO_ERR_PONG_TIMEOUT)
		snprintf(buf, cap, "no pong within %" PRId64 " ms of the ping after "
			 "result %" PRId64 ": the job is abandoned (a client must "
			 "answer WebSocket pings)", e->b, e->a);
	else if (e->code == PROTO_ERR_BUSY)
		snprintf(buf, cap, "busy: this connection's job is still running "
			 "(%" PRId64 " of %" PRId64 " results sent); send the next "
			 "run after its last result", e->a, e->b);
}

void proto_error_text(const struct proto_error *e, char *buf, size_t cap)
{
	if ((unsigned)e->code <= PROTO_ERR_BUSY && proto_fixed_text[e->code])
		snprintf(buf, cap, "%s", proto_fixed_text[e->code]);
	else if (!proto_message_text(e, buf, cap) && !proto_field_text(e, buf, cap))
		proto_connection_text(e, buf, cap);
}
