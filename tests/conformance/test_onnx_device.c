/*
 * test_onnx_device.c - the ONNX backend tests through the model API on
 * the emulated card: `layerfab conformance --device`'s runner
 * (hostlib/cli/cmd_conformance.c) on Debian's quantized node tests, whose
 * scales, zero points and weights are graph inputs bound into the model
 * per data set (hostlib/onnx/conformance_bind.c), and on the ORT op
 * vectors. Expected outputs are the tests' own. Also the importer's
 * verdict on models it cannot run: LF_ERR_UNSUPPORTED, not BAD_FILE.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostlib/cli/cli.h"
#include "hostlib/core/context.h"
#include "hostlib/onnx/conformance.h"
#include "lf_test.h"
#include "onnx.pb-c.h"
#include "unit/test_hostlib_util.h"
#include "unit/test_model_util.h"

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"

static lf_context *emu_ctx;

static int suite_clean(void)
{
	lf_context_destroy(emu_ctx);
	emu_ctx = NULL;
	return 0;
}

/* The emulator with the CPU fallback off: a layer the device fails is a
 * test failure, not a silent CPU run. */
static lf_context *emu(void)
{
	if (!emu_ctx) {
		emu_ctx = lft_emu("default");
		emu_ctx->fallback = 0;
	}
	return emu_ctx;
}

static int have_data(void)
{
	struct stat sb;
	return stat(NODE_DIR, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static enum lf__conf_result device_test(const char *name, char *msg, size_t len)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", NODE_DIR, name);
	return lf__cli_conformance_device_test(emu(), dir, msg, len);
}

static const char *const verdict[] = {"PASS", "FAIL", "SKIP"};

static void expect_pass(const char *name)
{
	char msg[1024];
	enum lf__conf_result r = device_test(name, msg, sizeof(msg));
	if (r != LF__CONF_PASS)
		fprintf(stderr, "\n  %s: %s: %s\n", name, verdict[r], msg);
	CU_ASSERT_EQUAL(r, LF__CONF_PASS);
}

/* Debian's quantized node tests, every one of them, on the device. */
static void test_quantized_nodes(void)
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
	};
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_pass(names[i]);
}

/*
 * Other versions of the test data add variants (float8, int4, blocked
 * scales) that neither path runs: every folder of these families the CPU
 * path passes must pass on the device too.
 */
static void test_quantized_families(void)
{
	static const char *const prefixes[] = {
	    "test_qlinear", "test_convinteger_", "test_matmulinteger",
	    "test_quantizelinear", "test_dequantizelinear"};
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	struct dirent **list;
	int n = scandir(NODE_DIR, &list, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(*prefixes);
		     p++) {
			if (strncmp(name, prefixes[p], strlen(prefixes[p])))
				continue;
			char dir[512], msg[1024];
			snprintf(dir, sizeof(dir), "%s/%s", NODE_DIR, name);
			if (lf__conformance_test(dir, msg, sizeof(msg)) ==
			    LF__CONF_PASS) {
				expect_pass(name);
				seen++;
			}
			break;
		}
		free(list[i]);
	}
	free(list);
	CU_ASSERT(seen >= 10);
}

/* The bound quantized layers really run on the card. */
static void expect_device_layer(const char *name, const char *op)
{
	char dir[512], set[600], path[700], err[512];
	snprintf(dir, sizeof(dir), "%s/%s", NODE_DIR, name);
	snprintf(set, sizeof(set), "%s/test_data_set_0", dir);
	snprintf(path, sizeof(path), "%s/model.onnx", dir);
	size_t len;
	uint8_t *buf = lft_read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	struct lf__conf_bound b;
	CU_ASSERT_EQUAL_FATAL(
	    lf__conformance_bind(buf, len, path, set, &b, err, sizeof(err)),
	    LF_OK);
	free(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.model);
	/* Only x (A) is left to feed. */
	CU_ASSERT(b.n_inputs > 1 && b.fed[0] == 1);
	for (size_t k = 1; k < b.n_inputs; k++)
		CU_ASSERT_EQUAL(b.fed[k], 0);
	lf_model *m = NULL;
	lf_status st = lf_model_load_memory(emu(), b.model, b.len, dir, &m);
	if (st != LF_OK)
		fprintf(stderr, "\n  %s: %s\n", name, lf_last_error());
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	CU_ASSERT_EQUAL(lf_model_input_count(m), 1);
	snprintf(path, sizeof(path), "%s/input_0.pb", set);
	lf_tensor *x = lft_tensor_pb(emu(), path), *y = NULL;
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, &y, 1, prof), LF_OK);
	int on_device = 0;
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		if (strncmp(r.op, op, strlen(op)) == 0 &&
		    strcmp(r.where, "device") == 0)
			on_device = 1;
	}
	if (!on_device)
		fprintf(stderr, "\n  %s: no %s layer ran on the device\n", name,
			op);
	CU_ASSERT(on_device);
	lf_run_profile_destroy(prof);
	lf_tensor_destroy(x);
	lf_tensor_destroy(y);
	lf_model_destroy(m);
	lf__conformance_bound_free(&b);
}

static void test_device_placement(void)
{
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	expect_device_layer("test_qlinearconv", "QLinearConv");
	expect_device_layer("test_qlinearmatmul_2D", "QLinearMatMul");
	expect_device_layer("test_convinteger_with_padding", "ConvInteger");
	expect_device_layer("test_matmulinteger", "MatMulInteger");
}

/* Which inputs are parameters: the activations stay inputs. */
static void test_param_inputs(void)
{
	CU_ASSERT(!lf__conformance_param_input("", "QLinearConv", 0));
	for (size_t k = 1; k <= 8; k++)
		CU_ASSERT(lf__conformance_param_input("", "QLinearConv", k));
	CU_ASSERT(!lf__conformance_param_input("", "QLinearConv", 9));
	CU_ASSERT(lf__conformance_param_input("ai.onnx", "MatMulInteger", 1));
	CU_ASSERT(lf__conformance_param_input("", "Reshape", 1));
	CU_ASSERT(!lf__conformance_param_input("", "Reshape", 0));
	CU_ASSERT(!lf__conformance_param_input("", "Add", 1));
	CU_ASSERT(!lf__conformance_param_input("", "MatMul", 1));
	CU_ASSERT(!lf__conformance_param_input("", "Clip", 1));
	CU_ASSERT(
	    !lf__conformance_param_input("com.microsoft", "QLinearAdd", 0));
	CU_ASSERT(
	    !lf__conformance_param_input("com.microsoft", "QLinearAdd", 3));
	CU_ASSERT(
	    lf__conformance_param_input("com.microsoft", "QLinearAdd", 6));
	/* QLinearConcat: y_scale, y_zp, then (x, scale, zp) triples */
	CU_ASSERT(
	    lf__conformance_param_input("com.microsoft", "QLinearConcat", 1));
	CU_ASSERT(
	    !lf__conformance_param_input("com.microsoft", "QLinearConcat", 2));
	CU_ASSERT(
	    lf__conformance_param_input("com.microsoft", "QLinearConcat", 4));
	CU_ASSERT(
	    !lf__conformance_param_input("com.microsoft", "QLinearConcat", 5));
	CU_ASSERT(!lf__conformance_param_input("ai.onnx.ml", "QLinearConv", 1));
}

/* The ORT op vectors: everything the model API runs passes on the card. */
static void test_ort_ops(void)
{
	FILE *f = tmpfile();
	CU_ASSERT_FATAL(f != NULL);
	struct lf__conf_totals t;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    lf__cli_conformance_device_run(emu(), "tests/data/ort/ops", NULL, f,
					   &t, err, sizeof(err)),
	    LF_OK);
	/* qlinearglobalaveragepool_nhwc: channels_last, not run anywhere */
	CU_ASSERT(t.passed >= 57 && t.failed == 0 && t.skipped <= 1);
	if (t.failed || t.skipped > 1) {
		char line[1024];
		rewind(f);
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "PASS", 4) != 0)
				fprintf(stderr, "  %s", line);
	}
	fclose(f);
}

/* A serialized one-node model whose only opset import is @domain. */
static uint8_t *model_importing(const char *domain, const char *node_domain,
				size_t *len)
{
	static const int64_t dims[2] = {1, 4};
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 2, dims);
	lft_onnx_output(b, "y", 1, 2, dims);
	lft_onnx_node(b, "Relu", node_domain, "n", "x", "y");
	size_t n;
	uint8_t *buf = lft_onnx_finish(b, &n);
	Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, n, buf);
	free(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	Onnx__OperatorSetIdProto os = ONNX__OPERATOR_SET_ID_PROTO__INIT;
	Onnx__OperatorSetIdProto *one[1] = {&os};
	os.domain = (char *)domain;
	os.has_version = 1;
	os.version = 1;
	size_t n_saved = mp->n_opset_import;
	Onnx__OperatorSetIdProto **saved = mp->opset_import;
	mp->n_opset_import = domain ? 1 : 0;
	mp->opset_import = one;
	*len = onnx__model_proto__get_packed_size(mp);
	buf = malloc(*len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	onnx__model_proto__pack(mp, buf);
	mp->n_opset_import = n_saved;
	mp->opset_import = saved;
	onnx__model_proto__free_unpacked(mp, NULL);
	return buf;
}

static void expect_load(const uint8_t *buf, size_t len, lf_status want,
			const char *text)
{
	lf_model *m = NULL;
	lf_status st = lf_model_load_memory(emu(), buf, len, NULL, &m);
	CU_ASSERT_EQUAL(st, want);
	if (st != want || !strstr(lf_last_error(), text))
		fprintf(stderr, "\n  got %s: %s\n", lf_status_name(st),
			lf_last_error());
	CU_ASSERT(strstr(lf_last_error(), text) != NULL);
	lf_model_destroy(m);
}

/* Valid ONNX layerfab does not run is UNSUPPORTED; BAD_FILE is kept for
 * malformed files. */
static void test_classification(void)
{
	size_t len;
	uint8_t *buf = model_importing("ai.onnx.preview.training",
				       "ai.onnx.preview.training", &len);
	expect_load(buf, len, LF_ERR_UNSUPPORTED,
		    "only domain 'ai.onnx.preview.training'");
	free(buf);
	/* an ai.onnx node the model does not import: malformed */
	buf = model_importing("ai.onnx.ml", "", &len);
	expect_load(buf, len, LF_ERR_BAD_FILE, "does not import");
	free(buf);
	/* no opset import at all: malformed (ONNX requires one) */
	buf = model_importing(NULL, "", &len);
	expect_load(buf, len, LF_ERR_BAD_FILE, "imports no opset");
	free(buf);
	if (!have_data())
		return;
	/* The files as they are: scales fed at run time. */
	char path[512];
	snprintf(path, sizeof(path), "%s/test_qlinearconv/model.onnx",
		 NODE_DIR);
	lf_model *m = NULL;
	CU_ASSERT_EQUAL(lf_model_load(emu(), path, &m), LF_ERR_UNSUPPORTED);
	CU_ASSERT(strstr(lf_last_error(), "x_scale") != NULL);
	snprintf(path, sizeof(path), "%s/test_adam/model.onnx", NODE_DIR);
	CU_ASSERT_EQUAL(lf_model_load(emu(), path, &m), LF_ERR_UNSUPPORTED);
	char msg[1024];
	CU_ASSERT_EQUAL(device_test("test_adagrad", msg, sizeof(msg)),
			LF__CONF_SKIP);
}

/*
 * Pad, Resize and Upsample node tests through the model path (their
 * shape inputs bound as initializers, conformance_bind.c): every one,
 * including the three-node test_resize_downsample_sizes_nearest_tf_half_
 * pixel_for_nn that the single-node runner skips (its Constants are
 * folded at import).
 */
static void test_pad_resize(void)
{
	if (!have_data()) {
		CU_PASS("libonnx-testdata is not installed: skipped");
		return;
	}
	struct dirent **list;
	int n = scandir(NODE_DIR, &list, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		if (strncmp(name, "test_resize_", 12) == 0 ||
		    strcmp(name, "test_upsample_nearest") == 0 ||
		    (len > 4 && strcmp(name + len - 4, "_pad") == 0 &&
		     strncmp(name, "test_", 5) == 0 && !strstr(name, "pool") &&
		     !strstr(name, "conv"))) {
			expect_pass(name);
			seen++;
		}
		free(list[i]);
	}
	free(list);
	CU_ASSERT(seen >= 27);
}

void lf_test_suite_onnx_device(void)
{
	static const struct lf_test_case cases[] = {
	    {"quantized_nodes", test_quantized_nodes},
	    {"quantized_families", test_quantized_families},
	    {"device_placement", test_device_placement},
	    {"param_inputs", test_param_inputs},
	    {"ort_ops", test_ort_ops},
	    {"classification", test_classification},
	    {"pad_resize", test_pad_resize},
	    {NULL, NULL},
	};
	lf_test_add_suite("onnx_device", NULL, suite_clean, cases);
}
