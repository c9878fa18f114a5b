/*
 * qdq.c - folding QDQ groups into quantized ops, as ONNX Runtime does at
 * graph optimisation level 'all' (its QDQ selectors and actions:
 * onnxruntime/core/optimizer/qdq_transformer/selectors_actions/
 * qdq_selector_action_transformer.cc and qdq_selectors.cc):
 *
 *   DQ(x), DQ(w), DQ(b) -> Conv -> [Relu|Clip] -> Q   => QLinearConv
 *   DQ(a), DQ(b) -> MatMul -> Q                        => QLinearMatMul
 *   DQ(a), DQ(B), DQ(C) -> Gemm -> [Q]                 => QGemm
 *   DQ(a), DQ(b) -> Add -> Q                           => QLinearAdd
 *   DQ(a), DQ(b) -> Mul -> Q                           => QLinearMul
 *   DQ -> Sigmoid / LeakyRelu -> Q                     => QLinearSigmoid /
 *        QLinearLeakyRelu (lookup tables)
 *   DQ -> AveragePool / GlobalAveragePool -> Q         => QLinear* pools
 *   DQ(x_i) -> Concat -> Q                             => QLinearConcat
 *   DQ -> MaxPool / Flatten / Reshape / Transpose / Squeeze / Unsqueeze /
 *        Slice / Gather / Expand / Resize (nearest) -> Q => the op on the
 *        quantized data, when DQ and Q have equal scale and zero point
 *   DQ -> Relu / Clip -> Q, equal parameters           => an integer Clip,
 *        fused into the conv before it (ReLU6 as PyTorch exports it)
 *
 * as ORT's checks require: the target's output feeds exactly one Q (or a
 * Relu/Clip that feeds exactly one Q) and is not a graph output; the
 * activation and output types match; int8 activations need int8 weights;
 * a bias is an int32 DQ (its scale is not used: the quantized bias is
 * taken as is, like ORT's ConvReplaceWithQLinear); Gemm's beta is 1.
 *
 * The result is byte-exact with ORT at 'all' because the folded op is the
 * same integer computation ORT runs. One difference: ORT folds a Relu or
 * Clip between the op and Q only when Q's range makes it redundant; here
 * any Relu/Clip after a conv/matmul/gemm is folded into the output clamp,
 * which is exact (quantization is monotonic: Q(max(v, 0)) = max(Q(v),
 * Q(0))), where ORT would keep a float op. Quantized models as ORT's
 * quantizer writes them (Relu removed, or zero point at the type's
 * minimum) give identical bytes either way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/model/import_impl.h"
#include "hostlib/plan/quant.h"

/* A DequantizeLinear of an activation: per-tensor constant parameters. */
struct adq {
	int x, s, z;
	lf_dtype t;
	float sv;
	int32_t zv;
};

/* A DequantizeLinear of a constant (weights, bias). */
struct wdq {
	int x, s, z;
	lf_dtype t;
	size_t count; /* scale entries */
	int64_t axis; /* normalized; meaningful when count > 1 */
};

/* A QuantizeLinear ending a group. */
struct qnode {
	int node, y, s, z;
	lf_dtype t;
	float sv;
	int32_t zv;
};

static int is_dq(const struct lf__rnode *rn)
{
	return lf__imp_is(rn, "DequantizeLinear", 0) ||
	       lf__imp_is(rn, "DequantizeLinear", 1);
}

static int is_q(const struct lf__rnode *rn)
{
	return lf__imp_is(rn, "QuantizeLinear", 0) ||
	       lf__imp_is(rn, "QuantizeLinear", 1);
}

static int64_t attr_i(const struct lf__rnode *rn, const char *name,
		      int64_t dflt)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(rn->on, name);
	return a && a->type == LF__ATTR_INT ? a->i : dflt;
}

static float attr_f(const struct lf__rnode *rn, const char *name, float dflt)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(rn->on, name);
	return a && a->type == LF__ATTR_FLOAT ? a->f : dflt;
}

static int in_at(const struct lf__rnode *rn, size_t i)
{
	return i < rn->n_in ? rn->in[i] : -1;
}

/* The 8-bit type of an activation value, if it can be told now. */
static int act_type(const struct lf__imp *im, int v, lf_dtype *t)
{
	int32_t d = im->g->vals[v].cst ? im->g->vals[v].cst->dtype
				       : im->g->vals[v].dtype;
	if (!d) {
		int p = lf__imp_producer(im, v);
		if (p < 0 || !is_q(&im->rn[p]))
			return 0;
		int32_t zp;
		return lf__imp_scalar_zp(im, in_at(&im->rn[p], 2),
					 LF_DTYPE_UINT8, t, &zp);
	}
	if (d == LF__ONNX_UINT8)
		*t = LF_DTYPE_UINT8;
	else if (d == LF__ONNX_INT8)
		*t = LF_DTYPE_INT8;
	else
		return 0;
	return 1;
}

static int good_scale(float s)
{
	return s > 0.0f && isfinite(s);
}

/* @v is made by a DQ of an activation with per-tensor constants. */
static int act_dq(const struct lf__imp *im, int v, struct adq *d)
{
	int p = lf__imp_producer(im, v);
	if (p < 0 || !is_dq(&im->rn[p]))
		return 0;
	const struct lf__rnode *rn = &im->rn[p];
	d->x = in_at(rn, 0);
	d->s = in_at(rn, 1);
	d->z = in_at(rn, 2);
	if (d->x < 0 || lf__imp_const(im, d->x) ||
	    attr_i(rn, "block_size", 0) != 0)
		return 0;
	if (!lf__imp_scalar_f32(im, d->s, &d->sv) || !good_scale(d->sv))
		return 0;
	/* With a zero point, x has its type (the op's type constraint). */
	lf_dtype xt = LF_DTYPE_UINT8;
	if (d->z < 0 && !act_type(im, d->x, &xt))
		return 0;
	return lf__imp_scalar_zp(im, d->z, xt, &d->t, &d->zv);
}

/* @v is made by a DQ of a constant of type @want (or any 8-bit type). */
static int const_dq(const struct lf__imp *im, int v, int want_i32,
		    struct wdq *d)
{
	int p = lf__imp_producer(im, v);
	if (p < 0 || !is_dq(&im->rn[p]))
		return 0;
	const struct lf__rnode *rn = &im->rn[p];
	d->x = in_at(rn, 0);
	d->s = in_at(rn, 1);
	d->z = in_at(rn, 2);
	const struct lf__tensor *x = lf__imp_const(im, d->x);
	const struct lf__tensor *s = lf__imp_const(im, d->s);
	const struct lf__tensor *z = lf__imp_const(im, d->z);
	if (!x || !s || (d->z >= 0 && !z) || attr_i(rn, "block_size", 0))
		return 0;
	if (want_i32)
		return x->dtype == LF__ONNX_INT32;
	if (x->dtype == LF__ONNX_UINT8)
		d->t = LF_DTYPE_UINT8;
	else if (x->dtype == LF__ONNX_INT8)
		d->t = LF_DTYPE_INT8;
	else
		return 0;
	if (s->dtype != LF__ONNX_FLOAT || s->rank > 1 || s->count == 0)
		return 0;
	if (z && (z->dtype != x->dtype || z->count != s->count))
		return 0;
	d->count = s->count;
	d->axis = attr_i(rn, "axis", 1);
	if (d->axis < 0)
		d->axis += x->rank;
	if (d->count > 1 && (d->axis < 0 || d->axis >= x->rank ||
			     x->dims[d->axis] != (int64_t)d->count))
		return 0;
	return 1;
}

static int q_of(const struct lf__imp *im, int node, int v, struct qnode *q)
{
	const struct lf__rnode *rn = &im->rn[node];
	if (!is_q(rn) || in_at(rn, 0) != v || rn->n_out < 1 || rn->out[0] < 0 ||
	    attr_i(rn, "output_dtype", 0) != 0 ||
	    attr_i(rn, "block_size", 0) != 0)
		return 0;
	q->node = node;
	q->y = rn->out[0];
	q->s = in_at(rn, 1);
	q->z = in_at(rn, 2);
	if (!lf__imp_scalar_f32(im, q->s, &q->sv) || !good_scale(q->sv))
		return 0;
	return lf__imp_scalar_zp(im, q->z, LF_DTYPE_UINT8, &q->t, &q->zv);
}

/* The only consumer of @v, when @v has exactly one and is no output. */
static int sole_consumer(const struct lf__imp *im, int v)
{
	int first;
	if (v < 0 || im->g->vals[v].output ||
	    lf__imp_consumers(im, v, &first) != 1)
		return -1;
	return first;
}

/* Clip bounds of a float Clip node (attributes before opset 11). */
static int clip_bounds(const struct lf__imp *im, const struct lf__rnode *rn,
		       float *lo, float *hi)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	if (lf__imp_opset(im, rn) < 11) {
		*lo = attr_f(rn, "min", -INFINITY);
		*hi = attr_f(rn, "max", INFINITY);
		return 1;
	}
	int a = in_at(rn, 1), b = in_at(rn, 2);
	if ((a >= 0 && !lf__imp_scalar_f32(im, a, lo)) ||
	    (b >= 0 && !lf__imp_scalar_f32(im, b, hi)))
		return 0;
	return 1;
}

/*
 * The Q that ends the group of node @t, through an optional Relu/Clip
 * (*act, or -1). With @need_redundant, a Relu/Clip is accepted only if Q
 * already clamps as much (ORT's IsClipMadeRedundantByQ).
 */
static int group_q(const struct lf__imp *im, int t, int need_redundant,
		   int *act, struct qnode *q)
{
	const struct lf__rnode *rn = &im->rn[t];
	*act = -1;
	for (size_t k = 1; k < rn->n_out; k++)
		if (rn->out[k] >= 0)
			return 0;
	int v = rn->n_out ? rn->out[0] : -1;
	int c = sole_consumer(im, v);
	if (c < 0)
		return 0;
	const struct lf__rnode *cn = &im->rn[c];
	if ((lf__imp_is(cn, "Relu", 0) || lf__imp_is(cn, "Clip", 0)) &&
	    in_at(cn, 0) == v && cn->n_out >= 1) {
		*act = c;
		v = cn->out[0];
		c = sole_consumer(im, v);
		if (c < 0)
			return 0;
	}
	if (!q_of(im, c, v, q))
		return 0;
	if (*act < 0 || !need_redundant)
		return 1;
	int32_t lo, hi;
	lf__ref_dtype_range(q->t, &lo, &hi);
	const struct lf__rnode *an = &im->rn[*act];
	if (lf__imp_is(an, "Relu", 0))
		return q->zv == lo;
	float cl, ch;
	if (!clip_bounds(im, an, &cl, &ch))
		return 0;
	return cl <= (float)(lo - q->zv) * q->sv &&
	       ch >= (float)(hi - q->zv) * q->sv;
}

static lf_status finish_group(struct lf__imp *im, int t, int act,
			      const struct qnode *q)
{
	lf_status st = LF_OK;
	if (act >= 0 && im->rn[t].lowered &&
	    (im->rn[t].g.op == LF__GOP_CONV ||
	     im->rn[t].g.op == LF__GOP_MATMUL))
		st = lf__lower_float_act(im, &im->rn[t], &im->rn[act]);
	if (act >= 0) {
		im->rn[act].dead = 1;
	}
	im->rn[q->node].dead = 1;
	im->g->vals[q->y].dtype = lf__imp_onnx_type(q->t);
	return st;
}

/* ---- the groups ---------------------------------------------------------- */

static lf_status fold_conv(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq x;
	struct wdq w, b;
	struct qnode q;
	int act, bias = in_at(rn, 2);
	if (!act_dq(im, in_at(rn, 0), &x) || !const_dq(im, in_at(rn, 1), 0, &w))
		return LF_OK;
	if (bias >= 0 && !const_dq(im, bias, 1, &b))
		return LF_OK;
	if (x.t == LF_DTYPE_INT8 && w.t != LF_DTYPE_INT8)
		return LF_OK;
	if (w.count > 1 && w.axis != 0)
		return LF_OK;
	if (!group_q(im, t, 0, &act, &q) || q.t != x.t)
		return LF_OK;
	struct lf__lin_parts p = {
	    .x = x.x,
	    .xs = x.s,
	    .xz = x.z,
	    .w = w.x,
	    .ws = w.s,
	    .wz = w.z,
	    .ys = q.s,
	    .yz = q.z,
	    .bias = bias >= 0 ? b.x : -1,
	    .y = q.y,
	    .attrs = rn->on,
	    .alpha = 1.0f,
	    .w_axis = 0,
	};
	lf_status st = lf__lower_conv(im, rn, &p);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, act, &q);
}

static lf_status fold_matmul(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq a, bd;
	struct wdq b;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &a))
		return LF_OK;
	if (!group_q(im, t, 0, &act, &q) || q.t != a.t)
		return LF_OK;
	int bv = in_at(rn, 1);
	lf_status st;
	if (const_dq(im, bv, 0, &b)) {
		const struct lf__tensor *bt = lf__imp_const(im, b.x);
		if (bt->rank != 2 || (b.count > 1 && b.axis != 1) ||
		    (a.t == LF_DTYPE_INT8 && b.t != LF_DTYPE_INT8))
			return LF_OK;
		struct lf__lin_parts p = {
		    .x = a.x,
		    .xs = a.s,
		    .xz = a.z,
		    .w = b.x,
		    .ws = b.s,
		    .wz = b.z,
		    .ys = q.s,
		    .yz = q.z,
		    .bias = -1,
		    .y = q.y,
		    .attrs = rn->on,
		    .alpha = 1.0f,
		    .w_axis = 1,
		};
		st = lf__lower_matmul(im, rn, &p);
	} else if (act_dq(im, bv, &bd)) {
		if (a.t == LF_DTYPE_INT8 && bd.t != LF_DTYPE_INT8)
			return LF_OK;
		int in[8] = {a.x, a.s, a.z, bd.x, bd.s, bd.z, q.s, q.z};
		st =
		    lf__lower_onnx(im, rn, "QLinearMatMul", "", in, 8, &q.y, 1);
		if (st == LF_OK)
			snprintf(rn->g.label, sizeof(rn->g.label),
				 "QLinearMatMul");
	} else {
		return LF_OK;
	}
	if (st != LF_OK)
		return st;
	return finish_group(im, t, act, &q);
}

static lf_status fold_gemm(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq a;
	struct wdq b, c;
	struct qnode q;
	int act = -1, cv = in_at(rn, 2);
	if (attr_i(rn, "transA", 0) != 0 || !act_dq(im, in_at(rn, 0), &a) ||
	    !const_dq(im, in_at(rn, 1), 0, &b))
		return LF_OK;
	if (cv >= 0 &&
	    (!const_dq(im, cv, 1, &c) || attr_f(rn, "beta", 1.0f) != 1.0f))
		return LF_OK;
	int trans_b = attr_i(rn, "transB", 0) != 0;
	const struct lf__tensor *bt = lf__imp_const(im, b.x);
	if (bt->rank != 2 || (b.count > 1 && b.axis != (trans_b ? 0 : 1)) ||
	    (a.t == LF_DTYPE_INT8 && b.t != LF_DTYPE_INT8))
		return LF_OK;
	int has_q = group_q(im, t, 0, &act, &q);
	if (has_q && q.t != a.t)
		return LF_OK;
	struct lf__lin_parts p = {
	    .x = a.x,
	    .xs = a.s,
	    .xz = a.z,
	    .w = b.x,
	    .ws = b.s,
	    .wz = b.z,
	    .ys = has_q ? q.s : -1,
	    .yz = has_q ? q.z : -1,
	    .bias = cv >= 0 ? c.x : -1,
	    .y = has_q ? q.y : rn->out[0],
	    .attrs = rn->on,
	    .trans_b = trans_b,
	    .alpha = attr_f(rn, "alpha", 1.0f),
	    .w_axis = trans_b ? 0 : 1,
	};
	/* Without Q: QGemm with a float output (the lowering adds the
	 * scaling node). */
	p.float_out = !has_q;
	lf_status st = lf__lower_matmul(im, rn, &p);
	if (st != LF_OK || !has_q)
		return st;
	return finish_group(im, t, act, &q);
}

static lf_status fold_add(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq a, b;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &a) || !act_dq(im, in_at(rn, 1), &b) ||
	    a.t != b.t)
		return LF_OK;
	if (!group_q(im, t, 1, &act, &q) || q.t != a.t)
		return LF_OK;
	int in[8] = {a.x, a.s, a.z, b.x, b.s, b.z, q.s, q.z};
	lf_status st = lf__lower_onnx(im, rn, "QLinearAdd", "com.microsoft", in,
				      8, &q.y, 1);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, act, &q);
}

/* DQ(a), DQ(b) -> Mul -> Q: com.microsoft QLinearMul (ORT's BinaryOp
 * rule, like Add). */
static lf_status fold_mul(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq a, b;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &a) || !act_dq(im, in_at(rn, 1), &b) ||
	    a.t != b.t)
		return LF_OK;
	if (!group_q(im, t, 1, &act, &q) || act >= 0 || q.t != a.t)
		return LF_OK;
	int in[8] = {a.x, a.s, a.z, b.x, b.s, b.z, q.s, q.z};
	lf_status st = lf__lower_onnx(im, rn, "QLinearMul", "com.microsoft", in,
				      8, &q.y, 1);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, -1, &q);
}

/* DQ -> Sigmoid / LeakyRelu -> Q: com.microsoft QLinearSigmoid /
 * QLinearLeakyRelu, lookup tables (ORT's UnaryOp rule). */
static lf_status fold_lut(struct lf__imp *im, int t, const char *qop)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq x;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &x))
		return LF_OK;
	if (!group_q(im, t, 1, &act, &q) || act >= 0 || q.t != x.t)
		return LF_OK;
	int in[5] = {x.x, x.s, x.z, q.s, q.z};
	lf_status st =
	    lf__lower_onnx(im, rn, qop, "com.microsoft", in, 5, &q.y, 1);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, -1, &q);
}

static lf_status fold_avgpool(struct lf__imp *im, int t, int global)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq x;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &x))
		return LF_OK;
	if (!group_q(im, t, 1, &act, &q) || q.t != x.t)
		return LF_OK;
	int in[5] = {x.x, x.s, x.z, q.s, q.z};
	lf_status st = lf__lower_onnx(
	    im, rn, global ? "QLinearGlobalAveragePool" : "QLinearAveragePool",
	    "com.microsoft", in, 5, &q.y, 1);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, act, &q);
}

/*
 * DQ -> Relu/Clip -> Q with Q's scale, zero point and type equal to DQ's
 * (PyTorch writes ReLU6 so): an integer Clip of the quantized values to
 * [Q(lo), Q(hi)]. Exact: for x in range, Q(DQ(x)) = x (the float error of
 * (x - zp) * s / s is far below half a step), and quantization is
 * monotonic, so Q(clip(DQ(x), lo, hi)) = clamp(x, Q(lo), Q(hi)). The Clip
 * then fuses into the conv producing x (lower.c), so the device runs it.
 * Before opset 11 Clip takes attributes, not inputs: left as it is.
 */
static lf_status fold_act(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq x;
	struct qnode q;
	int act;
	float lo = 0.0f, hi = INFINITY;
	if (im->g->opset < 11 || !act_dq(im, in_at(rn, 0), &x))
		return LF_OK;
	if (lf__imp_is(rn, "Clip", 0) && !clip_bounds(im, rn, &lo, &hi))
		return LF_OK;
	if (!group_q(im, t, 0, &act, &q) || act >= 0 || q.t != x.t ||
	    q.sv != x.sv || q.zv != x.zv)
		return LF_OK;
	int32_t b[2] = {lf__quant_real(lo, x.sv, x.zv, x.t),
			lf__quant_real(hi, x.sv, x.zv, x.t)};
	int in[3] = {x.x, -1, -1};
	for (int k = 0; k < 2; k++) {
		struct lf__tensor *c;
		lf_status st =
		    lf__imp_new_const(im, lf__imp_onnx_type(x.t), 0, NULL, &c);
		if (st != LF_OK)
			return st;
		if (x.t == LF_DTYPE_UINT8)
			*(uint8_t *)c->data = (uint8_t)b[k];
		else
			*(int8_t *)c->data = (int8_t)b[k];
		char name[300];
		snprintf(name, sizeof(name), "%.200s#lfclip%d", rn->name, k);
		in[1 + k] = lf__imp_new_value(im, name, c->dtype);
		if (in[1 + k] < 0)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		im->g->vals[in[1 + k]].cst = c;
	}
	lf_status st = lf__lower_onnx(im, rn, "Clip", "", in, 3, &q.y, 1);
	if (st != LF_OK)
		return st;
	snprintf(rn->g.label, sizeof(rn->g.label), "Clip(QDQ)");
	return finish_group(im, t, -1, &q);
}

/*
 * DQ(x_i) ... -> Concat -> Q: com.microsoft QLinearConcat, as ORT's
 * VariadicOpQDQ rule does (its lookup tables: lower.c).
 */
static lf_status fold_concat(struct lf__imp *im, int t)
{
	struct lf__rnode *rn = &im->rn[t];
	struct qnode q;
	int act;
	size_t n = rn->n_in;
	if (n < 1 || n > 1024 || !group_q(im, t, 0, &act, &q) || act >= 0)
		return LF_OK;
	int *in = malloc((2 + 3 * n) * sizeof(int));
	if (!in)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	in[0] = q.s;
	in[1] = q.z;
	for (size_t i = 0; i < n; i++) {
		struct adq x;
		if (!act_dq(im, in_at(rn, i), &x) || x.t != q.t) {
			free(in);
			return LF_OK;
		}
		in[2 + 3 * i] = x.x;
		in[3 + 3 * i] = x.s;
		in[4 + 3 * i] = x.z;
	}
	lf_status st = lf__lower_qconcat(im, rn, in, 2 + 3 * n, q.y);
	free(in);
	if (st != LF_OK)
		return st;
	return finish_group(im, t, -1, &q);
}

/* An op that does not change the data: DQ and Q with equal parameters
 * cancel and it runs on the quantized values (ORT's DropQDQNodesRules). */
static lf_status fold_drop(struct lf__imp *im, int t, int positive_scale)
{
	struct lf__rnode *rn = &im->rn[t];
	struct adq x;
	struct qnode q;
	int act;
	if (!act_dq(im, in_at(rn, 0), &x))
		return LF_OK;
	if (!group_q(im, t, 0, &act, &q) || act >= 0)
		return LF_OK;
	if (q.t != x.t || q.sv != x.sv || q.zv != x.zv ||
	    (positive_scale && !(x.sv > 0.0f)))
		return LF_OK;
	rn->in[0] = x.x;
	rn->out[0] = q.y;
	im->rn[q.node].dead = 1;
	im->g->vals[q.y].dtype = lf__imp_onnx_type(q.t);
	return LF_OK;
}

/*
 * Resize in nearest mode: a copy, so DQ and Q with equal parameters
 * cancel. ORT registers Resize with its drop rule (no 16-bit types), but
 * onnxruntime-node 1.31.1 drops the pair only around nearest Resize: a
 * linear one stays DQ -> float Resize -> Q in the graph it runs (seen with
 * `run_ort.js dump-optimized` on tests/data/ort/glue/qdq_resize_*_pad),
 * and so it does here.
 */
static int resize_nearest(const struct lf__rnode *rn)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(rn->on, "mode");
	return !a ||
	       (a->type == LF__ATTR_STRING && strcmp(a->s, "nearest") == 0);
}

lf_status lf__qdq_fold(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead || rn->lowered)
			continue;
		lf_status st = LF_OK;
		int t = (int)i;
		if (lf__imp_is(rn, "Conv", 0))
			st = fold_conv(im, t);
		else if (lf__imp_is(rn, "MatMul", 0))
			st = fold_matmul(im, t);
		else if (lf__imp_is(rn, "Gemm", 0))
			st = fold_gemm(im, t);
		else if (lf__imp_is(rn, "Add", 0))
			st = fold_add(im, t);
		else if (lf__imp_is(rn, "Mul", 0))
			st = fold_mul(im, t);
		else if (lf__imp_is(rn, "Sigmoid", 0))
			st = fold_lut(im, t, "QLinearSigmoid");
		else if (lf__imp_is(rn, "LeakyRelu", 0))
			st = fold_lut(im, t, "QLinearLeakyRelu");
		else if (lf__imp_is(rn, "AveragePool", 0))
			st = fold_avgpool(im, t, 0);
		else if (lf__imp_is(rn, "GlobalAveragePool", 0))
			st = fold_avgpool(im, t, 1);
		else if (lf__imp_is(rn, "MaxPool", 0))
			st = rn->n_out > 1 && rn->out[1] >= 0
				 ? LF_OK
				 : fold_drop(im, t, 1);
		else if (lf__imp_is(rn, "Flatten", 0) ||
			 lf__imp_is(rn, "Reshape", 0) ||
			 lf__imp_is(rn, "Transpose", 0) ||
			 lf__imp_is(rn, "Identity", 0) ||
			 lf__imp_is(rn, "Squeeze", 0) ||
			 lf__imp_is(rn, "Unsqueeze", 0) ||
			 lf__imp_is(rn, "Slice", 0) ||
			 lf__imp_is(rn, "Gather", 0) ||
			 lf__imp_is(rn, "Expand", 0))
			st = fold_drop(im, t, 0);
		else if (lf__imp_is(rn, "Resize", 0) && resize_nearest(rn))
			st = fold_drop(im, t, 0);
		else if (lf__imp_is(rn, "Relu", 0) || lf__imp_is(rn, "Clip", 0))
			st = fold_act(im, t);
		else if (lf__imp_is(rn, "Concat", 0))
			st = fold_concat(im, t);
		if (st != LF_OK)
			return st;
		/* A lowering may have inserted a node after this one. */
		if (im->rn[i].lowered && i + 1 < im->nrn &&
		    im->rn[i + 1].lowered && im->rn[i + 1].on == im->rn[i].on)
			i++;
	}
	return LF_OK;
}
