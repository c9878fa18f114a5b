/*
 * bench_opencl.c - lf-bench-opencl: realistic int8 layers on an OpenCL
 * device (the portable flavour on PoCL, without a card) next to the
 * emulator, through the driver interface, with wall times.
 *
 *   lf-bench-opencl [--device opencl:0] [--emu emu:aws-f1]
 *                   [--xclbin build/bitstreams/emu-aws-f1.xclbin]
 *                   [--runs N]
 *
 * Per layer and device: wall time per run (start to completion, host
 * clock, mean of N warm runs), the device time (opencl: measured by event
 * profiling; emu: modeled, the emulator's projection of the card) and the
 * multiply-accumulates per second of wall time. Outputs of both devices
 * must be identical bytes ("exact"). Loading the xclbin is timed too: on
 * the portable flavour it compiles the kernels unless the build cache
 * ($LAYERFAB_CACHE_DIR, ~/.cache/layerfab) has them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/driver.h"
#include "lf_desc.h"

struct layer {
	const char *name;
	int conv; /* else matmul */
	int n, ic, h, w, oc, k, stride, pad, groups;
	int m, kk, cols;
};

static const struct layer layers[] = {
    {"resnet conv3x3 64->64 56x56", 1, 1, 64, 56, 56, 64, 3, 1, 1, 1, 0, 0, 0},
    {"conv1x1 256->64 56x56", 1, 1, 256, 56, 56, 64, 1, 1, 0, 1, 0, 0, 0},
    {"depthwise3x3 32ch 112x112", 1, 1, 32, 112, 112, 32, 3, 1, 1, 32, 0, 0, 0},
    {"fc 512->1000 (matmul 1x512x1000)", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 512,
     1000},
    {"matmul 128x768x768 (BERT proj)", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 768,
     768},
};
#define NLAYERS (sizeof(layers) / sizeof(layers[0]))

/* One packed launch: descriptor, params, activations. */
struct packed {
	lf_desc d;
	uint8_t *params, *act;
	uint32_t params_bytes, act_bytes, y_off, y_bytes;
	double macs;
};

static uint64_t rng = 88172645463325252ull;

static uint8_t rbyte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put32(uint8_t *p, uint32_t u)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(u >> (8 * i));
}

/* u8 activations (zp 128), i8 weights per channel, bias, ReLU, u8 out. */
static int pack(const struct layer *L, struct packed *p)
{
	uint32_t ch = (uint32_t)(L->conv ? L->oc : L->cols);
	uint32_t wsz, xsz, oh = 0, ow = 0, bias_off, wzp_off, mult_off;

	memset(p, 0, sizeof(*p));
	if (L->conv) {
		oh = (uint32_t)((L->h + 2 * L->pad - L->k) / L->stride + 1);
		ow = (uint32_t)((L->w + 2 * L->pad - L->k) / L->stride + 1);
		wsz = (uint32_t)(L->oc * (L->ic / L->groups) * L->k * L->k);
		xsz = (uint32_t)(L->n * L->ic * L->h * L->w);
		p->y_bytes = (uint32_t)L->n * ch * oh * ow;
		p->macs =
		    (double)p->y_bytes * (L->ic / L->groups) * L->k * L->k;
	} else {
		wsz = (uint32_t)(L->kk * L->cols);
		xsz = (uint32_t)(L->m * L->kk);
		p->y_bytes = (uint32_t)(L->m * L->cols);
		p->macs = (double)L->m * L->kk * L->cols;
	}
	bias_off = (wsz + 3) & ~3u;
	wzp_off = bias_off + 4 * ch;
	mult_off = wzp_off + 4 * ch;
	p->params_bytes = mult_off + 4 * ch;
	p->y_off = (xsz + 63) & ~63u;
	p->act_bytes = p->y_off + p->y_bytes;
	p->params = calloc(1, p->params_bytes);
	p->act = calloc(1, p->act_bytes);
	if (!p->params || !p->act)
		return -1;
	for (uint32_t i = 0; i < wsz; i++)
		p->params[i] = rbyte();
	for (uint32_t i = 0; i < xsz; i++)
		p->act[i] = rbyte();
	for (uint32_t c = 0; c < ch; c++) {
		float mult =
		    (0.02f * (0.001f + 0.00001f * (float)(c % 97))) / 0.05f;
		uint32_t mb;

		put32(p->params + bias_off + 4 * c, (uint32_t)(rbyte() * 7));
		put32(p->params + wzp_off + 4 * c, 0);
		memcpy(&mb, &mult, 4);
		put32(p->params + mult_off + 4 * c, mb);
	}
	p->d.magic = LF_DESC_MAGIC;
	p->d.op = L->conv ? LF_KOP_CONV2D : LF_KOP_MATMUL;
	p->d.flags = LF_DF_BIAS | LF_DF_W_PER_CH;
	p->d.x_type = LF_KDT_U8;
	p->d.w_type = LF_KDT_I8;
	p->d.y_type = LF_KDT_U8;
	p->d.x_zp = 128;
	p->d.y_zp = 0;
	p->d.act_min = 0; /* ReLU with y_zp 0 */
	p->d.act_max = 255;
	if (L->conv) {
		p->d.n = (uint32_t)L->n, p->d.ic = (uint32_t)L->ic;
		p->d.ih = (uint32_t)L->h, p->d.iw = (uint32_t)L->w;
		p->d.oc = ch, p->d.oh = oh, p->d.ow = ow;
		p->d.groups = (uint32_t)L->groups;
		p->d.kh = p->d.kw = (uint32_t)L->k;
		p->d.stride_h = p->d.stride_w = (uint32_t)L->stride;
		p->d.pad_t = p->d.pad_l = p->d.pad_b = p->d.pad_r =
		    (uint32_t)L->pad;
		p->d.dil_h = p->d.dil_w = 1;
	} else {
		p->d.mm_batch = 1, p->d.mm_m = (uint32_t)L->m;
		p->d.mm_k = (uint32_t)L->kk, p->d.mm_n = ch;
		p->d.mm_w_batch = 1;
	}
	p->d.x_off = 0;
	p->d.y_off = p->y_off;
	p->d.w_off = 0;
	p->d.bias_off = bias_off;
	p->d.w_zp_off = wzp_off;
	p->d.mult_off = mult_off;
	return 0;
}

struct result {
	double load_s, wall_s, dev_s;
	uint8_t *y;
	int status;
};

static uint64_t cu_busy(lf_dev *dev, uint32_t cu)
{
	struct lf_dev_counters c;

	if (lf__dev_counters(dev, &c) != LF_OK || cu >= c.ncus)
		return 0;
	return c.cu[cu].busy_model_ns;
}

static lf_status bench_one(lf_dev *dev, const char *kernel,
			   const struct packed *p, int runs, struct result *r)
{
	lf_bo *bo[3] = {NULL, NULL, NULL};
	uint32_t cu = 0, bank[3];
	lf_run *run = NULL;
	lf_desc d = p->d;
	uint64_t busy0 = 0;
	lf_status st;
	double t0 = 0;

	st = lf__dev_find_cu(dev, kernel, &cu);
	for (uint32_t i = 0; i < 3 && st == LF_OK; i++)
		st = lf__dev_arg_bank(dev, cu, 2 * i, &bank[i]);
	if (st == LF_OK)
		st = lf__bo_alloc(dev, sizeof(d), bank[0], &bo[0]);
	if (st == LF_OK)
		st = lf__bo_alloc(dev, p->params_bytes, bank[1], &bo[1]);
	if (st == LF_OK)
		st = lf__bo_alloc(dev, p->act_bytes, bank[2], &bo[2]);
	if (st == LF_OK)
		st = lf__bo_write(bo[1], p->params, p->params_bytes, 0);
	if (st == LF_OK)
		st = lf__bo_write(bo[2], p->act, p->act_bytes, 0);
	/* One warm-up run, then @runs timed ones. */
	for (int i = 0; i <= runs && st == LF_OK; i++) {
		struct lf_run_arg a[6] = {
		    lf__arg_bo(0, bo[0], 0), lf__arg_u32(1, 1),
		    lf__arg_bo(2, bo[1], 0), lf__arg_u32(3, p->params_bytes),
		    lf__arg_bo(4, bo[2], 0), lf__arg_u32(5, p->act_bytes),
		};

		if (i == 1) {
			busy0 = cu_busy(dev, cu);
			t0 = now_s();
		}
		d.status = LF_KST_PENDING;
		st = lf__bo_write(bo[0], &d, sizeof(d), 0);
		if (st == LF_OK)
			st = lf__run_start(dev, cu, a, 6, &run);
		if (st == LF_OK)
			st = lf__run_wait(run, LF_DRV_WAIT_FOREVER);
		if (run && lf__run_free(run) == LF_OK)
			run = NULL;
	}
	if (st == LF_OK) {
		r->wall_s = (now_s() - t0) / runs;
		r->dev_s = (double)(cu_busy(dev, cu) - busy0) * 1e-9 / runs;
		st = lf__bo_read(bo[0], &d, sizeof(d), 0);
	}
	if (st == LF_OK)
		st = lf__bo_read(bo[2], r->y, p->y_bytes, p->y_off);
	r->status = d.status;
	if (st != LF_OK)
		fprintf(stderr, "lf-bench-opencl: %s\n", lf__drv_last_error());
	for (int i = 0; i < 3; i++)
		lf__bo_free(bo[i]);
	return st;
}

static lf_dev *open_loaded(const char *spec, const char *xclbin, double *secs)
{
	lf_dev *dev = NULL;
	double t = now_s();

	if (lf__dev_open(spec, &dev) != LF_OK ||
	    lf__dev_load_xclbin_file(dev, xclbin) != LF_OK) {
		fprintf(stderr, "lf-bench-opencl: %s: %s\n", spec,
			lf__drv_last_error());
		lf__dev_close(dev);
		return NULL;
	}
	*secs = now_s() - t;
	return dev;
}

int main(int argc, char **argv)
{
	const char *cl_spec = "opencl:0", *emu_spec = "emu:aws-f1";
	const char *xclbin = "build/bitstreams/emu-aws-f1.xclbin";
	double cl_load = 0, emu_load = 0;
	lf_dev *cl, *emu;
	int runs = 3, bad = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc)
			cl_spec = argv[++i];
		else if (!strcmp(argv[i], "--emu") && i + 1 < argc)
			emu_spec = argv[++i];
		else if (!strcmp(argv[i], "--xclbin") && i + 1 < argc)
			xclbin = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: lf-bench-opencl [--device "
					"opencl:N] [--emu emu:<profile>] "
					"[--xclbin PATH] [--runs N]\n");
			return 2;
		}
	}
	if (runs < 1)
		runs = 1;
	cl = open_loaded(cl_spec, xclbin, &cl_load);
	emu = open_loaded(emu_spec, xclbin, &emu_load);
	if (!cl || !emu)
		return 1;
	printf("lf-bench-opencl: %s (%s) vs %s (%s), xclbin %s\n", cl_spec,
	       lf__dev_props(cl)->name, emu_spec, lf__dev_props(emu)->name,
	       xclbin);
	printf("xclbin load: opencl %.3f s (kernel build or build cache), "
	       "emu %.3f s\n",
	       cl_load, emu_load);
	printf("device time: opencl = measured (event profiling), emu = "
	       "modeled (the emulator's projection of the card)\n\n");
	printf("%-34s %11s %11s %9s %11s %11s %9s %6s\n", "layer", "cl wall",
	       "cl device", "cl GMAC/s", "emu wall", "emu model", "emu GMAC/s",
	       "exact");
	for (size_t i = 0; i < NLAYERS; i++) {
		const struct layer *L = &layers[i];
		const char *k = L->conv ? "lfk_conv2d" : "lfk_matmul";
		struct result rc = {0}, re = {0};
		struct packed p;
		int exact;

		rng = 88172645463325252ull + i;
		if (pack(L, &p) != 0) {
			fprintf(stderr, "lf-bench-opencl: out of memory\n");
			return 1;
		}
		rc.y = malloc(p.y_bytes);
		re.y = malloc(p.y_bytes);
		if (!rc.y || !re.y ||
		    bench_one(cl, k, &p, runs, &rc) != LF_OK ||
		    bench_one(emu, k, &p, runs, &re) != LF_OK)
			return 1;
		exact = rc.status == LF_KST_OK && re.status == LF_KST_OK &&
			memcmp(rc.y, re.y, p.y_bytes) == 0;
		bad += !exact;
		printf(
		    "%-34s %9.2fms %9.3fms %9.2f %9.2fms %9.3fms %9.2f %6s\n",
		    L->name, rc.wall_s * 1e3, rc.dev_s * 1e3,
		    p.macs / rc.wall_s * 1e-9, re.wall_s * 1e3, re.dev_s * 1e3,
		    p.macs / re.wall_s * 1e-9, exact ? "yes" : "NO");
		free(rc.y);
		free(re.y);
		free(p.params);
		free(p.act);
	}
	printf("\nper run, mean of %d warm runs (one launch, one descriptor "
	       "per layer)\n",
	       runs);
	lf__dev_close(cl);
	lf__dev_close(emu);
	return bad ? 1 : 0;
}
