/*
 * ref_softmax.c - Softmax on float32, with both ONNX axis semantics.
 */
#include <math.h>
#include <stdint.h>

#include "hostlib/cpu/ref.h"

/* Softmax of @n values @stride apart, max-subtracted for range. */
static void softmax_line(const float *x, float *y, size_t n, size_t stride)
{
	float m = -INFINITY;
	for (size_t i = 0; i < n; i++)
		if (x[i * stride] > m)
			m = x[i * stride];
	float sum = 0.0f;
	for (size_t i = 0; i < n; i++) {
		y[i * stride] = expf(x[i * stride] - m);
		sum += y[i * stride];
	}
	for (size_t i = 0; i < n; i++)
		y[i * stride] /= sum;
}

lf_status lf__ref_softmax(const struct lf_ref_shape *s, int64_t axis,
			  int64_t opset, const float *x, float *y)
{
	size_t count;
	lf_status st = lf__ref_shape_count(s, &count);
	if (st != LF_OK)
		return st;
	int rank = s->rank;
	/* A scalar has one axis to speak of, as in ORT (rank 0 -> 1-D). */
	if (axis < -(int64_t)(rank ? rank : 1) || axis >= (rank ? rank : 1))
		return LF_ERR_INVALID_ARG;
	if (count == 0)
		return LF_OK; /* also spares the products below a 0 dim */
	if (!x || !y)
		return LF_ERR_INVALID_ARG;
	if (rank == 0) {
		softmax_line(x, y, 1, 1);
		return LF_OK;
	}
	int ax = (int)(axis < 0 ? axis + rank : axis);
	size_t outer = 1, len, inner = 1;
	for (int i = 0; i < ax; i++)
		outer *= (size_t)s->dim[i];
	if (opset < 13) {
		/* Opset 1-12: coerce to 2-D [outer, rest], one line a row. */
		len = count / outer;
	} else {
		len = (size_t)s->dim[ax];
		for (int i = ax + 1; i < rank; i++)
			inner *= (size_t)s->dim[i];
	}
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < inner; k++) {
			size_t base = o * len * inner + k;
			softmax_line(x + base, y + base, len, inner);
		}
	return LF_OK;
}
