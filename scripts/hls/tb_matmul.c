/*
 * tb_matmul.c - C-simulation testbench for lfk_matmul (hls/matmul.c).
 *
 * Runs one launch of two descriptors and compares every output byte with
 * plain loops over the formula of hls/lf_desc.h:
 *   1. QLinearMatMul: A[2][5][37] uint8 (k not a multiple of PE_K), B[37][21]
 *      int8 constant in params (n not a multiple of PE_N), per-column w_zp
 *      and mult, bias, int8 output clipped to [-100, 100];
 *   2. MatMulInteger with B an activation (LF_DF_B_ACT): A = the output of
 *      1 viewed as [2][5][21] int8, B[2][21][9] int8 per batch in act,
 *      int32 output.
 * It also checks that no byte of act outside the two outputs changed.
 *
 * Used by scripts/hls/matmul.tcl (vitis_hls csim/cosim) and built with gcc
 * by `make hls-tb`. Returns 0 on success, 1 on any mismatch.
 */
#include "tb_ref.h"

void lfk_matmul(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);

static lf_u8 params[TB_PARAMS_BYTES];
static lf_u8 act[TB_ACT_BYTES];
static lf_u8 act_before[TB_ACT_BYTES];
static lf_u8 want[TB_ACT_BYTES];
static lf_desc desc[2];

int main(void)
{
	struct tb_arena pa = {params, TB_PARAMS_BYTES, 0};
	struct tb_arena aa = {act, TB_ACT_BYTES, 0};
	memset(params, 0, sizeof params);
	memset(act, TB_GUARD, sizeof act);

	/* 1: QLinearMatMul, B constant, per-column quantization. */
	lf_desc *d = &desc[0];
	tb_desc_init(d, LF_KOP_MATMUL);
	d->x_type = LF_KDT_U8;
	d->w_type = LF_KDT_I8;
	d->y_type = LF_KDT_I8;
	d->mm_batch = 2;
	d->mm_m = 5;
	d->mm_k = 37;
	d->mm_n = 21;
	d->mm_w_batch = 1;
	d->flags = LF_DF_W_PER_CH | LF_DF_BIAS;
	d->x_zp = 119;
	d->y_zp = 4;
	d->act_min = -100;
	d->act_max = 100;
	d->x_off = tb_take(&aa, 2 * 5 * 37);
	for (lf_u32 i = 0; i < 2 * 5 * 37; i++)
		act[d->x_off + i] = tb_rand_byte(LF_KDT_U8);
	d->w_off = tb_take(&pa, 37 * 21);
	for (lf_u32 i = 0; i < 37 * 21; i++)
		params[d->w_off + i] = tb_rand_byte(LF_KDT_I8);
	d->w_zp_off = tb_take(&pa, 4 * 21);
	d->bias_off = tb_take(&pa, 4 * 21);
	d->mult_off = tb_take(&pa, 4 * 21);
	for (lf_u32 j = 0; j < 21; j++) {
		tb_put_i32(params, d->w_zp_off + 4 * j, tb_range(-128, 127));
		tb_put_i32(params, d->bias_off + 4 * j,
			   tb_range(-30000, 30000));
		tb_put_f32(params, d->mult_off + 4 * j,
			   0.0002f + 0.00005f * (float)tb_range(0, 40));
	}
	d->y_off = tb_take(&aa, 2 * 5 * 21);

	/* 2: MatMulInteger, A = output of 1, B an activation per batch. */
	lf_desc *e = &desc[1];
	tb_desc_init(e, LF_KOP_MATMUL);
	e->x_type = LF_KDT_I8;
	e->w_type = LF_KDT_I8;
	e->y_type = LF_KDT_I32;
	e->mm_batch = 2;
	e->mm_m = 5;
	e->mm_k = 21;
	e->mm_n = 9;
	e->mm_w_batch = 2;
	e->flags = LF_DF_B_ACT;
	e->x_zp = 4;
	e->x2_zp = -17;
	e->x_off = d->y_off;
	e->x2_off = tb_take(&aa, 2 * 21 * 9);
	for (lf_u32 i = 0; i < 2 * 21 * 9; i++)
		act[e->x2_off + i] = tb_rand_byte(LF_KDT_I8);
	e->y_off = tb_take(&aa, 2 * 5 * 9 * 4);

	memcpy(act_before, act, sizeof act);
	lfk_matmul((lf_u32 *)(void *)desc, 2,
		   (const lf_beat *)(const void *)params, pa.used,
		   (lf_beat *)(void *)act, aa.used);

	int bad = 0;
	for (int i = 0; i < 2; i++)
		if (desc[i].status != LF_KST_OK) {
			printf("tb_matmul: descriptor %d status %d, want %d\n",
			       i, (int)desc[i].status, LF_KST_OK);
			bad++;
		}
	memcpy(want, act_before, sizeof want);
	tb_mm_ref(&desc[0], params, want, want);
	tb_mm_ref(&desc[1], params, want, want);
	bad += tb_compare("act", act, want, aa.used);
	bad += tb_guard_broken(act, aa.used, TB_ACT_BYTES);

	printf("tb_matmul: %s (2 chained descriptors, %u act bytes checked, "
	       "PE %dx%d)\n",
	       bad ? "FAIL" : "PASS", (unsigned)TB_ACT_BYTES, LF_MM_PE_N,
	       LF_MM_PE_K);
	return bad ? 1 : 0;
}
