# bitstreams: emulation xclbins built here; v++ rules for real cards.
BITSTREAMS :=

# Emulation xclbins: the host-C kernels ($(KERNEL_SO), as BITSTREAM) and
# their limits ($(LIMITS_TXT)) with the memory banks and platform name of
# each profile (`lf-xclbin --platforms`). bitstreams/emu/<profile>.args
# holds the rest of each profile's lf-xclbin options (kernels, CU counts).
EMU_PROFILES := aws-f1 u250 u280 u55c tiny
EMU_XCLBINS := $(EMU_PROFILES:%=$(BUILD)/bitstreams/emu-%.xclbin)
BITSTREAMS += $(EMU_XCLBINS)
ALL_TARGETS += $(EMU_XCLBINS)

$(BUILD)/bitstreams/emu-%.xclbin: bitstreams/emu/%.args $(LF_XCLBIN_TOOL) \
		$(KERNEL_SO) $(LIMITS_TXT)
	@mkdir -p $(@D)
	$(LF_XCLBIN_TOOL) --out $@ --platform $* --kernels-so $(KERNEL_SO) \
		--limits $(LIMITS_TXT) $(file < bitstreams/emu/$*.args)

# The description of the AWS F2 HDK Custom Logic (bitstreams/aws-f2-hdk/)
# as aws:sim runs it: the CL's CUs (cl.args), register offsets and PCIS
# banks (profile aws-f2-hdk), plus the host-C kernels as BITSTREAM for the
# emulated CL. The aws backend finds it as <device name>.xclbin.
AWS_SIM_XCLBIN := $(BUILD)/bitstreams/aws-f2-hdk-sim.xclbin
BITSTREAMS += $(AWS_SIM_XCLBIN)
ALL_TARGETS += $(AWS_SIM_XCLBIN)
$(AWS_SIM_XCLBIN): bitstreams/aws-f2-hdk/cl.args $(LF_XCLBIN_TOOL) \
		$(KERNEL_SO) $(LIMITS_TXT)
	@mkdir -p $(@D)
	$(LF_XCLBIN_TOOL) --out $@ --platform aws-f2-hdk --kernels-so $(KERNEL_SO) \
		--limits $(LIMITS_TXT) $(file < bitstreams/aws-f2-hdk/cl.args)

# Real-card builds (v++), the kernel lint and config checks.
include bitstreams/hw.mk
