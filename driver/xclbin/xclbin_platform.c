/*
 * xclbin_platform.c - platform profiles for emulation xclbins: the memory
 * banks (MEM_TOPOLOGY) and platform name (m_platformVBNV) of each card, so
 * an emulated device plans memory as it would on the real one.
 *
 * Sources:
 *   aws-f1  aws/aws-fpga README.md (master): "Four DDR4 RDIMM interfaces
 *           (72-bit with ECC, 16 GiB each; 64 GiB total)"; platform name
 *           from Vitis/docs/Alveo_to_AWS_F1_Migration/example/README.md
 *           (xilinx_aws-vu9p-f1_shell-v04261818_201920_3).
 *   u250    AMD UG1120 "U250 Gen3x16 XDMA 4_1 Platform": deployment name
 *           xilinx_u250_gen3x16_xdma_4_1_202210_1, target card
 *           A-U250-P64G (64 GB DDR4, four 16 GB channels).
 *   u280    AMD UG1393 (2023.1) "HBM Configuration and Use": "8 GB total
 *           HBM using 256 MB PCs for Alveo U280"; UG1314 (U280 user
 *           guide): two 16 GB DDR4 channels. Platform name as in
 *           Xilinx/xup_vitis_network_example issue #106
 *           (xilinx_u280_xdma_201920_3).
 *   u55c    UG1393 (2023.1): "16 GB HBM using 512 MB pseudo channels (PCs)
 *           for Alveo U55C"; the U55C has no DDR. Platform name as used by
 *           xbtest's documentation (xilinx_u55c_gen3x16_xdma_3_202210_1).
 *   aws-f2  ASSUMPTION: 32 x 512 MiB HBM, as bitstreams/aws-f2/link.cfg
 *           assumes (Alveo-style HBM[0:31]); bitstreams/aws-f2/params.mk:
 *           VU47P with 16 GiB HBM, whose Vitis platform's memory tags are
 *           not published. The card's 64 GiB DDR4 is left out (no
 *           link.cfg port uses it). Platform name: params.mk
 *           (xilinx_aws-vu47p-f2_202410_1, aws-fpga f2 vitis_setup.sh).
 *   tiny    ours: two 64 MiB banks, for tests that fill device memory.
 *           A test-only profile: it describes no card.
 *   aws-f2-hdk  ours: the layerfab Custom Logic for AWS F2 built with the
 *           HDK (bitstreams/aws-f2-hdk/), as its PCIS window (AppPF BAR4)
 *           shows it: the card's 64 GiB DDR4 at 0x00_0000_0000, as in
 *           aws-fpga's f2 example hdk/cl/examples/cl_dram_hbm_dma/
 *           README.md ("dma_pcis AXI4 bus": DDR base_addr=0x00_0000_0000
 *           range=64GB). That map puts the 16 GiB HBM at 0x10_0000_0000,
 *           where the writer's back-to-back layout would put a second bank
 *           too; the CL's first version instantiates no HBM, so the
 *           profile has none. The name is ours: the HDK flow has no Vitis
 *           platform.
 *
 * Tags follow what v++ writes for these platforms ("DDR[0]", "HBM[0]").
 * HBM banks are listed first on the U280, so CONNECTIVITY spreads kernel
 * ports over HBM, as a U280 design would.
 */
#include <string.h>
#include <xrt/xclbin.h>

#include "driver/xclbin/xclbin.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

#define DDR(i, size)                                                           \
	{                                                                      \
		"DDR[" #i "]", MEM_DDR4, size                                  \
	}
#define HBM(i, size)                                                           \
	{                                                                      \
		"HBM[" #i "]", MEM_HBM, size                                   \
	}
#define HBM32(size)                                                            \
	HBM(0, size), HBM(1, size), HBM(2, size), HBM(3, size), HBM(4, size),  \
	    HBM(5, size), HBM(6, size), HBM(7, size), HBM(8, size),            \
	    HBM(9, size), HBM(10, size), HBM(11, size), HBM(12, size),         \
	    HBM(13, size), HBM(14, size), HBM(15, size), HBM(16, size),        \
	    HBM(17, size), HBM(18, size), HBM(19, size), HBM(20, size),        \
	    HBM(21, size), HBM(22, size), HBM(23, size), HBM(24, size),        \
	    HBM(25, size), HBM(26, size), HBM(27, size), HBM(28, size),        \
	    HBM(29, size), HBM(30, size), HBM(31, size)

static const struct lf_xclbin_bank f1_banks[] = {
    DDR(0, 16 * GiB),
    DDR(1, 16 * GiB),
    DDR(2, 16 * GiB),
    DDR(3, 16 * GiB),
};

static const struct lf_xclbin_bank u250_banks[] = {
    DDR(0, 16 * GiB),
    DDR(1, 16 * GiB),
    DDR(2, 16 * GiB),
    DDR(3, 16 * GiB),
};

static const struct lf_xclbin_bank u280_banks[] = {
    HBM32(256 * MiB),
    DDR(0, 16 * GiB),
    DDR(1, 16 * GiB),
};

static const struct lf_xclbin_bank u55c_banks[] = {
    HBM32(512 * MiB),
};

static const struct lf_xclbin_bank aws_f2_hdk_banks[] = {
    DDR(0, 64 * GiB),
};

static const struct lf_xclbin_bank f2_banks[] = {
    HBM32(512 * MiB),
};

static const struct lf_xclbin_bank tiny_banks[] = {
    DDR(0, 64 * MiB),
    DDR(1, 64 * MiB),
};

#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static const struct lf_xclbin_platform platforms[] = {
    {"aws-f1", "xilinx_aws-vu9p-f1_shell-v04261818_201920_3", N(f1_banks),
     f1_banks, 0},
    {"u250", "xilinx_u250_gen3x16_xdma_4_1_202210_1", N(u250_banks), u250_banks,
     0},
    {"u280", "xilinx_u280_xdma_201920_3", N(u280_banks), u280_banks, 0},
    {"u55c", "xilinx_u55c_gen3x16_xdma_3_202210_1", N(u55c_banks), u55c_banks,
     0},
    {"tiny", "layerfab_tiny_emu_1", N(tiny_banks), tiny_banks, 1},
    {"aws-f2-hdk", "layerfab_aws-vu47p-f2_hdk_cl_1", N(aws_f2_hdk_banks),
     aws_f2_hdk_banks, 0},
    {"aws-f2", "xilinx_aws-vu47p-f2_202410_1", N(f2_banks), f2_banks, 0},
};

const struct lf_xclbin_platform *lf__xclbin_platform_find(const char *name)
{
	for (size_t i = 0; name && i < N(platforms); i++)
		if (strcmp(platforms[i].name, name) == 0)
			return &platforms[i];
	return NULL;
}

const struct lf_xclbin_platform *lf__xclbin_platform_at(size_t i)
{
	return i < N(platforms) ? &platforms[i] : NULL;
}
