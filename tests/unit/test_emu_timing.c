/*
 * test_emu_timing.c - the timing model against hand computation.
 *
 * Constants (driver/emu/emu_profile.c): DMA setup 13765 ns per transfer;
 * aws-f1 PCIe 11.4e9 B/s host->card, 12.8e9 B/s card->host; launch 20 us;
 * kernel clock 250 MHz unless the xclbin's limits say otherwise. The tiny
 * profile uses the F1 PCIe figures.
 */
#include <string.h>

#include "test_emu.h"

#define MiB (1024ull * 1024ull)

/* The most recent event of @kind (events are kept in the order they
 * were recorded, which need not be their modeled order). */
static struct lf_tl_event last_of(lf_dev *dev, enum lf_tl_kind kind)
{
	struct lf_tl_event ev[64], found;
	uint32_t n = 0;

	memset(&found, 0, sizeof(found));
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 0, ev, 64, &n), LF_OK);
	for (uint32_t i = 0; i < n; i++)
		if (ev[i].kind == kind)
			found = ev[i];
	CU_ASSERT_EQUAL(found.kind, kind);
	return found;
}

static void test_dma_4k(void)
{
	lf_dev *dev = lf_test_emu_open("emu:aws-f1");
	struct lf_tl_event ev;
	lf_bo *bo = NULL;
	double gbps;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 4096, 0), LF_OK);
	ev = lf_test_emu_last_event(dev);
	/* 4096 B / 11.4e9 B/s = 359.30 ns -> 359; + 13765 = 14124 ns,
	 * i.e. 4096 / 14124e-9 = 0.290 GB/s, the U200 small-transfer figure
	 * the setup cost was chosen for. */
	CU_ASSERT_EQUAL(ev.kind, LF_TL_H2D);
	CU_ASSERT_EQUAL(ev.bytes, 4096);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 14124);
	gbps = 4096.0 / (double)lf_test_emu_dur(&ev);
	CU_ASSERT(gbps > 0.289 && gbps < 0.291);
	/* The first event of a fresh device starts at time 0. */
	CU_ASSERT_EQUAL(ev.start_ns, 0);

	/* Back: 4096 / 12.8e9 = 320 ns; + 13765 = 14085 ns, starting when
	 * the host got control back (the H2D's end). */
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 4096, 0), LF_OK);
	ev = lf_test_emu_last_event(dev);
	CU_ASSERT_EQUAL(ev.kind, LF_TL_D2H);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 14085);
	CU_ASSERT_EQUAL(ev.start_ns, 14124);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

static void test_dma_64m(void)
{
	lf_dev *dev = lf_test_emu_open("emu:aws-f1");
	struct lf_tl_event ev;
	struct lf_dev_counters c;
	lf_bo *bo = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 64 * MiB, 3, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, 64 * MiB, 0),
			LF_OK);
	ev = lf_test_emu_last_event(dev);
	/* 67108864 B / 12.8e9 B/s = 5242880 ns exactly; + 13765 setup =
	 * 5256645 ns (12.77 GB/s effective). */
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 5256645);
	/* The same the other way: 67108864 / 11.4e9 = 5886742.46 ns ->
	 * 5886742; + 13765 = 5900507 ns. */
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 64 * MiB, 0), LF_OK);
	ev = lf_test_emu_last_event(dev);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 5900507);
	CU_ASSERT_EQUAL(ev.start_ns, 5256645);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.d2h_transfers, 1);
	CU_ASSERT_EQUAL(c.h2d_transfers, 1);
	CU_ASSERT_EQUAL(c.d2h_bytes, 64 * MiB);
	CU_ASSERT_EQUAL(c.device_ns, 5256645 + 5900507);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Run a probe launch whose descriptors add up to @cycles; the run event. */
static struct lf_tl_event probe_run(const char *spec, const char *limits,
				    uint32_t ndesc, uint32_t cycles_each)
{
	lf_dev *dev = lf_test_emu_open(spec);
	struct lf_test_emu_probe p;
	struct lf_tl_event ev;
	struct lf_dev_counters c;
	lf_desc d[4];
	lf_run *run = NULL;

	memset(&ev, 0, sizeof(ev));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_probe(dev, "tiny", "lfk_probe",
						     1, limits, NULL, 0),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_test_emu_probe_alloc(dev, 0, ndesc, 64, 64, &p), LF_OK);
	for (uint32_t i = 0; i < ndesc; i++)
		lf_test_emu_probe_desc(&d[i], cycles_each, 4, 0, 0, 32);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, d, ndesc * sizeof(d[0]), 0),
			LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, LF_DRV_WAIT_FOREVER), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	ev = lf_test_emu_last_event(dev);
	CU_ASSERT_EQUAL(ev.kind, LF_TL_RUN);
	CU_ASSERT_EQUAL(ev.cycles, (uint64_t)ndesc * cycles_each);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_OK);
	CU_ASSERT_EQUAL(c.launches, 1);
	CU_ASSERT_EQUAL(c.cu[0].runs, 1);
	CU_ASSERT_EQUAL(c.cu[0].busy_model_ns, lf_test_emu_dur(&ev));
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	return ev;
}

static void test_run_cycles(void)
{
	struct lf_tl_event ev;

	/* 1000 cycles at the kernel's own 200 MHz = 5000 ns; + 20000 ns
	 * launch = 25000 ns. */
	ev = probe_run("emu:tiny", "lfk_probe.clock_mhz=200\n", 1, 1000);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 25000);
	/* The xclbin-wide clock_mhz=100: 3 x 1000 cycles = 30000 ns, +
	 * 20000 = 50000 ns. */
	ev = probe_run("emu:tiny", "clock_mhz=100\n", 3, 1000);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 50000);
	/* No clock given: 250 MHz; launch cost set to 0 by option:
	 * 2500 cycles x 4 ns = 10000 ns. */
	ev = probe_run("emu:tiny,launch_ns=0", NULL, 1, 2500);
	CU_ASSERT_EQUAL(lf_test_emu_dur(&ev), 10000);
}

/*
 * A transfer overlaps a run: the host starts a run (asynchronous), then
 * uploads the next input while it computes.
 *   uploads desc 256 B, params 64 B, act 64 B, one after the other:
 *     13765 + round(256/11.4) = 13765 + 22 = 13787 ns -> ends 13787
 *     13765 + round(64/11.4)  = 13765 + 6  = 13771 ns -> ends 27558
 *     13771 ns more                                  -> ends 41329 = T0
 *   run: starts T0, 20000 + 1e6 cycles x 4 ns = 4020000 ns -> 4061329
 *   upload of 4 KiB into another buffer: starts T0 (engine free, host at
 *     T0), 14124 ns -> ends 55453, inside the run
 *   wait, then download act: starts at the run's end, 4061329.
 */
static void test_overlap(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	struct lf_test_emu_probe p;
	struct lf_tl_event run_ev, up, down;
	lf_bo *next = NULL;
	lf_run *run = NULL;
	lf_desc d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(
	    lf_test_emu_load_probe(dev, "tiny", "lfk_probe", 1, NULL, NULL, 0),
	    LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_alloc(dev, 0, 1, 64, 64, &p),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, 0, &next), LF_OK);
	lf_test_emu_probe_desc(&d, 1000000, 4, 0, 0, 32);
	CU_ASSERT_EQUAL(lf__bo_write(p.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(p.params, LF_SYNC_TO_DEVICE, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_TO_DEVICE, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(lf_test_emu_last_event(dev).end_ns, 41329);

	CU_ASSERT_EQUAL_FATAL(lf_test_emu_probe_start(&p, 64, 64, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_sync(next, LF_SYNC_TO_DEVICE, 4096, 0), LF_OK);
	up = last_of(dev, LF_TL_H2D);
	CU_ASSERT_EQUAL(lf__run_wait(run, LF_DRV_WAIT_FOREVER), LF_OK);
	run_ev = last_of(dev, LF_TL_RUN);
	CU_ASSERT_EQUAL(lf__bo_sync(p.act, LF_SYNC_FROM_DEVICE, 64, 0), LF_OK);
	down = last_of(dev, LF_TL_D2H);

	CU_ASSERT_EQUAL(run_ev.kind, LF_TL_RUN);
	CU_ASSERT_EQUAL(run_ev.start_ns, 41329);
	CU_ASSERT_EQUAL(run_ev.end_ns, 4061329);
	CU_ASSERT_EQUAL(up.kind, LF_TL_H2D);
	CU_ASSERT_EQUAL(up.start_ns, 41329);
	CU_ASSERT_EQUAL(up.end_ns, 55453);
	CU_ASSERT(up.start_ns < run_ev.end_ns && up.end_ns > run_ev.start_ns);
	CU_ASSERT_EQUAL(down.kind, LF_TL_D2H);
	CU_ASSERT_EQUAL(down.start_ns, 4061329);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(next), LF_OK);
	lf_test_emu_probe_free(&p);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* The history is bounded; readers page through it by sequence number. */
static void test_timeline_ring(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny,timeline=8");
	struct lf_tl_event ev[32];
	lf_bo *bo = NULL;
	uint32_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 100, 0, &bo), LF_OK);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 100, 0),
				LF_OK);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 0, ev, 32, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(ev[0].seq, 12);
	CU_ASSERT_EQUAL(ev[7].seq, 19);
	/* H2D transfers serialize on their engine. */
	CU_ASSERT_EQUAL(ev[1].start_ns, ev[0].end_ns);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 15, ev, 32, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(ev[0].seq, 15);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 15, ev, 2, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 100, ev, 32, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

const struct lf_test_case lf_test_emu_timing_cases[] = {
    {"dma_4k", test_dma_4k},
    {"dma_64m", test_dma_64m},
    {"run_cycles", test_run_cycles},
    {"overlap", test_overlap},
    {"timeline_ring", test_timeline_ring},
    {NULL, NULL},
};
