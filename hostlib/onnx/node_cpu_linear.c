/*
 * node_cpu_linear.c - QLinearConv / ConvInteger (1-D and 2-D) and
 * QLinearMatMul / MatMulInteger (numpy matmul broadcasting) nodes, on the
 * reference lf__ref_qconv2d() / lf__ref_qmatmul().
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/* Quantization inputs of one op, widened; zp arrays are owned. */
struct qparams {
	lf_dtype xt, wt, yt;
	float x_scale, y_scale;
	int32_t x_zp, y_zp;
	const float *w_scale;
	int w_scale_count;
	int32_t *w_zp; /* malloc'ed, w_zp_count entries */
	int w_zp_count;
};

/*
 * A weight-side scale or zero point: one entry, or @channels entries in a
 * tensor of rank <= 1.
 */
static lf_status per_channel(const struct lf__nctx *c,
			     const struct lf__tensor *t, size_t i,
			     int64_t channels, const char *what)
{
	if (lf__nc_is_scalar(t) ||
	    (t->rank == 1 && (int64_t)t->count == channels))
		return LF_OK;
	return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
			   "%s (input %zu) has %zu entries; 1 or %lld "
			   "(per output channel) are supported",
			   what, i, t->count, (long long)channels);
}

static lf_status w_zp_of(const struct lf__nctx *c, size_t i, int64_t channels,
			 struct qparams *q)
{
	const struct lf__tensor *z = lf__nc_in(c, i);
	size_t n = z ? z->count : 1;
	q->w_zp = calloc(n ? n : 1, sizeof(int32_t));
	q->w_zp_count = (int)(n ? n : 1);
	if (!q->w_zp)
		return lf__nc_fail(c, LF_ERR_NO_MEMORY, "out of memory");
	if (!z)
		return LF_OK;
	if (z->dtype != lf__nc_onnx_dtype(q->wt))
		return lf__nc_fail(
		    c, LF_ERR_INVALID_ARG,
		    "weight zero point (input %zu) is %s, the "
		    "weights %s",
		    i, lf__onnx_dtype_name(z->dtype),
		    lf__onnx_dtype_name(lf__nc_onnx_dtype(q->wt)));
	lf_status st = per_channel(c, z, i, channels, "weight zero point");
	if (st != LF_OK)
		return st;
	for (size_t k = 0; k < n; k++)
		q->w_zp[k] = q->wt == LF_DTYPE_UINT8
				 ? ((const uint8_t *)z->data)[k]
				 : ((const int8_t *)z->data)[k];
	return LF_OK;
}

/*
 * Inputs of the QLinear form (x, x_scale, x_zp, w, w_scale, w_zp, y_scale,
 * y_zp at 0..7) or the Integer form (x, w, x_zp, w_zp at 0..3).
 */
static lf_status qparams_of(const struct lf__nctx *c, int qlinear,
			    int64_t channels, struct qparams *q)
{
	size_t xi = 0, wi = qlinear ? 3 : 1;
	lf_status st = lf__nc_dtype(c, xi, &q->xt);
	if (st == LF_OK)
		st = lf__nc_dtype(c, wi, &q->wt);
	if (st != LF_OK)
		return st;
	if ((q->xt != LF_DTYPE_UINT8 && q->xt != LF_DTYPE_INT8) ||
	    (q->wt != LF_DTYPE_UINT8 && q->wt != LF_DTYPE_INT8))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "inputs must be uint8 or int8");
	lf_dtype zt = q->xt;
	st = lf__nc_zp1(c, 2, &zt, &q->x_zp);
	if (st == LF_OK)
		st = w_zp_of(c, qlinear ? 5 : 3, channels, q);
	if (st != LF_OK || !qlinear) {
		q->yt = LF_DTYPE_INT32;
		return st;
	}
	const struct lf__tensor *ws, *yz;
	st = lf__nc_scale1(c, 1, &q->x_scale);
	if (st == LF_OK)
		st = lf__nc_need(c, 4, &ws);
	if (st == LF_OK)
		st = lf__nc_scale1(c, 6, &q->y_scale);
	if (st == LF_OK)
		st = lf__nc_need(c, 7, &yz);
	if (st != LF_OK)
		return st;
	if (ws->dtype != LF__ONNX_FLOAT)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "weight scale of type %s not supported",
				   lf__onnx_dtype_name(ws->dtype));
	st = per_channel(c, ws, 4, channels, "weight scale");
	if (st != LF_OK)
		return st;
	q->w_scale = ws->data;
	q->w_scale_count = (int)ws->count;
	q->yt = LF_DTYPE_INT32; /* any: y's type is its zero point's */
	return lf__nc_zp1(c, 7, &q->yt, &q->y_zp);
}

static int fits_int(int64_t v)
{
	return v >= 0 && v <= INT_MAX;
}

/* Conv padding of one spatial dim, as ORT's ConvAttributes. */
static lf_status conv_pads(const struct lf__nctx *c, const char *auto_pad,
			   int64_t in, int64_t k, int64_t s, int64_t d,
			   int64_t *pb, int64_t *pe)
{
	if (!auto_pad[0] || strcmp(auto_pad, "NOTSET") == 0)
		return LF_OK;
	if (strcmp(auto_pad, "VALID") == 0) {
		*pb = *pe = 0;
		return LF_OK;
	}
	int upper = strcmp(auto_pad, "SAME_UPPER") == 0;
	if (!upper && strcmp(auto_pad, "SAME_LOWER") != 0)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "auto_pad '%s' unknown", auto_pad);
	if (d != 1)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "auto_pad %s with dilations", auto_pad);
	int64_t need = ((in + s - 1) / s - 1) * s + k - in;
	if (need < 0)
		need = 0;
	*pb = upper ? need / 2 : (need + 1) / 2;
	*pe = need - *pb;
	return LF_OK;
}

/* The conv geometry of x and w (1-D as 2-D with height 1) into @r. */
static lf_status conv_geometry(const struct lf__nctx *c,
			       const struct lf__tensor *x,
			       const struct lf__tensor *w,
			       struct lf_ref_qconv *r)
{
	if ((x->rank != 3 && x->rank != 4) || w->rank != x->rank)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "input of rank %d, weights of rank %d: "
				   "only 1-D and 2-D convolution is supported",
				   x->rank, w->rank);
	size_t nsp = (size_t)x->rank - 2;
	int64_t group;
	const int64_t *ks, *st_, *pads, *dil;
	size_t nk, ns, np, nd;
	const char *ap;
	lf_status st = lf__nc_attr_i(c, "group", 1, &group);
	if (st == LF_OK)
		st = lf__nc_attr_ints(c, "kernel_shape", &ks, &nk);
	if (st == LF_OK)
		st = lf__nc_attr_ints(c, "strides", &st_, &ns);
	if (st == LF_OK)
		st = lf__nc_attr_ints(c, "pads", &pads, &np);
	if (st == LF_OK)
		st = lf__nc_attr_ints(c, "dilations", &dil, &nd);
	if (st == LF_OK)
		st = lf__nc_attr_s(c, "auto_pad", "NOTSET", &ap);
	if (st != LF_OK)
		return st;
	if ((nk && nk != nsp) || (ns && ns != nsp) || (np && np != 2 * nsp) ||
	    (nd && nd != nsp))
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "kernel_shape/strides/pads/dilations do "
				   "not match %zu spatial dims",
				   nsp);
	/* Spatial dims as [h, w]; a 1-D conv has h = 1. */
	int64_t in[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1};
	int64_t pb[2] = {0, 0}, pe[2] = {0, 0};
	for (size_t i = 0; i < nsp; i++) {
		size_t j = i + (2 - nsp);
		in[j] = x->dims[2 + i];
		k[j] = w->dims[2 + i];
		if (nk && ks[i] != k[j])
			return lf__nc_fail(c, LF_ERR_SHAPE,
					   "kernel_shape[%zu] = %lld, weights "
					   "say %lld",
					   i, (long long)ks[i],
					   (long long)k[j]);
		s[j] = ns ? st_[i] : 1;
		d[j] = nd ? dil[i] : 1;
		pb[j] = np ? pads[i] : 0;
		pe[j] = np ? pads[nsp + i] : 0;
		st = conv_pads(c, ap, in[j], k[j], s[j], d[j], &pb[j], &pe[j]);
		if (st != LF_OK)
			return st;
	}
	int64_t all[] = {x->dims[0], x->dims[1], w->dims[0], group,
			 in[0],	     in[1],	 k[0],	     k[1],
			 s[0],	     s[1],	 d[0],	     d[1],
			 pb[0],	     pb[1],	 pe[0],	     pe[1]};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!fits_int(all[i]))
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "a dim or attribute is out of range "
					   "(%lld)",
					   (long long)all[i]);
	if (group < 1 || w->dims[1] * group != x->dims[1] || w->dims[0] % group)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "weights [%lld,%lld,...] with group %lld do "
				   "not fit %lld input channels",
				   (long long)w->dims[0], (long long)w->dims[1],
				   (long long)group, (long long)x->dims[1]);
	r->n = (int)x->dims[0];
	r->ic = (int)x->dims[1];
	r->oc = (int)w->dims[0];
	r->groups = (int)group;
	r->ih = (int)in[0];
	r->iw = (int)in[1];
	r->kh = (int)k[0];
	r->kw = (int)k[1];
	r->stride_h = (int)s[0];
	r->stride_w = (int)s[1];
	r->dil_h = (int)d[0];
	r->dil_w = (int)d[1];
	r->pad_t = (int)pb[0];
	r->pad_l = (int)pb[1];
	r->pad_b = (int)pe[0];
	r->pad_r = (int)pe[1];
	return LF_OK;
}

lf_status lf__nc_qconv(const struct lf__nctx *c)
{
	int qlinear = strcmp(c->n->op_type, "QLinearConv") == 0;
	const struct lf__tensor *x, *w, *b = qlinear ? lf__nc_in(c, 8) : NULL;
	struct lf_ref_qconv r;
	struct qparams q;
	memset(&r, 0, sizeof(r));
	memset(&q, 0, sizeof(q));
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = lf__nc_need(c, qlinear ? 3 : 1, &w);
	if (st == LF_OK)
		st = conv_geometry(c, x, w, &r);
	if (st == LF_OK)
		st = qparams_of(c, qlinear, r.oc, &q);
	if (st != LF_OK)
		goto out;
	if (b && (b->dtype != LF__ONNX_INT32 || b->rank != 1 ||
		  (int64_t)b->count != r.oc)) {
		st = lf__nc_fail(c, LF_ERR_INVALID_ARG,
				 "bias must be int32 with %d entries", r.oc);
		goto out;
	}
	int oh =
	    lf__ref_out_dim(r.ih, r.kh, r.stride_h, r.pad_t, r.pad_b, r.dil_h);
	int ow =
	    lf__ref_out_dim(r.iw, r.kw, r.stride_w, r.pad_l, r.pad_r, r.dil_w);
	if (oh <= 0 || ow <= 0) {
		st = lf__nc_fail(c, LF_ERR_SHAPE,
				 "the kernel does not fit the padded input");
		goto out;
	}
	r.x_type = q.xt;
	r.w_type = q.wt;
	r.y_type = q.yt;
	r.x_zp = q.x_zp;
	r.y_zp = q.y_zp;
	r.w_zp = q.w_zp;
	r.w_zp_count = q.w_zp_count;
	r.x_scale = q.x_scale;
	r.y_scale = q.y_scale;
	r.w_scale = q.w_scale;
	r.w_scale_count = q.w_scale_count;
	r.bias = b ? b->data : NULL;
	lf__ref_dtype_range(q.yt, &r.act_min, &r.act_max);
	int64_t dims[4] = {r.n, r.oc, oh, ow};
	struct lf__tensor *y;
	if (x->rank == 3) /* 1-D: drop the height of 1 */
		dims[2] = ow;
	st = lf__nc_out(c, 0, lf__nc_onnx_dtype(q.yt), x->rank, dims, &y);
	if (st == LF_OK && y->count)
		st = lf__nc_ref_fail(
		    c, lf__ref_qconv2d(&r, x->data, w->data, y->data),
		    "qconv2d");
out:
	free(q.w_zp);
	return st;
}

/*
 * numpy matmul shapes: A [..., M, K] (1-D: [K], M dropped), B [..., K, N]
 * (1-D: [K], N dropped); the batch dims broadcast.
 */
struct mm_shape {
	int64_t m, k, n;
	struct lf_ref_shape ab, bb, yb; /* batch shapes */
	size_t batches;
	int64_t ydims[LF_REF_MAX_RANK];
	int yrank;
};

static lf_status mm_shape_of(const struct lf__nctx *c,
			     const struct lf__tensor *a,
			     const struct lf__tensor *b, struct mm_shape *s)
{
	if (a->rank < 1 || b->rank < 1)
		return lf__nc_fail(c, LF_ERR_SHAPE, "scalar operand");
	s->m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
	s->k = a->dims[a->rank - 1];
	int64_t kb = b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0];
	s->n = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
	if (kb != s->k)
		return lf__nc_fail(c, LF_ERR_SHAPE,
				   "inner dims differ: %lld and %lld",
				   (long long)s->k, (long long)kb);
	if (!fits_int(s->m) || !fits_int(s->k) || !fits_int(s->n))
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED, "dims out of range");
	s->ab.rank = a->rank >= 2 ? a->rank - 2 : 0;
	s->bb.rank = b->rank >= 2 ? b->rank - 2 : 0;
	memcpy(s->ab.dim, a->dims, sizeof(int64_t) * (size_t)s->ab.rank);
	memcpy(s->bb.dim, b->dims, sizeof(int64_t) * (size_t)s->bb.rank);
	lf_status st = lf__ref_broadcast_shape(&s->ab, &s->bb, &s->yb);
	if (st == LF_OK)
		st = lf__ref_shape_count(&s->yb, &s->batches);
	if (st != LF_OK)
		return lf__nc_fail(c, st, "batch dims do not broadcast");
	s->yrank = s->yb.rank;
	memcpy(s->ydims, s->yb.dim, sizeof(int64_t) * (size_t)s->yrank);
	if (a->rank >= 2)
		s->ydims[s->yrank++] = s->m;
	if (b->rank >= 2)
		s->ydims[s->yrank++] = s->n;
	return LF_OK;
}

/* Index of batch @i of broadcast shape @y in operand batch shape @o. */
static size_t batch_index(const struct lf_ref_shape *y,
			  const struct lf_ref_shape *o, size_t i)
{
	size_t idx = 0, step = 1;
	for (int d = y->rank - 1; d >= 0; d--) {
		size_t coord = i % (size_t)y->dim[d];
		i /= (size_t)y->dim[d];
		int od = o->rank - y->rank + d;
		if (od < 0)
			continue;
		if (o->dim[od] != 1)
			idx += coord * step;
		step *= (size_t)o->dim[od];
	}
	return idx;
}

lf_status lf__nc_qmatmul(const struct lf__nctx *c)
{
	int qlinear = strcmp(c->n->op_type, "QLinearMatMul") == 0;
	const struct lf__tensor *a, *b;
	struct mm_shape s;
	struct qparams q;
	memset(&q, 0, sizeof(q));
	lf_status st = lf__nc_need(c, 0, &a);
	if (st == LF_OK)
		st = lf__nc_need(c, qlinear ? 3 : 1, &b);
	if (st == LF_OK)
		st = mm_shape_of(c, a, b, &s);
	if (st == LF_OK)
		st = qparams_of(c, qlinear, s.n, &q);
	if (st != LF_OK)
		goto out;
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, lf__nc_onnx_dtype(q.yt), s.yrank, s.ydims, &y);
	if (st != LF_OK || y->count == 0)
		goto out;
	if (s.k == 0) {
		st = lf__nc_fail(c, LF_ERR_UNSUPPORTED, "empty inner dim");
		goto out;
	}
	struct lf_ref_qmatmul r = {
	    .x_type = q.xt,
	    .w_type = q.wt,
	    .y_type = q.yt,
	    .batch = 1,
	    .m = (int)s.m,
	    .k = (int)s.k,
	    .n = (int)s.n,
	    .w_batch = 1,
	    .x_zp = q.x_zp,
	    .y_zp = q.y_zp,
	    .w_zp = q.w_zp,
	    .w_zp_count = q.w_zp_count,
	    .x_scale = q.x_scale,
	    .y_scale = q.y_scale,
	    .w_scale = q.w_scale,
	    .w_scale_count = q.w_scale_count,
	};
	lf__ref_dtype_range(q.yt, &r.act_min, &r.act_max);
	size_t ysize = lf__ref_dtype_size(q.yt);
	size_t mk = (size_t)s.m * (size_t)s.k, kn = (size_t)s.k * (size_t)s.n;
	size_t mn = (size_t)s.m * (size_t)s.n;
	for (size_t i = 0; i < s.batches && st == LF_OK; i++) {
		const uint8_t *ap = (const uint8_t *)a->data +
				    batch_index(&s.yb, &s.ab, i) * mk;
		const uint8_t *bp = (const uint8_t *)b->data +
				    batch_index(&s.yb, &s.bb, i) * kn;
		uint8_t *yp = (uint8_t *)y->data + i * mn * ysize;
		st = lf__nc_ref_fail(c, lf__ref_qmatmul(&r, ap, bp, yp),
				     "qmatmul");
	}
out:
	free(q.w_zp);
	return st;
}
