/*
 * test_emu_run.c - kernel runs on the emulated card: what a kernel sees,
 * which buffers it may touch, byte-exact results of the real kernels
 * against the CPU reference, and several runs in flight.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "kernel_cases.h"
#include "test_emu.h"

static lf_dev *open_probe(const char *spec, uint32_t ncus, const char *limits)
{
	lf_dev *dev = lf_test_emu_open(spec);

	if (dev && lf_test_emu_load_probe(dev, "tiny", "lfk_probe", ncus,
					  limits, NULL, 0) != LF_OK) {
		CU_FAIL("cannot load the probe xclbin");
		lf__dev_close(dev);
		return NULL;
	}
	return dev;
}

static uint8_t *map(lf_bo *bo)
{
	void *v = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__bo_map(bo, &v), LF_OK);
	return v;
}

static lf_status run_wait_free(lf_run *run)
{
	lf_status st = lf__run_wait(run, LF_DRV_WAIT_FOREVER);

	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	return st;
}

/* Data reaches the kernel only through a sync, and back the same way. */
static void test_probe_sync(void)
{
	lf_dev *dev = open_probe("emu:tiny", 1, NULL);
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	lf_desc d;
	uint8_t *par, *act;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 128, &p),
			      LF_OK);
	lf_test_emu_probe_desc(&d, 100, 16, 0, 0, 64);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	par = map(p.params);
	act = map(p.act);
	for (int i = 0; i < 16; i++) {
		par[i] = (uint8_t)i;
		act[i] = (uint8_t)(2 * i);
	}
	/* act is synced, params is not: the kernel adds zeros. */
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_TO_DEVICE, 128, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 128, &run),
			      LF_OK);
	CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
	/* Not synced back yet: the host view is stale. */
	CU_ASSERT_EQUAL(act[64 + 5], 0);
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_FROM_DEVICE, 128, 0), LF_OK);
	CU_ASSERT_EQUAL(act[64 + 5], 10);

	CU_ASSERT_EQUAL(lf__bo_sync(p.params, LF_SYNC_TO_DEVICE, 64, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 128, &run),
			      LF_OK);
	CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_FROM_DEVICE, 128, 0), LF_OK);
	for (int i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(act[64 + i], 3 * i);
	/* The kernel wrote its status into the descriptor, on the device. */
	CU_ASSERT_EQUAL(lf__bo_read(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	CU_ASSERT_EQUAL(d.reserved8[1], 1);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* The kernel is told min(host value, bytes in the buffer from offset). */
static void test_real_sizes(void)
{
	lf_dev *dev = open_probe("emu:tiny", 1, NULL);
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	lf_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 100, 300, &p),
			      LF_OK);
	lf_test_emu_probe_desc(&d, 1, 16, 0, 0, 100);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_test_emu_probe_start(&p, UINT32_MAX, 1000, &run), LF_OK);
	CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	CU_ASSERT_EQUAL(d.reserved8[2], 100);
	CU_ASSERT_EQUAL(d.reserved8[3], 300);

	/* A smaller host value is what the kernel gets (as on a card). */
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 50, 120, &run),
			      LF_OK);
	CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(d.reserved8[2], 50);
	CU_ASSERT_EQUAL(d.reserved8[3], 120);

	/* With an offset, what remains after it; an access beyond is the
	 * kernel's LF_KST_BOUNDS, and the run itself still succeeds. */
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, p.desc, 0),	lf__arg_u32(1, 1),
		    lf__arg_bo(2, p.params, 0), lf__arg_u32(3, 100),
		    lf__arg_bo(4, p.act, 200),	lf__arg_u32(5, 300),
		};
		CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, 0, a, 6, &run), LF_OK);
		CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
		CU_ASSERT_EQUAL(lf__bo_read(p.desc, &d, sizeof(d), 0), LF_OK);
		CU_ASSERT_EQUAL(d.reserved8[3], 100);
		CU_ASSERT_EQUAL(d.status, LF_KST_BOUNDS);
	}
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

static int contains(const char *s)
{
	return strstr(lf__drv_last_error(), s) != NULL;
}

/* Ports reach only their banks; arguments must match the signature. */
static void test_bad_args(void)
{
	lf_dev *dev = open_probe("emu:tiny", 1, NULL);
	struct lf_test_emu_probe p;
	lf_bo *wrong = NULL, *small = NULL;
	lf_run *run = NULL;
	struct lf_dev_counters c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	/* act (arg 4) of CU 0 reaches DDR[0]; this buffer is in DDR[1]. */
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 64, 1, &wrong), LF_OK);
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, p.desc, 0),	lf__arg_u32(1, 1),
		    lf__arg_bo(2, p.params, 0), lf__arg_u32(3, 64),
		    lf__arg_bo(4, wrong, 0),	lf__arg_u32(5, 64),
		};
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_RANGE);
		CU_ASSERT(contains("wrong bank"));
		CU_ASSERT(contains("lfk_probe:lfk_probe_1"));
		CU_ASSERT(contains("'act'"));
		CU_ASSERT(contains("DDR[0]") && contains("DDR[1]"));

		a[4] = lf__arg_bo(4, p.act, 64); /* offset == size */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_RANGE);
		a[4] = lf__arg_bo(4, p.act, 2); /* not 4-byte aligned */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_RANGE);
		a[4] = lf__arg_bo(4, p.act, 0);
		a[1] = lf__arg_u32(1, 2); /* 2 descriptors, room for 1 */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_RANGE);
		CU_ASSERT(contains("descriptors"));
		a[1] = lf__arg_u32(0, 1); /* index 0 twice, 1 missing */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_INVALID_ARG);
		a[1] = lf__arg_bo(1, p.desc, 0); /* a buffer for a scalar */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_INVALID_ARG);
		a[1] = lf__arg_u64(1, 1ull << 40); /* 32-bit register */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_INVALID_ARG);
		a[1] = lf__arg_u32(1, 1);
		a[0] = lf__arg_u32(0, 0); /* a scalar for a pointer */
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_INVALID_ARG);
		a[0] = lf__arg_bo(0, p.desc, 0);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 5, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT_EQUAL(lf__run_start(dev, 1, a, 6, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT_PTR_NULL(run);
	}
	/* A descriptor buffer too small for even one descriptor. */
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 100, 0, &small), LF_OK);
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, small, 0),	lf__arg_u32(1, 1),
		    lf__arg_bo(2, p.params, 0), lf__arg_u32(3, 64),
		    lf__arg_bo(4, p.act, 0),	lf__arg_u32(5, 64),
		};
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 6, &run),
				LF_ERR_RANGE);
	}
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.launches, 0);
	CU_ASSERT_EQUAL(lf__bo_free(small), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(wrong), LF_OK);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);

	/* No xclbin, no runs. */
	dev = lf_test_emu_open("emu:tiny");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(lf__run_start(dev, 0, NULL, 0, &run), LF_ERR_STATE);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* One launch through the driver; 0 if every descriptor ended OK. */
static int launch(lf_dev *dev, uint32_t cu, const lf_desc *desc, uint32_t ndesc,
		  const uint8_t *params, uint32_t pb, const uint8_t *act,
		  uint32_t ab, uint8_t *act_out)
{
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	lf_desc *d = calloc(ndesc, sizeof(*d));
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(
	    lf_test_emu_probe_alloc(dev, cu, ndesc, pb ? pb : 1, ab, &p),
	    LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, desc, ndesc * sizeof(*desc), 0),
			LF_OK);
	if (pb)
		CU_ASSERT_EQUAL(lf__bo_write(p.params, params, pb, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, act, ab, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, pb, ab, &run), LF_OK);
	CU_ASSERT_EQUAL(run_wait_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(p.act, act_out, ab, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(p.desc, d, ndesc * sizeof(*d), 0), LF_OK);
	for (uint32_t i = 0; i < ndesc; i++)
		if (d[i].status != LF_KST_OK)
			bad = 1;
	lf_test_emu_probe_free(&p);
	free(d);
	return bad;
}

static void put32(uint8_t *p, uint32_t off, uint32_t v)
{
	memcpy(p + off, &v, 4); /* the host is little-endian, as the ABI */
}

/*
 * A conv packed by hand per hls/lf_desc.h: uint8 x 1x2x5x5, int8 w 3x2x3x3,
 * per-channel w_zp and scales, bias, pad 1, uint8 y 1x3x5x5.
 */
static void test_exact_conv_by_hand(lf_dev *dev, uint32_t cu)
{
	static const int32_t w_zp[3] = {0, 1, -2}, bias[3] = {100, -50, 7};
	static const float w_scale[3] = {0.01f, 0.02f, 0.015f};
	const float x_scale = 0.05f, y_scale = 0.1f;
	uint8_t params[92] = {0}, act[128] = {0}, out[128], want[75];
	struct lf_ref_qconv r = {0};
	lf_desc d;

	for (int i = 0; i < 54; i++) /* w[oc][ic][kh][kw] at 0 */
		params[i] = (uint8_t)(int8_t)((i * 37) % 200 - 100);
	for (int c = 0; c < 3; c++) {
		float mult = (x_scale * w_scale[c]) / y_scale;
		uint32_t bits;

		memcpy(&bits, &mult, 4);
		put32(params, 56 + 4 * (uint32_t)c, (uint32_t)bias[c]);
		put32(params, 68 + 4 * (uint32_t)c, (uint32_t)w_zp[c]);
		put32(params, 80 + 4 * (uint32_t)c, bits);
	}
	for (int i = 0; i < 50; i++) /* x at 0 */
		act[i] = (uint8_t)((i * 53) % 256);
	memset(&d, 0, sizeof(d));
	d.magic = LF_DESC_MAGIC;
	d.op = LF_KOP_CONV2D;
	d.flags = LF_DF_BIAS | LF_DF_W_PER_CH;
	d.x_type = LF_KDT_U8;
	d.w_type = LF_KDT_I8;
	d.y_type = LF_KDT_U8;
	d.n = 1, d.ic = 2, d.ih = 5, d.iw = 5;
	d.oc = 3, d.oh = 5, d.ow = 5, d.groups = 1;
	d.kh = 3, d.kw = 3, d.stride_h = 1, d.stride_w = 1;
	d.pad_t = d.pad_l = d.pad_b = d.pad_r = 1;
	d.dil_h = d.dil_w = 1;
	d.x_off = 0, d.y_off = 52, d.w_off = 0;
	d.bias_off = 56, d.w_zp_off = 68, d.mult_off = 80;
	d.x_zp = 3, d.y_zp = 10, d.act_min = 0, d.act_max = 255;

	r.x_type = LF_DTYPE_UINT8;
	r.w_type = LF_DTYPE_INT8;
	r.y_type = LF_DTYPE_UINT8;
	r.n = 1, r.ic = 2, r.ih = 5, r.iw = 5, r.oc = 3, r.kh = 3, r.kw = 3;
	r.stride_h = r.stride_w = 1;
	r.pad_t = r.pad_l = r.pad_b = r.pad_r = 1;
	r.dil_h = r.dil_w = 1;
	r.groups = 1;
	r.x_zp = 3, r.y_zp = 10;
	r.w_zp = w_zp, r.w_zp_count = 3;
	r.x_scale = x_scale, r.y_scale = y_scale;
	r.w_scale = w_scale, r.w_scale_count = 3;
	r.bias = bias;
	r.act_min = 0, r.act_max = 255;
	CU_ASSERT_EQUAL_FATAL(lf__ref_qconv2d(&r, act, params, want), LF_OK);

	CU_ASSERT_EQUAL(launch(dev, cu, &d, 1, params, sizeof(params), act,
			       sizeof(act), out),
			0);
	CU_ASSERT_EQUAL(memcmp(out + 52, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(memcmp(out, act, 50), 0);
}

/* A batched matmul by hand: int8 A 2x3x4, uint8 B 4x5 (w_batch 1). */
static void test_exact_matmul_by_hand(lf_dev *dev, uint32_t cu)
{
	const int32_t w_zp = 120;
	const float w_scale = 0.02f, x_scale = 0.1f, y_scale = 0.25f;
	uint8_t params[28] = {0}, act[56] = {0}, out[56], want[30];
	struct lf_ref_qmatmul r = {0};
	float mult = (x_scale * w_scale) / y_scale;
	uint32_t bits;
	lf_desc d;

	for (int i = 0; i < 20; i++)
		params[i] = (uint8_t)((i * 71) % 256);
	memcpy(&bits, &mult, 4);
	put32(params, 20, (uint32_t)w_zp);
	put32(params, 24, bits);
	for (int i = 0; i < 24; i++)
		act[i] = (uint8_t)(int8_t)((i * 29) % 256 - 128);
	memset(&d, 0, sizeof(d));
	d.magic = LF_DESC_MAGIC;
	d.op = LF_KOP_MATMUL;
	d.x_type = LF_KDT_I8;
	d.w_type = LF_KDT_U8;
	d.y_type = LF_KDT_I8;
	d.mm_batch = 2, d.mm_m = 3, d.mm_k = 4, d.mm_n = 5, d.mm_w_batch = 1;
	d.x_off = 0, d.y_off = 24, d.w_off = 0;
	d.w_zp_off = 20, d.mult_off = 24;
	d.x_zp = -5, d.y_zp = -3, d.act_min = -128, d.act_max = 127;

	r.x_type = LF_DTYPE_INT8;
	r.w_type = LF_DTYPE_UINT8;
	r.y_type = LF_DTYPE_INT8;
	r.batch = 2, r.m = 3, r.k = 4, r.n = 5, r.w_batch = 1;
	r.x_zp = -5, r.y_zp = -3;
	r.w_zp = &w_zp, r.w_zp_count = 1;
	r.x_scale = x_scale, r.y_scale = y_scale;
	r.w_scale = &w_scale, r.w_scale_count = 1;
	r.act_min = -128, r.act_max = 127;
	CU_ASSERT_EQUAL_FATAL(lf__ref_qmatmul(&r, act, params, want), LF_OK);

	CU_ASSERT_EQUAL(launch(dev, cu, &d, 1, params, sizeof(params), act,
			       sizeof(act), out),
			0);
	CU_ASSERT_EQUAL(memcmp(out + 24, want, sizeof(want)), 0);
}

/* The real kernels of emu-tiny.xclbin against the CPU reference. */
static void test_exact_kernels(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	uint32_t conv_cu = 0, mm_cu = 0;
	uint64_t seed = lf_kc_seed() ^ 0xe3u;
	int cases = lf_test_slow_mode() ? 4 : 16, fails = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_file(dev, "tiny"), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(dev, "lfk_conv2d", &conv_cu),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(dev, "lfk_matmul", &mm_cu),
			      LF_OK);
	test_exact_conv_by_hand(dev, conv_cu);
	/* The second conv CU is wired to other banks; same bytes. */
	test_exact_conv_by_hand(dev, conv_cu + 1);
	test_exact_matmul_by_hand(dev, mm_cu);

	for (int i = 0; i < 2 * cases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t *out;
		int conv = i < cases;

		lf_rng_seed(&r, seed + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(conv ? lf_kc_random_conv(&r, 0, &l)
					   : lf_kc_random_matmul(&r, 0, &l),
				      0);
		out = malloc(l.act_bytes);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		if (launch(dev, conv ? conv_cu + (uint32_t)(i % 2) : mm_cu,
			   l.desc, l.ndesc, l.params, l.params_bytes, l.act,
			   l.act_bytes, out) != 0 ||
		    lf_kc_compare(&l, out, "emu", seed, i) != 0)
			fails++;
		free(out);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Two runs queued on each of two CUs: all complete, CUs overlap. */
static void test_runs_in_flight(void)
{
	lf_dev *dev = open_probe("emu:tiny", 2, NULL);
	struct lf_test_emu_probe p[2];
	struct lf_tl_event ev[16];
	lf_run *run[4] = {0};
	uint64_t start[2][2] = {{0}}, end[2][2] = {{0}};
	uint32_t n = 0, seen[2] = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	for (uint32_t c = 0; c < 2; c++) {
		lf_desc d;
		uint8_t *par, *act;

		CU_ASSERT_EQUAL_FATAL(
		    lf_test_emu_probe_alloc(dev, c, 1, 64, 64, &p[c]), LF_OK);
		/* CU 1's ports sit on the other banks (test_load_real). */
		CU_ASSERT_EQUAL(lf__bo_bank(p[c].act), c);
		lf_test_emu_probe_desc(&d, 1000000, 32, 0, 0, 32);
		CU_ASSERT_EQUAL(lf__bo_write(p[c].desc, &d, sizeof(d), 0),
				LF_OK);
		par = map(p[c].params);
		act = map(p[c].act);
		for (int i = 0; i < 32; i++) {
			par[i] = (uint8_t)(c + 1);
			act[i] = (uint8_t)i;
		}
		CU_ASSERT_EQUAL(
		    lf__bo_sync(p[c].params, LF_SYNC_TO_DEVICE, 64, 0), LF_OK);
		CU_ASSERT_EQUAL(lf__bo_sync(p[c].act, LF_SYNC_TO_DEVICE, 64, 0),
				LF_OK);
	}
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(
		    lf_test_emu_probe_start(&p[i % 2], 64, 64, &run[i]), LF_OK);
	for (int i = 3; i >= 0; i--)
		CU_ASSERT_EQUAL(run_wait_free(run[i]), LF_OK);
	for (uint32_t c = 0; c < 2; c++) {
		uint8_t *act = map(p[c].act);

		CU_ASSERT_EQUAL(
		    lf__bo_sync(p[c].act, LF_SYNC_FROM_DEVICE, 64, 0), LF_OK);
		for (int i = 0; i < 32; i++)
			CU_ASSERT_EQUAL(act[32 + i], i + (int)c + 1);
	}
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 0, ev, 16, &n), LF_OK);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = ev[i].cu;

		if (ev[i].kind != LF_TL_RUN || c > 1 || seen[c] > 1)
			continue;
		start[c][seen[c]] = ev[i].start_ns;
		end[c][seen[c]] = ev[i].end_ns;
		seen[c]++;
	}
	CU_ASSERT_EQUAL(seen[0], 2);
	CU_ASSERT_EQUAL(seen[1], 2);
	/* Submitted at the same device time, both CUs start together and
	 * overlap; each CU's second run follows its first. 1e6 cycles at
	 * 250 MHz = 4 ms, plus the 20 us launch. */
	CU_ASSERT_EQUAL(start[0][0], start[1][0]);
	CU_ASSERT_EQUAL(end[0][0] - start[0][0], 4020000);
	CU_ASSERT_EQUAL(start[0][1], end[0][0]);
	CU_ASSERT_EQUAL(start[1][1], end[1][0]);
	for (uint32_t c = 0; c < 2; c++)
		lf_test_emu_probe_free(&p[c]);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

struct worker {
	struct lf_test_emu_probe *p;
	int fails;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 25; i++) {
		lf_run *run = NULL;

		if (lf_test_emu_probe_start(w->p, 64, 64, &run) != LF_OK ||
		    lf__run_wait(run, 10000) != LF_OK ||
		    lf__run_free(run) != LF_OK)
			w->fails++;
	}
	return NULL;
}

/* Host threads starting and waiting on two CUs at once. */
static void test_threads(void)
{
	lf_dev *dev = open_probe("emu:tiny", 2, NULL);
	struct lf_test_emu_probe p[2];
	struct worker w[2];
	pthread_t t[2];
	struct lf_dev_counters c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	for (uint32_t i = 0; i < 2; i++) {
		lf_desc d;

		CU_ASSERT_EQUAL_FATAL(
		    lf_test_emu_probe_alloc(dev, i, 1, 64, 64, &p[i]), LF_OK);
		lf_test_emu_probe_desc(&d, 10, 8, 0, 0, 8);
		CU_ASSERT_EQUAL(lf__bo_write(p[i].desc, &d, sizeof(d), 0),
				LF_OK);
		w[i].p = &p[i];
		w[i].fails = 0;
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(w[i].fails, 0);
	}
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.launches, 50);
	CU_ASSERT_EQUAL(c.cu[0].runs, 25);
	CU_ASSERT_EQUAL(c.cu[1].runs, 25);
	for (int i = 0; i < 2; i++)
		lf_test_emu_probe_free(&p[i]);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

const struct lf_test_case lf_test_emu_run_cases[] = {
    {"probe_sync", test_probe_sync},
    {"real_sizes", test_real_sizes},
    {"bad_args", test_bad_args},
    {"exact_kernels", test_exact_kernels},
    {"runs_in_flight", test_runs_in_flight},
    {"threads", test_threads},
    {NULL, NULL},
};
