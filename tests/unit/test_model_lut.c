/*
 * test_model_lut.c - the "model_lut" suite: a pointwise function of a
 * conv's 8-bit output (hard sigmoid, hardswish, sigmoid, leaky ReLU, in
 * ONNX Runtime's QDQ form or as com.microsoft QLinear ops) fused into the
 * conv as a 256-entry table (hostlib/model/lower.c) and run in the conv's
 * output stage on the device (LF_DF_LUT, hls/lf_desc.h "Output table").
 *
 * Expected bytes never come from the fused path:
 *   - hand_table: an identity 1x1 conv, so the output is the table itself
 *     for all 256 input bytes, against the formula worked out by hand in
 *     the comment (a table off by one zero point fails it);
 *   - ops: the conv alone and the activation alone, as two models run on
 *     the cpu device (each op by itself on the CPU reference, nothing to
 *     fuse), composed by the test; the fused model must give the same
 *     bytes on cpu, on the emulator (device path alone, both the NCHW and
 *     the blocked datapath) and on opencl:0, with the activation gone
 *     from the profile.
 * small_blocked: the small convs around such tables (MobileNetV3-Small's)
 * run blocked, not NCHW.
 * tests/data/realworld's mobilenet_v3_small-qdq (ORT's outputs) covers
 * the same fusion on a real network (realworld suite).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

/* test_model.c: a context on an emulated aws-f1 xclbin with lfk_engine
 * CUs (opencl: on opencl:0; NULL when there is none); _nchw: one without
 * blocked datapaths. */
lf_context *lftm_engine_ctx(int opencl);
lf_context *lftm_engine_nchw_ctx(int opencl);

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

/* The activations after the conv. */
enum act {
	ACT_HSIG,    /* DQ -> HardSigmoid -> Q */
	ACT_HSWISH,  /* DQ -> HardSwish -> Q (opset 14) */
	ACT_SIGMOID, /* DQ -> Sigmoid -> Q (QLinearSigmoid after folding) */
	ACT_LEAKY,   /* DQ -> LeakyRelu -> Q (QLinearLeakyRelu) */
	ACT_HSMUL,   /* hardswish as torch exports it at opset 13 and ORT's
			quantizer writes it: Mul(DQ(c), DQ(Q(HardSigmoid(DQ(c)))))
		      */
	ACT_QSIG,    /* com.microsoft QLinearSigmoid on the quantized output */
	ACT_COUNT
};

static const char *const act_name[ACT_COUNT] = {
    "HardSigmoid", "HardSwish",	    "Sigmoid",
    "LeakyRelu",   "HardSigmoid*x", "QLinearSigmoid"};

/* The activation from quantized value @in (scale cs, zero point cz) to
 * the quantized output @out (ys, yz). */
static void act_nodes(struct lft_onnx *b, enum act a, const char *in,
		      const char *out)
{
	char io[96];
	if (a == ACT_QSIG) {
		snprintf(io, sizeof(io), "%s,cs,cz,ys,yz", in);
		lft_onnx_node(b, "QLinearSigmoid", "com.microsoft", "act", io,
			      out);
		return;
	}
	snprintf(io, sizeof(io), "%s,cs,cz", in);
	lft_onnx_node(b, "DequantizeLinear", "", "dq_c", io, "fc");
	static const char *const op[] = {"HardSigmoid", "HardSwish", "Sigmoid",
					 "LeakyRelu", "HardSigmoid"};
	lft_onnx_node(b, op[a], "", "act", "fc", a == ACT_HSMUL ? "fh" : "fy");
	if (a == ACT_LEAKY)
		lft_onnx_attr_f(b, "alpha", 0.1f);
	if (a == ACT_HSMUL) {
		lft_onnx_attr_f(b, "alpha", 1.0f / 6.0f);
		lft_onnx_node(b, "QuantizeLinear", "", "q_h", "fh,hs,hz", "h");
		lft_onnx_node(b, "DequantizeLinear", "", "dq_h", "h,hs,hz",
			      "fh2");
		lft_onnx_node(b, "Mul", "", "mul", "fc,fh2", "fy");
	}
	snprintf(io, sizeof(io), "%s,ys,yz", out);
	lft_onnx_node(b, "QuantizeLinear", "", "q_y", "fy,ys,yz", out);
}

/* Shapes of the conv: ic -> 70 channels (pad lanes in the blocked
 * layout), 3x3 pad 1 on 9x9. ic 64 runs blocked on lfk_engine, ic 24 NCHW
 * (plan/mparams.c blk_area: 72 KiB packed for 15 KiB of weights, and
 * kw x ic = 72 lanes do not fold). */
#define OC 70
#define HW 9

/* The constants both halves use. */
static void quant_consts(struct lft_onnx *b)
{
	const char *fn[4] = {"cs", "ys", "hs", "xs"};
	const float fv[4] = {0.05f, 0.004f, 1.0f / 255.0f, 0.02f};
	for (int k = 0; k < 4; k++)
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
	const char *zn[4] = {"cz", "yz", "hz", "xz"};
	const uint8_t zv[4] = {131, 9, 0, 12};
	for (int k = 0; k < 4; k++)
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
}

/*
 * @part: 0 the whole model (conv then activation), 1 the conv alone
 * (output c), 2 the activation alone (input c). The conv in QDQ form
 * (DQ x, DQ w per channel, DQ bias, Conv, Q), or QLinearConv for
 * ACT_QSIG.
 */
static uint8_t *model(enum act a, int ic, int part, size_t *len)
{
	int64_t xd[4] = {1, ic, HW, HW}, cd[4] = {1, OC, HW, HW};
	int64_t wd[4] = {OC, ic, 3, 3}, vd[1] = {OC};
	size_t nw = (size_t)OC * (size_t)ic * 9;
	int8_t *w = malloc(nw);
	int8_t wz[OC];
	int32_t bias[OC];
	float ws[OC];
	struct lf_rng r;
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	lf_rng_seed(&r, 0x1a7 + (uint64_t)ic);
	lft_fill(&r, LF_DTYPE_INT8, w, nw);
	for (int c = 0; c < OC; c++) {
		ws[c] = (0.3f + 0.01f * (float)(c % 9)) / (float)ic;
		bias[c] = (c * 911) % 3001 - 1500;
		wz[c] = 0;
	}
	struct lft_onnx *b = lft_onnx_new(a == ACT_HSWISH ? 14 : 13);
	quant_consts(b);
	if (part == 2) {
		lft_onnx_input(b, "c", 2, 4, cd);
		lft_onnx_output(b, "y", 2, 4, cd);
		act_nodes(b, a, "c", "y");
		free(w);
		return lft_onnx_finish(b, len);
	}
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, part == 1 ? "c" : "y", 2, 4, cd);
	lft_onnx_init(b, "w", 3, 4, wd, w, nw);
	lft_onnx_init(b, "ws", 1, 1, vd, ws, sizeof(ws));
	lft_onnx_init(b, "wz", 3, 1, vd, wz, sizeof(wz));
	lft_onnx_init(b, "bias", 6, 1, vd, bias, sizeof(bias));
	const int64_t k3[2] = {3, 3}, p1[4] = {1, 1, 1, 1};
	if (a == ACT_QSIG) {
		lft_onnx_node(b, "QLinearConv", "", "conv",
			      "x,xs,xz,w,ws,wz,cs,cz,bias", "c");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
		lft_onnx_attr_ints(b, "pads", 4, p1);
	} else {
		/* The bias's scale is x_scale * w_scale, as quantizers
		 * write it (its values are taken as they are). */
		float bs[OC];
		for (int c = 0; c < OC; c++)
			bs[c] = 0.02f * ws[c];
		lft_onnx_init(b, "bs", 1, 1, vd, bs, sizeof(bs));
		lft_onnx_node(b, "DequantizeLinear", "", "dq_x", "x,xs,xz",
			      "fx");
		lft_onnx_node(b, "DequantizeLinear", "", "dq_w", "w,ws,wz",
			      "fw");
		lft_onnx_attr_i(b, "axis", 0);
		lft_onnx_node(b, "DequantizeLinear", "", "dq_b", "bias,bs",
			      "fb");
		lft_onnx_attr_i(b, "axis", 0);
		lft_onnx_node(b, "Conv", "", "conv", "fx,fw,fb", "fconv");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
		lft_onnx_attr_ints(b, "pads", 4, p1);
		lft_onnx_node(b, "QuantizeLinear", "", "q_c", "fconv,cs,cz",
			      "c");
	}
	if (part == 0)
		act_nodes(b, a, "c", "y");
	free(w);
	return lft_onnx_finish(b, len);
}

/* Runs model @buf on @ctx with input @x (a tensor of any context: its
 * bytes are copied); the output, and the profile into @p if not NULL. */
static lf_tensor *run(lf_context *ctx, const uint8_t *buf, size_t len,
		      lf_tensor *x, lf_run_profile *p)
{
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	int64_t d[8];
	CU_ASSERT_EQUAL_FATAL(lf_tensor_shape(x, d), 4);
	lf_tensor *xi = NULL, *y[1] = {NULL};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, d, NULL, &xi), LF_OK);
	memcpy(lf_tensor_data(xi), lf_tensor_data(x), lf_tensor_bytes(x));
	lf_status st = lf_model_run(m, &xi, 1, y, 1, p);
	if (st != LF_OK)
		fprintf(stderr, "run: %s: %s\n", lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	lf_tensor_destroy(xi);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	return y[0];
}

/* The profile of a fused model: one layer, the conv with its table, on
 * the device (@dev) or the CPU; its layout into @layout. */
static void check_fused(const lf_run_profile *p, int dev, char *layout,
			size_t n)
{
	CU_ASSERT_EQUAL(lf_run_profile_count(p), 1);
	struct lf_layer_profile r = LF_STRUCT_INIT(struct lf_layer_profile);
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_get(p, 0, &r), LF_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.op, "+LUT"));
	CU_ASSERT_STRING_EQUAL(r.where, dev ? "device" : "cpu");
	snprintf(layout, n, "%s", r.layout);
}

static void test_ops(void)
{
	for (int a = 0; a < ACT_COUNT; a++)
		for (int ic = 24; ic <= 64; ic += 40) {
			size_t lf, lc, la;
			uint8_t *full = model((enum act)a, ic, 0, &lf);
			uint8_t *conv = model((enum act)a, ic, 1, &lc);
			uint8_t *act = model((enum act)a, ic, 2, &la);
			int64_t xd[4] = {1, ic, HW, HW};
			lf_tensor *x = NULL;
			CU_ASSERT_EQUAL_FATAL(lf_tensor_create(cpu_ctx,
							       LF_DTYPE_UINT8,
							       4, xd, NULL, &x),
					      LF_OK);
			struct lf_rng r;
			lf_rng_seed(&r, (uint64_t)(a * 100 + ic));
			lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
				 lf_tensor_bytes(x));
			/* The oracle: each half alone on the CPU. */
			lf_tensor *c = run(cpu_ctx, conv, lc, x, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(c);
			lf_tensor *want = run(cpu_ctx, act, la, c, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(want);
			int seen[256] = {0}, distinct = 0;
			const uint8_t *v = lf_tensor_data(want);
			for (size_t i = 0; i < lf_tensor_bytes(want); i++)
				distinct += !seen[v[i]]++;
			CU_ASSERT(distinct >= 20);
			char what[96], layout[32];
			for (int k = -1; k < 2; k++) {
				lf_context *ctx = k < 0 ? cpu_ctx
						  : ic == 24
						      ? lftm_engine_nchw_ctx(k)
						      : lftm_engine_ctx(k);
				if (!ctx)
					continue;
				lf_run_profile *p;
				CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p),
						      LF_OK);
				lf_tensor *y = run(ctx, full, lf, x, p);
				snprintf(what, sizeof(what), "%s ic %d on %s",
					 act_name[a], ic,
					 k < 0	 ? "cpu"
					 : k > 0 ? "opencl:0"
						 : "emu");
				CU_ASSERT(y && lft_same(y, want, 1, what));
				check_fused(p, k >= 0, layout, sizeof(layout));
				/* Both datapaths of the conv: ic 64 blocked,
				 * ic 24 NCHW (an xclbin without blocked
				 * datapaths: ic 24 would take the small
				 * blocked form, plan/mparams.c). */
				if (k >= 0)
					CU_ASSERT_STRING_EQUAL(
					    layout,
					    ic == 64 ? "blocked" : "nchw");
				lf_tensor_destroy(y);
				lf_run_profile_destroy(p);
				if (k >= 0)
					CU_ASSERT_EQUAL(lf_context_destroy(ctx),
							LF_OK);
			}
			lf_tensor_destroy(want);
			lf_tensor_destroy(c);
			lf_tensor_destroy(x);
			free(full);
			free(conv);
			free(act);
		}
}

/*
 * An identity 1x1 conv over 16 channels of 4x4 (x_scale 0.125, x_zp 128,
 * weights the identity at scale 1, output scale 0.125, zero point 128:
 * mult 0.125 * 1 / 0.125 = 1, so the conv's output byte is its input
 * byte), then DQ (0.125, 128) -> HardSigmoid (alpha 0.25, beta 0.5) -> Q
 * (1/256, 0). By hand, exact in float32 (powers of two):
 *   v = (b - 128) * 0.125, h = min(1, max(0, 0.25 v + 0.5)),
 *   y = min(255, rint(256 h)) = clamp(8 (b - 128) + 128, 0, 255):
 * b 112 -> 0, 113 -> 8, 127 -> 120, 128 -> 128, 129 -> 136,
 * 143 -> 248, 144 -> 255 (256 saturates). The input holds every byte once.
 */
static uint8_t *identity_model(size_t *len)
{
	int64_t xd[4] = {1, 16, 4, 4}, wd[4] = {16, 16, 1, 1}, vd[1] = {16};
	int8_t w[256], wz[16] = {0};
	float ws[16];
	for (int i = 0; i < 256; i++)
		w[i] = (int8_t)(i / 16 == i % 16);
	for (int c = 0; c < 16; c++)
		ws[c] = 1.0f;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "y", 2, 4, xd);
	lft_onnx_init(b, "w", 3, 4, wd, w, sizeof(w));
	lft_onnx_init(b, "ws", 1, 1, vd, ws, sizeof(ws));
	lft_onnx_init(b, "wz", 3, 1, vd, wz, sizeof(wz));
	const float s8 = 0.125f, s256 = 1.0f / 256.0f;
	const uint8_t z128 = 128, z0 = 0;
	lft_onnx_init(b, "s8", 1, 0, NULL, &s8, 4);
	lft_onnx_init(b, "s256", 1, 0, NULL, &s256, 4);
	lft_onnx_init(b, "z128", 2, 0, NULL, &z128, 1);
	lft_onnx_init(b, "z0", 2, 0, NULL, &z0, 1);
	lft_onnx_node(b, "DequantizeLinear", "", "dq_x", "x,s8,z128", "fx");
	lft_onnx_node(b, "DequantizeLinear", "", "dq_w", "w,ws,wz", "fw");
	lft_onnx_attr_i(b, "axis", 0);
	lft_onnx_node(b, "Conv", "", "conv", "fx,fw", "fconv");
	lft_onnx_node(b, "QuantizeLinear", "", "q_c", "fconv,s8,z128", "c");
	lft_onnx_node(b, "DequantizeLinear", "", "dq_c", "c,s8,z128", "fc");
	lft_onnx_node(b, "HardSigmoid", "", "act", "fc", "fh");
	lft_onnx_attr_f(b, "alpha", 0.25f);
	lft_onnx_attr_f(b, "beta", 0.5f);
	lft_onnx_node(b, "QuantizeLinear", "", "q_y", "fh,s256,z0", "y");
	return lft_onnx_finish(b, len);
}

static void test_hand_table(void)
{
	size_t len;
	uint8_t *buf = identity_model(&len);
	int64_t xd[4] = {1, 16, 4, 4};
	lf_tensor *x = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	uint8_t *xb = lf_tensor_data(x);
	for (int i = 0; i < 256; i++)
		xb[i] = (uint8_t)((i * 77 + 5) % 256); /* each byte once */
	for (int k = -1; k < 2; k++) {
		lf_context *ctx = k < 0 ? cpu_ctx : lftm_engine_ctx(k);
		if (!ctx)
			continue;
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		lf_tensor *y = run(ctx, buf, len, x, p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(y);
		const uint8_t *yb = lf_tensor_data(y);
		int bad = 0;
		for (int i = 0; i < 256; i++) {
			int v = 8 * (xb[i] - 128) + 128;
			v = v < 0 ? 0 : v > 255 ? 255 : v;
			if (yb[i] != v && bad++ < 4)
				fprintf(stderr,
					"\nhand_table (%s): byte %u gave %u, "
					"want %d\n",
					k < 0 ? "cpu"
					: k   ? "opencl:0"
					      : "emu",
					xb[i], yb[i], v);
		}
		CU_ASSERT_EQUAL(bad, 0);
		char layout[32];
		check_fused(p, k >= 0, layout, sizeof(layout));
		lf_tensor_destroy(y);
		lf_run_profile_destroy(p);
		if (k >= 0)
			CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	lf_tensor_destroy(x);
	free(buf);
}

/*
 * Small convs run blocked (plan/mparams.c blk_area): MobileNetV3-Small's
 * 16 -> 16 1x1 (packed 16 times its weights), 16-channel depthwise 3x3
 * and squeeze-excite 16 -> 8 (32 times) as one blocked segment on
 * lfk_engine, the cpu device's bytes. Before, each had no blocked form
 * and its whole segment ran NCHW.
 */
static uint8_t *small_model(size_t *len)
{
	int64_t xd[4] = {1, 16, 8, 8}, yd[4] = {1, 8, 8, 8};
	int64_t w1d[4] = {16, 16, 1, 1}, w2d[4] = {16, 1, 3, 3},
		w3d[4] = {8, 16, 1, 1};
	int8_t w1[256], w2[144], w3[128];
	struct lf_rng r;
	lf_rng_seed(&r, 0x5e);
	lft_fill(&r, LF_DTYPE_INT8, w1, sizeof(w1));
	lft_fill(&r, LF_DTYPE_INT8, w2, sizeof(w2));
	lft_fill(&r, LF_DTYPE_INT8, w3, sizeof(w3));
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "C", 2, 4, yd);
	lft_onnx_init(b, "w1", 3, 4, w1d, w1, sizeof(w1));
	lft_onnx_init(b, "w2", 3, 4, w2d, w2, sizeof(w2));
	lft_onnx_init(b, "w3", 3, 4, w3d, w3, sizeof(w3));
	const char *fn[5] = {"xs", "ws", "as", "bs", "cs"};
	const float fv[5] = {0.02f, 0.004f, 0.03f, 0.05f, 0.04f};
	for (int k = 0; k < 5; k++)
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
	const char *zn[4] = {"xz", "az", "bz", "cz"};
	const uint8_t zv[4] = {7, 120, 100, 128};
	for (int k = 0; k < 4; k++)
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
	const int8_t wz = 0;
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	const int64_t k3[2] = {3, 3}, p1[4] = {1, 1, 1, 1};
	lft_onnx_node(b, "QLinearConv", "", "pw", "x,xs,xz,w1,ws,wz,as,az",
		      "A");
	lft_onnx_node(b, "QLinearConv", "", "dw", "A,as,az,w2,ws,wz,bs,bz",
		      "B");
	lft_onnx_attr_i(b, "group", 16);
	lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
	lft_onnx_attr_ints(b, "pads", 4, p1);
	lft_onnx_node(b, "QLinearConv", "", "se", "B,bs,bz,w3,ws,wz,cs,cz",
		      "C");
	return lft_onnx_finish(b, len);
}

static void test_small_blocked(void)
{
	size_t len;
	uint8_t *buf = small_model(&len);
	int64_t xd[4] = {1, 16, 8, 8};
	lf_tensor *x = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	struct lf_rng r;
	lf_rng_seed(&r, 0x5e1);
	lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x), lf_tensor_bytes(x));
	lf_tensor *want = run(cpu_ctx, buf, len, x, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	for (int k = 0; k < 2; k++) {
		lf_context *ctx = lftm_engine_ctx(k);
		if (!ctx)
			continue;
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		lf_tensor *y = run(ctx, buf, len, x, p);
		CU_ASSERT(y && lft_same(y, want, 1,
					k ? "small opencl:0" : "small emu"));
		CU_ASSERT_EQUAL(lf_run_profile_count(p), 3);
		for (size_t i = 0; i < lf_run_profile_count(p); i++) {
			struct lf_layer_profile e =
			    LF_STRUCT_INIT(struct lf_layer_profile);
			CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &e), LF_OK);
			CU_ASSERT_STRING_EQUAL(e.where, "device");
			CU_ASSERT_EQUAL(e.segment, 0);
			CU_ASSERT_STRING_EQUAL(e.layout, "blocked");
		}
		lf_tensor_destroy(y);
		lf_run_profile_destroy(p);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	lf_tensor_destroy(want);
	lf_tensor_destroy(x);
	free(buf);
}

void lf_test_suite_model_lut(void)
{
	static const struct lf_test_case cases[] = {
	    {"hand_table", test_hand_table},
	    {"ops", test_ops},
	    {"small_blocked", test_small_blocked},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_lut", suite_init, suite_clean, cases);
}
