/*
 * test_emu.c - the "emu" suite: the emulated card through the driver
 * interface. This file registers the suite (cases from test_emu*.c) and
 * tests platforms, banks, allocation and sync; test_emu_run.c runs
 * kernels, test_emu_timing.c the timing model, test_emu_fault.c faults.
 */
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu.h"
#include "test_emu.h"

#define MiB (1024ull * 1024ull)
#define GiB (1024ull * MiB)

static void test_profiles(void)
{
	static const struct {
		const char *spec;
		uint32_t nmems;
		uint64_t size0, size_last;
		const char *tag0, *tag_last;
	} c[] = {
	    {"emu", 4, 16 * GiB, 16 * GiB, "DDR[0]", "DDR[3]"},
	    {"emu:aws-f1", 4, 16 * GiB, 16 * GiB, "DDR[0]", "DDR[3]"},
	    {"emu:u250", 4, 16 * GiB, 16 * GiB, "DDR[0]", "DDR[3]"},
	    {"emu:u280", 34, 256 * MiB, 16 * GiB, "HBM[0]", "DDR[1]"},
	    {"emu:u55c", 32, 512 * MiB, 512 * MiB, "HBM[0]", "HBM[31]"},
	    {"emu:tiny", 2, 64 * MiB, 64 * MiB, "DDR[0]", "DDR[1]"},
	    {"emu:4", 2, 64 * MiB, 64 * MiB, "DDR[0]", "DDR[1]"},
	    {"emu:aws-f2", 32, 512 * MiB, 512 * MiB, "HBM[0]", "HBM[31]"},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		lf_dev *dev = lf_test_emu_open(c[i].spec);
		const struct lf_dev_props *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
		p = lf__dev_props(dev);
		CU_ASSERT_STRING_EQUAL(p->backend, "emu");
		CU_ASSERT_EQUAL(p->xclbin_loaded, 0);
		CU_ASSERT_EQUAL(p->ncus, 0);
		CU_ASSERT_EQUAL(p->nmems, c[i].nmems);
		CU_ASSERT_EQUAL(p->mems[0].size, c[i].size0);
		CU_ASSERT_STRING_EQUAL(p->mems[0].tag, c[i].tag0);
		CU_ASSERT_EQUAL(p->mems[p->nmems - 1].size, c[i].size_last);
		CU_ASSERT_STRING_EQUAL(p->mems[p->nmems - 1].tag,
				       c[i].tag_last);
		CU_ASSERT_EQUAL(p->mems[1].base,
				p->mems[0].base + p->mems[0].size);
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	}
}

static void test_open_options(void)
{
	lf_dev *dev = lf_test_emu_open("emu:u280,bank_size=1M");
	const struct lf_dev_props *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	p = lf__dev_props(dev);
	CU_ASSERT_EQUAL(p->nmems, 34);
	CU_ASSERT_EQUAL(p->mems[0].size, MiB);
	CU_ASSERT_EQUAL(p->mems[33].size, MiB);
	CU_ASSERT_EQUAL(p->mems[33].base, 33 * MiB);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);

	dev = NULL;
	CU_ASSERT_EQUAL(lf__dev_open("emu:nosuch", &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "nosuch"));
	CU_ASSERT_EQUAL(lf__dev_open("emu:99", &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf__dev_open("emu,frob=1", &dev), LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "frob"));
	CU_ASSERT_EQUAL(lf__dev_open("emu,bank_size=12Q", &dev),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(dev);
}

static void test_enumerate(void)
{
	struct lf_dev_desc d[8];
	uint32_t n = 0;

	CU_ASSERT_EQUAL(lf__drv_enumerate("emu", d, 8, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_STRING_EQUAL(d[5].name, "aws-f2");
	CU_ASSERT_STRING_EQUAL(d[0].name, "aws-f1");
	CU_ASSERT_STRING_EQUAL(d[4].name, "tiny");
	CU_ASSERT_STRING_EQUAL(d[4].backend, "emu");
	CU_ASSERT_EQUAL(d[4].index, 4);
	/* Fewer slots than devices: the count is still the total. */
	memset(d, 0x5a, sizeof(d));
	CU_ASSERT_EQUAL(lf__drv_enumerate("emu", d, 2, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_STRING_EQUAL(d[1].name, "u250");
	CU_ASSERT_EQUAL((unsigned char)d[2].name[0], 0x5a);
}

static void test_load_real_xclbin(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	const struct lf_dev_props *p;
	uint32_t cu = 99, bank = 99;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_file(dev, "tiny"), LF_OK);
	p = lf__dev_props(dev);
	CU_ASSERT_EQUAL(p->xclbin_loaded, 1);
	CU_ASSERT_STRING_EQUAL(p->xclbin_platform, "layerfab_tiny_emu_1");
	/* bitstreams/emu/tiny.args: conv2d:2 matmul:1 pool:2 add:2 engine:2 */
	CU_ASSERT_EQUAL(p->ncus, 9);
	CU_ASSERT_EQUAL(p->nkernels, 5);
	CU_ASSERT_STRING_EQUAL(p->cus[0].name, "lfk_conv2d:lfk_conv2d_1");
	CU_ASSERT_STRING_EQUAL(p->kernels[p->cus[2].kernel].name, "lfk_matmul");
	/* The writer wires CU i's three ports to consecutive banks. */
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[0], 0);
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[2], 1);
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[4], 0);
	CU_ASSERT_EQUAL(p->cus[1].arg_bank[0], 1);
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[1], LF_DRV_NO_BANK);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 1, 2, &bank), LF_OK);
	CU_ASSERT_EQUAL(bank, 0);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 1, 3, &bank), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 9, 0, &bank), LF_ERR_INVALID_ARG);
	CU_ASSERT(lf__dev_limit(dev, "lfk_conv2d.macs_per_cycle", -1) > 0);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "no.such.key", -7), -7);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_matmul", &cu), LF_OK);
	CU_ASSERT_EQUAL(cu, 2);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_conv2d:lfk_conv2d_2", &cu),
			LF_OK);
	CU_ASSERT_EQUAL(cu, 1);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_pool", &cu), LF_OK);
	CU_ASSERT_EQUAL(cu, 3);
	/* The engine's lane-1 CU reaches the banks of conv's lane-1 CU. */
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_engine:lfk_engine_2", &cu),
			LF_OK);
	CU_ASSERT_EQUAL(cu, 8);
	for (int a = 0; a < 6; a++)
		CU_ASSERT_EQUAL(p->cus[8].arg_bank[a], p->cus[1].arg_bank[a]);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_nosuch", &cu),
			LF_ERR_NOT_FOUND);
	/* Reloading replaces the image (and joins the old workers). */
	CU_ASSERT_EQUAL(lf_test_emu_load_file(dev, "tiny"), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);

	/* An xclbin for another platform is refused, as by XRT. */
	dev = lf_test_emu_open("emu:aws-f1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(
	    lf__dev_load_xclbin_file(dev, "/nonexistent/emu-tiny.xclbin"),
	    LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf_test_emu_load_file(dev, "tiny"), LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(lf__drv_last_error(), "layerfab_tiny_emu_1"));
	CU_ASSERT_EQUAL(lf__dev_props(dev)->xclbin_loaded, 0);
	CU_ASSERT_EQUAL(lf_test_emu_load_file(dev, "aws-f1"), LF_OK);
	/* bitstreams/aws-f1/link.cfg: nk=lfk_engine:2; lane 1 has desc and
	 * act in DDR[3], params in DDR[0]. */
	p = lf__dev_props(dev);
	CU_ASSERT_EQUAL(p->ncus, 2);
	CU_ASSERT_STRING_EQUAL(p->cus[0].name, "lfk_engine:lfk_engine_1");
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[0], 3);
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[2], 0);
	CU_ASSERT_EQUAL(p->cus[0].arg_bank[4], 3);
	/* Lane 2's act port reaches DDR[1:3], its own DDR[1] first, so that
	 * both lanes can share lane 1's arena in split runs; the kernels
	 * have a barrier ring and emu runs CU groups (cu_sync). */
	CU_ASSERT_EQUAL(p->cus[1].arg_bank[4], 1);
	CU_ASSERT_EQUAL(p->cus[1].arg_reach[4], 0xeu);
	CU_ASSERT_EQUAL(p->cus[0].arg_reach[4], 0x8u);
	CU_ASSERT_EQUAL(p->cu_sync, 1);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "lfk_engine.sync", 0), 2);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

static void test_load_bad_bitstream(void)
{
	static const uint8_t junk[4096] = {1, 2, 3};
	lf_dev *dev = lf_test_emu_open("emu:tiny");

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(lf_test_emu_load_probe(dev, "tiny", "lfk_probe", 1,
					       NULL, junk, sizeof(junk)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "shared object"));
	/* A kernel the shared object does not export. */
	CU_ASSERT_EQUAL(
	    lf_test_emu_load_probe(dev, "tiny", "lfk_nosuch", 1, NULL, NULL, 0),
	    LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "lfk_nosuch"));
	/* A clock that is not one. */
	CU_ASSERT_EQUAL(lf_test_emu_load_probe(dev, "tiny", "lfk_probe", 1,
					       "lfk_probe.clock_mhz=0\n", NULL,
					       0),
			LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(lf__dev_props(dev)->xclbin_loaded, 0);
	/* A good load, then a failed one: the good one stays. */
	CU_ASSERT_EQUAL(
	    lf_test_emu_load_probe(dev, "tiny", "lfk_probe", 2, NULL, NULL, 0),
	    LF_OK);
	CU_ASSERT_EQUAL(
	    lf_test_emu_load_probe(dev, "tiny", "lfk_nosuch", 1, NULL, NULL, 0),
	    LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(lf__dev_props(dev)->ncus, 2);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

static void test_alloc_banks(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny,bank_size=1M");
	lf_bo *a = NULL, *b = NULL, *q[4] = {0}, *g = NULL, *h = NULL;
	struct lf_dev_counters c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 600 * 1024, 0, &a), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 600 * 1024, 0, &b),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "DDR[0]"));
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 600 * 1024, 1, &b), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_bank(b), 1);
	CU_ASSERT_EQUAL(lf__bo_size(b), 600 * 1024);
	CU_ASSERT_EQUAL(lf__bo_free(a), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(b), LF_OK);

	/* Four quarters fill the 1 MiB bank exactly; a freed quarter is
	 * reused first-fit, and what is left of it is too small. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(lf__bo_alloc(dev, 256 * 1024, 0, &q[i]), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 1, 0, &g), LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__bo_free(q[1]), LF_OK);
	q[1] = NULL;
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 200 * 1024, 0, &g), LF_OK);
	/* 256 KiB - 200 KiB = 56 KiB remain: 100 KiB does not fit. */
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 100 * 1024, 0, &h),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 56 * 1024, 0, &h), LF_OK);

	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 10, 2, &a), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 0, 0, &a), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.allocs, 2 + 4 + 2);
	CU_ASSERT_EQUAL(c.frees, 3);
	CU_ASSERT_EQUAL(c.live_bos, 5);
	CU_ASSERT_EQUAL(c.live_bytes, (3 * 256 + 200 + 56) * 1024);

	/* Closing with live buffers is refused and changes nothing. */
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf_test_emu_load_file(dev, "tiny"), LF_ERR_BUSY);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(lf__bo_free(q[i]), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(g), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(h), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

static void test_sync_semantics(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	lf_bo *bo = NULL, *other = NULL;
	uint8_t *h = NULL, buf[300];
	void *v = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_map(bo, &v), LF_OK);
	h = v;
	/* Never-written device memory reads as zeros. */
	memset(h, 0x77, 4096);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(h[0], 0);
	CU_ASSERT_EQUAL(h[4095], 0);

	memset(h, 0x11, 4096);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 4096, 0), LF_OK);
	/* A host write without a sync never reaches the device. */
	memset(h, 0x22, 4096);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(h[0], 0x11);
	CU_ASSERT_EQUAL(h[4095], 0x11);

	/* A partial sync moves exactly its range. */
	memset(h + 100, 0x33, 100);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 100, 100), LF_OK);
	memset(h, 0, 4096);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(h[99], 0x11);
	CU_ASSERT_EQUAL(h[100], 0x33);
	CU_ASSERT_EQUAL(h[199], 0x33);
	CU_ASSERT_EQUAL(h[200], 0x11);

	/* The write/read conveniences sync their range. */
	for (int i = 0; i < 300; i++)
		buf[i] = (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(lf__bo_write(bo, buf, 300, 3000), LF_OK);
	memset(h, 0, 4096);
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(lf__bo_read(bo, buf, 300, 3000), LF_OK);
	CU_ASSERT_EQUAL(buf[299], (uint8_t)(299 * 7));
	CU_ASSERT_EQUAL(h[3000 + 5], 35);

	/* Two buffers do not share device memory. */
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, 0, &other), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(other, buf, 300, 3000), LF_OK);
	CU_ASSERT_EQUAL(buf[299], 0);

	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 0, 0),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 200, 4000),
			LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 1, 4096),
			LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, (enum lf_sync_dir)7, 1, 0),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__bo_write(bo, buf, 300, UINT64_MAX - 10),
			LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__bo_free(other), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * The bank share the memory model gives a CU: tiny's banks are DDR4 at
 * 19.25 GB/s peak (emu_profile.c); two CUs on one bank at 250 MHz get
 * 19.25e9 / 250e6 / 2 = 38.5 bytes per kernel cycle each.
 */
static void test_bank_share(void)
{
	struct lf_emu_config cfg = {.launch_ns = LF_EMU_DEFAULT,
				    .dma_setup_ns = LF_EMU_DEFAULT};
	lf_emu *e = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__emu_profile_find("tiny", &cfg.profile),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__emu_create(&cfg, &e), LF_OK);
	CU_ASSERT_DOUBLE_EQUAL(lf__emu_bank_bpc(e, 0, 2, 250), 38.5, 1e-4);
	/* One CU alone at 300 MHz: 19.25e9 / 300e6 = 64.1667. */
	CU_ASSERT_DOUBLE_EQUAL(lf__emu_bank_bpc(e, 1, 1, 300), 64.1667, 1e-3);
	CU_ASSERT_EQUAL(lf__emu_bank_bpc(e, 99, 1, 250), 0.0f);
	CU_ASSERT_EQUAL(lf__emu_bank_bpc(e, 0, 0, 250), 0.0f);
	lf__emu_destroy(e);
}

/* The device core by address, as the XRT socket front door will use it. */
static void test_core_by_address(void)
{
	struct lf_emu_config cfg = {.launch_ns = LF_EMU_DEFAULT,
				    .dma_setup_ns = LF_EMU_DEFAULT};
	uint8_t out[50], in[50];
	uint64_t addr = 1;
	lf_emu *e = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__emu_profile_find("tiny", &cfg.profile),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__emu_create(&cfg, &e), LF_OK);
	CU_ASSERT_EQUAL(lf__emu_mem_alloc_at(e, 0x1000, 100), LF_OK);
	CU_ASSERT_EQUAL(lf__emu_mem_alloc_at(e, 0x1000, 100),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__emu_mem_alloc_at(e, 0x3010, 100), LF_ERR_RANGE);
	/* Straddles DDR[0] (64 MiB from 0) and DDR[1]. */
	CU_ASSERT_EQUAL(lf__emu_mem_alloc_at(e, 64 * MiB - 4096, 8192),
			LF_ERR_RANGE);
	for (int i = 0; i < 50; i++)
		in[i] = (uint8_t)(i + 1);
	CU_ASSERT_EQUAL(lf__emu_dma(e, LF_SYNC_TO_DEVICE, 0x1000 + 10, in, 50),
			LF_OK);
	CU_ASSERT_EQUAL(
	    lf__emu_dma(e, LF_SYNC_FROM_DEVICE, 0x1000 + 10, out, 50), LF_OK);
	CU_ASSERT_EQUAL(memcmp(in, out, 50), 0);
	CU_ASSERT_EQUAL(
	    lf__emu_dma(e, LF_SYNC_FROM_DEVICE, 0x1000 + 90, out, 20),
	    LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__emu_dma(e, LF_SYNC_FROM_DEVICE, 0x9000, out, 1),
			LF_ERR_RANGE);
	/* First fit finds the page before the one taken at 0x1000. */
	CU_ASSERT_EQUAL(lf__emu_mem_alloc(e, 0, 4096, &addr), LF_OK);
	CU_ASSERT_EQUAL(addr, 0);
	CU_ASSERT_EQUAL(lf__emu_mem_alloc(e, 0, 1, &addr), LF_OK);
	CU_ASSERT_EQUAL(addr, 0x2000);
	CU_ASSERT_EQUAL(lf__emu_mem_free(e, 0x1004), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__emu_mem_free(e, 0x1000), LF_OK);
	CU_ASSERT_EQUAL(lf__emu_mem_free(e, 0), LF_OK);
	/* Destroy frees what is left (0x2000). */
	lf__emu_destroy(e);
}

const struct lf_test_case lf_test_emu_mem_cases[] = {
    {"profiles", test_profiles},
    {"open_options", test_open_options},
    {"enumerate", test_enumerate},
    {"load_real_xclbin", test_load_real_xclbin},
    {"load_bad_bitstream", test_load_bad_bitstream},
    {"alloc_banks", test_alloc_banks},
    {"sync_semantics", test_sync_semantics},
    {"core_by_address", test_core_by_address},
    {"bank_share", test_bank_share},
    {NULL, NULL},
};

void lf_test_suite_emu(void)
{
	static const struct lf_test_case *const parts[] = {
	    lf_test_emu_mem_cases, lf_test_emu_run_cases,
	    lf_test_emu_timing_cases, lf_test_emu_fault_cases};
	static struct lf_test_case all[64];
	size_t n = 0;

	for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (const struct lf_test_case *c = parts[p]; c->name; c++)
			if (n + 1 < sizeof(all) / sizeof(all[0]))
				all[n++] = *c;
	all[n].name = NULL;
	all[n].fn = NULL;
	lf_test_add_suite("emu", NULL, NULL, all);
}
