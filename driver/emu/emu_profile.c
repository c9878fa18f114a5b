/*
 * emu_profile.c - the platforms the emulator can pretend to be.
 *
 * Memory banks come from the xclbin writer's platform profiles
 * (driver/xclbin/xclbin_platform.c, with their sources), so one table
 * says what each card has; a loaded xclbin's MEM_TOPOLOGY replaces them.
 *
 * PCIe DMA throughput, per direction (H2D = host to card):
 *   aws-f1  11.4 GB/s H2D, 12.8 GB/s D2H: the F1 figures given in issue 3.
 *   u250    11.0 GB/s H2D, 12.15 GB/s D2H: `xbutil validate` on
 *           xilinx_u250_xdma_201830_2 reported 11009 / 12152 MB/s
 *           (github.com/Xilinx/XRT pull request 937). For scale, a U200
 *           gen3x16 host measured 9302.8 / 11909.4 MB/s (XRT issue 6883):
 *           H2D depends on the host.
 *   u280, u55c: ASSUMPTION, not measured here: the same Gen3 x16 XDMA
 *           shell as the U250, so the U250 figures. Their Gen4 x8 / QDMA
 *           shells would differ.
 *   tiny    the F1 figures (a test profile).
 *   aws-f2  ASSUMPTION, not measured here: the F1 figures. F2's Vitis
 *           shell is not released (bitstreams/aws-f2/params.mk), so no
 *           DMA figure for it exists to cite.
 *
 * Per-transfer setup cost (LF_EMU_DMA_SETUP_NS in emu.h), the same for
 * every platform and both directions: chosen so that a 4 KiB transfer
 * reaches about 0.29 GB/s, as measured on a U200 (issue 3):
 *   4096 B / 0.29e9 B/s            = 14124.1 ns for the whole transfer
 *   4096 B / 11.4e9 B/s (F1 H2D)   =   359.3 ns of it on the wire
 *   setup = 14124.1 - 359.3        = 13764.8 ns, rounded to 13765 ns.
 * (XRT issue 6590 reports 19-32 us per small xrtBOSync on a U25, so the
 * order of magnitude is right.)
 *
 * Launch cost (LF_EMU_LAUNCH_NS): 20 us per run, inside the 15-100 us
 * range XRT issues 6601 and 8687 report (DESIGN.md). Kernel clock without
 * a "lfk_<kernel>.clock_mhz" limit: 250 MHz (LF_EMU_CLOCK_MHZ), a typical
 * Vitis kernel clock on these shells.
 *
 * Memory inside the card (the kernels' memory model, hls/lf_pipes.h):
 *   DDR4 bank   19.25 GB/s peak: UG1393 "HBM Configuration and Use" (the
 *               theoretical maximum of a DDR channel; 4 of them are the
 *               "77 GB/s" of DDR-based Alveo cards). u250, u280's DDR.
 *               aws-f1: ASSUMPTION, the same DDR4 channel; AWS documents
 *               four DDR4 RDIMM interfaces per FPGA (aws-fpga release
 *               notes), not their speed.
 *   HBM PC      14.375 GB/s peak per pseudo-channel: UG1393 (same page:
 *               32 x 14.375 = 460 GB/s). u280, u55c.
 *   bursts      LF_EMU_EFF_BURST 0.68 of peak: 52207 MB/s over 4 DDR4
 *               channels measured by the Vitis_Accel_Examples bandwidth
 *               kernel on a U250 (its published log), / (4 x 19250 MB/s)
 *               = 0.678.
 *   single beat LF_EMU_EFF_SINGLE 0.42 of peak: 8.1 GB/s measured on F1
 *               DDR with burst length 1 against 15.2 GB/s from length 2 up
 *               (third-party measurement, pastebin.com/05JNMd00, 2020; no
 *               AWS or Xilinx figure found) / 19.25 = 0.42; the kernel
 *               review (issue 11) expects 30-50% for such reads.
 *   HBM         ASSUMPTION: the DDR efficiencies above; no HBM figure for
 *               single-beat traffic was found.
 *   atom        64 bytes: a DDR4 x64 channel moves 8 beats of 8 bytes per
 *               burst, so a 1-byte read costs 64 bytes of bank time.
 * A bank's bandwidth is shared by every CU whose ports reach it in the
 * xclbin's CONNECTIVITY (worst case: all of them stream at once).
 */
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu_impl.h"

/*
 * A hardware profile's xclbin (emu-<name>.xclbin) is the bitstreams/<name>/
 * build (bitstreams/module.mk): the details say so, and `layerfab info`
 * shows its CUs and -D parameters. tiny is test-only.
 */
static const struct lf_emu_profile profiles[] = {
    {"aws-f1",
     "AWS EC2 F1 (xilinx_aws-vu9p-f1): 4 x 16 GiB DDR4; the bitstreams/aws-f1 "
     "build",
     11.4e9, 12.8e9},
    {"u250",
     "Alveo U250 (gen3x16 XDMA): 4 x 16 GiB DDR4; the bitstreams/u250 build",
     11.0e9, 12.15e9},
    {"u280",
     "Alveo U280: 32 x 256 MiB HBM + 2 x 16 GiB DDR4; the bitstreams/u280 "
     "build",
     11.0e9, 12.15e9},
    {"u55c",
     "Alveo U55C (gen3x16 XDMA): 32 x 512 MiB HBM; the bitstreams/u55c build",
     11.0e9, 12.15e9},
    {"tiny",
     "TEST-ONLY: 2 x 64 MiB DDR4, F1 PCIe figures, default kernels (no "
     "hardware build)",
     11.4e9, 12.8e9},
    {"aws-f2",
     "AWS EC2 F2 (xilinx_aws-vu47p-f2): 32 x 512 MiB HBM (assumed); the "
     "bitstreams/aws-f2 build",
     11.4e9, 12.8e9},
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* Peak bytes/s of one DDR4 bank and one HBM pseudo-channel (sources
 * above); a platform not listed has no bank model. */
static const struct {
	const char *name;
	double ddr_bps, hbm_bps;
} bank_peaks[] = {
    {"aws-f1", 19.25e9, 0}, {"u250", 19.25e9, 0}, {"u280", 19.25e9, 14.375e9},
    {"u55c", 0, 14.375e9},  {"tiny", 19.25e9, 0},
};

float lf__emu_bank_bpc(const lf_emu *e, uint32_t bank, uint32_t ncus,
		       uint32_t clock_mhz)
{
	double bps = 0;

	if (bank >= e->nbanks || ncus == 0 || clock_mhz == 0)
		return 0.0f;
	for (size_t i = 0; i < sizeof(bank_peaks) / sizeof(bank_peaks[0]);
	     i++) {
		if (strcmp(bank_peaks[i].name, e->profile->name) != 0)
			continue;
		if (e->banks[bank].type == LF_MEM_DDR4)
			bps = bank_peaks[i].ddr_bps;
		else if (e->banks[bank].type == LF_MEM_HBM)
			bps = bank_peaks[i].hbm_bps;
	}
	return (float)(bps / ((double)clock_mhz * 1e6) / (double)ncus);
}

uint32_t lf__emu_profile_count(void)
{
	return (uint32_t)NPROFILES;
}

const struct lf_emu_profile *lf__emu_profile_get(uint32_t i)
{
	return i < NPROFILES ? &profiles[i] : NULL;
}

lf_status lf__emu_profile_find(const char *name,
			       const struct lf_emu_profile **out)
{
	char *end;
	unsigned long idx;

	if (name[0] >= '0' && name[0] <= '9') {
		idx = strtoul(name, &end, 10);
		if (*end == '\0' && idx < NPROFILES) {
			*out = &profiles[idx];
			return LF_OK;
		}
	}
	for (size_t i = 0; i < NPROFILES; i++) {
		if (strcmp(profiles[i].name, name) == 0) {
			*out = &profiles[i];
			return LF_OK;
		}
	}
	return lf__drv_error(LF_ERR_NOT_FOUND,
			     "emu: no platform profile '%s' (known: aws-f1, "
			     "u250, u280, u55c, tiny, aws-f2, or an index "
			     "0-%u)",
			     name, (unsigned)NPROFILES - 1);
}
