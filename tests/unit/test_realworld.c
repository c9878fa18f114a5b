/*
 * test_realworld.c - quantized networks as people export them
 * (scripts/models/realworld.py: torchvision CNNs through PyTorch's FX and
 * eager flows and in ONNX Runtime's QDQ format, a transformer encoder),
 * run on cpu, emu and opencl:0 (and on xrt:0, in XRT's software
 * emulation, by tests/xrt/run.sh) and compared with ONNX Runtime's
 * outputs byte for byte. The committed small cases are in tests/data/realworld;
 * LF_REALWORLD_DIR names another folder (`make realworld` sets it to the
 * full set in build/realworld).
 *
 * A case whose name starts with "encoder" has float transformer glue
 * (LayerNorm, GELU, Softmax) that ORT fuses and computes with its own
 * kernels and summation orders: it is compared within the ONNX
 * backend-test tolerance (rtol 1e-3), and the line says so. Its quantized
 * MatMuls and its float MatMul/Gemm match ORT byte for byte
 * (tests/data/realworld/README.md says where the rest differs).
 * On emu, cases in seg_want also run in the device segments they must
 * take (MobileNetV3-Small: 1), none fallen back to the CPU.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layerfab.h"
#include "lf_test.h"
#include "test_model_util.h"

static int is_case(const char *dir)
{
	char p[1500];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/model.onnx", dir);
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted case folders of @root; returns the count (free with free_list). */
static size_t list_cases(const char *root, char ***out)
{
	DIR *d = opendir(root);
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[1400];
		snprintf(p, sizeof(p), "%s/%s", root, e->d_name);
		if (!is_case(p))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **w = realloc(v, cap * sizeof(*v));
			if (!w)
				break;
			v = w;
		}
		v[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The devices: cpu, emu (standard emulation xclbin), opencl:0 when
 * there is an OpenCL device (PoCL) and not under valgrind; or only
 * LF_TEST_DEVICE with LAYERFAB_XCLBIN when set (tests/xrt/run.sh runs this
 * suite so on xrt:0, in XRT's software emulation). */
static size_t open_devices(lf_context **ctx, const char **names)
{
	size_t n = 0;
	static char xclbin[1024];
	const char *only = getenv("LF_TEST_DEVICE");
	if (only && *only) {
		lf_context *c = NULL;
		if (lf_context_create(only, getenv("LAYERFAB_XCLBIN"), &c) !=
		    LF_OK) {
			fprintf(stderr, "\n  %s: %s", only, lf_last_error());
			CU_FAIL("cannot open the device");
			return 0;
		}
		ctx[0] = c;
		names[0] = only;
		return 1;
	}
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	const char *devs[3] = {"cpu", "emu", "opencl:0"};
	for (int i = 0; i < 3; i++) {
		if (i == 2 && (lf_test_under_valgrind() ||
			       getenv("LF_REALWORLD_NO_OPENCL")))
			continue;
		lf_context *c = NULL;
		lf_status st =
		    lf_context_create(devs[i], i ? xclbin : NULL, &c);
		if (st != LF_OK) {
			if (i < 2) {
				fprintf(stderr, "\n  %s: %s", devs[i],
					lf_last_error());
				CU_FAIL("cannot open the device");
			}
			continue;
		}
		ctx[n] = c;
		names[n++] = devs[i];
	}
	return n;
}

/*
 * The device segments of case @dir's model on @ctx, from a profiled run
 * of its test_data_set_0 input (every layer that ran on the device, none
 * fallen back to the CPU); 0 when the run failed.
 */
static unsigned device_segments(lf_context *ctx, const char *dir)
{
	char p[1500];
	unsigned nseg = 0;
	lf_model *m = NULL;
	lf_run_profile *prof = NULL;
	lf_tensor *x = NULL, *y[4] = {NULL};
	snprintf(p, sizeof(p), "%s/model.onnx", dir);
	if (lf_model_load(ctx, p, &m) != LF_OK ||
	    lf_run_profile_create(&prof) != LF_OK)
		goto out;
	snprintf(p, sizeof(p), "%s/test_data_set_0/input_0.pb", dir);
	x = lft_tensor_pb(ctx, p);
	size_t nout = lf_model_output_count(m);
	if (!x || nout > 4 || lf_model_run(m, &x, 1, y, nout, prof) != LF_OK)
		goto out;
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(prof, i, &r);
		CU_ASSERT_EQUAL(r.fallback, 0);
		if (strcmp(r.where, "device") == 0 && r.segment + 1 > nseg)
			nseg = r.segment + 1;
	}
out:
	for (int k = 0; k < 4; k++)
		lf_tensor_destroy(y[k]);
	lf_tensor_destroy(x);
	lf_run_profile_destroy(prof);
	if (m)
		lf_model_destroy(m);
	return nseg;
}

/* Device segments the committed cases take on emu (aws-f1 xclbin):
 * MobileNetV3-Small's squeeze-excite multiplies and its classifier's
 * hardswish run on the device (issue 13), the whole net one segment. */
static const struct {
	const char *name;
	unsigned segments;
} seg_want[] = {
    {"mobilenet_v3_small-qdq", 1},
    {"mobilenet_v3_small-fx-qnnpack", 1},
};

static void test_cases(void)
{
	const char *env = getenv("LF_REALWORLD_DIR");
	char root[1024];
	if (env && *env)
		snprintf(root, sizeof(root), "%s", env);
	else
		snprintf(root, sizeof(root), "tests/data/realworld");
	char **cases;
	size_t n = list_cases(root, &cases);
	if (!env || !*env)
		CU_ASSERT(n >= 3);
	lf_context *ctx[3] = {NULL};
	const char *names[3];
	size_t nd = open_devices(ctx, names);
	unsigned exact[3] = {0}, fail[3] = {0}, unsup[3] = {0};
	for (size_t i = 0; i < n; i++) {
		char dir[1400];
		snprintf(dir, sizeof(dir), "%s/%s", root, cases[i]);
		int tol = strncmp(cases[i], "encoder", 7) == 0;
		fprintf(stderr, "\n  %-34s", cases[i]);
		for (size_t k = 0; k < nd; k++) {
			int r = lft_run_case(ctx[k], dir, !tol, NULL);
			const char *what = r > 0
					       ? (tol ? "within-tol" : "exact")
					   : r == -2 ? "unsupported"
						     : "FAILED";
			fprintf(stderr, " %s:%s", names[k], what);
			if (r > 0)
				exact[k]++;
			else if (r == -2)
				unsup[k]++;
			else
				fail[k]++;
			CU_ASSERT(r > 0);
			for (size_t w = 0;
			     w < sizeof(seg_want) / sizeof(*seg_want); w++) {
				if (strcmp(names[k], "emu") != 0 ||
				    strcmp(cases[i], seg_want[w].name) != 0)
					continue;
				unsigned ns = device_segments(ctx[k], dir);
				fprintf(stderr, " (%u segment%s)", ns,
					ns == 1 ? "" : "s");
				CU_ASSERT_EQUAL(ns, seg_want[w].segments);
			}
		}
	}
	for (size_t k = 0; k < nd; k++) {
		fprintf(stderr,
			"\n  %s: %u of %zu cases match ORT, %u failed, %u "
			"refused at load",
			names[k], exact[k], n, fail[k], unsup[k]);
		lf_context_destroy(ctx[k]);
	}
	free_list(cases, n);
}

/*
 * SqueezeNet 1.1 (both committed exports) on emu: one device segment, its
 * 8 fire-module concats placed in it (hostlib/plan/mplan_concat.c: each
 * expand conv writes its channel blocks of the concat's output), none on
 * the CPU, and ORT's bytes (cases above compare them too).
 */
static void test_squeezenet_segments(void)
{
	if (getenv("LF_TEST_DEVICE"))
		return; /* emu:aws-f1's plan; tests/xrt/run.sh: cases only */
	static const char *const dirs[2] = {
	    "tests/data/realworld/squeezenet1_1-qdq",
	    "tests/data/realworld/squeezenet1_1-fx-qnnpack"};
	char xclbin[1024];
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", xclbin, &ctx), LF_OK);
	for (int k = 0; k < 2; k++) {
		char path[1200];
		size_t len;
		snprintf(path, sizeof(path), "%s/model.onnx", dirs[k]);
		uint8_t *buf = lft_read_file(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_memory(ctx, buf, len, NULL, &m), LF_OK);
		free(buf);
		snprintf(path, sizeof(path), "%s/test_data_set_0/input_0.pb",
			 dirs[k]);
		lf_tensor *in = lft_tensor_pb(ctx, path), *out[1] = {NULL};
		CU_ASSERT_PTR_NOT_NULL_FATAL(in);
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, p), LF_OK);
		unsigned segs = lft_profile_segments(p), placed = 0,
			 cpu_concat = 0;
		for (size_t i = 0; i < lf_run_profile_count(p); i++) {
			struct lf_layer_profile r =
			    LF_STRUCT_INIT(struct lf_layer_profile);
			CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
			CU_ASSERT_EQUAL(r.fallback, 0);
			if (strcmp(r.op, "QLinearConcat") != 0)
				continue;
			placed += strcmp(r.layout, "placed") == 0 &&
				  r.device_cycles == 0;
			cpu_concat += strcmp(r.where, "cpu") == 0;
		}
		fprintf(stderr,
			"\n  %s: %u device segment%s, %u concats placed",
			dirs[k] + 21, segs, segs == 1 ? "" : "s", placed);
		CU_ASSERT_EQUAL(segs, 1);
		CU_ASSERT_EQUAL(placed, 8);
		CU_ASSERT_EQUAL(cpu_concat, 0);
		lf_run_profile_destroy(p);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(in);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	}
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * MobileNetV3-Small's classifier Gemm carries an output table (its
 * hardswish) that only the blocked 1x1 conv form can apply. On emu:tiny
 * its segment cannot run blocked, so the Gemm must leave the device: it
 * was planned there anyway and its descriptor refused (LF_KST_BAD_OP),
 * an error with the fallback off. ORT's bytes, the fallback off.
 */
static void test_table_matmul_nchw(void)
{
	if (getenv("LF_TEST_DEVICE"))
		return;
	lf_context *ctx = NULL;
	setenv("LAYERFAB_FALLBACK", "off", 1);
	lf_status st = lf_context_create("emu:tiny", NULL, &ctx);
	unsetenv("LAYERFAB_FALLBACK");
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	CU_ASSERT(lft_run_case(ctx,
			       "tests/data/realworld/mobilenet_v3_small-qdq", 1,
			       NULL) > 0);
	lf_context_destroy(ctx);
}

void lf_test_suite_realworld(void)
{
	static const struct lf_test_case cases[] = {
	    {"cases", test_cases},
	    {"squeezenet_segments", test_squeezenet_segments},
	    {"table_matmul_nchw", test_table_matmul_nchw},
	    {NULL, NULL},
	};
	lf_test_add_suite("realworld", NULL, NULL, cases);
}
