/*
 * lf_text.c - see lf_text.h. Error messages quote names read from model
 * and xclbin files; a corrupted file's name bytes must not reach a
 * terminal raw (reliability review 2.5).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/lf_text.h"

/* Length of the valid UTF-8 sequence at @p (1-4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Newline and tab stay: messages may be laid out over lines. */
static int plain(unsigned char c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t';
}

int lf__text_needs_escape(const char *in)
{
	const unsigned char *p = (const unsigned char *)in;

	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0 || (n == 1 && !plain(*p)))
			return 1;
		p += n;
	}
	return 0;
}

char *lf__text_escape(const char *in, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (!cap)
		return out;
	while (*p) {
		size_t n = utf8_len(p);
		char esc[5];
		const char *piece = (const char *)p;
		size_t len = n;

		if (n == 0 || (n == 1 && !plain(*p))) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			piece = esc;
			len = 4;
			n = 1;
		}
		if (o + len >= cap)
			break;
		memcpy(out + o, piece, len);
		o += len;
		p += n;
	}
	out[o] = '\0';
	return out;
}

void lf__text_sanitize(char *buf, size_t cap)
{
	char tmp[2048];

	if (!buf || !cap || !lf__text_needs_escape(buf))
		return;
	lf__text_escape(buf, tmp, cap < sizeof(tmp) ? cap : sizeof(tmp));
	memcpy(buf, tmp, strlen(tmp) + 1);
}
