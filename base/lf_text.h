/*
 * lf_text.h - text that comes from files, made safe to print.
 */
#ifndef LF_BASE_TEXT_H
#define LF_BASE_TEXT_H

#include <stddef.h>

/*
 * lf__text_escape() - copy @in to @out (@cap bytes, always terminated),
 * writing every byte that is not printable text as "\xNN": control bytes
 * other than newline and tab (an ESC would reach the terminal), DEL, and
 * bytes that are not part of a valid UTF-8 sequence. Valid UTF-8 (a tensor
 * named in Chinese) stays as it is. Truncates at a character boundary. Returns
 * @out.
 */
char *lf__text_escape(const char *in, char *out, size_t cap);

/* Whether @in needs escaping (lf__text_escape would change it). */
int lf__text_needs_escape(const char *in);

/* Escape @buf (a message of @cap bytes) in place, as lf__text_escape();
 * the sinks of error messages call it, so every quoted name is covered. */
void lf__text_sanitize(char *buf, size_t cap);

#endif /* LF_BASE_TEXT_H */
