/*
 * model_exec.c - a model's device segments on the card (model_exec.h):
 * params copies uploaded once, per-slot arenas and descriptor buffers,
 * one upload, the launches, one status read and one download per segment,
 * checked end to end by the kernel's checksum where the engine has one
 * (csum_mode), else by read-backs (checked).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/exec/model_exec.h"
#include "hostlib/plan/pack.h"
#include "lf_config.h" /* LF_ENGINE_BLK_OPS */
#include "lf_csum.h"   /* LF_CSUM_WORDS */

#define SLOT_BANKS 8 /* distinct banks one slot's buffers may use */
#define SPLIT_MAX  4 /* engine CUs one segment may run on together */

struct dbuf {
	uint32_t bank;
	lf_bo *bo;
	uint8_t *host;
	uint64_t size;
	uint64_t plan_id; /* descriptors of this plan are on the device */
	int current;
	uint32_t nonce; /* in the last descriptor for the launch under way */
	/* The list on the card: its descriptors (the plan's, and with csum
	 * the two checksum descriptors around them: csum_descs) and which
	 * of the run's transfers those check (LF__MCSUM_*; 0: none). */
	uint32_t nlist;
	unsigned csum;
};

/*
 * A slot's buffers: arenas by bank, and one descriptor buffer per launch
 * of the plan (plan-wide launch index), holding exactly that launch's
 * descriptors from byte 0: every launch passes its desc, params and act
 * buffers at offset 0 (a backend may refuse other offsets on pointer
 * arguments: one without sub-buffers, or one that cannot place them).
 */
struct mslot {
	int narena, ndesc;
	struct dbuf arena[SLOT_BANKS];
	struct dbuf *desc; /* ndesc entries, by launch */
	uint8_t *chk;	   /* host scratch of checked(), chk_cap bytes */
	uint64_t chk_cap;
};

/* A copy of weights group @group (lf__pgroup) in @bank. */
struct pcopy {
	int group;
	uint32_t bank;
	lf_bo *bo;
};

struct combo {
	uint32_t c, m; /* conv and matmul CU indices sharing an act bank */
};

struct lf__mdev {
	struct lf__exec *d;
	uint64_t ctx_id;
	const char *who; /* its messages' prefix: "model load", an op */
	uint64_t params_bytes;
	unsigned kernels; /* LF__MK_* bits of the kernels the model uses */
	int ngroups; /* weights groups (at least 1: a launch needs params) */
	struct lf__pgroup *group;
	int npc;
	struct pcopy *pc; /* at most ngroups * LF_DRV_MAX_MEMS */
	unsigned long long uploaded;
	unsigned nslots;
	struct mslot *slot;
	int ncombo;
	struct combo *combo;
	atomic_uint_fast64_t tl_next;
	atomic_uint_fast32_t nonce; /* launches so far (next_nonce) */
	struct lf__zombies zombies; /* abandoned runs of this model */
};

/* The engine's blocked datapaths: those the xclbin has (lfk_engine.blk_ops)
 * and this source's kernels have (LF_ENGINE_BLK_OPS); an op whose `.blk_*`
 * keys the xclbin lacks is not supported (add has none). */
static void blk_caps(const struct lf__exec *d, struct lf__mdevcaps *caps)
{
	unsigned ops = d->blk_ops > 0 ? (unsigned)d->blk_ops : 0;
	ops &= LF_ENGINE_BLK_OPS;
	if (d->blk_conv_wbeats <= 0 || d->blk_conv_iw_max <= 0)
		ops &= ~(1u << LF_KOP_CONV2D);
	if (d->blk_pool_iw_max <= 0)
		ops &= ~((1u << LF_KOP_MAXPOOL) | (1u << LF_KOP_AVGPOOL));
	caps->blk_ops = ops;
	caps->blim.conv_wbeats = d->blk_conv_wbeats;
	caps->blim.conv_iw_max = d->blk_conv_iw_max;
	caps->blim.pool_iw_max = d->blk_pool_iw_max;
	caps->blim.conv_lbeats = d->blk_conv_lbeats;
	caps->blim.conv_stride_max = d->blk_conv_stride_max;
	caps->blim.conv_dw = d->blk_conv_dw;
	caps->blim.conv_ycb = d->blk_conv_ycb;
	caps->blim.conv_add = d->blk_conv_add;
	caps->blim.conv_pool = d->blk_conv_pool;
	caps->blim.conv_xfold = d->blk_conv_xfold;
	caps->blim.conv_wpre = d->blk_conv_wpre;
}

/* The largest bank a params port of any CU reaches, less the slack a
 * slot's descriptor lists take (lf__mdevcaps.params_room). */
static uint64_t params_room(const struct lf__exec *d)
{
	const struct lf_dev_props *pr = lf__dev_props(d->dev);
	const struct lf__kern *k[LF__MK_COUNT] = {&d->conv, &d->mm, &d->eng};
	uint64_t room = 0;
	for (int i = 0; i < LF__MK_COUNT; i++)
		for (uint32_t c = 0; c < k[i]->ncus; c++) {
			uint32_t b = k[i]->bank_params[c];
			if (b < pr->nmems && pr->mems[b].size > room)
				room = pr->mems[b].size;
		}
	return room > LF__ARENA_SLACK ? room - LF__ARENA_SLACK : 0;
}

void lf__mdev_caps(const struct lf__exec *d, struct lf__mdevcaps *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (!d) {
		snprintf(caps->absent_why, sizeof(caps->absent_why),
			 "cpu device");
		return;
	}
	if (lf__exec_lost(d)) {
		snprintf(caps->absent_why, sizeof(caps->absent_why),
			 "device lost");
		return;
	}
	const struct lf__kern *k[2] = {&d->conv, &d->mm};
	for (int i = 0; i < 2; i++) {
		caps->has[i] = k[i]->ncus > 0 && k[i]->lim.present;
		caps->lim[i] = k[i]->lim;
		caps->present |= caps->has[i];
	}
	if (d->eng.lim.present && caps->has[LF__MK_CONV] &&
	    caps->has[LF__MK_MM]) {
		caps->engine = 1;
		caps->has[LF__MK_ENG] = 1;
		caps->plim.dim_max = d->pool_dim_max;
		caps->plim.kdim_max = d->pool_kdim_max;
		caps->plim.step_max = d->pool_step_max;
		caps->plim.row_bytes = d->pool_row_bytes;
		caps->plim.add_dim_max = d->add_dim_max;
		blk_caps(d, caps);
	}
	if (!caps->present)
		snprintf(caps->absent_why, sizeof(caps->absent_why),
			 "the xclbin has no usable kernel");
	caps->conv_lut = d->conv_lut > 0;
	caps->params_room = params_room(d);
	for (uint32_t c = 0; c < d->conv.ncus; c++)
		for (uint32_t m = 0; m < d->mm.ncus; m++)
			if (d->conv.bank_act[c] == d->mm.bank_act[m])
				caps->allow_mixed = 1;
}

static lf_status drv(struct lf__mdev *md, lf_status st)
{
	return lf__exec_note(md->d, st);
}

/* Group @group's copy in @bank; with @group < 0 (a launch that reads no
 * weights), any copy there. NULL: none. */
static const struct pcopy *params_copy(const struct lf__mdev *md, int group,
				       uint32_t bank)
{
	for (int i = 0; i < md->npc; i++)
		if (md->pc[i].bank == bank &&
		    (group < 0 || md->pc[i].group == group))
			return &md->pc[i];
	return NULL;
}

static lf_bo *params_bo(const struct lf__mdev *md, int group, uint32_t bank)
{
	const struct pcopy *c = params_copy(md, group, bank);
	return c ? c->bo : NULL;
}

/* Bytes of this model's weights in @bank. */
static uint64_t params_in(const struct lf__mdev *md, uint32_t bank)
{
	uint64_t n = 0;
	for (int i = 0; i < md->npc; i++)
		if (md->pc[i].bank == bank)
			n += md->group[md->pc[i].group].bytes;
	return n;
}

/*
 * One copy of a weights group (@bytes from @src), uploaded and read back
 * once: the copy serves every later run on the CUs that read it, so a
 * transfer that corrupted it silently (a DMA engine reports success for
 * the bytes it delivered, right or not) would make all of them wrong. A
 * difference, or a retryable transfer error, uploads the copy again,
 * once; then the load fails with LF_ERR_DMA. The read-back costs one D2H
 * transfer of the weights per copy, at load only.
 */
static lf_status put_params(struct lf__mdev *md, lf_bo *bo, const uint8_t *src,
			    uint64_t bytes)
{
	uint8_t *host = NULL;
	uint8_t *back = malloc(bytes);
	if (!back)
		return lf__err(md->ctx_id, LF_ERR_NO_MEMORY,
			       "%s: no memory to check %llu bytes of "
			       "weights",
			       md->who, (unsigned long long)bytes);
	lf_status st = lf__bo_map(bo, (void **)&host);
	if (st) {
		free(back);
		return lf__err(md->ctx_id, drv(md, st), "%s: %s", md->who,
			       lf__drv_last_error());
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		unsigned n[2] = {0, 0};
		uint64_t at;
		memcpy(host, src, bytes);
		st = lf__xfer_checked(bo, host, LF_SYNC_TO_DEVICE, 0, bytes,
				      back, n, &at);
		md->uploaded += n[0] * bytes;
		if (st == LF_OK)
			break;
		if (at == bytes) {
			st = lf__err(md->ctx_id, drv(md, st),
				     "%s: uploading weights: %s", md->who,
				     lf__drv_last_error());
		} else {
			st = lf__err(md->ctx_id, LF_ERR_DMA,
				     "%s: the weights read back from "
				     "bank %u differ from those uploaded "
				     "(byte %llu of %llu)%s",
				     md->who, lf__bo_bank(bo),
				     (unsigned long long)at,
				     (unsigned long long)bytes,
				     attempt ? ", twice" : "");
		}
		if (!lf__exec_retryable(st))
			break;
	}
	free(back);
	return st;
}

lf_status lf__mdev_params_update(struct lf__mdev *md,
				 const struct lf__mparams *params)
{
	int ng = params->ngroups > 0 ? params->ngroups : 1;
	if (params->bytes != md->params_bytes || ng != md->ngroups)
		return lf__err(md->ctx_id, LF_ERR_INTERNAL,
			       "weights of %llu bytes in %d groups replace "
			       "%llu in %d",
			       (unsigned long long)params->bytes, ng,
			       (unsigned long long)md->params_bytes,
			       md->ngroups);
	for (int i = 0; params->bytes && i < md->npc; i++) {
		const struct lf__pgroup *gr = &md->group[md->pc[i].group];
		if (!gr->bytes)
			continue;
		lf_status st = put_params(md, md->pc[i].bo,
					  params->blob + gr->lo, gr->bytes);
		if (st)
			return st;
	}
	return LF_OK;
}

/* The banks the params ports of the used kernels' CUs reach, each once. */
static int params_banks(const struct lf__mdev *md, unsigned kernels,
			uint32_t *bank)
{
	const struct lf__kern *k[LF__MK_COUNT] = {&md->d->conv, &md->d->mm,
						  &md->d->eng};
	int n = 0;
	for (int i = 0; i < LF__MK_COUNT; i++) {
		if (!(kernels & (1u << i)))
			continue;
		for (uint32_t c = 0; c < k[i]->ncus; c++) {
			int seen = 0;
			for (int j = 0; j < n; j++)
				seen |= bank[j] == k[i]->bank_params[c];
			if (!seen && n < LF_DRV_MAX_MEMS)
				bank[n++] = k[i]->bank_params[c];
		}
	}
	return n;
}

/* A copy of group @g in @bank: LF_OK, LF_ERR_NO_DEVICE_MEMORY (no room,
 * no message: the caller tries another bank), or another error (message
 * set). */
static lf_status put_group(struct lf__mdev *md,
			   const struct lf__mparams *params, int g,
			   uint32_t bank)
{
	const struct lf__pgroup *gr = &md->group[g];
	lf_bo *bo;
	lf_status st =
	    lf__bo_alloc(md->d->dev, gr->bytes ? gr->bytes : 64, bank, &bo);
	if (st == LF_ERR_NO_DEVICE_MEMORY)
		return st;
	if (st)
		return lf__err(md->ctx_id, drv(md, st),
			       "%s: weights in bank %u: %s", md->who, bank,
			       lf__drv_last_error());
	md->pc[md->npc++] = (struct pcopy){g, bank, bo};
	if (!gr->bytes)
		return LF_OK;
	return put_params(md, bo, params->blob + gr->lo, gr->bytes);
}

/*
 * Copies of the weights groups in the banks the used kernels' CUs read
 * their params from. One group (the blob fits a bank): a copy in every
 * such bank that has room, so every CU can run the model. Several: one
 * copy each, in the bank with the most room left (a segment then runs on
 * a CU that reads its group: pick_cus). A group no bank takes fails the
 * load, naming the figures.
 */
static lf_status upload_params(struct lf__mdev *md,
			       const struct lf__mparams *params)
{
	const struct lf_dev_props *pr = lf__dev_props(md->d->dev);
	uint32_t bank[LF_DRV_MAX_MEMS];
	int nb = params_banks(md, params->kernels, bank);
	for (int g = 0; g < md->ngroups; g++) {
		int done = 0;
		uint32_t tried = 0;
		lf_status st = LF_ERR_NO_DEVICE_MEMORY;
		char drvmsg[LF__ERR_MAX] = "";
		while (!done && st == LF_ERR_NO_DEVICE_MEMORY) {
			/* The untried bank with the most room left. */
			int best = -1;
			uint64_t most = 0;
			for (int j = 0; j < nb; j++) {
				uint64_t sz = bank[j] < pr->nmems
						  ? pr->mems[bank[j]].size
						  : 0;
				uint64_t used = params_in(md, bank[j]);
				uint64_t left = sz > used ? sz - used : 0;
				if (!(tried & (1u << j)) &&
				    (best < 0 || left > most)) {
					best = j;
					most = left;
				}
			}
			if (best < 0)
				break;
			tried |= 1u << best;
			st = put_group(md, params, g, bank[best]);
			if (st == LF_OK)
				done = 1;
			else if (st == LF_ERR_NO_DEVICE_MEMORY)
				snprintf(drvmsg, sizeof(drvmsg), "%s",
					 lf__drv_last_error());
			else
				return st;
		}
		if (!done) {
			char banks[256] = "";
			size_t k = 0;
			for (int j = 0; j < nb && k < sizeof(banks); j++) {
				uint32_t b = bank[j];
				int w = snprintf(
				    banks + k, sizeof(banks) - k,
				    "%sbank %u %llu bytes (%llu of this model)",
				    j ? ", " : "", b,
				    b < pr->nmems
					? (unsigned long long)pr->mems[b].size
					: 0ull,
				    (unsigned long long)params_in(md, b));
				k += w > 0 ? (size_t)w : 0;
			}
			return lf__err(md->ctx_id, LF_ERR_NO_DEVICE_MEMORY,
				       "%s: weights group %d of %d "
				       "(%llu of the model's %llu bytes) fits "
				       "no bank the CUs' params ports reach: "
				       "%s; last: %s",
				       md->who, g + 1, md->ngroups,
				       (unsigned long long)md->group[g].bytes,
				       (unsigned long long)params->bytes, banks,
				       drvmsg);
		}
	}
	/* One group: a copy for every CU, where there is room. */
	for (int j = 0; md->ngroups == 1 && j < nb; j++) {
		if (params_bo(md, 0, bank[j]))
			continue;
		lf_status st = put_group(md, params, 0, bank[j]);
		if (st && st != LF_ERR_NO_DEVICE_MEMORY)
			return st;
	}
	return LF_OK;
}

static void free_slot_bufs(struct mslot *sl)
{
	for (int i = 0; i < sl->narena; i++)
		lf__bo_free(sl->arena[i].bo);
	for (int i = 0; i < sl->ndesc; i++)
		if (sl->desc[i].bo)
			lf__bo_free(sl->desc[i].bo);
	free(sl->desc);
	sl->desc = NULL;
	sl->narena = sl->ndesc = 0;
}

void lf__mdev_close(struct lf__mdev *md)
{
	if (!md)
		return;
	for (unsigned i = 0; md->slot && i < md->nslots; i++) {
		free_slot_bufs(&md->slot[i]);
		free(md->slot[i].chk);
	}
	lf__zombies_drain(md->d, &md->zombies);
	for (int i = 0; i < md->npc; i++)
		lf__bo_free(md->pc[i].bo);
	free(md->pc);
	free(md->group);
	free(md->slot);
	free(md->combo);
	free(md);
}

lf_status lf__mdev_open(struct lf__exec *d, uint64_t ctx_id,
			const struct lf__mparams *params, unsigned nslots,
			struct lf__mdev **out)
{
	return lf__mdev_open_as(d, ctx_id, params, nslots, "model load", out);
}

lf_status lf__mdev_open_as(struct lf__exec *d, uint64_t ctx_id,
			   const struct lf__mparams *params, unsigned nslots,
			   const char *who, struct lf__mdev **out)
{
	struct lf__mdev *md = calloc(1, sizeof(*md));
	if (!md)
		return lf__err(ctx_id, LF_ERR_NO_MEMORY, "%s: no memory", who);
	md->who = who;
	md->d = d;
	md->ctx_id = ctx_id;
	md->params_bytes = params->bytes;
	md->kernels = params->kernels;
	md->nslots = nslots;
	atomic_init(&md->tl_next, 0);
	atomic_init(&md->nonce, 0);
	lf__zombies_init(&md->zombies);
	md->slot = calloc(nslots ? nslots : 1, sizeof(*md->slot));
	md->combo =
	    calloc((size_t)(d->conv.ncus * d->mm.ncus) + 1, sizeof(*md->combo));
	/* No groups: a single op's plan (hostlib/plan/op_plan.c makes
	 * none: group NULL) is one group of its whole blob; a model whose
	 * nodes all stayed off the card has one empty group, since a
	 * launch always passes a params buffer. */
	md->ngroups = params->ngroups > 0 ? params->ngroups : 1;
	md->group = calloc((size_t)md->ngroups, sizeof(*md->group));
	md->pc = calloc((size_t)md->ngroups * LF_DRV_MAX_MEMS, sizeof(*md->pc));
	if (md->group && params->ngroups > 0)
		memcpy(md->group, params->group,
		       (size_t)md->ngroups * sizeof(*md->group));
	else if (md->group && !params->group)
		md->group[0] = (struct lf__pgroup){0, params->bytes};
	if (!md->slot || !md->combo || !md->group || !md->pc) {
		lf__mdev_close(md);
		return lf__err(ctx_id, LF_ERR_NO_MEMORY, "%s: no memory", who);
	}
	for (uint32_t c = 0; c < d->conv.ncus; c++)
		for (uint32_t m = 0; m < d->mm.ncus; m++)
			if (d->conv.bank_act[c] == d->mm.bank_act[m])
				md->combo[md->ncombo++] = (struct combo){c, m};
	lf_status st = upload_params(md, params);
	if (st) {
		lf__mdev_close(md);
		return st;
	}
	*out = md;
	return LF_OK;
}

unsigned long long lf__mdev_params_uploaded(const struct lf__mdev *md)
{
	return md ? md->uploaded : 0;
}

const char *lf__mdev_cu_name(const struct lf__mdev *md, uint32_t cu)
{
	const struct lf_dev_props *pr = lf__dev_props(md->d->dev);
	return cu < pr->ncus ? pr->cus[cu].name : "";
}

uint64_t lf__mdev_arena_room(const struct lf__mdev *md)
{
	const struct lf_dev_props *pr = lf__dev_props(md->d->dev);
	const struct lf__kern *k[LF__MK_COUNT] = {&md->d->conv, &md->d->mm,
						  &md->d->eng};
	uint64_t room = UINT64_MAX;
	for (int i = 0; i < LF__MK_COUNT; i++) {
		if (!(md->kernels & (1u << i)))
			continue;
		for (uint32_t c = 0; c < k[i]->ncus; c++) {
			uint32_t bank = k[i]->bank_act[c];
			if (bank >= pr->nmems)
				continue;
			uint64_t r = pr->mems[bank].size;
			uint64_t used = params_in(md, bank) + LF__ARENA_SLACK;
			r = r > used ? r - used : 0;
			if (r < room)
				room = r;
		}
	}
	return room == UINT64_MAX ? 0 : room;
}

int lf__mdev_dev_lost(const struct lf__exec *d)
{
	return d && lf__exec_lost(d);
}

int lf__mdev_lost(const struct lf__mdev *md)
{
	return lf__exec_lost(md->d);
}

/* ---- one segment ----------------------------------------------------------
 */

struct segrun {
	struct lf__mdev *md;
	struct mslot *sl;
	const struct lf__graph *g;
	const struct lf__mplan *plan;
	const struct lf__mseg *s;
	int seg;
	struct lf__mseg_stats *stats;
	const struct lf__mbind *bind; /* NULL: nothing bound */
	uint32_t ci[LF__MK_COUNT];    /* CU index per kernel */
	unsigned split;		      /* engine CUs 0 .. split - 1 together */
	/* LF__MCSUM_* (csum_mode): the ranges the launch list's checksum
	 * descriptors cover (list_csum, fixed by the plan), and the
	 * transfers of this run they check (csum); hdg the host's digest of
	 * the upload, kdg the kernel's of the upload (0-3) and of the
	 * download (4-7) */
	unsigned list_csum, csum;
	uint32_t hdg[LF_CSUM_WORDS], kdg[2 * LF_CSUM_WORDS];
	struct dbuf *arena;
	char *err;
	size_t errlen;
};

static lf_status segfail(struct segrun *r, lf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static lf_status segfail(struct segrun *r, lf_status st, const char *fmt, ...)
{
	const struct lf__gnode *n = &r->g->nodes[r->s->nodes[0]];
	/* A single op's node has no label (plan/op_plan.h): its name. */
	int k = n->label[0] ? snprintf(r->err, r->errlen,
				       "node '%s' (%s), device segment "
				       "%d: ",
				       n->name, n->label, r->seg)
			    : snprintf(r->err, r->errlen, "%s: ", n->name);
	if (k >= 0 && (size_t)k < r->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	for (int i = 0; i < r->sl->ndesc; i++)
		r->sl->desc[i].current = 0;
	return st;
}

static const struct lf__kern *kern(const struct segrun *r, int k)
{
	return k == LF__MK_CONV ? &r->md->d->conv
	       : k == LF__MK_MM ? &r->md->d->mm
				: &r->md->d->eng;
}

/* Does CU index @c of kernel @k read the segment's weights group? */
static int reads_group(const struct segrun *r, int k, uint32_t c)
{
	return params_bo(r->md, r->s->pgroup, kern(r, k)->bank_params[c]) !=
	       NULL;
}

/* The lane's CUs for this segment: lane i's, or the next ones that read
 * the segment's weights group (one copy per group when the weights were
 * split over banks: upload_params). */
static lf_status pick_cus(struct segrun *r, unsigned lane)
{
	const struct lf__exec *d = r->md->d;
	if (r->s->kernels == ((1u << LF__MK_CONV) | (1u << LF__MK_MM))) {
		for (int t = 0; t < r->md->ncombo; t++) {
			const struct combo *c =
			    &r->md->combo[(lane + (unsigned)t) %
					  (unsigned)r->md->ncombo];
			if (reads_group(r, LF__MK_CONV, c->c) &&
			    reads_group(r, LF__MK_MM, c->m)) {
				r->ci[LF__MK_CONV] = c->c;
				r->ci[LF__MK_MM] = c->m;
				return LF_OK;
			}
		}
		return segfail(r, LF_ERR_INTERNAL,
			       "no conv and matmul CUs read weights group %d",
			       r->s->pgroup);
	}
	const struct lf__kern *k[LF__MK_COUNT] = {&d->conv, &d->mm, &d->eng};
	for (int i = 0; i < LF__MK_COUNT; i++) {
		uint32_t n = k[i]->ncus;
		r->ci[i] = n ? lane % n : 0;
		if (!(r->s->kernels & (1u << i)))
			continue;
		uint32_t t = 0;
		while (t < n && !reads_group(r, i, (lane + t) % n))
			t++;
		if (t == n)
			return segfail(r, LF_ERR_INTERNAL,
				       "no %s CU reads weights group %d",
				       k[i]->name, r->s->pgroup);
		r->ci[i] = (lane + t) % n;
	}
	return LF_OK;
}

static lf_status sync(struct segrun *r, lf_bo *bo, enum lf_sync_dir dir,
		      uint64_t off, uint64_t size)
{
	if (!size)
		return LF_OK;
	lf_status st = lf__bo_sync(bo, dir, size, off);
	if (st)
		return segfail(r, drv(r->md, st), "%s: %s",
			       dir == LF_SYNC_TO_DEVICE ? "upload" : "download",
			       lf__drv_last_error());
	if (dir == LF_SYNC_TO_DEVICE) {
		r->stats->h2d_transfers++;
		r->stats->h2d_bytes += size;
	} else {
		r->stats->d2h_transfers++;
		r->stats->d2h_bytes += size;
	}
	return LF_OK;
}

/*
 * A transfer of bytes a run's result depends on, checked end to end
 * (lf__xfer_checked: an upload read back, a download read twice). A
 * difference is LF_ERR_DMA, which run_segment retries and then reports
 * (or falls back, by policy): a corrupted transfer never becomes a
 * result. The extra transfer is counted in the stats like the others.
 */
static lf_status checked(struct segrun *r, struct dbuf *b, enum lf_sync_dir dir,
			 uint64_t off, uint64_t size)
{
	struct mslot *sl = r->sl;
	if (!size)
		return LF_OK;
	if (sl->chk_cap < size) {
		uint8_t *p = realloc(sl->chk, size);
		if (!p)
			return segfail(r, LF_ERR_NO_MEMORY,
				       "no memory to check a transfer of %llu "
				       "bytes",
				       (unsigned long long)size);
		sl->chk = p;
		sl->chk_cap = size;
	}
	unsigned n[2] = {0, 0};
	uint64_t at;
	lf_status st =
	    lf__xfer_checked(b->bo, b->host, dir, off, size, sl->chk, n, &at);
	r->stats->h2d_transfers += n[0];
	r->stats->h2d_bytes += n[0] * size;
	r->stats->d2h_transfers += n[1];
	r->stats->d2h_bytes += n[1] * size;
	if (st == LF_OK)
		return LF_OK;
	if (at == size)
		return segfail(r, drv(r->md, st), "%s: %s",
			       dir == LF_SYNC_TO_DEVICE ? "upload" : "download",
			       lf__drv_last_error());
	if (dir == LF_SYNC_TO_DEVICE)
		return segfail(r, LF_ERR_DMA,
			       "upload of %llu bytes: the card holds other "
			       "bytes than were sent (byte %llu differs when "
			       "read back)",
			       (unsigned long long)size,
			       (unsigned long long)at);
	return segfail(r, LF_ERR_DMA,
		       "download of %llu bytes: two reads of the result "
		       "differ (byte %llu)",
		       (unsigned long long)size, (unsigned long long)at);
}

/* A slot buffer in @bank of at least @size bytes (kept across runs). */
static lf_status slot_buf(struct segrun *r, struct dbuf *list, int *n,
			  uint32_t bank, uint64_t size, struct dbuf **out)
{
	struct dbuf *b = NULL;
	for (int i = 0; i < *n; i++)
		if (list[i].bank == bank)
			b = &list[i];
	if (b && b->size >= size) {
		*out = b;
		return LF_OK;
	}
	if (!b) {
		if (*n == SLOT_BANKS)
			return segfail(r, LF_ERR_INTERNAL,
				       "more than %d banks in one slot",
				       SLOT_BANKS);
		b = &list[(*n)++];
		memset(b, 0, sizeof(*b));
		b->bank = bank;
	} else {
		lf__bo_free(b->bo);
		b->bo = NULL;
	}
	b->size = size < 4096 ? 4096 : size;
	b->current = 0;
	lf_status st = lf__bo_alloc(r->md->d->dev, b->size, bank, &b->bo);
	if (st == LF_OK)
		st = lf__bo_map(b->bo, (void **)&b->host);
	if (st) {
		if (b->bo)
			lf__bo_free(b->bo);
		*b = list[--(*n)];
		return segfail(r, drv(r->md, st), "%llu bytes in bank %u: %s",
			       (unsigned long long)size, bank,
			       lf__drv_last_error());
	}
	*out = b;
	return LF_OK;
}

/*
 * Descriptors of a segment whose weights group does not start the blob
 * (lf__pgroup): their params offsets made relative to the group, the
 * buffer the launch passes. An offset below the group's start is one the
 * op does not read (every one it reads is in the group), left as it is.
 */
static void rebase(const struct segrun *r, uint8_t *list, uint32_t n)
{
	int g = r->s->pgroup;
	uint64_t lo = g >= 0 && g < r->md->ngroups ? r->md->group[g].lo : 0;
	if (!lo)
		return;
	for (uint32_t i = 0; i < n; i++) {
		lf_desc d;
		memcpy(&d, list + (uint64_t)i * LF_DESC_BYTES, sizeof(d));
		if (d.op != LF_KOP_CONV2D && d.op != LF_KOP_MATMUL)
			continue;
		uint32_t *f[5] = {&d.w_off, &d.bias_off, &d.w_zp_off,
				  &d.mult_off, &d.lut_off};
		for (int k = 0; k < 5; k++)
			if (*f[k] >= lo)
				*f[k] -= (uint32_t)lo;
		memcpy(list + (uint64_t)i * LF_DESC_BYTES, &d, sizeof(d));
	}
}

/* A launch's nonce: nonzero, 24 bits (lf_kst_word keeps those), never
 * the same for two launches of this model in a row of 2^24 - 1. */
static uint32_t next_nonce(struct lf__mdev *md)
{
	uint_fast32_t n = atomic_fetch_add(&md->nonce, 1);
	return (uint32_t)(n % LF_KST_NONCE_MASK) + 1;
}

/*
 * A launch split across a group of CUs (segrun.split): lane @lane of @k
 * runs its part of each descriptor (lf__mplan_part) and a barrier after
 * every descriptor, the last too (the run ends when the group's does),
 * on flags at @flag_off of act; every lane's list carries the same
 * @nonce. k 0: the plan's list as it is.
 */
struct lanepart {
	unsigned lane, k;
	uint32_t nonce, flag_off;
};

/* Where the flags of a split launch's barriers go: after the arena. */
static uint64_t flag_off(const struct lf__mplan *p)
{
	return (p->arena_bytes + LF_BEAT_BYTES - 1) / LF_BEAT_BYTES *
	       LF_BEAT_BYTES;
}

/* The lane's part of descriptors @list[0 .. n - 1] (struct lanepart). */
static void lane_list(const struct lanepart *lp, uint8_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		lf_desc d;
		memcpy(&d, list + (uint64_t)i * LF_DESC_BYTES, sizeof(d));
		lf__mplan_part(&d, lp->lane, lp->k);
		d.sync = lp->k + lp->lane * 256u;
		d.sync_off = lp->flag_off;
		memcpy(list + (uint64_t)i * LF_DESC_BYTES, &d, sizeof(d));
	}
}

/* Where the digests go: words 4-7 (upload) and 8-11 (download) of the
 * list's last descriptor, a checksum descriptor, which does not read
 * them (hls/lf_desc.h); the status word 3 is just before them, so one
 * read of words 3-11 gets the status and both. */
#define CSUM_DG_WORD  4
#define CSUM_DG_BYTES (4 + 2 * LF_CSUM_WORDS * 4)

/*
 * The checksum descriptors of a list of @nd (csum_mode): the first over
 * the upload, the last over the download, each 0 bytes where @csum has no
 * bit for it or in a split launch's lanes but the first (lane 0's digests
 * are the ones read; the others' lists have the same length, so every
 * lane runs the same barriers). A run with a transfer the digest does not
 * check (a bound input) runs the same list and ignores that digest, so
 * the list on the card never changes with the binding.
 */
static void csum_descs(const struct segrun *r, uint8_t *list, uint32_t nd,
		       unsigned csum, unsigned lane)
{
	const struct lf__mseg *s = r->s;
	lf_desc d[2];
	memset(d, 0, sizeof(d));
	for (int j = 0; j < 2; j++) {
		d[j].magic = LF_DESC_MAGIC;
		d[j].op = LF_KOP_CSUM;
		d[j].y_off = (nd - 1) * LF_DESC_WORDS + CSUM_DG_WORD +
			     (uint32_t)j * LF_CSUM_WORDS;
	}
	if (!lane && (csum & LF__MCSUM_UP)) {
		d[0].x_off = (uint32_t)s->up_off;
		d[0].csum_len = (uint32_t)s->up_bytes;
	}
	if (!lane && (csum & LF__MCSUM_DOWN)) {
		d[1].x_off = (uint32_t)s->down_off;
		d[1].csum_len = (uint32_t)s->down_bytes;
	}
	memcpy(list, &d[0], LF_DESC_BYTES);
	memcpy(list + (uint64_t)(nd - 1) * LF_DESC_BYTES, &d[1], LF_DESC_BYTES);
}

/* The descriptor buffer of launch @l (plan-wide index @gl; a split
 * launch's lane, @lp) in @bank, with its descriptors on it from offset
 * 0. */
static lf_status desc_buf(struct segrun *r, int gl, const struct lf__mlaunch *l,
			  uint32_t bank, const struct lanepart *lp,
			  struct dbuf **out)
{
	const struct lf__mplan *p = r->plan;
	struct mslot *sl = r->sl;
	/* A split launch's lanes have buffers of their own after the
	 * plan's: lane j's at (j + 1) * nlaunch + gl. */
	if (lp->k)
		gl += ((int)lp->lane + 1) * p->nlaunch;
	if (gl >= sl->ndesc) {
		int n = p->nlaunch > gl ? p->nlaunch : gl + 1;
		struct dbuf *nd = realloc(sl->desc, (size_t)n * sizeof(*nd));
		if (!nd)
			return segfail(r, LF_ERR_NO_MEMORY, "out of memory");
		memset(nd + sl->ndesc, 0,
		       (size_t)(n - sl->ndesc) * sizeof(*nd));
		sl->desc = nd;
		sl->ndesc = n;
	}
	struct dbuf *b = &sl->desc[gl];
	/* With the checksum, its two descriptors around the plan's. */
	uint32_t pre = r->list_csum ? 1 : 0, nd = l->ndesc + 2 * pre;
	uint64_t bytes = (uint64_t)nd * LF_DESC_BYTES;
	if (!b->bo || b->bank != bank || b->size < bytes) {
		if (b->bo)
			lf__bo_free(b->bo);
		memset(b, 0, sizeof(*b));
		b->bank = bank;
		b->size = bytes < 4096 ? 4096 : bytes;
		lf_status st =
		    lf__bo_alloc(r->md->d->dev, b->size, bank, &b->bo);
		if (st == LF_OK)
			st = lf__bo_map(b->bo, (void **)&b->host);
		if (st) {
			if (b->bo)
				lf__bo_free(b->bo);
			memset(b, 0, sizeof(*b));
			return segfail(r, drv(r->md, st),
				       "%llu bytes in bank %u: %s",
				       (unsigned long long)bytes, bank,
				       lf__drv_last_error());
		}
	}
	*out = b;
	if (!bytes)
		return LF_OK;
	/* The last descriptor carries this launch's nonce, which the kernel
	 * echoes into its status word (lf_desc.h, lf_kst_word): the word
	 * check_status reads proves this run only if it echoes it. */
	b->nonce = lp->k ? lp->nonce : next_nonce(r->md);
	uint64_t noff = bytes - LF_DESC_BYTES + offsetof(lf_desc, nonce);
	if (b->current && b->plan_id == p->id && b->csum == r->list_csum) {
		/* The list is on the card from an earlier run, its status
		 * words holding that run's results (echoing that run's
		 * nonce): one 4-byte write of the new nonce. */
		memcpy(b->host + noff, &b->nonce, 4);
		return sync(r, b->bo, LF_SYNC_TO_DEVICE, noff, 4);
	}
	b->current = 0;
	uint8_t *list = b->host + (uint64_t)pre * LF_DESC_BYTES;
	memcpy(list, p->desc + l->desc0, (uint64_t)l->ndesc * LF_DESC_BYTES);
	rebase(r, list, l->ndesc);
	if (lp->k)
		lane_list(lp, list, l->ndesc);
	if (r->list_csum)
		csum_descs(r, b->host, nd, r->list_csum, lp->lane);
	b->nlist = nd;
	b->csum = r->list_csum;
	memcpy(b->host + noff, &b->nonce, 4);
	lf_status st = checked(r, b, LF_SYNC_TO_DEVICE, 0, bytes);
	if (st)
		return st;
	b->current = 1;
	b->plan_id = p->id;
	return LF_OK;
}

/* A run that could not be collected keeps the slot's buffers: they go
 * with it to the abandoned runs, and the slot allocates new ones. */
static void park(struct segrun *r, lf_run *run, uint32_t cu)
{
	struct lf__zombie *z = calloc(1, sizeof(*z));
	if (z)
		z->bos = calloc((size_t)(r->sl->narena + r->sl->ndesc) + 1,
				sizeof(lf_bo *));
	if (z && !z->bos) {
		free(z);
		z = NULL;
	}
	if (z) {
		z->run = run;
		z->cu = cu;
		for (int i = 0; i < r->sl->narena; i++)
			z->bos[z->nbos++] = r->sl->arena[i].bo;
		for (int i = 0; i < r->sl->ndesc; i++)
			if (r->sl->desc[i].bo)
				z->bos[z->nbos++] = r->sl->desc[i].bo;
		free(r->sl->desc);
		r->sl->desc = NULL;
		lf__zombies_park(&r->md->zombies, z);
	}
	/* Without memory to track it, leak rather than reuse. */
	r->sl->narena = r->sl->ndesc = 0;
	r->sl->desc = NULL;
}

/* Add one run's loops to the segment's sums, by label. */
static void add_loops(struct lf__mmodel *mm, const struct lf_run_loop *lp,
		      uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = 0;
		while (k < mm->nloops &&
		       strcmp(mm->loops[k].name, lp[i].name) != 0)
			k++;
		if (k == mm->nloops) {
			if (k == LF__MLOOPS)
				continue;
			memset(&mm->loops[k], 0, sizeof(mm->loops[k]));
			mm->loops[k].struct_size = sizeof(mm->loops[k]);
			snprintf(mm->loops[k].name, sizeof(mm->loops[k].name),
				 "%s", lp[i].name);
			mm->nloops++;
		}
		mm->loops[k].calls += lp[i].calls;
		mm->loops[k].iters += lp[i].iters;
		mm->loops[k].cycles += lp[i].cycles;
		mm->loops[k].mem_stall += lp[i].mem_stall;
	}
}

/*
 * Keep launch @l's cycle model in @mm: its descriptors' cycles when the
 * device counted every one of them (else they stay uncounted), its loops.
 * @skip 1: the list had the checksum descriptors around the plan's, and
 * rm->desc is the run's own array (run_cycles); their cycles count in
 * the run's time (the timeline) and in no layer's.
 */
static void keep_model(struct lf__mmodel *mm, const struct lf__mlaunch *l,
		       const struct lf_run_model *rm, uint32_t skip)
{
	int all = rm->clock_mhz && rm->ndesc == l->ndesc + 2 * skip;
	for (uint32_t k = 0; skip && all && k < l->ndesc; k++)
		mm->desc_cycles[l->desc0 + k] = rm->desc[skip + k];
	for (uint32_t k = 0; k < l->ndesc; k++)
		mm->desc_mhz[l->desc0 + k] = all ? rm->clock_mhz : 0;
	if (rm->clock_mhz)
		add_loops(mm, rm->loops,
			  rm->nloops < rm->loop_max ? rm->nloops
						    : rm->loop_max);
}

/* Run launch @i of the segment; *db receives its descriptor buffer. */
static lf_status launch(struct segrun *r, int i, struct dbuf **dbo)
{
	const struct lf__mlaunch *l = &r->s->launch[i];
	const struct lf__kern *k = kern(r, l->kernel);
	uint32_t c = r->ci[l->kernel], cu = k->cu[c];
	struct dbuf *db = NULL;
	const struct lanepart whole = {0, 0, 0, 0};
	lf_status st =
	    desc_buf(r, r->s->launch0 + i, l, k->bank_desc[c], &whole, &db);
	if (st)
		return st;
	*dbo = db;
	const struct pcopy *pc =
	    params_copy(r->md, r->s->pgroup, k->bank_params[c]);
	if (!pc)
		return segfail(r, LF_ERR_INTERNAL, "no weights in bank %u",
			       k->bank_params[c]);
	uint64_t pbytes = r->md->group[pc->group].bytes;
	/* Every pointer argument at offset 0. */
	struct lf__launch_bufs b = {
	    .desc = db->bo,
	    .ndesc = db->nlist,
	    .params = pc->bo,
	    .params_bytes = (uint32_t)(pbytes ? pbytes : 64),
	    .act = r->arena->bo,
	    .act_bytes = (uint32_t)r->plan->arena_bytes,
	};
	struct lf__mmodel *mm = r->stats->model;
	struct lf_run_loop loops[LF__MLOOPS];
	uint32_t skip = db->csum ? 1 : 0;
	uint64_t *dc = NULL;
	if (mm && skip && !(dc = malloc((size_t)db->nlist * sizeof(*dc))))
		return segfail(r, LF_ERR_NO_MEMORY, "out of memory");
	struct lf_run_model rm = {
	    .desc = dc	 ? dc
		    : mm ? mm->desc_cycles + l->desc0
			 : NULL,
	    .desc_max = mm ? db->nlist : 0,
	    .loops = loops,
	    .loop_max = LF__MLOOPS,
	};
	if (mm)
		b.model = &rm;
	lf_run *pending;
	int started;
	char msg[LF__ERR_MAX];
	st = lf__launch(r->md->d, cu, &b, &started, &pending, msg, sizeof(msg));
	if (started && st == LF_OK && mm)
		keep_model(mm, l, &rm, skip);
	free(dc);
	if (!started)
		return segfail(r, st, "launch on CU %u: %s", cu, msg);
	if (r->stats->launches < 8)
		r->stats->cu[r->stats->launches] = cu;
	r->stats->launches++;
	if (st == LF_OK)
		return LF_OK;
	if (pending)
		park(r, pending, cu);
	return segfail(r, st, "kernel run on CU %u: %s", cu, msg);
}

/*
 * The engine CUs this segment runs on together at batch 1 (issue 12):
 * lf__exec.sync_lanes when every launch is on the engine and each lane
 * can take a part of every descriptor (lf__mplan_part), one launch of at
 * most 255 descriptors (a barrier's number is 8 bits), every one of
 * those CUs has the weights in its params bank, and the run is no slice
 * of a batch split across CUs already (stats->no_split); else 0.
 */
static unsigned split_lanes(const struct segrun *r)
{
	unsigned k = r->md->d->sync_lanes;
	if (k < 2 || k > SPLIT_MAX || r->s->host_assisted ||
	    r->md->ngroups > 1 || r->s->nlaunch != 1 || r->stats->no_split)
		return 0;
	/* Every lane's CU reads the weights: a memory limit may have left
	 * a copy in some params banks only (upload_params). */
	for (unsigned j = 0; j < k; j++)
		if (!reads_group(r, LF__MK_ENG, j))
			return 0;
	for (int i = 0; i < r->s->nlaunch; i++) {
		const struct lf__mlaunch *l = &r->s->launch[i];
		if (l->kernel != LF__MK_ENG || l->ndesc > 255)
			return 0;
		for (uint32_t j = 0; j < l->ndesc; j++) {
			lf_desc d = r->plan->desc[l->desc0 + j];
			if (!lf__mplan_part(&d, 0, k))
				return 0;
		}
	}
	return k;
}

/*
 * The descriptor buffers of launch @i split across engine CUs 0 ..
 * r->split - 1 (split_lanes), one a lane in its CU's desc bank, each
 * with the launch's nonce: written before the segment's upload, so no
 * lane's run waits for another lane's nonce write.
 */
static lf_status lane_bufs(struct segrun *r, int i, struct dbuf **dbs)
{
	const struct lf__kern *k = &r->md->d->eng;
	const struct lanepart lp0 = {0, r->split, next_nonce(r->md),
				     (uint32_t)flag_off(r->plan)};
	/* The last lane first: its buffer's index is the highest, so the
	 * slot's array of buffers grows (moves) only in that first call,
	 * never under a pointer an earlier call gave back. */
	for (unsigned j = r->split; j-- > 0;) {
		struct lanepart lp = lp0;
		lp.lane = j;
		lf_status st = desc_buf(r, r->s->launch0 + i, &r->s->launch[i],
					k->bank_desc[j], &lp, &dbs[j]);
		if (st)
			return st;
	}
	return LF_OK;
}

/*
 * Run launch @i split across engine CUs 0 .. r->split - 1 (split_lanes):
 * one run each, started together, sharing the arena (every CU's act port
 * reaches its bank), on the descriptor buffers of lane_bufs(). The
 * layers' modeled times are lane 0's: each barrier puts every lane at
 * the slowest one's arrival plus its own cost, so those are the slowest
 * lane's plus the barriers'. The loops of every lane count.
 */
static lf_status launch_split(struct segrun *r, int i, struct dbuf **dbs)
{
	const struct lf__mlaunch *l = &r->s->launch[i];
	const struct lf__kern *k = &r->md->d->eng;
	unsigned n = r->split;
	uint32_t cus[SPLIT_MAX] = {0};
	struct lf__launch_bufs b[SPLIT_MAX];
	struct lf_run_model rm[SPLIT_MAX];
	memset(b, 0, sizeof(b));
	struct lf_run_loop loops[SPLIT_MAX][LF__MLOOPS];
	struct lf__mmodel *mm = r->stats->model;
	uint64_t foff = flag_off(r->plan);
	uint32_t nd = dbs[0]->nlist, skip = dbs[0]->csum ? 1 : 0;
	uint64_t *dc = NULL;
	if (mm && skip && !(dc = malloc((size_t)nd * sizeof(*dc))))
		return segfail(r, LF_ERR_NO_MEMORY, "out of memory");
	for (unsigned j = 0; j < n; j++) {
		const struct pcopy *pc =
		    params_copy(r->md, r->s->pgroup, k->bank_params[j]);
		if (!pc) {
			free(dc);
			return segfail(r, LF_ERR_INTERNAL,
				       "no weights in bank %u",
				       k->bank_params[j]);
		}
		uint64_t pbytes = r->md->group[pc->group].bytes;
		cus[j] = k->cu[j];
		b[j] = (struct lf__launch_bufs){
		    .desc = dbs[j]->bo,
		    .ndesc = dbs[j]->nlist,
		    .params = pc->bo,
		    .params_bytes = (uint32_t)(pbytes ? pbytes : 64),
		    .act = r->arena->bo,
		    .act_bytes = (uint32_t)(foff + n * LF_BEAT_BYTES),
		};
		rm[j] = (struct lf_run_model){
		    .desc = mm && !j ? (dc ? dc : mm->desc_cycles + l->desc0)
				     : NULL,
		    .desc_max = mm && !j ? nd : 0,
		    .loops = loops[j],
		    .loop_max = LF__MLOOPS,
		};
		if (mm)
			b[j].model = &rm[j];
	}
	int started[SPLIT_MAX];
	lf_run *pending[SPLIT_MAX];
	char msg[LF__ERR_MAX];
	lf_status st = lf__launch_group(r->md->d, n, cus, b, started, pending,
					msg, sizeof(msg));
	for (unsigned j = 0; j < n; j++) {
		if (!started[j])
			continue;
		if (r->stats->launches < 8)
			r->stats->cu[r->stats->launches] = cus[j];
		r->stats->launches++;
	}
	if (st == LF_OK && mm) {
		keep_model(mm, l, &rm[0], skip);
		for (unsigned j = 1; j < n; j++)
			if (rm[j].clock_mhz)
				add_loops(mm, rm[j].loops,
					  rm[j].nloops < rm[j].loop_max
					      ? rm[j].nloops
					      : rm[j].loop_max);
	}
	free(dc);
	if (st == LF_OK)
		return LF_OK;
	for (unsigned j = 0; j < n; j++)
		if (pending[j])
			park(r, pending[j], cus[j]);
	return segfail(r, st, "kernel runs on CUs %u..%u together: %s", cus[0],
		       cus[n - 1], msg);
}

static uint32_t status_at(const struct dbuf *db, uint32_t i)
{
	uint32_t v;
	memcpy(&v,
	       db->host + (uint64_t)i * LF_DESC_BYTES +
		   offsetof(lf_desc, status),
	       4);
	return v;
}

/*
 * Check launch @i's statuses. A kernel runs its descriptors in order and
 * stops at the first error, so the last status word alone says whether
 * all of them succeeded: one 4-byte read, accepted only as OK echoing
 * this launch's nonce (desc_buf). Anything else reads them all, to name
 * the descriptor that failed; when none did, the word was not written by
 * this run or not read as written (a stale or flipped status, a kernel
 * that never ran), which is LF_ERR_DEVICE, retried like a failed launch,
 * never LF_OK. A list with the checksum descriptors (csum_descs) has the
 * kernel's digests right after that word: the same read takes them
 * (r->kdg), and a descriptor's index in the list is one more than in the
 * plan.
 */
static lf_status check_status(struct segrun *r, int i, struct dbuf *db)
{
	const struct lf__mlaunch *l = &r->s->launch[i];
	if (!l->ndesc)
		return LF_OK;
	if (!db)
		return segfail(r, LF_ERR_INTERNAL, "no descriptor buffer");
	uint32_t pre = db->csum ? 1 : 0, nd = db->nlist;
	uint32_t last = nd - 1, ok = lf_kst_word(LF_KST_OK, db->nonce);
	uint64_t off =
	    (uint64_t)last * LF_DESC_BYTES + offsetof(lf_desc, status);
	lf_status st =
	    sync(r, db->bo, LF_SYNC_FROM_DEVICE, off, pre ? CSUM_DG_BYTES : 4);
	if (st)
		return st;
	if (pre)
		memcpy(r->kdg, db->host + off + 4, sizeof(r->kdg));
	if (status_at(db, last) == ok)
		return LF_OK;
	st = sync(r, db->bo, LF_SYNC_FROM_DEVICE, offsetof(lf_desc, status),
		  off + (pre ? CSUM_DG_BYTES : 4) - offsetof(lf_desc, status));
	if (st)
		return st;
	for (uint32_t k = 0; k < nd; k++) {
		int32_t v = lf_kst_code(status_at(db, k));
		if (v == LF_KST_PENDING)
			break; /* not run, though none before it failed */
		if (v != LF_KST_OK && (k < pre || k >= pre + l->ndesc))
			return segfail(r, LF_ERR_KERNEL,
				       "the %s's checksum descriptor returned "
				       "%s",
				       k < pre ? "upload" : "download",
				       lf__kst_name(v));
		if (v != LF_KST_OK) {
			k -= pre;
			const struct lf__gnode *n =
			    &r->g->nodes[r->plan->desc_node[l->desc0 + k]];
			/* In a launch split across CUs every descriptor ends
			 * with a barrier, and a barrier that cannot complete
			 * ends the list with LF_KST_BAD_OP (hls/lf_desc.h):
			 * the lanes' nonces differ when one's 4-byte write
			 * was corrupted, or a flag was not read as written.
			 * The split took only ops the kernel runs
			 * (split_lanes), so it is the transfer or the card:
			 * LF_ERR_DEVICE, retried, not a kernel's refusal. */
			if (r->split && v == LF_KST_BAD_OP)
				return segfail(r, LF_ERR_DEVICE,
					       "descriptor %u (node '%s') "
					       "returned %s in a launch split "
					       "across %u CUs: its barrier "
					       "failed (a lane's nonce or flag "
					       "not as written)",
					       l->desc0 + k, n->name,
					       lf__kst_name(v), r->split);
			return segfail(r, LF_ERR_KERNEL,
				       "descriptor %u (node '%s') returned "
				       "%s",
				       l->desc0 + k, n->name, lf__kst_name(v));
		}
	}
	uint32_t w = status_at(db, last);
	if (w == ok) {
		/* the first read was not what the card held (nor, then, its
		 * digests: this read's) */
		if (pre)
			memcpy(r->kdg, db->host + off + 4, sizeof(r->kdg));
		return LF_OK;
	}
	return segfail(r, LF_ERR_DEVICE,
		       "the last status word reads 0x%08x, not this run's OK "
		       "(0x%08x, nonce %u): written by an earlier run or "
		       "changed on the way",
		       (unsigned)w, (unsigned)ok, (unsigned)db->nonce);
}

/* The tensor bound to root @v as an input (@out 0) or output, or NULL. */
static lf_tensor *bound(const struct segrun *r, int out, int v)
{
	lf_tensor *const *t = !r->bind ? NULL
			      : out    ? r->bind->out
				       : r->bind->in;
	return t ? t[v] : NULL;
}

/* How many of @n values @v are bound (@out as in bound()). */
static int nbound(const struct segrun *r, int out, const int *v, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += bound(r, out, v[i]) != NULL;
	return k;
}

/*
 * The kernel's checksum (LF_KOP_CSUM, hls/lf_desc.h; README.md), as
 * LF__MCSUM_* bits: r->list_csum, the segment's ranges its launch list
 * covers: only on an engine that has it (lfk_engine.csum), in a segment
 * of one engine launch (not host-assisted), the upload and the download
 * where their beats lie inside the arena the launch passes. r->csum, the
 * transfers of this run it checks: the upload when no input is bound (a
 * bound input's bytes land over the upload on the card, which the host's
 * digest of what it sent would not match), the download unless every
 * output is bound (then there is none). The other transfers keep their
 * read-backs.
 */
static void csum_mode(struct segrun *r)
{
	const struct lf__mseg *s = r->s;
	uint64_t ab = r->plan->arena_bytes;
	r->list_csum = r->csum = 0;
	if (!r->md->d->csum || s->host_assisted || s->nlaunch != 1 ||
	    s->launch[0].kernel != LF__MK_ENG || !s->launch[0].ndesc)
		return;
	unsigned m = 0;
	uint64_t up = (s->up_off + s->up_bytes + LF_BEAT_BYTES - 1) /
		      LF_BEAT_BYTES * LF_BEAT_BYTES;
	uint64_t dn = (s->down_off + s->down_bytes + LF_BEAT_BYTES - 1) /
		      LF_BEAT_BYTES * LF_BEAT_BYTES;
	if (s->up_bytes && up <= ab)
		m |= LF__MCSUM_UP;
	if (s->down_bytes && dn <= ab)
		m |= LF__MCSUM_DOWN;
	r->list_csum = m;
	if (nbound(r, 0, s->up, s->nup) != 0)
		m &= ~LF__MCSUM_UP;
	if (nbound(r, 1, s->down, s->ndown) == s->ndown)
		m &= ~LF__MCSUM_DOWN;
	r->csum = m;
}

/*
 * Bytes of @t's device copy to or from the arena, on the card (no PCIe
 * transfer where the backend copies on the device). Not checked end to
 * end as PCIe transfers are: no bytes cross the bus.
 */
static lf_status on_card(struct segrun *r, lf_tensor *t, int to_tensor,
			 uint64_t at)
{
	lf_bo *tb = t->dbuf && t->dbuf->buf ? t->dbuf->buf->bo : NULL;
	if (!tb)
		return segfail(r, LF_ERR_INTERNAL,
			       "a bound tensor has no device buffer");
	lf_status st = to_tensor
			   ? lf__bo_copy(tb, 0, r->arena->bo, at, t->bytes)
			   : lf__bo_copy(r->arena->bo, at, tb, 0, t->bytes);
	if (st)
		return segfail(r, drv(r->md, st), "copy on the card: %s",
			       lf__drv_last_error());
	r->stats->d2d_transfers++;
	r->stats->d2d_bytes += t->bytes;
	return LF_OK;
}

static lf_status upload_inputs(struct segrun *r, void *const *ptr)
{
	const struct lf__mseg *s = r->s;
	const struct lf__mplan *p = r->plan;
	uint8_t *a = r->arena->host;
	if (s->host_assisted) {
		const struct lf__plan *hp = &s->hplan;
		int x = p->root[r->g->nodes[s->nodes[0]].in[0]];
		lf__pack_x(hp, ptr[x], a + s->hbase);
		uint64_t lo = hp->x_bytes ? hp->x_off : hp->xs_off;
		uint64_t hi = hp->xs_off + hp->xs_bytes;
		return checked(r, r->arena, LF_SYNC_TO_DEVICE, s->hbase + lo,
			       hi > lo ? hi - lo : 0);
	}
	/* Copied, or converted to the blocked layout (plan/model_plan.h).
	 * Bound inputs are copied on the card, over whatever the upload
	 * wrote there; the upload is skipped when every input is bound. */
	int nb = nbound(r, 0, s->up, s->nup);
	lf_status st = LF_OK;
	if (nb < s->nup && (r->csum & LF__MCSUM_UP)) {
		/* Checked by the kernel's digest of what it reads
		 * (csum_up), against this one of what was sent. */
		lf__mseg_pack_up(p, s, ptr, a);
		lf__csum_range(a + s->up_off, s->up_off, s->up_bytes, r->hdg);
		st = sync(r, r->arena->bo, LF_SYNC_TO_DEVICE, s->up_off,
			  s->up_bytes);
	} else if (nb < s->nup) {
		lf__mseg_pack_up(p, s, ptr, a);
		st = checked(r, r->arena, LF_SYNC_TO_DEVICE, s->up_off,
			     s->up_bytes);
	}
	for (int k = 0; k < s->nup && nb && st == LF_OK; k++) {
		lf_tensor *t = bound(r, 0, s->up[k]);
		if (t)
			st = on_card(r, t, 0, s->up_at[k]);
	}
	return st;
}

static lf_status download_outputs(struct segrun *r, void *const *ptr)
{
	const struct lf__mseg *s = r->s;
	const struct lf__mplan *p = r->plan;
	uint8_t *a = r->arena->host;
	lf_status st;
	if (s->host_assisted) {
		const struct lf__plan *hp = &s->hplan;
		int y = p->root[r->g->nodes[s->nodes[0]].out[0]];
		uint64_t y0 = hp->y_bytes ? hp->y_off : hp->ys_off;
		st = checked(r, r->arena, LF_SYNC_FROM_DEVICE, s->hbase + y0,
			     hp->act_bytes - y0);
		if (st)
			return st;
		st = lf__unpack_y(hp, &s->hL, a + s->hbase, 0, ptr[y]);
		if (st)
			return segfail(r, st, "no memory to add partial sums");
		return LF_OK;
	}
	/* Bound outputs go to their tensors on the card; the download is
	 * skipped when every output is bound. */
	int nb = nbound(r, 1, s->down, s->ndown);
	for (int k = 0; k < s->ndown && nb; k++) {
		lf_tensor *t = bound(r, 1, s->down[k]);
		if (t && (st = on_card(r, t, 1, s->down_at[k])))
			return st;
	}
	if (nb == s->ndown)
		goto done;
	if (r->csum & LF__MCSUM_DOWN) {
		/* One read, checked against the kernel's digest of what it
		 * wrote (check_status read it). */
		st = sync(r, r->arena->bo, LF_SYNC_FROM_DEVICE, s->down_off,
			  s->down_bytes);
		if (st)
			return st;
		uint32_t dg[LF_CSUM_WORDS];
		lf__csum_range(a + s->down_off, s->down_off, s->down_bytes, dg);
		if (memcmp(dg, r->kdg + LF_CSUM_WORDS, sizeof(dg)) != 0)
			return segfail(r, LF_ERR_DMA,
				       "download of %llu bytes: their checksum "
				       "(%08x %08x %08x %08x) is not the "
				       "kernel's of the bytes it wrote (%08x "
				       "%08x %08x %08x)",
				       (unsigned long long)s->down_bytes, dg[0],
				       dg[1], dg[2], dg[3], r->kdg[4],
				       r->kdg[5], r->kdg[6], r->kdg[7]);
	} else {
		st = checked(r, r->arena, LF_SYNC_FROM_DEVICE, s->down_off,
			     s->down_bytes);
		if (st)
			return st;
	}
	lf__mseg_unpack_down(p, s, a, ptr);
done:
	for (int k = 0; k < s->ndown && nb; k++)
		if (bound(r, 1, s->down[k]))
			r->bind->done[s->down[k]] = 1;
	return LF_OK;
}

/* The upload, checked by the kernel's digest of what it read (the list's
 * first descriptor) against the host's of what it sent (upload_inputs):
 * other bytes on the card are LF_ERR_DMA, as a read-back's difference. */
static lf_status csum_up(struct segrun *r)
{
	if (!(r->csum & LF__MCSUM_UP) ||
	    memcmp(r->kdg, r->hdg, sizeof(r->hdg)) == 0)
		return LF_OK;
	return segfail(r, LF_ERR_DMA,
		       "upload of %llu bytes: the kernel's checksum of the "
		       "bytes it read (%08x %08x %08x %08x) is not the host's "
		       "of those it sent (%08x %08x %08x %08x): the card "
		       "holds other bytes than were sent, or the digest was "
		       "read wrong",
		       (unsigned long long)r->s->up_bytes, r->kdg[0], r->kdg[1],
		       r->kdg[2], r->kdg[3], r->hdg[0], r->hdg[1], r->hdg[2],
		       r->hdg[3]);
}

lf_status lf__mdev_run_segment(struct lf__mdev *md, unsigned slot,
			       unsigned lane, const struct lf__graph *g,
			       const struct lf__mplan *plan, int seg,
			       void *const *ptr, struct lf__mseg_stats *stats,
			       char *err, size_t errlen)
{
	return lf__mdev_run_segment_bound(md, slot, lane, g, plan, seg, ptr,
					  NULL, stats, err, errlen);
}

lf_status lf__mdev_run_segment_bound(struct lf__mdev *md, unsigned slot,
				     unsigned lane, const struct lf__graph *g,
				     const struct lf__mplan *plan, int seg,
				     void *const *ptr,
				     const struct lf__mbind *bind,
				     struct lf__mseg_stats *stats, char *err,
				     size_t errlen)
{
	struct segrun r = {
	    .md = md,
	    .sl = &md->slot[slot % md->nslots],
	    .g = g,
	    .plan = plan,
	    .s = &plan->seg[seg],
	    .seg = seg,
	    .stats = stats,
	    .bind = bind,
	    .err = err,
	    .errlen = errlen,
	};
	struct lf__mmodel *model = stats->model;
	int no_split = stats->no_split;
	memset(stats, 0, sizeof(*stats));
	stats->model = model;
	stats->no_split = no_split;
	lf_status st;
	if (lf__exec_lost(md->d))
		return segfail(&r, LF_ERR_DEVICE_LOST, "the device was lost");
	if ((st = pick_cus(&r, lane)))
		return st;
	r.split = split_lanes(&r);
	stats->split = r.split;
	csum_mode(&r);
	stats->csum = r.csum;
	const struct lf__kern *k0 = kern(&r, r.s->launch[0].kernel);
	uint32_t bank = r.split ? md->d->eng.bank_act[0]
				: k0->bank_act[r.ci[r.s->launch[0].kernel]];
	/* A split segment's arena holds its barriers' flags after it. */
	uint64_t abytes = r.split ? flag_off(plan) + r.split * LF_BEAT_BYTES
				  : plan->arena_bytes;
	st = slot_buf(&r, r.sl->arena, &r.sl->narena, bank, abytes, &r.arena);
	if (st)
		return st;
	struct dbuf *dbs[SPLIT_MAX] = {NULL};
	if (r.split && (st = lane_bufs(&r, 0, dbs)))
		return st;
	if ((st = upload_inputs(&r, ptr)))
		return st;
	for (int i = 0; i < r.s->nlaunch; i++) {
		struct dbuf *db = NULL;
		/* A split launch (one a segment): lane 0's last status, OK
		 * echoing this launch's nonce, proves the other lanes' too:
		 * its last barrier passed only once every lane's flag held
		 * this launch's nonce and the list's last number, which a
		 * lane writes only after each of its descriptors was OK. */
		if (r.split) {
			if ((st = launch_split(&r, i, dbs)) ||
			    (st = check_status(&r, i, dbs[0])))
				return st;
			continue;
		}
		if ((st = launch(&r, i, &db)) || (st = check_status(&r, i, db)))
			return st;
	}
	if ((st = csum_up(&r)))
		return st;
	return download_outputs(&r, ptr);
}

unsigned lf__mdev_max_cus(const struct lf__exec *d)
{
	if (!d)
		return 0;
	unsigned n = d->conv.ncus > d->mm.ncus ? d->conv.ncus : d->mm.ncus;
	return n > d->eng.ncus ? n : d->eng.ncus;
}

unsigned lf__mdev_lanes(const struct lf__mdev *md)
{
	const struct lf__kern *e = &md->d->eng;
	/* Weights split over banks have one copy per group (upload_params):
	 * the CUs that read a group are not every lane's. */
	if (!(md->kernels & (1u << LF__MK_ENG)) || e->ncus < 2 ||
	    md->ngroups > 1)
		return 1;
	for (uint32_t a = 0; a < e->ncus; a++)
		for (uint32_t b = 0; b < e->ncus; b++)
			if (a != b && (e->bank_act[a] == e->bank_act[b] ||
				       e->bank_act[a] == e->bank_desc[b] ||
				       e->bank_desc[a] == e->bank_desc[b]))
				return 1;
	return e->ncus;
}

/* Is timeline event @ev lane @lane's (lf__mdev_timeline())? */
static int lane_event(const struct lf__mdev *md, int lane,
		      const struct lf_tl_event *ev)
{
	const struct lf__kern *e = &md->d->eng;
	if (lane < 0 || !e->ncus)
		return 1;
	uint32_t c = (uint32_t)lane % e->ncus;
	if (ev->kind == LF_TL_RUN)
		return ev->cu == e->cu[c];
	const struct lf_dev_props *pr = lf__dev_props(md->d->dev);
	uint32_t banks[2] = {e->bank_act[c], e->bank_desc[c]};
	for (int i = 0; i < 2; i++) {
		const struct lf_dev_mem *mb =
		    banks[i] < pr->nmems ? &pr->mems[banks[i]] : NULL;
		if (mb && ev->addr >= mb->base &&
		    ev->addr - mb->base < mb->size)
			return 1;
	}
	return 0;
}

uint32_t lf__mdev_timeline(struct lf__mdev *md, int lane, uint64_t *cursor,
			   struct lf__mtl_event *out, uint32_t max, uint32_t *n)
{
	if (n)
		*n = 0;
	if (*cursor == UINT64_MAX) {
		/* Skip to the end of what the device recorded so far. */
		struct lf_tl_event buf[64];
		uint64_t from = atomic_load(&md->tl_next);
		uint32_t got;
		do {
			if (lf__dev_timeline(md->d->dev, from, buf, 64, &got))
				got = 0;
			if (got)
				from = buf[got - 1].seq + 1;
		} while (got == 64);
		uint64_t cur = atomic_load(&md->tl_next);
		while (cur < from &&
		       !atomic_compare_exchange_weak(&md->tl_next, &cur, from))
			;
		*cursor = from;
		return 0;
	}
	struct lf_tl_event ev[64];
	uint32_t got, k = 0;
	if (max > 64)
		max = 64;
	if (lf__dev_timeline(md->d->dev, *cursor, ev, max, &got))
		got = 0;
	for (uint32_t i = 0; i < got; i++) {
		if (!lane_event(md, lane, &ev[i]))
			continue;
		out[k].seq = ev[i].seq;
		out[k].kind = ev[i].kind == LF_TL_H2D	? LF__MTL_H2D
			      : ev[i].kind == LF_TL_D2H ? LF__MTL_D2H
							: LF__MTL_RUN;
		out[k].cu = ev[i].cu;
		out[k].bytes = ev[i].bytes;
		out[k].start_ns = ev[i].start_ns;
		out[k].end_ns = ev[i].end_ns;
		k++;
	}
	*n = k;
	if (got)
		*cursor = ev[got - 1].seq + 1;
	return got;
}
