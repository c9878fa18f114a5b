/*
 * kernel_cases.h - randomized conv2d / matmul launches with their expected
 * result from the CPU reference, shared by the "kernels" suite (host-C
 * kernels, test_kernels.c, which defines these) and "kernels_opencl" (the
 * same kernel sources built as OpenCL C).
 */
#ifndef LF_TEST_KERNEL_CASES_H
#define LF_TEST_KERNEL_CASES_H

#include <stdint.h>

#include "lf_desc.h"
#include "lf_test.h"

/*
 * struct lf_kc_launch - one kernel launch: descriptors, params and act,
 * each malloc'ed to exactly its size so ASan and Valgrind see any overrun,
 * and expect, the act buffer the run must leave behind (inputs unchanged,
 * every output equal to the reference, gaps untouched).
 */
struct lf_kc_launch {
	uint32_t op; /* LF_KOP_CONV2D or LF_KOP_MATMUL */
	lf_desc *desc;
	uint32_t ndesc;
	uint8_t *params;
	uint32_t params_bytes;
	uint8_t *act;
	uint8_t *expect;
	uint32_t act_bytes;
	char what[512]; /* the parameters, for failure messages */
};

/*
 * Random single-layer launches; @big allows layers larger than the kernels'
 * on-chip tiles. Return 0, or -1 if the reference rejected the case (a bug
 * in the generator). Release with lf_kc_free().
 */
int lf_kc_random_conv(struct lf_rng *r, int big, struct lf_kc_launch *l);
int lf_kc_random_matmul(struct lf_rng *r, int big, struct lf_kc_launch *l);
void lf_kc_free(struct lf_kc_launch *l);

/*
 * The launch builder the kernel suites share. act holds what the kernel
 * gets, expect what it must leave: inputs and gaps the same in both, each
 * output the reference result in expect and its bitwise complement in act,
 * so a byte the kernel does not write cannot pass. Every piece goes after
 * 0..3 random filler bytes, so offsets are not always aligned.
 */
#define LF_KB_MAX_DESC 16

struct lf_kb_blob {
	uint8_t *p;
	size_t n, cap;
};

struct lf_kb {
	struct lf_rng *r;
	struct lf_kb_blob params, act, expect;
	lf_desc desc[LF_KB_MAX_DESC];
	uint32_t nd;
	char what[1024]; /* cut to lf_kc_launch's what[] by lf_kb_finish */
	size_t wn;
};

/* Host buffers as the kernels' beat-typed params / act ports (lf_beat has
 * byte members, alignment 1: any byte buffer is a valid beat array). */
#define LF_KC_P(p) ((const lf_beat *)(const void *)(p))
#define LF_KC_A(p) ((lf_beat *)(void *)(p))

/* malloc that aborts the test binary when memory runs out. */
void *lf_kc_xmalloc(size_t n);
/* Offsets of n bytes appended to params / act (an input) / act (an
 * output whose reference bytes are @ref). */
uint32_t lf_kb_param(struct lf_kb *k, const void *src, size_t n);
uint32_t lf_kb_input(struct lf_kb *k, const void *src, size_t n);
uint32_t lf_kb_output(struct lf_kb *k, const uint8_t *ref, size_t n);
/* Append to the description printed on failure. */
void lf_kb_say(struct lf_kb *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Move the built launch into *l (exactly sized copies) and free k. */
void lf_kb_finish(struct lf_kb *k, uint32_t op, struct lf_kc_launch *l);
/* Free k without making a launch. */
void lf_kb_abandon(struct lf_kb *k);
/* A zero point of type t (LF_KDT_U8/I8): the extremes and the middle
 * often. */
int32_t lf_kc_pick_zp(struct lf_rng *r, int t);

/*
 * struct lf_kc_blk - a blocked conv case (LF_DF_BLK; test_kernels_blk.c):
 * the NCHW layer, run by the reference, converted to the blocked layout
 * with weights and records packed by the test. xt / wt: LF_KDT_U8 or I8
 * (y takes x's type); per_ch: w_zp and w_scale per output channel; relu:
 * act_min = y_zp, relu 2 also act_max below the type's top (a ReLU6-style
 * clamp); dwise: depthwise, groups == ic == oc (oc must equal ic); fold:
 * the input folded by the kernel (LF_DF_XFOLD, lf_desc.h "Folded input":
 * x as compact rows, the weights packed as the kh x 1 conv over kw * ic
 * lanes, written here from the lf_desc.h text).
 */
struct lf_kc_blk {
	int n, ic, ih, iw, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
	int xt, wt, per_ch, bias, relu, dwise, fold;
};
/* The shape cases test_kernels_blk.c and test_kernels_opencl.c run. */
extern const struct lf_kc_blk lf_kc_blk_cases[];
extern const int lf_kc_blk_ncases;
/* Bands of several images (lf_conv_blk.h blk_ni), test_kernels_blk.c. */
extern const struct lf_kc_blk lf_kc_blk_band_cases[];
extern const int lf_kc_blk_nband;
/* Builds the launch of case @c (data from @seed): one LF_DF_BLK
 * descriptor, x at act offset 0, y after a 64-byte gap, expect holding the
 * reference's output in the blocked layout. 0, or -1 if the window does
 * not fit the image. Release with lf_kc_free(). */
int lf_kc_blk_conv(uint64_t seed, const struct lf_kc_blk *c,
		   struct lf_kc_launch *l);

/*
 * One launch of two: @a's descriptors, then @b's, each relocated to its
 * own params and act bytes (b's after a's, on a beat), expect likewise,
 * into *@l (release with lf_kc_free()). @a and @b stay theirs.
 */
void lf_kc_blk_pair(const struct lf_kc_launch *a, const struct lf_kc_launch *b,
		    struct lf_kc_launch *l);

/*
 * Gives the one conv descriptor of @l (8-bit y, NCHW or blocked) the
 * output table @tb (LF_DF_LUT): the table appended to params on a beat,
 * and every output byte of expect mapped through it (lf_desc.h "Output
 * table": y = tb[byte]), act's output bytes again its complement.
 * Return 0, or -1 if @l is not such a launch.
 */
int lf_kc_add_lut(struct lf_kc_launch *l, const uint8_t tb[LF_LUT_BYTES]);

/*
 * Places the output of the one blocked conv descriptor of @l in a wider
 * blocked tensor (LF_DF_YCB, lf_desc.h "Placed output"): @before channel
 * blocks before its own in each image and @after after, those holding
 * random bytes from @r in both act and expect (the kernel must leave
 * them), its own blocks moved to their places. y must be the last thing
 * in act (as lf_kc_blk_conv() lays it out). Return 0, or -1 if @l is not
 * such a launch.
 */
int lf_kc_place_ycb(struct lf_kc_launch *l, uint32_t before, uint32_t after,
		    struct lf_rng *r);

/*
 * Fuses a residual add into the one blocked conv descriptor of @l
 * (LF_DF_ADD, lf_desc.h "Fused add"): a skip tensor x2 of y's blocked
 * shape, random bytes in every lane, goes into act where y was, y right
 * after it (still the last thing in act); scales (exact ties often) and
 * zero points from @r; @swap: x2 is ORT's A, the outer operand
 * (LF_DF_SWAP); @relu: the add's clamp is [add_y_zp, max]. expect's y
 * becomes the CPU reference's QLinearAdd (lf__ref_qadd, hostlib/cpu) of
 * the conv's expected bytes and x2 in that order, each lane an element,
 * then the clamp. @order_ties: scales and x2 chosen so that wherever a
 * conv byte allows it the sum depends on the operand order (ORT's fmas
 * in the other order round the other way), so a kernel that ignores
 * LF_DF_SWAP fails. After lf_kc_add_lut(), before lf_kc_place_ycb().
 * Return 0, or -1 if @l is not such a launch (or no such scales).
 */
int lf_kc_fuse_add(struct lf_kc_launch *l, struct lf_rng *r, int swap, int relu,
		   int order_ties);

/*
 * A max pool's window for lf_kc_fuse_pool(): kernel, strides, pads (top,
 * left, bottom, right), and clamp: pool_min / pool_max inside the type
 * (else its whole range).
 */
struct lf_kc_pool {
	int kh, kw, sh, sw, pt, pl, pb, pr, clamp;
};
/* The conv + max pool cases (kernels_blk fuse_pool, kernels_opencl): a
 * shape case of lf_kc_blk_cases (@conv) and the pool fused into it. */
struct lf_kc_fpool {
	int conv;
	struct lf_kc_pool p;
};
extern const struct lf_kc_fpool lf_kc_fpool_cases[];
extern const int lf_kc_fpool_ncases;

/*
 * Fuses a max pool @pk into the one blocked conv descriptor of @l
 * (LF_DF_POOL, lf_desc.h "Fused max pool"): expect's y becomes the CPU
 * reference's MaxPool (lf__ref_maxpool, hostlib/cpu; floor mode) of the
 * conv's expected bytes, every lane a channel, then the clamp (from @r
 * when pk->clamp), in act as its complement; y stays where it was, act
 * ends after it. After lf_kc_add_lut(). Return 0, or -1 if @l is not such
 * a launch or the pool has no output.
 */
int lf_kc_fuse_pool(struct lf_kc_launch *l, const struct lf_kc_pool *pk,
		    struct lf_rng *r);

/*
 * Variant @j of the fused-add sweeps (kernels_blk, kernels_opencl):
 * lf_kc_fuse_add() with operand order @swap, the add's ReLU when j % 3
 * == 0, order ties when j % 7 == 3 (where the conv's bytes allow them),
 * then placed (lf_kc_place_ycb, one block each side) when j % 5 == 2.
 * Return 0, or -1.
 */
int lf_kc_fuse_variant(struct lf_kc_launch *l, struct lf_rng *r, int j,
		       int swap);

/*
 * ORT's QLinearAdd of one pair, a (scale @sa, zero point @za) as its
 * outer operand and b the other, into y (@sy, @zy), 8-bit type @t: the
 * formula of hostlib/cpu's qadd_one written out, for choosing data where
 * the operand order decides the byte (never for expected values).
 */
int32_t lf_kc_qadd_order(int32_t a, float sa, int32_t za, int32_t b, float sb,
			 int32_t zb, float sy, int32_t zy, int t);

/* A random output table for lf_kc_add_lut(): every byte value once, in a
 * random order (a table read at the wrong index, or not at all, shows). */
void lf_kc_random_table(struct lf_rng *r, uint8_t tb[LF_LUT_BYTES]);

/*
 * Replaces l's one blocked descriptor by the parts of its layer
 * (lf_desc.h y_rows, y_blks) that a random row cut and a random channel
 * block cut give, in a random order, leaving out part @skip (0..3; -1:
 * none); returns their number. *@empty: the skipped part was empty
 * (test_kernels_part.c).
 */
int lf_kc_part_split(struct lf_kc_launch *l, struct lf_rng *r, int skip,
		     int *empty);

/* The per-case generator seed: base seed (LF_TEST_SEED or a default). */
uint64_t lf_kc_seed(void);

/*
 * Compares a finished act buffer with l->expect; on a difference prints
 * @who, the case and the first differing bytes and returns -1.
 */
int lf_kc_compare(const struct lf_kc_launch *l, const uint8_t *act,
		  const char *who, uint64_t seed, int index);

#endif
