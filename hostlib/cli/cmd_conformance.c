/*
 * cmd_conformance.c - `layerfab conformance DIR --device DEV`: the ONNX
 * backend tests through the model API on a device. Each folder's
 * model.onnx is loaded with lf_model_load() (single nodes and whole
 * models alike), every test_data_set_N is run with lf_model_run() and
 * compared with hostlib/onnx's comparison; folder walking and the report
 * are hostlib/onnx/conformance.c's (lf__conformance_run_with()). What the
 * importer does not support skips a node test and fails a whole model
 * (lf__conformance_node_scope()); a load failure says "cannot load".
 *
 * Parameters fed as inputs. The node tests feed quantization scales, zero
 * points, weights and biases (and Reshape's shape) as graph inputs; the
 * importer resolves those at load, and a conv or matmul only becomes a
 * device layer when they are constants. So, per data set, every graph
 * input a node reads as such a parameter is bound as an initializer
 * holding that set's input_K.pb, the modified model is loaded with
 * lf_model_load_memory() and run with the remaining inputs
 * (lf__conformance_bind() in hostlib/onnx/conformance_bind.c). This is
 * the same computation: the values are the test's own inputs, and an ONNX
 * Runtime session fed the original model sees the same values; only when
 * they are known changes, to load time, as in every model ORT's
 * quantization tools write. Which inputs are parameters is a fixed per-op
 * list, not "whatever makes the load succeed", so an input the importer
 * should take at run time is still fed at run time. The importer is not
 * taught to take parameters at run time instead: it needs their values at
 * load, which would take a new public load call for the tests' sake only.
 * A model that declares no shape for an input gets the data set's (the
 * importer needs ranks at load); a model needing neither is loaded once
 * from its file with lf_model_load().
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
			st = lf__cli_tensor_to_onnx(io->out[k], &got, err,
						    sizeof(err));
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

/*
 * Run model @m on data set @set: input_K.pb for every K the binding left
 * fed (@b), in order; outputs compared with output_K.pb.
 */
static enum lf__conf_result run_set(lf_context *ctx, lf_model *m,
				    const char *set,
				    const struct lf__conf_bound *b, char *msg,
				    size_t len)
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
	size_t k = 0;
	for (;; k++) {
		if (!path_fmt(path, "%s/input_%zu.pb", set, k)) {
			r = say(msg, len, LF__CONF_FAIL, "path too long");
			goto out;
		}
		if (!exists(path, 0))
			break;
		if (k == b->n_inputs) {
			r = say(msg, len, LF__CONF_FAIL,
				"%s: the model has %zu inputs", path,
				b->n_inputs);
			goto out;
		}
		if (!b->fed[k])
			continue; /* bound into the model */
		if (io.nin == want_in) {
			r = say(msg, len, LF__CONF_FAIL,
				"%s: the loaded model has %zu inputs", path,
				want_in);
			goto out;
		}
		lf_status st = lf__cli_tensor_read(ctx, path, &io.in[io.nin],
						   err, sizeof(err));
		if (st != LF_OK) {
			r = say_status(msg, len, st, err);
			goto out;
		}
		io.nin++;
	}
	if (k != b->n_inputs || io.nin != want_in) {
		r = say(msg, len, LF__CONF_FAIL,
			"%zu input files, the model has %zu inputs", k,
			b->n_inputs);
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

/*
 * Data set @set of the test whose model.onnx (@path) is @buf: bind it,
 * load the bound model (or the file, once, into *@plain), run, compare.
 */
static enum lf__conf_result test_set(lf_context *ctx, const char *dir,
				     const char *path, const uint8_t *buf,
				     size_t buflen, const char *set,
				     lf_model **plain, char *msg, size_t len)
{
	char err[LF__ONNX_ERR_LEN];
	struct lf__conf_bound b;
	lf_status st =
	    lf__conformance_bind(buf, buflen, path, set, &b, err, sizeof(err));
	if (st != LF_OK)
		return say_status(msg, len, st, err);
	lf_model *bound = NULL;
	if (b.model)
		st = lf_model_load_memory(ctx, b.model, b.len, dir, &bound);
	else if (!*plain)
		st = lf_model_load(ctx, path, plain);
	char why[LF__ONNX_ERR_LEN];
	if (st != LF_OK)
		snprintf(why, sizeof(why), "cannot load: %s",
			 lf_context_last_error(ctx));
	enum lf__conf_result r =
	    st == LF_OK
		? run_set(ctx, bound ? bound : *plain, set, &b, msg, len)
		: say_status(msg, len, st, why);
	lf_model_destroy(bound);
	lf__conformance_bound_free(&b);
	return r;
}

enum lf__conf_result lf__cli_conformance_device_test(lf_context *ctx,
						     const char *dir, char *msg,
						     size_t len)
{
	char path[PATH_MAX], set_dir[PATH_MAX], err[LF__ONNX_ERR_LEN];
	lf_model *plain = NULL;
	uint8_t *buf = NULL;
	size_t buflen = 0;
	enum lf__conf_result r = LF__CONF_PASS;
	msg[0] = '\0';
	if (!path_fmt(path, "%s/model.onnx", dir))
		return say(msg, len, LF__CONF_FAIL, "path too long");
	lf_status st =
	    lf__onnx_read_file(path, &buf, &buflen, err, sizeof(err));
	if (st != LF_OK)
		return say_status(msg, len, st, err);
	size_t set = 0;
	for (;; set++) {
		if (!path_fmt(set_dir, "%s/test_data_set_%zu", dir, set)) {
			r = say(msg, len, LF__CONF_FAIL, "path too long");
			break;
		}
		if (!exists(set_dir, 1))
			break;
		r = test_set(ctx, dir, path, buf, buflen, set_dir, &plain, msg,
			     len);
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
	lf_model_destroy(plain);
	free(buf);
	return r;
}

static enum lf__conf_result test_dir(void *arg, const char *dir, char *msg,
				     size_t len)
{
	return lf__cli_conformance_device_test(arg, dir, msg, len);
}

lf_status lf__cli_conformance_device_run(lf_context *ctx, const char *dir,
					 const char *filter, FILE *out,
					 struct lf__conf_totals *totals,
					 char *err, size_t errlen)
{
	return lf__conformance_run_with(dir, filter, test_dir, ctx, out, totals,
					err, errlen);
}

int lf__cli_conformance_device(const char *dir, const char *filter,
			       const char *device, FILE *out)
{
	lf_context *ctx;
	struct lf__conf_totals t;
	char err[LF__ONNX_ERR_LEN];
	if (lf__cli_open("conformance", device, NULL, &ctx) != LF_OK)
		return LF__CLI_FAIL;
	lf_status st = lf__cli_conformance_device_run(ctx, dir, filter, out, &t,
						      err, sizeof(err));
	lf_context_destroy(ctx);
	if (st != LF_OK) {
		fprintf(stderr, "layerfab conformance: %s\n", err);
		return LF__CLI_FAIL;
	}
	return t.failed ? LF__CLI_FAIL : LF__CLI_OK;
}
