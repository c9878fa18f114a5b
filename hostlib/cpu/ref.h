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
	const int32_t *bias;	  /* oc entries, or NULL */
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

/* ------------------------------------------------------------------------
 * The CPU ops around the device kernels. Same rules as above: textbook
 * loops, every parameter checked. Where ONNX leaves a detail to the
 * runtime, they do what ONNX Runtime's CPU provider does, and the comment
 * at the function says which ORT source it follows.
 */

/* Largest rank the shape helpers handle (LF_MAX_DIMS of the public API). */
#define LF_REF_MAX_RANK 8

/* struct lf_ref_shape - a tensor shape; rank 0 is a scalar. */
struct lf_ref_shape {
	int rank;
	int64_t dim[LF_REF_MAX_RANK];
};

/* Bytes per element of @t (0 for an unknown type). */
size_t lf__ref_dtype_size(lf_dtype t);

/* Smallest and largest value of an integer type (INT32: its range). */
void lf__ref_dtype_range(lf_dtype t, int32_t *lo, int32_t *hi);

/*
 * lf__ref_shape_count() - number of elements of @s into @count.
 * Return: LF_ERR_SHAPE (rank out of range, negative dim), LF_ERR_OVERFLOW
 * (the product does not fit in size_t).
 */
lf_status lf__ref_shape_count(const struct lf_ref_shape *s, size_t *count);

/* numpy / ONNX multidirectional broadcasting of @a and @b into @out. */
lf_status lf__ref_broadcast_shape(const struct lf_ref_shape *a,
				  const struct lf_ref_shape *b,
				  struct lf_ref_shape *out);

/* Flatten: [prod(dims[:axis]), prod(dims[axis:])]; -rank <= axis <= rank. */
lf_status lf__ref_flatten_shape(const struct lf_ref_shape *in, int64_t axis,
				struct lf_ref_shape *out);

/*
 * lf__ref_reshape_shape() - the output shape of Reshape(@in, @shape).
 * @shape: @n target dims; 0 copies the input's dim at that index (or is a
 * real 0 when @allowzero), -1 (at most one) is inferred from the rest.
 */
lf_status lf__ref_reshape_shape(const struct lf_ref_shape *in,
				const int64_t *shape, int n, int allowzero,
				struct lf_ref_shape *out);

/*
 * struct lf_ref_qaxis - where the scales / zero points of QuantizeLinear
 * and DequantizeLinear apply. The tensor is seen as [outer][channels][inner]
 * (channels = the dim at the quantization axis); element (o, c, i) uses
 * entry c of scale/zp when nparams == channels, entry 0 when nparams == 1.
 */
struct lf_ref_qaxis {
	size_t outer, channels, inner;
	const float *scale; /* nparams entries */
	const int32_t *zp;  /* nparams entries, or NULL (all 0) */
	size_t nparams;	    /* 1 (per-tensor) or channels (per-axis) */
};

/*
 * QuantizeLinear, float32 -> UINT8/INT8, as ORT's MlasQuantizeLinear:
 *   y = rint_half_even(clamp(x / scale, qmin - zp, qmax - zp)) + zp
 * in float32 (a division, not a multiply by 1/scale); NaN gives qmin.
 */
lf_status lf__ref_quantize_linear(const struct lf_ref_qaxis *q, const float *x,
				  lf_dtype y_type, void *y);

/* DequantizeLinear, UINT8/INT8/INT32 -> float32: (float)(x - zp) * scale. */
lf_status lf__ref_dequantize_linear(const struct lf_ref_qaxis *q,
				    lf_dtype x_type, const void *x, float *y);

/* Pooling ---------------------------------------------------------------- */

#define LF_REF_POOL_MAX_DIMS 3

enum lf_ref_auto_pad {
	LF_REF_AUTO_PAD_NOTSET = 0, /* explicit pads */
	LF_REF_AUTO_PAD_SAME_UPPER,
	LF_REF_AUTO_PAD_SAME_LOWER,
	LF_REF_AUTO_PAD_VALID
};

/*
 * struct lf_ref_pool - an N-D pooling window over x[n][c][spatial...]
 * (1 to 3 spatial dims). Fill the inputs, then lf__ref_pool_plan() resolves
 * auto_pad into pad_begin/pad_end and computes out[].
 */
struct lf_ref_pool {
	int nsp; /* spatial dims: 1, 2 or 3 */
	int64_t n, c;
	int64_t in[LF_REF_POOL_MAX_DIMS];
	int64_t kernel[LF_REF_POOL_MAX_DIMS];
	int64_t stride[LF_REF_POOL_MAX_DIMS];	 /* 1 if unset */
	int64_t dil[LF_REF_POOL_MAX_DIMS];	 /* 1 if unset */
	int64_t pad_begin[LF_REF_POOL_MAX_DIMS]; /* ignored unless NOTSET */
	int64_t pad_end[LF_REF_POOL_MAX_DIMS];
	enum lf_ref_auto_pad auto_pad;
	int ceil_mode;
	int count_include_pad;		   /* average pooling only */
	int64_t out[LF_REF_POOL_MAX_DIMS]; /* set by lf__ref_pool_plan() */
};

/* Resolve pads and output sizes (ORT's PoolAttributes rules). */
lf_status lf__ref_pool_plan(struct lf_ref_pool *p);

/*
 * lf__ref_maxpool() - MaxPool on FLOAT32, UINT8 or INT8. @indices, if not
 * NULL, receives MaxPool's second output (int64 flat index of the max in
 * x, row-major, or column-major within the image when @storage_order is
 * 1); the first maximum in scan order wins.
 */
lf_status lf__ref_maxpool(const struct lf_ref_pool *p, lf_dtype t,
			  const void *x, void *y, int64_t *indices,
			  int storage_order);

/* AveragePool on float32. */
lf_status lf__ref_avgpool(const struct lf_ref_pool *p, const float *x,
			  float *y);

/* GlobalAveragePool on float32: x[nc][image] -> y[nc]. */
lf_status lf__ref_global_avgpool(size_t nc, size_t image, const float *x,
				 float *y);

/* struct lf_ref_q1 - the scale and zero point of one quantized tensor. */
struct lf_ref_q1 {
	float scale;
	int32_t zp;
};

/* com.microsoft QLinearGlobalAveragePool (NCHW), UINT8 or INT8. */
lf_status lf__ref_qglobal_avgpool(size_t nc, size_t image, lf_dtype t,
				  const struct lf_ref_q1 *xq,
				  const struct lf_ref_q1 *yq, const void *x,
				  void *y);

/* com.microsoft QLinearAveragePool (NCHW), UINT8 or INT8. */
lf_status lf__ref_qavgpool(const struct lf_ref_pool *p, lf_dtype t,
			   const struct lf_ref_q1 *xq,
			   const struct lf_ref_q1 *yq, const void *x, void *y);

/* Elementwise ----------------------------------------------------------- */

/*
 * lf__ref_add() - Add with broadcasting, y has the broadcast shape of @as
 * and @bs. FLOAT32, INT32 (wrapping), UINT8 and INT8 (wrapping, as numpy
 * and ORT do for integer Add).
 */
lf_status lf__ref_add(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		      const struct lf_ref_shape *bs, const void *b, void *y);

/*
 * com.microsoft QLinearAdd with broadcasting, UINT8 or INT8, bit-exact with
 * ONNX Runtime on x86-64 (AVX2/FMA): see ref_elementwise.c for the float
 * op order, which adds y_zp before rounding.
 */
lf_status lf__ref_qadd(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		       const struct lf_ref_q1 *aq,
		       const struct lf_ref_shape *bs, const void *b,
		       const struct lf_ref_q1 *bq, const struct lf_ref_q1 *yq,
		       void *y);

/* Relu: max(x, 0), any lf_dtype. */
lf_status lf__ref_relu(lf_dtype t, size_t count, const void *x, void *y);

/*
 * lf__ref_clip() - Clip: min(max(x, lo), hi) elementwise. @lo/@hi point at
 * one element of type @t, or are NULL (no bound). lo > hi gives hi.
 */
lf_status lf__ref_clip(lf_dtype t, size_t count, const void *x, const void *lo,
		       const void *hi, void *y);

/*
 * lf__ref_softmax() - Softmax on float32.
 * @axis: in [-rank, rank-1].
 * @opset: the ONNX opset of the node. From 13 on, softmax runs along @axis
 * alone; before 13 the input is coerced to 2-D [prod(dims[:axis]),
 * prod(dims[axis:])] and softmax runs along each row.
 */
lf_status lf__ref_softmax(const struct lf_ref_shape *s, int64_t axis,
			  int64_t opset, const float *x, float *y);

/* Generic ops --------------------------------------------------------------
 * The rest of a real graph (shape arithmetic, data movement, the float
 * glue of exported networks). These take the ONNX element types the glue
 * uses, as enum lf_ref_num; data-movement ops only need the element size.
 */

enum lf_ref_num {
	LF_REF_NUM_F32,
	LF_REF_NUM_I64,
	LF_REF_NUM_I32,
	LF_REF_NUM_U8,
	LF_REF_NUM_I8,
	LF_REF_NUM_BOOL /* one byte, 0 or 1 */
};

/* Bytes per element of @t. */
size_t lf__ref_num_size(enum lf_ref_num t);

enum lf_ref_binop {
	LF_REF_ADD,
	LF_REF_SUB,
	LF_REF_MUL,
	LF_REF_DIV,
	LF_REF_POW,
	LF_REF_EQUAL,	/* output BOOL */
	LF_REF_LESS,	/* output BOOL */
	LF_REF_GREATER, /* output BOOL */
	LF_REF_MIN,
	LF_REF_MAX
};

/*
 * lf__ref_binary() - a broadcasting binary op on two tensors of type @t;
 * y has the broadcast shape (BOOL for the comparisons, else @t).
 * Integer arithmetic wraps; integer Div truncates toward zero (C, as
 * ORT's Eigen kernels) and a zero divisor is LF_ERR_INVALID_ARG. Pow is
 * float only and follows ORT's PowImpl: an exponent tensor of one element
 * equal to 2 or 3 gives x*x or x*x*x, everything else std::pow (powf).
 * Return: LF_ERR_SHAPE (shapes do not broadcast), LF_ERR_UNSUPPORTED (op
 * on that type), LF_ERR_INVALID_ARG.
 */
lf_status lf__ref_binary(enum lf_ref_binop op, enum lf_ref_num t,
			 const struct lf_ref_shape *as, const void *a,
			 const struct lf_ref_shape *bs, const void *b, void *y);

enum lf_ref_unop {
	LF_REF_SQRT,
	LF_REF_ERF,
	LF_REF_TANH,
	LF_REF_SIGMOID,
	LF_REF_HARDSIGMOID, /* max(0, min(1, alpha * x + beta)) */
	LF_REF_HARDSWISH,   /* x * max(0, min(1, x / 6 + 0.5)) */
	LF_REF_LEAKYRELU,   /* x >= 0 ? x : alpha * x */
	LF_REF_EXP,
	LF_REF_NEG,
	LF_REF_ABS,
	LF_REF_RECIPROCAL,
	LF_REF_FLOOR,
	LF_REF_CEIL
};

/* lf__ref_unary() - a float32 elementwise op (@alpha, @beta as above). */
lf_status lf__ref_unary(enum lf_ref_unop op, float alpha, float beta,
			size_t count, const float *x, float *y);

/*
 * lf__ref_cast() - Cast @count elements from @from to @to as ORT's Cast
 * does (static_cast): float to integer truncates toward zero (through
 * int64, then wraps to the narrower type); to BOOL is x != 0.
 */
lf_status lf__ref_cast(enum lf_ref_num from, enum lf_ref_num to, size_t count,
		       const void *x, void *y);

/*
 * lf__ref_gather() - Gather along @axis (0 <= axis < rank): y has shape
 * x.dims[:axis] + (@nidx indices) + x.dims[axis+1:]. Indices may be
 * negative (counted from the end); out of range is LF_ERR_INVALID_ARG.
 */
lf_status lf__ref_gather(size_t esize, const struct lf_ref_shape *xs,
			 const void *x, int axis, const int64_t *idx,
			 size_t nidx, void *y);

/*
 * lf__ref_slice() - y[i...] = x[start[d] + i[d] * step[d] ...] for every
 * index of the output shape @ys (same rank as @xs); starts and steps are
 * resolved (the caller clamps them as ONNX Slice says).
 */
lf_status lf__ref_slice(size_t esize, const struct lf_ref_shape *xs,
			const void *x, const int64_t *start,
			const int64_t *step, const struct lf_ref_shape *ys,
			void *y);

/* lf__ref_concat() - @n tensors joined along @axis (shapes checked). */
lf_status lf__ref_concat(size_t esize, size_t n,
			 const struct lf_ref_shape *const *xs,
			 const void *const *x, int axis, void *y);

/* lf__ref_expand() - x broadcast to @ys (which must be the broadcast of
 * @xs and @ys). */
lf_status lf__ref_expand(size_t esize, const struct lf_ref_shape *xs,
			 const void *x, const struct lf_ref_shape *ys, void *y);

/* lf__ref_where() - out = c ? a : b with broadcasting of all three (c is
 * BOOL); the output shape is their broadcast. */
lf_status lf__ref_where(size_t esize, const struct lf_ref_shape *cs,
			const uint8_t *c, const struct lf_ref_shape *as,
			const void *a, const struct lf_ref_shape *bs,
			const void *b, void *out);

/* Pad and Resize -----------------------------------------------------------
 * ref_resize.c. Semantics from the ONNX operator definitions (Pad-2/11/13/
 * 18/19, Resize-10/11/13/18/19, Upsample-7/9: onnx/defs/tensor/defs.cc and
 * old.cc); where ONNX leaves the float32 arithmetic open, ORT's CPU
 * kernels (onnxruntime/core/providers/cpu/tensor/upsample*.h/.cc).
 */

enum lf_ref_pad_mode {
	LF_REF_PAD_CONSTANT,
	LF_REF_PAD_REFLECT, /* mirrored without repeating the edge (numpy) */
	LF_REF_PAD_EDGE,
	LF_REF_PAD_WRAP /* Pad-19: periodic */
};

/*
 * lf__ref_pad() - y = x padded by @begin[d] elements before and
 * ys->dim[d] - xs->dim[d] - begin[d] after, per axis; negative amounts
 * crop. Elements of @esize bytes; constant mode writes the @esize bytes
 * at @value. Reflect (numpy.pad's, the spec's reference) and wrap repeat
 * periodically when the padding exceeds the axis (numpy's wrap differs
 * there: it pads in chunks); edge/reflect/wrap of an empty axis is
 * LF_ERR_INVALID_ARG.
 */
lf_status lf__ref_pad(size_t esize, enum lf_ref_pad_mode mode,
		      const struct lf_ref_shape *xs, const void *x,
		      const int64_t *begin, const struct lf_ref_shape *ys,
		      const void *value, void *y);

enum lf_ref_resize_mode {
	LF_REF_RESIZE_NEAREST,
	LF_REF_RESIZE_LINEAR,
	LF_REF_RESIZE_CUBIC
};

/* Resize's coordinate_transformation_mode. */
enum lf_ref_resize_coord {
	LF_REF_COORD_HALF_PIXEL,
	LF_REF_COORD_HALF_PIXEL_SYMMETRIC,
	LF_REF_COORD_PYTORCH_HALF_PIXEL,
	LF_REF_COORD_ALIGN_CORNERS,
	LF_REF_COORD_ASYMMETRIC,
	LF_REF_COORD_TF_HALF_PIXEL_FOR_NN,
	LF_REF_COORD_TF_CROP_AND_RESIZE
};

/* Resize's nearest_mode; SIMPLE is Upsample's and Resize-10's (ORT's
 * NearestMode::SIMPLE: ceil when downsampling, else truncate). */
enum lf_ref_nearest {
	LF_REF_NEAREST_ROUND_PREFER_FLOOR,
	LF_REF_NEAREST_ROUND_PREFER_CEIL,
	LF_REF_NEAREST_FLOOR,
	LF_REF_NEAREST_CEIL,
	LF_REF_NEAREST_SIMPLE
};

struct lf_ref_resize {
	enum lf_ref_resize_mode mode;
	enum lf_ref_resize_coord coord;
	enum lf_ref_nearest nearest;
	float cubic_a;	     /* cubic_coeff_a, -0.75 by default */
	int exclude_outside; /* cubic: outside taps weigh 0, renormalised */
	float extrapolation; /* tf_crop_and_resize outside the input */
	float scale[LF_REF_MAX_RANK]; /* per axis, > 0 */
	/* length_resized per axis as the spec's coordinate formulas use it:
	 * scale * length_original when scales are given (not rounded: the
	 * spec's reference does so, e.g. test_resize_downsample_scales_
	 * linear_align_corners; ORT uses the output size), else the output
	 * size. 0 means the output size. */
	float len_resized[LF_REF_MAX_RANK];
	float roi_start[LF_REF_MAX_RANK], roi_end[LF_REF_MAX_RANK];
};

/*
 * lf__ref_resize() - Resize @x (shape @xs) to @ys (same rank). F32 for
 * every mode; U8, I8 and I32 for nearest (a copy) and linear (the
 * weighted sum in float32, truncated, as ORT's integer Resize). Nearest
 * also copies I64 and BOOL elements.
 * Return: LF_ERR_UNSUPPORTED (cubic on integers, another type),
 * LF_ERR_INVALID_ARG, LF_ERR_SHAPE, LF_ERR_NO_MEMORY.
 */
lf_status lf__ref_resize(enum lf_ref_num t, const struct lf_ref_resize *p,
			 const struct lf_ref_shape *xs, const void *x,
			 const struct lf_ref_shape *ys, void *y);

/*
 * lf__ref_qlut_build() - the lookup table of a com.microsoft QLinear
 * unary op (QLinearSigmoid: LF_REF_SIGMOID, QLinearLeakyRelu:
 * LF_REF_LEAKYRELU with @alpha): lut[i] = Q_y(f(DQ_x(i))), as ORT builds
 * it. UINT8 or INT8 (entry i is the byte value i).
 */
lf_status lf__ref_qlut_build(lf_dtype t, const struct lf_ref_q1 *xq,
			     const struct lf_ref_q1 *yq, enum lf_ref_unop op,
			     float alpha, float beta, uint8_t *lut);

/* com.microsoft QLinearMul with broadcasting, UINT8 or INT8, as MLAS. */
lf_status lf__ref_qmul(lf_dtype t, const struct lf_ref_shape *as, const void *a,
		       const struct lf_ref_q1 *aq,
		       const struct lf_ref_shape *bs, const void *b,
		       const struct lf_ref_q1 *bq, const struct lf_ref_q1 *yq,
		       void *y);

/* DynamicQuantizeLinear (uint8 output, its scale and zero point). */
lf_status lf__ref_dynamic_quantize(size_t count, const float *x, uint8_t *y,
				   float *scale, uint8_t *zp);

enum lf_ref_reduce { LF_REF_REDUCE_MEAN, LF_REF_REDUCE_SUM, LF_REF_REDUCE_MAX };

/*
 * lf__ref_reduce() - reduce float32 @x over the dims whose bit is set in
 * @axes; y has x's shape with those dims 1 (keepdims) or dropped: the same
 * elements either way.
 */
lf_status lf__ref_reduce(enum lf_ref_reduce op, const struct lf_ref_shape *xs,
			 const float *x, unsigned axes, float *y);

/* LayerNormalization of @rows rows of @norm floats; @bias may be NULL. */
lf_status lf__ref_layernorm(size_t rows, size_t norm, const float *x,
			    const float *scale, const float *bias,
			    float epsilon, float *y);

#endif /* LF_REF_H */
