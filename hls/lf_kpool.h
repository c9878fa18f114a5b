/*
 * lf_kpool.h - the per-element pieces of blocked max pooling streamed by
 * rows, shared by pool.c (pool_blk_rows, pool_blk_maxw) and the blocked
 * conv's fused max pool (lf_conv_blk.h, LF_DF_POOL): one copy of each.
 *
 * A row accumulator holds, per pixel of a row, the max of the window rows
 * seen so far (64 lanes, each byte held as b ^ flip, flip = lfk_flip() of
 * its type, so unsigned compares order int8 values too); it is cyclic by
 * LF_POOL_BLK_KWP pixels (the callers' ARRAY_PARTITION), so a column's
 * taps are read in one cycle. Max is associative and commutative: the
 * order rows and taps arrive in does not change a byte.
 */
#ifndef LF_KPOOL_H
#define LF_KPOOL_H

#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kqlinear.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

/*
 * One beat b of 64 lanes (bytes of its type, flip as above), pixel ix of
 * a row, into the row accumulators va and vb: ua / ub say whether the row
 * is a window row of va's / vb's output row, wa / wb whether it is the
 * first one (written; the later ones max-reduced).
 */
LF_INLINE void pool_blk_vacc(const lf_u8 b[LF_BLK_LANES], lf_u32 flip,
			     lf_u32 ix, lf_u32 ua, lf_u32 wa, lf_u32 ub,
			     lf_u32 wb,
			     LF_LOCAL lf_u8 va[LF_POOL_BLK_ROW][LF_BLK_LANES],
			     LF_LOCAL lf_u8 vb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
		lf_u8 x = (lf_u8)(b[l] ^ flip);
		lf_u8 a = va[ix][l], c = vb[ix][l];
		if (ua)
			va[ix][l] = wa || x > a ? x : a;
		if (ub)
			vb[ix][l] = wb || x > c ? x : c;
	}
}

/*
 * acc = the max of acc and one output column's taps in a row of 64-lane
 * pixels: taps b < kw (kw <= LF_POOL_BLK_KWP, dil_w 1) at image column
 * ix + b, held at row[c + b]; taps outside the image are skipped,
 * whatever the row holds there. The row is cyclic by LF_POOL_BLK_KWP
 * pixels, so the KWP reads are in distinct banks (one cycle); a tap past
 * kw may lie past the buffer: its index wraps (ROW is a multiple of KWP,
 * so the banks stay distinct) and it is not used.
 */
LF_INLINE void pool_blk_taps(LF_LOCAL lf_u8 row[LF_POOL_BLK_ROW][LF_BLK_LANES],
			     lf_u32 c, lf_i32 ix, lf_u32 kw, lf_u32 iw,
			     lf_u8 acc[LF_BLK_LANES])
{
	for (lf_u32 b = 0; b < LF_POOL_BLK_KWP; b++) {
#pragma HLS UNROLL
		lf_i32 x = ix + (lf_i32)b;
		lf_u32 in = b < kw && x >= 0 && x < (lf_i32)iw;
		lf_u32 cc = (c + b) % LF_POOL_BLK_ROW;
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			lf_u8 v = row[cc][l];
			if (in && v > acc[l])
				acc[l] = v;
		}
	}
}

/*
 * One beat of max outputs from 64 maxima held as value + flip (so the
 * clamp bounds lo, hi move with it): clamped, the flip undone.
 */
LF_INLINE void pool_blk_out(const lf_u8 m[LF_BLK_LANES], lf_i32 lo, lf_i32 hi,
			    lf_i32 flip, lf_u8 o[LF_BLK_LANES])
{
	for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
		lf_i32 q = lfk_clamp((lf_i32)m[l], lo, hi);
		o[l] = (lf_u8)((lf_u32)q ^ (lf_u32)flip);
	}
}

/*
 * One output row from its row accumulator vr: per column, its kw taps at
 * once (pool_blk_taps; ok 0: the window has no row inside the image, so
 * every column gets the lowest value, as the tiles' cleared accumulators
 * give), clamped, one beat per column from beat ybi on (one burst).
 */
static void pool_blk_vst(LF_GLOBAL lf_beat *act, const lf_desc *d,
			 lf_u32 ybi, lf_u32 ok,
			 LF_LOCAL lf_u8 vr[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_i32 flip = lfk_flip(d->x_type);
	lf_i32 lo = d->act_min + flip, hi = d->act_max + flip;
	lf_u32 kw = ok ? d->kw : 0;
	LF_PIPE_BEGIN(pool_blk_vst);
pool_blk_vst:
	for (lf_u32 ox = 0; ox < d->ow; ox++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_DIM_MAX avg=56
		LF_PIPE(pool_blk_vst);
		lf_u8 acc[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
		for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
			acc[l] = 0;
		}
		lf_i32 ix = (lf_i32)(ox * d->stride_w) - (lf_i32)d->pad_l;
		pool_blk_taps(vr, (lf_u32)ix, ix, kw, d->iw, acc);
		lf_u8 o[LF_BLK_LANES];
		pool_blk_out(acc, lo, hi, flip, o);
		lf_beat_wr(act, ybi + ox, o);
	}
	LF_PIPE_END(pool_blk_vst);
}

#endif /* LF_KPOOL_H */
