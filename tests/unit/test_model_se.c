/*
 * test_model_se.c - the "model_se" suite: MobileNetV3's squeeze-excite
 * multiply and its classifier's hardswish after a Gemm on the device.
 *
 * se_block: x [N, 70, 7, 7] -> 1x1 conv -> A; A -> QLinearGlobalAveragePool
 *   -> 1x1 conv (16) -> 1x1 conv (70) -> DQ -> HardSigmoid -> Q -> s
 *   [N, 70, 1, 1]; QLinearMul(A, s) (com.microsoft, s broadcast over the
 *   pixels: LF_KOP_MUL with LF_DF_X2_PER_CH for one image, LF_DF_X2_PER_NC
 *   for two) -> 1x1 conv -> y. 70 channels leave pad lanes in the second
 *   channel block.
 * classifier: x [N, 96, 3, 3] -> QLinearGlobalAveragePool -> Flatten ->
 *   QGemm (130 columns) -> y1; hardswish as ORT's quantizer writes it,
 *   QLinearMul(y1, Q(HardSigmoid(DQ(y1)))) -> h; QGemm (100) -> y. The
 *   hardswish is fused into the first QGemm as a table (lower.c), which
 *   runs as a blocked 1x1 conv with LF_DF_LUT.
 *
 * Expected bytes: the cpu device (hostlib/cpu's references: lf__ref_qmul
 * for the multiply, each node by itself). For the classifier the cpu
 * device runs a twin of the model whose first QGemm output is also a
 * graph output, so nothing is fused there and HardSigmoid, Q, DQ and
 * QLinearMul run as separate CPU ops. The device runs (the emulator with
 * lfk_engine and opencl:0, LAYERFAB_FALLBACK=off) must give the same
 * bytes with every node of the model in one device segment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "hostlib/core/context.h"
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

/* The device contexts, fallback off: 0 the emulator with lfk_engine, 1
 * opencl:0 (NULL when there is none, or under Valgrind). */
static lf_context *dev_ctx(int k)
{
	const char *x = lftm_engine_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	if (k == 1) {
		uint32_t n = 0;
		if (lf_test_under_valgrind() ||
		    lf__drv_enumerate("opencl", NULL, 0, &n) != LF_OK || n == 0)
			return NULL;
	}
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create(k ? "opencl:0" : "emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	return ctx;
}

#define C_SE 70
#define C_SQ 16
#define HW   7

/* Scalar scales and zero points, by name. */
static void scalars(struct lft_onnx *b, int n, const char *const *fn,
		    const float *fv, const char *const *zn, const uint8_t *zv)
{
	for (int k = 0; k < n; k++) {
		lft_onnx_init(b, fn[k], 1, 0, NULL, &fv[k], 4);
		lft_onnx_init(b, zn[k], 2, 0, NULL, &zv[k], 1);
	}
}

/* A QLinearConv 1x1 node @name, @ic -> @oc, int8 per-channel weights
 * (seeded by @seed), bias, reading @in (scale/zp @xq) into @out (@yq). */
static void conv1x1(struct lft_onnx *b, const char *name, int ic, int oc,
		    uint64_t seed, const char *in, const char *xq,
		    const char *out, const char *yq)
{
	int64_t wd[4] = {oc, ic, 1, 1}, vd[1] = {oc};
	size_t nw = (size_t)oc * (size_t)ic;
	int8_t *w = malloc(nw), *wz = calloc((size_t)oc, 1);
	float *ws = malloc((size_t)oc * sizeof(float));
	int32_t *bias = malloc((size_t)oc * sizeof(int32_t));
	CU_ASSERT_FATAL(w && wz && ws && bias);
	struct lf_rng r;
	lf_rng_seed(&r, seed);
	lft_fill(&r, LF_DTYPE_INT8, w, nw);
	for (int c = 0; c < oc; c++) {
		ws[c] = (0.4f + 0.02f * (float)(c % 7)) / (float)ic;
		bias[c] = (int32_t)((c * 613 + (int)seed) % 2001) - 1000;
	}
	char wn[32], wsn[32], wzn[32], bn[32], io[160];
	snprintf(wn, sizeof(wn), "%s_w", name);
	snprintf(wsn, sizeof(wsn), "%s_ws", name);
	snprintf(wzn, sizeof(wzn), "%s_wz", name);
	snprintf(bn, sizeof(bn), "%s_b", name);
	lft_onnx_init(b, wn, 3, 4, wd, w, nw);
	lft_onnx_init(b, wsn, 1, 1, vd, ws, (size_t)oc * sizeof(float));
	lft_onnx_init(b, wzn, 3, 1, vd, wz, (size_t)oc);
	lft_onnx_init(b, bn, 6, 1, vd, bias, (size_t)oc * sizeof(int32_t));
	snprintf(io, sizeof(io), "%s,%s,%s,%s,%s,%s,%s", in, xq, wn, wsn, wzn,
		 yq, bn);
	lft_onnx_node(b, "QLinearConv", "", name, io, out);
	free(w);
	free(wz);
	free(ws);
	free(bias);
}

/* The squeeze-excite block of the file comment. */
static uint8_t *se_model(size_t *len)
{
	int64_t xd[4] = {-1, C_SE, HW, HW};
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "y", 2, 4, xd);
	static const char *const fn[8] = {"xs", "as", "gs", "rs",
					  "ts", "ss", "ms", "ys"};
	static const float fv[8] = {0.02f, 0.03f,	  0.025f, 0.02f,
				    0.05f, 1.0f / 255.0f, 0.035f, 0.04f};
	static const char *const zn[8] = {"xz", "az", "gz", "rz",
					  "tz", "sz", "mz", "yz"};
	static const uint8_t zv[8] = {12, 120, 100, 0, 140, 0, 110, 128};
	scalars(b, 8, fn, fv, zn, zv);
	conv1x1(b, "c0", C_SE, C_SE, 11, "x", "xs,xz", "A", "as,az");
	lft_onnx_node(b, "QLinearGlobalAveragePool", "com.microsoft", "gap",
		      "A,as,az,gs,gz", "g");
	conv1x1(b, "fc1", C_SE, C_SQ, 12, "g", "gs,gz", "r", "rs,rz");
	conv1x1(b, "fc2", C_SQ, C_SE, 13, "r", "rs,rz", "t", "ts,tz");
	lft_onnx_node(b, "DequantizeLinear", "", "dq_t", "t,ts,tz", "ft");
	lft_onnx_node(b, "HardSigmoid", "", "hsig", "ft", "fs");
	lft_onnx_attr_f(b, "alpha", 1.0f / 6.0f);
	lft_onnx_node(b, "QuantizeLinear", "", "q_s", "fs,ss,sz", "s");
	lft_onnx_node(b, "QLinearMul", "com.microsoft", "se_mul",
		      "A,as,az,s,ss,sz,ms,mz", "M");
	conv1x1(b, "c1", C_SE, C_SE, 14, "M", "ms,mz", "y", "ys,yz");
	return lft_onnx_finish(b, len);
}

#define K_CL 96
#define C_H  130
#define C_O  100

/* A QGemm node @name (transB = 1, per-column int8 B, bias), [N, k] ->
 * [N, cols]. */
static void qgemm(struct lft_onnx *b, const char *name, int k, int cols,
		  uint64_t seed, const char *in, const char *xq,
		  const char *out, const char *yq)
{
	int64_t bd[2] = {cols, k}, cd[1] = {cols};
	size_t nb = (size_t)k * (size_t)cols;
	int8_t *w = malloc(nb), *bz = malloc((size_t)cols);
	float *bs = malloc((size_t)cols * sizeof(float));
	int32_t *bias = malloc((size_t)cols * sizeof(int32_t));
	CU_ASSERT_FATAL(w && bz && bs && bias);
	struct lf_rng r;
	lf_rng_seed(&r, seed);
	lft_fill(&r, LF_DTYPE_INT8, w, nb);
	for (int j = 0; j < cols; j++) {
		bs[j] = (0.5f + 0.03f * (float)(j % 11)) / (float)k;
		bz[j] = (int8_t)(j % 5 - 2);
		bias[j] = (j * 7919) % 4001 - 2000;
	}
	char bn[32], bsn[32], bzn[32], cn[32], io[160];
	snprintf(bn, sizeof(bn), "%s_B", name);
	snprintf(bsn, sizeof(bsn), "%s_bs", name);
	snprintf(bzn, sizeof(bzn), "%s_bz", name);
	snprintf(cn, sizeof(cn), "%s_C", name);
	lft_onnx_init(b, bn, 3, 2, bd, w, nb);
	lft_onnx_init(b, bsn, 1, 1, cd, bs, (size_t)cols * sizeof(float));
	lft_onnx_init(b, bzn, 3, 1, cd, bz, (size_t)cols);
	lft_onnx_init(b, cn, 6, 1, cd, bias, (size_t)cols * sizeof(int32_t));
	snprintf(io, sizeof(io), "%s,%s,%s,%s,%s,%s,%s", in, xq, bn, bsn, bzn,
		 cn, yq);
	lft_onnx_node(b, "QGemm", "com.microsoft", name, io, out);
	lft_onnx_attr_i(b, "transB", 1);
	free(w);
	free(bz);
	free(bs);
	free(bias);
}

/* The classifier of the file comment; @twin: y1 is a graph output too
 * (nothing fused into the first QGemm). */
static uint8_t *classifier_model(int twin, size_t *len)
{
	int64_t xd[4] = {-1, K_CL, 3, 3}, yd[2] = {-1, C_O}, hd[2] = {-1, C_H};
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	if (twin)
		lft_onnx_output(b, "y1", 2, 2, hd);
	static const char *const fn[6] = {"xs", "gs", "y1s", "hs", "ms", "ys"};
	static const float fv[6] = {0.02f,	   0.015f, 0.06f,
				    1.0f / 255.0f, 0.04f,  0.05f};
	static const char *const zn[6] = {"xz", "gz", "y1z", "hz", "mz", "yz"};
	static const uint8_t zv[6] = {10, 5, 128, 0, 60, 128};
	scalars(b, 6, fn, fv, zn, zv);
	lft_onnx_node(b, "QLinearGlobalAveragePool", "com.microsoft", "gap",
		      "x,xs,xz,gs,gz", "g");
	lft_onnx_node(b, "Flatten", "", "flat", "g", "f");
	qgemm(b, "fc1", K_CL, C_H, 21, "f", "gs,gz", "y1", "y1s,y1z");
	lft_onnx_node(b, "DequantizeLinear", "", "dq_y1", "y1,y1s,y1z", "fy1");
	lft_onnx_node(b, "HardSigmoid", "", "hsig", "fy1", "fh");
	lft_onnx_attr_f(b, "alpha", 1.0f / 6.0f);
	lft_onnx_node(b, "QuantizeLinear", "", "q_h", "fh,hs,hz", "hq");
	lft_onnx_node(b, "QLinearMul", "com.microsoft", "hswish",
		      "y1,y1s,y1z,hq,hs,hz,ms,mz", "h");
	qgemm(b, "fc2", C_H, C_O, 22, "h", "ms,mz", "y", "ys,yz");
	return lft_onnx_finish(b, len);
}

/* Runs @m with a copy of @x on its context; output 0, profile into @p. */
static lf_tensor *run(lf_context *ctx, lf_model *m, lf_tensor *x,
		      lf_run_profile *p)
{
	int64_t d[8];
	int rank = lf_tensor_shape(x, d);
	lf_tensor *xi = NULL, *y[2] = {NULL, NULL};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, rank, d, NULL, &xi), LF_OK);
	memcpy(lf_tensor_data(xi), lf_tensor_data(x), lf_tensor_bytes(x));
	size_t nout = lf_model_output_count(m);
	lf_status st = lf_model_run(m, &xi, 1, y, nout, p);
	if (st != LF_OK)
		fprintf(stderr, "run: %s: %s\n", lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	lf_tensor_destroy(xi);
	lf_tensor_destroy(y[1]);
	return y[0];
}

/* Every layer of @p on the device in segment 0, the op @op among them
 * (on the device, blocked); returns the number of layers. */
static size_t all_on_device(const lf_run_profile *p, const char *op)
{
	size_t n = lf_run_profile_count(p), found = 0;
	for (size_t i = 0; i < n; i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_get(p, i, &r), LF_OK);
		if (strcmp(r.where, "device") != 0 || r.segment != 0)
			fprintf(stderr, "\n  layer %s (%s): %s, segment %u",
				r.name, r.op, r.where, r.segment);
		CU_ASSERT_STRING_EQUAL(r.where, "device");
		CU_ASSERT_EQUAL(r.segment, 0);
		if (strcmp(r.op, op) == 0) {
			found++;
			CU_ASSERT_STRING_EQUAL(r.layout, "blocked");
		}
	}
	CU_ASSERT_EQUAL(found, 1);
	return n;
}

/* In the plan of @m for batch @n: the QLinearMul's one descriptor is a
 * blocked LF_KOP_MUL whose s is per channel (batch 1) or per image and
 * channel (batch 2); 1 if so (or the model has no QLinearMul). */
static int mul_desc_ok(const lf_model *m, int64_t n)
{
	for (struct lf__plan_entry *e = m->plans; e; e = e->next) {
		const struct lf__mplan *p = e->p;
		if (p->in[0].d[0] != n)
			continue;
		for (uint32_t k = 0; k < p->ndesc; k++) {
			const lf_desc *d = &p->desc[k];
			if (d->op != LF_KOP_MUL)
				continue;
			uint32_t bc =
			    n == 1 ? LF_DF_X2_PER_CH : LF_DF_X2_PER_NC;
			return d->flags == (LF_DF_BLK | bc) &&
			       d->n == (uint32_t)n && d->ic == C_SE &&
			       d->ih == HW && d->iw == HW;
		}
		return 1;
	}
	return 0;
}

/*
 * Model @buf on the devices against @want_buf (output 0) on the cpu
 * device, batch 1, 2 and 3, input [N, @c, @hw, @hw]; @op the layer that
 * must be on the device.
 */
static void check_model(const uint8_t *buf, size_t len, const uint8_t *want_buf,
			size_t want_len, int64_t c, int64_t hw, const char *op)
{
	lf_model *mc = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_model_load_memory(cpu_ctx, want_buf, want_len, NULL, &mc),
	    LF_OK);
	for (int k = 0; k < 2; k++) {
		lf_context *ctx = dev_ctx(k);
		if (!ctx)
			continue;
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		/* Batch 2 runs as two slices of 1 on the xclbin's two CUs
		 * (run_split.c), batch 3 as 2 + 1: a slice of 2 images. */
		for (int64_t n = 1; n <= 3; n++) {
			int64_t xd[4] = {n, c, hw, hw};
			lf_tensor *x = NULL;
			CU_ASSERT_EQUAL_FATAL(lf_tensor_create(cpu_ctx,
							       LF_DTYPE_UINT8,
							       4, xd, NULL, &x),
					      LF_OK);
			struct lf_rng r;
			lf_rng_seed(&r, (uint64_t)(0x5e + n));
			lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
				 lf_tensor_bytes(x));
			/* Each (image, channel) plane its own range, so the
			 * images' averages (and their gates s) differ. */
			uint8_t *xb = lf_tensor_data(x);
			size_t plane = (size_t)(hw * hw);
			for (size_t i = 0; i < lf_tensor_bytes(x); i++) {
				size_t pc = i / plane; /* image * c + channel */
				xb[i] =
				    (uint8_t)(xb[i] % 64 +
					      (pc * 37 + pc / (size_t)c * 101) %
						  192);
			}
			lf_run_profile *p;
			CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
			lf_tensor *want = run(cpu_ctx, mc, x, NULL);
			lf_tensor *got = run(ctx, m, x, p);
			char what[64];
			snprintf(what, sizeof(what), "%s batch %lld vs cpu",
				 k ? "opencl:0" : "emu", (long long)n);
			CU_ASSERT(got && want && lft_same(got, want, 1, what));
			CU_ASSERT(all_on_device(p, op) >= 3);
			CU_ASSERT(mul_desc_ok(m, n));
			lf_run_profile_destroy(p);
			lf_tensor_destroy(got);
			lf_tensor_destroy(want);
			lf_tensor_destroy(x);
		}
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
}

static void test_se_block(void)
{
	size_t len;
	uint8_t *buf = se_model(&len);
	check_model(buf, len, buf, len, C_SE, HW, "QLinearMul");
	free(buf);
}

static void test_classifier(void)
{
	size_t len, tlen;
	uint8_t *buf = classifier_model(0, &len);
	uint8_t *twin = classifier_model(1, &tlen);
	check_model(buf, len, twin, tlen, K_CL, 3, "QGemm+LUT");
	free(buf);
	free(twin);
}

void lf_test_suite_model_se(void)
{
	static const struct lf_test_case cases[] = {
	    {"se_block", test_se_block},
	    {"classifier", test_classifier},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_se", suite_init, suite_clean, cases);
}
