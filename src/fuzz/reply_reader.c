/*
 * reply_reader.c: a strict reader of the server's replies, for the fuzz
 * target (reply_reader.h says what it accepts). A recursive descent over
 * one flat object; strings are decoded into an arena in struct reply, so
 * the target can compare them byte for byte with what was sent.
 */
#include "fuzz/reply_reader.h"

#include <string.h>

size_t utf8_wellformed_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
	size_t need;

	if (n == 0)
		return 0;
	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

bool is_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool reply_eat(struct reply *r, char c)
{
	while (r->pos < r->len && is_json_ws(r->text[r->pos]))
		r->pos++;
	if (r->pos < r->len && r->text[r->pos] == c) {
		r->pos++;
		return true;
	}
	return false;
}

/* Decoding never makes JSON text longer, so this never fails; if it does,
 * that reasoning was wrong and the reply is not read. */
static bool reply_put(struct reply *r, const void *p, size_t n)
{
	if (r->used + n > sizeof(r->arena))
		return false;
	memcpy(r->arena + r->used, p, n);
	r->used += n;
	return true;
}

static bool reply_hex4(struct reply *r, unsigned *out)
{
	*out = 0;
	for (int k = 0; k < 4; k++, r->pos++) {
		char c = r->pos < r->len ? r->text[r->pos] : '\0';
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d == 16)
			return false;
		*out = *out << 4 | d;
	}
	return true;
}

/* The code point of a \u escape (r->pos just past the 'u'), pairing
 * surrogates; false for a lone surrogate, which UTF-8 cannot hold. */
static bool reply_unicode_escape(struct reply *r, unsigned *cp)
{
	unsigned low;

	if (!reply_hex4(r, cp) || (*cp >= 0xdc00 && *cp <= 0xdfff))
		return false;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return true;
	if (r->len - r->pos < 2 || memcmp(r->text + r->pos, "\\u", 2))
		return false;
	r->pos += 2;
	if (!reply_hex4(r, &low) || low < 0xdc00 || low > 0xdfff)
		return false;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
	return true;
}

static bool reply_put_utf8(struct reply *r, unsigned cp)
{
	unsigned char b[4];
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0x00, 0xc0, 0xe0, 0xf0 };

	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		b[i] = (unsigned char)(0x80 | (cp & 0x3f));
	b[0] = (unsigned char)(lead[n] | cp);
	return reply_put(r, b, n);
}

/* A JSON string, decoded into the arena. */
static bool reply_string(struct reply *r, const char **out, size_t *out_len)
{
	static const char escapes[] = "\"\\/bfnrt", meanings[] = "\"\\/\b\f\n\r\t";

	if (!reply_eat(r, '"'))
		return false;
	*out = r->arena + r->used;
	size_t start = r->used;

	while (r->pos < r->len) {
		const unsigned char *s = (const unsigned char *)r->text + r->pos;
		size_t left = r->len - r->pos, k;
		const char *simple;
		unsigned cp;

		if (s[0] == '"') {
			r->pos++;
			*out_len = r->used - start;
			return true;
		}
		if (s[0] < 0x20)
			return false; /* control characters must be escaped */
		if (s[0] != '\\') {
			k = utf8_wellformed_len(s, left);
			if (!k || !reply_put(r, s, k))
				return false;
			r->pos += k;
			continue;
		}
		if (left < 2 || s[1] == '\0')
			return false;
		r->pos += 2;
		if ((simple = strchr(escapes, s[1]))) {
			if (!reply_put(r, &meanings[simple - escapes], 1))
				return false;
		} else if (s[1] != 'u' || !reply_unicode_escape(r, &cp) ||
			   !reply_put_utf8(r, cp)) {
			return false;
		}
	}
	return false; /* unterminated */
}

/* An integer: RFC 8259's -?(0|[1-9][0-9]*) with no fraction or exponent
 * (json.h writes only integers), and at most 64 bits of magnitude. */
static bool reply_integer(struct reply *r, struct reply_field *f)
{
	f->negative = r->pos < r->len && r->text[r->pos] == '-';
	r->pos += f->negative;
	size_t first = r->pos;

	f->magnitude = 0;
	while (r->pos < r->len && r->text[r->pos] >= '0' && r->text[r->pos] <= '9') {
		unsigned d = (unsigned)(r->text[r->pos++] - '0');

		if (f->magnitude > (UINT64_MAX - d) / 10)
			return false;
		f->magnitude = f->magnitude * 10 + d;
	}
	if (r->pos == first || (r->text[first] == '0' && r->pos - first > 1))
		return false; /* no digits, or a leading zero */
	return r->pos == r->len || (r->text[r->pos] != '.' &&
				    r->text[r->pos] != 'e' && r->text[r->pos] != 'E');
}

const struct reply_field *reply_find(const struct reply *r,
					    const char *key, size_t key_len)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->field[i].key_len == key_len &&
		    !memcmp(r->field[i].key, key, key_len))
			return &r->field[i];
	return NULL;
}

bool reply_read(struct reply *r, const char *text, size_t len)
{
	*r = (struct reply){ .text = text, .len = len };
	if (!reply_eat(r, '{'))
		return false;
	if (!reply_eat(r, '}')) {
		do {
			struct reply_field f;

			if (r->count == REPLY_FIELDS_MAX ||
			    !reply_string(r, &f.key, &f.key_len) || !reply_eat(r, ':') ||
			    reply_find(r, f.key, f.key_len))
				return false;
			while (r->pos < r->len && is_json_ws(r->text[r->pos]))
				r->pos++;
			f.is_string = r->pos < r->len && r->text[r->pos] == '"';
			if (f.is_string ? !reply_string(r, &f.str, &f.str_len)
					: !reply_integer(r, &f))
				return false;
			r->field[r->count++] = f;
		} while (reply_eat(r, ','));
		if (!reply_eat(r, '}'))
			return false;
	}
	while (r->pos < r->len && is_json_ws(r->text[r->pos]))
		r->pos++;
	return r->pos == r->len;
}

