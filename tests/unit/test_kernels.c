/*
 * test_kernels.c - the host-C build of lfk_conv2d / lfk_matmul against the
 * CPU reference (hostlib/cpu/ref.h), byte for byte: a seeded random sweep,
 * descriptor chains, layers much larger than the on-chip tiles, every
 * LF_KST_* error, and the cycle counter.
 *
 * A failure prints the seed, the case index and the layer; LF_TEST_SEED=<n>
 * reruns a sweep with another base seed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "lf_config.h"
#include "lf_desc.h"
#include "lf_pipes.h"
#include "lf_test.h"
#include "unit/csum_ref.h"
#include "unit/kernel_cases.h"

#define KC_DEFAULT_SEED 0x1a7e2f0b5eedull

/* --- the launch builder (kernel_cases.h) --------------------------- */

void *lf_kc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "kernel tests: out of memory\n");
		abort();
	}
	return p;
}

static uint32_t blob_append(struct lf_kb_blob *b, const void *src, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			fprintf(stderr, "kernel tests: out of memory\n");
			abort();
		}
		b->p = p;
		b->cap = cap;
	}
	uint32_t off = (uint32_t)b->n;
	if (n)
		memcpy(b->p + b->n, src, n);
	b->n += n;
	return off;
}

/* 0..3 filler bytes, so offsets are not always aligned. */
static void kb_gap(struct lf_kb *k, struct lf_kb_blob *a, struct lf_kb_blob *b)
{
	uint8_t g[3];
	int n = lf_rng_range(k->r, 0, 3);
	for (int i = 0; i < n; i++)
		g[i] = (uint8_t)lf_rng_u32(k->r);
	blob_append(a, g, (size_t)n);
	if (b)
		blob_append(b, g, (size_t)n);
}

uint32_t lf_kb_param(struct lf_kb *k, const void *src, size_t n)
{
	kb_gap(k, &k->params, NULL);
	return blob_append(&k->params, src, n);
}

uint32_t lf_kb_input(struct lf_kb *k, const void *src, size_t n)
{
	kb_gap(k, &k->act, &k->expect);
	blob_append(&k->expect, src, n);
	return blob_append(&k->act, src, n);
}

uint32_t lf_kb_output(struct lf_kb *k, const uint8_t *ref, size_t n)
{
	kb_gap(k, &k->act, &k->expect);
	uint8_t *inv = lf_kc_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		inv[i] = (uint8_t)~ref[i];
	blob_append(&k->expect, ref, n);
	uint32_t off = blob_append(&k->act, inv, n);
	free(inv);
	return off;
}

void lf_kb_say(struct lf_kb *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(k->what + k->wn, sizeof k->what - k->wn, fmt, ap);
	va_end(ap);
	if (w > 0)
		k->wn += (size_t)w < sizeof k->what - k->wn
			     ? (size_t)w
			     : sizeof k->what - k->wn - 1;
}

/* A malloc'ed copy of exactly n bytes (memcpy with n == 0 may get NULL). */
static uint8_t *exact_copy(const struct lf_kb_blob *b)
{
	uint8_t *p = lf_kc_xmalloc(b->n);
	if (b->n)
		memcpy(p, b->p, b->n);
	return p;
}

void lf_kb_abandon(struct lf_kb *k)
{
	free(k->params.p);
	free(k->act.p);
	free(k->expect.p);
}

void lf_kb_finish(struct lf_kb *k, uint32_t op, struct lf_kc_launch *l)
{
	memset(l, 0, sizeof *l);
	l->op = op;
	l->ndesc = k->nd;
	l->desc = lf_kc_xmalloc(sizeof(lf_desc) * k->nd);
	memcpy(l->desc, k->desc, sizeof(lf_desc) * k->nd);
	l->params_bytes = (uint32_t)k->params.n;
	l->params = exact_copy(&k->params);
	l->act_bytes = (uint32_t)k->act.n;
	l->act = exact_copy(&k->act);
	l->expect = exact_copy(&k->expect);
	/* l->what is shorter: a long chain's description is cut. */
	size_t wn = strnlen(k->what, sizeof l->what - 1);
	memcpy(l->what, k->what, wn);
	l->what[wn] = '\0';
	lf_kb_abandon(k);
}

void lf_kc_free(struct lf_kc_launch *l)
{
	free(l->desc);
	free(l->params);
	free(l->act);
	free(l->expect);
	memset(l, 0, sizeof *l);
}

/* --- random quantization ---------------------------------------------- */

static double rnd01(struct lf_rng *r)
{
	return lf_rng_u32(r) / 4294967296.0;
}

static int32_t tmin(int t)
{
	return t == LF_KDT_U8 ? 0 : -128;
}

static int32_t tmax(int t)
{
	return t == LF_KDT_U8 ? 255 : 127;
}

int32_t lf_kc_pick_zp(struct lf_rng *r, int t)
{
	switch (lf_rng_range(r, 0, 9)) {
	case 0:
		return tmin(t);
	case 1:
		return tmax(t);
	case 2:
		return t == LF_KDT_U8 ? 128 : 0;
	default:
		return lf_rng_range(r, tmin(t), tmax(t));
	}
}

/* What every quantized layer shares. */
struct quant_p {
	int xt, wt, yt;
	int per_ch, bias;
	int32_t x_zp, y_zp, lo, hi;
	int mmode; /* 0 log-uniform 1e-4..2, 1 scaled to k, 2 exact ties */
};

static void quant_pick(struct lf_rng *r, struct quant_p *q, int fixed_x,
		       int force_8bit_y)
{
	if (!fixed_x) {
		q->xt = lf_rng_range(r, 0, 1);
		q->x_zp = lf_kc_pick_zp(r, q->xt);
	}
	q->wt = lf_rng_range(r, 0, 1);
	q->yt = lf_rng_range(r, 0, 7) == 0 && !force_8bit_y
		    ? LF_KDT_I32
		    : lf_rng_range(r, 0, 1);
	q->per_ch = lf_rng_range(r, 0, 1);
	q->bias = lf_rng_range(r, 0, 9) < 7;
	int m = lf_rng_range(r, 0, 9);
	q->mmode = m < 4 ? 0 : (m < 8 ? 1 : 2);
	if (q->yt == LF_KDT_I32) {
		/* Not read for an int32 output: garbage must not matter. */
		q->y_zp = 1000;
		q->lo = 77;
		q->hi = -77;
		return;
	}
	q->y_zp = lf_kc_pick_zp(r, q->yt);
	int c = lf_rng_range(r, 0, 9);
	q->lo = tmin(q->yt);
	q->hi = tmax(q->yt);
	if (c >= 6 && c < 8) { /* fused ReLU */
		q->lo = q->y_zp;
	} else if (c >= 8) { /* fused Clip */
		int32_t a = lf_rng_range(r, tmin(q->yt), tmax(q->yt));
		int32_t b = lf_rng_range(r, tmin(q->yt), tmax(q->yt));
		q->lo = a < b ? a : b;
		q->hi = a < b ? b : a;
	}
}

/*
 * Scales for nq channels and the float32 multipliers the descriptor
 * carries: mult[c] = (x_scale * w_scale[c]) / y_scale, in that order, as
 * the reference computes it.
 */
static void scales_pick(struct lf_rng *r, const struct quant_p *q, int nq,
			double kred, float *x_scale, float *y_scale,
			float *w_scale, float *mult)
{
	*x_scale = (float)(0.002 + 0.2 * rnd01(r));
	*y_scale = (float)(0.002 + 0.2 * rnd01(r));
	if (q->mmode == 2) {
		*x_scale = 1.0f;
		*y_scale = 1.0f;
	}
	for (int c = 0; c < nq; c++) {
		double target;
		if (q->mmode == 0)
			target =
			    exp(log(1e-4) + rnd01(r) * (log(2.0) - log(1e-4)));
		else if (q->mmode == 1)
			target = ldexp(1.0, lf_rng_range(r, -2, 2)) /
				 (sqrt(kred) * 3000.0);
		else
			target = ldexp(1.0, lf_rng_range(r, -3, 1));
		w_scale[c] = q->mmode == 2
				 ? (float)target
				 : (float)(target * *y_scale / *x_scale);
		mult[c] = (*x_scale * w_scale[c]) / *y_scale;
	}
}

static int32_t pick_bias(struct lf_rng *r)
{
	if (lf_rng_range(r, 0, 19) == 0) /* near the int32 edges: wraps */
		return lf_rng_range(r, 0, 1)
			   ? INT32_MAX - lf_rng_range(r, 0, 999)
			   : INT32_MIN + lf_rng_range(r, 0, 999);
	return lf_rng_range(r, -60000, 60000);
}

static void fill_random(struct lf_rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)lf_rng_u32(r);
}

static void quant_say(struct lf_kb *k, const struct quant_p *q)
{
	static const char *tn[] = {"u8", "i8", "i32"};
	lf_kb_say(k,
		  " x=%s w=%s y=%s x_zp=%d y_zp=%d clamp=[%d,%d] per_ch=%d "
		  "bias=%d mmode=%d",
		  tn[q->xt], tn[q->wt], tn[q->yt], q->x_zp, q->y_zp, q->lo,
		  q->hi, q->per_ch, q->bias, q->mmode);
}

static void desc_init(lf_desc *d, uint32_t op, const struct quant_p *q)
{
	memset(d, 0, sizeof *d);
	d->magic = LF_DESC_MAGIC;
	d->op = op;
	d->status = LF_KST_PENDING;
	d->x_type = (uint32_t)q->xt;
	d->w_type = (uint32_t)q->wt;
	d->y_type = (uint32_t)q->yt;
	d->flags =
	    (q->bias ? LF_DF_BIAS : 0) | (q->per_ch ? LF_DF_W_PER_CH : 0);
	d->x_zp = q->x_zp;
	d->y_zp = q->y_zp;
	d->act_min = q->lo;
	d->act_max = q->hi;
}

/* --- conv2d layers ------------------------------------------------------ */

struct conv_p {
	struct quant_p q;
	int n, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
	int oh, ow;
};

static void conv_dims(struct conv_p *p)
{
	p->oh = lf__ref_out_dim(p->ih, p->kh, p->sh, p->pt, p->pb, p->dh);
	p->ow = lf__ref_out_dim(p->iw, p->kw, p->sw, p->pl, p->pr, p->dw);
}

/* Reference multiply-adds and host-C kernel lane operations of a layer. */
static double conv_cost(const struct conv_p *p, double *kops)
{
	double icg = p->ic / p->groups, ocg = p->oc / p->groups;
	double px = (double)p->n * p->oh * p->ow;
	*kops = px * p->groups * ceil(ocg / LF_CONV_PE_OC) * p->kh * p->kw *
		ceil(icg / LF_CONV_PE_K) * LF_CONV_PE_OC * LF_CONV_PE_K;
	return px * p->oc * icg * p->kh * p->kw;
}

/* One kernel dimension: size, dilation, pads, and the input size. */
static void pick_axis(struct lf_rng *r, int fixed_in, int big, int *in, int *k,
		      int *s, int *dil, int *pa, int *pb)
{
	*k = lf_rng_range(r, 1, 11);
	*s = lf_rng_range(r, 1, 4);
	int d = lf_rng_range(r, 0, 9);
	*dil = d < 6 ? 1 : (d < 8 ? 2 : 3);
	int span = (*k - 1) * *dil + 1;
	int pmax = span - 1 < 5 ? span - 1 : 5;
	*pa = lf_rng_range(r, 0, pmax);
	*pb = lf_rng_range(r, 0, pmax);
	if (!fixed_in) {
		int need = span - *pa - *pb;
		*in = (need > 1 ? need : 1) + lf_rng_range(r, 0, big ? 40 : 9);
	} else if (*in + *pa + *pb < span) {
		*pb += span - (*in + *pa + *pb);
	}
}

/* A random layer; with @in, its input is in's output (a chain). */
static void conv_pick(struct lf_rng *r, int big, const struct conv_p *in,
		      int force_8bit_y, struct conv_p *p)
{
	memset(p, 0, sizeof *p);
	int mode = lf_rng_range(r, 0, 9);
	if (in) {
		p->n = in->n;
		p->ic = in->oc;
		p->ih = in->oh;
		p->iw = in->ow;
		p->q.xt = in->q.yt;
		p->q.x_zp = in->q.y_zp;
		p->groups = 1;
		if (mode >= 8)
			p->groups = p->ic;
		else if (mode >= 6)
			for (int g = 4; g >= 2; g--)
				if (p->ic % g == 0) {
					p->groups = g;
					break;
				}
	} else {
		p->n = lf_rng_range(r, 0, 3) == 0 ? lf_rng_range(r, 2, 3) : 1;
		if (mode < 6) {
			p->groups = 1;
			p->ic = lf_rng_range(r, 1, big ? 70 : 24);
		} else if (mode < 8) {
			p->groups = lf_rng_range(r, 2, 4);
			p->ic = p->groups * lf_rng_range(r, 1, big ? 24 : 8);
		} else {
			p->ic = lf_rng_range(r, 1, big ? 40 : 12);
			p->groups = p->ic;
		}
	}
	if (p->groups == 1)
		p->oc = lf_rng_range(r, 1, big ? 60 : 24);
	else if (p->groups == p->ic)
		p->oc = p->ic * lf_rng_range(r, 1, 2); /* channel multiplier */
	else
		p->oc = p->groups * lf_rng_range(r, 1, big ? 20 : 8);
	pick_axis(r, in != NULL, big, &p->ih, &p->kh, &p->sh, &p->dh, &p->pt,
		  &p->pb);
	pick_axis(r, in != NULL, big, &p->iw, &p->kw, &p->sw, &p->dw, &p->pl,
		  &p->pr);
	conv_dims(p);
	quant_pick(r, &p->q, in != NULL, force_8bit_y);
}

static void conv_say(struct lf_kb *k, const struct conv_p *p)
{
	lf_kb_say(
	    k,
	    "[conv n=%d ic=%d %dx%d oc=%d k=%dx%d s=%d,%d pad=t%d,l%d,b%d,"
	    "r%d dil=%d,%d groups=%d -> %dx%d",
	    p->n, p->ic, p->ih, p->iw, p->oc, p->kh, p->kw, p->sh, p->sw, p->pt,
	    p->pl, p->pb, p->pr, p->dh, p->dw, p->groups, p->oh, p->ow);
	quant_say(k, &p->q);
	lf_kb_say(k, "] ");
}

/*
 * Adds one conv descriptor: weights and quantization into params, the
 * input (new random data, or the output of an earlier layer at x_off) and
 * the output into act; the reference result goes into expect. Returns the
 * output's offset in act, or UINT32_MAX if the reference refused.
 */
static uint32_t kb_conv(struct lf_kb *k, const struct conv_p *p, uint32_t x_off)
{
	const struct quant_p *q = &p->q;
	int icg = p->ic / p->groups;
	size_t nx = (size_t)p->n * p->ic * p->ih * p->iw;
	size_t nw = (size_t)p->oc * icg * p->kh * p->kw;
	size_t ysz = q->yt == LF_KDT_I32 ? 4 : 1;
	size_t ny = (size_t)p->n * p->oc * p->oh * p->ow * ysz;
	int nq = q->per_ch ? p->oc : 1;

	uint8_t *x = lf_kc_xmalloc(nx), *w = lf_kc_xmalloc(nw),
		*y = lf_kc_xmalloc(ny);
	int32_t *w_zp = lf_kc_xmalloc(sizeof(int32_t) * (size_t)nq);
	int32_t *bias = lf_kc_xmalloc(sizeof(int32_t) * (size_t)p->oc);
	float *w_scale = lf_kc_xmalloc(sizeof(float) * (size_t)nq);
	float *mult = lf_kc_xmalloc(sizeof(float) * (size_t)nq);
	float x_scale, y_scale;
	if (x_off == UINT32_MAX)
		fill_random(k->r, x, nx);
	else
		memcpy(x, k->expect.p + x_off, nx);
	fill_random(k->r, w, nw);
	for (int c = 0; c < nq; c++)
		w_zp[c] = lf_kc_pick_zp(k->r, q->wt);
	for (int c = 0; c < p->oc; c++)
		bias[c] = pick_bias(k->r);
	scales_pick(k->r, q, nq, (double)icg * p->kh * p->kw, &x_scale,
		    &y_scale, w_scale, mult);

	struct lf_ref_qconv rq = {
	    .x_type = (lf_dtype)q->xt,
	    .w_type = (lf_dtype)q->wt,
	    .y_type = (lf_dtype)q->yt,
	    .n = p->n,
	    .ic = p->ic,
	    .ih = p->ih,
	    .iw = p->iw,
	    .oc = p->oc,
	    .kh = p->kh,
	    .kw = p->kw,
	    .stride_h = p->sh,
	    .stride_w = p->sw,
	    .pad_t = p->pt,
	    .pad_l = p->pl,
	    .pad_b = p->pb,
	    .pad_r = p->pr,
	    .dil_h = p->dh,
	    .dil_w = p->dw,
	    .groups = p->groups,
	    .x_zp = q->x_zp,
	    .y_zp = q->y_zp,
	    .w_zp = w_zp,
	    .w_zp_count = nq,
	    .x_scale = x_scale,
	    .y_scale = y_scale,
	    .w_scale = w_scale,
	    .w_scale_count = nq,
	    .bias = q->bias ? bias : NULL,
	    .act_min = q->lo,
	    .act_max = q->hi,
	};
	uint32_t y_off = UINT32_MAX;
	lf_status st = lf__ref_qconv2d(&rq, x, w, y);
	conv_say(k, p);
	if (st != LF_OK) {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
		goto out;
	}

	lf_desc *d = &k->desc[k->nd++];
	desc_init(d, LF_KOP_CONV2D, q);
	d->n = (uint32_t)p->n;
	d->ic = (uint32_t)p->ic;
	d->ih = (uint32_t)p->ih;
	d->iw = (uint32_t)p->iw;
	d->oc = (uint32_t)p->oc;
	d->oh = (uint32_t)p->oh;
	d->ow = (uint32_t)p->ow;
	d->groups = (uint32_t)p->groups;
	d->kh = (uint32_t)p->kh;
	d->kw = (uint32_t)p->kw;
	d->stride_h = (uint32_t)p->sh;
	d->stride_w = (uint32_t)p->sw;
	d->pad_t = (uint32_t)p->pt;
	d->pad_l = (uint32_t)p->pl;
	d->pad_b = (uint32_t)p->pb;
	d->pad_r = (uint32_t)p->pr;
	d->dil_h = (uint32_t)p->dh;
	d->dil_w = (uint32_t)p->dw;
	d->w_off = lf_kb_param(k, w, nw);
	d->bias_off =
	    q->bias ? lf_kb_param(k, bias, sizeof(int32_t) * (size_t)p->oc)
		    : 0xfffffff0u; /* not read without the flag */
	d->w_zp_off = lf_kb_param(k, w_zp, sizeof(int32_t) * (size_t)nq);
	d->mult_off = q->yt == LF_KDT_I32
			  ? 0xfffffff0u /* not read for int32 output */
			  : lf_kb_param(k, mult, sizeof(float) * (size_t)nq);
	d->x_off = x_off == UINT32_MAX ? lf_kb_input(k, x, nx) : x_off;
	d->y_off = y_off = lf_kb_output(k, y, ny);
out:
	free(x);
	free(w);
	free(y);
	free(w_zp);
	free(bias);
	free(w_scale);
	free(mult);
	return y_off;
}

/* --- matmul layers ------------------------------------------------------ */

struct mm_p {
	struct quant_p q;
	int batch, m, k, n, w_batch, b_act;
	int32_t x2_zp;
};

static double mm_cost(const struct mm_p *p, double *kops)
{
	double rows = (double)p->batch * p->m;
	*kops = rows * ceil((double)p->n / LF_MM_PE_N) *
		ceil((double)p->k / LF_MM_PE_K) * LF_MM_PE_N * LF_MM_PE_K;
	return rows * p->n * p->k;
}

static void mm_pick(struct lf_rng *r, int big, struct mm_p *p)
{
	memset(p, 0, sizeof *p);
	p->batch = lf_rng_range(r, 0, 2) == 0 ? lf_rng_range(r, 2, 3) : 1;
	p->w_batch = lf_rng_range(r, 0, 1) ? p->batch : 1;
	p->m = lf_rng_range(r, 1, big ? 40 : 12);
	p->k = lf_rng_range(r, 0, 2) == 0
		   ? lf_rng_range(r, 1, 40)
		   : lf_rng_range(r, 1, big ? 1500 : 300);
	p->n = lf_rng_range(r, 1, big ? 80 : 40);
	p->b_act = lf_rng_range(r, 0, 3) == 0;
	quant_pick(r, &p->q, 0, 0);
	p->x2_zp = lf_kc_pick_zp(r, p->q.wt);
}

static void mm_say(struct lf_kb *k, const struct mm_p *p)
{
	lf_kb_say(k, "[matmul batch=%d m=%d k=%d n=%d w_batch=%d b_act=%d",
		  p->batch, p->m, p->k, p->n, p->w_batch, p->b_act);
	if (p->b_act)
		lf_kb_say(k, " x2_zp=%d", p->x2_zp);
	quant_say(k, &p->q);
	lf_kb_say(k, "] ");
}

/*
 * Adds one matmul descriptor. A comes from a_off (or new data), B from
 * params, or with b_act from b_off in act (or new data there). Returns the
 * output's offset, or UINT32_MAX if the reference refused.
 */
static uint32_t kb_matmul(struct lf_kb *k, const struct mm_p *p, uint32_t a_off,
			  uint32_t b_off)
{
	const struct quant_p *q = &p->q;
	size_t na = (size_t)p->batch * p->m * p->k;
	size_t nb = (size_t)p->w_batch * p->k * p->n;
	size_t ysz = q->yt == LF_KDT_I32 ? 4 : 1;
	size_t ny = (size_t)p->batch * p->m * p->n * ysz;
	int nq = q->per_ch ? p->n : 1;
	int nzp = p->b_act ? 1 : nq;

	uint8_t *a = lf_kc_xmalloc(na), *b = lf_kc_xmalloc(nb),
		*y = lf_kc_xmalloc(ny);
	int32_t *w_zp = lf_kc_xmalloc(sizeof(int32_t) * (size_t)nzp);
	int32_t *bias = lf_kc_xmalloc(sizeof(int32_t) * (size_t)p->n);
	float *w_scale = lf_kc_xmalloc(sizeof(float) * (size_t)nq);
	float *mult = lf_kc_xmalloc(sizeof(float) * (size_t)nq);
	float x_scale, y_scale;
	if (a_off == UINT32_MAX)
		fill_random(k->r, a, na);
	else
		memcpy(a, k->expect.p + a_off, na);
	if (b_off == UINT32_MAX)
		fill_random(k->r, b, nb);
	else
		memcpy(b, k->expect.p + b_off, nb);
	for (int c = 0; c < nzp; c++)
		w_zp[c] = p->b_act ? p->x2_zp : lf_kc_pick_zp(k->r, q->wt);
	for (int c = 0; c < p->n; c++)
		bias[c] = pick_bias(k->r);
	scales_pick(k->r, q, nq, p->k, &x_scale, &y_scale, w_scale, mult);

	struct lf_ref_qmatmul rq = {
	    .x_type = (lf_dtype)q->xt,
	    .w_type = (lf_dtype)q->wt,
	    .y_type = (lf_dtype)q->yt,
	    .batch = p->batch,
	    .m = p->m,
	    .k = p->k,
	    .n = p->n,
	    .w_batch = p->w_batch,
	    .x_zp = q->x_zp,
	    .y_zp = q->y_zp,
	    .w_zp = w_zp,
	    .w_zp_count = nzp,
	    .x_scale = x_scale,
	    .y_scale = y_scale,
	    .w_scale = w_scale,
	    .w_scale_count = nq,
	    .bias = q->bias ? bias : NULL,
	    .act_min = q->lo,
	    .act_max = q->hi,
	};
	uint32_t y_off = UINT32_MAX;
	lf_status st = lf__ref_qmatmul(&rq, a, b, y);
	mm_say(k, p);
	if (st != LF_OK) {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
		goto out;
	}

	lf_desc *d = &k->desc[k->nd++];
	desc_init(d, LF_KOP_MATMUL, q);
	d->mm_batch = (uint32_t)p->batch;
	d->mm_m = (uint32_t)p->m;
	d->mm_k = (uint32_t)p->k;
	d->mm_n = (uint32_t)p->n;
	d->mm_w_batch = (uint32_t)p->w_batch;
	if (p->b_act) {
		d->flags |= LF_DF_B_ACT;
		d->x2_zp = p->x2_zp;
		d->x2_off = b_off == UINT32_MAX ? lf_kb_input(k, b, nb) : b_off;
		d->w_off = 0xfffffff0u;	   /* not read with B in act */
		d->w_zp_off = 0xfffffff0u; /* idem */
	} else {
		d->w_off = lf_kb_param(k, b, nb);
		d->w_zp_off =
		    lf_kb_param(k, w_zp, sizeof(int32_t) * (size_t)nq);
	}
	d->bias_off = q->bias
			  ? lf_kb_param(k, bias, sizeof(int32_t) * (size_t)p->n)
			  : 0xfffffff0u;
	d->mult_off = q->yt == LF_KDT_I32
			  ? 0xfffffff0u
			  : lf_kb_param(k, mult, sizeof(float) * (size_t)nq);
	d->x_off = a_off == UINT32_MAX ? lf_kb_input(k, a, na) : a_off;
	d->y_off = y_off = lf_kb_output(k, y, ny);
out:
	free(a);
	free(b);
	free(y);
	free(w_zp);
	free(bias);
	free(w_scale);
	free(mult);
	return y_off;
}

/* --- shared with the OpenCL suite --------------------------------------- */

uint64_t lf_kc_seed(void)
{
	const char *s = getenv("LF_TEST_SEED");
	if (s && *s)
		return strtoull(s, NULL, 0);
	return KC_DEFAULT_SEED;
}

int lf_kc_random_conv(struct lf_rng *r, int big, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct conv_p p;
	double kops, macs;
	do {
		conv_pick(r, big, NULL, 0, &p);
		macs = conv_cost(&p, &kops);
	} while (p.oh <= 0 || p.ow <= 0 || macs > (big ? 4e6 : 1.5e5) ||
		 kops > (big ? 4e7 : 3e6));
	if (kb_conv(&k, &p, UINT32_MAX) == UINT32_MAX) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_CONV2D, l);
	return 0;
}

int lf_kc_random_matmul(struct lf_rng *r, int big, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct mm_p p;
	double kops, macs;
	do {
		mm_pick(r, big, &p);
		macs = mm_cost(&p, &kops);
	} while (macs > (big ? 4e6 : 1.5e5) || kops > (big ? 4e7 : 3e6));
	if (kb_matmul(&k, &p, UINT32_MAX, UINT32_MAX) == UINT32_MAX) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_MATMUL, l);
	return 0;
}

void lf_kc_random_table(struct lf_rng *r, uint8_t tb[LF_LUT_BYTES])
{
	for (int i = 0; i < LF_LUT_BYTES; i++)
		tb[i] = (uint8_t)i;
	for (int i = LF_LUT_BYTES - 1; i > 0; i--) {
		int j = (int)(lf_rng_u32(r) % (uint32_t)(i + 1));
		uint8_t t = tb[i];
		tb[i] = tb[j];
		tb[j] = t;
	}
}

int lf_kc_add_lut(struct lf_kc_launch *l, const uint8_t tb[LF_LUT_BYTES])
{
	if (l->ndesc != 1 || l->desc[0].op != LF_KOP_CONV2D ||
	    l->desc[0].y_type == LF_KDT_I32)
		return -1;
	lf_desc *d = &l->desc[0];
	uint64_t c = d->oc, lanes = 1;
	if (d->flags & LF_DF_BLK) {
		c = (c + LF_BLK_LANES - 1) / LF_BLK_LANES;
		lanes = LF_BLK_LANES;
	}
	uint64_t ysz = (uint64_t)d->n * c * d->oh * d->ow * lanes;
	uint32_t off = (l->params_bytes + 63u) & ~63u;
	uint8_t *p = realloc(l->params, (size_t)off + LF_LUT_BYTES);
	if (!p)
		abort();
	memset(p + l->params_bytes, 0xa5, off - l->params_bytes);
	memcpy(p + off, tb, LF_LUT_BYTES);
	l->params = p;
	l->params_bytes = off + LF_LUT_BYTES;
	d->flags |= LF_DF_LUT;
	d->lut_off = off;
	for (uint64_t i = 0; i < ysz; i++) {
		uint8_t *e = &l->expect[d->y_off + i];
		*e = tb[*e];
		l->act[d->y_off + i] = (uint8_t) ~*e;
	}
	size_t n = strlen(l->what);
	snprintf(l->what + n, sizeof(l->what) - n, " +lut");
	return 0;
}

int lf_kc_place_ycb(struct lf_kc_launch *l, uint32_t before, uint32_t after,
		    struct lf_rng *r)
{
	if (l->ndesc != 1 || l->desc[0].op != LF_KOP_CONV2D ||
	    !(l->desc[0].flags & LF_DF_BLK))
		return -1;
	lf_desc *d = &l->desc[0];
	uint64_t ocb = (d->oc + LF_BLK_LANES - 1) / LF_BLK_LANES;
	uint64_t img = (uint64_t)d->oh * d->ow * LF_BLK_LANES;
	uint64_t ycb = before + ocb + after, base = d->y_off;
	uint64_t bytes = base + d->n * ycb * img;
	if (base + d->n * ocb * img != l->act_bytes || bytes > UINT32_MAX)
		return -1;
	uint8_t *a = lf_kc_xmalloc(bytes), *e = lf_kc_xmalloc(bytes);
	memcpy(a, l->act, base);
	memcpy(e, l->expect, base);
	for (uint64_t i = base; i < bytes; i++)
		a[i] = e[i] = (uint8_t)lf_rng_u32(r);
	for (uint64_t i = 0; i < d->n; i++)
		for (uint64_t ob = 0; ob < ocb; ob++) {
			uint64_t from = base + (i * ocb + ob) * img;
			uint64_t to = base + (i * ycb + before + ob) * img;
			memcpy(a + to, l->act + from, img);
			memcpy(e + to, l->expect + from, img);
		}
	free(l->act);
	free(l->expect);
	l->act = a;
	l->expect = e;
	l->act_bytes = (uint32_t)bytes;
	d->flags |= LF_DF_YCB;
	d->y_cb = (uint32_t)ycb;
	d->y_off = (uint32_t)(base + before * img);
	size_t n = strlen(l->what);
	snprintf(l->what + n, sizeof(l->what) - n, " +ycb %u+%llu+%u", before,
		 (unsigned long long)ocb, after);
	return 0;
}

/* The fused add's scales: any ratio, exact ties (power-of-two ratios:
 * half-integer sums), or the usual residual (similar scales). */
static void fuse_scales(struct lf_rng *r, float s[3])
{
	int m = lf_rng_range(r, 0, 5);
	double u = (double)lf_rng_u32(r) / 4294967296.0;
	s[2] = (float)exp(log(1e-3) + u * (log(1.0) - log(1e-3)));
	for (int i = 0; i < 2; i++) {
		u = (double)lf_rng_u32(r) / 4294967296.0;
		if (m < 2) /* anything */
			s[i] =
			    (float)exp(log(1e-4) + u * (log(10.0) - log(1e-4)));
		else if (m < 5) /* ties */
			s[i] = s[2] * (float)ldexp(1.0, lf_rng_range(r, -2, 1));
		else /* similar */
			s[i] = s[2] * (float)(0.3 + 1.2 * u);
	}
}

int32_t lf_kc_qadd_order(int32_t a, float sa, int32_t za, int32_t b, float sb,
			 int32_t zb, float sy, int32_t zy, int t)
{
	float ra = sa / sy, rb = sb / sy;
	float fixed = (float)zy - fmaf(ra, (float)za, rb * (float)zb);
	float v = nearbyintf(fmaf((float)a, ra, fmaf((float)b, rb, fixed)));
	int32_t q =
	    v >= -2147483648.0f && v < 2147483648.0f ? (int32_t)v : INT32_MIN;
	return q < tmin(t) ? tmin(t) : q > tmax(t) ? tmax(t) : q;
}

/*
 * For order_ties: per value a of the conv's bytes present in y, an x2
 * byte whose sum depends on the operand order (-1: none), under scales
 * s and zero points z (conv output, x2, y). Return how many a have one.
 */
static int fuse_sensitive_b(const uint8_t *y, uint64_t n, int t,
			    const float s[3], const int32_t z[3],
			    int16_t pick[256])
{
	char seen[256] = {0};
	int found = 0;
	for (uint64_t i = 0; i < n; i++)
		seen[y[i]] = 1;
	for (int ab = 0; ab < 256; ab++) {
		pick[ab] = -1;
		if (!seen[ab])
			continue;
		int32_t a = t == LF_KDT_U8 ? ab : (int8_t)ab;
		for (int32_t b = tmin(t); b <= tmax(t) && pick[ab] < 0; b++)
			if (lf_kc_qadd_order(a, s[0], z[0], b, s[1], z[1], s[2],
					     z[2], t) !=
			    lf_kc_qadd_order(b, s[1], z[1], a, s[0], z[0], s[2],
					     z[2], t))
				pick[ab] = (int16_t)(uint8_t)b;
		found += pick[ab] >= 0;
	}
	return found;
}

int lf_kc_fuse_add(struct lf_kc_launch *l, struct lf_rng *r, int swap, int relu,
		   int order_ties)
{
	if (l->ndesc != 1 || l->desc[0].op != LF_KOP_CONV2D ||
	    (l->desc[0].flags & (LF_DF_BLK | LF_DF_YCB | LF_DF_ADD)) !=
		LF_DF_BLK)
		return -1;
	lf_desc *d = &l->desc[0];
	uint64_t ocb = (d->oc + LF_BLK_LANES - 1) / LF_BLK_LANES;
	uint64_t ysz = (uint64_t)d->n * ocb * d->oh * d->ow * LF_BLK_LANES;
	uint64_t base = d->y_off, bytes = l->act_bytes + ysz;
	if (base + ysz != l->act_bytes || bytes > UINT32_MAX)
		return -1;
	int t = (int)d->y_type;
	float s[3];
	int32_t z[3];
	int16_t pick[256];
	for (int tries = 0;; tries++) {
		if (tries == 1000)
			return -1;
		fuse_scales(r, s);
		for (int i = 0; i < 3; i++)
			z[i] = lf_kc_pick_zp(r, t);
		if (!order_ties ||
		    fuse_sensitive_b(l->expect + base, ysz, t, s, z, pick) > 0)
			break;
	}
	int32_t za = z[0], zb = z[1], zy = z[2];
	int32_t lo = relu ? zy : tmin(t), hi = tmax(t);
	/* x2 before y, y still last: [x .. gap][x2][y] */
	uint8_t *a = lf_kc_xmalloc(bytes), *e = lf_kc_xmalloc(bytes);
	uint8_t *sum = lf_kc_xmalloc(ysz);
	memcpy(a, l->act, base);
	memcpy(e, l->expect, base);
	for (uint64_t i = 0; i < ysz; i++) {
		int16_t b = order_ties ? pick[l->expect[base + i]] : -1;
		a[base + i] = e[base + i] =
		    b >= 0 ? (uint8_t)b : (uint8_t)lf_rng_u32(r);
	}
	/* The conv's bytes (expect's y, pad lanes included: each lane of a
	 * beat is an element) added to x2 by the CPU reference, ORT's
	 * operand order: swap puts x2 first (A, the outer operand). */
	lf_dtype pt = t == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
	struct lf_ref_shape sh = {1, {(int64_t)ysz}};
	struct lf_ref_q1 qa = {s[0], za}, qb = {s[1], zb}, qy = {s[2], zy};
	const uint8_t *conv = l->expect + base, *skip = e + base;
	lf_status st =
	    swap ? lf__ref_qadd(pt, &sh, skip, &qb, &sh, conv, &qa, &qy, sum)
		 : lf__ref_qadd(pt, &sh, conv, &qa, &sh, skip, &qb, &qy, sum);
	if (st != LF_OK) {
		free(a);
		free(e);
		free(sum);
		return -1;
	}
	/* then the add's clamp (lf_desc.h: [add_min, add_max]) */
	for (uint64_t i = 0; i < ysz; i++) {
		int32_t v = t == LF_KDT_U8 ? (int32_t)sum[i] : (int8_t)sum[i];
		v = v < lo ? lo : v > hi ? hi : v;
		e[base + ysz + i] = (uint8_t)v;
		a[base + ysz + i] = (uint8_t) ~(uint8_t)v;
	}
	free(sum);
	free(l->act);
	free(l->expect);
	l->act = a;
	l->expect = e;
	l->act_bytes = (uint32_t)bytes;
	d->flags |= LF_DF_ADD | (swap ? LF_DF_SWAP : 0);
	d->x2_off = (uint32_t)base;
	d->y_off = (uint32_t)(base + ysz);
	d->x_scale = s[0];
	d->x2_scale = s[1];
	d->y_scale = s[2];
	d->add_x_zp = za;
	d->x2_zp = zb;
	d->add_y_zp = zy;
	d->add_min = lo;
	d->add_max = hi;
	size_t n = strlen(l->what);
	snprintf(l->what + n, sizeof(l->what) - n,
		 " +add%s%s s %g/%g/%g zp %d/%d/%d", swap ? " swap" : "",
		 relu ? " relu" : "", (double)s[0], (double)s[1], (double)s[2],
		 (int)za, (int)zb, (int)zy);
	return 0;
}

int lf_kc_fuse_pool(struct lf_kc_launch *l, const struct lf_kc_pool *pk,
		    struct lf_rng *r)
{
	if (l->ndesc != 1 || l->desc[0].op != LF_KOP_CONV2D ||
	    (l->desc[0].flags & (LF_DF_BLK | LF_DF_YCB | LF_DF_ADD)) !=
		LF_DF_BLK)
		return -1;
	lf_desc *d = &l->desc[0];
	uint64_t ocb = (d->oc + LF_BLK_LANES - 1) / LF_BLK_LANES;
	uint64_t c = ocb * LF_BLK_LANES, h = d->oh, w = d->ow;
	uint64_t ysz = (uint64_t)d->n * c * h * w;
	uint64_t base = d->y_off;
	if (base + ysz != l->act_bytes)
		return -1;
	/* The CPU reference's MaxPool over the conv's expected bytes as an
	 * NCHW tensor of ocb * 64 channels (pad lanes are channels too). */
	struct lf_ref_pool p;
	memset(&p, 0, sizeof p);
	p.nsp = 2;
	p.n = d->n;
	p.c = (int64_t)c;
	p.in[0] = (int64_t)h, p.in[1] = (int64_t)w;
	p.kernel[0] = pk->kh, p.kernel[1] = pk->kw;
	p.stride[0] = pk->sh, p.stride[1] = pk->sw;
	p.dil[0] = p.dil[1] = 1;
	p.pad_begin[0] = pk->pt, p.pad_begin[1] = pk->pl;
	p.pad_end[0] = pk->pb, p.pad_end[1] = pk->pr;
	if (lf__ref_pool_plan(&p) != LF_OK || p.out[0] < 1 || p.out[1] < 1)
		return -1;
	uint64_t ph = (uint64_t)p.out[0], pw = (uint64_t)p.out[1];
	uint64_t psz = (uint64_t)d->n * c * ph * pw;
	int t = (int)d->y_type;
	lf_dtype dt = t == LF_KDT_U8 ? LF_DTYPE_UINT8 : LF_DTYPE_INT8;
	uint8_t *xn = lf_kc_xmalloc(ysz), *yn = lf_kc_xmalloc(psz);
	/* blocked (n, cb, y, x, lane) -> NCHW and back */
	for (uint64_t i = 0; i < ysz; i++) {
		uint64_t lane = i % 64, px = i / 64;
		uint64_t xx = px % w, yy = px / w % h, cb = px / w / h % ocb,
			 n = px / w / h / ocb;
		xn[((n * c + cb * 64 + lane) * h + yy) * w + xx] =
		    l->expect[base + i];
	}
	if (lf__ref_maxpool(&p, dt, xn, yn, NULL, 0) != LF_OK) {
		free(xn), free(yn);
		return -1;
	}
	/* pool_clamp: the type's range, or one inside it from @r */
	int32_t lo = tmin(t), hi = tmax(t);
	if (pk->clamp) {
		lo = lf_rng_range(r, tmin(t), tmin(t) + 120);
		hi = lf_rng_range(r, lo, tmax(t));
	}
	uint8_t *a = lf_kc_xmalloc(base + psz), *e = lf_kc_xmalloc(base + psz);
	memcpy(a, l->act, base);
	memcpy(e, l->expect, base);
	for (uint64_t i = 0; i < psz; i++) {
		uint64_t lane = i % 64, px = i / 64;
		uint64_t xx = px % pw, yy = px / pw % ph,
			 cb = px / pw / ph % ocb, n = px / pw / ph / ocb;
		uint8_t b = yn[((n * c + cb * 64 + lane) * ph + yy) * pw + xx];
		int32_t v = t == LF_KDT_U8 ? (int32_t)b : (int8_t)b;
		v = v < lo ? lo : v > hi ? hi : v;
		e[base + i] = (uint8_t)v;
		a[base + i] = (uint8_t) ~(uint8_t)v;
	}
	free(xn), free(yn);
	free(l->act);
	free(l->expect);
	l->act = a;
	l->expect = e;
	l->act_bytes = (uint32_t)(base + psz);
	d->flags |= LF_DF_POOL;
	d->pool_k = (uint32_t)pk->kh | (uint32_t)pk->kw << 4 |
		    (uint32_t)pk->sh << 8 | (uint32_t)pk->sw << 12 |
		    (uint32_t)pk->pt << 16 | (uint32_t)pk->pl << 20 |
		    (uint32_t)pk->pb << 24 | (uint32_t)pk->pr << 28;
	d->pool_clamp = ((uint32_t)lo & 0xffffu) | (uint32_t)hi << 16;
	size_t k = strlen(l->what);
	snprintf(l->what + k, sizeof(l->what) - k,
		 " +maxpool %dx%d s%d,%d p%d,%d,%d,%d clamp [%d, %d]", pk->kh,
		 pk->kw, pk->sh, pk->sw, pk->pt, pk->pl, pk->pb, pk->pr,
		 (int)lo, (int)hi);
	return 0;
}

int lf_kc_fuse_variant(struct lf_kc_launch *l, struct lf_rng *r, int j,
		       int swap)
{
	/* order ties where the conv's bytes allow them (a table may leave
	 * too few values), else any data */
	if ((j % 7 != 3 || lf_kc_fuse_add(l, r, swap, j % 3 == 0, 1) != 0) &&
	    lf_kc_fuse_add(l, r, swap, j % 3 == 0, 0) != 0)
		return -1;
	return j % 5 == 2 ? lf_kc_place_ycb(l, 1, 1, r) : 0;
}

int lf_kc_compare(const struct lf_kc_launch *l, const uint8_t *act,
		  const char *who, uint64_t seed, int index)
{
	if (memcmp(act, l->expect, l->act_bytes) == 0)
		return 0;
	uint32_t first = 0, count = 0;
	for (uint32_t i = 0; i < l->act_bytes; i++)
		if (act[i] != l->expect[i] && count++ == 0)
			first = i;
	fprintf(stderr,
		"\n%s: MISMATCH seed=0x%llx case=%d: %u of %u act bytes "
		"differ, first at %u (got 0x%02x, want 0x%02x)\n  %s\n",
		who, (unsigned long long)seed, index, count, l->act_bytes,
		first, act[first], l->expect[first], l->what);
	for (uint32_t i = 0; i < l->ndesc; i++)
		fprintf(stderr, "  desc %u: x_off=%u x2_off=%u y_off=%u\n", i,
			l->desc[i].x_off, l->desc[i].x2_off, l->desc[i].y_off);
	return -1;
}

/* --- running the host-C kernels ------------------------------------------ */

static void kernel_call(uint32_t op, lf_desc *d, uint32_t nd,
			const uint8_t *params, uint32_t pb, uint8_t *act,
			uint32_t ab)
{
	if (op == LF_KOP_CONV2D)
		lfk_conv2d(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
	else
		lfk_matmul(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
}

/*
 * Runs a launch on copies (exactly sized) and checks every status is OK and
 * act ends as expected. Returns 0 on success.
 */
static int run_check(const struct lf_kc_launch *l, uint64_t seed, int index)
{
	lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l->ndesc);
	memcpy(d, l->desc, sizeof(lf_desc) * l->ndesc);
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	kernel_call(l->op, d, l->ndesc, l->params, l->params_bytes, act,
		    l->act_bytes);
	int bad = 0;
	for (uint32_t i = 0; i < l->ndesc; i++)
		if (d[i].status != LF_KST_OK) {
			fprintf(stderr,
				"\nhost-C: seed=0x%llx case=%d desc %u status "
				"%d\n  %s\n",
				(unsigned long long)seed, index, i, d[i].status,
				l->what);
			bad = 1;
		}
	if (!bad && lf_kc_compare(l, act, "host-C", seed, index) != 0)
		bad = 1;
	free(d);
	free(act);
	return bad ? -1 : 0;
}

static void case_rng(struct lf_rng *r, uint64_t seed, int index)
{
	lf_rng_seed(r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)index + 1);
}

/* --- the sweeps --------------------------------------------------------- */

static void sweep(int conv, int cases)
{
	uint64_t seed = lf_kc_seed();
	int fails = 0;
	if (!conv)
		seed += 0x5bd1e995u; /* another stream than the conv sweep */
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		int big = i % 50 == 49; /* a few layers of many tiles */
		int st = conv ? lf_kc_random_conv(&r, big, &l)
			      : lf_kc_random_matmul(&r, big, &l);
		CU_ASSERT_EQUAL_FATAL(st, 0);
		if (run_check(&l, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_conv_sweep(void)
{
	sweep(1, lf_test_slow_mode() ? 40 : 400);
}

static void test_matmul_sweep(void)
{
	sweep(0, lf_test_slow_mode() ? 25 : 200);
}

/* --- chains: one launch, activations stay in act ------------------------- */

static void test_conv_chain(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xc4a1;
	int chains = lf_test_slow_mode() ? 4 : 30, fails = 0;
	for (int i = 0; i < chains; i++) {
		struct lf_rng r;
		struct lf_kb k = {.r = &r};
		struct conv_p p[3];
		double kops;
		case_rng(&r, seed, i);
		uint32_t off = UINT32_MAX;
		for (int j = 0; j < 3; j++) {
			do {
				/* Feeds the next layer: an 8-bit output. */
				conv_pick(&r, 0, j ? &p[j - 1] : NULL, j < 2,
					  &p[j]);
			} while (p[j].oh <= 0 || p[j].ow <= 0 ||
				 conv_cost(&p[j], &kops) > 1.5e5 || kops > 3e6);
			off = kb_conv(&k, &p[j], off);
			CU_ASSERT_FATAL(off != UINT32_MAX);
		}
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_CONV2D, &l);
		if (run_check(&l, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* Y1 = A1 B1; Y2 = Y1 B2; Y3 = A3 Y2 (B from act), one launch. */
static void test_matmul_chain(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x3a7;
	int chains = lf_test_slow_mode() ? 3 : 20, fails = 0;
	for (int i = 0; i < chains; i++) {
		struct lf_rng r;
		struct lf_kb k = {.r = &r};
		struct mm_p p1, p2, p3;
		case_rng(&r, seed, i);
		mm_pick(&r, 0, &p1);
		p1.b_act = 0;
		p1.k = lf_rng_range(&r, 1, 64);
		p1.n = lf_rng_range(&r, 1, 40);
		quant_pick(&r, &p1.q, 0, 1);
		p2 = p1;
		p2.k = p1.n;
		p2.n = lf_rng_range(&r, 1, 40);
		p2.q.xt = p1.q.yt;
		p2.q.x_zp = p1.q.y_zp;
		quant_pick(&r, &p2.q, 1, 1);
		p3 = p2;
		p3.b_act = 1;
		p3.w_batch = p2.batch;
		p3.m = lf_rng_range(&r, 1, 12);
		p3.k = p2.m;
		p3.n = p2.n;
		quant_pick(&r, &p3.q, 0, 0);
		p3.q.wt = p2.q.yt;
		p3.x2_zp = p2.q.y_zp;
		uint32_t y1 = kb_matmul(&k, &p1, UINT32_MAX, UINT32_MAX);
		CU_ASSERT_FATAL(y1 != UINT32_MAX);
		uint32_t y2 = kb_matmul(&k, &p2, y1, UINT32_MAX);
		CU_ASSERT_FATAL(y2 != UINT32_MAX);
		CU_ASSERT_FATAL(kb_matmul(&k, &p3, UINT32_MAX, y2) !=
				UINT32_MAX);
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_MATMUL, &l);
		if (run_check(&l, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void fix_out(lf_desc *d);
static int32_t run_desc(const struct lf_kc_launch *l, uint32_t op,
			const lf_desc *d, const uint8_t *params);

/* --- layers of many tiles ------------------------------------------------- */

static struct conv_p conv_fixed(struct lf_rng *r, int n, int ic, int ih, int iw,
				int oc, int kh, int kw, int s, int pad, int dil,
				int groups)
{
	struct conv_p p;
	memset(&p, 0, sizeof p);
	p.n = n;
	p.ic = ic;
	p.ih = ih;
	p.iw = iw;
	p.oc = oc;
	p.kh = kh;
	p.kw = kw;
	p.sh = p.sw = s;
	p.pt = p.pb = kh / 2 ? pad : 0;
	p.pl = p.pr = kw / 2 ? pad : 0;
	p.dh = p.dw = dil;
	p.groups = groups;
	conv_dims(&p);
	quant_pick(r, &p.q, 0, 0);
	p.q.mmode = 1; /* outputs mostly inside the range */
	return p;
}

static void test_conv_large(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x1a26e;
	struct lf_rng r;
	int slow = lf_test_slow_mode();
	case_rng(&r, seed, -1);
	/* The largest reduction the weight buffer holds: kvec == KVEC. */
	int ic_max = LF_CONV_KVEC / 9 * LF_CONV_PE_K;
	struct conv_p cases[] = {
	    /* several tiles of output channels and of output columns */
	    conv_fixed(&r, 2, 40, 6, slow ? 70 : 150, 40, 3, 3, 1, 1, 1, 1),
	    /* full weight buffer; the input buffer limits the tile width */
	    conv_fixed(&r, 1, ic_max, 3, slow ? 45 : 90, slow ? 2 : 20, 3, 3, 1,
		       1, 1, 1),
	    /* wide 1x1 over many channels */
	    conv_fixed(&r, 1, 200, 5, 70, slow ? 17 : 70, 1, 1, 1, 0, 1, 1),
	    /* depthwise, channel multiplier 2 */
	    conv_fixed(&r, 2, 48, 20, 20, 96, 5, 5, 2, 2, 1, 48),
	    /* AlexNet-like 11x11 stride 4 */
	    conv_fixed(&r, 1, 3, 59, 59, 20, 11, 11, 4, 2, 1, 1),
	    /* Inception-like 7x1, grouped, dilated */
	    conv_fixed(&r, 1, 24, 17, 17, 36, 7, 1, 1, 6, 2, 3),
	};
	int fails = 0;
	for (int i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
		struct lf_kb k = {.r = &r};
		case_rng(&r, seed, i);
		quant_pick(&r, &cases[i].q, 0, 0);
		cases[i].q.mmode = 1;
		CU_ASSERT_FATAL(kb_conv(&k, &cases[i], UINT32_MAX) !=
				UINT32_MAX);
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_CONV2D, &l);
		if (run_check(&l, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_matmul_large(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x3a3a;
	struct lf_rng r;
	int slow = lf_test_slow_mode();
	struct mm_p cases[] = {
	    /* k at the limit; several column tiles; shared B */
	    {.batch = 2,
	     .w_batch = 1,
	     .m = slow ? 2 : 5,
	     .k = LF_MM_KMAX,
	     .n = 40},
	    /* B in act, one per batch entry */
	    {.batch = 2, .w_batch = 2, .m = 9, .k = 300, .n = 70, .b_act = 1},
	    /* k not a multiple of PE_K, n not a multiple of PE_N */
	    {.batch = 1, .w_batch = 1, .m = 33, .k = 1001, .n = 17},
	};
	int fails = 0;
	for (int i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
		struct lf_kb k = {.r = &r};
		case_rng(&r, seed, i);
		quant_pick(&r, &cases[i].q, 0, 0);
		cases[i].q.mmode = 1;
		cases[i].x2_zp = lf_kc_pick_zp(&r, cases[i].q.wt);
		CU_ASSERT_FATAL(kb_matmul(&k, &cases[i], UINT32_MAX,
					  UINT32_MAX) != UINT32_MAX);
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_MATMUL, &l);
		if (run_check(&l, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * A matmul whose accumulators are exactly -128..127: k = 1, A = 0..255
 * with x_zp = 128, B = 1 (in act, zero point 0), no bias.
 */
static void unit_acc_launch(struct lf_rng *r, int yt, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct mm_p p = {
	    .batch = 1, .w_batch = 1, .m = 256, .k = 1, .n = 1, .b_act = 1};
	p.q.xt = LF_KDT_U8;
	p.q.wt = LF_KDT_U8;
	p.q.yt = yt;
	p.q.x_zp = 128;
	p.q.y_zp = lf_kc_pick_zp(r, yt);
	p.q.lo = tmin(yt);
	p.q.hi = tmax(yt);
	p.q.mmode = 2;
	uint8_t a[256], one = 1;
	for (int i = 0; i < 256; i++)
		a[i] = (uint8_t)i;
	uint32_t a_off = lf_kb_input(&k, a, sizeof a);
	uint32_t b_off = lf_kb_input(&k, &one, 1);
	CU_ASSERT_FATAL(kb_matmul(&k, &p, a_off, b_off) != UINT32_MAX);
	lf_kb_finish(&k, LF_KOP_MATMUL, l);
}

/* Rounding: mult = 2^-3 .. 2^1 puts v exactly on .5 ties, both signs. */
static void test_round_ties(void)
{
	int fails = 0;
	for (int j = 0; j < 12; j++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, 0x71e5, j);
		unit_acc_launch(&r, j % 2 ? LF_KDT_I8 : LF_KDT_U8, &l);
		if (run_check(&l, 0x71e5, j) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * Multipliers the host never sends (the reference rejects the scales that
 * would give them), checked against lf_desc.h's description with libm's
 * nearbyintf as the rounding oracle: NaN gives act_min, infinities and
 * huge values saturate, negative and denormal ones round as usual.
 */
static void test_requant_special(void)
{
	static const float mults[] = {NAN,     INFINITY, -INFINITY, 3e38f,
				      -0.5f,   -0.75f,	 1e-45f,    -0.0f,
				      0.4999f, 511.5f,	 -300.25f};
	for (int j = 0; j < (int)(sizeof mults / sizeof mults[0]); j++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, 0x5bec, j);
		unit_acc_launch(&r, j % 2 ? LF_KDT_I8 : LF_KDT_U8, &l);
		lf_desc *d = &l.desc[0];
		memcpy(l.params + d->mult_off, &mults[j], sizeof(float));
		for (int i = 0; i < 256; i++) {
			float v = (float)(i - 128) * mults[j];
			int32_t q;
			if (isnan(v)) {
				q = d->act_min;
			} else {
				v = v > 1e6f ? 1e6f : (v < -1e6f ? -1e6f : v);
				q = (int32_t)nearbyintf(v) + d->y_zp;
				q = q < d->act_min ? d->act_min : q;
				q = q > d->act_max ? d->act_max : q;
			}
			l.expect[d->y_off + (uint32_t)i] = (uint8_t)q;
		}
		CU_ASSERT_EQUAL(run_check(&l, 0x5bec, j), 0);
		lf_kc_free(&l);
	}
}

/*
 * The input buffer exactly full (a 1-row window LF_CONV_XVEC columns wide
 * runs and matches the reference), and one column more (LF_KST_LIMIT).
 */
static void test_conv_xbuf_edge(void)
{
	int kw = 0, dil = 0;
	for (int k = LF_CONV_KDIM_MAX; k >= 2 && !kw; k--)
		if ((LF_CONV_XVEC - 1) % (k - 1) == 0 &&
		    (LF_CONV_XVEC - 1) / (k - 1) < LF_CONV_STEP_MAX) {
			kw = k;
			dil = (LF_CONV_XVEC - 1) / (k - 1);
		}
	if (!kw) {
		printf(
		    "(no kernel width spans LF_CONV_XVEC exactly: skipped) ");
		return;
	}
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xedce, 0);
	struct conv_p p = conv_fixed(&r, 1, LF_CONV_PE_K, 2, LF_CONV_XVEC + 4,
				     5, 1, kw, 1, 0, dil, 1);
	CU_ASSERT_FATAL(kb_conv(&k, &p, UINT32_MAX) != UINT32_MAX);
	struct lf_kc_launch l;
	lf_kb_finish(&k, LF_KOP_CONV2D, &l);
	CU_ASSERT_EQUAL(run_check(&l, 0xedce, 0), 0);
	lf_desc d = l.desc[0];
	d.dil_w++;
	d.iw += (uint32_t)kw; /* keeps the shape valid; x is not read */
	fix_out(&d);
	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL), LF_KST_LIMIT);
	d = l.desc[0];
	d.ic++; /* a second vector of channels */
	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL), LF_KST_LIMIT);
	/* kh rows of XVEC / kh + 1 columns: one column too many. */
	int tried = 0;
	for (int kh = 2; kh <= LF_CONV_KDIM_MAX; kh++)
		for (int k2 = 2; k2 <= LF_CONV_KDIM_MAX; k2++) {
			int gap = LF_CONV_XVEC / kh; /* (kw - 1) * dil */
			if (LF_CONV_XVEC % kh || gap % (k2 - 1) ||
			    gap / (k2 - 1) > LF_CONV_STEP_MAX ||
			    kh * k2 > LF_CONV_KVEC)
				continue;
			d = l.desc[0];
			d.kh = (uint32_t)kh;
			d.kw = (uint32_t)k2;
			d.dil_w = (uint32_t)(gap / (k2 - 1));
			d.dil_h = 1;
			d.ih = (uint32_t)kh;
			d.n = 1000; /* x cannot fit in act */
			d.iw = (uint32_t)gap + 1;
			fix_out(&d);
			CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL),
					LF_KST_LIMIT);
			d.kh--; /* now it fits: only x's range is wrong */
			fix_out(&d);
			CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL),
					LF_KST_BOUNDS);
			tried++;
		}
	CU_ASSERT(tried > 0);
	lf_kc_free(&l);
}

/* --- errors ------------------------------------------------------------ */

/* A small valid conv launch to mutate: 2 groups, per-channel, bias. */
static void base_conv(struct lf_kc_launch *l)
{
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xe770, 0);
	struct conv_p p = conv_fixed(&r, 2, 6, 7, 9, 4, 3, 2, 1, 1, 1, 2);
	p.q.xt = LF_KDT_U8;
	p.q.wt = LF_KDT_I8;
	p.q.yt = LF_KDT_U8;
	p.q.x_zp = 3;
	p.q.y_zp = 10;
	p.q.lo = 0;
	p.q.hi = 255;
	p.q.per_ch = 1;
	p.q.bias = 1;
	CU_ASSERT_FATAL(kb_conv(&k, &p, UINT32_MAX) != UINT32_MAX);
	lf_kb_finish(&k, LF_KOP_CONV2D, l);
}

static void base_matmul(struct lf_kc_launch *l, int b_act)
{
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xe771, b_act);
	struct mm_p p = {.batch = 2,
			 .w_batch = 2,
			 .m = 3,
			 .k = 20,
			 .n = 5,
			 .b_act = b_act,
			 .x2_zp = -3};
	p.q.xt = LF_KDT_I8;
	p.q.wt = LF_KDT_I8;
	p.q.yt = LF_KDT_I8;
	p.q.y_zp = -1;
	p.q.lo = -128;
	p.q.hi = 127;
	p.q.per_ch = 1;
	p.q.bias = 1;
	CU_ASSERT_FATAL(kb_matmul(&k, &p, UINT32_MAX, UINT32_MAX) !=
			UINT32_MAX);
	lf_kb_finish(&k, LF_KOP_MATMUL, l);
}

/*
 * Runs descriptor d (alone) on l's buffers, optionally with other params;
 * returns its status. A rejected descriptor must leave act untouched, an
 * accepted one must produce what l expects.
 */
static int32_t run_desc(const struct lf_kc_launch *l, uint32_t op,
			const lf_desc *d, const uint8_t *params)
{
	lf_desc *dd = lf_kc_xmalloc(sizeof *dd);
	*dd = *d;
	dd->status = LF_KST_PENDING;
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	kernel_call(op, dd, 1, params ? params : l->params, l->params_bytes,
		    act, l->act_bytes);
	int32_t st = dd->status;
	if (st != LF_KST_OK)
		CU_ASSERT(memcmp(act, l->act, l->act_bytes) == 0);
	free(dd);
	free(act);
	return st;
}

/* Recomputes oh/ow after a shape edit, so only the edited check fires. */
static void fix_out(lf_desc *d)
{
	uint64_t sh = (uint64_t)(d->kh - 1) * d->dil_h + 1;
	uint64_t sw = (uint64_t)(d->kw - 1) * d->dil_w + 1;
	d->oh = (uint32_t)(((uint64_t)d->ih + d->pad_t + d->pad_b - sh) /
			       d->stride_h +
			   1);
	d->ow = (uint32_t)(((uint64_t)d->iw + d->pad_l + d->pad_r - sw) /
			       d->stride_w +
			   1);
}

static void test_conv_errors(void)
{
	struct lf_kc_launch l;
	base_conv(&l);
	const lf_desc *b = &l.desc[0];
	lf_desc d;
	uint32_t w_sz = b->oc * (b->ic / b->groups) * b->kh * b->kw;

	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, b, NULL), LF_KST_OK);
#define TRY(stmt, want)                                                        \
	do {                                                                   \
		d = *b;                                                        \
		stmt;                                                          \
		CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL), want);  \
	} while (0)
	TRY(d.magic = 0, LF_KST_BAD_MAGIC);
	TRY(d.magic = LF_DESC_MAGIC ^ 0x100, LF_KST_BAD_MAGIC);
	TRY(d.op = LF_KOP_MATMUL, LF_KST_BAD_OP);
	TRY(d.op = 99, LF_KST_BAD_OP);
	TRY(d.flags |= LF_DF_B_ACT, LF_KST_BAD_OP);
	TRY(d.flags |= 0x80000000u, LF_KST_BAD_OP);
	TRY(d.x_type = LF_KDT_I32, LF_KST_BAD_TYPE);
	TRY(d.w_type = 7, LF_KST_BAD_TYPE);
	TRY(d.y_type = 3, LF_KST_BAD_TYPE);

	TRY(d.oh++, LF_KST_BAD_SHAPE);
	TRY(d.ow--, LF_KST_BAD_SHAPE);
	TRY(d.n = 0, LF_KST_BAD_SHAPE);
	TRY(d.groups = 0, LF_KST_BAD_SHAPE);
	TRY(d.groups = 4, LF_KST_BAD_SHAPE); /* 6 input channels */
	TRY(d.groups = 3, LF_KST_BAD_SHAPE); /* 4 output channels */
	TRY(d.stride_w = 0, LF_KST_BAD_SHAPE);
	TRY(d.dil_h = 0, LF_KST_BAD_SHAPE);
	TRY((d.kh = 20, d.pad_t = d.pad_b = 0), LF_KST_BAD_SHAPE);
	/* Shapes that only add up with 32-bit wrap-around. */
	TRY((d.pad_t = 0xffffffffu, d.pad_b = 1), LF_KST_BAD_SHAPE);
	TRY((d.kh = 0x80000001u, d.dil_h = 2), LF_KST_BAD_SHAPE);

	TRY(d.x_zp = 256, LF_KST_BAD_QUANT);
	TRY(d.x_zp = -1, LF_KST_BAD_QUANT);
	TRY(d.y_zp = 256, LF_KST_BAD_QUANT);
	TRY((d.act_min = 200, d.act_max = 100), LF_KST_BAD_QUANT);
	TRY(d.act_max = 256, LF_KST_BAD_QUANT);
	TRY((d.y_type = LF_KDT_I8, d.y_zp = 0, d.act_min = -128,
	     d.act_max = 128),
	    LF_KST_BAD_QUANT);

	/* Limits come before any byte range: nothing is read. */
	TRY(d.ic = d.groups * (uint32_t)(LF_CONV_KMAX + 1), LF_KST_LIMIT);
	/* kh * kw * ceil(icg / PE_K) == KVEC is allowed (then x is out of
	 * range), one vector more is not. */
	TRY(d.ic = d.groups * LF_CONV_PE_K * (LF_CONV_KVEC / (3 * 2)),
	    LF_KST_BOUNDS);
	TRY(d.ic = d.groups * (LF_CONV_PE_K * (LF_CONV_KVEC / (3 * 2)) + 1),
	    LF_KST_LIMIT);
	/* kh * kw * ceil(icg / PE_K) == KVEC + 1 exactly, and == KVEC (the
	 * largest kernel that divides it, so xbuf still holds the window). */
	for (int extra = 1; extra >= 0; extra--) {
		int kv = LF_CONV_KVEC + extra, found = 0;
		for (int kh = LF_CONV_KDIM_MAX; kh >= 1 && !found; kh--)
			for (int kw = LF_CONV_KDIM_MAX; kw >= 1 && !found;
			     kw--) {
				if (kv % (kh * kw) ||
				    kv / kw > LF_CONV_XVEC) /* kh*kw*icv */
					continue;
				found = 1;
				TRY((d.kh = (uint32_t)kh, d.kw = (uint32_t)kw,
				     d.ic = d.groups * LF_CONV_PE_K *
					    (uint32_t)(kv / (kh * kw)),
				     d.ih = d.iw = 40, fix_out(&d)),
				    extra ? LF_KST_LIMIT : LF_KST_BOUNDS);
			}
		CU_ASSERT(found);
	}
	TRY((d.stride_w = LF_CONV_STEP_MAX + 1, fix_out(&d)), LF_KST_LIMIT);
	TRY((d.dil_h = LF_CONV_STEP_MAX + 1, d.ih = 1000, fix_out(&d)),
	    LF_KST_LIMIT);
	TRY((d.iw = LF_CONV_DIM_MAX + 1, fix_out(&d)), LF_KST_LIMIT);
	TRY((d.pad_b = LF_CONV_DIM_MAX + 1, d.stride_h = LF_CONV_STEP_MAX,
	     fix_out(&d)),
	    LF_KST_LIMIT);
	TRY((d.kw = LF_CONV_KDIM_MAX + 1, d.iw = 100, fix_out(&d)),
	    LF_KST_LIMIT);
	/* The window of one output pixel does not fit in xbuf. */
	uint32_t icv = LF_CONV_XVEC / (3 * 256) + 1;
	if (6 * icv <= LF_CONV_KVEC)
		TRY((d.kh = 3, d.kw = 2, d.dil_w = 255, d.iw = 300,
		     d.ic = d.groups * LF_CONV_PE_K * icv, fix_out(&d)),
		    LF_KST_LIMIT);

	/* Byte ranges, overflow-safe. The base's y ends exactly at the end
	 * of act, and its params end with its mult[]. */
	TRY(d.y_off++, LF_KST_BOUNDS);
	TRY(d.x_off = 0xffffffffu, LF_KST_BOUNDS);
	TRY(d.y_off = d.x_off + 1, LF_KST_BOUNDS); /* overlaps x */
	TRY(d.x_off = d.y_off, LF_KST_BOUNDS);
	TRY(d.w_off = 0xfffffff0u, LF_KST_BOUNDS);
	TRY(d.w_off = l.params_bytes - w_sz + 1, LF_KST_BOUNDS);
	TRY(d.bias_off = l.params_bytes - 4 * 4 + 1, LF_KST_BOUNDS);
	TRY(d.w_zp_off = l.params_bytes - 4 * 4 + 1, LF_KST_BOUNDS);
	TRY(d.mult_off++, LF_KST_BOUNDS);
	TRY(d.mult_off = 0xfffffffdu, LF_KST_BOUNDS);
	/* 256^4 bytes of x: exactly 2^32, zero in 32-bit arithmetic. */
	TRY((d.n = 256, d.ic = d.oc = d.groups = 256, d.ih = d.iw = 256,
	     fix_out(&d)),
	    LF_KST_BOUNDS);
	/* Every dimension at its limit: a product past 2^64 / 2^32. */
	TRY((d.n = d.ic = d.oc = d.groups = d.ih = d.iw = LF_CONV_DIM_MAX,
	     d.pad_r = 0, fix_out(&d)),
	    LF_KST_BOUNDS);
#undef TRY

	/* A w_zp entry outside int8: BAD_QUANT, after every range check. */
	uint8_t *p2 = lf_kc_xmalloc(l.params_bytes);
	memcpy(p2, l.params, l.params_bytes);
	int32_t bad = 128;
	memcpy(p2 + b->w_zp_off + 4 * 3, &bad, 4);
	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, b, p2), LF_KST_BAD_QUANT);
	free(p2);
	lf_kc_free(&l);
}

/*
 * LF_DF_LUT on the NCHW datapath: random 8-bit convs, each output byte
 * through a random permutation table (expected: the reference's byte
 * looked up by the test, lf_kc_add_lut).
 */
static void test_conv_lut(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x1a7;
	int cases = lf_test_slow_mode() ? 8 : 60, fails = 0, ran = 0;
	for (int i = 0; ran < cases && i < 4 * cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		uint8_t tb[LF_LUT_BYTES];
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kc_random_conv(&r, i % 20 == 19, &l),
				      0);
		lf_kc_random_table(&r, tb);
		if (lf_kc_add_lut(&l, tb) == 0) {
			ran++;
			if (run_check(&l, seed, i) != 0)
				fails++;
		}
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(ran, cases);
	CU_ASSERT_EQUAL(fails, 0);
}

/* The table's checks: on a beat, inside params, 8-bit y only; a
 * rejected descriptor writes nothing (run_desc). */
static void test_conv_lut_errors(void)
{
	struct lf_kc_launch l;
	struct lf_rng r;
	uint8_t tb[LF_LUT_BYTES];
	base_conv(&l);
	lf_rng_seed(&r, 0x1a7e);
	lf_kc_random_table(&r, tb);
	CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
	const lf_desc *b = &l.desc[0];
	lf_desc d;
	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, b, NULL), LF_KST_OK);
#define TRY(stmt, want)                                                        \
	do {                                                                   \
		d = *b;                                                        \
		stmt;                                                          \
		CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_CONV2D, &d, NULL), want);  \
	} while (0)
	TRY(d.lut_off += 1, LF_KST_BOUNDS);
	TRY(d.lut_off += 32, LF_KST_BOUNDS);
	TRY(d.lut_off += 64, LF_KST_BOUNDS); /* past params by 64 bytes */
	TRY(d.lut_off = 0xffffffc0u, LF_KST_BOUNDS);
	TRY(d.y_type = LF_KDT_I32, LF_KST_BAD_TYPE);
	/* Without the flag lut_off is not read. */
	TRY((d.flags &= ~LF_DF_LUT, d.lut_off = 0xffffffffu), LF_KST_OK);
	lf_kc_free(&l);
}
#undef TRY

static void test_matmul_errors(void)
{
	struct lf_kc_launch l, la;
	base_matmul(&l, 0);
	base_matmul(&la, 1);
	const lf_desc *b = &l.desc[0], *ba = &la.desc[0];
	lf_desc d;
	CU_ASSERT_EQUAL(run_desc(&l, LF_KOP_MATMUL, b, NULL), LF_KST_OK);
	CU_ASSERT_EQUAL(run_desc(&la, LF_KOP_MATMUL, ba, NULL), LF_KST_OK);
#define TRY(base, stmt, want)                                                  \
	do {                                                                   \
		d = *(base);                                                   \
		stmt;                                                          \
		CU_ASSERT_EQUAL(                                               \
		    run_desc((base) == b ? &l : &la, LF_KOP_MATMUL, &d, NULL), \
		    want);                                                     \
	} while (0)
	TRY(b, d.magic = 0x3144464d, LF_KST_BAD_MAGIC);
	TRY(b, d.op = LF_KOP_CONV2D, LF_KST_BAD_OP);
	TRY(b, d.flags |= LF_DF_COUNT_PAD, LF_KST_BAD_OP);
	TRY(b, d.y_type = 9, LF_KST_BAD_TYPE);
	TRY(b, d.mm_w_batch = 3, LF_KST_BAD_SHAPE);
	TRY(b, d.mm_k = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.x_zp = 128, LF_KST_BAD_QUANT);
	TRY(ba, d.x2_zp = -129, LF_KST_BAD_QUANT);
	TRY(b, d.mm_k = LF_MM_KMAX + 1, LF_KST_LIMIT);
	TRY(b, d.mm_m = LF_MM_DIM_MAX + 1, LF_KST_LIMIT);
	TRY(b, d.mm_k++, LF_KST_BOUNDS);
	TRY(b, d.w_off = 0xffffff00u, LF_KST_BOUNDS);
	TRY(b, d.w_zp_off = l.params_bytes - 4 * 5 + 1, LF_KST_BOUNDS);
	TRY(b, d.y_off = d.x_off, LF_KST_BOUNDS);
	/* Ranges that overlap nothing else: only their own check fires. */
	TRY(b, d.y_off++, LF_KST_BOUNDS);
	TRY(b, d.y_off = 0xffffff00u, LF_KST_BOUNDS);
	TRY(b, d.x_off = 0xfffffff0u, LF_KST_BOUNDS);
	TRY(ba, d.x2_off = 0xffffff00u, LF_KST_BOUNDS);
	TRY(b, d.bias_off = l.params_bytes - 4 * 5 + 1, LF_KST_BOUNDS);
	TRY(b, d.mult_off = l.params_bytes - 4 * 5 + 1, LF_KST_BOUNDS);
	TRY(ba, d.x2_off = la.act_bytes - 2 * 20 * 5 + 1, LF_KST_BOUNDS);
	TRY(ba, d.y_off = d.x2_off + 3, LF_KST_BOUNDS); /* overlaps B */
	/* Dimensions whose product wraps 32 bits. */
	TRY(b,
	    (d.mm_batch = 65535, d.mm_w_batch = 1, d.mm_m = 65535,
	     d.mm_n = 65535),
	    LF_KST_BOUNDS);
#undef TRY
	lf_kc_free(&l);
	lf_kc_free(&la);
}

/*
 * A list stops at its first error: [ok, bad, ok] -> [OK, error, PENDING],
 * and only the first descriptor's output is written.
 */
static void test_list_stops(void)
{
	for (int which = 0; which < 2; which++) {
		struct lf_rng r;
		struct lf_kb k = {.r = &r};
		case_rng(&r, 0x5709, which);
		struct conv_p p[3];
		for (int j = 0; j < 3; j++) {
			p[j] = conv_fixed(&r, 1, 5, 6, 6, 3, 3, 3, 1, 1, 1, 1);
			CU_ASSERT_FATAL(kb_conv(&k, &p[j], UINT32_MAX) !=
					UINT32_MAX);
		}
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_CONV2D, &l);
		int32_t want = which ? LF_KST_LIMIT : LF_KST_BOUNDS;
		if (which)
			l.desc[1].ic = (uint32_t)(LF_CONV_KMAX + 1);
		else
			l.desc[1].w_off = l.params_bytes;
		lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * 3);
		memcpy(d, l.desc, sizeof(lf_desc) * 3);
		uint8_t *act = lf_kc_xmalloc(l.act_bytes);
		memcpy(act, l.act, l.act_bytes);
		lfk_conv2d(lf_desc_words(d), 3, LF_KC_P(l.params),
			   l.params_bytes, LF_KC_A(act), l.act_bytes);
		CU_ASSERT_EQUAL(d[0].status, LF_KST_OK);
		CU_ASSERT_EQUAL(d[1].status, want);
		CU_ASSERT_EQUAL(d[2].status, LF_KST_PENDING);
		/* desc 0's output as the reference says, the rest untouched */
		uint32_t y0 = l.desc[0].y_off;
		uint32_t n0 =
		    3 * 6 * 6 * (l.desc[0].y_type == LF_KDT_I32 ? 4 : 1);
		CU_ASSERT(memcmp(act + y0, l.expect + y0, n0) == 0);
		CU_ASSERT(memcmp(act, l.act, y0) == 0);
		CU_ASSERT(memcmp(act + y0 + n0, l.act + y0 + n0,
				 l.act_bytes - y0 - n0) == 0);
		free(d);
		free(act);
		lf_kc_free(&l);
	}
}

/* The cycle model: per thread, reset to 0, grows with the layer. */
static void test_cycles(void)
{
	struct lf_rng r;
	struct lf_kb k1 = {.r = &r}, k2 = {.r = &r};
	case_rng(&r, 0xcc, 0);
	struct conv_p small = conv_fixed(&r, 1, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1);
	struct conv_p large =
	    conv_fixed(&r, 1, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1);
	CU_ASSERT_FATAL(kb_conv(&k1, &small, UINT32_MAX) != UINT32_MAX);
	CU_ASSERT_FATAL(kb_conv(&k2, &large, UINT32_MAX) != UINT32_MAX);
	struct lf_kc_launch l1, l2;
	lf_kb_finish(&k1, LF_KOP_CONV2D, &l1);
	lf_kb_finish(&k2, LF_KOP_CONV2D, &l2);

	lfk_cycles_reset();
	CU_ASSERT_EQUAL(lfk_cycles_get(), 0);
	CU_ASSERT_EQUAL(run_check(&l1, 0xcc, 0), 0);
	lf_u64 c1 = lfk_cycles_get();
	lfk_cycles_reset();
	CU_ASSERT_EQUAL(run_check(&l2, 0xcc, 1), 0);
	lf_u64 c2 = lfk_cycles_get();
	CU_ASSERT(c1 > 0);
	/* 64x the MACs: more cycles, but no faster than the PE array allows
	 * and not absurdly slower either. */
	double macs = 64.0 * 16 * 16 * 64 * 9;
	CU_ASSERT(c2 > 4 * c1);
	CU_ASSERT((double)c2 >= macs / (LF_CONV_PE_OC * LF_CONV_PE_K));
	CU_ASSERT((double)c2 < 4 * macs);
	lf_kc_free(&l1);
	lf_kc_free(&l2);
}

/* Calls and iterations loop @id counted since the last reset. */
static void pipe_is(lf_u32 id, lf_u64 calls, lf_u64 iters)
{
	struct lfk_pipe_stat st;
	CU_ASSERT_FATAL(lfk_pipe_stats(id, &st));
	if (st.calls != calls || st.iters != iters)
		fprintf(stderr,
			"\n%s: %llu calls, %llu iterations; want %llu, "
			"%llu\n",
			lfk_pipe_name(id), (unsigned long long)st.calls,
			(unsigned long long)st.iters, (unsigned long long)calls,
			(unsigned long long)iters);
	CU_ASSERT_EQUAL(st.calls, calls);
	CU_ASSERT_EQUAL(st.iters, iters);
}

/*
 * The counted pipelines: each loop of one small conv counts its own
 * invocations and iterations, and the total is the lf_pipes.h formula,
 * checked against arithmetic done by hand for the default parameters.
 */
static void test_cycles_counted(void)
{
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xcd, 0);
	struct conv_p p = conv_fixed(&r, 1, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1);
	quant_pick(&r, &p.q, 0, 1); /* 8-bit output */
	p.q.per_ch = 1;		    /* 8 w_zp entries */
	p.q.mmode = 1;
	CU_ASSERT_FATAL(kb_conv(&k, &p, UINT32_MAX) != UINT32_MAX);
	struct lf_kc_launch l;
	lf_kb_finish(&k, LF_KOP_CONV2D, &l);
	lfk_cycles_reset();
	CU_ASSERT_EQUAL(run_check(&l, 0xcd, 0), 0);
	lf_u64 c = lfk_cycles_get();
	/*
	 * 8 -> 8 channels, 8x8, 3x3 pad 1: icv 1, kvec 9, 72 weight bytes
	 * per channel, one tile of 8 columns per output row (tcols 10), one
	 * output-channel tile of nv = 8.
	 */
	pipe_is(LFP_conv_wzp_chk, 1, 8);
	pipe_is(LFP_conv_qparams, 1, LF_CONV_PE_OC);
	pipe_is(LFP_conv_wfill, 1, 9);
	pipe_is(LFP_conv_load_w, 8, 8 * 72);
	/* per row: 3 window rows x 1 channel vector x 1 column chunk */
	pipe_is(LFP_conv_load_x, 8 * 3, 8 * 3 * 8);
	pipe_is(LFP_conv_cturn, 8 * 3, 8 * 3 * 10);
	pipe_is(LFP_conv_mac, 8, 8 * 8 * 9);
	pipe_is(LFP_conv_store8, 8 * 8, 8 * 8 * 8);
	pipe_is(LFP_conv_store32, 0, 0);
#if LF_CONV_PE_OC == 16 && LF_CONV_PE_K == 16 && LF_CONV_BEAT == 64 &&         \
    LF_LAT_MEM == 64 && LF_DEPTH_LD == 2 && LF_DEPTH_MAC == 8 &&               \
    LF_DEPTH_RQ == 12 && LF_DESC_CYCLES == 136 && LF_AXI_BURST == 64 &&        \
    LF_AXI_OUTSTANDING == 16
	/*
	 * lat_mem (64) if it reads + depth + max(II * (trips - 1), memory),
	 * memory = per direction max(beats, transactions * 64 / 16) (no bank
	 * figures set: the port alone); bursts of up to 64 beats where the
	 * entry says seq, else one transaction per byte:
	 *   descriptor: desc_fetch 64 word reads in 1 burst,
	 *                 64 + 2 + max(63, 64) = 130; + 136          =  266
	 *   conv_wzp_chk  8 trips, II 4, 32 beats in 1 burst:
	 *                 max(28, max(32, 4)) = 32; 64 + 2 + 32      =   98
	 *   conv_qparams  16 trips, II 12, 192 single reads:
	 *                 max(180, 192 * 4 = 768); 64 + 2 + 768      =  834
	 *   conv_wfill    9 trips: 2 + 8                             =   10
	 *   conv_load_w   8 x (72 trips, 72 beats in 2 bursts):
	 *                 max(71, max(72, 8)) = 72; 8 * (64 + 2 + 72) = 1104
	 *   per output row (8 rows):
	 *     conv_load_x 3 x (8 trips, II 64, 512 single reads):
	 *                 max(448, 2048); 3 * (64 + 2 + 2048)       = 6342
	 *     conv_cturn  3 x 10 trips: 3 * (2 + 9)                  =   33
	 *     conv_mac    72 trips: 8 + 71                           =   79
	 *     conv_store8 8 x (8 trips, 8 beats in 1 burst, no read
	 *                 latency): 8 * (12 + max(7, 8))             =  160
	 *     row: 6614; 8 rows: 52912
	 *   total: 266 + 98 + 834 + 10 + 1104 + 52912 = 55224
	 */
	CU_ASSERT_EQUAL(c, 55224);
	struct lfk_pipe_stat st;
	CU_ASSERT(lfk_pipe_stats(LFP_conv_load_x, &st));
	/* (2048 - 448) per invocation, 24 invocations */
	CU_ASSERT_EQUAL(st.mem_stall, 24 * 1600);
#endif
	lf_kc_free(&l);
}

/* --- the checksum op (LF_KOP_CSUM, lfk_engine) --------------------------- */

/* A checksum descriptor over [off, off + len) of act, its digest at list
 * word @yw. */
static lf_desc csum_desc(uint32_t off, uint32_t len, uint32_t yw)
{
	lf_desc d;
	memset(&d, 0, sizeof(d));
	d.magic = LF_DESC_MAGIC;
	d.op = LF_KOP_CSUM;
	d.x_off = off;
	d.csum_len = len;
	d.y_off = yw;
	return d;
}

/* The list's words other than the status words and the digests (words
 * @yw .. + 3 and @yw2 .. + 3) are as @want's. */
static int list_kept(const lf_desc *got, const lf_desc *want, uint32_t n,
		     uint32_t yw, uint32_t yw2)
{
	const uint32_t *g = (const uint32_t *)(const void *)got;
	const uint32_t *w = (const uint32_t *)(const void *)want;
	for (uint32_t i = 0; i < n * LF_DESC_WORDS; i++) {
		if (i % LF_DESC_WORDS == 3 || (i >= yw && i < yw + 4) ||
		    (i >= yw2 && i < yw2 + 4))
			continue;
		if (g[i] != w[i])
			return 0;
	}
	return 1;
}

/*
 * Random ranges (any start, unaligned lengths, empty, up to the whole of
 * act) through lfk_engine against csum_ref, two a list, each digest in
 * the second descriptor's words 4-7 and 8-11; act untouched, the rest of
 * the list too; a byte flipped inside the range changes the digest, one
 * outside does not.
 */
static void test_csum(void)
{
	struct lf_rng r;
	lf_rng_seed(&r, 0xc5c5);
	const uint32_t ab = 64 * 300; /* act: 300 beats */
	uint8_t *act = lf_kc_xmalloc(ab), *orig = lf_kc_xmalloc(ab);
	for (uint32_t i = 0; i < ab; i++)
		act[i] = (uint8_t)lf_rng_u32(&r);
	memcpy(orig, act, ab);
	int bad = 0;
	for (int c = 0; c < 300; c++) {
		uint32_t off[2], len[2];
		for (int j = 0; j < 2; j++) {
			int kind = lf_rng_range(&r, 0, 4);
			off[j] = (uint32_t)lf_rng_range(&r, 0, (int)ab - 1);
			uint32_t room = ab - off[j];
			len[j] = kind == 0 ? 0
				 : kind == 1
				     ? (uint32_t)lf_rng_range(&r, 1, 130)
				 : kind == 2
				     ? room
				     : (uint32_t)lf_rng_range(&r, 1, (int)room);
			if (len[j] > room)
				len[j] = room;
			if (c == 0 && j == 0) {
				off[0] = 0;
				len[0] = ab; /* the whole of act */
			}
		}
		lf_desc d[2] = {csum_desc(off[0], len[0], 64 + 4),
				csum_desc(off[1], len[1], 64 + 8)};
		lf_desc keep[2] = {d[0], d[1]};
		lfk_engine(lf_desc_words(d), 2, LF_KC_P(act), 64, LF_KC_A(act),
			   ab);
		uint32_t want[2][4];
		csum_ref(act, off[0], len[0], want[0]);
		csum_ref(act, off[1], len[1], want[1]);
		const uint32_t *w = lf_desc_words(d);
		if (d[0].status != LF_KST_OK || d[1].status != LF_KST_OK ||
		    memcmp(w + 64 + 4, want[0], 16) != 0 ||
		    memcmp(w + 64 + 8, want[1], 16) != 0 ||
		    !list_kept(d, keep, 2, 64 + 4, 64 + 8) ||
		    memcmp(act, orig, ab) != 0) {
			if (!bad++)
				fprintf(stderr,
					"\ncsum case %d: [%u, +%u) [%u, +%u): "
					"status %d %d\n",
					c, off[0], len[0], off[1], len[1],
					d[0].status, d[1].status);
		}
		/* One byte flipped inside the first range: another digest;
		 * outside both: the same. */
		if (len[0]) {
			uint32_t at = off[0] + (uint32_t)lf_rng_range(
						   &r, 0, (int)len[0] - 1);
			act[at] ^= 0xff;
			lf_desc e = csum_desc(off[0], len[0], 4);
			lfk_engine(lf_desc_words(&e), 1, LF_KC_P(act), 64,
				   LF_KC_A(act), ab);
			if (e.status != LF_KST_OK ||
			    memcmp(lf_desc_words(&e) + 4, want[0], 16) == 0)
				bad++;
			act[at] ^= 0xff;
		}
		if (off[0] > 0) {
			act[off[0] - 1] ^= 0x5a;
			lf_desc e = csum_desc(off[0], len[0], 4);
			lfk_engine(lf_desc_words(&e), 1, LF_KC_P(act), 64,
				   LF_KC_A(act), ab);
			if (e.status != LF_KST_OK ||
			    memcmp(lf_desc_words(&e) + 4, want[0], 16) != 0)
				bad++;
			act[off[0] - 1] ^= 0x5a;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(act);
	free(orig);
}

/*
 * The checksum's checks, each before anything is read or written: the
 * range's beats past act, the digest past the list, a flag, a bad magic;
 * the descriptor's status names it, the next stays PENDING, nothing in
 * the list or act changes; the other kernels refuse the op.
 */
static void test_csum_errors(void)
{
	/* act 1000 bytes: its last whole beat ends at 960 */
	const uint32_t ab = 1000;
	uint8_t act[1000], orig[1000];
	for (uint32_t i = 0; i < ab; i++)
		act[i] = (uint8_t)(i * 7 + 3);
	memcpy(orig, act, ab);
	struct {
		uint32_t off, len, yw, flags, magic;
		int32_t st;
	} c[] = {
	    {0, 960, 64, 0, LF_DESC_MAGIC, LF_KST_OK},
	    {900, 60, 64, 0, LF_DESC_MAGIC, LF_KST_OK},
	    {900, 61, 64, 0, LF_DESC_MAGIC, LF_KST_BOUNDS}, /* beat 15 */
	    {999, 1, 64, 0, LF_DESC_MAGIC, LF_KST_BOUNDS},  /* in act */
	    {2000, 0, 64, 0, LF_DESC_MAGIC, LF_KST_OK},	    /* empty */
	    {0, 0xffffffffu, 64, 0, LF_DESC_MAGIC, LF_KST_BOUNDS},
	    {0xffffffc0u, 64, 64, 0, LF_DESC_MAGIC, LF_KST_BOUNDS},
	    {0, 64, 124, 0, LF_DESC_MAGIC, LF_KST_OK},	   /* words 124-127 */
	    {0, 64, 125, 0, LF_DESC_MAGIC, LF_KST_BOUNDS}, /* word 128 */
	    {0, 64, 0xfffffffeu, 0, LF_DESC_MAGIC, LF_KST_BOUNDS},
	    {0, 64, 64, LF_DF_BLK, LF_DESC_MAGIC, LF_KST_BAD_OP},
	    {0, 64, 64, 0, 0x12345678u, LF_KST_BAD_MAGIC},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* words 124 .. 127 are the last four of descriptor 1, word
		 * 128 past the 2-descriptor list */
		lf_desc d[2] = {csum_desc(c[i].off, c[i].len, c[i].yw),
				csum_desc(0, 64, 64 + 4)};
		d[0].flags = c[i].flags;
		d[0].magic = c[i].magic;
		lf_desc keep[2] = {d[0], d[1]};
		lfk_engine(lf_desc_words(d), 2, LF_KC_P(act), 64, LF_KC_A(act),
			   ab);
		if (d[0].status != c[i].st)
			fprintf(stderr, "\ncsum error case %zu: status %d\n", i,
				d[0].status);
		CU_ASSERT_EQUAL(d[0].status, c[i].st);
		CU_ASSERT(memcmp(act, orig, ab) == 0);
		if (c[i].st != LF_KST_OK) {
			CU_ASSERT_EQUAL(d[1].status, LF_KST_PENDING);
			CU_ASSERT(list_kept(d, keep, 2, 0, 0));
		}
	}
	/* lfk_add and lfk_pool do not run it */
	lf_desc d = csum_desc(0, 64, 4);
	lfk_add(lf_desc_words(&d), 1, LF_KC_P(act), 64, LF_KC_A(act), ab);
	CU_ASSERT_EQUAL(d.status, LF_KST_BAD_OP);
	d = csum_desc(0, 64, 4);
	lfk_pool(lf_desc_words(&d), 1, LF_KC_P(act), 64, LF_KC_A(act), ab);
	CU_ASSERT_EQUAL(d.status, LF_KST_BAD_OP);
}

/* The checksum's cycles: its loops' counts, and by hand. */
static void test_csum_cycles(void)
{
	uint8_t *act = lf_kc_xmalloc(64 * 128);
	memset(act, 0x11, 64 * 128);
	/* bytes 10 .. 6409: beats 0 .. 100, 101 of them */
	lf_desc d = csum_desc(10, 6400, 4);
	lfk_cycles_reset();
	lfk_engine(lf_desc_words(&d), 1, LF_KC_P(act), 64, LF_KC_A(act),
		   64 * 128);
	lf_u64 c = lfk_cycles_get();
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	pipe_is(LFP_csum_beats, 1, 101);
	pipe_is(LFP_csum_fold, 1, 32);
#if LF_LAT_MEM == 64 && LF_DEPTH_LD == 2 && LF_DESC_CYCLES == 136 &&           \
    LF_AXI_BURST == 64 && LF_AXI_OUTSTANDING == 16
	/*
	 *   descriptor: desc_fetch 64 + 2 + max(63, 64) = 130; + 136  =  266
	 *   csum_beats  101 trips, 101 beats in 2 bursts:
	 *               64 + 2 + max(100, max(101, 8)) = 167           =  167
	 *   csum_fold   32 trips, on chip: 2 + 31                      =   33
	 *   the digest's 4 word writes                                 =    4
	 *   total                                                        470
	 */
	CU_ASSERT_EQUAL(c, 470);
#endif
	free(act);
}

void lf_test_suite_kernels(void)
{
	static const struct lf_test_case cases[] = {
	    {"conv_sweep", test_conv_sweep},
	    {"matmul_sweep", test_matmul_sweep},
	    {"conv_chain", test_conv_chain},
	    {"matmul_chain", test_matmul_chain},
	    {"conv_large", test_conv_large},
	    {"matmul_large", test_matmul_large},
	    {"round_ties", test_round_ties},
	    {"requant_special", test_requant_special},
	    {"conv_xbuf_edge", test_conv_xbuf_edge},
	    {"conv_errors", test_conv_errors},
	    {"conv_lut", test_conv_lut},
	    {"conv_lut_errors", test_conv_lut_errors},
	    {"matmul_errors", test_matmul_errors},
	    {"list_stops", test_list_stops},
	    {"cycles", test_cycles},
	    {"cycles_counted", test_cycles_counted},
	    {"csum", test_csum},
	    {"csum_errors", test_csum_errors},
	    {"csum_cycles", test_csum_cycles},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels", NULL, NULL, cases);
}
