/*
 * ref_quant.c - QuantizeLinear and DequantizeLinear, per-tensor or
 * per-axis, exactly as ONNX Runtime's CPU provider computes them.
 */
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

/* Checks @q; the element count goes to @count. */
static lf_status qaxis_check(const struct lf_ref_qaxis *q, size_t *count)
{
	if (!q || !q->scale)
		return LF_ERR_INVALID_ARG;
	if (q->nparams != 1 && q->nparams != q->channels)
		return LF_ERR_SHAPE;
	if (!lf__ref_mul3(q->outer, q->channels, q->inner, count))
		return LF_ERR_OVERFLOW;
	return LF_OK;
}

/*
 * One element, following onnxruntime/core/mlas/lib/quantize.cpp
 * (MlasQuantizeLinearVector, SSE2/NEON path; the AVX-512 kernel is the
 * same): FloatVector = x / Scale (a division), then
 * _mm_max_ps(v, qmin - zp), _mm_min_ps(v, qmax - zp), then _mm_cvtps_epi32
 * (round half to even under the default MXCSR) and + zp. MAXPS returns its
 * second operand when the first is NaN, so a NaN input lands on qmin - zp.
 * Clamping before rounding equals rounding before clamping here because
 * the bounds are integers.
 */
static int32_t quantize_one(float x, float scale, int32_t zp, int32_t qmin,
			    int32_t qmax)
{
	float v = x / scale;
	float lo = (float)(qmin - zp);
	float hi = (float)(qmax - zp);
	if (!(v >= lo)) /* also NaN, as MAXPS */
		v = lo;
	if (v > hi)
		v = hi;
	return (int32_t)nearbyintf(v) + zp;
}

lf_status lf__ref_quantize_linear(const struct lf_ref_qaxis *q, const float *x,
				  lf_dtype y_type, void *y)
{
	size_t count;
	lf_status st = qaxis_check(q, &count);
	if (st != LF_OK)
		return st;
	if (!lf__ref_is_q8(y_type))
		return LF_ERR_UNSUPPORTED;
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t c = 0; c < q->nparams; c++) {
		if (!lf__ref_scale_ok(q->scale[c]))
			return LF_ERR_INVALID_ARG;
		if (q->zp && !lf__ref_zp_fits(y_type, q->zp[c]))
			return LF_ERR_INVALID_ARG;
	}
	int32_t qmin, qmax;
	lf__ref_qrange(y_type, &qmin, &qmax);
	size_t i = 0;
	for (size_t o = 0; o < q->outer; o++)
		for (size_t c = 0; c < q->channels; c++) {
			size_t p = q->nparams == 1 ? 0 : c;
			int32_t zp = q->zp ? q->zp[p] : 0;
			for (size_t k = 0; k < q->inner; k++, i++)
				lf__ref_store_int(y_type, y, i,
						  quantize_one(x[i],
							       q->scale[p], zp,
							       qmin, qmax));
		}
	return LF_OK;
}

/*
 * As onnxruntime/core/providers/cpu/quantization/quantize_linear.cc
 * (DequantizeLinearApply::op): the subtraction in int32, then one float
 * multiply: static_cast<float>(static_cast<int32_t>(x) - zp) * scale.
 */
lf_status lf__ref_dequantize_linear(const struct lf_ref_qaxis *q,
				    lf_dtype x_type, const void *x, float *y)
{
	size_t count;
	lf_status st = qaxis_check(q, &count);
	if (st != LF_OK)
		return st;
	if (!lf__ref_is_q8(x_type) && x_type != LF_DTYPE_INT32)
		return LF_ERR_UNSUPPORTED;
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t c = 0; c < q->nparams; c++) {
		if (!isfinite(q->scale[c]))
			return LF_ERR_INVALID_ARG;
		if (!q->zp)
			continue;
		/* ONNX: int32 has no zero point (it must be 0). */
		if (x_type == LF_DTYPE_INT32
			? q->zp[c] != 0
			: !lf__ref_zp_fits(x_type, q->zp[c]))
			return LF_ERR_INVALID_ARG;
	}
	size_t i = 0;
	for (size_t o = 0; o < q->outer; o++)
		for (size_t c = 0; c < q->channels; c++) {
			size_t p = q->nparams == 1 ? 0 : c;
			int32_t zp = q->zp ? q->zp[p] : 0;
			for (size_t k = 0; k < q->inner; k++, i++) {
				int32_t v = lf__ref_load_int(x_type, x, i);
				y[i] = (float)(v - zp) * q->scale[p];
			}
		}
	return LF_OK;
}
