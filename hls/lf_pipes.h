/*
 * lf_pipes.h - every pipelined loop of the kernels, and what the code as
 * written can get from it: the cycle model's one table.
 *
 * One entry per loop: X(label, ii, depth, port)
 *   label  the loop's C label (`label: for (...)`), which Vitis HLS also
 *          uses to name the loop in its reports, so a csynth report can be
 *          matched to the entry later. The loop body carries
 *          LF_PIPE(label), the code after it LF_PIPE_END(label).
 *   ii     initiation interval the loop body as written allows: the most
 *          accesses one iteration makes through one direction of one m_axi
 *          port (every port here is byte-typed, so one access is one beat,
 *          and conditional or unaligned byte accesses defeat burst
 *          widening: UG1399 "Automatic Port Width Resizing"), or the
 *          float adder's latency where a float recurrence runs through a
 *          variable. The loop's `#pragma HLS PIPELINE II=` says the same;
 *          scripts/hls-lint checks both against the code.
 *   depth  pipeline depth (cycles from first issue to last result) past
 *          the memory latency: LF_DEPTH_* of lf_config.h.
 *   port   the m_axi traffic of one iteration: LFP_NONE, or the LFP_*_RD /
 *          LFP_*_WR bits of the port(s) it streams (act = gmem2, params =
 *          gmem1). A loop that reads a port waits one LF_LAT_MEM per
 *          invocation for its burst (the loop's reads are one request
 *          stream; the pipeline cannot issue its result before the first
 *          beat arrives). Writes are posted.
 *
 * Cycles of one invocation that ran `trips` iterations (trips > 0):
 *     (reads ? LF_LAT_MEM : 0) + depth + ii * (trips - 1)
 * Straight-line code between loops is not counted, except the fixed
 * LF_DESC_CYCLES per descriptor (LF_DESC_DONE); stages run one after the
 * other (no DATAFLOW in the kernels), so their cycles add.
 *
 * Comments inside the table stay on one line (scripts/hls-lint reads it).
 * The II values are estimates from the code (kernel review, issue 11),
 * not csynth results: no Vitis here. They describe the kernels as they
 * are; making the loops faster is separate work.
 */
#ifndef LF_PIPES_H
#define LF_PIPES_H

#include "lf_config.h"
#include "lf_kernel.h"

/* Port bits of a table entry (an int, so OpenCL and HLS see plain C). */
#define LFP_NONE      0
#define LFP_PARAMS_RD 1
#define LFP_ACT_RD    2
#define LFP_ACT_WR    4
#define LFP_READS     (LFP_PARAMS_RD | LFP_ACT_RD)

/* lfk_conv2d (conv2d.c). */
#define LF_PIPES_CONV2D(X)                                                     \
	/* w_zp check: one lf_ld_i32 = 4 byte reads per entry */               \
	X(conv_wzp_chk, 4, LF_DEPTH_LD, LFP_PARAMS_RD)                         \
	/* w_zp, bias, mult of PE_OC channels: 3 lf_ld_i32 = 12 reads */       \
	X(conv_qparams, 12, LF_DEPTH_LD, LFP_PARAMS_RD)                        \
	/* zero-point fill of wbuf: on chip only */                            \
	X(conv_wfill, 1, LF_DEPTH_LD, LFP_NONE)                                \
	/* weights of one output channel: 1 byte read per cycle */             \
	X(conv_load_w, 1, LF_DEPTH_LD, LFP_PARAMS_RD)                          \
	/* one channel row: LF_CONV_BEAT conditional byte reads */             \
	X(conv_load_x, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD)                  \
	/* corner turn of the ct block: on chip only */                        \
	X(conv_cturn, 1, LF_DEPTH_LD, LFP_NONE)                                \
	/* the PE array */                                                     \
	X(conv_mac, 1, LF_DEPTH_MAC, LFP_NONE)                                 \
	/* requantized 8-bit outputs: 1 byte write each */                     \
	X(conv_store8, 1, LF_DEPTH_RQ, LFP_ACT_WR)                             \
	/* int32 outputs: lf_st_i32 = 4 byte writes each */                    \
	X(conv_store32, 4, LF_DEPTH_LD, LFP_ACT_WR)

/* lfk_matmul (matmul.c). */
#define LF_PIPES_MATMUL(X)                                                     \
	X(mm_wzp_chk, 4, LF_DEPTH_LD, LFP_PARAMS_RD)                           \
	X(mm_qparams, 12, LF_DEPTH_LD, LFP_PARAMS_RD)                          \
	/* a row of B: PE_N strided byte reads, params or act (caller's) */   \
	X(mm_load_b, LF_MM_PE_N, LF_DEPTH_LD, LFP_PARAMS_RD)                   \
	/* PE_K byte reads of a row of A */                                    \
	X(mm_load_a, LF_MM_PE_K, LF_DEPTH_LD, LFP_ACT_RD)                      \
	X(mm_mac, 1, LF_DEPTH_MAC, LFP_NONE)                                   \
	X(mm_store8, 1, LF_DEPTH_RQ, LFP_ACT_WR)                               \
	X(mm_store32, 4, LF_DEPTH_LD, LFP_ACT_WR)

/* lfk_pool (pool.c). */
#define LF_PIPES_POOL(X)                                                       \
	/* one window row: LF_CONV_BEAT conditional byte reads */              \
	X(pool_load_row, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD)                \
	/* float sum[t] = sum[t] + dq (max pooling runs the same loop) */     \
	X(pool_taps, LF_LAT_FADD, LF_DEPTH_MAC, LFP_NONE)                      \
	X(pool_store, 1, LF_DEPTH_RQ, LFP_ACT_WR)                              \
	/* global average: LF_CONV_BEAT byte reads per iteration */            \
	X(pool_gap, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD)

/* lfk_add (add.c): x and x2 read, y written through the one act port:
 * 2 * LF_ADD_LANES byte reads per iteration (the writes go on the write
 * channel). */
#define LFP_ADD_II (2 * LF_ADD_LANES)
#define LF_PIPES_ADD(X)                                                        \
	X(add_vec, LFP_ADD_II, LF_DEPTH_RQ, LFP_ACT_RD | LFP_ACT_WR)

/* lfk_engine runs the four datapaths: all of them. */
#define LF_PIPES(X)                                                            \
	LF_PIPES_CONV2D(X) LF_PIPES_MATMUL(X) LF_PIPES_POOL(X) LF_PIPES_ADD(X)

/*
 * The counters: host C only (the emulator). In HLS and OpenCL builds the
 * macros compile to nothing and the labels are plain C labels.
 *   LF_PIPE_BEGIN(label);   before the loop's label: a local trip counter
 *   LF_PIPE(label);         first statement of the loop body
 *   LF_PIPE_END(label);     after the loop: charges the invocation
 *   LF_PIPE_END_PORT(label, port)   the same, for a loop whose port the
 *                                   caller chooses (mm_load_b)
 *   LF_DESC_DONE();         a descriptor fetched and checked
 * The trip counter is a local the compiler keeps in a register (or
 * derives from the loop's induction variable), so counting costs one
 * call per invocation, not per iteration.
 */
#if !defined(LF_OPENCL) && !defined(LF_HLS)
#define LFP_ID(label, ii, depth, port) LFP_##label,
enum lfp_id { LF_PIPES(LFP_ID) LFP_COUNT };
#undef LFP_ID
#define LFP_CONST(label, ii, depth, port)                                      \
	LFP_II_##label = (ii), LFP_DEPTH_##label = (depth),                    \
	LFP_PORT_##label = (port),
enum lfp_const { LF_PIPES(LFP_CONST) LFP_CONST_END };
#undef LFP_CONST

/* Per label, per thread: invocations, iterations, cycles (cycles.c). */
struct lfk_pipe_stat {
	lf_u64 calls;
	lf_u64 iters;
	lf_u64 cycles;
};
extern _Thread_local struct lfk_pipe_stat lfk__pipe[LFP_COUNT];
extern _Thread_local lf_u64 lfk__descs;

/* One invocation of loop @id that ran @trips iterations. */
LF_INLINE void lfk__pipe_end(lf_u32 id, lf_u32 trips, lf_u32 ii,
			     lf_u32 depth, lf_u32 port)
{
	if (trips == 0)
		return;
	lf_u64 c = (lf_u64)depth + (lf_u64)ii * (trips - 1);
	if (port & LFP_READS)
		c += LF_LAT_MEM;
	lfk__pipe[id].calls++;
	lfk__pipe[id].iters += trips;
	lfk__pipe[id].cycles += c;
	lfk__cycles += c;
}

#define LF_PIPE_BEGIN(label) lf_u32 lfp__##label = 0
#define LF_PIPE(label)	     (lfp__##label++)
#define LF_PIPE_END_PORT(label, port)                                          \
	lfk__pipe_end(LFP_##label, lfp__##label, LFP_II_##label,               \
		      LFP_DEPTH_##label, (port))
#define LF_PIPE_END(label) LF_PIPE_END_PORT(label, LFP_PORT_##label)
#define LF_DESC_DONE()	   (lfk__descs++, lfk__cycles += LF_DESC_CYCLES)

/*
 * Per-label statistics of the calling thread since the last
 * lfk_cycles_reset(): fills *out and returns 1, or returns 0 for an id
 * >= LFP_COUNT (cycles.c).
 */
int lfk_pipe_stats(lf_u32 id, struct lfk_pipe_stat *out);
/* The label of entry @id ("conv_mac"), or 0 past the table. */
const char *lfk_pipe_name(lf_u32 id);
#else
#define LF_PIPE_BEGIN(label)	      ((void)0)
#define LF_PIPE(label)		      ((void)0)
#define LF_PIPE_END_PORT(label, port) ((void)0)
#define LF_PIPE_END(label)	      ((void)0)
#define LF_DESC_DONE()		      ((void)0)
#endif

#endif /* LF_PIPES_H */
