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
 * name order. Prints "PASS test_x", "FAIL test_x: why" or "SKIP test_x:
 * why" per test and, last, "N passed, M failed, K skipped" to @out.
 *
 * Return: LF_OK (whatever the tests gave: see @totals); LF_ERR_IO if @dir
 * cannot be listed (message in @err).
 */
lf_status lf__conformance_run(const char *dir, const char *filter, FILE *out,
			      struct lf__conf_totals *totals, char *err,
			      size_t errlen);

/*
 * lf__conformance_run_with() - as lf__conformance_run(), with @test (given
 * @arg) deciding each folder instead of lf__conformance_test(): how
 * `layerfab conformance --device` runs the tests through the model API.
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

#endif /* LF_ONNX_CONFORMANCE_H */
