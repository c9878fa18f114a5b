/*
 * node_cpu_elementwise.c - Add, com.microsoft QLinearAdd, Relu, Clip and
 * Softmax nodes.
 */
#include "hostlib/onnx/node_cpu_impl.h"

/* The output of a broadcasting binary op on inputs @ia and @ib. */
static lf_status bcast_out(const struct lf__nctx *c, const struct lf__tensor *a,
			   const struct lf__tensor *b, int32_t dtype,
			   struct lf__tensor **y)
{
	struct lf_ref_shape as, bs, ys;
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	lf_status st = lf__ref_broadcast_shape(&as, &bs, &ys);
	if (st != LF_OK) {
		char sa[160], sb[160];
		lf__onnx_dims_str(a->dims, a->rank, sa, sizeof(sa));
		lf__onnx_dims_str(b->dims, b->rank, sb, sizeof(sb));
		return lf__nc_fail(c, st, "shapes %s and %s do not broadcast",
				   sa, sb);
	}
	return lf__nc_out(c, 0, dtype, ys.rank, ys.dim, y);
}

lf_status lf__nc_add(const struct lf__nctx *c)
{
	/* int64 (shape arithmetic) goes through the generic binary op. */
	const struct lf__tensor *a0 = lf__nc_in(c, 0);
	if (a0 && a0->dtype == LF__ONNX_INT64)
		return lf__nc_binary(c);
	lf_dtype ta, tb;
	lf_status st = lf__nc_dtype(c, 0, &ta);
	if (st == LF_OK)
		st = lf__nc_dtype(c, 1, &tb);
	if (st != LF_OK)
		return st;
	if (ta != tb)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "inputs have different types");
	const struct lf__tensor *a = lf__nc_in(c, 0), *b = lf__nc_in(c, 1);
	struct lf__tensor *y;
	st = bcast_out(c, a, b, a->dtype, &y);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape as, bs;
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	return lf__nc_ref_fail(
	    c, lf__ref_add(ta, &as, a->data, &bs, b->data, y->data), "add");
}

/* QLinearAdd / com.microsoft QLinearMul: inputs a, a_scale, a_zp, b,
 * b_scale, b_zp, y_scale, y_zp; 8-bit a and b of one type, broadcasting.
 * @ref is lf__ref_qadd or lf__ref_qmul. */
typedef lf_status (*qbinary_ref)(lf_dtype, const struct lf_ref_shape *,
				 const void *, const struct lf_ref_q1 *,
				 const struct lf_ref_shape *, const void *,
				 const struct lf_ref_q1 *,
				 const struct lf_ref_q1 *, void *);

static lf_status qbinary(const struct lf__nctx *c, qbinary_ref ref,
			 const char *what)
{
	lf_dtype ta, tb;
	lf_status st = lf__nc_dtype(c, 0, &ta);
	if (st == LF_OK)
		st = lf__nc_dtype(c, 3, &tb);
	if (st != LF_OK)
		return st;
	if (ta != tb || (ta != LF_DTYPE_UINT8 && ta != LF_DTYPE_INT8))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "inputs must both be uint8 or int8");
	struct lf_ref_q1 aq, bq, yq;
	lf_dtype zt = ta;
	st = lf__nc_scale1(c, 1, &aq.scale);
	if (st == LF_OK)
		st = lf__nc_zp1(c, 2, &zt, &aq.zp);
	if (st == LF_OK)
		st = lf__nc_scale1(c, 4, &bq.scale);
	if (st == LF_OK)
		st = lf__nc_zp1(c, 5, &zt, &bq.zp);
	if (st == LF_OK)
		st = lf__nc_scale1(c, 6, &yq.scale);
	if (st == LF_OK)
		st = lf__nc_zp1(c, 7, &zt, &yq.zp);
	if (st != LF_OK)
		return st;
	const struct lf__tensor *a = lf__nc_in(c, 0), *b = lf__nc_in(c, 3);
	struct lf__tensor *y;
	st = bcast_out(c, a, b, a->dtype, &y);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape as, bs;
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	return lf__nc_ref_fail(
	    c, ref(ta, &as, a->data, &aq, &bs, b->data, &bq, &yq, y->data),
	    what);
}

lf_status lf__nc_qadd(const struct lf__nctx *c)
{
	return qbinary(c, lf__ref_qadd, "qlinear add");
}

lf_status lf__nc_qmul(const struct lf__nctx *c)
{
	return qbinary(c, lf__ref_qmul, "qlinear mul");
}

lf_status lf__nc_relu(const struct lf__nctx *c)
{
	lf_dtype t;
	lf_status st = lf__nc_dtype(c, 0, &t);
	if (st != LF_OK)
		return st;
	const struct lf__tensor *x = lf__nc_in(c, 0);
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c, lf__ref_relu(t, x->count, x->data, y->data),
			       "relu");
}

/* A bound of Clip from opset 11 on: omitted, or one element of type @t. */
static lf_status clip_bound(const struct lf__nctx *c, size_t i,
			    const struct lf__tensor *x, const void **v)
{
	const struct lf__tensor *b = lf__nc_in(c, i);
	*v = NULL;
	if (!b)
		return LF_OK;
	if (b->dtype != x->dtype)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "bound (input %zu) is %s, input is %s", i,
				   lf__onnx_dtype_name(b->dtype),
				   lf__onnx_dtype_name(x->dtype));
	if (!lf__nc_is_scalar(b))
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "bound (input %zu) has %zu elements, not 1",
				   i, b->count);
	*v = b->data;
	return LF_OK;
}

lf_status lf__nc_clip(const struct lf__nctx *c)
{
	lf_dtype t;
	lf_status st = lf__nc_dtype(c, 0, &t);
	if (st != LF_OK)
		return st;
	const struct lf__tensor *x = lf__nc_in(c, 0);
	const void *lo, *hi;
	float flo, fhi;
	if (c->opset && c->opset < 11) {
		/* Clip-1/6: float attributes, defaults the float range. */
		if (t != LF_DTYPE_FLOAT32)
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "input of type %s not supported",
					   lf__onnx_dtype_name(x->dtype));
		st = lf__nc_attr_f(c, "min", -3.402823466e+38f, &flo);
		if (st == LF_OK)
			st = lf__nc_attr_f(c, "max", 3.402823466e+38f, &fhi);
		lo = &flo;
		hi = &fhi;
	} else {
		st = clip_bound(c, 1, x, &lo);
		if (st == LF_OK)
			st = clip_bound(c, 2, x, &hi);
	}
	if (st != LF_OK)
		return st;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(
	    c, lf__ref_clip(t, x->count, x->data, lo, hi, y->data), "clip");
}

lf_status lf__nc_softmax(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	if (st != LF_OK)
		return st;
	/* The default axis changed with the semantics in opset 13. */
	int64_t opset = c->opset ? c->opset : 13;
	int64_t axis;
	st = lf__nc_attr_i(c, "axis", opset < 13 ? 1 : -1, &axis);
	if (st != LF_OK)
		return st;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape s;
	lf__nc_shape(x, &s);
	return lf__nc_ref_fail(
	    c, lf__ref_softmax(&s, axis, opset, x->data, y->data), "softmax");
}
