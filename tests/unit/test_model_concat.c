/*
 * test_model_concat.c - the "model_concat" suite: QLinearConcat along
 * channels placed in the blocked output buffer (hostlib/plan/
 * mplan_concat.c): each input's conv writes straight into its channel
 * blocks of the concat's output (at batch > 1 with LF_DF_YCB), an
 * input's requantization composed into its conv's output table at import
 * where the concat could be placed, else left with the concat
 * (hostlib/model/lower.c fuse_concat()).
 *
 * The model: x (uint8, 64 channels, 6 x 6) -> QLinearConv k (3x3 pad 1,
 * oc[k] channels, its own output scale and zero point) for each input,
 * -> com.microsoft QLinearConcat (axis 1) = y, a graph output, -> a 1x1
 * QLinearConv over y = z, the other graph output (so y is both read on
 * the card and downloaded).
 *
 * Expected bytes never come from the fused or placed path: each conv
 * alone, the concat alone and the last conv alone, as separate models on
 * the cpu device (a concat with no conv before it requantizes with its
 * own table, hostlib/model/cpu.c, built by the CPU QuantizeLinear of
 * hostlib/cpu), chained by the test. The whole model must give those
 * bytes on cpu, emu and opencl:0 (the fallback off), and on the devices
 * the profile says whether the concat was placed (layout "placed", 0
 * cycles, one segment) or ran on the CPU (a first input of 40 channels:
 * its blocks do not start the second input's, so it stays there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

/* test_model.c: a context on an emulated aws-f1 xclbin with lfk_engine
 * CUs (opencl: on opencl:0; NULL when there is none). */
lf_context *lftm_engine_ctx(int opencl);

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

#define IC    64
#define HW    6
#define MAXIN 3
#define OZ    64 /* the last conv's channels */

/* One case: the inputs' channels, and per input whether its scale and
 * zero point are the concat's output's (a copy) or its own (a table). */
struct ccase {
	const char *name;
	int n;		 /* batch */
	int nin;	 /* inputs */
	int oc[MAXIN];	 /* their channels */
	int same[MAXIN]; /* 1: the output's scale and zero point */
	int placed;	 /* the planner places it (on the devices) */
};

static const struct ccase cases[] = {
    {"tables 64+128+70", 1, 3, {64, 128, 70}, {0, 1, 0}, 1},
    {"copies 64+64", 1, 2, {64, 64}, {1, 1}, 1},
    {"first input 40", 1, 2, {40, 64}, {0, 0}, 0},
    {"batch 2 tables 64+70", 2, 2, {64, 70}, {0, 0}, 1},
    {"batch 2 copies 128+64", 2, 2, {128, 64}, {1, 1}, 1},
};

/* The output's scale and zero point, and input k's own. */
static const float ys = 0.05f;
static const uint8_t yz = 100;
static float in_scale(int k)
{
	return 0.031f + 0.017f * (float)k;
}
static uint8_t in_zp(int k)
{
	return (uint8_t)(7 + 61 * k);
}

/* Conv @k's weights, bias and weight scales as initializers named
 * w<k>, b<k>, ws<k>, wz<k> (seeded by k: the same in every model). */
static void conv_consts(struct lft_onnx *b, int k, int oc, int ic, int kk)
{
	int64_t wd[4] = {oc, ic, kk, kk}, vd[1] = {oc};
	size_t nw = (size_t)oc * (size_t)ic * (size_t)(kk * kk);
	int8_t *w = malloc(nw);
	int8_t *wz = calloc((size_t)oc, 1);
	int32_t *bias = malloc((size_t)oc * sizeof(int32_t));
	float *ws = malloc((size_t)oc * sizeof(float));
	CU_ASSERT_FATAL(w && wz && bias && ws);
	struct lf_rng r;
	lf_rng_seed(&r, 0xc0c + (uint64_t)k);
	lft_fill(&r, LF_DTYPE_INT8, w, nw);
	for (int c = 0; c < oc; c++) {
		ws[c] = (0.02f + 0.001f * (float)(c % 7)) / (float)(ic * kk);
		bias[c] = (c * 613 + k * 97) % 2001 - 1000;
	}
	char nm[4][24];
	snprintf(nm[0], sizeof(nm[0]), "w%d", k);
	snprintf(nm[1], sizeof(nm[1]), "ws%d", k);
	snprintf(nm[2], sizeof(nm[2]), "wz%d", k);
	snprintf(nm[3], sizeof(nm[3]), "b%d", k);
	lft_onnx_init(b, nm[0], 3, 4, wd, w, nw);
	lft_onnx_init(b, nm[1], 1, 1, vd, ws, (size_t)oc * sizeof(float));
	lft_onnx_init(b, nm[2], 3, 1, vd, wz, (size_t)oc);
	lft_onnx_init(b, nm[3], 6, 1, vd, bias, (size_t)oc * sizeof(int32_t));
	free(w);
	free(wz);
	free(bias);
	free(ws);
}

/* Scales and zero points: xs/xz (the input), s<k>/z<k> (conv k's
 * output), ys/yz (the concat's), zs/zz (the last conv's). */
static void quant_consts(struct lft_onnx *b, const struct ccase *c)
{
	const float xs = 0.02f, zs = 0.1f;
	const uint8_t xz = 12, zz = 128;
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "ys", 1, 0, NULL, &ys, 4);
	lft_onnx_init(b, "yz", 2, 0, NULL, &yz, 1);
	lft_onnx_init(b, "zs", 1, 0, NULL, &zs, 4);
	lft_onnx_init(b, "zz", 2, 0, NULL, &zz, 1);
	for (int k = 0; k < c->nin; k++) {
		char s[24], z[24];
		float sv = c->same[k] ? ys : in_scale(k);
		uint8_t zv = c->same[k] ? yz : in_zp(k);
		snprintf(s, sizeof(s), "s%d", k);
		snprintf(z, sizeof(z), "z%d", k);
		lft_onnx_init(b, s, 1, 0, NULL, &sv, 4);
		lft_onnx_init(b, z, 2, 0, NULL, &zv, 1);
	}
}

static int ytotal(const struct ccase *c)
{
	int t = 0;
	for (int k = 0; k < c->nin; k++)
		t += c->oc[k];
	return t;
}

/* Parts of the model: the whole, conv k alone (x -> c<k>), the concat
 * alone (c<k> -> y), the last conv alone (y -> z). */
enum { P_WHOLE = -1, P_CONCAT = MAXIN, P_LAST = MAXIN + 1 };

static void conv_node(struct lft_onnx *b, int k)
{
	char io[160], out[24];
	snprintf(io, sizeof(io), "x,xs,xz,w%d,ws%d,wz%d,s%d,z%d,b%d", k, k, k,
		 k, k, k);
	snprintf(out, sizeof(out), "c%d", k);
	const int64_t k3[2] = {3, 3}, p1[4] = {1, 1, 1, 1};
	lft_onnx_node(b, "QLinearConv", "", out, io, out);
	lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
	lft_onnx_attr_ints(b, "pads", 4, p1);
}

static uint8_t *model(const struct ccase *c, int part, size_t *len)
{
	int64_t xd[4] = {c->n, IC, HW, HW}, yd[4] = {c->n, ytotal(c), HW, HW};
	int64_t zd[4] = {c->n, OZ, HW, HW};
	struct lft_onnx *b = lft_onnx_new(13);
	quant_consts(b, c);
	char io[256];
	if (part >= 0 && part < MAXIN) {
		int64_t cd[4] = {c->n, c->oc[part], HW, HW};
		char out[24];
		snprintf(out, sizeof(out), "c%d", part);
		lft_onnx_input(b, "x", 2, 4, xd);
		lft_onnx_output(b, out, 2, 4, cd);
		conv_consts(b, part, c->oc[part], IC, 3);
		conv_node(b, part);
		return lft_onnx_finish(b, len);
	}
	if (part == P_LAST) {
		lft_onnx_input(b, "y", 2, 4, yd);
		lft_onnx_output(b, "z", 2, 4, zd);
	} else if (part == P_CONCAT) {
		for (int k = 0; k < c->nin; k++) {
			int64_t cd[4] = {c->n, c->oc[k], HW, HW};
			char in[24];
			snprintf(in, sizeof(in), "c%d", k);
			lft_onnx_input(b, in, 2, 4, cd);
		}
		lft_onnx_output(b, "y", 2, 4, yd);
	} else {
		lft_onnx_input(b, "x", 2, 4, xd);
		lft_onnx_output(b, "y", 2, 4, yd);
		lft_onnx_output(b, "z", 2, 4, zd);
		for (int k = 0; k < c->nin; k++) {
			conv_consts(b, k, c->oc[k], IC, 3);
			conv_node(b, k);
		}
	}
	if (part != P_LAST) {
		size_t at = (size_t)snprintf(io, sizeof(io), "ys,yz");
		for (int k = 0; k < c->nin; k++)
			at += (size_t)snprintf(io + at, sizeof(io) - at,
					       ",c%d,s%d,z%d", k, k, k);
		lft_onnx_node(b, "QLinearConcat", "com.microsoft", "concat", io,
			      "y");
		lft_onnx_attr_i(b, "axis", 1);
	}
	if (part != P_CONCAT) {
		conv_consts(b, MAXIN, OZ, ytotal(c), 1);
		lft_onnx_node(b, "QLinearConv", "", "last",
			      "y,ys,yz,w3,ws3,wz3,zs,zz,b3", "z");
	}
	return lft_onnx_finish(b, len);
}

/* Runs @buf on @ctx with inputs @in (tensors of any context: copied);
 * outputs into @out (@nout), the profile into @p if not NULL. */
static void run(lf_context *ctx, const uint8_t *buf, size_t len, lf_tensor **in,
		size_t nin, lf_tensor **out, size_t nout, lf_run_profile *p)
{
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	lf_tensor *xi[MAXIN] = {NULL};
	for (size_t i = 0; i < nin; i++) {
		int64_t d[8];
		int r = lf_tensor_shape(in[i], d);
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(ctx, LF_DTYPE_UINT8, r, d, NULL, &xi[i]),
		    LF_OK);
		memcpy(lf_tensor_data(xi[i]), lf_tensor_data(in[i]),
		       lf_tensor_bytes(in[i]));
	}
	lf_status st = lf_model_run(m, xi, nin, out, nout, p);
	if (st != LF_OK)
		fprintf(stderr, "run: %s: %s\n", lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	for (size_t i = 0; i < nin; i++)
		lf_tensor_destroy(xi[i]);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/* The expected y and z: each part alone on the cpu device. */
static void oracle(const struct ccase *c, lf_tensor *x, lf_tensor **y,
		   lf_tensor **z)
{
	lf_tensor *ck[MAXIN] = {NULL};
	size_t len;
	uint8_t *buf;
	for (int k = 0; k < c->nin; k++) {
		buf = model(c, k, &len);
		run(cpu_ctx, buf, len, &x, 1, &ck[k], 1, NULL);
		free(buf);
	}
	buf = model(c, P_CONCAT, &len);
	run(cpu_ctx, buf, len, ck, (size_t)c->nin, y, 1, NULL);
	free(buf);
	buf = model(c, P_LAST, &len);
	run(cpu_ctx, buf, len, y, 1, z, 1, NULL);
	free(buf);
	for (int k = 0; k < c->nin; k++)
		lf_tensor_destroy(ck[k]);
}

/* On a device: the concat's record and the number of device segments. */
static void check_profile(const struct ccase *c, const lf_run_profile *p,
			  const char *what)
{
	unsigned segs = lft_profile_segments(p), luts = 0, tables = 0;
	int seen = 0;
	for (int k = 0; k < c->nin; k++)
		tables += !c->same[k];
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_get(p, i, &r), LF_OK);
		CU_ASSERT_EQUAL(r.fallback, 0);
		luts += strstr(r.op, "+LUT") != NULL;
		if (strcmp(r.op, "QLinearConcat") != 0)
			continue;
		seen = 1;
		if (strcmp(r.where, c->placed ? "device" : "cpu") != 0)
			fprintf(stderr, "\n%s: the concat ran on %s (%s)\n",
				what, r.where, r.cpu_why);
		if (c->placed) {
			CU_ASSERT_STRING_EQUAL(r.where, "device");
			CU_ASSERT_STRING_EQUAL(r.layout, "placed");
			CU_ASSERT_EQUAL(r.device_cycles, 0);
		} else {
			CU_ASSERT_STRING_EQUAL(r.where, "cpu");
			CU_ASSERT_PTR_NOT_NULL(
			    strstr(r.cpu_why, "c % 64 != 0"));
		}
	}
	CU_ASSERT(seen);
	/* The inputs' tables are in their convs where the concat could be
	 * placed (hostlib/model/lower.c fuse_concat), else with the
	 * concat. */
	CU_ASSERT_EQUAL(luts, c->placed ? tables : 0u);
	if (segs != (c->placed ? 1u : 2u))
		fprintf(stderr, "\n%s: %u device segments\n", what, segs);
	CU_ASSERT_EQUAL(segs, c->placed ? 1u : 2u);
}

static void test_cases(void)
{
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		const struct ccase *c = &cases[ci];
		int64_t xd[4] = {c->n, IC, HW, HW};
		lf_tensor *x = NULL, *wy = NULL, *wz = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x),
		    LF_OK);
		struct lf_rng r;
		lf_rng_seed(&r, 77 + ci);
		lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
			 lf_tensor_bytes(x));
		oracle(c, x, &wy, &wz);
		/* a table that does something: many distinct bytes */
		int seen[256] = {0}, distinct = 0;
		const uint8_t *v = lf_tensor_data(wy);
		for (size_t i = 0; i < lf_tensor_bytes(wy); i++)
			distinct += !seen[v[i]]++;
		CU_ASSERT(distinct >= 40);
		size_t len;
		uint8_t *buf = model(c, P_WHOLE, &len);
		for (int k = -1; k < 2; k++) {
			lf_context *ctx = k < 0 ? cpu_ctx : lftm_engine_ctx(k);
			if (!ctx)
				continue;
			char what[96];
			snprintf(what, sizeof(what), "%s on %s", c->name,
				 k < 0 ? "cpu"
				 : k   ? "opencl:0"
				       : "emu");
			lf_run_profile *p;
			CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
			lf_tensor *out[2] = {NULL, NULL};
			run(ctx, buf, len, &x, 1, out, 2, p);
			CU_ASSERT(out[0] && lft_same(out[0], wy, 1, what));
			CU_ASSERT(out[1] && lft_same(out[1], wz, 1, what));
			if (k >= 0)
				check_profile(c, p, what);
			lf_tensor_destroy(out[0]);
			lf_tensor_destroy(out[1]);
			lf_run_profile_destroy(p);
			if (k >= 0)
				CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
		}
		free(buf);
		lf_tensor_destroy(wy);
		lf_tensor_destroy(wz);
		lf_tensor_destroy(x);
	}
}

void lf_test_suite_model_concat(void)
{
	static const struct lf_test_case tc[] = {
	    {"cases", test_cases},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_concat", suite_init, suite_clean, tc);
}
