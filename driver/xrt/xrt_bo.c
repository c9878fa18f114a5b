/*
 * xrt_bo.c - buffers: xrtBOAlloc in the bank (XRT memory group) asked
 * for, mapped once (xrtBOMap), synced by range (xrtBOSync(bo, dir, size,
 * offset)).
 *
 * Like the emulator, a sync of a range that a pending run uses is
 * LF_ERR_BUSY (on a card the transfer would race the kernel), and a
 * buffer a pending run uses cannot be freed: the backend counts the
 * pending runs' pointer arguments per buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/xrt/xrt_impl.h"

lf_status lf__xrt_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out)
{
	struct xrt_dev *d = xdev(dev);
	struct lf__xrt_sigguard g;
	struct xrt_bo *b;
	lf_status st = lf__xrt_check_lost(d, "buffer allocation");
	int err;

	if (st != LF_OK)
		return st;
	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "xrt: a %llu-byte buffer does not fit the "
				     "host's address space",
				     (unsigned long long)size);
	b = calloc(1, sizeof(*b));
	if (!b)
		return lf__drv_error(LF_ERR_NO_MEMORY, "xrt: out of memory");
	b->min_off = UINT64_MAX;
	lf__xrt_sig_begin(d->emulation, &g);
	errno = 0;
	b->bh =
	    lf__xrt.xrtBOAlloc(d->dh, (size_t)size, XRT_BO_FLAGS_NONE, bank);
	err = errno;
	if (b->bh)
		b->host = lf__xrt.xrtBOMap(b->bh);
	if (b->bh && !b->host)
		lf__xrt.xrtBOFree(b->bh);
	lf__xrt_sig_end(&g);
	if (!b->bh || !b->host) {
		free(b);
		if ((st = lf__xrt_check_lost(d, "buffer allocation")) != LF_OK)
			return st;
		return lf__drv_error(err == ENOMEM || err == 0
					 ? LF_ERR_NO_DEVICE_MEMORY
					 : LF_ERR_DEVICE,
				     "xrt: %s: %llu bytes in bank %u: %s",
				     d->where, (unsigned long long)size, bank,
				     err ? strerror(err)
					 : "the bank has no room (or "
					   "the buffer could not be mapped)");
	}
	pthread_mutex_lock(&d->mu);
	d->ctr.allocs++;
	d->ctr.live_bos++;
	d->ctr.live_bytes += size;
	pthread_mutex_unlock(&d->mu);
	*out = &b->base;
	return LF_OK;
}

lf_status lf__xrt_bo_free(lf_bo *bo)
{
	struct xrt_dev *d = xdev(bo->dev);
	struct xrt_bo *b = xbo(bo);
	struct lf__xrt_sigguard g;
	uint32_t users;

	pthread_mutex_lock(&d->mu);
	users = d->lost ? 0 : b->users;
	if (!users) {
		d->ctr.frees++;
		d->ctr.live_bos--;
		d->ctr.live_bytes -= bo->size;
	}
	pthread_mutex_unlock(&d->mu);
	if (users)
		return lf__drv_error(LF_ERR_BUSY,
				     "xrt: the buffer is used by %u arguments "
				     "of pending runs; wait for them before "
				     "freeing it",
				     users);
	lf__xrt_sig_begin(d->emulation, &g);
	lf__xrt.xrtBOFree(b->bh);
	lf__xrt_sig_end(&g);
	free(b);
	return LF_OK;
}

lf_status lf__xrt_bo_map(lf_bo *bo, void **host)
{
	struct xrt_dev *d = xdev(bo->dev);
	lf_status st = lf__xrt_check_lost(d, "map");

	if (st == LF_OK)
		*host = xbo(bo)->host;
	return st;
}

lf_status lf__xrt_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset)
{
	struct xrt_dev *d = xdev(bo->dev);
	struct xrt_bo *b = xbo(bo);
	struct lf__xrt_sigguard g;
	int h2d = dir == LF_SYNC_TO_DEVICE, rc, err, busy;
	lf_status st = lf__xrt_check_lost(d, h2d ? "H2D sync" : "D2H sync");

	if (st != LF_OK)
		return st;
	pthread_mutex_lock(&d->mu);
	busy = b->users && offset + size > b->min_off;
	pthread_mutex_unlock(&d->mu);
	if (busy)
		return lf__drv_error(LF_ERR_BUSY,
				     "xrt: %s of bytes [%llu, %llu): a pending "
				     "run uses them; wait for it first",
				     h2d ? "H2D" : "D2H",
				     (unsigned long long)offset,
				     (unsigned long long)(offset + size));
	lf__xrt_sig_begin(d->emulation, &g);
	errno = 0;
	rc = lf__xrt.xrtBOSync(
	    b->bh, h2d ? XCL_BO_SYNC_BO_TO_DEVICE : XCL_BO_SYNC_BO_FROM_DEVICE,
	    (size_t)size, (size_t)offset);
	err = errno;
	lf__xrt_sig_end(&g);
	/* The device may have died during the copy: what came back is not
	 * data. */
	if ((st = lf__xrt_check_lost(d, h2d ? "H2D sync" : "D2H sync")) !=
	    LF_OK)
		return st;
	pthread_mutex_lock(&d->mu);
	if (rc != 0)
		d->ctr.dma_errors++;
	else if (h2d)
		d->ctr.h2d_transfers++, d->ctr.h2d_bytes += size;
	else
		d->ctr.d2h_transfers++, d->ctr.d2h_bytes += size;
	pthread_mutex_unlock(&d->mu);
	if (rc != 0)
		return lf__drv_error(
		    LF_ERR_DMA,
		    "xrt: %s: xrtBOSync(%s, %llu bytes at "
		    "%llu) failed: %s",
		    d->where, h2d ? "TO_DEVICE" : "FROM_DEVICE",
		    (unsigned long long)size, (unsigned long long)offset,
		    err ? strerror(err) : "error");
	return LF_OK;
}
