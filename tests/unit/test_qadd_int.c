/*
 * test_qadd_int.c - the add's integer formula (hls/lf_kadd.h
 * lfk_qadd_add: a per-descriptor table of the inner fma as fixed point,
 * then integers only) against ORT's float formula, written here on its
 * own: y = rint(fmaf(P, rP, fmaf(Q, rQ, C1))) as ORT's MLAS computes it,
 * cast as cvtss2si does (NaN and |v| >= 2^31: INT32_MIN), saturated to
 * the type, then clamped to the activation range.
 *
 * Every (x, x2) pair of the type (65,536) for each coefficient set:
 *   - random scales log-uniform over 2^-40 .. 2^40 (ratios up to 2^80
 *     either way: rP >= 2^24 takes lf_kadd.h's step 7), over the range
 *     real models use, and at the extremes (denormal, FLT_MAX: rP = +inf or 0,
 *     C1 or T infinite or NaN);
 *   - ties: rP a power of two (or three times one) down to 2^-30 and rQ a
 *     half or a quarter, so P * rP + T falls exactly on half-integers and
 *     on the ends of their float32 rounding intervals (h +- half an ulp)
 *     and one 2^-30 either side;
 *   - both types, swap, zero points at the type's ends and random,
 *     activation clamps (none, ReLU at y_zp, random).
 * The suite counts the pairs where rounding X to float32 changes rint's
 * answer (the reference's own v against X computed exactly in double
 * where that is exact) and requires many: a formula that skipped the
 * float32 rounding step would fail on them.
 * On a CPU with AVX2 and FMA3 every set also runs the emulator's vector
 * add (lfk_qadd_host_avx2) over the same pairs against lfk_qadd_add.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The kernel header as the kernels build it (KERNEL_CFLAGS allow HLS
 * pragmas and loop labels). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"
#include "lf_kadd.h"
#pragma GCC diagnostic pop
#include "lf_test.h"

/* ORT's formula (MlasQLinearAddKernelAvx2Helper), independent of lf_kadd.h. */
struct ref_add {
	float rp, rq, fixed;
	int32_t tmin, tmax, amin, amax;
};

static void ref_init(struct ref_add *r, int t, int swap, float sx, int32_t zx,
		     float sx2, int32_t zx2, float sy, int32_t zy, int32_t amin,
		     int32_t amax)
{
	float ra = sx / sy, rb = sx2 / sy;
	r->rp = swap ? rb : ra;
	r->rq = swap ? ra : rb;
	float zp = (float)(swap ? zx2 : zx), zq = (float)(swap ? zx : zx2);
	float tq = r->rq * zq;
	r->fixed = (float)zy - fmaf(r->rp, zp, tq);
	r->tmin = t == LF_KDT_U8 ? 0 : -128;
	r->tmax = t == LF_KDT_U8 ? 255 : 127;
	r->amin = amin;
	r->amax = amax;
}

/* The float before rounding to an integer. */
static float ref_v(const struct ref_add *r, int32_t p, int32_t q)
{
	return fmaf((float)p, r->rp, fmaf((float)q, r->rq, r->fixed));
}

static int32_t ref_y(const struct ref_add *r, float v)
{
	float n = nearbyintf(v);
	int32_t y =
	    n >= -2147483648.0f && n < 2147483648.0f ? (int32_t)n : INT32_MIN;
	y = y < r->tmin ? r->tmin : y > r->tmax ? r->tmax : y;
	return y < r->amin ? r->amin : y > r->amax ? r->amax : y;
}

static float log_uniform(struct lf_rng *g, double lo2, double hi2)
{
	double u = (double)lf_rng_u32(g) / 4294967296.0;
	return (float)exp2(lo2 + u * (hi2 - lo2));
}

static int32_t pick_zp(struct lf_rng *g, int32_t lo, int32_t hi)
{
	switch (lf_rng_range(g, 0, 3)) {
	case 0:
		return lo;
	case 1:
		return hi;
	default:
		return lf_rng_range(g, lo, hi);
	}
}

struct tally {
	uint64_t sets, pairs, big_rp, bad, rounding_matters, half_ties;
	uint64_t vec_sets, vec_bad;
};

#if defined(__x86_64__)
/*
 * The host build's AVX2 add (lf_kadd.h lfk_qadd_host_avx2, the emulator's
 * path) against lfk_qadd_add, the scalar formula this suite proves
 * against the reference: every (x, x2) pair as 1,024 beats of 64 lanes
 * (beat 4 a + c, lane j: x = a, x2 = lo + 64 c + j), once with x2's
 * beats and once with x2 as the broadcast values bq (4 calls of 256
 * beats), in place over x2 and over x as the callers run it. Returns the
 * mismatching bytes; -1 if the CPU lacks AVX2 or FMA3.
 */
static int64_t check_vec(const struct lfk_qadd *q, int t)
{
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return -1;
	static lf_u8 x[1024][LF_BLK_LANES], x2[1024][LF_BLK_LANES];
	static lf_u8 y[1024][LF_BLK_LANES], want[1024][LF_BLK_LANES];
	int32_t lo = t == LF_KDT_U8 ? 0 : -128;
	for (int a = 0; a < 256; a++)
		for (int c = 0; c < 4; c++)
			for (int j = 0; j < LF_BLK_LANES; j++) {
				int v = 4 * a + c, b = lo + 64 * c + j;
				x[v][j] = lfk_byte(lo + a);
				x2[v][j] = lfk_byte(b);
				want[v][j] = lfk_byte(
				    lfk_qadd_add(q, (lf_u32)j, lo + a, b));
			}
	int64_t bad = 0;
	/* x2's beats, y apart, then in place over x2 */
	lfk_qadd_host_avx2(q, 1024, (const lf_u8(*)[LF_BLK_LANES])x,
			   (const lf_u8(*)[LF_BLK_LANES])x2, NULL, y);
	bad += memcmp(y, want, sizeof(y)) != 0;
	lfk_qadd_host_avx2(q, 1024, (const lf_u8(*)[LF_BLK_LANES])x,
			   (const lf_u8(*)[LF_BLK_LANES])x2, NULL, x2);
	for (int v = 0; v < 1024; v++)
		for (int j = 0; j < LF_BLK_LANES; j++)
			bad += x2[v][j] != want[v][j];
	/* x2 as values (add.c's broadcast), in place over x */
	for (int c = 0; c < 4; c++) {
		static lf_u8 xc[256][LF_BLK_LANES];
		lf_i32 bq[LF_BLK_LANES];
		for (int j = 0; j < LF_BLK_LANES; j++)
			bq[j] = lo + 64 * c + j;
		for (int a = 0; a < 256; a++)
			memcpy(xc[a], x[4 * a + c], LF_BLK_LANES);
		lfk_qadd_host_avx2(q, 256, (const lf_u8(*)[LF_BLK_LANES])xc,
				   NULL, bq, xc);
		for (int a = 0; a < 256; a++)
			for (int j = 0; j < LF_BLK_LANES; j++)
				bad += xc[a][j] != want[4 * a + c][j];
	}
	return bad;
}
#endif

/* One coefficient set, every pair; returns the mismatches. */
static uint64_t check_set(struct tally *ty, int t, int swap, float sx,
			  int32_t zx, float sx2, int32_t zx2, float sy,
			  int32_t zy, int32_t amin, int32_t amax)
{
	float rp = (swap ? sx2 : sx) / sy;
	ty->big_rp += rp >= 0x1p24f;
	static struct lfk_qadd q; /* 4 KiB of table */
	struct ref_add r;
	lfk_qadd_init(&q, 0, (lf_u32)swap, (lf_u32)t, sx, zx, sx2, zx2, sy, zy,
		      amin, amax);
	lfk_qadd_tab(&q);
	ref_init(&r, t, swap, sx, zx, sx2, zx2, sy, zy, amin, amax);
	int32_t lo = r.tmin;
	uint64_t bad = 0;
	for (int32_t a = lo; a < lo + 256; a++) {
		for (int32_t b = lo; b < lo + 256; b++) {
			int32_t p = swap ? b : a, qq = swap ? a : b;
			float v = ref_v(&r, p, qq);
			int32_t want = ref_y(&r, v);
			int32_t got =
			    lfk_qadd_one(&q, (lf_u32)(a * 3 + b) % 64, a, b);
			if (got != want) {
				if (bad < 3)
					fprintf(stderr,
						"qadd t=%d swap=%d sx=%a zx=%d "
						"sx2=%a zx2=%d sy=%a zy=%d "
						"[%d,%d] x=%d x2=%d: got %d "
						"want %d (v=%a)\n",
						t, swap, (double)sx, zx,
						(double)sx2, zx2, (double)sy,
						zy, amin, amax, a, b, got, want,
						(double)v);
				bad++;
			}
			/* X exactly in double where it is exact: the inner
			 * T is a float, P * rP needs 33 bits. */
			float tv = fmaf((float)qq, r.rq, r.fixed);
			double x = (double)p * (double)r.rp + (double)tv;
			if (isfinite(x) && fabs(x) < 1024.0 &&
			    x - (double)p * (double)r.rp == (double)tv &&
			    nearbyint(x) != (double)nearbyintf(v))
				ty->rounding_matters++;
			if (isfinite(v) && fabsf(v) < 1024.0f &&
			    v - floorf(v) == 0.5f)
				ty->half_ties++;
		}
	}
	ty->sets++;
	ty->pairs += 65536;
	ty->bad += bad;
#if defined(__x86_64__)
	int64_t vb = check_vec(&q, t);
	if (vb > 0 && ty->vec_bad == 0)
		fprintf(stderr,
			"qadd avx2 t=%d swap=%d sx=%a zx=%d sx2=%a zx2=%d "
			"sy=%a zy=%d: %lld bytes differ from lfk_qadd_add\n",
			t, swap, (double)sx, zx, (double)sx2, zx2, (double)sy,
			zy, (long long)vb);
	if (vb >= 0) {
		ty->vec_sets++;
		ty->vec_bad += (uint64_t)vb;
	}
	bad += vb > 0 ? (uint64_t)vb : 0;
#endif
	return bad;
}

/* The AVX2 path's share of a tally: every set on a CPU with AVX2 + FMA3. */
static void vec_report(const struct tally *ty)
{
	printf("\n  qadd avx2 (lfk_qadd_host_avx2 vs lfk_qadd_add): %llu of "
	       "%llu sets, %llu bytes differ",
	       (unsigned long long)ty->vec_sets, (unsigned long long)ty->sets,
	       (unsigned long long)ty->vec_bad);
	CU_ASSERT_EQUAL(ty->vec_bad, 0);
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		CU_ASSERT_EQUAL(ty->vec_sets, ty->sets);
#endif
}

/* A random clamp: none, ReLU at y_zp, or a random range holding y_zp. */
static void pick_clamp(struct lf_rng *g, int t, int32_t zy, int32_t *amin,
		       int32_t *amax)
{
	int32_t lo = t == LF_KDT_U8 ? 0 : -128, hi = lo + 255;
	switch (lf_rng_range(g, 0, 2)) {
	case 0:
		*amin = lo;
		*amax = hi;
		break;
	case 1:
		*amin = zy;
		*amax = hi;
		break;
	default:
		*amin = lf_rng_range(g, lo, zy);
		*amax = lf_rng_range(g, zy, hi);
	}
}

/* Random scales over 2^-40 .. 2^40 and over the usual range. */
static void test_random_sets(void)
{
	struct lf_rng g;
	struct tally ty = {0};
	lf_rng_seed(&g, 0x9add1);
	int n = lf_test_slow_mode() ? 40 : 400;
	for (int i = 0; i < n; i++) {
		int t = i & 1 ? LF_KDT_I8 : LF_KDT_U8;
		int swap = (i >> 1) & 1;
		int32_t lo = t == LF_KDT_U8 ? 0 : -128, hi = lo + 255;
		float s[3];
		for (int j = 0; j < 3; j++)
			s[j] = i % 4 < 2 ? log_uniform(&g, -40.0, 40.0)
					 : log_uniform(&g, -14.0, 3.0);
		int32_t zx = pick_zp(&g, lo, hi), zx2 = pick_zp(&g, lo, hi);
		int32_t zy = pick_zp(&g, lo, hi), amin, amax;
		pick_clamp(&g, t, zy, &amin, &amax);
		CU_ASSERT_EQUAL(check_set(&ty, t, swap, s[0], zx, s[1], zx2,
					  s[2], zy, amin, amax),
				0);
	}
	printf("\n  qadd random: %llu sets x 65536 pairs, %llu mismatches, "
	       "%llu with rP >= 2^24, %llu pairs where float32 "
	       "rounding decides, %llu exact .5 ties\n",
	       (unsigned long long)ty.sets, (unsigned long long)ty.bad,
	       (unsigned long long)ty.big_rp,
	       (unsigned long long)ty.rounding_matters,
	       (unsigned long long)ty.half_ties);
	vec_report(&ty);
	CU_ASSERT(ty.big_rp > (uint64_t)n / 20);
}

/*
 * Ties and rounding-interval ends: rP = m * 2^-j (m 1 or 3, j 0 .. 30),
 * rQ a half, a quarter or 1.5, sy 1: T = Q * rQ + C1 lands on multiples
 * of 1/4 and P * rP on multiples of 2^-j, so X hits k + 1/2 exactly and
 * h +- 2^(E - 24) exactly (the ends, included) and just past them.
 */
static void test_tie_sets(void)
{
	struct lf_rng g;
	struct tally ty = {0};
	lf_rng_seed(&g, 0x71e5);
	static const float rqs[] = {0.5f, 0.25f, 1.5f, 0.75f};
	for (int j = 0; j <= 30; j++) {
		for (int m = 1; m <= 3; m += 2) {
			int t = (j + m) & 1 ? LF_KDT_I8 : LF_KDT_U8;
			int swap = (j >> 1) & 1;
			int32_t lo = t == LF_KDT_U8 ? 0 : -128, hi = lo + 255;
			float rp = (float)ldexp(m, -j);
			float rq = rqs[lf_rng_range(&g, 0, 3)];
			int32_t zx = j % 3 ? pick_zp(&g, lo, hi) : 0;
			int32_t zx2 = pick_zp(&g, lo, hi);
			int32_t zy = pick_zp(&g, lo, hi), amin, amax;
			pick_clamp(&g, t, zy, &amin, &amax);
			/* sy 1: the ratios are the scales themselves */
			float sx = swap ? rq : rp, sx2 = swap ? rp : rq;
			CU_ASSERT_EQUAL(check_set(&ty, t, swap, sx, zx, sx2,
						  zx2, 1.0f, zy, amin, amax),
					0);
			/* and one float32 step either side of rP */
			float rp2 = nextafterf(rp, j & 1 ? 0.0f : 1e9f);
			sx = swap ? rq : rp2;
			sx2 = swap ? rp2 : rq;
			CU_ASSERT_EQUAL(check_set(&ty, t, swap, sx, zx, sx2,
						  zx2, 1.0f, zy, amin, amax),
					0);
		}
	}
	printf("\n  qadd ties: %llu sets x 65536 pairs, %llu mismatches, "
	       "%llu pairs where float32 rounding decides, %llu exact .5 "
	       "ties\n",
	       (unsigned long long)ty.sets, (unsigned long long)ty.bad,
	       (unsigned long long)ty.rounding_matters,
	       (unsigned long long)ty.half_ties);
	vec_report(&ty);
	/* The sets must reach the cases the integer path handles apart:
	 * exact ties (rint's half-even) and sums whose float32 rounding
	 * moves them onto a half-integer. */
	CU_ASSERT(ty.half_ties > 10000);
	CU_ASSERT(ty.rounding_matters > 1000);
}

/*
 * The ends of a rounding interval hit exactly by P * rP, with a T below
 * 2^-64 either side: X = h + uhi + T. h + 2^(E - 24) = N * 2^(E - 24)
 * with N = (2k + 1) 2^(23 - E) + 1 is no float32, but P * rP is when an
 * odd P divides N with N / P < 2^24: rP = N / P * 2^(E - 24), sy 1. T =
 * Q * 2^-70 (C1 = 0: zero points 0), so Q = +-1 puts X just past or just
 * inside the end; only the sticky bit tells them apart. The same below
 * h (N - 1 - 1). And the saturation edge: X = 2^31 - 64 + j (rP =
 * 2^24 - 64 + j, rQ = 2^24, P = 1, Q = 127) rounds to 2^31 (lo) for j >= 0.
 */
static void test_boundary_sets(void)
{
	struct tally ty = {0};
	int found = 0;
	for (int32_t k = -130; k <= 256; k++) {
		if (k == 0 || k == -1)
			continue; /* h = +-0.5: by the tie sets */
		uint32_t m = (uint32_t)(k >= 0 ? k : -k - 1);
		int e = 0;
		while ((m >> (e + 1)) != 0)
			e++;
		for (int side = -1; side <= 1; side += 2) {
			uint64_t n =
			    (uint64_t)(2 * (int64_t)(k >= 0 ? k : -k - 1) + 1)
			    << (23 - e);
			n = side > 0 ? n + 1 : n - 1;
			for (uint32_t p = 3; p < 128; p += 2) {
				if (n % p || n / p >= (1u << 24))
					continue;
				float rp =
				    (float)ldexp((double)(n / p), e - 24);
				int t = k < 0 ? LF_KDT_I8 : LF_KDT_U8;
				int32_t lo = t == LF_KDT_U8 ? 0 : -128;
				/* P = p for k >= 0, -p for k < 0 (i8) */
				CU_ASSERT_EQUAL(check_set(&ty, t, 0, rp, 0,
							  0x1p-70f, 0, 1.0f, 0,
							  lo, lo + 255),
						0);
				found++;
				break;
			}
		}
	}
	for (int j = -2; j <= 2; j++) {
		CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_U8, 0,
					  16777152.0f + (float)j, 0, 0x1p24f, 0,
					  1.0f, 0, 0, 255),
				0);
		CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_I8, 1, 0x1p24f, 0,
					  16777152.0f + (float)j, 0, 1.0f, 0,
					  -128, 127),
				0);
	}
	printf("\n  qadd interval ends: %d constructed (of %d), %llu sets x "
	       "65536 pairs, %llu mismatches\n",
	       found, 2 * 385, (unsigned long long)ty.sets,
	       (unsigned long long)ty.bad);
	vec_report(&ty);
	CU_ASSERT(found > 100);
}

/* Extreme scales: denormal, FLT_MAX, ratios overflowing to +inf or
 * underflowing to 0, C1 and T infinite or NaN, rP at the 2^24 step. */
static void test_extreme_sets(void)
{
	struct tally ty = {0};
	static const float sc[] = {
	    0x1p-149f, 0x1p-126f, 0x1.fffffep-127f,
	    1e-30f,    0x1p-60f,  1e-3f,
	    0.3f,      1.0f,	  7.0f,
	    0x1p40f,   1e30f,	  FLT_MAX,
	};
	int n = (int)(sizeof(sc) / sizeof(sc[0]));
	int k = 0;
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			for (int c = 0; c < n; c++) {
				if (lf_test_slow_mode() && (a + b + c) % 7)
					continue;
				int t = k & 1 ? LF_KDT_I8 : LF_KDT_U8;
				int swap = (k >> 1) & 1;
				int32_t lo = t == LF_KDT_U8 ? 0 : -128;
				int32_t hi = lo + 255;
				int32_t zx = k % 3 == 0 ? lo : hi;
				int32_t zx2 = k % 5 == 0 ? hi : lo + 7;
				int32_t zy = k % 7 == 0 ? lo : hi - 3;
				k++;
				CU_ASSERT_EQUAL(check_set(&ty, t, swap, sc[a],
							  zx, sc[b], zx2, sc[c],
							  zy, lo, hi),
						0);
			}
	/* rP just below and at 2^24 (step 7 of lf_kadd.h from there) */
	CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_U8, 0, 0x1p24f, 3, 1.0f, 250,
				  1.0f, 0, 0, 255),
			0);
	CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_U8, 0, 0x1.fffffep23f, 3, 1.0f,
				  250, 1.0f, 0, 0, 255),
			0);
	CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_I8, 1, 0.5f, -128, 0x1.fffffep23f,
				  127, 1.0f, 5, -128, 127),
			0);
	/* rP just below 2^24 at P = -128 against a T of about 2^31 (C1
	 * about 128 rP, then + Q): X small, far from lo */
	CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_I8, 0, 0x1.fffffep23f, -128, 1.0f,
				  0, 1.0f, 0, -128, 127),
			0);
	CU_ASSERT_EQUAL(check_set(&ty, LF_KDT_I8, 1, 3.0f, 5, 0x1.fffff8p23f,
				  -128, 1.0f, -3, -128, 127),
			0);
	printf("\n  qadd extremes: %llu sets x 65536 pairs, %llu mismatches, "
	       "%llu with rP >= 2^24\n",
	       (unsigned long long)ty.sets, (unsigned long long)ty.bad,
	       (unsigned long long)ty.big_rp);
	vec_report(&ty);
	CU_ASSERT(ty.sets > 1000 || lf_test_slow_mode());
}

void lf_test_suite_kernels_qadd(void)
{
	static const struct lf_test_case cases[] = {
	    {"random_sets", test_random_sets},
	    {"tie_sets", test_tie_sets},
	    {"boundary_sets", test_boundary_sets},
	    {"extreme_sets", test_extreme_sets},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels_qadd", NULL, NULL, cases);
}
