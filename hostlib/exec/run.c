/*
 * run.c - one layer op on the device: plan the tiles, pack descriptors and
 * params, one upload, one launch of every tile, one download, statuses,
 * and the host's share (scatter of output slabs, sums of split reductions).
 *
 * A launch's buffers come from the pool. When the desc and act ports reach
 * the same bank (every emulation profile), one buffer holds both:
 *   [ descriptors | x | x slabs | y | y slabs, partial sums ]
 * the descriptors first, so that every pointer argument of the launch is
 * at offset 0 of its buffer (a backend may refuse other offsets on
 * pointer arguments: one without sub-buffers, or one that cannot place
 * them), and the act area after them
 * (every act offset in the descriptors moved by @base). One transfer
 * uploads the descriptors and the inputs; two bring back the last
 * descriptor's status word (a kernel stops at its first error, so it says
 * whether all succeeded; all are read only on failure) and the outputs.
 * The params buffer is separate (its own port).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/ir/op.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/plan/elem.h"
#include "hostlib/plan/pack.h"

struct launch {
	struct lf__exec *d;
	uint64_t id;
	const struct lf__op *op;
	struct lf__plan plan;
	struct lf__kern *k;
	uint32_t slot, cu;
	struct lf__pbuf *act, *params, *desc; /* desc == NULL: inside act */
	uint64_t base; /* offset of the plan's act area in act */
	uint64_t act_total;
	struct lf__runinfo *ri;
	uint8_t *chk; /* scratch of checked(), chk_cap bytes */
	uint64_t chk_cap;
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

/*
 * A transfer of bytes the result depends on, checked end to end
 * (lf__xfer_checked: an upload read back, a download read twice). A
 * difference is LF_ERR_DMA, which the caller retries like a failed
 * transfer (lf__exec_retryable): never a result from corrupted bytes.
 */
static lf_status checked(struct launch *l, struct lf__pbuf *b,
			 enum lf_sync_dir dir, uint64_t off, uint64_t size)
{
	if (size == 0)
		return LF_OK;
	if (l->chk_cap < size) {
		uint8_t *p = realloc(l->chk, size);
		if (!p)
			return lf__err(l->id, LF_ERR_NO_MEMORY,
				       "%s: no memory to check a transfer of "
				       "%llu bytes",
				       l->op->name, (unsigned long long)size);
		l->chk = p;
		l->chk_cap = size;
	}
	unsigned n[2] = {0, 0};
	uint64_t at;
	lf_status st =
	    lf__xfer_checked(b->bo, b->host, dir, off, size, l->chk, n, &at);
	l->ri->dma_transfers += n[0] + n[1];
	l->ri->h2d_bytes += n[0] * size;
	l->ri->d2h_bytes += n[1] * size;
	if (st == LF_OK)
		return LF_OK;
	if (at == size)
		return drv_fail(
		    l, st, dir == LF_SYNC_TO_DEVICE ? "upload" : "download");
	return lf__err(
	    l->id, LF_ERR_DMA,
	    dir == LF_SYNC_TO_DEVICE
		? "%s: upload of %llu bytes: the card holds other "
		  "bytes than were sent (byte %llu differs when read "
		  "back)"
		: "%s: download of %llu bytes: two reads of the "
		  "result differ (byte %llu)",
	    l->op->name, (unsigned long long)size, (unsigned long long)at);
}

static void pack_all(struct launch *l)
{
	const struct lf__op *op = l->op;
	lf__pack_params(&l->plan, &op->L, op->w->data,
			op->bias ? op->bias->data : NULL, l->params->host);
	lf__pack_x(&l->plan, op->x->data, l->act->host + l->base);
	uint8_t *dh = l->desc ? l->desc->host : l->act->host;
	lf__pack_desc_at(&l->plan, l->base, dh);
}

static lf_status get_buffers(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	struct lf__kern *k = l->k;
	uint64_t desc_bytes = (uint64_t)p->ntiles * LF_DESC_BYTES;
	lf_status st;
	if (k->bank_desc[l->slot] == k->bank_act[l->slot]) {
		/* The act area after the descriptors. */
		l->base = (desc_bytes + 63) & ~63ull;
	} else {
		l->base = 0;
		st = lf__pool_get(&l->d->pool, k->bank_desc[l->slot],
				  desc_bytes, &l->desc);
		if (st)
			return drv_fail(l, st, "descriptor buffer");
	}
	l->act_total = p->act_bytes + l->base;
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
	free(l->chk);
	l->chk = NULL;
	l->chk_cap = 0;
}

/* Run the launch; a run that cannot be collected keeps its buffers. */
static lf_status launch_and_wait(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	struct lf__launch_bufs b = {
	    .desc = l->desc ? l->desc->bo : l->act->bo,
	    .ndesc = (uint32_t)p->ntiles,
	    .params = l->params->bo,
	    .params_bytes = (uint32_t)p->params_bytes,
	    .act = l->act->bo,
	    .act_bytes = (uint32_t)l->act_total,
	};
	lf_run *pending;
	int started;
	char msg[LF__ERR_MAX];
	lf_status st =
	    lf__launch(l->d, l->cu, &b, &started, &pending, msg, sizeof(msg));
	if (!started)
		return lf__err(l->id, st, "%s: launch: %s", l->op->name, msg);
	l->ri->launches++;
	if (st == LF_OK)
		return LF_OK;
	if (pending) {
		struct lf__zombie *z = calloc(1, sizeof(*z));
		if (z) {
			z->run = pending;
			z->cu = l->cu;
			z->pbufs[0] = l->act;
			z->pbufs[1] = l->params;
			z->pbufs[2] = l->desc;
			lf__zombies_park(&l->d->zombies, z);
		}
		/* Without memory to track it, leak rather than reuse
		 * buffers a pending run may still write. */
		l->act = l->params = l->desc = NULL;
	}
	return lf__err(l->id, st, "%s: kernel run on CU %u: %s", l->op->name,
		       l->cu, msg);
}

static lf_status check_statuses(struct launch *l)
{
	struct lf__pbuf *db = l->desc ? l->desc : l->act;
	const uint8_t *dh = db->host;
	int32_t s = 0;
	if (!l->plan.ntiles)
		return LF_OK;
	uint64_t last = (uint64_t)(l->plan.ntiles - 1) * LF_DESC_BYTES +
			offsetof(lf_desc, status);
	memcpy(&s, dh + last, 4);
	if (s == LF_KST_OK)
		return LF_OK;
	/* Read every status to name the first failed descriptor. */
	lf_status st = sync_range(l, db, LF_SYNC_FROM_DEVICE, 0, last + 4);
	if (st)
		return st;
	int i = lf__desc_first_error(&l->plan, dh, &s);
	if (i >= 0)
		return lf__err(l->id, LF_ERR_KERNEL,
			       "%s: descriptor %d of %d returned %s (%d)",
			       l->op->name, i, l->plan.ntiles, lf__kst_name(s),
			       (int)s);
	return LF_OK;
}

static lf_status unpack_outputs(struct launch *l)
{
	lf_status st = lf__unpack_y(&l->plan, &l->op->L, l->act->host + l->base,
				    0, l->op->y->data);
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
	    checked(l, l->params, LF_SYNC_TO_DEVICE, 0, p->params_bytes);
	if (st)
		return st;
	if (!l->desc)
		return checked(l, l->act, LF_SYNC_TO_DEVICE, 0,
			       l->base + p->xs_off + p->xs_bytes);
	st = checked(l, l->desc, LF_SYNC_TO_DEVICE, 0, desc_bytes);
	if (st)
		return st;
	return checked(l, l->act, LF_SYNC_TO_DEVICE, 0,
		       p->xs_off + p->xs_bytes);
}

static lf_status transfer_out(struct launch *l)
{
	const struct lf__plan *p = &l->plan;
	uint64_t y0 = p->y_bytes ? p->y_off : p->ys_off;
	struct lf__pbuf *db = l->desc ? l->desc : l->act;
	if (p->ntiles) {
		uint64_t last = (uint64_t)(p->ntiles - 1) * LF_DESC_BYTES +
				offsetof(lf_desc, status);
		lf_status st = sync_range(l, db, LF_SYNC_FROM_DEVICE, last, 4);
		if (st)
			return st;
	}
	return checked(l, l->act, LF_SYNC_FROM_DEVICE, l->base + y0,
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

/* ---- pooling and add: one or two descriptors, no params ------------------
 */

/*
 * The descriptors of a pooling or add op for lfk_pool / lfk_add (act
 * offsets relative to x at 0, x2 and y filled in by the caller). Return
 * the count, or 0 with the reason in @why.
 */
static int elem_descs(const struct lf__exec *d, const struct lf__op *op,
		      lf_desc *dd, char *why, size_t whylen)
{
	const struct lf__layer *L = &op->L;
	memset(dd, 0, 2 * sizeof(*dd));
	lf_desc *x = &dd[0];
	x->magic = LF_DESC_MAGIC;
	x->op = L->op;
	uint32_t kdt = L->x_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	x->x_type = x->w_type = x->y_type = kdt;
	x->act_min = L->act_min;
	x->act_max = L->act_max;
	x->dil_h = x->dil_w = 1;
	x->groups = 1;
	if (L->op != LF_KOP_ADD) {
		/* The model planner's decision and descriptor, too. */
		const struct lf__plimits pl = {
		    d->pool_dim_max, d->pool_kdim_max, d->pool_step_max,
		    d->pool_row_bytes, d->add_dim_max};
		const char *w = "";
		if (!lf__elem_pool_desc(L, &pl, x, &w)) {
			snprintf(why, whylen, "%s: %s", op->name, w);
			return 0;
		}
		return 1;
	}
	/* Add: a at x, b at x2 (equal shapes); the ORT operand order. */
	int64_t da[LF_MAX_DIMS], db[LF_MAX_DIMS];
	for (int i = 0; i < op->x->ndim; i++)
		da[i] = op->x->dims[i];
	for (int i = 0; i < op->w->ndim; i++)
		db[i] = op->w->dims[i];
	if (lf__qadd_swaps(op->x->ndim, da, op->w->ndim, db))
		x->flags |= LF_DF_SWAP;
	x->x_zp = L->x_zp;
	x->x2_zp = L->x2_zp;
	x->y_zp = L->y_zp;
	x->x_scale = L->x_scale;
	x->x2_scale = L->x2_scale;
	x->y_scale = L->y_scale;
	int64_t cnt = (int64_t)op->x->count, w = d->add_dim_max;
	if (w > 65535)
		w = 65535;
	if (w < 1) {
		snprintf(why, whylen, "no lfk_add limits in the xclbin");
		return 0;
	}
	x->n = x->ic = 1;
	if (cnt <= w) {
		x->ih = x->oh = 1;
		x->iw = x->ow = (uint32_t)cnt;
		return 1;
	}
	/* [h][w] rows, then the remainder: two descriptors. */
	int64_t h = cnt / w, r = cnt % w;
	if (h > w) {
		snprintf(why, whylen, "add beyond the lfk_add limits");
		return 0;
	}
	x->ih = x->oh = (uint32_t)h;
	x->iw = x->ow = (uint32_t)w;
	if (!r)
		return 1;
	dd[1] = *x;
	dd[1].ih = dd[1].oh = 1;
	dd[1].iw = dd[1].ow = (uint32_t)r;
	/* its offsets: h * w elements further (set by the caller) */
	dd[1].reserved0 = (uint32_t)(h * w);
	return 2;
}

static uint64_t al64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

/* MaxPool / AvgPool / Add on lfk_pool / lfk_add (or the engine). */
static lf_status run_elem(struct lf__exec *d, uint64_t id, struct lf__op *op,
			  struct lf__runinfo *ri, char *why, size_t whylen)
{
	int add = op->L.op == LF_KOP_ADD;
	struct lf__kern *k = add ? &d->addk : &d->poolk;
	int limits = add ? d->add_dim_max > 0
			 : d->pool_dim_max > 0 && d->pool_kdim_max > 0 &&
			       d->pool_step_max > 0 && d->pool_row_bytes > 0;
	if (!k->ncus && d->eng.lim.present)
		k = &d->eng;
	if (!k->ncus || !limits) {
		snprintf(why, whylen, "no device kernel for %s", op->name);
		return LF_ERR_UNSUPPORTED;
	}
	lf_desc dd[2];
	int nd = elem_descs(d, op, dd, why, whylen);
	if (!nd)
		return LF_ERR_UNSUPPORTED;
	lf_status st = inputs_on_host(d, id, op);
	if (st)
		return st;
	struct launch l;
	memset(&l, 0, sizeof(l));
	l.d = d;
	l.id = id;
	l.op = op;
	l.ri = ri;
	l.k = k;
	struct lf_dev_counters c0, c1;
	int have_ctr = lf__dev_counters(d->dev, &c0) == LF_OK;
	l.slot = atomic_fetch_add(&k->next, 1) % k->ncus;
	l.cu = k->cu[l.slot];
	uint64_t desc_bytes = (uint64_t)nd * LF_DESC_BYTES;
	uint64_t xb = op->x->count, yb = op->y->count;
	int shared = k->bank_desc[l.slot] == k->bank_act[l.slot];
	uint64_t base = shared ? al64(desc_bytes) : 0;
	uint64_t x2_off = al64(base + xb);
	uint64_t y_off = add ? al64(x2_off + xb) : x2_off;
	l.act_total = y_off + yb;
	l.plan.ntiles = nd;
	l.plan.params_bytes = 64;
	if (l.act_total > UINT32_MAX) {
		snprintf(why, whylen, "%s: tensors pass 4 GiB", op->name);
		return LF_ERR_UNSUPPORTED;
	}
	if (!shared && (st = lf__pool_get(&d->pool, k->bank_desc[l.slot],
					  desc_bytes, &l.desc))) {
		st = drv_fail(&l, st, "descriptor buffer");
		goto out;
	}
	if ((st = lf__pool_get(&d->pool, k->bank_act[l.slot], l.act_total,
			       &l.act))) {
		st = drv_fail(&l, st, "activation buffer");
		goto out;
	}
	if ((st = lf__pool_get(&d->pool, k->bank_params[l.slot], 64,
			       &l.params))) {
		st = drv_fail(&l, st, "params buffer");
		goto out;
	}
	for (int i = 0; i < nd; i++) {
		uint32_t skip = dd[i].reserved0;
		dd[i].reserved0 = 0;
		dd[i].x_off = (uint32_t)(base + skip);
		dd[i].x2_off = add ? (uint32_t)(x2_off + skip) : 0;
		dd[i].y_off = (uint32_t)(y_off + skip);
		dd[i].status = LF_KST_PENDING;
	}
	uint8_t *dh = l.desc ? l.desc->host : l.act->host;
	memcpy(dh, dd, desc_bytes);
	memcpy(l.act->host + base, op->x->data, xb);
	if (add)
		memcpy(l.act->host + x2_off, op->w->data, xb);
	if (l.desc &&
	    (st = checked(&l, l.desc, LF_SYNC_TO_DEVICE, 0, desc_bytes)))
		goto out;
	if ((st = checked(&l, l.act, LF_SYNC_TO_DEVICE, 0, y_off)) ||
	    (st = launch_and_wait(&l)))
		goto out;
	struct lf__pbuf *db = l.desc ? l.desc : l.act;
	uint64_t last =
	    (uint64_t)(nd - 1) * LF_DESC_BYTES + offsetof(lf_desc, status);
	if ((st = sync_range(&l, db, LF_SYNC_FROM_DEVICE, last, 4)) ||
	    (st = checked(&l, l.act, LF_SYNC_FROM_DEVICE, y_off, yb)) ||
	    (st = check_statuses(&l)))
		goto out;
	memcpy(op->y->data, l.act->host + y_off, yb);
	ri->tiles = (unsigned)nd;
	if (have_ctr && lf__dev_counters(d->dev, &c1) == LF_OK)
		ri->device_ns = c1.device_ns - c0.device_ns;
	lf_tensor *y = op->y;
	pthread_mutex_lock(&y->lock);
	y->host_valid = 1;
	y->dev_valid = 0;
	atomic_fetch_add(&y->version, 1);
	pthread_mutex_unlock(&y->lock);
out:
	put_buffers(&l);
	return st;
}

lf_status lf__exec_run(struct lf__exec *d, uint64_t id, struct lf__op *op,
		       struct lf__runinfo *ri, char *why, size_t whylen)
{
	if (op->L.op == LF_KOP_MAXPOOL || op->L.op == LF_KOP_AVGPOOL ||
	    op->L.op == LF_KOP_ADD)
		return run_elem(d, id, op, ri, why, whylen);
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
