/*
 * relay.c: the bounded FIFO of timed chunks declared in relay.h.
 */
#include "proxy/relay.h"

#include <stdlib.h>
#include <string.h>

bool relay_init(struct relay *q, size_t cap)
{
	size_t n = cap / RELAY_BYTES_PER_CHUNK;

	memset(q, 0, sizeof(*q));
	if (cap == 0)
		return false;
	if (n < RELAY_MIN_CHUNKS)
		n = RELAY_MIN_CHUNKS;
	/* malloc, not calloc: a ring of 256 KiB is mmapped and its pages are
	 * only touched (made resident) as bytes arrive */
	q->buf = malloc(cap);
	q->chunks = malloc(n * sizeof(*q->chunks));
	if (!q->buf || !q->chunks) {
		relay_free(q);
		return false;
	}
	q->cap = cap;
	q->nchunks = n;
	return true;
}

void relay_free(struct relay *q)
{
	free(q->buf);
	free(q->chunks);
	q->buf = NULL;
	q->chunks = NULL;
	q->cap = q->len = q->head = 0;
	q->nchunks = q->clen = q->chead = 0;
}

size_t relay_space(const struct relay *q)
{
	return q->clen == q->nchunks ? 0 : q->cap - q->len;
}

bool relay_push(struct relay *q, const void *data, size_t len, int64_t due_us)
{
	if (len == 0 || len > relay_space(q))
		return false;
	if (q->clen > 0) {
		const struct relay_chunk *last =
			&q->chunks[(q->chead + q->clen - 1) % q->nchunks];

		/* relay_due relies on the due chunks being a prefix */
		if (due_us < last->due_us)
			return false;
	}

	size_t tail = (q->head + q->len) % q->cap;
	size_t first = q->cap - tail < len ? q->cap - tail : len;

	memcpy(q->buf + tail, data, first);
	memcpy(q->buf, (const unsigned char *)data + first, len - first);
	q->len += len;
	q->chunks[(q->chead + q->clen) % q->nchunks] =
		(struct relay_chunk){ .due_us = due_us, .len = len };
	q->clen++;
	if (q->len > q->peak)
		q->peak = q->len;
	return true;
}

bool relay_next_due(const struct relay *q, int64_t *due_us)
{
	if (q->clen == 0)
		return false;
	*due_us = q->chunks[q->chead].due_us;
	return true;
}

size_t relay_due(const struct relay *q, int64_t now_us, const unsigned char **data)
{
	size_t due = 0, contiguous = q->cap - q->head;

	*data = q->buf;
	if (q->clen == 0)
		return 0;
	for (size_t i = 0; i < q->clen && due < contiguous; i++) {
		const struct relay_chunk *c = &q->chunks[(q->chead + i) % q->nchunks];

		if (c->due_us > now_us)
			break;
		due += c->len;
	}
	*data += q->head;
	return due < contiguous ? due : contiguous;
}

void relay_pop(struct relay *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	if (n == 0)
		return;		/* also: no modulo by the 0 cap of a freed queue */
	q->head = (q->head + n) % q->cap;
	q->len -= n;
	while (n > 0) {
		struct relay_chunk *c = &q->chunks[q->chead];
		size_t take = n < c->len ? n : c->len;

		c->len -= take;
		n -= take;
		if (c->len == 0) {
			q->chead = (q->chead + 1) % q->nchunks;
			q->clen--;
		}
	}
	if (q->len == 0)
		q->head = 0;	/* an empty ring starts over: fewer wrapped writes */
}

size_t relay_queued(const struct relay *q)
{
	return q->len;
}

size_t relay_cap(const struct relay *q)
{
	return q->cap;
}

size_t relay_peak(const struct relay *q)
{
	return q->peak;
}
