/*
 * xfer.c - transfers checked end to end (exec_impl.h, lf__xfer_checked).
 *
 * A DMA engine reports success for the bytes it delivered, right or not
 * (the emulator's dma_corrupt fault; aws-fpga's issues show DMA errors on
 * real F1/F2 hosts), and nothing on the card checks them. So every
 * transfer a result depends on is checked by the host: an upload is read
 * back and compared with what was sent, a download is read a second time
 * and compared with the first. The cost is one more D2H transfer of the
 * same bytes. Where the engine has the checksum op (LF_KOP_CSUM), a
 * model's run compares the kernel's digests of what it read and wrote
 * with lf__csum_range() of what the host sent and received instead
 * (model_exec.c): the same formula, hls/lf_csum.h.
 */
#include <string.h>

#include "hostlib/exec/exec_impl.h"
#include "lf_csum.h"

void lf__csum_range(const uint8_t *p, uint64_t off, uint64_t len,
		    uint32_t dg[4])
{
	lf_u32 s[LF_CSUM_LANES] = {0}, t[LF_CSUM_LANES] = {0};
	uint64_t b0 = off / LF_BEAT_BYTES, end = off + len;
	uint64_t nb = len ? (end + LF_BEAT_BYTES - 1) / LF_BEAT_BYTES - b0 : 0;
	for (uint64_t v = 0; v < nb; v++) {
		uint64_t a = (b0 + v) * LF_BEAT_BYTES;
		lf_u8 b[LF_BEAT_BYTES];
		/* The beat's bytes outside the range are 0, as the kernel
		 * masks them. */
		for (uint32_t j = 0; j < LF_BEAT_BYTES; j++)
			b[j] = a + j >= off && a + j < end ? p[a + j - off] : 0;
		lf_csum_beat(s, t, b);
	}
	for (uint32_t w = 0; w < LF_CSUM_WORDS; w++)
		dg[w] = 0;
	for (uint32_t k = 0; k < LF_CSUM_LANES; k++)
		lf_csum_fold(k, s[k], t[k], dg);
}

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
