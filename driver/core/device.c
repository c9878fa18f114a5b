/*
 * device.c - the driver entry points: argument checks that every backend
 * would otherwise repeat, then a call through the backend's vtable.
 *
 * Checks done here (so backends may assume them): non-NULL handles, a
 * bank that exists and holds buffers, sync ranges inside the buffer, run
 * arguments that match the kernel's signature exactly (every index once,
 * a buffer for each pointer, a scalar for each scalar, offsets inside
 * their buffer, buffers of the same device). Checks that only the device
 * can make (which bank a port reaches, device state) are the backend's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/core/core.h"

static lf_status unsupported(const lf_dev *dev, const char *what)
{
	return lf__drv_error(LF_ERR_UNSUPPORTED,
			     "backend '%s' does not support %s", dev->ops->name,
			     what);
}

static lf_status null_arg(const char *fn)
{
	return lf__drv_error(LF_ERR_INVALID_ARG, "%s: NULL argument", fn);
}

/* Re-read the properties after open / load; the old copy stays on error. */
static lf_status refresh_props(lf_dev *dev)
{
	struct lf_dev_props *p = calloc(1, sizeof(*p));
	lf_status st;

	if (!p)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "device properties: out of host memory");
	st = dev->ops->query(dev, p);
	if (st != LF_OK) {
		free(p);
		return st;
	}
	if (!p->xclbin_hint[0])
		snprintf(p->xclbin_hint, sizeof(p->xclbin_hint), "%s.xclbin",
			 p->name);
	free(dev->props);
	dev->props = p;
	return LF_OK;
}

lf_status lf__dev_open(const char *text, lf_dev **out)
{
	return lf__dev_open_opts(text, NULL, out);
}

lf_status lf__dev_open_opts(const char *text, const struct lf_dev_open_opts *o,
			    lf_dev **out)
{
	struct lf_dev_spec spec;
	struct lf_backend_slot *slot;
	lf_dev *dev = NULL;
	lf_status st;

	lf__drv_clear_error();
	if (!text || !out)
		return null_arg("lf__dev_open");
	st = lf__dev_spec_parse(text, &spec);
	if (st != LF_OK)
		return st;
	if (o)
		spec.trust_xclbin = o->trust_xclbin;
	st = lf__backend_acquire(spec.backend, &slot);
	if (st != LF_OK)
		return st;
	st = slot->ops->open(&spec, &dev);
	if (st != LF_OK)
		goto fail_release;
	dev->ops = slot->ops;
	dev->slot = slot;
	dev->props = NULL;
	atomic_init(&dev->live_bos, 0);
	atomic_init(&dev->live_runs, 0);
	dev->mem_limit = o ? o->mem_limit : 0;
	atomic_init(&dev->mem_used, 0);
	st = refresh_props(dev);
	if (st != LF_OK)
		goto fail_close;
	*out = dev;
	return LF_OK;

fail_close:
	slot->ops->close(dev);
fail_release:
	lf__backend_release(slot);
	return st;
}

lf_status lf__dev_close(lf_dev *dev)
{
	struct lf_backend_slot *slot;
	uint64_t bos, runs;

	lf__drv_clear_error();
	if (!dev)
		return LF_OK;
	bos = atomic_load(&dev->live_bos);
	runs = atomic_load(&dev->live_runs);
	if (bos || runs)
		return lf__drv_error(LF_ERR_BUSY,
				     "device '%s': %llu buffers and %llu runs "
				     "are still alive; free them before "
				     "closing",
				     dev->props->name, (unsigned long long)bos,
				     (unsigned long long)runs);
	slot = dev->slot;
	free(dev->props);
	dev->props = NULL;
	dev->ops->close(dev);
	lf__backend_release(slot);
	return LF_OK;
}

lf_status lf__dev_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb)
{
	lf_status st;

	lf__drv_clear_error();
	if (!dev || !xb)
		return null_arg("lf__dev_load_xclbin");
	if (atomic_load(&dev->live_bos) || atomic_load(&dev->live_runs))
		return lf__drv_error(LF_ERR_BUSY,
				     "device '%s': cannot load an xclbin while "
				     "buffers or runs are alive",
				     dev->props->name);
	st = dev->ops->load_xclbin(dev, xb);
	if (st != LF_OK)
		return st;
	return refresh_props(dev);
}

const struct lf_dev_props *lf__dev_props(const lf_dev *dev)
{
	return dev->props;
}

lf_status lf__dev_find_cu(const lf_dev *dev, const char *name, uint32_t *cu)
{
	const struct lf_dev_props *p;
	int qualified;

	lf__drv_clear_error();
	if (!dev || !name || !cu)
		return null_arg("lf__dev_find_cu");
	p = dev->props;
	qualified = strchr(name, ':') != NULL;
	for (uint32_t i = 0; i < p->ncus; i++) {
		const char *n = qualified ? p->cus[i].name
					  : p->kernels[p->cus[i].kernel].name;
		if (strcmp(n, name) == 0) {
			*cu = i;
			return LF_OK;
		}
	}
	return lf__drv_error(LF_ERR_NOT_FOUND,
			     "device '%s': no compute unit %s '%s' in the "
			     "loaded xclbin",
			     p->name, qualified ? "named" : "of kernel", name);
}

/* The XML description of argument @id of @k, or NULL. */
static const struct lf_xclbin_arg *kernel_arg(const struct lf_xclbin_kernel *k,
					      uint32_t id)
{
	for (uint32_t i = 0; i < k->nargs && i < LF_XCLBIN_MAX_ARGS; i++)
		if (k->args[i].id == id)
			return &k->args[i];
	return NULL;
}

lf_status lf__dev_arg_bank(const lf_dev *dev, uint32_t cu, uint32_t arg,
			   uint32_t *bank)
{
	const struct lf_dev_props *p;

	lf__drv_clear_error();
	if (!dev || !bank)
		return null_arg("lf__dev_arg_bank");
	p = dev->props;
	if (cu >= p->ncus)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device '%s': no CU %u (%u CUs)", p->name,
				     cu, p->ncus);
	if (arg >= LF_DRV_MAX_ARGS ||
	    p->cus[cu].arg_bank[arg] == LF_DRV_NO_BANK)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "CU '%s': argument %u is not a pointer "
				     "to device memory",
				     p->cus[cu].name, arg);
	*bank = p->cus[cu].arg_bank[arg];
	return LF_OK;
}

int64_t lf__dev_limit(const lf_dev *dev, const char *key, int64_t dflt)
{
	if (!dev || !key)
		return dflt;
	for (uint32_t i = 0; i < dev->props->nlimits; i++)
		if (strcmp(dev->props->limits[i].key, key) == 0)
			return dev->props->limits[i].value;
	return dflt;
}

lf_status lf__dev_cu_abort(lf_dev *dev, uint32_t cu)
{
	lf__drv_clear_error();
	if (!dev)
		return null_arg("lf__dev_cu_abort");
	if (!dev->ops->cu_abort)
		return unsupported(dev, "aborting a CU");
	if (cu >= dev->props->ncus)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device '%s': no CU %u (%u CUs)",
				     dev->props->name, cu, dev->props->ncus);
	return dev->ops->cu_abort(dev, cu);
}

lf_status lf__dev_native(lf_dev *dev, lf_bo *bo, uint32_t kind, void **out)
{
	lf__drv_clear_error();
	if (!dev || !out)
		return null_arg("lf__dev_native");
	if (!dev->ops->native)
		return unsupported(dev, "native handles");
	return dev->ops->native(dev, bo, kind, out);
}

lf_status lf__dev_reset(lf_dev *dev)
{
	lf__drv_clear_error();
	if (!dev)
		return null_arg("lf__dev_reset");
	if (!dev->ops->reset)
		return unsupported(dev, "device reset");
	return dev->ops->reset(dev);
}

lf_status lf__dev_counters(lf_dev *dev, struct lf_dev_counters *out)
{
	struct lf_dev_counters c;
	lf_status st;

	lf__drv_clear_error();
	if (!dev || !out)
		return null_arg("lf__dev_counters");
	if (!dev->ops->counters)
		return unsupported(dev, "counters");
	memset(&c, 0, sizeof(c));
	st = dev->ops->counters(dev, &c);
	if (st == LF_OK)
		*out = c;
	return st;
}

lf_status lf__dev_timeline(lf_dev *dev, uint64_t from_seq,
			   struct lf_tl_event *out, uint32_t max, uint32_t *n)
{
	lf__drv_clear_error();
	if (!dev || !n || (max && !out))
		return null_arg("lf__dev_timeline");
	if (!dev->ops->timeline)
		return unsupported(dev, "a timeline");
	return dev->ops->timeline(dev, from_seq, out, max, n);
}

lf_status lf__dev_fault(lf_dev *dev, const struct lf_fault *f)
{
	lf__drv_clear_error();
	if (!dev || !f)
		return null_arg("lf__dev_fault");
	if (!dev->ops->fault)
		return unsupported(dev, "fault injection");
	return dev->ops->fault(dev, f);
}

/* ------------------------------------------------------------------------
 * Buffers.
 */

lf_status lf__bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank, lf_bo **out)
{
	const struct lf_dev_props *p;
	lf_bo *bo = NULL;
	lf_status st;

	lf__drv_clear_error();
	if (!dev || !out)
		return null_arg("lf__bo_alloc");
	p = dev->props;
	if (size == 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device '%s': a buffer needs at least one "
				     "byte",
				     p->name);
	if (bank >= p->nmems)
		return lf__drv_error(
		    LF_ERR_INVALID_ARG,
		    "device '%s': no memory bank %u (%u banks)", p->name, bank,
		    p->nmems);
	if (!p->mems[bank].usable)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device '%s': bank %u '%s' cannot hold "
				     "buffers (unused or streaming)",
				     p->name, bank, p->mems[bank].tag);
	uint64_t used = atomic_fetch_add(&dev->mem_used, size);
	if (dev->mem_limit &&
	    (used + size < used || used + size > dev->mem_limit)) {
		atomic_fetch_sub(&dev->mem_used, size);
		return lf__drv_error(
		    LF_ERR_NO_DEVICE_MEMORY,
		    "device '%s': a buffer of %llu bytes would pass the "
		    "memory limit of %llu bytes (memory_limit option; %llu "
		    "in use)",
		    p->name, (unsigned long long)size,
		    (unsigned long long)dev->mem_limit,
		    (unsigned long long)used);
	}
	st = dev->ops->bo_alloc(dev, size, bank, &bo);
	if (st != LF_OK) {
		atomic_fetch_sub(&dev->mem_used, size);
		return st;
	}
	bo->dev = dev;
	bo->size = size;
	bo->bank = bank;
	atomic_fetch_add(&dev->live_bos, 1);
	*out = bo;
	return LF_OK;
}

lf_status lf__bo_free(lf_bo *bo)
{
	lf_dev *dev;
	lf_status st;

	lf__drv_clear_error();
	if (!bo)
		return LF_OK;
	dev = bo->dev;
	uint64_t size = bo->size;
	st = dev->ops->bo_free(bo);
	if (st == LF_OK) {
		atomic_fetch_sub(&dev->live_bos, 1);
		atomic_fetch_sub(&dev->mem_used, size);
	}
	return st;
}

uint64_t lf__bo_size(const lf_bo *bo)
{
	return bo ? bo->size : 0;
}

uint32_t lf__bo_bank(const lf_bo *bo)
{
	return bo ? bo->bank : LF_DRV_NO_BANK;
}

lf_status lf__bo_map(lf_bo *bo, void **host)
{
	lf__drv_clear_error();
	if (!bo || !host)
		return null_arg("lf__bo_map");
	return bo->dev->ops->bo_map(bo, host);
}

static lf_status check_range(const lf_bo *bo, uint64_t size, uint64_t offset,
			     const char *what)
{
	if (size == 0)
		return lf__drv_error(LF_ERR_INVALID_ARG, "%s of 0 bytes", what);
	if (offset > bo->size || size > bo->size - offset)
		return lf__drv_error(LF_ERR_RANGE,
				     "%s of bytes [%llu, %llu) is outside the "
				     "%llu-byte buffer",
				     what, (unsigned long long)offset,
				     (unsigned long long)offset +
					 (unsigned long long)size,
				     (unsigned long long)bo->size);
	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_OVERFLOW,
				     "%s of %llu bytes exceeds the host's "
				     "address space",
				     what, (unsigned long long)size);
	return LF_OK;
}

lf_status lf__bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
		      uint64_t offset)
{
	lf_status st;

	lf__drv_clear_error();
	if (!bo)
		return null_arg("lf__bo_sync");
	if (dir != LF_SYNC_TO_DEVICE && dir != LF_SYNC_FROM_DEVICE)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__bo_sync: direction %d is neither "
				     "TO_DEVICE nor FROM_DEVICE",
				     (int)dir);
	st = check_range(bo, size, offset, "sync");
	if (st != LF_OK)
		return st;
	return bo->dev->ops->bo_sync(bo, dir, size, offset);
}

lf_status lf__bo_write(lf_bo *bo, const void *src, uint64_t size,
		       uint64_t offset)
{
	void *host;
	lf_status st;

	lf__drv_clear_error();
	if (!bo || !src)
		return null_arg("lf__bo_write");
	st = check_range(bo, size, offset, "write");
	if (st != LF_OK)
		return st;
	if (bo->dev->ops->bo_write)
		return bo->dev->ops->bo_write(bo, src, size, offset);
	st = bo->dev->ops->bo_map(bo, &host);
	if (st != LF_OK)
		return st;
	memcpy((char *)host + offset, src, (size_t)size);
	return bo->dev->ops->bo_sync(bo, LF_SYNC_TO_DEVICE, size, offset);
}

lf_status lf__bo_read(lf_bo *bo, void *dst, uint64_t size, uint64_t offset)
{
	void *host;
	lf_status st;

	lf__drv_clear_error();
	if (!bo || !dst)
		return null_arg("lf__bo_read");
	st = check_range(bo, size, offset, "read");
	if (st != LF_OK)
		return st;
	if (bo->dev->ops->bo_read)
		return bo->dev->ops->bo_read(bo, dst, size, offset);
	st = bo->dev->ops->bo_sync(bo, LF_SYNC_FROM_DEVICE, size, offset);
	if (st != LF_OK)
		return st;
	st = bo->dev->ops->bo_map(bo, &host);
	if (st != LF_OK)
		return st;
	memcpy(dst, (const char *)host + offset, (size_t)size);
	return LF_OK;
}

lf_status lf__bo_copy(lf_bo *dst, uint64_t dst_off, lf_bo *src,
		      uint64_t src_off, uint64_t size)
{
	void *hd, *hs;
	lf_status st;

	lf__drv_clear_error();
	if (!dst || !src)
		return null_arg("lf__bo_copy");
	if (dst->dev != src->dev)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__bo_copy: the buffers belong to "
				     "different devices");
	st = check_range(dst, size, dst_off, "copy into");
	if (st == LF_OK)
		st = check_range(src, size, src_off, "copy from");
	if (st != LF_OK)
		return st;
	if (dst == src && dst_off < src_off + size && src_off < dst_off + size)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__bo_copy: the ranges overlap");
	if (dst->dev->ops->bo_copy)
		return dst->dev->ops->bo_copy(dst, dst_off, src, src_off, size);
	st = dst->dev->ops->bo_sync(src, LF_SYNC_FROM_DEVICE, size, src_off);
	if (st == LF_OK)
		st = dst->dev->ops->bo_map(src, &hs);
	if (st == LF_OK)
		st = dst->dev->ops->bo_map(dst, &hd);
	if (st != LF_OK)
		return st;
	memcpy((char *)hd + dst_off, (const char *)hs + src_off, (size_t)size);
	return dst->dev->ops->bo_sync(dst, LF_SYNC_TO_DEVICE, size, dst_off);
}

/* ------------------------------------------------------------------------
 * Runs.
 */

/* Check one argument against the kernel's description of it. */
static lf_status check_arg(const lf_dev *dev, const struct lf_dev_cu *c,
			   const struct lf_xclbin_arg *info,
			   const struct lf_run_arg *a)
{
	if (info->is_global) {
		if (a->kind != LF_ARG_BO || !a->bo)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "CU '%s' argument %u '%s' is a "
					     "pointer: it needs a buffer",
					     c->name, a->index, info->name);
		if (a->bo->dev != dev)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "CU '%s' argument %u '%s': the "
					     "buffer belongs to another device",
					     c->name, a->index, info->name);
		if (a->offset >= a->bo->size)
			return lf__drv_error(LF_ERR_RANGE,
					     "CU '%s' argument %u '%s': offset "
					     "%llu is outside the %llu-byte "
					     "buffer",
					     c->name, a->index, info->name,
					     (unsigned long long)a->offset,
					     (unsigned long long)a->bo->size);
		return LF_OK;
	}
	if (a->kind != LF_ARG_U32 && a->kind != LF_ARG_U64)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "CU '%s' argument %u '%s' is a scalar: it "
				     "needs a u32 or u64 value",
				     c->name, a->index, info->name);
	if ((a->kind == LF_ARG_U32 || info->size <= 4) && a->value > UINT32_MAX)
		return lf__drv_error(
		    LF_ERR_INVALID_ARG,
		    "CU '%s' argument %u '%s': value %llu does "
		    "not fit 32 bits",
		    c->name, a->index, info->name,
		    (unsigned long long)a->value);
	return LF_OK;
}

lf_status lf__run_start(lf_dev *dev, uint32_t cu, const struct lf_run_arg *args,
			uint32_t nargs, lf_run **out)
{
	struct lf_run_arg dense[LF_DRV_MAX_ARGS];
	const struct lf_dev_props *p;
	const struct lf_dev_cu *c;
	const struct lf_xclbin_kernel *k;
	lf_run *run = NULL;
	lf_status st;

	lf__drv_clear_error();
	if (!dev || !out || (nargs && !args))
		return null_arg("lf__run_start");
	p = dev->props;
	if (!p->xclbin_loaded)
		return lf__drv_error(
		    LF_ERR_STATE, "device '%s': no xclbin is loaded", p->name);
	if (cu >= p->ncus)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "device '%s': no CU %u (%u CUs)", p->name,
				     cu, p->ncus);
	c = &p->cus[cu];
	k = &p->kernels[c->kernel];
	if (nargs != k->nargs)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "CU '%s' takes %u arguments, %u given",
				     c->name, k->nargs, nargs);
	memset(dense, 0, sizeof(dense));
	for (uint32_t i = 0; i < nargs; i++) {
		const struct lf_run_arg *a = &args[i];
		const struct lf_xclbin_arg *info =
		    a->index < k->nargs ? kernel_arg(k, a->index) : NULL;

		if (!info)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "CU '%s' has no argument %u",
					     c->name, a->index);
		if (dense[a->index].kind != LF_ARG_UNSET)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "CU '%s' argument %u '%s' is set "
					     "twice",
					     c->name, a->index, info->name);
		st = check_arg(dev, c, info, a);
		if (st != LF_OK)
			return st;
		dense[a->index] = *a;
	}
	st = dev->ops->run_start(dev, cu, dense, nargs, &run);
	if (st != LF_OK)
		return st;
	run->dev = dev;
	run->cu = cu;
	atomic_fetch_add(&dev->live_runs, 1);
	*out = run;
	return LF_OK;
}

lf_status lf__run_wait(lf_run *run, uint32_t timeout_ms)
{
	lf__drv_clear_error();
	if (!run)
		return null_arg("lf__run_wait");
	return run->dev->ops->run_wait(run, timeout_ms);
}

lf_status lf__run_free(lf_run *run)
{
	lf_dev *dev;
	lf_status st;

	lf__drv_clear_error();
	if (!run)
		return LF_OK;
	dev = run->dev;
	st = dev->ops->run_free(run);
	if (st == LF_OK)
		atomic_fetch_sub(&dev->live_runs, 1);
	return st;
}

lf_status lf__run_model(lf_run *run, struct lf_run_model *m)
{
	lf__drv_clear_error();
	if (!run || !m || (m->desc_max && !m->desc) ||
	    (m->loop_max && !m->loops))
		return null_arg("lf__run_model");
	if (!run->dev->ops->run_model)
		return unsupported(run->dev, "run_model");
	m->cycles = 0;
	m->clock_mhz = 0;
	m->ndesc = m->nloops = 0;
	return run->dev->ops->run_model(run, m);
}
