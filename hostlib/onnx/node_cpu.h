/*
 * node_cpu.h - running one ONNX node on the CPU ops of hostlib/cpu: the
 * binding from ONNX inputs and attributes to the lf__ref_* functions.
 * The conformance runner uses it; the model importer will too, for the
 * nodes that stay on the CPU.
 */
#ifndef LF_ONNX_NODE_CPU_H
#define LF_ONNX_NODE_CPU_H

#include "hostlib/onnx/onnx.h"

/*
 * lf__onnx_node_cpu_supported() - whether @op_type in @domain ("" or
 * "ai.onnx", "com.microsoft") has a CPU implementation here. Types and
 * attributes are checked only when the node runs.
 */
int lf__onnx_node_cpu_supported(const char *domain, const char *op_type);

/*
 * lf__onnx_node_run_cpu() - run @n on the CPU ops.
 * @opset: the model's opset for the node's domain (Softmax's axis rules,
 *         Clip's attribute form, defaults).
 * @in:    @n_in tensors in the node's input order; NULL for an omitted
 *         optional input.
 * @out:   @n_out zeroed tensors that receive the outputs (the caller
 *         releases them, on failure too). Outputs the node does not
 *         produce stay zeroed.
 *
 * Return: LF_OK; LF_ERR_UNSUPPORTED (op, input type or attribute value not
 * supported: the message says which); LF_ERR_INVALID_ARG or LF_ERR_SHAPE
 * (inputs or attributes inconsistent); LF_ERR_OVERFLOW; LF_ERR_NO_MEMORY.
 * The message in @err names the op.
 */
lf_status lf__onnx_node_run_cpu(const struct lf__onnx_node *n, int64_t opset,
				const struct lf__tensor *const *in, size_t n_in,
				struct lf__tensor *out, size_t n_out, char *err,
				size_t errlen);

/*
 * lf__onnx_node_shape_cpu() - lf__onnx_node_run_cpu() for shape
 * inference: a last output of more than @over elements gets its dtype,
 * rank, dims and count but no data (NULL), and the op stops there, so a
 * node that makes a large tensor from small inputs (Expand, Pad, Tile,
 * Resize) costs nothing at load; other outputs are computed in full.
 * Inputs are read as lf__onnx_node_run_cpu() reads them. Make fuzz found
 * loads of 11-22 s (under ASan) computing a 212-774 MB tensor only to
 * learn its shape.
 */
lf_status lf__onnx_node_shape_cpu(const struct lf__onnx_node *n, int64_t opset,
				  const struct lf__tensor *const *in,
				  size_t n_in, struct lf__tensor *out,
				  size_t n_out, size_t over, char *err,
				  size_t errlen);

#endif /* LF_ONNX_NODE_CPU_H */
