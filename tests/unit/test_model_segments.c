/*
 * test_model_segments.c - the "model_segments" suite: values that live
 * across device segments, and what happens when a segment fails
 * (hostlib/plan/model_plan.c memory plan, hostlib/exec/model_exec.c,
 * hostlib/model/run.c fallback).
 *
 * The model is the shape of MobileNetV2's inverted-residual pairs as
 * PyTorch's FX flow exports them (ReLU6 as a standalone DequantizeLinear
 * -> Clip -> QuantizeLinear that runs on the CPU and splits the network):
 *
 *   x -> DQ -> Clip|Softmax -> Q -> x1                  CPU
 *   x1 -> conv_a (1x1) -> A -> conv_b (1x1) -> B        device segment 0
 *   B -> DQ -> Clip|Softmax -> Q -> C                   CPU
 *   C -> conv_c (1x1) -> D ; QLinearAdd(A, D) -> E      device segment 1
 *                                                       (the add on the
 *                                                       card with
 *                                                       lfk_engine, else
 *                                                       on the CPU)
 *
 * A is written by segment 0, downloaded, and read again by segment 1 (or
 * a CPU add): it lives in two segments. Before the fix, with lfk_engine,
 * A had one plan-wide arena offset, its place in segment 1's upload
 * block, which segment 0's conv_b output overlapped: LF_KST_BOUNDS, and a
 * silent CPU fallback that wrote A over x1 in the host buffers (the host
 * plan had A live from segment 0's last node only). Expected bytes come
 * from the "cpu" device, which runs every node on the CPU reference and
 * touches no device plan or arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

/* test_model.c: an emulated aws-f1 xclbin with lfk_engine CUs. */
const char *lftm_engine_xclbin(void);

static lf_context *cpu_ctx;

static int suite_init(void)
{
	return lf_context_create("cpu", NULL, &cpu_ctx) != LF_OK;
}

static int suite_clean(void)
{
	lf_context_destroy(cpu_ctx);
	cpu_ctx = NULL;
	return 0;
}

#define C_CH  8
#define C_HW  6
#define C_MID 2

enum cpu_step { STEP_CLIP, STEP_SOFTMAX };

/* DQ(@in) -> Clip (0, 0.8) or Softmax (axis 3) -> Q(@out): node and value
 * names end in @tag. */
static void cpu_step(struct lft_onnx *b, enum cpu_step step, const char *tag,
		     const char *in, const char *out)
{
	char n[32], f[32], g[32], io[64];
	snprintf(f, sizeof(f), "f%s", tag);
	snprintf(g, sizeof(g), "g%s", tag);
	snprintf(n, sizeof(n), "dq%s", tag);
	lft_onnx_node(b, "DequantizeLinear", "", n, in, f);
	if (step == STEP_CLIP) {
		snprintf(n, sizeof(n), "relu6_%s", tag);
		snprintf(io, sizeof(io), "%s,lo,hi", f);
		lft_onnx_node(b, "Clip", "", n, io, g);
	} else {
		snprintf(n, sizeof(n), "softmax%s", tag);
		lft_onnx_node(b, "Softmax", "", n, f, g);
		lft_onnx_attr_i(b, "axis", 3);
	}
	/* Q(g, scale, zp) -> y, from "y,scale,zp" */
	const char *c = strchr(out, ',');
	snprintf(io, sizeof(io), "%s%s", g, c);
	snprintf(n, sizeof(n), "q%s", tag);
	char y[32];
	snprintf(y, sizeof(y), "%.*s", (int)(c - out), out);
	lft_onnx_node(b, "QuantizeLinear", "", n, io, y);
}

/* The residual model above; @step picks the float op between DQ and Q. */
static uint8_t *residual_model(enum cpu_step step, size_t *len)
{
	int64_t xd[4] = {1, C_CH, C_HW, C_HW};
	/* conv_b narrows to C_MID channels, conv_c widens back: the CPU
	 * step's float buffers are smaller than A, as in MobileNetV2's
	 * projection / expansion pairs, so the host plan packs A tightly. */
	int64_t wd[3][4] = {
	    {C_CH, C_CH, 1, 1}, {C_MID, C_CH, 1, 1}, {C_CH, C_MID, 1, 1}};
	int8_t w[3][C_CH * C_CH];
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < C_CH * C_CH; i++)
			w[k][i] =
			    (int8_t)((i * (29 + 6 * k) + 7 * k) % 61 - 30);
	float xs = 0.02f, ws = 0.01f, as = 0.03f, bs = 0.025f, cs = 0.006f;
	float ds = 0.04f, es = 0.05f, lo = 0.0f, hi = 0.8f;
	uint8_t xz = 12, az = 100, bz = 90, cz = 0, dz = 130, ez = 120;
	int8_t wz = 0;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "E", 2, 4, xd);
	const char *wn[3] = {"w1", "w2", "w3"};
	for (int k = 0; k < 3; k++)
		lft_onnx_init(b, wn[k], 3, 4, wd[k], w[k],
			      (size_t)(wd[k][0] * wd[k][1]));
	const char *fn[9] = {"xs", "ws", "as", "bs", "cs",
			     "ds", "es", "lo", "hi"};
	const float fv[9] = {xs, ws, as, bs, cs, ds, es, lo, hi};
	for (int k = 0; k < 9; k++)
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
	const char *zn[6] = {"xz", "az", "bz", "cz", "dz", "ez"};
	const uint8_t zv[6] = {xz, az, bz, cz, dz, ez};
	for (int k = 0; k < 6; k++)
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	cpu_step(b, step, "0", "x,xs,xz", "x1,cs,cz");
	lft_onnx_node(b, "QLinearConv", "", "conv_a", "x1,cs,cz,w1,ws,wz,as,az",
		      "A");
	lft_onnx_node(b, "QLinearConv", "", "conv_b", "A,as,az,w2,ws,wz,bs,bz",
		      "B");
	cpu_step(b, step, "1", "B,bs,bz", "C,cs,cz");
	lft_onnx_node(b, "QLinearConv", "", "conv_c", "C,cs,cz,w3,ws,wz,ds,dz",
		      "D");
	lft_onnx_node(b, "QLinearAdd", "com.microsoft", "add",
		      "A,as,az,D,ds,dz,es,ez", "E");
	return lft_onnx_finish(b, len);
}

static lf_tensor *input(lf_context *ctx, uint64_t seed)
{
	int64_t xd[4] = {1, C_CH, C_HW, C_HW};
	lf_tensor *x = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, seed);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x), lf_tensor_bytes(x));
	return x;
}

/* The model's output for input @seed on @ctx (NULL if the run failed). */
static lf_tensor *run_model(lf_context *ctx, const uint8_t *buf, size_t len,
			    uint64_t seed, lf_run_profile *prof)
{
	lf_model *m = NULL;
	lf_status st = lf_model_load_memory(ctx, buf, len, NULL, &m);
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	lf_tensor *x = input(ctx, seed), *y[1] = {NULL};
	st = lf_model_run(m, &x, 1, y, 1, prof);
	if (st != LF_OK)
		fprintf(stderr, "run: %s: %s\n", lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	lf_tensor_destroy(x);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	return y[0];
}

/* Device segments that ran on the device, from the profile. */
static unsigned device_segments(const lf_run_profile *p)
{
	unsigned n = 0;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r;
		lf_run_profile_get(p, i, &r);
		if (strcmp(r.where, "device") == 0 && r.segment + 1 > n)
			n = r.segment + 1;
	}
	return n;
}

static lf_context *engine_ctx(void)
{
	const char *x = lftm_engine_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &ctx), LF_OK);
	return ctx;
}

/*
 * A value written by one device segment and read by a later one: the
 * device path alone (LAYERFAB_FALLBACK=off) gives the cpu device's
 * bytes, with the per-kernel xclbin (the add on the CPU) and with
 * lfk_engine (the add on the card, A uploaded into segment 1).
 */
static void test_residual_across_segments(void)
{
	for (int step = STEP_CLIP; step <= STEP_SOFTMAX; step++) {
		size_t len;
		uint8_t *buf = residual_model((enum cpu_step)step, &len);
		for (int k = 0; k < 2; k++) {
			lf_context *ctx = k ? engine_ctx() : lft_emu("default");
			CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
			ctx->fallback = 0;
			for (uint64_t seed = 1; seed <= 3; seed++) {
				lf_run_profile *p;
				CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p),
						      LF_OK);
				lf_tensor *want =
				    run_model(cpu_ctx, buf, len, seed, NULL);
				lf_tensor *got =
				    run_model(ctx, buf, len, seed, p);
				CU_ASSERT(got && want &&
					  lft_same(got, want, 1,
						   k ? "engine vs cpu"
						     : "emu vs cpu"));
				/* Softmax stays on the CPU whatever the
				 * importer fuses: two device segments. */
				if (step == STEP_SOFTMAX)
					CU_ASSERT_EQUAL(device_segments(p), 2);
				lf_run_profile_destroy(p);
				lf_tensor_destroy(got);
				lf_tensor_destroy(want);
			}
			CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
		}
		free(buf);
	}
}

/*
 * The same model with the CPU fallback on (the library's default): the
 * bytes delivered are the cpu device's, whatever ran where.
 */
static void test_residual_fallback_on(void)
{
	size_t len;
	uint8_t *buf = residual_model(STEP_CLIP, &len);
	lf_context *ctx = engine_ctx();
	ctx->fallback = 1;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		lf_tensor *want = run_model(cpu_ctx, buf, len, seed, NULL);
		lf_tensor *got = run_model(ctx, buf, len, seed, NULL);
		CU_ASSERT(got && want &&
			  lft_same(got, want, 1, "fallback on vs cpu"));
		lf_tensor_destroy(got);
		lf_tensor_destroy(want);
	}
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	free(buf);
}

static void arm(lf_context *ctx, enum lf_fault_kind kind, uint32_t nth)
{
	struct lf_fault f = {kind, nth, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f), LF_OK);
}

/* Segments that ran on the CPU although the plan put them on the device:
 * bit s set for segment s. */
static unsigned fell_back(const lf_run_profile *p)
{
	unsigned bits = 0;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r;
		lf_run_profile_get(p, i, &r);
		if (r.segment != ~0u && strcmp(r.where, "cpu") == 0)
			bits |= 1u << r.segment;
	}
	return bits;
}

/*
 * Fault injection at each step of the two-segment model, fallback on:
 * the outputs are the cpu device's bytes whichever segment failed.
 * - A device allocation failing (LF_ERR_NO_DEVICE_MEMORY, not retried):
 *   on a fresh model the first run allocates the arena and then one
 *   descriptor buffer per segment, so failing allocation n makes exactly
 *   one segment run on the CPU (n = 1, 2: segment 0; n = 3: segment 1)
 *   while the other runs on the card.
 * - The device lost at its n-th operation (allocation, transfer or run
 *   start), for every n up to a run with no fault: the segment that saw
 *   it and every later one run on the CPU.
 */
static void test_fallback_each_step(void)
{
	size_t len;
	uint8_t *buf = residual_model(STEP_CLIP, &len);
	lf_tensor *want = run_model(cpu_ctx, buf, len, 5, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	static const unsigned alloc_bits[3] = {1, 1, 2};
	for (uint32_t n = 1; n <= 3; n++) {
		lf_context *ctx = engine_ctx();
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		lf_tensor *x = input(ctx, 5), *y[1] = {NULL};
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		arm(ctx, LF_FAULT_ALLOC, n);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
		CU_ASSERT(y[0] && lft_same(y[0], want, 1, "alloc fault"));
		CU_ASSERT_EQUAL(fell_back(p), alloc_bits[n - 1]);
		lf_run_profile_destroy(p);
		lf_tensor_destroy(x);
		lf_tensor_destroy(y[0]);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	unsigned last = ~0u;
	for (uint32_t n = 1; n <= 64 && last != 0; n++) {
		lf_context *ctx = engine_ctx();
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		lf_tensor *x = input(ctx, 5), *y[1] = {NULL};
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		arm(ctx, LF_FAULT_DEVICE_LOST, n);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
		CU_ASSERT(y[0] && lft_same(y[0], want, 1, "device lost"));
		last = fell_back(p);
		/* Once lost, every later segment is on the CPU too. */
		CU_ASSERT(last == 0 || last == 2 || last == 3);
		lf_run_profile_destroy(p);
		lf_tensor_destroy(x);
		lf_tensor_destroy(y[0]);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		lf_context_destroy(ctx);
	}
	CU_ASSERT_EQUAL(last, 0);
	lf_tensor_destroy(want);
	free(buf);
}

void lf_test_suite_model_segments(void)
{
	static const struct lf_test_case cases[] = {
	    {"residual_across_segments", test_residual_across_segments},
	    {"residual_fallback_on", test_residual_fallback_on},
	    {"fallback_each_step", test_fallback_each_step},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_segments", suite_init, suite_clean, cases);
}
