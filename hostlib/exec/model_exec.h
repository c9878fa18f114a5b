/*
 * model_exec.h - running a planned model's device segments through
 * driver/driver.h (hostlib/plan/model_plan.h says what to run).
 *
 * Per model: the params blob is uploaded once, at open, into every bank
 * a params port of a used kernel's CU reaches, so every CU can run the
 * model. A blob larger than such a bank comes in weights groups
 * (lf__pgroup, made by the planner): one copy of each, in the bank with
 * the most room left, and a segment runs on a CU whose params port reads
 * its group; a group no bank takes fails the open (LF_ERR_NO_DEVICE_MEMORY
 * naming the sizes). Per run slot (one run at a time each; slots are how
 * concurrent lf_model_run() calls stay apart): an activation arena in each act
 * bank the slot's CUs reach, and a descriptor buffer in each of their desc
 * banks, both kept across runs; the descriptors are uploaded when the
 * slot first runs a plan, so a steady-state run moves only activations
 * and reads back the descriptors' status words.
 *
 * CUs: slot i runs a single-kernel segment on CU i mod (that kernel's CU
 * count); a segment mixing kernels on the (i mod n)-th pair of conv and
 * matmul CUs that share an act bank. Consecutive slots therefore use
 * every CU. With weights groups, the next CU (pair) from there that
 * reads the segment's group.
 */
#ifndef LF_EXEC_MODEL_EXEC_H
#define LF_EXEC_MODEL_EXEC_H

#include "hostlib/exec/exec.h"
#include "hostlib/plan/model_plan.h"

struct lf__mdev;

/*
 * The device's cycle model of a segment run (for profiles; devices with
 * one, lf__run_model): the caller's arrays of plan->ndesc entries, by the
 * plan's descriptor index. desc_mhz[i] is 0 when descriptor i was not
 * counted (no model, or its launch did not report every descriptor),
 * else its kernel's clock. loops sums the launches' loops by label; the
 * caller zeroes nloops before a run (it accumulates).
 */
#define LF__MLOOPS 64
struct lf__mmodel {
	uint64_t *desc_cycles;
	uint32_t *desc_mhz;
	struct lf_loop_profile loops[LF__MLOOPS];
	uint32_t nloops;
};

/*
 * Tensors bound to values of a run (IO binding, hostlib/model/run.c), by
 * root value: in[r] is a model input whose device copy (its dbuf, valid)
 * a segment copies into its arena on the card instead of uploading r from
 * the host; out[r] a model output the segment producing it copies into
 * the tensor's device buffer instead of downloading it, setting done[r].
 * Only NCHW values a segment moves whole (not blocked, folded or
 * host-assisted: the caller checked). NULL arrays or entries: unbound.
 */
struct lf__mbind {
	lf_tensor **in, **out;
	unsigned char *done;
};

/* What a segment run did (for profiles). */
struct lf__mseg_stats {
	unsigned long long h2d_bytes, d2h_bytes, d2d_bytes;
	unsigned h2d_transfers, d2h_transfers, d2d_transfers, launches;
	uint32_t cu[8]; /* CU of the first launches */
	/* Set by the caller, kept by lf__mdev_run_segment: NULL, or where
	 * the launches' cycle model goes. */
	struct lf__mmodel *model;
	/* Set by the caller, kept: 1 keeps the segment on its lane's CUs
	 * (a slice of a batch split across CUs already). */
	int no_split;
	/* The engine CUs that ran it together, each a part of every layer
	 * (cu[0 .. split - 1], lane 0 first), or 0. */
	unsigned split;
	/* LF__MCSUM_* bits: the transfers of the run the kernel's checksum
	 * (LF_KOP_CSUM) checked, not a read-back. */
	unsigned csum;
};
#define LF__MCSUM_UP   1u /* the upload */
#define LF__MCSUM_DOWN 2u /* the download */

/* A modeled device event (driver timeline, without driver types). */
enum { LF__MTL_H2D = 1, LF__MTL_D2H = 2, LF__MTL_RUN = 3 };
struct lf__mtl_event {
	uint64_t seq;
	int kind;    /* LF__MTL_* */
	uint32_t cu; /* RUN: the CU */
	uint64_t bytes;
	uint64_t start_ns, end_ns; /* modeled device clock */
};

/* The planner's view of device @d (NULL: the CPU). */
void lf__mdev_caps(const struct lf__exec *d, struct lf__mdevcaps *caps);

/* Was device @d lost (0 for NULL, the cpu device)? */
int lf__mdev_dev_lost(const struct lf__exec *d);

/*
 * lf__mdev_open() - upload @params to the device for @nslots run slots.
 * Return: LF_OK; driver errors (message for context @ctx_id).
 */
lf_status lf__mdev_open(struct lf__exec *d, uint64_t ctx_id,
			const struct lf__mparams *params, unsigned nslots,
			struct lf__mdev **out);
/* The same, messages starting with @who (kept by pointer) instead of
 * "model load": a single op's plan (hostlib/exec/op_exec.c). */
lf_status lf__mdev_open_as(struct lf__exec *d, uint64_t ctx_id,
			   const struct lf__mparams *params, unsigned nslots,
			   const char *who, struct lf__mdev **out);
/* Free everything (no run may be in progress). */
void lf__mdev_close(struct lf__mdev *md);

/*
 * lf__mdev_params_update() - upload @params (as many bytes as at open)
 * again into every copy, each read back (lf__mdev_params_uploaded()
 * counts the bytes): a single op's new weights (hostlib/exec/op_exec.c).
 * No run may be in progress. Return: LF_OK; driver errors, LF_ERR_DMA.
 */
lf_status lf__mdev_params_update(struct lf__mdev *md,
				 const struct lf__mparams *params);

/* Bytes uploaded by lf__mdev_open (all params copies). */
unsigned long long lf__mdev_params_uploaded(const struct lf__mdev *md);

/*
 * lf__mdev_run_segment() - run segment @seg of @plan in slot @slot, on the
 * CUs of lane @lane (of each kernel, CU lane % its CUs; a caller that does
 * not split a batch across CUs passes the slot).
 * @ptr: host data of every value (plan roots with host storage, inputs,
 *       constants); the segment's inputs are read from it and its
 *       outputs written to it.

 * Return: LF_OK; LF_ERR_KERNEL (a descriptor failed), device errors
 * (LF_ERR_TIMEOUT, LF_ERR_DMA, LF_ERR_DEVICE, LF_ERR_DEVICE_LOST),
 * LF_ERR_NO_DEVICE_MEMORY; the message (in @err) names the node. After an
 * error the slot's descriptors are uploaded again on its next run.
 */
lf_status lf__mdev_run_segment(struct lf__mdev *md, unsigned slot,
			       unsigned lane, const struct lf__graph *g,
			       const struct lf__mplan *plan, int seg,
			       void *const *ptr, struct lf__mseg_stats *stats,
			       char *err, size_t errlen);
/*
 * lf__mdev_run_segment_bound() - the same with @bind: NULL, or tensors
 * bound to the segment's inputs / outputs on the card (a bound input is
 * copied on the card, and the upload skipped when all of the segment's
 * inputs are bound; a bound output is copied on the card, and the
 * download skipped when all of its outputs are).
 */
lf_status lf__mdev_run_segment_bound(struct lf__mdev *md, unsigned slot,
				     unsigned lane, const struct lf__graph *g,
				     const struct lf__mplan *plan, int seg,
				     void *const *ptr,
				     const struct lf__mbind *bind,
				     struct lf__mseg_stats *stats, char *err,
				     size_t errlen);

/*
 * lf__mdev_timeline() - the device timeline's events from *cursor on (at
 * most @max into @out, *n written), advancing *cursor; with @lane >= 0
 * only that lane's (lf__mdev_lanes(): runs on its lfk_engine CU,
 * transfers in the banks of that CU's desc and act ports), else all.
 * With *cursor == UINT64_MAX, only moves *cursor to the end of the
 * history. Return: the events read before the lane's were picked (more
 * may follow while that is min(@max, 64)).
 */
uint32_t lf__mdev_timeline(struct lf__mdev *md, int lane, uint64_t *cursor,
			   struct lf__mtl_event *out, uint32_t max,
			   uint32_t *n);

/*
 * lf__mdev_lanes() - how many CUs a batch of @md's model may be split
 * across, rows to each at once (hostlib/model/run.c): its lfk_engine CUs
 * when the model runs on the engine and no two of them share a bank for
 * their desc or act ports (so each lane's runs and transfers are told
 * apart on the timeline, and its arena is its own) and its weights are
 * one group (copied to every params bank), else 1.
 */
unsigned lf__mdev_lanes(const struct lf__mdev *md);

/* CUs of the kernel with the most CUs on @d (0 for NULL). */
unsigned lf__mdev_max_cus(const struct lf__exec *d);

/* Name of CU @cu ("kernel:instance"), or "". */
const char *lf__mdev_cu_name(const struct lf__mdev *md, uint32_t cu);

/* Is the device lost? */
int lf__mdev_lost(const struct lf__mdev *md);

/*
 * lf__mdev_arena_room() - the largest arena (lf__mplan.arena_bytes) one
 * run slot of @md can expect to get in every bank its CUs' act ports use:
 * the bank's size less this model's weights there and LF__ARENA_SLACK
 * (descriptor lists, alignment). Other allocations in the bank (other
 * models, other slots) are not known here, so an arena within it may
 * still not fit.
 */
#define LF__ARENA_SLACK (16ull << 10)
uint64_t lf__mdev_arena_room(const struct lf__mdev *md);

#endif /* LF_EXEC_MODEL_EXEC_H */
