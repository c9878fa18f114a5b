/*
 * mplan_memory.c - the memory stage of a model plan (model_plan_impl.h):
 * arena offsets for each segment's up and down blocks and the values that
 * live inside it, host buffer offsets for every value a CPU step reads or
 * writes, both by lifetime (arena.h); and the check of the finished plan
 * that no two values alive at once share bytes (lf__mplan_check()).
 */
#include <stdlib.h>

#include "hostlib/plan/arena.h"
#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan_impl.h"

#define NONE UINT64_MAX

uint64_t lf__mplan_arena_at(const struct lf__mplan *p, const struct lf__mseg *s,
			    int r)
{
	if (p->cat[r] >= 0) /* in a placed concat's output */
		return lf__mplan_arena_at(p, s, p->cat[r]) + p->cat_off[r];
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return s->up_at[k];
	for (int k = 0; k < s->ndown; k++)
		if (s->down[k] == r)
			return s->down_at[k];
	return p->dev_off[r];
}

static int last_use_in(const struct bld *b, const struct lf__mseg *s, int r)
{
	int last = -1;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if ((b->ax[i] >= 0 && b->p->root[b->ax[i]] == r) ||
		    (b->ax2[i] >= 0 && b->p->root[b->ax2[i]] == r))
			last = i;
	}
	return last;
}

/* @n roots one after the other, each 64-byte aligned: their offsets in
 * the block, and the block's size up to the last byte of the last one
 * (what one transfer moves). */
static uint64_t block_of(struct bld *b, const struct lf__mseg *s, const int *v,
			 int n, uint64_t *rel)
{
	uint64_t off = 0, end = 0;
	for (int i = 0; i < n; i++) {
		rel[i] = align64(off);
		end = rel[i] + lf__mplan_seg_bytes(b->p, s, v[i]);
		off = end;
	}
	return end;
}

/* What each interval is: an up block, a down block, a host-assisted
 * segment's area, else (>= 0) a root. */
enum { IV_UP = -1, IV_DOWN = -2, IV_HOST = -3 };

/* The arena's intervals, what each is and its segment. */
struct ivals {
	struct lf__interval *it;
	int *what, *segof;
	size_t n;
};

static void add_iv(struct ivals *v, struct lf__interval it, int what, int si)
{
	v->it[v->n] = it;
	v->what[v->n] = what;
	v->segof[v->n++] = si;
}

/* Segment @si's intervals: its area when host-assisted, else its up
 * block (live until its last reader), down block (from the first node
 * producing one of its values) and every value it keeps inside. */
static lf_status seg_intervals(struct bld *b, int si, struct ivals *v,
			       uint64_t *urel)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	struct lf__mseg *s = &p->seg[si];
	int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
	if (s->host_assisted) {
		add_iv(v,
		       (struct lf__interval){b->lp[s->nodes[0]].act_bytes,
					     first, last, 0},
		       IV_HOST, si);
		return LF_OK;
	}
	s->up_at = calloc((size_t)s->nup + 1, sizeof(uint64_t));
	s->down_at = calloc((size_t)s->ndown + 1, sizeof(uint64_t));
	if (!s->up_at || !s->down_at)
		return nomem(b);
	int lu = first;
	for (int k = 0; k < s->nup; k++) {
		int l = last_use_in(b, s, s->up[k]);
		if (l > lu)
			lu = l;
	}
	s->up_bytes = block_of(b, s, s->up, s->nup, urel);
	add_iv(v, (struct lf__interval){s->up_bytes, first, lu, 0}, IV_UP, si);
	int fd = last;
	for (int k = 0; k < s->ndown; k++) {
		int w = lf__mplan_first_write(b, s->down[k]);
		if (w < fd)
			fd = w;
	}
	s->down_bytes = block_of(b, s, s->down, s->ndown, urel);
	add_iv(v, (struct lf__interval){s->down_bytes, fd, last, 0}, IV_DOWN,
	       si);
	for (int j = 0; j < s->nnodes; j++) {
		int r = p->root[g->nodes[s->nodes[j]].out[0]];
		/* a placed concat's input is inside its output's interval,
		 * which starts at the first of them; a conv with a fused
		 * add stores the add's output, not its own */
		if (contains(s->down, s->ndown, r) || p->cat[r] >= 0 ||
		    lf__mplan_fused_conv(b, s->nodes[j]))
			continue;
		int l = last_use_in(b, s, r);
		add_iv(v,
		       (struct lf__interval){lf__mplan_seg_bytes(p, s, r),
					     lf__mplan_first_write(b, r),
					     l < 0 ? s->nodes[j] : l, 0},
		       r, si);
	}
	return LF_OK;
}

/* Interval @k placed at it[k].off: where its value(s) are. */
static void place(struct bld *b, const struct ivals *v, size_t k, uint64_t *rel)
{
	struct lf__mplan *p = b->p;
	struct lf__mseg *s = &p->seg[v->segof[k]];
	uint64_t off = v->it[k].off;
	if (v->what[k] >= 0) {
		p->dev_off[v->what[k]] = off;
		return;
	}
	if (v->what[k] == IV_HOST) {
		s->hbase = off;
		return;
	}
	/* Per segment: the same value may sit elsewhere in another
	 * segment's block. */
	int up = v->what[k] == IV_UP;
	const int *val = up ? s->up : s->down;
	int nv = up ? s->nup : s->ndown;
	uint64_t *at = up ? s->up_at : s->down_at;
	if (up)
		s->up_off = off;
	else
		s->down_off = off;
	block_of(b, s, val, nv, rel);
	for (int j = 0; j < nv; j++)
		at[j] = off + rel[j];
}

/* The arena: blocks per segment placed by lifetime. */
lf_status lf__mplan_device_memory(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t cap = g->nnodes * 3 + 4;
	struct ivals v = {calloc(cap, sizeof(*v.it)), calloc(cap, sizeof(int)),
			  calloc(cap, sizeof(int)), 0};
	uint64_t *rel = calloc(g->nvals ? g->nvals : 1, sizeof(uint64_t));
	lf_status st = LF_OK;
	if (!v.it || !v.what || !v.segof || !rel) {
		st = nomem(b);
		goto out;
	}
	for (int si = 0; si < p->nsegs && st == LF_OK; si++)
		st = seg_intervals(b, si, &v, rel);
	if (st != LF_OK)
		goto out;
	st = lf__arena_assign(v.it, v.n, LF__MPLAN_ALIGN, &p->arena_bytes);
	if (st != LF_OK) {
		st = lf__diag_fail(b->dg, st, "planning the arena: %s",
				   lf_status_name(st));
		goto out;
	}
	if (p->arena_bytes > UINT32_MAX) {
		st = lf__diag_fail(
		    b->dg, LF_ERR_UNSUPPORTED,
		    "the activations need %llu bytes of device memory "
		    "at once; descriptor offsets stop at 4 GiB",
		    (unsigned long long)p->arena_bytes);
		goto out;
	}
	for (size_t k = 0; k < v.n; k++)
		place(b, &v, k, rel);
out:
	free(v.it);
	free(v.what);
	free(v.segof);
	free(rel);
	return st;
}

/* Host buffers: every root some CPU step reads or writes. */
lf_status lf__mplan_host_memory(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t nv = g->nvals;
	struct lf__interval *it = calloc(nv ? nv : 1, sizeof(*it));
	char *need = calloc(nv ? nv : 1, 1);
	if (!it || !need) {
		free(it);
		free(need);
		return nomem(b);
	}
	for (size_t v = 0; v < nv; v++) {
		it[v].first = (int)g->nnodes + 1;
		it[v].last = -1;
	}
	/* Produced on the host: by CPU nodes, or downloaded. */
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op == LF__GOP_VIEW || b->seg_of[i] >= 0)
			continue;
		for (size_t k = 0; k < n->n_out; k++) {
			if (n->out[k] < 0)
				continue;
			int r = p->root[n->out[k]];
			need[r] = 1;
			it[r].first = (int)i;
			it[r].last = (int)i;
		}
		for (size_t k = 0; k < n->n_in; k++) {
			int v = n->in[k];
			if (v >= 0 && (int)i > it[p->root[v]].last)
				it[p->root[v]].last = (int)i;
		}
	}
	/* A segment's inputs and outputs on the host are live over its whole
	 * span, not only at its upload (first node) and download (last): a
	 * failed segment is re-run on the CPU from its inputs, node by node,
	 * and an output written at the segment's first node must not land
	 * on an input its later nodes still read. */
	for (int si = 0; si < p->nsegs; si++) {
		const struct lf__mseg *s = &p->seg[si];
		int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
		for (int k = 0; k < s->ndown; k++) {
			int r = s->down[k];
			need[r] = 1;
			it[r].first = first;
			if (it[r].last < last)
				it[r].last = last;
		}
		for (int k = 0; k < s->nup; k++)
			if (it[s->up[k]].last < last)
				it[s->up[k]].last = last;
	}
	for (size_t i = 0; i < g->noutputs; i++)
		it[p->root[g->outputs[i]]].last = (int)g->nnodes;
	for (size_t v = 0; v < nv; v++) {
		const struct lf__gval *gv = &g->vals[v];
		if (!need[v] || gv->cst || gv->input >= 0 ||
		    p->root[v] != (int)v) {
			it[v].size = 0;
			continue;
		}
		it[v].size = lf__gshape_bytes(&p->shape[v]);
	}
	lf_status st =
	    lf__arena_assign(it, nv, LF__MPLAN_ALIGN, &p->host_bytes);
	for (size_t v = 0; st == LF_OK && v < nv; v++)
		p->host_off[v] = it[v].size ? it[v].off : NONE;
	free(it);
	free(need);
	if (st != LF_OK)
		return lf__diag_fail(b->dg, st, "planning host memory: %s",
				     lf_status_name(st));
	return LF_OK;
}

/* A value a segment touches: its bytes and when they must stay intact. */
struct touch {
	int root;
	uint64_t off, size;
	int first, last; /* node steps */
};

static int overlap(const struct touch *a, const struct touch *c)
{
	return a->first <= c->last && c->first <= a->last &&
	       a->off < c->off + c->size && c->off < a->off + a->size;
}

/* The channel blocks [*lo, *hi) of each image of the concat output that
 * root @r (placed) takes. */
static void placed_blocks(const struct lf__mplan *p, int r, uint64_t *lo,
			  uint64_t *hi)
{
	const struct lf__gshape *cs = &p->shape[p->cat[r]];
	uint64_t img = (uint64_t)cs->d[2] * (uint64_t)cs->d[3] * LF_BLK_LANES;
	*lo = p->cat_off[r] / img;
	*hi = *lo + lf__blk_cb((uint64_t)p->shape[r].d[1]);
}

/* Root @r, placed in a concat's output, lies inside it: the same images
 * and pixels, its blocks of each image on whole blocks within the
 * container's image and apart from every other input placed there, and
 * the container's producer (the concat) in this segment. */
static int placed_inside(const struct bld *b, const struct lf__mseg *s, int r)
{
	const struct lf__graph *g = b->g;
	const struct lf__mplan *p = b->p;
	int c = p->cat[r], pc = g->vals[c].producer;
	const struct lf__gshape *xs = &p->shape[r], *cs = &p->shape[c];
	uint64_t cbt = lf__mplan_cat_cbt(p, r), lo, hi;
	uint64_t img = (uint64_t)cs->d[2] * (uint64_t)cs->d[3] * LF_BLK_LANES;
	placed_blocks(p, r, &lo, &hi);
	if (pc < 0 || b->seg_of[pc] != (int)(s - p->seg) ||
	    xs->d[0] != cs->d[0] || xs->d[2] != cs->d[2] ||
	    xs->d[3] != cs->d[3] || p->cat_off[r] % img != 0 || hi > cbt ||
	    lf__mplan_seg_bytes(p, s, c) != (uint64_t)cs->d[0] * cbt * img)
		return 0;
	for (int j = 0; j < s->nnodes; j++) {
		int o = p->root[g->nodes[s->nodes[j]].out[0]];
		uint64_t olo, ohi;
		if (o == r || p->cat[o] != c)
			continue;
		placed_blocks(p, o, &olo, &ohi);
		if (olo < hi && lo < ohi)
			return 0;
	}
	return 1;
}

/* In segment @s's arena, two values alive at once share bytes, or one
 * lies outside the arena (@t: scratch for its values). */
static int arena_clash(const struct bld *b, const struct lf__mseg *s,
		       struct touch *t)
{
	const struct lf__graph *g = b->g;
	const struct lf__mplan *p = b->p;
	int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
	size_t n = 0;
	for (int k = 0; k < s->nup; k++) {
		int r = s->up[k], l = last_use_in(b, s, r);
		t[n++] = (struct touch){r, s->host_assisted ? 0 : s->up_at[k],
					lf__mplan_seg_bytes(p, s, r), first,
					l < 0 ? first : l};
	}
	for (int j = 0; j < s->nnodes && !s->host_assisted; j++) {
		int i = s->nodes[j], r = p->root[g->nodes[i].out[0]];
		int l = last_use_in(b, s, r), down = 0;
		if (p->cat[r] >= 0) {
			if (!placed_inside(b, s, r))
				return 1;
			continue;
		}
		if (lf__mplan_fused_conv(b, i)) /* its add's output is */
			continue;
		for (int k = 0; k < s->ndown; k++)
			down |= s->down[k] == r;
		t[n++] = (struct touch){r, lf__mplan_arena_at(p, s, r),
					lf__mplan_seg_bytes(p, s, r),
					lf__mplan_first_write(b, r),
					down	? last
					: l < i ? i
						: l};
	}
	for (size_t x = 0; x < n; x++) {
		if (t[x].off > p->arena_bytes ||
		    t[x].size > p->arena_bytes - t[x].off)
			return 1;
		for (size_t y = x + 1; y < n; y++)
			if (overlap(&t[x], &t[y]))
				return 1;
	}
	return 0;
}

/* On the host, two of segment @s's inputs and outputs share bytes (they
 * are all live over its whole span). */
static int host_clash(const struct bld *b, const struct lf__mseg *s)
{
	const struct lf__mplan *p = b->p;
	int first = s->nodes[0], last = s->nodes[s->nnodes - 1];
	int io[2] = {s->nup, s->ndown};
	for (int a = 0; a < io[0] + io[1]; a++) {
		int ra = a < io[0] ? s->up[a] : s->down[a - io[0]];
		for (int c = a + 1; c < io[0] + io[1]; c++) {
			int rc = c < io[0] ? s->up[c] : s->down[c - io[0]];
			struct touch ta = {ra, p->host_off[ra],
					   lf__gshape_bytes(&p->shape[ra]),
					   first, last};
			struct touch tc = {rc, p->host_off[rc],
					   lf__gshape_bytes(&p->shape[rc]),
					   first, last};
			if (ta.off != NONE && tc.off != NONE &&
			    overlap(&ta, &tc))
				return 1;
		}
	}
	return 0;
}

/*
 * lf__mplan_check() - what every run relies on, checked on the finished
 * plan instead of trusted: in each chained segment, no two values whose
 * lifetimes meet share arena bytes, and every one lies inside the arena
 * (a clash is a wrong answer, or LF_KST_BOUNDS and a CPU fallback); on
 * the host, the buffers a segment reads and writes are distinct, so the
 * segment can be re-run on the CPU from its inputs. A failure is a
 * planner bug: LF_ERR_INTERNAL, the plan is not used.
 */
lf_status lf__mplan_check(struct bld *b)
{
	const struct lf__graph *g = b->g;
	const struct lf__mplan *p = b->p;
	struct touch *t = calloc(g->nnodes * 3 + 1, sizeof(*t));
	if (!t)
		return nomem(b);
	lf_status st = LF_OK;
	for (int si = 0; si < p->nsegs && st == LF_OK; si++) {
		const struct lf__mseg *s = &p->seg[si];
		if (arena_clash(b, s, t) || host_clash(b, s))
			st = lf__diag_fail(
			    b->dg, LF_ERR_INTERNAL,
			    "device segment %d (node '%s'): two values "
			    "alive at once share memory in the plan",
			    si, g->nodes[s->nodes[0]].name);
	}
	free(t);
	return st;
}
