/*
 * wsclient.h: a minimal, independent RFC 6455 WebSocket client for the
 * integration tests and the lab grader.
 *
 * It deliberately does not use libwebsockets: the servers are built on lws,
 * so a client built on lws could share its bugs and its blind spots. This
 * one is plain POSIX sockets + poll(), small enough to read in one sitting,
 * and strict about what the server sends (a masked server frame, a bad
 * opcode or a malformed close is an error, not something smoothed over).
 *
 * Every wait is bounded, so a hung server fails a test instead of hanging
 * it. One struct wsc belongs to one thread; there is no global state, so it
 * is safe in Check's forked test children.
 */
#ifndef SENDLAB_WSCLIENT_H
#define SENDLAB_WSCLIENT_H

#include <stddef.h>
#include <stdint.h>

/* The largest message wsc_recv reassembles; a bigger one is an error.
 * A build may raise it for one program (build/tests/liveshot receives
 * screenshots); the tests keep 64 KB, each client holding two buffers of it. */
#ifndef WSC_MAX_MESSAGE
#define WSC_MAX_MESSAGE (64 * 1024)
#endif

/* Opcodes (RFC 6455 section 5.2). */
#define WSC_OP_CONT 0
#define WSC_OP_TEXT 1
#define WSC_OP_BINARY 2
#define WSC_OP_CLOSE 8
#define WSC_OP_PING 9
#define WSC_OP_PONG 10

struct wsc;	/* opaque */

/*
 * One received message or control frame.
 * data points into a buffer owned by the struct wsc and stays valid until
 * the next wsc_recv on it (or until it is freed). It is always
 * NUL-terminated, so a text message can be used as a C string.
 * For a close frame, data/len are the reason text (without the two code
 * bytes) and close_code the status code (0 if the frame had no payload).
 * t_arrive_us is CLOCK_MONOTONIC (clock_now_us()) taken when the read that
 * completed the frame returned.
 */
struct wsc_frame {
	int opcode;
	unsigned char *data;
	size_t len;
	int close_code;
	int64_t t_arrive_us;
};

/*
 * Connects to 127.0.0.1:port, does the HTTP upgrade for `path` (e.g. "/")
 * asking for subprotocol `subprotocol` (NULL = send no
 * Sec-WebSocket-Protocol header). Every wait is bounded by timeout_ms, which
 * also becomes the bound of every later send (see wsc_set_io_timeout).
 * Returns NULL and writes a one-line reason into err on failure (refused,
 * non-101 status with its status line, timeout, bad Sec-WebSocket-Accept, a
 * subprotocol in the reply that was not asked for).
 */
struct wsc *wsc_connect(int port, const char *path, const char *subprotocol,
			int timeout_ms, char *err, size_t errcap);

/*
 * Sends one client-masked frame (fresh random mask) with the given opcode
 * and FIN bit; payload of any length (7-, 16- or 64-bit length field as
 * needed). The opcode is not checked, so tests can send invalid ones.
 * Returns 0, or -1 (peer gone, or timeout: the I/O timeout bounds the whole
 * frame). After a -1 every later send fails at once (part of a frame may
 * have gone out), but wsc_recv still works, e.g. to read the server's close.
 */
int wsc_send_frame(struct wsc *c, int opcode, int fin, const void *payload,
		   size_t len);

/* One FIN text frame. Returns as wsc_send_frame. */
int wsc_send_text(struct wsc *c, const char *text);

/*
 * Writes raw bytes to the socket, unframed (for malformed-frame tests).
 * Bounded by the I/O timeout. Returns 0 or -1.
 */
int wsc_send_raw(struct wsc *c, const void *buf, size_t len);

/*
 * Receives the next message or control frame into *f, waiting at most
 * timeout_ms. Returns 1 (got one), 0 (timeout: a partly received frame or
 * message is kept for the next call), or -1 (closed, reset, or a protocol
 * error by the server; the reason is in wsc_error, and every later call
 * returns -1 too).
 * Fragmented messages are reassembled; control frames interleaved in them
 * are returned on their own without disturbing the message. With auto_pong
 * on (the default) a PING is answered with a PONG carrying its payload and
 * counted, but not returned; with it off, PINGs are returned (and counted).
 */
int wsc_recv(struct wsc *c, struct wsc_frame *f, int timeout_ms);

void wsc_set_auto_pong(struct wsc *c, int on);
int wsc_pings_seen(const struct wsc *c);

/* Changes the bound of every later send (default: connect's timeout_ms). */
void wsc_set_io_timeout(struct wsc *c, int timeout_ms);

/* The subprotocol the server chose ("" if its reply named none). */
const char *wsc_subprotocol(const struct wsc *c);

/* Hard reset: SO_LINGER {1,0} then close, so the server sees a TCP RST
 * rather than a FIN. Frees c. */
void wsc_reset(struct wsc *c);

/*
 * Polite close: sends a close frame (1000) unless one was already sent,
 * waits up to timeout_ms for the server's close frame (discarding any data
 * before it) and then for the server to close TCP, then closes the socket.
 * Frees c. Use wsc_recv first if the server's close frame itself matters.
 */
void wsc_close(struct wsc *c, int timeout_ms);

/* Frees without any handshake (plain close(2)). NULL is allowed. */
void wsc_free(struct wsc *c);

/* The last error, one line ("" if none). */
const char *wsc_error(const struct wsc *c);

/* The socket (blocking, close-on-exec), e.g. for shutdown(2) or poll. */
int wsc_fd(const struct wsc *c);

/*
 * Computes the Sec-WebSocket-Accept value for a Sec-WebSocket-Key:
 * base64(SHA-1(key + the RFC 6455 GUID)). out must hold 29 bytes (28
 * characters and a NUL). Exposed so a test can check it against RFC 6455's
 * example.
 */
void wsc_accept_for_key(const char *key, char out[29]);

#endif
