/*
 * op_run.c - running one checked op: on the device when it can, else on
 * the CPU reference; the profile record says where and why.
 *
 * Device failures: a timeout, DMA error or generic device error is retried
 * once on the device (a transient fault costs one op, not the result);
 * a second failure, a lost device or a kernel-reported error goes to the
 * CPU. Nothing wrong is ever returned: the device path invalidates the
 * output's device copy on any error, and the CPU path recomputes it from
 * the inputs' host copies. LAYERFAB_FALLBACK=off turns every fallback into
 * the error that caused it.
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/error.h"
#include "hostlib/core/op.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec.h"

/* Make @t's host copy current (it may live only on the device). */
static lf_status ensure_host(lf_context *ctx, lf_tensor *t)
{
	if (!t)
		return LF_OK;
	lf_status st = LF_OK;
	pthread_mutex_lock(&t->lock);
	if (!t->host_valid) {
		if (!ctx->dev)
			st = lf__err(ctx->id, LF_ERR_INTERNAL,
				     "tensor has no valid copy");
		else
			st = lf__exec_tensor_download(ctx->dev, ctx->id, t);
	}
	pthread_mutex_unlock(&t->lock);
	return st;
}

static lf_status run_cpu(lf_context *ctx, struct lf__op *op)
{
	lf_tensor *in[3] = {op->x, op->w, op->bias};
	for (int i = 0; i < 3; i++) {
		lf_status st = ensure_host(ctx, in[i]);
		if (st)
			return st;
	}
	char err[LF__ERR_MAX] = "";
	lf_status st = lf__op_cpu(op, err, sizeof(err));
	lf_tensor *y = op->y;
	pthread_mutex_lock(&y->lock);
	/* On error the host bytes may be partly written: neither copy is
	 * current, but the host one is what the caller sees. */
	y->host_valid = 1;
	y->dev_valid = 0;
	atomic_fetch_add(&y->version, 1);
	pthread_mutex_unlock(&y->lock);
	if (st)
		return lf__err(ctx->id, st, "%s", err);
	return LF_OK;
}

static void push_record(lf_context *ctx, const struct lf_profile_record *rec)
{
	pthread_mutex_lock(&ctx->lock);
	lf__profile_push(&ctx->prof, rec);
	pthread_mutex_unlock(&ctx->lock);
}

lf_status lf__op_exec(lf_context *ctx, struct lf__op *op)
{
	uint64_t t0 = lf__now_ns();
	struct lf_profile_record rec;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.op, sizeof(rec.op), "%s", op->name);
	/* Why the op runs on the CPU: the planner's reason, or one below. */
	struct lf__diag dg = {LF_OK, ""};
	char *why = dg.msg;
	const size_t whylen = sizeof(dg.msg);
	lf_status st = LF_OK;

	if (!ctx->dev) {
		snprintf(why, whylen, "cpu device");
	} else if (lf__exec_lost(ctx->dev)) {
		st = LF_ERR_DEVICE_LOST;
		snprintf(why, whylen, "device lost");
	} else {
		struct lf__runinfo ri;
		for (int attempt = 0; attempt < 2; attempt++) {
			memset(&ri, 0, sizeof(ri));
			st = lf__exec_run(ctx->dev, ctx->id, op, &ri, &dg);
			if (st == LF_OK || !lf__exec_retryable(st))
				break;
		}
		if (st == LF_OK) {
			snprintf(rec.where, sizeof(rec.where), "device");
			rec.device_ns = ri.device_ns;
			rec.h2d_bytes = ri.h2d_bytes;
			rec.d2h_bytes = ri.d2h_bytes;
			rec.dma_transfers = ri.dma_transfers;
			rec.launches = ri.launches;
			rec.tiles = ri.tiles;
			rec.host_ns = lf__now_ns() - t0;
			push_record(ctx, &rec);
			return LF_OK;
		}
		if (st != LF_ERR_UNSUPPORTED) {
			/* The device-side message is the last error. */
			snprintf(why, whylen, "device error %s: %s",
				 lf_status_name(st), lf__err_ctx_msg(ctx->id));
		}
		if (!ctx->fallback)
			return lf__err(
			    ctx->id, st,
			    "%s: not run (LAYERFAB_FALLBACK=off): %s", op->name,
			    why);
	}
	if (st == LF_ERR_DEVICE_LOST && !ctx->fallback)
		return lf__err(ctx->id, st,
			       "%s: the device was lost and "
			       "LAYERFAB_FALLBACK=off",
			       op->name);

	st = run_cpu(ctx, op);
	if (st)
		return st;
	snprintf(rec.where, sizeof(rec.where), "cpu");
	/* Truncate the reason to the record's field. */
	size_t wl = strlen(why);
	if (wl >= sizeof(rec.why_cpu))
		wl = sizeof(rec.why_cpu) - 1;
	memcpy(rec.why_cpu, why, wl);
	rec.why_cpu[wl] = '\0';
	rec.host_ns = lf__now_ns() - t0;
	push_record(ctx, &rec);
	return LF_OK;
}
