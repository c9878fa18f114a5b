/*
 * mparams.c - a model's params blob (model_plan.h, lf__mparams_build()):
 * every device conv/matmul node's constants planned with the load-time
 * shapes and packed once, NCHW and, where the engine has a blocked conv,
 * blocked (and folded for a stem conv), then cut into weights groups
 * that each fit the largest params bank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan_impl.h"
#include "hostlib/plan/pack.h"

/* Keep a plan's params layout (slices and offsets), drop its tiles. */
static void keep_layout(struct lf__plan *p)
{
	free(p->tiles);
	p->tiles = NULL;
	p->ntiles = 0;
}

int lf__mparams_same_layout(const struct lf__plan *a, const struct lf__plan *b)
{
	if (a->params_bytes != b->params_bytes || a->bias_off != b->bias_off ||
	    a->w_zp_off != b->w_zp_off || a->mult_off != b->mult_off ||
	    a->lut_off != b->lut_off || a->nslices != b->nslices)
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
			pn->no_room = 1;
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

/*
 * A conv node's blocked-form constants after @total in the blob, packed
 * once at load (the input's spatial size does not change them), when the
 * engine has a blocked conv and the layer has a blocked form that fits
 * its weight buffer; the NCHW constants stay for segments that are not
 * blocked. Return: the new end of the blob.
 */
/* Packed weights a conv may take blocked whatever its lanes (blk_area). */
#define BLK_SMALL_W (64u << 10)

static uint64_t blk_area(const struct lf__layer *L,
			 const struct lf__mdevcaps *caps, int *on, uint64_t *w,
			 uint64_t *rec, uint64_t total)
{
	uint64_t wb, rb;
	/* Only where at least a quarter of the packed lanes carry weights
	 * (packed weights at most 4 times its weights: 16 channels of 64
	 * in or out, or 32 of both; dense or depthwise alike), or a dense
	 * conv's (or a matmul's 1x1 form's) packed weights are at most
	 * BLK_SMALL_W bytes: a big layer with fewer channels would otherwise
	 * take up to 64 x 64 times its weights on the card, next to its NCHW
	 * copy, for a segment that may never run blocked. Exactly a quarter
	 * is enough: SqueezeNet 1.1's fire modules (64 or 128 -> 16 squeeze,
	 * 16 -> 64 1x1 and 3x3 expand, all 4 times) would otherwise keep its
	 * first two segments NCHW, 210 ms projected on aws-f1 against 3.97
	 * ms blocked. A small one costs at most 64 KiB and lets its segment
	 * run blocked, where the NCHW datapath (8 x 8 in the hardware
	 * builds) is 10 to 100 times slower: MobileNetV3-Small's folded stem
	 * (28 times its weights), 16 -> 16 1x1 (16 times) and squeeze-excite
	 * 16 -> 8 -> 16 (32 times) took its segments from 110.7 to 2.9 ms
	 * (issue 13); GoogLeNet's branch convs 16 -> 32 3x3 (36 KiB, 8
	 * times), 16 -> 48 3x3 (36 KiB, 5.3 times) and 480 -> 16 1x1 (32
	 * KiB, 4.3 times) kept its first and third segments NCHW, 1477 ms
	 * projected on aws-f1 against 8.4 ms blocked; Fashion-MNIST's folded 1
	 * -> 16 stem (12 KiB, 85 times), 16 -> 32 3x3 (36 KiB, 8 times) and 32
	 * -> 10 Gemm (4 KiB, 13 times) took its one segment from 11.13 to 0.194
	 * ms at batch 1 (the whole segment was NCHW for the stem alone). The
	 * cost there: about 180 KiB of blocked constants beside 25 KiB of NCHW
	 * ones. Depthwise convs keep the quarter rule. */
	uint64_t nchw = (uint64_t)L->oc * (uint64_t)(L->ic / L->groups) *
			(uint64_t)L->kh * (uint64_t)L->kw;
	if (lf__blk_conv_bytes(L, &wb, &rb) != LF_OK ||
	    !lf__mplan_blk_wbeats_fit(L, &caps->blim))
		return total;
	int dw = lf__blk_dw(L);
	int quarter = wb <= 4 * nchw;
	int tiny = !dw && wb <= BLK_SMALL_W;
	if (!quarter && !tiny)
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
			   ? blk_area(&F, caps, &pn->blk, &pn->blk_w,
				      &pn->blk_rec, total)
			   : total;
	total = blk_area(L, caps, &pn->blk, &pn->blk_w, &pn->blk_rec, total);
	if (lf__blk_fold_layer(L, &F, &f))
		total = blk_area(&F, caps, &pn->fold, &pn->fold_w,
				 &pn->fold_rec, total);
	return total;
}

/*
 * plan_node() - conv/matmul node @n's params area after *@total in the
 * blob (its NCHW layout, then its blocked forms), *@total moved past it;
 * or pn->why when it runs on the CPU. Return: LF_OK, or the tiling
 * planner's error other than LF_ERR_UNSUPPORTED.
 */
static lf_status plan_node(const struct lf__graph *g, const struct lf__gnode *n,
			   const struct lf__gshape *shape,
			   const struct lf__mdevcaps *caps,
			   struct lf__pnode *pn, uint64_t *total,
			   unsigned *kernels, struct lf__diag *dg)
{
	int k = kernel_of(n);
	if (!caps->present) {
		set_why(pn->why, sizeof(pn->why), caps->absent_why);
		return LF_OK;
	}
	if (!caps->has[k]) {
		snprintf(pn->why, sizeof(pn->why), "no %s compute unit",
			 lf_kernel_name(lf__mk_kernel(k)));
		return LF_OK;
	}
	struct lf__layer L;
	lf__graph_layer(g, n, shape, &L);
	if (L.lut && !caps->conv_lut) {
		set_why(pn->why, sizeof(pn->why),
			"output table: not in this xclbin (lfk_conv2d.lut)");
		return LF_OK;
	}
	struct lf__diag why;
	lf_status st = lf__plan_layer(&L, &caps->lim[k], &pn->layout, &why);
	if (st == LF_ERR_UNSUPPORTED) {
		set_why(pn->why, sizeof(pn->why), why.msg);
		return LF_OK;
	}
	if (st != LF_OK)
		return lf__diag_fail(dg, st, "node '%s': planning tiles: %s",
				     n->name, lf_status_name(st));
	keep_layout(&pn->layout);
	uint64_t base = align64(*total);
	/* Descriptor offsets into params are 32-bit. */
	if (base + pn->layout.params_bytes > UINT32_MAX) {
		lf__plan_free(&pn->layout);
		snprintf(pn->why, sizeof(pn->why),
			 "the model's constants pass 4 GiB");
		return LF_OK;
	}
	pn->on = 1;
	pn->base = base;
	*total = base + pn->layout.params_bytes;
	*total = blk_params(&L, caps, pn, *total);
	pn->end = *total;
	*kernels |= 1u << (caps->engine ? LF__MK_ENG : k);
	return LF_OK;
}

lf_status lf__mparams_build(const struct lf__graph *g,
			    const struct lf__gshape *shape,
			    const struct lf__mdevcaps *caps,
			    struct lf__mparams *out, struct lf__diag *dg)
{
	struct lf__mparams p;
	memset(&p, 0, sizeof(p));
	p.nnodes = g->nnodes;
	p.node = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p.node));
	if (!p.node)
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY, "out of memory");
	uint64_t total = 0;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op != LF__GOP_CONV && n->op != LF__GOP_MATMUL)
			continue;
		lf_status st = plan_node(g, n, shape, caps, &p.node[i], &total,
					 &p.kernels, dg);
		if (st != LF_OK) {
			lf__mparams_free(&p);
			return st;
		}
	}
	if (params_groups(&p, caps->params_room)) {
		lf__mparams_free(&p);
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY, "out of memory");
	}
	/* With the engine, pooling and add nodes (no constants) may run on
	 * the device too: the model needs its device side. */
	if (caps->present && caps->engine)
		p.kernels |= 1u << LF__MK_ENG;
	p.bytes = align64(total);
	p.blob = calloc(p.bytes ? p.bytes : 1, 1);
	if (!p.blob) {
		lf__mparams_free(&p);
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY,
				     "out of memory for %llu bytes of weights",
				     (unsigned long long)total);
	}
	for (size_t i = 0; i < g->nnodes; i++)
		if (p.node[i].on &&
		    pack_node(g, &g->nodes[i], shape, &p.node[i], p.blob)) {
			lf__mparams_free(&p);
			return lf__diag_fail(dg, LF_ERR_NO_MEMORY,
					     "out of memory packing weights");
		}
	*out = p;
	return LF_OK;
}
