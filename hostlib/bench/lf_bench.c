/*
 * lf_bench.c - time a few realistic int8 layers on the emulated card.
 *
 *   lf-bench [--xclbin PATH] [--device DEV] [--iters N]
 *
 * DEV as for lf_context_create(); default: LAYERFAB_DEVICE, else the first
 * card, else the emulated one.
 *
 * For each layer: emulator wall time per op (host), the modeled device
 * time (the emulator's projection of the card's timeline, not a
 * measurement), launches, DMA transfers and bytes, and the host overhead
 * per op (wall time outside the emulated compute unit: planning, packing,
 * copies, transfers, waiting). The CPU reference's time is printed for
 * scale. Results are checked byte for byte against the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "hostlib/core/context.h"
#include "hostlib/exec/exec_impl.h"
#include "layerfab.h"

struct layer {
	const char *name;
	int conv; /* else matmul */
	int n, ic, h, w, oc, k, stride, pad, groups;
	int m, kk, cols;
};

static const struct layer layers[] = {
    {"resnet18 conv3x3 64->64 56x56", 1, 1, 64, 56, 56, 64, 3, 1, 1, 1, 0, 0,
     0},
    {"conv1x1 256->64 56x56", 1, 1, 256, 56, 56, 64, 1, 1, 0, 1, 0, 0, 0},
    {"depthwise3x3 32ch 112x112", 1, 1, 32, 112, 112, 32, 3, 1, 1, 32, 0, 0, 0},
    {"fc 512->1000 (matmul 1x512x1000)", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 512,
     1000},
};

struct set {
	lf_tensor *x, *w, *b, *y;
};

static unsigned long long rng = 88172645463325252ull;
static uint8_t rbyte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static int make(lf_context *ctx, const struct layer *L, struct set *s)
{
	static float xs = 0.02f, ys = 0.05f, ws[1024];
	static int32_t xzp = 128, yzp = 0, wzp[1024];
	int ch = L->conv ? L->oc : L->cols;
	for (int i = 0; i < ch; i++) {
		ws[i] = 0.001f + 0.00001f * (float)(i % 97);
		wzp[i] = 0;
	}
	struct lf_quant xq = {sizeof(struct lf_quant), &xs, &xzp, 1, 0},
			yq = {sizeof(struct lf_quant), &ys, &yzp, 1, 0};
	struct lf_quant wq = {sizeof(struct lf_quant), ws, wzp, (size_t)ch,
			      L->conv ? 0 : -1};
	int64_t bd[1] = {ch};
	lf_status st;
	if (L->conv) {
		int oh = (L->h + 2 * L->pad - L->k) / L->stride + 1;
		int64_t xd[4] = {L->n, L->ic, L->h, L->w};
		int64_t wd[4] = {L->oc, L->ic / L->groups, L->k, L->k};
		int64_t yd[4] = {L->n, L->oc, oh, oh};
		st = lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, xd, &xq, &s->x);
		st = st ? st
			: lf_tensor_create(ctx, LF_DTYPE_INT8, 4, wd, &wq,
					   &s->w);
		st = st ? st
			: lf_tensor_create(ctx, LF_DTYPE_UINT8, 4, yd, &yq,
					   &s->y);
	} else {
		int64_t ad[2] = {L->m, L->kk}, bdm[2] = {L->kk, L->cols},
			yd[2] = {L->m, L->cols};
		st = lf_tensor_create(ctx, LF_DTYPE_UINT8, 2, ad, &xq, &s->x);
		st = st ? st
			: lf_tensor_create(ctx, LF_DTYPE_INT8, 2, bdm, &wq,
					   &s->w);
		st = st ? st
			: lf_tensor_create(ctx, LF_DTYPE_UINT8, 2, yd, &yq,
					   &s->y);
	}
	st =
	    st ? st : lf_tensor_create(ctx, LF_DTYPE_INT32, 1, bd, NULL, &s->b);
	if (st)
		return -1;
	uint8_t *p = lf_tensor_data(s->x);
	for (size_t i = 0; i < lf_tensor_bytes(s->x); i++)
		p[i] = rbyte();
	p = lf_tensor_data(s->w);
	for (size_t i = 0; i < lf_tensor_bytes(s->w); i++)
		p[i] = rbyte();
	int32_t *b = lf_tensor_data(s->b);
	for (int i = 0; i < ch; i++)
		b[i] = (int32_t)(rbyte() * 16) - 2048;
	return 0;
}

static void unmake(struct set *s)
{
	lf_tensor_destroy(s->x);
	lf_tensor_destroy(s->w);
	lf_tensor_destroy(s->b);
	lf_tensor_destroy(s->y);
}

static lf_status run(lf_context *ctx, const struct layer *L, struct set *s)
{
	if (L->conv) {
		struct lf_conv2d_params p =
		    LF_STRUCT_INIT(struct lf_conv2d_params);
		p.stride_h = p.stride_w = L->stride;
		p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = L->pad;
		p.groups = L->groups;
		p.activation = LF_ACT_RELU;
		return lf_conv2d(ctx, s->x, s->w, s->b, &p, s->y);
	}
	return lf_matmul(ctx, s->x, s->w, s->b, NULL, s->y);
}

static uint64_t cu_wall(lf_context *ctx)
{
	struct lf_dev_counters c;
	if (lf__dev_counters(ctx->dev->dev, &c))
		return 0;
	uint64_t t = 0;
	for (uint32_t i = 0; i < c.ncus; i++)
		t += c.cu[i].busy_wall_ns;
	return t;
}

int main(int argc, char **argv)
{
	const char *xclbin = NULL, *device = NULL;
	int iters = 3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--xclbin") && i + 1 < argc)
			xclbin = argv[++i];
		else if (!strcmp(argv[i], "--device") && i + 1 < argc)
			device = argv[++i];
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: lf-bench [--xclbin PATH] "
					"[--device DEV] [--iters N]\n");
			return 2;
		}
	}
	if (iters < 1)
		iters = 1;
	lf_context *ctx = NULL, *cpu = NULL;
	if (lf_context_create(device, xclbin, &ctx) ||
	    lf_context_create("cpu", NULL, &cpu)) {
		fprintf(stderr, "lf-bench: %s\n", lf_last_error());
		return 1;
	}
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	lf_context_device_info(ctx, &di);
	printf("layerfab bench: device %s (%s), %u CUs, xclbin %s\n",
	       di.backend, di.name, di.compute_units, di.xclbin);
	printf("modeled = the emulator's projection of the card's timeline "
	       "(not measured on hardware)\n\n");
	printf("%-34s %10s %12s %7s %6s %5s %11s %11s %10s %10s %s\n", "layer",
	       "host wall", "modeled dev", "launch", "tiles", "DMA",
	       "H2D bytes", "D2H bytes", "host ovh", "cpu ref", "exact");
	int bad = 0;
	for (size_t li = 0; li < sizeof(layers) / sizeof(layers[0]); li++) {
		const struct layer *L = &layers[li];
		struct set s, c;
		rng = 88172645463325252ull;
		if (make(ctx, L, &s)) {
			fprintf(stderr, "lf-bench: %s\n", lf_last_error());
			return 1;
		}
		rng = 88172645463325252ull;
		make(cpu, L, &c);
		/* Warm-up: fills the buffer pool. */
		if (run(ctx, L, &s)) {
			fprintf(stderr, "lf-bench: %s\n",
				lf_context_last_error(ctx));
			return 1;
		}
		lf_context_profile_reset(ctx);
		uint64_t w0 = cu_wall(ctx);
		for (int i = 0; i < iters; i++)
			run(ctx, L, &s);
		uint64_t w1 = cu_wall(ctx);
		struct lf_profile_record r = LF_STRUCT_INIT(
					     struct lf_profile_record),
					 sum = LF_STRUCT_INIT(
					     struct lf_profile_record);
		memset(&sum, 0, sizeof(sum));
		int on_dev = 1;
		for (int i = 0; i < iters; i++) {
			lf_context_profile_get(ctx, (size_t)i, &r);
			sum.host_ns += r.host_ns;
			sum.device_ns += r.device_ns;
			on_dev &= strcmp(r.where, "device") == 0;
		}
		uint64_t t0 = lf__now_ns();
		run(cpu, L, &c);
		uint64_t cpu_ns = lf__now_ns() - t0;
		int exact = memcmp(lf_tensor_data(s.y), lf_tensor_data(c.y),
				   lf_tensor_bytes(s.y)) == 0;
		bad += !exact;
		double host_ms = (double)sum.host_ns / iters / 1e6;
		double ovh_ms =
		    ((double)sum.host_ns - (double)(w1 - w0)) / iters / 1e6;
		printf("%-34s %8.2fms %10.3fms %7u %6u %5u %11llu %11llu "
		       "%8.2fms %8.1fms %s%s\n",
		       L->name, host_ms, (double)sum.device_ns / iters / 1e6,
		       r.launches, r.tiles, r.dma_transfers, r.h2d_bytes,
		       r.d2h_bytes, ovh_ms, (double)cpu_ns / 1e6,
		       exact ? "yes" : "NO", on_dev ? "" : " (ran on cpu!)");
		unmake(&s);
		unmake(&c);
	}
	printf("\nper op, mean of %d warm runs; reproduce: %s%s%s --iters %d\n",
	       iters, argv[0], xclbin ? " --xclbin " : "", xclbin ? xclbin : "",
	       iters);
	lf_context_destroy(ctx);
	lf_context_destroy(cpu);
	return bad ? 1 : 0;
}
