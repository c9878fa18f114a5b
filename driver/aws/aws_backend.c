/*
 * aws_backend.c - the AWS F2 backend's vtable: devices, the CL
 * description, properties, counters.
 *
 * An F2 Custom Logic built with the HDK has no xclbin; the backend learns
 * the CL's compute units, their control register offsets and the memory
 * banks of its PCIS window from a *description*: an xclbin-format file
 * (driver/xclbin) the build makes from the same kernel list and address
 * map as the CL (bitstreams/aws-f2-hdk/README.md). lf__dev_load_xclbin
 * takes it; the backend checks it against the CL's identity registers
 * (OCL offset 0) before trusting it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/aws/aws_impl.h"

static lf_status aws_enumerate(struct lf_dev_desc *out, uint32_t max,
			       uint32_t *count)
{
	uint32_t n = 0;
	lf_status st = lf__aws_card_enumerate(out, max, &n);

	if (st != LF_OK)
		return st;
	/* The emulated CL is always there, listed after the cards and
	 * opened only by its name ("aws:sim"), never by an index. */
	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].backend, sizeof(out[n].backend), "aws");
		out[n].index = n;
		snprintf(out[n].name, sizeof(out[n].name), "sim");
		snprintf(out[n].spec, sizeof(out[n].spec), "aws:sim");
		snprintf(out[n].detail, sizeof(out[n].detail),
			 "emulated F2 CL (aws-f2-hdk) behind a fake BAR0/BAR4; "
			 "open as aws:sim");
		out[n].is_card = 0;
	}
	*count = n + 1;
	return LF_OK;
}

static lf_status aws_open(const struct lf_dev_spec *spec, lf_dev **out)
{
	struct aws_dev *d;
	uint64_t cap = 0;
	lf_status st = lf__dev_spec_opt_u64(spec, "bank_size", &cap);

	if (st != LF_OK && st != LF_ERR_NOT_FOUND)
		return st;
	d = calloc(1, sizeof(*d));
	if (!d)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	if (pthread_mutex_init(&d->mu, NULL) != 0) {
		free(d);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: cannot create a mutex");
	}
	d->sim = strcmp(spec->device, "sim") == 0;
	if (d->sim) {
		/* The emulated banks are real host memory: 1 GiB each
		 * unless bank_size= says otherwise. */
		d->bank_cap = cap ? cap : (1ull << 30);
		snprintf(d->name, sizeof(d->name), "%s-sim", AWS_CL_PLATFORM);
		st = lf__aws_sim_open(spec, &d->bus);
	} else {
		d->bank_cap = cap;
		st = lf__aws_card_open(spec, d->name, sizeof(d->name), &d->bus);
	}
	if (st != LF_OK) {
		pthread_mutex_destroy(&d->mu);
		free(d);
		return st;
	}
	*out = &d->base;
	return LF_OK;
}

static void release_image(struct aws_dev *d)
{
	for (uint32_t i = 0; i < LF_DRV_MAX_MEMS; i++)
		lf__aws_heap_fini(&d->heaps[i]);
	free(d->xb);
	d->xb = NULL;
	d->ncus = 0;
	memset(d->cus, 0, sizeof(d->cus));
}

static void aws_close(lf_dev *dev)
{
	struct aws_dev *d = lf__aws_dev(dev);

	d->bus->ops->close(d->bus);
	release_image(d);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* Everything a description must satisfy before the bus sees it. */
static lf_status check_description(const struct lf_xclbin *xb)
{
	const struct lf_xclbin_platform *pf =
	    lf__xclbin_platform_find(AWS_CL_PLATFORM);
	lf_status st = lf__drv_check_xclbin(xb, "aws");

	if (st != LF_OK)
		return st;
	if (!pf || strcmp(xb->platform, pf->vbnv) != 0)
		return lf__drv_error(
		    LF_ERR_BAD_FILE,
		    "aws: the xclbin names platform '%s'; the aws backend "
		    "drives the layerfab F2 CL, whose description names '%s' "
		    "(build it with make, see bitstreams/aws-f2-hdk/)",
		    xb->platform, pf ? pf->vbnv : "?");
	for (uint32_t i = 0; i < xb->ncus; i++) {
		const struct lf_xclbin_cu *c = &xb->cus[i];
		const struct lf_xclbin_kernel *k = &xb->kernels[c->kernel];

		if (c->base < 0x1000 || c->base % 4 ||
		    c->base > AWS_BAR0_SIZE - AWS_CU_SPAN)
			return lf__drv_error(
			    LF_ERR_BAD_FILE,
			    "aws: CU '%s' has its registers at 0x%llx, outside "
			    "the OCL window [0x1000, 64 MiB) of BAR0",
			    c->name, (unsigned long long)c->base);
		for (uint32_t a = 0; a < k->nargs; a++)
			if (k->args[a].offset < 0x10 || k->args[a].offset % 4 ||
			    (k->args[a].size != 4 && k->args[a].size != 8) ||
			    k->args[a].offset + k->args[a].size > AWS_CU_SPAN)
				return lf__drv_error(
				    LF_ERR_BAD_FILE,
				    "aws: kernel '%s' argument '%s': register "
				    "offset 0x%x, %u bytes is not an HLS "
				    "s_axilite argument register",
				    k->name, k->args[a].name, k->args[a].offset,
				    k->args[a].size);
	}
	for (uint32_t m = 0; m < xb->nmems; m++) {
		const struct lf_xclbin_mem *b = &xb->mems[m];

		if (b->used && (b->base > AWS_PCIS_STATUS ||
				b->size > AWS_PCIS_STATUS - b->base))
			return lf__drv_error(
			    LF_ERR_BAD_FILE,
			    "aws: bank '%s' [0x%llx, +%llu) is not inside the "
			    "PCIS window of BAR4 (128 GiB less the status "
			    "page)",
			    b->tag, (unsigned long long)b->base,
			    (unsigned long long)b->size);
	}
	return LF_OK;
}

/* The identity block the CL answers with on BAR0. */
static lf_status check_identity(struct aws_dev *d, const struct lf_xclbin *xb)
{
	struct aws_bus *b = d->bus;
	uint32_t magic = b->ops->ocl_read32(b, AWS_ID_MAGIC);
	uint32_t ver, ncus, id, want;

	if (magic == AWS_ALL_ONES)
		return lf__drv_error(
		    LF_ERR_DEVICE,
		    "aws: %s: the CL does not answer on BAR0 (its identity "
		    "register reads 0xffffffff): no AFI is loaded, or it "
		    "was cleared. Load the layerfab AFI with "
		    "`fpga-load-local-image -S <slot> -I <agfi-id>` or open "
		    "the device with afi=<agfi-id>",
		    d->name);
	if (magic != AWS_CL_MAGIC)
		return lf__drv_error(
		    LF_ERR_BAD_FILE,
		    "aws: %s: the loaded AFI is not a layerfab CL (identity "
		    "register 0x%08x, expected 0x%08x); load ours with "
		    "`fpga-load-local-image`",
		    d->name, magic, AWS_CL_MAGIC);
	ver = b->ops->ocl_read32(b, AWS_ID_VERSION);
	ncus = b->ops->ocl_read32(b, AWS_ID_NCUS);
	id = b->ops->ocl_read32(b, AWS_ID_DESC);
	want = (uint32_t)xb->uuid[0] | (uint32_t)xb->uuid[1] << 8 |
	       (uint32_t)xb->uuid[2] << 16 | (uint32_t)xb->uuid[3] << 24;
	if (ver != AWS_CL_VERSION || ncus != xb->ncus || id != want)
		return lf__drv_error(
		    LF_ERR_BAD_FILE,
		    "aws: %s: the loaded CL (register map v%u, %u CUs, "
		    "description id %08x) is not the one this description "
		    "describes (v%u, %u CUs, id %08x): use the description "
		    "made by the same build as the AFI",
		    d->name, ver, ncus, id, AWS_CL_VERSION, xb->ncus, want);
	return LF_OK;
}

static lf_status aws_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb)
{
	struct aws_dev *d = lf__aws_dev(dev);
	struct lf_xclbin *copy;
	lf_status st;

	st = check_description(xb);
	if (st != LF_OK)
		return st;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	memcpy(copy, xb, sizeof(*copy));
	copy->image = NULL;
	copy->image_size = 0;
	copy->bitstream = NULL;
	copy->bitstream_size = 0;
	pthread_mutex_lock(&d->mu);
	if (d->lost) {
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "aws: %s: the device was lost", d->name);
		goto fail;
	}
	st = d->bus->ops->program(d->bus, xb);
	if (st == LF_OK)
		st = check_identity(d, xb);
	if (st != LF_OK)
		goto fail;
	release_image(d);
	d->xb = copy;
	d->ncus = xb->ncus;
	for (uint32_t i = 0; i < xb->ncus; i++) {
		d->cus[i].base = xb->cus[i].base;
		d->cus[i].kernel = xb->cus[i].kernel;
	}
	for (uint32_t m = 0; m < xb->nmems; m++) {
		d->heaps[m].base = xb->mems[m].base;
		d->heaps[m].size = xb->mems[m].used ? xb->mems[m].size : 0;
		if (d->bank_cap && d->bank_cap < d->heaps[m].size)
			d->heaps[m].size = d->bank_cap;
	}
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
fail:
	pthread_mutex_unlock(&d->mu);
	free(copy);
	return st;
}

static lf_status aws_query(lf_dev *dev, struct lf_dev_props *out)
{
	struct aws_dev *d = lf__aws_dev(dev);
	const struct lf_xclbin *xb;

	pthread_mutex_lock(&d->mu);
	xb = d->xb;
	snprintf(out->backend, sizeof(out->backend), "aws");
	snprintf(out->name, sizeof(out->name), "%s", d->name);
	if (!xb)
		goto out;
	out->xclbin_loaded = 1;
	memcpy(out->xclbin_uuid, xb->uuid, sizeof(out->xclbin_uuid));
	snprintf(out->xclbin_platform, sizeof(out->xclbin_platform), "%s",
		 xb->platform);
	out->nmems = xb->nmems;
	for (uint32_t m = 0; m < xb->nmems; m++) {
		memcpy(out->mems[m].tag, xb->mems[m].tag,
		       sizeof(out->mems[m].tag));
		out->mems[m].type = xb->mems[m].type;
		out->mems[m].usable =
		    d->heaps[m].size > 0 &&
		    xb->mems[m].type != LF_MEM_STREAMING &&
		    xb->mems[m].type != LF_MEM_STREAMING_CONNECTION;
		out->mems[m].base = xb->mems[m].base;
		out->mems[m].size = d->heaps[m].size;
	}
	out->nkernels = xb->nkernels;
	memcpy(out->kernels, xb->kernels,
	       xb->nkernels * sizeof(out->kernels[0]));
	out->ncus = xb->ncus;
	for (uint32_t c = 0; c < xb->ncus; c++) {
		const struct lf_xclbin_kernel *k =
		    &xb->kernels[xb->cus[c].kernel];

		memcpy(out->cus[c].name, xb->cus[c].name,
		       sizeof(out->cus[c].name));
		out->cus[c].kernel = xb->cus[c].kernel;
		out->cus[c].base = xb->cus[c].base;
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++)
			out->cus[c].arg_bank[a] = LF_DRV_NO_BANK;
		for (uint32_t a = 0; a < k->nargs; a++) {
			int m;

			if (!k->args[a].is_global ||
			    k->args[a].id >= LF_DRV_MAX_ARGS)
				continue;
			/* A port without CONNECTIVITY uses bank 0, as XRT
			 * assumes. */
			m = lf__xclbin_arg_mem(xb, c, k->args[a].id);
			out->cus[c].arg_bank[k->args[a].id] =
			    m >= 0 ? (uint32_t)m : 0;
		}
	}
	out->nlimits = xb->nlimits;
	memcpy(out->limits, xb->limits, xb->nlimits * sizeof(out->limits[0]));
out:
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}

static lf_status aws_counters(lf_dev *dev, struct lf_dev_counters *out)
{
	struct aws_dev *d = lf__aws_dev(dev);

	pthread_mutex_lock(&d->mu);
	*out = d->ctr;
	out->ncus = d->ncus;
	for (uint32_t c = 0; c < d->ncus; c++)
		out->cu[c].runs = d->cus[c].runs;
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}

static lf_status aws_fault(lf_dev *dev, const struct lf_fault *f)
{
	struct aws_dev *d = lf__aws_dev(dev);
	lf_status st;

	if (!d->bus->ops->fault)
		return lf__drv_error(LF_ERR_UNSUPPORTED,
				     "aws: %s: fault injection exists only on "
				     "aws:sim",
				     d->name);
	pthread_mutex_lock(&d->mu);
	st = d->bus->ops->fault(d->bus, f);
	pthread_mutex_unlock(&d->mu);
	return st;
}

const struct lf_backend_ops lf__aws_backend = {
    .name = "aws",
    .enumerate = aws_enumerate,
    .open = aws_open,
    .close = aws_close,
    .load_xclbin = aws_load_xclbin,
    .query = aws_query,
    .bo_alloc = lf__aws_bo_alloc,
    .bo_free = lf__aws_bo_free,
    .bo_map = lf__aws_bo_map,
    .bo_sync = lf__aws_bo_sync,
    .run_start = lf__aws_run_start,
    .run_wait = lf__aws_run_wait,
    .run_free = lf__aws_run_free,
    .cu_abort = lf__aws_cu_abort,
    .counters = aws_counters,
    .fault = aws_fault,
};
