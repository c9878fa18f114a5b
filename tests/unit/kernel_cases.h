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

/* The per-case generator seed: base seed (LF_TEST_SEED or a default). */
uint64_t lf_kc_seed(void);

/*
 * Compares a finished act buffer with l->expect; on a difference prints
 * @who, the case and the first differing bytes and returns -1.
 */
int lf_kc_compare(const struct lf_kc_launch *l, const uint8_t *act,
		  const char *who, uint64_t seed, int index);

#endif
