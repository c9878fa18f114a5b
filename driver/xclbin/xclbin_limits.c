/*
 * xclbin_limits.c - the kernel limits text: "key=value" lines, as
 * hls/limits_dump.c prints them and USER_METADATA "layerfab_limits"
 * carries them. The writer runs the same parser before it embeds a file,
 * so a bad limits file fails the build, not the first load.
 */
#include <string.h>

#include "driver/xclbin/xclbin_impl.h"

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static int is_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

/* [-]digits or [-]0xhex, within int64_t. */
static int parse_i64(const char *s, size_t n, int64_t *out)
{
	char buf[32];
	uint64_t mag;
	int neg = n > 0 && s[0] == '-';
	if (neg) {
		s++;
		n--;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (lf__xclbin_parse_u64(buf, &mag) != 0)
		return -1;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -1;
		*out =
		    mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)mag;
	}
	return 0;
}

static lf_status parse_line(const char *s, size_t n, unsigned line,
			    struct lf_xclbin *x, struct lf__xerr *e)
{
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return LF_OK;
	const char *eq = memchr(s, '=', n);
	if (!eq)
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "layerfab_limits line %u: no '=' in "
				       "\"%.*s\"",
				       line, (int)(n > 60 ? 60 : n), s);
	size_t klen = (size_t)(eq - s);
	while (klen && is_space(s[klen - 1]))
		klen--;
	const char *v = eq + 1;
	size_t vlen = n - (size_t)(v - s);
	while (vlen && is_space(*v))
		v++, vlen--;
	if (klen == 0 || klen >= LF_XCLBIN_NAME_MAX)
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "layerfab_limits line %u: key must be "
				       "1 to %d characters",
				       line, LF_XCLBIN_NAME_MAX - 1);
	for (size_t i = 0; i < klen; i++)
		if (!is_key_char(s[i]))
			return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
					       "layerfab_limits line %u: "
					       "character 0x%02x in key",
					       line, (unsigned char)s[i]);
	int64_t val;
	if (parse_i64(v, vlen, &val) != 0)
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "layerfab_limits line %u: value "
				       "\"%.*s\" is not a 64-bit integer",
				       line, (int)(vlen > 40 ? 40 : vlen), v);
	for (uint32_t i = 0; i < x->nlimits; i++)
		if (strlen(x->limits[i].key) == klen &&
		    memcmp(x->limits[i].key, s, klen) == 0)
			return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
					       "layerfab_limits line %u: key "
					       "'%s' appears twice",
					       line, x->limits[i].key);
	if (x->nlimits >= LF_XCLBIN_MAX_LIMITS)
		return lf__xclbin_fail(e, LF_ERR_UNSUPPORTED,
				       "layerfab_limits: more than %d keys",
				       LF_XCLBIN_MAX_LIMITS);
	struct lf_xclbin_limit *l = &x->limits[x->nlimits++];
	memcpy(l->key, s, klen);
	l->key[klen] = 0;
	l->value = val;
	return LF_OK;
}

lf_status lf__xclbin_parse_limits(const char *text, size_t len,
				  struct lf_xclbin *x, struct lf__xerr *e)
{
	unsigned line = 1;
	while (len && text[len - 1] == 0)
		len--;
	if (len == 0)
		return LF_OK;
	if (memchr(text, 0, len))
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "layerfab_limits: NUL byte inside the "
				       "text");
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		lf_status st = parse_line(text, n, line, x, e);
		if (st)
			return st;
		if (!nl)
			break;
		text += n + 1;
		len -= n + 1;
		line++;
	}
	return LF_OK;
}
