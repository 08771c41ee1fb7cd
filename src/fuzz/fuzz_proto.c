/*
 * fuzz_proto.c: a libFuzzer target for the sendlab/1 request parser and the
 * reply writers (`make fuzz`).
 *
 * Each input is one text message as a client could send it. It goes through
 * proto_parse_request() as in session.c, and every reply the server could
 * send for it is written with the proto_write_*() writers and read back by
 * the strict JSON reader below, which shares no code with the writer
 * (json.c) or the parser (LEJP). A violated check prints what failed and
 * aborts, so libFuzzer reports it and saves the input; ASan and UBSan catch
 * memory and arithmetic errors on the way.
 *
 * What is checked:
 *  - the parser: an accepted request is within the spec's limits; a rejected
 *    one carries an error code the parser documents, and a byte offset that
 *    fits what the error says (a long number starts there, trailing data is
 *    not whitespace);
 *  - every reply: it fits in WIRE_REPLY_MAX, is NUL-terminated, and is
 *    RFC 8259 JSON of the shape json.h promises (one flat object, no key
 *    twice, every value a string or an integer, strings well-formed UTF-8)
 *    with exactly the fields of its row in the spec, "op" first; in a buffer
 *    one byte too small the writer returns 0 and writes nothing past the end;
 *  - echoed values come back: integers equal, the error sentence whole, and
 *    the id (the parsed one, and the raw input as an id) byte for byte,
 *    with one rule (json.h's): each byte that is not part of a well-formed
 *    UTF-8 sequence comes back as U+FFFD (EF BF BD), one per byte, so the
 *    truncated E2 82 comes back as two U+FFFD (not as the one of Unicode's
 *    "maximal subpart" practice).
 *
 * libwebsockets is not built with coverage, so the fuzzer steers by the
 * branches of proto.c and json.c only; LEJP is exercised, not explored.
 */
#include "core/proto.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest variant name, so the reply written is the longest possible. */
#define FUZZ_VARIANT "threadpool"

static _Noreturn void fuzz_fail(const char *what, int line, const char *reply,
				 size_t n)
{
	fprintf(stderr, "fuzz_proto.c:%d: check failed: %s\n", line, what);
	if (reply) {
		fputs("reply: ", stderr);
		fwrite(reply, 1, n, stderr);
		fputc('\n', stderr);
	}
	abort();
}

#define CHECK(cond) \
	do { if (!(cond)) fuzz_fail(#cond, __LINE__, NULL, 0); } while (0)
#define CHECK_REPLY(cond, rep) \
	do { \
		if (!(cond)) \
			fuzz_fail(#cond, __LINE__, (rep)->text, (rep)->len); \
	} while (0)

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0 if there is
 * none. Written from the Unicode standard's table 3-7 (the allowed byte
 * ranges), not like json.c's decode-and-check, so the two can disagree.
 */
static size_t utf8_wellformed_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
	size_t need;

	if (n == 0)
		return 0;
	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/* ---- the reader: strict JSON, flat objects of strings and integers ---- */

#define REPLY_FIELDS_MAX 16

struct reply_field {
	const char *key;
	size_t key_len;
	bool is_string;
	const char *str;	/* is_string: decoded, in the arena */
	size_t str_len;
	bool negative;		/* otherwise: the integer */
	uint64_t magnitude;
};

/* A reply as the reader saw it. Decoding never makes JSON text longer, so
 * the arena for decoded keys and strings needs no more room than the text. */
struct reply {
	const char *text;
	size_t len, pos;
	size_t count;
	struct reply_field field[REPLY_FIELDS_MAX];
	char arena[WIRE_REPLY_MAX];
	size_t used;
};

static bool is_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool reply_eat(struct reply *r, char c)
{
	while (r->pos < r->len && is_json_ws(r->text[r->pos]))
		r->pos++;
	if (r->pos < r->len && r->text[r->pos] == c) {
		r->pos++;
		return true;
	}
	return false;
}

static void reply_put(struct reply *r, const void *p, size_t n)
{
	CHECK(r->used + n <= sizeof(r->arena));
	memcpy(r->arena + r->used, p, n);
	r->used += n;
}

static bool reply_hex4(struct reply *r, unsigned *out)
{
	*out = 0;
	for (int k = 0; k < 4; k++, r->pos++) {
		char c = r->pos < r->len ? r->text[r->pos] : '\0';
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d == 16)
			return false;
		*out = *out << 4 | d;
	}
	return true;
}

/* The code point of a \u escape (r->pos just past the 'u'), pairing
 * surrogates; false for a lone surrogate, which UTF-8 cannot hold. */
static bool reply_unicode_escape(struct reply *r, unsigned *cp)
{
	unsigned low;

	if (!reply_hex4(r, cp) || (*cp >= 0xdc00 && *cp <= 0xdfff))
		return false;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return true;
	if (r->len - r->pos < 2 || memcmp(r->text + r->pos, "\\u", 2))
		return false;
	r->pos += 2;
	if (!reply_hex4(r, &low) || low < 0xdc00 || low > 0xdfff)
		return false;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
	return true;
}

static void reply_put_utf8(struct reply *r, unsigned cp)
{
	unsigned char b[4];
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0x00, 0xc0, 0xe0, 0xf0 };

	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		b[i] = (unsigned char)(0x80 | (cp & 0x3f));
	b[0] = (unsigned char)(lead[n] | cp);
	reply_put(r, b, n);
}

/* A JSON string, decoded into the arena. */
static bool reply_string(struct reply *r, const char **out, size_t *out_len)
{
	static const char escapes[] = "\"\\/bfnrt", meanings[] = "\"\\/\b\f\n\r\t";

	if (!reply_eat(r, '"'))
		return false;
	*out = r->arena + r->used;
	size_t start = r->used;

	while (r->pos < r->len) {
		const unsigned char *s = (const unsigned char *)r->text + r->pos;
		size_t left = r->len - r->pos, k;
		const char *simple;
		unsigned cp;

		if (s[0] == '"') {
			r->pos++;
			*out_len = r->used - start;
			return true;
		}
		if (s[0] < 0x20)
			return false; /* control characters must be escaped */
		if (s[0] != '\\') {
			k = utf8_wellformed_len(s, left);
			if (!k)
				return false;
			reply_put(r, s, k);
			r->pos += k;
			continue;
		}
		if (left < 2 || s[1] == '\0')
			return false;
		r->pos += 2;
		if ((simple = strchr(escapes, s[1])))
			reply_put(r, &meanings[simple - escapes], 1);
		else if (s[1] == 'u' && reply_unicode_escape(r, &cp))
			reply_put_utf8(r, cp);
		else
			return false;
	}
	return false; /* unterminated */
}

/* An integer: RFC 8259's -?(0|[1-9][0-9]*) with no fraction or exponent
 * (json.h writes only integers), and at most 64 bits of magnitude. */
static bool reply_integer(struct reply *r, struct reply_field *f)
{
	f->negative = r->pos < r->len && r->text[r->pos] == '-';
	r->pos += f->negative;
	size_t first = r->pos;

	f->magnitude = 0;
	while (r->pos < r->len && r->text[r->pos] >= '0' && r->text[r->pos] <= '9') {
		unsigned d = (unsigned)(r->text[r->pos++] - '0');

		if (f->magnitude > (UINT64_MAX - d) / 10)
			return false;
		f->magnitude = f->magnitude * 10 + d;
	}
	if (r->pos == first || (r->text[first] == '0' && r->pos - first > 1))
		return false; /* no digits, or a leading zero */
	return r->pos == r->len || (r->text[r->pos] != '.' &&
				    r->text[r->pos] != 'e' && r->text[r->pos] != 'E');
}

static const struct reply_field *reply_find(const struct reply *r,
					    const char *key, size_t key_len)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->field[i].key_len == key_len &&
		    !memcmp(r->field[i].key, key, key_len))
			return &r->field[i];
	return NULL;
}

/* Reads text[0..len) as one flat object; false if it is anything else. */
static bool reply_read(struct reply *r, const char *text, size_t len)
{
	*r = (struct reply){ .text = text, .len = len };
	if (!reply_eat(r, '{'))
		return false;
	if (!reply_eat(r, '}')) {
		do {
			struct reply_field f;

			if (r->count == REPLY_FIELDS_MAX ||
			    !reply_string(r, &f.key, &f.key_len) || !reply_eat(r, ':') ||
			    reply_find(r, f.key, f.key_len))
				return false;
			while (r->pos < r->len && is_json_ws(r->text[r->pos]))
				r->pos++;
			f.is_string = r->pos < r->len && r->text[r->pos] == '"';
			if (f.is_string ? !reply_string(r, &f.str, &f.str_len)
					: !reply_integer(r, &f))
				return false;
			r->field[r->count++] = f;
		} while (reply_eat(r, ','));
		if (!reply_eat(r, '}'))
			return false;
	}
	while (r->pos < r->len && is_json_ws(r->text[r->pos]))
		r->pos++;
	return r->pos == r->len;
}

/* ---- checks on one reply ---- */

/* The reply has exactly these fields, "op" first and equal to op. */
static void check_fields(const struct reply *r, const char *op,
			 const char *const *keys, size_t n)
{
	CHECK_REPLY(r->count == n + 1, r);
	CHECK_REPLY(r->field[0].key_len == 2 && !memcmp(r->field[0].key, "op", 2), r);
	CHECK_REPLY(r->field[0].is_string && r->field[0].str_len == strlen(op) &&
		    !memcmp(r->field[0].str, op, r->field[0].str_len), r);
	for (size_t i = 0; i < n; i++)
		CHECK_REPLY(reply_find(r, keys[i], strlen(keys[i])), r);
}

static void check_int(const struct reply *r, const char *key, int64_t want)
{
	const struct reply_field *f = reply_find(r, key, strlen(key));
	uint64_t mag = want < 0 ? 0 - (uint64_t)want : (uint64_t)want;

	CHECK_REPLY(f && !f->is_string, r);
	CHECK_REPLY(f->negative == (want < 0) && f->magnitude == mag, r);
}

static void check_uint(const struct reply *r, const char *key, uint64_t want)
{
	const struct reply_field *f = reply_find(r, key, strlen(key));

	CHECK_REPLY(f && !f->is_string && !f->negative && f->magnitude == want, r);
}

static void check_str(const struct reply *r, const char *key, const char *want,
		      size_t want_len)
{
	const struct reply_field *f = reply_find(r, key, strlen(key));

	CHECK_REPLY(f && f->is_string && f->str_len == want_len &&
		    !memcmp(f->str, want, want_len), r);
}

/* What an id must decode to once echoed: itself, with each byte that is not
 * part of a well-formed UTF-8 sequence replaced by U+FFFD. */
static size_t expected_echo(const char *id, size_t len, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)id;
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_wellformed_len(s + i, len - i);
		const char *src = k ? id + i : "\xef\xbf\xbd";
		size_t m = k ? k : 3;

		CHECK(n + m <= cap);
		memcpy(out + n, src, m);
		n += m;
		i += k ? k : 1;
	}
	return n;
}

/* ---- writing the replies ---- */

/* One reply to write: which writer, and its arguments. */
struct reply_spec {
	enum { REPLY_RESULT, REPLY_ECHO, REPLY_STATS, REPLY_ERROR } kind;
	const struct proto_result *result;
	int64_t t_us, t_server_us;			/* echo */
	int64_t since_us;				/* stats */
	const struct stats_summary *lag;
	uint64_t stalls;
	const struct proto_error *error;		/* error */
};

static size_t write_reply(const struct reply_spec *s, char *buf, size_t cap)
{
	switch (s->kind) {
	case REPLY_RESULT:
		return proto_write_result(buf, cap, s->result);
	case REPLY_ECHO:
		return proto_write_echo(buf, cap, s->t_us, s->t_server_us);
	case REPLY_STATS:
		return proto_write_stats(buf, cap, FUZZ_VARIANT, s->since_us,
					 s->lag, s->stalls);
	case REPLY_ERROR:
		return proto_write_error(buf, cap, s->error);
	}
	abort();
}

/*
 * Writes the reply into a heap buffer of exactly WIRE_REPLY_MAX bytes (so
 * ASan sees any write past the bound), reads it back into *r, and writes it
 * again where it just fits and where it is one byte short.
 */
static void write_and_read(const struct reply_spec *s, struct reply *r)
{
	static char text[WIRE_REPLY_MAX];
	char *buf = malloc(WIRE_REPLY_MAX);

	CHECK(buf);
	size_t n = write_reply(s, buf, WIRE_REPLY_MAX);

	CHECK(n > 0 && n < WIRE_REPLY_MAX && buf[n] == '\0');
	memcpy(text, buf, n);
	free(buf);
	if (!reply_read(r, text, n))
		fuzz_fail("reply is a flat JSON object", __LINE__, text, n);

	char *exact = malloc(n + 1), *short_by_one = malloc(n);

	CHECK(exact && short_by_one);
	CHECK(write_reply(s, exact, n + 1) == n && !memcmp(exact, text, n));
	CHECK(write_reply(s, short_by_one, n) == 0);
	free(exact);
	free(short_by_one);
}

static void check_error_reply(const struct proto_error *err)
{
	static const char *const keys[] = { "error" };
	static struct reply r;
	char text[1024];

	write_and_read(&(struct reply_spec){ .kind = REPLY_ERROR, .error = err }, &r);
	check_fields(&r, "error", keys, 1);
	/* the whole sentence: a cut-off one would say less than it means */
	proto_error_text(err, text, sizeof(text));
	CHECK(strlen(text) + 1 < sizeof(text));
	check_str(&r, "error", text, strlen(text));
}

static void check_result_reply(const struct proto_request *req)
{
	static const char *const keys[] = {
		"variant", "seq", "items", "work_ms", "t_recv_us", "t_start_us",
		"t_done_us", "t_send_us", "cpu_us", "value", "id"
	};
	static struct reply r;
	static char want[3 * WIRE_ID_MAX_BYTES];
	/* extreme values: the writer takes any int64, whatever the clock says */
	const struct proto_result res = {
		.variant = FUZZ_VARIANT, .has_id = req->has_id, .id = req->id,
		.id_len = req->id_len, .seq = req->items - 1, .items = req->items,
		.work_ms = req->work_ms, .t_recv_us = WIRE_TIME_MAX,
		.t_start_us = 0, .t_done_us = INT64_MAX, .t_send_us = INT64_MIN,
		.cpu_us = INT64_MAX, .value = UINT64_MAX,
	};

	write_and_read(&(struct reply_spec){ .kind = REPLY_RESULT, .result = &res },
		       &r);
	check_fields(&r, "result", keys, req->has_id ? 11 : 10);
	check_str(&r, "variant", FUZZ_VARIANT, strlen(FUZZ_VARIANT));
	check_int(&r, "seq", res.seq);
	check_int(&r, "items", req->items);
	check_int(&r, "work_ms", req->work_ms);
	check_int(&r, "t_recv_us", res.t_recv_us);
	check_int(&r, "t_start_us", res.t_start_us);
	check_int(&r, "t_done_us", res.t_done_us);
	check_int(&r, "t_send_us", res.t_send_us);
	check_int(&r, "cpu_us", res.cpu_us);
	check_uint(&r, "value", (uint64_t)WIRE_TIME_MAX); /* masked to 53 bits */
	if (req->has_id)
		check_str(&r, "id", want,
			  expected_echo(req->id, req->id_len, want, sizeof(want)));
}

static void check_echo_reply(int64_t t_us)
{
	static const char *const keys[] = { "t_us", "t_server_us" };
	static struct reply r;

	write_and_read(&(struct reply_spec){ .kind = REPLY_ECHO, .t_us = t_us,
					     .t_server_us = INT64_MIN }, &r);
	check_fields(&r, "echo", keys, 2);
	check_int(&r, "t_us", t_us);
	check_int(&r, "t_server_us", INT64_MIN);
}

static void check_stats_reply(int64_t since_us)
{
	static const char *const keys[] = {
		"variant", "since_us", "samples", "lag_p50_us", "lag_p99_us",
		"lag_max_us", "stalls"
	};
	static struct reply r;
	const struct stats_summary lag = { .n = SIZE_MAX, .p50 = INT64_MIN,
					   .p99 = 0, .max = INT64_MAX };

	write_and_read(&(struct reply_spec){ .kind = REPLY_STATS, .since_us = since_us,
					     .lag = &lag, .stalls = UINT64_MAX }, &r);
	check_fields(&r, "stats", keys, 7);
	check_str(&r, "variant", FUZZ_VARIANT, strlen(FUZZ_VARIANT));
	check_int(&r, "since_us", since_us);
	check_uint(&r, "samples", SIZE_MAX);
	check_int(&r, "lag_p50_us", INT64_MIN);
	check_int(&r, "lag_p99_us", 0);
	check_int(&r, "lag_max_us", INT64_MAX);
	check_uint(&r, "stalls", UINT64_MAX);
}

/* ---- the parser's own promises ---- */

static size_t count_chars(const char *id, size_t len)
{
	size_t chars = 0;

	for (size_t i = 0, k; i < len; i += k ? k : 1, chars++)
		k = utf8_wellformed_len((const unsigned char *)id + i, len - i);
	return chars;
}

static void check_accepted(const struct proto_request *req)
{
	CHECK((unsigned)req->op <= PROTO_OP_STATS);
	switch (req->op) {
	case PROTO_OP_RUN:
		CHECK(req->items >= WIRE_ITEMS_MIN && req->items <= WIRE_ITEMS_MAX);
		CHECK(req->work_ms >= 0 && req->work_ms <= WIRE_WORK_MS_MAX);
		CHECK((int64_t)req->items * req->work_ms <= WIRE_JOB_MS_MAX);
		CHECK(req->id_len <= WIRE_ID_MAX_BYTES);
		CHECK(req->has_id || req->id_len == 0);
		CHECK(count_chars(req->id, req->id_len) <= WIRE_ID_MAX_CHARS);
		break;
	case PROTO_OP_ECHO:
		CHECK(req->t_us >= 0 && req->t_us <= WIRE_TIME_MAX);
		break;
	case PROTO_OP_STATS:
		CHECK(req->since_us >= 0 && req->since_us <= WIRE_TIME_MAX);
		CHECK(req->has_since || req->since_us == 0);
		break;
	}
}

/* What a rejection promises about the message msg[0..len). */
static void check_rejected(const char *msg, size_t len,
			   const struct proto_error *err)
{
	CHECK(err->code >= PROTO_ERR_EMPTY && err->code <= PROTO_ERR_JOB_TOO_LONG);
	CHECK((unsigned)err->field < PROTO_F_COUNT);
	switch (err->code) {
	case PROTO_ERR_NUMBER_TOO_LONG: {
		/* b is where a number of 20 or more characters starts */
		size_t k = 0;

		CHECK(err->b >= 0 && (uint64_t)err->b < len);
		while ((uint64_t)err->b + k < len && msg[(size_t)err->b + k] &&
		       strchr("0123456789+-.eE", msg[(size_t)err->b + k]))
			k++;
		CHECK(k >= 20);
		/* ... where a value may start: after ":", "," or "[", or after
		 * a newline, which may end one of the '#' comments LEJP allows */
		bool newline = false;

		for (k = (size_t)err->b; k > 0 && is_json_ws(msg[k - 1]); k--)
			newline |= msg[k - 1] == '\n';
		CHECK(newline || (k > 0 && msg[k - 1] && strchr(":,[", msg[k - 1])));
		break;
	}
	case PROTO_ERR_TRAILING:
		/* b is the first byte of data after the object */
		CHECK(err->b > 0 && (uint64_t)err->b < len);
		CHECK(!is_json_ws(msg[(size_t)err->b]));
		break;
	case PROTO_ERR_NOT_JSON:
		CHECK(err->b >= 0 && (uint64_t)err->b <= len);
		break;
	default:
		break;
	}
}

/*
 * json.h promises valid JSON for an id of any bytes, which is more than the
 * parser lets through (LEJP refuses raw control characters, and reaching an
 * id at all takes a valid run request, which libFuzzer finds slowly since
 * LEJP gives it no coverage). So the input itself, cut to the longest id the
 * parser could store, is also written and read back as an id.
 */
static void check_raw_id(const uint8_t *data, size_t size)
{
	static struct proto_request raw;

	raw = (struct proto_request){ .op = PROTO_OP_RUN, .items = 1, .has_id = true };
	raw.id_len = size < sizeof(raw.id) ? size : sizeof(raw.id);
	memcpy(raw.id, data, raw.id_len);
	check_result_reply(&raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request req;
	struct proto_error err;

	/* session.c closes the connection (1009) before parsing anything
	 * larger, so such a message never reaches the parser */
	if (size > WIRE_MAX_MESSAGE)
		return 0;
	check_raw_id(data, size);
	/* exactly size bytes on the heap: the parser must not read past the
	 * message (it is not NUL-terminated in session.c either) */
	char *msg = malloc(size ? size : 1);

	CHECK(msg);
	memcpy(msg, data, size);
	if (!proto_parse_request(msg, size, &req, &err)) {
		check_rejected(msg, size, &err);
		check_error_reply(&err);
		free(msg);
		return 0;
	}
	free(msg);
	CHECK(err.code == PROTO_OK);
	check_accepted(&req);
	switch (req.op) {
	case PROTO_OP_RUN: {
		/* a run during a job gets "busy"; otherwise its results */
		const struct proto_error busy = { .code = PROTO_ERR_BUSY,
						  .a = req.items - 1, .b = req.items };

		check_result_reply(&req);
		check_error_reply(&busy);
		break;
	}
	case PROTO_OP_ECHO:
		check_echo_reply(req.t_us);
		break;
	case PROTO_OP_STATS:
		check_stats_reply(req.since_us);
		break;
	}
	return 0;
}
