/*
 * emu.h - the emulated card's device core.
 *
 * One implementation of "a device", addressed the way a card is: memory
 * banks with device addresses, allocations at an address, DMA by device
 * address, CU starts with register values (device addresses for pointer
 * arguments, numbers for scalars). Two front doors use it:
 *   - emu_backend.c, the driver vtable (buffers and runs as handles);
 *   - later, a socket front-end speaking XRT's software-emulation protocol
 *     (xclAllocDeviceBuffer at a shim-chosen address, H2D/D2H copies by
 *     address, CU start from a register map; see
 *     /work/shared/reference/xrt-swemu.md, sections 6 and 7).
 * Everything a card would refuse (an address outside any buffer, a
 * buffer in a bank the port does not reach) is checked here, not in a
 * front door, so both doors get the same device.
 *
 * All functions are thread-safe; they set the driver's per-thread error
 * message (lf__drv_error) on failure.
 */
#ifndef LF_DRIVER_EMU_EMU_H
#define LF_DRIVER_EMU_EMU_H

#include "driver/driver.h"

typedef struct lf_emu lf_emu;
typedef struct lf_emu_run lf_emu_run;

#define LF_EMU_DEFAULT UINT64_MAX /* "use the default" for u64 settings */

/* Modeled costs (sources and arithmetic in emu_profile.c). */
#define LF_EMU_DMA_SETUP_NS 13765u /* per transfer, each direction */
#define LF_EMU_LAUNCH_NS    20000u /* per run, before the kernel starts */
#define LF_EMU_CLOCK_MHZ    250u   /* kernel clock without a limits key */
#define LF_EMU_TIMELINE_CAP 4096u  /* events kept */

/*
 * A platform the emulator can pretend to be. Its banks (tags, types,
 * sizes, in MEM_TOPOLOGY order) are those of the xclbin writer's platform
 * profile of the same name (driver/xclbin/xclbin_platform.c), so an
 * emulated device and the emulation xclbins built for it agree.
 */
struct lf_emu_profile {
	const char *name;	 /* "aws-f1" */
	const char *detail;	 /* one line for enumeration */
	double h2d_bps, d2h_bps; /* PCIe DMA throughput, bytes/s */
};

/*
 * The memory model's bank figures (sources in emu_profile.c): efficiency
 * of long bursts and of single-beat transactions against the peak, and
 * the bytes a DRAM transaction moves at least (DDR4 x64, burst of 8).
 */
#define LF_EMU_EFF_BURST  0.68f
#define LF_EMU_EFF_SINGLE 0.42f
#define LF_EMU_DRAM_ATOM  64u

uint32_t lf__emu_profile_count(void);
const struct lf_emu_profile *lf__emu_profile_get(uint32_t i);
/* By name or decimal index; LF_ERR_NOT_FOUND with the known names. */
lf_status lf__emu_profile_find(const char *name,
			       const struct lf_emu_profile **out);

struct lf_emu_config {
	const struct lf_emu_profile *profile;
	uint64_t bank_size;	 /* 0: profile's; else caps every bank */
	uint64_t launch_ns;	 /* LF_EMU_DEFAULT or a value */
	uint64_t dma_setup_ns;	 /* LF_EMU_DEFAULT or a value */
	double h2d_bps, d2h_bps; /* 0: profile's */
	uint32_t timeline_cap;	 /* 0: LF_EMU_TIMELINE_CAP */
	/* Run kernel code that is not one of this library's kernel builds:
	 * 1 (the user's explicit opt-in), 0 (LAYERFAB_TRUST_XCLBIN decides)
	 * or -1 (no, whatever the variable says); emu_trust.c. */
	int trust_xclbin;
	/* A fault armed when the device is created (the device option
	 * fault=KIND:N): kind LF_FAULT_NONE for none. */
	struct lf_fault fault;
	/* cu_sync=0: no CU groups (lf_dev_props.cu_sync 0). */
	int no_cu_sync;
};

/*
 * Bank bytes per kernel cycle one of @ncus CUs sharing bank @bank of @e
 * gets at @clock_mhz: the peak of the bank's type (DDR4 or HBM) on @e's
 * platform (emu_profile.c) / clock / ncus; 0 when the bank is not modeled
 * (another type, a platform without the figure, a bad argument). Banks
 * never change: no lock.
 */
float lf__emu_bank_bpc(const lf_emu *e, uint32_t bank, uint32_t ncus,
		       uint32_t clock_mhz);

/* Create / destroy a device (destroy aborts runs and frees everything). */
lf_status lf__emu_create(const struct lf_emu_config *cfg, lf_emu **out);
void lf__emu_destroy(lf_emu *e);

/*
 * lf__emu_load() - program the device from a parsed xclbin: banks from
 * MEM_TOPOLOGY (if any), CUs from IP_LAYOUT, port banks from CONNECTIVITY,
 * kernel code from the BITSTREAM section (a host-C shared object), or from
 * @so_path if not NULL (the socket door gets the file from the shim).
 * Kernels must have the layerfab kernel ABI (hls/lf_desc.h).
 * Return: LF_OK; LF_ERR_BUSY (allocations or runs alive); LF_ERR_BAD_FILE;
 * LF_ERR_IO (temp file); LF_ERR_NO_MEMORY; LF_ERR_DEVICE_LOST. A failed
 * load leaves the previous xclbin loaded.
 */
lf_status lf__emu_load(lf_emu *e, const struct lf_xclbin *xb,
		       const char *so_path);

/*
 * lf__emu_trust_check() - may the emulator run @code (@size bytes of a
 * host-C kernels shared object)? Yes when its SHA-256 is one of the
 * kernel builds compiled into this library (every kernels .so the build
 * makes: KERNEL_SOS, driver/emu/trust.mk), or when the user opted in:
 * @opt_in 1 (the device option trust_xclbin=1, lf_options), or @opt_in 0
 * and LAYERFAB_TRUST_XCLBIN=1 (@opt_in -1: lf_options said no).
 * @what names the code in the message ("the xclbin's BITSTREAM").
 * Return: LF_OK; LF_ERR_BAD_FILE (not trusted: the message says how to
 * opt in); LF_ERR_INVALID_ARG (LAYERFAB_TRUST_XCLBIN neither 0 nor 1).
 */
lf_status lf__emu_trust_check(const void *code, size_t size, int opt_in,
			      const char *what);

/* The opt-in of the device option, for a device already open: tests that
 * load their own probe kernel (tests/unit/test_emu_probe_kernel.c).
 * LF_ERR_INVALID_ARG if @dev is not an emu device. */
lf_status lf__emu_dev_trust_xclbin(lf_dev *dev);

/* A bus write of @size bytes from @src at device address @addr of an open
 * emu device (lf__emu_mem_bus(): no DMA, no counters, no faults), as a
 * stray write or a memory bit flip would change device memory: tests of
 * what the host notices. LF_ERR_INVALID_ARG if @dev is not an emu device;
 * LF_ERR_RANGE; LF_ERR_DEVICE_LOST. */
lf_status lf__emu_dev_poke(lf_dev *dev, uint64_t addr, const void *src,
			   uint64_t size);

/* Device memory. Addresses are 4 KiB aligned; sizes are exact. */
lf_status lf__emu_mem_alloc(lf_emu *e, uint32_t bank, uint64_t size,
			    uint64_t *addr);
/* At a caller-chosen address inside one usable bank (the socket door). */
lf_status lf__emu_mem_alloc_at(lf_emu *e, uint64_t addr, uint64_t size);
lf_status lf__emu_mem_free(lf_emu *e, uint64_t addr);

/*
 * lf__emu_dma() - one modeled DMA transfer of @size bytes between host
 * memory @host and device address @addr, which must lie inside one
 * allocation. Blocks. LF_ERR_RANGE; LF_ERR_BUSY (a pending run uses the
 * range); LF_ERR_DMA; LF_ERR_DEVICE_LOST.
 */
lf_status lf__emu_dma(lf_emu *e, enum lf_sync_dir dir, uint64_t addr,
		      void *host, uint64_t size);

/*
 * lf__emu_copy() - copy @size bytes of device memory from @src to @dst
 * (each inside one allocation; the banks may differ), as a card's copy
 * engine does: no PCIe transfer, counted in d2d_transfers / d2d_bytes.
 * Modeled time: as a DMA of the same bytes (no faster figure is claimed
 * for a copy engine this model does not describe); no timeline event, no
 * injected faults. Blocks. LF_ERR_RANGE; LF_ERR_BUSY (a pending run uses
 * either range); LF_ERR_DEVICE_LOST.
 */
lf_status lf__emu_copy(lf_emu *e, uint64_t dst, uint64_t src, uint64_t size);

/*
 * lf__emu_mem_bus() - a bus access to device memory, as a card's memory
 * answers a BAR (the aws:sim front door, driver/aws/aws_sim.c): bytes
 * [addr, addr + size) inside one allocation copied to or from @host at
 * once. Unlike lf__emu_dma() it is not a modeled DMA (no timeline event,
 * no counters, no DMA faults) and is not refused while a pending run uses
 * the range: a card's memory does not refuse a racing access either.
 * LF_ERR_RANGE; LF_ERR_DEVICE_LOST.
 */
lf_status lf__emu_mem_bus(lf_emu *e, enum lf_sync_dir dir, uint64_t addr,
			  void *host, uint64_t size);

/*
 * lf__emu_run_start() - queue a run on CU @cu. @argv[i] is argument i's
 * register value: a device address for a pointer, else the scalar.
 * Release the run with lf__emu_run_free() after it completed.
 */
lf_status lf__emu_run_start(lf_emu *e, uint32_t cu, const uint64_t *argv,
			    uint32_t nargs, lf_emu_run **out);
/* As lf__run_wait(); timeout 0 polls. */
lf_status lf__emu_run_wait(lf_emu *e, lf_emu_run *r, uint32_t timeout_ms);
lf_status lf__emu_run_free(lf_emu *e, lf_emu_run *r);
/* As lf__run_model(): the kernels' cycle counts of a completed run. */
lf_status lf__emu_run_model(lf_emu *e, lf_emu_run *r, struct lf_run_model *m);

lf_status lf__emu_cu_abort(lf_emu *e, uint32_t cu);
/* Abort every run, disarm faults, zero device memory; buffers stay. */
lf_status lf__emu_reset(lf_emu *e);

lf_status lf__emu_props(lf_emu *e, struct lf_dev_props *out);
void lf__emu_counters(lf_emu *e, struct lf_dev_counters *out);
void lf__emu_timeline(lf_emu *e, uint64_t from_seq, struct lf_tl_event *out,
		      uint32_t max, uint32_t *n);
lf_status lf__emu_fault(lf_emu *e, const struct lf_fault *f);

#endif /* LF_DRIVER_EMU_EMU_H */
