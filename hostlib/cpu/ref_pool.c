/*
 * ref_pool.c - MaxPool, AveragePool, GlobalAveragePool and the
 * com.microsoft QLinearAveragePool / QLinearGlobalAveragePool, 1-D to 3-D,
 * NCHW. One output element at a time; a missing spatial dim is treated as
 * extent 1 so every rank runs through the same three loops.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

#define NSP LF_REF_POOL_MAX_DIMS

/*
 * Output size as onnxruntime/core/providers/cpu/nn/pool_attributes.h
 * (ComputeOutputSize): (in + pads - dil*(k-1) - 1) / stride + 1, floored,
 * or ceiled in ceil_mode. ORT evaluates it in float; integers give the same
 * result for every size that float represents exactly. A window with no
 * room (negative numerator) gives 0, which the caller rejects.
 */
static int64_t pool_out_dim(int64_t in, int64_t pads, int64_t k, int64_t stride,
			    int64_t dil, int ceil_mode)
{
	int64_t num = in + pads - dil * (k - 1) - 1;
	if (num < 0)
		return 0;
	return (ceil_mode ? (num + stride - 1) / stride : num / stride) + 1;
}

lf_status lf__ref_pool_plan(struct lf_ref_pool *p)
{
	if (!p)
		return LF_ERR_INVALID_ARG;
	if (p->nsp < 1 || p->nsp > NSP || p->n < 0 || p->c < 0)
		return LF_ERR_SHAPE;
	for (int i = 0; i < p->nsp; i++) {
		/* Bounds keep every product below comfortably inside int64. */
		if (p->in[i] < 1 || p->in[i] > INT32_MAX || p->kernel[i] < 1 ||
		    p->kernel[i] > INT32_MAX || p->stride[i] < 1 ||
		    p->stride[i] > INT32_MAX || p->dil[i] < 1 ||
		    p->dil[i] > INT32_MAX)
			return LF_ERR_SHAPE;
		int64_t k = p->kernel[i], s = p->stride[i], in = p->in[i];
		int64_t need, head;
		switch (p->auto_pad) {
		case LF_REF_AUTO_PAD_NOTSET:
			/* ORT's PoolAttributes: "Pad should be smaller than
			 * kernel." */
			if (p->pad_begin[i] < 0 || p->pad_end[i] < 0 ||
			    p->pad_begin[i] >= k || p->pad_end[i] >= k)
				return LF_ERR_INVALID_ARG;
			break;
		case LF_REF_AUTO_PAD_VALID:
			p->pad_begin[i] = p->pad_end[i] = 0;
			break;
		case LF_REF_AUTO_PAD_SAME_UPPER:
		case LF_REF_AUTO_PAD_SAME_LOWER:
			/*
			 * ORT (ComputeSizePadDilations) sizes the padding with
			 * the undilated kernel; the extra goes at the end for
			 * SAME_UPPER, at the start for SAME_LOWER. ORT lets
			 * the total go negative when stride > kernel, which
			 * shifts its windows; we clamp it at 0 as the ONNX
			 * spec intends.
			 */
			need = ((in + s - 1) / s - 1) * s + k - in;
			if (need < 0)
				need = 0;
			head = p->auto_pad == LF_REF_AUTO_PAD_SAME_UPPER
				   ? need / 2
				   : (need + 1) / 2;
			p->pad_begin[i] = head;
			p->pad_end[i] = need - head;
			break;
		default:
			return LF_ERR_INVALID_ARG;
		}
		p->out[i] = pool_out_dim(in, p->pad_begin[i] + p->pad_end[i], k,
					 s, p->dil[i], p->ceil_mode);
		if (p->out[i] < 1)
			return LF_ERR_SHAPE;
	}
	return LF_OK;
}

/* A plan padded to three spatial dims, and its element counts. */
struct pool3 {
	int64_t in[NSP], k[NSP], s[NSP], d[NSP], pb[NSP], out[NSP];
	size_t nc, x_image, y_image;
};

static lf_status pool3_make(const struct lf_ref_pool *p, struct pool3 *q)
{
	if (!p || p->nsp < 1 || p->nsp > NSP || p->n < 0 || p->c < 0)
		return LF_ERR_SHAPE;
	size_t xi = 1, yi = 1;
	for (int i = 0; i < NSP; i++) {
		int used = i < p->nsp;
		q->in[i] = used ? p->in[i] : 1;
		q->k[i] = used ? p->kernel[i] : 1;
		q->s[i] = used ? p->stride[i] : 1;
		q->d[i] = used ? p->dil[i] : 1;
		q->pb[i] = used ? p->pad_begin[i] : 0;
		q->out[i] = used ? p->out[i] : 1;
		if (q->in[i] < 1 || q->k[i] < 1 || q->s[i] < 1 || q->d[i] < 1 ||
		    q->pb[i] < 0 || q->out[i] < 1 || q->in[i] > INT32_MAX ||
		    q->k[i] > INT32_MAX || q->s[i] > INT32_MAX ||
		    q->d[i] > INT32_MAX || q->pb[i] > INT32_MAX ||
		    q->out[i] > INT32_MAX)
			return LF_ERR_SHAPE;
		if (__builtin_mul_overflow(xi, (size_t)q->in[i], &xi) ||
		    __builtin_mul_overflow(yi, (size_t)q->out[i], &yi))
			return LF_ERR_OVERFLOW;
	}
	if (__builtin_mul_overflow((size_t)p->n, (size_t)p->c, &q->nc))
		return LF_ERR_OVERFLOW;
	size_t tx, ty;
	if (__builtin_mul_overflow(q->nc, xi, &tx) ||
	    __builtin_mul_overflow(q->nc, yi, &ty))
		return LF_ERR_OVERFLOW;
	q->x_image = xi;
	q->y_image = yi;
	return LF_OK;
}

/* First tap of output position @o along dim @i (may be in the padding). */
static int64_t tap0(const struct pool3 *q, int i, int64_t o)
{
	return o * q->s[i] - q->pb[i];
}

static int inside(const struct pool3 *q, int i, int64_t v)
{
	return v >= 0 && v < q->in[i];
}

static float load_f(lf_dtype t, const void *x, size_t i)
{
	if (t == LF_DTYPE_FLOAT32)
		return ((const float *)x)[i];
	return (float)lf__ref_load_int(t, x, i);
}

/*
 * As ORT's MaxPool (onnxruntime/core/providers/cpu/nn/pool.cc, the
 * dilated / index-output path; MLAS gives the same values): start from the
 * type's lowest value, take x when x > max (so NaN is skipped and the first
 * maximum wins), over the in-bounds taps only.
 */
lf_status lf__ref_maxpool(const struct lf_ref_pool *p, lf_dtype t,
			  const void *x, void *y, int64_t *indices,
			  int storage_order)
{
	struct pool3 q;
	lf_status st = pool3_make(p, &q);
	if (st != LF_OK)
		return st;
	if (t != LF_DTYPE_FLOAT32 && !lf__ref_is_q8(t))
		return LF_ERR_UNSUPPORTED;
	if (storage_order != 0 && storage_order != 1)
		return LF_ERR_INVALID_ARG;
	if (q.nc && (!x || !y))
		return LF_ERR_INVALID_ARG;
	int32_t qlo, qhi;
	lf__ref_qrange(t, &qlo, &qhi);
	const float lowest = t == LF_DTYPE_FLOAT32 ? -FLT_MAX : (float)qlo;
	size_t yi = 0;
	for (size_t c = 0; c < q.nc; c++) {
		size_t xbase = c * q.x_image;
		for (int64_t o0 = 0; o0 < q.out[0]; o0++)
			for (int64_t o1 = 0; o1 < q.out[1]; o1++)
				for (int64_t o2 = 0; o2 < q.out[2];
				     o2++, yi++) {
					float m = lowest;
					/* Unused dims count as index 0. */
					int64_t at[NSP] = {-1,
							   p->nsp > 1 ? -1 : 0,
							   p->nsp > 2 ? -1 : 0};
					for (int64_t a = 0; a < q.k[0]; a++) {
						int64_t h = tap0(&q, 0, o0) +
							    a * q.d[0];
						if (!inside(&q, 0, h))
							continue;
						for (int64_t b = 0; b < q.k[1];
						     b++) {
							int64_t w =
							    tap0(&q, 1, o1) +
							    b * q.d[1];
							if (!inside(&q, 1, w))
								continue;
							for (int64_t e = 0;
							     e < q.k[2]; e++) {
								int64_t d =
								    tap0(&q, 2,
									 o2) +
								    e * q.d[2];
								if (!inside(&q,
									    2,
									    d))
									continue;
								size_t xi =
								    xbase +
								    (size_t)((h * q.in[1] +
									      w) *
										 q.in[2] +
									     d);
								float v =
								    load_f(t, x,
									   xi);
								if (v > m) {
									m = v;
									at[0] =
									    h;
									at[1] =
									    w;
									at[2] =
									    d;
								}
							}
						}
					}
					if (t == LF_DTYPE_FLOAT32)
						((float *)y)[yi] = m;
					else
						lf__ref_store_int(t, y, yi,
								  (int32_t)m);
					if (!indices)
						continue;
					/* ORT writes the image offset plus -1
					 * terms when no tap is in bounds; keep
					 * its arithmetic. */
					int64_t idx =
					    storage_order == 0
						? (at[0] * q.in[1] + at[1]) *
							  q.in[2] +
						      at[2]
						: at[0] + at[1] * q.in[0] +
						      at[2] * q.in[0] * q.in[1];
					indices[yi] = (int64_t)xbase + idx;
				}
	}
	return LF_OK;
}

/*
 * Sum of the in-bounds taps of one window (float, in scan order) and how
 * many there were.
 */
static float window_sum(const struct pool3 *q, const float *xc, int64_t o0,
			int64_t o1, int64_t o2, int64_t *taps)
{
	float sum = 0.0f;
	int64_t n = 0;
	for (int64_t a = 0; a < q->k[0]; a++) {
		int64_t h = tap0(q, 0, o0) + a * q->d[0];
		if (!inside(q, 0, h))
			continue;
		for (int64_t b = 0; b < q->k[1]; b++) {
			int64_t w = tap0(q, 1, o1) + b * q->d[1];
			if (!inside(q, 1, w))
				continue;
			for (int64_t e = 0; e < q->k[2]; e++) {
				int64_t d = tap0(q, 2, o2) + e * q->d[2];
				if (!inside(q, 2, d))
					continue;
				sum += xc[(h * q->in[1] + w) * q->in[2] + d];
				n++;
			}
		}
	}
	*taps = n;
	return sum;
}

/*
 * The divisor, as ORT's float AveragePool (MLAS pooling.cpp,
 * MlasPool2DKernel & co.): with count_include_pad the whole kernel size,
 * even where a ceil_mode window reaches past the padding; otherwise the
 * number of in-bounds taps. A window with no tap divides 0 by 0 (NaN), as
 * ORT does.
 */
static float avg_divisor(const struct pool3 *q, int include_pad, int64_t taps)
{
	if (include_pad)
		return (float)(q->k[0] * q->k[1] * q->k[2]);
	return (float)taps;
}

lf_status lf__ref_avgpool(const struct lf_ref_pool *p, const float *x, float *y)
{
	struct pool3 q;
	lf_status st = pool3_make(p, &q);
	if (st != LF_OK)
		return st;
	if (q.nc && (!x || !y))
		return LF_ERR_INVALID_ARG;
	size_t yi = 0;
	for (size_t c = 0; c < q.nc; c++) {
		const float *xc = x + c * q.x_image;
		for (int64_t o0 = 0; o0 < q.out[0]; o0++)
			for (int64_t o1 = 0; o1 < q.out[1]; o1++)
				for (int64_t o2 = 0; o2 < q.out[2];
				     o2++, yi++) {
					int64_t taps;
					float sum = window_sum(&q, xc, o0, o1,
							       o2, &taps);
					y[yi] =
					    sum /
					    avg_divisor(
						&q, p->count_include_pad, taps);
				}
	}
	return LF_OK;
}

lf_status lf__ref_global_avgpool(size_t nc, size_t image, const float *x,
				 float *y)
{
	size_t total;
	if (image == 0 || __builtin_mul_overflow(nc, image, &total))
		return LF_ERR_SHAPE;
	if (nc && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t c = 0; c < nc; c++) {
		float sum = 0.0f;
		for (size_t i = 0; i < image; i++)
			sum += x[c * image + i];
		y[c] = sum / (float)image;
	}
	return LF_OK;
}

static lf_status q1_check(lf_dtype t, const struct lf_ref_q1 *xq,
			  const struct lf_ref_q1 *yq)
{
	if (!xq || !yq)
		return LF_ERR_INVALID_ARG;
	if (!lf__ref_is_q8(t))
		return LF_ERR_UNSUPPORTED;
	if (!lf__ref_scale_ok(xq->scale) || !lf__ref_scale_ok(yq->scale) ||
	    !lf__ref_zp_fits(t, xq->zp) || !lf__ref_zp_fits(t, yq->zp))
		return LF_ERR_INVALID_ARG;
	return LF_OK;
}

/*
 * As onnxruntime/core/mlas/lib/qlgavgpool.cpp (MlasQLinearGlobalAveragePool
 * Nchw, x86 path) and quantize.cpp (MlasRequantizeOutput):
 *   scale = x_scale / (y_scale * (float)image)        (ORT refuses image >=
 *                          2^24 and scale outside [2^-32, 256): we do too)
 *   acc   = sum(x) + (-x_zp * image)                   int32, wrapping
 *   y     = rint_half_even(clamp((float)acc * scale, qmin - y_zp,
 *                                qmax - y_zp)) + y_zp
 */
lf_status lf__ref_qglobal_avgpool(size_t nc, size_t image, lf_dtype t,
				  const struct lf_ref_q1 *xq,
				  const struct lf_ref_q1 *yq, const void *x,
				  void *y)
{
	lf_status st = q1_check(t, xq, yq);
	if (st != LF_OK)
		return st;
	size_t total;
	if (image == 0 || __builtin_mul_overflow(nc, image, &total))
		return LF_ERR_SHAPE;
	if (nc && (!x || !y))
		return LF_ERR_INVALID_ARG;
	if (image >= 0x1000000u)
		return LF_ERR_UNSUPPORTED;
	float scale = xq->scale / (yq->scale * (float)image);
	if (scale < 0x1.0p-32f || scale >= 256.0f)
		return LF_ERR_UNSUPPORTED;
	int32_t qlo, qhi;
	lf__ref_qrange(t, &qlo, &qhi);
	uint32_t bias = (uint32_t)(-xq->zp) * (uint32_t)image;
	for (size_t c = 0; c < nc; c++) {
		uint32_t acc = bias;
		for (size_t i = 0; i < image; i++)
			acc += (uint32_t)lf__ref_load_int(t, x, c * image + i);
		float v = (float)(int32_t)acc * scale;
		float lo = (float)(qlo - yq->zp), hi = (float)(qhi - yq->zp);
		if (v < lo)
			v = lo;
		if (v > hi)
			v = hi;
		lf__ref_store_int(t, y, c, (int32_t)nearbyintf(v) + yq->zp);
	}
	return LF_OK;
}

/*
 * ORT's quantize_value() in contrib_ops/cpu/quantization/qlinear_pool.cc:
 *   static_cast<int32_t>(nearbyintf(y / y_scale + y_zp)), then clamped.
 * Note the zero point is added in float before rounding (QuantizeLinear
 * adds it after). Out of int32 range, x86's conversion gives INT32_MIN,
 * which the clamp turns into qmin; we reproduce that.
 */
static int32_t qpool_quantize(float v, const struct lf_ref_q1 *yq, int32_t qlo,
			      int32_t qhi)
{
	float r = nearbyintf(v / yq->scale + (float)yq->zp);
	int32_t q =
	    r >= -2147483648.0f && r < 2147483648.0f ? (int32_t)r : INT32_MIN;
	return q < qlo ? qlo : q > qhi ? qhi : q;
}

/*
 * As ORT's QLinearAveragePool (contrib_ops/cpu/quantization/qlinear_pool.cc):
 * - a kernel covering the whole image with no padding runs
 *   QLinearGlobalAveragePool instead (integer sum, other rounding);
 * - otherwise every x is dequantized, x_scale * (float)(x - x_zp), the
 *   window summed in float in scan order, divided by the kernel size
 *   (count_include_pad, even past the padding) or the in-bounds count,
 *   and quantized by qpool_quantize();
 * - dilations are not supported (ORT ignores them; we refuse).
 */
lf_status lf__ref_qavgpool(const struct lf_ref_pool *p, lf_dtype t,
			   const struct lf_ref_q1 *xq,
			   const struct lf_ref_q1 *yq, const void *x, void *y)
{
	lf_status st = q1_check(t, xq, yq);
	if (st != LF_OK)
		return st;
	struct pool3 q;
	st = pool3_make(p, &q);
	if (st != LF_OK)
		return st;
	if (q.nc && (!x || !y))
		return LF_ERR_INVALID_ARG;
	int global = 1;
	for (int i = 0; i < NSP; i++) {
		if (q.d[i] != 1)
			return LF_ERR_UNSUPPORTED;
		if (q.k[i] != q.in[i] || q.pb[i] != 0 ||
		    (i < p->nsp && p->pad_end[i] != 0))
			global = 0;
	}
	if (global)
		return lf__ref_qglobal_avgpool(q.nc, q.x_image, t, xq, yq, x,
					       y);

	int32_t qlo, qhi;
	lf__ref_qrange(t, &qlo, &qhi);
	float deq[256]; /* dequantized value of every 8-bit code */
	for (int32_t v = qlo; v <= qhi; v++)
		deq[v - qlo] = xq->scale * (float)(v - xq->zp);

	size_t yi = 0;
	for (size_t c = 0; c < q.nc; c++) {
		size_t xbase = c * q.x_image;
		for (int64_t o0 = 0; o0 < q.out[0]; o0++)
			for (int64_t o1 = 0; o1 < q.out[1]; o1++)
				for (int64_t o2 = 0; o2 < q.out[2];
				     o2++, yi++) {
					float sum = 0.0f;
					int64_t taps = 0;
					for (int64_t a = 0; a < q.k[0]; a++) {
						int64_t h = tap0(&q, 0, o0) + a;
						if (!inside(&q, 0, h))
							continue;
						for (int64_t b = 0; b < q.k[1];
						     b++) {
							int64_t w =
							    tap0(&q, 1, o1) + b;
							if (!inside(&q, 1, w))
								continue;
							for (int64_t e = 0;
							     e < q.k[2]; e++) {
								int64_t d =
								    tap0(&q, 2,
									 o2) +
								    e;
								if (!inside(&q,
									    2,
									    d))
									continue;
								size_t xi =
								    xbase +
								    (size_t)((h * q.in[1] +
									      w) *
										 q.in[2] +
									     d);
								sum += deq
								    [lf__ref_load_int(
									 t, x,
									 xi) -
								     qlo];
								taps++;
							}
						}
					}
					float avg =
					    sum /
					    avg_divisor(
						&q, p->count_include_pad, taps);
					lf__ref_store_int(
					    t, y, yi,
					    qpool_quantize(avg, yq, qlo, qhi));
				}
	}
	return LF_OK;
}
