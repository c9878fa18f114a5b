/*
 * kernel_pool_cases.h - randomized launches of lfk_pool, lfk_add and
 * lfk_engine with their expected result from the CPU reference, shared by
 * the "kernels_pool" suite (host-C kernels, test_kernels_pool.c, which
 * defines these) and "kernels_opencl" (the same sources as OpenCL C).
 *
 * The launches use struct lf_kc_launch (kernel_cases.h): l->op is
 * LF_KOP_MAXPOOL / LF_KOP_AVGPOOL (lfk_pool), LF_KOP_ADD / LF_KOP_MUL
 * (lfk_add) or LF_KPC_ENGINE (lfk_engine, a chain of several ops). Every
 * descriptor of a generated launch is valid: its status must come back
 * LF_KST_OK.
 */
#ifndef LF_TEST_KERNEL_POOL_CASES_H
#define LF_TEST_KERNEL_POOL_CASES_H

#include "unit/kernel_cases.h"

/* l->op of a launch for lfk_engine. */
#define LF_KPC_ENGINE 0u

/* One random pooling layer (max or average, windowed or global). */
int lf_kpc_random_pool(struct lf_rng *r, struct lf_kc_launch *l);

/* One random QLinearAdd (same shape, scalar or per-channel operand). */
int lf_kpc_random_add(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * One QLinearAdd whose elements are all pairs (a, b) where rounding a
 * separate multiply and add would give another byte than ORT's fused
 * multiply-adds, for random scales: the kernel's fma must be a true one.
 */
int lf_kpc_add_fma_ties(struct lf_rng *r, struct lf_kc_launch *l);

/* One random QLinearMul (LF_KOP_MUL): same shape, scalar, per-channel
 * or per-(image, channel) operand; scales over the range, ties, m past
 * 2^31. */
int lf_kpc_random_mul(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * Every (a, b) byte pair of a random 8-bit type through QLinearAdd, same
 * shape, per channel and per (image, channel), for one random set of
 * scales and zero points (a quarter of them with sx / sy past 2^24) and
 * a random outer operand: three descriptors of 65536 elements.
 */
int lf_kpc_add_pairs(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * Every (a, b) byte pair of a random 8-bit type through QLinearMul, same
 * shape, per channel and per (image, channel), for one random set of
 * scales and zero points: three descriptors of 65536 elements.
 */
int lf_kpc_mul_pairs(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * QLinearMuls whose elements are all pairs (a, b) where one fused
 * multiply-add would give another byte than MLAS's separate multiply and
 * add, for random scales: the kernel must keep both roundings.
 */
int lf_kpc_mul_fma_ties(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * A chain for lfk_engine: conv -> maxpool -> conv -> add (residual, with a
 * fused Relu) -> global average pool -> matmul, each layer reading the
 * previous one's output in act.
 */
int lf_kpc_resnet_chain(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * One random blocked (LF_DF_BLK) pooling layer or add: channel counts
 * around multiples of 64, every broadcast form, converted from an NCHW
 * launch by the test's own layout converter (pad lanes of the inputs
 * random; see test_kernels_pool.c for what the output pad lanes expect).
 */
int lf_kpc_random_blk(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * Blocked max pools shaped for the streamed path (hls/pool.c
 * pool_blk_rows) and for the tiles just past it: case @i of
 * lf_kpc_blk_rows_n, its data and clamp random.
 */
extern const int lf_kpc_blk_rows_n;
int lf_kpc_blk_rows(struct lf_rng *r, int i, struct lf_kc_launch *l);

/* One random blocked QLinearMul: as lf_kpc_random_blk's add, with every
 * broadcast of lf_kpc_random_mul. */
int lf_kpc_random_blk_mul(struct lf_rng *r, struct lf_kc_launch *l);

/*
 * Blocked QLinearMuls of fixed shapes whose channel counts (1, 17, 33, 63,
 * 64, 65, 100, 130) end inside a pass of add.c's add_blk_mul for every
 * lane count, with every broadcast: case @i of lf_kpc_blk_mul_shapes_n,
 * scales and data random.
 */
extern const int lf_kpc_blk_mul_shapes_n;
int lf_kpc_blk_mul_shape(struct lf_rng *r, int i, struct lf_kc_launch *l);

/*
 * The blocked (LF_DF_BLK) launch of NCHW pool / add / mul launch *src,
 * by the test's own layout converter (test_kernels_pool.c): 0, or -1.
 */
int lf_kpc_blk_convert(struct lf_rng *r, const struct lf_kc_launch *src,
		       struct lf_kc_launch *l);

/*
 * A blocked chain for lfk_engine: two max pools (3x3 s2 p1), their
 * residual add with a fused Relu, an add of a per-channel operand, a
 * global average pool.
 */
int lf_kpc_blk_chain(struct lf_rng *r, struct lf_kc_launch *l);

#endif
