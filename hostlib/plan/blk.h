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
 * them, those of pad channels all zero.
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

/*
 * lf__blk_conv_bytes() - bytes of conv layer @L's packed weights and of its
 * records. Only a conv with groups == 1 and an 8-bit output has a blocked
 * form. Return: LF_OK; LF_ERR_UNSUPPORTED (grouped, int32 output);
 * LF_ERR_OVERFLOW (past 2^62).
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
 * layer @L (groups 1, 8-bit y): shape, window, zero points, clamp; act
 * and params offsets left 0 (x_off, y_off, w_off = the packed weights,
 * w_zp_off = the records, for the caller to set).
 */
void lf__blk_conv_desc(const struct lf__layer *L, lf_desc *d);

#endif /* LF_PLAN_BLK_H */
