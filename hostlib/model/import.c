/*
 * import.c - ONNX model -> graph IR: the values, the checks of the file
 * (opsets, names, missing inputs, duplicate outputs, cycles), the
 * topological sort, then QDQ folding (qdq.c), lowering (lower.c), constant
 * folding and dead-node removal, and a first shape inference with free
 * dimensions set to 1 so that a malformed model fails here, not at run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/model/import_impl.h"
#include "hostlib/onnx/node_cpu.h"

/* ONNX opsets read: 7 is the oldest whose ops (Clip, Reshape, Slice,
 * Squeeze, Split with attributes) the CPU ops read in their old form;
 * the quantized ops appeared in 10; 21 is the newest whose changes to the
 * ops here (QuantizeLinear's block_size, output types) hostlib handles or
 * rejects by attribute. */
#define OPSET_MIN 7
#define OPSET_MAX 21

lf_status lf__imp_fail(struct lf__imp *im, lf_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lf__diag_vfail(im->dg, st, fmt, ap);
	va_end(ap);
	return st;
}

/* ---- values -------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static void slot_put(struct lf__imp *im, int v)
{
	size_t mask = im->nslots - 1;
	size_t i = (size_t)hash_str(im->g->vals[v].name) & mask;
	while (im->slots[i] >= 0)
		i = (i + 1) & mask;
	im->slots[i] = v;
}

static int grow_slots(struct lf__imp *im, size_t want)
{
	size_t n = 64;
	while (n < want * 2)
		n *= 2;
	if (n <= im->nslots)
		return 1;
	int *s = malloc(n * sizeof(*s));
	if (!s)
		return 0;
	free(im->slots);
	im->slots = s;
	im->nslots = n;
	for (size_t i = 0; i < n; i++)
		s[i] = -1;
	for (size_t v = 0; v < im->g->nvals; v++)
		slot_put(im, (int)v);
	return 1;
}

int lf__imp_find(const struct lf__imp *im, const char *name)
{
	if (!im->nslots)
		return -1;
	size_t mask = im->nslots - 1;
	size_t i = (size_t)hash_str(name) & mask;
	while (im->slots[i] >= 0) {
		if (strcmp(im->g->vals[im->slots[i]].name, name) == 0)
			return im->slots[i];
		i = (i + 1) & mask;
	}
	return -1;
}

int lf__imp_new_value(struct lf__imp *im, const char *name, int32_t dtype)
{
	struct lf__graph *g = im->g;
	if (g->nvals == im->cap_vals) {
		size_t cap = im->cap_vals ? im->cap_vals * 2 : 64;
		struct lf__gval *v = realloc(g->vals, cap * sizeof(*v));
		if (!v)
			return -1;
		g->vals = v;
		im->cap_vals = cap;
	}
	if (!grow_slots(im, g->nvals + 1))
		return -1;
	struct lf__gval *v = &g->vals[g->nvals];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (!v->name)
		return -1;
	v->dtype = dtype;
	v->producer = -1;
	v->input = -1;
	v->decl_rank = -1;
	int id = (int)g->nvals++;
	slot_put(im, id);
	return id;
}

lf_status lf__imp_own(struct lf__imp *im, struct lf__tensor *t)
{
	struct lf__graph *g = im->g;
	if (g->nowned == im->cap_owned) {
		size_t cap = im->cap_owned ? im->cap_owned * 2 : 16;
		struct lf__tensor **o = realloc(g->owned, cap * sizeof(*o));
		if (!o)
			return LF_ERR_NO_MEMORY;
		g->owned = o;
		im->cap_owned = cap;
	}
	g->owned[g->nowned++] = t;
	return LF_OK;
}

lf_status lf__imp_new_const(struct lf__imp *im, int32_t dtype, int rank,
			    const int64_t *dims, struct lf__tensor **out)
{
	struct lf__tensor *t = calloc(1, sizeof(*t));
	if (!t)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	char msg[LF__GRAPH_ERR_LEN];
	lf_status st = lf__tensor_alloc(t, dtype, rank, dims, msg, sizeof(msg));
	if (st == LF_OK)
		st = lf__imp_own(im, t);
	if (st != LF_OK) {
		lf__tensor_release(t);
		free(t);
		return lf__imp_fail(im, st, "a constant made at import: %s",
				    st == LF_ERR_NO_MEMORY ? "out of memory"
							   : msg);
	}
	*out = t;
	return LF_OK;
}

const struct lf__tensor *lf__imp_const(const struct lf__imp *im, int v)
{
	return v >= 0 ? im->g->vals[v].cst : NULL;
}

int lf__imp_consumers(const struct lf__imp *im, int v, int *first)
{
	int n = 0;
	*first = -1;
	for (size_t i = 0; i < im->nrn; i++) {
		const struct lf__rnode *rn = &im->rn[i];
		if (rn->dead)
			continue;
		for (size_t k = 0; k < rn->n_in; k++)
			if (rn->in[k] == v) {
				if (*first < 0)
					*first = (int)i;
				n++;
			}
	}
	return n;
}

int lf__imp_producer(const struct lf__imp *im, int v)
{
	if (v < 0)
		return -1;
	for (size_t i = 0; i < im->nrn; i++) {
		const struct lf__rnode *rn = &im->rn[i];
		if (rn->dead)
			continue;
		for (size_t k = 0; k < rn->n_out; k++)
			if (rn->out[k] == v)
				return (int)i;
	}
	return -1;
}

int lf__imp_is(const struct lf__rnode *rn, const char *op, int ms)
{
	const char *d = rn->on->domain;
	int dom_ok = ms ? strcmp(d, "com.microsoft") == 0
			: (!d[0] || strcmp(d, "ai.onnx") == 0);
	return dom_ok && strcmp(rn->on->op_type, op) == 0;
}

int64_t lf__imp_opset(const struct lf__imp *im, const struct lf__rnode *rn)
{
	return strcmp(rn->on->domain, "com.microsoft") == 0 ? im->g->opset_ms
							    : im->g->opset;
}

lf_status lf__imp_wire(struct lf__imp *im, struct lf__rnode *rn, const int *in,
		       size_t n_in, const int *out, size_t n_out)
{
	int *a = malloc((n_in ? n_in : 1) * sizeof(int));
	int *b = malloc((n_out ? n_out : 1) * sizeof(int));
	if (!a || !b) {
		free(a);
		free(b);
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	}
	if (n_in)
		memcpy(a, in, n_in * sizeof(int));
	if (n_out)
		memcpy(b, out, n_out * sizeof(int));
	free(rn->in);
	free(rn->out);
	rn->in = a;
	rn->out = b;
	rn->n_in = n_in;
	rn->n_out = n_out;
	return LF_OK;
}

int32_t lf__imp_onnx_type(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return LF__ONNX_UINT8;
	case LF_DTYPE_INT8:
		return LF__ONNX_INT8;
	case LF_DTYPE_INT32:
		return LF__ONNX_INT32;
	case LF_DTYPE_FLOAT32:
		return LF__ONNX_FLOAT;
	}
	return 0;
}

struct lf__rnode *lf__imp_insert_after(struct lf__imp *im, size_t i)
{
	memmove(&im->rn[i + 2], &im->rn[i + 1],
		(im->nrn - i - 1) * sizeof(*im->rn));
	im->nrn++;
	struct lf__rnode *rn = &im->rn[i + 1];
	memset(rn, 0, sizeof(*rn));
	return rn;
}

int lf__imp_scalar_f32(const struct lf__imp *im, int v, float *out)
{
	const struct lf__tensor *t = lf__imp_const(im, v);
	if (!t || t->dtype != LF__ONNX_FLOAT || t->count != 1 || t->rank > 1)
		return 0;
	*out = *(const float *)t->data;
	return 1;
}

int lf__imp_scalar_zp(const struct lf__imp *im, int v, lf_dtype dflt,
		      lf_dtype *type, int32_t *zp)
{
	if (v < 0) {
		*type = dflt;
		*zp = 0;
		return 1;
	}
	const struct lf__tensor *t = lf__imp_const(im, v);
	if (!t || t->count != 1 || t->rank > 1)
		return 0;
	if (t->dtype == LF__ONNX_UINT8) {
		*type = LF_DTYPE_UINT8;
		*zp = *(const uint8_t *)t->data;
	} else if (t->dtype == LF__ONNX_INT8) {
		*type = LF_DTYPE_INT8;
		*zp = *(const int8_t *)t->data;
	} else {
		return 0;
	}
	return 1;
}

/* ---- reading --------------------------------------------------------------
 */

/*
 * A model without an ai.onnx opset import. ONNX requires at least one
 * import (IR.md, opset_import) and a node's domain to be imported, so no
 * import at all, or an ai.onnx node, is a malformed file; a model of other
 * domains only (ai.onnx.preview.training, ai.onnx.ml, a vendor's) is valid
 * ONNX that layerfab does not implement.
 */
static lf_status no_onnx_opset(struct lf__imp *im, const char *what)
{
	const struct lf__onnx_model *m = im->g->onnx;
	if (m->n_opsets == 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "%s: the model imports no opset", what);
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct lf__onnx_node *n = &m->nodes[i];
		if (!n->domain[0] || strcmp(n->domain, "ai.onnx") == 0)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "%s: node %zu (%s) is of domain "
					    "ai.onnx, which the model does not "
					    "import",
					    what, i, n->op_type);
	}
	return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
			    "%s: the model imports no ai.onnx opset, only "
			    "domain '%s'%s; layerfab runs ai.onnx opsets %d to "
			    "%d and com.microsoft 1",
			    what, m->opsets[0].domain,
			    m->n_opsets > 1 ? " and others" : "", OPSET_MIN,
			    OPSET_MAX);
}

static lf_status check_opsets(struct lf__imp *im, const char *what)
{
	struct lf__graph *g = im->g;
	g->opset = lf__onnx_model_opset(g->onnx, "");
	g->opset_ms = lf__onnx_model_opset(g->onnx, "com.microsoft");
	if (g->opset == 0)
		return no_onnx_opset(im, what);
	if (g->opset < OPSET_MIN || g->opset > OPSET_MAX)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "%s: ai.onnx opset %lld is not supported "
				    "(layerfab reads opsets %d to %d)",
				    what, (long long)g->opset, OPSET_MIN,
				    OPSET_MAX);
	if (g->opset_ms > 1)
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "%s: com.microsoft opset %lld is not "
				    "supported (only version 1 exists)",
				    what, (long long)g->opset_ms);
	if (g->opset_ms == 0)
		g->opset_ms = 1;
	return LF_OK;
}

static lf_status add_inputs(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	const struct lf__onnx_graph_io *io = &g->io;
	g->inputs = calloc(io->n_inputs ? io->n_inputs : 1, sizeof(int));
	if (!g->inputs)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < io->n_inputs; i++) {
		const struct lf__onnx_vinfo *vi = &io->inputs[i];
		if (lf__imp_find(im, vi->name) >= 0)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "graph input '%s' is declared "
					    "twice",
					    vi->name);
		int v = lf__imp_new_value(im, vi->name, vi->elem_type);
		if (v < 0)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		struct lf__gval *gv = &g->vals[v];
		gv->input = (int)i;
		gv->decl_rank = vi->rank;
		memcpy(gv->decl, vi->dims, sizeof(gv->decl));
		g->inputs[g->ninputs++] = v;
	}
	for (size_t i = 0; i < g->onnx->n_inits; i++) {
		const struct lf__tensor *t = &g->onnx->inits[i];
		if (lf__imp_find(im, t->name) >= 0)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "initializer '%s' is defined twice",
					    t->name);
		int v = lf__imp_new_value(im, t->name, t->dtype);
		if (v < 0)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		g->vals[v].cst = t;
	}
	return LF_OK;
}

static lf_status node_name(struct lf__rnode *rn, size_t index)
{
	const struct lf__onnx_node *on = rn->on;
	if (on->name[0]) {
		rn->name = strdup(on->name);
	} else {
		size_t len = strlen(on->op_type) + 24;
		rn->name = malloc(len);
		if (rn->name)
			snprintf(rn->name, len, "%s_%zu", on->op_type, index);
	}
	return rn->name ? LF_OK : LF_ERR_NO_MEMORY;
}

static lf_status add_node_outputs(struct lf__imp *im)
{
	struct lf__onnx_model *m = im->g->onnx;
	for (size_t i = 0; i < m->n_nodes; i++) {
		struct lf__rnode *rn = &im->rn[i];
		rn->on = &m->nodes[i];
		if (node_name(rn, i) != LF_OK)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		rn->out = calloc(rn->on->n_outputs ? rn->on->n_outputs : 1,
				 sizeof(int));
		rn->in = calloc(rn->on->n_inputs ? rn->on->n_inputs : 1,
				sizeof(int));
		if (!rn->out || !rn->in)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		rn->n_out = rn->on->n_outputs;
		rn->n_in = rn->on->n_inputs;
		for (size_t k = 0; k < rn->n_out; k++) {
			const char *o = rn->on->outputs[k];
			rn->out[k] = -1;
			if (!o[0])
				continue;
			if (lf__imp_find(im, o) >= 0)
				return lf__imp_fail(
				    im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): output '%s' is also "
				    "produced by another node or declared as "
				    "a graph input or initializer",
				    rn->name, rn->on->op_type, o);
			rn->out[k] = lf__imp_new_value(im, o, 0);
			if (rn->out[k] < 0)
				return lf__imp_fail(im, LF_ERR_NO_MEMORY,
						    "out of memory");
		}
	}
	return LF_OK;
}

static lf_status add_node_inputs(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		for (size_t k = 0; k < rn->n_in; k++) {
			const char *s = rn->on->inputs[k];
			rn->in[k] = -1;
			if (!s[0])
				continue;
			rn->in[k] = lf__imp_find(im, s);
			if (rn->in[k] < 0)
				return lf__imp_fail(
				    im, LF_ERR_BAD_FILE,
				    "node '%s' (%s): input '%s' is not "
				    "produced by any node, graph input or "
				    "initializer",
				    rn->name, rn->on->op_type, s);
		}
	}
	return LF_OK;
}

static lf_status add_outputs(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	const struct lf__onnx_graph_io *io = &g->io;
	g->outputs = calloc(io->n_outputs ? io->n_outputs : 1, sizeof(int));
	if (!g->outputs)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	if (io->n_outputs == 0)
		return lf__imp_fail(im, LF_ERR_BAD_FILE,
				    "the graph has no output");
	for (size_t i = 0; i < io->n_outputs; i++) {
		const struct lf__onnx_vinfo *vi = &io->outputs[i];
		int v = lf__imp_find(im, vi->name);
		if (v < 0)
			return lf__imp_fail(im, LF_ERR_BAD_FILE,
					    "graph output '%s' is not produced "
					    "by any node, graph input or "
					    "initializer",
					    vi->name);
		struct lf__gval *gv = &g->vals[v];
		gv->output = 1;
		if (gv->input < 0) {
			gv->decl_rank = vi->rank;
			memcpy(gv->decl, vi->dims, sizeof(gv->decl));
		}
		g->outputs[g->noutputs++] = v;
	}
	return LF_OK;
}

/* ---- topological order ------------------------------------------------- */

struct heap {
	int *a;
	size_t n;
};

static void heap_push(struct heap *h, int v)
{
	size_t i = h->n++;
	h->a[i] = v;
	while (i && h->a[(i - 1) / 2] > h->a[i]) {
		int t = h->a[i];
		h->a[i] = h->a[(i - 1) / 2];
		h->a[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static int heap_pop(struct heap *h)
{
	int top = h->a[0];
	h->a[0] = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->a[l] < h->a[m])
			m = l;
		if (r < h->n && h->a[r] < h->a[m])
			m = r;
		if (m == i)
			break;
		int t = h->a[i];
		h->a[i] = h->a[m];
		h->a[m] = t;
		i = m;
	}
	return top;
}

static lf_status cycle_error(struct lf__imp *im, const int *indeg,
			     const int *prod)
{
	for (size_t i = 0; i < im->nrn; i++) {
		if (indeg[i] <= 0)
			continue;
		const struct lf__rnode *rn = &im->rn[i];
		for (size_t k = 0; k < rn->n_in; k++) {
			int v = rn->in[k];
			if (v >= 0 && prod[v] >= 0 && indeg[prod[v]] > 0)
				return lf__imp_fail(
				    im, LF_ERR_BAD_FILE,
				    "node '%s' (%s) is part of a cycle: its "
				    "input '%s' depends on its own output",
				    rn->name, rn->on->op_type,
				    im->g->vals[v].name);
		}
	}
	return lf__imp_fail(im, LF_ERR_BAD_FILE, "the graph has a cycle");
}

/*
 * Kahn's algorithm, always taking the ready node that comes first in the
 * file, so a file already in order keeps its order.
 */
static lf_status topo_sort(struct lf__imp *im)
{
	size_t n = im->nrn, nv = im->g->nvals;
	int *prod = malloc((nv ? nv : 1) * sizeof(int));
	int *indeg = calloc(n ? n : 1, sizeof(int));
	int *order = malloc((n ? n : 1) * sizeof(int));
	struct heap h = {malloc((n ? n : 1) * sizeof(int)), 0};
	lf_status st = LF_OK;
	if (!prod || !indeg || !order || !h.a) {
		st = lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	for (size_t v = 0; v < nv; v++)
		prod[v] = -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < im->rn[i].n_out; k++)
			if (im->rn[i].out[k] >= 0)
				prod[im->rn[i].out[k]] = (int)i;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < im->rn[i].n_in; k++) {
			int v = im->rn[i].in[k];
			if (v >= 0 && prod[v] >= 0)
				indeg[i]++;
		}
	for (size_t i = 0; i < n; i++)
		if (!indeg[i])
			heap_push(&h, (int)i);
	size_t done = 0;
	while (h.n) {
		int i = heap_pop(&h);
		order[done++] = i;
		indeg[i] = -1;
		/* Each consumer slot of each output counts once. */
		for (size_t j = 0; j < n; j++) {
			if (indeg[j] <= 0)
				continue;
			for (size_t k = 0; k < im->rn[j].n_in; k++) {
				int v = im->rn[j].in[k];
				if (v >= 0 && prod[v] == i && --indeg[j] == 0)
					heap_push(&h, (int)j);
			}
		}
	}
	if (done < n) {
		st = cycle_error(im, indeg, prod);
		goto out;
	}
	struct lf__rnode *sorted = calloc(2 * n + 1, sizeof(*sorted));
	if (!sorted) {
		st = lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = im->rn[order[i]];
	free(im->rn);
	im->rn = sorted;
out:
	free(prod);
	free(indeg);
	free(order);
	free(h.a);
	return st;
}

/* ---- Constant nodes, dead nodes ----------------------------------------- */

static lf_status constant_node(struct lf__imp *im, struct lf__rnode *rn)
{
	int v = rn->n_out ? rn->out[0] : -1;
	if (v < 0)
		return LF_OK;
	const struct lf__onnx_node *on = rn->on;
	const struct lf__onnx_attr *a = on->n_attrs == 1 ? &on->attrs[0] : NULL;
	struct lf__tensor *t = NULL;
	lf_status st = LF_OK;
	if (a && a->type == LF__ATTR_TENSOR && strcmp(a->name, "value") == 0) {
		im->g->vals[v].cst = &a->t;
		im->g->vals[v].dtype = a->t.dtype;
		rn->dead = 1;
		return LF_OK;
	}
	int64_t n1 = a ? (int64_t)a->n : 0;
	if (a && strcmp(a->name, "value_float") == 0 &&
	    a->type == LF__ATTR_FLOAT) {
		st = lf__imp_new_const(im, LF__ONNX_FLOAT, 0, NULL, &t);
		if (st == LF_OK)
			*(float *)t->data = a->f;
	} else if (a && strcmp(a->name, "value_int") == 0 &&
		   a->type == LF__ATTR_INT) {
		st = lf__imp_new_const(im, LF__ONNX_INT64, 0, NULL, &t);
		if (st == LF_OK)
			*(int64_t *)t->data = a->i;
	} else if (a && strcmp(a->name, "value_floats") == 0 &&
		   a->type == LF__ATTR_FLOATS) {
		st = lf__imp_new_const(im, LF__ONNX_FLOAT, 1, &n1, &t);
		if (st == LF_OK && a->n)
			memcpy(t->data, a->floats, a->n * sizeof(float));
	} else if (a && strcmp(a->name, "value_ints") == 0 &&
		   a->type == LF__ATTR_INTS) {
		st = lf__imp_new_const(im, LF__ONNX_INT64, 1, &n1, &t);
		if (st == LF_OK && a->n)
			memcpy(t->data, a->ints, a->n * sizeof(int64_t));
	} else {
		return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
				    "node '%s' (Constant): only a 'value' "
				    "tensor or value_float(s)/value_int(s) is "
				    "supported",
				    rn->name);
	}
	if (st != LF_OK)
		return st;
	im->g->vals[v].cst = t;
	im->g->vals[v].dtype = t->dtype;
	rn->dead = 1;
	return LF_OK;
}

static lf_status constants(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (!lf__imp_is(rn, "Constant", 0))
			continue;
		lf_status st = constant_node(im, rn);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* Drop every node no graph output depends on. */
static lf_status remove_dead(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	char *need = calloc(g->nvals ? g->nvals : 1, 1);
	if (!need)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < g->noutputs; i++)
		need[g->outputs[i]] = 1;
	for (size_t j = im->nrn; j-- > 0;) {
		struct lf__rnode *rn = &im->rn[j];
		if (rn->dead)
			continue;
		int live = 0;
		for (size_t k = 0; k < rn->n_out; k++)
			if (rn->out[k] >= 0 && need[rn->out[k]])
				live = 1;
		if (!live) {
			rn->dead = 1;
			continue;
		}
		for (size_t k = 0; k < rn->n_in; k++)
			if (rn->in[k] >= 0)
				need[rn->in[k]] = 1;
	}
	free(need);
	return LF_OK;
}

/* ---- the graph ----------------------------------------------------------- */

static void gnode_release(struct lf__gnode *n)
{
	free(n->name);
	free(n->in);
	free(n->out);
	if (n->lin) {
		free(n->lin->w_zp);
		free(n->lin->w_scale);
		free(n->lin->lut);
		free(n->lin);
	}
	free(n->scale);
	for (size_t i = 0; n->lut && i < n->n_lut; i++)
		free(n->lut[i]);
	free(n->lut);
	memset(n, 0, sizeof(*n));
}

void lf__graph_free(struct lf__graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nnodes; i++)
		gnode_release(&g->nodes[i]);
	free(g->nodes);
	for (size_t v = 0; v < g->nvals; v++)
		free(g->vals[v].name);
	free(g->vals);
	free(g->inputs);
	free(g->outputs);
	for (size_t i = 0; i < g->nowned; i++) {
		lf__tensor_release(g->owned[i]);
		free(g->owned[i]);
	}
	free(g->owned);
	lf__onnx_graph_io_free(&g->io);
	lf__onnx_model_free(g->onnx);
	free(g);
}

int lf__graph_root(const struct lf__graph *g, int v)
{
	while (v >= 0 && g->vals[v].producer >= 0 &&
	       g->nodes[g->vals[v].producer].op == LF__GOP_VIEW)
		v = g->nodes[g->vals[v].producer].in[0];
	return v;
}

static void free_found(struct lf__tensor *t, size_t n);

static void imp_free(struct lf__imp *im)
{
	for (size_t i = 0; im->rn && i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		free(rn->name);
		free(rn->in);
		free(rn->out);
		gnode_release(&rn->g);
	}
	free(im->rn);
	free(im->slots);
	free_found(im->found, im->nfound);
}

/* Move the live, lowered nodes into the graph. */
static lf_status finalize(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	size_t n = 0;
	for (size_t i = 0; i < im->nrn; i++)
		n += !im->rn[i].dead;
	g->nodes = calloc(n ? n : 1, sizeof(*g->nodes));
	if (!g->nodes)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead)
			continue;
		struct lf__gnode *gn = &g->nodes[g->nnodes];
		*gn = rn->g;
		memset(&rn->g, 0, sizeof(rn->g));
		for (size_t k = 0; k < gn->n_out; k++)
			if (gn->out[k] >= 0)
				g->vals[gn->out[k]].producer = (int)g->nnodes;
		g->nnodes++;
	}
	return LF_OK;
}

/* The first node reading value @v (for messages). */
static const char *reader_of(const struct lf__imp *im, int v)
{
	for (size_t i = 0; i < im->nrn; i++)
		for (size_t k = 0; k < im->rn[i].n_in; k++)
			if (im->rn[i].in[k] == v)
				return im->rn[i].name;
	return "none";
}

static lf_status check_io_types(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct lf__gval *v = &g->vals[g->inputs[i]];
		lf_dtype t;
		if (lf__onnx_dtype_to_lf(v->dtype, &t) != LF_OK)
			return lf__imp_fail(
			    im, LF_ERR_UNSUPPORTED,
			    "graph input '%s' (read by node "
			    "'%s') has type %s; float32, uint8, "
			    "int8 and int32 are supported",
			    v->name, reader_of(im, g->inputs[i]),
			    lf__onnx_dtype_name(v->dtype));
		if (v->decl_rank < 0)
			return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
					    "graph input '%s' declares no "
					    "shape; its rank is needed",
					    v->name);
	}
	return LF_OK;
}

/*
 * Quantization scales of the generic (CPU) nodes: a QLinearConv or
 * QLinearMatMul whose parameters are not constants stays such a node
 * (lower.c), and so do QuantizeLinear and the com.microsoft ops. Those
 * nodes are run on zeros at load (first_inference), and a zero scale is
 * invalid for every op listed, so a scale known only at run time would
 * fail there as if the file were malformed. It is valid ONNX that layerfab
 * does not run: say so (QGemm and QLinearConcat already do, in lower.c).
 * DequantizeLinear takes a zero scale, so it is not listed.
 */
#define SCALES3 ((1u << 1) | (1u << 4) | (1u << 6))
static const struct {
	int ms; /* com.microsoft */
	const char *op_type;
	unsigned slots; /* bit k: input k is a scale */
} scale_inputs[] = {
    {0, "QuantizeLinear", 1u << 1},
    {0, "QLinearConv", SCALES3},
    {0, "QLinearMatMul", SCALES3},
    {1, "QuantizeLinear", 1u << 1},
    {1, "QLinearAdd", SCALES3},
    {1, "QLinearAveragePool", (1u << 1) | (1u << 3)},
    {1, "QLinearGlobalAveragePool", (1u << 1) | (1u << 3)},
    {1, "QLinearMul", SCALES3},
    {1, "QLinearSigmoid", (1u << 1) | (1u << 3)},
    {1, "QLinearLeakyRelu", (1u << 1) | (1u << 3)},
};

static lf_status check_runtime_scales(struct lf__imp *im)
{
	const struct lf__graph *g = im->g;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct lf__gnode *n = &g->nodes[i];
		if (n->op != LF__GOP_ONNX)
			continue;
		int ms = strcmp(n->domain, "com.microsoft") == 0;
		unsigned slots = 0;
		for (size_t t = 0;
		     t < sizeof(scale_inputs) / sizeof(*scale_inputs); t++)
			if (scale_inputs[t].ms == ms &&
			    strcmp(scale_inputs[t].op_type, n->op_type) == 0)
				slots = scale_inputs[t].slots;
		for (size_t k = 0; k < n->n_in && k < 32; k++) {
			int v = n->in[k];
			if (!((slots >> k) & 1u) || v < 0 || g->vals[v].cst)
				continue;
			return lf__imp_fail(im, LF_ERR_UNSUPPORTED,
					    "node '%s' (%s): scale '%s' is not "
					    "a constant; layerfab needs "
					    "quantization scales at load",
					    n->name, n->op_type,
					    g->vals[v].name);
		}
	}
	return LF_OK;
}

/* Graph input shapes with every free dimension set to @free. */
static int input_shapes(const struct lf__graph *g, int64_t free_dim,
			struct lf__gshape *in)
{
	int any_free = 0;
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct lf__gval *v = &g->vals[g->inputs[i]];
		in[i].rank = v->decl_rank;
		for (int d = 0; d < v->decl_rank; d++) {
			in[i].d[d] = v->decl[d] < 0 ? free_dim : v->decl[d];
			any_free |= v->decl[d] < 0;
		}
	}
	return any_free;
}

static int same_tensor(const struct lf__tensor *a, const struct lf__tensor *b)
{
	if (!a->data || !b->data || a->dtype != b->dtype ||
	    a->rank != b->rank || a->count != b->count)
		return 0;
	for (int d = 0; d < a->rank; d++)
		if (a->dims[d] != b->dims[d])
			return 0;
	return memcmp(a->data, b->data, lf__tensor_bytes(a)) == 0;
}

/*
 * Values computed at run time from shapes alone (Shape -> Gather -> ...)
 * that are the same whatever the free dimensions are (checked with them
 * at 1 and at 2): the second import pass makes them constants, so that
 * what they feed (a Reshape's target, a Slice's ends) is static.
 */
static lf_status find_static(struct lf__imp *im, struct lf__gshape *in,
			     struct lf__gshape *sh, struct lf__tensor *known)
{
	struct lf__graph *g = im->g;
	struct lf__tensor *k2 = NULL;
	lf_status st = LF_OK;
	size_t n = 0;
	for (size_t v = 0; v < g->nvals; v++)
		n += known[v].data && !g->vals[v].cst;
	if (!n || im->pins)
		return LF_OK;
	if (input_shapes(g, 2, in)) {
		k2 = calloc(g->nvals, sizeof(*k2));
		if (!k2)
			return lf__imp_fail(im, LF_ERR_NO_MEMORY,
					    "out of memory");
		/* Batch 2 may not fit a fixed-size Reshape: then nothing is
		 * static. */
		if (lf__graph_infer_known(g, in, sh, k2, LF_ERR_BAD_FILE,
					  NULL) != LF_OK)
			goto out;
	}
	im->found = calloc(n, sizeof(*im->found));
	if (!im->found) {
		st = lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	for (size_t v = 0; v < g->nvals; v++) {
		if (!known[v].data || g->vals[v].cst ||
		    (k2 && !same_tensor(&known[v], &k2[v])))
			continue;
		struct lf__tensor *t = &im->found[im->nfound++];
		*t = known[v];
		memset(&known[v], 0, sizeof(known[v]));
		free(t->name);
		t->name = strdup(g->vals[v].name);
		if (!t->name) {
			st =
			    lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
			goto out;
		}
	}
out:
	lf__graph_known_free(g, k2);
	return st;
}

/* Shapes with every free dimension 1: catches malformed graphs at load. */
static lf_status first_inference(struct lf__imp *im)
{
	struct lf__graph *g = im->g;
	struct lf__gshape *in =
	    calloc(g->ninputs ? g->ninputs : 1, sizeof(*in));
	struct lf__gshape *sh = calloc(g->nvals ? g->nvals : 1, sizeof(*sh));
	struct lf__tensor *known =
	    calloc(g->nvals ? g->nvals : 1, sizeof(*known));
	lf_status st = LF_OK;
	if (!in || !sh || !known) {
		st = lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	input_shapes(g, 1, in);
	st = lf__graph_infer_known(g, in, sh, known, LF_ERR_BAD_FILE, im->dg);
	if (st != LF_OK)
		goto out;
	/* Types do not depend on shapes: keep them in the graph. */
	for (size_t v = 0; v < g->nvals; v++)
		if (sh[v].rank >= 0)
			g->vals[v].dtype = sh[v].dtype;
	/* Graph outputs must have a type an application can receive. */
	for (size_t i = 0; i < g->noutputs; i++) {
		const struct lf__gval *v = &g->vals[g->outputs[i]];
		lf_dtype t;
		if (lf__onnx_dtype_to_lf(v->dtype, &t) != LF_OK) {
			st = lf__imp_fail(im, LF_ERR_UNSUPPORTED,
					  "graph output '%s' has type %s; "
					  "float32, uint8, int8 and int32 are "
					  "supported",
					  v->name,
					  lf__onnx_dtype_name(v->dtype));
			goto out;
		}
	}
	st = find_static(im, in, sh, known);
out:
	free(in);
	free(sh);
	lf__graph_known_free(g, known);
	return st;
}

static lf_status build(struct lf__imp *im, const char *what)
{
	lf_status st;
	struct lf__graph *g = im->g;
	if ((st = check_opsets(im, what)) || (st = add_inputs(im)))
		return st;
	im->nrn = g->onnx->n_nodes;
	im->rn = calloc(im->nrn ? im->nrn : 1, sizeof(*im->rn));
	if (!im->rn)
		return lf__imp_fail(im, LF_ERR_NO_MEMORY, "out of memory");
	if ((st = add_node_outputs(im)) || (st = add_node_inputs(im)) ||
	    (st = add_outputs(im)) || (st = check_io_types(im)) ||
	    (st = topo_sort(im)) || (st = constants(im)) ||
	    (st = lf__prefold(im)) || (st = lf__qdq_fold(im)) ||
	    (st = remove_dead(im)) || (st = lf__lower_all(im)) ||
	    (st = lf__lower_const_fold(im)) || (st = remove_dead(im)) ||
	    (st = lf__lower_fuse_activations(im)) || (st = remove_dead(im)) ||
	    (st = finalize(im)) || (st = check_runtime_scales(im)))
		return st;
	return first_inference(im);
}

/* One import; @pins as found by an earlier pass (or NULL), and the values
 * this pass finds static in *found. */
static lf_status import_pass(const void *buf, size_t len, const char *what,
			     const char *base_dir,
			     const struct lf__tensor *pins, size_t npins,
			     struct lf__graph **out, struct lf__tensor **found,
			     size_t *nfound, struct lf__diag *dg)
{
	struct lf__graph *g = calloc(1, sizeof(*g));
	struct lf__imp im;
	memset(&im, 0, sizeof(im));
	im.g = g;
	im.dg = dg;
	im.pins = pins;
	im.npins = npins;
	if (!g)
		return lf__imp_fail(&im, LF_ERR_NO_MEMORY, "out of memory");
	/* hostlib/onnx still writes its message into a buffer: dg's. */
	lf_status st =
	    lf__onnx_model_read(buf, len, what, base_dir, &g->onnx, &g->io,
				dg ? dg->msg : NULL, dg ? sizeof(dg->msg) : 0);
	/* The parser's overflow is a malformed file here. */
	if (st == LF_ERR_OVERFLOW)
		st = LF_ERR_BAD_FILE;
	if (st != LF_OK && dg)
		dg->status = st;
	if (st == LF_OK)
		st = build(&im, what);
	*found = im.found;
	*nfound = im.nfound;
	im.found = NULL;
	imp_free(&im);
	if (st != LF_OK) {
		lf__graph_free(g);
		return st;
	}
	*out = g;
	return LF_OK;
}

static void free_found(struct lf__tensor *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		lf__tensor_release(&t[i]);
	free(t);
}

/*
 * Two passes when the graph computes values from shapes (PyTorch's
 * chunk(), flatten, view): the first finds which of them are static, the
 * second imports with those values as constants, so constant folding,
 * views and QDQ folding see them. Otherwise one pass.
 */
lf_status lf__graph_import(const void *buf, size_t len, const char *what,
			   const char *base_dir, struct lf__graph **out,
			   struct lf__diag *dg)
{
	struct lf__graph *g = NULL;
	struct lf__tensor *found = NULL, *f2 = NULL;
	size_t nfound = 0, n2 = 0;
	lf_status st = import_pass(buf, len, what, base_dir, NULL, 0, &g,
				   &found, &nfound, dg);
	if (st == LF_OK && nfound) {
		lf__graph_free(g);
		g = NULL;
		st = import_pass(buf, len, what, base_dir, found, nfound, &g,
				 &f2, &n2, dg);
	}
	free_found(found, nfound);
	free_found(f2, n2);
	if (st != LF_OK) {
		if (dg)
			dg->status = st;
		return st;
	}
	*out = g;
	return LF_OK;
}
