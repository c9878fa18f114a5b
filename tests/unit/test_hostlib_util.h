/*
 * test_hostlib_util.h - fixtures shared by the api, hostlib_ops and tiling
 * suites: emulation xclbins made for the tests, random quantized tensors,
 * and the CPU reference run directly (independently of hostlib's own
 * argument mapping) as the oracle.
 */
#ifndef LF_TEST_HOSTLIB_UTIL_H
#define LF_TEST_HOSTLIB_UTIL_H

#include <stdint.h>

#include "layerfab.h"
#include "lf_test.h"

/*
 * lft_xclbin() - path of a test bitstream: "default" (aws-f1, the limits
 * the kernels were built with) or "small" (the tiny platform with limits
 * far below the kernels' own, so ordinary layers need tiling: conv kmax
 * 288, input buffer 48 vectors, dim_max 20; matmul kmax 64, dim_max 20).
 * Built once per process with build/bin/lf-xclbin; NULL if that failed.
 */
const char *lft_xclbin(const char *which);

/* A context on the emulator with that bitstream (CU_FAIL and NULL). */
lf_context *lft_emu(const char *which);

/* Fill @n bytes with random values of dtype @t (8-bit) or small int32. */
void lft_fill(struct lf_rng *r, lf_dtype t, void *p, size_t n);

/* A conv2d description both the op and the oracle are built from. */
struct lft_conv {
	lf_dtype xt, wt, yt;
	int n, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
	int per_ch, bias;
	lf_activation act;
	float clip_min, clip_max;
	uint64_t seed;
};

struct lft_mm {
	lf_dtype xt, wt, yt;
	int batch, m, k, n, w_batch, per_ch, bias;
	lf_activation act;
	uint64_t seed;
};

/*
 * lft_conv_check() / lft_mm_check() - run the layer on @ctx and on the
 * reference; 1 when the bytes are identical (mismatches are printed).
 * @where receives the profile record's where ("device"/"cpu") if not
 * NULL.
 */
/* The lf_conv2d parameters case @c describes (struct_size set). */
struct lf_conv2d_params lft_conv_params(const struct lft_conv *c);
int lft_conv_check(lf_context *ctx, const struct lft_conv *c, char *where);
int lft_mm_check(lf_context *ctx, const struct lft_mm *c, char *where);

/* A random, valid conv/matmul drawn with @r (sizes kept small). */
void lft_conv_random(struct lf_rng *r, struct lft_conv *c);
void lft_mm_random(struct lf_rng *r, struct lft_mm *c);

#endif
