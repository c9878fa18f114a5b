/*
 * node_cpu_math.c - the generic elementwise nodes: Sub, Mul, Div, Pow,
 * Min, Max, Equal, Less, Greater (broadcasting), the float32 unary ones
 * (Sqrt, Erf, Tanh, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Exp, Neg,
 * Abs, Reciprocal, Floor, Ceil) and Cast.
 */
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

lf_status lf__nc_num(const struct lf__nctx *c, int32_t dtype,
		     enum lf_ref_num *t)
{
	switch (dtype) {
	case LF__ONNX_FLOAT:
		*t = LF_REF_NUM_F32;
		return LF_OK;
	case LF__ONNX_INT64:
		*t = LF_REF_NUM_I64;
		return LF_OK;
	case LF__ONNX_INT32:
		*t = LF_REF_NUM_I32;
		return LF_OK;
	case LF__ONNX_UINT8:
		*t = LF_REF_NUM_U8;
		return LF_OK;
	case LF__ONNX_INT8:
		*t = LF_REF_NUM_I8;
		return LF_OK;
	case LF__ONNX_BOOL:
		*t = LF_REF_NUM_BOOL;
		return LF_OK;
	}
	return lf__nc_fail(c, LF_ERR_UNSUPPORTED, "type %s not supported",
			   lf__onnx_dtype_name(dtype));
}

static const struct {
	const char *op;
	enum lf_ref_binop code;
} binops[] = {
    {"Add", LF_REF_ADD},	 {"Sub", LF_REF_SUB},	  {"Mul", LF_REF_MUL},
    {"Div", LF_REF_DIV},	 {"Pow", LF_REF_POW},	  {"Min", LF_REF_MIN},
    {"Max", LF_REF_MAX},	 {"Equal", LF_REF_EQUAL}, {"Less", LF_REF_LESS},
    {"Greater", LF_REF_GREATER},
};

/* A copy of @x as float32 (the caller releases @f). */
static lf_status as_f32(const struct lf__nctx *c, const struct lf__tensor *x,
			struct lf__tensor *f)
{
	enum lf_ref_num t = LF_REF_NUM_F32;
	char msg[LF__ONNX_ERR_LEN];
	lf_status st = lf__nc_num(c, x->dtype, &t);
	if (st == LF_OK)
		st = lf__tensor_alloc(f, LF__ONNX_FLOAT, x->rank, x->dims, msg,
				      sizeof(msg));
	if (st == LF_OK)
		st =
		    lf__ref_cast(t, LF_REF_NUM_F32, x->count, x->data, f->data);
	return st == LF_OK ? st : lf__nc_fail(c, st, "Pow: cannot convert");
}

/*
 * Pow with an exponent of another type, or an integer base: ORT computes
 * static_cast<T>(std::pow(x, y)); here in float32, exact for the small
 * integers such graphs use.
 */
static lf_status pow_mixed(const struct lf__nctx *c, const struct lf__tensor *a,
			   const struct lf__tensor *b)
{
	struct lf__tensor fa, fb, fy;
	memset(&fa, 0, sizeof(fa));
	memset(&fb, 0, sizeof(fb));
	memset(&fy, 0, sizeof(fy));
	enum lf_ref_num ta = LF_REF_NUM_F32;
	struct lf_ref_shape as, bs, ys;
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	lf_status st = lf__nc_num(c, a->dtype, &ta);
	if (st == LF_OK && ta == LF_REF_NUM_BOOL)
		st = lf__nc_fail(c, LF_ERR_UNSUPPORTED, "bool base");
	if (st == LF_OK && lf__ref_broadcast_shape(&as, &bs, &ys) != LF_OK)
		st = lf__nc_fail(c, LF_ERR_SHAPE, "shapes do not broadcast");
	if (st == LF_OK)
		st = as_f32(c, a, &fa);
	if (st == LF_OK)
		st = as_f32(c, b, &fb);
	char msg[LF__ONNX_ERR_LEN];
	if (st == LF_OK && (st = lf__tensor_alloc(&fy, LF__ONNX_FLOAT, ys.rank,
						  ys.dim, msg, sizeof(msg))))
		st = lf__nc_fail(c, st, "%s", msg);
	if (st == LF_OK)
		st = lf__nc_ref_fail(c,
				     lf__ref_binary(LF_REF_POW, LF_REF_NUM_F32,
						    &as, fa.data, &bs, fb.data,
						    fy.data),
				     "pow");
	struct lf__tensor *y;
	if (st == LF_OK)
		st = lf__nc_out(c, 0, a->dtype, ys.rank, ys.dim, &y);
	if (st == LF_OK)
		st = lf__nc_ref_fail(c,
				     lf__ref_cast(LF_REF_NUM_F32, ta, fy.count,
						  fy.data, y->data),
				     "pow");
	lf__tensor_release(&fa);
	lf__tensor_release(&fb);
	lf__tensor_release(&fy);
	return st;
}

lf_status lf__nc_binary(const struct lf__nctx *c)
{
	const struct lf__tensor *a, *b;
	int minmax = strcmp(c->n->op_type, "Min") == 0 ||
		     strcmp(c->n->op_type, "Max") == 0;
	/* Min/Max of one input is that input. */
	if (minmax && c->n_in == 1)
		return lf__nc_identity(c);
	lf_status st = lf__nc_need(c, 0, &a);
	if (st == LF_OK)
		st = lf__nc_need(c, 1, &b);
	if (st != LF_OK)
		return st;
	enum lf_ref_binop op = LF_REF_ADD;
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (strcmp(binops[i].op, c->n->op_type) == 0)
			op = binops[i].code;
	if ((op == LF_REF_MIN || op == LF_REF_MAX) && c->n_in != 2)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "only two inputs are supported");
	if (op == LF_REF_POW &&
	    (a->dtype != b->dtype || a->dtype != LF__ONNX_FLOAT))
		return pow_mixed(c, a, b);
	if (a->dtype != b->dtype)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "inputs are %s and %s",
				   lf__onnx_dtype_name(a->dtype),
				   lf__onnx_dtype_name(b->dtype));
	enum lf_ref_num t;
	st = lf__nc_num(c, a->dtype, &t);
	if (st != LF_OK)
		return st;
	struct lf_ref_shape as, bs, ys;
	lf__nc_shape(a, &as);
	lf__nc_shape(b, &bs);
	if (lf__ref_broadcast_shape(&as, &bs, &ys) != LF_OK) {
		char sa[160], sb[160];
		lf__onnx_dims_str(a->dims, a->rank, sa, sizeof(sa));
		lf__onnx_dims_str(b->dims, b->rank, sb, sizeof(sb));
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "shapes %s and %s do not broadcast", sa, sb);
	}
	int cmp =
	    op == LF_REF_EQUAL || op == LF_REF_LESS || op == LF_REF_GREATER;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, cmp ? LF__ONNX_BOOL : a->dtype, ys.rank, ys.dim,
			&y);
	if (st != LF_OK)
		return st;
	st = lf__ref_binary(op, t, &as, a->data, &bs, b->data, y->data);
	if (st == LF_ERR_INVALID_ARG)
		return lf__nc_fail(c, st, "integer division by zero");
	if (st == LF_ERR_UNSUPPORTED)
		return lf__nc_fail(c, st, "not supported on %s",
				   lf__onnx_dtype_name(a->dtype));
	return lf__nc_ref_fail(c, st, c->n->op_type);
}

static const struct {
	const char *op;
	enum lf_ref_unop code;
	float alpha, beta; /* defaults */
} unops[] = {
    {"Sqrt", LF_REF_SQRT, 0, 0},
    {"Erf", LF_REF_ERF, 0, 0},
    {"Tanh", LF_REF_TANH, 0, 0},
    {"Sigmoid", LF_REF_SIGMOID, 0, 0},
    {"HardSigmoid", LF_REF_HARDSIGMOID, 0.2f, 0.5f},
    {"HardSwish", LF_REF_HARDSWISH, 0, 0},
    {"LeakyRelu", LF_REF_LEAKYRELU, 0.01f, 0},
    {"Exp", LF_REF_EXP, 0, 0},
    {"Neg", LF_REF_NEG, 0, 0},
    {"Abs", LF_REF_ABS, 0, 0},
    {"Reciprocal", LF_REF_RECIPROCAL, 0, 0},
    {"Floor", LF_REF_FLOOR, 0, 0},
    {"Ceil", LF_REF_CEIL, 0, 0},
};

lf_status lf__nc_unary(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	if (st != LF_OK)
		return st;
	size_t k = 0;
	while (k < sizeof(unops) / sizeof(unops[0]) &&
	       strcmp(unops[k].op, c->n->op_type) != 0)
		k++;
	if (k == sizeof(unops) / sizeof(unops[0]))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED, "unknown op");
	float alpha, beta;
	st = lf__nc_attr_f(c, "alpha", unops[k].alpha, &alpha);
	if (st == LF_OK)
		st = lf__nc_attr_f(c, "beta", unops[k].beta, &beta);
	if (st != LF_OK)
		return st;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_unary(unops[k].code, alpha, beta,
					     x->count, x->data, y->data),
			       c->n->op_type);
}

lf_status lf__nc_cast(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, 0, &x);
	int64_t to;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "to", 0, &to);
	if (st != LF_OK)
		return st;
	enum lf_ref_num from, dst;
	st = lf__nc_num(c, x->dtype, &from);
	if (st == LF_OK)
		st = lf__nc_num(c, (int32_t)to, &dst);
	if (st != LF_OK)
		return st;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, (int32_t)to, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(
	    c, lf__ref_cast(from, dst, x->count, x->data, y->data), "cast");
}

/* ReduceMean / ReduceSum / ReduceMax on float32 (axes as an attribute
 * before opset 18, ReduceSum 13; as input 1 after). */
lf_status lf__nc_reduce(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	int64_t keep, noop;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "keepdims", 1, &keep);
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "noop_with_empty_axes", 0, &noop);
	if (st != LF_OK)
		return st;
	int sum = strcmp(c->n->op_type, "ReduceSum") == 0;
	int64_t axes[LF_REF_MAX_RANK];
	size_t n = 0;
	if (c->opset && c->opset < (sum ? 13 : 18)) {
		const int64_t *a;
		if ((st = lf__nc_attr_ints(c, "axes", &a, &n)))
			return st;
		if (n > LF_REF_MAX_RANK)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "too many axes");
		for (size_t k = 0; k < n; k++)
			axes[k] = a[k];
	} else if (lf__nc_in(c, 1)) {
		const struct lf__tensor *t = lf__nc_in(c, 1);
		if (t->dtype != LF__ONNX_INT64 || t->rank > 1 ||
		    t->count > LF_REF_MAX_RANK)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axes must be 1-D int64");
		n = t->count;
		for (size_t k = 0; k < n; k++)
			axes[k] = ((const int64_t *)t->data)[k];
	}
	unsigned mask = 0;
	for (size_t k = 0; k < n; k++) {
		if (axes[k] < -x->rank || axes[k] >= x->rank)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %lld out of range",
					   (long long)axes[k]);
		mask |= 1u << (axes[k] < 0 ? axes[k] + x->rank : axes[k]);
	}
	if (!n && noop)
		return lf__nc_identity(c);
	if (!n)
		mask = (1u << x->rank) - 1u;
	int64_t dims[LF_REF_MAX_RANK];
	int r = 0;
	for (int d = 0; d < x->rank; d++)
		if (!((mask >> d) & 1u))
			dims[r++] = x->dims[d];
		else if (keep)
			dims[r++] = 1;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, r, dims, &y);
	if (st != LF_OK)
		return st;
	enum lf_ref_reduce op = sum ? LF_REF_REDUCE_SUM
				: strcmp(c->n->op_type, "ReduceMax") == 0
				    ? LF_REF_REDUCE_MAX
				    : LF_REF_REDUCE_MEAN;
	struct lf_ref_shape xs;
	lf__nc_shape(x, &xs);
	return lf__nc_ref_fail(
	    c, lf__ref_reduce(op, &xs, x->data, mask, y->data), "reduce");
}

lf_status lf__nc_layernorm(const struct lf__nctx *c)
{
	const struct lf__tensor *x, *s, *b = lf__nc_in(c, 2);
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = lf__nc_need(c, 1, &s);
	int64_t axis, stash;
	float eps;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "axis", -1, &axis);
	if (st == LF_OK)
		st = lf__nc_attr_f(c, "epsilon", 1e-5f, &eps);
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "stash_type", 1, &stash);
	if (st != LF_OK)
		return st;
	for (size_t k = 1; k < c->n_out && k < c->n->n_outputs; k++)
		if (c->n->outputs[k][0])
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "the Mean / InvStdDev outputs are "
					   "not supported");
	if (axis < -x->rank || axis >= x->rank)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG, "axis out of range");
	int ax = (int)(axis < 0 ? axis + x->rank : axis);
	size_t rows = 1, norm = 1;
	for (int d = 0; d < x->rank; d++)
		*(d < ax ? &rows : &norm) *= (size_t)x->dims[d];
	if (x->dtype != LF__ONNX_FLOAT || s->dtype != LF__ONNX_FLOAT ||
	    s->count != norm ||
	    (b && (b->dtype != LF__ONNX_FLOAT || b->count != norm)))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "float32 input with a scale (and bias) of "
				   "the normalized size %zu supported",
				   norm);
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, x->rank, x->dims, &y);
	if (st != LF_OK)
		return st;
	if (!x->count)
		return LF_OK;
	return lf__nc_ref_fail(c,
			       lf__ref_layernorm(rows, norm, x->data, s->data,
						 b ? b->data : NULL, eps,
						 y->data),
			       "layer normalization");
}
