/*
 * csum_ref.h - the transfer checksum (hls/lf_csum.h) written out from its
 * definition for the tests, not from its code: each byte adds its value
 * at its place (symbol k = (a mod 64) / 2 of beat i, shifted by 8 when it
 * is a symbol's high byte) to s[k], and B - i times that to t[k] (no
 * running sums); then the four weighted sums of the digest.
 */
#ifndef LF_TEST_CSUM_REF_H
#define LF_TEST_CSUM_REF_H

#include <stdint.h>

static inline void csum_ref(const uint8_t *act, uint32_t off, uint32_t len,
			    uint32_t dg[4])
{
	uint32_t s[32] = {0}, t[32] = {0};
	uint64_t end = (uint64_t)off + len;
	uint32_t b0 = off / 64;
	uint32_t nb = len ? (uint32_t)((end + 63) / 64) - b0 : 0;
	for (uint64_t a = off; a < end; a++) {
		uint32_t i = (uint32_t)(a / 64) - b0,
			 k = (uint32_t)(a % 64) / 2;
		uint32_t x = (uint32_t)act[a] << (8 * (a % 2));
		s[k] += x;
		t[k] += (nb - i) * x;
	}
	dg[0] = dg[1] = dg[2] = dg[3] = 0;
	for (uint32_t k = 0; k < 32; k++) {
		dg[0] += s[k];
		dg[1] += t[k];
		dg[2] += (k + 1) * s[k];
		dg[3] += (k + 1) * t[k];
	}
}

#endif
