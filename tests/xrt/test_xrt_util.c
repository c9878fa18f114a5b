/* test_xrt_util.c - helpers of the XRT suites (see test_xrt.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "driver/xrt/xrt.h"
#include "test_xrt.h"

void lf_xt_xclbin_path(const char *profile, char *path, size_t cap)
{
	snprintf(path, cap, "%s/bitstreams/emu-%s.xclbin", lf_test_build_dir(),
		 profile);
}

lf_dev *lf_xt_open_loaded(const char *spec, const char *profile)
{
	char path[512];
	lf_dev *dev = NULL;
	lf_status st;

	/* From a static library the backend's object (and its
	 * self-registration) is linked only when referenced. */
	st = lf__backend_register(&lf__xrt_backend);
	CU_ASSERT(st == LF_OK || st == LF_ERR_BUSY);
	st = lf__dev_open(spec, &dev);
	if (st != LF_OK) {
		fprintf(stderr, "\nopen %s: %s\n", spec, lf__drv_last_error());
		CU_FAIL("cannot open the device");
		return NULL;
	}
	lf_xt_xclbin_path(profile, path, sizeof(path));
	st = lf__dev_load_xclbin_file(dev, path);
	if (st != LF_OK) {
		fprintf(stderr, "\nload %s: %s\n", path, lf__drv_last_error());
		CU_FAIL("cannot load the xclbin");
		lf__dev_close(dev);
		return NULL;
	}
	return dev;
}

lf_status lf_xt_alloc(lf_dev *dev, uint32_t cu, uint32_t ndesc,
		      uint32_t params_bytes, uint32_t act_bytes,
		      struct lf_xt_launch *l)
{
	uint32_t bd, bp, ba;
	lf_status st;

	memset(l, 0, sizeof(*l));
	l->ndesc = ndesc;
	l->params_bytes = params_bytes;
	l->act_bytes = act_bytes;
	if ((st = lf__dev_arg_bank(dev, cu, 0, &bd)) != LF_OK ||
	    (st = lf__dev_arg_bank(dev, cu, 2, &bp)) != LF_OK ||
	    (st = lf__dev_arg_bank(dev, cu, 4, &ba)) != LF_OK)
		return st;
	if ((st = lf__bo_alloc(dev, (uint64_t)ndesc * LF_DESC_BYTES, bd,
			       &l->desc)) != LF_OK ||
	    (st = lf__bo_alloc(dev, params_bytes ? params_bytes : 4, bp,
			       &l->params)) != LF_OK ||
	    (st = lf__bo_alloc(dev, act_bytes, ba, &l->act)) != LF_OK)
		lf_xt_free(l);
	return st;
}

void lf_xt_free(struct lf_xt_launch *l)
{
	CU_ASSERT_EQUAL(lf__bo_free(l->desc), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(l->params), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(l->act), LF_OK);
	l->desc = l->params = l->act = NULL;
}

lf_status lf_xt_start(lf_dev *dev, uint32_t cu, struct lf_xt_launch *l,
		      lf_run **run)
{
	struct lf_run_arg a[6] = {
	    lf__arg_bo(0, l->desc, 0),	 lf__arg_u32(1, l->ndesc),
	    lf__arg_bo(2, l->params, 0), lf__arg_u32(3, l->params_bytes),
	    lf__arg_bo(4, l->act, 0),	 lf__arg_u32(5, l->act_bytes),
	};
	return lf__run_start(dev, cu, a, 6, run);
}

uint64_t lf_xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
