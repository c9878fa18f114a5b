/*
 * ref_resize.c - Pad and Resize (also Upsample) on the CPU.
 *
 * Written from the ONNX operator definitions: Pad (onnx/defs/tensor/
 * defs.cc Pad-19 and old.cc Pad-2/11/13/18: "constant", "reflect", "edge",
 * "wrap"; negative pads remove elements) and Resize (defs.cc Resize-19/13
 * and old.cc Resize-10/11, Upsample-7/9: output coordinate -> input
 * coordinate per axis by coordinate_transformation_mode, then nearest /
 * N-linear / N-cubic interpolation; the formulas are quoted at
 * orig_coord()). The spec's reference (onnx/backend/test/case/node/
 * resize.py, interpolate_nd) pads the input by its edge values before
 * taking neighbours: the same as clamping the tap indices, which is what
 * this file does.
 *
 * Where the spec leaves the float32 arithmetic open this follows ONNX
 * Runtime's CPU kernels, so a model's bytes match ORT's
 * (onnxruntime/core/providers/cpu/tensor/upsamplebase.h for the
 * coordinate and nearest-pixel functions, upsample.cc/upsample.h
 * SetupUpsampleBilinear and UpsampleBilinear for linear):
 *  - coordinates in float32; an axis whose scale is 1 maps x to x;
 *  - linear weights per axis as SetupUpsampleBilinear: the coordinate
 *    clamped to [0, len-1], i1 = (int)c, i2 = min(i1 + 1, len-1),
 *    w(i1) = |c - i2|, w(i2) = |c - i1|, both 0.5 when i1 == i2;
 *  - a tap's weight is the product of the axes' weights, term =
 *    weight * x, terms summed in order (outer axis first), as
 *    UpsampleBilinear's dx2*dy2*X11 + dx1*dy2*X21 + dx2*dy1*X12 +
 *    dx1*dy1*X22; integer types truncate the float sum (static_cast<T>).
 * Known differences from ORT: (1) its bilinear kernel keeps two taps
 * (weights 1 and 0, or 0.5 and 0.5 at the last row) on a 4-D input's H
 * axis when only W is resized; here that axis has one tap of weight 1:
 * the sums can differ in the last float bit at the last row. (2) With
 * scales given, length_resized in the coordinate formulas is scale *
 * length_original, as the spec defines scale and its reference computes
 * (ORT uses the rounded output size): they differ only for
 * align_corners / pytorch_half_pixel / half_pixel_symmetric when that
 * product is not an integer.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

/* Input index of output index @o along an axis of @n inputs padded by
 * @b before, or -1 for the constant. */
static int64_t pad_index(enum lf_ref_pad_mode mode, int64_t o, int64_t b,
			 int64_t n)
{
	int64_t i = o - b;
	if (i >= 0 && i < n)
		return i;
	switch (mode) {
	case LF_REF_PAD_CONSTANT:
		return -1;
	case LF_REF_PAD_EDGE:
		return i < 0 ? 0 : n - 1;
	case LF_REF_PAD_WRAP:
		return ((i % n) + n) % n;
	case LF_REF_PAD_REFLECT:
		if (n == 1)
			return 0;
		{
			/* numpy's reflect: period 2(n-1), mirrored half. */
			int64_t p = 2 * (n - 1);
			int64_t k = ((i % p) + p) % p;
			return k < n ? k : p - k;
		}
	}
	return -1;
}

/* Last-axis index maps up to this many entries (8 MiB); longer axes
 * compute each index as they go. */
#define PAD_MAP_MAX ((size_t)1 << 20)

/* One element of @esize bytes: fixed sizes copied inline. */
static inline void put_elem(uint8_t *d, const uint8_t *s, size_t esize)
{
	switch (esize) {
	case 1:
		*d = *s;
		break;
	case 2:
		memcpy(d, s, 2);
		break;
	case 4:
		memcpy(d, s, 4);
		break;
	case 8:
		memcpy(d, s, 8);
		break;
	default:
		memcpy(d, s, esize);
	}
}

lf_status lf__ref_pad(size_t esize, enum lf_ref_pad_mode mode,
		      const struct lf_ref_shape *xs, const void *x,
		      const int64_t *begin, const struct lf_ref_shape *ys,
		      const void *value, void *y)
{
	size_t nx, ny;
	lf_status st = lf__ref_shape_count(xs, &nx);
	if (st == LF_OK)
		st = lf__ref_shape_count(ys, &ny);
	if (st != LF_OK)
		return st;
	if (!esize || !begin || ys->rank != xs->rank || mode > LF_REF_PAD_WRAP)
		return LF_ERR_INVALID_ARG;
	int r = xs->rank;
	/* Every output index maps inside, or to the constant. */
	for (int d = 0; d < r; d++)
		if (ys->dim[d] && !xs->dim[d] && mode != LF_REF_PAD_CONSTANT)
			return LF_ERR_INVALID_ARG;
	if (!ny)
		return LF_OK;
	if (!y || (nx && !x) || (mode == LF_REF_PAD_CONSTANT && !value))
		return LF_ERR_INVALID_ARG;
	size_t xst[LF_REF_MAX_RANK], acc = 1;
	for (int d = r - 1; d >= 0; d--) {
		xst[d] = acc;
		acc *= (size_t)xs->dim[d];
	}
	const uint8_t *src = x;
	uint8_t *dst = y;
	if (r == 0) {
		memcpy(dst, src, esize);
		return LF_OK;
	}
	/* Row by row along the last axis: the outer axes' offset once per
	 * row, the last axis' index map once per call (a per-element walk
	 * over every axis took ~100 ns an element: a crafted 248 M-element
	 * reflect pad held the loader for 24 s). */
	size_t yl = (size_t)ys->dim[r - 1], rows = ny / yl;
	int64_t xl = xs->dim[r - 1], bl = begin[r - 1];
	int64_t *map = yl <= PAD_MAP_MAX ? malloc(yl * sizeof(*map)) : NULL;
	for (size_t j = 0; map && j < yl; j++)
		map[j] = pad_index(mode, (int64_t)j, bl, xl);
	for (size_t q = 0; q < rows; q++) {
		size_t rem = q, off = 0;
		int outside = 0;
		for (int d = r - 2; d >= 0; d--) {
			int64_t o = (int64_t)(rem % (size_t)ys->dim[d]);
			rem /= (size_t)ys->dim[d];
			int64_t k = pad_index(mode, o, begin[d], xs->dim[d]);
			if (k < 0)
				outside = 1;
			else
				off += (size_t)k * xst[d];
		}
		uint8_t *row = dst + q * yl * esize;
		const uint8_t *srow = src + off * esize;
		for (size_t j = 0; j < yl; j++) {
			int64_t k = outside ? -1
				    : map   ? map[j]
					  : pad_index(mode, (int64_t)j, bl, xl);
			put_elem(row + j * esize,
				 k < 0 ? value : srow + (size_t)k * esize,
				 esize);
		}
	}
	free(map);
	return LF_OK;
}

/*
 * The input coordinate of output coordinate @x along an axis, in float32
 * as ORT's upsamplebase.h. The spec (Resize-19's
 * coordinate_transformation_mode), with scale = length_resized /
 * length_original when sizes are given, the scales input otherwise:
 *   half_pixel:          (x + 0.5) / scale - 0.5
 *   half_pixel_symmetric: adjustment = length_resized / (scale *
 *     length_original), offset = length_original / 2 * (1 - adjustment),
 *     offset + (x + 0.5) / scale - 0.5
 *   pytorch_half_pixel:  length_resized > 1 ? (x + 0.5) / scale - 0.5 : 0
 *   align_corners:       x * (length_original - 1) / (length_resized - 1)
 *                        (0 when length_resized is 1)
 *   asymmetric:          x / scale
 *   tf_half_pixel_for_nn (Resize-11): (x + 0.5) / scale
 *   tf_crop_and_resize:  length_resized > 1 ? start * (length_original -
 *     1) + x * (end - start) * (length_original - 1) / (length_resized -
 *     1) : 0.5 * (start + end) * (length_original - 1)
 */
static float orig_coord(const struct lf_ref_resize *p, int d, float x,
			float len_out, float len_in)
{
	float s = p->scale[d];
	switch (p->coord) {
	case LF_REF_COORD_HALF_PIXEL:
		return ((x + 0.5f) / s) - 0.5f;
	case LF_REF_COORD_HALF_PIXEL_SYMMETRIC: {
		float adjustment = len_out / (s * len_in);
		float center = len_in / 2;
		float offset = center * (1 - adjustment);
		return offset + ((x + 0.5f) / s) - 0.5f;
	}
	case LF_REF_COORD_PYTORCH_HALF_PIXEL:
		return len_out > 1 ? ((x + 0.5f) / s) - 0.5f : 0.0f;
	case LF_REF_COORD_ALIGN_CORNERS:
		return len_out == 1 ? 0.0f : x * (len_in - 1) / (len_out - 1);
	case LF_REF_COORD_ASYMMETRIC:
		return x / s;
	case LF_REF_COORD_TF_HALF_PIXEL_FOR_NN:
		return (x + 0.5f) / s;
	case LF_REF_COORD_TF_CROP_AND_RESIZE: {
		float a = p->roi_start[d], b = p->roi_end[d];
		return len_out > 1
			   ? a * (len_in - 1) +
				 (x * (b - a) * (len_in - 1)) / (len_out - 1)
			   : 0.5f * (a + b) * (len_in - 1);
	}
	}
	return x;
}

/* Resize-13's nearest_mode on coordinate @c (the spec's reference
 * nearest_coeffs: the lower neighbour unless the fraction says the upper
 * one; an integer coordinate is itself). */
static int64_t nearest_index(enum lf_ref_nearest m, float c, int down)
{
	double f = floor((double)c);
	double r = (double)c - f;
	switch (m) {
	case LF_REF_NEAREST_ROUND_PREFER_FLOOR:
		return (int64_t)(r <= 0.5 ? f : f + 1);
	case LF_REF_NEAREST_ROUND_PREFER_CEIL:
		return (int64_t)(r < 0.5 ? f : f + 1);
	case LF_REF_NEAREST_FLOOR:
		return (int64_t)f;
	case LF_REF_NEAREST_CEIL:
		return (int64_t)ceil((double)c);
	case LF_REF_NEAREST_SIMPLE:
		return down ? (int64_t)ceil((double)c) : (int64_t)c;
	}
	return (int64_t)f;
}

static int64_t clamp_i(int64_t v, int64_t n)
{
	return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/* Up to 4 taps per output index of one axis. */
#define TAPS 4

struct axis_taps {
	int ntap;      /* 1 (nearest, or an axis not resized), 2, 4 */
	int64_t *idx;  /* [out][TAPS] input indices */
	float *w;      /* [out][TAPS] weights */
	uint8_t *skip; /* [out]: outside (extrapolation value) */
	size_t stride; /* input elements per step of this axis */
};

/* The spec's cubic_coeffs for fraction @r with coefficient @A. */
static void cubic_coeffs(double r, double A, double c[4])
{
	double a = r + 1, b = 1 - r, e = 2 - r;
	c[0] = ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
	c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
	c[2] = ((A + 2) * b - (A + 3)) * b * b + 1;
	c[3] = ((A * e - 5 * A) * e + 8 * A) * e - 4 * A;
}

static lf_status axis_setup(const struct lf_ref_resize *p, int d, int64_t n_in,
			    int64_t n_out, struct axis_taps *a)
{
	int identity = p->scale[d] == 1.0f && n_in == n_out &&
		       p->coord != LF_REF_COORD_TF_CROP_AND_RESIZE;
	a->ntap = identity || p->mode == LF_REF_RESIZE_NEAREST ? 1
		  : p->mode == LF_REF_RESIZE_LINEAR	       ? 2
							       : 4;
	size_t n = (size_t)n_out;
	if (n > SIZE_MAX / (TAPS * sizeof(int64_t)))
		return LF_ERR_OVERFLOW;
	a->idx = malloc(n * TAPS * sizeof(int64_t) + 1);
	a->w = malloc(n * TAPS * sizeof(float) + 1);
	a->skip = calloc(n + 1, 1);
	if (!a->idx || !a->w || !a->skip)
		return LF_ERR_NO_MEMORY;
	float lo = p->len_resized[d] > 0 ? p->len_resized[d] : (float)n_out;
	float li = (float)n_in;
	for (size_t o = 0; o < n; o++) {
		int64_t *ix = a->idx + o * TAPS;
		float *w = a->w + o * TAPS;
		if (identity) {
			ix[0] = (int64_t)o;
			w[0] = 1.0f;
			continue;
		}
		float c = orig_coord(p, d, (float)o, lo, li);
		if (p->coord == LF_REF_COORD_TF_CROP_AND_RESIZE &&
		    (c < 0 || c > li - 1)) {
			a->skip[o] = 1;
			ix[0] = ix[1] = ix[2] = ix[3] = 0;
			continue;
		}
		if (p->mode == LF_REF_RESIZE_NEAREST) {
			ix[0] = clamp_i(
			    nearest_index(p->nearest, c, p->scale[d] < 1.0f),
			    n_in);
			w[0] = 1.0f;
		} else if (p->mode == LF_REF_RESIZE_LINEAR) {
			float v = c < 0 ? 0.0f : c > li - 1 ? li - 1 : c;
			int64_t i1 = (int64_t)v;
			if (i1 > n_in - 1)
				i1 = n_in - 1;
			int64_t i2 = i1 + 1 > n_in - 1 ? n_in - 1 : i1 + 1;
			ix[0] = i1;
			ix[1] = i2;
			w[0] = fabsf(v - (float)i2);
			w[1] = fabsf(v - (float)i1);
			if (i1 == i2)
				w[0] = w[1] = 0.5f;
		} else {
			/* The reference's 4 nearest indices (ties to the
			 * lower): floor-1 .. floor+2, or x-2 .. x+1 with
			 * fraction 1 for an integer x. */
			double f = floor((double)c), r = (double)c - f;
			if (r == 0) {
				f -= 1;
				r = 1;
			}
			double cf[4], sum = 0;
			cubic_coeffs(r, p->cubic_a, cf);
			for (int k = 0; k < 4; k++) {
				int64_t j = (int64_t)f - 1 + k;
				if (p->exclude_outside && (j < 0 || j >= n_in))
					cf[k] = 0;
				sum += cf[k];
				ix[k] = clamp_i(j, n_in);
			}
			for (int k = 0; k < 4; k++)
				w[k] = (float)(p->exclude_outside && sum != 0
						   ? cf[k] / sum
						   : cf[k]);
		}
	}
	return LF_OK;
}

static float load_f(enum lf_ref_num t, const void *x, size_t i)
{
	switch (t) {
	case LF_REF_NUM_F32:
		return ((const float *)x)[i];
	case LF_REF_NUM_U8:
		return ((const uint8_t *)x)[i];
	case LF_REF_NUM_I8:
		return ((const int8_t *)x)[i];
	case LF_REF_NUM_I32:
		return (float)((const int32_t *)x)[i];
	default:
		return 0.0f;
	}
}

/* Store @v as ORT's static_cast<T>(float): truncation toward zero (the
 * range is clamped first; C leaves out-of-range conversions undefined). */
static void store_f(enum lf_ref_num t, void *y, size_t i, float v)
{
	switch (t) {
	case LF_REF_NUM_F32:
		((float *)y)[i] = v;
		break;
	case LF_REF_NUM_U8:
		((uint8_t *)y)[i] = (uint8_t)(v != v	   ? 0
					      : v < 0	   ? 0
					      : v > 255.0f ? 255
							   : v);
		break;
	case LF_REF_NUM_I8:
		((int8_t *)y)[i] = (int8_t)(v != v	  ? 0
					    : v < -128.0f ? -128
					    : v > 127.0f  ? 127
							  : v);
		break;
	case LF_REF_NUM_I32:
		/* An integer ternary: INT32_MAX as a float is 2^31, whose
		 * conversion to int32_t is undefined (and clang's
		 * -Wimplicit-const-int-float-conversion, so make fuzz). */
		((int32_t *)y)[i] = v != v		 ? 0
				    : v < -2147483648.0f ? INT32_MIN
				    : v >= 2147483648.0f ? INT32_MAX
							 : (int32_t)v;
		break;
	default:
		break;
	}
}

lf_status lf__ref_resize(enum lf_ref_num t, const struct lf_ref_resize *p,
			 const struct lf_ref_shape *xs, const void *x,
			 const struct lf_ref_shape *ys, void *y)
{
	size_t nx, ny;
	lf_status st = lf__ref_shape_count(xs, &nx);
	if (st == LF_OK)
		st = lf__ref_shape_count(ys, &ny);
	if (st != LF_OK)
		return st;
	if (!p || ys->rank != xs->rank || xs->rank < 1 ||
	    p->mode > LF_REF_RESIZE_CUBIC ||
	    p->coord > LF_REF_COORD_TF_CROP_AND_RESIZE ||
	    p->nearest > LF_REF_NEAREST_SIMPLE)
		return LF_ERR_INVALID_ARG;
	size_t es = lf__ref_num_size(t);
	if (p->mode != LF_REF_RESIZE_NEAREST &&
	    (t == LF_REF_NUM_I64 || t == LF_REF_NUM_BOOL ||
	     (p->mode == LF_REF_RESIZE_CUBIC && t != LF_REF_NUM_F32)))
		return LF_ERR_UNSUPPORTED;
	int r = xs->rank;
	for (int d = 0; d < r; d++) {
		if (!(p->scale[d] > 0.0f) || !isfinite(p->scale[d]))
			return LF_ERR_INVALID_ARG;
		if (ys->dim[d] && !xs->dim[d])
			return LF_ERR_INVALID_ARG;
	}
	if (!ny)
		return LF_OK;
	if (!x || !y)
		return LF_ERR_INVALID_ARG;
	struct axis_taps ax[LF_REF_MAX_RANK];
	memset(ax, 0, sizeof(ax));
	size_t acc = 1;
	for (int d = r - 1; d >= 0 && st == LF_OK; d--) {
		ax[d].stride = acc;
		acc *= (size_t)xs->dim[d];
		st = axis_setup(p, d, xs->dim[d], ys->dim[d], &ax[d]);
	}
	/* Extrapolated outputs hold extrapolation_value as the type. */
	uint8_t ext[8] = {0};
	if (t == LF_REF_NUM_I64)
		*(int64_t *)ext = (int64_t)p->extrapolation;
	else if (t == LF_REF_NUM_BOOL)
		ext[0] = p->extrapolation != 0.0f;
	else
		store_f(t, ext, 0, p->extrapolation);
	for (size_t i = 0; i < ny && st == LF_OK; i++) {
		size_t o[LF_REF_MAX_RANK], rem = i;
		int skip = 0;
		for (int d = r - 1; d >= 0; d--) {
			o[d] = rem % (size_t)ys->dim[d];
			rem /= (size_t)ys->dim[d];
			skip |= ax[d].skip[o[d]];
		}
		if (skip) {
			memcpy((uint8_t *)y + i * es, ext, es);
			continue;
		}
		if (p->mode == LF_REF_RESIZE_NEAREST) {
			size_t off = 0;
			for (int d = 0; d < r; d++)
				off += (size_t)ax[d].idx[o[d] * TAPS] *
				       ax[d].stride;
			memcpy((uint8_t *)y + i * es,
			       (const uint8_t *)x + off * es, es);
			continue;
		}
		/* Every combination of taps, the last axis fastest. */
		int k[LF_REF_MAX_RANK] = {0};
		float sum = 0.0f;
		for (int first = 1;; first = 0) {
			size_t off = 0;
			float w = 1.0f;
			for (int d = 0; d < r; d++) {
				off += (size_t)ax[d].idx[o[d] * TAPS + k[d]] *
				       ax[d].stride;
				w = d ? w * ax[d].w[o[d] * TAPS + k[d]]
				      : ax[d].w[o[d] * TAPS + k[d]];
			}
			float term = w * load_f(t, x, off);
			sum = first ? term : sum + term;
			int d = r - 1;
			while (d >= 0 && ++k[d] == ax[d].ntap)
				k[d--] = 0;
			if (d < 0)
				break;
		}
		store_f(t, y, i, sum);
	}
	for (int d = 0; d < r; d++) {
		free(ax[d].idx);
		free(ax[d].w);
		free(ax[d].skip);
	}
	return st;
}
