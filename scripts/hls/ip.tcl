# ip.tcl - vitis_hls flow that exports a layerfab kernel as a Vivado IP
# (IP catalog), for Custom Logic built with Vivado around it: the AWS F2
# HDK flow (bitstreams/aws-f2-hdk/), where no v++ link exists. Same source,
# parameters and testbench as <kernel>.tcl; only the flow target and the
# export format differ.
#
#   vitis_hls -f scripts/hls/ip.tcl -tclargs aws-f2-hdk [engine] [STEP...]
#   (make hw PLATFORM=aws-f2-hdk runs it; output in
#   build/hls-tcl/<platform>/lfk_<kernel>_ip/)
#
# Commands: UG1399 "Vitis HLS Command Reference": open_solution
# -flow_target vivado (an IP for Vivado instead of a Vitis .xo),
# config_interface (-m_axi_addr64: 64-bit m_axi addresses, needed to reach
# the 64 GiB DDR; -m_axi_max_widen_bitwidth 512 and
# -m_axi_alignment_byte_size 64: the 512-bit beats the kernels are written
# for, which the vitis flow target gives by default and the vivado one does
# not), export_design -format ip_catalog. The IP's ports then follow the
# pragmas of hls/<kernel>.c: s_axi_control (ap_ctrl_hs at 0x00, arguments
# from 0x10), m_axi_gmem0/1/2, ap_clk, ap_rst_n, interrupt. UNVERIFIED: no
# Vitis HLS where this was written; make hls-tcl-check runs its logic.
source [file join [file dirname [info script]] common.tcl]

set kernel engine
set rest {}
foreach arg $argv {
	if {$arg in {engine conv2d matmul pool add}} {
		set kernel $arg
	} else {
		lappend rest $arg
	}
}
set a [lf_hls_args $rest lfk_${kernel}_ip]
set top lfk_$kernel
set cflags "-I$lf_root/hls [dict get $a defs]"

open_project -reset [dict get $a project]
set_top $top
add_files $lf_root/hls/$kernel.c -cflags $cflags
add_files -tb $lf_root/scripts/hls/tb_$kernel.c -cflags "$cflags -I$lf_root/scripts/hls"
add_files -tb $lf_root/hls/cycles.c -cflags $cflags

open_solution -reset sol -flow_target vivado
set_part [dict get $a part]
create_clock -period "[dict get $a mhz]MHz" -name default
config_interface -m_axi_addr64 -m_axi_max_widen_bitwidth 512 -m_axi_alignment_byte_size 64

foreach step [dict get $a steps] {
	switch $step {
		csim   { csim_design }
		csynth { csynth_design }
		cosim  { cosim_design -trace_level none }
		export {
			export_design -format ip_catalog -vendor layerfab.org \
				-library hls -ipname $top -version 1.0 \
				-output [file join [dict get $a out] ${top}_ip.zip]
		}
	}
}
exit
