/*
 * test_aws.c - the AWS F2 backend (driver/aws): its register and BAR
 * protocol against the emulated CL (aws:sim), and the card bus against
 * files laid out like a card's sysfs resources.
 *
 * Expected values come from hand arithmetic (the probe kernel adds two
 * byte arrays; register offsets of the HLS s_axilite map are worked out
 * in comments), never from the backend itself. End-to-end runs of the
 * real kernels against emu are in tests/conformance (--device aws:sim).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver/driver.h"
#include "lf_desc.h"
#include "lf_test.h"
#include "test_cli_util.h"
#include "test_emu.h"

#define SIM "aws:sim,bank_size=64M"

static lf_dev *open_sim(void)
{
	return lf_test_emu_open(SIM);
}

static lf_status load_desc(lf_dev *dev)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/bitstreams/aws-f2-hdk-sim.xclbin",
		 lf_test_build_dir());
	return lf__dev_load_xclbin_file(dev, path);
}

/* Overwrite the host view, so a read proves the bytes came from the
 * device (lf__bo_write leaves its data in the host view). */
static void clobber(lf_bo *bo, size_t n)
{
	void *hv = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__bo_map(bo, &hv), LF_OK);
	memset(hv, 0xa5, n);
}

static void msleep(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* The sim is listed, not as a card, and is opened only by its name. */
static void test_enumerate_and_select(void)
{
	struct lf_dev_desc d[8];
	uint32_t n = 0, sim = UINT32_MAX;
	lf_dev *dev = NULL;

	CU_ASSERT_EQUAL_FATAL(lf__drv_enumerate("aws", d, 8, &n), LF_OK);
	CU_ASSERT(n >= 1);
	for (uint32_t i = 0; i < n && i < 8; i++)
		if (strcmp(d[i].name, "sim") == 0)
			sim = i;
	CU_ASSERT_FATAL(sim != UINT32_MAX);
	CU_ASSERT_EQUAL(d[sim].is_card, 0);
	CU_ASSERT_STRING_EQUAL(d[sim].backend, "aws");
	/* No F2 card on this machine: an index never reaches the sim. */
	if (n == 1) {
		char sel[32];

		snprintf(sel, sizeof(sel), "aws:%u", d[sim].index);
		CU_ASSERT_EQUAL(lf__dev_open(sel, &dev), LF_ERR_NOT_FOUND);
		CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "aws:sim"));
		CU_ASSERT_EQUAL(lf__dev_open("aws", &dev), LF_ERR_NOT_FOUND);
		CU_ASSERT_PTR_NULL(dev);
	}
	CU_ASSERT_EQUAL(lf__dev_open("aws:sim,colour=blue", &dev),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(dev);
}

/* The description gives CUs at 0x180_0000 + i * 0x1_0000 and the bank of
 * the PCIS window: DDR at 0 (capped by bank_size=). */
static void test_description(void)
{
	lf_dev *dev = open_sim();
	const struct lf_dev_props *p;
	char path[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	/* An xclbin for another platform is not a CL description. */
	snprintf(path, sizeof(path), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	CU_ASSERT_EQUAL(lf__dev_load_xclbin_file(dev, path), LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "platform"));
	CU_ASSERT_EQUAL_FATAL(load_desc(dev), LF_OK);
	p = lf__dev_props(dev);
	CU_ASSERT_STRING_EQUAL(p->backend, "aws");
	CU_ASSERT_STRING_EQUAL(p->name, "aws-f2-hdk-sim");
	CU_ASSERT_EQUAL(p->ncus, 2);
	CU_ASSERT_EQUAL(p->cus[0].base, 0x1800000);
	CU_ASSERT_EQUAL(p->cus[1].base, 0x1810000);
	CU_ASSERT_STRING_EQUAL(p->kernels[p->cus[0].kernel].name, "lfk_engine");
	CU_ASSERT_EQUAL_FATAL(p->nmems, 1);
	CU_ASSERT_STRING_EQUAL(p->mems[0].tag, "DDR[0]");
	CU_ASSERT_EQUAL(p->mems[0].base, 0);
	CU_ASSERT_EQUAL(p->mems[0].size, 64ull << 20); /* bank_size=64M */
	CU_ASSERT(lf__dev_limit(dev, "lfk_engine.ops", 0) != 0);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Bytes written through BAR4 come back through BAR4; a full bank says
 * so. */
static void test_transfer(void)
{
	lf_dev *dev = open_sim();
	struct lf_dev_counters c;
	lf_bo *bo[2] = {NULL, NULL}, *big = NULL;
	uint8_t in[5000], out[5000];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(load_desc(dev), LF_OK);
	for (int i = 0; i < 5000; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (uint32_t b = 0; b < 2; b++) {
		CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 5000, 0, &bo[b]),
				      LF_OK);
		CU_ASSERT_EQUAL(lf__bo_write(bo[b], in, 5000, 0), LF_OK);
		clobber(bo[b], 5000);
		memset(out, 0, sizeof(out));
		CU_ASSERT_EQUAL(lf__bo_read(bo[b], out, 4999, 1), LF_OK);
		CU_ASSERT_EQUAL(memcmp(out, in + 1, 4999), 0);
	}
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.h2d_transfers, 2);
	CU_ASSERT_EQUAL(c.h2d_bytes, 10000);
	CU_ASSERT_EQUAL(c.d2h_bytes, 2 * 4999);
	/* 64 MiB bank, 16 KiB of it used (two 5000-byte buffers, each
	 * rounded up to two 4 KiB pages): 64 MiB - 12 KiB does not fit,
	 * 64 MiB - 16 KiB does. */
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, (64ull << 20) - 12288, 0, &big),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, (64ull << 20) - 16384, 0, &big),
			LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(big), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo[0]), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo[1]), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* One probe launch through the registers: act[128 + i] = act[i] +
 * params[i] for i < 100, with act[i] = i and params[i] = 2i + 1, so
 * act[128 + i] = 3i + 1 (mod 256). */
static void run_probe(lf_dev *dev, uint32_t cu, uint32_t timeout_ms,
		      lf_status want)
{
	struct lf_test_emu_probe p;
	lf_desc d;
	uint8_t act[256], prm[128], got[100];
	lf_run *run = NULL;

	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, cu, 1, 128, 256, &p),
			      LF_OK);
	for (int i = 0; i < 256; i++)
		act[i] = (uint8_t)i;
	for (int i = 0; i < 128; i++)
		prm[i] = (uint8_t)(2 * i + 1);
	lf_test_emu_probe_desc(&d, 10, 100, 0, 0, 128);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.params, prm, 128, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, act, 256, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 128, 256, &run),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, timeout_ms), want);
	if (want == LF_OK) {
		CU_ASSERT_EQUAL(lf__bo_read(p.act, got, 100, 128), LF_OK);
		for (int i = 0; i < 100; i++)
			CU_ASSERT_EQUAL(got[i], (uint8_t)(3 * i + 1));
		CU_ASSERT_EQUAL(lf__bo_read(p.desc, &d, sizeof(d), 0), LF_OK);
		CU_ASSERT_EQUAL(d.status, LF_KST_OK);
		/* the kernel saw the argument registers' values */
		CU_ASSERT_EQUAL(d.reserved8[1], 1);
		CU_ASSERT_EQUAL(d.reserved8[2], 128);
		CU_ASSERT_EQUAL(d.reserved8[3], 256);
	} else if (want == LF_ERR_TIMEOUT) {
		CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "ap_done"));
		CU_ASSERT_EQUAL(lf__run_free(run), LF_ERR_BUSY);
		CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, cu), LF_OK);
		CU_ASSERT_EQUAL(lf__run_wait(run, 1000), LF_ERR_DEVICE);
	}
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	lf_test_emu_probe_free(&p);
}

static void test_run_registers(void)
{
	lf_dev *dev = open_sim();
	struct lf_dev_counters c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 2, NULL, NULL,
						     0),
			      LF_OK);
	run_probe(dev, 0, 10000, LF_OK);
	run_probe(dev, 1, 10000, LF_OK);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.launches, 2);
	CU_ASSERT_EQUAL(c.cu[0].runs, 1);
	CU_ASSERT_EQUAL(c.cu[1].runs, 1);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Several runs queued on one CU (an HLS block runs one call at a time)
 * all complete, in order, each with its own result. */
static void test_run_queue(void)
{
	lf_dev *dev = open_sim();
	lf_bo *desc, *prm, *act;
	lf_run *run[4];
	lf_desc d[4];
	uint8_t a[64] = {0}, w[16], got[16];
	uint32_t bd, bp, ba;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 1, NULL, NULL,
						     0),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 0, 0, &bd), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 0, 2, &bp), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_arg_bank(dev, 0, 4, &ba), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, sizeof(d), bd, &desc), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 16, bp, &prm), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 64, ba, &act), LF_OK);
	for (int i = 0; i < 16; i++)
		w[i] = 1;
	CU_ASSERT_EQUAL(lf__bo_write(prm, w, 16, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(act, a, 64, 0), LF_OK);
	/* run k: act[16(k+1) + i] = act[16k + i] + 1: a chain, so order
	 * matters: act[48 + i] ends as 3. */
	for (int k = 0; k < 3; k++)
		lf_test_emu_probe_desc(&d[k], 1, 16, 16u * k, 0, 16u * (k + 1));
	CU_ASSERT_EQUAL(lf__bo_write(desc, d, 3 * sizeof(lf_desc), 0), LF_OK);
	for (int k = 0; k < 3; k++) {
		struct lf_run_arg args[6] = {
		    lf__arg_bo(0, desc, (uint64_t)k * sizeof(lf_desc)),
		    lf__arg_u32(1, 1),
		    lf__arg_bo(2, prm, 0),
		    lf__arg_u32(3, 16),
		    lf__arg_bo(4, act, 0),
		    lf__arg_u32(5, 64),
		};
		CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, 0, args, 6, &run[k]),
				      LF_OK);
	}
	/* Waiting for the last one advances the queue through the others. */
	CU_ASSERT_EQUAL(lf__run_wait(run[2], 10000), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run[0], 0), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run[1], 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(act, got, 16, 48), LF_OK);
	for (int i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(got[i], 3);
	for (int k = 0; k < 3; k++)
		CU_ASSERT_EQUAL(lf__run_free(run[k]), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(desc), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(prm), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(act), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* While a run is pending, its buffers refuse transfers (the CL would race
 * the kernel) and other buffers do not. */
static void test_busy_while_running(void)
{
	lf_dev *dev = open_sim();
	struct lf_fault f = {LF_FAULT_CU_HANG, 1, 0};
	struct lf_test_emu_probe p;
	lf_bo *other = NULL;
	lf_run *run = NULL;
	uint8_t b[64] = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 1, NULL, NULL,
						     0),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 64, 0, &other), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_OK); /* keep it pending */
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, b, 64, 0), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_free(p.act), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_write(other, b, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 1000), LF_ERR_DEVICE);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, b, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(other), LF_OK);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

struct lane_job {
	lf_dev *dev;
	uint32_t cu;
	int ok; /* launches whose bytes were right */
};

/* 20 launches on one CU, each adding a different constant: act[64 + i] =
 * act[i] + k for i < 64, act[i] = i, so act[64 + i] = i + k (mod 256). */
static void *lane(void *arg)
{
	struct lane_job *j = arg;
	struct lf_test_emu_probe p;
	uint8_t act[128], prm[64], got[64];
	lf_desc d;

	if (lf_test_emu_probe_alloc(j->dev, j->cu, 1, 64, 128, &p) != LF_OK)
		return NULL;
	for (int i = 0; i < 64; i++)
		act[i] = (uint8_t)i;
	lf_test_emu_probe_desc(&d, 1, 64, 0, 0, 64);
	for (uint32_t k = 0; k < 20; k++) {
		lf_run *run = NULL;
		int good = 1;

		memset(prm, (int)(k + 10 * j->cu), sizeof(prm));
		if (lf__bo_write(p.desc, &d, sizeof(d), 0) ||
		    lf__bo_write(p.params, prm, 64, 0) ||
		    lf__bo_write(p.act, act, 128, 0) ||
		    lf_test_emu_probe_start(&p, 64, 128, &run))
			break;
		if (lf__run_wait(run, 10000) != LF_OK ||
		    lf__bo_read(p.act, got, 64, 64) != LF_OK)
			good = 0;
		for (int i = 0; good && i < 64; i++)
			good = got[i] == (uint8_t)(i + k + 10 * j->cu);
		lf__run_free(run);
		j->ok += good;
	}
	lf_test_emu_probe_free(&p);
	return NULL;
}

/* Both CUs driven from two threads at once: every launch gets its own
 * bytes. */
static void test_two_lanes_concurrently(void)
{
	lf_dev *dev = open_sim();
	struct lane_job jobs[2] = {{dev, 0, 0}, {dev, 1, 0}};
	pthread_t t[2];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 2, NULL, NULL,
						     0),
			      LF_OK);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&t[i], NULL, lane, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_EQUAL(jobs[0].ok, 20);
	CU_ASSERT_EQUAL(jobs[1].ok, 20);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* A PCIS timeout: the transfer fails cleanly; after the shell's 4 ms
 * moderation window the bus works again. */
static void test_fault_pcis_timeout(void)
{
	lf_dev *dev = open_sim();
	struct lf_fault f = {LF_FAULT_DMA_FAIL, 1, -1};
	lf_bo *bo = NULL;
	uint8_t in[256], out[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(load_desc(dev), LF_OK);
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)(255 - i);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 256, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, in, 256, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 256, 0), LF_ERR_DMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "timed out"));
	msleep(6);
	clobber(bo, 256);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 256, 0), LF_OK);
	CU_ASSERT_EQUAL(memcmp(in, out, 256), 0);
	/* A timed-out write is dropped: the old bytes stay. */
	f.nth = 1;
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_OK);
	memset(out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(lf__bo_write(bo, out, 256, 0), LF_ERR_DMA);
	msleep(6);
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 256, 0), LF_OK);
	CU_ASSERT_EQUAL(memcmp(in, out, 256), 0);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &(struct lf_dev_counters){0}),
			LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* A CU that never sets ap_done: the wait times out and says so, the run
 * stays pending until its CU is aborted; the CU then works again. */
static void test_fault_cu_hang(void)
{
	lf_dev *dev = open_sim();
	struct lf_fault f = {LF_FAULT_CU_HANG, 1, 1};

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 2, NULL, NULL,
						     0),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_OK);
	run_probe(dev, 1, 50, LF_ERR_TIMEOUT);
	run_probe(dev, 1, 10000, LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* The CL goes away (AFI cleared): every read is all-ones; the backend
 * says the device is lost, and still frees everything. */
static void test_fault_lost(void)
{
	lf_dev *dev = open_sim();
	struct lf_fault f = {LF_FAULT_DEVICE_LOST, 1, -1};
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	uint8_t b[16] = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "aws-f2-hdk",
						     "lfk_probe", 1, NULL, NULL,
						     0),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 16, 16, &p),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_OK);
	/* the transfer times out (all-ones status page) */
	CU_ASSERT_EQUAL(lf__bo_write(p.act, b, 16, 0), LF_ERR_DMA);
	/* the start finds the control word all-ones */
	CU_ASSERT_EQUAL(lf_test_emu_probe_start(&p, 16, 16, &run),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "0xffffffff"));
	CU_ASSERT_EQUAL(lf__bo_write(p.act, b, 16, 0), LF_ERR_DEVICE_LOST);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* ---- the card bus, against files laid out like sysfs ------------------ */

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int sized_file(const char *dir, const char *name, uint64_t size)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	rc = ftruncate(fd, (off_t)size);
	close(fd);
	return rc;
}

static void poke(const char *dir, const char *name, uint64_t off, uint32_t v)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(pwrite(fd, &v, 4, (off_t)off) == 4);
	close(fd);
}

static uint32_t peek(const char *dir, const char *name, uint64_t off)
{
	char path[512];
	uint32_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(pread(fd, &v, 4, (off_t)off) == 4);
	close(fd);
	return v;
}

/*
 * The card bus maps resource0 and resource4(_wc) of the AppPF. Plain files
 * stand in for them (a sparse 128 GiB resource4): no CL logic answers, so
 * the test plays the CL by writing the files, and reads what the backend
 * wrote into the registers.
 */
static void test_card_bus_files(void)
{
	char root[] = "/tmp/lf-aws-XXXXXX", dev_dir[128], spec[160];
	const uint64_t cu0 = 0x1800000;
	struct lf_test_emu_probe p;
	lf_dev *dev = NULL;
	lf_run *run = NULL;
	uint8_t in[200], out[200];
	uint64_t act_addr;
	char path[512];
	struct lf_xclbin *xb = NULL;
	uint32_t id;

	if (lf_test_under_valgrind())
		return; /* Valgrind cannot map the 128 GiB resource4 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(dev_dir, sizeof(dev_dir), "%s/devices", root);
	CU_ASSERT_EQUAL_FATAL(mkdir(dev_dir, 0700), 0);
	snprintf(dev_dir, sizeof(dev_dir), "%s/devices/0000:00:1e.0", root);
	CU_ASSERT_EQUAL_FATAL(mkdir(dev_dir, 0700), 0);
	CU_ASSERT_EQUAL(write_file(dev_dir, "vendor", "0x1d0f\n"), 0);
	CU_ASSERT_EQUAL(write_file(dev_dir, "device", "0x1234\n"), 0);
	CU_ASSERT_EQUAL(sized_file(dev_dir, "resource0", 64ull << 20), 0);
	/* resource4_wc: the write-combining mapping (streaming loads) */
	CU_ASSERT_EQUAL(sized_file(dev_dir, "resource4_wc", 128ull << 30), 0);
	snprintf(spec, sizeof(spec), "aws:00:1e.0,sysfs=%s", root);
	/* not an F2 application PF */
	CU_ASSERT_EQUAL(lf__dev_open(spec, &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(write_file(dev_dir, "device", "0x9048\n"), 0);
	CU_ASSERT_EQUAL_FATAL(lf__dev_open(spec, &dev), LF_OK);
	/* BAR0 reads 0: no layerfab CL */
	snprintf(path, sizeof(path), "%s/bitstreams/aws-f2-hdk-sim.xclbin",
		 lf_test_build_dir());
	CU_ASSERT_EQUAL(lf__dev_load_xclbin_file(dev, path), LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "not a layerfab"));
	/* Play the CL's identity block: magic "LFC1", map v1, 2 CUs, the
	 * description's id (its UUID's first 4 bytes, little-endian). */
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_load(path, &xb, NULL, 0), LF_OK);
	id = (uint32_t)xb->uuid[0] | (uint32_t)xb->uuid[1] << 8 |
	     (uint32_t)xb->uuid[2] << 16 | (uint32_t)xb->uuid[3] << 24;
	poke(dev_dir, "resource0", 0x0, 0x4c464331);
	poke(dev_dir, "resource0", 0x4, 1);
	poke(dev_dir, "resource0", 0x8, 3); /* wrong CU count first */
	poke(dev_dir, "resource0", 0xc, id);
	CU_ASSERT_EQUAL(lf__dev_load_xclbin(dev, xb), LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "3 CUs"));
	poke(dev_dir, "resource0", 0x8, 2);
	CU_ASSERT_EQUAL_FATAL(lf__dev_load_xclbin(dev, xb), LF_OK);
	lf__xclbin_free(xb);
	/* PCIS: without the status page a transfer is a timeout... */
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 200, 200, &p),
			      LF_OK);
	for (int i = 0; i < 200; i++)
		in[i] = (uint8_t)(i ^ 0x3c);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, in, 200, 0), LF_ERR_DMA);
	/* ... with it, bytes reach the file at the buffer's PCIS address */
	poke(dev_dir, "resource4_wc", (128ull << 30) - 4096, 0x4c464331);
	CU_ASSERT_EQUAL(lf__bo_write(p.act, in, 200, 0), LF_OK);
	clobber(p.act, 200);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(lf__bo_read(p.act, out, 200, 0), LF_OK);
	CU_ASSERT_EQUAL(memcmp(in, out, 200), 0);
	/* odd offsets and lengths: head, 64-byte body and tail of the read */
	for (uint64_t off = 1; off < 70; off += 23) {
		clobber(p.act, 200);
		memset(out, 0, sizeof(out));
		CU_ASSERT_EQUAL(lf__bo_read(p.act, out, 199 - off, off), LF_OK);
		CU_ASSERT_EQUAL(memcmp(in + off, out, 199 - off), 0);
	}
	/* Buffers are page aligned in DDR[0] from 0: desc at 0, params at
	 * 0x1000, act at 0x2000 (allocated in that order). */
	act_addr = 0x2000;
	CU_ASSERT_EQUAL(peek(dev_dir, "resource4_wc", act_addr),
			in[0] | in[1] << 8 | in[2] << 16 |
			    (uint32_t)in[3] << 24);
	/* A start writes the HLS argument registers, then ap_start. The
	 * s_axilite map: 64-bit desc at 0x10/0x14 (next at 0x10 + 12),
	 * ndesc at 0x1c (+8), params at 0x24/0x28 (+12), params_bytes at
	 * 0x30 (+8), act at 0x38/0x3c (+12), act_bytes at 0x44. */
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 200, 200, &run),
			      LF_OK);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x10), 0x0);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x14), 0);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x1c), 1);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x24), 0x1000);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x30), 200);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x38), 0x2000);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0 + 0x44), 200);
	CU_ASSERT_EQUAL(peek(dev_dir, "resource0", cu0), 1); /* ap_start */
	/* Nobody sets ap_done: the wait times out, naming the register. */
	CU_ASSERT_EQUAL(lf__run_wait(run, 30), LF_ERR_TIMEOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "ap_done"));
	/* The CL finishes: ap_done | ap_idle. */
	poke(dev_dir, "resource0", cu0, 0x6);
	CU_ASSERT_EQUAL(lf__run_wait(run, 1000), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	/* Fault injection is for the sim only. */
	CU_ASSERT_EQUAL(
	    lf__dev_fault(dev, &(struct lf_fault){LF_FAULT_NONE, 0, -1}),
	    LF_ERR_UNSUPPORTED);
	/* The CL vanishes: BAR0 reads all-ones; a start says so. */
	poke(dev_dir, "resource0", cu0, 0xffffffff);
	CU_ASSERT_EQUAL(lf_test_emu_probe_start(&p, 200, 200, &run),
			LF_ERR_DEVICE_LOST);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	/* clean up the tree */
	static const char *const files[] = {"vendor", "device", "resource0",
					    "resource4_wc"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dev_dir, files[i]);
		CU_ASSERT_EQUAL(unlink(path), 0);
	}
	CU_ASSERT_EQUAL(rmdir(dev_dir), 0);
	snprintf(path, sizeof(path), "%s/devices", root);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	CU_ASSERT_EQUAL(rmdir(root), 0);
}

/* ---- end to end, through the layerfab tool ---------------------------- */

/* The last line of @text that starts with @prefix, as a new string. */
static char *last_line(const char *text, const char *prefix)
{
	const char *p = text, *hit = NULL;
	size_t n;
	char *out;

	while (p && *p) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			hit = p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!hit)
		return NULL;
	n = strcspn(hit, "\n");
	out = malloc(n + 1);
	if (out) {
		memcpy(out, hit, n);
		out[n] = '\0';
	}
	return out;
}

/* The demo model on aws:sim gives ONNX Runtime's bytes (the stored ORT
 * outputs of tests/data/ort, compared exactly by `conformance`). */
static void test_cli_model_ort(void)
{
	struct cli_res r;

	run_cli(&r, "conformance", "tests/data/ort", "--filter", "fmnist",
		"--device", "aws:sim");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS fmnist_qop\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS fmnist_qdq\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "\n2 passed, 0 failed, 0 skipped\n"));
	cli_res_free(&r);
}

/* `run` prints the same outputs on aws:sim as on emu, and the profile
 * shows the layers ran on the device (not a CPU fallback). */
static void test_cli_run_equals_emu(void)
{
	struct cli_res e, a;
	char *re, *ra;

	run_cli(&e, "run", "models/fmnist_qop.onnx", "--device", "emu");
	run_cli(&a, "run", "models/fmnist_qop.onnx", "--device", "aws:sim");
	CU_ASSERT_EQUAL(e.status, 0);
	CU_ASSERT_EQUAL(a.status, 0);
	re = last_line(e.out, "  row 0:");
	ra = last_line(a.out, "  row 0:");
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_STRING_EQUAL(ra, re);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.out, "on the device in 1 segment"));
	free(re);
	free(ra);
	cli_res_free(&e);
	cli_res_free(&a);
}

/* The ONNX node conformance tests: aws:sim passes exactly what emu
 * passes. */
static void test_cli_node_conformance(void)
{
	const char *dir = "/usr/share/libonnx-testdata/data/node";
	struct cli_res e, a;
	char *se, *sa;
	struct stat sb;

	if (stat(dir, &sb) != 0) {
		fprintf(stderr, "\n  SKIP: %s is missing\n", dir);
		return;
	}
	run_cli(&e, "conformance", dir, "--device", "emu");
	run_cli(&a, "conformance", dir, "--device", "aws:sim");
	CU_ASSERT_EQUAL(a.status, e.status);
	se = last_line(e.out, "");
	sa = last_line(a.out, "");
	/* every PASS line of emu is a PASS line of aws:sim */
	CU_ASSERT_PTR_NOT_NULL_FATAL(se);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_PTR_NOT_NULL(strstr(se, " passed, 0 failed"));
	CU_ASSERT_STRING_EQUAL(sa, se);
	for (const char *p = e.out; (p = strstr(p, "PASS ")); p++) {
		char name[160];
		size_t n = strcspn(p, "\n");

		if (n >= sizeof(name))
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		CU_ASSERT_PTR_NOT_NULL(strstr(a.out, name));
	}
	free(se);
	free(sa);
	cli_res_free(&e);
	cli_res_free(&a);
}

/* The emulated CL is never the default device: with no card the driver
 * picks emu, and an F2 card only when it shows the layerfab CL's ID. */
static void test_not_default(void)
{
	struct lf_dev_desc d[8];
	uint32_t n = 0;
	char spec[LF_DRV_SPEC_MAX];

	lf__drv_default(spec, sizeof(spec));
	CU_ASSERT_PTR_NULL(strstr(spec, "sim"));
	CU_ASSERT_EQUAL_FATAL(lf__drv_enumerate("aws", d, 8, &n), LF_OK);
	for (uint32_t i = 0; i < n && i < 8; i++)
		if (strcmp(d[i].name, "sim") == 0)
			CU_ASSERT_STRING_EQUAL(d[i].spec, "aws:sim");
}

/* `layerfab devices` lists the backend and the sim's selection string. */
static void test_cli_devices(void)
{
	struct cli_res r;

	run_cli(&r, "devices");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "aws "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "aws:sim"));
	cli_res_free(&r);
}

static const struct lf_test_case cases[] = {
    {"enumerate_and_select", test_enumerate_and_select},
    {"description", test_description},
    {"transfer", test_transfer},
    {"run_registers", test_run_registers},
    {"run_queue", test_run_queue},
    {"busy_while_running", test_busy_while_running},
    {"two_lanes_concurrently", test_two_lanes_concurrently},
    {"fault_pcis_timeout", test_fault_pcis_timeout},
    {"fault_cu_hang", test_fault_cu_hang},
    {"fault_lost", test_fault_lost},
    {"card_bus_files", test_card_bus_files},
    {"cli_model_ort", test_cli_model_ort},
    {"cli_run_equals_emu", test_cli_run_equals_emu},
    {"cli_node_conformance", test_cli_node_conformance},
    {"not_default", test_not_default},
    {"cli_devices", test_cli_devices},
    {NULL, NULL},
};

void lf_test_suite_aws(void)
{
	lf_test_add_suite("aws", NULL, NULL, cases);
}
