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

# Real-card builds (v++), the kernel lint and config checks.
include bitstreams/hw.mk
