/*
 * proto_fields.h: private to src/core/proto_*.c (the interface is proto.h).
 * The table of the request's fields, and the records the LEJP pass
 * (proto_parse.c) keeps of each field for the checks against that table
 * (proto_fields.c). The table is read-only and the records live on the
 * parsing thread's stack, so any thread may use all of it.
 */
#ifndef SENDLAB_PROTO_FIELDS_H
#define SENDLAB_PROTO_FIELDS_H

#include "core/proto.h"

/* The field table (proto_fields.c): one row per known field, in enum
 * proto_field order. The name comes first: LEJP reads its paths straight
 * from the table, one row apart (proto_parse.c). */
extern const struct proto_field_spec {
	const char *name;
	enum proto_type type;	/* PROTO_T_INT or PROTO_T_STRING */
	int64_t min, max;	/* ints: allowed range */
} proto_fields[PROTO_F_COUNT];

/* Bytes kept of a string value: 65 characters as LEJP delivers them, where
 * one outside the BMP sent as an escaped pair takes 6 (see
 * proto_join_surrogates), so an id one character too long is still
 * counted exactly. A longer string is only measured: no character takes
 * more than 6 bytes, so it has more than 65. */
#define PROTO_ID_MAX_RAW (6 * (WIRE_ID_MAX_CHARS + 1))

/* What the LEJP pass saw of one field. */
struct proto_seen {
	int count;		/* times the key appeared */
	enum proto_type type;	/* type of the (last) value */
	int64_t num;		/* PROTO_T_INT: the value, clamped */
	bool num_overflow;	/* PROTO_T_INT: did not fit in int64 */
	char str[PROTO_ID_MAX_RAW];	/* PROTO_T_STRING: first bytes */
	size_t str_len;		/* bytes stored in str */
	size_t str_total;	/* bytes the string really had */
};

struct proto_parse {
	struct proto_seen f[PROTO_F_COUNT];
};

/* Fills *err with one error and returns false, so a check can end with
 * `return proto_fail(...)`. */
bool proto_fail(struct proto_error *err, enum proto_error_code code,
		enum proto_field field, enum proto_type type, int64_t a, int64_t b);

/* The second pass: checks the records of a message that is one valid JSON
 * object against the field table, in the order proto.h documents from the
 * duplicated field on; fills *req, or *err and returns false. */
bool proto_validate(const struct proto_parse *ps, struct proto_request *req,
		    struct proto_error *err);

#endif
