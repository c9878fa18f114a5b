/*
 * test_graph.c - the "graph" suite: import (hostlib/model: graph IR, QDQ
 * folding, checks), planning (hostlib/plan/model_plan.c, arena.c) and
 * the single-op ORT vectors through the whole model path.
 *
 * - Every tests/data/ort/ops case through lf_model_load()/lf_model_run()
 *   on "cpu" and "emu", against ORT (integers exact, floats within the
 *   backend tests' tolerance), cpu and emu identical.
 * - Malformed files: not ONNX, truncated at many offsets, a cycle, a
 *   missing input, duplicate outputs, an unsupported op, type and opset,
 *   an absurd shape, external data escaping the model's directory: each
 *   LF_ERR_BAD_FILE or LF_ERR_UNSUPPORTED with a message naming the node
 *   or tensor, nothing leaked (the suite runs under ASan/Valgrind).
 * - External data inside the directory loads and runs.
 * - The QDQ fmnist graph folds to the QOperator graph's nodes.
 * - The arena allocator.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostlib/base/error.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/ir/graph.h"
#include "hostlib/onnx/conformance.h"
#include "hostlib/plan/arena.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

static lf_context *cpu_ctx, *emu_ctx, *eng_ctx;

/* test_model.c: an emulated aws-f1 xclbin with lfk_engine CUs. */
const char *lftm_engine_xclbin(void);

static int suite_init(void)
{
	return lf_context_create("cpu", NULL, &cpu_ctx) != LF_OK;
}

static int suite_clean(void)
{
	lf_context_destroy(cpu_ctx);
	lf_context_destroy(emu_ctx);
	lf_context_destroy(eng_ctx);
	cpu_ctx = emu_ctx = eng_ctx = NULL;
	return 0;
}

/* The CPU fallback off: a device failure fails the test. */
static lf_context *emu(void)
{
	if (!emu_ctx) {
		emu_ctx = lft_emu("default");
		emu_ctx->fallback = 0;
	}
	return emu_ctx;
}

/* With lfk_engine: pooling and QLinearAdd run on the card too. */
static lf_context *eng(void)
{
	if (!eng_ctx) {
		const char *x = lftm_engine_xclbin();
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &eng_ctx),
				      LF_OK);
		eng_ctx->fallback = 0;
	}
	return eng_ctx;
}

static uint64_t launches(lf_context *ctx)
{
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &c), LF_OK);
	return c.launches;
}

/* Cases the engine must run on the device (pooling and add ops that
 * are CPU-only without it). */
static const char *const engine_ops[] = {
    "maxpool_s8_2x2",
    "maxpool_u8_3x3_s2_p1",
    "qlinearadd_s8",
    "qlinearadd_u8",
    "qlinearadd_u8_bcast_channel",
    "qlinearadd_u8_scalar_b",
    "qlinearaveragepool_2x2_s2",
    "qlinearaveragepool_3x3_p1_excl",
    "qlinearaveragepool_3x3_s2_p1_incl",
    "qlinearglobalaveragepool_nchw",
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Cases whose op layerfab does not run (QLinearGlobalAveragePool with
 * channels_last=1: hostlib/onnx reads NCHW only). */
static const char *const unsupported_ops[] = {
    "qlinearglobalaveragepool_nhwc",
};

static void test_ort_ops(void)
{
	char base[256], dir[512];
	snprintf(base, sizeof(base), "%s/ops", lft_ort_dir());
	DIR *d = opendir(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	int passed = 0, skipped = 0, on_engine = 0;
	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		lf_tensor *oc[8][4] = {{NULL}}, *oe[8][4] = {{NULL}},
			  *og[8][4] = {{NULL}};
		int rc = lft_run_case(cpu_ctx, dir, 0, oc);
		int re = lft_run_case(emu(), dir, 0, oe);
		uint64_t l0 = launches(eng());
		int rg = lft_run_case(eng(), dir, 0, og);
		uint64_t l1 = launches(eng());
		int want_dev = 0;
		for (size_t k = 0; k < sizeof(engine_ops) / sizeof(*engine_ops);
		     k++)
			want_dev |= strcmp(names[i], engine_ops[k]) == 0;
		if (want_dev) {
			if (l1 == l0)
				fprintf(stderr, "ops/%s: not on the engine\n",
					names[i]);
			CU_ASSERT(l1 > l0);
			on_engine += l1 > l0;
		}
		CU_ASSERT_EQUAL(rg, re);
		for (int k = 0; k < rc && rg == rc; k++)
			for (int j = 0; j < 4 && oc[k][j]; j++)
				CU_ASSERT(
				    lft_same(og[k][j], oc[k][j], 1, names[i]));
		int expect_skip = 0;
		for (size_t k = 0;
		     k < sizeof(unsupported_ops) / sizeof(unsupported_ops[0]);
		     k++)
			expect_skip |=
			    strcmp(names[i], unsupported_ops[k]) == 0;
		if (expect_skip) {
			CU_ASSERT_EQUAL(rc, -2);
			CU_ASSERT_EQUAL(re, -2);
			skipped++;
		} else {
			if (rc < 1 || re != rc)
				fprintf(stderr, "ops/%s: cpu %d emu %d\n",
					names[i], rc, re);
			CU_ASSERT(rc >= 1 && re == rc);
			for (int k = 0; k < rc && re == rc; k++)
				for (int j = 0; j < 4 && oc[k][j]; j++)
					CU_ASSERT(lft_same(oe[k][j], oc[k][j],
							   1, names[i]));
			passed += rc >= 1 && re == rc;
		}
		for (int k = 0; k < 8; k++)
			for (int j = 0; j < 4; j++) {
				lf_tensor_destroy(oc[k][j]);
				lf_tensor_destroy(oe[k][j]);
				lf_tensor_destroy(og[k][j]);
			}
		free(names[i]);
	}
	CU_ASSERT_EQUAL(passed + skipped, n);
	CU_ASSERT(n >= 55);
	CU_ASSERT_EQUAL(on_engine,
			(int)(sizeof(engine_ops) / sizeof(*engine_ops)));
}

/*
 * The glue ops of exported networks (tests/data/ort/glue, made by
 * scripts/ort/make_glue_ops.py, outputs from ONNX Runtime) through the
 * model path on the CPU, byte for byte: float ops included, except those
 * listed, whose float results differ from ORT's in the last bits (ORT
 * uses its own polynomial / vectorised kernels there; see
 * hostlib/cpu/README.md): they are held to the backend-test tolerance.
 */
static const char *const glue_inexact[] = {
    "erf", "tanh", "reducemean_hw", "reducemean_last", "reducesum", "layernorm",
};

/* Graph inputs or outputs of int64 / bool, which the public API does not
 * take: these run through the single-node runner (exact for integers). */
static const char *const glue_node_only[] = {
    "cast_f32_i64", "cast_i64_f32", "equal_i64", "range_f32", "shape", "where",
};

static int listed(const char *name, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(name, list[k]) == 0)
			return 1;
	return 0;
}

static void test_ort_glue(void)
{
	char base[256], dir[512];
	snprintf(base, sizeof(base), "%s/glue", lft_ort_dir());
	DIR *d = opendir(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *names[256];
	int n = 0, exact = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		int tol = listed(names[i], glue_inexact,
				 sizeof(glue_inexact) / sizeof(*glue_inexact));
		int r;
		if (listed(names[i], glue_node_only,
			   sizeof(glue_node_only) / sizeof(*glue_node_only))) {
			char msg[512];
			r = lf__conformance_test(dir, msg, sizeof(msg)) ==
				    LF__CONF_PASS
				? 1
				: -1;
			if (r < 0)
				fprintf(stderr, "glue/%s: %s\n", names[i], msg);
			tol = 1; /* float outputs within the tolerance */
		} else {
			r = lft_run_case(cpu_ctx, dir, !tol, NULL);
		}
		if (r < 1)
			fprintf(stderr, "glue/%s: %d\n", names[i], r);
		CU_ASSERT(r >= 1);
		exact += r >= 1 && !tol;
		free(names[i]);
	}
	CU_ASSERT(n >= 49);
	fprintf(stderr, "\n  %d of %d glue cases byte-exact with ORT ", exact,
		n);
}

/* ---- malformed models ------------------------------------------------------
 */

/* Load @buf on the cpu context: @want, and a message containing @needle. */
static void expect_fail(const void *buf, size_t len, const char *base_dir,
			lf_status want, const char *needle)
{
	lf_model *m = (lf_model *)0x1;
	lf_status st = lf_model_load_memory(cpu_ctx, buf, len, base_dir, &m);
	const char *msg = lf_context_last_error(cpu_ctx);
	if (st != want || (needle && !strstr(msg, needle)))
		fprintf(stderr, "\n    got %s \"%s\", want %s with \"%s\" ",
			lf_status_name(st), msg, lf_status_name(want),
			needle ? needle : "");
	CU_ASSERT_EQUAL(st, want);
	CU_ASSERT(!needle || strstr(msg, needle) != NULL);
	CU_ASSERT_PTR_EQUAL(m, (lf_model *)0x1); /* untouched */
}

static const int64_t d4[4] = {1, 2, 3, 3};

static void test_not_onnx(void)
{
	static const char text[] = "this is not an ONNX model at all\n";
	expect_fail(text, sizeof(text), NULL, LF_ERR_BAD_FILE,
		    "not a valid ONNX model");
	uint8_t junk[512];
	struct lf_rng r;
	lf_rng_seed(&r, 7);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)lf_rng_u32(&r);
	lf_model *m = (lf_model *)0x1;
	lf_status st =
	    lf_model_load_memory(cpu_ctx, junk, sizeof(junk), NULL, &m);
	CU_ASSERT(st == LF_ERR_BAD_FILE || st == LF_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_EQUAL(m, (lf_model *)0x1);
	expect_fail(junk, 0, NULL, LF_ERR_BAD_FILE, "no graph");
}

/* Every prefix of a real model fails cleanly (or, cut at a field border
 * past the last needed field, still loads). */
static void test_truncated(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/fmnist_qdq/model.onnx", lft_ort_dir());
	size_t len;
	uint8_t *buf = lft_read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	size_t step = lf_test_slow_mode() ? len / 9 : len / 97;
	int failed = 0;
	for (size_t cut = 1; cut < len; cut += step) {
		lf_model *m = NULL;
		lf_status st =
		    lf_model_load_memory(cpu_ctx, buf, cut, NULL, &m);
		if (st == LF_OK) {
			lf_model_destroy(m);
			continue;
		}
		failed++;
		CU_ASSERT(st == LF_ERR_BAD_FILE || st == LF_ERR_UNSUPPORTED);
		CU_ASSERT(lf_context_last_error(cpu_ctx)[0] != 0);
	}
	CU_ASSERT(failed > 50 || lf_test_slow_mode());
	free(buf);
}

/* y = Relu(Add(x, b)), b = Relu(y): a cycle through y. */
static void test_cycle(void)
{
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Add", "", "add0", "x,b", "y");
	lft_onnx_node(b, "Relu", "", "relu0", "y", "b");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "cycle");
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "node 'add0'");
	free(buf);
}

static void test_missing_input(void)
{
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Add", "", "add0", "x,nowhere", "y");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE,
		    "node 'add0' (Add): input 'nowhere'");
	free(buf);
}

static void test_duplicate_output(void)
{
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Relu", "", "r0", "x", "y");
	lft_onnx_node(b, "Relu", "", "r1", "x", "y");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "node 'r1' (Relu)");
	free(buf);
}

static void test_unsupported(void)
{
	size_t len;
	uint8_t *buf;
	/* An op no one runs. */
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Einsum", "", "ein0", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED,
		    "1 unsupported op in 1 node: Einsum (1)");
	free(buf);
	/* Every unsupported op is named, with how often it occurs, not just
	 * the first one met. */
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Einsum", "", "e0", "x", "a");
	lft_onnx_node(b, "Relu", "", "r0", "a", "b");
	lft_onnx_node(b, "Einsum", "", "e1", "b", "c");
	lft_onnx_node(b, "Mod", "", "m0", "c,x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED,
		    "2 unsupported ops in 3 nodes: Einsum (2), Mod (1)");
	free(buf);
	/* A domain no one knows. */
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Relu", "org.example", "r0", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "org.example.Relu (1)");
	free(buf);
	/* A type: float16 into Relu. */
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 10, 4, d4);
	lft_onnx_output(b, "y", 10, 4, d4);
	lft_onnx_node(b, "Relu", "", "relu_h", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "float16");
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "'relu_h'");
	free(buf);
	/* An opset. */
	b = lft_onnx_new(99);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 4, d4);
	lft_onnx_node(b, "Relu", "", "r0", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "opset 99");
	free(buf);
	/* An attribute hostlib/onnx does not take, found at load. */
	b = lft_onnx_new(13);
	int64_t gd[4] = {1, 1, 1, 2};
	float s = 0.1f;
	uint8_t z = 0;
	lft_onnx_input(b, "x", 2, 4, gd);
	lft_onnx_output(b, "y", 2, 4, gd);
	lft_onnx_init(b, "s", 1, 0, NULL, &s, 4);
	lft_onnx_init(b, "z", 2, 0, NULL, &z, 1);
	lft_onnx_node(b, "QLinearGlobalAveragePool", "com.microsoft", "gap0",
		      "x,s,z,s,z", "y");
	lft_onnx_attr_i(b, "channels_last", 1);
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "'gap0'");
	free(buf);
}

static void test_absurd_shape(void)
{
	size_t len;
	uint8_t *buf;
	/* A declared input whose element count overflows. */
	int64_t huge[4] = {-1, 1ll << 40, 1ll << 40, 1 << 20};
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, huge);
	lft_onnx_output(b, "y", 1, 4, huge);
	lft_onnx_node(b, "Relu", "", "r0", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "'x'");
	free(buf);
	/* A Reshape to an absurd, overflowing shape. */
	int64_t shape[3] = {1ll << 40, 1ll << 40, 1ll << 40};
	int64_t three = 3;
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, d4);
	lft_onnx_output(b, "y", 1, 3, shape);
	lft_onnx_init(b, "shape", 7, 1, &three, shape, sizeof(shape));
	lft_onnx_node(b, "Reshape", "", "reshape0", "x,shape", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "node 'reshape0'");
	free(buf);
	/* A huge but valid-looking input: past the per-value bound. */
	int64_t big[2] = {1ll << 20, 1ll << 20};
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 2, big);
	lft_onnx_output(b, "y", 1, 2, big);
	lft_onnx_node(b, "Relu", "", "r0", "x", "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "absurd");
	free(buf);
	/* Weights that do not fit the input: inconsistent, named. */
	int64_t wd[4] = {4, 3, 3, 3};
	int8_t w[108] = {0};
	float one = 1.0f;
	uint8_t zp = 0;
	int8_t wzp = 0;
	b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, d4); /* 2 channels, weights take 3 */
	lft_onnx_output(b, "y", 2, 4, d4);
	lft_onnx_init(b, "w", 3, 4, wd, w, sizeof(w));
	lft_onnx_init(b, "s", 1, 0, NULL, &one, 4);
	lft_onnx_init(b, "z", 2, 0, NULL, &zp, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wzp, 1);
	lft_onnx_node(b, "QLinearConv", "", "conv_bad", "x,s,z,w,s,wz,s,z",
		      "y");
	buf = lft_onnx_finish(b, &len);
	expect_fail(buf, len, NULL, LF_ERR_BAD_FILE, "node 'conv_bad'");
	free(buf);
}

/* ---- external data ----------------------------------------------------------
 */

/* y = QLinearMatMul(x [2,4], w [4,3] from external data). */
static uint8_t *ext_model(const char *location, size_t *len)
{
	int64_t xd[2] = {2, 4}, wd[2] = {4, 3}, yd[2] = {2, 3};
	float xs = 0.05f, ws = 0.02f, ys = 0.1f;
	uint8_t xz = 3, yz = 7;
	int8_t wz = 0;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 2, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	lft_onnx_init_ext(b, "w", 3, 2, wd, location, 16, 12);
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "ys", 1, 0, NULL, &ys, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_init(b, "yz", 2, 0, NULL, &yz, 1);
	lft_onnx_node(b, "QLinearMatMul", "", "mm_ext", "x,xs,xz,w,ws,wz,ys,yz",
		      "y");
	return lft_onnx_finish(b, len);
}

static void test_external_data(void)
{
	char dir[] = "/tmp/lf_ext_XXXXXX", sub[64], path[128], outside[128];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/m", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	int8_t w[28] = {0};
	for (int i = 0; i < 12; i++)
		w[16 + i] = (int8_t)(i * 5 - 30);
	snprintf(path, sizeof(path), "%s/w.bin", sub);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(w, 1, sizeof(w), f);
	fclose(f);
	snprintf(outside, sizeof(outside), "%s/secret.bin", dir);
	f = fopen(outside, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(w, 1, sizeof(w), f);
	fclose(f);
	char link[160];
	snprintf(link, sizeof(link), "%s/link.bin", sub);
	CU_ASSERT_EQUAL(symlink(outside, link), 0);

	size_t len;
	uint8_t *buf = ext_model("w.bin", &len);
	lf_model *m = NULL;
	lf_context *ctxs[2] = {cpu_ctx, emu()};
	uint8_t got[2][6];
	for (int c = 0; c < 2; c++) {
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctxs[c], buf, len, sub, &m), LF_OK);
		int64_t xd[2] = {2, 4};
		lf_tensor *x = NULL, *y[1] = {NULL};
		lf_tensor_create(ctxs[c], LF_DTYPE_UINT8, 2, xd, NULL, &x);
		for (int i = 0; i < 8; i++)
			((uint8_t *)lf_tensor_data(x))[i] = (uint8_t)(i * 9);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, NULL), LF_OK);
		memcpy(got[c], lf_tensor_data(y[0]), 6);
		lf_tensor_destroy(x);
		lf_tensor_destroy(y[0]);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	}
	CU_ASSERT(memcmp(got[0], got[1], 6) == 0);
	/* Row 1: x = 36..63 step 9 minus 3; check one element by hand:
	 * y[0][0] = round(0.05*0.02/0.1 * sum((x-3)*w[k][0])) + 7. */
	int32_t acc = 0;
	for (int k = 0; k < 4; k++)
		acc += (k * 9 - 3) * w[16 + k * 3];
	float v = (float)acc * ((0.05f * 0.02f) / 0.1f);
	int q = (int)__builtin_nearbyintf(v) + 7;
	CU_ASSERT_EQUAL(got[0][0], q < 0 ? 0 : q > 255 ? 255 : q);
	free(buf);

	/* Escapes, absolute paths, a link out, and no directory at all. */
	const char *bad[] = {"../secret.bin", "/etc/passwd", "a/../../x",
			     "link.bin"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf = ext_model(bad[i], &len);
		expect_fail(buf, len, sub, LF_ERR_BAD_FILE, "tensor 'w'");
		free(buf);
	}
	buf = ext_model("w.bin", &len);
	expect_fail(buf, len, NULL, LF_ERR_UNSUPPORTED, "tensor 'w'");
	free(buf);
	/* A range past the end of the file. */
	buf = ext_model("nonexistent.bin", &len);
	expect_fail(buf, len, sub, LF_ERR_BAD_FILE, "tensor 'w'");
	free(buf);
	unlink(link);
	unlink(path);
	unlink(outside);
	rmdir(sub);
	rmdir(dir);
}

/* ---- structure ------------------------------------------------------------
 */

static struct lf__graph *import_file(const char *name)
{
	char path[256];
	struct lf__diag dg = {LF_OK, ""};
	snprintf(path, sizeof(path), "%s/%s/model.onnx", lft_ort_dir(), name);
	size_t len;
	uint8_t *buf = lft_read_file(path, &len);
	struct lf__graph *g = NULL;
	lf_status st = lf__graph_import(buf, len, path, NULL, &g, &dg);
	if (st != LF_OK)
		fprintf(stderr, "%s\n", dg.msg);
	CU_ASSERT_EQUAL(st, LF_OK);
	free(buf);
	return g;
}

/* The QDQ graph (42 nodes) folds to the QOperator graph's ops. */
static void test_qdq_folds(void)
{
	static const char *const want[] = {
	    "QuantizeLinear", "QLinearConv", "MaxPool",
	    "QLinearConv",    "MaxPool",     "QLinearConv",
	    "QLinearConv",    "QLinearAdd",  "QLinearGlobalAveragePool",
	    "Flatten",	      "QGemm",	     "DequantizeLinear"};
	const size_t nw = sizeof(want) / sizeof(want[0]);
	const char *files[2] = {"fmnist_qdq", "fmnist_qop"};
	for (int f = 0; f < 2; f++) {
		struct lf__graph *g = import_file(files[f]);
		if (!g)
			continue;
		CU_ASSERT_EQUAL(g->nnodes, nw);
		for (size_t i = 0; i < g->nnodes && i < nw; i++) {
			if (strcmp(g->nodes[i].label, want[i]))
				fprintf(stderr, "%s node %zu: %s\n", files[f],
					i, g->nodes[i].label);
			CU_ASSERT_STRING_EQUAL(g->nodes[i].label, want[i]);
		}
		/* Flatten is a view of the pooled uint8 tensor. */
		CU_ASSERT_EQUAL(g->nodes[9].op, LF__GOP_VIEW);
		CU_ASSERT_EQUAL(g->vals[g->nodes[9].in[0]].dtype, 2);
		/* conv1's Relu is in its clamp: output range [zp, 255]. */
		CU_ASSERT_EQUAL(g->nodes[1].op, LF__GOP_CONV);
		lf__graph_free(g);
	}
}

/* QLinearConv + Relu on its uint8 output, QOperator form: fused. */
static void test_relu_fusion(void)
{
	int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {2, 2, 1, 1};
	int8_t w[4] = {10, -20, 30, -40};
	float xs = 0.1f, ws = 0.01f, ys = 0.05f;
	uint8_t xz = 128, yz = 100;
	int8_t wz = 0;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "r", 2, 4, xd);
	lft_onnx_init(b, "w", 3, 4, wd, w, 4);
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "ys", 1, 0, NULL, &ys, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_init(b, "yz", 2, 0, NULL, &yz, 1);
	lft_onnx_node(b, "QLinearConv", "", "c", "x,xs,xz,w,ws,wz,ys,yz", "y");
	lft_onnx_node(b, "Relu", "", "relu", "y", "r");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	struct lf__graph *g = NULL;
	CU_ASSERT_EQUAL_FATAL(lf__graph_import(buf, len, "m", NULL, &g, NULL),
			      LF_OK);
	CU_ASSERT_EQUAL(g->nnodes, 1);
	CU_ASSERT_STRING_EQUAL(g->nodes[0].label, "QLinearConv+Relu");
	lf__graph_free(g);
	/* And the model computes what Relu on uint8 (identity) gives. */
	lf_model *m;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(emu(), buf, len, NULL, &m),
			      LF_OK);
	lf_tensor *x, *y[1] = {NULL};
	lf_tensor_create(emu(), LF_DTYPE_UINT8, 4, xd, NULL, &x);
	for (int i = 0; i < 18; i++)
		((uint8_t *)lf_tensor_data(x))[i] = (uint8_t)(i * 14);
	CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, NULL), LF_OK);
	const uint8_t *yv = lf_tensor_data(y[0]);
	const uint8_t *xv = lf_tensor_data(x);
	for (int o = 0; o < 2; o++)
		for (int p = 0; p < 9; p++) {
			int32_t acc = 0;
			for (int c = 0; c < 2; c++)
				acc += (xv[c * 9 + p] - 128) * w[o * 2 + c];
			float v = (float)acc * ((0.1f * 0.01f) / 0.05f);
			int q = (int)__builtin_nearbyintf(v) + 100;
			q = q < 0 ? 0 : q > 255 ? 255 : q;
			CU_ASSERT_EQUAL(yv[o * 9 + p], q);
		}
	lf_tensor_destroy(x);
	lf_tensor_destroy(y[0]);
	lf_model_destroy(m);
	free(buf);
}

/* Float ops at the edges: y = MatMul(Transpose(Gemm(x, B^T, C)), D). */
static void test_float_edges(void)
{
	int64_t xd[2] = {2, 3}, bd[2] = {4, 3}, cd[1] = {4}, dd[2] = {2, 5};
	int64_t yd[2] = {4, 5}, perm[2] = {1, 0};
	float B[12], C[4], D[10], x[6];
	for (int i = 0; i < 12; i++)
		B[i] = (float)(i % 5) * 0.25f - 0.5f;
	for (int i = 0; i < 4; i++)
		C[i] = (float)i - 1.5f;
	for (int i = 0; i < 10; i++)
		D[i] = (float)(i % 3) - 1.0f;
	for (int i = 0; i < 6; i++)
		x[i] = (float)i * 0.5f - 1.0f;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 2, xd);
	lft_onnx_output(b, "y", 1, 2, yd);
	lft_onnx_init(b, "B", 1, 2, bd, B, sizeof(B));
	lft_onnx_init(b, "C", 1, 1, cd, C, sizeof(C));
	lft_onnx_init(b, "D", 1, 2, dd, D, sizeof(D));
	lft_onnx_node(b, "Gemm", "", "gemm", "x,B,C", "g");
	lft_onnx_attr_i(b, "transB", 1);
	lft_onnx_attr_f(b, "alpha", 2.0f);
	lft_onnx_node(b, "Transpose", "", "tr", "g", "t");
	lft_onnx_attr_ints(b, "perm", 2, perm);
	lft_onnx_node(b, "MatMul", "", "mm", "t,D", "y");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	lf_model *m;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(cpu_ctx, buf, len, NULL, &m),
			      LF_OK);
	lf_tensor *xt, *y[1] = {NULL};
	lf_tensor_create(cpu_ctx, LF_DTYPE_FLOAT32, 2, xd, NULL, &xt);
	memcpy(lf_tensor_data(xt), x, sizeof(x));
	CU_ASSERT_EQUAL(lf_model_run(m, &xt, 1, y, 1, NULL), LF_OK);
	double g[2][4], want[4][5];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 4; j++) {
			g[i][j] = C[j];
			for (int k = 0; k < 3; k++)
				g[i][j] += 2.0 * x[i * 3 + k] * B[j * 3 + k];
		}
	const float *yv = lf_tensor_data(y[0]);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 5; j++) {
			want[i][j] = 0;
			for (int k = 0; k < 2; k++)
				want[i][j] += g[k][i] * D[k * 5 + j];
			CU_ASSERT_DOUBLE_EQUAL(yv[i * 5 + j], want[i][j], 1e-4);
		}
	lf_tensor_destroy(xt);
	lf_tensor_destroy(y[0]);
	lf_model_destroy(m);
	free(buf);
}

/* conv -> Flatten -> matmul: one segment of two kernels (the test
 * xclbin has a conv and a matmul CU on one act bank), two launches, the
 * flattened activation never leaving the card; same bytes as the CPU. */
static uint8_t *mixed_model(size_t *len)
{
	int64_t xd[4] = {2, 2, 4, 4}, wd[4] = {3, 2, 3, 3}, bd[2] = {48, 5};
	int64_t yd[2] = {2, 5}, pads[4] = {1, 1, 1, 1};
	int8_t w[54], bm[240];
	for (int i = 0; i < 54; i++)
		w[i] = (int8_t)((i * 37) % 41 - 20);
	for (int i = 0; i < 240; i++)
		bm[i] = (int8_t)((i * 29) % 31 - 15);
	float xs = 0.02f, ws = 0.01f, cs = 0.05f, ms = 0.07f;
	uint8_t xz = 10, cz = 3, mz = 128;
	int8_t wz = 0;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	lft_onnx_init(b, "w", 3, 4, wd, w, sizeof(w));
	lft_onnx_init(b, "bm", 3, 2, bd, bm, sizeof(bm));
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "cs", 1, 0, NULL, &cs, 4);
	lft_onnx_init(b, "ms", 1, 0, NULL, &ms, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_init(b, "cz", 2, 0, NULL, &cz, 1);
	lft_onnx_init(b, "mz", 2, 0, NULL, &mz, 1);
	lft_onnx_node(b, "QLinearConv", "", "conv", "x,xs,xz,w,ws,wz,cs,cz",
		      "c");
	lft_onnx_attr_ints(b, "pads", 4, pads);
	lft_onnx_node(b, "Flatten", "", "flat", "c", "f");
	lft_onnx_node(b, "QLinearMatMul", "", "mm", "f,cs,cz,bm,ws,wz,ms,mz",
		      "y");
	return lft_onnx_finish(b, len);
}

static void test_mixed_segment(void)
{
	size_t len;
	uint8_t *buf = mixed_model(&len);
	lf_context *ctxs[2] = {cpu_ctx, emu()};
	uint8_t got[2][10];
	for (int c = 0; c < 2; c++) {
		lf_model *m;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctxs[c], buf, len, NULL, &m), LF_OK);
		int64_t xd[4] = {2, 2, 4, 4};
		lf_tensor *x, *y[1] = {NULL};
		lf_tensor_create(ctxs[c], LF_DTYPE_UINT8, 4, xd, NULL, &x);
		for (int i = 0; i < 64; i++)
			((uint8_t *)lf_tensor_data(x))[i] = (uint8_t)(i * 7);
		lf_run_profile *p;
		lf_run_profile_create(&p);
		CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
		memcpy(got[c], lf_tensor_data(y[0]), 10);
		if (c == 1) {
			struct lf_layer_profile r0 = LF_STRUCT_INIT(
						    struct lf_layer_profile),
						r1 = LF_STRUCT_INIT(
						    struct lf_layer_profile);
			CU_ASSERT_EQUAL_FATAL(lf_run_profile_count(p), 2);
			lf_run_profile_get(p, 0, &r0);
			lf_run_profile_get(p, 1, &r1);
			CU_ASSERT_STRING_EQUAL(r0.where, "device");
			CU_ASSERT_STRING_EQUAL(r1.where, "device");
			CU_ASSERT_EQUAL(r0.segment, 0);
			CU_ASSERT_EQUAL(r1.segment, 0);
			CU_ASSERT_EQUAL(r0.launches + r1.launches, 2);
			CU_ASSERT_EQUAL(r0.d2h_bytes, 0); /* stays on card */
			CU_ASSERT_EQUAL(r1.h2d_bytes, 0);
		}
		lf_run_profile_destroy(p);
		lf_tensor_destroy(x);
		lf_tensor_destroy(y[0]);
		lf_model_destroy(m);
	}
	CU_ASSERT(memcmp(got[0], got[1], 10) == 0);
	free(buf);
}

/*
 * What PyTorch writes around a quantized conv + ReLU6 + flatten (see
 * issue 13): Identity of the zero point, Cast(to=uint8) after every
 * QuantizeLinear, the bias zero point as ConstantOfShape -> Cast, ReLU6
 * as its own DequantizeLinear -> Clip(0, 6) -> QuantizeLinear with the
 * conv's output parameters, and flatten as Shape -> Gather -> Unsqueeze
 * -> Concat(-1) -> Reshape. @glue 0 is the same network as ORT's QDQ
 * quantizer writes it (already checked against ORT: fmnist_qdq).
 */
static uint8_t *exporter_model(int glue, size_t *len)
{
	/* A fixed batch: the Shape chain is static, so it folds. */
	static const int64_t xd[4] = {2, 1, 4, 4}, yd[2] = {2, 32};
	static const int64_t wd[4] = {2, 1, 3, 3}, two = 2, one = 1;
	static const int64_t pads[4] = {1, 1, 1, 1}, zero_axis = 0;
	int8_t w[18];
	int32_t bias[2] = {300, -200};
	float xs = 0.03f, ws = 0.01f, bs = 0.0003f, ys = 0.05f, lo = 0, hi = 6;
	uint8_t xz = 128, yz = 20;
	int8_t wz = 0;
	int64_t minus1 = -1;
	for (int i = 0; i < 18; i++)
		w[i] = (int8_t)((i * 37) % 255 - 127);
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 4, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "xz0", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "w", 3, 4, wd, w, sizeof(w));
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_init(b, "b", 6, 1, &two, bias, sizeof(bias));
	lft_onnx_init(b, "bs", 1, 0, NULL, &bs, 4);
	lft_onnx_init(b, "ys", 1, 0, NULL, &ys, 4);
	lft_onnx_init(b, "yz", 2, 0, NULL, &yz, 1);
	lft_onnx_init(b, "lo", 1, 0, NULL, &lo, 4);
	lft_onnx_init(b, "hi", 1, 0, NULL, &hi, 4);
	if (glue) {
		lft_onnx_init(b, "one", 7, 1, &one, &one, 8);
		lft_onnx_node(b, "Identity", "", "id", "xz0", "xz");
		lft_onnx_node(b, "QuantizeLinear", "", "q0", "x,xs,xz", "q0");
		lft_onnx_node(b, "Cast", "", "cast0", "q0", "q0c");
		lft_onnx_attr_i(b, "to", 2);
		lft_onnx_node(b, "DequantizeLinear", "", "dq0", "q0c,xs,xz",
			      "xd");
		lft_onnx_node(b, "ConstantOfShape", "", "cos", "one", "bz0");
		lft_onnx_node(b, "Cast", "", "cast1", "bz0", "bz");
		lft_onnx_attr_i(b, "to", 6);
		lft_onnx_node(b, "DequantizeLinear", "", "dqb", "b,bs,bz",
			      "bd");
	} else {
		lft_onnx_node(b, "QuantizeLinear", "", "q0", "x,xs,xz0", "q0c");
		lft_onnx_node(b, "DequantizeLinear", "", "dq0", "q0c,xs,xz0",
			      "xd");
		lft_onnx_node(b, "DequantizeLinear", "", "dqb", "b,bs", "bd");
	}
	lft_onnx_node(b, "DequantizeLinear", "", "dqw", "w,ws,wz", "wd");
	lft_onnx_node(b, "Conv", "", "conv", "xd,wd,bd", "c");
	lft_onnx_attr_ints(b, "pads", 4, pads);
	if (glue) {
		lft_onnx_node(b, "QuantizeLinear", "", "q1", "c,ys,yz", "q1");
		lft_onnx_node(b, "Cast", "", "cast2", "q1", "q1c");
		lft_onnx_attr_i(b, "to", 2);
		lft_onnx_node(b, "DequantizeLinear", "", "dq1", "q1c,ys,yz",
			      "cd");
		lft_onnx_node(b, "Clip", "", "relu6", "cd,lo,hi", "r");
		lft_onnx_node(b, "QuantizeLinear", "", "q2", "r,ys,yz", "rq");
		lft_onnx_node(b, "Shape", "", "shape", "rq", "sh");
		lft_onnx_node(b, "Constant", "", "k0", "", "i0");
		lft_onnx_attr_i(b, "value_int", 0);
		lft_onnx_node(b, "Gather", "", "gather", "sh,i0", "n");
		lft_onnx_node(b, "Unsqueeze", "", "unsq", "n,axes", "n1");
		lft_onnx_init(b, "axes", 7, 1, &one, &zero_axis, 8);
		lft_onnx_node(b, "Constant", "", "k1", "", "m1");
		lft_onnx_attr_ints(b, "value_ints", 1, &minus1);
		lft_onnx_node(b, "Concat", "", "cat", "n1,m1", "tgt");
		lft_onnx_attr_i(b, "axis", 0);
		lft_onnx_node(b, "Reshape", "", "view", "rq,tgt", "y");
	} else {
		lft_onnx_node(b, "Clip", "", "relu6", "c,lo,hi", "r");
		lft_onnx_node(b, "QuantizeLinear", "", "q1", "r,ys,yz", "rq");
		lft_onnx_node(b, "Flatten", "", "flat", "rq", "y");
	}
	return lft_onnx_finish(b, len);
}

/* The exporter's glue folds away: same bytes as the clean QDQ form, the
 * conv with its ReLU6 in one device layer, the flatten a view. */
static void test_exporter_glue(void)
{
	uint8_t got[2][2 * 32];
	for (int glue = 0; glue < 2; glue++) {
		size_t len;
		uint8_t *buf = exporter_model(glue, &len);
		lf_model *m;
		lf_status st = lf_model_load_memory(emu(), buf, len, NULL, &m);
		if (st != LF_OK)
			fprintf(stderr, "\n    glue %d: %s ", glue,
				lf_context_last_error(emu()));
		CU_ASSERT_EQUAL_FATAL(st, LF_OK);
		int64_t xd[4] = {2, 1, 4, 4};
		lf_tensor *x, *y[1] = {NULL};
		lf_tensor_create(emu(), LF_DTYPE_FLOAT32, 4, xd, NULL, &x);
		for (int i = 0; i < 32; i++)
			((float *)lf_tensor_data(x))[i] =
			    (float)((i * 29) % 64 - 32) * 0.1f;
		lf_run_profile *p;
		lf_run_profile_create(&p);
		CU_ASSERT_EQUAL_FATAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
		memcpy(got[glue], lf_tensor_data(y[0]), sizeof(got[glue]));
		/* QuantizeLinear on the CPU, the conv+ReLU6 on the device;
		 * Flatten / the Reshape are views (no record). */
		if (lf_run_profile_count(p) != 2)
			for (size_t i = 0; i < lf_run_profile_count(p); i++) {
				struct lf_layer_profile q =
				    LF_STRUCT_INIT(struct lf_layer_profile);
				lf_run_profile_get(p, i, &q);
				fprintf(stderr, "\n    glue %d: %s %s %s", glue,
					q.name, q.op, q.where);
			}
		CU_ASSERT_EQUAL(lf_run_profile_count(p), 2);
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(p, 1, &r);
		CU_ASSERT_STRING_EQUAL(r.op, "QLinearConv+Clip");
		CU_ASSERT_STRING_EQUAL(r.where, "device");
		lf_run_profile_destroy(p);
		lf_tensor_destroy(x);
		lf_tensor_destroy(y[0]);
		lf_model_destroy(m);
		free(buf);
	}
	CU_ASSERT(memcmp(got[0], got[1], sizeof(got[0])) == 0);
	/* ReLU6 clamps: with yz 20 no output exceeds 20 + 6 / 0.05 = 140,
	 * none is below 20, and both bounds are reached by this input. */
	int at_lo = 0, at_hi = 0;
	for (size_t i = 0; i < sizeof(got[1]); i++) {
		CU_ASSERT(got[1][i] >= 20 && got[1][i] <= 140);
		at_lo += got[1][i] == 20;
		at_hi += got[1][i] == 140;
	}
	if (!at_lo || !at_hi)
		for (size_t i = 0; i < sizeof(got[1]); i++)
			fprintf(stderr, "%d ", got[1][i]);
	CU_ASSERT(at_lo > 0);
	CU_ASSERT(at_hi > 0);
}

static void test_arena(void)
{
	/* a [0,1] 100 B, b [1,2] 100 B, c [2,3] 100 B: a and c share. */
	struct lf__interval it[3] = {
	    {100, 0, 1, 0}, {100, 1, 2, 0}, {100, 2, 3, 0}};
	uint64_t total;
	CU_ASSERT_EQUAL(lf__arena_assign(it, 3, 64, &total), LF_OK);
	CU_ASSERT_EQUAL(it[0].off, it[2].off);
	CU_ASSERT(it[1].off >= 128 || it[0].off >= 128);
	CU_ASSERT_EQUAL(total, 256);
	/* Random lifetimes: no two live blocks overlap. */
	struct lf_rng r;
	lf_rng_seed(&r, 11);
	enum { N = 64 };
	struct lf__interval v[N];
	for (int i = 0; i < N; i++) {
		int a = lf_rng_range(&r, 0, 40), l = lf_rng_range(&r, 0, 6);
		v[i] = (struct lf__interval){(uint64_t)lf_rng_range(&r, 0, 900),
					     a, a + l, 0};
	}
	CU_ASSERT_EQUAL(lf__arena_assign(v, N, 64, &total), LF_OK);
	for (int i = 0; i < N; i++) {
		CU_ASSERT_EQUAL(v[i].off % 64, 0);
		CU_ASSERT(v[i].off + v[i].size <= total);
		for (int j = i + 1; j < N; j++) {
			int live = v[i].first <= v[j].last &&
				   v[j].first <= v[i].last && v[i].size &&
				   v[j].size;
			int apart = v[i].off + v[i].size <= v[j].off ||
				    v[j].off + v[j].size <= v[i].off;
			CU_ASSERT(!live || apart);
		}
	}
}

void lf_test_suite_graph(void)
{
	static const struct lf_test_case cases[] = {
	    {"ort_ops", test_ort_ops},
	    {"ort_glue", test_ort_glue},
	    {"not_onnx", test_not_onnx},
	    {"truncated", test_truncated},
	    {"cycle", test_cycle},
	    {"missing_input", test_missing_input},
	    {"duplicate_output", test_duplicate_output},
	    {"unsupported", test_unsupported},
	    {"absurd_shape", test_absurd_shape},
	    {"external_data", test_external_data},
	    {"qdq_folds", test_qdq_folds},
	    {"relu_fusion", test_relu_fusion},
	    {"float_edges", test_float_edges},
	    {"mixed_segment", test_mixed_segment},
	    {"exporter_glue", test_exporter_glue},
	    {"arena", test_arena},
	    {NULL, NULL},
	};
	lf_test_add_suite("graph", suite_init, suite_clean, cases);
}
