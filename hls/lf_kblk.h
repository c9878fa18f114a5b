/*
 * lf_kblk.h - the blocked layout (lf_desc.h "Blocked layout", LF_DF_BLK)
 * as the pooling and add datapaths see it: one beat of the act port is
 * the 64 channels (LF_BLK_LANES) of one pixel, beat index = byte offset /
 * 64, read and written whole with lf_beat_rd / lf_beat_wr (lf_kernel.h).
 */
#ifndef LF_KBLK_H
#define LF_KBLK_H

#include "lf_desc.h"

#if LF_BLK_LANES != LF_BEAT_BYTES
#error "the blocked layout needs a beat of LF_BLK_LANES bytes"
#endif

/* Channel blocks of c channels: ceil(c / 64). */
LF_INLINE lf_u32 lfk_blk_cb(lf_u32 c)
{
	return (c + LF_BLK_LANES - 1) / LF_BLK_LANES;
}

#endif /* LF_KBLK_H */
