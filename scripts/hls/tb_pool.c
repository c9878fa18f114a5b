/*
 * tb_pool.c - C-simulation testbench for lfk_pool (hls/pool.c).
 *
 * One launch of five descriptors, every output byte compared with the
 * plain loops of tb_ref.h (hls/lf_desc.h's formulas):
 *   1. MaxPool uint8 3x3 stride 2 pad 1 (the ResNet stem), x[2][3][13][150]:
 *      rows wider than LF_POOL_TW_MAX output columns, so several tiles;
 *   2. MaxPool int8 2x3, dilation 2x2, stride 2, ceil_mode, clamped to
 *      [-50, 100] (a fused Clip);
 *   3. QLinearAveragePool uint8 3x3 stride 1 pad 1 on the output of 1,
 *      padding not counted;
 *   4. QLinearAveragePool int8 2x2 stride 2 ceil_mode, count_include_pad,
 *      fused Relu (act_min = y_zp), on the input of 2;
 *   5. QLinearGlobalAveragePool on the output of 1.
 * It also checks that no byte of act outside the outputs changed.
 *
 * Used by scripts/hls/pool.tcl (vitis_hls csim/cosim) and built with gcc
 * by `make hls-tb`. Returns 0 on success, 1 on any mismatch.
 */
#include "tb_ref.h"

void lfk_pool(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
	      lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);

#define NDESC 5

static lf_u8 params[64];
static lf_u8 act[TB_ACT_BYTES];
static lf_u8 act_before[TB_ACT_BYTES];
static lf_u8 want[TB_ACT_BYTES];
static lf_desc desc[NDESC];

/* Fills the shape of a pooling descriptor; y gets a new offset. */
static void tb_pool_setup(lf_desc *d, lf_u32 op, lf_u32 type, lf_u32 x_off,
			  const lf_u32 s[4], const lf_u32 k[6],
			  const lf_u32 pad[4], int ceil, struct tb_arena *aa)
{
	tb_desc_init(d, op);
	d->x_type = d->y_type = type;
	d->n = s[0];
	d->ic = s[1];
	d->ih = s[2];
	d->iw = s[3];
	d->kh = k[0];
	d->kw = k[1];
	d->stride_h = k[2];
	d->stride_w = k[3];
	d->dil_h = k[4];
	d->dil_w = k[5];
	d->pad_t = pad[0];
	d->pad_l = pad[1];
	d->pad_b = pad[2];
	d->pad_r = pad[3];
	d->oh = tb_pool_out(d->ih, d->kh, d->stride_h, d->dil_h, d->pad_t,
			    d->pad_b, ceil);
	d->ow = tb_pool_out(d->iw, d->kw, d->stride_w, d->dil_w, d->pad_l,
			    d->pad_r, ceil);
	d->act_min = tb_type_min(type);
	d->act_max = tb_type_max(type);
	d->x_off = x_off;
	d->y_off = tb_take(aa, d->n * d->ic * d->oh * d->ow);
}

int main(void)
{
	struct tb_arena aa = {act, TB_ACT_BYTES, 0};
	memset(params, 0, sizeof params);
	memset(act, TB_GUARD, sizeof act);

	/* 1: MaxPool uint8, ResNet stem, wide rows. */
	const lf_u32 s1[4] = {2, 3, 13, 150};
	lf_u32 x1 = tb_take(&aa, 2 * 3 * 13 * 150);
	for (lf_u32 i = 0; i < 2 * 3 * 13 * 150; i++)
		act[x1 + i] = tb_rand_byte(LF_KDT_U8);
	const lf_u32 k1[6] = {3, 3, 2, 2, 1, 1}, p1[4] = {1, 1, 1, 1};
	tb_pool_setup(&desc[0], LF_KOP_MAXPOOL, LF_KDT_U8, x1, s1, k1, p1, 0,
		      &aa);

	/* 2: MaxPool int8, dilated, ceil_mode, Clip [-50, 100]. */
	const lf_u32 s2[4] = {1, 4, 11, 12};
	lf_u32 x2 = tb_take(&aa, 4 * 11 * 12);
	for (lf_u32 i = 0; i < 4 * 11 * 12; i++)
		act[x2 + i] = tb_rand_byte(LF_KDT_I8);
	const lf_u32 k2[6] = {2, 3, 2, 2, 2, 2}, p2[4] = {0, 1, 0, 0};
	tb_pool_setup(&desc[1], LF_KOP_MAXPOOL, LF_KDT_I8, x2, s2, k2, p2, 1,
		      &aa);
	desc[1].act_min = -50;
	desc[1].act_max = 100;

	/* 3: average uint8 3x3 pad 1 on the output of 1, pads not counted. */
	const lf_u32 s3[4] = {desc[0].n, desc[0].ic, desc[0].oh, desc[0].ow};
	const lf_u32 k3[6] = {3, 3, 1, 1, 1, 1}, p3[4] = {1, 1, 1, 1};
	tb_pool_setup(&desc[2], LF_KOP_AVGPOOL, LF_KDT_U8, desc[0].y_off, s3,
		      k3, p3, 0, &aa);
	desc[2].x_zp = 3;
	desc[2].y_zp = 120;
	desc[2].x_scale = 0.0235f;
	desc[2].y_scale = 0.0193f;

	/* 4: average int8 2x2 stride 2 ceil_mode, count_include_pad, Relu. */
	const lf_u32 k4[6] = {2, 2, 2, 2, 1, 1}, p4[4] = {1, 0, 0, 1};
	tb_pool_setup(&desc[3], LF_KOP_AVGPOOL, LF_KDT_I8, x2, s2, k4, p4, 1,
		      &aa);
	desc[3].flags = LF_DF_COUNT_PAD;
	desc[3].x_zp = -7;
	desc[3].y_zp = -3;
	desc[3].act_min = -3;
	desc[3].x_scale = 0.11f;
	desc[3].y_scale = 0.07f;

	/* 5: global average of the output of 1. */
	const lf_u32 k5[6] = {desc[0].oh, desc[0].ow, 1, 1, 1, 1};
	const lf_u32 p5[4] = {0, 0, 0, 0};
	tb_pool_setup(&desc[4], LF_KOP_AVGPOOL, LF_KDT_U8, desc[0].y_off, s3,
		      k5, p5, 0, &aa);
	desc[4].x_zp = 128;
	desc[4].y_zp = 100;
	desc[4].x_scale = 0.05f;
	desc[4].y_scale = 0.013f;

	memcpy(act_before, act, sizeof act);
	lfk_pool((lf_u32 *)(void *)desc, NDESC,
		 (const lf_beat *)(const void *)params, sizeof params,
		 (lf_beat *)(void *)act, aa.used);

	int bad = 0;
	for (int i = 0; i < NDESC; i++)
		if (desc[i].status != LF_KST_OK) {
			printf("tb_pool: descriptor %d status %d, want %d\n", i,
			       (int)desc[i].status, LF_KST_OK);
			bad++;
		}
	memcpy(want, act_before, sizeof want);
	for (int i = 0; i < NDESC; i++)
		tb_pool_ref(&desc[i], want, want);
	bad += tb_compare("act", act, want, aa.used);
	bad += tb_guard_broken(act, aa.used, TB_ACT_BYTES);

	printf("tb_pool: %s (%d chained descriptors, %u act bytes checked, "
	       "row %d, tile %d)\n",
	       bad ? "FAIL" : "PASS", NDESC, (unsigned)TB_ACT_BYTES,
	       LF_POOL_ROW, LF_POOL_TW_MAX);
	return bad ? 1 : 0;
}
