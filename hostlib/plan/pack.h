/*
 * pack.h - filling a plan's device areas from host tensors, and reading
 * the outputs back: the host's whole share of a launch, as plain memory
 * operations (hostlib/exec does the transfers; tests run the same code
 * against a CPU interpreter of the descriptors).
 */
#ifndef LF_PLAN_PACK_H
#define LF_PLAN_PACK_H

#include <stdint.h>

#include "hostlib/plan/tile.h"

/* Weights slices, bias, w_zp (int32) and mult (float32) into @params. */
void lf__pack_params(const struct lf__plan *p, const struct lf__layer *L,
		     const void *w, const void *bias, uint8_t *params);

/* x in place and the gathered slabs into @act. */
void lf__pack_x(const struct lf__plan *p, const void *x, uint8_t *act);

/* The descriptors, statuses pending, y offsets moved by @y_shift. */
void lf__pack_desc(const struct lf__plan *p, uint64_t y_shift, uint8_t *desc);

/* The same with every act offset (x, x2, y) moved by @shift first: the
 * act area placed @shift bytes into its buffer (after the descriptors). */
void lf__pack_desc_at(const struct lf__plan *p, uint64_t shift, uint8_t *desc);

/*
 * lf__unpack_y() - the output from @act (whose y areas moved by @y_shift)
 * into the host tensor @y: copy, scatter, or add the partial sums of a
 * split reduction and requantize them. Return: LF_OK; LF_ERR_NO_MEMORY.
 */
lf_status lf__unpack_y(const struct lf__plan *p, const struct lf__layer *L,
		       const uint8_t *act, uint64_t y_shift, void *y);

/*
 * lf__qadd_swaps() - whether ONNX Runtime's QLinearAdd makes B its outer
 * operand for inputs of shapes @da[@ra] and @db[@rb]: the rule of
 * ort_swaps() in hostlib/cpu/ref_elementwise.c (its broadcaster's
 * "A is the repeated scalar" case). Descriptors set LF_DF_SWAP from it.
 */
int lf__qadd_swaps(int ra, const int64_t *da, int rb, const int64_t *db);

/* Index of the first descriptor whose status is not LF_KST_OK, or -1. */
int lf__desc_first_error(const struct lf__plan *p, const uint8_t *desc,
			 int32_t *status);

#endif /* LF_PLAN_PACK_H */
