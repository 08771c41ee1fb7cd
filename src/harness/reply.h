/*
 * reply.h: parse a frame the server sent (result, echo, stats, error).
 *
 * The harness trusts nothing: every frame is parsed with LEJP into fixed
 * fields, and a frame that is not a well-formed sendlab/1 reply is reported
 * as such rather than guessed at. Pure; any thread.
 */
#ifndef SENDLAB_REPLY_H
#define SENDLAB_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reply_op { REPLY_RESULT, REPLY_ECHO, REPLY_STATS, REPLY_ERROR };

/* Integer fields, in the order reply.c's LEJP path table lists them. */
enum reply_int {
	REPLY_SEQ, REPLY_ITEMS, REPLY_WORK_MS, REPLY_T_RECV_US, REPLY_T_START_US,
	REPLY_T_DONE_US, REPLY_T_SEND_US, REPLY_VALUE, REPLY_T_US,
	REPLY_T_SERVER_US, REPLY_SINCE_US, REPLY_SAMPLES, REPLY_LAG_P50_US,
	REPLY_LAG_P99_US, REPLY_LAG_MAX_US, REPLY_STALLS,
	REPLY_CPU_US,		/* result, optional: a server that predates it,
				   or a foreign one, may not say */
	REPLY_INT_COUNT
};

#define REPLY_TEXT_MAX 320

struct reply {
	enum reply_op op;
	char variant[32];		/* result, stats */
	char error[REPLY_TEXT_MAX];	/* error: the server's sentence */
	int64_t v[REPLY_INT_COUNT];	/* integer fields by enum reply_int */
	bool has[REPLY_INT_COUNT];	/* which of them were present */
};

/*
 * Parses msg[0..len). Returns true and fills *r when it is a JSON object
 * with a known "op" and every integer field that op requires; otherwise
 * returns false with a one-line reason in why[0..whycap).
 */
bool reply_parse(const char *msg, size_t len, struct reply *r, char *why,
		 size_t whycap);

#endif
