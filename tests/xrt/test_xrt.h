/*
 * test_xrt.h - the XRT suites (build/tests/lf_tests_xrt), run by
 * tests/xrt/run.sh inside XRT's software emulation: Debian's
 * libxrt_swemu (patched copy) and layerfab's device process, each suite in
 * its own process group, USER and run directory, under a timeout.
 */
#ifndef LF_TEST_XRT_H
#define LF_TEST_XRT_H

#include "driver/driver.h"
#include "lf_desc.h"
#include "lf_test.h"

/* The suites of lf_tests_xrt (xrt_main.c runs the ones named). */
void lf_test_suite_xrt(void);
void lf_test_suite_xrt_fault(void);
void lf_test_suite_xrt_opencl(void);
void lf_test_suite_xrt_harness(void);

/* The xclbin the harness's emconfig.json describes (emu-tiny). */
#define LF_XT_PROFILE "tiny"

/* build/bitstreams/emu-<profile>.xclbin into @path. */
void lf_xt_xclbin_path(const char *profile, char *path, size_t cap);

/* Open @spec and load emu-<profile>.xclbin; NULL (and a CUnit failure
 * with the message) on error. */
lf_dev *lf_xt_open_loaded(const char *spec, const char *profile);

/* The three buffers of one launch on CU @cu, in the banks its ports reach
 * (desc, params, act). */
struct lf_xt_launch {
	lf_bo *desc, *params, *act;
	uint32_t ndesc, params_bytes, act_bytes;
};

lf_status lf_xt_alloc(lf_dev *dev, uint32_t cu, uint32_t ndesc,
		      uint32_t params_bytes, uint32_t act_bytes,
		      struct lf_xt_launch *l);
void lf_xt_free(struct lf_xt_launch *l);
/* Start with args desc+0, ndesc, params+0, params_bytes, act+0, act_bytes. */
lf_status lf_xt_start(lf_dev *dev, uint32_t cu, struct lf_xt_launch *l,
		      lf_run **run);

/* Milliseconds on the monotonic clock. */
uint64_t lf_xt_now_ms(void);

#endif
