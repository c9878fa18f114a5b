/*
 * model_plan.c - partition, memory plan and descriptors of a model for
 * one set of input shapes, and the params blob (model_plan.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/arena.h"
#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan.h"
#include "hostlib/plan/pack.h"

#define NONE  UINT64_MAX
#define ALIGN 64

static uint64_t align64(uint64_t v)
{
	return (v + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
}

static lf_status failf(char *err, size_t errlen, lf_status st, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

static lf_status failf(char *err, size_t errlen, lf_status st, const char *fmt,
		       ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* Copy a reason into a short field, cut if it must be. */
static void set_why(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The kernel whose limits plan a conv/matmul node. */
static int kernel_of(const struct lf__gnode *n)
{
	return n->op == LF__GOP_CONV ? LF__MK_CONV : LF__MK_MM;
}

/* The kernel a device node is launched on. */
static int launch_kernel(const struct lf__mdevcaps *caps,
			 const struct lf__gnode *n)
{
	return caps->engine ? LF__MK_ENG : kernel_of(n);
}

static const char *kernel_name(int k)
{
	return lf_kernel_name(k == LF__MK_CONV ? LF_KERNEL_CONV2D
					       : LF_KERNEL_MATMUL);
}

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

/*
 * node_desc() - the one descriptor of a MaxPool / QLinearAveragePool /
 * QLinearGlobalAveragePool / QLinearAdd node on lfk_engine, offsets in act
 * left 0; *x and *x2 receive the values read at x_off / x2_off (-1: none).
 * Return: 1, or 0 with the reason in *why (the node runs on the CPU).
 */
static int node_desc(const struct lf__graph *g, const struct lf__gnode *n,
		     const struct lf__gshape *shape,
		     const struct lf__mdevcaps *caps, lf_desc *d, int *x,
		     int *x2, const char **why)
{
	*x = *x2 = -1;
	*why = "no device kernel for this op";
	if (n->op != LF__GOP_ONNX || !caps->engine || n->n_out < 1 ||
	    n->out[0] < 0)
		return 0;
	for (size_t o = 1; o < n->n_out; o++)
		if (n->out[o] >= 0)
			return 0;
	const char *dom = n->domain ? n->domain : "";
	int ms = strcmp(dom, "com.microsoft") == 0;
	int onnx = dom[0] == '\0' || strcmp(dom, "ai.onnx") == 0;
	const char *op = n->op_type ? n->op_type : "";
	int maxp = onnx && strcmp(op, "MaxPool") == 0;
	int avgp = ms && strcmp(op, "QLinearAveragePool") == 0;
	int gavg = ms && strcmp(op, "QLinearGlobalAveragePool") == 0;
	int add = ms && strcmp(op, "QLinearAdd") == 0;
	if (!maxp && !avgp && !gavg && !add)
		return 0;
	int xv = in_of(n, 0);
	/* QLinearAdd may have one constant operand (uploaded with the
	 * segment's inputs, as a model input is); pooling reads an
	 * activation. */
	if (xv < 0 || (!add && !is_act(g, xv)))
		return 0;
	const struct lf__gshape *xs = &shape[xv], *ys = &shape[n->out[0]];
	int kdt = kdtype(xs->dtype);
	if (kdt < 0 || ys->dtype != xs->dtype) {
		*why = "not uint8/int8";
		return 0;
	}
	const struct lf__plimits *pl = &caps->plim;
	if (maxp || avgp || gavg) {
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
		/* The layer, read from the node; lf__elem_pool_desc()
		 * decides, as for the single-op API. */
		struct lf__layer L;
		memset(&L, 0, sizeof(L));
		L.op = maxp ? LF_KOP_MAXPOOL : LF_KOP_AVGPOOL;
		L.x_type = L.w_type = L.y_type =
		    kdt == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
		type_range(kdt, &L.act_min, &L.act_max);
		L.n = (int)xs->d[0];
		L.ic = L.oc = L.groups = (int)xs->d[1];
		L.ih = (int)xs->d[2];
		L.iw = (int)xs->d[3];
		if (!avgp && !gavg) {
			if (!pool_window(n, xs, ys, 0, &L, why))
				return 0;
		} else {
			if (gattr_i(n, "channels_last", 0) != 0) {
				*why = "channels_last pooling";
				return 0;
			}
			if (!cst_scale(g, in_of(n, 1), &L.x_scale) ||
			    !cst_zp(g, in_of(n, 2), xs->dtype, &L.x_zp) ||
			    !cst_scale(g, in_of(n, 3), &L.y_scale) ||
			    !cst_zp(g, in_of(n, 4), xs->dtype, &L.y_zp)) {
				*why = "quantization not constant scalars";
				return 0;
			}
			if (avgp) {
				if (!pool_window(n, xs, ys, 1, &L, why))
					return 0;
				L.count_include_pad =
				    gattr_i(n, "count_include_pad", 0) != 0;
			} else {
				if (ys->d[2] != 1 || ys->d[3] != 1) {
					*why = "pooling beyond the lfk_pool "
					       "limits";
					return 0;
				}
				L.kh = L.ih;
				L.kw = L.iw;
				L.oh = L.ow = 1;
				L.stride_h = L.stride_w = 1;
				L.dil_h = L.dil_w = 1;
			}
		}
		if (!lf__elem_pool_desc(&L, pl, d, why))
			return 0;
		*x = xv;
		return 1;
	}
	/* QLinearAdd: A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp */
	int bv = in_of(n, 3);
	if (bv < 0 || (!is_act(g, xv) && !is_act(g, bv))) {
		*why = "QLinearAdd of constants";
		return 0;
	}
	const struct lf__gshape *as = xs, *bs = &shape[bv];
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
	/* The single-op API's add decides with the same function. */
	struct lf__layer q;
	memset(&q, 0, sizeof(q));
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

/* ---- params ----------------------------------------------------------------
 */

/* Keep a plan's params layout (slices and offsets), drop its tiles. */
static void keep_layout(struct lf__plan *p)
{
	free(p->tiles);
	p->tiles = NULL;
	p->ntiles = 0;
}

static int same_layout(const struct lf__plan *a, const struct lf__plan *b)
{
	if (a->params_bytes != b->params_bytes || a->bias_off != b->bias_off ||
	    a->w_zp_off != b->w_zp_off || a->mult_off != b->mult_off ||
	    a->nslices != b->nslices)
		return 0;
	for (int i = 0; i < a->nslices; i++)
		if (memcmp(&a->slices[i], &b->slices[i], sizeof(a->slices[i])))
			return 0;
	return 1;
}

void lf__mparams_free(struct lf__mparams *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->node && i < p->nnodes; i++)
		lf__plan_free(&p->node[i].layout);
	free(p->node);
	free(p->blob);
	free(p->group);
	memset(p, 0, sizeof(*p));
}

/*
 * Weights groups (lf__pgroup): node areas in blob order, a new group
 * when the next would pass @room. A node whose areas alone pass it drops
 * its blocked forms (runs NCHW) if its NCHW area fits, else runs on the
 * CPU; the bytes it no longer uses stay unused in the blob.
 */
static lf_status params_groups(struct lf__mparams *p, uint64_t room)
{
	p->group = calloc(p->nnodes + 1, sizeof(*p->group));
	if (!p->group)
		return LF_ERR_NO_MEMORY;
	int cur = -1;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct lf__pnode *pn = &p->node[i];
		pn->group = -1;
		if (!pn->on)
			continue;
		uint64_t span = pn->end - pn->base;
		/* Its blocked forms (after its NCHW area) go first: the node
		 * then runs NCHW, on the card. */
		if (room && span > room && (pn->blk || pn->fold) &&
		    pn->layout.params_bytes <= room) {
			pn->blk = pn->fold = 0;
			pn->end = pn->base + pn->layout.params_bytes;
			span = pn->end - pn->base;
		}
		if (room && span > room) {
			pn->on = 0;
			lf__plan_free(&pn->layout);
			char why[96];
			snprintf(why, sizeof(why),
				 "weights %llu B > a bank's %llu B",
				 (unsigned long long)span,
				 (unsigned long long)room);
			set_why(pn->why, sizeof(pn->why), why);
			continue;
		}
		if (cur < 0 || (room && pn->end - p->group[cur].lo > room)) {
			cur = p->ngroups++;
			p->group[cur].lo = pn->base;
		}
		p->group[cur].bytes = pn->end - p->group[cur].lo;
		pn->group = cur;
	}
	return LF_OK;
}

static lf_status pack_node(const struct lf__graph *g, const struct lf__gnode *n,
			   const struct lf__gshape *shape,
			   const struct lf__pnode *pn, uint8_t *blob)
{
	struct lf__layer L;
	lf__graph_layer(g, n, shape, &L);
	const struct lf__glinear *q = n->lin;
	const void *w = g->vals[q->w].cst->data;
	const void *bias = q->bias >= 0 ? g->vals[q->bias].cst->data : NULL;
	lf__pack_params(&pn->layout, &L, w, bias, blob + pn->base);
	if (pn->blk && n->op == LF__GOP_MATMUL) {
		/* B[k][cols] as the 1 x 1 conv's w[cols][k] (plan/blk.h) */
		struct lf__layer C;
		uint8_t *wt = malloc((size_t)L.k * (size_t)L.cols);
		if (!wt)
			return LF_ERR_NO_MEMORY;
		lf__blk_mm_layer(&L, &C);
		lf__blk_mm_weights(&L, w, wt);
		lf__blk_pack_conv(&C, wt, bias, blob + pn->blk_w,
				  blob + pn->blk_rec);
		free(wt);
		return LF_OK;
	}
	if (pn->blk)
		lf__blk_pack_conv(&L, w, bias, blob + pn->blk_w,
				  blob + pn->blk_rec);
	if (!pn->fold)
		return LF_OK;
	struct lf__layer F;
	struct lf__blk_fold f;
	uint8_t *wf =
	    malloc((size_t)L.oc * (size_t)L.ic * (size_t)L.kh * (size_t)L.kw);
	if (!wf)
		return LF_ERR_NO_MEMORY;
	lf__blk_fold_layer(&L, &F, &f);
	lf__blk_fold_weights(&L, w, wf);
	lf__blk_pack_conv(&F, wf, bias, blob + pn->fold_w, blob + pn->fold_rec);
	free(wf);
	return LF_OK;
}

/* The blocked conv's weight beats of one output channel, kh * kw * icb,
 * within lfk_conv2d.blk_wbeats; a depthwise conv's block takes one beat
 * per tap of the same buffer (64 * blk_wbeats beats; lf_conv_blk.h). */
static int blk_wbeats_fit(const struct lf__layer *L,
			  const struct lf__blimits *bl)
{
	uint64_t taps = (uint64_t)L->kh * (uint64_t)L->kw;
	if (bl->conv_wbeats <= 0)
		return 0;
	if (lf__blk_dw(L))
		return taps <= (uint64_t)bl->conv_wbeats * LF_BLK_LANES;
	return taps * lf__blk_cb((uint64_t)L->ic) <= (uint64_t)bl->conv_wbeats;
}

/*
 * A conv node's blocked-form constants after @total in the blob, packed
 * once at load (the input's spatial size does not change them), when the
 * engine has a blocked conv and the layer has a blocked form that fits
 * its weight buffer; the NCHW constants stay for segments that are not
 * blocked. Return: the new end of the blob.
 */
/* Packed weights a conv may take blocked whatever its lanes (blk_area). */
#define BLK_SMALL_W (16u << 10)

static uint64_t blk_area(const struct lf__layer *L,
			 const struct lf__mdevcaps *caps, int small, int *on,
			 uint64_t *w, uint64_t *rec, uint64_t total)
{
	uint64_t wb, rb;
	/* Only where at least a quarter of the packed lanes carry weights,
	 * or a sixteenth and the packed weights are at most BLK_SMALL_W
	 * bytes: a conv with few channels (fmnist's 16 -> 32 3x3, its
	 * folded 1 -> 16 stem) would otherwise take up to 64 x 64 times its
	 * weights on the card, next to its NCHW copy, for a segment that may
	 * never run blocked; a small one (MobileNetV2's folded stem, its 32
	 * -> 16 and 16 -> 96 1x1 convs: 4 to 12 KiB) costs little, and
	 * without it its whole segment stays NCHW (@small: dense convs
	 * only; a depthwise conv or a matmul's 1x1 form keeps the quarter
	 * rule). */
	uint64_t nchw = (uint64_t)L->oc * (uint64_t)(L->ic / L->groups) *
			(uint64_t)L->kh * (uint64_t)L->kw;
	if (lf__blk_conv_bytes(L, &wb, &rb) != LF_OK ||
	    !blk_wbeats_fit(L, &caps->blim) ||
	    (wb >= 4 * nchw &&
	     (!small || lf__blk_dw(L) || wb > BLK_SMALL_W || wb >= 16 * nchw)))
		return total;
	uint64_t w0 = align64(total), r0 = align64(w0 + wb);
	if (w0 > UINT32_MAX || wb > UINT32_MAX || r0 + rb > UINT32_MAX)
		return total;
	*on = 1;
	*w = w0;
	*rec = r0;
	return r0 + rb;
}

static uint64_t blk_params(const struct lf__layer *L,
			   const struct lf__mdevcaps *caps,
			   struct lf__pnode *pn, uint64_t total)
{
	struct lf__layer F;
	struct lf__blk_fold f;
	if (!caps->engine || !(caps->blk_ops & (1u << LF_KOP_CONV2D)))
		return total;
	/* A matmul: its blocked 1x1 conv's constants (plan/blk.h). */
	if (L->op == LF_KOP_MATMUL)
		return lf__blk_mm_layer(L, &F)
			   ? blk_area(&F, caps, 0, &pn->blk, &pn->blk_w,
				      &pn->blk_rec, total)
			   : total;
	total = blk_area(L, caps, 1, &pn->blk, &pn->blk_w, &pn->blk_rec, total);
	if (lf__blk_fold_layer(L, &F, &f))
		total = blk_area(&F, caps, 1, &pn->fold, &pn->fold_w,
				 &pn->fold_rec, total);
	return total;
}

lf_status lf__mparams_build(const struct lf__graph *g,
			    const struct lf__gshape *shape,
			    const struct lf__mdevcaps *caps,
			    struct lf__mparams *out, char *err, size_t errlen)
{
	struct lf__mparams p;
	memset(&p, 0, sizeof(p));
	p.nnodes = g->nnodes;
	p.node = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p.node));
	if (!p.node)
		return failf(err, errlen, LF_ERR_NO_MEMORY, "out of memory");
	uint64_t total = 0;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		struct lf__pnode *pn = &p.node[i];
		if (n->op != LF__GOP_CONV && n->op != LF__GOP_MATMUL)
			continue;
		int k = kernel_of(n);
		if (!caps->present) {
			set_why(pn->why, sizeof(pn->why), caps->absent_why);
			continue;
		}
		if (!caps->has[k]) {
			snprintf(pn->why, sizeof(pn->why), "no %s compute unit",
				 kernel_name(k));
			continue;
		}
		struct lf__layer L;
		lf__graph_layer(g, n, shape, &L);
		char why[LF__GRAPH_ERR_LEN] = "";
		lf_status st = lf__plan_layer(&L, &caps->lim[k], &pn->layout,
					      why, sizeof(why));
		if (st == LF_ERR_UNSUPPORTED) {
			set_why(pn->why, sizeof(pn->why), why);
			continue;
		}
		if (st != LF_OK) {
			lf__mparams_free(&p);
			return failf(err, errlen, st,
				     "node '%s': planning tiles: %s", n->name,
				     lf_status_name(st));
		}
		keep_layout(&pn->layout);
		uint64_t base = align64(total);
		/* Descriptor offsets into params are 32-bit. */
		if (base + pn->layout.params_bytes > UINT32_MAX) {
			lf__plan_free(&pn->layout);
			snprintf(pn->why, sizeof(pn->why),
				 "the model's constants pass 4 GiB");
			continue;
		}
		pn->on = 1;
		pn->base = base;
		total = base + pn->layout.params_bytes;
		total = blk_params(&L, caps, pn, total);
		pn->end = total;
		p.kernels |= 1u << (caps->engine ? LF__MK_ENG : k);
	}
	if (params_groups(&p, caps->params_room)) {
		lf__mparams_free(&p);
		return failf(err, errlen, LF_ERR_NO_MEMORY, "out of memory");
	}
	/* With the engine, pooling and add nodes (no constants) may run on
	 * the device too: the model needs its device side. */
	if (caps->present && caps->engine)
		p.kernels |= 1u << LF__MK_ENG;
	p.bytes = align64(total);
	p.blob = calloc(p.bytes ? p.bytes : 1, 1);
	if (!p.blob) {
		lf__mparams_free(&p);
		return failf(err, errlen, LF_ERR_NO_MEMORY,
			     "out of memory for %llu bytes of weights",
			     (unsigned long long)total);
	}
	for (size_t i = 0; i < g->nnodes; i++)
		if (p.node[i].on &&
		    pack_node(g, &g->nodes[i], shape, &p.node[i], p.blob)) {
			lf__mparams_free(&p);
			return failf(err, errlen, LF_ERR_NO_MEMORY,
				     "out of memory packing weights");
		}
	*out = p;
	return LF_OK;
}

/* ---- plan ---------------------------------------------------------------- */

void lf__mplan_free(struct lf__mplan *p)
{
	if (!p)
		return;
	for (int s = 0; p->seg && s < p->nsegs; s++) {
		struct lf__mseg *sg = &p->seg[s];
		free(sg->nodes);
		free(sg->launch);
		free(sg->up);
		free(sg->down);
		free(sg->up_at);
		free(sg->down_at);
		free(sg->up_blk);
		free(sg->up_pad);
		free(sg->up_fold);
		free(sg->fold);
		lf__plan_free(&sg->hplan);
	}
	free(p->seg);
	free(p->step);
	free(p->desc);
	free(p->desc_node);
	free(p->node);
	free(p->in);
	free(p->shape);
	free(p->root);
	free(p->host_off);
	free(p->dev_off);
	free(p->blk);
	free(p);
}

/* Scratch of one build. */
struct bld {
	const struct lf__graph *g;
	const struct lf__mparams *params;
	const struct lf__mdevcaps *caps;
	struct lf__mplan *p;
	struct lf__plan *lp; /* per node: its tiles (device nodes) */
	int *chain;	     /* per node: 1 chainable, 2 host-assisted */
	lf_desc *pd;	     /* per node: pooling/add descriptor */
	int *ax, *ax2;	     /* per node: values read at x_off, x2_off */
	int *seg_of;	     /* per node */
	int *out_use;	     /* per root: graph output */
	int *bk;	     /* per node: BK_* (blocked layout) */
	char *fold;	     /* per node: a folded stem conv */
	char *err;
	size_t errlen;
};

static lf_status nomem(struct bld *b)
{
	return failf(b->err, b->errlen, LF_ERR_NO_MEMORY, "out of memory");
}

/* ---- the blocked layout ----------------------------------------------------
 * A node in a device segment is BK_BLK when the engine runs it with
 * LF_DF_BLK (every value it reads and writes blocked), BK_MM for a matmul
 * (no blocked form; it may read a blocked value whose bytes are row-major
 * already, h == w == 1 and c % 64 == 0), BK_NONE otherwise. A segment is
 * blocked when all its nodes are BK_BLK or BK_MM and no node reads a
 * value in the other layout than it needs.
 */
enum { BK_NONE = 0, BK_BLK = 1, BK_MM = 2 };

/* The n x c x h x w view of a value in the blocked layout: a 4-D tensor
 * as it is, a 2-D one (a matmul's rows) as rows x columns x 1 x 1 (the
 * view of a matmul run as a blocked 1x1 conv, plan/blk.h), anything else
 * (a per-channel or scalar add operand) as 1 x count x 1 x 1. */
static void blk_view(const struct lf__gshape *s, uint64_t v[4])
{
	if (s->rank == 4) {
		for (int i = 0; i < 4; i++)
			v[i] = (uint64_t)s->d[i];
		return;
	}
	v[0] = v[2] = v[3] = 1;
	v[1] = lf__gshape_count(s);
	if (s->rank == 2) {
		v[0] = (uint64_t)s->d[0];
		v[1] = (uint64_t)s->d[1];
	}
}

/* Its bytes blocked; 0 when past what descriptor offsets reach. */
static uint64_t blk_size(const struct lf__gshape *s)
{
	uint64_t v[4], bytes;
	blk_view(s, v);
	if (lf__blk_bytes(v[0], v[1], v[2], v[3], &bytes) != LF_OK ||
	    bytes > UINT32_MAX)
		return 0;
	return bytes;
}

/* Blocked bytes are the row-major bytes: h == w == 1, c % 64 == 0. */
static int blk_rowmajor(const struct lf__gshape *s)
{
	uint64_t v[4];
	blk_view(s, v);
	return v[2] == 1 && v[3] == 1 && v[1] % LF_BLK_LANES == 0;
}

static int fits_dim(int64_t v, int64_t max)
{
	return max > 0 && v <= max;
}

/* Conv layer @L runs whole, in one LF_DF_BLK descriptor. */
static int blk_conv_fits(const struct bld *b, const struct lf__layer *Lp)
{
	const struct lf__mdevcaps *c = b->caps;
	const struct lf__klimits *lim = &c->lim[LF__MK_CONV];
	struct lf__layer L = *Lp;
	if (!(c->blk_ops & (1u << LF_KOP_CONV2D)))
		return 0;
	/* Depthwise only where the build says so (lfk_conv2d.blk_dw). */
	int dw = lf__blk_dw(&L);
	if ((L.groups != 1 && !(dw && c->blim.conv_dw > 0)) ||
	    L.y_type == LF_DTYPE_INT32 || !blk_wbeats_fit(&L, &c->blim) ||
	    !fits_dim(L.iw, c->blim.conv_iw_max) ||
	    !fits_dim(L.ow, c->blim.conv_iw_max))
		return 0;
	/* The kernel's line buffer holds min(span_h, ih) rows of icb * iw
	 * beats (a depthwise layer's: one block's rows, iw beats), and its
	 * strides stop at blk_stride_max (hls/lf_conv_blk.h): a layer past
	 * either would be refused at run time (LF_KST_LIMIT) and its segment
	 * fall back to the CPU. */
	int64_t span_h = (int64_t)(L.kh - 1) * L.dil_h + 1;
	int64_t rows = span_h < L.ih ? span_h : L.ih;
	int64_t lcb = dw ? 1 : (int64_t)lf__blk_cb((uint64_t)L.ic);
	if (c->blim.conv_lbeats > 0 && rows * lcb * L.iw > c->blim.conv_lbeats)
		return 0;
	if (c->blim.conv_stride_max > 0 &&
	    (L.stride_h > c->blim.conv_stride_max ||
	     L.stride_w > c->blim.conv_stride_max))
		return 0;
	int64_t dims[7] = {L.n, L.ic, L.ih, L.iw, L.oc, L.oh, L.ow};
	for (int k = 0; k < 7; k++)
		if (!fits_dim(dims[k], lim->dim_max))
			return 0;
	return fits_dim(L.kh, lim->kdim_max) && fits_dim(L.kw, lim->kdim_max) &&
	       fits_dim(L.stride_h, lim->step_max) &&
	       fits_dim(L.stride_w, lim->step_max) &&
	       fits_dim(L.dil_h, lim->step_max) &&
	       fits_dim(L.dil_w, lim->step_max);
}

/* Conv node @i blocked as it is (1) or folded (2, at a segment's entry
 * only: blk_layout() decides), or not at all (0); both bits may be set. */
static int blk_conv_ok(const struct bld *b, size_t i)
{
	const struct lf__pnode *pn = &b->params->node[i];
	struct lf__layer L, F;
	struct lf__blk_fold f;
	lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
	int ok = pn->blk && blk_conv_fits(b, &L);
	if (pn->fold && lf__blk_fold_layer(&L, &F, &f) && blk_conv_fits(b, &F))
		ok |= 2;
	return ok;
}

/* Its blocked view is that of its storage (a view node, Flatten or
 * Reshape, may have changed it), and it has a blocked size. */
static int blk_same_view(const struct bld *b, int v)
{
	uint64_t v1[4], v2[4];
	const struct lf__gshape *vs = &b->p->shape[v];
	blk_view(vs, v1);
	blk_view(&b->p->shape[b->p->root[v]], v2);
	return blk_size(vs) && memcmp(v1, v2, sizeof(v1)) == 0;
}

/*
 * Matmul node @i runs as a blocked 1x1 conv (plan/blk.h): its constants
 * were packed so, its A and Y are 2-D (the conv's m x k x 1 x 1 and
 * m x cols x 1 x 1 views, blk_view()) and stored so (after a global
 * average pool, [N, C, 1, 1] flattened to [N, C]: the same blocked
 * bytes), and the conv fits the kernel's limits.
 */
static int blk_mm_ok(const struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	struct lf__layer L, C;
	if (!b->params->node[i].blk)
		return 0;
	lf__graph_layer(b->g, n, b->p->shape, &L);
	if (!lf__blk_mm_layer(&L, &C))
		return 0;
	int v[2] = {n->in[0], n->out[0]};
	for (int k = 0; k < 2; k++)
		if (b->p->shape[v[k]].rank != 2 || !blk_same_view(b, v[k]))
			return 0;
	return blk_conv_fits(b, &C);
}

/* BK_* of device node @i (classify() ran). */
static int blk_kind(const struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	const struct lf__mdevcaps *c = b->caps;
	if (!c->engine || !c->blk_ops || b->chain[i] != 1)
		return BK_NONE;
	if (n->op == LF__GOP_MATMUL)
		return blk_mm_ok(b, i) ? BK_BLK : BK_MM;
	/* Each value it reads or writes in the blocked layout, whose view
	 * (the descriptor's) is that of its storage (a view node may have
	 * reshaped it). */
	int vals[3] = {b->ax[i], b->ax2[i], n->out[0]};
	for (int k = 0; k < 3; k++)
		if (vals[k] >= 0 && !blk_same_view(b, vals[k]))
			return BK_NONE;
	const struct lf__gshape *xs = &b->p->shape[b->ax[i]];
	if (n->op == LF__GOP_CONV)
		return xs->rank == 4 && blk_conv_ok(b, i) ? BK_BLK : BK_NONE;
	const lf_desc *d = &b->pd[i];
	if (!(c->blk_ops & (1u << d->op)))
		return BK_NONE;
	if (d->op == LF_KOP_MAXPOOL || d->op == LF_KOP_AVGPOOL)
		return xs->rank == 4 && fits_dim(d->iw, c->blim.pool_iw_max)
			   ? BK_BLK
			   : BK_NONE;
	/* add: the full-shape operand (at x) 4-D, as its descriptor views
	 * it; a per-channel or scalar x2 has the blocked form of a
	 * 1 x c x 1 x 1 tensor, which is the descriptor's. */
	const struct lf__gshape *x2s = &b->p->shape[b->ax2[i]];
	return xs->rank == 4 &&
		       (x2s->rank == 4 ||
			(d->flags & (LF_DF_X2_PER_CH | LF_DF_X2_SCALAR)))
		   ? BK_BLK
		   : BK_NONE;
}

/* The producer of root @r is a node of kind @kind in segment @si. */
static int made_in(const struct bld *b, int r, int si, int kind)
{
	int px = b->g->vals[r].producer;
	return px >= 0 && b->seg_of[px] == si && b->bk[px] == kind;
}

/*
 * While segment @si could still be blocked: must node @i start a new
 * segment instead of joining it? A blocked node reading a matmul's
 * (row-major) output, or a matmul reading a blocked output that is not
 * row-major: the segment ends before it.
 */
static int blk_split(const struct bld *b, int si, size_t i)
{
	const struct lf__mseg *s = &b->p->seg[si];
	for (int j = 0; j < s->nnodes; j++)
		if (b->bk[s->nodes[j]] == BK_NONE)
			return 0;
	int in[2] = {b->ax[i], b->ax2[i]};
	for (int k = 0; k < 2; k++) {
		if (in[k] < 0)
			continue;
		int r = b->p->root[in[k]];
		if (b->bk[i] == BK_BLK && made_in(b, r, si, BK_MM))
			return 1;
		if (b->bk[i] == BK_MM && made_in(b, r, si, BK_BLK) &&
		    !blk_rowmajor(&b->p->shape[r]))
			return 1;
	}
	return 0;
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

static lf_status classify(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		const struct lf__pnode *pn = &b->params->node[i];
		struct lf__mnode *mn = &p->node[i];
		mn->seg = -1;
		mn->macs = lf__graph_macs(g, n, p->shape);
		b->ax[i] = b->ax2[i] = -1;
		if (n->op != LF__GOP_CONV && n->op != LF__GOP_MATMUL) {
			if (n->op == LF__GOP_VIEW)
				continue;
			const char *why = "";
			if (node_desc(g, n, p->shape, b->caps, &b->pd[i],
				      &b->ax[i], &b->ax2[i], &why)) {
				b->chain[i] = 1;
				continue;
			}
			if (b->caps->engine && n->op == LF__GOP_ONNX)
				snprintf(mn->why, sizeof(mn->why), "%s: %s",
					 n->label, why);
			else
				snprintf(mn->why, sizeof(mn->why),
					 "no device kernel for %s", n->label);
			continue;
		}
		b->ax[i] = n->in[0];
		if (!pn->on) {
			set_why(mn->why, sizeof(mn->why), pn->why);
			continue;
		}
		int k = kernel_of(n);
		struct lf__layer L;
		lf__graph_layer(g, n, p->shape, &L);
		char why[LF__GRAPH_ERR_LEN] = "";
		lf_status st = lf__plan_layer(&L, &b->caps->lim[k], &b->lp[i],
					      why, sizeof(why));
		if (st == LF_ERR_UNSUPPORTED) {
			set_why(mn->why, sizeof(mn->why), why);
			continue;
		}
		if (st != LF_OK)
			return failf(b->err, b->errlen, st,
				     "node '%s': planning tiles: %s", n->name,
				     lf_status_name(st));
		if (!same_layout(&b->lp[i], &pn->layout)) {
			lf__plan_free(&b->lp[i]);
			snprintf(mn->why, sizeof(mn->why),
				 "weights laid out differently at this shape");
			continue;
		}
		uint64_t xb = lf__gshape_bytes(&p->shape[n->in[0]]);
		uint64_t yb = lf__gshape_bytes(&p->shape[n->out[0]]);
		b->chain[i] = chainable(&b->lp[i], xb, yb) ? 1 : 2;
	}
	for (size_t i = 0; i < g->nnodes; i++)
		b->bk[i] = b->chain[i] ? blk_kind(b, i) : BK_NONE;
	return LF_OK;
}

static lf_status push_int(int **a, int *n, int v)
{
	int *r = realloc(*a, (size_t)(*n + 1) * sizeof(int));
	if (!r)
		return LF_ERR_NO_MEMORY;
	r[(*n)++] = v;
	*a = r;
	return LF_OK;
}

/* The weights group node @i reads (-1: none). */
static int pgroup_of(const struct bld *b, size_t i)
{
	const struct lf__pnode *pn = &b->params->node[i];
	return i < b->params->nnodes && pn->on ? pn->group : -1;
}

/* Device segments and the order of steps. A segment reads one weights
 * group (lf__pgroup): a node of another ends it. */
static lf_status partition(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	p->seg = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p->seg));
	p->step = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p->step));
	if (!p->seg || !p->step)
		return nomem(b);
	int open = -1;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		b->seg_of[i] = -1;
		if (n->op == LF__GOP_VIEW)
			continue;
		int c = b->chain[i];
		if (!c) {
			open = -1;
			p->step[p->nsteps].seg = -1;
			p->step[p->nsteps++].node = (int)i;
			continue;
		}
		unsigned kbit = 1u << launch_kernel(b->caps, n);
		int pg = pgroup_of(b, i);
		if (open >= 0 && c == 1 &&
		    (p->seg[open].kernels == kbit || b->caps->allow_mixed) &&
		    (pg < 0 || p->seg[open].pgroup < 0 ||
		     pg == p->seg[open].pgroup) &&
		    !blk_split(b, open, i)) {
			struct lf__mseg *s = &p->seg[open];
			if (push_int(&s->nodes, &s->nnodes, (int)i))
				return nomem(b);
			s->kernels |= kbit;
			if (pg >= 0)
				s->pgroup = pg;
			b->seg_of[i] = open;
			continue;
		}
		open = p->nsegs++;
		struct lf__mseg *s = &p->seg[open];
		s->host_assisted = c == 2;
		s->kernels = kbit;
		s->pgroup = pg;
		if (push_int(&s->nodes, &s->nnodes, (int)i))
			return nomem(b);
		b->seg_of[i] = open;
		p->step[p->nsteps].seg = open;
		p->step[p->nsteps++].node = -1;
		if (s->host_assisted)
			open = -1;
	}
	for (size_t i = 0; i < g->nnodes; i++)
		p->node[i].seg = b->seg_of[i];
	return LF_OK;
}

static int contains(const int *a, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

/* Is root @r used by a node outside segment @s (or is it an output)? */
static int used_outside(const struct bld *b, int r, int s)
{
	const struct lf__graph *g = b->g;
	if (b->out_use[r])
		return 1;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op == LF__GOP_VIEW || b->seg_of[i] == s)
			continue;
		for (size_t k = 0; k < n->n_in; k++)
			if (n->in[k] >= 0 && b->p->root[n->in[k]] == r)
				return 1;
	}
	return 0;
}

/* Values each segment reads from the host and gives back to it. */
static lf_status residency(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		for (int j = 0; j < s->nnodes; j++) {
			const struct lf__gnode *n = &g->nodes[s->nodes[j]];
			int ry = p->root[n->out[0]];
			int xin[2] = {b->ax[s->nodes[j]], b->ax2[s->nodes[j]]};
			for (int k = 0; k < 2; k++) {
				if (xin[k] < 0)
					continue;
				int rx = p->root[xin[k]];
				int px = g->vals[rx].producer;
				if ((px < 0 || b->seg_of[px] != si) &&
				    !contains(s->up, s->nup, rx) &&
				    push_int(&s->up, &s->nup, rx))
					return nomem(b);
			}
			if ((s->host_assisted || used_outside(b, ry, si)) &&
			    push_int(&s->down, &s->ndown, ry))
				return nomem(b);
		}
	}
	return LF_OK;
}

/* Index of root @r in segment @s's up values, or -1. */
static int up_index(const struct lf__mseg *s, int r)
{
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return k;
	return -1;
}

/* Is root @r blocked in segment @s's arena? */
static int is_blk(const struct lf__mplan *p, const struct lf__mseg *s, int r)
{
	if (!s->blk)
		return 0;
	int k = up_index(s, r);
	return k >= 0 ? s->up_blk[k] : p->blk[r];
}

/* Is it the folded input of a stem conv? */
static const struct lf__blk_fold *folded(const struct lf__mseg *s, int r)
{
	int k = s->blk && s->up_fold ? up_index(s, r) : -1;
	return k >= 0 && s->up_fold[k] ? &s->fold[k] : NULL;
}

/* Bytes of root @r in segment @s's arena. */
static uint64_t seg_bytes(const struct lf__mplan *p, const struct lf__mseg *s,
			  int r)
{
	const struct lf__blk_fold *f = folded(s, r);
	if (f)
		return lf__blk_fold_bytes(f);
	return is_blk(p, s, r) ? blk_size(&p->shape[r])
			       : lf__gshape_bytes(&p->shape[r]);
}

/* Read by node @i only, of the nodes of segment @s. */
static int only_reader(const struct bld *b, const struct lf__mseg *s, int r,
		       int i)
{
	for (int j = 0; j < s->nnodes; j++) {
		int o = s->nodes[j];
		if (o != i && ((b->ax[o] >= 0 && b->p->root[b->ax[o]] == r) ||
			       (b->ax2[o] >= 0 && b->p->root[b->ax2[o]] == r)))
			return 0;
	}
	return 1;
}

/*
 * The convs of segment @s: each blocked as it is, or folded when it can
 * (blk_conv_ok() bit 2) and its input enters the segment with no other
 * reader in it. Return: 0 when a conv can be neither.
 */
static int blk_convs(struct bld *b, struct lf__mseg *s)
{
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] != BK_BLK || b->g->nodes[i].op != LF__GOP_CONV)
			continue;
		int ok = blk_conv_ok(b, (size_t)i), r = b->p->root[b->ax[i]];
		int k = up_index(s, r);
		b->fold[i] = (ok & 2) && k >= 0 && only_reader(b, s, r, i);
		if (!b->fold[i] && !(ok & 1))
			return 0;
		if (!b->fold[i])
			continue;
		struct lf__layer L, F;
		lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
		lf__blk_fold_layer(&L, &F, &s->fold[k]);
		s->up_fold[k] = 1;
	}
	return 1;
}

/* The zero point of the value node @i reads at x (@x2: at x2), for the
 * pad lanes of its blocked upload. */
static uint8_t pad_of(const struct bld *b, int i, int x2)
{
	if (b->g->nodes[i].lin) /* conv, matmul */
		return (uint8_t)b->g->nodes[i].lin->x_zp;
	return (uint8_t)(x2 ? b->pd[i].x2_zp : b->pd[i].x_zp);
}

/* Segment @si blocked: the layout of each value it touches, and whether
 * every node reads its inputs in the layout it needs. */
static int blk_layout(struct bld *b, int si)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	struct lf__mseg *s = &p->seg[si];
	int nblk = 0;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] == BK_NONE)
			return 0;
		nblk += b->bk[i] == BK_BLK;
		p->blk[p->root[g->nodes[i].out[0]]] = b->bk[i] == BK_BLK;
	}
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] != BK_BLK)
			continue;
		int in[2] = {b->ax[i], b->ax2[i]};
		for (int k = 0; k < s->nup; k++)
			for (int t = 0; t < 2; t++)
				if (in[t] >= 0 && p->root[in[t]] == s->up[k] &&
				    !s->up_blk[k]) {
					s->up_blk[k] = 1;
					s->up_pad[k] = pad_of(b, i, t);
				}
	}
	s->blk = 1;
	if (!blk_convs(b, s))
		return 0;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		int in[2] = {b->ax[i], b->ax2[i]};
		for (int t = 0; t < 2; t++) {
			if (in[t] < 0)
				continue;
			int r = p->root[in[t]], blk = is_blk(p, s, r);
			if (b->bk[i] == BK_BLK
				? !blk
				: blk && !blk_rowmajor(&p->shape[r]))
				return 0;
		}
	}
	return nblk > 0;
}

/* Which segments run blocked (lf__mseg.blk). */
static lf_status blk_segments(struct bld *b)
{
	struct lf__mplan *p = b->p;
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		if (s->host_assisted || !b->caps->blk_ops)
			continue;
		s->up_blk = calloc((size_t)s->nup + 1, 1);
		s->up_pad = calloc((size_t)s->nup + 1, 1);
		s->up_fold = calloc((size_t)s->nup + 1, 1);
		s->fold = calloc((size_t)s->nup + 1, sizeof(*s->fold));
		if (!s->up_blk || !s->up_pad || !s->up_fold || !s->fold)
			return nomem(b);
		if (blk_layout(b, si)) {
			p->nblk++;
			for (int k = 0; k < s->nup; k++)
				p->nfold += s->up_fold[k];
			for (int j = 0; j < s->nnodes; j++)
				p->node[s->nodes[j]].folded =
				    b->fold[s->nodes[j]];
			continue;
		}
		s->blk = 0;
		memset(s->up_blk, 0, (size_t)s->nup);
		memset(s->up_fold, 0, (size_t)s->nup);
		for (int j = 0; j < s->nnodes; j++) {
			int i = s->nodes[j];
			b->fold[i] = 0;
			p->blk[p->root[b->g->nodes[i].out[0]]] = 0;
		}
	}
	return LF_OK;
}

/* Last node of segment @s reading root @r (or -1). */
static int last_use_in(const struct bld *b, const struct lf__mseg *s, int r)
{
	int last = -1;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if ((b->ax[i] >= 0 && b->p->root[b->ax[i]] == r) ||
		    (b->ax2[i] >= 0 && b->p->root[b->ax2[i]] == r))
			last = i;
	}
	return last;
}

/* @n roots one after the other, each 64-byte aligned: their offsets in
 * the block, and the block's size up to the last byte of the last one
 * (what one transfer moves). */
static uint64_t block_of(struct bld *b, const struct lf__mseg *s, const int *v,
			 int n, uint64_t *rel)
{
	uint64_t off = 0, end = 0;
	for (int i = 0; i < n; i++) {
		rel[i] = align64(off);
		end = rel[i] + seg_bytes(b->p, s, v[i]);
		off = end;
	}
	return end;
}

/* The arena: blocks per segment placed by lifetime. */
static lf_status device_memory(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t cap = g->nnodes * 3 + 4, n = 0;
	struct lf__interval *it = calloc(cap, sizeof(*it));
	/* what each interval is: -1 up block, -2 down block, -3 host-assisted
	 * area, else a root */
	int *what = calloc(cap, sizeof(int)), *segof = calloc(cap, sizeof(int));
	uint64_t *rel = calloc(g->nvals ? g->nvals : 1, sizeof(uint64_t));
	lf_status st = LF_OK;
	if (!it || !what || !segof || !rel) {
		st = nomem(b);
		goto out;
	}
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
		if (s->host_assisted) {
			it[n] = (struct lf__interval){
			    b->lp[s->nodes[0]].act_bytes, first, last, 0};
			what[n] = -3;
			segof[n++] = si;
			continue;
		}
		s->up_at = calloc((size_t)s->nup + 1, sizeof(uint64_t));
		s->down_at = calloc((size_t)s->ndown + 1, sizeof(uint64_t));
		if (!s->up_at || !s->down_at) {
			st = nomem(b);
			goto out;
		}
		uint64_t *urel = rel;
		int lu = first;
		for (int k = 0; k < s->nup; k++) {
			int l = last_use_in(b, s, s->up[k]);
			if (l > lu)
				lu = l;
		}
		s->up_bytes = block_of(b, s, s->up, s->nup, urel);
		it[n] = (struct lf__interval){s->up_bytes, first, lu, 0};
		what[n] = -1;
		segof[n++] = si;
		int fd = last;
		for (int k = 0; k < s->ndown; k++)
			if (g->vals[s->down[k]].producer < fd)
				fd = g->vals[s->down[k]].producer;
		s->down_bytes = block_of(b, s, s->down, s->ndown, urel);
		it[n] = (struct lf__interval){s->down_bytes, fd, last, 0};
		what[n] = -2;
		segof[n++] = si;
		for (int j = 0; j < s->nnodes; j++) {
			int r = p->root[g->nodes[s->nodes[j]].out[0]];
			if (contains(s->down, s->ndown, r))
				continue;
			int l = last_use_in(b, s, r);
			it[n] = (struct lf__interval){
			    seg_bytes(p, s, r), s->nodes[j],
			    l < 0 ? s->nodes[j] : l, 0};
			what[n] = r;
			segof[n++] = si;
		}
	}
	st = lf__arena_assign(it, n, ALIGN, &p->arena_bytes);
	if (st != LF_OK) {
		st = failf(b->err, b->errlen, st, "planning the arena: %s",
			   lf_status_name(st));
		goto out;
	}
	if (p->arena_bytes > UINT32_MAX) {
		st = failf(b->err, b->errlen, LF_ERR_UNSUPPORTED,
			   "the activations need %llu bytes of device memory "
			   "at once; descriptor offsets stop at 4 GiB",
			   (unsigned long long)p->arena_bytes);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		struct lf__mseg *s = &p->seg[segof[k]];
		if (what[k] >= 0) {
			p->dev_off[what[k]] = it[k].off;
		} else if (what[k] == -3) {
			s->hbase = it[k].off;
		} else {
			/* Per segment: the same value may sit elsewhere in
			 * another segment's block. */
			int up = what[k] == -1;
			const int *v = up ? s->up : s->down;
			int nv = up ? s->nup : s->ndown;
			uint64_t *at = up ? s->up_at : s->down_at;
			if (up)
				s->up_off = it[k].off;
			else
				s->down_off = it[k].off;
			block_of(b, s, v, nv, rel);
			for (int j = 0; j < nv; j++)
				at[j] = it[k].off + rel[j];
		}
	}
out:
	free(it);
	free(what);
	free(segof);
	free(rel);
	return st;
}

/* Host buffers: every root some CPU step reads or writes. */
static lf_status host_memory(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t nv = g->nvals;
	struct lf__interval *it = calloc(nv ? nv : 1, sizeof(*it));
	char *need = calloc(nv ? nv : 1, 1);
	if (!it || !need) {
		free(it);
		free(need);
		return nomem(b);
	}
	for (size_t v = 0; v < nv; v++) {
		it[v].first = (int)g->nnodes + 1;
		it[v].last = -1;
	}
	/* Produced on the host: by CPU nodes, or downloaded. */
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op == LF__GOP_VIEW || b->seg_of[i] >= 0)
			continue;
		for (size_t k = 0; k < n->n_out; k++) {
			if (n->out[k] < 0)
				continue;
			int r = p->root[n->out[k]];
			need[r] = 1;
			it[r].first = (int)i;
			it[r].last = (int)i;
		}
		for (size_t k = 0; k < n->n_in; k++) {
			int v = n->in[k];
			if (v >= 0 && (int)i > it[p->root[v]].last)
				it[p->root[v]].last = (int)i;
		}
	}
	/* A segment's inputs and outputs on the host are live over its whole
	 * span, not only at its upload (first node) and download (last): a
	 * failed segment is re-run on the CPU from its inputs, node by node,
	 * and an output written at the segment's first node must not land
	 * on an input its later nodes still read. */
	for (int si = 0; si < p->nsegs; si++) {
		const struct lf__mseg *s = &p->seg[si];
		int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
		for (int k = 0; k < s->ndown; k++) {
			int r = s->down[k];
			need[r] = 1;
			it[r].first = first;
			if (it[r].last < last)
				it[r].last = last;
		}
		for (int k = 0; k < s->nup; k++)
			if (it[s->up[k]].last < last)
				it[s->up[k]].last = last;
	}
	for (size_t i = 0; i < g->noutputs; i++)
		it[p->root[g->outputs[i]]].last = (int)g->nnodes;
	for (size_t v = 0; v < nv; v++) {
		const struct lf__gval *gv = &g->vals[v];
		if (!need[v] || gv->cst || gv->input >= 0 ||
		    p->root[v] != (int)v) {
			it[v].size = 0;
			continue;
		}
		it[v].size = lf__gshape_bytes(&p->shape[v]);
	}
	lf_status st = lf__arena_assign(it, nv, ALIGN, &p->host_bytes);
	for (size_t v = 0; st == LF_OK && v < nv; v++)
		p->host_off[v] = it[v].size ? it[v].off : NONE;
	free(it);
	free(need);
	if (st != LF_OK)
		return failf(b->err, b->errlen, st, "planning host memory: %s",
			     lf_status_name(st));
	return LF_OK;
}

/* Move a tile's descriptor to its place in the arena and params blob. */
static void relocate(lf_desc *d, const struct lf__plan *lp, uint64_t x,
		     uint64_t y, uint64_t pbase, int host_assisted)
{
	if (host_assisted) {
		d->x_off += (uint32_t)x;
		d->y_off += (uint32_t)x;
	} else {
		d->x_off = (uint32_t)(d->x_off - lp->x_off + x);
		d->y_off = (uint32_t)(d->y_off - lp->y_off + y);
	}
	d->w_off += (uint32_t)pbase;
	if (d->flags & LF_DF_BIAS)
		d->bias_off += (uint32_t)pbase;
	d->w_zp_off += (uint32_t)pbase;
	d->mult_off += (uint32_t)pbase;
	d->status = LF_KST_PENDING;
}

/* Where root @r is in the arena while segment @s runs. */
static uint64_t arena_at(const struct lf__mplan *p, const struct lf__mseg *s,
			 int r)
{
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return s->up_at[k];
	for (int k = 0; k < s->ndown; k++)
		if (s->down[k] == r)
			return s->down_at[k];
	return p->dev_off[r];
}

/* Device node @i runs as one LF_DF_BLK descriptor. */
static int blk_desc(const struct bld *b, int i)
{
	return b->seg_of[i] >= 0 && b->p->seg[b->seg_of[i]].blk &&
	       b->bk[i] == BK_BLK;
}

/* The LF_DF_BLK descriptor of conv node @i, offsets relocated. */
static lf_desc blk_conv(const struct bld *b, int i, uint64_t x, uint64_t y)
{
	const struct lf__pnode *pn = &b->params->node[i];
	struct lf__layer L, F;
	struct lf__blk_fold f;
	lf_desc d;
	lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
	if (L.op == LF_KOP_MATMUL && lf__blk_mm_layer(&L, &F)) {
		lf__blk_conv_desc(&F, &d);
		d.w_off = (uint32_t)pn->blk_w;
		d.w_zp_off = (uint32_t)pn->blk_rec;
	} else if (b->fold[i] && lf__blk_fold_layer(&L, &F, &f)) {
		lf__blk_conv_desc(&F, &d);
		d.w_off = (uint32_t)pn->fold_w;
		d.w_zp_off = (uint32_t)pn->fold_rec;
	} else {
		lf__blk_conv_desc(&L, &d);
		d.w_off = (uint32_t)pn->blk_w;
		d.w_zp_off = (uint32_t)pn->blk_rec;
	}
	d.x_off = (uint32_t)x;
	d.y_off = (uint32_t)y;
	return d;
}

static lf_status descriptors(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	uint64_t nd = 0;
	for (size_t i = 0; i < g->nnodes; i++)
		if (b->seg_of[i] >= 0)
			nd += g->nodes[i].op == LF__GOP_ONNX ||
				      blk_desc(b, (int)i)
				  ? 1
				  : (uint64_t)b->lp[i].ntiles;
	if (nd > UINT32_MAX / LF_DESC_BYTES)
		return failf(b->err, b->errlen, LF_ERR_UNSUPPORTED,
			     "%llu descriptors are too many",
			     (unsigned long long)nd);
	p->desc = calloc(nd ? nd : 1, sizeof(lf_desc));
	p->desc_node = calloc(nd ? nd : 1, sizeof(int));
	if (!p->desc || !p->desc_node)
		return nomem(b);
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		s->launch = calloc((size_t)s->nnodes, sizeof(*s->launch));
		if (!s->launch)
			return nomem(b);
		s->launch0 = p->nlaunch;
		for (int j = 0; j < s->nnodes; j++) {
			int i = s->nodes[j];
			const struct lf__gnode *n = &g->nodes[i];
			int k = launch_kernel(b->caps, n);
			struct lf__mlaunch *l =
			    s->nlaunch ? &s->launch[s->nlaunch - 1] : NULL;
			if (!l || l->kernel != k) {
				l = &s->launch[s->nlaunch++];
				l->kernel = k;
				l->desc0 = p->ndesc;
				l->first = j;
			}
			l->count++;
			if (n->op == LF__GOP_ONNX) {
				lf_desc d = b->pd[i];
				d.x_off =
				    (uint32_t)arena_at(p, s, p->root[b->ax[i]]);
				if (b->ax2[i] >= 0)
					d.x2_off = (uint32_t)arena_at(
					    p, s, p->root[b->ax2[i]]);
				d.y_off = (uint32_t)arena_at(
				    p, s, p->root[n->out[0]]);
				if (blk_desc(b, i))
					d.flags |= LF_DF_BLK;
				d.status = LF_KST_PENDING;
				p->desc_node[p->ndesc] = i;
				p->desc[p->ndesc++] = d;
				l->ndesc++;
				continue;
			}
			const struct lf__plan *lp = &b->lp[i];
			uint64_t pbase = b->params->node[i].base;
			uint64_t x = s->host_assisted
					 ? s->hbase
					 : arena_at(p, s, p->root[n->in[0]]);
			uint64_t y = s->host_assisted
					 ? 0
					 : arena_at(p, s, p->root[n->out[0]]);
			if (blk_desc(b, i)) {
				p->desc_node[p->ndesc] = i;
				p->desc[p->ndesc++] = blk_conv(b, i, x, y);
				l->ndesc++;
				continue;
			}
			for (int t = 0; t < lp->ntiles; t++) {
				lf_desc d = lp->tiles[t].d;
				relocate(&d, lp, x, y, pbase, s->host_assisted);
				p->desc_node[p->ndesc] = i;
				p->desc[p->ndesc++] = d;
			}
			l->ndesc += (uint32_t)lp->ntiles;
		}
		p->nlaunch += s->nlaunch;
		if (s->host_assisted) {
			int i = s->nodes[0];
			s->hplan = b->lp[i];
			memset(&b->lp[i], 0, sizeof(b->lp[i]));
			lf__graph_layer(g, &g->nodes[i], p->shape, &s->hL);
		}
	}
	return LF_OK;
}

/* A value a segment touches: its bytes and when they must stay intact. */
struct touch {
	int root;
	uint64_t off, size;
	int first, last; /* node steps */
};

static int overlap(const struct touch *a, const struct touch *c)
{
	return a->first <= c->last && c->first <= a->last &&
	       a->off < c->off + c->size && c->off < a->off + a->size;
}

/*
 * check_segments() - what every run relies on, checked on the finished
 * plan instead of trusted: in each chained segment, no two values whose
 * lifetimes meet share arena bytes, and every one lies inside the arena
 * (a clash is a wrong answer, or LF_KST_BOUNDS and a CPU fallback); on
 * the host, the buffers a segment reads and writes are distinct, so the
 * segment can be re-run on the CPU from its inputs. A failure is a
 * planner bug: LF_ERR_INTERNAL, the plan is not used.
 */
static lf_status check_segments(struct bld *b)
{
	const struct lf__graph *g = b->g;
	const struct lf__mplan *p = b->p;
	struct touch *t = calloc(g->nnodes * 3 + 1, sizeof(*t));
	if (!t)
		return nomem(b);
	lf_status st = LF_OK;
	for (int si = 0; si < p->nsegs && st == LF_OK; si++) {
		const struct lf__mseg *s = &p->seg[si];
		int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
		size_t n = 0;
		for (int k = 0; k < s->nup; k++) {
			int r = s->up[k], l = last_use_in(b, s, r);
			t[n++] = (struct touch){
			    r, s->host_assisted ? 0 : s->up_at[k],
			    seg_bytes(p, s, r), first, l < 0 ? first : l};
		}
		for (int j = 0; j < s->nnodes && !s->host_assisted; j++) {
			int i = s->nodes[j], r = p->root[g->nodes[i].out[0]];
			int l = last_use_in(b, s, r), down = 0;
			for (int k = 0; k < s->ndown; k++)
				down |= s->down[k] == r;
			t[n++] = (struct touch){r, arena_at(p, s, r),
						seg_bytes(p, s, r), i,
						down	? last
						: l < i ? i
							: l};
		}
		for (size_t x = 0; x < n && st == LF_OK; x++) {
			if (t[x].off > p->arena_bytes ||
			    t[x].size > p->arena_bytes - t[x].off)
				st = LF_ERR_INTERNAL;
			for (size_t y = x + 1; y < n && st == LF_OK; y++)
				if (overlap(&t[x], &t[y]))
					st = LF_ERR_INTERNAL;
		}
		/* Host: inputs and outputs of the segment, whole span. */
		int io[2] = {s->nup, s->ndown};
		for (int a = 0; a < io[0] + io[1] && st == LF_OK; a++) {
			int ra = a < io[0] ? s->up[a] : s->down[a - io[0]];
			for (int c = a + 1; c < io[0] + io[1] && st == LF_OK;
			     c++) {
				int rc =
				    c < io[0] ? s->up[c] : s->down[c - io[0]];
				struct touch ta = {
				    ra, p->host_off[ra],
				    lf__gshape_bytes(&p->shape[ra]), first,
				    last};
				struct touch tc = {
				    rc, p->host_off[rc],
				    lf__gshape_bytes(&p->shape[rc]), first,
				    last};
				if (ta.off != NONE && tc.off != NONE &&
				    overlap(&ta, &tc))
					st = LF_ERR_INTERNAL;
			}
		}
		if (st != LF_OK)
			st = failf(b->err, b->errlen, st,
				   "device segment %d (node '%s'): two values "
				   "alive at once share memory in the plan",
				   si, g->nodes[first].name);
	}
	free(t);
	return st;
}

static lf_status build(struct bld *b, const struct lf__gshape *in)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t nv = g->nvals ? g->nvals : 1;
	size_t nn = g->nnodes ? g->nnodes : 1;
	p->ninputs = g->ninputs;
	p->in = calloc(g->ninputs ? g->ninputs : 1, sizeof(*p->in));
	p->shape = calloc(nv, sizeof(*p->shape));
	p->root = calloc(nv, sizeof(int));
	p->host_off = calloc(nv, sizeof(uint64_t));
	p->dev_off = calloc(nv, sizeof(uint64_t));
	p->node = calloc(nn, sizeof(*p->node));
	b->lp = calloc(nn, sizeof(*b->lp));
	b->chain = calloc(nn, sizeof(int));
	b->pd = calloc(nn, sizeof(*b->pd));
	b->ax = calloc(nn, sizeof(int));
	b->ax2 = calloc(nn, sizeof(int));
	b->seg_of = calloc(nn, sizeof(int));
	b->out_use = calloc(nv, sizeof(int));
	b->bk = calloc(nn, sizeof(int));
	b->fold = calloc(nn, 1);
	p->blk = calloc(nv, 1);
	if (!p->in || !p->shape || !p->root || !p->host_off || !p->dev_off ||
	    !p->node || !b->lp || !b->chain || !b->seg_of || !b->out_use ||
	    !b->pd || !b->ax || !b->ax2 || !b->bk || !b->fold || !p->blk)
		return nomem(b);
	memcpy(p->in, in, g->ninputs * sizeof(*in));
	p->params_bytes = b->params->bytes;
	lf_status st =
	    lf__graph_infer(g, in, p->shape, LF_ERR_SHAPE, b->err, b->errlen);
	if (st != LF_OK)
		return st;
	for (size_t v = 0; v < g->nvals; v++) {
		p->root[v] = lf__graph_root(g, (int)v);
		p->host_off[v] = NONE;
		p->dev_off[v] = NONE;
	}
	for (size_t i = 0; i < g->noutputs; i++)
		b->out_use[p->root[g->outputs[i]]] = 1;
	if ((st = classify(b)) || (st = partition(b)) || (st = residency(b)) ||
	    (st = blk_segments(b)) || (st = device_memory(b)) ||
	    (st = host_memory(b)) || (st = descriptors(b)) ||
	    (st = check_segments(b)))
		return st;
	return LF_OK;
}

lf_status lf__mplan_build(const struct lf__graph *g,
			  const struct lf__mparams *params,
			  const struct lf__mdevcaps *caps,
			  const struct lf__gshape *in, struct lf__mplan **out,
			  char *err, size_t errlen)
{
	struct bld b;
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.params = params;
	b.caps = caps;
	b.err = err;
	b.errlen = errlen;
	b.p = calloc(1, sizeof(*b.p));
	if (!b.p)
		return nomem(&b);
	lf_status st = build(&b, in);
	for (size_t i = 0; b.lp && i < g->nnodes; i++)
		lf__plan_free(&b.lp[i]);
	free(b.lp);
	free(b.chain);
	free(b.pd);
	free(b.ax);
	free(b.ax2);
	free(b.seg_of);
	free(b.out_use);
	free(b.bk);
	free(b.fold);
	if (st != LF_OK) {
		lf__mplan_free(b.p);
		return st;
	}
	*out = b.p;
	return LF_OK;
}

void lf__mseg_pack_up(const struct lf__mplan *p, const struct lf__mseg *s,
		      void *const *ptr, uint8_t *arena)
{
	for (int k = 0; k < s->nup; k++) {
		int v = s->up[k];
		uint64_t d[4];
		if (folded(s, v)) {
			lf__blk_fold_x(&s->fold[k], ptr[v], arena + s->up_at[k],
				       s->up_pad[k]);
			continue;
		}
		if (!is_blk(p, s, v)) {
			memcpy(arena + s->up_at[k], ptr[v],
			       lf__gshape_bytes(&p->shape[v]));
			continue;
		}
		blk_view(&p->shape[v], d);
		lf__blk_from_nchw(ptr[v], arena + s->up_at[k], d[0], d[1], d[2],
				  d[3], s->up_pad[k]);
	}
}

void lf__mseg_unpack_down(const struct lf__mplan *p, const struct lf__mseg *s,
			  const uint8_t *arena, void *const *ptr)
{
	for (int k = 0; k < s->ndown; k++) {
		int v = s->down[k];
		uint64_t d[4];
		if (!is_blk(p, s, v)) {
			memcpy(ptr[v], arena + s->down_at[k],
			       lf__gshape_bytes(&p->shape[v]));
			continue;
		}
		blk_view(&p->shape[v], d);
		lf__blk_to_nchw(arena + s->down_at[k], ptr[v], d[0], d[1], d[2],
				d[3]);
	}
}
