/*
 * xclbin_impl.h - helpers shared by the xclbin reader and writer (internal
 * to driver/xclbin/).
 */
#ifndef LF_DRIVER_XCLBIN_IMPL_H
#define LF_DRIVER_XCLBIN_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/xclbin/xclbin.h"

/* CU base addresses of emulation xclbins: XRT's sw_emu default region. */
#define LF__XCLBIN_CU_BASE  0x1800000ull
#define LF__XCLBIN_CU_RANGE 0x10000ull

/* The USER_METADATA section carrying kernel limits. */
#define LF__XCLBIN_LIMITS_NAME "layerfab_limits"

/* Where a parse or build error message goes. */
struct lf__xerr {
	char *buf;
	size_t len;
};

/* Formats the message into e (when it has room) and returns st. */
lf_status lf__xclbin_fail(struct lf__xerr *e, lf_status st, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));

/* A kernel instance named by EMBEDDED_METADATA (<instance><addrRemap>). */
struct lf__xclbin_xinst {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t kernel;
	uint32_t has_base;
	uint64_t base;
};

struct lf__xclbin_xinsts {
	uint32_t n;
	struct lf__xclbin_xinst v[LF_XCLBIN_MAX_CUS];
};

/*
 * lf__xclbin_parse_xml() - fill x->kernels from an EMBEDDED_METADATA
 * section and collect its instances. Returns LF_ERR_BAD_FILE with a
 * message for anything malformed.
 */
lf_status lf__xclbin_parse_xml(const char *xml, size_t len, struct lf_xclbin *x,
			       struct lf__xclbin_xinsts *insts,
			       struct lf__xerr *e);

/*
 * lf__xclbin_parse_limits() - fill x->limits from "key=value" lines (the
 * USER_METADATA "layerfab_limits" section). Blank lines and lines starting
 * with '#' are skipped; trailing NUL padding is allowed.
 */
lf_status lf__xclbin_parse_limits(const char *text, size_t len,
				  struct lf_xclbin *x, struct lf__xerr *e);

/* Parses "0x1C", "28", "0x00080000" strictly; 0 on success. */
int lf__xclbin_parse_u64(const char *s, uint64_t *out);

/* Little-endian loads from a byte image; the caller checks bounds. */
static inline uint16_t lf__ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t lf__ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t lf__ld64(const uint8_t *p)
{
	return (uint64_t)lf__ld32(p) | ((uint64_t)lf__ld32(p + 4) << 32);
}

static inline void lf__st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void lf__st32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void lf__st64(uint8_t *p, uint64_t v)
{
	lf__st32(p, (uint32_t)v);
	lf__st32(p + 4, (uint32_t)(v >> 32));
}

#endif /* LF_DRIVER_XCLBIN_IMPL_H */
