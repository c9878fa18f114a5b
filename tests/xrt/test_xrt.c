/*
 * test_xrt.c - the "xrt" suite: the XRT backend on "xrt:0" in XRT's
 * software emulation (Debian's libxrt_swemu, patched copy, and layerfab's
 * device process). Device strings, loading and the UUID check, the
 * platform check, byte-exact kernels against the CPU reference and the
 * emu backend, sync ranges, argument offsets, the wrong-bank check and
 * the timeout path.
 *
 * The harness's emconfig.json describes emu-tiny.xclbin's platform
 * (layerfab_tiny_emu_1, two 64 MiB banks).
 */
#include <stdlib.h>
#include <string.h>

#include "driver/xclbin/xclbin.h"
#include "driver/xrt/xrt.h"
#include "layerfab.h"
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include "test_xrt.h"
#include "unit/kernel_cases.h"

#define TINY_VBNV "layerfab_tiny_emu_1"

static uint8_t *map(lf_bo *bo)
{
	void *v = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__bo_map(bo, &v), LF_OK);
	return v;
}

static void expect_open_fails(const char *spec, lf_status want)
{
	lf_dev *dev = NULL;
	lf_status st = lf__dev_open(spec, &dev);

	if (st != want)
		fprintf(stderr, "\nopen %s: %s (%s)\n", spec,
			lf_status_name(st), lf__drv_last_error());
	CU_ASSERT_EQUAL(st, want);
	CU_ASSERT_PTR_NULL(dev);
	CU_ASSERT(strlen(lf__drv_last_error()) > 10);
}

/* Device strings: an index, a PCI address, nothing else, no options. */
static void test_device_strings(void)
{
	struct lf_dev_desc desc[4];
	uint32_t n = 0;

	lf__backend_register(&lf__xrt_backend);
	CU_ASSERT_EQUAL(lf__drv_enumerate("xrt", desc, 4, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(desc[0].name, TINY_VBNV);
	{
		/* One lf_dev per device: XRT would share it under both. */
		lf_dev *dev = NULL;

		CU_ASSERT_EQUAL_FATAL(lf__dev_open("xrt:0", &dev), LF_OK);
		expect_open_fails("xrt:0", LF_ERR_BUSY);
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	}
	expect_open_fails("xrt:zz", LF_ERR_INVALID_ARG);
	expect_open_fails("xrt:0,bank_size=1M", LF_ERR_INVALID_ARG);
	expect_open_fails("xrt:7", LF_ERR_NOT_FOUND);
	/* The emulated device has no PCI address: a clear "not found",
	 * no hang, no exit. */
	expect_open_fails("xrt:0000:65:00.1", LF_ERR_NOT_FOUND);
}

static lf_status build_probe_named(const char *kernel, struct lf_xclbin **out)
{
	struct lf_xclbin_spec *spec = calloc(1, sizeof(*spec));
	uint8_t *img = NULL, *so = NULL;
	size_t img_size = 0, so_size = 0;
	char path[512], err[256] = "";
	lf_status st = LF_ERR_IO;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/emu_probe.so",
		 lf_test_build_dir());
	f = fopen(path, "rb");
	if (f && fseek(f, 0, SEEK_END) == 0) {
		so_size = (size_t)ftell(f);
		so = malloc(so_size);
		rewind(f);
		if (so && fread(so, 1, so_size, f) != so_size)
			so_size = 0;
	}
	if (f)
		fclose(f);
	if (spec && so && so_size) {
		spec->platform = lf__xclbin_platform_find(LF_XT_PROFILE);
		spec->bitstream = so;
		spec->bitstream_size = so_size;
		spec->nkernels = 1;
		snprintf(spec->kernels[0].name, sizeof(spec->kernels[0].name),
			 "%s", kernel);
		spec->kernels[0].ncus = 1;
		st = lf__xclbin_build(spec, &img, &img_size, err, sizeof(err));
		if (st == LF_OK)
			st = lf__xclbin_parse(img, img_size, out, err,
					      sizeof(err));
	}
	if (st != LF_OK)
		fprintf(stderr, "\nprobe xclbin: %s\n", err);
	free(img);
	free(so);
	free(spec);
	return st;
}

static lf_status build_probe(struct lf_xclbin **out)
{
	return build_probe_named("lfk_probe", out);
}

/* Load, UUID after load, banks from XRT, and reloads of another program. */
static void test_load_and_uuid(void)
{
	struct lf_xclbin *tiny = NULL, *probe = NULL;
	const struct lf_dev_props *p;
	char path[512], err[256];
	lf_dev *dev = NULL;

	lf_xt_xclbin_path(LF_XT_PROFILE, path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_load(path, &tiny, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(build_probe(&probe), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__dev_open("xrt:0", &dev), LF_OK);
	p = lf__dev_props(dev);
	CU_ASSERT_STRING_EQUAL(p->backend, "xrt");
	CU_ASSERT_STRING_EQUAL(p->name, TINY_VBNV);
	CU_ASSERT_FALSE(p->xclbin_loaded);
	for (int round = 0; round < 2; round++) {
		CU_ASSERT_EQUAL_FATAL(lf__dev_load_xclbin(dev, tiny), LF_OK);
		p = lf__dev_props(dev);
		CU_ASSERT(p->xclbin_loaded);
		CU_ASSERT_EQUAL(memcmp(p->xclbin_uuid, tiny->uuid, 16), 0);
		CU_ASSERT_EQUAL(p->nmems, 2);
		CU_ASSERT_EQUAL(p->ncus, tiny->ncus);
		/* XRT's group ids are the file's CONNECTIVITY. */
		for (uint32_t c = 0; c < p->ncus; c++)
			for (uint32_t a = 0; a < 6; a += 2)
				CU_ASSERT_EQUAL((int)p->cus[c].arg_bank[a],
						lf__xclbin_arg_mem(tiny, c, a));
		CU_ASSERT(lf__xrt_device_pid(dev) > 0);
		/* Another program on the same device process. */
		CU_ASSERT_EQUAL_FATAL(lf__dev_load_xclbin(dev, probe), LF_OK);
		p = lf__dev_props(dev);
		CU_ASSERT_EQUAL(memcmp(p->xclbin_uuid, probe->uuid, 16), 0);
		CU_ASSERT_EQUAL(p->ncus, 1);
		CU_ASSERT_STRING_EQUAL(p->cus[0].name, "lfk_probe:lfk_probe_1");
	}
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	lf__xclbin_free(tiny);
	lf__xclbin_free(probe);
}

/* An xclbin for another platform: LF_ERR_BAD_FILE naming both. */
static void test_platform_mismatch(void)
{
	lf_dev *dev = NULL;
	char path[512];
	const char *msg;

	CU_ASSERT_EQUAL_FATAL(lf__dev_open("xrt:0", &dev), LF_OK);
	lf_xt_xclbin_path("aws-f1", path, sizeof(path));
	CU_ASSERT_EQUAL(lf__dev_load_xclbin_file(dev, path), LF_ERR_BAD_FILE);
	msg = lf__drv_last_error();
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(msg, "xilinx_aws-vu9p-f1_shell-v04261818_201920_3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, TINY_VBNV));
	CU_ASSERT_FALSE(lf__dev_props(dev)->xclbin_loaded);
	/* An xclbin the device cannot use (its kernel object lacks the
	 * kernel): the device process refuses it, XRT's load fails. */
	{
		struct lf_xclbin *bad = NULL;

		CU_ASSERT_EQUAL_FATAL(build_probe_named("lfk_missing", &bad),
				      LF_OK);
		CU_ASSERT_EQUAL(lf__dev_load_xclbin(dev, bad), LF_ERR_BAD_FILE);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(lf__drv_last_error(), "refused the xclbin"));
		lf__xclbin_free(bad);
	}
	/* The device is still usable. */
	lf_xt_xclbin_path(LF_XT_PROFILE, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__dev_load_xclbin_file(dev, path), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * One launch on @dev: inputs written (synced) to the device, the run, the
 * act buffer read back into @out. Descriptors sit @desc_off bytes into
 * their buffer (XRT: a sub-buffer). 0 when every descriptor reports OK.
 */
static int launch(lf_dev *dev, uint32_t cu, const struct lf_kc_launch *l,
		  uint32_t desc_off, uint8_t *out)
{
	uint32_t dbytes = l->ndesc * LF_DESC_BYTES, ndesc_buf;
	struct lf_xt_launch b;
	lf_desc *d = calloc(l->ndesc, sizeof(*d));
	lf_run *run = NULL;
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ndesc_buf = l->ndesc + desc_off / LF_DESC_BYTES + 1;
	CU_ASSERT_EQUAL_FATAL(
	    lf_xt_alloc(dev, cu, ndesc_buf, l->params_bytes, l->act_bytes, &b),
	    LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(b.desc, l->desc, dbytes, desc_off), LF_OK);
	if (l->params_bytes)
		CU_ASSERT_EQUAL(
		    lf__bo_write(b.params, l->params, l->params_bytes, 0),
		    LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(b.act, l->act, l->act_bytes, 0), LF_OK);
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, b.desc, desc_off),
		    lf__arg_u32(1, l->ndesc),
		    lf__arg_bo(2, b.params, 0),
		    lf__arg_u32(3, l->params_bytes),
		    lf__arg_bo(4, b.act, 0),
		    lf__arg_u32(5, l->act_bytes),
		};
		CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, cu, a, 6, &run),
				      LF_OK);
	}
	CU_ASSERT_EQUAL(lf__run_wait(run, 30000), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	/* The host view is stale until the read syncs it back. */
	memset(map(b.act), 0xa5, l->act_bytes);
	CU_ASSERT_EQUAL(lf__bo_read(b.act, out, l->act_bytes, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(b.desc, d, dbytes, desc_off), LF_OK);
	for (uint32_t i = 0; i < l->ndesc; i++)
		if (d[i].status != LF_KST_OK)
			bad = 1;
	lf_xt_free(&b);
	free(d);
	return bad;
}

/*
 * Both kernels on every CU, varied layers (the "kernels" suite's
 * generator: shapes, strides, padding, dilation, groups, per-channel
 * quantization, fused activations; a few larger than the on-chip tiles):
 * the XRT device, the emu backend and the CPU reference agree byte for
 * byte.
 */
static void test_exact_kernels(void)
{
	lf_dev *xrt = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	lf_dev *emu = lf_xt_open_loaded("emu:tiny", LF_XT_PROFILE);
	uint64_t seed = lf_kc_seed() ^ 0x7e57u;
	uint32_t conv_cu = 0, mm_cu = 0;
	struct lf_dev_counters c0, c1;
	int cases = 14, fails = 0, runs = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(xrt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(emu);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(xrt, "lfk_conv2d", &conv_cu),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(xrt, "lfk_matmul", &mm_cu),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__dev_counters(xrt, &c0), LF_OK);
	for (int i = 0; i < 2 * cases; i++) {
		int conv = i < cases, big = i % cases >= cases - 2;
		uint32_t cu = conv ? conv_cu + (uint32_t)(i % 2) : mm_cu;
		uint32_t desc_off = (i % 3 == 1) ? 2 * LF_DESC_BYTES : 0;
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t *a, *b;

		lf_rng_seed(&r, seed + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(conv ? lf_kc_random_conv(&r, big, &l)
					   : lf_kc_random_matmul(&r, big, &l),
				      0);
		a = malloc(l.act_bytes);
		b = malloc(l.act_bytes);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		if (launch(xrt, cu, &l, desc_off, a) != 0 ||
		    lf_kc_compare(&l, a, "xrt", seed, i) != 0)
			fails++;
		if (launch(emu, cu, &l, desc_off, b) != 0 ||
		    lf_kc_compare(&l, b, "emu", seed, i) != 0)
			fails++;
		if (memcmp(a, b, l.act_bytes) != 0)
			fails++;
		runs++;
		free(a);
		free(b);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(lf__dev_counters(xrt, &c1), LF_OK);
	CU_ASSERT_EQUAL(c1.launches - c0.launches, (uint64_t)runs);
	CU_ASSERT(c1.h2d_transfers - c0.h2d_transfers >= (uint64_t)(2 * runs));
	CU_ASSERT_EQUAL(c1.live_bos, 0);
	CU_ASSERT_EQUAL(lf__dev_close(xrt), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(emu), LF_OK);
}

/* Sync moves exactly the range asked for, both ways; the host view and
 * device memory are separate. */
static void test_sync_ranges(void)
{
	lf_dev *dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	uint8_t pattern[4096], *host;
	lf_bo *bo = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	for (int i = 0; i < 4096; i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, sizeof(pattern), 1, &bo),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__bo_bank(bo), 1);
	host = map(bo);
	CU_ASSERT_EQUAL(lf__bo_write(bo, pattern, sizeof(pattern), 0), LF_OK);
	memset(host, 0, sizeof(pattern));
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 100, 1000), LF_OK);
	for (int i = 0; i < 4096; i++) {
		int in = i >= 1000 && i < 1100;

		if (host[i] != (in ? pattern[i] : 0)) {
			CU_FAIL("FROM_DEVICE sync outside its range");
			break;
		}
	}
	/* A TO_DEVICE of a sub-range changes only that range. */
	memset(host, 0xee, sizeof(pattern));
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 16, 4080), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(memcmp(host, pattern, 4080), 0);
	CU_ASSERT_EQUAL(host[4080], 0xee);
	CU_ASSERT_EQUAL(host[4095], 0xee);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 16, 4088),
			LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* A buffer in a bank the port does not reach: LF_ERR_RANGE, nothing runs
 * (XRT itself would run on a copy in the right bank). */
static void test_wrong_bank(void)
{
	lf_dev *dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	struct lf_xt_launch l;
	uint32_t cu = 0, bank = 0;
	lf_bo *other = NULL;
	lf_run *run = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(dev, "lfk_conv2d", &cu), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_xt_alloc(dev, cu, 1, 64, 64, &l), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, cu, 0, &bank), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf__bo_alloc(dev, LF_DESC_BYTES, bank ^ 1u, &other), LF_OK);
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, other, 0),	lf__arg_u32(1, 1),
		    lf__arg_bo(2, l.params, 0), lf__arg_u32(3, 64),
		    lf__arg_bo(4, l.act, 0),	lf__arg_u32(5, 64),
		};
		CU_ASSERT_EQUAL(lf__run_start(dev, cu, a, 6, &run),
				LF_ERR_RANGE);
	}
	CU_ASSERT_PTR_NULL(run);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "wrong bank"));
	CU_ASSERT_EQUAL(lf__bo_free(other), LF_OK);
	lf_xt_free(&l);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * A run slower than the wait (the device process's LF_SWEMU_SLOW_MS,
 * read when XRT forks it at the first load): the wait times out and the
 * run stays pending (its buffers busy, not freeable, abort unsupported in
 * XRT 2.13's C API); a later wait collects it with the right result.
 */
static void test_timeout(void)
{
	struct lf_kc_launch k;
	struct lf_xt_launch b;
	struct lf_rng r;
	uint8_t *out;
	lf_dev *dev;
	lf_run *run = NULL;
	uint32_t cu = 0;
	uint64_t t0;

	setenv("LF_SWEMU_SLOW_MS", "700", 1);
	dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	unsetenv("LF_SWEMU_SLOW_MS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(dev, "lfk_matmul", &cu), LF_OK);
	lf_rng_seed(&r, lf_kc_seed() ^ 0x71u);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_matmul(&r, 0, &k), 0);
	out = malloc(k.act_bytes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(
	    lf_xt_alloc(dev, cu, k.ndesc, k.params_bytes, k.act_bytes, &b),
	    LF_OK);
	CU_ASSERT_EQUAL(
	    lf__bo_write(b.desc, k.desc, k.ndesc * LF_DESC_BYTES, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(b.params, k.params, k.params_bytes, 0),
			LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(b.act, k.act, k.act_bytes, 0), LF_OK);
	t0 = lf_xt_now_ms();
	CU_ASSERT_EQUAL_FATAL(lf_xt_start(dev, cu, &b, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 0), LF_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(lf__run_wait(run, 100), LF_ERR_TIMEOUT);
	CU_ASSERT(lf_xt_now_ms() - t0 >= 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "still pending"));
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, cu), LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_free(b.act), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_sync(b.act, LF_SYNC_FROM_DEVICE, 4, 0),
			LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__run_wait(run, 10000), LF_OK);
	CU_ASSERT(lf_xt_now_ms() - t0 >= 700);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(b.act, out, k.act_bytes, 0), LF_OK);
	CU_ASSERT_EQUAL(lf_kc_compare(&k, out, "xrt (slow run)", 0, 0), 0);
	lf_xt_free(&b);
	free(out);
	lf_kc_free(&k);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * lf_context_native_handle / lf_tensor_native_handle on "xrt:0": XRT's
 * own API, called on the handles, sees what layerfab did: the device
 * reports the UUID of the xclbin the context loaded, and the buffer of a
 * tensor's device copy holds the tensor's bytes once synced back from
 * the card (xrtBOSync + xrtBORead, no layerfab code in between).
 */
static void test_native_handles(void)
{
	struct lf_xclbin *tiny = NULL;
	char path[512], err[256];
	lf_context *ctx = NULL;
	lf_tensor *t = NULL;
	void *h = NULL, *b = NULL;
	xuid_t uuid;

	lf_xt_xclbin_path(LF_XT_PROFILE, path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_load(path, &tiny, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("xrt:0", path, &ctx), LF_OK);
	CU_ASSERT_EQUAL(lf_context_native_handle(ctx, LF_NATIVE_XRT_DEVICE, &h),
			LF_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(xrtDeviceGetXclbinUUID((xrtDeviceHandle)h, uuid), 0);
	CU_ASSERT_EQUAL(memcmp(uuid, tiny->uuid, 16), 0);
	CU_ASSERT_EQUAL(lf_context_native_handle(ctx, LF_NATIVE_XRT_BO, &b),
			LF_ERR_INVALID_ARG);

	int64_t d[1] = {5000};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 1, d, NULL, &t), LF_OK);
	uint8_t *data = lf_tensor_data(t), back[5000];
	for (int i = 0; i < 5000; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_EQUAL(lf_tensor_native_handle(t, LF_NATIVE_XRT_BO, &b),
			LF_ERR_STATE); /* no device copy yet */
	CU_ASSERT_EQUAL_FATAL(lf_tensor_to_device(t), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_native_handle(t, LF_NATIVE_XRT_DEVICE, &b),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL_FATAL(lf_tensor_native_handle(t, LF_NATIVE_XRT_BO, &b),
			      LF_OK);
	CU_ASSERT(xrtBOSize((xrtBufferHandle)b) >= 5000);
	memset(back, 0, sizeof(back));
	CU_ASSERT_EQUAL(
	    xrtBOSync((xrtBufferHandle)b, XCL_BO_SYNC_BO_FROM_DEVICE, 5000, 0),
	    0);
	CU_ASSERT_EQUAL(xrtBORead((xrtBufferHandle)b, back, 5000, 0), 0);
	CU_ASSERT_EQUAL(memcmp(back, data, 5000), 0);
	CU_ASSERT_EQUAL(lf_tensor_destroy(t), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	lf__xclbin_free(tiny);
}

void lf_test_suite_xrt(void)
{
	static const struct lf_test_case cases[] = {
	    {"device_strings", test_device_strings},
	    {"load_and_uuid", test_load_and_uuid},
	    {"platform_mismatch", test_platform_mismatch},
	    {"exact_kernels", test_exact_kernels},
	    {"sync_ranges", test_sync_ranges},
	    {"wrong_bank", test_wrong_bank},
	    {"timeout", test_timeout},
	    {"native_handles", test_native_handles},
	    {NULL, NULL},
	};
	lf_test_add_suite("xrt", NULL, NULL, cases);
}
