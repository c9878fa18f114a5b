# synth_cl_layerfab.tcl - synthesis of the layerfab CL, run by the HDK's
# build flow (aws_build_dcp_from_cl.py -c cl_layerfab, which sources
# build/scripts/synth_${CL}.tcl; bitstreams/aws-f2-hdk/hdk.mk puts this
# file there). UNVERIFIED: written without Vivado; `make aws-f2-hdk-check`
# runs it under tclsh with the Vivado commands stubbed and checks the
# address map it configures.
#
# Shape of an HDK synthesis script (aws-fpga f2, CL_TEMPLATE/build/scripts):
# the shell's synth_cl_header.tcl (defines print, DEVICE_TYPE,
# src_post_enc_dir, constraints_dir, ...), the CL's sources, its IP, its
# constraints, synth_design -mode out_of_context -top ${CL}, and the
# shell's synth_cl_footer.tcl. What is ours: the IP below.
#
# Inputs from hdk.mk through the environment: LF_HLS_IP_REPO (directory of
# the exported lfk_engine IP), LF_CL_NCUS, LF_CL_CU_BASE, LF_CL_CU_SPAN,
# LF_CL_DDR_BASE, LF_CL_DDR_SIZE, LF_CL_PCIS_STATUS.

source ${HDK_SHELL_DIR}/build/scripts/synth_cl_header.tcl

# log2 of a power of two (the crossbar takes window sizes as address bits).
proc lf_log2 {v} {
	set n 0
	while {(1 << $n) < $v} { incr n }
	if {(1 << $n) != $v} { error "window size $v is not a power of two" }
	return $n
}

proc lf_hex64 {v} { return [format "0x%016llx" $v] }

set lf_ncus   $::env(LF_CL_NCUS)
set lf_cubase [expr {$::env(LF_CL_CU_BASE)}]
set lf_cuspan [expr {$::env(LF_CL_CU_SPAN)}]
set lf_ddr    [expr {$::env(LF_CL_DDR_BASE)}]
set lf_ddrsz  [expr {$::env(LF_CL_DDR_SIZE)}]
set lf_status [expr {$::env(LF_CL_PCIS_STATUS)}]

print "Reading the layerfab CL sources"
read_verilog -sv [glob ${src_post_enc_dir}/*.?v]

# The DDR4 controller behind sh_ddr.sv: the HDK's pre-generated IP, read
# the way aws-fpga's cl_dram_hbm_dma synthesis script reads it.
read_ip [list ${HDK_IP_SRC_DIR}/cl_ddr4/cl_ddr4.xci]

print "Creating the CL's IP: lfk_engine (HLS), two AXI crossbars"
set_property ip_repo_paths [list $::env(LF_HLS_IP_REPO)] [current_project]
update_ip_catalog
# The HLS engine, as scripts/hls/ip.tcl exported it (vendor, library,
# name, version given there).
create_ip -name lfk_engine -vendor layerfab.org -library hls -version 1.0 \
	-module_name lfk_engine_ip

# OCL registers (PG059 AXI Crossbar, AXI4-Lite): M00 the identity block
# (4 KiB at 0), M01.. each engine's s_axi_control window.
create_ip -name axi_crossbar -vendor xilinx.com -library ip \
	-module_name lf_ocl_xbar
set ocl [dict create CONFIG.PROTOCOL AXI4LITE CONFIG.NUM_SI 1 \
	CONFIG.NUM_MI [expr {$lf_ncus + 1}] CONFIG.ADDR_WIDTH 32 \
	CONFIG.DATA_WIDTH 32 \
	CONFIG.M00_A00_BASE_ADDR [lf_hex64 0] CONFIG.M00_A00_ADDR_WIDTH 12]
for {set i 0} {$i < $lf_ncus} {incr i} {
	set m [format "M%02d" [expr {$i + 1}]]
	dict set ocl CONFIG.${m}_A00_BASE_ADDR \
		[lf_hex64 [expr {$lf_cubase + $i * $lf_cuspan}]]
	dict set ocl CONFIG.${m}_A00_ADDR_WIDTH [lf_log2 $lf_cuspan]
}
set_property -dict $ocl [get_ips lf_ocl_xbar]

# Card memory (AXI4, 512-bit, 64-bit addresses): S00 PCIS, S01.. the
# engines' m_axi ports; M00 DDR4 (sh_ddr), M01 the PCIS status page.
create_ip -name axi_crossbar -vendor xilinx.com -library ip \
	-module_name lf_mem_xbar
set mem [dict create CONFIG.PROTOCOL AXI4 \
	CONFIG.NUM_SI [expr {1 + 3 * $lf_ncus}] CONFIG.NUM_MI 2 \
	CONFIG.ADDR_WIDTH 64 CONFIG.DATA_WIDTH 512 CONFIG.ID_WIDTH 16 \
	CONFIG.M00_A00_BASE_ADDR [lf_hex64 $lf_ddr] \
	CONFIG.M00_A00_ADDR_WIDTH [lf_log2 $lf_ddrsz] \
	CONFIG.M01_A00_BASE_ADDR [lf_hex64 $lf_status] \
	CONFIG.M01_A00_ADDR_WIDTH 12]
set_property -dict $mem [get_ips lf_mem_xbar]

foreach ip {lfk_engine_ip lf_ocl_xbar lf_mem_xbar} {
	generate_target all [get_ips $ip]
	synth_ip [get_ips $ip]
}

print "Reading user constraints"
read_xdc [list ${constraints_dir}/cl_synth_user.xdc \
	${constraints_dir}/cl_timing_user.xdc]
set_property PROCESSING_ORDER LATE [get_files cl_synth_user.xdc]
set_property PROCESSING_ORDER LATE [get_files cl_timing_user.xdc]

print "Synthesizing ${CL}"
update_compile_order -fileset sources_1
synth_design -mode out_of_context -top ${CL} -verilog_define XSDB_SLV_DIS \
	-part ${DEVICE_TYPE} -keep_equivalent_registers

source ${HDK_SHELL_DIR}/build/scripts/synth_cl_footer.tcl
