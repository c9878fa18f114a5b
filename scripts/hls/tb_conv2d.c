/*
 * tb_conv2d.c - C-simulation testbench for lfk_conv2d (hls/conv2d.c).
 *
 * Runs one launch of three chained descriptors - the shape of a real
 * layer list - and compares every output byte with plain loops over the
 * formula of hls/lf_desc.h:
 *   1. uint8 x, int8 w, uint8 y, per-channel w_zp and mult, bias, fused
 *      ReLU; 20 output channels and 19 input channels (neither a multiple
 *      of a PE dimension), stride 2x1, asymmetric padding;
 *   2. depthwise (groups = ic = oc = 20) on the output of 1, int8 weights,
 *      int8 output, per-tensor quantization, dilation 2, stride 2;
 *   3. ConvInteger: the int32 accumulators of a 1x1 conv on the output of 1.
 * It also checks that no byte of act outside the three outputs changed.
 *
 * Used by scripts/hls/conv2d.tcl (vitis_hls csim_design / cosim_design)
 * and built with gcc by `make hls-tb`. Returns 0 on success (csim's pass
 * criterion), 1 on any mismatch.
 */
#include "tb_ref.h"

void lfk_conv2d(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);

struct tb_conv {
	lf_u32 x_type, w_type, y_type;
	lf_u32 n, ic, ih, iw, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr,
	    groups;
	lf_i32 x_zp, y_zp, lo, hi;
	int per_ch, bias;
};

static lf_u8 params[TB_PARAMS_BYTES];
static lf_u8 act[TB_ACT_BYTES];
static lf_u8 act_before[TB_ACT_BYTES];
static lf_u8 want[TB_ACT_BYTES];
static lf_desc desc[3];

static lf_u32 out_dim(lf_u32 in, lf_u32 k, lf_u32 s, lf_u32 d, lf_u32 p0,
		      lf_u32 p1)
{
	return (in + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

/*
 * Fills a descriptor and its constants (weights, w_zp, bias, mult) in
 * params; x is read from act at x_off, y written at a new offset.
 */
static void tb_conv_setup(lf_desc *d, const struct tb_conv *c, lf_u32 x_off,
			  struct tb_arena *pa, struct tb_arena *aa)
{
	tb_desc_init(d, LF_KOP_CONV2D);
	d->x_type = c->x_type;
	d->w_type = c->w_type;
	d->y_type = c->y_type;
	d->n = c->n;
	d->ic = c->ic;
	d->ih = c->ih;
	d->iw = c->iw;
	d->oc = c->oc;
	d->kh = c->kh;
	d->kw = c->kw;
	d->stride_h = c->sh;
	d->stride_w = c->sw;
	d->dil_h = c->dh;
	d->dil_w = c->dw;
	d->pad_t = c->pt;
	d->pad_l = c->pl;
	d->pad_b = c->pb;
	d->pad_r = c->pr;
	d->groups = c->groups;
	d->oh = out_dim(c->ih, c->kh, c->sh, c->dh, c->pt, c->pb);
	d->ow = out_dim(c->iw, c->kw, c->sw, c->dw, c->pl, c->pr);
	d->x_zp = c->x_zp;
	d->y_zp = c->y_zp;
	d->act_min = c->lo;
	d->act_max = c->hi;
	d->flags =
	    (c->per_ch ? LF_DF_W_PER_CH : 0u) | (c->bias ? LF_DF_BIAS : 0u);

	lf_u32 nq = c->per_ch ? c->oc : 1;
	lf_u32 wn = c->oc * (c->ic / c->groups) * c->kh * c->kw;
	d->w_off = tb_take(pa, wn);
	for (lf_u32 i = 0; i < wn; i++)
		params[d->w_off + i] = tb_rand_byte(c->w_type);
	d->w_zp_off = tb_take(pa, 4 * nq);
	for (lf_u32 q = 0; q < nq; q++)
		tb_put_i32(params, d->w_zp_off + 4 * q,
			   c->w_type == LF_KDT_U8 ? tb_range(0, 255)
						  : tb_range(-128, 127));
	if (c->bias) {
		d->bias_off = tb_take(pa, 4 * c->oc);
		for (lf_u32 o = 0; o < c->oc; o++)
			tb_put_i32(params, d->bias_off + 4 * o,
				   tb_range(-20000, 20000));
	}
	if (c->y_type != LF_KDT_I32) {
		d->mult_off = tb_take(pa, 4 * nq);
		for (lf_u32 q = 0; q < nq; q++)
			tb_put_f32(params, d->mult_off + 4 * q,
				   0.0005f + 0.0001f * (float)tb_range(0, 40));
	}
	d->x_off = x_off;
	lf_u32 ysz = c->y_type == LF_KDT_I32 ? 4 : 1;
	d->y_off = tb_take(aa, c->n * c->oc * d->oh * d->ow * ysz);
}

int main(void)
{
	struct tb_arena pa = {params, TB_PARAMS_BYTES, 0};
	struct tb_arena aa = {act, TB_ACT_BYTES, 0};
	memset(params, 0, sizeof params);
	memset(act, TB_GUARD, sizeof act);

	/* Layer 1 input: x[2][19][9][11], uint8, x_zp 131. */
	const struct tb_conv c1 = {
	    LF_KDT_U8, LF_KDT_I8, LF_KDT_U8, 2, 19, 9, 11,  20, 3, 2,	2, 1, 1,
	    1,	       1,	  0,	     2, 1,  1, 131, 7,	7, 255, 1, 1};
	lf_u32 x1 = tb_take(&aa, c1.n * c1.ic * c1.ih * c1.iw);
	for (lf_u32 i = 0; i < c1.n * c1.ic * c1.ih * c1.iw; i++)
		act[x1 + i] = tb_rand_byte(c1.x_type);
	tb_conv_setup(&desc[0], &c1, x1, &pa, &aa);

	/* Layer 2: depthwise on layer 1's output (uint8, its y_zp). */
	const struct tb_conv c2 = {LF_KDT_U8,  LF_KDT_I8,  LF_KDT_I8, 2,  20,
				   desc[0].oh, desc[0].ow, 20,	      3,  3,
				   2,	       2,	   2,	      2,  2,
				   1,	       1,	   2,	      20, 7,
				   -3,	       -128,	   127,	      0,  1};
	tb_conv_setup(&desc[1], &c2, desc[0].y_off, &pa, &aa);

	/* Layer 3: ConvInteger 1x1 on layer 1's output, int32 accumulators. */
	const struct tb_conv c3 = {LF_KDT_U8,  LF_KDT_U8,  LF_KDT_I32, 2, 20,
				   desc[0].oh, desc[0].ow, 5,	       1, 1,
				   1,	       1,	   1,	       1, 0,
				   0,	       0,	   0,	       1, 7,
				   0,	       0,	   0,	       1, 0};
	tb_conv_setup(&desc[2], &c3, desc[0].y_off, &pa, &aa);

	memcpy(act_before, act, sizeof act);
	lfk_conv2d((lf_u32 *)(void *)desc, 3,
		   (const lf_beat *)(const void *)params, pa.used,
		   (lf_beat *)(void *)act, aa.used);

	int bad = 0;
	for (int i = 0; i < 3; i++)
		if (desc[i].status != LF_KST_OK) {
			printf("tb_conv2d: descriptor %d status %d, want %d\n",
			       i, (int)desc[i].status, LF_KST_OK);
			bad++;
		}

	/* Expected bytes: untouched act, then each layer in order. */
	memcpy(want, act_before, sizeof want);
	tb_conv_ref(&desc[0], params, want, want);
	tb_conv_ref(&desc[1], params, want, want);
	tb_conv_ref(&desc[2], params, want, want);
	bad += tb_compare("act", act, want, aa.used);
	bad += tb_guard_broken(act, aa.used, TB_ACT_BYTES);

	printf("tb_conv2d: %s (3 chained descriptors, %u act bytes checked, "
	       "PE %dx%d)\n",
	       bad ? "FAIL" : "PASS", (unsigned)TB_ACT_BYTES, LF_CONV_PE_OC,
	       LF_CONV_PE_K);
	return bad ? 1 : 0;
}
