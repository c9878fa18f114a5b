/*
 * test_kernels_pool.c - the host-C build of lfk_pool, lfk_add and
 * lfk_engine against the CPU reference (hostlib/cpu/ref.h), byte for byte:
 * seeded sweeps of pooling layers (pads, strides, dilations, ceil_mode
 * output sizes, count_include_pad, global averages) and of QLinearAdd
 * (scales and zero points over the range, broadcasts, exact ties and the
 * pairs where only a fused multiply-add gives ORT's byte), engine chains
 * mixing all four ops in one launch, every LF_KST_* error, the cycle
 * model.
 *
 * A failure prints the seed, the case index and the layers; LF_TEST_SEED=<n>
 * reruns the sweeps with another base seed.
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
#include "unit/kernel_cases.h"
#include "unit/kernel_pool_cases.h"
#include "unit/test_emu.h"

#define NONE UINT32_MAX

/* The launch builder (struct lf_kb) is test_kernels.c's, see kernel_cases.h. */

static lf_desc *lb_desc(struct lf_kb *k, uint32_t op)
{
	if (k->nd >= LF_KB_MAX_DESC) {
		fprintf(stderr, "test_kernels_pool: too many descriptors\n");
		abort();
	}
	lf_desc *d = &k->desc[k->nd++];
	memset(d, 0, sizeof *d);
	d->magic = LF_DESC_MAGIC;
	d->op = op;
	d->status = LF_KST_PENDING;
	/* Fields an op does not read hold garbage: it must not matter. */
	d->w_off = d->bias_off = d->w_zp_off = d->mult_off = 0xfffffff0u;
	d->x2_off = 0xfffffff0u;
	d->oc = 0xdead;
	d->groups = 0xbeef;
	return d;
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

/* Log-uniform in [lo, hi]. */
static float log_uniform(struct lf_rng *r, double lo, double hi)
{
	return (float)exp(log(lo) + rnd01(r) * (log(hi) - log(lo)));
}

/* A power of two 2^[lo, hi]: exact ratios, so averages and sums tie. */
static float pow2(struct lf_rng *r, int lo, int hi)
{
	return (float)ldexp(1.0, lf_rng_range(r, lo, hi));
}

/* The output clamp: the type's range, a fused Relu, or a Clip. */
static void pick_clamp(struct lf_rng *r, int t, int32_t y_zp, int32_t *lo,
		       int32_t *hi)
{
	int c = lf_rng_range(r, 0, 9);
	*lo = tmin(t);
	*hi = tmax(t);
	if (c == 7) {
		*lo = y_zp;
	} else if (c >= 8) {
		int32_t a = lf_rng_range(r, tmin(t), tmax(t));
		int32_t b = lf_rng_range(r, tmin(t), tmax(t));
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
	}
}

static void clamp_bytes(int t, uint8_t *y, size_t n, int32_t lo, int32_t hi)
{
	for (size_t i = 0; i < n; i++) {
		int32_t v = t == LF_KDT_U8 ? y[i] : (int8_t)y[i];
		v = v < lo ? lo : (v > hi ? hi : v);
		y[i] = (uint8_t)v;
	}
}

static void fill_random(struct lf_rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)lf_rng_u32(r);
}

static const char *tname(int t)
{
	return t == LF_KDT_U8 ? "u8" : "i8";
}

/* --- activations --------------------------------------------------------- */

/* A tensor in act, [n][c][h][w], with its quantization. */
struct act_t {
	uint32_t off;
	int n, c, h, w;
	int t;
	int32_t zp;
	float scale;
};

static size_t act_count(const struct act_t *a)
{
	return (size_t)a->n * a->c * a->h * a->w;
}

/* Its expected bytes (a copy: the blob may move). */
static uint8_t *act_bytes_of(const struct lf_kb *k, const struct act_t *a)
{
	size_t n = act_count(a);
	uint8_t *p = lf_kc_xmalloc(n);
	memcpy(p, k->expect.p + a->off, n);
	return p;
}

static struct act_t lb_new_input(struct lf_kb *k, int n, int c, int h, int w,
				 int t)
{
	struct act_t a = {0,
			  n,
			  c,
			  h,
			  w,
			  t,
			  lf_kc_pick_zp(k->r, t),
			  log_uniform(k->r, 1e-3, 1.0)};
	size_t cnt = act_count(&a);
	uint8_t *x = lf_kc_xmalloc(cnt);
	fill_random(k->r, x, cnt);
	a.off = lf_kb_input(k, x, cnt);
	free(x);
	return a;
}

/* --- pooling ----------------------------------------------------------- */

struct pool_p {
	int op; /* LF_KOP_MAXPOOL / LF_KOP_AVGPOOL */
	int kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
	int ceil, cpad;
	int oh, ow;
	float ys;
	int32_t yzp, lo, hi;
};

static int floor_dim(int in, int pa, int pb, int k, int dil, int s, int up)
{
	int num = in + pa + pb - ((k - 1) * dil + 1);
	if (num < 0)
		return 0;
	return (up ? (num + s - 1) / s : num / s) + 1;
}

/*
 * ResNet's max pool shape: 3x3, stride s, pad 1 on every side, over an
 * h x w input of type t (floor or ceil_mode output size), no clamp.
 */
static struct pool_p pool_3x3(int s, int h, int w, int ceil, int t)
{
	struct pool_p p = {.op = LF_KOP_MAXPOOL,
			   .kh = 3,
			   .kw = 3,
			   .sh = s,
			   .sw = s,
			   .pt = 1,
			   .pl = 1,
			   .pb = 1,
			   .pr = 1,
			   .dh = 1,
			   .dw = 1,
			   .ceil = ceil};
	p.oh = floor_dim(h, 1, 1, 3, 1, s, ceil);
	p.ow = floor_dim(w, 1, 1, 3, 1, s, ceil);
	p.lo = tmin(t);
	p.hi = tmax(t);
	return p;
}

/* A global average over h x w, output scale ys and zero point yzp. */
static struct pool_p pool_gap(int h, int w, float ys, int32_t yzp, int t)
{
	struct pool_p p = {.op = LF_KOP_AVGPOOL,
			   .kh = h,
			   .kw = w,
			   .sh = 1,
			   .sw = 1,
			   .dh = 1,
			   .dw = 1,
			   .oh = 1,
			   .ow = 1,
			   .ys = ys,
			   .yzp = yzp};
	p.lo = tmin(t);
	p.hi = tmax(t);
	return p;
}

/*
 * A random window over x: mode 0-5 windowed with pads < kernel (output
 * sizes from lf__ref_pool_plan, floor or ceil_mode), 6-7 the global
 * average (kernel = image, no pads), 8 a kernel as large as the image but
 * padded, 9 pads as large as the kernel (windows wholly in the padding).
 */
static void pool_pick(struct lf_rng *r, const struct act_t *x, int op,
		      struct pool_p *p)
{
	memset(p, 0, sizeof *p);
	p->op = op;
	int mode = lf_rng_range(r, 0, 9);
	int avg = op == LF_KOP_AVGPOOL;
	int global = avg && (mode == 6 || mode == 7);
	p->dh = p->dw = 1;
	if (!avg && lf_rng_range(r, 0, 3) == 0) {
		p->dh = lf_rng_range(r, 1, 3);
		p->dw = lf_rng_range(r, 1, 3);
	}
	p->sh = lf_rng_range(r, 1, 3);
	p->sw = lf_rng_range(r, 1, 3);
	p->ceil = lf_rng_range(r, 0, 1);
	p->cpad = avg && lf_rng_range(r, 0, 1);
	if (global) {
		p->kh = x->h;
		p->kw = x->w;
		p->oh = p->ow = 1;
	} else if (mode == 8) {
		p->kh = x->h;
		p->kw = x->w;
		p->pt = lf_rng_range(r, 0, 2);
		p->pl = lf_rng_range(r, 0, 2);
		p->pb = lf_rng_range(r, p->pt || p->pl ? 0 : 1, 2);
		p->pr = lf_rng_range(r, 0, 2);
		p->dh = p->dw = 1;
	} else {
		int kmax = mode == 9 ? 3 : 5;
		p->kh = lf_rng_range(r, 1, kmax);
		p->kw = lf_rng_range(r, 1, kmax);
		int lim_h = mode == 9 ? p->kh + 1 : p->kh - 1;
		int lim_w = mode == 9 ? p->kw + 1 : p->kw - 1;
		p->pt = lf_rng_range(r, 0, lim_h);
		p->pb = lf_rng_range(r, 0, lim_h);
		p->pl = lf_rng_range(r, 0, lim_w);
		p->pr = lf_rng_range(r, 0, lim_w);
		/* The window fits the padded input. */
		while ((p->kh - 1) * p->dh + 1 > x->h + p->pt + p->pb)
			p->pb++;
		while ((p->kw - 1) * p->dw + 1 > x->w + p->pl + p->pr)
			p->pr++;
	}
	if (!global) {
		p->oh =
		    floor_dim(x->h, p->pt, p->pb, p->kh, p->dh, p->sh, p->ceil);
		p->ow =
		    floor_dim(x->w, p->pl, p->pr, p->kw, p->dw, p->sw, p->ceil);
	}
	/* Averages: ties often (power-of-two scales), else any ratio. */
	if (lf_rng_range(r, 0, 2) == 0)
		p->ys = x->scale * pow2(r, -2, 2);
	else
		p->ys = x->scale * log_uniform(r, 0.05, 20.0);
	p->yzp = lf_kc_pick_zp(r, x->t);
	pick_clamp(r, x->t, p->yzp, &p->lo, &p->hi);
	if (!avg && lf_rng_range(r, 0, 1))
		p->lo = tmin(x->t), p->hi = tmax(x->t);
}

/*
 * Adds a pooling descriptor reading x. Returns its output, or off = NONE
 * if the reference refused (*refused gets the reference's status).
 */
static struct act_t lb_pool(struct lf_kb *k, const struct act_t *x,
			    const struct pool_p *p, lf_status *refused)
{
	struct act_t y = {NONE,	 x->n, x->c,  p->oh,
			  p->ow, x->t, x->zp, x->scale};
	int avg = p->op == LF_KOP_AVGPOOL;
	lf_kb_say(k,
		  "[%s %s n=%d c=%d %dx%d k=%dx%d s=%d,%d pad=t%d,l%d,b%d,r%d "
		  "dil=%d,%d ceil=%d cpad=%d -> %dx%d",
		  avg ? "avgpool" : "maxpool", tname(x->t), x->n, x->c, x->h,
		  x->w, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->pb, p->pr,
		  p->dh, p->dw, p->ceil, p->cpad, p->oh, p->ow);
	if (avg)
		lf_kb_say(k, " xs=%a xzp=%d ys=%a yzp=%d", x->scale, x->zp,
			  p->ys, p->yzp);
	lf_kb_say(k, " clamp=[%d,%d]] ", p->lo, p->hi);
	if (avg) {
		y.scale = p->ys;
		y.zp = p->yzp;
	}
	uint8_t *xb = act_bytes_of(k, x);
	size_t ny = act_count(&y);
	uint8_t *yb = lf_kc_xmalloc(ny);
	struct lf_ref_pool rp = {
	    .nsp = 2,
	    .n = x->n,
	    .c = x->c,
	    .in = {x->h, x->w},
	    .kernel = {p->kh, p->kw},
	    .stride = {p->sh, p->sw},
	    .dil = {p->dh, p->dw},
	    .pad_begin = {p->pt, p->pl},
	    .pad_end = {p->pb, p->pr},
	    .auto_pad = LF_REF_AUTO_PAD_NOTSET,
	    .ceil_mode = p->ceil,
	    .count_include_pad = p->cpad,
	    .out = {p->oh, p->ow},
	};
	struct lf_ref_q1 xq = {x->scale, x->zp}, yq = {p->ys, p->yzp};
	lf_status st =
	    avg ? lf__ref_qavgpool(&rp, (lf_dtype)x->t, &xq, &yq, xb, yb)
		: lf__ref_maxpool(&rp, (lf_dtype)x->t, xb, yb, NULL, 0);
	if (refused)
		*refused = st;
	if (st == LF_OK) {
		clamp_bytes(x->t, yb, ny, p->lo, p->hi);
		lf_desc *d = lb_desc(k, (uint32_t)p->op);
		d->flags = p->cpad ? LF_DF_COUNT_PAD : 0;
		d->x_type = d->y_type = (uint32_t)x->t;
		d->w_type = 7; /* not read */
		d->n = (uint32_t)x->n;
		d->ic = (uint32_t)x->c;
		d->ih = (uint32_t)x->h;
		d->iw = (uint32_t)x->w;
		d->oh = (uint32_t)p->oh;
		d->ow = (uint32_t)p->ow;
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
		d->act_min = p->lo;
		d->act_max = p->hi;
		if (avg) {
			d->x_zp = x->zp;
			d->y_zp = p->yzp;
			d->x_scale = x->scale;
			d->y_scale = p->ys;
		} else {
			/* Not read by a max pool. */
			d->x_zp = d->y_zp = 1000;
			d->x_scale = d->y_scale = -1.0f;
		}
		d->x_off = x->off;
		d->y_off = y.off = lf_kb_output(k, yb, ny);
	} else {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
	}
	free(xb);
	free(yb);
	return y;
}

/* --- add ---------------------------------------------------------------- */

/*
 * Whether ONNX Runtime swaps QLinearAdd's inputs (its Broadcaster sees A
 * as the repeated value of the innermost span): the host's decision for
 * LF_DF_SWAP, written from the rule hostlib/cpu/ref_elementwise.c
 * documents (ort_swaps there).
 */
static int ort_swaps(const struct lf_ref_shape *as,
		     const struct lf_ref_shape *bs)
{
	int ra = as->rank, rb = bs->rank;
	int rmin = ra < rb ? ra : rb;
	if (rmin == 0)
		return ra == 0 || as->dim[ra - 1] <= 1;
	for (int i = 0; i < rmin; i++) {
		int64_t da = as->dim[ra - 1 - i], db = bs->dim[rb - 1 - i];
		int64_t big = da > db ? da : db, small = da < db ? da : db;
		int64_t use = small == 0 ? small : big;
		if (use <= 1 && i + 1 < rmin)
			continue;
		return da <= 1;
	}
	return 1;
}

/* How the smaller operand broadcasts. */
enum bc {
	BC_FULL,   /* same shape */
	BC_SCALAR, /* rank 0 */
	BC_ONE,	   /* shape [1] */
	BC_CH4,	   /* [1][c][1][1] */
	BC_CH3,	   /* [c][1][1] */
	BC_NC4	   /* [n][c][1][1] (squeeze-excite) */
};

static struct lf_ref_shape bc_shape(const struct act_t *full, enum bc b)
{
	struct lf_ref_shape s = {0, {0}};
	switch (b) {
	case BC_FULL:
		s.rank = 4;
		s.dim[0] = full->n;
		s.dim[1] = full->c;
		s.dim[2] = full->h;
		s.dim[3] = full->w;
		break;
	case BC_SCALAR:
		break;
	case BC_ONE:
		s.rank = 1;
		s.dim[0] = 1;
		break;
	case BC_CH4:
		s.rank = 4;
		s.dim[0] = 1;
		s.dim[1] = full->c;
		s.dim[2] = s.dim[3] = 1;
		break;
	case BC_CH3:
		s.rank = 3;
		s.dim[0] = full->c;
		s.dim[1] = s.dim[2] = 1;
		break;
	case BC_NC4:
		s.rank = 4;
		s.dim[0] = full->n;
		s.dim[1] = full->c;
		s.dim[2] = s.dim[3] = 1;
		break;
	}
	return s;
}

static size_t bc_count(const struct act_t *full, enum bc b)
{
	if (b == BC_NC4)
		return (size_t)full->n * (size_t)full->c;
	return b == BC_FULL
		   ? act_count(full)
		   : (b == BC_CH4 || b == BC_CH3 ? (size_t)full->c : 1);
}

struct add_p {
	enum bc bc;    /* how the other operand broadcasts */
	int full_is_b; /* the full operand is ONNX input B */
	float ys;
	int32_t yzp, lo, hi;
	int mul; /* QLinearMul (LF_KOP_MUL) instead of QLinearAdd */
};

/*
 * Adds a QLinearAdd of the full tensor x and the operand o (bc_count(x,
 * p->bc) elements of x's type, at o->off with o->scale / o->zp); ONNX
 * sees A = x, B = o, or the other way round with p->full_is_b. Returns the
 * output (off = NONE if the reference refused).
 */
static struct act_t lb_add(struct lf_kb *k, const struct act_t *x,
			   const struct act_t *o, const struct add_p *p)
{
	static const char *bcn[] = {"full",	 "scalar",  "[1]",
				    "[1,c,1,1]", "[c,1,1]", "[n,c,1,1]"};
	struct act_t y = *x;
	y.off = NONE;
	y.scale = p->ys;
	y.zp = p->yzp;
	struct lf_ref_shape fs = bc_shape(x, BC_FULL), os = bc_shape(x, p->bc);
	const struct lf_ref_shape *as = p->full_is_b ? &os : &fs;
	const struct lf_ref_shape *bs = p->full_is_b ? &fs : &os;
	/* The host's mapping: the full tensor is x, the other x2; ORT's
	 * outer operand is A unless it swaps. */
	int swap = ort_swaps(as, bs);
	int x2_outer = p->mul ? 0 : p->full_is_b ? !swap : swap;
	lf_kb_say(k,
		  "[%s %s n=%d c=%d %dx%d other=%s full_is_b=%d swap=%d "
		  "xs=%a xzp=%d x2s=%a x2zp=%d ys=%a yzp=%d clamp=[%d,%d]] ",
		  p->mul ? "mul" : "add", tname(x->t), x->n, x->c, x->h, x->w,
		  bcn[p->bc], p->full_is_b, x2_outer, x->scale, x->zp, o->scale,
		  o->zp, p->ys, p->yzp, p->lo, p->hi);
	size_t ny = act_count(x), no = bc_count(x, p->bc);
	uint8_t *xb = act_bytes_of(k, x);
	uint8_t *ob = lf_kc_xmalloc(no);
	memcpy(ob, k->expect.p + o->off, no);
	uint8_t *yb = lf_kc_xmalloc(ny);
	struct lf_ref_q1 xq = {x->scale, x->zp}, oq = {o->scale, o->zp},
			 yq = {p->ys, p->yzp};
	/* The expected bytes: hostlib/cpu's QLinearAdd / QLinearMul. */
	lf_status (*ref)(lf_dtype, const struct lf_ref_shape *, const void *,
			 const struct lf_ref_q1 *, const struct lf_ref_shape *,
			 const void *, const struct lf_ref_q1 *,
			 const struct lf_ref_q1 *, void *) =
	    p->mul ? lf__ref_qmul : lf__ref_qadd;
	lf_status st =
	    p->full_is_b
		? ref((lf_dtype)x->t, as, ob, &oq, bs, xb, &xq, &yq, yb)
		: ref((lf_dtype)x->t, as, xb, &xq, bs, ob, &oq, &yq, yb);
	if (st == LF_OK) {
		clamp_bytes(x->t, yb, ny, p->lo, p->hi);
		lf_desc *d = lb_desc(k, p->mul ? LF_KOP_MUL : LF_KOP_ADD);
		d->flags =
		    (x2_outer ? LF_DF_SWAP : 0) |
		    (p->bc == BC_SCALAR || p->bc == BC_ONE ? LF_DF_X2_SCALAR
							   : 0) |
		    (p->bc == BC_CH4 || p->bc == BC_CH3 ? LF_DF_X2_PER_CH : 0) |
		    (p->bc == BC_NC4 ? LF_DF_X2_PER_NC : 0);
		d->x_type = d->y_type = (uint32_t)x->t;
		d->w_type = 9; /* not read */
		d->n = (uint32_t)x->n;
		d->ic = (uint32_t)x->c;
		d->ih = (uint32_t)x->h;
		d->iw = (uint32_t)x->w;
		d->oh = d->ow = d->kh = d->kw = 0; /* not read */
		d->x_zp = x->zp;
		d->x2_zp = o->zp;
		d->y_zp = p->yzp;
		d->x_scale = x->scale;
		d->x2_scale = o->scale;
		d->y_scale = p->ys;
		d->act_min = p->lo;
		d->act_max = p->hi;
		d->x_off = x->off;
		d->x2_off = o->off;
		d->y_off = y.off = lf_kb_output(k, yb, ny);
	} else {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
	}
	free(xb);
	free(ob);
	free(yb);
	return y;
}

/* Scales and zero points of an add: over the range, extremes, ties. */
static void add_quant(struct lf_rng *r, int t, struct act_t *x, struct act_t *o,
		      struct add_p *p)
{
	int m = lf_rng_range(r, 0, 9);
	if (m < 5) { /* anything */
		x->scale = log_uniform(r, 1e-4, 10.0);
		o->scale = log_uniform(r, 1e-4, 10.0);
		p->ys = log_uniform(r, 1e-4, 10.0);
	} else if (m < 8) { /* exact ties: half-integer sums */
		p->ys = log_uniform(r, 1e-3, 1.0);
		x->scale = p->ys * pow2(r, -2, 1);
		o->scale = p->ys * pow2(r, -2, 1);
	} else if (m == 8) { /* similar scales, the usual residual case */
		p->ys = log_uniform(r, 1e-3, 1.0);
		x->scale = p->ys * log_uniform(r, 0.3, 1.5);
		o->scale = p->ys * log_uniform(r, 0.3, 1.5);
	} else { /* huge ratios: past 2^31, where ORT's cvt gives INT32_MIN */
		p->ys = log_uniform(r, 1e-12, 1e-6);
		x->scale = log_uniform(r, 1e-3, 1e3);
		o->scale = log_uniform(r, 1e-3, 1e3);
	}
	x->zp = lf_kc_pick_zp(r, t);
	o->zp = lf_kc_pick_zp(r, t);
	p->yzp = lf_kc_pick_zp(r, t);
	pick_clamp(r, t, p->yzp, &p->lo, &p->hi);
}

/* A new operand for x with broadcast b (random data, x's type). */
static struct act_t lb_other(struct lf_kb *k, const struct act_t *x, enum bc b)
{
	struct act_t o = *x;
	size_t n = bc_count(x, b);
	uint8_t *p = lf_kc_xmalloc(n);
	fill_random(k->r, p, n);
	o.off = lf_kb_input(k, p, n);
	free(p);
	return o;
}

/* --- conv and matmul, for the chains ---------------------------------- */

/*
 * A conv over x: oc output channels, a square kernel, pads of kh / 2,
 * stride s, groups 1 or depthwise; per-channel weights, bias; an 8-bit
 * output of type yt with a fused Relu sometimes.
 */
static struct act_t lb_conv(struct lf_kb *k, const struct act_t *x, int oc,
			    int kk, int s, int depthwise, int yt)
{
	struct lf_rng *r = k->r;
	int groups = depthwise ? x->c : 1;
	if (depthwise)
		oc = x->c;
	int icg = x->c / groups, pad = kk / 2;
	int oh = lf__ref_out_dim(x->h, kk, s, pad, pad, 1);
	int ow = lf__ref_out_dim(x->w, kk, s, pad, pad, 1);
	struct act_t y = {NONE,
			  x->n,
			  oc,
			  oh,
			  ow,
			  yt,
			  lf_kc_pick_zp(r, yt),
			  log_uniform(r, 1e-3, 0.5)};
	int wt = lf_rng_range(r, 0, 1);
	size_t nw = (size_t)oc * icg * kk * kk, ny = act_count(&y);
	uint8_t *w = lf_kc_xmalloc(nw), *yb = lf_kc_xmalloc(ny);
	int32_t *w_zp = lf_kc_xmalloc(sizeof(int32_t) * (size_t)oc);
	int32_t *bias = lf_kc_xmalloc(sizeof(int32_t) * (size_t)oc);
	float *w_scale = lf_kc_xmalloc(sizeof(float) * (size_t)oc);
	float *mult = lf_kc_xmalloc(sizeof(float) * (size_t)oc);
	fill_random(r, w, nw);
	for (int c = 0; c < oc; c++) {
		w_zp[c] = lf_kc_pick_zp(r, wt);
		bias[c] = lf_rng_range(r, -20000, 20000);
		/* Outputs mostly inside the range. */
		double target = 1.0 / (sqrt((double)icg * kk * kk) * 120.0) *
				log_uniform(r, 0.5, 2.0);
		w_scale[c] = (float)(target * y.scale / x->scale);
		mult[c] = (x->scale * w_scale[c]) / y.scale;
	}
	int32_t lo = tmin(yt), hi = tmax(yt);
	if (lf_rng_range(r, 0, 3) == 0)
		lo = y.zp;
	uint8_t *xb = act_bytes_of(k, x);
	struct lf_ref_qconv rq = {
	    .x_type = (lf_dtype)x->t,
	    .w_type = (lf_dtype)wt,
	    .y_type = (lf_dtype)yt,
	    .n = x->n,
	    .ic = x->c,
	    .ih = x->h,
	    .iw = x->w,
	    .oc = oc,
	    .kh = kk,
	    .kw = kk,
	    .stride_h = s,
	    .stride_w = s,
	    .pad_t = pad,
	    .pad_l = pad,
	    .pad_b = pad,
	    .pad_r = pad,
	    .dil_h = 1,
	    .dil_w = 1,
	    .groups = groups,
	    .x_zp = x->zp,
	    .y_zp = y.zp,
	    .w_zp = w_zp,
	    .w_zp_count = oc,
	    .x_scale = x->scale,
	    .y_scale = y.scale,
	    .w_scale = w_scale,
	    .w_scale_count = oc,
	    .bias = bias,
	    .act_min = lo,
	    .act_max = hi,
	};
	lf_kb_say(k, "[conv %s->%s n=%d %d->%d %dx%d k=%d s=%d groups=%d] ",
		  tname(x->t), tname(yt), x->n, x->c, oc, x->h, x->w, kk, s,
		  groups);
	lf_status st = lf__ref_qconv2d(&rq, xb, w, yb);
	if (st == LF_OK) {
		lf_desc *d = lb_desc(k, LF_KOP_CONV2D);
		d->flags = LF_DF_BIAS | LF_DF_W_PER_CH;
		d->x_type = (uint32_t)x->t;
		d->w_type = (uint32_t)wt;
		d->y_type = (uint32_t)yt;
		d->n = (uint32_t)x->n;
		d->ic = (uint32_t)x->c;
		d->ih = (uint32_t)x->h;
		d->iw = (uint32_t)x->w;
		d->oc = (uint32_t)oc;
		d->oh = (uint32_t)oh;
		d->ow = (uint32_t)ow;
		d->groups = (uint32_t)groups;
		d->kh = d->kw = (uint32_t)kk;
		d->stride_h = d->stride_w = (uint32_t)s;
		d->pad_t = d->pad_l = d->pad_b = d->pad_r = (uint32_t)pad;
		d->dil_h = d->dil_w = 1;
		d->x_zp = x->zp;
		d->y_zp = y.zp;
		d->act_min = lo;
		d->act_max = hi;
		d->w_off = lf_kb_param(k, w, nw);
		d->bias_off =
		    lf_kb_param(k, bias, sizeof(int32_t) * (size_t)oc);
		d->w_zp_off =
		    lf_kb_param(k, w_zp, sizeof(int32_t) * (size_t)oc);
		d->mult_off = lf_kb_param(k, mult, sizeof(float) * (size_t)oc);
		d->x_off = x->off;
		d->y_off = y.off = lf_kb_output(k, yb, ny);
	} else {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
	}
	free(xb);
	free(w);
	free(yb);
	free(w_zp);
	free(bias);
	free(w_scale);
	free(mult);
	return y;
}

/*
 * A matmul reading x as A[batch = n][m = c][k = h * w], B[k][nout] from
 * params, per-tensor quantization; the output [n][c][1][nout].
 */
static struct act_t lb_matmul(struct lf_kb *k, const struct act_t *x, int nout,
			      int yt)
{
	struct lf_rng *r = k->r;
	int kk = x->h * x->w;
	struct act_t y = {NONE,
			  x->n,
			  x->c,
			  1,
			  nout,
			  yt,
			  lf_kc_pick_zp(r, yt),
			  log_uniform(r, 1e-3, 0.5)};
	int wt = lf_rng_range(r, 0, 1);
	size_t nb = (size_t)kk * nout, ny = act_count(&y);
	uint8_t *b = lf_kc_xmalloc(nb), *yb = lf_kc_xmalloc(ny);
	int32_t *bias = lf_kc_xmalloc(sizeof(int32_t) * (size_t)nout);
	fill_random(r, b, nb);
	for (int j = 0; j < nout; j++)
		bias[j] = lf_rng_range(r, -20000, 20000);
	int32_t w_zp = lf_kc_pick_zp(r, wt);
	float w_scale =
	    (float)(1.0 / (sqrt((double)kk) * 120.0) * y.scale / x->scale);
	float mult = (x->scale * w_scale) / y.scale;
	uint8_t *xb = act_bytes_of(k, x);
	struct lf_ref_qmatmul rq = {
	    .x_type = (lf_dtype)x->t,
	    .w_type = (lf_dtype)wt,
	    .y_type = (lf_dtype)yt,
	    .batch = x->n,
	    .m = x->c,
	    .k = kk,
	    .n = nout,
	    .w_batch = 1,
	    .x_zp = x->zp,
	    .y_zp = y.zp,
	    .w_zp = &w_zp,
	    .w_zp_count = 1,
	    .x_scale = x->scale,
	    .y_scale = y.scale,
	    .w_scale = &w_scale,
	    .w_scale_count = 1,
	    .bias = bias,
	    .act_min = tmin(yt),
	    .act_max = tmax(yt),
	};
	lf_kb_say(k, "[matmul %s->%s batch=%d m=%d k=%d n=%d] ", tname(x->t),
		  tname(yt), x->n, x->c, kk, nout);
	lf_status st = lf__ref_qmatmul(&rq, xb, b, yb);
	if (st == LF_OK) {
		lf_desc *d = lb_desc(k, LF_KOP_MATMUL);
		d->flags = LF_DF_BIAS;
		d->x_type = (uint32_t)x->t;
		d->w_type = (uint32_t)wt;
		d->y_type = (uint32_t)yt;
		d->mm_batch = (uint32_t)x->n;
		d->mm_m = (uint32_t)x->c;
		d->mm_k = (uint32_t)kk;
		d->mm_n = (uint32_t)nout;
		d->mm_w_batch = 1;
		d->x_zp = x->zp;
		d->y_zp = y.zp;
		d->act_min = tmin(yt);
		d->act_max = tmax(yt);
		d->w_off = lf_kb_param(k, b, nb);
		d->bias_off =
		    lf_kb_param(k, bias, sizeof(int32_t) * (size_t)nout);
		d->w_zp_off = lf_kb_param(k, &w_zp, sizeof w_zp);
		d->mult_off = lf_kb_param(k, &mult, sizeof mult);
		d->x_off = x->off;
		d->y_off = y.off = lf_kb_output(k, yb, ny);
	} else {
		lf_kb_say(k, "(reference: %s) ", lf_status_name(st));
	}
	free(xb);
	free(b);
	free(yb);
	free(bias);
	return y;
}

/* --- generators (shared with the OpenCL suite) ---------------------------- */

static void case_rng(struct lf_rng *r, uint64_t seed, int index)
{
	lf_rng_seed(r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)index + 1);
}

/* A random input for a pooling or add layer; now and then a wide one. */
static struct act_t random_input(struct lf_kb *k)
{
	struct lf_rng *r = k->r;
	int t = lf_rng_range(r, 0, 1);
	int n = lf_rng_range(r, 0, 3) == 0 ? 2 : 1;
	int c = lf_rng_range(r, 1, 6);
	int h = lf_rng_range(r, 1, 14), w = lf_rng_range(r, 1, 14);
	if (lf_rng_range(r, 0, 9) == 0) { /* several tiles of columns */
		c = 1;
		h = lf_rng_range(r, 1, 4);
		w = lf_rng_range(r, LF_POOL_TW_MAX, 3 * LF_POOL_TW_MAX);
	}
	return lb_new_input(k, n, c, h, w, t);
}

/* A random pool over a new input; 0, or -1 with *st if refused. */
static int random_pool(struct lf_rng *r, struct lf_kc_launch *l, lf_status *st)
{
	struct lf_kb k = {.r = r};
	struct act_t x = random_input(&k);
	struct pool_p p;
	int op = lf_rng_range(r, 0, 1) ? LF_KOP_AVGPOOL : LF_KOP_MAXPOOL;
	pool_pick(r, &x, op, &p);
	if (lb_pool(&k, &x, &p, st).off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, (uint32_t)op, l);
	return 0;
}

int lf_kpc_random_pool(struct lf_rng *r, struct lf_kc_launch *l)
{
	lf_status st;
	return random_pool(r, l, &st);
}

int lf_kpc_random_add(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = random_input(&k);
	struct add_p p = {.mul = 0};
	/* Now and then a single element, or 1x1 planes: where ORT's
	 * broadcaster swaps the inputs. */
	int shape = lf_rng_range(r, 0, 9);
	if (shape == 0)
		x.n = x.c = x.h = x.w = 1;
	else if (shape == 1)
		x.h = x.w = 1;
	int b = lf_rng_range(r, 0, 9);
	p.bc = b < 4 ? BC_FULL : (enum bc)(b < 6 ? b - 3 : (b < 8 ? 3 : 4));
	p.full_is_b = p.bc != BC_FULL && lf_rng_range(r, 0, 2) == 0;
	struct act_t o = x; /* x + x now and then: inputs may overlap */
	if (p.bc != BC_FULL || lf_rng_range(r, 0, 9) != 0)
		o = lb_other(&k, &x, p.bc);
	add_quant(r, x.t, &x, &o, &p);
	if (lb_add(&k, &x, &o, &p).off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_ADD, l);
	return 0;
}

/*
 * Scales and zero points of a mul, m = xs * x2s / ys: @mode 0 in the
 * range where the products land inside the type (255 * 255 * m between
 * 64 and 1024: the rounding of every element counts; where a fused
 * multiply-add would differ from MLAS's separate ones), 1 anything, 2 m a
 * power of two (exact .5 results: ties), 3 a squeeze-excite gate, 4 past
 * 2^31 (where MLAS's conversion gives INT32_MIN, the type's minimum);
 * -1 picks one.
 */
static void mul_quant(struct lf_rng *r, int t, struct act_t *x, struct act_t *o,
		      struct add_p *p, int mode)
{
	static const int modes[10] = {0, 0, 0, 1, 1, 2, 2, 2, 3, 4};
	int m = mode >= 0 ? mode : modes[lf_rng_range(r, 0, 9)];
	if (m == 0) { /* products inside the type */
		x->scale = log_uniform(r, 1e-3, 1.0);
		o->scale = log_uniform(r, 1e-3, 1.0);
		p->ys =
		    x->scale * o->scale *
		    log_uniform(r, 255.0 * 255.0 / 1024, 255.0 * 255.0 / 64);
	} else if (m == 1) { /* anything */
		x->scale = log_uniform(r, 1e-4, 10.0);
		o->scale = log_uniform(r, 1e-4, 10.0);
		p->ys = log_uniform(r, 1e-4, 10.0);
	} else if (m == 2) { /* m a power of two: exact .5 results */
		x->scale = pow2(r, -8, 0);
		o->scale = pow2(r, -8, 0);
		p->ys = x->scale * o->scale / pow2(r, -9, -1);
	} else if (m == 3) { /* squeeze-excite: a gate in [0, 1] */
		x->scale = log_uniform(r, 1e-3, 0.5);
		o->scale = log_uniform(r, 1.0 / 300, 1.0 / 200);
		p->ys = x->scale * log_uniform(r, 0.5, 1.5);
	} else { /* huge: m past 2^31 */
		x->scale = log_uniform(r, 1e3, 1e6);
		o->scale = log_uniform(r, 1e3, 1e6);
		p->ys = log_uniform(r, 1e-12, 1e-6);
	}
	x->zp = lf_kc_pick_zp(r, t);
	o->zp = lf_kc_pick_zp(r, t);
	p->yzp = lf_kc_pick_zp(r, t);
	pick_clamp(r, t, p->yzp, &p->lo, &p->hi);
}

int lf_kpc_random_mul(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = random_input(&k);
	struct add_p p = {.mul = 1};
	int shape = lf_rng_range(r, 0, 9);
	if (shape == 0)
		x.n = x.c = x.h = x.w = 1;
	else if (shape == 1)
		x.h = x.w = 1;
	static const enum bc bcs[] = {BC_FULL, BC_FULL, BC_SCALAR, BC_ONE,
				      BC_CH4,  BC_CH3,	BC_NC4,	   BC_NC4};
	p.bc = bcs[lf_rng_range(r, 0, 7)];
	p.full_is_b = p.bc != BC_FULL && lf_rng_range(r, 0, 2) == 0;
	struct act_t o = x; /* x * x now and then: inputs may overlap */
	if (p.bc != BC_FULL || lf_rng_range(r, 0, 9) != 0)
		o = lb_other(&k, &x, p.bc);
	mul_quant(r, x.t, &x, &o, &p, -1);
	if (lb_add(&k, &x, &o, &p).off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_MUL, l);
	return 0;
}

/*
 * Every (a, b) byte pair of the type through QLinearMul three ways, one
 * descriptor each: same shape (x [1,1,256,256] = a, x2 = b), per channel
 * (x [1,256,1,256], x2[c] = c) and per image and channel (x [2,128,1,256],
 * x2 [2,128,1,1]), for one scale / zero-point set of mul_quant() (mode 0
 * half the time).
 */
/*
 * Every (a, b) byte pair of @x's type: three descriptors (an add, or a mul
 * with @p->mul) with the quantization of @x, @o and @p, same shape, per channel
 * and per (image, channel). lf_kpc_add_pairs and lf_kpc_mul_pairs.
 */
static int all_pairs(struct lf_rng *r, struct lf_kc_launch *l,
		     const struct act_t *x, const struct act_t *o,
		     const struct add_p *p)
{
	struct lf_kb k = {.r = r};
	uint8_t *av = lf_kc_xmalloc(65536), *bv = lf_kc_xmalloc(65536);
	for (int i = 0; i < 65536; i++) {
		av[i] = (uint8_t)(i & 255);
		bv[i] = (uint8_t)(i >> 8);
	}
	static const struct {
		enum bc bc;
		int n, c, h;
	} forms[3] = {
	    {BC_FULL, 1, 1, 256}, {BC_CH4, 1, 256, 1}, {BC_NC4, 2, 128, 1}};
	int bad = 0;
	for (int f = 0; f < 3 && !bad; f++) {
		struct act_t xf = *x, of = *o;
		xf.n = forms[f].n;
		xf.c = forms[f].c;
		xf.h = forms[f].h;
		xf.off = lf_kb_input(&k, av, 65536);
		/* Same shape: b = i >> 8 against a = i & 255; broadcast:
		 * b = the channel (image * 128 + channel), a = the column. */
		if (forms[f].bc == BC_FULL) {
			of.off = lf_kb_input(&k, bv, 65536);
		} else {
			uint8_t cv[256];
			for (int c = 0; c < 256; c++)
				cv[c] = (uint8_t)c;
			of.off = lf_kb_input(&k, cv, 256);
		}
		struct add_p pf = *p;
		pf.bc = forms[f].bc;
		bad = lb_add(&k, &xf, &of, &pf).off == NONE;
	}
	free(av);
	free(bv);
	if (bad) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, p->mul ? LF_KOP_MUL : LF_KOP_ADD, l);
	return 0;
}

int lf_kpc_mul_pairs(struct lf_rng *r, struct lf_kc_launch *l)
{
	int t = lf_rng_range(r, 0, 1);
	struct act_t x = {0, 1, 1, 256, 256, t, 0, 0.0f};
	struct act_t o = x;
	struct add_p p = {.mul = 1};
	mul_quant(r, t, &x, &o, &p, lf_rng_range(r, 0, 1) ? 0 : -1);
	return all_pairs(r, l, &x, &o, &p);
}

int lf_kpc_add_pairs(struct lf_rng *r, struct lf_kc_launch *l)
{
	int t = lf_rng_range(r, 0, 1);
	struct act_t x = {0, 1, 1, 256, 256, t, 0, 0.0f};
	struct act_t o = x;
	struct add_p p = {0};
	add_quant(r, t, &x, &o, &p);
	if (lf_rng_range(r, 0, 3) == 0) { /* sx / sy past 2^24, both ways */
		p.ys = log_uniform(r, 1e-12, 1e-8);
		x.scale = log_uniform(r, 1e-2, 1e2);
		o.scale = log_uniform(r, 1e-2, 1e2);
	}
	p.full_is_b = lf_rng_range(r, 0, 1);
	return all_pairs(r, l, &x, &o, &p);
}

/* QLinearMul of one pair as MLAS (a multiply, then an add) or with the
 * two fused into one fma (what a contracting compiler would make). */
static int32_t qmul_pair(int32_t a, int32_t b, int32_t za, int32_t zb, float m,
			 int32_t zy, int t, int fused)
{
	float pr = (float)((a - za) * (b - zb)), v;
	if (fused) {
		v = fmaf(pr, m, (float)zy);
	} else {
		float t1 = pr * m;
		v = t1 + (float)zy;
	}
	float q = nearbyintf(v);
	int32_t i =
	    q >= -2147483648.0f && q < 2147483648.0f ? (int32_t)q : INT32_MIN;
	return i < tmin(t) ? tmin(t) : (i > tmax(t) ? tmax(t) : i);
}

/*
 * QLinearMuls (same shape) whose elements are the (a, b) pairs where a
 * fused multiply-add gives another byte than MLAS's separate multiply
 * and add, for random scales (mul_quant mode 0): about one scale set in
 * six has any. The kernel passes only if it keeps the two roundings.
 */
int lf_kpc_mul_fma_ties(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	int total = 0;
	for (int set = 0; set < 400 && total < 16 && k.nd < 8; set++) {
		int t = lf_rng_range(r, 0, 1);
		struct act_t x = {0, 1, 1, 1, 0, t, 0, 0.0f}, o;
		struct add_p p = {.mul = 1};
		o = x;
		mul_quant(r, t, &x, &o, &p, 0);
		float m = x.scale * o.scale / p.ys;
		uint8_t av[256], bv[256];
		int n = 0;
		for (int a = tmin(t); a <= tmax(t) && n < 256; a++)
			for (int b = tmin(t); b <= tmax(t) && n < 256; b++)
				if (qmul_pair(a, b, x.zp, o.zp, m, p.yzp, t,
					      0) != qmul_pair(a, b, x.zp, o.zp,
							      m, p.yzp, t, 1)) {
					av[n] = (uint8_t)a;
					bv[n++] = (uint8_t)b;
				}
		if (n == 0)
			continue;
		x.w = n;
		o.w = n;
		x.off = lf_kb_input(&k, av, (size_t)n);
		o.off = lf_kb_input(&k, bv, (size_t)n);
		p.bc = BC_FULL;
		p.lo = tmin(t);
		p.hi = tmax(t);
		if (lb_add(&k, &x, &o, &p).off == NONE) {
			fprintf(stderr, "generator: %s\n", k.what);
			lf_kb_abandon(&k);
			return -1;
		}
		total += n;
	}
	if (total == 0) {
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_MUL, l);
	return 0;
}

/* ORT's QLinearAdd of one pair, fused (as ORT) or with a separate
 * multiply and add (what a build without a true fma would do). */
static int32_t qadd_pair(int32_t a, int32_t b, float ra, float rb, float fixed,
			 int t, int fused)
{
	float v;
	if (fused) {
		v = fmaf((float)a, ra, fmaf((float)b, rb, fixed));
	} else {
		float t1 = (float)b * rb;
		float t2 = t1 + fixed;
		float t3 = (float)a * ra;
		v = t3 + t2;
	}
	float q = nearbyintf(v);
	int32_t i =
	    q >= -2147483648.0f && q < 2147483648.0f ? (int32_t)q : INT32_MIN;
	return i < tmin(t) ? tmin(t) : (i > tmax(t) ? tmax(t) : i);
}

/* The whole formula with (p, sp, zp) as the outer operand P. */
static int32_t qadd_order(int32_t p, float sp, int32_t zp, int32_t q, float sq,
			  int32_t zq, float sy, int32_t zy, int t)
{
	float rp = sp / sy, rq = sq / sy;
	float tq = rq * (float)zq;
	float fixed = (float)zy - fmaf(rp, (float)zp, tq);
	return qadd_pair(p, q, rp, rq, fixed, t, 1);
}

/*
 * The result lies within 2^-9 of a rounding tie: a fast filter in double
 * (exact products, one rounding), before the exact float32 checks.
 */
static int near_tie(int32_t a, int32_t b, float ra, float rb, float fixed)
{
	double v = (double)a * ra + ((double)b * rb + fixed);
	double f = v - floor(v);
	return fabs(f - 0.5) < 0x1.0p-9;
}

/*
 * Adds whose elements change when the fma order is swapped: A is
 * [1][n][1][1] and B one value, which ORT swaps (B is the outer operand),
 * so the kernel gets x = A, x2 = B and LF_DF_SWAP. About one element in
 * 500000 is sensitive. Returns the number of descriptors with LF_DF_SWAP.
 */
static int add_swap_ties(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	int total = 0, swapped = 0;
	for (int set = 0; set < 4000 && total < 8 && k.nd < 8; set++) {
		int t = lf_rng_range(r, 0, 1);
		float sy = log_uniform(r, 1e-3, 1.0);
		float sa = sy * log_uniform(r, 0.1, 10.0);
		float sb = sy * log_uniform(r, 0.1, 10.0);
		int32_t za = lf_kc_pick_zp(r, t), zb = lf_kc_pick_zp(r, t);
		int32_t zy = lf_kc_pick_zp(r, t);
		float ra = sa / sy, rb = sb / sy;
		float fixed = (float)zy - fmaf(ra, (float)za, rb * (float)zb);
		uint8_t av[256], bv = 0;
		int n = 0;
		for (int b = tmin(t); b <= tmax(t) && n == 0; b++)
			for (int a = tmin(t); a <= tmax(t); a++)
				if (near_tie(a, b, ra, rb, fixed) &&
				    qadd_order(a, sa, za, b, sb, zb, sy, zy,
					       t) != qadd_order(b, sb, zb, a,
								sa, za, sy, zy,
								t)) {
					av[n++] = (uint8_t)a;
					bv = (uint8_t)b;
				}
		if (n == 0)
			continue;
		struct act_t x = {0, 1, n, 1, 1, t, za, sa};
		struct act_t o = x;
		o.zp = zb;
		o.scale = sb;
		x.off = lf_kb_input(&k, av, (size_t)n);
		o.off = lf_kb_input(&k, &bv, 1);
		struct add_p p = {BC_SCALAR, 0, sy, zy, tmin(t), tmax(t), 0};
		if (lb_add(&k, &x, &o, &p).off == NONE) {
			lf_kb_abandon(&k);
			return -1;
		}
		swapped += (k.desc[k.nd - 1].flags & LF_DF_SWAP) != 0;
		total += n;
	}
	if (k.nd == 0) {
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KOP_ADD, l);
	return swapped;
}

int lf_kpc_add_fma_ties(struct lf_rng *r, struct lf_kc_launch *l)
{
	/* About one pair in 30000 is sensitive: try scale sets until a few
	 * dozen are found, one descriptor per set. */
	struct lf_kb k = {.r = r};
	int total = 0;
	for (int set = 0; set < 2000 && total < 24 && k.nd < 8; set++) {
		int t = lf_rng_range(r, 0, 1);
		float sa = log_uniform(r, 1e-3, 1.0);
		float sb = log_uniform(r, 1e-3, 1.0);
		float sy = log_uniform(r, 1e-3, 1.0);
		int32_t za = lf_kc_pick_zp(r, t), zb = lf_kc_pick_zp(r, t);
		int32_t zy = lf_kc_pick_zp(r, t);
		float ra = sa / sy, rb = sb / sy;
		float tb = rb * (float)zb;
		float fixed = (float)zy - fmaf(ra, (float)za, tb);
		uint8_t av[64], bv[64];
		int n = 0;
		for (int a = tmin(t); a <= tmax(t) && n < 64; a++)
			for (int b = tmin(t); b <= tmax(t) && n < 64; b++)
				if (near_tie(a, b, ra, rb, fixed) &&
				    qadd_pair(a, b, ra, rb, fixed, t, 1) !=
					qadd_pair(a, b, ra, rb, fixed, t, 0)) {
					av[n] = (uint8_t)a;
					bv[n] = (uint8_t)b;
					n++;
				}
		if (n == 0)
			continue;
		/* Two elements at least: a lone one is a case ORT swaps. */
		if (n == 1) {
			av[1] = av[0];
			bv[1] = bv[0];
			n = 2;
		}
		struct act_t x = {0, 1, 1, 1, n, t, za, sa};
		struct act_t o = x;
		o.zp = zb;
		o.scale = sb;
		x.off = lf_kb_input(&k, av, (size_t)n);
		o.off = lf_kb_input(&k, bv, (size_t)n);
		struct add_p p = {BC_FULL, 0, sy, zy, tmin(t), tmax(t), 0};
		if (lb_add(&k, &x, &o, &p).off == NONE) {
			fprintf(stderr, "generator: %s\n", k.what);
			lf_kb_abandon(&k);
			return -1;
		}
		total += n;
	}
	if (total < 8) {
		fprintf(stderr, "generator: %d fma-sensitive pairs\n", total);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_say(&k, "(%d fma-sensitive pairs) ", total);
	lf_kb_finish(&k, LF_KOP_ADD, l);
	return 0;
}

int lf_kpc_resnet_chain(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	int t = lf_rng_range(r, 0, 1);
	int n = lf_rng_range(r, 1, 2), c = lf_rng_range(r, 2, 12);
	int hw = lf_rng_range(r, 5, 14);
	struct act_t x = lb_new_input(&k, n, lf_rng_range(r, 1, 4), hw, hw, t);
	struct act_t a1 = lb_conv(&k, &x, c, 3, lf_rng_range(r, 1, 2), 0, t);
	struct pool_p mp = pool_3x3(2, a1.h, a1.w, lf_rng_range(r, 0, 1), t);
	struct act_t a2 = a1.off == NONE ? a1 : lb_pool(&k, &a1, &mp, NULL);
	struct act_t a3 = a2;
	if (a2.off != NONE)
		a3 = lb_conv(&k, &a2, c, 3, 1, lf_rng_range(r, 0, 3) == 0, t);
	struct act_t a4 = a3;
	if (a3.off != NONE) {
		struct add_p ap = {BC_FULL, 0, 0, 0, 0, 0, 0};
		ap.ys = log_uniform(r, 1e-3, 0.5);
		ap.yzp = lf_kc_pick_zp(r, t);
		ap.lo = ap.yzp; /* the residual's Relu */
		ap.hi = tmax(t);
		a4 = lb_add(&k, &a3, &a2, &ap);
	}
	struct act_t a5 = a4;
	if (a4.off != NONE) {
		float ys = a4.scale * log_uniform(r, 0.25, 1.0);
		struct pool_p gp =
		    pool_gap(a4.h, a4.w, ys, lf_kc_pick_zp(r, t), t);
		a5 = lb_pool(&k, &a4, &gp, NULL);
	}
	if (a5.off != NONE) {
		/* [n][c][1][1] is A[1][n][c] of the classifier. */
		struct act_t fc = a5;
		fc.n = 1;
		fc.c = a5.n;
		fc.w = a5.c;
		a5 = lb_matmul(&k, &fc, lf_rng_range(r, 1, 20),
			       lf_rng_range(r, 0, 1));
	}
	if (a5.off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	lf_kb_finish(&k, LF_KPC_ENGINE, l);
	return 0;
}

/*
 * A random chain of 4..8 layers, each reading the previous output: any of
 * conv, max / average / global pool, add (of an earlier activation of the
 * same shape and type, or of a new operand) and matmul.
 */
static int random_chain(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t hist[LF_KB_MAX_DESC + 1];
	int nh = 0;
	hist[nh++] =
	    lb_new_input(&k, lf_rng_range(r, 1, 2), lf_rng_range(r, 1, 8),
			 lf_rng_range(r, 1, 12), lf_rng_range(r, 1, 12),
			 lf_rng_range(r, 0, 1));
	int len = lf_rng_range(r, 4, 8);
	for (int i = 0; i < len; i++) {
		struct act_t x = hist[nh - 1], y;
		int op = lf_rng_range(r, 0, 5);
		if (op == 0) {
			y = lb_conv(&k, &x, lf_rng_range(r, 1, 10),
				    lf_rng_range(r, 0, 1) * 2 + 1,
				    lf_rng_range(r, 1, 2),
				    lf_rng_range(r, 0, 4) == 0,
				    lf_rng_range(r, 0, 1));
		} else if (op == 1 || op == 2) {
			struct pool_p p;
			pool_pick(r, &x,
				  op == 1 ? LF_KOP_MAXPOOL : LF_KOP_AVGPOOL,
				  &p);
			lf_status st;
			y = lb_pool(&k, &x, &p, &st);
			if (y.off == NONE && st == LF_ERR_UNSUPPORTED)
				continue; /* a global scale ORT refuses */
		} else if (op == 3) {
			/* An add, or now and then a mul (the same datapath). */
			struct add_p p = {.mul = lf_rng_range(r, 0, 3) == 0};
			int skip = -1;
			for (int j = nh - 2; j >= 0 && skip < 0; j--)
				if (hist[j].n == x.n && hist[j].c == x.c &&
				    hist[j].h == x.h && hist[j].w == x.w &&
				    hist[j].t == x.t)
					skip = j;
			struct act_t o;
			if (skip >= 0 && lf_rng_range(r, 0, 2) != 0) {
				p.bc = BC_FULL;
				o = hist[skip];
			} else {
				p.bc = (enum bc)lf_rng_range(r, 0, 5);
				o = lb_other(&k, &x, p.bc);
				o.scale = log_uniform(r, 1e-3, 0.5);
				o.zp = lf_kc_pick_zp(r, x.t);
			}
			p.full_is_b = lf_rng_range(r, 0, 1);
			p.ys = log_uniform(r, 1e-3, 0.5);
			p.yzp = lf_kc_pick_zp(r, x.t);
			pick_clamp(r, x.t, p.yzp, &p.lo, &p.hi);
			y = lb_add(&k, &x, &o, &p);
		} else {
			if (x.h * x.w > 256)
				continue;
			y = lb_matmul(&k, &x, lf_rng_range(r, 1, 16),
				      lf_rng_range(r, 0, 1));
		}
		if (y.off == NONE) {
			fprintf(stderr, "generator: %s\n", k.what);
			lf_kb_abandon(&k);
			return -1;
		}
		hist[nh++] = y;
	}
	lf_kb_finish(&k, LF_KPC_ENGINE, l);
	return 0;
}

/* --- running the host-C kernels ------------------------------------------ */

static void kernel_call(uint32_t op, lf_desc *d, uint32_t nd,
			const uint8_t *params, uint32_t pb, uint8_t *act,
			uint32_t ab)
{
	if (op == LF_KOP_MAXPOOL || op == LF_KOP_AVGPOOL)
		lfk_pool(lf_desc_words(d), nd, LF_KC_P(params), pb,
			 LF_KC_A(act), ab);
	else if (op == LF_KOP_ADD || op == LF_KOP_MUL)
		lfk_add(lf_desc_words(d), nd, LF_KC_P(params), pb, LF_KC_A(act),
			ab);
	else if (op == LF_KOP_CONV2D)
		lfk_conv2d(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
	else if (op == LF_KOP_MATMUL)
		lfk_matmul(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
	else
		lfk_engine(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
}

/*
 * Runs a launch on exactly sized copies through the kernel for l->op, or
 * through lfk_engine with @engine, and checks every status is OK and act
 * ends as expected. Returns 0 on success.
 */
static int run_check(const struct lf_kc_launch *l, int engine, uint64_t seed,
		     int index)
{
	lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l->ndesc);
	memcpy(d, l->desc, sizeof(lf_desc) * l->ndesc);
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	kernel_call(engine ? LF_KPC_ENGINE : l->op, d, l->ndesc, l->params,
		    l->params_bytes, act, l->act_bytes);
	const char *who = engine ? "lfk_engine" : "host-C";
	int bad = 0;
	for (uint32_t i = 0; i < l->ndesc; i++)
		if (d[i].status != LF_KST_OK) {
			fprintf(stderr,
				"\n%s: seed=0x%llx case=%d desc %u status "
				"%d\n  %s\n",
				who, (unsigned long long)seed, index, i,
				d[i].status, l->what);
			bad = 1;
		}
	if (!bad && lf_kc_compare(l, act, who, seed, index) != 0)
		bad = 1;
	free(d);
	free(act);
	return bad ? -1 : 0;
}

/* --- the blocked layout (LF_DF_BLK) ------------------------------------- */

/*
 * A launch of pooling / add descriptors in NCHW, converted to the blocked
 * layout (lf_desc.h): every tensor gets a 64-aligned region of
 * n * ceil(c / 64) * h * w beats, element (i, ch, y, x) at byte
 * (((i * cb + ch / 64) * h + y) * w + x) * 64 + ch % 64. This converter is
 * the test's own, independent of hostlib/plan. Pad lanes (ch >= c) of the
 * inputs hold random bytes: no real output lane may depend on them.
 * Outputs' real lanes expect the CPU reference's bytes (from the NCHW
 * launch); their pad lanes are only required to be a deterministic
 * function of the inputs: expect takes them from a host-C run over an act
 * whose output regions start with other bytes, so a lane left unwritten
 * (or written from stale memory) fails the comparison.
 */
struct blk_tensor {
	uint32_t src;	/* offset in the NCHW launch */
	uint32_t dst;	/* offset in the blocked launch */
	int n, c, h, w; /* shape; c = 0: a scalar (one byte in a beat) */
	int out;	/* written by a descriptor */
};

static uint32_t blk_bytes(const struct blk_tensor *t)
{
	if (t->c == 0)
		return LF_BLK_LANES;
	uint32_t cb = ((uint32_t)t->c + LF_BLK_LANES - 1) / LF_BLK_LANES;
	return (uint32_t)t->n * cb * (uint32_t)(t->h * t->w) * LF_BLK_LANES;
}

/* Byte offset, inside a blocked tensor, of element (i, ch, y, x). */
static uint32_t blk_at(const struct blk_tensor *t, int i, int ch, int y, int x)
{
	int cb = (t->c + LF_BLK_LANES - 1) / LF_BLK_LANES;
	return ((((uint32_t)i * (uint32_t)cb + (uint32_t)ch / LF_BLK_LANES) *
		     (uint32_t)t->h +
		 (uint32_t)y) *
		    (uint32_t)t->w +
		(uint32_t)x) *
		   LF_BLK_LANES +
	       (uint32_t)ch % LF_BLK_LANES;
}

/* Index of the tensor at (src, shape), added if new. */
static int blk_find(struct blk_tensor *ts, int *nt, uint32_t src, int n, int c,
		    int h, int w, int out)
{
	for (int i = 0; i < *nt; i++)
		if (ts[i].src == src && ts[i].n == n && ts[i].c == c &&
		    ts[i].h == h && ts[i].w == w) {
			ts[i].out |= out;
			return i;
		}
	ts[*nt] = (struct blk_tensor){src, 0, n, c, h, w, out};
	return (*nt)++;
}

/* NCHW bytes src (of t's shape) into blocked dst (real lanes only). */
static void blk_pack(const struct blk_tensor *t, const uint8_t *src,
		     uint8_t *dst)
{
	if (t->c == 0) {
		dst[0] = src[0];
		return;
	}
	for (int i = 0; i < t->n; i++)
		for (int ch = 0; ch < t->c; ch++)
			for (int y = 0; y < t->h; y++)
				for (int x = 0; x < t->w; x++)
					dst[blk_at(t, i, ch, y, x)] = *src++;
}

/* Whether byte k of blocked tensor t is a pad lane (or scalar filler). */
static int blk_is_pad(const struct blk_tensor *t, uint32_t k)
{
	if (t->c == 0)
		return k != 0;
	uint32_t ch = k % LF_BLK_LANES;
	uint32_t beat = k / LF_BLK_LANES;
	uint32_t cb = ((uint32_t)t->c + LF_BLK_LANES - 1) / LF_BLK_LANES;
	uint32_t blk = (beat / (uint32_t)(t->h * t->w)) % cb;
	return blk * LF_BLK_LANES + ch >= (uint32_t)t->c;
}

/*
 * The blocked launch of NCHW launch *src (pool / add descriptors only);
 * l->op stays. Returns 0, or -1 if the host-C run that gives the output
 * pad lanes did not accept every descriptor.
 */
static int blk_convert(struct lf_rng *r, const struct lf_kc_launch *src,
		       struct lf_kc_launch *l)
{
	struct blk_tensor ts[3 * LF_KB_MAX_DESC];
	int nt = 0, xi[LF_KB_MAX_DESC], x2i[LF_KB_MAX_DESC], yi[LF_KB_MAX_DESC];
	for (uint32_t i = 0; i < src->ndesc; i++) {
		const lf_desc *d = &src->desc[i];
		int n = (int)d->n, c = (int)d->ic, h = (int)d->ih,
		    w = (int)d->iw;
		xi[i] = blk_find(ts, &nt, d->x_off, n, c, h, w, 0);
		x2i[i] = -1;
		if (d->op == LF_KOP_ADD || d->op == LF_KOP_MUL) {
			if (d->flags & LF_DF_X2_SCALAR)
				x2i[i] =
				    blk_find(ts, &nt, d->x2_off, 1, 0, 1, 1, 0);
			else if (d->flags & LF_DF_X2_PER_CH)
				x2i[i] =
				    blk_find(ts, &nt, d->x2_off, 1, c, 1, 1, 0);
			else if (d->flags & LF_DF_X2_PER_NC)
				x2i[i] =
				    blk_find(ts, &nt, d->x2_off, n, c, 1, 1, 0);
			else
				x2i[i] =
				    blk_find(ts, &nt, d->x2_off, n, c, h, w, 0);
			yi[i] = blk_find(ts, &nt, d->y_off, n, c, h, w, 1);
		} else {
			yi[i] = blk_find(ts, &nt, d->y_off, n, c, (int)d->oh,
					 (int)d->ow, 1);
		}
	}
	size_t total = 0;
	for (int i = 0; i < nt; i++) {
		/* A gap of 0 or 1 beats before each tensor. */
		total += (size_t)lf_rng_range(r, 0, 1) * LF_BLK_LANES;
		ts[i].dst = (uint32_t)total;
		total += blk_bytes(&ts[i]);
	}
	memset(l, 0, sizeof *l);
	l->op = src->op;
	l->ndesc = src->ndesc;
	l->act_bytes = (uint32_t)total;
	l->params_bytes = src->params_bytes;
	l->params = lf_kc_xmalloc(src->params_bytes ? src->params_bytes : 1);
	memcpy(l->params, src->params, src->params_bytes);
	l->desc = lf_kc_xmalloc(sizeof(lf_desc) * src->ndesc);
	memcpy(l->desc, src->desc, sizeof(lf_desc) * src->ndesc);
	l->act = lf_kc_xmalloc(total);
	l->expect = lf_kc_xmalloc(total);
	fill_random(r, l->act, total);
	memcpy(l->expect, l->act, total);
	for (int i = 0; i < nt; i++) {
		/* Inputs from src's act, outputs' expectation from src's
		 * expect; act's output regions keep their random bytes. */
		const struct blk_tensor *t = &ts[i];
		blk_pack(t, (t->out ? src->expect : src->act) + t->src,
			 l->expect + t->dst);
		if (!t->out)
			blk_pack(t, src->act + t->src, l->act + t->dst);
	}
	for (uint32_t i = 0; i < l->ndesc; i++) {
		lf_desc *d = &l->desc[i];
		d->flags |= LF_DF_BLK;
		d->x_off = ts[xi[i]].dst;
		d->y_off = ts[yi[i]].dst;
		if (x2i[i] >= 0)
			d->x2_off = ts[x2i[i]].dst;
	}
	/* The NCHW description, cut to fit after the tag. */
	snprintf(l->what, sizeof l->what, "[blocked] %.*s",
		 (int)(sizeof l->what - 16), src->what);

	/* The output pad lanes: a run over other initial output bytes. */
	uint8_t *a2 = lf_kc_xmalloc(total);
	memcpy(a2, l->act, total);
	for (int i = 0; i < nt; i++)
		if (ts[i].out)
			for (uint32_t k = 0; k < blk_bytes(&ts[i]); k++)
				a2[ts[i].dst + k] ^= 0xa5;
	lf_desc *dd = lf_kc_xmalloc(sizeof(lf_desc) * l->ndesc);
	memcpy(dd, l->desc, sizeof(lf_desc) * l->ndesc);
	kernel_call(l->op, dd, l->ndesc, l->params, l->params_bytes, a2,
		    l->act_bytes);
	int bad = 0;
	for (uint32_t i = 0; i < l->ndesc; i++)
		if (dd[i].status != LF_KST_OK) {
			fprintf(stderr,
				"blk_convert: desc %u status %d\n  %s\n", i,
				dd[i].status, l->what);
			bad = -1;
		}
	for (int i = 0; i < nt; i++)
		if (ts[i].out)
			for (uint32_t k = 0; k < blk_bytes(&ts[i]); k++)
				if (blk_is_pad(&ts[i], k))
					l->expect[ts[i].dst + k] =
					    a2[ts[i].dst + k];
	free(a2);
	free(dd);
	if (bad)
		lf_kc_free(l);
	return bad;
}

int lf_kpc_blk_convert(struct lf_rng *r, const struct lf_kc_launch *src,
		       struct lf_kc_launch *l)
{
	return blk_convert(r, src, l);
}

/* A random input for a blocked layer: channel counts around 64's. */
static struct act_t random_blk_input(struct lf_kb *k)
{
	static const int cs[] = {1, 3, 63, 64, 65, 100, 128, 130};
	struct lf_rng *r = k->r;
	int t = lf_rng_range(r, 0, 1);
	int n = lf_rng_range(r, 0, 3) == 0 ? 2 : 1;
	int c = cs[lf_rng_range(r, 0, 7)];
	int h = lf_rng_range(r, 1, 9), w = lf_rng_range(r, 1, 9);
	if (lf_rng_range(r, 0, 9) == 0) { /* several tiles of columns */
		h = lf_rng_range(r, 1, 3);
		w = lf_rng_range(r, LF_POOL_TW_MAX, 2 * LF_POOL_TW_MAX + 3);
	}
	return lb_new_input(k, n, c, h, w, t);
}

/* A NCHW launch from builder k, converted; 0 or -1. */
static int blk_finish(struct lf_kb *k, uint32_t op, struct lf_kc_launch *l)
{
	struct lf_kc_launch s;
	lf_kb_finish(k, op, &s);
	int rc = blk_convert(k->r, &s, l);
	lf_kc_free(&s);
	return rc;
}

int lf_kpc_random_blk(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = random_blk_input(&k), y;
	int which = lf_rng_range(r, 0, 2);
	uint32_t op = LF_KOP_ADD;
	if (which < 2) {
		struct pool_p p;
		op = which ? LF_KOP_AVGPOOL : LF_KOP_MAXPOOL;
		pool_pick(r, &x, (int)op, &p);
		lf_status st;
		y = lb_pool(&k, &x, &p, &st);
		if (y.off == NONE && st == LF_ERR_UNSUPPORTED) {
			/* A global scale ORT refuses: a max pool instead. */
			lf_kb_abandon(&k);
			k = (struct lf_kb){.r = r};
			x = random_blk_input(&k);
			op = LF_KOP_MAXPOOL;
			pool_pick(r, &x, (int)op, &p);
			y = lb_pool(&k, &x, &p, NULL);
		}
	} else {
		struct add_p p = {.mul = 0};
		int b = lf_rng_range(r, 0, 9);
		p.bc = b < 4 ? BC_FULL
			     : (enum bc)(b < 6 ? b - 3 : (b < 8 ? 3 : 4));
		p.full_is_b = p.bc != BC_FULL && lf_rng_range(r, 0, 2) == 0;
		struct act_t o = x;
		if (p.bc != BC_FULL || lf_rng_range(r, 0, 9) != 0)
			o = lb_other(&k, &x, p.bc);
		add_quant(r, x.t, &x, &o, &p);
		y = lb_add(&k, &x, &o, &p);
	}
	if (y.off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	return blk_finish(&k, op, l);
}

/* A blocked mul of x (in k) and an operand broadcast as bc, its scales
 * random (mul_quant); 0 or -1. */
static int blk_mul_of(struct lf_kb *k, struct act_t *x, enum bc bc,
		      struct lf_kc_launch *l)
{
	struct add_p p = {.mul = 1};
	p.bc = bc;
	p.full_is_b = p.bc != BC_FULL && lf_rng_range(k->r, 0, 2) == 0;
	struct act_t o = lb_other(k, x, p.bc);
	mul_quant(k->r, x->t, x, &o, &p, -1);
	if (lb_add(k, x, &o, &p).off == NONE) {
		fprintf(stderr, "generator: %s\n", k->what);
		lf_kb_abandon(k);
		return -1;
	}
	return blk_finish(k, LF_KOP_MUL, l);
}

int lf_kpc_random_blk_mul(struct lf_rng *r, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = random_blk_input(&k);
	static const enum bc bcs[] = {BC_FULL, BC_SCALAR, BC_CH4,
				      BC_CH3,  BC_NC4,	  BC_NC4};
	return blk_mul_of(&k, &x, bcs[lf_rng_range(r, 0, 5)], l);
}

/* Blocked muls whose channels end inside a pass of add.c's add_blk_mul
 * for every lane count: (n, c, h, w, broadcast). */
static const struct {
	int n, c, h, w;
	enum bc bc;
} blk_mul_shapes[] = {
    {1, 1, 3, 5, BC_FULL},  {1, 65, 2, 3, BC_FULL},   {2, 17, 3, 3, BC_NC4},
    {1, 130, 2, 2, BC_CH4}, {1, 63, 4, 1, BC_SCALAR}, {2, 64, 2, 2, BC_FULL},
    {1, 100, 1, 1, BC_NC4}, {1, 33, 1, 7, BC_CH3},
};
const int lf_kpc_blk_mul_shapes_n =
    (int)(sizeof blk_mul_shapes / sizeof blk_mul_shapes[0]);

int lf_kpc_blk_mul_shape(struct lf_rng *r, int i, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = lb_new_input(
	    &k, blk_mul_shapes[i].n, blk_mul_shapes[i].c, blk_mul_shapes[i].h,
	    blk_mul_shapes[i].w, lf_rng_range(r, 0, 1));
	return blk_mul_of(&k, &x, blk_mul_shapes[i].bc, l);
}

int lf_kpc_blk_chain(struct lf_rng *r, struct lf_kc_launch *l)
{
	/* maxpool 3x3 s2 p1 -> add (residual: pooled + pooled of another
	 * input) -> add with a per-channel operand -> global average. */
	struct lf_kb k = {.r = r};
	static const int cs[] = {3, 64, 70, 130};
	int t = lf_rng_range(r, 0, 1), n = lf_rng_range(r, 1, 2);
	int c = cs[lf_rng_range(r, 0, 3)], hw = lf_rng_range(r, 4, 12);
	struct act_t x = lb_new_input(&k, n, c, hw, hw, t);
	struct act_t x2 = lb_new_input(&k, n, c, hw, hw, t);
	struct pool_p mp = pool_3x3(2, hw, hw, lf_rng_range(r, 0, 1), t);
	struct act_t a = lb_pool(&k, &x, &mp, NULL);
	struct act_t b = lb_pool(&k, &x2, &mp, NULL);
	struct add_p ap = {BC_FULL, 0, 0.05f, 0, 0, 0, 0};
	ap.yzp = lf_kc_pick_zp(r, t);
	ap.lo = ap.yzp; /* a fused Relu */
	ap.hi = tmax(t);
	struct act_t s = lb_add(&k, &a, &b, &ap);
	struct act_t o = lb_other(&k, &s, BC_CH4);
	o.scale = 0.02f;
	o.zp = lf_kc_pick_zp(r, t);
	struct add_p cp = {BC_CH4, lf_rng_range(r, 0, 1), 0.07f, 0, 0, 0, 0};
	cp.yzp = lf_kc_pick_zp(r, t);
	cp.lo = tmin(t);
	cp.hi = tmax(t);
	struct act_t s2 = lb_add(&k, &s, &o, &cp);
	struct pool_p gp =
	    pool_gap(s2.h, s2.w, s2.scale * 0.5f, lf_kc_pick_zp(r, t), t);
	if (a.off == NONE || b.off == NONE || s.off == NONE || s2.off == NONE ||
	    lb_pool(&k, &s2, &gp, NULL).off == NONE) {
		fprintf(stderr, "generator: %s\n", k.what);
		lf_kb_abandon(&k);
		return -1;
	}
	return blk_finish(&k, LF_KPC_ENGINE, l);
}

/* --- the sweeps --------------------------------------------------------- */

static void test_pool_sweep(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9001;
	int cases = lf_test_slow_mode() ? 60 : 400, fails = 0, global = 0;
	int refused = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		lf_status st = LF_OK;
		case_rng(&r, seed, i);
		if (random_pool(&r, &l, &st) != 0) {
			/* Only ORT's global-average scale range may refuse. */
			CU_ASSERT_EQUAL(st, LF_ERR_UNSUPPORTED);
			refused++;
			continue;
		}
		const lf_desc *d = &l.desc[0];
		global += d->op == LF_KOP_AVGPOOL && d->kh == d->ih &&
			  d->kw == d->iw && !d->pad_t && !d->pad_l &&
			  !d->pad_b && !d->pad_r;
		/* Every other case also through the engine. */
		if (run_check(&l, 0, seed, i) != 0 ||
		    (i % 2 && run_check(&l, 1, seed, i) != 0))
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT(global >= cases / 20);
	CU_ASSERT(refused < cases / 10);
}

static void test_add_sweep(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xadd;
	int cases = lf_test_slow_mode() ? 60 : 400, fails = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_random_add(&r, &l), 0);
		if (run_check(&l, 0, seed, i) != 0 ||
		    (i % 2 && run_check(&l, 1, seed, i) != 0))
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_mul_sweep(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x3a1;
	int cases = lf_test_slow_mode() ? 60 : 400, fails = 0, nc = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_random_mul(&r, &l), 0);
		nc += (l.desc[0].flags & LF_DF_X2_PER_NC) != 0;
		if (run_check(&l, 0, seed, i) != 0 ||
		    (i % 2 && run_check(&l, 1, seed, i) != 0))
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT(nc >= cases / 8);
}

/* add.c's host-C fast path switch (0 AVX2 where the CPU has it, 1 the
 * loops as written; lf_conv_blk.h). */
extern int lfk__blk_isa;

/*
 * QLinearAdd exhaustively, against the CPU reference (lf__ref_qadd):
 * every (a, b) pair of the type, same shape, per channel and per (image,
 * channel), either operand outer (ONNX's A or B full), for several scale
 * sets (add_quant: any, exact ties, similar, past 2^31; and sx / sy past
 * 2^24, lf_kadd.h's step 7), NCHW through lfk_add and lfk_engine, and
 * blocked with the emulator's AVX2 path and without: the kernels' integer
 * add (hls/lf_kadd.h) on every path.
 */
static void test_add_pairs(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xadd9a1;
	int sets = lf_test_slow_mode() ? 3 : 12, fails = 0;
	int isa = lfk__blk_isa;
	for (int i = 0; i < sets; i++) {
		struct lf_rng r;
		struct lf_kc_launch l, lb;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_add_pairs(&r, &l), 0);
		CU_ASSERT_EQUAL_FATAL(l.ndesc, 3);
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		CU_ASSERT_EQUAL_FATAL(blk_convert(&r, &l, &lb), 0);
		for (int a = 0; a < 2; a++) {
			lfk__blk_isa = a;
			if (run_check(&lb, a, seed, i) != 0)
				fails++;
		}
		lfk__blk_isa = isa;
		lf_kc_free(&lb);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * QLinearMul exhaustively: every (a, b) pair of the type, same shape, per
 * channel and per (image, channel), for several scale / zero-point sets
 * (mul_quant: any, powers of two with exact .5 results, a squeeze-excite
 * gate, past 2^31), NCHW through lfk_add and lfk_engine, and blocked.
 */
static void test_mul_pairs(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x3a1a11;
	int sets = lf_test_slow_mode() ? 3 : 12, fails = 0;
	for (int i = 0; i < sets; i++) {
		struct lf_rng r;
		struct lf_kc_launch l, lb;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_mul_pairs(&r, &l), 0);
		CU_ASSERT_EQUAL_FATAL(l.ndesc, 3);
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		CU_ASSERT_EQUAL_FATAL(blk_convert(&r, &l, &lb), 0);
		if (run_check(&lb, 0, seed, i) != 0 ||
		    run_check(&lb, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&lb);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* QLinearMul where MLAS's two roundings matter: a kernel that fuses
 * them into one fma fails here, NCHW and blocked, either host path. */
static void test_mul_ties(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x3a17e5;
	int sets = lf_test_slow_mode() ? 2 : 6, fails = 0;
	for (int i = 0; i < sets; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_mul_fma_ties(&r, &l), 0);
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		/* Blocked too: the host build's AVX2 beats (add.c) and, with
		 * lfk__blk_isa = 1, the loop as written. */
		struct lf_kc_launch lb;
		CU_ASSERT_EQUAL_FATAL(blk_convert(&r, &l, &lb), 0);
		for (int isa = 0; isa < 2; isa++) {
			lfk__blk_isa = isa;
			if (run_check(&lb, 0, seed, i) != 0 ||
			    run_check(&lb, 1, seed, i) != 0)
				fails++;
		}
		lfk__blk_isa = 0;
		lf_kc_free(&lb);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * ORT's rounding on its ties: elements whose fused result differs from a
 * separate multiply and add (the test would fail for a kernel without a
 * true fma), and exact .5 sums (round half to even, y_zp added before).
 */
static void test_add_ties(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x71e5;
	int sets = lf_test_slow_mode() ? 2 : 8, fails = 0;
	for (int i = 0; i < sets; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_add_fma_ties(&r, &l), 0);
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	/* ORT's operand order, where it matters. */
	for (int i = 0; i < sets / 2; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, 500 + i);
		int swapped = add_swap_ties(&r, &l);
		CU_ASSERT_FATAL(swapped > 0);
		CU_ASSERT(swapped == (int)l.ndesc);
		if (run_check(&l, 0, seed, 500 + i) != 0 ||
		    run_check(&l, 1, seed, 500 + i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	/* Exact ties: rA = 1, rB = 1/2, every (a, b) of the type. */
	for (int t = 0; t < 2; t++) {
		struct lf_rng r;
		struct lf_kb k = {.r = &r};
		case_rng(&r, seed, 1000 + t);
		uint8_t av[256 * 16], bv[256 * 16];
		int n = 0, ties = 0;
		for (int a = tmin(t); a <= tmax(t); a++)
			for (int j = 0; j < 16; j++) {
				int b = lf_rng_range(&r, tmin(t), tmax(t));
				av[n] = (uint8_t)a;
				bv[n++] = (uint8_t)b;
			}
		struct act_t x = {0, 1, 1, 16, 256, t, t ? 3 : 130, 0.25f};
		struct act_t o = x;
		o.zp = t ? -7 : 17;
		o.scale = 0.125f;
		x.off = lf_kb_input(&k, av, (size_t)n);
		o.off = lf_kb_input(&k, bv, (size_t)n);
		struct add_p p = {BC_FULL, 0,	    0.25f, t ? 1 : 120,
				  tmin(t), tmax(t), 0};
		for (int e = 0; e < n; e++) {
			int32_t a = t ? (int8_t)av[e] : av[e];
			int32_t b = t ? (int8_t)bv[e] : bv[e];
			ties += ((b - o.zp) & 1) != 0 &&
				a - x.zp + (b - o.zp) / 2 + p.yzp > tmin(t) &&
				a - x.zp + (b - o.zp) / 2 + p.yzp < tmax(t);
		}
		CU_ASSERT(ties > n / 8);
		CU_ASSERT_FATAL(lb_add(&k, &x, &o, &p).off != NONE);
		struct lf_kc_launch l;
		lf_kb_finish(&k, LF_KOP_ADD, &l);
		if (run_check(&l, 0, seed, 1000 + t) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* The window row exactly fills rbuf, and one column more is a limit. */
static void test_pool_row_edge(void)
{
	/* (kw - 1) * dil + 1 == LF_POOL_ROW with kw, dil within limits. */
	int kw = 0, dil = 0;
	for (int k = 2; k <= LF_POOL_KDIM_MAX && !kw; k++)
		if ((LF_POOL_ROW - 1) % (k - 1) == 0 &&
		    (LF_POOL_ROW - 1) / (k - 1) <= LF_POOL_STEP_MAX) {
			kw = k;
			dil = (LF_POOL_ROW - 1) / (k - 1);
		}
	if (!kw) {
		printf("(no kernel width spans LF_POOL_ROW exactly: skipped) ");
		return;
	}
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0x90e, 0);
	struct act_t x = lb_new_input(&k, 1, 2, 2, LF_POOL_ROW + 5, 1);
	struct pool_p p = {.op = LF_KOP_MAXPOOL,
			   .kh = 2,
			   .kw = kw,
			   .sh = 1,
			   .sw = 1,
			   .dh = 1,
			   .dw = dil,
			   .lo = -128,
			   .hi = 127};
	p.oh = floor_dim(x.h, 0, 0, 2, 1, 1, 0);
	p.ow = floor_dim(x.w, 0, 0, kw, dil, 1, 0);
	CU_ASSERT_FATAL(lb_pool(&k, &x, &p, NULL).off != NONE);
	struct lf_kc_launch l;
	lf_kb_finish(&k, LF_KOP_MAXPOOL, &l);
	CU_ASSERT_EQUAL(run_check(&l, 0, 0x90e, 0), 0);
	lf_desc *d = lf_kc_xmalloc(sizeof *d);
	*d = l.desc[0];
	d->dil_w++;
	d->iw += (uint32_t)(kw - 1); /* the shape stays consistent */
	uint8_t *act = lf_kc_xmalloc(l.act_bytes);
	memcpy(act, l.act, l.act_bytes);
	lfk_pool(lf_desc_words(d), 1, LF_KC_P(l.params), l.params_bytes,
		 LF_KC_A(act), l.act_bytes);
	CU_ASSERT_EQUAL(d->status, LF_KST_LIMIT);
	CU_ASSERT(memcmp(act, l.act, l.act_bytes) == 0);
	free(d);
	free(act);
	lf_kc_free(&l);
}

/* --- the engine --------------------------------------------------------- */

/*
 * The resnet-like chain in one lfk_engine launch, and the same descriptors
 * one kernel at a time: identical bytes, and the engine's modeled cycles
 * are the sum of the kernels' (the same layer functions run).
 */
static void test_engine_resnet(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xe961;
	int chains = lf_test_slow_mode() ? 4 : 30, fails = 0;
	for (int i = 0; i < chains; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_resnet_chain(&r, &l), 0);
		CU_ASSERT_EQUAL(l.ndesc, 6);
		lfk_cycles_reset();
		if (run_check(&l, 1, seed, i) != 0)
			fails++;
		lf_u64 engine_cycles = lfk_cycles_get();

		uint8_t *act = lf_kc_xmalloc(l.act_bytes);
		memcpy(act, l.act, l.act_bytes);
		lf_u64 sum = 0;
		for (uint32_t j = 0; j < l.ndesc; j++) {
			lf_desc d = l.desc[j];
			lfk_cycles_reset();
			kernel_call(d.op, &d, 1, l.params, l.params_bytes, act,
				    l.act_bytes);
			sum += lfk_cycles_get();
			CU_ASSERT_EQUAL(d.status, LF_KST_OK);
		}
		CU_ASSERT(memcmp(act, l.expect, l.act_bytes) == 0);
		CU_ASSERT_EQUAL(engine_cycles, sum);
		free(act);
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_engine_random(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xe962;
	int chains = lf_test_slow_mode() ? 6 : 60, fails = 0;
	int seen[6] = {0};
	for (int i = 0; i < chains; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(random_chain(&r, &l), 0);
		for (uint32_t j = 0; j < l.ndesc; j++)
			seen[l.desc[j].op]++;
		if (run_check(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	for (int op = 1; op <= 5; op++)
		CU_ASSERT(seen[op] > 0);
}

/*
 * The status protocol through the engine: an op no datapath runs stops the
 * list (BAD_OP, or BAD_MAGIC when the magic is wrong too), the layers
 * before it are written, the ones after stay PENDING and unwritten.
 */
static void test_engine_stops(void)
{
	for (int which = 0; which < 3; which++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, 0x5709e, which);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_resnet_chain(&r, &l), 0);
		lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l.ndesc);
		memcpy(d, l.desc, sizeof(lf_desc) * l.ndesc);
		int32_t want = LF_KST_BAD_OP;
		if (which == 0) {
			d[2].op = 99;
		} else if (which == 1) {
			d[2].op = 0;
			d[2].magic = 0;
			want = LF_KST_BAD_MAGIC;
		} else {
			d[2].magic ^= 1; /* a conv with a bad magic */
			want = LF_KST_BAD_MAGIC;
		}
		lf_desc *d0 = lf_kc_xmalloc(sizeof(lf_desc) * l.ndesc);
		memcpy(d0, d, sizeof(lf_desc) * l.ndesc);
		uint8_t *act = lf_kc_xmalloc(l.act_bytes);
		memcpy(act, l.act, l.act_bytes);
		lfk_cycles_reset();
		lfk_engine(lf_desc_words(d), l.ndesc, LF_KC_P(l.params),
			   l.params_bytes, LF_KC_A(act), l.act_bytes);
		CU_ASSERT_EQUAL(d[0].status, LF_KST_OK);
		CU_ASSERT_EQUAL(d[1].status, LF_KST_OK);
		CU_ASSERT_EQUAL(d[2].status, want);
		for (uint32_t j = 3; j < l.ndesc; j++)
			CU_ASSERT_EQUAL(d[j].status, LF_KST_PENDING);
		/* The kernel wrote the status words and nothing else of the
		 * list, and fetched the three descriptors it ran. */
		for (uint32_t j = 0; j < 3; j++)
			d0[j].status = d[j].status;
		CU_ASSERT(memcmp(d, d0, sizeof(lf_desc) * l.ndesc) == 0);
		struct lfk_pipe_stat ps;
		CU_ASSERT(lfk_pipe_stats(LFP_desc_fetch, &ps));
		CU_ASSERT_EQUAL(ps.calls, 3);
		CU_ASSERT_EQUAL(ps.iters, 3 * LF_DESC_WORDS);
		free(d0);
		/* act holds x, then each layer's output in order: desc 0
		 * and 1 wrote theirs, nothing from desc 2 on changed. */
		uint32_t y2 = l.desc[2].y_off;
		CU_ASSERT(memcmp(act, l.expect, y2) == 0);
		CU_ASSERT(memcmp(act + y2, l.act + y2, l.act_bytes - y2) == 0);
		free(d);
		free(act);
		lf_kc_free(&l);
	}
}

/* --- errors ------------------------------------------------------------ */

/*
 * Runs descriptor d alone through @kernel's op kernel and through the
 * engine; both must give the same status, and a rejected descriptor must
 * leave act untouched. Returns the status.
 */
static int32_t run_desc(const struct lf_kc_launch *l, const lf_desc *d)
{
	int32_t st[2];
	for (int e = 0; e < 2; e++) {
		lf_desc *dd = lf_kc_xmalloc(sizeof *dd);
		*dd = *d;
		dd->status = LF_KST_PENDING;
		uint8_t *act = lf_kc_xmalloc(l->act_bytes);
		memcpy(act, l->act, l->act_bytes);
		kernel_call(e ? LF_KPC_ENGINE : l->op, dd, 1, l->params,
			    l->params_bytes, act, l->act_bytes);
		st[e] = dd->status;
		const uint8_t *want = st[e] == LF_KST_OK ? l->expect : l->act;
		CU_ASSERT(memcmp(act, want, l->act_bytes) == 0);
		free(dd);
		free(act);
	}
	/* An op lfk_pool / lfk_add does not run is the engine's to run. */
	if (d->op == l->op || st[0] != LF_KST_BAD_OP)
		CU_ASSERT_EQUAL(st[0], st[1]);
	return st[0];
}

/* A small pooling launch to mutate: y is the last thing in act. */
static void base_pool(struct lf_kc_launch *l, int op, int global)
{
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xe7a0, op * 2 + global);
	struct act_t x = lb_new_input(&k, 2, 3, 7, 9, LF_KDT_U8);
	x.scale = 0.05f;
	x.zp = 7;
	struct pool_p p = {.op = op,
			   .kh = global ? 7 : 3,
			   .kw = global ? 9 : 2,
			   .sh = 2,
			   .sw = 1,
			   .pt = global ? 0 : 1,
			   .pb = global ? 0 : 1,
			   .dh = 1,
			   .dw = 1,
			   .ys = 0.1f,
			   .yzp = 3,
			   .lo = 0,
			   .hi = 255};
	p.oh = floor_dim(x.h, p.pt, p.pb, p.kh, 1, p.sh, 0);
	p.ow = floor_dim(x.w, 0, 0, p.kw, 1, p.sw, 0);
	CU_ASSERT_FATAL(lb_pool(&k, &x, &p, NULL).off != NONE);
	lf_kb_finish(&k, (uint32_t)op, l);
}

static void test_pool_errors(void)
{
	struct lf_kc_launch l, la, lg;
	base_pool(&l, LF_KOP_MAXPOOL, 0);
	base_pool(&la, LF_KOP_AVGPOOL, 0);
	base_pool(&lg, LF_KOP_AVGPOOL, 1);
	const lf_desc *b = &l.desc[0], *ba = &la.desc[0], *bg = &lg.desc[0];
	lf_desc d;
	CU_ASSERT_EQUAL(run_desc(&l, b), LF_KST_OK);
	CU_ASSERT_EQUAL(run_desc(&la, ba), LF_KST_OK);
	CU_ASSERT_EQUAL(run_desc(&lg, bg), LF_KST_OK);
#define TRY(base, stmt, want)                                                  \
	do {                                                                   \
		d = *(base);                                                   \
		stmt;                                                          \
		CU_ASSERT_EQUAL(run_desc((base) == b	? &l                   \
					 : (base) == ba ? &la                  \
							: &lg,                 \
					 &d),                                  \
				want);                                         \
	} while (0)
	TRY(b, d.magic = 0, LF_KST_BAD_MAGIC);
	TRY(b, d.op = LF_KOP_ADD, LF_KST_BAD_OP);
	TRY(b, d.op = 0, LF_KST_BAD_OP);
	TRY(b, d.flags = LF_DF_COUNT_PAD, LF_KST_BAD_OP);
	TRY(ba, d.flags |= LF_DF_BIAS, LF_KST_BAD_OP);
	TRY(ba, d.flags |= 0x80000000u, LF_KST_BAD_OP);
	TRY(b, d.x_type = LF_KDT_I32, LF_KST_BAD_TYPE);
	TRY(b, d.y_type = LF_KDT_I8, LF_KST_BAD_TYPE);
	TRY(ba, (d.x_type = d.y_type = 5), LF_KST_BAD_TYPE);

	TRY(b, d.oh++, LF_KST_BAD_SHAPE);
	TRY(b, d.ow = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.n = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.stride_h = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.dil_w = 0, LF_KST_BAD_SHAPE);
	TRY(ba, d.dil_h = 2, LF_KST_BAD_SHAPE); /* avg: no dilations */
	TRY(b, (d.kh = 20, d.pad_t = d.pad_b = 0), LF_KST_BAD_SHAPE);
	TRY(b, (d.pad_t = 0xffffffffu, d.pad_b = 1), LF_KST_BAD_SHAPE);
	/* ih = 8: floor size 4 and ceil_mode size 5 pass (then x no longer
	 * fits before y), 3 and 6 do not. */
	TRY(b, (d.ih = 8, d.oh = 4), LF_KST_BOUNDS);
	TRY(b, (d.ih = 8, d.oh = 5), LF_KST_BOUNDS);
	TRY(b, (d.ih = 8, d.oh = 6), LF_KST_BAD_SHAPE);
	TRY(b, (d.ih = 8, d.oh = 3), LF_KST_BAD_SHAPE);

	TRY(b, (d.act_min = 10, d.act_max = 9), LF_KST_BAD_QUANT);
	TRY(b, d.act_max = 256, LF_KST_BAD_QUANT);
	TRY(ba, d.x_zp = 256, LF_KST_BAD_QUANT);
	TRY(ba, d.y_zp = -1, LF_KST_BAD_QUANT);
	TRY(ba, d.x_scale = 0.0f, LF_KST_BAD_QUANT);
	TRY(ba, d.y_scale = -0.5f, LF_KST_BAD_QUANT);
	TRY(ba, d.y_scale = NAN, LF_KST_BAD_QUANT);
	TRY(ba, d.x_scale = INFINITY, LF_KST_BAD_QUANT);
	TRY(bg, d.x_scale = 1e6f, LF_KST_BAD_QUANT); /* scale >= 256 */
	TRY(bg, d.y_scale = 1e9f, LF_KST_BAD_QUANT); /* scale < 2^-32 */
	TRY(b, d.x_scale = NAN, LF_KST_OK);	     /* not read */

	TRY(b, (d.iw = LF_POOL_DIM_MAX + 1, d.ow = LF_POOL_DIM_MAX),
	    LF_KST_LIMIT);
	TRY(b, (d.kw = LF_POOL_KDIM_MAX + 1, d.iw = 300, d.ow = 300 - 255),
	    LF_KST_LIMIT);
	TRY(b, (d.stride_w = LF_POOL_STEP_MAX + 1, d.ow = 1), LF_KST_LIMIT);
	TRY(b, (d.pad_r = LF_POOL_DIM_MAX + 1, d.stride_w = 255, d.ow = 258),
	    LF_KST_LIMIT);
	/* The global average of 2^24 pixels (ORT refuses it too). */
	TRY(bg,
	    (d.ih = d.kh = 4096, d.iw = d.kw = 4096, d.x_scale = 1.0f,
	     d.y_scale = 1.0f),
	    LF_KST_LIMIT);
	TRY(bg,
	    (d.ih = d.kh = 4095, d.iw = d.kw = 4096, d.x_scale = 1.0f,
	     d.y_scale = 1.0f),
	    LF_KST_BOUNDS);

	/* Byte ranges, overflow-safe; y ends exactly at the end of act. */
	TRY(b, d.y_off++, LF_KST_BOUNDS);
	TRY(b, d.x_off = 0xffffffffu, LF_KST_BOUNDS);
	TRY(b, d.y_off = d.x_off + 5, LF_KST_BOUNDS); /* overlaps x */
	TRY(b, d.x_off = d.y_off, LF_KST_BOUNDS);
	TRY(b,
	    (d.n = d.ic = 65535, d.ih = d.iw = 65535, d.kh = d.kw = 1,
	     d.pad_t = d.pad_b = 0, d.oh = d.ow = 65535, d.stride_h = 1),
	    LF_KST_BOUNDS);
	TRY(b,
	    (d.n = 256, d.ic = 256, d.ih = 256, d.iw = 256, d.oh = 128,
	     d.ow = 255),
	    LF_KST_BOUNDS); /* x is exactly 2^32 bytes */
#undef TRY
	lf_kc_free(&l);
	lf_kc_free(&la);
	lf_kc_free(&lg);
}

/* A small add (or mul) launch to mutate: y is the last thing in act. */
static void base_elem(struct lf_kc_launch *l, enum bc bc, int mul)
{
	struct lf_rng r;
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xe7ad, (int)bc);
	struct act_t x = lb_new_input(&k, 2, 3, 4, 5, LF_KDT_I8);
	struct act_t o = lb_other(&k, &x, bc);
	x.scale = 0.02f;
	x.zp = -3;
	o.scale = 0.03f;
	o.zp = 5;
	struct add_p p = {bc, 0, 0.04f, 1, -128, 127, mul};
	CU_ASSERT_FATAL(lb_add(&k, &x, &o, &p).off != NONE);
	lf_kb_finish(&k, mul ? LF_KOP_MUL : LF_KOP_ADD, l);
}

static void base_add(struct lf_kc_launch *l, enum bc bc)
{
	base_elem(l, bc, 0);
}

static void test_add_errors(void)
{
	struct lf_kc_launch l, ls, lc;
	base_add(&l, BC_FULL);
	base_add(&ls, BC_SCALAR);
	base_add(&lc, BC_CH4);
	const lf_desc *b = &l.desc[0], *bs = &ls.desc[0], *bc = &lc.desc[0];
	lf_desc d;
	CU_ASSERT_EQUAL(run_desc(&l, b), LF_KST_OK);
	CU_ASSERT_EQUAL(run_desc(&ls, bs), LF_KST_OK);
	CU_ASSERT_EQUAL(run_desc(&lc, bc), LF_KST_OK);
#define TRY(base, stmt, want)                                                  \
	do {                                                                   \
		d = *(base);                                                   \
		stmt;                                                          \
		CU_ASSERT_EQUAL(run_desc((base) == b	? &l                   \
					 : (base) == bs ? &ls                  \
							: &lc,                 \
					 &d),                                  \
				want);                                         \
	} while (0)
	TRY(b, d.magic = 1, LF_KST_BAD_MAGIC);
	TRY(b, d.op = LF_KOP_MAXPOOL, LF_KST_BAD_OP);
	TRY(b, d.flags = LF_DF_COUNT_PAD, LF_KST_BAD_OP);
	TRY(b, d.flags = LF_DF_X2_SCALAR | LF_DF_X2_PER_CH, LF_KST_BAD_OP);
	TRY(b, d.flags |= 0x100u, LF_KST_BAD_OP);
	TRY(b, d.x_type = LF_KDT_U8, LF_KST_BAD_TYPE);
	TRY(b, (d.x_type = d.y_type = LF_KDT_I32), LF_KST_BAD_TYPE);
	TRY(b, d.ic = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.iw = 0, LF_KST_BAD_SHAPE);
	TRY(b, d.x_zp = 128, LF_KST_BAD_QUANT);
	TRY(b, d.x2_zp = -129, LF_KST_BAD_QUANT);
	TRY(b, d.y_zp = 200, LF_KST_BAD_QUANT);
	TRY(b, (d.act_min = 5, d.act_max = 4), LF_KST_BAD_QUANT);
	TRY(b, d.x2_scale = 0.0f, LF_KST_BAD_QUANT);
	TRY(b, d.y_scale = -INFINITY, LF_KST_BAD_QUANT);
	TRY(b, d.x_scale = NAN, LF_KST_BAD_QUANT);
	TRY(b, d.x_scale = -0.0f, LF_KST_BAD_QUANT);
	TRY(b, d.n = LF_ADD_DIM_MAX + 1, LF_KST_LIMIT);
	TRY(b, d.iw = LF_ADD_DIM_MAX + 1, LF_KST_LIMIT);
	TRY(b, d.y_off++, LF_KST_BOUNDS);
	TRY(b, d.x_off = 0xfffffff0u, LF_KST_BOUNDS);
	TRY(b, d.x2_off = 0xffffff00u, LF_KST_BOUNDS);
	TRY(b, d.y_off = d.x2_off + 1, LF_KST_BOUNDS); /* overlaps x2 */
	TRY(b, d.x_off = d.y_off - 3, LF_KST_BOUNDS);  /* overlaps y */
	/* A same-shape x2 where the scalar was: it runs past the end. */
	TRY(bs, d.flags &= ~LF_DF_X2_SCALAR, LF_KST_BOUNDS);
	/* Per-channel x2 read as a full tensor overlaps y or leaves act. */
	TRY(bc, d.flags &= ~LF_DF_X2_PER_CH, LF_KST_BOUNDS);
	TRY(b, (d.n = d.ic = 65535, d.ih = d.iw = 65535),
	    LF_KST_BOUNDS); /* 2^64-ish elements */
	TRY(b, (d.n = 256, d.ic = 256, d.ih = 256, d.iw = 256),
	    LF_KST_BOUNDS); /* exactly 2^32 */
#undef TRY
	lf_kc_free(&l);
	lf_kc_free(&ls);
	lf_kc_free(&lc);
	/* QLinearMul: the add's checks, no LF_DF_SWAP; a per-(image,
	 * channel) x2 is n * ic bytes. */
	struct lf_kc_launch lm;
	base_elem(&lm, BC_NC4, 1);
	const lf_desc *m = &lm.desc[0];
	CU_ASSERT_EQUAL(m->op, LF_KOP_MUL);
	CU_ASSERT_EQUAL(m->flags, LF_DF_X2_PER_NC);
	CU_ASSERT_EQUAL(run_desc(&lm, m), LF_KST_OK);
	d = *m;
	d.flags |= LF_DF_SWAP;
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BAD_OP);
	d = *m;
	d.flags |= LF_DF_X2_PER_CH;
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BAD_OP);
	d = *m;
	d.op = 7;
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BAD_OP);
	d = *m;
	d.x2_scale = INFINITY;
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BAD_QUANT);
	d = *m;
	d.x2_off = lm.act_bytes - 5; /* 6 bytes from there */
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BOUNDS);
	d = *m;
	d.x2_off = d.y_off - 5; /* overlaps y */
	CU_ASSERT_EQUAL(run_desc(&lm, &d), LF_KST_BOUNDS);
	lf_kc_free(&lm);
}

/* --- blocked (LF_DF_BLK) tests -------------------------------------------- */

/* Random blocked pools, adds and muls, each through its kernel and the
 * engine. */
static void test_blk_sweep(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xb10c;
	int cases = lf_test_slow_mode() ? 40 : 240, fails = 0;
	int ops[6] = {0}, swaps = 0, pads = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_random_blk(&r, &l), 0);
		const lf_desc *d = &l.desc[0];
		ops[d->op % 6]++;
		swaps += (d->flags & LF_DF_SWAP) != 0;
		pads += d->ic % LF_BLK_LANES != 0;
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	/* The mix the generator promises. */
	CU_ASSERT(ops[LF_KOP_MAXPOOL] >= cases / 6);
	CU_ASSERT(ops[LF_KOP_AVGPOOL] >= cases / 6);
	CU_ASSERT(ops[LF_KOP_ADD] >= cases / 6);
	CU_ASSERT(swaps > 0);
	CU_ASSERT(pads >= cases / 2);
	/* Blocked muls: every broadcast, per (image, channel) included. */
	int nc = 0;
	for (int i = 0; i < cases / 2; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed ^ 0x3a1b, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_random_blk_mul(&r, &l), 0);
		CU_ASSERT_EQUAL(l.desc[0].op, LF_KOP_MUL);
		nc += (l.desc[0].flags & LF_DF_X2_PER_NC) && l.desc[0].n > 1;
		if (run_check(&l, 0, seed, i) != 0 ||
		    run_check(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT(nc > 0);
	/* Chains in one engine launch, outputs feeding the next op. */
	for (int i = 0; i < (lf_test_slow_mode() ? 4 : 16); i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed ^ 0xc4a1, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_blk_chain(&r, &l), 0);
		CU_ASSERT_EQUAL(run_check(&l, 1, seed ^ 0xc4a1, i), 0);
		lf_kc_free(&l);
	}
}

/*
 * The blocked add's host-C fast path (add.c add_host_vec_avx2, on AVX2 +
 * FMA hosts) switched off: the sweep again through add_blk_vec's loop as
 * written, against the same reference.
 */
static void test_blk_sweep_scalar(void)
{
	lfk__blk_isa = 1;
	test_blk_sweep();
	lfk__blk_isa = 0;
}

/* A blocked launch of one pool over a new input: 0 or -1. */
static int blk_pool_case(struct lf_rng *r, int n, int c, int h, int w, int t,
			 const struct pool_p *p0, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = lb_new_input(&k, n, c, h, w, t);
	struct pool_p p = *p0;
	if (p.op == LF_KOP_AVGPOOL && p.ys == 0.0f)
		p.ys = x.scale * 0.75f;
	if (lb_pool(&k, &x, &p, NULL).off == NONE) {
		lf_kb_abandon(&k);
		return -1;
	}
	return blk_finish(&k, (uint32_t)p.op, l);
}

/* A blocked add of x (n, c, h, w) and an operand broadcast as bc. */
static int blk_add_case(struct lf_rng *r, int n, int c, int h, int w, int t,
			enum bc bc, int full_is_b, struct lf_kc_launch *l)
{
	struct lf_kb k = {.r = r};
	struct act_t x = lb_new_input(&k, n, c, h, w, t);
	struct act_t o = lb_other(&k, &x, bc);
	struct add_p p = {bc, full_is_b, 0, 0, 0, 0, 0};
	add_quant(r, t, &x, &o, &p);
	if (lb_add(&k, &x, &o, &p).off == NONE) {
		lf_kb_abandon(&k);
		return -1;
	}
	return blk_finish(&k, LF_KOP_ADD, l);
}

/*
 * Blocked max pools for the streamed path (pool.c pool_blk_rows: kh <= 2
 * stride_h, no dilation, kw <= 4, 4 <= iw <= LF_POOL_BLK_ROW) and just
 * past it (the tiles): odd sizes, pads at every edge and wider than the
 * window (rows and columns whose windows hold no pixel), ceil_mode, rows
 * no window holds (stride_h > kh), int8 and uint8, 2 channel blocks with
 * pad lanes, 2 images, the widest row it streams and the narrowest.
 */
struct blk_rows_case {
	int n, c, h, w, t;
	int kh, kw, sh, sw, pt, pl, pb, pr, dh, ceil;
	int vrow; /* pool_check picks the streamed path */
};
static const struct blk_rows_case blk_rows_cases[] = {
    /* ResNet-18's max pool */
    {1, 64, 112, 112, LF_KDT_U8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 1},
    {2, 70, 15, 17, LF_KDT_I8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
    {1, 64, 16, 16, LF_KDT_U8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 0, 1},
    {1, 130, 9, 7, LF_KDT_I8, 2, 2, 1, 1, 0, 1, 1, 0, 1, 0, 1},
    {1, 65, 13, 11, LF_KDT_U8, 4, 4, 2, 3, 2, 1, 1, 2, 1, 1, 1},
    {2, 3, 9, 10, LF_KDT_I8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 0, 1},
    {1, 64, 11, 9, LF_KDT_U8, 2, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1},
    /* windows wholly in the padding: the last row, the first and last
     * columns */
    {1, 63, 7, 8, LF_KDT_I8, 6, 4, 3, 3, 5, 4, 5, 4, 1, 1, 1},
    {1, 64, 5, LF_POOL_BLK_ROW, LF_KDT_I8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
    {2, 64, 6, 4, LF_KDT_U8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
    {1, 128, 4, 5, LF_KDT_U8, 4, 2, 2, 1, 3, 0, 3, 1, 1, 0, 1},
    /* the tiles: a row too wide, too narrow; kh > 2 stride_h; kw > 4;
     * a dilation */
    {1, 64, 5, LF_POOL_BLK_ROW + 1, LF_KDT_U8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0},
    {1, 64, 7, 3, LF_KDT_U8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0},
    {1, 70, 9, 9, LF_KDT_I8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {1, 64, 8, 12, LF_KDT_U8, 2, 5, 2, 2, 0, 2, 0, 2, 1, 0, 0},
    {1, 64, 12, 12, LF_KDT_I8, 2, 2, 2, 2, 0, 0, 1, 0, 2, 0, 0},
};
const int lf_kpc_blk_rows_n =
    (int)(sizeof(blk_rows_cases) / sizeof(blk_rows_cases[0]));

/* Case i of blk_rows_cases, random data and clamp; 0 or -1. */
int lf_kpc_blk_rows(struct lf_rng *r, int i, struct lf_kc_launch *l)
{
	const struct blk_rows_case *c = &blk_rows_cases[i];
	struct pool_p p = {.op = LF_KOP_MAXPOOL,
			   .kh = c->kh,
			   .kw = c->kw,
			   .sh = c->sh,
			   .sw = c->sw,
			   .pt = c->pt,
			   .pl = c->pl,
			   .pb = c->pb,
			   .pr = c->pr,
			   .dh = c->dh,
			   .dw = 1,
			   .ceil = c->ceil};
	p.oh = floor_dim(c->h, c->pt, c->pb, c->kh, c->dh, c->sh, c->ceil);
	p.ow = floor_dim(c->w, c->pl, c->pr, c->kw, 1, c->sw, c->ceil);
	pick_clamp(r, c->t, 0, &p.lo, &p.hi);
	return blk_pool_case(r, c->n, c->c, c->h, c->w, c->t, &p, l);
}

/*
 * Input beats the streamed path reads for case i: every input row some
 * window of an output row holds, once, per image and channel block (by
 * counting the rows here, not as pool.c walks them).
 */
static uint64_t blk_rows_beats(int i)
{
	const struct blk_rows_case *c = &blk_rows_cases[i];
	int oh = floor_dim(c->h, c->pt, c->pb, c->kh, c->dh, c->sh, c->ceil);
	uint64_t rows = 0;
	for (int y = 0; y < c->h; y++) {
		int used = 0;
		for (int oy = 0; oy < oh && !used; oy++)
			for (int a = 0; a < c->kh; a++)
				used |= oy * c->sh - c->pt + a * c->dh == y;
		rows += (uint64_t)used;
	}
	uint64_t planes = (uint64_t)c->n * (uint64_t)((c->c + 63) / 64);
	return rows * (uint64_t)c->w * planes;
}

/* The ResNet shapes and every broadcast form of the add. */
static void test_blk_shapes(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xb1f;
	struct lf_rng r;
	struct lf_kc_launch l;
	int idx = 0;
	/* ResNet-18's max pool: 112x112x64, 3x3 s2 pad 1. */
	struct pool_p mp = pool_3x3(2, 112, 112, 0, LF_KDT_U8);
	case_rng(&r, seed, idx);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 1, 64, 112, 112, LF_KDT_U8, &mp, &l), 0);
	CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
	CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
	lf_kc_free(&l);
	/* int8, batch 2, ceil_mode, a dilated max pool, count_include_pad. */
	/* 16x16: floor (16 + 2 - 3) / 2 + 1 = 8, ceil_mode 9. */
	struct pool_p v[4];
	v[0] = pool_3x3(2, 16, 16, 1, LF_KDT_I8);
	v[1] = v[0];
	v[1].ceil = 0;
	v[1].dh = v[1].dw = 2;
	v[1].oh = v[1].ow = 7; /* (16 + 2 - 5) / 2 + 1 */
	v[2] = v[0];
	v[2].op = LF_KOP_AVGPOOL;
	v[2].cpad = 1;
	v[2].yzp = -3;
	v[3] = v[2];
	v[3].cpad = 0;
	v[3].ceil = 0;
	v[3].oh = v[3].ow = 8;
	for (int i = 0; i < 4; i++) {
		case_rng(&r, seed, ++idx);
		CU_ASSERT_EQUAL_FATAL(
		    blk_pool_case(&r, 2, 70, 16, 16, LF_KDT_I8, &v[i], &l), 0);
		CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
		CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
		lf_kc_free(&l);
	}
	/*
	 * The row buffer and accumulators keep the previous descriptor's
	 * bytes: a first max pool over two all-0xff rows (streamed: one
	 * into each row accumulator, the first of which is the tiles' row
	 * buffer) fills every column the second one's windows reach into
	 * the padding; those taps must still count for nothing (max, on
	 * the streamed path, and average, on the tiles).
	 */
	for (int i = 0; i < 2; i++) {
		struct lf_kb k = {.r = &r};
		case_rng(&r, seed, ++idx);
		size_t nh = (size_t)64 * 2 * (2 * LF_BLK_LANES - 1);
		uint8_t *ones = lf_kc_xmalloc(nh);
		memset(ones, 0xff, nh);
		struct act_t hi = {0,	      1, 64,  2, 2 * LF_BLK_LANES - 1,
				   LF_KDT_U8, 0, 1.0f};
		hi.off = lf_kb_input(&k, ones, nh);
		free(ones);
		struct pool_p wide = {.op = LF_KOP_MAXPOOL,
				      .kh = 1,
				      .kw = 1,
				      .sh = 1,
				      .sw = 2,
				      .dh = 1,
				      .dw = 1,
				      .oh = 2,
				      .ow = LF_BLK_LANES,
				      .lo = 0,
				      .hi = 255};
		struct act_t x = lb_new_input(&k, 1, 64, 9, 9, LF_KDT_U8);
		struct pool_p p = mp;
		p.ceil = 1;
		p.oh = p.ow = 5; /* (9 + 2 - 3) / 2 + 1 */
		p.pr = 2;	 /* and one more column of padding */
		if (i) {
			p.op = LF_KOP_AVGPOOL;
			p.ys = x.scale;
			p.yzp = 128;
		}
		CU_ASSERT_FATAL(lb_pool(&k, &hi, &wide, NULL).off != NONE);
		CU_ASSERT_FATAL(lb_pool(&k, &x, &p, NULL).off != NONE);
		CU_ASSERT_EQUAL_FATAL(blk_finish(&k, (uint32_t)p.op, &l), 0);
		CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
		CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
		lf_kc_free(&l);
	}
	/* The global average of ResNet's last feature map: 7x7x512. */
	for (int t = 0; t < 2; t++) {
		/* ys 0: blk_pool_case picks 0.75 * x's scale. */
		struct pool_p gp = pool_gap(7, 7, 0.0f, 5, t);
		case_rng(&r, seed, ++idx);
		CU_ASSERT_EQUAL_FATAL(
		    blk_pool_case(&r, 2, 512, 7, 7, t, &gp, &l), 0);
		CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
		CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
		lf_kc_free(&l);
	}
	/* Add: 56x56x64 (ResNet's residual), then every broadcast form
	 * with the full operand as ONNX's A and as its B (LF_DF_SWAP where
	 * ORT swaps: a one-element operand against rows of width 1), on 70
	 * channels. */
	case_rng(&r, seed, ++idx);
	CU_ASSERT_EQUAL_FATAL(
	    blk_add_case(&r, 1, 64, 56, 56, LF_KDT_U8, BC_FULL, 0, &l), 0);
	CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
	CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
	lf_kc_free(&l);
	int swaps = 0;
	for (int b = BC_FULL; b <= BC_CH3; b++)
		for (int fb = 0; fb < 2; fb++) {
			if (b == BC_FULL && fb)
				continue;
			for (int t = 0; t < 2; t++) {
				case_rng(&r, seed, ++idx);
				CU_ASSERT_EQUAL_FATAL(
				    blk_add_case(&r, 2, 70, 5, t ? 1 : 6, t,
						 (enum bc)b, fb, &l),
				    0);
				swaps += (l.desc[0].flags & LF_DF_SWAP) != 0;
				CU_ASSERT_EQUAL(run_check(&l, 0, seed, idx), 0);
				CU_ASSERT_EQUAL(run_check(&l, 1, seed, idx), 0);
				lf_kc_free(&l);
			}
		}
	CU_ASSERT(swaps >= 2);
}

/*
 * The streamed max pool's shapes and the tiles' just past them, through
 * lfk_pool and lfk_engine: the reference's bytes, and the path each took
 * (pool_blk_vld ran or not; when it ran, every row a window holds was
 * read exactly once: its iterations are those rows' beats).
 */
static void test_blk_rows(void)
{
	uint64_t seed = lf_kc_seed() ^ 0xb1a0;
	int fails = 0, streamed = 0;
	for (int i = 0; i < lf_kpc_blk_rows_n; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		case_rng(&r, seed, i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_blk_rows(&r, i, &l), 0);
		for (int engine = 0; engine < 2; engine++) {
			lfk_cycles_reset();
			if (run_check(&l, engine, seed, i) != 0)
				fails++;
			struct lfk_pipe_stat vld, vst, ld;
			CU_ASSERT_FATAL(lfk_pipe_stats(LFP_pool_blk_vld, &vld));
			CU_ASSERT_FATAL(lfk_pipe_stats(LFP_pool_blk_vst, &vst));
			CU_ASSERT_FATAL(lfk_pipe_stats(LFP_pool_blk_load, &ld));
			const lf_desc *d = &l.desc[0];
			if (blk_rows_cases[i].vrow) {
				CU_ASSERT_EQUAL(vld.iters, blk_rows_beats(i));
				CU_ASSERT_EQUAL(vst.iters,
						(uint64_t)d->n *
						    ((d->ic + 63) / 64) *
						    d->oh * d->ow);
				CU_ASSERT_EQUAL(ld.calls, 0);
				streamed += engine;
			} else {
				CU_ASSERT_EQUAL(vld.calls + vst.calls, 0);
				CU_ASSERT(ld.calls > 0);
			}
		}
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT(streamed >= lf_kpc_blk_rows_n / 2);
}

/* Rejections: misaligned offsets, ranges, limits; act untouched. */
static void test_blk_errors(void)
{
	struct lf_rng r;
	struct lf_kc_launch lm, la, lg, lad, lsc;
	struct pool_p mp = {.op = LF_KOP_MAXPOOL,
			    .kh = 3,
			    .kw = 2,
			    .sh = 2,
			    .sw = 1,
			    .pt = 1,
			    .pb = 1,
			    .dh = 1,
			    .dw = 1,
			    .lo = 0,
			    .hi = 255};
	mp.oh = floor_dim(7, 1, 1, 3, 1, 2, 0);
	mp.ow = floor_dim(9, 0, 0, 2, 1, 1, 0);
	case_rng(&r, 0xb1e, 0);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 2, 70, 7, 9, LF_KDT_U8, &mp, &lm), 0);
	struct pool_p ap = mp;
	ap.op = LF_KOP_AVGPOOL;
	ap.yzp = 3;
	case_rng(&r, 0xb1e, 1);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 2, 70, 7, 9, LF_KDT_U8, &ap, &la), 0);
	struct pool_p gp = ap;
	gp.kh = 7, gp.kw = 9, gp.pt = gp.pb = 0, gp.oh = gp.ow = 1;
	case_rng(&r, 0xb1e, 2);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 2, 70, 7, 9, LF_KDT_U8, &gp, &lg), 0);
	case_rng(&r, 0xb1e, 3);
	CU_ASSERT_EQUAL_FATAL(
	    blk_add_case(&r, 2, 70, 3, 5, LF_KDT_I8, BC_FULL, 0, &lad), 0);
	case_rng(&r, 0xb1e, 4);
	CU_ASSERT_EQUAL_FATAL(
	    blk_add_case(&r, 1, 70, 3, 5, LF_KDT_I8, BC_SCALAR, 0, &lsc), 0);
	struct lf_kc_launch *all[] = {&lm, &la, &lg, &lad, &lsc};
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(run_desc(all[i], &all[i]->desc[0]), LF_KST_OK);
	lf_desc d;
#define TRY_BLK(l, stmt, want)                                                 \
	do {                                                                   \
		d = (l)->desc[0];                                              \
		stmt;                                                          \
		CU_ASSERT_EQUAL(run_desc((l), &d), (want));                    \
	} while (0)
	for (int i = 0; i < 5; i++) {
		struct lf_kc_launch *l = all[i];
		/* Offsets off the 64-byte grid, even by one byte. */
		TRY_BLK(l, d.x_off += 1, LF_KST_BOUNDS);
		TRY_BLK(l, d.y_off += 32, LF_KST_BOUNDS);
		TRY_BLK(l, d.y_off -= 1, LF_KST_BOUNDS);
		/* One more image than act holds: x runs past the end. */
		TRY_BLK(l, d.n += 1, LF_KST_BOUNDS);
		/* y overlapping x. */
		TRY_BLK(l, d.y_off = d.x_off, LF_KST_BOUNDS);
		/* A flag the op does not have. */
		TRY_BLK(l, d.flags |= LF_DF_B_ACT, LF_KST_BAD_OP);
	}
	TRY_BLK(&lad, d.x2_off += 1, LF_KST_BOUNDS);
	TRY_BLK(&lsc, d.x2_off += 63, LF_KST_BOUNDS);
	TRY_BLK(&lm, d.flags |= LF_DF_COUNT_PAD, LF_KST_BAD_OP);
	/* Blocked needs 64 bytes per pixel: the NCHW size check of 70
	 * channels would pass where 128 lanes do not fit. */
	TRY_BLK(&lg, d.ic = 129, LF_KST_BOUNDS);
	/* The window row (kw - 1) * dil_w + 1 must fit the row buffer:
	 * valid as a shape, over the blocked limit. */
	TRY_BLK(&lm,
		(d.kw = 3, d.dil_w = LF_POOL_BLK_ROW / 2 + 1, d.iw = 400,
		 d.ow = 400 - 2 * d.dil_w),
		LF_KST_LIMIT);
	/* A valid shape (oh = (300 + 2 - 256) / 2 + 1), kh over the limit. */
	TRY_BLK(&lm, (d.kh = LF_POOL_KDIM_MAX + 1, d.ih = 300, d.oh = 24),
		LF_KST_LIMIT);
#undef TRY_BLK
	for (int i = 0; i < 5; i++)
		lf_kc_free(all[i]);
}

/* --- the cycle model ------------------------------------------------------ */

static lf_u64 cycles_of(const struct lf_kc_launch *l)
{
	lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l->ndesc);
	memcpy(d, l->desc, sizeof(lf_desc) * l->ndesc);
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	lfk_cycles_reset();
	kernel_call(l->op, d, l->ndesc, l->params, l->params_bytes, act,
		    l->act_bytes);
	lf_u64 c = lfk_cycles_get();
	CU_ASSERT_EQUAL(d[0].status, LF_KST_OK);
	free(d);
	free(act);
	return c;
}

/* More work, more cycles; never faster than the datapath's width. */
static void test_cycles(void)
{
	struct lf_rng r;
	struct lf_kc_launch s, b;
	/* Max pooling: 3x3 over 4x16x16 vs 16x32x32. */
	for (int big = 0; big < 2; big++) {
		struct lf_kb k = {.r = &r};
		case_rng(&r, 0xc7c, big);
		int c = big ? 16 : 4, hw = big ? 32 : 16;
		struct act_t x = lb_new_input(&k, 1, c, hw, hw, LF_KDT_U8);
		struct pool_p p = pool_3x3(1, hw, hw, 0, LF_KDT_U8);
		CU_ASSERT_FATAL(lb_pool(&k, &x, &p, NULL).off != NONE);
		lf_kb_finish(&k, LF_KOP_MAXPOOL, big ? &b : &s);
	}
	lf_u64 cs = cycles_of(&s), cb = cycles_of(&b);
	CU_ASSERT(cs > 0);
	CU_ASSERT(cb > 8 * cs);
	/* One (tap, column) per cycle at best. */
	CU_ASSERT(cb >= 16ull * 32 * 32 * 9);
#if LF_LAT_MEM == 64 && LF_DEPTH_LD == 2 && LF_DEPTH_MAC == 8 &&               \
    LF_DEPTH_RQ == 12 && LF_LAT_FADD == 5 && LF_DESC_CYCLES == 136 &&          \
    LF_CONV_BEAT == 64 && LF_POOL_TW_MAX >= 32 && LF_ADD_LANES == 16 &&        \
    LF_AXI_BURST == 64 && LF_AXI_OUTSTANDING == 16
	/*
	 * By hand, from the lf_pipes.h table (invocation = lat_mem if it
	 * reads + depth + max(II * (trips - 1), memory); memory per
	 * direction max(beats, transactions * 64 / 16), no bank figures).
	 * One descriptor: desc_fetch, 64 word reads in one burst,
	 * 64 + 2 + max(63, 64) = 130, and LF_DESC_CYCLES 136: 266.
	 * Small: 4 planes of 16x16, one tile of 16 columns per output row;
	 * window rows inside the image: 16 * 3 - 2 = 46 per plane.
	 *   pool_load_row  tcols 18 = 1 iteration of 64 single reads:
	 *                  max(0, 64 * 4); 64 + 2 + 256              = 322
	 *   pool_taps      3 * 16 = 48 trips: 8 + 5 * 47             = 243
	 *   pool_store     16 trips, 16 beats in 1 burst: 12 + 16    =  28
	 *   plane: 46 * (322 + 243) + 16 * 28 = 25990 + 448          = 26438
	 *   4 planes + one descriptor: 4 * 26438 + 266               = 106018
	 * Big: 16 planes of 32x32, 32 * 3 - 2 = 94 window rows per plane.
	 *   pool_load_row  tcols 34 = 1 iteration                    = 322
	 *   pool_taps      96 trips: 8 + 5 * 95                      = 483
	 *   pool_store     32 trips: 12 + max(31, 32)                =  44
	 *   plane: 94 * 805 + 32 * 44 = 75670 + 1408                 = 77078
	 *   16 * 77078 + 266                                         = 1233514
	 */
	CU_ASSERT_EQUAL(cs, 106018);
	CU_ASSERT_EQUAL(cb, 1233514);
#endif
	lf_kc_free(&s);
	lf_kc_free(&b);

	/* Add: LF_ADD_LANES elements per cycle at best. */
	for (int big = 0; big < 2; big++) {
		struct lf_kb k = {.r = &r};
		case_rng(&r, 0xc7d, big);
		struct act_t x = lb_new_input(&k, 1, big ? 64 : 8, 28, 28, 0);
		struct act_t o = lb_other(&k, &x, BC_FULL);
		struct add_p p = {BC_FULL, 0, 0.1f, 3, 0, 255, 0};
		CU_ASSERT_FATAL(lb_add(&k, &x, &o, &p).off != NONE);
		lf_kb_finish(&k, LF_KOP_ADD, big ? &b : &s);
	}
	cs = cycles_of(&s);
	cb = cycles_of(&b);
	CU_ASSERT(cb > 4 * cs);
	CU_ASSERT(cb >= 64ull * 28 * 28 / LF_ADD_LANES);
#if LF_LAT_MEM == 64 && LF_DEPTH_RQ == 12 && LF_DESC_CYCLES == 136 &&          \
    LF_DEPTH_LD == 2 && LF_ADD_LANES == 16 && LF_AXI_BURST == 64 &&            \
    LF_AXI_OUTSTANDING == 16
	/*
	 * add_vec reads 2 * 16 bytes per iteration through act: II 32. A
	 * plane of 28 * 28 = 784 elements is 49 iterations: 1568 single
	 * reads (port: 1568 * 64 / 16 = 6272 cycles) and 784 single writes
	 * (3136), against 32 * 48 = 1536 of compute:
	 *   64 + 12 + 6272 = 6348 per plane; the descriptor 266 (above)
	 *   and its table (qadd_tab, on chip: 256 trips, 12 + 255 = 267)
	 *   small, 8 planes:  8 * 6348 + 266 + 267 = 51317
	 *   big, 64 planes:  64 * 6348 + 266 + 267 = 406805
	 */
	CU_ASSERT_EQUAL(cs, 51317);
	CU_ASSERT_EQUAL(cb, 406805);
	/*
	 * A bank that gives this CU 1 byte per cycle at efficiency 0.5 for
	 * single transactions of at least 64 bytes: each of the 1568 reads
	 * and 784 writes costs 64 / (1 * 0.5) = 128 cycles of bank time,
	 * (1568 + 784) * 128 = 301056 > 6272 per plane:
	 *   64 + 12 + 301056 = 301132 per plane;
	 *   8 * 301132 + 266 + 267 = 2409589
	 * (the desc port has no bank figures: its fetch stays 130)
	 */
	CU_ASSERT(lfk_mem_set(LFP_PORT_ACT, 1.0f, 0.9f, 0.5f, 64));
	CU_ASSERT_EQUAL(cycles_of(&s), 2409589);
	CU_ASSERT(!lfk_mem_set(LFP_NPORTS, 1.0f, 0.9f, 0.5f, 64));
	CU_ASSERT(!lfk_mem_set(LFP_PORT_ACT, 1.0f, 0.0f, 0.5f, 64));
	CU_ASSERT(lfk_mem_set(LFP_PORT_ACT, 0.0f, 0.9f, 0.5f, 64));
	CU_ASSERT_EQUAL(cycles_of(&s), 51317);
#endif
	lf_kc_free(&s);
	lf_kc_free(&b);
}

/*
 * The blocked datapaths in the cycle model: a small case by hand, and the
 * figures of ResNet-18's max pool and a 56x56x64 add, NCHW and blocked
 * (printed; modeled cycles, not a timing).
 */
static void test_blk_cycles(void)
{
	struct lf_rng r;
	struct lf_kc_launch ln, lb;
	struct pool_p mp = pool_3x3(1, 4, 4, 0, LF_KDT_U8);
	case_rng(&r, 0xb1c, 0);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 1, 64, 4, 4, LF_KDT_U8, &mp, &lb), 0);
	lf_u64 cp = cycles_of(&lb);
	lf_kc_free(&lb);
	case_rng(&r, 0xb1c, 1);
	CU_ASSERT_EQUAL_FATAL(
	    blk_add_case(&r, 1, 64, 4, 4, LF_KDT_U8, BC_FULL, 0, &lb), 0);
	lf_u64 ca = cycles_of(&lb);
	lf_kc_free(&lb);
#if LF_LAT_MEM == 64 && LF_DEPTH_LD == 2 && LF_DEPTH_RQ == 12 &&               \
    LF_DESC_CYCLES == 136 && LF_POOL_BLK_TW >= 4 && LF_POOL_BLK_ROW >= 6 &&    \
    LF_POOL_BLK_ROW >= 16 && LF_AXI_BURST == 64 && LF_AXI_OUTSTANDING == 16
	/*
	 * Max pool 3x3 s1 p1 over 4x4x64 (one channel block), one tile of
	 * 4 columns per output row, 6 columns of which 4 in the image; ten
	 * window rows inside the image in all (2 + 3 + 3 + 2). A beat is one
	 * access of the act port (port: max(beats, 1 burst * 64 / 16)).
	 *   pool_blk_clear  4 trips: 2 + 3                            =   5
	 *   pool_blk_load   4 beats, one burst: 64 + 2 + max(3, 4)    =  70
	 *   pool_blk_maxw   4 trips (a column's 3 taps at once), II 1:
	 *                   2 + 3                                     =   5
	 *   pool_blk_store  4 beats written: 2 + max(3, 4)            =   6
	 *   4 * (5 + 6) + 10 * (70 + 5) + 266 (descriptor)           = 1060
	 * (1140 with pool_blk_max's one tap a cycle: 12 trips, 13.)
	 * Add of two 4x4x64 tensors: 16 beats each, one chunk.
	 *   add_blk_load    x, then x2: 64 + 2 + max(15, 16)         =   82
	 *   add_blk_vec     16 beats written: 12 + max(15, 16)       =   28
	 *   qadd_tab        the table, 256 trips on chip: 12 + 255   =  267
	 *   2 * 82 + 28 + 267 + 266                                  =  725
	 */
	CU_ASSERT_EQUAL(cp, 1060);
	CU_ASSERT_EQUAL(ca, 725);
#endif
	/* The streamed path (kh 3 <= 2 * stride 2). */
	mp = pool_3x3(2, 8, 8, 0, LF_KDT_U8);
	case_rng(&r, 0xb1c, 5);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 1, 64, 8, 8, LF_KDT_U8, &mp, &lb), 0);
	cp = cycles_of(&lb);
	lf_kc_free(&lb);
#if LF_LAT_MEM == 64 && LF_DEPTH_LD == 2 && LF_DEPTH_MAC == 8 &&               \
    LF_DESC_CYCLES == 136 && LF_POOL_BLK_ROW >= 8 && LF_AXI_BURST == 64 &&     \
    LF_AXI_OUTSTANDING == 16
	/*
	 * Max pool 3x3 s2 p1 over 8x8x64 -> 4x4: output row oy's window is
	 * rows 2 oy - 1 .. 2 oy + 1; row 0 has rows 0 and 1 in the image,
	 * each later one two new rows (2, 3; 4, 5; 6, 7), each read once.
	 *   pool_blk_vld  2 rows = 16 beats, one burst (port: max(16,
	 *                 1 * 64 / 16)): 64 + 2 + max(15, 16)         =  82
	 *   pool_blk_vst  4 beats written: 8 + max(3, 4)              =  12
	 *   4 * (82 + 12) + 266 (descriptor)                          = 642
	 */
	CU_ASSERT_EQUAL(cp, 642);
#endif
	/* ResNet-18's max pool and a residual add at 56x56x64. */
	mp = pool_3x3(2, 112, 112, 0, LF_KDT_U8);
	struct lf_kb k = {.r = &r};
	case_rng(&r, 0xb1c, 2);
	struct act_t x = lb_new_input(&k, 1, 64, 112, 112, LF_KDT_U8);
	CU_ASSERT_FATAL(lb_pool(&k, &x, &mp, NULL).off != NONE);
	lf_kb_finish(&k, LF_KOP_MAXPOOL, &ln);
	lf_u64 pool_nchw = cycles_of(&ln);
	lf_kc_free(&ln);
	case_rng(&r, 0xb1c, 2);
	CU_ASSERT_EQUAL_FATAL(
	    blk_pool_case(&r, 1, 64, 112, 112, LF_KDT_U8, &mp, &lb), 0);
	lf_u64 pool_blk = cycles_of(&lb);
	lf_kc_free(&lb);
	k = (struct lf_kb){.r = &r};
	case_rng(&r, 0xb1c, 3);
	x = lb_new_input(&k, 1, 64, 56, 56, LF_KDT_U8);
	struct act_t o = lb_other(&k, &x, BC_FULL);
	struct add_p ap = {BC_FULL, 0, 0.1f, 3, 0, 255, 0};
	CU_ASSERT_FATAL(lb_add(&k, &x, &o, &ap).off != NONE);
	lf_kb_finish(&k, LF_KOP_ADD, &ln);
	lf_u64 add_nchw = cycles_of(&ln);
	lf_kc_free(&ln);
	case_rng(&r, 0xb1c, 4);
	CU_ASSERT_EQUAL_FATAL(
	    blk_add_case(&r, 1, 64, 56, 56, LF_KDT_U8, BC_FULL, 0, &lb), 0);
	lf_u64 add_blk = cycles_of(&lb);
	lf_kc_free(&lb);
	printf("\n  modeled cycles, max pool 112x112x64 3x3 s2 p1: NCHW %llu, "
	       "blocked %llu; add 56x56x64: NCHW %llu, blocked %llu ",
	       (unsigned long long)pool_nchw, (unsigned long long)pool_blk,
	       (unsigned long long)add_nchw, (unsigned long long)add_blk);
	CU_ASSERT(pool_blk < pool_nchw);
	CU_ASSERT(add_blk < add_nchw);
}

/* --- through the emulated device ----------------------------------------- */

/*
 * Runs launch l on CU cu of dev (buffers in the banks the CU's ports
 * reach) and compares statuses and act with l. Returns 0 on success.
 */
static int emu_launch(lf_dev *dev, uint32_t cu, const struct lf_kc_launch *l,
		      int index)
{
	struct lf_test_emu_probe p;
	lf_run *run = NULL;
	uint8_t *out = lf_kc_xmalloc(l->act_bytes);
	lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l->ndesc);
	int bad = -1;
	/* Pooling and add read no params: the buffer still has a byte. */
	uint32_t pb = l->params_bytes ? l->params_bytes : 1;
	if (lf_test_emu_probe_alloc(dev, cu, l->ndesc, pb, l->act_bytes, &p) !=
	    LF_OK)
		goto out;
	if (lf__bo_write(p.desc, l->desc, sizeof(lf_desc) * l->ndesc, 0) ==
		LF_OK &&
	    (!l->params_bytes ||
	     lf__bo_write(p.params, l->params, l->params_bytes, 0) == LF_OK) &&
	    lf__bo_write(p.act, l->act, l->act_bytes, 0) == LF_OK &&
	    lf_test_emu_probe_start(&p, l->params_bytes, l->act_bytes, &run) ==
		LF_OK) {
		lf_status st = lf__run_wait(run, LF_DRV_WAIT_FOREVER);
		CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
		if (st == LF_OK &&
		    lf__bo_read(p.act, out, l->act_bytes, 0) == LF_OK &&
		    lf__bo_read(p.desc, d, sizeof(lf_desc) * l->ndesc, 0) ==
			LF_OK) {
			bad = 0;
			for (uint32_t i = 0; i < l->ndesc; i++)
				if (d[i].status != LF_KST_OK)
					bad = -1;
			if (lf_kc_compare(l, out, "emu", 0, index) != 0)
				bad = -1;
		}
	}
	lf_test_emu_probe_free(&p);
out:
	free(out);
	free(d);
	return bad;
}

/*
 * The emulation xclbin's lfk_pool, lfk_add and lfk_engine CUs (both lanes,
 * each wired to its own banks) run the same launches as the host-C calls.
 */
static void test_emu_xclbin(void)
{
	lf_dev *dev = lf_test_emu_open("emu:tiny");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_test_emu_load_file(dev, "tiny"), LF_OK);
	static const char *const names[] = {"lfk_pool", "lfk_add",
					    "lfk_engine"};
	int fails = 0;
	for (int k = 0; k < 3; k++) {
		uint32_t cu = 0;
		CU_ASSERT_EQUAL_FATAL(lf__dev_find_cu(dev, names[k], &cu),
				      LF_OK);
		for (uint32_t lane = 0; lane < 2; lane++) {
			struct lf_rng r;
			struct lf_kc_launch l;
			int index = k * 2 + (int)lane;
			case_rng(&r, 0xe30, index);
			int st = k == 0	  ? lf_kpc_random_pool(&r, &l)
				 : k == 1 ? lf_kpc_random_add(&r, &l)
					  : lf_kpc_resnet_chain(&r, &l);
			CU_ASSERT_EQUAL_FATAL(st, 0);
			if (emu_launch(dev, cu + lane, &l, index) != 0)
				fails++;
			lf_kc_free(&l);
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT(lf__dev_limit(dev, "lfk_engine.macs_per_cycle", -1) ==
		  LF_CONV_MACS_PEAK);
	CU_ASSERT(lf__dev_limit(dev, "lfk_pool.row_bytes", -1) == LF_POOL_ROW);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

void lf_test_suite_kernels_pool(void)
{
	static const struct lf_test_case cases[] = {
	    {"pool_sweep", test_pool_sweep},
	    {"add_sweep", test_add_sweep},
	    {"add_ties", test_add_ties},
	    {"mul_sweep", test_mul_sweep},
	    {"add_pairs", test_add_pairs},
	    {"mul_pairs", test_mul_pairs},
	    {"mul_ties", test_mul_ties},
	    {"pool_row_edge", test_pool_row_edge},
	    {"engine_resnet", test_engine_resnet},
	    {"engine_random", test_engine_random},
	    {"engine_stops", test_engine_stops},
	    {"pool_errors", test_pool_errors},
	    {"add_errors", test_add_errors},
	    {"cycles", test_cycles},
	    {"blk_sweep", test_blk_sweep},
	    {"blk_sweep_scalar", test_blk_sweep_scalar},
	    {"blk_shapes", test_blk_shapes},
	    {"blk_rows", test_blk_rows},
	    {"blk_errors", test_blk_errors},
	    {"blk_cycles", test_blk_cycles},
	    {"emu_xclbin", test_emu_xclbin},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels_pool", NULL, NULL, cases);
}
