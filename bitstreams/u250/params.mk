# bitstreams/u250/params.mk - Alveo U250 (XCU250, 4 SLRs, 4 x 16 GB DDR4):
# kernel parameters and the resource budget they were chosen against.
# Read by bitstreams/hw.mk and scripts/hw-config-check. Estimates are
# arithmetic, not synthesis: nothing here has been through v++.

# Platform: UG1120 (Alveo Data Center Accelerator Card Platforms User
# Guide, rev 2.0.1), "U250 Gen3x16 XDMA 4_1 Platform": platform
# xilinx_u250_gen3x16_xdma_4_1, deployment xilinx_u250_gen3x16_xdma_4_1_
# 202210_1, a DFX-2RP platform created with the 2022.1 tools
# (https://docs.xilinx.com/r/en-US/ug1120-alveo-platforms/U250-Gen3x16-XDMA-4_1-Platform).
HW_PLATFORM_NAME := xilinx_u250_gen3x16_xdma_4_1_202210_1
# FPGA part, only for the standalone vitis_hls flow (scripts/hls/*.tcl;
# v++ takes the part from the platform): UofT-HPRC/FFIVE Hardware/Parameters.tcl (set FPGA xcu250-figd2104-2L-e).
HW_PART := xcu250-figd2104-2L-e

# Budget available to kernels: platforminfo's per-SLR figures for the
# U250 XDMA platform as recorded in Xtra-Computing/ThunderGP
# libfpga/generator/devices/xilinx_u250_xdma_201830_2.h: 4 SLRs x (2877
# DSP, 500 BRAM36, 320 URAM), one DDR channel per SLR (DDR[i] in SLR i).
# That is the older 201830_2 shell; the 4_1 DFX-2RP shell differs a little
# - run 'platforminfo -p xilinx_u250_gen3x16_xdma_4_1_202210_1' and adjust.
# DDR: UG1120 "DMA Configurations": U200/U250 4 x DDR4 16 GB.
HW_AVAIL_DSP := 11508
HW_AVAIL_BRAM36 := 2000
# LUTs: the same ThunderGP file, 345171 + 344533 + 344878 + 345158.
HW_AVAIL_LUT := 1379740
HW_AVAIL_URAM := 1280
HW_MEM_TYPE := DDR
HW_MEM_BANKS := 4
HW_DSP_TARGET_PCT := 70
HW_BRAM_MAX_PCT := 80
HW_URAM_MAX_PCT := 80
HW_LUT_MAX_PCT := 70

# Choice: 4 lanes, one per SLR, each on its own SLR's DDR channel (no SLR
# crossing). The U200-class cards support kernel clocks of 250-300 MHz
# (aws-fpga Alveo_to_AWS_F1_Migration.md, "Clock Frequency"); 300 MHz is
# the platforms' default kernel clock (UG1393 "Clock Information" example).
# Block RAM, not DSPs, is the binding limit with the kernels' current
# partitioning (see the estimate): 32x32 conv arrays would need
# 4 x 696 = 2784 RAMB36 in the worst case, more than the 2000 available.
# CU mix (UNVERIFIED arithmetic, scripts/hw-config-check --table u250):
# each lane is ONE lfk_engine CU, instead of the former lfk_conv2d +
# lfk_matmul pair. The engine instantiates every datapath (hls/engine.c:
# conv array, matmul array, pool, add and all their buffers), so one engine
# costs about a conv2d + matmul pair plus pool (74 DSP: 2 float multiplies,
# 2 adds, dividers in fabric; rbuf 64 banks = 64 RAMB18 worst) plus add
# (16 lanes x 2 fmas x 5 DSP + 64 index = 224 DSP, no BRAM). It runs a
# whole device segment (conv -> pool -> add -> ... -> matmul) in one
# launch and has the same per-op limits, bytes and cycles as the dedicated
# kernels. Alternatives, same worst-case arithmetic:
#   engine + dedicated conv2d + matmul: 4 x (784 + 720) / 2 = 3008 RAMB36 (150%); engine with 16x16 matmul: 4 x 912 / 2 = 1824 (91.2%)
# Both over budget, so the dedicated kernels are not linked here (their
# v++ -c rules stay in hw.mk; HW_LANE_CUS + link.cfg switch the mix).
# NOTE: the host must dispatch to lfk_engine (hostlib/exec/exec.c at
# 40a7858 found only lfk_conv2d / lfk_matmul CUs; an engine path is being
# added); without it this xclbin runs nothing on the card. Parameter change: HW_MM_PE_N 8 (not 16): matmul is the FC tail of a CNN; keeping 16 puts
#   4 engine lanes at 91.2% worst-case BRAM, and 3 lanes would cost a
#   quarter of the conv rate (921.6 instead of 1228.8 GOPS).
# Before issue 12, per lane: lfk_engine 1072 DSP, 784 RAMB18 worst case.
# Total then: DSP 4288 of 11508 = 37.3%; BRAM worst case 1568 RAMB36 of 2000 = 78.4%.
# Issue 12, the blocked conv datapath (hls/lf_conv_blk.h) in every
# engine lane; these figures supersede the per-lane totals above
# (arithmetic, UNVERIFIED; `make hw-budget PLATFORM=u250`):
#   NCHW conv shrinks to 8 x 8 and matmul to 8 x 8 (the blocked array does
#   the blockable convolutions). Blocked MACs two per DSP48E2 (WP486,
#   UNVERIFIED: aws-f1/params.mk has the detail), the others one.
#     blocked 4 x 32 x 16 = 2048 MAC / 2 + 64 x 4 + 64 = 1344; NCHW conv
#     131, matmul 131, pool 74, add 64 + 16, the fused add + 64 (QLinearAdd
#     in integers, a DSP a lane; the mul's fmas in fabric, aws-f1/params.mk)
#     -> lane 1824 DSP; 4 lanes 7296 of 11508 = 63.4% (60.6% before)
#   BRAM worst case: blocked 480 RAMB18 (as aws-f1: weights twice, the
#     DATAFLOW ping-pong; accumulator row in LUTRAM; line buffer in URAM),
#     NCHW conv 80, matmul 72, pool 64 -> lane 696 RAMB18 = 348 RAMB36; 4
#     lanes 1392 of 2000 = 69.6% (81.6% with the line buffer in BRAM,
#     83.6% before the overlap).
#   URAM: the line buffer, 4096 beats, twice (blk_bands' ping-pong
#     channel), 128 a lane as aws-f1; 4 lanes 512 of 1280 = 40.0%
#     (UNVERIFIED).
#   Peak (unverified): 4 x 2048 MAC x 2 x 300 MHz = 4915 GOPS blocked.
#   On-chip arrays fit PoCL's 512 KiB for the OpenCL build (aws-f1's
#   note: a line buffer of HW_BLK_LBEATS_OCL = 1024 beats there).
# Every lane counted (issue 12, branch lutfit; `make hw-budget
# PLATFORM=u250`, UNVERIFIED arithmetic, no synthesis; the lane and total
# DSP figures here supersede those above): add.c's blocked
# loop add_blk_vec had 64 lanes of its own (each the integer add and the
# mul's two float fmas) that the LUT sum left out; with them the fabric
# datapaths were 119.4 % of the LUTs. Chosen:
#   the blocked add keeps 64 integer lanes, a beat a cycle (add_blk_vec:
#   64 DSP, 64 x 950 = 60.8k LUTs a CU);
#   a mul lane (hls/lf_kadd.h lfk_qadd_mul) is MLAS's multiply, then add,
#   as a float32 multiply and a float32 add (the same bytes as the two
#   fmas it was), all in fabric: the 9 x 9-bit product 90, fmul 720, fadd
#   365, conversion and rounding 250 = 1425 LUTs, 0 DSP (two fmas were
#   2 x 1300 + 250);
#   the blocked mul (add_blk_mul) has HW_ADD_BLK_MUL_LANES = 16 lanes,
#   a beat in 4 passes into the on-chip chunk, then add_blk_st writes
#   it: 16 x 1425 + the pass
#   multiplexers 16 x 16 bits x 1 LUT = 23.1k LUTs a CU;
#   HW_ADD_LANES 4 (was 16): add_vec reads x and x2 as bytes of the one
#   act port (II 2 x lanes), 2 cycles an element whatever the lanes, so
#   16 lanes bought no speed: 4 x (1 DSP; 950 + 1425 LUTs) = 4 DSP, 9.5k.
#   -> lane 1876 DSP; 4 lanes 7504 of 11508 = 65.2 %;
#   fabric datapaths (depthwise, every lane loop) 885.1k of 1380k LUTs
#   = 64.1 % (<= 70 %). 32 mul lanes (2 passes): 977.3k = 70.8 %, over
#   (4 CUs: the tightest budget).
#   Cost (cycle model, the mul's store pass and its 4 passes, on MobileNetV3's
#   muls; the models' adds are fused into the conv store): MobileNetV3-Small 1.3348 -> 1.4311 ms
#   (emu:u250; 1.5271 with 8 lanes of two fmas); ResNet-18 3.6772 and
#   MobileNetV2 2.3736 ms unchanged.
HW_LANE_CUS := lfk_engine
HW_LANES := 4
HW_CLOCK_MHZ := 300
HW_CONV_PE_OC := 8
HW_CONV_PE_K := 8
HW_CONV_KMAX := 4608
HW_CONV_XVEC := 2048
HW_CONV_TW_MAX := 64
HW_MM_PE_N := 8
HW_MM_PE_K := 8
HW_MM_KMAX := 4096
HW_POOL_TW_MAX := 64
HW_POOL_ROW := 4096
HW_ADD_LANES := 4
HW_ADD_BLK_MUL_LANES := 16
HW_BLK_PIX := 4
HW_BLK_IC := 32
HW_BLK_OC := 16
HW_BLK_WBEATS := 72
HW_BLK_LBEATS := 4096
HW_BLK_LBEATS_OCL := 1024
# Resident first block (hls/README.md "Resident first block"): 8 banks
# of 8 URAM288 = 64 URAM a lane, 4 lanes 256 more: 768 of 1280 = 60.0%
# (16 banks: 80.0%, at the limit); 0 in the OpenCL build (PoCL).
# It also takes the next descriptor's first block during a descriptor's
# last band (LF_DF_WPRE, hls/README.md "Next block ahead"): no more URAM.
HW_BLK_WRES := 8
HW_BLK_WRES_OCL := 0
HW_BLK_IW_MAX := 128

# Estimate of the former conv2d + matmul lanes, kept for comparison
# (superseded by the CU mix above; scripts/hw-config-check --table u250; UNVERIFIED):
#   DSP per conv CU = 32x16 + 3 + 64 = 579; per mm CU = 16x16 + 3 + 64 = 323
#   DSP total = 4 x 902 = 3608 of 11508 = 31.4%  (one DSP48E2 per 9-bit
#     MAC; WP486's two-MACs-per-DSP packing does not apply as written)
#   BRAM worst case: conv wbuf 512 banks of 288x8 + xbuf 16 x 2 + accbuf
#     32 = 576 RAMB18; matmul 256 + 16 = 272 RAMB18;
#     total 4 x 848 / 2 = 1696 RAMB36 of 2000 = 84.8%
#   Peak: conv 4 x 512 MAC x 2 x 300 MHz = 1228.8 GOPS;
#         matmul 4 x 256 x 2 x 300 MHz = 614.4 GOPS (unverified).
HW_DEFS := -DLF_CLOCK_MHZ=$(HW_CLOCK_MHZ) \
	-DLF_CONV_PE_OC=$(HW_CONV_PE_OC) -DLF_CONV_PE_K=$(HW_CONV_PE_K) \
	-DLF_CONV_KMAX=$(HW_CONV_KMAX) -DLF_CONV_XVEC=$(HW_CONV_XVEC) \
	-DLF_CONV_TW_MAX=$(HW_CONV_TW_MAX) \
	-DLF_MM_PE_N=$(HW_MM_PE_N) -DLF_MM_PE_K=$(HW_MM_PE_K) \
	-DLF_MM_KMAX=$(HW_MM_KMAX) \
	-DLF_POOL_TW_MAX=$(HW_POOL_TW_MAX) -DLF_POOL_ROW=$(HW_POOL_ROW) \
	-DLF_ADD_LANES=$(HW_ADD_LANES) \
	-DLF_ADD_BLK_MUL_LANES=$(HW_ADD_BLK_MUL_LANES) \
	-DLF_BLK_PIX=$(HW_BLK_PIX) -DLF_BLK_IC=$(HW_BLK_IC) \
	-DLF_BLK_OC=$(HW_BLK_OC) -DLF_BLK_WBEATS=$(HW_BLK_WBEATS) \
	-DLF_BLK_LBEATS=$(HW_BLK_LBEATS) -DLF_BLK_IW_MAX=$(HW_BLK_IW_MAX) \
	-DLF_BLK_LBEATS_OCL=$(HW_BLK_LBEATS_OCL) \
	-DLF_BLK_WRES=$(HW_BLK_WRES) -DLF_BLK_WRES_OCL=$(HW_BLK_WRES_OCL)
