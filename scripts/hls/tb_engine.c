/*
 * tb_engine.c - C-simulation testbench for lfk_engine (hls/engine.c).
 *
 * One launch of a network's device segment, every op of the engine in one
 * descriptor list with the activations staying in act:
 *   1. conv 3x3 pad 1, x[1][6][10][21] uint8 -> 12 channels, int8 weights,
 *      per-channel quantization, bias, fused Relu;
 *   2. MaxPool 3x3 stride 2 pad 1 on 1;
 *   3. conv 1x1 12 -> 12 on 2 (per-tensor quantization);
 *   4. QLinearAdd of 2 and 3 (the residual connection);
 *   5. QLinearGlobalAveragePool of 4 -> [1][12][1][1];
 *   6. matmul (fully connected) of 5 viewed as A[1][1][12] by a constant
 *      B[12][10], uint8 output.
 * Every output byte is compared with the plain loops of tb_ref.h; no byte
 * of act outside the outputs may change.
 *
 * Used by scripts/hls/engine.tcl (vitis_hls csim/cosim) and built with gcc
 * by `make hls-tb`. Returns 0 on success, 1 on any mismatch.
 */
#include "tb_ref.h"

void lfk_engine(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);

#define NDESC 6

static lf_u8 params[TB_PARAMS_BYTES];
static lf_u8 act[TB_ACT_BYTES];
static lf_u8 act_before[TB_ACT_BYTES];
static lf_u8 want[TB_ACT_BYTES];
static lf_desc desc[NDESC];

/* Weights, w_zp, bias and mult of a conv / matmul with nq quant entries. */
static void tb_consts(lf_desc *d, struct tb_arena *pa, lf_u32 wn, lf_u32 nout,
		      lf_u32 nq)
{
	d->w_off = tb_take(pa, wn);
	for (lf_u32 i = 0; i < wn; i++)
		params[d->w_off + i] = tb_rand_byte(d->w_type);
	d->w_zp_off = tb_take(pa, 4 * nq);
	d->mult_off = tb_take(pa, 4 * nq);
	for (lf_u32 q = 0; q < nq; q++) {
		tb_put_i32(params, d->w_zp_off + 4 * q, tb_range(-20, 20));
		tb_put_f32(params, d->mult_off + 4 * q,
			   0.0008f + 0.0001f * (float)tb_range(0, 30));
	}
	d->bias_off = tb_take(pa, 4 * nout);
	for (lf_u32 o = 0; o < nout; o++)
		tb_put_i32(params, d->bias_off + 4 * o, tb_range(-3000, 3000));
	d->flags = LF_DF_BIAS | (nq > 1 ? LF_DF_W_PER_CH : 0u);
}

static void tb_conv(lf_desc *d, lf_u32 x_off, lf_u32 ic, lf_u32 ih, lf_u32 iw,
		    lf_u32 oc, lf_u32 k, lf_u32 pad, lf_u32 nq,
		    struct tb_arena *pa, struct tb_arena *aa)
{
	tb_desc_init(d, LF_KOP_CONV2D);
	d->x_type = LF_KDT_U8;
	d->w_type = LF_KDT_I8;
	d->y_type = LF_KDT_U8;
	d->n = 1;
	d->ic = ic;
	d->ih = ih;
	d->iw = iw;
	d->oc = oc;
	d->kh = d->kw = k;
	d->stride_h = d->stride_w = d->dil_h = d->dil_w = 1;
	d->pad_t = d->pad_l = d->pad_b = d->pad_r = pad;
	d->groups = 1;
	d->oh = ih + 2 * pad - k + 1;
	d->ow = iw + 2 * pad - k + 1;
	d->x_off = x_off;
	tb_consts(d, pa, oc * ic * k * k, oc, nq);
	d->y_off = tb_take(aa, oc * d->oh * d->ow);
}

int main(void)
{
	struct tb_arena pa = {params, TB_PARAMS_BYTES, 0};
	struct tb_arena aa = {act, TB_ACT_BYTES, 0};
	memset(params, 0, sizeof params);
	memset(act, TB_GUARD, sizeof act);

	/* 1: conv 3x3, Relu. */
	lf_u32 x0 = tb_take(&aa, 6 * 10 * 21);
	for (lf_u32 i = 0; i < 6 * 10 * 21; i++)
		act[x0 + i] = tb_rand_byte(LF_KDT_U8);
	lf_desc *c1 = &desc[0];
	tb_conv(c1, x0, 6, 10, 21, 12, 3, 1, 12, &pa, &aa);
	c1->x_zp = 128;
	c1->y_zp = 5;
	c1->act_min = 5;
	c1->act_max = 255;

	/* 2: MaxPool 3x3 stride 2 pad 1. */
	lf_desc *mp = &desc[1];
	tb_desc_init(mp, LF_KOP_MAXPOOL);
	mp->x_type = mp->y_type = LF_KDT_U8;
	mp->n = 1;
	mp->ic = 12;
	mp->ih = c1->oh;
	mp->iw = c1->ow;
	mp->kh = mp->kw = 3;
	mp->stride_h = mp->stride_w = 2;
	mp->dil_h = mp->dil_w = 1;
	mp->pad_t = mp->pad_l = mp->pad_b = mp->pad_r = 1;
	mp->oh = tb_pool_out(mp->ih, 3, 2, 1, 1, 1, 0);
	mp->ow = tb_pool_out(mp->iw, 3, 2, 1, 1, 1, 0);
	mp->act_min = 0;
	mp->act_max = 255;
	mp->x_off = c1->y_off;
	mp->y_off = tb_take(&aa, 12 * mp->oh * mp->ow);

	/* 3: conv 1x1 on 2, same quantization as 2 (y_zp 5). */
	lf_desc *c2 = &desc[2];
	tb_conv(c2, mp->y_off, 12, mp->oh, mp->ow, 12, 1, 0, 1, &pa, &aa);
	c2->x_zp = 5;
	c2->y_zp = 9;
	c2->act_min = 0;
	c2->act_max = 255;

	/* 4: add 2 + 3. */
	lf_desc *ad = &desc[3];
	tb_desc_init(ad, LF_KOP_ADD);
	ad->x_type = ad->y_type = LF_KDT_U8;
	ad->n = 1;
	ad->ic = 12;
	ad->ih = mp->oh;
	ad->iw = mp->ow;
	ad->x_off = mp->y_off;
	ad->x2_off = c2->y_off;
	ad->x_zp = 5;
	ad->x2_zp = 9;
	ad->y_zp = 20;
	ad->act_min = 0;
	ad->act_max = 255;
	ad->x_scale = 0.031f;
	ad->x2_scale = 0.027f;
	ad->y_scale = 0.045f;
	ad->y_off = tb_take(&aa, 12 * mp->oh * mp->ow);

	/* 5: global average of 4. */
	lf_desc *gp = &desc[4];
	tb_desc_init(gp, LF_KOP_AVGPOOL);
	gp->x_type = gp->y_type = LF_KDT_U8;
	gp->n = 1;
	gp->ic = 12;
	gp->ih = gp->kh = mp->oh;
	gp->iw = gp->kw = mp->ow;
	gp->oh = gp->ow = 1;
	gp->stride_h = gp->stride_w = gp->dil_h = gp->dil_w = 1;
	gp->x_zp = 20;
	gp->y_zp = 3;
	gp->act_min = 0;
	gp->act_max = 255;
	gp->x_scale = 0.045f;
	gp->y_scale = 0.02f;
	gp->x_off = ad->y_off;
	gp->y_off = tb_take(&aa, 12);

	/* 6: fully connected 12 -> 10. */
	lf_desc *fc = &desc[5];
	tb_desc_init(fc, LF_KOP_MATMUL);
	fc->x_type = LF_KDT_U8;
	fc->w_type = LF_KDT_I8;
	fc->y_type = LF_KDT_U8;
	fc->mm_batch = fc->mm_m = fc->mm_w_batch = 1;
	fc->mm_k = 12;
	fc->mm_n = 10;
	fc->x_zp = 3;
	fc->y_zp = 128;
	fc->act_min = 0;
	fc->act_max = 255;
	fc->x_off = gp->y_off;
	tb_consts(fc, &pa, 12 * 10, 10, 10);
	fc->y_off = tb_take(&aa, 10);

	memcpy(act_before, act, sizeof act);
	lfk_engine((lf_u32 *)(void *)desc, NDESC,
		   (const lf_beat *)(const void *)params, pa.used,
		   (lf_beat *)(void *)act, aa.used);

	int bad = 0;
	for (int i = 0; i < NDESC; i++)
		if (desc[i].status != LF_KST_OK) {
			printf("tb_engine: descriptor %d status %d, want %d\n",
			       i, (int)desc[i].status, LF_KST_OK);
			bad++;
		}
	memcpy(want, act_before, sizeof want);
	tb_conv_ref(c1, params, want, want);
	tb_pool_ref(mp, want, want);
	tb_conv_ref(c2, params, want, want);
	tb_add_ref(ad, want, want);
	tb_pool_ref(gp, want, want);
	tb_mm_ref(fc, params, want, want);
	bad += tb_compare("act", act, want, aa.used);
	bad += tb_guard_broken(act, aa.used, TB_ACT_BYTES);

	printf("tb_engine: %s (conv, maxpool, conv, add, global avgpool, "
	       "matmul in one launch, %u act bytes checked, conv PE %dx%d)\n",
	       bad ? "FAIL" : "PASS", (unsigned)TB_ACT_BYTES, LF_CONV_PE_OC,
	       LF_CONV_PE_K);
	return bad ? 1 : 0;
}
