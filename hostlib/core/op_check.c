/*
 * op_check.c - argument checking for the layer ops. Each failure names the
 * op, the argument and the offending value, e.g. "conv2d: w has 63 zero
 * points, the layer has 64 output channels".
 */
#include <math.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/core/op.h"
#include "hostlib/base/tensor.h"
#include "hostlib/plan/quant.h"

/*
 * Geometry bound: every extent, pad, stride and dilation stays below 2^24,
 * so index arithmetic in int (the reference's) and uint32 (descriptors)
 * cannot overflow.
 */
#define GEOM_MAX (1 << 24)

static const int32_t zero_zp;

static int is8(lf_dtype t)
{
	return t == LF_DTYPE_UINT8 || t == LF_DTYPE_INT8;
}

static lf_status check_tensor(lf_context *ctx, const char *op, const char *what,
			      const lf_tensor *t, int rank_lo, int rank_hi)
{
	if (!t)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG, "%s: %s is NULL",
			       op, what);
	if (t->ctx != ctx)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: %s belongs to another context", op, what);
	if (t->ndim < rank_lo || t->ndim > rank_hi) {
		if (rank_lo == rank_hi)
			return lf__err(ctx->id, LF_ERR_SHAPE,
				       "%s: %s has rank %d, expected %d", op,
				       what, t->ndim, rank_lo);
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "%s: %s has rank %d, expected %d or %d", op,
			       what, t->ndim, rank_lo, rank_hi);
	}
	for (int i = 0; i < t->ndim; i++)
		if (t->dims[i] >= GEOM_MAX)
			return lf__err(ctx->id, LF_ERR_SHAPE,
				       "%s: %s dimension %d is %lld, at most "
				       "%d supported",
				       op, what, i, (long long)t->dims[i],
				       GEOM_MAX - 1);
	return LF_OK;
}

static lf_status check_8bit(lf_context *ctx, const char *op, const char *what,
			    const lf_tensor *t)
{
	if (!is8(t->dtype))
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: %s is %s, expected uint8 or int8", op, what,
			       lf__dtype_name(t->dtype));
	return LF_OK;
}

/* A per-tensor quantization (count 1), when present. */
static lf_status check_per_tensor(lf_context *ctx, const char *op,
				  const char *what, const lf_tensor *t,
				  int required)
{
	if (!t->q.present) {
		if (required)
			return lf__err(ctx->id, LF_ERR_INVALID_ARG,
				       "%s: %s has no quantization, needed "
				       "for a requantized output",
				       op, what);
		return LF_OK;
	}
	if (t->q.count != 1)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: %s has %zu scales, only per-tensor (1) is "
			       "supported",
			       op, what, t->q.count);
	return LF_OK;
}

/* The output: dtype, quantization, fused activation -> act range. */
static lf_status check_output(lf_context *ctx, const char *op,
			      const lf_tensor *y, lf_activation act,
			      float clip_min, float clip_max,
			      struct lf__layer *L)
{
	if (!is8(y->dtype) && y->dtype != LF_DTYPE_INT32)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: y is %s, expected uint8, int8 or int32", op,
			       lf__dtype_name(y->dtype));
	if (act != LF_ACT_NONE && act != LF_ACT_RELU && act != LF_ACT_CLIP)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: activation %d is not an lf_activation", op,
			       (int)act);
	if (y->dtype == LF_DTYPE_INT32 && act != LF_ACT_NONE)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: a fused activation needs a uint8/int8 "
			       "output, y is int32 (raw accumulators)",
			       op);
	if (act == LF_ACT_CLIP && !(clip_min <= clip_max))
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: clip_min %g is not <= clip_max %g", op,
			       (double)clip_min, (double)clip_max);
	L->y_type = y->dtype;
	if (y->dtype == LF_DTYPE_INT32) {
		L->y_scale = 1.0f;
		L->y_zp = 0;
		lf__dtype_range(LF_DTYPE_INT32, &L->act_min, &L->act_max);
		return LF_OK;
	}
	lf_status st = check_per_tensor(ctx, op, "y", y, 1);
	if (st)
		return st;
	L->y_scale = y->q.scale[0];
	L->y_zp = y->q.zp[0];
	lf__act_range(y->dtype, L->y_scale, L->y_zp, act, clip_min, clip_max,
		      &L->act_min, &L->act_max);
	return LF_OK;
}

/*
 * Weight quantization: per-tensor, or per-channel along @axis with
 * @channels entries. @unit names the channels in messages.
 */
static lf_status check_w_quant(lf_context *ctx, const char *op,
			       const lf_tensor *w, int axis, int channels,
			       const char *unit, struct lf__layer *L)
{
	L->w_zp = &zero_zp;
	L->w_zp_count = 1;
	L->w_scale = NULL;
	L->w_scale_count = 0;
	if (!w->q.present) {
		if (L->y_type != LF_DTYPE_INT32)
			return lf__err(ctx->id, LF_ERR_INVALID_ARG,
				       "%s: w has no quantization, needed for "
				       "a requantized output",
				       op);
		return LF_OK;
	}
	if (w->q.count != 1) {
		if (w->q.axis != axis)
			return lf__err(ctx->id, LF_ERR_INVALID_ARG,
				       "%s: w is quantized along axis %d, "
				       "per-channel weights must be along "
				       "axis %d",
				       op, w->q.axis, axis);
		if (w->q.count != (size_t)channels)
			return lf__err(ctx->id, LF_ERR_INVALID_ARG,
				       "%s: w has %zu zero points, the layer "
				       "has %d %s",
				       op, w->q.count, channels, unit);
	}
	L->w_zp = w->q.zp;
	L->w_zp_count = (int)w->q.count;
	if (L->y_type != LF_DTYPE_INT32) {
		L->w_scale = w->q.scale;
		L->w_scale_count = (int)w->q.count;
	}
	return LF_OK;
}

static lf_status check_bias(lf_context *ctx, const char *op,
			    const lf_tensor *bias, int channels,
			    const char *unit, struct lf__layer *L)
{
	L->has_bias = bias != NULL;
	if (!bias)
		return LF_OK;
	lf_status st = check_tensor(ctx, op, "bias", bias, 1, 1);
	if (st)
		return st;
	if (bias->dtype != LF_DTYPE_INT32)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: bias is %s, expected int32", op,
			       lf__dtype_name(bias->dtype));
	if (bias->dims[0] != channels)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "%s: bias has %lld entries, the layer has %d %s",
			       op, (long long)bias->dims[0], channels, unit);
	return LF_OK;
}

static lf_status check_input_quant(lf_context *ctx, const char *op,
				   const char *what, const lf_tensor *x,
				   const struct lf__layer *L, int32_t *zp,
				   float *scale)
{
	lf_status st =
	    check_per_tensor(ctx, op, what, x, L->y_type != LF_DTYPE_INT32);
	if (st)
		return st;
	*zp = lf__tensor_zp(x);
	*scale = x->q.present ? x->q.scale[0] : 1.0f;
	return LF_OK;
}

static lf_status check_distinct(lf_context *ctx, const char *op,
				const lf_tensor *y, const lf_tensor *a,
				const char *aname, const lf_tensor *b,
				const char *bname)
{
	if (y == a || (b && y == b))
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: y is also %s; in-place ops are not "
			       "supported",
			       op, y == a ? aname : bname);
	return LF_OK;
}

static lf_status check_geom(lf_context *ctx, const char *op, const char *what,
			    int v, int lo)
{
	if (v < lo || v >= GEOM_MAX)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: %s is %d, must be in %d..%d", op, what, v,
			       lo, GEOM_MAX - 1);
	return LF_OK;
}

/* Output extent of a window, or -1 (as the reference computes it). */
static int out_dim(int in, int k, int stride, int pb, int pe, int dil)
{
	long span = (long)(k - 1) * dil + 1;
	long avail = (long)in + pb + pe;
	if (avail < span)
		return -1;
	return (int)((avail - span) / stride + 1);
}

static lf_status check_window(lf_context *ctx, const char *op,
			      struct lf__layer *L, const lf_tensor *y)
{
	static const char *const names[] = {
	    "stride_h",	  "stride_w",  "pad_top",    "pad_left",
	    "pad_bottom", "pad_right", "dilation_h", "dilation_w"};
	int v[] = {L->stride_h, L->stride_w, L->pad_t, L->pad_l,
		   L->pad_b,	L->pad_r,    L->dil_h, L->dil_w};
	for (int i = 0; i < 8; i++) {
		lf_status st = check_geom(ctx, op, names[i], v[i],
					  i >= 2 && i < 6 ? 0 : 1);
		if (st)
			return st;
	}
	if ((long)(L->kh - 1) * L->dil_h >= GEOM_MAX ||
	    (long)(L->kw - 1) * L->dil_w >= GEOM_MAX)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: dilated window %dx%d (dilation %dx%d) is "
			       "too large",
			       op, L->kh, L->kw, L->dil_h, L->dil_w);
	L->oh =
	    out_dim(L->ih, L->kh, L->stride_h, L->pad_t, L->pad_b, L->dil_h);
	L->ow =
	    out_dim(L->iw, L->kw, L->stride_w, L->pad_l, L->pad_r, L->dil_w);
	if (L->oh <= 0 || L->ow <= 0)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "%s: window %dx%d does not fit the %dx%d input "
			       "with its padding",
			       op, L->kh, L->kw, L->ih, L->iw);
	const int64_t want[4] = {L->n, L->oc, L->oh, L->ow};
	for (int i = 0; i < 4; i++)
		if (y->dims[i] != want[i])
			return lf__err(
			    ctx->id, LF_ERR_SHAPE,
			    "%s: y is [%lld, %lld, %lld, %lld], the "
			    "layer produces [%d, %d, %d, %d]",
			    op, (long long)y->dims[0], (long long)y->dims[1],
			    (long long)y->dims[2], (long long)y->dims[3], L->n,
			    L->oc, L->oh, L->ow);
	return LF_OK;
}

static int dflt1(int v)
{
	return v == 0 ? 1 : v;
}

lf_status lf__op_conv2d(lf_context *ctx, lf_tensor *x, lf_tensor *w,
			lf_tensor *bias, const struct lf_conv2d_params *p,
			lf_tensor *y, struct lf__op *op)
{
	static const char *const name = "conv2d";
	struct lf_conv2d_params pv = LF_STRUCT_INIT(struct lf_conv2d_params);
	if (!ctx)
		return lf__err(0, LF_ERR_INVALID_ARG, "conv2d: ctx is NULL");
	lf_status st;
	if (p && (st = LF__STRUCT_IN(ctx->id, name, lf_conv2d_params, p, &pv)))
		return st;
	p = &pv;
	if ((st = check_tensor(ctx, name, "x", x, 4, 4)) ||
	    (st = check_tensor(ctx, name, "w", w, 4, 4)) ||
	    (st = check_tensor(ctx, name, "y", y, 4, 4)) ||
	    (st = check_8bit(ctx, name, "x", x)) ||
	    (st = check_8bit(ctx, name, "w", w)) ||
	    (st = check_distinct(ctx, name, y, x, "x", w, "w")) ||
	    (st = check_distinct(ctx, name, y, bias, "bias", NULL, NULL)))
		return st;

	memset(op, 0, sizeof(*op));
	struct lf__layer *L = &op->L;
	L->op = LF_KOP_CONV2D;
	L->x_type = x->dtype;
	L->w_type = w->dtype;
	L->n = (int)x->dims[0];
	L->ic = (int)x->dims[1];
	L->ih = (int)x->dims[2];
	L->iw = (int)x->dims[3];
	L->oc = (int)w->dims[0];
	L->kh = (int)w->dims[2];
	L->kw = (int)w->dims[3];
	L->stride_h = dflt1(p->stride_h);
	L->stride_w = dflt1(p->stride_w);
	L->pad_t = p->pad_top;
	L->pad_l = p->pad_left;
	L->pad_b = p->pad_bottom;
	L->pad_r = p->pad_right;
	L->dil_h = dflt1(p->dilation_h);
	L->dil_w = dflt1(p->dilation_w);
	L->groups = dflt1(p->groups);
	if (L->groups < 0 || L->ic % L->groups || L->oc % L->groups)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "conv2d: groups %d must divide the %d input "
			       "and %d output channels",
			       p->groups, L->ic, L->oc);
	if (w->dims[1] != L->ic / L->groups)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "conv2d: w has %lld input channels per group, "
			       "x has %d channels in %d group%s (%d each)",
			       (long long)w->dims[1], L->ic, L->groups,
			       L->groups == 1 ? "" : "s", L->ic / L->groups);
	if ((st = check_window(ctx, name, L, y)) ||
	    (st = check_output(ctx, name, y, p->activation, p->clip_min,
			       p->clip_max, L)) ||
	    (st = check_input_quant(ctx, name, "x", x, L, &L->x_zp,
				    &L->x_scale)) ||
	    (st =
		 check_w_quant(ctx, name, w, 0, L->oc, "output channels", L)) ||
	    (st = check_bias(ctx, name, bias, L->oc, "output channels", L)))
		return st;
	op->name = name;
	op->x = x;
	op->w = w;
	op->bias = bias;
	op->y = y;
	return LF_OK;
}

lf_status lf__op_matmul(lf_context *ctx, lf_tensor *a, lf_tensor *b,
			lf_tensor *bias, const struct lf_matmul_params *p,
			lf_tensor *y, struct lf__op *op)
{
	static const char *const name = "matmul";
	struct lf_matmul_params pv = LF_STRUCT_INIT(struct lf_matmul_params);
	if (!ctx)
		return lf__err(0, LF_ERR_INVALID_ARG, "matmul: ctx is NULL");
	lf_status st;
	if (p && (st = LF__STRUCT_IN(ctx->id, name, lf_matmul_params, p, &pv)))
		return st;
	p = &pv;
	if ((st = check_tensor(ctx, name, "a", a, 2, 3)) ||
	    (st = check_tensor(ctx, name, "b", b, 2, 3)) ||
	    (st = check_tensor(ctx, name, "y", y, 2, 3)) ||
	    (st = check_8bit(ctx, name, "a", a)) ||
	    (st = check_8bit(ctx, name, "b", b)) ||
	    (st = check_distinct(ctx, name, y, a, "a", b, "b")) ||
	    (st = check_distinct(ctx, name, y, bias, "bias", NULL, NULL)))
		return st;

	memset(op, 0, sizeof(*op));
	struct lf__layer *L = &op->L;
	L->op = LF_KOP_MATMUL;
	L->x_type = a->dtype;
	L->w_type = b->dtype;
	int ar = a->ndim, br = b->ndim;
	L->batch = ar == 3 ? (int)a->dims[0] : 1;
	L->m = (int)a->dims[ar - 2];
	L->k = (int)a->dims[ar - 1];
	L->cols = (int)b->dims[br - 1];
	L->w_batch = br == 3 ? (int)b->dims[0] : 1;
	if (b->dims[br - 2] != L->k)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "matmul: a has K = %d columns, b has %lld rows",
			       L->k, (long long)b->dims[br - 2]);
	if (L->w_batch != 1 && L->w_batch != L->batch)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "matmul: b has batch %d, a has batch %d (b's "
			       "batch must be 1 or a's)",
			       L->w_batch, L->batch);
	int yr = (ar == 3 || br == 3) ? 3 : 2;
	if (y->ndim != yr)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "matmul: y has rank %d, expected %d", y->ndim,
			       yr);
	if ((yr == 3 && y->dims[0] != L->batch) || y->dims[yr - 2] != L->m ||
	    y->dims[yr - 1] != L->cols)
		return lf__err(
		    ctx->id, LF_ERR_SHAPE,
		    "matmul: y is %s[%lld, %lld], the layer produces "
		    "[%d, %d] (batch %d)",
		    yr == 3 ? "a batch of " : "", (long long)y->dims[yr - 2],
		    (long long)y->dims[yr - 1], L->m, L->cols, L->batch);
	/* Overflow bound for uint32 descriptor fields and the reference. */
	if ((int64_t)L->batch * L->m >= GEOM_MAX)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "matmul: batch * M = %lld rows, at most %d",
			       (long long)L->batch * L->m, GEOM_MAX - 1);
	if ((st = check_output(ctx, name, y, p->activation, p->clip_min,
			       p->clip_max, L)) ||
	    (st = check_input_quant(ctx, name, "a", a, L, &L->x_zp,
				    &L->x_scale)) ||
	    (st = check_w_quant(ctx, name, b, br - 1, L->cols, "columns", L)) ||
	    (st = check_bias(ctx, name, bias, L->cols, "columns", L)))
		return st;
	op->name = name;
	op->x = a;
	op->w = b;
	op->bias = bias;
	op->y = y;
	return LF_OK;
}

lf_status lf__op_pool(lf_context *ctx, enum lf_kop kind, lf_tensor *x,
		      const struct lf_pool_params *p, lf_tensor *y,
		      struct lf__op *op)
{
	const char *name = kind == LF_KOP_MAXPOOL ? "maxpool" : "avgpool";
	if (!ctx)
		return lf__err(0, LF_ERR_INVALID_ARG, "%s: ctx is NULL", name);
	lf_status st;
	if ((st = check_tensor(ctx, name, "x", x, 4, 4)) ||
	    (st = check_tensor(ctx, name, "y", y, 4, 4)) ||
	    (st = check_8bit(ctx, name, "x", x)) ||
	    (st = check_distinct(ctx, name, y, x, "x", NULL, NULL)))
		return st;
	if (!p)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: p is NULL (the window size is required)",
			       name);
	struct lf_pool_params pv;
	if ((st = LF__STRUCT_IN(ctx->id, name, lf_pool_params, p, &pv)))
		return st;
	p = &pv;
	if (y->dtype != x->dtype)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s: y is %s, x is %s; pooling keeps the type",
			       name, lf__dtype_name(y->dtype),
			       lf__dtype_name(x->dtype));
	if ((st = check_geom(ctx, name, "kernel_h", p->kernel_h, 1)) ||
	    (st = check_geom(ctx, name, "kernel_w", p->kernel_w, 1)))
		return st;

	memset(op, 0, sizeof(*op));
	struct lf__layer *L = &op->L;
	L->op = kind;
	L->x_type = L->w_type = L->y_type = x->dtype;
	L->n = (int)x->dims[0];
	L->ic = L->oc = L->groups = (int)x->dims[1];
	L->ih = (int)x->dims[2];
	L->iw = (int)x->dims[3];
	L->kh = p->kernel_h;
	L->kw = p->kernel_w;
	L->stride_h = dflt1(p->stride_h);
	L->stride_w = dflt1(p->stride_w);
	L->pad_t = p->pad_top;
	L->pad_l = p->pad_left;
	L->pad_b = p->pad_bottom;
	L->pad_r = p->pad_right;
	L->dil_h = L->dil_w = 1;
	L->count_include_pad = p->count_include_pad != 0;
	if ((st = check_window(ctx, name, L, y)))
		return st;
	/* Average pooling requantizes (QLinearAveragePool); max does not. */
	if (kind == LF_KOP_AVGPOOL) {
		if ((st = check_per_tensor(ctx, name, "x", x, 1)) ||
		    (st = check_per_tensor(ctx, name, "y", y, 1)))
			return st;
		L->x_scale = x->q.scale[0];
		L->y_scale = y->q.scale[0];
	} else {
		if ((st = check_per_tensor(ctx, name, "x", x, 0)) ||
		    (st = check_per_tensor(ctx, name, "y", y, 0)))
			return st;
		L->x_scale = x->q.present ? x->q.scale[0] : 1.0f;
		L->y_scale = y->q.present ? y->q.scale[0] : 1.0f;
	}
	L->x_zp = lf__tensor_zp(x);
	L->y_zp = lf__tensor_zp(y);
	lf__dtype_range(y->dtype, &L->act_min, &L->act_max);
	L->w_zp = &zero_zp;
	L->w_zp_count = 1;
	op->name = name;
	op->x = x;
	op->y = y;
	return LF_OK;
}

lf_status lf__op_add(lf_context *ctx, lf_tensor *a, lf_tensor *b, lf_tensor *y,
		     struct lf__op *op)
{
	static const char *const name = "add";
	if (!ctx)
		return lf__err(0, LF_ERR_INVALID_ARG, "add: ctx is NULL");
	lf_status st;
	if ((st = check_tensor(ctx, name, "a", a, 0, LF_MAX_DIMS)) ||
	    (st = check_tensor(ctx, name, "b", b, 0, LF_MAX_DIMS)) ||
	    (st = check_tensor(ctx, name, "y", y, 0, LF_MAX_DIMS)) ||
	    (st = check_8bit(ctx, name, "a", a)) ||
	    (st = check_8bit(ctx, name, "b", b)) ||
	    (st = check_8bit(ctx, name, "y", y)))
		return st;
	if (b->dtype != a->dtype || y->dtype != a->dtype)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "add: a is %s, b is %s, y is %s; add takes one "
			       "type for all three",
			       lf__dtype_name(a->dtype),
			       lf__dtype_name(b->dtype),
			       lf__dtype_name(y->dtype));
	const lf_tensor *t[2] = {b, y};
	const char *tn[2] = {"b", "y"};
	for (int i = 0; i < 2; i++) {
		int same = t[i]->ndim == a->ndim;
		for (int d = 0; same && d < a->ndim; d++)
			same = t[i]->dims[d] == a->dims[d];
		if (!same)
			return lf__err(ctx->id, LF_ERR_SHAPE,
				       "add: %s's shape differs from a's (rank "
				       "%d vs %d); add takes equal shapes",
				       tn[i], t[i]->ndim, a->ndim);
	}
	if ((st = check_per_tensor(ctx, name, "a", a, 1)) ||
	    (st = check_per_tensor(ctx, name, "b", b, 1)) ||
	    (st = check_per_tensor(ctx, name, "y", y, 1)))
		return st;
	if (a->count >= (size_t)1 << 31)
		return lf__err(ctx->id, LF_ERR_SHAPE,
			       "add: %zu elements, at most 2^31 - 1", a->count);
	memset(op, 0, sizeof(*op));
	struct lf__layer *L = &op->L;
	L->op = LF_KOP_ADD;
	L->x_type = a->dtype;
	L->w_type = b->dtype;
	L->y_type = y->dtype;
	L->n = 1;
	L->ic = L->oc = 1;
	L->ih = L->oh = 1;
	L->iw = L->ow = (int)a->count;
	L->x_zp = a->q.zp[0];
	L->x_scale = a->q.scale[0];
	L->x2_zp = b->q.zp[0];
	L->x2_scale = b->q.scale[0];
	L->y_zp = y->q.zp[0];
	L->y_scale = y->q.scale[0];
	lf__dtype_range(y->dtype, &L->act_min, &L->act_max);
	L->w_zp = &zero_zp;
	L->w_zp_count = 1;
	op->name = name;
	op->x = a;
	op->w = b;
	op->y = y;
	return LF_OK;
}
