/*
 * model_io.h - what a whole-model importer needs from a ModelProto beyond
 * struct lf__onnx_model: the declared types and shapes of the graph inputs
 * and outputs, and initializers stored as external data in files beside
 * the model.
 *
 * lf__onnx_model_read() returns the same struct lf__onnx_model as
 * lf__onnx_model_parse() (nodes, attributes, initializers), with external
 * initializers loaded, plus a struct lf__onnx_graph_io.
 *
 * External data (TensorProto.data_location = EXTERNAL, keys "location",
 * "offset", "length"): "location" must be a relative path inside
 * @base_dir: no absolute path, no ".." component, and after resolving
 * symbolic links it must still lie inside @base_dir. The range must lie
 * inside the file. Anything else is LF_ERR_BAD_FILE naming the tensor;
 * external data with no @base_dir is LF_ERR_UNSUPPORTED.
 */
#ifndef LF_ONNX_MODEL_IO_H
#define LF_ONNX_MODEL_IO_H

#include "hostlib/onnx/onnx.h"

/* A graph input or output as the file declares it. */
struct lf__onnx_vinfo {
	char *name;
	int32_t elem_type; /* TensorProto.DataType; 0 when not declared */
	int rank;	   /* -1 when the file gives no shape */
	int64_t dims[LF__TENSOR_MAX_RANK]; /* -1: free (dim_param or unset) */
};

struct lf__onnx_graph_io {
	size_t n_inputs; /* the graph inputs that are not initializers */
	size_t n_outputs;
	struct lf__onnx_vinfo *inputs, *outputs;
};

/*
 * lf__onnx_model_read() - parse a serialized ModelProto.
 * @what:     names the source in messages.
 * @base_dir: directory external data is read from, or NULL (none allowed).
 * On success *model (free with lf__onnx_model_free()) and *io (free with
 * lf__onnx_graph_io_free()). Errors as lf__onnx_model_parse().
 */
lf_status lf__onnx_model_read(const void *buf, size_t len, const char *what,
			      const char *base_dir,
			      struct lf__onnx_model **model,
			      struct lf__onnx_graph_io *io, char *err,
			      size_t errlen);

/* Free what @io owns and zero it. */
void lf__onnx_graph_io_free(struct lf__onnx_graph_io *io);

#endif /* LF_ONNX_MODEL_IO_H */
