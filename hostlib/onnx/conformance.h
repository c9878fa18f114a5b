/*
 * conformance.h - the ONNX backend-test runner behind `layerfab
 * conformance`: runs single-node test folders (DIR/test_x/model.onnx and
 * test_data_set_N/{input,output}_K.pb) on the CPU ops and compares.
 *
 * Comparison: integer outputs must be identical; float32 outputs must
 * satisfy |got - want| <= atol + rtol * |want| (numpy's assert_allclose,
 * NaN equal to NaN) with the ONNX backend-test defaults rtol = 1e-3,
 * atol = 1e-7: onnx/backend/test/loader/__init__.py (rtol/atol defaults
 * of every node test) compared by onnx/backend/test/runner/__init__.py
 * (assert_similar_outputs -> np.testing.assert_allclose).
 */
#ifndef LF_ONNX_CONFORMANCE_H
#define LF_ONNX_CONFORMANCE_H

#include <stdio.h>

#include "layerfab.h"

#define LF__CONF_RTOL 1e-3
#define LF__CONF_ATOL 1e-7

enum lf__conf_result { LF__CONF_PASS = 0, LF__CONF_FAIL, LF__CONF_SKIP };

/*
 * lf__conformance_test() - run the test in folder @dir.
 * @msg: receives why it failed or was skipped ("output 0 element 17: got 3
 *       want 4", "op 'Foo' not supported"); "" on a pass.
 */
enum lf__conf_result lf__conformance_test(const char *dir, char *msg,
					  size_t msglen);

struct lf__conf_totals {
	unsigned passed, failed, skipped;
};

/*
 * lf__conformance_run() - run every test folder under @dir (or @dir itself
 * if it holds a model.onnx) whose name contains @filter (NULL: all), in
 * name order, on the CPU ops (single-node models; others SKIP, so a whole
 * model FAILs: see lf__conformance_run_with()). Prints "PASS test_x",
 * "FAIL test_x: why" or "SKIP test_x: why" per test and, last, "N passed,
 * M failed, K skipped" to @out.
 *
 * Return: LF_OK (whatever the tests gave: see @totals); LF_ERR_IO if @dir
 * cannot be listed (message in @err).
 */
lf_status lf__conformance_run(const char *dir, const char *filter, FILE *out,
			      struct lf__conf_totals *totals, char *err,
			      size_t errlen);

/*
 * lf__conformance_node_scope() - is test folder @dir a node test: in an
 * ONNX backend-test "node" folder (its parent directory is named "node",
 * as in onnx/backend/test/data/node/, whose *_expanded tests have several
 * nodes), or with a model.onnx of exactly one node? Whole models are the
 * rest: a runner may skip a node test whose op it does not run, but a
 * whole model it cannot load or run has failed (lf__conformance_run_with()
 * counts it so).
 */
int lf__conformance_node_scope(const char *dir);

/*
 * lf__conformance_run_with() - as lf__conformance_run(), with @test (given
 * @arg) deciding each folder instead of lf__conformance_test(): how
 * `layerfab conformance --device` runs the tests through the model API.
 * A SKIP verdict outside a node test's scope (lf__conformance_node_scope())
 * is reported and counted as FAIL: a green summary must not hide a whole
 * model that did not run.
 */
typedef enum lf__conf_result (*lf__conf_test_fn)(void *arg, const char *dir,
						 char *msg, size_t msglen);
lf_status lf__conformance_run_with(const char *dir, const char *filter,
				   lf__conf_test_fn test, void *arg, FILE *out,
				   struct lf__conf_totals *totals, char *err,
				   size_t errlen);

struct lf__tensor;

/*
 * lf__conformance_compare() - the comparison of output @k (see above:
 * integers exact, float32 within rtol/atol); on a mismatch @msg says
 * where ("output 0 element 17: got 3 want 4").
 */
enum lf__conf_result lf__conformance_compare(const struct lf__tensor *got,
					     const struct lf__tensor *want,
					     size_t k, char *msg,
					     size_t msglen);

/*
 * Binding a test's inputs (conformance_bind.c), for runners that load the
 * model through the importer (`layerfab conformance --device`).
 *
 * The backend tests feed everything through graph inputs, quantization
 * scales, zero points and weights included; real quantized models (and
 * ORT's quantization tools) make those initializers, and the importer
 * resolves them at load: a conv or matmul becomes a device layer only when
 * they are constants. So for each data set the runner turns every graph
 * input that a node reads as a parameter into an initializer holding that
 * data set's input_K.pb, and feeds the rest at run time. This is the same
 * computation (the values are the test's own inputs; an ONNX Runtime
 * session fed the original model sees the same values), only with the
 * parameters known at load, as in the models layerfab is for.
 */

/*
 * lf__conformance_param_input() - whether input @slot of op @op_type in
 * @domain ("" or "ai.onnx", "com.microsoft") is a parameter: a
 * quantization scale or zero point, a weight or bias of a quantized
 * conv/matmul (QLinearConv, ConvInteger, QLinearMatMul's and
 * MatMulInteger's B, QGemm), or Reshape's shape: what quantized models
 * hold as initializers and the importer resolves at load
 * (hostlib/model/lower.c). Activations, and every input of another op,
 * are not parameters.
 */
int lf__conformance_param_input(const char *domain, const char *op_type,
				size_t slot);

/* A test model specialised for one data set (lf__conformance_bind()). */
struct lf__conf_bound {
	uint8_t *model; /* serialized ModelProto (free()), NULL: unchanged */
	size_t len;
	size_t n_inputs;    /* graph inputs of the original (input_K.pb) */
	unsigned char *fed; /* n_inputs flags: 1 if still fed at run time */
};

/*
 * lf__conformance_bind() - specialise the test model @model (@len bytes,
 * named @what in messages) for the data set in folder @set:
 *   - every graph input that some node reads in a parameter slot
 *     (lf__conformance_param_input()) becomes an initializer with the
 *     value of @set/input_K.pb (K: its place among the graph inputs that
 *     are not initializers). It leaves the graph's inputs, except in a
 *     model of IR version < 4, where every initializer must also be a
 *     graph input (ONNX IR.md) and one listed there is still a constant;
 *   - every other graph input that declares a tensor type but no shape
 *     gets the shape of @set/input_K.pb (the importer needs ranks at load;
 *     the data set fixes them anyway).
 * @out: on success, the new model (model NULL when nothing changed) and
 *       which inputs remain fed; release with lf__conformance_bound_free().
 *
 * Return: LF_OK; LF_ERR_BAD_FILE (the model or a TensorProto is not
 * valid protobuf, or the model has no graph); LF_ERR_IO (an input_K.pb
 * cannot be read); LF_ERR_UNSUPPORTED (a tensor of rank > 8 would need
 * declaring); LF_ERR_NO_MEMORY. Message in @err.
 */
lf_status lf__conformance_bind(const void *model, size_t len, const char *what,
			       const char *set, struct lf__conf_bound *out,
			       char *err, size_t errlen);

/* Free what @b owns and zero it; a zeroed one may be freed again. */
void lf__conformance_bound_free(struct lf__conf_bound *b);

#endif /* LF_ONNX_CONFORMANCE_H */
