/*
 * ref_data.c - data movement of the generic ops: Gather, Slice, Concat,
 * Expand, Where. They copy elements of any type (by size), so they serve
 * quantized activations and int64 shape tensors alike.
 */
#include <stdint.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

/* Product of dims [from, to). */
static size_t span(const struct lf_ref_shape *s, int from, int to)
{
	size_t p = 1;
	for (int i = from; i < to; i++)
		p *= (size_t)s->dim[i];
	return p;
}

lf_status lf__ref_gather(size_t esize, const struct lf_ref_shape *xs,
			 const void *x, int axis, const int64_t *idx,
			 size_t nidx, void *y)
{
	size_t cnt;
	lf_status st = lf__ref_shape_count(xs, &cnt);
	if (st != LF_OK)
		return st;
	if (!esize || axis < 0 || axis >= xs->rank || (nidx && !idx))
		return LF_ERR_INVALID_ARG;
	size_t outer = span(xs, 0, axis), inner = span(xs, axis + 1, xs->rank);
	int64_t n = xs->dim[axis];
	size_t row = inner * esize;
	for (size_t k = 0; k < nidx; k++)
		if (idx[k] < -n || idx[k] >= n)
			return LF_ERR_INVALID_ARG;
	if (!cnt || !nidx || !row)
		return LF_OK;
	if (!x || !y)
		return LF_ERR_INVALID_ARG;
	const uint8_t *src = x;
	uint8_t *dst = y;
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < nidx; k++) {
			int64_t j = idx[k] < 0 ? idx[k] + n : idx[k];
			memcpy(dst, src + (o * (size_t)n + (size_t)j) * row,
			       row);
			dst += row;
		}
	return LF_OK;
}

lf_status lf__ref_slice(size_t esize, const struct lf_ref_shape *xs,
			const void *x, const int64_t *start,
			const int64_t *step, const struct lf_ref_shape *ys,
			void *y)
{
	size_t nx, ny;
	lf_status st = lf__ref_shape_count(xs, &nx);
	if (st == LF_OK)
		st = lf__ref_shape_count(ys, &ny);
	if (st != LF_OK)
		return st;
	if (!esize || ys->rank != xs->rank || !start || !step)
		return LF_ERR_INVALID_ARG;
	int r = xs->rank;
	size_t xst[LF_REF_MAX_RANK], acc = 1;
	for (int d = r - 1; d >= 0; d--) {
		xst[d] = acc;
		acc *= (size_t)xs->dim[d];
	}
	/* Every index read must be inside x. */
	for (int d = 0; d < r && ny; d++) {
		int64_t last = start[d] + (ys->dim[d] - 1) * step[d];
		if (start[d] < 0 || start[d] >= xs->dim[d] || last < 0 ||
		    last >= xs->dim[d])
			return LF_ERR_INVALID_ARG;
	}
	if (!ny)
		return LF_OK;
	if (!x || !y)
		return LF_ERR_INVALID_ARG;
	const uint8_t *src = x;
	uint8_t *dst = y;
	for (size_t i = 0; i < ny; i++) {
		size_t rem = i, off = 0;
		for (int d = r - 1; d >= 0; d--) {
			size_t c = rem % (size_t)ys->dim[d];
			rem /= (size_t)ys->dim[d];
			off +=
			    (size_t)(start[d] + (int64_t)c * step[d]) * xst[d];
		}
		memcpy(dst + i * esize, src + off * esize, esize);
	}
	return LF_OK;
}

lf_status lf__ref_concat(size_t esize, size_t n,
			 const struct lf_ref_shape *const *xs,
			 const void *const *x, int axis, void *y)
{
	if (!esize || !n || !xs || !x)
		return LF_ERR_INVALID_ARG;
	int r = xs[0]->rank;
	if (axis < 0 || axis >= r)
		return LF_ERR_INVALID_ARG;
	for (size_t k = 0; k < n; k++) {
		size_t c;
		lf_status st = lf__ref_shape_count(xs[k], &c);
		if (st != LF_OK)
			return st;
		if (xs[k]->rank != r)
			return LF_ERR_SHAPE;
		for (int d = 0; d < r; d++)
			if (d != axis && xs[k]->dim[d] != xs[0]->dim[d])
				return LF_ERR_SHAPE;
		if (c && !x[k])
			return LF_ERR_INVALID_ARG;
	}
	size_t outer = span(xs[0], 0, axis);
	uint8_t *dst = y;
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < n; k++) {
			size_t row = span(xs[k], axis, r) * esize;
			if (row)
				memcpy(dst, (const uint8_t *)x[k] + o * row,
				       row);
			dst += row;
		}
	return LF_OK;
}

/*
 * Expand's output below dimension @d at x + @x, y + @y: the trailing dims
 * from e->inner on are the same in x and y (one memcpy of e->blk bytes);
 * a broadcast dimension is written once and then copied by doubling, so
 * a large Expand runs at memcpy speed (make fuzz found a 774 MB Expand
 * that took 11 s element by element).
 */
struct expand_walk {
	const struct lf__ref_bcast *bc;
	int inner;
	size_t esize, blk, ystep[LF_REF_MAX_RANK];
};

static void expand_dim(const struct expand_walk *e, int d, const uint8_t *x,
		       uint8_t *y)
{
	if (d == e->inner) {
		memcpy(y, x, e->blk);
		return;
	}
	size_t n = (size_t)e->bc->out.dim[d], step = e->ystep[d];
	size_t xs = e->bc->st[0][d] * e->esize;
	if (xs == 0) {
		expand_dim(e, d + 1, x, y);
		for (size_t done = 1; done < n;) {
			size_t k = done < n - done ? done : n - done;
			memcpy(y + done * step, y, k * step);
			done += k;
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		expand_dim(e, d + 1, x + i * xs, y + i * step);
}

lf_status lf__ref_expand(size_t esize, const struct lf_ref_shape *xs,
			 const void *x, const struct lf_ref_shape *ys, void *y)
{
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[2] = {xs, ys};
	lf_status st = lf__ref_bcast_init(&bc, 2, ins);
	if (st != LF_OK)
		return st;
	if (bc.out.rank != ys->rank)
		return LF_ERR_SHAPE;
	for (int d = 0; d < ys->rank; d++)
		if (bc.out.dim[d] != ys->dim[d])
			return LF_ERR_SHAPE;
	if (!bc.count)
		return LF_OK;
	if (!x || !y || !esize)
		return LF_ERR_INVALID_ARG;
	struct expand_walk e = {.bc = &bc, .esize = esize, .blk = esize};
	int r = bc.out.rank;
	e.inner = r;
	while (e.inner > 0 &&
	       (bc.out.dim[e.inner - 1] == 1 || bc.st[0][e.inner - 1] != 0)) {
		e.inner--;
		e.blk *= (size_t)bc.out.dim[e.inner];
	}
	size_t step = esize;
	for (int d = r - 1; d >= 0; d--) {
		e.ystep[d] = step;
		step *= (size_t)bc.out.dim[d];
	}
	expand_dim(&e, 0, x, y);
	return LF_OK;
}

lf_status lf__ref_where(size_t esize, const struct lf_ref_shape *cs,
			const uint8_t *c, const struct lf_ref_shape *as,
			const void *a, const struct lf_ref_shape *bs,
			const void *b, void *out)
{
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[3] = {cs, as, bs};
	lf_status st = lf__ref_bcast_init(&bc, 3, ins);
	if (st != LF_OK)
		return st;
	if (bc.count && (!c || !a || !b || !out || !esize))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < bc.count; i++) {
		size_t off[LF__REF_BCAST_MAX];
		lf__ref_bcast_at(&bc, i, off);
		const uint8_t *src = c[off[0]]
					 ? (const uint8_t *)a + off[1] * esize
					 : (const uint8_t *)b + off[2] * esize;
		memcpy((uint8_t *)out + i * esize, src, esize);
	}
	return LF_OK;
}
