/*
 * io_quant.c - binding a model's inputs and outputs by name
 * (lf_model_input_index / lf_model_output_index) and reading their
 * quantization (lf_model_input_quant / lf_model_output_quant) from the
 * imported graph: the quantized op that first reads an 8-bit input, or
 * that writes an 8-bit output, says its scale and zero point.
 */
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/error.h"
#include "hostlib/model/model_impl.h"

/* Position of graph input (@out 0) or output (@out 1) @name. */
static lf_status index_of(const lf_model *m, const char *name, size_t *index,
			  int out)
{
	const char *fn = out ? "lf_model_output_index" : "lf_model_input_index";
	if (!m || !name || !index)
		return lf__err(m ? m->ctx->id : 0, LF_ERR_INVALID_ARG,
			       "%s: NULL argument", fn);
	size_t n = out ? m->g->noutputs : m->g->ninputs;
	const int *ids = out ? m->g->outputs : m->g->inputs;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m->g->vals[ids[i]].name, name) == 0) {
			*index = i;
			return LF_OK;
		}
	}
	return lf__err(m->ctx->id, LF_ERR_NOT_FOUND,
		       "%s: the model has no %s '%s'", fn,
		       out ? "output" : "input", name);
}

lf_status lf_model_input_index(const lf_model *m, const char *name,
			       size_t *index)
{
	return index_of(m, name, index, 0);
}

lf_status lf_model_output_index(const lf_model *m, const char *name,
				size_t *index)
{
	return index_of(m, name, index, 1);
}

/* The one-element constant @v as a float (scale) or an integer (zero
 * point); -1 (an omitted zero point) reads as 0. */
static int cst_scalar(const struct lf__graph *g, int v, int want_float,
		      double *out)
{
	if (v < 0) {
		*out = 0;
		return !want_float;
	}
	const struct lf__tensor *t = g->vals[v].cst;
	if (!t || t->count != 1)
		return 0;
	switch (t->dtype) {
	case LF__ONNX_FLOAT:
		*out = ((const float *)t->data)[0];
		return want_float;
	case LF__ONNX_UINT8:
		*out = ((const uint8_t *)t->data)[0];
		return !want_float;
	case LF__ONNX_INT8:
		*out = ((const int8_t *)t->data)[0];
		return !want_float;
	default:
		return 0;
	}
}

/* ONNX ops whose quantized operand k is followed by its scale (k + 1) and
 * zero point (k + 2), and whose last two inputs are the output's. */
static int qlinear_op(const struct lf__gnode *n)
{
	static const char *const ops[] = {
	    "QLinearAdd",	  "QLinearMul",
	    "QLinearAveragePool", "QLinearGlobalAveragePool",
	    "QLinearLeakyRelu",	  "QLinearSigmoid"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (n->op_type && strcmp(n->op_type, ops[i]) == 0)
			return 1;
	return 0;
}

static int is_onnx(const struct lf__gnode *n, const char *op)
{
	return n->op == LF__GOP_ONNX && n->op_type &&
	       strcmp(n->op_type, op) == 0;
}

/* How node @n reads its input slot @k (value 8-bit): 1 with the scale
 * and zero point, 0 if it does not say. */
static int read_quant(const struct lf__graph *g, const struct lf__gnode *n,
		      size_t k, double *scale, double *zp)
{
	if ((n->op == LF__GOP_CONV || n->op == LF__GOP_MATMUL) && k == 0 &&
	    n->lin->y_type != LF_DTYPE_INT32) {
		*scale = n->lin->x_scale;
		*zp = n->lin->x_zp;
		return 1;
	}
	if (n->op != LF__GOP_ONNX)
		return 0;
	if ((is_onnx(n, "DequantizeLinear") && k == 0) ||
	    (qlinear_op(n) && k + 2 < n->n_in))
		return cst_scalar(g, n->in[k + 1], 1, scale) &&
		       cst_scalar(g, k + 2 < n->n_in ? n->in[k + 2] : -1, 0,
				  zp);
	return 0;
}

/* Scale and zero point of 8-bit value @v: what writes it (@out), else
 * what first reads it; through layout-only ops (VIEW, MaxPool) that keep
 * the quantization. */
static int value_quant(const struct lf__graph *g, int v, int out, double *scale,
		       double *zp)
{
	for (int depth = 0; depth < 8; depth++) {
		int32_t dt = g->vals[v].dtype;
		if (dt != LF__ONNX_UINT8 && dt != LF__ONNX_INT8)
			return 0;
		if (out) {
			int p = g->vals[v].producer;
			if (p < 0)
				return 0;
			const struct lf__gnode *n = &g->nodes[p];
			if (n->op == LF__GOP_CONV || n->op == LF__GOP_MATMUL) {
				if (n->lin->y_type == LF_DTYPE_INT32)
					return 0;
				*scale = n->lin->y_scale;
				*zp = n->lin->y_zp;
				return 1;
			}
			if (is_onnx(n, "QuantizeLinear"))
				return cst_scalar(g, n->in[1], 1, scale) &&
				       cst_scalar(g,
						  n->n_in > 2 ? n->in[2] : -1,
						  0, zp);
			if (n->op == LF__GOP_ONNX && qlinear_op(n) &&
			    n->n_in >= 2)
				return cst_scalar(g, n->in[n->n_in - 2], 1,
						  scale) &&
				       cst_scalar(g, n->in[n->n_in - 1], 0, zp);
			if ((n->op == LF__GOP_VIEW || is_onnx(n, "MaxPool")) &&
			    n->n_in >= 1 && n->in[0] >= 0) {
				v = n->in[0];
				continue;
			}
			return 0;
		}
		int next = -1;
		for (size_t i = 0; i < g->nnodes; i++) {
			const struct lf__gnode *n = &g->nodes[i];
			for (size_t k = 0; k < n->n_in; k++) {
				if (n->in[k] != v)
					continue;
				if (read_quant(g, n, k, scale, zp))
					return 1;
				if (next < 0 && k == 0 && n->n_out >= 1 &&
				    (n->op == LF__GOP_VIEW ||
				     is_onnx(n, "MaxPool")))
					next = n->out[0];
			}
		}
		if (next < 0)
			return 0;
		v = next;
	}
	return 0;
}

static lf_status quant_of(const lf_model *m, size_t i, float *scale,
			  int32_t *zero_point, int out)
{
	const char *fn = out ? "lf_model_output_quant" : "lf_model_input_quant";
	size_t n = m ? (out ? m->g->noutputs : m->g->ninputs) : 0;
	if (!m || !scale || !zero_point || i >= n)
		return lf__err(m ? m->ctx->id : 0, LF_ERR_INVALID_ARG, "%s: %s",
			       fn,
			       !m || !scale || !zero_point ? "NULL argument"
			       : out			   ? "no such output"
							   : "no such input");
	int v = out ? m->g->outputs[i] : m->g->inputs[i];
	double s, z;
	if (!value_quant(m->g, v, out, &s, &z))
		return lf__err(m->ctx->id, LF_ERR_NOT_FOUND,
			       "%s: %s '%s' has no per-tensor quantization "
			       "in the model (not 8-bit, or not read or "
			       "written by a quantized op)",
			       fn, out ? "output" : "input",
			       m->g->vals[v].name);
	*scale = (float)s;
	*zero_point = (int32_t)z;
	return LF_OK;
}

lf_status lf_model_input_quant(const lf_model *m, size_t i, float *scale,
			       int32_t *zero_point)
{
	return quant_of(m, i, scale, zero_point, 0);
}

lf_status lf_model_output_quant(const lf_model *m, size_t i, float *scale,
				int32_t *zero_point)
{
	return quant_of(m, i, scale, zero_point, 1);
}
