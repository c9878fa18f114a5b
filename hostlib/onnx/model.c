/*
 * model.c - ONNX ModelProto -> struct lf__onnx_model: opsets, nodes with
 * their attributes, graph inputs/outputs, initializers. Everything is
 * copied so the protobuf-c message can be freed right away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/onnx/onnx_impl.h"

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A copy of @n strings; NULL when out of memory. */
static char **copy_strv(char *const *src, size_t n)
{
	char **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		v[i] = lf__onnx_strdup(src[i]);
		if (!v[i]) {
			free_strv(v, n);
			return NULL;
		}
	}
	return v;
}

static void attr_release(struct lf__onnx_attr *a)
{
	free(a->name);
	free(a->s);
	free(a->floats);
	free(a->ints);
	lf__tensor_release(&a->t);
}

static void node_release(struct lf__onnx_node *n)
{
	free(n->name);
	free(n->op_type);
	free(n->domain);
	free_strv(n->inputs, n->n_inputs);
	free_strv(n->outputs, n->n_outputs);
	if (n->attrs)
		for (size_t i = 0; i < n->n_attrs; i++)
			attr_release(&n->attrs[i]);
	free(n->attrs);
}

void lf__onnx_model_free(struct lf__onnx_model *m)
{
	if (!m)
		return;
	if (m->opsets)
		for (size_t i = 0; i < m->n_opsets; i++)
			free(m->opsets[i].domain);
	free(m->opsets);
	free(m->graph_name);
	if (m->nodes)
		for (size_t i = 0; i < m->n_nodes; i++)
			node_release(&m->nodes[i]);
	free(m->nodes);
	free_strv(m->inputs, m->n_inputs);
	free_strv(m->outputs, m->n_outputs);
	if (m->inits)
		for (size_t i = 0; i < m->n_inits; i++)
			lf__tensor_release(&m->inits[i]);
	free(m->inits);
	free(m);
}

#define NOMEM(what)                                                            \
	lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY, "%s: out of memory", what)

/* Which value an attribute carries when its type field is missing (IR 1). */
static int attr_type_of(const Onnx__AttributeProto *ap)
{
	if (ap->has_type)
		return (int)ap->type;
	if (ap->has_f)
		return LF__ATTR_FLOAT;
	if (ap->has_i)
		return LF__ATTR_INT;
	if (ap->has_s)
		return LF__ATTR_STRING;
	if (ap->t)
		return LF__ATTR_TENSOR;
	if (ap->g)
		return LF__ATTR_GRAPH;
	if (ap->n_floats)
		return LF__ATTR_FLOATS;
	if (ap->n_ints)
		return LF__ATTR_INTS;
	if (ap->n_strings)
		return LF__ATTR_STRINGS;
	return LF__ATTR_UNDEFINED;
}

static lf_status copy_attr(const Onnx__AttributeProto *ap, const char *what,
			   const char *node, struct lf__onnx_attr *a, char *err,
			   size_t errlen)
{
	if (!ap->name || !ap->name[0])
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: node '%s': an attribute has no name",
				     what, node);
	a->name = lf__onnx_strdup(ap->name);
	if (!a->name)
		return NOMEM(what);
	a->type = attr_type_of(ap);
	switch (a->type) {
	case LF__ATTR_FLOAT:
		a->f = ap->f;
		break;
	case LF__ATTR_INT:
		a->i = ap->i;
		break;
	case LF__ATTR_STRING:
		a->s_len = ap->s.len;
		a->s = malloc(ap->s.len + 1);
		if (!a->s)
			return NOMEM(what);
		if (ap->s.len)
			memcpy(a->s, ap->s.data, ap->s.len);
		a->s[ap->s.len] = '\0';
		break;
	case LF__ATTR_TENSOR:
		if (!ap->t)
			return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
					     "%s: node '%s': attribute '%s' "
					     "is a tensor but has none",
					     what, node, ap->name);
		char ctx[LF__ONNX_ERR_LEN];
		snprintf(ctx, sizeof(ctx), "%s: node '%s' attribute '%s'", what,
			 node, ap->name);
		return lf__onnx_tensor_from_proto(ap->t, ctx, &a->t, err,
						  errlen);
	case LF__ATTR_FLOATS:
		a->n = ap->n_floats;
		a->floats = malloc((a->n ? a->n : 1) * sizeof(float));
		if (!a->floats)
			return NOMEM(what);
		if (a->n)
			memcpy(a->floats, ap->floats, a->n * sizeof(float));
		break;
	case LF__ATTR_INTS:
		a->n = ap->n_ints;
		a->ints = malloc((a->n ? a->n : 1) * sizeof(int64_t));
		if (!a->ints)
			return NOMEM(what);
		if (a->n)
			memcpy(a->ints, ap->ints, a->n * sizeof(int64_t));
		break;
	default:
		/* Kept by type only: no op layerfab runs reads these. */
		break;
	}
	return LF_OK;
}

static lf_status copy_node(const Onnx__NodeProto *np, size_t index,
			   const char *what, struct lf__onnx_node *n, char *err,
			   size_t errlen)
{
	if (!np->op_type || !np->op_type[0])
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: node %zu has no op_type", what,
				     index);
	n->name = lf__onnx_strdup(np->name);
	n->op_type = lf__onnx_strdup(np->op_type);
	n->domain = lf__onnx_strdup(np->domain);
	n->inputs = copy_strv(np->input, np->n_input);
	if (n->inputs)
		n->n_inputs = np->n_input;
	n->outputs = copy_strv(np->output, np->n_output);
	if (n->outputs)
		n->n_outputs = np->n_output;
	n->attrs =
	    calloc(np->n_attribute ? np->n_attribute : 1, sizeof(*n->attrs));
	if (n->attrs)
		n->n_attrs = np->n_attribute;
	if (!n->name || !n->op_type || !n->domain || !n->inputs ||
	    !n->outputs || !n->attrs)
		return NOMEM(what);
	const char *label = n->name[0] ? n->name : n->op_type;
	for (size_t i = 0; i < np->n_attribute; i++) {
		lf_status st = copy_attr(np->attribute[i], what, label,
					 &n->attrs[i], err, errlen);
		if (st != LF_OK)
			return st;
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

static lf_status copy_graph_io(const Onnx__GraphProto *g, const char *what,
			       struct lf__onnx_model *m, char *err,
			       size_t errlen)
{
	m->inputs = calloc(g->n_input ? g->n_input : 1, sizeof(char *));
	m->outputs = calloc(g->n_output ? g->n_output : 1, sizeof(char *));
	if (!m->inputs || !m->outputs)
		return NOMEM(what);
	for (size_t i = 0; i < g->n_input; i++) {
		const char *name = g->input[i]->name ? g->input[i]->name : "";
		if (is_init(g, name))
			continue;
		m->inputs[m->n_inputs] = lf__onnx_strdup(name);
		if (!m->inputs[m->n_inputs])
			return NOMEM(what);
		m->n_inputs++;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		m->outputs[i] = lf__onnx_strdup(g->output[i]->name);
		if (!m->outputs[i])
			return NOMEM(what);
		m->n_outputs++;
	}
	return LF_OK;
}

static lf_status copy_model(const Onnx__ModelProto *mp, const char *what,
			    struct lf__onnx_model *m, char *err, size_t errlen)
{
	const Onnx__GraphProto *g = mp->graph;
	if (!g)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: the model has no graph", what);
	m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
	m->graph_name = lf__onnx_strdup(g->name);
	m->opsets = calloc(mp->n_opset_import ? mp->n_opset_import : 1,
			   sizeof(*m->opsets));
	if (!m->graph_name || !m->opsets)
		return NOMEM(what);
	for (size_t i = 0; i < mp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *op = mp->opset_import[i];
		m->opsets[i].domain = lf__onnx_strdup(op->domain);
		if (!m->opsets[i].domain)
			return NOMEM(what);
		m->opsets[i].version = op->has_version ? op->version : 0;
		m->n_opsets++;
	}
	if (g->n_node == 0)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: graph '%s' has no node: nothing to "
				     "run",
				     what, m->graph_name);
	m->nodes = calloc(g->n_node, sizeof(*m->nodes));
	if (!m->nodes)
		return NOMEM(what);
	m->n_nodes = g->n_node;
	for (size_t i = 0; i < g->n_node; i++) {
		lf_status st =
		    copy_node(g->node[i], i, what, &m->nodes[i], err, errlen);
		if (st != LF_OK)
			return st;
	}
	m->inits =
	    calloc(g->n_initializer ? g->n_initializer : 1, sizeof(*m->inits));
	if (!m->inits)
		return NOMEM(what);
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		if (!tp->name || !tp->name[0])
			return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
					     "%s: initializer %zu has no name",
					     what, i);
		lf_status st = lf__onnx_tensor_from_proto(
		    tp, what, &m->inits[i], err, errlen);
		if (st != LF_OK)
			return st;
		m->n_inits++;
	}
	return copy_graph_io(g, what, m, err, errlen);
}

lf_status lf__onnx_model_parse(const void *buf, size_t len, const char *what,
			       struct lf__onnx_model **out, char *err,
			       size_t errlen)
{
	what = what ? what : "ModelProto";
	if (!out || (len && !buf))
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "%s: NULL argument", what);
	Onnx__ModelProto *mp =
	    onnx__model_proto__unpack(NULL, len, (const uint8_t *)buf);
	if (!mp)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: not a valid ONNX model (truncated "
				     "or corrupt protobuf, %zu bytes)",
				     what, len);
	struct lf__onnx_model *m = calloc(1, sizeof(*m));
	lf_status st = m ? copy_model(mp, what, m, err, errlen) : NOMEM(what);
	onnx__model_proto__free_unpacked(mp, NULL);
	if (st != LF_OK) {
		lf__onnx_model_free(m);
		return st;
	}
	*out = m;
	return LF_OK;
}

lf_status lf__onnx_model_load(const char *path, struct lf__onnx_model **out,
			      char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	lf_status st = lf__onnx_read_file(path, &buf, &len, err, errlen);
	if (st != LF_OK)
		return st;
	st = lf__onnx_model_parse(buf, len, path, out, err, errlen);
	free(buf);
	return st;
}

int64_t lf__onnx_model_opset(const struct lf__onnx_model *m, const char *domain)
{
	int dflt = !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
	for (size_t i = 0; i < m->n_opsets; i++) {
		const char *d = m->opsets[i].domain;
		int is_dflt = !d[0] || strcmp(d, "ai.onnx") == 0;
		if (dflt ? is_dflt : strcmp(d, domain) == 0)
			return m->opsets[i].version;
	}
	return 0;
}

const struct lf__tensor *lf__onnx_model_init(const struct lf__onnx_model *m,
					     const char *name)
{
	for (size_t i = 0; i < m->n_inits; i++)
		if (strcmp(m->inits[i].name, name) == 0)
			return &m->inits[i];
	return NULL;
}

const struct lf__onnx_attr *lf__onnx_node_attr(const struct lf__onnx_node *n,
					       const char *name)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return &n->attrs[i];
	return NULL;
}
