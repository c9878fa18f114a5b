/*
 * tile.h - splitting a layer into descriptors the loaded kernels accept,
 * and laying them out in device memory: one launch per layer.
 *
 * The planner reads the kernel limits the xclbin records (hls/lf_config.h
 * names them; the host never uses that header's values) and splits only
 * what breaks a limit:
 *   - batch (conv n, matmul batch) and rows (matmul m) beyond dim_max;
 *   - output channels (conv oc, per group) and matmul columns beyond
 *     dim_max;
 *   - conv output rows, when ih/oh exceed dim_max: each row tile reads a
 *     slab of input rows (with its halo) that the host gathers into a
 *     dense block, and writes a slab the host scatters back;
 *   - the reduction (conv kh*kw*ic/groups beyond kmax or the input-tile
 *     buffer, matmul k beyond kmax): split into chunks whose descriptors
 *     write raw int32 partial sums, which the host adds (int32, wrapping,
 *     exactly as the kernel accumulates) and requantizes with the same
 *     formula (plan/quant.h). This keeps such layers on the device: their
 *     MACs dominate, and the host's share is O(outputs * chunks).
 * What no split can fix (kernel window beyond kdim_max, stride or dilation
 * beyond step_max, a width beyond dim_max, a window that does not fit the
 * input buffer even for one channel vector) is reported as unsupported,
 * and the op runs on the CPU.
 *
 * Tiles are exact: every output element is computed by exactly one
 * descriptor (or one chunk per descriptor for a split reduction) from the
 * same inputs the unsplit layer would use.
 */
#ifndef LF_PLAN_TILE_H
#define LF_PLAN_TILE_H

#include <stddef.h>
#include <stdint.h>

#include "hostlib/base/error.h"
#include "hostlib/ir/layer.h"
#include "lf_desc.h"

/* Limits of one kernel, from the xclbin ("lfk_conv2d.kmax", ...). */
struct lf__klimits {
	int present;  /* the xclbin has this kernel and its limits */
	int64_t pe_k; /* reduction lanes: ic (conv) / k (matmul) rounding */
	int64_t kmax;
	int64_t xvec;	  /* conv: input buffer, in PE_K vectors */
	int64_t dim_max;  /* extents */
	int64_t kdim_max; /* conv: kh, kw */
	int64_t step_max; /* conv: strides, dilations */
};

/* A block copy: count blocks of @block bytes, each at a stride. */
struct lf__copy {
	uint64_t dst, src; /* byte offsets (area-relative or host) */
	uint64_t count, block, dst_stride, src_stride;
};

/* One descriptor and the host copies around it. */
struct lf__tile {
	lf_desc d;  /* complete but for status */
	int gather; /* xin: host x -> act slab */
	struct lf__copy xin;
	int scatter; /* yout: act slab -> host y (8-bit/int32) */
	struct lf__copy yout;
	int chunk; /* reduction chunk (0 when not split) */
	int out;   /* output block index (reductions group by it) */
	/* Channel of element e of the tile's output block (for requantizing
	 * partial sums): ch0 + (e / ch_div) % ch_mod; nelem elements. */
	uint32_t ch0, ch_div, ch_mod;
	uint64_t nelem;
};

/* Where each weight slice goes in the params area. */
struct lf__wslice {
	struct lf__copy copy; /* host w -> params */
};

/*
 * struct lf__plan - a whole layer as one launch.
 * The params area holds the weight slices, then bias, w_zp and mult
 * (full per-channel arrays; tiles point into them). The act area holds, in
 * order: x (in the tensor's own layout, when some tile reads it in place),
 * gathered x slabs, y (in place), then y slabs / int32 partial slabs.
 */
struct lf__plan {
	enum lf_kop op;
	int ntiles;
	struct lf__tile *tiles;
	int nslices;
	struct lf__wslice *slices;
	int nchunks; /* reduction chunks (1: no split) */
	int nout;    /* output blocks */
	uint64_t params_bytes;
	uint64_t bias_off, w_zp_off, mult_off; /* in params */
	uint64_t lut_off; /* the output table (L->lut), 256 bytes; else 0 */
	uint64_t act_bytes;
	uint64_t x_off, x_bytes;   /* x in place: 0 bytes if none */
	uint64_t xs_off, xs_bytes; /* gathered slabs */
	uint64_t y_off, y_bytes;   /* y in place: 0 bytes if none */
	uint64_t ys_off, ys_bytes; /* y slabs and partials */
};

/*
 * lf__plan_layer() - plan @L for a kernel with limits @lim.
 * Return: LF_OK and *plan (release with lf__plan_free()); else the
 * status, also in @dg with its message: LF_ERR_UNSUPPORTED (the reason
 * no split makes it fit, or an area passes 4 GiB: descriptor offsets are
 * 32-bit), LF_ERR_NO_MEMORY.
 */
lf_status lf__plan_layer(const struct lf__layer *L,
			 const struct lf__klimits *lim, struct lf__plan *plan,
			 struct lf__diag *dg);
void lf__plan_free(struct lf__plan *plan);

/* A descriptor's fields taken from the layer as they are: magic, op,
 * types, zero points, scales, clamp (lf__desc_common(), zeroing the rest
 * first), and the window: n, ih, iw, oh, ow, kh, kw, strides, pads,
 * dilations (lf__desc_window()). */
void lf__desc_common(const struct lf__layer *L, lf_desc *d);
void lf__desc_window(const struct lf__layer *L, lf_desc *d);

/* Bytes per element of a y type (4 for int32, else 1). */
static inline uint64_t lf__ysize(lf_dtype t)
{
	return t == LF_DTYPE_INT32 ? 4 : 1;
}

/* Run a block copy between two byte arrays. */
void lf__copy_run(const struct lf__copy *c, void *dst, const void *src);

#endif /* LF_PLAN_TILE_H */
