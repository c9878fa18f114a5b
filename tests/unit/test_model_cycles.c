/*
 * test_model_cycles.c - the "model_cycles" suite: each layer's own modeled
 * time in the run profile (issue 11 item 5), from the cycles the kernels
 * count per descriptor (hls/lf_pipes.h LF_DESC_END -> lfk_desc_cycles ->
 * the emulator's run record -> lf__run_model -> hostlib/model/run.c).
 *
 * The model: x (1x8x10x10 uint8) -> conv_a (3x3, pad 1, 8 -> 16) -> A ->
 * conv_b (1x1, 16 -> 4) -> B, one device segment, one launch of two
 * descriptors on an lfk_engine CU. The expected figures come from other
 * paths than the one under test:
 *   - each descriptor run ALONE through the driver on the same CU, with
 *     the same params and arena sizes: that run's total cycles, as the
 *     timeline records them (lfk_cycles_get, the counter the emulator had
 *     before per-descriptor marks), must equal the layer's device_cycles;
 *   - the model run's one timeline RUN event: its cycles must be the sum
 *     of the layers', and every layer's device_ns is its cycles at the
 *     250 MHz clock (4 ns each: hand arithmetic), plus on the first layer
 *     the 20 us launch (driver/emu/README.md) and the upload's duration,
 *     on the last the download's, as the timeline records them;
 *   - the loops' cycles add up to the run's cycles less the fixed
 *     LF_DESC_CYCLES (72 + LF_LAT_MEM = 136, lf_config.h) each descriptor
 *     costs outside any loop.
 * A device without a cycle model (opencl:0 on PoCL, when present) shows
 * modeled 0, no cycles and no loops, and the CPU shows none either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/model/model_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

/* test_model.c: an emulated aws-f1 xclbin with lfk_engine CUs. */
const char *lftm_engine_xclbin(void);

#define IC 8
#define MC 16
#define OC 4
#define HW 10

static uint8_t *two_conv_model(size_t *len)
{
	int64_t xd[4] = {1, IC, HW, HW}, bd[4] = {1, OC, HW, HW};
	int64_t w1d[4] = {MC, IC, 3, 3}, w2d[4] = {OC, MC, 1, 1};
	static int8_t w1[MC * IC * 9], w2[OC * MC];
	for (int i = 0; i < MC * IC * 9; i++)
		w1[i] = (int8_t)((i * 37 + 5) % 51 - 25);
	for (int i = 0; i < OC * MC; i++)
		w2[i] = (int8_t)((i * 23 + 3) % 41 - 20);
	float xs = 0.02f, ws = 0.01f, as = 0.05f, bs = 0.04f;
	uint8_t xz = 10, az = 128, bz = 100;
	int8_t wz = 0;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 4, xd);
	lft_onnx_output(b, "B", 2, 4, bd);
	lft_onnx_init(b, "w1", 3, 4, w1d, w1, sizeof(w1));
	lft_onnx_init(b, "w2", 3, 4, w2d, w2, sizeof(w2));
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "as", 1, 0, NULL, &as, 4);
	lft_onnx_init(b, "bs", 1, 0, NULL, &bs, 4);
	lft_onnx_init(b, "xz", 2, 0, NULL, &xz, 1);
	lft_onnx_init(b, "az", 2, 0, NULL, &az, 1);
	lft_onnx_init(b, "bz", 2, 0, NULL, &bz, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_node(b, "QLinearConv", "", "conv_a", "x,xs,xz,w1,ws,wz,as,az",
		      "A");
	int64_t pads[4] = {1, 1, 1, 1};
	lft_onnx_attr_ints(b, "pads", 4, pads);
	lft_onnx_node(b, "QLinearConv", "", "conv_b", "A,as,az,w2,ws,wz,bs,bz",
		      "B");
	return lft_onnx_finish(b, len);
}

static lf_tensor *input(lf_context *ctx)
{
	int64_t xd[4] = {1, IC, HW, HW};
	lf_tensor *x = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, NULL, &x), LF_OK);
	uint8_t *d = lf_tensor_data(x);
	for (size_t i = 0; i < lf_tensor_bytes(x); i++)
		d[i] = (uint8_t)(i * 7 + 1);
	return x;
}

static lf_model *load(lf_context *ctx, const uint8_t *buf, size_t len)
{
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			      LF_OK);
	return m;
}

/* Run @m once into @prof. */
static void run(lf_context *ctx, lf_model *m, lf_run_profile *prof)
{
	lf_tensor *x = input(ctx), *y[1] = {NULL};
	lf_status st = lf_model_run(m, &x, 1, y, 1, prof);
	if (st != LF_OK)
		fprintf(stderr, "run: %s: %s\n", lf_status_name(st),
			lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(st, LF_OK);
	lf_tensor_destroy(x);
	lf_tensor_destroy(y[0]);
}

/* The timeline events from @from on: runs' cycles and all durations. */
struct tl_sum {
	unsigned runs;
	uint64_t run_cycles, run_cu, run_ns, h2d_ns, d2h_ns;
};

static struct tl_sum timeline_from(lf_dev *dev, uint64_t from)
{
	struct tl_sum s;
	struct lf_tl_event ev[64];
	uint32_t n = 0;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, from, ev, 64, &n), LF_OK);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = ev[i].end_ns - ev[i].start_ns;
		if (ev[i].kind == LF_TL_RUN) {
			s.runs++;
			s.run_cycles += ev[i].cycles;
			s.run_cu = ev[i].cu;
			s.run_ns += d;
		} else if (ev[i].kind == LF_TL_H2D) {
			s.h2d_ns += d;
		} else {
			s.d2h_ns += d;
		}
	}
	return s;
}

static uint64_t timeline_end(lf_dev *dev)
{
	struct lf_tl_event ev[64];
	uint64_t from = 0;
	uint32_t n;
	do {
		CU_ASSERT_EQUAL_FATAL(lf__dev_timeline(dev, from, ev, 64, &n),
				      LF_OK);
		if (n)
			from = ev[n - 1].seq + 1;
	} while (n == 64);
	return from;
}

static lf_bo *bo_in(lf_dev *dev, uint32_t cu, uint32_t arg, uint64_t size)
{
	uint32_t bank;
	lf_bo *bo = NULL;
	CU_ASSERT_EQUAL_FATAL(lf__dev_arg_bank(dev, cu, arg, &bank), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, size, bank, &bo), LF_OK);
	return bo;
}

/*
 * The @n descriptors @list alone on CU @cu, with @m's params and an arena
 * of its plan's size: the cycles the emulator records for that run (its
 * timeline event); every descriptor must end OK.
 */
static uint64_t list_cycles(lf_context *ctx, lf_model *m, lf_desc *list,
			    uint32_t n, uint32_t cu)
{
	lf_dev *dev = ctx->dev->dev;
	const struct lf__mplan *p = m->plans->p;
	lf_bo *d = bo_in(dev, cu, LF_KARG_DESC, n * LF_DESC_BYTES);
	lf_bo *pr = bo_in(dev, cu, LF_KARG_PARAMS, m->params.bytes);
	lf_bo *a = bo_in(dev, cu, LF_KARG_ACT, p->arena_bytes);
	CU_ASSERT_EQUAL(lf__bo_write(d, list, n * LF_DESC_BYTES, 0), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(pr, m->params.blob, m->params.bytes, 0),
			LF_OK);
	uint64_t from = timeline_end(dev);
	struct lf_run_arg args[LF_KARG_COUNT] = {
	    lf__arg_bo(LF_KARG_DESC, d, 0),
	    lf__arg_u32(LF_KARG_NDESC, n),
	    lf__arg_bo(LF_KARG_PARAMS, pr, 0),
	    lf__arg_u32(LF_KARG_PARAMS_BYTES, (uint32_t)m->params.bytes),
	    lf__arg_bo(LF_KARG_ACT, a, 0),
	    lf__arg_u32(LF_KARG_ACT_BYTES, (uint32_t)p->arena_bytes),
	};
	lf_run *r = NULL;
	CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, cu, args, LF_KARG_COUNT, &r),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(r, LF_DRV_WAIT_FOREVER), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(r), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_read(d, list, n * LF_DESC_BYTES, 0), LF_OK);
	for (uint32_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(list[i].status, LF_KST_OK);
	struct tl_sum s = timeline_from(dev, from);
	CU_ASSERT_EQUAL(s.runs, 1);
	lf__bo_free(d);
	lf__bo_free(pr);
	lf__bo_free(a);
	return s.run_cycles;
}

/*
 * Descriptors @k .. @k + @n - 1 (n <= 2) of @m's plan alone on CU @cu
 * (list_cycles), LF_DF_WPRE cleared with @plain.
 */
static uint64_t solo_cycles(lf_context *ctx, lf_model *m, uint32_t k,
			    uint32_t n, int plain, uint32_t cu)
{
	lf_desc two[2];
	for (uint32_t i = 0; i < n; i++) {
		two[i] = m->plans->p->desc[k + i];
		two[i].status = LF_KST_PENDING;
		if (plain)
			two[i].flags &= ~LF_DF_WPRE;
	}
	return list_cycles(ctx, m, two, n, cu);
}

/*
 * The transfer checksum's two descriptors of @m's one segment
 * (LF_KOP_CSUM over its upload and its download, hostlib/exec/README.md)
 * alone on CU @cu (list_cycles).
 */
static uint64_t csum_cycles(lf_context *ctx, lf_model *m, uint32_t cu)
{
	const struct lf__mseg *sg = &m->plans->p->seg[0];
	lf_desc two[2];
	memset(two, 0, sizeof(two));
	for (int j = 0; j < 2; j++) {
		two[j].magic = LF_DESC_MAGIC;
		two[j].op = LF_KOP_CSUM;
		two[j].x_off = (uint32_t)(j ? sg->down_off : sg->up_off);
		two[j].csum_len = (uint32_t)(j ? sg->down_bytes : sg->up_bytes);
		two[j].y_off = LF_DESC_WORDS + 4 + 4 * (uint32_t)j;
	}
	return list_cycles(ctx, m, two, 2, cu);
}

static void test_layer_cycles(void)
{
	size_t len;
	uint8_t *buf = two_conv_model(&len);
	const char *x = lftm_engine_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	lf_dev *dev = ctx->dev->dev;
	lf_run_profile *p;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
	lf_model *m = load(ctx, buf, len);
	uint64_t from = timeline_end(dev);
	run(ctx, m, p);
	struct tl_sum tl = timeline_from(dev, from);

	CU_ASSERT_EQUAL_FATAL(lf_run_profile_count(p), 2);
	CU_ASSERT_EQUAL_FATAL(m->plans->p->ndesc, 2);
	CU_ASSERT_EQUAL(tl.runs, 1);
	struct lf_layer_profile r[2];
	for (int i = 0; i < 2; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].struct_size = sizeof(r[i]);
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_get(p, (size_t)i, &r[i]),
				      LF_OK);
		CU_ASSERT_STRING_EQUAL(r[i].where, "device");
		CU_ASSERT_EQUAL(r[i].modeled, 1);
		CU_ASSERT_EQUAL(r[i].cu, tl.run_cu);
		CU_ASSERT(r[i].device_cycles > 0);
	}
	CU_ASSERT_STRING_EQUAL(r[0].name, "conv_a");
	CU_ASSERT_EQUAL(m->plans->p->desc_node[0] == m->plans->p->desc_node[1],
			0);
	/* The two layers differ, and each is what its descriptor alone
	 * counts on the same CU; but where the first loads the second's
	 * first weight block ahead (LF_DF_WPRE, hls/lf_desc.h "Next block
	 * ahead"), the first counts the look ahead and the second the load
	 * it was spared: the two as they run (the pair alone again) count
	 * the same, and without the flag what each alone does. */
	uint32_t cu = (uint32_t)tl.run_cu;
	CU_ASSERT_NOT_EQUAL(r[0].device_cycles, r[1].device_cycles);
	uint64_t s0 = solo_cycles(ctx, m, 0, 1, 1, cu);
	uint64_t s1 = solo_cycles(ctx, m, 1, 1, 1, cu);
	int ahead = (m->plans->p->desc[0].flags & LF_DF_WPRE) != 0;
	CU_ASSERT_EQUAL(r[0].device_cycles + r[1].device_cycles,
			solo_cycles(ctx, m, 0, 2, 0, cu));
	CU_ASSERT_EQUAL(solo_cycles(ctx, m, 0, 2, 1, cu), s0 + s1);
	if (ahead) {
		CU_ASSERT(r[0].device_cycles > s0);
		CU_ASSERT(r[1].device_cycles < s1);
	} else {
		CU_ASSERT_EQUAL(r[0].device_cycles, s0);
		CU_ASSERT_EQUAL(r[1].device_cycles, s1);
	}
	/* The transfer checksum's two descriptors (the engine has the op:
	 * hostlib/exec/README.md) run before and after the plan's: their
	 * cycles (what the two alone count on the same CU) are the run's
	 * and no layer's. */
	CU_ASSERT_EQUAL(ctx->dev->csum, 1);
	uint64_t cs = csum_cycles(ctx, m, (uint32_t)tl.run_cu);
	CU_ASSERT(cs > 0);
	CU_ASSERT_EQUAL(r[0].device_cycles + r[1].device_cycles + cs,
			tl.run_cycles);
	/* 250 MHz: 4 ns a cycle; the 20 us launch, the checksum's cycles
	 * and the upload on the first layer, the download on the last. */
	CU_ASSERT_EQUAL(r[0].device_ns,
			4 * r[0].device_cycles + 20000 + 4 * cs + tl.h2d_ns);
	CU_ASSERT_EQUAL(r[1].device_ns, 4 * r[1].device_cycles + tl.d2h_ns);
	CU_ASSERT_EQUAL(r[0].device_ns + r[1].device_ns,
			tl.run_ns + tl.h2d_ns + tl.d2h_ns);
	/* The trace's per-layer view: one slice per layer on the run's CU
	 * track, its own cycles at 4 ns, in order inside the run after the
	 * launch's 20 us and the checksum's cycles, apart from the run event
	 * itself. */
	int nslice = 0;
	uint64_t run_start = 0;
	for (size_t k = 0; k < p->nev; k++)
		if (p->ev[k].track == 10 + (int)tl.run_cu && !p->ev[k].layer)
			run_start = p->ev[k].start_ns;
	for (size_t k = 0; k < p->nev; k++) {
		const struct lf__pevent *e = &p->ev[k];
		if (!e->layer)
			continue;
		CU_ASSERT_FATAL(nslice < 2);
		CU_ASSERT_EQUAL(e->track, 10 + (int)tl.run_cu);
		CU_ASSERT_STRING_EQUAL(e->name, r[nslice].name);
		CU_ASSERT_EQUAL(e->dur_ns, 4 * r[nslice].device_cycles);
		CU_ASSERT_EQUAL(e->start_ns,
				run_start + 20000 + 4 * cs +
				    (nslice ? 4 * r[0].device_cycles : 0));
		nslice++;
	}
	CU_ASSERT_EQUAL(nslice, 2);
	/* The loops hold everything but the per-descriptor fixed cost: a
	 * check per descriptor fetched (desc_fetch's calls: the look ahead's
	 * too). */
	uint64_t loops = 0, fetches = 0;
	size_t nl = lf_run_profile_loop_count(p);
	CU_ASSERT(nl >= 4);
	for (size_t i = 0; i < nl; i++) {
		struct lf_loop_profile l =
		    LF_STRUCT_INIT(struct lf_loop_profile);
		CU_ASSERT_EQUAL(lf_run_profile_loop_get(p, i, &l), LF_OK);
		CU_ASSERT(l.calls > 0 && l.iters >= l.calls);
		CU_ASSERT(l.mem_stall <= l.cycles);
		/* conv loops only, NCHW or blocked (the planner may run
		 * this segment blocked, conv_a folded: model_plan.c), and
		 * the checksum's */
		CU_ASSERT(strncmp(l.name, "conv_", 5) == 0 ||
			  strncmp(l.name, "blk_", 4) == 0 ||
			  strncmp(l.name, "csum_", 5) == 0 ||
			  strcmp(l.name, "desc_fetch") == 0);
		loops += l.cycles;
		if (strcmp(l.name, "desc_fetch") == 0)
			fetches = l.calls;
	}
	/* four descriptors with the checksum's, and the look ahead's */
	CU_ASSERT_EQUAL(fetches, 4 + (uint64_t)ahead);
	/* LF_DESC_CYCLES = 72 + LF_LAT_MEM (64), lf_config.h, a check per
	 * fetch; the checksum's digest writes are no loop */
	CU_ASSERT_EQUAL(loops + fetches * (72 + 64) + 2 * 4, tl.run_cycles);
	struct lf_loop_profile l = LF_STRUCT_INIT(struct lf_loop_profile);
	CU_ASSERT_EQUAL(lf_run_profile_loop_get(p, nl, &l), LF_ERR_RANGE);
	l.struct_size = 0;
	CU_ASSERT_EQUAL(lf_run_profile_loop_get(p, 0, &l), LF_ERR_INVALID_ARG);

	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	lf_run_profile_destroy(p);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	free(buf);
}

/* Devices that count no cycles: no per-layer figures, no loops. */
static void test_no_model(void)
{
	size_t len;
	uint8_t *buf = two_conv_model(&len);
	uint32_t n = 0;
	int ocl = !lf_test_under_valgrind() &&
		  lf__drv_enumerate("opencl", NULL, 0, &n) == LF_OK && n > 0;
	for (int k = 0; k < 1 + ocl; k++) {
		lf_context *ctx = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_context_create(k ? "opencl:0" : "cpu",
				      k ? lftm_engine_xclbin() : NULL, &ctx),
		    LF_OK);
		ctx->fallback = 0;
		lf_run_profile *p;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&p), LF_OK);
		lf_model *m = load(ctx, buf, len);
		run(ctx, m, p);
		CU_ASSERT_EQUAL(lf_run_profile_count(p), 2);
		for (size_t i = 0; i < lf_run_profile_count(p); i++) {
			struct lf_layer_profile r =
			    LF_STRUCT_INIT(struct lf_layer_profile);
			CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
			CU_ASSERT_EQUAL(r.modeled, 0);
			CU_ASSERT_EQUAL(r.device_cycles, 0);
			CU_ASSERT_STRING_EQUAL(r.where, k ? "device" : "cpu");
			if (!k)
				CU_ASSERT_EQUAL(r.cu, ~0u);
		}
		CU_ASSERT_EQUAL(lf_run_profile_loop_count(p), 0);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		lf_run_profile_destroy(p);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	free(buf);
}

void lf_test_suite_model_cycles(void)
{
	static const struct lf_test_case cases[] = {
	    {"layer_cycles", test_layer_cycles},
	    {"no_model", test_no_model},
	    {NULL, NULL}};
	lf_test_add_suite("model_cycles", NULL, NULL, cases);
}
