/*
 * ref.h - the CPU reference: plain, obviously-correct implementations of
 * every op layerfab runs, and the CPU ops a quantized network needs around
 * the device kernels.
 *
 * This is the oracle the kernels are tested against, so it is written
 * separately from hls/: it shares no arithmetic helper with the kernels,
 * only the documented requantization formula (see hls/lf_desc.h):
 *   mult[c] = (x_scale * w_scale[c]) / y_scale            float32, that order
 *   y = clamp(round_half_even((float)acc * mult[c]) + y_zp, act_min, act_max)
 * Loops are the textbook ones: one output element at a time, no tiling.
 *
 * Every function checks its parameters and returns LF_ERR_INVALID_ARG /
 * LF_ERR_SHAPE / LF_ERR_UNSUPPORTED rather than reading out of bounds.
 */
#ifndef LF_REF_H
#define LF_REF_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/*
 * struct lf_ref_qconv - a quantized 2-D convolution (QLinearConv, or
 * ConvInteger when y_type is LF_DTYPE_INT32: then no requantization, the
 * int32 accumulators are the output and the scales are ignored).
 * Layouts: x[n][ic][ih][iw], w[oc][ic/groups][kh][kw], y[n][oc][oh][ow].
 */
struct lf_ref_qconv {
	lf_dtype x_type, w_type, y_type; /* x, w: UINT8/INT8; y: +INT32 */
	int n, ic, ih, iw, oc, kh, kw;
	int stride_h, stride_w, pad_t, pad_l, pad_b, pad_r, dil_h, dil_w;
	int groups;
	int32_t x_zp, y_zp;
	const int32_t *w_zp; /* w_zp_count entries: 1 or oc */
	int w_zp_count;
	float x_scale, y_scale;
	const float *w_scale; /* w_scale_count entries: 1 or oc */
	int w_scale_count;
	const int32_t *bias; /* oc entries, or NULL */
	int32_t act_min, act_max; /* output clamp, quantized domain */
};

/* Output spatial size of a conv/pool window, or -1 if it does not fit. */
int lf__ref_out_dim(int in, int k, int stride, int pad_begin, int pad_end,
		    int dil);

lf_status lf__ref_qconv2d(const struct lf_ref_qconv *p, const void *x,
			  const void *w, void *y);

/*
 * struct lf_ref_qmatmul - a quantized (batched) matmul (QLinearMatMul, or
 * MatMulInteger when y_type is LF_DTYPE_INT32).
 * A[batch][m][k] * B[w_batch][k][n] -> Y[batch][m][n]; w_batch is 1 or
 * batch. Per-channel w_zp / w_scale have n entries (one per column).
 */
struct lf_ref_qmatmul {
	lf_dtype x_type, w_type, y_type;
	int batch, m, k, n, w_batch;
	int32_t x_zp, y_zp;
	const int32_t *w_zp;
	int w_zp_count;
	float x_scale, y_scale;
	const float *w_scale;
	int w_scale_count;
	const int32_t *bias; /* n entries, or NULL */
	int32_t act_min, act_max;
};

lf_status lf__ref_qmatmul(const struct lf_ref_qmatmul *p, const void *x,
			  const void *w, void *y);

#endif /* LF_REF_H */
