/*
 * ocl_mem.c - buffers: a cl_mem in device memory plus a host view that
 * lf__bo_map() returns. As on a card, data moves only on sync: a blocking
 * clEnqueueWriteBuffer / clEnqueueReadBuffer of the range, with an offset,
 * on the device's transfer queue (OpenCL 1.2 section 5.2.2). Both flavours
 * use the same calls; on Xilinx's runtime they are DMA transfers.
 *
 * Banks: the Xilinx flavour places each buffer in its bank with
 * CL_MEM_EXT_PTR_XILINX (ocl_impl.h). The portable flavour has one pool of
 * global memory; its banks are the xclbin's, kept as accounting (a bank
 * holds at most its MEM_TOPOLOGY size), so planning and port checks behave
 * as on the card the xclbin describes.
 */
#include <stdlib.h>
#include <string.h>

#include "driver/opencl/ocl_impl.h"

/* The lowest bank the port (cu, arg) reaches, or UINT32_MAX. */
static uint32_t first_bank(const struct ocl_image *img, uint32_t cu,
			   uint32_t arg)
{
	for (uint32_t w = 0; w < LF_DRV_MAX_MEMS / 64; w++)
		if (img->reach[cu][arg][w])
			return w * 64 + (uint32_t)__builtin_ctzll(
					    img->reach[cu][arg][w]);
	return UINT32_MAX;
}

/*
 * Where XRT should put a buffer of bank @bank. Preferred: "by kernel and
 * argument index" (XRT's extension documentation, method 3) with the
 * kernel object of a CU whose port has @bank as its lowest bank, which is
 * where XRT places such a buffer. XRT 2.13's software emulation puts
 * buffers given "by memory bank index" (XCL_MEM_TOPOLOGY, method 2) in
 * bank 0 whatever the index, so that method is only the fallback, for a
 * bank no port reaches first.
 */
static void xilinx_placement(const struct ocl_image *img, uint32_t bank,
			     struct lf__cl_mem_ext_ptr *ext)
{
	memset(ext, 0, sizeof(*ext));
	for (uint32_t c = 0; c < img->ncus; c++) {
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++) {
			if (first_bank(img, c, a) == bank) {
				ext->flags = a;
				ext->param = img->cus[c].k;
				return;
			}
		}
	}
	ext->flags = bank | LF__XCL_MEM_TOPOLOGY;
}

lf_status lf__ocl_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out)
{
	struct ocl_dev *d = ocl_dev_of(dev);
	struct lf__cl_mem_ext_ptr ext;
	cl_mem_flags flags = CL_MEM_READ_WRITE;
	void *host_ptr = NULL;
	struct ocl_bank *b;
	struct ocl_bo *o;
	cl_int err = CL_SUCCESS;
	lf_status st;

	if (size > d->max_alloc)
		return lf__drv_error(LF_ERR_NO_DEVICE_MEMORY,
				     "opencl: a %llu-byte buffer exceeds the "
				     "largest allocation of '%s' (%llu bytes, "
				     "CL_DEVICE_MAX_MEM_ALLOC_SIZE)",
				     (unsigned long long)size, d->info.dev_name,
				     (unsigned long long)d->max_alloc);
	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: a %llu-byte host view does not "
				     "fit the host's address space",
				     (unsigned long long)size);
	pthread_mutex_lock(&d->mu);
	b = &d->banks[bank];
	if (b->size - b->used < size) {
		st = lf__drv_error(
		    LF_ERR_NO_DEVICE_MEMORY,
		    "opencl: bank %u '%s' is full: %llu of "
		    "%llu bytes free, %llu asked",
		    bank, b->tag, (unsigned long long)(b->size - b->used),
		    (unsigned long long)b->size, (unsigned long long)size);
		pthread_mutex_unlock(&d->mu);
		return st;
	}
	b->used += size; /* reserved; given back on failure */
	if (d->flavour == LF_OCL_XILINX && d->img && d->img->nbanks) {
		xilinx_placement(d->img, bank, &ext);
		flags |= LF__CL_MEM_EXT_PTR_XILINX;
		host_ptr = &ext;
	}
	pthread_mutex_unlock(&d->mu);

	o = calloc(1, sizeof(*o));
	if (o)
		o->host = calloc(1, (size_t)size);
	if (!o || !o->host) {
		st = lf__drv_error(LF_ERR_NO_MEMORY,
				   "opencl: out of host memory for a %llu-byte "
				   "host view",
				   (unsigned long long)size);
		goto fail;
	}
	o->mem =
	    lf__cl.clCreateBuffer(d->ctx, flags, (size_t)size, host_ptr, &err);
	if (!o->mem) {
		st = lf__ocl_fail(lf__ocl_status(err), "clCreateBuffer", err,
				  "%llu bytes in bank %u '%s'",
				  (unsigned long long)size, bank, b->tag);
		goto fail;
	}
	lf__ocl_obj_add(d, LF_OCL_MEM);
	pthread_mutex_lock(&d->mu);
	d->ctr.allocs++;
	d->ctr.live_bos++;
	d->ctr.live_bytes += size;
	pthread_mutex_unlock(&d->mu);
	*out = &o->base;
	return LF_OK;
fail:
	if (o)
		free(o->host);
	free(o);
	pthread_mutex_lock(&d->mu);
	b->used -= size;
	pthread_mutex_unlock(&d->mu);
	return st;
}

lf_status lf__ocl_bo_free(lf_bo *bo)
{
	struct ocl_dev *d = ocl_dev_of(bo->dev);
	struct ocl_bo *o = ocl_bo_of(bo);

	pthread_mutex_lock(&d->mu);
	lf__ocl_reap_locked(d);
	if (o->users) {
		pthread_mutex_unlock(&d->mu);
		return lf__drv_error(LF_ERR_BUSY,
				     "opencl: the buffer is an argument of %u "
				     "pending runs",
				     o->users);
	}
	d->banks[bo->bank].used -= bo->size;
	d->ctr.frees++;
	d->ctr.live_bos--;
	d->ctr.live_bytes -= bo->size;
	pthread_mutex_unlock(&d->mu);
	lf__ocl_release_mem(d, &o->mem);
	free(o->host);
	free(o);
	return LF_OK;
}

lf_status lf__ocl_bo_map(lf_bo *bo, void **host)
{
	*host = ocl_bo_of(bo)->host;
	return LF_OK;
}

lf_status lf__ocl_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset)
{
	struct ocl_dev *d = ocl_dev_of(bo->dev);
	struct ocl_bo *o = ocl_bo_of(bo);
	int h2d = dir == LF_SYNC_TO_DEVICE;
	cl_event ev = NULL;
	cl_int err;
	lf_status st;

	pthread_mutex_lock(&d->mu);
	lf__ocl_reap_locked(d);
	if (o->users) {
		pthread_mutex_unlock(&d->mu);
		return lf__drv_error(LF_ERR_BUSY,
				     "opencl: sync: the buffer is an argument "
				     "of %u pending runs",
				     o->users);
	}
	pthread_mutex_unlock(&d->mu);
	if (h2d)
		err = lf__cl.clEnqueueWriteBuffer(
		    d->dmaq, o->mem, CL_TRUE, (size_t)offset, (size_t)size,
		    o->host + offset, 0, NULL, &ev);
	else
		err = lf__cl.clEnqueueReadBuffer(
		    d->dmaq, o->mem, CL_TRUE, (size_t)offset, (size_t)size,
		    o->host + offset, 0, NULL, &ev);
	if (err != CL_SUCCESS) {
		st = lf__ocl_status(err);
		if (st != LF_ERR_NO_DEVICE_MEMORY && st != LF_ERR_NO_MEMORY)
			st = LF_ERR_DMA;
		pthread_mutex_lock(&d->mu);
		d->ctr.dma_errors++;
		pthread_mutex_unlock(&d->mu);
		return lf__ocl_fail(
		    st, h2d ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer",
		    err, "%llu bytes at offset %llu", (unsigned long long)size,
		    (unsigned long long)offset);
	}
	lf__ocl_obj_add(d, LF_OCL_EVENT);
	pthread_mutex_lock(&d->mu);
	if (h2d) {
		d->ctr.h2d_transfers++;
		d->ctr.h2d_bytes += size;
	} else {
		d->ctr.d2h_transfers++;
		d->ctr.d2h_bytes += size;
	}
	lf__ocl_tl_record(d, h2d ? LF_TL_H2D : LF_TL_D2H, UINT32_MAX, LF_OK,
			  offset, size, ev);
	pthread_mutex_unlock(&d->mu);
	lf__ocl_release_event(d, &ev);
	return LF_OK;
}

/* On the device: clEnqueueCopyBuffer on the transfer queue, waited for
 * (OpenCL 1.2 section 5.2.3); Xilinx's runtime uses the card's copy
 * engine where the shell has one. */
lf_status lf__ocl_bo_copy(lf_bo *dst, uint64_t dst_off, lf_bo *src,
			  uint64_t src_off, uint64_t size)
{
	struct ocl_dev *d = ocl_dev_of(dst->dev);
	struct ocl_bo *od = ocl_bo_of(dst), *os = ocl_bo_of(src);
	cl_event ev = NULL;
	cl_int err;

	pthread_mutex_lock(&d->mu);
	lf__ocl_reap_locked(d);
	if (od->users || os->users) {
		pthread_mutex_unlock(&d->mu);
		return lf__drv_error(LF_ERR_BUSY,
				     "opencl: copy: a buffer is an argument "
				     "of a pending run");
	}
	pthread_mutex_unlock(&d->mu);
	err = lf__cl.clEnqueueCopyBuffer(d->dmaq, os->mem, od->mem,
					 (size_t)src_off, (size_t)dst_off,
					 (size_t)size, 0, NULL, &ev);
	if (err == CL_SUCCESS) {
		lf__ocl_obj_add(d, LF_OCL_EVENT);
		err = lf__cl.clWaitForEvents(1, &ev);
		lf__ocl_release_event(d, &ev);
	}
	if (err != CL_SUCCESS) {
		lf_status st = lf__ocl_status(err);
		if (st != LF_ERR_NO_DEVICE_MEMORY && st != LF_ERR_NO_MEMORY)
			st = LF_ERR_DMA;
		return lf__ocl_fail(st, "clEnqueueCopyBuffer", err,
				    "%llu bytes", (unsigned long long)size);
	}
	pthread_mutex_lock(&d->mu);
	d->ctr.d2d_transfers++;
	d->ctr.d2d_bytes += size;
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}
