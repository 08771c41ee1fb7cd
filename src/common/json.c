/*
 * json.c: the bounded flat-object writer declared in json.h.
 */
#include "common/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void json_put(struct json_writer *w, const char *s, size_t n)
{
	if (w->overflow || w->len + n + 1 > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void json_puts(struct json_writer *w, const char *s)
{
	json_put(w, s, strlen(s));
}

void json_begin(struct json_writer *w, char *buf, size_t cap)
{
	*w = (struct json_writer){ .buf = buf, .cap = cap, .empty = true };
	if (cap == 0) {
		w->overflow = true;
		return;
	}
	buf[0] = '\0';
	json_puts(w, "{");
}

static void json_key(struct json_writer *w, const char *key)
{
	if (!w->empty)
		json_puts(w, ",");
	w->empty = false;
	json_puts(w, "\"");
	json_puts(w, key);
	json_puts(w, "\":");
}

void json_int(struct json_writer *w, const char *key, int64_t value)
{
	char num[24];

	json_key(w, key);
	snprintf(num, sizeof(num), "%" PRId64, value);
	json_puts(w, num);
}

void json_uint(struct json_writer *w, const char *key, uint64_t value)
{
	char num[24];

	json_key(w, key);
	snprintf(num, sizeof(num), "%" PRIu64, value);
	json_puts(w, num);
}

void json_str(struct json_writer *w, const char *key, const char *value,
	      size_t len)
{
	json_key(w, key);
	json_puts(w, "\"");
	json_escape(w, value, len);
	json_puts(w, "\"");
}

size_t json_end(struct json_writer *w)
{
	json_puts(w, "}");
	return w->overflow ? 0 : w->len;
}

size_t json_utf8_seq_len(const unsigned char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;

	size_t need;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 (overlong), or > 0xf4 */
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000))
		return 0; /* overlong */
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0; /* UTF-16 surrogate */
	if (cp > 0x10ffff)
		return 0;
	return need;
}

void json_escape(struct json_writer *w, const char *value, size_t len)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t i = 0;

	while (i < len && !w->overflow) {
		unsigned char c = s[i];
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			json_put(w, esc, 2);
			i++;
		} else if (c < 0x20) {
			const char *named = NULL;

			switch (c) {
			case '\b': named = "\\b"; break;
			case '\f': named = "\\f"; break;
			case '\n': named = "\\n"; break;
			case '\r': named = "\\r"; break;
			case '\t': named = "\\t"; break;
			default: break;
			}
			if (named) {
				json_puts(w, named);
			} else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				json_puts(w, esc);
			}
			i++;
		} else if (c < 0x80) {
			json_put(w, (const char *)&s[i], 1);
			i++;
		} else {
			size_t n = json_utf8_seq_len(s + i, len - i);

			if (n) {
				json_put(w, (const char *)&s[i], n);
				i += n;
			} else {
				json_puts(w, "\\ufffd");
				i++;
			}
		}
	}
}
