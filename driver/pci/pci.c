/*
 * pci.c - PCIe discovery of FPGA cards through libpci (pciutils 3.9).
 *
 * Device IDs:
 *   Xilinx 0x10ee, mgmt/user function pairs: U200 0x5000/0x5001, U250
 *   0x5004/0x5005, U50 0x5020/0x5021, U55C 0x505c/0x505d: XRT
 *   src/runtime_src/core/pcie/driver/linux/xocl/devices.h
 *   (XOCL_MGMT_PCI_IDS / XOCL_USER_XDMA_PCI_IDS). U280 0x500c/0x500d: the
 *   same tables until XRT commit 41f4221433 ("Removed support for u50lv,
 *   u55n and u280 platforms in XRT", 2024) dropped them; pci.ids also lists
 *   10ee:500c "Alveo U280 XDMA Platform".
 *   Amazon 0x1d0f: F1 mailbox (mgmt) PF 0x1041 and F2 mailbox PF 0x9248
 *   from aws/aws-fpga sdk/userspace/include/hal/fpga_common.h
 *   (F1_MBOX_DEVICE_ID, F2_MBOX_DEVICE_ID); F1 application PF 0x1042 (the
 *   shell's default), 0xf010 and 0xf011 (AFIs built on XRT's AWS shell) and
 *   F2 application PF 0x9048 from XRT's devices.h (USER_AWS_XDMA,
 *   USER_AWS_NODMA, USER_AWS_F2_XDMA); aws-fpga's fpga_mgmt_tools README
 *   shows 0x9048 as the F2 default. XRT also lists 0x9248 as a user ID;
 *   aws-fpga, which owns the shell, calls it the mailbox PF, and so do we.
 *   A custom F1 CL may choose other IDs (0x1d0f:0xf000-0xf0ff); those
 *   cards are not ours to drive and are not listed. The layerfab F2 CL
 *   (bitstreams/aws-f2-hdk) presents 0x1d0f:0xf0f2, our choice in that
 *   range (aws-fpga f2 hdk/cl/examples/CL_TEMPLATE/design/
 *   cl_id_defines.vh: with vendor 0x1D0F "valid values for Device ID's
 *   are in the range of 0xF000 - 0xF0FF").
 *
 * Registers: the PCI Express capability (ID 0x10) holds Link Capabilities
 * at +0x0c (bits 3:0 max speed, 9:4 max width) and Link Status at +0x12
 * (bits 3:0 current speed, 9:4 negotiated width); speed codes 1..6 are
 * 2.5, 5, 8, 16, 32, 64 GT/s (PCI Express Base Specification, "Link
 * Capabilities Register"; the constants come from libpci's header.h).
 * Reading past the first 64 bytes of config space through sysfs needs
 * root, so without it the capability list is unreadable and the link comes
 * from the kernel's sysfs attributes (current_link_speed, ...) instead.
 *
 * libpci reports errors through a callback that must not return (the
 * default prints and exit()s); ours longjmp()s back to lf__pci_scan, which
 * frees everything through pci_cleanup().
 */
#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/pci/pci.h"

#define SYSFS_DEFAULT "/sys/bus/pci"

static const struct known {
	uint16_t vendor, device;
	enum lf__pci_role role;
	const char *name;
} known[] = {
    {0x10ee, 0x5000, LF_PCI_ROLE_MGMT, "Alveo U200"},
    {0x10ee, 0x5001, LF_PCI_ROLE_USER, "Alveo U200"},
    {0x10ee, 0x5004, LF_PCI_ROLE_MGMT, "Alveo U250"},
    {0x10ee, 0x5005, LF_PCI_ROLE_USER, "Alveo U250"},
    {0x10ee, 0x500c, LF_PCI_ROLE_MGMT, "Alveo U280"},
    {0x10ee, 0x500d, LF_PCI_ROLE_USER, "Alveo U280"},
    {0x10ee, 0x5020, LF_PCI_ROLE_MGMT, "Alveo U50"},
    {0x10ee, 0x5021, LF_PCI_ROLE_USER, "Alveo U50"},
    {0x10ee, 0x505c, LF_PCI_ROLE_MGMT, "Alveo U55C"},
    {0x10ee, 0x505d, LF_PCI_ROLE_USER, "Alveo U55C"},
    {0x1d0f, 0x1041, LF_PCI_ROLE_MGMT, "AWS F1"},
    {0x1d0f, 0x1042, LF_PCI_ROLE_USER, "AWS F1"},
    {0x1d0f, 0xf010, LF_PCI_ROLE_USER, "AWS F1"},
    {0x1d0f, 0xf011, LF_PCI_ROLE_USER, "AWS F1"},
    {0x1d0f, 0x9048, LF_PCI_ROLE_USER, "AWS F2"},
    {0x1d0f, 0x9248, LF_PCI_ROLE_MGMT, "AWS F2"},
    {0x1d0f, 0xf0f2, LF_PCI_ROLE_USER, "AWS F2"},
};

/* One scan. On the heap: it changes between setjmp() and longjmp(). */
struct scan {
	jmp_buf jb;
	char msg[256];
	enum lf__pci_method method;
	char path[1024]; /* the dump file, or the sysfs root */
	struct lf__pci_card *found;
	size_t n, cap;
};

static _Thread_local struct scan *tl_scan;

static void on_error(char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void on_error(char *fmt, ...)
{
	struct scan *s = tl_scan;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	longjmp(s->jb, 1);
}

/* libpci's warnings go to stderr by default; a library stays quiet. */
static void on_warning(char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void on_warning(char *fmt, ...)
{
	(void)fmt;
}

static const struct known *lookup(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].vendor == vendor && known[i].device == device)
			return &known[i];
	return NULL;
}

static uint32_t speed_mts(unsigned code)
{
	static const uint32_t mts[] = {0,     2500,  5000, 8000,
				       16000, 32000, 64000};
	return code < sizeof(mts) / sizeof(mts[0]) ? mts[code] : 0;
}

static uint32_t width_ok(unsigned w)
{
	return (w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 ||
		w == 32)
		   ? w
		   : 0;
}

const char *lf__pci_speed_str(uint32_t mts)
{
	switch (mts) {
	case 2500:
		return "2.5 GT/s";
	case 5000:
		return "5.0 GT/s";
	case 8000:
		return "8.0 GT/s";
	case 16000:
		return "16.0 GT/s";
	case 32000:
		return "32.0 GT/s";
	case 64000:
		return "64.0 GT/s";
	default:
		return "unknown";
	}
}

static int link_from_caps(struct pci_dev *d, struct lf__pci_card *c)
{
	struct pci_cap *cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	uint8_t b[PCI_EXP_LNKSTA + 2];
	if (!cap || !pci_read_block(d, (int)cap->addr, b, sizeof(b)))
		return 0;
	uint32_t lnkcap = (uint32_t)b[PCI_EXP_LNKCAP] |
			  ((uint32_t)b[PCI_EXP_LNKCAP + 1] << 8);
	uint32_t lnksta = (uint32_t)b[PCI_EXP_LNKSTA] |
			  ((uint32_t)b[PCI_EXP_LNKSTA + 1] << 8);
	c->link_speed_max = speed_mts(lnkcap & PCI_EXP_LNKCAP_SPEED);
	c->link_width_max = width_ok((lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4);
	c->link_speed = speed_mts(lnksta & PCI_EXP_LNKSTA_SPEED);
	c->link_width = width_ok((lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4);
	return 1;
}

/* One line of a sysfs attribute, or "" when it cannot be read. */
static void sysfs_attr(const struct scan *s, const char *bdf, const char *name,
		       char *buf, size_t len)
{
	char path[1400];
	FILE *f;
	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/devices/%s/%s", s->path, bdf, name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
}

/* "8.0 GT/s PCIe", "2.5 GT/s", "16 GT/s" -> MT/s; 0 for "Unknown". */
static uint32_t parse_speed(const char *s)
{
	unsigned whole = 0, tenth = 0;
	int n = 0;
	if (sscanf(s, "%u%n", &whole, &n) != 1 || whole > 64)
		return 0;
	if (s[n] == '.' && s[n + 1] >= '0' && s[n + 1] <= '9')
		tenth = (unsigned)(s[n + 1] - '0');
	return whole * 1000 + tenth * 100;
}

static void link_from_sysfs(const struct scan *s, struct lf__pci_card *c)
{
	char buf[64];
	sysfs_attr(s, c->bdf, "current_link_speed", buf, sizeof(buf));
	c->link_speed = parse_speed(buf);
	sysfs_attr(s, c->bdf, "max_link_speed", buf, sizeof(buf));
	c->link_speed_max = parse_speed(buf);
	sysfs_attr(s, c->bdf, "current_link_width", buf, sizeof(buf));
	c->link_width = width_ok((unsigned)strtoul(buf, NULL, 10));
	sysfs_attr(s, c->bdf, "max_link_width", buf, sizeof(buf));
	c->link_width_max = width_ok((unsigned)strtoul(buf, NULL, 10));
}

static void fill_bars(struct pci_dev *d, int have_sizes, struct lf__pci_card *c)
{
	for (int i = 0; i < 6; i++) {
		pciaddr_t v = d->base_addr[i];
		struct lf__pci_bar *b = &c->bars[i];
		if (!v)
			continue; /* unused, or the upper half of a 64-bit BAR
				   */
		if (v & PCI_BASE_ADDRESS_SPACE_IO) {
			b->flags = LF_PCI_BAR_IO;
			b->base = (uint64_t)(v & PCI_ADDR_IO_MASK);
		} else {
			if ((v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			    PCI_BASE_ADDRESS_MEM_TYPE_64)
				b->flags |= LF_PCI_BAR_64;
			if (v & PCI_BASE_ADDRESS_MEM_PREFETCH)
				b->flags |= LF_PCI_BAR_PREFETCH;
			b->base = (uint64_t)(v & PCI_ADDR_MEM_MASK);
		}
		b->size = have_sizes ? (uint64_t)d->size[i] : 0;
	}
}

static int add_found(struct scan *s, const struct lf__pci_card *c)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct lf__pci_card *p = realloc(s->found, cap * sizeof(*p));
		if (!p)
			return -1;
		s->found = p;
		s->cap = cap;
	}
	s->found[s->n++] = *c;
	return 0;
}

static int card_cmp(const void *a, const void *b)
{
	const struct lf__pci_card *x = a, *y = b;
	uint64_t kx = ((uint64_t)x->domain << 16) | (x->bus << 8) |
		      (x->dev << 3) | x->func;
	uint64_t ky = ((uint64_t)y->domain << 16) | (y->bus << 8) |
		      (y->dev << 3) | y->func;
	return kx < ky ? -1 : kx > ky;
}

static lf_status scan_devices(struct scan *s, struct pci_access *acc)
{
	const int want = PCI_FILL_IDENT | PCI_FILL_BASES | PCI_FILL_SIZES |
			 PCI_FILL_IO_FLAGS | PCI_FILL_CAPS | PCI_FILL_SUBSYS |
			 PCI_FILL_NUMA_NODE;
	pci_scan_bus(acc);
	for (struct pci_dev *d = acc->devices; d; d = d->next) {
		struct lf__pci_card c;
		pci_fill_info(d, PCI_FILL_IDENT);
		const struct known *k = lookup(d->vendor_id, d->device_id);
		if (!k)
			continue;
		int got = pci_fill_info(d, want);
		memset(&c, 0, sizeof(c));
		c.domain = (uint32_t)d->domain;
		c.bus = d->bus;
		c.dev = d->dev;
		c.func = d->func;
		snprintf(c.bdf, sizeof(c.bdf), "%04x:%02x:%02x.%u", c.domain,
			 c.bus, c.dev, c.func);
		c.vendor = d->vendor_id;
		c.device = d->device_id;
		c.subsys_vendor = d->subsys_vendor_id;
		c.subsys_device = d->subsys_id;
		c.name = k->name;
		c.role = k->role;
		c.numa_node = (got & PCI_FILL_NUMA_NODE) ? d->numa_node : -1;
		fill_bars(
		    d, s->method == LF_PCI_SYSFS && (got & PCI_FILL_SIZES), &c);
		if (!link_from_caps(d, &c) && s->method == LF_PCI_SYSFS)
			link_from_sysfs(s, &c);
		if (add_found(s, &c))
			return LF_ERR_NO_MEMORY;
	}
	if (s->n)
		qsort(s->found, s->n, sizeof(*s->found), card_cmp);
	return LF_OK;
}

static lf_status fail(char *err, size_t errlen, lf_status st, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static lf_status fail(char *err, size_t errlen, lf_status st, const char *fmt,
		      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* Checks the source before libpci sees it, for a precise status. */
static lf_status check_source(struct scan *s, const struct lf__pci_opts *o,
			      int *no_bus, char *err, size_t errlen)
{
	*no_bus = 0;
	if (s->method == LF_PCI_DUMP) {
		FILE *f;
		if (!o->path)
			return fail(err, errlen, LF_ERR_INVALID_ARG,
				    "pci: the dump method needs a file name");
		if (snprintf(s->path, sizeof(s->path), "%s", o->path) >=
		    (int)sizeof(s->path))
			return fail(err, errlen, LF_ERR_INVALID_ARG,
				    "pci: dump path too long");
		f = fopen(o->path, "r");
		if (!f)
			return fail(err, errlen,
				    errno == ENOENT ? LF_ERR_NOT_FOUND
						    : LF_ERR_IO,
				    "pci: dump file '%s': %s", o->path,
				    strerror(errno));
		fclose(f);
		return LF_OK;
	}
	if (snprintf(s->path, sizeof(s->path), "%s",
		     o->path ? o->path : SYSFS_DEFAULT) >= (int)sizeof(s->path))
		return fail(err, errlen, LF_ERR_INVALID_ARG,
			    "pci: sysfs path too long");
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/devices", s->path);
	if (access(dir, R_OK | X_OK) != 0) {
		if (errno == ENOENT && !o->path) {
			*no_bus = 1; /* e.g. a container without /sys/bus/pci */
			return LF_OK;
		}
		return fail(err, errlen,
			    errno == ENOENT ? LF_ERR_NOT_FOUND : LF_ERR_IO,
			    "pci: %s: %s", dir, strerror(errno));
	}
	return LF_OK;
}

/* The part that may longjmp(): only s and acc live across it. */
static lf_status run_libpci(struct scan *s, struct pci_access *acc)
{
	if (setjmp(s->jb))
		return s->method == LF_PCI_DUMP ? LF_ERR_BAD_FILE : LF_ERR_IO;
	if (s->method == LF_PCI_DUMP) {
		acc->method = PCI_ACCESS_DUMP;
		pci_set_param(acc, "dump.name", s->path);
	} else {
		acc->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(acc, "sysfs.path", s->path);
	}
	pci_init(acc);
	if (scan_devices(s, acc)) {
		snprintf(s->msg, sizeof(s->msg), "out of memory");
		return LF_ERR_NO_MEMORY;
	}
	return LF_OK;
}

lf_status lf__pci_scan(const struct lf__pci_opts *opts,
		       struct lf__pci_card *cards, size_t max, size_t *count,
		       char *err, size_t errlen)
{
	const struct lf__pci_opts dflt = {LF_PCI_SYSFS, NULL};
	const struct lf__pci_opts *o = opts ? opts : &dflt;
	struct scan *s, *saved = tl_scan;
	struct pci_access *acc;
	lf_status st;
	int no_bus;
	if (err && errlen)
		err[0] = 0;
	if (!count || (max && !cards) ||
	    (o->method != LF_PCI_SYSFS && o->method != LF_PCI_DUMP))
		return fail(err, errlen, LF_ERR_INVALID_ARG,
			    "pci: bad arguments to lf__pci_scan");
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, errlen, LF_ERR_NO_MEMORY,
			    "pci: out of memory");
	s->method = o->method;
	st = check_source(s, o, &no_bus, err, errlen);
	if (st || no_bus) {
		free(s);
		if (!st)
			*count = 0;
		return st;
	}
	acc = pci_alloc();
	if (!acc) {
		free(s);
		return fail(err, errlen, LF_ERR_NO_MEMORY,
			    "pci: out of memory");
	}
	acc->error = on_error;
	acc->warning = on_warning;
	acc->numeric_ids = 1;
	tl_scan = s;
	st = run_libpci(s, acc);
	pci_cleanup(acc);
	tl_scan = saved;
	if (st) {
		fail(err, errlen, st, "pci: %s%s%s", s->msg,
		     s->method == LF_PCI_DUMP ? " in " : "",
		     s->method == LF_PCI_DUMP ? s->path : "");
	} else {
		for (size_t i = 0; i < s->n && i < max; i++)
			cards[i] = s->found[i];
		*count = s->n;
	}
	free(s->found);
	free(s);
	return st;
}
