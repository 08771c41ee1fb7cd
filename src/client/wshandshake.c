/*
 * wshandshake.c: the client's side of the RFC 6455 opening handshake (see
 * wsclient_impl.h): a fresh random key, the HTTP upgrade request, and a
 * strict check of the reply, its Sec-WebSocket-Accept computed here with
 * just enough SHA-1 and base64.
 */
#include "client/wsclient_impl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WSC_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WSC_HTTP_MAX 8192	/* the upgrade reply's headers must fit */

/* ---- SHA-1 (FIPS 180-4) and base64: just enough for the handshake ---- */

static uint32_t wsc_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void wsc_sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = wsc_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = wsc_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = wsc_rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

/* One-shot SHA-1 of len bytes: whole blocks straight from data, then the
 * tail, the 0x80 pad byte and the 64-bit bit count in one or two blocks. */
static void wsc_sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			  0xc3d2e1f0 };
	const unsigned char *p = data;
	size_t full = len / 64 * 64, rest = len - full;
	size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	unsigned char tail[128];

	for (size_t i = 0; i < full; i += 64)
		wsc_sha1_block(h, p + i);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	for (size_t i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tail_len; i += 64)
		wsc_sha1_block(h, tail + i);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* Standard padded base64; out needs 4 * ceil(len / 3) + 1 bytes. */
static void wsc_base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Keys longer than 200 characters are truncated (ours are 24). */
void wsc_accept_for_key(const char *key, char out[29])
{
	char buf[256];
	unsigned char digest[20];
	int n = snprintf(buf, sizeof(buf), "%.200s" WSC_GUID, key);

	wsc_sha1(buf, (size_t)n, digest);
	wsc_base64(digest, sizeof(digest), out);
}

/* Offset just past the "\r\n\r\n" ending the headers, or 0 if not there. */
static size_t wsc_header_end(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* Strips spaces and tabs from both ends, in place. */
static char *wsc_trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Does the comma-separated header value list contain token (any case)? */
static int wsc_has_token(char *list, const char *token)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (!strcasecmp(wsc_trim(t), token))
			return 1;
	return 0;
}

/*
 * Checks the upgrade reply in hdr (NUL-terminated, headers only): status
 * 101, Upgrade and Connection, the accept value, no extension (we offered
 * none) and no subprotocol we did not ask for. Modifies hdr.
 */
static int wsc_check_reply(struct wsc *c, char *hdr, const char *key,
			   const char *subprotocol)
{
	char expect[29], *save = NULL, *line;
	int upgrade = 0, connection = 0, accepted = 0;

	line = strtok_r(hdr, "\r\n", &save);
	if (!line || strncmp(line, "HTTP/1.1 101", 12) ||
	    (line[12] != ' ' && line[12] != '\0')) {
		wsc_errf(c, "upgrade refused: \"%.200s\"", line ? line : "");
		return -1;
	}
	wsc_accept_for_key(key, expect);

	while ((line = strtok_r(NULL, "\r\n", &save))) {
		char *colon = strchr(line, ':'), *value;

		if (!colon)
			continue;
		*colon = '\0';
		value = wsc_trim(colon + 1);
		if (!strcasecmp(line, "Upgrade")) {
			upgrade = !strcasecmp(value, "websocket");
		} else if (!strcasecmp(line, "Connection")) {
			connection = wsc_has_token(value, "upgrade");
		} else if (!strcasecmp(line, "Sec-WebSocket-Accept")) {
			if (strcmp(value, expect)) {
				wsc_errf(c, "bad Sec-WebSocket-Accept \"%.40s\" "
					 "(expected \"%s\")", value, expect);
				return -1;
			}
			accepted = 1;
		} else if (!strcasecmp(line, "Sec-WebSocket-Protocol")) {
			snprintf(c->subprotocol, sizeof(c->subprotocol), "%s",
				 value);
		} else if (!strcasecmp(line, "Sec-WebSocket-Extensions")) {
			wsc_errf(c, "server chose extensions \"%.60s\" that the "
				 "client did not offer", value);
			return -1;
		}
	}
	if (!upgrade || !connection || !accepted) {
		wsc_errf(c, "101 reply without %s",
			 !upgrade ? "\"Upgrade: websocket\"" :
			 !connection ? "\"Connection: Upgrade\"" :
				       "Sec-WebSocket-Accept");
		return -1;
	}
	/* RFC 6455 4.1: a subprotocol the client did not ask for fails the
	 * connection. Asking and getting none back is allowed. */
	if (c->subprotocol[0] &&
	    (!subprotocol || strcmp(c->subprotocol, subprotocol))) {
		wsc_errf(c, "server chose subprotocol \"%s\" but the client "
			 "asked for %s%s%s", c->subprotocol,
			 subprotocol ? "\"" : "none", subprotocol ? subprotocol : "",
			 subprotocol ? "\"" : "");
		return -1;
	}
	return 0;
}


/* Writes a fresh Sec-WebSocket-Key into key and sends the upgrade request
 * asking for it. Returns 0 or -1. */
static int wsc_send_upgrade(struct wsc *c, int port, const char *path,
			    const char *subprotocol, char key[25], int64_t deadline)
{
	unsigned char raw[16];
	char req[1024];
	int n;

	wsc_random(raw, sizeof(raw));
	wsc_base64(raw, sizeof(raw), key);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\n"
		     "%s%s%s"
		     "\r\n",
		     path, port, key,
		     subprotocol ? "Sec-WebSocket-Protocol: " : "",
		     subprotocol ? subprotocol : "", subprotocol ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(req)) {
		wsc_errf(c, "path or subprotocol too long");
		return -1;
	}
	return wsc_write_all(c, req, (size_t)n, deadline);
}

/* Reads until the blank line that ends the reply's headers. Returns their
 * length with it (at most WSC_HTTP_MAX), or 0 on failure. Anything after
 * it is already frames (a server may send right away) and stays in in[]
 * for wsc_recv. */
static size_t wsc_read_reply(struct wsc *c, int64_t deadline)
{
	size_t end;

	while (!(end = wsc_header_end(c->in, c->in_len))) {
		int r;

		if (c->in_len >= WSC_HTTP_MAX)
			break;
		r = wsc_fill(c, deadline);
		if (r == 0) {
			wsc_errf(c, "timed out waiting for the upgrade reply "
				 "(%zu bytes received)", c->in_len);
			return 0;
		}
		if (r < 0) {
			char why[sizeof(c->err)];

			memcpy(why, c->err, sizeof(why));
			wsc_errf(c, "during the upgrade (%zu bytes received): %s",
				 c->in_len, why);
			return 0;
		}
	}
	if (!end || end > WSC_HTTP_MAX) {
		wsc_errf(c, "upgrade reply headers longer than %d bytes",
			 WSC_HTTP_MAX);
		return 0;
	}
	return end;
}

int wsc_handshake(struct wsc *c, int port, const char *path,
		  const char *subprotocol, int64_t deadline)
{
	char key[25], hdr[WSC_HTTP_MAX + 1];
	size_t end;

	if (wsc_send_upgrade(c, port, path, subprotocol, key, deadline) < 0)
		return -1;
	end = wsc_read_reply(c, deadline);
	if (!end)
		return -1;
	memcpy(hdr, c->in, end);
	hdr[end] = '\0';
	c->in_off = end;
	return wsc_check_reply(c, hdr, key, subprotocol);
}
