/*
 * test_badframes.c: input that is bad below sendlab/1, sent to every
 * server variant: fragmented messages, oversized ones (close 1009),
 * WebSocket protocol violations (1002), a flood of 10,000 echo requests
 * read late. (Plain HTTP and the Origin check: test_web.c.) After each the server serves on. The JSON-level catalogue is in
 * test_badinput.c.
 *
 * docs/reliability.md is the table of all of it; keep the two in step.
 */
#include "common/clock.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The error sentences of sendlab/1 (protocol.md) these inputs get. */
#define NOT_JSON "not valid JSON: send one JSON object per text frame, like " \
	"{\"op\":\"echo\",\"t_us\":1}"
#define BINARY "binary frames are not part of sendlab/1: send each JSON object as a text frame"

/* Fragments are joined into one message before parsing: a good request in
 * three fragments is answered; a bad one is answered with its error; a PING
 * between fragments does not disturb the message. */
START_TEST(test_fragmented_messages)
{
	const char *v = tu_variants[_i];
	struct spawned s;
	struct wsc *c;
	struct reply r;
	struct wsc_frame f;

	tu_start(&s, v, NULL);
	c = tu_connect(&s);
	wsc_set_auto_pong(c, 0);
	ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 0, "{\"op\":\"ec", 9) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_PING, 1, "mid", 3) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 0, "ho\",\"t_us\"", 10) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, ":42}", 4) == 0);
	/* lws answers the PING with its payload; whether before or after the
	 * echo is up to its write scheduling, so take them in either order */
	bool ponged = false, echoed = false;

	while (!(ponged && echoed)) {
		char why[200];

		ck_assert_int_eq(wsc_recv(c, &f, TU_IO_MS), 1);
		if (f.opcode == WSC_OP_PONG) {
			ck_assert(!ponged && f.len == 3 && !memcmp(f.data, "mid", 3));
			ponged = true;
			continue;
		}
		ck_assert_msg(!echoed && f.opcode == WSC_OP_TEXT &&
			      reply_parse((char *)f.data, f.len, &r, why, sizeof(why)),
			      "%s: unexpected frame %d", v, f.opcode);
		ck_assert_int_eq(r.op, REPLY_ECHO);
		ck_assert_int_eq(r.v[REPLY_T_US], 42);
		echoed = true;
	}

	ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 0, "hel", 3) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, "lo", 2) == 0);
	tu_assert_error_reply(c, v, "fragmented not-JSON", NOT_JSON);
	ck_assert(wsc_send_frame(c, WSC_OP_BINARY, 0, "{\"op\"", 5) == 0);
	ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, ":\"echo\"}", 8) == 0);
	tu_assert_error_reply(c, v, "fragmented binary", BINARY);
	/* an unasked PONG is ignored */
	ck_assert(wsc_send_frame(c, WSC_OP_PONG, 1, "x", 1) == 0);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/* Sends a text message of exactly n bytes that is a valid echo request. */
static void send_echo_of_size(struct wsc *c, size_t n, int fragments)
{
	const char *head = "{\"op\":\"echo\",\"t_us\":9";
	char *msg = malloc(n + 1);
	size_t h = strlen(head);

	ck_assert_ptr_nonnull(msg);
	memcpy(msg, head, h);
	memset(msg + h, ' ', n - h - 1);
	msg[n - 1] = '}';
	if (fragments == 1) {
		ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 1, msg, n) == 0);
	} else {
		size_t half = n / 2;
		ck_assert(wsc_send_frame(c, WSC_OP_TEXT, 0, msg, half) == 0);
		ck_assert(wsc_send_frame(c, WSC_OP_CONT, 1, msg + half, n - half) == 0);
	}
	free(msg);
}

START_TEST(test_4096_bytes_ok_4097_closes_1009)
{
	struct spawned s;
	struct wsc *c;
	struct reply r;
	/* one frame, two fragments, a 64-bit-length frame */
	const size_t sizes[] = { 4097, 4097, 70000 };
	const int frags[] = { 1, 2, 1 };

	tu_start(&s, tu_variants[_i], NULL);
	c = tu_connect(&s);
	send_echo_of_size(c, 4096, 1);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	send_echo_of_size(c, 4096, 2);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_int_eq(r.op, REPLY_ECHO);
	wsc_close(c, TU_IO_MS);

	for (int i = 0; i < 3; i++) {
		c = tu_connect(&s);
		send_echo_of_size(c, sizes[i], frags[i]);
		tu_assert_closed_with(c, "oversized", 1009, "message larger than 4096 bytes");
		wsc_free(c);
	}
	/* and the server serves on */
	c = tu_connect(&s);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/*
 * Frames that break RFC 6455 itself. lws fails the connection: with a
 * close frame 1002 and its own short reason, or (a control frame too long
 * to be one) by closing TCP. Either way the server serves on. Raw bytes,
 * so the client's own framing cannot tidy them up; masked frames use the
 * all-zero mask, which leaves the payload as written.
 */
static const struct raw_violation {
	const char *name;
	const char *bytes;
	size_t len;
	const char *reason;	/* of the 1002 close; NULL: TCP just closes */
} violations[] = {
	{ "reserved opcode 3", "\x83\x85\0\0\0\0hello", 11, "bad opc" },
	{ "reserved control opcode 11", "\x8b\x80\0\0\0\0", 6, "bad opc" },
	{ "RSV1 without an extension", "\xc1\x85\0\0\0\0hello", 11, "rsv bits" },
	{ "continuation with no message", "\x80\x85\0\0\0\0hello", 11, "bad cont" },
	{ "a new message inside a fragmented one",
	  "\x01\x82\0\0\0\0{\"\x01\x82\0\0\0\0ab", 16, "bad cont" },
	{ "fragmented PING", "\x09\x85\0\0\0\0hello", 11, "frag ctl" },
	{ "close with code 999", "\x88\x82\0\0\0\0\x03\xe7", 8, "" },
	{ "PING of 126 bytes", "\x89\xfe\x00\x7e\0\0\0\0"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 134, NULL },
};

START_TEST(test_protocol_violations_fail_the_connection)
{
	const char *v = tu_variants[_i];
	struct spawned s;
	struct wsc *c;
	struct wsc_frame f;

	tu_start(&s, v, NULL);
	for (size_t k = 0; k < sizeof(violations) / sizeof(violations[0]); k++) {
		const struct raw_violation *b = &violations[k];

		c = tu_connect(&s);
		ck_assert(wsc_send_raw(c, b->bytes, b->len) == 0);
		if (b->reason) {
			tu_assert_closed_with(c, b->name, 1002, b->reason);
		} else {
			int n = wsc_recv(c, &f, TU_IO_MS);

			ck_assert_msg(n == -1, "%s, %s: the connection is still open", v, b->name);
		}
		wsc_free(c);
	}
	/* lws 4.1.6 does not insist that a client masks its frames (RFC 6455
	 * says it must): an unmasked frame is read as if masked, here as
	 * "hello", which is not JSON. Not our rule to enforce; recorded so a
	 * change in lws shows up here. */
	c = tu_connect(&s);
	ck_assert(wsc_send_raw(c, "\x81\x05hello", 7) == 0);
	tu_assert_error_reply(c, v, "unmasked frame", NOT_JSON);
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

/*
 * 10,000 echo requests written as fast as the socket takes them, reading
 * replies only when the socket would block: every one is answered, in
 * order, and the connection then still works. The server's backpressure
 * (it stops reading while replies pile up) must not deadlock with a client
 * that reads late.
 */
#define FLOOD 10000

START_TEST(test_echo_flood_is_answered_in_order)
{
	const char *v = tu_variants[_i];
	struct spawned s;
	struct wsc *c;
	int sent = 0, answered = 0;
	int64_t give_up = clock_now_us() + 60 * 1000000ll;

	tu_start(&s, v, NULL);
	c = tu_connect(&s);
	while (answered < FLOOD) {
		struct pollfd p = { .fd = wsc_fd(c), .events = POLLIN | (sent < FLOOD ? POLLOUT : 0) };
		struct wsc_frame f;
		char why[200];
		struct reply r;

		ck_assert_msg(clock_now_us() < give_up, "%s: %d of %d echoes answered", v,
			      answered, FLOOD);
		ck_assert(poll(&p, 1, 1000) >= 0 || errno == EINTR);
		if (p.revents & POLLOUT) {
			char msg[64];

			snprintf(msg, sizeof(msg), "{\"op\":\"echo\",\"t_us\":%d}", sent++);
			ck_assert_msg(wsc_send_text(c, msg) == 0, "%s: send %d: %s", v, sent,
				      wsc_error(c));
		}
		/* drain what has arrived, including what wsc already buffered */
		while (answered < FLOOD && wsc_recv(c, &f, 0) == 1) {
			ck_assert_int_eq(f.opcode, WSC_OP_TEXT);
			ck_assert_msg(reply_parse((char *)f.data, f.len, &r, why, sizeof(why)),
				      "%s", why);
			ck_assert_int_eq(r.op, REPLY_ECHO);
			ck_assert_int_eq(r.v[REPLY_T_US], answered);
			answered++;
		}
	}
	tu_assert_echo(c);
	wsc_close(c, TU_IO_MS);
	tu_stop_clean(&s);
}
END_TEST

Suite *badframes_suite(void)
{
	Suite *s = suite_create("badframes");
	TCase *tc = tcase_create("frames");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_fragmented_messages, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_4096_bytes_ok_4097_closes_1009, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_protocol_violations_fail_the_connection, 0, TU_NVARIANTS);
	tcase_add_loop_test(tc, test_echo_flood_is_answered_in_order, 0, TU_NVARIANTS);
	suite_add_tcase(s, tc);
	return s;
}
