/*
 * node_cpu_shape.c - Flatten and Reshape nodes: a new shape over the same
 * bytes.
 */
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/* Output 0: input 0's data under shape @s. */
static lf_status copy_as(const struct lf__nctx *c, const struct lf__tensor *x,
			 const struct lf_ref_shape *s)
{
	struct lf__tensor *y;
	lf_status st = lf__nc_out(c, 0, x->dtype, s->rank, s->dim, &y);
	if (st != LF_OK)
		return st;
	if (y->count != x->count)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "%zu elements cannot become %zu", x->count,
				   y->count);
	if (x->count)
		memcpy(y->data, x->data, lf__tensor_bytes(x));
	return LF_OK;
}

static lf_status shape_fail(const struct lf__nctx *c, lf_status st,
			    const struct lf__tensor *x, const char *why)
{
	char dims[160];
	lf__onnx_dims_str(x->dims, x->rank, dims, sizeof(dims));
	return lf__nc_fail(c, st, "%s (input shape %s)", why, dims);
}

lf_status lf__nc_flatten(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t axis;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "axis", 1, &axis);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape in, out;
	lf__nc_shape(x, &in);
	st = lf__ref_flatten_shape(&in, axis, &out);
	if (st != LF_OK)
		return shape_fail(c, st, x, "axis out of range");
	return copy_as(c, x, &out);
}

lf_status lf__nc_reshape(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t allowzero;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "allowzero", 0, &allowzero);
	if (st != LF_OK)
		return st;
	const int64_t *shape;
	size_t n;
	if (c->opset && c->opset < 5) {
		/* Reshape-1: the target shape is an attribute. */
		st = lf__nc_attr_ints(c, "shape", &shape, &n);
		if (st != LF_OK)
			return st;
	} else {
		const struct lf__tensor *s;
		st = lf__nc_need(c, 1, &s);
		if (st != LF_OK)
			return st;
		if (s->dtype != LF__ONNX_INT64 || s->rank != 1)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "shape must be a 1-D int64 tensor");
		shape = s->data;
		n = s->count;
	}
	if (n > LF_REF_MAX_RANK)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "target rank %zu exceeds %d", n,
				   LF_REF_MAX_RANK);
	struct lf_ref_shape in, out;
	lf__nc_shape(x, &in);
	st = lf__ref_reshape_shape(&in, shape, (int)n, allowzero != 0, &out);
	if (st != LF_OK)
		return shape_fail(c, st, x, "target shape does not fit");
	return copy_as(c, x, &out);
}
