# bitstreams/aws-f2-hdk/params.mk - the layerfab Custom Logic for AWS EC2 F2
# built with the HDK flow (Vivado, no Vitis platform, no v++): kernel
# parameters and the CL's own constants. UNVERIFIED: nothing here has been
# through vitis_hls or Vivado (README.md, "Status").
#
# The kernels are the same HLS sources with the same parameters as the
# Vitis aws-f2 build: the device (VU47P), its budget and the engine's
# sizing are argued in ../aws-f2/params.mk, read here in place.
include bitstreams/aws-f2/params.mk

# The CL (cl.args: the same list the description is built from): lanes of
# one lfk_engine each. HW_LANES comes from aws-f2 (2).
CL_NAME := cl_layerfab
# PCIe device ID the CL presents with vendor 0x1D0F: ours, in AWS's range
# 0xF000-0xF0FF for that vendor (CL_TEMPLATE/design/cl_id_defines.vh);
# driver/aws/aws_card.c lists PFs with it.
CL_DEVICE_ID := 0xF0F2
# Address map (driver/aws/aws_impl.h holds the same numbers; the check
# scripts/aws-f2-hdk-check compares them):
#   OCL (BAR0, 64 MiB): identity block at 0x0, CU i at
#   CL_CU_BASE + i * CL_CU_SPAN (the xclbin writer's IP_LAYOUT bases).
CL_CU_BASE := 0x1800000
CL_CU_SPAN := 0x10000
#   PCIS (BAR4, 128 GiB): DDR4 at 0 (64 GiB), the status page at the top.
CL_DDR_BASE := 0x0
CL_DDR_SIZE := 0x1000000000
CL_PCIS_STATUS := 0x1FFFFFF000
# The HDK's clock: clk_main_a0 at 250 MHz (AWS_Shell_Interface_
# Specification.md, "Clocks"), the same as HW_CLOCK_MHZ: one clock domain.
