/*
 * blk_interp.h - the blocked layout of hls/lf_desc.h ("Blocked layout
 * (LF_DF_BLK ...)") written from its text for the tests, apart from
 * hostlib/plan/blk.c and from the kernels: conversion loops and an
 * interpreter of a blocked conv descriptor. Used by the tiling suite and
 * by the test engine build/tests/emu_blk.so (test_blk_kernel.c).
 *
 * Byte (i, ch, y, x) of an n x c x h x w tensor blocked is at
 * (((i * cb + ch / 64) * h + y) * w + x) * 64 + ch % 64, cb = ceil(c / 64).
 */
#ifndef LF_TEST_BLK_INTERP_H
#define LF_TEST_BLK_INTERP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lf_desc.h"

struct t4 {
	uint64_t n, c, h, w;
};

static inline uint64_t t_cb(uint64_t c)
{
	return (c + 63) / 64;
}

static inline uint64_t t_blk_bytes(struct t4 s)
{
	return s.n * t_cb(s.c) * s.h * s.w * 64;
}

static inline uint64_t t_blk_at(struct t4 s, uint64_t i, uint64_t ch,
				uint64_t y, uint64_t x)
{
	return (((i * t_cb(s.c) + ch / 64) * s.h + y) * s.w + x) * 64 + ch % 64;
}

/* NCHW -> blocked, pad lanes @pad. */
static inline void t_to_blk(struct t4 s, const uint8_t *x, uint8_t *b,
			    uint8_t pad)
{
	memset(b, pad, t_blk_bytes(s));
	for (uint64_t i = 0; i < s.n; i++)
		for (uint64_t ch = 0; ch < s.c; ch++)
			for (uint64_t y = 0; y < s.h; y++)
				for (uint64_t xx = 0; xx < s.w; xx++)
					b[t_blk_at(s, i, ch, y, xx)] =
					    x[((i * s.c + ch) * s.h + y) * s.w +
					      xx];
}

static inline void t_from_blk(struct t4 s, const uint8_t *b, uint8_t *x)
{
	for (uint64_t i = 0; i < s.n; i++)
		for (uint64_t ch = 0; ch < s.c; ch++)
			for (uint64_t y = 0; y < s.h; y++)
				for (uint64_t xx = 0; xx < s.w; xx++)
					x[((i * s.c + ch) * s.h + y) * s.w +
					  xx] = b[t_blk_at(s, i, ch, y, xx)];
}

static inline int32_t t_ld(uint32_t type, const uint8_t *p)
{
	return type == LF_KDT_U8 ? (int32_t)*p : (int32_t)(int8_t)*p;
}

static inline int32_t t_rd32(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Requantization per the formula at the top of lf_desc.h (|v| >= 512
 * saturates; v is never NaN here). */
static inline uint8_t t_requant(const lf_desc *d, int32_t acc, float mult)
{
	float v = (float)acc * mult;
	int32_t q = fabsf(v) >= 512.0f ? (v > 0 ? 100000 : -100000)
				       : (int32_t)rintf(v) + d->y_zp;
	q = q < d->act_min ? d->act_min : q > d->act_max ? d->act_max : q;
	return (uint8_t)q;
}

/* LF_DF_XFOLD: bytes of one compact input row (lf_desc.h "Folded
 * input"): (ow - 1) * stride_w + kw pixels of ic bytes, in whole beats. */
static inline uint64_t t_xfold_row(const lf_desc *d)
{
	uint64_t b = ((d->ow - 1) * d->stride_w + d->kw) * d->ic + 63;
	return b - b % 64;
}

/* One output of a blocked conv: image i, channel o, pixel (y, x), every
 * lane of the weight beats (pad lanes too, as a beat-wide datapath reads
 * them). */
static inline int32_t t_blk_conv_acc(const lf_desc *d, const uint8_t *params,
				     const uint8_t *act, uint64_t i, uint64_t o,
				     uint64_t y, uint64_t x, int32_t wzp)
{
	struct t4 xs = {d->n, d->ic, d->ih, d->iw};
	uint64_t icb = t_cb(d->ic);
	int32_t acc = 0;
	if (d->flags & LF_DF_XFOLD) {
		/* lf_desc.h "Folded input": the kh x 1 conv over kw * ic lanes;
		 * lane j of column x is byte (x * stride_w) * ic + j of the
		 * compact row (pw = (ow - 1) * stride_w + kw pixels of ic
		 * bytes, in beats), x_zp from lane kw * ic on. */
		uint64_t rowb = t_xfold_row(d);
		for (uint64_t a = 0; a < d->kh; a++) {
			int64_t iy = (int64_t)(y * d->stride_h + a * d->dil_h) -
				     d->pad_t;
			if (iy < 0 || iy >= (int64_t)d->ih)
				continue;
			const uint8_t *row =
			    act + d->x_off + (i * d->ih + (uint64_t)iy) * rowb;
			for (uint64_t j = 0; j < 64; j++) {
				uint64_t wi = (o / 64 * d->kh + a) * 4096 +
					      o % 64 * 64 + j;
				int32_t xv =
				    j < d->kw * d->ic
					? t_ld(d->x_type,
					       row + x * d->stride_w * d->ic +
						   j)
					: d->x_zp;
				acc +=
				    (xv - d->x_zp) *
				    (t_ld(d->w_type, params + d->w_off + wi) -
				     wzp);
			}
		}
		return acc;
	}
	for (uint64_t a = 0; a < d->kh; a++)
		for (uint64_t b = 0; b < d->kw; b++) {
			int64_t iy = (int64_t)(y * d->stride_h + a * d->dil_h) -
				     d->pad_t;
			int64_t ix = (int64_t)(x * d->stride_w + b * d->dil_w) -
				     d->pad_l;
			if (iy < 0 || ix < 0 || iy >= (int64_t)d->ih ||
			    ix >= (int64_t)d->iw)
				continue;
			for (uint64_t c = 0; c < icb * 64; c++) {
				/* w_pk[ocb][a][b][icb][o][i] */
				uint64_t wi =
				    (((o / 64 * d->kh + a) * d->kw + b) * icb +
				     c / 64) *
					4096 +
				    o % 64 * 64 + c % 64;
				int32_t xv =
				    t_ld(d->x_type,
					 act + d->x_off +
					     t_blk_at(xs, i, c, (uint64_t)iy,
						      (uint64_t)ix));
				int32_t wv =
				    t_ld(d->w_type, params + d->w_off + wi);
				acc += (xv - d->x_zp) * (wv - wzp);
			}
		}
	return acc;
}

/*
 * A blocked conv descriptor: weights w_pk at w_off, one 16-byte record
 * { bias, w_zp, mult, 0 } per output channel at w_zp_off. Pad lanes of y
 * are written 0.
 */
static inline void t_blk_conv(const lf_desc *d, const uint8_t *params,
			      uint8_t *act)
{
	struct t4 ys = {d->n, d->oc, d->oh, d->ow};
	memset(act + d->y_off, 0, t_blk_bytes(ys));
	for (uint64_t i = 0; i < d->n; i++)
		for (uint64_t o = 0; o < d->oc; o++) {
			const uint8_t *rec = params + d->w_zp_off + 16 * o;
			int32_t bias = t_rd32(rec), wzp = t_rd32(rec + 4);
			float mult;
			memcpy(&mult, rec + 8, 4);
			for (uint64_t y = 0; y < d->oh; y++)
				for (uint64_t x = 0; x < d->ow; x++) {
					int32_t acc =
					    bias + t_blk_conv_acc(d, params,
								  act, i, o, y,
								  x, wzp);
					act[d->y_off +
					    t_blk_at(ys, i, o, y, x)] =
					    t_requant(d, acc, mult);
				}
		}
}

#endif /* LF_TEST_BLK_INTERP_H */
