/*
 * test_opencl.c - the "opencl" suite: the OpenCL backend (driver/opencl)
 * through the driver interface, on whatever OpenCL device the ICD loader
 * finds first (PoCL's CPU device on a machine without a card, so the
 * portable flavour; the Xilinx flavour needs Xilinx's runtime).
 *
 * Every layer runs three ways and must give identical bytes: on "opencl:0"
 * and on "emu:aws-f1", both loaded with build/bitstreams/emu-aws-f1.xclbin,
 * and in the CPU reference (hostlib/cpu/ref.h). Around that: the build
 * cache (a second open does not compile), pointer arguments at offsets,
 * the timeout path, error mapping, and the live OpenCL object count
 * returning to zero after every close and every failure.
 *
 * A second suite, "opencl_xilinx", runs the same checks on the first
 * device of the Xilinx flavour (XRT's OpenCL: a card, or XRT's software
 * emulation as tests/xrt/run.sh sets it up) against "emu:tiny"; without
 * one it skips.
 *
 * No OpenCL platform, or the backend not built: the suite prints SKIP and
 * passes. Under Valgrind it skips too (PoCL compiles with LLVM in-process;
 * its allocations are not ours to check). PoCL's kernel cache goes to a
 * private POCL_CACHE_DIR when none is set, the backend's build cache to a
 * private LAYERFAB_CACHE_DIR; both are removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver/driver.h"
#include "driver/xclbin/xclbin.h"
#include "hostlib/cpu/ref.h"
#include "lf_desc.h"
#include "lf_test.h"
#include "unit/kernel_cases.h"
#if defined(LF_HAVE_OPENCL)
#include "driver/opencl/opencl.h"
#endif

#if defined(LF_HAVE_OPENCL)

/* LeakSanitizer suppressions for PoCL/LLVM: tests/test_main.c. */

#define WAIT_MS 120000u /* a layer never takes this long */

static struct {
	int state; /* 0 not tried, 1 ready, 2 skipped, -1 failed */
	char pocl_dir[PATH_MAX];  /* ours, removed at the end; or "" */
	char cache_dir[PATH_MAX]; /* LAYERFAB_CACHE_DIR for the suite */
	char *old_cache;	  /* the caller's LAYERFAB_CACHE_DIR */
	lf_dev *cl;		  /* opencl:0 + emu-aws-f1.xclbin */
	lf_dev *emu;		  /* emu:aws-f1 + emu-aws-f1.xclbin */
	uint32_t conv_cu, mm_cu;  /* first lfk_engine CU (aws-f1 links
				   * only the engine, 2 CUs) */
	uint64_t live_base;	  /* OpenCL objects alive before the suite */
} g;

/* Our PoCL cache dir, removed at exit: PoCL uses it until then. */
static char pocl_rm_at_exit[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int make_temp_dir(char *out, size_t len, const char *what)
{
	const char *t = getenv("TMPDIR");

	snprintf(out, len, "%s/%s-XXXXXX", t && *t ? t : "/tmp", what);
	if (!mkdtemp(out)) {
		fprintf(stderr, "\nmkdtemp %s: %s\n", out, strerror(errno));
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static void remove_pocl_dir(void)
{
	if (pocl_rm_at_exit[0])
		nftw(pocl_rm_at_exit, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* OpenCL objects of this suite's devices (others' are the baseline). */
static uint64_t ours_live(void)
{
	return lf__ocl_live_total() - g.live_base;
}

/* The first device of the Xilinx flavour into *index (when not NULL):
 * its flat index, or -1. */
static int xilinx_device(uint32_t *index)
{
	struct lf_dev_desc dd[16];
	uint32_t n = 0;

	if (lf__drv_enumerate("opencl", dd, 16, &n) != LF_OK)
		return -1;
	for (uint32_t i = 0; i < n && i < 16; i++) {
		/* ocl_platform.c: the detail starts with the flavour. */
		if (strncmp(dd[i].detail, "xilinx flavour", 14) == 0) {
			if (index)
				*index = dd[i].index;
			return (int)dd[i].index;
		}
	}
	return -1;
}

/* Environment and platform check, once; sets g.state. */
static void ensure(void)
{
	uint32_t idx = 0;
	const char *old;
	lf_status st;

	if (g.state != 0)
		return;
	g.state = -1;
	if (lf_test_under_valgrind()) {
		printf("\n  SKIP: OpenCL under Valgrind (PoCL's LLVM is not "
		       "ours to check) ");
		g.state = 2;
		return;
	}
	/*
	 * Without a writable cache PoCL hides its device, and once running
	 * it keeps the directory it started with: an earlier suite's that
	 * was removed is made again, and ours goes only at exit.
	 */
	old = getenv("POCL_CACHE_DIR");
	if (!old || !*old) {
		if (make_temp_dir(g.pocl_dir, sizeof(g.pocl_dir), "lf-pocl") !=
		    0)
			return;
		setenv("POCL_CACHE_DIR", g.pocl_dir, 1);
	} else if (access(old, W_OK) != 0 && mkdir(old, 0700) == 0) {
		snprintf(g.pocl_dir, sizeof(g.pocl_dir), "%s", old);
	}
	if (g.pocl_dir[0] && !pocl_rm_at_exit[0]) {
		snprintf(pocl_rm_at_exit, sizeof(pocl_rm_at_exit), "%s",
			 g.pocl_dir);
		atexit(remove_pocl_dir);
	}
	if (make_temp_dir(g.cache_dir, sizeof(g.cache_dir), "lf-clcache") != 0)
		return;
	old = getenv("LAYERFAB_CACHE_DIR");
	g.old_cache = old ? strdup(old) : NULL;
	setenv("LAYERFAB_CACHE_DIR", g.cache_dir, 1);
	g.live_base = lf__ocl_live_total();
	st = lf__ocl_find_device("", &idx);
	if (st == LF_ERR_NOT_FOUND) {
		printf("\n  SKIP: no OpenCL platform (%s) ",
		       lf__drv_last_error());
		g.state = 2;
		return;
	}
	if (st != LF_OK) {
		fprintf(stderr, "\nOpenCL scan: %s\n", lf__drv_last_error());
		return;
	}
	if (xilinx_device(NULL) == 0) {
		printf(
		    "\n  SKIP: OpenCL device 0 is Xilinx's (the opencl_xilinx "
		    "suite covers it) ");
		g.state = 2;
		return;
	}
	g.state = 1;
}

/* 1 when the test should run; else it passes as skipped. */
static int ready(void)
{
	ensure();
	CU_ASSERT(g.state == 1 || g.state == 2);
	return g.state == 1;
}

static lf_dev *open_dev(const char *spec)
{
	lf_dev *dev = NULL;
	lf_status st = lf__dev_open(spec, &dev);

	if (st != LF_OK) {
		fprintf(stderr, "\nopen %s: %s\n", spec, lf__drv_last_error());
		CU_FAIL("cannot open the device");
		return NULL;
	}
	return dev;
}

static lf_status load_profile(lf_dev *dev, const char *profile)
{
	char path[PATH_MAX];
	lf_status st;

	snprintf(path, sizeof(path), "%s/bitstreams/emu-%s.xclbin",
		 lf_test_build_dir(), profile);
	st = lf__dev_load_xclbin_file(dev, path);
	if (st != LF_OK)
		fprintf(stderr, "\nload %s: %s\n", path, lf__drv_last_error());
	return st;
}

static struct lf_ocl_stats stats(lf_dev *dev)
{
	struct lf_ocl_stats s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(lf__ocl_stats(dev, &s), LF_OK);
	return s;
}

static uint64_t live_of(lf_dev *dev)
{
	struct lf_ocl_stats s = stats(dev);
	uint64_t n = 0;

	for (int k = 0; k < LF_OCL_NOBJ; k++)
		n += s.live[k];
	return n;
}

static int msg_has(const char *needle)
{
	if (strstr(lf__drv_last_error(), needle))
		return 1;
	fprintf(stderr, "\nmessage \"%s\" lacks \"%s\"\n", lf__drv_last_error(),
		needle);
	return 0;
}

/* ------------------------------------------------------------------------
 * One launch on a device: the three buffers in the banks the CU's ports
 * reach, descriptors at @desc_off and activations at @act_off inside
 * their buffers (pointer arguments with offsets), run, read back.
 */
struct launch_out {
	uint8_t *act;
	lf_desc *desc;
};

static lf_status launch(lf_dev *dev, uint32_t cu, const struct lf_kc_launch *l,
			uint64_t desc_off, uint64_t act_off,
			struct launch_out *out)
{
	uint64_t dbytes = (uint64_t)l->ndesc * sizeof(lf_desc);
	char msg[512];
	uint32_t bank[3];
	lf_bo *bo[3] = {NULL, NULL, NULL};
	lf_run *run = NULL;
	lf_status st;

	for (int i = 0; i < 3; i++) {
		st = lf__dev_arg_bank(dev, cu, 2u * (uint32_t)i, &bank[i]);
		if (st != LF_OK)
			return st;
	}
	st = lf__bo_alloc(dev, desc_off + dbytes, bank[0], &bo[0]);
	if (st == LF_OK)
		st = lf__bo_alloc(dev, l->params_bytes ? l->params_bytes : 1,
				  bank[1], &bo[1]);
	if (st == LF_OK)
		st = lf__bo_alloc(dev, act_off + l->act_bytes, bank[2], &bo[2]);
	if (st == LF_OK)
		st = lf__bo_write(bo[0], l->desc, dbytes, desc_off);
	if (st == LF_OK && l->params_bytes)
		st = lf__bo_write(bo[1], l->params, l->params_bytes, 0);
	if (st == LF_OK)
		st = lf__bo_write(bo[2], l->act, l->act_bytes, act_off);
	if (st == LF_OK) {
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, bo[0], desc_off),
		    lf__arg_u32(1, l->ndesc),
		    lf__arg_bo(2, bo[1], 0),
		    lf__arg_u32(3, l->params_bytes),
		    lf__arg_bo(4, bo[2], act_off),
		    lf__arg_u32(5, l->act_bytes),
		};
		st = lf__run_start(dev, cu, a, 6, &run);
	}
	if (st == LF_OK)
		st = lf__run_wait(run, WAIT_MS);
	if (st == LF_OK)
		st = lf__bo_read(bo[0], out->desc, dbytes, desc_off);
	if (st == LF_OK)
		st = lf__bo_read(bo[2], out->act, l->act_bytes, act_off);
	if (st != LF_OK)
		snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
	if (run)
		CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(lf__bo_free(bo[i]), LF_OK);
	/* The frees cleared the message: the caller may check it. */
	if (st != LF_OK)
		lf__drv_error(st, "%s", msg);
	return st;
}

static int all_ok(const lf_desc *d, uint32_t n, const char *who,
		  const char *what)
{
	for (uint32_t i = 0; i < n; i++) {
		if (d[i].status != LF_KST_OK) {
			fprintf(stderr, "\n%s: desc %u status %d\n  %s\n", who,
				i, d[i].status, what);
			return 0;
		}
	}
	return 1;
}

/*
 * The launch on opencl (CU @cu) and on emu (the same CU): every status
 * OK, both act buffers equal to the reference's, hence to each other.
 * Returns 0 on success.
 */
static int check_three_ways(lf_dev *cl, lf_dev *emu,
			    const struct lf_kc_launch *l, uint32_t cu,
			    uint64_t seed, int index)
{
	size_t dn = sizeof(lf_desc) * l->ndesc;
	struct launch_out oc = {malloc(l->act_bytes), malloc(dn)};
	struct launch_out oe = {malloc(l->act_bytes), malloc(dn)};
	int bad = -1;

	if (!oc.act || !oc.desc || !oe.act || !oe.desc)
		goto out;
	if (launch(cl, cu, l, 0, 0, &oc) != LF_OK ||
	    launch(emu, cu, l, 0, 0, &oe) != LF_OK) {
		fprintf(stderr, "\n%s: %s\n", l->what, lf__drv_last_error());
		goto out;
	}
	bad = 0;
	if (!all_ok(oc.desc, l->ndesc, "opencl", l->what) ||
	    !all_ok(oe.desc, l->ndesc, "emu", l->what))
		bad = -1;
	if (lf_kc_compare(l, oc.act, "opencl", seed, index) != 0 ||
	    lf_kc_compare(l, oe.act, "emu", seed, index) != 0 ||
	    memcmp(oc.act, oe.act, l->act_bytes) != 0)
		bad = -1;
out:
	free(oc.act);
	free(oc.desc);
	free(oe.act);
	free(oe.desc);
	return bad;
}

/* ------------------------------------------------------------------------
 * Hand-packed layers of realistic shapes, per lf_desc.h, with the
 * expected bytes from lf__ref_qconv2d / lf__ref_qmatmul.
 */
struct tl_layer {
	const char *what;
	uint32_t op;
	/* conv */
	int n, ic, ih, iw, oc, k, stride, pad, dil, groups;
	/* matmul (B from act when b_act) */
	int batch, m, kk, nn, w_batch, b_act;
	lf_dtype xt, wt, yt;
	int per_ch, bias, relu;
};

static const struct tl_layer tl_layers[] = {
    {"conv 7x7/2 stem 3->16 32x32",
     LF_KOP_CONV2D,
     1,
     3,
     32,
     32,
     16,
     7,
     2,
     3,
     1,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT8,
     LF_DTYPE_UINT8,
     1,
     1,
     1},
    {"conv 3x3 32->32 16x16 relu",
     LF_KOP_CONV2D,
     1,
     32,
     16,
     16,
     32,
     3,
     1,
     1,
     1,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT8,
     LF_DTYPE_UINT8,
     1,
     1,
     1},
    {"depthwise 3x3 32ch 16x16",
     LF_KOP_CONV2D,
     1,
     32,
     16,
     16,
     32,
     3,
     1,
     1,
     1,
     32,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT8,
     LF_DTYPE_UINT8,
     1,
     1,
     0},
    {"pointwise 1x1 32->64 16x16 int8",
     LF_KOP_CONV2D,
     1,
     32,
     16,
     16,
     64,
     1,
     1,
     0,
     1,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     0,
     1,
     0},
    {"conv 3x3/2 64->32 8x8 batch 2",
     LF_KOP_CONV2D,
     2,
     64,
     8,
     8,
     32,
     3,
     2,
     1,
     1,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_UINT8,
     LF_DTYPE_UINT8,
     1,
     0,
     0},
    {"conv 3x3 dilation 2 16->16 12x12",
     LF_KOP_CONV2D,
     1,
     16,
     12,
     12,
     16,
     3,
     1,
     2,
     2,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     1,
     1,
     1},
    {"ConvInteger 3x3 8->8 10x10 int32",
     LF_KOP_CONV2D,
     1,
     8,
     10,
     10,
     8,
     3,
     1,
     1,
     1,
     1,
     0,
     0,
     0,
     0,
     0,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT32,
     0,
     0,
     0},
    {"FC 512->100 classifier",
     LF_KOP_MATMUL,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     1,
     1,
     512,
     100,
     1,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT8,
     LF_DTYPE_UINT8,
     1,
     1,
     0},
    {"matmul 16x256x64 transformer proj",
     LF_KOP_MATMUL,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     1,
     16,
     256,
     64,
     1,
     0,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     0,
     1,
     0},
    {"batched attention 4x(8x32x8) B in act",
     LF_KOP_MATMUL,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     4,
     8,
     32,
     8,
     4,
     1,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     LF_DTYPE_INT8,
     0,
     0,
     0},
    {"MatMulInteger 5x70x33 int32",
     LF_KOP_MATMUL,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     0,
     1,
     5,
     70,
     33,
     1,
     0,
     LF_DTYPE_UINT8,
     LF_DTYPE_INT8,
     LF_DTYPE_INT32,
     1,
     1,
     0},
};
#define N_TL_LAYERS (int)(sizeof(tl_layers) / sizeof(tl_layers[0]))

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

static void put_i32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(u >> (8 * i));
}

static void put_f32(uint8_t *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put_i32(p, (int32_t)u);
}

static int32_t zp_for(struct lf_rng *r, lf_dtype t)
{
	return t == LF_DTYPE_UINT8 ? lf_rng_range(r, 100, 150)
				   : lf_rng_range(r, -8, 8);
}

/* Quantization blocks shared by both ops; nq = 1 or channels. */
struct tl_quant {
	int32_t x_zp, y_zp, lo, hi;
	int32_t w_zp[128];
	float x_scale, y_scale, w_scale[128];
	int32_t bias[128];
};

static void tl_quant_pick(struct lf_rng *r, const struct tl_layer *t,
			  int channels, int nq, struct tl_quant *q)
{
	q->x_zp = zp_for(r, t->xt);
	q->y_zp = t->yt == LF_DTYPE_INT32 ? 0 : zp_for(r, t->yt);
	q->lo = t->yt == LF_DTYPE_UINT8 ? 0 : -128;
	q->hi = t->yt == LF_DTYPE_UINT8 ? 255 : 127;
	if (t->relu)
		q->lo = q->y_zp;
	q->x_scale = 0.02f;
	q->y_scale = t->op == LF_KOP_MATMUL ? 0.4f : 0.09f;
	for (int c = 0; c < nq; c++) {
		q->w_zp[c] = zp_for(r, t->wt);
		q->w_scale[c] = 0.0011f + 0.0003f * (float)(c % 7);
	}
	for (int c = 0; c < channels; c++)
		q->bias[c] = lf_rng_range(r, -3000, 3000);
}

/* Params: w (or nothing with B in act), bias, w_zp[nq], mult[nq]. */
static uint32_t tl_params(const struct tl_quant *q, int channels, int nq,
			  uint32_t wsz, struct lf_rng *r, uint8_t **out,
			  lf_desc *d)
{
	uint32_t bias_off = align_up(wsz, 4);
	uint32_t wzp_off = bias_off + (uint32_t)channels * 4;
	uint32_t mult_off = wzp_off + (uint32_t)nq * 4;
	uint32_t total = mult_off + (uint32_t)nq * 4;
	uint8_t *p = calloc(1, total);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (uint32_t i = 0; i < wsz; i++)
		p[i] = (uint8_t)lf_rng_u32(r);
	for (int c = 0; c < channels; c++)
		put_i32(p + bias_off + 4 * c, q->bias[c]);
	for (int c = 0; c < nq; c++) {
		put_i32(p + wzp_off + 4 * c, q->w_zp[c]);
		put_f32(p + mult_off + 4 * c,
			(q->x_scale * q->w_scale[c]) / q->y_scale);
	}
	d->w_off = 0;
	d->bias_off = bias_off;
	d->w_zp_off = wzp_off;
	d->mult_off = mult_off;
	*out = p;
	return total;
}

static void tl_desc_common(const struct tl_layer *t, const struct tl_quant *q,
			   lf_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->magic = LF_DESC_MAGIC;
	d->op = t->op;
	d->status = LF_KST_PENDING;
	d->x_type = (uint32_t)t->xt;
	d->w_type = (uint32_t)t->wt;
	d->y_type = (uint32_t)t->yt;
	d->flags =
	    (t->bias ? LF_DF_BIAS : 0) | (t->per_ch ? LF_DF_W_PER_CH : 0);
	d->x_zp = q->x_zp;
	d->y_zp = q->y_zp;
	d->act_min = q->lo;
	d->act_max = q->hi;
}

static void tl_pack_conv(const struct tl_layer *t, struct lf_rng *r,
			 struct lf_kc_launch *l)
{
	int oh =
	    lf__ref_out_dim(t->ih, t->k, t->stride, t->pad, t->pad, t->dil);
	int ow =
	    lf__ref_out_dim(t->iw, t->k, t->stride, t->pad, t->pad, t->dil);
	int nq = t->per_ch ? t->oc : 1, ysz = t->yt == LF_DTYPE_INT32 ? 4 : 1;
	uint32_t wsz = (uint32_t)(t->oc * (t->ic / t->groups) * t->k * t->k);
	uint32_t xsz = (uint32_t)(t->n * t->ic * t->ih * t->iw);
	uint32_t y_off = align_up(xsz, 64);
	uint32_t ybytes = (uint32_t)(t->n * t->oc * oh * ow * ysz);
	struct lf_ref_qconv rq;
	struct tl_quant q;
	lf_desc *d = calloc(1, sizeof(*d));

	CU_ASSERT_FATAL(oh > 0 && ow > 0 && t->oc <= 128 && d != NULL);
	tl_quant_pick(r, t, t->oc, nq, &q);
	tl_desc_common(t, &q, d);
	l->params_bytes = tl_params(&q, t->oc, nq, wsz, r, &l->params, d);
	d->n = (uint32_t)t->n, d->ic = (uint32_t)t->ic;
	d->ih = (uint32_t)t->ih, d->iw = (uint32_t)t->iw;
	d->oc = (uint32_t)t->oc, d->oh = (uint32_t)oh, d->ow = (uint32_t)ow;
	d->groups = (uint32_t)t->groups;
	d->kh = d->kw = (uint32_t)t->k;
	d->stride_h = d->stride_w = (uint32_t)t->stride;
	d->pad_t = d->pad_l = d->pad_b = d->pad_r = (uint32_t)t->pad;
	d->dil_h = d->dil_w = (uint32_t)t->dil;
	d->x_off = 0;
	d->y_off = y_off;
	l->act_bytes = y_off + ybytes;
	l->act = calloc(1, l->act_bytes);
	l->expect = calloc(1, l->act_bytes);
	CU_ASSERT_FATAL(l->act && l->expect);
	for (uint32_t i = 0; i < xsz; i++)
		l->act[i] = (uint8_t)lf_rng_u32(r);
	memcpy(l->expect, l->act, l->act_bytes);

	memset(&rq, 0, sizeof(rq));
	rq.x_type = t->xt, rq.w_type = t->wt, rq.y_type = t->yt;
	rq.n = t->n, rq.ic = t->ic, rq.ih = t->ih, rq.iw = t->iw;
	rq.oc = t->oc, rq.kh = rq.kw = t->k;
	rq.stride_h = rq.stride_w = t->stride;
	rq.pad_t = rq.pad_l = rq.pad_b = rq.pad_r = t->pad;
	rq.dil_h = rq.dil_w = t->dil;
	rq.groups = t->groups;
	rq.x_zp = q.x_zp, rq.y_zp = q.y_zp;
	rq.w_zp = q.w_zp, rq.w_zp_count = nq;
	rq.x_scale = q.x_scale, rq.y_scale = q.y_scale;
	rq.w_scale = q.w_scale, rq.w_scale_count = nq;
	rq.bias = t->bias ? q.bias : NULL;
	rq.act_min = q.lo, rq.act_max = q.hi;
	CU_ASSERT_EQUAL_FATAL(
	    lf__ref_qconv2d(&rq, l->act, l->params, l->expect + y_off), LF_OK);
	l->op = LF_KOP_CONV2D;
	l->desc = d;
	l->ndesc = 1;
}

static void tl_pack_matmul(const struct tl_layer *t, struct lf_rng *r,
			   struct lf_kc_launch *l)
{
	int nq = t->per_ch ? t->nn : 1, ysz = t->yt == LF_DTYPE_INT32 ? 4 : 1;
	uint32_t asz = (uint32_t)(t->batch * t->m * t->kk);
	uint32_t bsz = (uint32_t)(t->w_batch * t->kk * t->nn);
	uint32_t b_off = align_up(asz, 64);
	uint32_t y_off = align_up(t->b_act ? b_off + bsz : asz, 64);
	uint32_t ybytes = (uint32_t)(t->batch * t->m * t->nn * ysz);
	struct lf_ref_qmatmul rq;
	struct tl_quant q;
	lf_desc *d = calloc(1, sizeof(*d));
	const uint8_t *b;

	CU_ASSERT_FATAL(t->nn <= 128 && d != NULL);
	tl_quant_pick(r, t, t->nn, nq, &q);
	tl_desc_common(t, &q, d);
	l->params_bytes =
	    tl_params(&q, t->nn, nq, t->b_act ? 0 : bsz, r, &l->params, d);
	d->mm_batch = (uint32_t)t->batch, d->mm_m = (uint32_t)t->m;
	d->mm_k = (uint32_t)t->kk, d->mm_n = (uint32_t)t->nn;
	d->mm_w_batch = (uint32_t)t->w_batch;
	d->x_off = 0;
	d->y_off = y_off;
	if (t->b_act) {
		d->flags |= LF_DF_B_ACT;
		d->x2_off = b_off;
		d->x2_zp = q.w_zp[0];
	}
	l->act_bytes = y_off + ybytes;
	l->act = calloc(1, l->act_bytes);
	l->expect = calloc(1, l->act_bytes);
	CU_ASSERT_FATAL(l->act && l->expect);
	for (uint32_t i = 0; i < asz; i++)
		l->act[i] = (uint8_t)lf_rng_u32(r);
	for (uint32_t i = 0; t->b_act && i < bsz; i++)
		l->act[b_off + i] = (uint8_t)lf_rng_u32(r);
	memcpy(l->expect, l->act, l->act_bytes);
	b = t->b_act ? l->act + b_off : l->params;

	memset(&rq, 0, sizeof(rq));
	rq.x_type = t->xt, rq.w_type = t->wt, rq.y_type = t->yt;
	rq.batch = t->batch, rq.m = t->m, rq.k = t->kk, rq.n = t->nn;
	rq.w_batch = t->w_batch;
	rq.x_zp = q.x_zp, rq.y_zp = q.y_zp;
	rq.w_zp = q.w_zp, rq.w_zp_count = t->b_act ? 1 : nq;
	rq.x_scale = q.x_scale, rq.y_scale = q.y_scale;
	rq.w_scale = q.w_scale, rq.w_scale_count = nq;
	rq.bias = t->bias ? q.bias : NULL;
	rq.act_min = q.lo, rq.act_max = q.hi;
	CU_ASSERT_EQUAL_FATAL(
	    lf__ref_qmatmul(&rq, l->act, b, l->expect + y_off), LF_OK);
	l->op = LF_KOP_MATMUL;
	l->desc = d;
	l->ndesc = 1;
}

static void tl_pack(int i, struct lf_kc_launch *l)
{
	const struct tl_layer *t = &tl_layers[i];
	struct lf_rng r;

	memset(l, 0, sizeof(*l));
	lf_rng_seed(&r, 0x0c1a7e5ull + (uint64_t)i);
	if (t->op == LF_KOP_CONV2D)
		tl_pack_conv(t, &r, l);
	else
		tl_pack_matmul(t, &r, l);
	snprintf(l->what, sizeof(l->what), "%s", t->what);
}

/* ------------------------------------------------------------------------
 * Tests.
 */

/* The backend is registered and enumerates; selectors find devices. */
static void test_registry(void)
{
	struct lf_dev_desc dd[8];
	uint32_t n = 0, idx = 99;
	char list[128], sel[80];

	lf__backend_list(list, sizeof(list));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "opencl"));
	if (!ready())
		return;
	CU_ASSERT_EQUAL_FATAL(lf__drv_enumerate("opencl", dd, 8, &n), LF_OK);
	CU_ASSERT_FATAL(n >= 1);
	CU_ASSERT_STRING_EQUAL(dd[0].backend, "opencl");
	CU_ASSERT_EQUAL(dd[0].index, 0);
	CU_ASSERT(dd[0].name[0] != '\0');
	CU_ASSERT_PTR_NOT_NULL(strstr(dd[0].detail, "flavour"));
	printf("\n  device 0: %s (%s) ", dd[0].name, dd[0].detail);

	CU_ASSERT_EQUAL(lf__ocl_find_device("0", &idx), LF_OK);
	CU_ASSERT_EQUAL(idx, 0);
	/* A substring of the device's name, alone and after a '/'. */
	snprintf(sel, sizeof(sel), "%.4s", dd[0].name);
	idx = 99;
	CU_ASSERT_EQUAL(lf__ocl_find_device(sel, &idx), LF_OK);
	CU_ASSERT(idx < n);
	snprintf(sel, sizeof(sel), "/%.4s", dd[0].name);
	idx = 99;
	CU_ASSERT_EQUAL(lf__ocl_find_device(sel, &idx), LF_OK);
	CU_ASSERT(idx < n);
	CU_ASSERT_EQUAL(lf__ocl_find_device("no-such-platform/x", &idx),
			LF_ERR_NOT_FOUND);
	CU_ASSERT(msg_has("devices: 0"));
	CU_ASSERT_EQUAL(lf__ocl_find_device("4000", &idx), LF_ERR_NOT_FOUND);
}

/* Bad device strings fail cleanly and leave no OpenCL object behind. */
static void test_open_errors(void)
{
	lf_dev *dev = NULL;
	uint64_t before;

	if (!ready())
		return;
	before = lf__ocl_live_total();
	CU_ASSERT_EQUAL(lf__dev_open("opencl:0,bogus=1", &dev),
			LF_ERR_INVALID_ARG);
	CU_ASSERT(msg_has("unknown option"));
	CU_ASSERT_EQUAL(lf__dev_open("opencl:0,flavour=amd", &dev),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_open("opencl:0,cache=2", &dev),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_open("opencl:no-such-device", &dev),
			LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf__dev_open("opencl:77", &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NULL(dev);
	CU_ASSERT_EQUAL(lf__ocl_live_total(), before);
}

/* Flip one byte in the middle of the first cache entry. */
static int damage_cache_entry(void)
{
	DIR *dir = opendir(g.cache_dir);
	struct dirent *e;
	char path[PATH_MAX + 256];
	int done = -1;

	if (!dir)
		return -1;
	while ((e = readdir(dir)) && done != 0) {
		FILE *f;
		long n;
		int c;

		if (strncmp(e->d_name, "ocl-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", g.cache_dir, e->d_name);
		f = fopen(path, "r+b");
		if (!f)
			continue;
		if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 64 &&
		    fseek(f, n / 2, SEEK_SET) == 0 && (c = fgetc(f)) != EOF &&
		    fseek(f, n / 2, SEEK_SET) == 0 && fputc(c ^ 0x5a, f) != EOF)
			done = 0;
		fclose(f);
	}
	closedir(dir);
	return done;
}

/*
 * The build cache: the first load compiles both kernel programs and
 * stores them; a second device loads them from the cache without
 * compiling; a damaged entry is rejected and rebuilt; cache=0 compiles.
 * The second device stays open for the tests that follow.
 */
static void test_build_cache(void)
{
	struct lf_ocl_stats s1, s2, s3;
	lf_dev *d1, *d3;
	double t;

	if (!ready())
		return;
	d1 = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d1);
	CU_ASSERT_EQUAL(ours_live(), live_of(d1));
	t = now_s();
	/* tiny: the default kernel build with a CU of every kernel (the
	 * hardware-build profiles link lfk_engine alone). */
	CU_ASSERT_EQUAL_FATAL(load_profile(d1, "tiny"), LF_OK);
	t = now_s() - t;
	s1 = stats(d1);
	CU_ASSERT_EQUAL(s1.flavour, LF_OCL_PORTABLE);
	/* One program per kernel source: conv2d, matmul, pool, add, engine. */
	CU_ASSERT_EQUAL(s1.src_builds, 5);
	CU_ASSERT_EQUAL(s1.cache_misses, 5);
	CU_ASSERT_EQUAL(s1.cache_stores, 5);
	CU_ASSERT_EQUAL(s1.cache_hits, 0);
	CU_ASSERT_STRING_EQUAL(s1.cache_dir, g.cache_dir);
	/* 9 CUs: a kernel and a queue each, plus the transfer queue. */
	CU_ASSERT_EQUAL(s1.live[LF_OCL_CONTEXT], 1);
	CU_ASSERT_EQUAL(s1.live[LF_OCL_QUEUE], 10);
	CU_ASSERT_EQUAL(s1.live[LF_OCL_KERNEL], 9);
	CU_ASSERT_EQUAL(s1.live[LF_OCL_PROGRAM], 5);
	CU_ASSERT_EQUAL(lf__dev_close(d1), LF_OK);
	CU_ASSERT_EQUAL(ours_live(), 0);

	d3 = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
	CU_ASSERT_EQUAL_FATAL(load_profile(d3, "tiny"), LF_OK);
	s2 = stats(d3);
	CU_ASSERT_EQUAL(s2.src_builds, 0);
	CU_ASSERT_EQUAL(s2.cache_hits, 5);
	CU_ASSERT_EQUAL(s2.cache_stores, 0);
	printf("\n  first load %.3f s (build %.3f s), cached load %.3f s ", t,
	       (double)s1.build_ns * 1e-9, (double)s2.build_ns * 1e-9);
	CU_ASSERT_EQUAL(lf__dev_close(d3), LF_OK);

	CU_ASSERT_EQUAL_FATAL(damage_cache_entry(), 0);
	d3 = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
	CU_ASSERT_EQUAL(load_profile(d3, "tiny"), LF_OK);
	s3 = stats(d3);
	CU_ASSERT_EQUAL(s3.cache_rejects, 1);
	CU_ASSERT_EQUAL(s3.cache_hits, 4);
	CU_ASSERT_EQUAL(s3.src_builds, 1);
	CU_ASSERT_EQUAL(s3.cache_stores, 1);
	CU_ASSERT_EQUAL(lf__dev_close(d3), LF_OK);

	d3 = open_dev("opencl:0,cache=0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
	CU_ASSERT_EQUAL(load_profile(d3, "tiny"), LF_OK);
	s3 = stats(d3);
	CU_ASSERT_EQUAL(s3.src_builds, 5);
	CU_ASSERT_EQUAL(s3.cache_hits + s3.cache_misses + s3.cache_stores, 0);
	CU_ASSERT_STRING_EQUAL(s3.cache_dir, "");
	CU_ASSERT_EQUAL(lf__dev_close(d3), LF_OK);
	CU_ASSERT_EQUAL(ours_live(), 0);

	/* aws-f1: the F1 hardware build, lfk_engine x 2 with F1's -D
	 * parameters: one program of its own. */
	g.cl = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g.cl);
	CU_ASSERT_EQUAL_FATAL(load_profile(g.cl, "aws-f1"), LF_OK);
	s2 = stats(g.cl);
	CU_ASSERT_EQUAL(s2.src_builds, 1);
	CU_ASSERT_EQUAL(s2.live[LF_OCL_KERNEL], 2);

	g.emu = open_dev("emu:aws-f1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g.emu);
	CU_ASSERT_EQUAL_FATAL(load_profile(g.emu, "aws-f1"), LF_OK);
	/* The engine runs conv2d and matmul descriptors: both on its CUs. */
	CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(g.cl, "lfk_engine", &g.conv_cu),
			      LF_OK);
	g.mm_cu = g.conv_cu;
}

/* Both devices describe the xclbin the same way. */
static void test_props(void)
{
	const struct lf_dev_props *pc, *pe;

	if (!ready() || !g.cl || !g.emu) {
		CU_ASSERT(g.state != 1);
		return;
	}
	pc = lf__dev_props(g.cl);
	pe = lf__dev_props(g.emu);
	CU_ASSERT_STRING_EQUAL(pc->backend, "opencl");
	CU_ASSERT(pc->xclbin_loaded);
	CU_ASSERT_EQUAL(pc->nmems, pe->nmems);
	CU_ASSERT_EQUAL(pc->ncus, pe->ncus);
	CU_ASSERT_EQUAL(pc->nlimits, pe->nlimits);
	CU_ASSERT_EQUAL(memcmp(pc->xclbin_uuid, pe->xclbin_uuid, 16), 0);
	for (uint32_t i = 0; i < pc->nmems && i < pe->nmems; i++) {
		CU_ASSERT_STRING_EQUAL(pc->mems[i].tag, pe->mems[i].tag);
		CU_ASSERT_EQUAL(pc->mems[i].size, pe->mems[i].size);
	}
	for (uint32_t c = 0; c < pc->ncus && c < pe->ncus; c++) {
		CU_ASSERT_STRING_EQUAL(pc->cus[c].name, pe->cus[c].name);
		CU_ASSERT_EQUAL(memcmp(pc->cus[c].arg_bank, pe->cus[c].arg_bank,
				       sizeof(pc->cus[c].arg_bank)),
				0);
	}
	CU_ASSERT_EQUAL(lf__dev_limit(g.cl, "lfk_conv2d.pe_oc", -1),
			lf__dev_limit(g.emu, "lfk_conv2d.pe_oc", -2));
	/* The line buffer is the portable build's own (lf_config.h
	 * LF_BLK_LBEATS_OCL): bitstreams/aws-f1/params.mk gives the card
	 * 4096 beats of UltraRAM and the OpenCL build 1024 of __local. */
	CU_ASSERT_EQUAL(lf__dev_limit(g.emu, "lfk_conv2d.blk_lbeats", -1),
			4096);
	CU_ASSERT_EQUAL(lf__dev_limit(g.cl, "lfk_conv2d.blk_lbeats", -1), 1024);
	CU_ASSERT_EQUAL(lf__dev_limit(g.cl, "lfk_conv2d.blk_lbeats_ocl", -1),
			1024);
	/* So is the resident first block (LF_BLK_WRES_OCL): 16 UltraRAM
	 * banks on the card, none in the OpenCL build (PoCL's __local). */
	CU_ASSERT_EQUAL(lf__dev_limit(g.emu, "lfk_conv2d.blk_wres", -1), 16);
	CU_ASSERT_EQUAL(lf__dev_limit(g.cl, "lfk_conv2d.blk_wres", -1), 0);
	CU_ASSERT_EQUAL(lf__dev_limit(g.cl, "lfk_conv2d.blk_wres_ocl", -1), 0);
}

/*
 * ~20 varied layers: the hand-packed realistic ones and random ones from
 * the kernels suite's generator (groups, strides, dilation, padding,
 * per-channel, int32 outputs, several descriptors per launch), on both
 * conv CUs (their ports sit on different banks).
 */
static int layers_on(lf_dev *cl, lf_dev *emu, uint32_t conv_cu, uint32_t mm_cu,
		     int nrandom)
{
	uint64_t seed = lf_kc_seed() ^ 0x0c1u;
	int fails = 0, cases = 0;
	double t = now_s();

	for (int i = 0; i < N_TL_LAYERS; i++) {
		struct lf_kc_launch l;
		uint32_t cu;

		tl_pack(i, &l);
		cu =
		    l.op == LF_KOP_CONV2D ? conv_cu + (uint32_t)(i % 2) : mm_cu;
		if (check_three_ways(cl, emu, &l, cu, 0, i) != 0)
			fails++;
		cases++;
		lf_kc_free(&l);
	}
	for (int i = 0; i < nrandom; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		int conv = i < nrandom / 2 + 1;
		uint32_t cu;

		lf_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(
		    conv ? lf_kc_random_conv(&r, i == nrandom / 2, &l)
			 : lf_kc_random_matmul(&r, i == nrandom - 1, &l),
		    0);
		cu = conv ? conv_cu + (uint32_t)(i % 2) : mm_cu;
		if (check_three_ways(cl, emu, &l, cu, seed, i) != 0)
			fails++;
		cases++;
		lf_kc_free(&l);
	}
	printf("\n  %d layers, identical on opencl, emu and the reference "
	       "(%.2f s) ",
	       cases, now_s() - t);
	return fails;
}

static void test_layers(void)
{
	if (!ready() || !g.cl || !g.emu) {
		CU_ASSERT(g.state != 1);
		return;
	}
	CU_ASSERT_EQUAL(layers_on(g.cl, g.emu, g.conv_cu, g.mm_cu, 12), 0);
}

/*
 * Pointer arguments at offsets become sub-buffers: aligned offsets give
 * the same bytes; an offset OpenCL cannot express is LF_ERR_RANGE, with
 * nothing left behind.
 */
static void offsets_on(lf_dev *dev, uint32_t cu)
{
	struct lf_kc_launch l;
	struct lf_ocl_stats s;
	struct launch_out o;
	uint64_t align, live;

	s = stats(dev);
	align = s.base_align;
	CU_ASSERT_FATAL(align >= 1);
	tl_pack(1, &l);
	o.act = malloc(l.act_bytes);
	o.desc = malloc(sizeof(lf_desc));
	CU_ASSERT_FATAL(o.act && o.desc);
	if (s.flavour == LF_OCL_XILINX) {
		/* Refused: XRT's sub-buffers proved wrong (README.md). */
		live = live_of(dev);
		CU_ASSERT_EQUAL(launch(dev, cu, &l, align, 0, &o),
				LF_ERR_UNSUPPORTED);
		CU_ASSERT(msg_has("offset"));
		CU_ASSERT_EQUAL(live_of(dev), live);
		goto out;
	}
	CU_ASSERT_EQUAL(launch(dev, cu, &l, align, 3 * align, &o), LF_OK);
	CU_ASSERT(all_ok(o.desc, 1, "opencl", l.what));
	CU_ASSERT_EQUAL(lf_kc_compare(&l, o.act, "opencl+offsets", 0, 0), 0);
	CU_ASSERT_EQUAL(stats(dev).sub_buffers, s.sub_buffers + 2);

	if (align > 1) {
		live = live_of(dev);
		CU_ASSERT_EQUAL(launch(dev, cu, &l, align / 2, 0, &o),
				LF_ERR_RANGE);
		CU_ASSERT(msg_has("CL_DEVICE_MEM_BASE_ADDR_ALIGN"));
		CU_ASSERT_EQUAL(live_of(dev), live);
	}
out:
	free(o.act);
	free(o.desc);
	lf_kc_free(&l);
}

/*
 * A buffer in a bank the port does not reach is refused at run start
 * (LF_ERR_RANGE), as on the card; nothing is left behind.
 */
static void wrong_bank_on(lf_dev *dev, uint32_t cu)
{
	const struct lf_dev_props *p;
	uint32_t act_bank, other;
	lf_bo *bo[3] = {NULL, NULL, NULL};
	lf_run *run = NULL;
	uint64_t live;

	p = lf__dev_props(dev);
	CU_ASSERT_EQUAL_FATAL(lf__dev_arg_bank(dev, cu, 4, &act_bank), LF_OK);
	other = (act_bank + 1) % p->nmems;
	CU_ASSERT_FATAL(other != act_bank);
	live = live_of(dev);
	CU_ASSERT_EQUAL_FATAL(
	    lf__bo_alloc(dev, 4096, p->cus[cu].arg_bank[0], &bo[0]), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf__bo_alloc(dev, 4096, p->cus[cu].arg_bank[2], &bo[1]), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 4096, other, &bo[2]), LF_OK);
	{
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, bo[0], 0), lf__arg_u32(1, 0),
		    lf__arg_bo(2, bo[1], 0), lf__arg_u32(3, 4096),
		    lf__arg_bo(4, bo[2], 0), lf__arg_u32(5, 4096),
		};
		CU_ASSERT_EQUAL(lf__run_start(dev, cu, a, 6, &run),
				LF_ERR_RANGE);
		CU_ASSERT(msg_has(p->mems[other].tag));
	}
	CU_ASSERT_PTR_NULL(run);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(lf__bo_free(bo[i]), LF_OK);
	CU_ASSERT_EQUAL(live_of(dev), live);
}

/*
 * Device memory limits: a buffer above CL_DEVICE_MAX_MEM_ALLOC_SIZE, and
 * a full bank of the tiny profile (two 64 MiB banks), both
 * LF_ERR_NO_DEVICE_MEMORY.
 */
static void test_memory_limits(void)
{
	struct lf_ocl_stats s;
	lf_bo *bo = NULL, *big = NULL;
	lf_dev *tiny;

	if (!ready() || !g.cl) {
		CU_ASSERT(g.state != 1);
		return;
	}
	s = stats(g.cl);
	if (s.max_alloc < lf__dev_props(g.cl)->mems[0].size) {
		CU_ASSERT_EQUAL(lf__bo_alloc(g.cl, s.max_alloc + 1, 0, &bo),
				LF_ERR_NO_DEVICE_MEMORY);
		CU_ASSERT(msg_has("CL_DEVICE_MAX_MEM_ALLOC_SIZE"));
		CU_ASSERT_PTR_NULL(bo);
	}
	tiny = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tiny);
	CU_ASSERT_EQUAL_FATAL(load_profile(tiny, "tiny"), LF_OK);
	CU_ASSERT_EQUAL(stats(tiny).src_builds, 0); /* same limits: cached */
	CU_ASSERT_EQUAL(lf__bo_alloc(tiny, 48u << 20, 1, &big), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_alloc(tiny, 17u << 20, 1, &bo),
			LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT(msg_has("is full"));
	CU_ASSERT_EQUAL(lf__bo_alloc(tiny, 17u << 20, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(big), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(tiny), LF_OK);
	CU_ASSERT_EQUAL(ours_live(), live_of(g.cl));
}

/* Copies of one descriptor: the output is written @n times, the same. */
static void repeat_desc(struct lf_kc_launch *l, uint32_t n)
{
	lf_desc *d = malloc(sizeof(lf_desc) * n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (uint32_t i = 0; i < n; i++)
		d[i] = l->desc[0];
	free(l->desc);
	l->desc = d;
	l->ndesc = n;
}

/*
 * The timeout path: a run long enough to still be pending; waits with a
 * limit return LF_ERR_TIMEOUT after about that long; the buffers and the
 * run are busy; a later wait collects it with the right bytes. Then the
 * counters and the measured timeline.
 */
static void timeout_on(lf_dev *dev, uint32_t cu)
{
	struct lf_kc_launch l;
	struct lf_tl_event ev[64];
	struct lf_dev_counters c0, c1;
	lf_bo *bo[3] = {NULL, NULL, NULL};
	lf_run *run = NULL;
	uint32_t bank[3], ntl = 0, n, max_n = 4096;
	double one = 1e9, t;
	uint8_t *out;
	int seen_run = 0, pending = 0;
	lf_status st;

	tl_pack(1, &l);
	out = malloc(l.act_bytes);
	CU_ASSERT_FATAL(out != NULL);
	/* Time warm runs of one descriptor, then ask for ~0.5 s of them. */
	for (int k = 0; k < 2; k++) {
		struct launch_out o = {out, malloc(sizeof(lf_desc))};

		CU_ASSERT_FATAL(o.desc != NULL);
		t = now_s();
		CU_ASSERT_EQUAL_FATAL(launch(dev, cu, &l, 0, 0, &o), LF_OK);
		t = now_s() - t;
		one = t < one ? t : one;
		free(o.desc);
	}
	n = (uint32_t)(0.5 / (one > 1e-4 ? one : 1e-4)) + 2;
	if (n > max_n)
		n = max_n;
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(
		    lf__dev_arg_bank(dev, cu, 2u * (uint32_t)i, &bank[i]),
		    LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf__bo_alloc(dev, sizeof(lf_desc) * max_n, bank[0], &bo[0]), LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf__bo_alloc(dev, l.params_bytes, bank[1], &bo[1]), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, l.act_bytes, bank[2], &bo[2]),
			      LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo[1], l.params, l.params_bytes, 0),
			LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo[2], l.act, l.act_bytes, 0), LF_OK);
	/* A run that finishes before the first poll was too short: more. */
	for (int attempt = 0; attempt < 3 && !pending; attempt++) {
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, bo[0], 0), lf__arg_u32(1, n),
		    lf__arg_bo(2, bo[1], 0), lf__arg_u32(3, l.params_bytes),
		    lf__arg_bo(4, bo[2], 0), lf__arg_u32(5, l.act_bytes),
		};

		repeat_desc(&l, n);
		CU_ASSERT_EQUAL(
		    lf__bo_write(bo[0], l.desc, sizeof(lf_desc) * n, 0), LF_OK);
		CU_ASSERT_EQUAL(lf__dev_counters(dev, &c0), LF_OK);
		t = now_s();
		CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, cu, a, 6, &run),
				      LF_OK);
		t = now_s() - t;
		pending = lf__run_wait(run, 0) == LF_ERR_TIMEOUT;
		if (!pending && t > 0.25) {
			/* Starting took the whole run: nothing to wait for. */
			printf("\n  SKIP: this device runs the kernel inside "
			       "run start (%.2f s; XRT software emulation's "
			       "device process does) ",
			       t);
			CU_ASSERT_EQUAL(lf__run_wait(run, 0), LF_OK);
			CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
			for (int i = 0; i < 3; i++)
				CU_ASSERT_EQUAL(lf__bo_free(bo[i]), LF_OK);
			free(out);
			lf_kc_free(&l);
			return;
		}
		if (!pending) {
			CU_ASSERT_EQUAL(lf__run_wait(run, LF_DRV_WAIT_FOREVER),
					LF_OK);
			CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
			run = NULL;
			n = n * 4 > max_n ? max_n : n * 4;
		}
	}
	CU_ASSERT(pending);
	if (pending) {
		t = now_s();
		st = lf__run_wait(run, 30);
		t = now_s() - t;
		CU_ASSERT_EQUAL(st, LF_ERR_TIMEOUT);
		if (st == LF_ERR_TIMEOUT) {
			CU_ASSERT(t >= 0.029 && t < 5.0);
			CU_ASSERT(msg_has("still pending"));
		}
		st = lf__bo_free(bo[2]);
		CU_ASSERT_EQUAL(st, LF_ERR_BUSY);
		if (st == LF_OK)
			bo[2] = NULL;
		CU_ASSERT_EQUAL(lf__bo_sync(bo[0], LF_SYNC_FROM_DEVICE, 16, 0),
				LF_ERR_BUSY);
		CU_ASSERT_EQUAL(lf__run_free(run), LF_ERR_BUSY);
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
		CU_ASSERT_EQUAL(lf__run_wait(run, LF_DRV_WAIT_FOREVER), LF_OK);
		CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	}
	if (bo[2]) {
		CU_ASSERT_EQUAL(lf__bo_read(bo[2], out, l.act_bytes, 0), LF_OK);
		CU_ASSERT_EQUAL(
		    lf_kc_compare(&l, out, "opencl, repeated", 0, 0), 0);
	}
	printf("\n  %u descriptors, %.1f ms each ", n, one * 1e3);

	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c1), LF_OK);
	CU_ASSERT_EQUAL(c1.launches, c0.launches + 1);
	CU_ASSERT_EQUAL(c1.h2d_transfers, c0.h2d_transfers);
	CU_ASSERT_EQUAL(c1.d2h_transfers, c0.d2h_transfers + 1);
	CU_ASSERT_EQUAL(c1.d2h_bytes, c0.d2h_bytes + l.act_bytes);
	CU_ASSERT_EQUAL(c1.live_bos, 3);
	CU_ASSERT_EQUAL(c1.cu[cu].runs, c0.cu[cu].runs + 1);
	CU_ASSERT(c1.cu[cu].busy_model_ns > c0.cu[cu].busy_model_ns);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 0, ev, 64, &ntl), LF_OK);
	for (uint32_t i = 0; i < ntl; i++)
		if (ev[i].kind == LF_TL_RUN && ev[i].cu == cu &&
		    ev[i].end_ns > ev[i].start_ns)
			seen_run = 1;
	CU_ASSERT(seen_run);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(lf__bo_free(bo[i]), LF_OK);
	free(out);
	lf_kc_free(&l);
}

static void test_offsets(void)
{
	if (!ready() || !g.cl) {
		CU_ASSERT(g.state != 1);
		return;
	}
	offsets_on(g.cl, g.conv_cu);
}

static void test_wrong_bank(void)
{
	if (!ready() || !g.cl) {
		CU_ASSERT(g.state != 1);
		return;
	}
	wrong_bank_on(g.cl, g.conv_cu);
}

static void test_timeout(void)
{
	if (!ready() || !g.cl) {
		CU_ASSERT(g.state != 1);
		return;
	}
	timeout_on(g.cl, g.conv_cu);
}

/* Error names and statuses, and the Xilinx CU kernel names. */
static void test_error_mapping(void)
{
	char name[64];

	CU_ASSERT_STRING_EQUAL(lf__ocl_err_name(0), "CL_SUCCESS");
	CU_ASSERT_STRING_EQUAL(lf__ocl_err_name(-11),
			       "CL_BUILD_PROGRAM_FAILURE");
	CU_ASSERT_STRING_EQUAL(lf__ocl_err_name(-13),
			       "CL_MISALIGNED_SUB_BUFFER_OFFSET");
	CU_ASSERT_STRING_EQUAL(lf__ocl_err_name(-1001),
			       "CL_PLATFORM_NOT_FOUND_KHR");
	CU_ASSERT_STRING_EQUAL(lf__ocl_err_name(-9999), "CL_UNKNOWN_ERROR");
	CU_ASSERT_EQUAL(lf__ocl_status(0), LF_OK);
	CU_ASSERT_EQUAL(lf__ocl_status(-4), LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__ocl_status(-61), LF_ERR_NO_DEVICE_MEMORY);
	CU_ASSERT_EQUAL(lf__ocl_status(-6), LF_ERR_NO_MEMORY);
	CU_ASSERT_EQUAL(lf__ocl_status(-11), LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(lf__ocl_status(-42), LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(lf__ocl_status(-13), LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__ocl_status(-1001), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf__ocl_status(-9999), LF_ERR_BACKEND);
	CU_ASSERT_EQUAL(lf__ocl_xilinx_cu_kernel_name("lfk_conv2d:lfk_conv2d_1",
						      name, sizeof(name)),
			LF_OK);
	CU_ASSERT_STRING_EQUAL(name, "lfk_conv2d:{lfk_conv2d_1}");
	CU_ASSERT_EQUAL(
	    lf__ocl_xilinx_cu_kernel_name("lfk_conv2d", name, sizeof(name)),
	    LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__ocl_xilinx_cu_kernel_name("k:i", name, 4),
			LF_ERR_INVALID_ARG);
}

/* Device 0 is PoCL's. */
static int on_pocl(void)
{
	struct lf_dev_desc dd;
	uint32_t n = 0;

	return lf__drv_enumerate("opencl", &dd, 1, &n) == LF_OK && n > 0 &&
	       strstr(dd.detail, "Portable Computing Language") != NULL;
}

/*
 * Load an in-memory emulation xclbin for the tiny profile with one CU of
 * @kernel and @limits. The portable flavour ignores the BITSTREAM, so any
 * bytes do.
 */
static lf_status load_custom(lf_dev *dev, const char *kernel,
			     const char *limits)
{
	static const uint8_t fake_so[16] = {0x7f, 'E', 'L', 'F'};
	struct lf_xclbin_spec *spec = calloc(1, sizeof(*spec));
	struct lf_xclbin *xb = NULL;
	uint8_t *img = NULL;
	size_t img_size = 0;
	char err[256] = "";
	lf_status st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	spec->platform = lf__xclbin_platform_find("tiny");
	spec->bitstream = fake_so;
	spec->bitstream_size = sizeof(fake_so);
	spec->limits = limits;
	spec->limits_size = limits ? strlen(limits) : 0;
	spec->nkernels = 1;
	snprintf(spec->kernels[0].name, sizeof(spec->kernels[0].name), "%s",
		 kernel);
	spec->kernels[0].ncus = 1;
	st = lf__xclbin_build(spec, &img, &img_size, err, sizeof(err));
	if (st == LF_OK)
		st = lf__xclbin_parse(img, img_size, &xb, err, sizeof(err));
	if (st == LF_OK)
		st = lf__dev_load_xclbin(dev, xb);
	else
		fprintf(stderr, "\ncustom xclbin: %s\n", err);
	lf__xclbin_free(xb);
	free(img);
	free(spec);
	return st;
}

/*
 * The xclbin's limits reach the OpenCL build as -D options: a smaller
 * kmax makes the kernel refuse a layer the default accepts (LF_KST_LIMIT);
 * limits lf_config.h rejects fail the build with its #error, mapped to
 * LF_ERR_BAD_FILE with the build log in the message; a limit the library
 * cannot pass, other descriptor sizes, and a kernel without source are
 * refused. Each failure leaves the previous xclbin and no extra object.
 */
static void test_limits_and_build_errors(void)
{
	struct lf_kc_launch l;
	struct launch_out o;
	lf_dev *dev;
	uint32_t cu = 0;
	uint64_t live;

	if (!ready())
		return;
	dev = open_dev("opencl:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	live = live_of(dev);
	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d", "lfk_conv2d.pe_k=0\n"),
			LF_ERR_BAD_FILE);
	CU_ASSERT(msg_has("clBuildProgram"));
	CU_ASSERT(msg_has("CL_BUILD_PROGRAM_FAILURE"));
	CU_ASSERT(msg_has("PE array dimensions"));
	CU_ASSERT_FALSE(lf__dev_props(dev)->xclbin_loaded);
	CU_ASSERT_EQUAL(live_of(dev), live);

	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d", "lfk_conv2d.foo=3\n"),
			LF_ERR_BAD_FILE);
	CU_ASSERT(msg_has("lfk_conv2d.foo"));
	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d", "desc_bytes=128\n"),
			LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(load_custom(dev, "vadd", NULL), LF_ERR_BAD_FILE);
	CU_ASSERT(msg_has("no OpenCL C source"));
	CU_ASSERT_EQUAL(live_of(dev), live);

	/* PoCL without `ld` would abort at the first run: refused. */
	if (on_pocl()) {
		char *path = strdup(getenv("PATH") ? getenv("PATH") : "");

		CU_ASSERT_PTR_NOT_NULL_FATAL(path);
		setenv("PATH", "/nonexistent", 1);
		CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d", NULL),
				LF_ERR_UNSUPPORTED);
		CU_ASSERT(msg_has("'ld'"));
		setenv("PATH", path, 1);
		free(path);
		CU_ASSERT_EQUAL(live_of(dev), live);
	}

	/* kmax 256: a 3x3 kernel over 32 channels (288) no longer fits. */
	CU_ASSERT_EQUAL_FATAL(
	    load_custom(dev, "lfk_conv2d", "lfk_conv2d.kmax=256\n"), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "lfk_conv2d.kmax", 0), 256);
	tl_pack(1, &l);
	o.act = malloc(l.act_bytes);
	o.desc = malloc(sizeof(lf_desc));
	CU_ASSERT_FATAL(o.act && o.desc);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "lfk_conv2d", &cu), LF_OK);
	CU_ASSERT_EQUAL(launch(dev, cu, &l, 0, 0, &o), LF_OK);
	CU_ASSERT_EQUAL(o.desc[0].status, LF_KST_LIMIT);
	CU_ASSERT_EQUAL(memcmp(o.act, l.act, l.act_bytes), 0);
	free(o.act);
	free(o.desc);
	lf_kc_free(&l);

	/* An _ocl twin below its limit: the build and the device take it
	 * (portable_limits); above it, the limit stays. */
	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d",
				    "lfk_conv2d.blk_lbeats=64\n"
				    "lfk_conv2d.blk_lbeats_ocl=16\n"),
			LF_OK);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "lfk_conv2d.blk_lbeats", 0), 16);
	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d",
				    "lfk_conv2d.kmax=256\n"
				    "lfk_conv2d.blk_lbeats=64\n"
				    "lfk_conv2d.blk_lbeats_ocl=128\n"),
			LF_OK);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "lfk_conv2d.blk_lbeats", 0), 64);

	/* A failed load keeps the loaded xclbin. */
	CU_ASSERT_EQUAL(load_custom(dev, "lfk_conv2d", "lfk_conv2d.pe_k=0\n"),
			LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(lf__dev_limit(dev, "lfk_conv2d.kmax", 0), 256);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	CU_ASSERT_EQUAL(ours_live(), g.cl ? live_of(g.cl) : (uint64_t)0);
}

/*
 * The Xilinx flavour forced onto a non-Xilinx device: the device refuses
 * the xclbin as a program binary; the error names the call and nothing is
 * left behind. (The flavour itself needs Xilinx's runtime: README.md.)
 */
static void test_xilinx_flavour_refused(void)
{
	char path[PATH_MAX];
	lf_dev *dev;
	uint64_t live;
	lf_status st;

	if (!ready())
		return;
	dev = open_dev("opencl:0,flavour=xilinx");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(stats(dev).flavour, LF_OCL_XILINX);
	CU_ASSERT_STRING_EQUAL(stats(dev).cache_dir, ""); /* portable only */
	live = live_of(dev);
	snprintf(path, sizeof(path), "%s/bitstreams/emu-tiny.xclbin",
		 lf_test_build_dir());
	st = lf__dev_load_xclbin_file(dev, path);
	if (st == LF_OK) {
		/* Only Xilinx's runtime could take it. */
		printf("\n  the device accepted an emulation xclbin as a "
		       "binary ");
	} else {
		CU_ASSERT_EQUAL(st, LF_ERR_BAD_FILE);
		CU_ASSERT(
		    strstr(lf__drv_last_error(), "clCreateProgramWithBinary") ||
		    strstr(lf__drv_last_error(), "clBuildProgram"));
		CU_ASSERT_EQUAL(live_of(dev), live);
	}
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* Closing the last devices releases every OpenCL object. */
static void test_close(void)
{
	if (!ready())
		return;
	CU_ASSERT_EQUAL(lf__dev_close(g.cl), LF_OK);
	g.cl = NULL;
	CU_ASSERT_EQUAL(lf__dev_close(g.emu), LF_OK);
	g.emu = NULL;
	CU_ASSERT_EQUAL(ours_live(), 0);
	if (g.live_base)
		printf("\n  note: %llu OpenCL objects of devices opened before "
		       "this suite are still alive ",
		       (unsigned long long)g.live_base);
}

static int suite_clean(void)
{
	lf__dev_close(g.cl);
	lf__dev_close(g.emu);
	if (g.cache_dir[0])
		nftw(g.cache_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (g.state != 0) {
		if (g.old_cache)
			setenv("LAYERFAB_CACHE_DIR", g.old_cache, 1);
		else
			unsetenv("LAYERFAB_CACHE_DIR");
	}
	free(g.old_cache);
	memset(&g, 0, sizeof(g));
	return 0;
}

void lf_test_suite_opencl(void)
{
	static const struct lf_test_case cases[] = {
	    {"registry", test_registry},
	    {"open_errors", test_open_errors},
	    {"error_mapping", test_error_mapping},
	    {"build_cache", test_build_cache},
	    {"props", test_props},
	    {"layers", test_layers},
	    {"offsets", test_offsets},
	    {"wrong_bank", test_wrong_bank},
	    {"memory_limits", test_memory_limits},
	    {"timeout", test_timeout},
	    {"limits_and_build_errors", test_limits_and_build_errors},
	    {"xilinx_flavour_refused", test_xilinx_flavour_refused},
	    {"close", test_close},
	    {NULL, NULL},
	};
	lf_test_add_suite("opencl", NULL, suite_clean, cases);
}

/* ------------------------------------------------------------------------
 * The "opencl_xilinx" suite: the Xilinx flavour, on a platform named
 * "Xilinx": a card, or XRT's software emulation with libxilinxopencl as
 * the only ICD and an emconfig.json for emu-tiny.xclbin (what
 * tests/xrt/run.sh sets up for its suites). Elsewhere it says SKIP and
 * passes. The same layers, offsets, bank and timeout checks as above run
 * against "emu:tiny" and the reference.
 */
static struct {
	int state; /* 0 not tried, 1 ready, 2 skipped, -1 failed */
	lf_dev *dev, *emu;
	uint32_t conv_cu, mm_cu;
	uint64_t live_base;
} gx;

static void gx_ensure(void)
{
	char spec[32];
	uint32_t idx = 0;

	if (gx.state != 0)
		return;
	gx.state = -1;
	if (lf_test_under_valgrind()) {
		printf("\n  SKIP: OpenCL under Valgrind ");
		gx.state = 2;
		return;
	}
	if (xilinx_device(&idx) < 0) {
		printf("\n  SKIP: no Xilinx OpenCL platform (tests/xrt/run.sh "
		       "provides one through XRT's software emulation) ");
		gx.state = 2;
		return;
	}
	gx.live_base = lf__ocl_live_total();
	snprintf(spec, sizeof(spec), "opencl:%u", idx);
	gx.dev = open_dev(spec);
	gx.emu = open_dev("emu:tiny");
	if (!gx.dev || !gx.emu || load_profile(gx.dev, "tiny") != LF_OK ||
	    load_profile(gx.emu, "tiny") != LF_OK ||
	    lf__dev_find_cu(gx.dev, "lfk_conv2d", &gx.conv_cu) != LF_OK ||
	    lf__dev_find_cu(gx.dev, "lfk_matmul", &gx.mm_cu) != LF_OK)
		return;
	gx.state = 1;
}

static int gx_ready(void)
{
	gx_ensure();
	CU_ASSERT(gx.state == 1 || gx.state == 2);
	return gx.state == 1;
}

/* The xclbin is the program: one per device, a kernel and queue per CU. */
static void test_x_load(void)
{
	struct lf_ocl_stats s;

	if (!gx_ready())
		return;
	s = stats(gx.dev);
	CU_ASSERT_EQUAL(s.flavour, LF_OCL_XILINX);
	CU_ASSERT_EQUAL(s.src_builds, 0);
	CU_ASSERT_STRING_EQUAL(s.cache_dir, "");
	CU_ASSERT_EQUAL(s.live[LF_OCL_CONTEXT], 1);
	CU_ASSERT_EQUAL(s.live[LF_OCL_PROGRAM], 1);
	/* emu-tiny.xclbin (bitstreams/emu/tiny.args): conv2d:2 matmul:1
	 * pool:2 add:2 engine:2 = 9 CUs; a kernel object and a queue per CU,
	 * plus the device's transfer queue. */
	CU_ASSERT_EQUAL(lf__dev_props(gx.dev)->ncus, 9);
	CU_ASSERT_EQUAL(s.live[LF_OCL_KERNEL], 9);
	CU_ASSERT_EQUAL(s.live[LF_OCL_QUEUE], 10);
	CU_ASSERT_EQUAL(lf__dev_props(gx.dev)->nmems, 2);
}

/* Layers on both conv CUs (ports on other banks: placement works). */
static void test_x_layers(void)
{
	if (!gx_ready())
		return;
	CU_ASSERT_EQUAL(layers_on(gx.dev, gx.emu, gx.conv_cu, gx.mm_cu, 6), 0);
}

static void test_x_offsets(void)
{
	if (gx_ready())
		offsets_on(gx.dev, gx.conv_cu);
}

static void test_x_wrong_bank(void)
{
	if (gx_ready())
		wrong_bank_on(gx.dev, gx.conv_cu);
}

static void test_x_timeout(void)
{
	if (gx_ready())
		timeout_on(gx.dev, gx.conv_cu);
}

static void test_x_close(void)
{
	if (!gx_ready())
		return;
	CU_ASSERT_EQUAL(lf__dev_close(gx.dev), LF_OK);
	gx.dev = NULL;
	CU_ASSERT_EQUAL(lf__ocl_live_total() - gx.live_base, 0);
}

static int gx_clean(void)
{
	lf__dev_close(gx.dev);
	lf__dev_close(gx.emu);
	memset(&gx, 0, sizeof(gx));
	return 0;
}

void lf_test_suite_opencl_xilinx(void)
{
	static const struct lf_test_case cases[] = {
	    {"load", test_x_load},
	    {"layers", test_x_layers},
	    {"offsets", test_x_offsets},
	    {"wrong_bank", test_x_wrong_bank},
	    {"timeout", test_x_timeout},
	    {"close", test_x_close},
	    {NULL, NULL},
	};
	lf_test_add_suite("opencl_xilinx", NULL, gx_clean, cases);
}

#else /* !LF_HAVE_OPENCL */

/* Not built: the registry knows the name and says so. */
static void test_not_built(void)
{
	lf_dev *dev = NULL;

	printf("\n  SKIP: the OpenCL backend is not built (no OpenCL "
	       "headers or ICD loader at build time) ");
	CU_ASSERT_EQUAL(lf__dev_open("opencl:0", &dev), LF_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NULL(dev);
}

void lf_test_suite_opencl(void)
{
	static const struct lf_test_case cases[] = {
	    {"not_built", test_not_built},
	    {NULL, NULL},
	};
	lf_test_add_suite("opencl", NULL, NULL, cases);
}

void lf_test_suite_opencl_xilinx(void)
{
	static const struct lf_test_case cases[] = {
	    {"not_built", test_not_built},
	    {NULL, NULL},
	};
	lf_test_add_suite("opencl_xilinx", NULL, NULL, cases);
}

#endif /* LF_HAVE_OPENCL */
