/*
 * emu_backend.c - the driver vtable's front door to the emulated card.
 *
 * Buffers become an allocation in device memory plus a separate host view
 * (calloc'd, what lf__bo_map returns); sync is a modeled DMA between the
 * two. Runs pass each buffer argument as its device address + offset, as
 * a card's register map would.
 *
 * Device string: "emu[:<profile>][,<option>=<value>...]", profile aws-f1
 * (default), u250, u280, u55c, tiny or its index. Options:
 *   bank_size=<bytes>   cap every bank (K/M/G suffixes)
 *   launch_ns=<ns>      per-run launch cost (default 20000)
 *   dma_setup_ns=<ns>   per-transfer setup cost (default 13765)
 *   h2d_mbps=<MB/s>, d2h_mbps=<MB/s>   PCIe throughput (1 MB = 1e6 B)
 *   timeline=<events>   timeline history (default 4096)
 *   cu_sync=0           run no CU groups (lf_dev_props.cu_sync 0): the
 *                       host keeps a batch-1 segment on one CU even with
 *                       kernels that have a barrier ring (README.md,
 *                       "Barriers between CUs"); default 1
 *   trust_xclbin=1      run kernel code that is not one of this library's
 *                       kernel builds (an xclbin is code; emu_trust.c)
 *   fault=KIND:N        inject a fault at the Nth occurrence (from the
 *                       device's opening) of its event; KIND alloc,
 *                       dma_fail, dma_corrupt, cu_hang, device_lost or
 *                       status_corrupt
 *                       (README.md, "Faults")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu_impl.h"

struct emu_dev {
	struct lf_dev base;
	lf_emu *emu;
};

struct emu_bo {
	struct lf_bo base;
	uint64_t addr;
	uint8_t *host;
};

struct emu_run {
	struct lf_run base;
	lf_emu_run *r;
};

static lf_emu *emu_of(lf_dev *dev)
{
	return lf__container_of(dev, struct emu_dev, base)->emu;
}

static struct emu_bo *ebo(lf_bo *bo)
{
	return lf__container_of(bo, struct emu_bo, base);
}

static lf_status emu_enumerate(struct lf_dev_desc *out, uint32_t max,
			       uint32_t *count)
{
	uint32_t n = lf__emu_profile_count();

	for (uint32_t i = 0; i < n && i < max; i++) {
		const struct lf_emu_profile *p = lf__emu_profile_get(i);

		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].backend, sizeof(out[i].backend), "emu");
		out[i].index = i;
		snprintf(out[i].name, sizeof(out[i].name), "%s", p->name);
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", p->detail);
		/* Emulated devices are named by profile. */
		snprintf(out[i].spec, sizeof(out[i].spec), "emu:%s", p->name);
	}
	*count = n;
	return LF_OK;
}

/* Numeric option @key into *v (untouched when absent). */
static lf_status opt(const struct lf_dev_spec *spec, const char *key,
		     uint64_t *v)
{
	lf_status st = lf__dev_spec_opt_u64(spec, key, v);

	return st == LF_ERR_NOT_FOUND ? LF_OK : st;
}

/* "KIND:N": the fault names of the device option, in lf_fault_kind order. */
static const char *const fault_names[] = {
    [LF_FAULT_ALLOC] = "alloc",
    [LF_FAULT_DMA_FAIL] = "dma_fail",
    [LF_FAULT_DMA_CORRUPT] = "dma_corrupt",
    [LF_FAULT_CU_HANG] = "cu_hang",
    [LF_FAULT_DEVICE_LOST] = "device_lost",
    [LF_FAULT_STATUS_CORRUPT] = "status_corrupt",
};

static lf_status parse_fault(const char *v, struct lf_fault *f)
{
	const char *colon = strchr(v, ':');
	unsigned long long n = 0;
	const char *p;

	for (int k = LF_FAULT_ALLOC; colon && k <= LF_FAULT_STATUS_CORRUPT;
	     k++) {
		if (strlen(fault_names[k]) != (size_t)(colon - v) ||
		    strncmp(v, fault_names[k], (size_t)(colon - v)) != 0)
			continue;
		for (p = colon + 1; *p >= '0' && *p <= '9' && n <= UINT32_MAX;
		     p++)
			n = n * 10 + (unsigned)(*p - '0');
		if (p == colon + 1 || *p || n < 1 || n > UINT32_MAX)
			break;
		f->kind = (enum lf_fault_kind)k;
		f->nth = (uint32_t)n;
		f->cu = -1;
		return LF_OK;
	}
	return lf__drv_error(LF_ERR_INVALID_ARG,
			     "emu: fault=%s: expected KIND:N, KIND one of "
			     "alloc, dma_fail, dma_corrupt, cu_hang, "
			     "device_lost, status_corrupt and N >= 1 (the "
			     "Nth occurrence)",
			     v);
}

static lf_status parse_config(const struct lf_dev_spec *spec,
			      struct lf_emu_config *cfg)
{
	static const char *const known[] = {
	    "bank_size", "launch_ns",	 "dma_setup_ns", "h2d_mbps", "d2h_mbps",
	    "timeline",	 "trust_xclbin", "fault",	 "cu_sync"};
	uint64_t h2d = 0, d2h = 0, tl = 0, trust = 0, cusync = 1;
	lf_status st;

	for (uint32_t i = 0; i < spec->nopts; i++) {
		size_t k = 0;

		while (k < sizeof(known) / sizeof(*known) &&
		       strcmp(known[k], spec->opts[i].key) != 0)
			k++;
		if (k == sizeof(known) / sizeof(*known))
			return lf__drv_error(
			    LF_ERR_INVALID_ARG,
			    "emu: unknown option '%s' (known: "
			    "bank_size, launch_ns, "
			    "dma_setup_ns, h2d_mbps, d2h_mbps, "
			    "timeline, trust_xclbin, fault, cu_sync)",
			    spec->opts[i].key);
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->launch_ns = LF_EMU_DEFAULT;
	cfg->dma_setup_ns = LF_EMU_DEFAULT;
	st = lf__emu_profile_find(spec->device[0] ? spec->device : "aws-f1",
				  &cfg->profile);
	if (st == LF_OK)
		st = opt(spec, "bank_size", &cfg->bank_size);
	if (st == LF_OK)
		st = opt(spec, "launch_ns", &cfg->launch_ns);
	if (st == LF_OK)
		st = opt(spec, "dma_setup_ns", &cfg->dma_setup_ns);
	if (st == LF_OK)
		st = opt(spec, "h2d_mbps", &h2d);
	if (st == LF_OK)
		st = opt(spec, "d2h_mbps", &d2h);
	if (st == LF_OK)
		st = opt(spec, "timeline", &tl);
	if (st == LF_OK)
		st = opt(spec, "trust_xclbin", &trust);
	if (st == LF_OK)
		st = opt(spec, "cu_sync", &cusync);
	if (st != LF_OK)
		return st;
	if (cusync > 1)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "emu: cu_sync=%llu: expected 0 or 1",
				     (unsigned long long)cusync);
	cfg->no_cu_sync = !cusync;
	if (trust > 1)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "emu: trust_xclbin=%llu: expected 0 or 1",
				     (unsigned long long)trust);
	/* The device option opts in; else the host library's options. */
	cfg->trust_xclbin = trust ? 1 : spec->trust_xclbin;
	for (uint32_t i = 0; i < spec->nopts; i++)
		if (strcmp(spec->opts[i].key, "fault") == 0) {
			st = parse_fault(spec->opts[i].value, &cfg->fault);
			if (st != LF_OK)
				return st;
		}
	if (tl > UINT32_MAX)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "emu: timeline=%llu is too large",
				     (unsigned long long)tl);
	cfg->h2d_bps = (double)h2d * 1e6;
	cfg->d2h_bps = (double)d2h * 1e6;
	cfg->timeline_cap = (uint32_t)tl;
	return LF_OK;
}

static lf_status emu_open(const struct lf_dev_spec *spec, lf_dev **out)
{
	struct lf_emu_config cfg;
	struct emu_dev *d;
	lf_status st = parse_config(spec, &cfg);

	if (st != LF_OK)
		return st;
	d = calloc(1, sizeof(*d));
	if (!d)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	st = lf__emu_create(&cfg, &d->emu);
	if (st != LF_OK) {
		free(d);
		return st;
	}
	if (cfg.fault.kind != LF_FAULT_NONE)
		st = lf__emu_fault(d->emu, &cfg.fault);
	if (st != LF_OK) {
		lf__emu_destroy(d->emu);
		free(d);
		return st;
	}
	*out = &d->base;
	return LF_OK;
}

static void emu_close(lf_dev *dev)
{
	struct emu_dev *d = lf__container_of(dev, struct emu_dev, base);

	lf__emu_destroy(d->emu);
	free(d);
}

static lf_status emu_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb)
{
	return lf__emu_load(emu_of(dev), xb, NULL);
}

static lf_status emu_query(lf_dev *dev, struct lf_dev_props *out)
{
	lf_status st = lf__emu_props(emu_of(dev), out);

	/* The emulation bitstreams are built per profile (bitstreams/emu). */
	if (st == LF_OK)
		snprintf(out->xclbin_hint, sizeof(out->xclbin_hint),
			 "emu-%s.xclbin", out->name);
	return st;
}

static lf_status emu_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			      lf_bo **out)
{
	struct emu_bo *b;
	lf_status st;

	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: a %llu-byte host view does not fit "
				     "the host's address space",
				     (unsigned long long)size);
	b = calloc(1, sizeof(*b));
	if (!b)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	b->host = calloc(1, (size_t)size);
	if (!b->host) {
		free(b);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory for a %llu-byte "
				     "host view",
				     (unsigned long long)size);
	}
	st = lf__emu_mem_alloc(emu_of(dev), bank, size, &b->addr);
	if (st != LF_OK) {
		free(b->host);
		free(b);
		return st;
	}
	*out = &b->base;
	return LF_OK;
}

static lf_status emu_bo_free(lf_bo *bo)
{
	struct emu_bo *b = ebo(bo);
	lf_status st = lf__emu_mem_free(emu_of(bo->dev), b->addr);

	if (st != LF_OK)
		return st;
	free(b->host);
	free(b);
	return LF_OK;
}

static lf_status emu_bo_map(lf_bo *bo, void **host)
{
	lf_emu *e = emu_of(bo->dev);
	int lost;

	pthread_mutex_lock(&e->mu);
	lost = e->lost;
	pthread_mutex_unlock(&e->mu);
	if (lost)
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "emu: map: the device was lost");
	*host = ebo(bo)->host;
	return LF_OK;
}

static lf_status emu_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			     uint64_t offset)
{
	struct emu_bo *b = ebo(bo);

	return lf__emu_dma(emu_of(bo->dev), dir, b->addr + offset,
			   b->host + offset, size);
}

static lf_status emu_bo_copy(lf_bo *dst, uint64_t dst_off, lf_bo *src,
			     uint64_t src_off, uint64_t size)
{
	return lf__emu_copy(emu_of(dst->dev), ebo(dst)->addr + dst_off,
			    ebo(src)->addr + src_off, size);
}

static lf_status emu_run_start(lf_dev *dev, uint32_t cu,
			       const struct lf_run_arg *args, uint32_t nargs,
			       lf_run **out)
{
	uint64_t argv[LF_DRV_MAX_ARGS];
	struct emu_run *run;
	lf_status st;

	for (uint32_t i = 0; i < nargs; i++)
		argv[i] = args[i].kind == LF_ARG_BO
			      ? ebo(args[i].bo)->addr + args[i].offset
			      : args[i].value;
	run = calloc(1, sizeof(*run));
	if (!run)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	st = lf__emu_run_start(emu_of(dev), cu, argv, nargs, &run->r);
	if (st != LF_OK) {
		free(run);
		return st;
	}
	*out = &run->base;
	return LF_OK;
}

static lf_status emu_run_wait(lf_run *run, uint32_t timeout_ms)
{
	struct emu_run *r = lf__container_of(run, struct emu_run, base);

	return lf__emu_run_wait(emu_of(run->dev), r->r, timeout_ms);
}

static lf_status emu_run_free(lf_run *run)
{
	struct emu_run *r = lf__container_of(run, struct emu_run, base);
	lf_status st = lf__emu_run_free(emu_of(run->dev), r->r);

	if (st == LF_OK)
		free(r);
	return st;
}

static lf_status emu_run_model(lf_run *run, struct lf_run_model *m)
{
	struct emu_run *r = lf__container_of(run, struct emu_run, base);

	return lf__emu_run_model(emu_of(run->dev), r->r, m);
}

static lf_status emu_cu_abort(lf_dev *dev, uint32_t cu)
{
	return lf__emu_cu_abort(emu_of(dev), cu);
}

static lf_status emu_reset(lf_dev *dev)
{
	return lf__emu_reset(emu_of(dev));
}

static lf_status emu_counters(lf_dev *dev, struct lf_dev_counters *out)
{
	lf__emu_counters(emu_of(dev), out);
	return LF_OK;
}

static lf_status emu_timeline(lf_dev *dev, uint64_t from_seq,
			      struct lf_tl_event *out, uint32_t max,
			      uint32_t *n)
{
	lf__emu_timeline(emu_of(dev), from_seq, out, max, n);
	return LF_OK;
}

static lf_status emu_fault(lf_dev *dev, const struct lf_fault *f)
{
	return lf__emu_fault(emu_of(dev), f);
}

const struct lf_backend_ops lf__emu_backend = {
    .name = "emu",
    .enumerate = emu_enumerate,
    .open = emu_open,
    .close = emu_close,
    .load_xclbin = emu_load_xclbin,
    .query = emu_query,
    .bo_alloc = emu_bo_alloc,
    .bo_free = emu_bo_free,
    .bo_map = emu_bo_map,
    .bo_sync = emu_bo_sync,
    .bo_copy = emu_bo_copy,
    .run_start = emu_run_start,
    .run_wait = emu_run_wait,
    .run_free = emu_run_free,
    .run_model = emu_run_model,
    .cu_abort = emu_cu_abort,
    .reset = emu_reset,
    .counters = emu_counters,
    .timeline = emu_timeline,
    .fault = emu_fault,
};

lf_status lf__emu_dev_trust_xclbin(lf_dev *dev)
{
	lf_emu *e;

	if (!dev || dev->ops != &lf__emu_backend)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__emu_dev_trust_xclbin: not an emu "
				     "device");
	e = emu_of(dev);
	pthread_mutex_lock(&e->mu);
	e->cfg.trust_xclbin = 1;
	pthread_mutex_unlock(&e->mu);
	return LF_OK;
}

lf_status lf__emu_dev_poke(lf_dev *dev, uint64_t addr, const void *src,
			   uint64_t size)
{
	if (!dev || dev->ops != &lf__emu_backend)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__emu_dev_poke: not an emu device");
	return lf__emu_mem_bus(emu_of(dev), LF_SYNC_TO_DEVICE, addr,
			       (void *)src, size);
}
