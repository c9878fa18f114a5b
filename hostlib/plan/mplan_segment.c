/*
 * mplan_segment.c - the segmentation stage of a model plan
 * (model_plan_impl.h): device nodes grouped into segments in topological
 * order, the steps of a run (a segment or a CPU node), and the values
 * each segment moves in from the host and back.
 */
#include <stdlib.h>

#include "hostlib/plan/model_plan_impl.h"

static lf_status push_int(int **a, int *n, int v)
{
	int *r = realloc(*a, (size_t)(*n + 1) * sizeof(int));
	if (!r)
		return LF_ERR_NO_MEMORY;
	r[(*n)++] = v;
	*a = r;
	return LF_OK;
}

/* The weights group node @i reads (-1: none). */
static int pgroup_of(const struct bld *b, size_t i)
{
	const struct lf__pnode *pn = &b->params->node[i];
	return i < b->params->nnodes && pn->on ? pn->group : -1;
}

/* Chainable node @i (kernel bit @kbit, weights group @pg) may join open
 * segment @si: same kernel (or CUs that share an act bank), same weights
 * group, and no blocked-layout border between them. */
static int joins(const struct bld *b, int si, size_t i, unsigned kbit, int pg)
{
	const struct lf__mseg *s = &b->p->seg[si];
	return (s->kernels == kbit || b->caps->allow_mixed) &&
	       (pg < 0 || s->pgroup < 0 || pg == s->pgroup) &&
	       !lf__mplan_blk_split(b, si, i);
}

/* Device segments and the order of steps. A segment reads one weights
 * group (lf__pgroup): a node of another ends it. */
lf_status lf__mplan_partition(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	p->seg = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p->seg));
	p->step = calloc(g->nnodes ? g->nnodes : 1, sizeof(*p->step));
	if (!p->seg || !p->step)
		return nomem(b);
	int open = -1;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		b->seg_of[i] = -1;
		if (n->op == LF__GOP_VIEW)
			continue;
		int c = b->chain[i];
		if (!c) {
			open = -1;
			p->step[p->nsteps].seg = -1;
			p->step[p->nsteps++].node = (int)i;
			continue;
		}
		unsigned kbit = 1u << launch_kernel(b->caps, n);
		int pg = pgroup_of(b, i);
		if (open >= 0 && c == 1 && joins(b, open, i, kbit, pg)) {
			struct lf__mseg *s = &p->seg[open];
			if (push_int(&s->nodes, &s->nnodes, (int)i))
				return nomem(b);
			s->kernels |= kbit;
			if (pg >= 0)
				s->pgroup = pg;
			b->seg_of[i] = open;
			continue;
		}
		open = p->nsegs++;
		struct lf__mseg *s = &p->seg[open];
		s->host_assisted = c == 2;
		s->kernels = kbit;
		s->pgroup = pg;
		if (push_int(&s->nodes, &s->nnodes, (int)i))
			return nomem(b);
		b->seg_of[i] = open;
		p->step[p->nsteps].seg = open;
		p->step[p->nsteps++].node = -1;
		if (s->host_assisted)
			open = -1;
	}
	for (size_t i = 0; i < g->nnodes; i++)
		p->node[i].seg = b->seg_of[i];
	return LF_OK;
}

/* Is root @r used by a node outside segment @s (or is it an output)? */
static int used_outside(const struct bld *b, int r, int s)
{
	const struct lf__graph *g = b->g;
	if (b->out_use[r])
		return 1;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op == LF__GOP_VIEW || b->seg_of[i] == s)
			continue;
		for (size_t k = 0; k < n->n_in; k++)
			if (n->in[k] >= 0 && b->p->root[n->in[k]] == r)
				return 1;
	}
	return 0;
}

/* Values each segment reads from the host and gives back to it. */
lf_status lf__mplan_residency(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		for (int j = 0; j < s->nnodes; j++) {
			const struct lf__gnode *n = &g->nodes[s->nodes[j]];
			int ry = p->root[n->out[0]];
			int xin[2] = {b->ax[s->nodes[j]], b->ax2[s->nodes[j]]};
			for (int k = 0; k < 2; k++) {
				if (xin[k] < 0)
					continue;
				int rx = p->root[xin[k]];
				int px = g->vals[rx].producer;
				if ((px < 0 || b->seg_of[px] != si) &&
				    !contains(s->up, s->nup, rx) &&
				    push_int(&s->up, &s->nup, rx))
					return nomem(b);
			}
			if ((s->host_assisted || used_outside(b, ry, si)) &&
			    push_int(&s->down, &s->ndown, ry))
				return nomem(b);
		}
	}
	return LF_OK;
}
