/*
 * test_options.c - the "options" suite: lf_options (per-context and
 * per-model settings over the LAYERFAB_* environment), the public
 * structs' struct_size rule (include/layerfab.h), and lf_model_run_async.
 *
 * Expected bytes come from ONNX Runtime (tests/data/ort/fmnist_qop, set 1
 * is a batch of 8); expected messages are the documented ones.
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

#define FMNIST "tests/data/ort/fmnist_qop"

static lf_options *opts(void)
{
	lf_options *o = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_options_create(&o), LF_OK);
	return o;
}

static int has(const char *msg, const char *what)
{
	if (strstr(msg, what))
		return 1;
	fprintf(stderr, "\nmessage \"%s\" lacks \"%s\"\n", msg, what);
	return 0;
}

/* Every setter checks its value at once and names it. */
static void test_setters(void)
{
	lf_options *o = opts();
	CU_ASSERT_EQUAL(lf_options_create(NULL), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_fallback(NULL, LF_FALLBACK_ON),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_fallback(o, (lf_fallback)7),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "7"));
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 0), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 86400001u),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "86400001"));
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 86400000u), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, 0), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, 65), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, 64), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_trust_xclbin(o, 2), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf_options_set_trust_xclbin(o, 0), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_memory_limit(o, 1), LF_OK);

	/* By name, in the forms the environment variables take. */
	static const char *const good[][2] = {
	    {"fallback", "off"},      {"fallback", "true"},
	    {"timeout_ms", "1"},      {"cpu_threads", "3"},
	    {"trust_xclbin", "1"},    {"memory_limit", "64M"},
	    {"memory_limit", "4096"}, {"memory_limit", "0"}};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(lf_options_set(o, good[i][0], good[i][1]),
				LF_OK);
	static const char *const bad[][2] = {
	    {"fallback", "maybe"},
	    {"timeout_ms", "abc"},
	    {"timeout_ms", "0"},
	    {"timeout_ms", "-5"},
	    {"timeout_ms", ""},
	    {"cpu_threads", "65"},
	    {"trust_xclbin", "yes"},
	    {"memory_limit", "12X"},
	    {"memory_limit", "1MB"},
	    {"memory_limit", "99999999999999999999"},
	    {"memory_limit", "17179869184G"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(lf_options_set(o, bad[i][0], bad[i][1]),
				LF_ERR_INVALID_ARG);
		CU_ASSERT(has(lf_last_error(), bad[i][0]));
	}
	CU_ASSERT_EQUAL(lf_options_set(o, "colour", "blue"), LF_ERR_NOT_FOUND);
	CU_ASSERT(has(lf_last_error(), "memory_limit"));
	CU_ASSERT_EQUAL(lf_options_set(o, NULL, "1"), LF_ERR_INVALID_ARG);
	lf_options_destroy(o);
	lf_options_destroy(NULL);
}

/* The context keeps what it was given; the options object may go. */
static void test_context_settings(void)
{
	unsetenv("LAYERFAB_FALLBACK");
	unsetenv("LAYERFAB_TIMEOUT_MS");
	lf_options *o = opts();
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL(lf_options_set(o, "fallback", "off"), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 1234), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, 5), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create_opts("emu", lft_xclbin("default"), o, &ctx),
	    LF_OK);
	lf_options_destroy(o);
	CU_ASSERT_EQUAL(ctx->fallback, 0);
	CU_ASSERT_EQUAL(ctx->cpu_threads, 5);
	CU_ASSERT_EQUAL(ctx->dev->timeout_ms, 1234);
	lf_context_destroy(ctx);

	/* Unset options: the environment, else the defaults. */
	setenv("LAYERFAB_FALLBACK", "off", 1);
	setenv("LAYERFAB_TIMEOUT_MS", "777", 1);
	o = opts();
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create_opts("emu", lft_xclbin("default"), o, &ctx),
	    LF_OK);
	CU_ASSERT_EQUAL(ctx->fallback, 0);
	CU_ASSERT_EQUAL(ctx->cpu_threads, 1);
	CU_ASSERT_EQUAL(ctx->dev->timeout_ms, 777);
	lf_context_destroy(ctx);
	/* A set option wins over the variable. */
	CU_ASSERT_EQUAL(lf_options_set_fallback(o, LF_FALLBACK_ON), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 55), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create_opts("emu", lft_xclbin("default"), o, &ctx),
	    LF_OK);
	CU_ASSERT_EQUAL(ctx->fallback, 1);
	CU_ASSERT_EQUAL(ctx->dev->timeout_ms, 55);
	lf_context_destroy(ctx);
	/* An invalid variable stays an error, named, options or not. */
	setenv("LAYERFAB_TIMEOUT_MS", "abc", 1);
	ctx = NULL;
	CU_ASSERT_EQUAL(lf_context_create_opts("cpu", NULL, o, &ctx),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT(has(lf_last_error(), "LAYERFAB_TIMEOUT_MS"));
	unsetenv("LAYERFAB_TIMEOUT_MS");
	unsetenv("LAYERFAB_FALLBACK");
	/* NULL options: as lf_context_create(). */
	CU_ASSERT_EQUAL_FATAL(lf_context_create_opts("cpu", NULL, NULL, &ctx),
			      LF_OK);
	CU_ASSERT_EQUAL(ctx->fallback, 1);
	lf_context_destroy(ctx);
	lf_options_destroy(o);
}

static lf_tensor *batch8(lf_context *ctx)
{
	return lft_tensor_pb(ctx, FMNIST "/test_data_set_1/input_0.pb");
}

static lf_tensor *ort8(lf_context *ctx)
{
	return lft_tensor_pb(ctx, FMNIST "/test_data_set_1/output_0.pb");
}

/*
 * The timeout reaches the device: a hung run (fault cu_hang) is given up
 * after the option's 40 ms (the emulator's message says so; without the
 * option it would say 60000), retried once and the result is ORT's.
 */
static void test_timeout(void)
{
	lf_options *o = opts();
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL(lf_options_set_timeout_ms(o, 40), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create_opts("emu,fault=cu_hang:1",
						     lft_xclbin("default"), o,
						     &ctx),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	lf_tensor *in = batch8(ctx), *want = ort8(ctx), *out[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	CU_ASSERT(out[0] && lft_same(out[0], want, 1, "after a hang"));
	int seen = 0;
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		if (r.seg_failures && r.fail_status == LF_ERR_TIMEOUT)
			seen += has(r.fail_reason, "after 40 ms");
	}
	CU_ASSERT(seen > 0);
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_tensor_destroy(want);
	lf_run_profile_destroy(prof);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	lf_options_destroy(o);
}

static void lose_device(lf_context *ctx)
{
	struct lf_fault f = {LF_FAULT_DEVICE_LOST, 1, -1};
	CU_ASSERT_EQUAL(lf__dev_fault(ctx->dev->dev, &f), LF_OK);
}

/*
 * Fallback: the context's option, and a model's own option over it. A
 * lost device fails the run where the fallback is off, and gives ORT's
 * bytes from the CPU where it is on.
 */
static void test_fallback(void)
{
	unsetenv("LAYERFAB_FALLBACK");
	lf_options *off = opts(), *on = opts();
	CU_ASSERT_EQUAL(lf_options_set_fallback(off, LF_FALLBACK_OFF), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_fallback(on, LF_FALLBACK_ON), LF_OK);
	for (int ctx_on = 0; ctx_on < 2; ctx_on++) {
		lf_context *ctx = NULL;
		lf_model *mc = NULL, *mm = NULL; /* context's, own option */
		CU_ASSERT_EQUAL_FATAL(
		    lf_context_create_opts("emu", lft_xclbin("default"),
					   ctx_on ? on : off, &ctx),
		    LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load(ctx, FMNIST "/model.onnx", &mc), LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_opts(ctx, FMNIST "/model.onnx",
				       ctx_on ? off : on, &mm),
		    LF_OK);
		lose_device(ctx);
		lf_tensor *in = batch8(ctx), *want = ort8(ctx);
		lf_model *yes = ctx_on ? mc : mm, *no = ctx_on ? mm : mc;
		lf_tensor *out[1] = {NULL};
		CU_ASSERT_EQUAL(lf_model_run(no, &in, 1, out, 1, NULL),
				LF_ERR_DEVICE_LOST);
		CU_ASSERT_PTR_NULL(out[0]);
		CU_ASSERT(has(lf_context_last_error(ctx), "fallback option"));
		CU_ASSERT_EQUAL(lf_model_run(yes, &in, 1, out, 1, NULL), LF_OK);
		CU_ASSERT(out[0] && lft_same(out[0], want, 1, "on the CPU"));
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(in);
		lf_tensor_destroy(want);
		lf_model_destroy(mc);
		lf_model_destroy(mm);
		lf_context_destroy(ctx);
	}
	lf_options_destroy(off);
	lf_options_destroy(on);
}

/* Options of the device given to a model: a clear error. */
static void test_model_device_options(void)
{
	static const char *const keys[][2] = {{"timeout_ms", "10"},
					      {"trust_xclbin", "1"},
					      {"memory_limit", "1M"}};
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &ctx), LF_OK);
	for (size_t i = 0; i < 3; i++) {
		lf_options *o = opts();
		lf_model *m = NULL;
		CU_ASSERT_EQUAL(lf_options_set(o, keys[i][0], keys[i][1]),
				LF_OK);
		CU_ASSERT_EQUAL(
		    lf_model_load_opts(ctx, FMNIST "/model.onnx", o, &m),
		    LF_ERR_INVALID_ARG);
		CU_ASSERT_PTR_NULL(m);
		CU_ASSERT(has(lf_context_last_error(ctx), keys[i][0]));
		CU_ASSERT(
		    has(lf_context_last_error(ctx), "lf_context_create_opts"));
		lf_options_destroy(o);
	}
	lf_context_destroy(ctx);
}

/*
 * Memory limit: per device, over every buffer. 1 KiB cannot hold
 * fmnist's weights (the load fails, naming the limit); 64 MiB can, and
 * the run gives ORT's bytes.
 */
static void test_memory_limit(void)
{
	lf_options *o = opts();
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	CU_ASSERT_EQUAL(lf_options_set(o, "memory_limit", "1K"), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create_opts("emu", lft_xclbin("default"), o, &ctx),
	    LF_OK);
	CU_ASSERT_EQUAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT(has(lf_context_last_error(ctx), "memory limit of 1024"));
	lf_context_destroy(ctx);

	CU_ASSERT_EQUAL(lf_options_set_memory_limit(o, 64u << 20), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_context_create_opts("emu", lft_xclbin("default"), o, &ctx),
	    LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			      LF_OK);
	lf_tensor *in = batch8(ctx), *want = ort8(ctx), *out[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
	CU_ASSERT(out[0] && lft_same(out[0], want, 1, "under a limit"));
	struct lf_dev_counters c;
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->dev->dev, &c), LF_OK);
	CU_ASSERT(c.live_bytes <= (64u << 20));
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_tensor_destroy(want);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	lf_options_destroy(o);
}

/*
 * CPU threads: the cpu device cuts the batch of 8 into 2, 3 (3+3+2) or 8
 * slices run on their own threads; every split gives ORT's bytes for all
 * three data sets (sets 0 and 2 are single images: not split).
 */
static void test_cpu_threads(void)
{
	static const unsigned threads[] = {2, 3, 8};
	for (size_t i = 0; i < 3; i++) {
		lf_options *o = opts();
		lf_context *ctx = NULL;
		CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, threads[i]),
				LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_context_create_opts("cpu", NULL, o, &ctx), LF_OK);
		CU_ASSERT_EQUAL(lft_run_case(ctx, FMNIST, 1, NULL), 3);
		/* A model's own setting, and its run slots (one per thread
		 * at least). */
		lf_model *m = NULL;
		CU_ASSERT_EQUAL(lf_options_set_cpu_threads(o, 6), LF_OK);
		CU_ASSERT_EQUAL_FATAL(
		    lf_model_load_opts(ctx, FMNIST "/model.onnx", o, &m),
		    LF_OK);
		CU_ASSERT_EQUAL(m->cpu_threads, 6);
		CU_ASSERT(m->nslots >= 6);
		lf_tensor *in = batch8(ctx), *want = ort8(ctx);
		lf_tensor *out[1] = {NULL};
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, NULL), LF_OK);
		CU_ASSERT(out[0] && lft_same(out[0], want, 1, "6 threads"));
		lf_tensor_destroy(out[0]);
		lf_tensor_destroy(in);
		lf_tensor_destroy(want);
		lf_model_destroy(m);
		lf_context_destroy(ctx);
		lf_options_destroy(o);
	}
}

/*
 * struct_size: 0 (forgotten) is an error naming the struct, on the way
 * in and out; a larger struct (an application built against a later
 * header) is written only up to this version's size.
 */
static void test_struct_size(void)
{
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &ctx), LF_OK);
	struct lf_device_info bad = {0};
	CU_ASSERT_EQUAL(lf_context_device_info(ctx, &bad), LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_device_info"));
	CU_ASSERT(has(lf_last_error(), "struct_size is 0"));
	CU_ASSERT_PTR_NULL(bad.backend); /* untouched */

	/* A later, larger struct: the tail is left alone. */
	struct {
		struct lf_device_info v;
		unsigned char tail[32];
	} big;
	memset(&big, 0xab, sizeof(big));
	big.v.struct_size = sizeof(big);
	CU_ASSERT_EQUAL(lf_context_device_info(ctx, &big.v), LF_OK);
	CU_ASSERT_STRING_EQUAL(big.v.backend, "cpu");
	CU_ASSERT_EQUAL(big.v.struct_size, sizeof(big));
	for (size_t i = 0; i < sizeof(big.tail); i++)
		CU_ASSERT_EQUAL(big.tail[i], 0xab);

	/* Structs coming in. */
	float s = 0.5f;
	struct lf_quant q0 = {0};
	q0.scale = &s;
	q0.count = 1;
	int64_t d[4] = {1, 1, 3, 3};
	lf_tensor *x = NULL, *w = NULL, *y = NULL;
	CU_ASSERT_EQUAL(lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, d, &q0, &x),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_quant"));
	struct lf_quant q = LF_STRUCT_INIT(struct lf_quant);
	q.scale = &s;
	q.count = 1;
	int64_t wd[4] = {1, 1, 1, 1}, yd[4] = {1, 1, 3, 3};
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, d, &q, &x), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_INT8, 4, wd, &q, &w), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, yd, &q, &y), LF_OK);
	struct lf_conv2d_params p0 = {0};
	CU_ASSERT_EQUAL(lf_conv2d(ctx, x, w, NULL, &p0, y), LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_conv2d_params"));
	/* A later header's params: the unknown tail is not read (garbage
	 * there changes nothing). */
	struct {
		struct lf_conv2d_params v;
		unsigned char tail[16];
	} pb;
	memset(&pb, 0, sizeof(pb));
	memset(pb.tail, 0x7f, sizeof(pb.tail));
	pb.v.struct_size = sizeof(pb);
	CU_ASSERT_EQUAL(lf_conv2d(ctx, x, w, NULL, &pb.v, y), LF_OK);
	struct lf_pool_params pp0 = {0};
	pp0.kernel_h = pp0.kernel_w = 1;
	CU_ASSERT_EQUAL(lf_maxpool(ctx, x, &pp0, y), LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_pool_params"));
	struct lf_profile_record rec = {0};
	CU_ASSERT(lf_context_profile_count(ctx) > 0);
	CU_ASSERT_EQUAL(lf_context_profile_get(ctx, 0, &rec),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_profile_record"));
	lf_tensor_destroy(x);
	lf_tensor_destroy(w);
	lf_tensor_destroy(y);

	/* Model descriptions and run profiles. */
	lf_model *m = NULL;
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			      LF_OK);
	struct lf_tensor_info ti = {0};
	CU_ASSERT_EQUAL(lf_model_input_info(m, 0, &ti), LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_tensor_info"));
	CU_ASSERT_EQUAL(lf_model_output_info(m, 0, &ti), LF_ERR_INVALID_ARG);
	ti.struct_size = sizeof(ti);
	CU_ASSERT_EQUAL(lf_model_input_info(m, 0, &ti), LF_OK);
	CU_ASSERT_EQUAL(ti.ndim, 4);
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);
	lf_tensor *in = batch8(ctx), *out[1] = {NULL};
	CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, out, 1, prof), LF_OK);
	struct lf_layer_profile lp = {0};
	CU_ASSERT_EQUAL(lf_run_profile_get(prof, 0, &lp), LF_ERR_INVALID_ARG);
	CU_ASSERT(has(lf_last_error(), "struct lf_layer_profile"));
	lf_tensor_destroy(out[0]);
	lf_tensor_destroy(in);
	lf_run_profile_destroy(prof);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
}

/*
 * lf_model_run_async(): the bytes of lf_model_run() and of ONNX Runtime,
 * several runs in flight, wait with a timeout, errors surfaced on the
 * wait, and the model's and tensors' lifetimes while runs are queued.
 */
static void test_async_runs(void)
{
	lf_context *ctx = lft_emu("default");
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			      LF_OK);
	/* Four in flight: sets 0, 1, 2 and 1 again, NULL output slots. */
	static const int set[4] = {0, 1, 2, 1};
	lf_tensor *in[4], *want[4], *out[4][1] = {{NULL}}, *sync[4] = {NULL};
	lf_event *ev[4] = {NULL};
	char path[256];
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), FMNIST "/test_data_set_%d/%s",
			 set[k], "input_0.pb");
		in[k] = lft_tensor_pb(ctx, path);
		snprintf(path, sizeof(path), FMNIST "/test_data_set_%d/%s",
			 set[k], "output_0.pb");
		want[k] = lft_tensor_pb(ctx, path);
		CU_ASSERT_EQUAL(
		    lf_model_run_async(m, &in[k], 1, out[k], 1, NULL, &ev[k]),
		    LF_OK);
	}
	/* Queued or running: the model and the inputs are held. */
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_ERR_BUSY);
	CU_ASSERT(has(lf_context_last_error(ctx), "in progress"));
	CU_ASSERT_EQUAL(lf_tensor_destroy(in[3]), LF_ERR_BUSY);
	/* Waited in reverse order. */
	for (int k = 3; k >= 0; k--) {
		CU_ASSERT_EQUAL(lf_event_wait(ev[k], -1), LF_OK);
		CU_ASSERT(out[k][0] &&
			  lft_same(out[k][0], want[k], 1, "async vs ORT"));
		CU_ASSERT_EQUAL(lf_model_run(m, &in[k], 1, &sync[k], 1, NULL),
				LF_OK);
		CU_ASSERT(
		    sync[k] && out[k][0] &&
		    lf_tensor_bytes(sync[k]) == lf_tensor_bytes(out[k][0]) &&
		    memcmp(lf_tensor_data(sync[k]), lf_tensor_data(out[k][0]),
			   lf_tensor_bytes(sync[k])) == 0);
		CU_ASSERT_EQUAL(lf_event_destroy(ev[k]), LF_OK);
		lf_tensor_destroy(out[k][0]);
		lf_tensor_destroy(sync[k]);
		lf_tensor_destroy(want[k]);
	}
	/* A given (non-NULL) output of the wrong shape: the event says so. */
	int64_t d[2] = {8, 3};
	lf_tensor *bad = NULL, *slot[1];
	lf_event *e = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(ctx, LF_DTYPE_FLOAT32, 2, d, NULL, &bad), LF_OK);
	slot[0] = bad;
	CU_ASSERT_EQUAL(lf_model_run_async(m, &in[1], 1, slot, 1, NULL, &e),
			LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_destroy(bad), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf_event_wait(e, -1), LF_ERR_SHAPE);
	CU_ASSERT(has(lf_context_last_error(ctx), "output"));
	CU_ASSERT_EQUAL(lf_event_destroy(e), LF_ERR_SHAPE);
	CU_ASSERT_EQUAL(lf_tensor_destroy(bad), LF_OK);
	/* Input errors come back at once, and no event is made. */
	e = NULL;
	CU_ASSERT_EQUAL(lf_model_run_async(m, in, 2, slot, 1, NULL, &e),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(e);
	CU_ASSERT_EQUAL(lf_model_run_async(m, in, 1, slot, 1, NULL, NULL),
			LF_ERR_INVALID_ARG);
	/* Every run ended: the model goes, the tensors go, nothing is
	 * left on the context. */
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	for (int k = 0; k < 4; k++)
		CU_ASSERT_EQUAL(lf_tensor_destroy(in[k]), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
}

/*
 * Wait with a timeout: the first run hangs on the device (fault
 * cu_hang, timeout option 1500 ms), so a wait of 0 ms on it, and on the
 * run queued behind it, says LF_ERR_TIMEOUT and leaves the events valid;
 * the runs then end with ORT's bytes (the hung launch is retried). With
 * the fallback off, a lost device is the event's error.
 */
static void test_async_timeout_and_errors(void)
{
	lf_options *o = opts();
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	/* Under ASan or Valgrind a run takes 20-50 times longer, and a
	 * nice'd `make check-asan` on a loaded machine (e33631a) saw the
	 * retried first run time out at 1500 ms, failing e1. */
	CU_ASSERT_EQUAL(
	    lf_options_set_timeout_ms(o, lf_test_slow_mode() ? 20000 : 1500),
	    LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_fallback(o, LF_FALLBACK_OFF), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_context_create_opts("emu,fault=cu_hang:1",
						     lft_xclbin("default"), o,
						     &ctx),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, FMNIST "/model.onnx", &m),
			      LF_OK);
	lf_tensor *in = batch8(ctx), *want = ort8(ctx);
	lf_tensor *o1[1] = {NULL}, *o2[1] = {NULL};
	lf_event *e1 = NULL, *e2 = NULL;
	CU_ASSERT_EQUAL(lf_model_run_async(m, &in, 1, o1, 1, NULL, &e1), LF_OK);
	CU_ASSERT_EQUAL(lf_model_run_async(m, &in, 1, o2, 1, NULL, &e2), LF_OK);
	CU_ASSERT_EQUAL(lf_event_wait(e2, 0), LF_ERR_TIMEOUT);
	CU_ASSERT(
	    has(lf_context_last_error(ctx), "lf_model_run still running"));
	CU_ASSERT_EQUAL(lf_event_wait(e1, 0), LF_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(lf_event_wait(e2, -1), LF_OK);
	lf_status s1 = lf_event_wait(e1, 10); /* ended before e2 */
	if (s1 != LF_OK)
		fprintf(stderr, "\n  e1: %s\n", lf_context_last_error(ctx));
	CU_ASSERT_EQUAL(s1, LF_OK);
	CU_ASSERT(o1[0] && lft_same(o1[0], want, 1, "after a hang"));
	CU_ASSERT(o2[0] && lft_same(o2[0], want, 1, "queued behind it"));
	lf_event_destroy(e1);
	lf_event_destroy(e2);
	lf_tensor_destroy(o1[0]);
	lf_tensor_destroy(o2[0]);
	o1[0] = NULL;

	lose_device(ctx);
	CU_ASSERT_EQUAL(lf_model_run_async(m, &in, 1, o1, 1, NULL, &e1), LF_OK);
	CU_ASSERT_EQUAL(lf_event_wait(e1, -1), LF_ERR_DEVICE_LOST);
	CU_ASSERT(has(lf_context_last_error(ctx), "fallback"));
	CU_ASSERT_PTR_NULL(o1[0]);
	CU_ASSERT_EQUAL(lf_event_destroy(e1), LF_ERR_DEVICE_LOST);
	lf_tensor_destroy(in);
	lf_tensor_destroy(want);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(ctx), LF_OK);
	lf_options_destroy(o);
}

/* Native handles: none on the emulator or the cpu device (XRT's are
 * tested in tests/xrt, "native_handles"). */
static void test_native_unsupported(void)
{
	lf_context *emu = lft_emu("default"), *cpu = NULL;
	void *h = (void *)0x1;
	CU_ASSERT_EQUAL(lf_context_native_handle(emu, LF_NATIVE_XRT_DEVICE, &h),
			LF_ERR_UNSUPPORTED);
	CU_ASSERT(has(lf_context_last_error(emu), "native handles"));
	CU_ASSERT_PTR_EQUAL(h, (void *)0x1);
	CU_ASSERT_EQUAL(
	    lf_context_native_handle(emu, LF_NATIVE_XRT_DEVICE, NULL),
	    LF_ERR_INVALID_ARG);
	int64_t d[1] = {16};
	lf_tensor *t = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lf_tensor_create(emu, LF_DTYPE_UINT8, 1, d, NULL, &t), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_to_device(t), LF_OK);
	CU_ASSERT_EQUAL(lf_tensor_native_handle(t, LF_NATIVE_XRT_BO, &h),
			LF_ERR_UNSUPPORTED);
	lf_tensor_destroy(t);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &cpu), LF_OK);
	CU_ASSERT_EQUAL(lf_context_native_handle(cpu, LF_NATIVE_XRT_DEVICE, &h),
			LF_ERR_UNSUPPORTED);
	lf_context_destroy(cpu);
	lf_context_destroy(emu);
}

/* Leave the environment as every suite starts from it. */
static int suite_clean(void)
{
	lf_test_env_defaults();
	return 0;
}

void lf_test_suite_options(void)
{
	static const struct lf_test_case cases[] = {
	    {"setters", test_setters},
	    {"context_settings", test_context_settings},
	    {"timeout", test_timeout},
	    {"fallback", test_fallback},
	    {"model_device_options", test_model_device_options},
	    {"memory_limit", test_memory_limit},
	    {"cpu_threads", test_cpu_threads},
	    {"struct_size", test_struct_size},
	    {"async_runs", test_async_runs},
	    {"async_timeout_and_errors", test_async_timeout_and_errors},
	    {"native_unsupported", test_native_unsupported},
	    {NULL, NULL},
	};
	lf_test_add_suite("options", NULL, suite_clean, cases);
}
