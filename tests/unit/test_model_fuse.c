/*
 * test_model_fuse.c - the "model_fuse" suite: a residual QLinearAdd fused
 * into the store of the blocked conv making one of its inputs
 * (hostlib/plan/mplan_fuse.c; hls/lf_desc.h "Fused add", LF_DF_ADD).
 *
 * The models: x (uint8, ic channels, 6 x 7) -> QLinearConv a (3x3 pad
 * 1, per-channel int8 weights, oc channels) and, in a downsampling block,
 * QLinearConv b (1x1, x -> oc channels, after a in the graph, so b takes
 * the add: a is written first); then com.microsoft QLinearAdd of a and
 * the skip (x itself, or b), in either operand order (ORT's A is its
 * outer operand: LF_DF_SWAP when that is the skip), -> y, the graph
 * output. One case also makes a a graph output: then no conv may take
 * the add (a must be stored), and the add keeps its own descriptor. Two
 * make a the identity (a 1x1 conv with identity weights and x's
 * quantization: a = x) and search the add's scales and zero points for
 * bytes x where ORT's operand order decides the sum (its two fmas in
 * the other order round the other way), and x holds only those: a plan
 * that got LF_DF_SWAP the wrong way round gives other bytes everywhere.
 *
 * Expected bytes never come from the fused path: each conv alone and
 * the add alone, as separate models on the cpu device (hostlib/cpu's
 * reference), chained by the test. The whole model must give those bytes
 * on cpu, emu (aws-f1 engine), emu:tiny and opencl:0, and on the devices
 * the profile says the add was fused (layout "fused", where "device",
 * one segment, 0 modeled cycles on emu) or, in the negative case, ran blocked.
 *
 * Also a MaxPool fused into the conv making its input (lf_desc.h "Fused
 * max pool", LF_DF_POOL; test_pool): x -> QLinearConv t -> MaxPool -> y,
 * ResNet's stem (7x7 stride 2, 3 channels: folded) and odd shapes, at
 * batch 1 (emu splits the layers over its two CUs: parts of the pooled
 * rows, their boundary conv rows computed by both) and 2; expected: the
 * conv alone, then the MaxPool alone, on the cpu device. Negative: t a
 * graph output too, or a window the kernel does not take (3x3 stride 1,
 * ceil mode of another size): the pool keeps its own descriptor.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"
#include "unit/kernel_cases.h"

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

#define H 6
#define W 7

/* One case. */
struct fcase {
	const char *name;
	int n, ic, oc;
	int down;	  /* the skip is conv b (1x1) of x, else x itself */
	int skip_a;	  /* the skip is QLinearAdd's A (ORT's outer operand) */
	int a_out;	  /* a is a graph output too: nothing may be fused */
	float sa, sb, sy; /* the add's scales: a's, the skip's, y's */
	uint8_t za, zb, zy;
	int ident; /* a = x (identity 1x1 conv), order-deciding data */
};

static const struct fcase cases[] = {
    {"identity 70", 1, 70, 70, 0, 0, 0, 0.05f, 0.02f, 0.04f, 120, 12, 128, 0},
    {"identity skip first, batch 2", 2, 70, 70, 0, 1, 0, 0.05f, 0.02f, 0.04f,
     120, 12, 128, 0},
    {"downsample 64 -> 100", 1, 64, 100, 1, 0, 0, 0.03f, 0.06f, 0.05f, 3, 200,
     90, 0},
    {"downsample skip first, batch 2, ties", 2, 64, 128, 1, 1, 0, 0.125f, 0.25f,
     0.5f, 128, 128, 128, 0},
    {"a also an output", 1, 70, 70, 0, 0, 1, 0.05f, 0.02f, 0.04f, 120, 12, 128,
     0},
    {"order decides, a first", 1, 64, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {"order decides, skip first, batch 2", 2, 64, 64, 0, 1, 0, 0, 0, 0, 0, 0, 0,
     1},
};

/* Conv @k's (0: a, 1: b) constants w<k>, ws<k>, wz<k>, b<k>. */
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
	lf_rng_seed(&r, 0xf5e + (uint64_t)k);
	lft_fill(&r, LF_DTYPE_INT8, w, nw);
	for (int c = 0; c < oc; c++) {
		ws[c] = (0.03f + 0.002f * (float)(c % 5)) / (float)(ic * kk);
		bias[c] = (c * 331 + k * 59) % 1601 - 800;
	}
	char nm[4][8];
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

/* The identity 1x1 conv (ic == oc): w[o][i] = (o == i), scale 1, as
 * conv 0's constants. */
static void ident_consts(struct lft_onnx *b, int oc)
{
	int64_t wd[4] = {oc, oc, 1, 1}, vd[1] = {oc};
	int8_t *w = calloc((size_t)oc * (size_t)oc, 1);
	int8_t *wz = calloc((size_t)oc, 1);
	int32_t *bias = calloc((size_t)oc, sizeof(int32_t));
	float *ws = malloc((size_t)oc * sizeof(float));
	CU_ASSERT_FATAL(w && wz && bias && ws);
	for (int c = 0; c < oc; c++) {
		w[(size_t)c * (size_t)oc + (size_t)c] = 1;
		ws[c] = 1.0f;
	}
	lft_onnx_init(b, "w0", 3, 4, wd, w, (size_t)oc * (size_t)oc);
	lft_onnx_init(b, "ws0", 1, 1, vd, ws, (size_t)oc * sizeof(float));
	lft_onnx_init(b, "wz0", 3, 1, vd, wz, (size_t)oc);
	lft_onnx_init(b, "b0", 6, 1, vd, bias, (size_t)oc * sizeof(int32_t));
	free(w);
	free(wz);
	free(bias);
	free(ws);
}

/*
 * For an ident case: the add's scales and zero points (into *c) under
 * which, for some bytes x, QLinearAdd(x, x) depends on which operand is
 * ORT's outer one; those x into @vals. Return how many (0: none found).
 */
static int order_search(struct fcase *c, uint8_t vals[256])
{
	struct lf_rng r;
	lf_rng_seed(&r, 0x0dde);
	for (int set = 0; set < 20000; set++) {
		float s[3];
		int32_t z[3];
		for (int i = 0; i < 3; i++) {
			double u = (double)lf_rng_u32(&r) / 4294967296.0;
			s[i] = (float)exp(-5.0 + 5.0 * u);
			z[i] = lf_rng_range(&r, 0, 255);
		}
		int n = 0;
		for (int x = 0; x < 256; x++)
			if (lf_kc_qadd_order(x, s[0], z[0], x, s[1], z[1], s[2],
					     z[2], LF_KDT_U8) !=
			    lf_kc_qadd_order(x, s[1], z[1], x, s[0], z[0], s[2],
					     z[2], LF_KDT_U8))
				vals[n++] = (uint8_t)x;
		if (n == 0)
			continue;
		c->sa = s[0], c->sb = s[1], c->sy = s[2];
		c->za = (uint8_t)z[0], c->zb = (uint8_t)z[1];
		c->zy = (uint8_t)z[2];
		return n;
	}
	return 0;
}

/* Parts: the whole model, conv a alone, conv b alone, the add alone. */
enum { P_WHOLE, P_A, P_B, P_ADD };

static uint8_t *model(const struct fcase *c, int part, size_t *len)
{
	int64_t xd[4] = {c->n, c->ic, H, W}, yd[4] = {c->n, c->oc, H, W};
	struct lft_onnx *b = lft_onnx_new(13);
	const float xs = 0.02f;
	const uint8_t xz = 12;
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "sa", 1, 0, NULL, &c->sa, 4);
	lft_onnx_init(b, "za", 2, 0, NULL, &c->za, 1);
	lft_onnx_init(b, "sb", 1, 0, NULL, &c->sb, 4);
	lft_onnx_init(b, "zb", 2, 0, NULL, &c->zb, 1);
	lft_onnx_init(b, "sy", 1, 0, NULL, &c->sy, 4);
	lft_onnx_init(b, "zy", 2, 0, NULL, &c->zy, 1);
	/* the skip: x (quantized as xs, xz: the add says sb, zb) or b */
	const char *skip = c->down ? "b" : "x";
	if (part == P_ADD) {
		lft_onnx_input(b, "a", 2, 4, yd);
		if (c->down)
			lft_onnx_input(b, "b", 2, 4, yd);
		else
			lft_onnx_input(b, "x", 2, 4, xd);
	} else {
		lft_onnx_input(b, "x", 2, 4, xd);
	}
	if ((part == P_A || part == P_WHOLE) && c->ident) {
		/* a = x: x's quantization, mult 1 */
		const int64_t k1[2] = {1, 1};
		ident_consts(b, c->oc);
		lft_onnx_node(b, "QLinearConv", "", "ca",
			      "x,xs,xz,w0,ws0,wz0,xs,xz,b0", "a");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k1);
	} else if (part == P_A || part == P_WHOLE) {
		const int64_t k3[2] = {3, 3}, p1[4] = {1, 1, 1, 1};
		conv_consts(b, 0, c->oc, c->ic, 3);
		lft_onnx_node(b, "QLinearConv", "", "ca",
			      "x,xs,xz,w0,ws0,wz0,sa,za,b0", "a");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k3);
		lft_onnx_attr_ints(b, "pads", 4, p1);
	}
	if ((part == P_B || part == P_WHOLE) && c->down) {
		const int64_t k1[2] = {1, 1};
		conv_consts(b, 1, c->oc, c->ic, 1);
		lft_onnx_node(b, "QLinearConv", "", "cb",
			      "x,xs,xz,w1,ws1,wz1,sb,zb,b1", "b");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k1);
	}
	if (part == P_A)
		lft_onnx_output(b, "a", 2, 4, yd);
	if (part == P_B)
		lft_onnx_output(b, "b", 2, 4, yd);
	if (part == P_A || part == P_B)
		return lft_onnx_finish(b, len);
	char io[96];
	if (c->skip_a)
		snprintf(io, sizeof(io), "%s,sb,zb,a,sa,za,sy,zy", skip);
	else
		snprintf(io, sizeof(io), "a,sa,za,%s,sb,zb,sy,zy", skip);
	lft_onnx_node(b, "QLinearAdd", "com.microsoft", "add", io, "y");
	lft_onnx_output(b, "y", 2, 4, yd);
	if (part == P_WHOLE && c->a_out)
		lft_onnx_output(b, "a", 2, 4, yd);
	return lft_onnx_finish(b, len);
}

/* Runs @buf on @ctx with inputs @in (copied to @ctx); outputs into @out
 * (@nout), the profile into @p if not NULL. */
static void run(lf_context *ctx, const uint8_t *buf, size_t len, lf_tensor **in,
		size_t nin, lf_tensor **out, size_t nout, lf_run_profile *p)
{
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	lf_tensor *xi[2] = {NULL, NULL};
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

/* The expected y and a: each part alone on the cpu device. */
static void oracle(const struct fcase *c, lf_tensor *x, lf_tensor **y,
		   lf_tensor **a)
{
	lf_tensor *sk = NULL;
	size_t len;
	uint8_t *buf = model(c, P_A, &len);
	run(cpu_ctx, buf, len, &x, 1, a, 1, NULL);
	free(buf);
	if (c->down) {
		buf = model(c, P_B, &len);
		run(cpu_ctx, buf, len, &x, 1, &sk, 1, NULL);
		free(buf);
	}
	lf_tensor *in[2] = {*a, c->down ? sk : x};
	buf = model(c, P_ADD, &len);
	run(cpu_ctx, buf, len, in, 2, y, 1, NULL);
	free(buf);
	lf_tensor_destroy(sk);
}

/* On a device: the record of @op (fused: its cycles are its conv's, so
 * none of its own, when @modeled: the device has the cycle model) has
 * layout @fused ? "fused" : "blocked"; no fallback, one segment; @all:
 * every layer's record says "device", else only @op's. */
static void check_op(const lf_run_profile *p, const char *op, int fused,
		     int all, int modeled, const char *what)
{
	const char *want = fused ? "fused" : "blocked";
	int seen = 0;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_get(p, i, &r), LF_OK);
		CU_ASSERT_EQUAL(r.fallback, 0);
		if (all)
			CU_ASSERT_STRING_EQUAL(r.where, "device");
		if (strcmp(r.op, op) != 0)
			continue;
		seen = 1;
		CU_ASSERT_STRING_EQUAL(r.where, "device");
		if (strcmp(r.layout, want) != 0)
			fprintf(stderr, "\n%s: the %s's layout is %s\n", what,
				op, r.layout);
		CU_ASSERT_STRING_EQUAL(r.layout, want);
		if (modeled && (r.device_cycles == 0) != fused)
			fprintf(stderr, "\n%s: the %s's cycles %llu\n", what,
				op, (unsigned long long)r.device_cycles);
		if (modeled)
			CU_ASSERT_EQUAL(r.device_cycles == 0, fused);
	}
	CU_ASSERT(seen);
	CU_ASSERT_EQUAL(lft_profile_segments(p), 1u);
}

/* Device @k of a case's runs (-1 cpu, 0 emu, 1 opencl:0, 2 emu:tiny;
 * NULL: not here), and "@name on <device>" into @what. */
static lf_context *device(int k, const char *name, char *what, size_t n)
{
	lf_context *ctx = k < 0 ? cpu_ctx : k < 2 ? lftm_engine_ctx(k) : NULL;
	if (k == 2)
		CU_ASSERT_EQUAL_FATAL(lf_context_create("emu:tiny", NULL, &ctx),
				      LF_OK);
	snprintf(what, n, "%s on %s", name,
		 k < 0	  ? "cpu"
		 : k == 1 ? "opencl:0"
		 : k == 2 ? "emu:tiny"
			  : "emu");
	return ctx;
}

/* How many distinct bytes @t holds (an op that does something: many). */
static int distinct(lf_tensor *t)
{
	int seen[256] = {0}, n = 0;
	const uint8_t *v = lf_tensor_data(t);
	for (size_t i = 0; i < lf_tensor_bytes(t); i++)
		n += !seen[v[i]]++;
	return n;
}

/* Runs model @buf (input @x) on cpu, emu, opencl:0 and emu:tiny: its
 * output must be @wy, and its second output @w2 when not NULL. On the
 * devices in @checked (bit k for device k of device()), check_op(@op,
 * @fused, @all) on the run's profile, modeled except on opencl:0. */
static void run_devices(const char *name, const uint8_t *buf, size_t len,
			lf_tensor *x, lf_tensor *wy, lf_tensor *w2,
			unsigned checked, const char *op, int fused, int all)
{
	size_t nout = w2 ? 2 : 1;
	for (int k = -1; k < 3; k++) {
		char what[96];
		lf_context *ctx = device(k, name, what, sizeof(what));
		if (!ctx)
			continue;
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		lf_tensor *out[2] = {NULL, NULL};
		run(ctx, buf, len, &x, 1, out, nout, p);
		CU_ASSERT(out[0] && lft_same(out[0], wy, 1, what));
		if (w2)
			CU_ASSERT(out[1] && lft_same(out[1], w2, 1, what));
		if (k >= 0 && (checked >> k & 1u))
			check_op(p, op, fused, all, k != 1, what);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(out[1]);
		lf_run_profile_destroy(p);
		if (k >= 0)
			CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
}

static void test_cases(void)
{
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		struct fcase cc = cases[ci];
		const struct fcase *c = &cc;
		uint8_t vals[256];
		int nv = cc.ident ? order_search(&cc, vals) : 0;
		CU_ASSERT_FATAL(!cc.ident || nv > 0);
		int64_t xd[4] = {c->n, c->ic, H, W};
		lf_tensor *x = NULL, *wy = NULL, *wa = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x),
		    LF_OK);
		struct lf_rng r;
		lf_rng_seed(&r, 0xadd + ci);
		lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
			 lf_tensor_bytes(x));
		uint8_t *xv = lf_tensor_data(x);
		for (size_t i = 0; nv > 0 && i < lf_tensor_bytes(x); i++)
			xv[i] = vals[lf_rng_u32(&r) % (uint32_t)nv];
		oracle(c, x, &wy, &wa);
		/* an add that does something: many distinct bytes */
		int nd = distinct(wy);
		if (nd < (c->ident ? 1 : 16))
			fprintf(stderr, "\n%s: %d distinct bytes\n", c->name,
				nd);
		CU_ASSERT(nd >= (c->ident ? 1 : 16));
		size_t len;
		uint8_t *buf = model(c, P_WHOLE, &len);
		/* a second output of the conv: the add cannot fuse */
		run_devices(c->name, buf, len, x, wy, c->a_out ? wa : NULL, 7u,
			    "QLinearAdd", !c->a_out, 0);
		free(buf);
		lf_tensor_destroy(wy);
		lf_tensor_destroy(wa);
		lf_tensor_destroy(x);
	}
}

/* A conv + max pool case (test_pool). */
struct pcase {
	const char *name;
	int n, ic, oc, h, w;
	int ck, cs, cp;	      /* the conv: kernel, stride, pads */
	int pk, ps, pp, ceil; /* the pool: kernel, stride, pads, ceil_mode */
	int t_out;	      /* t is a graph output too */
	int fused;	      /* the planner must fuse it */
};

static const struct pcase pcases[] = {
    {"stem 7x7/2 + 3x3/2", 1, 3, 64, 32, 30, 7, 2, 3, 3, 2, 1, 0, 0, 1},
    {"stem batch 2", 2, 3, 64, 22, 26, 7, 2, 3, 3, 2, 1, 0, 0, 1},
    {"3x3 70 -> 100, odd", 1, 70, 100, 13, 11, 3, 1, 1, 3, 2, 1, 0, 0, 1},
    {"2x2/2 after 3x3", 1, 64, 64, 12, 10, 3, 1, 1, 2, 2, 0, 0, 0, 1},
    {"t also an output", 1, 70, 100, 13, 11, 3, 1, 1, 3, 2, 1, 0, 1, 0},
    {"3x3 stride 1: not taken", 1, 64, 64, 9, 9, 3, 1, 1, 3, 1, 1, 0, 0, 0},
    {"ceil mode, another size", 1, 64, 64, 10, 10, 3, 1, 1, 3, 2, 0, 1, 0, 0},
};

/* Parts of a pool case: the whole model, the conv alone, the pool alone. */
enum { PP_WHOLE, PP_CONV, PP_POOL };

static uint8_t *pmodel(const struct pcase *c, int part, size_t *len)
{
	int th = (c->h + 2 * c->cp - c->ck) / c->cs + 1;
	int tw = (c->w + 2 * c->cp - c->ck) / c->cs + 1;
	int64_t xd[4] = {c->n, c->ic, c->h, c->w},
		td[4] = {c->n, c->oc, th, tw};
	int64_t yh = c->ceil ? (th + 2 * c->pp - c->pk + c->ps - 1) / c->ps + 1
			     : (th + 2 * c->pp - c->pk) / c->ps + 1;
	int64_t yw = c->ceil ? (tw + 2 * c->pp - c->pk + c->ps - 1) / c->ps + 1
			     : (tw + 2 * c->pp - c->pk) / c->ps + 1;
	int64_t yd[4] = {c->n, c->oc, yh, yw};
	struct lft_onnx *b = lft_onnx_new(13);
	const float xs = 0.02f, ts = 0.05f;
	const uint8_t xz = 12, tz = 100;
	if (part == PP_POOL) {
		lft_onnx_input(b, "t", 2, 4, td);
	} else {
		lft_onnx_input(b, "x", 2, 4, xd);
		lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
		lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
		lft_onnx_init(b, "ts", 1, 0, NULL, &ts, 4);
		lft_onnx_init(b, "tz", 2, 0, NULL, &tz, 1);
		const int64_t k[2] = {c->ck, c->ck}, st[2] = {c->cs, c->cs};
		const int64_t pd[4] = {c->cp, c->cp, c->cp, c->cp};
		conv_consts(b, 0, c->oc, c->ic, c->ck);
		lft_onnx_node(b, "QLinearConv", "", "conv",
			      "x,xs,xz,w0,ws0,wz0,ts,tz,b0", "t");
		lft_onnx_attr_ints(b, "kernel_shape", 2, k);
		lft_onnx_attr_ints(b, "strides", 2, st);
		lft_onnx_attr_ints(b, "pads", 4, pd);
	}
	if (part == PP_CONV) {
		lft_onnx_output(b, "t", 2, 4, td);
		return lft_onnx_finish(b, len);
	}
	const int64_t k[2] = {c->pk, c->pk}, st[2] = {c->ps, c->ps};
	const int64_t pd[4] = {c->pp, c->pp, c->pp, c->pp};
	lft_onnx_node(b, "MaxPool", "", "pool", "t", "y");
	lft_onnx_attr_ints(b, "kernel_shape", 2, k);
	lft_onnx_attr_ints(b, "strides", 2, st);
	lft_onnx_attr_ints(b, "pads", 4, pd);
	if (c->ceil)
		lft_onnx_attr_i(b, "ceil_mode", 1);
	lft_onnx_output(b, "y", 2, 4, yd);
	if (part == PP_WHOLE && c->t_out)
		lft_onnx_output(b, "t", 2, 4, td);
	return lft_onnx_finish(b, len);
}

static void test_pool(void)
{
	for (size_t ci = 0; ci < sizeof(pcases) / sizeof(pcases[0]); ci++) {
		const struct pcase *c = &pcases[ci];
		int64_t xd[4] = {c->n, c->ic, c->h, c->w};
		lf_tensor *x = NULL, *wt = NULL, *wy = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(cpu_ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x),
		    LF_OK);
		struct lf_rng r;
		lf_rng_seed(&r, 0x9001 + ci);
		lft_fill(&r, LF_DTYPE_UINT8, lf_tensor_data(x),
			 lf_tensor_bytes(x));
		/* the oracle: the conv alone, then the pool alone (cpu) */
		size_t len;
		uint8_t *buf = pmodel(c, PP_CONV, &len);
		run(cpu_ctx, buf, len, &x, 1, &wt, 1, NULL);
		free(buf);
		buf = pmodel(c, PP_POOL, &len);
		run(cpu_ctx, buf, len, &wt, 1, &wy, 1, NULL);
		free(buf);
		/* a pool that does something: its output is not the conv's
		 * first bytes, and many bytes differ */
		CU_ASSERT(distinct(wy) >= 16);
		buf = pmodel(c, PP_WHOLE, &len);
		/* emu (aws-f1) must fuse where the case says; opencl:0 and
		 * emu:tiny may lack the line buffer for it */
		run_devices(c->name, buf, len, x, wy, c->t_out ? wt : NULL, 1u,
			    "MaxPool", c->fused, 1);
		free(buf);
		lf_tensor_destroy(wt);
		lf_tensor_destroy(wy);
		lf_tensor_destroy(x);
	}
}

void lf_test_suite_model_fuse(void)
{
	static const struct lf_test_case tc[] = {
	    {"cases", test_cases},
	    {"pool", test_pool},
	    {NULL, NULL},
	};
	lf_test_add_suite("model_fuse", suite_init, suite_clean, tc);
}
