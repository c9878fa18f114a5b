/*
 * test_emu_fault.c - injected faults, timeouts, abort and reset: every
 * fault gives its documented status at the step it was armed for, the
 * device stays usable (or, once lost, releases everything), and nothing
 * leaks (the suite runs under ASan and Valgrind).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test_emu.h"

static lf_dev *open_probe(uint32_t ncus)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");

	if (dev && lf_test_emu_load_probe(dev, "tiny", "lfk_probe", ncus, NULL,
					  NULL, 0) != LF_OK) {
		CU_FAIL("cannot load the probe xclbin");
		lf__dev_close(dev);
		return NULL;
	}
	return dev;
}

static lf_status arm(lf_dev *dev, enum lf_fault_kind kind, uint32_t nth,
		     int32_t cu)
{
	struct lf_fault f = {kind, nth, cu};

	return lf__dev_fault(dev, &f);
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * One whole use of the device; returns the first failure and its step:
 *   1 three allocations   2-4 uploads of desc, params, act
 *   5 run start           6 wait (50 ms)      7-8 downloads of act, desc
 * and releases everything whatever happened. *ok is set when the result
 * is right.
 */
static char scenario_msg[512];

static lf_status scenario(lf_dev *dev, int *step, int *ok)
{
	struct lf_test_emu_probe p;
	uint8_t par[64], act[64], out[64];
	lf_run *run = NULL;
	lf_desc d;
	lf_status st;

	*ok = 0;
	*step = 1;
	st = lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p);
	if (st != LF_OK) {
		snprintf(scenario_msg, sizeof(scenario_msg), "%s",
			 lf__drv_last_error());
		return st;
	}
	for (int i = 0; i < 64; i++) {
		par[i] = (uint8_t)(3 * i);
		act[i] = (uint8_t)i;
	}
	lf_test_emu_probe_desc(&d, 100, 32, 0, 0, 32);
	if ((*step = 2, st = lf__bo_write(p.desc, &d, sizeof(d), 0)) ||
	    (*step = 3, st = lf__bo_write(p.params, par, 64, 0)) ||
	    (*step = 4, st = lf__bo_write(p.act, act, 64, 0)) ||
	    (*step = 5, st = lf_test_emu_probe_start(&p, 64, 64, &run)))
		goto out;
	*step = 6;
	st = lf__run_wait(run, 50);
	snprintf(scenario_msg, sizeof(scenario_msg), "%s",
		 lf__drv_last_error());
	if (st == LF_ERR_TIMEOUT) {
		/* Collect the hung run; on a lost device abort fails and
		 * the run was ended by the loss. */
		lf_status ab = lf__dev_cu_abort(dev, 0);
		CU_ASSERT(ab == LF_OK || ab == LF_ERR_DEVICE_LOST);
	}
	if (st != LF_OK)
		goto out;
	if ((*step = 7, st = lf__bo_read(p.act, out, 64, 0)) ||
	    (*step = 8, st = lf__bo_read(p.desc, &d, sizeof(d), 0)))
		goto out;
	*ok = d.status == LF_KST_OK;
	for (int i = 0; i < 32; i++)
		if (out[32 + i] != (uint8_t)(i + 3 * i))
			*ok = 0;
out:
	/* The message of the failure, before cleanup calls clear it. */
	if (*step != 6)
		snprintf(scenario_msg, sizeof(scenario_msg), "%s",
			 lf__drv_last_error());
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	lf_test_emu_probe_free(&p);
	return st;
}

/*
 * Arm @kind at each occurrence 1..n+1 in turn on a fresh device; the nth
 * fires at step want[n-1] with status @expect, and one past the last
 * occurrence fires nowhere.
 */
static void sweep(enum lf_fault_kind kind, lf_status expect, const int *want,
		  int n)
{
	for (int nth = 1; nth <= n + 1; nth++) {
		lf_dev *dev = open_probe(1);
		struct lf_dev_counters c;
		int step = 0, ok = 0;
		lf_status st;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
		CU_ASSERT_EQUAL(arm(dev, kind, (uint32_t)nth, -1), LF_OK);
		st = scenario(dev, &step, &ok);
		CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
		if (nth <= n) {
			CU_ASSERT_EQUAL(st, expect);
			CU_ASSERT_EQUAL(step, want[nth - 1]);
			CU_ASSERT_EQUAL(c.faults_fired, 1);
			CU_ASSERT(strlen(scenario_msg) > 0);
			if (st != expect || step != want[nth - 1])
				fprintf(stderr,
					"\nfault %d nth %d: step %d, %s: %s\n",
					(int)kind, nth, step,
					lf__drv_status_name(st), scenario_msg);
		} else {
			CU_ASSERT_EQUAL(st, LF_OK);
			CU_ASSERT(ok);
			CU_ASSERT_EQUAL(c.faults_fired, 0);
		}
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	}
}

static void test_fault_every_step(void)
{
	static const int alloc[] = {1, 1, 1};
	static const int dma[] = {2, 3, 4, 7, 8};
	static const int hang[] = {6};
	/* Device operations: 3 allocations, 3 uploads, the start, 2
	 * downloads (a wait is not an operation). */
	static const int lost[] = {1, 1, 1, 2, 3, 4, 5, 7, 8};

	sweep(LF_FAULT_ALLOC, LF_ERR_NO_DEVICE_MEMORY, alloc, 3);
	sweep(LF_FAULT_DMA_FAIL, LF_ERR_DMA, dma, 5);
	sweep(LF_FAULT_CU_HANG, LF_ERR_TIMEOUT, hang, 1);
	sweep(LF_FAULT_DEVICE_LOST, LF_ERR_DEVICE_LOST, lost, 9);
	/* A corruption is silent: every step succeeds. */
	for (int nth = 1; nth <= 5; nth++) {
		lf_dev *dev = open_probe(1);
		int step = 0, ok = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
		CU_ASSERT_EQUAL(
		    arm(dev, LF_FAULT_DMA_CORRUPT, (uint32_t)nth, -1), LF_OK);
		CU_ASSERT_EQUAL(scenario(dev, &step, &ok), LF_OK);
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	}
}

static void test_fault_dma(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	uint8_t src[4096], got[4096];
	struct lf_dev_counters c;
	lf_bo *bo = NULL;
	int diff = 0, at = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, 0, &bo), LF_OK);
	for (int i = 0; i < 4096; i++)
		src[i] = (uint8_t)(i * 13);
	/* A failed upload moves nothing. */
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DMA_FAIL, 1, -1), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, src, 4096, 0), LF_ERR_DMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "injected"));
	CU_ASSERT_EQUAL(lf__bo_read(bo, got, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(got[1], 0);
	/* The second transfer from now is corrupted: it is the download. */
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DMA_CORRUPT, 2, -1), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, src, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(bo, got, 4096, 0), LF_OK);
	for (int i = 0; i < 4096; i++) {
		if (got[i] != src[i]) {
			diff++;
			at = i;
		}
	}
	CU_ASSERT_EQUAL(diff, 1);
	CU_ASSERT_EQUAL(at, 2048);
	CU_ASSERT_EQUAL(got[2048], (uint8_t)(src[2048] ^ 0xff));
	/* Corrupting a partial upload flips the middle of its range. */
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DMA_CORRUPT, 1, -1), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, src + 1000, 100, 1000), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(bo, got, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(got[1050], (uint8_t)(src[1050] ^ 0xff));
	CU_ASSERT_EQUAL(got[1049], src[1049]);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.dma_errors, 1);
	CU_ASSERT_EQUAL(c.faults_fired, 3);
	/* Disarming: nothing fires any more. */
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DMA_FAIL, 1, -1), LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_NONE, 0, -1), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, src, 4096, 0), LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DMA_FAIL, 0, -1), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(arm(dev, (enum lf_fault_kind)42, 1, -1),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* A hung CU: the wait times out within its timeout, the run stays
 * pending and its buffers busy, and an abort recovers the CU. */
static void test_hang_timeout(void)
{
	lf_dev *dev = open_probe(2);
	struct lf_test_emu_probe p, q;
	lf_run *run = NULL, *other = NULL;
	uint64_t t0, ms;
	lf_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 1, 1, 64, 64, &q),
			      LF_OK);
	lf_test_emu_probe_desc(&d, 10, 8, 0, 0, 8);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(q.desc, &d, sizeof(d), 0), LF_OK);
	/* Only CU 0 hangs. */
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_CU_HANG, 1, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&q, 64, 64, &other),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(other, 5000), LF_OK);

	t0 = ms_now();
	CU_ASSERT_EQUAL(lf__run_wait(run, 100), LF_ERR_TIMEOUT);
	ms = ms_now() - t0;
	CU_ASSERT(ms >= 90 && ms < 3000);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "still pending"));
	CU_ASSERT_EQUAL(lf__run_wait(run, 0), LF_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_free(p.act), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_FROM_DEVICE, 64, 0),
			LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);

	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 0), LF_ERR_DEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "aborted"));
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(other), LF_OK);
	/* The CU works again. */
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 5000), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 9), LF_ERR_INVALID_ARG);
	lf_test_emu_probe_free(&p);
	lf_test_emu_probe_free(&q);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* After a loss every device call fails; releasing still works. */
static void test_device_lost(void)
{
	lf_dev *dev = open_probe(1);
	struct lf_test_emu_probe p;
	lf_run *hung = NULL, *done = NULL, *run = NULL;
	struct lf_dev_counters c;
	lf_bo *bo = NULL;
	uint8_t buf[8];
	void *v = NULL;
	lf_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	lf_test_emu_probe_desc(&d, 10, 8, 0, 0, 8);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &done),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(done, 5000), LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_CU_HANG, 1, -1), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &hung),
			      LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_DEVICE_LOST, 1, -1), LF_OK);

	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &bo), LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "lost"));
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &bo), LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NULL(bo);
	CU_ASSERT_EQUAL(lf__bo_write(p.params, buf, 8, 0), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_read(p.params, buf, 8, 0), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_map(p.params, &v), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf_test_emu_probe_start(&p, 64, 64, &run),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NULL(run);
	/* The hung run ended with the loss; waits report the loss. */
	CU_ASSERT_EQUAL(lf__run_wait(hung, LF_DRV_WAIT_FOREVER),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__run_wait(done, 0), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 0), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__dev_reset(dev), LF_ERR_DEVICE_LOST);
	/* Host-side state is still readable. The hung run's worker notes
	 * its abort on its own thread, possibly after the wait above
	 * returned (a lost device answers waits at once): give it 5 s. */
	for (int i = 0; i < 500; i++) {
		CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
		if (c.runs_aborted >= 1)
			break;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	CU_ASSERT_EQUAL(c.runs_aborted, 1);
	CU_ASSERT_EQUAL(c.faults_fired, 2);
	CU_ASSERT_EQUAL(lf__dev_props(dev)->ncus, 1);
	CU_ASSERT_EQUAL(lf__run_free(hung), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(done), LF_OK);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(
	    lf_test_emu_load_probe(dev, "tiny", "lfk_probe", 1, NULL, NULL, 0),
	    LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Reset aborts runs, disarms faults, clears device memory; buffers and
 * their host views stay. */
static void test_reset(void)
{
	lf_dev *dev = open_probe(1);
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	lf_bo *bo = NULL;
	void *host = NULL;
	uint8_t buf[64];
	lf_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	lf_test_emu_probe_desc(&d, 10, 8, 0, 0, 8);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	memset(buf, 0x5c, sizeof(buf));
	CU_ASSERT_EQUAL(lf__bo_write(p.act, buf, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_CU_HANG, 1, -1), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(arm(dev, LF_FAULT_ALLOC, 1, -1), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_reset(dev), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 1000), LF_ERR_DEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "reset"));
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	/* The armed allocation fault is gone. */
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	/* Device memory was cleared; the host view was not. */
	CU_ASSERT_EQUAL_FATAL(lf__bo_map(p.act, &host), LF_OK);
	CU_ASSERT_EQUAL(((uint8_t *)host)[3], 0x5c);
	CU_ASSERT_EQUAL(lf__bo_read(p.act, buf, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(buf[3], 0);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* The device option fault=KIND:N arms a fault when the device opens, as
 * lf__dev_fault would; malformed values are refused at open. */
static void test_fault_option(void)
{
	static const char *const bad[] = {"emu:tiny,fault=alloc",
					  "emu:tiny,fault=alloc:0",
					  "emu:tiny,fault=alloc:-1",
					  "emu:tiny,fault=alloc:x",
					  "emu:tiny,fault=boom:1",
					  "emu:tiny,fault=alloc:1x",
					  "emu:tiny,fault=alloc:4294967296",
					  "emu:tiny,fault=:1"};
	uint8_t buf[16] = {1, 2, 3}, back[16];
	lf_dev *dev = NULL;
	lf_bo *a = NULL, *b = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(lf__dev_open(bad[i], &dev), LF_ERR_INVALID_ARG);
		CU_ASSERT_PTR_NULL(dev);
		CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "KIND:N"));
	}
	/* The second allocation fails, the others do not. */
	dev = lf_test_emu_open("emu:tiny,fault=alloc:2");
	CU_ASSERT_FATAL(dev != NULL);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &a), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &b), LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &b), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(a), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(b), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	/* The first transfer flips a byte and reports success. */
	dev = lf_test_emu_open("emu:tiny,fault=dma_corrupt:1");
	CU_ASSERT_FATAL(dev != NULL);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 16, 0, &a), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(a, buf, 16, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(a, back, 16, 0), LF_OK);
	CU_ASSERT_EQUAL(back[8], buf[8] ^ 0xff); /* the middle byte */
	CU_ASSERT_EQUAL(memcmp(back, buf, 8), 0);
	CU_ASSERT_EQUAL(lf__bo_free(a), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	/* Device loss at the first operation. */
	dev = lf_test_emu_open("emu:tiny,fault=device_lost:1");
	CU_ASSERT_FATAL(dev != NULL);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &a), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 64, 0, &a), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

const struct lf_test_case lf_test_emu_fault_cases[] = {
    {"fault_option", test_fault_option},
    {"fault_every_step", test_fault_every_step},
    {"fault_dma", test_fault_dma},
    {"hang_timeout", test_hang_timeout},
    {"device_lost", test_device_lost},
    {"reset", test_reset},
    {NULL, NULL},
};
