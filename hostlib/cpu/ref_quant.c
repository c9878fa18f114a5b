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

/*
 * A 256-entry table y = Q(f(DQ(x))) for every 8-bit x, as ORT's
 * QlinearBuildLookupTable (contrib_ops/cpu/quantization/
 * qlinear_lookup_table.cc): x_scale * (x - x_zp) in float, the float
 * function on the 256 values, then QuantizeLinear. Entry i is for the
 * byte value i (an int8 x is (int8_t)i).
 */
lf_status lf__ref_qlut_build(lf_dtype t, const struct lf_ref_q1 *xq,
			     const struct lf_ref_q1 *yq, enum lf_ref_unop op,
			     float alpha, float beta, uint8_t *lut)
{
	if (!lf__ref_is_q8(t) || !xq || !yq || !lut ||
	    !lf__ref_zp_fits(t, xq->zp) || !lf__ref_zp_fits(t, yq->zp))
		return LF_ERR_INVALID_ARG;
	float deq[256], f[256];
	for (int i = 0; i < 256; i++) {
		int x = t == LF_DTYPE_UINT8 ? i : (int)(int8_t)(uint8_t)i;
		deq[i] = xq->scale * (float)(x - xq->zp);
	}
	lf_status st = lf__ref_unary(op, alpha, beta, 256, deq, f);
	if (st != LF_OK)
		return st;
	float s = yq->scale;
	int32_t z = yq->zp;
	struct lf_ref_qaxis q = {1, 256, 1, &s, &z, 1};
	return lf__ref_quantize_linear(&q, f, t, lut);
}

/*
 * com.microsoft QLinearMul with broadcasting, as MLAS's MlasQLinearMul
 * (qlmul.cpp; its SSE2 kernel, separate multiplies and add):
 *   m = a_scale * b_scale / y_scale
 *   y = clamp(nearbyint(((a - a_zp) * (b - b_zp)) * m + y_zp))
 * in float32, rounding half to even.
 */
lf_status lf__ref_qmul(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		       const struct lf_ref_q1 *aq,
		       const struct lf_ref_shape *bs, const void *b,
		       const struct lf_ref_q1 *bq, const struct lf_ref_q1 *yq,
		       void *y)
{
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[2] = {as, bs};
	lf_status st = lf__ref_bcast_init(&bc, 2, ins);
	if (st != LF_OK)
		return st;
	if (!lf__ref_is_q8(t) || !aq || !bq || !yq ||
	    !lf__ref_zp_fits(t, aq->zp) || !lf__ref_zp_fits(t, bq->zp) ||
	    !lf__ref_zp_fits(t, yq->zp) || !lf__ref_scale_ok(yq->scale))
		return LF_ERR_INVALID_ARG;
	if (bc.count && (!a || !b || !y))
		return LF_ERR_INVALID_ARG;
	int32_t lo, hi;
	lf__ref_qrange(t, &lo, &hi);
	float m = aq->scale * bq->scale / yq->scale;
	for (size_t i = 0; i < bc.count; i++) {
		size_t off[LF__REF_BCAST_MAX];
		lf__ref_bcast_at(&bc, i, off);
		float va = (float)(lf__ref_load_int(t, a, off[0]) - aq->zp);
		float vb = (float)(lf__ref_load_int(t, b, off[1]) - bq->zp);
		float v = nearbyintf((va * vb) * m + (float)yq->zp);
		/* Out of int32 range (or NaN), x86's conversion gives
		 * INT32_MIN, which saturates to the low end, as in MLAS's
		 * SSE2 kernel (_mm_cvtps_epi32, then saturating packs). */
		int32_t r = v >= -2147483648.0f && v < 2147483648.0f
				? (int32_t)v
				: INT32_MIN;
		lf__ref_store_int(t, y, i, r < lo ? lo : r > hi ? hi : r);
	}
	return LF_OK;
}

/*
 * DynamicQuantizeLinear as ORT's (core/providers/cpu/quantization/
 * dynamicquantizelinear.cc, GetQuantizationParameter): range [min, max]
 * of x widened to include 0, scale = (max - min) / 255 (1 if max == min),
 * zero point = round_half_even(clamp(0 - min / scale, 0, 255)), then
 * QuantizeLinear to uint8.
 */
lf_status lf__ref_dynamic_quantize(size_t count, const float *x, uint8_t *y,
				   float *scale, uint8_t *zp)
{
	if ((count && (!x || !y)) || !scale || !zp)
		return LF_ERR_INVALID_ARG;
	float mn = 0.0f, mx = 0.0f;
	for (size_t i = 0; i < count; i++) {
		mn = x[i] < mn ? x[i] : mn;
		mx = x[i] > mx ? x[i] : mx;
	}
	float s = mx == mn ? 1.0f : (mx - mn) / 255.0f;
	float z0 = 0.0f - mn / s;
	z0 = z0 < 0.0f ? 0.0f : z0 > 255.0f ? 255.0f : z0;
	int32_t z = (int32_t)nearbyintf(z0);
	struct lf_ref_qaxis q = {1, count ? count : 1, 1, &s, &z, 1};
	if (count) {
		lf_status st =
		    lf__ref_quantize_linear(&q, x, LF_DTYPE_UINT8, y);
		if (st != LF_OK)
			return st;
	}
	*scale = s;
	*zp = (uint8_t)z;
	return LF_OK;
}
