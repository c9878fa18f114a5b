/*
 * pci.h - PCIe discovery of FPGA cards (internal to driver/).
 *
 * Lists the physical functions of the cards layerfab knows (Alveo U200,
 * U250, U280, U50, U55C; AWS F1 and F2) through libpci, reading only
 * configuration space and sysfs attributes: enumerating never opens a
 * device or talks to its driver. Other devices are skipped.
 */
#ifndef LF_DRIVER_PCI_H
#define LF_DRIVER_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/* Where the PCI devices come from. */
enum lf__pci_method {
	LF_PCI_SYSFS = 0, /* Linux sysfs (path: its root, default
			   * /sys/bus/pci); the default */
	LF_PCI_DUMP = 1	  /* an `lspci -x`-style dump file (path) */
};

struct lf__pci_opts {
	enum lf__pci_method method;
	const char *path; /* dump file, or sysfs root; NULL: the default */
};

enum lf__pci_role {
	LF_PCI_ROLE_USER = 0, /* the function applications use (XRT's xocl,
			       * AWS's application PF) */
	LF_PCI_ROLE_MGMT = 1  /* management / mailbox function (xclmgmt) */
};

#define LF_PCI_BAR_IO	    0x1u /* I/O space, not memory */
#define LF_PCI_BAR_64	    0x2u /* 64-bit memory BAR (uses two slots) */
#define LF_PCI_BAR_PREFETCH 0x4u /* prefetchable memory */

struct lf__pci_bar {
	uint64_t base;	/* bus address, flag bits removed; 0: BAR unused */
	uint64_t size;	/* bytes; 0 when the access method cannot tell (a
			 * dump: sizing a BAR needs a write) */
	uint32_t flags; /* LF_PCI_BAR_* */
};

struct lf__pci_card {
	char bdf[16]; /* "0000:3b:00.1" */
	uint32_t domain;
	uint8_t bus, dev, func;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	const char *name; /* static, e.g. "Alveo U250" */
	enum lf__pci_role role;
	/* PCIe link from Link Capabilities / Link Status: speed in MT/s
	 * (2500, 5000, 8000, 16000, 32000, 64000) and width in lanes; 0 when
	 * unknown (no readable PCIe capability and no sysfs attribute). */
	uint32_t link_speed, link_width;
	uint32_t link_speed_max, link_width_max;
	int numa_node; /* -1 when unknown (always for dumps) */
	struct lf__pci_bar bars[6];
};

/*
 * lf__pci_scan() - list the FPGA functions visible through @opts (NULL:
 * sysfs at its default place).
 * @cards: array of @max entries (may be NULL when @max is 0).
 * @count: set to the number of FPGA functions found, which may exceed @max;
 *         only the first @max are written, in bus order.
 * @err, @errlen: message buffer for failures (may be NULL).
 *
 * A machine without /sys/bus/pci (a container) has no cards: LF_OK, 0.
 * Return: LF_OK; LF_ERR_NOT_FOUND (dump file missing); LF_ERR_BAD_FILE
 * (dump malformed); LF_ERR_IO (sysfs unreadable); LF_ERR_INVALID_ARG.
 * On failure *count and @cards are untouched.
 */
lf_status lf__pci_scan(const struct lf__pci_opts *opts,
		       struct lf__pci_card *cards, size_t max, size_t *count,
		       char *err, size_t errlen);

/* "8.0 GT/s" for 8000, "unknown" for 0 and anything else. */
const char *lf__pci_speed_str(uint32_t mts);

#endif /* LF_DRIVER_PCI_H */
