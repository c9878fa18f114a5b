/*
 * lf_kadd.h - the per-element arithmetic of QLinearAdd and QLinearMul
 * (lf_desc.h "Add", "Mul"): one formula in one place, run by add.c's
 * datapaths (lfk_add, lfk_engine) and by the blocked conv's fused add
 * (lf_conv_blk.h, LF_DF_ADD: a residual add in the conv's store).
 *
 * The bytes are ORT's: y = rint(fma(A2, B2, fma(A1, B1, C1))) saturated to
 * the type, then clamped to [amin, amax], each fma rounded once to
 * float32 (lfk_quant_clamp: NaN and |v| >= 2^31 give lo).
 * Add: A1 = Q, B1 = rQ, C1 = fixed, A2 = P, B2 = rP: ORT's MLAS AVX2
 * kernel (MlasQLinearAddKernelAvx2Helper).
 * Mul: A1 = (x - x_zp) * (x2 - x2_zp) (an exact integer), B1 = m,
 * C1 = -0, A2 = y_zp, B2 = 1 (adding -0 and multiplying by 1 change no
 * value): MLAS's unfused multiply, then add, which lfk_qadd_mul computes
 * as such, a float32 multiply and a float32 add each rounded once (the
 * same bytes as the two fmas, cheaper in fabric); still float, not yet
 * in integers.
 *
 * The add in integers (lfk_qadd_add), the same bytes for every P, Q and
 * every coefficient set (scales that pass lfk_scale_ok):
 *
 *  1. T(Q) = fma(Q, rQ, C1) takes 256 values: the kernel computes them
 *     once per descriptor (lfk_qadd_tab, one fma a cycle; the descriptor's
 *     scales, nothing from the host) and keeps each as an exact
 *     fixed-point number: th (floor, the integer part, |th| <= 2^33), tl
 *     (the next 34 fraction bits), ts (1 when nonzero bits lie below
 *     2^-34).
 *  2. P * rP is exact as integers: rP = pm * 2^ga (pm the 24-bit
 *     significand), so P * rP = V * 2^ga with V = P * pm, a 9 x 24-bit
 *     product (|V| < 2^32). For rP < 2^24 (ga <= 0) lfk_fx aligns V * 2^ga
 *     to the same fixed point: a right shift by the descriptor's -ga, bits
 *     below 2^-34 to a sticky bit. For rP >= 2^24 see step 7.
 *  3. X = P * rP + T exactly, as the sum hi.lo of the two (lo 34 bits,
 *     its carry into hi; the sticky bit the OR of theirs). The reference
 *     rounds X once to float32 (v = round32(X)) and then to an integer.
 *     If at most one term has bits below 2^-34 the sum's floor and sticky
 *     bit are exact. If both have, |P * rP| < 2^-3 (ga <= -35) and
 *     |T| < 2^-11 (its last bit below 2^-34, 24 bits), so |X| < 0.13, the
 *     computed sum is within 2^-33 of it, and every path below gives 0,
 *     as the reference does.
 *  4. rint(round32(X)) from hi.lo: let k = floor(X) = hi, f = X - k and
 *     h = k + 1/2. Every half-integer h with |h| < 2^22 is a float32 with
 *     an even significand, so round32(X) = h exactly when X lies in h's
 *     rounding interval [h - ulo, h + uhi] (ends included: ties go to the
 *     even h), ulo / uhi half the float32 spacing below / above h:
 *     2^(E - 24) with 2^E <= |h| < 2^(E + 1), E = bitlength(m) - 1, m = k
 *     (k >= 1) or -k - 1 (k <= -2); at h = 0.5 (k = 0) ulo = 2^-26, uhi =
 *     2^-25, at h = -0.5 (k = -1) ulo = 2^-25, uhi = 2^-26. There the
 *     reference gives rint(h), the even one of k and k + 1. Elsewhere
 *     round32 keeps X strictly between the same two half-integers (it is
 *     monotonic and fixes them), so rint(round32(X)) = rint(X): k if
 *     f < 1/2, k + 1 if f > 1/2. Together: y = k + 1 exactly when
 *     f > 1/2 + uhi, or k is odd and f >= 1/2 - ulo. These bounds are
 *     multiples of 2^-26: f > b is lo > b * 2^34, or lo == b * 2^34 with
 *     the sticky bit; f >= b is lo >= b * 2^34 (lfk_qadd_y).
 *  5. Saturation: X >= 2^31 - 64 (hi >= 2^31 - 64) rounds to v >= 2^31
 *     (2^31 - 64 is the tie between 2^31 - 128, odd, and 2^31), which
 *     lfk_quant_clamp sends to lo; hi >= 256 rounds to >= 256, above any
 *     type's max; hi < -256 to <= -256, below any min.
 *  6. Ranges, rP < 2^24: |P * rP| < 2^32; a T that is NaN, infinite or
 *     |T| >= 2^33 gives |X| > 2^32 or NaN whatever P, so y = lo: such
 *     entries hold th = LFK_QADD_LO (the sum stays below -256). rP = +inf
 *     (sx / sy overflows): fma(P, inf, T) is NaN or infinite, lo for every
 *     element: pm = 0 and every entry LFK_QADD_LO.
 *  7. rP >= 2^24 (ga >= 1): P * rP is an even integer, up to 2^(32 + ga),
 *     and T may cancel most of it. An entry with |T| >= 2^23 (then an
 *     integer) is split T = W * 2^ga + Tl, W = round(T / 2^ga) (tw) and
 *     |Tl| <= 2^(ga - 1) (th, tl = 0); a smaller T has W = 0, Tl = T. The
 *     lane adds W to the product (the DSP's post-adder): X = V' * 2^ga +
 *     Tl with V' = P * pm + W. If |V'| > 2^(33 - ga) (V' != 0 for ga >=
 *     34), |X| > 2^32 (|Tl| <= 2^(ga - 1), or < 2^23): y = lo. Else
 *     V' * 2^ga (a left shift, |.| <= 2^33) and Tl are added as in step
 *     3. |T| >= 2^(ga + 33) (|W| would pass 2^33, so |V'| > 2^32) and
 *     |Tl| >= 2^33 (V' must be 0, X = Tl) give lo whatever P, as in 6.
 * In hardware a lane is the 9 x 24-bit product and its post-add (a DSP),
 * a shift (right by -ga, or left by ga), a 70-bit add and the compares of
 * step 4; the table (73 bits an entry: th 36, tl or W 35, ts, which of
 * the two) a copy per lane pair (LFK_QADD_COPIES; scripts/hw-config-check
 * counts them;
 * UNVERIFIED, no synthesis: the C holds them in 64-bit words, their
 * ranges above).
 * tests/unit/test_qadd_int.c checks every (P, Q) pair of many coefficient
 * sets against the float formula, written there on its own.
 */
#ifndef LF_KADD_H
#define LF_KADD_H

#include "lf_desc.h"
#include "lf_kqlinear.h"
#include "lf_pipes.h"

/* Entries of the add's table: one per value of Q (an 8-bit type). */
#define LFK_QADD_TAB 256

/*
 * Copies of the add's table: 64 lanes read an entry each per cycle
 * (blk_store_add, II 1), so Vitis HLS gets one copy per lane pair, each a
 * memory of its own with two read ports (LUTRAM, 256 x 73 bits:
 * scripts/hw-config-check counts a lane's share), all written together by
 * lfk_qadd_tab; lane j reads copy j / 2. Host C and OpenCL C keep one.
 * UNVERIFIED (no csynth): that Vitis maps each copy to its own LUTRAM
 * with the struct's arrays as written (ARRAY_PARTITION dim 1 is the
 * fallback).
 */
#if defined(LF_HLS)
#define LFK_QADD_COPIES (LF_BLK_LANES / 2)
#else
#define LFK_QADD_COPIES 1
#endif

/* The coefficients of one add or mul (lfk_qadd_init, lfk_qadd_tab). */
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
	/* add, in integers (steps 1-7 above): rP = pm * 2^ga; n = -ga
	 * (lfk_fx's shift of P * pm) or ls = ga (step 7, window vmax);
	 * T(Q) = tw * 2^ga + th.tl (+ ts) at Q - lo */
	lf_i32 pm;
	lf_i32 ga;
	lf_u32 n, ls;
	lf_i64 vmax;
	lf_u32 tbig; /* biased exponent from which |T| gives lo (6, 7) */
	lf_i64 tw[LFK_QADD_COPIES][LFK_QADD_TAB];
	lf_i64 th[LFK_QADD_COPIES][LFK_QADD_TAB];
	lf_u64 tl[LFK_QADD_COPIES][LFK_QADD_TAB];
	lf_u8 ts[LFK_QADD_COPIES][LFK_QADD_TAB];
};

/* th of an entry whose every sum is lo (step 6). */
#define LFK_QADD_LO (-((lf_i64)1 << 35))
/* Fraction bits of the fixed point (steps 1-4) and their mask. */
#define LFK_QADD_FB 34
#define LFK_QADD_FM (((lf_u64)1 << LFK_QADD_FB) - 1)

/*
 * v * 2^-n (|v| < 2^34, n <= 74: more drops all of v, as 74 does) as the
 * fixed-point hi.lo: hi the floor, lo the next LFK_QADD_FB bits, *st 1
 * when nonzero bits lie below them.
 */
LF_INLINE void lfk_fx(lf_i64 v, lf_u32 n, lf_i64 *hi, lf_u64 *lo,
		      lf_u32 *st)
{
	*hi = v >> (n < 63u ? n : 63u); /* arithmetic: the floor */
	if (n <= LFK_QADD_FB) {
		*lo = ((lf_u64)v << (LFK_QADD_FB - n)) & LFK_QADD_FM;
		*st = 0;
	} else {
		lf_u32 d = n - LFK_QADD_FB;
		*lo = (lf_u64)(v >> d) & LFK_QADD_FM;
		*st = (v & (((lf_i64)1 << d) - 1)) != 0;
	}
}

/* pm and the exponent ga of a float f >= 0: f = pm * 2^ga. */
LF_INLINE lf_i32 lfk_f32_sig(float f, lf_i32 *ga)
{
	lf_u32 u = lf_f32_bits(f);
	lf_u32 e = (u >> 23) & 0xffu;
	*ga = (lf_i32)(e != 0 ? e : 1u) - 150;
	return (lf_i32)((u & 0x7fffffu) | (e != 0 ? 0x800000u : 0u));
}

/*
 * The coefficients of an add (@mul 0) or mul (@mul 1) of 8-bit type @t:
 * x (scale @sx, zero point @zx) and x2 (@sx2, @zx2) into y (@sy, @zy),
 * then [@amin, @amax]; @swap: x2 is the add's outer operand (LF_DF_SWAP).
 * The scales must be checked already (lfk_scale_ok). An add then needs
 * its table (lfk_qadd_tab).
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
	/* Step 2: rP = pm * 2^ga; +inf: pm 0 and every entry lo (step 6). */
	lf_i32 ga;
	lf_u32 inf = ((lf_f32_bits(rp) >> 23) & 0xffu) == 0xffu;
	q->pm = inf ? 0 : lfk_f32_sig(rp, &ga);
	if (inf)
		ga = 0;
	q->ga = ga;
	q->n = ga >= 0 ? 0u : (-ga < 74 ? (lf_u32)-ga : 74u);
	q->ls = ga <= 0 ? 0u : (ga < 40 ? (lf_u32)ga : 40u);
	q->vmax = ga <= 0 ? 0 : (ga <= 33 ? (lf_i64)1 << (33 - ga) : 0);
	q->tbig = inf ? 0u : 127u + 33u + (ga > 0 ? (lf_u32)ga : 0u);
}

/*
 * Step 1: the add's table, T(Q) = fma(Q, rQ, C1) for each Q of the type
 * as an exact fixed-point number: once per descriptor, one entry a cycle
 * (the fma pipelined; lf_pipes.h qadd_tab).
 */
LF_INLINE void lfk_qadd_tab(struct lfk_qadd *q)
{
	LF_PIPE_BEGIN(qadd_tab);
qadd_tab:
	for (lf_u32 i = 0; i < LFK_QADD_TAB; i++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(qadd_tab);
		float t = lfk_fmaf((float)((lf_i32)i + q->lo), q->b1, q->c1);
		lf_u32 u = lf_f32_bits(t), e = (u >> 23) & 0xffu;
		lf_i32 et;
		lf_i32 m = lfk_f32_sig(t, &et);
		lf_i64 sm = (u >> 31) ? -(lf_i64)m : (lf_i64)m;
		lf_i64 h;
		lf_u64 l;
		lf_u32 st;
		lf_i64 w = 0;
		lfk_fx(sm, et >= 0 ? 0u : (-et < 74 ? (lf_u32)-et : 74u), &h, &l,
		       &st);
		/* NaN, inf, |T| >= 2^(33 + max(ga, 0)) (steps 6, 7) */
		lf_u32 big = e == 0xffu || e >= q->tbig;
		if (!big && et > 0 && q->ga <= 0) {
			/* 2^24 <= |T| < 2^33: an integer */
			h = (lf_i64)((lf_u64)sm << et);
		} else if (!big && et >= 0 && q->ga > 0) {
			/* step 7: |T| >= 2^23, an integer: W and Tl = r 2^et */
			lf_i32 d = q->ga - et;
			lf_i64 r = sm;
			if (d <= 0) {
				w = (lf_i64)((lf_u64)sm << -d);
				r = 0;
			} else if (d <= 40) {
				w = (sm + ((lf_i64)1 << (d - 1))) >> d;
				r = sm - (lf_i64)((lf_u64)w << d);
			}
			lf_i64 ar = r < 0 ? -r : r;
			big = r != 0 && (et >= 33 || (ar >> (33 - et)) != 0);
			h = big || r == 0 ? 0 : (lf_i64)((lf_u64)r << et);
		}
		for (lf_u32 c = 0; c < LFK_QADD_COPIES; c++) {
#pragma HLS UNROLL
			q->tw[c][i] = big ? 0 : w;
			q->th[c][i] = big ? LFK_QADD_LO : h;
			q->tl[c][i] = big ? 0 : l;
			q->ts[c][i] = (lf_u8)(big ? 0 : st);
		}
	}
	LF_PIPE_END(qadd_tab);
}

/*
 * Steps 4 and 5: y from X = hi + lo * 2^-34 (+ a nonzero rest below
 * 2^-34 when st), then the clamps.
 */
LF_INLINE lf_i32 lfk_qadd_y(const struct lfk_qadd *q, lf_i64 hi, lf_u64 lo,
			    lf_u32 st)
{
	const lf_u64 hf = (lf_u64)1 << (LFK_QADD_FB - 1);
	lf_i32 y;
	if (hi >= ((lf_i64)1 << 31) - 64) {
		y = -512; /* v >= 2^31: INT32_MIN */
	} else if (hi >= 256) {
		y = 512;
	} else if (hi < -256) {
		y = -512;
	} else {
		lf_i32 k = (lf_i32)hi;
		lf_u32 m = (lf_u32)(k >= 0 ? k : -k - 1);
		/* half the float32 spacing below / above h, 2^-34 units:
		 * 2^(10 + E), E = bitlength(m) - 1 (compares, no branch);
		 * m = 0 (h = +-0.5): 2^8 on the side towards 0, 2^9 away */
		lf_u32 e = (lf_u32)(m >= 2) + (lf_u32)(m >= 4) +
			   (lf_u32)(m >= 8) + (lf_u32)(m >= 16) +
			   (lf_u32)(m >= 32) + (lf_u32)(m >= 64) +
			   (lf_u32)(m >= 128);
		lf_u32 z = m == 0, neg = k < 0;
		lf_u64 ulo = (lf_u64)1 << (z ? 8 + neg : 10 + e);
		lf_u64 uhi = (lf_u64)1 << (z ? 9 - neg : 10 + e);
		lf_u32 up = (lf_u32)(lo > hf + uhi) |
			    ((lf_u32)(lo == hf + uhi) & st) |
			    ((lf_u32)k & (lf_u32)(lo >= hf - ulo) & 1u);
		y = k + (lf_i32)up;
	}
	y = lfk_clamp(y, q->lo, q->hi);
	return lfk_clamp(y, q->amin, q->amax);
}

/*
 * One add, integers only: P and Q are the operands' values (x and x2, or
 * x2 and x with swap), @lane the datapath lane (its table copy); the
 * table must be filled (lfk_qadd_tab).
 */
LF_INLINE lf_i32 lfk_qadd_add(const struct lfk_qadd *q, lf_u32 lane,
			      lf_i32 x, lf_i32 x2)
{
	lf_i32 p = q->swap ? x2 : x, r = q->swap ? x : x2;
	lf_i64 ah;
	lf_u64 al;
	lf_u32 as;
	lf_u32 i = (lf_u32)(r - q->lo), c = lane / 2 % LFK_QADD_COPIES;
	/* the 9 x 24-bit product and its post-add (a DSP), then the shift */
	lf_i64 v = (lf_i64)p * q->pm + q->tw[c][i];
	if (q->ga <= 0) {
		lfk_fx(v, q->n, &ah, &al, &as);
	} else { /* step 7 */
		lf_u32 out = v > q->vmax || v < -q->vmax;
		ah = out ? LFK_QADD_LO : (lf_i64)((lf_u64)v << q->ls);
		al = 0;
		as = 0;
	}
	lf_u64 lo = al + q->tl[c][i];
	lf_i64 hi = ah + q->th[c][i] + (lf_i64)(lo >> LFK_QADD_FB);
	lo &= LFK_QADD_FM;
	return lfk_qadd_y(q, hi, lo, as | q->ts[c][i]);
}

/*
 * One mul (QLinearMul, q->mul): x and x2 are the operands' values,
 * y = rint(y_zp + (x - x_zp) * (x2 - x2_zp) * m) as MLAS computes it: the
 * integer product (exact in float32) times m rounded once, then y_zp
 * added and rounded once (no contraction: lf_kqlinear.h). fma(A1, m, -0)
 * and fma(y_zp, 1, .) round the same values the same way, so these are
 * the bytes of the two fmas the lane was, at about half the fabric: a
 * lane is the 9 x 9-bit product, its conversion, a float multiply and a
 * float add, all in fabric, and the rounding (scripts/hw-config-check
 * counts them: "mul" lanes).
 */
LF_INLINE lf_i32 lfk_qadd_mul(const struct lfk_qadd *q, lf_i32 x, lf_i32 x2)
{
	/* |.| <= 255 * 255, exact in float32. */
	lf_i32 prod = (x - q->x_zp) * (x2 - q->x2_zp);
#pragma HLS BIND_OP variable=prod op=mul impl=fabric
	/* In fabric (LUTs), not DSPs: add.c's lanes (scripts/hw-config-check
	 * counts their LUTs; UG1399 "BIND_OP": fmul / fadd impl=fabric;
	 * UNVERIFIED, no csynth). */
	float inner = (float)prod * q->b1;
#pragma HLS BIND_OP variable=inner op=fmul impl=fabric
	float v = q->fz + inner;
#pragma HLS BIND_OP variable=v op=fadd impl=fabric
	lf_i32 y = lfk_quant_clamp(v, q->lo, q->hi);
	return lfk_clamp(y, q->amin, q->amax);
}

/* One element of lane @lane, an add or a mul as q says (a lane that can
 * do either: both built): x and x2 are the operands' values, already
 * decoded. */
LF_INLINE lf_i32 lfk_qadd_one(const struct lfk_qadd *q, lf_u32 lane,
			      lf_i32 x, lf_i32 x2)
{
	if (!q->mul)
		return lfk_qadd_add(q, lane, x, x2);
	return lfk_qadd_mul(q, x, x2);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
#include <immintrin.h>
/*
 * Host C only: an arithmetic right shift of 64-bit lanes by n (AVX2 has
 * none): the floor of v / 2^n is ~floor(~v / 2^n) for v < 0.
 */
__attribute__((target("avx2"), always_inline, unused)) static inline __m256i
lfk_sra64_avx2(__m256i v, __m128i n)
{
	__m256i s = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
	return _mm256_xor_si256(_mm256_srl_epi64(_mm256_xor_si256(v, s), n), s);
}

/*
 * Host C only: what lfk_qadd_add4_avx2 needs of a descriptor, read once
 * per call (y's stores may alias q: char types).
 */
struct lfk_qadd_v {
	const long long *th, *tw;
	/* tl with ts in bit 63 (tl < 2^34): one gather for both */
	lf_u64 tls[LFK_QADD_TAB];
	__m256i lo, pm, vmax, dmask;
	__m128i nh, nl, ls;
	int mode; /* 0: n <= 34, 1: n > 34 (ga <= 0); 2: step 7 (ga > 0) */
};

__attribute__((target("avx2"), always_inline, unused)) static inline void
lfk_qadd_v_init(struct lfk_qadd_v *c, const struct lfk_qadd *q)
{
	c->th = (const long long *)q->th[0];
	c->tw = (const long long *)q->tw[0];
	for (lf_u32 i = 0; i < LFK_QADD_TAB; i++)
		c->tls[i] = q->tl[0][i] | (lf_u64)(q->ts[0][i] != 0) << 63;
	c->lo = _mm256_set1_epi64x(q->lo);
	c->pm = _mm256_set1_epi64x(q->pm);
	c->vmax = _mm256_set1_epi64x(q->vmax);
	c->mode = q->ga > 0 ? 2 : q->n > LFK_QADD_FB;
	lf_u32 d = c->mode == 1 ? q->n - LFK_QADD_FB : 0;
	c->dmask = _mm256_set1_epi64x(((long long)1 << d) - 1);
	c->nh = _mm_cvtsi32_si128(q->n < 63u ? (int)q->n : 63);
	c->nl = _mm_cvtsi32_si128(c->mode == 1 ? (int)d
					       : (int)(LFK_QADD_FB - q->n));
	c->ls = _mm_cvtsi32_si128((int)q->ls);
}

/*
 * Host C only: lfk_qadd_add for 4 lanes, P and Q in 64-bit lanes (their
 * values), y in 64-bit lanes before the two clamps (-512 / 512 for the
 * saturated sums, as lfk_qadd_y). The same integers step by step: the
 * 9 x 24-bit product (vpmuldq), the table's entries at Q - lo by gathers
 * (tl and ts together from lfk_qadd_v's tls), lfk_fx's shifts (the
 * descriptor's n), the 70-bit sum as hi + lo with lo's carry,
 * lfk_qadd_y's compares. E = bitlength(m)
 * - 1 is the exponent of m as a float32 (exact: m < 512 where it
 * matters; other lanes are replaced by step 5's -512 / 512, and m = 0 by
 * the h = +-0.5 case); ulo / uhi by vpsllvq. tw is 0 for ga <= 0
 * (lfk_qadd_tab writes W only for step 7), so it is read only there.
 * kernels_qadd checks every (P, Q) pair of every coefficient set against
 * lfk_qadd_add.
 */
__attribute__((target("avx2"), always_inline, unused)) static inline __m256i
lfk_qadd_add4_avx2(const struct lfk_qadd_v *c, __m256i p, __m256i r)
{
	const __m256i zero = _mm256_setzero_si256();
	const __m256i one = _mm256_set1_epi64x(1);
	const __m256i fm = _mm256_set1_epi64x((long long)LFK_QADD_FM);
	const __m256i i = _mm256_sub_epi64(r, c->lo);
	__m256i th = _mm256_i64gather_epi64(c->th, i, 8);
	__m256i tl = _mm256_i64gather_epi64((const long long *)c->tls, i, 8);
	__m256i st = _mm256_cmpgt_epi64(zero, tl); /* ts, as a mask */
	tl = _mm256_and_si256(tl, fm);
	__m256i v = _mm256_mul_epi32(p, c->pm);
	__m256i ah, al;
	if (c->mode == 0) { /* lfk_fx(v, n), n <= 34 */
		ah = lfk_sra64_avx2(v, c->nh);
		al = _mm256_and_si256(_mm256_sll_epi64(v, c->nl), fm);
	} else if (c->mode == 1) { /* lfk_fx(v, n), d = n - 34 */
		ah = lfk_sra64_avx2(v, c->nh);
		al = _mm256_and_si256(lfk_sra64_avx2(v, c->nl), fm);
		__m256i rest = _mm256_and_si256(v, c->dmask);
		st = _mm256_or_si256(
		    st, _mm256_xor_si256(_mm256_cmpeq_epi64(rest, zero),
					 _mm256_set1_epi64x(-1)));
	} else { /* step 7 */
		v = _mm256_add_epi64(v, _mm256_i64gather_epi64(c->tw, i, 8));
		__m256i out = _mm256_or_si256(
		    _mm256_cmpgt_epi64(v, c->vmax),
		    _mm256_cmpgt_epi64(_mm256_sub_epi64(zero, c->vmax), v));
		ah = _mm256_blendv_epi8(_mm256_sll_epi64(v, c->ls),
					_mm256_set1_epi64x(LFK_QADD_LO), out);
		al = zero;
	}
	__m256i lo = _mm256_add_epi64(al, tl);
	__m256i hi = _mm256_add_epi64(_mm256_add_epi64(ah, th),
				      _mm256_srli_epi64(lo, LFK_QADD_FB));
	lo = _mm256_and_si256(lo, fm);
	/* lfk_qadd_y: m = k or -k - 1 (~k); 10 + E from m's float32 */
	__m256i neg = _mm256_cmpgt_epi64(zero, hi);
	__m256i m = _mm256_and_si256(_mm256_xor_si256(hi, neg),
				     _mm256_set1_epi64x(511));
	__m256i e10 = _mm256_sub_epi64(
	    _mm256_srli_epi64(
		_mm256_castps_si256(_mm256_cvtepi32_ps(m)), 23),
	    _mm256_set1_epi64x(127 - 10));
	__m256i z = _mm256_cmpeq_epi64(m, zero);
	__m256i n1 = _mm256_srli_epi64(neg, 63);
	__m256i ulo = _mm256_sllv_epi64(
	    one, _mm256_blendv_epi8(
		     e10, _mm256_add_epi64(n1, _mm256_set1_epi64x(8)), z));
	__m256i uhi = _mm256_sllv_epi64(
	    one, _mm256_blendv_epi8(
		     e10, _mm256_sub_epi64(_mm256_set1_epi64x(9), n1), z));
	const __m256i hf = _mm256_set1_epi64x((long long)1 << (LFK_QADD_FB - 1));
	__m256i a = _mm256_add_epi64(hf, uhi);
	__m256i kodd = _mm256_cmpeq_epi64(_mm256_and_si256(hi, one), one);
	__m256i up = _mm256_or_si256(
	    _mm256_or_si256(_mm256_cmpgt_epi64(lo, a),
			    _mm256_and_si256(_mm256_cmpeq_epi64(lo, a), st)),
	    _mm256_andnot_si256(
		_mm256_cmpgt_epi64(_mm256_sub_epi64(hf, ulo), lo), kodd));
	__m256i y = _mm256_sub_epi64(hi, up);
	/* step 5, in lfk_qadd_y's order: 512, then -512 over it */
	y = _mm256_blendv_epi8(y, _mm256_set1_epi64x(512),
			       _mm256_cmpgt_epi64(hi, _mm256_set1_epi64x(255)));
	__m256i sl = _mm256_or_si256(
	    _mm256_cmpgt_epi64(hi, _mm256_set1_epi64x(((long long)1 << 31) - 65)),
	    _mm256_cmpgt_epi64(_mm256_set1_epi64x(-256), hi));
	return _mm256_blendv_epi8(y, _mm256_set1_epi64x(-512), sl);
}

/*
 * Host C only (hls/README.md "Emulator speed"): nb beats of lfk_qadd_one,
 * for a caller that checked the CPU has AVX2 and FMA3. y[v] from x[v]
 * and x2[v] (x2 NULL: the values bq[] in every beat); y may be x or x2
 * (each beat is read whole before it is written). An add runs
 * lfk_qadd_add's integers 4 lanes at a time (lfk_qadd_add4_avx2), a mul 8
 * lanes at a time, the same bytes as lfk_qadd_mul: the operands' values
 * converted exactly, the multiply and the add rounded once each as
 * float32 (vmulps, vaddps), then lfk_quant_clamp: NaN and |v| >= 2^31 give
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
	/* the low dwords of two 4 x 64-bit results in order */
	const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
	const lf_u32 swap = q->swap, mul = q->mul;
	struct lfk_qadd_v qv;
	if (!mul) /* a mul's struct has no table */
		lfk_qadd_v_init(&qv, q);
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
			__m256i o;
			if (!mul) {
				/* P and Q, 4 lanes at a time in 64 bits */
				__m256i pv = swap ? x2v : xv;
				__m256i rv = swap ? xv : x2v;
				__m256i y0 = lfk_qadd_add4_avx2(
				    &qv,
				    _mm256_cvtepi32_epi64(
					_mm256_castsi256_si128(pv)),
				    _mm256_cvtepi32_epi64(
					_mm256_castsi256_si128(rv)));
				__m256i y1 = lfk_qadd_add4_avx2(
				    &qv,
				    _mm256_cvtepi32_epi64(
					_mm256_extracti128_si256(pv, 1)),
				    _mm256_cvtepi32_epi64(
					_mm256_extracti128_si256(rv, 1)));
				o = _mm256_permute2x128_si256(
				    _mm256_permutevar8x32_epi32(y0, even),
				    _mm256_permutevar8x32_epi32(y1, even), 0x20);
			} else {
				/* mul: A1 = the exact product, A2 = y_zp */
				__m256 a1 = _mm256_cvtepi32_ps(
				    _mm256_mullo_epi32(
					_mm256_sub_epi32(xv, zx),
					_mm256_sub_epi32(x2v, zx2)));
				__m256 in = _mm256_mul_ps(a1, b1);
				__m256 f = _mm256_add_ps(fz, in);
				/* NaN or |f| >= 2^31: -512 */
				__m256 big = _mm256_cmp_ps(
				    _mm256_and_ps(f, absm), two31,
				    _CMP_NLT_UQ);
				f = _mm256_blendv_ps(f, vlo, big);
				f = _mm256_min_ps(_mm256_max_ps(f, vlo), vhi);
				f = _mm256_round_ps(f,
						    _MM_FROUND_TO_NEAREST_INT |
							_MM_FROUND_NO_EXC);
				o = _mm256_cvtps_epi32(f);
			}
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
