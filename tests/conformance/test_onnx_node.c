/*
 * test_onnx_node.c - the ONNX backend node tests that layerfab must pass
 * on its CPU ops, run through the conformance runner's library function
 * over Debian's libonnx-testdata. Expected outputs come from the test data
 * (ONNX's own reference), not from layerfab.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostlib/onnx/conformance.h"
#include "lf_test.h"

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"

static int have_data(void)
{
	struct stat sb;
	return stat(NODE_DIR, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void expect_pass(const char *name)
{
	char dir[512], msg[1024];
	snprintf(dir, sizeof(dir), "%s/%s", NODE_DIR, name);
	enum lf__conf_result r = lf__conformance_test(dir, msg, sizeof(msg));
	if (r != LF__CONF_PASS)
		fprintf(stderr, "\n  %s: %s: %s\n", name,
			r == LF__CONF_FAIL ? "FAIL" : "SKIP", msg);
	CU_ASSERT_EQUAL(r, LF__CONF_PASS);
}

/* Tests named one by one. */
static void test_named(void)
{
	static const char *const names[] = {
	    "test_qlinearconv",
	    "test_qlinearmatmul_2D",
	    "test_qlinearmatmul_3D",
	    "test_convinteger_with_padding",
	    "test_convinteger_without_padding",
	    "test_basic_convinteger",
	    "test_matmulinteger",
	    "test_quantizelinear",
	    "test_quantizelinear_axis",
	    "test_dequantizelinear",
	    "test_dequantizelinear_axis",
	    "test_relu",
	    "test_add",
	    "test_add_bcast",
	    "test_add_uint8",
	};
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_pass(names[i]);
}

/*
 * Every folder whose name starts with @prefix, except the _expanded
 * variants (those use other ops); at least @min of them must exist.
 */
static void expect_prefix(const char *prefix, int min)
{
	struct dirent **list;
	int n = scandir(NODE_DIR, &list, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	int seen = 0;
	size_t plen = strlen(prefix);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		if (strncmp(name, prefix, plen) == 0 &&
		    !(len > 9 && strcmp(name + len - 9, "_expanded") == 0)) {
			expect_pass(name);
			seen++;
		}
		free(list[i]);
	}
	free(list);
	CU_ASSERT(seen >= min);
}

static void test_families(void)
{
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	expect_prefix("test_maxpool_", 15); /* argmax ones included */
	expect_prefix("test_averagepool_", 13);
	expect_prefix("test_globalaveragepool", 2);
	expect_prefix("test_softmax_", 7);
	expect_prefix("test_flatten_", 9);
	expect_prefix("test_reshape_", 10);
	expect_prefix("test_clip", 11);
}

/*
 * Pad, Resize (nearest, linear and cubic, every coordinate mode),
 * Upsample and Constant (ref_resize.c, node_cpu_resize.c): every one of
 * their node tests passes. test_resize_downsample_sizes_nearest_tf_half_
 * pixel_for_nn is a three-node model (two Constants feed the Resize),
 * which the single-node runner skips; the onnx_device suite's pad_resize
 * runs it on the model path.
 */
static void test_pad_resize(void)
{
	static const char *const names[] = {
	    "test_constant_pad",     "test_edge_pad", "test_reflect_pad",
	    "test_upsample_nearest", "test_constant",
	};
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_pass(names[i]);
	struct dirent **list;
	int n = scandir(NODE_DIR, &list, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (strncmp(name, "test_resize_", 12) == 0 &&
		    !strstr(name, "tf_half_pixel_for_nn")) {
			expect_pass(name);
			seen++;
		}
		free(list[i]);
	}
	free(list);
	CU_ASSERT(seen >= 22);
}

/* The runner over the folder: its report ends with the totals line. */
static void test_runner_report(void)
{
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	FILE *f = tmpfile();
	CU_ASSERT_FATAL(f != NULL);
	struct lf__conf_totals t;
	char err[256];
	CU_ASSERT_EQUAL(lf__conformance_run(NODE_DIR, "test_softmax_axis_0", f,
					    &t, err, sizeof(err)),
			LF_OK);
	/* test_softmax_axis_0 and its _expanded variant (skipped) */
	CU_ASSERT(t.passed == 1 && t.failed == 0 && t.skipped == 1);
	char out[1024] = "";
	rewind(f);
	size_t len = fread(out, 1, sizeof(out) - 1, f);
	out[len] = '\0';
	fclose(f);
	CU_ASSERT(strstr(out, "PASS test_softmax_axis_0\n") != NULL);
	CU_ASSERT(strstr(out, "SKIP test_softmax_axis_0_expanded: ") != NULL);
	const char *last = "1 passed, 0 failed, 1 skipped\n";
	CU_ASSERT(len >= strlen(last) &&
		  strcmp(out + len - strlen(last), last) == 0);

	CU_ASSERT_EQUAL(lf__conformance_run("/nonexistent-lf-dir", NULL, stdout,
					    &t, err, sizeof(err)),
			LF_ERR_IO);
}

/*
 * Quantized ops whose expected outputs ONNX Runtime computed
 * (tests/data/onnx/ort, made by gen_cases.py there): QLinearAdd on rounding
 * ties and every broadcast form, QLinearAveragePool (including its
 * whole-image fallback), QLinearGlobalAveragePool, QuantizeLinear ties.
 * Byte-exact, as every integer output.
 */
static void test_ort_reference(void)
{
	const char *dir = "tests/data/onnx/ort";
	FILE *f = tmpfile();
	CU_ASSERT_FATAL(f != NULL);
	struct lf__conf_totals t;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    lf__conformance_run(dir, NULL, f, &t, err, sizeof(err)), LF_OK);
	CU_ASSERT(t.passed >= 42 && t.failed == 0 && t.skipped == 0);
	if (t.failed || t.skipped) {
		char line[1024];
		rewind(f);
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "PASS", 4) != 0)
				fprintf(stderr, "  %s", line);
	}
	fclose(f);
}

void lf_test_suite_onnx_node(void)
{
	static const struct lf_test_case cases[] = {
	    {"named", test_named},
	    {"families", test_families},
	    {"pad_resize", test_pad_resize},
	    {"runner_report", test_runner_report},
	    {"ort_reference", test_ort_reference},
	    {NULL, NULL},
	};
	lf_test_add_suite("onnx_node", NULL, NULL, cases);
}
