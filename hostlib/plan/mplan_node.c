/*
 * mplan_node.c - the first stage of a model plan (model_plan_impl.h):
 * which node runs on the device and how. A conv/matmul node gets its
 * tile plan from the kernel's limits (tile.h) and must lay its params
 * out as the blob does (mparams.c); a MaxPool / QLinearAveragePool /
 * QLinearGlobalAveragePool / QLinearAdd / QLinearMul node on lfk_engine
 * gets one descriptor, decided by the functions the single-op API uses
 * (elem.h); a QLinearConcat none, when its inputs can be placed
 * (mplan_concat.c).
 * Every other node, and every node these refuse, runs on the CPU with
 * its reason in lf__mnode.why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/model_plan_impl.h"

/* ---- pooling and add on lfk_engine ----------------------------------------
 */

static const struct lf__onnx_attr *gattr(const struct lf__gnode *n,
					 const char *name)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return &n->attrs[i];
	return NULL;
}

static int64_t gattr_i(const struct lf__gnode *n, const char *name,
		       int64_t dflt)
{
	const struct lf__onnx_attr *a = gattr(n, name);
	return a && a->type == LF__ATTR_INT ? a->i : dflt;
}

/* A per-dimension INTS attribute: 1 and *v (NULL if absent), or 0 when it
 * has another type or length. */
static int gattr_ints(const struct lf__gnode *n, const char *name, size_t cnt,
		      const int64_t **v)
{
	const struct lf__onnx_attr *a = gattr(n, name);
	*v = NULL;
	if (!a)
		return 1;
	if (a->type != LF__ATTR_INTS || a->n != cnt)
		return 0;
	*v = a->ints;
	return 1;
}

static int in_of(const struct lf__gnode *n, size_t i)
{
	return i < n->n_in ? n->in[i] : -1;
}

/* ONNX uint8 (2) / int8 (3) as a descriptor type, or -1. */
static int kdtype(int32_t dt)
{
	return dt == 2 ? LF_KDT_U8 : dt == 3 ? LF_KDT_I8 : -1;
}

/* A constant float32 scalar, finite and > 0. */
static int cst_scale(const struct lf__graph *g, int v, float *f)
{
	if (v < 0 || !g->vals[v].cst)
		return 0;
	const struct lf__tensor *t = g->vals[v].cst;
	if (t->dtype != 1 || t->count != 1)
		return 0;
	float x = *(const float *)t->data;
	if (!(x > 0.0f) || x > 3.0e38f)
		return 0;
	*f = x;
	return 1;
}

/* A constant zero point of ONNX type @dt (absent: 0). */
static int cst_zp(const struct lf__graph *g, int v, int32_t dt, int32_t *zp)
{
	if (v < 0) {
		*zp = 0;
		return 1;
	}
	const struct lf__tensor *t = g->vals[v].cst;
	if (!t || t->dtype != dt || t->count != 1)
		return 0;
	*zp = dt == 2 ? (int32_t) * (const uint8_t *)t->data
		      : (int32_t) * (const int8_t *)t->data;
	return 1;
}

/* An activation input: produced at run time (not a constant). */
static int is_act(const struct lf__graph *g, int v)
{
	return v >= 0 && !g->vals[v].cst;
}

static void type_range(int kdt, int32_t *lo, int32_t *hi)
{
	*lo = kdt == LF_KDT_U8 ? 0 : -128;
	*hi = kdt == LF_KDT_U8 ? 255 : 127;
}

/* Pooling window of 2-D MaxPool / QLinearAveragePool (ONNX attributes)
 * into @L. */
static int pool_window(const struct lf__gnode *n, const struct lf__gshape *xs,
		       const struct lf__gshape *ys, int avg,
		       struct lf__layer *L, const char **why)
{
	const int64_t *k, *st, *pads, *dil;
	const struct lf__onnx_attr *ap = gattr(n, "auto_pad");
	if (ap && !(ap->type == LF__ATTR_STRING &&
		    (strcmp(ap->s, "NOTSET") == 0 ||
		     strcmp(ap->s, "VALID") == 0 || strcmp(ap->s, "") == 0))) {
		*why = "auto_pad SAME pooling";
		return 0;
	}
	if (!gattr_ints(n, "kernel_shape", 2, &k) || !k ||
	    !gattr_ints(n, "strides", 2, &st) ||
	    !gattr_ints(n, "pads", 4, &pads) ||
	    !gattr_ints(n, "dilations", 2, &dil)) {
		*why = "pooling attributes the kernel lacks";
		return 0;
	}
	int ceil_mode = gattr_i(n, "ceil_mode", 0) != 0;
	int64_t v[10] = {k[0],
			 k[1],
			 st ? st[0] : 1,
			 st ? st[1] : 1,
			 pads ? pads[0] : 0,
			 pads ? pads[1] : 0,
			 pads ? pads[2] : 0,
			 pads ? pads[3] : 0,
			 dil ? dil[0] : 1,
			 dil ? dil[1] : 1};
	for (int i = 0; i < 10; i++)
		if (v[i] < (i >= 4 && i < 8 ? 0 : 1)) {
			*why = "pooling attributes out of range";
			return 0;
		}
	if (avg && (v[8] != 1 || v[9] != 1)) {
		*why = "dilated average pooling";
		return 0;
	}
	for (int a = 0; a < 2; a++) {
		int64_t in = xs->d[2 + a], span = (v[a] - 1) * v[8 + a] + 1;
		int64_t room = in + v[4 + a] + v[6 + a] - span;
		if (room < 0) {
			*why = "pooling window larger than the input";
			return 0;
		}
		int64_t fl = room / v[2 + a] + 1;
		int64_t ce = (room + v[2 + a] - 1) / v[2 + a] + 1;
		int64_t out = ys->d[2 + a];
		if (out != fl && !(ceil_mode && out == ce)) {
			*why = "pooling output size the kernel does not use";
			return 0;
		}
	}
	/* Past 16 bits no limit holds (lf__elem_pool_desc says so too);
	 * checked here so the int fields of the layer cannot overflow. */
	for (int i = 0; i < 10; i++)
		if (v[i] > 65535) {
			*why = "pooling beyond the lfk_pool limits";
			return 0;
		}
	L->kh = (int)v[0];
	L->kw = (int)v[1];
	L->stride_h = (int)v[2];
	L->stride_w = (int)v[3];
	L->pad_t = (int)v[4];
	L->pad_l = (int)v[5];
	L->pad_b = (int)v[6];
	L->pad_r = (int)v[7];
	L->dil_h = (int)v[8];
	L->dil_w = (int)v[9];
	L->oh = (int)ys->d[2];
	L->ow = (int)ys->d[3];
	return 1;
}

/* The ops node_desc() knows. */
enum { NK_NONE, NK_MAXPOOL, NK_AVGPOOL, NK_GAVGPOOL, NK_ADD, NK_MUL };

/* Which of them node @n is, with one output, on an engine (NK_NONE:
 * none, the node runs on the CPU: "no device kernel for this op"). */
static int node_kind(const struct lf__gnode *n, const struct lf__mdevcaps *caps)
{
	if (n->op != LF__GOP_ONNX || !caps->engine || n->n_out < 1 ||
	    n->out[0] < 0)
		return NK_NONE;
	for (size_t o = 1; o < n->n_out; o++)
		if (n->out[o] >= 0)
			return NK_NONE;
	const char *dom = n->domain ? n->domain : "";
	int ms = strcmp(dom, "com.microsoft") == 0;
	int onnx = dom[0] == '\0' || strcmp(dom, "ai.onnx") == 0;
	const char *op = n->op_type ? n->op_type : "";
	if (onnx && strcmp(op, "MaxPool") == 0)
		return NK_MAXPOOL;
	if (ms && strcmp(op, "QLinearAveragePool") == 0)
		return NK_AVGPOOL;
	if (ms && strcmp(op, "QLinearGlobalAveragePool") == 0)
		return NK_GAVGPOOL;
	if (ms && strcmp(op, "QLinearAdd") == 0)
		return NK_ADD;
	if (ms && strcmp(op, "QLinearMul") == 0)
		return NK_MUL;
	return NK_NONE;
}

/* The quantized average pools' window and quantization (inputs 1-4:
 * x_scale, x_zp, y_scale, y_zp) into @L. */
static int avgpool_layer(const struct lf__graph *g, const struct lf__gnode *n,
			 int kind, const struct lf__gshape *xs,
			 const struct lf__gshape *ys, struct lf__layer *L,
			 const char **why)
{
	if (gattr_i(n, "channels_last", 0) != 0) {
		*why = "channels_last pooling";
		return 0;
	}
	if (!cst_scale(g, in_of(n, 1), &L->x_scale) ||
	    !cst_zp(g, in_of(n, 2), xs->dtype, &L->x_zp) ||
	    !cst_scale(g, in_of(n, 3), &L->y_scale) ||
	    !cst_zp(g, in_of(n, 4), xs->dtype, &L->y_zp)) {
		*why = "quantization not constant scalars";
		return 0;
	}
	if (kind == NK_AVGPOOL) {
		if (!pool_window(n, xs, ys, 1, L, why))
			return 0;
		L->count_include_pad = gattr_i(n, "count_include_pad", 0) != 0;
		return 1;
	}
	if (ys->d[2] != 1 || ys->d[3] != 1) {
		*why = "pooling beyond the lfk_pool limits";
		return 0;
	}
	L->kh = L->ih;
	L->kw = L->iw;
	L->oh = L->ow = 1;
	L->stride_h = L->stride_w = 1;
	L->dil_h = L->dil_w = 1;
	return 1;
}

/* A pooling node's descriptor: the layer, read from the node;
 * lf__elem_pool_desc() decides, as for the single-op API. */
static int pool_desc(const struct lf__graph *g, const struct lf__gnode *n,
		     int kind, const struct lf__gshape *xs,
		     const struct lf__gshape *ys, int kdt,
		     const struct lf__plimits *pl, lf_desc *d, const char **why)
{
	if (xs->rank != 4 || ys->rank != 4 || ys->d[0] != xs->d[0] ||
	    ys->d[1] != xs->d[1]) {
		*why = "pooling other than 2-D";
		return 0;
	}
	for (int i = 0; i < 4; i++)
		if (xs->d[i] > 65535 || ys->d[i] > 65535) {
			*why = "pooling beyond the lfk_pool limits";
			return 0;
		}
	struct lf__layer L;
	memset(&L, 0, sizeof(L));
	L.op = kind == NK_MAXPOOL ? LF_KOP_MAXPOOL : LF_KOP_AVGPOOL;
	L.x_type = L.w_type = L.y_type =
	    kdt == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
	type_range(kdt, &L.act_min, &L.act_max);
	L.n = (int)xs->d[0];
	L.ic = L.oc = L.groups = (int)xs->d[1];
	L.ih = (int)xs->d[2];
	L.iw = (int)xs->d[3];
	if (kind == NK_MAXPOOL ? !pool_window(n, xs, ys, 0, &L, why)
			       : !avgpool_layer(g, n, kind, xs, ys, &L, why))
		return 0;
	return lf__elem_pool_desc(&L, pl, d, why);
}

/* A QLinearAdd or QLinearMul (@kind) node's descriptor (A, A_scale,
 * A_zp, B, B_scale, B_zp, C_scale, C_zp): the single-op API's add
 * decides with the same function, lf__elem_add_desc(), which also says
 * which operand is read at x. */
static int add_desc(const struct lf__graph *g, const struct lf__gnode *n,
		    int kind, const struct lf__gshape *shape, int kdt,
		    const struct lf__plimits *pl, lf_desc *d, int *x, int *x2,
		    const char **why)
{
	int xv = in_of(n, 0), bv = in_of(n, 3);
	if (bv < 0 || (!is_act(g, xv) && !is_act(g, bv))) {
		*why = "QLinearAdd/Mul of constants";
		return 0;
	}
	const struct lf__gshape *as = &shape[xv], *bs = &shape[bv];
	const struct lf__gshape *ys = &shape[n->out[0]];
	if (bs->dtype != as->dtype)
		return 0;
	float sa, sb, sy;
	int32_t za, zb, zy;
	if (!cst_scale(g, in_of(n, 1), &sa) ||
	    !cst_zp(g, in_of(n, 2), as->dtype, &za) ||
	    !cst_scale(g, in_of(n, 4), &sb) ||
	    !cst_zp(g, in_of(n, 5), as->dtype, &zb) ||
	    !cst_scale(g, in_of(n, 6), &sy) ||
	    !cst_zp(g, in_of(n, 7), as->dtype, &zy)) {
		*why = "quantization not constant scalars";
		return 0;
	}
	struct lf__layer q;
	memset(&q, 0, sizeof(q));
	q.op = kind == NK_MUL ? LF_KOP_MUL : LF_KOP_ADD;
	q.x_type = kdt == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
	type_range(kdt, &q.act_min, &q.act_max);
	q.x_scale = sa;
	q.x_zp = za;
	q.x2_scale = sb;
	q.x2_zp = zb;
	q.y_scale = sy;
	q.y_zp = zy;
	int a_at_x;
	uint64_t second;
	if (!lf__elem_add_desc(as->rank, as->d, bs->rank, bs->d, ys->rank,
			       ys->d, &q, pl, 1, d, &a_at_x, &second, why))
		return 0;
	*x = a_at_x ? xv : bv;
	*x2 = a_at_x ? bv : xv;
	return 1;
}

/*
 * node_desc() - the one descriptor of a MaxPool / QLinearAveragePool /
 * QLinearGlobalAveragePool / QLinearAdd / QLinearMul node on lfk_engine,
 * offsets in act left 0; *x and *x2 receive the values read at x_off / x2_off
 * (-1: none). Return: 1, or 0 with the reason in *why (the node runs on the
 * CPU).
 */
static int node_desc(const struct lf__graph *g, const struct lf__gnode *n,
		     const struct lf__gshape *shape,
		     const struct lf__mdevcaps *caps, lf_desc *d, int *x,
		     int *x2, const char **why)
{
	*x = *x2 = -1;
	*why = "no device kernel for this op";
	int kind = node_kind(n, caps);
	if (kind == NK_NONE)
		return 0;
	int xv = in_of(n, 0);
	/* QLinearAdd / QLinearMul may have one constant operand (uploaded
	 * with the segment's inputs, as a model input is); pooling reads an
	 * activation. */
	int elem = kind == NK_ADD || kind == NK_MUL;
	if (xv < 0 || (!elem && !is_act(g, xv)))
		return 0;
	const struct lf__gshape *xs = &shape[xv], *ys = &shape[n->out[0]];
	int kdt = kdtype(xs->dtype);
	if (kdt < 0 || ys->dtype != xs->dtype) {
		*why = "not uint8/int8";
		return 0;
	}
	if (elem)
		return add_desc(g, n, kind, shape, kdt, &caps->plim, d, x, x2,
				why);
	if (!pool_desc(g, n, kind, xs, ys, kdt, &caps->plim, d, why))
		return 0;
	*x = xv;
	return 1;
}

/* Can this device node keep its input and output in place in the arena? */
static int chainable(const struct lf__plan *lp, uint64_t xbytes,
		     uint64_t ybytes)
{
	if (lp->nchunks != 1 || lp->x_bytes != xbytes || lp->y_bytes != ybytes)
		return 0;
	for (int t = 0; t < lp->ntiles; t++)
		if (lp->tiles[t].gather || lp->tiles[t].scatter)
			return 0;
	return 1;
}

/* A node other than conv/matmul: its pooling/add descriptor, or the
 * reason it runs on the CPU. */
static void classify_other(struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	struct lf__mnode *mn = &b->p->node[i];
	const char *why = "";
	if (node_desc(b->g, n, b->p->shape, b->caps, &b->pd[i], &b->ax[i],
		      &b->ax2[i], &why)) {
		b->chain[i] = 1;
		return;
	}
	if (b->caps->engine && n->op == LF__GOP_ONNX)
		snprintf(mn->why, sizeof(mn->why), "%s: %s", n->label, why);
	else
		snprintf(mn->why, sizeof(mn->why), "no device kernel for %s",
			 n->label);
}

/* A QLinearConcat: placed in the arena when its inputs' convs can write
 * into its output (mplan_concat.c; its convs come before it, so their
 * chain kinds are known), else on the CPU. */
static void classify_concat(struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	const char *why = "";
	if (lf__mplan_concat_ok(b, i, &why)) {
		b->chain[i] = 1;
		return;
	}
	snprintf(b->p->node[i].why, sizeof(b->p->node[i].why), "%s: %s",
		 n->label, why);
}

/* A conv/matmul node whose constants are on the device: its tile plan at
 * this shape, which must lay the params out as the blob does; chained
 * (1) when it keeps its input and output in place, else host-assisted
 * (2). */
static lf_status classify_linear(struct bld *b, size_t i)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	const struct lf__gnode *n = &g->nodes[i];
	const struct lf__pnode *pn = &b->params->node[i];
	struct lf__mnode *mn = &p->node[i];
	if (!pn->on) {
		set_why(mn->why, sizeof(mn->why), pn->why);
		return LF_OK;
	}
	int k = kernel_of(n);
	struct lf__layer L;
	lf__graph_layer(g, n, p->shape, &L);
	struct lf__diag why;
	lf_status st = lf__plan_layer(&L, &b->caps->lim[k], &b->lp[i], &why);
	if (st == LF_ERR_UNSUPPORTED) {
		set_why(mn->why, sizeof(mn->why), why.msg);
		return LF_OK;
	}
	if (st != LF_OK)
		return lf__diag_fail(b->dg, st, "node '%s': planning tiles: %s",
				     n->name, lf_status_name(st));
	if (!lf__mparams_same_layout(&b->lp[i], &pn->layout)) {
		lf__plan_free(&b->lp[i]);
		snprintf(mn->why, sizeof(mn->why),
			 "weights laid out differently at this shape");
		return LF_OK;
	}
	uint64_t xb = lf__gshape_bytes(&p->shape[n->in[0]]);
	uint64_t yb = lf__gshape_bytes(&p->shape[n->out[0]]);
	b->chain[i] = chainable(&b->lp[i], xb, yb) ? 1 : 2;
	return LF_OK;
}

lf_status lf__mplan_classify(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		p->node[i].seg = -1;
		p->node[i].macs = lf__graph_macs(g, n, p->shape);
		b->ax[i] = b->ax2[i] = -1;
		if (n->op == LF__GOP_VIEW)
			continue;
		if (n->op == LF__GOP_QCONCAT) {
			classify_concat(b, i);
			continue;
		}
		if (n->op != LF__GOP_CONV && n->op != LF__GOP_MATMUL) {
			classify_other(b, i);
			continue;
		}
		b->ax[i] = n->in[0];
		lf_status st = classify_linear(b, i);
		if (st != LF_OK)
			return st;
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		b->bk[i] = b->chain[i] ? lf__mplan_blk_kind(b, i) : BK_NONE;
		/* A matmul with an output table that is not blocked: see
		 * lf__mplan_lut_settle(). */
	}
	return LF_OK;
}
