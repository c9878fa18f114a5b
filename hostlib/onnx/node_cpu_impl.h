/*
 * node_cpu_impl.h - what the node_cpu*.c files share: the context of one
 * node run and helpers to read its inputs and attributes with clear
 * messages. Internal to hostlib/onnx.
 */
#ifndef LF_ONNX_NODE_CPU_IMPL_H
#define LF_ONNX_NODE_CPU_IMPL_H

#include "hostlib/cpu/ref.h"
#include "hostlib/onnx/node_cpu.h"
#include "hostlib/onnx/onnx_impl.h"

struct lf__nctx {
	const struct lf__onnx_node *n;
	int64_t opset;
	const struct lf__tensor *const *in;
	size_t n_in;
	struct lf__tensor *out;
	size_t n_out;
	char *err;
	size_t errlen;
	/* lf__onnx_node_shape_cpu(): a last output of more elements than
	 * this gets its shape only, and the op stops there (0: none) */
	size_t shape_only_over;
};

/* lf__nc_out()'s "shape only, stop here" (never leaves node_cpu.c). */
#define LF__NC_SHAPED ((lf_status)0x5a4e)

/* Format "<op_type>: <message>" into the context's buffer; return @st. */
lf_status lf__nc_fail(const struct lf__nctx *c, lf_status st, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

/* Input @i, or NULL when omitted. */
const struct lf__tensor *lf__nc_in(const struct lf__nctx *c, size_t i);

/* Input @i into *t; an error naming it if it is omitted. */
lf_status lf__nc_need(const struct lf__nctx *c, size_t i,
		      const struct lf__tensor **t);

/* Input @i into *t, which must be float32; an error naming it if it is
 * omitted, LF_ERR_UNSUPPORTED naming its type if it is not float. */
lf_status lf__nc_need_float(const struct lf__nctx *c, size_t i,
			    const struct lf__tensor **t);

/* Input @i's type as an lf_dtype; LF_ERR_UNSUPPORTED otherwise. */
lf_status lf__nc_dtype(const struct lf__nctx *c, size_t i, lf_dtype *t);

/* Attribute readers: the default when absent, an error if mistyped. */
lf_status lf__nc_attr_i(const struct lf__nctx *c, const char *name,
			int64_t dflt, int64_t *v);
lf_status lf__nc_attr_f(const struct lf__nctx *c, const char *name, float dflt,
			float *v);
lf_status lf__nc_attr_s(const struct lf__nctx *c, const char *name,
			const char *dflt, const char **v);
/* INTS attribute; *n = 0 when absent. */
lf_status lf__nc_attr_ints(const struct lf__nctx *c, const char *name,
			   const int64_t **v, size_t *n);

/* A scale: input @i must be float32 with exactly one element. */
lf_status lf__nc_scale1(const struct lf__nctx *c, size_t i, float *v);

/*
 * A zero point: input @i, omitted (0, and *t left as is) or a one-element
 * UINT8/INT8 tensor. When *t is not LF_DTYPE_INT32 on entry, the type must
 * equal *t; otherwise *t receives it.
 */
lf_status lf__nc_zp1(const struct lf__nctx *c, size_t i, lf_dtype *t,
		     int32_t *v);

/* Whether tensor @t is a scalar or a 1-D tensor of one element. */
int lf__nc_is_scalar(const struct lf__tensor *t);

/*
 * Product of @t's dims [from, to) into *out; an error if it overflows
 * (possible when another dim is 0 and the element count hides it).
 */
lf_status lf__nc_prod(const struct lf__nctx *c, const struct lf__tensor *t,
		      int from, int to, size_t *out);

/* An int64 (or int32) 1-D / scalar tensor as int64 values, at most @max;
 * an error naming it (@what) otherwise. */
lf_status lf__nc_ints(const struct lf__nctx *c, const struct lf__tensor *t,
		      const char *what, int64_t *v, size_t max, size_t *n);

/* Shape of @t as an lf_ref_shape. */
void lf__nc_shape(const struct lf__tensor *t, struct lf_ref_shape *s);

/* Allocate output @i (ONNX type @dtype, shape @dims[@rank]) into *t. */
lf_status lf__nc_out(const struct lf__nctx *c, size_t i, int32_t dtype,
		     int rank, const int64_t *dims, struct lf__tensor **t);

/* The ONNX code of an lf_dtype. */
int32_t lf__nc_onnx_dtype(lf_dtype t);

/* A message for a status returned by an lf__ref_* call. */
lf_status lf__nc_ref_fail(const struct lf__nctx *c, lf_status st,
			  const char *what);

/* The ops, one per node_cpu_*.c file group. */
lf_status lf__nc_quantize_linear(const struct lf__nctx *c);
lf_status lf__nc_dequantize_linear(const struct lf__nctx *c);
lf_status lf__nc_maxpool(const struct lf__nctx *c);
lf_status lf__nc_avgpool(const struct lf__nctx *c);
lf_status lf__nc_global_avgpool(const struct lf__nctx *c);
lf_status lf__nc_qavgpool(const struct lf__nctx *c);
lf_status lf__nc_qglobal_avgpool(const struct lf__nctx *c);
lf_status lf__nc_add(const struct lf__nctx *c);
lf_status lf__nc_qadd(const struct lf__nctx *c);
lf_status lf__nc_relu(const struct lf__nctx *c);
lf_status lf__nc_clip(const struct lf__nctx *c);
lf_status lf__nc_softmax(const struct lf__nctx *c);
lf_status lf__nc_flatten(const struct lf__nctx *c);
lf_status lf__nc_reshape(const struct lf__nctx *c);
lf_status lf__nc_qconv(const struct lf__nctx *c);
lf_status lf__nc_qmatmul(const struct lf__nctx *c);
lf_status lf__nc_qlut(const struct lf__nctx *c);
lf_status lf__nc_qmul(const struct lf__nctx *c);
lf_status lf__nc_dynamic_quantize(const struct lf__nctx *c);
/* node_cpu_math.c */
lf_status lf__nc_binary(const struct lf__nctx *c);
lf_status lf__nc_unary(const struct lf__nctx *c);
lf_status lf__nc_cast(const struct lf__nctx *c);
lf_status lf__nc_reduce(const struct lf__nctx *c);
lf_status lf__nc_layernorm(const struct lf__nctx *c);
/* node_cpu_data.c */
lf_status lf__nc_identity(const struct lf__nctx *c);
lf_status lf__nc_shape_op(const struct lf__nctx *c);
lf_status lf__nc_constant_of_shape(const struct lf__nctx *c);
lf_status lf__nc_gather(const struct lf__nctx *c);
lf_status lf__nc_slice(const struct lf__nctx *c);
lf_status lf__nc_split(const struct lf__nctx *c);
lf_status lf__nc_concat(const struct lf__nctx *c);
lf_status lf__nc_unsqueeze(const struct lf__nctx *c);
lf_status lf__nc_squeeze(const struct lf__nctx *c);
lf_status lf__nc_expand(const struct lf__nctx *c);
lf_status lf__nc_where(const struct lf__nctx *c);
lf_status lf__nc_range(const struct lf__nctx *c);
/* node_cpu_resize.c */
lf_status lf__nc_pad(const struct lf__nctx *c);
lf_status lf__nc_resize(const struct lf__nctx *c);
lf_status lf__nc_upsample(const struct lf__nctx *c);
lf_status lf__nc_constant(const struct lf__nctx *c);

/* The element type of the generic ops for ONNX type @dtype. */
lf_status lf__nc_num(const struct lf__nctx *c, int32_t dtype,
		     enum lf_ref_num *t);

#endif /* LF_ONNX_NODE_CPU_IMPL_H */
