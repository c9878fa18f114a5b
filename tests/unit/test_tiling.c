/*
 * test_tiling.c - the tiling planner is exact: a layer split into tiles
 * gives the same bytes as the unsplit CPU reference.
 *
 * Two ways: (1) with synthetic, very small limits, every descriptor of a
 * plan is run by a CPU interpreter built on the reference (so the planner
 * is checked without any device), including the host's gather, scatter
 * and partial-sum reduction; (2) on the emulator with an xclbin whose
 * recorded limits are small, through the public API.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/core/op.h"
#include "hostlib/base/tensor.h"
#include "hostlib/cpu/ref.h"
#include "hostlib/plan/blk.h"
#include "hostlib/plan/elem.h"
#include "hostlib/plan/pack.h"
#include "hostlib/plan/tile.h"
#include "blk_interp.h"
#include "test_hostlib_util.h"

static const lf_dtype kdt[] = {LF_DTYPE_UINT8, LF_DTYPE_INT8, LF_DTYPE_INT32};

/* Run one descriptor with the reference, as the kernel would. */
static lf_status interp(const struct lf__layer *L, const struct lf__tile *t,
			const uint8_t *params, uint8_t *act)
{
	const lf_desc *d = &t->d;
	int per = (d->flags & LF_DF_W_PER_CH) != 0;
	const int32_t *wzp = (const int32_t *)(params + d->w_zp_off);
	const int32_t *bias = (d->flags & LF_DF_BIAS)
				  ? (const int32_t *)(params + d->bias_off)
				  : NULL;
	lf_dtype yt = kdt[d->y_type];
	const float *ws = L->w_scale ? L->w_scale + (per ? t->ch0 : 0) : NULL;
	if (d->op == LF_KOP_CONV2D) {
		struct lf_ref_qconv r = {kdt[d->x_type],
					 kdt[d->w_type],
					 yt,
					 (int)d->n,
					 (int)d->ic,
					 (int)d->ih,
					 (int)d->iw,
					 (int)d->oc,
					 (int)d->kh,
					 (int)d->kw,
					 (int)d->stride_h,
					 (int)d->stride_w,
					 (int)d->pad_t,
					 (int)d->pad_l,
					 (int)d->pad_b,
					 (int)d->pad_r,
					 (int)d->dil_h,
					 (int)d->dil_w,
					 (int)d->groups,
					 d->x_zp,
					 d->y_zp,
					 wzp,
					 per ? (int)d->oc : 1,
					 L->x_scale,
					 L->y_scale,
					 ws,
					 per ? (int)d->oc : 1,
					 bias,
					 d->act_min,
					 d->act_max};
		return lf__ref_qconv2d(&r, act + d->x_off, params + d->w_off,
				       act + d->y_off);
	}
	struct lf_ref_qmatmul r = {kdt[d->x_type],
				   kdt[d->w_type],
				   yt,
				   (int)d->mm_batch,
				   (int)d->mm_m,
				   (int)d->mm_k,
				   (int)d->mm_n,
				   (int)d->mm_w_batch,
				   d->x_zp,
				   d->y_zp,
				   wzp,
				   per ? (int)d->mm_n : 1,
				   L->x_scale,
				   L->y_scale,
				   ws,
				   per ? (int)d->mm_n : 1,
				   bias,
				   d->act_min,
				   d->act_max};
	return lf__ref_qmatmul(&r, act + d->x_off, params + d->w_off,
			       act + d->y_off);
}

/*
 * The blocked form of @op (a conv with groups == 1 and an 8-bit output)
 * computes @want: x blocked by the test's loop, constants packed by
 * lf__blk_pack_conv(), the descriptor run by t_blk_conv(), y read back
 * by the test's loop.
 */
static int blk_conv_check(const struct lf__op *op, const void *want, int fold)
{
	const struct lf__layer *L = &op->L;
	const void *w = op->w->data;
	struct lf__layer F;
	struct lf__blk_fold f;
	uint8_t *wf = NULL;
	if (fold) {
		/* Stem folding (blk.h): the kh x 1 conv over kw * ic
		 * channels, its input folded by lf__blk_fold_x(). */
		if (!lf__blk_fold_layer(L, &F, &f))
			return -1;
		CU_ASSERT_EQUAL(F.ic, L->kw * L->ic);
		CU_ASSERT(F.kw == 1 && F.stride_w == 1 && F.iw == L->ow);
		wf = malloc(op->w->bytes);
		CU_ASSERT_PTR_NOT_NULL_FATAL(wf);
		lf__blk_fold_weights(L, op->w->data, wf);
		L = &F;
		w = wf;
	}
	uint64_t wb = 0, rb = 0;
	CU_ASSERT_EQUAL_FATAL(lf__blk_conv_bytes(L, &wb, &rb), LF_OK);
	/* ocb * kh * kw * icb beats of 64 x 64, 64 records per block */
	CU_ASSERT_EQUAL(wb, t_cb(L->oc) * L->kh * L->kw * t_cb(L->ic) * 4096);
	CU_ASSERT_EQUAL(rb, t_cb(L->oc) * 64 * 16);
	struct t4 xs = {L->n, L->ic, L->ih, L->iw};
	struct t4 ys = {L->n, L->oc, L->oh, L->ow};
	/* Folded: x is compact rows (LF_DF_XFOLD), 64 lanes a pixel else. */
	uint64_t xb = fold ? lf__blk_fold_bytes(&f) : t_blk_bytes(xs),
		 yb = t_blk_bytes(ys);
	uint8_t *params = malloc(wb + rb), *act = calloc(1, xb + yb);
	uint8_t *y = malloc(op->y->bytes);
	int ok = 0;
	if (!params || !act || !y)
		goto out;
	memset(params, 0xa5, wb + rb);
	lf__blk_pack_conv(L, w, op->bias ? op->bias->data : NULL, params,
			  params + wb);
	if (fold) {
		/* Compact rows: ceil(((ow - 1) * sw + kw) * ic / 64) beats. */
		const struct lf__layer *O = &op->L;
		CU_ASSERT_EQUAL(
		    xb,
		    O->n * O->ih * 64 *
			((((O->ow - 1) * O->stride_w + O->kw) * O->ic + 63) /
			 64));
		lf__blk_fold_x(&f, op->x->data, act, (uint8_t)L->x_zp);
	} else {
		/* Pad input lanes hold a value unlike the zero point: they
		 * must not matter. */
		t_to_blk(xs, op->x->data, act, (uint8_t)(L->x_zp + 77));
	}
	lf_desc d;
	memset(&d, 0, sizeof(d));
	d.magic = LF_DESC_MAGIC;
	d.op = LF_KOP_CONV2D;
	d.flags = LF_DF_BLK;
	d.x_type = L->x_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	d.w_type = L->w_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	d.y_type = L->y_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	d.n = (uint32_t)L->n, d.ic = (uint32_t)L->ic, d.ih = (uint32_t)L->ih;
	d.iw = (uint32_t)L->iw, d.oc = (uint32_t)L->oc, d.oh = (uint32_t)L->oh;
	d.ow = (uint32_t)L->ow, d.groups = 1, d.kh = (uint32_t)L->kh;
	d.kw = (uint32_t)L->kw, d.stride_h = (uint32_t)L->stride_h;
	d.stride_w = (uint32_t)L->stride_w, d.pad_t = (uint32_t)L->pad_t;
	d.pad_l = (uint32_t)L->pad_l, d.pad_b = (uint32_t)L->pad_b;
	d.pad_r = (uint32_t)L->pad_r, d.dil_h = (uint32_t)L->dil_h;
	d.dil_w = (uint32_t)L->dil_w;
	d.x_off = 0, d.y_off = (uint32_t)xb, d.w_off = 0;
	d.w_zp_off = (uint32_t)wb;
	d.x_zp = L->x_zp, d.y_zp = L->y_zp;
	d.act_min = L->act_min, d.act_max = L->act_max;
	if (fold) { /* the conv itself; the kernel folds (lf_desc.h) */
		const struct lf__layer *O = &op->L;
		d.flags |= LF_DF_XFOLD;
		d.ic = (uint32_t)O->ic, d.iw = (uint32_t)O->iw;
		d.kw = (uint32_t)O->kw, d.stride_w = (uint32_t)O->stride_w;
		d.pad_l = (uint32_t)O->pad_l, d.pad_r = (uint32_t)O->pad_r;
		d.dil_w = (uint32_t)O->dil_w;
	}
	t_blk_conv(&d, params, act);
	t_from_blk(ys, act + xb, y);
	ok = memcmp(y, want, op->y->bytes) == 0;
	/* Records of pad channels are all zero. */
	for (uint64_t o = (uint64_t)L->oc; o < t_cb(L->oc) * 64; o++)
		for (int k = 0; k < 16; k++)
			ok &= params[wb + 16 * o + (uint64_t)k] == 0;
out:
	free(params);
	free(act);
	free(y);
	free(wf);
	return ok;
}

/* Plan @op with @lim, interpret every tile, compare with @want. */
static int plan_and_interp(const struct lf__op *op,
			   const struct lf__klimits *lim, const void *want,
			   int *ntiles, int *nchunks)
{
	struct lf__plan p;
	struct lf__diag why;
	lf_status st = lf__plan_layer(&op->L, lim, &p, &why);
	if (st == LF_ERR_UNSUPPORTED) {
		fprintf(stderr, "unsupported: %s\n", why.msg);
		return -1;
	}
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	uint8_t *params = calloc(1, p.params_bytes + 64);
	uint8_t *act = calloc(1, p.act_bytes + 64);
	uint8_t *y = malloc(op->y->bytes);
	int ok = 0;
	if (!params || !act || !y)
		goto out;
	lf__pack_params(&p, &op->L, op->w->data,
			op->bias ? op->bias->data : NULL, params);
	lf__pack_x(&p, op->x->data, act);
	for (int i = 0; i < p.ntiles; i++) {
		const lf_desc *d = &p.tiles[i].d;
		/* Each tile must satisfy the limits it was planned for. */
		if (d->op == LF_KOP_CONV2D) {
			CU_ASSERT(
			    d->ic <= lim->dim_max && d->oc <= lim->dim_max &&
			    d->ih <= lim->dim_max && d->oh <= lim->dim_max &&
			    d->n <= lim->dim_max);
			uint64_t icv =
			    (d->ic / d->groups + lim->pe_k - 1) / lim->pe_k;
			CU_ASSERT(d->kh * d->kw * icv <=
				  (uint64_t)(lim->kmax / lim->pe_k));
		} else {
			CU_ASSERT(d->mm_k <= lim->kmax &&
				  d->mm_m <= lim->dim_max &&
				  d->mm_n <= lim->dim_max &&
				  d->mm_batch <= lim->dim_max);
		}
		CU_ASSERT(d->x_off + 1 <= p.act_bytes &&
			  d->y_off < p.act_bytes);
		if (interp(&op->L, &p.tiles[i], params, act) != LF_OK) {
			CU_FAIL("reference rejected a tile");
			goto out;
		}
	}
	CU_ASSERT_EQUAL(lf__unpack_y(&p, &op->L, act, 0, y), LF_OK);
	ok = memcmp(y, want, op->y->bytes) == 0;
	if (!ok)
		for (size_t i = 0; i < op->y->bytes; i++)
			if (y[i] != ((const uint8_t *)want)[i]) {
				fprintf(
				    stderr,
				    "byte %zu: %d vs %d (tiles %d, act %d..%d "
				    "yzp %d xzp %d wzpc %d wsc %d bias %d xs "
				    "%g ys %g pads %d %d %d %d s %d %d d %d "
				    "%d)\n",
				    i, y[i], ((const uint8_t *)want)[i],
				    p.ntiles, op->L.act_min, op->L.act_max,
				    op->L.y_zp, op->L.x_zp, op->L.w_zp_count,
				    op->L.w_scale_count, op->L.has_bias,
				    op->L.x_scale, op->L.y_scale, op->L.pad_t,
				    op->L.pad_l, op->L.pad_b, op->L.pad_r,
				    op->L.stride_h, op->L.stride_w, op->L.dil_h,
				    op->L.dil_w);
				const lf_desc *dd = &p.tiles[0].d;
				fprintf(stderr,
					"desc: n%u ic%u %ux%u oc%u %ux%u pads "
					"%u %u %u %u flags %x xzp %d yzp %d\n",
					dd->n, dd->ic, dd->ih, dd->iw, dd->oc,
					dd->oh, dd->ow, dd->pad_t, dd->pad_l,
					dd->pad_b, dd->pad_r, dd->flags,
					dd->x_zp, dd->y_zp);
				break;
			}
	*ntiles = p.ntiles;
	*nchunks = p.nchunks;
out:
	free(params);
	free(act);
	free(y);
	lf__plan_free(&p);
	return ok;
}

static const struct lf__klimits small = {1, 16, 288, 48, 20, 32, 255};
static const struct lf__klimits small_mm = {1, 16, 64, 0, 20, 0, 0};

/*
 * Build tensors for a conv directly (so the op and the plan see them), run
 * the reference on the cpu context, and interpret the plan.
 */
static int conv_case(lf_context *cpu, const struct lft_conv *c,
		     const struct lf__klimits *lim, int *tiles, int *chunks,
		     int *blk)
{
	struct lf_rng r;
	lf_rng_seed(&r, c->seed);
	int icg = c->ic / c->groups;
	int oh = lf__ref_out_dim(c->ih, c->kh, c->sh, c->pt, c->pb, c->dh);
	int ow = lf__ref_out_dim(c->iw, c->kw, c->sw, c->pl, c->pr, c->dw);
	int nq = c->per_ch ? c->oc : 1;
	float xs = 0.03f, ys = 0.4f, ws[512];
	int32_t xzp = c->xt == LF_DTYPE_UINT8 ? 100 : -3,
		yzp = c->yt == LF_DTYPE_UINT8 ? 120 : 5;
	int32_t wzp[512];
	for (int i = 0; i < nq; i++) {
		ws[i] = 0.002f + (float)lf_rng_range(&r, 1, 300) * 1e-4f;
		wzp[i] = c->wt == LF_DTYPE_UINT8 ? lf_rng_range(&r, 0, 255)
						 : lf_rng_range(&r, -128, 127);
	}
	int64_t xd[4] = {c->n, c->ic, c->ih, c->iw};
	int64_t wd[4] = {c->oc, icg, c->kh, c->kw};
	int64_t yd[4] = {c->n, c->oc, oh, ow};
	int64_t bd[1] = {c->oc};
	struct lf_quant xq = {sizeof(struct lf_quant), &xs, &xzp, 1, 0},
			wq = {sizeof(struct lf_quant), ws, wzp, (size_t)nq, 0},
			yq = {sizeof(struct lf_quant), &ys, &yzp, 1, 0};
	int y8 = c->yt != LF_DTYPE_INT32;
	lf_tensor *x = NULL, *w = NULL, *y = NULL, *b = NULL;
	CU_ASSERT_FATAL(
	    !lf_tensor_create(cpu, c->xt, 4, xd, &xq, &x) &&
	    !lf_tensor_create(cpu, c->wt, 4, wd, &wq, &w) &&
	    !lf_tensor_create(cpu, c->yt, 4, yd, y8 ? &yq : NULL, &y) &&
	    (!c->bias ||
	     !lf_tensor_create(cpu, LF_DTYPE_INT32, 1, bd, NULL, &b)));
	lft_fill(&r, c->xt, x->data, x->bytes);
	lft_fill(&r, c->wt, w->data, w->bytes);
	if (b)
		lft_fill(&r, LF_DTYPE_INT32, b->data, b->bytes);
	struct lf_conv2d_params p = lft_conv_params(c);
	CU_ASSERT_EQUAL_FATAL(lf_conv2d(cpu, x, w, b, &p, y), LF_OK);
	struct lf__op op;
	CU_ASSERT_EQUAL_FATAL(lf__op_conv2d(cpu, x, w, b, &p, y, &op), LF_OK);
	int ok = lim ? plan_and_interp(&op, lim, y->data, tiles, chunks) : 1;
	/* Its blocked form too, where it has one (groups 1, 8-bit y). */
	if (blk)
		*blk =
		    c->groups == 1 && y8 ? blk_conv_check(&op, y->data, 0) : -1;
	/* And folded (stem folding), where it folds: -1 when not. */
	if (blk && *blk == 1 && c->kw > 1 && c->dw == 1 && c->kw * c->ic <= 64)
		*blk = blk_conv_check(&op, y->data, 1) == 1 ? 1 : 0;
	lf_tensor_destroy(x);
	lf_tensor_destroy(w);
	lf_tensor_destroy(y);
	lf_tensor_destroy(b);
	return ok;
}

static void test_conv_plans(void)
{
	lf_context *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 5);
	int iters = lf_test_slow_mode() ? 15 : 80;
	int multi = 0, chunked = 0, rows = 0, nblk = 0;
	for (int it = 0; it < iters; it++) {
		struct lft_conv c;
		lft_conv_random(&r, &c);
		if (it % 3 == 0)
			c.ic = c.groups * lf_rng_range(&r, 20, 45);
		if (it % 4 == 1)
			c.oc = c.groups * lf_rng_range(&r, 8, 25);
		if (it % 5 == 2) {
			c.ih = lf_rng_range(&r, 21, 45);
			rows++;
		}
		if (it % 7 == 3)
			c.n = lf_rng_range(&r, 21, 23);
		int tiles = 0, chunks = 0, blk = -1;
		int ok = conv_case(cpu, &c, &small, &tiles, &chunks, &blk);
		CU_ASSERT(blk != 0);
		nblk += blk == 1;
		if (ok < 0)
			continue; /* unsupported: checked elsewhere */
		if (!ok)
			fprintf(stderr,
				"conv plan %d: n%d ic%d %dx%d oc%d k%dx%d g%d "
				"yt%d\n",
				it, c.n, c.ic, c.ih, c.iw, c.oc, c.kh, c.kw,
				c.groups, (int)c.yt);
		CU_ASSERT(ok == 1);
		multi += tiles > 1;
		chunked += chunks > 1;
	}
	/* The sweep really exercised the splits (thresholds for the full
	 * 80-case sweep, scaled down for the short one of slow mode). */
	CU_ASSERT(multi > iters / 3);
	CU_ASSERT(chunked > 3 * iters / 80);
	CU_ASSERT(rows > 3 * iters / 80);
	CU_ASSERT(nblk > iters / 4);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

static int mm_case(lf_context *cpu, const struct lft_mm *c,
		   const struct lf__klimits *lim, int *tiles, int *chunks)
{
	struct lf_rng r;
	lf_rng_seed(&r, c->seed);
	int nq = c->per_ch ? c->n : 1;
	float xs = 0.03f, ys = 0.4f, ws[512];
	int32_t xzp = c->xt == LF_DTYPE_UINT8 ? 100 : -3,
		yzp = c->yt == LF_DTYPE_UINT8 ? 120 : 5;
	int32_t wzp[512];
	for (int i = 0; i < nq; i++) {
		ws[i] = 0.002f + (float)lf_rng_range(&r, 1, 300) * 1e-4f;
		wzp[i] = c->wt == LF_DTYPE_UINT8 ? lf_rng_range(&r, 0, 255)
						 : lf_rng_range(&r, -128, 127);
	}
	int64_t ad[3] = {c->batch, c->m, c->k},
		bd[3] = {c->w_batch, c->k, c->n},
		yd[3] = {c->batch, c->m, c->n}, cd[1] = {c->n};
	struct lf_quant xq = {sizeof(struct lf_quant), &xs, &xzp, 1, 0},
			wq = {sizeof(struct lf_quant), ws, wzp, (size_t)nq, -1},
			yq = {sizeof(struct lf_quant), &ys, &yzp, 1, 0};
	int y8 = c->yt != LF_DTYPE_INT32;
	lf_tensor *a = NULL, *b = NULL, *y = NULL, *bias = NULL;
	CU_ASSERT_FATAL(
	    !lf_tensor_create(cpu, c->xt, 3, ad, &xq, &a) &&
	    !lf_tensor_create(cpu, c->wt, 3, bd, &wq, &b) &&
	    !lf_tensor_create(cpu, c->yt, 3, yd, y8 ? &yq : NULL, &y) &&
	    (!c->bias ||
	     !lf_tensor_create(cpu, LF_DTYPE_INT32, 1, cd, NULL, &bias)));
	lft_fill(&r, c->xt, a->data, a->bytes);
	lft_fill(&r, c->wt, b->data, b->bytes);
	if (bias)
		lft_fill(&r, LF_DTYPE_INT32, bias->data, bias->bytes);
	struct lf_matmul_params p = {sizeof(struct lf_matmul_params), c->act,
				     -1.0f, 3.0f};
	CU_ASSERT_EQUAL_FATAL(lf_matmul(cpu, a, b, bias, &p, y), LF_OK);
	struct lf__op op;
	CU_ASSERT_EQUAL_FATAL(lf__op_matmul(cpu, a, b, bias, &p, y, &op),
			      LF_OK);
	int ok = plan_and_interp(&op, lim, y->data, tiles, chunks);
	lf_tensor_destroy(a);
	lf_tensor_destroy(b);
	lf_tensor_destroy(y);
	lf_tensor_destroy(bias);
	return ok;
}

static void test_matmul_plans(void)
{
	lf_context *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 7);
	int iters = lf_test_slow_mode() ? 15 : 80, multi = 0, chunked = 0;
	for (int it = 0; it < iters; it++) {
		struct lft_mm c;
		lft_mm_random(&r, &c);
		if (it % 3 == 0)
			c.k = lf_rng_range(&r, 65, 200);
		if (it % 4 == 1)
			c.n = lf_rng_range(&r, 21, 50);
		if (it % 5 == 2)
			c.m = lf_rng_range(&r, 21, 45);
		if (it % 6 == 3) {
			c.batch = 22;
			c.w_batch = lf_rng_range(&r, 0, 1) ? 22 : 1;
		}
		int tiles = 0, chunks = 0;
		int ok = mm_case(cpu, &c, &small_mm, &tiles, &chunks);
		if (!ok)
			fprintf(stderr, "matmul plan %d: b%d/%d m%d k%d n%d\n",
				it, c.batch, c.w_batch, c.m, c.k, c.n);
		CU_ASSERT(ok == 1);
		multi += tiles > 1;
		chunked += chunks > 1;
	}
	CU_ASSERT(multi > iters / 3);
	CU_ASSERT(chunked > 5 * iters / 80);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

/* What no split can fix is reported, not planned wrongly. */
static void test_unsupported(void)
{
	lf_context *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	struct lft_conv c;
	memset(&c, 0, sizeof(c));
	c.xt = c.wt = c.yt = LF_DTYPE_UINT8;
	c.n = 1, c.ic = 2, c.ih = 4, c.iw = 25, c.oc = 2, c.kh = c.kw = 1;
	c.sh = c.sw = c.dh = c.dw = c.groups = 1;
	c.seed = 3;
	int t, k;
	CU_ASSERT_EQUAL(conv_case(cpu, &c, &small, &t, &k, NULL),
			-1); /* width */
	c.iw = 8;
	c.kh = c.kw = 7; /* 49 taps > kmax/pe_k = 18 vectors */
	c.ih = 8;
	CU_ASSERT_EQUAL(conv_case(cpu, &c, &small, &t, &k, NULL), -1);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

/* plan/blk.c: NCHW <-> blocked against the loops above, and the size
 * checks. */
static void test_blk_convert(void)
{
	struct lf_rng r;
	lf_rng_seed(&r, 12);
	for (int it = 0; it < 40; it++) {
		struct t4 s = {(uint64_t)lf_rng_range(&r, 1, 3),
			       (uint64_t)lf_rng_range(&r, 1, 200),
			       (uint64_t)lf_rng_range(&r, 1, 9),
			       (uint64_t)lf_rng_range(&r, 1, 9)};
		if (it % 4 == 0)
			s.c = 64 * (uint64_t)lf_rng_range(&r, 1, 3);
		uint64_t nb = s.n * s.c * s.h * s.w, bb = 0;
		CU_ASSERT_EQUAL_FATAL(lf__blk_bytes(s.n, s.c, s.h, s.w, &bb),
				      LF_OK);
		CU_ASSERT_EQUAL(bb, t_blk_bytes(s));
		uint8_t *x = malloc(nb), *want = malloc(bb), *got = malloc(bb);
		uint8_t *back = malloc(nb);
		CU_ASSERT_FATAL(x && want && got && back);
		lft_fill(&r, LF_DTYPE_UINT8, x, nb);
		uint8_t pad = (uint8_t)lf_rng_range(&r, 0, 255);
		t_to_blk(s, x, want, pad);
		memset(got, ~pad, bb);
		lf__blk_from_nchw(x, got, s.n, s.c, s.h, s.w, pad);
		CU_ASSERT_EQUAL(memcmp(got, want, bb), 0);
		/* Back: pad lanes are not read (scribble on them first). */
		for (uint64_t i = 0; i < bb; i += 64) {
			uint64_t blk = i / 64 / (s.h * s.w) % t_cb(s.c);
			for (uint64_t l = 0; l < 64; l++)
				if (blk * 64 + l >= s.c)
					got[i + l] ^= 0x5a;
		}
		memset(back, 0, nb);
		lf__blk_to_nchw(got, back, s.n, s.c, s.h, s.w);
		CU_ASSERT_EQUAL(memcmp(back, x, nb), 0);
		free(x);
		free(want);
		free(got);
		free(back);
	}
	/* 2^62 is the limit: 64 * 2^20 * 1 * 2^20 * 2^20 = 2^66 is over, and
	 * *bytes is left alone. */
	uint64_t b = 7;
	CU_ASSERT_EQUAL(
	    lf__blk_bytes(1ull << 20, 64, 1ull << 20, 1ull << 20, &b),
	    LF_ERR_OVERFLOW);
	CU_ASSERT_EQUAL(b, 7);
	CU_ASSERT_EQUAL(lf__blk_bytes(UINT64_MAX, 1, 1, 1, &b),
			LF_ERR_OVERFLOW);
	/* 65 channels are two blocks: 2 * 3 * 5 * 64 = 1920 bytes. */
	CU_ASSERT_EQUAL(lf__blk_bytes(1, 65, 3, 5, &b), LF_OK);
	CU_ASSERT_EQUAL(b, 1920);
	struct lf__layer L;
	memset(&L, 0, sizeof(L));
	L.op = LF_KOP_CONV2D;
	L.y_type = LF_DTYPE_UINT8;
	L.w_scale_count = 1;
	L.groups = 1;
	L.oc = L.ic = 1 << 30;
	L.kh = L.kw = 1 << 15;
	uint64_t wb, rb;
	CU_ASSERT_EQUAL(lf__blk_conv_bytes(&L, &wb, &rb), LF_ERR_OVERFLOW);
	L.groups = 2; /* no blocked form */
	CU_ASSERT_EQUAL(lf__blk_conv_bytes(&L, &wb, &rb), LF_ERR_UNSUPPORTED);
	L.groups = 1;
	L.y_type = LF_DTYPE_INT32;
	CU_ASSERT_EQUAL(lf__blk_conv_bytes(&L, &wb, &rb), LF_ERR_UNSUPPORTED);
}

/* Blocked convs over several channel blocks, against the reference. */
static void test_blk_conv_wide(void)
{
	lf_context *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 31);
	int iters = lf_test_slow_mode() ? 3 : 10, done = 0;
	for (int it = 0; it < iters; it++) {
		struct lft_conv c;
		lft_conv_random(&r, &c);
		c.groups = 1;
		c.ic = lf_rng_range(&r, 40, 140);
		c.oc = lf_rng_range(&r, 40, 140);
		if (c.yt == LF_DTYPE_INT32)
			c.yt = LF_DTYPE_INT8;
		int t, k, blk = -1;
		conv_case(cpu, &c, NULL, &t, &k, &blk);
		if (blk != 1)
			fprintf(stderr,
				"blocked conv %d: n%d ic%d %dx%d oc%d k%dx%d\n",
				it, c.n, c.ic, c.ih, c.iw, c.oc, c.kh, c.kw);
		CU_ASSERT_EQUAL(blk, 1);
		done += blk == 1;
	}
	CU_ASSERT_EQUAL(done, iters);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

/* Stem folding: small-ic convs with wide windows, strides, dilations and
 * pads, folded (kw x ic into the lanes) against the reference. */
static void test_blk_fold(void)
{
	lf_context *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 77);
	int iters = lf_test_slow_mode() ? 4 : 16, done = 0;
	for (int it = 0; it < iters; it++) {
		struct lft_conv c;
		lft_conv_random(&r, &c);
		c.groups = 1;
		c.ic = lf_rng_range(&r, 1, 8);
		c.kw = lf_rng_range(&r, 2, 7);
		c.kh = lf_rng_range(&r, 1, 7);
		c.sw = lf_rng_range(&r, 1, 3);
		c.pl = lf_rng_range(&r, 0, 3);
		c.pr = lf_rng_range(&r, 0, 3);
		c.oc = lf_rng_range(&r, 1, 70);
		c.dw = 1; /* the kernel folds dilation 1 only (blk.h) */
		if (c.yt == LF_DTYPE_INT32)
			c.yt = LF_DTYPE_UINT8;
		if (it == 0) { /* ResNet's stem, smaller: 7x7 s2 p3, ic 3 */
			c.ic = 3, c.kh = c.kw = 7, c.sh = c.sw = 2;
			c.pt = c.pl = c.pb = c.pr = 3, c.dh = c.dw = 1;
		}
		c.ih = lf_rng_range(&r, (c.kh - 1) * c.dh + 1, 14);
		c.iw = lf_rng_range(&r, (c.kw - 1) * c.dw + 1, 14);
		int t, k, blk = -1;
		conv_case(cpu, &c, NULL, &t, &k, &blk);
		if (blk != 1)
			fprintf(stderr,
				"folded conv %d: ic%d %dx%d k%dx%d s%d d%d "
				"p%d,%d\n",
				it, c.ic, c.ih, c.iw, c.kh, c.kw, c.sw, c.dw,
				c.pl, c.pr);
		CU_ASSERT_EQUAL(blk, 1);
		done += blk == 1;
	}
	CU_ASSERT_EQUAL(done, iters);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

/* The same splits on the emulator, through the public API. */
static void test_device_tiling(void)
{
	lf_context *ctx = lft_emu("small");
	struct lf_rng r;
	lf_rng_seed(&r, 21);
	int iters = lf_test_slow_mode() ? 4 : 16;
	int on_device = 0, multi_tile = 0;
	for (int it = 0; it < iters; it++) {
		lf_context_profile_reset(ctx);
		char where[8] = "";
		if (it % 2 == 0) {
			struct lft_conv c;
			lft_conv_random(&r, &c);
			c.ic = c.groups * lf_rng_range(&r, 18, 40);
			c.oc = c.groups * lf_rng_range(&r, 21, 26);
			if (it % 4 == 0)
				c.ih = lf_rng_range(&r, 21, 30);
			CU_ASSERT(lft_conv_check(ctx, &c, where));
		} else {
			struct lft_mm c;
			lft_mm_random(&r, &c);
			c.k = lf_rng_range(&r, 65, 180);
			c.n = lf_rng_range(&r, 15, 45);
			c.m = lf_rng_range(&r, 3, 30);
			CU_ASSERT(lft_mm_check(ctx, &c, where));
		}
		struct lf_profile_record rec =
		    LF_STRUCT_INIT(struct lf_profile_record);
		CU_ASSERT_EQUAL(lf_context_profile_get(ctx, 0, &rec), LF_OK);
		on_device += strcmp(rec.where, "device") == 0;
		multi_tile += rec.tiles > 1 && rec.launches == 1;
	}
	/* Every layer fit after splitting, each in one launch. */
	CU_ASSERT_EQUAL(on_device, iters);
	CU_ASSERT_EQUAL(multi_tile, iters);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * plan/elem.c: the one pooling decision of both paths, at its limits.
 * Limits: dim 16, kernel 4, step 2, row 5 bytes. Expected outcomes by hand.
 */
static void test_pool_limits(void)
{
	const struct lf__plimits pl = {16, 4, 2, 5, 0};
	struct lf__layer L;
	lf_desc d;
	const char *why = "";
	memset(&L, 0, sizeof(L));
	L.op = LF_KOP_MAXPOOL;
	L.x_type = L.y_type = LF_DTYPE_INT8;
	L.act_min = -128;
	L.act_max = 127;
	L.n = 1;
	L.ic = 16;
	L.ih = L.iw = 16;
	L.kh = L.kw = 3;
	L.stride_h = L.stride_w = 2;
	L.dil_h = L.dil_w = 2; /* window width (3 - 1) * 2 + 1 = 5 <= 5 */
	L.oh = L.ow = 6;       /* (16 - 5) / 2 + 1 */
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 1);
	CU_ASSERT_EQUAL(d.magic, LF_DESC_MAGIC);
	CU_ASSERT_EQUAL(d.op, LF_KOP_MAXPOOL);
	CU_ASSERT_EQUAL(d.x_type, LF_KDT_I8);
	CU_ASSERT_EQUAL(d.dil_w, 2);
	CU_ASSERT_EQUAL(d.ow, 6);
	L.kw = 4; /* (4 - 1) * 2 + 1 = 7 bytes > 5 */
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 0);
	CU_ASSERT_STRING_EQUAL(why, "pooling beyond the lfk_pool limits");
	L.kw = 3;
	L.ih = 17; /* one past dim_max */
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 0);
	L.ih = 16;
	L.stride_w = 3; /* past step_max */
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 0);
	/* A global average skips the kernel-size limit (16 > 4) but needs
	 * x_scale / (y_scale * 256) in [2^-32, 256): 1 / (1 * 256) is. */
	memset(&L, 0, sizeof(L));
	L.op = LF_KOP_AVGPOOL;
	L.x_type = L.y_type = LF_DTYPE_UINT8;
	L.act_max = 255;
	L.n = 1;
	L.ic = 8;
	L.ih = L.iw = L.kh = L.kw = 16;
	L.stride_h = L.stride_w = L.dil_h = L.dil_w = 1;
	L.oh = L.ow = 1;
	L.x_scale = 1.0f;
	L.y_scale = 1.0f;
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 1);
	CU_ASSERT_EQUAL(d.x_type, LF_KDT_U8);
	CU_ASSERT(d.x_scale == 1.0f);
	L.y_scale = 1e-9f; /* 1 / (1e-9 * 256) = 3.9e6: too large */
	CU_ASSERT_EQUAL(lf__elem_pool_desc(&L, &pl, &d, &why), 0);
	CU_ASSERT_STRING_EQUAL(why, "average scale outside ORT's range");
}

void lf_test_suite_tiling(void)
{
	static const struct lf_test_case cases[] = {
	    {"conv_plans_vs_reference", test_conv_plans},
	    {"matmul_plans_vs_reference", test_matmul_plans},
	    {"unsupported_reported", test_unsupported},
	    {"device_tiling_exact", test_device_tiling},
	    {"pool_limits", test_pool_limits},
	    {"blk_convert", test_blk_convert},
	    {"blk_conv_vs_reference", test_blk_conv_wide},
	    {"blk_fold_vs_reference", test_blk_fold},
	    {NULL, NULL},
	};
	lf_test_add_suite("tiling", NULL, NULL, cases);
}
