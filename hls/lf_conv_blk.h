/*
 * lf_conv_blk.h - the blocked conv datapath of lfk_conv2d and lfk_engine:
 * descriptors with LF_DF_BLK (lf_desc.h "Blocked layout"), groups == 1,
 * or depthwise (groups == ic == oc: blk_dw_mac instead of blk_mac, the
 * rest shared).
 * Included by conv2d.c (one translation unit per kernel, built three ways
 * like the rest of hls/); hls/README.md describes the structure.
 *
 * Per descriptor:
 *   for each band of output rows of each image, or of  (blk_bands)
 *   several whole images (blk_ni):
 *     the input rows of its windows -> the line buffer (one burst per
 *       input channel block; one for all when the band is the image)
 *     for each block of 64 output channels (ob):       (blk_obs)
 *       its 64 records -> bias / woff / mult registers (16 beats, one burst)
 *       its weights    -> bwbuf                         (kh*kw*icb*64 beats)
 *       for each pack of output rows of the band:      (blk_rows)
 *         MAC loop, II=1: LF_BLK_PIX pixels x LF_BLK_IC input channels x
 *           LF_BLK_OC output channels per cycle, over (pixel group, OC
 *           tile, tap, IC chunk); each pixel's whole 64-channel block
 *           accumulates in accrow before anything is stored (a pass may
 *           take a pack of rows as one run of pixels: blk_pk)
 *         store loop, II=1: one requantized 64-channel beat per pixel
 *   (depthwise: a band per image and output block, whose one input block
 *   is all it loads)

 * Arithmetic (kernel review 4.4): with 8-bit operands shifted to signed,
 * xq = x - ox and wq = w - ow (ox, ow = 128 for uint8, 0 for int8), and
 * dx = ox - x_zp, dw[c] = ow - w_zp[c], over the N terms of a window:
 *   sum((x - x_zp)(w - w_zp[c])) = sum(xq wq) + dw[c] sum(xq)
 *                                  + dx sum(wq) + N dx dw[c]
 * exactly, and modulo 2^32 (ORT's int32 accumulation wraps too). The MAC
 * array multiplies int8 x int8 only (two weights of one activation: the
 * operands of Xilinx WP486's two MACs per DSP48E2); sum(xq) is an adder
 * per pixel, sum(wq) is taken per channel as the weights load, and the
 * rest is one multiply-add per output in the store (blk_cst, blk_store).
 * Padding enters as xq = x_zp - ox = -dx, so its (x - x_zp) is 0.
 *
 * x, w and y move as whole beats only (lf_beat_rd / lf_beat_wr): one beat
 * is 64 channels of one pixel, 64 input channels of one output channel's
 * tap, 4 records, or 64 output channels of one pixel. Padding (rows and
 * columns outside the image) is not read: its operand is 0, which is
 * (x_zp - x_zp). Input pad lanes (channels >= ic) meet weights equal to
 * their output channel's w_zp (the packing rule of lf_desc.h), so they add
 * exactly 0 whatever the host left in them; IC chunks holding no real
 * channel are skipped. Output pad lanes (channels >= oc) are written as
 * requant(0, their record's mult): a function of the descriptor and its
 * inputs only.
 *
 * The line buffer holds one band: the input rows of the windows of bo
 * output rows (blk_bo: as many as fit, at most the image; at batch 1 an
 * image's first band may be shorter, blk_bf), row lo of the
 * band in slot 0; or several whole images (blk_ni), image m from slot m *
 * rows. Each band's rows are read once for all output blocks (the weights
 * are read once per band instead: a block's weights load while the
 * previous block computes; at batch > 1 a band of several images loads
 * them once for all). 1x1 stride-2 convs keep every second row and column
 * only (blk_compact).
 *
 * Overlap: three nested canonical DATAFLOW loops (lf_pipes.h
 * LF_OVERLAP, hls/README.md "Overlap"). blk_bands: band j + 1's input
 * rows load (blk_load_band) while band j computes (blk_band_obs); blk_obs,
 * inside it: block ob + 1's records and weights load (blk_wtask) while
 * block ob computes (blk_ctask); blk_rows, inside that: row i + 1 is in
 * the PE array (blk_mac_row) while row i is requantized and stored
 * (blk_store_row). The line buffer, the weights and the accumulator row
 * are the three ping-pong channels.
 */
#ifndef LF_CONV_BLK_H
#define LF_CONV_BLK_H

#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kadd.h"
#include "lf_kpool.h"
#include "lf_kutil.h"
#include "lf_pipes.h"

#define LF_BLK_CHUNKS (LF_BLK_LANES / LF_BLK_IC) /* IC chunks per beat */
#define LF_BLK_TILES  (LF_BLK_LANES / LF_BLK_OC) /* OC tiles per block */
#define LF_BLK_RBEATS (LF_BLK_LANES * LF_BLK_REC_BYTES / LF_BEAT_BYTES)
/* accrow lanes: 64 channels, then the pixel's sum of x operands. */
#define LF_BLK_ACC (LF_BLK_LANES + 1)
/*
 * Copies of the output table (LF_DF_LUT) the store reads: in HLS one per
 * lane, as 64 lanes look their bytes up each cycle (64 LUTRAMs of 256 x
 * 8 bits, each one read a cycle); elsewhere one (host C and OpenCL read
 * in sequence; PoCL's memory budget, hls/README.md). Every copy holds the
 * same bytes, so lane j's lut[j % copies][b] is the same byte either way.
 */
#if defined(LF_HLS)
#define LF_BLK_LUT_COPIES LF_BLK_LANES
#else
#define LF_BLK_LUT_COPIES 1
#endif

/* Derived from a descriptor once it has passed blk_check(). */
struct blk_geo {
	lf_u32 icb, ocb;  /* 64-channel blocks of x and y */
	lf_u32 last_ch;	  /* IC chunks of the last input block */
	lf_u32 kred;	  /* kh * kw * (IC chunks over all input blocks);
			     depthwise: kh * ceil(kw / kwp) */
	lf_u32 span_h;	  /* (kh - 1) * dil_h + 1 */
	lf_u32 rows;	  /* input rows a band's line buffer holds at most */
	lf_u32 ngroups;	  /* ceil(ow / LF_BLK_PIX); depthwise: DW_PIX */
	lf_u32 pk;	  /* output rows a pass of the PE array takes (blk_pk) */
	lf_u32 bo;	  /* output rows of a band (blk_bo) */
	lf_u32 bf;	  /* rows of an image's first band (blk_bf); 0: bo */
	lf_u32 r0, nr;	  /* the part's output rows r0 .. r0 + nr - 1 (y_rows) */
	lf_u32 b0, nb;	  /* and output blocks b0 .. b0 + nb - 1 (y_blks) */
	lf_u32 nband;	  /* bands of an image: ceil(nr / bo) */
	lf_u32 ni;	  /* images a band holds (blk_ni; 1 unless nband is) */
	lf_u32 nunit;	  /* bands of the descriptor (blk_bands) */
	lf_u32 cs;	  /* column step of the load (blk_compact: stride) */
	lf_u32 bw;	  /* beats of a line-buffer row per channel block */
	lf_u32 rs;	  /* beats a line-buffer row takes: lcb * bw, or a few
			     more for row packs (blk_pk) */
	lf_u32 wbeats;	  /* kh * kw * icb * 64: weight beats per block */
	lf_u32 dwise;	  /* 1: depthwise (groups == ic == oc) */
	lf_u32 lcb;	  /* channel blocks a line-buffer row holds */
	lf_u32 kwp;	  /* depthwise: tap columns per cycle (<= DW_KW) */
	lf_u32 ycb;	  /* y's channel blocks per image (LF_DF_YCB: y_cb) */
	lf_u32 fadd;	  /* LF_DF_ADD: the store adds x2 (blk_store) */
	lf_u32 xrb;	  /* LF_DF_XFOLD: beats of a compact row; else 0 */
	/* LF_DF_POOL (blk_store_pool): the pool's window (pool_k), y's
	 * rows and columns, the part's rows of y q0 .. q0 + nq - 1 and the
	 * rows of y a band takes (qb); r0, nr, bo are then the conv rows
	 * those need (blk_pool_rows). */
	lf_u32 fpool, pkh, pkw, psh, psw, ppt, ppl, ppb, ppr;
	lf_u32 ph, pw, q0, nq, qb;
	struct lfk_qadd fq; /* LF_DF_ADD: the add's coefficients */
};

/* Little-endian 32 bits of a beat's bytes. */
LF_INLINE lf_u32 blk_le32(const lf_u8 b[LF_BEAT_BYTES], lf_u32 o)
{
	return (lf_u32)b[o] | ((lf_u32)b[o + 1] << 8) |
	       ((lf_u32)b[o + 2] << 16) | ((lf_u32)b[o + 3] << 24);
}

/*
 * Everything but the records' w_zp values, in lf_desc.h's order; fills
 * *g when it returns LF_KST_OK.
 */
/*
 * Row packs: a dense layer whose ow is not a multiple of LF_BLK_PIX runs
 * pk output rows through the PE array as one sequence of pk * ow pixels
 * (pixel q is row q / ow, column q % ow), the least pk with pk * ow a
 * multiple of PIX, so no pixel slot idles at a row's end (ResNet's 14-
 * and 7-wide layers: 12.5 % of their MAC cycles with PIX = 4). A pixel
 * group then may span two rows: its pixels read columns c .. ow - 1 of
 * one row's window and 0 .. of the next one's. The line buffer has
 * LF_BLK_LB_BANKS = 2 PIX banks, cyclic over beats, and a row of it takes
 * g->rs beats; a group's pixels must hit distinct banks. Within a row
 * they are sw <= 2 columns apart: sw, 2 sw, .. (PIX - 1) sw beats, none a
 * multiple of 2 PIX. A pixel at column ow - a of one pack row and one at
 * column b of the next (a >= 1, a + b = k <= PIX - 1) are sh * rs - sw *
 * (ow - k) beats apart (the next pack row's window starts sh input rows
 * on). So rs is the least of lcb * iw .. lcb * iw + 2 PIX - 1 for which
 * no such distance is a multiple of 2 PIX (one exists for sh, sw <= 2:
 * for sh = sw = 2, rs = ow mod 4 at PIX 4; ResNet's stride-2 3x3 layers
 * with ow 14 and 7 pad their rows by 2 and 3 beats); the beats past lcb *
 * iw of a row are not used. Else (none found), and for depthwise layers,
 * whose unit reads a window of consecutive beats of one row, pk = 1 and rs
 * = lcb * iw. A fused add (LF_DF_ADD) doubles pk while the accumulator
 * row holds it (its store waits a memory latency per pack); where ow is a
 * multiple of PIX no group spans two rows and rs stays lcb * iw. Sets
 * g->rs; @d is the compute's view (blk_view).
 */
LF_INLINE lf_u32 blk_pk(const lf_desc *d, struct blk_geo *g)
{
	lf_u32 rs0 = g->lcb * d->iw;
	g->rs = rs0;
	lf_u32 pk = 1;
	/* A fused pool (LF_DF_POOL) reduces its rows one at a time. */
	if (g->fpool)
		return 1;
	while (pk < LF_BLK_PIX && (pk * d->ow) % LF_BLK_PIX != 0)
		pk++;
	/* A fused add's store (blk_store_add) waits LF_LAT_MEM for its
	 * first x2 beat at each pack: longer packs, as many rows as the
	 * accumulator row holds, up to PIX (still multiples of PIX
	 * pixels). */
	while (g->fadd && pk * 2 <= LF_BLK_PIX &&
	       pk * 2 * d->ow <= LF_BLK_IW_MAX)
		pk *= 2;
	if (pk == 1 || g->dwise || d->ow < LF_BLK_PIX ||
	    pk * d->ow > LF_BLK_IW_MAX)
		return 1;
	/* Rows of a multiple of PIX pixels: no group spans two rows. */
	if (d->ow % LF_BLK_PIX == 0)
		return pk;
	/* A folded input (LF_DF_XFOLD) is cut into rows of ow beats
	 * (blk_load_xf): no padded rows for it. */
	lf_u32 tries = (d->flags & LF_DF_XFOLD) ? 1 : LF_BLK_LB_BANKS;
	for (lf_u32 j = 0; j < LF_BLK_LB_BANKS && j < tries; j++) {
		lf_u32 rs = rs0 + j, clash = 0;
		for (lf_u32 k = 1; k < LF_BLK_PIX; k++) {
			/* sh * rs - sw * (ow - k), kept non-negative */
			lf_u32 dist = d->stride_h * rs +
				      LF_BLK_LB_BANKS * d->stride_w * d->ow -
				      d->stride_w * (d->ow - k);
			clash |= dist % LF_BLK_LB_BANKS == 0;
		}
		if (!clash) {
			g->rs = rs;
			return pk;
		}
	}
	return 1;
}

/*
 * Bands (blk_bands): an image's output rows run in bands of bo rows, and
 * a band's line buffer holds the input rows of all their windows (the
 * last band may be shorter). bo: the most rows whose windows fit in the
 * buffer's rows ((bo - 1) * stride_h + span_h of them, or the whole
 * image), a multiple of pk where it is less than oh (a pass of the PE
 * array stays within a band), then evened out over the bands it takes.
 * @d is the compute's view (blk_view).
 */
LF_INLINE lf_u32 blk_bo(const lf_desc *d, const struct blk_geo *g)
{
	/* A fused pool: the most conv rows (blk_pool_rows cuts them). */
	if (g->fpool)
		return g->rows >= d->ih
			   ? d->oh
			   : (g->rows - g->span_h) / d->stride_h + 1;
	/* The descriptor's part: g->nr rows (oh for a whole layer). */
	lf_u32 oh = g->nr;
	if (oh == 0)
		return 1;
	lf_u32 bo = g->rows >= d->ih ? oh
				     : (g->rows - g->span_h) / d->stride_h + 1;
	if (bo > g->pk && bo < oh)
		bo -= bo % g->pk;
	lf_u32 nb = (oh + bo - 1) / bo;
	lf_u32 even = (oh + nb - 1) / nb;
	even = (even + g->pk - 1) / g->pk * g->pk;
	return even < bo ? even : bo;
}

/*
 * A fused pool (LF_DF_POOL): the conv rows row q of y needs, first(q) ..
 * last(q), inside t (oh rows); and the band's first row of y from its
 * first conv row oy0 (q * psh - ppt, or 0 for q = 0: ppt < psh, so the
 * map is one to one).
 */
LF_INLINE lf_u32 blk_pool_first(const struct blk_geo *g, lf_u32 q)
{
	return q * g->psh > g->ppt ? q * g->psh - g->ppt : 0;
}

LF_INLINE lf_u32 blk_pool_last(const struct blk_geo *g, lf_u32 q, lf_u32 oh)
{
	lf_u32 e = q * g->psh + g->pkh - 1 - g->ppt;
	return e < oh - 1 ? e : oh - 1;
}

LF_INLINE lf_u32 blk_pool_q(const struct blk_geo *g, lf_u32 oy0)
{
	return (oy0 + g->ppt) / g->psh;
}

/*
 * Bands of a fused pool: rows of y, g->qb a band (the most whose conv
 * rows, (qb - 1) * psh + pkh, fit the bo conv rows the buffer takes,
 * evened out over the bands), the part's q0 .. q0 + nq - 1; a band
 * computes the conv rows its rows of y need, so two bands may compute
 * one conv row each (psh < pkh). Sets g->qb, g->bo (the most conv rows
 * of a band), g->r0 and g->nr (the part's conv rows); 0 if no row of y
 * fits.
 */
LF_INLINE lf_u32 blk_pool_rows(const lf_desc *d, struct blk_geo *g,
			       lf_u32 bo)
{
	g->r0 = 0;
	g->nr = 0;
	g->qb = 1;
	if (g->nq == 0)
		return 1;
	lf_u32 qb = g->nq;
	if (bo < d->oh) {
		if (bo < g->pkh)
			return 0;
		qb = (bo - g->pkh) / g->psh + 1;
		if (qb > g->nq)
			qb = g->nq;
	}
	lf_u32 nb = (g->nq + qb - 1) / qb;
	g->qb = (g->nq + nb - 1) / nb;
	g->bo = (g->qb - 1) * g->psh + g->pkh;
	if (g->bo > d->oh)
		g->bo = d->oh;
	g->r0 = blk_pool_first(g, g->q0);
	g->nr = blk_pool_last(g, g->q0 + g->nq - 1, d->oh) + 1 - g->r0;
	return 1;
}

/*
 * Images a band holds (blk_bands): where one band is a whole image (nband
 * 1) and the buffer holds several of them (cap rows of lcb * iw beats, an
 * image g->rows of them), a band may take as many images as fit, evened
 * out over the bands (a batch of 3 at 2 a band: 2 + 1), so each output
 * block's weights load once for all of them: at batch > 1 layers with few
 * pixels (ResNet's layer4, the classifier's 1x1 over one pixel) reload no
 * weights per image. Image m of a band sits at row slot m * g->rows.
 * What runs exposed (the regions' fills, lf_pipes.h) is the first band's
 * load and each band's first block of weights: ni images a band cost
 * about ni * L + ceil(n / ni) * W cycles of them, L an image's load (a
 * burst, or blk_compact's burst per row and block: a memory latency
 * each), W a block's records, weights and constants; so a band takes all
 * it can (P images) or one, whichever costs less by that estimate
 * (ResNet-50's 1x1 stride-2 convs keep one: their rows load a burst each).
 * Depthwise layers keep a band per image and block (their weights are a
 * beat a tap).
 */
LF_INLINE lf_u32 blk_ni(const lf_desc *d, const struct blk_geo *g,
			lf_u32 cap)
{
	if (g->dwise || g->nband != 1)
		return 1;
	lf_u32 p = cap / g->rows;
	if (p > d->n)
		p = d->n;
	lf_u32 nb = (d->n + p - 1) / p;
	p = (d->n + nb - 1) / nb;
	lf_u64 runs = g->cs > 1 ? (lf_u64)g->lcb * g->rows : g->lcb;
	lf_u64 l = (lf_u64)g->lcb * g->rows * d->iw + runs * LF_LAT_MEM;
	lf_u64 w = (lf_u64)g->wbeats + LF_BLK_RBEATS + LF_BLK_LANES +
		   3 * LF_LAT_MEM;
	return (lf_u64)p * l + nb * w < l + (lf_u64)d->n * w ? p : 1;
}

/*
 * A short first band (batch 1). What runs exposed of a descriptor is its
 * first band's row load and its first block's weights (the regions'
 * fills, lf_pipes.h). With the resident first block (LF_BLK_W0B) a band
 * more costs a copy of that block, not its load, so a dense conv of one
 * image may take a first band of bf output rows, whose load is short,
 * and the rest in bands of bo: band 1's rows then load while band 0
 * computes. bf: the fewest rows (a multiple of pk) whose compute covers,
 * per output block, a block's weights (the next block's load in
 * blk_obs) and, over the blocks, the next band's load; 0 (bands of bo
 * from the start) where that is not below the first band's rows, or
 * where it saves less than it adds (a second copy of the block and a
 * pack's store per block, by the estimate below: loads and stores at 5/4 cycle a
 * beat, as a DDR4 bank's rate at burst efficiency is below a 64-byte beat
 * a cycle (driver/emu), compute at kred x OC tiles a cycle per pixel
 * group and row). Not for depthwise convs (a band per block already),
 * folded or compact loads, a fused pool (bands of whole windows), or
 * batch > 1 (bands of several images; the first band's load is one
 * image's of many). @v is the compute's view.
 */
LF_INLINE lf_u32 blk_bf(const lf_desc *d, const lf_desc *v,
			const struct blk_geo *g)
{
	lf_u32 c0 = g->nr < g->bo ? g->nr : g->bo;
	if (LF_BLK_W0B == 0 || g->dwise || d->n != 1 || g->cs > 1 ||
	    (d->flags & LF_DF_XFOLD) != 0 || c0 <= g->pk || g->nb == 0 ||
	    g->fpool)
		return 0;
	/* A band's input rows (c output rows) and their load's cycles. */
	lf_u64 rb = (lf_u64)g->lcb * v->iw * 5 / 4;
	lf_u64 in0 = (lf_u64)(c0 - 1) * v->stride_h + g->span_h;
	lf_u64 l0 = (in0 < v->ih ? in0 : v->ih) * rb + LF_LAT_MEM;
	lf_u64 crow = (lf_u64)g->ngroups * g->kred * LF_BLK_TILES;
	lf_u64 w = ((lf_u64)g->wbeats + LF_BLK_RBEATS + LF_BLK_LANES +
		    3 * LF_LAT_MEM) *
		   5 / 4;
	lf_u64 bf = g->nb > 1 ? (w + crow - 1) / crow : 1;
	lf_u64 bl = (l0 + g->nb * crow - 1) / (g->nb * crow);
	if (bf < bl)
		bf = bl;
	bf = (bf + g->pk - 1) / g->pk * g->pk;
	if (bf >= c0)
		return 0;
	lf_u64 in1 = (bf - 1) * v->stride_h + g->span_h;
	lf_u64 l1 = (in1 < v->ih ? in1 : v->ih) * rb + LF_LAT_MEM;
	/* A band more: the block's copy, and per block a pack's store
	 * after the MAC (a fused add's reads x2 too, after a latency). */
	lf_u64 st = (lf_u64)g->pk * v->ow * (g->fadd ? 2 : 1) * 5 / 4 +
		    (g->fadd ? LF_LAT_MEM : 0);
	lf_u64 more = 2 * ((lf_u64)g->wbeats / LF_BLK_W0F + LF_DEPTH_LD) +
		      (lf_u64)g->nb * st;
	return l0 > l1 + more ? (lf_u32)bf : 0;
}

/*
 * A 1x1 conv of stride 2 without padding (ResNet's downsampling convs)
 * reads every second row and column only: the line buffer keeps just
 * those (blk_load_band: one row per output row, every second beat of
 * it), and the compute sees a 1x1 stride-1 conv over an oh x ow image
 * (blk_view): the buffer then holds 4 times the pixels, and the PE
 * array's pixels are consecutive beats (row packs, blk_pk, apply).
 */
LF_INLINE lf_u32 blk_compact(const lf_desc *d)
{
	return d->groups == 1 && d->kh == 1 && d->kw == 1 &&
	       d->stride_h > 1 && d->stride_w == d->stride_h &&
	       (d->pad_t | d->pad_l | d->pad_b | d->pad_r) == 0;
}

/* The descriptor as the compute (MAC, store) sees it: blk_compact, or
 * folded (LF_DF_XFOLD: the kh x 1 conv over kw * ic lanes, ow columns). */
LF_INLINE void blk_view(const lf_desc *d, lf_desc *v)
{
	*v = *d;
	if (d->flags & LF_DF_XFOLD) {
		v->ic = d->kw * d->ic;
		v->iw = d->ow;
		v->kw = 1;
		v->stride_w = 1;
		v->dil_w = 1;
		v->pad_l = 0;
		v->pad_r = 0;
	} else if (blk_compact(d)) {
		v->ih = d->oh;
		v->iw = d->ow;
		v->stride_h = 1;
		v->stride_w = 1;
	}
}

/*
 * Checks blocked conv descriptor @d and derives its geometry *@g. @peek:
 * the next descriptor's look ahead (LF_DF_WPRE, blk_next), which needs
 * no fused add's table.
 */
static lf_i32 blk_check(const lf_desc *d, lf_u32 params_bytes,
			lf_u32 act_bytes, struct blk_geo *g, lf_u32 peek)
{
	if (d->magic != LF_DESC_MAGIC)
		return LF_KST_BAD_MAGIC;
	/* groups 1, or depthwise with channel multiplier 1; LF_DF_SWAP
	 * only with a fused add. */
	g->fadd = (d->flags & LF_DF_ADD) != 0;
	g->fpool = (d->flags & LF_DF_POOL) != 0;
	lf_u32 xf = d->flags & LF_DF_XFOLD;
	lf_u32 opt = LF_DF_LUT | LF_DF_YCB | LF_DF_ADD | LF_DF_XFOLD |
		     LF_DF_WPRE | (g->fadd ? LF_DF_SWAP : 0) |
		     (LF_BLK_POOL ? LF_DF_POOL : 0);
	if (d->op != LF_KOP_CONV2D || (d->flags & ~opt) != LF_DF_BLK ||
	    (d->groups != 1 && (d->groups != d->ic || d->oc != d->ic)) ||
	    lfk_part_refused(d, 1) || (xf && d->groups != 1) ||
	    (g->fpool && g->fadd))
		return LF_KST_BAD_OP;
	if (!lfk_is_8bit(d->x_type) || !lfk_is_8bit(d->w_type) ||
	    !lfk_is_8bit(d->y_type))
		return LF_KST_BAD_TYPE;
	lf_i32 st = conv_check_shape(d, 1);
	if (st != LF_KST_OK)
		return st;
	/* The fused pool's window and y's size (lf_desc.h "Fused max
	 * pool"). */
	g->pkh = d->pool_k & 15u;
	g->pkw = (d->pool_k >> 4) & 15u;
	g->psh = (d->pool_k >> 8) & 15u;
	g->psw = (d->pool_k >> 12) & 15u;
	g->ppt = (d->pool_k >> 16) & 15u;
	g->ppl = (d->pool_k >> 20) & 15u;
	g->ppb = (d->pool_k >> 24) & 15u;
	g->ppr = d->pool_k >> 28;
	g->ph = d->oh;
	g->pw = d->ow;
	if (g->fpool) {
		if (g->pkh < 1 || g->pkh > 2 * g->psh || g->pkw < 1 ||
		    g->pkw > LF_POOL_BLK_KWP || g->psw < 1 ||
		    g->ppt >= g->psh || g->ppt >= g->pkh ||
		    g->ppb >= g->pkh || g->ppl >= g->pkw ||
		    g->ppr >= g->pkw || d->oh + g->ppt + g->ppb < g->pkh ||
		    d->ow + g->ppl + g->ppr < g->pkw)
			return LF_KST_BAD_SHAPE;
		g->ph = (d->oh + g->ppt + g->ppb - g->pkh) / g->psh + 1;
		g->pw = (d->ow + g->ppl + g->ppr - g->pkw) / g->psw + 1;
	}
	/* The fused add's quantization (LF_DF_ADD): its operands and y
	 * are y_type. */
	if (g->fadd &&
	    (!lfk_in_type(d->y_type, d->add_x_zp) ||
	     !lfk_in_type(d->y_type, d->x2_zp) ||
	     !lfk_in_type(d->y_type, d->add_y_zp) ||
	     !lfk_in_type(d->y_type, d->add_min) ||
	     !lfk_in_type(d->y_type, d->add_max) ||
	     d->add_min > d->add_max || !lfk_scale_ok(d->x_scale) ||
	     !lfk_scale_ok(d->x2_scale) || !lfk_scale_ok(d->y_scale)))
		return LF_KST_BAD_QUANT;
	/* The fused pool's clamp: two int16 in y_type's range. */
	lf_i32 pmin = (lf_i32)(lf_i16)(d->pool_clamp & 0xffffu);
	lf_i32 pmax = (lf_i32)(lf_i16)(d->pool_clamp >> 16);
	if (g->fpool &&
	    (!lfk_in_type(d->y_type, pmin) || !lfk_in_type(d->y_type, pmax) ||
	     pmin > pmax))
		return LF_KST_BAD_QUANT;
	/* Folded input (lf_desc.h "Folded input"): one channel block of
	 * kw * ic lanes, dilation 1, a compact row of at most XF_BEATS. The
	 * rest is checked on the folded view (blk_view) as any conv. */
	lf_u64 xrb = 0;
	if (xf) {
		if (d->kw * d->ic > LF_BLK_LANES || d->dil_w != 1)
			return LF_KST_BAD_SHAPE;
		xrb = ((lf_u64)(d->ow - 1) * d->stride_w + d->kw) * d->ic;
		xrb = (xrb + LF_BLK_LANES - 1) / LF_BLK_LANES;
		if (xrb > LF_BLK_XF_BEATS)
			return LF_KST_LIMIT;
	}
	g->xrb = (lf_u32)xrb;
	lf_desc fv;
	if (xf) {
		blk_view(d, &fv);
		d = &fv;
	}

	/* The blocked datapath's buffers. */
	g->icb = (d->ic + LF_BLK_LANES - 1) / LF_BLK_LANES;
	g->ocb = (d->oc + LF_BLK_LANES - 1) / LF_BLK_LANES;
	/* A placed output (LF_DF_YCB): images y_cb blocks apart. */
	g->ycb = (d->flags & LF_DF_YCB) ? d->y_cb : g->ocb;
	if (g->ycb < g->ocb)
		return LF_KST_BAD_SHAPE;
	/* The part of the layer it computes (y_rows, y_blks). */
	lf_u32 r1, b1;
	if (!lfk_part(d, g->ph, g->ocb, &g->r0, &r1, &g->b0, &b1))
		return LF_KST_BAD_SHAPE;
	g->nr = r1 - g->r0;
	/* A fused pool's part is rows of y (blk_pool_rows). */
	g->q0 = g->r0;
	g->nq = g->nr;
	g->nb = b1 - g->b0;
	/* Depthwise: output block ob reads input block ob only; a block's
	 * weights are one beat per tap. */
	g->dwise = d->groups != 1;
	g->lcb = g->dwise ? 1 : g->icb;
	if (d->kh * d->kw * (g->dwise ? 1 : g->icb * LF_BLK_LANES) >
		LF_BLK_WBEATS * LF_BLK_LANES ||
	    d->iw > LF_BLK_IW_MAX ||
	    d->ow > LF_BLK_IW_MAX || d->stride_h > LF_BLK_STRIDE_MAX ||
	    d->stride_w > LF_BLK_STRIDE_MAX ||
	    (g->fpool && d->ow > LF_BLK_POOL))
		return LF_KST_LIMIT;
	/* Line buffer and compute from here on: the compute's view. */
	lf_desc v;
	blk_view(d, &v);
	g->cs = d->stride_w / v.stride_w;
	g->bw = v.iw;
	g->span_h = (d->kh - 1) * d->dil_h + 1;
	g->pk = blk_pk(&v, g);
	lf_u32 cap = LF_BLK_LBEATS / g->rs;
	lf_u32 need = g->span_h < v.ih ? g->span_h : v.ih;
	if (cap < need)
		return LF_KST_LIMIT;
	g->rows = cap < v.ih ? cap : v.ih;
	lf_u32 rem = d->ic - (g->icb - 1) * LF_BLK_LANES;
	g->last_ch = (rem + LF_BLK_IC - 1) / LF_BLK_IC;
	/* Depthwise: DW_KW tap columns a cycle at dilation 1, else one. */
	g->kwp = d->dil_w == 1 && d->kw > LF_BLK_DW_KW ? LF_BLK_DW_KW
		 : d->dil_w == 1			? d->kw
							: 1;
	g->kred = g->dwise ? d->kh * ((d->kw + g->kwp - 1) / g->kwp)
			   : d->kh * d->kw *
				 ((g->icb - 1) * LF_BLK_CHUNKS + g->last_ch);
	g->ngroups = g->dwise ? (d->ow + LF_BLK_DW_PIX - 1) / LF_BLK_DW_PIX
			      : (d->ow + LF_BLK_PIX - 1) / LF_BLK_PIX;
	g->wbeats = g->dwise ? d->kh * d->kw
			     : d->kh * d->kw * g->icb * LF_BLK_LANES;
	g->bo = blk_bo(&v, g);
	if (g->fpool && !blk_pool_rows(&v, g, g->bo))
		return LF_KST_LIMIT;
	g->nband = g->fpool ? (g->nq + g->qb - 1) / g->qb
			    : (g->nr + g->bo - 1) / g->bo;
	g->ni = blk_ni(d, g, cap);
	g->bf = blk_bf(d, &v, g);
	if (g->bf)
		g->nband = 1 + (g->nr - g->bf + g->bo - 1) / g->bo;
	g->nunit = g->nb ? (d->n + g->ni - 1) / g->ni *
			       (g->dwise ? g->nb : 1) * g->nband
			 : 0;

	/* Whole beats only: every offset on a beat. */
	if ((d->x_off | d->y_off | d->w_off | d->w_zp_off |
	     (g->fadd ? d->x2_off : 0)) %
		LF_BEAT_BYTES !=
	    0)
		return LF_KST_BOUNDS;
	lf_u64 x_sz = lfk_mul_sat(lfk_mul_sat(d->n, g->icb),
				  lfk_mul_sat(lfk_mul_sat(d->ih, xf ? xrb : d->iw),
					      LF_BLK_LANES));
	lf_u64 y_sz = lfk_mul_sat(
	    lfk_mul_sat(d->n - 1, g->ycb) + g->ocb,
	    lfk_mul_sat(lfk_mul_sat(g->ph, g->pw), LF_BLK_LANES));
	lf_u64 w_sz = lfk_mul_sat(lfk_mul_sat(g->ocb, g->wbeats), LF_BEAT_BYTES);
	lf_u64 r_sz = (lf_u64)g->ocb * LF_BLK_RBEATS * LF_BEAT_BYTES;
	/* x2 of the fused add: blocked (n, oc, oh, ow), images ocb blocks
	 * apart whatever y_cb is. */
	lf_u64 x2_sz = lfk_mul_sat(
	    lfk_mul_sat(d->n, g->ocb),
	    lfk_mul_sat(lfk_mul_sat(d->oh, d->ow), LF_BLK_LANES));
	if (!lfk_inside(d->x_off, x_sz, act_bytes) ||
	    !lfk_inside(d->y_off, y_sz, act_bytes) ||
	    !lfk_disjoint(d->x_off, x_sz, d->y_off, y_sz) ||
	    !lfk_inside(d->w_off, w_sz, params_bytes) ||
	    !lfk_inside(d->w_zp_off, r_sz, params_bytes) ||
	    (g->fadd && (!lfk_inside(d->x2_off, x2_sz, act_bytes) ||
			 !lfk_disjoint(d->x2_off, x2_sz, d->y_off, y_sz))))
		return LF_KST_BOUNDS;
	/* The add's coefficients, once per descriptor: the conv's output
	 * is its x, x2 its x2 (lf_desc.h "Fused add"). */
	if (g->fadd && !peek) {
		lfk_qadd_init(&g->fq, 0, (d->flags & LF_DF_SWAP) != 0,
			      d->y_type, d->x_scale, d->add_x_zp, d->x2_scale,
			      d->x2_zp, d->y_scale, d->add_y_zp, d->add_min,
			      d->add_max);
		lfk_qadd_tab(&g->fq);
	}
	return conv_check_lut(d, params_bytes);
}

/* The w_zp of every real record (channel < oc), 4 records per beat. */
static lf_i32 blk_check_wzp(LF_GLOBAL const lf_beat *params, const lf_desc *d,
			    const struct blk_geo *g)
{
	lf_i32 st = LF_KST_OK;
	lf_u32 base = d->w_zp_off / LF_BEAT_BYTES;
	lf_u32 nb = g->ocb * LF_BLK_RBEATS;
	LF_PIPE_BEGIN(blk_wzp_chk);
blk_wzp_chk:
	for (lf_u32 k = 0; k < nb; k++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=16 max=16384 avg=64
		LF_PIPE(blk_wzp_chk);
		lf_u8 bt[LF_BEAT_BYTES];
		lf_beat_rd(params, base + k, bt);
		for (lf_u32 q = 0; q < 4; q++) {
#pragma HLS UNROLL
			lf_i32 wzp =
			    (lf_i32)blk_le32(bt, q * LF_BLK_REC_BYTES + 4);
			if (k * 4 + q < d->oc && !lfk_in_type(d->w_type, wzp))
				st = LF_KST_BAD_QUANT;
		}
	}
	LF_PIPE_END(blk_wzp_chk);
	return st;
}

/* Records of output block ob: bias, ws + w_zp and mult per channel. */
static void blk_load_rec(LF_GLOBAL const lf_beat *params, const lf_desc *d,
			 lf_u32 ob, lf_u32 bias[LF_BLK_LANES],
			 lf_i32 woff[LF_BLK_LANES], float mult[LF_BLK_LANES])
{
	lf_u32 base = d->w_zp_off / LF_BEAT_BYTES + ob * LF_BLK_RBEATS;
	lf_i32 ws = lfk_flip(d->w_type);
	LF_PIPE_BEGIN(blk_rec);
blk_rec:
	for (lf_u32 k = 0; k < LF_BLK_RBEATS; k++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(blk_rec);
		lf_u8 bt[LF_BEAT_BYTES];
		lf_beat_rd(params, base + k, bt);
		for (lf_u32 q = 0; q < 4; q++) {
#pragma HLS UNROLL
			lf_u32 j = k * 4 + q, o = q * LF_BLK_REC_BYTES;
			bias[j] = blk_le32(bt, o);
			woff[j] = ws + (lf_i32)blk_le32(bt, o + 4);
			mult[j] = lf_bits_f32(blk_le32(bt, o + 8));
		}
	}
	LF_PIPE_END(blk_rec);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS)
#include <string.h>
/*
 * noipa on the host-C fast paths (LF_BLK_NOIPA: noinline under clang,
 * which has no noipa and which make fuzz uses): gcc would otherwise
 * specialize these functions to the kernel top's on-chip buffers, which
 * are _Thread_local in host C (lf_kernel.h), and look the address up (a
 * __tls_get_addr call in a dlopen'ed object) in every iteration of the
 * inner loops.
 */
#if defined(__clang__)
#define LF_BLK_NOIPA noinline /* clang has no noipa; it does not clone */
#else
#define LF_BLK_NOIPA noipa
#endif
/*
 * Host C only (hls/README.md "Emulator speed"): blk_load_w's bytes and
 * sums without its per-beat loop: the block's wbeats beats copied as one
 * run, then per beat the sum of its used lanes' wq (sum(b ^ ws) - 128 *
 * used: the same integers), added to its output channel's wsum (dense) or
 * lane by lane (depthwise), mod 2^32 as there.
 */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_load_w(LF_GLOBAL const lf_beat *src, const lf_desc *d,
		const struct blk_geo *g, lf_u8 (*restrict wb)[LF_BLK_LANES],
		lf_u32 *restrict wsum)
{
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_u32 nb = g->wbeats < LF_BLK_WBEATS * LF_BLK_LANES
			? g->wbeats
			: LF_BLK_WBEATS * LF_BLK_LANES;
	memcpy(wb, src, (size_t)nb * LF_BEAT_BYTES);
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++)
		wsum[j] = 0;
	if (g->dwise) {
		for (lf_u32 k = 0; k < LF_BLK_WBEATS * LF_BLK_LANES && k < nb;
		     k++)
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++)
				wsum[j] += (lf_u32)((lf_i32)(wb[k][j] ^ ws) -
						    128);
		return;
	}
	/* byte masks of the used lanes: all 64, and the last block's */
	lf_u8 full[LF_BLK_LANES], last[LF_BLK_LANES];
	lf_u32 lused = g->last_ch * LF_BLK_IC;
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
		full[j] = 0xff;
		last[j] = j < lused ? 0xff : 0;
	}
	lf_u32 o = 0, cb = 0;
	for (lf_u32 k = 0; k < LF_BLK_WBEATS * LF_BLK_LANES && k < nb; k++) {
		lf_u32 lst = cb == g->icb - 1;
		const lf_u8 *restrict m = lst ? last : full;
		/* a constant-length loop gcc vectorizes */
		lf_u32 t = 0;
		for (lf_u32 j = 0; j < LF_BLK_LANES; j++)
			t += (lf_u32)((wb[k][j] ^ ws) & m[j]);
		wsum[o] += t - 128u * (lst ? lused : LF_BLK_LANES);
		if (++o == LF_BLK_LANES) {
			o = 0;
			if (++cb == g->icb)
				cb = 0;
		}
	}
}
#endif

/*
 * Weights of output block ob, one beat per (tap, icb, o) row of wb, and
 * per output channel the sum of wq over the lanes the MAC loop uses (all
 * 64 of a block but the last, whose IC chunks past ic are skipped).
 */
static void
blk_load_w(LF_GLOBAL const lf_beat *params, const lf_desc *d,
	   const struct blk_geo *g, lf_u32 ob,
	   LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	   lf_u32 wsum[LF_BLK_LANES])
{
	lf_u32 base = d->w_off / LF_BEAT_BYTES + ob * g->wbeats;
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_u32 o = 0, cb = 0;
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	{
		/* The emulator: the same bytes and sums (blk_host_load_w),
		 * the loop's count. */
		blk_host_load_w(params + base, d, g, wb, wsum);
		LF_PIPE_BEGIN(blk_load_w);
		lfp__blk_load_w = g->wbeats;
		LF_PIPE_END(blk_load_w);
		(void)ws, (void)o, (void)cb;
		return;
	}
#endif
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
		wsum[j] = 0;
	}
	LF_PIPE_BEGIN(blk_load_w);
blk_load_w:
	for (lf_u32 k = 0; k < g->wbeats; k++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=64 max=4608 avg=576
		LF_PIPE(blk_load_w);
		lf_u8 bt[LF_BEAT_BYTES];
		lf_beat_rd(params, base + k, bt);
		lf_u32 used = cb == g->icb - 1 ? g->last_ch * LF_BLK_IC
					       : LF_BLK_LANES;
		lf_i32 s = 0;
		lf_i32 q[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=q type=complete
		for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
			wb[k][j] = bt[j];
			q[j] = (lf_i32)(bt[j] ^ ws) - 128;
			s += j < used ? q[j] : 0;
		}
		/* Dense: a beat is channel o's; depthwise: lane j's tap. */
		for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
			wsum[j] += g->dwise ? (lf_u32)q[j]
				   : j == o ? (lf_u32)s
					    : 0;
		}
		if (++o == LF_BLK_LANES) {
			o = 0;
			if (++cb == g->icb)
				cb = 0;
		}
	}
	LF_PIPE_END(blk_load_w);
}

/*
 * nr input rows of image n from row r0 into a band's line buffer, from
 * row slot s0 on: row r0 + s of channel block cb lands at beat (s0 + s)
 * * rs + cb * bw (rs: blk_pk), its column x (a multiple of cs) at beat x / cs of
 * that (the lcb blocks from cb0: all of them, or a depthwise layer's
 * block ob; cs = 2, bw = ow: blk_compact, cs = 1, bw = iw: otherwise).
 * Per block one burst of nr * iw consecutive beats; when the rows are
 * the whole image (and cs = 1), the blocks' planes are consecutive too
 * (lf_desc.h "Blocked layout": [n][cb][ih][iw]) and all of them are one
 * burst.
 */
/*
 * Folded input (LF_DF_XFOLD, lf_desc.h "Folded input"): rows r0 ..
 * r0 + nr - 1 of image n, compact (xrb beats a row), into line-buffer
 * rows s0 .. as blk_load_rows puts a blocked row (ow beats, one a
 * column). As many whole rows as xrow holds load in one burst
 * (blk_xf_load), then each output column's beat is cut from them
 * (blk_xf_cols): the 64 bytes from byte xo * stride_w * ic of its row,
 * two consecutive beats shifted (a 64-byte funnel shifter: 64 x 64:1
 * byte multiplexers, in LUTs; UNVERIFIED), lanes from kw * ic on x_zp.
 * xrow is private to this call, partitioned so the two beats of a cycle
 * are in different banks.
 */
static void blk_load_xf(LF_GLOBAL const lf_beat *act, const lf_desc *d,
			lf_u32 xrb, lf_u32 n, lf_u32 r0, lf_u32 nr, lf_u32 s0,
			LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES])
{
	lf_u8 xrow[LF_BLK_XF_BEATS + 1][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=xrow type=cyclic factor=2 dim=1
#pragma HLS ARRAY_PARTITION variable=xrow type=complete dim=2
#pragma HLS BIND_STORAGE variable=xrow type=ram_1p impl=lutram
	lf_u32 lanes = d->kw * d->ic, step = d->stride_w * d->ic;
	lf_u32 per = LF_BLK_XF_BEATS / xrb; /* whole rows a burst */
	lf_u8 zp = lfk_byte(d->x_zp);
	for (lf_u32 s = 0; s < nr; s += per) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=3
		lf_u32 k = nr - s < per ? nr - s : per;
		lf_u32 src = d->x_off / LF_BEAT_BYTES +
			     (n * d->ih + r0 + s) * xrb;
		lf_u32 beats = k * xrb;
		LF_PIPE_BEGIN(blk_xf_load);
	blk_xf_load:
		for (lf_u32 v = 0; v < beats; v++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_XF_BEATS avg=55
			LF_PIPE(blk_xf_load);
			lf_u8 bt[LF_BEAT_BYTES];
			lf_beat_rd(act, src + v, bt);
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				xrow[v][j] = bt[j];
			}
		}
		LF_PIPE_END(blk_xf_load);
		/* column xo of row s + r: byte o of the burst */
		lf_u32 trips = k * d->ow, xo = 0, row = 0;
		lf_u32 o = 0, dst = (s0 + s) * d->ow;
		LF_PIPE_BEGIN(blk_xf_cols);
	blk_xf_cols:
		for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_LBEATS avg=560
			LF_PIPE(blk_xf_cols);
			lf_u32 q = o / LF_BLK_LANES, sh = o % LF_BLK_LANES;
			lf_u8 w2[2 * LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=w2 type=complete
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				w2[j] = xrow[q][j];
				w2[LF_BLK_LANES + j] = xrow[q + 1][j];
			}
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				lb[dst + it][j] = j < lanes ? w2[j + sh] : zp;
			}
			o += step;
			if (++xo == d->ow) {
				xo = 0;
				o = ++row * xrb * LF_BLK_LANES;
			}
		}
		LF_PIPE_END(blk_xf_cols);
	}
}

static void blk_load_rows(LF_GLOBAL const lf_beat *act, const lf_desc *d,
			  const struct blk_geo *g, lf_u32 n, lf_u32 cb0,
			  lf_u32 r0, lf_u32 nr, lf_u32 s0,
			  LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES])
{
	if (d->flags & LF_DF_XFOLD) {
		blk_load_xf(act, d, g->xrb, n, r0, nr, s0, lb);
		return;
	}
	lf_u32 whole = nr == d->ih && g->cs == 1;
	lf_u32 runs = whole ? 1 : g->lcb;
	lf_u32 trips = (whole ? g->lcb : 1) * nr * d->iw;
	lf_u32 step = g->rs;
	for (lf_u32 q = 0; q < runs; q++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=64 avg=2
		lf_u32 src = d->x_off / LF_BEAT_BYTES +
			     ((n * g->icb + cb0 + q) * d->ih + r0) * d->iw;
		/* beat k of the run: block cb, row slot s, column x = c * cs
		 * + ph */
		lf_u32 cb = q, s = 0, x = 0, c = 0, ph = 0;
		lf_u32 dst = s0 * g->rs + q * g->bw;
		LF_PIPE_BEGIN(blk_load_x);
	blk_load_x:
		for (lf_u32 k = 0; k < trips; k++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_LBEATS avg=3136
			LF_PIPE(blk_load_x);
			lf_u8 bt[LF_BEAT_BYTES];
			lf_beat_rd(act, src + k, bt);
			lf_u32 keep = ph == 0 && c < g->bw;
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				if (keep)
					lb[dst + c][j] = bt[j];
			}
			if (keep)
				c++;
			if (++ph == g->cs)
				ph = 0;
			if (++x == d->iw) {
				x = 0;
				c = 0;
				ph = 0;
				dst += step;
				if (++s == nr) {
					s = 0;
					dst = s0 * g->rs + ++cb * g->bw;
				}
			}
		}
		LF_PIPE_END(blk_load_x);
	}
}

#if !defined(LF_OPENCL) && !defined(LF_HLS)
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <string.h>
/*
 * Host C only (the emulator's speed; hls/README.md "Emulator speed"):
 * blk_mac's sums computed another way, two pixels at a time over the
 * whole window, with AVX2's 16-bit multiply-add (vpmaddwd) where the CPU
 * has it (checked at run time), SSE2 otherwise (plain C on other hosts).
 * The same integer sums: the window is kept compact, only the lanes of
 * the IC chunks the array computes (all 64 of an input block, the last
 * block's last_ch chunks), each block's run of lanes rounded up to 16
 * with weight 0 and operand 0 (so the sum of xq is the sum of the whole
 * window); padding as xpad; int32 sums of int8 x int8 products over at
 * most LF_BLK_WBEATS * 64 terms stay below 2^31 in magnitude, and wrap
 * mod 2^32 in any order anyway. The HLS and OpenCL builds run blk_mac's
 * loop as written (PoCL in the tests), byte-identical.
 */
#define LF_BLK_HK (LF_BLK_WBEATS * LF_BLK_LANES)
/* 0: the best the CPU has; 1: no AVX2 paths, SSE2 only (tests; cycles.c). */
extern int lfk__blk_isa;
/* The block's wq at compact lane k (blk_host_nk), in pairs:
 * blk_hp[k / 2][o][k % 2] (what vpmaddwd multiplies with xq pairs). */
static _Thread_local lf_i16 blk_hp[LF_BLK_HK / 2][LF_BLK_LANES][2];

/*
 * Lanes of input block cb the host MAC keeps: the array's (blk_load_w's
 * `used`: all 64, last_ch chunks of the last block), or of the last block
 * only its real channels (`last`, blk_host_prep) when its pad lanes add 0.
 */
LF_INLINE lf_u32 blk_host_used(const struct blk_geo *g, lf_u32 cb,
			       lf_u32 last)
{
	return cb == g->icb - 1 ? last : LF_BLK_LANES;
}

/* Its compact run: rounded up to 16 lanes (64 is a multiple of 16). */
LF_INLINE lf_u32 blk_host_run(lf_u32 used)
{
	return (used + 15u) & ~15u;
}

/* Compact lanes of a window: kh * kw taps of icb runs (a multiple of
 * 16, at most LF_BLK_HK). */
LF_INLINE lf_u32 blk_host_nk(const lf_desc *d, const struct blk_geo *g,
			     lf_u32 last)
{
	return d->kh * d->kw *
	       ((g->icb - 1) * LF_BLK_LANES + blk_host_run(last));
}

/* blk_host_prep's `last` for the block in blk_hp (blk_host_used). */
static _Thread_local lf_u32 blk_hlast;

/*
 * Fills blk_hp from the block's weights wb (dense layers); noipa as
 * blk_host_load_w.
 */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_prep_c(const lf_desc *d, const struct blk_geo *g,
		const lf_u8 (*wb)[LF_BLK_LANES],
		lf_i16 (*restrict hp)[LF_BLK_LANES][2], lf_u32 last)
{
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_u32 nseg = d->kh * d->kw * g->icb, k0 = 0;
	for (lf_u32 sg = 0; sg < LF_BLK_WBEATS && sg < nseg; sg++) {
		lf_u32 used = blk_host_used(g, sg % g->icb, last);
		lf_u32 run = blk_host_run(used);
		for (lf_u32 o = 0; o < LF_BLK_LANES; o++) {
			const lf_u8 *r = wb[sg * LF_BLK_LANES + o];
			for (lf_u32 l = 0; l < LF_BLK_LANES && l < run; l++) {
				lf_i32 q = (lf_i32)(r[l] ^ ws) - 128;
				hp[(k0 + l) / 2][o][(k0 + l) % 2] =
				    (lf_i16)(l < used ? q : 0);
			}
		}
		k0 += run;
	}
}

#if defined(__x86_64__)
/* AVX2: 8 channels x 8 lane pairs at a time, an 8 x 8 transpose of the
 * pairs (as dwords). */
__attribute__((target("avx2"), LF_BLK_NOIPA)) static void
blk_host_prep_avx2(const lf_desc *d, const struct blk_geo *g,
		   const lf_u8 (*wb)[LF_BLK_LANES],
		   lf_i16 (*restrict hp)[LF_BLK_LANES][2], lf_u32 last)
{
	const __m128i ws = _mm_set1_epi8((char)lfk_flip(d->w_type));
	const __m256i c128 = _mm256_set1_epi16(128);
	const __m256i iota = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					       10, 11, 12, 13, 14, 15);
	lf_u32 nseg = d->kh * d->kw * g->icb, k0 = 0;
	for (lf_u32 sg = 0; sg < LF_BLK_WBEATS && sg < nseg; sg++) {
		lf_u32 used = blk_host_used(g, sg % g->icb, last);
		lf_u32 run = blk_host_run(used);
		for (lf_u32 lc = 0; lc < LF_BLK_LANES && lc < run; lc += 16) {
			/* lanes lc + i < used */
			__m256i m = _mm256_cmpgt_epi16(
			    _mm256_set1_epi16((short)(used - lc)), iota);
			lf_i16(*h)[LF_BLK_LANES][2] = hp + (k0 + lc) / 2;
			for (lf_u32 o0 = 0; o0 < LF_BLK_LANES; o0 += 8) {
				__m256i v[8], t[8], u[8];
				for (lf_u32 i = 0; i < 8; i++) {
					__m128i b = _mm_loadu_si128(
					    (const __m128i *)(wb[sg * LF_BLK_LANES +
								 o0 + i] +
							      lc));
					__m256i w = _mm256_sub_epi16(
					    _mm256_cvtepu8_epi16(
						_mm_xor_si128(b, ws)),
					    c128);
					v[i] = _mm256_and_si256(w, m);
				}
				/* v[i] dword p: channel o0 + i, pair p */
				for (lf_u32 i = 0; i < 8; i += 2) {
					t[i] = _mm256_unpacklo_epi32(v[i],
								     v[i + 1]);
					t[i + 1] = _mm256_unpackhi_epi32(
					    v[i], v[i + 1]);
				}
				for (lf_u32 i = 0; i < 8; i += 4) {
					u[i] = _mm256_unpacklo_epi64(t[i],
								     t[i + 2]);
					u[i + 1] = _mm256_unpackhi_epi64(
					    t[i], t[i + 2]);
					u[i + 2] = _mm256_unpacklo_epi64(
					    t[i + 1], t[i + 3]);
					u[i + 3] = _mm256_unpackhi_epi64(
					    t[i + 1], t[i + 3]);
				}
				/* u[q] (q < 4): channels o0 .. o0 + 3 of pairs
				 * q and q + 4; u[4 + q] the next four */
				for (lf_u32 q = 0; q < 4; q++) {
					_mm256_storeu_si256(
					    (__m256i *)&h[q][o0][0],
					    _mm256_permute2x128_si256(
						u[q], u[4 + q], 0x20));
					_mm256_storeu_si256(
					    (__m256i *)&h[q + 4][o0][0],
					    _mm256_permute2x128_si256(
						u[q], u[4 + q], 0x31));
				}
			}
		}
		k0 += run;
	}
}
#endif

/*
 * The lanes of the last input block the host MAC keeps: its real
 * channels (d->ic - 64 (icb - 1)) when every pad lane past them holds
 * its output channel's w_zp for each real output channel (wq + dw = 0
 * mod 2^32, as lf_desc.h's packing rule has it), so that the pad lane's
 * product xq wq and its share dw xq of the store's correction cancel
 * whatever x holds there: dropping it from the window, the weights and
 * sum(xq) leaves every real channel's accumulator as it was (pad output
 * channels take accumulator 0 in the store). Else the array's last_ch
 * chunks.
 */
__attribute__((LF_BLK_NOIPA)) static lf_u32
blk_host_last(const lf_desc *d, const struct blk_geo *g,
	      const lf_u8 (*wb)[LF_BLK_LANES], const lf_u32 *dw, lf_u32 nreal)
{
	lf_u32 used = g->last_ch * LF_BLK_IC;
	lf_u32 ric = d->ic - (g->icb - 1) * LF_BLK_LANES;
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_u32 nseg = d->kh * d->kw * g->icb;
	if (ric >= used)
		return used;
	for (lf_u32 sg = g->icb - 1; sg < LF_BLK_WBEATS && sg < nseg;
	     sg += g->icb)
		for (lf_u32 o = 0; o < LF_BLK_LANES && o < nreal; o++)
			for (lf_u32 l = ric; l < LF_BLK_LANES && l < used; l++)
				if ((lf_u32)((lf_i32)(wb[sg * LF_BLK_LANES + o][l] ^
						     ws) -
					     128) +
					dw[o] !=
				    0)
					return used;
	return ric;
}

__attribute__((LF_BLK_NOIPA)) static void
blk_host_prep(const lf_desc *d, const struct blk_geo *g,
	      LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	      const lf_u32 *dw, lf_u32 nreal)
{
	lf_u32 last = blk_host_last(d, g, wb, dw, nreal);
	blk_hlast = last;
#if defined(__x86_64__)
	if (lfk__blk_isa == 0 && __builtin_cpu_supports("avx2")) {
		blk_host_prep_avx2(d, g, wb, blk_hp, last);
		return;
	}
#endif
	blk_host_prep_c(d, g, wb, blk_hp, last);
}

/*
 * out0[o] and out1[o] = sum over k < 2 * kp_n of x0[k] (x1[k]) times
 * wq(k, o), for o < nch rounded up to 32 (the weights of all 64 channels
 * of a block exist), and *sx0, *sx1 = sum of x0[k] (x1[k]); kp_n is a
 * multiple of 8.
 */
#if defined(__x86_64__)
/* AVX2: 32 channels of two pixels per pass, one vpmaddwd per 8 channels
 * and pixel per pair of k. */
__attribute__((target("avx2"), LF_BLK_NOIPA)) static void
blk_host_dots_avx2(const lf_i16 (*hp)[LF_BLK_LANES][2], const lf_i16 *x0,
		   const lf_i16 *x1, lf_u32 kp_n, lf_u32 nch, lf_u32 *out0,
		   lf_u32 *out1, lf_i32 *sx0, lf_i32 *sx1)
{
	for (lf_u32 o0 = 0; o0 < LF_BLK_LANES && o0 < nch; o0 += 32) {
		__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
		__m256i b0 = a0, b1 = a0, b2 = a0, b3 = a0;
		for (lf_u32 kp = 0; kp < LF_BLK_HK / 2 && kp < kp_n; kp++) {
			lf_i32 p0, p1;
			memcpy(&p0, x0 + 2 * kp, sizeof(p0));
			memcpy(&p1, x1 + 2 * kp, sizeof(p1));
			__m256i v0 = _mm256_set1_epi32(p0);
			__m256i v1 = _mm256_set1_epi32(p1);
			const __m256i *w = (const __m256i *)&hp[kp][o0][0];
			__m256i w0 = _mm256_loadu_si256(w);
			__m256i w1 = _mm256_loadu_si256(w + 1);
			__m256i w2 = _mm256_loadu_si256(w + 2);
			__m256i w3 = _mm256_loadu_si256(w + 3);
			a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v0, w0));
			a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(v0, w1));
			a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(v0, w2));
			a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(v0, w3));
			b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(v1, w0));
			b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(v1, w1));
			b2 = _mm256_add_epi32(b2, _mm256_madd_epi16(v1, w2));
			b3 = _mm256_add_epi32(b3, _mm256_madd_epi16(v1, w3));
		}
		__m256i *q0 = (__m256i *)(out0 + o0);
		__m256i *q1 = (__m256i *)(out1 + o0);
		_mm256_storeu_si256(q0, a0);
		_mm256_storeu_si256(q0 + 1, a1);
		_mm256_storeu_si256(q0 + 2, a2);
		_mm256_storeu_si256(q0 + 3, a3);
		_mm256_storeu_si256(q1, b0);
		_mm256_storeu_si256(q1 + 1, b1);
		_mm256_storeu_si256(q1 + 2, b2);
		_mm256_storeu_si256(q1 + 3, b3);
	}
	/* k in steps of 16 (kp_n is a multiple of 8) */
	const __m256i one = _mm256_set1_epi16(1);
	__m256i s0 = _mm256_setzero_si256(), s1 = s0;
	for (lf_u32 k = 0; k < LF_BLK_HK && k < 2 * kp_n; k += 16) {
		s0 = _mm256_add_epi32(
		    s0, _mm256_madd_epi16(
			    _mm256_loadu_si256((const __m256i *)(x0 + k)), one));
		s1 = _mm256_add_epi32(
		    s1, _mm256_madd_epi16(
			    _mm256_loadu_si256((const __m256i *)(x1 + k)), one));
	}
	lf_i32 t0[8], t1[8];
	_mm256_storeu_si256((__m256i *)t0, s0);
	_mm256_storeu_si256((__m256i *)t1, s1);
	*sx0 = *sx1 = 0;
	for (lf_u32 j = 0; j < 8; j++) {
		*sx0 += t0[j];
		*sx1 += t1[j];
	}
}

/* SSE2 (every x86-64): 16 channels of two pixels per pass. */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_dots_sse2(const lf_i16 (*hp)[LF_BLK_LANES][2], const lf_i16 *x0,
		   const lf_i16 *x1, lf_u32 kp_n, lf_u32 nch, lf_u32 *out0,
		   lf_u32 *out1, lf_i32 *sx0, lf_i32 *sx1)
{
	for (lf_u32 o0 = 0; o0 < LF_BLK_LANES && o0 < nch; o0 += 16) {
		__m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
		__m128i b0 = a0, b1 = a0, b2 = a0, b3 = a0;
		for (lf_u32 kp = 0; kp < LF_BLK_HK / 2 && kp < kp_n; kp++) {
			lf_i32 p0, p1;
			memcpy(&p0, x0 + 2 * kp, sizeof(p0));
			memcpy(&p1, x1 + 2 * kp, sizeof(p1));
			__m128i v0 = _mm_set1_epi32(p0);
			__m128i v1 = _mm_set1_epi32(p1);
			const __m128i *w = (const __m128i *)&hp[kp][o0][0];
			__m128i w0 = _mm_loadu_si128(w);
			__m128i w1 = _mm_loadu_si128(w + 1);
			__m128i w2 = _mm_loadu_si128(w + 2);
			__m128i w3 = _mm_loadu_si128(w + 3);
			a0 = _mm_add_epi32(a0, _mm_madd_epi16(v0, w0));
			a1 = _mm_add_epi32(a1, _mm_madd_epi16(v0, w1));
			a2 = _mm_add_epi32(a2, _mm_madd_epi16(v0, w2));
			a3 = _mm_add_epi32(a3, _mm_madd_epi16(v0, w3));
			b0 = _mm_add_epi32(b0, _mm_madd_epi16(v1, w0));
			b1 = _mm_add_epi32(b1, _mm_madd_epi16(v1, w1));
			b2 = _mm_add_epi32(b2, _mm_madd_epi16(v1, w2));
			b3 = _mm_add_epi32(b3, _mm_madd_epi16(v1, w3));
		}
		__m128i *q0 = (__m128i *)(out0 + o0);
		__m128i *q1 = (__m128i *)(out1 + o0);
		_mm_storeu_si128(q0, a0);
		_mm_storeu_si128(q0 + 1, a1);
		_mm_storeu_si128(q0 + 2, a2);
		_mm_storeu_si128(q0 + 3, a3);
		_mm_storeu_si128(q1, b0);
		_mm_storeu_si128(q1 + 1, b1);
		_mm_storeu_si128(q1 + 2, b2);
		_mm_storeu_si128(q1 + 3, b3);
	}
	lf_i32 s0 = 0, s1 = 0;
	for (lf_u32 k = 0; k < LF_BLK_HK && k < 2 * kp_n; k++) {
		s0 += x0[k];
		s1 += x1[k];
	}
	*sx0 = s0;
	*sx1 = s1;
}
#else
/* Plain C, any host. */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_dots_c(const lf_i16 (*hp)[LF_BLK_LANES][2], const lf_i16 *x0,
		const lf_i16 *x1, lf_u32 kp_n, lf_u32 nch, lf_u32 *out0,
		lf_u32 *out1, lf_i32 *sx0, lf_i32 *sx1)
{
	for (lf_u32 o = 0; o < LF_BLK_LANES && o < nch; o++) {
		lf_i32 s0 = 0, s1 = 0;
		for (lf_u32 kp = 0; kp < LF_BLK_HK / 2 && kp < kp_n; kp++) {
			lf_i32 w0 = hp[kp][o][0], w1 = hp[kp][o][1];
			s0 += x0[2 * kp] * w0 + x0[2 * kp + 1] * w1;
			s1 += x1[2 * kp] * w0 + x1[2 * kp + 1] * w1;
		}
		out0[o] = (lf_u32)s0;
		out1[o] = (lf_u32)s1;
	}
	lf_i32 s0 = 0, s1 = 0;
	for (lf_u32 k = 0; k < LF_BLK_HK && k < 2 * kp_n; k++) {
		s0 += x0[k];
		s1 += x1[k];
	}
	*sx0 = s0;
	*sx1 = s1;
}
#endif

/* x[l] = xq of the 16 bytes r[l]: a constant-length loop with restrict
 * parameters, which gcc -O2 vectorizes. */
LF_INLINE void blk_host_xq16(lf_i16 *restrict x, const lf_u8 *restrict r,
			     lf_u32 xs)
{
	for (lf_u32 l = 0; l < 16; l++)
		x[l] = (lf_i16)((lf_i32)(r[l] ^ xs) - 128);
}

/* Pixel ox's window as compact xq (xpad outside the image, 0 past a
 * block's used lanes) into xw. */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_window(const lf_desc *d, const struct blk_geo *g, lf_u32 ox,
		const lf_i32 rb[LF_CONV_KDIM_MAX],
		LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
		lf_i16 *xw, lf_u32 last)
{
	lf_u32 xs = (lf_u32)lfk_flip(d->x_type);
	lf_i16 xpad = (lf_i16)((lf_i32)((lf_u32)lfk_byte(d->x_zp) ^ xs) - 128);
	lf_u32 k = 0;
	for (lf_u32 a = 0; a < LF_CONV_KDIM_MAX && a < d->kh; a++) {
		for (lf_u32 b = 0; b < LF_CONV_KDIM_MAX && b < d->kw; b++) {
			lf_i32 ix = (lf_i32)(ox * d->stride_w) -
				    (lf_i32)d->pad_l + (lf_i32)(b * d->dil_w);
			lf_u32 ok = rb[a] >= 0 && ix >= 0 && ix < (lf_i32)d->iw;
			for (lf_u32 cb = 0; cb < LF_BLK_WBEATS && cb < g->icb;
			     cb++) {
				lf_u32 used = blk_host_used(g, cb, last);
				lf_u32 run = blk_host_run(used);
				const lf_u8 *r =
				    ok ? lb[(lf_u32)rb[a] + cb * d->iw +
					    (lf_u32)ix]
				       : lb[0];
				for (lf_u32 lc = 0; lc < LF_BLK_LANES && lc < run; lc += 16) {
					if (ok) {
						blk_host_xq16(&xw[k + lc],
							      r + lc, xs);
						continue;
					}
					for (lf_u32 l = 0; l < 16; l++)
						xw[k + lc + l] = xpad;
				}
				/* none when LF_BLK_IC is a multiple of 16 */
				for (lf_u32 l = used; l < LF_BLK_LANES && l < run; l++)
					xw[k + l] = 0;
				k += run;
			}
		}
	}
}

/* blk_mac's accrow: channels 0 .. nch - 1 and the sums of xq. */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_mac(const lf_desc *d, const struct blk_geo *g, lf_u32 nch,
	     lf_u32 npix, const lf_i32 rb[LF_BLK_PIX + 1][LF_CONV_KDIM_MAX],
	     LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	     LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC])
{
	lf_u32 last = blk_hlast; /* the block's, from blk_host_prep */
	lf_u32 nk = blk_host_nk(d, g, last);
#if defined(__x86_64__)
	int avx2 = lfk__blk_isa == 0 && __builtin_cpu_supports("avx2");
#endif
	/* The thread's buffer once (each TLS access of a dlopen'ed
	 * object is a call). */
	const lf_i16(*hp)[LF_BLK_LANES][2] = blk_hp;
	lf_i16 xw[2][LF_BLK_HK];
	lf_u32 spare[LF_BLK_LANES];
	/* Pixel q of the pack: row q / ow, column q % ow. */
	for (lf_u32 ox = 0; ox < LF_BLK_IW_MAX && ox < npix; ox += 2) {
		lf_u32 two = ox + 1 < npix;
		blk_host_window(d, g, ox % d->ow, rb[ox / d->ow], lb, xw[0],
				last);
		if (two)
			blk_host_window(d, g, (ox + 1) % d->ow,
					rb[(ox + 1) / d->ow], lb, xw[1], last);
		const lf_i16 *x1 = two ? xw[1] : xw[0];
		lf_u32 *o1 = two ? accrow[ox + 1] : spare;
		lf_i32 sx0, sx1;
#if defined(__x86_64__)
		if (avx2)
			blk_host_dots_avx2(hp, xw[0], x1, nk / 2, nch,
					   accrow[ox], o1, &sx0, &sx1);
		else
			blk_host_dots_sse2(hp, xw[0], x1, nk / 2, nch,
					   accrow[ox], o1, &sx0, &sx1);
#else
		blk_host_dots_c(hp, xw[0], x1, nk / 2, nch, accrow[ox], o1,
				&sx0, &sx1);
#endif
		accrow[ox][LF_BLK_LANES] = (lf_u32)sx0;
		if (two)
			accrow[ox + 1][LF_BLK_LANES] = (lf_u32)sx1;
	}
}
#endif

/*
 * The PE array over one output row of output block ob: every (pixel
 * group, OC tile, tap, IC chunk) in one II=1 loop, so the pipeline does
 * not drain between pixels. rb[a] is the line-buffer beat of tap row a's
 * channel block 0, column 0 (-1: the row is padding). Products of the
 * signed 8-bit operands xq, wq (above); accrow[px][0..63] receives their
 * sums, accrow[px][64] the pixel's sum of xq. The host-C build vectorizes
 * the IC-lane dot products (pmaddwd).
 */
static void
blk_mac(const lf_desc *d, const struct blk_geo *g, lf_u32 ntiles,
	lf_u32 npix, const lf_i32 rb[LF_BLK_PIX + 1][LF_CONV_KDIM_MAX],
	LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC])
{
	lf_i32 xs = lfk_flip(d->x_type);
	lf_i32 ws = lfk_flip(d->w_type);
	/* Padding's operand: x_zp - ox, so (x - x_zp) = 0. */
	lf_i32 xpad = (lf_i32)((lf_u32)lfk_byte(d->x_zp) ^ (lf_u32)xs) - 128;
	lf_u32 acc[LF_BLK_PIX][LF_BLK_OC];
#pragma HLS ARRAY_PARTITION variable=acc type=complete dim=0
	lf_u32 sx[LF_BLK_PIX];
#pragma HLS ARRAY_PARTITION variable=sx type=complete
	lf_u32 gi = 0, t = 0, kk = 0, a = 0, b = 0, cb = 0, c = 0;
	/* Group gi's first pixel: row gr, column gc of the pack. */
	lf_u32 gr = 0, gc = 0;
	lf_u32 trips =
	    (npix + LF_BLK_PIX - 1) / LF_BLK_PIX * ntiles * g->kred;
	LF_PIPE_BEGIN(blk_mac);
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	/* The emulator: the same sums (blk_host_mac), the loop's count. */
	blk_host_mac(d, g, ntiles * LF_BLK_OC, npix, rb, lb, accrow);
	(void)gr, (void)gc;
	(void)wb, (void)xpad, (void)acc, (void)sx, (void)ws;
	lfp__blk_mac = trips;
	trips = 0;
#endif
blk_mac:
	for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=1048576 avg=1008
		LF_PIPE(blk_mac);
		lf_i16 xv[LF_BLK_PIX][LF_BLK_IC];
#pragma HLS ARRAY_PARTITION variable=xv type=complete dim=0
		lf_i16 wv[LF_BLK_OC][LF_BLK_IC];
#pragma HLS ARRAY_PARTITION variable=wv type=complete dim=0
		lf_u32 lc = c * LF_BLK_IC; /* first lane of the IC chunk */
		for (lf_u32 p = 0; p < LF_BLK_PIX; p++) {
#pragma HLS UNROLL
			/* Pixel gi * PIX + p: column pc of pack row pr (the
			 * next row once past ow: blk_pk, PIX <= ow). */
			lf_u32 pc = gc + p, pr = gr;
			if (pc >= d->ow) {
				pc -= d->ow;
				pr++;
			}
			lf_i32 ix = (lf_i32)(pc * d->stride_w) -
				    (lf_i32)d->pad_l + (lf_i32)(b * d->dil_w);
			lf_i32 rr = rb[pr][a];
			lf_u32 ok = gi * LF_BLK_PIX + p < npix && rr >= 0 &&
				    ix >= 0 && ix < (lf_i32)d->iw;
			lf_u32 xi =
			    ok ? (lf_u32)rr + cb * d->iw + (lf_u32)ix : 0;
			/* Padding: xpad (a mask, no branch: the host-C
			 * build vectorizes it). */
			lf_i32 keep = -(lf_i32)ok;
			lf_i32 s = 0;
			for (lf_u32 l = 0; l < LF_BLK_IC; l++) {
#pragma HLS UNROLL
				lf_i32 v = (lf_i32)(lb[xi][lc + l] ^ (lf_u32)xs) -
					   128;
				xv[p][l] = (lf_i16)((v & keep) | (xpad & ~keep));
				s += xv[p][l];
			}
			sx[p] = (kk == 0 ? 0 : sx[p]) + (lf_u32)s;
		}
		lf_u32 wrow =
		    ((a * d->kw + b) * g->icb + cb) * LF_BLK_LANES + t * LF_BLK_OC;
		for (lf_u32 o = 0; o < LF_BLK_OC; o++) {
#pragma HLS UNROLL
			/* The row's IC lanes first, then the operands: same
			 * wires in HLS; the host-C build then vectorizes the
			 * conversion (25 % of the emulator's time here). */
			lf_u8 wr[LF_BLK_IC];
#pragma HLS ARRAY_PARTITION variable=wr type=complete
			for (lf_u32 l = 0; l < LF_BLK_IC; l++) {
#pragma HLS UNROLL
				wr[l] = wb[wrow + o][lc + l];
			}
			for (lf_u32 l = 0; l < LF_BLK_IC; l++) {
#pragma HLS UNROLL
				wv[o][l] = (lf_i16)((lf_i32)(wr[l] ^
							  (lf_u32)ws) -
						    128);
			}
		}
		for (lf_u32 p = 0; p < LF_BLK_PIX; p++) {
#pragma HLS UNROLL
			for (lf_u32 o = 0; o < LF_BLK_OC; o++) {
#pragma HLS UNROLL
				/* int8 x int8: two output channels' products
				 * of one xq per DSP48E2 (WP486). */
				lf_i32 s = 0;
				for (lf_u32 l = 0; l < LF_BLK_IC; l++) {
#pragma HLS UNROLL
					s += (lf_i32)xv[p][l] * (lf_i32)wv[o][l];
				}
				/* int32 accumulation wraps, as ORT's does. */
				acc[p][o] = (kk == 0 ? 0 : acc[p][o]) + (lf_u32)s;
			}
		}
		if (kk == g->kred - 1) {
			for (lf_u32 p = 0; p < LF_BLK_PIX; p++) {
#pragma HLS UNROLL
				lf_u32 ox = gi * LF_BLK_PIX + p;
				for (lf_u32 o = 0; o < LF_BLK_OC; o++) {
#pragma HLS UNROLL
					if (ox < npix)
						accrow[ox][t * LF_BLK_OC + o] =
						    acc[p][o];
				}
				if (ox < npix)
					accrow[ox][LF_BLK_LANES] = sx[p];
			}
		}
		/* Next (IC chunk, block, tap column, tap row), then tile and
		 * pixel group. */
		if (++c == (cb == g->icb - 1 ? g->last_ch : LF_BLK_CHUNKS)) {
			c = 0;
			if (++cb == g->icb) {
				cb = 0;
				if (++b == d->kw) {
					b = 0;
					if (++a == d->kh)
						a = 0;
				}
			}
		}
		if (++kk == g->kred) {
			kk = 0;
			if (++t == ntiles) {
				t = 0;
				gi++;
				gc += LF_BLK_PIX;
				if (gc >= d->ow) {
					gc -= d->ow;
					gr++;
				}
			}
		}
	}
	LF_PIPE_END(blk_mac);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS)
/*
 * Host C only (hls/README.md "Emulator speed"): blk_dw_mac's sums tap by
 * tap, each tap's 64 weights converted once per row (as the unit does:
 * the 16-bit wq + dw), then every pixel's 64 lanes multiplied and added
 * (a dense loop gcc vectorizes: AVX2 where the CPU has it, chosen at run
 * time). The same products, padding as xpad, summed mod 2^32 in another
 * order; accrow[px][64] = 0 as there.
 */
__attribute__((always_inline)) static inline void
blk_host_dw_body(const lf_desc *d, const lf_i32 *rb, const lf_u32 *dw,
		 const lf_u8 (*wb)[LF_BLK_LANES],
		 const lf_u8 (*lb)[LF_BLK_LANES],
		 lf_u32 (*restrict accrow)[LF_BLK_ACC])
{
	lf_u32 xs = (lf_u32)lfk_flip(d->x_type);
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_i32 xpad = (lf_i32)((lf_u32)lfk_byte(d->x_zp) ^ xs) - 128;
	for (lf_u32 ox = 0; ox < LF_BLK_IW_MAX && ox < d->ow; ox++)
		for (lf_u32 l = 0; l < LF_BLK_ACC; l++)
			accrow[ox][l] = 0;
	for (lf_u32 a = 0; a < LF_CONV_KDIM_MAX && a < d->kh; a++) {
		for (lf_u32 b = 0; b < LF_CONV_KDIM_MAX && b < d->kw; b++) {
			const lf_u8 *restrict wr = wb[a * d->kw + b];
			lf_i32 w[LF_BLK_LANES], pw[LF_BLK_LANES];
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
				w[l] = (lf_i16)((lf_i32)(wr[l] ^ ws) - 128 +
						(lf_i32)dw[l]);
				pw[l] = xpad * w[l];
			}
			for (lf_u32 ox = 0; ox < LF_BLK_IW_MAX && ox < d->ow; ox++) {
				lf_i32 ix = (lf_i32)(ox * d->stride_w) -
					    (lf_i32)d->pad_l +
					    (lf_i32)(b * d->dil_w);
				lf_u32 *restrict s = accrow[ox];
				if (rb[a] < 0 || ix < 0 || ix >= (lf_i32)d->iw) {
					for (lf_u32 l = 0; l < LF_BLK_LANES; l++)
						s[l] += (lf_u32)pw[l];
					continue;
				}
				const lf_u8 *restrict r =
				    lb[(lf_u32)rb[a] + (lf_u32)ix];
				for (lf_u32 l = 0; l < LF_BLK_LANES; l++)
					s[l] += (lf_u32)(((lf_i32)(r[l] ^ xs) -
							  128) *
							 w[l]);
			}
		}
	}
}

/* Tap pairs (a row's taps 2p, 2p + 1) blk_host_dw_pairs takes at most:
 * a 7x7 layer's 7 x 4. */
#define LF_BLK_DW_PAIRS 32
/*
 * The block's weights as blk_host_dw_pairs multiplies them: pair p of tap
 * row a at [a * np + p] (np = ceil(kw / 2)), for each 16-lane chunk j the
 * two taps' 16-bit wq + dw interleaved as vpunpcklwd (h = 0: lanes 0-3,
 * 8-11 of the chunk) and vpunpckhwd (h = 1: lanes 4-7, 12-15) leave them;
 * a lone last tap's partner 0.
 */
static _Thread_local lf_i16 blk_dwp[LF_BLK_DW_PAIRS][2][4][16];

/* Fills blk_dwp for block weights wb, dw (depthwise, kh * np pairs <=
 * LF_BLK_DW_PAIRS), once per output block. */
__attribute__((LF_BLK_NOIPA)) static void
blk_host_dw_prep(const lf_desc *d, LF_LOCAL const lf_u8 (*wb)[LF_BLK_LANES],
		 const lf_u32 *dw)
{
	lf_u32 ws = (lf_u32)lfk_flip(d->w_type);
	lf_u32 np = (d->kw + 1) / 2;
	lf_i16(*wp)[2][4][16] = blk_dwp;
	for (lf_u32 a = 0; a < LF_CONV_KDIM_MAX && a < d->kh; a++)
		for (lf_u32 p = 0; p < LF_CONV_KDIM_MAX && p < np; p++)
			for (lf_u32 t = 0; t < 2; t++) {
				lf_u32 b = 2 * p + t;
				const lf_u8 *wr =
				    wb[a * d->kw + (b < d->kw ? b : 0)];
				for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
					lf_i16 w = (lf_i16)((lf_i32)(wr[l] ^ ws) -
							    128 + (lf_i32)dw[l]);
					/* lane l = 16 j + 8 k + 4 h + i */
					lf_u32 j = l / 16, k = l / 8 % 2,
					       h = l / 4 % 2, i = l % 4;
					wp[a * np + p][h][j][8 * k + 2 * i + t] =
					    b < d->kw ? w : 0;
				}
			}
}

#if defined(__x86_64__)
/*
 * AVX2: every pixel's 64 lanes in 8 int32 registers over all its taps,
 * the taps of a row in pairs through vpmaddwd (xq of taps 2p and 2p + 1
 * interleaved, times their 16-bit weights wq + dw interleaved alike, from
 * blk_dwp, which blk_ctask fills per output block: one
 * int32 sum of two products per lane; a lone last tap is paired with
 * weight 0). The same products and padding as blk_host_dw_body, int32
 * sums mod 2^32 (a pair's sum of two products of 8 x 16 bits does not
 * overflow). Lanes come out of the unpacks as 0-3, 8-11 and 4-7, 12-15
 * of each 16; vperm2i128 puts them back.
 */
__attribute__((target("avx2"), LF_BLK_NOIPA)) static void
blk_host_dw_pairs(const lf_desc *d, const lf_i32 *rb,
		  const lf_u8 (*lb)[LF_BLK_LANES],
		  lf_u32 (*accrow)[LF_BLK_ACC])
{
	lf_u32 xs = (lf_u32)lfk_flip(d->x_type);
	lf_u32 np = (d->kw + 1) / 2;
	/* xq = the byte ^ (xs ^ 0x80), sign-extended */
	const __m128i xf = _mm_set1_epi8((char)(xs ^ 0x80u));
	/* the block's weight pairs (blk_host_dw_prep), once per call */
	const lf_i16(*wp)[2][4][16] = blk_dwp;
	/* padding's beat: x_zp in every lane (its xq is xpad) */
	lf_u8 padb[LF_BLK_LANES];
	for (lf_u32 l = 0; l < LF_BLK_LANES; l++)
		padb[l] = lfk_byte(d->x_zp);
	for (lf_u32 ox = 0; ox < LF_BLK_IW_MAX && ox < d->ow; ox++) {
		__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
		__m256i a4 = a0, a5 = a0, a6 = a0, a7 = a0;
		lf_i32 ix0 = (lf_i32)(ox * d->stride_w) - (lf_i32)d->pad_l;
		for (lf_u32 a = 0; a < LF_CONV_KDIM_MAX && a < d->kh; a++) {
			for (lf_u32 p = 0; p < LF_CONV_KDIM_MAX && p < np;
			     p++) {
				/* the two taps' beats (padding: padb; a lone
				 * last tap's partner has weight 0) */
				const lf_u8 *r[2];
				for (lf_u32 t = 0; t < 2; t++) {
					lf_i32 ix =
					    ix0 + (lf_i32)((2 * p + t) * d->dil_w);
					r[t] = rb[a] >= 0 && ix >= 0 &&
							   ix < (lf_i32)d->iw
						   ? lb[(lf_u32)rb[a] +
							(lf_u32)ix]
						   : padb;
				}
				const lf_i16(*w)[4][16] = wp[a * np + p];
#define LF_BLK_DW_STEP(j, lo, hi)                                              \
	do {                                                                   \
		__m256i x0 = _mm256_cvtepi8_epi16(_mm_xor_si128(              \
		    _mm_loadu_si128((const __m128i *)(r[0] + 16 * (j))), xf)); \
		__m256i x1 = _mm256_cvtepi8_epi16(_mm_xor_si128(              \
		    _mm_loadu_si128((const __m128i *)(r[1] + 16 * (j))), xf)); \
		lo = _mm256_add_epi32(                                         \
		    lo, _mm256_madd_epi16(                                     \
			    _mm256_unpacklo_epi16(x0, x1),                     \
			    _mm256_loadu_si256((const __m256i *)w[0][j])));    \
		hi = _mm256_add_epi32(                                         \
		    hi, _mm256_madd_epi16(                                     \
			    _mm256_unpackhi_epi16(x0, x1),                     \
			    _mm256_loadu_si256((const __m256i *)w[1][j])));    \
	} while (0)
				LF_BLK_DW_STEP(0, a0, a1);
				LF_BLK_DW_STEP(1, a2, a3);
				LF_BLK_DW_STEP(2, a4, a5);
				LF_BLK_DW_STEP(3, a6, a7);
#undef LF_BLK_DW_STEP
			}
		}
		lf_u32 *o = accrow[ox];
		__m256i *q = (__m256i *)o;
		const __m256i acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
		for (lf_u32 j = 0; j < 4; j++) {
			_mm256_storeu_si256(q + 2 * j,
					    _mm256_permute2x128_si256(
						acc[2 * j], acc[2 * j + 1], 0x20));
			_mm256_storeu_si256(q + 2 * j + 1,
					    _mm256_permute2x128_si256(
						acc[2 * j], acc[2 * j + 1], 0x31));
		}
		o[LF_BLK_LANES] = 0;
	}
}

__attribute__((target("avx2"), LF_BLK_NOIPA)) static void
blk_host_dw_avx2(const lf_desc *d, const lf_i32 *rb, const lf_u32 *dw,
		 const lf_u8 (*wb)[LF_BLK_LANES],
		 const lf_u8 (*lb)[LF_BLK_LANES],
		 lf_u32 (*accrow)[LF_BLK_ACC])
{
	if (d->kh * ((d->kw + 1) / 2) <= LF_BLK_DW_PAIRS) {
		blk_host_dw_pairs(d, rb, lb, accrow);
		return;
	}
	blk_host_dw_body(d, rb, dw, wb, lb, accrow);
}
#endif

__attribute__((LF_BLK_NOIPA)) static void
blk_host_dw(const lf_desc *d, const lf_i32 *rb, const lf_u32 *dw,
	    const lf_u8 (*wb)[LF_BLK_LANES], const lf_u8 (*lb)[LF_BLK_LANES],
	    lf_u32 (*accrow)[LF_BLK_ACC])
{
#if defined(__x86_64__)
	if (lfk__blk_isa == 0 && __builtin_cpu_supports("avx2")) {
		blk_host_dw_avx2(d, rb, dw, wb, lb, accrow);
		return;
	}
#endif
	blk_host_dw_body(d, rb, dw, wb, lb, accrow);
}
#endif

/*
 * The depthwise unit over one output row of channel block ob: every
 * (pixel group, tap row, tap-column chunk) in one II=1 loop, lane l being
 * channel ob * 64 + l with its own weights (row a * kw + b of wb is tap
 * (a, b)'s beat). Each cycle: LF_BLK_DW_SPAN consecutive beats of tap row
 * a's line-buffer row into registers (distinct banks, lf_config.h), then
 * LF_BLK_DW_PIX pixels x kwp tap columns x 64 lanes of products, summed
 * per pixel and lane: a 3x3 layer takes 3 cycles per DW_PIX pixels (9 x
 * PIX before). Its DW_PIX x DW_KW x 64 multipliers are bound to fabric
 * (LUTs): the dense array already takes the DSP budget (hw-config-check),
 * and csynth does not share DSPs between two pipelined loops by itself. A
 * product is xq (8 bits, signed) times w - w_zp[l] = wq + dw[l] (9 bits),
 * so the store's correction needs no per-lane sum of xq: accrow[px][64]
 * is 0, and blk_run's constant bias + dx sum(wq) + N dx dw with N = kh *
 * kw completes the sum exactly (padding's xq = -dx cancels as in the dense
 * array; a tap column past kw in the last chunk has weight 0 and adds 0).
 * rb[a] as in blk_mac (the ring holds this block's rows only).
 */
static void
blk_dw_mac(const lf_desc *d, const struct blk_geo *g,
	   const lf_i32 rb[LF_CONV_KDIM_MAX], const lf_u32 dw[LF_BLK_LANES],
	   LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	   LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	   LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC])
{
	lf_i32 xs = lfk_flip(d->x_type);
	lf_i32 ws = lfk_flip(d->w_type);
	lf_i32 xpad = (lf_i32)((lf_u32)lfk_byte(d->x_zp) ^ (lf_u32)xs) - 128;
	/* Window column of pixel p's tap column j: p * sw + j (dilation 1),
	 * or p * sw (one tap column a cycle, its dilation in ixb). */
	lf_u32 jstep = g->kwp > 1 ? 1 : 0;
	lf_u32 acc[LF_BLK_DW_PIX][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=acc type=complete dim=0
	lf_u32 gi = 0, kk = 0, a = 0, bc = 0;
	lf_u32 trips = g->ngroups * g->kred;
	LF_PIPE_BEGIN(blk_dw_mac);
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	/* The emulator: the same sums (blk_host_dw), the loop's count. */
	blk_host_dw(d, rb, dw, wb, lb, accrow);
	(void)xpad, (void)jstep, (void)acc, (void)xs, (void)ws;
	lfp__blk_dw_mac = trips;
	trips = 0;
#endif
blk_dw_mac:
	for (lf_u32 it = 0; it < trips; it++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=16384 avg=112
		LF_PIPE(blk_dw_mac);
		/* The chunk's weights; a column past kw (or past kwp) is 0. */
		lf_i16 wv[LF_BLK_DW_KW][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=wv type=complete dim=0
		for (lf_u32 j = 0; j < LF_BLK_DW_KW; j++) {
#pragma HLS UNROLL
			lf_u32 on = j < g->kwp && bc + j < d->kw;
			lf_u32 row = on ? a * d->kw + bc + j : 0;
			lf_i32 keep = -(lf_i32)on;
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
				lf_i32 w = (lf_i32)(wb[row][l] ^ (lf_u32)ws) -
					   128 + (lf_i32)dw[l];
				wv[j][l] = (lf_i16)(w & keep);
			}
		}
		/* The window: SPAN consecutive beats of tap row a from column
		 * ixb, padding (outside the image or the rows) as xpad. */
		lf_i32 ixb = (lf_i32)(gi * LF_BLK_DW_PIX * d->stride_w) -
			     (lf_i32)d->pad_l + (lf_i32)(bc * d->dil_w);
		lf_i16 xw[LF_BLK_DW_SPAN][LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=xw type=complete dim=0
		for (lf_u32 c = 0; c < LF_BLK_DW_SPAN; c++) {
#pragma HLS UNROLL
			lf_i32 ix = ixb + (lf_i32)c;
			lf_u32 ok = rb[a] >= 0 && ix >= 0 && ix < (lf_i32)d->iw;
			lf_u32 xi = ok ? (lf_u32)rb[a] + (lf_u32)ix : 0;
			lf_i32 keep = -(lf_i32)ok;
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
				lf_i32 v = (lf_i32)(lb[xi][l] ^ (lf_u32)xs) -
					   128;
				xw[c][l] = (lf_i16)((v & keep) | (xpad & ~keep));
			}
		}
		for (lf_u32 p = 0; p < LF_BLK_DW_PIX; p++) {
#pragma HLS UNROLL
			for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
				lf_u32 s = 0;
				for (lf_u32 j = 0; j < LF_BLK_DW_KW; j++) {
#pragma HLS UNROLL
					/* int8 x 9 bits in LUTs, not DSPs
					 * (UG1399 bind_op; hw-config-check) */
					lf_i32 prod =
					    (lf_i32)xw[p * d->stride_w +
						       j * jstep][l] *
					    (lf_i32)wv[j][l];
#pragma HLS BIND_OP variable=prod op=mul impl=fabric
					s += (lf_u32)prod;
				}
				/* int32 accumulation wraps, as ORT's. */
				acc[p][l] = (kk == 0 ? 0 : acc[p][l]) + s;
			}
		}
		if (kk == g->kred - 1) {
			for (lf_u32 p = 0; p < LF_BLK_DW_PIX; p++) {
#pragma HLS UNROLL
				lf_u32 ox = gi * LF_BLK_DW_PIX + p;
				for (lf_u32 l = 0; l < LF_BLK_LANES; l++) {
#pragma HLS UNROLL
					if (ox < d->ow)
						accrow[ox][l] = acc[p][l];
				}
				if (ox < d->ow)
					accrow[ox][LF_BLK_LANES] = 0;
			}
		}
		/* Next tap-column chunk, then tap row, then pixel group. */
		bc += g->kwp;
		if (bc >= d->kw) {
			bc = 0;
			if (++a == d->kh)
				a = 0;
		}
		if (++kk == g->kred) {
			kk = 0;
			gi++;
		}
	}
	LF_PIPE_END(blk_dw_mac);
}

#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
/*
 * Host C only (hls/README.md "Emulator speed"): blk_store's beats with
 * AVX2, 8 lanes at a time, chosen at run time (blk_store's loop as
 * written otherwise). The same bytes as lfk_requant: the accumulator
 * converted and multiplied in float32 as there (cvtdq2ps and mulps round
 * as cvtsi2ss and mulss do), clamped to [-512, 512] first (maxps returns
 * its second operand, -512, for NaN: lfk_round_even's NaN case; +-inf and
 * |v| >= 512 give +-512 as there), rounded half to even by roundps with
 * an explicit mode (not MXCSR's), then + y_zp and the clamp written as
 * lfk_requant's two compares.
 */
__attribute__((target("avx2"), LF_BLK_NOIPA)) static void
blk_host_store_avx2(LF_GLOBAL lf_beat *act, const lf_desc *d, lf_u32 base,
		    lf_u32 npix, lf_u32 nreal, const float *mult,
		    const lf_u32 *dw, const lf_u32 *cst,
		    const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
		    const lf_u32 (*accrow)[LF_BLK_ACC])
{
	lf_u32 lut_on = (d->flags & LF_DF_LUT) != 0;
	const __m256 vlo = _mm256_set1_ps(-512.0f);
	const __m256 vhi = _mm256_set1_ps(512.0f);
	const __m256i zp = _mm256_set1_epi32(d->y_zp);
	const __m256i lo = _mm256_set1_epi32(d->act_min);
	const __m256i hi = _mm256_set1_epi32(d->act_max);
	const __m256i byte = _mm256_set1_epi32(0xff);
	/* packus's lane order back to 0 .. 31 (see below) */
	const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	/* lanes j < nreal; the others take accumulator 0 */
	lf_i32 on[LF_BLK_LANES];
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++)
		on[j] = j < nreal ? -1 : 0;
	for (lf_u32 ox = 0; ox < LF_BLK_IW_MAX && ox < npix; ox++) {
		const lf_u32 *ar = accrow[ox];
		__m256i sx = _mm256_set1_epi32((lf_i32)ar[LF_BLK_LANES]);
		__m256i r[LF_BLK_LANES / 8];
		for (lf_u32 v8 = 0; v8 < LF_BLK_LANES / 8; v8++) {
			lf_u32 j = v8 * 8;
			__m256i a = _mm256_loadu_si256((const __m256i *)(ar + j));
			__m256i w = _mm256_loadu_si256((const __m256i *)(dw + j));
			__m256i c = _mm256_loadu_si256((const __m256i *)(cst + j));
			a = _mm256_add_epi32(
			    a, _mm256_add_epi32(_mm256_mullo_epi32(w, sx), c));
			a = _mm256_and_si256(
			    a, _mm256_loadu_si256((const __m256i *)(on + j)));
			__m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(a),
						 _mm256_loadu_ps(mult + j));
			v = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
			v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT |
						   _MM_FROUND_NO_EXC);
			__m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
			/* q < lo ? lo : (q > hi ? hi : q) */
			q = _mm256_blendv_epi8(q, hi, _mm256_cmpgt_epi32(q, hi));
			q = _mm256_blendv_epi8(q, lo, _mm256_cmpgt_epi32(lo, q));
			/* lfk_byte: the low 8 bits (0 .. 255: the packs
			 * below do not saturate) */
			r[v8] = _mm256_and_si256(q, byte);
		}
		/* 8 x 8 dwords -> 64 bytes: packus works within 128-bit
		 * halves, so each 32-byte result holds its 8 dword groups
		 * of 4 in the order 0 2 4 6 1 3 5 7 (as dwords of bytes);
		 * permutevar8x32 puts them back. */
		lf_u8 *y = (lf_u8 *)(act + base + ox);
		for (lf_u32 h = 0; h < 2; h++) {
			__m256i p0 = _mm256_packus_epi32(r[4 * h], r[4 * h + 1]);
			__m256i p1 =
			    _mm256_packus_epi32(r[4 * h + 2], r[4 * h + 3]);
			__m256i b = _mm256_permutevar8x32_epi32(
			    _mm256_packus_epi16(p0, p1), order);
			_mm256_storeu_si256((__m256i *)(y + 32 * h), b);
		}
		if (lut_on) /* the output table (LF_DF_LUT), in place */
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++)
				y[j] = lut[j % LF_BLK_LUT_COPIES][y[j]];
	}
}
#endif

/*
 * Lane j of accumulator row ar (LF_BLK_ACC lanes) as the store writes
 * it without a fused add: the sums plus dw * sum(xq) + (bias + dx
 * sum(wq) + N dx dw), the exact accumulator mod 2^32 (0 past the block's
 * nreal channels), requantized, then through the output table
 * (LF_DF_LUT: lane j's copy).
 */
LF_INLINE lf_u8 blk_rq_lane(const lf_desc *d, lf_u32 j, lf_u32 nreal,
			    lf_u32 lut_on, LF_LOCAL const lf_u32 *ar,
			    const float mult[LF_BLK_LANES],
			    const lf_u32 dw[LF_BLK_LANES],
			    const lf_u32 cst[LF_BLK_LANES],
			    const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES])
{
	lf_u32 acc = j < nreal ? ar[j] + dw[j] * ar[LF_BLK_LANES] + cst[j] : 0;
	lf_u8 q = lfk_byte(
	    lfk_requant(acc, mult[j], d->y_zp, d->act_min, d->act_max));
	return lut_on ? lut[j % LF_BLK_LUT_COPIES][q] : q;
}

/*
 * Requantizes npix pixels of block ob from output row oy on (a pack of
 * rows, consecutive in y) and writes them, one 64-channel beat per pixel
 * (64 lanes of a multiply-add and a requantization). Lanes past the
 * block's channels take accumulator 0 (their record's mult decides the
 * byte). With a fused add (LF_DF_ADD) the loop is blk_store_add: it also
 * reads x2's beat of the same pixel and block, one per beat written (the
 * act port's read and write channels side by side), and each lane's
 * byte a becomes the add of a and x2's byte (lf_kadd.h, the add
 * datapath's formula).
 */
static void blk_store(LF_GLOBAL lf_beat *act, const lf_desc *d,
		      const struct blk_geo *g, lf_u32 n, lf_u32 ob, lf_u32 oy,
		      lf_u32 npix, lf_u32 nreal, const float mult[LF_BLK_LANES],
		      const lf_u32 dw[LF_BLK_LANES],
		      const lf_u32 cst[LF_BLK_LANES],
		      const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
		      LF_LOCAL const lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC])
{
	lf_u32 lut_on = (d->flags & LF_DF_LUT) != 0;
	lf_u32 base = d->y_off / LF_BEAT_BYTES +
		      ((n * g->ycb + ob) * d->oh + oy) * d->ow;
	/* x2's beats (LF_DF_ADD): images ocb blocks apart. */
	lf_u32 xb = d->x2_off / LF_BEAT_BYTES +
		    ((n * g->ocb + ob) * d->oh + oy) * d->ow;
	lf_u32 trips = npix;
	LF_PIPE_BEGIN(blk_store);
	LF_PIPE_BEGIN(blk_store_add);
#if !defined(LF_OPENCL) && !defined(LF_HLS) && defined(__x86_64__)
	/* The emulator on AVX2: the same beats (blk_host_store_avx2, then
	 * in place lfk_qadd_host_avx2), the loop's count. */
	if (lfk__blk_isa == 0 && __builtin_cpu_supports("avx2") &&
	    (!g->fadd || __builtin_cpu_supports("fma"))) {
		blk_host_store_avx2(act, d, base, npix, nreal, mult, dw, cst,
				    lut, accrow);
		if (g->fadd) {
			lf_u8(*y)[LF_BLK_LANES] =
			    (lf_u8(*)[LF_BLK_LANES])(act + base);
			lfk_qadd_host_avx2(
			    &g->fq, npix, (const lf_u8(*)[LF_BLK_LANES])y,
			    (const lf_u8(*)[LF_BLK_LANES])(act + xb), NULL, y);
			lfp__blk_store_add = trips;
		} else {
			lfp__blk_store = trips;
		}
		trips = 0;
	}
#endif
	if (g->fadd) {
	blk_store_add:
		for (lf_u32 ox = 0; ox < trips; ox++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_IW_MAX avg=56
			LF_PIPE(blk_store_add);
			lf_u8 sk[LF_BEAT_BYTES];
			lf_beat_rd(act, xb + ox, sk);
			lf_u8 bt[LF_BEAT_BYTES];
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				lf_u8 a = blk_rq_lane(d, j, nreal, lut_on,
						      accrow[ox], mult, dw, cst,
						      lut);
				lf_i32 y = lfk_qadd_add(
				    &g->fq, j, lfk_value(d->y_type, a),
				    lfk_value(d->y_type, sk[j]));
				bt[j] = lfk_byte(y);
			}
			lf_beat_wr(act, base + ox, bt);
		}
		/* the add (product, shift, sum, rounding; lf_kadd.h) after
		 * the requantization: a requantization's depth more */
		LF_PIPE_END_DEPTH(blk_store_add,
				  (lut_on ? LF_DEPTH_LUT : 0) + LF_DEPTH_RQ);
	} else {
	blk_store:
		for (lf_u32 ox = 0; ox < trips; ox++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_BLK_IW_MAX avg=56
			LF_PIPE(blk_store);
			lf_u8 bt[LF_BEAT_BYTES];
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				bt[j] = blk_rq_lane(d, j, nreal, lut_on,
						    accrow[ox], mult, dw, cst,
						    lut);
			}
			lf_beat_wr(act, base + ox, bt);
		}
		LF_PIPE_END_DEPTH(blk_store, lut_on ? LF_DEPTH_LUT : 0);
	}
}

/*
 * With a fused max pool (LF_DF_POOL, lf_desc.h "Fused max pool"): conv
 * row cy of image n, block ob, in a band whose first conv row is oy0
 * (its rows of y from blk_pool_q(oy0), g->qb of them at most, within the
 * part). The row is requantized as blk_store does (one beat a pixel,
 * II=1) and, instead of being written, max-reduced into the row
 * accumulators of the band's rows of y whose windows hold it (at most
 * two: pkh <= 2 psh), even rows of y in pva, odd ones in pvb (poolrow's
 * pool_blk_vacc, lf_kpool.h: the first window row written, the later
 * ones reduced). A row of y whose last window row this is is then
 * written (pool_blk_vst, the blocked pool's output loop: each column's
 * pkw taps at once, pool_min / pool_max, one beat a column). Rows are
 * stored one at a time (blk_pk: pk 1) and in order, so each row of y
 * has seen all its window rows when it is written; a band computes every
 * conv row its rows of y need (blk_pool_rows), so nothing is carried
 * from one band, block or image to the next.
 */
static void blk_store_pool(LF_GLOBAL lf_beat *act, const lf_desc *d,
			   const struct blk_geo *g, lf_u32 n, lf_u32 ob,
			   lf_u32 oy0, lf_u32 cy, lf_u32 nreal,
			   const float mult[LF_BLK_LANES],
			   const lf_u32 dw[LF_BLK_LANES],
			   const lf_u32 cst[LF_BLK_LANES],
			   const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
			   LF_LOCAL const lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
			   LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
			   LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_u32 lut_on = (d->flags & LF_DF_LUT) != 0;
	lf_u32 flip = (lf_u32)lfk_flip(d->y_type);
	/* The band's rows of y bq0 .. bq1 - 1; cy is in the windows of qh
	 * and qh - 1 at most. */
	lf_u32 bq0 = blk_pool_q(g, oy0);
	lf_u32 bq1 = bq0 + g->qb < g->q0 + g->nq ? bq0 + g->qb : g->q0 + g->nq;
	lf_u32 qh = (cy + g->ppt) / g->psh;
	lf_u32 in[2], ua = 0, wa = 0, ub = 0, wb = 0;
	for (lf_u32 k = 0; k < 2; k++) {
		lf_u32 q = qh - k;
		in[k] = qh >= k && q >= bq0 && q < bq1 &&
			cy + g->ppt < q * g->psh + g->pkh;
		lf_u32 f = in[k] && cy == blk_pool_first(g, q);
		if (in[k] && (q & 1u)) {
			ub = 1;
			wb = f;
		} else if (in[k]) {
			ua = 1;
			wa = f;
		}
	}
	LF_PIPE_BEGIN(blk_store_pool);
blk_store_pool:
	for (lf_u32 ox = 0; ox < d->ow; ox++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_POOL_BLK_ROW avg=112
/* Each pixel of the accumulators is touched once per call. */
#pragma HLS DEPENDENCE variable=pva type=inter dependent=false
#pragma HLS DEPENDENCE variable=pvb type=inter dependent=false
		LF_PIPE(blk_store_pool);
		lf_u8 bt[LF_BEAT_BYTES];
		for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
			bt[j] = blk_rq_lane(d, j, nreal, lut_on, accrow[ox],
					    mult, dw, cst, lut);
		}
		pool_blk_vacc(bt, flip, ox, ua, wa, ub, wb, pva, pvb);
	}
	LF_PIPE_END_DEPTH(blk_store_pool, lut_on ? LF_DEPTH_LUT : 0);
	/* The rows of y complete with cy, in order: the pool's view. */
	lf_desc pv = *d;
	pv.ow = g->pw;
	pv.iw = d->ow;
	pv.kw = g->pkw;
	pv.stride_w = g->psw;
	pv.pad_l = g->ppl;
	pv.x_type = d->y_type;
	pv.act_min = (lf_i32)(lf_i16)(d->pool_clamp & 0xffffu);
	pv.act_max = (lf_i32)(lf_i16)(d->pool_clamp >> 16);
	for (lf_u32 k = 2; k-- > 0;) {
		lf_u32 q = qh - k;
		if (!in[k] || cy != blk_pool_last(g, q, d->oh))
			continue;
		lf_u32 ybi = d->y_off / LF_BEAT_BYTES +
			     ((n * g->ycb + ob) * g->ph + q) * g->pw;
		if (q & 1u)
			pool_blk_vst(act, &pv, ybi, 1, pvb);
		else
			pool_blk_vst(act, &pv, ybi, 1, pva);
	}
}

/*
 * A dataflow process's own copy of the checked descriptor and its
 * geometry: in UG1399's canonical body a non-scalar variable has one
 * reading process, so the processes of a region do not share one.
 */
struct blk_task {
	lf_desc d;
	struct blk_geo g;
	lf_u32 w0; /* 1: block g.b0's weights and constants are resident
		      (blk_run): a band's first block copies them */
};

/*
 * The resident first block's constants, beside its weights (bw0buf), at
 * the kernel top: they outlive a descriptor when its last band loads the
 * next descriptor's first block (LF_DF_WPRE, blk_run). pre: 1 + the
 * index of the descriptor whose block b0 they and bw0buf hold, loaded
 * ahead during the one before; 0 none. Registers in HLS (a local struct
 * is disaggregated into its members, UG1399 "Structs"; each array
 * completely partitioned at the top).
 */
struct blk_w0s {
	float m0[LF_BLK_LANES];
	lf_u32 dw0[LF_BLK_LANES], c0[LF_BLK_LANES];
	lf_u32 pre;
};

/* Real channels of output block ob (at most 64). */
LF_INLINE lf_u32 blk_nreal(const lf_desc *d, lf_u32 ob)
{
	lf_u32 nreal = d->oc - ob * LF_BLK_LANES;
	return nreal > LF_BLK_LANES ? LF_BLK_LANES : nreal;
}

/*
 * Output block ob's records and weights from params, and per channel
 * dw and cst = bias + dx sum(wq) + N dx dw (the store's constants).
 */
static void blk_wload(LF_GLOBAL const lf_beat *params, const struct blk_task *t,
		      lf_u32 ob,
		      LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES]
				       [LF_BLK_LANES],
		      float mult[LF_BLK_LANES], lf_u32 dw[LF_BLK_LANES],
		      lf_u32 cst[LF_BLK_LANES])
{
	const lf_desc *d = &t->d;
	const struct blk_geo *g = &t->g;
	lf_u32 bias[LF_BLK_LANES];
	lf_i32 woff[LF_BLK_LANES];
	lf_u32 wsum[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=bias type=complete
#pragma HLS ARRAY_PARTITION variable=woff type=complete
#pragma HLS ARRAY_PARTITION variable=wsum type=complete
	/* dx = ox - x_zp; N = the terms of a window the MAC loop sums. */
	lf_u32 dx = (lf_u32)(128 - lfk_flip(d->x_type) - d->x_zp);
	lf_u32 nterms =
	    g->dwise ? d->kh * d->kw
		     : d->kh * d->kw *
			   ((g->icb - 1) * LF_BLK_LANES + g->last_ch * LF_BLK_IC);
	blk_load_rec(params, d, ob, bias, woff, mult);
	blk_load_w(params, d, g, ob, wb, wsum);
	/* woff = ws + w_zp: dw = ow - w_zp = 128 - woff. */
	LF_PIPE_BEGIN(blk_cst);
blk_cst:
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(blk_cst);
		dw[j] = (lf_u32)(128 - woff[j]);
		cst[j] = bias[j] + dx * wsum[j] + nterms * dx * dw[j];
	}
	LF_PIPE_END(blk_cst);
}

#if LF_BLK_W0B > 0
/*
 * The resident first block's weights (blk_run) into the weight channel:
 * LF_BLK_W0B beats a cycle, each from its own bank of w0 (cyclic
 * LF_BLK_W0B) into distinct banks of wb (cyclic LF_BLK_OC >= LF_BLK_W0B),
 * on chip. A dense block's wbeats is a multiple of 64, so of LF_BLK_W0B; a
 * depthwise one's (kh * kw) need not be: the last cycle copies up to
 * LF_BLK_W0B - 1 rows past it (inside both buffers, which hold
 * LF_BLK_WBEATS * 64 rows; rows no tap reads).
 */
static void
blk_w0_copy(const struct blk_geo *g,
	    LF_LOCAL const lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
	    LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES])
{
	lf_u32 n = (g->wbeats + LF_BLK_W0B - 1) / LF_BLK_W0B;
	LF_PIPE_BEGIN(blk_w0_cp);
blk_w0_cp:
	for (lf_u32 i = 0; i < n; i++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=576 avg=72
		LF_PIPE(blk_w0_cp);
		for (lf_u32 b = 0; b < LF_BLK_W0B; b++) {
#pragma HLS UNROLL
			for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
				wb[i * LF_BLK_W0B + b][j] =
				    w0[i * LF_BLK_W0B + b][j];
			}
		}
	}
	LF_PIPE_END(blk_w0_cp);
}
#endif

/*
 * blk_obs stage 0: output block ob = ob0 + k's weights and constants:
 * copied from the resident first block (w0, m0, dw0, c0: blk_run) where
 * t->w0 says it holds this block (g.b0), else loaded (blk_wload). k ==
 * nob (the descriptor's last band, where it loads ahead: LF_DF_WPRE,
 * blk_run): the next descriptor's first block (@tn) into the resident
 * one instead, while blk_ctask computes block nob - 1; w0 was last read
 * by this process (this band's first block), so it reads before it
 * writes (UG1399 "Canonical Body": an argument read, then written).
 */
static void blk_wtask(LF_GLOBAL const lf_beat *params, const struct blk_task *t,
		      const struct blk_task *tn, lf_u32 ob0, lf_u32 k,
		      lf_u32 nob, LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
		      float m0[LF_BLK_LANES], lf_u32 dw0[LF_BLK_LANES],
		      lf_u32 c0[LF_BLK_LANES],
		      LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES]
				       [LF_BLK_LANES],
		      float mult[LF_BLK_LANES], lf_u32 dw[LF_BLK_LANES],
		      lf_u32 cst[LF_BLK_LANES])
{
	lf_u32 ob = ob0 + k;
#if LF_BLK_W0B > 0
	if (k >= nob) {
		blk_wload(params, tn, tn->g.b0, w0, m0, dw0, c0);
		return;
	}
	if (t->w0 && ob == t->g.b0) {
		blk_w0_copy(&t->g, w0, wb);
		for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
			mult[j] = m0[j];
			dw[j] = dw0[j];
			cst[j] = c0[j];
		}
		return;
	}
#else
	(void)tn, (void)nob, (void)w0, (void)m0, (void)dw0, (void)c0;
#endif
	blk_wload(params, t, ob, wb, mult, dw, cst);
}

/* Output rows in pack i of the rows oy0 .. oy0 + cnt - 1 (blk_pk). */
LF_INLINE lf_u32 blk_pack_rows(const struct blk_geo *g, lf_u32 cnt, lf_u32 i)
{
	lf_u32 left = cnt - i * g->pk;
	return left < g->pk ? left : g->pk;
}

/*
 * Pack i of a band's packs (blk_rows): image m of the band, its pack ip
 * (npk packs an image). Once per pack, not pipelined: a division.
 */
LF_INLINE void blk_pack_at(lf_u32 npk, lf_u32 i, lf_u32 *m, lf_u32 *ip)
{
	*m = i / npk;
	*ip = i - *m * npk;
}

#if !defined(LF_OPENCL) && !defined(LF_HLS)
/*
 * Host C only, for the tests: the line-buffer banks blk_mac's pixels of
 * one pack read in each cycle, as its loop computes their beats (xi, for
 * channel block 0: the others add the same cb * iw to every pixel), over
 * every pixel group and tap. Groups checked and pairs of one group's
 * pixels in one bank (LF_BLK_LB_BANKS, cyclic over beats) add to the
 * calling thread's counters (cycles.c): the array's II=1 takes PIX beats
 * a cycle from distinct banks, which blk_pk's padded rows are to ensure.
 */
extern _Thread_local lf_u64 lfk__blk_bank_groups, lfk__blk_bank_clash;
static void blk_host_banks(const lf_desc *d, lf_u32 npix,
			   const lf_i32 rb[LF_BLK_PIX + 1][LF_CONV_KDIM_MAX])
{
	for (lf_u32 q0 = 0; q0 < LF_BLK_IW_MAX && q0 < npix; q0 += LF_BLK_PIX) {
		for (lf_u32 a = 0; a < LF_CONV_KDIM_MAX && a < d->kh; a++) {
			for (lf_u32 b = 0; b < LF_CONV_KDIM_MAX && b < d->kw;
			     b++) {
				lf_i32 bank[LF_BLK_PIX];
				for (lf_u32 p = 0; p < LF_BLK_PIX; p++) {
					lf_u32 q = q0 + p;
					lf_u32 pr = q / d->ow, pc = q % d->ow;
					lf_i32 ix = (lf_i32)(pc * d->stride_w) -
						    (lf_i32)d->pad_l +
						    (lf_i32)(b * d->dil_w);
					lf_i32 rr = q < npix ? rb[pr][a] : -1;
					lf_u32 ok = rr >= 0 && ix >= 0 &&
						    ix < (lf_i32)d->iw;
					bank[p] = ok ? (rr + ix) %
							   LF_BLK_LB_BANKS
						     : -1 - (lf_i32)p;
					for (lf_u32 o = 0; o < LF_BLK_PIX && o < p;
					     o++)
						lfk__blk_bank_clash +=
						    bank[o] == bank[p];
				}
				lfk__blk_bank_groups++;
			}
		}
	}
}
#endif

/*
 * blk_rows stage 0: pack i of the band (blk_pack_at: image m, its pack
 * ip: g->pk output rows from oy0 + ip * pk, fewer at the end of the cnt
 * rows) of block ob through the PE array (or the depthwise unit, one
 * row) into acc.
 */
static void
blk_mac_row(const struct blk_task *t, lf_u32 ob, lf_u32 oy0, lf_u32 i,
	    lf_u32 cnt, lf_u32 npk, const lf_u32 dw[LF_BLK_LANES],
	    LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	    LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	    LF_LOCAL lf_u32 acc[LF_BLK_IW_MAX][LF_BLK_ACC])
{
	const lf_desc *d = &t->d;
	const struct blk_geo *g = &t->g;
	lf_u32 m, ip;
	blk_pack_at(npk, i, &m, &ip);
	lf_u32 prow = blk_pack_rows(g, cnt, ip);
	/* rb[r][a]: the line-buffer beat of tap row a of the pack's row r
	 * (-1: padding, or past the pack's rows: blk_mac reads no pixel
	 * there). The band (first output row oy0) holds each image's input
	 * rows from lo on, image m's row lo in slot m * g->rows
	 * (blk_load_band). */
	lf_i32 rb[LF_BLK_PIX + 1][LF_CONV_KDIM_MAX];
#pragma HLS ARRAY_PARTITION variable=rb type=complete dim=0
	lf_i32 lo = (lf_i32)(oy0 * d->stride_h) - (lf_i32)d->pad_t;
	if (lo < 0)
		lo = 0;
	lo -= (lf_i32)(m * g->rows);
	/* Once per pack, not pipelined: kh multiplies a row. */
	for (lf_u32 r = 0; r < LF_BLK_PIX + 1; r++) {
		lf_i32 w0 = (lf_i32)((oy0 + ip * g->pk + r) * d->stride_h) -
			    (lf_i32)d->pad_t;
		for (lf_u32 a = 0; a < d->kh; a++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=LF_CONV_KDIM_MAX avg=3
			lf_i32 iy = w0 + (lf_i32)(a * d->dil_h);
			rb[r][a] = r < prow && iy >= 0 && iy < (lf_i32)d->ih
				       ? (iy - lo) * (lf_i32)g->rs
				       : -1;
		}
	}
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	if (!g->dwise)
		blk_host_banks(d, prow * d->ow, rb);
#endif
	if (g->dwise)
		blk_dw_mac(d, g, rb[0], dw, wb, lb, acc);
	else
		blk_mac(d, g,
			(blk_nreal(d, ob) + LF_BLK_OC - 1) / LF_BLK_OC,
			prow * d->ow, rb, wb, lb, acc);
}

/* blk_rows stage 1: requantizes and writes pack i's rows (image n0 + m,
 * blk_pack_at) from acc. */
static void blk_store_row(LF_GLOBAL lf_beat *act, const struct blk_task *t,
			  lf_u32 n0, lf_u32 ob, lf_u32 oy0, lf_u32 i,
			  lf_u32 cnt, lf_u32 npk, const float mult[LF_BLK_LANES],
			  const lf_u32 dw[LF_BLK_LANES],
			  const lf_u32 cst[LF_BLK_LANES],
			  const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
			  LF_LOCAL const lf_u32 acc[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	lf_u32 m, ip;
	blk_pack_at(npk, i, &m, &ip);
	if (t->g.fpool)
		blk_store_pool(act, &t->d, &t->g, n0 + m, ob, oy0, oy0 + ip,
			       blk_nreal(&t->d, ob), mult, dw, cst, lut, acc,
			       pva, pvb);
	else
		blk_store(act, &t->d, &t->g, n0 + m, ob, oy0 + ip * t->g.pk,
			  blk_pack_rows(&t->g, cnt, ip) * t->d.ow,
			  blk_nreal(&t->d, ob), mult, dw, cst, lut, acc);
}

/*
 * The overlap region blk_rows (lf_pipes.h LF_OVERLAP): rows oy0 .. oy0 +
 * cnt - 1 of the band's images n0 .. (g->ni of them at most), block ob,
 * whose windows the line buffer holds, as npk packs of g->pk rows an
 * image (blk_pk; the last may be shorter), nit packs in all. A canonical
 * DATAFLOW loop (UG1399 "Canonical Forms", "Canonical Body"): the MAC of
 * pack i + 1 runs while pack i is stored; the accumulator row acc (pk *
 * ow <= LF_BLK_IW_MAX pixels) is their ping-pong channel (two copies in
 * HLS, LF_CHAN2).
 */
static void
blk_rows(LF_GLOBAL lf_beat *act, const struct blk_task *tm,
	 const struct blk_task *ts, lf_u32 n0, lf_u32 ob, lf_u32 oy0,
	 lf_u32 cnt, lf_u32 npk, lf_u32 nit, const lf_u32 dwm[LF_BLK_LANES],
	 const float mult[LF_BLK_LANES], const lf_u32 dw[LF_BLK_LANES],
	 const lf_u32 cst[LF_BLK_LANES],
	 const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
	 LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	 LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	 LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_OVL_BEGIN(blk_rows);
blk_rows:
	for (lf_u32 i = 0; i < nit; i++) {
#pragma HLS DATAFLOW
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=16
		LF_CHAN2(lf_u32, acc, LF_BLK_IW_MAX, LF_BLK_ACC, accrow);
#pragma HLS ARRAY_PARTITION variable=acc type=cyclic factor=LF_BLK_PIX dim=1
#pragma HLS ARRAY_PARTITION variable=acc type=complete dim=2
#pragma HLS BIND_STORAGE variable=acc type=ram_s2p impl=lutram
		blk_mac_row(tm, ob, oy0, i, cnt, npk, dwm, wb, lb, acc);
		blk_store_row(act, ts, n0, ob, oy0, i, cnt, npk, mult, dw, cst,
			      lut, acc, pva, pvb);
		LF_OVL_STEP(blk_rows);
	}
	LF_OVL_END(blk_rows);
}

/*
 * Band j of the descriptor (blk_bands): images n0 .. n0 + *ni - 1 (blk_ni:
 * one unless a band is the part's rows whole), first output row oy0, and
 * the output blocks ob0 .. ob0 + *nob - 1 it computes (all of the part's,
 * y_blks; depthwise: block ob0 only, whose input block is the only one
 * loaded). Bands cover the part's rows only (y_rows).
 */
LF_INLINE void blk_band_at(const lf_desc *d, const struct blk_geo *g,
			   lf_u32 j, lf_u32 *n0, lf_u32 *ni, lf_u32 *oy0,
			   lf_u32 *ob0, lf_u32 *nob)
{
	lf_u32 per = (g->dwise ? g->nb : 1) * g->nband;
	lf_u32 r = j % per;
	*n0 = j / per * g->ni;
	*ni = d->n - *n0 < g->ni ? d->n - *n0 : g->ni;
	*ob0 = g->b0 + (g->dwise ? r / g->nband : 0);
	*nob = g->dwise ? 1 : g->nb;
	lf_u32 bi = r % g->nband;
	*oy0 = g->fpool	 ? blk_pool_first(g, g->q0 + bi * g->qb)
	       : bi == 0 ? g->r0
	       : g->bf	 ? g->r0 + g->bf + (bi - 1) * g->bo
			 : g->r0 + bi * g->bo;
}

/* Output rows of the band from row oy0 (bo, or bf for an image's first
 * band where blk_bf made it short; fewer at the part's end). */
LF_INLINE lf_u32 blk_band_cnt(const struct blk_geo *g, lf_u32 oy0)
{
	/* A fused pool: the conv rows of the band's rows of y. */
	if (g->fpool) {
		lf_u32 q1 = blk_pool_q(g, oy0) + g->qb;
		if (q1 > g->q0 + g->nq)
			q1 = g->q0 + g->nq;
		lf_u32 e = (q1 - 1) * g->psh + g->pkh - g->ppt;
		lf_u32 end = g->r0 + g->nr;
		return (e < end ? e : end) - oy0;
	}
	lf_u32 left = g->r0 + g->nr - oy0;
	lf_u32 lim = g->bf && oy0 == g->r0 ? g->bf : g->bo;
	return left < lim ? left : lim;
}

/*
 * blk_bands stage 0: band j's input rows (every row of its windows that
 * is inside the image; blk_compact: each output row's one row) into the
 * line-buffer channel lb, each image's first one in slot m * g->rows (its
 * m-th image; slot 0 when the band is one image). @t holds the
 * descriptor itself, not the compute's view.
 */
static void blk_load_band(LF_GLOBAL const lf_beat *act,
			  const struct blk_task *t, lf_u32 j,
			  LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES])
{
	const lf_desc *d = &t->d;
	const struct blk_geo *g = &t->g;
	lf_u32 n0, ni, oy0, ob0, nob;
	blk_band_at(d, g, j, &n0, &ni, &oy0, &ob0, &nob);
	lf_u32 cnt = blk_band_cnt(g, oy0);
	/* Per image, the windows' rows inside the image, lo .. end - 1, as
	 * one run; blk_compact: each output row's one row (pads are 0), a
	 * run each.
	 * One call site on purpose: with a second one (the compact rows in
	 * a loop, then return), PoCL 3.1 (Debian 12) skipped the call of
	 * the other and opencl:0 gave other bytes (host C was right); the
	 * cause was not found. */
	lf_u32 top = oy0 * d->stride_h;
	lf_u32 end = (oy0 + cnt - 1) * d->stride_h + g->span_h;
	lf_u32 lo = top > d->pad_t ? top - d->pad_t : 0;
	end = end > d->pad_t ? end - d->pad_t : 0;
	if (end > d->ih)
		end = d->ih;
	lf_u32 runs = g->cs > 1 ? cnt : 1;
	lf_u32 m = 0, y = 0;
	for (lf_u32 u = 0; u < runs * ni; u++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=64 avg=2
		lf_u32 r0 = g->cs > 1 ? top + y * d->stride_h : lo;
		lf_u32 nr = g->cs > 1 ? 1 : lo < end ? end - lo : 0;
		if (nr > 0)
			blk_load_rows(act, d, g, n0 + m, g->dwise ? ob0 : 0, r0,
				      nr, m * g->rows + y, lb);
		if (++y == runs) {
			y = 0;
			m++;
		}
	}
}

/*
 * blk_obs stage 1: output block ob0 + k of a band (images n0 .. n0 + ni
 * - 1, output rows from oy0) through blk_rows, the region of MAC and
 * store, in packs of g->pk rows (blk_pk), from the band's line buffer lb.
 * Nothing for k == nob (the step where blk_wtask loads ahead).
 */
static void
blk_ctask(LF_GLOBAL lf_beat *act, const struct blk_task *t, lf_u32 n0,
	  lf_u32 ni, lf_u32 oy0, lf_u32 ob0, lf_u32 k, lf_u32 nob,
	  LF_LOCAL const lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	  const float mult[LF_BLK_LANES], const lf_u32 dw[LF_BLK_LANES],
	  const lf_u32 cst[LF_BLK_LANES],
	  const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
	  LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	  LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	if (k >= nob)
		return;
	/* blk_rows' two processes: a descriptor and a dw each. */
	struct blk_task tm = *t, ts = *t;
#if !defined(LF_OPENCL) && !defined(LF_HLS)
	if (!t->g.dwise)
		blk_host_prep(&t->d, &t->g, wb, dw,
			      blk_nreal(&t->d, ob0 + k)); /* blk_host_mac */
	else if (t->d.kh * ((t->d.kw + 1) / 2) <= LF_BLK_DW_PAIRS)
		blk_host_dw_prep(&t->d, wb, dw); /* blk_host_dw_pairs */
#endif
	lf_u32 dwm[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=dwm type=complete
	for (lf_u32 j = 0; j < LF_BLK_LANES; j++) {
#pragma HLS UNROLL
		dwm[j] = dw[j];
	}
	lf_u32 ob = ob0 + k;
	lf_u32 cnt = blk_band_cnt(&t->g, oy0);
	lf_u32 npk = (cnt + t->g.pk - 1) / t->g.pk;
	lf_u32 nit = npk * ni;
	blk_rows(act, &tm, &ts, n0, ob, oy0, cnt, npk, nit, dwm, mult, dw, cst,
		 lut, wb, lb, accrow, pva, pvb);
}

/*
 * The overlap region blk_obs: output blocks ob0 .. ob0 + nob - 1 of one
 * band, a canonical DATAFLOW loop: block ob + 1's records and weights
 * load (params port) while block ob computes (act port); the weights,
 * mult, dw and cst are the ping-pong channels (wb two copies in HLS,
 * LF_CHAN2). lb (the band's rows) is only read, by the compute. nit is
 * nob, or nob + 1 where the band loads the next descriptor's first block
 * ahead (blk_wtask, k == nob) beside block nob - 1's compute. w0, m0,
 * dw0 and c0 (the resident block) are read, then written, by blk_wtask
 * alone.
 */
static void blk_obs(LF_GLOBAL const lf_beat *params, LF_GLOBAL lf_beat *act,
		    const struct blk_task *tw, const struct blk_task *tc,
		    const struct blk_task *tn, lf_u32 n0, lf_u32 ni,
		    lf_u32 oy0, lf_u32 ob0, lf_u32 nob, lf_u32 nit,
		    const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
		    LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
		    float m0[LF_BLK_LANES], lf_u32 dw0[LF_BLK_LANES],
		    lf_u32 c0[LF_BLK_LANES],
		    LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES]
				     [LF_BLK_LANES],
		    LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
		    LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_OVL_BEGIN(blk_obs);
blk_obs:
	for (lf_u32 k = 0; k < nit; k++) {
#pragma HLS DATAFLOW
#pragma HLS LOOP_TRIPCOUNT min=1 max=1025 avg=4
		LF_CHAN2(lf_u8, wbc, LF_BLK_WBEATS * LF_BLK_LANES, LF_BLK_LANES,
			 wb);
#pragma HLS ARRAY_RESHAPE variable=wbc type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=wbc type=cyclic factor=LF_BLK_OC dim=1
		float mult[LF_BLK_LANES];
		lf_u32 dw[LF_BLK_LANES];
		lf_u32 cst[LF_BLK_LANES];
#pragma HLS ARRAY_PARTITION variable=mult type=complete
#pragma HLS ARRAY_PARTITION variable=dw type=complete
#pragma HLS ARRAY_PARTITION variable=cst type=complete
		blk_wtask(params, tw, tn, ob0, k, nob, w0, m0, dw0, c0, wbc,
			  mult, dw, cst);
		blk_ctask(act, tc, n0, ni, oy0, ob0, k, nob, wbc, mult, dw, cst,
			  lut, lb, accrow, pva, pvb);
		LF_OVL_STEP(blk_obs);
	}
	LF_OVL_END(blk_obs);
}

/*
 * blk_bands stage 1: band j's output blocks, as the region blk_obs (each
 * block's weights load while the previous block computes); the last band
 * also loads the next descriptor's first block (@tn) when @pf.
 */
static void
blk_band_obs(LF_GLOBAL const lf_beat *params, LF_GLOBAL lf_beat *act,
	     const struct blk_task *t, const struct blk_task *tn, lf_u32 pf,
	     lf_u32 j, const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
	     LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
	     float m0[LF_BLK_LANES], lf_u32 dw0[LF_BLK_LANES],
	     lf_u32 c0[LF_BLK_LANES],
	     LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	     LF_LOCAL const lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	     LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	/* blk_obs' two processes: a copy each. */
	struct blk_task tw = *t, tc = *t;
	lf_u32 n0, ni, oy0, ob0, nob;
	blk_band_at(&t->d, &t->g, j, &n0, &ni, &oy0, &ob0, &nob);
	lf_u32 nit = nob + (pf && j + 1 == t->g.nunit ? 1 : 0);
	blk_obs(params, act, &tw, &tc, tn, n0, ni, oy0, ob0, nob, nit, lut, w0,
		m0, dw0, c0, wb, lb, accrow, pva, pvb);
}

/*
 * The overlap region blk_bands: the descriptor's g->nunit bands (each
 * image's, and depthwise each output block's: blk_band_at), a canonical
 * DATAFLOW loop (UG1399 "Canonical Forms", "Canonical Body"): band j + 1's
 * input rows load (blk_load_band, act read) while band j's output blocks
 * compute (blk_band_obs: the region blk_obs, weights read, act written).
 * So a band's rows are read once for all output blocks, and no load waits
 * for the MAC or the MAC for a load but the first band's. The line
 * buffer lbc is their ping-pong channel (two copies in HLS, LF_CHAN2),
 * written by one process and read by the other in the same iteration
 * ("arrays involved in ... loop-based DATAFLOW optimizations are
 * implemented as a RAM ping pong buffer channel", UG1399 "pragma HLS
 * stream"); act is read only in the first process and written only in
 * the second (UG1399 "Dataflow Optimization Limitations": inputs read at
 * the start of the region, outputs written at its end), and x and y are
 * disjoint (blk_check). The two copies are bound to UltraRAM
 * (BIND_STORAGE impl=uram; make hw-budget counts them), which leaves the
 * block RAM to the weights.
 */
static void
blk_bands(LF_GLOBAL const lf_beat *params, LF_GLOBAL lf_beat *act,
	  const struct blk_task *tl, const struct blk_task *tb,
	  const struct blk_task *tn, lf_u32 pf, lf_u32 nunit,
	  const lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES],
	  LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
	  float m0[LF_BLK_LANES], lf_u32 dw0[LF_BLK_LANES],
	  lf_u32 c0[LF_BLK_LANES],
	  LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	  LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	  LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	LF_OVL_BEGIN(blk_bands);
blk_bands:
	for (lf_u32 j = 0; j < nunit; j++) {
#pragma HLS DATAFLOW
#pragma HLS LOOP_TRIPCOUNT min=1 max=1024 avg=8
		LF_CHAN2(lf_u8, lbc, LF_BLK_LBEATS, LF_BLK_LANES, lb);
#pragma HLS ARRAY_RESHAPE variable=lbc type=complete dim=2
#pragma HLS ARRAY_PARTITION variable=lbc type=cyclic factor=LF_BLK_LB_BANKS dim=1
#pragma HLS BIND_STORAGE variable=lbc type=ram_s2p impl=uram
		blk_load_band(act, tl, j, lbc);
		blk_band_obs(params, act, tb, tn, pf, j, lut, w0, m0, dw0, c0,
			     wb, lbc, accrow, pva, pvb);
		LF_OVL_STEP(blk_bands);
	}
	LF_OVL_END(blk_bands);
}

/* The output table tb into every lane's copy, one entry a cycle. */
static void blk_lut_fill(const lf_u8 tb[LF_LUT_BYTES],
			 lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES])
{
	LF_PIPE_BEGIN(blk_lut_fill);
blk_lut_fill:
	for (lf_u32 k = 0; k < LF_LUT_BYTES; k++) {
#pragma HLS PIPELINE II=1
		LF_PIPE(blk_lut_fill);
		for (lf_u32 c = 0; c < LF_BLK_LUT_COPIES; c++) {
#pragma HLS UNROLL
			lut[c][k] = tb[k];
		}
	}
	LF_PIPE_END(blk_lut_fill);
}

#if LF_BLK_W0B > 0
/*
 * LF_DF_WPRE's look ahead costs the next descriptor's fetch (desc_fetch:
 * LF_DESC_WORDS words, one a cycle, after a latency) and check
 * (LF_DESC_CYCLES) before the bands, nothing overlapping them, and hides
 * at most the compute of the last band's last block, beside which the
 * next first block loads: where that compute is no more than the cost,
 * the look ahead cannot pay and blk_run skips it. The compute's
 * estimate: kred x OC tiles a cycle per pixel group and row (blk_bf's),
 * depthwise kred a group and row.
 */
#define LF_BLK_PEEK                                                            \
	(LF_LAT_MEM + LF_DEPTH_LD + LF_DESC_WORDS + LF_DESC_CYCLES)
LF_INLINE lf_u64 blk_last_mac(const lf_desc *d, const struct blk_geo *g)
{
	lf_u32 n0, ni, oy0, ob0, nob;
	blk_band_at(d, g, g->nunit - 1, &n0, &ni, &oy0, &ob0, &nob);
	return (lf_u64)blk_band_cnt(g, oy0) * ni * g->ngroups * g->kred *
	       (g->dwise ? 1 : LF_BLK_TILES);
}

/*
 * The look ahead of LF_DF_WPRE: descriptor @i of the list (the one after
 * the running one) into *@tn, the compute's view (blk_view) as blk_run
 * gives blk_obs, when it is a blocked conv this datapath takes
 * (blk_check; its w_zp entries and barrier are checked when it runs) and
 * its part has a band and a block: 1, else 0. Costs its fetch
 * (desc_fetch) and a check (LF_DESC_PEEK) before the running
 * descriptor's bands, nothing overlapping them.
 */
static lf_u32 blk_next(LF_GLOBAL const lf_u32 *desc, lf_u32 i,
		       lf_u32 params_bytes, lf_u32 act_bytes,
		       struct blk_task *tn)
{
	lf_desc dn;
	lfk_desc_fetch(desc, i, &dn);
	LF_DESC_PEEK();
	if (dn.magic != LF_DESC_MAGIC || dn.op != LF_KOP_CONV2D ||
	    (dn.flags & LF_DF_BLK) == 0 ||
	    blk_check(&dn, params_bytes, act_bytes, &tn->g, 1) != LF_KST_OK ||
	    tn->g.nunit == 0 || tn->g.nb == 0)
		return 0;
	blk_view(&dn, &tn->d);
	tn->w0 = 0;
	return 1;
}
#endif

/*
 * Runs checked blocked descriptor @d, number @i of the list @desc of
 * @ndesc (for LF_DF_WPRE's look ahead); @mine: its first block is in
 * w0 and @s already, loaded during descriptor i - 1.
 */
static void blk_run(LF_GLOBAL const lf_u32 *desc, lf_u32 ndesc, lf_u32 i,
		    LF_GLOBAL const lf_beat *params, lf_u32 params_bytes,
		    LF_GLOBAL lf_beat *act, lf_u32 act_bytes, const lf_desc *d,
		    const struct blk_geo *g, lf_u32 mine,
		    LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES],
		    struct blk_w0s *s,
		    LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES]
				     [LF_BLK_LANES],
		    LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
		    LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	/* blk_bands' two processes: a copy each; the load's holds the
	 * descriptor, the compute's its view (blk_view). */
	struct blk_task tl, tb, tn;
	tl.d = *d;
	tl.g = *g;
	blk_view(d, &tb.d);
	tb.g = *g;
	tl.w0 = tb.w0 = 0;
	/* The output table (LF_DF_LUT), once per descriptor: read into
	 * registers, then into each lane's copy (blk_store). */
	lf_u8 tb8[LF_LUT_BYTES];
#pragma HLS ARRAY_PARTITION variable=tb8 type=complete
	lf_u8 lut[LF_BLK_LUT_COPIES][LF_LUT_BYTES];
#pragma HLS ARRAY_PARTITION variable=lut type=complete dim=1
#pragma HLS BIND_STORAGE variable=lut type=ram_1p impl=lutram
	if (d->flags & LF_DF_LUT) {
		conv_lut_load(params, d, tb8);
		blk_lut_fill(tb8, lut);
	}
	/* The resident first block (lf_config.h LF_BLK_WRES): where two or
	 * more bands start with block b0 (every band of a dense conv; a
	 * depthwise one's bands of block b0), its weights and constants
	 * load once, here, and each such band copies them on chip instead
	 * of reading params (the load no band's compute overlaps). One
	 * band: loaded in blk_obs as before (nothing to save, and the copy
	 * would add to it). Either way not where the previous descriptor
	 * loaded them ahead (@mine). With LF_DF_WPRE, the next descriptor's
	 * first block then loads into the same buffer during this one's
	 * last band, once every band has copied this one's (blk_wtask). */
	lf_u32 pf = 0;
#if LF_BLK_W0B > 0
	lf_u32 nuse = !g->dwise ? g->nunit : g->nb ? g->nunit / g->nb : 0;
	if (mine) {
		tb.w0 = 1;
	} else if (nuse >= 2) {
		blk_wload(params, &tb, g->b0, w0, s->m0, s->dw0, s->c0);
		tb.w0 = 1;
	}
	if ((d->flags & LF_DF_WPRE) && i + 1 < ndesc && g->nunit > 0 &&
	    blk_last_mac(d, g) > LF_BLK_PEEK)
		pf = blk_next(desc, i + 1, params_bytes, act_bytes, &tn);
#else
	(void)desc, (void)ndesc, (void)i, (void)params_bytes, (void)act_bytes,
	    (void)mine;
#endif
	if (!pf)
		tn = tb; /* not read (blk_wtask loads ahead only with pf) */
	blk_bands(params, act, &tl, &tb, &tn, pf, g->nunit, lut, w0, s->m0,
		  s->dw0, s->c0, wb, lb, accrow, pva, pvb);
	s->pre = pf ? i + 2 : 0;
}

/*
 * Checks and runs descriptor @d, number @i of the list @desc of @ndesc;
 * returns its status. w0 and @s: the resident first block (blk_w0s).
 */
static lf_i32
blk_layer(LF_GLOBAL const lf_u32 *desc, lf_u32 ndesc, lf_u32 i,
	  LF_GLOBAL const lf_beat *params, lf_u32 params_bytes,
	  LF_GLOBAL lf_beat *act, lf_u32 act_bytes, const lf_desc *d,
	  LF_LOCAL lf_u8 w0[LF_BLK_W0BEATS][LF_BLK_LANES], struct blk_w0s *s,
	  LF_LOCAL lf_u8 wb[LF_BLK_WBEATS * LF_BLK_LANES][LF_BLK_LANES],
	  LF_LOCAL lf_u8 lb[LF_BLK_LBEATS][LF_BLK_LANES],
	  LF_LOCAL lf_u32 accrow[LF_BLK_IW_MAX][LF_BLK_ACC],
	LF_LOCAL lf_u8 pva[LF_POOL_BLK_ROW][LF_BLK_LANES],
	LF_LOCAL lf_u8 pvb[LF_POOL_BLK_ROW][LF_BLK_LANES])
{
	struct blk_geo g;
	/* Loaded ahead for this descriptor (LF_DF_WPRE on the one before)? */
	lf_u32 mine = s->pre == i + 1;
	s->pre = 0;
	lf_i32 st = blk_check(d, params_bytes, act_bytes, &g, 0);
	if (st == LF_KST_OK)
		st = blk_check_wzp(params, d, &g);
	LF_DESC_DONE();
	if (st == LF_KST_OK)
		blk_run(desc, ndesc, i, params, params_bytes, act, act_bytes, d,
			&g, mine, w0, s, wb, lb, accrow, pva, pvb);
	return st;
}

#endif /* LF_CONV_BLK_H */
