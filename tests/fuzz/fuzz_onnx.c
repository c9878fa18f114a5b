/*
 * fuzz_onnx.c - ONNX model import from bytes, planning for the emulated
 * card and, when the inputs are small, a run on zero inputs:
 * lf_model_load_memory() on an "emu" context (protobuf-c decode, import,
 * QDQ folding, lowering, shape inference, partition, tiling, memory plan,
 * weight upload), then the input/output info, then lf_model_run().
 * Environment: FUZZ_DEVICE (default "emu"), FUZZ_XCLBIN, FUZZ_RUN=0 to
 * skip the run. Seeds: models/ and every .onnx under tests/data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "layerfab.h"

#define MAX_IO	     8
#define MAX_ELEMENTS (1u << 16) /* summed over the inputs of one run */
/* Summed over the outputs at the load-time shapes: a run that must write
 * more is a question of speed, not safety (make fuzz found a 14-byte-input
 * Expand to 774 MB, 9 s per run without sanitizers), and the load already
 * planned and shape-checked it. */
#define MAX_OUT_ELEMENTS (1u << 22)

static lf_context *ctx;
static int do_run = 1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dev = getenv("FUZZ_DEVICE"), *run = getenv("FUZZ_RUN");

	(void)argc;
	(void)argv;
	if (run && strcmp(run, "0") == 0)
		do_run = 0;
	if (lf_context_create(dev ? dev : "emu", getenv("FUZZ_XCLBIN"), &ctx) !=
	    LF_OK) {
		fprintf(stderr, "fuzz_onnx: context: %s\n", lf_last_error());
		abort();
	}
	return 0;
}

/* Zero inputs of the declared shapes (free dimensions: 1), if small. */
static void try_run(lf_model *m)
{
	size_t nin = lf_model_input_count(m), nout = lf_model_output_count(m);
	lf_tensor *in[MAX_IO] = {0}, *out[MAX_IO] = {0};
	size_t total = 0;

	if (nin > MAX_IO || nout > MAX_IO)
		return;
	for (size_t i = 0; i < nout; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		size_t n = 1;

		if (lf_model_output_info(m, i, &info) != LF_OK)
			return;
		for (int d = 0; d < info.ndim; d++) {
			size_t k = info.dims[d] < 0 ? 1 : (size_t)info.dims[d];
			if (__builtin_mul_overflow(n, k, &n))
				return;
		}
		if (__builtin_add_overflow(total, n, &total) ||
		    total > MAX_OUT_ELEMENTS)
			return;
	}
	total = 0;
	for (size_t i = 0; i < nin; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		int64_t dims[LF_MAX_DIMS];
		size_t n = 1;

		if (lf_model_input_info(m, i, &info) != LF_OK)
			goto out;
		for (int d = 0; d < info.ndim; d++) {
			dims[d] = info.dims[d] < 0 ? 1 : info.dims[d];
			if (dims[d] > MAX_ELEMENTS)
				goto out;
			n *= (size_t)dims[d];
			if (n > MAX_ELEMENTS)
				goto out;
		}
		total += n;
		if (total > MAX_ELEMENTS ||
		    lf_tensor_create(ctx, info.dtype, info.ndim, dims, NULL,
				     &in[i]) != LF_OK)
			goto out;
		memset(lf_tensor_data(in[i]), 0, lf_tensor_bytes(in[i]));
	}
	if (lf_model_run(m, in, nin, out, nout, NULL) == LF_OK) {
		/* Touch every output page: a short buffer is an ASan report. */
		for (size_t i = 0; i < nout; i++) {
			const volatile uint8_t *p;
			size_t b;

			if (!out[i] || lf_tensor_to_host(out[i]) != LF_OK)
				continue;
			p = lf_tensor_data(out[i]);
			b = lf_tensor_bytes(out[i]);
			for (size_t k = 0; k < b; k += 64)
				(void)p[k];
			if (b)
				(void)p[b - 1];
		}
	}
out:
	for (size_t i = 0; i < MAX_IO; i++) {
		lf_tensor_destroy(in[i]);
		lf_tensor_destroy(out[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf_tensor_info info = LF_STRUCT_INIT(struct lf_tensor_info);
	lf_model *m = NULL;

	if (lf_model_load_memory(ctx, data, size, NULL, &m) != LF_OK)
		return 0;
	for (size_t i = 0; i < lf_model_input_count(m); i++)
		(void)lf_model_input_info(m, i, &info);
	for (size_t i = 0; i < lf_model_output_count(m); i++)
		(void)lf_model_output_info(m, i, &info);
	if (do_run)
		try_run(m);
	/* Nothing may be left behind that keeps the model busy. */
	if (lf_model_destroy(m) != LF_OK)
		abort();
	return 0;
}
