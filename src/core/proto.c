/*
 * proto.c: parse sendlab/1 requests with LEJP, write replies with json.h.
 *
 * Parsing is two passes over one small state: LEJP walks the message once and
 * records, for each known top-level field, its JSON type and value; then
 * proto_validate() checks those records against the field table. Keeping the
 * checks out of the LEJP callback means "not valid JSON" always wins over a
 * field problem, and the error order is the one documented in proto.h.
 */
#include "core/proto.h"

#include "common/json.h"

#include <errno.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The field table: one row per known field, in enum proto_field order. */
static const struct proto_field_spec {
	const char *name;
	enum proto_type type;	/* PROTO_T_INT or PROTO_T_STRING */
	int64_t min, max;	/* ints: allowed range */
} proto_fields[PROTO_F_COUNT] = {
	[PROTO_F_OP] = { "op", PROTO_T_STRING, 0, 0 },
	[PROTO_F_ITEMS] = { "items", PROTO_T_INT, WIRE_ITEMS_MIN, WIRE_ITEMS_MAX },
	[PROTO_F_WORK_MS] = { "work_ms", PROTO_T_INT, 0, WIRE_WORK_MS_MAX },
	[PROTO_F_ID] = { "id", PROTO_T_STRING, 0, 0 },
	[PROTO_F_T_US] = { "t_us", PROTO_T_INT, 0, WIRE_TIME_MAX },
	[PROTO_F_SINCE_US] = { "since_us", PROTO_T_INT, 0, WIRE_TIME_MAX },
};

/* LEJP wants the paths as a plain array; path_match is index + 1. */
static const char *const proto_paths[PROTO_F_COUNT] = {
	"op", "items", "work_ms", "id", "t_us", "since_us",
};

const char *proto_field_name(enum proto_field f)
{
	return (unsigned)f < PROTO_F_COUNT ? proto_fields[f].name : "?";
}

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

static void proto_seen_append(struct proto_seen *s, const char *p, size_t n)
{
	size_t room = sizeof(s->str) - s->str_len;
	size_t take = n < room ? n : room;

	memcpy(s->str + s->str_len, p, take);
	s->str_len += take;
	s->str_total += n;
}

/* Is ctx at the value of top-level key `key` itself (not inside it)? LEJP
 * also reports a match for values nested below a matched key ("items[]",
 * "items.a"), so compare the whole path. */
static bool proto_at_key(const struct lejp_ctx *ctx, const char *key)
{
	return !strcmp(ctx->path, key);
}

/* Is ctx at the opening of an array that is key's value ("key[]")? */
static bool proto_at_key_array(const struct lejp_ctx *ctx, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(ctx->path, key, n) && !strcmp(ctx->path + n, "[]");
}

static signed char proto_lejp_cb(struct lejp_ctx *ctx, char reason)
{
	struct proto_parse *ps = ctx->user;

	if (!ctx->path_match)
		return 0; /* a key we do not know */

	const char *key = proto_paths[ctx->path_match - 1];
	struct proto_seen *s = &ps->f[ctx->path_match - 1];

	if (reason == LEJPCB_ARRAY_START) {
		if (proto_at_key_array(ctx, key) && s->type == PROTO_T_ABSENT)
			s->type = PROTO_T_ARRAY;
		return 0;
	}
	if (!proto_at_key(ctx, key))
		return 0; /* something nested inside the key's value */

	switch (reason) {
	case LEJPCB_PAIR_NAME:
		s->count++;
		s->type = PROTO_T_ABSENT;
		s->str_len = s->str_total = 0;
		break;
	case LEJPCB_VAL_NUM_INT:
		/* LEJP reports 1e2 as an integer; JSON calls it a number
		 * with an exponent, and so do we */
		if (memchr(ctx->buf, '.', ctx->npos) || memchr(ctx->buf, 'e', ctx->npos) ||
		    memchr(ctx->buf, 'E', ctx->npos)) {
			s->type = PROTO_T_FLOAT;
			break;
		}
		s->type = PROTO_T_INT;
		errno = 0;
		s->num = strtoll(ctx->buf, NULL, 10);
		s->num_overflow = errno == ERANGE;
		break;
	case LEJPCB_VAL_NUM_FLOAT:
		s->type = PROTO_T_FLOAT;
		break;
	case LEJPCB_VAL_TRUE:
	case LEJPCB_VAL_FALSE:
		s->type = PROTO_T_BOOL;
		break;
	case LEJPCB_VAL_NULL:
		s->type = PROTO_T_NULL;
		break;
	case LEJPCB_VAL_STR_START:
		s->type = PROTO_T_STRING;
		break;
	case LEJPCB_VAL_STR_CHUNK:
	case LEJPCB_VAL_STR_END:
		proto_seen_append(s, ctx->buf, ctx->npos);
		break;
	case LEJPCB_OBJECT_START:
		if (s->type == PROTO_T_ABSENT)
			s->type = PROTO_T_OBJECT;
		break;
	default:
		break;
	}
	return 0;
}

static bool proto_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is s[0..n) exactly the JSON literal lit? */
static bool proto_is_literal(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

/* Can c be part of a JSON number? (Not NUL, which strchr would find.) */
static bool proto_is_number_char(char c)
{
	return c != '\0' && strchr("0123456789+-.eE", c);
}

/* Is s[0..n) a JSON number (RFC 8259 grammar)? */
static bool proto_is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	return i == n;
}

static signed char proto_lejp_ignore(struct lejp_ctx *ctx, char reason)
{
	(void)ctx;
	(void)reason;
	return 0;
}

/* Does LEJP accept s[0..n) completely (used for top-level arrays)? */
static bool proto_lejp_accepts(const char *s, size_t n)
{
	struct lejp_ctx ctx;

	lejp_construct(&ctx, proto_lejp_ignore, NULL, NULL, 0);
	int r = lejp_parse(&ctx, (const unsigned char *)s, (int)n);
	lejp_destruct(&ctx);
	return r == 0;
}

/*
 * A message that does not start with '{': is it some other JSON value (an
 * array, a string, a number, a literal), so we can say "must be an object,
 * not an array", or not JSON at all? s[0..n) has no surrounding whitespace.
 * Strings are recognised by their quotes only: close enough for a message.
 */
static enum proto_type proto_classify_non_object(const char *s, size_t n)
{
	if (s[0] == '[')
		return proto_lejp_accepts(s, n) ? PROTO_T_ARRAY : PROTO_T_ABSENT;
	if (s[0] == '"')
		return n >= 2 && s[n - 1] == '"' ? PROTO_T_STRING : PROTO_T_ABSENT;
	if (proto_is_literal(s, n, "true") || proto_is_literal(s, n, "false"))
		return PROTO_T_BOOL;
	if (proto_is_literal(s, n, "null"))
		return PROTO_T_NULL;
	if (proto_is_number(s, n))
		return memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n)
			       ? PROTO_T_FLOAT : PROTO_T_INT;
	return PROTO_T_ABSENT;
}

static bool proto_fail(struct proto_error *err, enum proto_error_code code,
		       enum proto_field field, enum proto_type type, int64_t a,
		       int64_t b)
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
 * is (and is echoed as U+FFFD). Returns the new length, never more than n.
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

static bool proto_validate(const struct proto_parse *ps,
			   struct proto_request *req, struct proto_error *err)
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

/* LEJP skips from '#' to the end of the line as a comment; JSON has no
 * comments, so any '#' outside a string is an error. Returns its offset in
 * msg, or -1. Strings are followed as JSON writes them (a backslash escapes
 * the next byte); malformed ones are left for LEJP to reject. */
static int64_t proto_find_comment(const char *msg, size_t start, size_t end)
{
	bool in_string = false;

	for (size_t i = start; i < end; i++) {
		if (in_string) {
			if (msg[i] == '\\')
				i++;
			else if (msg[i] == '"')
				in_string = false;
		} else if (msg[i] == '"') {
			in_string = true;
		} else if (msg[i] == '#') {
			return (int64_t)i;
		}
	}
	return -1;
}

bool proto_parse_request(const char *msg, size_t len, struct proto_request *req,
			 struct proto_error *err)
{
	size_t start = 0;

	memset(req, 0, sizeof(*req));
	*err = (struct proto_error){ .code = PROTO_OK };

	size_t end = len;

	while (start < len && proto_is_ws(msg[start]))
		start++;
	while (end > start && proto_is_ws(msg[end - 1]))
		end--;
	if (start == end)
		return proto_fail(err, PROTO_ERR_EMPTY, PROTO_F_OP, PROTO_T_ABSENT,
				  0, 0);
	/* LEJP accepts a top-level array, and rejects other non-objects
	 * with a vague message: say plainly what was wrong instead. */
	if (msg[start] != '{') {
		enum proto_type t = proto_classify_non_object(msg + start,
							      end - start);

		if (t == PROTO_T_ABSENT)
			return proto_fail(err, PROTO_ERR_NOT_JSON, PROTO_F_OP, t,
					  LEJP_REJECT_IDLE_NO_BRACE, (int64_t)start);
		return proto_fail(err, PROTO_ERR_NOT_OBJECT, PROTO_F_OP, t, 0, 0);
	}

	int64_t hash = proto_find_comment(msg, start, end);

	if (hash >= 0)
		return proto_fail(err, PROTO_ERR_COMMENT, PROTO_F_OP, PROTO_T_ABSENT, 0, hash);

	struct proto_parse ps;

	memset(&ps, 0, sizeof(ps));

	/* LEJP rejects the empty object "{}"; it is valid JSON, and simply
	 * lacks "op". */
	size_t inner = start + 1;

	while (inner < end && proto_is_ws(msg[inner]))
		inner++;
	if (inner == end - 1 && msg[inner] == '}')
		return proto_validate(&ps, req, err);

	/* ps and ctx live on the caller's stack: about 2.5 KB. */
	struct lejp_ctx ctx;
	size_t i;
	int r = LEJP_CONTINUE;

	lejp_construct(&ctx, proto_lejp_cb, &ps, proto_paths, PROTO_F_COUNT);
	/* One byte at a time, so an error or the object's end has a position.
	 * At most WIRE_MAX_MESSAGE calls: cheap next to one lws_write. */
	for (i = start; i < len; i++) {
		r = lejp_parse(&ctx, (const unsigned char *)msg + i, 1);
		if (r != LEJP_CONTINUE)
			break;
	}
	lejp_destruct(&ctx);

	if (r == LEJP_CONTINUE)
		return proto_fail(err, PROTO_ERR_NOT_JSON, PROTO_F_OP,
				  PROTO_T_ABSENT, LEJP_CONTINUE, (int64_t)len);
	if (r < 0) {
		/* LEJP holds 20 characters of a number and rejects the 21st
		 * with "comma or block end expected", though a longer number
		 * is valid JSON: name that instead. Only for that error at a
		 * number's character: a run of digits (or of 'e's) can also
		 * end a string that fails for its own reason, a control
		 * character say, and then LEJP's error is the right one. */
		size_t k = i;

		if (r == LEJP_REJECT_MP_C_OR_E_NEITHER && proto_is_number_char(msg[i]))
			while (k > start && proto_is_number_char(msg[k - 1]))
				k--;
		if (i - k >= 20)
			return proto_fail(err, PROTO_ERR_NUMBER_TOO_LONG, PROTO_F_OP,
					  PROTO_T_ABSENT, 0, (int64_t)k);
		return proto_fail(err, PROTO_ERR_NOT_JSON, PROTO_F_OP,
				  PROTO_T_ABSENT, r, (int64_t)i);
	}
	for (size_t j = i + 1; j < len; j++)
		if (!proto_is_ws(msg[j]))
			return proto_fail(err, PROTO_ERR_TRAILING, PROTO_F_OP,
					  PROTO_T_ABSENT, 0, (int64_t)j);

	return proto_validate(&ps, req, err);
}

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

void proto_error_text(const struct proto_error *e, char *buf, size_t cap)
{
	const char *name = proto_field_name(e->field);
	char rule[64];

	proto_field_rule(e->field, rule, sizeof(rule));
	switch (e->code) {
	case PROTO_OK:
		snprintf(buf, cap, "no error");
		break;
	case PROTO_ERR_EMPTY:
		snprintf(buf, cap, "empty message: send one JSON object per "
			 "text frame, like {\"op\":\"echo\",\"t_us\":1}");
		break;
	case PROTO_ERR_NOT_OBJECT:
		snprintf(buf, cap, "the message must be a JSON object like "
			 "{\"op\":\"echo\",\"t_us\":1}, not %s",
			 proto_type_name(e->type));
		break;
	case PROTO_ERR_NOT_JSON:
		if (e->a == LEJP_CONTINUE)
			snprintf(buf, cap, "not valid JSON: the message ended "
				 "before the object was closed");
		else if (e->a == LEJP_REJECT_IDLE_NO_BRACE)
			snprintf(buf, cap, "not valid JSON: send one JSON object "
				 "per text frame, like {\"op\":\"echo\",\"t_us\":1}");
		else if (e->a == LEJP_REJECT_STACK_OVERFLOW ||
			 e->a == LEJP_REJECT_MP_DELIM_ISTACK)
			snprintf(buf, cap, "JSON nested too deeply at byte %" PRId64
				 ": sendlab/1 requests are flat objects", e->b);
		else
			snprintf(buf, cap, "not valid JSON at byte %" PRId64
				 ": %s", e->b, lejp_error_to_string((int)e->a));
		break;
	case PROTO_ERR_NUMBER_TOO_LONG:
		snprintf(buf, cap, "the number at byte %" PRId64 " has more than "
			 "20 characters: no field of sendlab/1 needs that many", e->b);
		break;
	case PROTO_ERR_COMMENT:
		snprintf(buf, cap, "not valid JSON at byte %" PRId64 ": JSON has no "
			 "comments, and '#' may appear only inside a string", e->b);
		break;
	case PROTO_ERR_TRAILING:
		snprintf(buf, cap, "unexpected data at byte %" PRId64 " after "
			 "the JSON object: send one object per frame", e->b);
		break;
	case PROTO_ERR_DUPLICATE:
		snprintf(buf, cap, "field \"%s\" appears more than once", name);
		break;
	case PROTO_ERR_UNKNOWN_OP:
		snprintf(buf, cap, "unknown op: \"op\" must be %s", rule);
		break;
	case PROTO_ERR_MISSING:
		snprintf(buf, cap, "missing field \"%s\": it must be %s", name,
			 rule);
		break;
	case PROTO_ERR_TYPE:
		snprintf(buf, cap, "field \"%s\" must be %s, not %s", name, rule,
			 proto_type_name(e->type));
		break;
	case PROTO_ERR_RANGE:
		if (e->b)
			snprintf(buf, cap, "field \"%s\" must be %s; got a "
				 "number too large to represent", name, rule);
		else
			snprintf(buf, cap, "field \"%s\" must be %s, got %"
				 PRId64, name, rule, e->a);
		break;
	case PROTO_ERR_ID_TOO_LONG:
		if (e->b)
			snprintf(buf, cap, "field \"id\" must be %s; got more "
				 "than %d", rule, WIRE_ID_MAX_CHARS + 1);
		else
			snprintf(buf, cap, "field \"id\" must be %s; got %"
				 PRId64 " characters", rule, e->a);
		break;
	case PROTO_ERR_JOB_TOO_LONG:
		snprintf(buf, cap, "items * work_ms must be at most %d ms, got "
			 "%" PRId64 " * %" PRId64 " = %" PRId64, WIRE_JOB_MS_MAX,
			 e->a, e->b, e->a * e->b);
		break;
	case PROTO_ERR_BINARY:
		snprintf(buf, cap, "binary frames are not part of sendlab/1: "
			 "send each JSON object as a text frame");
		break;
	case PROTO_ERR_PONG_TIMEOUT:
		snprintf(buf, cap, "no pong within %" PRId64 " ms of the ping after "
			 "result %" PRId64 ": the job is abandoned (a client must "
			 "answer WebSocket pings)", e->b, e->a);
		break;
	case PROTO_ERR_NO_MEMORY:
		snprintf(buf, cap, "the server is out of memory: try again later");
		break;
	case PROTO_ERR_BUSY:
		snprintf(buf, cap, "busy: this connection's job is still running "
			 "(%" PRId64 " of %" PRId64 " results sent); send the next "
			 "run after its last result", e->a, e->b);
		break;
	}
}

size_t proto_write_result(char *buf, size_t cap, const struct proto_result *r)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "result", 6);
	json_str(&w, "variant", r->variant, strlen(r->variant));
	if (r->has_id)
		json_str(&w, "id", r->id, r->id_len);
	json_int(&w, "seq", r->seq);
	json_int(&w, "items", r->items);
	json_int(&w, "work_ms", r->work_ms);
	json_int(&w, "t_recv_us", r->t_recv_us);
	json_int(&w, "t_start_us", r->t_start_us);
	json_int(&w, "t_done_us", r->t_done_us);
	json_int(&w, "t_send_us", r->t_send_us);
	json_int(&w, "cpu_us", r->cpu_us);
	json_uint(&w, "value", r->value & (uint64_t)WIRE_TIME_MAX);
	return json_end(&w);
}

size_t proto_write_echo(char *buf, size_t cap, int64_t t_us, int64_t t_server_us)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "echo", 4);
	json_int(&w, "t_us", t_us);
	json_int(&w, "t_server_us", t_server_us);
	return json_end(&w);
}

size_t proto_write_stats(char *buf, size_t cap, const char *variant,
			 int64_t since_us, const struct stats_summary *lag,
			 uint64_t stalls)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "stats", 5);
	json_str(&w, "variant", variant, strlen(variant));
	json_int(&w, "since_us", since_us);
	json_uint(&w, "samples", lag->n);
	json_int(&w, "lag_p50_us", lag->p50);
	json_int(&w, "lag_p99_us", lag->p99);
	json_int(&w, "lag_max_us", lag->max);
	json_uint(&w, "stalls", stalls);
	return json_end(&w);
}

size_t proto_write_error(char *buf, size_t cap, const struct proto_error *err)
{
	struct json_writer w;
	char text[320];

	proto_error_text(err, text, sizeof(text));
	json_begin(&w, buf, cap);
	json_str(&w, "op", "error", 5);
	json_str(&w, "error", text, strlen(text));
	return json_end(&w);
}
