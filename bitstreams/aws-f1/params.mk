# bitstreams/aws-f1/params.mk - AWS EC2 F1 (Xilinx VU9P, Vitis shell
# v04261818): kernel parameters and the resource budget they were chosen
# against. Read by bitstreams/hw.mk (make hw PLATFORM=aws-f1) and
# scripts/hw-config-check. Every number below "budget" is an input from a
# cited source; every estimate is arithmetic, not synthesis: nothing here
# has been through v++ (no Vitis, no card where this was written).

# Platform: the F1 Vitis platform of aws-fpga's f1_xdma_shell branch,
# Vitis/aws_platform/xilinx_aws-vu9p-f1_shell-v04261818_201920_3/ (repo
# aws/aws-fpga; also Vitis/docs/Alveo_to_AWS_F1_Migration/example/f1/
# options.cfg: platform=xilinx_aws-vu9p-f1_shell-v04261818_201920_3).
# aws-fpga's master (F1) branch is deprecated in favour of F2 (aws-fpga
# README, Jan 2025); F1 development continues on f1_xdma_shell.
HW_PLATFORM_NAME := xilinx_aws-vu9p-f1_shell-v04261818_201920_3
# FPGA part, only for the standalone vitis_hls flow (scripts/hls/*.tcl;
# v++ takes the part from the platform): aws-fpga f1_xdma_shell hdk/common/shell_v04261818/build/scripts/device_type.tcl.
HW_PART := xcvu9p-flgb2104-2-i

# Budget available to kernels after the shell, from aws-fpga f1_xdma_shell
# Vitis/docs/Alveo_to_AWS_F1_Migration.md ("Available resources",
# f1.2xlarge): 5640 DSP slices, 1680 BRAM36 (59 Mb), 800 URAM, 895k LUTs.
# Same page: kernel clock up to 250 MHz on F1; DDR A = DDR[1] in SLR2,
# DDR B = DDR[2] in SLR1, DDR C = DDR[0] in SLR1 (shell region),
# DDR D = DDR[3] in SLR0; 4 x 16 GB.
HW_AVAIL_DSP := 5640
HW_AVAIL_BRAM36 := 1680
HW_AVAIL_URAM := 800
# (same page) LUTs: hw-config-check sums the fabric datapaths' estimate
# (depthwise unit, float fmas, integer adds) and fails it above
# HW_LUT_MAX_PCT (a partial sum: control, AXI and LUTRAM buffers are not
# in it, hence well below 100%).
HW_AVAIL_LUT := 895000
HW_MEM_TYPE := DDR
HW_MEM_BANKS := 4
# Headroom for routing and timing closure: DSP use at most ~60-70% (the
# same page: "For FPGA designs that utilize more than 70% of the FPGA
# resources, portability between platforms may require additional
# optimizations"); worst-case block RAM and UltraRAM at most 80% each
# (issue 12's budget).
HW_DSP_TARGET_PCT := 70
HW_BRAM_MAX_PCT := 80
HW_URAM_MAX_PCT := 80
HW_LUT_MAX_PCT := 70

# Choice: 2 lanes, one in each large SLR (SLR0, SLR2), each lane a
# conv2d CU + a matmul CU. SLR1 holds most of the shell and the middle
# SLR of this die class keeps the fewest resources for kernels (UG1393
# "Resource Availability" example: 2265 / 1317 / 2265 DSPs in SLR0/1/2,
# the figures Xtra-Computing/ThunderGP records for the U200, the Alveo
# card F1 is compared with), so it gets no CU; the lanes use at most
# 1414 DSPs of an outer SLR's ~2265 (62%). F1 caps the clock at 250 MHz.
# CU mix (UNVERIFIED arithmetic, scripts/hw-config-check --table aws-f1):
# each lane is ONE lfk_engine CU, instead of the former lfk_conv2d +
# lfk_matmul pair. The engine instantiates every datapath (hls/engine.c:
# conv array, matmul array, pool, add and all their buffers), so one engine
# costs about a conv2d + matmul pair plus pool (74 DSP: 2 float multiplies,
# 2 adds, dividers in fabric; rbuf 64 banks = 64 RAMB18 worst) plus add
# (16 lanes x 2 fmas x 5 DSP + 64 index = 224 DSP, no BRAM). It runs a
# whole device segment (conv -> pool -> add -> ... -> matmul) in one
# launch and has the same per-op limits, bytes and cycles as the dedicated
# kernels. Alternatives, same worst-case arithmetic:
#   engine + dedicated conv2d + matmul: 2 x (1424 + 1360) / 2 = 2784 RAMB36 (166%); engine + dedicated pool + add: 2 x 1488 / 2 = 1488 (88.6%, over 85%)
# Both over budget, so the dedicated kernels are not linked here (their
# v++ -c rules stay in hw.mk; HW_LANE_CUS + link.cfg switch the mix).
# NOTE: the host must dispatch to lfk_engine (hostlib/exec/exec.c at
# 40a7858 found only lfk_conv2d / lfk_matmul CUs; an engine path is being
# added); without it this xclbin runs nothing on the card. Parameter change: HW_CONV_XVEC 2048 (not 4096): with PE_K = 32 that is still 64 KB, the
#   default build's xbuf, and holds a 3x3 window over 512 channels for 40
#   output pixels; it saves 32 RAMB18 per lane, without which the engine
#   lane is 1456 RAMB18 = 86.7%. Per SLR: 712 RAMB36 worst case in an outer
#   SLR of ~720 - the first v++ run must show the 144x8 wbuf banks in
#   LUTRAM, or PE_OC/PE_K must shrink.
# Before issue 12, per lane: lfk_engine 1712 DSP, 1424 RAMB18 worst case.
# Total then: DSP 3424 of 5640 = 60.7%; BRAM worst case 1424 RAMB36 of 1680 = 84.8%.
# Issue 12, the blocked conv datapath (hls/lf_conv_blk.h) in every
# engine lane; these figures supersede the per-lane totals above
# (arithmetic, UNVERIFIED; `make hw-budget PLATFORM=aws-f1`):
#   The blocked PE array does the convolutions the host can block (groups
#   == 1, 8-bit output, within the .blk_* limits); the NCHW conv array
#   stays for the rest (depthwise and grouped, int32 outputs, larger
#   layers) and shrinks to 8 x 8, matmul to 8 x 16.
#   DSP: the blocked MACs multiply signed 8-bit operands (x - 128 for
#   uint8) and correct for the zero points per pixel and per channel in the
#   store (kernel review 4.4), so two weights of one activation can share a
#   DSP48E2 (Xilinx WP486): counted two MACs per DSP. UNVERIFIED: C has no
#   ap_int, only csynth can show the packing; unpacked, this array is 2048
#   DSP and the budget needs 4 x 16 x 16. The NCHW conv and matmul arrays
#   still multiply 9-bit zero-point-corrected operands: one DSP per MAC.
#     blocked 4 x 32 x 16 = 2048 MAC / 2 = 1024 + 64 store lanes x (1
#     multiply-add + 3 requant) + 64 = 1344
#     NCHW conv 8 x 8: 64 + 3 + 64 = 131; matmul 8 x 16: 128 + 67 = 195
#     pool 74, add 64 + 16, and the blocked store's fused add + 64:
#     QLinearAdd in integers (hls/lf_kadd.h), one DSP a lane (a 9 x
#     24-bit product and post-add) and 740-950 LUTs; the mul's fmas and
#     each add table's one fma in fabric; their LUTs in make hw-budget,
#     checked against HW_LUT_MAX_PCT) -> lane 1888 DSP; 2 lanes 3776 of
#     5640 = 67.0% (3616 = 64.1% while the adds were fmas in fabric)
#   BRAM, worst case (every bank its own RAMB18):
#     blocked: weights 72 beats/channel x 64 channels in 16 banks of 288 x
#     512 bit = 16 x 15, twice (the ping-pong channel of the DATAFLOW
#     region blk_obs: the next block's weights load while this one
#     computes, hls/README.md "Overlap") = 480; accumulator row 128 px x 65
#     lanes x 32 bit in 4 x 65 banks, twice (blk_rows' channel), bound to
#     LUTRAM (BIND_STORAGE; 520 banks of 32 x 32 bit, about 10k LUTs,
#     UNVERIFIED) -> 480 RAMB18 (600 while the line buffer, 8 banks of
#     128 x 512 = 8 x 15 = 120, was block RAM; 620 before the overlap:
#     accumulator row once, in BRAM)
#     NCHW conv 80, matmul 144, pool 64 -> lane 768 RAMB18 = 384 RAMB36;
#     2 lanes 768 of 1680 = 45.7% (52.9% with the line buffer in BRAM).
#   URAM: the line buffer, 4096 beats in 8 banks of 512 x 512 bit, twice
#     (the ping-pong channel of DATAFLOW region blk_bands: the next band's
#     input rows load while this one computes), bound to UltraRAM
#     (BIND_STORAGE impl=uram): each bank 8 URAM288 wide (4096 x 72 bit,
#     UG573) and ceil(512 / 4096) = 1 deep = 2 x 8 x 8 = 128 URAM a lane;
#     2 lanes 256 of 800 = 32.0% (UNVERIFIED). 1024 beats (128 deep) cost
#     the same 128 and used 1/32 of each URAM's depth; 4096 use 1/8 and
#     hold whole images of ResNet-50's layer3 (3136 beats) and layer4
#     (1568), up to 2 of layer4's 2048-channel ones at batch > 1
#     (hls/README.md "Bands of several images"). Up to 8 x 4096 = 32768
#     beats would still be 128 URAM a lane (hw-config-check counts
#     ceil(depth / 4096) x 8 a bank); a host-C emulator thread keeps the
#     buffer as 64 bytes a beat, 256 KiB at 4096.
#   Resident first block (HW_BLK_WRES 16, hls/lf_conv_blk.h blk_run,
#   hls/README.md "Resident first block"): a conv of two or more bands
#   loads its first output block's weights (72 x 64 beats at most) once,
#   before the bands, into bw0buf, and each band's blk_obs copies them
#   from there, 16 beats a cycle into the 16 weight banks, instead of
#   reading params: 16 banks of 288 x 512 bit, one copy (not a channel),
#   bound to UltraRAM: 16 x 8 URAM288 = 128 a lane; 2 lanes 256 more,
#   512 of 800 = 64.0% (UNVERIFIED). In block RAM it would be 16 x 15 =
#   240 RAMB18 a lane (60.0%). Not in this xclbin's OpenCL build
#   (HW_BLK_WRES_OCL 0: 288 KiB more of PoCL's __local).
#   The same buffer takes the next descriptor's first block during a
#   descriptor's last band (LF_DF_WPRE, hls/README.md "Next block
#   ahead"): no more URAM; 3 x 64 constants' registers at the top.
#   Depthwise unit (hls/lf_conv_blk.h blk_dw_mac; issue 12): one tap
#   row of 3 tap columns for PIX - 1 = 3 pixels x 64 channels a cycle =
#   576 int8 x 9-bit multipliers in fabric (BIND_OP impl=fabric: 0 DSP;
#   the DSPs are the dense array's), each with a 32-bit adder: at 50-80
#   LUTs a multiplier + 32 an adder, 47k-64.5k LUTs a lane, 94k-129k of
#   895k (10.6-14.4 %) for 2 lanes (UNVERIFIED; `make hw-budget`). Was
#   PIX x 64 = 256 multipliers, one tap a cycle. Its 7-beat window (2 x 2
#   + 3 columns at stride 2) reads distinct banks of the 8-bank line
#   buffer, so PIX - 1 is the most pixels the buffer allows.
#   Peak (unverified): 2 x 2048 MAC x 2 x 250 MHz = 2048 GOPS blocked.
#   The OpenCL build of this xclbin (opencl:0, PoCL's 512 KiB of __local)
#   needs its on-chip arrays in 490 KiB: hence XVEC 2048 and, in that
#   build only, a line buffer of 1024 beats (HW_BLK_LBEATS_OCL: the OpenCL
#   backend builds with it and reports it as lfk_conv2d.blk_lbeats;
#   shorter bands, the same bytes), accumulator row 128 (iw, ow <= 128:
#   the 224-wide stem stays on the NCHW path until the host folds or tiles
#   it).
# Every lane counted (issue 12, branch lutfit; `make hw-budget
# PLATFORM=aws-f1`, UNVERIFIED arithmetic, no synthesis; the lane and total
# DSP figures here supersede those above): add.c's blocked
# loop add_blk_vec had 64 lanes of its own (each the integer add and the
# mul's two float fmas) that the LUT sum left out; with them the fabric
# datapaths were 92.0 % of the LUTs. Chosen:
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
#   -> lane 1940 DSP; 2 lanes 3880 of 5640 = 68.8 %;
#   fabric datapaths (depthwise, every lane loop) 578.8k of 895k LUTs
#   = 64.7 % (<= 70 %).
#   Cost (cycle model, the mul's store pass, on MobileNetV3's
#   muls; the models' adds are fused into the conv store): MobileNetV3-Small 1.3026 -> 1.3175 ms
#   (`layerfab bench MODEL --device emu:aws-f1 --iters 1 --warmup 0`;
#   1.3617 with 16 lanes of two fmas); ResNet-18 2.4960 and MobileNetV2
#   2.3249 ms unchanged.
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
HW_BLK_PIX := 4
HW_BLK_IC := 32
HW_BLK_OC := 16
HW_BLK_WBEATS := 72
HW_BLK_LBEATS := 4096
HW_BLK_LBEATS_OCL := 1024
HW_BLK_WRES := 16
HW_BLK_WRES_OCL := 0
HW_BLK_IW_MAX := 128

# Estimate of the former conv2d + matmul lanes, kept for comparison
# (superseded by the CU mix above; scripts/hw-config-check --table aws-f1; UNVERIFIED, no
# synthesis was run):
#   DSP per conv CU  = 32x32 MACs + 3 requant + 64 index = 1091
#   DSP per mm CU    = 16x16 MACs + 3 requant + 64 index =  323
#   DSP total        = 2 lanes x 1414 = 2828 of 5640 = 50.1%
#     (one DSP48E2 per MAC: the kernels multiply 9-bit signed operands,
#     (x - x_zp) * (w - w_zp), so the two-MACs-per-DSP packing of Xilinx
#     WP486 "Deep Learning with INT8 Optimization on Xilinx Devices"
#     (8-bit operands sharing one input) does not apply as written; it
#     would need the raw 8-bit products plus zero-point corrections.)
#   BRAM, worst case (each partitioned bank in its own RAMB18):
#     conv: wbuf 32x32 banks of 144x8 bit = 1024 RAMB18, xbuf 32 banks of
#     4096x8 = 64, accbuf 32 banks of 64x32 = 32 -> 1120 RAMB18
#     matmul: bbuf 16x16 banks of 256x8 = 256, abuf 16 = 16 -> 272 RAMB18
#     total = 2 x (1120 + 272) / 2 = 1392 RAMB36 of 1680 = 82.9%
#     (banks of 1-2 kbit may become LUTRAM, which only lowers this.)
#   Peak: conv 2 x 1024 MAC/cycle x 2 op x 250 MHz = 1024 GOPS;
#         matmul 2 x 256 x 2 x 250 MHz = 256 GOPS (both unverified).
# The same parameters go to v++ -c (HW_DEFS) and to lf-limits-dump, so the
# limits the xclbin carries describe the hardware that was built.
# The engine's barrier ring (hls/lf_desc.h "Barrier"): both lanes run a
# batch-1 segment together, a part of each layer each, meeting after
# every layer at flags in lane 1's act bank, which link.cfg lets lane 2's
# act port reach. Costs no DSP or RAM: a beat write and a poll loop per
# barrier (UNVERIFIED: no v++ run).
HW_ENGINE_SYNC := 2
HW_DEFS := -DLF_CLOCK_MHZ=$(HW_CLOCK_MHZ) \
	-DLF_ENGINE_SYNC=$(HW_ENGINE_SYNC) \
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
