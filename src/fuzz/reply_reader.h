/*
 * reply_reader.h: the fuzz target's strict reader of the server's replies
 * (src/fuzz/fuzz_proto.c). It reads RFC 8259 JSON of the shape json.h
 * promises, one flat object of strings and integers, and rejects anything
 * else. It shares no code with the writer (json.c) or the request parser
 * (LEJP), so the two cannot agree on a mistake. Pure functions: any thread.
 */
#ifndef SENDLAB_REPLY_READER_H
#define SENDLAB_REPLY_READER_H

#include "common/wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLY_FIELDS_MAX 16

struct reply_field {
	const char *key;
	size_t key_len;
	bool is_string;
	const char *str;	/* is_string: decoded, in the arena */
	size_t str_len;
	bool negative;		/* otherwise: the integer */
	uint64_t magnitude;
};

/* A reply as the reader saw it. Decoding never makes JSON text longer, so
 * the arena for decoded keys and strings needs no more room than the text. */
struct reply {
	const char *text;
	size_t len, pos;
	size_t count;
	struct reply_field field[REPLY_FIELDS_MAX];
	char arena[WIRE_REPLY_MAX];
	size_t used;
};

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0 if there is
 * none. Written from the Unicode standard's table 3-7 (the allowed byte
 * ranges), not like json.c's decode-and-check, so the two can disagree.
 */
size_t utf8_wellformed_len(const unsigned char *s, size_t n);

/* JSON's whitespace: space, tab, newline, carriage return. */
bool is_json_ws(char c);

/* Reads text[0..len) as one flat object into *r (its strings decoded, no
 * key twice, every value a string of well-formed UTF-8 or an integer of at
 * most 64 bits of magnitude); false if it is anything else. */
bool reply_read(struct reply *r, const char *text, size_t len);

/* The field named key[0..key_len), or NULL. */
const struct reply_field *reply_find(const struct reply *r, const char *key,
				     size_t key_len);

#endif
