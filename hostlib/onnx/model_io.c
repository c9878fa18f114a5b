/*
 * model_io.c - a whole model file: graph input/output declarations and
 * external initializer data (see model_io.h). The nodes, attributes and
 * initializers themselves are read by model.c (lf__onnx_model_parse()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/lf_file.h"
#include "hostlib/onnx/model_io.h"
#include "hostlib/onnx/onnx_impl.h"

void lf__onnx_graph_io_free(struct lf__onnx_graph_io *io)
{
	if (!io)
		return;
	for (size_t i = 0; io->inputs && i < io->n_inputs; i++)
		free(io->inputs[i].name);
	for (size_t i = 0; io->outputs && i < io->n_outputs; i++)
		free(io->outputs[i].name);
	free(io->inputs);
	free(io->outputs);
	memset(io, 0, sizeof(*io));
}

static lf_status vinfo_of(const Onnx__ValueInfoProto *vp, const char *what,
			  struct lf__onnx_vinfo *v, char *err, size_t errlen)
{
	v->name = lf__onnx_strdup(vp->name);
	if (!v->name)
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: out of memory", what);
	v->rank = -1;
	const Onnx__TypeProto *tp = vp->type;
	if (!tp)
		return LF_OK;
	if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !tp->tensor_type)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: graph input/output '%s' is not a "
				     "tensor (sequence, map or optional "
				     "types are not supported)",
				     what, v->name);
	const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
	v->elem_type = tt->has_elem_type ? tt->elem_type : 0;
	if (!tt->shape)
		return LF_OK;
	if (tt->shape->n_dim > LF__TENSOR_MAX_RANK)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: graph input/output '%s' has rank "
				     "%zu, at most %d is supported",
				     what, v->name, tt->shape->n_dim,
				     LF__TENSOR_MAX_RANK);
	v->rank = (int)tt->shape->n_dim;
	for (int i = 0; i < v->rank; i++) {
		const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
		v->dims[i] = -1;
		if (d->value_case ==
		    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
			if (d->dim_value < 0)
				return lf__onnx_fail(
				    err, errlen, LF_ERR_BAD_FILE,
				    "%s: graph input/output '%s': dim %d is "
				    "negative (%lld)",
				    what, v->name, i, (long long)d->dim_value);
			v->dims[i] = d->dim_value;
		}
	}
	return LF_OK;
}

static int is_init(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name &&
		    strcmp(g->initializer[i]->name, name) == 0)
			return 1;
	return 0;
}

static lf_status read_io(const Onnx__GraphProto *g, const char *what,
			 struct lf__onnx_graph_io *io, char *err, size_t errlen)
{
	io->inputs = calloc(g->n_input ? g->n_input : 1, sizeof(*io->inputs));
	io->outputs =
	    calloc(g->n_output ? g->n_output : 1, sizeof(*io->outputs));
	if (!io->inputs || !io->outputs)
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: out of memory", what);
	for (size_t i = 0; i < g->n_input; i++) {
		if (is_init(g, g->input[i]->name ? g->input[i]->name : ""))
			continue;
		lf_status st = vinfo_of(g->input[i], what,
					&io->inputs[io->n_inputs], err, errlen);
		io->n_inputs++;
		if (st != LF_OK)
			return st;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		lf_status st =
		    vinfo_of(g->output[i], what, &io->outputs[io->n_outputs],
			     err, errlen);
		io->n_outputs++;
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* ---- external data ------------------------------------------------------ */

/* An external initializer while it is loaded: what to put back. */
struct ext_saved {
	Onnx__TensorProto *tp;
	size_t n_external_data;
	Onnx__StringStringEntryProto **external_data;
	protobuf_c_boolean has_data_location;
	Onnx__TensorProto__DataLocation data_location;
	uint8_t *data; /* loaded bytes (ours) */
};

static int is_external(const Onnx__TensorProto *tp)
{
	return (tp->has_data_location &&
		tp->data_location ==
		    ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
	       tp->n_external_data;
}

/* A decimal number that fits uint64_t. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 1;
}

/*
 * A location is acceptable when it is relative and has no ".." component;
 * the resolved path is checked against the directory afterwards (symbolic
 * links).
 */
static int location_ok(const char *loc)
{
	if (!loc[0] || loc[0] == '/' || strchr(loc, '\\'))
		return 0;
	const char *p = loc;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

#define EXT_FAIL(st, ...) lf__onnx_fail(err, errlen, st, __VA_ARGS__)

static lf_status ext_keys(const Onnx__TensorProto *tp, const char *what,
			  const char *name, const char **loc, uint64_t *off,
			  uint64_t *len, int *has_len, char *err, size_t errlen)
{
	*loc = NULL;
	*off = 0;
	*has_len = 0;
	for (size_t i = 0; i < tp->n_external_data; i++) {
		const Onnx__StringStringEntryProto *e = tp->external_data[i];
		const char *k = e->key ? e->key : "";
		const char *v = e->value ? e->value : "";
		if (strcmp(k, "location") == 0) {
			*loc = v;
		} else if (strcmp(k, "offset") == 0) {
			if (!parse_u64(v, off))
				return EXT_FAIL(LF_ERR_BAD_FILE,
						"%s: tensor '%s': external "
						"data offset '%s' is not a "
						"number",
						what, name, v);
		} else if (strcmp(k, "length") == 0) {
			if (!parse_u64(v, len))
				return EXT_FAIL(LF_ERR_BAD_FILE,
						"%s: tensor '%s': external "
						"data length '%s' is not a "
						"number",
						what, name, v);
			*has_len = 1;
		}
	}
	if (!*loc)
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: tensor '%s': external data without a "
				"location",
				what, name);
	return LF_OK;
}

/* The real path of @loc under @base_dir, checked to stay inside it. */
static lf_status ext_path(const char *base_dir, const char *loc,
			  const char *what, const char *name, char *out,
			  char *err, size_t errlen)
{
	if (!location_ok(loc))
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: tensor '%s': external data location "
				"'%s' is not a relative path inside the "
				"model's directory",
				what, name, loc);
	char joined[PATH_MAX], base[PATH_MAX];
	int n = snprintf(joined, sizeof(joined), "%s/%s", base_dir, loc);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: tensor '%s': external data path too long",
				what, name);
	if (!realpath(base_dir, base))
		return EXT_FAIL(LF_ERR_IO, "%s: model directory '%s': %s", what,
				base_dir, strerror(errno));
	if (!realpath(joined, out))
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: tensor '%s': external data file '%s': %s",
				what, name, loc, strerror(errno));
	size_t bl = strlen(base);
	int inside = strncmp(out, base, bl) == 0 &&
		     (out[bl] == '/' || (bl == 1 && base[0] == '/'));
	if (!inside)
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: tensor '%s': external data location '%s' "
				"resolves outside the model's directory",
				what, name, loc);
	return LF_OK;
}

static lf_status ext_read(const char *path, uint64_t off, uint64_t len,
			  int has_len, const char *what, const char *name,
			  uint8_t **data, size_t *size, char *err,
			  size_t errlen)
{
	char why[LF__ONNX_ERR_LEN];
	uint64_t fsize = 0;
	size_t got = 0;
	int fd = -1;
	/* The data file itself may be larger than 2 GiB (it holds many
	 * tensors); one tensor's range may not (below). Not blocking on a
	 * FIFO, refusing what is not a regular file: base/lf_file.h. */
	lf_status st =
	    lf__file_open(path, UINT64_MAX, &fd, &fsize, why, sizeof(why));
	if (st != LF_OK)
		return EXT_FAIL(st == LF_ERR_NOT_FOUND ? LF_ERR_IO : st,
				"%s: tensor '%s': %s", what, name, why);
	if (!has_len)
		len = off <= fsize ? fsize - off : 0;
	if (off > fsize || len > fsize - off || len > (1ull << 31)) {
		st = EXT_FAIL(LF_ERR_BAD_FILE,
			      "%s: tensor '%s': external range [%llu, +%llu) "
			      "lies outside %s (%llu bytes)",
			      what, name, (unsigned long long)off,
			      (unsigned long long)len, path,
			      (unsigned long long)fsize);
		goto out;
	}
	*data = malloc(len ? len : 1);
	if (!*data) {
		st = EXT_FAIL(LF_ERR_NO_MEMORY,
			      "%s: tensor '%s': out of memory", what, name);
		goto out;
	}
	while (got < len) {
		ssize_t n = pread(fd, *data + got, (size_t)len - got,
				  (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(*data);
			*data = NULL;
			st = EXT_FAIL(LF_ERR_IO,
				      "%s: tensor '%s': short read from %s",
				      what, name, path);
			goto out;
		}
		got += (size_t)n;
	}
	*size = (size_t)len;
out:
	close(fd);
	return st;
}

/* Load one external initializer into raw_data, remembering what to undo. */
static lf_status ext_load(Onnx__TensorProto *tp, const char *what,
			  const char *base_dir, struct ext_saved *sv, char *err,
			  size_t errlen)
{
	const char *name = tp->name ? tp->name : "";
	if (!base_dir)
		return EXT_FAIL(LF_ERR_UNSUPPORTED,
				"%s: tensor '%s': external data, but the model "
				"was given without a directory to read it from",
				what, name);
	const char *loc;
	uint64_t off, len = 0;
	int has_len;
	lf_status st =
	    ext_keys(tp, what, name, &loc, &off, &len, &has_len, err, errlen);
	if (st != LF_OK)
		return st;
	char path[PATH_MAX];
	st = ext_path(base_dir, loc, what, name, path, err, errlen);
	if (st != LF_OK)
		return st;
	uint8_t *data = NULL;
	size_t size = 0;
	st = ext_read(path, off, len, has_len, what, name, &data, &size, err,
		      errlen);
	if (st != LF_OK)
		return st;
	sv->tp = tp;
	sv->n_external_data = tp->n_external_data;
	sv->external_data = tp->external_data;
	sv->has_data_location = tp->has_data_location;
	sv->data_location = tp->data_location;
	sv->data = data;
	tp->n_external_data = 0;
	tp->external_data = NULL;
	tp->has_data_location = 0;
	tp->has_raw_data = 1;
	tp->raw_data.data = data;
	tp->raw_data.len = size;
	return LF_OK;
}

static void ext_restore(struct ext_saved *sv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		Onnx__TensorProto *tp = sv[i].tp;
		tp->n_external_data = sv[i].n_external_data;
		tp->external_data = sv[i].external_data;
		tp->has_data_location = sv[i].has_data_location;
		tp->data_location = sv[i].data_location;
		tp->has_raw_data = 0;
		tp->raw_data.data = NULL;
		tp->raw_data.len = 0;
		free(sv[i].data);
	}
}

/*
 * With external data loaded into the message, serialize it again and let
 * model.c read it: one parser for every initializer.
 */
static lf_status parse_loaded(Onnx__ModelProto *mp, const char *what,
			      struct lf__onnx_model **model, char *err,
			      size_t errlen)
{
	size_t len = onnx__model_proto__get_packed_size(mp);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return EXT_FAIL(LF_ERR_NO_MEMORY, "%s: out of memory", what);
	onnx__model_proto__pack(mp, buf);
	lf_status st = lf__onnx_model_parse(buf, len, what, model, err, errlen);
	free(buf);
	return st;
}

lf_status lf__onnx_model_read(const void *buf, size_t len, const char *what,
			      const char *base_dir,
			      struct lf__onnx_model **model,
			      struct lf__onnx_graph_io *io, char *err,
			      size_t errlen)
{
	what = what ? what : "ModelProto";
	if (!model || !io || (len && !buf))
		return EXT_FAIL(LF_ERR_INVALID_ARG, "%s: NULL argument", what);
	Onnx__ModelProto *mp =
	    onnx__model_proto__unpack(NULL, len, (const uint8_t *)buf);
	if (!mp)
		return EXT_FAIL(LF_ERR_BAD_FILE,
				"%s: not a valid ONNX model (truncated or "
				"corrupt protobuf, %zu bytes)",
				what, len);
	struct lf__onnx_graph_io gio;
	memset(&gio, 0, sizeof(gio));
	struct ext_saved *sv = NULL;
	size_t nsv = 0;
	lf_status st = LF_OK;
	const Onnx__GraphProto *g = mp->graph;
	if (!g) {
		st = EXT_FAIL(LF_ERR_BAD_FILE, "%s: the model has no graph",
			      what);
		goto out;
	}
	if ((st = read_io(g, what, &gio, err, errlen)) != LF_OK)
		goto out;
	sv = calloc(g->n_initializer ? g->n_initializer : 1, sizeof(*sv));
	if (!sv) {
		st = EXT_FAIL(LF_ERR_NO_MEMORY, "%s: out of memory", what);
		goto out;
	}
	for (size_t i = 0; i < g->n_initializer; i++) {
		if (!is_external(g->initializer[i]))
			continue;
		st = ext_load(g->initializer[i], what, base_dir, &sv[nsv], err,
			      errlen);
		if (st != LF_OK)
			goto out;
		nsv++;
	}
	if (nsv)
		st = parse_loaded(mp, what, model, err, errlen);
	else
		st = lf__onnx_model_parse(buf, len, what, model, err, errlen);
out:
	if (sv)
		ext_restore(sv, nsv);
	free(sv);
	onnx__model_proto__free_unpacked(mp, NULL);
	if (st != LF_OK) {
		lf__onnx_graph_io_free(&gio);
		return st;
	}
	*io = gio;
	return LF_OK;
}
