/*
 * fuzz_pb.c - the .pb TensorProto reader and the conversion to a tensor
 * that `layerfab run --input` makes (lf__onnx_tensor_parse, then
 * lf_tensor_create with its type and shape, then the data copied), from
 * bytes. Seeds: every .pb under tests/data.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hostlib/onnx/onnx.h"
#include "layerfab.h"

static lf_context *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (lf_context_create("cpu", NULL, &ctx) != LF_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf__tensor t;
	char err[LF__ONNX_ERR_LEN], dims[256];
	lf_tensor *res = NULL;
	lf_dtype dt;

	memset(&t, 0, sizeof(t));
	if (lf__onnx_tensor_parse(data, size, "fuzz.pb", &t, err,
				  sizeof(err)) != LF_OK)
		return 0;
	lf__onnx_dims_str(t.dims, t.rank, dims, sizeof(dims));
	if (lf__onnx_dtype_to_lf(t.dtype, &dt) == LF_OK &&
	    lf_tensor_create(ctx, dt, t.rank, t.dims, NULL, &res) == LF_OK) {
		/* The reader's size and the tensor's must agree. */
		if (lf_tensor_bytes(res) != lf__tensor_bytes(&t))
			abort();
		if (t.count)
			memcpy(lf_tensor_data(res), t.data,
			       lf_tensor_bytes(res));
		lf_tensor_destroy(res);
	}
	lf__tensor_release(&t);
	return 0;
}
