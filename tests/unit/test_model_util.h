/*
 * test_model_util.h - fixtures of the model and graph suites: a small
 * ONNX model builder (protobuf-c) for crafted and malformed models,
 * running an ONNX backend-test folder (model.onnx + test_data_set_K)
 * through lf_model_load()/lf_model_run(), and output comparison.
 */
#ifndef LF_TEST_MODEL_UTIL_H
#define LF_TEST_MODEL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/* ---- builder --------------------------------------------------------- */

struct lft_onnx;

/* A model importing ai.onnx @opset and com.microsoft 1. */
struct lft_onnx *lft_onnx_new(int64_t opset);
/* Graph input/output; dims[i] < 0 is a free dimension "N". */
void lft_onnx_input(struct lft_onnx *b, const char *name, int32_t type,
		    int rank, const int64_t *dims);
void lft_onnx_output(struct lft_onnx *b, const char *name, int32_t type,
		     int rank, const int64_t *dims);
/* An initializer with raw data (@bytes of @data). */
void lft_onnx_init(struct lft_onnx *b, const char *name, int32_t type, int rank,
		   const int64_t *dims, const void *data, size_t bytes);
/* An initializer stored as external data. */
void lft_onnx_init_ext(struct lft_onnx *b, const char *name, int32_t type,
		       int rank, const int64_t *dims, const char *location,
		       uint64_t offset, uint64_t length);
/* A node; @in / @out are comma-separated names ("" entries allowed). */
void lft_onnx_node(struct lft_onnx *b, const char *op, const char *domain,
		   const char *name, const char *in, const char *out);
/* Attributes of the last node. */
void lft_onnx_attr_i(struct lft_onnx *b, const char *name, int64_t v);
void lft_onnx_attr_f(struct lft_onnx *b, const char *name, float v);
void lft_onnx_attr_ints(struct lft_onnx *b, const char *name, int n,
			const int64_t *v);
/* Serialize (free() the result) and free the builder. */
uint8_t *lft_onnx_finish(struct lft_onnx *b, size_t *len);

/* ---- data --------------------------------------------------------------- */

/* The bytes of a file (free() them); NULL if unreadable. */
uint8_t *lft_read_file(const char *path, size_t *len);

/* A tensor of @ctx with the contents of a TensorProto file; NULL (and a
 * CUnit failure) if it cannot be read. */
lf_tensor *lft_tensor_pb(lf_context *ctx, const char *path);

/*
 * lft_same() - compare output @got with @want: integers and, when @exact,
 * floats byte for byte; otherwise floats within rtol 1e-3, atol 1e-7 (the
 * ONNX backend tests' tolerance). Prints the first difference.
 */
int lft_same(const lf_tensor *got, const lf_tensor *want, int exact,
	     const char *what);

/* The device segments a profiled run's layers ran in (their distinct
 * segment indices, counted where they change). */
unsigned lft_profile_segments(const lf_run_profile *p);

/*
 * lft_run_case() - load @dir/model.onnx on @ctx and run every
 * test_data_set_K; outputs go to @outs[K][J] (caller destroys them, up to
 * 8 sets of 4 outputs) when @outs is not NULL, and are compared with the
 * expected ones. Returns the number of data sets, -1 on a mismatch or
 * failure, -2 when loading said LF_ERR_UNSUPPORTED.
 */
int lft_run_case(lf_context *ctx, const char *dir, int exact,
		 lf_tensor *outs[8][4]);

/* Directory of the ORT vectors (tests/data/ort). */
const char *lft_ort_dir(void);

#endif /* LF_TEST_MODEL_UTIL_H */
