/*
 * op_plan.h - one layer op of the single-op API (lf_conv2d, lf_matmul,
 * lf_maxpool, lf_avgpool, lf_add) as a one-node model plan: the graph,
 * params blob and plan that hostlib/exec/model_exec.c runs for a model's
 * device segment, so a single op and a model share one engine (launch,
 * wait, abandoned runs, checked transfers, status words).
 *
 * Conv and matmul: one host-assisted segment (the host packs x with its
 * gathered slabs into the arena and unpacks y, adding split reductions),
 * its tiles from lf__plan_layer(). Pooling and add: one segment of one
 * or two descriptors (plan/elem.c decides, as for a model's nodes), x
 * (and add's second operand) uploaded as one block, y downloaded. The
 * launch is on lfk_engine when the device has a usable one (as a model's
 * segments are), else on the op's own kernel (conv, matmul).
 *
 * Values: 0 is x (matmul's a, add's a), 1 add's b (unused otherwise), 2
 * is y; lf__mdev_run_segment() reads and writes them through its ptr[].
 */
#ifndef LF_PLAN_OP_PLAN_H
#define LF_PLAN_OP_PLAN_H

#include "hostlib/plan/model_plan.h"

enum { LF__OPV_X = 0, LF__OPV_X2 = 1, LF__OPV_Y = 2, LF__OPV_COUNT = 3 };

/* An operand's shape and type, for the plan (rank 0: a scalar). */
struct lf__opshape {
	int rank;
	lf_dtype dtype;
	int64_t d[LF_MAX_DIMS];
};

struct lf__oplan {
	struct lf__graph g; /* one node over LF__OPV_COUNT values */
	struct lf__gval val[LF__OPV_COUNT];
	struct lf__gnode node;
	int in[2], out[1];
	struct lf__mparams params; /* blob: the layer's constants, or none */
	struct lf__mplan *plan;
	int kernel; /* LF__MK_* the launch runs on */
};

/*
 * lf__oplan_build() - plan layer @L (op name @name, kept by pointer) with
 * operands of shapes @sh (LF__OPV_COUNT entries) for a device with @caps.
 * The params blob is allocated (zeroed); lf__oplan_pack() fills it.
 * Return: LF_OK and *out (free with lf__oplan_free()); else the status,
 * also in @dg with its message: LF_ERR_UNSUPPORTED (the reason: the op
 * runs on the CPU), LF_ERR_NO_MEMORY.
 */
lf_status lf__oplan_build(const struct lf__layer *L, const char *name,
			  const struct lf__opshape *sh,
			  const struct lf__mdevcaps *caps,
			  struct lf__oplan **out, struct lf__diag *dg);
void lf__oplan_free(struct lf__oplan *op);

/*
 * lf__oplan_pack() - the constants of one call (conv/matmul weights @w,
 * @bias or NULL, and @L's per-channel zero points and scales) into @blob
 * (op->params.bytes), and @L into the plan (the host's unpacking reads
 * it). Nothing for pooling and add.
 */
void lf__oplan_pack(struct lf__oplan *op, const struct lf__layer *L,
		    const void *w, const void *bias, uint8_t *blob);

#endif /* LF_PLAN_OP_PLAN_H */
