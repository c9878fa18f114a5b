/*
 * test_hostlib_ops.c - the layer ops on the emulated device, byte for byte
 * against the CPU reference; the buffer pool (no device allocation in a
 * steady state); CPU fallback and its profile record; injected device
 * faults (retry, fallback, no wrong result, no leak); eight threads on one
 * context.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "test_hostlib_util.h"

static lf_dev *drv(lf_context *ctx)
{
	return ctx->dev->dev;
}

static void test_conv_sweep(void)
{
	lf_context *ctx = lft_emu("default");
	struct lf_rng r;
	lf_rng_seed(&r, 1234);
	int iters = lf_test_slow_mode() ? 8 : 40;
	for (int i = 0; i < iters; i++) {
		struct lft_conv c;
		lft_conv_random(&r, &c);
		char where[8] = "";
		int ok = lft_conv_check(ctx, &c, where);
		if (!ok)
			fprintf(stderr,
				"conv %d: n%d ic%d %dx%d oc%d k%dx%d s%d,%d "
				"d%d,%d g%d yt%d act%d\n",
				i, c.n, c.ic, c.ih, c.iw, c.oc, c.kh, c.kw,
				c.sh, c.sw, c.dh, c.dw, c.groups, (int)c.yt,
				(int)c.act);
		CU_ASSERT(ok);
		CU_ASSERT_STRING_EQUAL(where, "device");
	}
	/* Depthwise with a channel multiplier, and a 1x1. */
	struct lft_conv dw = {LF_DTYPE_UINT8,
			      LF_DTYPE_INT8,
			      LF_DTYPE_UINT8,
			      1,
			      8,
			      9,
			      9,
			      16,
			      3,
			      3,
			      1,
			      1,
			      1,
			      1,
			      1,
			      1,
			      1,
			      1,
			      8,
			      1,
			      1,
			      LF_ACT_RELU,
			      0,
			      0,
			      99};
	CU_ASSERT(lft_conv_check(ctx, &dw, NULL));
	struct lft_conv pw = {LF_DTYPE_INT8,
			      LF_DTYPE_INT8,
			      LF_DTYPE_INT8,
			      2,
			      40,
			      6,
			      6,
			      24,
			      1,
			      1,
			      1,
			      1,
			      0,
			      0,
			      0,
			      0,
			      1,
			      1,
			      1,
			      0,
			      1,
			      LF_ACT_CLIP,
			      -1.0f,
			      1.0f,
			      98};
	CU_ASSERT(lft_conv_check(ctx, &pw, NULL));
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

static void test_matmul_sweep(void)
{
	lf_context *ctx = lft_emu("default");
	struct lf_rng r;
	lf_rng_seed(&r, 4321);
	int iters = lf_test_slow_mode() ? 8 : 40;
	for (int i = 0; i < iters; i++) {
		struct lft_mm c;
		lft_mm_random(&r, &c);
		char where[8] = "";
		int ok = lft_mm_check(ctx, &c, where);
		if (!ok)
			fprintf(stderr, "matmul %d: b%d/%d m%d k%d n%d yt%d\n",
				i, c.batch, c.w_batch, c.m, c.k, c.n,
				(int)c.yt);
		CU_ASSERT(ok);
		CU_ASSERT_STRING_EQUAL(where, "device");
	}
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* The reduction over kmax is split on the device and exact. */
static void test_kmax_split(void)
{
	lf_context *ctx = lft_emu("default");
	int64_t kmax = lf__dev_limit(drv(ctx), "lfk_matmul.kmax", 0);
	int64_t ckmax = lf__dev_limit(drv(ctx), "lfk_conv2d.kmax", 0);
	CU_ASSERT_FATAL(kmax > 0 && ckmax > 0);
	struct lft_mm m = {LF_DTYPE_UINT8,
			   LF_DTYPE_INT8,
			   LF_DTYPE_UINT8,
			   1,
			   3,
			   (int)kmax + 37,
			   5,
			   1,
			   1,
			   1,
			   LF_ACT_NONE,
			   77};
	char where[8];
	CU_ASSERT(lft_mm_check(ctx, &m, where));
	CU_ASSERT_STRING_EQUAL(where, "device");
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	lf_context_profile_get(ctx, lf_context_profile_count(ctx) - 1, &rec);
	CU_ASSERT(rec.tiles >= 2);
	CU_ASSERT_EQUAL(rec.launches, 1);
	/* conv: 3x3 taps over more channels than kmax holds. */
	int ic = (int)(ckmax / 9) + 20;
	struct lft_conv c = {LF_DTYPE_INT8,
			     LF_DTYPE_INT8,
			     LF_DTYPE_INT8,
			     1,
			     ic,
			     4,
			     4,
			     3,
			     3,
			     3,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     LF_ACT_NONE,
			     0,
			     0,
			     78};
	CU_ASSERT(lft_conv_check(ctx, &c, where));
	CU_ASSERT_STRING_EQUAL(where, "device");
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* A repeated op allocates no device memory after the first run. */
static void test_pool_reuse(void)
{
	lf_context *ctx = lft_emu("default");
	struct lft_conv c = {LF_DTYPE_UINT8,
			     LF_DTYPE_INT8,
			     LF_DTYPE_UINT8,
			     1,
			     16,
			     10,
			     10,
			     16,
			     3,
			     3,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     1,
			     LF_ACT_RELU,
			     0,
			     0,
			     5};
	/* Warm up: one op per CU (each CU's ports may reach other banks). */
	for (unsigned i = 0; i < ctx->dev->conv.ncus; i++)
		CU_ASSERT(lft_conv_check(ctx, &c, NULL));
	struct lf_dev_counters c0, c1;
	CU_ASSERT_EQUAL_FATAL(lf__dev_counters(drv(ctx), &c0), LF_OK);
	for (int i = 0; i < 6; i++)
		CU_ASSERT(lft_conv_check(ctx, &c, NULL));
	CU_ASSERT_EQUAL_FATAL(lf__dev_counters(drv(ctx), &c1), LF_OK);
	CU_ASSERT_EQUAL(c1.allocs, c0.allocs);
	CU_ASSERT_EQUAL(c1.launches, c0.launches + 6);
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	lf_context_profile_get(ctx, lf_context_profile_count(ctx) - 1, &rec);
	CU_ASSERT_STRING_EQUAL(rec.where, "device");
	/* What the record counts is what the device saw: at most params,
	 * descriptors and inputs up, each read back (the end-to-end check),
	 * the last status word and the outputs (read twice) down. */
	CU_ASSERT(rec.dma_transfers >= 3 && rec.dma_transfers <= 9);
	CU_ASSERT_EQUAL(c1.h2d_transfers - c0.h2d_transfers + c1.d2h_transfers -
			    c0.d2h_transfers,
			6ull * rec.dma_transfers);
	CU_ASSERT(rec.device_ns > 0);
	CU_ASSERT(rec.h2d_bytes >= 16 * 100);
	CU_ASSERT(rec.d2h_bytes >= 16 * 100);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	/* Closing freed everything the pool held (no leak on the card):
	 * checked by the driver refusing to close with live buffers. */
}

static void make_pool_set(lf_context *ctx, lf_tensor **x, lf_tensor **y,
			  lf_tensor **a, lf_tensor **b, lf_tensor **s)
{
	float sc = 0.1f, sy = 0.2f;
	int32_t zp = 3;
	struct lf_quant q = {sizeof(struct lf_quant), &sc, &zp, 1, 0},
			qy = {sizeof(struct lf_quant), &sy, &zp, 1, 0};
	int64_t xd[4] = {1, 3, 6, 6}, yd[4] = {1, 3, 3, 3};
	CU_ASSERT_FATAL(!lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, &q, x) &&
			!lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, yd, &qy, y) &&
			!lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, &q, a) &&
			!lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, &qy, b) &&
			!lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, &qy, s));
	struct lf_rng r;
	lf_rng_seed(&r, 9);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(*x), 108);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(*a), 108);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(*b), 108);
}

/* Ops with no device kernel run on the CPU, and the record says why. */
static void test_fallback(void)
{
	lf_context *ctx = lft_emu("default"), *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	lf_tensor *x, *y, *a, *b, *s, *x2, *y2, *a2, *b2, *s2;
	make_pool_set(ctx, &x, &y, &a, &b, &s);
	make_pool_set(cpu, &x2, &y2, &a2, &b2, &s2);
	struct lf_pool_params pp = {
	    sizeof(struct lf_pool_params), 2, 2, 2, 2, 0, 0, 0, 0, 0};
	CU_ASSERT_EQUAL(lf_maxpool(ctx, x, &pp, y), LF_OK);
	CU_ASSERT_EQUAL(lf_maxpool(cpu, x2, &pp, y2), LF_OK);
	CU_ASSERT_EQUAL(memcmp(lf_tensor_data(y), lf_tensor_data(y2), 27), 0);
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	lf_context_profile_get(ctx, lf_context_profile_count(ctx) - 1, &rec);
	CU_ASSERT_STRING_EQUAL(rec.op, "maxpool");
	CU_ASSERT_STRING_EQUAL(rec.where, "cpu");
	CU_ASSERT(strstr(rec.why_cpu, "no device kernel") != NULL);
	CU_ASSERT_EQUAL(lf_avgpool(ctx, x, &pp, y), LF_OK);
	CU_ASSERT_EQUAL(lf_avgpool(cpu, x2, &pp, y2), LF_OK);
	CU_ASSERT_EQUAL(memcmp(lf_tensor_data(y), lf_tensor_data(y2), 27), 0);
	CU_ASSERT_EQUAL(lf_add(ctx, a, b, s), LF_OK);
	CU_ASSERT_EQUAL(lf_add(cpu, a2, b2, s2), LF_OK);
	CU_ASSERT_EQUAL(memcmp(lf_tensor_data(s), lf_tensor_data(s2), 108), 0);
	lf_tensor *t[] = {x, y, a, b, s, x2, y2, a2, b2, s2};
	for (int i = 0; i < 10; i++)
		lf_tensor_destroy(t[i]);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);

	/* LAYERFAB_FALLBACK=off: an error naming the reason. */
	setenv("LAYERFAB_FALLBACK", "off", 1);
	ctx = lft_emu("default");
	unsetenv("LAYERFAB_FALLBACK");
	make_pool_set(ctx, &x, &y, &a, &b, &s);
	CU_ASSERT_EQUAL(lf_maxpool(ctx, x, &pp, y), LF_ERR_UNSUPPORTED);
	CU_ASSERT(strstr(lf_context_last_error(ctx), "LAYERFAB_FALLBACK") !=
		  NULL);
	lf_tensor *u[] = {x, y, a, b, s};
	for (int i = 0; i < 5; i++)
		lf_tensor_destroy(u[i]);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* test_model.c: an emulated aws-f1 xclbin with lfk_pool, lfk_add and
 * lfk_engine CUs. */
const char *lftm_engine_xclbin(void);

static float rand_scale(struct lf_rng *r)
{
	return 0.005f + (float)lf_rng_range(r, 0, 1000) / 997.0f;
}

static int32_t rand_zp(struct lf_rng *r, lf_dtype t)
{
	return t == LF_DTYPE_UINT8 ? lf_rng_range(r, 0, 255)
				   : lf_rng_range(r, -128, 127);
}

/* One op on @dev and on @cpu, byte for byte, and it ran on the device. */
static int same_on_device(lf_context *dev, lf_tensor *yd, lf_tensor *yc,
			  const char *what)
{
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	lf_context_profile_get(dev, lf_context_profile_count(dev) - 1, &rec);
	int ok = strcmp(rec.where, "device") == 0 &&
		 lf_tensor_bytes(yd) == lf_tensor_bytes(yc) &&
		 memcmp(lf_tensor_data(yd), lf_tensor_data(yc),
			lf_tensor_bytes(yd)) == 0;
	if (!ok)
		fprintf(stderr, "\n    %s: where %s (%s), bytes %s ", what,
			rec.where, rec.why_cpu,
			memcmp(lf_tensor_data(yd), lf_tensor_data(yc),
			       lf_tensor_bytes(yd))
			    ? "differ"
			    : "same");
	return ok;
}

/* lf_maxpool / lf_avgpool / lf_add on lfk_pool / lfk_add: random
 * windows, pads, strides, global averages, scales, zero points and
 * shapes (an add past lfk_add.dim_max elements takes two descriptors;
 * all-ones shapes take ORT's swapped operand order), byte for byte
 * against the CPU reference. */
static void test_device_pool_add(void)
{
	const char *xb = lftm_engine_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(xb);
	lf_context *dev = NULL, *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", xb, &dev), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	dev->fallback = 0;
	struct lf_rng r;
	lf_rng_seed(&r, 4242);
	int bad = 0;
	for (int it = 0; it < 240; it++) {
		lf_dtype t =
		    lf_rng_range(&r, 0, 1) ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
		float sx = rand_scale(&r), sy = rand_scale(&r);
		int32_t zx = rand_zp(&r, t), zy = rand_zp(&r, t);
		struct lf_quant qx = {sizeof(struct lf_quant), &sx, &zx, 1, 0},
				qy = {sizeof(struct lf_quant), &sy, &zy, 1, 0};
		char what[96];
		if (it % 3 != 2) {
			int avg = it % 3 == 1;
			int64_t xd[4] = {
			    lf_rng_range(&r, 1, 2), lf_rng_range(&r, 1, 5),
			    lf_rng_range(&r, 1, 12), lf_rng_range(&r, 1, 12)};
			struct lf_pool_params pp =
			    LF_STRUCT_INIT(struct lf_pool_params);
			if (avg && it % 5 == 0) { /* global */
				pp.kernel_h = (int)xd[2];
				pp.kernel_w = (int)xd[3];
			} else {
				pp.kernel_h = lf_rng_range(&r, 1, 4);
				pp.kernel_w = lf_rng_range(&r, 1, 4);
				pp.stride_h = lf_rng_range(&r, 1, 3);
				pp.stride_w = lf_rng_range(&r, 1, 3);
				pp.pad_top =
				    lf_rng_range(&r, 0, pp.kernel_h - 1);
				pp.pad_bottom =
				    lf_rng_range(&r, 0, pp.kernel_h - 1);
				pp.pad_left =
				    lf_rng_range(&r, 0, pp.kernel_w - 1);
				pp.pad_right =
				    lf_rng_range(&r, 0, pp.kernel_w - 1);
				pp.count_include_pad = lf_rng_range(&r, 0, 1);
			}
			int64_t sh = pp.stride_h ? pp.stride_h : 1;
			int64_t sw = pp.stride_w ? pp.stride_w : 1;
			int64_t oh =
			    (xd[2] + pp.pad_top + pp.pad_bottom - pp.kernel_h) /
				sh +
			    1;
			int64_t ow =
			    (xd[3] + pp.pad_left + pp.pad_right - pp.kernel_w) /
				sw +
			    1;
			if (xd[2] + pp.pad_top + pp.pad_bottom < pp.kernel_h ||
			    xd[3] + pp.pad_left + pp.pad_right < pp.kernel_w)
				continue;
			int64_t yd[4] = {xd[0], xd[1], oh, ow};
			lf_tensor *x, *y, *x2, *y2;
			struct lf_quant *qyy = avg ? &qy : &qx;
			CU_ASSERT_FATAL(
			    !lf_tensor_create(dev, t, 4, xd, &qx, &x) &&
			    !lf_tensor_create(dev, t, 4, yd, qyy, &y) &&
			    !lf_tensor_create(cpu, t, 4, xd, &qx, &x2) &&
			    !lf_tensor_create(cpu, t, 4, yd, qyy, &y2));
			lft_fill(&r, t, lf_tensor_data(x), lf_tensor_bytes(x));
			memcpy(lf_tensor_data(x2), lf_tensor_data(x),
			       lf_tensor_bytes(x));
			lf_status s1 = avg ? lf_avgpool(dev, x, &pp, y)
					   : lf_maxpool(dev, x, &pp, y);
			lf_status s2 = avg ? lf_avgpool(cpu, x2, &pp, y2)
					   : lf_maxpool(cpu, x2, &pp, y2);
			snprintf(what, sizeof(what),
				 "%s %lldx%lldx%lldx%lld k%dx%d s%dx%d",
				 avg ? "avgpool" : "maxpool", (long long)xd[0],
				 (long long)xd[1], (long long)xd[2],
				 (long long)xd[3], pp.kernel_h, pp.kernel_w,
				 pp.stride_h, pp.stride_w);
			CU_ASSERT_EQUAL(s1, s2);
			if (s1 == LF_OK && s2 == LF_OK)
				bad += !same_on_device(dev, y, y2, what);
			lf_tensor *all[] = {x, y, x2, y2};
			for (int i = 0; i < 4; i++)
				lf_tensor_destroy(all[i]);
			continue;
		}
		float sb = rand_scale(&r);
		int32_t zb = rand_zp(&r, t);
		struct lf_quant qb = {sizeof(struct lf_quant), &sb, &zb, 1, 0};
		int nd = lf_rng_range(&r, 0, 4);
		int64_t d[4] = {1, 1, 1, 1};
		for (int i = 0; i < nd; i++)
			d[i] = it % 7 == 0 ? 1 : lf_rng_range(&r, 1, 7);
		if (it == 2) { /* past lfk_add.dim_max: two descriptors */
			nd = 1;
			d[0] = 70001;
		}
		lf_tensor *a, *b, *y, *a2, *b2, *y2;
		CU_ASSERT_FATAL(!lf_tensor_create(dev, t, nd, d, &qx, &a) &&
				!lf_tensor_create(dev, t, nd, d, &qb, &b) &&
				!lf_tensor_create(dev, t, nd, d, &qy, &y) &&
				!lf_tensor_create(cpu, t, nd, d, &qx, &a2) &&
				!lf_tensor_create(cpu, t, nd, d, &qb, &b2) &&
				!lf_tensor_create(cpu, t, nd, d, &qy, &y2));
		lft_fill(&r, t, lf_tensor_data(a), lf_tensor_bytes(a));
		lft_fill(&r, t, lf_tensor_data(b), lf_tensor_bytes(b));
		memcpy(lf_tensor_data(a2), lf_tensor_data(a),
		       lf_tensor_bytes(a));
		memcpy(lf_tensor_data(b2), lf_tensor_data(b),
		       lf_tensor_bytes(b));
		CU_ASSERT_EQUAL(lf_add(dev, a, b, y), LF_OK);
		CU_ASSERT_EQUAL(lf_add(cpu, a2, b2, y2), LF_OK);
		snprintf(what, sizeof(what), "add rank %d, %zu elements", nd,
			 lf_tensor_bytes(a));
		bad += !same_on_device(dev, y, y2, what);
		lf_tensor *all[] = {a, b, y, a2, b2, y2};
		for (int i = 0; i < 6; i++)
			lf_tensor_destroy(all[i]);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(lf_context_destroy(dev), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

static const struct lft_conv fault_conv = {LF_DTYPE_UINT8,
					   LF_DTYPE_INT8,
					   LF_DTYPE_UINT8,
					   1,
					   8,
					   8,
					   8,
					   8,
					   3,
					   3,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   1,
					   LF_ACT_NONE,
					   0,
					   0,
					   31};

/* Runs since timeline sequence @from whose first pointer argument (the
 * descriptors) is not where an upload started, i.e. not offset 0 of a
 * buffer; *runs counts the runs. */
static int runs_off_zero(lf_context *ctx, uint64_t from, int *runs)
{
	struct lf_tl_event ev[64];
	uint64_t up[512];
	int nup = 0, bad = 0;
	uint32_t got;
	*runs = 0;
	do {
		if (lf__dev_timeline(drv(ctx), from, ev, 64, &got))
			return -1;
		for (uint32_t i = 0; i < got; i++) {
			if (ev[i].kind == LF_TL_H2D && nup < 512)
				up[nup++] = ev[i].addr;
			if (ev[i].kind != LF_TL_RUN)
				continue;
			(*runs)++;
			int found = 0;
			for (int j = 0; j < nup; j++)
				found |= up[j] == ev[i].addr;
			bad += !found;
		}
		if (got)
			from = ev[got - 1].seq + 1;
	} while (got == 64);
	return bad;
}

static uint64_t tl_end(lf_context *ctx)
{
	struct lf_tl_event ev[64];
	uint64_t from = 0;
	uint32_t got;
	do {
		if (lf__dev_timeline(drv(ctx), from, ev, 64, &got))
			return 0;
		if (got)
			from = ev[got - 1].seq + 1;
	} while (got == 64);
	return from;
}

/* Single ops pass desc, params and act at offset 0 of their buffers. */
static void test_arg_offsets(void)
{
	/* aws-f1 (desc and act in different banks: a descriptor buffer)
	 * and tiny (one bank: descriptors at the start of the act buffer) */
	const char *which[2] = {"default", "small"};
	int runs;
	uint64_t from;
	for (int k = 0; k < 2; k++) {
		lf_context *ctx = lft_emu(which[k]);
		struct lft_conv c = fault_conv;
		from = tl_end(ctx);
		for (int i = 0; i < 3; i++)
			CU_ASSERT(lft_conv_check(ctx, &c, NULL));
		CU_ASSERT_EQUAL(runs_off_zero(ctx, from, &runs), 0);
		CU_ASSERT(runs >= 3);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}

	lf_context *dev = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu", lftm_engine_xclbin(), &dev), LF_OK);
	lf_tensor *x, *y, *a, *b, *s;
	make_pool_set(dev, &x, &y, &a, &b, &s);
	struct lf_pool_params pp = {
	    sizeof(struct lf_pool_params), 2, 2, 2, 2, 0, 0, 0, 0, 0};
	from = tl_end(dev);
	CU_ASSERT_EQUAL(lf_maxpool(dev, x, &pp, y), LF_OK);
	CU_ASSERT_EQUAL(lf_avgpool(dev, x, &pp, y), LF_OK);
	CU_ASSERT_EQUAL(lf_add(dev, a, b, s), LF_OK);
	CU_ASSERT_EQUAL(runs_off_zero(dev, from, &runs), 0);
	CU_ASSERT_EQUAL(runs, 3);
	lf_tensor *u[] = {x, y, a, b, s};
	for (int i = 0; i < 5; i++)
		lf_tensor_destroy(u[i]);
	CU_ASSERT_EQUAL(lf_context_destroy(dev), LF_OK);
}

static void last_rec(lf_context *ctx, struct lf_profile_record *rec)
{
	lf_context_profile_get(ctx, lf_context_profile_count(ctx) - 1, rec);
}

static void test_faults(void)
{
	lf_context *ctx = lft_emu("default");
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	struct lf_dev_counters c0, c1;

	/* One failed transfer: retried on the device, right bytes. */
	struct lf_fault f = {LF_FAULT_DMA_FAIL, 1, -1};
	CU_ASSERT_EQUAL_FATAL(lf__dev_fault(drv(ctx), &f), LF_OK);
	CU_ASSERT(lft_conv_check(ctx, &fault_conv, NULL));
	last_rec(ctx, &rec);
	CU_ASSERT_STRING_EQUAL(rec.where, "device");

	/* Allocation failure in a cold pool: the op still succeeds. */
	lf_context *cold = lft_emu("default");
	f = (struct lf_fault){LF_FAULT_ALLOC, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(drv(cold), &f), LF_OK);
	CU_ASSERT(lft_conv_check(cold, &fault_conv, NULL));
	CU_ASSERT_EQUAL(lf_context_destroy(cold), LF_OK);

	/* A hung CU: the wait times out, the run is aborted, retried. */
	ctx->dev->timeout_ms = 200;
	f = (struct lf_fault){LF_FAULT_CU_HANG, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(drv(ctx), &f), LF_OK);
	CU_ASSERT(lft_conv_check(ctx, &fault_conv, NULL));
	last_rec(ctx, &rec);
	CU_ASSERT_STRING_EQUAL(rec.where, "device");

	/* Two hangs in a row: retry fails too, the CPU answers. */
	f = (struct lf_fault){LF_FAULT_CU_HANG, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(drv(ctx), &f), LF_OK);
	lf__dev_counters(drv(ctx), &c0);
	CU_ASSERT(lft_conv_check(ctx, &fault_conv, NULL));
	lf__dev_counters(drv(ctx), &c1);
	last_rec(ctx, &rec);
	/* The second attempt may land on the other CU and succeed; either
	 * way the bytes were right. */
	CU_ASSERT(strcmp(rec.where, "device") == 0 ||
		  strstr(rec.why_cpu, "LF_ERR_TIMEOUT") != NULL);

	/* Device lost mid-run: every later op runs on the CPU. */
	f = (struct lf_fault){LF_FAULT_DEVICE_LOST, 2, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(drv(ctx), &f), LF_OK);
	CU_ASSERT(lft_conv_check(ctx, &fault_conv, NULL));
	last_rec(ctx, &rec);
	CU_ASSERT_STRING_EQUAL(rec.where, "cpu");
	CU_ASSERT(strstr(rec.why_cpu, "LOST") != NULL);
	CU_ASSERT(lft_conv_check(ctx, &fault_conv, NULL));
	last_rec(ctx, &rec);
	CU_ASSERT_STRING_EQUAL(rec.why_cpu, "device lost");
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);

	/* With fallback off the failure is the op's error. */
	setenv("LAYERFAB_FALLBACK", "off", 1);
	ctx = lft_emu("default");
	unsetenv("LAYERFAB_FALLBACK");
	f = (struct lf_fault){LF_FAULT_DEVICE_LOST, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(drv(ctx), &f), LF_OK);
	CU_ASSERT(!lft_conv_check(ctx, &fault_conv, NULL));
	CU_ASSERT(strstr(lf_context_last_error(ctx), "LOST") != NULL);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* Explicit residency on a device context; the copy is freed with the
 * tensor (a leak would keep the device from closing, which ASan sees). */
static void test_residency(void)
{
	lf_context *ctx = lft_emu("default");
	lf_tensor *t;
	int64_t d[2] = {100, 100};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_INT8, 2, d, NULL, &t), LF_OK);
	memset(lf_tensor_data(t), 7, 10000);
	struct lf_dev_counters c0, c1;
	lf__dev_counters(drv(ctx), &c0);
	CU_ASSERT_EQUAL(lf_tensor_to_device(t), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_to_device(t), LF_OK); /* already there */
	lf__dev_counters(drv(ctx), &c1);
	CU_ASSERT_EQUAL(c1.h2d_bytes - c0.h2d_bytes, 10000);
	CU_ASSERT_EQUAL(lf_tensor_mark_host_dirty(t), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_to_device(t), LF_OK); /* dirty: again */
	lf__dev_counters(drv(ctx), &c0);
	CU_ASSERT_EQUAL(c0.h2d_bytes - c1.h2d_bytes, 10000);
	CU_ASSERT_EQUAL(lf_tensor_to_host(t), LF_OK);
	CU_ASSERT_EQUAL(((int8_t *)lf_tensor_data(t))[9999], 7);
	CU_ASSERT_EQUAL(lf_tensor_to_device(NULL), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_tensor_destroy(t), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* Eight threads, one context, identical results. */
struct th_arg {
	lf_context *ctx;
	int ok;
};

static void *th_main(void *p)
{
	struct th_arg *a = p;
	struct lf_rng r;
	lf_rng_seed(&r, 555); /* same layers in every thread */
	a->ok = 1;
	int iters = lf_test_slow_mode() ? 2 : 6;
	for (int i = 0; i < iters; i++) {
		struct lft_conv c;
		struct lft_mm m;
		lft_conv_random(&r, &c);
		lft_mm_random(&r, &m);
		a->ok &= lft_conv_check(a->ctx, &c, NULL);
		a->ok &= lft_mm_check(a->ctx, &m, NULL);
	}
	return NULL;
}

static void test_threads(void)
{
	lf_context *ctx = lft_emu("default");
	pthread_t th[8];
	struct th_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i].ctx = ctx;
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&th[i], NULL, th_main, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT(args[i].ok);
	}
	/* Every op ran on the device. */
	size_t n = lf_context_profile_count(ctx);
	int dev = 0;
	for (size_t i = 0; i < n; i++) {
		struct lf_profile_record rec =
		    LF_STRUCT_INIT(struct lf_profile_record);
		lf_context_profile_get(ctx, i, &rec);
		dev += strcmp(rec.where, "device") == 0;
	}
	CU_ASSERT_EQUAL((size_t)dev, n);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* One conv on @dev and on @cpu (same bytes in), byte for byte; *rec
 * receives @dev's record. */
static int conv_both(lf_context *dev, lf_context *cpu, lf_tensor *const *td,
		     lf_tensor *const *tc, struct lf_profile_record *rec)
{
	struct lf_conv2d_params p = LF_STRUCT_INIT(struct lf_conv2d_params);
	p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
	for (int i = 0; i < 2; i++)
		memcpy(lf_tensor_data(tc[i]), lf_tensor_data(td[i]),
		       lf_tensor_bytes(td[i]));
	if (lf_conv2d(dev, td[0], td[1], NULL, &p, td[2]) ||
	    lf_conv2d(cpu, tc[0], tc[1], NULL, &p, tc[2]))
		return 0;
	last_rec(dev, rec);
	return strcmp(rec->where, "device") == 0 &&
	       memcmp(lf_tensor_data(td[2]), lf_tensor_data(tc[2]),
		      lf_tensor_bytes(td[2])) == 0;
}

/*
 * Single ops run as cached one-node plans (hostlib/exec/op_exec.c): new
 * weights of the same shape and quantization reach the card (the CPU
 * reference says whether the bytes are right), unchanged weights are not
 * uploaded again, and a plan evicted by 20 other shapes is made again.
 */
static void test_plan_cache(void)
{
	lf_context *ctx = lft_emu("default"), *cpu = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	float sx = 0.02f, sw = 0.01f, sy = 0.05f;
	int32_t zx = 128, zw = 0, zy = 3;
	struct lf_quant qx = {sizeof(struct lf_quant), &sx, &zx, 1, 0},
			qw = {sizeof(struct lf_quant), &sw, &zw, 1, 0},
			qy = {sizeof(struct lf_quant), &sy, &zy, 1, 0};
	int64_t xd[4] = {1, 8, 6, 6}, wd[4] = {8, 8, 3, 3};
	lf_tensor *td[3], *tc[3];
	lf_context *c2[2] = {ctx, cpu};
	for (int k = 0; k < 2; k++) {
		lf_tensor **t = k ? tc : td;
		CU_ASSERT_FATAL(!lf_tensor_create(c2[k], LF_DTYPE_UINT8, 4, xd,
						  &qx, &t[0]) &&
				!lf_tensor_create(c2[k], LF_DTYPE_INT8, 4, wd,
						  &qw, &t[1]) &&
				!lf_tensor_create(c2[k], LF_DTYPE_UINT8, 4, xd,
						  &qy, &t[2]));
	}
	struct lf_rng r;
	lf_rng_seed(&r, 77);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(td[0]), 288);
	lft_fill(&r, LF_DTYPE_INT8, lf_tensor_data(td[1]), 576);
	struct lf_profile_record r0 = LF_STRUCT_INIT(struct lf_profile_record),
				 r1 = LF_STRUCT_INIT(struct lf_profile_record),
				 r2 = LF_STRUCT_INIT(struct lf_profile_record);
	CU_ASSERT(conv_both(ctx, cpu, td, tc, &r0));
	/* Other weights, written in place (no lf_tensor_mark_host_dirty:
	 * the bytes decide), then the same once more. */
	lft_fill(&r, LF_DTYPE_INT8, lf_tensor_data(td[1]), 576);
	CU_ASSERT(conv_both(ctx, cpu, td, tc, &r1));
	CU_ASSERT(conv_both(ctx, cpu, td, tc, &r2));
	/* r1 sent the 8 x 8 x 3 x 3 weights (576 bytes, more with their
	 * per-channel records, once per copy) and read them back; r2 moved
	 * none. */
	CU_ASSERT(r1.h2d_bytes >= r2.h2d_bytes + 576);
	CU_ASSERT(r1.d2h_bytes >= r2.d2h_bytes + 576);
	CU_ASSERT(r1.dma_transfers >= r2.dma_transfers + 2);
	/* The first call counts its weights too. */
	CU_ASSERT(r0.h2d_bytes >= r2.h2d_bytes + 576);
	char where[8] = "";
	for (int ic = 1; ic <= 20; ic++) {
		struct lft_conv o = fault_conv;
		o.ic = ic;
		o.seed = 100 + (uint64_t)ic;
		CU_ASSERT(lft_conv_check(ctx, &o, where));
		CU_ASSERT_STRING_EQUAL(where, "device");
	}
	lft_fill(&r, LF_DTYPE_INT8, lf_tensor_data(td[1]), 576);
	CU_ASSERT(conv_both(ctx, cpu, td, tc, &r1));
	for (int i = 0; i < 3; i++) {
		lf_tensor_destroy(td[i]);
		lf_tensor_destroy(tc[i]);
	}
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

void lf_test_suite_hostlib_ops(void)
{
	static const struct lf_test_case cases[] = {
	    {"conv_sweep_emu_vs_ref", test_conv_sweep},
	    {"matmul_sweep_emu_vs_ref", test_matmul_sweep},
	    {"kmax_split", test_kmax_split},
	    {"pool_reuse", test_pool_reuse},
	    {"fallback", test_fallback},
	    {"device_pool_add", test_device_pool_add},
	    {"arg_offsets", test_arg_offsets},
	    {"faults", test_faults},
	    {"residency", test_residency},
	    {"threads_8", test_threads},
	    {"plan_cache", test_plan_cache},
	    {NULL, NULL},
	};
	lf_test_add_suite("hostlib_ops", NULL, NULL, cases);
}
