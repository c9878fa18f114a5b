/*
 * spec.c - parsing device selection strings (see driver.h):
 *
 *   spec    = backend [ ":" device ] *( "," key "=" value )
 *   backend = 1*15 [a-z0-9_]
 *   device  = 1*63 [A-Za-z0-9_.:-]   (":" so that a PCIe BDF fits)
 *   key     = 1*31 [a-z0-9_]
 *   value   = 1*63 any printable character except "," and space
 *
 * The parser only splits; what a device name or an option means is the
 * backend's business.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver/core/backend.h"

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_device_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' ||
	       c == '-' || c == '/';
}

static int is_value_char(char c)
{
	return c > ' ' && c < 0x7f && c != ',';
}

/* Copy the run of characters at text[*pos] accepted by ok() into buf. */
static lf_status take(const char *text, size_t *pos, int (*ok)(char), char *buf,
		      size_t cap, const char *what)
{
	size_t start = *pos, n = 0;

	while (ok(text[*pos]))
		(*pos)++;
	n = *pos - start;
	if (n == 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device string \"%s\": expected %s at "
				     "position %zu",
				     text, what, start);
	if (n >= cap)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device string \"%s\": %s at position %zu "
				     "is longer than %zu characters",
				     text, what, start, cap - 1);
	memcpy(buf, text + start, n);
	buf[n] = '\0';
	return LF_OK;
}

lf_status lf__dev_spec_parse(const char *text, struct lf_dev_spec *out)
{
	struct lf_dev_spec s;
	size_t pos = 0;
	lf_status st;

	if (!text || !out)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__dev_spec_parse: NULL argument");
	memset(&s, 0, sizeof(s));
	st = take(text, &pos, is_name_char, s.backend, sizeof(s.backend),
		  "a backend name ([a-z0-9_])");
	if (st != LF_OK)
		return st;
	if (text[pos] == ':') {
		pos++;
		st = take(text, &pos, is_device_char, s.device,
			  sizeof(s.device), "a device name or index");
		if (st != LF_OK)
			return st;
	}
	while (text[pos] == ',') {
		struct lf_dev_opt *o;

		pos++;
		if (s.nopts == LF_DRV_MAX_OPTS)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "device string \"%s\": more than "
					     "%d options",
					     text, LF_DRV_MAX_OPTS);
		o = &s.opts[s.nopts];
		st = take(text, &pos, is_name_char, o->key, sizeof(o->key),
			  "an option name ([a-z0-9_])");
		if (st != LF_OK)
			return st;
		if (text[pos] != '=')
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "device string \"%s\": expected "
					     "'=' after option '%s' at "
					     "position %zu",
					     text, o->key, pos);
		pos++;
		st = take(text, &pos, is_value_char, o->value, sizeof(o->value),
			  "an option value");
		if (st != LF_OK)
			return st;
		for (uint32_t i = 0; i < s.nopts; i++)
			if (strcmp(s.opts[i].key, o->key) == 0)
				return lf__drv_error(LF_ERR_INVALID_ARG,
						     "device string \"%s\": "
						     "option '%s' given twice",
						     text, o->key);
		s.nopts++;
	}
	if (text[pos] != '\0')
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device string \"%s\": unexpected '%c' at "
				     "position %zu",
				     text, text[pos], pos);
	*out = s;
	return LF_OK;
}

lf_status lf__dev_spec_opt_u64(const struct lf_dev_spec *spec, const char *key,
			       uint64_t *out)
{
	const char *v = NULL;
	unsigned long long n;
	char *end;
	unsigned shift = 0;

	if (!spec || !key || !out)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__dev_spec_opt_u64: NULL argument");
	for (uint32_t i = 0; i < spec->nopts; i++)
		if (strcmp(spec->opts[i].key, key) == 0)
			v = spec->opts[i].value;
	if (!v)
		return LF_ERR_NOT_FOUND;
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno != 0)
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		goto bad;
	}
	if (*end != '\0' || (shift && n > (UINT64_MAX >> shift)))
		goto bad;
	*out = (uint64_t)n << shift;
	return LF_OK;
bad:
	return lf__drv_error(LF_ERR_INVALID_ARG,
			     "option %s=%s: expected a number (decimal or 0x "
			     "hex, optional K/M/G suffix) that fits 64 bits",
			     key, v);
}
