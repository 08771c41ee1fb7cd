/*
 * json.h: a bounded writer for flat JSON objects.
 *
 * Every frame sendlab sends is one flat JSON object of integers and strings,
 * so this is all the JSON output the project needs: no allocation, no
 * nesting, a fixed caller-owned buffer, and strings escaped so that whatever
 * bytes a client sent (quotes, backslashes, control characters, invalid
 * UTF-8) come back as valid JSON. Parsing is done elsewhere, with LEJP.
 */
#ifndef SENDLAB_JSON_H
#define SENDLAB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_writer {
	char *buf;	/* caller's buffer */
	size_t cap;	/* its size in bytes */
	size_t len;	/* bytes written so far (excluding the NUL) */
	bool empty;	/* no field written yet: the next one needs no comma */
	bool overflow;	/* something did not fit: the result is unusable */
};

/* Starts an object ("{") in buf[0..cap). */
void json_begin(struct json_writer *w, char *buf, size_t cap);

/* Appends "key":value. Keys are trusted literals and are not escaped. */
void json_int(struct json_writer *w, const char *key, int64_t value);
void json_uint(struct json_writer *w, const char *key, uint64_t value);

/* Appends "key":"value", escaping value[0..len) (which may hold any bytes). */
void json_str(struct json_writer *w, const char *key, const char *value,
	      size_t len);

/* Closes the object and NUL-terminates it. Returns its length, or 0 if
 * anything overflowed the buffer (nothing partial is ever reported as OK). */
size_t json_end(struct json_writer *w);

/*
 * Appends value[0..len) to w as a JSON string body (no quotes): '"' and '\'
 * escaped, control characters as \n, \t ... or \u00XX, valid UTF-8 copied as
 * is, and each byte that is not part of a valid UTF-8 sequence (overlong
 * forms, surrogates and code points over U+10FFFF included) replaced by
 * \ufffd. Worst case 6 output bytes per input byte.
 */
void json_escape(struct json_writer *w, const char *value, size_t len);

/* Length of the valid UTF-8 sequence starting at s[0..len), or 0 if s does
 * not start with one. */
size_t json_utf8_seq_len(const unsigned char *s, size_t len);

#endif
