/*
 * test_kernels_part.c - a blocked layer computed in parts (lf_desc.h "Part
 * of a layer": y_rows, y_blks), as the host splits a layer across CUs at
 * batch 1: the host-C lfk_engine (and lfk_conv2d, lfk_pool, lfk_add) run
 * the parts of one layer as separate descriptors of one launch, and the
 * result must be the whole layer's bytes, which the cases take from the
 * CPU reference (hostlib/cpu through the blocked launch builders of
 * test_kernels_blk.c and test_kernels_pool.c, independent of the kernels).
 *
 * The cuts are random: a row cut in [0, rows] and a block cut in [0,
 * blocks], so a part may be empty, one row (7x7 layers, 1x1 images), or
 * hold a last block of pad lanes (channel counts off 64). A launch with
 * one non-empty part left out must leave other bytes: each output starts
 * as the complement of its expected byte, so a part the kernel ignored or
 * computed twice cannot pass. Also: every malformed range and every op
 * that takes no range is rejected with act untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_config.h"
#include "lf_desc.h"
#include "lf_pipes.h"
#include "lf_test.h"
#include "unit/kernel_cases.h"
#include "unit/kernel_pool_cases.h"

/* lf_desc.h's encoding of [a, b) within n (an empty range as [n, n)). */
static uint32_t part_word(uint32_t a, uint32_t b, uint32_t n)
{
	if (a == b)
		a = b = n;
	return a + b * 65536u;
}

/* The rows and channel blocks a descriptor's part words count. */
static void part_dims(const lf_desc *d, uint32_t *rows, uint32_t *blks)
{
	uint32_t c = d->op == LF_KOP_CONV2D ? d->oc : d->ic;
	*rows = d->op == LF_KOP_ADD || d->op == LF_KOP_MUL ? d->ih : d->oh;
	*blks = (c + 63) / 64;
	/* a fused max pool (LF_DF_POOL): rows of the pooled y */
	uint32_t k = d->pool_k;
	if (d->flags & LF_DF_POOL)
		*rows = (d->oh + (k >> 16 & 15) + (k >> 24 & 15) - (k & 15)) /
			    (k >> 8 & 15) +
			1;
}

/* The kernel top of op @op, or the engine. */
static void run_top(int engine, uint32_t op, lf_desc *ds, uint32_t n,
		    const struct lf_kc_launch *l, uint8_t *act)
{
	lf_u32 *w = lf_desc_words(ds);
	if (engine)
		lfk_engine(w, n, LF_KC_P(l->params), l->params_bytes,
			   LF_KC_A(act), l->act_bytes);
	else if (op == LF_KOP_CONV2D)
		lfk_conv2d(w, n, LF_KC_P(l->params), l->params_bytes,
			   LF_KC_A(act), l->act_bytes);
	else if (op == LF_KOP_ADD || op == LF_KOP_MUL)
		lfk_add(w, n, LF_KC_P(l->params), l->params_bytes, LF_KC_A(act),
			l->act_bytes);
	else
		lfk_pool(w, n, LF_KC_P(l->params), l->params_bytes,
			 LF_KC_A(act), l->act_bytes);
}

int lf_kc_part_split(struct lf_kc_launch *l, struct lf_rng *r, int skip,
		     int *empty)
{
	lf_desc d0 = l->desc[0], *ds = lf_kc_xmalloc(4 * sizeof(lf_desc));
	uint32_t rows, blks, n = 0;
	part_dims(&d0, &rows, &blks);
	uint32_t rc = (uint32_t)lf_rng_range(r, 0, (int)rows);
	uint32_t bc = (uint32_t)lf_rng_range(r, 0, (int)blks);
	uint32_t rs[3] = {0, rc, rows}, bs[3] = {0, bc, blks};
	int order = lf_rng_range(r, 0, 3);
	*empty = 1;
	for (int k = 0; k < 4; k++) {
		int p = (k + order) % 4;
		uint32_t i = (uint32_t)p / 2, j = (uint32_t)p % 2;
		if (p == skip) {
			*empty = rs[i] == rs[i + 1] || bs[j] == bs[j + 1];
			continue;
		}
		ds[n] = d0;
		ds[n].y_rows = part_word(rs[i], rs[i + 1], rows);
		ds[n].y_blks = part_word(bs[j], bs[j + 1], blks);
		n++;
	}
	free(l->desc);
	l->desc = ds;
	l->ndesc = n;
	return (int)n;
}

/*
 * Runs l's one descriptor as its parts (lf_kc_part_split) in one launch
 * of lfk_engine (@engine) or the op's own kernel. Returns 0 when every
 * status is OK and act equals expect, 1 when the statuses are OK but act
 * differs, -1 on a bad status. *@empty: the skipped part was empty.
 */
static int run_parts(const struct lf_kc_launch *l, struct lf_rng *r, int engine,
		     int skip, int *empty, int index)
{
	struct lf_kc_launch p = *l;
	p.desc = lf_kc_xmalloc(sizeof(lf_desc));
	p.desc[0] = l->desc[0];
	uint32_t n = (uint32_t)lf_kc_part_split(&p, r, skip, empty);
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	run_top(engine, l->desc[0].op, p.desc, n, l, act);
	int rc_ = 0;
	for (uint32_t k = 0; k < n; k++)
		if (p.desc[k].status != LF_KST_OK) {
			fprintf(stderr, "\ncase %d part %u status %d\n  %s\n",
				index, k, p.desc[k].status, l->what);
			rc_ = -1;
		}
	if (rc_ == 0 && skip < 0 &&
	    lf_kc_compare(l, act, engine ? "lfk_engine (parts)" : "parts", 0,
			  index) != 0)
		rc_ = 1;
	else if (rc_ == 0 && skip >= 0)
		rc_ = memcmp(act, l->expect, l->act_bytes) != 0;
	free(p.desc);
	free(act);
	return rc_;
}

/*
 * @rounds random cuts of l into parts, each run on lfk_engine and on the
 * op's own kernel: every one must give the whole layer's bytes. With
 * @skips, then each of the 4 parts left out in turn must change them
 * (or have been empty). Returns how many skipped parts were not empty.
 */
static int check_cuts(const struct lf_kc_launch *l, struct lf_rng *r, int index,
		      int rounds, int skips)
{
	int empty, nonempty = 0;
	for (int t = 0; t < rounds; t++) {
		CU_ASSERT_EQUAL(run_parts(l, r, 1, -1, &empty, index), 0);
		CU_ASSERT_EQUAL(run_parts(l, r, 0, -1, &empty, index), 0);
	}
	for (int skip = 0; skips && skip < 4; skip++) {
		int got = run_parts(l, r, 1, skip, &empty, index);
		CU_ASSERT_EQUAL(got, empty ? 0 : 1);
		nonempty += !empty;
	}
	return nonempty;
}

/* Every blocked conv shape, in parts, on lfk_engine and lfk_conv2d. */
static void test_conv_parts(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9a27;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &l),
		    0);
		lf_rng_seed(&r, seed + 7 * (uint64_t)i);
		check_cuts(&l, &r, i, 3, 0);
		lf_kc_free(&l);
	}
}

/* Random blocked pools, adds and muls (every broadcast form), in parts. */
static void test_pool_add_parts(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9a28;
	for (int i = 0; i < 160; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		int rc = i % 4 == 3 ? lf_kpc_random_blk_mul(&r, &l)
				    : lf_kpc_random_blk(&r, &l);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		check_cuts(&l, &r, i, 1, 0);
		lf_kc_free(&l);
	}
}

/*
 * The streamed max pool's shapes (hls/pool.c pool_blk_rows; and the
 * tiles' just past them) in parts: each part reads its own window rows,
 * the halo rows above and below its output rows included, so a cut at
 * any row gives the whole layer's bytes; a part left out must show.
 */
static void test_rows_parts(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9a2a;
	int nonempty = 0;
	for (int i = 0; i < lf_kpc_blk_rows_n; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_blk_rows(&r, i, &l), 0);
		nonempty += check_cuts(&l, &r, i, 3, 1);
		lf_kc_free(&l);
	}
	CU_ASSERT(nonempty >= lf_kpc_blk_rows_n);
}

/*
 * A conv with a fused max pool (LF_DF_POOL) in parts: a part is rows of
 * the pooled y, and computes the conv rows its windows need, so two
 * neighbouring parts both compute the conv row between them; every cut
 * gives the whole layer's bytes (the reference's conv then MaxPool), and
 * a non-empty part left out shows. lfk_engine and lfk_conv2d.
 */
static void test_fpool_parts(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9a2b;
	int nonempty = 0;
	for (int i = 0; i < lf_kc_fpool_ncases; i++) {
		const struct lf_kc_fpool *f = &lf_kc_fpool_cases[i];
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(seed + (uint64_t)i,
						     &lf_kc_blk_cases[f->conv],
						     &l),
				      0);
		CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_pool(&l, &f->p, &r), 0);
		nonempty += check_cuts(&l, &r, i, 3, 1);
		lf_kc_free(&l);
	}
	CU_ASSERT(nonempty >= lf_kc_fpool_ncases);
}

/*
 * A part left out must show: over conv, pool and add cases, each run
 * without one part either had an empty part to skip or left bytes that
 * differ from the whole layer's; and the skips hit non-empty parts
 * often enough that the check means something.
 */
static void test_part_missing(void)
{
	uint64_t seed = lf_kc_seed() ^ 0x9a29;
	int nonempty = 0;
	for (int i = 0; i < lf_kc_blk_ncases + 40; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		int rc = i < lf_kc_blk_ncases
			     ? lf_kc_blk_conv(seed + (uint64_t)i,
					      &lf_kc_blk_cases[i], &l)
			     : lf_kpc_random_blk(&r, &l);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		for (int skip = 0; skip < 4; skip++) {
			int empty;
			int got = run_parts(&l, &r, 1, skip, &empty, i);
			CU_ASSERT_EQUAL(got, empty ? 0 : 1);
			nonempty += !empty;
		}
		lf_kc_free(&l);
	}
	CU_ASSERT(nonempty >= 40);
}

/* @bad through the engine: status @want, act untouched if rejected. */
static void expect_reject(const struct lf_kc_launch *l, const lf_desc *bad,
			  lf_i32 want, const char *what)
{
	lf_desc d = *bad;
	uint8_t *act = lf_kc_xmalloc(l->act_bytes);
	memcpy(act, l->act, l->act_bytes);
	run_top(1, d.op, &d, 1, l, act);
	if (d.status != want)
		fprintf(stderr, "\n%s: status %d, want %d\n", what, d.status,
			want);
	CU_ASSERT_EQUAL(d.status, want);
	/* rejected: act untouched; accepted: the layer's bytes */
	CU_ASSERT_EQUAL(
	    memcmp(act, want == LF_KST_OK ? l->expect : l->act, l->act_bytes),
	    0);
	free(act);
}

/* Malformed ranges, ranges on ops without a blocked form, a barrier. */
static void test_part_reject(void)
{
	struct lf_kc_launch l;
	struct lf_rng r;
	lf_desc d;
	/* case 1: 7 output rows (3x3 p1 on 7x9), oc 100: two blocks */
	CU_ASSERT_EQUAL_FATAL(
	    lf_kc_blk_conv(lf_kc_seed() + 1, &lf_kc_blk_cases[1], &l), 0);
	d = l.desc[0], d.y_rows = 3; /* r0 3, r1 0 */
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "rows [3, 0)");
	d = l.desc[0], d.y_rows = part_word(2, 8, 7);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "rows past oh");
	d = l.desc[0], d.y_rows = 5 + 4 * 65536u;
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "rows [5, 4)");
	d = l.desc[0], d.y_blks = part_word(0, 3, 2);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "blocks past oc");
	d = l.desc[0], d.sync = 2;
	expect_reject(&l, &d, LF_KST_BAD_OP, "a barrier without a ring");
	d = l.desc[0], d.sync = 1; /* no barrier */
	expect_reject(&l, &d, LF_KST_OK, "sync 1");
	lf_kc_free(&l);

	/* NCHW conv and matmul: no part of a layer. */
	lf_rng_seed(&r, lf_kc_seed() ^ 0x9a2a);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_conv(&r, 0, &l), 0);
	d = l.desc[0], d.y_rows = part_word(0, 1, 1);
	expect_reject(&l, &d, LF_KST_BAD_OP, "NCHW conv rows");
	lf_kc_free(&l);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_matmul(&r, 0, &l), 0);
	d = l.desc[0], d.y_blks = part_word(0, 1, 1);
	expect_reject(&l, &d, LF_KST_BAD_OP, "matmul blocks");
	lf_kc_free(&l);
	/* A blocked pool or add: blocks past its channels. */
	CU_ASSERT_EQUAL_FATAL(lf_kpc_random_blk(&r, &l), 0);
	uint32_t rows, blks;
	part_dims(&l.desc[0], &rows, &blks);
	d = l.desc[0], d.y_blks = part_word(0, blks + 1, blks);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "pool/add blocks past ic");
	d = l.desc[0], d.y_rows = part_word(0, rows + 1, rows);
	expect_reject(&l, &d, LF_KST_BAD_SHAPE, "pool/add rows past");
	lf_kc_free(&l);
}

/*
 * The whole layer written as a range ([0, oh) x [0, blocks)) runs the
 * same loops as without one: same bytes, same modeled cycles.
 */
static void test_part_whole_cycles(void)
{
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(lf_kc_seed() + (uint64_t)i,
						     &lf_kc_blk_cases[i], &l),
				      0);
		uint64_t cyc[2];
		for (int k = 0; k < 2; k++) {
			lf_desc d = l.desc[0];
			uint32_t rows, blks;
			part_dims(&d, &rows, &blks);
			if (k) {
				d.y_rows = part_word(0, rows, rows);
				d.y_blks = part_word(0, blks, blks);
			}
			uint8_t *act = lf_kc_xmalloc(l.act_bytes);
			memcpy(act, l.act, l.act_bytes);
			lfk_cycles_reset();
			run_top(1, d.op, &d, 1, &l, act);
			cyc[k] = lfk_cycles_get();
			CU_ASSERT_EQUAL(d.status, LF_KST_OK);
			CU_ASSERT_EQUAL(lf_kc_compare(&l, act, "whole", 0, i),
					0);
			free(act);
		}
		CU_ASSERT_EQUAL(cyc[0], cyc[1]);
		lf_kc_free(&l);
	}
}

void lf_test_suite_kernels_part(void)
{
	static const struct lf_test_case cases[] = {
	    {"conv_parts", test_conv_parts},
	    {"pool_add_parts", test_pool_add_parts},
	    {"rows_parts", test_rows_parts},
	    {"fpool_parts", test_fpool_parts},
	    {"part_missing", test_part_missing},
	    {"part_reject", test_part_reject},
	    {"whole_cycles", test_part_whole_cycles},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels_part", NULL, NULL, cases);
}
