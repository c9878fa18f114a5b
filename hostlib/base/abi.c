/* abi.c - the public structs' struct_size rule (abi.h). */
#include <string.h>

#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"

static lf_status check(uint64_t id, const char *fn, const char *type,
		       size_t have, size_t min)
{
	if (have >= min)
		return LF_OK;
	return lf__err(id, LF_ERR_INVALID_ARG,
		       "%s: struct %s: struct_size is %zu, at least %zu "
		       "expected (set it to sizeof(struct %s), e.g. with "
		       "LF_STRUCT_INIT)",
		       fn, type, have, min, type);
}

lf_status lf__struct_in(uint64_t id, const char *fn, const char *type,
			const void *src, void *dst, size_t full, size_t min)
{
	size_t have;
	memcpy(&have, src, sizeof(have));
	lf_status st = check(id, fn, type, have, min);
	if (st)
		return st;
	memset(dst, 0, full);
	memcpy(dst, src, have < full ? have : full);
	memcpy(dst, &full, sizeof(full));
	return LF_OK;
}

lf_status lf__struct_out(uint64_t id, const char *fn, const char *type,
			 void *dst, const void *src, size_t full, size_t min)
{
	size_t have;
	memcpy(&have, dst, sizeof(have));
	lf_status st = check(id, fn, type, have, min);
	if (st)
		return st;
	memcpy((char *)dst + sizeof(have), (const char *)src + sizeof(have),
	       (have < full ? have : full) - sizeof(have));
	return LF_OK;
}
