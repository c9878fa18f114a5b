# bitstreams/aws-f2/params.mk - AWS EC2 F2 (AMD Virtex UltraScale+ VU47P,
# 16 GiB HBM; 64 GiB DDR4 on the card): kernel parameters and the budget
# they were chosen against. Estimates are arithmetic, not synthesis.
#
# STATUS (read this first). aws-fpga's F2 kit (branch f2, release 2.0.x)
# supports Vitis 2024.1 *hardware emulation only*: "Support for Vitis
# 2024.1 accelerator binary creation and AFI creation is not supported,
# but will be released at a later time" (aws-fpga ERRATA.md, "Software
# defined Accelerator Development (Vitis)"); issues aws/aws-fpga#676,
# #713, #719 and #765 (open, Dec 2025) ask for the Vitis AFI flow, and
# #795 (May 2026) says the F2 XDMA shell for Vitis is still in progress.
# So 'make hw PLATFORM=aws-f2 TARGET=hw_emu' is the useful target today;
# TARGET=hw builds an xclbin nobody can yet turn into an F2 AFI.

# Platform: aws-fpga f2 branch vitis_setup.sh installs
# xsa_name=xilinx_aws-vu47p-f2_202410_1 (PLATFORM_REPO_PATHS=/opt/XSA/
# xilinx_aws-vu47p-f2_202410_1) and vitis/README.md builds into
# build_dir.hw_emu.xilinx_aws-vu47p-f2_202410_1. Issue aws/aws-fpga#795
# reports a later platform file .../xilinx_aws-vu47p-f2_202410_1_2.xpfm:
# override with 'make hw PLATFORM=aws-f2 PLATFORM_NAME=...' if yours is
# named so. UNCONFIRMED beyond those two sources.
HW_PLATFORM_NAME := xilinx_aws-vu47p-f2_202410_1
# FPGA part, only for the standalone vitis_hls flow (scripts/hls/*.tcl;
# v++ takes the part from the platform): aws-fpga f2 hdk/common/ip/cl_ip/bd/scripts/cl_axi_sc_1x1.tcl.
HW_PART := xcvu47p-fsvh2892-2-e

# Budget: UNCONFIRMED. VU47P device totals taken as 9,024 DSP, 2,016
# BRAM36, 960 URAM (AMD's Virtex UltraScale+ HBM product table; not
# re-read here), less 10% (UG1393 rule of thumb). The HDK small shell
# leaves 88% of the FPGA to the user (aws-fpga User_Guide_AWS_EC2_FPGA_
# Development_Kit.md, "AWS Shells"); the Vitis XDMA shell's footprint is
# not published. Memory tags of the Vitis platform are not published
# either: this file assumes Alveo-style HBM[0:31]. Run 'platforminfo' on
# the .xpfm and fix HW_MEM_* and link.cfg before a hardware build.
HW_AVAIL_DSP := 8121
HW_AVAIL_BRAM36 := 1814
# LUTs: VU47P device total taken as 1,304K CLB LUTs (UltraScale+
# product selection guide, not re-read here), less 10% as above.
HW_AVAIL_LUT := 1173600
HW_AVAIL_URAM := 864
HW_MEM_TYPE := HBM
HW_MEM_BANKS := 32
HW_DSP_TARGET_PCT := 70
HW_BRAM_MAX_PCT := 80
HW_URAM_MAX_PCT := 80
HW_LUT_MAX_PCT := 70

# Choice: as for the U55C (same device class, 16 GB HBM): 2 lanes in SLR0
# and SLR1. 250 MHz matches F2's default CL clock recipe (aws-fpga
# hdk/docs/Clock_Recipes_User_Guide.md, clk_main_a0).
# CU mix (UNVERIFIED arithmetic, scripts/hw-config-check --table aws-f2):
# each lane is ONE lfk_engine CU, instead of the former lfk_conv2d +
# lfk_matmul pair. The engine instantiates every datapath (hls/engine.c:
# conv array, matmul array, pool, add and all their buffers), so one engine
# costs about a conv2d + matmul pair plus pool (74 DSP: 2 float multiplies,
# 2 adds, dividers in fabric; rbuf 64 banks = 64 RAMB18 worst) plus add
# (16 lanes x 2 fmas x 5 DSP + 64 index = 224 DSP, no BRAM). It runs a
# whole device segment (conv -> pool -> add -> ... -> matmul) in one
# launch and has the same per-op limits, bytes and cycles as the dedicated
# kernels. Alternatives, same worst-case arithmetic:
#   engine + dedicated conv2d + matmul: 2 x (1456 + 1392) / 2 = 2848 RAMB36 (157%); engine + dedicated pool + add: 2 x 1520 / 2 = 1520 (83.8%: fits, but 298 DSP per lane for no op the engine lacks)
# The first is over budget and the second buys nothing, so the dedicated
# kernels are not linked here (their
# v++ -c rules stay in hw.mk; HW_LANE_CUS + link.cfg switch the mix).
# NOTE: the host must dispatch to lfk_engine (hostlib/exec/exec.c at
# 40a7858 found only lfk_conv2d / lfk_matmul CUs; an engine path is being
# added); without it this xclbin runs nothing on the card. Parameter change: no parameter change against the conv2d + matmul lanes.
# Before issue 12, per lane: lfk_engine 1712 DSP, 1456 RAMB18 worst case.
# Total then: DSP 3424 of 8121 = 42.2%; BRAM worst case 1456 RAMB36 of 1814 = 80.3%.
# Issue 12, the blocked conv datapath (hls/lf_conv_blk.h) in every
# engine lane; these figures supersede the per-lane totals above
# (arithmetic, UNVERIFIED; `make hw-budget PLATFORM=aws-f2`):
#   NCHW conv shrinks to 8 x 8, matmul to 8 x 16. Blocked MACs two per
#   DSP48E2 (WP486, UNVERIFIED: aws-f1/params.mk has the detail), the
#   others one. PIX = 7 divides every ResNet width (224 ... 7).
#     blocked 7 x 16 x 32 = 3584 MAC / 2 + 64 x 4 + 64 = 2112; NCHW conv
#     131, matmul 195, pool 74, add 64 + 16, the fused add + 64 (QLinearAdd
#     in integers, a DSP a lane; the mul's fmas in fabric, aws-f1/params.mk)
#     -> lane 2656 DSP; 2 lanes 5312 of 8121 = 65.4% (63.4% before)
#   BRAM worst case: blocked weights 32 banks x 15 = 480, twice (the
#     ping-pong channel of DATAFLOW region blk_obs, hls/README.md
#     "Overlap") = 960, accumulator row 7 x 65 banks twice (blk_rows'
#     channel) in LUTRAM (BIND_STORAGE, 0 RAMB18; it was 455 in BRAM
#     before the overlap) -> 960 RAMB18; NCHW conv 80, matmul 144, pool 64
#     -> lane 1248 RAMB18 = 624 RAMB36; 2 lanes 1248 of 1814 = 68.8%
#     (80.4% with the line buffer, 14 banks x 15 = 210, in block RAM).
#   URAM: the line buffer, 4096 beats in 14 banks of 293 x 512 bit,
#     twice (blk_bands' ping-pong channel), in UltraRAM: 2 x 14 x 8 = 224
#     a lane; 2 lanes 448 of 864 = 51.9% (aws-f1's note; UNVERIFIED). The
#     same at 1024 beats; up to 14 x 4096 = 57344 would be too.
#   Peak (unverified): 2 x 3584 MAC x 2 x 250 MHz = 3584 GOPS blocked.
#   On-chip arrays fit PoCL's 512 KiB for the OpenCL build (aws-f1's
#   note: a line buffer of HW_BLK_LBEATS_OCL = 1024 beats there).
# Every lane counted (issue 12, branch lutfit; `make hw-budget
# PLATFORM=aws-f2`, UNVERIFIED arithmetic, no synthesis; the lane and total
# DSP figures here supersede those above): add.c's blocked
# loop add_blk_vec had 64 lanes of its own (each the integer add and the
# mul's two float fmas) that the LUT sum left out; with them the fabric
# datapaths were 81.2 % of the LUTs. Chosen:
#   the blocked add keeps 64 integer lanes, a beat a cycle (add_blk_vec:
#   64 DSP, 64 x 950 = 60.8k LUTs a CU);
#   a mul lane (hls/lf_kadd.h lfk_qadd_mul) is MLAS's multiply, then add,
#   as a float32 multiply and a float32 add (the same bytes as the two
#   fmas it was), all in fabric: the 9 x 9-bit product 90, fmul 720, fadd
#   365, conversion and rounding 250 = 1425 LUTs, 0 DSP (two fmas were
#   2 x 1300 + 250);
#   the blocked mul (add_blk_mul) has HW_ADD_BLK_MUL_LANES = 64 lanes,
#   a whole beat a cycle (one pass) into the on-chip chunk, then add_blk_st writes
#   it: 64 x 1425 = 91.2k LUTs a CU;
#   HW_ADD_LANES 4 (was 16): add_vec reads x and x2 as bytes of the one
#   act port (II 2 x lanes), 2 cycles an element whatever the lanes, so
#   16 lanes bought no speed: 4 x (1 DSP; 950 + 1425 LUTs) = 4 DSP, 9.5k.
#   -> lane 2708 DSP; 2 lanes 5416 of 8121 = 66.7 %;
#   fabric datapaths (depthwise, every lane loop) 707.8k of 1174k LUTs
#   = 60.3 % (<= 70 %).
#   Cost (cycle model, the mul's store pass, on MobileNetV3's
#   muls; the models' adds are fused into the conv store): MobileNetV3-Small 1.2629 -> 1.2921 ms
#   (emu:aws-f2); ResNet-18 2.7092 and MobileNetV2 1.9372 ms unchanged.
HW_LANE_CUS := lfk_engine
HW_LANES := 2
HW_CLOCK_MHZ := 250
HW_CONV_PE_OC := 8
HW_CONV_PE_K := 8
HW_CONV_KMAX := 4608
HW_CONV_XVEC := 2048
HW_CONV_TW_MAX := 64
HW_MM_PE_N := 8
HW_MM_PE_K := 16
HW_MM_KMAX := 4096
HW_POOL_TW_MAX := 64
HW_POOL_ROW := 4096
HW_ADD_LANES := 4
HW_ADD_BLK_MUL_LANES := 64
HW_BLK_PIX := 7
HW_BLK_IC := 16
HW_BLK_OC := 32
HW_BLK_WBEATS := 72
HW_BLK_LBEATS := 4096
HW_BLK_LBEATS_OCL := 1024
# Resident first block (hls/README.md "Resident first block"): 8 banks
# of 8 URAM288 = 64 URAM a lane, 2 lanes 128 more: 576 of 864 = 66.7%
# (16 banks: 704 = 81.5%, over 80%); 0 in the OpenCL build (PoCL).
# It also takes the next descriptor's first block during a descriptor's
# last band (LF_DF_WPRE, hls/README.md "Next block ahead"): no more URAM.
HW_BLK_WRES := 8
HW_BLK_WRES_OCL := 0
HW_BLK_IW_MAX := 128

# Estimate of the former conv2d + matmul lanes, kept for comparison
# (superseded by the CU mix above; scripts/hw-config-check --table; UNVERIFIED, no synthesis):
#   DSP per conv CU = 32x32 + 3 + 64 = 1091; per mm CU = 16x16 + 3 + 64 = 323
#   DSP total = 2 x 1414 = 2828 of 8121 = 34.8%  (one DSP48E2 per 9-bit
#     MAC; WP486 two-MACs-per-DSP packing does not apply as written)
#   BRAM worst case: conv 1120 RAMB18 (wbuf 1024 banks of 144x8, xbuf 64,
#     accbuf 32), matmul 272 RAMB18; total 2 x 1392 / 2 = 1392 RAMB36 of
#     1814 = 76.7%. Block RAM, not DSPs, limits the array: a third lane
#     of this size would need 2088 RAMB36 in the worst case.
#   Peak: conv 2 x 1024 MAC x 2 x 250 MHz = 1024 GOPS;
#         matmul 2 x 256 x 2 x 250 MHz = 256 GOPS (unverified).
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
