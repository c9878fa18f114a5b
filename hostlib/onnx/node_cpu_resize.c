/*
 * node_cpu_resize.c - Pad, Resize, Upsample and Constant nodes on
 * hostlib/cpu's lf__ref_pad / lf__ref_resize. Arguments as the ONNX
 * operator definitions give them per opset:
 *  - Pad-2: attributes mode, pads, value; Pad-11/13: inputs pads,
 *    constant_value; Pad-18: input axes; Pad-19: mode "wrap".
 *  - Upsample-7: attribute scales; Upsample-9: input scales. Both with
 *    ORT's asymmetric coordinates and simple nearest rounding.
 *  - Resize-10: inputs X, scales (as Upsample); Resize-11/13: X, roi,
 *    scales, sizes and the coordinate/nearest/cubic attributes;
 *    Resize-18: axes, antialias (0 only), keep_aspect_ratio_policy
 *    ("stretch" only); Resize-19: half_pixel_symmetric.
 *  - Constant: value, value_float(s), value_int(s).
 */
#include <math.h>
#include <string.h>

#include "hostlib/onnx/node_cpu_impl.h"

/* Integer input @i as int64s (at most @max); *n = 0 when omitted. */
static lf_status ints_in(const struct lf__nctx *c, size_t i, const char *what,
			 int64_t *v, size_t max, size_t *n)
{
	const struct lf__tensor *t = lf__nc_in(c, i);
	*n = 0;
	return t ? lf__nc_ints(c, t, what, v, max, n) : LF_OK;
}

/* Axes (Pad-18 input @i, Resize-18 attribute) into per-axis slots: for
 * k < n, which[k] = the normalized axis. Without axes, 0..rank-1. */
static lf_status axes_list(const struct lf__nctx *c, const int64_t *a,
			   size_t na, int has, int rank, int *which, size_t *n)
{
	if (!has) {
		for (int d = 0; d < rank; d++)
			which[d] = d;
		*n = (size_t)rank;
		return LF_OK;
	}
	int seen[LF_REF_MAX_RANK] = {0};
	for (size_t k = 0; k < na; k++) {
		if (a[k] < -rank || a[k] >= rank)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %lld out of range for rank %d",
					   (long long)a[k], rank);
		int d = (int)(a[k] < 0 ? a[k] + rank : a[k]);
		if (seen[d]++)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "axis %d repeated", d);
		which[k] = d;
	}
	*n = na;
	return LF_OK;
}

static lf_status pad_mode(const struct lf__nctx *c, enum lf_ref_pad_mode *m)
{
	const char *s;
	lf_status st = lf__nc_attr_s(c, "mode", "constant", &s);
	if (st != LF_OK)
		return st;
	if (strcmp(s, "constant") == 0)
		*m = LF_REF_PAD_CONSTANT;
	else if (strcmp(s, "reflect") == 0)
		*m = LF_REF_PAD_REFLECT;
	else if (strcmp(s, "edge") == 0)
		*m = LF_REF_PAD_EDGE;
	else if (strcmp(s, "wrap") == 0)
		*m = LF_REF_PAD_WRAP;
	else
		return lf__nc_fail(c, LF_ERR_INVALID_ARG, "unknown mode '%s'",
				   s);
	return LF_OK;
}

lf_status lf__nc_pad(const struct lf__nctx *c)
{
	const struct lf__tensor *x;
	enum lf_ref_pad_mode mode = LF_REF_PAD_CONSTANT;
	enum lf_ref_num t;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = pad_mode(c, &mode);
	if (st == LF_OK)
		st = lf__nc_num(c, x->dtype, &t);
	if (st != LF_OK)
		return st;
	int r = x->rank;
	int64_t pads[2 * LF_REF_MAX_RANK], axes[LF_REF_MAX_RANK];
	size_t np = 0, na = 0;
	int has_axes = 0;
	uint8_t value[8] = {0};
	size_t es = lf__ref_num_size(t);
	if (c->opset && c->opset < 11) {
		const int64_t *a;
		float v;
		if ((st = lf__nc_attr_ints(c, "pads", &a, &np)) ||
		    (st = lf__nc_attr_f(c, "value", 0.0f, &v)))
			return st;
		if (!a || np > 2 * LF_REF_MAX_RANK)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "needs 'pads' (2 x rank entries)");
		memcpy(pads, a, np * sizeof(int64_t));
		if ((st = lf__ref_cast(LF_REF_NUM_F32, t, 1, &v, value)))
			return lf__nc_ref_fail(c, st, "value");
	} else {
		const struct lf__tensor *cv = lf__nc_in(c, 2), *pt;
		if ((st = lf__nc_need(c, 1, &pt)) ||
		    (st =
			 ints_in(c, 1, "pads", pads, 2 * LF_REF_MAX_RANK, &np)))
			return st;
		if (cv && cv->count) {
			if (cv->dtype != x->dtype || cv->count != 1)
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "constant_value must be one "
						   "element of the input's "
						   "type");
			memcpy(value, cv->data, es);
		}
		if (c->opset >= 18 && lf__nc_in(c, 3)) {
			has_axes = 1;
			if ((st = ints_in(c, 3, "axes", axes, LF_REF_MAX_RANK,
					  &na)))
				return st;
		}
	}
	int which[LF_REF_MAX_RANK];
	size_t n;
	if ((st = axes_list(c, axes, na, has_axes, r, which, &n)))
		return st;
	if (np != 2 * n)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "pads has %zu entries, expected %zu", np,
				   2 * n);
	int64_t begin[LF_REF_MAX_RANK] = {0};
	struct lf_ref_shape xs, ys;
	lf__nc_shape(x, &xs);
	ys = xs;
	for (size_t k = 0; k < n; k++) {
		int d = which[k];
		int64_t b = pads[k], e = pads[k + n];
		if (b > INT32_MAX || b < -x->dims[d] || e > INT32_MAX ||
		    x->dims[d] + b + e < 0)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "pads %lld, %lld do not fit axis %d "
					   "of size %lld",
					   (long long)b, (long long)e, d,
					   (long long)x->dims[d]);
		begin[d] = b;
		ys.dim[d] = x->dims[d] + b + e;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	st = lf__ref_pad(es, mode, &xs, x->data, begin, &ys, value, y->data);
	if (st == LF_ERR_INVALID_ARG)
		return lf__nc_fail(c, st,
				   "mode needs a non-empty axis to read from");
	return lf__nc_ref_fail(c, st, "pad");
}

/* A string attribute matched against a list; its index into *v. */
static lf_status pick(const struct lf__nctx *c, const char *name,
		      const char *dflt, const char *const *names, int n, int *v)
{
	const char *s;
	lf_status st = lf__nc_attr_s(c, name, dflt, &s);
	if (st != LF_OK)
		return st;
	for (int k = 0; k < n; k++)
		if (names[k] && strcmp(s, names[k]) == 0) {
			*v = k;
			return LF_OK;
		}
	return lf__nc_fail(c, LF_ERR_UNSUPPORTED, "%s '%s' not supported", name,
			   s);
}

/* Float input @i as floats (1-D, at most @max); count 0 = absent. */
static lf_status floats_in(const struct lf__nctx *c, size_t i, const char *what,
			   float *v, size_t max, size_t *n)
{
	const struct lf__tensor *t = lf__nc_in(c, i);
	*n = 0;
	if (!t || !t->count)
		return LF_OK;
	if (t->dtype != LF__ONNX_FLOAT || t->rank > 1)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "%s must be a 1-D float32 tensor", what);
	if (t->count > max)
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "%s has %zu entries (at most %zu)", what,
				   t->count, max);
	memcpy(v, t->data, t->count * sizeof(float));
	*n = t->count;
	return LF_OK;
}

/* Resize and Upsample: @upsample for Upsample-7/9 and Resize-10. */
static lf_status resize(const struct lf__nctx *c, int upsample)
{
	const struct lf__tensor *x;
	enum lf_ref_num t;
	lf_status st = lf__nc_need(c, 0, &x);
	if (st == LF_OK)
		st = lf__nc_num(c, x->dtype, &t);
	if (st != LF_OK)
		return st;
	int r = x->rank;
	struct lf_ref_resize p;
	memset(&p, 0, sizeof(p));
	static const char *const modes[] = {"nearest", "linear", "cubic"};
	static const char *const up_modes[] = {"nearest", "linear", "bilinear"};
	int m = 0;
	if ((st = pick(c, "mode", "nearest", upsample ? up_modes : modes, 3,
		       &m)))
		return st;
	p.mode = m == 2 && upsample ? LF_REF_RESIZE_LINEAR
				    : (enum lf_ref_resize_mode)m;
	float scales[LF_REF_MAX_RANK], roi[2 * LF_REF_MAX_RANK];
	int64_t sizes[LF_REF_MAX_RANK], axes[LF_REF_MAX_RANK];
	size_t ns = 0, nz = 0, nr = 0, na = 0;
	int has_axes = 0;
	for (int d = 0; d < r; d++) {
		p.scale[d] = 1.0f;
		p.roi_start[d] = 0.0f;
		p.roi_end[d] = 1.0f;
	}
	if (upsample) {
		p.coord = LF_REF_COORD_ASYMMETRIC;
		p.nearest = LF_REF_NEAREST_SIMPLE;
		if (c->opset && c->opset < 9 &&
		    lf__onnx_node_attr(c->n, "scales")) {
			const struct lf__onnx_attr *a =
			    lf__onnx_node_attr(c->n, "scales");
			if (a->type != LF__ATTR_FLOATS ||
			    a->n > LF_REF_MAX_RANK)
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "bad 'scales'");
			memcpy(scales, a->floats, a->n * sizeof(float));
			ns = a->n;
		} else if ((st = floats_in(c, 1, "scales", scales,
					   LF_REF_MAX_RANK, &ns))) {
			return st;
		}
	} else {
		static const char *const coords[] = {
		    "half_pixel",	  "half_pixel_symmetric",
		    "pytorch_half_pixel", "align_corners",
		    "asymmetric",	  "tf_half_pixel_for_nn",
		    "tf_crop_and_resize"};
		static const char *const nearests[] = {
		    "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
		int cm = 0, nm = 0;
		int64_t excl, aa;
		const char *policy;
		const int64_t *ax;
		if ((st = pick(c, "coordinate_transformation_mode",
			       "half_pixel", coords, 7, &cm)) ||
		    (st = pick(c, "nearest_mode", "round_prefer_floor",
			       nearests, 4, &nm)) ||
		    (st = lf__nc_attr_f(c, "cubic_coeff_a", -0.75f,
					&p.cubic_a)) ||
		    (st = lf__nc_attr_i(c, "exclude_outside", 0, &excl)) ||
		    (st = lf__nc_attr_f(c, "extrapolation_value", 0.0f,
					&p.extrapolation)) ||
		    (st = lf__nc_attr_i(c, "antialias", 0, &aa)) ||
		    (st = lf__nc_attr_s(c, "keep_aspect_ratio_policy",
					"stretch", &policy)) ||
		    (st = lf__nc_attr_ints(c, "axes", &ax, &na)))
			return st;
		if (aa)
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "antialias=1 not supported");
		if (strcmp(policy, "stretch") != 0)
			return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
					   "keep_aspect_ratio_policy '%s' not "
					   "supported",
					   policy);
		if (cm == 1 && c->opset && c->opset < 19)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "half_pixel_symmetric needs opset "
					   "19");
		p.coord = (enum lf_ref_resize_coord)cm;
		p.nearest = (enum lf_ref_nearest)nm;
		p.exclude_outside = excl != 0;
		if (ax) {
			if (na > LF_REF_MAX_RANK)
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "too many axes");
			memcpy(axes, ax, na * sizeof(int64_t));
			has_axes = 1;
		}
		if ((st = floats_in(c, 1, "roi", roi, 2 * LF_REF_MAX_RANK,
				    &nr)) ||
		    (st = floats_in(c, 2, "scales", scales, LF_REF_MAX_RANK,
				    &ns)) ||
		    (st = ints_in(c, 3, "sizes", sizes, LF_REF_MAX_RANK, &nz)))
			return st;
	}
	int which[LF_REF_MAX_RANK];
	size_t n;
	if ((st = axes_list(c, axes, na, has_axes, r, which, &n)))
		return st;
	if ((ns != 0) == (nz != 0))
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "exactly one of scales and sizes must be "
				   "given");
	if ((ns && ns != n) || (nz && nz != n) || (nr && nr != 2 * n))
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "scales/sizes/roi do not match %zu axes", n);
	struct lf_ref_shape xs, ys;
	lf__nc_shape(x, &xs);
	ys = xs;
	for (size_t k = 0; k < n; k++) {
		int d = which[k];
		if (nr) {
			p.roi_start[d] = roi[k];
			p.roi_end[d] = roi[k + n];
		}
		int64_t in = x->dims[d], out;
		if (nz) {
			out = sizes[k];
			if (out < 0 || out > INT32_MAX)
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "size %lld out of range",
						   (long long)out);
			/* ORT: scale = (float)out / (float)in. */
			p.scale[d] = in ? (float)out / (float)in : 1.0f;
		} else {
			if (!(scales[k] > 0.0f) || !isfinite(scales[k]))
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "scale %g is not positive",
						   (double)scales[k]);
			p.scale[d] = scales[k];
			p.len_resized[d] = (float)in * scales[k];
			/* The spec: floor(input_dimension * (roi_end -
			 * roi_start) * scale), the roi only for
			 * tf_crop_and_resize. */
			double len = p.coord == LF_REF_COORD_TF_CROP_AND_RESIZE
					 ? (double)p.roi_end[d] - p.roi_start[d]
					 : 1.0;
			double o = floor((double)in * len * (double)scales[k]);
			if (!(o >= 0) || o > INT32_MAX)
				return lf__nc_fail(c, LF_ERR_INVALID_ARG,
						   "output size out of range");
			out = (int64_t)o;
		}
		ys.dim[d] = out;
	}
	struct lf__tensor *y;
	st = lf__nc_out(c, 0, x->dtype, ys.rank, ys.dim, &y);
	if (st != LF_OK)
		return st;
	st = lf__ref_resize(t, &p, &xs, x->data, &ys, y->data);
	if (st == LF_ERR_UNSUPPORTED)
		return lf__nc_fail(c, st, "mode '%s' on %s not supported",
				   modes[p.mode],
				   lf__onnx_dtype_name(x->dtype));
	return lf__nc_ref_fail(c, st, "resize");
}

lf_status lf__nc_resize(const struct lf__nctx *c)
{
	return resize(c, c->opset == 10);
}

lf_status lf__nc_upsample(const struct lf__nctx *c)
{
	return resize(c, 1);
}

lf_status lf__nc_constant(const struct lf__nctx *c)
{
	static const char *const names[] = {
	    "value", "value_float", "value_floats", "value_int", "value_ints"};
	const struct lf__onnx_attr *a = NULL;
	int which = -1;
	for (int k = 0; k < 5; k++) {
		const struct lf__onnx_attr *b =
		    lf__onnx_node_attr(c->n, names[k]);
		if (!b)
			continue;
		if (a)
			return lf__nc_fail(c, LF_ERR_INVALID_ARG,
					   "more than one value attribute");
		a = b;
		which = k;
	}
	if (!a)
		return lf__nc_fail(c, LF_ERR_UNSUPPORTED,
				   "needs value, value_float(s) or "
				   "value_int(s)");
	static const int types[] = {LF__ATTR_TENSOR, LF__ATTR_FLOAT,
				    LF__ATTR_FLOATS, LF__ATTR_INT,
				    LF__ATTR_INTS};
	if (a->type != types[which])
		return lf__nc_fail(c, LF_ERR_INVALID_ARG,
				   "attribute '%s' has the wrong type",
				   names[which]);
	struct lf__tensor *y;
	lf_status st;
	int64_t n = (int64_t)a->n;
	switch (which) {
	case 0:
		st = lf__nc_out(c, 0, a->t.dtype, a->t.rank, a->t.dims, &y);
		if (st == LF_OK && a->t.count)
			memcpy(y->data, a->t.data, lf__tensor_bytes(&a->t));
		return st;
	case 1:
		st = lf__nc_out(c, 0, LF__ONNX_FLOAT, 0, NULL, &y);
		if (st == LF_OK)
			*(float *)y->data = a->f;
		return st;
	case 2:
		st = lf__nc_out(c, 0, LF__ONNX_FLOAT, 1, &n, &y);
		if (st == LF_OK && n)
			memcpy(y->data, a->floats, a->n * sizeof(float));
		return st;
	case 3:
		st = lf__nc_out(c, 0, LF__ONNX_INT64, 0, NULL, &y);
		if (st == LF_OK)
			*(int64_t *)y->data = a->i;
		return st;
	default:
		st = lf__nc_out(c, 0, LF__ONNX_INT64, 1, &n, &y);
		if (st == LF_OK && n)
			memcpy(y->data, a->ints, a->n * sizeof(int64_t));
		return st;
	}
}
