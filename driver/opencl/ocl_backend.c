/*
 * ocl_backend.c - the driver vtable of the OpenCL backend: opening a
 * device, describing it, counters, timeline, statistics.
 *
 * Device string: "opencl[:<selector>][,<option>=<value>...]"; the selector
 * is a flat device index over all platforms ("opencl:0", the default), or
 * "<platform substring>/<device substring>" (or ':' in place of '/'), or
 * one substring of a device or platform name, device vendor or platform
 * version (lf__ocl_find_device()).
 * Options:
 *   flavour=auto|xilinx|portable   auto: "Xilinx" platform -> xilinx
 *   cache=0|1                      the portable build cache (default 1)
 *   timeline=<events>              timeline history (default 4096)
 *
 * Opening creates the context and the transfer queue; an xclbin load
 * creates the programs, one kernel object and one queue per CU
 * (ocl_program.c). Before a load the device has one bank, "global", the
 * size of the device's global memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/opencl/ocl_impl.h"

static void default_banks(struct ocl_dev *d)
{
	memset(d->banks, 0, sizeof(d->banks));
	d->nbanks = 1;
	snprintf(d->banks[0].tag, sizeof(d->banks[0].tag), "global");
	d->banks[0].type = LF_MEM_DDR4;
	d->banks[0].usable = 1;
	d->banks[0].size = d->global_mem;
}

static lf_status parse_options(const struct lf_dev_spec *spec, int *flavour,
			       int *cache, uint32_t *timeline)
{
	uint64_t v;
	lf_status st;

	*flavour = -1;
	*cache = 1;
	*timeline = OCL_TIMELINE_CAP;
	for (uint32_t i = 0; i < spec->nopts; i++) {
		const char *k = spec->opts[i].key, *val = spec->opts[i].value;

		if (strcmp(k, "flavour") == 0) {
			if (strcmp(val, "xilinx") == 0)
				*flavour = LF_OCL_XILINX;
			else if (strcmp(val, "portable") == 0)
				*flavour = LF_OCL_PORTABLE;
			else if (strcmp(val, "auto") != 0)
				return lf__drv_error(LF_ERR_INVALID_ARG,
						     "opencl: flavour=%s: "
						     "expected auto, xilinx or "
						     "portable",
						     val);
		} else if (strcmp(k, "cache") == 0 ||
			   strcmp(k, "timeline") == 0) {
			st = lf__dev_spec_opt_u64(spec, k, &v);
			if (st != LF_OK)
				return st;
			if (k[0] == 'c' && v > 1)
				return lf__drv_error(LF_ERR_INVALID_ARG,
						     "opencl: cache=%s: "
						     "expected 0 or 1",
						     val);
			if (k[0] == 't' && (v == 0 || v > OCL_TIMELINE_CAP_MAX))
				return lf__drv_error(LF_ERR_INVALID_ARG,
						     "opencl: timeline=%s: "
						     "expected 1 to %u events",
						     val, OCL_TIMELINE_CAP_MAX);
			if (k[0] == 'c')
				*cache = (int)v;
			else
				*timeline = (uint32_t)v;
		} else {
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "opencl: unknown option '%s' "
					     "(known: flavour, cache, "
					     "timeline)",
					     k);
		}
	}
	return LF_OK;
}

/* The device's sizes; a query failure leaves a conservative value. */
static void device_limits(struct ocl_dev *d)
{
	cl_device_id dev = d->info.dev;
	cl_uint align_bits = 0;

	if (lf__cl.clGetDeviceInfo(dev, CL_DEVICE_MEM_BASE_ADDR_ALIGN,
				   sizeof(align_bits), &align_bits,
				   NULL) != CL_SUCCESS)
		align_bits = 4096 * 8;
	d->base_align = align_bits >= 8 ? align_bits / 8 : 1;
	if (lf__cl.clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE,
				   sizeof(d->max_alloc), &d->max_alloc,
				   NULL) != CL_SUCCESS)
		d->max_alloc = 128ull << 20; /* OpenCL 1.2's minimum */
	if (lf__cl.clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_SIZE,
				   sizeof(d->global_mem), &d->global_mem,
				   NULL) != CL_SUCCESS)
		d->global_mem = d->max_alloc;
	if (lf__cl.clGetDeviceInfo(dev, CL_DEVICE_LOCAL_MEM_SIZE,
				   sizeof(d->local_mem), &d->local_mem,
				   NULL) != CL_SUCCESS)
		d->local_mem = 0; /* unknown: not checked */
}

static lf_status pick_device(const char *selector, struct ocl_devinfo *out)
{
	struct ocl_devinfo *v = calloc(OCL_MAX_DEVICES, sizeof(*v));
	uint32_t n = 0, idx = 0;
	lf_status st;

	if (!v)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	st = lf__ocl_scan(v, OCL_MAX_DEVICES, &n);
	if (st == LF_OK)
		st =
		    lf__ocl_select(v, n < OCL_MAX_DEVICES ? n : OCL_MAX_DEVICES,
				   selector, &idx);
	if (st == LF_OK)
		*out = v[idx];
	free(v);
	return st;
}

static void dev_free(struct ocl_dev *d)
{
	lf__ocl_release_event(d, &d->last_kev);
	lf__ocl_image_free(d, d->img);
	d->img = NULL;
	lf__ocl_release_queue(d, &d->dmaq);
	lf__ocl_release_context(d, &d->ctx);
	free(d->ring);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

static lf_status ocl_open(const struct lf_dev_spec *spec, lf_dev **out)
{
	cl_context_properties props[3];
	struct ocl_dev *d;
	uint32_t timeline;
	int flavour, cache;
	cl_int err = CL_SUCCESS;
	lf_status st = parse_options(spec, &flavour, &cache, &timeline);

	if (st != LF_OK)
		return st;
	d = calloc(1, sizeof(*d));
	if (!d)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	pthread_mutex_init(&d->mu, NULL);
	d->ring_cap = timeline;
	d->ring = calloc(d->ring_cap, sizeof(*d->ring));
	if (!d->ring) {
		st = lf__drv_error(LF_ERR_NO_MEMORY,
				   "opencl: out of host memory");
		goto fail;
	}
	st = pick_device(spec->device, &d->info);
	if (st != LF_OK)
		goto fail;
	d->flavour =
	    flavour >= 0 ? (enum lf_ocl_flavour)flavour : d->info.flavour;
	device_limits(d);
	props[0] = CL_CONTEXT_PLATFORM;
	props[1] = (cl_context_properties)d->info.plat;
	props[2] = 0;
	d->ctx =
	    lf__cl.clCreateContext(props, 1, &d->info.dev, NULL, NULL, &err);
	if (!d->ctx) {
		st = lf__ocl_fail(lf__ocl_status(err), "clCreateContext", err,
				  "device '%s'", d->info.dev_name);
		goto fail;
	}
	lf__ocl_obj_add(d, LF_OCL_CONTEXT);
	d->dmaq = lf__cl.clCreateCommandQueue(d->ctx, d->info.dev,
					      CL_QUEUE_PROFILING_ENABLE, &err);
	if (!d->dmaq) {
		st = lf__ocl_fail(lf__ocl_status(err), "clCreateCommandQueue",
				  err, "device '%s'", d->info.dev_name);
		goto fail;
	}
	lf__ocl_obj_add(d, LF_OCL_QUEUE);
	default_banks(d);
	d->use_cache = cache && d->flavour == LF_OCL_PORTABLE;
	if (d->use_cache)
		lf__ocl_cache_dir(d->cache_dir, sizeof(d->cache_dir));
	if (!d->cache_dir[0])
		d->use_cache = 0;
	d->st.flavour = d->flavour;
	d->st.base_align = d->base_align;
	d->st.max_alloc = d->max_alloc;
	lf__ocl_copy_str(d->st.cache_dir, sizeof(d->st.cache_dir),
			 d->cache_dir);
	lf__ocl_tl_origin(d);
	*out = &d->base;
	return LF_OK;
fail:
	dev_free(d);
	return st;
}

static void ocl_close(lf_dev *dev)
{
	dev_free(ocl_dev_of(dev));
}

static lf_status ocl_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb)
{
	struct ocl_dev *d = ocl_dev_of(dev);
	lf_status st = lf__ocl_load(d, xb);

	/* An xclbin without MEM_TOPOLOGY gets the default bank back. */
	if (st == LF_OK && !d->img->nbanks) {
		pthread_mutex_lock(&d->mu);
		default_banks(d);
		pthread_mutex_unlock(&d->mu);
	}
	return st;
}

static void query_image(const struct ocl_dev *d, struct lf_dev_props *p)
{
	const struct ocl_image *img = d->img;
	const struct lf_xclbin *xb = img->xb;

	p->xclbin_loaded = 1;
	memcpy(p->xclbin_uuid, xb->uuid, sizeof(p->xclbin_uuid));
	memcpy(p->xclbin_platform, xb->platform, sizeof(p->xclbin_platform));
	p->xclbin_platform[sizeof(p->xclbin_platform) - 1] = '\0';
	p->nkernels = xb->nkernels;
	memcpy(p->kernels, xb->kernels, xb->nkernels * sizeof(p->kernels[0]));
	p->ncus = xb->ncus;
	for (uint32_t c = 0; c < xb->ncus; c++) {
		struct lf_dev_cu *u = &p->cus[c];

		memcpy(u->name, xb->cus[c].name, sizeof(u->name));
		u->name[sizeof(u->name) - 1] = '\0';
		u->kernel = xb->cus[c].kernel;
		u->base = xb->cus[c].base;
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++) {
			u->arg_bank[a] = LF_DRV_NO_BANK;
			for (uint32_t b = 0; b < d->nbanks; b++) {
				if ((img->reach[c][a][b / 64] >> (b % 64)) &
				    1u) {
					u->arg_bank[a] = b;
					break;
				}
			}
		}
	}
	p->nlimits = xb->nlimits;
	memcpy(p->limits, xb->limits, xb->nlimits * sizeof(p->limits[0]));
}

static lf_status ocl_query(lf_dev *dev, struct lf_dev_props *p)
{
	struct ocl_dev *d = ocl_dev_of(dev);

	pthread_mutex_lock(&d->mu);
	snprintf(p->backend, sizeof(p->backend), "opencl");
	lf__ocl_copy_str(p->name, sizeof(p->name), d->info.dev_name);
	/* The Xilinx flavour loads the card's own bitstream (the core's
	 * default "<name>.xclbin"); a portable device has no bitstream of its
	 * own and is described by an emulation xclbin: aws-f1's, the
	 * emulator's default profile, so "opencl:0" and "emu" plan the same
	 * tiles. */
	if (d->flavour == LF_OCL_PORTABLE)
		snprintf(p->xclbin_hint, sizeof(p->xclbin_hint),
			 "emu-aws-f1.xclbin");
	p->nmems = d->nbanks;
	for (uint32_t i = 0; i < d->nbanks; i++) {
		memcpy(p->mems[i].tag, d->banks[i].tag, sizeof(p->mems[i].tag));
		p->mems[i].type = d->banks[i].type;
		p->mems[i].usable = d->banks[i].usable;
		p->mems[i].base = d->banks[i].base;
		p->mems[i].size = d->banks[i].size;
	}
	if (d->img)
		query_image(d, p);
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}

static lf_status ocl_counters(lf_dev *dev, struct lf_dev_counters *out)
{
	struct ocl_dev *d = ocl_dev_of(dev);

	pthread_mutex_lock(&d->mu);
	lf__ocl_reap_locked(d);
	*out = d->ctr;
	out->ncus = d->img ? d->img->ncus : 0;
	for (uint32_t i = 0; i < out->ncus; i++)
		out->cu[i] = d->img->cus[i].ctr;
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}

static lf_status ocl_timeline(lf_dev *dev, uint64_t from_seq,
			      struct lf_tl_event *out, uint32_t max,
			      uint32_t *n)
{
	struct ocl_dev *d = ocl_dev_of(dev);
	uint64_t oldest, seq;
	uint32_t k = 0;

	pthread_mutex_lock(&d->mu);
	lf__ocl_reap_locked(d);
	oldest = d->next_seq > d->ring_cap ? d->next_seq - d->ring_cap : 0;
	seq = from_seq > oldest ? from_seq : oldest;
	for (; seq < d->next_seq && k < max; seq++)
		out[k++] = d->ring[seq % d->ring_cap];
	pthread_mutex_unlock(&d->mu);
	*n = k;
	return LF_OK;
}

const struct lf_backend_ops lf__opencl_backend = {
    .name = "opencl",
    .enumerate = lf__ocl_enumerate,
    .open = ocl_open,
    .close = ocl_close,
    .load_xclbin = ocl_load_xclbin,
    .query = ocl_query,
    .bo_alloc = lf__ocl_bo_alloc,
    .bo_free = lf__ocl_bo_free,
    .bo_map = lf__ocl_bo_map,
    .bo_sync = lf__ocl_bo_sync,
    .bo_copy = lf__ocl_bo_copy,
    .run_start = lf__ocl_run_start,
    .run_wait = lf__ocl_run_wait,
    .run_free = lf__ocl_run_free,
    .counters = ocl_counters,
    .timeline = ocl_timeline,
};

lf_status lf__ocl_stats(lf_dev *dev, struct lf_ocl_stats *out)
{
	struct ocl_dev *d;

	if (!dev || !out || dev->ops != &lf__opencl_backend)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__ocl_stats: NULL, or not an opencl "
				     "device");
	d = ocl_dev_of(dev);
	pthread_mutex_lock(&d->mu);
	*out = d->st;
	pthread_mutex_unlock(&d->mu);
	for (int k = 0; k < LF_OCL_NOBJ; k++)
		out->live[k] = atomic_load(&d->live_objs[k]);
	return LF_OK;
}
