/*
 * fuzz_proto.c: a libFuzzer target for the sendlab/1 request parser and the
 * reply writers (`make fuzz`).
 *
 * Each input is one text message as a client could send it. It goes through
 * proto_parse_request() as in session.c, and every reply the server could
 * send for it is written with the proto_write_*() writers and read back by
 * the strict JSON reader of reply_reader.c, which shares no code with the
 * writer (json.c) or the parser (LEJP). A violated check prints what failed
 * and aborts, so libFuzzer reports it and saves the input; ASan and UBSan
 * catch memory and arithmetic errors on the way.
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
 * branches of src/core/proto_*.c and json.c only; LEJP is exercised, not
 * explored.
 */
#include "core/proto.h"
#include "fuzz/reply_reader.h"

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

/* ---- writing the replies and checking them ---- */

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

/* A field the reply must have: a string, or an integer of any sign. */
#define WANT_STR(k, s, n) { .key = (k), .key_len = sizeof(k) - 1, \
			    .is_string = true, .str = (s), .str_len = (n) }
#define WANT_INT(k, v) { .key = (k), .key_len = sizeof(k) - 1, .negative = (v) < 0, \
			 .magnitude = (v) < 0 ? 0 - (uint64_t)(v) : (uint64_t)(v) }
#define WANT_UINT(k, v) { .key = (k), .key_len = sizeof(k) - 1, .magnitude = (v) }

/* Writes and reads the reply: it has exactly the fields of want[0..n) with
 * those values, and "op" (want[0]) first. */
static void check_reply(const struct reply_spec *s, const struct reply_field *want,
			size_t n)
{
	static struct reply r;

	write_and_read(s, &r);
	CHECK_REPLY(r.count == n, &r);
	CHECK_REPLY(r.field[0].key_len == 2 && !memcmp(r.field[0].key, "op", 2), &r);
	for (size_t i = 0; i < n; i++) {
		const struct reply_field *w = &want[i];
		const struct reply_field *f = reply_find(&r, w->key, w->key_len);

		CHECK_REPLY(f && f->is_string == w->is_string, &r);
		if (w->is_string)
			CHECK_REPLY(f->str_len == w->str_len &&
				    !memcmp(f->str, w->str, w->str_len), &r);
		else
			CHECK_REPLY(f->negative == w->negative &&
				    f->magnitude == w->magnitude, &r);
	}
}

static void check_error_reply(const struct proto_error *err)
{
	char text[1024];

	/* the whole sentence: a cut-off one would say less than it means */
	proto_error_text(err, text, sizeof(text));
	CHECK(strlen(text) + 1 < sizeof(text));

	const struct reply_field want[] = {
		WANT_STR("op", "error", 5), WANT_STR("error", text, strlen(text)),
	};

	check_reply(&(struct reply_spec){ .kind = REPLY_ERROR, .error = err }, want, 2);
}

static void check_result_reply(const struct proto_request *req)
{
	static char id[3 * WIRE_ID_MAX_BYTES];
	/* extreme values: the writer takes any int64, whatever the clock says */
	const struct proto_result res = {
		.variant = FUZZ_VARIANT, .has_id = req->has_id, .id = req->id,
		.id_len = req->id_len, .seq = req->items - 1, .items = req->items,
		.work_ms = req->work_ms, .t_recv_us = WIRE_TIME_MAX,
		.t_start_us = 0, .t_done_us = INT64_MAX, .t_send_us = INT64_MIN,
		.cpu_us = INT64_MAX, .value = UINT64_MAX,
	};
	const struct reply_field want[] = {
		WANT_STR("op", "result", 6),
		WANT_STR("variant", FUZZ_VARIANT, sizeof(FUZZ_VARIANT) - 1),
		WANT_INT("seq", res.seq), WANT_INT("items", req->items),
		WANT_INT("work_ms", req->work_ms), WANT_INT("t_recv_us", res.t_recv_us),
		WANT_INT("t_start_us", res.t_start_us), WANT_INT("t_done_us", res.t_done_us),
		WANT_INT("t_send_us", res.t_send_us), WANT_INT("cpu_us", res.cpu_us),
		WANT_UINT("value", (uint64_t)WIRE_TIME_MAX), /* masked to 53 bits */
		WANT_STR("id", id, expected_echo(req->id, req->id_len, id, sizeof(id))),
	};

	check_reply(&(struct reply_spec){ .kind = REPLY_RESULT, .result = &res },
		    want, req->has_id ? 12 : 11);
}

static void check_echo_reply(int64_t t_us)
{
	const struct reply_field want[] = {
		WANT_STR("op", "echo", 4), WANT_INT("t_us", t_us),
		WANT_INT("t_server_us", INT64_MIN),
	};

	check_reply(&(struct reply_spec){ .kind = REPLY_ECHO, .t_us = t_us,
					  .t_server_us = INT64_MIN }, want, 3);
}

static void check_stats_reply(int64_t since_us)
{
	const struct stats_summary lag = { .n = SIZE_MAX, .p50 = INT64_MIN,
					   .p99 = 0, .max = INT64_MAX };
	const struct reply_field want[] = {
		WANT_STR("op", "stats", 5),
		WANT_STR("variant", FUZZ_VARIANT, sizeof(FUZZ_VARIANT) - 1),
		WANT_INT("since_us", since_us), WANT_UINT("samples", SIZE_MAX),
		WANT_INT("lag_p50_us", INT64_MIN), WANT_INT("lag_p99_us", 0),
		WANT_INT("lag_max_us", INT64_MAX), WANT_UINT("stalls", UINT64_MAX),
	};

	check_reply(&(struct reply_spec){ .kind = REPLY_STATS, .since_us = since_us,
					  .lag = &lag, .stalls = UINT64_MAX }, want, 8);
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
	CHECK(err->code >= PROTO_ERR_EMPTY && err->code <= PROTO_ERR_ID_SURROGATE);
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
