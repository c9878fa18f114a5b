/*
 * lf_config.h - compile-time parameters of the kernels: parallelism, on-chip
 * buffer sizes and the largest layer one descriptor may describe.
 *
 * Every value can be overridden with -D (v++ --compile ... -DLF_CONV_PE_OC=8,
 * `make CFLAGS=-DLF_CONV_PE_OC=8`, or the -D options of clBuildProgram). The
 * built xclbin records the values through LF_LIMITS (limits_dump.c prints
 * them, bitstreams/ embeds the text); the host library plans tiles from
 * what the loaded xclbin says, never from this header.
 *
 * A descriptor that breaks one of the limits below is rejected with
 * LF_KST_LIMIT before anything is read or written; the host splits the layer
 * and tries again. The exact acceptance rules are in hls/README.md.
 */
#ifndef LF_CONFIG_H
#define LF_CONFIG_H

/* Kernel clock the design is meant to close timing at (MHz). */
#ifndef LF_CLOCK_MHZ
#define LF_CLOCK_MHZ 250
#endif

/* --- lfk_conv2d ---------------------------------------------------------
 * The PE array is LF_CONV_PE_OC output channels x LF_CONV_PE_K input
 * channels: each cycle it multiplies one kernel tap of PE_K input channels
 * by the matching weights of PE_OC output channels.
 */
#ifndef LF_CONV_PE_OC
#define LF_CONV_PE_OC 16
#endif
#ifndef LF_CONV_PE_K
#define LF_CONV_PE_K 16
#endif
/*
 * Weights held on chip per output channel: kh * kw * round_up(ic/groups,
 * PE_K). 4608 = 3x3x512, the largest reduction of VGG and ResNet-50.
 */
#ifndef LF_CONV_KMAX
#define LF_CONV_KMAX 4608
#endif
/*
 * Input tile buffer, in vectors of PE_K channels: kh rows x the columns an
 * output tile needs x round_up(ic/groups, PE_K) / PE_K. 4096 vectors hold a
 * 3x3 tile over 512 channels 40 output pixels wide.
 */
#ifndef LF_CONV_XVEC
#define LF_CONV_XVEC 4096
#endif
/* Output pixels (along a row) computed per input tile. */
#ifndef LF_CONV_TW_MAX
#define LF_CONV_TW_MAX 64
#endif
/* Bytes per input read beat: one 512-bit AXI beat. */
#ifndef LF_CONV_BEAT
#define LF_CONV_BEAT 64
#endif
/* n, ic, oc, ih, iw, oh, ow and each pad. */
#ifndef LF_CONV_DIM_MAX
#define LF_CONV_DIM_MAX 65535
#endif
/* kh and kw. */
#ifndef LF_CONV_KDIM_MAX
#define LF_CONV_KDIM_MAX 32
#endif
/* stride_h, stride_w, dil_h and dil_w. */
#ifndef LF_CONV_STEP_MAX
#define LF_CONV_STEP_MAX 255
#endif

/* --- lfk_conv2d, blocked datapath (LF_DF_BLK, hls/lf_conv_blk.h) ----------
 * The PE array is LF_BLK_PIX output pixels x LF_BLK_IC input channels x
 * LF_BLK_OC output channels: each cycle it multiplies IC channels of one
 * tap of PIX pixels (IC lanes of a 64-channel beat) by the matching
 * weights of OC output channels. IC and OC divide 64.
 */
#ifndef LF_BLK_PIX
#define LF_BLK_PIX 4
#endif
#ifndef LF_BLK_IC
#define LF_BLK_IC 32
#endif
#ifndef LF_BLK_OC
#define LF_BLK_OC 16
#endif
/*
 * Weight beats of one output channel held on chip: kh * kw * icb (icb =
 * ceil(ic / 64)); the buffer holds a 64-output-channel block, 4 KiB per
 * unit. 49 = the 7x7 stem; 72 = 3x3 over 512 channels (ResNet layer4).
 */
#ifndef LF_BLK_WBEATS
#define LF_BLK_WBEATS 49
#endif
/* Line buffer, in beats: whole input rows of icb * iw beats, at least
 * min((kh - 1) * dil_h + 1, ih) of them. */
#ifndef LF_BLK_LBEATS
#define LF_BLK_LBEATS 512
#endif
/*
 * The line buffer of the OpenCL build of the same xclbin (the portable
 * flavour of driver/opencl, PoCL in the tests): the OpenCL backend builds
 * the kernels with LF_BLK_LBEATS = min(LF_BLK_LBEATS, this) and tells the
 * host that value, as the buffer is __local there and PoCL offers 512 KiB
 * of it in all (hls/README.md "On-chip memory in the OpenCL build"); the
 * hardware builds' line buffer is UltraRAM, whose depth is free up to 4096
 * words a bank (bitstreams/aws-f1/params.mk). Bands are shorter in that
 * build, the bytes the same.
 */
#ifndef LF_BLK_LBEATS_OCL
#define LF_BLK_LBEATS_OCL LF_BLK_LBEATS
#endif
/*
 * Resident first block (lf_conv_blk.h blk_run, hls/README.md "Resident
 * first block"): a dense conv of several bands loads its first output
 * block's weights and constants once, before its bands, into a buffer of
 * its own (bw0buf) in LF_BLK_WRES banks of 512-bit words, and each band's
 * first block copies them from there (blk_w0_cp, LF_BLK_WRES beats a
 * cycle) instead of reading params again: that load is the one of a band
 * that overlaps nothing (blk_obs's fill). 0: off (every band loads it).
 * At most LF_BLK_OC (the copy writes distinct weight banks a cycle), a
 * divisor of 64 (a block's weights are a multiple of 64 beats). In the
 * hardware builds UltraRAM: LF_BLK_WRES banks of 8 URAM288
 * (bitstreams/<p>/params.mk, make hw-budget).
 */
#ifndef LF_BLK_WRES
#define LF_BLK_WRES 8
#endif
/*
 * The same in the OpenCL build of an xclbin (driver/opencl's portable
 * flavour takes min(LF_BLK_WRES, this), as for LF_BLK_LBEATS_OCL): there
 * the buffer would be __local, up to 288 KiB more of PoCL's 512 KiB, so
 * 0 (off); the bytes are the same either way. An OpenCL C compile without
 * -D options (the tests' direct builds) gets it too (LF_BLK_W0B below).
 */
#ifndef LF_BLK_WRES_OCL
#define LF_BLK_WRES_OCL 0
#endif
/* The banks this compile builds: OpenCL C takes the smaller twin. */
#if defined(__OPENCL_C_VERSION__) && LF_BLK_WRES_OCL < LF_BLK_WRES
#define LF_BLK_W0B LF_BLK_WRES_OCL
#else
#define LF_BLK_W0B LF_BLK_WRES
#endif
/* bw0buf's beats (one when off) and its partition factor (>= 1). */
#define LF_BLK_W0BEATS (LF_BLK_W0B > 0 ? LF_BLK_WBEATS * 64 : 1)
#define LF_BLK_W0F     (LF_BLK_W0B > 0 ? LF_BLK_W0B : 1)
/* iw and ow (the accumulator row holds ow pixels x 64 channels). */
#ifndef LF_BLK_IW_MAX
#define LF_BLK_IW_MAX 64
#endif
/*
 * stride_h and stride_w: the line buffer is banked by column mod 2 * PIX,
 * so the PIX pixels a cycle reads (columns sw apart) hit distinct banks
 * for sw <= 2 only. Not a -D parameter.
 */
#define LF_BLK_STRIDE_MAX 2
/* Line-buffer banks (cyclic over beats): PIX pixels sw <= 2 columns apart
 * fall in distinct banks. */
#define LF_BLK_LB_BANKS (2 * LF_BLK_PIX)
/*
 * 1: the blocked conv also takes depthwise descriptors (groups == ic ==
 * oc; lf_desc.h), the limits key lfk_conv2d.blk_dw the host checks. Set
 * by the source (lf_conv_blk.h's blk_dw_mac), not a -D parameter.
 */
#define LF_BLK_DW 1
/*
 * 1: lfk_conv2d takes LF_DF_LUT (lf_desc.h "Output table": an 8-bit
 * output's bytes through a 256-entry table), in the NCHW and the blocked
 * datapath; the limits key lfk_conv2d.lut the host checks. Set by the
 * source (conv2d.c conv_lut_load, lf_conv_blk.h blk_store), not a -D
 * parameter.
 */
#define LF_CONV_LUT 1
/*
 * 1: the blocked conv takes LF_DF_YCB (lf_desc.h "Placed output": its
 * images y_cb channel blocks apart, an output placed in a concat's); the
 * limits key lfk_conv2d.blk_ycb the host checks. Set by the source
 * (lf_conv_blk.h blk_check, blk_store), not a -D parameter.
 */
#define LF_BLK_YCB 1
/*
 * 1: the blocked conv takes LF_DF_ADD (lf_desc.h "Fused add": a residual
 * QLinearAdd in its store, blk_store_add); the limits key
 * lfk_conv2d.blk_add the host checks. Set by the source (lf_conv_blk.h
 * blk_check, blk_store), not a -D parameter.
 */
#define LF_BLK_ADD 1
/*
 * The blocked conv's folded-input row buffer (LF_DF_XFOLD, lf_desc.h
 * "Folded input"), in beats: the most beats of one compact input row
 * (xrb) it takes, 64 = 4 KiB (ResNet's 224-wide stem: 11). The limits
 * key lfk_conv2d.blk_xfold (0 in a build without it). Set by the source
 * (lf_conv_blk.h blk_load_xf: a private array there, in LUTRAM), not a -D
 * parameter.
 */
#define LF_BLK_XF_BEATS 64
/*
 * The blocked conv's fused max pool (LF_DF_POOL, lf_desc.h "Fused max
 * pool"): the most pixels of a conv output row it takes, which its two
 * pooled-row accumulators hold: the blocked pool's row buffers (in
 * lfk_engine the pool's and the blocked add's, lent to the conv). The
 * limits key lfk_conv2d.blk_pool (0 in a build without it). Set by the
 * source (lf_conv_blk.h blk_store_pool), not a -D parameter.
 */
#define LF_BLK_POOL LF_POOL_BLK_ROW
/*
 * The depthwise unit (lf_conv_blk.h blk_dw_mac) takes, each cycle, one
 * tap row of LF_BLK_DW_KW tap columns for LF_BLK_DW_PIX output pixels of
 * 64 channels: LF_BLK_DW_PIX * LF_BLK_DW_KW * 64 multipliers. The columns
 * one cycle reads, LF_BLK_DW_SPAN consecutive beats of one line-buffer
 * row ((DW_PIX - 1) * stride + DW_KW at dilation 1; a dilated layer uses
 * one tap column a cycle), fall in distinct banks of the line buffer's
 * LF_BLK_LB_BANKS for strides up to LF_BLK_STRIDE_MAX: DW_PIX is the
 * most pixels that allows (PIX - 1; 3 on F1, 6 on F2). Derived, not -D.
 */
#define LF_BLK_DW_KW (LF_BLK_LB_BANKS >= 3 ? 3 : 1)
#define LF_BLK_DW_PIX                                                          \
	((LF_BLK_LB_BANKS - LF_BLK_DW_KW) / LF_BLK_STRIDE_MAX + 1)
#define LF_BLK_DW_SPAN                                                         \
	((LF_BLK_DW_PIX - 1) * LF_BLK_STRIDE_MAX + LF_BLK_DW_KW)

/* --- lfk_matmul ---------------------------------------------------------
 * The PE array is LF_MM_PE_N output columns x LF_MM_PE_K reduction lanes.
 */
#ifndef LF_MM_PE_N
#define LF_MM_PE_N 16
#endif
#ifndef LF_MM_PE_K
#define LF_MM_PE_K 16
#endif
/* Reduction length k held on chip for PE_N columns of B (BERT-large FFN). */
#ifndef LF_MM_KMAX
#define LF_MM_KMAX 4096
#endif
/* batch, m and n. */
#ifndef LF_MM_DIM_MAX
#define LF_MM_DIM_MAX 65535
#endif

/* --- lfk_pool ------------------------------------------------------------
 * Max / average pooling. A window row of the input tile is read into a row
 * buffer of LF_POOL_ROW bytes (one AXI beat of LF_CONV_BEAT bytes per
 * cycle), then reduced into LF_POOL_TW_MAX output columns, one (tap,
 * column) per cycle. The global average (kernel = image, no padding) does
 * not use the row buffer: it sums LF_CONV_BEAT bytes per cycle.
 */
#ifndef LF_POOL_TW_MAX
#define LF_POOL_TW_MAX 64
#endif
/* Row buffer: (kw - 1) * dil_w + 1 must fit (any tile of 1 column). */
#ifndef LF_POOL_ROW
#define LF_POOL_ROW 4096
#endif
/* n, c, ih, iw, oh, ow and each pad. */
#ifndef LF_POOL_DIM_MAX
#define LF_POOL_DIM_MAX 65535
#endif
/* kh and kw of a windowed pool (the global average is exempt). */
#ifndef LF_POOL_KDIM_MAX
#define LF_POOL_KDIM_MAX 255
#endif
/* stride_h, stride_w, dil_h and dil_w. */
#ifndef LF_POOL_STEP_MAX
#define LF_POOL_STEP_MAX 255
#endif

/*
 * Blocked pooling (LF_DF_BLK): one window row of a tile of output columns
 * is read into a row buffer of LF_POOL_BLK_ROW pixels, one 64-channel beat
 * each, then reduced 64 lanes at a time into LF_POOL_BLK_TW columns. Rows
 * of any width are cut into tiles; (kw - 1) * dil_w + 1 must fit. The
 * blocked add uses a buffer of the same shape for its chunks of x and of
 * x2 (lfk_engine shares the row buffer: the datapaths never run at once).
 * Blocked max pooling over rows of 4 .. LF_POOL_BLK_ROW pixels streams
 * instead where its window allows (pool.c pool_blk_rows): two row
 * accumulators of this shape, rbb and, in lfk_engine, the add's chunk of
 * x2. Sized so that lfk_engine with every datapath fits PoCL's 512 KB of
 * local memory in the OpenCL build (hls/README.md).
 */
#ifndef LF_POOL_BLK_ROW
#define LF_POOL_BLK_ROW 128
#endif
#ifndef LF_POOL_BLK_TW
#define LF_POOL_BLK_TW 32
#endif
/*
 * Blocked max pooling with dil_w 1 and kw <= LF_POOL_BLK_KWP reduces all
 * kw taps of a column in one cycle (pool.c pool_blk_maxw): the row buffer
 * is cyclic by LF_POOL_BLK_KWP pixels, so kw consecutive pixels are in
 * distinct banks. Set by the source, not a -D parameter.
 */
#define LF_POOL_BLK_KWP 4
#if LF_POOL_BLK_ROW % LF_POOL_BLK_KWP != 0
#error "LF_POOL_BLK_ROW must be a multiple of LF_POOL_BLK_KWP"
#endif

/* --- lfk_add --------------------------------------------------------------
 * QLinearAdd and QLinearMul. NCHW (add_vec): LF_ADD_LANES elements per
 * iteration, each lane both an add (in integers) and a mul (a float32
 * multiply and add, lf_kadd.h); x and x2 share the act read port as bytes, so an
 * iteration takes 2 * LF_ADD_LANES cycles: the throughput is one element
 * every two cycles whatever the lane count (fewer lanes cost no cycles,
 * only hardware; bitstreams/aws-f1/params.mk).
 * Blocked (LF_DF_BLK): the add takes a 64-channel beat a cycle in 64
 * integer lanes (add_blk_vec); the mul LF_ADD_BLK_MUL_LANES lanes, a beat
 * in 64 / LF_ADD_BLK_MUL_LANES passes (add_blk_mul; its float multiply
 * and add are the fabric's largest lanes, scripts/hw-config-check).
 */
#ifndef LF_ADD_LANES
#define LF_ADD_LANES 16
#endif
#ifndef LF_ADD_BLK_MUL_LANES
#define LF_ADD_BLK_MUL_LANES 16
#endif
#if LF_ADD_BLK_MUL_LANES < 1 || 64 % LF_ADD_BLK_MUL_LANES != 0
#error "LF_ADD_BLK_MUL_LANES must divide 64 (a beat's channels)"
#endif
/* Passes of the blocked mul over one beat. */
#define LF_ADD_BLK_MUL_PASSES (64 / LF_ADD_BLK_MUL_LANES)
/* n, c, h and w. */
#ifndef LF_ADD_DIM_MAX
#define LF_ADD_DIM_MAX 65535
#endif

/* --- lfk_engine -----------------------------------------------------------
 * Runs descriptors of every op with the datapaths above (engine.c), so it
 * has no buffer or array of its own: each op's limits are those of its
 * kernel. The ops it runs as a bit mask, bit k for enum lf_kop value k
 * (lf_desc.h): conv2d 1, matmul 2, maxpool 3, avgpool 4, add 5, mul 6
 * (add.c's datapath).
 */
#define LF_ENGINE_OPS                                                          \
	((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6))
/*
 * The ops whose datapaths accept LF_DF_BLK (lf_desc.h "Blocked layout"),
 * the same bit mask; 0 while a build has none. Each blocked datapath adds
 * its bit here and its limits to LF_LIMITS as `<kernel>.blk_*` keys: for
 * conv2d `lfk_conv2d.blk_wbeats` (the largest kh * kw * icb, one output
 * channel's weight beats, it buffers) and `lfk_conv2d.blk_iw_max`, for
 * pooling `lfk_pool.blk_iw_max` (the widest input row). The host treats a
 * key it does not find as "not supported". Not a -D parameter: the
 * source decides it. (The OpenCL build's -D table is generated from
 * LF_LIMITS and LF_PARAMS, driver/opencl/ocl_program.c: a key whose value
 * is one LF_PARAMS parameter is passed as that -D, any other is derived.)
 */
#define LF_ENGINE_BLK_OPS                                                      \
	((1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6))
/*
 * 1: the blocked datapaths (conv2d, pooling, add, mul) compute the part of
 * a layer a descriptor's y_rows and y_blks give (lf_desc.h "Part of a
 * layer"); the limits key lfk_engine.blk_range the host checks before it
 * splits a layer across CUs. Set by the source (lfk_part in lf_kutil.h,
 * lf_conv_blk.h blk_band_at, pool.c pool_run, add.c add_blk_run), not a
 * -D parameter.
 */
#define LF_ENGINE_BLK_RANGE 1
/*
 * 1: lfk_engine runs the checksum op LF_KOP_CSUM (lf_desc.h, the formula
 * in lf_csum.h; engine.c csum_layer); the limits key lfk_engine.csum the
 * host checks before it replaces a run's read-backs with it
 * (hostlib/exec/README.md). Set by the source, not a -D parameter; not a
 * bit of LF_ENGINE_OPS, which the host requires whole.
 */
#define LF_ENGINE_CSUM 1
/*
 * The size of the barrier ring between lfk_engine CUs (lf_desc.h
 * "Barrier": a descriptor's k must equal it), 0 for a build without one,
 * which refuses k >= 2 (LF_KST_BAD_OP). The hardware builds set it to
 * their engine CUs where link.cfg lets every CU's act port reach one
 * shared bank (bitstreams/aws-f1/params.mk). The OpenCL C build has none
 * whatever -D says: work-items of separate launches cannot wait for each
 * other there (lf_kutil.h lfk_part_refused).
 */
#ifndef LF_ENGINE_SYNC
#define LF_ENGINE_SYNC 0
#endif
/*
 * Cycles of a barrier beyond the wait for the slowest CU: the response
 * to the layer's last write (the flag must not pass its data), the flag
 * beat's write and its response, one poll of the k flags (a read burst):
 * about three memory latencies. An estimate, like LF_LAT_MEM itself;
 * unverified without a card.
 */
#define LF_SYNC_CYCLES (3 * LF_LAT_MEM + LF_ENGINE_SYNC)
/* Rounds of a barrier's poll before it gives up (HLS: about 4 s at
 * 250 MHz with a memory latency a round). */
#define LF_SYNC_POLLS (1u << 24)

/* --- cycle model (the table in lf_pipes.h) --------------------------------
 * Latency of an AXI read burst to its first beat, pipeline depths of the
 * load/copy, MAC and requantization loops, the latency of a float32 adder
 * (the II of a loop that carries a float sum through a variable), and the
 * cost of checking one descriptor and writing its status. Estimates for a
 * 250 MHz UltraScale+ design, not measurements: no csynth run here
 * (hls/README.md).
 * LF_LAT_FADD: Vitis HLS schedules a float add in several cycles at these
 * clocks; 5 is the upper end of the 4-5 the kernel review (issue 11)
 * estimates.
 */
#ifndef LF_LAT_MEM
#define LF_LAT_MEM 64
#endif
#ifndef LF_DEPTH_LD
#define LF_DEPTH_LD 2
#endif
#ifndef LF_DEPTH_MAC
#define LF_DEPTH_MAC 8
#endif
#ifndef LF_DEPTH_RQ
#define LF_DEPTH_RQ 12
#endif
#ifndef LF_LAT_FADD
#define LF_LAT_FADD 5
#endif
/*
 * LF_DEPTH_LUT: what an output table (LF_DF_LUT) adds to a store loop's
 * depth: one registered read of the table (a LUTRAM per lane in the
 * blocked store) after the requantization. Not a -D parameter.
 */
#define LF_DEPTH_LUT 1
/*
 * LF_DESC_CYCLES: the straight-line work of one descriptor besides its
 * fetch (the desc_fetch loop in lf_pipes.h, 64 words): the checks, whose
 * longest chain is a 64-bit division (the output-size checks; a
 * sequential divider gives about one quotient bit per cycle) and a few
 * compares, ~72 cycles; then the status word, one write whose response
 * the next descriptor's fetch waits for, as HLS keeps a read after a write
 * on one m_axi port in order: LF_LAT_MEM.
 */
#ifndef LF_DESC_CYCLES
#define LF_DESC_CYCLES (72 + LF_LAT_MEM)
#endif
/*
 * The m_axi ports as the kernels declare them, for the memory side of the
 * model (lf_pipes.h). params and act are beat-typed (lf_beat, 64 bytes,
 * lf_kernel.h): one access is one beat, whole or partial.
 * LF_LAT_MEM above is Vitis HLS's default INTERFACE latency, 64 cycles
 * (UG1399 "Options for Controlling AXI4 Burst Behavior": "Default latency
 * in Vitis HLS is 64"); every m_axi pragma now states it (latency=).
 * LF_AXI_BURST: max_read_burst_length=64 / max_write_burst_length=64 of
 * the kernels' INTERFACE pragmas (beats per burst at most).
 * LF_AXI_OUTSTANDING: num_read_outstanding= / num_write_outstanding= of
 * every m_axi pragma (set from this macro, so pragma and model agree); 16
 * is the value Vitis HLS would assume without them (UG1399's list of
 * INTERFACE options). max_widen_bitwidth=512 on every pragma: the ports
 * are 512 bits already, it only caps what HLS may widen to.
 * scripts/hls-lint requires latency, num_read_outstanding and
 * max_widen_bitwidth on every m_axi pragma.
 */
#ifndef LF_AXI_BURST
#define LF_AXI_BURST 64
#endif
#ifndef LF_AXI_OUTSTANDING
#define LF_AXI_OUTSTANDING 16
#endif

/* Derived sizes of the on-chip arrays. */
#define LF_BLK_MACS (LF_BLK_PIX * LF_BLK_IC * LF_BLK_OC)
/* The MACs per cycle of a CU with both conv datapaths (lfk_conv2d,
 * lfk_engine): its larger array, the blocked one in every build here. */
#define LF_CONV_MACS_PEAK                                                      \
	(LF_BLK_MACS > LF_CONV_PE_OC * LF_CONV_PE_K                            \
	     ? LF_BLK_MACS                                                     \
	     : LF_CONV_PE_OC * LF_CONV_PE_K)
#define LF_CONV_KVEC (LF_CONV_KMAX / LF_CONV_PE_K)
#define LF_MM_KVEC   (LF_MM_KMAX / LF_MM_PE_K)

#if LF_CONV_PE_OC < 1 || LF_CONV_PE_K < 1 || LF_MM_PE_N < 1 || LF_MM_PE_K < 1
#error "PE array dimensions must be at least 1"
#endif
#if LF_CONV_KMAX % LF_CONV_PE_K != 0 || LF_MM_KMAX % LF_MM_PE_K != 0
#error "LF_CONV_KMAX / LF_MM_KMAX must be multiples of their PE_K"
#endif
#if LF_CONV_XVEC < 1 || LF_CONV_TW_MAX < 1 || LF_CONV_BEAT < 1
#error "conv buffer sizes must be at least 1"
#endif
#if LF_BLK_PIX < 1 || LF_BLK_IC < 1 || LF_BLK_OC < 1 ||                      \
    64 % LF_BLK_IC != 0 || 64 % LF_BLK_OC != 0 || LF_BLK_WBEATS < 1 ||         \
    LF_BLK_LBEATS < 1 || LF_BLK_LBEATS_OCL < 1 || LF_BLK_IW_MAX < 1 ||       \
    LF_BLK_IW_MAX > 65535
#error "blocked conv: PIX, IC, OC >= 1, IC and OC divide 64, buffers >= 1"
#endif
#if LF_BLK_WRES < 0 || LF_BLK_WRES > LF_BLK_OC ||                             \
    (LF_BLK_WRES > 0 && 64 % LF_BLK_WRES != 0) || LF_BLK_WRES_OCL < 0 ||     \
    LF_BLK_WRES_OCL > LF_BLK_OC ||                                            \
    (LF_BLK_WRES_OCL > 0 && 64 % LF_BLK_WRES_OCL != 0)
#error "blocked conv: LF_BLK_WRES(_OCL) 0, or a divisor of 64 up to LF_BLK_OC"
#endif
#if LF_POOL_TW_MAX < 1 || LF_POOL_ROW < 1 || LF_POOL_KDIM_MAX < 1 ||          \
    LF_POOL_STEP_MAX < 1 || LF_ADD_LANES < 1 || LF_POOL_BLK_ROW < 1 ||         \
    LF_POOL_BLK_TW < 1
#error "pool / add buffer sizes and limits must be at least 1"
#endif
#if LF_CONV_DIM_MAX > 65535 || LF_CONV_STEP_MAX > 255 ||                       \
    LF_CONV_KDIM_MAX > 255 || LF_MM_DIM_MAX > 65535 ||                         \
    LF_POOL_DIM_MAX > 65535 || LF_POOL_STEP_MAX > 255 ||                       \
    LF_POOL_KDIM_MAX > 255 || LF_ADD_DIM_MAX > 65535
/* The kernels compute row/column coordinates in 32-bit signed integers. */
#error "dimension limits too large for 32-bit index arithmetic"
#endif

/*
 * LF_LIMITS(X) - every limit as X(key, value): the text recorded in the
 * xclbin, one `key=value` line each (limits_dump.c). Keys are stable; the
 * host library looks them up by name. The OpenCL backend rebuilds the
 * kernels from these lines (driver/opencl/ocl_program.c): a key whose
 * value is written as one LF_PARAMS parameter goes back to the compiler
 * as that -D; write a derived value as an expression or a macro that is
 * not in LF_PARAMS.
 */
#define LF_LIMITS(X)                                                           \
	X("clock_mhz", LF_CLOCK_MHZ)                                           \
	X("desc_bytes", LF_DESC_BYTES)                                         \
	X("lfk_conv2d.pe_oc", LF_CONV_PE_OC)                                   \
	X("lfk_conv2d.pe_k", LF_CONV_PE_K)                                     \
	X("lfk_conv2d.macs_per_cycle", LF_CONV_MACS_PEAK)                      \
	X("lfk_conv2d.kmax", LF_CONV_KMAX)                                     \
	X("lfk_conv2d.xbuf_vectors", LF_CONV_XVEC)                             \
	X("lfk_conv2d.tile_ow_max", LF_CONV_TW_MAX)                            \
	X("lfk_conv2d.beat_bytes", LF_CONV_BEAT)                               \
	X("lfk_conv2d.dim_max", LF_CONV_DIM_MAX)                               \
	X("lfk_conv2d.kdim_max", LF_CONV_KDIM_MAX)                             \
	X("lfk_conv2d.step_max", LF_CONV_STEP_MAX)                             \
	X("lfk_conv2d.blk_pix", LF_BLK_PIX)                                    \
	X("lfk_conv2d.blk_ic", LF_BLK_IC)                                      \
	X("lfk_conv2d.blk_oc", LF_BLK_OC)                                      \
	X("lfk_conv2d.blk_macs_per_cycle", LF_BLK_MACS)                        \
	X("lfk_conv2d.blk_wbeats", LF_BLK_WBEATS)                              \
	X("lfk_conv2d.blk_lbeats", LF_BLK_LBEATS)                              \
	X("lfk_conv2d.blk_lbeats_ocl", LF_BLK_LBEATS_OCL)                      \
	X("lfk_conv2d.blk_wres", LF_BLK_WRES)                                  \
	X("lfk_conv2d.blk_wres_ocl", LF_BLK_WRES_OCL)                          \
	X("lfk_conv2d.blk_iw_max", LF_BLK_IW_MAX)                              \
	X("lfk_conv2d.blk_stride_max", LF_BLK_STRIDE_MAX)                      \
	X("lfk_conv2d.blk_dw", LF_BLK_DW)                                      \
	X("lfk_conv2d.lut", LF_CONV_LUT)                                       \
	X("lfk_conv2d.blk_ycb", LF_BLK_YCB)                                    \
	X("lfk_conv2d.blk_add", LF_BLK_ADD)                                    \
	X("lfk_conv2d.blk_xfold", LF_BLK_XF_BEATS)                             \
	X("lfk_conv2d.blk_pool", LF_BLK_POOL)                                  \
	X("lfk_conv2d.blk_wpre", 1)                                            \
	X("lfk_matmul.pe_n", LF_MM_PE_N)                                       \
	X("lfk_matmul.pe_k", LF_MM_PE_K)                                       \
	X("lfk_matmul.macs_per_cycle", LF_MM_PE_N *LF_MM_PE_K)                 \
	X("lfk_matmul.kmax", LF_MM_KMAX)                                       \
	X("lfk_matmul.dim_max", LF_MM_DIM_MAX)                                 \
	X("lfk_pool.tile_ow_max", LF_POOL_TW_MAX)                              \
	X("lfk_pool.row_bytes", LF_POOL_ROW)                                   \
	X("lfk_pool.dim_max", LF_POOL_DIM_MAX)                                 \
	X("lfk_pool.kdim_max", LF_POOL_KDIM_MAX)                               \
	X("lfk_pool.step_max", LF_POOL_STEP_MAX)                               \
	X("lfk_pool.blk_iw_max", LF_POOL_DIM_MAX)                              \
	X("lfk_pool.blk_row_pixels", LF_POOL_BLK_ROW)                          \
	X("lfk_add.lanes", LF_ADD_LANES)                                       \
	X("lfk_add.blk_mul_lanes", LF_ADD_BLK_MUL_LANES)                       \
	X("lfk_add.dim_max", LF_ADD_DIM_MAX)                                   \
	X("lfk_engine.ops", LF_ENGINE_OPS)                                     \
	X("lfk_engine.blk_ops", LF_ENGINE_BLK_OPS)                             \
	X("lfk_engine.macs_per_cycle", LF_CONV_MACS_PEAK)                      \
	X("lfk_engine.blk_range", LF_ENGINE_BLK_RANGE)                         \
	X("lfk_engine.sync", LF_ENGINE_SYNC)                                   \
	X("lfk_engine.csum", LF_ENGINE_CSUM)                                   \
	X("model.lat_mem", LF_LAT_MEM)                                         \
	X("model.depth_ld", LF_DEPTH_LD)                                       \
	X("model.depth_mac", LF_DEPTH_MAC)                                     \
	X("model.depth_rq", LF_DEPTH_RQ)                                       \
	X("model.lat_fadd", LF_LAT_FADD)                                       \
	X("model.desc_cycles", LF_DESC_CYCLES)                                 \
	X("model.sync_cycles", LF_SYNC_CYCLES)                                 \
	X("model.axi_burst", LF_AXI_BURST)                                     \
	X("model.axi_outstanding", LF_AXI_OUTSTANDING)

/*
 * LF_PARAMS(X) - every parameter above that -D may set, as X(name, value)
 * under its macro name: the build's record of which design it is. The
 * limits text carries these lines too (`LF_CONV_PE_OC=32`), after the
 * LF_LIMITS keys, so `layerfab info` shows the -D values of a hardware
 * build (bitstreams/<p>/params.mk HW_DEFS) and of its emulation xclbin.
 * A new -D parameter belongs here as well.
 */
#define LF_PARAMS(X)                                                           \
	X("LF_CLOCK_MHZ", LF_CLOCK_MHZ)                                        \
	X("LF_CONV_PE_OC", LF_CONV_PE_OC)                                      \
	X("LF_CONV_PE_K", LF_CONV_PE_K)                                        \
	X("LF_CONV_KMAX", LF_CONV_KMAX)                                        \
	X("LF_CONV_XVEC", LF_CONV_XVEC)                                        \
	X("LF_CONV_TW_MAX", LF_CONV_TW_MAX)                                    \
	X("LF_CONV_BEAT", LF_CONV_BEAT)                                        \
	X("LF_CONV_DIM_MAX", LF_CONV_DIM_MAX)                                  \
	X("LF_CONV_KDIM_MAX", LF_CONV_KDIM_MAX)                                \
	X("LF_CONV_STEP_MAX", LF_CONV_STEP_MAX)                                \
	X("LF_BLK_PIX", LF_BLK_PIX)                                            \
	X("LF_BLK_IC", LF_BLK_IC)                                              \
	X("LF_BLK_OC", LF_BLK_OC)                                              \
	X("LF_BLK_WBEATS", LF_BLK_WBEATS)                                      \
	X("LF_BLK_LBEATS", LF_BLK_LBEATS)                                      \
	X("LF_BLK_LBEATS_OCL", LF_BLK_LBEATS_OCL)                              \
	X("LF_BLK_WRES", LF_BLK_WRES)                                          \
	X("LF_BLK_WRES_OCL", LF_BLK_WRES_OCL)                                  \
	X("LF_BLK_IW_MAX", LF_BLK_IW_MAX)                                      \
	X("LF_MM_PE_N", LF_MM_PE_N)                                            \
	X("LF_MM_PE_K", LF_MM_PE_K)                                            \
	X("LF_MM_KMAX", LF_MM_KMAX)                                            \
	X("LF_MM_DIM_MAX", LF_MM_DIM_MAX)                                      \
	X("LF_POOL_TW_MAX", LF_POOL_TW_MAX)                                    \
	X("LF_POOL_ROW", LF_POOL_ROW)                                          \
	X("LF_POOL_DIM_MAX", LF_POOL_DIM_MAX)                                  \
	X("LF_POOL_KDIM_MAX", LF_POOL_KDIM_MAX)                                \
	X("LF_POOL_STEP_MAX", LF_POOL_STEP_MAX)                                \
	X("LF_POOL_BLK_ROW", LF_POOL_BLK_ROW)                                  \
	X("LF_POOL_BLK_TW", LF_POOL_BLK_TW)                                    \
	X("LF_ADD_LANES", LF_ADD_LANES)                                        \
	X("LF_ADD_BLK_MUL_LANES", LF_ADD_BLK_MUL_LANES)                        \
	X("LF_ADD_DIM_MAX", LF_ADD_DIM_MAX)                                    \
	X("LF_ENGINE_SYNC", LF_ENGINE_SYNC)                                    \
	X("LF_LAT_MEM", LF_LAT_MEM)                                            \
	X("LF_DEPTH_MAC", LF_DEPTH_MAC)                                        \
	X("LF_DEPTH_RQ", LF_DEPTH_RQ)                                          \
	X("LF_DESC_CYCLES", LF_DESC_CYCLES)                                    \
	X("LF_DEPTH_LD", LF_DEPTH_LD)                                          \
	X("LF_LAT_FADD", LF_LAT_FADD)                                          \
	X("LF_AXI_BURST", LF_AXI_BURST)                                        \
	X("LF_AXI_OUTSTANDING", LF_AXI_OUTSTANDING)

#endif /* LF_CONFIG_H */
