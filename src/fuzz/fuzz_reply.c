/*
 * fuzz_reply.c: a libFuzzer target for the harness's reply parser
 * (src/harness/reply.c, `make fuzz`).
 *
 * Each input is one frame as a server, honest or hostile, could send it.
 * reply_parse() must never read past the frame, crash or overflow (ASan and
 * UBSan watch), and what it accepts must be what reply.h promises, checked
 * here independently of reply.c:
 *  - the frame is one JSON object: its last byte that is not whitespace
 *    is '}', and its first is '{'; no '#' outside a string (LEJP skips
 *    such "comments", JSON has none);
 *  - the op is one of the four, and every integer field its op requires is
 *    present;
 *  - every present integer is within 0 .. 2^53 - 1, the job's fields within
 *    the protocol's bounds, a result's seq below its items and its stamps
 *    in order, a stats reply's percentiles in order with no more stalls
 *    than samples: so report.c's differences cannot overflow;
 *  - the strings are NUL-terminated inside their buffers.
 * A violated check prints what failed and aborts, so libFuzzer saves the
 * input.
 */
#include "common/wire.h"
#include "harness/reply.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_reply: check failed: %s\n", what);
		abort();
	}
}

static int fuzz_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r;
	char why[200];

	if (size > WIRE_MAX_MESSAGE)
		return 0;
	why[0] = '\0';
	if (!reply_parse((const char *)data, size, &r, why, sizeof(why))) {
		fuzz_check(memchr(why, '\0', sizeof(why)) != NULL && why[0],
			   "a refusal says why");
		return 0;
	}

	size_t first = 0, last = size;

	while (first < size && fuzz_space(data[first]))
		first++;
	while (last > first && fuzz_space(data[last - 1]))
		last--;
	fuzz_check(last > first && data[first] == '{' && data[last - 1] == '}',
		   "an accepted frame is one object and nothing after it");
	for (size_t i = 0, in_string = 0; i < size; i++) {
		if (in_string && data[i] == '\\')
			i++;
		else if (data[i] == '"')
			in_string = !in_string;
		else
			fuzz_check(in_string || data[i] != '#', "no '#' outside strings");
	}
	fuzz_check(memchr(r.variant, '\0', sizeof(r.variant)) != NULL &&
		   memchr(r.error, '\0', sizeof(r.error)) != NULL,
		   "strings are terminated inside their buffers");

	const int64_t *v = r.v;

	for (int f = 0; f < REPLY_INT_COUNT; f++)
		fuzz_check(!r.has[f] || (v[f] >= 0 && v[f] <= WIRE_TIME_MAX),
			   "every integer within 0 .. 2^53 - 1");
	switch (r.op) {
	case REPLY_RESULT:
		for (int f = REPLY_SEQ; f <= REPLY_VALUE; f++)
			fuzz_check(r.has[f], "a result has all its fields");
		fuzz_check(v[REPLY_ITEMS] >= WIRE_ITEMS_MIN && v[REPLY_ITEMS] <= WIRE_ITEMS_MAX &&
			   v[REPLY_WORK_MS] <= WIRE_WORK_MS_MAX && v[REPLY_SEQ] < v[REPLY_ITEMS],
			   "a result's job fields within the protocol");
		fuzz_check(v[REPLY_T_RECV_US] <= v[REPLY_T_START_US] &&
			   v[REPLY_T_START_US] <= v[REPLY_T_DONE_US] &&
			   v[REPLY_T_DONE_US] <= v[REPLY_T_SEND_US],
			   "a result's stamps in order");
		break;
	case REPLY_ECHO:
		fuzz_check(r.has[REPLY_T_US] && r.has[REPLY_T_SERVER_US], "an echo has its fields");
		break;
	case REPLY_STATS:
		for (int f = REPLY_SINCE_US; f <= REPLY_STALLS; f++)
			fuzz_check(r.has[f], "a stats reply has all its fields");
		fuzz_check(v[REPLY_LAG_P50_US] <= v[REPLY_LAG_P99_US] &&
			   v[REPLY_LAG_P99_US] <= v[REPLY_LAG_MAX_US] &&
			   v[REPLY_STALLS] <= v[REPLY_SAMPLES], "stats in order");
		break;
	case REPLY_ERROR:
		break;
	default:
		fuzz_check(0, "the op is one of the four");
	}
	return 0;
}
