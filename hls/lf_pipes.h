/*
 * lf_pipes.h - every pipelined loop of the kernels, and what the code as
 * written can get from it: the cycle model's one table.
 *
 * One entry per loop: X(label, ii, depth, port, rd, wr, seq)
 *   label  the loop's C label (`label: for (...)`), which Vitis HLS also
 *          uses to name the loop in its reports, so a csynth report can be
 *          matched to the entry later. The loop body carries
 *          LF_PIPE(label), the code after it LF_PIPE_END(label).
 *   ii     initiation interval the loop body as written allows: the most
 *          accesses one iteration makes through one direction of one m_axi
 *          port (params and act are beat-typed, lf_kernel.h: one access is
 *          one beat, whether it moves a whole beat (lf_beat_rd/wr) or one
 *          byte of it (lf_ld_u8 / lf_st_u8; lf_ld_i32 is four), so byte
 *          accessors cost what they cost on a byte-typed port; desc is a
 *          port of 32-bit words, LFP_BEAT_BYTES_DESC), or the
 *          float adder's latency where a float recurrence runs through a
 *          variable. The loop's `#pragma HLS PIPELINE II=` says the same;
 *          scripts/hls-lint checks both against the code.
 *   depth  pipeline depth (cycles from first issue to last result) past
 *          the memory latency: LF_DEPTH_* of lf_config.h.
 *   port   the m_axi port it streams: LFP_NONE, or the LFP_*_RD / LFP_*_WR
 *          bits (act = gmem2, params = gmem1, desc = gmem0).
 *   rd, wr accesses (= beats) one iteration reads / writes through that
 *          port (beats on params / act, words on desc),
 *          as the code issues them (conditional accesses counted as issued:
 *          an upper bound); scripts/hls-lint checks them against the code.
 *   seq    1 if those accesses walk consecutive addresses unconditionally,
 *          so HLS can issue bursts of up to LF_AXI_BURST beats; 0 if each
 *          access is a transaction of its own (conditional, strided or
 *          interleaved streams); LFP_SEQ_BEATS (2) for consecutive whole
 *          64-byte beats (lf_beat_rd / lf_beat_wr): bursts as for 1, and
 *          each access moves LF_BLK_LANES bytes at the bank, not one
 *          (scripts/hls-lint's pipe-table rule checks the loop moves
 *          whole beats and no byte or word of one).
 *
 * One invocation that ran `trips` iterations (trips > 0) costs
 *     (rd ? LF_LAT_MEM : 0) + depth + max(ii * (trips - 1), memory)
 * The first read's latency does not overlap anything (the pipeline waits
 * for its first beat); the rest of the loop's traffic overlaps its
 * compute, so the slower of the two counts. memory is the slowest of, per
 * direction, the port: max(beats, transactions * LF_LAT_MEM /
 * LF_AXI_OUTSTANDING) (one beat per cycle at most, and no more than
 * LF_AXI_OUTSTANDING transactions in flight per latency); and the bank:
 * the DRAM bytes of both directions (each transaction moves at least one
 * atom) / (the bank bytes per cycle this CU's share gets * the bank's
 * efficiency for bursts or for single transactions). The bank figures come
 * from the emulator (lfk_mem_set, driver/emu/emu_profile.c); without them
 * the bank is not modeled. Writes are posted: no latency term.
 * Straight-line code between loops is not counted, except the fixed
 * LF_DESC_CYCLES per descriptor (LF_DESC_DONE: the checks and the status
 * word; the fetch is the desc_fetch loop). Loops run one after the other
 * and their cycles add, except inside an overlap region (LF_OVERLAP
 * below: a DATAFLOW loop whose stages the code runs concurrently).
 *
 * Comments inside the table stay on one line (scripts/hls-lint reads it).
 * The II values are estimates from the code (kernel review, issue 11),
 * not csynth results: no Vitis here. They describe the kernels as they
 * are; making the loops faster is separate work.
 */
#ifndef LF_PIPES_H
#define LF_PIPES_H

#include "lf_config.h"
#include "lf_desc.h"
#include "lf_kernel.h"

/* Port bits of a table entry (an int, so OpenCL and HLS see plain C). */
#define LFP_NONE      0
#define LFP_PARAMS_RD 1
#define LFP_ACT_RD    2
#define LFP_ACT_WR    4
#define LFP_DESC_RD   8
#define LFP_READS     (LFP_PARAMS_RD | LFP_ACT_RD | LFP_DESC_RD)
/* seq of a loop whose accesses are consecutive whole beats (see above). */
#define LFP_SEQ_BEATS 2

/* Every kernel top (lf_kdesc.h): the descriptor list, 32-bit words. */
#define LF_PIPES_DESC(X)                                                       \
	/* one descriptor: LF_DESC_WORDS word reads, one per cycle, in order */ \
	X(desc_fetch, 1, LF_DEPTH_LD, LFP_DESC_RD, 1, 0, 1)

/* lfk_conv2d (conv2d.c). */
#define LF_PIPES_CONV2D(X)                                                     \
	/* w_zp check: one lf_ld_i32 = 4 byte reads per entry, in order */     \
	X(conv_wzp_chk, 4, LF_DEPTH_LD, LFP_PARAMS_RD, 4, 0, 1)                \
	/* w_zp, bias, mult of PE_OC channels: 3 lf_ld_i32 = 12 reads */       \
	X(conv_qparams, 12, LF_DEPTH_LD, LFP_PARAMS_RD, 12, 0, 0)              \
	/* zero-point fill of wbuf: on chip only */                            \
	X(conv_wfill, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                       \
	/* weights of one output channel: 1 byte read per cycle, in order */   \
	X(conv_load_w, 1, LF_DEPTH_LD, LFP_PARAMS_RD, 1, 0, 1)                 \
	/* one channel row: LF_CONV_BEAT conditional byte reads */             \
	X(conv_load_x, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD, LF_CONV_BEAT, 0, \
	  0)                                                                   \
	/* corner turn of the ct block: on chip only */                        \
	X(conv_cturn, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                       \
	/* the PE array */                                                     \
	X(conv_mac, 1, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)                        \
	/* output table (LF_DF_LUT): its 4 beats, once per descriptor */     \
	X(conv_lut_ld, 1, LF_DEPTH_LD, LFP_PARAMS_RD, 1, 0, LFP_SEQ_BEATS)     \
	/* requantized 8-bit outputs: 1 byte write each, in order */           \
	X(conv_store8, 1, LF_DEPTH_RQ, LFP_ACT_WR, 0, 1, 1)                    \
	/* int32 outputs: lf_st_i32 = 4 byte writes each, in order */          \
	X(conv_store32, 4, LF_DEPTH_LD, LFP_ACT_WR, 0, 4, 1)                   \
	/* blocked (lf_conv_blk.h): whole beats, consecutive, one per cycle */ \
	/* records: 4 per beat, w_zp checked */                                \
	X(blk_wzp_chk, 1, LF_DEPTH_LD, LFP_PARAMS_RD, 1, 0, LFP_SEQ_BEATS)                 \
	/* one 64-channel block's 64 records */                                \
	X(blk_rec, 1, LF_DEPTH_LD, LFP_PARAMS_RD, 1, 0, LFP_SEQ_BEATS)                     \
	/* one block's weights: a beat = 64 input channels of one tap */       \
	X(blk_load_w, 1, LF_DEPTH_LD, LFP_PARAMS_RD, 1, 0, LFP_SEQ_BEATS)                  \
	/* a band of input rows of one channel block: a beat = a pixel */      \
	X(blk_load_x, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)                     \
	/* folded input (LF_DF_XFOLD): whole compact rows, one burst */        \
	X(blk_xf_load, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)        \
	/* one output column's beat cut from two row beats, on chip */        \
	X(blk_xf_cols, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                      \
	/* resident first block (LF_BLK_WRES): W0B beats a cycle, on chip */  \
	X(blk_w0_cp, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                        \
	/* per channel: dw and bias + dx sum(wq) + N dx dw */                  \
	X(blk_cst, 1, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)                         \
	/* the PIX x IC x OC array */                                          \
	X(blk_mac, 1, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)                         \
	/* depthwise: PIX pixels x 64 lanes, one tap a cycle */                \
	X(blk_dw_mac, 1, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)                      \
	/* output table into each lane's copy: one entry a cycle, on chip */  \
	X(blk_lut_fill, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                     \
	/* one requantized 64-channel beat per pixel of a row */               \
	X(blk_store, 1, LF_DEPTH_RQ, LFP_ACT_WR, 0, 1, LFP_SEQ_BEATS)          \
	/* the same with a fused add: x2's beat of the pixel read, in order */ \
	X(blk_store_add, 1, LF_DEPTH_RQ, LFP_ACT_RD | LFP_ACT_WR, 1, 1,        \
	  LFP_SEQ_BEATS)                                                       \
	/* with a fused max pool: each requantized beat into row */          \
	/* accumulators on chip, nothing written (pool_blk_vst writes) */     \
	X(blk_store_pool, 1, LF_DEPTH_RQ, LFP_NONE, 0, 0, 0)

/* lfk_matmul (matmul.c). */
#define LF_PIPES_MATMUL(X)                                                     \
	X(mm_wzp_chk, 4, LF_DEPTH_LD, LFP_PARAMS_RD, 4, 0, 1)                  \
	X(mm_qparams, 12, LF_DEPTH_LD, LFP_PARAMS_RD, 12, 0, 0)                \
	/* a row of B: PE_N strided byte reads, params or act (caller's) */   \
	X(mm_load_b, LF_MM_PE_N, LF_DEPTH_LD, LFP_PARAMS_RD, LF_MM_PE_N, 0, 0) \
	/* PE_K conditional byte reads of a row of A */                        \
	X(mm_load_a, LF_MM_PE_K, LF_DEPTH_LD, LFP_ACT_RD, LF_MM_PE_K, 0, 0)    \
	X(mm_mac, 1, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)                          \
	X(mm_store8, 1, LF_DEPTH_RQ, LFP_ACT_WR, 0, 1, 1)                      \
	X(mm_store32, 4, LF_DEPTH_LD, LFP_ACT_WR, 0, 4, 1)

/* lfk_pool (pool.c). */
#define LF_PIPES_POOL(X)                                                       \
	/* one window row: LF_CONV_BEAT conditional byte reads */              \
	X(pool_load_row, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD, LF_CONV_BEAT,  \
	  0, 0)                                                                \
	/* float sum[t] = sum[t] + dq (max pooling runs the same loop) */     \
	X(pool_taps, LF_LAT_FADD, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)             \
	X(pool_store, 1, LF_DEPTH_RQ, LFP_ACT_WR, 0, 1, 1)                     \
	/* global average: LF_CONV_BEAT conditional byte reads */              \
	X(pool_gap, LF_CONV_BEAT, LF_DEPTH_LD, LFP_ACT_RD, LF_CONV_BEAT, 0, 0) \
	/* blocked (LF_DF_BLK): one beat = the 64 channels of a pixel */      \
	/* a window row's in-image pixels: beats in order, one burst */        \
	X(pool_blk_load, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)                  \
	/* clear a tile's column accumulators: on chip */                      \
	X(pool_blk_clear, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                   \
	/* max of 64 lanes per (column, tap), integer: II 1 */                 \
	X(pool_blk_max, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                     \
	/* a column a cycle, its kw <= 4 consecutive taps at once */          \
	X(pool_blk_maxw, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)                    \
	/* float sum of 64 lanes per (column, tap): the adder's latency */     \
	X(pool_blk_sum, LF_LAT_FADD, LF_DEPTH_MAC, LFP_NONE, 0, 0, 0)          \
	/* max outputs: one beat per column, in order */                       \
	X(pool_blk_store, 1, LF_DEPTH_LD, LFP_ACT_WR, 0, 1, LFP_SEQ_BEATS)                 \
	/* average outputs: one lane per cycle (two divisions) into a beat */  \
	X(pool_blk_avgst, 1, LF_DEPTH_RQ, LFP_NONE, 0, 0, 0)                   \
	/* streamed max: a part's new window rows, beats in order, each */   \
	/* max-reduced into two row accumulators as it arrives: II 1 */        \
	X(pool_blk_vld, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)       \
	/* streamed max: an output row, a column's kw <= 4 taps at once */    \
	/* from its accumulator, clamped, one beat per column in order */      \
	X(pool_blk_vst, 1, LF_DEPTH_MAC, LFP_ACT_WR, 0, 1, LFP_SEQ_BEATS)      \
	/* global average: the plane's beats in order, 64 int32 sums */        \
	X(pool_blk_gap, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)                   \
	/* global average outputs: one lane per cycle into a beat */           \
	X(pool_blk_gapst, 1, LF_DEPTH_RQ, LFP_NONE, 0, 0, 0)

/* lfk_add (add.c): x and x2 read, y written through the one act port:
 * 2 * LF_ADD_LANES byte reads per iteration (the writes go on the write
 * channel), three interleaved streams. */
#define LFP_ADD_II (2 * LF_ADD_LANES)
#define LF_PIPES_ADD(X)                                                        \
	X(add_vec, LFP_ADD_II, LF_DEPTH_RQ, LFP_ACT_RD | LFP_ACT_WR,           \
	  LFP_ADD_II, LF_ADD_LANES, 0)                                         \
	/* blocked: a chunk of x or of x2, beats in order, one burst */        \
	X(add_blk_load, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)                   \
	/* blocked add: 64 integer lanes per beat of y, in order */           \
	X(add_blk_vec, 1, LF_DEPTH_RQ, LFP_ACT_WR, 0, 1, LFP_SEQ_BEATS)        \
	/* blocked mul: LF_ADD_BLK_MUL_LANES lanes a pass, PASSES a beat */    \
	/* (an iteration a pass), into the on-chip chunk in place */          \
	X(add_blk_mul, 1, LF_DEPTH_RQ, LFP_NONE, 0, 0, 0)                      \
	/* blocked mul: the chunk's beats of y, in order, one burst */         \
	X(add_blk_st, 1, LF_DEPTH_LD, LFP_ACT_WR, 0, 1, LFP_SEQ_BEATS)         \
	/* an add's table (lf_kadd.h, add.c and the fused add): one fma */    \
	/* and its fixed point an entry, on chip, once per descriptor */      \
	X(qadd_tab, 1, LF_DEPTH_RQ, LFP_NONE, 0, 0, 0)

/* lfk_engine's own (engine.c): the checksum op (LF_KOP_CSUM, lf_csum.h). */
#define LF_PIPES_ENGINE(X)                                                     \
	/* the range's beats in order, 32 lanes of two 32-bit adds each */    \
	X(csum_beats, 1, LF_DEPTH_LD, LFP_ACT_RD, 1, 0, LFP_SEQ_BEATS)         \
	/* the 32 lanes' sums into the 4-word digest: on chip */               \
	X(csum_fold, 1, LF_DEPTH_LD, LFP_NONE, 0, 0, 0)

/*
 * Overlap regions: a loop under `#pragma HLS DATAFLOW` in UG1399's
 * canonical "dataflow inside a loop" form (hls/README.md "Overlap"), whose
 * body is one call per stage. Vitis HLS runs the calls as concurrent
 * processes with ping-pong (PIPO) channels between them, so stage s of
 * iteration i runs beside stage s - 1 of iteration i + 1.
 *   LF_OVL_REGIONS(X): X(region, stages)    the loop's label, its calls
 *   LF_OVERLAP(X):     X(region, stage, kind, member)
 *     kind LOOP: member is a pipelined loop of the table above that the
 *     stage's call runs; kind REGION: a nested overlap region it runs.
 * The model runs the stages in lockstep: step k runs stage s of
 * iteration k - s for every s, and costs the slowest of them (each with
 * its own fill and drain: depth and latency per invocation), or the bank
 * time of all of them together if that is more (the stages share the
 * DRAM: worst case, one bank). A region of n iterations and S stages is
 * n + S - 1 steps: the first and last S - 1 are the fill and the drain.
 * Per-loop figures then count each step's cycles against the loops of
 * the stage that set them (the critical path); the others' cycles in that
 * step are hidden. A loop that runs in a region it is no member of is
 * charged as if no region ran (one after the other). scripts/hls-lint
 * checks the claim: the region's loop is canonical (one call per stage,
 * nothing else, channels with one writer before one reader) and each
 * member runs in its stage's call.
 * Comments inside the tables stay on one line (scripts/hls-lint).
 */
#define LF_OVL_REGIONS(X)                                                      \
	/* one band of output rows (of an image) per iteration: its */        \
	/* input rows load while the previous band computes */                \
	X(blk_bands, 2)                                                        \
	/* one 64-channel output block of a band per iteration: its */        \
	/* weights and records load while the previous block computes */      \
	X(blk_obs, 2)                                                          \
	/* one output row per iteration: MAC beside the previous store */     \
	X(blk_rows, 2)
#define LF_OVERLAP(X)                                                          \
	X(blk_bands, 0, LOOP, blk_load_x)                                      \
	X(blk_bands, 0, LOOP, blk_xf_load)                                     \
	X(blk_bands, 0, LOOP, blk_xf_cols)                                     \
	X(blk_bands, 1, REGION, blk_obs)                                       \
	X(blk_obs, 0, LOOP, blk_rec)                                           \
	X(blk_obs, 0, LOOP, blk_load_w)                                        \
	X(blk_obs, 0, LOOP, blk_cst)                                           \
	X(blk_obs, 0, LOOP, blk_w0_cp)                                         \
	X(blk_obs, 1, REGION, blk_rows)                                        \
	X(blk_rows, 0, LOOP, blk_mac)                                          \
	X(blk_rows, 0, LOOP, blk_dw_mac)                                       \
	X(blk_rows, 1, LOOP, blk_store)                                        \
	X(blk_rows, 1, LOOP, blk_store_add)                                    \
	X(blk_rows, 1, LOOP, blk_store_pool)                                   \
	X(blk_rows, 1, LOOP, pool_blk_vst)

/* lfk_engine runs the four datapaths: all of them. */
#define LF_PIPES(X)                                                            \
	LF_PIPES_DESC(X)                                                       \
	LF_PIPES_CONV2D(X) LF_PIPES_MATMUL(X) LF_PIPES_POOL(X) LF_PIPES_ADD(X)  \
	LF_PIPES_ENGINE(X)

/*
 * The counters: host C only (the emulator). In HLS and OpenCL builds the
 * macros compile to nothing and the labels are plain C labels.
 *   LF_PIPE_BEGIN(label);   before the loop's label: a local trip counter
 *   LF_PIPE(label);         first statement of the loop body
 *   LF_PIPE_END(label);     after the loop: charges the invocation
 *   LF_PIPE_END_PORT(label, port)   the same, for a loop whose port the
 *                                   caller chooses (mm_load_b)
 *   LF_PIPE_END_DEPTH(label, more)  the same, @more cycles deeper this
 *                                   invocation (a store loop with an
 *                                   output table: LF_DEPTH_LUT)
 *   LF_DESC_DONE();         a descriptor checked (its status word to come)
 *   LF_DESC_PEEK();         the next descriptor checked ahead (a blocked
 *                           conv's LF_DF_WPRE): its check's cycles, no
 *                           descriptor counted
 *   LF_DESC_END();          a descriptor finished (each kernel top's
 *                           descriptor loop, after its status word):
 *                           marks where its cycles end, so the emulator
 *                           can give every descriptor its own count
 * The trip counter is a local the compiler keeps in a register (or
 * derives from the loop's induction variable), so counting costs one
 * call per invocation, not per iteration.
 */
#if !defined(LF_OPENCL) && !defined(LF_HLS)
#define LFP_ID(label, ii, depth, port, rd, wr, seq) LFP_##label,
enum lfp_id { LF_PIPES(LFP_ID) LFP_COUNT };
#undef LFP_ID
#define LFP_CONST(label, ii, depth, port, rd, wr, seq)                         \
	LFP_II_##label = (ii), LFP_DEPTH_##label = (depth),                    \
	LFP_PORT_##label = (port), LFP_RD_##label = (rd),                      \
	LFP_WR_##label = (wr), LFP_SEQ_##label = (seq),
enum lfp_const { LF_PIPES(LFP_CONST) LFP_CONST_END };
#undef LFP_CONST

/* The kernel ABI's m_axi ports, as lfk_mem_set numbers them. */
#define LFP_PORT_DESC	0
#define LFP_PORT_PARAMS 1
#define LFP_PORT_ACT	2
#define LFP_NPORTS	3

/* Bytes one beat of the desc port moves (lf_kdesc.h: 32-bit words). */
#define LFP_BEAT_BYTES_DESC 4

/*
 * Per label, per thread: invocations, iterations, cycles, and the cycles
 * of those the memory side set (memory above ii * (trips - 1)).
 */
struct lfk_pipe_stat {
	lf_u64 calls;
	lf_u64 iters;
	lf_u64 cycles;
	lf_u64 mem_stall;
};
extern _Thread_local struct lfk_pipe_stat lfk__pipe[LFP_COUNT];
extern _Thread_local lf_u64 lfk__descs;

/*
 * The memory behind each port for the current run (lfk_mem_set): bank
 * bytes per kernel cycle this CU's share gets (0: the bank is not
 * modeled), bank efficiency for bursts and for single transactions, and
 * the bytes one DRAM transaction moves at least.
 */
struct lfk_mem {
	float bpc[LFP_NPORTS];
	float eff_burst, eff_single;
	lf_u32 atom;
};
extern _Thread_local struct lfk_mem lfk__mem;

/*
 * Overlap regions (LF_OVERLAP above): region ids, and a member's id (a
 * loop's LFP_ id, a nested region's LFP_COUNT + LFR_ id).
 */
#define LFR_ID(region, stages) LFR_##region,
enum lfr_id { LF_OVL_REGIONS(LFR_ID) LFR_COUNT };
#undef LFR_ID
#define LFO_ID_LOOP(m)	 (LFP_##m)
#define LFO_ID_REGION(m) (LFP_COUNT + LFR_##m)
#define LFO_NID		 (LFP_COUNT + LFR_COUNT)
#define LFO_STAGES	 3 /* stages of a region at most */
#define LFO_DEPTH	 3 /* regions nested at most */

/* Cycles, memory stall and bank cycles of a member in one stage. */
struct lfk_ovl_cost {
	lf_u64 cyc, stall, bank;
};
/*
 * A running region: this iteration's costs per stage and member, and the
 * pending steps (step base + j in q[(base + j) % stages]).
 */
struct lfk_ovl_frame {
	lf_u32 region, stages, base;
	struct lfk_ovl_cost cur[LFO_STAGES][LFO_NID];
	struct lfk_ovl_cost q[LFO_STAGES][LFO_STAGES][LFO_NID];
};
struct lfk_ovl {
	lf_u32 depth, over; /* frames in use; regions past LFO_DEPTH */
	struct lfk_ovl_frame f[LFO_DEPTH];
};
extern _Thread_local struct lfk_ovl lfk__ovl;
/*
 * Charges @cyc cycles (@stall of them memory stall, @bank the bank's
 * share) of loop @id: to the innermost running region's stage it is a
 * member of, else to the loop's counters and the clock (cycles.c).
 */
void lfk__charge(lf_u32 id, lf_u64 cyc, lf_u64 stall, lf_u64 bank);
void lfk__ovl_begin(lf_u32 region);
void lfk__ovl_step(lf_u32 region);
void lfk__ovl_end(lf_u32 region);

/* Cycles the memory side needs for one direction's @beats on @port. */
LF_INLINE float lfk__mem_dir(lf_u64 beats, lf_u32 seq, lf_u32 port,
			     lf_u64 *port_cycles)
{
	lf_u64 tr = seq ? (beats + LF_AXI_BURST - 1) / LF_AXI_BURST : beats;
	lf_u64 p = (tr * LF_LAT_MEM + LF_AXI_OUTSTANDING - 1) /
		   LF_AXI_OUTSTANDING;
	if (p < beats)
		p = beats;
	if (p > *port_cycles)
		*port_cycles = p;
	float bpc = lfk__mem.bpc[port];
	if (!(bpc > 0.0f))
		return 0.0f;
	/* A whole-beat access moves a beat's bytes at the bank; a byte or
	 * word accessor one byte each (its transaction's atom counts below). */
	lf_u64 bytes = beats * (port == LFP_PORT_DESC ? LFP_BEAT_BYTES_DESC
				: seq == LFP_SEQ_BEATS ? LF_BLK_LANES
						       : 1);
	lf_u64 dram = tr * lfk__mem.atom;
	if (dram < bytes)
		dram = bytes;
	float eff = seq ? lfk__mem.eff_burst : lfk__mem.eff_single;
	return (float)dram / (bpc * eff);
}

/* One invocation of loop @id that ran @trips iterations. */
LF_INLINE void lfk__pipe_end(lf_u32 id, lf_u32 trips, lf_u32 ii,
			     lf_u32 depth, lf_u32 port, lf_u32 rd, lf_u32 wr,
			     lf_u32 seq)
{
	if (trips == 0)
		return;
	lf_u64 compute = (lf_u64)ii * (trips - 1);
	lf_u64 mem = 0, b_bank = 0;
	if (rd | wr) {
		lf_u32 pi = (port & (LFP_ACT_RD | LFP_ACT_WR)) ? LFP_PORT_ACT
			    : (port & LFP_DESC_RD)		  ? LFP_PORT_DESC
								  : LFP_PORT_PARAMS;
		float bank = 0.0f;
		if (rd)
			bank += lfk__mem_dir((lf_u64)rd * trips, seq, pi, &mem);
		if (wr)
			bank += lfk__mem_dir((lf_u64)wr * trips, seq, pi, &mem);
		lf_u64 b = (lf_u64)bank;
		if ((float)b < bank)
			b++;
		if (b > mem)
			mem = b;
		b_bank = b;
	}
	lf_u64 c = (lf_u64)depth + (mem > compute ? mem : compute);
	if (rd)
		c += LF_LAT_MEM;
	lfk__pipe[id].calls++;
	lfk__pipe[id].iters += trips;
	lfk__charge(id, c, mem > compute ? mem - compute : 0, b_bank);
}

#define LF_PIPE_BEGIN(label) lf_u32 lfp__##label = 0
#define LF_PIPE(label)	     (lfp__##label++)
#define LF_PIPE_END_PORT(label, port)                                          \
	lfk__pipe_end(LFP_##label, lfp__##label, LFP_II_##label,               \
		      LFP_DEPTH_##label, (port), LFP_RD_##label,               \
		      LFP_WR_##label, LFP_SEQ_##label)
#define LF_PIPE_END(label) LF_PIPE_END_PORT(label, LFP_PORT_##label)
#define LF_PIPE_END_DEPTH(label, more)                                         \
	lfk__pipe_end(LFP_##label, lfp__##label, LFP_II_##label,               \
		      LFP_DEPTH_##label + (more), LFP_PORT_##label,            \
		      LFP_RD_##label, LFP_WR_##label, LFP_SEQ_##label)
#define LF_DESC_DONE()	   (lfk__descs++, lfk__cycles += LF_DESC_CYCLES)
#define LF_DESC_PEEK()	   (lfk__cycles += LF_DESC_CYCLES)
/*
 * Overlap regions: LF_OVL_BEGIN(region) before the DATAFLOW loop,
 * LF_OVL_STEP(region) last in its body, LF_OVL_END(region) after it.
 */
#define LF_OVL_BEGIN(region) lfk__ovl_begin(LFR_##region)
#define LF_OVL_STEP(region)  lfk__ovl_step(LFR_##region)
#define LF_OVL_END(region)   lfk__ovl_end(LFR_##region)

/*
 * Per-descriptor marks: the counter at the end of each descriptor of the
 * run, in order (LF_DESC_END). Up to LFK_DESC_MARKS are kept; past that
 * the count still grows, so a reader sees that the figures are partial.
 */
#define LFK_DESC_MARKS 4096
extern _Thread_local lf_u64 lfk__desc_end[LFK_DESC_MARKS];
extern _Thread_local lf_u32 lfk__ndesc_end;
LF_INLINE void lfk__desc_end_mark(void)
{
	if (lfk__ndesc_end < LFK_DESC_MARKS)
		lfk__desc_end[lfk__ndesc_end] = lfk__cycles;
	if (lfk__ndesc_end != 0xffffffffu)
		lfk__ndesc_end++;
}
#define LF_DESC_END() lfk__desc_end_mark()

/*
 * Per-label statistics of the calling thread since the last
 * lfk_cycles_reset(): fills *out and returns 1, or returns 0 for an id
 * >= LFP_COUNT (cycles.c).
 */
int lfk_pipe_stats(lf_u32 id, struct lfk_pipe_stat *out);
/* The label of entry @id ("conv_mac"), or 0 past the table. */
const char *lfk_pipe_name(lf_u32 id);
/*
 * The calling thread's descriptors since the last lfk_cycles_reset(): the
 * number that finished (LF_DESC_END), and the cycles of each (the counter
 * between its end and the previous one's, the first from the reset) into
 * @out[0 .. min(count, @max) - 1]. When more than LFK_DESC_MARKS
 * finished it returns 0 and writes nothing: the marks past it were not
 * kept, and partial figures would mislead.
 */
lf_u32 lfk_desc_cycles(lf_u64 *out, lf_u32 max);
/*
 * The calling thread's memory for the runs that follow: bank bytes per
 * kernel cycle behind port @port (LFP_PORT_*; 0: not modeled), bank
 * efficiency of bursts and of single transactions (0 < eff <= 1), bytes
 * of the smallest DRAM transaction. Returns 0 for a bad argument (nothing
 * changed), 1 when set. The emulator calls it before each run.
 */
int lfk_mem_set(lf_u32 port, float bytes_per_cycle, float eff_burst,
		float eff_single, lf_u32 atom);
/*
 * The barrier of lf_desc.h "Barrier" in the host-C build: the emulator
 * gives each CU thread a function that returns once all @k CUs of the
 * ring have arrived (1), or 0 when the barrier cannot complete (an
 * abort), and sets *cycles, the caller's counter on arrival, to the
 * count at which the last CU arrived (on the device clock: the CUs'
 * runs may have started at other times). NULL: no ring (a kernel run
 * outside the emulator), every barrier fails. lfk__sync() calls it and
 * adds LF_SYNC_CYCLES.
 */
/* hls-lint: allow function-pointer -- host C only, the emulator's hook */
typedef int (*lfk_sync_fn)(void *ctx, lf_u32 k, lf_u64 *cycles);
void lfk_sync_set(lfk_sync_fn fn, void *ctx);
int lfk__sync(lf_u32 k);
#else
#define LF_PIPE_BEGIN(label)	      ((void)0)
#define LF_PIPE(label)		      ((void)0)
#define LF_PIPE_END_PORT(label, port) ((void)0)
#define LF_PIPE_END_DEPTH(label, more) ((void)0)
#define LF_PIPE_END(label)	      ((void)0)
#define LF_DESC_DONE()		      ((void)0)
#define LF_DESC_PEEK()		      ((void)0)
#define LF_DESC_END()		      ((void)0)
#define LF_OVL_BEGIN(region)	      ((void)0)
#define LF_OVL_STEP(region)	      ((void)0)
#define LF_OVL_END(region)	      ((void)0)
#endif

#endif /* LF_PIPES_H */
