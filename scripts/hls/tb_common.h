/*
 * tb_common.h - helpers shared by the vitis_hls C-simulation testbenches
 * (tb_conv2d.c, tb_matmul.c). Testbench code runs on the CPU only (vitis_hls
 * csim/cosim, or gcc via `make hls-tb`), so it may use libm; the kernels it
 * calls may not.
 *
 * The expected outputs are computed here by plain loops from the documented
 * formula (hls/lf_desc.h), independently of the kernels' tiling:
 *   acc = sum((x - x_zp) * (w - w_zp[c])) + bias[c]          int32, wrapping
 *   y   = clamp(round_half_even((float)acc * mult[c]) + y_zp, act_min, act_max)
 */
#ifndef TB_COMMON_H
#define TB_COMMON_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lf_config.h"
#include "lf_desc.h"

/* Buffers sized within the m_axi depth= the kernels declare for cosim. */
#define TB_PARAMS_BYTES 32768
#define TB_ACT_BYTES	32768
#define TB_GUARD	0xa5

struct tb_arena {
	lf_u8 *p;
	lf_u32 size, used;
};

/* Reserves n bytes, 64-byte aligned (an AXI beat); returns the offset. */
static lf_u32 tb_take(struct tb_arena *a, lf_u32 n)
{
	lf_u32 off = (a->used + 63u) & ~63u;
	if (off + n > a->size) {
		printf("tb: arena of %u bytes too small for %u more\n", a->size,
		       n);
		return 0;
	}
	a->used = off + n;
	return off;
}

static void tb_put_i32(lf_u8 *p, lf_u32 off, lf_i32 v)
{
	lf_u32 u = (lf_u32)v;
	p[off] = (lf_u8)u;
	p[off + 1] = (lf_u8)(u >> 8);
	p[off + 2] = (lf_u8)(u >> 16);
	p[off + 3] = (lf_u8)(u >> 24);
}

static lf_i32 tb_get_i32(const lf_u8 *p, lf_u32 off)
{
	return (lf_i32)((lf_u32)p[off] | ((lf_u32)p[off + 1] << 8) |
			((lf_u32)p[off + 2] << 16) |
			((lf_u32)p[off + 3] << 24));
}

static void tb_put_f32(lf_u8 *p, lf_u32 off, float f)
{
	lf_u32 u;
	memcpy(&u, &f, sizeof u);
	tb_put_i32(p, off, (lf_i32)u);
}

/* Deterministic xorshift64*: the same data on every run and platform. */
static lf_u64 tb_rng_state = 0x9e3779b97f4a7c15ull;

static lf_u32 tb_rand(void)
{
	lf_u64 x = tb_rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tb_rng_state = x;
	return (lf_u32)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static lf_i32 tb_range(lf_i32 lo, lf_i32 hi)
{
	return lo + (lf_i32)(tb_rand() % (lf_u32)(hi - lo + 1));
}

/* A random byte holding a value of the given type. */
static lf_u8 tb_rand_byte(lf_u32 type)
{
	return type == LF_KDT_U8 ? (lf_u8)tb_range(0, 255)
				 : (lf_u8)(lf_i8)tb_range(-128, 127);
}

/* Value of a stored 8-bit element. */
static lf_i32 tb_val(lf_u32 type, lf_u8 b)
{
	return type == LF_KDT_U8 ? (lf_i32)b : (lf_i32)(lf_i8)b;
}

/* The documented requantization, with libm rounding (half to even). */
static lf_i32 tb_requant(lf_i32 acc, float mult, lf_i32 y_zp, lf_i32 lo,
			 lf_i32 hi)
{
	float v = (float)acc * mult;
	if (v > 1e6f)
		v = 1e6f;
	if (v < -1e6f)
		v = -1e6f;
	lf_i32 q = (lf_i32)nearbyintf(v) + y_zp;
	return q < lo ? lo : (q > hi ? hi : q);
}

static void tb_desc_init(lf_desc *d, lf_u32 op)
{
	memset(d, 0, sizeof *d);
	d->magic = LF_DESC_MAGIC;
	d->op = op;
	d->status = LF_KST_PENDING;
}

/*
 * Compares n bytes of got against want; prints the first few differences.
 * Returns the number of differing bytes.
 */
static int tb_compare(const char *what, const lf_u8 *got, const lf_u8 *want,
		      lf_u32 n)
{
	int bad = 0;
	for (lf_u32 i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			if (bad < 8)
				printf(
				    "tb: %s: byte %u is 0x%02x, want 0x%02x\n",
				    what, i, got[i], want[i]);
			bad++;
		}
	}
	return bad;
}

/* Counts bytes of [off, end) that are no longer the guard pattern. */
static int tb_guard_broken(const lf_u8 *p, lf_u32 off, lf_u32 end)
{
	int bad = 0;
	for (lf_u32 i = off; i < end; i++)
		bad += p[i] != TB_GUARD;
	return bad;
}

#endif /* TB_COMMON_H */
