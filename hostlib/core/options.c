/*
 * options.c - lf_options: per-context and per-model settings that
 * override the LAYERFAB_* environment (include/layerfab.h, "Options").
 * Setters check their value at once; lf_options_set() parses the text
 * forms the variables take, so both say the same about a bad value.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/core/options.h"
#include "hostlib/exec/exec.h"

int lf__onoff(const char *v)
{
	static const char *const yes[] = {"on", "1", "yes", "true"};
	static const char *const no[] = {"off", "0", "no", "false"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

lf_status lf_options_create(lf_options **out)
{
	if (!out)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_create: out is NULL");
	lf_options *o = calloc(1, sizeof(*o));
	if (!o)
		return lf__err(0, LF_ERR_NO_MEMORY,
			       "lf_options_create: no memory");
	o->fallback = -1;
	o->trust_xclbin = -1;
	*out = o;
	return LF_OK;
}

void lf_options_destroy(lf_options *o)
{
	free(o);
}

static lf_status null_opts(const char *fn)
{
	return lf__err(0, LF_ERR_INVALID_ARG, "%s: o is NULL", fn);
}

lf_status lf_options_set_fallback(lf_options *o, lf_fallback f)
{
	if (!o)
		return null_opts("lf_options_set_fallback");
	if (f != LF_FALLBACK_ON && f != LF_FALLBACK_OFF)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_set_fallback: %d is neither "
			       "LF_FALLBACK_ON (1) nor LF_FALLBACK_OFF (0)",
			       (int)f);
	o->fallback = f == LF_FALLBACK_ON;
	return LF_OK;
}

lf_status lf_options_set_timeout_ms(lf_options *o, unsigned ms)
{
	if (!o)
		return null_opts("lf_options_set_timeout_ms");
	if (ms < 1 || ms > LF__MAX_TIMEOUT_MS)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_set_timeout_ms: %u ms is not from 1 "
			       "to %u",
			       ms, LF__MAX_TIMEOUT_MS);
	o->timeout_ms = ms;
	return LF_OK;
}

lf_status lf_options_set_cpu_threads(lf_options *o, unsigned n)
{
	if (!o)
		return null_opts("lf_options_set_cpu_threads");
	if (n < 1 || n > LF__MAX_CPU_THREADS)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_set_cpu_threads: %u threads, not "
			       "from 1 to %d",
			       n, LF__MAX_CPU_THREADS);
	o->cpu_threads = n;
	return LF_OK;
}

lf_status lf_options_set_trust_xclbin(lf_options *o, int on)
{
	if (!o)
		return null_opts("lf_options_set_trust_xclbin");
	if (on != 0 && on != 1)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_set_trust_xclbin: %d is neither 0 "
			       "(only this library's kernel builds) nor 1 (any "
			       "bitstream's code)",
			       on);
	o->trust_xclbin = on;
	return LF_OK;
}

lf_status lf_options_set_memory_limit(lf_options *o, uint64_t bytes)
{
	if (!o)
		return null_opts("lf_options_set_memory_limit");
	o->mem_limit = bytes;
	return LF_OK;
}

/* A whole decimal number, with a K/M/G suffix (powers of 1024) when
 * @suffix; -1 for anything else or an overflow. */
static int parse_u64(const char *v, int suffix, uint64_t *out)
{
	uint64_t n = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == v)
		return -1;
	if (suffix && *p) {
		int sh = *p == 'K' ? 10 : *p == 'M' ? 20 : *p == 'G' ? 30 : 0;
		if (!sh || p[1] || n > (UINT64_MAX >> sh))
			return -1;
		n <<= sh;
		p++;
	}
	if (*p)
		return -1;
	*out = n;
	return 0;
}

lf_status lf_options_set(lf_options *o, const char *key, const char *value)
{
	if (!o || !key || !value)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_options_set: %s is NULL",
			       !o     ? "o"
			       : !key ? "key"
				      : "value");
	uint64_t n = 0;
	int num = parse_u64(value, 0, &n) == 0;
	if (strcmp(key, "fallback") == 0) {
		int on = lf__onoff(value);
		if (on < 0)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_options_set: fallback=\"%.32s\" is "
				       "neither on (on, 1, yes, true) nor off "
				       "(off, 0, no, false)",
				       value);
		o->fallback = on;
		return LF_OK;
	}
	if (strcmp(key, "timeout_ms") == 0) {
		if (!num || n < 1 || n > LF__MAX_TIMEOUT_MS)
			return lf__err(
			    0, LF_ERR_INVALID_ARG,
			    "lf_options_set: timeout_ms=\"%.32s\" is "
			    "not a whole number of milliseconds "
			    "from 1 to %u",
			    value, LF__MAX_TIMEOUT_MS);
		o->timeout_ms = (unsigned)n;
		return LF_OK;
	}
	if (strcmp(key, "cpu_threads") == 0) {
		if (!num || n < 1 || n > LF__MAX_CPU_THREADS)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_options_set: cpu_threads=\"%.32s\" "
				       "is not a whole number from 1 to %d",
				       value, LF__MAX_CPU_THREADS);
		o->cpu_threads = (unsigned)n;
		return LF_OK;
	}
	if (strcmp(key, "trust_xclbin") == 0) {
		if (!num || n > 1)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_options_set: trust_xclbin=\"%.32s\" "
				       "is neither 0 nor 1",
				       value);
		o->trust_xclbin = (int)n;
		return LF_OK;
	}
	if (strcmp(key, "memory_limit") == 0) {
		if (parse_u64(value, 1, &n) != 0)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_options_set: memory_limit=\"%.32s\" "
				       "is not a byte count (digits, optional "
				       "suffix K, M or G)",
				       value);
		o->mem_limit = n;
		return LF_OK;
	}
	return lf__err(0, LF_ERR_NOT_FOUND,
		       "lf_options_set: no option \"%.32s\" (options: "
		       "fallback, timeout_ms, cpu_threads, trust_xclbin, "
		       "memory_limit)",
		       key);
}
