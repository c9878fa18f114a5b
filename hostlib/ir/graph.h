/*
 * graph.h - the graph IR a model is imported into (internal to hostlib).
 *
 * An ONNX model becomes a list of nodes in topological order over values
 * (graph inputs, constants, activations). Import (import.c) checks the
 * file, sorts it, folds QDQ groups into quantized ops (qdq.c), lowers
 * every node (lower.c), folds constants and drops dead nodes. What is
 * left has only these ops:
 *
 *   CONV       quantized 2-D (or 1-D) convolution with constant weights:
 *              QLinearConv, ConvInteger, or DQ->Conv->Q folded; fused
 *              Relu/Clip are in its clamp, a fused pointwise function
 *              of its output (hard sigmoid, hardswish, sigmoid, leaky
 *              ReLU, ...) in its table (lin->lut). Device-capable.
 *   MATMUL     quantized matmul with a constant 2-D B: QLinearMatMul,
 *              MatMulInteger, QGemm, or DQ->MatMul/Gemm->Q folded; leading
 *              dims of A are rows; a fused table as CONV's (on the device
 *              only as a blocked 1x1 conv). Device-capable.
 *   SCALE_F32  int32 accumulators -> float32 * scale[column] (QGemm
 *              without y_scale, as ORT's output processor).
 *   QCONCAT    com.microsoft QLinearConcat.
 *   TRANSPOSE  a real permutation (a trivial one is a VIEW).
 *   GEMM_F32   float Gemm / MatMul (the edges of a quantized model).
 *   VIEW       Flatten, Reshape, Identity, trivial Transpose: the output
 *              is the input's bytes under another shape; no work.
 *   ONNX       any other node, run by hostlib/onnx's node_cpu (MaxPool,
 *              QLinearAdd, QuantizeLinear, Softmax, ...), possibly a
 *              synthesized one (DQ->Add->Q becomes QLinearAdd).
 *
 * Shapes are not stored here: a free input dimension (the batch) takes its
 * size at run time, so shapes are inferred per set of input shapes
 * (shape.c) into a struct lf__gshape per value.
 */
#ifndef LF_MODEL_GRAPH_H
#define LF_MODEL_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "hostlib/onnx/model_io.h"
#include "hostlib/onnx/onnx.h"
#include "hostlib/ir/layer.h"

struct lf__diag; /* hostlib/base/error.h */

/* Length of the error buffers of this module. */
#define LF__GRAPH_ERR_LEN 512

/* Largest byte size of one value: anything past it is an absurd shape. */
#define LF__GRAPH_MAX_VALUE_BYTES (1ull << 34)

enum lf__gop {
	LF__GOP_CONV,
	LF__GOP_MATMUL,
	LF__GOP_SCALE_F32,
	LF__GOP_QCONCAT,
	LF__GOP_TRANSPOSE,
	LF__GOP_GEMM_F32,
	LF__GOP_VIEW,
	LF__GOP_ONNX
};

struct lf__gval {
	char *name;
	int32_t dtype;		      /* ONNX TensorProto.DataType */
	const struct lf__tensor *cst; /* constant data, or NULL */
	int producer;		      /* node index, -1: input or constant */
	int input;		      /* graph input index, or -1 */
	int output;		      /* 1 if a graph output */
	int decl_rank;		      /* declared shape (inputs, outputs) */
	int64_t decl[LF__TENSOR_MAX_RANK]; /* -1: free */
};

/* Quantized linear layer (CONV, MATMUL), resolved at import. */
struct lf__glinear {
	lf_dtype x_type, w_type, y_type; /* y INT32: raw accumulators */
	int32_t x_zp, y_zp;
	float x_scale, y_scale;
	int32_t *w_zp; /* w_zp_count entries: 1 or channels */
	int w_zp_count;
	float *w_scale; /* w_scale_count: 0 (int32 out), 1 or channels */
	int w_scale_count;
	int32_t act_min, act_max; /* clamp incl. fused Relu/Clip */
	/* conv, matmul: a fused pointwise function of the 8-bit output,
	 * as a 256-entry table applied after the clamp (lower.c), or NULL */
	uint8_t *lut;
	int w, bias;  /* constant values; bias -1 if none */
	int channels; /* conv: oc; matmul: columns */
	/* conv: weights [oc][icg][kh][kw]; attributes as [h, w] */
	int conv1d;
	int64_t group, kh, kw, icg;
	int64_t strides[2], dil[2], pads[4]; /* pads: t, l, b, r */
	int auto_pad;			     /* enum lf_ref_auto_pad */
	/* matmul: B [k][channels] */
	int64_t k;
};

struct lf__gnode {
	char *name;	/* the ONNX node's name, or "<op>_<index>" */
	char label[32]; /* for profiles: "QLinearConv+Relu" */
	enum lf__gop op;
	size_t n_in, n_out;
	int *in, *out; /* value ids; -1 marks an omitted optional input */
	/* ONNX and VIEW: the op as hostlib/onnx sees it */
	const char *op_type, *domain;
	const struct lf__onnx_attr *attrs;
	size_t n_attrs;
	int64_t opset;
	struct lf__glinear *lin; /* CONV, MATMUL */
	float *scale;		 /* SCALE_F32: nscale (1 or columns) */
	int nscale;
	int perm[LF__TENSOR_MAX_RANK]; /* TRANSPOSE */
	int nperm;
	float alpha, beta; /* GEMM_F32 */
	int trans_a, trans_b;
	int64_t axis;  /* QCONCAT */
	uint8_t **lut; /* QCONCAT: per input, 256 entries or NULL (copy) */
	size_t n_lut;
};

struct lf__graph {
	struct lf__onnx_model *onnx; /* keeps attributes and initializers */
	struct lf__onnx_graph_io io;
	size_t nvals;
	struct lf__gval *vals;
	size_t nnodes;
	struct lf__gnode *nodes; /* topological order */
	size_t ninputs, noutputs;
	int *inputs, *outputs; /* value ids */
	size_t nowned;
	struct lf__tensor **owned; /* constants made at import */
	int64_t opset, opset_ms;
};

/* A concrete shape and type. */
struct lf__gshape {
	int rank;
	int32_t dtype; /* ONNX TensorProto.DataType */
	int64_t d[LF__TENSOR_MAX_RANK];
};

/*
 * lf__graph_import() - read, check, fold and lower a serialized model.
 * @base_dir: directory of external data, or NULL.
 * Return: LF_OK and *out (free with lf__graph_free()); LF_ERR_BAD_FILE
 * (malformed: not ONNX, truncated, a cycle, a missing input, duplicate
 * outputs, inconsistent shapes); LF_ERR_UNSUPPORTED (an op, type or
 * attribute that cannot run at all); LF_ERR_NO_MEMORY; LF_ERR_IO. The
 * message in @dg (NULL: none) names the node or tensor.
 */
lf_status lf__graph_import(const void *buf, size_t len, const char *what,
			   const char *base_dir, struct lf__graph **out,
			   struct lf__diag *dg);
void lf__graph_free(struct lf__graph *g);

/*
 * lf__graph_infer() - shapes and types of every value for graph inputs of
 * shapes @in (g->ninputs entries; their dtype fields are ignored), into
 * @shape (g->nvals entries).
 * Generic (ONNX) nodes are run once on zero-filled inputs, which checks
 * their attributes and types too. @bad is the status of an inconsistency
 * (LF_ERR_BAD_FILE at load, LF_ERR_SHAPE at run time). A failure's
 * message, naming the node, goes to @dg (NULL: none).
 */
lf_status lf__graph_infer(const struct lf__graph *g,
			  const struct lf__gshape *in, struct lf__gshape *shape,
			  lf_status bad, struct lf__diag *dg);

/*
 * lf__graph_infer_known() - lf__graph_infer(), also returning in @known
 * (g->nvals zeroed tensors) the data of every value computed from shapes
 * and constants alone (Shape and what follows it; a data pointer of NULL
 * means not known). Free with lf__graph_known_free().
 */
lf_status lf__graph_infer_known(const struct lf__graph *g,
				const struct lf__gshape *in,
				struct lf__gshape *shape,
				struct lf__tensor *known, lf_status bad,
				struct lf__diag *dg);
void lf__graph_known_free(const struct lf__graph *g, struct lf__tensor *known);

/*
 * lf__graph_layer() - the checked layer of CONV/MATMUL node @n for the
 * value shapes @shape (its quantization arrays point into the node).
 */
void lf__graph_layer(const struct lf__graph *g, const struct lf__gnode *n,
		     const struct lf__gshape *shape, struct lf__layer *L);

/* Elements and bytes of a shape (checked at inference: no overflow). */
/*
 * lf__gnode_fail() - lf__diag_fail() with the message prefixed by the node
 * it concerns: "node '<name>' (<label>): <message>". With @dg NULL it only
 * returns @st. (hostlib/model/shape.c)
 */
lf_status lf__gnode_fail(struct lf__diag *dg, const struct lf__gnode *n,
			 lf_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

size_t lf__gshape_count(const struct lf__gshape *s);
size_t lf__gshape_bytes(const struct lf__gshape *s);

/* The value whose storage @v uses: itself, or the root of a VIEW chain. */
int lf__graph_root(const struct lf__graph *g, int v);

/*
 * lf__graph_run_cpu() - run node @n on the CPU. @ptr holds the data of
 * every value (g->nvals entries; inputs read, outputs written), @shape
 * their shapes. Return: LF_OK or an error, with its status and a message
 * naming the node in @dg (NULL: no message).
 */
lf_status lf__graph_run_cpu(const struct lf__graph *g,
			    const struct lf__gnode *n, void *const *ptr,
			    const struct lf__gshape *shape,
			    struct lf__diag *dg);

/* Multiply-accumulates of node @n for @shape (0 for non-linear ops). */
uint64_t lf__graph_macs(const struct lf__graph *g, const struct lf__gnode *n,
			const struct lf__gshape *shape);

#endif /* LF_MODEL_GRAPH_H */
