/* arena.c - lifetime-based offset assignment (arena.h). */
#include <stdlib.h>

#include "hostlib/plan/arena.h"

#define ARENA_MAX (1ull << 62)

static int by_size(const void *a, const void *b, void *ctx)
{
	const struct lf__interval *base = ctx;
	const struct lf__interval *x = &base[*(const size_t *)a];
	const struct lf__interval *y = &base[*(const size_t *)b];
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int by_off(const void *a, const void *b)
{
	const struct lf__interval *x = *(const struct lf__interval *const *)a;
	const struct lf__interval *y = *(const struct lf__interval *const *)b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

lf_status lf__arena_assign(struct lf__interval *it, size_t n, uint64_t align,
			   uint64_t *total)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	const struct lf__interval **live = malloc((n ? n : 1) * sizeof(*live));
	char *placed = calloc(n ? n : 1, 1);
	lf_status st = LF_OK;
	uint64_t end = 0;
	if (!order || !live || !placed) {
		st = LF_ERR_NO_MEMORY;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), by_size, it);
	for (size_t k = 0; k < n; k++) {
		struct lf__interval *cur = &it[order[k]];
		cur->off = 0;
		if (cur->size == 0) {
			placed[order[k]] = 1;
			continue;
		}
		size_t nl = 0;
		for (size_t j = 0; j < n; j++)
			if (placed[j] && it[j].size &&
			    it[j].first <= cur->last &&
			    cur->first <= it[j].last)
				live[nl++] = &it[j];
		qsort(live, nl, sizeof(*live), by_off);
		uint64_t off = 0;
		for (size_t j = 0; j < nl; j++) {
			if (live[j]->off >= off + cur->size)
				break;
			uint64_t e =
			    align_up(live[j]->off + live[j]->size, align);
			if (e > off)
				off = e;
		}
		if (off > ARENA_MAX || cur->size > ARENA_MAX - off) {
			st = LF_ERR_OVERFLOW;
			goto out;
		}
		cur->off = off;
		placed[order[k]] = 1;
		if (off + cur->size > end)
			end = off + cur->size;
	}
	*total = align_up(end, align);
out:
	free(order);
	free(live);
	free(placed);
	return st;
}
