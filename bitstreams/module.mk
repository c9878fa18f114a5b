# bitstreams: emulation xclbins built here; v++ rules for real cards.
BITSTREAMS :=

# Emulation xclbins, two kinds (bitstreams/README.md, "Emulation xclbins"):
#
# - hardware builds, one per platform with a bitstreams/<p>/ config: the
#   host-C kernels compiled with that platform's HW_DEFS (<p>/params.mk,
#   the -D flags `make hw` passes to v++ -c), their own limits text (from
#   lf-limits-dump built with the same flags), and the CUs and bank
#   connectivity of <p>/link.cfg: its nk= and sp= lines become lf-xclbin's
#   --kernel and --sp options (slr= has no meaning in the emulator). So
#   emu:<p> is a projection of exactly the design `make hw PLATFORM=<p>`
#   builds.
# - test-only profiles (EMU_TEST_PROFILES): the default kernel build
#   ($(KERNEL_SO), $(LIMITS_TXT)) with the CUs of bitstreams/emu/<p>.args.
#   Their timings describe no hardware build.
EMU_HW_PROFILES := aws-f1 aws-f2 u250 u280 u55c
EMU_TEST_PROFILES := tiny
EMU_PROFILES := $(EMU_HW_PROFILES) $(EMU_TEST_PROFILES)
EMU_XCLBINS := $(EMU_PROFILES:%=$(BUILD)/bitstreams/emu-%.xclbin)
BITSTREAMS += $(EMU_XCLBINS)
ALL_TARGETS += $(EMU_XCLBINS)

$(EMU_TEST_PROFILES:%=$(BUILD)/bitstreams/emu-%.xclbin): \
		$(BUILD)/bitstreams/emu-%.xclbin: bitstreams/emu/%.args \
		$(LF_XCLBIN_TOOL) $(KERNEL_SO) $(LIMITS_TXT)
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

# HW_DEFS of each platform, read by including its params.mk (every HW_*
# variable is cleared before and after, so nothing leaks into the next
# platform or into hw.mk, which includes the params.mk of PLATFORM= itself).
EMU_CLEAR_HW = $(foreach v,$(filter HW_%,$(.VARIABLES)),$(eval undefine $(v)))
# nk=K:N -> --kernel K:N, sp=CU.ARG:BANK -> --sp 'CU.ARG:BANK'; comments
# and other lines dropped. The kernels' sources: lfk_X is hls/X.c.
EMU_LINK_SED := -e 's/[[:space:]]//g' -e 's/\#.*//' \
	-e "s/^nk=\(.*\)/--kernel '\1'/p" -e "s/^sp=\(.*\)/--sp '\1'/p"

define EMU_HW_PROFILE
$$(call EMU_CLEAR_HW)
include bitstreams/$(1)/params.mk
EMU_DEFS_$(1) := $$(HW_DEFS)
$$(call EMU_CLEAR_HW)
EMU_LINK_$(1) := $$(shell sed -n $$(EMU_LINK_SED) bitstreams/$(1)/link.cfg)
EMU_KSRCS_$(1) := hls/cycles.c $$(patsubst lfk_%,hls/%.c,$$(shell sed -n \
	-e 's/[[:space:]]//g' -e 's/^nk=\([^:]*\).*/\1/p' bitstreams/$(1)/link.cfg))
EMU_KOBJS_$(1) := $$(EMU_KSRCS_$(1):%.c=$(BUILD)/kobj-$(1)/%.o)

$(BUILD)/kobj-$(1)/%.o: %.c bitstreams/$(1)/params.mk | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC) -Ihls $$(KERNEL_CFLAGS) $$(EMU_DEFS_$(1)) -MMD -MP -c $$< -o $$@
-include $$(EMU_KOBJS_$(1):.o=.d)

# Trusted by the emulator like the default build (driver/emu/trust.mk).
KERNEL_SOS += $(BUILD)/hls/$(1)/lfkernels.so
$(BUILD)/hls/$(1)/lfkernels.so: $$(EMU_KOBJS_$(1))
	@mkdir -p $$(@D)
	$$(CC) -shared $$(LDFLAGS_ALL) -o $$@ $$^ -lm

$(BUILD)/hls/$(1)/lf-limits-dump: hls/limits_dump.c bitstreams/$(1)/params.mk \
		| $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC) -Ihls $$(KERNEL_CFLAGS) $$(EMU_DEFS_$(1)) -MMD -MP -MF $$@.d \
		$$(LDFLAGS_ALL) $$< -o $$@
-include $(BUILD)/hls/$(1)/lf-limits-dump.d

$(BUILD)/hls/$(1)/limits.txt: $(BUILD)/hls/$(1)/lf-limits-dump
	$$< > $$@.tmp && mv $$@.tmp $$@

$(BUILD)/bitstreams/emu-$(1).xclbin: bitstreams/$(1)/link.cfg \
		$(LF_XCLBIN_TOOL) $(BUILD)/hls/$(1)/lfkernels.so \
		$(BUILD)/hls/$(1)/limits.txt
	@mkdir -p $$(@D)
	$(LF_XCLBIN_TOOL) --out $$@ --platform $(1) \
		--kernels-so $(BUILD)/hls/$(1)/lfkernels.so \
		--limits $(BUILD)/hls/$(1)/limits.txt $$(EMU_LINK_$(1))
endef
$(foreach p,$(EMU_HW_PROFILES),$(eval $(call EMU_HW_PROFILE,$(p))))

# Real-card builds (v++), the kernel lint and config checks.
include bitstreams/hw.mk
