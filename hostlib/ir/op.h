/*
 * op.h - one checked layer op of the single-op API (lf_conv2d, ...): the
 * normalized layer and its operand tensors. Built by hostlib/core
 * (op_check.c), run by hostlib/exec on the device or by hostlib/core on
 * the CPU.
 */
#ifndef LF_IR_OP_H
#define LF_IR_OP_H

#include "layerfab.h"
#include "hostlib/ir/layer.h"

struct lf__op {
	const char *name; /* "conv2d", ... : the profile record's op */
	struct lf__layer L;
	/* Operands. w: conv/matmul weights (matmul's b), add's second input. */
	lf_tensor *x, *w, *bias, *y;
};

#endif /* LF_IR_OP_H */
