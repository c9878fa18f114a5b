/*
 * ref_shape.c - type sizes and ranges, and the shape arithmetic of the CPU
 * ops: element counts, broadcasting, Flatten and Reshape. Every product is
 * checked for overflow.
 */
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

size_t lf__ref_dtype_size(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
	case LF_DTYPE_INT8:
		return 1;
	case LF_DTYPE_INT32:
	case LF_DTYPE_FLOAT32:
		return 4;
	}
	return 0;
}

void lf__ref_dtype_range(lf_dtype t, int32_t *lo, int32_t *hi)
{
	lf__ref_qrange(t, lo, hi);
}

static int shape_ok(const struct lf_ref_shape *s)
{
	if (!s || s->rank < 0 || s->rank > LF_REF_MAX_RANK)
		return 0;
	for (int i = 0; i < s->rank; i++)
		if (s->dim[i] < 0)
			return 0;
	return 1;
}

lf_status lf__ref_shape_count(const struct lf_ref_shape *s, size_t *count)
{
	if (!count)
		return LF_ERR_INVALID_ARG;
	if (!shape_ok(s))
		return LF_ERR_SHAPE;
	size_t n = 1;
	for (int i = 0; i < s->rank; i++) {
		uint64_t d = (uint64_t)s->dim[i];
		if (d > SIZE_MAX)
			return LF_ERR_OVERFLOW;
		if (d != 0 && n > SIZE_MAX / (size_t)d)
			return LF_ERR_OVERFLOW;
		n *= (size_t)d;
	}
	*count = n;
	return LF_OK;
}

lf_status lf__ref_broadcast_shape(const struct lf_ref_shape *a,
				  const struct lf_ref_shape *b,
				  struct lf_ref_shape *out)
{
	if (!out)
		return LF_ERR_INVALID_ARG;
	if (!shape_ok(a) || !shape_ok(b))
		return LF_ERR_SHAPE;
	struct lf_ref_shape r;
	r.rank = a->rank > b->rank ? a->rank : b->rank;
	/* Align the shapes on their last dims; a missing dim counts as 1. */
	for (int i = 0; i < r.rank; i++) {
		int ia = a->rank - r.rank + i, ib = b->rank - r.rank + i;
		int64_t da = ia >= 0 ? a->dim[ia] : 1;
		int64_t db = ib >= 0 ? b->dim[ib] : 1;
		if (da == db || db == 1)
			r.dim[i] = da;
		else if (da == 1)
			r.dim[i] = db;
		else
			return LF_ERR_SHAPE;
	}
	size_t count;
	lf_status st = lf__ref_shape_count(&r, &count);
	if (st != LF_OK)
		return st;
	*out = r;
	return LF_OK;
}

/* Product of dims [from, to) of @s, or LF_ERR_OVERFLOW past INT64_MAX. */
static lf_status dims_product(const struct lf_ref_shape *s, int from, int to,
			      int64_t *prod)
{
	int64_t p = 1;
	for (int i = from; i < to; i++) {
		if (s->dim[i] != 0 && p > INT64_MAX / s->dim[i])
			return LF_ERR_OVERFLOW;
		p *= s->dim[i];
	}
	*prod = p;
	return LF_OK;
}

lf_status lf__ref_flatten_shape(const struct lf_ref_shape *in, int64_t axis,
				struct lf_ref_shape *out)
{
	if (!out)
		return LF_ERR_INVALID_ARG;
	if (!shape_ok(in))
		return LF_ERR_SHAPE;
	if (axis < -(int64_t)in->rank || axis > in->rank)
		return LF_ERR_INVALID_ARG;
	int ax = (int)(axis < 0 ? axis + in->rank : axis);
	struct lf_ref_shape r = {.rank = 2};
	lf_status st = dims_product(in, 0, ax, &r.dim[0]);
	if (st == LF_OK)
		st = dims_product(in, ax, in->rank, &r.dim[1]);
	if (st != LF_OK)
		return st;
	*out = r;
	return LF_OK;
}

lf_status lf__ref_reshape_shape(const struct lf_ref_shape *in,
				const int64_t *shape, int n, int allowzero,
				struct lf_ref_shape *out)
{
	if (!out || (n > 0 && !shape))
		return LF_ERR_INVALID_ARG;
	if (!shape_ok(in) || n < 0 || n > LF_REF_MAX_RANK)
		return LF_ERR_SHAPE;
	int64_t total;
	lf_status st = dims_product(in, 0, in->rank, &total);
	if (st != LF_OK)
		return st;

	struct lf_ref_shape r = {.rank = n};
	int infer = -1; /* index of the -1 entry */
	int64_t known = 1;
	for (int i = 0; i < n; i++) {
		int64_t d = shape[i];
		if (d == -1) {
			if (infer >= 0)
				return LF_ERR_SHAPE; /* two -1 */
			infer = i;
			r.dim[i] = 1;
			continue;
		}
		if (d < -1)
			return LF_ERR_SHAPE;
		if (d == 0 && !allowzero) {
			if (i >= in->rank)
				return LF_ERR_SHAPE; /* nothing to copy */
			d = in->dim[i];
		}
		r.dim[i] = d;
		if (d != 0 && known > INT64_MAX / d)
			return LF_ERR_OVERFLOW;
		known *= d;
	}
	if (infer >= 0) {
		/* -1 next to a real 0 is ambiguous: ONNX forbids it. */
		if (known == 0)
			return LF_ERR_SHAPE;
		if (total % known)
			return LF_ERR_SHAPE;
		r.dim[infer] = total / known;
	} else if (known != total) {
		return LF_ERR_SHAPE;
	}
	*out = r;
	return LF_OK;
}

lf_status lf__ref_bcast_init(struct lf__ref_bcast *bc, int n,
			     const struct lf_ref_shape *const *in)
{
	if (!bc || n < 1 || n > LF__REF_BCAST_MAX)
		return LF_ERR_INVALID_ARG;
	struct lf_ref_shape r = *in[0];
	size_t cnt;
	lf_status st = lf__ref_shape_count(&r, &cnt);
	for (int k = 1; k < n && st == LF_OK; k++) {
		struct lf_ref_shape t;
		st = lf__ref_broadcast_shape(&r, in[k], &t);
		r = t;
	}
	/* Counts of the inputs too: their strides are products of dims. */
	for (int k = 0; k < n && st == LF_OK; k++)
		st = lf__ref_shape_count(in[k], &cnt);
	if (st == LF_OK)
		st = lf__ref_shape_count(&r, &bc->count);
	if (st != LF_OK)
		return st;
	bc->out = r;
	bc->n = n;
	for (int k = 0; k < n; k++) {
		size_t step = 1;
		const struct lf_ref_shape *s = in[k];
		for (int i = r.rank - 1; i >= 0; i--) {
			int j = s->rank - r.rank + i; /* dim of s aligned */
			bc->st[k][i] = (j < 0 || s->dim[j] == 1) ? 0 : step;
			if (j >= 0)
				step *= (size_t)s->dim[j];
		}
	}
	return LF_OK;
}
