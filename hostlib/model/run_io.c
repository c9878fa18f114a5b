/*
 * run_io.c - a run's tensors (run_impl.h): the outputs checked against
 * the plan and handed back, inputs held only on the device fetched, and
 * IO binding (tensors that stay on the card).
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

lf_status lf__run_check_outputs(lf_model *m, const struct lf__mplan *p,
				lf_tensor **out, size_t n)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	if (n != g->noutputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: %zu output slots given, the "
			       "model has %zu outputs",
			       n, g->noutputs);
	if (n && !out)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: outputs is NULL");
	for (size_t i = 0; i < n; i++) {
		const lf_tensor *t = out[i];
		const struct lf__gshape *s = &p->shape[g->outputs[i]];
		lf_dtype dt;
		lf__onnx_dtype_to_lf(s->dtype, &dt);
		if (!t)
			continue;
		int same =
		    t->ctx == m->ctx && t->dtype == dt && t->ndim == s->rank;
		for (int d = 0; same && d < s->rank; d++)
			same = t->dims[d] == s->d[d];
		if (!same)
			return lf__err(id, LF_ERR_SHAPE,
				       "lf_model_run: output '%s' must be a %s "
				       "tensor of rank %d of this context with "
				       "the model's shape",
				       m->out_info[i].name, lf__dtype_name(dt),
				       s->rank);
	}
	return LF_OK;
}

lf_status lf__run_deliver(lf_model *m, const struct lf__mplan *p,
			  struct lf__rslot *s, const struct lf__mbind *b,
			  lf_tensor **out, size_t n)
{
	const struct lf__graph *g = m->g;
	lf_tensor **made = calloc(n ? n : 1, sizeof(*made));
	if (!made)
		return lf__err(m->ctx->id, LF_ERR_NO_MEMORY,
			       "lf_model_run: no memory");
	lf_status st = LF_OK;
	for (size_t i = 0; i < n && st == LF_OK; i++) {
		const struct lf__gshape *sh = &p->shape[g->outputs[i]];
		lf_tensor *t = out[i];
		if (!t) {
			lf_dtype dt;
			lf__onnx_dtype_to_lf(sh->dtype, &dt);
			st = lf_tensor_create(m->ctx, dt, sh->rank, sh->d, NULL,
					      &made[i]);
			t = made[i];
			if (st != LF_OK)
				break;
		}
		int r = p->root[g->outputs[i]];
		int on_card = b && b->out && b->out[r] == t && b->done[r];
		pthread_mutex_lock(&t->lock);
		if (on_card) {
			/* Its device copy holds the output (IO binding). */
			t->host_valid = 0;
			t->dev_valid = 1;
		} else {
			memcpy(t->data, s->ptr[g->outputs[i]], t->bytes);
			t->host_valid = 1;
			t->dev_valid = 0;
		}
		atomic_fetch_add(&t->version, 1);
		pthread_mutex_unlock(&t->lock);
	}
	for (size_t i = 0; i < n; i++) {
		if (st != LF_OK)
			lf_tensor_destroy(made[i]);
		else if (made[i])
			out[i] = made[i];
	}
	free(made);
	return st;
}

/* Inputs held only on the device are fetched first, except those bound
 * on the card (@b: NULL or the run's bindings). */
lf_status lf__run_inputs_on_host(lf_model *m, lf_tensor *const *in, size_t n,
				 const struct lf__mbind *b)
{
	for (size_t i = 0; i < n; i++) {
		lf_tensor *t = in[i];
		lf_status st = LF_OK;
		if (b && b->in && b->in[m->g->inputs[i]] == t)
			continue;
		pthread_mutex_lock(&t->lock);
		if (!t->host_valid && m->ctx->dev)
			st = lf__exec_tensor_download(m->ctx->dev, m->ctx->id,
						      t);
		pthread_mutex_unlock(&t->lock);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/*
 * A model input whose tensor has a valid device copy (lf_tensor_to_device(),
 * or an output an earlier run left on the card) is copied into the arena on
 * the card instead of being uploaded from the host, when every node that
 * reads it (through views) is in a device segment that takes it whole in
 * NCHW; a model output whose tensor was put on the device (keep_on_device)
 * is copied from the arena into the tensor's device buffer instead of
 * being downloaded, when a device segment produces it whole in NCHW and
 * nothing else reads it. Otherwise the value goes through the host as
 * before (same bytes either way). Single-device runs only: a batch split
 * across devices or run in chunks reads and writes host copies.
 */

/* Does segment @s take root @r whole, in NCHW, from outside? */
static int takes_whole(const struct lf__mseg *s, int r)
{
	if (s->host_assisted)
		return 0;
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return !(s->blk && ((s->up_blk && s->up_blk[k]) ||
					    (s->up_fold && s->up_fold[k])));
	return 0;
}

/* Is root @r read (other than by views) only by device segments that
 * take it whole (@need_dev), or by nothing at all (!@need_dev)? */
static int readers_ok(const struct lf__graph *g, const struct lf__mplan *p,
		      int r, int need_dev)
{
	for (size_t n = 0; n < g->nnodes; n++) {
		const struct lf__gnode *nd = &g->nodes[n];
		if (nd->op == LF__GOP_VIEW)
			continue;
		for (size_t j = 0; j < nd->n_in; j++) {
			int x = nd->in[j], si = p->node[n].seg;
			if (x < 0 || p->root[x] != r)
				continue;
			if (!need_dev || si < 0 || !takes_whole(&p->seg[si], r))
				return 0;
		}
	}
	return 1;
}

/* Does a device segment produce root @r whole, in NCHW, for the host? */
static int gives_whole(const struct lf__graph *g, const struct lf__mplan *p,
		       int r)
{
	int n = g->vals[r].producer;
	int si = n >= 0 ? p->node[n].seg : -1;
	if (si < 0 || p->seg[si].host_assisted)
		return 0;
	const struct lf__mseg *s = &p->seg[si];
	for (int k = 0; k < s->ndown; k++)
		if (s->down[k] == r)
			return !(s->blk && p->blk && p->blk[r]);
	return 0;
}

void lf__run_bind_free(struct lf__mbind *b)
{
	free(b->in);
	free(b->out);
	free(b->done);
	memset(b, 0, sizeof(*b));
}

/* The run's bindings (all NULL when nothing is bound). */
lf_status lf__run_bind_prepare(lf_model *m, const struct lf__mplan *p,
			       lf_tensor *const *in, size_t nin,
			       lf_tensor **out, size_t nout,
			       struct lf__mbind *b)
{
	const struct lf__graph *g = m->g;
	lf_context *ctx = m->ctx;
	memset(b, 0, sizeof(*b));
	if (!m->md || lf__mdev_lost(m->md) || !ctx->dev)
		return LF_OK;
	for (size_t i = 0; i < nin + nout; i++) {
		int is_out = i >= nin;
		lf_tensor *t = is_out ? out[i - nin] : in[i];
		int r = p->root[is_out ? g->outputs[i - nin] : g->inputs[i]];
		if (!t || t->bytes != lf__gshape_bytes(&p->shape[r]))
			continue;
		pthread_mutex_lock(&t->lock);
		int want = is_out ? t->keep_on_device : t->dev_valid;
		pthread_mutex_unlock(&t->lock);
		if (!want ||
		    !(is_out ? gives_whole(g, p, r) && readers_ok(g, p, r, 0)
			     : readers_ok(g, p, r, 1)))
			continue;
		for (size_t j = 0; is_out && j < nout; j++)
			if ((size_t)i - nin != j && p->root[g->outputs[j]] == r)
				want = 0; /* another output is this value */
		if (!want || (is_out && b->out && b->out[r]))
			continue;
		if (!b->in) {
			b->in = calloc(g->nvals, sizeof(*b->in));
			b->out = calloc(g->nvals, sizeof(*b->out));
			b->done = calloc(g->nvals, 1);
			if (!b->in || !b->out || !b->done) {
				lf__run_bind_free(b);
				return lf__err(ctx->id, LF_ERR_NO_MEMORY,
					       "lf_model_run: no memory");
			}
		}
		lf_status st = LF_OK;
		if (is_out) {
			pthread_mutex_lock(&t->lock);
			st = lf__exec_tensor_devbuf(ctx->dev, ctx->id, t);
			pthread_mutex_unlock(&t->lock);
		}
		if (st != LF_OK) {
			lf__run_bind_free(b);
			return st;
		}
		(is_out ? b->out : b->in)[r] = t;
	}
	return LF_OK;
}
