/*
 * lf_kqlinear.h - the float32 arithmetic of ONNX Runtime's QLinear contrib
 * ops (QLinearAdd, QLinear[Global]AveragePool), shared by pool.c and add.c.
 *
 * Unlike conv2d / matmul (one multiply, then rounding from the bits), these
 * ops are specified by ORT as chains of float operations: divisions, adds
 * and, in QLinearAdd, fused multiply-adds. To give the same bytes in all
 * three builds, every operation must be the correctly rounded IEEE-754
 * binary32 one, with nothing fused that ORT does not fuse and nothing left
 * unfused that it does:
 *   - no contraction of a * b + c: the pragmas below, and no expression in
 *     pool.c / add.c has a product feeding a sum;
 *   - lfk_fmaf() is the correctly rounded fused multiply-add: fmaf() from
 *     libm in host C (glibc rounds it correctly with or without an FMA
 *     unit) and in Vitis HLS, fma() in OpenCL C (correctly rounded by the
 *     OpenCL C specification, 0 ulp);
 *   - division correctly rounded: IEEE in C and HLS. OpenCL C allows 2.5
 *     ulp for float division unless the program is built with
 *     -cl-fp32-correctly-rounded-divide-sqrt; PoCL's CPU device divides
 *     exactly, a GPU may need that option.
 * Denormals do not arise for the scales ORT accepts, but a device that
 * flushes them (HLS floating-point cores do) could differ on absurd ones.
 */
#ifndef LF_KQLINEAR_H
#define LF_KQLINEAR_H

#include "lf_kutil.h"

#if defined(LF_OPENCL)
#pragma OPENCL FP_CONTRACT OFF
#else
#pragma STDC FP_CONTRACT OFF
#include <math.h>
#endif

/* fma(a, b, c) in float32, rounded once. */
LF_INLINE float lfk_fmaf(float a, float b, float c)
{
#if defined(LF_OPENCL)
	/* OpenCL C's fma() is overloaded: float arguments, float result. */
	return fma(a, b, c); /* hls-lint: allow double -- float overload */
#else
	return fmaf(a, b, c);
#endif
}

/* A scale ORT divides by: finite and > 0 (NaN fails both tests). */
LF_INLINE int lfk_scale_ok(float s)
{
	lf_u32 u = lf_f32_bits(s);
	return (u >> 31) == 0 && ((u >> 23) & 0xffu) != 0xffu && u != 0;
}

/* min(max(q, lo), hi). */
LF_INLINE lf_i32 lfk_clamp(lf_i32 q, lf_i32 lo, lf_i32 hi)
{
	return q < lo ? lo : (q > hi ? hi : q);
}

/*
 * ORT's float-to-quantized step, static_cast<int32_t>(nearbyintf(v)) on
 * x86 (cvtss2si: NaN and |v| >= 2^31 give INT32_MIN) clamped to [lo, hi],
 * lo and hi within [-255, 255]; from the bits of v, without libm.
 */
LF_INLINE lf_i32 lfk_quant_clamp(float v, lf_i32 lo, lf_i32 hi)
{
	lf_u32 e = (lf_f32_bits(v) >> 23) & 0xffu;
	/* |v| >= 2^31, infinities and NaN: INT32_MIN, i.e. lo. Otherwise
	 * lfk_round_even() is exact below 512 and +-512 above, which clamps
	 * as the true value would. */
	lf_i32 q = e >= 127u + 31u ? -512 : lfk_round_even(v);
	return lfk_clamp(q, lo, hi);
}

/* The value of byte b of 8-bit type t. */
LF_INLINE lf_i32 lfk_value(lf_u32 t, lf_u8 b)
{
	lf_i32 s = lfk_flip(t);
	return (lf_i32)((lf_u32)b ^ (lf_u32)s) - s;
}

/* Smallest / largest value of 8-bit type t. */
LF_INLINE lf_i32 lfk_type_min(lf_u32 t)
{
	return t == LF_KDT_U8 ? 0 : -128;
}

LF_INLINE lf_i32 lfk_type_max(lf_u32 t)
{
	return t == LF_KDT_U8 ? 255 : 127;
}

#endif /* LF_KQLINEAR_H */
