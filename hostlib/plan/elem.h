/*
 * elem.h - pooling on the device: whether a 2-D MaxPool / AvgPool layer
 * fits lfk_pool's limits (the engine runs pooling under the same ones),
 * and its one descriptor. One decision for both paths: the single-op API
 * (exec/run.c) and the model planner (model_plan.c), which reads the
 * layer from the ONNX node first.
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

#endif /* LF_PLAN_ELEM_H */
