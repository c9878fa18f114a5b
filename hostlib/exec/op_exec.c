/*
 * op_exec.c - one layer op of the single-op API on the device, as a
 * one-node plan (hostlib/plan/op_plan.h) run by the model path's engine
 * (model_exec.c: the same launch, wait, abandoned runs, checked transfers
 * and status words as a model's device segment).
 *
 * Plans are cached per device (OPC_MAX entries, least recently used
 * replaced), keyed by the op's layer and operand shapes: a repeated op
 * neither plans again nor allocates device memory again, and uploads its
 * weights only when their packed bytes changed (the constants are packed
 * on every call, as the host writes tensors without telling the library,
 * and compared with the copy on the card). An entry serves one call at a
 * time; concurrent calls of one shape get entries of their own. Each
 * entry's run slots rotate over the kernel's CUs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/exec/model_exec.h"
#include "hostlib/ir/op.h"
#include "hostlib/plan/op_plan.h"

#define OPC_MAX 16

struct opkey {
	struct lf__layer L; /* quantization pointers cleared */
	struct lf__opshape sh[LF__OPV_COUNT];
};

struct opc_entry {
	int used, busy;
	uint64_t tick;
	struct opkey key;
	struct lf__oplan *op;
	struct lf__mdev *md;
	uint8_t *scratch; /* params.bytes: this call's packed constants */
	unsigned next;	  /* run slot of the next call */
};

struct lf__opcache {
	pthread_mutex_t mu;
	uint64_t tick;
	struct opc_entry e[OPC_MAX];
};

lf_status lf__opcache_init(struct lf__exec *d)
{
	struct lf__opcache *c = calloc(1, sizeof(*c));
	if (!c)
		return LF_ERR_NO_MEMORY;
	if (pthread_mutex_init(&c->mu, NULL)) {
		free(c);
		return LF_ERR_NO_MEMORY;
	}
	d->opc = c;
	return LF_OK;
}

static void entry_free(struct opc_entry *e)
{
	lf__mdev_close(e->md);
	lf__oplan_free(e->op);
	free(e->scratch);
	memset(e, 0, sizeof(*e));
}

void lf__opcache_close(struct lf__exec *d)
{
	struct lf__opcache *c = d->opc;
	if (!c)
		return;
	for (int i = 0; i < OPC_MAX; i++)
		if (c->e[i].used)
			entry_free(&c->e[i]);
	pthread_mutex_destroy(&c->mu);
	free(c);
	d->opc = NULL;
}

static void make_key(const struct lf__op *op, struct opkey *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(&k->L, &op->L, sizeof(k->L));
	k->L.w_zp = NULL;
	k->L.w_scale = NULL;
	const lf_tensor *t[LF__OPV_COUNT] = {
	    op->x, op->L.op == LF_KOP_ADD ? op->w : NULL, op->y};
	for (int v = 0; v < LF__OPV_COUNT; v++) {
		if (!t[v])
			continue;
		k->sh[v].rank = t[v]->ndim;
		k->sh[v].dtype = t[v]->dtype;
		for (int i = 0; i < t[v]->ndim; i++)
			k->sh[v].d[i] = t[v]->dims[i];
	}
}

/* An idle entry for @k, claimed; NULL if none. */
static struct opc_entry *claim(struct lf__opcache *c, const struct opkey *k)
{
	struct opc_entry *hit = NULL;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < OPC_MAX && !hit; i++) {
		struct opc_entry *e = &c->e[i];
		if (e->used && !e->busy && memcmp(&e->key, k, sizeof(*k)) == 0)
			hit = e;
	}
	if (hit) {
		hit->busy = 1;
		hit->tick = ++c->tick;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

/* Keep @n (a new, busy entry) in the cache in place of the least
 * recently used idle one; Return: the cached entry, or NULL when every
 * place is busy (the caller frees @n after its call). */
static struct opc_entry *insert(struct lf__opcache *c, struct opc_entry *n)
{
	struct opc_entry *slot = NULL, old;
	memset(&old, 0, sizeof(old));
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < OPC_MAX; i++) {
		struct opc_entry *e = &c->e[i];
		if (e->busy)
			continue;
		if (!slot || !e->used || (slot->used && e->tick < slot->tick))
			slot = e;
		if (!e->used)
			break;
	}
	if (slot) {
		old = *slot;
		*slot = *n;
		slot->busy = 1;
		slot->used = 1;
		slot->tick = ++c->tick;
	}
	pthread_mutex_unlock(&c->mu);
	if (old.used)
		entry_free(&old);
	return slot;
}

/* Drop every idle entry (their device memory is wanted elsewhere).
 * Return: how many were dropped. */
static int drop_idle(struct lf__opcache *c)
{
	struct opc_entry gone[OPC_MAX];
	int n = 0;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < OPC_MAX; i++)
		if (c->e[i].used && !c->e[i].busy) {
			gone[n++] = c->e[i];
			memset(&c->e[i], 0, sizeof(c->e[i]));
		}
	pthread_mutex_unlock(&c->mu);
	for (int i = 0; i < n; i++)
		entry_free(&gone[i]);
	return n;
}

static void release(struct lf__opcache *c, struct opc_entry *e, int bad)
{
	struct opc_entry old;
	memset(&old, 0, sizeof(old));
	pthread_mutex_lock(&c->mu);
	e->busy = 0;
	if (bad) {
		old = *e;
		memset(e, 0, sizeof(*e));
	}
	pthread_mutex_unlock(&c->mu);
	if (old.used)
		entry_free(&old);
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

static int linear(const struct lf__op *op)
{
	return op->L.op == LF_KOP_CONV2D || op->L.op == LF_KOP_MATMUL;
}

static void pack(struct opc_entry *e, const struct lf__op *op, uint8_t *blob)
{
	lf__oplan_pack(e->op, &op->L, linear(op) ? op->w->data : NULL,
		       op->bias ? op->bias->data : NULL, blob);
}

/* A new entry for @op: planned, constants packed, opened on @d. */
static lf_status make_entry(struct lf__exec *d, uint64_t id,
			    const struct lf__op *op, const struct opkey *k,
			    struct opc_entry *e, struct lf__diag *dg)
{
	memset(e, 0, sizeof(*e));
	e->key = *k;
	struct lf__mdevcaps caps;
	lf__mdev_caps(d, &caps);
	lf_status st =
	    lf__oplan_build(&op->L, op->name, k->sh, &caps, &e->op, dg);
	if (st == LF_ERR_NO_MEMORY)
		return lf__err(id, st, "%s: no memory to plan tiles", op->name);
	if (st)
		return st;
	/* Zeroed, as the blob is: packing leaves gaps between areas
	 * unwritten, and the two are compared byte for byte. */
	e->scratch = calloc(e->op->params.bytes ? e->op->params.bytes : 1, 1);
	if (!e->scratch) {
		entry_free(e);
		return lf__err(id, LF_ERR_NO_MEMORY, "%s: no memory", op->name);
	}
	return LF_OK;
}

/* Bytes uploaded into params copies (each read back once) into @ri. */
static void count_params(struct lf__runinfo *ri, unsigned long long up,
			 uint64_t bytes)
{
	ri->h2d_bytes += up;
	ri->d2h_bytes += up;
	if (bytes)
		ri->dma_transfers += 2 * (unsigned)(up / bytes);
}

static lf_status open_entry(struct lf__exec *d, uint64_t id,
			    const struct lf__op *op, struct opc_entry *e,
			    struct lf__runinfo *ri)
{
	pack(e, op, e->op->params.blob);
	lf_status st = lf__mdev_open_as(d, id, &e->op->params,
					lf__mdev_max_cus(d), op->name, &e->md);
	if (st == LF_OK)
		count_params(ri, lf__mdev_params_uploaded(e->md),
			     e->op->params.bytes);
	return st;
}

/* This call's constants on the card: uploaded again only when their
 * packed bytes differ from what the card holds. */
static lf_status refresh_params(struct opc_entry *e, const struct lf__op *op,
				struct lf__runinfo *ri)
{
	struct lf__mparams *pm = &e->op->params;
	if (!pm->bytes || !linear(op))
		return LF_OK;
	pack(e, op, e->scratch);
	if (memcmp(e->scratch, pm->blob, pm->bytes) == 0)
		return LF_OK;
	memcpy(pm->blob, e->scratch, pm->bytes);
	unsigned long long u0 = lf__mdev_params_uploaded(e->md);
	lf_status st = lf__mdev_params_update(e->md, pm);
	count_params(ri, lf__mdev_params_uploaded(e->md) - u0, pm->bytes);
	return st;
}

static lf_status run_entry(struct lf__exec *d, uint64_t id, struct lf__op *op,
			   struct opc_entry *e, struct lf__runinfo *ri)
{
	void *ptr[LF__OPV_COUNT] = {op->x->data,
				    op->L.op == LF_KOP_ADD ? op->w->data : NULL,
				    op->y->data};
	struct lf__mseg_stats stats;
	memset(&stats, 0, sizeof(stats));
	char err[LF__ERR_MAX] = "";
	struct lf_dev_counters c0, c1;
	int have_ctr = lf__dev_counters(d->dev, &c0) == LF_OK;
	unsigned slot = e->next++;
	lf_status st =
	    lf__mdev_run_segment(e->md, slot, slot, &e->op->g, e->op->plan, 0,
				 ptr, &stats, err, sizeof(err));
	ri->h2d_bytes += stats.h2d_bytes;
	ri->d2h_bytes += stats.d2h_bytes;
	ri->dma_transfers += stats.h2d_transfers + stats.d2h_transfers;
	ri->launches += stats.launches;
	if (st)
		return lf__err(id, st, "%s", err);
	ri->tiles = e->op->plan->ndesc;
	if (have_ctr && lf__dev_counters(d->dev, &c1) == LF_OK)
		ri->device_ns = c1.device_ns - c0.device_ns;
	lf_tensor *y = op->y;
	pthread_mutex_lock(&y->lock);
	y->host_valid = 1;
	y->dev_valid = 0;
	atomic_fetch_add(&y->version, 1);
	pthread_mutex_unlock(&y->lock);
	return LF_OK;
}

lf_status lf__exec_run(struct lf__exec *d, uint64_t id, struct lf__op *op,
		       struct lf__runinfo *ri, struct lf__diag *dg)
{
	struct lf__opcache *c = d->opc;
	struct opkey k;
	make_key(op, &k);
	struct opc_entry *e = claim(c, &k), fresh;
	int cached = 1;
	lf_status st;
	if (!e) {
		/* Planned before anything moves: an op the device cannot
		 * run touches nothing. */
		if ((st = make_entry(d, id, op, &k, &fresh, dg)))
			return st;
		if ((st = inputs_on_host(d, id, op))) {
			entry_free(&fresh);
			return st;
		}
		st = open_entry(d, id, op, &fresh, ri);
		if (st == LF_ERR_NO_DEVICE_MEMORY && drop_idle(c))
			st = open_entry(d, id, op, &fresh, ri);
		if (st) {
			entry_free(&fresh);
			return st;
		}
		e = insert(c, &fresh);
		if (!e) {
			e = &fresh;
			cached = 0;
		}
	} else if ((st = inputs_on_host(d, id, op))) {
		release(c, e, 0);
		return st;
	}
	int bad = 0;
	st = refresh_params(e, op, ri);
	if (st)
		bad = 1; /* what the card holds is not known */
	else
		st = run_entry(d, id, op, e, ri);
	if (cached)
		release(c, e, bad);
	else
		entry_free(e);
	return st;
}
