/*
 * onnx.h - reading ONNX files (internal API of hostlib/onnx).
 *
 * TensorProto files (the .pb of the ONNX backend tests) become a struct
 * lf__tensor; a model.onnx becomes a struct lf__onnx_model: its nodes with
 * their attributes, its graph inputs/outputs and initializers. Everything is
 * copied out of the protobuf-c messages, which are freed before returning,
 * so nothing here exposes protobuf-c types. The full model importer builds
 * on these.
 *
 * Errors: every function that can fail returns an lf_status and, when @err
 * is not NULL, writes a one-line message naming the file, the tensor or
 * node, and what is wrong ("x.pb: tensor 'x': raw_data has 10 bytes, shape
 * [2,3] of float32 needs 24"). Out-parameters are untouched on failure.
 *   LF_ERR_IO        the file cannot be opened or read
 *   LF_ERR_BAD_FILE  not a valid message, or inconsistent (data length vs
 *                    shape, negative dim, value out of its type's range)
 *   LF_ERR_OVERFLOW  the shape's element or byte count does not fit
 *   LF_ERR_UNSUPPORTED  valid ONNX that layerfab does not read (a data type
 *                    other than the ones below, external data, rank > 8)
 *   LF_ERR_NO_MEMORY
 */
#ifndef LF_ONNX_H
#define LF_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/* Length of an error message buffer that never truncates a useful one. */
#define LF__ONNX_ERR_LEN 512

/* Largest rank read (the public LF_MAX_DIMS). */
#define LF__TENSOR_MAX_RANK 8

/* Element types read: the values of ONNX TensorProto.DataType. */
enum lf__onnx_dtype {
	LF__ONNX_FLOAT = 1,
	LF__ONNX_UINT8 = 2,
	LF__ONNX_INT8 = 3,
	LF__ONNX_INT32 = 6,
	LF__ONNX_INT64 = 7,
	LF__ONNX_BOOL = 9 /* one byte, 0 or 1 */
};

/* "float32", "uint8", ...; for other codes the ONNX name or "unknown". */
const char *lf__onnx_dtype_name(int32_t dtype);

/* Bytes per element of a type read, 0 for any other code. */
size_t lf__onnx_dtype_size(int32_t dtype);

/* The lf_dtype of @dtype; LF_ERR_UNSUPPORTED for INT64 and the rest. */
lf_status lf__onnx_dtype_to_lf(int32_t dtype, lf_dtype *out);

/*
 * struct lf__tensor - a dense tensor in host memory, little-endian decoded
 * to native values. @data holds count * lf__onnx_dtype_size(dtype) bytes
 * (NULL when count is 0). Owned: release with lf__tensor_release().
 */
struct lf__tensor {
	char *name; /* never NULL ("" if unnamed) */
	int32_t dtype;
	int rank;
	int64_t dims[LF__TENSOR_MAX_RANK];
	size_t count;
	void *data;
};

/*
 * lf__tensor_alloc() - make @t an unnamed tensor of @dtype and shape
 * @dims[@rank], data zeroed. Checks the shape (dims >= 0, products fit).
 */
lf_status lf__tensor_alloc(struct lf__tensor *t, int32_t dtype, int rank,
			   const int64_t *dims, char *err, size_t errlen);

/* The element count of a @dtype tensor of shape @dims[@rank] into
 * *count, checked as lf__tensor_alloc() checks it (@err may be NULL). */
lf_status lf__tensor_count(int32_t dtype, int rank, const int64_t *dims,
			   size_t *count, char *err, size_t errlen);

/* Free what @t owns and zero it; a zeroed tensor may be released again. */
void lf__tensor_release(struct lf__tensor *t);

/* Byte size of @t's data. */
size_t lf__tensor_bytes(const struct lf__tensor *t);

/* "[2,3,4]" into @buf. */
void lf__onnx_dims_str(const int64_t *dims, int rank, char *buf, size_t len);

/*
 * lf__onnx_tensor_parse() - decode a serialized TensorProto.
 * @what: names the source in messages (a file name), or NULL.
 */
lf_status lf__onnx_tensor_parse(const void *buf, size_t len, const char *what,
				struct lf__tensor *out, char *err,
				size_t errlen);

/* lf__onnx_tensor_read() - read and decode a TensorProto file. */
lf_status lf__onnx_tensor_read(const char *path, struct lf__tensor *out,
			       char *err, size_t errlen);

/*
 * lf__onnx_tensor_write() - write @t as a serialized TensorProto (raw_data,
 * little-endian; the name if @t has one) to @path, replacing the file.
 * Return: LF_OK; LF_ERR_IO; LF_ERR_NO_MEMORY; LF_ERR_UNSUPPORTED (a type
 * with no element size); LF_ERR_INVALID_ARG.
 */
lf_status lf__onnx_tensor_write(const char *path, const struct lf__tensor *t,
				char *err, size_t errlen);

/* The largest ONNX model or .pb file read: protobuf's own 2 GiB limit. */
#define LF__ONNX_FILE_MAX (1ull << 31)

/*
 * lf__onnx_read_file() - the whole file into a malloc'ed buffer (*len
 * bytes; free() it). Refuses, before reading, anything but a regular file
 * (a FIFO does not block) and files over LF__ONNX_FILE_MAX: LF_ERR_IO,
 * LF_ERR_UNSUPPORTED.
 */
lf_status lf__onnx_read_file(const char *path, uint8_t **buf, size_t *len,
			     char *err, size_t errlen);

/* AttributeProto.AttributeType values. */
enum lf__onnx_attr_type {
	LF__ATTR_UNDEFINED = 0,
	LF__ATTR_FLOAT = 1,
	LF__ATTR_INT = 2,
	LF__ATTR_STRING = 3,
	LF__ATTR_TENSOR = 4,
	LF__ATTR_GRAPH = 5,
	LF__ATTR_FLOATS = 6,
	LF__ATTR_INTS = 7,
	LF__ATTR_STRINGS = 8
	/* the rest (tensors, graphs, sparse tensors, type protos) are kept
	 * as their type only */
};

/*
 * struct lf__onnx_attr - one node attribute. Only the field of its type is
 * set; GRAPH and the list types other than FLOATS/INTS carry no value.
 */
struct lf__onnx_attr {
	char *name;
	int type; /* enum lf__onnx_attr_type, or another AttributeType */
	float f;
	int64_t i;
	char *s; /* STRING: NUL-terminated copy (s_len bytes before NUL) */
	size_t s_len;
	float *floats; /* FLOATS: n entries */
	int64_t *ints; /* INTS: n entries */
	size_t n;
	struct lf__tensor t; /* TENSOR */
};

struct lf__onnx_node {
	char *name, *op_type, *domain; /* never NULL; domain "" = ai.onnx */
	size_t n_inputs, n_outputs;
	char **inputs; /* "" marks an omitted optional input */
	char **outputs;
	size_t n_attrs;
	struct lf__onnx_attr *attrs;
};

struct lf__onnx_opset {
	char *domain; /* "" for the default ai.onnx domain */
	int64_t version;
};

/*
 * struct lf__onnx_model - a model's graph. @inputs lists the graph inputs
 * that are not initializers, in order: the ones a caller feeds.
 */
struct lf__onnx_model {
	int64_t ir_version;
	size_t n_opsets;
	struct lf__onnx_opset *opsets;
	char *graph_name;
	size_t n_nodes;
	struct lf__onnx_node *nodes;
	size_t n_inputs, n_outputs;
	char **inputs;
	char **outputs;
	size_t n_inits;
	struct lf__tensor *inits;
};

/*
 * lf__onnx_model_load() - read a model.onnx.
 * A model without a graph is LF_ERR_BAD_FILE; a graph with no node is
 * LF_ERR_UNSUPPORTED (nothing to run). On success *out must be freed with
 * lf__onnx_model_free().
 */
lf_status lf__onnx_model_load(const char *path, struct lf__onnx_model **out,
			      char *err, size_t errlen);

/* lf__onnx_model_parse() - the same from a serialized ModelProto. */
lf_status lf__onnx_model_parse(const void *buf, size_t len, const char *what,
			       struct lf__onnx_model **out, char *err,
			       size_t errlen);

/* Free @m and everything it owns; NULL does nothing. */
void lf__onnx_model_free(struct lf__onnx_model *m);

/*
 * The opset version the model imports for @domain ("" or "ai.onnx" for
 * the default domain), or 0 if it imports none.
 */
int64_t lf__onnx_model_opset(const struct lf__onnx_model *m,
			     const char *domain);

/* The initializer named @name, or NULL. */
const struct lf__tensor *lf__onnx_model_init(const struct lf__onnx_model *m,
					     const char *name);

/* The attribute named @name, or NULL. */
const struct lf__onnx_attr *lf__onnx_node_attr(const struct lf__onnx_node *n,
					       const char *name);

#endif /* LF_ONNX_H */
