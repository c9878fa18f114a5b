/*
 * lf_kutil.h - small helpers the kernels in hls/ share: overflow-safe range
 * checks for descriptor validation, 8-bit element decoding, and the exact
 * requantization of lf_desc.h.
 *
 * Kernel-side only (HLS C, host C, OpenCL C); the CPU reference in
 * hostlib/cpu/ shares none of it on purpose.
 */
#ifndef LF_KUTIL_H
#define LF_KUTIL_H

#include "lf_config.h"
#include "lf_desc.h"

/* Sizes at or above 4 GiB cannot fit in any buffer a u32 size describes. */
#define LFK_SAT ((lf_u64)1 << 32)

/* a * b, saturated at LFK_SAT so chained products never wrap. */
LF_INLINE lf_u64 lfk_mul_sat(lf_u64 a, lf_u64 b)
{
	if (a == 0 || b == 0)
		return 0;
	if (a >= LFK_SAT || b >= LFK_SAT)
		return LFK_SAT;
	lf_u64 p = a * b; /* both < 2^32: no wrap */
	return p >= LFK_SAT ? LFK_SAT : p;
}

/* [off, off + size) lies inside a buffer of `bytes` bytes. */
LF_INLINE int lfk_inside(lf_u32 off, lf_u64 size, lf_u32 bytes)
{
	/* off < 2^32 and size <= 2^32: the sum fits in 64 bits. */
	return (lf_u64)off + size <= (lf_u64)bytes;
}

/* Two byte ranges of the same buffer do not overlap. */
LF_INLINE int lfk_disjoint(lf_u32 a, lf_u64 an, lf_u32 b, lf_u64 bn)
{
	return (lf_u64)a + an <= (lf_u64)b || (lf_u64)b + bn <= (lf_u64)a;
}

LF_INLINE int lfk_is_8bit(lf_u32 t)
{
	return t == LF_KDT_U8 || t == LF_KDT_I8;
}

/* A zero point or clamp bound lies in the range of 8-bit type t. */
LF_INLINE int lfk_in_type(lf_u32 t, lf_i32 v)
{
	if (t == LF_KDT_U8)
		return v >= 0 && v <= 255;
	return v >= -128 && v <= 127;
}

/*
 * Decoding: a byte b of type t holds the value (b ^ s) - s, s = 0x80 for
 * int8 and 0 for uint8, so (b ^ s) - (s + zp) is the zero-point-corrected
 * operand in [-255, 255] (a 9-bit pre-adder in front of each multiplier).
 */
LF_INLINE lf_i32 lfk_flip(lf_u32 t)
{
	return t == LF_KDT_I8 ? 0x80 : 0;
}

/* The byte holding value v (|v| < 256): what padding is filled with. */
LF_INLINE lf_u8 lfk_byte(lf_i32 v)
{
	return (lf_u8)((lf_u32)v & 0xffu);
}

/*
 * round_half_even(v) for |v| < 512, from the bits of v: integer shifts and
 * compares only, no libm and no float arithmetic that a compiler could
 * contract or reorder. |v| >= 512 (and +-inf) gives +-512, which saturates
 * whatever y_zp is; NaN gives -512, i.e. act_min.
 */
LF_INLINE lf_i32 lfk_round_even(float v)
{
	lf_u32 u = lf_f32_bits(v);
	lf_u32 e = (u >> 23) & 0xffu;
	lf_u32 frac = u & 0x7fffffu;
	lf_i32 r;
	if (e == 0xffu && frac != 0)
		return -512;
	if (e >= 127u + 9u) { /* |v| >= 2^9 */
		r = 512;
	} else if (e < 126u) { /* |v| < 0.5, zeros and denormals */
		r = 0;
	} else {
		/* v = sig * 2^(e - 150); e in [126, 135] so sh in [15, 24]. */
		lf_u32 sig = frac | 0x800000u;
		lf_u32 sh = 150u - e;
		lf_u32 ip = sig >> sh;
		lf_u32 rem = sig & ((1u << sh) - 1u);
		lf_u32 tie = 1u << (sh - 1u);
		if (rem > tie || (rem == tie && (ip & 1u)))
			ip++;
		r = (lf_i32)ip;
	}
	return (u >> 31) ? -r : r;
}

/* The requantization of lf_desc.h for one accumulator. */
LF_INLINE lf_i32 lfk_requant(lf_u32 acc, float mult, lf_i32 y_zp, lf_i32 lo,
			     lf_i32 hi)
{
	float v = (float)(lf_i32)acc * mult;
	lf_i32 q = lfk_round_even(v) + y_zp;
	return q < lo ? lo : (q > hi ? hi : q);
}

/*
 * The part of its layer a blocked descriptor computes (lf_desc.h y_rows,
 * y_blks): output rows [*r0, *r1) of @rows and channel blocks [*b0, *b1)
 * of @blks, each the whole dimension when its word is 0. Returns 0 when a
 * range is malformed (LF_KST_BAD_SHAPE).
 */
LF_INLINE int lfk_part(const lf_desc *d, lf_u32 rows, lf_u32 blks,
		       lf_u32 *r0, lf_u32 *r1, lf_u32 *b0, lf_u32 *b1)
{
	*r0 = d->y_rows & 0xffffu;
	*r1 = d->y_rows ? d->y_rows >> 16 : rows;
	*b0 = d->y_blks & 0xffffu;
	*b1 = d->y_blks ? d->y_blks >> 16 : blks;
	return *r0 <= *r1 && *r1 <= rows && *b0 <= *b1 && *b1 <= blks;
}

/*
 * 1 when this kernel does not take @d's part words or barrier
 * (LF_KST_BAD_OP): y_rows / y_blks on a descriptor without LF_DF_BLK
 * (@blk 0: NCHW, matmul), a barrier (sync's k >= 2) outside an engine
 * built with a ring of k CUs (LF_ENGINE_SYNC).
 */
/* The barrier ring this kernel has: LF_ENGINE_SYNC in lfk_engine, none
 * in the other tops or the OpenCL C build. */
#if defined(LF_ENGINE_BUILD) && LF_ENGINE_SYNC >= 2 && !defined(LF_OPENCL)
#define LFK_SYNC_RING LF_ENGINE_SYNC
#else
#define LFK_SYNC_RING 0
#endif
LF_INLINE int lfk_part_refused(const lf_desc *d, lf_u32 blk)
{
	lf_u32 k = d->sync & 0xffu;
	return (!blk && (d->y_rows | d->y_blks) != 0) ||
	       (k >= 2 && k != LFK_SYNC_RING);
}

#endif /* LF_KUTIL_H */
