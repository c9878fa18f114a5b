/*
 * devproc.h - layerfab's device process for XRT's software emulation
 * (the program libxrt_swemu forks as
 * $XILINX_VITIS/data/emulation/unified/cpu_em/generic_pcie/model/
 * genericpciemodel). Internal to driver/xrt/devproc/.
 *
 * It is the second front door of the emulated card (driver/emu/emu.h):
 * the same device core that serves the "emu" backend, addressed the way
 * the shim addresses a card. Mapping (reference xrt-swemu.md, section 6):
 *
 *   xclLoadBitstream       lf__emu_load(.., dlopenfilename), kernels and
 *                          CUs from the XML dump, banks from ddrbanks
 *   xclAllocDeviceBuffer   lf__emu_mem_alloc_at(ddraddress, size) and, for
 *                          peer-to-peer BOs, a file the host maps as its
 *                          view of the BO (never used as device memory)
 *   xclFreeDeviceBuffer    lf__emu_mem_free
 *   xclCopyBuffer*         lf__emu_dma by device address
 *   xclWriteAddrKernelCtrl the CU's register file; AP_START starts
 *                          lf__emu_run_start with the arguments read at
 *                          their XML offsets
 *   xclReadAddrKernelCtrl  control word: AP_START while the run is
 *                          pending, then AP_DONE|AP_IDLE once (DONE is
 *                          clear-on-read), then AP_IDLE
 *   xclClose               closeall=false: a new program follows, drop
 *                          the device state; closeall=true: reply, exit
 *
 * Single-threaded: one request at a time, as the shim sends them; kernels
 * run on the device core's CU threads, so a run never blocks the socket.
 */
#ifndef LF_DRIVER_XRT_DEVPROC_H
#define LF_DRIVER_XRT_DEVPROC_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver/emu/emu.h"
#include "driver/xclbin/xclbin.h"

#define DP_REG_WORDS 1024u	/* 4 KiB register file per CU */
#define DP_CU_SPAN   0x10000ull /* address range owned by a CU */
#define DP_MAX_BANKS LF_XCLBIN_MAX_MEMS

/* HLS ap_ctrl_hs control word bits (UG1399). */
#define DP_AP_START 0x1u
#define DP_AP_DONE  0x2u
#define DP_AP_IDLE  0x4u

struct dp_cu {
	uint64_t base;
	uint32_t kernel; /* index into dp.xb->kernels */
	uint32_t regs[DP_REG_WORDS];
	lf_emu_run *run;   /* pending run, or NULL */
	int done;	   /* DONE latched until the next control read */
	uint64_t start_ms; /* when the pending run was started */
};

struct dp_bo {
	uint64_t addr, size;
	int in_emu; /* the device core holds the allocation */
	char *file; /* the host's view (peer-to-peer BOs), or NULL */
};

struct lf_swemu_state;

struct dp {
	int fd;			      /* socket to the shim */
	struct lf_swemu_state *state; /* shared with the host's backend */
	pid_t ppid;		      /* the host process */
	int verbose;	      /* LF_SWEMU_VERBOSE=1: one line per request */
	lf_emu *emu;	      /* NULL until needed; dropped on xclClose */
	struct lf_xclbin *xb; /* the loaded program, or NULL */
	uint32_t ncus;
	struct dp_cu *cus;
	struct dp_bo *bos;
	uint32_t nbos, cap_bos;
	char devdir[PATH_MAX]; /* where BO files go */
	/* test hooks from the environment (README.md) */
	uint32_t hang_nth; /* LF_SWEMU_HANG: the nth run of a program hangs */
	uint64_t slow_ms;  /* LF_SWEMU_SLOW_MS: runs take at least this */
};

/* devproc_log.c */
void dp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t dp_now_ms(void);

/* devproc_load.c: programs and the device core's lifetime */
lf_status dp_emu_get(struct dp *d, const char *devicename);
void dp_drop_program(struct dp *d);
int dp_load(struct dp *d, const char *xml_path, const char *so_path,
	    const char *devicename, const uint64_t *banks, uint32_t nbanks);

/* devproc_mem.c: buffers and copies */
int dp_alloc(struct dp *d, uint64_t addr, uint64_t size, int p2p,
	     const char **file);
int dp_free(struct dp *d, uint64_t addr);
int dp_h2d(struct dp *d, uint64_t addr, const void *src, uint64_t size);
int dp_d2h(struct dp *d, uint64_t addr, void *dst, uint64_t size);
void dp_free_all(struct dp *d);

/* devproc_cu.c: register files and runs */
void dp_ctrl_write(struct dp *d, uint64_t addr, const uint8_t *data,
		   uint32_t size);
void dp_ctrl_read(struct dp *d, uint64_t addr, uint8_t *data, uint32_t size);

#endif /* LF_DRIVER_XRT_DEVPROC_H */
