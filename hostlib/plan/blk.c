/* blk.c - NCHW <-> blocked conversion and blocked conv packing (blk.h). */
#include <string.h>

#include "hostlib/plan/blk.h"
#include "hostlib/plan/quant.h"
#include "hostlib/plan/tile.h"

#define BLK_MAX (1ull << 62)

/* a * b into *r unless it passes BLK_MAX. */
static int mul_ok(uint64_t a, uint64_t b, uint64_t *r)
{
	if (a && b > BLK_MAX / a)
		return 0;
	*r = a * b;
	return 1;
}

lf_status lf__blk_bytes(uint64_t n, uint64_t c, uint64_t h, uint64_t w,
			uint64_t *bytes)
{
	uint64_t v = LF_BLK_LANES;
	if (!mul_ok(v, n, &v) || !mul_ok(v, lf__blk_cb(c), &v) ||
	    !mul_ok(v, h, &v) || !mul_ok(v, w, &v))
		return LF_ERR_OVERFLOW;
	*bytes = v;
	return LF_OK;
}

/* One copy loop for both directions: @to_blk NCHW @x -> blocked @b (pad
 * lanes @pad), else blocked @b -> NCHW @x (pad lanes not read). */
static void convert(uint8_t *x, uint8_t *b, uint64_t n, uint64_t c, uint64_t h,
		    uint64_t w, int to_blk, uint8_t pad)
{
	uint64_t cb = lf__blk_cb(c), hw = h * w;
	for (uint64_t i = 0; i < n; i++)
		for (uint64_t k = 0; k < cb; k++) {
			uint64_t c0 = k * LF_BLK_LANES;
			uint64_t nl =
			    c - c0 < LF_BLK_LANES ? c - c0 : LF_BLK_LANES;
			uint8_t *blk = b + (i * cb + k) * hw * LF_BLK_LANES;
			uint8_t *pl = x + (i * c + c0) * hw;
			for (uint64_t p = 0; p < hw; p++) {
				uint8_t *beat = blk + p * LF_BLK_LANES;
				if (!to_blk) {
					for (uint64_t l = 0; l < nl; l++)
						pl[l * hw + p] = beat[l];
					continue;
				}
				for (uint64_t l = 0; l < nl; l++)
					beat[l] = pl[l * hw + p];
				memset(beat + nl, pad, LF_BLK_LANES - nl);
			}
		}
}

void lf__blk_from_nchw(const uint8_t *x, uint8_t *dst, uint64_t n, uint64_t c,
		       uint64_t h, uint64_t w, uint8_t pad)
{
	/* convert() does not write x when converting to blocked. */
	convert((uint8_t *)(uintptr_t)x, dst, n, c, h, w, 1, pad);
}

void lf__blk_to_nchw(const uint8_t *src, uint8_t *y, uint64_t n, uint64_t c,
		     uint64_t h, uint64_t w)
{
	convert(y, (uint8_t *)(uintptr_t)src, n, c, h, w, 0, 0);
}

int lf__blk_dw(const struct lf__layer *L)
{
	return L->op == LF_KOP_CONV2D && L->groups > 1 && L->groups == L->ic &&
	       L->oc == L->ic;
}

lf_status lf__blk_conv_bytes(const struct lf__layer *L, uint64_t *w_bytes,
			     uint64_t *rec_bytes)
{
	int dw = lf__blk_dw(L);
	if (L->op != LF_KOP_CONV2D || (L->groups != 1 && !dw) ||
	    L->y_type == LF_DTYPE_INT32 || L->w_scale_count < 1)
		return LF_ERR_UNSUPPORTED;
	uint64_t ocb = lf__blk_cb((uint64_t)L->oc);
	/* dense: 64 x 64 bytes per (ocb, tap, icb); depthwise: one beat per
	 * (ocb, tap) */
	uint64_t wb = dw ? LF_BLK_LANES : (uint64_t)LF_BLK_LANES * LF_BLK_LANES;
	uint64_t rb;
	if (!mul_ok(wb, ocb, &wb) || !mul_ok(wb, (uint64_t)L->kh, &wb) ||
	    !mul_ok(wb, (uint64_t)L->kw, &wb) ||
	    !mul_ok(wb, dw ? 1 : lf__blk_cb((uint64_t)L->ic), &wb) ||
	    !mul_ok(ocb, (uint64_t)LF_BLK_LANES * LF_BLK_REC_BYTES, &rb))
		return LF_ERR_OVERFLOW;
	*w_bytes = wb;
	*rec_bytes = rb;
	return LF_OK;
}

/* One weight beat: output channel @c's input channels ib*64 .. +63 of tap
 * (a, b); pad input lanes carry the channel's w_zp, a pad channel is 0. */
static void pack_beat(const struct lf__layer *L, const uint8_t *w, uint64_t c,
		      uint64_t ib, uint64_t a, uint64_t b, uint8_t *o)
{
	uint64_t ic = (uint64_t)L->ic, kh = (uint64_t)L->kh,
		 kw = (uint64_t)L->kw;
	if (c >= (uint64_t)L->oc) {
		memset(o, 0, LF_BLK_LANES);
		return;
	}
	uint8_t zp = (uint8_t)L->w_zp[L->w_zp_count == 1 ? 0 : c];
	for (uint64_t il = 0; il < LF_BLK_LANES; il++) {
		uint64_t i = ib * LF_BLK_LANES + il;
		o[il] = i < ic ? w[((c * ic + i) * kh + a) * kw + b] : zp;
	}
}

/* Depthwise weights: w_pk[cb][a][b][l] = w[cb*64 + l][0][a][b], pad lanes
 * 0 (lf_desc.h: their output is the pad formula whatever they hold). */
static void pack_dw(const struct lf__layer *L, const uint8_t *w, uint8_t *wpk)
{
	uint64_t oc = (uint64_t)L->oc, taps = (uint64_t)L->kh * L->kw;
	memset(wpk, 0, lf__blk_cb(oc) * taps * LF_BLK_LANES);
	for (uint64_t c = 0; c < oc; c++)
		for (uint64_t t = 0; t < taps; t++)
			wpk[((c / LF_BLK_LANES) * taps + t) * LF_BLK_LANES +
			    c % LF_BLK_LANES] = w[c * taps + t];
}

void lf__blk_pack_conv(const struct lf__layer *L, const void *w,
		       const void *bias, uint8_t *wpk, uint8_t *rec)
{
	uint64_t oc = (uint64_t)L->oc;
	uint64_t ocb = lf__blk_cb(oc), icb = lf__blk_cb((uint64_t)L->ic);
	uint8_t *o = wpk;
	if (lf__blk_dw(L))
		pack_dw(L, w, wpk);
	else
		for (uint64_t ob = 0; ob < ocb; ob++)
			for (uint64_t a = 0; a < (uint64_t)L->kh; a++)
				for (uint64_t b = 0; b < (uint64_t)L->kw; b++)
					for (uint64_t ib = 0; ib < icb; ib++)
						for (uint64_t ol = 0;
						     ol < LF_BLK_LANES;
						     ol++, o += LF_BLK_LANES)
							pack_beat(
							    L, w,
							    ob * LF_BLK_LANES +
								ol,
							    ib, a, b, o);
	memset(rec, 0, ocb * LF_BLK_LANES * LF_BLK_REC_BYTES);
	for (uint64_t c = 0; c < oc; c++) {
		uint8_t *r = rec + c * LF_BLK_REC_BYTES;
		int32_t bv = 0, zp = L->w_zp[L->w_zp_count == 1 ? 0 : c];
		if (bias)
			memcpy(&bv, (const uint8_t *)bias + 4 * c, 4);
		float ws = L->w_scale[L->w_scale_count == 1 ? 0 : c];
		float m = lf__quant_mult(L->x_scale, ws, L->y_scale);
		memcpy(r, &bv, 4);
		memcpy(r + 4, &zp, 4);
		memcpy(r + 8, &m, 4);
	}
}

void lf__blk_conv_desc(const struct lf__layer *L, lf_desc *d)
{
	lf__desc_common(L, d);
	lf__desc_window(L, d);
	d->flags = LF_DF_BLK;
	d->ic = (uint32_t)L->ic;
	d->oc = (uint32_t)L->oc;
	d->groups = lf__blk_dw(L) ? (uint32_t)L->groups : 1;
}

int lf__blk_fold_layer(const struct lf__layer *L, struct lf__layer *F,
		       struct lf__blk_fold *f)
{
	uint64_t wb, rb;
	if (lf__blk_conv_bytes(L, &wb, &rb) != LF_OK || L->groups != 1 ||
	    L->kw < 2 || L->dil_w != 1 ||
	    (uint64_t)L->kw * (uint64_t)L->ic > LF_BLK_LANES)
		return 0;
	*F = *L;
	F->ic = L->kw * L->ic;
	F->iw = L->ow;
	F->kw = 1;
	F->stride_w = 1;
	F->dil_w = 1;
	F->pad_l = F->pad_r = 0;
	uint64_t pw =
	    (uint64_t)(L->ow - 1) * (uint64_t)L->stride_w + (uint64_t)L->kw;
	*f = (struct lf__blk_fold){(uint64_t)L->n,
				   (uint64_t)L->ic,
				   (uint64_t)L->ih,
				   (uint64_t)L->iw,
				   (uint64_t)L->ow,
				   (uint64_t)L->kw,
				   (uint64_t)L->stride_w,
				   (uint64_t)L->pad_l,
				   (pw * (uint64_t)L->ic + LF_BLK_LANES - 1) /
				       LF_BLK_LANES};
	return 1;
}

void lf__blk_fold_weights(const struct lf__layer *L, const uint8_t *w,
			  uint8_t *wf)
{
	uint64_t ic = (uint64_t)L->ic, kh = (uint64_t)L->kh,
		 kw = (uint64_t)L->kw;
	for (uint64_t o = 0; o < (uint64_t)L->oc; o++)
		for (uint64_t b = 0; b < kw; b++)
			for (uint64_t c = 0; c < ic; c++)
				for (uint64_t a = 0; a < kh; a++)
					wf[(o * kw * ic + b * ic + c) * kh +
					   a] =
					    w[((o * ic + c) * kh + a) * kw + b];
}

void lf__blk_fold_desc(const struct lf__layer *L, lf_desc *d)
{
	lf__blk_conv_desc(L, d);
	d->flags |= LF_DF_XFOLD;
}

uint64_t lf__blk_fold_bytes(const struct lf__blk_fold *f)
{
	return f->n * f->ih * f->xrb * LF_BLK_LANES;
}

void lf__blk_fold_x(const struct lf__blk_fold *f, const uint8_t *x,
		    uint8_t *dst, uint8_t zp)
{
	memset(dst, zp, lf__blk_fold_bytes(f));
	uint64_t pw = (f->ow - 1) * f->stride_w + f->kw; /* pixels read */
	/* Row (i, y): pixel q = xi + pad_l at byte q * ic, channel-minor. */
	for (uint64_t i = 0; i < f->n; i++)
		for (uint64_t c = 0; c < f->ic; c++)
			for (uint64_t y = 0; y < f->ih; y++) {
				const uint8_t *src =
				    x + ((i * f->ic + c) * f->ih + y) * f->iw;
				uint8_t *row = dst + (i * f->ih + y) * f->xrb *
							 LF_BLK_LANES;
				for (uint64_t xi = 0; xi < f->iw; xi++)
					if (xi + f->pad_l < pw)
						row[(xi + f->pad_l) * f->ic +
						    c] = src[xi];
			}
}

int lf__blk_mm_layer(const struct lf__layer *M, struct lf__layer *C)
{
	if (M->op != LF_KOP_MATMUL || M->batch != 1 || M->w_batch != 1 ||
	    M->y_type == LF_DTYPE_INT32 || M->w_scale_count < 1)
		return 0;
	*C = *M;
	C->op = LF_KOP_CONV2D;
	C->n = M->m;
	C->ic = M->k;
	C->oc = M->cols;
	C->ih = C->iw = C->oh = C->ow = 1;
	C->kh = C->kw = 1;
	C->stride_h = C->stride_w = 1;
	C->dil_h = C->dil_w = 1;
	C->pad_t = C->pad_l = C->pad_b = C->pad_r = 0;
	C->groups = 1;
	C->batch = C->m = C->k = C->cols = C->w_batch = 0;
	return 1;
}

void lf__blk_mm_weights(const struct lf__layer *M, const uint8_t *b, uint8_t *w)
{
	uint64_t k = (uint64_t)M->k, cols = (uint64_t)M->cols;
	for (uint64_t o = 0; o < cols; o++)
		for (uint64_t i = 0; i < k; i++)
			w[o * k + i] = b[i * cols + o];
}
