/*
 * test_io_binding.c - the "io_binding" suite: tensors that stay on the
 * card between lf_model_run() calls (hostlib/model/run.c "IO binding",
 * hostlib/exec/model_exec.c), on emu and on opencl:0 when there is one.
 *
 * Model: ORT's qlinearconv_depthwise vector (tests/data/ort/ops): a
 * uint8 [1, 8, 9, 9] input straight into a depthwise QLinearConv on the
 * card, a uint8 [1, 8, 9, 9] output, so the output can feed the model
 * again (a chain A -> B with B = A). Expected bytes: ORT's output_0.pb for
 * one step; for two steps, the cpu device (hostlib/cpu, written apart
 * from the device path) run on ORT's output.
 *
 * Transfers by hand: the input and the output are 1 * 8 * 9 * 9 = 648
 * bytes. An upload is checked by one read-back (a download of the same
 * bytes) and a download is read twice (hostlib/exec/README.md), so a run
 * that binds its input on the card uploads 648 bytes and downloads 648
 * bytes fewer than one that does not and copies 648 bytes on the card
 * instead, and one that binds its output downloads 2 * 648 bytes fewer.
 * Status words move either way (4 bytes up, 4 down per launch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_model_util.h"

#define XBYTES 648u /* 1 * 8 * 9 * 9 uint8 */

static char case_dir[512];

static const char *dir(void)
{
	snprintf(case_dir, sizeof(case_dir), "%s/ops/qlinearconv_depthwise",
		 lft_ort_dir());
	return case_dir;
}

static lf_tensor *pb(lf_context *ctx, const char *name)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/test_data_set_0/%s", dir(), name);
	lf_tensor *t = lft_tensor_pb(ctx, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

static int same_bytes(lf_tensor *a, lf_tensor *b)
{
	CU_ASSERT_EQUAL_FATAL(lf_tensor_to_host(a), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_tensor_to_host(b), LF_OK);
	return lf_tensor_bytes(a) == lf_tensor_bytes(b) &&
	       memcmp(lf_tensor_data(a), lf_tensor_data(b),
		      lf_tensor_bytes(a)) == 0;
}

/* The run's one device segment: its first layer's record carries the
 * uploads and on-card copies, its last the downloads (one layer here). */
struct moved {
	unsigned long long h2d, d2h, d2d;
	int on_device;
};

static struct moved run(lf_model *m, lf_tensor *x, lf_tensor **y)
{
	struct moved mv = {0, 0, 0, 0};
	lf_run_profile *p = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_run(m, &x, 1, y, 1, p), LF_OK);
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
		mv.h2d += r.h2d_bytes;
		mv.d2h += r.d2h_bytes;
		mv.d2d += r.d2d_bytes;
		mv.on_device += strcmp(r.where, "device") == 0;
	}
	lf_run_profile_destroy(p);
	return mv;
}

static lf_tensor *device_tensor(lf_context *ctx)
{
	int64_t d[4] = {1, 8, 9, 9};
	lf_tensor *t = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, d, NULL, &t), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_tensor_to_device(t), LF_OK);
	return t;
}

static void check_device(lf_context *ctx, const char *name)
{
	lf_context *cpu = NULL;
	lf_model *m = NULL, *m2 = NULL, *mc = NULL;
	char path[600];
	snprintf(path, sizeof(path), "%s/model.onnx", dir());
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, path, &m), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, path, &m2), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(cpu, path, &mc), LF_OK);
	lf_tensor *x = pb(ctx, "input_0.pb"), *want = pb(ctx, "output_0.pb");
	lf_tensor *y = NULL, *xd = pb(ctx, "input_0.pb");

	/* What the end-to-end check reads back of a transfer of XBYTES:
	 * nothing with the kernel's checksum (the status read brings its
	 * digests: 32 bytes more), else an upload once and a download once
	 * more (hostlib/exec/README.md). */
	unsigned long long rb = ctx->dev->csum ? 0 : XBYTES;
	unsigned long long dg = ctx->dev->csum ? 32 : 0;
	/* Through the host, twice: the second is the steady state. */
	run(m, x, &y);
	lf_tensor_destroy(y);
	y = NULL;
	struct moved host = run(m, x, &y);
	CU_ASSERT(same_bytes(y, want));
	CU_ASSERT_EQUAL(host.on_device, 1);
	CU_ASSERT_EQUAL(host.d2d, 0);
	CU_ASSERT(host.h2d >= XBYTES && host.d2h >= XBYTES + 2 * rb);
	/* the nonce up; the status word (and digests) down */
	CU_ASSERT_EQUAL(host.h2d, XBYTES + 4);
	CU_ASSERT_EQUAL(host.d2h, XBYTES + 2 * rb + 4 + dg);

	/* The input on the card: not uploaded, copied on the card. */
	CU_ASSERT_EQUAL_FATAL(lf_tensor_to_device(xd), LF_OK);
	lf_tensor_destroy(y);
	y = NULL;
	struct moved bin = run(m, xd, &y);
	CU_ASSERT(same_bytes(y, want));
	CU_ASSERT_EQUAL(bin.h2d, host.h2d - XBYTES);
	CU_ASSERT_EQUAL(bin.d2h, host.d2h - rb);
	CU_ASSERT_EQUAL(bin.d2d, XBYTES);

	/* The output on the card too: nothing of it downloaded; it is on
	 * the card only until lf_tensor_to_host(). */
	lf_tensor *yd = device_tensor(ctx);
	struct moved both = run(m, xd, &yd);
	CU_ASSERT_EQUAL(both.h2d, host.h2d - XBYTES);
	CU_ASSERT_EQUAL(both.d2h, host.d2h - XBYTES - 2 * rb);
	CU_ASSERT_EQUAL(both.d2d, 2 * XBYTES);

	/* Chain: yd (on the card only) into a second model, its output on
	 * the card: no byte of either crosses PCIe. */
	lf_tensor *z = NULL, *zc = NULL, *wc = pb(cpu, "output_0.pb");
	run(m2, want, &z); /* the same chain through the host */
	CU_ASSERT_EQUAL_FATAL(lf_model_run(mc, &wc, 1, &zc, 1, NULL), LF_OK);
	lf_tensor *zd = device_tensor(ctx);
	struct moved chain = run(m2, yd, &zd);
	CU_ASSERT_EQUAL(chain.h2d, host.h2d - XBYTES);
	CU_ASSERT_EQUAL(chain.d2h, host.d2h - XBYTES - 2 * rb);
	CU_ASSERT_EQUAL(chain.d2d, 2 * XBYTES);
	CU_ASSERT(same_bytes(zd, z));
	CU_ASSERT(same_bytes(zd, zc));
	CU_ASSERT(same_bytes(yd, want));
	/* Repeated: the input stays bound on the card, same bytes. */
	for (int k = 0; k < 3; k++) {
		struct moved again = run(m2, yd, &zd);
		CU_ASSERT_EQUAL(again.h2d, chain.h2d);
		CU_ASSERT(same_bytes(zd, zc));
	}

	/* Tensors of another context are refused, with the reason. */
	lf_tensor *yc = NULL;
	CU_ASSERT_EQUAL(lf_model_run(m, &wc, 1, &yc, 1, NULL),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(strstr(lf_context_last_error(ctx), "another context") !=
		  NULL);
	lf_tensor *ycpu = NULL;
	int64_t d4[4] = {1, 8, 9, 9};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(cpu, LF_DTYPE_UINT8, 4, d4, NULL, &ycpu), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &xd, 1, &ycpu, 1, NULL), LF_ERR_SHAPE);
	CU_ASSERT(strstr(lf_context_last_error(ctx), "of this context") !=
		  NULL);

	/* Destroyed out of order: models first, tensors on the card next,
	 * then the contexts, which would refuse while anything lived. */
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_destroy(yd), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(m2), LF_OK);
	lf_tensor *all[] = {x, want, y, xd, zd, z, zc, wc, ycpu};
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		CU_ASSERT_EQUAL(lf_tensor_destroy(all[i]), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(cpu), LF_OK);
	printf("\n  %s: host run h2d %llu d2h %llu; input bound h2d %llu "
	       "d2d %llu; both bound d2h %llu; chain h2d %llu d2h %llu d2d "
	       "%llu",
	       name, host.h2d, host.d2h, bin.h2d, bin.d2d, both.d2h, chain.h2d,
	       chain.d2h, chain.d2d);
}

static void test_emu(void)
{
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	check_device(ctx, "emu");
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

static void test_opencl(void)
{
	uint32_t n = 0;
	char x[600];
	if (lf_test_under_valgrind() ||
	    lf__drv_enumerate("opencl", NULL, 0, &n) != LF_OK || n == 0) {
		printf("skipped: no OpenCL device ");
		return;
	}
	snprintf(x, sizeof(x), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("opencl:0", x, &ctx), LF_OK);
	check_device(ctx, "opencl:0");
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * The device lost during a run whose input is bound: with fallback on, a
 * bound input that also has a host copy lets the segment run on the CPU
 * (ORT's bytes); one that is on the card only cannot be fetched, and the
 * run fails saying so. Everything is destroyed after the loss.
 */
static void test_lost(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/model.onnx", dir());
	for (int only_on_card = 0; only_on_card < 2; only_on_card++) {
		lf_context *ctx = NULL;
		lf_model *m = NULL;
		CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx),
				      LF_OK);
		ctx->fallback = 1;
		CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, path, &m), LF_OK);
		lf_tensor *want = pb(ctx, "output_0.pb");
		lf_tensor *xd = pb(ctx, "input_0.pb"), *y = NULL;
		CU_ASSERT_EQUAL_FATAL(lf_tensor_to_device(xd), LF_OK);
		if (only_on_card) {
			/* An output left on the card: no host copy. */
			lf_tensor *yd = device_tensor(ctx);
			CU_ASSERT_EQUAL_FATAL(
			    lf_model_run(m, &xd, 1, &yd, 1, NULL), LF_OK);
			CU_ASSERT_EQUAL(yd->host_valid, 0);
			lf_tensor_destroy(xd);
			xd = yd;
		}
		struct lf_fault f = {LF_FAULT_DEVICE_LOST, 1, -1};
		CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f), LF_OK);
		lf_status st = lf_model_run(m, &xd, 1, &y, 1, NULL);
		if (only_on_card) {
			CU_ASSERT_EQUAL(st, LF_ERR_DEVICE_LOST);
			CU_ASSERT(strstr(lf_context_last_error(ctx),
					 "on the card only") != NULL);
			CU_ASSERT_PTR_NULL(y);
		} else {
			CU_ASSERT_EQUAL(st, LF_OK);
			CU_ASSERT(st == LF_OK && same_bytes(y, want));
		}
		CU_ASSERT_EQUAL(lf_tensor_destroy(xd), LF_OK);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_tensor_destroy(y), LF_OK);
		CU_ASSERT_EQUAL(lf_tensor_destroy(want), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
}

/* A model whose input is read on the CPU first (fmnist_qop: its
 * QuantizeLinear): a device copy of the input gains nothing, and the run
 * reads the host copy; ORT's bytes either way. */
static void test_cpu_first(void)
{
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	char path[600];
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	snprintf(path, sizeof(path), "%s/fmnist_qop/model.onnx", lft_ort_dir());
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, path, &m), LF_OK);
	snprintf(path, sizeof(path), "%s/fmnist_qop/test_data_set_0/input_0.pb",
		 lft_ort_dir());
	lf_tensor *x = lft_tensor_pb(ctx, path), *y = NULL;
	snprintf(path, sizeof(path),
		 "%s/fmnist_qop/test_data_set_0/output_0.pb", lft_ort_dir());
	lf_tensor *want = lft_tensor_pb(ctx, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_EQUAL(lf_tensor_to_device(x), LF_OK);
	struct moved mv = run(m, x, &y);
	CU_ASSERT_EQUAL(mv.d2d, 0);
	CU_ASSERT(same_bytes(y, want));
	lf_tensor_destroy(y);
	lf_tensor_destroy(x);
	lf_tensor_destroy(want);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

void lf_test_suite_io_binding(void)
{
	static const struct lf_test_case cases[] = {
	    {"emu", test_emu},
	    {"opencl", test_opencl},
	    {"cpu_first", test_cpu_first},
	    {"lost", test_lost},
	    {NULL, NULL},
	};
	lf_test_add_suite("io_binding", NULL, NULL, cases);
}
