/*
 * lf_kadd.h - the per-element arithmetic of QLinearAdd and QLinearMul
 * (lf_desc.h "Add", "Mul"): one formula in one place, run by add.c's
 * datapaths (lfk_add, lfk_engine) and by the blocked conv's fused add
 * (lf_conv_blk.h, LF_DF_ADD: a residual add in the conv's store).
 *
 * Each element is two fused multiply-adds, y = rint(fma(A2, B2,
 * fma(A1, B1, C1))) saturated to the type, then clamped to [amin, amax]:
 * Add: A1 = Q, B1 = rQ, C1 = fixed, A2 = P, B2 = rP: ORT's MLAS AVX2
 * kernel (MlasQLinearAddKernelAvx2Helper). Every build must produce the
 * correctly rounded fused result: fmaf() from libm in host C, fmaf() in
 * Vitis HLS, fma() in OpenCL C (lf_kqlinear.h); a separate multiply and
 * add would differ by one near rounding ties.
 * Mul: A1 = (x - x_zp) * (x2 - x2_zp) (an exact integer), B1 = m,
 * C1 = -0, A2 = y_zp, B2 = 1: the first fma is the product A1 * m
 * rounded once (adding -0 changes no value, zeros included), the second
 * the sum y_zp + that product rounded once (y_zp * 1 is exact): MLAS's
 * unfused multiply, then add, on the same two fma units, so no build can
 * contract them differently.
 */
#ifndef LF_KADD_H
#define LF_KADD_H

#include "lf_desc.h"
#include "lf_kqlinear.h"

/* The coefficients of one add or mul (lfk_qadd_init). */
struct lfk_qadd {
	lf_u32 swap;	   /* add: x2 is the outer operand P */
	lf_u32 mul;	   /* QLinearMul */
	lf_u32 type;	   /* LF_KDT_U8 / I8 of x, x2 and y */
	lf_i32 x_zp, x2_zp; /* mul: the product's zero points */
	lf_i32 lo, hi;	   /* the type's range */
	lf_i32 amin, amax; /* then the activation clamp */
	/* fma(A2, b2, fma(A1, b1, c1)): add rQ, fixed, rP; mul m, -0, 1 */
	float b1, c1, b2;
	float fz; /* (float)y_zp: mul's A2 */
};

/*
 * The coefficients of an add (@mul 0) or mul (@mul 1) of 8-bit type @t:
 * x (scale @sx, zero point @zx) and x2 (@sx2, @zx2) into y (@sy, @zy),
 * then [@amin, @amax]; @swap: x2 is the add's outer operand (LF_DF_SWAP).
 * The scales must be checked already (lfk_scale_ok).
 */
LF_INLINE void lfk_qadd_init(struct lfk_qadd *q, lf_u32 mul, lf_u32 swap,
			     lf_u32 t, float sx, lf_i32 zx, float sx2,
			     lf_i32 zx2, float sy, lf_i32 zy, lf_i32 amin,
			     lf_i32 amax)
{
	q->mul = mul;
	q->swap = mul ? 0 : swap;
	q->type = t;
	q->x_zp = zx;
	q->x2_zp = zx2;
	q->lo = lfk_type_min(t);
	q->hi = lfk_type_max(t);
	q->amin = amin;
	q->amax = amax;
	q->fz = (float)zy;
	if (mul) {
		/* MLAS: the scales' product, then the division. */
		float sxx = sx * sx2;
		q->b1 = sxx / sy;
		q->c1 = -0.0f;
		q->b2 = 1.0f;
		return;
	}
	/* ORT: the ratios by division, then the fused constant term. */
	float rx = sx / sy;
	float rx2 = sx2 / sy;
	float rp = q->swap ? rx2 : rx;
	q->b1 = q->swap ? rx : rx2;
	q->b2 = rp;
	float zp = (float)(q->swap ? zx2 : zx);
	float zq = (float)(q->swap ? zx : zx2);
	float tq = q->b1 * zq;
	q->c1 = q->fz - lfk_fmaf(rp, zp, tq);
}

/* One element: x and x2 are the operands' values, already decoded. */
LF_INLINE lf_i32 lfk_qadd_one(const struct lfk_qadd *q, lf_i32 x, lf_i32 x2)
{
	/* Add: P and Q are x and x2, or x2 and x with swap. */
	lf_i32 p = q->swap ? x2 : x, r = q->swap ? x : x2;
	/* Mul: |.| <= 255 * 255, exact in float32. */
	lf_i32 prod = (x - q->x_zp) * (x2 - q->x2_zp);
	float a1 = (float)(q->mul ? prod : r);
	float a2 = q->mul ? q->fz : (float)p;
	/* In fabric (LUTs), not DSPs: the fused add puts 2 x 64 of them in
	 * every conv's store (scripts/hw-config-check counts their LUTs;
	 * UNVERIFIED that csynth maps fmaf() to the fmadd operator the
	 * pragma names, UG1399 "Op Binding"). */
	float inner = lfk_fmaf(a1, q->b1, q->c1);
#pragma HLS BIND_OP variable=inner op=fmadd impl=fabric
	float v = lfk_fmaf(a2, q->b2, inner);
#pragma HLS BIND_OP variable=v op=fmadd impl=fabric
	lf_i32 y = lfk_quant_clamp(v, q->lo, q->hi);
	return lfk_clamp(y, q->amin, q->amax);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
#include <immintrin.h>
/*
 * Host C only (hls/README.md "Emulator speed"): nb beats of lfk_qadd_one
 * with AVX2 and FMA3, 8 lanes at a time, for a caller that checked the
 * CPU has both. y[v] from x[v] and x2[v] (x2 NULL: the values bq[] in
 * every beat); y may be x or x2 (each beat is read whole before it is
 * written). The same bytes as lfk_qadd_one: the operands' values
 * converted exactly, the two fused multiply-adds rounded once each as
 * fmaf is (vfmadd231ps), then lfk_quant_clamp: NaN and |v| >= 2^31 give
 * -512 (so lo), else v clamped to [-512, 512] (which saturates as the
 * true value would) and rounded half to even by roundps with an explicit
 * mode (not MXCSR's); then the clamps to [lo, hi] and [amin, amax].
 */
__attribute__((target("avx2,fma"), noinline, unused)) static void
lfk_qadd_host_avx2(const struct lfk_qadd *q, lf_u32 nb,
		   const lf_u8 (*x)[LF_BLK_LANES],
		   const lf_u8 (*x2)[LF_BLK_LANES], const lf_i32 *bq,
		   lf_u8 (*y)[LF_BLK_LANES])
{
	const __m256 b1 = _mm256_set1_ps(q->b1);
	const __m256 c1 = _mm256_set1_ps(q->c1);
	const __m256 b2 = _mm256_set1_ps(q->b2);
	const __m256 fz = _mm256_set1_ps(q->fz);
	const __m256i zx = _mm256_set1_epi32(q->x_zp);
	const __m256i zx2 = _mm256_set1_epi32(q->x2_zp);
	const __m256 two31 = _mm256_set1_ps(2147483648.0f);
	const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	const __m256 vlo = _mm256_set1_ps(-512.0f);
	const __m256 vhi = _mm256_set1_ps(512.0f);
	const __m256i s = _mm256_set1_epi32(lfk_flip(q->type));
	/* lfk_qadd_one's two clamps, in its order */
	const __m256i vl1 = _mm256_set1_epi32(q->lo);
	const __m256i vh1 = _mm256_set1_epi32(q->hi);
	const __m256i vl2 = _mm256_set1_epi32(q->amin);
	const __m256i vh2 = _mm256_set1_epi32(q->amax);
	const __m256i byte = _mm256_set1_epi32(0xff);
	const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_IW_MAX avg=56
		__m256i r[LF_BLK_LANES / 8];
		for (lf_u32 v8 = 0; v8 < LF_BLK_LANES / 8; v8++) {
			lf_u32 j = v8 * 8;
			/* lfk_value: (b ^ s) - s */
			__m256i xb = _mm256_cvtepu8_epi32(
			    _mm_loadl_epi64((const __m128i *)(x[v] + j)));
			__m256i xv = _mm256_sub_epi32(_mm256_xor_si256(xb, s), s);
			__m256i x2v;
			if (x2) {
				__m256i bb = _mm256_cvtepu8_epi32(_mm_loadl_epi64(
				    (const __m128i *)(x2[v] + j)));
				x2v = _mm256_sub_epi32(_mm256_xor_si256(bb, s),
						       s);
			} else {
				x2v = _mm256_loadu_si256(
				    (const __m256i *)(bq + j));
			}
			/* add: A1 = Q, A2 = P (P = x2 when swapped); mul
			 * A1 = the exact product, A2 = y_zp */
			__m256 a1, a2;
			if (q->mul) {
				a1 = _mm256_cvtepi32_ps(_mm256_mullo_epi32(
				    _mm256_sub_epi32(xv, zx),
				    _mm256_sub_epi32(x2v, zx2)));
				a2 = fz;
			} else {
				a1 = _mm256_cvtepi32_ps(q->swap ? xv : x2v);
				a2 = _mm256_cvtepi32_ps(q->swap ? x2v : xv);
			}
			__m256 in = _mm256_fmadd_ps(a1, b1, c1);
			__m256 f = _mm256_fmadd_ps(a2, b2, in);
			/* NaN or |f| >= 2^31: -512 */
			__m256 big = _mm256_cmp_ps(_mm256_and_ps(f, absm), two31,
						   _CMP_NLT_UQ);
			f = _mm256_blendv_ps(f, vlo, big);
			f = _mm256_min_ps(_mm256_max_ps(f, vlo), vhi);
			f = _mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT |
						   _MM_FROUND_NO_EXC);
			__m256i o = _mm256_cvtps_epi32(f);
			o = _mm256_blendv_epi8(o, vh1, _mm256_cmpgt_epi32(o, vh1));
			o = _mm256_blendv_epi8(o, vl1, _mm256_cmpgt_epi32(vl1, o));
			o = _mm256_blendv_epi8(o, vh2, _mm256_cmpgt_epi32(o, vh2));
			o = _mm256_blendv_epi8(o, vl2, _mm256_cmpgt_epi32(vl2, o));
			r[v8] = _mm256_and_si256(o, byte); /* lfk_byte */
		}
		/* 64 bytes in lane order (lf_conv_blk.h's store packs so) */
		lf_u8 *yb = y[v];
		for (lf_u32 h = 0; h < 2; h++) {
			__m256i p0 = _mm256_packus_epi32(r[4 * h], r[4 * h + 1]);
			__m256i p1 =
			    _mm256_packus_epi32(r[4 * h + 2], r[4 * h + 3]);
			_mm256_storeu_si256(
			    (__m256i *)(yb + 32 * h),
			    _mm256_permutevar8x32_epi32(
				_mm256_packus_epi16(p0, p1), order));
		}
	}
}
#endif

#endif /* LF_KADD_H */
