/*
 * test_kernels_blk.c - the blocked conv datapath (LF_DF_BLK, lf_desc.h
 * "Blocked layout"; hls/lf_conv_blk.h) of the host-C lfk_conv2d and
 * lfk_engine against the CPU reference, byte for byte.
 *
 * The reference is hostlib/cpu's NCHW lf__ref_qconv2d. This file converts
 * its input to the blocked layout and packs the weights and per-channel
 * records itself, from lf_desc.h's text (independent of hostlib/plan and
 * of the kernel), then converts the expected output back: the real lanes
 * must equal the reference, the pad lanes the byte lf_desc.h's formula
 * gives for accumulator 0 and a zero record, and nothing else in act may
 * change. Input pad lanes hold random bytes (not x_zp), so a pad lane that
 * leaked into a real output would show.
 *
 * Also: every rejection (status, act untouched), and the modeled cycles of
 * a ResNet-style 3x3 64->64 56x56 layer and a 7x7 stride-2 stem against
 * the array's peak (printed; the 3x3 must be MAC-bound). The OpenCL build
 * runs the same launches (test_kernels_opencl.c, lf_kc_blk_cases).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_pipes.h"
#include "lf_test.h"
#include "unit/kernel_cases.h"

#define BLK 64

/*
 * The shapes: every edge of the datapath. The default build's limits
 * (lf_config.h) hold them all: kh * kw * ceil(ic / 64) <= LF_BLK_WBEATS,
 * iw, ow <= LF_BLK_IW_MAX, whole rows of the window in LF_BLK_LBEATS.
 */
const struct lf_kc_blk lf_kc_blk_cases[] = {
    /* n ic ih iw oc kh kw sh sw pt pl pb pr dh dw xt wt perch bias relu
     * dwise fold */
    /* 3x3 pad 1, one block each way */
    {1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0},
    /* ic and oc not multiples of 64, int8, batch 2, ow % PIX != 0 */
    {2, 70, 7, 9, 100, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
    /* 1x1, three input blocks, oc below one block */
    {1, 130, 5, 6, 33, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0},
    /* 3x3 stride 2 pad 1, odd sizes, two output blocks */
    {1, 64, 9, 11, 128, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0},
    /* 7x7 stride 2 pad 3 stem, ic = 3, batch 2 */
    {2, 3, 32, 32, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 0, 1, 1, 1, 0, 0, 0},
    /* fused ReLU, per-tensor w_zp, int8 x, uint8 w */
    {1, 48, 6, 6, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0},
    /* dilation 2, pad 2, uint8 */
    {1, 20, 9, 8, 24, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 0, 0, 0, 0},
    /* 1x1 stride 2 (the window is shorter than the stride) */
    {3, 64, 8, 10, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    /* 1x1 stride 2, no pads: every second row and column in the line
     * buffer (lf_conv_blk.h blk_compact); odd ih and iw, 10 input blocks
     * of ow = 16 beats a row: bands of fewer rows than oh, 2 output
     * blocks, int8 x, batch 2 */
    {2, 640, 9, 31, 96, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0},
    /* the same with a pad: not compacted (column 0 is padding) */
    {1, 130, 7, 9, 70, 1, 1, 2, 2, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0},
    /* a ring of 8 rows over 20 (icb 2 x iw 64 beats a row): band loads */
    {1, 100, 20, 64, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
    /* 1x1 input, 3x3 pad 1: all but the centre tap is padding */
    {2, 64, 1, 1, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0},
    /* asymmetric pads, kernel wider than tall, ReLU */
    {1, 65, 5, 7, 65, 2, 5, 1, 1, 0, 2, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0},
    /* stride 2 on rows only, 3 output blocks, int8 */
    {1, 128, 12, 5, 130, 3, 1, 2, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0},
    /* row packs (lf_conv_blk.h blk_pk): ow = 14, two rows a pass, a ring
     * of 9 rows over 14 (band loads, runs of odd length: a short last
     * pack), int8 x */
    {1, 200, 14, 14, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0},
    /* row packs: 1x1 on 7x7, four rows a pass (4 + 3), batch 2 */
    {2, 480, 7, 7, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0},
    /* row packs: 3x3 p1 on 5 x 6 (two rows a pass, 2 + 2 + 1), ReLU */
    {1, 256, 5, 6, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    /* depthwise (groups == ic == oc): 3x3 s1 p1, c = 100 (pad lanes),
     * batch 2, uint8, per-channel w_zp, ReLU6-style clamp */
    {2, 100, 9, 10, 100, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2, 1, 0},
    /* depthwise 3x3 s2 p1 (MobileNetV2's down-sampling), int8, 2 blocks */
    {1, 96, 11, 13, 96, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 0},
    /* depthwise 5x5 s1 p2, c = 40, int8 x, uint8 w, per-tensor w_zp */
    {1, 40, 8, 7, 40, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 1, 0},
    /* depthwise 5x5 s2 p2, c = 64 exactly, batch 3, ReLU */
    {3, 64, 9, 9, 64, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 0, 1, 1, 1, 1, 1, 0},
    /* depthwise 3x3 dilation 2, stride 2 across (one tap column a
     * cycle), c = 70, int8 w */
    {1, 70, 10, 13, 70, 3, 3, 1, 2, 2, 2, 2, 2, 2, 2, 0, 1, 1, 1, 0, 1, 0},
    /* depthwise 2x4 (tap columns in chunks of 3 and 1), asymmetric pads,
     * int8 x, per-channel uint8 w_zp, ReLU */
    {1, 64, 6, 9, 64, 2, 4, 1, 1, 0, 1, 1, 2, 1, 1, 1, 0, 1, 0, 1, 1, 0},
    /* depthwise, a ring of fewer rows than ih (iw 64: 8 rows of 64) */
    {1, 130, 20, 64, 130, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0},
    /* folded input (LF_DF_XFOLD): ResNet's 7x7 s2 p3 stem, ic 3, batch 2:
     * rows of (15 * 2 + 7) * 3 = 111 bytes, 2 beats */
    {2, 3, 32, 31, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 0, 1, 1, 1, 0, 0, 1},
    /* folded: MobileNet's 3x3 s2 p1 stem, int8, ReLU6-style, 100 wide
     * (rows of 303 bytes, 5 beats: 12 rows a burst) */
    {1, 3, 20, 100, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 1},
    /* folded: kw * ic = 64 lanes exactly, asymmetric pads, stride 1 */
    {1, 8, 6, 9, 70, 2, 8, 1, 1, 0, 3, 1, 4, 1, 1, 0, 0, 0, 1, 1, 0, 1},
    /* folded: one row tall (kh 1), stride 3 across, ic 1, a right pad
     * never reached, batch 3 */
    {3, 1, 4, 40, 16, 1, 5, 1, 3, 0, 2, 0, 2, 1, 1, 1, 0, 1, 0, 0, 0, 1},
    /* folded: kw * ic = 64, rows of 63 x 16 = 1008 bytes, 16 beats: 4
     * rows a burst, a shorter last one; odd oc */
    {1, 16, 11, 60, 5, 3, 4, 1, 1, 1, 1, 1, 2, 1, 1, 0, 1, 1, 1, 0, 0, 1},
};
const int lf_kc_blk_ncases =
    (int)(sizeof(lf_kc_blk_cases) / sizeof(lf_kc_blk_cases[0]));

static int tlo(int t)
{
	return t == LF_KDT_U8 ? 0 : -128;
}

static int thi(int t)
{
	return t == LF_KDT_U8 ? 255 : 127;
}

static lf_dtype pub_type(int t)
{
	return t == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
}

static uint32_t cdiv(uint32_t a, uint32_t b)
{
	return (a + b - 1) / b;
}

/* Byte offset of element (i, ch, yy, xx) of a blocked tensor (lf_desc.h). */
static size_t blk_at(uint32_t c, uint32_t h, uint32_t w, uint32_t i,
		     uint32_t ch, uint32_t yy, uint32_t xx)
{
	uint32_t cb = cdiv(c, BLK);
	return ((((size_t)i * cb + ch / BLK) * h + yy) * w + xx) * BLK +
	       ch % BLK;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void *xcalloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "kernel tests: out of memory\n");
		abort();
	}
	return p;
}

int lf_kc_blk_conv(uint64_t seed, const struct lf_kc_blk *c,
		   struct lf_kc_launch *l)
{
	struct lf_rng r;
	lf_rng_seed(&r, seed);
	memset(l, 0, sizeof *l);
	int oh = lf__ref_out_dim(c->ih, c->kh, c->sh, c->pt, c->pb, c->dh);
	int ow = lf__ref_out_dim(c->iw, c->kw, c->sw, c->pl, c->pr, c->dw);
	if (oh <= 0 || ow <= 0)
		return -1;
	uint32_t icb = cdiv((uint32_t)c->ic, BLK),
		 ocb = cdiv((uint32_t)c->oc, BLK);
	size_t nx = (size_t)c->n * c->ic * c->ih * c->iw;
	int icg = c->dwise ? 1 : c->ic; /* input channels per group */
	if (c->dwise && c->oc != c->ic)
		return -1;
	size_t nw = (size_t)c->oc * icg * c->kh * c->kw;
	size_t ny = (size_t)c->n * c->oc * oh * ow;
	uint8_t *x = xcalloc(nx), *w = xcalloc(nw), *y = xcalloc(ny);
	int32_t *wzp = xcalloc(sizeof(int32_t) * (size_t)c->oc);
	int32_t *bias = xcalloc(sizeof(int32_t) * (size_t)c->oc);
	float *wsc = xcalloc(sizeof(float) * (size_t)c->oc);

	for (size_t i = 0; i < nx; i++)
		x[i] = (uint8_t)lf_rng_u32(&r);
	for (size_t i = 0; i < nw; i++)
		w[i] = (uint8_t)lf_rng_u32(&r);
	int32_t x_zp = lf_kc_pick_zp(&r, c->xt);
	int32_t y_zp = lf_kc_pick_zp(&r, LF_KDT_U8);
	int yt = LF_KDT_U8;
	if (c->xt == LF_KDT_I8) { /* y follows x's type, as QLinearConv */
		yt = LF_KDT_I8;
		y_zp -= 128;
	}
	int nq = c->per_ch ? c->oc : 1;
	for (int o = 0; o < nq; o++) {
		wzp[o] = lf_kc_pick_zp(&r, c->wt);
		wsc[o] = 0.001f + (float)lf_rng_range(&r, 0, 1000) * 1e-5f;
	}
	for (int o = 0; o < c->oc; o++)
		bias[o] = lf_rng_range(&r, -20000, 20000);
	float x_scale = 0.02f + (float)lf_rng_range(&r, 0, 100) * 1e-4f;
	/* y_scale so the outputs spread over the type, some saturating. */
	float k = sqrtf((float)(icg * c->kh * c->kw));
	float y_scale = x_scale * wsc[0] * k * 5500.0f / 45.0f;
	int32_t act_min = c->relu ? y_zp : tlo(yt), act_max = thi(yt);
	if (c->relu == 2) /* ReLU6-style: a top below the type's */
		act_max = y_zp + (thi(yt) - y_zp) / 2;

	struct lf_ref_qconv rq = {
	    .x_type = pub_type(c->xt),
	    .w_type = pub_type(c->wt),
	    .y_type = pub_type(yt),
	    .n = c->n,
	    .ic = c->ic,
	    .ih = c->ih,
	    .iw = c->iw,
	    .oc = c->oc,
	    .kh = c->kh,
	    .kw = c->kw,
	    .stride_h = c->sh,
	    .stride_w = c->sw,
	    .pad_t = c->pt,
	    .pad_l = c->pl,
	    .pad_b = c->pb,
	    .pad_r = c->pr,
	    .dil_h = c->dh,
	    .dil_w = c->dw,
	    .groups = c->dwise ? c->ic : 1,
	    .x_zp = x_zp,
	    .y_zp = y_zp,
	    .w_zp = wzp,
	    .w_zp_count = nq,
	    .x_scale = x_scale,
	    .y_scale = y_scale,
	    .w_scale = wsc,
	    .w_scale_count = nq,
	    .bias = c->bias ? bias : NULL,
	    .act_min = act_min,
	    .act_max = act_max,
	};
	if (lf__ref_qconv2d(&rq, x, w, y) != LF_OK) {
		free(x), free(w), free(y), free(wzp), free(bias), free(wsc);
		return -1;
	}

	/* params: packed weights, then the records, both on beats.
	 * Depthwise (lf_desc.h): w_pk[cb][a][b][l], pad lanes 0. */
	if (c->fold && (c->dwise || c->dw != 1 || c->kw * c->ic > BLK)) {
		free(x), free(w), free(y), free(wzp), free(bias), free(wsc);
		return -1;
	}
	size_t wpk = c->dwise  ? (size_t)ocb * c->kh * c->kw * BLK
		     : c->fold ? (size_t)ocb * c->kh * BLK * BLK
			       : (size_t)ocb * c->kh * c->kw * icb * BLK * BLK;
	uint32_t rec_off = (uint32_t)wpk;
	l->params_bytes = rec_off + ocb * BLK * LF_BLK_REC_BYTES;
	l->params = xcalloc(l->params_bytes);
	for (uint32_t ob = 0; c->dwise && ob < ocb; ob++)
		for (int a = 0; a < c->kh; a++)
			for (int b = 0; b < c->kw; b++)
				for (uint32_t i = 0; i < BLK; i++) {
					uint32_t ch = ob * BLK + i;
					if (ch < (uint32_t)c->oc)
						l->params[(((size_t)ob * c->kh +
							    a) *
							       c->kw +
							   b) *
							      BLK +
							  i] =
						    w[((size_t)ch * c->kh + a) *
							  c->kw +
						      b];
				}
	/* Folded (lf_desc.h "Folded input"): the kh x 1 conv over kw * ic
	 * lanes, lane b * ic + ch = tap (a, b) of channel ch; the rest w_zp. */
	for (uint32_t ob = 0; c->fold && ob < ocb; ob++)
		for (int a = 0; a < c->kh; a++)
			for (uint32_t o = 0; o < BLK; o++) {
				uint32_t oc = ob * BLK + o;
				uint8_t *row =
				    l->params +
				    ((((size_t)ob * c->kh + a) * BLK) + o) *
					BLK;
				if (oc >= (uint32_t)c->oc)
					continue; /* zeros */
				for (uint32_t j = 0; j < BLK; j++) {
					uint32_t b = j / (uint32_t)c->ic,
						 ch = j % (uint32_t)c->ic;
					row[j] =
					    b < (uint32_t)c->kw
						? w[(((size_t)oc * c->ic + ch) *
							 c->kh +
						     a) *
							c->kw +
						    b]
						: (uint8_t)
						      wzp[c->per_ch ? oc : 0];
				}
			}
	for (uint32_t ob = 0; !c->dwise && !c->fold && ob < ocb; ob++)
		for (int a = 0; a < c->kh; a++)
			for (int b = 0; b < c->kw; b++)
				for (uint32_t ib = 0; ib < icb; ib++)
					for (uint32_t o = 0; o < BLK; o++) {
						uint8_t *row =
						    l->params +
						    (((((size_t)ob * c->kh +
							a) *
							   c->kw +
						       b) *
							  icb +
						      ib) *
							 BLK +
						     o) *
							BLK;
						uint32_t oc = ob * BLK + o;
						if (oc >= (uint32_t)c->oc)
							continue; /* zeros */
						int32_t z =
						    wzp[c->per_ch ? oc : 0];
						for (uint32_t i = 0; i < BLK;
						     i++) {
							uint32_t ch =
							    ib * BLK + i;
							row[i] =
							    ch < (uint32_t)c->ic
								? w[(((size_t)oc *
									  c->ic +
								      ch) *
									 c->kh +
								     a) *
									c->kw +
								    b]
								: (uint8_t)z;
						}
					}
	for (int o = 0; o < c->oc; o++) {
		uint8_t *rec =
		    l->params + rec_off + (size_t)o * LF_BLK_REC_BYTES;
		int q = c->per_ch ? o : 0;
		/* lf_desc.h: mult = (x_scale * w_scale) / y_scale, float32 */
		volatile float m = x_scale * wsc[q];
		m = m / y_scale;
		float mf = m;
		uint32_t mb;
		memcpy(&mb, &mf, 4);
		put32(rec, c->bias ? (uint32_t)bias[o] : 0);
		put32(rec + 4, (uint32_t)wzp[q]);
		put32(rec + 8, mb);
	}

	/* act: x blocked (folded: compact rows of pw = (ow - 1) * sw + kw
	 * pixels, ic bytes each, in beats), a 64-byte gap, y blocked. */
	size_t pw = (size_t)(ow - 1) * c->sw + c->kw;
	size_t xrow = (pw * c->ic + BLK - 1) / BLK * BLK;
	size_t xb = c->fold ? (size_t)c->n * c->ih * xrow
			    : (size_t)c->n * icb * c->ih * c->iw * BLK;
	size_t yb = (size_t)c->n * ocb * oh * ow * BLK;
	uint32_t y_off = (uint32_t)xb + BLK;
	l->act_bytes = y_off + (uint32_t)yb;
	l->act = xcalloc(l->act_bytes);
	l->expect = xcalloc(l->act_bytes);
	for (size_t i = 0; i < l->act_bytes; i++) /* gap, x pad lanes */
		l->act[i] = (uint8_t)lf_rng_u32(&r);
	/* folded: pixel q of row (i, yy) is column q - pl, x_zp outside; the
	 * rest of the row's last beat stays random (not read) */
	for (int i = 0; c->fold && i < c->n; i++)
		for (int yy = 0; yy < c->ih; yy++)
			for (size_t q = 0; q < pw; q++)
				for (int ch = 0; ch < c->ic; ch++) {
					long xx = (long)q - c->pl;
					l->act[((size_t)i * c->ih + yy) * xrow +
					       q * c->ic + ch] =
					    xx >= 0 && xx < c->iw
						? x[(((size_t)i * c->ic + ch) *
							 c->ih +
						     yy) *
							c->iw +
						    xx]
						: (uint8_t)x_zp;
				}
	for (int i = 0; !c->fold && i < c->n; i++)
		for (int ch = 0; ch < c->ic; ch++)
			for (int yy = 0; yy < c->ih; yy++)
				for (int xx = 0; xx < c->iw; xx++)
					l->act[blk_at(c->ic, c->ih, c->iw, i,
						      ch, yy, xx)] =
					    x[(((size_t)i * c->ic + ch) *
						   c->ih +
					       yy) *
						  c->iw +
					      xx];
	memcpy(l->expect, l->act, l->act_bytes);
	/* Pad output lanes: accumulator 0 times a zero record's mult. */
	int32_t pad = y_zp < act_min   ? act_min
		      : y_zp > act_max ? act_max
				       : y_zp;
	for (size_t i = 0; i < yb; i++)
		l->expect[y_off + i] = (uint8_t)pad;
	for (int i = 0; i < c->n; i++)
		for (int o = 0; o < c->oc; o++)
			for (int yy = 0; yy < oh; yy++)
				for (int xx = 0; xx < ow; xx++)
					l->expect[y_off +
						  blk_at((uint32_t)c->oc,
							 (uint32_t)oh,
							 (uint32_t)ow, i, o, yy,
							 xx)] =
					    y[(((size_t)i * c->oc + o) * oh +
					       yy) *
						  ow +
					      xx];
	for (size_t i = 0; i < yb; i++) /* y starts as the complement */
		l->act[y_off + i] = (uint8_t)~l->expect[y_off + i];

	l->op = LF_KOP_CONV2D;
	l->ndesc = 1;
	l->desc = xcalloc(sizeof(lf_desc));
	lf_desc *d = l->desc;
	d->magic = LF_DESC_MAGIC;
	d->op = LF_KOP_CONV2D;
	d->flags = LF_DF_BLK | (c->fold ? LF_DF_XFOLD : 0);
	d->x_type = (uint32_t)c->xt;
	d->w_type = (uint32_t)c->wt;
	d->y_type = (uint32_t)yt;
	d->n = (uint32_t)c->n;
	d->ic = (uint32_t)c->ic;
	d->ih = (uint32_t)c->ih;
	d->iw = (uint32_t)c->iw;
	d->oc = (uint32_t)c->oc;
	d->oh = (uint32_t)oh;
	d->ow = (uint32_t)ow;
	d->groups = c->dwise ? (uint32_t)c->ic : 1;
	d->kh = (uint32_t)c->kh;
	d->kw = (uint32_t)c->kw;
	d->stride_h = (uint32_t)c->sh;
	d->stride_w = (uint32_t)c->sw;
	d->pad_t = (uint32_t)c->pt;
	d->pad_l = (uint32_t)c->pl;
	d->pad_b = (uint32_t)c->pb;
	d->pad_r = (uint32_t)c->pr;
	d->dil_h = (uint32_t)c->dh;
	d->dil_w = (uint32_t)c->dw;
	d->x_off = 0;
	d->y_off = y_off;
	d->w_off = 0;
	d->w_zp_off = rec_off;
	d->bias_off = 0xffffffc0u; /* not read */
	d->mult_off = 0xffffffc0u;
	d->x_zp = x_zp;
	d->y_zp = y_zp;
	d->act_min = act_min;
	d->act_max = act_max;
	snprintf(l->what, sizeof l->what,
		 "blocked conv%s%s n=%d ic=%d %dx%d oc=%d k=%dx%d s=%d,%d "
		 "pad=%d,%d,%d,%d dil=%d,%d xt=%d wt=%d per_ch=%d bias=%d "
		 "relu=%d x_zp=%d y_zp=%d",
		 c->dwise ? " (depthwise)" : "", c->fold ? " (folded)" : "",
		 c->n, c->ic, c->ih, c->iw, c->oc, c->kh, c->kw, c->sh, c->sw,
		 c->pt, c->pl, c->pb, c->pr, c->dh, c->dw, c->xt, c->wt,
		 c->per_ch, c->bias, c->relu, x_zp, y_zp);
	free(x), free(w), free(y), free(wzp), free(bias), free(wsc);
	return 0;
}

/* Runs @l through kernel @engine (0: lfk_conv2d) on a copy; 0 if every
 * byte of act is as expected and the status OK. */
extern _Thread_local lf_u64 lfk__blk_bank_groups, lfk__blk_bank_clash;
static int run_host(const struct lf_kc_launch *l, int engine, int index,
		    uint64_t *cycles)
{
	lf_desc d = l->desc[0];
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	lfk_cycles_reset();
	/* The MAC loop's pixels of a cycle in distinct line-buffer banks
	 * (lf_conv_blk.h blk_host_banks), every pack of every run. */
	lfk__blk_bank_clash = 0;
	lfk__blk_bank_groups = 0;
	if (engine)
		lfk_engine(lf_desc_words(&d), 1, LF_KC_P(l->params),
			   l->params_bytes, LF_KC_A(act), l->act_bytes);
	else
		lfk_conv2d(lf_desc_words(&d), 1, LF_KC_P(l->params),
			   l->params_bytes, LF_KC_A(act), l->act_bytes);
	if (cycles)
		*cycles = lfk_cycles_get();
	int bad = d.status != LF_KST_OK;
	if (bad)
		fprintf(stderr, "\ncase %d status %d\n  %s\n", index, d.status,
			l->what);
	if (lf_kc_compare(l, act, engine ? "lfk_engine" : "lfk_conv2d", 0,
			  index) != 0)
		bad = 1;
	if (lfk__blk_bank_clash != 0) {
		fprintf(stderr, "\ncase %d: %llu bank clashes\n  %s\n", index,
			(unsigned long long)lfk__blk_bank_clash, l->what);
		bad = 1;
	}
	free(act);
	return bad;
}

static void test_blk_shapes(void)
{
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + (uint64_t)i,
						     &lf_kc_blk_cases[i], &l),
				      0);
		uint64_t c0 = 0, c1 = 0;
		CU_ASSERT_EQUAL(run_host(&l, 0, i, &c0), 0);
		CU_ASSERT_EQUAL(run_host(&l, 1, i, &c1), 0);
		/* The engine runs the same datapath: same modeled cycles. */
		CU_ASSERT_EQUAL(c0, c1);
		lf_kc_free(&l);
	}
}

/* Random shapes inside the default limits, seeded (LF_TEST_SEED). */
/*
 * The emulator's MAC (lf_conv_blk.h, host C only) with SSE2 where the
 * CPU has AVX2 too: the shapes again, same bytes and cycles.
 */
extern int lfk__blk_isa;
static void test_blk_shapes_sse2(void)
{
	lfk__blk_isa = 1;
	test_blk_shapes();
	lfk__blk_isa = 0;
}

static void test_blk_random(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xb10c;
	int fails = 0;
	for (int i = 0; i < 24 && fails < 3; i++) {
		struct lf_rng r;
		lf_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)i);
		struct lf_kc_blk c;
		memset(&c, 0, sizeof c);
		c.n = lf_rng_range(&r, 1, 2);
		c.kh = lf_rng_range(&r, 1, 4);
		c.kw = lf_rng_range(&r, 1, 4);
		c.ic = lf_rng_range(&r, 1, 150);
		while (c.kh * c.kw * (int)cdiv((uint32_t)c.ic, BLK) >
		       LF_BLK_WBEATS)
			c.ic = (c.ic + 1) / 2;
		c.oc = lf_rng_range(&r, 1, 140);
		c.sh = lf_rng_range(&r, 1, LF_BLK_STRIDE_MAX);
		c.sw = lf_rng_range(&r, 1, LF_BLK_STRIDE_MAX);
		c.dh = lf_rng_range(&r, 1, 2);
		c.dw = lf_rng_range(&r, 1, 2);
		c.pt = lf_rng_range(&r, 0, c.kh);
		c.pb = lf_rng_range(&r, 0, c.kh);
		c.pl = lf_rng_range(&r, 0, c.kw);
		c.pr = lf_rng_range(&r, 0, c.kw);
		c.ih = lf_rng_range(&r, 1, 12);
		c.iw = lf_rng_range(&r, 1, 20);
		c.xt = lf_rng_range(&r, 0, 1);
		c.wt = lf_rng_range(&r, 0, 1);
		c.per_ch = lf_rng_range(&r, 0, 1);
		c.bias = lf_rng_range(&r, 0, 1);
		c.relu = lf_rng_range(&r, 0, 3) == 0;
		if (i % 3 == 2) { /* depthwise: oc = groups = ic */
			c.dwise = 1;
			c.oc = c.ic;
		}
		struct lf_kc_launch l;
		if (lf_kc_blk_conv(lf_rng_u32(&r), &c, &l) != 0)
			continue; /* the window does not fit: no output */
		if (run_host(&l, i & 1, i, NULL) != 0) {
			fprintf(stderr, "  seed=0x%llx case %d\n",
				(unsigned long long)seed, i);
			fails++;
		}
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* One rejected descriptor: its status, and act exactly as it was. */
static void expect_reject(const struct lf_kc_launch *l, const lf_desc *bad,
			  int32_t want, const char *why)
{
	for (int engine = 0; engine < 2; engine++) {
		lf_desc d = *bad;
		uint8_t *act = lf_kc_xmalloc(l->act_bytes);
		memcpy(act, l->act, l->act_bytes);
		if (engine)
			lfk_engine(lf_desc_words(&d), 1, LF_KC_P(l->params),
				   l->params_bytes, LF_KC_A(act), l->act_bytes);
		else
			lfk_conv2d(lf_desc_words(&d), 1, LF_KC_P(l->params),
				   l->params_bytes, LF_KC_A(act), l->act_bytes);
		if (d.status != want)
			fprintf(stderr, "\n%s: status %d, want %d\n", why,
				d.status, want);
		CU_ASSERT_EQUAL(d.status, want);
		CU_ASSERT_EQUAL(memcmp(act, l->act, l->act_bytes), 0);
		free(act);
	}
}

static void test_blk_reject(void)
{
	/* 3x3 70 -> 100 on 7x9, batch 2: the second shape case. */
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 1, &lf_kc_blk_cases[1], &l), 0);
	CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0); /* the good one runs */
	lf_desc d;

	d = l.desc[0], d.x_off = 1;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x_off off a beat");
	d = l.desc[0], d.y_off += 32;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y_off off a beat");
	d = l.desc[0], d.w_off = 4;
	expect_reject(&l, &d, LF_KST_BOUNDS, "w_off off a beat");
	d = l.desc[0], d.w_zp_off += 16;
	expect_reject(&l, &d, LF_KST_BOUNDS, "w_zp_off off a beat");
	d = l.desc[0], d.y_off += 64;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y past act");
	d = l.desc[0], d.w_zp_off += 64;
	expect_reject(&l, &d, LF_KST_BOUNDS, "records past params");
	d = l.desc[0], d.w_off = (l.params_bytes - 64) & ~63u;
	expect_reject(&l, &d, LF_KST_BOUNDS, "weights past params");
	d = l.desc[0], d.y_off = 0;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y over x");
	d = l.desc[0], d.y_type = LF_KDT_I32;
	expect_reject(&l, &d, LF_KST_BAD_TYPE, "int32 y");
	d = l.desc[0], d.groups = 2;
	expect_reject(&l, &d, LF_KST_BAD_OP, "groups 2");
	d = l.desc[0], d.flags |= LF_DF_BIAS;
	expect_reject(&l, &d, LF_KST_BAD_OP, "LF_DF_BIAS with LF_DF_BLK");
	d = l.desc[0], d.flags |= LF_DF_W_PER_CH;
	expect_reject(&l, &d, LF_KST_BAD_OP, "LF_DF_W_PER_CH with LF_DF_BLK");
	d = l.desc[0], d.magic ^= 1;
	expect_reject(&l, &d, LF_KST_BAD_MAGIC, "magic");
	d = l.desc[0], d.oh += 1;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "oh");
	d = l.desc[0], d.x_zp = 300;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "x_zp");
	/* Limits come before byte ranges: these need no buffers. */
	d = l.desc[0], d.stride_w = LF_BLK_STRIDE_MAX + 1, d.ow = 3;
	expect_reject(&l, &d, LF_KST_LIMIT, "stride 3");
	d = l.desc[0];
	d.ic = 64 * (LF_BLK_WBEATS / 9 + 1);
	expect_reject(&l, &d, LF_KST_LIMIT, "kh * kw * icb over blk_wbeats");
	d = l.desc[0], d.iw = LF_BLK_IW_MAX + 1, d.ow = LF_BLK_IW_MAX + 1;
	expect_reject(&l, &d, LF_KST_LIMIT, "iw over blk_iw_max");
	d = l.desc[0], d.pad_l = 2, d.pad_r = 2;
	d.iw = LF_BLK_IW_MAX - 1, d.ow = LF_BLK_IW_MAX + 1;
	expect_reject(&l, &d, LF_KST_LIMIT, "ow over blk_iw_max");
	/* 7x1 over 4 input blocks: rows of 4 * iw beats, fewer than 7 of
	 * them in the line buffer. */
	d = l.desc[0];
	d.kh = 7, d.kw = 1, d.pad_t = 3, d.pad_b = 3, d.pad_l = 0, d.pad_r = 0;
	d.ic = 4 * 64, d.ih = 9, d.oh = 9, d.iw = LF_BLK_IW_MAX;
	d.ow = LF_BLK_IW_MAX;
	if (7 * 4 <= LF_BLK_WBEATS && 7 * 4 * LF_BLK_IW_MAX > LF_BLK_LBEATS)
		expect_reject(&l, &d, LF_KST_LIMIT, "line buffer");
	/* A real record's w_zp out of w_type's range. */
	{
		uint8_t *keep = l.params;
		l.params = lf_kc_xmalloc(l.params_bytes);
		memcpy(l.params, keep, l.params_bytes);
		put32(l.params + l.desc[0].w_zp_off + 99 * LF_BLK_REC_BYTES + 4,
		      l.desc[0].w_type == LF_KDT_U8 ? 256u : (uint32_t)-129);
		expect_reject(&l, &l.desc[0], LF_KST_BAD_QUANT, "w_zp range");
		free(l.params);
		l.params = keep;
	}
	lf_kc_free(&l);
}

/* The first depthwise shape case. */
static int first_dw_case(void)
{
	for (int i = 0; i < lf_kc_blk_ncases; i++)
		if (lf_kc_blk_cases[i].dwise)
			return i;
	return -1;
}

/* Depthwise descriptors the blocked conv must refuse, act untouched. */
static void test_blk_dw_reject(void)
{
	int i = first_dw_case();
	CU_ASSERT_FATAL(i >= 0);
	const struct lf_kc_blk *c = &lf_kc_blk_cases[i];
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + (uint64_t)i, c, &l),
			      0);
	CU_ASSERT_EQUAL(run_host(&l, 0, i, NULL), 0); /* the good one runs */
	lf_desc d;
	d = l.desc[0], d.groups = d.ic / 2;
	expect_reject(&l, &d, LF_KST_BAD_OP, "groups ic / 2");
	d = l.desc[0], d.oc = 2 * d.ic; /* channel multiplier 2 */
	expect_reject(&l, &d, LF_KST_BAD_OP, "depthwise multiplier 2");
	d = l.desc[0], d.ic = 2 * d.oc, d.groups = d.ic; /* oc < groups */
	expect_reject(&l, &d, LF_KST_BAD_OP, "groups == ic != oc");
	d = l.desc[0], d.w_off = 4;
	expect_reject(&l, &d, LF_KST_BOUNDS, "depthwise w_off off a beat");
	d = l.desc[0], d.w_off = (l.params_bytes - 64) & ~63u;
	expect_reject(&l, &d, LF_KST_BOUNDS, "depthwise weights past params");
	d = l.desc[0], d.flags |= LF_DF_W_PER_CH;
	expect_reject(&l, &d, LF_KST_BAD_OP, "depthwise LF_DF_W_PER_CH");
	d = l.desc[0], d.iw = LF_BLK_IW_MAX + 1, d.ow = LF_BLK_IW_MAX + 1;
	expect_reject(&l, &d, LF_KST_LIMIT, "depthwise iw over blk_iw_max");
	d = l.desc[0], d.stride_w = LF_BLK_STRIDE_MAX + 1, d.ow = 4;
	expect_reject(&l, &d, LF_KST_LIMIT, "depthwise stride 3");
	d = l.desc[0], d.y_type = LF_KDT_I32;
	expect_reject(&l, &d, LF_KST_BAD_TYPE, "depthwise int32 y");
	lf_kc_free(&l);
}

/*
 * The modeled cycles of the NCHW descriptor of the same layer (zero
 * bytes: the cycle model depends on the shape only): the "before".
 */
static uint64_t nchw_cycles(const struct lf_kc_blk *c)
{
	int oh = lf__ref_out_dim(c->ih, c->kh, c->sh, c->pt, c->pb, c->dh);
	int ow = lf__ref_out_dim(c->iw, c->kw, c->sw, c->pl, c->pr, c->dw);
	size_t nx = (size_t)c->n * c->ic * c->ih * c->iw;
	size_t ny = (size_t)c->n * c->oc * oh * ow;
	size_t nw = (size_t)c->oc * (c->dwise ? 1 : c->ic) * c->kh * c->kw;
	uint8_t *act = xcalloc(nx + ny), *params = xcalloc(nw + 8);
	lf_desc d;
	memset(&d, 0, sizeof d);
	d.magic = LF_DESC_MAGIC;
	d.op = LF_KOP_CONV2D;
	d.n = (uint32_t)c->n, d.ic = (uint32_t)c->ic, d.ih = (uint32_t)c->ih;
	d.iw = (uint32_t)c->iw, d.oc = (uint32_t)c->oc, d.oh = (uint32_t)oh;
	d.ow = (uint32_t)ow, d.kh = (uint32_t)c->kh;
	d.groups = c->dwise ? (uint32_t)c->ic : 1;
	d.kw = (uint32_t)c->kw, d.stride_h = (uint32_t)c->sh;
	d.stride_w = (uint32_t)c->sw, d.pad_t = (uint32_t)c->pt;
	d.pad_l = (uint32_t)c->pl, d.pad_b = (uint32_t)c->pb;
	d.pad_r = (uint32_t)c->pr, d.dil_h = (uint32_t)c->dh;
	d.dil_w = (uint32_t)c->dw;
	d.x_off = 0, d.y_off = (uint32_t)nx, d.w_off = 0;
	d.w_zp_off = (uint32_t)nw, d.mult_off = (uint32_t)nw + 4;
	d.act_max = 255;
	lfk_cycles_reset();
	lfk_conv2d(lf_desc_words(&d), 1, LF_KC_P(params), (uint32_t)(nw + 8),
		   LF_KC_A(act), (uint32_t)(nx + ny));
	uint64_t cyc = lfk_cycles_get();
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	free(act);
	free(params);
	return cyc;
}

/*
 * LF_DF_LUT on the blocked datapath: every shape case (dense, depthwise,
 * pad lanes, several output blocks) with a random permutation table;
 * expected: the reference's bytes, pad lanes included, looked up by the
 * test (lf_kc_add_lut). lfk_conv2d and lfk_engine; the table's loads and
 * the store's extra depth are charged (conv_lut_ld, blk_lut_fill).
 */
static void test_blk_lut(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x1a7b;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t tb[LF_LUT_BYTES];
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &l),
		    0);
		uint64_t plain = 0, c0 = 0, c1 = 0;
		CU_ASSERT_EQUAL(run_host(&l, 0, i, &plain), 0);
		lf_rng_seed(&r, seed + 7 * (uint64_t)i);
		lf_kc_random_table(&r, tb);
		CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
		CU_ASSERT_EQUAL(run_host(&l, 0, i, &c0), 0);
		struct lfk_pipe_stat ld, fill;
		CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_conv_lut_ld, &ld), 1);
		CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_blk_lut_fill, &fill), 1);
		CU_ASSERT_EQUAL(ld.iters, LF_LUT_BYTES / 64);
		CU_ASSERT_EQUAL(fill.iters, LF_LUT_BYTES);
		/* The table costs its loops at least, never less. */
		CU_ASSERT(c0 >= plain + ld.cycles + fill.cycles);
		CU_ASSERT_EQUAL(run_host(&l, 1, i, &c1), 0);
		CU_ASSERT_EQUAL(c0, c1);
		lf_kc_free(&l);
	}
}

/* The table's checks on the blocked datapath, act untouched. */
static void test_blk_lut_reject(void)
{
	struct lf_kc_launch l;
	struct lf_rng r;
	uint8_t tb[LF_LUT_BYTES];
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 1, &lf_kc_blk_cases[1], &l), 0);
	lf_rng_seed(&r, 0x1a7c);
	lf_kc_random_table(&r, tb);
	CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
	CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0);
	lf_desc d;
	d = l.desc[0], d.lut_off += 16;
	expect_reject(&l, &d, LF_KST_BOUNDS, "lut_off off a beat");
	d = l.desc[0], d.lut_off += 64;
	expect_reject(&l, &d, LF_KST_BOUNDS, "table past params");
	d = l.desc[0], d.lut_off = 0xffffffc0u;
	expect_reject(&l, &d, LF_KST_BOUNDS, "lut_off near 2^32");
	d = l.desc[0], d.flags |= LF_DF_BIAS;
	expect_reject(&l, &d, LF_KST_BAD_OP, "LF_DF_BIAS with the table");
	lf_kc_free(&l);
}

/*
 * LF_DF_YCB on the blocked datapath: every shape case written into its
 * place in a wider tensor (0-1 blocks before, 1-3 after, odd cases with
 * an output table too); the blocks around it must stay as they were.
 * The same loops run: the same modeled cycles as in place.
 */
static void test_blk_ycb(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9cb;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t tb[LF_LUT_BYTES];
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &l),
		    0);
		lf_rng_seed(&r, seed + 3 * (uint64_t)i);
		if (i % 2) {
			lf_kc_random_table(&r, tb);
			CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
		}
		uint64_t plain = 0, c0 = 0, c1 = 0;
		CU_ASSERT_EQUAL(run_host(&l, 0, i, &plain), 0);
		CU_ASSERT_EQUAL_FATAL(lf_kc_place_ycb(&l, (uint32_t)(i % 2),
						      1 + (uint32_t)(i % 3),
						      &r),
				      0);
		CU_ASSERT_EQUAL(run_host(&l, 0, i, &c0), 0);
		CU_ASSERT_EQUAL(run_host(&l, 1, i, &c1), 0);
		CU_ASSERT_EQUAL(c0, plain);
		CU_ASSERT_EQUAL(c1, plain);
		lf_kc_free(&l);
	}
}

/* LF_DF_YCB's checks, act untouched. */
static void test_blk_ycb_reject(void)
{
	struct lf_kc_launch l;
	struct lf_rng r;
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 1, &lf_kc_blk_cases[1], &l), 0);
	lf_rng_seed(&r, 0x9cc);
	CU_ASSERT_EQUAL_FATAL(lf_kc_place_ycb(&l, 1, 1, &r), 0);
	CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0);
	lf_desc d;
	/* case 1: oc 100, two blocks */
	d = l.desc[0], d.y_cb = 1;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "y_cb below oc's blocks");
	/* act ends after the last image's one block after y: one more
	 * fits (the span stops at y's last block), two do not */
	d = l.desc[0], d.y_cb += 2;
	expect_reject(&l, &d, LF_KST_BOUNDS, "images past act");
	d = l.desc[0], d.y_cb = 0xffffffffu;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y_cb near 2^32");
	d = l.desc[0], d.y_off = 0, d.y_cb = 2;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y over x");
	lf_kc_free(&l);
}

/*
 * LF_DF_ADD on the blocked datapath (lf_desc.h "Fused add"): every shape
 * case (channel counts off 64, batch > 1, per-channel and per-tensor
 * weights, the stem, depthwise) with a residual add in its store, three
 * seeds each: both operand orders, the add's ReLU on a third, an output
 * table before the add on a quarter, the output placed (LF_DF_YCB) on a
 * fifth. Expected: the CPU reference's conv, then its QLinearAdd
 * (lf_kc_fuse_add). lfk_conv2d and lfk_engine, same bytes and cycles;
 * the fused store costs at least the plain one, and counts one
 * blk_store_add iteration (one x2 beat read) per beat written.
 */
static void fuse_run(int isa)
{
	uint64_t seed = lf_kc_seed() ^ 0xadd0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		for (int k = 0; k < 3; k++) {
			int j = i * 3 + k;
			struct lf_kc_launch l;
			struct lf_rng r;
			uint8_t tb[LF_LUT_BYTES];
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_blk_conv(seed + (uint64_t)j,
					   &lf_kc_blk_cases[i], &l),
			    0);
			lf_rng_seed(&r, seed * 31 + (uint64_t)j);
			if (j % 4 == 1) {
				lf_kc_random_table(&r, tb);
				CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
			}
			uint64_t plain = 0, c0 = 0, c1 = 0;
			lfk__blk_isa = isa;
			CU_ASSERT_EQUAL(run_host(&l, 0, j, &plain), 0);
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_fuse_variant(&l, &r, j, j % 2), 0);
			CU_ASSERT_EQUAL(run_host(&l, 0, j, &c0), 0);
			const lf_desc *d = &l.desc[0];
			struct lfk_pipe_stat st;
			CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_blk_store, &st), 1);
			CU_ASSERT_EQUAL(st.calls, 0);
			CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_blk_store_add, &st),
					1);
			CU_ASSERT_EQUAL(st.iters, (uint64_t)d->n *
						      cdiv(d->oc, BLK) * d->oh *
						      d->ow);
			CU_ASSERT_EQUAL(run_host(&l, 1, j, &c1), 0);
			lfk__blk_isa = 0;
			CU_ASSERT_EQUAL(c0, c1);
			CU_ASSERT(c0 >= plain);
			lf_kc_free(&l);
		}
	}
}

static void test_blk_fuse_add(void)
{
	fuse_run(0);
}

/* The same with the emulator's AVX2 paths off: the loops as written. */
static void test_blk_fuse_add_scalar(void)
{
	fuse_run(1);
}

/* How many bytes of @l's y differ from expect after running @d. */
static uint64_t fuse_diff(const struct lf_kc_launch *l, const lf_desc *d,
			  const uint8_t *act_in)
{
	lf_desc dd = *d;
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, act_in, l->act_bytes);
	lfk_engine(lf_desc_words(&dd), 1, LF_KC_P(l->params), l->params_bytes,
		   LF_KC_A(act), l->act_bytes);
	CU_ASSERT_EQUAL(dd.status, LF_KST_OK);
	uint64_t n = 0;
	for (uint32_t i = d->y_off; i < l->act_bytes; i++)
		n += act[i] != l->expect[i];
	free(act);
	return n;
}

/*
 * The fused-add tests can fail. With scales 1.5 times apart: the
 * operands' roles exchanged (x_scale / add_x_zp given to x2 and x2's to
 * the conv's output), x2's bytes changed, or the add left out, each give
 * other bytes than the reference's. With x2 chosen where the sum depends
 * on the fmas' order (lf_kc_fuse_add's order_ties), LF_DF_SWAP flipped
 * does too. Both operand orders (case 1: 3x3 70 -> 100, int8, batch 2).
 */
static void test_blk_fuse_sensitive(void)
{
	for (int swap = 0; swap < 2; swap++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		int found = 0;
		for (uint64_t k = 0; k < 64 && !found; k++) {
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_blk_conv(lf_kc_seed() + 5,
					   &lf_kc_blk_cases[1], &l),
			    0);
			lf_rng_seed(&r, 0xf05e + 2 * k + (uint64_t)swap);
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_fuse_add(&l, &r, swap, 0, 0), 0);
			float a = l.desc[0].x_scale, b = l.desc[0].x2_scale;
			found = a > 1.5f * b || b > 1.5f * a;
			if (!found)
				lf_kc_free(&l);
		}
		CU_ASSERT_FATAL(found);
		lf_desc d = l.desc[0];
		CU_ASSERT_EQUAL(run_host(&l, 1, 1, NULL), 0);
		CU_ASSERT_EQUAL(fuse_diff(&l, &d, l.act), 0);
		lf_desc e = d;
		e.x_scale = d.x2_scale, e.x2_scale = d.x_scale;
		e.add_x_zp = d.x2_zp, e.x2_zp = d.add_x_zp;
		CU_ASSERT(fuse_diff(&l, &e, l.act) > 0);
		e = d;
		e.flags &= ~(LF_DF_ADD | LF_DF_SWAP);
		CU_ASSERT(fuse_diff(&l, &e, l.act) > 0);
		uint8_t *a2 = lf_kc_xmalloc(l.act_bytes);
		memcpy(a2, l.act, l.act_bytes);
		for (uint32_t i = d.x2_off; i < d.y_off; i++)
			a2[i] = (uint8_t)(a2[i] + 37);
		CU_ASSERT(fuse_diff(&l, &d, a2) > 0);
		free(a2);
		lf_kc_free(&l);

		/* the order: ties where it matters */
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(lf_kc_seed() + 6, &lf_kc_blk_cases[1], &l),
		    0);
		lf_rng_seed(&r, 0x07de + (uint64_t)swap);
		CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_add(&l, &r, swap, 0, 1), 0);
		d = l.desc[0];
		CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0);
		CU_ASSERT_EQUAL(run_host(&l, 1, 1, NULL), 0);
		e = d;
		e.flags ^= LF_DF_SWAP;
		CU_ASSERT(fuse_diff(&l, &e, l.act) > 0);
		lf_kc_free(&l);
	}
}

/* LF_DF_ADD's checks, act untouched. */
static void test_blk_fuse_reject(void)
{
	struct lf_kc_launch l;
	struct lf_rng r;
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 1, &lf_kc_blk_cases[1], &l), 0);
	lf_rng_seed(&r, 0xadd1);
	CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_add(&l, &r, 1, 0, 0), 0);
	CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0);
	lf_desc d;
	/* case 1 is int8 */
	d = l.desc[0], d.flags &= ~LF_DF_ADD;
	expect_reject(&l, &d, LF_KST_BAD_OP, "LF_DF_SWAP without LF_DF_ADD");
	d = l.desc[0], d.add_x_zp = 128;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "add_x_zp past int8");
	d = l.desc[0], d.x2_zp = -129;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "x2_zp past int8");
	d = l.desc[0], d.add_y_zp = 200;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "add_y_zp past int8");
	d = l.desc[0], d.add_min = 5, d.add_max = 4;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "add_min > add_max");
	d = l.desc[0], d.x2_scale = 0.0f;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "x2_scale 0");
	d = l.desc[0], d.y_scale = NAN;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "y_scale NaN");
	d = l.desc[0], d.x_scale = -1.0f;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "x_scale < 0");
	d = l.desc[0], d.x2_off += 32;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x2_off off a beat");
	d = l.desc[0], d.x2_off = d.y_off;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x2 is y");
	d = l.desc[0], d.x2_off = d.y_off - 64;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x2 overlaps y");
	d = l.desc[0], d.x2_off = 0xffffffc0u;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x2 past act");
	/* x2 may be x: both only read */
	d = l.desc[0], d.x2_off = d.x_off;
	uint8_t *act = lf_kc_xmalloc(l.act_bytes);
	memcpy(act, l.act, l.act_bytes);
	lfk_conv2d(lf_desc_words(&d), 1, LF_KC_P(l.params), l.params_bytes,
		   LF_KC_A(act), l.act_bytes);
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	free(act);
	lf_kc_free(&l);
}

/*
 * The conv + max pool cases (LF_DF_POOL, lf_desc.h "Fused max pool"):
 * conv shape case, then the pool's kh kw sh sw pt pl pb pr clamp.
 */
const struct lf_kc_fpool lf_kc_fpool_cases[] = {
    /* ResNet's 3x3 s2 p1 on 8x8 (uint8) */
    {0, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* odd 7 x 9, int8, 100 channels (pad lanes), batch 2, clamped */
    {1, {3, 3, 2, 2, 1, 1, 1, 1, 1}},
    /* the stem 7x7 s2 p3 (16 x 16), batch 2 */
    {4, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* the folded stem (LF_DF_XFOLD, ResNet's path), 16 x 16, batch 2 */
    {24, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* a ring of 9 input rows over 14 (int8): bands of 3 rows of y, each
     * computing the conv rows its windows need (rows 5 and 11 twice) */
    {14, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* 2x2 s2 no pads on a ring of 4 rows over 20: a band a row of y */
    {10, {2, 2, 2, 2, 0, 0, 0, 0, 1}},
    /* kh 2 s1 (every conv row in two windows), kw 3 s2, pads off 1 */
    {3, {2, 3, 1, 2, 0, 1, 1, 1, 0}},
    /* kh 1, kw 4 s3 with pads 2 and 3 */
    {12, {1, 4, 1, 3, 0, 2, 0, 3, 0}},
    /* depthwise (9 x 10), batch 2, clamped */
    {17, {3, 3, 2, 2, 1, 1, 1, 1, 1}},
    /* ow 6 (row packs without the pool), pads only top and left */
    {16, {3, 3, 2, 2, 1, 1, 0, 0, 0}},
    /* a 1x1 image: one tap of the window inside */
    {11, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* compact 1x1 s2 input, 5 x 16, batch 2 */
    {8, {3, 3, 2, 2, 1, 1, 1, 1, 0}},
    /* kh = kw = 4 = 2 sh on the stem */
    {4, {4, 4, 2, 2, 1, 1, 1, 1, 0}},
    /* kh 3 s3 pads 2 (6 x 5), kw 1 */
    {13, {3, 1, 3, 1, 2, 0, 2, 0, 0}},
    /* 1x1 s2: rows and columns in no window */
    {0, {1, 1, 2, 2, 0, 0, 0, 0, 0}},
};
const int lf_kc_fpool_ncases =
    (int)(sizeof(lf_kc_fpool_cases) / sizeof(lf_kc_fpool_cases[0]));

/* Rows and columns of a fused pool's y (lf_desc.h: floor). */
static uint32_t fpool_ph(const lf_desc *d)
{
	uint32_t k = d->pool_k;
	return (d->oh + (k >> 16 & 15) + (k >> 24 & 15) - (k & 15)) /
		   (k >> 8 & 15) +
	       1;
}

static uint32_t fpool_pw(const lf_desc *d)
{
	uint32_t k = d->pool_k;
	return (d->ow + (k >> 20 & 15) + (k >> 28) - (k >> 4 & 15)) /
		   (k >> 12 & 15) +
	       1;
}

/* Fused case @i, variant @j (an output table when j % 3 == 1). */
static void fpool_case(int i, int j, struct lf_kc_launch *l)
{
	const struct lf_kc_fpool *f = &lf_kc_fpool_cases[i];
	struct lf_rng r;
	uint8_t tb[LF_LUT_BYTES];
	uint64_t seed = lf_kc_seed() ^ 0xf001;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(seed + (uint64_t)(3 * i + j),
					     &lf_kc_blk_cases[f->conv], l),
			      0);
	lf_rng_seed(&r, seed * 7 + (uint64_t)(3 * i + j));
	if (j % 3 == 1) {
		lf_kc_random_table(&r, tb);
		CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(l, tb), 0);
	}
	CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_pool(l, &f->p, &r), 0);
}

/*
 * LF_DF_POOL on the blocked datapath: every conv + max pool case, three
 * variants (an output table before the pool on one), through lfk_conv2d
 * and lfk_engine, same bytes and cycles, against the CPU reference's
 * conv then its MaxPool (lf_kc_fuse_pool). Nothing of the conv's own
 * output is written (act ends at the pooled y, whose every byte starts
 * as its expected one's complement); the plain store never runs; each
 * row of y is written once (pool_blk_vst: n * ocb * ph * pw beats).
 */
static void test_blk_fuse_pool(void)
{
	for (int i = 0; i < lf_kc_fpool_ncases; i++) {
		for (int j = 0; j < 3; j++) {
			struct lf_kc_launch l;
			fpool_case(i, j, &l);
			const lf_desc *d = &l.desc[0];
			uint64_t c0 = 0, c1 = 0;
			CU_ASSERT_EQUAL(run_host(&l, 0, 3 * i + j, &c0), 0);
			struct lfk_pipe_stat st;
			CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_blk_store, &st), 1);
			CU_ASSERT_EQUAL(st.calls, 0);
			CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_pool_blk_vst, &st),
					1);
			CU_ASSERT_EQUAL(st.iters,
					(uint64_t)d->n * cdiv(d->oc, BLK) *
					    fpool_ph(d) * fpool_pw(d));
			CU_ASSERT_EQUAL(lfk_pipe_stats(LFP_blk_store_pool, &st),
					1);
			CU_ASSERT(st.iters >=
				  (uint64_t)d->n * cdiv(d->oc, BLK) * d->ow);
			CU_ASSERT_EQUAL(run_host(&l, 1, 3 * i + j, &c1), 0);
			CU_ASSERT_EQUAL(c0, c1);
			lf_kc_free(&l);
		}
	}
}

/*
 * The fused-pool tests can fail: the same descriptor with one window row
 * or column dropped (the last or the first, y's size unchanged: 3x3 s2
 * p1 as 2x3 p1/0, 2x3 p0/1, 3x2 p1/0, 3x2 p0/1), with the clamp's top
 * lowered, or with the pool's windows one row lower, gives other bytes
 * than the reference's (on the stem, the ResNet shape, and an int8 case
 * with a band cut).
 */
static void test_blk_fuse_pool_sensitive(void)
{
	static const int which[] = {0, 2, 3, 4};
	for (int w = 0; w < 4; w++) {
		struct lf_kc_launch l;
		fpool_case(which[w], 0, &l);
		lf_desc d = l.desc[0];
		CU_ASSERT_EQUAL(fuse_diff(&l, &d, l.act), 0);
		/* kh kw sh sw pt pl pb pr, 4 bits each from bit 0 */
		static const uint32_t drop[] = {
		    0x10112232u, /* rows 2p-1 .. 2p: the last row dropped */
		    0x11102232u, /* rows 2p .. 2p+1: the first dropped */
		    0x01112223u, /* columns: the last dropped */
		    0x11012223u, /* columns: the first dropped */
		};
		for (int k = 0; k < 4; k++) {
			lf_desc e = d;
			e.pool_k = drop[k];
			CU_ASSERT_EQUAL(fpool_ph(&e), fpool_ph(&d));
			CU_ASSERT_EQUAL(fpool_pw(&e), fpool_pw(&d));
			uint64_t n = fuse_diff(&l, &e, l.act);
			if (n == 0)
				fprintf(stderr, "\nfpool %d drop %d: same\n",
					which[w], k);
			CU_ASSERT(n > 0);
		}
		lf_desc e = d;
		int32_t hi = (int16_t)(d.pool_clamp >> 16);
		e.pool_clamp = (d.pool_clamp & 0xffffu) | (uint32_t)(hi - 40)
							      << 16;
		CU_ASSERT(fuse_diff(&l, &e, l.act) > 0);
		lf_kc_free(&l);
	}
}

/* LF_DF_POOL's checks, act untouched. */
static void test_blk_fuse_pool_reject(void)
{
	struct lf_kc_launch l;
	fpool_case(1, 0, &l); /* 7 x 9 int8, 3x3 s2 p1 */
	CU_ASSERT_EQUAL(run_host(&l, 0, 1, NULL), 0);
	lf_desc d;
	uint32_t k = l.desc[0].pool_k;
	d = l.desc[0], d.flags |= LF_DF_ADD;
	expect_reject(&l, &d, LF_KST_BAD_OP, "pool with a fused add");
	d = l.desc[0], d.pool_k = (k & ~15u) | 5u; /* kh 5 > 2 sh */
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "kh 5 over stride 2");
	d = l.desc[0], d.pool_k = (k & ~15u);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "kh 0");
	d = l.desc[0], d.pool_k = (k & ~0xf0u) | 0x50u;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "kw 5");
	d = l.desc[0], d.pool_k = (k & ~0xf000u);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "stride_w 0");
	d = l.desc[0], d.pool_k = (k & ~0xf0000u) | 0x20000u;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "pad_t 2 = stride");
	d = l.desc[0], d.pool_k = (k & ~0xf000000u) | 0x3000000u;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "pad_b 3 = kh");
	d = l.desc[0], d.pool_k = (k & ~0xf0000000u) | 0x30000000u;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "pad_r 3 = kw");
	d = l.desc[0], d.pool_clamp = 0x0000ff80u | (uint32_t)128 << 16;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "pool_max 128 past int8");
	d = l.desc[0], d.pool_clamp = 0x5u | (uint32_t)4 << 16;
	expect_reject(&l, &d, LF_KST_BAD_QUANT, "pool_min > pool_max");
	d = l.desc[0], d.y_rows = 5 * 65536u; /* rows of y: 4 */
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "rows past ph");
	d = l.desc[0], d.y_off += 64;
	expect_reject(&l, &d, LF_KST_BOUNDS, "y past act");
	lf_kc_free(&l);
}

/* LF_DF_XFOLD's checks (lf_desc.h "Folded input"), act untouched. */
static void test_blk_xfold_reject(void)
{
	int k = -1; /* the first folded case: ResNet's stem, n 2 */
	for (int i = 0; i < lf_kc_blk_ncases && k < 0; i++)
		if (lf_kc_blk_cases[i].fold)
			k = i;
	CU_ASSERT_FATAL(k >= 0 && lf_kc_blk_cases[k].kw == 7 &&
			lf_kc_blk_cases[k].ic == 3);
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 7, &lf_kc_blk_cases[k], &l), 0);
	CU_ASSERT_EQUAL(run_host(&l, 0, k, NULL), 0);
	lf_desc d;
	d = l.desc[0], d.ic = 10; /* 7 x 10 = 70 lanes */
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "kw x ic over 64 lanes");
	d = l.desc[0], d.dil_w = 2, d.pad_l = d.pad_r = 6;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "dilated columns");
	d = l.desc[0], d.groups = 3, d.oc = 3;
	expect_reject(&l, &d, LF_KST_BAD_OP, "depthwise folded");
	/* rows of (ow - 1) * 2 + 7 pixels x 3 bytes: ow 683 is 1372 pixels,
	 * 65 beats, one over the row buffer (the shape is checked first:
	 * iw widened to match) */
	d = l.desc[0], d.iw = 1365, d.ow = 683;
	expect_reject(&l, &d, LF_KST_LIMIT, "a compact row over 64 beats");
	/* x is n * ih rows of 2 beats from x_off; one beat later reaches y
	 * (the case puts a 64-byte gap between): y over x */
	d = l.desc[0], d.x_off += 128;
	expect_reject(&l, &d, LF_KST_BOUNDS, "x into y");
	d = l.desc[0], d.n = 3;
	expect_reject(&l, &d, LF_KST_BOUNDS, "a third image's rows");
	d = l.desc[0], d.flags &= ~LF_DF_XFOLD;
	/* without the flag x is read as 64-lane pixels: 31 x 32 x 2 x 64
	 * bytes, past the case's act */
	expect_reject(&l, &d, LF_KST_BOUNDS, "the same x unfolded");
	lf_kc_free(&l);
}

/* model_layer(): the MAC loop's iterations */
static uint64_t mac_iters;

/*
 * The modeled cycles (lf_pipes.h) of one layer, blocked and NCHW, printed
 * against the array's peak: MACs / (PIX * IC * OC) for the blocked
 * datapath, MACs / (PE_OC * PE_K) for the NCHW one. Returns the blocked
 * cycles and fills *mac with those of blk_mac.
 */
static uint64_t model_layer(const char *name, const struct lf_kc_blk *c,
			    uint64_t *mac_cycles)
{
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(0x5eed, c, &l), 0);
	uint64_t cyc = 0;
	CU_ASSERT_EQUAL(run_host(&l, 1, 0, &cyc), 0);
	struct lfk_pipe_stat st;
	CU_ASSERT_EQUAL_FATAL(
	    lfk_pipe_stats(c->dwise ? LFP_blk_dw_mac : LFP_blk_mac, &st), 1);
	*mac_cycles = st.cycles;
	mac_iters = st.iters;
	const lf_desc *d = &l.desc[0];
	double macs = (double)d->n * d->oc * d->oh * d->ow *
		      (d->ic / d->groups) * d->kh * d->kw;
	double peak = macs / (LF_BLK_PIX * LF_BLK_IC * LF_BLK_OC);
	printf("\n  %s: blocked %llu modeled cycles (MAC loop %llu); MACs / "
	       "(PIX*IC*OC = %dx%dx%d) = %.0f: %.1f%% of peak ",
	       name, (unsigned long long)cyc, (unsigned long long)st.cycles,
	       LF_BLK_PIX, LF_BLK_IC, LF_BLK_OC, peak,
	       100.0 * peak / (double)cyc);
	lf_kc_free(&l);
	printf(
	    "\n    NCHW datapath, same layer: %llu modeled cycles (PE %dx%d) ",
	    (unsigned long long)nchw_cycles(c), LF_CONV_PE_OC, LF_CONV_PE_K);
	return cyc;
}

static void test_blk_cycles(void)
{
	/* ResNet layer1 3x3 64 -> 64 on 56x56, batch 1. */
	static const struct lf_kc_blk r3 = {1, 64, 56, 56, 64, 3, 3, 1,
					    1, 1,  1,  1,  1,  1, 1, 0,
					    0, 1,  1,  1,  0,  0};
	/* The 7x7 stride-2 stem on 224x224 if the build holds its rows,
	 * else on 56x56 (same per-pixel work). */
	int sw = LF_BLK_IW_MAX >= 224 && 7 * 224 <= LF_BLK_LBEATS ? 224 : 56;
	struct lf_kc_blk stem = {1, 3, sw, sw, 64, 7, 7, 2, 2, 3, 3,
				 3, 3, 1,  1,  0,  1, 1, 1, 1, 0, 0};
	uint64_t mac = 0, mac_s = 0;
	uint64_t cyc = model_layer("3x3 64->64 56x56", &r3, &mac);
	double peak = 115605504.0 / (LF_BLK_PIX * LF_BLK_IC * LF_BLK_OC);
	/* MAC-bound: the MAC loop is most of it, the whole within 25 % of
	 * the array's peak (ow = 56 is a multiple of PIX, 64 of IC, OC). */
	CU_ASSERT(mac * 10 >= cyc * 8);
	CU_ASSERT((double)cyc <= 1.25 * peak);
	char nm[64];
	snprintf(nm, sizeof nm, "7x7/2 stem 3->64 %dx%d", sw, sw);
	uint64_t cs = model_layer(nm, &stem, &mac_s);
	CU_ASSERT(cs > 0);
	printf("\n  (unfolded, the stem uses 3 of %d IC lanes; the planner "
	       "folds kw x ic into them, LF_DF_XFOLD) ",
	       LF_BLK_IC);
}

/*
 * MobileNetV2's first depthwise layer, 3x3 s1 p1 over 32 channels of
 * 112x112 (on 56x56 where the build's blk_iw_max is below 112: a quarter
 * of the pixels, the same per-pixel work): blocked depthwise against the
 * NCHW datapath's modeled cycles (printed). The depthwise unit does
 * DW_PIX pixels x one tap row of DW_KW = 3 tap columns x 64 lanes a cycle
 * (lf_config.h), 32 lanes real here, so its MAC loop is
 * ceil(ow / DW_PIX) * 3 cycles a row; the NCHW one must be slower.
 */
static void test_blk_dw_cycles(void)
{
	int s = LF_BLK_IW_MAX >= 112 && 3 * 112 <= LF_BLK_LBEATS ? 112 : 56;
	struct lf_kc_blk dw = {1, 32, s, s, 32, 3, 3, 1, 1, 1, 1,
			       1, 1,  1, 1, 0,	0, 1, 1, 2, 1, 0};
	char nm[64];
	snprintf(nm, sizeof nm, "MobileNetV2 dw 3x3 32ch %dx%d", s, s);
	uint64_t mac = 0;
	uint64_t cyc = model_layer(nm, &dw, &mac);
	/* ceil(ow / DW_PIX) groups x 3 tap rows per row, oh rows, one
	 * block (3 tap columns a cycle). */
	uint64_t groups = ((uint64_t)s + LF_BLK_DW_PIX - 1) / LF_BLK_DW_PIX;
	uint64_t trips = groups * 3 * (uint64_t)s;
	CU_ASSERT_EQUAL(LF_BLK_DW_KW, 3);
	/* Its iterations exactly; its cycles are what the overlap with the
	 * row stores leaves of it (blk_rows, lf_pipes.h LF_OVERLAP): at most
	 * the trips plus the depth per row. */
	CU_ASSERT_EQUAL(mac_iters, trips);
	CU_ASSERT(mac <= trips + (uint64_t)s * 64);
	CU_ASSERT(cyc < nchw_cycles(&dw));
	printf(
	    "\n  (depthwise unit: %d px x %d taps x 64 MACs a cycle = %.1f%% "
	    "of the %d-MAC array; this layer has 32 of 64 lanes real) ",
	    LF_BLK_DW_PIX, LF_BLK_DW_KW,
	    100.0 * LF_BLK_DW_PIX * LF_BLK_DW_KW * 64 / LF_BLK_MACS,
	    LF_BLK_MACS);
}

/*
 * Row packs (lf_conv_blk.h blk_pk) by hand, default build (PIX 4, IC 32,
 * OC 16, 8 line-buffer banks): a 1x1 conv 480 -> 64 on 7x7, batch 2. A pass of
 * the PE array takes 4 rows (28 pixels, 7 groups of 4), then the last 3 (21
 * pixels, 6 groups): 13 groups an image where one row at a time takes 7 x 2 =
 * 14. Each group: 4 OC tiles x (7 blocks x 2 IC chunks + 1 chunk for the
 * last block's 32 channels) = 60 iterations: 2 x 13 x 60 = 1560 (1680
 * without packs). Same bytes as the reference: the shapes test.
 */
static void test_blk_pack_cycles(void)
{
	static const struct lf_kc_blk c = {2, 480, 7, 7, 64, 1, 1, 1, 1, 0, 0,
					   0, 0,   1, 1, 0,  1, 1, 0, 1, 0, 0};
	CU_ASSERT_EQUAL_FATAL(LF_BLK_PIX, 4);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_IC, 32);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_OC, 16);
	uint64_t mac = 0;
	model_layer("1x1 480->64 7x7 batch 2 (row packs)", &c, &mac);
	CU_ASSERT_EQUAL(mac_iters, 1560);
	/* Stride 2 (ResNet's down-sampling 3x3, here 64 channels, 14x14 ->
	 * 7x7): packs of 4 + 3 rows too, the line buffer's rows padded from
	 * 14 to 15 beats so that a group's pixels at the end of one row and
	 * the start of the next are in distinct banks (2 x 15 - 2 x (7 - k)
	 * = 18, 20, 22 for k = 1 .. 3: none a multiple of 8). 13 groups x 4
	 * tiles x 9 taps x 2 IC chunks = 936 (1008 a row at a time, as
	 * before: 7 x 2 groups). Same bytes as the reference (model_layer). */
	static const struct lf_kc_blk s2 = {1, 64, 14, 14, 64, 3, 3, 2,
					    2, 1,  1,  1,  1,  1, 1, 0,
					    1, 1,  1,  0,  0,  0};
	model_layer("3x3 s2 64->64 14x14 (row packs, padded rows)", &s2, &mac);
	CU_ASSERT_EQUAL(mac_iters, 936);
	/* run_host checked its banks: 13 groups x 9 taps, no clash */
	CU_ASSERT_EQUAL(lfk__blk_bank_groups, 13 * 9);
	CU_ASSERT_EQUAL(lfk__blk_bank_clash, 0);
}

/*
 * Bands of several images (lf_conv_blk.h blk_ni), default build: a line
 * buffer of LF_BLK_LBEATS = 512 beats, LF_LAT_MEM 64. A band that is a
 * whole image takes as many images as fit, evened out, when that costs
 * less than a band per image by the estimate P L + ceil(n / P) W < L + n
 * W (L: an image's beats + 64 a burst; W: weight beats + 16 records + 64
 * constants + 3 x 64), so each output block's weights load once a band:
 * blk_load_w runs once per (band, output block), blk_load_x once per
 * (image, burst); but block 0 of a descriptor of two or more bands is
 * resident (lf_config.h LF_BLK_WRES, 8 banks in this build): it loads
 * once, before the bands, and each band copies it on chip (blk_w0_cp,
 * ceil(wbeats / 8) cycles), so blk_load_w runs 1 + bands x (blocks - 1)
 * times there. The bytes (images in the wrong slots or rows would show:
 * each image's data is its own) and these counts by hand; a band per
 * image would load the weights n times. Also run by the OpenCL build
 * (test_kernels_opencl.c).
 */
const struct lf_kc_blk lf_kc_blk_band_cases[] = {
    /* n ic ih iw oc kh kw sh sw pt pl pb pr dh dw xt wt perch bias relu */
    /* A: 3 images of 10 x 17 = 170 beats fit (510): one band; 2 blocks:
     * weights 2 times (L 234, W 9 x 64 + 272 = 848: 1550 < 2778) */
    {3, 64, 10, 17, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0},
    /* B: 9 x 19 = 171 beats: the third does not fit (513); 2 a band, 2 +
     * 1: 2 bands x 2 blocks, block 0 resident: 1 + 2 = 3 (2166 < 2779) */
    {3, 64, 9, 19, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
    /* C: an image of 2 blocks x 16 x 16 = 512 beats just fits, alone: a
     * band each, one output block, resident: weights once, one burst per
     * image */
    {2, 128, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0},
    /* D: 16 x 17 x 2 = 544 beats just do not: 15 rows of 34 beats, bands
     * of 8 output rows (13, evened out): 2 images x 2 bands, a burst per
     * block and band: 8; one output block, resident: weights once */
    {2, 128, 16, 17, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0},
    /* E: the classifier's shape, 1x1 over one pixel, 3 blocks in: one
     * band, weights once per block (2) */
    {3, 130, 1, 1, 70, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0},
    /* F: 1x1 stride 2 (blk_compact): 2 x 3 -> 1 x 2, one row kept each;
     * one band (L 67, W 336: 537 < 1075), weights once */
    {3, 64, 2, 3, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0},
    /* G: row packs (blk_pk: ow 14, 2 rows a pass, 4 blocks x 14 = 56
     * beats a row) in a band of 3 images of 3 rows (504 beats): packs 2 +
     * 1 an image, weights once (1800 < 2008) */
    {3, 256, 3, 14, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0},
};
const int lf_kc_blk_nband =
    (int)(sizeof(lf_kc_blk_band_cases) / sizeof(lf_kc_blk_band_cases[0]));

static void test_blk_band_images(void)
{
	/* blk_load_w and blk_load_x calls of each case above, and the
	 * resident block's copies (blk_w0_cp: one a band where there are
	 * two or more) and their iterations: wbeats / 8, wbeats = 9 taps x
	 * icb x 64 (B: 576 / 8 = 72 a band; C, D: 1152 / 8 = 144) */
	static const uint64_t want[][4] = {
	    {2, 3, 0, 0}, {3, 3, 2, 144}, {1, 2, 2, 288}, {1, 8, 4, 576},
	    {2, 3, 0, 0}, {1, 3, 0, 0},	  {1, 3, 0, 0}};
	CU_ASSERT_EQUAL_FATAL(LF_BLK_LBEATS, 512);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_W0B, 8);
	CU_ASSERT_EQUAL_FATAL(LF_LAT_MEM, 64);
	CU_ASSERT_EQUAL_FATAL((int)(sizeof(want) / sizeof(want[0])),
			      lf_kc_blk_nband);
	for (int i = 0; i < lf_kc_blk_nband; i++) {
		struct lf_kc_launch l;
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(lf_kc_seed() + 77 + (uint64_t)i,
				   &lf_kc_blk_band_cases[i], &l),
		    0);
		for (int e = 0; e < 2; e++) {
			CU_ASSERT_EQUAL(run_host(&l, e, 100 + i, NULL), 0);
			struct lfk_pipe_stat w, x, cp;
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_load_w, &w), 1);
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_load_x, &x), 1);
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_w0_cp, &cp), 1);
			if (w.calls != want[i][0] || x.calls != want[i][1])
				fprintf(stderr,
					"\n  band case %d: blk_load_w %llu, "
					"blk_load_x %llu calls",
					i, (unsigned long long)w.calls,
					(unsigned long long)x.calls);
			CU_ASSERT_EQUAL(w.calls, want[i][0]);
			CU_ASSERT_EQUAL(x.calls, want[i][1]);
			CU_ASSERT_EQUAL(cp.calls, want[i][2]);
			CU_ASSERT_EQUAL(cp.iters, want[i][3]);
		}
		lf_kc_free(&l);
	}
	/* G's MAC loop by hand: per image a pack of 2 rows (28 pixels, 7
	 * groups of 4) and one of 1 (14 pixels, 4 groups), 4 OC tiles, 4
	 * input blocks x 2 IC chunks: 11 x 4 x 8 = 352; 3 images 1056 (the
	 * packs stay within an image). */
	uint64_t mac = 0;
	model_layer("1x1 256->64 3x14 batch 3 in one band (row packs)",
		    &lf_kc_blk_band_cases[6], &mac);
	CU_ASSERT_EQUAL(mac_iters, 1056);
}

/*
 * The resident first block (lf_config.h LF_BLK_WRES, 8 banks in the
 * default build) by hand: band case D (2 images of 2 bands, one output
 * block of 9 taps x 2 input blocks x 64 = 1152 weight beats). Its weights
 * load once, before the bands, outside any overlap region: LF_LAT_MEM +
 * LF_DEPTH_LD + 1152 cycles (the port's beat a cycle sets it: 1152 beats
 * against 1151 iterations; the bursts' transactions, ceil(1152 /
 * LF_AXI_BURST) x LF_LAT_MEM / LF_AXI_OUTSTANDING, are fewer). Each of
 * the 4 bands then copies them (blk_w0_cp, 1152 / 8 = 144 iterations:
 * LF_DEPTH_LD + 143 cycles), the first step of its blk_obs region, which
 * nothing overlaps (lf_pipes.h LF_OVERLAP), so all of it is on the
 * critical path. Without the resident block each band's blk_obs would
 * load them instead: 4 x (LF_LAT_MEM + LF_DEPTH_LD + 1152) of blk_load_w.
 * The bytes: the band_images test (and shapes, random: depthwise bands
 * copy block b0 too).
 */
static void test_blk_resident(void)
{
	CU_ASSERT_EQUAL_FATAL(LF_BLK_W0B, 8);
	uint64_t tr = (1152 + LF_AXI_BURST - 1) / LF_AXI_BURST;
	CU_ASSERT_FATAL((tr * LF_LAT_MEM + LF_AXI_OUTSTANDING - 1) /
			    LF_AXI_OUTSTANDING <=
			1152);
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 91, &lf_kc_blk_band_cases[3], &l), 0);
	for (int e = 0; e < 2; e++) {
		CU_ASSERT_EQUAL(run_host(&l, e, 3, NULL), 0);
		struct lfk_pipe_stat w, cp;
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_load_w, &w), 1);
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_w0_cp, &cp), 1);
		CU_ASSERT_EQUAL(w.calls, 1);
		CU_ASSERT_EQUAL(w.iters, 1152);
		CU_ASSERT_EQUAL(w.cycles, LF_LAT_MEM + LF_DEPTH_LD + 1152);
		CU_ASSERT_EQUAL(cp.calls, 4);
		CU_ASSERT_EQUAL(cp.iters, 4 * 144);
		CU_ASSERT_EQUAL(cp.cycles, 4 * (LF_DEPTH_LD + 143));
		CU_ASSERT_EQUAL(cp.mem_stall, 0);
	}
	lf_kc_free(&l);
}

/* first_band's layer (below), and the build its counts assume. */
static const struct lf_kc_blk *first_band_layer(void)
{
	static const struct lf_kc_blk c = {1, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1,
					   1, 1,  1,  1,  0,  0, 1, 1, 0, 0, 0};
	CU_ASSERT_EQUAL_FATAL(LF_BLK_LBEATS, 512);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_W0B, 8);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_PIX, 4);
	CU_ASSERT_EQUAL_FATAL(LF_BLK_OC, 16);
	return &c;
}

/*
 * A short first band (lf_conv_blk.h blk_bf) by hand, default build (512
 * line-buffer beats, resident block in 8 banks): 3x3 64 -> 64 on 16x16,
 * batch 1, pads 1. The image (256 beats) fits one band, whose 16 input
 * rows' load (16 x 16 beats at 5/4 + 64 = 384 by blk_bf's estimate)
 * nothing overlaps. A row of output costs the array 4 groups x 18 taps
 * and chunks x 4 OC tiles = 288 cycles, so 2 rows cover that load: band
 * 0 is output rows 0-1 (input rows 0-2, 48 beats), band 1 rows 2-15
 * (input rows 1-15, 240 beats) and loads while band 0 computes; the
 * block's weights (576 beats) load once and each band copies them (72
 * cycles at 8 beats). The MAC loop's iterations are the layer's: 16 rows
 * x 4 groups x 4 tiles x 9 taps x 2 chunks = 4608. One band (no blk_bf)
 * would load the rows once, 256 beats in one call; the bytes against
 * the reference (run_host) either way.
 */
static void test_blk_first_band(void)
{
	const struct lf_kc_blk *c = first_band_layer();
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + 93, c, &l), 0);
	for (int e = 0; e < 2; e++) {
		CU_ASSERT_EQUAL(run_host(&l, e, 0, NULL), 0);
		struct lfk_pipe_stat w, x, cp, m;
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_load_w, &w), 1);
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_load_x, &x), 1);
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_w0_cp, &cp), 1);
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_mac, &m), 1);
		CU_ASSERT_EQUAL(x.calls, 2);
		CU_ASSERT_EQUAL(x.iters, 48 + 240);
		CU_ASSERT_EQUAL(w.calls, 1);
		CU_ASSERT_EQUAL(w.iters, 576);
		CU_ASSERT_EQUAL(cp.calls, 2);
		CU_ASSERT_EQUAL(cp.iters, 2 * 72);
		CU_ASSERT_EQUAL(m.iters, 4608);
	}
	lf_kc_free(&l);
}

void lf_kc_blk_pair(const struct lf_kc_launch *a, const struct lf_kc_launch *b,
		    struct lf_kc_launch *l)
{
	uint32_t pa = cdiv(a->params_bytes, 64) * 64;
	uint32_t aa = cdiv(a->act_bytes, 64) * 64;
	memset(l, 0, sizeof *l);
	l->op = a->op;
	l->ndesc = a->ndesc + b->ndesc;
	l->desc = xcalloc(sizeof(lf_desc) * l->ndesc);
	l->params_bytes = pa + b->params_bytes;
	l->act_bytes = aa + b->act_bytes;
	l->params = xcalloc(l->params_bytes);
	l->act = xcalloc(l->act_bytes);
	l->expect = xcalloc(l->act_bytes);
	memcpy(l->params, a->params, a->params_bytes);
	memcpy(l->params + pa, b->params, b->params_bytes);
	memcpy(l->act, a->act, a->act_bytes);
	memcpy(l->act + aa, b->act, b->act_bytes);
	memcpy(l->expect, a->expect, a->act_bytes);
	memcpy(l->expect + aa, b->expect, b->act_bytes);
	memcpy(l->desc, a->desc, sizeof(lf_desc) * a->ndesc);
	for (uint32_t k = 0; k < b->ndesc; k++) {
		lf_desc d = b->desc[k];
		d.x_off += aa;
		d.x2_off += aa;
		d.y_off += aa;
		d.w_off += pa;
		d.w_zp_off += pa;
		d.bias_off += pa;
		d.mult_off += pa;
		d.lut_off += pa;
		l->desc[a->ndesc + k] = d;
	}
	snprintf(l->what, sizeof l->what, "pair: %.240s | %.240s", a->what,
		 b->what);
}

/* Runs all of l's descriptors (copied into @ds, act into @act) in one
 * launch of lfk_engine (@engine) or lfk_conv2d, cycles reset first. */
static void run_list(const struct lf_kc_launch *l, int engine, lf_desc *ds,
		     uint8_t *act)
{
	memcpy(ds, l->desc, sizeof(lf_desc) * l->ndesc);
	memcpy(act, l->act, l->act_bytes);
	lfk_cycles_reset();
	if (engine)
		lfk_engine(lf_desc_words(ds), l->ndesc, LF_KC_P(l->params),
			   l->params_bytes, LF_KC_A(act), l->act_bytes);
	else
		lfk_conv2d(lf_desc_words(ds), l->ndesc, LF_KC_P(l->params),
			   l->params_bytes, LF_KC_A(act), l->act_bytes);
}

/*
 * The next descriptor's first block loaded ahead (LF_DF_WPRE, hls/README.md
 * "Next block ahead") by hand, default build (LF_LAT_MEM 64, resident
 * block in 8 banks): two of first_band's layers (3x3 64 -> 64 on 16x16,
 * bands of 2 and 14 rows, one output block of 576 weight beats) in one
 * list, A then B. Alone, each loads its block once before its bands,
 * outside any overlap region: blk_rec (16 beats: 64 + 2 + 16 = 82),
 * blk_load_w (64 + 2 + 576 = 642) and blk_cst (LF_DEPTH_MAC 8 + 63 =
 * 71), 795 cycles. With the flag on A, A reads B's descriptor before its
 * bands (desc_fetch, 64 words: 64 + 2 + 64 = 130, and a check,
 * LF_DESC_CYCLES 136: 266 more) and loads B's block during its last
 * band, beside that band's compute (14 rows x 288 cycles: 4032 > 795,
 * so none of it shows); B then copies it (its two bands, 72 cycles each,
 * as before) and loads nothing. So A takes 266 cycles more, B 795 fewer,
 * blk_load_w runs twice either way (A's block, B's) but only A's 642
 * are on the critical path (1284 without the flag); and the bytes are
 * the reference's. A code that loaded B's block again, or in B's time,
 * fails this. Where B is rejected (a w_off past params, LF_KST_BOUNDS)
 * A only pays the look ahead and loads nothing ahead; a flag on the last
 * descriptor of a list does nothing.
 */
static void test_blk_prefetch(void)
{
	const struct lf_kc_blk *c = first_band_layer();
	CU_ASSERT_EQUAL_FATAL(LF_LAT_MEM, 64);
	CU_ASSERT_EQUAL_FATAL(LF_DEPTH_LD, 2);
	CU_ASSERT_EQUAL_FATAL(LF_DEPTH_MAC, 8);
	CU_ASSERT_EQUAL_FATAL(LF_DESC_CYCLES, 136);
	CU_ASSERT_EQUAL_FATAL(LF_DESC_WORDS, 64);
	const uint64_t peek = 130 + 136, load = 82 + 642 + 71;
	struct lf_kc_launch a, b, l;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + 95, c, &a), 0);
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + 96, c, &b), 0);
	lf_kc_blk_pair(&a, &b, &l);
	lf_desc ds[2];
	uint8_t *act = lf_kc_xmalloc(l.act_bytes);
	uint32_t aa = cdiv(a.act_bytes, 64) * 64;
	for (int e = 0; e < 2; e++) {
		uint64_t ca = 0, cb = 0, dc[2] = {0, 0};
		struct lfk_pipe_stat w, cp;
		CU_ASSERT_EQUAL(run_host(&a, e, 0, &ca), 0);
		CU_ASSERT_EQUAL(run_host(&b, e, 1, &cb), 0);
		for (int f = 0; f < 2; f++) {
			l.desc[0].flags = f ? l.desc[0].flags | LF_DF_WPRE
					    : l.desc[0].flags & ~LF_DF_WPRE;
			run_list(&l, e, ds, act);
			CU_ASSERT_EQUAL(ds[0].status, LF_KST_OK);
			CU_ASSERT_EQUAL(ds[1].status, LF_KST_OK);
			CU_ASSERT_EQUAL(lf_kc_compare(&l, act, "pair", 0, f),
					0);
			CU_ASSERT_EQUAL_FATAL(lfk_desc_cycles(dc, 2), 2);
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_load_w, &w), 1);
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_w0_cp, &cp), 1);
			CU_ASSERT_EQUAL(w.calls, 2);
			CU_ASSERT_EQUAL(w.iters, 2 * 576);
			CU_ASSERT_EQUAL(w.cycles, (f ? 1 : 2) * 642);
			CU_ASSERT_EQUAL(cp.calls, 4);
			CU_ASSERT_EQUAL(cp.iters, 4 * 72);
			CU_ASSERT_EQUAL(dc[0], ca + (f ? peek : 0));
			CU_ASSERT_EQUAL(dc[1], cb - (f ? load : 0));
		}
		/* B rejected: A's bytes, the look ahead's cost, no load. */
		lf_desc keep = l.desc[1];
		l.desc[1].w_off = cdiv(l.params_bytes, 64) * 64;
		run_list(&l, e, ds, act);
		CU_ASSERT_EQUAL(ds[0].status, LF_KST_OK);
		CU_ASSERT_EQUAL(ds[1].status, LF_KST_BOUNDS);
		CU_ASSERT_EQUAL(memcmp(act, l.expect, aa), 0);
		CU_ASSERT_EQUAL_FATAL(lfk_desc_cycles(dc, 2), 2);
		CU_ASSERT_EQUAL(dc[0], ca + peek);
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(LFP_blk_load_w, &w), 1);
		CU_ASSERT_EQUAL(w.calls, 1);
		l.desc[1] = keep;
		/* The flag on a list's last descriptor: A as alone. */
		a.desc[0].flags |= LF_DF_WPRE;
		uint64_t ca1 = 0;
		CU_ASSERT_EQUAL(run_host(&a, e, 2, &ca1), 0);
		CU_ASSERT_EQUAL(ca1, ca);
		a.desc[0].flags &= ~LF_DF_WPRE;
	}
	free(act);
	lf_kc_free(&l);
	lf_kc_free(&a);
	lf_kc_free(&b);
}

/*
 * LF_DF_WPRE's bytes: every shape case followed by the next (dense,
 * depthwise, folded, compact, row packs, several bands or one) in one
 * list with the flag on the first, on lfk_conv2d and lfk_engine: both
 * outputs the reference's and the same cycles on both kernels; in
 * parts too (each case's layer cut in 4 parts, flag on all but the
 * last, then the next case), where parts may be empty. At least one
 * pair must have loaded ahead (fewer blk_load_w cycles than without).
 */
static void test_blk_prefetch_shapes(void)
{
	int ahead = 0;
	lf_desc ds[5];
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch a, b, l;
		int j = (i + 1) % lf_kc_blk_ncases;
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(lf_kc_seed() + 300 + (uint64_t)i,
				   &lf_kc_blk_cases[i], &a),
		    0);
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(lf_kc_seed() + 600 + (uint64_t)j,
				   &lf_kc_blk_cases[j], &b),
		    0);
		if (i % 2) { /* in parts */
			struct lf_rng r;
			int empty;
			lf_rng_seed(&r, lf_kc_seed() + 900 + (uint64_t)i);
			lf_kc_part_split(&a, &r, -1, &empty);
		}
		lf_kc_blk_pair(&a, &b, &l);
		uint8_t *act = lf_kc_xmalloc(l.act_bytes);
		uint64_t cyc[2] = {0, 0}, wc[2] = {0, 0}, cc[2] = {0, 0};
		for (int f = 0; f < 2; f++) {
			for (uint32_t k = 0; k + 1 < l.ndesc; k++)
				l.desc[k].flags =
				    f ? l.desc[k].flags | LF_DF_WPRE
				      : l.desc[k].flags & ~LF_DF_WPRE;
			for (int e = 0; e < 2; e++) {
				run_list(&l, e, ds, act);
				for (uint32_t k = 0; k < l.ndesc; k++)
					CU_ASSERT_EQUAL(ds[k].status,
							LF_KST_OK);
				CU_ASSERT_EQUAL(lf_kc_compare(&l, act,
							      e ? "lfk_engine"
								: "lfk_conv2d",
							      0, i),
						0);
				uint64_t c = lfk_cycles_get();
				if (e)
					CU_ASSERT_EQUAL(c, cyc[f]);
				cyc[f] = c;
			}
			struct lfk_pipe_stat w, cp;
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_load_w, &w), 1);
			CU_ASSERT_EQUAL_FATAL(
			    lfk_pipe_stats(LFP_blk_w0_cp, &cp), 1);
			wc[f] = w.cycles;
			cc[f] = cp.calls;
		}
		/* Loaded ahead: the next copies a block it loaded alone
		 * (one band), or loads less on the critical path. */
		if (cc[1] > cc[0] || wc[1] < wc[0])
			ahead++;
		free(act);
		lf_kc_free(&l);
		lf_kc_free(&a);
		lf_kc_free(&b);
	}
	CU_ASSERT(ahead > 0);
	printf("\n  (%d of %d pairs loaded the next block ahead) ", ahead,
	       lf_kc_blk_ncases);
}

/* Loop @id's cycles and memory stall since the last reset. */
static void pipe_cyc(lf_u32 id, uint64_t *cyc, uint64_t *stall)
{
	struct lfk_pipe_stat st;
	CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(id, &st), 1);
	*cyc = st.cycles;
	*stall = st.mem_stall;
}

/*
 * The overlap model (lf_pipes.h LF_OVERLAP) by hand: a region's step
 * costs its slowest stage (or the stages' bank time together, if more),
 * stage s of iteration i runs in step i + s, and the per-loop figures
 * hold the critical path (they still sum to the clock).
 */
static void test_blk_overlap_model(void)
{
	uint64_t c, st;
	for (lf_u32 p = 0; p < LFP_NPORTS; p++)
		CU_ASSERT_EQUAL(lfk_mem_set(p, 0.0f, 1.0f, 1.0f, 64), 1);

	/* blk_rows, 3 rows. blk_mac: 93 trips at II 1, depth
	 * LF_DEPTH_MAC: 8 + 92 = 100. blk_store: 19 beats written, one
	 * burst: the port needs max(19, 1 * 64 / 16) = 19 > 18 cycles of
	 * compute: 12 + 19 = 31, 1 of them stall. A loop of no stage of the
	 * region (conv_mac, 7 trips: 8 + 6 = 14) adds. */
	lfk_cycles_reset();
	LF_OVL_BEGIN(blk_rows);
	for (int i = 0; i < 3; i++) {
		lfk__pipe_end(LFP_blk_mac, 93, 1, 8, LFP_NONE, 0, 0, 0);
		lfk__pipe_end(LFP_blk_store, 19, 1, 12, LFP_ACT_WR, 0, 1,
			      LFP_SEQ_BEATS);
		LF_OVL_STEP(blk_rows);
	}
	lfk__pipe_end(LFP_conv_mac, 7, 1, 8, LFP_NONE, 0, 0, 0);
	LF_OVL_END(blk_rows);
	/* Steps: mac0 100 | mac1 100, st0 31 | mac2 100, st1 31 | st2 31;
	 * + 14: 345 (one after the other: 3 * 131 + 14 = 407). */
	CU_ASSERT_EQUAL(lfk_cycles_get(), 345);
	pipe_cyc(LFP_blk_mac, &c, &st);
	CU_ASSERT_EQUAL(c, 300);
	pipe_cyc(LFP_blk_store, &c, &st);
	CU_ASSERT_EQUAL(c, 31);
	CU_ASSERT_EQUAL(st, 1);
	pipe_cyc(LFP_conv_mac, &c, &st);
	CU_ASSERT_EQUAL(c, 14);

	/* blk_obs, 2 blocks, blk_rows nested (1 row each) in stage 1:
	 * weights 500 cycles with 480 of bank time; MAC 200, store 50 with
	 * 40 of bank time. Inner steps: 200 | 50: stage 1 costs 250.
	 * Outer steps: W0 500 | W1 500 beside 250, bank 480 + 40 = 520 >
	 * 500: 520, the 20 to the weights as stall | 250: 1270. */
	lfk_cycles_reset();
	LF_OVL_BEGIN(blk_obs);
	for (int ob = 0; ob < 2; ob++) {
		lfk__charge(LFP_blk_load_w, 500, 0, 480);
		LF_OVL_BEGIN(blk_rows);
		lfk__charge(LFP_blk_mac, 200, 0, 0);
		lfk__charge(LFP_blk_store, 50, 0, 40);
		LF_OVL_STEP(blk_rows);
		LF_OVL_END(blk_rows);
		LF_OVL_STEP(blk_obs);
	}
	LF_OVL_END(blk_obs);
	CU_ASSERT_EQUAL(lfk_cycles_get(), 1270);
	pipe_cyc(LFP_blk_load_w, &c, &st);
	CU_ASSERT_EQUAL(c, 1020);
	CU_ASSERT_EQUAL(st, 20);
	pipe_cyc(LFP_blk_mac, &c, &st);
	CU_ASSERT_EQUAL(c, 200);
	pipe_cyc(LFP_blk_store, &c, &st);
	CU_ASSERT_EQUAL(c, 50);

	/* blk_bands, 2 bands, each: the band's rows 300 cycles in stage 0;
	 * in stage 1 blk_obs with one block (weights 100, then blk_rows
	 * with one pack: MAC 400, store 50: 450): 100 + 450 = 550. Steps:
	 * L0 300 | L1 300 beside 550: 550 | 550: 1400 (one after the
	 * other: 2 * 850 = 1700). The second band's load is hidden. */
	lfk_cycles_reset();
	LF_OVL_BEGIN(blk_bands);
	for (int j = 0; j < 2; j++) {
		lfk__charge(LFP_blk_load_x, 300, 0, 0);
		LF_OVL_BEGIN(blk_obs);
		lfk__charge(LFP_blk_load_w, 100, 0, 0);
		LF_OVL_BEGIN(blk_rows);
		lfk__charge(LFP_blk_mac, 400, 0, 0);
		lfk__charge(LFP_blk_store, 50, 0, 0);
		LF_OVL_STEP(blk_rows);
		LF_OVL_END(blk_rows);
		LF_OVL_STEP(blk_obs);
		LF_OVL_END(blk_obs);
		LF_OVL_STEP(blk_bands);
	}
	LF_OVL_END(blk_bands);
	CU_ASSERT_EQUAL(lfk_cycles_get(), 1400);
	pipe_cyc(LFP_blk_load_x, &c, &st);
	CU_ASSERT_EQUAL(c, 300);
	pipe_cyc(LFP_blk_load_w, &c, &st);
	CU_ASSERT_EQUAL(c, 200);
	pipe_cyc(LFP_blk_mac, &c, &st);
	CU_ASSERT_EQUAL(c, 800);
	pipe_cyc(LFP_blk_store, &c, &st);
	CU_ASSERT_EQUAL(c, 100);

	/* No region: the same charges add. */
	lfk_cycles_reset();
	lfk__charge(LFP_blk_load_w, 500, 0, 480);
	lfk__charge(LFP_blk_mac, 200, 0, 0);
	CU_ASSERT_EQUAL(lfk_cycles_get(), 700);
	lfk_cycles_reset();
}

/*
 * A conv's modeled cycles equal its loops' (the critical path of each
 * overlap region) plus LF_DESC_CYCLES: nothing is counted twice or lost.
 */
static void test_blk_overlap_sum(void)
{
	static const struct lf_kc_blk r3 = {1, 64, 14, 14, 192, 3, 3, 1,
					    1, 1,  1,  1,  1,	1, 1, 0,
					    0, 1,  1,  1,  0,	0};
	struct lf_kc_launch l;
	CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(0x5eed, &r3, &l), 0);
	uint64_t cyc = 0, sum = 0;
	CU_ASSERT_EQUAL(run_host(&l, 1, 0, &cyc), 0);
	for (lf_u32 id = 0; id < LFP_COUNT; id++) {
		struct lfk_pipe_stat st;
		CU_ASSERT_EQUAL_FATAL(lfk_pipe_stats(id, &st), 1);
		CU_ASSERT(st.mem_stall <= st.cycles);
		sum += st.cycles;
	}
	CU_ASSERT_EQUAL(sum + LF_DESC_CYCLES, cyc);
	lf_kc_free(&l);
}

void lf_test_suite_kernels_blk(void)
{
	static const struct lf_test_case cases[] = {
	    {"shapes", test_blk_shapes},
	    {"shapes_sse2", test_blk_shapes_sse2},
	    {"random", test_blk_random},
	    {"reject", test_blk_reject},
	    {"lut", test_blk_lut},
	    {"lut_reject", test_blk_lut_reject},
	    {"ycb", test_blk_ycb},
	    {"ycb_reject", test_blk_ycb_reject},
	    {"fuse_add", test_blk_fuse_add},
	    {"fuse_add_scalar", test_blk_fuse_add_scalar},
	    {"fuse_pool", test_blk_fuse_pool},
	    {"fuse_pool_sensitive", test_blk_fuse_pool_sensitive},
	    {"fuse_pool_reject", test_blk_fuse_pool_reject},
	    {"fuse_sensitive", test_blk_fuse_sensitive},
	    {"fuse_reject", test_blk_fuse_reject},
	    {"xfold_reject", test_blk_xfold_reject},
	    {"cycles", test_blk_cycles},
	    {"dw_reject", test_blk_dw_reject},
	    {"dw_cycles", test_blk_dw_cycles},
	    {"pack_cycles", test_blk_pack_cycles},
	    {"band_images", test_blk_band_images},
	    {"resident", test_blk_resident},
	    {"first_band", test_blk_first_band},
	    {"prefetch", test_blk_prefetch},
	    {"prefetch_shapes", test_blk_prefetch_shapes},
	    {"overlap_model", test_blk_overlap_model},
	    {"overlap_sum", test_blk_overlap_sum},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels_blk", NULL, NULL, cases);
}
