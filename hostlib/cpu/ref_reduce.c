/*
 * ref_reduce.c - reductions over axes (ReduceMean, ReduceSum, ReduceMax)
 * and LayerNormalization, on float32.
 */
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

/*
 * Each output element is the reduction of the input elements that map to
 * it (the reduced dims collapsed), visited in row-major input order, so a
 * sum is accumulated left to right in float32.
 */
lf_status lf__ref_reduce(enum lf_ref_reduce op, const struct lf_ref_shape *xs,
			 const float *x, unsigned axes, float *y)
{
	size_t n, ny = 1, nred = 1;
	lf_status st = lf__ref_shape_count(xs, &n);
	if (st != LF_OK)
		return st;
	if ((n && (!x || !y)) || (axes >> xs->rank))
		return LF_ERR_INVALID_ARG;
	size_t ost[LF_REF_MAX_RANK];
	for (int d = xs->rank - 1; d >= 0; d--) {
		ost[d] = (axes >> d) & 1u ? 0 : ny;
		if ((axes >> d) & 1u)
			nred *= (size_t)xs->dim[d];
		else
			ny *= (size_t)xs->dim[d];
	}
	for (size_t i = 0; i < ny; i++)
		y[i] = op == LF_REF_REDUCE_MAX ? -INFINITY : 0.0f;
	for (size_t i = 0; i < n; i++) {
		size_t rem = i, o = 0;
		for (int d = xs->rank - 1; d >= 0; d--) {
			size_t c = rem % (size_t)xs->dim[d];
			rem /= (size_t)xs->dim[d];
			o += c * ost[d];
		}
		if (op == LF_REF_REDUCE_MAX)
			y[o] = x[i] > y[o] || isnan(x[i]) ? x[i] : y[o];
		else
			y[o] += x[i];
	}
	if (op == LF_REF_REDUCE_MEAN)
		for (size_t i = 0; i < ny; i++)
			y[i] = y[i] / (float)nred;
	return LF_OK;
}

/*
 * LayerNormalization over the last @norm elements of each of @rows rows,
 * as ORT's layer_norm_impl.cc for float: mean and mean of squares
 * accumulated in float32, var = mean_sq - mean^2, then
 * (x - mean) / sqrt(var + epsilon) * scale + bias.
 */
lf_status lf__ref_layernorm(size_t rows, size_t norm, const float *x,
			    const float *scale, const float *bias,
			    float epsilon, float *y)
{
	if (!norm || (rows && (!x || !scale || !y)))
		return LF_ERR_INVALID_ARG;
	for (size_t r = 0; r < rows; r++) {
		const float *p = x + r * norm;
		float mean = 0.0f, sq = 0.0f;
		for (size_t h = 0; h < norm; h++) {
			mean += p[h];
			sq += p[h] * p[h];
		}
		mean = mean / (float)norm;
		float den = sqrtf(sq / (float)norm - mean * mean + epsilon);
		for (size_t h = 0; h < norm; h++) {
			float v = (p[h] - mean) / den * scale[h];
			y[r * norm + h] = bias ? v + bias[h] : v;
		}
	}
	return LF_OK;
}
