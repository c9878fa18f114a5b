/*
 * model_plan_impl.h - the stages of lf__mplan_build() (model_plan.h), one
 * file each, and the scratch they share. In the order build() runs them:
 *
 *   mplan_node.c     which node runs on the device and how (eligibility:
 *                    a conv/matmul's tile plan, a pooling/add node's one
 *                    descriptor), and whether it chains in the arena
 *   mplan_segment.c  device segments, the order of steps, and the values
 *                    each segment uploads and downloads
 *   mplan_blk.c      which segments run in the blocked layout (and the
 *                    stem convs folded), and the border conversion
 *   mplan_concat.c   QLinearConcat nodes placed: which stay so once the
 *                    segments are known (else partition again), and
 *                    where each input lies in the concat's output
 *   mplan_fuse.c     QLinearAdd nodes fused into the store of the conv
 *                    making one of their inputs
 *   mplan_memory.c   arena and host offsets by lifetime, and the check
 *                    of the finished plan
 *   mplan_desc.c     every launch's descriptors, relocated
 *
 * mparams.c packs the params blob once per model (lf__mparams_build()).
 * Nothing here is for callers outside hostlib/plan/model_plan*.c,
 * mplan_*.c and mparams.c.
 */
#ifndef LF_PLAN_MODEL_PLAN_IMPL_H
#define LF_PLAN_MODEL_PLAN_IMPL_H

#include <stdint.h>
#include <string.h>

#include "hostlib/plan/model_plan.h"

/* Arena and host offsets are 64-byte aligned. */
#define LF__MPLAN_ALIGN 64

static inline uint64_t align64(uint64_t v)
{
	return (v + LF__MPLAN_ALIGN - 1) & ~(uint64_t)(LF__MPLAN_ALIGN - 1);
}

/* Copy a reason into a short field, cut if it must be. */
static inline void set_why(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The kernel whose limits plan a conv/matmul node. */
static inline int kernel_of(const struct lf__gnode *n)
{
	return n->op == LF__GOP_CONV ? LF__MK_CONV : LF__MK_MM;
}

/* The kernel a device node is launched on. */
static inline int launch_kernel(const struct lf__mdevcaps *caps,
				const struct lf__gnode *n)
{
	return caps->engine ? LF__MK_ENG : kernel_of(n);
}

static inline int contains(const int *a, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

/*
 * The blocked layout: a node in a device segment is BK_BLK when the
 * engine runs it with LF_DF_BLK (every value it reads and writes
 * blocked), BK_MM for a matmul (no blocked form; it may read a blocked
 * value whose bytes are row-major already, h == w == 1 and c % 64 == 0),
 * BK_NONE otherwise. A segment is blocked when all its nodes are BK_BLK
 * or BK_MM and no node reads a value in the other layout than it needs.
 */
enum { BK_NONE = 0, BK_BLK = 1, BK_MM = 2 };

/* Scratch of one build. */
struct bld {
	const struct lf__graph *g;
	const struct lf__mparams *params;
	const struct lf__mdevcaps *caps;
	struct lf__mplan *p;
	struct lf__plan *lp; /* per node: its tiles (device nodes) */
	int *chain;	     /* per node: 1 chainable, 2 host-assisted */
	lf_desc *pd;	     /* per node: pooling/add descriptor */
	int *ax, *ax2;	     /* per node: values read at x_off, x2_off */
	int *seg_of;	     /* per node */
	int *out_use;	     /* per root: graph output */
	int *bk;	     /* per node: BK_* (blocked layout) */
	char *fold;	     /* per node: a folded stem conv */
	/* per node: a fused conv's add, a fused add's conv; -1: none
	 * (mplan_fuse.c) */
	int *fuse;
	struct lf__diag *dg; /* the caller's: what failed */
};

static inline lf_status nomem(struct bld *b)
{
	return lf__diag_fail(b->dg, LF_ERR_NO_MEMORY, "out of memory");
}

/* ---- the stages, in build() order ---- */

/* mplan_node.c: per node, device or CPU (p->node[].why), its tile plan
 * or pooling/add descriptor, chain kind and BK_* kind. */
lf_status lf__mplan_classify(struct bld *b);

/* mplan_segment.c: device segments and steps; then each segment's up
 * and down values. */
lf_status lf__mplan_partition(struct bld *b);
lf_status lf__mplan_residency(struct bld *b);

/* mplan_blk.c: which segments run blocked (lf__mseg.blk); matmuls with
 * an output table whose segment did not end up blocked go back to the
 * CPU (Return: how many; build() then partitions again). */
lf_status lf__mplan_blk_segments(struct bld *b);
int lf__mplan_lut_settle(struct bld *b);

/* mplan_concat.c: concats whose inputs' convs did not end up blocked in
 * their segment go back to the CPU (Return: how many; build() then
 * partitions again); the placement of the inputs of those that stay
 * (lf__mplan.cat, cat_off, lf__mnode.placed). */
int lf__mplan_concat_settle(struct bld *b);
void lf__mplan_concat_place(struct bld *b);

/* mplan_fuse.c: residual adds fused into their convs (lf__mnode.fused,
 * bld.fuse), once the segments and placed concats are settled. */
void lf__mplan_fuse_adds(struct bld *b);

/* mplan_memory.c: arena offsets; host offsets; the finished plan's
 * check (LF_ERR_INTERNAL on a clash). */
lf_status lf__mplan_device_memory(struct bld *b);
lf_status lf__mplan_host_memory(struct bld *b);
lf_status lf__mplan_check(struct bld *b);

/* mplan_desc.c: every launch's descriptors. */
lf_status lf__mplan_descriptors(struct bld *b);

/* ---- shared between stages ---- */

/* mparams.c: the two plans lay params out the same (slices, offsets). */
int lf__mparams_same_layout(const struct lf__plan *a, const struct lf__plan *b);

/* mplan_blk.c: conv layer @L's weight beats fit lfk_conv2d.blk_wbeats;
 * the BK_* kind of device node @i (after classify); must node @i start a
 * new segment rather than join segment @si (partition); the bytes of
 * root @r in segment @s's arena, as that segment stores it. */
int lf__mplan_blk_wbeats_fit(const struct lf__layer *L,
			     const struct lf__blimits *bl);
int lf__mplan_blk_kind(const struct bld *b, size_t i);
int lf__mplan_blk_split(const struct bld *b, int si, size_t i);
uint64_t lf__mplan_seg_bytes(const struct lf__mplan *p,
			     const struct lf__mseg *s, int r);

/* mplan_concat.c: can QLinearConcat node @i be placed, as far as the
 * node, its inputs and the shapes say (classify); 0 with the reason in
 * *why. The first node writing root @r's bytes (its producer, or for a
 * placed concat's output the first of its inputs' producers). The
 * channel blocks per image of the root placed root @r is in (0: none). */
int lf__mplan_concat_ok(const struct bld *b, size_t i, const char **why);
/* mplan_concat.c: the nodes (not views) reading root @r, each input slot
 * counted (a placed concat's or a fused add's operand must have one). */
int lf__mplan_readers(const struct bld *b, int r);
int lf__mplan_first_write(const struct bld *b, int r);
uint64_t lf__mplan_cat_cbt(const struct lf__mplan *p, int r);

/* mplan_fuse.c: node @i is a conv whose store runs a fused add (its own
 * output is never stored); its descriptor @d given the add (LF_DF_ADD:
 * the skip at x2_off, the add's output at y_off, its quantization), in
 * segment @s. */
int lf__mplan_fused_conv(const struct bld *b, int i);
void lf__mplan_fuse_desc(const struct bld *b, const struct lf__mseg *s, int c,
			 lf_desc *d);

/* mplan_memory.c: where root @r is in the arena while segment @s runs. */
uint64_t lf__mplan_arena_at(const struct lf__mplan *p, const struct lf__mseg *s,
			    int r);

#endif /* LF_PLAN_MODEL_PLAN_IMPL_H */
