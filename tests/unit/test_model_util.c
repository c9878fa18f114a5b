/*
 * test_model_util.c - fixtures of the model and graph suites (see
 * test_model_util.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/onnx.h"
#include "lf_test.h"
#include "onnx.pb-c.h"
#include "test_model_util.h"

/* ---- builder: every field malloc'ed, freed by free_unpacked ------------- */

struct lft_onnx {
	Onnx__ModelProto *m;
	Onnx__GraphProto *g;
	Onnx__NodeProto *last;
};

#define GROW(arr, n)                                                           \
	((arr) = realloc((arr), sizeof(*(arr)) * ((n) + 1)), &(arr)[(n)++])

struct lft_onnx *lft_onnx_new(int64_t opset)
{
	struct lft_onnx *b = calloc(1, sizeof(*b));
	b->m = malloc(sizeof(*b->m));
	onnx__model_proto__init(b->m);
	b->m->has_ir_version = 1;
	b->m->ir_version = 8;
	b->g = malloc(sizeof(*b->g));
	onnx__graph_proto__init(b->g);
	b->g->name = strdup("g");
	b->m->graph = b->g;
	const char *dom[2] = {"", "com.microsoft"};
	int64_t ver[2] = {opset, 1};
	for (int i = 0; i < 2; i++) {
		Onnx__OperatorSetIdProto *o = malloc(sizeof(*o));
		onnx__operator_set_id_proto__init(o);
		o->domain = strdup(dom[i]);
		o->has_version = 1;
		o->version = ver[i];
		*GROW(b->m->opset_import, b->m->n_opset_import) = o;
	}
	return b;
}

static Onnx__ValueInfoProto *vinfo(const char *name, int32_t type, int rank,
				   const int64_t *dims)
{
	Onnx__ValueInfoProto *v = malloc(sizeof(*v));
	onnx__value_info_proto__init(v);
	v->name = strdup(name);
	v->type = malloc(sizeof(*v->type));
	onnx__type_proto__init(v->type);
	v->type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	v->type->tensor_type = malloc(sizeof(*v->type->tensor_type));
	onnx__type_proto__tensor__init(v->type->tensor_type);
	v->type->tensor_type->has_elem_type = 1;
	v->type->tensor_type->elem_type = type;
	Onnx__TensorShapeProto *s = malloc(sizeof(*s));
	onnx__tensor_shape_proto__init(s);
	for (int i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = malloc(sizeof(*d));
		onnx__tensor_shape_proto__dimension__init(d);
		if (dims[i] < 0) {
			d->value_case =
			    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			d->dim_param = strdup("N");
		} else {
			d->value_case =
			    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			d->dim_value = dims[i];
		}
		*GROW(s->dim, s->n_dim) = d;
	}
	v->type->tensor_type->shape = s;
	return v;
}

void lft_onnx_input(struct lft_onnx *b, const char *name, int32_t type,
		    int rank, const int64_t *dims)
{
	*GROW(b->g->input, b->g->n_input) = vinfo(name, type, rank, dims);
}

void lft_onnx_output(struct lft_onnx *b, const char *name, int32_t type,
		     int rank, const int64_t *dims)
{
	*GROW(b->g->output, b->g->n_output) = vinfo(name, type, rank, dims);
}

static Onnx__TensorProto *tproto(const char *name, int32_t type, int rank,
				 const int64_t *dims)
{
	Onnx__TensorProto *t = malloc(sizeof(*t));
	onnx__tensor_proto__init(t);
	t->name = strdup(name);
	t->has_data_type = 1;
	t->data_type = type;
	t->n_dims = (size_t)rank;
	t->dims = malloc(sizeof(int64_t) * (size_t)(rank ? rank : 1));
	if (rank)
		memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
	return t;
}

void lft_onnx_init(struct lft_onnx *b, const char *name, int32_t type, int rank,
		   const int64_t *dims, const void *data, size_t bytes)
{
	Onnx__TensorProto *t = tproto(name, type, rank, dims);
	t->has_raw_data = 1;
	t->raw_data.len = bytes;
	t->raw_data.data = malloc(bytes ? bytes : 1);
	if (bytes)
		memcpy(t->raw_data.data, data, bytes);
	*GROW(b->g->initializer, b->g->n_initializer) = t;
}

static Onnx__StringStringEntryProto *kv(const char *k, const char *v)
{
	Onnx__StringStringEntryProto *e = malloc(sizeof(*e));
	onnx__string_string_entry_proto__init(e);
	e->key = strdup(k);
	e->value = strdup(v);
	return e;
}

void lft_onnx_init_ext(struct lft_onnx *b, const char *name, int32_t type,
		       int rank, const int64_t *dims, const char *location,
		       uint64_t offset, uint64_t length)
{
	Onnx__TensorProto *t = tproto(name, type, rank, dims);
	char num[32];
	t->has_data_location = 1;
	t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	*GROW(t->external_data, t->n_external_data) = kv("location", location);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)offset);
	*GROW(t->external_data, t->n_external_data) = kv("offset", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)length);
	*GROW(t->external_data, t->n_external_data) = kv("length", num);
	*GROW(b->g->initializer, b->g->n_initializer) = t;
}

/* Split "a,b,,c" into a NULL-free string array. */
static char **split(const char *s, size_t *n)
{
	char **v = NULL;
	*n = 0;
	if (!s || !*s)
		return NULL;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *x = malloc(len + 1);
		memcpy(x, p, len);
		x[len] = 0;
		*GROW(v, *n) = x;
		if (!e)
			break;
		p = e + 1;
	}
	return v;
}

void lft_onnx_node(struct lft_onnx *b, const char *op, const char *domain,
		   const char *name, const char *in, const char *out)
{
	Onnx__NodeProto *n = malloc(sizeof(*n));
	onnx__node_proto__init(n);
	n->op_type = strdup(op);
	n->domain = strdup(domain ? domain : "");
	n->name = strdup(name);
	n->input = split(in, &n->n_input);
	n->output = split(out, &n->n_output);
	*GROW(b->g->node, b->g->n_node) = n;
	b->last = n;
}

static Onnx__AttributeProto *attr(struct lft_onnx *b, const char *name,
				  Onnx__AttributeProto__AttributeType type)
{
	Onnx__AttributeProto *a = malloc(sizeof(*a));
	onnx__attribute_proto__init(a);
	a->name = strdup(name);
	a->has_type = 1;
	a->type = type;
	*GROW(b->last->attribute, b->last->n_attribute) = a;
	return a;
}

void lft_onnx_attr_i(struct lft_onnx *b, const char *name, int64_t v)
{
	Onnx__AttributeProto *a =
	    attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	a->has_i = 1;
	a->i = v;
}

void lft_onnx_attr_f(struct lft_onnx *b, const char *name, float v)
{
	Onnx__AttributeProto *a =
	    attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
	a->has_f = 1;
	a->f = v;
}

void lft_onnx_attr_ints(struct lft_onnx *b, const char *name, int n,
			const int64_t *v)
{
	Onnx__AttributeProto *a =
	    attr(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	a->n_ints = (size_t)n;
	a->ints = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
	if (n)
		memcpy(a->ints, v, sizeof(int64_t) * (size_t)n);
}

uint8_t *lft_onnx_finish(struct lft_onnx *b, size_t *len)
{
	*len = onnx__model_proto__get_packed_size(b->m);
	uint8_t *buf = malloc(*len ? *len : 1);
	onnx__model_proto__pack(b->m, buf);
	onnx__model_proto__free_unpacked(b->m, NULL);
	free(b);
	return buf;
}

/* ---- data ------------------------------------------------------------------
 */

uint8_t *lft_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

lf_tensor *lft_tensor_pb(lf_context *ctx, const char *path)
{
	struct lf__tensor t;
	char err[512];
	lf_status st = lf__onnx_tensor_read(path, &t, err, sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL("cannot read a .pb");
		return NULL;
	}
	lf_dtype dt;
	lf_tensor *out = NULL;
	if (lf__onnx_dtype_to_lf(t.dtype, &dt) == LF_OK &&
	    lf_tensor_create(ctx, dt, t.rank, t.dims, NULL, &out) == LF_OK)
		memcpy(lf_tensor_data(out), t.data, lf_tensor_bytes(out));
	else
		CU_FAIL("unsupported .pb tensor");
	lf__tensor_release(&t);
	return out;
}

unsigned lft_profile_segments(const lf_run_profile *p)
{
	unsigned segs = 0, last = ~0u;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		if (lf_run_profile_get(p, i, &r) == LF_OK && r.segment != ~0u &&
		    r.segment != last) {
			segs++;
			last = r.segment;
		}
	}
	return segs;
}

int lft_same(const lf_tensor *got, const lf_tensor *want, int exact,
	     const char *what)
{
	int64_t dg[LF_MAX_DIMS], dw[LF_MAX_DIMS];
	int rg = lf_tensor_shape(got, dg), rw = lf_tensor_shape(want, dw);
	if (rg != rw || memcmp(dg, dw, sizeof(int64_t) * (size_t)rg) ||
	    lf_tensor_dtype(got) != lf_tensor_dtype(want)) {
		fprintf(stderr, "%s: shape or type differs\n", what);
		return 0;
	}
	const uint8_t *a = lf_tensor_data((lf_tensor *)got);
	const uint8_t *b = lf_tensor_data((lf_tensor *)want);
	size_t n = lf_tensor_bytes(got);
	if (lf_tensor_dtype(got) != LF_DTYPE_FLOAT32 || exact) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i]) {
				fprintf(stderr,
					"%s: byte %zu: got %u want %u\n", what,
					i, a[i], b[i]);
				return 0;
			}
		return 1;
	}
	const float *x = (const float *)a, *y = (const float *)b;
	for (size_t i = 0; i < n / 4; i++) {
		if (isnan(x[i]) && isnan(y[i]))
			continue;
		if (!(fabs((double)x[i] - (double)y[i]) <=
		      1e-7 + 1e-3 * fabs((double)y[i]))) {
			fprintf(stderr, "%s: element %zu: got %g want %g\n",
				what, i, (double)x[i], (double)y[i]);
			return 0;
		}
	}
	return 1;
}

static int exists(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

static int run_set(lf_context *ctx, lf_model *m, const char *set, int exact,
		   lf_tensor **keep)
{
	char path[1200];
	lf_tensor *in[8] = {NULL}, *out[4] = {NULL};
	size_t ni = lf_model_input_count(m), no = lf_model_output_count(m);
	int ok = ni <= 8 && no <= 4;
	for (size_t i = 0; ok && i < ni; i++) {
		snprintf(path, sizeof(path), "%s/input_%zu.pb", set, i);
		ok = (in[i] = lft_tensor_pb(ctx, path)) != NULL;
	}
	lf_status st = ok ? lf_model_run(m, in, ni, out, no, NULL) : LF_OK;
	if (st != LF_OK) {
		fprintf(stderr, "%s: %s: %s\n", set, lf_status_name(st),
			lf_context_last_error(ctx));
		ok = 0;
	}
	for (size_t j = 0; ok && j < no; j++) {
		snprintf(path, sizeof(path), "%s/output_%zu.pb", set, j);
		lf_tensor *want = lft_tensor_pb(ctx, path);
		ok = want && lft_same(out[j], want, exact, path);
		lf_tensor_destroy(want);
	}
	for (size_t i = 0; i < ni && i < 8; i++)
		lf_tensor_destroy(in[i]);
	for (size_t j = 0; j < no && j < 4; j++) {
		if (keep && ok)
			keep[j] = out[j];
		else
			lf_tensor_destroy(out[j]);
	}
	return ok;
}

int lft_run_case(lf_context *ctx, const char *dir, int exact,
		 lf_tensor *outs[8][4])
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/model.onnx", dir);
	lf_model *m = NULL;
	lf_status st = lf_model_load(ctx, path, &m);
	if (st == LF_ERR_UNSUPPORTED)
		return -2;
	if (st != LF_OK) {
		fprintf(stderr, "%s: %s: %s\n", path, lf_status_name(st),
			lf_context_last_error(ctx));
		return -1;
	}
	int k = 0, ok = 1;
	for (;; k++) {
		snprintf(path, sizeof(path), "%s/test_data_set_%d", dir, k);
		char probe[1100];
		snprintf(probe, sizeof(probe), "%s/input_0.pb", path);
		if (!exists(probe))
			break;
		if (!run_set(ctx, m, path, exact,
			     outs && k < 8 ? outs[k] : NULL))
			ok = 0;
	}
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	return ok ? k : -1;
}

const char *lft_ort_dir(void)
{
	return "tests/data/ort";
}
