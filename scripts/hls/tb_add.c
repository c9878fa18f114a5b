/*
 * tb_add.c - C-simulation testbench for lfk_add (hls/add.c).
 *
 * One launch of five descriptors, every output byte compared with the
 * plain loop of tb_ref.h (lf_desc.h's QLinearAdd formula, libm fmaf;
 * QLinearMul's separate multiply and add):
 *   1. uint8, same shape, x[2][5][7][9] (315 elements per image, not a
 *      multiple of LF_ADD_LANES), fused Relu;
 *   2. int8, x2 one value per channel, LF_DF_SWAP;
 *   3. uint8, x2 one scalar, on the output of 1;
 *   4. uint8, x + x (x and x2 the same bytes), on the output of 3;
 *   5. QLinearMul, uint8, x2 one value per image and channel (the
 *      squeeze-excite gate), on the output of 4.
 * It also checks that no byte of act outside the outputs changed.
 *
 * Used by scripts/hls/add.tcl (vitis_hls csim/cosim) and built with gcc
 * by `make hls-tb`. Returns 0 on success, 1 on any mismatch.
 */
#include "tb_ref.h"

void lfk_add(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
	     lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);

#define NDESC 5

static lf_u8 params[64];
static lf_u8 act[TB_ACT_BYTES];
static lf_u8 act_before[TB_ACT_BYTES];
static lf_u8 want[TB_ACT_BYTES];
static lf_desc desc[NDESC];

static void tb_add_setup(lf_desc *d, lf_u32 type, const lf_u32 s[4],
			 lf_u32 x_off, lf_u32 x2_off, lf_u32 flags,
			 struct tb_arena *aa)
{
	tb_desc_init(d, LF_KOP_ADD);
	d->x_type = d->y_type = type;
	d->flags = flags;
	d->n = s[0];
	d->ic = s[1];
	d->ih = s[2];
	d->iw = s[3];
	d->x_off = x_off;
	d->x2_off = x2_off;
	d->act_min = tb_type_min(type);
	d->act_max = tb_type_max(type);
	d->y_off = tb_take(aa, s[0] * s[1] * s[2] * s[3]);
}

static lf_u32 tb_fill(struct tb_arena *aa, lf_u32 n, lf_u32 type)
{
	lf_u32 off = tb_take(aa, n);
	for (lf_u32 i = 0; i < n; i++)
		act[off + i] = tb_rand_byte(type);
	return off;
}

int main(void)
{
	struct tb_arena aa = {act, TB_ACT_BYTES, 0};
	memset(params, 0, sizeof params);
	memset(act, TB_GUARD, sizeof act);
	const lf_u32 s[4] = {2, 5, 7, 9};
	const lf_u32 count = 2 * 5 * 7 * 9;

	/* 1: uint8 same shape, Relu. */
	lf_u32 xa = tb_fill(&aa, count, LF_KDT_U8);
	lf_u32 xb = tb_fill(&aa, count, LF_KDT_U8);
	tb_add_setup(&desc[0], LF_KDT_U8, s, xa, xb, 0, &aa);
	desc[0].x_zp = 128;
	desc[0].x2_zp = 97;
	desc[0].y_zp = 110;
	desc[0].act_min = 110;
	desc[0].x_scale = 0.0173f;
	desc[0].x2_scale = 0.0311f;
	desc[0].y_scale = 0.0402f;

	/* 2: int8, per-channel x2, swapped operands. */
	lf_u32 xc = tb_fill(&aa, count, LF_KDT_I8);
	lf_u32 xd = tb_fill(&aa, 5, LF_KDT_I8);
	tb_add_setup(&desc[1], LF_KDT_I8, s, xc, xd,
		     LF_DF_X2_PER_CH | LF_DF_SWAP, &aa);
	desc[1].x_zp = -5;
	desc[1].x2_zp = 11;
	desc[1].y_zp = 2;
	desc[1].x_scale = 0.25f;
	desc[1].x2_scale = 0.125f;
	desc[1].y_scale = 0.3f;

	/* 3: uint8, scalar x2, on the output of 1. */
	lf_u32 xe = tb_fill(&aa, 1, LF_KDT_U8);
	tb_add_setup(&desc[2], LF_KDT_U8, s, desc[0].y_off, xe, LF_DF_X2_SCALAR,
		     &aa);
	desc[2].x_zp = 110;
	desc[2].x2_zp = 0;
	desc[2].y_zp = 64;
	desc[2].x_scale = 0.0402f;
	desc[2].x2_scale = 0.01f;
	desc[2].y_scale = 0.05f;

	/* 4: x + x on the output of 3. */
	tb_add_setup(&desc[3], LF_KDT_U8, s, desc[2].y_off, desc[2].y_off, 0,
		     &aa);
	desc[3].x_zp = desc[3].x2_zp = 64;
	desc[3].y_zp = 128;
	desc[3].x_scale = desc[3].x2_scale = 0.05f;
	desc[3].y_scale = 0.0625f;

	/* 5: QLinearMul by a per-(image, channel) gate, on the output of 4. */
	lf_u32 xg = tb_fill(&aa, 2 * 5, LF_KDT_U8);
	tb_add_setup(&desc[4], LF_KDT_U8, s, desc[3].y_off, xg, LF_DF_X2_PER_NC,
		     &aa);
	desc[4].op = LF_KOP_MUL;
	desc[4].x_zp = 128;
	desc[4].x2_zp = 0;
	desc[4].y_zp = 120;
	desc[4].x_scale = 0.0625f;
	desc[4].x2_scale = 1.0f / 255.0f;
	desc[4].y_scale = 0.0431f;

	memcpy(act_before, act, sizeof act);
	lfk_add((lf_u32 *)(void *)desc, NDESC,
		(const lf_beat *)(const void *)params, sizeof params,
		(lf_beat *)(void *)act, aa.used);

	int bad = 0;
	for (int i = 0; i < NDESC; i++)
		if (desc[i].status != LF_KST_OK) {
			printf("tb_add: descriptor %d status %d, want %d\n", i,
			       (int)desc[i].status, LF_KST_OK);
			bad++;
		}
	memcpy(want, act_before, sizeof want);
	for (int i = 0; i < NDESC; i++)
		tb_add_ref(&desc[i], want, want);
	bad += tb_compare("act", act, want, aa.used);
	bad += tb_guard_broken(act, aa.used, TB_ACT_BYTES);

	printf("tb_add: %s (%d chained descriptors, %u act bytes checked, "
	       "%d lanes)\n",
	       bad ? "FAIL" : "PASS", NDESC, (unsigned)TB_ACT_BYTES,
	       LF_ADD_LANES);
	return bad ? 1 : 0;
}
