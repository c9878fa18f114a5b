/*
 * test_limits.c - the "limits" suite: what the library does when a model
 * does not fit the card at once (reliability review 5). A batch whose
 * activations exceed a bank runs in chunks on the card, not wholly on the
 * CPU: the bytes are the cpu device's (hostlib/cpu, written separately),
 * every device layer ran on the device, and LAYERFAB_FALLBACK=off does
 * not turn it into an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_model_util.h"

#define MODEL "models/fmnist_qop.onnx"

/* A float32 [n, 1, 28, 28] input in [0, 1), drawn from @seed. */
static lf_tensor *images(lf_context *ctx, int64_t n, uint64_t seed)
{
	int64_t d[4] = {n, 1, 28, 28};
	lf_tensor *t = NULL;
	struct lf_rng r;
	if (lf_tensor_create(ctx, LF_DTYPE_FLOAT32, 4, d, NULL, &t) != LF_OK)
		return NULL;
	lf_rng_seed(&r, seed);
	float *f = lf_tensor_data(t);
	for (int64_t i = 0; i < n * 28 * 28; i++)
		f[i] = (float)(lf_rng_u32(&r) >> 8) / 16777216.0f;
	return t;
}

/*
 * Fashion-MNIST at batch 48 on emu:tiny with 512 KiB banks: the constants
 * (about 204 KiB, worked out in test_cli.c's run_fallback_reported) fit,
 * the activations of 48 images at once do not (an image's blocked arena
 * is its folded stem input, 28 x 28 pixels x 64 lanes = 50176 bytes,
 * beside conv1's output, as large: 100352 bytes, 48 x that = 4.8 MB), so
 * the batch runs in chunks: the margin beside the constants, 512 - 204 -
 * 16 = 292 KiB, holds 2 images. With 256 KiB banks that margin is 36 KiB,
 * not one image. Before, every segment failed its allocation and ran on
 * the CPU (an error with the fallback off). The run without a profile
 * crashed once (a chunk's profile merged into none).
 */
static void test_batch_chunks(void)
{
	lf_context *ctx = NULL, *cpu = NULL;
	lf_model *m = NULL, *mc = NULL;
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:tiny,bank_size=512K", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	ctx->fallback = 0;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, MODEL, &m), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(cpu, MODEL, &mc), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	lf_tensor *x = images(ctx, 48, 7), *xc = images(cpu, 48, 7);
	lf_tensor *y[1] = {NULL}, *want[1] = {NULL};
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xc);
	lf_status st = lf_model_run(m, &x, 1, y, 1, prof);
	if (st != LF_OK)
		fprintf(stderr, "\n%s\n", lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(mc, &xc, 1, want, 1, NULL), LF_OK);
	if (y[0] && want[0])
		CU_ASSERT(lft_same(y[0], want[0], 1, "batch in chunks"));
	unsigned dev = 0, launches = 0, fell = 0;
	CU_ASSERT(lf_run_profile_count(prof) > 0);
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		dev += strcmp(r.where, "device") == 0;
		launches += r.launches;
		fell += r.fallback;
	}
	/* conv1..conv4, 2 MaxPool, the add, the global average, QGemm on
	 * the engine; one launch per chunk, several chunks */
	CU_ASSERT_EQUAL(dev, 9);
	CU_ASSERT_EQUAL(fell, 0);
	CU_ASSERT(launches >= 2);
	printf("\n    batch 48 in %u launches on emu:tiny,bank_size=512K ",
	       launches);
	/* The same run without a profile, same bytes. */
	lf_tensor *y2[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &x, 1, y2, 1, NULL), LF_OK);
	if (y2[0] && want[0])
		CU_ASSERT(lft_same(y2[0], want[0], 1, "chunks, no profile"));
	lf_tensor_destroy(y2[0]);
	lf_tensor_destroy(x);
	lf_tensor_destroy(xc);
	lf_tensor_destroy(y[0]);
	lf_tensor_destroy(want[0]);
	lf_run_profile_destroy(prof);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
}

void lf_test_suite_limits(void)
{
	static const struct lf_test_case cases[] = {
	    {"batch_chunks", test_batch_chunks}, {NULL, NULL}};
	lf_test_add_suite("limits", NULL, NULL, cases);
}
