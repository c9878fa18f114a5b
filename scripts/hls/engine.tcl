# engine.tcl - vitis_hls flow for lfk_engine: C simulation, synthesis,
# C/RTL co-simulation and export as a Vitis kernel (.xo), with a
# platform's parameters. The engine instantiates every datapath: expect
# the longest synthesis of the five (see common.tcl for the arguments).
#
#   vitis_hls -f scripts/hls/engine.tcl -tclargs u250
#   vitis_hls -f scripts/hls/engine.tcl -tclargs aws-f1 csim
#
# Commands: UG1399 "Vitis HLS Command Reference" (open_project, set_top,
# add_files -cflags / -tb, open_solution -flow_target vitis, set_part,
# create_clock, csim_design, csynth_design, cosim_design, export_design
# -format xo). Vitis 2024.2+ runs the same Tcl with
# `vitis-run --mode hls --tcl scripts/hls/engine.tcl`. Output goes to
# build/hls-tcl/<platform>/. Nothing here was run: no Vitis where it was
# written; `make hls-tb` builds and runs the same testbench with gcc.
source [file join [file dirname [info script]] common.tcl]
set a [lf_hls_args $argv lfk_engine]
set cflags "-I$lf_root/hls [dict get $a defs]"

open_project -reset [dict get $a project]
set_top lfk_engine
# engine.c #includes conv2d.c, matmul.c, pool.c and add.c (one
# translation unit, LF_ENGINE_BUILD leaves their top functions out).
add_files $lf_root/hls/engine.c -cflags $cflags
# Testbench hook: tb_engine.c computes the expected bytes with plain loops
# and returns nonzero on a mismatch, which fails csim and cosim. cycles.c
# holds the emulator's counter (empty when LF_HLS is defined).
add_files -tb $lf_root/scripts/hls/tb_engine.c -cflags "$cflags -I$lf_root/scripts/hls"
add_files -tb $lf_root/hls/cycles.c -cflags $cflags

open_solution -reset sol -flow_target vitis
set_part [dict get $a part]
create_clock -period "[dict get $a mhz]MHz" -name default

foreach step [dict get $a steps] {
	switch $step {
		csim   { csim_design }
		csynth { csynth_design }
		cosim  { cosim_design -trace_level none }
		export { export_design -format xo -output [file join [dict get $a out] lfk_engine.xo] }
	}
}
exit
