/*
 * import_impl.h - the state of one import, shared by import.c (reading,
 * sorting, dead-node removal, constant folding), qdq.c (QDQ folding) and
 * lower.c (ONNX node -> IR node). Internal to hostlib/model.
 */
#ifndef LF_MODEL_IMPORT_IMPL_H
#define LF_MODEL_IMPORT_IMPL_H

#include "hostlib/ir/graph.h"

/* A node while it is imported: its ONNX node, its wiring (which folding
 * may change) and, once lowered, its IR node. */
struct lf__rnode {
	const struct lf__onnx_node *on;
	char *name; /* node name or "<op_type>_<index>" (owned) */
	size_t n_in, n_out;
	int *in, *out;
	int dead;
	int lowered; /* g is filled */
	struct lf__gnode g;
};

struct lf__imp {
	struct lf__graph *g;
	size_t cap_vals;
	size_t nslots;
	int *slots; /* name hash table of value ids, -1 empty */
	size_t nrn;
	struct lf__rnode *rn; /* topological order after sorting */
	size_t cap_owned;     /* capacity of g->owned */
	struct lf__diag *dg;  /* NULL: no message */
	/* Values known from shapes alone (named), constants from the start
	 * (prefold.c); found by the first pass of lf__graph_import. */
	const struct lf__tensor *pins;
	size_t npins;
	struct lf__tensor *found; /* this pass's candidates (owned) */
	size_t nfound;
	/* Ops no CPU or device path runs, with how often they occur. */
	struct {
		const char *domain, *op_type;
		int count;
	} unsup[32];
	size_t nunsup;
	int unsup_more; /* distinct ops past the table */
};

/* lf__diag_fail() on the import's diag; returns @st. */
lf_status lf__imp_fail(struct lf__imp *im, lf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Value named @name, or -1. */
int lf__imp_find(const struct lf__imp *im, const char *name);

/* A new value (no name clash check); -1 when out of memory. */
int lf__imp_new_value(struct lf__imp *im, const char *name, int32_t dtype);

/* Take ownership of a constant tensor (allocated with malloc). */
lf_status lf__imp_own(struct lf__imp *im, struct lf__tensor *t);

/* A constant tensor of @dtype and shape @dims made at import, zeroed;
 * owned by the graph. */
lf_status lf__imp_new_const(struct lf__imp *im, int32_t dtype, int rank,
			    const int64_t *dims, struct lf__tensor **out);

/* The constant behind value @v, or NULL (also for v < 0). */
const struct lf__tensor *lf__imp_const(const struct lf__imp *im, int v);

/*
 * Run ONNX node @on (opset @opset) on the CPU ops with the constants behind
 * values @in[0..n_in) (n_in <= 64); each output k with out[k] >= 0 becomes
 * that value's constant (n_out <= 64). On failure *msg says why (the
 * node's own message, or "out of memory") and the status is the CPU op's.
 */
lf_status lf__imp_run_const(struct lf__imp *im, const struct lf__onnx_node *on,
			    int64_t opset, const int *in, size_t n_in,
			    const int *out, size_t n_out, char *msg,
			    size_t msglen);

/* Number of live nodes reading @v, and the first of them in *first. */
int lf__imp_consumers(const struct lf__imp *im, int v, int *first);

/* Live node producing @v, or -1. */
int lf__imp_producer(const struct lf__imp *im, int v);

/* Whether @rn is op @op of the default domain (or com.microsoft if @ms). */
int lf__imp_is(const struct lf__rnode *rn, const char *op, int ms);

/* Node @i's opset for its domain. */
int64_t lf__imp_opset(const struct lf__imp *im, const struct lf__rnode *rn);

/* Copy @n value ids into @rn's inputs / outputs (replacing them). */
lf_status lf__imp_wire(struct lf__imp *im, struct lf__rnode *rn, const int *in,
		       size_t n_in, const int *out, size_t n_out);

/* The ONNX type code of an lf_dtype. */
int32_t lf__imp_onnx_type(lf_dtype t);

/* Insert an empty node after rn[@i]; nodes after it move (the array has
 * room for one extra node per imported node, so rn[0..i] stay put). */
struct lf__rnode *lf__imp_insert_after(struct lf__imp *im, size_t i);

/* Read quantization constants (NULL @v means "omitted"). */
int lf__imp_scalar_f32(const struct lf__imp *im, int v, float *out);
/* A zero point: omitted (0, type @dflt), or a one-element 8-bit constant. */
int lf__imp_scalar_zp(const struct lf__imp *im, int v, lf_dtype dflt,
		      lf_dtype *type, int32_t *zp);

/* prefold.c: aliases, constant glue, pinned values (before qdq.c). */
lf_status lf__prefold(struct lf__imp *im);

/* qdq.c: fold DQ -> op -> Q groups into quantized nodes. */
lf_status lf__qdq_fold(struct lf__imp *im);

/* lower.c */
lf_status lf__lower_all(struct lf__imp *im);
lf_status lf__lower_fuse_activations(struct lf__imp *im);
lf_status lf__lower_const_fold(struct lf__imp *im);

/*
 * Lower a quantized conv / matmul from its parts (value ids; -1 omitted).
 * @xs == -1 means ConvInteger / MatMulInteger (int32 output). @attrs is the
 * node with the conv attributes. For matmul, @trans_b says B is [N][K]
 * and @alpha scales a_scale (QGemm). On success @rn is lowered (its
 * output @y).
 */
struct lf__lin_parts {
	int x, xs, xz, w, ws, wz, ys, yz, bias, y;
	const struct lf__onnx_node *attrs;
	int trans_b;
	float alpha;
	int w_axis;    /* per-channel axis of w's scales */
	int float_out; /* QGemm without y_scale: float32 output */
};
lf_status lf__lower_conv(struct lf__imp *im, struct lf__rnode *rn,
			 const struct lf__lin_parts *p);
lf_status lf__lower_matmul(struct lf__imp *im, struct lf__rnode *rn,
			   const struct lf__lin_parts *p);
/* QLinearConcat from its inputs (y_scale, y_zp, then x/scale/zp triples)
 * and output; @rn's node gives the axis. */
lf_status lf__lower_qconcat(struct lf__imp *im, struct lf__rnode *rn,
			    const int *in, size_t n_in, int y);
/* A generic node for hostlib/onnx with the given op and wiring. */
lf_status lf__lower_onnx(struct lf__imp *im, struct lf__rnode *rn,
			 const char *op_type, const char *domain, const int *in,
			 size_t n_in, const int *out, size_t n_out);
/* Narrow a lowered CONV/MATMUL's clamp for a fused float Relu/Clip
 * (QDQ) node @act; its output becomes the conv's quantized output. */
lf_status lf__lower_float_act(struct lf__imp *im, struct lf__rnode *rn,
			      const struct lf__rnode *act);

#endif /* LF_MODEL_IMPORT_IMPL_H */
