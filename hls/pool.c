/*
 * pool.c - lfk_pool: max pooling on uint8/int8 and ONNX Runtime's
 * QLinearAveragePool / QLinearGlobalAveragePool, NCHW, over a list of
 * descriptors. One source for Vitis HLS, host C (emulator) and OpenCL C;
 * see lf_kernel.h for the rules, lf_desc.h for the exact arithmetic and
 * hls/README.md for the structure.
 *
 * Windowed pooling, per descriptor:
 *   for each plane (image, channel), output row, tile of <= TW columns:
 *     for each window row a inside the image:
 *       read the row segment the tile needs into rbuf   (one beat a cycle)
 *       for each tap b, for each column t of the tile:  (II=1)
 *         acc[t] = max(acc[t], x) or acc[t] + x_scale * (x - x_zp)
 *     finish each column, write the tile                (one burst)
 * The tap loop runs over the columns innermost, so each column's float sum
 * still adds its taps in ORT's row-major window order (float addition is
 * not associative) while consecutive cycles update different columns.
 *
 * Blocked max pooling whose windows span at most two output rows' worth of
 * input rows (kh <= 2 * stride_h, no dilation, kw <= 4, 4 <= iw <= 128)
 * streams instead (pool_blk_rows): each input row of the part is read once,
 * its beats max-reduced into row accumulators as they arrive, and each
 * output row written when its last window row is in.
 *
 * Global average (kernel = image, no padding), per plane: an integer sum of
 * LF_CONV_BEAT bytes per cycle (exact in any order), one multiply, one
 * rounding: ORT's QLinearGlobalAveragePool, which its QLinearAveragePool
 * also runs for such a window.
 */
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kblk.h"
#include "lf_kdesc.h"
#include "lf_kpool.h"
#include "lf_kqlinear.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

/* Derived from a descriptor once it has passed pool_check(). */
struct pool_geo {
	lf_u32 avg;	  /* LF_KOP_AVGPOOL */
	lf_u32 is_global; /* the QLinearGlobalAveragePool path */
	lf_u32 span_w;	  /* (kw - 1) * dil_w + 1 */
	lf_u32 tw;	  /* output columns per tile */
	lf_u32 image;	  /* ih * iw */
	lf_i32 lo, hi;	  /* the type's range */
	float gscale;	  /* global: x_scale / (y_scale * image) */
	float div_pad;	  /* (float)(kh * kw), the count_include_pad divisor */
	lf_u32 blk;	  /* LF_DF_BLK: blocked channels-last (pool_blk_*) */
	lf_u32 cb;	  /* blocked: channel blocks, ceil(ic / 64) */
	lf_u32 r0, r1;	  /* blocked: the part's output rows (y_rows) */
	lf_u32 b0, b1;	  /* and channel blocks (y_blks) */
	lf_u32 vrow;	  /* blocked max, streamed by rows (pool_blk_rows) */
};

/* One output dimension is the floor or the ceil_mode size of its window. */
LF_INLINE int pool_dim_ok(lf_u32 in, lf_u32 pa, lf_u32 pb, lf_u32 k,
			  lf_u32 dil, lf_u32 stride, lf_u32 out)
{
	lf_u64 span = (lf_u64)(k - 1) * dil + 1;
	lf_u64 avail = (lf_u64)in + pa + pb;
	if (avail < span)
		return 0;
	lf_u64 room = avail - span;
	return out == room / stride + 1 ||
	       out == (room + stride - 1) / stride + 1;
}

/* Every check of lf_desc.h, in its order; fills *g when LF_KST_OK. */
static lf_i32 pool_check(const lf_desc *d, lf_u32 act_bytes,
			 struct pool_geo *g)
{
	if (d->magic != LF_DESC_MAGIC)
		return LF_KST_BAD_MAGIC;
	g->avg = d->op == LF_KOP_AVGPOOL;
	g->blk = (d->flags & LF_DF_BLK) != 0;
	if ((d->op != LF_KOP_MAXPOOL && !g->avg) ||
	    (d->flags & ~(LF_DF_BLK | (g->avg ? LF_DF_COUNT_PAD : 0u))) != 0 ||
	    lfk_part_refused(d, g->blk))
		return LF_KST_BAD_OP;
	if (!lfk_is_8bit(d->x_type) || d->y_type != d->x_type)
		return LF_KST_BAD_TYPE;

	if (d->n == 0 || d->ic == 0 || d->ih == 0 || d->iw == 0 ||
	    d->oh == 0 || d->ow == 0 || d->kh == 0 || d->kw == 0 ||
	    d->stride_h == 0 || d->stride_w == 0 || d->dil_h == 0 ||
	    d->dil_w == 0)
		return LF_KST_BAD_SHAPE;
	/* ORT's QLinearAveragePool has no dilations. */
	if (g->avg && (d->dil_h != 1 || d->dil_w != 1))
		return LF_KST_BAD_SHAPE;
	if (!pool_dim_ok(d->ih, d->pad_t, d->pad_b, d->kh, d->dil_h,
			 d->stride_h, d->oh) ||
	    !pool_dim_ok(d->iw, d->pad_l, d->pad_r, d->kw, d->dil_w,
			 d->stride_w, d->ow))
		return LF_KST_BAD_SHAPE;
	/* The part of the layer it computes (y_rows, y_blks; blocked). */
	g->cb = lfk_blk_cb(d->ic);
	if (!lfk_part(d, d->oh, g->cb, &g->r0, &g->r1, &g->b0, &g->b1))
		return LF_KST_BAD_SHAPE;
	g->is_global = g->avg && d->kh == d->ih && d->kw == d->iw &&
		       d->pad_t == 0 && d->pad_l == 0 && d->pad_b == 0 &&
		       d->pad_r == 0;

	g->lo = lfk_type_min(d->x_type);
	g->hi = lfk_type_max(d->x_type);
	if (!lfk_in_type(d->y_type, d->act_min) ||
	    !lfk_in_type(d->y_type, d->act_max) || d->act_min > d->act_max)
		return LF_KST_BAD_QUANT;
	/* Both < 2^32: no wrap. Exact in float below the 2^24 limit. */
	lf_u64 image = (lf_u64)d->ih * d->iw;
	g->gscale = 0.0f;
	g->div_pad = 0.0f;
	g->vrow = 0;
	if (g->avg) {
		if (!lfk_in_type(d->x_type, d->x_zp) ||
		    !lfk_in_type(d->y_type, d->y_zp) ||
		    !lfk_scale_ok(d->x_scale) || !lfk_scale_ok(d->y_scale))
			return LF_KST_BAD_QUANT;
	}
	if (g->is_global) {
		float yimg = d->y_scale * (float)image;
		g->gscale = d->x_scale / yimg;
		/* ORT's MlasQLinearGlobalAveragePool range (NaN fails too). */
		if (!(g->gscale >= 0x1.0p-32f && g->gscale < 256.0f))
			return LF_KST_BAD_QUANT;
	}

	if (d->n > LF_POOL_DIM_MAX || d->ic > LF_POOL_DIM_MAX ||
	    d->ih > LF_POOL_DIM_MAX || d->iw > LF_POOL_DIM_MAX ||
	    d->oh > LF_POOL_DIM_MAX || d->ow > LF_POOL_DIM_MAX ||
	    d->pad_t > LF_POOL_DIM_MAX || d->pad_l > LF_POOL_DIM_MAX ||
	    d->pad_b > LF_POOL_DIM_MAX || d->pad_r > LF_POOL_DIM_MAX ||
	    d->stride_h > LF_POOL_STEP_MAX || d->stride_w > LF_POOL_STEP_MAX ||
	    d->dil_h > LF_POOL_STEP_MAX || d->dil_w > LF_POOL_STEP_MAX)
		return LF_KST_LIMIT;
	if (g->is_global) {
		/* ORT refuses 2^24 pixels or more (float counts them). */
		if (image >= 0x1000000u)
			return LF_KST_LIMIT;
		g->image = (lf_u32)image;
		g->span_w = d->iw;
		g->tw = 1;
	} else {
		if (d->kh > LF_POOL_KDIM_MAX || d->kw > LF_POOL_KDIM_MAX)
			return LF_KST_LIMIT;
		g->span_w = (d->kw - 1) * d->dil_w + 1;
		/* The row buffer: bytes of one plane, or 64-channel pixels. */
		lf_u32 row = g->blk ? LF_POOL_BLK_ROW : LF_POOL_ROW;
		if (g->span_w > row)
			return LF_KST_LIMIT;
		lf_u32 tw = (row - g->span_w) / d->stride_w + 1;
		lf_u32 tw_max = g->blk ? LF_POOL_BLK_TW : LF_POOL_TW_MAX;
		if (tw > tw_max)
			tw = tw_max;
		if (tw > d->ow)
			tw = d->ow;
		g->tw = tw;
		g->image = (lf_u32)image;
		g->div_pad = (float)(d->kh * d->kw);
		/* Streamed: an input row feeds at most two output rows (two
		 * row accumulators), a column's taps are read at once (as in
		 * pool_blk_maxw), a row fits an accumulator, and a row is at
		 * least LF_POOL_BLK_KWP beats (the accumulators' update
		 * distance, pool_blk_vld). The average keeps the tiles: its
		 * float sums must add the taps in ORT's row-major order. */
		g->vrow = g->blk && !g->avg && d->dil_h == 1 &&
			  d->dil_w == 1 && d->kw <= LF_POOL_BLK_KWP &&
			  d->kh <= 2 * d->stride_h &&
			  d->iw >= LF_POOL_BLK_KWP && d->iw <= LF_POOL_BLK_ROW;
	}

	/* Blocked: n * cb planes of 64-byte pixels, 64-aligned. */
	lf_u64 planes = g->blk ? lfk_mul_sat(d->n, (lf_u64)g->cb * LF_BLK_LANES)
			       : lfk_mul_sat(d->n, d->ic);
	lf_u64 x_sz = lfk_mul_sat(planes, lfk_mul_sat(d->ih, d->iw));
	lf_u64 y_sz = lfk_mul_sat(planes, lfk_mul_sat(d->oh, d->ow));
	if (g->blk && ((d->x_off | d->y_off) % LF_BLK_LANES) != 0)
		return LF_KST_BOUNDS;
	if (!lfk_inside(d->x_off, x_sz, act_bytes) ||
	    !lfk_inside(d->y_off, y_sz, act_bytes) ||
	    !lfk_disjoint(d->x_off, x_sz, d->y_off, y_sz))
		return LF_KST_BOUNDS;
	return LF_KST_OK;
}

/*
 * Columns ix0 .. ix0 + tcols - 1 of input row rb (a byte offset in act)
 * into rbuf, LF_CONV_BEAT conditional byte reads per iteration; columns
 * outside the image are not read (the reduction skips them).
 */
static void pool_load_row(LF_GLOBAL const lf_beat *act, const lf_desc *d,
			  lf_u32 rb, lf_i32 ix0, lf_u32 tcols,
			  LF_LOCAL lf_u8 rbuf[LF_POOL_ROW])
{
	lf_u32 beats = (tcols + LF_CONV_BEAT - 1) / LF_CONV_BEAT;
	LF_PIPE_BEGIN(pool_load_row);
pool_load_row:
	for (lf_u32 v = 0; v < beats; v++) {
#pragma HLS PIPELINE II=LF_CONV_BEAT
#pragma HLS LOOP_TRIPCOUNT min=1 max=64 avg=1
		LF_PIPE(pool_load_row);
		for (lf_u32 j = 0; j < LF_CONV_BEAT; j++) {
#pragma HLS UNROLL
			lf_u32 c = v * LF_CONV_BEAT + j;
			lf_i32 ix = ix0 + (lf_i32)c;
			if (c < tcols && ix >= 0 && ix < (lf_i32)d->iw)
				rbuf[c] = lf_ld_u8(act, rb + (lf_u32)ix);
		}
	}
	LF_PIPE_END(pool_load_row);
}

/*
 * One tile: output row oy, columns ox0 .. ox0 + tw_t - 1 of plane p. Per
 * column, mx holds the running max; sum the float sum of the dequantized
 * taps and cnt how many taps were inside the image (average).
 */
static void pool_tile(LF_GLOBAL lf_beat *act, const lf_desc *d,
		      const struct pool_geo *g, lf_u32 p, lf_u32 oy, lf_u32 ox0,
		      lf_u32 tw_t, LF_LOCAL lf_u8 rbuf[LF_POOL_ROW])
{
	/* Registers: cleared in one cycle, one column touched per cycle. */
	lf_i32 mx[LF_POOL_TW_MAX];
	float sum[LF_POOL_TW_MAX];
	lf_u32 cnt[LF_POOL_TW_MAX];
#pragma HLS ARRAY_PARTITION variable=mx type=complete
#pragma HLS ARRAY_PARTITION variable=sum type=complete
#pragma HLS ARRAY_PARTITION variable=cnt type=complete
	for (lf_u32 t = 0; t < LF_POOL_TW_MAX; t++) {
#pragma HLS UNROLL
		mx[t] = g->lo;
		sum[t] = 0.0f;
		cnt[t] = 0;
	}
	lf_i32 ix0 = (lf_i32)(ox0 * d->stride_w) - (lf_i32)d->pad_l;
	lf_u32 tcols = (tw_t - 1) * d->stride_w + g->span_w;
	for (lf_u32 a = 0; a < d->kh; a++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_KDIM_MAX avg=3
		lf_i32 iy = (lf_i32)(oy * d->stride_h) - (lf_i32)d->pad_t +
			    (lf_i32)(a * d->dil_h);
		if (iy < 0 || iy >= (lf_i32)d->ih)
			continue; /* padding rows hold no taps */
		lf_u32 rb = d->x_off + (p * d->ih + (lf_u32)iy) * d->iw;
		pool_load_row(act, d, rb, ix0, tcols, rbuf);
		/* Taps outer, columns inner: column t's recurrence has
		 * distance tw_t, and its taps stay in window order. HLS
		 * cannot prove that distance through the runtime index, so
		 * the float sum sets the II (max pooling shares the loop). */
		lf_u32 b = 0, t = 0;
		lf_u32 trips = d->kw * tw_t;
		LF_PIPE_BEGIN(pool_taps);
	pool_taps:
		for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=LF_LAT_FADD
#pragma HLS LOOP_TRIPCOUNT min=1 max=16320 avg=192
			LF_PIPE(pool_taps);
			lf_u32 c = t * d->stride_w + b * d->dil_w;
			lf_i32 ix = ix0 + (lf_i32)c;
			if (ix >= 0 && ix < (lf_i32)d->iw) {
				lf_i32 v = lfk_value(d->x_type, rbuf[c]);
				if (g->avg) {
					float dq = d->x_scale *
						   (float)(v - d->x_zp);
					sum[t] = sum[t] + dq;
					cnt[t]++;
				} else if (v > mx[t]) {
					mx[t] = v;
				}
			}
			if (++t == tw_t) {
				t = 0;
				b++;
			}
		}
		LF_PIPE_END(pool_taps);
	}

	lf_u32 e0 = (p * d->oh + oy) * d->ow + ox0;
	LF_PIPE_BEGIN(pool_store);
pool_store:
	for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_TW_MAX
		LF_PIPE(pool_store);
		lf_i32 q = mx[t];
		if (g->avg) {
			/* A window with no tap divides 0 by 0, as ORT does. */
			float den = (d->flags & LF_DF_COUNT_PAD)
					? g->div_pad
					: (float)cnt[t];
			float avg = sum[t] / den;
			float r = avg / d->y_scale + (float)d->y_zp;
			q = lfk_quant_clamp(r, g->lo, g->hi);
		}
		q = lfk_clamp(q, d->act_min, d->act_max);
		lf_st_u8(act, d->y_off + e0 + t, lfk_byte(q));
	}
	LF_PIPE_END(pool_store);
}

/* The global average of every plane: sum, scale, round. */
static void pool_global(LF_GLOBAL lf_beat *act, const lf_desc *d,
			const struct pool_geo *g)
{
	lf_u32 planes = d->n * d->ic;
	lf_u32 beats = (g->image + LF_CONV_BEAT - 1) / LF_CONV_BEAT;
	/* -x_zp * image, wrapping in int32 as ORT's does. */
	lf_u32 bias = (lf_u32)(-d->x_zp) * g->image;
	float lo = (float)(g->lo - d->y_zp), hi = (float)(g->hi - d->y_zp);
	for (lf_u32 p = 0; p < planes; p++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=512
		lf_u32 base = d->x_off + p * g->image;
		lf_u32 acc = bias;
		LF_PIPE_BEGIN(pool_gap);
	pool_gap:
		for (lf_u32 v = 0; v < beats; v++) {
#pragma HLS PIPELINE II=LF_CONV_BEAT
#pragma HLS LOOP_TRIPCOUNT min=1 max=262144 avg=1
			LF_PIPE(pool_gap);
			lf_u32 s = 0;
			for (lf_u32 j = 0; j < LF_CONV_BEAT; j++) {
#pragma HLS UNROLL
				lf_u32 e = v * LF_CONV_BEAT + j;
				if (e < g->image)
					s += (lf_u32)lfk_value(d->x_type,
							       lf_ld_u8(act, base + e));
			}
			acc += s;
		}
		LF_PIPE_END(pool_gap);
		float f = (float)(lf_i32)acc * g->gscale;
		f = f < lo ? lo : (f > hi ? hi : f);
		/* |f| <= 255: lfk_round_even() is exact. */
		lf_i32 q = lfk_round_even(f) + d->y_zp;
		q = lfk_clamp(q, d->act_min, d->act_max);
		lf_st_u8(act, d->y_off + p, lfk_byte(q));
	}
}

/* --- blocked (LF_DF_BLK): 64 channels per beat -------------------------- */

/*
 * Pixels c0 .. c0 + nb - 1 of a window row into rbb[c0 ..], from beat bi
 * on: consecutive beats, one per iteration (one burst). Each byte is
 * stored as (b ^ flip), so an unsigned compare orders int8 values too.
 */
static void pool_blk_load(LF_GLOBAL const lf_beat *act, lf_u32 bi, lf_u32 c0,
			  lf_u32 nb, lf_u32 flip,
			  LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(pool_blk_load);
pool_blk_load:
	for (lf_u32 v = 0; v < nb; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_ROW avg=113
		LF_PIPE(pool_blk_load);
		lf_u8 b[LF_BLK_LANES];
		lf_beat_rd(act, bi + v, b);
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			rbb[c0 + v][l] = (lf_u8)(b[l] ^ flip);
		}
	}
	LF_PIPE_END(pool_blk_load);
}

/* Clears the tile's accumulators: the lowest value, 0.0f, 0 taps. */
static void pool_blk_clear(lf_u32 tw_t,
			   LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES],
			   LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES],
			   lf_u32 cnt[LF_POOL_BLK_TW])
{
	LF_PIPE_BEGIN(pool_blk_clear);
pool_blk_clear:
	for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_TW
		LF_PIPE(pool_blk_clear);
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			mxb[t][l] = 0;
			sumb[t][l] = 0.0f;
		}
		cnt[t] = 0;
	}
	LF_PIPE_END(pool_blk_clear);
}

/*
 * One window row into the max of tw_t columns, 64 lanes per cycle: for
 * each column t, its kw taps b in turn (a register acc carries the max
 * between them; mxb[t] is read at the first tap and written each cycle,
 * the last write wins). Taps outside the image are skipped.
 */
static void pool_blk_max(const lf_desc *d, lf_i32 ix0, lf_u32 tw_t,
			 LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
			 LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES])
{
	lf_u8 acc[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
	lf_u32 b = 0, t = 0;
	lf_u32 trips = d->kw * tw_t;
	LF_PIPE_BEGIN(pool_blk_max);
pool_blk_max:
	for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=16320 avg=168
/* No iteration reads an mxb[t] an earlier one of this call wrote. */
#pragma HLS DEPENDENCE variable=mxb type=inter false
		LF_PIPE(pool_blk_max);
		lf_u32 c = t * d->stride_w + b * d->dil_w;
		lf_i32 ix = ix0 + (lf_i32)c;
		lf_u32 in = ix >= 0 && ix < (lf_i32)d->iw;
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			lf_u8 cur = b == 0 ? mxb[t][l] : acc[l];
			lf_u8 v = rbb[c][l];
			if (in && v > cur)
				cur = v;
			acc[l] = cur;
			mxb[t][l] = cur;
		}
		if (++b == d->kw) {
			b = 0;
			t++;
		}
	}
	LF_PIPE_END(pool_blk_max);
}

/*
 * pool_blk_max with dil_w 1 and kw <= LF_POOL_BLK_KWP: one column a cycle,
 * its kw taps (pool_blk_taps) and mxb[t] reduced at once. The same
 * maxima: max is associative and commutative, and a tap outside the
 * image is skipped either way.
 */
static void pool_blk_maxw(const lf_desc *d, lf_i32 ix0, lf_u32 tw_t,
			  LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
			  LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES])
{
	LF_PIPE_BEGIN(pool_blk_maxw);
pool_blk_maxw:
	for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_TW avg=56
		LF_PIPE(pool_blk_maxw);
		lf_u8 acc[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			acc[l] = mxb[t][l];
		}
		lf_u32 c = t * d->stride_w;
		pool_blk_taps(rbb, c, ix0 + (lf_i32)c, d->kw, d->iw, acc);
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			mxb[t][l] = acc[l];
		}
	}
	LF_PIPE_END(pool_blk_maxw);
}

/*
 * One window row into the float sums of tw_t columns, 64 lanes per
 * iteration, taps in window order per column (ORT's order: float adds do
 * not associate). Each iteration's add needs the previous one's sum (acc,
 * or sumb[t] which HLS cannot tell apart): II = the adder's latency.
 */
static void pool_blk_sum(const lf_desc *d, lf_i32 ix0, lf_u32 tw_t,
			 LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
			 LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES],
			 lf_u32 cnt[LF_POOL_BLK_TW])
{
	float acc[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
	lf_i32 base = lfk_flip(d->x_type) + d->x_zp;
	lf_u32 b = 0, t = 0;
	lf_u32 trips = d->kw * tw_t;
	LF_PIPE_BEGIN(pool_blk_sum);
pool_blk_sum:
	for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=LF_LAT_FADD
#pragma HLS LOOP_TRIPCOUNT min=1 max=16320 avg=168
		LF_PIPE(pool_blk_sum);
		lf_u32 c = t * d->stride_w + b * d->dil_w;
		lf_i32 ix = ix0 + (lf_i32)c;
		lf_u32 in = ix >= 0 && ix < (lf_i32)d->iw;
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			float cur = b == 0 ? sumb[t][l] : acc[l];
			/* rbb holds b ^ flip: value - zp = that - flip - zp. */
			float dq = d->x_scale * (float)((lf_i32)rbb[c][l] - base);
			if (in)
				cur = cur + dq;
			acc[l] = cur;
			sumb[t][l] = cur;
		}
		if (in)
			cnt[t]++;
		if (++b == d->kw) {
			b = 0;
			t++;
		}
	}
	LF_PIPE_END(pool_blk_sum);
}

/* The tile's max outputs: clamped, one beat per column. */
static void pool_blk_store_max(LF_GLOBAL lf_beat *act, const lf_desc *d,
			       lf_u32 ybi, lf_u32 tw_t,
			       LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES])
{
	lf_i32 flip = lfk_flip(d->x_type);
	lf_i32 lo = d->act_min + flip, hi = d->act_max + flip;
	LF_PIPE_BEGIN(pool_blk_store);
pool_blk_store:
	for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_TW
		LF_PIPE(pool_blk_store);
		lf_u8 m[LF_BLK_LANES], o[LF_BLK_LANES];
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			m[l] = mxb[t][l];
		}
		pool_blk_out(m, lo, hi, flip, o);
		lf_beat_wr(act, ybi + t, o);
	}
	LF_PIPE_END(pool_blk_store);
}

/*
 * The tile's average outputs: per column, one lane per cycle (two float
 * divisions each: a 64-lane divider bank is not worth its area) into a
 * beat, then the beat written whole (one access, straight-line code).
 */
static void pool_blk_store_avg(LF_GLOBAL lf_beat *act, const lf_desc *d,
			       const struct pool_geo *g, lf_u32 ybi,
			       lf_u32 tw_t,
			       LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES],
			       lf_u32 cnt[LF_POOL_BLK_TW])
{
	lf_u8 o[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=o type=complete
	for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_TW
		/* A window with no tap divides 0 by 0, as ORT does. */
		float den = (d->flags & LF_DF_COUNT_PAD) ? g->div_pad
							 : (float)cnt[t];
		LF_PIPE_BEGIN(pool_blk_avgst);
	pool_blk_avgst:
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS PIPELINE II=1
			LF_PIPE(pool_blk_avgst);
			float avg = sumb[t][l] / den;
			float r = avg / d->y_scale + (float)d->y_zp;
			lf_i32 q = lfk_quant_clamp(r, g->lo, g->hi);
			q = lfk_clamp(q, d->act_min, d->act_max);
			o[l] = lfk_byte(q);
		}
		LF_PIPE_END(pool_blk_avgst);
		lf_beat_wr(act, ybi + t, o);
	}
}

/*
 * One tile: output row oy, columns ox0 .. ox0 + tw_t - 1 of plane p
 * (image, channel block); every window row inside the image is read once
 * for the tile (its in-image pixels, one burst) and reduced.
 */
static void pool_blk_tile(LF_GLOBAL lf_beat *act, const lf_desc *d,
			  const struct pool_geo *g, lf_u32 p, lf_u32 oy,
			  lf_u32 ox0, lf_u32 tw_t,
			  LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
			  LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES],
			  LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES])
{
	lf_u32 cnt[LF_POOL_BLK_TW];
#pragma HLS ARRAY_PARTITION variable=cnt type=complete
	pool_blk_clear(tw_t, mxb, sumb, cnt);
	lf_i32 ix0 = (lf_i32)(ox0 * d->stride_w) - (lf_i32)d->pad_l;
	lf_i32 tcols = (lf_i32)((tw_t - 1) * d->stride_w + g->span_w);
	/* The tile's pixels inside the image: columns [c_lo, c_hi). */
	lf_i32 c_lo = ix0 < 0 ? -ix0 : 0;
	lf_i32 c_hi = (lf_i32)d->iw - ix0;
	if (c_hi > tcols)
		c_hi = tcols;
	lf_u32 xb0 = d->x_off / LF_BLK_LANES + p * d->ih * d->iw;
	for (lf_u32 a = 0; a < d->kh; a++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_KDIM_MAX avg=3
		lf_i32 iy = (lf_i32)(oy * d->stride_h) - (lf_i32)d->pad_t +
			    (lf_i32)(a * d->dil_h);
		if (iy < 0 || iy >= (lf_i32)d->ih || c_hi <= c_lo)
			continue; /* no taps in this window row */
		lf_u32 bi = xb0 + (lf_u32)iy * d->iw + (lf_u32)(ix0 + c_lo);
		pool_blk_load(act, bi, (lf_u32)c_lo, (lf_u32)(c_hi - c_lo),
			      (lf_u32)lfk_flip(d->x_type), rbb);
		if (g->avg)
			pool_blk_sum(d, ix0, tw_t, rbb, sumb, cnt);
		else if (d->dil_w == 1 && d->kw <= LF_POOL_BLK_KWP)
			pool_blk_maxw(d, ix0, tw_t, rbb, mxb);
		else
			pool_blk_max(d, ix0, tw_t, rbb, mxb);
	}
	lf_u32 ybi = d->y_off / LF_BLK_LANES + (p * d->oh + oy) * d->ow + ox0;
	if (g->avg)
		pool_blk_store_avg(act, d, g, ybi, tw_t, sumb, cnt);
	else
		pool_blk_store_max(act, d, ybi, tw_t, mxb);
}

/* --- blocked max pooling streamed by rows (g->vrow) ---------------------- */

/*
 * Input rows iy0 .. of a plane, beats bi .. bi + beats - 1 (whole rows of
 * iw pixels, in order: one burst), into the row accumulators of output
 * rows oy and oy + 1, each beat reduced as it arrives: va holds the even
 * one of the two, vb the odd one, and fa / fb are their first in-image
 * window rows. A row before an output row's first is none of its window
 * rows (the caller reads no row past oy's window, and oy + 1's ends
 * later); the first is written, the later ones max-reduced. Bytes are
 * held as b ^ flip, as pool_blk_load holds them.
 */
static void pool_blk_vld(LF_GLOBAL const lf_beat *act, lf_u32 bi, lf_u32 iw,
			 lf_u32 beats, lf_i32 iy0, lf_i32 fa, lf_i32 fb,
			 lf_u32 flip,
			 LF_LOCAL lf_u8 va[LF_POOL_BLK_ROW][LF_BLK_LANES],
			 LF_LOCAL lf_u8 vb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_i32 iy = iy0;
	lf_u32 ix = 0;
	LF_PIPE_BEGIN(pool_blk_vld);
pool_blk_vld:
	for (lf_u32 v = 0; v < beats; v++) {
#pragma HLS PIPELINE II=1
/* A row (iw >= 4) to 255 rows (kh or stride_h) of 128 beats. */
#pragma HLS LOOP_TRIPCOUNT min=4 max=32640 avg=224
/* An accumulator pixel is read and written again a row later: iw >=
 * LF_POOL_BLK_KWP iterations (pool_check), never sooner. */
#pragma HLS DEPENDENCE variable=va type=inter direction=RAW dependent=true distance=4
#pragma HLS DEPENDENCE variable=vb type=inter direction=RAW dependent=true distance=4
		LF_PIPE(pool_blk_vld);
		lf_u8 b[LF_BLK_LANES];
		lf_beat_rd(act, bi + v, b);
		pool_blk_vacc(b, flip, ix, iy >= fa, iy == fa, iy >= fb,
			      iy == fb, va, vb);
		if (++ix == iw) {
			ix = 0;
			iy++;
		}
	}
	LF_PIPE_END(pool_blk_vld);
}

/*
 * Plane p's output rows r0 .. r1 - 1 (the part), streamed: per output row
 * oy, the rows of its window not read yet (for the part's first row all
 * of them, the halo above the part included) in one burst into the
 * accumulators of oy and oy + 1 (pool_blk_vld), then oy's row written
 * (pool_blk_vst). Each input row is read once: kh <= 2 * stride_h, so a
 * row of oy's window is in no window past oy + 1's, and every row of oy
 * + 1's that oy's does not hold comes with oy + 1. Rows no window holds
 * (stride_h > kh) are not read. Accumulators alternate: even output
 * rows in va, odd ones in vb.
 */
static void pool_blk_rows(LF_GLOBAL lf_beat *act, const lf_desc *d,
			  const struct pool_geo *g, lf_u32 p,
			  LF_LOCAL lf_u8 va[LF_POOL_BLK_ROW][LF_BLK_LANES],
			  LF_LOCAL lf_u8 vb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_u32 xb0 = d->x_off / LF_BLK_LANES + p * d->ih * d->iw;
	lf_u32 yb0 = d->y_off / LF_BLK_LANES + p * d->oh * d->ow;
	lf_u32 flip = (lf_u32)lfk_flip(d->x_type);
	lf_i32 ih = (lf_i32)d->ih, sh = (lf_i32)d->stride_h;
	lf_i32 kh = (lf_i32)d->kh;
	/* oy's window rows are base .. base + kh - 1; next: the first input
	 * row not read yet. */
	lf_i32 base = (lf_i32)(g->r0 * d->stride_h) - (lf_i32)d->pad_t;
	lf_i32 next = 0;
	for (lf_u32 oy = g->r0; oy < g->r1; oy++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=28
		/* The window's rows inside the image, f0 .. l0 (none when
		 * f0 > l0), and oy + 1's first one (past the image: none). */
		lf_i32 f0 = base > 0 ? base : 0;
		lf_i32 l0 = base + kh - 1 < ih - 1 ? base + kh - 1 : ih - 1;
		lf_i32 f1 = base + sh > 0 ? base + sh : 0;
		lf_i32 lo = f0 > next ? f0 : next;
		if (l0 >= lo) {
			lf_i32 fa = (oy & 1u) ? f1 : f0;
			lf_i32 fb = (oy & 1u) ? f0 : f1;
			pool_blk_vld(act, xb0 + (lf_u32)lo * d->iw, d->iw,
				     (lf_u32)(l0 - lo + 1) * d->iw, lo, fa, fb,
				     flip, va, vb);
			next = l0 + 1;
		}
		lf_u32 ok = f0 <= l0;
		lf_u32 ybi = yb0 + oy * d->ow;
		if (oy & 1u)
			pool_blk_vst(act, d, ybi, ok, vb);
		else
			pool_blk_vst(act, d, ybi, ok, va);
		base += sh;
	}
}

/*
 * The global average of every (image, channel block): 64 exact int32 sums,
 * one beat per cycle, then each lane scaled and rounded as pool_global,
 * one lane per cycle, into one output beat.
 */
static void pool_blk_global(LF_GLOBAL lf_beat *act, const lf_desc *d,
			    const struct pool_geo *g)
{
	/* The part's planes (y_blks; an empty y_rows: none), nb a image. */
	lf_u32 nb = g->r1 > g->r0 ? g->b1 - g->b0 : 0;
	lf_u32 planes = d->n * nb;
	lf_u32 bias = (lf_u32)(-d->x_zp) * g->image;
	float lo = (float)(g->lo - d->y_zp), hi = (float)(g->hi - d->y_zp);
	lf_u32 acc[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
	for (lf_u32 q = 0; q < planes; q++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=8
		lf_u32 p = q / nb * g->cb + g->b0 + q % nb;
		lf_u32 bi = d->x_off / LF_BLK_LANES + p * g->image;
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			acc[l] = bias;
		}
		LF_PIPE_BEGIN(pool_blk_gap);
	pool_blk_gap:
		for (lf_u32 v = 0; v < g->image; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=16777215 avg=49
			LF_PIPE(pool_blk_gap);
			lf_u8 b[LF_BLK_LANES];
			lf_beat_rd(act, bi + v, b);
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
				acc[l] += (lf_u32)lfk_value(d->x_type, b[l]);
			}
		}
		LF_PIPE_END(pool_blk_gap);
		lf_u8 o[LF_BLK_LANES];
		LF_PIPE_BEGIN(pool_blk_gapst);
	pool_blk_gapst:
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS PIPELINE II=1
			LF_PIPE(pool_blk_gapst);
			float f = (float)(lf_i32)acc[l] * g->gscale;
			f = f < lo ? lo : (f > hi ? hi : f);
			/* |f| <= 255: lfk_round_even() is exact. */
			lf_i32 q = lfk_round_even(f) + d->y_zp;
			q = lfk_clamp(q, d->act_min, d->act_max);
			o[l] = lfk_byte(q);
		}
		LF_PIPE_END(pool_blk_gapst);
		/* The plane's 64 outputs: one beat, straight-line code. */
		lf_beat_wr(act, d->y_off / LF_BLK_LANES + p, o);
	}
}

/* Runs one checked descriptor, NCHW or blocked (planes of 64 channels). */
static void pool_run(LF_GLOBAL lf_beat *act, const lf_desc *d,
		     const struct pool_geo *g, LF_LOCAL lf_u8 rbuf[LF_POOL_ROW],
		     LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
		     LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES],
		     LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES],
		     LF_LOCAL lf_u8 vrb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	if (g->is_global && g->blk) {
		pool_blk_global(act, d, g);
		return;
	}
	if (g->is_global) {
		pool_global(act, d, g);
		return;
	}
	/* Planes per image, and the part's (y_blks: blocked only) from p0;
	 * its rows r0 .. r1 - 1 (y_rows; all of them NCHW). */
	lf_u32 per = g->blk ? g->cb : d->ic;
	lf_u32 p0 = g->blk ? g->b0 : 0;
	lf_u32 np = g->blk ? g->b1 - g->b0 : d->ic;
	lf_u32 planes = d->n * np;
	for (lf_u32 q = 0; q < planes; q++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=256
		lf_u32 p = q / np * per + p0 + q % np;
		if (g->vrow) {
			pool_blk_rows(act, d, g, p, rbb, vrb);
			continue;
		}
		for (lf_u32 oy = g->r0; oy < g->r1; oy++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=28
			for (lf_u32 ox0 = 0; ox0 < d->ow; ox0 += g->tw) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=1
				lf_u32 tw_t = d->ow - ox0;
				if (tw_t > g->tw)
					tw_t = g->tw;
				if (g->blk)
					pool_blk_tile(act, d, g, p, oy, ox0,
						      tw_t, rbb, mxb, sumb);
				else
					pool_tile(act, d, g, p, oy, ox0, tw_t,
						  rbuf);
			}
		}
	}
}

/*
 * Checks and runs one descriptor; returns its status. The body of
 * lfk_pool's loop, and what lfk_engine (engine.c) calls for pooling.
 */
static lf_i32 pool_layer(LF_GLOBAL lf_beat *act, lf_u32 act_bytes,
			 const lf_desc *d, LF_LOCAL lf_u8 rbuf[LF_POOL_ROW],
			 LF_LOCAL lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES],
			 LF_LOCAL lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES],
			 LF_LOCAL float sumb[LF_POOL_BLK_TW][LF_BLK_LANES],
			 LF_LOCAL lf_u8 vrb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	struct pool_geo g;
	lf_i32 st = pool_check(d, act_bytes, &g);
	LF_DESC_DONE();
	if (st == LF_KST_OK)
		pool_run(act, d, &g, rbuf, rbb, mxb, sumb, vrb);
	return st;
}

#if !defined(LF_ENGINE_BUILD)
LF_EXPORT LF_KERNEL void lfk_pool(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
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

	/* Pooling reads no constants; params stays in the ABI. */
	(void)params;
	(void)params_bytes;
	LF_ONCHIP lf_u8 rbuf[LF_POOL_ROW];
#pragma HLS ARRAY_PARTITION variable=rbuf type=cyclic factor=LF_CONV_BEAT
	/* Blocked: a window row of 64-channel pixels, per-column max / sum;
	 * 64 lanes wide (one beat), so partitioned on the lane dimension. */
	LF_ONCHIP lf_u8 rbb[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=rbb type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=rbb type=cyclic factor=4 dim=1
	LF_ONCHIP lf_u8 mxb[LF_POOL_BLK_TW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=mxb type=complete dim=2
	LF_ONCHIP float sumb[LF_POOL_BLK_TW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=sumb type=complete dim=2
	/* Streamed max pooling: the odd output rows' accumulator (rbb holds
	 * the even ones'), cyclic as rbb for pool_blk_taps. */
	LF_ONCHIP lf_u8 vrb[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=vrb type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=vrb type=cyclic factor=4 dim=1

	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=4
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st = pool_layer(act, act_bytes, &d, rbuf, rbb, mxb, sumb,
				       vrb);
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
#endif
