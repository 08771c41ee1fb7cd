/*
 * proto_fields.c: the request's fields and the second pass of parsing. The
 * field table names each field and its allowed values; proto_validate()
 * checks what the LEJP pass (proto_parse.c) recorded of each field against
 * it and fills the request. Keeping these checks out of the LEJP callback
 * means "not valid JSON" always wins over a field problem.
 */
#include "core/proto_fields.h"

#include "common/json.h"

#include <string.h>

const struct proto_field_spec proto_fields[PROTO_F_COUNT] = {
	[PROTO_F_OP] = { "op", PROTO_T_STRING, 0, 0 },
	[PROTO_F_ITEMS] = { "items", PROTO_T_INT, WIRE_ITEMS_MIN, WIRE_ITEMS_MAX },
	[PROTO_F_WORK_MS] = { "work_ms", PROTO_T_INT, 0, WIRE_WORK_MS_MAX },
	[PROTO_F_ID] = { "id", PROTO_T_STRING, 0, 0 },
	[PROTO_F_T_US] = { "t_us", PROTO_T_INT, 0, WIRE_TIME_MAX },
	[PROTO_F_SINCE_US] = { "since_us", PROTO_T_INT, 0, WIRE_TIME_MAX },
};

const char *proto_field_name(enum proto_field f)
{
	return (unsigned)f < PROTO_F_COUNT ? proto_fields[f].name : "?";
}

bool proto_fail(struct proto_error *err, enum proto_error_code code,
		enum proto_field field, enum proto_type type, int64_t a, int64_t b)
{
	*err = (struct proto_error){ .code = code, .field = field,
				     .type = type, .a = a, .b = b };
	return false;
}

/* Checks one integer field against the table; stores it in *out. */
static bool proto_take_int(const struct proto_parse *ps, enum proto_field f,
			   int64_t *out, struct proto_error *err)
{
	const struct proto_seen *s = &ps->f[f];
	const struct proto_field_spec *spec = &proto_fields[f];

	if (s->type != PROTO_T_INT)
		return proto_fail(err, PROTO_ERR_TYPE, f, s->type, 0, 0);
	if (s->num_overflow || s->num < spec->min || s->num > spec->max)
		return proto_fail(err, PROTO_ERR_RANGE, f, s->type, s->num,
				  s->num_overflow);
	*out = s->num;
	return true;
}

static bool proto_require_int(const struct proto_parse *ps, enum proto_field f,
			      int64_t *out, struct proto_error *err)
{
	if (ps->f[f].count == 0)
		return proto_fail(err, PROTO_ERR_MISSING, f, PROTO_T_ABSENT, 0, 0);
	return proto_take_int(ps, f, out, err);
}

/* Counts characters the way they will be echoed: each valid UTF-8 sequence
 * is one, and each byte of an invalid one becomes one U+FFFD. */
static size_t proto_count_chars(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t chars = 0;

	for (size_t i = 0; i < n; chars++) {
		size_t k = json_utf8_seq_len(s + i, n - i);

		i += k ? k : 1;
	}
	return chars;
}

/*
 * LEJP decodes each \uXXXX escape on its own, so a character outside the
 * Basic Multilingual Plane sent as an escaped UTF-16 pair ("\ud83d\ude00",
 * what JSON.stringify writes for an emoji) reaches us as two encoded
 * surrogates (CESU-8: ED A0-AF xx ED B0-BF xx), which are not UTF-8 and
 * would be echoed as six U+FFFD. Joins each such pair into the one 4-byte
 * UTF-8 sequence it stands for, in place; a lone surrogate is left as it
 * is (and refused: proto_lone_surrogate()). Returns the new length, never more than n.
 * Honest limit: a client that sends the six CESU-8 bytes raw, which is not
 * valid UTF-8, also gets its character back rather than U+FFFD.
 */
static size_t proto_join_surrogates(char *str, size_t n)
{
	unsigned char *s = (unsigned char *)str;
	size_t in = 0, out = 0;

	while (in < n) {
		if (n - in >= 6 && s[in] == 0xed && (s[in + 1] & 0xf0) == 0xa0 &&
		    (s[in + 2] & 0xc0) == 0x80 && s[in + 3] == 0xed &&
		    (s[in + 4] & 0xf0) == 0xb0 && (s[in + 5] & 0xc0) == 0x80) {
			uint32_t hi = 0xd000u | (s[in + 1] & 0x3fu) << 6 | (s[in + 2] & 0x3fu);
			uint32_t lo = 0xd000u | (s[in + 4] & 0x3fu) << 6 | (s[in + 5] & 0x3fu);
			uint32_t cp = 0x10000u + ((hi - 0xd800u) << 10) + (lo - 0xdc00u);

			s[out++] = (unsigned char)(0xf0 | cp >> 18);
			s[out++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			s[out++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			s[out++] = (unsigned char)(0x80 | (cp & 0x3f));
			in += 6;
		} else {
			s[out++] = s[in++];
		}
	}
	return out;
}

/*
 * A UTF-16 surrogate that proto_join_surrogates() could not pair: JSON
 * allows "\ud800" alone, and JSON.stringify writes it for a broken
 * string, but it is no Unicode character, so an id holding one would come
 * back changed (three U+FFFD). It is refused instead. LEJP writes it as
 * ED A0-BF xx, the bytes a client could also send raw (invalid UTF-8):
 * those are refused the same way; any other invalid byte is still echoed
 * as U+FFFD. Returns the first one's code point and, in *pos, its
 * character position from 1 (proto_count_chars's counting), or 0.
 */
static uint32_t proto_lone_surrogate(const char *p, size_t n, size_t *pos)
{
	const unsigned char *s = (const unsigned char *)p;

	*pos = 0;
	for (size_t i = 0; i < n;) {
		(*pos)++;
		if (n - i >= 3 && s[i] == 0xed && (s[i + 1] & 0xe0) == 0xa0 &&
		    (s[i + 2] & 0xc0) == 0x80)
			return 0xd000u | (s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu);

		size_t k = json_utf8_seq_len(s + i, n - i);

		i += k ? k : 1;
	}
	return 0;
}

static bool proto_validate_run(const struct proto_parse *ps,
			       struct proto_request *req,
			       struct proto_error *err)
{
	int64_t items, work_ms;

	if (!proto_require_int(ps, PROTO_F_ITEMS, &items, err) ||
	    !proto_require_int(ps, PROTO_F_WORK_MS, &work_ms, err))
		return false;

	const struct proto_seen *id = &ps->f[PROTO_F_ID];

	if (id->count) {
		if (id->type != PROTO_T_STRING)
			return proto_fail(err, PROTO_ERR_TYPE, PROTO_F_ID,
					  id->type, 0, 0);
		if (id->str_total > id->str_len)
			return proto_fail(err, PROTO_ERR_ID_TOO_LONG, PROTO_F_ID,
					  id->type, (int64_t)id->str_total, 1);

		char joined[sizeof(id->str)];
		size_t len = proto_join_surrogates(memcpy(joined, id->str, id->str_len),
						   id->str_len);
		size_t pos;
		uint32_t surrogate = proto_lone_surrogate(joined, len, &pos);

		if (surrogate)
			return proto_fail(err, PROTO_ERR_ID_SURROGATE, PROTO_F_ID,
					  id->type, surrogate, (int64_t)pos);

		size_t chars = proto_count_chars(joined, len);

		/* 64 characters are at most 4 bytes each once joined: fits */
		if (chars > WIRE_ID_MAX_CHARS)
			return proto_fail(err, PROTO_ERR_ID_TOO_LONG, PROTO_F_ID,
					  id->type, (int64_t)chars, 0);
		req->has_id = true;
		req->id_len = len;
		memcpy(req->id, joined, len);
	}
	if (items * work_ms > WIRE_JOB_MS_MAX)
		return proto_fail(err, PROTO_ERR_JOB_TOO_LONG, PROTO_F_ITEMS,
				  PROTO_T_INT, items, work_ms);
	req->items = (int)items;
	req->work_ms = (int)work_ms;
	return true;
}

bool proto_validate(const struct proto_parse *ps, struct proto_request *req,
		    struct proto_error *err)
{
	for (int f = 0; f < PROTO_F_COUNT; f++)
		if (ps->f[f].count > 1)
			return proto_fail(err, PROTO_ERR_DUPLICATE,
					  (enum proto_field)f, ps->f[f].type, 0, 0);

	const struct proto_seen *op = &ps->f[PROTO_F_OP];

	if (op->count == 0)
		return proto_fail(err, PROTO_ERR_MISSING, PROTO_F_OP,
				  PROTO_T_ABSENT, 0, 0);
	if (op->type != PROTO_T_STRING)
		return proto_fail(err, PROTO_ERR_TYPE, PROTO_F_OP, op->type, 0, 0);

#define PROTO_OP_IS(name) \
	(op->str_total == sizeof(name) - 1 && !memcmp(op->str, name, sizeof(name) - 1))
	if (PROTO_OP_IS("run")) {
		req->op = PROTO_OP_RUN;
		return proto_validate_run(ps, req, err);
	}
	if (PROTO_OP_IS("echo")) {
		req->op = PROTO_OP_ECHO;
		return proto_require_int(ps, PROTO_F_T_US, &req->t_us, err);
	}
	if (PROTO_OP_IS("stats")) {
		req->op = PROTO_OP_STATS;
		if (ps->f[PROTO_F_SINCE_US].count == 0)
			return true;
		req->has_since = true;
		return proto_take_int(ps, PROTO_F_SINCE_US, &req->since_us, err);
	}
#undef PROTO_OP_IS
	return proto_fail(err, PROTO_ERR_UNKNOWN_OP, PROTO_F_OP, op->type, 0, 0);
}
