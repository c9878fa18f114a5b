/*
 * node_cpu.c - the op table of lf__onnx_node_run_cpu() and the helpers
 * its op files share (inputs, attributes, outputs, messages).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

#define DOM_ONNX 0
#define DOM_MS	 1

static const struct {
	int domain;
	const char *op_type;
	lf_status (*run)(const struct lf__nctx *c);
} ops[] = {
    {DOM_ONNX, "QuantizeLinear", lf__nc_quantize_linear},
    {DOM_ONNX, "DequantizeLinear", lf__nc_dequantize_linear},
    {DOM_ONNX, "QLinearConv", lf__nc_qconv},
    {DOM_ONNX, "ConvInteger", lf__nc_qconv},
    {DOM_ONNX, "QLinearMatMul", lf__nc_qmatmul},
    {DOM_ONNX, "MatMulInteger", lf__nc_qmatmul},
    {DOM_ONNX, "MaxPool", lf__nc_maxpool},
    {DOM_ONNX, "AveragePool", lf__nc_avgpool},
    {DOM_ONNX, "GlobalAveragePool", lf__nc_global_avgpool},
    {DOM_ONNX, "Add", lf__nc_add},
    {DOM_ONNX, "Relu", lf__nc_relu},
    {DOM_ONNX, "Clip", lf__nc_clip},
    {DOM_ONNX, "Softmax", lf__nc_softmax},
    {DOM_ONNX, "Flatten", lf__nc_flatten},
    {DOM_ONNX, "Reshape", lf__nc_reshape},
    {DOM_ONNX, "Sub", lf__nc_binary},
    {DOM_ONNX, "Mul", lf__nc_binary},
    {DOM_ONNX, "Div", lf__nc_binary},
    {DOM_ONNX, "Pow", lf__nc_binary},
    {DOM_ONNX, "Min", lf__nc_binary},
    {DOM_ONNX, "Max", lf__nc_binary},
    {DOM_ONNX, "Equal", lf__nc_binary},
    {DOM_ONNX, "Less", lf__nc_binary},
    {DOM_ONNX, "Greater", lf__nc_binary},
    {DOM_ONNX, "Sqrt", lf__nc_unary},
    {DOM_ONNX, "Erf", lf__nc_unary},
    {DOM_ONNX, "Tanh", lf__nc_unary},
    {DOM_ONNX, "Sigmoid", lf__nc_unary},
    {DOM_ONNX, "HardSigmoid", lf__nc_unary},
    {DOM_ONNX, "HardSwish", lf__nc_unary},
    {DOM_ONNX, "LeakyRelu", lf__nc_unary},
    {DOM_ONNX, "Exp", lf__nc_unary},
    {DOM_ONNX, "Neg", lf__nc_unary},
    {DOM_ONNX, "Abs", lf__nc_unary},
    {DOM_ONNX, "Reciprocal", lf__nc_unary},
    {DOM_ONNX, "Floor", lf__nc_unary},
    {DOM_ONNX, "Ceil", lf__nc_unary},
    {DOM_ONNX, "Cast", lf__nc_cast},
    {DOM_ONNX, "ReduceMean", lf__nc_reduce},
    {DOM_ONNX, "ReduceSum", lf__nc_reduce},
    {DOM_ONNX, "ReduceMax", lf__nc_reduce},
    {DOM_ONNX, "LayerNormalization", lf__nc_layernorm},
    {DOM_ONNX, "Identity", lf__nc_identity},
    {DOM_ONNX, "Shape", lf__nc_shape_op},
    {DOM_ONNX, "ConstantOfShape", lf__nc_constant_of_shape},
    {DOM_ONNX, "Gather", lf__nc_gather},
    {DOM_ONNX, "Slice", lf__nc_slice},
    {DOM_ONNX, "Split", lf__nc_split},
    {DOM_ONNX, "Concat", lf__nc_concat},
    {DOM_ONNX, "Unsqueeze", lf__nc_unsqueeze},
    {DOM_ONNX, "Squeeze", lf__nc_squeeze},
    {DOM_ONNX, "Expand", lf__nc_expand},
    {DOM_ONNX, "Where", lf__nc_where},
    {DOM_ONNX, "Range", lf__nc_range},
    {DOM_ONNX, "Pad", lf__nc_pad},
    {DOM_ONNX, "Resize", lf__nc_resize},
    {DOM_ONNX, "Upsample", lf__nc_upsample},
    {DOM_ONNX, "Constant", lf__nc_constant},
    {DOM_ONNX, "DynamicQuantizeLinear", lf__nc_dynamic_quantize},
    {DOM_MS, "QLinearAdd", lf__nc_qadd},
    {DOM_MS, "QLinearMul", lf__nc_qmul},
    {DOM_MS, "QLinearSigmoid", lf__nc_qlut},
    {DOM_MS, "QLinearLeakyRelu", lf__nc_qlut},
    {DOM_MS, "QLinearAveragePool", lf__nc_qavgpool},
    {DOM_MS, "QLinearGlobalAveragePool", lf__nc_qglobal_avgpool},
    {DOM_MS, "QuantizeLinear", lf__nc_quantize_linear},
    {DOM_MS, "DequantizeLinear", lf__nc_dequantize_linear},
};

static int domain_code(const char *domain)
{
	if (!domain || !domain[0] || strcmp(domain, "ai.onnx") == 0)
		return DOM_ONNX;
	if (strcmp(domain, "com.microsoft") == 0)
		return DOM_MS;
	return -1;
}

static lf_status (*find_op(const char *domain,
			   const char *op_type))(const struct lf__nctx *)
{
	int d = domain_code(domain);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].domain == d && strcmp(ops[i].op_type, op_type) == 0)
			return ops[i].run;
	return NULL;
}

int lf__onnx_node_cpu_supported(const char *domain, const char *op_type)
{
	return op_type && find_op(domain, op_type) != NULL;
}

static lf_status run_node(const struct lf__onnx_node *n, int64_t opset,
			  const struct lf__tensor *const *in, size_t n_in,
			  struct lf__tensor *out, size_t n_out,
			  size_t shape_only_over, char *err, size_t errlen)
{
	if (!n || (n_in && !in) || (n_out && !out))
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "lf__onnx_node_run_cpu: NULL argument");
	lf_status (*run)(const struct lf__nctx *) =
	    find_op(n->domain, n->op_type);
	if (!run)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "op '%s%s%s' not supported", n->domain,
				     n->domain[0] ? "." : "", n->op_type);
	const struct lf__nctx c = {
	    .n = n,
	    .opset = opset,
	    .in = in,
	    .n_in = n_in,
	    .out = out,
	    .n_out = n_out,
	    .err = err,
	    .errlen = errlen,
	    .shape_only_over = shape_only_over,
	};
	lf_status st = run(&c);
	return st == LF__NC_SHAPED ? LF_OK : st;
}

lf_status lf__onnx_node_run_cpu(const struct lf__onnx_node *n, int64_t opset,
				const struct lf__tensor *const *in, size_t n_in,
				struct lf__tensor *out, size_t n_out, char *err,
				size_t errlen)
{
	return run_node(n, opset, in, n_in, out, n_out, 0, err, errlen);
}

lf_status lf__onnx_node_shape_cpu(const struct lf__onnx_node *n, int64_t opset,
				  const struct lf__tensor *const *in,
				  size_t n_in, struct lf__tensor *out,
				  size_t n_out, size_t over, char *err,
				  size_t errlen)
{
	return run_node(n, opset, in, n_in, out, n_out, over ? over : 1, err,
			errlen);
}

lf_status lf__nc_fail(const struct lf__nctx *c, lf_status st, const char *fmt,
		      ...)
{
	if (!c->err || !c->errlen)
		return st;
	int k = snprintf(c->err, c->errlen, "%s: ", c->n->op_type);
	if (k < 0 || (size_t)k >= c->errlen)
		return st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return st;
}

const struct lf__tensor *lf__nc_in(const struct lf__nctx *c, size_t i)
{
	return i < c->n_in ? c->in[i] : NULL;
}

lf_status lf__nc_need(const struct lf__nctx *c, size_t i,
		      const struct lf__tensor **t)
{
	*t = lf__nc_in(c, i);
	if (!*t)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "input %zu is missing", i);
	return LF_OK;
}

lf_status lf__nc_need_float(const struct lf__nctx *c, size_t i,
			    const struct lf__tensor **t)
{
	lf_status st = lf__nc_need(c, i, t);
	if (st != LF_OK)
		return st;
	if ((*t)->dtype != LF__ONNX_FLOAT)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of type %s not supported (float32 "
				   "only)",
				   lf__onnx_dtype_name((*t)->dtype));
	return LF_OK;
}

lf_status lf__nc_dtype(const struct lf__nctx *c, size_t i, lf_dtype *t)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need(c, i, &x);
	if (st != LF_OK)
		return st;
	if (lf__onnx_dtype_to_lf(x->dtype, t) != LF_OK)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input %zu of type %s not supported", i,
				   lf__onnx_dtype_name(x->dtype));
	return LF_OK;
}

static const struct lf__onnx_attr *
attr(const struct lf__nctx *c, const char *name, int type, lf_status *st)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(c->n, name);
	*st = LF_OK;
	if (a && a->type != type) {
		*st = lf__nc_fail(c, LF_ERR_INVALID_ARG,
				  "attribute '%s' has type %d, expected %d",
				  name, a->type, type);
		return NULL;
	}
	return a;
}

lf_status lf__nc_attr_i(const struct lf__nctx *c, const char *name,
			int64_t dflt, int64_t *v)
{
	lf_status st;
	const struct lf__onnx_attr *a = attr(c, name, LF__ATTR_INT, &st);
	*v = a ? a->i : dflt;
	return st;
}

lf_status lf__nc_attr_f(const struct lf__nctx *c, const char *name, float dflt,
			float *v)
{
	lf_status st;
	const struct lf__onnx_attr *a = attr(c, name, LF__ATTR_FLOAT, &st);
	*v = a ? a->f : dflt;
	return st;
}

lf_status lf__nc_attr_s(const struct lf__nctx *c, const char *name,
			const char *dflt, const char **v)
{
	lf_status st;
	const struct lf__onnx_attr *a = attr(c, name, LF__ATTR_STRING, &st);
	*v = a ? a->s : dflt;
	return st;
}

lf_status lf__nc_attr_ints(const struct lf__nctx *c, const char *name,
			   const int64_t **v, size_t *n)
{
	lf_status st;
	const struct lf__onnx_attr *a = attr(c, name, LF__ATTR_INTS, &st);
	*v = a ? a->ints : NULL;
	*n = a ? a->n : 0;
	return st;
}

int lf__nc_is_scalar(const struct lf__tensor *t)
{
	return t->count == 1 && t->rank <= 1;
}

lf_status lf__nc_scale1(const struct lf__nctx *c, size_t i, float *v)
{
	const struct lf__tensor *t;
	lf_status st = lf__nc_need(c, i, &t);
	if (st != LF_OK)
		return st;
	if (t->dtype != LF__ONNX_FLOAT)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "scale (input %zu) of type %s not "
				   "supported",
				   i, lf__onnx_dtype_name(t->dtype));
	if (!lf__nc_is_scalar(t))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "scale (input %zu) has %zu entries; only a "
				   "per-tensor scale is supported here",
				   i, t->count);
	*v = *(const float *)t->data;
	return LF_OK;
}

lf_status lf__nc_zp1(const struct lf__nctx *c, size_t i, lf_dtype *t,
		     int32_t *v)
{
	const struct lf__tensor *z = lf__nc_in(c, i);
	*v = 0;
	if (!z)
		return LF_OK;
	lf_dtype zt;
	if (lf__onnx_dtype_to_lf(z->dtype, &zt) != LF_OK ||
	    (zt != LF_DTYPE_UINT8 && zt != LF_DTYPE_INT8))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "zero point (input %zu) of type %s not "
				   "supported",
				   i, lf__onnx_dtype_name(z->dtype));
	if (*t != LF_DTYPE_INT32 && zt != *t)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "zero point (input %zu) is %s, its tensor "
				   "is %s",
				   i, lf__onnx_dtype_name(z->dtype),
				   lf__onnx_dtype_name(lf__nc_onnx_dtype(*t)));
	if (!lf__nc_is_scalar(z))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "zero point (input %zu) has %zu entries; "
				   "only a per-tensor one is supported here",
				   i, z->count);
	*t = zt;
	*v = zt == LF_DTYPE_UINT8 ? *(const uint8_t *)z->data
				  : *(const int8_t *)z->data;
	return LF_OK;
}

lf_status lf__nc_prod(const struct lf__nctx *c, const struct lf__tensor *t,
		      int from, int to, size_t *out)
{
	size_t p = 1;
	for (int i = from; i < to; i++)
		if (__builtin_mul_overflow(p, (size_t)t->dims[i], &p))
			return lf__nc_fail(c, LF_ERR_OVERFLOW,
					   "shape product overflows");
	*out = p;
	return LF_OK;
}

lf_status lf__nc_ints(const struct lf__nctx *c, const struct lf__tensor *t,
		      const char *what, int64_t *v, size_t max, size_t *n)
{
	if ((t->dtype != LF__ONNX_INT64 && t->dtype != LF__ONNX_INT32) ||
	    t->rank > 1)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "%s must be a 1-D int64 or int32 tensor",
				   what);
	if (t->count > max)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "%s has %zu entries (at most %zu)", what,
				   t->count, max);
	for (size_t i = 0; i < t->count; i++)
		v[i] = t->dtype == LF__ONNX_INT64
			   ? ((const int64_t *)t->data)[i]
			   : ((const int32_t *)t->data)[i];
	*n = t->count;
	return LF_OK;
}

void lf__nc_shape(const struct lf__tensor *t, struct lf_ref_shape *s)
{
	s->rank = t->rank;
	for (int i = 0; i < t->rank; i++)
		s->dim[i] = t->dims[i];
}

lf_status lf__nc_out(const struct lf__nctx *c, size_t i, int32_t dtype,
		     int rank, const int64_t *dims, struct lf__tensor **t)
{
	if (i >= c->n_out)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "no room for output %zu", i);
	char msg[LF__ONNX_ERR_LEN];
	if (c->shape_only_over && i + 1 == c->n_out) {
		/* A large last output: its shape, no data (a bad shape or
		 * type falls through to lf__tensor_alloc's error). */
		size_t n;
		if (lf__onnx_dtype_size(dtype) &&
		    lf__tensor_count(dtype, rank, dims, &n, NULL, 0) == LF_OK &&
		    n > c->shape_only_over) {
			struct lf__tensor *o = &c->out[i];
			memset(o, 0, sizeof(*o));
			o->dtype = dtype;
			o->rank = rank;
			for (int d = 0; d < rank; d++)
				o->dims[d] = dims[d];
			o->count = n;
			return LF__NC_SHAPED;
		}
	}
	lf_status st =
	    lf__tensor_alloc(&c->out[i], dtype, rank, dims, msg, sizeof(msg));
	if (st != LF_OK)
		return lf__nc_fail(c, st, "output %zu: %s", i, msg);
	*t = &c->out[i];
	return LF_OK;
}

int32_t lf__nc_onnx_dtype(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return LF__ONNX_UINT8;
	case LF_DTYPE_INT8:
		return LF__ONNX_INT8;
	case LF_DTYPE_INT32:
		return LF__ONNX_INT32;
	case LF_DTYPE_FLOAT32:
		return LF__ONNX_FLOAT;
	}
	return 0;
}

lf_status lf__nc_ref_fail(const struct lf__nctx *c, lf_status st,
			  const char *what)
{
	if (st == LF_OK)
		return st;
	return lf__nc_fail(c, st, "%s: %s (%s)", what, lf_status_str(st),
			   lf_status_name(st));
}
