/*
 * op.h - a checked layer op and how it runs: on the device when it can,
 * else on the CPU reference (op_run.c), now or on the context's worker
 * (event.c).
 */
#ifndef LF_CORE_OP_H
#define LF_CORE_OP_H

#include "layerfab.h"
#include "hostlib/ir/op.h"

/* Check the arguments of one op and fill @op (errors name the value). */
lf_status lf__op_conv2d(lf_context *ctx, lf_tensor *x, lf_tensor *w,
			lf_tensor *bias, const struct lf_conv2d_params *p,
			lf_tensor *y, struct lf__op *op);
lf_status lf__op_matmul(lf_context *ctx, lf_tensor *a, lf_tensor *b,
			lf_tensor *bias, const struct lf_matmul_params *p,
			lf_tensor *y, struct lf__op *op);
lf_status lf__op_pool(lf_context *ctx, enum lf_kop kind, lf_tensor *x,
		      const struct lf_pool_params *p, lf_tensor *y,
		      struct lf__op *op);
lf_status lf__op_add(lf_context *ctx, lf_tensor *a, lf_tensor *b, lf_tensor *y,
		     struct lf__op *op);

/*
 * lf__op_exec() - run a checked op on the calling thread: device, retry,
 * CPU fallback, profile record. The error message, if any, is recorded on
 * the calling thread for @ctx.
 */
lf_status lf__op_exec(lf_context *ctx, struct lf__op *op);

/* Run on the CPU reference; host copies of the inputs must be valid. */
lf_status lf__op_cpu(const struct lf__op *op, char *err, size_t errlen);

/* Hand a checked op to the context's worker; *ev receives its event. */
lf_status lf__op_submit(lf_context *ctx, const struct lf__op *op,
			lf_event **ev);

#endif /* LF_CORE_OP_H */
