/*
 * exec.c - opening the device for a context (the driver parses the
 * string), loading the bitstream the context found, kernels, limits;
 * residency moves of tensors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "lf_config.h" /* LF_ENGINE_OPS: the ops lfk_engine must run */

/* Default wait for one launch; LAYERFAB_TIMEOUT_MS overrides. */
#define LF__DEFAULT_TIMEOUT_MS 60000u
/* LF__MAX_TIMEOUT_MS (exec.h), one day: a launch waited for longer is a
 * hang. */

lf_status lf__exec_note(struct lf__exec *d, lf_status st)
{
	if (st == LF_ERR_DEVICE_LOST)
		atomic_store(&d->lost, 1);
	return st;
}

const char *lf__kst_name(int32_t s)
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

static void read_limits(lf_dev *dev, const char *k, struct lf__klimits *l,
			int has_kernel)
{
	char key[96];
#define LIM(field, name)                                                       \
	(snprintf(key, sizeof(key), "%s.%s", k, name),                         \
	 l->field = lf__dev_limit(dev, key, -1))
	LIM(pe_k, "pe_k");
	LIM(kmax, "kmax");
	LIM(dim_max, "dim_max");
	LIM(xvec, "xbuf_vectors");
	LIM(kdim_max, "kdim_max");
	LIM(step_max, "step_max");
#undef LIM
	l->present = has_kernel && l->pe_k > 0 && l->kmax > 0 && l->dim_max > 0;
	if (strcmp(k, lf_kernel_name(LF_KERNEL_CONV2D)) == 0)
		l->present = l->present && l->xvec > 0 && l->kdim_max > 0 &&
			     l->step_max > 0;
}

/* lf__exec.sync_lanes: explicit, never guessed (exec_impl.h). */
static unsigned sync_lanes(const struct lf__exec *d)
{
	const struct lf_dev_props *pr = lf__dev_props(d->dev);
	int64_t k = lf__dev_limit(d->dev, "lfk_engine.sync", 0);
	if (!pr->cu_sync || !d->eng.lim.present || k < 2 ||
	    k > (int64_t)d->eng.ncus ||
	    lf__dev_limit(d->dev, "lfk_engine.blk_range", 0) != 1)
		return 0;
	uint32_t b = d->eng.bank_act[0];
	for (int64_t i = 0; i < k; i++) {
		const struct lf_dev_cu *cu = &pr->cus[d->eng.cu[i]];
		if (b >= 64 || !((cu->arg_reach[LF_KARG_ACT] >> b) & 1u))
			return 0;
	}
	return (unsigned)k;
}

static lf_status find_kernel(struct lf__exec *d, const char *name,
			     struct lf__kern *k)
{
	const struct lf_dev_props *pr = lf__dev_props(d->dev);
	memset(k, 0, sizeof(*k));
	k->name = name;
	atomic_init(&k->next, 0);
	for (uint32_t c = 0; c < pr->ncus && k->ncus < LF_DRV_MAX_CUS; c++) {
		const struct lf_dev_cu *cu = &pr->cus[c];
		if (cu->kernel >= pr->nkernels ||
		    strcmp(pr->kernels[cu->kernel].name, name) != 0)
			continue;
		uint32_t b0, b2, b4;
		if (lf__dev_arg_bank(d->dev, c, LF_KARG_DESC, &b0) ||
		    lf__dev_arg_bank(d->dev, c, LF_KARG_PARAMS, &b2) ||
		    lf__dev_arg_bank(d->dev, c, LF_KARG_ACT, &b4))
			continue; /* not our ABI: leave it alone */
		k->cu[k->ncus] = c;
		k->bank_desc[k->ncus] = b0;
		k->bank_params[k->ncus] = b2;
		k->bank_act[k->ncus] = b4;
		k->ncus++;
	}
	read_limits(d->dev, name, &k->lim, k->ncus > 0);
	return LF_OK;
}

/*
 * An xclbin may carry only lfk_engine CUs (the real-card builds in
 * bitstreams/ do: the engine holds every datapath). The engine runs conv2d
 * and matmul descriptors under the lfk_conv2d.* / lfk_matmul.* limits, so
 * a kernel with no CU of its own uses the engine's CUs.
 */
static void engine_alias(struct lf__exec *d, struct lf__kern *k,
			 const char *limits_of)
{
	if (k->ncus > 0 || d->eng.ncus == 0)
		return;
	k->name = d->eng.name;
	k->ncus = d->eng.ncus;
	memcpy(k->cu, d->eng.cu, sizeof(k->cu));
	memcpy(k->bank_desc, d->eng.bank_desc, sizeof(k->bank_desc));
	memcpy(k->bank_params, d->eng.bank_params, sizeof(k->bank_params));
	memcpy(k->bank_act, d->eng.bank_act, sizeof(k->bank_act));
	read_limits(d->dev, limits_of, &k->lim, 1);
}

lf_status lf__exec_check(const char *device, char *why, size_t whylen)
{
	lf_status st = lf__dev_spec_check(device);
	if (st)
		snprintf(why, whylen, "%s", lf__drv_last_error());
	return st;
}

/* LAYERFAB_TIMEOUT_MS: unset or empty is the default; anything but a whole
 * number of milliseconds in range is an error, not ignored (atoi used to
 * take "abc" and "0" as "use the default"). */
lf_status lf__exec_timeout_env(uint64_t id, unsigned *ms)
{
	const char *v = getenv("LAYERFAB_TIMEOUT_MS");
	unsigned long long n = 0;
	*ms = LF__DEFAULT_TIMEOUT_MS;
	if (!v || !*v)
		return LF_OK;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > LF__MAX_TIMEOUT_MS) {
			n = 0;
			break;
		}
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (n < 1 || n > LF__MAX_TIMEOUT_MS)
		return lf__err(
		    id, LF_ERR_INVALID_ARG,
		    "lf_context_create: LAYERFAB_TIMEOUT_MS=\"%.32s\" "
		    "is not a whole number of milliseconds from 1 to "
		    "%u (unset: %u)",
		    v, LF__MAX_TIMEOUT_MS, LF__DEFAULT_TIMEOUT_MS);
	*ms = (unsigned)n;
	return LF_OK;
}

lf_status lf__exec_open(uint64_t id, const char *device,
			const struct lf__exec_opts *o, struct lf__exec **out)
{
	char text[LF_DRV_SPEC_MAX];
	lf_status st;
	if (!device) {
		lf__drv_default(text, sizeof(text));
		device = text;
	}
	struct lf__exec *d = calloc(1, sizeof(*d));
	if (!d)
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_context_create: no memory");
	atomic_init(&d->lost, 0);
	st = lf__exec_timeout_env(id, &d->timeout_ms);
	if (st) {
		free(d);
		return st;
	}
	if (o && o->timeout_ms)
		d->timeout_ms = o->timeout_ms;
	struct lf_dev_open_opts dopt = {o ? o->trust_xclbin : 0,
					o ? o->mem_limit : 0};
	st = lf__dev_open_opts(device, &dopt, &d->dev);
	if (st) {
		lf__err(id, st, "lf_context_create: device \"%s\": %s", device,
			lf__drv_last_error());
		free(d);
		return st;
	}
	const struct lf_dev_props *pr = lf__dev_props(d->dev);
	snprintf(d->backend, sizeof(d->backend), "%s", pr->backend);
	snprintf(d->name, sizeof(d->name), "%s", pr->name);
	pthread_mutex_init(&d->group_mu, NULL);
	*out = d;
	return LF_OK;
}

const char *lf__exec_xclbin_hint(const struct lf__exec *d)
{
	return lf__dev_props(d->dev)->xclbin_hint;
}

lf_status lf__exec_load(uint64_t id, struct lf__exec *d, const char *xclbin)
{
	lf_status st = lf__dev_load_xclbin_file(d->dev, xclbin);
	if (st)
		return lf__err(id, st, "lf_context_create: loading %s: %s",
			       xclbin, lf__drv_last_error());
	snprintf(d->xclbin, sizeof(d->xclbin), "%s", xclbin);
	const struct lf_dev_props *pr = lf__dev_props(d->dev);
	d->ncus = pr->ncus;
	for (uint32_t m = 0; m < pr->nmems; m++)
		if (pr->mems[m].usable) {
			d->nbanks_usable++;
			d->mem_bytes += pr->mems[m].size;
		}
	find_kernel(d, lf_kernel_name(LF_KERNEL_CONV2D), &d->conv);
	find_kernel(d, lf_kernel_name(LF_KERNEL_MATMUL), &d->mm);
	find_kernel(d, lf_kernel_name(LF_KERNEL_ENGINE), &d->eng);
	engine_alias(d, &d->conv, lf_kernel_name(LF_KERNEL_CONV2D));
	engine_alias(d, &d->mm, lf_kernel_name(LF_KERNEL_MATMUL));
	d->pool_dim_max = lf__dev_limit(d->dev, "lfk_pool.dim_max", -1);
	d->pool_kdim_max = lf__dev_limit(d->dev, "lfk_pool.kdim_max", -1);
	d->pool_step_max = lf__dev_limit(d->dev, "lfk_pool.step_max", -1);
	d->pool_row_bytes = lf__dev_limit(d->dev, "lfk_pool.row_bytes", -1);
	d->add_dim_max = lf__dev_limit(d->dev, "lfk_add.dim_max", -1);
	d->blk_ops = lf__dev_limit(d->dev, "lfk_engine.blk_ops", 0);
	d->blk_conv_wbeats = lf__dev_limit(d->dev, "lfk_conv2d.blk_wbeats", -1);
	d->blk_conv_iw_max = lf__dev_limit(d->dev, "lfk_conv2d.blk_iw_max", -1);
	d->blk_pool_iw_max = lf__dev_limit(d->dev, "lfk_pool.blk_iw_max", -1);
	d->blk_conv_lbeats = lf__dev_limit(d->dev, "lfk_conv2d.blk_lbeats", -1);
	d->blk_conv_stride_max =
	    lf__dev_limit(d->dev, "lfk_conv2d.blk_stride_max", -1);
	d->blk_conv_dw = lf__dev_limit(d->dev, "lfk_conv2d.blk_dw", 0);
	d->conv_lut = lf__dev_limit(d->dev, "lfk_conv2d.lut", 0);
	d->blk_conv_ycb = lf__dev_limit(d->dev, "lfk_conv2d.blk_ycb", 0);
	d->blk_conv_add = lf__dev_limit(d->dev, "lfk_conv2d.blk_add", 0);
	d->blk_conv_pool = lf__dev_limit(d->dev, "lfk_conv2d.blk_pool", 0);
	d->blk_conv_xfold = lf__dev_limit(d->dev, "lfk_conv2d.blk_xfold", 0);
	d->blk_conv_wpre = lf__dev_limit(d->dev, "lfk_conv2d.blk_wpre", 0);
	{
		/* The engine is usable when it runs every op of this
		 * source's engine (LF_ENGINE_OPS, the bits the planner may
		 * emit) and every op's limits are known. */
		int64_t ops = lf__dev_limit(d->dev, "lfk_engine.ops", 0);
		d->eng.lim.present =
		    d->eng.ncus > 0 && (ops & LF_ENGINE_OPS) == LF_ENGINE_OPS &&
		    d->conv.lim.present && d->mm.lim.present &&
		    d->pool_dim_max > 0 && d->pool_kdim_max > 0 &&
		    d->pool_step_max > 0 && d->pool_row_bytes > 0 &&
		    d->add_dim_max > 0;
	}
	d->sync_lanes = sync_lanes(d);
	/* Explicit in the limits, never guessed: an engine without the key
	 * (an older build) keeps the read-backs (model_exec.c). */
	d->csum = d->eng.lim.present &&
		  lf__dev_limit(d->dev, "lfk_engine.csum", 0) == 1;
	if ((st = lf__pool_init(&d->pool, d->dev, pr->nmems)))
		return lf__err(id, st,
			       "lf_context_create: no memory for the pool");
	if ((st = lf__opcache_init(d))) {
		lf__pool_fini(&d->pool);
		return lf__err(id, st, "lf_context_create: no memory");
	}
	d->loaded = 1;
	return LF_OK;
}

void lf__exec_close(struct lf__exec *d)
{
	if (!d)
		return;
	lf__opcache_close(d);
	if (d->loaded)
		lf__pool_fini(&d->pool);
	lf__dev_close(d->dev);
	pthread_mutex_destroy(&d->group_mu);
	free(d);
}

void lf__exec_info(const struct lf__exec *d, struct lf_device_info *info)
{
	info->backend = d->backend;
	info->name = d->name;
	info->xclbin = d->xclbin;
	info->compute_units = d->ncus;
	info->memory_banks = d->nbanks_usable;
	info->device_memory_bytes = d->mem_bytes;
}

int lf__exec_lost(const struct lf__exec *d)
{
	return atomic_load(&((struct lf__exec *)d)->lost);
}

/* ---- residency ---------------------------------------------------------- */

/* Bank for activations: the act port of the first conv (or matmul) CU. */
static uint32_t act_bank(const struct lf__exec *d)
{
	if (d->conv.ncus)
		return d->conv.bank_act[0];
	if (d->mm.ncus)
		return d->mm.bank_act[0];
	return 0;
}

/* A tensor's copy moved, checked end to end (lf__xfer_checked), and
 * tried once more on a retryable failure, as an op's transfers are. */
static lf_status tensor_xfer(struct lf__exec *d, uint64_t id,
			     struct lf__pbuf *b, enum lf_sync_dir dir,
			     uint64_t bytes, const char *who)
{
	uint8_t *scratch = malloc(bytes ? bytes : 1);
	if (!scratch)
		return lf__err(id, LF_ERR_NO_MEMORY, "%s: no memory", who);
	lf_status st = LF_OK;
	for (int attempt = 0; attempt < 2; attempt++) {
		unsigned n[2] = {0, 0};
		uint64_t at;
		st = lf__xfer_checked(b->bo, b->host, dir, 0, bytes, scratch, n,
				      &at);
		if (st == LF_OK)
			break;
		if (at == bytes)
			st = lf__err(id, lf__exec_note(d, st), "%s: %s", who,
				     lf__drv_last_error());
		else
			st = lf__err(
			    id, LF_ERR_DMA,
			    "%s: %s of %llu bytes: %s (byte %llu)", who,
			    dir == LF_SYNC_TO_DEVICE ? "upload" : "download",
			    (unsigned long long)bytes,
			    dir == LF_SYNC_TO_DEVICE
				? "the card holds other bytes than "
				  "were sent"
				: "two reads differ",
			    (unsigned long long)at);
		if (!lf__exec_retryable(st))
			break;
	}
	free(scratch);
	return st;
}

lf_status lf__exec_tensor_devbuf(struct lf__exec *d, uint64_t id, lf_tensor *t)
{
	if (!t->dbuf) {
		t->dbuf = calloc(1, sizeof(*t->dbuf));
		if (!t->dbuf)
			return lf__err(id, LF_ERR_NO_MEMORY,
				       "lf_tensor_to_device: no memory");
	}
	struct lf__dbuf *db = t->dbuf;
	if (!db->buf) {
		lf_status st =
		    lf__pool_get(&d->pool, act_bank(d), t->bytes, &db->buf);
		if (st)
			return lf__err(id, lf__exec_note(d, st),
				       "lf_tensor_to_device: %zu bytes: %s",
				       t->bytes, lf__drv_last_error());
	}
	return LF_OK;
}

lf_status lf__exec_tensor_upload(struct lf__exec *d, uint64_t id, lf_tensor *t)
{
	lf_status st = lf__exec_tensor_devbuf(d, id, t);
	if (st)
		return st;
	struct lf__dbuf *db = t->dbuf;
	memcpy(db->buf->host, t->data, t->bytes);
	st = tensor_xfer(d, id, db->buf, LF_SYNC_TO_DEVICE, t->bytes,
			 "lf_tensor_to_device");
	if (st)
		return st;
	t->dev_valid = 1;
	return LF_OK;
}

lf_status lf__exec_tensor_download(struct lf__exec *d, uint64_t id,
				   lf_tensor *t)
{
	if (!t->dbuf || !t->dbuf->buf || !t->dev_valid)
		return lf__err(id, LF_ERR_INTERNAL,
			       "tensor has no valid copy on the device");
	struct lf__pbuf *b = t->dbuf->buf;
	lf_status st = tensor_xfer(d, id, b, LF_SYNC_FROM_DEVICE, t->bytes,
				   "lf_tensor_to_host");
	if (st)
		return st;
	memcpy(t->data, b->host, t->bytes);
	t->host_valid = 1;
	return LF_OK;
}

lf_status lf__exec_native(struct lf__exec *d, uint64_t id, lf_tensor *t,
			  uint32_t kind, void **out)
{
	lf_bo *bo = NULL;
	if (t) {
		if (!t->dbuf || !t->dbuf->buf || !t->dev_valid)
			return lf__err(
			    id, LF_ERR_STATE,
			    "lf_tensor_native_handle: the tensor has "
			    "no device copy (lf_tensor_to_device() "
			    "makes one)");
		bo = t->dbuf->buf->bo;
	}
	lf_status st = lf__dev_native(d->dev, bo, kind, out);
	if (st)
		return lf__err(id, st, "%s: %s",
			       t ? "lf_tensor_native_handle"
				 : "lf_context_native_handle",
			       lf__drv_last_error());
	return LF_OK;
}

void lf__exec_tensor_release(struct lf__exec *d, lf_tensor *t)
{
	if (!t->dbuf)
		return;
	lf__pool_put(&d->pool, t->dbuf->buf);
	free(t->dbuf);
	t->dbuf = NULL;
	t->dev_valid = 0;
}
