/*
 * shape.c - shapes and types of every value for given input shapes, the
 * layer (hostlib/ir/layer.h) of a conv/matmul node for those shapes,
 * and MAC counts. Generic nodes are run once on zero-filled inputs by
 * hostlib/onnx: what they produce is their shape, and an attribute or
 * type they do not accept fails here, at load, naming the node.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/cpu/ref.h"
#include "hostlib/ir/graph.h"
#include "hostlib/onnx/node_cpu.h"

/* Extents and products stay below this so int and uint32 index math in
 * the reference and the descriptors cannot overflow. */
#define GEOM_MAX (1 << 24)

struct inf {
	const struct lf__graph *g;
	struct lf__gshape *s;
	struct lf__tensor *known; /* g->nvals entries: data known at load */
	lf_status bad;
	struct lf__diag *dg; /* NULL: no message */
};

/* Largest value whose data inference keeps (shape tensors are tiny). */
#define KNOWN_MAX 4096

lf_status lf__gnode_fail(struct lf__diag *dg, const struct lf__gnode *n,
			 lf_status st, const char *fmt, ...)
{
	if (!dg)
		return st;
	char msg[LF__ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lf__diag_fail(dg, st, "node '%s' (%s): %s", n->name, n->label,
			     msg);
}

size_t lf__gshape_count(const struct lf__gshape *s)
{
	size_t n = 1;
	for (int i = 0; i < s->rank; i++)
		n *= (size_t)s->d[i];
	return n;
}

size_t lf__gshape_bytes(const struct lf__gshape *s)
{
	return lf__gshape_count(s) * lf__onnx_dtype_size(s->dtype);
}

static void dims_str(const struct lf__gshape *s, char *buf, size_t len)
{
	lf__onnx_dims_str(s->d, s->rank, buf, len);
}

/* A shape every later computation can trust: dims > 0, size bounded. */
static lf_status check_shape(struct inf *c, const struct lf__gnode *n,
			     const char *what, const struct lf__gshape *s)
{
	char ds[160];
	size_t count = 1, bytes;
	for (int i = 0; i < s->rank; i++) {
		if (s->d[i] <= 0 ||
		    __builtin_mul_overflow(count, (size_t)s->d[i], &count)) {
			dims_str(s, ds, sizeof(ds));
			return lf__gnode_fail(
			    c->dg, n,
			    s->d[i] <= 0 ? LF_ERR_UNSUPPORTED : c->bad,
			    "%s has shape %s: %s", what, ds,
			    s->d[i] <= 0 ? "empty tensors are not "
					   "supported"
					 : "its size overflows");
		}
	}
	size_t es = lf__onnx_dtype_size(s->dtype);
	if (!es)
		return lf__gnode_fail(c->dg, n, LF_ERR_UNSUPPORTED,
				      "%s has type %s", what,
				      lf__onnx_dtype_name(s->dtype));
	if (__builtin_mul_overflow(count, es, &bytes) ||
	    bytes > LF__GRAPH_MAX_VALUE_BYTES) {
		dims_str(s, ds, sizeof(ds));
		return lf__gnode_fail(
		    c->dg, n, c->bad,
		    "%s has shape %s of %s: absurd size (more than "
		    "%llu bytes)",
		    what, ds, lf__onnx_dtype_name(s->dtype),
		    (unsigned long long)LF__GRAPH_MAX_VALUE_BYTES);
	}
	return LF_OK;
}

static const struct lf__gshape *in_shape(struct inf *c,
					 const struct lf__gnode *n, size_t i)
{
	return i < n->n_in && n->in[i] >= 0 ? &c->s[n->in[i]] : NULL;
}

static lf_status want_type(struct inf *c, const struct lf__gnode *n, size_t i,
			   int32_t dtype)
{
	const struct lf__gshape *s = in_shape(c, n, i);
	if (!s || s->dtype != dtype)
		return lf__gnode_fail(
		    c->dg, n, c->bad, "input '%s' is %s, expected %s",
		    s ? c->g->vals[n->in[i]].name : "(none)",
		    s ? lf__onnx_dtype_name(s->dtype) : "missing",
		    lf__onnx_dtype_name(dtype));
	return LF_OK;
}

static int32_t onnx_type(lf_dtype t)
{
	static const int32_t codes[] = {LF__ONNX_UINT8, LF__ONNX_INT8,
					LF__ONNX_INT32, LF__ONNX_FLOAT};
	return codes[t];
}

/* ---- conv / matmul ------------------------------------------------------- */

/* Padding of one spatial dim under auto_pad, as hostlib/onnx's conv. */
static int conv_pad(int mode, int64_t in, int64_t k, int64_t s, int64_t d,
		    int64_t *pb, int64_t *pe)
{
	if (mode == LF_REF_AUTO_PAD_NOTSET)
		return 1;
	if (mode == LF_REF_AUTO_PAD_VALID) {
		*pb = *pe = 0;
		return 1;
	}
	if (d != 1)
		return 0;
	int64_t need = ((in + s - 1) / s - 1) * s + k - in;
	if (need < 0)
		need = 0;
	*pb = mode == LF_REF_AUTO_PAD_SAME_UPPER ? need / 2 : (need + 1) / 2;
	*pe = need - *pb;
	return 1;
}

/* Input geometry of a conv as [n, c, h, w] and its resolved pads. */
static int conv_geom(const struct lf__glinear *L, const struct lf__gshape *x,
		     int64_t g4[4], int64_t pads[4])
{
	g4[0] = x->d[0];
	g4[1] = x->d[1];
	g4[2] = L->conv1d ? 1 : x->d[2];
	g4[3] = x->d[x->rank - 1];
	memcpy(pads, L->pads, 4 * sizeof(int64_t));
	int64_t k[2] = {L->kh, L->kw};
	for (int i = 0; i < 2; i++)
		if (!conv_pad(L->auto_pad, g4[2 + i], k[i], L->strides[i],
			      L->dil[i], &pads[i], &pads[i + 2]))
			return 0;
	return 1;
}

static lf_status infer_conv(struct inf *c, const struct lf__gnode *n)
{
	const struct lf__glinear *L = n->lin;
	const struct lf__gshape *x = in_shape(c, n, 0);
	int rank = L->conv1d ? 3 : 4;
	if (!x || x->rank != rank)
		return lf__gnode_fail(c->dg, n, c->bad,
				      "input of rank %d, expected %d",
				      x ? x->rank : -1, rank);
	lf_status st = want_type(c, n, 0, onnx_type(L->x_type));
	if (st != LF_OK)
		return st;
	int64_t g4[4], pads[4];
	if (!conv_geom(L, x, g4, pads))
		return lf__gnode_fail(
		    c->dg, n, LF_ERR_UNSUPPORTED,
		    "auto_pad SAME with dilations is not supported");
	if (g4[1] != L->icg * L->group)
		return lf__gnode_fail(
		    c->dg, n, c->bad,
		    "the input has %lld channels, the weights %lld "
		    "per group in %lld group(s)",
		    (long long)g4[1], (long long)L->icg, (long long)L->group);
	for (int i = 0; i < 4; i++)
		if (g4[i] >= GEOM_MAX || pads[i] >= GEOM_MAX)
			return lf__gnode_fail(
			    c->dg, n, LF_ERR_UNSUPPORTED,
			    "a dimension or pad is %lld, at most %d "
			    "supported",
			    (long long)(g4[i] > pads[i] ? g4[i] : pads[i]),
			    GEOM_MAX - 1);
	int oh = lf__ref_out_dim((int)g4[2], (int)L->kh, (int)L->strides[0],
				 (int)pads[0], (int)pads[2], (int)L->dil[0]);
	int ow = lf__ref_out_dim((int)g4[3], (int)L->kw, (int)L->strides[1],
				 (int)pads[1], (int)pads[3], (int)L->dil[1]);
	if (oh <= 0 || ow <= 0)
		return lf__gnode_fail(
		    c->dg, n, c->bad,
		    "the %lldx%lld kernel does not fit the %lldx%lld "
		    "input with its padding",
		    (long long)L->kh, (long long)L->kw, (long long)g4[2],
		    (long long)g4[3]);
	struct lf__gshape *y = &c->s[n->out[0]];
	y->rank = rank;
	y->dtype = onnx_type(L->y_type);
	y->d[0] = g4[0];
	y->d[1] = L->channels;
	if (L->conv1d) {
		y->d[2] = ow;
	} else {
		y->d[2] = oh;
		y->d[3] = ow;
	}
	return LF_OK;
}

static lf_status infer_matmul(struct inf *c, const struct lf__gnode *n)
{
	const struct lf__glinear *L = n->lin;
	const struct lf__gshape *x = in_shape(c, n, 0);
	if (!x || x->rank < 1)
		return lf__gnode_fail(c->dg, n, c->bad, "input A is a scalar");
	lf_status st = want_type(c, n, 0, onnx_type(L->x_type));
	if (st != LF_OK)
		return st;
	if (x->d[x->rank - 1] != L->k)
		return lf__gnode_fail(
		    c->dg, n, c->bad, "A has %lld columns, B has %lld rows",
		    (long long)x->d[x->rank - 1], (long long)L->k);
	size_t rows = lf__gshape_count(x) / (size_t)L->k;
	if (rows >= GEOM_MAX)
		return lf__gnode_fail(c->dg, n, LF_ERR_UNSUPPORTED,
				      "%zu rows, at most %d supported", rows,
				      GEOM_MAX - 1);
	struct lf__gshape *y = &c->s[n->out[0]];
	*y = *x;
	y->d[y->rank - 1] = L->channels;
	y->dtype = onnx_type(L->y_type);
	return LF_OK;
}

/* ---- the other own ops ----------------------------------------------------
 */

static lf_status infer_scale(struct inf *c, const struct lf__gnode *n)
{
	lf_status st = want_type(c, n, 0, LF__ONNX_INT32);
	if (st != LF_OK)
		return st;
	const struct lf__gshape *x = in_shape(c, n, 0);
	if (n->nscale > 1 && (x->rank < 1 || x->d[x->rank - 1] != n->nscale))
		return lf__gnode_fail(
		    c->dg, n, c->bad, "%d scales for %lld columns", n->nscale,
		    (long long)(x->rank ? x->d[x->rank - 1] : 1));
	struct lf__gshape *y = &c->s[n->out[0]];
	*y = *x;
	y->dtype = LF__ONNX_FLOAT;
	return LF_OK;
}

static lf_status infer_concat(struct inf *c, const struct lf__gnode *n)
{
	const struct lf__gshape *x0 = in_shape(c, n, 2);
	if (!x0)
		return lf__gnode_fail(c->dg, n, c->bad, "no first input");
	int32_t yt = c->g->vals[n->out[0]].dtype;
	int64_t axis = n->axis < 0 ? n->axis + x0->rank : n->axis;
	if (axis < 0 || axis >= x0->rank)
		return lf__gnode_fail(c->dg, n, c->bad,
				      "axis %lld out of range for rank %d",
				      (long long)n->axis, x0->rank);
	struct lf__gshape y = *x0;
	y.d[axis] = 0;
	for (size_t i = 0; i < n->n_lut; i++) {
		const struct lf__gshape *x = in_shape(c, n, 2 + 3 * i);
		if (!x || x->rank != x0->rank || x->dtype != yt)
			return lf__gnode_fail(
			    c->dg, n, c->bad,
			    "input %zu has another rank or type", i);
		for (int d = 0; d < x->rank; d++)
			if (d != axis && x->d[d] != x0->d[d])
				return lf__gnode_fail(
				    c->dg, n, c->bad,
				    "input %zu differs in dim %d", i, d);
		y.d[axis] += x->d[axis];
	}
	y.dtype = yt;
	c->s[n->out[0]] = y;
	return LF_OK;
}

static lf_status infer_transpose(struct inf *c, const struct lf__gnode *n)
{
	const struct lf__gshape *x = in_shape(c, n, 0);
	if (n->nperm && n->nperm != x->rank)
		return lf__gnode_fail(c->dg, n, c->bad,
				      "perm has %d entries, rank is %d",
				      n->nperm, x->rank);
	struct lf__gshape y = *x;
	int seen[LF__TENSOR_MAX_RANK] = {0};
	for (int i = 0; i < x->rank; i++) {
		int p = n->nperm ? n->perm[i] : x->rank - 1 - i;
		if (seen[p]++)
			return lf__gnode_fail(c->dg, n, c->bad,
					      "perm repeats axis %d", p);
		y.d[i] = x->d[p];
	}
	c->s[n->out[0]] = y;
	return LF_OK;
}

/* numpy matmul / ONNX Gemm shapes, for GEMM_F32. */
static lf_status infer_gemm(struct inf *c, const struct lf__gnode *n)
{
	lf_status st;
	if ((st = want_type(c, n, 0, LF__ONNX_FLOAT)) ||
	    (st = want_type(c, n, 1, LF__ONNX_FLOAT)))
		return st;
	const struct lf__gshape *a = in_shape(c, n, 0), *b = in_shape(c, n, 1);
	struct lf__gshape y = {.dtype = LF__ONNX_FLOAT};
	if (strcmp(n->op_type, "Gemm") == 0) {
		if (a->rank != 2 || b->rank != 2)
			return lf__gnode_fail(c->dg, n, c->bad,
					      "A and B must be 2-D");
		int64_t m = n->trans_a ? a->d[1] : a->d[0];
		int64_t k = n->trans_a ? a->d[0] : a->d[1];
		int64_t kb = n->trans_b ? b->d[1] : b->d[0];
		int64_t nn = n->trans_b ? b->d[0] : b->d[1];
		if (k != kb)
			return lf__gnode_fail(c->dg, n, c->bad,
					      "inner dims %lld and %lld",
					      (long long)k, (long long)kb);
		y.rank = 2;
		y.d[0] = m;
		y.d[1] = nn;
		const struct lf__gshape *cs = in_shape(c, n, 2);
		if (cs) {
			if ((st = want_type(c, n, 2, LF__ONNX_FLOAT)))
				return st;
			int ok = cs->rank <= 2;
			for (int i = 0; ok && i < cs->rank; i++) {
				int64_t t = y.d[2 - cs->rank + i];
				ok = cs->d[i] == 1 || cs->d[i] == t;
			}
			if (!ok)
				return lf__gnode_fail(
				    c->dg, n, c->bad,
				    "C does not broadcast to [M, N]");
		}
		c->s[n->out[0]] = y;
		return LF_OK;
	}
	/* MatMul: [..., M, K] x [..., K, N], batch dims broadcast. */
	if (a->rank < 1 || b->rank < 1)
		return lf__gnode_fail(c->dg, n, c->bad, "scalar operand");
	int64_t k = a->d[a->rank - 1];
	int64_t kb = b->rank >= 2 ? b->d[b->rank - 2] : b->d[0];
	if (k != kb)
		return lf__gnode_fail(c->dg, n, c->bad,
				      "inner dims %lld and %lld", (long long)k,
				      (long long)kb);
	struct lf_ref_shape ab = {a->rank >= 2 ? a->rank - 2 : 0, {0}};
	struct lf_ref_shape bb = {b->rank >= 2 ? b->rank - 2 : 0, {0}};
	struct lf_ref_shape yb;
	memcpy(ab.dim, a->d, sizeof(int64_t) * (size_t)ab.rank);
	memcpy(bb.dim, b->d, sizeof(int64_t) * (size_t)bb.rank);
	if (lf__ref_broadcast_shape(&ab, &bb, &yb) != LF_OK)
		return lf__gnode_fail(c->dg, n, c->bad,
				      "batch dims do not broadcast");
	y.rank = yb.rank;
	memcpy(y.d, yb.dim, sizeof(int64_t) * (size_t)yb.rank);
	if (a->rank >= 2)
		y.d[y.rank++] = a->d[a->rank - 2];
	if (b->rank >= 2)
		y.d[y.rank++] = b->d[b->rank - 1];
	c->s[n->out[0]] = y;
	return LF_OK;
}

static lf_status infer_view(struct inf *c, const struct lf__gnode *n)
{
	const struct lf__gshape *x = in_shape(c, n, 0);
	struct lf_ref_shape in = {x->rank, {0}}, out;
	memcpy(in.dim, x->d, sizeof(int64_t) * (size_t)x->rank);
	lf_status st = LF_OK;
	if (strcmp(n->op_type, "Flatten") == 0) {
		int64_t axis = 1;
		const struct lf__onnx_attr *a = NULL;
		for (size_t i = 0; i < n->n_attrs; i++)
			if (strcmp(n->attrs[i].name, "axis") == 0)
				a = &n->attrs[i];
		if (a && a->type == LF__ATTR_INT)
			axis = a->i;
		st = lf__ref_flatten_shape(&in, axis, &out);
	} else if (strcmp(n->op_type, "Reshape") == 0) {
		const int64_t *shape = NULL;
		int cnt = 0;
		int64_t allowzero = 0;
		for (size_t i = 0; i < n->n_attrs; i++) {
			const struct lf__onnx_attr *a = &n->attrs[i];
			if (strcmp(a->name, "allowzero") == 0)
				allowzero = a->i;
			if (strcmp(a->name, "shape") == 0 &&
			    a->type == LF__ATTR_INTS && n->opset < 5) {
				shape = a->ints;
				cnt = (int)a->n;
			}
		}
		if (n->n_in > 1 && n->in[1] >= 0) {
			const struct lf__tensor *t = c->g->vals[n->in[1]].cst;
			shape = t->data;
			cnt = (int)t->count;
		}
		if (!shape && cnt)
			return lf__gnode_fail(c->dg, n, c->bad,
					      "no target shape");
		st = lf__ref_reshape_shape(&in, shape, cnt, allowzero != 0,
					   &out);
	} else {
		out = in;
	}
	if (st != LF_OK) {
		char ds[160];
		dims_str(x, ds, sizeof(ds));
		return lf__gnode_fail(c->dg, n, c->bad,
				      "cannot reshape %s as asked (%s)", ds,
				      lf_status_name(st));
	}
	struct lf__gshape *y = &c->s[n->out[0]];
	y->rank = out.rank;
	y->dtype = x->dtype;
	memcpy(y->d, out.dim, sizeof(int64_t) * (size_t)out.rank);
	return LF_OK;
}

/* ---- generic nodes: one run on zeros --------------------------------------
 *
 * Data derived from shapes alone (Shape, and then Gather / Slice / Mul /
 * Concat / ... of such data and constants) is known without the inputs'
 * values: those nodes run on the real data, which is kept (c->known), so
 * a Reshape or Expand whose target is computed from shapes gets its
 * target, not zeros. Everything else runs on zeros.
 */

/*
 * Inputs whose values decide the output's shape (bit k: input k). Run on
 * zeros, such a node would get a wrong shape, so its input must be a
 * constant or known from shapes (above); otherwise the output shape is
 * only known at run time, which the planner does not support.
 */
static const struct {
	const char *op;
	unsigned in;
} shape_inputs[] = {
    {"Reshape", 1u << 1},   {"Expand", 1u << 1},    {"ConstantOfShape", 1u},
    {"Range", 7u},	    {"Slice", 0x1eu},	    {"Squeeze", 1u << 1},
    {"Unsqueeze", 1u << 1}, {"Split", 1u << 1},	    {"Tile", 1u << 1},
    {"Pad", 1u << 1},	    {"Resize", 0xeu},	    {"ReduceMean", 1u << 1},
    {"ReduceSum", 1u << 1}, {"ReduceMax", 1u << 1},
};

static lf_status check_shape_inputs(struct inf *c, const struct lf__gnode *n)
{
	if (n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
		return LF_OK;
	for (size_t t = 0; t < sizeof(shape_inputs) / sizeof(*shape_inputs);
	     t++) {
		if (strcmp(shape_inputs[t].op, n->op_type) != 0)
			continue;
		for (size_t k = 0; k < n->n_in && k < 8; k++) {
			int v = n->in[k];
			if (!((shape_inputs[t].in >> k) & 1u) || v < 0 ||
			    c->g->vals[v].cst || c->known[v].data)
				continue;
			return lf__gnode_fail(
			    c->dg, n, LF_ERR_UNSUPPORTED,
			    "input '%s' decides the output shape and "
			    "is only known at run time",
			    c->g->vals[v].name);
		}
	}
	return LF_OK;
}

/* Fill @t (zeroed) with ones of its type: an integer Div's divisor. */
static void fill_ones(struct lf__tensor *t)
{
	size_t es = lf__onnx_dtype_size(t->dtype);
	for (size_t i = 0; i < t->count; i++) {
		uint8_t *p = (uint8_t *)t->data + i * es;
		if (t->dtype == LF__ONNX_FLOAT)
			*(float *)p = 1.0f;
		else
			p[0] = 1; /* little-endian integer 1 */
	}
}

static lf_status infer_onnx(struct inf *c, const struct lf__gnode *n)
{
	enum { MAXIO = 64 };
	if (n->n_in > MAXIO || n->n_out > 8)
		return lf__gnode_fail(c->dg, n, LF_ERR_UNSUPPORTED,
				      "too many inputs/outputs");
	const struct lf__tensor *in[MAXIO];
	struct lf__tensor zeros[MAXIO], out[8];
	memset(zeros, 0, sizeof(zeros));
	memset(out, 0, sizeof(out));
	char msg[LF__GRAPH_ERR_LEN] = "";
	lf_status st = LF_OK;
	int known = 1;
	for (size_t i = 0; i < n->n_in && st == LF_OK; i++) {
		int v = n->in[i];
		in[i] = NULL;
		if (v < 0)
			continue;
		if (c->g->vals[v].cst) {
			in[i] = c->g->vals[v].cst;
			continue;
		}
		if (c->known[v].data) {
			in[i] = &c->known[v];
			continue;
		}
		known = 0;
		const struct lf__gshape *s = &c->s[v];
		st = lf__tensor_alloc(&zeros[i], s->dtype, s->rank, s->d, msg,
				      sizeof(msg));
		/* Zeros would be a division by zero. */
		if (st == LF_OK && i == 1 && strcmp(n->op_type, "Div") == 0)
			fill_ones(&zeros[i]);
		in[i] = &zeros[i];
	}
	if (st == LF_OK && (st = check_shape_inputs(c, n)) != LF_OK) {
		for (size_t i = 0; i < n->n_in; i++)
			lf__tensor_release(&zeros[i]);
		return st;
	}
	char *outs[8];
	for (size_t k = 0; k < n->n_out; k++)
		outs[k] = n->out[k] >= 0 ? c->g->vals[n->out[k]].name : "";
	struct lf__onnx_node on = {
	    .name = n->name,
	    .op_type = (char *)n->op_type,
	    .domain = (char *)n->domain,
	    .n_outputs = n->n_out,
	    .outputs = outs,
	    .n_attrs = n->n_attrs,
	    .attrs = (struct lf__onnx_attr *)n->attrs,
	};
	if (st == LF_OK)
		st = lf__onnx_node_shape_cpu(&on, n->opset, in, n->n_in, out,
					     n->n_out, KNOWN_MAX, msg,
					     sizeof(msg));
	known = known || strcmp(n->op_type, "Shape") == 0;
	for (size_t k = 0; k < n->n_out && st == LF_OK; k++) {
		if (n->out[k] < 0)
			continue;
		struct lf__gshape *y = &c->s[n->out[k]];
		y->rank = out[k].rank;
		y->dtype = out[k].dtype;
		memcpy(y->d, out[k].dims, sizeof(y->d));
		if (known && out[k].count <= KNOWN_MAX && out[k].data) {
			c->known[n->out[k]] = out[k];
			memset(&out[k], 0, sizeof(out[k]));
		}
	}
	for (size_t i = 0; i < n->n_in; i++)
		lf__tensor_release(&zeros[i]);
	for (size_t k = 0; k < n->n_out; k++)
		lf__tensor_release(&out[k]);
	if (st != LF_OK)
		return lf__gnode_fail(
		    c->dg, n,
		    st == LF_ERR_SHAPE || st == LF_ERR_INVALID_ARG ? c->bad
								   : st,
		    "%s", msg);
	return LF_OK;
}

static lf_status infer_node(struct inf *c, const struct lf__gnode *n)
{
	for (size_t i = 0; i < n->n_in; i++)
		if (n->in[i] >= 0 && c->s[n->in[i]].rank < 0)
			return lf__gnode_fail(c->dg, n, LF_ERR_INTERNAL,
					      "input '%s' has no shape yet",
					      c->g->vals[n->in[i]].name);
	switch (n->op) {
	case LF__GOP_CONV:
		return infer_conv(c, n);
	case LF__GOP_MATMUL:
		return infer_matmul(c, n);
	case LF__GOP_SCALE_F32:
		return infer_scale(c, n);
	case LF__GOP_QCONCAT:
		return infer_concat(c, n);
	case LF__GOP_TRANSPOSE:
		return infer_transpose(c, n);
	case LF__GOP_GEMM_F32:
		return infer_gemm(c, n);
	case LF__GOP_VIEW:
		return infer_view(c, n);
	case LF__GOP_ONNX:
		return infer_onnx(c, n);
	}
	return LF_ERR_INTERNAL;
}

lf_status lf__graph_infer(const struct lf__graph *g,
			  const struct lf__gshape *in, struct lf__gshape *shape,
			  lf_status bad, struct lf__diag *dg)
{
	struct lf__tensor *known =
	    calloc(g->nvals ? g->nvals : 1, sizeof(*known));
	if (!known)
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY, "out of memory");
	lf_status st = lf__graph_infer_known(g, in, shape, known, bad, dg);
	lf__graph_known_free(g, known);
	return st;
}

void lf__graph_known_free(const struct lf__graph *g, struct lf__tensor *known)
{
	for (size_t v = 0; known && v < g->nvals; v++)
		lf__tensor_release(&known[v]);
	free(known);
}

lf_status lf__graph_infer_known(const struct lf__graph *g,
				const struct lf__gshape *in,
				struct lf__gshape *shape,
				struct lf__tensor *known, lf_status bad,
				struct lf__diag *dg)
{
	struct inf c = {g, shape, known, bad, dg};
	for (size_t v = 0; v < g->nvals; v++) {
		const struct lf__gval *gv = &g->vals[v];
		shape[v].rank = -1;
		shape[v].dtype = gv->dtype;
		if (gv->cst) {
			shape[v].rank = gv->cst->rank;
			shape[v].dtype = gv->cst->dtype;
			memcpy(shape[v].d, gv->cst->dims, sizeof(shape[v].d));
		}
	}
	for (size_t i = 0; i < g->ninputs; i++) {
		struct lf__gshape *s = &shape[g->inputs[i]];
		s->rank = in[i].rank;
		memcpy(s->d, in[i].d, sizeof(s->d));
		const struct lf__gnode pseudo = {
		    .name = g->vals[g->inputs[i]].name, .label = "graph input"};
		lf_status st = check_shape(&c, &pseudo, "the input", s);
		if (st != LF_OK)
			return st;
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		lf_status st = infer_node(&c, n);
		for (size_t k = 0; k < n->n_out && st == LF_OK; k++) {
			if (n->out[k] < 0)
				continue;
			char what[300];
			snprintf(what, sizeof(what), "output '%.200s'",
				 g->vals[n->out[k]].name);
			st = check_shape(&c, n, what, &shape[n->out[k]]);
		}
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* ---- layers and MACs -------------------------------------------------------
 */

void lf__graph_layer(const struct lf__graph *g, const struct lf__gnode *n,
		     const struct lf__gshape *shape, struct lf__layer *L)
{
	const struct lf__glinear *q = n->lin;
	const struct lf__gshape *x = &shape[n->in[0]];
	const struct lf__gshape *y = &shape[n->out[0]];
	(void)g;
	memset(L, 0, sizeof(*L));
	L->x_type = q->x_type;
	L->w_type = q->w_type;
	L->y_type = q->y_type;
	L->x_zp = q->x_zp;
	L->y_zp = q->y_zp;
	L->x_scale = q->x_scale;
	L->y_scale = q->y_scale;
	L->w_zp = q->w_zp;
	L->w_zp_count = q->w_zp_count;
	L->w_scale = q->w_scale;
	L->w_scale_count = q->w_scale_count;
	L->has_bias = q->bias >= 0;
	L->act_min = q->act_min;
	L->act_max = q->act_max;
	L->lut = q->lut;
	if (n->op == LF__GOP_MATMUL) {
		L->op = LF_KOP_MATMUL;
		L->batch = 1;
		L->m = (int)(lf__gshape_count(x) / (size_t)q->k);
		L->k = (int)q->k;
		L->cols = q->channels;
		L->w_batch = 1;
		return;
	}
	int64_t g4[4], pads[4];
	conv_geom(q, x, g4, pads);
	L->op = LF_KOP_CONV2D;
	L->n = (int)g4[0];
	L->ic = (int)g4[1];
	L->ih = (int)g4[2];
	L->iw = (int)g4[3];
	L->oc = q->channels;
	L->oh = q->conv1d ? 1 : (int)y->d[2];
	L->ow = (int)y->d[y->rank - 1];
	L->kh = (int)q->kh;
	L->kw = (int)q->kw;
	L->stride_h = (int)q->strides[0];
	L->stride_w = (int)q->strides[1];
	L->pad_t = (int)pads[0];
	L->pad_l = (int)pads[1];
	L->pad_b = (int)pads[2];
	L->pad_r = (int)pads[3];
	L->dil_h = (int)q->dil[0];
	L->dil_w = (int)q->dil[1];
	L->groups = (int)q->group;
}

uint64_t lf__graph_macs(const struct lf__graph *g, const struct lf__gnode *n,
			const struct lf__gshape *shape)
{
	if (n->op == LF__GOP_CONV || n->op == LF__GOP_MATMUL) {
		struct lf__layer L;
		lf__graph_layer(g, n, shape, &L);
		if (L.op == LF_KOP_MATMUL)
			return (uint64_t)L.m * (uint64_t)L.k * (uint64_t)L.cols;
		return (uint64_t)L.n * (uint64_t)L.oc * (uint64_t)L.oh *
		       (uint64_t)L.ow * (uint64_t)(L.ic / L.groups) *
		       (uint64_t)L.kh * (uint64_t)L.kw;
	}
	if (n->op == LF__GOP_GEMM_F32) {
		const struct lf__gshape *a = &shape[n->in[0]];
		const struct lf__gshape *y = &shape[n->out[0]];
		uint64_t k =
		    (uint64_t)(strcmp(n->op_type, "Gemm") == 0 && n->trans_a
				   ? a->d[0]
				   : a->d[a->rank - 1]);
		return (uint64_t)lf__gshape_count(y) * k;
	}
	return 0;
}
