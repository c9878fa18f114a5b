/*
 * aws_impl.h - private to driver/aws: the BAR access layer and the state
 * of an open F2 device.
 *
 * Everything above `struct aws_bus` (aws_backend.c, aws_mem.c, aws_run.c)
 * is the code that drives a card: it reaches the Custom Logic only through
 * the bus's OCL register accessors (AppPF BAR0) and PCIS memory accessors
 * (AppPF BAR4). Two buses implement them: aws_card.c maps the sysfs
 * resource files of a real AppPF, aws_sim.c answers with an emulated CL
 * built on the emulator's device core (driver/emu/emu.h).
 */
#ifndef LF_DRIVER_AWS_AWS_IMPL_H
#define LF_DRIVER_AWS_AWS_IMPL_H

#include <pthread.h>

#include "driver/aws/aws.h"
#include "driver/core/backend.h"

/* --- the CL's address map (bitstreams/aws-f2-hdk/README.md) ------------ */

/* OCL (BAR0, 64 MiB): the identity block at 0, CU control blocks at the
 * IP_LAYOUT bases of the description (0x180_0000 + i * 0x1_0000). */
#define AWS_BAR0_SIZE  (64ull << 20)
#define AWS_ID_MAGIC   0x00u /* reads AWS_CL_MAGIC */
#define AWS_ID_VERSION 0x04u /* CL register-map version */
#define AWS_ID_NCUS    0x08u /* number of CUs */
#define AWS_ID_DESC    0x0cu /* first 4 bytes (LE) of the description UUID */
#define AWS_CL_MAGIC   0x4c464331u /* "LFC1" */
#define AWS_CL_VERSION 1u
#define AWS_CU_SPAN    0x10000ull /* register window of one CU */
/* PCIS (BAR4, 128 GiB): memory banks at their MEM_TOPOLOGY bases; the last
 * 4 KiB page is the CL's status page, whose first word reads
 * AWS_CL_MAGIC: a PCIS read that returns all-ones there means the shell
 * timed the transaction out (AWS_Shell_Interface_Specification.md, "PCIS
 * Interface Timeout Details": reads return 0xFFFFFFFF). */
#define AWS_BAR4_SIZE	(128ull << 30)
#define AWS_PCIS_STATUS (AWS_BAR4_SIZE - 4096)
#define AWS_ALL_ONES	0xffffffffu

/* HLS ap_ctrl_hs control word at offset 0 of a CU (UG1399, "S_AXILITE
 * Control Register Map"). DONE is clear-on-read. */
#define AWS_AP_START 0x1u
#define AWS_AP_DONE  0x2u
#define AWS_AP_IDLE  0x4u

/* The CL description's platform name (driver/xclbin/xclbin_platform.c). */
#define AWS_CL_PLATFORM "aws-f2-hdk"

/* --- the bus ------------------------------------------------------------ */

struct aws_bus;

struct aws_bus_ops {
	/* OCL (BAR0): one aligned 32-bit register access at byte @off. */
	uint32_t (*ocl_read32)(struct aws_bus *b, uint64_t off);
	void (*ocl_write32)(struct aws_bus *b, uint64_t off, uint32_t v);
	/* PCIS (BAR4): @n bytes at @addr. Writes are posted; a read after
	 * them is ordered after them (PCIe ordering). */
	void (*pcis_write)(struct aws_bus *b, uint64_t addr, const void *src,
			   uint64_t n);
	void (*pcis_read)(struct aws_bus *b, uint64_t addr, void *dst,
			  uint64_t n);
	/* Make the CL the description describes answer: the card loads the
	 * AFI named by the afi= option (fpga_mgmt) or trusts the one
	 * loaded; the sim builds its emulated CL. */
	lf_status (*program)(struct aws_bus *b, const struct lf_xclbin *xb);
	void (*close)(struct aws_bus *b);
	/* optional (the sim): abort the run of a CU, inject a fault */
	lf_status (*cu_abort)(struct aws_bus *b, uint32_t cu);
	lf_status (*fault)(struct aws_bus *b, const struct lf_fault *f);
};

struct aws_bus {
	const struct aws_bus_ops *ops;
};

/* aws_card.c: the AppPF of a real card. */
lf_status lf__aws_card_enumerate(struct lf_dev_desc *out, uint32_t max,
				 uint32_t *count);
lf_status lf__aws_card_open(const struct lf_dev_spec *spec, char *name,
			    size_t namelen, struct aws_bus **out);

/* aws_sim.c: the emulated CL (device "sim"). */
lf_status lf__aws_sim_open(const struct lf_dev_spec *spec,
			   struct aws_bus **out);

/* --- card memory: one first-fit heap per bank (aws_mem.c) ---------------- */

struct aws_block {
	uint64_t addr, span;
};

struct aws_heap {
	uint64_t base, size;
	uint32_t n, cap;
	struct aws_block *used; /* sorted by addr */
};

#define AWS_ALIGN 4096u /* buffer alignment: a page, so 512-bit beats */

lf_status lf__aws_heap_alloc(struct aws_heap *h, uint64_t size, uint64_t *addr);
void lf__aws_heap_free(struct aws_heap *h, uint64_t addr);
void lf__aws_heap_fini(struct aws_heap *h);

/* --- runs (aws_run.c) ---------------------------------------------------- */

enum aws_run_state { AWS_RUN_QUEUED, AWS_RUN_STARTED, AWS_RUN_DONE };

struct aws_run {
	struct lf_run base;
	enum aws_run_state state;
	lf_status status;
	uint64_t argv[LF_DRV_MAX_ARGS];	    /* register values */
	struct aws_bo *bo[LF_DRV_MAX_ARGS]; /* pointer arguments, else NULL */
	uint64_t off[LF_DRV_MAX_ARGS];
	uint32_t nargs;
	struct aws_run *next; /* CU queue */
};

struct aws_cu {
	uint64_t base;
	uint32_t kernel;
	struct aws_run *head, *tail; /* head: started, or queued if idle */
	int wedged; /* a run never finished and could not be aborted */
	uint64_t runs;
};

/* --- the device ---------------------------------------------------------- */

struct aws_dev {
	struct lf_dev base;
	struct aws_bus *bus;
	int sim;
	char name[LF_DRV_NAME_MAX];
	uint64_t bank_cap; /* bank_size= option, 0: none */
	pthread_mutex_t mu;
	int lost;
	struct lf_xclbin *xb; /* the description: no image, no bitstream */
	uint32_t ncus;
	struct aws_cu cus[LF_DRV_MAX_CUS];
	struct aws_heap heaps[LF_DRV_MAX_MEMS];
	struct lf_dev_counters ctr;
};

struct aws_bo {
	struct lf_bo base;
	uint64_t addr;
	uint8_t *host;
	uint32_t users; /* arguments of pending runs */
};

static inline struct aws_dev *lf__aws_dev(lf_dev *d)
{
	return lf__container_of(d, struct aws_dev, base);
}

static inline struct aws_bo *lf__aws_bo(lf_bo *b)
{
	return lf__container_of(b, struct aws_bo, base);
}

/* aws_mem.c */
lf_status lf__aws_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out);
lf_status lf__aws_bo_free(lf_bo *bo);
lf_status lf__aws_bo_map(lf_bo *bo, void **host);
lf_status lf__aws_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset);
/* Check the CL still answers on PCIS (the status page); with d->mu. */
lf_status lf__aws_pcis_check(struct aws_dev *d, const char *what);

/* aws_run.c */
lf_status lf__aws_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out);
lf_status lf__aws_run_wait(lf_run *run, uint32_t timeout_ms);
lf_status lf__aws_run_free(lf_run *run);
lf_status lf__aws_cu_abort(lf_dev *dev, uint32_t cu);
/* Does a pending run use bytes [off, off + size) of @b? With d->mu. */
int lf__aws_bo_in_use(struct aws_dev *d, const struct aws_bo *b, uint64_t off,
		      uint64_t size);

#endif /* LF_DRIVER_AWS_AWS_IMPL_H */
