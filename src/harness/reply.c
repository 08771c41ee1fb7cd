/*
 * reply.c: LEJP parsing of server replies, checked against what each op
 * must carry.
 */
#include "harness/reply.h"

#include "common/wire.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LEJP paths: the integer fields first (enum reply_int order), then the
 * strings. path_match is index + 1. */
static const char *const reply_paths[] = {
	"seq", "items", "work_ms", "t_recv_us", "t_start_us", "t_done_us",
	"t_send_us", "value", "t_us", "t_server_us", "since_us", "samples",
	"lag_p50_us", "lag_p99_us", "lag_max_us", "stalls", "cpu_us",
	"op", "variant", "error",
};
enum { REPLY_P_OP = REPLY_INT_COUNT, REPLY_P_VARIANT, REPLY_P_ERROR };

struct reply_parse {
	struct reply *r;
	char op[16];
	size_t op_len, variant_len, error_len;
	bool bad_number;	/* an integer field held something else */
	const char *bad_field;
};

static void reply_append(char *dst, size_t cap, size_t *len, const char *src,
			 size_t n)
{
	size_t room = cap - 1 - *len;

	if (n > room)
		n = room;
	memcpy(dst + *len, src, n);
	*len += n;
	dst[*len] = '\0';
}

static signed char reply_lejp_cb(struct lejp_ctx *ctx, char reason)
{
	struct reply_parse *p = ctx->user;
	int idx = ctx->path_match - 1;

	/* only the top-level key itself, not values nested below it */
	if (idx < 0 || strcmp(ctx->path, reply_paths[idx]))
		return 0;
	if (idx < REPLY_INT_COUNT) {
		if (reason == LEJPCB_VAL_NUM_INT) {
			errno = 0;
			p->r->v[idx] = strtoll(ctx->buf, NULL, 10);
			p->r->has[idx] = errno == 0;
			if (errno) {
				p->bad_number = true;
				p->bad_field = reply_paths[idx];
			}
		} else if (reason & LEJP_FLAG_CB_IS_VALUE || reason == LEJPCB_VAL_STR_START) {
			p->bad_number = true;
			p->bad_field = reply_paths[idx];
		}
		return 0;
	}
	if (reason != LEJPCB_VAL_STR_CHUNK && reason != LEJPCB_VAL_STR_END)
		return 0;
	if (idx == REPLY_P_OP)
		reply_append(p->op, sizeof(p->op), &p->op_len, ctx->buf, ctx->npos);
	else if (idx == REPLY_P_VARIANT)
		reply_append(p->r->variant, sizeof(p->r->variant), &p->variant_len,
			     ctx->buf, ctx->npos);
	else if (idx == REPLY_P_ERROR)
		reply_append(p->r->error, sizeof(p->r->error), &p->error_len,
			     ctx->buf, ctx->npos);
	return 0;
}

/* Which integer fields each op must carry (a result's cpu_us is optional:
 * the harness records -1 when a server does not send it). */
static const enum reply_int reply_need_result[] = {
	REPLY_SEQ, REPLY_ITEMS, REPLY_WORK_MS, REPLY_T_RECV_US, REPLY_T_START_US,
	REPLY_T_DONE_US, REPLY_T_SEND_US, REPLY_VALUE,
};
static const enum reply_int reply_need_echo[] = { REPLY_T_US, REPLY_T_SERVER_US };
static const enum reply_int reply_need_stats[] = {
	REPLY_SINCE_US, REPLY_SAMPLES, REPLY_LAG_P50_US, REPLY_LAG_P99_US,
	REPLY_LAG_MAX_US, REPLY_STALLS,
};

/* Each op, and the integer fields it must carry (an error, none). */
static const struct {
	const char *name;
	enum reply_op op;
	const enum reply_int *need;
	size_t n_need;
} reply_ops[] = {
	{ "result", REPLY_RESULT, reply_need_result, LWS_ARRAY_SIZE(reply_need_result) },
	{ "echo", REPLY_ECHO, reply_need_echo, LWS_ARRAY_SIZE(reply_need_echo) },
	{ "stats", REPLY_STATS, reply_need_stats, LWS_ARRAY_SIZE(reply_need_stats) },
	{ "error", REPLY_ERROR, NULL, 0 },
};

static bool reply_require(const struct reply *r, const enum reply_int *need,
			  size_t n, char *why, size_t whycap)
{
	for (size_t i = 0; i < n; i++)
		if (!r->has[need[i]]) {
			snprintf(why, whycap, "reply lacks integer field \"%s\"",
				 reply_paths[need[i]]);
			return false;
		}
	return true;
}

/* The range of integer field f: the protocol's bounds for the job's
 * fields; every other one is a count or a CLOCK_MONOTONIC stamp in us,
 * from 0 to 2^53 - 1 (what every JSON reader holds exactly). So no value
 * that passes can overflow the differences report.c takes. */
static void reply_range(enum reply_int f, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = WIRE_TIME_MAX;
	if (f == REPLY_SEQ)
		*max = WIRE_ITEMS_MAX - 1;
	else if (f == REPLY_ITEMS)
		*min = WIRE_ITEMS_MIN, *max = WIRE_ITEMS_MAX;
	else if (f == REPLY_WORK_MS)
		*max = WIRE_WORK_MS_MAX;
}

/* Every present integer in range, and what each op's fields promise of
 * each other: a result's seq below its items and its stamps in the order
 * things happened; a stats reply's percentiles in order and no more stalls
 * than samples. */
static bool reply_check_values(const struct reply *r, char *why, size_t whycap)
{
	for (int f = 0; f < REPLY_INT_COUNT; f++) {
		int64_t min, max;

		reply_range((enum reply_int)f, &min, &max);
		if (r->has[f] && (r->v[f] < min || r->v[f] > max)) {
			snprintf(why, whycap, "reply field \"%s\" is %lld, outside %lld..%lld",
				 reply_paths[f], (long long)r->v[f], (long long)min,
				 (long long)max);
			return false;
		}
	}

	const int64_t *v = r->v;

	if (r->op == REPLY_RESULT) {
		if (v[REPLY_SEQ] >= v[REPLY_ITEMS]) {
			snprintf(why, whycap, "result seq %lld of a job of %lld items",
				 (long long)v[REPLY_SEQ], (long long)v[REPLY_ITEMS]);
			return false;
		}
		if (!(v[REPLY_T_RECV_US] <= v[REPLY_T_START_US] &&
		      v[REPLY_T_START_US] <= v[REPLY_T_DONE_US] &&
		      v[REPLY_T_DONE_US] <= v[REPLY_T_SEND_US])) {
			snprintf(why, whycap, "result stamps out of order: t_recv_us "
				 "<= t_start_us <= t_done_us <= t_send_us must hold");
			return false;
		}
	}
	if (r->op == REPLY_STATS &&
	    (v[REPLY_LAG_P50_US] > v[REPLY_LAG_P99_US] ||
	     v[REPLY_LAG_P99_US] > v[REPLY_LAG_MAX_US] ||
	     v[REPLY_STALLS] > v[REPLY_SAMPLES])) {
		snprintf(why, whycap, "stats out of order: lag_p50_us <= lag_p99_us "
			 "<= lag_max_us and stalls <= samples must hold");
		return false;
	}
	return true;
}

/* LEJP skips '#' comments, which JSON does not have (the server refuses
 * them too, proto_parse.c): the offset of a '#' outside every string, or
 * -1. A backslash inside a string escapes the next byte. */
static long reply_comment_at(const char *msg, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		if (in_string && msg[i] == '\\')
			i++;
		else if (msg[i] == '"')
			in_string = !in_string;
		else if (!in_string && msg[i] == '#')
			return (long)i;
	}
	return -1;
}

/* Feeds msg to LEJP one byte at a time, so the object's end has a place:
 * returns LEJP's verdict, and in *end the bytes it took. */
static int reply_lejp(struct lejp_ctx *ctx, const char *msg, size_t len, size_t *end)
{
	int n = LEJP_CONTINUE;
	size_t i;

	for (i = 0; i < len && n == LEJP_CONTINUE; i++)
		n = lejp_parse(ctx, (const unsigned char *)msg + i, 1);
	*end = i;
	return n;
}

bool reply_parse(const char *msg, size_t len, struct reply *r, char *why,
		 size_t whycap)
{
	struct reply_parse p = { .r = r };
	struct lejp_ctx ctx;
	size_t end;

	memset(r, 0, sizeof(*r));

	long hash = reply_comment_at(msg, len);

	if (hash >= 0) {
		snprintf(why, whycap, "reply is not JSON: a '#' at byte %ld (JSON has "
			 "no comments)", hash);
		return false;
	}
	lejp_construct(&ctx, reply_lejp_cb, &p, reply_paths,
		       (unsigned char)LWS_ARRAY_SIZE(reply_paths));
	int n = reply_lejp(&ctx, msg, len, &end);
	lejp_destruct(&ctx);

	if (n < 0) {
		snprintf(why, whycap, "reply is not a JSON object (%s)",
			 n == LEJP_CONTINUE ? "truncated" : lejp_error_to_string(n));
		return false;
	}
	while (end < len && strchr(" \t\r\n", msg[end]) && msg[end])
		end++;
	if (end < len) {
		snprintf(why, whycap, "reply has %zu bytes after its JSON object",
			 len - end);
		return false;
	}
	if (p.bad_number) {
		snprintf(why, whycap, "reply field \"%s\" is not an integer",
			 p.bad_field);
		return false;
	}
	for (size_t i = 0; i < LWS_ARRAY_SIZE(reply_ops); i++)
		if (!strcmp(p.op, reply_ops[i].name)) {
			r->op = reply_ops[i].op;
			return reply_require(r, reply_ops[i].need, reply_ops[i].n_need,
					     why, whycap) &&
			       reply_check_values(r, why, whycap);
		}
	snprintf(why, whycap, "reply has unknown op \"%s\"", p.op);
	return false;
}
