/*
 * node_cpu_pool.c - MaxPool, AveragePool, GlobalAveragePool and the
 * com.microsoft QLinearAveragePool / QLinearGlobalAveragePool nodes.
 */
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/* A per-dim attribute list: absent, or exactly @want entries. */
static lf_status dim_list(const struct lf__nctx *c, const char *name,
			  size_t want, const int64_t **v)
{
	size_t n;
	lf_status st = lf__nc_attr_ints(c, name, v, &n);
	if (st != LF_OK)
		return st;
	if (n && n != want)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "attribute '%s' has %zu entries, expected "
				   "%zu",
				   name, n, want);
	if (!n)
		*v = NULL;
	return LF_OK;
}

static lf_status auto_pad_of(const struct lf__nctx *c, enum lf_ref_auto_pad *ap)
{
	const char *s;
	lf_status st = lf__nc_attr_s(c, "auto_pad", "NOTSET", &s);
	if (st != LF_OK)
		return st;
	if (!s[0] || strcmp(s, "NOTSET") == 0)
		*ap = LF_REF_AUTO_PAD_NOTSET;
	else if (strcmp(s, "SAME_UPPER") == 0)
		*ap = LF_REF_AUTO_PAD_SAME_UPPER;
	else if (strcmp(s, "SAME_LOWER") == 0)
		*ap = LF_REF_AUTO_PAD_SAME_LOWER;
	else if (strcmp(s, "VALID") == 0)
		*ap = LF_REF_AUTO_PAD_VALID;
	else
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "auto_pad '%s' unknown", s);
	return LF_OK;
}

/* The window of a pooling node over input @x, planned. */
static lf_status pool_of(const struct lf__nctx *c, const struct lf__tensor *x,
			 struct lf_ref_pool *p)
{
	memset(p, 0, sizeof(*p));
	if (x->rank < 3 || x->rank > 2 + LF_REF_POOL_MAX_DIMS)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of rank %d: only 1-D to 3-D pooling "
				   "is supported",
				   x->rank);
	size_t nsp = (size_t)x->rank - 2;
	const int64_t *k, *s, *pads, *dil;
	lf_status st = dim_list(c, "kernel_shape", nsp, &k);
	if (st == LF_OK)
		st = dim_list(c, "strides", nsp, &s);
	if (st == LF_OK)
		st = dim_list(c, "pads", 2 * nsp, &pads);
	if (st == LF_OK)
		st = dim_list(c, "dilations", nsp, &dil);
	if (st == LF_OK)
		st = auto_pad_of(c, &p->auto_pad);
	int64_t ceil_mode = 0, include_pad = 0;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "ceil_mode", 0, &ceil_mode);
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "count_include_pad", 0, &include_pad);
	if (st != LF_OK)
		return st;
	if (!k)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "attribute 'kernel_shape' is missing");
	p->nsp = (int)nsp;
	p->n = x->dims[0];
	p->c = x->dims[1];
	p->ceil_mode = ceil_mode != 0;
	p->count_include_pad = include_pad != 0;
	for (size_t i = 0; i < nsp; i++) {
		p->in[i] = x->dims[2 + i];
		p->kernel[i] = k[i];
		p->stride[i] = s ? s[i] : 1;
		p->dil[i] = dil ? dil[i] : 1;
		p->pad_begin[i] = pads ? pads[i] : 0;
		p->pad_end[i] = pads ? pads[nsp + i] : 0;
	}
	st = lf__ref_pool_plan(p);
	if (st != LF_OK)
		return lf__nc_fail(c, st,
				   "window does not fit the input (kernel, "
				   "strides, pads or dilations invalid: %s)",
				   lf_status_name(st));
	return LF_OK;
}

static lf_status pool_out(const struct lf__nctx *c, size_t i, int32_t dtype,
			  const struct lf_ref_pool *p, struct lf__tensor **y)
{
	int64_t dims[2 + LF_REF_POOL_MAX_DIMS] = {p->n, p->c};
	for (int d = 0; d < p->nsp; d++)
		dims[2 + d] = p->out[d];
	return lf__nc_out(c, i, dtype, 2 + p->nsp, dims, y);
}

lf_status lf__nc_maxpool(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_dtype t;
	lf_status st = lf__nc_dtype(c, 0, &t);
	if (st != LF_OK)
		return st;
	x = lf__nc_in(c, 0);
	if (t == LF_DTYPE_INT32)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of type int32 not supported");
	struct lf_ref_pool p;
	st = pool_of(c, x, &p);
	int64_t order;
	if (st == LF_OK)
		st = lf__nc_attr_i(c, "storage_order", 0, &order);
	if (st != LF_OK)
		return st;
	struct lf__tensor *y, *idx = NULL;
	st = pool_out(c, 0, x->dtype, &p, &y);
	/* The optional second output: where each maximum came from. */
	if (st == LF_OK && c->n->n_outputs > 1 && c->n->outputs[1][0])
		st = pool_out(c, 1, LF__ONNX_INT64, &p, &idx);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c,
			       lf__ref_maxpool(&p, t, x->data, y->data,
					       idx ? idx->data : NULL,
					       (int)order),
			       "maxpool");
}

lf_status lf__nc_avgpool(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	if (st != LF_OK)
		return st;
	struct lf_ref_pool p;
	struct lf__tensor *y;
	st = pool_of(c, x, &p);
	if (st == LF_OK)
		st = pool_out(c, 0, x->dtype, &p, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(c, lf__ref_avgpool(&p, x->data, y->data),
			       "avgpool");
}

/* N*C and the image size of a global pooling input; its output shape. */
static lf_status global_of(const struct lf__nctx *c, const struct lf__tensor *x,
			   size_t *nc, size_t *image, int64_t *ydims)
{
	if (x->rank < 3)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "input of rank %d: need [N, C, spatial...]",
				   x->rank);
	for (int i = 0; i < x->rank; i++)
		ydims[i] = i < 2 ? x->dims[i] : 1;
	lf_status st = lf__nc_prod(c, x, 0, 2, nc);
	if (st == LF_OK)
		st = lf__nc_prod(c, x, 2, x->rank, image);
	if (st != LF_OK)
		return st;
	if (*image == 0)
		return lf__nc_fail(c, LF_ERR_SHAPE, "empty image");
	return LF_OK;
}

lf_status lf__nc_global_avgpool(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	lf_status st = lf__nc_need_float(c, 0, &x);
	if (st != LF_OK)
		return st;
	size_t nc, image;
	int64_t ydims[LF__TENSOR_MAX_RANK];
	struct lf__tensor *y;
	st = global_of(c, x, &nc, &image, ydims);
	if (st == LF_OK)
		st = lf__nc_out(c, 0, x->dtype, x->rank, ydims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(
	    c, lf__ref_global_avgpool(nc, image, x->data, y->data),
	    "global avgpool");
}

/* x, x_scale, x_zero_point, y_scale, y_zero_point of the QLinear pools. */
static lf_status qpool_params(const struct lf__nctx *c, lf_dtype *t,
			      struct lf_ref_q1 *xq, struct lf_ref_q1 *yq)
{
	lf_status st = lf__nc_dtype(c, 0, t);
	if (st != LF_OK)
		return st;
	if (*t != LF_DTYPE_UINT8 && *t != LF_DTYPE_INT8)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of type %s not supported",
				   lf__onnx_dtype_name(lf__nc_onnx_dtype(*t)));
	int64_t channels_last;
	st = lf__nc_attr_i(c, "channels_last", 0, &channels_last);
	if (st != LF_OK)
		return st;
	if (channels_last)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "channels_last layout not supported");
	lf_dtype zt = *t;
	st = lf__nc_scale1(c, 1, &xq->scale);
	if (st == LF_OK)
		st = lf__nc_zp1(c, 2, &zt, &xq->zp);
	if (st == LF_OK)
		st = lf__nc_scale1(c, 3, &yq->scale);
	if (st == LF_OK)
		st = lf__nc_zp1(c, 4, &zt, &yq->zp);
	return st;
}

lf_status lf__nc_qavgpool(const struct lf__nctx *c)
{
	lf_dtype t;
	struct lf_ref_q1 xq, yq;
	lf_status st = qpool_params(c, &t, &xq, &yq);
	if (st != LF_OK)
		return st;
	const struct lf__tensor *x = lf__nc_in(c, 0);
	struct lf_ref_pool p;
	struct lf__tensor *y;
	st = pool_of(c, x, &p);
	if (st == LF_OK)
		st = pool_out(c, 0, x->dtype, &p, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(
	    c, lf__ref_qavgpool(&p, t, &xq, &yq, x->data, y->data),
	    "qlinear avgpool");
}

lf_status lf__nc_qglobal_avgpool(const struct lf__nctx *c)
{
	lf_dtype t;
	struct lf_ref_q1 xq, yq;
	lf_status st = qpool_params(c, &t, &xq, &yq);
	if (st != LF_OK)
		return st;
	const struct lf__tensor *x = lf__nc_in(c, 0);
	size_t nc, image;
	int64_t ydims[LF__TENSOR_MAX_RANK];
	struct lf__tensor *y;
	st = global_of(c, x, &nc, &image, ydims);
	if (st == LF_OK)
		st = lf__nc_out(c, 0, x->dtype, x->rank, ydims, &y);
	if (st != LF_OK)
		return st;
	return lf__nc_ref_fail(
	    c,
	    lf__ref_qglobal_avgpool(nc, image, t, &xq, &yq, x->data, y->data),
	    "qlinear global avgpool");
}
