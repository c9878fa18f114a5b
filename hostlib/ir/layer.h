/*
 * layer.h - one layer op, checked and normalized: what the planner tiles,
 * the packer turns into descriptors and the CPU path hands to the
 * reference. Plain values only; the data lives elsewhere.
 *
 * Every extent is > 0 and fits in a uint32 descriptor field; every tensor
 * byte size fits in size_t (the op checks both before building one).
 */
#ifndef LF_PLAN_LAYER_H
#define LF_PLAN_LAYER_H

#include <stdint.h>

#include "layerfab.h"
#include "lf_desc.h"

struct lf__layer {
	enum lf_kop op;
	lf_dtype x_type, w_type, y_type; /* w_type: x2's type for add */

	/* conv2d and pooling: x[n][ic][ih][iw] -> y[n][oc][oh][ow] */
	int n, ic, ih, iw, oc, oh, ow;
	int kh, kw, stride_h, stride_w, pad_t, pad_l, pad_b, pad_r;
	int dil_h, dil_w, groups;
	int count_include_pad; /* avgpool */

	/* matmul: A[batch][m][k] * B[w_batch][k][cols] -> Y[batch][m][cols] */
	int batch, m, k, cols, w_batch;

	/* quantization */
	int32_t x_zp, x2_zp, y_zp;
	float x_scale, x2_scale, y_scale;
	const int32_t *w_zp; /* w_zp_count entries, never NULL */
	int w_zp_count;	     /* 1 or channels */
	const float *w_scale;
	int w_scale_count; /* 1 or channels; 0 for an int32 output */
	int has_bias;
	int32_t act_min, act_max;
	/* conv or matmul with an 8-bit y: each output byte b becomes lut[b]
	 * after the clamp (256 entries; lf_desc.h "Output table": a conv
	 * descriptor's, so a matmul's runs as a blocked 1x1 conv), or NULL */
	const uint8_t *lut;
};

/* Output channels (conv) / columns (matmul): the per-channel axis. */
static inline int lf__layer_channels(const struct lf__layer *L)
{
	return L->op == LF_KOP_MATMUL ? L->cols : L->oc;
}

#endif /* LF_PLAN_LAYER_H */
