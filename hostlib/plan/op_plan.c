/*
 * op_plan.c - a single layer op as a one-node model plan (op_plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/op_plan.h"
#include "hostlib/plan/pack.h"

static uint64_t al64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

/* ONNX TensorProto.DataType of @t (the model plan's value types). */
static int32_t onnx_type(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return 2;
	case LF_DTYPE_INT8:
		return 3;
	case LF_DTYPE_INT32:
		return 6;
	default:
		return 1;
	}
}

static uint64_t shape_bytes(const struct lf__opshape *s)
{
	uint64_t n = s->dtype == LF_DTYPE_INT32 ? 4 : 1;
	for (int i = 0; i < s->rank; i++)
		n *= (uint64_t)s->d[i];
	return n;
}

void lf__oplan_free(struct lf__oplan *op)
{
	if (!op)
		return;
	lf__mplan_free(op->plan);
	lf__mparams_free(&op->params);
	free(op);
}

/* The one segment's arrays and the plan-wide ones, for @ndesc
 * descriptors. */
static lf_status alloc_plan(struct lf__oplan *op, uint32_t ndesc)
{
	struct lf__mplan *p = calloc(1, sizeof(*p));
	if (!p)
		return LF_ERR_NO_MEMORY;
	op->plan = p;
	p->id = 1;
	p->nsegs = p->nsteps = 1;
	p->seg = calloc(1, sizeof(*p->seg));
	p->step = calloc(1, sizeof(*p->step));
	p->node = calloc(1, sizeof(*p->node));
	p->shape = calloc(LF__OPV_COUNT, sizeof(*p->shape));
	p->root = calloc(LF__OPV_COUNT, sizeof(*p->root));
	p->host_off = calloc(LF__OPV_COUNT, sizeof(*p->host_off));
	p->dev_off = calloc(LF__OPV_COUNT, sizeof(*p->dev_off));
	p->blk = calloc(LF__OPV_COUNT, 1);
	p->desc = calloc(ndesc ? ndesc : 1, sizeof(*p->desc));
	p->desc_node = calloc(ndesc ? ndesc : 1, sizeof(*p->desc_node));
	if (!p->seg || !p->step || !p->node || !p->shape || !p->root ||
	    !p->host_off || !p->dev_off || !p->blk || !p->desc || !p->desc_node)
		return LF_ERR_NO_MEMORY;
	struct lf__mseg *s = &p->seg[0];
	s->nnodes = 1;
	s->nlaunch = 1;
	s->nodes = calloc(1, sizeof(*s->nodes));
	s->launch = calloc(1, sizeof(*s->launch));
	if (!s->nodes || !s->launch)
		return LF_ERR_NO_MEMORY;
	for (int v = 0; v < LF__OPV_COUNT; v++) {
		p->root[v] = v;
		p->host_off[v] = p->dev_off[v] = UINT64_MAX;
	}
	p->nlaunch = 1;
	p->ndesc = ndesc;
	s->launch[0].kernel = op->kernel;
	s->launch[0].ndesc = ndesc;
	s->launch[0].count = 1;
	s->kernels = 1u << op->kernel;
	op->params.kernels = s->kernels;
	return LF_OK;
}

/* Conv / matmul: one host-assisted segment. */
static lf_status plan_linear(struct lf__oplan *op, const struct lf__layer *L,
			     const struct lf__mdevcaps *caps,
			     struct lf__diag *dg)
{
	int k = L->op == LF_KOP_CONV2D ? LF__MK_CONV : LF__MK_MM;
	if (!caps->has[k])
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "the xclbin has no %s compute unit",
				     lf_kernel_name(lf__mk_kernel(k)));
	op->kernel = caps->engine ? LF__MK_ENG : k;
	struct lf__plan lp;
	lf_status st = lf__plan_layer(L, &caps->lim[k], &lp, dg);
	if (st)
		return st;
	if ((st = alloc_plan(op, (uint32_t)lp.ntiles))) {
		lf__plan_free(&lp);
		return st;
	}
	struct lf__mplan *p = op->plan;
	struct lf__mseg *s = &p->seg[0];
	s->host_assisted = 1;
	s->hplan = lp;
	s->hL = *L;
	s->hbase = 0;
	p->arena_bytes = lp.act_bytes;
	/* Act offsets as planned (hbase 0), params at the blob's start. */
	lf__pack_desc_at(&lp, 0, (uint8_t *)p->desc);
	op->params.bytes = lp.params_bytes;
	op->params.blob = calloc(lp.params_bytes ? lp.params_bytes : 1, 1);
	if (!op->params.blob)
		return LF_ERR_NO_MEMORY;
	return LF_OK;
}

/* Pooling / add: one or two descriptors, no constants on the card. */
static lf_status plan_elem(struct lf__oplan *op, const struct lf__layer *L,
			   const char *name, const struct lf__opshape *sh,
			   const struct lf__mdevcaps *caps, struct lf__diag *dg)
{
	int add = L->op == LF_KOP_ADD;
	if (!caps->engine)
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "no device kernel for %s", name);
	op->kernel = LF__MK_ENG;
	lf_desc dd[2];
	const char *w = "";
	int nd, a_at_x = 1;
	uint64_t second = 0;
	if (add)
		nd = lf__elem_add_desc(sh[0].rank, sh[0].d, sh[1].rank, sh[1].d,
				       sh[2].rank, sh[2].d, L, &caps->plim, 2,
				       dd, &a_at_x, &second, &w);
	else
		nd = lf__elem_pool_desc(L, &caps->plim, &dd[0], &w);
	if (!nd)
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED, "%s: %s", name, w);
	uint64_t xb = shape_bytes(&sh[LF__OPV_X]);
	uint64_t x2b = add ? shape_bytes(&sh[LF__OPV_X2]) : 0;
	uint64_t yb = shape_bytes(&sh[LF__OPV_Y]);
	uint64_t x2_off = al64(xb);
	uint64_t y_off = add ? al64(x2_off + x2b) : x2_off;
	if (y_off + yb > UINT32_MAX)
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "%s: tensors pass 4 GiB", name);
	lf_status st = alloc_plan(op, (uint32_t)nd);
	if (st)
		return st;
	struct lf__mplan *p = op->plan;
	struct lf__mseg *s = &p->seg[0];
	int first = a_at_x ? LF__OPV_X : LF__OPV_X2;
	int other = a_at_x ? LF__OPV_X2 : LF__OPV_X;
	for (int i = 0; i < nd; i++) {
		uint64_t skip = i ? second : 0;
		dd[i].x_off =
		    (uint32_t)((first == LF__OPV_X ? 0 : x2_off) + skip);
		dd[i].x2_off =
		    add ? (uint32_t)((other == LF__OPV_X ? 0 : x2_off) + skip)
			: 0;
		dd[i].y_off = (uint32_t)(y_off + skip);
		dd[i].status = LF_KST_PENDING;
		p->desc[i] = dd[i];
	}
	s->nup = add ? 2 : 1;
	s->ndown = 1;
	s->up = calloc(2, sizeof(*s->up));
	s->up_at = calloc(2, sizeof(*s->up_at));
	s->down = calloc(1, sizeof(*s->down));
	s->down_at = calloc(1, sizeof(*s->down_at));
	if (!s->up || !s->up_at || !s->down || !s->down_at)
		return LF_ERR_NO_MEMORY;
	s->up[0] = LF__OPV_X;
	s->up_at[0] = 0;
	s->up[1] = LF__OPV_X2;
	s->up_at[1] = x2_off;
	s->up_off = 0;
	s->up_bytes = add ? x2_off + x2b : xb;
	s->down[0] = LF__OPV_Y;
	s->down_at[0] = y_off;
	s->down_off = y_off;
	s->down_bytes = yb;
	p->arena_bytes = y_off + yb;
	return LF_OK;
}

lf_status lf__oplan_build(const struct lf__layer *L, const char *name,
			  const struct lf__opshape *sh,
			  const struct lf__mdevcaps *caps,
			  struct lf__oplan **out, struct lf__diag *dg)
{
	struct lf__oplan *op = calloc(1, sizeof(*op));
	if (!op)
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY, "out of memory");
	/* The graph: x [, x2] -> node -> y. An empty label marks a single
	 * op: model_exec.c's messages then start with its name alone. */
	struct lf__graph *g = &op->g;
	g->nvals = LF__OPV_COUNT;
	g->vals = op->val;
	g->nnodes = 1;
	g->nodes = &op->node;
	for (int v = 0; v < LF__OPV_COUNT; v++) {
		op->val[v].name = (char *)name;
		op->val[v].dtype = onnx_type(sh[v].dtype);
		op->val[v].producer = v == LF__OPV_Y ? 0 : -1;
		op->val[v].input = v == LF__OPV_Y ? -1 : v;
		op->val[v].output = v == LF__OPV_Y;
	}
	op->in[0] = LF__OPV_X;
	op->in[1] = L->op == LF_KOP_ADD ? LF__OPV_X2 : -1;
	op->out[0] = LF__OPV_Y;
	op->node.name = (char *)name;
	op->node.op = L->op == LF_KOP_CONV2D   ? LF__GOP_CONV
		      : L->op == LF_KOP_MATMUL ? LF__GOP_MATMUL
					       : LF__GOP_ONNX;
	op->node.n_in = L->op == LF_KOP_ADD ? 2 : 1;
	op->node.n_out = 1;
	op->node.in = op->in;
	op->node.out = op->out;
	lf_status st = L->op == LF_KOP_CONV2D || L->op == LF_KOP_MATMUL
			   ? plan_linear(op, L, caps, dg)
			   : plan_elem(op, L, name, sh, caps, dg);
	if (st == LF_ERR_NO_MEMORY)
		lf__diag_fail(dg, st, "out of memory");
	if (st) {
		lf__oplan_free(op);
		return st;
	}
	for (int v = 0; v < LF__OPV_COUNT; v++) {
		struct lf__gshape *gs = &op->plan->shape[v];
		gs->rank = sh[v].rank;
		gs->dtype = onnx_type(sh[v].dtype);
		memcpy(gs->d, sh[v].d, sizeof(gs->d));
	}
	*out = op;
	return LF_OK;
}

void lf__oplan_pack(struct lf__oplan *op, const struct lf__layer *L,
		    const void *w, const void *bias, uint8_t *blob)
{
	struct lf__mseg *s = &op->plan->seg[0];
	if (!s->host_assisted)
		return;
	s->hL = *L;
	lf__pack_params(&s->hplan, L, w, bias, blob);
}
