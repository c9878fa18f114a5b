/*
 * node_cpu_quant.c - QuantizeLinear and DequantizeLinear nodes (ONNX and
 * com.microsoft domains): per-tensor or per-axis parameters; the
 * com.microsoft QLinearSigmoid, QLinearLeakyRelu and QLinearMul; and
 * DynamicQuantizeLinear.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/*
 * The quantization axis of @x for scale input @si and zero point input
 * @zi. The zero points are widened into *zp_buf (to free) and their type
 * goes to *zt (LF_DTYPE_INT32 when the zero point is omitted).
 */
static lf_status qaxis_of(const struct lf__nctx *c, const struct lf__tensor *x,
			  size_t si, size_t zi, struct lf_ref_qaxis *q,
			  int32_t **zp_buf, lf_dtype *zt)
{
	const struct lf__tensor *s, *z = lf__nc_in(c, zi);
	lf_status st = lf__nc_need(c, si, &s);
	if (st != LF_OK)
		return st;
	int64_t block;
	st = lf__nc_attr_i(c, "block_size", 0, &block);
	if (st != LF_OK)
		return st;
	if (block != 0)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "blocked quantization (block_size %lld) "
				   "not supported",
				   (long long)block);
	if (s->dtype != LF__ONNX_FLOAT)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "scale of type %s not supported",
				   lf__onnx_dtype_name(s->dtype));
	*zt = LF_DTYPE_INT32;
	if (z && lf__onnx_dtype_to_lf(z->dtype, zt) != LF_OK)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "zero point of type %s not supported",
				   lf__onnx_dtype_name(z->dtype));
	if (z && z->count != s->count)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "zero point has %zu entries, scale %zu",
				   z->count, s->count);

	q->scale = s->data;
	q->nparams = 1;
	q->outer = 1;
	q->channels = x->count;
	q->inner = 1;
	if (!lf__nc_is_scalar(s)) {
		int64_t axis;
		st = lf__nc_attr_i(c, "axis", 1, &axis);
		if (st != LF_OK)
			return st;
		if (axis < -(int64_t)x->rank || axis >= x->rank)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %lld out of range for rank "
					   "%d",
					   (long long)axis, x->rank);
		int ax = (int)(axis < 0 ? axis + x->rank : axis);
		if (s->rank != 1 || s->dims[0] != x->dims[ax])
			return lf__nc_fail(c, LF_ERR_SHAPE,
					   "per-axis scale has %zu entries, "
					   "axis %d has %lld",
					   s->count, ax,
					   (long long)x->dims[ax]);
		st = lf__nc_prod(c, x, 0, ax, &q->outer);
		if (st == LF_OK)
			st = lf__nc_prod(c, x, ax + 1, x->rank, &q->inner);
		if (st != LF_OK)
			return st;
		q->channels = (size_t)x->dims[ax];
		q->nparams = q->channels;
	}
	q->zp = NULL;
	*zp_buf = NULL;
	if (z) {
		*zp_buf = malloc((s->count ? s->count : 1) * sizeof(int32_t));
		if (!*zp_buf)
			return lf__nc_fail(c, LF_ERR_NO_MEMORY,
					   "out of memory");
		for (size_t i = 0; i < s->count; i++)
			(*zp_buf)[i] =
			    *zt == LF_DTYPE_UINT8  ? ((uint8_t *)z->data)[i]
			    : *zt == LF_DTYPE_INT8 ? ((int8_t *)z->data)[i]
						   : ((int32_t *)z->data)[i];
		q->zp = *zp_buf;
	}
	return LF_OK;
}

lf_status lf__nc_quantize_linear(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	if (st != LF_OK)
		return st;
	struct lf_ref_qaxis q;
	int32_t *zp = NULL;
	lf_dtype yt;
	st = qaxis_of(c, x, 1, 2, &q, &zp, &yt);
	if (st != LF_OK)
		goto out;
	if (yt == LF_DTYPE_INT32) /* no zero point: uint8 */
		yt = LF_DTYPE_UINT8;
	if (yt != LF_DTYPE_UINT8 && yt != LF_DTYPE_INT8) {
		st = lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				 "output type %s not supported",
				 lf__onnx_dtype_name(lf__nc_onnx_dtype(yt)));
		goto out;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, lf__nc_onnx_dtype(yt), x->rank, x->dims, &y);
	if (st == LF_OK)
		st = lf__nc_ref_fail(
		    c, lf__ref_quantize_linear(&q, x->data, yt, y->data),
		    "quantize");
out:
	free(zp);
	return st;
}

lf_status lf__nc_dequantize_linear(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_dtype xt;
	lf_status st = lf__nc_dtype(c, 0, &xt);
	if (st != LF_OK)
		return st;
	x = lf__nc_in(c, 0);
	if (xt == LF_DTYPE_FLOAT32)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of type float32 not supported");
	struct lf_ref_qaxis q;
	int32_t *zp = NULL;
	lf_dtype zt;
	st = qaxis_of(c, x, 1, 2, &q, &zp, &zt);
	if (st != LF_OK)
		goto out;
	if (zp && zt != xt) {
		st = lf__nc_fail(c, LF_ERR_INVALID_ARG,
				 "zero point type differs from the input's");
		goto out;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, LF__ONNX_FLOAT, x->rank, x->dims, &y);
	if (st == LF_OK)
		st = lf__nc_ref_fail(
		    c, lf__ref_dequantize_linear(&q, xt, x->data, y->data),
		    "dequantize");
out:
	free(zp);
	return st;
}

/* The 8-bit type of input @i (UINT8 or INT8). */
static lf_status q8_type(const struct lf__nctx *c, size_t i, lf_dtype *t)
{
	lf_status st = lf__nc_dtype(c, i, t);
	if (st == LF_OK && *t != LF_DTYPE_UINT8 && *t != LF_DTYPE_INT8)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input %zu must be uint8 or int8", i);
	return st;
}

/* com.microsoft QLinearSigmoid / QLinearLeakyRelu: ORT's lookup table. */
lf_status lf__nc_qlut(const struct lf__nctx *c)
{
	lf_dtype t;
	lf_status st = q8_type(c, 0, &t);
	struct lf_ref_q1 xq, yq;
	lf_dtype zt = LF_DTYPE_INT32;
	float alpha = 0.01f;
	if (st == LF_OK)
		st = lf__nc_scale1(c, 1, &xq.scale);
	if (st == LF_OK)
		st = (zt = t, lf__nc_zp1(c, 2, &zt, &xq.zp));
	if (st == LF_OK)
		st = lf__nc_scale1(c, 3, &yq.scale);
	if (st == LF_OK)
		st = (zt = t, lf__nc_zp1(c, 4, &zt, &yq.zp));
	if (st == LF_OK)
		st = lf__nc_attr_f(c, "alpha", 0.01f, &alpha);
	if (st != LF_OK)
		return st;
	int sig = strcmp(c->n->op_type, "QLinearSigmoid") == 0;
	uint8_t lut[256];
	st = lf__ref_qlut_build(t, &xq, &yq,
				sig ? LF_REF_SIGMOID : LF_REF_LEAKYRELU, alpha,
				0.0f, lut);
	if (st != LF_OK)
		return lf__nc_ref_fail(c, st, "lookup table");
	const struct lf__tensor *x = lf__nc_in(c, 0);
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	for (size_t i = 0; i < x->count; i++)
		((uint8_t *)y->data)[i] = lut[((const uint8_t *)x->data)[i]];
	return LF_OK;
}

lf_status lf__nc_dynamic_quantize(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st != LF_OK)
		return st;
	if (x->dtype != LF__ONNX_FLOAT)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input must be float32");
	struct lf__tensor *y, *s, *z;
	if ((st = lf__nc_out(c, 0, LF__ONNX_UINT8, x->rank, x->dims, &y)) ||
	    (st = lf__nc_out(c, 1, LF__ONNX_FLOAT, 0, NULL, &s)) ||
	    (st = lf__nc_out(c, 2, LF__ONNX_UINT8, 0, NULL, &z)))
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_dynamic_quantize(x->count, x->data,
							y->data, s->data,
							z->data),
			       "dynamic quantize");
}
