/*
 * test_blk_kernel.c - a stand-in lfk_engine with blocked datapaths, for
 * the model planner's tests of LF_DF_BLK segments before the real blocked
 * datapaths exist, built into build/tests/emu_blk.so (with hls/cycles.c)
 * and loaded by the emulator with trust_xclbin=1.
 *
 * Descriptors without LF_DF_BLK run on the real engine (hls/engine.c,
 * included here under another name). LF_DF_BLK ones are interpreted from
 * the text of hls/lf_desc.h (blk_interp.h): a conv from its packed
 * weights and records; pooling and add by converting the blocked
 * operands to NCHW scratch memory, running the NCHW descriptor on the
 * real engine and converting y back (its pad lanes written 0). Modeled
 * cycles are only those of the real engine's descriptors.
 */
#include <stdlib.h>
#include <string.h>

#define lfk_engine lfk__nchw_engine
#include "engine.c"
#undef lfk_engine

#include "blk_interp.h"

LF_EXPORT void lfk_engine(lf_desc *desc, lf_u32 ndesc, const lf_u8 *params,
			  lf_u32 params_bytes, lf_u8 *act, lf_u32 act_bytes);

static int tb_out(uint64_t off, uint64_t n, uint64_t size)
{
	return n > size || off > size - n;
}

static int32_t tb_conv(lf_desc *d, const lf_u8 *params, lf_u32 pb, lf_u8 *act,
		       lf_u32 ab)
{
	int xf = (d->flags & LF_DF_XFOLD) != 0;
	if (d->groups != 1 || (d->flags & ~(LF_DF_BLK | LF_DF_XFOLD)) ||
	    (xf && (d->kw * d->ic > 64 || d->dil_w != 1)))
		return LF_KST_BAD_OP;
	if (d->y_type == LF_KDT_I32)
		return LF_KST_BAD_TYPE;
	struct t4 xs = {d->n, d->ic, d->ih, d->iw};
	struct t4 ys = {d->n, d->oc, d->oh, d->ow};
	/* folded: x compact rows, the weights of the kh x 1 conv */
	uint64_t xb = xf ? d->n * d->ih * t_xfold_row(d) : t_blk_bytes(xs);
	uint64_t wb =
	    t_cb(d->oc) * d->kh * (xf ? 1 : d->kw * t_cb(d->ic)) * 4096;
	if (tb_out(d->x_off, xb, ab) || tb_out(d->y_off, t_blk_bytes(ys), ab) ||
	    tb_out(d->w_off, wb, pb) ||
	    tb_out(d->w_zp_off, t_cb(d->oc) * 64 * 16, pb))
		return LF_KST_BOUNDS;
	t_blk_conv(d, params, act);
	return LF_KST_OK;
}

/* Pooling or add: through NCHW scratch and the real engine. */
static int32_t tb_via_nchw(lf_desc *d, const lf_u8 *params, lf_u32 pb,
			   lf_u8 *act, lf_u32 ab)
{
	int add = d->op == LF_KOP_ADD;
	struct t4 xs = {d->n, d->ic, d->ih, d->iw};
	struct t4 ys = {d->n, d->ic, d->oh, d->ow};
	if (add)
		ys = xs;
	uint64_t x2n = !add			      ? 0
		       : (d->flags & LF_DF_X2_SCALAR) ? 1
		       : (d->flags & LF_DF_X2_PER_CH)
			   ? d->ic
			   : d->n * d->ic * d->ih * d->iw;
	uint64_t x2b = !add			      ? 0
		       : (d->flags & LF_DF_X2_SCALAR) ? 1
		       : (d->flags & LF_DF_X2_PER_CH) ? t_cb(d->ic) * 64
						      : t_blk_bytes(xs);
	if (tb_out(d->x_off, t_blk_bytes(xs), ab) ||
	    tb_out(d->y_off, t_blk_bytes(ys), ab) ||
	    (add && tb_out(d->x2_off, x2b, ab)))
		return LF_KST_BOUNDS;
	uint64_t xn = xs.n * xs.c * xs.h * xs.w, yn = ys.n * ys.c * ys.h * ys.w;
	uint8_t *s = malloc(xn + x2n + yn + 1);
	if (!s)
		return LF_KST_LIMIT;
	t_from_blk(xs, act + d->x_off, s);
	if (add && x2n == xn)
		t_from_blk(xs, act + d->x2_off, s + xn);
	else if (add)
		memcpy(s + xn, act + d->x2_off, x2n);
	lf_desc nd = *d;
	nd.flags &= ~LF_DF_BLK;
	nd.x_off = 0;
	nd.x2_off = (lf_u32)xn;
	nd.y_off = (lf_u32)(xn + x2n);
	nd.status = LF_KST_PENDING;
	nd.nonce = 0; /* the plain code back; lfk_engine echoes d's */
	lfk__nchw_engine((void *)&nd, 1, (void *)params, pb, (void *)s,
			 (lf_u32)(xn + x2n + yn));
	if (nd.status == LF_KST_OK) {
		memset(act + d->y_off, 0, t_blk_bytes(ys));
		t_to_blk(ys, s + xn + x2n, act + d->y_off, 0);
	}
	free(s);
	return nd.status;
}

LF_EXPORT void lfk_engine(lf_desc *desc, lf_u32 ndesc, const lf_u8 *params,
			  lf_u32 params_bytes, lf_u8 *act, lf_u32 act_bytes)
{
	for (lf_u32 i = 0; i < ndesc; i++) {
		lf_desc *d = &desc[i];
		lf_i32 st;
		if (d->op == LF_KOP_CSUM && !(d->flags & LF_DF_BLK)) {
			/* The transfer checksum (lf_desc.h "Checksum") on the
			 * real engine, in a list of its own whose second
			 * descriptor takes the digest, copied where this
			 * list's descriptor asks (its words, which a list of
			 * one would not have). */
			lf_desc two[2] = {*d, *d};
			two[0].y_off = LF_DESC_WORDS + 4;
			two[1].csum_len = 0;
			two[1].y_off = LF_DESC_WORDS + 8;
			lfk__nchw_engine((void *)two, 2, (void *)params,
					 params_bytes, (void *)act, act_bytes);
			st = lf_kst_code((lf_u32)two[0].status);
			if (st == LF_KST_OK &&
			    (uint64_t)d->y_off + 4 >
				(uint64_t)ndesc * LF_DESC_WORDS)
				st = LF_KST_BOUNDS;
			if (st == LF_KST_OK)
				memcpy((lf_u32 *)(void *)desc + d->y_off,
				       (lf_u32 *)(void *)two + LF_DESC_WORDS +
					   4,
				       16);
		} else if (!(d->flags & LF_DF_BLK)) {
			lfk__nchw_engine((void *)d, 1, (void *)params,
					 params_bytes, (void *)act, act_bytes);
			st = lf_kst_code((lf_u32)d->status);
		} else if (d->magic != LF_DESC_MAGIC) {
			st = LF_KST_BAD_MAGIC;
		} else if ((d->x_off | d->x2_off | d->y_off | d->w_off |
			    d->w_zp_off) %
			   64) {
			st = LF_KST_BOUNDS;
		} else if (d->op == LF_KOP_CONV2D) {
			st = tb_conv(d, params, params_bytes, act, act_bytes);
		} else if (d->op == LF_KOP_MAXPOOL || d->op == LF_KOP_AVGPOOL ||
			   d->op == LF_KOP_ADD) {
			st = tb_via_nchw(d, params, params_bytes, act,
					 act_bytes);
		} else {
			st = LF_KST_BAD_OP;
		}
		/* The status word echoes the nonce (lf_desc.h). */
		d->status = (lf_i32)lf_kst_word(st, d->nonce);
		if (st != LF_KST_OK)
			return;
	}
}
