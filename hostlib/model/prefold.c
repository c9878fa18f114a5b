/*
 * prefold.c - what exporters write around the quantized ops, cleaned up
 * before QDQ folding (qdq.c) so that it sees the groups ORT's quantizer
 * would have written:
 *
 *   - Identity, and a Cast to the type its input already has (PyTorch
 *     writes Cast(to=uint8) after every QuantizeLinear), become aliases:
 *     their readers read the input;
 *   - glue ops whose inputs are all constants are run now and become
 *     constants (PyTorch's bias zero points are ConstantOfShape -> Cast;
 *     its static shape arithmetic is Shape -> Gather -> Div -> ...);
 *   - values the previous import pass found to depend on shapes only
 *     (@pins, see lf__graph_import) are constants from the start.
 *
 * Nodes that stay (a real Cast, dynamic shape arithmetic) run on the CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/model/import_impl.h"
#include "hostlib/onnx/node_cpu.h"

/* Ops folded when every input is a constant: the glue exporters write
 * (not DequantizeLinear: a DQ of weights is what QDQ folding needs). */
static const char *const glue_ops[] = {
    "Cast",	 "ConstantOfShape",
    "Identity",	 "Shape",
    "Gather",	 "Slice",
    "Split",	 "Concat",
    "Unsqueeze", "Squeeze",
    "Expand",	 "Where",
    "Range",	 "Add",
    "Sub",	 "Mul",
    "Div",	 "Pow",
    "Min",	 "Max",
    "Equal",	 "Less",
    "Greater",	 "Reshape",
    "Flatten",	 "Sqrt",
    "Neg",	 "Floor",
    "Ceil",	 "Abs",
};

static int is_glue(const struct lf__rnode *rn)
{
	for (size_t i = 0; i < sizeof(glue_ops) / sizeof(glue_ops[0]); i++)
		if (lf__imp_is(rn, glue_ops[i], 0))
			return 1;
	return 0;
}

static int64_t attr_i(const struct lf__rnode *rn, const char *name,
		      int64_t dflt)
{
	const struct lf__onnx_attr *a = lf__onnx_node_attr(rn->on, name);
	return a && a->type == LF__ATTR_INT ? a->i : dflt;
}

/* The ONNX type of value @v if it can be told before lowering, else 0. */
static int32_t static_type(const struct lf__imp *im, int v)
{
	const struct lf__gval *gv = &im->g->vals[v];
	if (gv->cst)
		return gv->cst->dtype;
	if (gv->input >= 0)
		return gv->dtype;
	int p = lf__imp_producer(im, v);
	if (p < 0)
		return 0;
	const struct lf__rnode *rn = &im->rn[p];
	if (lf__imp_is(rn, "QuantizeLinear", 0) ||
	    lf__imp_is(rn, "QuantizeLinear", 1)) {
		const struct lf__tensor *z =
		    rn->n_in > 2 ? lf__imp_const(im, rn->in[2]) : NULL;
		if (attr_i(rn, "output_dtype", 0))
			return (int32_t)attr_i(rn, "output_dtype", 0);
		return z ? z->dtype : LF__ONNX_UINT8;
	}
	if (lf__imp_is(rn, "DequantizeLinear", 0) ||
	    lf__imp_is(rn, "DequantizeLinear", 1))
		return LF__ONNX_FLOAT;
	if (lf__imp_is(rn, "Cast", 0))
		return (int32_t)attr_i(rn, "to", 0);
	if (lf__imp_is(rn, "Identity", 0) && rn->n_in > 0 && rn->in[0] >= 0)
		return static_type(im, rn->in[0]);
	return 0;
}

/* Readers of @from read @to instead; @rn (the alias) goes away. A graph
 * output keeps its node (it becomes a view). */
static void alias(struct lf__imp *im, struct lf__rnode *rn, int from, int to)
{
	if (im->g->vals[from].output)
		return;
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *r = &im->rn[i];
		if (r->dead)
			continue;
		for (size_t k = 0; k < r->n_in; k++)
			if (r->in[k] == from)
				r->in[k] = to;
	}
	rn->dead = 1;
}

static int all_inputs_const(const struct lf__imp *im,
			    const struct lf__rnode *rn)
{
	size_t present = 0;
	for (size_t k = 0; k < rn->n_in; k++) {
		if (rn->in[k] < 0)
			continue;
		if (!lf__imp_const(im, rn->in[k]))
			return 0;
		present++;
	}
	return present > 0;
}

lf_status lf__imp_run_const(struct lf__imp *im, const struct lf__onnx_node *on,
			    int64_t opset, const int *in, size_t n_in,
			    const int *out, size_t n_out, char *msg,
			    size_t msglen)
{
	enum { MAXIO = 64 };
	const struct lf__tensor *x[MAXIO];
	struct lf__tensor y[MAXIO];
	if (n_in > MAXIO || n_out > MAXIO) {
		snprintf(msg, msglen, "more than %d inputs or outputs", MAXIO);
		return LF_ERR_UNSUPPORTED;
	}
	memset(y, 0, sizeof(y));
	for (size_t k = 0; k < n_in; k++)
		x[k] = lf__imp_const(im, in[k]);
	lf_status st =
	    lf__onnx_node_run_cpu(on, opset, x, n_in, y, n_out, msg, msglen);
	for (size_t k = 0; k < n_out && st == LF_OK; k++) {
		if (out[k] < 0)
			continue;
		struct lf__tensor *t = malloc(sizeof(*t));
		if (!t) {
			st = LF_ERR_NO_MEMORY;
			break;
		}
		*t = y[k];
		memset(&y[k], 0, sizeof(y[k]));
		st = lf__imp_own(im, t);
		if (st != LF_OK) {
			lf__tensor_release(t);
			free(t);
			break;
		}
		im->g->vals[out[k]].cst = t;
		im->g->vals[out[k]].dtype = t->dtype;
	}
	for (size_t k = 0; k < n_out; k++)
		lf__tensor_release(&y[k]);
	if (st == LF_ERR_NO_MEMORY)
		snprintf(msg, msglen, "out of memory");
	return st;
}

/* Run @rn on its constant inputs; its outputs become constants. */
static lf_status fold_now(struct lf__imp *im, struct lf__rnode *rn)
{
	if (rn->n_in > 64 || rn->n_out > 64)
		return LF_OK;
	char msg[LF__GRAPH_ERR_LEN];
	lf_status st =
	    lf__imp_run_const(im, rn->on, lf__imp_opset(im, rn), rn->in,
			      rn->n_in, rn->out, rn->n_out, msg, sizeof(msg));
	/* A type or attribute the CPU op lacks: the node stays, and the
	 * load reports it where it would run. */
	if (st == LF_ERR_UNSUPPORTED)
		return LF_OK;
	if (st != LF_OK)
		return lf__imp_fail(
		    im, st == LF_ERR_NO_MEMORY ? st : LF_ERR_BAD_FILE,
		    "node '%s' (%s): %s", rn->name, rn->on->op_type, msg);
	rn->dead = 1;
	return LF_OK;
}

static const struct lf__tensor *pin_of(const struct lf__imp *im, int v)
{
	for (size_t i = 0; v >= 0 && i < im->npins; i++)
		if (strcmp(im->pins[i].name, im->g->vals[v].name) == 0)
			return &im->pins[i];
	return NULL;
}

/* Every output of @rn pinned: they become (owned) constants. */
static lf_status apply_pins(struct lf__imp *im, struct lf__rnode *rn, int *done)
{
	*done = 0;
	size_t n = 0;
	for (size_t k = 0; k < rn->n_out; k++) {
		if (rn->out[k] < 0)
			continue;
		if (!pin_of(im, rn->out[k]))
			return LF_OK;
		n++;
	}
	if (!n)
		return LF_OK;
	for (size_t k = 0; k < rn->n_out; k++) {
		int v = rn->out[k];
		if (v < 0)
			continue;
		const struct lf__tensor *p = pin_of(im, v);
		struct lf__tensor *t;
		lf_status st =
		    lf__imp_new_const(im, p->dtype, p->rank, p->dims, &t);
		if (st != LF_OK)
			return st;
		if (p->count)
			memcpy(t->data, p->data, lf__tensor_bytes(p));
		im->g->vals[v].cst = t;
		im->g->vals[v].dtype = t->dtype;
	}
	rn->dead = 1;
	*done = 1;
	return LF_OK;
}

lf_status lf__prefold(struct lf__imp *im)
{
	for (size_t i = 0; i < im->nrn; i++) {
		struct lf__rnode *rn = &im->rn[i];
		if (rn->dead)
			continue;
		int done;
		lf_status st = apply_pins(im, rn, &done);
		if (st != LF_OK)
			return st;
		if (done)
			continue;
		int x = rn->n_in > 0 ? rn->in[0] : -1;
		int y = rn->n_out > 0 ? rn->out[0] : -1;
		if (x >= 0 && y >= 0 && rn->n_in == 1 &&
		    (lf__imp_is(rn, "Identity", 0) ||
		     (lf__imp_is(rn, "Cast", 0) &&
		      static_type(im, x) == attr_i(rn, "to", -1)))) {
			alias(im, rn, y, x);
			if (rn->dead)
				continue;
		}
		if (is_glue(rn) && all_inputs_const(im, rn) &&
		    lf__onnx_node_cpu_supported(rn->on->domain,
						rn->on->op_type)) {
			st = fold_now(im, rn);
			if (st != LF_OK)
				return st;
		}
	}
	return LF_OK;
}
