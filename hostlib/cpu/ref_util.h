/*
 * ref_util.h - small helpers shared by the CPU op files: loading and
 * storing integer elements of an lf_dtype, type ranges, size checks.
 * Internal to hostlib/cpu.
 */
#ifndef LF_REF_UTIL_H
#define LF_REF_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "layerfab.h"

static inline int lf__ref_is_q8(lf_dtype t)
{
	return t == LF_DTYPE_UINT8 || t == LF_DTYPE_INT8;
}

/* Smallest and largest value of an integer type. */
static inline void lf__ref_qrange(lf_dtype t, int32_t *lo, int32_t *hi)
{
	if (t == LF_DTYPE_UINT8) {
		*lo = 0;
		*hi = 255;
	} else if (t == LF_DTYPE_INT8) {
		*lo = -128;
		*hi = 127;
	} else {
		*lo = INT32_MIN;
		*hi = INT32_MAX;
	}
}

static inline int lf__ref_zp_fits(lf_dtype t, int32_t zp)
{
	int32_t lo, hi;
	lf__ref_qrange(t, &lo, &hi);
	return zp >= lo && zp <= hi;
}

/* Element @i of an integer tensor (UINT8, INT8 or INT32). */
static inline int32_t lf__ref_load_int(lf_dtype t, const void *base, size_t i)
{
	if (t == LF_DTYPE_UINT8)
		return ((const uint8_t *)base)[i];
	if (t == LF_DTYPE_INT8)
		return ((const int8_t *)base)[i];
	return ((const int32_t *)base)[i];
}

/* Store @v, already within the type's range, at element @i. */
static inline void lf__ref_store_int(lf_dtype t, void *base, size_t i,
				     int32_t v)
{
	if (t == LF_DTYPE_UINT8)
		((uint8_t *)base)[i] = (uint8_t)v;
	else if (t == LF_DTYPE_INT8)
		((int8_t *)base)[i] = (int8_t)v;
	else
		((int32_t *)base)[i] = v;
}

/* a * b * c into *out; 0 if it overflows size_t. */
static inline int lf__ref_mul3(size_t a, size_t b, size_t c, size_t *out)
{
	size_t ab;
	if (__builtin_mul_overflow(a, b, &ab) ||
	    __builtin_mul_overflow(ab, c, out))
		return 0;
	return 1;
}

/* A quantization scale we divide by: finite and > 0. */
static inline int lf__ref_scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

/*
 * Broadcast indexing (numpy rules) over up to LF__REF_BCAST_MAX inputs:
 * for output element i, the element of each input it reads. Strides are
 * 0 along broadcast dims.
 */
#define LF__REF_BCAST_MAX 3
struct lf__ref_bcast {
	struct lf_ref_shape out;
	size_t count;
	int n;
	size_t st[LF__REF_BCAST_MAX][LF_REF_MAX_RANK];
};

/* The broadcast shape of @n shapes and the strides; LF_ERR_SHAPE if they
 * do not broadcast, LF_ERR_OVERFLOW. */
lf_status lf__ref_bcast_init(struct lf__ref_bcast *bc, int n,
			     const struct lf_ref_shape *const *in);

/* Offsets into each input of output element @i. */
static inline void lf__ref_bcast_at(const struct lf__ref_bcast *bc, size_t i,
				    size_t *off)
{
	for (int k = 0; k < bc->n; k++)
		off[k] = 0;
	for (int d = bc->out.rank - 1; d >= 0; d--) {
		size_t n = (size_t)bc->out.dim[d];
		size_t coord = i % n;
		i /= n;
		for (int k = 0; k < bc->n; k++)
			off[k] += coord * bc->st[k][d];
	}
}

#endif /* LF_REF_UTIL_H */
