/*
 * test_cu_split.c - the "cu_split" suite: a batch-1 device segment run on
 * both lfk_engine CUs of emu:aws-f1 together, each a part of every layer
 * and a barrier between layers (hostlib/exec/model_exec.c split_lanes,
 * hls/lf_desc.h "Part of a layer" and "Barrier"; issue 12). Expected
 * bytes are ONNX Runtime's (tests/data/ort, tests/data/realworld).
 *
 * - Which devices split: emu:aws-f1 (its kernels' ring of 2, emu runs a
 *   group, lane 2's act port reaches lane 1's bank): 2 lanes; emu:tiny
 *   (no ring in its build) and opencl:0 (no group runs) keep one CU.
 * - fmnist_qop at batch 1: ORT's bytes for its batch-1 sets, one run on
 *   each engine CU per run (the driver's per-CU counters).
 * - MobileNetV2 (realworld, FX export): 7x7 and 1-row parts, channel
 *   counts off 64 (24, 32, 96, 160, 320), depthwise convs, adds: ORT's
 *   bytes, split.
 * - A lane that hangs: the group is aborted (the other lane is released
 *   from its barrier, no deadlock), the segment tried again: ORT's bytes.
 *
 * With LF_TEST_SPLIT_DEVICE set (tests/xrt/run.sh: "xrt:0", XRT's
 * software emulation loading emu-aws-f1.xclbin) the same runs go through
 * that backend with its option cu_sync=1: without the option it keeps one
 * CU, with it both engine CUs run every batch-1 segment, ORT-exact. The
 * hung lane is emulator-only (a fault option of `emu`; XRT 2.13 cannot
 * abort a run) and is skipped there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

/* Runs on engine CU @k of @ctx's device so far (emu:aws-f1: CUs 0, 1). */
static unsigned long long runs_of(lf_context *ctx, unsigned k)
{
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->devs[0]->dev, &c), LF_OK);
	return k < c.ncus ? c.cu[k].runs : 0;
}

/* The backend under test (LF_TEST_SPLIT_DEVICE), or NULL: emu:aws-f1. */
static const char *split_backend(void)
{
	const char *d = getenv("LF_TEST_SPLIT_DEVICE");
	return d && *d ? d : NULL;
}

/* @rel (a folder under the source tree) under LF_SRC, default ".":
 * tests/xrt/run.sh runs the suite in a directory of its own. */
static const char *src_path(char *buf, size_t n, const char *rel)
{
	const char *src = getenv("LF_SRC");
	snprintf(buf, n, "%s/%s", src && *src ? src : ".", rel);
	return buf;
}

/* The device string that runs groups: emu:aws-f1, or the backend's with
 * cu_sync=1. */
static const char *split_device(char *buf, size_t n)
{
	const char *b = split_backend();
	if (!b)
		return "emu:aws-f1";
	snprintf(buf, n, "%s,cu_sync=1", b);
	return buf;
}

/* The device that runs groups, opened with the fallback off (NULL, and a
 * failed assertion, when it cannot be opened). */
static lf_context *open_split(void)
{
	char dev[128];
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL(
	    lf_context_create(split_device(dev, sizeof(dev)), NULL, &ctx),
	    LF_OK);
	if (ctx)
		ctx->fallback = 0;
	return ctx;
}

static void test_which_devices(void)
{
	lf_context *ctx = NULL;
	const char *b = split_backend();
	if (b) {
		/* Off unless asked for; on with the option. */
		char dev[128];
		CU_ASSERT_EQUAL_FATAL(lf_context_create(b, NULL, &ctx), LF_OK);
		CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 0);
		lf_context_destroy(ctx);
		ctx = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_context_create(split_device(dev, sizeof(dev)), NULL,
				      &ctx),
		    LF_OK);
		CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 2);
		lf_context_destroy(ctx);
		ctx = NULL;
		/* A value that is neither 0 nor 1: refused, nothing opened. */
		snprintf(dev, sizeof(dev), "%s,cu_sync=2", b);
		CU_ASSERT_EQUAL(lf_context_create(dev, NULL, &ctx),
				LF_ERR_INVALID_ARG);
		CU_ASSERT_PTR_NULL(ctx);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu:aws-f1", NULL, &ctx),
			      LF_OK);
	CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 2);
	lf_context_destroy(ctx);
	ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu:tiny", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 0);
	lf_context_destroy(ctx);
	ctx = NULL;
	/* The device option that turns it off (before/after figures). */
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:aws-f1,cu_sync=0", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 0);
	lf_context_destroy(ctx);
	ctx = NULL;
	/* PoCL: the aws-f1 build's limits (a ring of 2), but no group runs
	 * on OpenCL (cu_sync 0) and no ring in its OpenCL C build. */
	char xclbin[1024];
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	if (lf_test_under_valgrind() ||
	    lf_context_create("opencl:0", xclbin, &ctx) != LF_OK)
		return; /* no OpenCL platform */
	CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 0);
	lf_context_destroy(ctx);
}

static void test_fmnist_b1(void)
{
	char dir[512], rel[256];
	snprintf(rel, sizeof(rel), "%s/fmnist_qop", lft_ort_dir());
	src_path(dir, sizeof(dir), rel);
	lf_context *ctx = open_split();
	if (!ctx)
		return;
	CU_ASSERT_EQUAL(ctx->devs[0]->sync_lanes, 2);
	unsigned long long a = runs_of(ctx, 0), b = runs_of(ctx, 1);
	lf_tensor *o[8][4] = {{NULL}};
	CU_ASSERT_EQUAL(lft_run_case(ctx, dir, 1, o), 3); /* ORT-exact */
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			lf_tensor_destroy(o[k][j]);
	/* Sets 0 and 2 are batch 1 (both CUs each), set 1 batch 8 (its
	 * images across the CUs): both CUs ran, the same number of times.
	 * Through XRT lane 2's act port (DDR[1:3]) reports DDR[3], lane 1's
	 * bank (driver/xrt/README.md), so the batch-8 set runs on one CU:
	 * each batch-1 set still ran on both. */
	unsigned long long da = runs_of(ctx, 0) - a, db = runs_of(ctx, 1) - b;
	int ok = split_backend() ? da >= 2 && db >= 2 : da >= 3 && da == db;
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr,
			"fmnist_b1: %llu runs on engine CU 0, %llu on "
			"CU 1\n",
			da, db);
	lf_context_destroy(ctx);
}

static void test_mobilenet_v2(void)
{
	char dir[512];
	src_path(dir, sizeof(dir),
		 "tests/data/realworld/mobilenet_v2-fx-qnnpack");
	lf_context *ctx = open_split();
	if (!ctx)
		return;
	unsigned long long a = runs_of(ctx, 0), b = runs_of(ctx, 1);
	CU_ASSERT(lft_run_case(ctx, dir, 1, NULL) > 0);
	unsigned long long da = runs_of(ctx, 0) - a, db = runs_of(ctx, 1) - b;
	CU_ASSERT(da > 0);
	CU_ASSERT_EQUAL(da, db); /* every segment ran split */
	lf_context_destroy(ctx);
}

static void test_hung_lane(void)
{
	char dir[256];
	if (split_backend())
		return; /* emu's fault option; XRT cannot abort a run */
	snprintf(dir, sizeof(dir), "%s/fmnist_qop", lft_ort_dir());
	lf_options *opt = NULL;
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_options_create(&opt), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(opt, 1500), LF_OK);
	/* The second run after the device opens: lane 2's of the first
	 * split launch (lane 1's is started first). */
	CU_ASSERT_EQUAL_FATAL(lf_context_create_opts("emu:aws-f1,fault=cu_"
						     "hang:2",
						     NULL, opt, &ctx),
			      LF_OK);
	lf_options_destroy(opt);
	ctx->fallback = 0;
	lf_tensor *o[8][4] = {{NULL}};
	CU_ASSERT_EQUAL(lft_run_case(ctx, dir, 1, o), 3); /* ORT-exact */
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			lf_tensor_destroy(o[k][j]);
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->devs[0]->dev, &c), LF_OK);
	CU_ASSERT(c.runs_aborted >= 1);
	lf_context_destroy(ctx);
}

/*
 * The transfer checksum on a launch split across both CUs (emu:aws-f1,
 * fmnist at batch 1): lane 0's list carries the digests. A steady run
 * moves, in order, lane 1's nonce, lane 0's nonce, the input, lane 0's
 * status word with the digests, the output: 5 transfers. Each of the last
 * five corrupted (dma_corrupt) is caught, as LF_ERR_DMA naming the
 * checksum for the input, the digests and the output, and as
 * LF_ERR_DEVICE for a nonce (the lanes' barrier numbers differ, so the
 * first barrier fails); the segment retried once on both CUs, ORT's
 * bytes.
 */
static void test_csum_lanes(void)
{
	char dir[512], rel[256], path[600];
	if (split_backend())
		return; /* emu's fault injection */
	snprintf(rel, sizeof(rel), "%s/fmnist_qop", lft_ort_dir());
	src_path(dir, sizeof(dir), rel);
	static const struct {
		uint32_t nth;
		lf_status st;
		const char *why;
	} c[] = {
	    {0, LF_OK, NULL},
	    {1, LF_ERR_DEVICE, "barrier failed"},
	    {2, LF_ERR_DEVICE, "barrier failed"},
	    {3, LF_ERR_DMA, "upload of"},
	    {4, LF_ERR_DMA, "upload of"},
	    {5, LF_ERR_DMA, "download of"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		lf_context *ctx = open_split();
		if (!ctx)
			return;
		CU_ASSERT_EQUAL(ctx->devs[0]->csum, 1);
		lf_model *m = NULL;
		snprintf(path, sizeof(path), "%s/model.onnx", dir);
		CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, path, &m), LF_OK);
		snprintf(path, sizeof(path), "%s/test_data_set_0/input_0.pb",
			 dir);
		lf_tensor *x = lft_tensor_pb(ctx, path);
		snprintf(path, sizeof(path), "%s/test_data_set_0/output_0.pb",
			 dir);
		lf_tensor *want = lft_tensor_pb(ctx, path);
		lf_tensor *y[1] = {NULL};
		CU_ASSERT_EQUAL_FATAL(lf_model_run(m, &x, 1, y, 1, NULL),
				      LF_OK);
		lf_tensor_destroy(y[0]);
		y[0] = NULL;
		if (c[i].nth) {
			struct lf_fault f = {LF_FAULT_DMA_CORRUPT, c[i].nth,
					     -1};
			CU_ASSERT_EQUAL(lf__dev_fault(ctx->devs[0]->dev, &f),
					LF_OK);
		}
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		lf_status rs = lf_model_run(m, &x, 1, y, 1, p);
		CU_ASSERT_EQUAL(rs, LF_OK);
		if (rs != LF_OK)
			fprintf(stderr, "\ncorrupted transfer %u: %s\n",
				c[i].nth, lf_context_last_error(ctx));
		CU_ASSERT(y[0] && lft_same(y[0], want, 1, "csum lanes"));
		unsigned n = 0, failures = 0, split = 0;
		lf_status st = LF_OK;
		char why[256] = "";
		for (size_t k = 0; k < lf_run_profile_count(p); k++) {
			struct lf_layer_profile r =
			    LF_STRUCT_INIT(struct lf_layer_profile);
			CU_ASSERT_EQUAL(lf_run_profile_get(p, k, &r), LF_OK);
			n += r.dma_transfers;
			split |= strcmp(r.where, "device") == 0 &&
				 (r.cu_mask & 3) == 3;
			if (r.seg_failures) {
				failures = r.seg_failures;
				st = r.fail_status;
				snprintf(why, sizeof(why), "%s", r.fail_reason);
			}
		}
		CU_ASSERT(split);
		CU_ASSERT_EQUAL(failures, c[i].nth ? 1u : 0u);
		CU_ASSERT_EQUAL(st, c[i].st);
		if (!c[i].nth)
			CU_ASSERT_EQUAL(n, 5);
		if (c[i].why) {
			CU_ASSERT_PTR_NOT_NULL(strstr(why, c[i].why));
			if (!strstr(why, c[i].why))
				fprintf(stderr, "\ncorrupted transfer %u: %s\n",
					c[i].nth, why);
		}
		if (c[i].st == LF_ERR_DMA)
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "checksum"));
		lf_run_profile_destroy(p);
		lf_tensor_destroy(y[0]);
		lf_tensor_destroy(x);
		lf_tensor_destroy(want);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		lf_context_destroy(ctx);
	}
}

void lf_test_suite_cu_split(void)
{
	static const struct lf_test_case cases[] = {
	    {"which_devices", test_which_devices},
	    {"fmnist_b1", test_fmnist_b1},
	    {"mobilenet_v2", test_mobilenet_v2},
	    {"hung_lane", test_hung_lane},
	    {"csum_lanes", test_csum_lanes},
	    {NULL, NULL},
	};
	lf_test_add_suite("cu_split", NULL, NULL, cases);
}
