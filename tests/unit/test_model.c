/*
 * test_model.c - the "model" suite: whole models through lf_model_load()
 * and lf_model_run() (hostlib/model, hostlib/plan/model_plan.c,
 * hostlib/exec/model_exec.c).
 *
 * - ORT's vectors for the Fashion-MNIST QOperator and QDQ models (every
 *   data set) byte-exact on "cpu", on "emu" and on the "small" emulated
 *   xclbin whose limits force tiling and host-assisted layers; all of them
 *   identical.
 * - Launches per inference == device segments, derived by hand below,
 *   with the per-kernel xclbin (4) and with lfk_engine CUs (1: pooling
 *   and add on the card too, byte-exact with cpu and ORT).
 * - DMA bytes per steady-state inference exactly as stated at
 *   test_dma_bytes / test_engine_dma_bytes; weights uploaded once (second
 *   run's uploads exclude them).
 * - Every launch's pointer arguments at offset 0 of their buffers.
 * - Four threads running one model at once, identical outputs.
 * - The run profile and its Chrome trace.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/model/model_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

static lf_context *cpu_ctx, *emu_ctx, *small_ctx, *eng_ctx;

/*
 * An aws-f1 xclbin with the CUs of build/bitstreams/emu-aws-f1.xclbin
 * (lfk_conv2d x2, lfk_matmul x1, lfk_pool x2, lfk_add x2, lfk_engine x2)
 * and the default limits, built once per process (the shared fixture's
 * xclbins have conv and matmul CUs only: the per-kernel path). Also used
 * by the graph suite.
 */
const char *lftm_engine_xclbin(void);
lf_context *lftm_engine_ctx(int opencl);
const char *lftm_engine_nchw_xclbin(void);
lf_context *lftm_engine_nchw_ctx(int opencl);
const char *lftm_engine_nocsum_xclbin(void);

/* One emulation xclbin built by the test: its own temp dir and limits. */
struct test_xclbin {
	char dir[64], xclbin[128], limits[128];
	int built;
};
static struct test_xclbin eng_x, eng_only_x, eng_nchw_x, blk_x, blk_narrow_x,
    blk_nopool_x, blk_lbuf_x, eng_nocsum_x;

static void xclbin_cleanup(void)
{
	struct test_xclbin *t[8] = {&eng_x,	 &eng_only_x,	&eng_nchw_x,
				    &blk_x,	 &blk_narrow_x, &blk_nopool_x,
				    &blk_lbuf_x, &eng_nocsum_x};
	for (int i = 0; i < 8; i++) {
		if (!t[i]->dir[0])
			continue;
		unlink(t[i]->xclbin);
		unlink(t[i]->limits);
		rmdir(t[i]->dir);
	}
}

/* Build once, with lf-xclbin, an aws-f1 xclbin with the CUs @kernels from
 * the kernels shared object @so (under the build directory), its limits
 * text edited by the shell command @edit (its two %s: the limits file)
 * when not NULL. */
static const char *test_xclbin_from(struct test_xclbin *t, const char *so,
				    const char *edit, const char *kernels)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static int registered;
	pthread_mutex_lock(&mu);
	if (!t->dir[0]) {
		snprintf(t->dir, sizeof(t->dir), "/tmp/lf_engine_XXXXXX");
		if (mkdtemp(t->dir)) {
			if (!registered++)
				atexit(xclbin_cleanup);
			snprintf(t->xclbin, sizeof(t->xclbin),
				 "%s/emu-aws-f1.xclbin", t->dir);
			snprintf(t->limits, sizeof(t->limits), "%s/limits.txt",
				 t->dir);
			const char *b = lf_test_build_dir();
			char cmd[2048], ed[1024] = "true";
			if (edit)
				snprintf(ed, sizeof(ed), edit, t->limits,
					 t->limits);
			snprintf(cmd, sizeof(cmd),
				 "%s/bin/lf-limits-dump > %s && %s && "
				 "%s/bin/lf-xclbin --out %s --platform aws-f1 "
				 "--kernels-so %s/%s --limits %s "
				 "%s > /dev/null",
				 b, t->limits, ed, b, t->xclbin, b, so,
				 t->limits, kernels);
			t->built = system(cmd) == 0;
		} else {
			t->dir[0] = '\0';
		}
	}
	pthread_mutex_unlock(&mu);
	return t->built ? t->xclbin : NULL;
}

static const char *test_xclbin(struct test_xclbin *t, const char *kernels)
{
	return test_xclbin_from(t, "hls/lfkernels.so", NULL, kernels);
}

const char *lftm_engine_xclbin(void)
{
	return test_xclbin(&eng_x,
			   "--kernel lfk_conv2d:2 --kernel lfk_matmul:1 "
			   "--kernel lfk_pool:2 --kernel lfk_add:2 "
			   "--kernel lfk_engine:2");
}

/* A context on lftm_engine_xclbin() (@x: or another engine xclbin): emu
 * (@opencl 0), or opencl:0 when there is one and not under Valgrind (else
 * NULL); the fallback off, so a segment that fails on the device fails the
 * run. */
static lf_context *engine_ctx_on(const char *x, int opencl)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	if (opencl) {
		uint32_t n = 0;
		if (lf_test_under_valgrind() ||
		    lf__drv_enumerate("opencl", NULL, 0, &n) != LF_OK || n == 0)
			return NULL;
	}
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create(opencl ? "opencl:0" : "emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	return ctx;
}

lf_context *lftm_engine_ctx(int opencl)
{
	return engine_ctx_on(lftm_engine_xclbin(), opencl);
}

/* As lftm_engine_ctx(), on lftm_engine_nchw_xclbin(). */
lf_context *lftm_engine_nchw_ctx(int opencl)
{
	return engine_ctx_on(lftm_engine_nchw_xclbin(), opencl);
}

/* Only lfk_engine CUs, as the real-card builds in bitstreams/ link. */
static const char *engine_only_xclbin(void)
{
	return test_xclbin(&eng_only_x, "--kernel lfk_engine:2");
}

/* lfk_engine CUs without blocked datapaths (lfk_engine.blk_ops=0 in its
 * limits): every segment runs in the NCHW layout. */
const char *lftm_engine_nchw_xclbin(void)
{
	return test_xclbin_from(&eng_nchw_x, "hls/lfkernels.so",
				"sed -i 's/^lfk_engine.blk_ops=.*/"
				"lfk_engine.blk_ops=0/' %s",
				"--kernel lfk_engine:2");
}

/* lftm_engine_xclbin()'s kernels without the checksum op's limits key
 * (lfk_engine.csum): an engine built before the op, whose runs keep the
 * read-backs (hostlib/exec/README.md). */
const char *lftm_engine_nocsum_xclbin(void)
{
	return test_xclbin_from(&eng_nocsum_x, "hls/lfkernels.so",
				"sed -i '/^lfk_engine.csum=/d' %s",
				"--kernel lfk_conv2d:2 --kernel lfk_matmul:1 "
				"--kernel lfk_pool:2 --kernel lfk_add:2 "
				"--kernel lfk_engine:2");
}

static int suite_init(void)
{
	if (lf_context_create("cpu", NULL, &cpu_ctx) != LF_OK)
		return 1;
	return 0;
}

static int suite_clean(void)
{
	lf_context_destroy(cpu_ctx);
	lf_context_destroy(emu_ctx);
	lf_context_destroy(small_ctx);
	lf_context_destroy(eng_ctx);
	cpu_ctx = emu_ctx = small_ctx = eng_ctx = NULL;
	return 0;
}

/* Emulator contexts with the CPU fallback off: a device failure is a
 * test failure, not a silent CPU run. */
static lf_context *emu(void)
{
	if (!emu_ctx) {
		emu_ctx = lft_emu("default");
		emu_ctx->fallback = 0;
	}
	return emu_ctx;
}

static lf_context *small(void)
{
	if (!small_ctx) {
		small_ctx = lft_emu("small");
		small_ctx->fallback = 0;
	}
	return small_ctx;
}

/* The emulator with lfk_engine CUs: whole segments in one launch. */
static lf_context *eng(void)
{
	if (!eng_ctx) {
		const char *x = lftm_engine_xclbin();
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &eng_ctx),
				      LF_OK);
		eng_ctx->fallback = 0;
	}
	return eng_ctx;
}

static struct lf_dev_counters counters(lf_context *ctx)
{
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &c), LF_OK);
	return c;
}

/* What a run profile says about where the layers ran. */
struct prof_tally {
	unsigned launches; /* summed over the layers */
	unsigned dev;	   /* layers that ran on the device */
	unsigned maxseg;   /* device segments seen (highest index + 1) */
	unsigned dev_macs; /* device layers with MACs */
};

/*
 * Tally @prof. Device time is shared among a launch's layers by MACs, so
 * every device layer with MACs must show modeled device time.
 */
static struct prof_tally tally(const lf_run_profile *prof)
{
	struct prof_tally t = {0, 0, 0, 0};
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		t.launches += r.launches;
		if (strcmp(r.where, "device") != 0)
			continue;
		t.dev++;
		if (r.segment + 1 > t.maxseg)
			t.maxseg = r.segment + 1;
		if (r.macs > 0) {
			t.dev_macs++;
			CU_ASSERT(r.device_ns > 0);
		}
	}
	return t;
}

static lf_tensor *run_once(lf_model *m, lf_tensor *in, lf_status want,
			   lf_run_profile *prof);

static void destroy_outs(lf_tensor *o[8][4])
{
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			lf_tensor_destroy(o[k][j]);
}

/* Every data set of @name byte-exact on cpu, emu and the small xclbin, and
 * the three runs identical. */
static void fmnist_case(const char *name)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%s", lft_ort_dir(), name);
	lf_tensor *oc[8][4] = {{NULL}}, *oe[8][4] = {{NULL}},
		  *os[8][4] = {{NULL}}, *og[8][4] = {{NULL}};
	int nc = lft_run_case(cpu_ctx, dir, 1, oc);
	int ne = lft_run_case(emu(), dir, 1, oe);
	int ns = lft_run_case(small(), dir, 1, os);
	int ng = lft_run_case(eng(), dir, 1, og);
	CU_ASSERT_EQUAL(nc, 3);
	CU_ASSERT_EQUAL(ne, 3);
	CU_ASSERT_EQUAL(ns, 3);
	CU_ASSERT_EQUAL(ng, 3);
	for (int k = 0; k < 3 && nc == 3 && ne == 3 && ns == 3 && ng == 3;
	     k++) {
		CU_ASSERT(lft_same(oe[k][0], oc[k][0], 1, "emu vs cpu"));
		CU_ASSERT(lft_same(os[k][0], oc[k][0], 1, "small vs cpu"));
		CU_ASSERT(lft_same(og[k][0], oc[k][0], 1, "engine vs cpu"));
	}
	destroy_outs(oc);
	destroy_outs(oe);
	destroy_outs(os);
	destroy_outs(og);
}

static void test_fmnist_qop(void)
{
	fmnist_case("fmnist_qop");
}

static void test_fmnist_qdq(void)
{
	fmnist_case("fmnist_qdq");
}

/* The QOperator and QDQ forms give the same bytes (ORT at 'all' does). */
static void test_fmnist_forms_agree(void)
{
	char a[256], b[256];
	lf_tensor *oq[8][4] = {{NULL}}, *od[8][4] = {{NULL}};
	snprintf(a, sizeof(a), "%s/fmnist_qop", lft_ort_dir());
	snprintf(b, sizeof(b), "%s/fmnist_qdq", lft_ort_dir());
	CU_ASSERT_EQUAL(lft_run_case(emu(), a, 1, oq), 3);
	CU_ASSERT_EQUAL(lft_run_case(emu(), b, 1, od), 3);
	for (int k = 0; k < 3 && oq[k][0] && od[k][0]; k++)
		CU_ASSERT(lft_same(oq[k][0], od[k][0], 1, "qop vs qdq"));
	destroy_outs(oq);
	destroy_outs(od);
}

static lf_model *load(lf_context *ctx, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s/model.onnx", lft_ort_dir(), name);
	lf_model *m = NULL;
	lf_status st = lf_model_load(ctx, path, &m);
	if (st != LF_OK)
		fprintf(stderr, "%s: %s\n", path, lf_context_last_error(ctx));
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	return m;
}

static lf_tensor *input_set(lf_context *ctx, const char *name, int set)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s/test_data_set_%d/input_0.pb",
		 lft_ort_dir(), name, set);
	return lft_tensor_pb(ctx, path);
}

/*
 * The fmnist QOperator graph (models/README.md) after import:
 *   QuantizeLinear          CPU
 *   conv1 (QLinearConv+Relu) device  } segment 0
 *   MaxPool                 CPU (no pooling kernel in hls/)
 *   conv2                   device  } segment 1
 *   MaxPool                 CPU
 *   conv3, conv4            device  } segment 2 (consecutive, one kernel)
 *   QLinearAdd, QLinearGlobalAveragePool          CPU
 *   DQ -> Flatten -> Q      folded: Flatten on uint8, a view
 *   QGemm                   device  } segment 3 (lfk_matmul)
 *   DequantizeLinear        CPU
 * = 4 device segments, each on one kernel: 4 launches per inference.
 */
#define FMNIST_SEGMENTS 4

static void test_launches(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 1);
	lf_tensor *out[1] = {NULL};
	lf_run_profile *prof;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	struct lf_dev_counters c0 = counters(ctx);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	struct lf_dev_counters c1 = counters(ctx);
	CU_ASSERT_EQUAL(c1.launches - c0.launches, FMNIST_SEGMENTS);
	/* The profile says the same, and which layers ran where. */
	struct prof_tally t = tally(prof);
	CU_ASSERT_EQUAL(t.launches, FMNIST_SEGMENTS);
	CU_ASSERT_EQUAL(t.dev, 5);	    /* conv1..conv4, QGemm */
	CU_ASSERT_EQUAL(t.dev_macs, t.dev); /* all have MACs (and time) */
	CU_ASSERT_EQUAL(t.maxseg, FMNIST_SEGMENTS);
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_run_profile_destroy(prof);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/*
 * Steady-state DMA per inference. The bound asserted:
 *   bytes <= 1.05 * B
 * where B is the segment boundary traffic, the activations that must
 * cross PCIe because a CPU node sits between device segments: for each
 * segment, the bytes of its inputs produced on the host plus the bytes of
 * its outputs the host consumes (the model's own input and output are
 * part of it: the quantized input enters segment 0, the logits' int8
 * leaves segment 3). Each of those bytes crosses twice: the end-to-end
 * check reads every upload back and every download a second time
 * (model_exec.c, checked()). Plus the descriptors' last status words:
 * since a kernel stops at its first error, the host reads only the last
 * descriptor's status word of each launch (4 bytes), and before the
 * launch sets that word back to pending (4 bytes up), so that the word
 * read proves this run and not the one before (the descriptors stay on
 * the card between runs). bytes == 2 * B + 8 * launches exactly. Nothing
 * else may move: no weights, no descriptors, no activation that stays
 * inside a segment (conv3's output).
 */
static void test_dma_bytes(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qop");
	for (int set = 0; set < 2; set++) {
		lf_tensor *in = input_set(ctx, "fmnist_qop", set);
		int64_t dims[4];
		lf_tensor_shape(in, dims);
		uint64_t n = (uint64_t)dims[0];
		/* per image: seg0 in 1x28x28 + out 16x28x28; seg1 in
		 * 16x14x14 + out 32x14x14; seg2 in 32x7x7 + out 32x7x7;
		 * seg3 in 32 + out 10 */
		uint64_t B =
		    n * (784 + 12544 + 3136 + 6272 + 1568 + 1568 + 32 + 10);
		lf_tensor *out[1] = {NULL};
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		struct lf_dev_counters c0 = counters(ctx);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		struct lf_dev_counters c1 = counters(ctx);
		uint64_t bytes = (c1.h2d_bytes - c0.h2d_bytes) +
				 (c1.d2h_bytes - c0.d2h_bytes);
		printf(
		    "\n    batch %llu: %llu DMA bytes, boundary %llu, "
		    "%llu transfers, %llu launches ",
		    (unsigned long long)n, (unsigned long long)bytes,
		    (unsigned long long)B,
		    (unsigned long long)((c1.h2d_transfers - c0.h2d_transfers) +
					 (c1.d2h_transfers - c0.d2h_transfers)),
		    (unsigned long long)(c1.launches - c0.launches));
		CU_ASSERT_EQUAL(bytes, 2 * B + 8 * FMNIST_SEGMENTS);
		/* Per segment (one launch each): up the inputs and the status
		 * reset; down the inputs' read-back, the status and the
		 * outputs twice. */
		CU_ASSERT_EQUAL(c1.h2d_transfers - c0.h2d_transfers,
				2 * FMNIST_SEGMENTS);
		CU_ASSERT_EQUAL(c1.d2h_transfers - c0.d2h_transfers,
				4 * FMNIST_SEGMENTS);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(in);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/*
 * With lfk_engine CUs (eng()): pooling and QLinearAdd are device ops too,
 * and the fmnist QOperator graph partitions as
 *   QuantizeLinear          CPU (float input)
 *   conv1, MaxPool, conv2, MaxPool, conv3, conv4, QLinearAdd,
 *   QLinearGlobalAveragePool            device  } segment 0
 *   DQ -> Flatten -> Q      folded: Flatten on uint8, a view (views do
 *                           not end a segment)
 *   QGemm (int8 out)        device  } segment 0 as well
 *   DequantizeLinear        CPU
 * = 1 device segment of 9 layers, one engine launch per inference (the
 * engine runs conv, pool, add and matmul descriptors in one list). The
 * segment runs blocked (its stem folded, its 16- and 32-channel convs and
 * the QGemm in their small blocked forms, plan/mparams.c blk_area()), so
 * a batch of 2 or more is split across the engine's 2 CUs
 * (model/run_split.c): one launch per CU.
 */
#define FMNIST_ENGINE_SEGMENTS 1
#define FMNIST_ENGINE_CUS      2
/* Engine launches of one fmnist run of batch @n. */
static unsigned fmnist_engine_launches(int64_t n)
{
	return FMNIST_ENGINE_SEGMENTS *
	       (n >= FMNIST_ENGINE_CUS ? FMNIST_ENGINE_CUS : (unsigned)n);
}

/*
 * An xclbin with lfk_engine CUs only (the real-card configuration): conv,
 * matmul, pooling and add all reach the device through the engine, in one
 * launch, byte-exact with the CPU for every ORT data set.
 */
static void test_engine_only(void)
{
	const char *x = engine_only_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	lf_model *m = load(ctx, "fmnist_qop");
	lf_model *mc = load(cpu_ctx, "fmnist_qop");
	for (int set = 0; set < 3; set++) {
		lf_tensor *in = input_set(ctx, "fmnist_qop", set);
		lf_tensor *in_c = input_set(cpu_ctx, "fmnist_qop", set);
		lf_tensor *out[1] = {NULL}, *want[1] = {NULL};
		lf_run_profile *prof;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(mc, &in_c, 1, want, 1, NULL),
				LF_OK);
		if (out[0] && want[0]) {
			CU_ASSERT_EQUAL(lf_tensor_bytes(out[0]),
					lf_tensor_bytes(want[0]));
			CU_ASSERT(memcmp(lf_tensor_data(out[0]),
					 lf_tensor_data(want[0]),
					 lf_tensor_bytes(want[0])) == 0);
		}
		int64_t dims[4];
		lf_tensor_shape(in, dims);
		struct prof_tally t = tally(prof);
		CU_ASSERT_EQUAL(t.launches, fmnist_engine_launches(dims[0]));
		CU_ASSERT_EQUAL(t.dev, 9); /* as in engine_launches */
		lf_run_profile_destroy(prof);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(want[0]);
		lf_tensor_destroy(in);
		lf_tensor_destroy(in_c);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * The blocked layout (lf_desc.h, LF_DF_BLK) before the blocked datapaths
 * land: an xclbin of lfk_engine CUs from build/tests/emu_blk.so
 * (test_blk_kernel.c: NCHW descriptors on the real engine, LF_DF_BLK ones
 * interpreted from lf_desc.h's text) whose limits offer blocked conv,
 * pooling and add (blk_ops 58 = bits 1, 3, 4, 5). Its kernel code is not
 * one of the library's builds: the context opts in with trust_xclbin=1.
 */
/* blk_ops 58 (conv, pooling, add) and none of the build's own .blk_*
 * keys (the tests set them) */
#define BLK_OPS_SED                                                            \
	"sed -i -e 's/^lfk_engine.blk_ops=.*/lfk_engine.blk_ops=58/' "         \
	"-e '/^lfk_conv2d.blk_/d' -e '/^lfk_pool.blk_/d' %s"

static const char *blk_xclbin(void)
{
	return test_xclbin_from(&blk_x, "tests/emu_blk.so",
				BLK_OPS_SED
				" && printf 'lfk_conv2d.blk_wbeats=4608\\n"
				"lfk_conv2d.blk_iw_max=512\\n"
				"lfk_conv2d.blk_xfold=64\\n"
				"lfk_pool.blk_iw_max=512\\n' >> %s",
				"--kernel lfk_engine:2");
}

/* The same with a blocked conv whose rows stop at 12 bytes (SqueezeNet's
 * narrowest conv reads 13), and without lfk_pool.blk_iw_max (no blocked
 * pooling, whatever blk_ops says). */
static const char *blk_narrow_xclbin(void)
{
	return test_xclbin_from(&blk_narrow_x, "tests/emu_blk.so",
				BLK_OPS_SED
				" && printf 'lfk_conv2d.blk_wbeats=4608\\n"
				"lfk_conv2d.blk_iw_max=12\\n"
				"lfk_pool.blk_iw_max=512\\n' >> %s",
				"--kernel lfk_engine:2");
}

/* A conv line buffer of one beat (lfk_conv2d.blk_lbeats=1): no conv's
 * window rows fit, so no conv is blocked; no blocked pooling either. */
static const char *blk_lbuf_xclbin(void)
{
	return test_xclbin_from(&blk_lbuf_x, "tests/emu_blk.so",
				BLK_OPS_SED
				" && printf 'lfk_conv2d.blk_wbeats=4608\\n"
				"lfk_conv2d.blk_iw_max=512\\n"
				"lfk_conv2d.blk_lbeats=1\\n' >> %s",
				"--kernel lfk_engine:2");
}

static const char *blk_nopool_xclbin(void)
{
	return test_xclbin_from(&blk_nopool_x, "tests/emu_blk.so",
				BLK_OPS_SED
				" && printf 'lfk_conv2d.blk_wbeats=4608\\n"
				"lfk_conv2d.blk_iw_max=512\\n' >> %s",
				"--kernel lfk_engine:2");
}

/* SqueezeNet 1.1 (tests/data/realworld): fire modules of 1x1 and 3x3
 * convs, max pools; one device segment (each fire module's concat placed,
 * hostlib/plan/mplan_concat.c; 9 segments with the concats on the
 * CPU). */
#define SQZ "../realworld/squeezenet1_1-fx-qnnpack"

static unsigned pool_blk; /* layouts(): segments with a blocked pool */

/* Layouts in a profile: bit s of *blk / *nchw for device segment s;
 * *planned counts the layers of device segments, *fell those that ran on
 * the CPU after a device failure. */
static void layouts(const lf_run_profile *p, unsigned *blk, unsigned *nchw,
		    unsigned *planned, unsigned *fell, unsigned *nfold)
{
	*blk = *nchw = *planned = *fell = *nfold = pool_blk = 0;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(p, i, &r), LF_OK);
		if (r.segment == ~0u || r.segment >= 32) {
			CU_ASSERT_STRING_EQUAL(r.layout, "");
			continue;
		}
		(*planned)++;
		*fell += r.fallback != 0;
		if (strstr(r.op, "Pool") && strcmp(r.layout, "nchw") != 0)
			pool_blk |= 1u << r.segment;
		if (strcmp(r.layout, "folded") == 0) {
			(*nfold)++;
			*blk |= 1u << r.segment;
			continue;
		}
		if (strcmp(r.layout, "blocked") == 0)
			*blk |= 1u << r.segment;
		else if (strcmp(r.layout, "nchw") == 0)
			*nchw |= 1u << r.segment;
	}
}

/*
 * SqueezeNet with blocked datapaths: its one device segment blocked, the
 * 8 concats placed in it, the CPU's bytes; a segment that fails on the device
 * (the device lost) is re-run on the CPU from its NCHW inputs, same bytes.
 * (fmnist's convs have too few channels for blocked constants.)
 */
static void test_blocked_segments(void)
{
	const char *x = blk_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	lf_status st = lf_context_create("emu,trust_xclbin=1", x, &ctx);
	if (st != LF_OK)
		fprintf(stderr, "%s\n", lf_last_error());
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	ctx->fallback = 0;
	lf_model *m = load(ctx, SQZ);
	lf_model *mc = load(cpu_ctx, SQZ);
	for (int set = 0; set < 4; set++) {
		int lost = set == 3;
		if (lost) {
			/* the second device operation of the run on */
			ctx->fallback = 1;
			struct lf_fault f = {LF_FAULT_DEVICE_LOST, 2, -1};
			CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f),
					LF_OK);
		}
		lf_tensor *in = input_set(ctx, SQZ, 0);
		lf_tensor *in_c = input_set(cpu_ctx, SQZ, 0);
		lf_tensor *out[1] = {NULL}, *want[1] = {NULL};
		lf_run_profile *prof;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
		lf_status rst = lf_model_run(m, &in, 1, out, 1, prof);
		if (rst != LF_OK)
			fprintf(stderr, "\n%s\n", lf_context_last_error(ctx));
		CU_ASSERT_EQUAL(rst, LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(mc, &in_c, 1, want, 1, NULL),
				LF_OK);
		CU_ASSERT_PTR_NOT_NULL(out[0]);
		if (out[0] && want[0]) {
			CU_ASSERT_EQUAL(lf_tensor_bytes(out[0]),
					lf_tensor_bytes(want[0]));
			CU_ASSERT(memcmp(lf_tensor_data(out[0]),
					 lf_tensor_data(want[0]),
					 lf_tensor_bytes(want[0])) == 0);
		}
		unsigned blk, nchw, planned, fell, nfold;
		layouts(prof, &blk, &nchw, &planned, &fell, &nfold);
		/* the one segment blocked. It holds the stem and fire
		 * modules 2 and 3, whose convs pack to exactly a quarter
		 * weights (packed bytes: 64 x 64 x taps x input blocks):
		 * 64 -> 16 squeeze 4096 = 4 x 16 x 64, 128 -> 16 squeeze
		 * 2 x 4096 = 4 x 16 x 128, 16 -> 64 1x1 expand 4096 =
		 * 4 x 64 x 16, 16 -> 64 3x3 expand 9 x 4096 = 36864 =
		 * 4 x 64 x 16 x 9; the 3 -> 64 3x3 stem folds (kw x ic = 9
		 * lanes, 3 x 4096 = 12288 bytes <= 16 KiB and <= 32 x its
		 * 64 x 9 x 3 = 1728); a quarter is enough (plan/mparams.c
		 * blk_area), so nothing keeps them NCHW; 38 layers: 30
		 * convs and pools, 8 concats placed */
		CU_ASSERT_EQUAL(blk, 0x1u);
		CU_ASSERT_EQUAL(nchw, 0u);
		CU_ASSERT_EQUAL(planned, 38);
		CU_ASSERT_EQUAL(nfold, 1); /* the stem, 3 channels in */
		CU_ASSERT_EQUAL(fell > 0, lost);
		lf_run_profile_destroy(prof);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(want[0]);
		lf_tensor_destroy(in);
		lf_tensor_destroy(in_c);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * A limit a layer passes, or a key the xclbin lacks, keeps its whole
 * segment NCHW (one descriptor over a limit would fail on the card):
 * same bytes, no blocked conv past blk_iw_max, no blocked pool without
 * lfk_pool.blk_iw_max.
 */
static void test_blocked_limits(void)
{
	const char *xs[3] = {blk_narrow_xclbin(), blk_nopool_xclbin(),
			     blk_lbuf_xclbin()};
	lf_model *mc = load(cpu_ctx, SQZ);
	for (int k = 0; k < 3; k++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(xs[k]);
		lf_context *ctx = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf_context_create("emu,trust_xclbin=1", xs[k], &ctx),
		    LF_OK);
		ctx->fallback = 0;
		lf_model *m = load(ctx, SQZ);
		lf_tensor *in = input_set(ctx, SQZ, 0);
		lf_tensor *in_c = input_set(cpu_ctx, SQZ, 0);
		lf_tensor *out[1] = {NULL}, *want[1] = {NULL};
		lf_run_profile *prof;
		CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(mc, &in_c, 1, want, 1, NULL),
				LF_OK);
		if (out[0] && want[0])
			CU_ASSERT(memcmp(lf_tensor_data(out[0]),
					 lf_tensor_data(want[0]),
					 lf_tensor_bytes(want[0])) == 0);
		unsigned blk, nchw, planned, fell, nfold;
		layouts(prof, &blk, &nchw, &planned, &fell, &nfold);
		CU_ASSERT_EQUAL(planned, 30);
		/* k 0: no conv row fits 12 bytes; k 2: no conv window fits
		 * a one-beat line buffer: all NCHW */
		if (k == 0 || k == 2)
			CU_ASSERT_EQUAL(blk, 0u);
		/* no blocked pooling without lfk_pool.blk_iw_max */
		CU_ASSERT_EQUAL(pool_blk, 0u);
		/* k 1: the segments with a pool stay NCHW (0: stem, max
		 * pool, fire 2; 2 and 4: max pool, fire 4 / 6; 8: conv 10,
		 * global average pool), the fire-module-only ones (1, 3,
		 * 5 to 7) run blocked: NCHW and blocked segments in one
		 * run, the CPU's bytes */
		if (k == 1) {
			CU_ASSERT_EQUAL(nchw, 0x115u);
			CU_ASSERT_EQUAL(blk, 0x0eau);
		}
		lf_run_profile_destroy(prof);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(want[0]);
		lf_tensor_destroy(in);
		lf_tensor_destroy(in_c);
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(mc), LF_OK);
}

static void test_engine_launches(void)
{
	lf_context *ctx = eng();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 1);
	lf_tensor *out[1] = {NULL};
	lf_run_profile *prof;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	struct lf_dev_counters c0 = counters(ctx);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	struct lf_dev_counters c1 = counters(ctx);
	int64_t dims[4];
	lf_tensor_shape(in, dims);
	CU_ASSERT_EQUAL(dims[0], 8);
	CU_ASSERT_EQUAL(c1.launches - c0.launches,
			fmnist_engine_launches(dims[0]));
	/* pools and the add have no MACs, hence no share of device time */
	struct prof_tally t = tally(prof);
	CU_ASSERT_EQUAL(t.launches, fmnist_engine_launches(dims[0]));
	/* conv1..conv4, 2 MaxPool, QLinearAdd, QLinearGlobalAveragePool,
	 * QGemm */
	CU_ASSERT_EQUAL(t.dev, 9);
	CU_ASSERT_EQUAL(t.maxseg, FMNIST_ENGINE_SEGMENTS);
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_run_profile_destroy(prof);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/*
 * Steady-state DMA per inference with the engine in the NCHW layout (an
 * xclbin without blocked datapaths; blocked, the segment's entry would
 * upload the folded stem input instead): the one segment's
 * input (the quantized image, 784 bytes) goes up, its output (10 int8
 * logits) comes down, each checked end to end by the engine's transfer
 * checksum (hostlib/exec/README.md: neither read back), plus the launch's
 * nonce (4 bytes up) and the last descriptor's status word with the
 * checksum's two 16-byte digests (36 bytes down): exactly
 * n * (784 + 10) + 40 bytes in two uploads and two downloads.
 * Weights and descriptors do not move again, and no activation between
 * the layers.
 */
static void test_engine_dma_bytes(void)
{
	const char *x = lftm_engine_nchw_xclbin();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", x, &ctx), LF_OK);
	ctx->fallback = 0;
	lf_model *m = load(ctx, "fmnist_qop");
	for (int set = 0; set < 2; set++) {
		lf_tensor *in = input_set(ctx, "fmnist_qop", set);
		int64_t dims[4];
		lf_tensor_shape(in, dims);
		uint64_t n = (uint64_t)dims[0];
		uint64_t B = n * (784 + 10);
		lf_tensor *out[1] = {NULL};
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		struct lf_dev_counters c0 = counters(ctx);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		struct lf_dev_counters c1 = counters(ctx);
		uint64_t bytes = (c1.h2d_bytes - c0.h2d_bytes) +
				 (c1.d2h_bytes - c0.d2h_bytes);
		printf(
		    "\n    engine, batch %llu: %llu DMA bytes, %llu "
		    "transfers, %llu launches ",
		    (unsigned long long)n, (unsigned long long)bytes,
		    (unsigned long long)((c1.h2d_transfers - c0.h2d_transfers) +
					 (c1.d2h_transfers - c0.d2h_transfers)),
		    (unsigned long long)(c1.launches - c0.launches));
		CU_ASSERT_EQUAL(c1.h2d_bytes - c0.h2d_bytes,
				n * 784 + 4 * FMNIST_ENGINE_SEGMENTS);
		CU_ASSERT_EQUAL(ctx->dev->csum, 1);
		CU_ASSERT_EQUAL(bytes, B + 40 * FMNIST_ENGINE_SEGMENTS);
		CU_ASSERT_EQUAL(c1.h2d_transfers - c0.h2d_transfers,
				2 * FMNIST_ENGINE_SEGMENTS);
		CU_ASSERT_EQUAL(c1.d2h_transfers - c0.d2h_transfers,
				2 * FMNIST_ENGINE_SEGMENTS);
		CU_ASSERT_EQUAL(c1.allocs, c0.allocs);
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(in);
	}
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * Every launch passes its descriptor buffer at offset 0 (some OpenCL
 * flavours reject other offsets on pointer arguments): a run's first
 * pointer argument (the timeline's addr) is the device address a
 * descriptor upload started at, i.e. a buffer's first byte. Checked for
 * both paths (engine, and per-kernel launches with several segments).
 */
static void check_run_offsets(lf_context *ctx, const char *model)
{
	uint64_t from = 0;
	struct lf_tl_event ev[64];
	uint32_t got;
	do {
		CU_ASSERT_EQUAL_FATAL(
		    lf__dev_timeline(ctx->dev->dev, from, ev, 64, &got), LF_OK);
		if (got)
			from = ev[got - 1].seq + 1;
	} while (got == 64);
	lf_model *m = load(ctx, model);
	lf_tensor *in = input_set(ctx, model, 1);
	lf_tensor *out[1] = {NULL};
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		lf_tensor_destroy(out[0]);
		out[0] = NULL;
	}
	uint64_t up[256];
	int nup = 0, runs = 0, bad = 0;
	do {
		CU_ASSERT_EQUAL_FATAL(
		    lf__dev_timeline(ctx->dev->dev, from, ev, 64, &got), LF_OK);
		for (uint32_t i = 0; i < got; i++) {
			if (ev[i].kind == LF_TL_H2D && nup < 256)
				up[nup++] = ev[i].addr;
			if (ev[i].kind != LF_TL_RUN)
				continue;
			runs++;
			int found = 0;
			for (int j = 0; j < nup; j++)
				found |= up[j] == ev[i].addr;
			bad += !found;
		}
		if (got)
			from = ev[got - 1].seq + 1;
	} while (got == 64);
	CU_ASSERT(runs >= 2);
	CU_ASSERT_EQUAL(bad, 0);
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

static void test_arg_offsets(void)
{
	check_run_offsets(eng(), "fmnist_qop");
	check_run_offsets(emu(), "fmnist_qop");
	check_run_offsets(small(), "fmnist_qop");
}

/* Weights go to the card at load, once per params bank, never per run. */
static void test_weights_once(void)
{
	lf_context *ctx = emu();
	struct lf_dev_counters c0 = counters(ctx);
	lf_model *m = load(ctx, "fmnist_qop");
	struct lf_dev_counters c1 = counters(ctx);
	uint64_t params = m->params.bytes;
	CU_ASSERT(params > 20000); /* 23,738 parameters, int32 bias ... */
	/* aws-f1: conv CUs read params from DDR[1] and DDR[0], the matmul
	 * CU from DDR[1]: two copies. */
	CU_ASSERT_EQUAL(c1.h2d_bytes - c0.h2d_bytes, 2 * params);
	lf_tensor *in = input_set(ctx, "fmnist_qop", 0);
	lf_tensor *out[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	struct lf_dev_counters c2 = counters(ctx);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	struct lf_dev_counters c3 = counters(ctx);
	/* The first run uploads the slot's descriptors, not weights. */
	CU_ASSERT(c2.h2d_bytes - c1.h2d_bytes < params);
	/* Then only the segments' inputs, 784 + 3136 + 1568 + 32 bytes,
	 * and each launch's last status word set back to pending (4 x 4). */
	CU_ASSERT_EQUAL(c3.h2d_bytes - c2.h2d_bytes, 5520 + 4 * 4);
	CU_ASSERT_EQUAL(c3.allocs, c2.allocs); /* steady state */
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

struct worker {
	lf_model *m;
	lf_tensor *in;
	lf_tensor *out;
	int runs;
	lf_status st;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < w->runs && w->st == LF_OK; i++) {
		lf_tensor *o[1] = {w->out};
		w->st = lf_model_run(w->m, &w->in, 1, o, 1, NULL);
		w->out = o[0];
	}
	return NULL;
}

/* Four threads, one model, their own output tensors: same bytes. */
static void test_concurrent(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qdq");
	lf_tensor *in = input_set(ctx, "fmnist_qdq", 1);
	lf_tensor *ref[1] = {NULL};
	CU_ASSERT_EQUAL_FATAL(lf_model_run(m, &in, 1, ref, 1, NULL), LF_OK);
	struct worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){m, in, NULL, 3, LF_OK};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(w[i].st, LF_OK);
		CU_ASSERT(w[i].out && lft_same(w[i].out, ref[0], 1, "thread"));
		lf_tensor_destroy(w[i].out);
	}
	lf_tensor_destroy(ref[0]);
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/* Run slot i uses conv CU i mod 2 and matmul CU i mod 2 (the test xclbin
 * has two of each): a second request in flight runs on the other CUs. */
static void test_slots_cus(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 0);
	uint32_t conv[2], mm[2];
	for (int i = 0; i < 2; i++) {
		conv[i] = ctx->dev->conv.cu[i];
		mm[i] = ctx->dev->mm.cu[i];
	}
	CU_ASSERT_EQUAL_FATAL(ctx->dev->conv.ncus, 2);
	CU_ASSERT_EQUAL_FATAL(ctx->dev->mm.ncus, 2);
	for (int slot = 0; slot < 2; slot++) {
		/* Hold the slots below @slot, as runs in flight would. */
		pthread_mutex_lock(&m->mu);
		for (int k = 0; k < slot; k++)
			m->slots[k].busy = 1;
		pthread_mutex_unlock(&m->mu);
		struct lf_dev_counters c0 = counters(ctx);
		lf_tensor *o = run_once(m, in, LF_OK, NULL);
		struct lf_dev_counters c1 = counters(ctx);
		CU_ASSERT_EQUAL(c1.cu[conv[slot]].runs - c0.cu[conv[slot]].runs,
				3);
		CU_ASSERT_EQUAL(c1.cu[mm[slot]].runs - c0.cu[mm[slot]].runs, 1);
		CU_ASSERT_EQUAL(c1.cu[conv[1 - slot]].runs,
				c0.cu[conv[1 - slot]].runs);
		lf_tensor_destroy(o);
		pthread_mutex_lock(&m->mu);
		for (int k = 0; k < slot; k++)
			m->slots[k].busy = 0;
		pthread_mutex_unlock(&m->mu);
	}
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

static void test_trace(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 0);
	lf_tensor *out[1] = {NULL};
	lf_run_profile *prof;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	/* The first run of a slot uploads its descriptors: warm up. */
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	/* 6 CPU nodes and 5 device layers, in order. */
	CU_ASSERT_EQUAL(lf_run_profile_count(prof), 11);
	struct lf_layer_profile r = LF_STRUCT_INIT(struct lf_layer_profile);
	CU_ASSERT_EQUAL(lf_run_profile_get(prof, 1, &r), LF_OK);
	CU_ASSERT_STRING_EQUAL(r.name, "conv1_quant");
	CU_ASSERT_STRING_EQUAL(r.op, "QLinearConv");
	CU_ASSERT_STRING_EQUAL(r.where, "device");
	/* the input, and the launch's last status word set to pending */
	CU_ASSERT(r.h2d_bytes == 784 + 4 && r.launches == 1);
	CU_ASSERT_EQUAL(r.macs, 16ull * 28 * 28 * 9);
	CU_ASSERT_EQUAL(lf_run_profile_get(prof, 99, &r), LF_ERR_RANGE);
	char path[] = "/tmp/lf_trace_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(lf_run_profile_write_trace(prof, path), LF_OK);
	size_t len;
	char *json = (char *)lft_read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	json = realloc(json, len + 1);
	json[len] = 0;
	CU_ASSERT(strstr(json, "\"traceEvents\"") != NULL);
	CU_ASSERT(strstr(json, "DMA host->card") != NULL);
	CU_ASSERT(strstr(json, "DMA card->host") != NULL);
	CU_ASSERT(strstr(json, "lfk_conv2d:lfk_conv2d_1") != NULL);
	CU_ASSERT(strstr(json, "conv3_quant+conv4_quant") != NULL);
	CU_ASSERT(strstr(json, "\"modeled\":true") != NULL);
	free(json);
	unlink(path);
	CU_ASSERT_EQUAL(lf_run_profile_write_trace(prof, "/no/such/dir/t.json"),
			LF_ERR_IO);
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_run_profile_destroy(prof);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/* Where each fmnist layer runs on the small xclbin: conv1's 28-wide rows
 * exceed dim_max 20 (the planner splits rows only): CPU; conv2 (32
 * output channels > 20) splits channels, in place: a chainable segment;
 * conv3 and conv4 (32 input channels > 20) split the reduction, with
 * partial sums the host adds: one host-assisted segment each; QGemm fits. */
static void test_small_partition(void)
{
	lf_context *ctx = small();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 1);
	lf_tensor *out[1] = {NULL};
	lf_run_profile *prof;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	static const char *const where[] = {"cpu", "cpu",    "cpu",    "device",
					    "cpu", "device", "device", "cpu",
					    "cpu", "device", "cpu"};
	static const unsigned seg[] = {~0u, ~0u, ~0u, 0, ~0u, 1,
				       2,   ~0u, ~0u, 3, ~0u};
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_count(prof), 11);
	for (size_t i = 0; i < 11; i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(prof, i, &r);
		CU_ASSERT_STRING_EQUAL(r.where, where[i]);
		CU_ASSERT_EQUAL(r.segment, seg[i]);
	}
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_run_profile_destroy(prof);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

static lf_tensor *run_once(lf_model *m, lf_tensor *in, lf_status want,
			   lf_run_profile *prof)
{
	lf_tensor *out[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), want);
	return out[0];
}

static void arm(lf_context *ctx, enum lf_fault_kind kind)
{
	struct lf_fault f = {kind, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f), LF_OK);
}

/* Device failures: retried once, then the segment runs on the CPU (same
 * bytes), or, with the fallback off, the run fails with the device's
 * error. */
static void test_faults(void)
{
	lf_context *ctx = lft_emu("default");
	ctx->dev->timeout_ms = 300;
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *in = input_set(ctx, "fmnist_qop", 1);
	lf_tensor *ref = run_once(m, in, LF_OK, NULL), *o;
	static const enum lf_fault_kind once[] = {LF_FAULT_DMA_FAIL,
						  LF_FAULT_CU_HANG};
	for (int i = 0; i < 2; i++) {
		arm(ctx, once[i]);
		o = run_once(m, in, LF_OK, NULL);
		CU_ASSERT(o && lft_same(o, ref, 1, "after a transient fault"));
		lf_tensor_destroy(o);
	}
	/* A lost device: an error with the fallback off, else the CPU. */
	lf_run_profile *prof;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	ctx->fallback = 0;
	arm(ctx, LF_FAULT_DEVICE_LOST);
	o = run_once(m, in, LF_ERR_DEVICE_LOST, NULL);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT(strstr(lf_context_last_error(ctx), "FALLBACK") != NULL);
	ctx->fallback = 1;
	o = run_once(m, in, LF_OK, prof);
	CU_ASSERT(o && lft_same(o, ref, 1, "after the device was lost"));
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		lf_run_profile_get(prof, i, &r);
		CU_ASSERT_STRING_EQUAL(r.where, "cpu");
	}
	lf_run_profile_destroy(prof);
	lf_tensor_destroy(o);
	lf_tensor_destroy(ref);
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/* Arguments, info, lifetimes. */
static void test_api(void)
{
	lf_model *m = load(cpu_ctx, "fmnist_qop");
	struct lf_tensor_info info = LF_STRUCT_INIT(struct lf_tensor_info);
	CU_ASSERT_EQUAL(lf_model_input_count(m), 1);
	CU_ASSERT_EQUAL(lf_model_output_count(m), 1);
	CU_ASSERT_EQUAL(lf_model_input_info(m, 0, &info), LF_OK);
	CU_ASSERT_STRING_EQUAL(info.name, "input");
	CU_ASSERT_EQUAL(info.dtype, LF_DTYPE_FLOAT32);
	CU_ASSERT_EQUAL(info.ndim, 4);
	CU_ASSERT_EQUAL(info.dims[0], -1);
	CU_ASSERT_EQUAL(info.dims[3], 28);
	CU_ASSERT_EQUAL(lf_model_output_info(m, 0, &info), LF_OK);
	CU_ASSERT_STRING_EQUAL(info.name, "logits");
	CU_ASSERT_EQUAL(lf_model_input_info(m, 1, &info), LF_ERR_INVALID_ARG);
	/* A model is a child of its context. */
	CU_ASSERT_EQUAL(lf_context_destroy(cpu_ctx), LF_ERR_BUSY);
	/* Wrong inputs are named. */
	int64_t bad[4] = {1, 1, 27, 28};
	lf_tensor *in = NULL, *out[1] = {NULL};
	CU_ASSERT_EQUAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_FLOAT32, 4, bad, NULL, &in),
	    LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_ERR_SHAPE);
	CU_ASSERT(strstr(lf_context_last_error(cpu_ctx), "'input'") != NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 2, out, 1, NULL),
			LF_ERR_INVALID_ARG);
	lf_tensor_destroy(in);
	/* A wrong output tensor is refused; a right one is written. */
	int64_t d[4] = {2, 1, 28, 28}, od[2] = {2, 10}, wrong[2] = {1, 10};
	CU_ASSERT_EQUAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_FLOAT32, 4, d, NULL, &in),
	    LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_create(cpu_ctx, LF_DTYPE_FLOAT32, 2, wrong,
					 NULL, &out[0]),
			LF_OK);
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_ERR_SHAPE);
	lf_tensor_destroy(out[0]);
	CU_ASSERT_EQUAL(
	    lf_tensor_create(cpu_ctx, LF_DTYPE_FLOAT32, 2, od, NULL, &out[0]),
	    LF_OK);
	lf_tensor *keep = out[0];
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	CU_ASSERT_PTR_EQUAL(out[0], keep);
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_model_destroy(NULL), LF_OK);
	CU_ASSERT_EQUAL(lf_model_load(cpu_ctx, "/no/such.onnx", &m), LF_ERR_IO);
	CU_ASSERT_EQUAL(lf_model_load(NULL, "x", &m), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_model_run(NULL, NULL, 0, NULL, 0, NULL),
			LF_ERR_INVALID_ARG);
}

/* Many batch sizes: plans are made per shape and evicted past the cache. */
static void test_batches(void)
{
	lf_context *ctx = emu();
	lf_model *m = load(ctx, "fmnist_qop");
	lf_tensor *ref = input_set(ctx, "fmnist_qop", 1); /* 8 images */
	lf_tensor *out8[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &ref, 1, out8, 1, NULL), LF_OK);
	for (int64_t n = 1; n <= 8; n++) {
		int64_t d[4] = {n, 1, 28, 28};
		lf_tensor *in = NULL, *out[1] = {NULL};
		CU_ASSERT_EQUAL(
		    lf_tensor_create(ctx, LF_DTYPE_FLOAT32, 4, d, NULL, &in),
		    LF_OK);
		/* The last n images of the batch of 8. */
		memcpy(lf_tensor_data(in),
		       (float *)lf_tensor_data(ref) + (8 - n) * 784,
		       lf_tensor_bytes(in));
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		CU_ASSERT(
		    memcmp(lf_tensor_data(out[0]),
			   (float *)lf_tensor_data(out8[0]) + (8 - n) * 10,
			   lf_tensor_bytes(out[0])) == 0);
		lf_tensor_destroy(in);
		lf_tensor_destroy(out[0]);
	}
	lf_tensor_destroy(ref);
	lf_tensor_destroy(out8[0]);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
}

/* Binding by name: the names are those of models/README.md's graph
 * ("input" -> "logits"). */
static void test_io_index(void)
{
	lf_model *m = load(cpu_ctx, "fmnist_qop");
	size_t k = 99;
	CU_ASSERT_EQUAL(lf_model_input_index(m, "input", &k), LF_OK);
	CU_ASSERT_EQUAL(k, 0);
	k = 99;
	CU_ASSERT_EQUAL(lf_model_output_index(m, "logits", &k), LF_OK);
	CU_ASSERT_EQUAL(k, 0);
	k = 99;
	CU_ASSERT_EQUAL(lf_model_input_index(m, "logits", &k),
			LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(k, 99); /* untouched on failure */
	CU_ASSERT(strstr(lf_context_last_error(cpu_ctx), "'logits'") != NULL);
	CU_ASSERT_EQUAL(lf_model_output_index(m, "input", &k),
			LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf_model_output_index(m, "", &k), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf_model_input_index(m, NULL, &k), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_model_input_index(m, "input", NULL),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_model_input_index(NULL, "input", &k),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(k, 99);
	lf_model_destroy(m);
}

/* @bits as a float: scales are checked bit for bit. */
static float f32_bits(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* One input's / output's quantization of tests/data/ort/ops/@name. */
static void check_quant(const char *name, int out, size_t i, lf_status want,
			uint32_t scale_bits, int32_t zp)
{
	lf_model *m = load(cpu_ctx, name);
	float s = -1.0f;
	int32_t z = -1;
	lf_status st = out ? lf_model_output_quant(m, i, &s, &z)
			   : lf_model_input_quant(m, i, &s, &z);
	CU_ASSERT_EQUAL(st, want);
	if (st != want)
		fprintf(stderr, "\n  %s %s %zu: %s ", name,
			out ? "output" : "input", i, lf_status_name(st));
	if (want == LF_OK) {
		CU_ASSERT_EQUAL(memcmp(&s, &(float){f32_bits(scale_bits)}, 4),
				0);
		CU_ASSERT_EQUAL(z, zp);
	} else {
		CU_ASSERT_EQUAL(s, -1.0f); /* untouched */
		CU_ASSERT_EQUAL(z, -1);
	}
	lf_model_destroy(m);
}

/*
 * Quantization of model inputs and outputs. Expected values: the models'
 * initializers, read with Debian's python3-onnx (numpy_helper.to_array,
 * float32 bytes shown little-endian): qlinearconv_3x3_pad1 x_scale
 * 972cc83c (0.024435325) x_zp 154, y_scale 97070a3d (0.033698644) y_zp
 * 128; qlinearadd_u8 a 1550e03c/151, b ba70763c/150, y 84bcc23c/115;
 * quantizelinear_u8 and dequantizelinear_u8 scale 0.0196 (bits
 * 3ca0902e) zp 128; maxpool_u8 has none; float values have none.
 */
static void test_io_quant(void)
{
	check_quant("ops/qlinearconv_3x3_pad1", 0, 0, LF_OK, 0x3cc82c97u, 154);
	check_quant("ops/qlinearconv_3x3_pad1", 1, 0, LF_OK, 0x3d0a0797u, 128);
	check_quant("ops/qlinearadd_u8", 0, 0, LF_OK, 0x3ce05015u, 151);
	check_quant("ops/qlinearadd_u8", 0, 1, LF_OK, 0x3c7670bau, 150);
	check_quant("ops/qlinearadd_u8", 1, 0, LF_OK, 0x3cc2bc84u, 115);
	check_quant("ops/quantizelinear_u8", 1, 0, LF_OK, 0x3ca0902eu, 128);
	check_quant("ops/quantizelinear_u8", 0, 0, LF_ERR_NOT_FOUND, 0, 0);
	check_quant("ops/dequantizelinear_u8", 0, 0, LF_OK, 0x3ca0902eu, 128);
	check_quant("ops/maxpool_u8_3x3_s2_p1", 0, 0, LF_ERR_NOT_FOUND, 0, 0);
	check_quant("ops/qlinearadd_u8", 0, 2, LF_ERR_INVALID_ARG, 0, 0);
	lf_model *m = load(cpu_ctx, "fmnist_qop");
	float s;
	int32_t z;
	CU_ASSERT_EQUAL(lf_model_input_quant(m, 0, &s, &z), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf_model_output_quant(m, 0, &s, &z), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf_model_input_quant(m, 0, NULL, &z),
			LF_ERR_INVALID_ARG);
	lf_model_destroy(m);
}

void lf_test_suite_model(void)
{
	static const struct lf_test_case cases[] = {
	    {"fmnist_qop", test_fmnist_qop},
	    {"fmnist_qdq", test_fmnist_qdq},
	    {"fmnist_forms_agree", test_fmnist_forms_agree},
	    {"launches", test_launches},
	    {"dma_bytes", test_dma_bytes},
	    {"engine_launches", test_engine_launches},
	    {"engine_only", test_engine_only},
	    {"blocked_segments", test_blocked_segments},
	    {"blocked_limits", test_blocked_limits},
	    {"engine_dma_bytes", test_engine_dma_bytes},
	    {"arg_offsets", test_arg_offsets},
	    {"weights_once", test_weights_once},
	    {"concurrent", test_concurrent},
	    {"slots_cus", test_slots_cus},
	    {"trace", test_trace},
	    {"small_partition", test_small_partition},
	    {"faults", test_faults},
	    {"api", test_api},
	    {"batches", test_batches},
	    {"io_index", test_io_index},
	    {"io_quant", test_io_quant},
	    {NULL, NULL},
	};
	lf_test_add_suite("model", suite_init, suite_clean, cases);
}
