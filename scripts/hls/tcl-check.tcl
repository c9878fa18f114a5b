# tcl-check.tcl - runs conv2d.tcl, matmul.tcl, pool.tcl, add.tcl,
# engine.tcl and ip.tcl under tclsh with the
# vitis_hls commands replaced by stubs that check their arguments: the top
# function, every added file exists, a part and clock are set, every step
# is requested. It proves the scripts' own logic (argument and params.mk
# handling), not what vitis_hls does with them.
#
#   tclsh scripts/hls/tcl-check.tcl   (make hls-tcl-check)
# Prints one line per script and platform; the last line is
# "hls-tcl-check: N passed, M failed"; exit status 1 on any failure.

set here [file dirname [file normalize [info script]]]
set passed 0
set failed 0

proc run_one {script platform want_top {want_format xo}} {
	set i [interp create]
	interp hide $i exit
	set log {}
	foreach cmd {open_project set_top open_solution set_part create_clock
		csim_design csynth_design cosim_design export_design
		config_interface} {
		interp alias $i $cmd {} record $cmd
	}
	interp alias $i add_files {} record add_files
	interp alias $i exit {} record exit
	set ::calls {}
	$i eval [list set argv [list $platform]]
	$i eval [list set argc 1]
	set err ""
	if {[catch {$i eval [list source $script]} err]} {
		interp delete $i
		return "error: $err"
	}
	interp delete $i
	# Checks on the recorded calls.
	set problems {}
	set names [lmap c $::calls {lindex $c 0}]
	foreach need {open_project set_top open_solution set_part create_clock
		csim_design csynth_design cosim_design export_design} {
		if {$need ni $names} { lappend problems "no $need" }
	}
	foreach c $::calls {
		set args [lrange $c 1 end]
		switch [lindex $c 0] {
			set_top {
				if {[lindex $args 0] ne $want_top} { lappend problems "set_top $args" }
			}
			add_files {
				set f [lindex [lsearch -inline -all -not -glob $args -*] 0]
				if {![file exists $f]} { lappend problems "add_files: no file $f" }
				set cf [lindex $args [expr {[lsearch $args -cflags] + 1}]]
				foreach m {LF_CONV_PE_OC LF_MM_PE_N LF_POOL_ROW LF_ADD_LANES} {
					if {![string match "*-D$m=*" $cf]} {
						lappend problems "add_files $f: no -D$m"
					}
				}
			}
			set_part {
				if {![regexp {^x[a-z0-9]+-} [lindex $args 0]]} { lappend problems "set_part $args" }
			}
			export_design {
				if {[lsearch $args $want_format] < 0} { lappend problems "export_design not $want_format" }
			}
		}
	}
	return [join $problems "; "]
}

proc record {cmd args} {
	lappend ::calls [concat [list $cmd] $args]
	return ""
}

foreach {script top} {conv2d.tcl lfk_conv2d matmul.tcl lfk_matmul pool.tcl lfk_pool
	add.tcl lfk_add engine.tcl lfk_engine} {
	foreach platform {aws-f1 aws-f2 u250 u280 u55c} {
		set r [run_one [file join $here $script] $platform $top]
		if {$r eq ""} {
			incr passed
		} else {
			incr failed
			puts "FAIL $script $platform: $r"
		}
	}
}
# ip.tcl: the engine as a Vivado IP for the AWS F2 HDK CL (its params.mk
# includes aws-f2's), and a vivado flow target.
set r [run_one [file join $here ip.tcl] aws-f2-hdk lfk_engine ip_catalog]
if {$r eq "" && [lsearch -index 0 $::calls config_interface] >= 0 &&
    [lsearch -glob $::calls "open_solution*-flow_target vivado*"] >= 0} {
	incr passed
} else {
	incr failed
	puts "FAIL ip.tcl aws-f2-hdk: $r"
}
# A wrong platform must be an error, not a silent default.
set r [run_one [file join $here conv2d.tcl] no-such-card lfk_conv2d]
if {[string match "error: unknown platform*" $r]} {
	incr passed
} else {
	incr failed
	puts "FAIL conv2d.tcl no-such-card: $r"
}
puts "hls-tcl-check: $passed passed, $failed failed"
exit [expr {$failed > 0}]
