/*
 * tlsecho.c: build/tests/tlsecho, a WebSocket echo server over TLS that
 * exists only for the integration tests (test_wsprobe_fail.c: wsprobe and
 * wss://). Not a lab server and not for any other use.
 *
 *   tlsecho --cert CERT.pem --key KEY.pem [--port N]
 *
 * Listens on 127.0.0.1 (port 0, the default, is the kernel's choice),
 * prints "listening on wss://127.0.0.1:PORT/" once ready, echoes every text
 * message, answers PINGs (lws does), and exits 0 on SIGTERM or SIGINT.
 */
#include "common/cli.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define TLSECHO_MSG_MAX 65536
#define TLSECHO_TICK_US 100000	/* how often the loop looks at the stop flag */

static volatile sig_atomic_t tlsecho_stop;
static lws_sorted_usec_list_t tlsecho_tick;
static struct lws_context *tlsecho_ctx;

static void tlsecho_on_signal(int sig)
{
	tlsecho_stop = sig;
}

struct tlsecho_session {
	unsigned char buf[LWS_PRE + TLSECHO_MSG_MAX];
	size_t len;
};

/* A timer, so the loop wakes to see the flag even if no client talks. */
static void tlsecho_on_tick(lws_sorted_usec_list_t *sul)
{
	lws_sul_schedule(tlsecho_ctx, 0, sul, tlsecho_on_tick, TLSECHO_TICK_US);
}

static int tlsecho_callback(struct lws *wsi, enum lws_callback_reasons reason,
			    void *user, void *in, size_t len)
{
	struct tlsecho_session *s = user;	/* zeroed by lws: len starts at 0 */

	if (reason == LWS_CALLBACK_RECEIVE) {
		if (s->len + len > TLSECHO_MSG_MAX || lws_frame_is_binary(wsi))
			return -1;	/* the tests send short text only */
		memcpy(s->buf + LWS_PRE + s->len, in, len);
		s->len += len;
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		/* a test server: lws buffers what the socket cannot take */
		if (lws_write(wsi, s->buf + LWS_PRE, s->len, LWS_WRITE_TEXT) < (int)s->len)
			return -1;
		s->len = 0;
	}
	return 0;
}

static const struct lws_protocols tlsecho_protocols[] = {
	{ .name = "echo", .callback = tlsecho_callback,
	  .per_session_data_size = sizeof(struct tlsecho_session),
	  .rx_buffer_size = TLSECHO_MSG_MAX },
	{ .name = NULL }
};

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL;
	int port = 0;
	bool bad = argc % 2 == 0;	/* an option without its value */

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cert"))
			cert = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			key = argv[i + 1];
		else if (strcmp(argv[i], "--port") || !cli_int(argv[i + 1], 0, 65535, &port))
			bad = true;	/* an unknown option or a bad port */
	}
	if (bad || !cert || !key) {
		fprintf(stderr, "usage: tlsecho --cert CERT.pem --key KEY.pem [--port N]\n");
		return 2;
	}

	struct sigaction sa = { .sa_handler = tlsecho_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);

	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = "127.0.0.1";
	info.protocols = tlsecho_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.ssl_cert_filepath = cert;
	info.ssl_private_key_filepath = key;
	tlsecho_ctx = lws_create_context(&info);

	struct lws_vhost *vh = tlsecho_ctx ? lws_get_vhost_by_name(tlsecho_ctx, "default") : NULL;

	port = vh ? lws_get_vhost_listen_port(vh) : -1;
	if (port <= 0) {
		fprintf(stderr, "tlsecho: cannot listen with %s and %s on 127.0.0.1\n", cert, key);
		if (tlsecho_ctx)
			lws_context_destroy(tlsecho_ctx);
		return 1;
	}
	lws_sul_schedule(tlsecho_ctx, 0, &tlsecho_tick, tlsecho_on_tick, TLSECHO_TICK_US);
	printf("listening on wss://127.0.0.1:%d/\n", port);
	fflush(stdout);
	while (!tlsecho_stop && lws_service(tlsecho_ctx, 0) >= 0)
		;
	lws_sul_cancel(&tlsecho_tick);
	lws_context_destroy(tlsecho_ctx);
	return 0;
}
