/*
 * lf_csum.h - the transfer checksum (LF_KOP_CSUM, lf_desc.h): one formula
 * for the kernels (engine.c's csum op, HLS C, host C, OpenCL C) and the
 * host library (hostlib/exec/xfer.c), which computes it over the bytes it
 * uploaded or downloaded and compares it with the kernel's.
 *
 * The bytes of a range are taken beat by beat, aligned as in device
 * memory: beats floor(off / 64) .. ceil((off + len) / 64) - 1, the bytes
 * of those beats outside [off, off + len) read as 0. A beat is 32
 * little-endian 16-bit symbols x[k] (bytes 2k, 2k + 1). Per symbol lane
 * k, two 32-bit sums, modulo 2^32, Fletcher-style:
 *     s[k] += x[k];  t[k] += s[k];          (beat after beat)
 * so after B beats s[k] = sum_i x[i][k] and t[k] = sum_i (B - i) x[i][k].
 * The digest is four words (lf_csum_fold):
 *     D0 = sum_k s[k]          D1 = sum_k t[k]
 *     D2 = sum_k (k + 1) s[k]  D3 = sum_k (k + 1) t[k]      (mod 2^32)
 * In fabric a beat costs 64 32-bit adders (32 lanes, s and t), each with
 * one add in its loop-carried path (t's recurrence takes the s of the
 * cycle before through a register): II 1 at 64 bytes a cycle. By
 * arithmetic about 2,000 LUTs and 2,000 flip-flops a CU (a 32-bit adder
 * is about 32 LUTs on a carry chain) plus the first/last beat's byte
 * masks; not in make hw-budget and UNVERIFIED (no csynth here).
 *
 * What it detects (a change e = the bytes the card holds minus the bytes
 * the host has, as symbol differences d = x' - x, |d| < 2^16):
 *   - always: any change confined to one or two 16-bit symbols of the
 *     range, for ranges of at most 2^17 beats (8 MiB): every 1-bit and
 *     2-bit error, every burst of at most 17 bits, any change inside one
 *     aligned 32-bit word (the emulator's dma_corrupt fault, a byte XOR
 *     0xff, is one). Proof: one symbol, D0 changes by d != 0 (|d| < 2^16
 *     < 2^32). Two, d at (beat i, lane k) and d' at (i', k'): D0 needs
 *     d' = -d (|d + d'| < 2^17); then D2 changes by d (k - k'), nonzero
 *     for k != k' (|d (k - k')| < 2^21), and D1 by d (i' - i), nonzero
 *     unless 2^32 divides it, which needs 2^17 | (i' - i) (d has at most
 *     15 factors of 2).
 *   - not guaranteed, only likely: anything wider (a shifted or dropped
 *     run of bytes, stale or foreign data, many scattered flips). Such a
 *     change passes only if four weighted sums modulo 2^32 all come out
 *     equal; for changes that look random the chance is about 2^-128 (a
 *     heuristic, not a proof: the sums are linear, so some structured
 *     patterns cancel, e.g. d and -d in the same lane 2^17 beats apart).
 * A CRC would guarantee more (every burst up to its width, every odd
 * number of flips) at the cost of a 512-bit-wide XOR matrix per cycle; the
 * sums were chosen because their II 1 is plain adders, and the host's copy
 * is a loop gcc vectorises.
 */
#ifndef LF_CSUM_H
#define LF_CSUM_H

#include "lf_kernel.h"

#define LF_CSUM_LANES 32 /* 16-bit symbols a beat */
#define LF_CSUM_WORDS 4	 /* the digest */

/* Beat @b (64 bytes, those outside the range already 0) into the sums. */
LF_INLINE void lf_csum_beat(lf_u32 s[LF_CSUM_LANES], lf_u32 t[LF_CSUM_LANES],
			    const lf_u8 b[LF_BEAT_BYTES])
{
	/* Unrolled by HLS (a constant-bound loop in a pipelined caller);
	 * no pragma here: host code includes this header too. */
	for (lf_u32 k = 0; k < LF_CSUM_LANES; k++) {
		s[k] += (lf_u32)b[2 * k] | ((lf_u32)b[2 * k + 1] << 8);
		t[k] += s[k];
	}
}

/* Byte @j of a beat is in the range when @lo <= j < @hi (lo > 0 only in
 * its first beat, hi < 64 only in its last). */
LF_INLINE int lf_csum_keep(lf_u32 j, lf_u32 lo, lf_u32 hi)
{
	return j >= lo && j < hi;
}

/* Lane @k's sums into the digest @dg (zeroed before lane 0). */
LF_INLINE void lf_csum_fold(lf_u32 k, lf_u32 s, lf_u32 t,
			    lf_u32 dg[LF_CSUM_WORDS])
{
	dg[0] += s;
	dg[1] += t;
	dg[2] += (k + 1) * s;
	dg[3] += (k + 1) * t;
}

#endif /* LF_CSUM_H */
