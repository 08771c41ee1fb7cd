/*
 * relay.h: one direction of the delay proxy: a bounded FIFO of timed
 * chunks. Bytes read at time t are pushed with the time they become due
 * (t + D); the writer asks how many bytes at the head are due now, writes
 * them, and pops what the kernel took.
 *
 * Pure: no clock, no sockets; the caller passes every time in. Bounded
 * twice, both fixed at relay_init: at most cap bytes (a ring allocated
 * once) and at most cap / RELAY_BYTES_PER_CHUNK chunk records (a ring of
 * due times), so neither tiny writes nor a fast sender can make it grow.
 */
#ifndef SENDLAB_RELAY_H
#define SENDLAB_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A chunk is one read(). Records cost 16 bytes each; one per 64 bytes of
 * capacity lets a sender's writes average 64 bytes before the records,
 * not the bytes, fill up (then the queue reports no space: back-pressure
 * comes early, nothing is lost). */
#define RELAY_BYTES_PER_CHUNK 64
#define RELAY_MIN_CHUNKS 16

struct relay_chunk {
	int64_t due_us;		/* not to be written before this time */
	size_t len;		/* bytes of this chunk still queued */
};

struct relay {
	unsigned char *buf;	/* ring of cap bytes */
	size_t cap, head, len;	/* head: first queued byte; len: bytes queued */
	struct relay_chunk *chunks; /* ring of nchunks records */
	size_t nchunks, chead, clen;
	size_t peak;		/* the most bytes ever queued at once */
};

/* Allocates the rings for cap bytes (cap >= 1). Returns false (and leaves
 * *q freeable) if memory is short. */
bool relay_init(struct relay *q, size_t cap);

/* Frees the rings; safe on a zeroed or already freed queue. */
void relay_free(struct relay *q);

/* How many bytes relay_push accepts now: 0 when the bytes or the chunk
 * records are full. */
size_t relay_space(const struct relay *q);

/* Appends data[0..len) as one chunk due at due_us. len must be in
 * [1, relay_space(q)] and due_us no earlier than the last chunk's (times
 * from one monotonic clock plus one fixed delay are): returns false and
 * changes nothing otherwise. */
bool relay_push(struct relay *q, const void *data, size_t len, int64_t due_us);

/* The head chunk's due time in *due_us; false when the queue is empty. */
bool relay_next_due(const struct relay *q, int64_t *due_us);

/* The bytes at the head that are due at now_us (every chunk with
 * due_us <= now_us, from the head on) and contiguous in the ring: *data
 * points at them, the count is returned (0: nothing due). Bytes that wrap
 * around the ring's end come on the next call, after relay_pop. */
size_t relay_due(const struct relay *q, int64_t now_us, const unsigned char **data);

/* Drops the first n queued bytes (what a write took), n <= relay_queued:
 * whole chunks go, the last one may be left partly written. */
void relay_pop(struct relay *q, size_t n);

/* Bytes queued now, the capacity, and the most ever queued at once. */
size_t relay_queued(const struct relay *q);
size_t relay_cap(const struct relay *q);
size_t relay_peak(const struct relay *q);

#endif
