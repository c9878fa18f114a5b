/*
 * run_cache.c - what a run takes before it starts (run_impl.h): its
 * inputs checked, the plan for their shapes (made once and cached per
 * model, least recently used dropped beyond LF__MODEL_PLANS), and a run
 * slot with host buffers for that plan.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/core/event.h"
#include "hostlib/model/run_impl.h"

lf_status lf__run_check_inputs(lf_model *m, lf_tensor *const *in, size_t n,
			       struct lf__gshape *shape)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	if (n != g->ninputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: %zu inputs given, the model has "
			       "%zu",
			       n, g->ninputs);
	for (size_t i = 0; i < n; i++) {
		const struct lf_tensor_info *info = &m->in_info[i];
		const lf_tensor *t = in[i];
		if (!t)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input %zu ('%s') is NULL",
				       i, info->name);
		if (t->ctx != m->ctx)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input '%s' belongs to "
				       "another context",
				       info->name);
		if (t->dtype != info->dtype)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input '%s' is %s, the "
				       "model takes %s",
				       info->name, lf__dtype_name(t->dtype),
				       lf__dtype_name(info->dtype));
		if (t->ndim != info->ndim)
			return lf__err(id, LF_ERR_SHAPE,
				       "lf_model_run: input '%s' has rank %d, "
				       "the model takes %d",
				       info->name, t->ndim, info->ndim);
		for (int d = 0; d < t->ndim; d++)
			if (info->dims[d] >= 0 && t->dims[d] != info->dims[d])
				return lf__err(id, LF_ERR_SHAPE,
					       "lf_model_run: input '%s' dim "
					       "%d is %lld, the model takes "
					       "%lld",
					       info->name, d,
					       (long long)t->dims[d],
					       (long long)info->dims[d]);
		shape[i].rank = t->ndim;
		shape[i].dtype = 0;
		memcpy(shape[i].d, t->dims, sizeof(shape[i].d));
	}
	return LF_OK;
}

static int same_shapes(const struct lf__gshape *a, const struct lf__gshape *b,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].rank != b[i].rank)
			return 0;
		for (int d = 0; d < a[i].rank; d++)
			if (a[i].d[d] != b[i].d[d])
				return 0;
	}
	return 1;
}

/* The cached plan for these shapes; caller holds m->mu. */
static struct lf__plan_entry *find_plan(lf_model *m,
					const struct lf__gshape *in)
{
	for (struct lf__plan_entry *e = m->plans; e; e = e->next)
		if (same_shapes(e->p->in, in, m->g->ninputs))
			return e;
	return NULL;
}

/* Drop the least recently used idle plan beyond the cache's size. */
static void evict(lf_model *m)
{
	size_t n = 0;
	for (struct lf__plan_entry *e = m->plans; e; e = e->next)
		n++;
	while (n > LF__MODEL_PLANS) {
		struct lf__plan_entry **victim = NULL;
		for (struct lf__plan_entry **pe = &m->plans; *pe;
		     pe = &(*pe)->next)
			if (!(*pe)->refs &&
			    (!victim || (*pe)->used < (*victim)->used))
				victim = pe;
		if (!victim)
			return;
		struct lf__plan_entry *e = *victim;
		*victim = e->next;
		lf__mplan_free(e->p);
		free(e);
		n--;
	}
}

lf_status lf__run_get_plan(lf_model *m, const struct lf__gshape *in,
			   struct lf__plan_entry **out)
{
	pthread_mutex_lock(&m->mu);
	struct lf__plan_entry *e = find_plan(m, in);
	if (e) {
		e->refs++;
		e->used = ++m->tick;
		pthread_mutex_unlock(&m->mu);
		*out = e;
		return LF_OK;
	}
	pthread_mutex_unlock(&m->mu);
	struct lf__diag dg;
	struct lf__mplan *p;
	lf_status st = lf__mplan_build(m->g, &m->params, &m->caps, in, &p, &dg);
	if (st != LF_OK)
		return lf__diag_raise(m->ctx->id, &dg, "lf_model_run");
	pthread_mutex_lock(&m->mu);
	e = find_plan(m, in);
	if (e) { /* another run made it meanwhile */
		lf__mplan_free(p);
	} else {
		e = calloc(1, sizeof(*e));
		if (!e) {
			pthread_mutex_unlock(&m->mu);
			lf__mplan_free(p);
			return lf__err(m->ctx->id, LF_ERR_NO_MEMORY,
				       "lf_model_run: no memory");
		}
		p->id = ++m->next_plan_id;
		e->p = p;
		e->next = m->plans;
		m->plans = e;
	}
	e->refs++;
	e->used = ++m->tick;
	evict(m);
	pthread_mutex_unlock(&m->mu);
	*out = e;
	return LF_OK;
}

void lf__run_put_plan(lf_model *m, struct lf__plan_entry *e)
{
	pthread_mutex_lock(&m->mu);
	e->refs--;
	evict(m);
	pthread_mutex_unlock(&m->mu);
}

/* A free slot: @pref when it is free (a CU lane keeps its slot, whose
 * buffers are in that lane's banks), else the first. */
unsigned lf__run_get_slot_pref(lf_model *m, unsigned pref)
{
	pthread_mutex_lock(&m->mu);
	for (;;) {
		for (unsigned k = 0; k <= m->nslots; k++) {
			unsigned i = k ? k - 1 : pref;
			if (i < m->nslots && !m->slots[i].busy) {
				m->slots[i].busy = 1;
				pthread_mutex_unlock(&m->mu);
				return i;
			}
		}
		pthread_cond_wait(&m->cv, &m->mu);
	}
}

unsigned lf__run_get_slot(lf_model *m)
{
	return lf__run_get_slot_pref(m, 0);
}

void lf__run_put_slot(lf_model *m, unsigned i)
{
	pthread_mutex_lock(&m->mu);
	m->slots[i].busy = 0;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

/* Host buffers of the slot for this plan, and every value's pointer. */
lf_status lf__run_prepare_slot(lf_model *m, struct lf__rslot *s,
			       const struct lf__mplan *p, void *const *in)
{
	const struct lf__graph *g = m->g;
	if (!s->ptr) {
		s->ptr = calloc(g->nvals + 1, sizeof(void *));
		s->tmp = calloc(g->nvals + 1, sizeof(void *));
		if (!s->ptr || !s->tmp)
			return LF_ERR_NO_MEMORY;
	}
	if (s->host_size < p->host_bytes) {
		uint8_t *h = realloc(s->host, p->host_bytes);
		if (!h)
			return LF_ERR_NO_MEMORY;
		s->host = h;
		s->host_size = p->host_bytes;
	}
	for (size_t v = 0; v < g->nvals; v++) {
		int r = p->root[v];
		const struct lf__gval *rv = &g->vals[r];
		if (rv->cst)
			s->ptr[v] = rv->cst->data;
		else if (rv->input >= 0)
			s->ptr[v] = in[rv->input];
		else if (p->host_off[r] != UINT64_MAX)
			s->ptr[v] = s->host + p->host_off[r];
		else
			s->ptr[v] = NULL;
	}
	return LF_OK;
}
