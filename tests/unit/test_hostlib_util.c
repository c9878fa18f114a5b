/* test_hostlib_util.c - fixtures for the hostlib suites (see the header). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlib/cpu/ref.h"
#include "test_hostlib_util.h"

static const char small_limits[] =
    "clock_mhz=250\ndesc_bytes=256\n"
    "lfk_conv2d.pe_oc=16\nlfk_conv2d.pe_k=16\n"
    "lfk_conv2d.macs_per_cycle=256\nlfk_conv2d.kmax=288\n"
    "lfk_conv2d.xbuf_vectors=48\nlfk_conv2d.tile_ow_max=64\n"
    "lfk_conv2d.beat_bytes=64\nlfk_conv2d.dim_max=20\n"
    "lfk_conv2d.kdim_max=32\nlfk_conv2d.step_max=255\n"
    "lfk_matmul.pe_n=16\nlfk_matmul.pe_k=16\n"
    "lfk_matmul.macs_per_cycle=256\nlfk_matmul.kmax=64\n"
    "lfk_matmul.dim_max=20\n"
    "model.lat_mem=64\nmodel.depth_mac=8\nmodel.depth_rq=12\n"
    "model.desc_cycles=96\n";

static char dir[256];
static char path_default[300], path_small[300];
static int built;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;

static int run(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "test fixture: `%s` failed (%d)\n", cmd, rc);
	return rc == 0;
}

static void build_all(void)
{
	const char *b = lf_test_build_dir();
	char cmd[2048];
	snprintf(dir, sizeof(dir), "/tmp/lf_hostlib_XXXXXX");
	if (!mkdtemp(dir))
		return;
	snprintf(cmd, sizeof(cmd), "%s/bin/lf-limits-dump > %s/default.txt", b,
		 dir);
	if (!run(cmd))
		return;
	char lim[300];
	snprintf(lim, sizeof(lim), "%s/small.txt", dir);
	FILE *f = fopen(lim, "w");
	if (!f)
		return;
	fputs(small_limits, f);
	fclose(f);
	snprintf(path_default, sizeof(path_default), "%s/emu-aws-f1.xclbin",
		 dir);
	snprintf(path_small, sizeof(path_small), "%s/emu-tiny.xclbin", dir);
	snprintf(cmd, sizeof(cmd),
		 "%s/bin/lf-xclbin --out %s --platform aws-f1 --kernels-so "
		 "%s/hls/lfkernels.so --limits %s/default.txt --kernel "
		 "lfk_conv2d:2 --kernel lfk_matmul:2 > /dev/null && "
		 "%s/bin/lf-xclbin --out %s --platform tiny --kernels-so "
		 "%s/hls/lfkernels.so --limits %s --kernel lfk_conv2d:1 "
		 "--kernel lfk_matmul:1 > /dev/null",
		 b, path_default, b, dir, b, path_small, b, lim);
	if (run(cmd))
		built = 1;
}

static void cleanup(void)
{
	if (!dir[0])
		return;
	char p[400];
	const char *files[] = {"default.txt", "small.txt", "emu-aws-f1.xclbin",
			       "emu-tiny.xclbin"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

const char *lft_xclbin(const char *which)
{
	pthread_mutex_lock(&build_mu);
	if (!dir[0]) {
		build_all();
		atexit(cleanup);
	}
	pthread_mutex_unlock(&build_mu);
	if (!built)
		return NULL;
	return strcmp(which, "small") == 0 ? path_small : path_default;
}

lf_context *lft_emu(const char *which)
{
	const char *x = lft_xclbin(which);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	lf_context *ctx = NULL;
	lf_status st = lf_context_create(
	    strcmp(which, "small") == 0 ? "emu:tiny" : "emu", x, &ctx);
	if (st != LF_OK)
		fprintf(stderr, "lft_emu: %s\n", lf_last_error());
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	return ctx;
}

void lft_fill(struct lf_rng *r, lf_dtype t, void *p, size_t n)
{
	if (t == LF_DTYPE_INT32) {
		int32_t *q = p;
		for (size_t i = 0; i < n / 4; i++)
			q[i] = lf_rng_range(r, -5000, 5000);
		return;
	}
	uint8_t *q = p;
	for (size_t i = 0; i < n; i++)
		q[i] = (uint8_t)lf_rng_u32(r);
}

static int32_t zp_for(struct lf_rng *r, lf_dtype t)
{
	return t == LF_DTYPE_UINT8 ? lf_rng_range(r, 0, 255)
				   : lf_rng_range(r, -128, 127);
}

/* Quantize a real bound with round-half-even and saturation. */
static int32_t quant_bound(float v, float s, int32_t zp, int32_t lo, int32_t hi)
{
	float q = nearbyintf(v / s) + (float)zp;
	if (q < (float)lo)
		return lo;
	if (q > (float)hi)
		return hi;
	return (int32_t)q;
}

static void act_range(lf_dtype yt, float ys, int32_t yzp, lf_activation a,
		      float cmin, float cmax, int32_t *lo, int32_t *hi)
{
	*lo = yt == LF_DTYPE_UINT8 ? 0 : -128;
	*hi = yt == LF_DTYPE_UINT8 ? 255 : 127;
	if (a == LF_ACT_RELU && yzp > *lo)
		*lo = yzp;
	if (a == LF_ACT_CLIP) {
		int32_t a0 = quant_bound(cmin, ys, yzp, *lo, *hi);
		int32_t a1 = quant_bound(cmax, ys, yzp, *lo, *hi);
		*lo = a0 > *lo ? a0 : *lo;
		*hi = a1 < *hi ? a1 : *hi;
	}
}

static int compare(const char *what, const void *got, const void *want,
		   size_t n)
{
	if (memcmp(got, want, n) == 0)
		return 1;
	const uint8_t *g = got, *w = want;
	size_t bad = 0, first = 0;
	for (size_t i = 0; i < n; i++)
		if (g[i] != w[i] && bad++ == 0)
			first = i;
	fprintf(stderr,
		"%s: %zu of %zu bytes differ, first at %zu (%u vs %u)\n", what,
		bad, n, first, g[first], w[first]);
	return 0;
}

static void last_where(lf_context *ctx, char *where)
{
	if (!where)
		return;
	struct lf_profile_record rec = LF_STRUCT_INIT(struct lf_profile_record);
	size_t n = lf_context_profile_count(ctx);
	where[0] = '\0';
	if (n && lf_context_profile_get(ctx, n - 1, &rec) == LF_OK)
		snprintf(where, 8, "%s", rec.where);
}

struct lf_conv2d_params lft_conv_params(const struct lft_conv *c)
{
	struct lf_conv2d_params p = {sizeof(struct lf_conv2d_params),
				     c->sh,
				     c->sw,
				     c->pt,
				     c->pl,
				     c->pb,
				     c->pr,
				     c->dh,
				     c->dw,
				     c->groups,
				     c->act,
				     c->clip_min,
				     c->clip_max};
	return p;
}

int lft_conv_check(lf_context *ctx, const struct lft_conv *c, char *where)
{
	struct lf_rng r;
	lf_rng_seed(&r, c->seed);
	int icg = c->ic / c->groups;
	int oh = lf__ref_out_dim(c->ih, c->kh, c->sh, c->pt, c->pb, c->dh);
	int ow = lf__ref_out_dim(c->iw, c->kw, c->sw, c->pl, c->pr, c->dw);
	int nq = c->per_ch ? c->oc : 1;
	float xs = 0.02f + (float)lf_rng_range(&r, 0, 100) * 1e-3f;
	float ys = 0.05f + (float)lf_rng_range(&r, 0, 100) * 1e-2f;
	int32_t xzp = zp_for(&r, c->xt),
		yzp =
		    zp_for(&r, c->yt == LF_DTYPE_INT32 ? LF_DTYPE_INT8 : c->yt);
	float ws[4096];
	int32_t wzp[4096];
	for (int i = 0; i < nq; i++) {
		ws[i] = 0.001f + (float)lf_rng_range(&r, 1, 400) * 1e-4f;
		wzp[i] = zp_for(&r, c->wt);
	}
	int64_t xd[4] = {c->n, c->ic, c->ih, c->iw};
	int64_t wd[4] = {c->oc, icg, c->kh, c->kw};
	int64_t yd[4] = {c->n, c->oc, oh, ow};
	int64_t bd[1] = {c->oc};
	struct lf_quant xq = {sizeof(struct lf_quant), &xs, &xzp, 1, 0};
	struct lf_quant wq = {sizeof(struct lf_quant), ws, wzp, (size_t)nq, 0};
	struct lf_quant yq = {sizeof(struct lf_quant), &ys, &yzp, 1, 0};
	int y8 = c->yt != LF_DTYPE_INT32;
	lf_tensor *x = NULL, *w = NULL, *y = NULL, *b = NULL;
	int ok = 0;
	if (lf_tensor_create(ctx, c->xt, 4, xd, &xq, &x) ||
	    lf_tensor_create(ctx, c->wt, 4, wd, &wq, &w) ||
	    lf_tensor_create(ctx, c->yt, 4, yd, y8 ? &yq : NULL, &y) ||
	    (c->bias &&
	     lf_tensor_create(ctx, LF_DTYPE_INT32, 1, bd, NULL, &b))) {
		fprintf(stderr, "lft_conv_check: %s\n", lf_last_error());
		goto out;
	}
	lft_fill(&r, c->xt, lf_tensor_data(x), lf_tensor_bytes(x));
	lft_fill(&r, c->wt, lf_tensor_data(w), lf_tensor_bytes(w));
	if (b)
		lft_fill(&r, LF_DTYPE_INT32, lf_tensor_data(b),
			 lf_tensor_bytes(b));
	struct lf_conv2d_params p = lft_conv_params(c);
	lf_status st = lf_conv2d(ctx, x, w, b, &p, y);
	if (st != LF_OK) {
		fprintf(stderr, "lf_conv2d: %s\n", lf_context_last_error(ctx));
		goto out;
	}
	last_where(ctx, where);
	struct lf_ref_qconv rq = {c->xt,
				  c->wt,
				  c->yt,
				  c->n,
				  c->ic,
				  c->ih,
				  c->iw,
				  c->oc,
				  c->kh,
				  c->kw,
				  c->sh,
				  c->sw,
				  c->pt,
				  c->pl,
				  c->pb,
				  c->pr,
				  c->dh,
				  c->dw,
				  c->groups,
				  xzp,
				  y8 ? yzp : 0,
				  wzp,
				  nq,
				  xs,
				  ys,
				  ws,
				  nq,
				  b ? lf_tensor_data(b) : NULL,
				  0,
				  0};
	if (y8)
		act_range(c->yt, ys, yzp, c->act, c->clip_min, c->clip_max,
			  &rq.act_min, &rq.act_max);
	void *want = malloc(lf_tensor_bytes(y));
	if (!want)
		goto out;
	if (lf__ref_qconv2d(&rq, lf_tensor_data(x), lf_tensor_data(w), want) ==
	    LF_OK)
		ok = compare("conv2d", lf_tensor_data(y), want,
			     lf_tensor_bytes(y));
	free(want);
out:
	lf_tensor_destroy(x);
	lf_tensor_destroy(w);
	lf_tensor_destroy(y);
	lf_tensor_destroy(b);
	return ok;
}

int lft_mm_check(lf_context *ctx, const struct lft_mm *c, char *where)
{
	struct lf_rng r;
	lf_rng_seed(&r, c->seed);
	int nq = c->per_ch ? c->n : 1;
	float xs = 0.02f + (float)lf_rng_range(&r, 0, 100) * 1e-3f;
	float ys = 0.05f + (float)lf_rng_range(&r, 0, 100) * 1e-2f;
	int32_t xzp = zp_for(&r, c->xt),
		yzp =
		    zp_for(&r, c->yt == LF_DTYPE_INT32 ? LF_DTYPE_INT8 : c->yt);
	float ws[4096];
	int32_t wzp[4096];
	for (int i = 0; i < nq; i++) {
		ws[i] = 0.001f + (float)lf_rng_range(&r, 1, 400) * 1e-4f;
		wzp[i] = zp_for(&r, c->wt);
	}
	int three = c->batch > 1 || c->w_batch > 1;
	int64_t ad[3] = {c->batch, c->m, c->k};
	int64_t bd[3] = {c->w_batch, c->k, c->n};
	int64_t yd[3] = {c->batch, c->m, c->n};
	int64_t cd[1] = {c->n};
	int rk = three ? 3 : 2;
	struct lf_quant xq = {sizeof(struct lf_quant), &xs, &xzp, 1, 0};
	struct lf_quant wq = {sizeof(struct lf_quant), ws, wzp, (size_t)nq, -1};
	struct lf_quant yq = {sizeof(struct lf_quant), &ys, &yzp, 1, 0};
	int y8 = c->yt != LF_DTYPE_INT32;
	lf_tensor *a = NULL, *b = NULL, *y = NULL, *bias = NULL;
	int ok = 0;
	if (lf_tensor_create(ctx, c->xt, rk, three ? ad : ad + 1, &xq, &a) ||
	    lf_tensor_create(ctx, c->wt, rk, three ? bd : bd + 1, &wq, &b) ||
	    lf_tensor_create(ctx, c->yt, rk, three ? yd : yd + 1,
			     y8 ? &yq : NULL, &y) ||
	    (c->bias &&
	     lf_tensor_create(ctx, LF_DTYPE_INT32, 1, cd, NULL, &bias))) {
		fprintf(stderr, "lft_mm_check: %s\n", lf_last_error());
		goto out;
	}
	lft_fill(&r, c->xt, lf_tensor_data(a), lf_tensor_bytes(a));
	lft_fill(&r, c->wt, lf_tensor_data(b), lf_tensor_bytes(b));
	if (bias)
		lft_fill(&r, LF_DTYPE_INT32, lf_tensor_data(bias),
			 lf_tensor_bytes(bias));
	struct lf_matmul_params p = {sizeof(struct lf_matmul_params), c->act,
				     -1.0f, 3.0f};
	lf_status st = lf_matmul(ctx, a, b, bias, &p, y);
	if (st != LF_OK) {
		fprintf(stderr, "lf_matmul: %s\n", lf_context_last_error(ctx));
		goto out;
	}
	last_where(ctx, where);
	struct lf_ref_qmatmul rq = {c->xt,
				    c->wt,
				    c->yt,
				    c->batch,
				    c->m,
				    c->k,
				    c->n,
				    c->w_batch,
				    xzp,
				    y8 ? yzp : 0,
				    wzp,
				    nq,
				    xs,
				    ys,
				    ws,
				    nq,
				    bias ? lf_tensor_data(bias) : NULL,
				    0,
				    0};
	if (y8)
		act_range(c->yt, ys, yzp, c->act, -1.0f, 3.0f, &rq.act_min,
			  &rq.act_max);
	void *want = malloc(lf_tensor_bytes(y));
	if (!want)
		goto out;
	if (lf__ref_qmatmul(&rq, lf_tensor_data(a), lf_tensor_data(b), want) ==
	    LF_OK)
		ok = compare("matmul", lf_tensor_data(y), want,
			     lf_tensor_bytes(y));
	free(want);
out:
	lf_tensor_destroy(a);
	lf_tensor_destroy(b);
	lf_tensor_destroy(y);
	lf_tensor_destroy(bias);
	return ok;
}

static lf_dtype t8(struct lf_rng *r)
{
	return lf_rng_range(r, 0, 1) ? LF_DTYPE_INT8 : LF_DTYPE_UINT8;
}

void lft_conv_random(struct lf_rng *r, struct lft_conv *c)
{
	memset(c, 0, sizeof(*c));
	c->xt = t8(r);
	c->wt = t8(r);
	int yk = lf_rng_range(r, 0, 4);
	c->yt = yk == 0	 ? LF_DTYPE_INT32
		: yk < 3 ? LF_DTYPE_UINT8
			 : LF_DTYPE_INT8;
	c->groups = lf_rng_range(r, 0, 3) == 0 ? lf_rng_range(r, 2, 4) : 1;
	c->ic = c->groups * lf_rng_range(r, 1, 6);
	c->oc = c->groups * lf_rng_range(r, 1, 6);
	c->n = lf_rng_range(r, 1, 2);
	c->kh = lf_rng_range(r, 1, 3);
	c->kw = lf_rng_range(r, 1, 3);
	c->sh = lf_rng_range(r, 1, 2);
	c->sw = lf_rng_range(r, 1, 2);
	c->dh = lf_rng_range(r, 1, 2);
	c->dw = lf_rng_range(r, 1, 2);
	c->pt = lf_rng_range(r, 0, 2);
	c->pl = lf_rng_range(r, 0, 2);
	c->pb = lf_rng_range(r, 0, 2);
	c->pr = lf_rng_range(r, 0, 2);
	c->ih = lf_rng_range(r, (c->kh - 1) * c->dh + 1, 12);
	c->iw = lf_rng_range(r, (c->kw - 1) * c->dw + 1, 12);
	c->per_ch = lf_rng_range(r, 0, 1);
	c->bias = lf_rng_range(r, 0, 1);
	if (c->yt != LF_DTYPE_INT32) {
		c->act = (lf_activation)lf_rng_range(r, 0, 2);
		c->clip_min = -0.5f;
		c->clip_max = 2.0f;
	}
	c->seed = lf_rng_u32(r) + 1ull;
}

void lft_mm_random(struct lf_rng *r, struct lft_mm *c)
{
	memset(c, 0, sizeof(*c));
	c->xt = t8(r);
	c->wt = t8(r);
	int yk = lf_rng_range(r, 0, 4);
	c->yt = yk == 0	 ? LF_DTYPE_INT32
		: yk < 3 ? LF_DTYPE_UINT8
			 : LF_DTYPE_INT8;
	c->batch = lf_rng_range(r, 1, 3);
	c->w_batch = c->batch > 1 && lf_rng_range(r, 0, 1) ? c->batch : 1;
	c->m = lf_rng_range(r, 1, 9);
	c->k = lf_rng_range(r, 1, 40);
	c->n = lf_rng_range(r, 1, 24);
	c->per_ch = lf_rng_range(r, 0, 1);
	c->bias = lf_rng_range(r, 0, 1);
	if (c->yt != LF_DTYPE_INT32)
		c->act = (lf_activation)lf_rng_range(r, 0, 2);
	c->seed = lf_rng_u32(r) + 1ull;
}
