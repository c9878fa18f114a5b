/*
 * blk.h - the blocked channels-last device layout (hls/lf_desc.h,
 * "Blocked layout (LF_DF_BLK ...)") on the host side: converting a
 * tensor between NCHW and the blocked form at a device segment's entry
 * and exit, and packing a conv layer's constants once, at model load,
 * into the order the blocked conv datapath streams them.
 *
 * A tensor of n images, c channels, h x w pixels is, blocked,
 * n * cb * h * w * 64 bytes, cb = ceil(c / 64); element (i, ch, y, x) is
 * the byte at (((i * cb + ch / 64) * h + y) * w + x) * 64 + ch % 64. The
 * lanes ch >= c of the last block are pad lanes: the host fills them with
 * the tensor's zero point and never reads them back.
 *
 * Conv constants (LF_DF_BLK): weights w_pk[ocb][a][b][icb][o][i], 4096
 * bytes per (ocb, a, b, icb); records of LF_BLK_REC_BYTES per output
 * channel { int32 bias, int32 w_zp, float32 mult, int32 0 }, ocb * 64 of
 * them, those of pad channels all zero. A depthwise conv (groups == ic ==
 * oc, lf__blk_dw()): weights w_pk[cb][a][b][l], one beat per (block,
 * tap), lane l channel cb*64 + l's weight, pad lanes 0; records the same.
 */
#ifndef LF_PLAN_BLK_H
#define LF_PLAN_BLK_H

#include <stdint.h>

#include "hostlib/ir/layer.h"
#include "layerfab.h"

/* Channel blocks of @c channels: ceil(c / 64). */
static inline uint64_t lf__blk_cb(uint64_t c)
{
	return (c + LF_BLK_LANES - 1) / LF_BLK_LANES;
}

/*
 * lf__blk_bytes() - bytes of an n x c x h x w tensor blocked.
 * Return: LF_OK and *bytes; LF_ERR_OVERFLOW when the size passes 2^62
 * (*bytes untouched).
 */
lf_status lf__blk_bytes(uint64_t n, uint64_t c, uint64_t h, uint64_t w,
			uint64_t *bytes);

/*
 * lf__blk_from_nchw() - the 8-bit NCHW tensor @x (n, c, h, w) into @dst
 * blocked (lf__blk_bytes() bytes), pad lanes set to @pad (the tensor's
 * zero point, as a byte).
 */
void lf__blk_from_nchw(const uint8_t *x, uint8_t *dst, uint64_t n, uint64_t c,
		       uint64_t h, uint64_t w, uint8_t pad);

/* lf__blk_to_nchw() - the blocked tensor @src back into NCHW @y; pad
 * lanes are not read. */
void lf__blk_to_nchw(const uint8_t *src, uint8_t *y, uint64_t n, uint64_t c,
		     uint64_t h, uint64_t w);

/* lf__blk_dw() - conv layer @L is depthwise with channel multiplier 1
 * (groups == ic == oc > 1): the blocked depthwise form of lf_desc.h. */
int lf__blk_dw(const struct lf__layer *L);

/*
 * lf__blk_conv_bytes() - bytes of conv layer @L's packed weights and of its
 * records. Only a conv with groups == 1 or depthwise (lf__blk_dw()) and an
 * 8-bit output has a blocked form. Return: LF_OK; LF_ERR_UNSUPPORTED
 * (other groups, int32 output); LF_ERR_OVERFLOW (past 2^62).
 */
lf_status lf__blk_conv_bytes(const struct lf__layer *L, uint64_t *w_bytes,
			     uint64_t *rec_bytes);

/*
 * lf__blk_pack_conv() - @L's weights @w (w[oc][ic][kh][kw], w_type bytes)
 * and int32 @bias (NULL: none) packed into @wpk and @rec, of the sizes
 * lf__blk_conv_bytes() gave: pad input lanes carry the channel's w_zp (so
 * they contribute 0), pad output channels are 0, mult[c] is
 * lf__quant_mult(x_scale, w_scale[c], y_scale) as for NCHW descriptors.
 */
void lf__blk_pack_conv(const struct lf__layer *L, const void *w,
		       const void *bias, uint8_t *wpk, uint8_t *rec);

/*
 * lf__blk_conv_desc() - the one LF_DF_BLK descriptor of the whole conv
 * layer @L (groups 1 or depthwise, 8-bit y): shape, window, zero points, clamp;
 * act and params offsets left 0 (x_off, y_off, w_off = the packed weights,
 * w_zp_off = the records, for the caller to set).
 */
void lf__blk_conv_desc(const struct lf__layer *L, lf_desc *d);

/*
 * Stem folding (issue 12; kernel-review.md 4.2, item 7): a conv whose
 * input has few channels (the 7x7 stride-2 stem: ic 3) wastes the lanes
 * of every beat. It runs as the conv over x folded instead: x'[n][b * ic
 * + c][y][xo] = x[n][c][y][xo * stride_w + b - pad_l] (the zero point
 * where that is outside the row), w'[o][b * ic + c][a][0] = w[o][c][a][b],
 * a kh x 1 conv over kw * ic channels, stride (stride_h, 1), no column
 * padding, ow columns wide. The sum over (a, b, c) is the same, term by
 * term, and a padded tap is (x_zp - x_zp) * w = 0 either way: the same
 * bytes. The kernel folds (LF_DF_XFOLD, lf_desc.h "Folded input"): at a
 * segment's entry the host uploads x as compact rows, pixel-major, the
 * row's padding columns included (lf__blk_fold_x), 150 KiB for a 224 x
 * 224 RGB image where the folded tensor is 1.6 MB. Dilation 1 only.
 */
struct lf__blk_fold {
	uint64_t n, ic, ih, iw, ow, kw, stride_w, pad_l;
	uint64_t xrb; /* beats of a compact row: ceil(pw * ic / 64) */
};

/*
 * lf__blk_fold_layer() - @L folded into @F (and its geometry into @f):
 * only for a conv with a dense blocked form (groups 1), kw > 1, dil_w 1
 * and kw * ic <= 64 (one channel block). @F is what the kernel computes
 * (blk_view), its weights' shape; the descriptor is @L's with
 * LF_DF_XFOLD (lf__blk_fold_desc). Return: 1, or 0 when @L does not fold.
 */
int lf__blk_fold_layer(const struct lf__layer *L, struct lf__layer *F,
		       struct lf__blk_fold *f);

/* The folded weights w' (oc x kw*ic x kh x 1 bytes) of @L's @w. */
void lf__blk_fold_weights(const struct lf__layer *L, const uint8_t *w,
			  uint8_t *wf);

/* The descriptor of folded @L (lf__blk_conv_desc with LF_DF_XFOLD). */
void lf__blk_fold_desc(const struct lf__layer *L, lf_desc *d);

/* Bytes of the compact input: n * ih * xrb * 64. */
uint64_t lf__blk_fold_bytes(const struct lf__blk_fold *f);

/* The NCHW input @x as the compact rows of LF_DF_XFOLD into @dst:
 * padding columns and the rest of each row's last beat @zp. */
void lf__blk_fold_x(const struct lf__blk_fold *f, const uint8_t *x,
		    uint8_t *dst, uint8_t zp);

/*
 * Matmul as a blocked 1x1 conv (issue 12: "FC/matmul as 1x1 over rows"):
 * Y[m][cols] = A[m][k] x B[k][cols] is the conv of m images of k channels
 * and 1 x 1 pixels with cols output channels and the 1 x 1 kernel
 * w[o][i][0][0] = B[i][o]: each output is the same sum of the same
 * (x - x_zp) * (w - w_zp[o]) terms plus bias[o], wrapped to int32, and
 * requantized with the same mult[o] = (x_scale * w_scale[o]) / y_scale,
 * rounded and clamped the same way (lf_desc.h's one formula for both ops;
 * hostlib/cpu/ref_linear.c's reference computes both with ref_store()).
 * In the blocked layout A (m, k, 1, 1) is [m][cb(k)][64] and Y (m, cols,
 * 1, 1) is [m][cb(cols)][64]: row-major bytes with each row padded to
 * whole 64-channel blocks.
 */

/*
 * lf__blk_mm_layer() - matmul layer @M (batch 1, one B, 8-bit output) as
 * that conv layer @C (n = m, ic = k, oc = cols, 1 x 1 everything), its
 * quantization unchanged. Return: 1, or 0 when @M has no blocked form.
 */
int lf__blk_mm_layer(const struct lf__layer *M, struct lf__layer *C);

/* The conv weights w[cols][k] (1 x 1 taps) of @M's B[k][cols] @b. */
void lf__blk_mm_weights(const struct lf__layer *M, const uint8_t *b,
			uint8_t *w);

#endif /* LF_PLAN_BLK_H */
