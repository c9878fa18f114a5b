/* ops.c - the public layer-op entry points: check, then run or submit. */
#include "hostlib/core/context.h"
#include "hostlib/base/error.h"
#include "hostlib/core/op.h"

/* Run now, or hand to the worker when @ev is not NULL. */
static lf_status run_or_submit(lf_context *ctx, lf_status checked,
			       struct lf__op *op, lf_event **ev, int async)
{
	if (checked)
		return checked;
	if (!async)
		return lf__op_exec(ctx, op);
	if (!ev)
		return lf__err(ctx->id, LF_ERR_INVALID_ARG,
			       "%s_async: ev is NULL", op->name);
	return lf__op_submit(ctx, op, ev);
}

lf_status lf_conv2d(lf_context *ctx, lf_tensor *x, lf_tensor *w,
		    lf_tensor *bias, const struct lf_conv2d_params *p,
		    lf_tensor *y)
{
	struct lf__op op;
	lf_status st = lf__op_conv2d(ctx, x, w, bias, p, y, &op);
	return run_or_submit(ctx, st, &op, NULL, 0);
}

lf_status lf_conv2d_async(lf_context *ctx, lf_tensor *x, lf_tensor *w,
			  lf_tensor *bias, const struct lf_conv2d_params *p,
			  lf_tensor *y, lf_event **ev)
{
	struct lf__op op;
	lf_status st = lf__op_conv2d(ctx, x, w, bias, p, y, &op);
	return run_or_submit(ctx, st, &op, ev, 1);
}

lf_status lf_matmul(lf_context *ctx, lf_tensor *a, lf_tensor *b,
		    lf_tensor *bias, const struct lf_matmul_params *p,
		    lf_tensor *y)
{
	struct lf__op op;
	lf_status st = lf__op_matmul(ctx, a, b, bias, p, y, &op);
	return run_or_submit(ctx, st, &op, NULL, 0);
}

lf_status lf_matmul_async(lf_context *ctx, lf_tensor *a, lf_tensor *b,
			  lf_tensor *bias, const struct lf_matmul_params *p,
			  lf_tensor *y, lf_event **ev)
{
	struct lf__op op;
	lf_status st = lf__op_matmul(ctx, a, b, bias, p, y, &op);
	return run_or_submit(ctx, st, &op, ev, 1);
}

lf_status lf_maxpool(lf_context *ctx, lf_tensor *x,
		     const struct lf_pool_params *p, lf_tensor *y)
{
	struct lf__op op;
	lf_status st = lf__op_pool(ctx, LF_KOP_MAXPOOL, x, p, y, &op);
	return run_or_submit(ctx, st, &op, NULL, 0);
}

lf_status lf_avgpool(lf_context *ctx, lf_tensor *x,
		     const struct lf_pool_params *p, lf_tensor *y)
{
	struct lf__op op;
	lf_status st = lf__op_pool(ctx, LF_KOP_AVGPOOL, x, p, y, &op);
	return run_or_submit(ctx, st, &op, NULL, 0);
}

lf_status lf_add(lf_context *ctx, lf_tensor *a, lf_tensor *b, lf_tensor *y)
{
	struct lf__op op;
	lf_status st = lf__op_add(ctx, a, b, y, &op);
	return run_or_submit(ctx, st, &op, NULL, 0);
}
