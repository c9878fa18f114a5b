/*
 * conformance.c - the ONNX backend-test runner (see conformance.h): load a
 * test folder's single-node model, feed each data set's inputs to the CPU
 * ops, compare with the expected outputs.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/model_io.h"
#include "hostlib/onnx/node_cpu.h"
#include "hostlib/onnx/onnx.h"

/* A test's verdict and message, built as the test goes. */
struct verdict {
	enum lf__conf_result r;
	char *msg;
	size_t len;
};

static enum lf__conf_result
verdict_set(struct verdict *v, enum lf__conf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum lf__conf_result
verdict_set(struct verdict *v, enum lf__conf_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, v->len, fmt, ap);
	va_end(ap);
	v->r = r;
	return r;
}

/* A load error: unsupported content skips the test, anything else fails. */
static enum lf__conf_result verdict_status(struct verdict *v, lf_status st,
					   const char *msg)
{
	return verdict_set(
	    v, st == LF_ERR_UNSUPPORTED ? LF__CONF_SKIP : LF__CONF_FAIL, "%s",
	    msg);
}

static int is_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
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

static void release_all(struct lf__tensor *t, size_t n)
{
	if (!t)
		return;
	for (size_t i = 0; i < n; i++)
		lf__tensor_release(&t[i]);
	free(t);
}

/* numpy.testing.assert_allclose's test, NaN matching NaN. */
static int float_close(float got, float want)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	if (isinf(got) || isinf(want))
		return got == want;
	return fabs((double)got - (double)want) <=
	       LF__CONF_ATOL + LF__CONF_RTOL * fabs((double)want);
}

static long long int_at(const struct lf__tensor *t, size_t i)
{
	switch (t->dtype) {
	case LF__ONNX_UINT8:
	case LF__ONNX_BOOL:
		return ((const uint8_t *)t->data)[i];
	case LF__ONNX_INT8:
		return ((const int8_t *)t->data)[i];
	case LF__ONNX_INT32:
		return ((const int32_t *)t->data)[i];
	default:
		return ((const int64_t *)t->data)[i];
	}
}

static enum lf__conf_result compare(const struct lf__tensor *got,
				    const struct lf__tensor *want, size_t k,
				    struct verdict *v)
{
	if (!got->name)
		return verdict_set(v, LF__CONF_FAIL,
				   "output %zu was not produced", k);
	if (got->dtype != want->dtype)
		return verdict_set(v, LF__CONF_FAIL,
				   "output %zu: type %s, want %s", k,
				   lf__onnx_dtype_name(got->dtype),
				   lf__onnx_dtype_name(want->dtype));
	int same = got->rank == want->rank;
	for (int i = 0; same && i < got->rank; i++)
		same = got->dims[i] == want->dims[i];
	if (!same) {
		char g[160], w[160];
		lf__onnx_dims_str(got->dims, got->rank, g, sizeof(g));
		lf__onnx_dims_str(want->dims, want->rank, w, sizeof(w));
		return verdict_set(v, LF__CONF_FAIL,
				   "output %zu: shape %s, want %s", k, g, w);
	}
	for (size_t i = 0; i < got->count; i++) {
		if (got->dtype == LF__ONNX_FLOAT) {
			float g = ((const float *)got->data)[i];
			float w = ((const float *)want->data)[i];
			if (!float_close(g, w))
				return verdict_set(
				    v, LF__CONF_FAIL,
				    "output %zu element %zu: got %.9g want "
				    "%.9g (rtol %g, atol %g)",
				    k, i, g, w, LF__CONF_RTOL, LF__CONF_ATOL);
		} else if (int_at(got, i) != int_at(want, i)) {
			return verdict_set(v, LF__CONF_FAIL,
					   "output %zu element %zu: got %lld "
					   "want %lld",
					   k, i, int_at(got, i),
					   int_at(want, i));
		}
	}
	return LF__CONF_PASS;
}

enum lf__conf_result lf__conformance_compare(const struct lf__tensor *got,
					     const struct lf__tensor *want,
					     size_t k, char *msg, size_t msglen)
{
	char dummy[8];
	struct verdict v = {LF__CONF_PASS, msg && msglen ? msg : dummy,
			    msg && msglen ? msglen : sizeof(dummy)};
	v.msg[0] = '\0';
	return compare(got, want, k, &v);
}

/* Reads DIR/NAME_K.pb for K = 0.. until one is missing. */
static enum lf__conf_result read_set(const char *dir, const char *name,
				     struct lf__tensor **out, size_t *n,
				     struct verdict *v)
{
	char path[PATH_MAX], err[LF__ONNX_ERR_LEN];
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t k = 0;; k++) {
		if (!path_fmt(path, "%s/%s_%zu.pb", dir, name, k))
			return verdict_set(v, LF__CONF_FAIL, "path too long");
		if (!is_file(path))
			return LF__CONF_PASS;
		if (k == cap) {
			cap = cap ? 2 * cap : 4;
			struct lf__tensor *t = realloc(*out, cap * sizeof(*t));
			if (!t)
				return verdict_set(v, LF__CONF_FAIL,
						   "out of memory");
			*out = t;
		}
		memset(&(*out)[k], 0, sizeof((*out)[k]));
		lf_status st =
		    lf__onnx_tensor_read(path, &(*out)[k], err, sizeof(err));
		if (st != LF_OK)
			return verdict_status(v, st, err);
		*n = k + 1;
	}
}

static const struct lf__tensor *feed_of(const struct lf__onnx_model *m,
					const struct lf__tensor *fed,
					const char *name)
{
	for (size_t i = 0; i < m->n_inputs; i++)
		if (strcmp(m->inputs[i], name) == 0)
			return &fed[i];
	return lf__onnx_model_init(m, name);
}

/* Run the node on one data set and compare. */
static enum lf__conf_result run_set(const struct lf__onnx_model *m,
				    const char *set, struct verdict *v)
{
	const struct lf__onnx_node *node = &m->nodes[0];
	struct lf__tensor *in = NULL, *want = NULL, *got = NULL;
	const struct lf__tensor **args = NULL;
	size_t n_in = 0, n_want = 0;
	char err[LF__ONNX_ERR_LEN];

	if (read_set(set, "input", &in, &n_in, v) != LF__CONF_PASS ||
	    read_set(set, "output", &want, &n_want, v) != LF__CONF_PASS)
		goto out;
	if (n_in != m->n_inputs) {
		verdict_set(v, LF__CONF_FAIL,
			    "%zu input files, the model has %zu inputs", n_in,
			    m->n_inputs);
		goto out;
	}
	if (n_want == 0 || n_want > m->n_outputs) {
		verdict_set(v, LF__CONF_FAIL,
			    "%zu output files, the model has %zu outputs",
			    n_want, m->n_outputs);
		goto out;
	}
	args = calloc(node->n_inputs ? node->n_inputs : 1, sizeof(*args));
	got = calloc(node->n_outputs ? node->n_outputs : 1, sizeof(*got));
	if (!args || !got) {
		verdict_set(v, LF__CONF_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < node->n_inputs; i++) {
		if (!node->inputs[i][0])
			continue; /* omitted optional input */
		args[i] = feed_of(m, in, node->inputs[i]);
		if (!args[i]) {
			verdict_set(v, LF__CONF_FAIL,
				    "node input '%s' is neither fed nor an "
				    "initializer",
				    node->inputs[i]);
			goto out;
		}
	}
	lf_status st = lf__onnx_node_run_cpu(
	    node, lf__onnx_model_opset(m, node->domain), args, node->n_inputs,
	    got, node->n_outputs, err, sizeof(err));
	if (st != LF_OK) {
		verdict_status(v, st, err);
		goto out;
	}
	for (size_t k = 0; k < n_want; k++) {
		size_t j = 0;
		while (j < node->n_outputs &&
		       strcmp(node->outputs[j], m->outputs[k]) != 0)
			j++;
		if (j == node->n_outputs) {
			verdict_set(v, LF__CONF_FAIL,
				    "graph output '%s' is not the node's",
				    m->outputs[k]);
			goto out;
		}
		if (compare(&got[j], &want[k], k, v) != LF__CONF_PASS)
			goto out;
	}
out:
	free(args);
	release_all(got, node->n_outputs);
	release_all(in, n_in);
	release_all(want, n_want);
	return v->r;
}

/* SKIP, with the reason, unless the model is one node we can run. */
static enum lf__conf_result check_runnable(const struct lf__onnx_model *m,
					   struct verdict *v)
{
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct lf__onnx_node *n = &m->nodes[i];
		if (!lf__onnx_node_cpu_supported(n->domain, n->op_type))
			return verdict_set(
			    v, LF__CONF_SKIP, "op '%s%s%s' not supported",
			    n->domain, n->domain[0] ? "." : "", n->op_type);
	}
	if (m->n_nodes != 1)
		return verdict_set(v, LF__CONF_SKIP,
				   "model has %zu nodes; the runner runs "
				   "single-node models",
				   m->n_nodes);
	return LF__CONF_PASS;
}

enum lf__conf_result lf__conformance_test(const char *dir, char *msg,
					  size_t msglen)
{
	char dummy[8];
	struct verdict v = {LF__CONF_PASS, msg ? msg : dummy,
			    msg ? msglen : sizeof(dummy)};
	char path[PATH_MAX], err[LF__ONNX_ERR_LEN];
	if (!v.len)
		return LF__CONF_FAIL;
	v.msg[0] = '\0';
	if (!dir || !path_fmt(path, "%s/model.onnx", dir))
		return verdict_set(&v, LF__CONF_FAIL, "bad test folder path");

	/* Read with the graph's declared input/output types, so a test of a
	 * sequence or optional type is skipped as unsupported. */
	struct lf__onnx_model *m = NULL;
	struct lf__onnx_graph_io io;
	uint8_t *buf;
	size_t len;
	lf_status st = lf__onnx_read_file(path, &buf, &len, err, sizeof(err));
	if (st == LF_OK) {
		st = lf__onnx_model_read(buf, len, path, dir, &m, &io, err,
					 sizeof(err));
		free(buf);
	}
	if (st != LF_OK)
		return verdict_status(&v, st, err);
	lf__onnx_graph_io_free(&io);
	if (check_runnable(m, &v) != LF__CONF_PASS)
		goto out;
	size_t set = 0;
	for (;; set++) {
		if (!path_fmt(path, "%s/test_data_set_%zu", dir, set)) {
			verdict_set(&v, LF__CONF_FAIL, "path too long");
			break;
		}
		if (!is_dir(path))
			break;
		if (run_set(m, path, &v) != LF__CONF_PASS)
			break;
	}
	if (v.r == LF__CONF_PASS && set == 0)
		verdict_set(&v, LF__CONF_FAIL, "no test_data_set_0 folder");
	/* Say which data set when it is not the first. */
	if (v.r != LF__CONF_PASS && set > 0) {
		char tail[LF__ONNX_ERR_LEN];
		snprintf(tail, sizeof(tail), "%s", v.msg);
		snprintf(v.msg, v.len, "test_data_set_%zu: %s", set, tail);
	}
out:
	lf__onnx_model_free(m);
	return v.r;
}

int lf__conformance_node_scope(const char *dir)
{
	char path[PATH_MAX], err[LF__ONNX_ERR_LEN];
	size_t len = dir ? strlen(dir) : 0;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	/* The parent folder's name: ".../node/test_x". */
	size_t end = len;
	while (end > 0 && dir[end - 1] != '/')
		end--;
	if (end > 0)
		end--; /* the '/' before the test folder's name */
	while (end > 0 && dir[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	if (end - start == 4 && strncmp(dir + start, "node", 4) == 0)
		return 1;
	struct lf__onnx_model *m;
	if (!dir || !path_fmt(path, "%.*s/model.onnx", (int)len, dir) ||
	    lf__onnx_model_load(path, &m, err, sizeof(err)) != LF_OK)
		return 0;
	int one = m->n_nodes == 1;
	lf__onnx_model_free(m);
	return one;
}

static int keep_dir(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Run @test on folder @dir: a SKIP outside a node test's scope fails. */
static enum lf__conf_result run_one(lf__conf_test_fn test, void *arg,
				    const char *dir, char *msg, size_t len)
{
	enum lf__conf_result r = test(arg, dir, msg, len);
	if (r != LF__CONF_SKIP || lf__conformance_node_scope(dir))
		return r;
	static const char pre[] = "whole model not run: ";
	size_t plen = sizeof(pre) - 1, mlen = strlen(msg);
	if (len > plen) {
		if (mlen + 1 > len - plen)
			mlen = len - plen - 1;
		memmove(msg + plen, msg, mlen);
		memcpy(msg, pre, plen);
		msg[plen + mlen] = '\0';
	}
	return LF__CONF_FAIL;
}

static void report(FILE *out, const char *name, enum lf__conf_result r,
		   const char *msg, struct lf__conf_totals *t)
{
	static const char *const tag[] = {"PASS", "FAIL", "SKIP"};
	if (r == LF__CONF_PASS) {
		t->passed++;
		fprintf(out, "PASS %s\n", name);
		return;
	}
	if (r == LF__CONF_FAIL)
		t->failed++;
	else
		t->skipped++;
	fprintf(out, "%s %s: %s\n", tag[r], name, msg);
}

static enum lf__conf_result cpu_test(void *arg, const char *dir, char *msg,
				     size_t msglen)
{
	(void)arg;
	return lf__conformance_test(dir, msg, msglen);
}

lf_status lf__conformance_run(const char *dir, const char *filter, FILE *out,
			      struct lf__conf_totals *totals, char *err,
			      size_t errlen)
{
	return lf__conformance_run_with(dir, filter, cpu_test, NULL, out,
					totals, err, errlen);
}

lf_status lf__conformance_run_with(const char *dir, const char *filter,
				   lf__conf_test_fn test, void *arg, FILE *out,
				   struct lf__conf_totals *totals, char *err,
				   size_t errlen)
{
	struct lf__conf_totals t = {0, 0, 0};
	char path[PATH_MAX], msg[2 * LF__ONNX_ERR_LEN];
	if (!dir || !out || !test)
		return LF_ERR_INVALID_ARG;

	if (path_fmt(path, "%s/model.onnx", dir) && is_file(path)) {
		/* DIR is one test folder. */
		const char *base = strrchr(dir, '/');
		base = base && base[1] ? base + 1 : dir;
		if (!filter || strstr(base, filter))
			report(out, base,
			       run_one(test, arg, dir, msg, sizeof(msg)), msg,
			       &t);
	} else {
		struct dirent **list;
		int n = scandir(dir, &list, keep_dir, alphasort);
		if (n < 0) {
			if (err && errlen)
				snprintf(err, errlen, "%s: cannot list: %s",
					 dir, strerror(errno));
			return LF_ERR_IO;
		}
		for (int i = 0; i < n; i++) {
			const char *name = list[i]->d_name;
			if ((!filter || strstr(name, filter)) &&
			    path_fmt(path, "%s/%s/model.onnx", dir, name) &&
			    is_file(path) && path_fmt(path, "%s/%s", dir, name))
				report(
				    out, name,
				    run_one(test, arg, path, msg, sizeof(msg)),
				    msg, &t);
			free(list[i]);
		}
		free(list);
	}
	fprintf(out, "%u passed, %u failed, %u skipped\n", t.passed, t.failed,
		t.skipped);
	if (totals)
		*totals = t;
	return LF_OK;
}
