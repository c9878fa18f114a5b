/*
 * op_cpu.c - running a checked op on the CPU reference (hostlib/cpu): the
 * "cpu" device, and the fallback for whatever the device cannot run.
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/core/op.h"
#include "hostlib/base/tensor.h"
#include "hostlib/cpu/ref.h"

static lf_status cpu_conv2d(const struct lf__op *op)
{
	const struct lf__layer *L = &op->L;
	struct lf_ref_qconv r = {
	    .x_type = L->x_type,
	    .w_type = L->w_type,
	    .y_type = L->y_type,
	    .n = L->n,
	    .ic = L->ic,
	    .ih = L->ih,
	    .iw = L->iw,
	    .oc = L->oc,
	    .kh = L->kh,
	    .kw = L->kw,
	    .stride_h = L->stride_h,
	    .stride_w = L->stride_w,
	    .pad_t = L->pad_t,
	    .pad_l = L->pad_l,
	    .pad_b = L->pad_b,
	    .pad_r = L->pad_r,
	    .dil_h = L->dil_h,
	    .dil_w = L->dil_w,
	    .groups = L->groups,
	    .x_zp = L->x_zp,
	    .y_zp = L->y_zp,
	    .w_zp = L->w_zp,
	    .w_zp_count = L->w_zp_count,
	    .x_scale = L->x_scale,
	    .y_scale = L->y_scale,
	    .w_scale = L->w_scale,
	    .w_scale_count = L->w_scale_count,
	    .bias = op->bias ? op->bias->data : NULL,
	    .act_min = L->act_min,
	    .act_max = L->act_max,
	};
	return lf__ref_qconv2d(&r, op->x->data, op->w->data, op->y->data);
}

static lf_status cpu_matmul(const struct lf__op *op)
{
	const struct lf__layer *L = &op->L;
	struct lf_ref_qmatmul r = {
	    .x_type = L->x_type,
	    .w_type = L->w_type,
	    .y_type = L->y_type,
	    .batch = L->batch,
	    .m = L->m,
	    .k = L->k,
	    .n = L->cols,
	    .w_batch = L->w_batch,
	    .x_zp = L->x_zp,
	    .y_zp = L->y_zp,
	    .w_zp = L->w_zp,
	    .w_zp_count = L->w_zp_count,
	    .x_scale = L->x_scale,
	    .y_scale = L->y_scale,
	    .w_scale = L->w_scale,
	    .w_scale_count = L->w_scale_count,
	    .bias = op->bias ? op->bias->data : NULL,
	    .act_min = L->act_min,
	    .act_max = L->act_max,
	};
	return lf__ref_qmatmul(&r, op->x->data, op->w->data, op->y->data);
}

static void pool_geometry(const struct lf__layer *L, struct lf_ref_pool *r)
{
	memset(r, 0, sizeof(*r));
	r->nsp = 2;
	r->n = L->n;
	r->c = L->ic;
	r->in[0] = L->ih;
	r->in[1] = L->iw;
	r->kernel[0] = L->kh;
	r->kernel[1] = L->kw;
	r->stride[0] = L->stride_h;
	r->stride[1] = L->stride_w;
	r->dil[0] = r->dil[1] = 1;
	r->pad_begin[0] = L->pad_t;
	r->pad_begin[1] = L->pad_l;
	r->pad_end[0] = L->pad_b;
	r->pad_end[1] = L->pad_r;
	r->auto_pad = LF_REF_AUTO_PAD_NOTSET;
	r->count_include_pad = L->count_include_pad;
}

static lf_status cpu_pool(const struct lf__op *op)
{
	const struct lf__layer *L = &op->L;
	struct lf_ref_pool r;
	pool_geometry(L, &r);
	lf_status st = lf__ref_pool_plan(&r);
	if (st)
		return st;
	if (r.out[0] != L->oh || r.out[1] != L->ow)
		return LF_ERR_INTERNAL;
	if (L->op == LF_KOP_MAXPOOL)
		return lf__ref_maxpool(&r, L->x_type, op->x->data, op->y->data,
				       NULL, 0);
	struct lf_ref_q1 xq = {L->x_scale, L->x_zp};
	struct lf_ref_q1 yq = {L->y_scale, L->y_zp};
	return lf__ref_qavgpool(&r, L->x_type, &xq, &yq, op->x->data,
				op->y->data);
}

static lf_status cpu_add(const struct lf__op *op)
{
	const struct lf__layer *L = &op->L;
	struct lf_ref_shape s;
	memset(&s, 0, sizeof(s));
	s.rank = op->x->ndim;
	for (int i = 0; i < s.rank; i++)
		s.dim[i] = op->x->dims[i];
	struct lf_ref_q1 aq = {L->x_scale, L->x_zp};
	struct lf_ref_q1 bq = {L->x2_scale, L->x2_zp};
	struct lf_ref_q1 yq = {L->y_scale, L->y_zp};
	if (L->x_type != L->w_type || L->x_type != L->y_type)
		return LF_ERR_UNSUPPORTED;
	return lf__ref_qadd(L->x_type, &s, op->x->data, &aq, &s, op->w->data,
			    &bq, &yq, op->y->data);
}

lf_status lf__op_cpu(const struct lf__op *op, char *err, size_t errlen)
{
	lf_status st;
	switch (op->L.op) {
	case LF_KOP_CONV2D:
		st = cpu_conv2d(op);
		break;
	case LF_KOP_MATMUL:
		st = cpu_matmul(op);
		break;
	case LF_KOP_MAXPOOL:
	case LF_KOP_AVGPOOL:
		st = cpu_pool(op);
		break;
	case LF_KOP_ADD:
		st = cpu_add(op);
		break;
	default:
		st = LF_ERR_UNSUPPORTED;
		break;
	}
	if (st != LF_OK)
		snprintf(err, errlen,
			 "%s: the CPU reference rejected the layer (%s)",
			 op->name, lf_status_name(st));
	return st;
}
