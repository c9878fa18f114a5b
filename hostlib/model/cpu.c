/*
 * cpu.c - running one IR node on the CPU: conv and matmul on the CPU
 * reference (the kernels' oracle, byte-exact with them and with ORT), the
 * small ops the IR owns, and every other node through hostlib/onnx's
 * node_cpu.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/cpu/ref.h"
#include "hostlib/ir/graph.h"
#include "hostlib/onnx/node_cpu.h"

static const void *cdata(const struct lf__graph *g, int v)
{
	return v >= 0 && g->vals[v].cst ? g->vals[v].cst->data : NULL;
}

/* A fused pointwise function of a conv's or matmul's output (lower.c):
 * each byte through its table, after the clamp, as the kernels'
 * LF_DF_LUT. Return: @st. */
static lf_status apply_lut(lf_status st, const struct lf__gnode *n,
			   const struct lf__layer *L, void *const *ptr,
			   const struct lf__gshape *shape)
{
	if (st == LF_OK && L->lut && L->y_type != LF_DTYPE_INT32) {
		uint8_t *y = ptr[n->out[0]];
		size_t count = lf__gshape_count(&shape[n->out[0]]);
		for (size_t i = 0; i < count; i++)
			y[i] = L->lut[y[i]];
	}
	return st;
}

static lf_status run_conv(const struct lf__graph *g, const struct lf__gnode *n,
			  void *const *ptr, const struct lf__gshape *shape)
{
	struct lf__layer L;
	lf__graph_layer(g, n, shape, &L);
	struct lf_ref_qconv r = {
	    .x_type = L.x_type,
	    .w_type = L.w_type,
	    .y_type = L.y_type,
	    .n = L.n,
	    .ic = L.ic,
	    .ih = L.ih,
	    .iw = L.iw,
	    .oc = L.oc,
	    .kh = L.kh,
	    .kw = L.kw,
	    .stride_h = L.stride_h,
	    .stride_w = L.stride_w,
	    .pad_t = L.pad_t,
	    .pad_l = L.pad_l,
	    .pad_b = L.pad_b,
	    .pad_r = L.pad_r,
	    .dil_h = L.dil_h,
	    .dil_w = L.dil_w,
	    .groups = L.groups,
	    .x_zp = L.x_zp,
	    .y_zp = L.y_zp,
	    .w_zp = L.w_zp,
	    .w_zp_count = L.w_zp_count,
	    .x_scale = L.x_scale,
	    .y_scale = L.y_scale,
	    .w_scale = L.w_scale,
	    .w_scale_count = L.w_scale_count,
	    .bias = cdata(g, n->lin->bias),
	    .act_min = L.act_min,
	    .act_max = L.act_max,
	};
	lf_status st = lf__ref_qconv2d(&r, ptr[n->in[0]], cdata(g, n->lin->w),
				       ptr[n->out[0]]);
	return apply_lut(st, n, &L, ptr, shape);
}

static lf_status run_matmul(const struct lf__graph *g,
			    const struct lf__gnode *n, void *const *ptr,
			    const struct lf__gshape *shape)
{
	struct lf__layer L;
	lf__graph_layer(g, n, shape, &L);
	struct lf_ref_qmatmul r = {
	    .x_type = L.x_type,
	    .w_type = L.w_type,
	    .y_type = L.y_type,
	    .batch = 1,
	    .m = L.m,
	    .k = L.k,
	    .n = L.cols,
	    .w_batch = 1,
	    .x_zp = L.x_zp,
	    .y_zp = L.y_zp,
	    .w_zp = L.w_zp,
	    .w_zp_count = L.w_zp_count,
	    .x_scale = L.x_scale,
	    .y_scale = L.y_scale,
	    .w_scale = L.w_scale,
	    .w_scale_count = L.w_scale_count,
	    .bias = cdata(g, n->lin->bias),
	    .act_min = L.act_min,
	    .act_max = L.act_max,
	};
	lf_status st = lf__ref_qmatmul(&r, ptr[n->in[0]], cdata(g, n->lin->w),
				       ptr[n->out[0]]);
	return apply_lut(st, n, &L, ptr, shape);
}

/* ORT's QGemm output processor without y_scale: (float)acc * scale[c]. */
static void run_scale(const struct lf__gnode *n, void *const *ptr,
		      const struct lf__gshape *shape)
{
	const struct lf__gshape *x = &shape[n->in[0]];
	size_t count = lf__gshape_count(x);
	size_t cols = x->rank ? (size_t)x->d[x->rank - 1] : 1;
	const int32_t *a = ptr[n->in[0]];
	float *y = ptr[n->out[0]];
	for (size_t i = 0; i < count; i++)
		y[i] = (float)a[i] * n->scale[n->nscale == 1 ? 0 : i % cols];
}

/* QLinearConcat: each input's rows through its lookup table (or copied),
 * as ORT's QLinearConcat::Compute walks them. */
static void run_concat(const struct lf__gnode *n, void *const *ptr,
		       const struct lf__gshape *shape)
{
	const struct lf__gshape *y = &shape[n->out[0]];
	int axis = (int)(n->axis < 0 ? n->axis + y->rank : n->axis);
	size_t outer = 1, inner = 1;
	for (int d = 0; d < axis; d++)
		outer *= (size_t)y->d[d];
	for (int d = axis + 1; d < y->rank; d++)
		inner *= (size_t)y->d[d];
	size_t y_pitch = (size_t)y->d[axis] * inner, off = 0;
	uint8_t *out = ptr[n->out[0]];
	for (size_t i = 0; i < n->n_lut; i++) {
		int v = n->in[2 + 3 * i];
		size_t pitch = (size_t)shape[v].d[axis] * inner;
		const uint8_t *x = ptr[v];
		const uint8_t *lut = n->lut[i];
		for (size_t o = 0; o < outer; o++) {
			uint8_t *dst = out + o * y_pitch + off;
			const uint8_t *src = x + o * pitch;
			if (!lut) {
				memcpy(dst, src, pitch);
				continue;
			}
			for (size_t e = 0; e < pitch; e++)
				dst[e] = lut[src[e]];
		}
		off += pitch;
	}
}

static void run_transpose(const struct lf__gnode *n, void *const *ptr,
			  const struct lf__gshape *shape)
{
	const struct lf__gshape *x = &shape[n->in[0]];
	int r = x->rank;
	size_t es = lf__onnx_dtype_size(x->dtype);
	size_t xs[LF__TENSOR_MAX_RANK], count = lf__gshape_count(x);
	int perm[LF__TENSOR_MAX_RANK];
	for (int i = r - 1, s = 1; i >= 0; i--) {
		xs[i] = (size_t)s;
		s *= (int)x->d[i];
	}
	for (int i = 0; i < r; i++)
		perm[i] = n->nperm ? n->perm[i] : r - 1 - i;
	const uint8_t *src = ptr[n->in[0]];
	uint8_t *dst = ptr[n->out[0]];
	int64_t idx[LF__TENSOR_MAX_RANK] = {0};
	for (size_t o = 0; o < count; o++) {
		size_t si = 0;
		for (int i = 0; i < r; i++)
			si += (size_t)idx[i] * xs[perm[i]];
		memcpy(dst + o * es, src + si * es, es);
		for (int i = r - 1; i >= 0; i--) {
			if (++idx[i] < x->d[perm[i]])
				break;
			idx[i] = 0;
		}
	}
}

/* Batch @i of broadcast batch shape @y in operand batch shape @o. */
static size_t batch_index(const struct lf__gshape *y, int yr,
			  const struct lf__gshape *o, int orank, size_t i)
{
	size_t idx = 0, step = 1;
	for (int d = yr - 1; d >= 0; d--) {
		size_t coord = i % (size_t)y->d[d];
		i /= (size_t)y->d[d];
		int od = orank - yr + d;
		if (od < 0)
			continue;
		if (o->d[od] != 1)
			idx += coord * step;
		step *= (size_t)o->d[od];
	}
	return idx;
}

/*
 * y = alpha * a.b (m x k times k x nn) in float32 as ONNX Runtime's MLAS
 * SGEMM computes it (onnxruntime/core/mlas/lib/sgemm.cpp,
 * MlasSgemmOperation, and its FMA3 kernels), so float MatMul/Gemm give
 * ORT's bytes: K is cut into blocks of StrideK (128, doubled while N is
 * small: StrideN starts at 128 and halves while StrideN > 16 and
 * StrideN / 2 >= N; when N >= K StrideK only shrinks, which cuts
 * nothing); within a block each output is one FMA chain over k in order,
 * from 0; the first block's sum times alpha is stored unless @accumulate
 * (Gemm's C already in y, as ORT's Gemm broadcasts it there first), later
 * blocks add theirs (alpha * acc + y, fused). Not reproduced: MLAS's
 * separate kernel for M == 1 with alpha 1 (a dot product in vector
 * lanes), so a single-row MatMul/Gemm can differ in the last bits, and
 * a transposed A (ORT packs it, keeping StrideK at 128).
 */
static void gemm_core(const float *a, size_t as_m, size_t as_k, const float *b,
		      size_t bs_k, size_t bs_n, float *y, size_t m, size_t k,
		      size_t nn, float alpha, int accumulate)
{
	size_t stride_n = 128, stride_k = 128;
	if (nn < k && as_k == 1)
		while (stride_n > 16 && stride_n / 2 >= nn) {
			stride_k *= 2;
			stride_n /= 2;
		}
	for (size_t k0 = 0; k0 < k || k0 == 0; k0 += stride_k) {
		size_t k1 = k0 + stride_k < k ? k0 + stride_k : k;
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < nn; j++) {
				float acc = 0.0f;
				for (size_t t = k0; t < k1; t++)
					acc = fmaf(a[i * as_m + t * as_k],
						   b[t * bs_k + j * bs_n], acc);
				float *yo = &y[i * nn + j];
				*yo = k0 || accumulate ? fmaf(alpha, acc, *yo)
						       : alpha * acc;
			}
		if (k1 >= k)
			break;
	}
}

static void run_gemm(const struct lf__gnode *n, void *const *ptr,
		     const struct lf__gshape *shape)
{
	const struct lf__gshape *a = &shape[n->in[0]], *b = &shape[n->in[1]];
	const struct lf__gshape *y = &shape[n->out[0]];
	float *yp = ptr[n->out[0]];
	if (strcmp(n->op_type, "Gemm") == 0) {
		size_t m = (size_t)y->d[0], nn = (size_t)y->d[1];
		size_t k = (size_t)(n->trans_a ? a->d[0] : a->d[1]);
		int has_c = n->n_in >= 3 && n->in[2] >= 0 && n->beta != 0.0f;
		if (has_c) {
			/* C broadcast into y, times beta (MLAS's
			 * MlasSgemmMultiplyBeta when beta is not 1). */
			const struct lf__gshape *c = &shape[n->in[2]];
			const float *cp = ptr[n->in[2]];
			size_t cm = c->rank == 2 ? (size_t)c->d[0] : 1;
			size_t cn =
			    c->rank >= 1 ? (size_t)c->d[c->rank - 1] : 1;
			for (size_t i = 0; i < m; i++)
				for (size_t j = 0; j < nn; j++) {
					float v = cp[(cm == 1 ? 0 : i) * cn +
						     (cn == 1 ? 0 : j)];
					yp[i * nn + j] =
					    n->beta == 1.0f ? v : v * n->beta;
				}
		}
		gemm_core(ptr[n->in[0]], n->trans_a ? 1 : k, n->trans_a ? m : 1,
			  ptr[n->in[1]], n->trans_b ? 1 : nn,
			  n->trans_b ? k : 1, yp, m, k, nn, n->alpha, has_c);
		return;
	}
	size_t k = (size_t)a->d[a->rank - 1];
	size_t m = a->rank >= 2 ? (size_t)a->d[a->rank - 2] : 1;
	size_t nn = b->rank >= 2 ? (size_t)b->d[b->rank - 1] : 1;
	int yr = y->rank - (a->rank >= 2) - (b->rank >= 2);
	size_t batches = 1;
	for (int d = 0; d < yr; d++)
		batches *= (size_t)y->d[d];
	int ar = a->rank >= 2 ? a->rank - 2 : 0;
	int br = b->rank >= 2 ? b->rank - 2 : 0;
	const float *ap = ptr[n->in[0]], *bp = ptr[n->in[1]];
	for (size_t i = 0; i < batches; i++) {
		const float *ai = ap + batch_index(y, yr, a, ar, i) * m * k;
		const float *bi = bp + batch_index(y, yr, b, br, i) * k * nn;
		gemm_core(ai, k, 1, bi, nn, 1, yp + i * m * nn, m, k, nn, 1.0f,
			  0);
	}
}

/* A tensor header over data the executor owns (never released). */
static void view_of(struct lf__tensor *t, const struct lf__gshape *s,
		    void *data)
{
	memset(t, 0, sizeof(*t));
	t->name = (char *)"";
	t->dtype = s->dtype;
	t->rank = s->rank;
	memcpy(t->dims, s->d, sizeof(t->dims));
	t->count = lf__gshape_count(s);
	t->data = data;
}

static lf_status run_onnx(const struct lf__graph *g, const struct lf__gnode *n,
			  void *const *ptr, const struct lf__gshape *shape,
			  struct lf__diag *dg)
{
	enum { MAXIO = 64 };
	if (n->n_in > MAXIO || n->n_out > 8)
		return lf__gnode_fail(dg, n, LF_ERR_UNSUPPORTED,
				      "too many inputs/outputs");
	struct lf__tensor views[MAXIO], out[8];
	const struct lf__tensor *in[MAXIO];
	char *outs[8];
	for (size_t i = 0; i < n->n_in; i++) {
		int v = n->in[i];
		in[i] = NULL;
		if (v < 0)
			continue;
		if (g->vals[v].cst) {
			in[i] = g->vals[v].cst;
			continue;
		}
		view_of(&views[i], &shape[v], ptr[v]);
		in[i] = &views[i];
	}
	for (size_t k = 0; k < n->n_out; k++)
		outs[k] = n->out[k] >= 0 ? g->vals[n->out[k]].name : "";
	struct lf__onnx_node on = {
	    .name = n->name,
	    .op_type = (char *)n->op_type,
	    .domain = (char *)n->domain,
	    .n_outputs = n->n_out,
	    .outputs = outs,
	    .n_attrs = n->n_attrs,
	    .attrs = (struct lf__onnx_attr *)n->attrs,
	};
	memset(out, 0, sizeof(out));
	char msg[LF__GRAPH_ERR_LEN] = "";
	lf_status st = lf__onnx_node_run_cpu(&on, n->opset, in, n->n_in, out,
					     n->n_out, msg, sizeof(msg));
	if (st != LF_OK)
		st = lf__gnode_fail(dg, n, st, "%s", msg);
	for (size_t k = 0; k < n->n_out && st == LF_OK; k++) {
		int v = n->out[k];
		if (v < 0)
			continue;
		const struct lf__gshape *s = &shape[v];
		if (out[k].dtype != s->dtype || out[k].rank != s->rank ||
		    memcmp(out[k].dims, s->d,
			   sizeof(int64_t) * (size_t)s->rank) != 0) {
			st = lf__gnode_fail(
			    dg, n, LF_ERR_INTERNAL,
			    "output '%s' came out with another shape or "
			    "type than inferred",
			    g->vals[v].name);
			break;
		}
		memcpy(ptr[v], out[k].data, lf__gshape_bytes(s));
	}
	for (size_t k = 0; k < n->n_out; k++)
		lf__tensor_release(&out[k]);
	return st;
}

lf_status lf__graph_run_cpu(const struct lf__graph *g,
			    const struct lf__gnode *n, void *const *ptr,
			    const struct lf__gshape *shape, struct lf__diag *dg)
{
	lf_status st = LF_OK;
	switch (n->op) {
	case LF__GOP_CONV:
		st = run_conv(g, n, ptr, shape);
		break;
	case LF__GOP_MATMUL:
		st = run_matmul(g, n, ptr, shape);
		break;
	case LF__GOP_SCALE_F32:
		run_scale(n, ptr, shape);
		break;
	case LF__GOP_QCONCAT:
		run_concat(n, ptr, shape);
		break;
	case LF__GOP_TRANSPOSE:
		run_transpose(n, ptr, shape);
		break;
	case LF__GOP_GEMM_F32:
		run_gemm(n, ptr, shape);
		break;
	case LF__GOP_VIEW:
		if (ptr[n->out[0]] != ptr[n->in[0]])
			memcpy(ptr[n->out[0]], ptr[n->in[0]],
			       lf__gshape_bytes(&shape[n->out[0]]));
		break;
	case LF__GOP_ONNX:
		return run_onnx(g, n, ptr, shape, dg);
	}
	if (st != LF_OK)
		return lf__gnode_fail(
		    dg, n, st, "the CPU reference rejected the layer (%s)",
		    lf_status_name(st));
	return LF_OK;
}
