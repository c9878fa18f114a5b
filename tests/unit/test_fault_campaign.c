/*
 * test_fault_campaign.c - the "fault_campaign" suite: every fault kind the
 * emulator injects, at every occurrence of its event during a context
 * open + load + run of the demo model (models/fmnist_qop.onnx on ORT's
 * test vector), armed from outside through the device string
 * "emu,fault=KIND:N" as an application would (reliability review 3).
 *
 * Each trial must end in the right bytes (ORT's output_0.pb, an
 * independent source) or a clean error (an error status and a message);
 * afterwards the context must still serve: a fresh load and run give the
 * right bytes (after device_lost, with the default fallback, on the CPU),
 * and destroying model and context returns LF_OK. Occurrence counts come
 * from a clean run's device counters; N runs to that count + 1 (the +1
 * trial checks the fault never fires late). Leaks: the suite runs under
 * ASan and Valgrind in `make check`.
 *
 * Wrong bytes with LF_OK fail the suite for every kind, dma_corrupt
 * included: the weights are read back at load, and a run's uploads read
 * back and its downloads read twice (model_exec.c), so a corrupted
 * transfer is retried or reported, never a result.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/model/model_impl.h"
#include "hostlib/onnx/onnx.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

#define MODEL  "models/fmnist_qop.onnx"
#define VECTOR "tests/data/ort/fmnist_qop/test_data_set_0"

static const char *const kinds[] = {"alloc",   "dma_fail",    "dma_corrupt",
				    "cu_hang", "device_lost", "status_corrupt"};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static struct lf__tensor g_want; /* ORT's output */
static uint64_t g_count[NKINDS]; /* occurrences in a clean load + run */

enum outcome { RIGHT, CLEAN_ERROR, WRONG_OK, BROKEN };

/* Load and run on @ctx; RIGHT, CLEAN_ERROR (status and message), or
 * WRONG_OK. @what names the step for messages. */
static enum outcome load_and_run(lf_context *ctx, const char *what,
				 lf_status *st_out)
{
	lf_model *m = NULL;
	lf_tensor *in = NULL, *out[1] = {NULL};
	enum outcome r = CLEAN_ERROR;
	lf_status st = lf_model_load(ctx, MODEL, &m);

	if (st == LF_OK) {
		in = lft_tensor_pb(ctx, VECTOR "/input_0.pb");
		st = in ? lf_model_run(m, &in, 1, out, 1, NULL)
			: LF_ERR_INTERNAL;
	}
	if (st == LF_OK) {
		st = lf_tensor_to_host(out[0]);
		r = st == LF_OK &&
			    lf_tensor_bytes(out[0]) ==
				lf__tensor_bytes(&g_want) &&
			    memcmp(lf_tensor_data(out[0]), g_want.data,
				   lf__tensor_bytes(&g_want)) == 0
			? RIGHT
			: WRONG_OK;
	} else if (!lf_context_last_error(ctx)[0]) {
		fprintf(stderr, "\n%s: %s without a message\n", what,
			lf_status_name(st));
		r = BROKEN;
	}
	lf_tensor_destroy(in);
	lf_tensor_destroy(out[0]);
	if (m && lf_model_destroy(m) != LF_OK) {
		fprintf(stderr, "\n%s: lf_model_destroy failed\n", what);
		r = BROKEN;
	}
	*st_out = st;
	return r;
}

static int suite_init(void)
{
	char err[512];
	lf_context *ctx = NULL;
	struct lf_dev_counters c;
	lf_status st;

	memset(&g_want, 0, sizeof(g_want));
	if (lf__onnx_tensor_read(VECTOR "/output_0.pb", &g_want, err,
				 sizeof(err)) != LF_OK)
		return -1;
	/* A launch that hangs is given up after 2 s (10 s under a sanitizer
	 * or Valgrind). Shorter timeouts made the device_lost campaign flaky
	 * on a loaded machine: a slow but healthy run timed out, its retry
	 * added device operations, and the "one past the last" occurrence
	 * fired. */
	setenv("LAYERFAB_TIMEOUT_MS", lf_test_slow_mode() ? "10000" : "2000",
	       1);
	if (lf_context_create("emu", NULL, &ctx) != LF_OK)
		return -1;
	if (load_and_run(ctx, "clean run", &st) != RIGHT) {
		fprintf(stderr, "\nclean run: %s\n", lf_last_error());
		lf_context_destroy(ctx);
		return -1;
	}
	lf__dev_counters(ctx->dev->dev, &c);
	g_count[0] = c.allocs;
	g_count[1] = g_count[2] = c.h2d_transfers + c.d2h_transfers;
	g_count[3] = c.launches;
	g_count[4] = c.allocs + c.h2d_transfers + c.d2h_transfers + c.launches;
	g_count[5] = c.launches;
	lf_context_destroy(ctx);
	return 0;
}

static int suite_clean(void)
{
	lf_test_env_defaults();
	lf__tensor_release(&g_want);
	return 0;
}

static void campaign(size_t k)
{
	unsigned trials = 0, right = 0, clean = 0, fired = 0;

	for (uint64_t n = 1; n <= g_count[k] + 1; n++) {
		char dev[64], what[96];
		lf_context *ctx = NULL;
		struct lf_dev_counters c;
		lf_status st, st2;
		enum outcome r, again;

		snprintf(dev, sizeof(dev), "emu,fault=%s:%llu", kinds[k],
			 (unsigned long long)n);
		snprintf(what, sizeof(what), "%s:%llu", kinds[k],
			 (unsigned long long)n);
		CU_ASSERT_EQUAL_FATAL(lf_context_create(dev, NULL, &ctx),
				      LF_OK);
		trials++;
		r = load_and_run(ctx, what, &st);
		lf__dev_counters(ctx->dev->dev, &c);
		fired += c.faults_fired > 0;
		/* The occurrence after the last must not fire; it stays
		 * armed, so disarm it before the next load. */
		if (n == g_count[k] + 1) {
			struct lf_fault none = {LF_FAULT_NONE, 0, -1};
			CU_ASSERT_EQUAL(c.faults_fired, 0);
			CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &none),
					LF_OK);
		}
		/* The context still serves: right bytes now. */
		again = load_and_run(ctx, what, &st2);
		if (again != RIGHT)
			fprintf(stderr, "\n%s: the next load + run gave %s\n",
				what, lf_status_name(st2));
		CU_ASSERT_EQUAL(again, RIGHT);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);

		if (r == RIGHT) {
			right++;
		} else if (r == CLEAN_ERROR) {
			clean++;
		} else {
			fprintf(stderr, "\n%s: %s\n", what,
				r == WRONG_OK ? "wrong bytes with LF_OK"
					      : "broken error path");
			CU_FAIL("a fault gave wrong bytes or a broken error");
		}
	}
	/* Every occurrence but the extra one fired. */
	CU_ASSERT_EQUAL(fired, g_count[k]);
	fprintf(stderr,
		"\n  %s: %u trials (%llu occurrences + 1): %u right bytes, "
		"%u clean errors",
		kinds[k], trials, (unsigned long long)g_count[k], right, clean);
	fprintf(stderr, "\n ");
}

static void test_alloc(void)
{
	campaign(0);
}
static void test_dma_fail(void)
{
	campaign(1);
}
static void test_dma_corrupt(void)
{
	campaign(2);
}
static void test_cu_hang(void)
{
	campaign(3);
}
static void test_device_lost(void)
{
	campaign(4);
}
static void test_status_corrupt(void)
{
	campaign(5);
}

/* Run @m on data set @set; 1 if LF_OK with ORT's bytes @want, 0 if a
 * clean error (status and message), -1 if LF_OK with other bytes. */
static int run_set(lf_context *ctx, lf_model *m, int set,
		   const struct lf__tensor *want, lf_status *st_out)
{
	char path[128];
	lf_tensor *in, *out[1] = {NULL};
	lf_status st;
	int r = 0;

	snprintf(path, sizeof(path),
		 "tests/data/ort/fmnist_qop/test_data_set_%d/input_0.pb", set);
	in = lft_tensor_pb(ctx, path);
	st = in ? lf_model_run(m, &in, 1, out, 1, NULL) : LF_ERR_INTERNAL;
	if (st == LF_OK) {
		st = lf_tensor_to_host(out[0]);
		r = st == LF_OK &&
			    lf_tensor_bytes(out[0]) == lf__tensor_bytes(want) &&
			    memcmp(lf_tensor_data(out[0]), want->data,
				   lf__tensor_bytes(want)) == 0
			? 1
			: -1;
	} else {
		CU_ASSERT(lf_context_last_error(ctx)[0] != 0);
	}
	lf_tensor_destroy(in);
	lf_tensor_destroy(out[0]);
	*st_out = st;
	return r;
}

/*
 * A run's success must be proven by that run's statuses. The descriptors
 * of a plan stay on the card between runs (uploaded once), and the kernel
 * stops at its first failing descriptor leaving the rest as they were; if
 * the last status word still held the previous run's LF_KST_OK, a run
 * that stopped early would read as a success. Here, after a first run,
 * device memory changes under the first descriptor of every launch (its
 * magic cleared, as a stray write or a memory bit flip would), so the
 * next run, on another input of the same shape (data set 2, so the same
 * plan and the same descriptor lists), stops at descriptor 0 and leaves
 * the previous run's outputs in the arena. It must give a clean error (the
 * fallback is off), not LF_OK with data set 0's bytes; the run after it
 * re-uploads the descriptors and gives data set 2's bytes.
 */
static void test_stale_status(void)
{
	char err[512];
	struct lf__tensor want1;
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	struct lf_tl_event ev[256];
	uint32_t got = 0, poked = 0, zero = 0;
	lf_status st;

	memset(&want1, 0, sizeof(want1));
	CU_ASSERT_EQUAL_FATAL(
	    lf__onnx_tensor_read("tests/data/ort/fmnist_qop/test_data_set_2/"
				 "output_0.pb",
				 &want1, err, sizeof(err)),
	    LF_OK);
	/* The two data sets' outputs differ, so stale bytes show. */
	CU_ASSERT(lf__tensor_bytes(&want1) != lf__tensor_bytes(&g_want) ||
		  memcmp(want1.data, g_want.data, lf__tensor_bytes(&want1)));
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, MODEL, &m), LF_OK);
	CU_ASSERT_EQUAL(run_set(ctx, m, 0, &g_want, &st), 1);
	/* Each launch's first pointer argument is its descriptor list. */
	CU_ASSERT_EQUAL(lf__dev_timeline(ctx->dev->dev, 0, ev, 256, &got),
			LF_OK);
	CU_ASSERT(got < 256);
	for (uint32_t i = 0; i < got; i++)
		if (ev[i].kind == LF_TL_RUN) {
			CU_ASSERT_EQUAL(lf__emu_dev_poke(ctx->dev->dev,
							 ev[i].addr, &zero, 4),
					LF_OK);
			poked++;
		}
	CU_ASSERT(poked > 0);
	CU_ASSERT_EQUAL(run_set(ctx, m, 2, &want1, &st), 0);
	CU_ASSERT_EQUAL(st, LF_ERR_KERNEL);
	if (st != LF_OK)
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(lf_context_last_error(ctx), "LF_KST_BAD_MAGIC"));
	CU_ASSERT_EQUAL(run_set(ctx, m, 2, &want1, &st), 1);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	lf__tensor_release(&want1);
}

/*
 * The status word echoes the descriptor's nonce (lf_desc.h): by hand,
 * st + (nonce mod 2^24) * 256 modulo 2^32, and back.
 */
static void test_status_word(void)
{
	CU_ASSERT_EQUAL(lf_kst_word(LF_KST_OK, 0), 1u);
	CU_ASSERT_EQUAL(lf_kst_word(LF_KST_BOUNDS, 0), 0xfffffffau);
	/* 0x12345600 - 5 */
	CU_ASSERT_EQUAL(lf_kst_word(LF_KST_LIMIT, 0x123456), 0x123455fbu);
	/* 0xab000000 + 1: bits above 24 dropped */
	CU_ASSERT_EQUAL(lf_kst_word(LF_KST_OK, 0x7fab0000u), 0xab000001u);
	CU_ASSERT_EQUAL(lf_kst_code(0x123455fbu), LF_KST_LIMIT);
	CU_ASSERT_EQUAL(lf_kst_nonce(0x123455fbu), 0x123456u);
	CU_ASSERT_EQUAL(lf_kst_code(0xfffffffau), LF_KST_BOUNDS);
	CU_ASSERT_EQUAL(lf_kst_nonce(0xfffffffau), 0u);
	CU_ASSERT_EQUAL(lf_kst_code(0xab000001u), LF_KST_OK);
	CU_ASSERT_EQUAL(lf_kst_nonce(0xab000001u), 0xab0000u);
	/* A pending word with bit 0 flipped is OK without a nonce. */
	CU_ASSERT_NOT_EQUAL(lf_kst_word(LF_KST_PENDING, 0) ^ 1u,
			    lf_kst_word(LF_KST_OK, 7));
}

/*
 * A warm run (descriptors on the card from the run before) whose kernel
 * never runs and whose last status word reads a bare LF_KST_OK
 * (status_corrupt: a stale or flipped word). Data set 2 after data set
 * 0, fallback off: the arena still holds data set 0's outputs, which a
 * host that accepted the word would return with LF_OK. The word does not
 * echo the run's nonce, so the run is retried on the device: data set
 * 2's bytes.
 */
static void test_status_stale_warm(void)
{
	char err[512];
	struct lf__tensor want1;
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	struct lf_dev_counters c;
	struct lf_fault f = {LF_FAULT_STATUS_CORRUPT, 1, -1};
	lf_status st;

	memset(&want1, 0, sizeof(want1));
	CU_ASSERT_EQUAL_FATAL(
	    lf__onnx_tensor_read("tests/data/ort/fmnist_qop/test_data_set_2/"
				 "output_0.pb",
				 &want1, err, sizeof(err)),
	    LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, MODEL, &m), LF_OK);
	CU_ASSERT_EQUAL(run_set(ctx, m, 0, &g_want, &st), 1);
	CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f), LF_OK);
	CU_ASSERT_EQUAL(run_set(ctx, m, 2, &want1, &st), 1);
	lf__dev_counters(ctx->dev->dev, &c);
	CU_ASSERT_EQUAL(c.faults_fired, 1);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	lf__tensor_release(&want1);
}

/*
 * A weight upload corrupted at load must not poison the model: the
 * weights stay on the card for every later run, one copy per bank its CUs
 * read, so one flipped byte made every run on the CUs of that copy wrong
 * with LF_OK (reliability review 3, "corrupted copy"). For every transfer
 * of an open + load (the weight uploads and whatever checks them), a
 * dma_corrupt there, then a run on every run slot (slot i runs on its own
 * CUs, which read their own copy): ORT's bytes or a clean error, never
 * LF_OK with other bytes.
 */
static void test_corrupt_weights(void)
{
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	struct lf_dev_counters c;
	uint64_t loads;
	unsigned wrong = 0, right = 0, errors = 0;
	lf_status st;

	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, MODEL, &m), LF_OK);
	lf__dev_counters(ctx->dev->dev, &c);
	loads = c.h2d_transfers + c.d2h_transfers;
	CU_ASSERT(loads >= 2); /* aws-f1: two weight copies at least */
	CU_ASSERT(m->nslots >= 2);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	for (uint64_t n = 1; n <= loads; n++) {
		char dev[64];

		snprintf(dev, sizeof(dev), "emu,fault=dma_corrupt:%llu",
			 (unsigned long long)n);
		CU_ASSERT_EQUAL_FATAL(lf_context_create(dev, NULL, &ctx),
				      LF_OK);
		ctx->fallback = 0;
		st = lf_model_load(ctx, MODEL, &m);
		if (st != LF_OK) {
			CU_ASSERT(lf_context_last_error(ctx)[0] != 0);
			errors++;
		}
		for (unsigned slot = 0; st == LF_OK && slot < m->nslots;
		     slot++) {
			lf_status rst;
			int r;

			/* Hold the slots below @slot, as runs in flight
			 * would. */
			pthread_mutex_lock(&m->mu);
			for (unsigned k = 0; k < slot; k++)
				m->slots[k].busy = 1;
			pthread_mutex_unlock(&m->mu);
			r = run_set(ctx, m, 0, &g_want, &rst);
			pthread_mutex_lock(&m->mu);
			for (unsigned k = 0; k < slot; k++)
				m->slots[k].busy = 0;
			pthread_mutex_unlock(&m->mu);
			if (r < 0)
				fprintf(stderr,
					"\n  dma_corrupt:%llu at load: slot %u "
					"gave wrong bytes with LF_OK",
					(unsigned long long)n, slot);
			wrong += r < 0;
			right += r > 0;
			errors += r == 0;
		}
		if (m)
			CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		m = NULL;
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	fprintf(stderr,
		"\n  %llu load transfers corrupted: %u runs right, %u clean "
		"errors, %u wrong with LF_OK\n ",
		(unsigned long long)loads, right, errors, wrong);
	CU_ASSERT_EQUAL(wrong, 0);
}

/*
 * LAYERFAB_FALLBACK=off holds after the device is lost during a load
 * (reliability review 3): that load fails, and so does the next one on
 * the same context, with LF_ERR_DEVICE_LOST, instead of a model planned
 * wholly on the CPU; so does a load whose own fallback option is off.
 * With the fallback on, the next load runs on the CPU and gives ORT's
 * bytes.
 */
static void test_lost_fallback_off(void)
{
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lf_status st;

	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu,fault=device_lost:1", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	CU_ASSERT_EQUAL(lf_model_load(ctx, MODEL, &m), LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_EQUAL(lf_model_load(ctx, MODEL, &m), LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(lf_context_last_error(ctx), "the fallback is off"));
	/* The model's own option overrides the context's. */
	ctx->fallback = 1;
	lf_options *o = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_options_create(&o), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_fallback(o, LF_FALLBACK_OFF), LF_OK);
	CU_ASSERT_EQUAL(lf_model_load_opts(ctx, MODEL, o, &m),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_PTR_NULL(m);
	lf_options_destroy(o);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, MODEL, &m), LF_OK);
	CU_ASSERT_EQUAL(run_set(ctx, m, 0, &g_want, &st), 1);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * Single layer ops check their transfers too: lf_conv2d moves weights,
 * descriptors and input up and its output down on every call (run.c). A
 * dma_corrupt at each transfer of a context open + one conv, fallback off
 * (so the device path must cure it itself): the CPU reference's bytes
 * (hostlib/cpu, lft_conv_check), computed on the device.
 */
static void test_single_op_corrupt(void)
{
	const struct lft_conv c = {.xt = LF_DTYPE_UINT8,
				   .wt = LF_DTYPE_INT8,
				   .yt = LF_DTYPE_UINT8,
				   .n = 1,
				   .ic = 8,
				   .ih = 9,
				   .iw = 9,
				   .oc = 8,
				   .kh = 3,
				   .kw = 3,
				   .sh = 1,
				   .sw = 1,
				   .pt = 1,
				   .pl = 1,
				   .pb = 1,
				   .pr = 1,
				   .dh = 1,
				   .dw = 1,
				   .groups = 1,
				   .per_ch = 1,
				   .bias = 1,
				   .act = LF_ACT_NONE,
				   .seed = 15};
	lf_context *ctx = NULL;
	struct lf_dev_counters k;
	char where[16] = "";

	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	CU_ASSERT(lft_conv_check(ctx, &c, where));
	CU_ASSERT_STRING_EQUAL(where, "device");
	lf__dev_counters(ctx->dev->dev, &k);
	uint64_t total = k.h2d_transfers + k.d2h_transfers;
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	CU_ASSERT(total >= 4);
	for (uint64_t n = 1; n <= total; n++) {
		char dev[64];
		snprintf(dev, sizeof(dev), "emu,fault=dma_corrupt:%llu",
			 (unsigned long long)n);
		CU_ASSERT_EQUAL_FATAL(lf_context_create(dev, NULL, &ctx),
				      LF_OK);
		ctx->fallback = 0;
		where[0] = 0;
		if (!lft_conv_check(ctx, &c, where))
			fprintf(stderr, "\n  dma_corrupt:%llu: conv wrong",
				(unsigned long long)n);
		CU_ASSERT_STRING_EQUAL(where, "device");
		lf__dev_counters(ctx->dev->dev, &k);
		CU_ASSERT_EQUAL(k.faults_fired, 1);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
}

/*
 * A tensor's device copy (lf_tensor_to_device, then lf_tensor_to_host
 * after the host copy was dropped) with a dma_corrupt at each of the
 * transfers: the bytes come back as they were, or a clean error.
 */
static void test_tensor_corrupt(void)
{
	int64_t dims[2] = {64, 64};
	uint8_t want[64 * 64];
	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i * 7 + 3);
	for (unsigned n = 1; n <= 8; n++) {
		char dev[64];
		lf_context *ctx = NULL;
		lf_tensor *t = NULL;
		snprintf(dev, sizeof(dev), "emu,fault=dma_corrupt:%u", n);
		CU_ASSERT_EQUAL_FATAL(lf_context_create(dev, NULL, &ctx),
				      LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_tensor_create(ctx, LF_DTYPE_UINT8, 2, dims, NULL, &t),
		    LF_OK);
		memcpy(lf_tensor_data(t), want, sizeof(want));
		lf_status st = lf_tensor_to_device(t);
		if (st == LF_OK) {
			/* Only the device copy is valid now. */
			pthread_mutex_lock(&t->lock);
			t->host_valid = 0;
			memset(t->data, 0, sizeof(want));
			pthread_mutex_unlock(&t->lock);
			st = lf_tensor_to_host(t);
		}
		if (st == LF_OK) {
			CU_ASSERT(
			    memcmp(lf_tensor_data(t), want, sizeof(want)) == 0);
		} else {
			CU_ASSERT(lf_context_last_error(ctx)[0] != 0);
		}
		lf_tensor_destroy(t);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
}

/* ---- weights over banks ------------------------------------------------ */

/*
 * y = mm3(mm2(mm1(x))): QLinearMatMul x [1,K] uint8, w1 and w2 [K,K],
 * w3 [K,n3] int8 (a fixed pseudo-random sequence), per-tensor scales. Its
 * weights are 2 K^2 + K n3 bytes plus per-column arrays.
 */
#define BK_K 1024
#define BK_N 16
static uint8_t *bank_model(int64_t n3, size_t *len)
{
	int64_t xd[2] = {1, BK_K}, wd[2] = {BK_K, BK_K}, w3d[2] = {BK_K, n3},
		yd[2] = {1, n3};
	float xs = 0.02f, ws = 0.01f, hs = 0.5f;
	uint8_t z = 128;
	int8_t wz = 0;
	int8_t *w = malloc((size_t)BK_K * BK_K);
	if (!w)
		return NULL;
	uint32_t v = 12345;
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 2, 2, xd);
	lft_onnx_output(b, "y", 2, 2, yd);
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < (size_t)BK_K * BK_K; i++) {
			v = v * 1103515245u + 12345u;
			w[i] = (int8_t)(v >> 16);
		}
		char name[16]; /* "w%d": gcc -O1 (make check-asan) sizes the int
				  as 11 digits */
		snprintf(name, sizeof(name), "w%d", k + 1);
		lft_onnx_init(b, name, 3, 2, k < 2 ? wd : w3d, w,
			      (size_t)BK_K * (size_t)(k < 2 ? BK_K : n3));
	}
	lft_onnx_init(b, "xs", 1, 0, NULL, &xs, 4);
	lft_onnx_init(b, "ws", 1, 0, NULL, &ws, 4);
	lft_onnx_init(b, "hs", 1, 0, NULL, &hs, 4);
	lft_onnx_init(b, "z", 2, 0, NULL, &z, 1);
	lft_onnx_init(b, "wz", 3, 0, NULL, &wz, 1);
	lft_onnx_node(b, "QLinearMatMul", "", "mm1", "x,xs,z,w1,ws,wz,hs,z",
		      "h1");
	lft_onnx_node(b, "QLinearMatMul", "", "mm2", "h1,hs,z,w2,ws,wz,hs,z",
		      "h2");
	lft_onnx_node(b, "QLinearMatMul", "", "mm3", "h2,hs,z,w3,ws,wz,hs,z",
		      "y");
	free(w);
	return lft_onnx_finish(b, len);
}

/* Load @onnx on @ctx and run it on @x; the output in @y (BK_N bytes),
 * the run's profile in @prof (may be NULL). */
static lf_status bank_run_prof(lf_context *ctx, const uint8_t *onnx, size_t len,
			       const uint8_t *x, uint8_t *y,
			       lf_run_profile *prof)
{
	int64_t xd[2] = {1, BK_K};
	lf_model *m = NULL;
	lf_tensor *in = NULL, *out[1] = {NULL};
	lf_status st = lf_model_load_memory(ctx, onnx, len, NULL, &m);
	if (st == LF_OK && !y) {
		CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
		return LF_OK; /* load only */
	}
	if (st == LF_OK)
		st = lf_tensor_create(ctx, LF_DTYPE_UINT8, 2, xd, NULL, &in);
	if (st == LF_OK) {
		memcpy(lf_tensor_data(in), x, BK_K);
		st = lf_model_run(m, &in, 1, out, 1, prof);
	}
	if (st == LF_OK)
		st = lf_tensor_to_host(out[0]);
	if (st == LF_OK && lf_tensor_bytes(out[0]) == BK_N)
		memcpy(y, lf_tensor_data(out[0]), BK_N);
	else if (st == LF_OK)
		st = LF_ERR_INTERNAL;
	lf_tensor_destroy(in);
	lf_tensor_destroy(out[0]);
	lf_status d = m ? lf_model_destroy(m) : LF_OK;
	CU_ASSERT_EQUAL(d, LF_OK);
	return st;
}

static lf_status bank_run(lf_context *ctx, const uint8_t *onnx, size_t len,
			  const uint8_t *x, uint8_t *y)
{
	return bank_run_prof(ctx, onnx, len, x, y, NULL);
}

/*
 * Weights larger than one bank, smaller than the card (reliability review
 * 5: 81 MiB on 2 x 64 MiB failed the load): 2.03 MiB of weights on
 * emu:tiny with 2 MiB banks. Before, the load failed ("has no free
 * range"); now the weights are two groups, one per bank, each segment on
 * the CU that reads its group, and the bytes are the cpu device's (the
 * reference, hostlib/cpu). The fallback is off: every layer on the card.
 * Three 1 MiB layers on 1.1 MiB banks need three groups for two banks:
 * the load fails with LF_ERR_NO_DEVICE_MEMORY naming the figures. With an
 * allocation fault at every allocation of the load and run: the cpu
 * bytes or a clean error, the model destroyed, no device buffer left.
 */
static void test_weights_over_banks(void)
{
	size_t len = 0, len3 = 0;
	uint8_t *onnx = bank_model(BK_N, &len);
	uint8_t *onnx3 = bank_model(BK_K, &len3);
	uint8_t x[BK_K], want[BK_N], got[BK_N];
	lf_context *ctx = NULL;
	struct lf_dev_counters c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(onnx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(onnx3);
	for (int i = 0; i < BK_K; i++)
		x[i] = (uint8_t)(i * 37 + 11);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL_FATAL(bank_run(ctx, onnx, len, x, want), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	/* The outputs are not one saturated value. */
	int spread = 0;
	for (int i = 1; i < BK_N; i++)
		spread |= want[i] != want[0];
	CU_ASSERT(spread);

	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:tiny,bank_size=2M", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	memset(got, 0, sizeof(got));
	lf_status st = bank_run(ctx, onnx, len, x, got);
	if (st)
		fprintf(stderr, "\n  2 MiB banks: %s\n", lf_last_error());
	CU_ASSERT_EQUAL(st, LF_OK);
	CU_ASSERT(memcmp(got, want, BK_N) == 0);
	lf__dev_counters(ctx->dev->dev, &c);
	uint64_t allocs = c.allocs;
	CU_ASSERT_EQUAL(c.live_bos, 0);
	/* On the card, over both banks: two CUs ran (tiny's two engine CUs
	 * read their params from different banks). */
	unsigned cus = 0;
	for (uint32_t i = 0; i < c.ncus; i++)
		cus += c.cu[i].runs > 0;
	CU_ASSERT_EQUAL(cus, 2);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);

	/* 1 MiB banks: the two 1 MiB layers fit no bank. The fallback off
	 * forbids running them on the CPU: the load fails, naming the first
	 * and why (before, it loaded and ran them on the CPU silently). */
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:tiny,bank_size=1M", NULL, &ctx), LF_OK);
	ctx->fallback = 0;
	st = bank_run(ctx, onnx, len, x, got);
	CU_ASSERT_EQUAL(st, LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), "'mm1'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), "> a bank's"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), "fallback is off"));
	lf__dev_counters(ctx->dev->dev, &c);
	CU_ASSERT_EQUAL(c.live_bos, 0);
	/* The fallback on: they run on the CPU, the last on the card, the
	 * cpu bytes, and the profile says why each is on the CPU. */
	ctx->fallback = 1;
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	memset(got, 0, sizeof(got));
	st = bank_run_prof(ctx, onnx, len, x, got, prof);
	if (st)
		fprintf(stderr, "\n  1 MiB banks: %s\n", lf_last_error());
	CU_ASSERT_EQUAL(st, LF_OK);
	CU_ASSERT(memcmp(got, want, BK_N) == 0);
	lf__dev_counters(ctx->dev->dev, &c);
	CU_ASSERT_EQUAL(c.launches, 1);
	unsigned why_bank = 0, on_dev = 0;
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		on_dev += strcmp(r.where, "device") == 0 && !r.cpu_why[0];
		why_bank += strcmp(r.where, "cpu") == 0 &&
			    strstr(r.cpu_why, "> a bank's") != NULL;
	}
	CU_ASSERT_EQUAL(why_bank, 2);
	CU_ASSERT_EQUAL(on_dev, 1);
	lf_run_profile_destroy(prof);
	/* Every layer too big for a bank: the model loads for the CPU. */
	CU_ASSERT_EQUAL(bank_run(ctx, onnx3, len3, x, NULL), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);

	/* Three 1 MiB layers, two 1.1 MiB banks. */
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create("emu:tiny,bank_size=1100K", NULL, &ctx), LF_OK);
	st = bank_run(ctx, onnx3, len3, x, NULL);
	CU_ASSERT_EQUAL(st, LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), "fits no bank"));
	fprintf(stderr, "\n  too big: %s", lf_last_error());
	lf__dev_counters(ctx->dev->dev, &c);
	CU_ASSERT_EQUAL(c.live_bos, 0);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);

	unsigned right = 0, errors = 0;
	for (uint64_t n = 1; n <= allocs + 1; n++) {
		char dev[64];
		snprintf(dev, sizeof(dev),
			 "emu:tiny,bank_size=2M,fault=alloc:%llu",
			 (unsigned long long)n);
		CU_ASSERT_EQUAL_FATAL(lf_context_create(dev, NULL, &ctx),
				      LF_OK);
		ctx->fallback = 0;
		memset(got, 0, sizeof(got));
		st = bank_run(ctx, onnx, len, x, got);
		if (st == LF_OK) {
			CU_ASSERT(memcmp(got, want, BK_N) == 0);
			right++;
		} else {
			CU_ASSERT(lf_context_last_error(ctx)[0] != 0);
			errors++;
		}
		lf__dev_counters(ctx->dev->dev, &c);
		CU_ASSERT_EQUAL(c.live_bos, 0);
		CU_ASSERT_EQUAL(c.faults_fired, n <= allocs);
		CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	}
	fprintf(stderr,
		"\n  weights over 2 banks: alloc fault at each of %llu "
		"allocations: %u right, %u clean errors\n ",
		(unsigned long long)allocs, right, errors);
	free(onnx);
	free(onnx3);
}

void lf_test_suite_fault_campaign(void)
{
	static const struct lf_test_case cases[] = {
	    {"alloc", test_alloc},
	    {"dma_fail", test_dma_fail},
	    {"dma_corrupt", test_dma_corrupt},
	    {"cu_hang", test_cu_hang},
	    {"device_lost", test_device_lost},
	    {"status_corrupt", test_status_corrupt},
	    {"status_word", test_status_word},
	    {"status_stale_warm", test_status_stale_warm},
	    {"stale_status", test_stale_status},
	    {"corrupt_weights", test_corrupt_weights},
	    {"lost_fallback_off", test_lost_fallback_off},
	    {"single_op_corrupt", test_single_op_corrupt},
	    {"tensor_corrupt", test_tensor_corrupt},
	    {"weights_over_banks", test_weights_over_banks},
	    {NULL, NULL}};
	lf_test_add_suite("fault_campaign", suite_init, suite_clean, cases);
}
