/*
 * test_device_conformance.c - the whole conformance set on the device that
 * LF_TEST_DEVICE names (e.g. "xrt:0" inside tests/xrt/run.sh, which runs
 * this suite in XRT's software emulation), next to the emulator with the
 * same xclbin (LAYERFAB_XCLBIN): Debian's ONNX node tests, the ORT single-op
 * vectors and the ORT whole-model vectors (the Fashion-MNIST demo model in
 * QOperator and QDQ form). Every test compares bytes with its expected
 * outputs (ONNX's or ORT's), so passing on both devices is byte-identity
 * between them; the pass counts must also be equal. The CPU fallback is
 * off: a layer the device fails is a failure, not a silent CPU run.
 *
 * Without LF_TEST_DEVICE it runs on opencl:0 (PoCL in CI) against
 * emu:aws-f1, or says there is no OpenCL device and passes; the XRT
 * harness runs it again with LF_TEST_DEVICE=xrt:0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostlib/cli/cli.h"
#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/onnx/conformance.h"
#include "lf_test.h"

/* Relative folders are under the source tree (LF_SRC, default "."). */
static const char *const dirs[] = {
    "/usr/share/libonnx-testdata/data/node",
    "tests/data/ort/ops",
    "tests/data/ort",
    "tests/data/onnx/ort",
};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Run every folder on @device; the totals summed into *@t. */
static int run_all(const char *device, struct lf__conf_totals *t)
{
	lf_context *ctx = NULL;
	const char *xclbin = getenv("LAYERFAB_XCLBIN");
	lf_status st = lf_context_create(device, xclbin, &ctx);
	if (st != LF_OK) {
		fprintf(stderr, "\n  %s: %s\n", device, lf_last_error());
		CU_FAIL("cannot open the device");
		return -1;
	}
	ctx->fallback = 0;
	FILE *out = fopen("/dev/null", "w");
	memset(t, 0, sizeof(*t));
	const char *src = getenv("LF_SRC");
	unsigned quant_passed = 0;
	for (size_t i = 0; i < NDIRS; i++) {
		struct lf__conf_totals one = {0, 0, 0};
		char err[512], dir[1024];
		if (dirs[i][0] == '/')
			snprintf(dir, sizeof(dir), "%s", dirs[i]);
		else
			snprintf(dir, sizeof(dir), "%s/%s",
				 src && *src ? src : ".", dirs[i]);
		if (!is_dir(dir))
			continue;
		st = lf__cli_conformance_device_run(
		    ctx, dir, NULL, out ? out : stderr, &one, err, sizeof(err));
		CU_ASSERT_EQUAL(st, LF_OK);
		fprintf(stderr, "\n  %s %s: %u passed, %u failed, %u skipped",
			device, dir, one.passed, one.failed, one.skipped);
		t->passed += one.passed;
		t->failed += one.failed;
		t->skipped += one.skipped;
		if (i > 0)
			quant_passed += one.passed;
	}
	if (out)
		fclose(out);
	/* The layers really ran on that device: count its kernel runs. */
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx->dev);
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &c), LF_OK);
	fprintf(stderr, "\n  %s (%s): %llu launches, %llu DMA transfers",
		device, lf__dev_props(ctx->dev->dev)->backend,
		(unsigned long long)c.launches,
		(unsigned long long)(c.h2d_transfers + c.d2h_transfers));
	/* The node tests are mostly ops that run on the CPU (shape and float
	 * glue); the ORT folders are the quantized layers a device runs. */
	CU_ASSERT(c.launches >= quant_passed / 2);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	return 0;
}

static void test_whole_set(void)
{
	const char *device = getenv("LF_TEST_DEVICE");
	const char *ref = getenv("LF_TEST_REF_DEVICE");
	char xclbin[1024];
	if (!device || !*device) {
		/* Default: the portable OpenCL flavour (PoCL in CI) against the
		 * emulator, both on the aws-f1 emulation xclbin. */
		uint32_t n = 0;
		if (lf__drv_enumerate("opencl", NULL, 0, &n) != LF_OK ||
		    n == 0 || lf_test_under_valgrind()) {
			printf("\n  SKIP: no OpenCL device and LF_TEST_DEVICE "
			       "not set (tests/xrt/run.sh runs this suite on "
			       "xrt:0) ");
			return;
		}
		snprintf(xclbin, sizeof(xclbin),
			 "%s/bitstreams/emu-aws-f1.xclbin",
			 lf_test_build_dir());
		setenv("LAYERFAB_XCLBIN", xclbin, 1);
		device = "opencl:0";
		ref = "emu:aws-f1";
	}
	/* ref: the emulator profile that matches the xclbin's platform. */
	struct lf__conf_totals dev, emu;
	if (run_all(device, &dev) || run_all(ref && *ref ? ref : "emu", &emu))
		return;
	CU_ASSERT_EQUAL(dev.failed, 0);
	CU_ASSERT_EQUAL(emu.failed, 0);
	CU_ASSERT_EQUAL(dev.passed, emu.passed);
	/* The Fashion-MNIST vectors and the ORT ops at least ran. */
	CU_ASSERT(dev.passed >= 50);
}

/*
 * A portable OpenCL device has no bitstream of its own: with no --xclbin
 * and no LAYERFAB_XCLBIN the driver names the emulator's default
 * (emu-aws-f1.xclbin, driver/opencl/README.md). The demo model in
 * QOperator form must then give ORT's bytes on "opencl:0" and on
 * "opencl:pocl" (a name PoCL's platform version carries), as on "emu";
 * the fallback is off, so the layers ran on the device.
 */
static void test_default_xclbin(void)
{
	/* Device 0 must be a portable one (tests/xrt/run.sh's only ICD is
	 * XRT's, whose devices are cards with their own bitstreams). */
	struct lf_dev_desc d[8];
	uint32_t n = 0;
	const char *dev_env = getenv("LF_TEST_DEVICE");
	if ((dev_env && *dev_env) ||
	    lf__drv_enumerate("opencl", d, 8, &n) != LF_OK || n == 0 ||
	    d[0].is_card || lf_test_under_valgrind()) {
		printf("\n  SKIP: no portable OpenCL device ");
		return;
	}
	int pocl = strstr(d[0].detail, "PoCL") != NULL;
	const char *src = getenv("LF_SRC");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/tests/data/ort",
		 src && *src ? src : ".");
	unsetenv("LAYERFAB_XCLBIN");
	static const char *const devs[] = {"opencl:0", "opencl:pocl", "emu"};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		if (!pocl && strcmp(devs[i], "opencl:pocl") == 0)
			continue;
		lf_context *ctx = NULL;
		lf_status st = lf_context_create(devs[i], NULL, &ctx);
		if (st != LF_OK)
			fprintf(stderr, "\n  %s: %s\n", devs[i],
				lf_last_error());
		CU_ASSERT_EQUAL_FATAL(st, LF_OK);
		struct lf_device_info info =
		    LF_STRUCT_INIT(struct lf_device_info);
		CU_ASSERT_EQUAL(lf_context_device_info(ctx, &info), LF_OK);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(info.xclbin, "/emu-aws-f1.xclbin"));
		ctx->fallback = 0;
		struct lf__conf_totals t = {0, 0, 0};
		char err[512];
		FILE *out = fopen("/dev/null", "w");
		CU_ASSERT_EQUAL(lf__cli_conformance_device_run(
				    ctx, dir, "fmnist_qop", out ? out : stderr,
				    &t, err, sizeof(err)),
				LF_OK);
		if (out)
			fclose(out);
		/* One model folder; it passes when each of its three ORT
		 * test_data_sets gives ORT's bytes. */
		CU_ASSERT_EQUAL(t.passed, 1);
		CU_ASSERT_EQUAL(t.failed, 0);
		struct lf_dev_counters c;
		memset(&c, 0, sizeof(c));
		CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &c), LF_OK);
		CU_ASSERT(c.launches >= 3);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
}

void lf_test_suite_device_conformance(void)
{
	static const struct lf_test_case cases[] = {
	    {"whole_set", test_whole_set},
	    {"default_xclbin", test_default_xclbin},
	    {NULL, NULL},
	};
	lf_test_add_suite("device_conformance", NULL, NULL, cases);
}
