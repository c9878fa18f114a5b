# common.tcl - shared by conv2d.tcl, matmul.tcl, pool.tcl, add.tcl and
# engine.tcl: command-line handling
# and the per-platform part, clock and -D flags, read from
# bitstreams/<platform>/params.mk so the standalone vitis_hls flow builds
# exactly the parameters `make hw` would.
#
#   vitis_hls -f scripts/hls/<kernel>.tcl -tclargs [PLATFORM] [STEP...]
#   PLATFORM  aws-f1 (default), aws-f2, aws-f2-hdk, u250, u280, u55c
#   STEP      csim csynth cosim export (default: all four, in that order)

set lf_root [file normalize [file join [file dirname [info script]] .. ..]]

# NAME := value lines of a params.mk (make's \ continuations joined);
# "include bitstreams/<p>/params.mk" lines (paths from the source root)
# are read in place, as make does.
proc lf_read_params {path} {
	global lf_root
	set fh [open $path r]
	set text [string map [list "\\\n" " "] [read $fh]]
	close $fh
	set vals [dict create]
	foreach line [split $text "\n"] {
		set line [string trim [lindex [split $line "#"] 0]]
		if {[regexp {^include\s+(\S+)$} $line -> inc]} {
			set vals [dict merge $vals [lf_read_params [file join $lf_root $inc]]]
		} elseif {[regexp {^([A-Z0-9_]+)\s*:?=\s*(.*)$} $line -> name value]} {
			dict set vals $name [string trim $value]
		}
	}
	return $vals
}

# Returns a dict: platform, steps, part, mhz, defs, out.
proc lf_hls_args {argv kernel} {
	global lf_root
	set platform aws-f1
	set steps {}
	foreach a $argv {
		if {$a in {csim csynth cosim export}} {
			lappend steps $a
		} else {
			set platform $a
		}
	}
	if {[llength $steps] == 0} {
		set steps {csim csynth cosim export}
	}
	set pm [file join $lf_root bitstreams $platform params.mk]
	if {![file exists $pm]} {
		error "unknown platform '$platform' (no $pm); use aws-f1 aws-f2 aws-f2-hdk u250 u280 u55c"
	}
	set p [lf_read_params $pm]
	set map {HW_CLOCK_MHZ LF_CLOCK_MHZ HW_CONV_PE_OC LF_CONV_PE_OC
		HW_CONV_PE_K LF_CONV_PE_K HW_CONV_KMAX LF_CONV_KMAX
		HW_CONV_XVEC LF_CONV_XVEC HW_CONV_TW_MAX LF_CONV_TW_MAX
		HW_MM_PE_N LF_MM_PE_N HW_MM_PE_K LF_MM_PE_K HW_MM_KMAX LF_MM_KMAX
		HW_POOL_TW_MAX LF_POOL_TW_MAX HW_POOL_ROW LF_POOL_ROW
		HW_ADD_LANES LF_ADD_LANES}
	set defs {}
	foreach {var macro} $map {
		lappend defs "-D${macro}=[dict get $p $var]"
	}
	set out [file join $lf_root build hls-tcl $platform]
	file mkdir $out
	return [dict create platform $platform steps $steps \
		part [dict get $p HW_PART] mhz [dict get $p HW_CLOCK_MHZ] \
		defs [join $defs " "] out $out \
		project [file join $out ${kernel}_prj]]
}
