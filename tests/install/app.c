/*
 * app.c - a tiny application of the installed library, built by
 * tests/install/run.sh with pkg-config (shared and static) and with CMake
 * (layerfab::layerfab, layerfab::layerfab_static).
 *
 *   app MODEL.onnx INPUT.raw EXPECTED.raw DEVICE
 *
 * Runs the one-input, one-output float model on DEVICE with the float32
 * input in INPUT.raw (shape [N, 1, 28, 28], N from the file size) and
 * compares the output bytes with EXPECTED.raw (ONNX Runtime's). Prints
 * "version HEADER LIBRARY" and "identical N". Exit 0 only when the output
 * is identical and the versions agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <layerfab.h>

static void *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long sz = ftell(f);
		if (sz > 0 && fseek(f, 0, SEEK_SET) == 0 &&
		    (b = malloc((size_t)sz)) != NULL &&
		    fread(b, 1, (size_t)sz, f) != (size_t)sz) {
			free(b);
			b = NULL;
		}
		*n = sz > 0 ? (size_t)sz : 0;
	}
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr,
			"usage: app MODEL INPUT.raw EXPECTED.raw DEV\n");
		return 2;
	}
	printf("version %s %s\n", LF_VERSION_STRING, lf_version());
	if (strcmp(LF_VERSION_STRING, lf_version()) != 0)
		return 1;
	size_t nin = 0, nwant = 0;
	float *in = slurp(argv[2], &nin);
	unsigned char *want = slurp(argv[3], &nwant);
	if (!in || !want || nin % (28 * 28 * 4)) {
		fprintf(stderr, "app: cannot read %s / %s\n", argv[2], argv[3]);
		return 1;
	}
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lf_tensor *x = NULL, *y = NULL;
	int rc = 1;
	int64_t dims[4] = {(int64_t)(nin / (28 * 28 * 4)), 1, 28, 28};
	if (lf_context_create(argv[4], NULL, &ctx) != LF_OK ||
	    lf_model_load(ctx, argv[1], &m) != LF_OK ||
	    lf_tensor_create_borrowed(ctx, LF_DTYPE_FLOAT32, 4, dims, NULL, in,
				      nin, &x) != LF_OK ||
	    lf_model_run(m, &x, 1, &y, 1, NULL) != LF_OK) {
		fprintf(stderr, "app: %s\n", lf_last_error());
		goto cleanup;
	}
	if (lf_tensor_bytes(y) == nwant &&
	    memcmp(lf_tensor_data(y), want, nwant) == 0) {
		printf("identical %zu\n", nwant);
		rc = 0;
	} else {
		printf("DIFFERENT (%zu bytes, expected %zu)\n",
		       lf_tensor_bytes(y), nwant);
	}
cleanup:
	lf_tensor_destroy(y);
	lf_tensor_destroy(x);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	free(in);
	free(want);
	return rc;
}
