/*
 * cmd_conformance.c - `layerfab conformance DIR --device DEV`: the ONNX
 * backend tests through the model API on a device. Each folder's
 * model.onnx is loaded with lf_model_load() (single nodes and whole
 * models alike), every test_data_set_N is run with lf_model_run() and
 * compared with hostlib/onnx's comparison; folder walking and the report
 * are hostlib/onnx/conformance.c's (lf__conformance_run_with()).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostlib/cli/cli.h"
#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/onnx.h"

#define MAX_IO 64

struct conf_ctx {
	lf_context *ctx;
};

static enum lf__conf_result say(char *msg, size_t len, enum lf__conf_result r,
				const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum lf__conf_result say(char *msg, size_t len, enum lf__conf_result r,
				const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return r;
}

/* Unsupported content skips a test, as on the CPU path. */
static enum lf__conf_result say_status(char *msg, size_t len, lf_status st,
				       const char *what)
{
	return say(msg, len,
		   st == LF_ERR_UNSUPPORTED ? LF__CONF_SKIP : LF__CONF_FAIL,
		   "%s (%s)", what, lf_status_name(st));
}

/* snprintf into a PATH_MAX buffer; 0 if it did not fit. */
static int path_fmt(char *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n >= 0 && n < PATH_MAX;
}

static int exists(const char *path, int dir)
{
	struct stat sb;
	return stat(path, &sb) == 0 &&
	       (dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
}

static int32_t onnx_dtype(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return LF__ONNX_UINT8;
	case LF_DTYPE_INT8:
		return LF__ONNX_INT8;
	case LF_DTYPE_INT32:
		return LF__ONNX_INT32;
	default:
		return LF__ONNX_FLOAT;
	}
}

/* Output @got as a struct lf__tensor for the comparison. */
static lf_status as_onnx(lf_tensor *got, struct lf__tensor *t, char *err,
			 size_t errlen)
{
	int64_t dims[LF_MAX_DIMS];
	int nd = lf_tensor_shape(got, dims);
	lf_status st = lf_tensor_to_host(got);
	if (st == LF_OK)
		st = lf__tensor_alloc(t, onnx_dtype(lf_tensor_dtype(got)), nd,
				      dims, err, errlen);
	if (st == LF_OK && lf__tensor_bytes(t) != lf_tensor_bytes(got)) {
		snprintf(err, errlen, "output size mismatch");
		return LF_ERR_INTERNAL;
	}
	if (st == LF_OK && t->count)
		memcpy(t->data, lf_tensor_data(got), lf__tensor_bytes(t));
	return st;
}

struct set_io {
	lf_tensor *in[MAX_IO], *out[MAX_IO];
	size_t nin, nout;
};

static void set_io_free(struct set_io *io)
{
	for (size_t i = 0; i < io->nin; i++)
		lf_tensor_destroy(io->in[i]);
	for (size_t i = 0; i < io->nout; i++)
		lf_tensor_destroy(io->out[i]);
	memset(io, 0, sizeof(*io));
}

/* Compare output files SET/output_K.pb with what the run produced. */
static enum lf__conf_result check_outputs(const char *set, struct set_io *io,
					  char *msg, size_t len)
{
	char path[PATH_MAX], err[LF__ONNX_ERR_LEN];
	size_t k = 0;
	for (;; k++) {
		struct lf__tensor want, got;
		memset(&want, 0, sizeof(want));
		memset(&got, 0, sizeof(got));
		if (!path_fmt(path, "%s/output_%zu.pb", set, k))
			return say(msg, len, LF__CONF_FAIL, "path too long");
		if (!exists(path, 0))
			break;
		if (k >= io->nout)
			return say(msg, len, LF__CONF_FAIL,
				   "%s: the model has %zu outputs", path,
				   io->nout);
		lf_status st =
		    lf__onnx_tensor_read(path, &want, err, sizeof(err));
		if (st == LF_OK)
			st = as_onnx(io->out[k], &got, err, sizeof(err));
		enum lf__conf_result r =
		    st == LF_OK
			? lf__conformance_compare(&got, &want, k, msg, len)
			: say_status(msg, len, st, err);
		lf__tensor_release(&want);
		lf__tensor_release(&got);
		if (r != LF__CONF_PASS)
			return r;
	}
	if (k == 0)
		return say(msg, len, LF__CONF_FAIL, "%s: no output_0.pb", set);
	return LF__CONF_PASS;
}

static enum lf__conf_result run_set(lf_context *ctx, lf_model *m,
				    const char *set, char *msg, size_t len)
{
	char path[PATH_MAX], err[LF__ONNX_ERR_LEN];
	struct set_io io;
	enum lf__conf_result r;
	memset(&io, 0, sizeof(io));
	size_t want_in = lf_model_input_count(m);
	io.nout = lf_model_output_count(m);
	if (want_in > MAX_IO || io.nout > MAX_IO) {
		io.nout = 0;
		return say(msg, len, LF__CONF_SKIP,
			   "more than %d inputs or "
			   "outputs",
			   MAX_IO);
	}
	for (;; io.nin++) {
		if (!path_fmt(path, "%s/input_%zu.pb", set, io.nin)) {
			r = say(msg, len, LF__CONF_FAIL, "path too long");
			goto out;
		}
		if (!exists(path, 0))
			break;
		if (io.nin == want_in) {
			r = say(msg, len, LF__CONF_FAIL,
				"%s: the model has %zu inputs", path, want_in);
			goto out;
		}
		lf_status st = lf__cli_tensor_read(ctx, path, &io.in[io.nin],
						   err, sizeof(err));
		if (st != LF_OK) {
			r = say_status(msg, len, st, err);
			goto out;
		}
	}
	if (io.nin != want_in) {
		r = say(msg, len, LF__CONF_FAIL,
			"%zu input files, the model has %zu inputs", io.nin,
			want_in);
		goto out;
	}
	lf_status st = lf_model_run(m, io.in, io.nin, io.out, io.nout, NULL);
	if (st != LF_OK) {
		r = say_status(msg, len, st, lf_context_last_error(ctx));
		goto out;
	}
	r = check_outputs(set, &io, msg, len);
out:
	set_io_free(&io);
	return r;
}

static enum lf__conf_result test_dir(void *arg, const char *dir, char *msg,
				     size_t len)
{
	struct conf_ctx *c = arg;
	char path[PATH_MAX];
	lf_model *m = NULL;
	enum lf__conf_result r = LF__CONF_PASS;
	msg[0] = '\0';
	if (!path_fmt(path, "%s/model.onnx", dir))
		return say(msg, len, LF__CONF_FAIL, "path too long");
	lf_status st = lf_model_load(c->ctx, path, &m);
	if (st != LF_OK)
		return say_status(msg, len, st, lf_context_last_error(c->ctx));
	size_t set = 0;
	for (;; set++) {
		if (!path_fmt(path, "%s/test_data_set_%zu", dir, set)) {
			r = say(msg, len, LF__CONF_FAIL, "path too long");
			break;
		}
		if (!exists(path, 1))
			break;
		r = run_set(c->ctx, m, path, msg, len);
		if (r != LF__CONF_PASS)
			break;
	}
	if (r == LF__CONF_PASS && set == 0)
		r = say(msg, len, LF__CONF_FAIL, "no test_data_set_0 folder");
	if (r != LF__CONF_PASS && set > 0) {
		char tail[LF__ONNX_ERR_LEN];
		snprintf(tail, sizeof(tail), "%s", msg);
		snprintf(msg, len, "test_data_set_%zu: %s", set, tail);
	}
	lf_model_destroy(m);
	return r;
}

int lf__cli_conformance_device(const char *dir, const char *filter,
			       const char *device, FILE *out)
{
	struct conf_ctx c = {NULL};
	struct lf__conf_totals t;
	char err[LF__ONNX_ERR_LEN];
	if (lf__cli_open("conformance", device, NULL, &c.ctx) != LF_OK)
		return LF__CLI_FAIL;
	lf_status st = lf__conformance_run_with(dir, filter, test_dir, &c, out,
						&t, err, sizeof(err));
	lf_context_destroy(c.ctx);
	if (st != LF_OK) {
		fprintf(stderr, "layerfab conformance: %s\n", err);
		return LF__CLI_FAIL;
	}
	return t.failed ? LF__CLI_FAIL : LF__CLI_OK;
}
