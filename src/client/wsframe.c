/*
 * wsframe.c: the client's frame codec (see wsclient_impl.h): client frames
 * masked and sent, server frames parsed strictly (a masked server frame, a
 * bad opcode or a malformed close is an error), fragmented messages
 * reassembled, PINGs answered.
 */
#include "client/wsclient_impl.h"

#include <string.h>

/* A parsed frame header; payload points into c->in. */
struct wsc_hdr {
	int fin;
	int opcode;
	const unsigned char *payload;
	size_t len;
};

int wsc_send_frame(struct wsc *c, int opcode, int fin, const void *payload,
		   size_t len)
{
	const unsigned char *p = payload;
	int64_t deadline = wsc_deadline(c->io_timeout_ms);
	uint64_t m = wsc_splitmix(&c->rng);
	unsigned char mask[4], buf[16384];
	size_t fill = 0, off = 0;

	for (int i = 0; i < 4; i++)
		mask[i] = (unsigned char)(m >> (8 * i));

	buf[fill++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (len < 126) {
		buf[fill++] = (unsigned char)(0x80 | len);
	} else if (len <= 0xffff) {
		buf[fill++] = 0x80 | 126;
		buf[fill++] = (unsigned char)(len >> 8);
		buf[fill++] = (unsigned char)len;
	} else {
		buf[fill++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			buf[fill++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(buf + fill, mask, 4);
	fill += 4;

	/* Mask chunk by chunk into buf, header in the first chunk, so a small
	 * frame leaves in one send() (one TCP segment) and a huge one needs no
	 * allocation. */
	do {
		size_t n = len - off;

		if (n > sizeof(buf) - fill)
			n = sizeof(buf) - fill;
		for (size_t i = 0; i < n; i++)
			buf[fill + i] = p[off + i] ^ mask[(off + i) & 3];
		fill += n;
		off += n;
		if (wsc_write_all(c, buf, fill, deadline) < 0)
			return -1;
		fill = 0;
	} while (off < len);

	if ((opcode & 0x0f) == WSC_OP_CLOSE)
		c->close_sent = 1;
	return 0;
}

int wsc_send_text(struct wsc *c, const char *text)
{
	return wsc_send_frame(c, WSC_OP_TEXT, 1, text, strlen(text));
}

int wsc_send_raw(struct wsc *c, const void *buf, size_t len)
{
	return wsc_write_all(c, buf, len, wsc_deadline(c->io_timeout_ms));
}

/*
 * Decodes the payload length of the frame header at p (avail bytes) into
 * *len and the header's size without a mask into *need. Returns 1, 0 more
 * bytes needed, or -1 a length that is not minimally encoded or has the
 * top bit set (RFC 6455 5.2).
 */
static int wsc_parse_len(struct wsc *c, const unsigned char *p, size_t avail,
			 uint64_t *len, size_t *need)
{
	*need = 2;
	*len = p[1] & 0x7f;
	if (*len == 126) {
		*need = 4;
		if (avail < *need)
			return 0;
		*len = (uint64_t)p[2] << 8 | p[3];
		if (*len < 126) {
			wsc_errf(c, "server frame length %u not minimally "
				 "encoded", (unsigned)*len);
			return -1;
		}
	} else if (*len == 127) {
		*need = 10;
		if (avail < *need)
			return 0;
		*len = 0;
		for (int i = 2; i < 10; i++)
			*len = *len << 8 | p[i];
		if (*len >> 63 || *len <= 0xffff) {
			wsc_errf(c, "server frame 64-bit length %llu invalid or "
				 "not minimally encoded", (unsigned long long)*len);
			return -1;
		}
	}
	return 1;
}

/* Is opcode known, and its length within bounds (a data frame fits in
 * msg[], a control frame is unfragmented and short)? 0 yes, -1 no. */
static int wsc_check_opcode(struct wsc *c, const struct wsc_hdr *h, uint64_t len)
{
	switch (h->opcode) {
	case WSC_OP_CONT:
	case WSC_OP_TEXT:
	case WSC_OP_BINARY:
		if (len > WSC_MAX_MESSAGE) {
			wsc_errf(c, "server frame of %llu bytes: over the "
				 "client's %d-byte limit",
				 (unsigned long long)len, WSC_MAX_MESSAGE);
			return -1;
		}
		return 0;
	case WSC_OP_CLOSE:
	case WSC_OP_PING:
	case WSC_OP_PONG:
		if (!h->fin || len > WSC_CTRL_MAX) {
			wsc_errf(c, "server control frame (opcode %d) %s",
				 h->opcode, !h->fin ? "fragmented" :
				 "longer than 125 bytes");
			return -1;
		}
		return 0;
	default:
		wsc_errf(c, "server frame with reserved opcode %d", h->opcode);
		return -1;
	}
}

/*
 * Parses one complete frame at in[in_off] into *h and consumes it. Returns
 * 1 done, 0 more bytes needed, -1 the server broke RFC 6455 (reason in
 * c->err). Checks everything checkable from the header alone, before the
 * payload arrives, so an oversized frame fails at once.
 */
static int wsc_parse(struct wsc *c, struct wsc_hdr *h)
{
	const unsigned char *p = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off, need;
	uint64_t len;
	int r;

	if (avail < 2)
		return 0;
	if (p[0] & 0x70) {
		wsc_errf(c, "server frame with RSV bits set (byte 0x%02x)", p[0]);
		return -1;
	}
	if (p[1] & 0x80) {
		wsc_errf(c, "server frame is masked (RFC 6455 5.1 forbids it)");
		return -1;
	}
	h->fin = p[0] >> 7;
	h->opcode = p[0] & 0x0f;
	r = wsc_parse_len(c, p, avail, &len, &need);
	if (r <= 0)
		return r;
	if (wsc_check_opcode(c, h, len) < 0)
		return -1;
	if (avail - need < len)
		return 0;
	h->payload = p + need;
	h->len = (size_t)len;
	c->in_off += need + (size_t)len;
	return 1;
}


/* Copies a control frame into ctrl[] and describes it in *f. Returns 1, or
 * -1 for a close frame with a 1-byte payload (RFC 6455 5.5.1). */
static int wsc_control(struct wsc *c, const struct wsc_hdr *h,
		       struct wsc_frame *f)
{
	const unsigned char *p = h->payload;
	size_t len = h->len;

	f->opcode = h->opcode;
	f->t_arrive_us = c->last_read_us;
	if (h->opcode == WSC_OP_CLOSE) {
		if (len == 1) {
			wsc_errf(c, "server close frame with a 1-byte payload");
			return -1;
		}
		if (len >= 2) {
			f->close_code = p[0] << 8 | p[1];
			p += 2;
			len -= 2;
		}
		c->close_received = 1;
	}
	memcpy(c->ctrl, p, len);
	c->ctrl[len] = '\0';
	f->data = c->ctrl;
	f->len = len;
	return 1;
}


/* Adds a data frame to the message in msg[]: the first of a message, or a
 * continuation. Returns 1 the message is complete (described in *f), 0 more
 * fragments to come, -1 the server broke the fragmentation rules. */
static int wsc_assemble(struct wsc *c, const struct wsc_hdr *h,
			struct wsc_frame *f)
{
	if (h->opcode != WSC_OP_CONT) {
		if (c->msg_active) {
			wsc_errf(c, "new data frame (opcode %d) inside a "
				 "fragmented message", h->opcode);
			return -1;
		}
		c->msg_active = 1;
		c->msg_opcode = h->opcode;
		c->msg_len = 0;
	} else if (!c->msg_active) {
		wsc_errf(c, "continuation frame with no message to continue");
		return -1;
	}
	if (h->len > WSC_MAX_MESSAGE - c->msg_len) {
		wsc_errf(c, "server message over the client's %d-byte limit",
			 WSC_MAX_MESSAGE);
		return -1;
	}
	memcpy(c->msg + c->msg_len, h->payload, h->len);
	c->msg_len += h->len;
	if (!h->fin)
		return 0;

	c->msg_active = 0;
	c->msg[c->msg_len] = '\0';
	f->opcode = c->msg_opcode;
	f->data = c->msg;
	f->len = c->msg_len;
	f->t_arrive_us = c->last_read_us;
	return 1;
}

int wsc_recv(struct wsc *c, struct wsc_frame *f, int timeout_ms)
{
	int64_t deadline = wsc_deadline(timeout_ms);
	struct wsc_hdr h;

	memset(f, 0, sizeof(*f));
	if (c->broken)
		return -1;
	for (;;) {
		int r = wsc_parse(c, &h);

		if (r < 0)
			goto broken;
		if (r == 0) {
			r = wsc_fill(c, deadline);
			if (r < 0)
				goto broken;
			if (r == 0)
				return 0;	/* partial frame stays in in[] */
			continue;
		}

		if (h.opcode == WSC_OP_PING) {
			c->pings_seen++;
			if (!c->auto_pong)
				return wsc_control(c, &h, f);
			if (wsc_send_frame(c, WSC_OP_PONG, 1, h.payload, h.len) < 0)
				goto broken;
			continue;
		}
		if (h.opcode == WSC_OP_PONG || h.opcode == WSC_OP_CLOSE) {
			if (wsc_control(c, &h, f) < 0)
				goto broken;
			return 1;
		}
		r = wsc_assemble(c, &h, f);
		if (r < 0)
			goto broken;
		if (r == 1)
			return 1;
	}
broken:
	c->broken = 1;
	return -1;
}
