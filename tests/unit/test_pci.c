/*
 * test_pci.c - PCIe discovery on shipped `lspci -xxx` dumps
 * (tests/data/pci/, run from the source root) and on a sysfs tree the test
 * builds, which is how BAR sizes and NUMA nodes reach us on a real host.
 * Expected values are decoded by hand from the bytes in the dump files; the
 * comments there spell each register out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/pci/pci.h"
#include "lf_test.h"

#define DATA "tests/data/pci/"
#define P64  (LF_PCI_BAR_64 | LF_PCI_BAR_PREFETCH)

static lf_status scan_dump(const char *file, struct lf__pci_card *cards,
			   size_t max, size_t *count, char *err, size_t errlen)
{
	struct lf__pci_opts o = {LF_PCI_DUMP, file};
	return lf__pci_scan(&o, cards, max, count, err, errlen);
}

static void check_bar(const struct lf__pci_card *c, int i, uint64_t base,
		      uint32_t flags, uint64_t size)
{
	CU_ASSERT_EQUAL(c->bars[i].base, base);
	CU_ASSERT_EQUAL(c->bars[i].flags, flags);
	CU_ASSERT_EQUAL(c->bars[i].size, size);
}

static void test_f1(void)
{
	struct lf__pci_card c[4];
	size_t n = 99;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(
	    scan_dump(DATA "f1_app_pf.txt", c, 4, &n, err, sizeof(err)), LF_OK);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	/* 00:1d.0, 1d0f:1042: application PF; Link Status 1103 = 8 GT/s
	 * x16, Link Capabilities 00000103 = 8 GT/s x16. */
	CU_ASSERT_STRING_EQUAL(c[0].bdf, "0000:00:1d.0");
	CU_ASSERT_EQUAL(c[0].vendor, 0x1d0f);
	CU_ASSERT_EQUAL(c[0].device, 0x1042);
	CU_ASSERT_EQUAL(c[0].subsys_vendor, 0xfedd);
	CU_ASSERT_EQUAL(c[0].subsys_device, 0x1d51);
	CU_ASSERT_STRING_EQUAL(c[0].name, "AWS F1");
	CU_ASSERT_EQUAL(c[0].role, LF_PCI_ROLE_USER);
	CU_ASSERT_EQUAL(c[0].link_speed, 8000);
	CU_ASSERT_EQUAL(c[0].link_width, 16);
	CU_ASSERT_EQUAL(c[0].link_speed_max, 8000);
	CU_ASSERT_EQUAL(c[0].link_width_max, 16);
	CU_ASSERT_EQUAL(c[0].numa_node, -1);
	/* BAR0 c4000000 and BAR1 c6000000 are 32-bit; BAR2 c620000c +
	 * BAR3 0 and BAR4 0000000c + BAR5 00000040 are 64-bit prefetchable.
	 * A dump cannot size BARs: sizes read 0. */
	check_bar(&c[0], 0, 0xc4000000, 0, 0);
	check_bar(&c[0], 1, 0xc6000000, 0, 0);
	check_bar(&c[0], 2, 0xc6200000, P64, 0);
	check_bar(&c[0], 3, 0, 0, 0);
	check_bar(&c[0], 4, 0x4000000000ull, P64, 0);
	check_bar(&c[0], 5, 0, 0, 0);
	/* 00:1e.0, 1d0f:1041: mailbox PF. */
	CU_ASSERT_STRING_EQUAL(c[1].bdf, "0000:00:1e.0");
	CU_ASSERT_EQUAL(c[1].device, 0x1041);
	CU_ASSERT_EQUAL(c[1].role, LF_PCI_ROLE_MGMT);
	CU_ASSERT_EQUAL(c[1].subsys_vendor, 0x1d0f);
	CU_ASSERT_EQUAL(c[1].subsys_device, 0x1041);
	check_bar(&c[1], 0, 0xc6210000, P64, 0);
	check_bar(&c[1], 2, 0xc6214000, P64, 0);
	check_bar(&c[1], 4, 0xc6400000, P64, 0);
}

static void test_u250(void)
{
	struct lf__pci_card c[2];
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(
	    scan_dump(DATA "u250_pair.txt", c, 2, &n, NULL, 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	/* 3b:00.0 10ee:5004 mgmt; Link Status 1083: 8 GT/s, x8 (0x08 in
	 * bits 9:4); Link Capabilities 00000103: 8 GT/s, x16. */
	CU_ASSERT_STRING_EQUAL(c[0].bdf, "0000:3b:00.0");
	CU_ASSERT_EQUAL(c[0].device, 0x5004);
	CU_ASSERT_STRING_EQUAL(c[0].name, "Alveo U250");
	CU_ASSERT_EQUAL(c[0].role, LF_PCI_ROLE_MGMT);
	CU_ASSERT_EQUAL(c[0].domain, 0);
	CU_ASSERT_EQUAL(c[0].bus, 0x3b);
	CU_ASSERT_EQUAL(c[0].dev, 0);
	CU_ASSERT_EQUAL(c[0].func, 0);
	CU_ASSERT_EQUAL(c[0].link_speed, 8000);
	CU_ASSERT_EQUAL(c[0].link_width, 8);
	CU_ASSERT_EQUAL(c[0].link_speed_max, 8000);
	CU_ASSERT_EQUAL(c[0].link_width_max, 16);
	CU_ASSERT_EQUAL(c[0].subsys_vendor, 0x10ee);
	CU_ASSERT_EQUAL(c[0].subsys_device, 0x000e);
	check_bar(&c[0], 0, 0xd2000000, P64, 0);
	check_bar(&c[0], 1, 0, 0, 0);
	check_bar(&c[0], 2, 0xd4000000, P64, 0);
	/* 3b:00.1 10ee:5005 user. */
	CU_ASSERT_STRING_EQUAL(c[1].bdf, "0000:3b:00.1");
	CU_ASSERT_EQUAL(c[1].device, 0x5005);
	CU_ASSERT_EQUAL(c[1].role, LF_PCI_ROLE_USER);
	CU_ASSERT_EQUAL(c[1].func, 1);
	CU_ASSERT_EQUAL(c[1].link_width, 8);
	check_bar(&c[1], 0, 0xd0000000, P64, 0);
	check_bar(&c[1], 2, 0xd4020000, P64, 0);
	CU_ASSERT_STRING_EQUAL(lf__pci_speed_str(c[1].link_speed), "8.0 GT/s");
}

static void test_non_fpga_ignored(void)
{
	size_t n = 99;
	CU_ASSERT_EQUAL(scan_dump(DATA "non_fpga.txt", NULL, 0, &n, NULL, 0),
			LF_OK);
	CU_ASSERT_EQUAL(n, 0);
}

/* More cards than room: count says how many, only max are written. */
static void test_short_array(void)
{
	struct lf__pci_card c[2];
	size_t n = 0;
	memset(c, 0x5a, sizeof(c));
	CU_ASSERT_EQUAL_FATAL(
	    scan_dump(DATA "u250_pair.txt", c, 1, &n, NULL, 0), LF_OK);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(c[0].bdf, "0000:3b:00.0");
	CU_ASSERT_EQUAL(c[1].vendor, 0x5a5a);
}

static void test_missing_dump(void)
{
	size_t n = 1234;
	char err[256] = "";
	lf_status st =
	    scan_dump(DATA "no_such_dump.txt", NULL, 0, &n, err, sizeof(err));
	CU_ASSERT_EQUAL(st, LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(n, 1234);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no_such_dump.txt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

static void test_malformed_dump(void)
{
	size_t n = 1234;
	char err[256] = "";
	lf_status st =
	    scan_dump(DATA "malformed.txt", NULL, 0, &n, err, sizeof(err));
	CU_ASSERT_EQUAL(st, LF_ERR_BAD_FILE);
	CU_ASSERT_EQUAL(n, 1234);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Malformed"));
	/* The scan left libpci in a clean state: the next one works. */
	CU_ASSERT_EQUAL(scan_dump(DATA "u250_pair.txt", NULL, 0, &n, NULL, 0),
			LF_OK);
	CU_ASSERT_EQUAL(n, 2);
}

static void test_bad_args(void)
{
	struct lf__pci_opts o = {LF_PCI_DUMP, NULL};
	size_t n;
	CU_ASSERT_EQUAL(lf__pci_scan(&o, NULL, 0, &n, NULL, 0),
			LF_ERR_INVALID_ARG);
	o.path = DATA "u250_pair.txt";
	CU_ASSERT_EQUAL(lf__pci_scan(&o, NULL, 0, NULL, NULL, 0),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__pci_scan(&o, NULL, 3, &n, NULL, 0),
			LF_ERR_INVALID_ARG);
	o.method = (enum lf__pci_method)7;
	CU_ASSERT_EQUAL(lf__pci_scan(&o, NULL, 0, &n, NULL, 0),
			LF_ERR_INVALID_ARG);
}

/* This host, whatever it has: the scan must work and list only cards. */
static void test_live(void)
{
	struct lf__pci_card c[16];
	size_t n = 99;
	char err[256];
	lf_status st = lf__pci_scan(NULL, c, 16, &n, err, sizeof(err));
	CU_ASSERT_EQUAL(st, LF_OK);
	if (st)
		fprintf(stderr, "live scan: %s\n", err);
	for (size_t i = 0; i < n && i < 16; i++)
		CU_ASSERT(c[i].vendor == 0x10ee || c[i].vendor == 0x1d0f);
}

/* ---- a sysfs tree, as the kernel lays it out ---------------------------- */

struct fake_dev {
	const char *bdf;
	uint16_t vendor, device;
	uint32_t bar[6];  /* raw BAR registers */
	uint64_t size[6]; /* what the kernel's resource file says */
	uint16_t lnkcap, lnksta;
	int short_config; /* only 64 bytes readable, as for non-root */
	const char *numa;
	const char *cur_speed, *max_speed, *cur_width, *max_width;
};

static void put_file(const char *dir, const char *name, const void *data,
		     size_t len)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_text(const char *dir, const char *name, const char *text)
{
	put_file(dir, name, text, strlen(text));
}

/* Type 0 header with a PCIe capability at 0x40 (the only capability). */
static void make_config(const struct fake_dev *d, uint8_t cfg[256])
{
	memset(cfg, 0, 256);
	cfg[0] = (uint8_t)d->vendor;
	cfg[1] = (uint8_t)(d->vendor >> 8);
	cfg[2] = (uint8_t)d->device;
	cfg[3] = (uint8_t)(d->device >> 8);
	cfg[6] = 0x10; /* status: capability list */
	for (int i = 0; i < 6; i++)
		for (int b = 0; b < 4; b++)
			cfg[0x10 + 4 * i + b] = (uint8_t)(d->bar[i] >> (8 * b));
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x10; /* PCI Express, last in the list */
	cfg[0x42] = 0x02; /* version 2, endpoint */
	cfg[0x4c] = (uint8_t)d->lnkcap;
	cfg[0x4d] = (uint8_t)(d->lnkcap >> 8);
	cfg[0x52] = (uint8_t)d->lnksta;
	cfg[0x53] = (uint8_t)(d->lnksta >> 8);
}

static void make_dev(const char *root, const struct fake_dev *d)
{
	char dir[512], buf[2048], line[128];
	uint8_t cfg[256];
	snprintf(dir, sizeof(dir), "%s/devices/%s", root, d->bdf);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	snprintf(line, sizeof(line), "0x%04x\n", d->vendor);
	put_text(dir, "vendor", line);
	snprintf(line, sizeof(line), "0x%04x\n", d->device);
	put_text(dir, "device", line);
	put_text(dir, "subsystem_vendor", "0x10ee\n");
	put_text(dir, "subsystem_device", "0x000e\n");
	put_text(dir, "class", "0x120000\n");
	put_text(dir, "numa_node", d->numa);
	make_config(d, cfg);
	put_file(dir, "config", cfg, d->short_config ? 64 : 256);
	/* resource: start end flags for 6 BARs and the ROM; the flags' low
	 * bits are the BAR's own (what libpci takes them from). */
	buf[0] = 0;
	for (int i = 0; i < 7; i++) {
		uint64_t start = 0, end = 0, flags = 0;
		if (i < 6 && d->size[i]) {
			start = d->bar[i] & ~0xfull;
			if ((d->bar[i] & 0x6) == 0x4)
				start |= (uint64_t)d->bar[i + 1] << 32;
			end = start + d->size[i] - 1;
			flags = 0x200 | (d->bar[i] & 0xf);
		}
		snprintf(line, sizeof(line), "0x%016llx 0x%016llx 0x%016llx\n",
			 (unsigned long long)start, (unsigned long long)end,
			 (unsigned long long)flags);
		strcat(buf, line);
	}
	put_text(dir, "resource", buf);
	if (d->cur_speed) {
		put_text(dir, "current_link_speed", d->cur_speed);
		put_text(dir, "max_link_speed", d->max_speed);
		put_text(dir, "current_link_width", d->cur_width);
		put_text(dir, "max_link_width", d->max_width);
	}
}

static void rm_tree(const char *root, const struct fake_dev *devs, int n)
{
	static const char *const files[] = {
	    "vendor",
	    "device",
	    "subsystem_vendor",
	    "subsystem_device",
	    "class",
	    "numa_node",
	    "config",
	    "resource",
	    "current_link_speed",
	    "max_link_speed",
	    "current_link_width",
	    "max_link_width",
	};
	char path[512];
	for (int i = 0; i < n; i++) {
		for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			snprintf(path, sizeof(path), "%s/devices/%s/%s", root,
				 devs[i].bdf, files[f]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/devices/%s", root,
			 devs[i].bdf);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/devices", root);
	rmdir(path);
	rmdir(root);
}

static void test_sysfs_tree(void)
{
	/* The U250 pair of u250_pair.txt with the sizes the Alveo debug guide
	 * shows for the mgmt PF (32M, 128K); an F2 application PF whose
	 * config space stops at 64 bytes, as sysfs shows it to non-root, so
	 * its link must come from the kernel's attributes; an ENA to skip. */
	static const struct fake_dev devs[] = {
	    {"0000:3b:00.1",
	     0x10ee,
	     0x5005,
	     {0xd000000c, 0, 0xd402000c, 0, 0, 0},
	     {32u << 20, 0, 64u << 10, 0, 0, 0},
	     0x0103,
	     0x1083,
	     0,
	     "1\n",
	     NULL,
	     NULL,
	     NULL,
	     NULL},
	    {"0000:3b:00.0",
	     0x10ee,
	     0x5004,
	     {0xd200000c, 0, 0xd400000c, 0, 0, 0},
	     {32u << 20, 0, 128u << 10, 0, 0, 0},
	     0x0103,
	     0x1083,
	     0,
	     "1\n",
	     NULL,
	     NULL,
	     NULL,
	     NULL},
	    {"0000:9f:00.0",
	     0x1d0f,
	     0x9048,
	     {0xe0000000, 0, 0, 0, 0, 0},
	     {64u << 20, 0, 0, 0, 0, 0},
	     0x0103,
	     0x1103,
	     1,
	     "-1\n",
	     "16.0 GT/s PCIe\n",
	     "16.0 GT/s PCIe\n",
	     "16\n",
	     "16\n"},
	    {"0000:00:05.0",
	     0x1d0f,
	     0xec20,
	     {0xc7000000, 0, 0, 0, 0, 0},
	     {16u << 10, 0, 0, 0, 0, 0},
	     0x0103,
	     0x1103,
	     0,
	     "0\n",
	     NULL,
	     NULL,
	     NULL,
	     NULL},
	};
	const int ndev = (int)(sizeof(devs) / sizeof(devs[0]));
	char root[] = "/tmp/lf_pci_sysfs_XXXXXX", dir[512];
	struct lf__pci_card c[4];
	size_t n = 0;
	char err[256];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/devices", root);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	for (int i = 0; i < ndev; i++)
		make_dev(root, &devs[i]);
	struct lf__pci_opts o = {LF_PCI_SYSFS, root};
	lf_status st = lf__pci_scan(&o, c, 4, &n, err, sizeof(err));
	CU_ASSERT_EQUAL(st, LF_OK);
	if (st)
		fprintf(stderr, "sysfs scan: %s\n", err);
	CU_ASSERT_EQUAL(n, 3);
	if (!st && n == 3) {
		/* Sorted by address whatever readdir() returned. */
		CU_ASSERT_STRING_EQUAL(c[0].bdf, "0000:3b:00.0");
		CU_ASSERT_EQUAL(c[0].role, LF_PCI_ROLE_MGMT);
		CU_ASSERT_EQUAL(c[0].numa_node, 1);
		check_bar(&c[0], 0, 0xd2000000, P64, 32u << 20);
		check_bar(&c[0], 2, 0xd4000000, P64, 128u << 10);
		CU_ASSERT_EQUAL(c[0].link_width, 8);
		CU_ASSERT_EQUAL(c[0].link_width_max, 16);
		CU_ASSERT_STRING_EQUAL(c[1].bdf, "0000:3b:00.1");
		check_bar(&c[1], 0, 0xd0000000, P64, 32u << 20);
		check_bar(&c[1], 2, 0xd4020000, P64, 64u << 10);
		CU_ASSERT_STRING_EQUAL(c[2].bdf, "0000:9f:00.0");
		CU_ASSERT_STRING_EQUAL(c[2].name, "AWS F2");
		CU_ASSERT_EQUAL(c[2].role, LF_PCI_ROLE_USER);
		CU_ASSERT_EQUAL(c[2].numa_node, -1);
		check_bar(&c[2], 0, 0xe0000000, 0, 64u << 20);
		/* From current_link_speed etc., not from the (unreadable)
		 * capability, which says 8 GT/s. */
		CU_ASSERT_EQUAL(c[2].link_speed, 16000);
		CU_ASSERT_EQUAL(c[2].link_speed_max, 16000);
		CU_ASSERT_EQUAL(c[2].link_width, 16);
		CU_ASSERT_EQUAL(c[2].link_width_max, 16);
	}
	rm_tree(root, devs, ndev);
	/* A sysfs root that is not there is an error when asked for. */
	n = 77;
	CU_ASSERT_EQUAL(lf__pci_scan(&o, c, 4, &n, err, sizeof(err)),
			LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(n, 77);
}

void lf_test_suite_pci(void)
{
	static const struct lf_test_case cases[] = {
	    {"f1_dump", test_f1},
	    {"u250_dump", test_u250},
	    {"non_fpga_ignored", test_non_fpga_ignored},
	    {"short_array", test_short_array},
	    {"missing_dump", test_missing_dump},
	    {"malformed_dump", test_malformed_dump},
	    {"bad_args", test_bad_args},
	    {"live_host", test_live},
	    {"sysfs_tree", test_sysfs_tree},
	    {NULL, NULL},
	};
	lf_test_add_suite("pci", NULL, NULL, cases);
}
