# bitstreams/aws-f2-hdk/hdk.mk - make hw PLATFORM=aws-f2-hdk: the layerfab
# Custom Logic for AWS F2 through the HDK flow. Included by hw.mk for that
# platform only. UNVERIFIED: nothing below past the preflight has run (no
# Vivado, Vitis HLS or HDK where it was written); README.md says what was
# checked and how.
#
#   make hw PLATFORM=aws-f2-hdk HDK_DIR=<aws-fpga checkout>/hdk
#     1. scripts/hdk-preflight.sh: Vivado, vitis_hls, the HDK checkout
#     2. the kernels' limits with the hardware parameters (lf-limits-dump)
#     3. the CL description (lf-xclbin: CUs, register offsets, banks,
#        limits) -> $(HDK_OUT)/aws-f2-hdk.xclbin, what driver/aws loads
#     4. lfk_engine exported as Vivado IP (scripts/hls/ip.tcl)
#     5. the CL directory the HDK flow expects ($(HDK_CL_DIR)): our design/
#        and build/scripts/synth_cl_layerfab.tcl, the generated defines
#        (CU count, description id), the HDK's own build scripts and
#        constraints from CL_TEMPLATE
#     6. the HDK's aws_build_dcp_from_cl.py -c cl_layerfab -> the DCP
#        tarball under $(HDK_CL_DIR)/build/checkpoints/ (hours)
#   then scripts/aws-f2-afi.sh turns the tarball into an AFI.

include bitstreams/aws-f2-hdk/params.mk

HDK_DIR ?=
VIVADO ?= vivado
VITIS_HLS ?= vitis_hls
HDK_OUT := $(BUILD)/bitstreams/aws-f2-hdk
HDK_CL_DIR := $(HDK_OUT)/$(CL_NAME)
HDK_DESC := $(HDK_OUT)/aws-f2-hdk.xclbin
HDK_IP_ZIP := build/hls-tcl/aws-f2-hdk/lfk_engine_ip.zip
HDK_TEMPLATE = $(HDK_DIR)/cl/examples/CL_TEMPLATE

.PHONY: hw hw-preflight hw-budget hdk-cl-dir
hw: hw-preflight $(HDK_DESC) hdk-cl-dir
	cd $(HDK_CL_DIR)/build/scripts && CL_DIR=$(abspath $(HDK_CL_DIR)) \
		LF_HLS_IP_REPO=$(abspath $(HDK_OUT)/ip_repo) \
		LF_CL_NCUS=$(HW_LANES) LF_CL_CU_BASE=$(CL_CU_BASE) \
		LF_CL_CU_SPAN=$(CL_CU_SPAN) LF_CL_DDR_BASE=$(CL_DDR_BASE) \
		LF_CL_DDR_SIZE=$(CL_DDR_SIZE) \
		LF_CL_PCIS_STATUS=$(CL_PCIS_STATUS) \
		./aws_build_dcp_from_cl.py -c $(CL_NAME)
	@echo "hw: the DCP tarball is in $(HDK_CL_DIR)/build/checkpoints/;"
	@echo "hw: make an AFI of it with scripts/aws-f2-afi.sh; the card's"
	@echo "hw: description is $(HDK_DESC) (LAYERFAB_XCLBIN on the instance)"

hw-preflight:
	@sh scripts/hdk-preflight.sh "$(HDK_DIR)" "$(VIVADO)" "$(VITIS_HLS)"

hw-budget:
	@$(PYTHON3) scripts/hw-config-check --table aws-f2

# Limits of exactly the hardware parameters (aws-f2's HW_DEFS).
$(HDK_OUT)/lf-limits-dump: hls/limits_dump.c $(wildcard hls/*.h) \
		bitstreams/aws-f2-hdk/params.mk | hw-preflight
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Ihls $(HW_DEFS) $< -o $@
$(HDK_OUT)/layerfab_limits.txt: $(HDK_OUT)/lf-limits-dump
	$< > $@.tmp && mv $@.tmp $@

# The description: the same lf-xclbin call as the aws:sim one
# (bitstreams/module.mk), with the hardware's limits. Its BITSTREAM (the
# host-C kernels) is ignored on the card.
$(HDK_DESC): bitstreams/aws-f2-hdk/cl.args $(LF_XCLBIN_TOOL) $(KERNEL_SO) \
		$(HDK_OUT)/layerfab_limits.txt | hw-preflight
	$(LF_XCLBIN_TOOL) --out $@ --platform aws-f2-hdk --kernels-so $(KERNEL_SO) \
		--limits $(HDK_OUT)/layerfab_limits.txt \
		$(file < bitstreams/aws-f2-hdk/cl.args)

$(HDK_IP_ZIP): $(wildcard hls/*.c hls/*.h) scripts/hls/ip.tcl \
		scripts/hls/common.tcl bitstreams/aws-f2-hdk/params.mk | hw-preflight
	$(VITIS_HLS) -f scripts/hls/ip.tcl -tclargs aws-f2-hdk engine

# The CL directory, laid out as the HDK's create_new_cl.py lays one out.
hdk-cl-dir: $(HDK_DESC) $(HDK_IP_ZIP) | hw-preflight
	rm -rf $(HDK_CL_DIR) $(HDK_OUT)/ip_repo
	mkdir -p $(HDK_CL_DIR)/design $(HDK_CL_DIR)/build/scripts \
		$(HDK_CL_DIR)/build/constraints $(HDK_OUT)/ip_repo
	cd $(HDK_OUT)/ip_repo && unzip -q $(abspath $(HDK_IP_ZIP))
	cp bitstreams/aws-f2-hdk/design/*.sv bitstreams/aws-f2-hdk/design/*.vh \
		$(HDK_CL_DIR)/design/
	id=$$($(LF_XCLBIN_TOOL) --info $(HDK_DESC) | awk '/^uuid:/ { u = $$2; \
		print substr(u, 7, 2) substr(u, 5, 2) substr(u, 3, 2) substr(u, 1, 2) }'); \
	sed -e "s/@NCUS@/$(HW_LANES)/" -e "s/@DESC_ID@/$$id/" \
		bitstreams/aws-f2-hdk/design/cl_layerfab_defines.vh.in \
		> $(HDK_CL_DIR)/design/cl_layerfab_defines.vh
	cp -P $(HDK_TEMPLATE)/build/scripts/aws_build_dcp_from_cl.py \
		$(HDK_TEMPLATE)/build/scripts/build_all.tcl \
		$(HDK_TEMPLATE)/build/scripts/build_level_1_cl.tcl \
		$(HDK_TEMPLATE)/build/scripts/encrypt.tcl \
		$(HDK_CL_DIR)/build/scripts/
	cp bitstreams/aws-f2-hdk/build/synth_cl_layerfab.tcl \
		$(HDK_CL_DIR)/build/scripts/
	cp $(HDK_TEMPLATE)/build/constraints/*.xdc $(HDK_CL_DIR)/build/constraints/
