# bitstreams/hw.mk - real-hardware bitstreams (Vitis v++) and the kernel
# checks that run without any vendor tool. Included from bitstreams/module.mk.
#
#   make hw PLATFORM=<p> [TARGET=hw|hw_emu] [PLATFORM_NAME=<name or .xpfm>]
#       <p>: aws-f1 aws-f2 u250 u280 u55c (bitstreams/<p>/params.mk, link.cfg)
#       -> $(BUILD)/bitstreams/<p>/<TARGET>/layerfab.xclbin
#   make hw PLATFORM=aws-f2-hdk HDK_DIR=...   AWS F2 through the HDK flow
#       (Vivado): bitstreams/aws-f2-hdk/hdk.mk
#   make hw-budget [PLATFORM=<p>]   the resource arithmetic behind params.mk
#   make hls-lint                   scripts/hls-lint over hls/ kernel sources
#   make hls-lint-test              the linter's own tests (tests/hls_lint)
#   make hw-config-check            connectivity and budget of every platform,
#                                   then its own checks on mutated configs
#   make hls-tb                     build the vitis_hls testbenches with gcc
#                                   and run them (scripts/hls/tb_*.c), with
#                                   the default and every platform's params
#   make hls-tcl-check              scripts/hls/*.tcl under tclsh, stubbed
#   make aws-afi-test               scripts/aws-afi.sh --dry-run and its checks
#   make aws-f2-hdk-check           the AWS F2 HDK CL's ports and address map
#
# Nothing under `make hw` can run where Vitis is absent; it says what is
# missing (scripts/hw-preflight.sh) instead of failing in a shell. The
# other targets need only gcc and /usr/bin/python3 and are part of
# `make test`.

HW_PLATFORMS := aws-f1 aws-f2 u250 u280 u55c
# The kernels: LF_KERNELS in hls/lf_desc.h, the one list (the host's
# lf_kernel_name(), the emulator's and OpenCL's tables come from it),
# read here by sed; hw-kernels-check (make test) holds this reading to the
# C compiler's. Kernel lfk_X is compiled from hls/X.c.
HW_KERNELS := $(shell sed -n 's/^[[:space:]]*X(LF_KERNEL_[A-Z0-9_]*,[[:space:]]*"\(lfk_[a-z0-9_]*\)").*/\1/p' hls/lf_desc.h)
TARGET ?= hw
PLATFORM ?=
VPP ?= v++
PYTHON3 ?= /usr/bin/python3
# XRT's own xclbinutil: Debian's libxrt-utils ships only a wrapper whose
# binary is missing, so never fall back to the one on PATH.
XCLBINUTIL ?= $(XILINX_XRT)/bin/xclbinutil

.PHONY: hw hw-preflight hw-budget hw-config-check hw-kernels-check \
	hls-lint hls-lint-test hls-tb hls-tcl-check aws-afi-test aws-f2-hdk-check

ifneq ($(filter $(PLATFORM),$(HW_PLATFORMS)),)
include bitstreams/$(PLATFORM)/params.mk

HW_DIR := $(BUILD)/bitstreams/$(PLATFORM)/$(TARGET)
HW_XCLBIN := $(HW_DIR)/layerfab.xclbin
PLATFORM_NAME ?= $(HW_PLATFORM_NAME)
# Kernel clock, for HLS scheduling (-c) and for the link (-l). Vitis
# 2023.2+ also accepts --freqhz=<N>MHz (UG1700 "Using --freqhz for Clock
# Management"); --kernel_frequency is the form every release since
# 2019.2 takes (UG1393 "Clock Information").
HW_CLOCK_OPT ?= --kernel_frequency $(HW_CLOCK_MHZ)
HW_VPP_FLAGS ?=
HW_VPP_COMMON = -t $(TARGET) --platform $(PLATFORM_NAME) $(HW_CLOCK_OPT) \
	--save-temps --temp_dir $(HW_DIR)/tmp --log_dir $(HW_DIR)/log \
	--report_dir $(HW_DIR)/report $(HW_VPP_FLAGS)
HW_KERNEL_DEPS := $(wildcard hls/*.h) bitstreams/$(PLATFORM)/params.mk

hw: $(HW_XCLBIN)
	@echo "hw: built $(HW_XCLBIN) for $(PLATFORM_NAME) ($(TARGET))"
	@echo "hw: synthesis/timing results: $(HW_DIR)/report (nothing here was"
	@echo "hw: verified by the layerfab tests; see bitstreams/README.md)"

# Checks the tools once, before the first v++ call (order-only below).
hw-preflight:
	@sh scripts/hw-preflight.sh "$(PLATFORM)" "$(TARGET)" "$(PLATFORM_NAME)" \
		"$(VPP)" "$(XCLBINUTIL)"

# v++ --compile, one .xo per kernel, with this platform's parameters.
# Classic compile form (UG1393 "Compiling C/C++ PL Kernels": v++ -c -t
# <target> --platform <p> -k <kernel> ... -o <xo> <src>); -D and -I are
# v++'s preprocessor options, passed to the HLS front end.
# Every kernel of HW_KERNELS has a rule (make <dir>/lfk_pool.xo
# PLATFORM=... builds one alone); the link takes the kernels of
# HW_LANE_CUS (params.mk). lfk_engine.xo compiles hls/engine.c, which
# #includes the four layer sources, so it depends on them too.
HW_LANE_XOS := $(HW_LANE_CUS:%=$(HW_DIR)/%.xo)

$(HW_DIR)/lfk_%.xo: hls/%.c $(HW_KERNEL_DEPS) | hw-preflight
	@mkdir -p $(@D)
	$(VPP) -c $(HW_VPP_COMMON) -k lfk_$* -I hls $(HW_DEFS) -o $@ $<

$(HW_DIR)/lfk_engine.xo: hls/conv2d.c hls/matmul.c hls/pool.c hls/add.c

# v++ --link: CU counts, memory banks and SLRs from the platform's cfg.
$(HW_DIR)/layerfab.link.xclbin: $(HW_LANE_XOS) bitstreams/$(PLATFORM)/link.cfg \
		| hw-preflight
	$(VPP) -l $(HW_VPP_COMMON) --config bitstreams/$(PLATFORM)/link.cfg \
		-o $@ $(filter %.xo,$^)

# The limits this hardware was built with: lf-limits-dump compiled with the
# same -D flags as the kernels (never $(BUILD)/hls/limits.txt, which holds
# the default parameters of the emulation build).
$(HW_DIR)/lf-limits-dump: hls/limits_dump.c $(HW_KERNEL_DEPS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Ihls $(HW_DEFS) $< -o $@

# xclbinutil names a section added from a file after the file's stem
# (XRT src/runtime_src/tools/xclbinutil/XclBinClass.cxx, XclBin::addSection:
# setName(p.stem())), and USER_METADATA takes no [name] index
# (SectionUserMetadata.cxx registers no index support). So the file is
# called layerfab_limits.txt: the section is then named "layerfab_limits",
# exactly the 15 characters that fit axlf_section_header.m_sectionName[16].
$(HW_DIR)/limits/layerfab_limits.txt: $(HW_DIR)/lf-limits-dump
	@mkdir -p $(@D)
	$< > $@.tmp && mv $@.tmp $@

# Attach the limits (USER_METADATA:RAW, UG1393 "xclbinutil Utility":
# --add-section <section>:<format>:<file>), then read them back and
# compare, so a silently dropped section fails the build.
$(HW_XCLBIN): $(HW_DIR)/layerfab.link.xclbin $(HW_DIR)/limits/layerfab_limits.txt \
		| hw-preflight
	rm -f $@ $@.tmp $(HW_DIR)/limits/readback.txt
	$(XCLBINUTIL) --input $< \
		--add-section USER_METADATA:RAW:$(HW_DIR)/limits/layerfab_limits.txt \
		--output $@.tmp
	$(XCLBINUTIL) --input $@.tmp \
		--dump-section USER_METADATA:RAW:$(HW_DIR)/limits/readback.txt
	cmp $(HW_DIR)/limits/layerfab_limits.txt $(HW_DIR)/limits/readback.txt
	mv $@.tmp $@

hw-budget:
	@$(PYTHON3) scripts/hw-config-check --table $(PLATFORM)

else ifeq ($(PLATFORM),aws-f2-hdk)
# AWS F2 through the HDK flow (Vivado, no v++): its own rules.
include bitstreams/aws-f2-hdk/hdk.mk
else
hw hw-preflight:
	@echo "make hw: say which platform: make hw PLATFORM=<p> [TARGET=hw|hw_emu]" >&2
	@echo "  <p> is one of: $(HW_PLATFORMS) aws-f2-hdk$(if $(PLATFORM), (got '$(PLATFORM)'))" >&2
	@echo "  (bitstreams/README.md: tools, platforms, AWS images)" >&2
	@exit 2

hw-budget:
	@$(PYTHON3) scripts/hw-config-check --table
endif

# --- checks that need no vendor tool (part of `make test`) -----------------
# limits_dump.c is a host tool that lives in hls/; it is not kernel code.
HLS_LINT_EXCLUDE ?= hls/limits_dump.c
HLS_LINT_FILES ?= $(filter-out $(HLS_LINT_EXCLUDE),$(sort $(wildcard hls/*.c hls/*.h)))

hls-lint: | $(DEPS_STAMP)
	@$(PYTHON3) scripts/hls-lint $(HLS_LINT_FILES)

hls-lint-test: | $(DEPS_STAMP)
	@PYTHON=$(PYTHON3) sh tests/hls_lint/run.sh

hw-config-check: | $(DEPS_STAMP)
	@$(PYTHON3) scripts/hw-config-check
	@$(PYTHON3) scripts/hw-config-check --self-test

# HW_KERNELS (sed) against LF_KERNELS as the C compiler reads it
# (lf_kernel_name()), and every kernel's hls/X.c; then the check itself
# must fail for a list that differs.
HW_KERNEL_NAMES := $(BUILD)/hls/kernel-names
$(HW_KERNEL_NAMES): scripts/hls/kernel_names.c hls/lf_desc.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -Ihls -o $@ $<
hw-kernels-check: $(HW_KERNEL_NAMES)
	@want="$$($(HW_KERNEL_NAMES))"; [ "$$want" = "$(strip $(HW_KERNELS))" ] || \
		{ echo "hw-kernels-check: HW_KERNELS '$(strip $(HW_KERNELS))'" \
		"is not LF_KERNELS '$$want' (hls/lf_desc.h)"; exit 1; }
	@for k in $(HW_KERNELS); do [ -f "hls/$${k#lfk_}.c" ] || \
		{ echo "hw-kernels-check: $$k has no hls/$${k#lfk_}.c"; exit 1; }; done
	@if [ -z "$(HW_KERNELS_SELF_TEST)" ]; then \
		if $(MAKE) -s --no-print-directory hw-kernels-check \
			HW_KERNELS_SELF_TEST=1 HW_KERNELS="lfk_conv2d lfk_engine" \
			>/dev/null 2>&1; then \
			echo "hw-kernels-check: a list unlike LF_KERNELS passed"; exit 1; fi; \
		echo "hw-kernels-check: $(words $(HW_KERNELS)) kernels, as LF_KERNELS"; fi

# The vitis_hls C-simulation testbenches, built and run with gcc against
# the host-C kernels: once with the default parameters (hls/lf_config.h)
# and once with each platform's (params.mk), so every parameter set that
# `make hw` would synthesize is first shown to compute the right bytes.
HLS_TB_NAMES := $(HW_KERNELS:lfk_%=%)
HLS_TB_VARIANTS := default $(HW_PLATFORMS)
# tb_engine builds hls/engine.c, which #includes the other kernel sources.
HLS_TB_KSRCS := $(filter-out hls/limits_dump.c,$(wildcard hls/*.c))
HLS_TB_BINS := $(foreach v,$(HLS_TB_VARIANTS),$(HLS_TB_NAMES:%=$(BUILD)/hls-tb/$(v)/tb_%))

define HLS_TB_RULE
$(BUILD)/hls-tb/$(1)/tb_%: scripts/hls/tb_%.c scripts/hls/tb_common.h \
		scripts/hls/tb_ref.h hls/%.c $(HLS_TB_KSRCS) $(wildcard hls/*.h) \
		$(if $(filter default,$(1)),,bitstreams/$(1)/params.mk) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC) -Ihls -Iscripts/hls $$(KERNEL_CFLAGS) $(if $(filter default,$(1)),,\
		$$$$($(PYTHON3) scripts/hw-config-check --defs $(1))) \
		$$(LDFLAGS_ALL) -o $$@ $$< hls/$$*.c hls/cycles.c -lm
endef
$(foreach v,$(HLS_TB_VARIANTS),$(eval $(call HLS_TB_RULE,$(v))))

hls-tb: $(HLS_TB_BINS)
	@for t in $(HLS_TB_BINS); do printf '%s: ' "$${t#$(BUILD)/hls-tb/}"; \
		$$t || exit 1; done

# The vitis_hls Tcl scripts, run under tclsh with the HLS commands stubbed.
hls-tcl-check:
	@if command -v tclsh >/dev/null 2>&1; then tclsh scripts/hls/tcl-check.tcl; \
	else echo "hls-tcl-check: tclsh not installed (Debian package tcl): skipped"; fi

# scripts/aws-afi.sh: dry run and argument checks (no AWS account used).
aws-afi-test:
	@sh scripts/aws-afi-test.sh

# The AWS F2 HDK CL: shell port names, address map (params.mk, driver,
# synthesis Tcl, description), IDs, Tcl syntax; then its own self-test.
aws-f2-hdk-check: $(AWS_SIM_XCLBIN) $(LF_XCLBIN_TOOL) | $(DEPS_STAMP)
	@if command -v tclsh >/dev/null 2>&1; then \
		$(PYTHON3) scripts/aws-f2-hdk-check --build $(BUILD) && \
		$(PYTHON3) scripts/aws-f2-hdk-check --build $(BUILD) --self-test; \
	else echo "aws-f2-hdk-check: tclsh not installed (Debian package tcl): skipped"; fi

TEST_DEPS += hls-lint hls-lint-test hw-config-check hw-kernels-check hls-tb \
	hls-tcl-check \
	aws-afi-test aws-f2-hdk-check
