/*
 * conn.c: one connection of the harness, a client's or the bystander's,
 * as lws sees it: opening it (and, when that fails, finding out why),
 * sending a text frame, assembling the replies and handing each whole one
 * to the run (run.c), and telling a closing the run asked for from one it
 * did not. Everything here runs on the harness's one lws thread.
 */
#include "common/clock.h"
#include "harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How messages name connection c: "main connection" when there is one
 * client (the words the harness always used), "connection of client N"
 * when there are more, "bystander connection". */
const char *conn_name(const struct conn *c, char *buf, size_t cap)
{
	if (c->role == ROLE_BYSTANDER)
		return "bystander connection";
	if (H.a.clients == 1)
		return "main connection";
	snprintf(buf, cap, "connection of client %d", c->client);
	return buf;
}

/* A prefix naming the client for failures that concern one client's
 * connection: "" when there is one client (its messages stay as they
 * were), "client N: " when there are more. */
const char *conn_who(const struct conn *c, char *buf, size_t cap)
{
	if (c->role == ROLE_BYSTANDER || H.a.clients == 1)
		return "";
	snprintf(buf, cap, "client %d: ", c->client);
	return buf;
}

/* Which step of opening a connection is still missing, or NULL if it is
 * open: lws gives no callback between TCP connect and the upgrade request,
 * so CLIENT_APPEND_HANDSHAKE_HEADER marks the TCP connection as made. */
const char *conn_waiting_for(const struct conn *c)
{
	if (c->established)
		return NULL;
	if (!c->tcp_connected)
		return "the TCP connection";
	return "the WebSocket upgrade (TCP connected; the server has not "
	       "answered the HTTP upgrade request)";
}

/* Sends one text frame now; false if c is not open, the frame is too
 * long, or the socket is choked (the frame is then not sent at all). */
bool conn_send(struct conn *c, const char *json, size_t len)
{
	unsigned char buf[LWS_PRE + 128];

	if (!c->wsi || len > sizeof(buf) - LWS_PRE || lws_send_pipe_choked(c->wsi))
		return false;
	memcpy(buf + LWS_PRE, json, len);
	return lws_write(c->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT) >= (int)len;
}

/*
 * lws reports a failed connection in vague words ("Unable to connect"). On
 * that failure path only, try a plain TCP connect (bounded by 1 s) to name
 * the real cause: "Connection refused", "No route to host", ...
 */
static void conn_tcp_diagnosis(char *buf, size_t cap)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char port[8];

	snprintf(port, sizeof(port), "%d", H.a.port);
	int rc = getaddrinfo(H.a.host, port, &hints, &ai);
	if (rc) {
		snprintf(buf, cap, "cannot resolve the host: %s", gai_strerror(rc));
		return;
	}

	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	int err = 0;

	if (fd < 0) {
		err = errno;
	} else {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			err = errno;
		} else {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			socklen_t len = sizeof(err);

			if (poll(&p, 1, 1000) != 1)
				err = ETIMEDOUT;
			else
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		}
		close(fd);
	}
	freeaddrinfo(ai);
	if (err)
		snprintf(buf, cap, "TCP connect failed: %s (is the server "
			 "running there?)", strerror(err));
	else
		snprintf(buf, cap, "TCP connects, but the WebSocket handshake "
			 "failed");
}

static void conn_on_connection_error(const char *lws_why)
{
	char why[200];

	if (lws_why && strstr(lws_why, "not 101"))
		snprintf(why, sizeof(why), "the server answered HTTP but refused "
			 "the WebSocket upgrade (%s): wrong path, or not a sendlab "
			 "server?", lws_why);
	else
		conn_tcp_diagnosis(why, sizeof(why));
	run_fail("cannot connect: %s", why);
}

/* Starts opening c to --url; CLIENT_ESTABLISHED or a connection error
 * follows. */
void conn_connect(struct conn *c)
{
	struct lws_client_connect_info i;
	char host_header[300];

	snprintf(host_header, sizeof(host_header), "%s:%d", H.a.host, H.a.port);
	memset(&i, 0, sizeof(i));
	i.context = H.ctx;
	i.address = H.a.host;
	i.port = H.a.port;
	i.path = H.a.path;
	i.host = host_header;
	/* No Origin: the harness is not a browser page, and a server lets a
	 * page in only from its own origin (core/origin.h), which a harness
	 * behind build/delayproxy or on another host would not match. */
	i.protocol = WIRE_SUBPROTOCOL;
	i.local_protocol_name = "sendlab-harness";
	i.userdata = c;
	i.pwsi = &c->wsi;
	c->tcp_connected = false;
	c->established = false;
	c->rx_len = 0;
	if (!lws_client_connect_via_info(&i) && !H.done)
		conn_on_connection_error(NULL);
}

/* Asks lws to close c (if open) from the loop; CLIENT_CLOSED follows. */
void conn_close(struct conn *c)
{
	if (c->wsi)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static bool conn_all_established(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (!H.clients[k].established)
			return false;
	return !H.a.bystander_ms || H.bystander.established;
}

static bool conn_all_closed(void)
{
	for (int k = 0; k < H.a.clients; k++)
		if (H.clients[k].wsi)
			return false;
	return !H.bystander.wsi;
}

/* Keeps the close code and reason of a close frame from the server, so the
 * failure can say what the server said. */
static void conn_note_close_frame(struct conn *c, const void *in, size_t len)
{
	const unsigned char *p = in;
	size_t n = 0;

	if (!c || len < 2)
		return;
	c->close_code = p[0] << 8 | p[1];
	for (size_t i = 2; i < len && n < sizeof(c->close_reason) - 1; i++)
		c->close_reason[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	c->close_reason[n] = '\0';
}

/* A connection closed before the run was over: a close frame means the
 * server chose to end it; none means the TCP connection just went (the
 * server crashed or was killed, or the network failed). */
static void conn_on_unexpected_close(const struct conn *c)
{
	char name[48], what[200];
	const char *which = conn_name(c, name, sizeof(name));

	run_waiting_for(what, sizeof(what));
	/* lws 4.1's client rewrites close codes it does not know (1012 to
	 * 2999, such as the servers' 1013 "server full") to 1002 before we
	 * see them: say so rather than blame a protocol error */
	const char *code_note = c->close_code == LWS_CLOSE_STATUS_PROTOCOL_ERR
		? " or a code libwebsockets does not know, such as 1013" : "";

	if (c->close_code)
		run_fail("the server closed the %s (close code %d%s%s%s) "
			 "while we waited for %s", which, c->close_code, code_note,
			 c->close_reason[0] ? ": " : "", c->close_reason, what);
	else
		run_fail("the %s dropped without a close frame (did "
			 "the server crash or get killed?) while we waited for %s",
			 which, what);
}

/* A fragment of a frame on c, which arrived at now: assembles it and hands
 * a whole frame to the run. -1 (close the connection) on a frame the
 * harness cannot take. */
static int conn_on_receive(struct lws *wsi, struct conn *c, const void *in,
			   size_t len, int64_t now)
{
	if (lws_frame_is_binary(wsi)) {
		run_fail("the server sent a binary frame");
		return -1;
	}
	if (len > sizeof(c->rx) - c->rx_len) {
		run_fail("reply larger than %zu bytes", sizeof(c->rx));
		return -1;
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	run_on_frame(c, c->rx, c->rx_len, now);
	c->rx_len = 0;
	return 0;
}

static int conn_callback(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	struct conn *c = user;
	/* Stamp first: everything below is bookkeeping after the arrival. */
	int64_t now = clock_now_us();

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c)
			c->wsi = NULL;
		conn_on_connection_error(in);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		/* the TCP connection is up; lws is writing the upgrade request */
		if (c)
			c->tcp_connected = true;
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = true;
		if (H.phase == PH_CONNECTING && conn_all_established())
			run_begin_sync();
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return conn_on_receive(wsi, c, in, len, now);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		conn_note_close_frame(c, in, len);
		return 0;	/* lws answers the close */
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->wsi = NULL;
		if (H.phase != PH_CLOSING)
			conn_on_unexpected_close(c);
		else if (conn_all_closed())
			run_on_all_closed();
		return 0;
	default:
		break;
	}
	return 0;
}

const struct lws_protocols conn_protocols[] = {
	{ .name = "sendlab-harness", .callback = conn_callback,
	  .rx_buffer_size = WIRE_MAX_MESSAGE },
	LOOPTIMER_PROTOCOL,	/* the echo timer's */
	{ .name = NULL }
};
