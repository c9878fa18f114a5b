/*
 * lower.c - ONNX nodes -> IR nodes (graph.h): quantized conv and matmul
 * with their quantization resolved from constants, QLinearConcat with its
 * lookup tables, float Gemm/MatMul, transposes and views, and everything
 * else handed to hostlib/onnx's node_cpu. Then constant folding, the
 * fusion of Relu/Clip on a quantized conv/matmul output into its clamp,
 * and of pointwise functions of a conv's 8-bit output into its table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/model/import_impl.h"
#include "hostlib/onnx/node_cpu.h"
#include "hostlib/plan/quant.h"

static int in_at(const struct lf__rnode *rn, size_t i)
{
	return i < rn->n_in ? rn->in[i] : -1;
}

static int64_t attr_i(const struct lf__onnx_node *on, const char *name,
		      int64_t dflt)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(on, name);
	return a && a->type == LF__ATTR_INT ? a->i : dflt;
}

static float attr_f(const struct lf__onnx_node *on, const char *name,
		    float dflt)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(on, name);
	return a && a->type == LF__ATTR_FLOAT ? a->f : dflt;
}

static lf_status nomem(struct lf__imp *im)
{
	return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
}

/* Fill the IR node's name, op, label and wiring. */
static lf_status set_node(struct lf__imp *im, struct lf__rnode *rn,
			  enum lf__gop op, const char *label, const int *in,
			  size_t n_in, const int *out, size_t n_out)
{
	lf_status st = lf__imp_wire(im, rn, in, n_in, out, n_out);
	if (st != LF_OK)
		return st;
	struct lf__gnode *g = &rn->g;
	g->op = op;
	g->name = strdup(rn->name);
	g->in = malloc((n_in ? n_in : 1) * sizeof(int));
	g->out = malloc((n_out ? n_out : 1) * sizeof(int));
	if (!g->name || !g->in || !g->out)
		return nomem(im);
	memcpy(g->in, in, n_in * sizeof(int));
	memcpy(g->out, out, n_out * sizeof(int));
	g->n_in = n_in;
	g->n_out = n_out;
	snprintf(g->label, sizeof(g->label), "%s", label);
	g->op_type = rn->on->op_type;
	g->domain = rn->on->domain;
	g->attrs = rn->on->attrs;
	g->n_attrs = rn->on->n_attrs;
	g->opset = lf__imp_opset(im, rn);
	rn->lowered = 1;
	return LF_OK;
}

lf_status lf__lower_onnx(struct lf__imp *im, struct lf__rnode *rn,
			 const char *op_type, const char *domain, const int *in,
			 size_t n_in, const int *out, size_t n_out)
{
	lf_status st =
	    set_node(im, rn, LF__GOP_ONNX, op_type, in, n_in, out, n_out);
	if (st != LF_OK)
		return st;
	rn->g.op_type = op_type;
	rn->g.domain = domain;
	rn->g.opset = strcmp(domain, "com.microsoft") == 0 ? im->g->opset_ms
							   : im->g->opset;
	return LF_OK;
}

/* ---- quantization of conv / matmul ------------------------------------ */

static const char *lin_label(const struct lf__rnode *rn)
{
	const char *op = rn->on->op_type;
	if (strcmp(op, "Conv") == 0)
		return "QLinearConv";
	if (strcmp(op, "MatMul") == 0)
		return "QLinearMatMul";
	if (strcmp(op, "Gemm") == 0)
		return "QGemm";
	return op;
}

/* A per-channel constant (scale or zero point): 1 or @ch entries. */
static int per_ch_count(const struct lf__tensor *t, int64_t ch)
{
	if (t->count == 1 && t->rank <= 1)
		return 1;
	if (t->rank == 1 && (int64_t)t->count == ch)
		return (int)ch;
	return 0;
}

/*
 * The weight-side quantization: zero points (8-bit, type of @wt) and, for
 * a requantized output, scales; both expanded to @ch entries when either
 * is per channel (the descriptor's LF_DF_W_PER_CH covers both).
 */
static lf_status w_quant(struct lf__imp *im, struct lf__rnode *rn,
			 const struct lf__lin_parts *p, lf_dtype wt, int64_t ch,
			 struct lf__glinear *L)
{
	const struct lf__tensor *ws = lf__imp_const(im, p->ws);
	const struct lf__tensor *wz = lf__imp_const(im, p->wz);
	int nz = wz ? per_ch_count(wz, ch) : 1;
	int ns = ws ? per_ch_count(ws, ch) : 1;
	if ((wz && (!nz || wz->dtype != lf__imp_onnx_type(wt))) ||
	    (ws && (!ns || ws->dtype != LF__ONNX_FLOAT)))
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): weight scale/zero point "
				    "must be float32/%s with 1 or %lld "
				    "(per output channel) entries",
				    rn->name, rn->on->op_type,
				    wt == LF_DTYPE_UINT8 ? "uint8" : "int8",
				    (long long)ch);
	int n = (nz > 1 || (ws && ns > 1)) ? (int)ch : 1;
	L->w_zp = calloc((size_t)n, sizeof(int32_t));
	if (!L->w_zp)
		return nomem(im);
	L->w_zp_count = n;
	for (int c = 0; wz && c < n; c++) {
		int k = nz == 1 ? 0 : c;
		L->w_zp[c] = wt == LF_DTYPE_UINT8
				 ? ((const uint8_t *)wz->data)[k]
				 : ((const int8_t *)wz->data)[k];
	}
	if (!ws)
		return LF_OK;
	L->w_scale = malloc((size_t)n * sizeof(float));
	if (!L->w_scale)
		return nomem(im);
	L->w_scale_count = n;
	for (int c = 0; c < n; c++) {
		float s = ((const float *)ws->data)[ns == 1 ? 0 : c];
		if (!(s > 0.0f) || !isfinite(s))
			return lf__imp_fail(
			    im, LF_ERR_BAD_FILE,
			    "node '%s' (%s): weight scale %d is "
			    "%g; scales must be finite and > 0",
			    rn->name, rn->on->op_type, c, (double)s);
		L->w_scale[c] = s;
	}
	return LF_OK;
}

/* x / y scales and zero points; integer ops have none (int32 output). */
static lf_status xy_quant(struct lf__imp *im, struct lf__rnode *rn,
			  const struct lf__lin_parts *p, float alpha,
			  struct lf__glinear *L)
{
	lf_dtype xt = LF_DTYPE_UINT8;
	const struct lf__gval *xv = &im->g->vals[p->x];
	if (xv->dtype == LF__ONNX_INT8)
		xt = LF_DTYPE_INT8;
	if (!lf__imp_scalar_zp(im, p->xz, xt, &L->x_type, &L->x_zp))
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): the input zero point must "
				    "be a one-element uint8/int8 constant",
				    rn->name, rn->on->op_type);
	L->x_scale = 1.0f;
	L->y_scale = 1.0f;
	if (p->xs < 0) {
		L->y_type = LF_DTYPE_INT32;
		lf__ref_dtype_range(LF_DTYPE_INT32, &L->act_min, &L->act_max);
		return LF_OK;
	}
	float xs;
	if (!lf__imp_scalar_f32(im, p->xs, &xs) || !(xs > 0.0f) ||
	    !isfinite(xs))
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): the input scale must be a "
				    "one-element float32 constant > 0",
				    rn->name, rn->on->op_type);
	/* ORT's QGemm scales by alpha * a_scale * b_scale, left to right. */
	L->x_scale = alpha * xs;
	if (p->float_out) {
		L->y_type = LF_DTYPE_INT32;
		lf__ref_dtype_range(LF_DTYPE_INT32, &L->act_min, &L->act_max);
		return LF_OK;
	}
	float ys;
	if (!lf__imp_scalar_f32(im, p->ys, &ys) || !(ys > 0.0f) ||
	    !isfinite(ys) ||
	    !lf__imp_scalar_zp(im, p->yz, LF_DTYPE_UINT8, &L->y_type, &L->y_zp))
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): the output scale and zero "
				    "point must be one-element constants "
				    "(float32 > 0, uint8/int8)",
				    rn->name, rn->on->op_type);
	L->y_scale = ys;
	lf__ref_dtype_range(L->y_type, &L->act_min, &L->act_max);
	return LF_OK;
}

static lf_status w_type_of(struct lf__imp *im, struct lf__rnode *rn,
			   const struct lf__tensor *w, lf_dtype *wt)
{
	if (w->dtype == LF__ONNX_UINT8)
		*wt = LF_DTYPE_UINT8;
	else if (w->dtype == LF__ONNX_INT8)
		*wt = LF_DTYPE_INT8;
	else
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): weights of type %s; "
				    "uint8 and int8 are supported",
				    rn->name, rn->on->op_type,
				    lf__onnx_dtype_name(w->dtype));
	return LF_OK;
}

static int64_t pad_mode(const char *s)
{
	if (!s || !s[0] || strcmp(s, "NOTSET") == 0)
		return LF_REF_AUTO_PAD_NOTSET;
	if (strcmp(s, "SAME_UPPER") == 0)
		return LF_REF_AUTO_PAD_SAME_UPPER;
	if (strcmp(s, "SAME_LOWER") == 0)
		return LF_REF_AUTO_PAD_SAME_LOWER;
	if (strcmp(s, "VALID") == 0)
		return LF_REF_AUTO_PAD_VALID;
	return -1;
}

/* A per-dimension INTS attribute: absent, or @n entries. */
static int ints_attr(const struct lf__onnx_node *on, const char *name, size_t n,
		     const int64_t **v)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(on, name);
	*v = NULL;
	if (!a)
		return 1;
	if (a->type != LF__ATTR_INTS || a->n != n)
		return 0;
	*v = a->ints;
	return 1;
}

static lf_status conv_attrs(struct lf__imp *im, struct lf__rnode *rn,
			    const struct lf__onnx_node *on, int nsp,
			    struct lf__glinear *L)
{
	const int64_t *ks, *st, *pads, *dil;
	const struct lf__onnx_attr *ap = lf__onnx_node_attr(on, "auto_pad");
	L->group = attr_i(on, "group", 1);
	L->auto_pad =
	    (int)pad_mode(ap && ap->type == LF__ATTR_STRING ? ap->s : NULL);
	if (!ints_attr(on, "kernel_shape", (size_t)nsp, &ks) ||
	    !ints_attr(on, "strides", (size_t)nsp, &st) ||
	    !ints_attr(on, "pads", 2 * (size_t)nsp, &pads) ||
	    !ints_attr(on, "dilations", (size_t)nsp, &dil) || L->auto_pad < 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): kernel_shape, strides, "
				    "pads, dilations or auto_pad do not match "
				    "a %d-D convolution",
				    rn->name, rn->on->op_type, nsp);
	int off = 2 - nsp; /* 1-D: only the width */
	int64_t k[2] = {L->kh, L->kw};
	for (int i = 0; i < 2; i++) {
		L->strides[i] = 1;
		L->dil[i] = 1;
	}
	for (int i = 0; i < 4; i++)
		L->pads[i] = 0;
	for (int i = 0; i < nsp; i++) {
		int j = i + off;
		if (ks && ks[i] != k[j])
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (%s): kernel_shape[%d] "
					    "= %lld, the weights say %lld",
					    rn->name, rn->on->op_type, i,
					    (long long)ks[i], (long long)k[j]);
		if (st)
			L->strides[j] = st[i];
		if (dil)
			L->dil[j] = dil[i];
		if (pads) {
			L->pads[j] = pads[i];		/* top / left */
			L->pads[j + 2] = pads[nsp + i]; /* bottom / right */
		}
	}
	for (int i = 0; i < 2; i++)
		if (L->strides[i] < 1 || L->dil[i] < 1 ||
		    L->strides[i] >= (1 << 24) || L->dil[i] >= (1 << 24))
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (%s): strides and "
					    "dilations must be in 1..2^24",
					    rn->name, rn->on->op_type);
	for (int i = 0; i < 4; i++)
		if (L->pads[i] < 0 || L->pads[i] >= (1 << 24))
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (%s): pads must be in "
					    "0..2^24",
					    rn->name, rn->on->op_type);
	if (L->group < 1 || L->group >= (1 << 24) ||
	    (int64_t)L->channels % L->group)
		return lf__imp_fail(
		    im, LF_ERR_BAD_FILE,
		    "node '%s' (%s): group %lld does not divide "
		    "the %d output channels",
		    rn->name, rn->on->op_type, (long long)L->group,
		    L->channels);
	return LF_OK;
}

/* A bias: an int32 constant with one entry per channel. */
static lf_status bias_of(struct lf__imp *im, struct lf__rnode *rn, int b,
			 int64_t ch)
{
	const struct lf__tensor *t = lf__imp_const(im, b);
	if (!t)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): the bias must be a "
				    "constant",
				    rn->name, rn->on->op_type);
	if (t->dtype != LF__ONNX_INT32 || (int64_t)t->count != ch ||
	    t->rank != 1)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): the bias must be int32 "
				    "with %lld entries",
				    rn->name, rn->on->op_type, (long long)ch);
	return LF_OK;
}

static lf_status new_lin(struct lf__imp *im, struct lf__glinear **L)
{
	*L = calloc(1, sizeof(**L));
	return *L ? LF_OK : nomem(im);
}

static void free_lin(struct lf__glinear *L)
{
	if (!L)
		return;
	free(L->w_zp);
	free(L->w_scale);
	free(L->lut);
	free(L);
}

lf_status lf__lower_conv(struct lf__imp *im, struct lf__rnode *rn,
			 const struct lf__lin_parts *p)
{
	const struct lf__tensor *w = lf__imp_const(im, p->w);
	lf_dtype wt = LF_DTYPE_INT8;
	if (!w)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): the weights must be a "
				    "constant",
				    rn->name, rn->on->op_type);
	lf_status st = w_type_of(im, rn, w, &wt);
	if (st != LF_OK)
		return st;
	if (w->rank != 3 && w->rank != 4)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): weights of rank %d; only "
				    "1-D and 2-D convolution is supported",
				    rn->name, rn->on->op_type, w->rank);
	for (int i = 0; i < w->rank; i++)
		if (w->dims[i] < 1 || w->dims[i] >= (1 << 24))
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (%s): weight dim %d is "
					    "%lld",
					    rn->name, rn->on->op_type, i,
					    (long long)w->dims[i]);
	struct lf__glinear *L;
	if ((st = new_lin(im, &L)))
		return st;
	L->conv1d = w->rank == 3;
	L->channels = (int)w->dims[0];
	L->icg = w->dims[1];
	L->kh = L->conv1d ? 1 : w->dims[2];
	L->kw = w->dims[w->rank - 1];
	L->w_type = wt;
	L->w = p->w;
	L->bias = p->bias;
	if ((st = xy_quant(im, rn, p, 1.0f, L)) ||
	    (st = w_quant(im, rn, p, wt, L->channels, L)) ||
	    (st = conv_attrs(im, rn, p->attrs, L->conv1d ? 1 : 2, L)) ||
	    (p->bias >= 0 && (st = bias_of(im, rn, p->bias, L->channels)))) {
		free_lin(L);
		return st;
	}
	int in[3] = {p->x, p->w, p->bias};
	st = set_node(im, rn, LF__GOP_CONV, lin_label(rn), in,
		      p->bias >= 0 ? 3 : 2, &p->y, 1);
	rn->g.lin = L;
	if (st == LF_OK)
		im->g->vals[p->y].dtype = lf__imp_onnx_type(L->y_type);
	return st;
}

/* Unique name for a value made at import. */
static int new_internal(struct lf__imp *im, const char *base, int32_t dtype)
{
	char name[256];
	for (int i = 0;; i++) {
		snprintf(name, sizeof(name), "%.200s#lf%d", base, i);
		if (lf__imp_find(im, name) < 0)
			return lf__imp_new_value(im, name, dtype);
	}
}

/* B as [K][N]: the constant as is, or transposed into a new one. */
static lf_status b_matrix(struct lf__imp *im, const struct lf__lin_parts *p,
			  int *bv)
{
	const struct lf__tensor *b = lf__imp_const(im, p->w);
	*bv = p->w;
	if (!p->trans_b)
		return LF_OK;
	int64_t dims[2] = {b->dims[1], b->dims[0]};
	struct lf__tensor *t;
	lf_status st = lf__imp_new_const(im, b->dtype, 2, dims, &t);
	if (st != LF_OK)
		return st;
	const uint8_t *s = b->data;
	uint8_t *d = t->data;
	for (int64_t r = 0; r < b->dims[0]; r++)
		for (int64_t c = 0; c < b->dims[1]; c++)
			d[c * b->dims[0] + r] = s[r * b->dims[1] + c];
	*bv = new_internal(im, im->g->vals[p->w].name, b->dtype);
	if (*bv < 0)
		return nomem(im);
	im->g->vals[*bv].cst = t;
	return LF_OK;
}

/* QGemm's C: int32 of shape (), (1), (N) or (1, N), as [N]. */
static lf_status gemm_bias(struct lf__imp *im, struct lf__rnode *rn, int c,
			   int64_t n, int *bv)
{
	const struct lf__tensor *t = lf__imp_const(im, c);
	*bv = c;
	if (c < 0)
		return LF_OK;
	int ok = t && t->dtype == LF__ONNX_INT32 &&
		 (t->count == 1 || (int64_t)t->count == n) &&
		 (t->rank <= 1 || (t->rank == 2 && t->dims[0] == 1));
	if (!ok)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): C must be an int32 "
				    "constant of shape (), (N) or (1, N)",
				    rn->name, rn->on->op_type);
	if (t->count == (size_t)n && t->rank == 1)
		return LF_OK;
	struct lf__tensor *e;
	lf_status st = lf__imp_new_const(im, LF__ONNX_INT32, 1, &n, &e);
	if (st != LF_OK)
		return st;
	for (int64_t i = 0; i < n; i++)
		((int32_t *)e->data)[i] =
		    ((const int32_t *)t->data)[t->count == 1 ? 0 : i];
	*bv = new_internal(im, im->g->vals[c].name, LF__ONNX_INT32);
	if (*bv < 0)
		return nomem(im);
	im->g->vals[*bv].cst = e;
	return LF_OK;
}

/* QGemm with a float output: y = (float)acc * (alpha*a_scale*b_scale[c]). */
static lf_status add_scale_node(struct lf__imp *im, size_t at,
				const struct lf__glinear *L, int acc, int y,
				float alpha, float a_scale)
{
	struct lf__rnode *src = &im->rn[at];
	struct lf__rnode *rn = lf__imp_insert_after(im, at);
	src = &im->rn[at];
	rn->on = src->on;
	char name[256];
	snprintf(name, sizeof(name), "%.200s/scale", src->name);
	rn->name = strdup(name);
	if (!rn->name)
		return nomem(im);
	lf_status st = set_node(im, rn, LF__GOP_SCALE_F32, "QGemm(float out)",
				&acc, 1, &y, 1);
	if (st != LF_OK)
		return st;
	int n = L->w_scale_count;
	rn->g.scale = malloc((size_t)n * sizeof(float));
	if (!rn->g.scale)
		return nomem(im);
	rn->g.nscale = n;
	for (int c = 0; c < n; c++)
		rn->g.scale[c] = alpha * a_scale * L->w_scale[c];
	im->g->vals[y].dtype = LF__ONNX_FLOAT;
	return LF_OK;
}

lf_status lf__lower_matmul(struct lf__imp *im, struct lf__rnode *rn,
			   const struct lf__lin_parts *p)
{
	const struct lf__tensor *b = lf__imp_const(im, p->w);
	lf_dtype wt = LF_DTYPE_INT8;
	if (!b || b->rank != 2)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (%s): B must be a 2-D constant",
				    rn->name, rn->on->op_type);
	lf_status st = w_type_of(im, rn, b, &wt);
	if (st != LF_OK)
		return st;
	int64_t k = p->trans_b ? b->dims[1] : b->dims[0];
	int64_t n = p->trans_b ? b->dims[0] : b->dims[1];
	if (k < 1 || n < 1 || k >= (1 << 24) || n >= (1 << 24))
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): B is %lldx%lld", rn->name,
				    rn->on->op_type, (long long)b->dims[0],
				    (long long)b->dims[1]);
	struct lf__glinear *L;
	if ((st = new_lin(im, &L)))
		return st;
	L->channels = (int)n;
	L->k = k;
	L->w_type = wt;
	float alpha = p->alpha;
	int bv = -1, cv = -1, acc = -1;
	if ((st = xy_quant(im, rn, p, alpha, L)) ||
	    (st = w_quant(im, rn, p, wt, n, L)) ||
	    (st = b_matrix(im, p, &bv)) ||
	    (st = gemm_bias(im, rn, p->bias, n, &cv)))
		goto fail;
	L->w = bv;
	L->bias = cv;
	if (p->float_out) {
		acc = new_internal(im, im->g->vals[p->y].name, LF__ONNX_INT32);
		if (acc < 0) {
			st = nomem(im);
			goto fail;
		}
		/* The float scales are the QGemm's; the int32 layer needs
		 * none. */
	}
	int in[3] = {p->x, bv, cv};
	int y = p->float_out ? acc : p->y;
	st = set_node(im, rn, LF__GOP_MATMUL, lin_label(rn), in,
		      cv >= 0 ? 3 : 2, &y, 1);
	rn->g.lin = L;
	if (st != LF_OK)
		return st;
	im->g->vals[y].dtype = lf__imp_onnx_type(L->y_type);
	if (!p->float_out)
		return LF_OK;
	float a_scale;
	lf__imp_scalar_f32(im, p->xs, &a_scale);
	size_t at = (size_t)(rn - im->rn);
	st = add_scale_node(im, at, L, acc, p->y, alpha, a_scale);
	/* The int32 layer keeps no scales (they moved to the new node). */
	free(im->rn[at].g.lin->w_scale);
	im->rn[at].g.lin->w_scale = NULL;
	im->rn[at].g.lin->w_scale_count = 0;
	return st;
fail:
	free_lin(L);
	return st;
}

lf_status lf__lower_float_act(struct lf__imp *im, struct lf__rnode *rn,
			      const struct lf__rnode *act)
{
	struct lf__glinear *L = rn->g.lin;
	if (L->y_type == LF_DTYPE_INT32)
		return LF_OK;
	int32_t lo, hi;
	const char *what;
	if (lf__imp_is(act, "Relu", 0)) {
		lo = lf__quant_real(0.0f, L->y_scale, L->y_zp, L->y_type);
		lf__ref_dtype_range(L->y_type, &hi, &hi);
		what = "+Relu";
	} else {
		float cl = -INFINITY, ch = INFINITY;
		int a = in_at(act, 1), b = in_at(act, 2);
		if (lf__imp_opset(im, act) < 11) {
			cl = attr_f(act->on, "min", -INFINITY);
			ch = attr_f(act->on, "max", INFINITY);
		} else if ((a >= 0 && !lf__imp_scalar_f32(im, a, &cl)) ||
			   (b >= 0 && !lf__imp_scalar_f32(im, b, &ch))) {
			return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
					    "node '%s' (Clip): bounds must be "
					    "float32 constants",
					    act->name);
		}
		lo = lf__quant_real(cl, L->y_scale, L->y_zp, L->y_type);
		hi = lf__quant_real(ch, L->y_scale, L->y_zp, L->y_type);
		what = "+Clip";
	}
	if (lo > L->act_min)
		L->act_min = lo;
	if (hi < L->act_max)
		L->act_max = hi;
	if (L->act_min > L->act_max) /* Clip with min > max gives max */
		L->act_min = L->act_max;
	size_t len = strlen(rn->g.label);
	snprintf(rn->g.label + len, sizeof(rn->g.label) - len, "%s", what);
	return LF_OK;
}

/* ---- QOperator nodes ----------------------------------------------------- */

/* Every quantization input a constant (or omitted when @opt). */
static int consts(const struct lf__imp *im, const struct lf__rnode *rn,
		  const int *idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = in_at(rn, (size_t)idx[i]);
		if (v >= 0 && !lf__imp_const(im, v))
			return 0;
	}
	return 1;
}

/* Count an op nothing runs; the load fails after every node is seen
 * (lf__lower_all), naming all of them. */
static lf_status note_unsupported(struct lf__imp *im, struct lf__rnode *rn)
{
	const char *d = rn->on->domain, *op = rn->on->op_type;
	for (size_t i = 0; i < im->nunsup; i++)
		if (strcmp(im->unsup[i].domain, d) == 0 &&
		    strcmp(im->unsup[i].op_type, op) == 0) {
			im->unsup[i].count++;
			return LF_OK;
		}
	if (im->nunsup == sizeof(im->unsup) / sizeof(im->unsup[0])) {
		im->unsup_more++;
		return LF_OK;
	}
	im->unsup[im->nunsup].domain = d;
	im->unsup[im->nunsup].op_type = op;
	im->unsup[im->nunsup].count = 1;
	im->nunsup++;
	return LF_OK;
}

static lf_status unsupported_error(struct lf__imp *im)
{
	char list[LF__GRAPH_ERR_LEN] = "";
	size_t len = 0;
	int total = 0;
	for (size_t i = 0; i < im->nunsup; i++) {
		total += im->unsup[i].count;
		const char *d = im->unsup[i].domain;
		int k =
		    snprintf(list + len, sizeof(list) - len, "%s%s%s%s (%d)",
			     i ? ", " : "", d, d[0] ? "." : "",
			     im->unsup[i].op_type, im->unsup[i].count);
		if (k < 0 || (size_t)k >= sizeof(list) - len)
			break;
		len += (size_t)k;
	}
	size_t nops = im->nunsup + (size_t)im->unsup_more;
	return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
			    "%zu unsupported op%s in %d node%s: %s%s", nops,
			    nops == 1 ? "" : "s", total, total == 1 ? "" : "s",
			    list, im->unsup_more ? ", and more" : "");
}

static lf_status lower_generic(struct lf__imp *im, struct lf__rnode *rn)
{
	if (!lf__onnx_node_cpu_supported(rn->on->domain, rn->on->op_type))
		return note_unsupported(im, rn);
	int *in = rn->in, *out = rn->out;
	size_t ni = rn->n_in, no = rn->n_out;
	rn->in = rn->out = NULL;
	lf_status st = lf__lower_onnx(im, rn, rn->on->op_type, rn->on->domain,
				      in, ni, out, no);
	free(in);
	free(out);
	return st;
}

static lf_status lower_qlinearconv(struct lf__imp *im, struct lf__rnode *rn,
				   int integer)
{
	static const int qidx[] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const int iidx[] = {1, 2, 3};
	if (!(integer ? consts(im, rn, iidx, 3) : consts(im, rn, qidx, 8)) ||
	    in_at(rn, integer ? 1 : 3) < 0)
		return lower_generic(im, rn);
	struct lf__lin_parts p = {
	    .x = in_at(rn, 0),
	    .xs = integer ? -1 : in_at(rn, 1),
	    .xz = in_at(rn, 2),
	    .w = in_at(rn, integer ? 1 : 3),
	    .ws = integer ? -1 : in_at(rn, 4),
	    .wz = in_at(rn, integer ? 3 : 5),
	    .ys = integer ? -1 : in_at(rn, 6),
	    .yz = integer ? -1 : in_at(rn, 7),
	    .bias = integer ? -1 : in_at(rn, 8),
	    .y = rn->out[0],
	    .attrs = rn->on,
	    .alpha = 1.0f,
	    .w_axis = 0,
	};
	if (p.x < 0 || p.y < 0 || (!integer && p.xs < 0))
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): a required input or the "
				    "output is missing",
				    rn->name, rn->on->op_type);
	return lf__lower_conv(im, rn, &p);
}

static lf_status lower_qlinearmatmul(struct lf__imp *im, struct lf__rnode *rn,
				     int integer)
{
	static const int qidx[] = {1, 2, 3, 4, 5, 6, 7};
	static const int iidx[] = {1, 2, 3};
	int bi = integer ? 1 : 3;
	const struct lf__tensor *b = lf__imp_const(im, in_at(rn, (size_t)bi));
	int32_t zp;
	lf_dtype zt;
	if (!(integer ? consts(im, rn, iidx, 3) : consts(im, rn, qidx, 7)) ||
	    !b || b->rank != 2 ||
	    !lf__imp_scalar_zp(im, in_at(rn, 2), LF_DTYPE_UINT8, &zt, &zp))
		return lower_generic(im, rn);
	struct lf__lin_parts p = {
	    .x = in_at(rn, 0),
	    .xs = integer ? -1 : in_at(rn, 1),
	    .xz = in_at(rn, 2),
	    .w = in_at(rn, (size_t)bi),
	    .ws = integer ? -1 : in_at(rn, 4),
	    .wz = in_at(rn, integer ? 3 : 5),
	    .ys = integer ? -1 : in_at(rn, 6),
	    .yz = integer ? -1 : in_at(rn, 7),
	    .bias = -1,
	    .y = rn->out[0],
	    .attrs = rn->on,
	    .alpha = 1.0f,
	    .w_axis = 1,
	};
	if (p.x < 0 || p.y < 0 || (!integer && (p.xs < 0 || p.ys < 0)))
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): a required input or the "
				    "output is missing",
				    rn->name, rn->on->op_type);
	return lf__lower_matmul(im, rn, &p);
}

static lf_status lower_qgemm(struct lf__imp *im, struct lf__rnode *rn)
{
	static const int idx[] = {1, 2, 3, 4, 5, 6, 7, 8};
	if (!consts(im, rn, idx, 8) || in_at(rn, 3) < 0 || in_at(rn, 1) < 0)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (QGemm): B, C and the "
				    "quantization inputs must be constants",
				    rn->name);
	if (attr_i(rn->on, "transA", 0) != 0)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (QGemm): transA=1 is not "
				    "supported",
				    rn->name);
	int trans_b = attr_i(rn->on, "transB", 0) != 0;
	struct lf__lin_parts p = {
	    .x = in_at(rn, 0),
	    .xs = in_at(rn, 1),
	    .xz = in_at(rn, 2),
	    .w = in_at(rn, 3),
	    .ws = in_at(rn, 4),
	    .wz = in_at(rn, 5),
	    .bias = in_at(rn, 6),
	    .ys = in_at(rn, 7),
	    .yz = in_at(rn, 8),
	    .y = rn->out[0],
	    .attrs = rn->on,
	    .trans_b = trans_b,
	    .alpha = attr_f(rn->on, "alpha", 1.0f),
	    .w_axis = trans_b ? 0 : 1,
	    .float_out = in_at(rn, 7) < 0,
	};
	if (p.x < 0 || p.y < 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (QGemm): input A or the output "
				    "is missing",
				    rn->name);
	return lf__lower_matmul(im, rn, &p);
}

/* ---- QLinearConcat ------------------------------------------------------- */

/*
 * One lookup table per input, as ORT's QLinearConcat builds them
 * (contrib_ops/cpu/quantization/qlinear_lookup_table.cc,
 * QlinearBuildLookupTable): x_scale * (x - x_zp) in float, then
 * QuantizeLinear to y; an input with y's scale and zero point is copied.
 */
static lf_status concat_lut(struct lf__imp *im, float xs, int32_t xz, float ys,
			    int32_t yz, lf_dtype t, uint8_t **out)
{
	*out = NULL;
	if (xs == ys && xz == yz)
		return LF_OK;
	uint8_t *lut = malloc(256);
	if (!lut)
		return nomem(im);
	float deq[256];
	for (int i = 0; i < 256; i++) {
		int x = t == LF_DTYPE_UINT8 ? i : (int)(int8_t)(uint8_t)i;
		deq[i] = xs * (float)(x - xz);
	}
	struct lf_ref_qaxis q = {1, 256, 1, &ys, &yz, 1};
	lf_status st = lf__ref_quantize_linear(&q, deq, t, lut);
	if (st != LF_OK) {
		free(lut);
		return lf__imp_fail(im, st, "QLinearConcat lookup table: %s",
				    lf_status_name(st));
	}
	*out = lut;
	return LF_OK;
}

lf_status lf__lower_qconcat(struct lf__imp *im, struct lf__rnode *rn,
			    const int *in, size_t n_in, int y)
{
	size_t n = n_in >= 2 ? (n_in - 2) / 3 : 0;
	float ys;
	int32_t yz;
	lf_dtype t;
	const struct lf__onnx_attr *ax = lf__onnx_node_attr(rn->on, "axis");
	if (n < 1 || (n_in - 2) % 3 || !ax || ax->type != LF__ATTR_INT)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (QLinearConcat): needs y_scale, "
				    "y_zero_point, then (x, scale, zero point) "
				    "triples, and an 'axis'",
				    rn->name);
	if (!lf__imp_scalar_f32(im, in[0], &ys) ||
	    !lf__imp_scalar_zp(im, in[1], LF_DTYPE_UINT8, &t, &yz))
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (QLinearConcat): y_scale and "
				    "y_zero_point must be one-element "
				    "constants",
				    rn->name);
	lf_status st =
	    set_node(im, rn, LF__GOP_QCONCAT, "QLinearConcat", in, n_in, &y, 1);
	if (st != LF_OK)
		return st;
	rn->g.axis = ax->i;
	rn->g.lut = calloc(n, sizeof(uint8_t *));
	if (!rn->g.lut)
		return nomem(im);
	rn->g.n_lut = n;
	for (size_t i = 0; i < n; i++) {
		float xs;
		int32_t xz;
		lf_dtype xt;
		if (!lf__imp_scalar_f32(im, rn->g.in[2 + 3 * i + 1], &xs) ||
		    !lf__imp_scalar_zp(im, rn->g.in[2 + 3 * i + 2], t, &xt,
				       &xz) ||
		    xt != t || rn->g.in[2 + 3 * i] < 0)
			return lf__imp_fail(
			    im, LF_ERR_UNSUPPORTED,
			    "node '%s' (QLinearConcat): input "
			    "%zu's scale and zero point must be "
			    "one-element constants of y's type",
			    rn->name, i);
		st = concat_lut(im, xs, xz, ys, yz, t, &rn->g.lut[i]);
		if (st != LF_OK)
			return st;
	}
	im->g->vals[rn->g.out[0]].dtype = lf__imp_onnx_type(t);
	return LF_OK;
}

static lf_status lower_qconcat(struct lf__imp *im, struct lf__rnode *rn)
{
	int *in = rn->in, y = rn->n_out ? rn->out[0] : -1;
	size_t n = rn->n_in;
	rn->in = NULL;
	lf_status st = y < 0 ? lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (QLinearConcat): no "
					    "output",
					    rn->name)
			     : lf__lower_qconcat(im, rn, in, n, y);
	free(in);
	return st;
}

/* ---- the rest -------------------------------------------------------------
 */

static lf_status lower_transpose(struct lf__imp *im, struct lf__rnode *rn)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(rn->on, "perm");
	int in = in_at(rn, 0);
	if (in < 0 || rn->n_out < 1 || rn->out[0] < 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (Transpose): no input or output",
				    rn->name);
	if (a && (a->type != LF__ATTR_INTS || a->n > LF__TENSOR_MAX_RANK))
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (Transpose): bad 'perm'",
				    rn->name);
	int out = rn->out[0];
	lf_status st =
	    set_node(im, rn, LF__GOP_TRANSPOSE, "Transpose", &in, 1, &out, 1);
	if (st != LF_OK || !a)
		return st;
	rn->g.nperm = (int)a->n;
	for (size_t i = 0; i < a->n; i++) {
		if (a->ints[i] < 0 || a->ints[i] >= (int64_t)a->n)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (Transpose): perm[%zu] "
					    "= %lld is out of range",
					    rn->name, i, (long long)a->ints[i]);
		rn->g.perm[i] = (int)a->ints[i];
	}
	return LF_OK;
}

static lf_status lower_float_gemm(struct lf__imp *im, struct lf__rnode *rn,
				  int gemm)
{
	int in[3] = {in_at(rn, 0), in_at(rn, 1), gemm ? in_at(rn, 2) : -1};
	if (in[0] < 0 || in[1] < 0 || rn->n_out < 1 || rn->out[0] < 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): inputs A and B and the "
				    "output are required",
				    rn->name, rn->on->op_type);
	int out = rn->out[0];
	lf_status st = set_node(im, rn, LF__GOP_GEMM_F32, rn->on->op_type, in,
				in[2] >= 0 ? 3 : 2, &out, 1);
	if (st != LF_OK)
		return st;
	rn->g.alpha = gemm ? attr_f(rn->on, "alpha", 1.0f) : 1.0f;
	rn->g.beta = gemm ? attr_f(rn->on, "beta", 1.0f) : 1.0f;
	rn->g.trans_a = gemm ? attr_i(rn->on, "transA", 0) != 0 : 0;
	rn->g.trans_b = gemm ? attr_i(rn->on, "transB", 0) != 0 : 0;
	im->g->vals[out].dtype = LF__ONNX_FLOAT;
	return LF_OK;
}

static lf_status lower_view(struct lf__imp *im, struct lf__rnode *rn)
{
	int x = in_at(rn, 0);
	if (x < 0 || rn->n_out < 1 || rn->out[0] < 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): no input or output",
				    rn->name, rn->on->op_type);
	if (lf__imp_is(rn, "Reshape", 0) && lf__imp_opset(im, rn) >= 5) {
		const struct lf__tensor *s = lf__imp_const(im, in_at(rn, 1));
		/* A target computed at run time: a CPU Reshape (the import's
		 * second pass makes it a view when it is static). */
		if (!s)
			return lower_generic(im, rn);
		if (s->dtype != LF__ONNX_INT64 || s->rank != 1 ||
		    s->count > LF__TENSOR_MAX_RANK)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "node '%s' (Reshape): the shape "
					    "must be 1-D int64 with at most %d "
					    "entries",
					    rn->name, LF__TENSOR_MAX_RANK);
	}
	int in[2] = {x, in_at(rn, 1)};
	int out = rn->out[0];
	size_t ni = lf__imp_is(rn, "Reshape", 0) && in[1] >= 0 ? 2 : 1;
	return set_node(im, rn, LF__GOP_VIEW, rn->on->op_type, in, ni, &out, 1);
}

static lf_status lower_one(struct lf__imp *im, struct lf__rnode *rn)
{
	const char *d = rn->on->domain;
	if (d[0] && strcmp(d, "ai.onnx") != 0 && strcmp(d, "com.microsoft"))
		return note_unsupported(im, rn);
	if (lf__imp_is(rn, "QLinearConv", 0))
		return lower_qlinearconv(im, rn, 0);
	if (lf__imp_is(rn, "ConvInteger", 0))
		return lower_qlinearconv(im, rn, 1);
	if (lf__imp_is(rn, "QLinearMatMul", 0))
		return lower_qlinearmatmul(im, rn, 0);
	if (lf__imp_is(rn, "MatMulInteger", 0))
		return lower_qlinearmatmul(im, rn, 1);
	if (lf__imp_is(rn, "QGemm", 1))
		return lower_qgemm(im, rn);
	if (lf__imp_is(rn, "QLinearConcat", 1))
		return lower_qconcat(im, rn);
	if (lf__imp_is(rn, "Transpose", 0))
		return lower_transpose(im, rn);
	if (lf__imp_is(rn, "Gemm", 0) || lf__imp_is(rn, "MatMul", 0))
		return lower_float_gemm(im, rn, lf__imp_is(rn, "Gemm", 0));
	if (lf__imp_is(rn, "Flatten", 0) || lf__imp_is(rn, "Reshape", 0) ||
	    lf__imp_is(rn, "Identity", 0))
		return lower_view(im, rn);
	return lower_generic(im, rn);
}

lf_status lf__lower_all(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead || rn->lowered)
			continue;
		lf_status st = lower_one(im, rn);
		if (st != LF_OK)
			return st;
		/* QGemm with a float output inserted its scaling node. */
		if (i + 1 < im->nrn && im->rn[i + 1].lowered &&
		    im->rn[i + 1].on == im->rn[i].on)
			i++;
	}
	return im->nunsup ? unsupported_error(im) : LF_OK;
}

/* ---- constant folding ------------------------------------------------------
 */

static int all_const(const struct lf__imp *im, const struct lf__gnode *g)
{
	for (size_t k = 0; k < g->n_in; k++)
		if (g->in[k] >= 0 && !lf__imp_const(im, g->in[k]))
			return 0;
	return 1;
}

/* Run a generic node with constant inputs now; its outputs become
 * constants and it disappears. */
static lf_status fold_node(struct lf__imp *im, struct lf__rnode *rn)
{
	struct lf__gnode *g = &rn->g;
	if (g->n_in > 64 || g->n_out > 8)
		return LF_OK;
	if (g->op == LF__GOP_VIEW && strcmp(g->op_type, "Identity") == 0) {
		im->g->vals[g->out[0]].cst = lf__imp_const(im, g->in[0]);
		im->g->vals[g->out[0]].dtype = im->g->vals[g->in[0]].cst->dtype;
		rn->dead = 1;
		return LF_OK;
	}
	char msg[LF__GRAPH_ERR_LEN];
	lf_status st = lf__imp_run_const(im, rn->on, g->opset, g->in, g->n_in,
					 g->out, g->n_out, msg, sizeof(msg));
	if (st != LF_OK)
		return lf__imp_fail(im, st, "node '%s' (%s): %s", rn->name,
				    g->op_type, msg);
	rn->dead = 1;
	return LF_OK;
}

lf_status lf__lower_const_fold(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead || !all_const(im, &rn->g))
			continue;
		/* Only ops of the original node (a synthesized QLinear* op
		 * has constant inputs only in degenerate graphs). */
		if ((rn->g.op != LF__GOP_ONNX && rn->g.op != LF__GOP_VIEW) ||
		    strcmp(rn->g.op_type, rn->on->op_type) != 0)
			continue;
		lf_status st = fold_node(im, rn);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* ---- Relu / Clip on a quantized output ---------------------------------- */

/* Integer bounds of a Clip on 8-bit data (opset 11+: constant inputs). */
static int int_clip(const struct lf__imp *im, const struct lf__rnode *c,
		    lf_dtype t, int32_t *lo, int32_t *hi)
{
	lf__ref_dtype_range(t, lo, hi);
	if (c->g.opset < 11)
		return 0;
	for (int k = 1; k <= 2; k++) {
		int v = in_at(c, (size_t)k);
		if (v < 0)
			continue;
		const struct lf__tensor *b = lf__imp_const(im, v);
		if (!b || b->count != 1 || b->dtype != lf__imp_onnx_type(t))
			return 0;
		int32_t x = t == LF_DTYPE_UINT8 ? *(const uint8_t *)b->data
						: *(const int8_t *)b->data;
		*(k == 1 ? lo : hi) = x;
	}
	return 1;
}

static int fuse_one(struct lf__imp *im, struct lf__rnode *rn)
{
	struct lf__glinear *L = rn->g.lin;
	int y = rn->g.out[0], first;
	if (L->y_type == LF_DTYPE_INT32 || im->g->vals[y].output ||
	    lf__imp_consumers(im, y, &first) != 1)
		return 0;
	struct lf__rnode *c = &im->rn[first];
	if (c->g.op != LF__GOP_ONNX || c->g.n_in < 1 || c->g.in[0] != y ||
	    c->g.n_out < 1 || c->g.out[0] < 0)
		return 0;
	int32_t lo, hi;
	const char *what;
	int dflt = !c->g.domain[0] || strcmp(c->g.domain, "ai.onnx") == 0;
	if (dflt && strcmp(c->g.op_type, "Relu") == 0) {
		lf__ref_dtype_range(L->y_type, &lo, &hi);
		lo = 0;
		what = "+Relu";
	} else if (dflt && strcmp(c->g.op_type, "Clip") == 0 &&
		   int_clip(im, c, L->y_type, &lo, &hi)) {
		what = "+Clip";
	} else {
		return 0;
	}
	if (L->lut) {
		/* After a fused table the clamp acts on its bytes (Clip
		 * with min > max gives max). */
		if (lo > hi)
			lo = hi;
		for (int i = 0; i < 256; i++) {
			int32_t v = L->y_type == LF_DTYPE_UINT8
					? (int32_t)L->lut[i]
					: (int32_t)(int8_t)L->lut[i];
			v = v < lo ? lo : v > hi ? hi : v;
			L->lut[i] = (uint8_t)v;
		}
	} else {
		if (lo > L->act_min)
			L->act_min = lo;
		if (hi < L->act_max)
			L->act_max = hi;
		if (L->act_min > L->act_max)
			L->act_min = L->act_max;
	}
	rn->g.out[0] = c->g.out[0];
	rn->out[0] = c->g.out[0];
	im->g->vals[rn->g.out[0]].dtype = lf__imp_onnx_type(L->y_type);
	c->dead = 1;
	size_t len = strlen(rn->g.label);
	snprintf(rn->g.label + len, sizeof(rn->g.label) - len, "%s", what);
	return 1;
}

/* ---- pointwise functions of a quantized output, as a table (issue 13) ---
 *
 * A conv's or matmul's 8-bit output y followed by ops that compute each element
 * from the same element of y alone (DQ -> HardSigmoid / HardSwish / Sigmoid /
 * LeakyRelu -> Q as ORT's QDQ models write them, hardswish as
 * QLinearMul(y, Q(HardSigmoid(DQ(y)))), QLinearSigmoid, QLinearLeakyRelu)
 * is a function of one byte: a 256-entry table. The table is computed by
 * running those very nodes on the CPU ops (the ones the CPU path runs
 * them with) over the 256 byte values, so it is exact by construction;
 * the conv (or matmul) then writes table[byte] (the device: LF_DF_LUT,
 * hls/lf_desc.h; the CPU: model/cpu.c) and the nodes go.
 */

/* Elementwise ops: with their other inputs constant scalars, output
 * element i depends on input element i only. */
static int pointwise_op(const struct lf__gnode *g)
{
	static const char *const onnx[] = {"DequantizeLinear",
					   "QuantizeLinear",
					   "HardSigmoid",
					   "HardSwish",
					   "Sigmoid",
					   "LeakyRelu",
					   "Relu",
					   "Clip",
					   "Tanh",
					   "Mul",
					   "Add",
					   "Sub",
					   "Div"};
	static const char *const ms[] = {"QLinearSigmoid", "QLinearLeakyRelu",
					 "QLinearMul", "QLinearAdd"};
	if (g->op != LF__GOP_ONNX || !g->op_type || g->n_out < 1 ||
	    g->out[0] < 0)
		return 0;
	for (size_t k = 1; k < g->n_out; k++)
		if (g->out[k] >= 0)
			return 0;
	const char *dom = g->domain ? g->domain : "";
	int is_ms = strcmp(dom, "com.microsoft") == 0;
	if (!is_ms && dom[0] && strcmp(dom, "ai.onnx") != 0)
		return 0;
	const char *const *names = is_ms ? ms : onnx;
	size_t count =
	    is_ms ? sizeof(ms) / sizeof(*ms) : sizeof(onnx) / sizeof(*onnx);
	for (size_t k = 0; k < count; k++)
		if (strcmp(g->op_type, names[k]) == 0)
			return 1;
	return 0;
}

/* A constant with one element and rank <= 1 (broadcasts over any shape
 * without changing it). */
static int const_scalar(const struct lf__imp *im, int v)
{
	const struct lf__tensor *t = lf__imp_const(im, v);
	return t && t->count == 1 && t->rank <= 1;
}

#define LUT_NODES 16

/* The pointwise cone of value y: nodes (rn indices, in order) and the
 * values they make. */
struct cone {
	int node[LUT_NODES];
	int val[LUT_NODES + 1]; /* val[0] = y, val[k + 1] made by node[k] */
	int n;
};

static int cone_has(const struct cone *c, int v)
{
	for (int k = 0; k <= c->n; k++)
		if (c->val[k] == v)
			return 1;
	return 0;
}

static int cone_node(const struct cone *c, int i)
{
	for (int k = 0; k < c->n; k++)
		if (c->node[k] == i)
			return 1;
	return 0;
}

/* The cone's one value read outside it (or a graph output), or -1 when
 * there are none or several. */
static int cone_exit(const struct lf__imp *im, const struct cone *c)
{
	int exit = -1;
	for (int k = 0; k <= c->n; k++) {
		int v = c->val[k], out = im->g->vals[v].output;
		for (size_t i = 0; i < im->nrn && !out; i++) {
			const struct lf__rnode *rn = &im->rn[i];
			if (rn->dead || cone_node(c, (int)i))
				continue;
			for (size_t j = 0; j < rn->n_in && !out; j++)
				out = rn->in[j] == v;
		}
		if (!out)
			continue;
		if (exit >= 0)
			return -1;
		exit = v;
	}
	return exit;
}

/*
 * The pointwise nodes after rn[@at] reading y or each other (their other
 * inputs constant scalars), cut back from the end until one value leaves
 * the cone. Return that value, or -1.
 */
static int find_cone(const struct lf__imp *im, size_t at, int y, struct cone *c)
{
	c->n = 0;
	c->val[0] = y;
	for (size_t i = at + 1; i < im->nrn && c->n < LUT_NODES; i++) {
		const struct lf__rnode *rn = &im->rn[i];
		if (rn->dead || !rn->lowered || !pointwise_op(&rn->g))
			continue;
		int reads = 0, ok = 1;
		for (size_t k = 0; k < rn->g.n_in && ok; k++) {
			int v = rn->g.in[k];
			if (v < 0)
				continue;
			if (cone_has(c, v))
				reads = 1;
			else if (!const_scalar(im, v))
				ok = 0;
		}
		if (!ok || !reads)
			continue;
		c->node[c->n] = (int)i;
		c->val[++c->n] = rn->g.out[0];
	}
	for (; c->n > 0; c->n--) {
		int e = cone_exit(im, c);
		if (e >= 0)
			return e == y ? -1 : e;
	}
	return -1;
}

/* Runs the cone on the 256 byte values of y's type @t (ONNX type) into
 * @lut. 0 when a node fails or the result is not 256 bytes of type @t
 * (the nodes then stay as they are: the CPU runs them). */
static int cone_table(const struct lf__imp *im, const struct cone *c, int exit,
		      int32_t t, uint8_t lut[256])
{
	struct lf__tensor v[LUT_NODES + 1];
	memset(v, 0, sizeof(v));
	int64_t dim = 256;
	int ok = lf__tensor_alloc(&v[0], t, 1, &dim, NULL, 0) == LF_OK;
	for (int i = 0; ok && i < 256; i++)
		((uint8_t *)v[0].data)[i] = (uint8_t)i;
	for (int k = 0; ok && k < c->n; k++) {
		const struct lf__gnode *g = &im->rn[c->node[k]].g;
		const struct lf__tensor *in[8];
		struct lf__tensor out[8];
		char *outs[8];
		if (g->n_in > 8 || g->n_out > 8) {
			ok = 0;
			break;
		}
		for (size_t j = 0; j < g->n_in; j++) {
			int x = g->in[j];
			in[j] = NULL;
			for (int q = 0; x >= 0 && q <= k; q++)
				if (c->val[q] == x)
					in[j] = &v[q];
			if (x >= 0 && !in[j])
				in[j] = lf__imp_const(im, x);
		}
		for (size_t j = 0; j < g->n_out; j++)
			outs[j] = g->out[j] >= 0 ? im->g->vals[g->out[j]].name
						 : (char *)"";
		struct lf__onnx_node on = {
		    .name = g->name,
		    .op_type = (char *)g->op_type,
		    .domain = (char *)g->domain,
		    .n_outputs = g->n_out,
		    .outputs = outs,
		    .n_attrs = g->n_attrs,
		    .attrs = (struct lf__onnx_attr *)g->attrs,
		};
		memset(out, 0, sizeof(out));
		char msg[LF__GRAPH_ERR_LEN];
		ok = lf__onnx_node_run_cpu(&on, g->opset, in, g->n_in, out,
					   g->n_out, msg, sizeof(msg)) == LF_OK;
		v[k + 1] = out[0];
		memset(&out[0], 0, sizeof(out[0]));
		for (size_t j = 1; j < g->n_out; j++)
			lf__tensor_release(&out[j]);
	}
	int e = -1;
	for (int q = 0; q <= c->n; q++)
		if (c->val[q] == exit)
			e = q;
	ok = ok && e > 0 && v[e].dtype == t && v[e].count == 256;
	if (ok)
		memcpy(lut, v[e].data, 256);
	for (int q = 0; q <= c->n; q++)
		lf__tensor_release(&v[q]);
	return ok;
}

/* Conv or matmul @rn's output through its pointwise cone as a table; 1
 * if fused. (A matmul with a table runs on the device only as a blocked
 * 1x1 conv: hostlib/plan, lf__mplan_classify.) */
static int fuse_lut(struct lf__imp *im, size_t at)
{
	struct lf__rnode *rn = &im->rn[at];
	struct lf__glinear *L = rn->g.lin;
	int y = rn->g.out[0];
	struct cone c;
	if ((rn->g.op != LF__GOP_CONV && rn->g.op != LF__GOP_MATMUL) ||
	    L->y_type == LF_DTYPE_INT32 || im->g->vals[y].output)
		return 0;
	int e = find_cone(im, at, y, &c);
	int32_t t = lf__imp_onnx_type(L->y_type);
	uint8_t tb[256];
	if (e < 0 || !cone_table(im, &c, e, t, tb))
		return 0;
	if (!L->lut) {
		L->lut = malloc(256);
		if (!L->lut)
			return 0;
		memcpy(L->lut, tb, 256);
	} else {
		for (int i = 0; i < 256; i++)
			L->lut[i] = tb[L->lut[i]];
	}
	for (int k = 0; k < c.n; k++)
		im->rn[c.node[k]].dead = 1;
	rn->g.out[0] = e;
	rn->out[0] = e;
	im->g->vals[e].dtype = t;
	size_t len = strlen(rn->g.label);
	snprintf(rn->g.label + len, sizeof(rn->g.label) - len, "+LUT");
	return 1;
}

/*
 * Could the planner place concat @c (hostlib/plan/mplan_concat.c)? Along
 * the channels of 2-D convs' outputs, every input made by a conv with an
 * 8-bit output, those before the last with whole 64-channel blocks. (Its
 * other conditions depend on the device and the plan.)
 */
static int concat_placeable(const struct lf__imp *im, const struct lf__gnode *c)
{
	if (c->axis != 1 && c->axis != -3)
		return 0;
	for (size_t k = 0; k < c->n_lut; k++) {
		int p = lf__imp_producer(im, c->in[2 + 3 * k]);
		const struct lf__gnode *g = p >= 0 ? &im->rn[p].g : NULL;
		if (!g || g->op != LF__GOP_CONV || g->lin->conv1d ||
		    g->lin->y_type == LF_DTYPE_INT32 ||
		    (k + 1 < c->n_lut && g->lin->channels % 64 != 0))
			return 0;
	}
	return 1;
}

/*
 * A conv whose 8-bit output is read by one QLinearConcat only, once,
 * where the concat requantizes it through a table (its scale or zero
 * point differ from the concat's output's) and the planner could place
 * the concat: the table composed into the conv's (y = clut[lut[q]], or
 * clut[q]: what the concat would write), and the concat copies that
 * input. Same bytes on every path. Not for a concat that stays on the
 * CPU: its table costs the card nothing there, while a table in the
 * conv costs its descriptor the table's load (hls/README.md, "Output
 * table"). Return: 1 if fused.
 */
static int fuse_concat(struct lf__imp *im, size_t at)
{
	struct lf__rnode *rn = &im->rn[at];
	struct lf__glinear *L = rn->g.lin;
	int y = rn->g.out[0], first;
	if (rn->g.op != LF__GOP_CONV || L->y_type == LF_DTYPE_INT32 ||
	    im->g->vals[y].output || lf__imp_consumers(im, y, &first) != 1)
		return 0;
	struct lf__gnode *c = &im->rn[first].g;
	if (c->op != LF__GOP_QCONCAT || !concat_placeable(im, c))
		return 0;
	for (size_t k = 0; k < c->n_lut; k++) {
		uint8_t *clut = c->lut[k];
		if (c->in[2 + 3 * k] != y || !clut)
			continue;
		if (!L->lut) {
			L->lut = clut;
		} else {
			for (int i = 0; i < 256; i++)
				L->lut[i] = clut[L->lut[i]];
			free(clut);
		}
		c->lut[k] = NULL;
		if (!strstr(rn->g.label, "+LUT")) {
			size_t len = strlen(rn->g.label);
			snprintf(rn->g.label + len, sizeof(rn->g.label) - len,
				 "+LUT");
		}
		return 1;
	}
	return 0;
}

lf_status lf__lower_fuse_activations(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead ||
		    (rn->g.op != LF__GOP_CONV && rn->g.op != LF__GOP_MATMUL))
			continue;
		while (fuse_one(im, rn) || fuse_lut(im, i))
			;
	}
	/* after every conv took its activations: a concat's inputs are
	 * then the convs' own outputs */
	for (size_t i = 0; i < im->nrn; i++)
		if (!im->rn[i].dead)
			fuse_concat(im, i);
	return LF_OK;
}
