/*
 * node_cpu_data.c - the generic data nodes: Shape, ConstantOfShape,
 * Identity, Gather, Slice, Split, Concat, Unsqueeze, Squeeze, Expand,
 * Where, Range. Shapes and indices follow the ONNX operator definitions
 * for opsets 7 to 21 (attributes before opset 10/13/18, inputs after).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/* Axis @a of a rank-@r tensor into [0, r); an error if out of range. */
static lf_status norm_axis(const struct lf__nctx *c, int64_t a, int r, int *out)
{
	if (a < -r || a >= r)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "axis %lld out of range for rank %d",
				   (long long)a, r);
	*out = (int)(a < 0 ? a + r : a);
	return LF_OK;
}

/* Axes from the attribute (before @opset_in) or from input @i. */
static lf_status axes_of(const struct lf__nctx *c, int64_t opset_in, size_t i,
			 int64_t *axes, size_t *n, int *given)
{
	*n = 0;
	*given = 0;
	if (c->opset && c->opset < opset_in) {
		const int64_t *a;
		lf_status st = lf__nc_attr_ints(c, "axes", &a, n);
		if (st != LF_OK)
			return st;
		if (*n > LF_REF_MAX_RANK)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "too many axes");
		*given = a != NULL;
		for (size_t k = 0; k < *n; k++)
			axes[k] = a[k];
		return LF_OK;
	}
	const struct lf__tensor *t = lf__nc_in(c, i);
	if (!t)
		return LF_OK;
	*given = 1;
	return lf__nc_ints(c, t, "axes", axes, LF_REF_MAX_RANK, n);
}

static lf_status copy_out(const struct lf__nctx *c, const struct lf__tensor *x,
			  int rank, const int64_t *dims)
{
	struct lf__tensor *y;
	size_t n = 1;
	/* Checked before the output exists: shape inference may stop at
	 * lf__nc_out() (lf__onnx_node_shape_cpu). */
	for (int d = 0; d < rank; d++)
		if (dims[d] < 0 ||
		    __builtin_mul_overflow(n, (size_t)dims[d], &n))
			return lf__nc_fail(c, LF_ERR_SHAPE, "bad output shape");
	if (n != x->count)
		return lf__nc_fail(c, LF_ERR_SHAPE, "element counts differ");
	lf_status st = lf__nc_out(c, 0, x->dtype, rank, dims, &y);
	if (st != LF_OK)
		return st;
	if (x->count)
		memcpy(y->data, x->data, lf__tensor_bytes(x));
	return LF_OK;
}

lf_status lf__nc_identity(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st != LF_OK)
		return st;
	return copy_out(c, x, x->rank, x->dims);
}

lf_status lf__nc_shape_op(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t start = 0, end = x ? x->rank : 0;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "start", 0, &start);
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "end", x->rank, &end);
	if (st != LF_OK)
		return st;
	/* Shape-15: negative counts from the end, then clamp to [0, rank]. */
	if (start < 0)
		start += x->rank;
	if (end < 0)
		end += x->rank;
	start = start < 0 ? 0 : start > x->rank ? x->rank : start;
	end = end < 0 ? 0 : end > x->rank ? x->rank : end;
	int64_t n = end > start ? end - start : 0;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, LF__ONNX_INT64, 1, &n, &y);
	if (st != LF_OK)
		return st;
	for (int64_t i = 0; i < n; i++)
		((int64_t *)y->data)[i] = x->dims[start + i];
	return LF_OK;
}

lf_status lf__nc_constant_of_shape(const struct lf__nctx *c)
{
	const struct lf__tensor *s;
	lf_status st = lf__nc_need(c, 0, &s);
	if (st != LF_OK)
		return st;
	int64_t dims[LF_REF_MAX_RANK];
	size_t n;
	st = lf__nc_ints(c, s, "shape", dims, LF_REF_MAX_RANK, &n);
	if (st != LF_OK)
		return st;
	const struct lf__onnx_attr *a = lf__onnx_node_attr(c->n, "value");
	int32_t dtype = LF__ONNX_FLOAT;
	if (a) {
		if (a->type != LF__ATTR_TENSOR || a->t.count != 1)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "'value' must be a one-element "
					   "tensor");
		dtype = a->t.dtype;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, dtype, (int)n, dims, &y);
	if (st != LF_OK)
		return st;
	size_t es = lf__onnx_dtype_size(dtype);
	for (size_t i = 0; a && i < y->count; i++)
		memcpy((uint8_t *)y->data + i * es, a->t.data, es);
	return LF_OK;
}

lf_status lf__nc_gather(const struct lf__nctx *c)
{
	const struct lf__tensor *x, *ix;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = lf__nc_need(c, 1, &ix);
	int64_t axis;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "axis", 0, &axis);
	if (st != LF_OK)
		return st;
	int ax = 0;
	if ((st = norm_axis(c, axis, x->rank, &ax)))
		return st;
	if (ix->dtype != LF__ONNX_INT64 && ix->dtype != LF__ONNX_INT32)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "indices must be int64 or int32");
	if (x->rank - 1 + ix->rank > LF_REF_MAX_RANK)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "output rank exceeds %d", LF_REF_MAX_RANK);
	int64_t dims[LF_REF_MAX_RANK];
	int r = 0;
	for (int d = 0; d < ax; d++)
		dims[r++] = x->dims[d];
	for (int d = 0; d < ix->rank; d++)
		dims[r++] = ix->dims[d];
	for (int d = ax + 1; d < x->rank; d++)
		dims[r++] = x->dims[d];
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, r, dims, &y);
	if (st != LF_OK)
		return st;
	int64_t one[1], *idx = one;
	if (ix->count > 1 || ix->dtype == LF__ONNX_INT32) {
		idx = malloc(ix->count ? ix->count * sizeof(int64_t) : 1);
		if (!idx)
			return lf__nc_fail(c, LF_ERR_NO_MEMORY,
					   "out of memory");
	}
	for (size_t i = 0; i < ix->count; i++)
		idx[i] = ix->dtype == LF__ONNX_INT64
			     ? ((const int64_t *)ix->data)[i]
			     : ((const int32_t *)ix->data)[i];
	struct lf_ref_shape xs;
	lf__nc_shape(x, &xs);
	st = lf__ref_gather(lf__onnx_dtype_size(x->dtype), &xs, x->data, ax,
			    idx, ix->count, y->data);
	if (idx != one)
		free(idx);
	if (st == LF_ERR_INVALID_ARG)
		return lf__nc_fail(c, st, "an index is out of range");
	return lf__nc_ref_fail(c, st, "gather");
}

/* Slice's starts/ends/axes/steps as int64 arrays. */
struct slice_args {
	int64_t starts[LF_REF_MAX_RANK], ends[LF_REF_MAX_RANK];
	int64_t axes[LF_REF_MAX_RANK], steps[LF_REF_MAX_RANK];
	size_t n, naxes, nsteps;
};

static lf_status slice_args(const struct lf__nctx *c, struct slice_args *s)
{
	lf_status st = LF_OK;
	size_t ne = 0;
	s->naxes = s->nsteps = 0;
	if (c->opset && c->opset < 10) {
		const int64_t *a[3];
		size_t n[3];
		const char *names[3] = {"starts", "ends", "axes"};
		for (int k = 0; k < 3 && st == LF_OK; k++)
			st = lf__nc_attr_ints(c, names[k], &a[k], &n[k]);
		if (st != LF_OK)
			return st;
		if (!a[0] || !a[1] || n[0] != n[1] || n[0] > LF_REF_MAX_RANK ||
		    (a[2] && n[2] != n[0]))
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "bad starts/ends/axes");
		s->n = ne = n[0];
		memcpy(s->starts, a[0], n[0] * sizeof(int64_t));
		memcpy(s->ends, a[1], n[1] * sizeof(int64_t));
		if (a[2]) {
			memcpy(s->axes, a[2], n[2] * sizeof(int64_t));
			s->naxes = n[2];
		}
	} else {
		const struct lf__tensor *t;
		if ((st = lf__nc_need(c, 1, &t)) ||
		    (st = lf__nc_ints(c, t, "starts", s->starts,
				      LF_REF_MAX_RANK, &s->n)) ||
		    (st = lf__nc_need(c, 2, &t)) ||
		    (st = lf__nc_ints(c, t, "ends", s->ends, LF_REF_MAX_RANK,
				      &ne)))
			return st;
		if ((t = lf__nc_in(c, 3)) &&
		    (st = lf__nc_ints(c, t, "axes", s->axes, LF_REF_MAX_RANK,
				      &s->naxes)))
			return st;
		if ((t = lf__nc_in(c, 4)) &&
		    (st = lf__nc_ints(c, t, "steps", s->steps, LF_REF_MAX_RANK,
				      &s->nsteps)))
			return st;
	}
	if (ne != s->n || (s->naxes && s->naxes != s->n) ||
	    (s->nsteps && s->nsteps != s->n))
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "starts, ends, axes and steps differ in "
				   "length");
	return LF_OK;
}

lf_status lf__nc_slice(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	struct slice_args a;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = slice_args(c, &a);
	if (st != LF_OK)
		return st;
	int64_t start[LF_REF_MAX_RANK], step[LF_REF_MAX_RANK];
	struct lf_ref_shape xs, ys;
	lf__nc_shape(x, &xs);
	ys = xs;
	int seen[LF_REF_MAX_RANK] = {0};
	for (int d = 0; d < x->rank; d++) {
		start[d] = 0;
		step[d] = 1;
	}
	for (size_t k = 0; k < a.n; k++) {
		int d = 0;
		if ((st = norm_axis(c, a.naxes ? a.axes[k] : (int64_t)k,
				    x->rank, &d)))
			return st;
		if (seen[d]++)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %d repeated", d);
		int64_t dim = x->dims[d], s = a.starts[k], e = a.ends[k];
		int64_t p = a.nsteps ? a.steps[k] : 1;
		if (p == 0)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "a step is 0");
		if (s < 0)
			s = s < -dim ? 0 : s + dim;
		if (e < 0)
			e = e < -dim ? -1 : e + dim;
		if (p > 0) {
			s = s > dim ? dim : s;
			e = e < 0 ? 0 : e > dim ? dim : e;
		} else {
			s = s > dim - 1 ? dim - 1 : s;
			e = e > dim - 1 ? dim - 1 : e;
			if (a.ends[k] < -dim)
				e = -1;
		}
		int64_t len =
		    p > 0 ? (e - s + p - 1) / p : (s - e - p - 1) / -p;
		ys.dim[d] = len > 0 ? len : 0;
		start[d] = ys.dim[d] ? s : 0;
		step[d] = p;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_slice(lf__onnx_dtype_size(x->dtype), &xs,
					     x->data, start, step, &ys,
					     y->data),
			       "slice");
}

lf_status lf__nc_split(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t axis, nout = (int64_t)c->n->n_outputs;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "axis", 0, &axis);
	if (st != LF_OK)
		return st;
	int ax = 0;
	if ((st = norm_axis(c, axis, x->rank, &ax)))
		return st;
	int64_t sizes[64];
	size_t ns = 0;
	if (nout < 1 || nout > 64 || (size_t)nout > c->n_out)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "%lld outputs (1 to 64 supported)",
				   (long long)nout);
	if (c->opset && c->opset < 13) {
		const int64_t *a;
		if ((st = lf__nc_attr_ints(c, "split", &a, &ns)))
			return st;
		if (ns > 64)
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "too many parts");
		for (size_t i = 0; i < ns; i++)
			sizes[i] = a[i];
	} else if (lf__nc_in(c, 1)) {
		if ((st = lf__nc_ints(c, lf__nc_in(c, 1), "split", sizes, 64,
				      &ns)))
			return st;
	}
	int64_t dim = x->dims[ax];
	if (!ns) {
		/* Equal parts; opset 18 allows a smaller last one. */
		int64_t part = (dim + nout - 1) / nout;
		for (int64_t i = 0; i < nout; i++) {
			int64_t left = dim - i * part;
			sizes[i] = left < part ? (left > 0 ? left : 0) : part;
		}
		ns = (size_t)nout;
	}
	int64_t sum = 0;
	for (size_t i = 0; i < ns; i++) {
		if (sizes[i] < 0)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "negative split size");
		sum += sizes[i];
	}
	if ((int64_t)ns != nout || sum != dim)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "split sizes do not add up to %lld in %lld "
				   "outputs",
				   (long long)dim, (long long)nout);
	struct lf_ref_shape xs, ys;
	lf__nc_shape(x, &xs);
	int64_t start[LF_REF_MAX_RANK] = {0}, step[LF_REF_MAX_RANK];
	for (int d = 0; d < x->rank; d++)
		step[d] = 1;
	int64_t at = 0;
	for (size_t i = 0; i < ns; i++) {
		ys = xs;
		ys.dim[ax] = sizes[i];
		start[ax] = sizes[i] ? at : 0;
		at += sizes[i];
		if (!c->n->outputs[i][0])
			continue;
		struct lf__tensor *y;
		st = lf__nc_out(c, i, x->dtype, ys.rank, ys.dim, &y);
		if (st == LF_OK)
			st = lf__nc_ref_fail(
			    c,
			    lf__ref_slice(lf__onnx_dtype_size(x->dtype), &xs,
					  x->data, start, step, &ys, y->data),
			    "split");
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

lf_status lf__nc_concat(const struct lf__nctx *c)
{
	int64_t axis;
	lf_status st = lf__nc_attr_i(c, "axis", INT64_MIN, &axis);
	if (st != LF_OK)
		return st;
	if (axis == INT64_MIN)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG, "no 'axis'");
	if (c->n_in < 1 || c->n_in > 256)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "%zu inputs (1 to 256 supported)", c->n_in);
	struct lf_ref_shape shapes[256];
	const struct lf_ref_shape *sp[256];
	const void *ptr[256];
	const struct lf__tensor *x0;
	if ((st = lf__nc_need(c, 0, &x0)))
		return st;
	int ax = 0;
	if ((st = norm_axis(c, axis, x0->rank, &ax)))
		return st;
	struct lf_ref_shape ys;
	lf__nc_shape(x0, &ys);
	ys.dim[ax] = 0;
	for (size_t k = 0; k < c->n_in; k++) {
		const struct lf__tensor *x;
		if ((st = lf__nc_need(c, k, &x)))
			return st;
		if (x->dtype != x0->dtype || x->rank != x0->rank)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "input %zu differs in type or rank",
					   k);
		lf__nc_shape(x, &shapes[k]);
		for (int d = 0; d < x->rank; d++)
			if (d != ax && x->dims[d] != x0->dims[d])
				return lf__nc_fail(c, LF_ERR_SHAPE,
						   "input %zu: dim %d is %lld, "
						   "not %lld",
						   k, d, (long long)x->dims[d],
						   (long long)x0->dims[d]);
		sp[k] = &shapes[k];
		ptr[k] = x->data;
		ys.dim[ax] += x->dims[ax];
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x0->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_concat(lf__onnx_dtype_size(x0->dtype),
					      c->n_in, sp, ptr, ax, y->data),
			       "concat");
}

lf_status lf__nc_unsqueeze(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t axes[LF_REF_MAX_RANK];
	size_t n;
	int given;
	if (st == LF_OK)
		st = axes_of(c, 13, 1, axes, &n, &given);
	if (st != LF_OK)
		return st;
	int r = x->rank + (int)n;
	if (!given || r > LF_REF_MAX_RANK)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "needs axes; output rank at most %d",
				   LF_REF_MAX_RANK);
	int is_new[LF_REF_MAX_RANK] = {0};
	for (size_t k = 0; k < n; k++) {
		int d = 0;
		if ((st = norm_axis(c, axes[k], r, &d)))
			return st;
		if (is_new[d]++)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %d repeated", d);
	}
	int64_t dims[LF_REF_MAX_RANK];
	for (int d = 0, j = 0; d < r; d++)
		dims[d] = is_new[d] ? 1 : x->dims[j++];
	return copy_out(c, x, r, dims);
}

lf_status lf__nc_squeeze(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t axes[LF_REF_MAX_RANK];
	size_t n;
	int given;
	if (st == LF_OK)
		st = axes_of(c, 13, 1, axes, &n, &given);
	if (st != LF_OK)
		return st;
	int drop[LF_REF_MAX_RANK] = {0};
	for (size_t k = 0; k < n; k++) {
		int d = 0;
		if ((st = norm_axis(c, axes[k], x->rank, &d)))
			return st;
		if (x->dims[d] != 1)
			return lf__nc_fail(c, LF_ERR_SHAPE,
					   "axis %d has size %lld, not 1", d,
					   (long long)x->dims[d]);
		drop[d] = 1;
	}
	int64_t dims[LF_REF_MAX_RANK];
	int r = 0;
	for (int d = 0; d < x->rank; d++) {
		if (!n && x->dims[d] == 1)
			continue;
		if (!drop[d])
			dims[r++] = x->dims[d];
	}
	return copy_out(c, x, r, dims);
}

lf_status lf__nc_expand(const struct lf__nctx *c)
{
	const struct lf__tensor *x, *s;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = lf__nc_need(c, 1, &s);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape xs, ts, ys;
	size_t n;
	if ((st = lf__nc_ints(c, s, "shape", ts.dim, LF_REF_MAX_RANK, &n)))
		return st;
	ts.rank = (int)n;
	lf__nc_shape(x, &xs);
	if (lf__ref_broadcast_shape(&xs, &ts, &ys) != LF_OK)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "the input does not broadcast to the shape");
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_expand(lf__onnx_dtype_size(x->dtype),
					      &xs, x->data, &ys, y->data),
			       "expand");
}

lf_status lf__nc_where(const struct lf__nctx *c)
{
	const struct lf__tensor *k, *a, *b;
	lf_status st = lf__nc_need(c, 0, &k);
	if (st == LF_OK)
		st = lf__nc_need(c, 1, &a);
	if (st == LF_OK)
		st = lf__nc_need(c, 2, &b);
	if (st != LF_OK)
		return st;
	if (k->dtype != LF__ONNX_BOOL || a->dtype != b->dtype)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "condition must be bool and X, Y of one "
				   "type");
	struct lf_ref_shape ks, as, bs, t, ys;
	lf__nc_shape(k, &ks);
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	if (lf__ref_broadcast_shape(&ks, &as, &t) != LF_OK ||
	    lf__ref_broadcast_shape(&t, &bs, &ys) != LF_OK)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "the inputs do not broadcast");
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, a->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_where(lf__onnx_dtype_size(a->dtype), &ks,
					     k->data, &as, a->data, &bs,
					     b->data, y->data),
			       "where");
}

/* Range as ORT's range.cc: the count is ceil((limit - start) / delta) in
 * double; values accumulate (val += delta), which matters for float. */
lf_status lf__nc_range(const struct lf__nctx *c)
{
	const struct lf__tensor *t[3];
	lf_status st = LF_OK;
	for (size_t i = 0; i < 3 && st == LF_OK; i++)
		st = lf__nc_need(c, i, &t[i]);
	if (st != LF_OK)
		return st;
	int32_t dt = t[0]->dtype;
	for (int i = 0; i < 3; i++)
		if (t[i]->dtype != dt || !lf__nc_is_scalar(t[i]) ||
		    (dt != LF__ONNX_FLOAT && dt != LF__ONNX_INT64 &&
		     dt != LF__ONNX_INT32))
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "start, limit and delta must be "
					   "scalars of one type (float32, "
					   "int32, int64)");
	double v[3];
	for (int i = 0; i < 3; i++)
		v[i] = dt == LF__ONNX_FLOAT ? *(const float *)t[i]->data
		       : dt == LF__ONNX_INT64
			   ? (double)*(const int64_t *)t[i]->data
			   : *(const int32_t *)t[i]->data;
	if (v[2] == 0.0)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG, "delta is 0");
	double cnt = ceil((v[1] - v[0]) / v[2]);
	if (!(cnt < 1e9))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED, "too many elements");
	int64_t n = cnt > 0 ? (int64_t)cnt : 0;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, dt, 1, &n, &y);
	if (st != LF_OK)
		return st;
	float fv = dt == LF__ONNX_FLOAT ? *(const float *)t[0]->data : 0.0f;
	for (int64_t i = 0; i < n; i++) {
		if (dt == LF__ONNX_FLOAT) {
			((float *)y->data)[i] = fv;
			fv += *(const float *)t[2]->data;
		} else if (dt == LF__ONNX_INT64) {
			((int64_t *)y->data)[i] =
			    *(const int64_t *)t[0]->data +
			    i * *(const int64_t *)t[2]->data;
		} else {
			((int32_t *)y->data)[i] =
			    *(const int32_t *)t[0]->data +
			    (int32_t)i * *(const int32_t *)t[2]->data;
		}
	}
	return LF_OK;
}
