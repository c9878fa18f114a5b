/*
 * elem.h - pooling, add and mul on the device: whether a 2-D MaxPool /
 * AvgPool layer fits lfk_pool's limits and an add or mul lfk_add's (the
 * engine runs them under the same ones), and their descriptors. One decision
 * for both paths: the single-op API (op_plan.c) and the model planner
 * (mplan_node.c), which reads the layer from the ONNX node first.
 */
#ifndef LF_PLAN_ELEM_H
#define LF_PLAN_ELEM_H

#include <stdint.h>

#include "hostlib/ir/layer.h"
#include "lf_desc.h"

/* The lfk_pool / lfk_add limits from the xclbin (0 or less: absent). */
struct lf__plimits {
	int64_t dim_max, kdim_max, step_max, row_bytes;
	int64_t add_dim_max;
};

/*
 * lf__elem_pool_desc() - the descriptor of pooling layer @L (LF_KOP_MAXPOOL
 * or LF_KOP_AVGPOOL over NCHW int8/uint8, its window in kh/kw, strides,
 * pads, dilations) under @pl; act offsets are left 0.
 * Return: 1; 0 with the reason in *why (the layer runs on the CPU).
 */
int lf__elem_pool_desc(const struct lf__layer *L, const struct lf__plimits *pl,
		       lf_desc *d, const char **why);

/*
 * lf__elem_add_desc() - the descriptors of y = a + b as ONNX Runtime's
 * QLinearAdd computes it, or of y = a * b as its QLinearMul when @q->op
 * is LF_KOP_MUL, under @pl. Shapes: a is @ra dims @da, b @rb dims @db, y
 * @ry dims @dy; y has a's or b's shape (the full operand, read at x_off:
 * *a_at_x says whether it is a), and the other operand is equal, a
 * scalar, one value per channel (axis 1) or one per image and channel
 * (axes 0 and 1, LF_DF_X2_PER_NC). @q: the op, the types (x_type), zero
 * points and scales of a (x_*), b (x2_*) and y (y_*) and the clamp;
 * other fields unused. One descriptor over the view [d0][d1][d2][rest];
 * when that view passes the limits, shapes are equal and @max_desc >= 2,
 * rows of up to dim_max elements and the rest: two descriptors, the second
 * *second_at elements further on every operand (@d holds @max_desc). Act
 * offsets are left 0 (the caller places the operands), LF_DF_SWAP set from
 * lf__qadd_swaps() for an add. Return: the count (1 or 2), or 0 with the reason
 * in *why.
 */
int lf__elem_add_desc(int ra, const int64_t *da, int rb, const int64_t *db,
		      int ry, const int64_t *dy, const struct lf__layer *q,
		      const struct lf__plimits *pl, int max_desc, lf_desc d[2],
		      int *a_at_x, uint64_t *second_at, const char **why);

#endif /* LF_PLAN_ELEM_H */
