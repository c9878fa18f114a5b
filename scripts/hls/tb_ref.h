/*
 * tb_ref.h - plain-loop references for the testbenches of lfk_pool,
 * lfk_add and lfk_engine (tb_pool.c, tb_add.c, tb_engine.c): the formulas
 * of hls/lf_desc.h written as directly as possible, one output element at
 * a time, independently of the kernels' tiling, row buffers and lanes.
 * Testbench code: CPU only (vitis_hls csim/cosim, or gcc via `make
 * hls-tb`), so it uses libm (fmaf, nearbyintf).
 *
 * Float arithmetic is written operation by operation; the pragma keeps a
 * compiler from contracting a product and a sum into an fma (gcc in
 * -std=c11 mode does not contract anyway).
 */
#ifndef TB_REF_H
#define TB_REF_H

/* Each testbench uses some of the helpers here and in tb_common.h. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include "tb_common.h"

#pragma STDC FP_CONTRACT OFF

static lf_i32 tb_type_min(lf_u32 t)
{
	return t == LF_KDT_U8 ? 0 : -128;
}

static lf_i32 tb_type_max(lf_u32 t)
{
	return t == LF_KDT_U8 ? 255 : 127;
}

static lf_i32 tb_clamp(lf_i32 v, lf_i32 lo, lf_i32 hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static float tb_get_f32(const lf_u8 *p, lf_u32 off)
{
	lf_u32 u = (lf_u32)tb_get_i32(p, off);
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

/*
 * x86's cvtss2si after rint, as ORT converts: NaN and |v| >= 2^31 give
 * INT32_MIN (the testbenches keep their values far from that).
 */
static lf_i32 tb_cvt(float v)
{
	float r = nearbyintf(v);
	if (!(r > -2147483648.0f && r < 2147483648.0f))
		return (lf_i32)0x80000000u;
	return (lf_i32)r;
}

/* Output size of a window: floor, or ceil_mode when ceil is set. */
static lf_u32 tb_pool_out(lf_u32 in, lf_u32 k, lf_u32 s, lf_u32 dil, lf_u32 p0,
			  lf_u32 p1, int ceil)
{
	lf_u32 room = in + p0 + p1 - ((k - 1) * dil + 1);
	return (ceil ? (room + s - 1) / s : room / s) + 1;
}

/* Max / average / global average pooling of descriptor d: src -> dst. */
static void tb_pool_ref(const lf_desc *d, const lf_u8 *src, lf_u8 *dst)
{
	lf_u32 planes = d->n * d->ic, image = d->ih * d->iw;
	lf_i32 lo = tb_type_min(d->x_type), hi = tb_type_max(d->x_type);
	int global = d->op == LF_KOP_AVGPOOL && d->kh == d->ih &&
		     d->kw == d->iw && d->pad_t == 0 && d->pad_l == 0 &&
		     d->pad_b == 0 && d->pad_r == 0;
	for (lf_u32 p = 0; p < planes; p++) {
		const lf_u8 *x = src + d->x_off + p * image;
		if (global) {
			lf_i32 sum = 0;
			for (lf_u32 i = 0; i < image; i++)
				sum += tb_val(d->x_type, x[i]);
			float scale = d->x_scale / (d->y_scale * (float)image);
			float f =
			    (float)(sum - d->x_zp * (lf_i32)image) * scale;
			float flo = (float)(lo - d->y_zp);
			float fhi = (float)(hi - d->y_zp);
			f = f < flo ? flo : (f > fhi ? fhi : f);
			lf_i32 q = (lf_i32)nearbyintf(f) + d->y_zp;
			dst[d->y_off + p] =
			    (lf_u8)tb_clamp(q, d->act_min, d->act_max);
			continue;
		}
		for (lf_u32 oy = 0; oy < d->oh; oy++)
			for (lf_u32 ox = 0; ox < d->ow; ox++) {
				lf_i32 mx = lo;
				float s = 0.0f;
				lf_u32 taps = 0;
				for (lf_u32 a = 0; a < d->kh; a++)
					for (lf_u32 b = 0; b < d->kw; b++) {
						lf_i32 iy =
						    (lf_i32)(oy * d->stride_h +
							     a * d->dil_h) -
						    (lf_i32)d->pad_t;
						lf_i32 ix =
						    (lf_i32)(ox * d->stride_w +
							     b * d->dil_w) -
						    (lf_i32)d->pad_l;
						if (iy < 0 ||
						    iy >= (lf_i32)d->ih ||
						    ix < 0 ||
						    ix >= (lf_i32)d->iw)
							continue;
						lf_i32 v = tb_val(
						    d->x_type,
						    x[(lf_u32)iy * d->iw +
						      (lf_u32)ix]);
						if (v > mx)
							mx = v;
						float dq = d->x_scale *
							   (float)(v - d->x_zp);
						s = s + dq;
						taps++;
					}
				lf_i32 q = mx;
				if (d->op == LF_KOP_AVGPOOL) {
					float den = (d->flags & LF_DF_COUNT_PAD)
							? (float)(d->kh * d->kw)
							: (float)taps;
					float avg = s / den;
					float r =
					    avg / d->y_scale + (float)d->y_zp;
					q = tb_clamp(tb_cvt(r), lo, hi);
				}
				dst[d->y_off + (p * d->oh + oy) * d->ow + ox] =
				    (lf_u8)tb_clamp(q, d->act_min, d->act_max);
			}
	}
}

/* QLinearAdd of descriptor d (lf_desc.h's formula): src -> dst. */
static void tb_add_ref(const lf_desc *d, const lf_u8 *src, lf_u8 *dst)
{
	int swap = (d->flags & LF_DF_SWAP) != 0;
	float rx = d->x_scale / d->y_scale;
	float rx2 = d->x2_scale / d->y_scale;
	float rp = swap ? rx2 : rx, rq = swap ? rx : rx2;
	float zp = (float)(swap ? d->x2_zp : d->x_zp);
	float zq = (float)(swap ? d->x_zp : d->x2_zp);
	float tq = rq * zq;
	float fixed = (float)d->y_zp - fmaf(rp, zp, tq);
	/* QLinearMul (LF_KOP_MUL): MLAS's multiply, then add. */
	int mul = d->op == LF_KOP_MUL;
	float m = d->x_scale * d->x2_scale / d->y_scale;
	lf_u32 inner = d->ih * d->iw;
	lf_u32 count = d->n * d->ic * inner;
	lf_i32 lo = tb_type_min(d->x_type), hi = tb_type_max(d->x_type);
	for (lf_u32 e = 0; e < count; e++) {
		lf_u32 c = (e / inner) % d->ic;
		lf_u32 i2 = (d->flags & LF_DF_X2_SCALAR)   ? 0
			    : (d->flags & LF_DF_X2_PER_CH) ? c
			    : (d->flags & LF_DF_X2_PER_NC) ? e / inner
							   : e;
		lf_i32 x = tb_val(d->x_type, src[d->x_off + e]);
		lf_i32 x2 = tb_val(d->x_type, src[d->x2_off + i2]);
		lf_i32 p = swap ? x2 : x, q = swap ? x : x2;
		float v = fmaf((float)p, rp, fmaf((float)q, rq, fixed));
		if (mul) {
			float pr =
			    (float)(x - d->x_zp) * (float)(x2 - d->x2_zp);
			float t = pr * m;
			v = t + (float)d->y_zp;
		}
		lf_i32 y = tb_clamp(tb_cvt(v), lo, hi);
		dst[d->y_off + e] = (lf_u8)tb_clamp(y, d->act_min, d->act_max);
	}
}

/* Conv2d of descriptor d (any groups, 8-bit or int32 output): x in src,
 * constants in prm, y written to dst. */
static void tb_conv_ref(const lf_desc *d, const lf_u8 *prm, const lf_u8 *src,
			lf_u8 *dst)
{
	lf_u32 icg = d->ic / d->groups, ocg = d->oc / d->groups;
	lf_u32 nq = (d->flags & LF_DF_W_PER_CH) ? d->oc : 1;
	for (lf_u32 n = 0; n < d->n; n++)
		for (lf_u32 o = 0; o < d->oc; o++) {
			lf_u32 g = o / ocg, q = nq == 1 ? 0 : o;
			lf_i32 wzp = tb_get_i32(prm, d->w_zp_off + 4 * q);
			for (lf_u32 y = 0; y < d->oh; y++)
				for (lf_u32 x = 0; x < d->ow; x++) {
					lf_u32 acc =
					    (d->flags & LF_DF_BIAS)
						? (lf_u32)tb_get_i32(
						      prm, d->bias_off + 4 * o)
						: 0u;
					for (lf_u32 c = 0; c < icg; c++)
						for (lf_u32 a = 0; a < d->kh;
						     a++)
							for (lf_u32 b = 0;
							     b < d->kw; b++) {
								lf_i32 hh =
								    (lf_i32)(y * d->stride_h +
									     a * d->dil_h) -
								    (lf_i32)d
									->pad_t;
								lf_i32 ww =
								    (lf_i32)(x * d->stride_w +
									     b * d->dil_w) -
								    (lf_i32)d
									->pad_l;
								lf_i32 xv =
								    d->x_zp;
								if (hh >= 0 &&
								    hh <
									(lf_i32)d
									    ->ih &&
								    ww >= 0 &&
								    ww <
									(lf_i32)d
									    ->iw)
									xv = tb_val(
									    d->x_type,
									    src[d->x_off +
										((n * d->ic +
										  g * icg +
										  c) *
										     d->ih +
										 (lf_u32)
										     hh) *
										    d->iw +
										(lf_u32)
										    ww]);
								lf_i32 wv = tb_val(
								    d->w_type,
								    prm[d->w_off +
									((o * icg +
									  c) *
									     d->kh +
									 a) *
									    d->kw +
									b]);
								acc +=
								    (lf_u32)((xv -
									      d->x_zp) *
									     (wv -
									      wzp));
							}
					lf_u32 e =
					    ((n * d->oc + o) * d->oh + y) *
						d->ow +
					    x;
					if (d->y_type == LF_KDT_I32) {
						tb_put_i32(dst,
							   d->y_off + 4 * e,
							   (lf_i32)acc);
					} else {
						float m;
						lf_u32 u = (lf_u32)tb_get_i32(
						    prm, d->mult_off + 4 * q);
						memcpy(&m, &u, sizeof m);
						dst[d->y_off + e] =
						    (lf_u8)tb_requant(
							(lf_i32)acc, m, d->y_zp,
							d->act_min, d->act_max);
					}
				}
		}
}

/* Matmul of descriptor d (B in prm, or in src with LF_DF_B_ACT; 8-bit or
 * int32 output). */
static void tb_mm_ref(const lf_desc *d, const lf_u8 *prm, const lf_u8 *src,
		      lf_u8 *dst)
{
	int b_act = (d->flags & LF_DF_B_ACT) != 0;
	lf_u32 nq = (d->flags & LF_DF_W_PER_CH) ? d->mm_n : 1;
	const lf_u8 *bsrc = b_act ? src : prm;
	lf_u32 b_off = b_act ? d->x2_off : d->w_off;
	for (lf_u32 bt = 0; bt < d->mm_batch; bt++) {
		lf_u32 wb = d->mm_w_batch == 1 ? 0 : bt;
		for (lf_u32 i = 0; i < d->mm_m; i++)
			for (lf_u32 j = 0; j < d->mm_n; j++) {
				lf_u32 q = nq == 1 ? 0 : j;
				lf_i32 wzp =
				    b_act
					? d->x2_zp
					: tb_get_i32(prm, d->w_zp_off + 4 * q);
				lf_u32 acc = (d->flags & LF_DF_BIAS)
						 ? (lf_u32)tb_get_i32(
						       prm, d->bias_off + 4 * j)
						 : 0u;
				for (lf_u32 k = 0; k < d->mm_k; k++) {
					lf_i32 a = tb_val(
					    d->x_type,
					    src[d->x_off +
						(bt * d->mm_m + i) * d->mm_k +
						k]);
					lf_i32 b = tb_val(
					    d->w_type,
					    bsrc[b_off +
						 (wb * d->mm_k + k) * d->mm_n +
						 j]);
					acc +=
					    (lf_u32)((a - d->x_zp) * (b - wzp));
				}
				lf_u32 e = (bt * d->mm_m + i) * d->mm_n + j;
				if (d->y_type == LF_KDT_I32) {
					tb_put_i32(dst, d->y_off + 4 * e,
						   (lf_i32)acc);
				} else {
					float m;
					lf_u32 u = (lf_u32)tb_get_i32(
					    prm, d->mult_off + 4 * q);
					memcpy(&m, &u, sizeof m);
					dst[d->y_off + e] = (lf_u8)tb_requant(
					    (lf_i32)acc, m, d->y_zp, d->act_min,
					    d->act_max);
				}
			}
	}
}

#endif /* TB_REF_H */
