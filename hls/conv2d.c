/*
 * conv2d.c - lfk_conv2d: quantized 2-D convolution (QLinearConv,
 * ConvInteger) over a list of descriptors. One source for Vitis HLS, host C
 * (emulator) and OpenCL C; see lf_kernel.h for the rules and hls/README.md
 * for the structure.
 *
 * Structure, per descriptor:
 *   for each group, for each tile of PE_OC output channels:
 *     load the tile's weights into wbuf            (one burst per channel)
 *     for each image, output row, tile of <= TW output columns:
 *       load the input window into xbuf            (corner turn, see below)
 *       MAC loop, II=1: one kernel tap x PE_K input channels x PE_OC
 *         output channels per cycle, accumulating into accbuf
 *       requantize and write each channel's row segment (one burst each)
 *
 * xbuf keeps channels innermost (PE_K lanes per vector) so the MAC loop
 * reads one vector per cycle from PE_K banks. The input is NCHW, so the
 * loader reads one beat of up to LF_CONV_BEAT columns from each of PE_K
 * channel rows into a register block (ct) and then writes it out one
 * column (= one vector) per cycle: a corner turn.
 *
 * Weights and activations stay raw bytes on chip; each multiplier subtracts
 * the zero points in front (the DSP48 pre-adder), so padding is stored as
 * the zero point's byte and contributes exactly 0.
 */
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kdesc.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

/* Derived from a descriptor once it has passed conv_check(). */
struct conv_geo {
	lf_u32 icg, ocg; /* channels per group */
	lf_u32 icv;	 /* vectors of PE_K input channels per tap */
	lf_u32 kvec;	 /* kh * kw * icv: vectors reduced per output */
	lf_u32 ksz;	 /* icg * kh * kw: weight bytes per output channel */
	lf_u32 span_w;	 /* (kw - 1) * dil_w + 1 */
	lf_u32 tw;	 /* output columns per tile */
	lf_u32 ysz;	 /* bytes per output element: 1 or 4 */
	lf_u32 nq;	 /* w_zp / mult entries: 1 or oc */
};

/*
 * Shape, quantization scalars and the index-arithmetic limits, in
 * lf_desc.h's order: the checks the NCHW and the blocked (lf_conv_blk.h)
 * descriptors share. y8: the output is 8-bit.
 */
static lf_i32 conv_check_shape(const lf_desc *d, lf_u32 y8)
{
	/* Shape, in 64 bits so no field value can wrap the formula. */
	if (d->n == 0 || d->ic == 0 || d->ih == 0 || d->iw == 0 || d->oc == 0 ||
	    d->oh == 0 || d->ow == 0 || d->groups == 0 || d->kh == 0 ||
	    d->kw == 0 || d->stride_h == 0 || d->stride_w == 0 ||
	    d->dil_h == 0 || d->dil_w == 0)
		return LF_KST_BAD_SHAPE;
	if (d->ic % d->groups != 0 || d->oc % d->groups != 0)
		return LF_KST_BAD_SHAPE;
	lf_u64 span_h = (lf_u64)(d->kh - 1) * d->dil_h + 1;
	lf_u64 span_w = (lf_u64)(d->kw - 1) * d->dil_w + 1;
	lf_u64 avail_h = (lf_u64)d->ih + d->pad_t + d->pad_b;
	lf_u64 avail_w = (lf_u64)d->iw + d->pad_l + d->pad_r;
	if (avail_h < span_h || avail_w < span_w)
		return LF_KST_BAD_SHAPE;
	if ((avail_h - span_h) / d->stride_h + 1 != d->oh ||
	    (avail_w - span_w) / d->stride_w + 1 != d->ow)
		return LF_KST_BAD_SHAPE;

	if (!lfk_in_type(d->x_type, d->x_zp))
		return LF_KST_BAD_QUANT;
	if (y8 &&
	    (!lfk_in_type(d->y_type, d->y_zp) ||
	     !lfk_in_type(d->y_type, d->act_min) ||
	     !lfk_in_type(d->y_type, d->act_max) || d->act_min > d->act_max))
		return LF_KST_BAD_QUANT;

	/* Compile-time limits: first the index arithmetic, then the buffers. */
	if (d->n > LF_CONV_DIM_MAX || d->ic > LF_CONV_DIM_MAX ||
	    d->oc > LF_CONV_DIM_MAX || d->ih > LF_CONV_DIM_MAX ||
	    d->iw > LF_CONV_DIM_MAX || d->oh > LF_CONV_DIM_MAX ||
	    d->ow > LF_CONV_DIM_MAX || d->pad_t > LF_CONV_DIM_MAX ||
	    d->pad_l > LF_CONV_DIM_MAX || d->pad_b > LF_CONV_DIM_MAX ||
	    d->pad_r > LF_CONV_DIM_MAX || d->kh > LF_CONV_KDIM_MAX ||
	    d->kw > LF_CONV_KDIM_MAX || d->stride_h > LF_CONV_STEP_MAX ||
	    d->stride_w > LF_CONV_STEP_MAX || d->dil_h > LF_CONV_STEP_MAX ||
	    d->dil_w > LF_CONV_STEP_MAX)
		return LF_KST_LIMIT;
	return LF_KST_OK;
}

/* The output table's bytes (LF_DF_LUT): four whole beats inside params. */
static lf_i32 conv_check_lut(const lf_desc *d, lf_u32 params_bytes)
{
	if ((d->flags & LF_DF_LUT) &&
	    (d->lut_off % LF_BEAT_BYTES != 0 ||
	     !lfk_inside(d->lut_off, LF_LUT_BYTES, params_bytes)))
		return LF_KST_BOUNDS;
	return LF_KST_OK;
}

/*
 * The output table (LF_DF_LUT) into tb, byte b at tb[b]: its four beats,
 * one burst, once per descriptor (both datapaths).
 */
static void conv_lut_load(LF_GLOBAL const lf_beat *params, const lf_desc *d,
			  lf_u8 tb[LF_LUT_BYTES])
{
	lf_u32 base = d->lut_off / LF_BEAT_BYTES;
	LF_PIPE_BEGIN(conv_lut_ld);
conv_lut_ld:
	for (lf_u32 k = 0; k < LF_LUT_BYTES / LF_BEAT_BYTES; k++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(conv_lut_ld);
		lf_u8 bt[LF_BEAT_BYTES];
		lf_beat_rd(params, base + k, bt);
		for (lf_u32 j = 0; j < LF_BEAT_BYTES; j++) {
#pragma HLS UNROLL
			tb[k * LF_BEAT_BYTES + j] = bt[j];
		}
	}
	LF_PIPE_END(conv_lut_ld);
}

/* Everything but the w_zp entries; fills *g when it returns LF_KST_OK. */
static lf_i32 conv_check(const lf_desc *d, lf_u32 params_bytes,
			 lf_u32 act_bytes, struct conv_geo *g)
{
	if (d->magic != LF_DESC_MAGIC)
		return LF_KST_BAD_MAGIC;
	if (d->op != LF_KOP_CONV2D ||
	    (d->flags & ~(LF_DF_BIAS | LF_DF_W_PER_CH | LF_DF_LUT)) != 0 ||
	    lfk_part_refused(d, 0))
		return LF_KST_BAD_OP;
	if (!lfk_is_8bit(d->x_type) || !lfk_is_8bit(d->w_type) ||
	    (!lfk_is_8bit(d->y_type) && d->y_type != LF_KDT_I32))
		return LF_KST_BAD_TYPE;
	/* An output table maps 8-bit outputs only. */
	if ((d->flags & LF_DF_LUT) && !lfk_is_8bit(d->y_type))
		return LF_KST_BAD_TYPE;

	lf_u32 y8 = lfk_is_8bit(d->y_type);
	lf_i32 st = conv_check_shape(d, y8);
	if (st != LF_KST_OK)
		return st;
	lf_u64 span_w = (lf_u64)(d->kw - 1) * d->dil_w + 1;
	g->icg = d->ic / d->groups;
	g->ocg = d->oc / d->groups;
	g->icv = (g->icg + LF_CONV_PE_K - 1) / LF_CONV_PE_K;
	g->kvec = d->kh * d->kw * g->icv;
	g->span_w = (lf_u32)span_w;
	if (g->kvec > LF_CONV_KVEC)
		return LF_KST_LIMIT;
	/* xbuf must hold the window of at least one output pixel. */
	lf_u64 row_vecs = (lf_u64)d->kh * g->icv;
	lf_u64 cols_cap = LF_CONV_XVEC / row_vecs;
	if (cols_cap < span_w)
		return LF_KST_LIMIT;
	lf_u64 tw = (cols_cap - span_w) / d->stride_w + 1;
	if (tw > LF_CONV_TW_MAX)
		tw = LF_CONV_TW_MAX;
	if (tw > d->ow)
		tw = d->ow;
	g->tw = (lf_u32)tw;
	g->ksz = g->icg * d->kh * d->kw;
	g->ysz = y8 ? 1 : 4;
	g->nq = (d->flags & LF_DF_W_PER_CH) ? d->oc : 1;

	/* Every byte range the descriptor implies. */
	lf_u64 x_sz =
	    lfk_mul_sat(lfk_mul_sat(d->n, d->ic), lfk_mul_sat(d->ih, d->iw));
	lf_u64 y_sz = lfk_mul_sat(
	    lfk_mul_sat(lfk_mul_sat(d->n, d->oc), lfk_mul_sat(d->oh, d->ow)),
	    g->ysz);
	lf_u64 w_sz = lfk_mul_sat(d->oc, g->ksz);
	if (!lfk_inside(d->x_off, x_sz, act_bytes) ||
	    !lfk_inside(d->y_off, y_sz, act_bytes) ||
	    !lfk_disjoint(d->x_off, x_sz, d->y_off, y_sz) ||
	    !lfk_inside(d->w_off, w_sz, params_bytes) ||
	    !lfk_inside(d->w_zp_off, (lf_u64)g->nq * 4, params_bytes))
		return LF_KST_BOUNDS;
	if ((d->flags & LF_DF_BIAS) &&
	    !lfk_inside(d->bias_off, (lf_u64)d->oc * 4, params_bytes))
		return LF_KST_BOUNDS;
	if (y8 && !lfk_inside(d->mult_off, (lf_u64)g->nq * 4, params_bytes))
		return LF_KST_BOUNDS;
	return conv_check_lut(d, params_bytes);
}

/* The weight zero points, now known to be inside params. */
static lf_i32 conv_check_wzp(LF_GLOBAL const lf_beat *params, const lf_desc *d,
			     const struct conv_geo *g)
{
	lf_i32 st = LF_KST_OK;
	LF_PIPE_BEGIN(conv_wzp_chk);
conv_wzp_chk:
	for (lf_u32 c = 0; c < g->nq; c++) {
#pragma HLS PIPELINE II=4
#pragma HLS LOOP_TRIPCOUNT min=1 max=65535 avg=64
		LF_PIPE(conv_wzp_chk);
		if (!lfk_in_type(d->w_type,
				 lf_ld_i32(params, d->w_zp_off + 4 * c)))
			st = LF_KST_BAD_QUANT;
	}
	LF_PIPE_END(conv_wzp_chk);
	return st;
}

/*
 * Weights of output channels oc_first .. oc_first + nv - 1 into wbuf[p]
 * with layout [(a * kw + b) * icv + c / PE_K][c % PE_K]. Lanes past icg
 * hold the channel's zero-point byte, so they add nothing.
 */
static void
conv_load_w(LF_GLOBAL const lf_beat *params, const lf_desc *d,
	    const struct conv_geo *g, lf_u32 oc_first, lf_u32 nv,
	    const lf_u8 wzb[LF_CONV_PE_OC],
	    LF_LOCAL lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K])
{
	LF_PIPE_BEGIN(conv_wfill);
conv_wfill:
	for (lf_u32 v = 0; v < g->kvec; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_KVEC avg=72
		LF_PIPE(conv_wfill);
		for (lf_u32 p = 0; p < LF_CONV_PE_OC; p++) {
#pragma HLS UNROLL
			for (lf_u32 l = 0; l < LF_CONV_PE_K; l++) {
#pragma HLS UNROLL
				wbuf[p][v][l] = wzb[p];
			}
		}
	}
	LF_PIPE_END(conv_wfill);

	for (lf_u32 p = 0; p < nv; p++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_PE_OC
		/* One burst: w[oc][c][a][b] is contiguous per output channel.
		 */
		lf_u32 src = d->w_off + (oc_first + p) * g->ksz;
		lf_u32 a = 0, b = 0, l = 0, cv = 0;
		LF_PIPE_BEGIN(conv_load_w);
	conv_load_w:
		for (lf_u32 e = 0; e < g->ksz; e++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_KMAX avg=576
			LF_PIPE(conv_load_w);
			wbuf[p][(a * d->kw + b) * g->icv + cv][l] =
			    lf_ld_u8(params, src + e);
			if (++b == d->kw) {
				b = 0;
				if (++a == d->kh) {
					a = 0;
					if (++l == LF_CONV_PE_K) {
						l = 0;
						cv++;
					}
				}
			}
		}
		LF_PIPE_END(conv_load_w);
	}
}

/*
 * The input window of output row oy, columns ox0 .. ox0 + tw_t - 1 of image
 * n, group grp: kh input rows x tcols columns x icg channels, into xbuf as
 * [(a * tcols + col) * icv + c / PE_K][c % PE_K]. Outside the image (and in
 * lanes past icg) it holds the x_zp byte: padding contributes exactly 0.
 */
static void conv_load_x(LF_GLOBAL const lf_beat *act, const lf_desc *d,
			const struct conv_geo *g, lf_u32 n, lf_u32 grp,
			lf_u32 oy, lf_u32 ox0, lf_u32 tcols, lf_u8 xzb,
			LF_LOCAL lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K],
			LF_LOCAL lf_u8 ct[LF_CONV_BEAT][LF_CONV_PE_K])
{
	lf_i32 ix0 = (lf_i32)(ox0 * d->stride_w) - (lf_i32)d->pad_l;
	lf_u32 ch0 = n * d->ic + grp * g->icg; /* first channel row of x */
	for (lf_u32 a = 0; a < d->kh; a++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_KDIM_MAX avg=3
		lf_i32 iy = (lf_i32)(oy * d->stride_h) - (lf_i32)d->pad_t +
			    (lf_i32)(a * d->dil_h);
		lf_u32 row_ok = iy >= 0 && iy < (lf_i32)d->ih;
		for (lf_u32 cv = 0; cv < g->icv; cv++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_KVEC avg=8
			lf_u32 nl = g->icg - cv * LF_CONV_PE_K;
			if (nl > LF_CONV_PE_K)
				nl = LF_CONV_PE_K;
			for (lf_u32 col0 = 0; col0 < tcols;
			     col0 += LF_CONV_BEAT) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=4 avg=1
				lf_u32 ncol = tcols - col0;
				if (ncol > LF_CONV_BEAT)
					ncol = LF_CONV_BEAT;
				/* LF_CONV_BEAT conditional byte reads per
				 * channel row that exists (they do not widen
				 * into one beat: II LF_CONV_BEAT); the other
				 * lanes meet zero-point weights in conv_mac
				 * and add 0. */
				LF_PIPE_BEGIN(conv_load_x);
			conv_load_x:
				for (lf_u32 l = 0; l < nl; l++) {
#pragma HLS PIPELINE II=LF_CONV_BEAT
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_PE_K
					LF_PIPE(conv_load_x);
					lf_u32 c = cv * LF_CONV_PE_K + l;
					lf_u32 ok = row_ok;
					lf_u32 rb = 0;
					if (ok)
						rb = d->x_off +
						     ((ch0 + c) * d->ih +
						      (lf_u32)iy) *
							 d->iw;
					for (lf_u32 j = 0; j < LF_CONV_BEAT;
					     j++) {
#pragma HLS UNROLL
						lf_i32 ix =
						    ix0 + (lf_i32)(col0 + j);
						lf_u8 v = xzb;
						if (ok && j < ncol && ix >= 0 &&
						    ix < (lf_i32)d->iw)
							v = lf_ld_u8(act, rb +
								(lf_u32)ix);
						ct[j][l] = v;
					}
				}
				LF_PIPE_END(conv_load_x);
				/* Corner turn: one column vector per cycle. */
				lf_u32 base = (a * tcols + col0) * g->icv + cv;
				LF_PIPE_BEGIN(conv_cturn);
			conv_cturn:
				for (lf_u32 j = 0; j < ncol; j++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_BEAT
					LF_PIPE(conv_cturn);
					for (lf_u32 l = 0; l < LF_CONV_PE_K;
					     l++) {
#pragma HLS UNROLL
						xbuf[base + j * g->icv][l] =
						    ct[j][l];
					}
				}
				LF_PIPE_END(conv_cturn);
			}
		}
	}
}

/*
 * The PE array over one tile: tw_t output pixels x kvec vectors, flattened
 * into one II=1 loop so the pipeline does not drain between pixels. accbuf
 * receives bias + sum for each channel and pixel of the tile. PEs past the
 * tile's nv channels are gated off (skipping them keeps the host-C build
 * fast on depthwise layers); lanes past the group's input channels need no
 * gate, their weights are zero-point padding and add exactly 0. The xbuf
 * index is strength-reduced (additions only) and the 9-bit operands are
 * held in 16 bits, which the host-C build vectorizes (pmaddwd).
 */
static void
conv_mac(const lf_desc *d, const struct conv_geo *g, lf_u32 tw_t, lf_u32 tcols,
	 lf_u32 nv, const lf_u32 bias[LF_CONV_PE_OC],
	 const lf_i32 woff[LF_CONV_PE_OC],
	 LF_LOCAL lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K],
	 LF_LOCAL lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K],
	 LF_LOCAL lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX])
{
	lf_i32 xs = lfk_flip(d->x_type);
	lf_i32 xoff = xs + d->x_zp;
	lf_i32 ws = lfk_flip(d->w_type);
	lf_u32 acc[LF_CONV_PE_OC];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
	/*
	 * Strength-reduced xbuf index: xi = xrow + cv with
	 * xrow = (a * tcols + t * stride_w + b * dil_w) * icv, kept up to date
	 * by additions as (cv, b, a, t) advance.
	 */
	lf_u32 step_b = d->dil_w * g->icv;
	lf_u32 step_a = tcols * g->icv;
	lf_u32 step_t = d->stride_w * g->icv;
	lf_u32 xpix = 0, xa = 0, xrow = 0;
	lf_u32 kk = 0, a = 0, b = 0, cv = 0, t = 0;
	lf_u32 trips = tw_t * g->kvec;
	LF_PIPE_BEGIN(conv_mac);
conv_mac:
	for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=18432 avg=2304
		LF_PIPE(conv_mac);
		lf_u32 xi = xrow + cv;
		/*
		 * Zero-point-corrected operands are in [-255, 255]: 16 bits
		 * hold them. Lanes past the group's input channels need no
		 * gate: their weights are the zero point's byte, so wv = 0
		 * and whatever byte xbuf holds there adds exactly 0.
		 */
		lf_i16 xv[LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=xv type=complete
		for (lf_u32 l = 0; l < LF_CONV_PE_K; l++) {
#pragma HLS UNROLL
			xv[l] = (lf_i16)((lf_i32)(xbuf[xi][l] ^ (lf_u32)xs) -
					 xoff);
		}
		for (lf_u32 p = 0; p < LF_CONV_PE_OC; p++) {
#pragma HLS UNROLL
			if (p >= nv)
				continue;
			/* |product| <= 255 * 255: PE_K of them fit in int32. */
			lf_i32 s = 0;
			for (lf_u32 l = 0; l < LF_CONV_PE_K; l++) {
#pragma HLS UNROLL
				lf_i16 wv = (lf_i16)((lf_i32)(wbuf[p][kk][l] ^
							      (lf_u32)ws) -
						     woff[p]);
				s += (lf_i32)xv[l] * (lf_i32)wv;
			}
			/* int32 accumulation wraps, as ORT's does. */
			acc[p] = (kk == 0 ? bias[p] : acc[p]) + (lf_u32)s;
			if (kk == g->kvec - 1)
				accbuf[p][t] = acc[p];
		}
		if (++cv == g->icv) {
			cv = 0;
			xrow += step_b;
			if (++b == d->kw) {
				b = 0;
				xa += step_a;
				if (++a == d->kh) {
					a = 0;
					xa = 0;
				}
				xrow = xpix + xa;
			}
		}
		if (++kk == g->kvec) {
			kk = 0;
			t++;
			xpix += step_t;
			xrow = xpix;
		}
	}
	LF_PIPE_END(conv_mac);
}

/*
 * Requantizes the tile and writes each channel's row segment (a burst).
 * int32 outputs have a loop of their own: their 4 byte writes per element
 * would set the II of the 8-bit loop too if they shared one.
 */
static void conv_store(LF_GLOBAL lf_beat *act, const lf_desc *d,
		       const struct conv_geo *g, lf_u32 n, lf_u32 oc_first,
		       lf_u32 nv, lf_u32 oy, lf_u32 ox0, lf_u32 tw_t,
		       const float mult[LF_CONV_PE_OC],
		       const lf_u8 lut[LF_LUT_BYTES],
		       LF_LOCAL lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX])
{
	lf_u32 lut_on = (d->flags & LF_DF_LUT) != 0;
	for (lf_u32 p = 0; p < nv; p++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_PE_OC
		lf_u32 e0 =
		    ((n * d->oc + oc_first + p) * d->oh + oy) * d->ow + ox0;
		if (g->ysz == 4) {
			LF_PIPE_BEGIN(conv_store32);
		conv_store32:
			for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=4
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_TW_MAX
				LF_PIPE(conv_store32);
				lf_st_i32(act, d->y_off + (e0 + t) * 4,
					  (lf_i32)accbuf[p][t]);
			}
			LF_PIPE_END(conv_store32);
		} else {
			LF_PIPE_BEGIN(conv_store8);
		conv_store8:
			for (lf_u32 t = 0; t < tw_t; t++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_TW_MAX
				LF_PIPE(conv_store8);
				lf_u8 q = lfk_byte(
				    lfk_requant(accbuf[p][t], mult[p], d->y_zp,
						d->act_min, d->act_max));
				lf_st_u8(act, d->y_off + e0 + t,
					 lut_on ? lut[q] : q);
			}
			LF_PIPE_END_DEPTH(conv_store8,
					  lut_on ? LF_DEPTH_LUT : 0);
		}
	}
}

/* Runs one checked descriptor. */
static void
conv_run(LF_GLOBAL const lf_beat *params, LF_GLOBAL lf_beat *act, const lf_desc *d,
	 const struct conv_geo *g,
	 LF_LOCAL lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K],
	 LF_LOCAL lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K],
	 LF_LOCAL lf_u8 ct[LF_CONV_BEAT][LF_CONV_PE_K],
	 LF_LOCAL lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX])
{
	lf_u32 y8 = d->y_type != LF_KDT_I32;
	lf_u8 xzb = lfk_byte(d->x_zp);
	lf_i32 ws = lfk_flip(d->w_type);
	/* Per-channel quantization of the current tile, in registers. */
	lf_u8 wzb[LF_CONV_PE_OC];
	lf_i32 woff[LF_CONV_PE_OC];
	lf_u32 bias[LF_CONV_PE_OC];
	float mult[LF_CONV_PE_OC];
#pragma HLS ARRAY_PARTITION variable=wzb type=complete
#pragma HLS ARRAY_PARTITION variable=woff type=complete
#pragma HLS ARRAY_PARTITION variable=bias type=complete
#pragma HLS ARRAY_PARTITION variable=mult type=complete
	/* The output table (LF_DF_LUT): one read a cycle in conv_store8. */
	lf_u8 lut[LF_LUT_BYTES];
	if (d->flags & LF_DF_LUT)
		conv_lut_load(params, d, lut);

	for (lf_u32 grp = 0; grp < d->groups; grp++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=1
		for (lf_u32 oc0 = 0; oc0 < g->ocg; oc0 += LF_CONV_PE_OC) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=4096 avg=8
			lf_u32 oc_first = grp * g->ocg + oc0;
			lf_u32 nv = g->ocg - oc0;
			if (nv > LF_CONV_PE_OC)
				nv = LF_CONV_PE_OC;
			LF_PIPE_BEGIN(conv_qparams);
		conv_qparams:
			for (lf_u32 p = 0; p < LF_CONV_PE_OC; p++) {
#pragma HLS PIPELINE II=12
				LF_PIPE(conv_qparams);
				lf_u32 c = oc_first + (p < nv ? p : 0);
				lf_u32 q = g->nq == 1 ? 0 : c;
				lf_i32 wzp =
				    lf_ld_i32(params, d->w_zp_off + 4 * q);
				wzb[p] = lfk_byte(wzp);
				woff[p] = ws + wzp;
				bias[p] = (d->flags & LF_DF_BIAS)
					      ? (lf_u32)lf_ld_i32(
						    params, d->bias_off + 4 * c)
					      : 0;
				mult[p] =
				    y8 ? lf_ld_f32(params, d->mult_off + 4 * q)
				       : 0.0f;
			}
			LF_PIPE_END(conv_qparams);
			conv_load_w(params, d, g, oc_first, nv, wzb, wbuf);

			for (lf_u32 n = 0; n < d->n; n++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=16 avg=1
				for (lf_u32 oy = 0; oy < d->oh; oy++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=56
					for (lf_u32 ox0 = 0; ox0 < d->ow;
					     ox0 += g->tw) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=2
						lf_u32 tw_t = d->ow - ox0;
						if (tw_t > g->tw)
							tw_t = g->tw;
						lf_u32 tcols =
						    (tw_t - 1) * d->stride_w +
						    g->span_w;
						conv_load_x(act, d, g, n, grp,
							    oy, ox0, tcols, xzb,
							    xbuf, ct);
						conv_mac(d, g, tw_t, tcols, nv,
							 bias, woff, wbuf, xbuf,
							 accbuf);
						conv_store(act, d, g, n,
							   oc_first, nv, oy,
							   ox0, tw_t, mult, lut,
							   accbuf);
					}
				}
			}
		}
	}
}

/* The blocked datapath (LF_DF_BLK); uses conv_check_shape above. */
#include "lf_conv_blk.h"

/*
 * Checks and runs one descriptor, number @i of the list @desc of @ndesc;
 * returns its status. The body of lfk_conv2d's loop, and what lfk_engine
 * (engine.c) calls for a conv. A descriptor with LF_DF_BLK goes to the
 * blocked datapath (which may look at descriptor i + 1: LF_DF_WPRE; bw0s
 * holds the resident block's state from one descriptor to the next).
 */
static lf_i32
conv_layer(LF_GLOBAL const lf_u32 *desc, lf_u32 ndesc, lf_u32 i,
	   LF_GLOBAL const lf_beat *params, lf_u32 params_bytes,
	   LF_GLOBAL lf_beat *act, lf_u32 act_bytes, const lf_desc *d,
	   LF_LOCAL lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K],
	   LF_LOCAL lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K],
	   LF_LOCAL lf_u8 ct[LF_CONV_BEAT][LF_CONV_PE_K],
	   LF_LOCAL lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX],
	   LF_LOCAL lf_u8 bw0buf[LF_BLK_W0BEATS][LF_BLK_LANES],
	   struct blk_w0s *bw0s,
	   LF_LOCAL lf_u8 bwbuf[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	   LF_LOCAL lf_u8 blbuf[LF_BLK_LBEATS][LF_BLK_LANES],
	   LF_LOCAL lf_u32 baccrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	   LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	   LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	if (d->flags & LF_DF_BLK)
		return blk_layer(desc, ndesc, i, params, params_bytes, act,
				 act_bytes, d, bw0buf, bw0s, bwbuf, blbuf,
				 baccrow, pva, pvb);
	struct conv_geo g;
	lf_i32 st = conv_check(d, params_bytes, act_bytes, &g);
	if (st == LF_KST_OK)
		st = conv_check_wzp(params, d, &g);
	LF_DESC_DONE();
	if (st == LF_KST_OK)
		conv_run(params, act, d, &g, wbuf, xbuf, ct, accbuf);
	return st;
}

/* engine.c includes this file for conv_layer() and defines its own top. */
#if !defined(LF_ENGINE_BUILD)
LF_EXPORT LF_KERNEL void lfk_conv2d(LF_GLOBAL lf_u32 *desc, lf_u32 ndesc,
				    LF_GLOBAL const lf_beat *params,
				    lf_u32 params_bytes, LF_GLOBAL lf_beat *act,
				    lf_u32 act_bytes)
{
/* Interfaces: UG1399 "pragma HLS interface"; depths (elements: beats on
 * params/act) size C/RTL cosim only; latency and the outstanding counts
 * are the cycle model's LF_LAT_MEM / LF_AXI_OUTSTANDING (lf_config.h). */
#pragma HLS INTERFACE mode=m_axi port=desc offset=slave bundle=gmem0 depth=1024 max_read_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=params offset=slave bundle=gmem1 depth=65536 max_read_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=m_axi port=act offset=slave bundle=gmem2 depth=65536 max_read_burst_length=64 max_write_burst_length=64 max_widen_bitwidth=512 num_read_outstanding=LF_AXI_OUTSTANDING num_write_outstanding=LF_AXI_OUTSTANDING latency=LF_LAT_MEM
#pragma HLS INTERFACE mode=s_axilite port=desc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=ndesc bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params bundle=control
#pragma HLS INTERFACE mode=s_axilite port=params_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act bundle=control
#pragma HLS INTERFACE mode=s_axilite port=act_bytes bundle=control
#pragma HLS INTERFACE mode=s_axilite port=return bundle=control

	/* On-chip buffers (UG1399 "pragma HLS array_partition"). */
	LF_ONCHIP lf_u8 wbuf[LF_CONV_PE_OC][LF_CONV_KVEC][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=wbuf type=complete dim=1
#pragma HLS ARRAY_PARTITION variable=wbuf type=complete dim=3
	LF_ONCHIP lf_u8 xbuf[LF_CONV_XVEC][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=xbuf type=complete dim=2
	LF_ONCHIP lf_u8 ct[LF_CONV_BEAT][LF_CONV_PE_K];
#pragma HLS ARRAY_PARTITION variable=ct type=complete dim=0
	LF_ONCHIP lf_u32 accbuf[LF_CONV_PE_OC][LF_CONV_TW_MAX];
#pragma HLS ARRAY_PARTITION variable=accbuf type=complete dim=1
	/* Blocked datapath (lf_conv_blk.h): 512-bit words (one beat) reshaped
	 * from the lanes; the weight rows banked by output channel (OC rows a
	 * cycle), the line buffer by column mod 2 * PIX (PIX pixels sw <= 2
	 * apart a cycle), the accumulator row by pixel and lane. */
	LF_ONCHIP lf_u8 bwbuf[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=bwbuf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bwbuf type=cyclic factor=LF_BLK_OC dim=1
	/* The resident first block (lf_config.h LF_BLK_WRES, lf_conv_blk.h
	 * blk_run): LF_BLK_W0B banks of 512-bit words, in UltraRAM (8
	 * URAM288 a bank, UG573; make hw-budget); written before a
	 * descriptor's bands, read by blk_obs's weight process only.
	 * UNVERIFIED: only csynth shows the binding. */
	LF_ONCHIP lf_u8 bw0buf[LF_BLK_W0BEATS][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=bw0buf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bw0buf type=cyclic factor=LF_BLK_W0F dim=1
#pragma HLS BIND_STORAGE variable=bw0buf type=ram_1p impl=uram
	/* Its constants, and which descriptor it holds (lf_conv_blk.h
	 * blk_w0s): registers. */
	struct blk_w0s bw0s;
#pragma HLS ARRAY_PARTITION variable=bw0s.m0 type=complete
#pragma HLS ARRAY_PARTITION variable=bw0s.dw0 type=complete
#pragma HLS ARRAY_PARTITION variable=bw0s.c0 type=complete
	bw0s.pre = 0;
	LF_ONCHIP lf_u8 blbuf[LF_BLK_LBEATS][LF_BLK_LANES];
#pragma HLS ARRAY_RESHAPE variable=blbuf type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=blbuf type=cyclic factor=LF_BLK_LB_BANKS dim=1
	/* The line buffer's banks are 512 bits wide and at most
	 * LBEATS / (2 * PIX) deep: in URAM (8 URAM288 side by side a bank,
	 * UG573) rather than 15 RAMB18 each, where the weights already hold
	 * most of the block RAM (make hw-budget). One port reads, the other
	 * writes: each bank sees at most one read a cycle (the cyclic
	 * banking above). UNVERIFIED: only csynth shows the binding. */
#pragma HLS BIND_STORAGE variable=blbuf type=ram_2p impl=uram
	LF_ONCHIP lf_u32 baccrow[LF_BLK_IW_MAX][LF_BLK_ACC];
#pragma HLS ARRAY_PARTITION variable=baccrow type=cyclic factor=LF_BLK_PIX dim=1
#pragma HLS ARRAY_PARTITION variable=baccrow type=complete dim=2
	/* The fused max pool's two row accumulators (LF_DF_POOL; in
	 * lfk_engine the blocked pool's, lent): cyclic by LF_POOL_BLK_KWP
	 * pixels for its output loop (lf_kpool.h). */
	LF_ONCHIP lf_u8 bpva[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=bpva type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bpva type=cyclic factor=4 dim=1
	LF_ONCHIP lf_u8 bpvb[LF_POOL_BLK_ROW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=bpvb type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=bpvb type=cyclic factor=4 dim=1

	for (lf_u32 i = 0; i < ndesc; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=256 avg=4
		lf_desc d;
		lfk_desc_fetch(desc, i, &d);
		lf_i32 st = conv_layer(desc, ndesc, i, params, params_bytes,
				       act, act_bytes, &d, wbuf, xbuf, ct,
				       accbuf, bw0buf, &bw0s, bwbuf, blbuf,
				       baccrow, bpva, bpvb);
		lfk_desc_status(desc, i, st, d.nonce);
		LF_DESC_END();
		if (st != LF_KST_OK)
			break;
	}
}
#endif
