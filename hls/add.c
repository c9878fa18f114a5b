/*
 * add.c - lfk_add: ONNX Runtime's QLinearAdd and QLinearMul of two
 * uint8/int8 tensors (residual connections, squeeze-excite scaling) over
 * a list of descriptors: same shape, or the second operand one value, one
 * value per channel or one per (image, channel). One source for Vitis
 * HLS, host C (emulator) and OpenCL C; see lf_kernel.h for the rules,
 * lf_desc.h for the exact arithmetic and hls/README.md for the structure.
 *
 * Per descriptor:
 *   the coefficients from the scales and zero points    (once)
 *   for each plane (image, channel):
 *     for each group of LF_ADD_LANES elements:           (II 2 * LANES)
 *       add: y = rint(fma(A2, B2, fma(A1, B1, C1))), saturated
 *            (its table of the inner fma once, then integers; lf_kadd.h)
 *       mul: y = rint(y_zp + (x - x_zp) * (x2 - x2_zp) * m), saturated
 *            (a float multiply, then a float add)
 * Blocked (LF_DF_BLK, channels innermost, 64 a beat): chunks of x and x2
 * loaded on chip, then an add a beat a cycle in 64 integer lanes, or a
 * mul in LF_ADD_BLK_MUL_LANES lanes, 64 / LF_ADD_BLK_MUL_LANES passes a
 * beat, its beats stored after (add_blk_vec).
 * x, x2 and y stream through the act port; the planes are contiguous, so
 * the plane loop only tracks the channel of a per-channel x2.
 *
 * The per-element formula (the add in integers from a per-descriptor
 * table, the mul's unfused multiply and add in float) is lf_kadd.h's,
 * which the blocked conv's fused add (lf_conv_blk.h, LF_DF_ADD) runs too.
 */
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kadd.h"
#include "lf_kblk.h"
#include "lf_kdesc.h"
#include "lf_kqlinear.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

/* Derived from a descriptor once it has passed add_check(). */
struct add_geo {
	lf_u32 inner;  /* ih * iw: elements per plane */
	lf_u32 planes; /* n * ic */
	lf_u32 mul;    /* LF_KOP_MUL */
	lf_u32 bc;     /* LF_DF_X2_SCALAR / _PER_CH / _PER_NC, or 0 */
	lf_u32 blk;    /* LF_DF_BLK: blocked channels-last (add_blk_*) */
	lf_u32 cb;     /* blocked: channel blocks, ceil(ic / 64) */
	lf_u32 row0, row1; /* blocked: the part's rows of y (y_rows) */
	lf_u32 blk0, blk1; /* and channel blocks (y_blks) */
	struct lfk_qadd q; /* the per-element coefficients (lf_kadd.h) */
};

/* Every check of lf_desc.h, in its order; fills *g when LF_KST_OK. */
static lf_i32 add_check(const lf_desc *d, lf_u32 act_bytes,
			struct add_geo *g)
{
	if (d->magic != LF_DESC_MAGIC)
		return LF_KST_BAD_MAGIC;
	lf_u32 bcs = LF_DF_X2_SCALAR | LF_DF_X2_PER_CH | LF_DF_X2_PER_NC;
	g->mul = d->op == LF_KOP_MUL;
	g->bc = d->flags & bcs;
	lf_u32 ok_flags = bcs | LF_DF_BLK | (g->mul ? 0 : LF_DF_SWAP);
	g->blk = (d->flags & LF_DF_BLK) != 0;
	if ((d->op != LF_KOP_ADD && !g->mul) || (d->flags & ~ok_flags) != 0 ||
	    (g->bc & (g->bc - 1)) != 0 || lfk_part_refused(d, g->blk))
		return LF_KST_BAD_OP;
	if (!lfk_is_8bit(d->x_type) || d->y_type != d->x_type)
		return LF_KST_BAD_TYPE;
	if (d->n == 0 || d->ic == 0 || d->ih == 0 || d->iw == 0)
		return LF_KST_BAD_SHAPE;
	/* The part of the layer it computes (y_rows, y_blks; blocked). */
	g->cb = lfk_blk_cb(d->ic);
	if (!lfk_part(d, d->ih, g->cb, &g->row0, &g->row1, &g->blk0, &g->blk1))
		return LF_KST_BAD_SHAPE;
	if (!lfk_in_type(d->x_type, d->x_zp) ||
	    !lfk_in_type(d->x_type, d->x2_zp) ||
	    !lfk_in_type(d->y_type, d->y_zp) ||
	    !lfk_in_type(d->y_type, d->act_min) ||
	    !lfk_in_type(d->y_type, d->act_max) || d->act_min > d->act_max ||
	    !lfk_scale_ok(d->x_scale) || !lfk_scale_ok(d->x2_scale) ||
	    !lfk_scale_ok(d->y_scale))
		return LF_KST_BAD_QUANT;
	if (d->n > LF_ADD_DIM_MAX || d->ic > LF_ADD_DIM_MAX ||
	    d->ih > LF_ADD_DIM_MAX || d->iw > LF_ADD_DIM_MAX)
		return LF_KST_LIMIT;

	/* Blocked: n * cb planes of 64-byte pixels, 64-aligned; a
	 * per-channel x2 is cb beats. */
	lf_u64 chans = g->blk ? (lf_u64)g->cb * LF_BLK_LANES : d->ic;
	lf_u64 planes = lfk_mul_sat(d->n, chans);
	lf_u64 count = lfk_mul_sat(planes, lfk_mul_sat(d->ih, d->iw));
	lf_u64 x2_sz = count;
	if (g->bc == LF_DF_X2_SCALAR)
		x2_sz = 1;
	else if (g->bc == LF_DF_X2_PER_CH)
		x2_sz = chans;
	else if (g->bc == LF_DF_X2_PER_NC)
		x2_sz = planes;
	if (g->blk &&
	    ((d->x_off | d->x2_off | d->y_off) % LF_BLK_LANES) != 0)
		return LF_KST_BOUNDS;
	if (!lfk_inside(d->x_off, count, act_bytes) ||
	    !lfk_inside(d->x2_off, x2_sz, act_bytes) ||
	    !lfk_inside(d->y_off, count, act_bytes) ||
	    !lfk_disjoint(d->x_off, count, d->y_off, count) ||
	    !lfk_disjoint(d->x2_off, x2_sz, d->y_off, count))
		return LF_KST_BOUNDS;

	g->inner = d->ih * d->iw;
	g->planes = (lf_u32)planes;
	lfk_qadd_init(&g->q, g->mul, (d->flags & LF_DF_SWAP) != 0, d->x_type,
		      d->x_scale, d->x_zp, d->x2_scale, d->x2_zp, d->y_scale,
		      d->y_zp, d->act_min, d->act_max);
	if (!g->mul)
		lfk_qadd_tab(&g->q);
	return LF_KST_OK;
}

/* Runs one checked descriptor. */
static void add_run(LF_GLOBAL lf_beat *act, const lf_desc *d,
		    const struct add_geo *g)
{
	lf_u32 per_ch = g->bc == LF_DF_X2_PER_CH;
	lf_u32 per_nc = g->bc == LF_DF_X2_PER_NC;
	lf_u32 full = g->bc == 0;
	lf_u32 vecs = (g->inner + LF_ADD_LANES - 1) / LF_ADD_LANES;
	lf_u32 c = 0; /* channel of plane p */
	for (lf_u32 p = 0; p < g->planes; p++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=256
		lf_u32 e0 = p * g->inner;
		/* The broadcast value of this plane (full: unused). */
		lf_u32 bi = d->x2_off + (per_nc ? p : per_ch ? c : 0);
		lf_i32 b = lfk_value(d->x_type, lf_ld_u8(act, bi));
		LF_PIPE_BEGIN(add_vec);
	add_vec:
		for (lf_u32 v = 0; v < vecs; v++) {
#pragma HLS PIPELINE II=LFP_ADD_II
#pragma HLS LOOP_TRIPCOUNT min=1 max=268435456 avg=196
			LF_PIPE(add_vec);
			for (lf_u32 l = 0; l < LF_ADD_LANES; l++) {
#pragma HLS UNROLL
				lf_u32 i = v * LF_ADD_LANES + l;
				if (i >= g->inner)
					continue;
				lf_u32 e = e0 + i;
				lf_u8 xb = lf_ld_u8(act, d->x_off + e);
				lf_i32 x = lfk_value(d->x_type, xb);
				lf_i32 x2 = b;
				if (full)
					x2 = lfk_value(d->x_type,
						       lf_ld_u8(act, d->x2_off + e));
				lf_i32 y = lfk_qadd_one(&g->q, l, x, x2);
				lf_st_u8(act, d->y_off + e, lfk_byte(y));
			}
		}
		LF_PIPE_END(add_vec);
		if (++c == d->ic)
			c = 0;
	}
}

/* --- blocked (LF_DF_BLK): 64 channels per beat -------------------------- */

/* Beats bi .. bi + nb - 1 of act into buf[0 ..]: one burst. */
static void add_blk_load(LF_GLOBAL const lf_beat *act, lf_u32 bi, lf_u32 nb,
			 LF_LOCAL lf_u8 buf[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(add_blk_load);
add_blk_load:
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_ROW avg=256
		LF_PIPE(add_blk_load);
		lf_u8 b[LF_BLK_LANES];
		lf_beat_rd(act, bi + v, b);
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			buf[v][l] = b[l];
		}
	}
	LF_PIPE_END(add_blk_load);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
/* lf_conv_blk.h's switch: 0 the best the CPU has, 1 no AVX2 (tests). */
extern int lfk__blk_isa;
#endif

/*
 * An add: nb beats of y from the loaded x (xab) and x2 (x2ab with a
 * full-shape x2, else the broadcast values q[]), a beat a cycle: 64
 * integer lanes (lfk_qadd_add).
 */
static void add_blk_add(LF_GLOBAL lf_beat *act, const lf_desc *d,
			const struct add_geo *g, lf_u32 ybi, lf_u32 nb,
			lf_u32 full, const lf_i32 q[LF_BLK_LANES],
			LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			LF_LOCAL lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(add_blk_vec);
add_blk_vec:
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_ROW avg=256
		LF_PIPE(add_blk_vec);
		lf_u8 o[LF_BLK_LANES];
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			lf_i32 x = lfk_value(d->x_type, xab[v][l]);
			lf_i32 x2 =
			    full ? lfk_value(d->x_type, x2ab[v][l]) : q[l];
			lf_i32 y = lfk_qadd_add(&g->q, l, x, x2);
			o[l] = lfk_byte(y);
		}
		lf_beat_wr(act, ybi + v, o);
	}
	LF_PIPE_END(add_blk_vec);
}

/*
 * A mul: nb beats of y from the loaded x and x2 (as add_blk_add), into
 * xab in place, for add_blk_st to write: LF_ADD_BLK_MUL_LANES lanes
 * (lfk_qadd_mul: its float multiply and add are the fabric's largest
 * lanes, so fewer than a beat's 64 where the LUT budget needs it,
 * bitstreams/<p>/params.mk),
 * LF_ADD_BLK_MUL_PASSES passes a beat, one a cycle: lane l of pass s is
 * channel s * LF_ADD_BLK_MUL_LANES + l. Every element is read and written
 * by the one iteration that computes it (no dependence between
 * iterations through xab).
 */
static void add_blk_mul(const lf_desc *d, const struct add_geo *g,
			lf_u32 nb, lf_u32 full, const lf_i32 q[LF_BLK_LANES],
			LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			LF_LOCAL const lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(add_blk_mul);
add_blk_mul:
	for (lf_u32 t = 0; t < nb * LF_ADD_BLK_MUL_PASSES; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=1024
#pragma HLS DEPENDENCE variable=xab type=inter false
		LF_PIPE(add_blk_mul);
		lf_u32 v = t / LF_ADD_BLK_MUL_PASSES;
		lf_u32 s = t % LF_ADD_BLK_MUL_PASSES;
		for (lf_u32 l = 0; l < LF_ADD_BLK_MUL_LANES; l++) {
#pragma HLS UNROLL
			/* the pass's channel: a PASSES:1 multiplexer a lane */
			lf_u8 xb = 0, x2b = 0;
			lf_i32 qb = 0;
			for (lf_u32 u = 0; u < LF_ADD_BLK_MUL_PASSES; u++) {
#pragma HLS UNROLL
				lf_u32 c = u * LF_ADD_BLK_MUL_LANES + l;
				if (u == s) {
					xb = xab[v][c];
					x2b = full ? x2ab[v][c] : 0;
					qb = q[c];
				}
			}
			lf_i32 x = lfk_value(d->x_type, xb);
			lf_i32 x2 = full ? lfk_value(d->x_type, x2b) : qb;
			lf_u8 y = lfk_byte(lfk_qadd_mul(&g->q, x, x2));
			for (lf_u32 u = 0; u < LF_ADD_BLK_MUL_PASSES; u++) {
#pragma HLS UNROLL
				if (u == s)
					xab[v][u * LF_ADD_BLK_MUL_LANES + l] = y;
			}
		}
	}
	LF_PIPE_END(add_blk_mul);
}

/* The mul's nb beats of y from xab: a beat a cycle, one burst. */
static void add_blk_st(LF_GLOBAL lf_beat *act, lf_u32 ybi, lf_u32 nb,
		       LF_LOCAL const lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(add_blk_st);
add_blk_st:
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_ROW avg=256
		LF_PIPE(add_blk_st);
		lf_u8 o[LF_BLK_LANES];
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			o[l] = xab[v][l];
		}
		lf_beat_wr(act, ybi + v, o);
	}
	LF_PIPE_END(add_blk_st);
}

/* nb beats of y: add_blk_add, or add_blk_mul then add_blk_st. */
static void add_blk_vec(LF_GLOBAL lf_beat *act, const lf_desc *d,
			const struct add_geo *g, lf_u32 ybi, lf_u32 nb,
			lf_u32 full, const lf_i32 q[LF_BLK_LANES],
			LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			LF_LOCAL lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
	if (lfk__blk_isa == 0 && __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("fma")) {
		/* The emulator: the same beats (lfk_qadd_host_avx2) straight
		 * to y, the loops' counts. */
		lfk_qadd_host_avx2(&g->q, nb, (const lf_u8(*)[LF_BLK_LANES])xab,
				   full ? (const lf_u8(*)[LF_BLK_LANES])x2ab
					: NULL,
				   q, (lf_u8(*)[LF_BLK_LANES])(act + ybi));
		if (!g->mul) {
			LF_PIPE_BEGIN(add_blk_vec);
			lfp__add_blk_vec = nb;
			LF_PIPE_END(add_blk_vec);
		} else {
			LF_PIPE_BEGIN(add_blk_mul);
			lfp__add_blk_mul = nb * LF_ADD_BLK_MUL_PASSES;
			LF_PIPE_END(add_blk_mul);
			LF_PIPE_BEGIN(add_blk_st);
			lfp__add_blk_st = nb;
			LF_PIPE_END(add_blk_st);
		}
		return;
	}
#endif
	if (!g->mul) {
		add_blk_add(act, d, g, ybi, nb, full, q, xab, x2ab);
	} else {
		add_blk_mul(d, g, nb, full, q, xab, x2ab);
		add_blk_st(act, ybi, nb, xab);
	}
}

/*
 * Beats b0 .. b0 + nb - 1 of x (and of a full x2) to y, in chunks of
 * LF_POOL_BLK_ROW: x and x2 each one burst into on-chip buffers (both
 * through the one act read port, one after the other), then the sums.
 */
static void add_blk_span(LF_GLOBAL lf_beat *act, const lf_desc *d,
			 const struct add_geo *g, lf_u32 b0, lf_u32 nb,
			 lf_u32 full, const lf_i32 q[LF_BLK_LANES],
			 LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			 LF_LOCAL lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	for (lf_u32 v0 = 0; v0 < nb; v0 += LF_POOL_BLK_ROW) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536 avg=13
		lf_u32 m = nb - v0;
		if (m > LF_POOL_BLK_ROW)
			m = LF_POOL_BLK_ROW;
		add_blk_load(act, d->x_off / LF_BLK_LANES + b0 + v0, m, xab);
		if (full)
			add_blk_load(act, d->x2_off / LF_BLK_LANES + b0 + v0,
				     m, x2ab);
		add_blk_vec(act, d, g, d->y_off / LF_BLK_LANES + b0 + v0, m,
			    full, q, xab, x2ab);
	}
}

/* Runs one checked blocked descriptor. */
static void add_blk_run(LF_GLOBAL lf_beat *act, const lf_desc *d,
			const struct add_geo *g,
			LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			LF_LOCAL lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_i32 q[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=q type=complete
	lf_u32 pix = d->ih * d->iw;
	/* The part (y_rows, y_blks): nb blocks from b0 of each image, and
	 * of each plane the beats of rows r0 .. r1 - 1 from beat r0 * iw. */
	lf_u32 nb = g->blk1 - g->blk0;
	lf_u32 planes = d->n * nb;
	lf_u32 whole = nb == g->cb && g->row0 == 0 && g->row1 == d->ih;
	lf_u32 off = g->row0 * d->iw;
	lf_u32 len = (g->row1 - g->row0) * d->iw;
	lf_u32 full = g->bc == 0;
	lf_u32 per_nc = g->bc == LF_DF_X2_PER_NC;
	if (g->bc != LF_DF_X2_PER_CH && !per_nc) {
		/* Full or scalar: the planes are contiguous, one span (a
		 * part: one per plane). A scalar is one byte read,
		 * broadcast to every lane. */
		lf_i32 b = full ? 0 : lfk_value(d->x_type, lf_ld_u8(act, d->x2_off));
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			q[l] = b;
		}
		if (whole) {
			add_blk_span(act, d, g, 0, planes * pix, full, q, xab,
				     x2ab);
			return;
		}
	}
	for (lf_u32 k = 0; k < planes; k++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=4
		lf_u32 c = g->blk0 + k % nb; /* channel block of plane p */
		lf_u32 p = k / nb * g->cb + c;
		if (g->bc == LF_DF_X2_PER_CH || per_nc) {
			/* The block's 64 x2 values: one beat (per image and
			 * channel: the plane's own). */
			add_blk_load(act,
				     d->x2_off / LF_BLK_LANES + (per_nc ? p : c),
				     1, x2ab);
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
				q[l] = lfk_value(d->x_type, x2ab[0][l]);
			}
		}
		add_blk_span(act, d, g, p * pix + off, len,
			     full, q, xab, x2ab);
	}
}

/*
 * Checks and runs one descriptor; returns its status. The body of
 * lfk_add's loop, and what lfk_engine (engine.c) calls for an add or a
 * mul.
 */
static lf_i32 add_layer(LF_GLOBAL lf_beat *act, lf_u32 act_bytes,
			const lf_desc *d,
			LF_LOCAL lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES],
			LF_LOCAL lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	struct add_geo g;
	lf_i32 st = add_check(d, act_bytes, &g);
	LF_DESC_DONE();
	if (st == LF_KST_OK && g.blk)
		add_blk_run(act, d, &g, xab, x2ab);
	else if (st == LF_KST_OK)
		add_run(act, d, &g);
	return st;
}

#if !defined(LF_ENGINE_BUILD)
LF_EXPORT LF_KERNEL void lfk_add(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
				 LF_GLOBAL const lf_beat *params,
				 lf_u32 params_bytes, LF_GLOBAL lf_beat *act,
				 lf_u32 act_bytes)
{
/* Interfaces: UG1399 "pragma HLS interface"; depths (elements: beats on
 * params/act) size C/RTL cosim only; latency and the outstanding counts
 * are the cycle model's LF_LAT_MEM / LF_AXI_OUTSTANDING (lf_config.h). */
#pragma HLS INTERFACE mode=m_axi port=desc offset=slave bundle=gmem0 depth=1024 max_read_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=params offset=slave bundle=gmem1 depth=16 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=act offset=slave bundle=gmem2 depth=65536 max_read_burst_length=64 max_write_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=s_axilite port=desc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=ndesc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=return bundle=control

	/* QLinearAdd / QLinearMul read no constants; params stays in the
	 * ABI. */
	(void)params;
	(void)params_bytes;
	/* Blocked: chunks of x and x2, 64 lanes wide (one beat). */
	LF_ONCHIP lf_u8 xab[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=xab type=complete dim=2
	LF_ONCHIP lf_u8 x2ab[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=x2ab type=complete dim=2
	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=4
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st = add_layer(act, act_bytes, &d, xab, x2ab);
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
#endif
