/*
 * xfer.c - transfers checked end to end (exec_impl.h, lf__xfer_checked).
 *
 * A DMA engine reports success for the bytes it delivered, right or not
 * (the emulator's dma_corrupt fault; aws-fpga's issues show DMA errors on
 * real F1/F2 hosts), and nothing on the card checks them. So every
 * transfer a result depends on is checked by the host: an upload is read
 * back and compared with what was sent, a download is read a second time
 * and compared with the first. The cost is one more D2H transfer of the
 * same bytes; a checksum the kernels computed over what they read and
 * wrote would cut it to a few bytes, but no kernel computes one yet.
 */
#include <string.h>

#include "hostlib/exec/exec_impl.h"

lf_status lf__xfer_checked(lf_bo *bo, uint8_t *host, enum lf_sync_dir dir,
			   uint64_t off, uint64_t size, uint8_t *scratch,
			   unsigned n[2], uint64_t *bad)
{
	uint8_t *h = host + off;
	*bad = size;
	if (!size)
		return LF_OK;
	lf_status st = lf__bo_sync(bo, dir, size, off);
	if (st)
		return st;
	n[dir == LF_SYNC_TO_DEVICE ? 0 : 1]++;
	memcpy(scratch, h, size);
	st = lf__bo_sync(bo, LF_SYNC_FROM_DEVICE, size, off);
	if (st)
		return st;
	n[1]++;
	if (memcmp(h, scratch, size) == 0)
		return LF_OK;
	uint64_t i = 0;
	while (i < size && h[i] == scratch[i])
		i++;
	/* An upload's host view keeps what was sent. */
	memcpy(h, scratch, size);
	*bad = i;
	return LF_ERR_DMA;
}
