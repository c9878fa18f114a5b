/*
 * ref_elementwise.c - Add (numpy broadcasting), the com.microsoft QLinearAdd,
 * Relu and Clip.
 */
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

lf_status lf__ref_add(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		      const struct lf_ref_shape *bs, const void *b, void *y)
{
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[2] = {as, bs};
	lf_status st = lf__ref_bcast_init(&bc, 2, ins);
	if (st != LF_OK)
		return st;
	if (lf__ref_dtype_size(t) == 0)
		return LF_ERR_UNSUPPORTED;
	if (bc.count && (!a || !b || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < bc.count; i++) {
		size_t off[LF__REF_BCAST_MAX];
		lf__ref_bcast_at(&bc, i, off);
		size_t ia = off[0], ib = off[1];
		if (t == LF_DTYPE_FLOAT32) {
			((float *)y)[i] =
			    ((const float *)a)[ia] + ((const float *)b)[ib];
			continue;
		}
		/* Integer Add wraps around, as numpy and ORT do. */
		uint32_t s = (uint32_t)lf__ref_load_int(t, a, ia) +
			     (uint32_t)lf__ref_load_int(t, b, ib);
		if (t == LF_DTYPE_UINT8)
			((uint8_t *)y)[i] = (uint8_t)s;
		else if (t == LF_DTYPE_INT8)
			((int8_t *)y)[i] = (int8_t)(uint8_t)s;
		else
			((int32_t *)y)[i] = (int32_t)s;
	}
	return LF_OK;
}

/*
 * QLinearAdd exactly as ONNX Runtime computes it on x86-64 with AVX2/FMA
 * (every x86-64 CPU since 2013): onnxruntime/core/mlas/lib/intrinsics/avx2/
 * qladd_avx2.cpp, MlasQLinearAddKernelAvx2Helper, selected by
 * platform.cpp (QLinearAdd{U8,S8}Kernel = MlasQLinearAdd{U8,S8}KernelAvx2):
 *   rA    = a_scale / y_scale,  rB = b_scale / y_scale          (divisions)
 *   fixed = (float)y_zp - (rA * (float)a_zp + rB * (float)b_zp)
 *   y     = sat(cvtps2dq(fma(a, rA, fma(b, rB, fixed))))
 * in float32, where fma rounds once. The two explicit fmas are
 * _mm256_fmadd_ps; ORT's compiler also contracts the scalar `fixed` into
 * y_zp - fma(rA, a_zp, rB * b_zp), and in the scalar-B case turns
 * fixed + b*rB (_mm256_add_ps of _mm256_mul_ps) into the same inner fma.
 * cvtps2dq rounds half to even and gives INT32_MIN outside int32; packs
 * then saturate to int16 and to the 8-bit type. Note y_zp is added before
 * rounding (QuantizeLinear adds it after).
 *
 * MLAS only has a "B is one value" kernel, so when A is the operand that
 * repeats within ORT's innermost broadcast span, ORT's QLinearAdd swaps
 * the operands (contrib_ops/cpu/quantization/qlinear_binary_op.cc,
 * input0scalar functor) and the fmas run in the other order.
 * ort_swaps() reproduces that decision (Broadcaster in
 * core/providers/cpu/math/element_wise_ops.h).
 *
 * Checked bit for bit against onnxruntime 1.20.1 (Linux x86-64) on random
 * inputs, scales and broadcast patterns, including inputs chosen where the
 * candidate orders differ. ORT builds without AVX2 (qladd.cpp, SSE2: no
 * fma), on ARM (NEON fixed point) or its scalar fallback (dequantize, add,
 * divide) can differ from this by 1 near rounding ties.
 */
static int32_t qadd_one(int32_t a, const struct lf_ref_q1 *aq, int32_t b,
			const struct lf_ref_q1 *bq, const struct lf_ref_q1 *yq,
			int32_t qlo, int32_t qhi)
{
	float ra = aq->scale / yq->scale;
	float rb = bq->scale / yq->scale;
	float fixed =
	    (float)yq->zp - fmaf(ra, (float)aq->zp, rb * (float)bq->zp);
	float v = fmaf((float)a, ra, fmaf((float)b, rb, fixed));
	float r = nearbyintf(v);
	int32_t q =
	    r >= -2147483648.0f && r < 2147483648.0f ? (int32_t)r : INT32_MIN;
	return q < qlo ? qlo : q > qhi ? qhi : q;
}

/*
 * Whether ORT's broadcaster sees input A as the repeated scalar of its
 * innermost span (then ORT swaps the operands): its first iterator delta,
 * set at the innermost aligned dim whose broadcast size exceeds 1 (or the
 * outermost common dim if none does), is 0 when A's dim there is 1. A
 * rank-0 operand is handled first, as in ORT.
 */
static int ort_swaps(const struct lf_ref_shape *as,
		     const struct lf_ref_shape *bs)
{
	int ra = as->rank, rb = bs->rank;
	int rmin = ra < rb ? ra : rb;
	if (rmin == 0)
		return ra == 0 || as->dim[ra - 1] <= 1;
	for (int i = 0; i < rmin; i++) {
		int64_t da = as->dim[ra - 1 - i], db = bs->dim[rb - 1 - i];
		int64_t big = da > db ? da : db, small = da < db ? da : db;
		int64_t use = small == 0 ? small : big;
		if (use <= 1 && i + 1 < rmin)
			continue;
		return da <= 1;
	}
	return 1;
}

lf_status lf__ref_qadd(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		       const struct lf_ref_q1 *aq,
		       const struct lf_ref_shape *bs, const void *b,
		       const struct lf_ref_q1 *bq, const struct lf_ref_q1 *yq,
		       void *y)
{
	if (!aq || !bq || !yq)
		return LF_ERR_INVALID_ARG;
	if (!lf__ref_is_q8(t))
		return LF_ERR_UNSUPPORTED;
	const struct lf_ref_q1 *qs[3] = {aq, bq, yq};
	for (int i = 0; i < 3; i++)
		if (!lf__ref_scale_ok(qs[i]->scale) ||
		    !lf__ref_zp_fits(t, qs[i]->zp))
			return LF_ERR_INVALID_ARG;
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[2] = {as, bs};
	lf_status st = lf__ref_bcast_init(&bc, 2, ins);
	if (st != LF_OK)
		return st;
	if (bc.count && (!a || !b || !y))
		return LF_ERR_INVALID_ARG;
	int swap = ort_swaps(as, bs);
	int32_t qlo, qhi;
	lf__ref_qrange(t, &qlo, &qhi);
	for (size_t i = 0; i < bc.count; i++) {
		size_t off[LF__REF_BCAST_MAX];
		lf__ref_bcast_at(&bc, i, off);
		size_t ia = off[0], ib = off[1];
		int32_t va = lf__ref_load_int(t, a, ia);
		int32_t vb = lf__ref_load_int(t, b, ib);
		int32_t v = swap ? qadd_one(vb, bq, va, aq, yq, qlo, qhi)
				 : qadd_one(va, aq, vb, bq, yq, qlo, qhi);
		lf__ref_store_int(t, y, i, v);
	}
	return LF_OK;
}

lf_status lf__ref_relu(lf_dtype t, size_t count, const void *x, void *y)
{
	if (lf__ref_dtype_size(t) == 0)
		return LF_ERR_UNSUPPORTED;
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < count; i++) {
		if (t == LF_DTYPE_FLOAT32) {
			float v = ((const float *)x)[i];
			/* NaN gives 0, as MAXPS(x, 0) in ORT's MLAS. */
			((float *)y)[i] = v > 0.0f ? v : 0.0f;
		} else {
			int32_t v = lf__ref_load_int(t, x, i);
			lf__ref_store_int(t, y, i, v > 0 ? v : 0);
		}
	}
	return LF_OK;
}

lf_status lf__ref_clip(lf_dtype t, size_t count, const void *x, const void *lo,
		       const void *hi, void *y)
{
	if (lf__ref_dtype_size(t) == 0)
		return LF_ERR_UNSUPPORTED;
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < count; i++) {
		if (t == LF_DTYPE_FLOAT32) {
			float v = ((const float *)x)[i];
			if (lo && v < *(const float *)lo)
				v = *(const float *)lo;
			if (hi && v > *(const float *)hi)
				v = *(const float *)hi;
			((float *)y)[i] = v;
		} else {
			int32_t v = lf__ref_load_int(t, x, i);
			if (lo && v < lf__ref_load_int(t, lo, 0))
				v = lf__ref_load_int(t, lo, 0);
			if (hi && v > lf__ref_load_int(t, hi, 0))
				v = lf__ref_load_int(t, hi, 0);
			lf__ref_store_int(t, y, i, v);
		}
	}
	return LF_OK;
}
