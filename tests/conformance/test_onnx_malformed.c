/*
 * test_onnx_malformed.c - hostlib/onnx on crafted and broken input: each
 * file is built here with protobuf-c (or is plain garbage), written to a
 * temporary folder, and must give its documented status with a message
 * saying what is wrong, never a crash (the suite runs under ASan/UBSan in
 * `make check-asan`). Also the runner on a crafted test folder.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/node_cpu.h"
#include "hostlib/onnx/onnx.h"
#include "lf_test.h"
#include "onnx.pb-c.h"

static char g_dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int suite_init(void)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/lf_onnx_test_XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int suite_clean(void)
{
	return nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* g_dir/@name, created with @len bytes of @buf; the path goes to @path. */
static void write_file(const char *name, const void *buf, size_t len,
		       char *path, size_t pathlen)
{
	snprintf(path, pathlen, "%s/%s", g_dir, name);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fwrite(buf, 1, len, f) == len || len == 0);
	fclose(f);
}

static void make_dir(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
}

/* The packed bytes of @tp (malloc'ed). */
static uint8_t *pack_tensor(const Onnx__TensorProto *tp, size_t *len)
{
	*len = onnx__tensor_proto__get_packed_size(tp);
	uint8_t *buf = malloc(*len ? *len : 1);
	CU_ASSERT_FATAL(buf != NULL);
	onnx__tensor_proto__pack(tp, buf);
	return buf;
}

/* A float32 tensor 'x' of shape @dims[@rank] with @nbytes of raw data. */
static Onnx__TensorProto float_tensor(int64_t *dims, size_t rank, uint8_t *raw,
				      size_t nbytes)
{
	Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
	tp.name = "x";
	tp.n_dims = rank;
	tp.dims = dims;
	tp.has_data_type = 1;
	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	if (raw) {
		tp.has_raw_data = 1;
		tp.raw_data.data = raw;
		tp.raw_data.len = nbytes;
	}
	return tp;
}

/* Parse @tp; expect @st and, if not OK, a message containing @needle. */
static void expect_tensor(const Onnx__TensorProto *tp, lf_status want,
			  const char *needle)
{
	size_t len;
	uint8_t *buf = pack_tensor(tp, &len);
	struct lf__tensor t;
	memset(&t, 0, sizeof(t));
	char err[LF__ONNX_ERR_LEN] = "";
	lf_status st =
	    lf__onnx_tensor_parse(buf, len, "t.pb", &t, err, sizeof(err));
	CU_ASSERT_EQUAL(st, want);
	if (st != want)
		fprintf(stderr, "\n  got %s: %s\n", lf_status_name(st), err);
	if (want != LF_OK && needle) {
		CU_ASSERT(strstr(err, needle) != NULL);
		if (!strstr(err, needle))
			fprintf(stderr, "\n  message '%s' lacks '%s'\n", err,
				needle);
	}
	lf__tensor_release(&t);
	free(buf);
}

static const float k_vals[6] = {1.5f, -2, 0, 3.25f, 100, -0.5f};

static void le_floats(const float *v, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		for (int b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(u >> (8 * b));
	}
}

static void test_tensor_valid(void)
{
	int64_t dims[] = {2, 3};
	uint8_t raw[24];
	le_floats(k_vals, 6, raw);
	Onnx__TensorProto tp = float_tensor(dims, 2, raw, 24);
	size_t len;
	uint8_t *buf = pack_tensor(&tp, &len);
	char path[256], err[LF__ONNX_ERR_LEN];
	write_file("ok.pb", buf, len, path, sizeof(path));
	free(buf);
	struct lf__tensor t;
	CU_ASSERT_EQUAL_FATAL(lf__onnx_tensor_read(path, &t, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_STRING_EQUAL(t.name, "x");
	CU_ASSERT(t.dtype == LF__ONNX_FLOAT && t.rank == 2 && t.dims[0] == 2 &&
		  t.dims[1] == 3 && t.count == 6);
	CU_ASSERT(memcmp(t.data, k_vals, sizeof(k_vals)) == 0);
	lf__tensor_release(&t);

	/* int8 in int32_data; int64 in int64_data */
	int32_t i32[] = {-3, 7};
	int64_t d2[] = {2}, i64[] = {INT64_MIN, 5};
	Onnx__TensorProto ti = ONNX__TENSOR_PROTO__INIT;
	ti.n_dims = 1;
	ti.dims = d2;
	ti.has_data_type = 1;
	ti.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
	ti.n_int32_data = 2;
	ti.int32_data = i32;
	buf = pack_tensor(&ti, &len);
	CU_ASSERT_EQUAL(
	    lf__onnx_tensor_parse(buf, len, NULL, &t, err, sizeof(err)), LF_OK);
	CU_ASSERT(t.count == 2 && ((int8_t *)t.data)[0] == -3 &&
		  ((int8_t *)t.data)[1] == 7);
	lf__tensor_release(&t);
	free(buf);
	ti.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	ti.n_int32_data = 0;
	ti.n_int64_data = 2;
	ti.int64_data = i64;
	buf = pack_tensor(&ti, &len);
	CU_ASSERT_EQUAL(
	    lf__onnx_tensor_parse(buf, len, NULL, &t, err, sizeof(err)), LF_OK);
	CU_ASSERT(((int64_t *)t.data)[0] == INT64_MIN &&
		  ((int64_t *)t.data)[1] == 5);
	lf__tensor_release(&t);
	free(buf);

	/* an empty tensor needs no data */
	int64_t d0[] = {0, 3};
	Onnx__TensorProto te = float_tensor(d0, 2, NULL, 0);
	expect_tensor(&te, LF_OK, NULL);
}

static void test_tensor_truncated(void)
{
	int64_t dims[] = {2, 3};
	uint8_t raw[24];
	le_floats(k_vals, 6, raw);
	Onnx__TensorProto tp = float_tensor(dims, 2, raw, 24);
	size_t len;
	uint8_t *buf = pack_tensor(&tp, &len);
	char path[256], err[LF__ONNX_ERR_LEN];
	struct lf__tensor t;

	/* The file cut 3 bytes short: raw_data is the last field. */
	write_file("truncated.pb", buf, len - 3, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_tensor_read(path, &t, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(strstr(err, "not a valid TensorProto") != NULL);
	CU_ASSERT(strstr(err, "truncated.pb") != NULL);

	/* Every proper prefix is an error, with a message. */
	for (size_t cut = 0; cut < len; cut++) {
		err[0] = '\0';
		lf_status st =
		    lf__onnx_tensor_parse(buf, cut, NULL, &t, err, sizeof(err));
		CU_ASSERT(st == LF_ERR_BAD_FILE);
		CU_ASSERT(err[0] != '\0');
		if (st == LF_OK)
			lf__tensor_release(&t);
	}
	free(buf);

	CU_ASSERT_EQUAL(
	    lf__onnx_tensor_read("/nonexistent/lf.pb", &t, err, sizeof(err)),
	    LF_ERR_IO);
	CU_ASSERT(strstr(err, "/nonexistent/lf.pb") != NULL);
}

static void test_tensor_garbage(void)
{
	/* an over-long varint */
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	char path[256], err[LF__ONNX_ERR_LEN];
	struct lf__tensor t;
	write_file("garbage.pb", junk, sizeof(junk), path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_tensor_read(path, &t, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(err[0] != '\0');

	/* Random bytes and bit flips of a valid tensor: a status and a
	 * message every time, no crash (ASan watches the reads). */
	int64_t dims[] = {2, 3};
	uint8_t raw[24];
	le_floats(k_vals, 6, raw);
	Onnx__TensorProto tp = float_tensor(dims, 2, raw, 24);
	size_t len;
	uint8_t *good = pack_tensor(&tp, &len);
	struct lf_rng rng;
	lf_rng_seed(&rng, 42);
	int rounds = lf_test_slow_mode() ? 200 : 2000;
	uint8_t buf[96];
	for (int r = 0; r < rounds; r++) {
		size_t n;
		if (r % 2) {
			n = (size_t)lf_rng_range(&rng, 0, (int)sizeof(buf));
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)lf_rng_u32(&rng);
		} else {
			n = len;
			memcpy(buf, good, len);
			int pos = lf_rng_range(&rng, 0, (int)len - 1);
			buf[pos] ^= (uint8_t)(1u << lf_rng_range(&rng, 0, 7));
		}
		err[0] = '\0';
		lf_status st =
		    lf__onnx_tensor_parse(buf, n, NULL, &t, err, sizeof(err));
		if (st == LF_OK)
			lf__tensor_release(&t);
		else
			CU_ASSERT(err[0] != '\0');
	}
	free(good);
}

static void test_tensor_overflow(void)
{
	/* 2^40 * 2^40 elements: the count overflows size_t */
	int64_t d1[] = {INT64_C(1) << 40, INT64_C(1) << 40};
	Onnx__TensorProto tp = float_tensor(d1, 2, NULL, 0);
	expect_tensor(&tp, LF_ERR_OVERFLOW, "overflows");
	/* 2^62 elements fit, their 2^64 bytes do not */
	int64_t d2[] = {INT64_C(1) << 62};
	tp = float_tensor(d2, 1, NULL, 0);
	expect_tensor(&tp, LF_ERR_OVERFLOW, "overflow");
	/* A 0 dim does not excuse an overflowing product before it: ORT's
	 * shape size (SafeInt) refuses it too. */
	int64_t d3[] = {INT64_C(1) << 40, INT64_C(1) << 40, 0};
	tp = float_tensor(d3, 3, NULL, 0);
	expect_tensor(&tp, LF_ERR_OVERFLOW, "overflows");
}

static void test_tensor_short_data(void)
{
	int64_t dims[] = {2, 3};
	uint8_t raw[24] = {0};
	Onnx__TensorProto tp = float_tensor(dims, 2, raw, 20);
	expect_tensor(&tp, LF_ERR_BAD_FILE,
		      "raw_data has 20 bytes, shape [2,3] of float32 needs 24");
	/* longer is as wrong as shorter */
	uint8_t more[28] = {0};
	tp = float_tensor(dims, 2, more, 28);
	expect_tensor(&tp, LF_ERR_BAD_FILE, "has 28 bytes");

	float five[5] = {0};
	tp = float_tensor(dims, 2, NULL, 0);
	tp.n_float_data = 5;
	tp.float_data = five;
	expect_tensor(&tp, LF_ERR_BAD_FILE, "float_data has 5 values");

	tp = float_tensor(dims, 2, NULL, 0);
	expect_tensor(&tp, LF_ERR_BAD_FILE, "no data");
}

static void test_tensor_bad_fields(void)
{
	int64_t dims[] = {2};
	uint8_t raw[8] = {0};

	Onnx__TensorProto tp = float_tensor(dims, 1, raw, 8);
	tp.data_type = 99;
	expect_tensor(&tp, LF_ERR_UNSUPPORTED, "data type 99 (unknown)");
	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	expect_tensor(&tp, LF_ERR_UNSUPPORTED, "(double) is not supported");
	tp.has_data_type = 0;
	expect_tensor(&tp, LF_ERR_BAD_FILE, "no data type");

	int64_t neg[] = {2, -1};
	tp = float_tensor(neg, 2, NULL, 0);
	expect_tensor(&tp, LF_ERR_BAD_FILE, "negative");

	int32_t wide[] = {1, 300};
	tp = float_tensor(dims, 1, NULL, 0);
	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__UINT8;
	tp.n_int32_data = 2;
	tp.int32_data = wide;
	expect_tensor(&tp, LF_ERR_BAD_FILE, "300 does not fit uint8");

	float two[2] = {1, 2};
	tp = float_tensor(dims, 1, raw, 8);
	tp.n_float_data = 2;
	tp.float_data = two;
	expect_tensor(&tp, LF_ERR_BAD_FILE, "both raw_data and float_data");

	tp = float_tensor(dims, 1, NULL, 0);
	tp.n_int64_data = 2;
	tp.int64_data = (int64_t[]){1, 2};
	expect_tensor(&tp, LF_ERR_BAD_FILE, "int64_data cannot hold float32");

	int64_t deep[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
	tp = float_tensor(deep, 9, raw, 4);
	expect_tensor(&tp, LF_ERR_UNSUPPORTED, "rank 9");
}

/* ---- models ------------------------------------------------------------ */

/* Pieces of a one-node model, kept alive while it is packed. */
struct model_parts {
	Onnx__ModelProto m;
	Onnx__GraphProto g;
	Onnx__OperatorSetIdProto opset, *opsets[1];
	Onnx__NodeProto node, *nodes[1];
	Onnx__ValueInfoProto vin[3], vout[2], *ins[3], *outs[2];
	Onnx__AttributeProto attrs[3], *attr_ptrs[3];
	Onnx__TensorProto init, *inits[1];
	char *node_in[3], *node_out[2];
	int64_t ints[2];
	float init_val[2];
};

/*
 * A model with node @op_type(a, b) -> y; graph inputs a, b (b is also an
 * initializer when @with_init), output y; attributes alpha (float),
 * axes (ints), mode (string).
 */
static void model_init(struct model_parts *p, const char *op_type,
		       int with_init)
{
	memset(p, 0, sizeof(*p));
	Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
	Onnx__OperatorSetIdProto os = ONNX__OPERATOR_SET_ID_PROTO__INIT;
	Onnx__NodeProto n = ONNX__NODE_PROTO__INIT;
	p->m = m;
	p->g = g;
	p->opset = os;
	p->node = n;
	p->m.has_ir_version = 1;
	p->m.ir_version = 8;
	p->opset.domain = "";
	p->opset.has_version = 1;
	p->opset.version = 14;
	p->opsets[0] = &p->opset;
	p->m.n_opset_import = 1;
	p->m.opset_import = p->opsets;
	p->m.graph = &p->g;
	p->g.name = "g";

	static char *names[] = {"a", "b", "y"};
	for (int i = 0; i < 2; i++) {
		Onnx__ValueInfoProto v = ONNX__VALUE_INFO_PROTO__INIT;
		p->vin[i] = v;
		p->vin[i].name = names[i];
		p->ins[i] = &p->vin[i];
		p->node_in[i] = names[i];
	}
	Onnx__ValueInfoProto vo = ONNX__VALUE_INFO_PROTO__INIT;
	p->vout[0] = vo;
	p->vout[0].name = "y";
	p->outs[0] = &p->vout[0];
	p->node_out[0] = "y";
	p->g.n_input = 2;
	p->g.input = p->ins;
	p->g.n_output = 1;
	p->g.output = p->outs;

	p->node.op_type = (char *)op_type;
	p->node.name = "n0";
	p->node.n_input = 2;
	p->node.input = p->node_in;
	p->node.n_output = 1;
	p->node.output = p->node_out;
	for (int i = 0; i < 3; i++) {
		Onnx__AttributeProto a = ONNX__ATTRIBUTE_PROTO__INIT;
		p->attrs[i] = a;
		p->attr_ptrs[i] = &p->attrs[i];
	}
	p->attrs[0].name = "alpha";
	p->attrs[0].has_type = 1;
	p->attrs[0].type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	p->attrs[0].has_f = 1;
	p->attrs[0].f = 0.25f;
	p->ints[0] = 3;
	p->ints[1] = -1;
	p->attrs[1].name = "axes";
	p->attrs[1].has_type = 1;
	p->attrs[1].type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	p->attrs[1].n_ints = 2;
	p->attrs[1].ints = p->ints;
	p->attrs[2].name = "mode";
	p->attrs[2].has_type = 1;
	p->attrs[2].type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
	p->attrs[2].has_s = 1;
	p->attrs[2].s.data = (uint8_t *)"edge";
	p->attrs[2].s.len = 4;
	p->node.n_attribute = 3;
	p->node.attribute = p->attr_ptrs;
	p->nodes[0] = &p->node;
	p->g.n_node = 1;
	p->g.node = p->nodes;

	if (with_init) {
		static int64_t d[] = {2};
		Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
		p->init = t;
		p->init.name = "b";
		p->init.n_dims = 1;
		p->init.dims = d;
		p->init.has_data_type = 1;
		p->init.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
		p->init_val[0] = 10;
		p->init_val[1] = 20;
		p->init.n_float_data = 2;
		p->init.float_data = p->init_val;
		p->inits[0] = &p->init;
		p->g.n_initializer = 1;
		p->g.initializer = p->inits;
	}
}

static uint8_t *pack_model(const Onnx__ModelProto *m, size_t *len)
{
	*len = onnx__model_proto__get_packed_size(m);
	uint8_t *buf = malloc(*len ? *len : 1);
	CU_ASSERT_FATAL(buf != NULL);
	onnx__model_proto__pack(m, buf);
	return buf;
}

static void write_model(const char *name, const Onnx__ModelProto *m, char *path,
			size_t pathlen)
{
	size_t len;
	uint8_t *buf = pack_model(m, &len);
	write_file(name, buf, len, path, pathlen);
	free(buf);
}

static void test_model_load(void)
{
	struct model_parts p;
	model_init(&p, "Relu", 1);
	char path[256], err[LF__ONNX_ERR_LEN];
	write_model("model_ok.onnx", &p.m, path, sizeof(path));
	struct lf__onnx_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL(m->ir_version, 8);
	CU_ASSERT_EQUAL(lf__onnx_model_opset(m, ""), 14);
	CU_ASSERT_EQUAL(lf__onnx_model_opset(m, "ai.onnx"), 14);
	CU_ASSERT_EQUAL(lf__onnx_model_opset(m, "com.microsoft"), 0);
	CU_ASSERT_EQUAL_FATAL(m->n_nodes, 1);
	const struct lf__onnx_node *n = &m->nodes[0];
	CU_ASSERT_STRING_EQUAL(n->op_type, "Relu");
	CU_ASSERT_STRING_EQUAL(n->domain, "");
	CU_ASSERT(n->n_inputs == 2 && strcmp(n->inputs[1], "b") == 0);
	const struct lf__onnx_attr *a = lf__onnx_node_attr(n, "alpha");
	CU_ASSERT(a && a->type == LF__ATTR_FLOAT && a->f == 0.25f);
	a = lf__onnx_node_attr(n, "axes");
	CU_ASSERT(a && a->type == LF__ATTR_INTS && a->n == 2 &&
		  a->ints[1] == -1);
	a = lf__onnx_node_attr(n, "mode");
	CU_ASSERT(a && a->type == LF__ATTR_STRING && strcmp(a->s, "edge") == 0);
	CU_ASSERT(lf__onnx_node_attr(n, "nope") == NULL);
	/* b is an initializer: only a is fed */
	CU_ASSERT(m->n_inputs == 1 && strcmp(m->inputs[0], "a") == 0);
	CU_ASSERT(m->n_outputs == 1 && strcmp(m->outputs[0], "y") == 0);
	const struct lf__tensor *b = lf__onnx_model_init(m, "b");
	CU_ASSERT(b && b->count == 2 && ((float *)b->data)[1] == 20);
	lf__onnx_model_free(m);
	lf__onnx_model_free(NULL);
}

static void test_model_malformed(void)
{
	struct model_parts p;
	char path[256], err[LF__ONNX_ERR_LEN];
	struct lf__onnx_model *m = NULL;

	/* a graph with no node */
	model_init(&p, "Relu", 0);
	p.g.n_node = 0;
	write_model("no_node.onnx", &p.m, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			LF_ERR_UNSUPPORTED);
	CU_ASSERT(strstr(err, "graph 'g' has no node") != NULL);
	CU_ASSERT(m == NULL);

	/* no graph at all */
	model_init(&p, "Relu", 0);
	p.m.graph = NULL;
	write_model("no_graph.onnx", &p.m, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(strstr(err, "no graph") != NULL);

	/* a node without op_type */
	model_init(&p, "", 0);
	write_model("no_op.onnx", &p.m, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(strstr(err, "no op_type") != NULL);

	/* a broken initializer: short data */
	model_init(&p, "Relu", 1);
	p.init.n_float_data = 1;
	write_model("bad_init.onnx", &p.m, path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(strstr(err, "tensor 'b': float_data has 1 values") != NULL);

	/* truncated and garbage model files */
	model_init(&p, "Relu", 1);
	size_t len;
	uint8_t *buf = pack_model(&p.m, &len);
	for (size_t cut = 1; cut < len; cut += 7) {
		err[0] = '\0';
		lf_status st =
		    lf__onnx_model_parse(buf, cut, NULL, &m, err, sizeof(err));
		if (st == LF_OK)
			lf__onnx_model_free(m);
		else
			CU_ASSERT(err[0] != '\0');
	}
	write_file("truncated.onnx", buf, len / 2, path, sizeof(path));
	free(buf);
	CU_ASSERT_NOT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			    LF_OK);
	const char junk[] = "this is not a protobuf \xff\xff\xff\xff\xff\xff";
	write_file("garbage.onnx", junk, sizeof(junk), path, sizeof(path));
	CU_ASSERT_EQUAL(lf__onnx_model_load(path, &m, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT(strstr(err, "not a valid ONNX model") != NULL);
	CU_ASSERT_EQUAL(lf__onnx_model_load(g_dir, &m, err, sizeof(err)),
			LF_ERR_IO); /* a directory */
	CU_ASSERT_EQUAL(
	    lf__onnx_model_load("/nonexistent/m.onnx", &m, err, sizeof(err)),
	    LF_ERR_IO);
}

/* ---- the runner on a crafted test folder -------------------------------- */

static void write_float_pb(const char *name, const float *v, int64_t n)
{
	int64_t dims[] = {n};
	uint8_t raw[64];
	le_floats(v, (size_t)n, raw);
	Onnx__TensorProto tp = float_tensor(dims, 1, raw, (size_t)n * 4);
	size_t len;
	uint8_t *buf = pack_tensor(&tp, &len);
	char path[256];
	write_file(name, buf, len, path, sizeof(path));
	free(buf);
}

static void test_runner_crafted(void)
{
	/* Add(a, b) with b = {10, 20} an initializer; a = {1, 2}. */
	struct model_parts p;
	char path[256], msg[LF__ONNX_ERR_LEN * 2], dir[256];
	const float a[] = {1, 2}, good[] = {11, 22}, bad[] = {11, 23};

	make_dir("test_add_crafted");
	make_dir("test_add_crafted/test_data_set_0");
	model_init(&p, "Add", 1);
	p.node.n_attribute = 0;
	write_model("test_add_crafted/model.onnx", &p.m, path, sizeof(path));
	write_float_pb("test_add_crafted/test_data_set_0/input_0.pb", a, 2);
	write_float_pb("test_add_crafted/test_data_set_0/output_0.pb", good, 2);
	snprintf(dir, sizeof(dir), "%s/test_add_crafted", g_dir);
	CU_ASSERT_EQUAL(lf__conformance_test(dir, msg, sizeof(msg)),
			LF__CONF_PASS);

	/* a second data set whose expected value is wrong */
	make_dir("test_add_crafted/test_data_set_1");
	write_float_pb("test_add_crafted/test_data_set_1/input_0.pb", a, 2);
	write_float_pb("test_add_crafted/test_data_set_1/output_0.pb", bad, 2);
	CU_ASSERT_EQUAL(lf__conformance_test(dir, msg, sizeof(msg)),
			LF__CONF_FAIL);
	CU_ASSERT(strstr(msg, "test_data_set_1: output 0 element 1: got 22 "
			      "want 23") != NULL);

	/* an op the CPU ops do not have */
	make_dir("test_foo");
	model_init(&p, "Foo", 0);
	write_model("test_foo/model.onnx", &p.m, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/test_foo", g_dir);
	CU_ASSERT_EQUAL(lf__conformance_test(dir, msg, sizeof(msg)),
			LF__CONF_SKIP);
	CU_ASSERT_STRING_EQUAL(msg, "op 'Foo' not supported");

	/* The folder as a whole: test_add_crafted fails (data set 1),
	 * test_foo is skipped. */
	FILE *f = tmpfile();
	CU_ASSERT_FATAL(f != NULL);
	struct lf__conf_totals t;
	CU_ASSERT_EQUAL(
	    lf__conformance_run(g_dir, "test_", f, &t, msg, sizeof(msg)),
	    LF_OK);
	CU_ASSERT(t.passed == 0 && t.failed == 1 && t.skipped == 1);
	fclose(f);
}

void lf_test_suite_onnx_malformed(void)
{
	static const struct lf_test_case cases[] = {
	    {"tensor_valid", test_tensor_valid},
	    {"tensor_truncated", test_tensor_truncated},
	    {"tensor_garbage", test_tensor_garbage},
	    {"tensor_overflow", test_tensor_overflow},
	    {"tensor_short_data", test_tensor_short_data},
	    {"tensor_bad_fields", test_tensor_bad_fields},
	    {"model_load", test_model_load},
	    {"model_malformed", test_model_malformed},
	    {"runner_crafted", test_runner_crafted},
	    {NULL, NULL},
	};
	lf_test_add_suite("onnx_malformed", suite_init, suite_clean, cases);
}
