# pool.tcl - vitis_hls flow for lfk_pool: C simulation, synthesis,
# C/RTL co-simulation and export as a Vitis kernel (.xo), with a
# platform's parameters (see common.tcl for the arguments).
#
#   vitis_hls -f scripts/hls/pool.tcl -tclargs u250
#   vitis_hls -f scripts/hls/pool.tcl -tclargs aws-f1 csim
#
# Commands: UG1399 "Vitis HLS Command Reference" (open_project, set_top,
# add_files -cflags / -tb, open_solution -flow_target vitis, set_part,
# create_clock, csim_design, csynth_design, cosim_design, export_design
# -format xo). Vitis 2024.2+ runs the same Tcl with
# `vitis-run --mode hls --tcl scripts/hls/pool.tcl`. Output goes to
# build/hls-tcl/<platform>/. Nothing here was run: no Vitis where it was
# written; `make hls-tb` builds and runs the same testbench with gcc.
source [file join [file dirname [info script]] common.tcl]
set a [lf_hls_args $argv lfk_pool]
set cflags "-I$lf_root/hls [dict get $a defs]"

open_project -reset [dict get $a project]
set_top lfk_pool
add_files $lf_root/hls/pool.c -cflags $cflags
# Testbench hook: tb_pool.c computes the expected bytes with plain loops
# and returns nonzero on a mismatch, which fails csim and cosim. cycles.c
# holds the emulator's counter (empty when LF_HLS is defined).
add_files -tb $lf_root/scripts/hls/tb_pool.c -cflags "$cflags -I$lf_root/scripts/hls"
add_files -tb $lf_root/hls/cycles.c -cflags $cflags

open_solution -reset sol -flow_target vitis
set_part [dict get $a part]
create_clock -period "[dict get $a mhz]MHz" -name default

foreach step [dict get $a steps] {
	switch $step {
		csim   { csim_design }
		csynth { csynth_design }
		cosim  { cosim_design -trace_level none }
		export { export_design -format xo -output [file join [dict get $a out] lfk_pool.xo] }
	}
}
exit
