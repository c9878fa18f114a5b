/* tile.c - the tiling planner and descriptor packer (see tile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/tile.h"

/* Growable arrays of tiles and slices. */
struct builder {
	struct lf__plan *p;
	int cap_tiles, cap_slices;
	lf_status st;
};

static struct lf__tile *add_tile(struct builder *b)
{
	struct lf__plan *p = b->p;
	if (p->ntiles == b->cap_tiles) {
		int cap = b->cap_tiles ? b->cap_tiles * 2 : 16;
		struct lf__tile *t =
		    realloc(p->tiles, (size_t)cap * sizeof(*t));
		if (!t) {
			b->st = LF_ERR_NO_MEMORY;
			return NULL;
		}
		p->tiles = t;
		b->cap_tiles = cap;
	}
	struct lf__tile *t = &p->tiles[p->ntiles++];
	memset(t, 0, sizeof(*t));
	return t;
}

static struct lf__wslice *add_slice(struct builder *b)
{
	struct lf__plan *p = b->p;
	if (p->nslices == b->cap_slices) {
		int cap = b->cap_slices ? b->cap_slices * 2 : 8;
		struct lf__wslice *s =
		    realloc(p->slices, (size_t)cap * sizeof(*s));
		if (!s) {
			b->st = LF_ERR_NO_MEMORY;
			return NULL;
		}
		p->slices = s;
		b->cap_slices = cap;
	}
	struct lf__wslice *s = &p->slices[p->nslices++];
	memset(s, 0, sizeof(*s));
	return s;
}

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~(uint64_t)63;
}

static uint32_t kdtype(lf_dtype t)
{
	return t == LF_DTYPE_UINT8  ? LF_KDT_U8
	       : t == LF_DTYPE_INT8 ? LF_KDT_I8
				    : LF_KDT_I32;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

void lf__desc_window(const struct lf__layer *L, lf_desc *d)
{
	d->n = (uint32_t)L->n;
	d->ih = (uint32_t)L->ih;
	d->iw = (uint32_t)L->iw;
	d->oh = (uint32_t)L->oh;
	d->ow = (uint32_t)L->ow;
	d->kh = (uint32_t)L->kh;
	d->kw = (uint32_t)L->kw;
	d->stride_h = (uint32_t)L->stride_h;
	d->stride_w = (uint32_t)L->stride_w;
	d->pad_t = (uint32_t)L->pad_t;
	d->pad_l = (uint32_t)L->pad_l;
	d->pad_b = (uint32_t)L->pad_b;
	d->pad_r = (uint32_t)L->pad_r;
	d->dil_h = (uint32_t)L->dil_h;
	d->dil_w = (uint32_t)L->dil_w;
}

/* Fields every descriptor of the layer shares. */
void lf__desc_common(const struct lf__layer *L, lf_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->magic = LF_DESC_MAGIC;
	d->op = (uint32_t)L->op;
	d->x_type = kdtype(L->x_type);
	d->w_type = kdtype(L->w_type);
	d->y_type = kdtype(L->y_type);
	d->x_zp = L->x_zp;
	d->y_zp = L->y_zp;
	d->act_min = L->act_min;
	d->act_max = L->act_max;
	d->x_scale = L->x_scale;
	d->y_scale = L->y_scale;
}

/*
 * Per-channel params after the slices; the tile's quantization offsets
 * for first channel ch0, and the partial-sum form for a split reduction.
 */
static void desc_quant(const struct lf__layer *L, const struct lf__plan *p,
		       lf_desc *d, uint32_t ch0, int chunk, int split)
{
	int per_ch = L->w_zp_count > 1;
	if (per_ch)
		d->flags |= LF_DF_W_PER_CH;
	d->w_zp_off = (uint32_t)(p->w_zp_off + (per_ch ? 4ull * ch0 : 0));
	d->mult_off = (uint32_t)(p->mult_off + (per_ch ? 4ull * ch0 : 0));
	if (L->has_bias && chunk == 0) {
		d->flags |= LF_DF_BIAS;
		d->bias_off = (uint32_t)(p->bias_off + 4ull * ch0);
	}
	if (L->lut && L->y_type != LF_DTYPE_INT32 && !split) {
		d->flags |= LF_DF_LUT;
		d->lut_off = (uint32_t)p->lut_off;
	}
	if (split) {
		/* Raw accumulators; the host requantizes the sum and looks
		 * it up in the table (pack.c). */
		d->y_type = LF_KDT_I32;
		d->y_zp = 0;
		d->act_min = INT32_MIN;
		d->act_max = INT32_MAX;
	}
}

/* Lay out the per-channel arrays after @wbytes of weights. */
static void params_tail(const struct lf__layer *L, struct lf__plan *p,
			uint64_t wbytes)
{
	int ch = lf__layer_channels(L);
	uint64_t off = align64(wbytes);
	p->bias_off = off;
	off = align64(off + (L->has_bias ? 4ull * (uint64_t)ch : 0));
	p->w_zp_off = off;
	off = align64(off + 4ull * (uint64_t)L->w_zp_count);
	p->mult_off = off;
	int nmult = L->w_scale_count > 0 ? L->w_zp_count : 0;
	off = align64(off + 4ull * (uint64_t)nmult);
	p->lut_off = 0;
	if (L->lut && L->y_type != LF_DTYPE_INT32) {
		p->lut_off = off; /* on a beat, as LF_DF_LUT wants */
		off = align64(off + LF_LUT_BYTES);
	}
	p->params_bytes = off;
}

/* ---- conv2d ------------------------------------------------------------ */

struct conv_geo {
	int64_t icg, ocg, kc, nchunks;
	int64_t span_h, span_w;
	int64_t rows; /* output rows per tile */
	int row_split;
	int64_t ngt; /* groups per tile (whole-group tiles), or 0 */
	int64_t oct; /* output channels per tile inside one group */
	int64_t nt;  /* batch per tile */
};

/* Largest channel chunk (multiple of pe_k) whose window fits on chip. */
static int64_t conv_kc_max(const struct lf__layer *L,
			   const struct lf__klimits *lim, int64_t span_w)
{
	int64_t kvec = lim->kmax / lim->pe_k;
	int64_t by_k = kvec / ((int64_t)L->kh * L->kw);
	int64_t by_x = lim->xvec / ((int64_t)L->kh * span_w);
	int64_t icv = min64(by_k, by_x);
	return icv * lim->pe_k;
}

static lf_status conv_geometry(const struct lf__layer *L,
			       const struct lf__klimits *lim,
			       struct conv_geo *g, struct lf__diag *dg)
{
	int64_t dm = lim->dim_max;
	if (L->kh > lim->kdim_max || L->kw > lim->kdim_max)
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "kernel window %lld wide exceeds kdim_max "
				     "%lld",
				     (long long)(L->kh > L->kw ? L->kh : L->kw),
				     (long long)lim->kdim_max);
	int steps[4] = {L->stride_h, L->stride_w, L->dil_h, L->dil_w};
	for (int i = 0; i < 4; i++)
		if (steps[i] > lim->step_max)
			return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
					     "stride/dilation %lld exceeds "
					     "step_max %lld",
					     (long long)steps[i],
					     (long long)lim->step_max);
	int pads[4] = {L->pad_t, L->pad_l, L->pad_b, L->pad_r};
	for (int i = 0; i < 4; i++)
		if (pads[i] > dm)
			return lf__diag_fail(
			    dg, LF_ERR_UNSUPPORTED,
			    "padding %lld exceeds dim_max %lld",
			    (long long)pads[i], (long long)dm);
	if (L->iw > dm || L->ow > dm)
		return lf__diag_fail(
		    dg, LF_ERR_UNSUPPORTED,
		    "width %lld exceeds dim_max %lld (only rows "
		    "are split)",
		    (long long)(L->iw > L->ow ? L->iw : L->ow), (long long)dm);

	g->icg = L->ic / L->groups;
	g->ocg = L->oc / L->groups;
	g->span_h = (int64_t)(L->kh - 1) * L->dil_h + 1;
	g->span_w = (int64_t)(L->kw - 1) * L->dil_w + 1;

	/* Reduction chunks. */
	int64_t kcmax = conv_kc_max(L, lim, g->span_w);
	if (kcmax < 1) {
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "a %dx%d window does not fit the kernel's "
				     "buffers even for one channel vector "
				     "(kmax %lld)",
				     L->kh, L->kw, (long long)lim->kmax);
	}
	kcmax = min64(kcmax, dm);
	g->kc = min64(g->icg, kcmax);
	g->nchunks = ceil_div(g->icg, g->kc);

	/* Rows. */
	g->row_split = L->ih > dm || L->oh > dm;
	g->rows = L->oh;
	if (g->row_split) {
		if (g->span_h > dm)
			return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
					     "the dilated window is %lld rows, "
					     "more than dim_max %lld",
					     (long long)g->span_h,
					     (long long)dm);
		g->rows = min64((dm - g->span_h) / L->stride_h + 1, dm);
	}

	/* Channels: whole groups per tile when a group fits, else part of
	 * one group. */
	g->ngt = 0;
	g->oct = min64(g->ocg, dm);
	if (g->nchunks == 1 && g->icg <= dm && g->ocg <= dm) {
		g->ngt = min64(L->groups, min64(dm / g->icg, dm / g->ocg));
		g->oct = g->ocg;
	}
	/* Batch: several images per tile only while x and y stay dense. */
	g->nt = 1;
	if (!g->row_split && g->nchunks == 1 && g->ngt == L->groups)
		g->nt = min64(L->n, dm);
	return LF_OK;
}

/* Weights: one slice (the tensor as is) or one per (group, chunk). */
static lf_status conv_slices(struct builder *b, const struct lf__layer *L,
			     const struct conv_geo *g, uint64_t *slice_off)
{
	struct lf__plan *p = b->p;
	uint64_t k2 = (uint64_t)L->kh * L->kw;
	uint64_t off = 0;
	if (g->nchunks == 1) {
		struct lf__wslice *s = add_slice(b);
		if (!s)
			return b->st;
		uint64_t bytes = (uint64_t)L->oc * g->icg * k2;
		s->copy = (struct lf__copy){0, 0, 1, bytes, bytes, bytes};
		params_tail(L, p, bytes);
		return LF_OK;
	}
	for (int64_t grp = 0; grp < L->groups; grp++)
		for (int64_t j = 0; j < g->nchunks; j++) {
			struct lf__wslice *s = add_slice(b);
			if (!s)
				return b->st;
			int64_t c0 = j * g->kc;
			int64_t kc = min64(g->kc, g->icg - c0);
			uint64_t blk = (uint64_t)kc * k2;
			slice_off[grp * g->nchunks + j] = off;
			s->copy = (struct lf__copy){
			    off,
			    ((uint64_t)grp * g->ocg * g->icg + c0) * k2,
			    (uint64_t)g->ocg,
			    blk,
			    blk,
			    (uint64_t)g->icg * k2};
			off += blk * g->ocg;
		}
	params_tail(L, p, off);
	return LF_OK;
}

/* Where one tile sits in the layer, and what it computes. */
struct conv_pos {
	int64_t n0, nn;	      /* images */
	int64_t g0, ng;	      /* groups */
	int64_t o0, noc, oc0; /* output channels: from o0 in the group
			       * (oc0 in the layer), noc of them */
	int64_t r0, nr;	      /* output rows */
	int64_t j, c0, kc;    /* reduction chunk: input channels c0.. */
	int64_t icn;	      /* input channels the tile reads */
};

/* Slab bytes so far and the output block count, while tiles appear. */
struct conv_run {
	uint64_t xs, ys;
	int out;
	const uint64_t *slice_off; /* per (group, chunk) when split */
};

/* The tile's shape: window and strides of the layer, its own counts. */
static void conv_tile_shape(const struct lf__layer *L, const struct conv_geo *g,
			    const struct conv_pos *c, lf_desc *d)
{
	int split = g->nchunks > 1;
	lf__desc_common(L, d);
	d->n = (uint32_t)c->nn;
	d->ic = (uint32_t)c->icn;
	d->oc = (uint32_t)c->noc;
	d->groups = (uint32_t)(split || !g->ngt ? 1 : c->ng);
	d->kh = (uint32_t)L->kh;
	d->kw = (uint32_t)L->kw;
	d->stride_h = (uint32_t)L->stride_h;
	d->stride_w = (uint32_t)L->stride_w;
	d->dil_h = (uint32_t)L->dil_h;
	d->dil_w = (uint32_t)L->dil_w;
	d->iw = (uint32_t)L->iw;
	d->ow = (uint32_t)L->ow;
	d->pad_l = (uint32_t)L->pad_l;
	d->pad_r = (uint32_t)L->pad_r;
	d->oh = (uint32_t)c->nr;
}

/* The tile's input: the rows it reads (and the padding around them),
 * from x in place or, when rows are split, from a slab the host gathers
 * at run->xs (rebased once the areas are placed). */
static lf_status conv_tile_x(const struct lf__layer *L,
			     const struct conv_geo *g, const struct conv_pos *c,
			     const struct lf__plan *p, struct lf__tile *t,
			     struct conv_run *run, struct lf__diag *dg)
{
	lf_desc *d = &t->d;
	int split = g->nchunks > 1;
	uint64_t img_in = (uint64_t)L->ih * L->iw;
	int64_t h_lo = c->r0 * L->stride_h - L->pad_t;
	int64_t h_hi = (c->r0 + c->nr - 1) * L->stride_h - L->pad_t + g->span_h;
	int64_t a = h_lo < 0 ? 0 : h_lo;
	int64_t z = h_hi > L->ih ? L->ih : h_hi;
	if (z <= a)
		return lf__diag_fail(
		    dg, LF_ERR_UNSUPPORTED,
		    "a row tile lies entirely in the %lld rows "
		    "of padding (pad %lld)",
		    (long long)(a - z), (long long)L->pad_t);
	if (g->row_split) {
		d->ih = (uint32_t)(z - a);
		d->pad_t = (uint32_t)(a - h_lo);
		d->pad_b = (uint32_t)(h_hi - z);
	} else {
		/* Whole x in place: its own row layout, even rows no window
		 * reaches. */
		d->ih = (uint32_t)L->ih;
		d->pad_t = (uint32_t)L->pad_t;
		d->pad_b = (uint32_t)L->pad_b;
	}
	/* First input channel. */
	int64_t cs = c->g0 * g->icg + (split ? c->c0 : 0);
	if (!g->ngt && !split)
		cs = c->g0 * g->icg;
	uint64_t at = ((uint64_t)c->n0 * L->ic + cs) * img_in;
	if (!g->row_split) {
		d->x_off = (uint32_t)(p->x_off + at);
		return LF_OK;
	}
	uint64_t rows = (uint64_t)d->ih * L->iw;
	t->gather = 1;
	t->xin = (struct lf__copy){
	    run->xs, at + (uint64_t)a * L->iw, (uint64_t)c->icn, rows, rows,
	    img_in};
	d->x_off = (uint32_t)run->xs; /* rebased in conv_areas() */
	run->xs += (uint64_t)c->icn * rows;
	return LF_OK;
}

/* The tile's weights: its output channels' rows of its group and chunk. */
static void conv_tile_w(const struct lf__layer *L, const struct conv_geo *g,
			const struct conv_pos *c, const struct conv_run *run,
			lf_desc *d)
{
	uint64_t k2 = (uint64_t)L->kh * L->kw;
	if (g->nchunks > 1)
		d->w_off =
		    (uint32_t)(run->slice_off[c->g0 * g->nchunks + c->j] +
			       (uint64_t)c->o0 * c->kc * k2);
	else
		d->w_off = (uint32_t)((uint64_t)c->oc0 * g->icg * k2);
}

/* The tile's output: y in place, or (rows or the reduction split) a slab
 * at run->ys the host scatters or sums into y. */
static void conv_tile_y(const struct lf__layer *L, const struct conv_geo *g,
			const struct conv_pos *c, struct lf__tile *t,
			struct conv_run *run)
{
	int split = g->nchunks > 1;
	uint64_t ysz = lf__ysize(L->y_type);
	uint64_t tsz = split ? 4 : ysz; /* bytes per element a tile writes */
	uint64_t img_out = (uint64_t)L->oh * L->ow;
	uint64_t at = ((uint64_t)c->n0 * L->oc + c->oc0) * img_out;
	t->chunk = (int)c->j;
	t->out = run->out;
	t->ch0 = (uint32_t)c->oc0;
	t->ch_div = (uint32_t)(c->nr * L->ow);
	t->ch_mod = (uint32_t)c->noc;
	t->nelem = (uint64_t)c->noc * c->nr * L->ow;
	if (!g->row_split && !split) {
		t->d.y_off = (uint32_t)(at * ysz); /* rebased in conv_areas() */
		return;
	}
	uint64_t blk = (uint64_t)c->nr * L->ow;
	t->scatter = 1;
	t->yout = (struct lf__copy){(at + (uint64_t)c->r0 * L->ow) * ysz,
				    run->ys,
				    (uint64_t)c->noc,
				    blk * ysz,
				    img_out * ysz,
				    blk * tsz};
	t->d.y_off = (uint32_t)run->ys;
	run->ys += blk * c->noc * tsz;
}

/* One tile at @c: its descriptor, its gather and scatter. */
static lf_status conv_tile(struct builder *b, const struct lf__layer *L,
			   const struct conv_geo *g, struct conv_pos *c,
			   struct conv_run *run, struct lf__diag *dg)
{
	int split = g->nchunks > 1;
	struct lf__tile *t = add_tile(b);
	if (!t)
		return b->st;
	c->c0 = c->j * g->kc;
	c->kc = split ? min64(g->kc, g->icg - c->c0) : g->icg;
	c->icn = split ? c->kc : c->ng * g->icg;
	conv_tile_shape(L, g, c, &t->d);
	lf_status st = conv_tile_x(L, g, c, b->p, t, run, dg);
	if (st)
		return st;
	conv_tile_w(L, g, c, run, &t->d);
	desc_quant(L, b->p, &t->d, (uint32_t)c->oc0, (int)c->j, split);
	conv_tile_y(L, g, c, t, run);
	return LF_OK;
}

/* The tiles, batch outermost, then groups, output channels, output rows
 * and reduction chunks; one output block per (batch, channels, rows). */
static lf_status conv_tiles(struct builder *b, const struct lf__layer *L,
			    const struct conv_geo *g, struct conv_run *run,
			    struct lf__diag *dg)
{
	struct conv_pos c;
	int64_t ngroups_t = g->ngt ? g->ngt : 1;
	int64_t oc_in_g = g->ngt ? g->ocg : g->oct;
	for (c.n0 = 0; c.n0 < L->n; c.n0 += g->nt) {
		c.nn = min64(g->nt, L->n - c.n0);
		for (c.g0 = 0; c.g0 < L->groups; c.g0 += ngroups_t) {
			c.ng = min64(ngroups_t, L->groups - c.g0);
			for (c.o0 = 0; c.o0 < g->ocg; c.o0 += oc_in_g) {
				c.noc = g->ngt ? c.ng * g->ocg
					       : min64(g->oct, g->ocg - c.o0);
				c.oc0 = c.g0 * g->ocg + c.o0;
				for (c.r0 = 0; c.r0 < L->oh; c.r0 += g->rows) {
					c.nr = min64(g->rows, L->oh - c.r0);
					for (c.j = 0; c.j < g->nchunks; c.j++) {
						lf_status st = conv_tile(
						    b, L, g, &c, run, dg);
						if (st)
							return st;
					}
					run->out++;
				}
			}
		}
	}
	return LF_OK;
}

/* The act area: x in place unless rows are split, then the input slabs,
 * y in place unless rows or the reduction are split, the output slabs;
 * the tiles' offsets rebased onto it. */
static void conv_areas(struct lf__plan *p, const struct lf__layer *L,
		       const struct conv_geo *g, const struct conv_run *run)
{
	int split = g->nchunks > 1;
	uint64_t ysz = lf__ysize(L->y_type);
	uint64_t img_out = (uint64_t)L->oh * L->ow;
	p->nchunks = (int)g->nchunks;
	p->nout = run->out;
	p->xs_bytes = run->xs;
	uint64_t off = align64(p->xs_off + run->xs);
	if (!g->row_split && !split) {
		p->y_off = off;
		p->y_bytes = (uint64_t)L->n * L->oc * img_out * ysz;
		off = align64(off + p->y_bytes);
	}
	p->ys_off = off;
	p->ys_bytes = run->ys;
	p->act_bytes = align64(off + run->ys);
	for (int i = 0; i < p->ntiles; i++) {
		struct lf__tile *t = &p->tiles[i];
		if (t->gather)
			t->d.x_off += (uint32_t)p->xs_off;
		t->d.y_off += (uint32_t)(t->scatter ? p->ys_off : p->y_off);
	}
}

static lf_status plan_conv(struct builder *b, const struct lf__layer *L,
			   const struct lf__klimits *lim, struct lf__diag *dg)
{
	struct lf__plan *p = b->p;
	struct conv_geo g;
	memset(&g, 0, sizeof(g)); /* set on LF_OK only */
	lf_status st = conv_geometry(L, lim, &g, dg);
	if (st)
		return st;
	uint64_t *slice_off = NULL;
	if (g.nchunks > 1) {
		slice_off =
		    calloc((size_t)(L->groups * g.nchunks), sizeof(*slice_off));
		if (!slice_off)
			return LF_ERR_NO_MEMORY;
	}
	st = conv_slices(b, L, &g, slice_off);
	if (st)
		goto out;
	/* x in place first unless rows are split; the input slabs after.
	 * Slab offsets are assigned as tiles appear, and rebased once the
	 * areas are placed (conv_areas()). */
	uint64_t off = 0;
	if (!g.row_split) {
		p->x_off = 0;
		p->x_bytes = (uint64_t)L->n * L->ic * L->ih * L->iw;
		off = align64(p->x_bytes);
	}
	p->xs_off = off;
	struct conv_run run = {0, 0, 0, slice_off};
	st = conv_tiles(b, L, &g, &run, dg);
	if (st)
		goto out;
	conv_areas(p, L, &g, &run);
out:
	free(slice_off);
	return st;
}

/* ---- matmul ------------------------------------------------------------ */

static lf_status plan_matmul(struct builder *b, const struct lf__layer *L,
			     const struct lf__klimits *lim, struct lf__diag *dg)
{
	struct lf__plan *p = b->p;
	int64_t dm = lim->dim_max;
	int64_t kc = min64(L->k, (lim->kmax / lim->pe_k) * lim->pe_k);
	if (kc < 1)
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "kmax %lld below one PE_K vector %lld",
				     (long long)lim->kmax,
				     (long long)lim->pe_k);
	int64_t nchunks = ceil_div(L->k, kc);
	int split = nchunks > 1;
	int64_t nt = min64(L->cols, dm);
	int64_t nm = min64(L->m, dm);
	int whole_b = nt == L->cols && !split;
	int64_t nb = (nm == L->m && whole_b) ? min64(L->batch, dm) : 1;
	uint64_t ysz = lf__ysize(L->y_type);
	uint64_t tsz = split ? 4 : ysz;
	uint64_t ksz = (uint64_t)L->k;
	uint64_t cols = (uint64_t)L->cols;

	/* Weight slices: B as is, or [kc][nt] per (w_batch, col tile, chunk).
	 */
	uint64_t woff = 0;
	int64_t ncol_t = ceil_div(L->cols, nt);
	if (whole_b) {
		struct lf__wslice *s = add_slice(b);
		if (!s)
			return b->st;
		uint64_t bytes = (uint64_t)L->w_batch * ksz * cols;
		s->copy = (struct lf__copy){0, 0, 1, bytes, bytes, bytes};
		woff = bytes;
	} else {
		for (int64_t wb = 0; wb < L->w_batch; wb++)
			for (int64_t c = 0; c < ncol_t; c++)
				for (int64_t j = 0; j < nchunks; j++) {
					struct lf__wslice *s = add_slice(b);
					if (!s)
						return b->st;
					int64_t n0 = c * nt, k0 = j * kc;
					int64_t ntc = min64(nt, L->cols - n0);
					int64_t kcc = min64(kc, L->k - k0);
					s->copy = (struct lf__copy){
					    woff,
					    ((uint64_t)wb * ksz + k0) * cols + n0,
					    (uint64_t)kcc,
					    (uint64_t)ntc,
					    (uint64_t)ntc,
					    cols};
					woff += (uint64_t)kcc * ntc;
				}
	}
	params_tail(L, p, woff);

	uint64_t off = 0;
	if (!split) {
		p->x_off = 0;
		p->x_bytes = (uint64_t)L->batch * L->m * ksz;
		off = align64(p->x_bytes);
	}
	p->xs_off = off;
	uint64_t xs = 0, ys = 0;
	int out = 0;
	for (int64_t b0 = 0; b0 < L->batch; b0 += nb) {
		int64_t nbt = min64(nb, L->batch - b0);
		for (int64_t m0 = 0; m0 < L->m; m0 += nm) {
			int64_t nmt = min64(nm, L->m - m0);
			for (int64_t c = 0; c < ncol_t; c++) {
				int64_t n0 = c * nt;
				int64_t ntc = min64(nt, L->cols - n0);
				for (int64_t j = 0; j < nchunks; j++) {
					struct lf__tile *t = add_tile(b);
					if (!t)
						return b->st;
					lf_desc *d = &t->d;
					lf__desc_common(L, d);
					int64_t k0 = j * kc;
					int64_t kcc = min64(kc, L->k - k0);
					int64_t wb = L->w_batch == 1 ? 0 : b0;
					d->mm_batch = (uint32_t)nbt;
					d->mm_m = (uint32_t)nmt;
					d->mm_k = (uint32_t)kcc;
					d->mm_n = (uint32_t)ntc;
					d->mm_w_batch =
					    (uint32_t)(L->w_batch == 1 ? 1
								       : nbt);
					if (!split) {
						d->x_off =
						    (uint32_t)(((uint64_t)b0 *
								    L->m +
								m0) *
							       ksz);
					} else {
						t->gather = 1;
						t->xin = (struct lf__copy){
						    xs,
						    ((uint64_t)b0 * L->m + m0) *
							    ksz +
							k0,
						    (uint64_t)nmt,
						    (uint64_t)kcc,
						    (uint64_t)kcc,
						    ksz};
						d->x_off = (uint32_t)xs;
						xs += (uint64_t)nmt * kcc;
					}
					if (whole_b) {
						d->w_off =
						    (uint32_t)((uint64_t)wb *
							       ksz * cols);
					} else {
						int si =
						    (int)((wb * ncol_t + c) *
							      nchunks +
							  j);
						d->w_off =
						    (uint32_t)p->slices[si]
							.copy.dst;
					}
					desc_quant(L, p, d, (uint32_t)n0,
						   (int)j, split);
					t->chunk = (int)j;
					t->out = out;
					t->ch0 = (uint32_t)n0;
					t->ch_div = 1;
					t->ch_mod = (uint32_t)ntc;
					t->nelem = (uint64_t)nbt * nmt * ntc;
					if (whole_b) {
						d->y_off =
						    (uint32_t)(((uint64_t)b0 *
								    L->m +
								m0) *
							       cols * ysz);
					} else {
						t->scatter = 1;
						t->yout = (struct lf__copy){
						    (((uint64_t)b0 * L->m +
						      m0) *
							 cols +
						     n0) *
							ysz,
						    ys,
						    (uint64_t)nmt,
						    (uint64_t)ntc * ysz,
						    cols * ysz,
						    (uint64_t)ntc * tsz};
						d->y_off = (uint32_t)ys;
						ys += (uint64_t)nmt * ntc * tsz;
					}
				}
				out++;
			}
		}
	}
	p->nchunks = (int)nchunks;
	p->nout = out;
	p->xs_bytes = xs;
	off = align64(p->xs_off + xs);
	if (whole_b) {
		p->y_off = off;
		p->y_bytes = (uint64_t)L->batch * L->m * cols * ysz;
		off = align64(off + p->y_bytes);
	}
	p->ys_off = off;
	p->ys_bytes = ys;
	p->act_bytes = align64(off + ys);
	for (int i = 0; i < p->ntiles; i++) {
		struct lf__tile *t = &p->tiles[i];
		if (t->gather)
			t->d.x_off += (uint32_t)p->xs_off;
		t->d.y_off += (uint32_t)(t->scatter ? p->ys_off : p->y_off);
	}
	return LF_OK;
}

lf_status lf__plan_layer(const struct lf__layer *L,
			 const struct lf__klimits *lim, struct lf__plan *plan,
			 struct lf__diag *dg)
{
	struct lf__plan p;
	memset(&p, 0, sizeof(p));
	p.op = L->op;
	struct builder b = {&p, 0, 0, LF_OK};
	lf_status st;
	if (!lim->present || lim->pe_k < 1 || lim->kmax < lim->pe_k ||
	    lim->dim_max < 1) {
		return lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				     "the xclbin has no usable limits for "
				     "this kernel");
	}
	if (L->op == LF_KOP_CONV2D)
		st = plan_conv(&b, L, lim, dg);
	else if (L->op == LF_KOP_MATMUL)
		st = plan_matmul(&b, L, lim, dg);
	else {
		st = lf__diag_fail(dg, LF_ERR_UNSUPPORTED,
				   "no device kernel for this op");
	}
	if (st == LF_OK &&
	    (p.act_bytes > UINT32_MAX || p.params_bytes > UINT32_MAX)) {
		st = lf__diag_fail(
		    dg, LF_ERR_UNSUPPORTED,
		    "the layer needs %llu bytes of device memory per "
		    "launch, descriptor offsets stop at 4 GiB",
		    (unsigned long long)(p.act_bytes > p.params_bytes
					     ? p.act_bytes
					     : p.params_bytes));
	}
	if (st == LF_ERR_NO_MEMORY)
		lf__diag_fail(dg, st, "out of memory planning tiles");
	if (st) {
		lf__plan_free(&p);
		return st;
	}
	*plan = p;
	return LF_OK;
}

void lf__plan_free(struct lf__plan *plan)
{
	free(plan->tiles);
	free(plan->slices);
	plan->tiles = NULL;
	plan->slices = NULL;
	plan->ntiles = plan->nslices = 0;
}

void lf__copy_run(const struct lf__copy *c, void *dst, const void *src)
{
	uint8_t *d = (uint8_t *)dst + c->dst;
	const uint8_t *s = (const uint8_t *)src + c->src;
	for (uint64_t i = 0; i < c->count; i++)
		memcpy(d + i * c->dst_stride, s + i * c->src_stride, c->block);
}
