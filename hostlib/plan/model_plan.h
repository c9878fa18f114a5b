/*
 * model_plan.h - a model's graph planned for a device, no device touched:
 * which nodes run on the card, grouped into device segments; where every
 * value lives (an arena on the card, a buffer on the host); the
 * descriptors of every launch; and the params blob every device layer's
 * constants are packed into once per model.
 *
 * Segments: maximal runs of consecutive (in topological order; views do
 * not count) device-capable nodes whose layer the tiling planner
 * (tile.h) maps onto the kernels with activations in place. Their
 * activations stay in the arena; one launch per run of same-kernel nodes
 * (one launch per segment when all its nodes use one kernel). With an
 * lfk_engine CU (caps->engine) MaxPool, QLinear[Global]AveragePool and
 * QLinearAdd nodes the pool/add limits accept are device-capable too
 * (one descriptor each, no params), and every launch is on the engine:
 * one launch per segment. Values
 * crossing the segment's border move in one upload block and one download
 * block, each contiguous in the arena. A layer the planner can only run
 * with host help (gathered input slabs, scattered outputs, split
 * reductions) is a segment of its own ("host-assisted"): the host packs
 * its input and unpacks its output (a single op is such a segment:
 * op_plan.h). A layer no split fits runs on the CPU.
 *
 * Memory: blocks get arena offsets by lifetime (arena.h), in node steps,
 * so the arena is as large as the most activation bytes alive at once,
 * not the sum. A value read or written by several segments (a residual
 * branch: produced in one, added in a later one) has a place in each
 * segment's up / down block, not one plan-wide offset. Host buffers the
 * same way, with one rule for the CPU fallback: every host buffer a
 * segment reads (up) or writes (down) is live from its first node to its
 * last, so the segment can always be re-run on the CPU from its inputs
 * (hostlib/model/run_steps.c) without its outputs overwriting them. Both
 * rules are checked on every finished plan (a clash is LF_ERR_INTERNAL,
 * not a run that computes wrong bytes).
 */
#ifndef LF_PLAN_MODEL_PLAN_H
#define LF_PLAN_MODEL_PLAN_H

#include <stdint.h>

#include "hostlib/ir/graph.h"
#include "hostlib/plan/blk.h"
#include "hostlib/plan/elem.h"
#include "hostlib/plan/tile.h"
#include "lf_desc.h"

/* Kernels a launch runs on. With an lfk_engine CU every device segment
 * is one launch on it (conv, matmul, pooling and add descriptors mixed);
 * without, conv/matmul launches go to lfk_conv2d / lfk_matmul. */
enum { LF__MK_CONV = 0, LF__MK_MM = 1, LF__MK_ENG = 2, LF__MK_COUNT = 3 };

/* The kernel (LF_KERNELS, hls/lf_desc.h) of LF__MK_* @k: its name is
 * lf_kernel_name(lf__mk_kernel(k)). */
static inline enum lf_kernel lf__mk_kernel(int k)
{
	static const enum lf_kernel id[LF__MK_COUNT] = {
	    [LF__MK_CONV] = LF_KERNEL_CONV2D,
	    [LF__MK_MM] = LF_KERNEL_MATMUL,
	    [LF__MK_ENG] = LF_KERNEL_ENGINE,
	};
	return (unsigned)k < LF__MK_COUNT ? id[k] : LF_KERNEL_COUNT;
}

/* The `.blk_*` limits of the blocked datapaths (0 or less: absent). */
struct lf__blimits {
	int64_t conv_wbeats; /* lfk_conv2d.blk_wbeats: max kh * kw * icb */
	int64_t conv_iw_max; /* lfk_conv2d.blk_iw_max: widest input row */
	int64_t pool_iw_max; /* lfk_pool.blk_iw_max */
	/* lfk_conv2d.blk_lbeats: the line buffer, in beats (rows of icb * iw
	 * beats); lfk_conv2d.blk_stride_max. 0 or less: a build that does
	 * not report them, no constraint. */
	int64_t conv_lbeats, conv_stride_max;
	/* lfk_conv2d.blk_dw: 1 when the blocked conv takes depthwise
	 * descriptors (groups == ic == oc); else they stay NCHW. */
	int64_t conv_dw;
	/* lfk_conv2d.blk_ycb: 1 when the blocked conv takes LF_DF_YCB (its
	 * output the first channels of a wider blocked tensor's images);
	 * else a concat is placed at batch 1 only. */
	int64_t conv_ycb;
	/* lfk_conv2d.blk_add: 1 when the blocked conv takes LF_DF_ADD (a
	 * residual add fused into its store, mplan_fuse.c); else every
	 * QLinearAdd has its own descriptor. */
	int64_t conv_add;
	/* lfk_conv2d.blk_pool: the widest conv output row (pixels) whose
	 * max pool the blocked conv runs in its store (LF_DF_POOL,
	 * mplan_fuse.c); 0 or less: every MaxPool has its own descriptor. */
	int64_t conv_pool;
	/* lfk_conv2d.blk_xfold: the most compact row beats the blocked conv
	 * folds itself (LF_DF_XFOLD); 0 or less: no stem folding. */
	int64_t conv_xfold;
	/* lfk_conv2d.blk_wpre: 1 when the blocked conv takes LF_DF_WPRE (a
	 * conv followed by a blocked conv in its launch loads that one's
	 * first weight block ahead, mplan_desc.c); else no flag. */
	int64_t conv_wpre;
};

/* What the device offers the planner (filled by hostlib/exec). */
struct lf__mdevcaps {
	int present; /* a device with at least one usable kernel */
	int has[LF__MK_COUNT];
	struct lf__klimits lim[LF__MK_COUNT];
	/* a conv CU and a matmul CU reach one act bank: segments may mix */
	int allow_mixed;
	/* an lfk_engine CU (running conv/matmul under lim[CONV], lim[MM]
	 * and pooling/add under plim): segments span every device-capable
	 * op and run as one launch each on it */
	int engine;
	struct lf__plimits plim;
	/* The engine's blocked datapaths (lf_desc.h, "Blocked layout"): bit
	 * k for op k accepts LF_DF_BLK, cleared here for an op whose
	 * `.blk_*` limit keys the xclbin lacks; 0: every segment NCHW. */
	unsigned blk_ops;
	struct lf__blimits blim;
	/* lfk_conv2d.lut = 1: conv descriptors take LF_DF_LUT (a conv with
	 * an output table, lf__layer.lut, runs on the CPU without it) */
	int conv_lut;
	/* The most weight bytes one buffer can hold: the largest bank a
	 * used kernel's params port reaches, less slack (0: no bound). A
	 * model's constants beyond it are split into groups that each fit
	 * (lf__mparams.group). */
	uint64_t params_room;
	char absent_why[64]; /* when !present: "cpu device", ... */
};

/* A device layer's place in the params blob. */
struct lf__pnode {
	int on;			/* the node has constants on the device */
	uint64_t base;		/* offset of its params area in the blob */
	struct lf__plan layout; /* the area's layout (slices; no tiles) */
	/* a conv's blocked-form constants too (plan/blk.h), when the engine
	 * has a blocked conv: packed weights at blk_w, records at blk_rec,
	 * offsets in the blob (a matmul's: those of its 1x1 conv form) */
	int blk;
	uint64_t blk_w, blk_rec;
	/* and folded (stem folding, plan/blk.h), when it folds: the kh x 1
	 * conv's packed weights and records */
	int fold;
	uint64_t fold_w, fold_rec;
	uint64_t end; /* its areas are [base, end) of the blob */
	int group;    /* its weights group (lf__mparams.group) */
	char why[64]; /* when !on: why it runs on the CPU */
	/* !on only because its constants pass params_room (no bank holds
	 * them): work the card has a kernel for, on the CPU by plan, which a
	 * fallback that is off forbids (lf_model_load refuses) */
	int no_room;
};

/*
 * A weights group: the blob's bytes [lo, lo + bytes), the areas of
 * consecutive nodes, on the card as one buffer (hostlib/exec places each
 * in a bank a CU's params port reaches). One group holds the whole blob
 * unless it passes lf__mdevcaps.params_room; then each group fits it, a
 * device segment never spans two (its launches pass one params buffer),
 * and a descriptor's params offsets are made group-relative when it is
 * uploaded. A node whose constants alone pass params_room keeps only its
 * NCHW form (no blocked copy) when that fits, else runs on the CPU.
 */
struct lf__pgroup {
	uint64_t lo, bytes;
};

struct lf__mparams {
	size_t nnodes;
	struct lf__pnode *node;
	uint8_t *blob;
	uint64_t bytes;
	unsigned kernels; /* bit (1 << LF__MK_*) per kernel used */
	int ngroups;	  /* 1 when bytes > 0 and it fits params_room */
	struct lf__pgroup *group;
};

/*
 * lf__mparams_build() - plan every conv/matmul node with the load-time
 * shapes @shape, pack its weights, bias, weight zero points and
 * multipliers into one blob.
 * Return: LF_OK and *out (free with lf__mparams_free()); else the status,
 * also in @dg with its message (the node whose tiles failed to plan;
 * LF_ERR_NO_MEMORY).
 */
lf_status lf__mparams_build(const struct lf__graph *g,
			    const struct lf__gshape *shape,
			    const struct lf__mdevcaps *caps,
			    struct lf__mparams *out, struct lf__diag *dg);
void lf__mparams_free(struct lf__mparams *p);

/*
 * lf__mplan_part() - descriptor @d of a device segment as lane @lane of
 * @k CUs takes it when the segment runs split across them at batch 1
 * (issue 12; hls/lf_desc.h "Part of a layer"): output rows while each
 * lane gets at least 4 of them (each lane reads about a k-th of the
 * input), output channel blocks for a smaller image whose blocks divide
 * evenly (each lane loads a k-th of the weights: ResNet's 7x7 layer4),
 * the blocks as evenly as they go when there are fewer rows than lanes
 * (the global average, the classifier); a layer with fewer rows and
 * blocks than lanes runs whole on lane 0 (an empty range on the others).
 * On ResNet-18 at batch 1 (the aws-f1 build) rows everywhere gave 3.60 ms,
 * blocks wherever they divide 3.43, this 3.38. Writes y_rows / y_blks only.
 * Returns 0, leaving @d as it was, when @d cannot be split: not blocked, a
 * matmul, or more than one image.
 */
int lf__mplan_part(lf_desc *d, unsigned lane, unsigned k);

struct lf__mlaunch {
	int kernel;	  /* LF__MK_* */
	uint32_t desc0;	  /* first descriptor in the plan's list */
	uint32_t ndesc;	  /* descriptors */
	int first, count; /* nodes: seg->nodes[first .. first+count) */
};

struct lf__mseg {
	int host_assisted;
	int nnodes;
	int *nodes; /* graph node indices, in order */
	int nlaunch;
	struct lf__mlaunch *launch;
	int launch0; /* plan-wide index of launch[0] */
	unsigned kernels;
	int pgroup; /* the weights group its launches read, -1: none */
	/* values (roots) moved in / out, and the arena blocks holding them */
	int nup, ndown;
	int *up, *down;
	uint64_t up_off, up_bytes, down_off, down_bytes;
	/* where up[k] / down[k] are in the arena while this segment runs: a
	 * value that crosses segment borders has a place per segment (the
	 * arena reuses its bytes in between), so it has no plan-wide
	 * dev_off */
	uint64_t *up_at, *down_at;
	/* blocked: the segment's conv / pooling / add descriptors are
	 * LF_DF_BLK and the values they read and write are in the blocked
	 * layout (lf__mplan.blk); up[k] is converted NCHW -> blocked on
	 * upload when up_blk[k] (pad lanes up_pad[k], its zero point), and
	 * a blocked down value back to NCHW on download */
	int blk;
	uint8_t *up_blk, *up_pad;
	/* up[k] folded for the stem conv that is its only reader in the
	 * segment (plan/blk.h) when up_fold[k], with that conv's geometry */
	uint8_t *up_fold;
	struct lf__blk_fold *fold;
	/* host-assisted: the tiling plan, its layer, its arena block */
	struct lf__plan hplan;
	struct lf__layer hL;
	uint64_t hbase;
};

/* One step of a run: a device segment or a CPU node. */
struct lf__mstep {
	int seg;  /* segment index, or -1 */
	int node; /* the CPU node when seg < 0 */
};

struct lf__mnode {
	int seg;    /* its device segment, or -1 (CPU) */
	int folded; /* a stem conv run folded (plan/blk.h) */
	/* a QLinearConcat placed: its inputs' producers write them into
	 * their places in its output, it has no descriptor (mplan_concat.c) */
	int placed;
	/* a QLinearAdd fused into the store of the conv making one of its
	 * inputs, or a MaxPool into the store of the conv making its input:
	 * that conv writes its output, it has no descriptor (mplan_fuse.c) */
	int fused;
	char why[64]; /* CPU: why not on the device */
	uint64_t macs;
};

struct lf__mplan {
	uint64_t id; /* unique per model, set by its owner */
	size_t ninputs;
	struct lf__gshape *in; /* the input shapes it was made for */
	struct lf__gshape *shape;
	int *root;	     /* per value: the value whose storage it uses */
	uint64_t *host_off;  /* per root; UINT64_MAX: none on the host */
	uint64_t host_bytes; /* host buffer of one run */
	/* per root that lives inside one segment only (UINT64_MAX: none, or
	 * it crosses a segment border: see lf__mseg.up_at / down_at) */
	uint64_t *dev_off;
	uint64_t arena_bytes;
	int nsegs, nsteps;
	struct lf__mseg *seg;
	struct lf__mstep *step;
	int nlaunch; /* launches of all segments */
	uint32_t ndesc;
	lf_desc *desc;	/* every launch's, in order, statuses pending */
	int *desc_node; /* the graph node of each descriptor */
	struct lf__mnode *node;
	uint64_t params_bytes;
	/* per root: written by an LF_DF_BLK descriptor, so blocked in the
	 * arena of the segment that produces it */
	uint8_t *blk;
	int nblk;  /* blocked segments */
	int nfold; /* stem convs folded */
	/* per root: the root it is placed in (a placed QLinearConcat's
	 * input inside the concat's output, mplan_concat.c), -1: none; and
	 * the offset of its first image there. Its images are the
	 * container's stride apart (lf__mplan_cat_cbt). */
	int *cat;
	uint64_t *cat_off;
	int ncat;   /* QLinearConcat nodes placed */
	int nfused; /* QLinearAdd and MaxPool nodes fused into their convs */
};

/*
 * lf__mplan_build() - plan @g for inputs of shapes @in.
 * Return: LF_OK and *out (free with lf__mplan_free()); else the status,
 * also in @dg (not NULL) with its message: LF_ERR_SHAPE (the shapes do
 * not fit the model: the message names the node); LF_ERR_UNSUPPORTED;
 * LF_ERR_NO_MEMORY; LF_ERR_INTERNAL (the plan would let two live values
 * share memory: a planner bug, named segment).
 */
lf_status lf__mplan_build(const struct lf__graph *g,
			  const struct lf__mparams *params,
			  const struct lf__mdevcaps *caps,
			  const struct lf__gshape *in, struct lf__mplan **out,
			  struct lf__diag *dg);
void lf__mplan_free(struct lf__mplan *p);

/*
 * lf__mseg_pack_up() - segment @s's inputs from the host buffers @ptr (by
 * root) into its upload block in @arena: copied, or converted to the
 * blocked layout where the segment reads them blocked.
 * lf__mseg_unpack_down() - its outputs from @arena back into @ptr, NCHW.
 * Not for host-assisted segments.
 */
void lf__mseg_pack_up(const struct lf__mplan *p, const struct lf__mseg *s,
		      void *const *ptr, uint8_t *arena);
void lf__mseg_unpack_down(const struct lf__mplan *p, const struct lf__mseg *s,
			  const uint8_t *arena, void *const *ptr);

#endif /* LF_PLAN_MODEL_PLAN_H */
