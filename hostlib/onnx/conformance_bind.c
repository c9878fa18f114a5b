/*
 * conformance_bind.c - a backend test's model specialised for one data
 * set: parameter inputs bound to the set's values as initializers, shapes
 * declared where the file leaves them out (see conformance.h for why).
 *
 * The protobuf-c ModelProto is edited in place only through arrays and
 * pointers this file owns, swapped in for the pack and swapped back
 * before protobuf-c frees the message, so nothing protobuf-c allocated is
 * freed by hand or the other way round.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/onnx_impl.h"

/* ---- which inputs are parameters ---------------------------------------- */

#define SLOT(k)	      (1u << (k))
#define SLOTS_1_TO(k) ((1u << ((k) + 1)) - 2u)

/*
 * Per op, its parameter inputs, which quantized models hold as
 * initializers: quantization scales and zero points (the importer resolves
 * them at load and refuses a scale it cannot check then), the weights and
 * bias of a quantized conv/matmul (a device layer only when constant),
 * Reshape's shape, Pad's pads and Resize's roi/scales/sizes (they decide
 * the output shape, needed at load). The inputs the ops compute on (x, A;
 * both operands of QLinearAdd) are not listed, nor are the inputs of ops
 * that run on whatever they are given (Clip's bounds, MatMul's B).
 */
static const struct {
	int ms; /* 0: ai.onnx, 1: com.microsoft */
	const char *op_type;
	unsigned slots;
} param_ops[] = {
    {0, "QuantizeLinear", SLOT(1) | SLOT(2)},
    {0, "DequantizeLinear", SLOT(1) | SLOT(2)},
    {0, "QLinearConv", SLOTS_1_TO(8)},	 /* x_scale .. B */
    {0, "ConvInteger", SLOTS_1_TO(3)},	 /* w, x_zp, w_zp */
    {0, "QLinearMatMul", SLOTS_1_TO(7)}, /* a_scale .. y_zp, b incl. */
    {0, "MatMulInteger", SLOTS_1_TO(3)}, /* B, a_zp, b_zp */
    {0, "Reshape", SLOT(1)},
    {0, "Pad", SLOTS_1_TO(3)},	  /* pads, constant_value, axes */
    {0, "Resize", SLOTS_1_TO(3)}, /* roi, scales, sizes */
    {0, "Upsample", SLOT(1)},	  /* scales */
    {1, "QuantizeLinear", SLOT(1) | SLOT(2)},
    {1, "DequantizeLinear", SLOT(1) | SLOT(2)},
    {1, "QLinearAdd",
     SLOT(1) | SLOT(2) | SLOT(4) | SLOT(5) | SLOT(6) | SLOT(7)},
    {1, "QLinearAveragePool", SLOTS_1_TO(4)},
    {1, "QLinearGlobalAveragePool", SLOTS_1_TO(4)},
    {1, "QGemm", SLOTS_1_TO(8)}, /* everything but A */
};

int lf__conformance_param_input(const char *domain, const char *op_type,
				size_t slot)
{
	if (!op_type)
		return 0;
	int ms;
	if (!domain || !domain[0] || strcmp(domain, "ai.onnx") == 0)
		ms = 0;
	else if (strcmp(domain, "com.microsoft") == 0)
		ms = 1;
	else
		return 0;
	/* y_scale, y_zp, then (x, x_scale, x_zp) per input */
	if (ms && strcmp(op_type, "QLinearConcat") == 0)
		return slot < 2 || (slot - 2) % 3 != 0;
	for (size_t i = 0; i < sizeof(param_ops) / sizeof(param_ops[0]); i++)
		if (param_ops[i].ms == ms &&
		    strcmp(param_ops[i].op_type, op_type) == 0)
			return slot < 32 && (param_ops[i].slots >> slot) & 1u;
	return 0;
}

/* Does a node of @g read @name in a parameter slot? */
static int read_as_param(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *n = g->node[i];
		for (size_t k = 0; k < n->n_input; k++)
			if (n->input[k] && strcmp(n->input[k], name) == 0 &&
			    lf__conformance_param_input(n->domain, n->op_type,
							k))
				return 1;
	}
	return 0;
}

static int is_init(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name &&
		    strcmp(g->initializer[i]->name, name) == 0)
			return 1;
	return 0;
}

/* ---- the edit ------------------------------------------------------------ */

/* A shape declared for a graph input, from a data set's tensor. */
struct decl_shape {
	Onnx__TypeProto__Tensor *tt; /* whose shape field it fills */
	Onnx__TensorShapeProto shape;
	Onnx__TensorShapeProto__Dimension dim[LF__TENSOR_MAX_RANK];
	Onnx__TensorShapeProto__Dimension *dimp[LF__TENSOR_MAX_RANK];
};

/* Everything the edit allocates; one per graph input at most. */
struct edit {
	Onnx__ModelProto *mp;
	Onnx__TensorProto **tp; /* unpacked input_K.pb, or NULL */
	char **tp_name;		/* their own names, restored before free */
	unsigned char *renamed; /* tp[i] carries the graph input's name */
	struct decl_shape *shapes;
	size_t nshapes;
	Onnx__ValueInfoProto **inputs; /* the new graph.input */
	size_t ninputs;
	Onnx__TensorProto **inits; /* the new graph.initializer */
	size_t ninits;
};

static void edit_free(struct edit *e, size_t n_input)
{
	for (size_t i = 0; e->tp && i < n_input; i++) {
		if (!e->tp[i])
			continue;
		if (e->renamed && e->renamed[i])
			e->tp[i]->name = e->tp_name[i];
		onnx__tensor_proto__free_unpacked(e->tp[i], NULL);
	}
	free(e->tp);
	free(e->tp_name);
	free(e->renamed);
	free(e->shapes);
	free(e->inputs);
	free(e->inits);
	if (e->mp)
		onnx__model_proto__free_unpacked(e->mp, NULL);
}

static lf_status read_value(const char *set, size_t k, Onnx__TensorProto **out,
			    char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;
	int n = snprintf(path, sizeof(path), "%s/input_%zu.pb", set, k);
	if (n < 0 || (size_t)n >= sizeof(path))
		return lf__onnx_fail(err, errlen, LF_ERR_IO,
				     "%s: path too long", set);
	lf_status st = lf__onnx_read_file(path, &buf, &len, err, errlen);
	if (st != LF_OK)
		return st;
	*out = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	if (!*out)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: not a valid TensorProto", path);
	return LF_OK;
}

/* Declare @tp's shape on graph input @vi. */
static lf_status declare_shape(struct edit *e, Onnx__ValueInfoProto *vi,
			       const Onnx__TensorProto *tp, const char *what,
			       char *err, size_t errlen)
{
	if (tp->n_dims > LF__TENSOR_MAX_RANK)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: input '%s': rank %zu exceeds the "
				     "supported %d",
				     what, vi->name, tp->n_dims,
				     LF__TENSOR_MAX_RANK);
	struct decl_shape *s = &e->shapes[e->nshapes++];
	Onnx__TensorShapeProto sh = ONNX__TENSOR_SHAPE_PROTO__INIT;
	s->shape = sh;
	for (size_t d = 0; d < tp->n_dims; d++) {
		Onnx__TensorShapeProto__Dimension dim =
		    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
		dim.value_case =
		    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		dim.dim_value = tp->dims[d];
		s->dim[d] = dim;
		s->dimp[d] = &s->dim[d];
	}
	s->shape.n_dim = tp->n_dims;
	s->shape.dim = tp->n_dims ? s->dimp : NULL;
	s->tt = vi->type->tensor_type;
	return LF_OK;
}

/* Decide and prepare the edit of graph input @i (fed input @k). */
static lf_status edit_input(struct edit *e, size_t i, size_t k, const char *set,
			    struct lf__conf_bound *out, const char *what,
			    char *err, size_t errlen)
{
	Onnx__ModelProto *mp = e->mp;
	Onnx__GraphProto *g = mp->graph;
	Onnx__ValueInfoProto *vi = g->input[i];
	int bind = read_as_param(g, vi->name);
	int need_shape =
	    !bind && vi->type &&
	    vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
	    vi->type->tensor_type && !vi->type->tensor_type->shape;
	if (!bind && !need_shape) {
		e->inputs[e->ninputs++] = vi;
		return LF_OK;
	}
	lf_status st = read_value(set, k, &e->tp[i], err, errlen);
	if (st != LF_OK)
		return st;
	if (need_shape) {
		e->inputs[e->ninputs++] = vi;
		return declare_shape(e, vi, e->tp[i], what, err, errlen);
	}
	/* The value takes the input's name, whatever the file called it. */
	e->tp_name[i] = e->tp[i]->name;
	e->tp[i]->name = vi->name;
	e->renamed[i] = 1;
	e->inits[e->ninits++] = e->tp[i];
	out->fed[k] = 0;
	if (mp->has_ir_version && mp->ir_version < 4)
		e->inputs[e->ninputs++] = vi;
	return LF_OK;
}

/* Serialize the edited model: swap the new arrays in, pack, swap back. */
static lf_status pack(struct edit *e, struct lf__conf_bound *out,
		      const char *what, char *err, size_t errlen)
{
	Onnx__GraphProto *g = e->mp->graph;
	size_t n_input = g->n_input, n_init = g->n_initializer;
	Onnx__ValueInfoProto **input = g->input;
	Onnx__TensorProto **init = g->initializer;
	g->n_input = e->ninputs;
	g->input = e->inputs;
	g->n_initializer = e->ninits;
	g->initializer = e->inits;
	for (size_t i = 0; i < e->nshapes; i++)
		e->shapes[i].tt->shape = &e->shapes[i].shape;
	size_t len = onnx__model_proto__get_packed_size(e->mp);
	out->model = malloc(len ? len : 1);
	if (out->model)
		out->len = onnx__model_proto__pack(e->mp, out->model);
	for (size_t i = 0; i < e->nshapes; i++)
		e->shapes[i].tt->shape = NULL;
	g->n_input = n_input;
	g->input = input;
	g->n_initializer = n_init;
	g->initializer = init;
	if (!out->model)
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: out of memory", what);
	return LF_OK;
}

static lf_status bind(struct edit *e, const char *set,
		      struct lf__conf_bound *out, const char *what, char *err,
		      size_t errlen)
{
	Onnx__GraphProto *g = e->mp->graph;
	size_t n = g->n_input;
	e->tp = calloc(n ? n : 1, sizeof(*e->tp));
	e->tp_name = calloc(n ? n : 1, sizeof(*e->tp_name));
	e->renamed = calloc(n ? n : 1, 1);
	e->shapes = calloc(n ? n : 1, sizeof(*e->shapes));
	e->inputs = calloc(n ? n : 1, sizeof(*e->inputs));
	e->inits = calloc(g->n_initializer + n + 1, sizeof(*e->inits));
	out->fed = calloc(n ? n : 1, 1);
	if (!e->tp || !e->tp_name || !e->renamed || !e->shapes || !e->inputs ||
	    !e->inits || !out->fed)
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: out of memory", what);
	if (g->n_initializer)
		memcpy(e->inits, g->initializer,
		       g->n_initializer * sizeof(*e->inits));
	e->ninits = g->n_initializer;
	for (size_t i = 0; i < n; i++) {
		const char *name = g->input[i]->name;
		if (!name || is_init(g, name)) {
			e->inputs[e->ninputs++] = g->input[i];
			continue;
		}
		size_t k = out->n_inputs++;
		out->fed[k] = 1;
		lf_status st = edit_input(e, i, k, set, out, what, err, errlen);
		if (st != LF_OK)
			return st;
	}
	if (e->ninits == g->n_initializer && !e->nshapes)
		return LF_OK; /* nothing to change: load the file itself */
	return pack(e, out, what, err, errlen);
}

lf_status lf__conformance_bind(const void *model, size_t len, const char *what,
			       const char *set, struct lf__conf_bound *out,
			       char *err, size_t errlen)
{
	what = what ? what : "model";
	if (!out || !set || (len && !model))
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "lf__conformance_bind: NULL argument");
	struct lf__conf_bound b = {NULL, 0, 0, NULL};
	struct edit e;
	memset(&e, 0, sizeof(e));
	e.mp = onnx__model_proto__unpack(NULL, len, model);
	if (!e.mp || !e.mp->graph) {
		edit_free(&e, 0);
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: not a valid ONNX model with a graph",
				     what);
	}
	size_t n_input = e.mp->graph->n_input;
	lf_status st = bind(&e, set, &b, what, err, errlen);
	edit_free(&e, n_input);
	if (st != LF_OK) {
		lf__conformance_bound_free(&b);
		return st;
	}
	*out = b;
	return LF_OK;
}

void lf__conformance_bound_free(struct lf__conf_bound *b)
{
	if (!b)
		return;
	free(b->model);
	free(b->fed);
	memset(b, 0, sizeof(*b));
}
