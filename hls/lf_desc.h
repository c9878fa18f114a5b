/*
 * lf_desc.h - the layer descriptor: how the host tells a kernel what to run.
 *
 * Shared, unchanged, by the kernels (HLS C, host C, OpenCL C), the emulator
 * and the host library. A launch passes a list of descriptors in device
 * memory; the kernel runs them in order and writes each one's status back.
 * One launch can therefore run a whole layer, every tile of it, or a chain
 * of layers whose activations never leave device memory.
 *
 * Kernel ABI (every kernel in hls/ has exactly these arguments, in order):
 *
 *   void lfk_<name>(LF_GLOBAL lf_u32 *desc,       m_axi bundle gmem0
 *                   lf_u32 ndesc,                 s_axilite
 *                   LF_GLOBAL const lf_beat *params, m_axi gmem1
 *                   lf_u32 params_bytes,          s_axilite
 *                   LF_GLOBAL lf_beat *act,       m_axi bundle gmem2
 *                   lf_u32 act_bytes);            s_axilite
 *
 *   desc    ndesc descriptors, LF_DESC_BYTES each: ndesc * LF_DESC_WORDS
 *           32-bit words (struct lf_desc below), read as words and written
 *           back as the one status word (hls/lf_kdesc.h), never as a struct
 *           over the port.
 *   params  read-only constants: weights, bias, weight zero points, output
 *           multipliers. Uploaded once per model.
 *   act     activations: inputs and outputs of every layer in the list, at
 *           byte offsets; a layer's output can be the next layer's input.
 *   params and act are beat-typed (lf_beat, 64 bytes: lf_kernel.h); every
 *           offset and size in a descriptor is still in bytes.
 *   *_bytes the size of the buffer behind params / act. Every access a
 *           descriptor implies is checked against it before anything is
 *           read or written (LF_KST_BOUNDS), so a bad descriptor cannot
 *           scribble over device memory.
 *
 * Layout: all fields are 32 bits, little-endian, no padding: the struct is
 * identical in C, HLS and OpenCL C. Tensors are NCHW (conv, pooling) and
 * row-major (matmul), the ONNX layout, so the host never transposes.
 *
 * Status protocol: the host writes status = LF_KST_PENDING (0). The kernel
 * writes LF_KST_OK or a negative LF_KST_* code and stops at the first error;
 * later descriptors stay LF_KST_PENDING. The word the kernel writes echoes
 * the descriptor's nonce (lf_kst_word() below): with nonce 0 it is the
 * code itself; the host puts a fresh nonzero nonce into each run's last
 * descriptor and accepts only lf_kst_word(LF_KST_OK, nonce) there, so a
 * status left from an earlier run, a pending word whose bits flipped, or
 * a kernel that never ran cannot read as this run's OK. A descriptor is checked completely,
 * in this order, before any of its output is written: magic, op and flags,
 * dtypes, shape, scalar quantization fields, compile-time limits, byte
 * ranges, then the w_zp entries in params. A rejected descriptor leaves act
 * untouched.
 */
#ifndef LF_DESC_H
#define LF_DESC_H

#include "lf_kernel.h"

#define LF_DESC_MAGIC 0x3144464cu /* "LFD1" little-endian */
#define LF_DESC_WORDS 64
#define LF_DESC_BYTES (LF_DESC_WORDS * 4)

/* Operations. A kernel runs the ops it implements and rejects the others. */
enum lf_kop {
	LF_KOP_CONV2D = 1,  /* lfk_conv2d, lfk_engine */
	LF_KOP_MATMUL = 2,  /* lfk_matmul, lfk_engine */
	LF_KOP_MAXPOOL = 3, /* lfk_pool, lfk_engine: MaxPool on uint8/int8 */
	LF_KOP_AVGPOOL = 4, /* lfk_pool, lfk_engine: QLinear[Global]AvgPool */
	LF_KOP_ADD = 5,	    /* lfk_add, lfk_engine: QLinearAdd */
	LF_KOP_MUL = 6,	    /* lfk_add, lfk_engine: QLinearMul */
	LF_KOP_CSUM = 7	    /* lfk_engine: a checksum of act bytes (below) */
};

/* Kernel arguments by index, the same for every kernel top (lfk_conv2d,
 * lfk_matmul, lfk_pool, lfk_add, lfk_engine): the descriptor list and its
 * count, the params buffer and its size, the act buffer and its size. */
enum lf_karg {
	LF_KARG_DESC = 0,
	LF_KARG_NDESC = 1,
	LF_KARG_PARAMS = 2,
	LF_KARG_PARAMS_BYTES = 3,
	LF_KARG_ACT = 4,
	LF_KARG_ACT_BYTES = 5,
	LF_KARG_COUNT = 6
};

/* The kernel tops, as X(id, name), each taking the arguments of enum
 * lf_karg: the one list of the names the host looks up in an xclbin. */
#define LF_KERNELS(X)                                                          \
	X(LF_KERNEL_CONV2D, "lfk_conv2d")                                      \
	X(LF_KERNEL_MATMUL, "lfk_matmul")                                      \
	X(LF_KERNEL_POOL, "lfk_pool")                                          \
	X(LF_KERNEL_ADD, "lfk_add")                                            \
	X(LF_KERNEL_ENGINE, "lfk_engine")

enum lf_kernel {
#define LF__KERNEL_ID(id, name) id,
	LF_KERNELS(LF__KERNEL_ID)
#undef LF__KERNEL_ID
	    LF_KERNEL_COUNT
};

#if !defined(LF_OPENCL) && !defined(LF_HLS)
/* The name of kernel @k ("" out of range); host code only. */
static inline const char *lf_kernel_name(enum lf_kernel k)
{
#define LF__KERNEL_NAME(id, name) name,
	static const char *const names[] = {LF_KERNELS(LF__KERNEL_NAME)};
#undef LF__KERNEL_NAME
	return (unsigned)k < LF_KERNEL_COUNT ? names[k] : "";
}
#endif

/* Element types of x, w, y. */
enum lf_kdtype {
	LF_KDT_U8 = 0,
	LF_KDT_I8 = 1,
	LF_KDT_I32 =
	    2 /* y only: raw accumulators (ConvInteger/MatMulInteger) */
};

/* Descriptor flags. */
#define LF_DF_BIAS 0x1u /* int32 bias[oc] at bias_off */
#define LF_DF_W_PER_CH                                                         \
	0x2u /* w_zp[] and mult[] have one entry per output                    \
	      * channel (conv) / column (matmul), else one */
#define LF_DF_B_ACT                                                            \
	0x4u		     /* matmul: B is an activation at x2_off in act    \
			      * (zero point x2_zp), not a constant in params */
#define LF_DF_COUNT_PAD 0x8u /* avgpool: padding counts in the divisor */
#define LF_DF_X2_SCALAR 0x10u /* add: x2 is one element, used for all */
#define LF_DF_X2_PER_CH 0x20u /* add: x2 has ic elements, x2[c] for channel c */
#define LF_DF_SWAP	0x40u /* add: x2 is the outer operand (ORT swapped) */
#define LF_DF_BLK                                                              \
	0x80u /* conv, maxpool, avgpool, add, mul: blocked channels-last      \
	       * activations and packed conv parameters (below) */
#define LF_DF_LUT                                                              \
	0x100u /* conv with an 8-bit y: each output byte through a         \
		* 256-entry table at lut_off in params (below) */
#define LF_DF_YCB                                                              \
	0x200u /* blocked conv: y is placed in a tensor of y_cb channel     \
		* blocks per image (below) */
#define LF_DF_X2_PER_NC                                                        \
	0x400u /* add, mul: x2 has n * ic elements, x2[i][c] for image i,    \
		* channel c (a [N, C, 1, 1] operand) */
#define LF_DF_ADD                                                              \
	0x800u /* blocked conv: y = QLinearAdd of its output and x2 at      \
		* x2_off (fused add, below; LF_DF_SWAP as for add) */
#define LF_DF_XFOLD                                                            \
	0x1000u /* blocked conv: x is compact pixel-major rows, folded into \
		* kw * ic lanes by the load (below) */
#define LF_DF_POOL                                                             \
	0x10000u /* blocked conv: y is the max pool of its output (fused    \
		  * pool, below; pool_k, pool_clamp) */
#define LF_DF_WPRE                                                             \
	0x20000u /* blocked conv: the next descriptor's first output block  \
		  * may load during this one (below); a hint, same bytes */
/*
 * A flag the op does not use (e.g. LF_DF_B_ACT on a conv) is rejected with
 * LF_KST_BAD_OP: the kernel does not implement that variant. With
 * LF_DF_B_ACT, B's zero point is x2_zp (per tensor, in w_type's range) and
 * w_zp_off is not read; LF_DF_W_PER_CH then applies to mult[] only.
 */

/* Status written back by the kernel. */
#define LF_KST_PENDING	 0
#define LF_KST_OK	 1
#define LF_KST_BAD_MAGIC (-1) /* magic field wrong: not a descriptor */
#define LF_KST_BAD_OP	 (-2) /* op not implemented by this kernel */
#define LF_KST_BAD_TYPE	 (-3) /* dtype combination not supported */
#define LF_KST_BAD_SHAPE (-4) /* inconsistent shape fields */
#define LF_KST_LIMIT	 (-5) /* exceeds a compile-time limit (lf_limits) */
#define LF_KST_BOUNDS                                                          \
	(-6)		      /* an access falls outside params or act,        \
			       * or y overlaps an input in act */
#define LF_KST_BAD_QUANT (-7) /* quantization fields out of range */

/*
 * The status word a kernel writes for code @st (LF_KST_*) of a descriptor
 * whose nonce is @nonce: st + (nonce mod 2^24) * 256, modulo 2^32. Its low
 * byte is st (every code fits a signed byte) and the rest the nonce, so
 * lf_kst_code() gets the code back from any word and lf_kst_nonce() the
 * nonce; nonce 0 gives the code as before nonces existed. 24 bits: a
 * stale word could only pass as OK 2^24 - 1 runs of that list later.
 */
#define LF_KST_NONCE_MASK 0xffffffu
LF_INLINE lf_u32 lf_kst_word(lf_i32 st, lf_u32 nonce)
{
	return (lf_u32)st + ((nonce & LF_KST_NONCE_MASK) << 8);
}

/* The LF_KST_* code and the echoed nonce of status word @w. */
LF_INLINE lf_i32 lf_kst_code(lf_u32 w)
{
	lf_u32 b = w & 0xffu;
	return b < 0x80u ? (lf_i32)b : (lf_i32)b - 256;
}

LF_INLINE lf_u32 lf_kst_nonce(lf_u32 w)
{
	return ((w - (lf_u32)lf_kst_code(w)) >> 8) & LF_KST_NONCE_MASK;
}

/*
 * struct lf_desc - one layer (or one tile of a layer).
 *
 * Requantization (all kernels with a uint8/int8 output), in this order:
 *   acc  = sum((x - x_zp) * (w - w_zp[c])) + bias[c]       int32, wrapping
 *   v    = (float)acc * mult[c]                             float32
 *   q    = round_half_even(v) + y_zp                        (in integers)
 *   y    = min(max(q, act_min), act_max)
 * where mult[c] = (x_scale * w_scale[c]) / y_scale, computed by the host in
 * float32 in exactly that order (as ONNX Runtime does). act_min/act_max are
 * the dtype's range, narrowed for a fused ReLU (act_min = y_zp) or Clip.
 * Rounding v before adding y_zp and clamping is the same as ORT's
 * clamp-then-convert because the clamp bounds are integers.
 * The kernels round from the bits of v, without libm, so the HLS, host-C
 * and OpenCL builds agree exactly: |v| >= 512 saturates (any y_zp then
 * lands outside [-128, 255]); a NaN v (only from a NaN or infinite mult)
 * gives act_min. act_min/act_max, y_zp and mult are not read for an int32
 * output; w_zp is, and every w_zp entry must lie in w_type's range.
 *
 * Conv2d: x[n][ic][ih][iw], w[oc][ic/groups][kh][kw], y[n][oc][oh][ow];
 *   oh = (ih + pad_t + pad_b - ((kh-1)*dil_h + 1)) / stride_h + 1, same for
 *   ow; the kernel checks it. groups divides ic and oc (depthwise:
 *   groups == ic, oc = multiplier * ic).
 * Matmul: x = A[batch][m][k], w = B[w_batch][k][n] (w_batch is 1 or batch),
 *   y[batch][m][n]; per-channel means per column of B.
 *
 * Pooling (LF_KOP_MAXPOOL, LF_KOP_AVGPOOL; x_type == y_type, uint8/int8):
 *   x[n][ic][ih][iw] -> y[n][ic][oh][ow]; kh, kw, stride_*, pad_*, dil_*
 *   as for conv2d. oh is either (ih + pad_t + pad_b - ((kh-1)*dil_h + 1))
 *   / stride_h + 1 (floor) or the same with the division rounded up
 *   (ceil_mode); the kernel checks it is one of the two, same for ow. Taps
 *   outside [0, ih) x [0, iw) are padding, whether in pad_* or past it (a
 *   ceil_mode window). Not read: w_type, oc, groups, the matmul fields,
 *   x2_*, w_off, bias_off, w_zp_off, mult_off.
 *   MaxPool: y = max of the window's in-image taps (the type's lowest value
 *     if it has none), then clamped to [act_min, act_max]. flags must be 0;
 *     scales and zero points are not read (y keeps x's quantization).
 *   AvgPool: dil_h == dil_w == 1. x_zp, y_zp, x_scale, y_scale as
 *     QLinearAveragePool, flags LF_DF_COUNT_PAD for count_include_pad.
 *     Exactly as ONNX Runtime's contrib op (hostlib/cpu/ref_pool.c):
 *     - kh == ih, kw == iw and all pads 0 (QLinearGlobalAveragePool, and
 *       what ORT's QLinearAveragePool runs for such a window): integer
 *       sum, scale = x_scale / (y_scale * (float)(ih*iw)),
 *       y = rint(clamp((float)(sum - x_zp*ih*iw) * scale, lo - y_zp,
 *       hi - y_zp)) + y_zp; ih*iw < 2^24 and scale in [2^-32, 256), as
 *       ORT requires;
 *     - else: s = float sum, in row-major window order, of x_scale *
 *       (float)(x - x_zp) over the in-image taps; a = s / (float)(kh*kw)
 *       with LF_DF_COUNT_PAD, else s / (float)taps;
 *       y = rint(a / y_scale + (float)y_zp) converted as x86's cvtss2si
 *       (NaN and |.| >= 2^31 give INT32_MIN) and clamped to the type;
 *     then clamped to [act_min, act_max] (a fused Relu: act_min = y_zp).
 *
 * Add (LF_KOP_ADD, QLinearAdd; x_type == y_type, uint8/int8): x and y are
 *   [n][ic][ih][iw] (any tensor, flattened to this view), at x_off and
 *   y_off; x2 at x2_off is the same shape, or one element
 *   (LF_DF_X2_SCALAR), or ic elements broadcast over n, ih, iw
 *   (LF_DF_X2_PER_CH), or n * ic elements broadcast over ih, iw
 *   (LF_DF_X2_PER_NC: x2[i * ic + c] for image i, channel c; at most one
 *   of the three flags). Quantization x_scale/x_zp, x2_scale/x2_zp,
 *   y_scale/y_zp, then [act_min, act_max]. With P the outer operand (x, or
 *   x2 with LF_DF_SWAP) and Q the other, in float32 with fused fma:
 *     rP = sP / y_scale, rQ = sQ / y_scale
 *     fixed = (float)y_zp - fma(rP, (float)zP, rQ * (float)zQ)
 *     y = clamp(cvt(rint(fma(P, rP, fma(Q, rQ, fixed)))))
 *   which is ORT's MLAS AVX2 kernel. The host puts the full-shape input
 *   at x_off and sets LF_DF_SWAP when the input ORT uses as its outer
 *   operand (its A, or B where its broadcaster swaps them: ort_swaps() in
 *   hostlib/cpu/ref_elementwise.c) is the one at x2_off. x and x2 may
 *   overlap (x + x); y must overlap neither (no in-place add). Not read:
 *   w_type, the conv/matmul shape fields other than n, ic, ih, iw, w_off,
 *   bias_off, w_zp_off, mult_off.
 *
 * Mul (LF_KOP_MUL, com.microsoft QLinearMul; the add's datapath): x, x2,
 *   y, the types, the broadcast flags (LF_DF_X2_SCALAR / _PER_CH /
 *   _PER_NC), the quantization fields, the overlap rules and the fields
 *   not read are the add's; LF_DF_SWAP is not taken (LF_KST_BAD_OP: the
 *   product is symmetric). All three scales finite and > 0
 *   (LF_KST_BAD_QUANT). In float32, operation by operation, none fused:
 *     m = (x_scale * x2_scale) / y_scale
 *     v = (float)((x - x_zp) * (x2 - x2_zp)) * m + (float)y_zp
 *     y = clamp(cvt(rint(v)))
 *   (the integer product is exact in float32: |.| <= 255 * 255), which is
 *   MLAS's MlasQLinearMul (its SSE2 kernel: separate multiply and add;
 *   hostlib/cpu/ref_quant.c lf__ref_qmul), cvt and the clamp as the add's
 *   (x86's cvtss2si: NaN and |v| >= 2^31 give the type's minimum), then
 *   [act_min, act_max].
 *
 * Blocked layout (LF_DF_BLK; conv2d, maxpool, avgpool, add, mul):
 *   The device-side layout of a segment's activations, so that one 64-byte
 *   beat of a memory port is 64 channels of one pixel. A tensor of n
 *   images, c channels, h x w pixels occupies n * cb * h * w * 64 bytes,
 *   cb = ceil(c / 64) channel blocks: element (i, ch, yy, xx) is the byte
 *   at (((i * cb + ch / 64) * h + yy) * w + xx) * 64 + ch % 64.
 *   LF_BLK_LANES = 64 below. The lanes ch >= c of the last block are pad
 *   lanes: no kernel lets a pad lane of an input change a real lane of its
 *   output; a kernel writes its output's pad lanes as a function of the
 *   descriptor and its inputs only (deterministic bytes), the host fills
 *   the pad lanes of a tensor it converts with the tensor's zero point and
 *   never reads them back. x_off, x2_off, y_off, w_off and w_zp_off are
 *   multiples of 64 (else LF_KST_BOUNDS).
 *   The public API and the host stay NCHW; the host converts at the entry
 *   and exit of a device segment (hostlib/plan).
 * Conv2d with LF_DF_BLK: x is blocked (n, ic, ih, iw), y blocked
 *   (n, oc, oh, ow); y_type 8-bit (an int32 y is LF_KST_BAD_TYPE);
 *   groups == 1, or depthwise below (else LF_KST_BAD_OP: other groups,
 *   a channel multiplier above 1); LF_DF_BIAS and LF_DF_W_PER_CH must
 *   be 0 (LF_KST_BAD_OP): every per-channel value is in the records below.
 *   Weights at w_off, packed by the host in the order the kernel streams
 *   them, whole beats, independent of the PE array's size:
 *     w_pk[ocb][a][b][icb][o][i] (64 x 64 bytes per (ocb, a, b, icb)),
 *     = w[ocb*64 + o][icb*64 + i][a][b] for o < oc and i < ic,
 *     = the byte of output channel ocb*64 + o's w_zp for i >= ic
 *       (contributes 0), and 0 for o >= oc,
 *   ocb = ceil(oc / 64), icb = ceil(ic / 64): ocb * kh * kw * icb * 4096
 *   bytes. One beat is one output channel's 64 input channels of one tap.
 *   Records at w_zp_off: ocb * 64 of LF_BLK_REC_BYTES (16) bytes, one per
 *   output channel, 4 per beat: { int32 bias (0 without a bias), int32
 *   w_zp, float32 mult (as mult[c] above), int32 0 }; the records of pad
 *   channels (o >= oc) are all zero. bias_off and mult_off are not read.
 *   Every real record's w_zp must lie in w_type's range
 *   (LF_KST_BAD_QUANT). The arithmetic is the requantization above,
 *   unchanged: the same bytes as the NCHW descriptor of the same layer.
 * Depthwise conv with LF_DF_BLK (groups == ic == oc, channel multiplier
 *   1; a build takes it when its limits say `lfk_conv2d.blk_dw` = 1):
 *   as above but the weights are one beat per tap per channel block,
 *     w_pk[cb][a][b][l] = w[cb*64 + l][0][a][b] for cb*64 + l < oc,
 *     = 0 for the pad lanes (their output is the pad formula anyway),
 *   cb < ocb: ocb * kh * kw * 64 bytes; lane l is channel cb*64 + l of
 *   both x and y. Records as for the dense conv (one per channel).
 * Maxpool / avgpool with LF_DF_BLK: x blocked (n, ic, ih, iw), y blocked
 *   (n, ic, oh, ow); otherwise as above (LF_DF_COUNT_PAD may be set).
 * Add and mul with LF_DF_BLK: x, y and a full-shape x2 blocked (n, ic,
 *   ih, iw); LF_DF_X2_PER_CH: x2 is cb * 64 bytes, channel ch at
 *   x2_off + ch; LF_DF_X2_PER_NC: x2 is blocked (n, ic, 1, 1), n * cb *
 *   64 bytes, image i's channel ch at x2_off + (i * cb + ch / 64) * 64 +
 *   ch % 64; LF_DF_X2_SCALAR: one byte at x2_off. LF_DF_SWAP as above.
 * Output table (LF_DF_LUT; conv2d, NCHW or blocked, 8-bit y): after the
 *   clamp, each output byte b (the requantized q as a byte: uint8 q, or
 *   an int8 q's two's complement) is replaced by lut[b], the byte at
 *   params + lut_off + b: y = lut[byte(q)]. 256 bytes, four whole beats:
 *   lut_off is a multiple of 64 (else LF_KST_BOUNDS) and the table lies
 *   inside params (LF_KST_BOUNDS); an int32 y with LF_DF_LUT is
 *   LF_KST_BAD_TYPE. Blocked pad lanes go through the table too (still a
 *   function of the descriptor and its inputs). The host fills the table
 *   with a pointwise function of the conv's quantized output, computed
 *   exactly as the CPU path computes it (hostlib/model: a sigmoid, hard
 *   sigmoid, hardswish or leaky ReLU between DQ and Q, or a QLinear
 *   lookup op). Without LF_DF_LUT lut_off is not read. A build takes the
 *   flag when its limits say `lfk_conv2d.lut` = 1; one that does not
 *   rejects it as any unknown flag (LF_KST_BAD_OP).
 * Placed output (LF_DF_YCB; conv2d with LF_DF_BLK): y is channel blocks
 *   of a wider blocked tensor of y_cb channel blocks per image and the
 *   conv's oh x ow pixels (a concat along channels, each input written in
 *   its place: hostlib/plan/mplan_concat.c). Block ob of image i of y is
 *   at y_off + ((i * y_cb + ob) * oh * ow) * 64: y_off is the place of
 *   its first block in image 0, and images are y_cb * oh * ow beats apart
 *   instead of ceil(oc / 64) * oh * ow. y_cb >= ceil(oc / 64) (else
 *   LF_KST_BAD_SHAPE). The bytes checked and written are
 *   ((n - 1) * y_cb + ceil(oc / 64)) * oh * ow * 64 from y_off: inside act,
 *   apart from x (LF_KST_BOUNDS); the kernel writes only y's own blocks,
 *   never the other blocks of that span. Without the flag word 26 is not
 *   read. A build takes the flag when its limits say
 *   `lfk_conv2d.blk_ycb` = 1; one that does not rejects it
 *   (LF_KST_BAD_OP).
 * Part of a layer (y_rows, y_blks; conv2d, maxpool, avgpool, add, mul
 *   with LF_DF_BLK): the descriptor computes and writes only output rows
 *   [r0, r1) of every image (y_rows = r0 + r1 * 65536; for add and mul
 *   the rows of y, ih of them) and only output channel blocks [b0, b1)
 *   (y_blks = b0 + b1 * 65536; blocks of oc / 64 for a conv, of ic / 64
 *   for pooling, add and mul). 0 is the whole dimension, so a descriptor
 *   that sets neither is the whole layer as before; otherwise r0 <= r1 <=
 *   oh and b0 <= b1 <= ceil(oc / 64) (else LF_KST_BAD_SHAPE), and an empty
 *   range writes nothing. Inputs and every check are the whole layer's
 *   (bounds over the whole y): the parts of two descriptors with disjoint
 *   ranges write disjoint bytes of the same y, and together the whole
 *   layer's bytes (each output byte depends on the inputs only, never on
 *   which part computed it). Used to split a layer over the CUs of a
 *   launch at batch 1 (hostlib/plan). A non-zero y_rows or y_blks on an
 *   NCHW descriptor or a matmul is LF_KST_BAD_OP. A build takes them when
 *   its limits say `lfk_engine.blk_range` = 1.
 * Barrier (sync, sync_off; lfk_engine only): sync = k + lane * 256.
 *   With k >= 2, once this descriptor's output is written the CU takes
 *   part in a barrier of the k CUs of its launch group, lane of them
 *   (lane < k), which share act: it writes the barrier's number into its
 *   flag, the beat at sync_off + lane * 64 of act (bytes 0-3, little-
 *   endian; the rest 0), and waits until each of the k flags holds that
 *   launch's number of at least this barrier, so the next descriptor may
 *   read what the others wrote. The number of a launch's j-th barrier
 *   (1 <= j <= 255) is nonce * 256 + j, the nonce being the launch's
 *   last descriptor's (word 49, read once): the host gives every CU of a
 *   group the same new nonce each launch, so flags left by an earlier
 *   launch never count and nothing needs resetting. A CU whose list
 *   stopped at an error leaves the others waiting (the host's timeout
 *   aborts them); a barrier that cannot complete (the CUs aborted, more
 *   than 255 in a launch) ends the list with LF_KST_BAD_OP. Every CU of
 *   a group runs the same number of barriers. k 0 or 1: no barrier,
 *   sync_off not read. A build takes it when its limits say
 *   `lfk_engine.sync` = k; one without a ring (0) rejects k >= 2
 *   (LF_KST_BAD_OP); lane >= k, or flags that are not whole beats inside
 *   act, are LF_KST_BOUNDS (checked before the op's own checks).
 * Fused add (LF_DF_ADD; conv2d with LF_DF_BLK): a residual QLinearAdd
 *   in the conv's store. After the requantization, the clamp and the
 *   output table (if any), each output byte a (pad lanes included) meets
 *   the byte b of the same image, channel and pixel of x2, a blocked
 *   tensor (n, oc, oh, ow) at x2_off (images ceil(oc / 64) * oh * ow
 *   beats apart, also with LF_DF_YCB), and y is the add's result: the
 *   Add formula above, unchanged, with a as its x (scale x_scale, zero
 *   point add_x_zp), b as its x2 (x2_scale, x2_zp), output scale y_scale
 *   and zero point add_y_zp, then clamped to [add_min, add_max] (a fused
 *   ReLU after the add: add_min = add_y_zp); LF_DF_SWAP when x2 is the
 *   outer operand P. x2's type is y_type. act_min, act_max and y_zp stay
 *   the conv's own (its requantization to a). Checked with the scalar
 *   quantization fields: the four zero points / bounds in y_type's range,
 *   add_min <= add_max, the three scales finite and > 0
 *   (LF_KST_BAD_QUANT); with the byte ranges: x2_off a multiple of 64,
 *   x2 inside act and apart from y's bytes (LF_KST_BOUNDS; x2 may
 *   overlap x). LF_DF_SWAP without LF_DF_ADD is LF_KST_BAD_OP. Without
 *   the flag x2_off, x2_zp, the scales and words 60-63 are not read. A
 *   build takes the flag when its limits say `lfk_conv2d.blk_add` = 1;
 *   one that does not rejects it (LF_KST_BAD_OP).
 * Folded input (LF_DF_XFOLD; conv2d with LF_DF_BLK, groups 1): a stem
 *   conv over few channels (kw * ic <= 64, dil_w 1) reads x as compact
 *   rows and runs as the kh x 1 conv over kw * ic channels of x folded
 *   (hostlib/plan/blk.h "stem folding"). The descriptor describes the
 *   conv itself (ic, iw, kw, stride_w, pad_l, pad_r as in the model); its
 *   weights and records are those of the folded conv (kw * ic input
 *   channels, 1 x kh taps). x: n * ih rows of xrb = ceil(pw * ic / 64)
 *   beats each, pw = (ow - 1) * stride_w + kw: row (i, y) holds pixels q
 *   = 0 .. pw - 1, pixel q's ic bytes at q * ic (x[i][c][y][q - pad_l],
 *   the zero point outside the image); the rest of the row's last beat
 *   is not read. The load builds each output column's beat: lane
 *   b * ic + c = row byte (xo * stride_w + b) * ic + c, lanes from kw * ic
 *   on x_zp. x is n * ih * xrb * 64 bytes from x_off (LF_KST_BOUNDS). A
 *   build takes the flag when its limits say `lfk_conv2d.blk_xfold` > 0
 *   (the most row beats, xrb, it takes: more is LF_KST_LIMIT); one that
 *   does not rejects it (LF_KST_BAD_OP). Without the flag the input of
 *   such a conv is 64 lanes a pixel: 21 real of 64 for ResNet's stem,
 *   whose 150 KB image was uploaded as 1.6 MB.
 * Fused max pool (LF_DF_POOL; conv2d with LF_DF_BLK): y is the MaxPool
 *   of the conv's output t, which is never written: t is the blocked
 *   (n, oc, oh, ow) tensor the conv alone would write (requantization,
 *   clamp and output table included, pad lanes too), and y the blocked
 *   (n, oc, ph, pw) tensor
 *     y[i][c][py][px] = clamp(max of t[i][c][yy][xx] as y_type values
 *       over the window's taps inside t, pool_min, pool_max),
 *   yy = py * psh - ppt + a (a < pkh), xx = px * psw - ppl + b (b < pkw),
 *   dilation 1. pool_k (word 57) = pkh | pkw << 4 | psh << 8 |
 *   psw << 12 | ppt << 16 | ppl << 20 | ppb << 24 | ppr << 28 (4 bits
 *   each); ph = (oh + ppt + ppb - pkh) / psh + 1, pw = (ow + ppl + ppr -
 *   pkw) / psw + 1 (floor: a ceil-mode pool of another size is not fused).
 *   pool_clamp (word 58) = (pool_min & 0xffff) | pool_max << 16, two
 *   int16 in y_type's range with pool_min <= pool_max (else
 *   LF_KST_BAD_QUANT). Shape (else LF_KST_BAD_SHAPE): 1 <= pkh <= 2 psh
 *   (a row of t is in at most two windows), 1 <= pkw <= 4, ppt < psh,
 *   ppt < pkh, ppb < pkh, ppl < pkw, ppr < pkw (every window has a tap in
 *   t), oh + ppt + ppb >= pkh and ow + ppl + ppr >= pkw. ow <= the limit
 *   `lfk_conv2d.blk_pool` (pixels of a row of t the pool's row
 *   accumulators hold; else LF_KST_LIMIT). y_rows (Part of a layer)
 *   counts rows of y (r1 <= ph); a part computes the rows of t its
 *   windows need, so two neighbouring parts may both compute a row of t.
 *   y_blks, LF_DF_YCB (images y_cb * ph * pw beats apart) and the bounds
 *   of y are y's: ((n - 1) * y_cb + ceil(oc / 64)) * ph * pw * 64 bytes.
 *   Not with LF_DF_ADD (LF_KST_BAD_OP). Without the flag words 57-58 are
 *   not read. A build takes the flag when `lfk_conv2d.blk_pool` > 0; one
 *   that does not rejects it (LF_KST_BAD_OP). Max is order-free: y holds
 *   exactly the bytes of the conv followed by the MaxPool descriptor with
 *   the same window and act_min / act_max = pool_min / pool_max.
 * Checksum (LF_KOP_CSUM; lfk_engine only): reads bytes [x_off, x_off +
 *   csum_len) of act (csum_len: word 59; 0 is an empty range) beat by
 *   beat and writes their LF_CSUM_WORDS-word digest (hls/lf_csum.h, the
 *   formula the host computes too) into words y_off .. y_off + 3 of the
 *   descriptor list (word indices from the list's first word; they may
 *   be any descriptor's words, the status words included: the host puts
 *   them in words of the list's last descriptor that its op does not
 *   read). A host puts one first in a launch's list (over what it
 *   uploaded) and one last (over what it will download) and compares
 *   the digests with its own, so neither transfer needs reading back
 *   (hostlib/exec/README.md). The beats holding the range, floor(x_off /
 *   64) .. ceil((x_off + csum_len) / 64) - 1, lie inside act and the
 *   digest inside the list (y_off + 4 <= ndesc * 64), else
 *   LF_KST_BOUNDS; flags must be 0 (LF_KST_BAD_OP). Not read: the types,
 *   shapes, quantization fields, x2_off, the params offsets. Nothing in
 *   act is written. A build takes the op when its limits say
 *   `lfk_engine.csum` = 1 (it is not in `lfk_engine.ops`, so a host that
 *   needs every op there still takes an engine without it); other
 *   kernels and older builds reject it (LF_KST_BAD_OP).
 * Next block ahead (LF_DF_WPRE; conv2d with LF_DF_BLK): a hint that
 *   changes no byte of act, status or order. Where the build has a
 *   resident first block (`lfk_conv2d.blk_wres` > 0), the kernel reads
 *   the list's next descriptor (i + 1 < ndesc) before this one's bands
 *   and, if that one is a blocked conv passing its checks (its w_zp
 *   entries and barrier aside, checked when it runs as always) with a
 *   part that is not empty, loads its first output block's records and
 *   weights during this descriptor's last band (hls/README.md "Next
 *   block ahead"); the next descriptor then uses them and loads that
 *   block no more. Otherwise, and in a build without the resident block
 *   (OpenCL), the flag does nothing. Taken by every build whose limits
 *   have `lfk_conv2d.blk_wpre` = 1; one without the key rejects it
 *   (LF_KST_BAD_OP), so the host sets it only where the key is 1.
 * Matmul has no blocked form (LF_DF_BLK is LF_KST_BAD_OP). Its A may be a
 *   blocked tensor whose bytes are row-major already: h == w == 1 and
 *   c % 64 == 0, where [n][cb][1][1][64] is [n][c].
 * Which ops accept LF_DF_BLK, and the blocked datapaths' buffer limits,
 *   are in the xclbin's limits text: `lfk_engine.blk_ops` (bit k for op
 *   k, 0 in a build without the blocked datapaths), and per kernel the
 *   `.blk_*` keys of hls/lf_config.h's LF_LIMITS. A descriptor over those
 *   limits is LF_KST_LIMIT; the host checks them before it plans.
 */
#define LF_BLK_LANES	 64
#define LF_BLK_REC_BYTES 16
/* The output table of LF_DF_LUT: one byte per 8-bit value. */
#define LF_LUT_BYTES 256

typedef struct lf_desc {
	/* 0 */ lf_u32 magic;
	/* 1 */ lf_u32 op;
	/* 2 */ lf_u32 flags;
	/* 3 */ lf_i32 status;
	/* 4 */ lf_u32 x_type;
	/* 5 */ lf_u32 w_type;
	/* 6 */ lf_u32 y_type;
	/* 7 */ lf_u32 reserved0;
	/* conv2d / pooling shape */
	/* 8 */ lf_u32 n, ic, ih, iw;
	/* 12 */ lf_u32 oc, oh, ow, groups;
	/* 16 */ lf_u32 kh, kw, stride_h, stride_w;
	/* 20 */ lf_u32 pad_t, pad_l, pad_b, pad_r;
	/* 24 */ lf_u32 dil_h, dil_w;
	/* 26: with LF_DF_YCB, y's channel blocks per image (below) */
	/* 26 */ lf_u32 y_cb;
	/* 27: with a barrier (sync), the ring's flag beats in act (below) */
	/* 27 */ lf_u32 sync_off;
	/* matmul shape */
	/* 28 */ lf_u32 mm_batch, mm_m, mm_k, mm_n;
	/* 32 */ lf_u32 mm_w_batch;
	/* 33-35: a part of a blocked layer, and the barrier after it (below) */
	/* 33 */ lf_u32 y_rows;
	/* 34 */ lf_u32 y_blks;
	/* 35 */ lf_u32 sync;
	/* byte offsets: x_off, x2_off, y_off into act; the rest into params */
	/* 36 */ lf_u32 x_off, x2_off, y_off, w_off;
	/* 40 */ lf_u32 bias_off, w_zp_off, mult_off, lut_off;
	/* quantization; w_zp_off points at int32[1 or oc], mult_off at float32
	 */
	/* 44 */ lf_i32 x_zp, x2_zp, y_zp, act_min;
	/* 48 */ lf_i32 act_max;
	/* 49: echoed in the status word (lf_kst_word); 0 = no echo */
	/* 49 */ lf_u32 nonce;
	/* 50 */ float x_scale, x2_scale, y_scale; /* add / mul / avgpool */
	/* 53 */ lf_u32 reserved8[57 - 53];
	/* 57-58: with LF_DF_POOL, the fused max pool's (below) */
	/* 57 */ lf_u32 pool_k;
	/* 58 */ lf_u32 pool_clamp;
	/* 59: LF_KOP_CSUM's byte count (below) */
	/* 59 */ lf_u32 csum_len;
	/* 60: with LF_DF_ADD, the fused add's (below) */
	/* 60 */ lf_i32 add_x_zp, add_y_zp, add_min, add_max;
} lf_desc;

#if !defined(LF_OPENCL) && !defined(LF_HLS)
/*
 * Host C: a descriptor list the host built as structs, as the word array
 * the kernels take (the same bytes; the kernels only ever read it through
 * the separately compiled entry points below).
 */
static inline lf_u32 *lf_desc_words(lf_desc *d)
{
	return (lf_u32 *)(void *)d;
}

/* Host-C build: the entry points build/hls/lfkernels.so exports. */
void lfk_conv2d(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);
void lfk_matmul(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);
void lfk_pool(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
	      lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);
void lfk_add(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
	     lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);
void lfk_engine(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
		lf_u32 params_bytes, lf_beat *act, lf_u32 act_bytes);
#endif

#endif /* LF_DESC_H */
