/*
 * aws_mem.c - card memory: the backend allocates it itself (first fit per
 * bank, page aligned; the HDK has no memory manager on the card) and moves
 * data through the PCIS window of BAR4.
 *
 * Which path each transfer takes: host -> card (sync TO_DEVICE) is a
 * stream of posted writes into BAR4, write-combined where the kernel
 * offers resource4_wc; card -> host (sync FROM_DEVICE) is BAR4 reads,
 * each a non-posted PCIe read the CPU waits for: slow (README.md). Every
 * transfer ends with a read of the CL's status page, which both flushes
 * the posted writes and tells a completed transfer from one the shell
 * timed out (the page then reads all-ones, as every PCIS read does after
 * a timeout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/aws/aws_impl.h"

static uint64_t align_up(uint64_t v)
{
	return (v + AWS_ALIGN - 1) & ~(uint64_t)(AWS_ALIGN - 1);
}

lf_status lf__aws_heap_alloc(struct aws_heap *h, uint64_t size, uint64_t *addr)
{
	uint64_t span, cand = h->base, end = h->base + h->size;
	uint32_t i;

	if (size > UINT64_MAX - AWS_ALIGN)
		return lf__drv_error(LF_ERR_OVERFLOW,
				     "aws: buffer size %llu overflows",
				     (unsigned long long)size);
	span = align_up(size);
	for (i = 0; i < h->n; i++) {
		if (h->used[i].addr - cand >= span)
			break;
		cand = h->used[i].addr + h->used[i].span;
	}
	if (cand > end || span > end - cand)
		return lf__drv_error(LF_ERR_NO_DEVICE_MEMORY,
				     "aws: no free range of %llu bytes in the "
				     "bank at 0x%llx (%llu bytes, %u buffers)",
				     (unsigned long long)span,
				     (unsigned long long)h->base,
				     (unsigned long long)h->size, h->n);
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		struct aws_block *u;

		if (h->cap > UINT32_MAX / 2)
			return lf__drv_error(LF_ERR_NO_MEMORY,
					     "aws: too many buffers");
		u = realloc(h->used, (size_t)cap * sizeof(*u));
		if (!u)
			return lf__drv_error(LF_ERR_NO_MEMORY,
					     "aws: out of host memory");
		h->used = u;
		h->cap = cap;
	}
	memmove(&h->used[i + 1], &h->used[i],
		(size_t)(h->n - i) * sizeof(*h->used));
	h->used[i].addr = cand;
	h->used[i].span = span;
	h->n++;
	*addr = cand;
	return LF_OK;
}

void lf__aws_heap_free(struct aws_heap *h, uint64_t addr)
{
	for (uint32_t i = 0; i < h->n; i++) {
		if (h->used[i].addr != addr)
			continue;
		memmove(&h->used[i], &h->used[i + 1],
			(size_t)(h->n - i - 1) * sizeof(*h->used));
		h->n--;
		return;
	}
}

void lf__aws_heap_fini(struct aws_heap *h)
{
	free(h->used);
	memset(h, 0, sizeof(*h));
}

lf_status lf__aws_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out)
{
	struct aws_dev *d = lf__aws_dev(dev);
	struct aws_bo *b;
	lf_status st;

	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: a %llu-byte host view does not fit "
				     "the host's address space",
				     (unsigned long long)size);
	b = calloc(1, sizeof(*b));
	if (!b)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	b->host = calloc(1, (size_t)size);
	if (!b->host) {
		free(b);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory for a %llu-byte "
				     "host view",
				     (unsigned long long)size);
	}
	pthread_mutex_lock(&d->mu);
	if (d->lost)
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "aws: %s: allocation: the device was lost",
				   d->name);
	else if (!d->xb || bank >= d->xb->nmems || d->heaps[bank].size == 0)
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "aws: bank %u does not exist or holds no "
				   "buffers",
				   bank);
	else
		st = lf__aws_heap_alloc(&d->heaps[bank], size, &b->addr);
	if (st == LF_OK) {
		d->ctr.allocs++;
		d->ctr.live_bos++;
		d->ctr.live_bytes += size;
	}
	pthread_mutex_unlock(&d->mu);
	if (st != LF_OK) {
		free(b->host);
		free(b);
		return st;
	}
	*out = &b->base;
	return LF_OK;
}

lf_status lf__aws_bo_free(lf_bo *bo)
{
	struct aws_dev *d = lf__aws_dev(bo->dev);
	struct aws_bo *b = lf__aws_bo(bo);

	pthread_mutex_lock(&d->mu);
	if (b->users && !d->lost) {
		pthread_mutex_unlock(&d->mu);
		return lf__drv_error(LF_ERR_BUSY,
				     "aws: buffer at 0x%llx is used by %u "
				     "arguments of pending runs",
				     (unsigned long long)b->addr, b->users);
	}
	if (d->xb && bo->bank < d->xb->nmems)
		lf__aws_heap_free(&d->heaps[bo->bank], b->addr);
	d->ctr.frees++;
	d->ctr.live_bos--;
	d->ctr.live_bytes -= bo->size;
	pthread_mutex_unlock(&d->mu);
	free(b->host);
	free(b);
	return LF_OK;
}

lf_status lf__aws_bo_map(lf_bo *bo, void **host)
{
	struct aws_dev *d = lf__aws_dev(bo->dev);
	int lost;

	pthread_mutex_lock(&d->mu);
	lost = d->lost;
	pthread_mutex_unlock(&d->mu);
	if (lost)
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "aws: %s: map: the device was lost",
				     d->name);
	*host = lf__aws_bo(bo)->host;
	return LF_OK;
}

lf_status lf__aws_pcis_check(struct aws_dev *d, const char *what)
{
	uint32_t v = 0;

	d->bus->ops->pcis_read(d->bus, AWS_PCIS_STATUS, &v, sizeof(v));
	if (v == AWS_CL_MAGIC)
		return LF_OK;
	d->ctr.dma_errors++;
	return lf__drv_error(
	    LF_ERR_DMA,
	    "aws: %s: %s failed: the CL's PCIS status page reads 0x%08x "
	    "instead of 0x%08x, so the shell timed out a PCIS transaction "
	    "(8 us limit; reads then return all-ones, writes are dropped). "
	    "The data is not valid; if it persists, reload the AFI "
	    "(`fpga-load-local-image -F`)",
	    d->name, what, v, AWS_CL_MAGIC);
}

lf_status lf__aws_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset)
{
	struct aws_dev *d = lf__aws_dev(bo->dev);
	struct aws_bo *b = lf__aws_bo(bo);
	int h2d = dir == LF_SYNC_TO_DEVICE;
	char what[96];
	lf_status st;

	pthread_mutex_lock(&d->mu);
	if (d->lost) {
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "aws: %s: transfer: the device was lost",
				   d->name);
		goto out;
	}
	if (lf__aws_bo_in_use(d, b, offset, size)) {
		/* The CL would race the kernel; the emulator refuses the
		 * same (lf__emu_dma). */
		st = lf__drv_error(LF_ERR_BUSY,
				   "aws: transfer into the buffer at 0x%llx "
				   "while a pending run uses it; wait first",
				   (unsigned long long)b->addr);
		goto out;
	}
	if (h2d)
		d->bus->ops->pcis_write(d->bus, b->addr + offset,
					b->host + offset, size);
	else
		d->bus->ops->pcis_read(d->bus, b->addr + offset,
				       b->host + offset, size);
	snprintf(what, sizeof(what), "%s of %llu bytes at PCIS 0x%llx",
		 h2d ? "BAR4 write" : "BAR4 read", (unsigned long long)size,
		 (unsigned long long)(b->addr + offset));
	st = lf__aws_pcis_check(d, what);
	if (st != LF_OK)
		goto out;
	if (h2d) {
		d->ctr.h2d_transfers++;
		d->ctr.h2d_bytes += size;
	} else {
		d->ctr.d2h_transfers++;
		d->ctr.d2h_bytes += size;
	}
out:
	pthread_mutex_unlock(&d->mu);
	return st;
}
