/*
 * run.c - one layer op on the device: plan the tiles, pack descriptors and
 * params, one upload, one launch of every tile, one download, statuses,
 * and the host's share (scatter of output slabs, sums of split reductions).
 *
 * A launch's buffers come from the pool. When the desc and act ports reach
 * the same bank (every emulation profile), one buffer holds both:
 *   [ x | x slabs | descriptors | y | y slabs, partial sums ]
 * so one transfer uploads the inputs and the descriptors, and one brings
 * back the statuses and the outputs. The params buffer is separate (its
 * own port).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/error.h"
#include "hostlib/core/op.h"
#include "hostlib/core/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/plan/pack.h"

struct launch {
	struct lf__exec *d;
	uint64_t id;
	const struct lf__op *op;
	struct lf__plan plan;
	struct lf__kern *k;
	uint32_t slot, cu;
	struct lf__pbuf *act, *params, *desc; /* desc == NULL: inside act */
	uint64_t desc_off;		      /* in desc (or act) */
	uint64_t shift; /* bytes the y areas moved to make room */
	uint64_t act_total;
	struct lf__runinfo *ri;
};

static lf_status drv_fail(struct launch *l, lf_status st, const char *what)
{
	lf__exec_note(l->d, st);
	return lf__err(l->id, st, "%s: %s: %s", l->op->name, what,
		       lf__drv_last_error());
}

static lf_status sync_range(struct launch *l, struct lf__pbuf *b,
			    enum lf_sync_dir dir, uint64_t off, uint64_t size)
{
	if (size == 0)
		return LF_OK;
	lf_status st = lf__bo_sync(b->bo, dir, size, off);
	if (st)
		return drv_fail(
		    l, st, dir == LF_SYNC_TO_DEVICE ? "upload" : "download");
	l->ri->dma_transfers++;
	if (dir == LF_SYNC_TO_DEVICE)
		l->ri->h2d_bytes += size;
	else
		l->ri->d2h_bytes += size;
	return LF_OK;
}

static void pack_all(struct launch *l)
{
	const struct lf__op *op = l->op;
	lf__pack_params(&l->plan, &op->L, op->w->data,
			op->bias ? op->bias->data : NULL, l->params->host);
	lf__pack_x(&l->plan, op->x->data, l->act->host);
	uint8_t *dh = l->desc ? l->desc->host : l->act->host;
	lf__pack_desc(&l->plan, l->shift, dh + l->desc_off);
}

static lf_status get_buffers(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	struct lf__kern *k = l->k;
	uint64_t desc_bytes = (uint64_t)p->ntiles * LF_DESC_BYTES;
	uint64_t in_end = (p->xs_off + p->xs_bytes + 63) & ~63ull;
	lf_status st;
	if (k->bank_desc[l->slot] == k->bank_act[l->slot]) {
		/* The y areas start at in_end: move them past the
		 * descriptors. */
		l->desc_off = in_end;
		l->shift = ((in_end + desc_bytes + 63) & ~63ull) - in_end;
	} else {
		l->desc_off = 0;
		l->shift = 0;
		st = lf__pool_get(&l->d->pool, k->bank_desc[l->slot],
				  desc_bytes, &l->desc);
		if (st)
			return drv_fail(l, st, "descriptor buffer");
	}
	l->act_total = p->act_bytes + l->shift;
	st = lf__pool_get(&l->d->pool, k->bank_act[l->slot], l->act_total,
			  &l->act);
	if (st)
		return drv_fail(l, st, "activation buffer");
	st = lf__pool_get(&l->d->pool, k->bank_params[l->slot], p->params_bytes,
			  &l->params);
	if (st)
		return drv_fail(l, st, "params buffer");
	return LF_OK;
}

static void put_buffers(struct launch *l)
{
	lf__pool_put(&l->d->pool, l->act);
	lf__pool_put(&l->d->pool, l->params);
	lf__pool_put(&l->d->pool, l->desc);
	l->act = l->params = l->desc = NULL;
}

/* Wait for the run; on a hang, abort it so its buffers come back. */
static lf_status launch_and_wait(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	struct lf_run_arg args[6] = {
	    lf__arg_bo(0, l->desc ? l->desc->bo : l->act->bo, l->desc_off),
	    lf__arg_u32(1, (uint32_t)p->ntiles),
	    lf__arg_bo(2, l->params->bo, 0),
	    lf__arg_u32(3, (uint32_t)p->params_bytes),
	    lf__arg_bo(4, l->act->bo, 0),
	    lf__arg_u32(5, (uint32_t)l->act_total),
	};
	lf_run *run;
	lf_status st = lf__run_start(l->d->dev, l->cu, args, 6, &run);
	if (st)
		return drv_fail(l, st, "launch");
	l->ri->launches++;
	st = lf__run_wait(run, l->d->timeout_ms);
	if (st == LF_OK) {
		lf__run_free(run);
		return LF_OK;
	}
	lf_status first = st;
	char msg[LF__ERR_MAX];
	snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
	if (st == LF_ERR_TIMEOUT) {
		lf__dev_cu_abort(l->d->dev, l->cu);
		lf__run_wait(run, 1000);
	}
	if (lf__run_free(run) != LF_OK) {
		/* Still pending: park it with its buffers until close. */
		struct lf__zombie *z = calloc(1, sizeof(*z));
		if (z) {
			z->run = run;
			z->cu = l->cu;
			z->bufs[0] = l->act;
			z->bufs[1] = l->params;
			z->bufs[2] = l->desc;
			l->act = l->params = l->desc = NULL;
			pthread_mutex_lock(&l->d->zmu);
			z->next = l->d->zombies;
			l->d->zombies = z;
			pthread_mutex_unlock(&l->d->zmu);
		} else {
			/* No memory to track it: leak rather than reuse
			 * buffers a pending run may still write. */
			l->act = l->params = l->desc = NULL;
		}
	}
	lf__exec_note(l->d, first);
	return lf__err(l->id, first, "%s: kernel run on CU %u: %s", l->op->name,
		       l->cu, msg);
}

static const char *kst_name(int32_t s)
{
	switch (s) {
	case LF_KST_PENDING:
		return "LF_KST_PENDING (not run)";
	case LF_KST_BAD_MAGIC:
		return "LF_KST_BAD_MAGIC";
	case LF_KST_BAD_OP:
		return "LF_KST_BAD_OP";
	case LF_KST_BAD_TYPE:
		return "LF_KST_BAD_TYPE";
	case LF_KST_BAD_SHAPE:
		return "LF_KST_BAD_SHAPE";
	case LF_KST_LIMIT:
		return "LF_KST_LIMIT";
	case LF_KST_BOUNDS:
		return "LF_KST_BOUNDS";
	case LF_KST_BAD_QUANT:
		return "LF_KST_BAD_QUANT";
	}
	return "an unknown status";
}

static lf_status check_statuses(struct launch *l)
{
	const uint8_t *dh = l->desc ? l->desc->host : l->act->host;
	int32_t s = 0;
	int i = lf__desc_first_error(&l->plan, dh + l->desc_off, &s);
	if (i >= 0)
		return lf__err(l->id, LF_ERR_KERNEL,
			       "%s: descriptor %d of %d returned %s (%d)",
			       l->op->name, i, l->plan.ntiles, kst_name(s),
			       (int)s);
	return LF_OK;
}

static lf_status unpack_outputs(struct launch *l)
{
	lf_status st = lf__unpack_y(&l->plan, &l->op->L, l->act->host, l->shift,
				    l->op->y->data);
	if (st)
		return lf__err(l->id, st, "%s: no memory to add partial sums",
			       l->op->name);
	return LF_OK;
}

static lf_status transfer_in(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	uint64_t desc_bytes = (uint64_t)p->ntiles * LF_DESC_BYTES;
	lf_status st =
	    sync_range(l, l->params, LF_SYNC_TO_DEVICE, 0, p->params_bytes);
	if (st)
		return st;
	if (!l->desc)
		return sync_range(l, l->act, LF_SYNC_TO_DEVICE, 0,
				  l->desc_off + desc_bytes);
	st = sync_range(l, l->desc, LF_SYNC_TO_DEVICE, 0, desc_bytes);
	if (st)
		return st;
	return sync_range(l, l->act, LF_SYNC_TO_DEVICE, 0,
			  p->xs_off + p->xs_bytes);
}

static lf_status transfer_out(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	uint64_t desc_bytes = (uint64_t)p->ntiles * LF_DESC_BYTES;
	uint64_t y0 = p->y_bytes ? p->y_off : p->ys_off;
	if (!l->desc)
		return sync_range(l, l->act, LF_SYNC_FROM_DEVICE, l->desc_off,
				  l->act_total - l->desc_off);
	lf_status st =
	    sync_range(l, l->desc, LF_SYNC_FROM_DEVICE, 0, desc_bytes);
	if (st)
		return st;
	return sync_range(l, l->act, LF_SYNC_FROM_DEVICE, y0,
			  p->act_bytes - y0);
}

/* Inputs must have current host copies: the launch packs from them. */
static lf_status inputs_on_host(struct lf__exec *d, uint64_t id,
				const struct lf__op *op)
{
	lf_tensor *in[3] = {op->x, op->w, op->bias};
	for (int i = 0; i < 3; i++) {
		lf_tensor *t = in[i];
		if (!t)
			continue;
		lf_status st = LF_OK;
		pthread_mutex_lock(&t->lock);
		if (!t->host_valid)
			st = lf__exec_tensor_download(d, id, t);
		pthread_mutex_unlock(&t->lock);
		if (st)
			return st;
	}
	return LF_OK;
}

lf_status lf__exec_run(struct lf__exec *d, uint64_t id, struct lf__op *op,
		       struct lf__runinfo *ri, char *why, size_t whylen)
{
	struct launch l;
	memset(&l, 0, sizeof(l));
	l.d = d;
	l.id = id;
	l.op = op;
	l.ri = ri;
	if (op->L.op == LF_KOP_CONV2D)
		l.k = &d->conv;
	else if (op->L.op == LF_KOP_MATMUL)
		l.k = &d->mm;
	if (!l.k) {
		snprintf(why, whylen, "no device kernel for %s", op->name);
		return LF_ERR_UNSUPPORTED;
	}
	if (l.k->ncus == 0) {
		snprintf(why, whylen, "the xclbin has no %s compute unit",
			 l.k->name);
		return LF_ERR_UNSUPPORTED;
	}
	lf_status st = lf__plan_layer(&op->L, &l.k->lim, &l.plan, why, whylen);
	if (st == LF_ERR_NO_MEMORY)
		return lf__err(id, st, "%s: no memory to plan tiles", op->name);
	if (st)
		return st;
	if ((st = inputs_on_host(d, id, op)))
		goto out_plan;

	struct lf_dev_counters c0, c1;
	int have_ctr = lf__dev_counters(d->dev, &c0) == LF_OK;
	l.slot = atomic_fetch_add(&l.k->next, 1) % l.k->ncus;
	l.cu = l.k->cu[l.slot];
	if ((st = get_buffers(&l)))
		goto out_bufs;
	pack_all(&l);
	if ((st = transfer_in(&l)) || (st = launch_and_wait(&l)) ||
	    (st = transfer_out(&l)) || (st = check_statuses(&l)) ||
	    (st = unpack_outputs(&l)))
		goto out_bufs;
	ri->tiles = (unsigned)l.plan.ntiles;
	if (have_ctr && lf__dev_counters(d->dev, &c1) == LF_OK)
		ri->device_ns = c1.device_ns - c0.device_ns;
	lf_tensor *y = op->y;
	pthread_mutex_lock(&y->lock);
	y->host_valid = 1;
	y->dev_valid = 0;
	atomic_fetch_add(&y->version, 1);
	pthread_mutex_unlock(&y->lock);
out_bufs:
	put_buffers(&l);
out_plan:
	lf__plan_free(&l.plan);
	return st;
}
