/*
 * ref_linear.c - reference QLinearConv / ConvInteger and QLinearMatMul /
 * MatMulInteger: one output element at a time, textbook loops.
 */
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"

static int32_t ref_load(lf_dtype t, const void *base, size_t i)
{
	if (t == LF_DTYPE_UINT8)
		return ((const uint8_t *)base)[i];
	return ((const int8_t *)base)[i];
}

static int ref_is_8bit(lf_dtype t)
{
	return t == LF_DTYPE_UINT8 || t == LF_DTYPE_INT8;
}

static int ref_out_ok(lf_dtype t)
{
	return ref_is_8bit(t) || t == LF_DTYPE_INT32;
}

/* The documented requantization; also stores the result. */
static void ref_store(lf_dtype t, void *base, size_t i, int32_t acc, float mult,
		      int32_t y_zp, int32_t lo, int32_t hi)
{
	if (t == LF_DTYPE_INT32) {
		((int32_t *)base)[i] = acc;
		return;
	}
	float v = (float)acc * mult;
	/* Clamp in float first so the conversion below cannot overflow. */
	if (v > 1e6f)
		v = 1e6f;
	if (v < -1e6f)
		v = -1e6f;
	int32_t q = (int32_t)nearbyintf(v) + y_zp;
	if (q < lo)
		q = lo;
	if (q > hi)
		q = hi;
	if (t == LF_DTYPE_UINT8)
		((uint8_t *)base)[i] = (uint8_t)q;
	else
		((int8_t *)base)[i] = (int8_t)q;
}

static int ref_clamp_ok(lf_dtype t, int32_t lo, int32_t hi)
{
	if (t == LF_DTYPE_INT32)
		return 1;
	int32_t tmin = t == LF_DTYPE_UINT8 ? 0 : -128;
	int32_t tmax = t == LF_DTYPE_UINT8 ? 255 : 127;
	return lo >= tmin && hi <= tmax && lo <= hi;
}

static int ref_zp_ok(lf_dtype t, int32_t zp)
{
	if (t == LF_DTYPE_UINT8)
		return zp >= 0 && zp <= 255;
	return zp >= -128 && zp <= 127;
}

int lf__ref_out_dim(int in, int k, int stride, int pad_begin, int pad_end,
		    int dil)
{
	if (in <= 0 || k <= 0 || stride <= 0 || dil <= 0 || pad_begin < 0 ||
	    pad_end < 0)
		return -1;
	long span = (long)(k - 1) * dil + 1;
	long avail = (long)in + pad_begin + pad_end;
	if (avail < span)
		return -1;
	return (int)((avail - span) / stride + 1);
}

static int ref_quant_ok(lf_dtype xt, lf_dtype wt, lf_dtype yt, int32_t x_zp,
			const int32_t *w_zp, int w_zp_count, int channels,
			int32_t y_zp, float x_scale, float y_scale,
			const float *w_scale, int w_scale_count, int32_t lo,
			int32_t hi)
{
	if (!ref_is_8bit(xt) || !ref_is_8bit(wt) || !ref_out_ok(yt))
		return 0;
	if (!ref_zp_ok(xt, x_zp) || !w_zp ||
	    (w_zp_count != 1 && w_zp_count != channels))
		return 0;
	for (int c = 0; c < w_zp_count; c++)
		if (!ref_zp_ok(wt, w_zp[c]))
			return 0;
	if (yt == LF_DTYPE_INT32)
		return 1;
	if (!ref_zp_ok(yt, y_zp) || !ref_clamp_ok(yt, lo, hi))
		return 0;
	if (!w_scale || (w_scale_count != 1 && w_scale_count != channels))
		return 0;
	if (!(x_scale > 0.0f) || !(y_scale > 0.0f) || isinf(x_scale) ||
	    isinf(y_scale))
		return 0;
	for (int c = 0; c < w_scale_count; c++)
		if (!(w_scale[c] > 0.0f) || isinf(w_scale[c]))
			return 0;
	return 1;
}

lf_status lf__ref_qconv2d(const struct lf_ref_qconv *p, const void *x,
			  const void *w, void *y)
{
	if (!p || !x || !w || !y)
		return LF_ERR_INVALID_ARG;
	if (p->n <= 0 || p->ic <= 0 || p->oc <= 0 || p->groups <= 0 ||
	    p->ic % p->groups || p->oc % p->groups)
		return LF_ERR_SHAPE;
	int oh = lf__ref_out_dim(p->ih, p->kh, p->stride_h, p->pad_t, p->pad_b,
				 p->dil_h);
	int ow = lf__ref_out_dim(p->iw, p->kw, p->stride_w, p->pad_l, p->pad_r,
				 p->dil_w);
	if (oh <= 0 || ow <= 0)
		return LF_ERR_SHAPE;
	if (!ref_quant_ok(p->x_type, p->w_type, p->y_type, p->x_zp, p->w_zp,
			  p->w_zp_count, p->oc, p->y_zp, p->x_scale, p->y_scale,
			  p->w_scale, p->w_scale_count, p->act_min, p->act_max))
		return LF_ERR_INVALID_ARG;

	int icg = p->ic / p->groups; /* input channels per group */
	int ocg = p->oc / p->groups; /* output channels per group */
	for (int n = 0; n < p->n; n++)
		for (int o = 0; o < p->oc; o++) {
			int g = o / ocg;
			int32_t wzp = p->w_zp[p->w_zp_count == 1 ? 0 : o];
			float mult = 0.0f;
			if (p->y_type != LF_DTYPE_INT32) {
				float ws =
				    p->w_scale[p->w_scale_count == 1 ? 0 : o];
				mult = (p->x_scale * ws) / p->y_scale;
			}
			for (int yh = 0; yh < oh; yh++)
				for (int yw = 0; yw < ow; yw++) {
					int32_t acc = p->bias ? p->bias[o] : 0;
					for (int c = 0; c < icg; c++)
						for (int a = 0; a < p->kh; a++)
							for (int b = 0;
							     b < p->kw; b++) {
								int hh =
								    yh *
									p->stride_h -
								    p->pad_t +
								    a * p->dil_h;
								int ww =
								    yw *
									p->stride_w -
								    p->pad_l +
								    b * p->dil_w;
								int32_t xv =
								    p->x_zp; /* padding */
								if (hh >= 0 &&
								    hh <
									p->ih &&
								    ww >= 0 &&
								    ww < p->iw)
									xv = ref_load(
									    p->x_type,
									    x,
									    (((size_t)n *
										  p->ic +
									      (size_t)g *
										  icg +
									      c) *
										 p->ih +
									     hh) *
										    p->iw +
										ww);
								int32_t wv = ref_load(
								    p->w_type,
								    w,
								    (((size_t)o *
									  icg +
								      c) *
									 p->kh +
								     a) * p->kw +
									b);
								/* int32
								 * wrap-around,
								 * as the
								 * hardware. */
								acc =
								    (int32_t)((uint32_t)
										  acc +
									      (uint32_t)((xv -
											  p->x_zp) *
											 (wv -
											  wzp)));
							}
					ref_store(
					    p->y_type, y,
					    (((size_t)n * p->oc + o) * oh +
					     yh) * ow +
						yw,
					    acc, mult, p->y_zp, p->act_min,
					    p->act_max);
				}
		}
	return LF_OK;
}

lf_status lf__ref_qmatmul(const struct lf_ref_qmatmul *p, const void *x,
			  const void *w, void *y)
{
	if (!p || !x || !w || !y)
		return LF_ERR_INVALID_ARG;
	if (p->batch <= 0 || p->m <= 0 || p->k <= 0 || p->n <= 0 ||
	    (p->w_batch != 1 && p->w_batch != p->batch))
		return LF_ERR_SHAPE;
	if (!ref_quant_ok(p->x_type, p->w_type, p->y_type, p->x_zp, p->w_zp,
			  p->w_zp_count, p->n, p->y_zp, p->x_scale, p->y_scale,
			  p->w_scale, p->w_scale_count, p->act_min, p->act_max))
		return LF_ERR_INVALID_ARG;
	for (int bt = 0; bt < p->batch; bt++) {
		int wb = p->w_batch == 1 ? 0 : bt;
		for (int i = 0; i < p->m; i++)
			for (int j = 0; j < p->n; j++) {
				int32_t wzp =
				    p->w_zp[p->w_zp_count == 1 ? 0 : j];
				int32_t acc = p->bias ? p->bias[j] : 0;
				for (int q = 0; q < p->k; q++) {
					int32_t a = ref_load(
					    p->x_type, x,
					    ((size_t)bt * p->m + i) * p->k + q);
					int32_t b = ref_load(
					    p->w_type, w,
					    ((size_t)wb * p->k + q) * p->n + j);
					acc =
					    (int32_t)((uint32_t)acc +
						      (uint32_t)((a - p->x_zp) *
								 (b - wzp)));
				}
				float mult = 0.0f;
				if (p->y_type != LF_DTYPE_INT32) {
					float ws =
					    p->w_scale[p->w_scale_count == 1
							   ? 0
							   : j];
					mult = (p->x_scale * ws) / p->y_scale;
				}
				ref_store(p->y_type, y,
					  ((size_t)bt * p->m + i) * p->n + j,
					  acc, mult, p->y_zp, p->act_min,
					  p->act_max);
			}
	}
	return LF_OK;
}
