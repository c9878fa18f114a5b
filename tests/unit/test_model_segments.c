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
 *
 * gap_fc_blocked: a global average pool feeding a QGemm / QLinearMatMul
 * (ResNet's head), the matmul run as a blocked 1x1 conv (plan/blk.h),
 * byte-exact with the cpu device on the emulator and opencl:0.
 * batch_across_cus: that model at batch 2 on emu:aws-f1, one row on each
 * lfk_engine CU at once; modeled time derived by hand from batch 1.
 *
 * depthwise_blocked: a MobileNetV2-like chain with depthwise convs planned as
 * one blocked segment, the cpu device's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cli/cli.h"
#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/model/model_impl.h"
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

/* A random uint8 1 x @c x @hw x @hw input for seed @seed. */
static lf_tensor *input_of(lf_context *ctx, int64_t c, int64_t hw,
			   uint64_t seed)
{
	int64_t xd[4] = {1, c, hw, hw};
	lf_tensor *x = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, seed);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x), lf_tensor_bytes(x));
	return x;
}

static lf_tensor *input(lf_context *ctx, uint64_t seed)
{
	return input_of(ctx, C_CH, C_HW, seed);
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
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(p, i, &r);
		if (strcmp(r.where, "device") == 0 && r.segment + 1 > n)
			n = r.segment + 1;
	}
	return n;
}

/* opencl:0 (PoCL here) with the lfk_engine xclbin's kernels, or NULL when
 * there is no OpenCL device (or under Valgrind, as the device_conformance
 * suite does). */
static lf_context *opencl_ctx(void)
{
	uint32_t n = 0;
	if (lf_test_under_valgrind() ||
	    lf__drv_enumerate("opencl", NULL, 0, &n) != LF_OK || n == 0)
		return NULL;
	const char *x = lftm_engine_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("opencl:0", x, &ctx), LF_OK);
	return ctx;
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
 * lfk_engine (the add on the card, A uploaded into segment 1), on the
 * emulator and on opencl:0 when there is one.
 */
static void test_residual_across_segments(void)
{
	for (int step = STEP_CLIP; step <= STEP_SOFTMAX; step++) {
		size_t len;
		uint8_t *buf = residual_model((enum cpu_step)step, &len);
		static const char *const what[3] = {
		    "emu vs cpu", "engine vs cpu", "opencl:0 vs cpu"};
		for (int k = 0; k < 3; k++) {
			lf_context *ctx = k == 2   ? opencl_ctx()
					  : k == 1 ? engine_ctx()
						   : lft_emu("default");
			if (k == 2 && !ctx)
				continue;
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
					  lft_same(got, want, 1, what[k]));
				/* Softmax stays on the CPU whatever the
				 * importer fuses: two device segments. The
				 * Clip between DQ and Q of other parameters
				 * after conv_b is a pointwise function of
				 * its output: its table (LF_DF_LUT), one
				 * segment. */
				CU_ASSERT_EQUAL(device_segments(p),
						step == STEP_SOFTMAX ? 2 : 1);
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

/* What a profile says about device failures: bit s set for segment s. */
struct fails {
	unsigned fell_back; /* ran on the CPU after failing on the device */
	unsigned failed;    /* had a failed device attempt (retried or not) */
	lf_status st;	    /* a failure's status */
};

static struct fails fails_of(const lf_run_profile *p)
{
	struct fails f = {0, 0, LF_OK};
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(p, i, &r);
		/* A planned device layer on the CPU is a fallback, and only
		 * that; a failure always has a status and a reason. */
		int on_cpu = r.segment != ~0u && strcmp(r.where, "cpu") == 0;
		CU_ASSERT_EQUAL(r.fallback, on_cpu);
		CU_ASSERT_EQUAL(r.seg_failures > 0, r.fail_status != LF_OK);
		CU_ASSERT_EQUAL(r.seg_failures > 0, r.fail_reason[0] != '\0');
		CU_ASSERT(r.seg_failures <= 2);
		if (r.fallback)
			f.fell_back |= 1u << r.segment;
		if (r.seg_failures) {
			f.failed |= 1u << r.segment;
			f.st = r.fail_status;
		}
	}
	CU_ASSERT_EQUAL(f.fell_back & ~f.failed, 0);
	return f;
}

/* A model and an input for the fault sweeps. */
struct fcase {
	const char *what;
	const char *xclbin; /* "engine", or an lft_xclbin() name */
	const uint8_t *buf; /* an ONNX model in memory, or */
	size_t len;
	const char *dir; /* an ORT test folder: model.onnx, data set 0 */
};

static lf_context *fcase_ctx(const struct fcase *fc)
{
	lf_context *ctx = strcmp(fc->xclbin, "engine") == 0
			      ? engine_ctx()
			      : lft_emu(fc->xclbin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	ctx->fallback = 1;
	/* An injected hang costs the timeout; under Valgrind or ASan an
	 * honest run can take longer than 300 ms, so there the timeout is
	 * long and the hang sweep is left out (fault_sweep()). */
	ctx->dev->timeout_ms = lf_test_slow_mode() ? 60000 : 300;
	return ctx;
}

static lf_model *fcase_model(const struct fcase *fc, lf_context *ctx)
{
	lf_model *m = NULL;
	char path[512];
	lf_status st;
	if (fc->buf) {
		st = lf_model_load_memory(ctx, fc->buf, fc->len, NULL, &m);
	} else {
		snprintf(path, sizeof(path), "%s/model.onnx", fc->dir);
		st = lf_model_load(ctx, path, &m);
	}
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	return m;
}

static lf_tensor *fcase_input(const struct fcase *fc, lf_context *ctx)
{
	char path[512];
	if (fc->buf)
		return input(ctx, 5);
	snprintf(path, sizeof(path), "%s/test_data_set_0/input_0.pb", fc->dir);
	return lft_tensor_pb(ctx, path);
}

/* One run of @fc on a fresh context and model, with @kind armed at its
 * @nth occurrence: the output must be @want's bytes. */
static struct fails faulted_run(const struct fcase *fc, const lf_tensor *want,
				enum lf_fault_kind kind, uint32_t nth)
{
	lf_context *ctx = fcase_ctx(fc);
	lf_model *m = fcase_model(fc, ctx);
	lf_tensor *x = fcase_input(fc, ctx), *y[1] = {NULL};
	lf_run_profile *p;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
	arm(ctx, kind, nth);
	lf_status st = lf_model_run(m, &x, 1, y, 1, p);
	CU_ASSERT_EQUAL(st, LF_OK);
	char what[128];
	snprintf(what, sizeof(what), "%s, fault %d at %u", fc->what, (int)kind,
		 nth);
	CU_ASSERT(y[0] && lft_same(y[0], want, 1, what));
	struct fails f = fails_of(p);
	/* What `layerfab run` prints of it (hostlib/cli). */
	char *txt = NULL;
	size_t tlen = 0;
	FILE *mf = open_memstream(&txt, &tlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
	lf__cli_failures_print(p, mf);
	fclose(mf);
	struct lf__cli_totals t;
	lf__cli_totals_of(p, &t);
	CU_ASSERT_EQUAL(t.fallbacks, (unsigned)__builtin_popcount(f.fell_back));
	CU_ASSERT_EQUAL(t.failed_segments,
			(unsigned)__builtin_popcount(f.failed));
	CU_ASSERT_EQUAL(strstr(txt, "device failures") != NULL, f.failed != 0);
	CU_ASSERT_EQUAL(strstr(txt, "ran on the CPU: ") != NULL,
			f.fell_back != 0);
	CU_ASSERT_EQUAL(strstr(txt, "then ran on the device: ") != NULL,
			(f.failed & ~f.fell_back) != 0);
	free(txt);
	lf_run_profile_destroy(p);
	lf_tensor_destroy(x);
	lf_tensor_destroy(y[0]);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	lf_context_destroy(ctx); /* a lost device may refuse: not checked */
	return f;
}

/*
 * Fault injection at each step of a multi-segment model, fallback on
 * (the library's default): whatever fails where, the outputs are the cpu
 * device's bytes.
 * - A device allocation failing (LF_ERR_NO_DEVICE_MEMORY, not retried),
 *   at each allocation of a fresh model's first run (the arena, then one
 *   descriptor buffer per launch): exactly the segment that needed it
 *   runs on the CPU, the others on the card; every segment is hit once.
 * - The device lost at its n-th operation (allocation, transfer, run
 *   start), for every n until a run sees no fault: from that segment on,
 *   everything runs on the CPU.
 * - A transfer failing, a transfer corrupting its bytes (caught by the
 *   end-to-end check: uploads read back, downloads read twice) and a CU
 *   hanging, at each transfer / run: retried once on the device, which
 *   then succeeds. A first run moves 7 transfers per one-launch segment
 *   with read-backs: the descriptors up and read back, the inputs up and
 *   read back, the status word, the outputs twice; 5 where the kernel's
 *   checksum checks them (lfk_engine here): the descriptors up and read
 *   back, the inputs up, the status word with the digests, the outputs
 *   once.
 */
static void fault_sweep(const struct fcase *fc, unsigned nsegs)
{
	lf_tensor *want = NULL;
	{
		lf_model *m = fcase_model(fc, cpu_ctx);
		lf_tensor *x = fcase_input(fc, cpu_ctx), *y[1] = {NULL};
		CU_ASSERT_EQUAL_FATAL(lf_model_run(m, &x, 1, y, 1, NULL),
				      LF_OK);
		want = y[0];
		lf_tensor_destroy(x);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	}
	unsigned all = (1u << nsegs) - 1, seen = 0, bits = all;
	for (uint32_t n = 1; n <= 64 && bits; n++) {
		struct fails f = faulted_run(fc, want, LF_FAULT_ALLOC, n);
		bits = f.fell_back;
		/* one segment at a time, not retried */
		CU_ASSERT((bits & (bits - 1)) == 0);
		CU_ASSERT_EQUAL(f.failed, bits);
		CU_ASSERT(!bits || f.st == LF_ERR_NO_DEVICE_MEMORY);
		seen |= bits;
	}
	CU_ASSERT_EQUAL(bits, 0);
	CU_ASSERT_EQUAL(seen, all);
	bits = all;
	for (uint32_t n = 1; n <= 128 && bits; n++) {
		struct fails f = faulted_run(fc, want, LF_FAULT_DEVICE_LOST, n);
		bits = f.fell_back;
		/* a suffix of the segments: lost is lost */
		CU_ASSERT(bits == 0 || ((bits | (bits - 1)) & all) == all);
		CU_ASSERT_EQUAL(f.failed, bits);
	}
	CU_ASSERT_EQUAL(bits, 0);
	/* Transient faults: retried, then on the device. Every segment has
	 * a transfer and a run that fail once. */
	static const enum lf_fault_kind once[3] = {
	    LF_FAULT_DMA_FAIL, LF_FAULT_DMA_CORRUPT, LF_FAULT_CU_HANG};
	for (int k = 0; k < (lf_test_slow_mode() ? 1 : 3); k++) {
		uint32_t max = k == 2 ? nsegs * 2 : nsegs * 7 + 2;
		seen = 0;
		for (uint32_t n = 1; n <= max; n++) {
			struct fails f = faulted_run(fc, want, once[k], n);
			CU_ASSERT_EQUAL(f.fell_back, 0);
			CU_ASSERT((f.failed & (f.failed - 1)) == 0);
			CU_ASSERT(!f.failed || f.st == (k == 2 ? LF_ERR_TIMEOUT
							       : LF_ERR_DMA));
			seen |= f.failed;
		}
		CU_ASSERT_EQUAL(seen, all);
	}
	lf_tensor_destroy(want);
}

/* The residual model on lfk_engine (2 segments, the add on the card) and
 * on the per-kernel xclbin (2 segments, the add on the CPU); Softmax
 * keeps the two segments apart (the Clip step fuses into conv_b). */
static void test_fallback_residual(void)
{
	size_t len;
	uint8_t *buf = residual_model(STEP_SOFTMAX, &len);
	struct fcase eng = {"residual on lfk_engine", "engine", buf, len, NULL};
	struct fcase def = {"residual per kernel", "default", buf, len, NULL};
	fault_sweep(&eng, 2);
	fault_sweep(&def, 2);
	free(buf);
}

/* fmnist on the "small" xclbin: a chained segment, two host-assisted
 * ones (split reductions the host adds) and a matmul segment
 * (test_model.c, small_partition). */
static void test_fallback_host_assisted(void)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/fmnist_qop", lft_ort_dir());
	struct fcase small = {"fmnist on small", "small", NULL, 0, dir};
	fault_sweep(&small, 4);
}

/* ---- a global average pool feeding a matmul ------------------------------
 *
 *   x [N, k, 3, 3] -> QLinearGlobalAveragePool -> [N, k, 1, 1] -> Flatten
 *   -> [N, k] -> QGemm (transB = 1, alpha, int32 bias, per-column int8 B
 *   scales and zero points) or QLinearMatMul (B [k][cols], one int8 zero
 *   point) -> y [N, cols]
 *
 * ResNet's head. With the blocked engine the matmul runs as a blocked
 * 1x1 conv (hostlib/plan/blk.h): k = 96 leaves pad lanes in A's second
 * channel block (they meet weights equal to the column's w_zp), cols not
 * a multiple of 64 pads the output channels, N = 3 rows. Expected bytes:
 * the cpu device (hostlib/cpu's reference, no device plan).
 */
struct fc_case {
	int k, cols, gemm;
};

static uint8_t *gap_fc_model(const struct fc_case *c, size_t *len)
{
	int64_t xd[4] = {-1, c->k, 3, 3}, yd[2] = {-1, c->cols};
	int64_t bd[2] = {c->gemm ? c->cols : c->k, c->gemm ? c->k : c->cols};
	int64_t cd[1] = {c->cols};
	size_t nb = (size_t)c->k * (size_t)c->cols;
	int8_t *w = malloc(nb);
	float *bs = malloc((size_t)c->cols * sizeof(float));
	int8_t *bz = malloc((size_t)c->cols);
	int32_t *bias = malloc((size_t)c->cols * sizeof(int32_t));
	CU_ASSERT_FATAL(w && bs && bz && bias);
	for (size_t i = 0; i < nb; i++)
		w[i] = (int8_t)((i * 37 + i / 7 * 11) % 121 - 60);
	for (int j = 0; j < c->cols; j++) {
		bs[j] = 0.003f + 0.0001f * (float)(j % 13);
		bz[j] = (int8_t)(j % 9 - 4);
		bias[j] = (j * 7919) % 20001 - 10000;
	}
	float xs = 0.02f, gs = 0.015f, ys = 0.06f, one_bs = 0.004f;
	uint8_t xz = 10, gz = 5, yz = 128;
	int8_t one_bz = 3;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	lft_onnx_init(b, "B", 3, 2, bd, w, nb);
	const char *fn[3] = {"xs", "gs", "ys"};
	const float fv[3] = {xs, gs, ys};
	for (int k = 0; k < 3; k++)
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
	const char *zn[3] = {"xz", "gz", "yz"};
	const uint8_t zv[3] = {xz, gz, yz};
	for (int k = 0; k < 3; k++)
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
	lft_onnx_node(b, "QLinearGlobalAveragePool", "com.microsoft", "gap",
		      "x,xs,xz,gs,gz", "g");
	lft_onnx_node(b, "Flatten", "", "flat", "g", "f");
	if (c->gemm) {
		lft_onnx_init(b, "bs", 1, 1, cd, bs,
			      (size_t)c->cols * sizeof(float));
		lft_onnx_init(b, "bz", 3, 1, cd, bz, (size_t)c->cols);
		lft_onnx_init(b, "C", 6, 1, cd, bias,
			      (size_t)c->cols * sizeof(int32_t));
		lft_onnx_node(b, "QGemm", "com.microsoft", "fc",
			      "f,gs,gz,B,bs,bz,C,ys,yz", "y");
		lft_onnx_attr_i(b, "transB", 1);
		lft_onnx_attr_f(b, "alpha", 0.75f);
	} else {
		lft_onnx_init(b, "bs", 1, 0, NULL, &one_bs, 4);
		lft_onnx_init(b, "bz", 3, 0, NULL, &one_bz, 1);
		lft_onnx_node(b, "QLinearMatMul", "", "fc",
			      "f,gs,gz,B,bs,bz,ys,yz", "y");
	}
	free(w);
	free(bs);
	free(bz);
	free(bias);
	return lft_onnx_finish(b, len);
}

/* In every plan @m made (one per batch size; a batch split across CUs
 * runs slices of it), the matmul node is one blocked 1x1 conv
 * descriptor of @c's shape over the plan's rows. */
static int fc_blocked(lf_model *m, const struct fc_case *c)
{
	for (struct lf__plan_entry *e = m->plans; e; e = e->next) {
		const struct lf__mplan *p = e->p;
		int found = 0;
		for (uint32_t k = 0; k < p->ndesc; k++) {
			if (m->g->nodes[p->desc_node[k]].op != LF__GOP_MATMUL)
				continue;
			const lf_desc *d = &p->desc[k];
			found++;
			if (d->op != LF_KOP_CONV2D || d->flags != LF_DF_BLK ||
			    d->n != (uint32_t)p->in[0].d[0] ||
			    d->ic != (uint32_t)c->k ||
			    d->oc != (uint32_t)c->cols || d->ih != 1 ||
			    d->iw != 1 || d->kh != 1 || d->kw != 1)
				return 0;
		}
		if (found != 1)
			return 0;
	}
	return m->plans != NULL;
}

static void test_gap_fc_blocked(void)
{
	static const struct fc_case cases[2] = {{96, 130, 1}, {128, 100, 0}};
	static const char *const what[2] = {"engine vs cpu", "opencl:0 vs cpu"};
	for (int ci = 0; ci < 2; ci++) {
		const struct fc_case *c = &cases[ci];
		size_t len;
		uint8_t *buf = gap_fc_model(c, &len);
		for (int k = 0; k < 2; k++) {
			lf_context *ctx = k ? opencl_ctx() : engine_ctx();
			if (k && !ctx)
				continue;
			CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
			ctx->fallback = 0;
			lf_model *m = NULL, *mc = NULL;
			CU_ASSERT_EQUAL_FATAL(
			    lf_model_load_memory(ctx, buf, len, NULL, &m),
			    LF_OK);
			CU_ASSERT_EQUAL_FATAL(
			    lf_model_load_memory(cpu_ctx, buf, len, NULL, &mc),
			    LF_OK);
			for (int64_t n = 1; n <= 3; n += 2) {
				int64_t xd[4] = {n, c->k, 3, 3};
				lf_tensor *x = NULL, *xc = NULL;
				CU_ASSERT_EQUAL_FATAL(
				    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd,
						     NULL, &x),
				    LF_OK);
				CU_ASSERT_EQUAL_FATAL(
				    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4,
						     xd, NULL, &xc),
				    LF_OK);
				struct lf_rng r;
				lf_rng_seed(&r, (uint64_t)(n + 10 * ci));
				lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
					 lf_tensor_bytes(x));
				memcpy(lf_tensor_data(xc), lf_tensor_data(x),
				       lf_tensor_bytes(x));
				lf_tensor *y[1] = {NULL}, *want[1] = {NULL};
				lf_run_profile *p;
				CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p),
						      LF_OK);
				CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p),
						LF_OK);
				CU_ASSERT_EQUAL(
				    lf_model_run(mc, &xc, 1, want, 1, NULL),
				    LF_OK);
				CU_ASSERT(y[0] && want[0] &&
					  lft_same(y[0], want[0], 1, what[k]));
				/* both nodes on the card, one segment */
				CU_ASSERT_EQUAL(device_segments(p), 1);
				CU_ASSERT(fc_blocked(m, c));
				lf_run_profile_destroy(p);
				lf_tensor_destroy(y[0]);
				lf_tensor_destroy(want[0]);
				lf_tensor_destroy(x);
				lf_tensor_destroy(xc);
			}
			CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
			CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
			CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
		}
		free(buf);
	}
}

/*
 * A MobileNetV2-like chain with depthwise convs (issue 12):
 *
 *   x (48 x 11 x 11) -> conv_e 1x1 (144) -> A -> dw1 3x3 s1, pads 1,
 *   bias, int8 weights -> B -> conv_p 1x1 (48) -> D; QLinearAdd(x, D) -> E
 *   -> dw2 3x3 s2, pads (t 0, l 1, b 1, r 0), uint8 weights with
 *   per-channel zero points and scales -> F (48 x 5 x 5)
 *
 * 144 and 48 channels: 2 full blocks and one of 16 lanes, one of 48 (pad
 * lanes in every block's last beat). Every conv's packed beats are more
 * than a quarter weights, so with lfk_conv2d.blk_dw = 1 the planner puts
 * the whole chain in one blocked segment.
 */
#define DW_C  48
#define DW_E  144
#define DW_HW 11

/* The chain below with batch dimension @n (-1: free). */
static uint8_t *dw_model_n(int64_t n, size_t *len)
{
	int64_t xd[4] = {n, DW_C, DW_HW, DW_HW}, fd[4] = {n, DW_C, 5, 5};
	int64_t wed[4] = {DW_E, DW_C, 1, 1}, wpd[4] = {DW_C, DW_E, 1, 1};
	int64_t d1d[4] = {DW_E, 1, 3, 3}, d2d[4] = {DW_C, 1, 3, 3};
	int64_t ve[1] = {DW_E}, vc[1] = {DW_C};
	static int8_t we[DW_E * DW_C], wp[DW_C * DW_E], w1[DW_E * 9];
	static uint8_t w2[DW_C * 9], z2[DW_C];
	static int32_t b1[DW_E];
	static float se[DW_E], s2[DW_C];
	struct lf_rng r;
	lf_rng_seed(&r, 12);
	lft_fill(&r, LF_DTYPE_INT8, we, sizeof(we));
	lft_fill(&r, LF_DTYPE_INT8, wp, sizeof(wp));
	lft_fill(&r, LF_DTYPE_INT8, w1, sizeof(w1));
	lft_fill(&r, LF_DTYPE_UINT8, w2, sizeof(w2));
	for (int c = 0; c < DW_E; c++) {
		se[c] = 0.004f + 0.0002f * (float)(c % 7);
		b1[c] = (c * 737) % 4001 - 2000;
	}
	for (int c = 0; c < DW_C; c++) {
		s2[c] = 0.004f + 0.0003f * (float)(c % 5);
		z2[c] = (uint8_t)(110 + c % 37);
	}
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "F", 2, 4, fd);
	lft_onnx_init(b, "we", 3, 4, wed, we, sizeof(we));
	lft_onnx_init(b, "wp", 3, 4, wpd, wp, sizeof(wp));
	lft_onnx_init(b, "w1", 3, 4, d1d, w1, sizeof(w1));
	lft_onnx_init(b, "w2", 2, 4, d2d, w2, sizeof(w2));
	lft_onnx_init(b, "b1", 6, 1, ve, b1, sizeof(b1));
	lft_onnx_init(b, "se", 1, 1, ve, se, sizeof(se));
	lft_onnx_init(b, "s2", 1, 1, vc, s2, sizeof(s2));
	lft_onnx_init(b, "z2", 2, 1, vc, z2, sizeof(z2));
	const char *fn[8] = {"xs", "as", "bs", "ds", "es", "fs", "s1", "sp"};
	const float fv[8] = {0.02f, 0.05f, 0.12f,  0.4f,
			     0.4f,  0.5f,  0.006f, 0.003f};
	for (int k = 0; k < 8; k++)
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
	const char *zn[6] = {"xz", "az", "bz", "dz", "ez", "fz"};
	const uint8_t zv[6] = {12, 100, 110, 128, 120, 125};
	for (int k = 0; k < 6; k++)
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
	const int8_t wz = 0;
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	const int64_t k3[2] = {3, 3}, p1[4] = {1, 1, 1, 1},
		      pa[4] = {0, 1, 1, 0}, s22[2] = {2, 2};
	lft_onnx_node(b, "QLinearConv", "", "conv_e", "x,xs,xz,we,se,wz,as,az",
		      "A");
	lft_onnx_node(b, "QLinearConv", "", "dw1", "A,as,az,w1,s1,wz,bs,bz,b1",
		      "B");
	lft_onnx_attr_i(b, "group", DW_E);
	lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
	lft_onnx_attr_ints(b, "pads", 4, p1);
	lft_onnx_node(b, "QLinearConv", "", "conv_p", "B,bs,bz,wp,sp,wz,ds,dz",
		      "D");
	lft_onnx_node(b, "QLinearAdd", "com.microsoft", "add",
		      "x,xs,xz,D,ds,dz,es,ez", "E");
	lft_onnx_node(b, "QLinearConv", "", "dw2", "E,es,ez,w2,s2,z2,fs,fz",
		      "F");
	lft_onnx_attr_i(b, "group", DW_C);
	lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
	lft_onnx_attr_ints(b, "pads", 4, pa);
	lft_onnx_attr_ints(b, "strides", 2, s22);
	return lft_onnx_finish(b, len);
}

static uint8_t *dw_model(size_t *len)
{
	return dw_model_n(1, len);
}

/*
 * The depthwise chain above on lfk_engine (emulated, and opencl:0 when
 * there is one), the device path alone: the cpu device's bytes, for
 * three inputs; the planner put all five layers (both depthwise convs
 * among them) in one device segment, blocked, the add fused into
 * conv_p's store (x the skip, D its B: LF_DF_SWAP). Distinct output values
 * are counted so a saturated output cannot pass as a match.
 */
static void test_depthwise_blocked(void)
{
	size_t len;
	uint8_t *buf = dw_model(&len);
	for (int k = 0; k < 2; k++) {
		lf_context *ctx = k ? opencl_ctx() : engine_ctx();
		if (!ctx)
			continue;
		ctx->fallback = 0;
		lf_model *m = NULL, *mc = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(cpu_ctx, buf, len, NULL, &mc), LF_OK);
		for (uint64_t seed = 1; seed <= 3; seed++) {
			lf_run_profile *p;
			CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
			lf_tensor *x = input_of(ctx, DW_C, DW_HW, seed);
			lf_tensor *xc = input_of(cpu_ctx, DW_C, DW_HW, seed);
			lf_tensor *y[1] = {NULL}, *want[1] = {NULL};
			CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
			CU_ASSERT_EQUAL(lf_model_run(mc, &xc, 1, want, 1, NULL),
					LF_OK);
			CU_ASSERT(y[0] && want[0] &&
				  lft_same(y[0], want[0], 1,
					   k ? "dw opencl:0 vs cpu"
					     : "dw emu vs cpu"));
			if (want[0]) {
				int seen[256] = {0}, distinct = 0;
				const uint8_t *v = lf_tensor_data(want[0]);
				for (size_t i = 0; i < lf_tensor_bytes(want[0]);
				     i++)
					distinct += !seen[v[i]]++;
				CU_ASSERT(distinct > 50);
			}
			unsigned nblk = 0, ndw = 0;
			for (size_t i = 0; i < lf_run_profile_count(p); i++) {
				struct lf_layer_profile r =
				    LF_STRUCT_INIT(struct lf_layer_profile);
				CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r),
						LF_OK);
				CU_ASSERT_STRING_EQUAL(r.where, "device");
				CU_ASSERT_EQUAL(r.segment, 0);
				/* the add in conv_p's store (mplan_fuse.c:
				 * D is read by the add alone, x is there) */
				if (strcmp(r.name, "add") == 0)
					CU_ASSERT_STRING_EQUAL(r.layout,
							       "fused");
				nblk += strcmp(r.layout, "blocked") == 0 ||
					strcmp(r.layout, "fused") == 0;
				ndw += strncmp(r.name, "dw", 2) == 0 &&
				       strcmp(r.layout, "blocked") == 0;
			}
			CU_ASSERT_EQUAL(lf_run_profile_count(p), 5);
			CU_ASSERT_EQUAL(nblk, 5);
			CU_ASSERT_EQUAL(ndw, 2);
			lf_run_profile_destroy(p);
			lf_tensor_destroy(x);
			lf_tensor_destroy(xc);
			lf_tensor_destroy(y[0]);
			lf_tensor_destroy(want[0]);
		}
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	free(buf);
}

/* ---- a batch across CUs ----------------------------------------------------
 */

/* Device events from @from on: their count, the modeled ns of the
 * transfers among them, and the CUs of the runs. */
struct tl_tally {
	uint64_t next, dma_ns, cus;
	unsigned runs;
};

static struct tl_tally tl_from(lf_context *ctx, uint64_t from)
{
	struct tl_tally t = {from, 0, 0, 0};
	struct lf_tl_event ev[64];
	uint32_t got;
	do {
		CU_ASSERT_EQUAL_FATAL(
		    lf__dev_timeline(ctx->dev->dev, t.next, ev, 64, &got),
		    LF_OK);
		for (uint32_t k = 0; k < got; k++) {
			if (ev[k].kind == LF_TL_RUN) {
				t.runs++;
				t.cus |= 1ull << ev[k].cu;
			} else {
				t.dma_ns += ev[k].end_ns - ev[k].start_ns;
			}
			t.next = ev[k].seq + 1;
		}
	} while (got == 64);
	return t;
}

/* Profile totals: modeled ns, cycles, the union of CU masks. */
struct ptot {
	uint64_t ns, cycles, cus;
	size_t n;
};

static struct ptot ptot(const lf_run_profile *p, uint64_t *cyc, size_t max)
{
	struct ptot t = {0, 0, 0, 0};
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
		CU_ASSERT_STRING_EQUAL(r.where, "device");
		CU_ASSERT_EQUAL(r.modeled, 1);
		t.ns += r.device_ns;
		t.cycles += r.device_cycles;
		t.cus |= r.cu_mask;
		if (i < max)
			cyc[i] = r.device_cycles;
		t.n++;
	}
	return t;
}

/*
 * The GAP -> QGemm model at batch 2 on emu:aws-f1 (two lfk_engine CUs,
 * each with its own desc/act bank, bitstreams/aws-f1/link.cfg): one row
 * on each CU at once, the cpu device's bytes. Modeled time by hand from
 * the same model at batch 1 on one CU (cu_sync=0: not split across both,
 * cu_split suite): each part is that run, so every
 * layer's cycles are the batch-1 layer's (the longest part's), and the
 * device time is the batch-1 time plus one more part's transfers (the
 * device's one DMA engine per direction serializes them): the batch-1
 * run's transfer time, read from the device timeline, added once.
 */
static void test_batch_across_cus(void)
{
	static const struct fc_case c = {96, 130, 1};
	size_t len;
	uint8_t *buf = gap_fc_model(&c, &len);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:aws-f1,cu_sync=0", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	lf_model *m = NULL, *mc = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_model_load_memory(cpu_ctx, buf, len, NULL, &mc), LF_OK);
	uint64_t cyc[2][8];
	struct ptot tot[2];
	struct tl_tally tl[2];
	for (int64_t n = 1; n <= 2; n++) {
		int64_t xd[4] = {n, c.k, 3, 3};
		lf_tensor *x = NULL, *xc = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x),
		    LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &xc),
		    LF_OK);
		struct lf_rng r;
		lf_rng_seed(&r, 7);
		lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
			 lf_tensor_bytes(x));
		memcpy(lf_tensor_data(xc), lf_tensor_data(x),
		       lf_tensor_bytes(x));
		lf_tensor *y[1] = {NULL}, *want[1] = {NULL};
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		/* the plan made (and weights on the card) before counting */
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, NULL), LF_OK);
		lf_tensor_destroy(y[0]);
		y[0] = NULL;
		struct tl_tally t0 = tl_from(ctx, 0);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
		tl[n - 1] = tl_from(ctx, t0.next);
		CU_ASSERT_EQUAL(lf_model_run(mc, &xc, 1, want, 1, NULL), LF_OK);
		CU_ASSERT(y[0] && want[0] &&
			  lft_same(y[0], want[0], 1, "batch across CUs"));
		tot[n - 1] = ptot(p, cyc[n - 1], 8);
		lf_run_profile_destroy(p);
		lf_tensor_destroy(y[0]);
		lf_tensor_destroy(want[0]);
		lf_tensor_destroy(x);
		lf_tensor_destroy(xc);
	}
	/* batch 1: one launch on one CU; batch 2: one on each */
	CU_ASSERT_EQUAL(tl[0].runs, 1);
	CU_ASSERT_EQUAL(tl[1].runs, 2);
	CU_ASSERT_EQUAL(__builtin_popcountll(tl[1].cus), 2);
	/* the profile names the CUs that ran (the MAC% divisor) */
	CU_ASSERT_EQUAL(tot[0].cus, tl[0].cus);
	CU_ASSERT_EQUAL(tot[1].cus, tl[1].cus);
	/* GAP and QGemm: the same records, cycles and time as derived */
	CU_ASSERT_EQUAL_FATAL(tot[0].n, 2);
	CU_ASSERT_EQUAL_FATAL(tot[1].n, 2);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(cyc[1][i], cyc[0][i]);
	CU_ASSERT(tl[0].dma_ns > 0);
	CU_ASSERT_EQUAL(tot[1].ns, tot[0].ns + tl[0].dma_ns);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	free(buf);
}

/*
 * The depthwise chain with a free batch at batch 2 on opencl:0 (PoCL
 * here), two lfk_engine CUs: one row on each CU, the cpu device's bytes,
 * ten runs. Before the OpenCL backend chained its portable-flavour
 * kernel commands (driver/opencl/ocl_run.c), the two CUs' kernels ran at
 * once in PoCL and a run gave other bytes now and then (ResNet-18 at
 * batch 2: 3 of 8 runs); the runs on two CUs are checked on the device
 * timeline, so the test cannot pass by not splitting.
 */
static void test_batch_across_cus_opencl(void)
{
	lf_context *ctx = opencl_ctx();
	if (!ctx)
		return;
	ctx->fallback = 0;
	size_t len;
	uint8_t *buf = dw_model_n(-1, &len);
	lf_model *m = NULL, *mc = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_model_load_memory(cpu_ctx, buf, len, NULL, &mc), LF_OK);
	int64_t xd[4] = {8, DW_C, DW_HW, DW_HW};
	lf_tensor *x = NULL, *xc = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &xc), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 5);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x), lf_tensor_bytes(x));
	memcpy(lf_tensor_data(xc), lf_tensor_data(x), lf_tensor_bytes(x));
	lf_tensor *want[1] = {NULL};
	CU_ASSERT_EQUAL_FATAL(lf_model_run(mc, &xc, 1, want, 1, NULL), LF_OK);
	unsigned same = 0;
	for (int i = 0; i < 20; i++) {
		lf_tensor *y[1] = {NULL};
		struct tl_tally t0 = tl_from(ctx, 0);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, NULL), LF_OK);
		struct tl_tally t = tl_from(ctx, t0.next);
		CU_ASSERT_EQUAL(t.runs, 2);
		CU_ASSERT_EQUAL(__builtin_popcountll(t.cus), 2);
		same += y[0] && lft_same(y[0], want[0], 1,
					 "batch across CUs, opencl:0 vs cpu");
		lf_tensor_destroy(y[0]);
	}
	CU_ASSERT_EQUAL(same, 20);
	lf_tensor_destroy(want[0]);
	lf_tensor_destroy(x);
	lf_tensor_destroy(xc);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	free(buf);
}

/* ---- transfers checked by the kernel's checksum ---------------------------
 */

/* test_model.c: lftm_engine_xclbin() without lfk_engine.csum. */
const char *lftm_engine_nocsum_xclbin(void);

/* One run's transfers, summed over its layers, and its failure. */
struct xfers {
	unsigned long long n, h2d, d2h;
	unsigned failures;
	lf_status st;
	char why[256];
};

static struct xfers xfers_of(const lf_run_profile *p)
{
	struct xfers t;
	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
		t.n += r.dma_transfers;
		t.h2d += r.h2d_bytes;
		t.d2h += r.d2h_bytes;
		if (r.seg_failures) {
			t.failures = r.seg_failures;
			t.st = r.fail_status;
			snprintf(t.why, sizeof(t.why), "%s", r.fail_reason);
		}
	}
	return t;
}

/* An emulator context on @x, the CPU fallback off. */
static lf_context *emu_on(const char *x)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	return ctx;
}

/* Run @m on input @seed, profiled into *@t; the output must be @want. */
static void run_into(lf_model *m, lf_context *ctx, uint64_t seed,
		     const lf_tensor *want, struct xfers *t, const char *what)
{
	lf_run_profile *p;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
	lf_tensor *x = input(ctx, seed), *y[1] = {NULL};
	lf_status st = lf_model_run(m, &x, 1, y, 1, p);
	if (st != LF_OK)
		fprintf(stderr, "%s: %s: %s\n", what, lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	CU_ASSERT(y[0] && lft_same(y[0], want, 1, what));
	if (t)
		*t = xfers_of(p);
	lf_tensor_destroy(x);
	lf_tensor_destroy(y[0]);
	lf_run_profile_destroy(p);
}

/*
 * The residual model (one lfk_engine segment) on an engine with the
 * checksum op and on the same kernels without its limits key: the
 * context says which it has, the bytes are the cpu device's either way,
 * and a second run (its descriptor list on the card already) moves 4
 * transfers with the checksum (the nonce up, the input up, the status
 * word with both digests down: 4 + 32 bytes, the output down) and 6 with
 * read-backs (the input read back, a 4-byte status, the output read
 * twice); the same bytes up, and down the difference those make.
 */
static void test_csum_path(void)
{
	size_t len;
	uint8_t *buf = residual_model(STEP_CLIP, &len);
	lf_tensor *want = run_model(cpu_ctx, buf, len, 7, NULL);
	struct xfers t[2];
	for (int k = 0; k < 2; k++) {
		lf_context *ctx = emu_on(k ? lftm_engine_nocsum_xclbin()
					   : lftm_engine_xclbin());
		CU_ASSERT_EQUAL(ctx->dev->csum, !k);
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		run_into(m, ctx, 7, want, NULL, "first run");
		run_into(m, ctx, 7, want, &t[k], k ? "read-backs" : "checksum");
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	CU_ASSERT_EQUAL(t[0].n, 4);
	CU_ASSERT_EQUAL(t[1].n, 6);
	CU_ASSERT_EQUAL(t[0].h2d, t[1].h2d);
	unsigned long long up = t[0].h2d - 4, down = t[0].d2h - 36;
	CU_ASSERT(up > 0 && down > 0);
	CU_ASSERT_EQUAL(t[1].d2h, 4 + up + 2 * down);
	lf_tensor_destroy(want);
	free(buf);
}

/*
 * Each transfer of a second run corrupted by the emulator (dma_corrupt:
 * a byte of the range XOR 0xff, success reported) on the checksum path:
 * the input's upload (transfer 1), the status word with the digests (3:
 * the flipped byte is in the upload's digest) and the output's download
 * (4). Each is caught by a digest that differs, as LF_ERR_DMA naming the
 * checksum, the segment retried once on the card (the fallback is off)
 * and the bytes the cpu device's; the nonce's write (2) is caught by the
 * status word's echo instead (LF_ERR_DEVICE).
 */
static void test_csum_catches(void)
{
	size_t len;
	uint8_t *buf = residual_model(STEP_CLIP, &len);
	lf_tensor *want = run_model(cpu_ctx, buf, len, 9, NULL);
	static const struct {
		uint32_t nth;
		lf_status st;
		const char *why;
	} c[] = {
	    {1, LF_ERR_DMA, "upload of"},
	    {2, LF_ERR_DEVICE, "status word"},
	    {3, LF_ERR_DMA, "upload of"},
	    {4, LF_ERR_DMA, "download of"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		lf_context *ctx = emu_on(lftm_engine_xclbin());
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		run_into(m, ctx, 9, want, NULL, "first run");
		arm(ctx, LF_FAULT_DMA_CORRUPT, c[i].nth);
		struct xfers t;
		run_into(m, ctx, 9, want, &t, "corrupted");
		struct lf_dev_counters dc;
		CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &dc), LF_OK);
		CU_ASSERT_EQUAL(dc.faults_fired, 1);
		CU_ASSERT_EQUAL(t.failures, 1);
		CU_ASSERT_EQUAL(t.st, c[i].st);
		CU_ASSERT_PTR_NOT_NULL(strstr(t.why, c[i].why));
		if (c[i].st == LF_ERR_DMA)
			CU_ASSERT_PTR_NOT_NULL(strstr(t.why, "checksum"));
		if (t.failures != 1 || !strstr(t.why, c[i].why))
			fprintf(stderr, "\ncorrupted transfer %u: %u, %s\n",
				c[i].nth, t.failures, t.why);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	lf_tensor_destroy(want);
	free(buf);
}

void lf_test_suite_model_segments(void)
{
	static const struct lf_test_case cases[] = {
	    {"residual_across_segments", test_residual_across_segments},
	    {"depthwise_blocked", test_depthwise_blocked},
	    {"csum_path", test_csum_path},
	    {"csum_catches", test_csum_catches},
	    {"residual_fallback_on", test_residual_fallback_on},
	    {"fallback_residual", test_fallback_residual},
	    {"fallback_host_assisted", test_fallback_host_assisted},
	    {"gap_fc_blocked", test_gap_fc_blocked},
	    {"batch_across_cus", test_batch_across_cus},
	    {"batch_across_cus_opencl", test_batch_across_cus_opencl},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_segments", suite_init, suite_clean, cases);
}
