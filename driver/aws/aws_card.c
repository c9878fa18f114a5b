/*
 * aws_card.c - the bus of a real F2 card: the application PF's BARs
 * mapped through sysfs, and AFI loading through the SDK's fpga_mgmt.
 *
 * Facts relied on (aws/aws-fpga, branch f2, release 2.0.x):
 *   - hdk/docs/AWS_Fpga_Pcie_Memory_Map.md: AppPF BAR0 64 MiB, 64-bit
 *     prefetchable, mapped to the CL's OCL AXI-Lite interface; BAR4
 *     128 GiB, prefetchable, mapped to the PCIS AXI4 interface; "enabling
 *     write-combining on a prefetchable BAR requires a custom kernel driver
 *     or application to map ... as write-combining"; "applications enabling
 *     prefetching should avoid caching data from a memory space that
 *     contains any clear-on-read registers". So BAR0 (ap_done is clear on
 *     read) is mapped through `resource0`, uncached; BAR4 through
 *     `resource4_wc` where the kernel offers it (Linux sysfs creates
 *     resource<N>_wc for prefetchable BARs on x86), else `resource4`.
 *   - sdk/userspace/fpga_mgmt_tools/README.md: the AppPF shows Amazon's
 *     vendor 0x1d0f and "0x9048 being the default" device ID (no AFI, or
 *     an AFI that kept the default); hdk/cl/examples/CL_TEMPLATE/design/
 *     cl_id_defines.vh: a CL with vendor 0x1D0F chooses its device ID in
 *     0xF000-0xF0FF. The layerfab CL uses 0xF0F2 (our choice; see
 *     bitstreams/aws-f2-hdk/README.md). Both are listed; the identity
 *     registers decide whether the CL is ours.
 *   - sdk/userspace/include/fpga_mgmt.h: fpga_mgmt_init(void),
 *     fpga_mgmt_load_local_image_sync(int slot_id, char *afi_id, uint32_t
 *     timeout, uint32_t delay_msec, struct fpga_mgmt_image_info *info),
 *     fpga_mgmt_strerror(int), fpga_mgmt_close(void); the library installs
 *     as libfpga_mgmt.so.1 (sdk/userspace/install_fpga_mgmt_tools.sh). The
 *     sync load removes and rescans the PCI device when the AFI's IDs
 *     differ (fpga_mgmt.c), so the BARs are mapped again afterwards.
 * None of this has run on an F2 instance: UNVERIFIED on hardware.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/aws/aws_impl.h"
#include "driver/pci/pci.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define AMZ_VENDOR	 0x1d0fu
#define F2_APPPF_DEFAULT 0x9048u
#define LF_CL_DEVICE_ID	 0xf0f2u
#define MAX_CARDS	 16

struct aws_card {
	struct aws_bus bus;
	char root[LF_DRV_OPT_VALUE_MAX + 16]; /* sysfs, /sys/bus/pci */
	char bdf[LF_DRV_NAME_MAX + 8];
	char afi[LF_DRV_OPT_VALUE_MAX];
	int slot;
	volatile uint32_t *bar0;
	uint64_t bar0_size;
	volatile uint8_t *bar4;
	uint64_t bar4_size;
	int bar4_wc;
};

static struct aws_card *card_of(struct aws_bus *b)
{
	return lf__container_of(b, struct aws_card, bus);
}

/* The F2 application PFs on the bus, in bus order. */
static lf_status list_f2(const char *root, struct lf__pci_card *out,
			 uint32_t max, uint32_t *n)
{
	struct lf__pci_card all[MAX_CARDS];
	struct lf__pci_opts o = {LF_PCI_SYSFS, root};
	char err[256] = "";
	size_t found = 0;
	lf_status st =
	    lf__pci_scan(&o, all, MAX_CARDS, &found, err, sizeof(err));

	if (st != LF_OK)
		return lf__drv_error(st, "aws: PCIe scan: %s", err);
	*n = 0;
	for (size_t i = 0; i < found && i < MAX_CARDS; i++) {
		if (all[i].vendor != AMZ_VENDOR ||
		    all[i].role != LF_PCI_ROLE_USER ||
		    (all[i].device != F2_APPPF_DEFAULT &&
		     all[i].device != LF_CL_DEVICE_ID))
			continue;
		if (*n < max)
			out[*n] = all[i];
		(*n)++;
	}
	return LF_OK;
}

lf_status lf__aws_card_enumerate(struct lf_dev_desc *out, uint32_t max,
				 uint32_t *count)
{
	struct lf__pci_card c[MAX_CARDS];
	uint32_t n = 0;
	lf_status st = list_f2(NULL, c, MAX_CARDS, &n);

	if (st != LF_OK)
		return st;
	for (uint32_t i = 0; i < n && i < max && i < MAX_CARDS; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].backend, sizeof(out[i].backend), "aws");
		out[i].index = i;
		snprintf(out[i].name, sizeof(out[i].name), "%s",
			 AWS_CL_PLATFORM);
		snprintf(out[i].detail, sizeof(out[i].detail),
			 "AWS F2 AppPF %.16s (%04x:%04x, %s)", c[i].bdf,
			 c[i].vendor, c[i].device,
			 c[i].device == LF_CL_DEVICE_ID
			     ? "layerfab CL ID"
			     : "default ID: no AFI or another CL");
		/* Only a PF showing the layerfab CL's ID may become the
		 * default device: one with the default ID has no AFI, or
		 * another CL, and opening it would fail. */
		out[i].is_card = c[i].device == LF_CL_DEVICE_ID;
	}
	*count = n;
	return LF_OK;
}

static lf_status read_hex(const char *root, const char *bdf, const char *f,
			  unsigned *v)
{
	char path[256];
	FILE *fp;
	int ok;

	snprintf(path, sizeof(path), "%s/devices/%s/%s", root, bdf, f);
	fp = fopen(path, "r");
	if (!fp)
		return lf__drv_error(LF_ERR_NOT_FOUND, "aws: %s: %s", path,
				     strerror(errno));
	ok = fscanf(fp, "%x", v) == 1;
	fclose(fp);
	if (!ok)
		return lf__drv_error(LF_ERR_IO, "aws: %s: not a hex number",
				     path);
	return LF_OK;
}

/* Map resource file @name of the card; *size from the file. */
static lf_status map_bar(struct aws_card *c, const char *name, uint64_t min,
			 void **out, uint64_t *size)
{
	char path[256];
	struct stat sb;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/devices/%s/%s", c->root, c->bdf, name);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return lf__drv_error(
		    errno == ENOENT ? LF_ERR_NOT_FOUND : LF_ERR_IO,
		    "aws: %s: %s%s", path, strerror(errno),
		    errno == EACCES ? " (mapping a BAR needs root, as "
				      "the SDK's tools do)"
				    : "");
	if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size < min) {
		close(fd);
		return lf__drv_error(LF_ERR_DEVICE,
				     "aws: %s is %lld bytes; the F2 shell's "
				     "BAR is %llu",
				     path, (long long)sb.st_size,
				     (unsigned long long)min);
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return lf__drv_error(LF_ERR_IO, "aws: mmap %s: %s", path,
				     strerror(errno));
	*out = p;
	*size = (uint64_t)sb.st_size;
	return LF_OK;
}

static void unmap_bars(struct aws_card *c)
{
	if (c->bar0)
		munmap((void *)c->bar0, (size_t)c->bar0_size);
	if (c->bar4)
		munmap((void *)c->bar4, (size_t)c->bar4_size);
	c->bar0 = NULL;
	c->bar4 = NULL;
}

static lf_status map_bars(struct aws_card *c)
{
	void *p = NULL;
	lf_status st =
	    map_bar(c, "resource0", AWS_BAR0_SIZE, &p, &c->bar0_size);

	if (st != LF_OK)
		return st;
	c->bar0 = p;
	c->bar4_wc = 1;
	st = map_bar(c, "resource4_wc", AWS_BAR4_SIZE, &p, &c->bar4_size);
	if (st == LF_ERR_NOT_FOUND) {
		c->bar4_wc = 0;
		st = map_bar(c, "resource4", AWS_BAR4_SIZE, &p, &c->bar4_size);
	}
	if (st != LF_OK) {
		unmap_bars(c);
		return st;
	}
	c->bar4 = p;
	return LF_OK;
}

static uint32_t card_ocl_read32(struct aws_bus *b, uint64_t off)
{
	struct aws_card *c = card_of(b);

	if (off % 4 || off >= c->bar0_size)
		return AWS_ALL_ONES;
	return c->bar0[off / 4];
}

static void card_ocl_write32(struct aws_bus *b, uint64_t off, uint32_t v)
{
	struct aws_card *c = card_of(b);

	if (off % 4 || off >= c->bar0_size)
		return;
	/* Posted writes to a WC BAR4 before this must reach the CL first:
	 * the start of a run follows its input transfer. */
	__sync_synchronize();
	c->bar0[off / 4] = v;
}

static void card_pcis_write(struct aws_bus *b, uint64_t addr, const void *src,
			    uint64_t n)
{
	struct aws_card *c = card_of(b);

	if (addr >= c->bar4_size || n > c->bar4_size - addr)
		return;
	memcpy((void *)(c->bar4 + addr), src, (size_t)n);
	__sync_synchronize(); /* drain write-combining buffers */
}

#if defined(__x86_64__)
/*
 * Reads from a write-combining mapping are uncached: a plain memcpy turns
 * into many small PCIe reads. MOVNTDQA (SSE4.1 "streaming load") reads a
 * whole 64-byte line from WC memory into a fill buffer and serves the
 * next three 16-byte loads of that line from it (Intel, "Increasing
 * Memory Throughput With Intel Streaming SIMD Extensions 4 (Intel SSE4)
 * Streaming Load"), so the body of a transfer is read a line per PCIe
 * read. UNVERIFIED on an F2 card; the copy itself is tested on a file
 * mapping (tests/unit/test_aws.c).
 */
__attribute__((target("sse4.1"))) static void
stream_read(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t head = (size_t)(-(uintptr_t)src & 63);

	if (head > n)
		head = n;
	memcpy(dst, src, head);
	dst += head;
	src += head;
	n -= head;
	for (; n >= 64; n -= 64, src += 64, dst += 64) {
		__m128i *s = (__m128i *)(uintptr_t)src;
		__m128i a = _mm_stream_load_si128(s);
		__m128i b = _mm_stream_load_si128(s + 1);
		__m128i c = _mm_stream_load_si128(s + 2);
		__m128i d = _mm_stream_load_si128(s + 3);

		_mm_storeu_si128((__m128i *)(void *)dst, a);
		_mm_storeu_si128((__m128i *)(void *)(dst + 16), b);
		_mm_storeu_si128((__m128i *)(void *)(dst + 32), c);
		_mm_storeu_si128((__m128i *)(void *)(dst + 48), d);
	}
	memcpy(dst, src, n);
}
#endif

static void card_pcis_read(struct aws_bus *b, uint64_t addr, void *dst,
			   uint64_t n)
{
	struct aws_card *c = card_of(b);
	const uint8_t *src;

	if (addr >= c->bar4_size || n > c->bar4_size - addr) {
		memset(dst, 0xff, (size_t)n);
		return;
	}
	src = (const uint8_t *)(uintptr_t)(c->bar4 + addr);
#if defined(__x86_64__)
	if (c->bar4_wc && __builtin_cpu_supports("sse4.1")) {
		stream_read(dst, src, (size_t)n);
		return;
	}
#endif
	memcpy(dst, src, (size_t)n);
}

/* fpga_mgmt, declared from sdk/userspace/include/fpga_mgmt.h. */
typedef int (*mgmt_init_fn)(void);
typedef int (*mgmt_close_fn)(void);
typedef const char *(*mgmt_strerror_fn)(int);
typedef int (*mgmt_load_sync_fn)(int, char *, uint32_t, uint32_t, void *);

/* Larger than the SDK's struct fpga_mgmt_image_info, which we only pass. */
#define MGMT_INFO_BYTES 65536

static lf_status load_afi(struct aws_card *c)
{
	void *dl = dlopen("libfpga_mgmt.so.1", RTLD_NOW | RTLD_LOCAL);
	mgmt_init_fn init;
	mgmt_close_fn fini;
	mgmt_strerror_fn serr;
	mgmt_load_sync_fn load;
	void *info;
	lf_status st = LF_OK;
	int rc;

	if (!dl)
		dl = dlopen("libfpga_mgmt.so", RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return lf__drv_error(
		    LF_ERR_UNSUPPORTED,
		    "aws: afi=%s: the AWS FPGA SDK's libfpga_mgmt.so.1 is not "
		    "installed (aws-fpga sdk_setup.sh installs it). Load the "
		    "AFI yourself with `sudo fpga-load-local-image -S %d -I "
		    "%s` and open the device without afi=",
		    c->afi, c->slot, c->afi);
	init = (mgmt_init_fn)(uintptr_t)dlsym(dl, "fpga_mgmt_init");
	fini = (mgmt_close_fn)(uintptr_t)dlsym(dl, "fpga_mgmt_close");
	serr = (mgmt_strerror_fn)(uintptr_t)dlsym(dl, "fpga_mgmt_strerror");
	load = (mgmt_load_sync_fn)(uintptr_t)dlsym(
	    dl, "fpga_mgmt_load_local_image_sync");
	if (!init || !fini || !serr || !load) {
		dlclose(dl);
		return lf__drv_error(LF_ERR_UNSUPPORTED,
				     "aws: libfpga_mgmt lacks the functions "
				     "of fpga_mgmt.h; load the AFI with "
				     "`fpga-load-local-image -S %d -I %s`",
				     c->slot, c->afi);
	}
	info = calloc(1, MGMT_INFO_BYTES);
	if (!info) {
		dlclose(dl);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	}
	rc = init();
	if (rc == 0) {
		unmap_bars(c); /* the load may remove and rescan the PF */
		/* timeout and delay 0: the SDK's defaults */
		rc = load(c->slot, c->afi, 0, 0, info);
		if (rc != 0)
			st = lf__drv_error(LF_ERR_DEVICE,
					   "aws: fpga_mgmt could not load %s "
					   "into slot %d: %s",
					   c->afi, c->slot, serr(rc));
		fini();
		if (map_bars(c) != LF_OK && st == LF_OK)
			st = LF_ERR_DEVICE;
	} else {
		st = lf__drv_error(LF_ERR_DEVICE,
				   "aws: fpga_mgmt_init failed: %s (are you "
				   "root?)",
				   serr(rc));
	}
	free(info);
	dlclose(dl);
	return st;
}

static lf_status card_program(struct aws_bus *b, const struct lf_xclbin *xb)
{
	struct aws_card *c = card_of(b);

	(void)xb;
	if (!c->afi[0])
		return LF_OK; /* trust the loaded AFI; identity is checked */
	return load_afi(c);
}

static void card_close(struct aws_bus *b)
{
	struct aws_card *c = card_of(b);

	unmap_bars(c);
	free(c);
}

static const struct aws_bus_ops card_ops = {
    .ocl_read32 = card_ocl_read32,
    .ocl_write32 = card_ocl_write32,
    .pcis_write = card_pcis_write,
    .pcis_read = card_pcis_read,
    .program = card_program,
    .close = card_close,
};

static int is_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static lf_status parse_opts(const struct lf_dev_spec *spec, struct aws_card *c)
{
	static const char *const known[] = {"afi", "slot", "bank_size",
					    "sysfs"};
	uint64_t slot = UINT64_MAX;
	lf_status st;

	for (uint32_t i = 0; i < spec->nopts; i++) {
		size_t k = 0;

		while (k < 4 && strcmp(known[k], spec->opts[i].key) != 0)
			k++;
		if (k == 4)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "aws: unknown option '%s' (known: "
					     "afi, slot, bank_size, sysfs)",
					     spec->opts[i].key);
		if (k == 0)
			snprintf(c->afi, sizeof(c->afi), "%s",
				 spec->opts[i].value);
		if (k == 3)
			snprintf(c->root, sizeof(c->root), "%s",
				 spec->opts[i].value);
	}
	st = lf__dev_spec_opt_u64(spec, "slot", &slot);
	if (st != LF_OK && st != LF_ERR_NOT_FOUND)
		return st;
	if (slot != UINT64_MAX && slot > 255)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "aws: slot=%llu is not an FPGA slot",
				     (unsigned long long)slot);
	c->slot = slot == UINT64_MAX ? -1 : (int)slot;
	if (c->afi[0] && strncmp(c->afi, "agfi-", 5) != 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "aws: afi=%s is not a global AFI id "
				     "(agfi-...)",
				     c->afi);
	return LF_OK;
}

lf_status lf__aws_card_open(const struct lf_dev_spec *spec, char *name,
			    size_t namelen, struct aws_bus **out)
{
	struct aws_card *c = calloc(1, sizeof(*c));
	unsigned vendor = 0, device = 0;
	lf_status st;

	if (!c)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	st = parse_opts(spec, c);
	if (st != LF_OK)
		goto fail;
	if (!c->root[0])
		snprintf(c->root, sizeof(c->root), "/sys/bus/pci");
	if (!spec->device[0] || is_digits(spec->device)) {
		struct lf__pci_card f2[MAX_CARDS];
		uint32_t n = 0;
		unsigned long idx =
		    spec->device[0] ? strtoul(spec->device, NULL, 10) : 0;

		st = list_f2(c->root, f2, MAX_CARDS, &n);
		if (st != LF_OK)
			goto fail;
		if (idx >= n || idx >= MAX_CARDS) {
			st = lf__drv_error(
			    LF_ERR_NOT_FOUND,
			    "aws: no F2 card %lu: %u application PFs "
			    "(1d0f:9048 or 1d0f:f0f2) on this machine; the "
			    "emulated CL is opened only as aws:sim",
			    idx, n);
			goto fail;
		}
		snprintf(c->bdf, sizeof(c->bdf), "%s", f2[idx].bdf);
		if (c->slot < 0)
			c->slot = (int)idx;
	} else {
		/* domain:bus:dev.fn, or bus:dev.fn in domain 0 */
		snprintf(c->bdf, sizeof(c->bdf), "%s%s",
			 strchr(spec->device, ':') == strrchr(spec->device, ':')
			     ? "0000:"
			     : "",
			 spec->device);
	}
	if (c->slot < 0)
		c->slot = 0;
	st = read_hex(c->root, c->bdf, "vendor", &vendor);
	if (st == LF_OK)
		st = read_hex(c->root, c->bdf, "device", &device);
	if (st != LF_OK)
		goto fail;
	if (vendor != AMZ_VENDOR ||
	    (device != F2_APPPF_DEFAULT && device != LF_CL_DEVICE_ID)) {
		st = lf__drv_error(LF_ERR_NOT_FOUND,
				   "aws: %s is %04x:%04x, not an F2 "
				   "application PF (1d0f:9048, or 1d0f:f0f2 "
				   "with the layerfab CL)",
				   c->bdf, vendor, device);
		goto fail;
	}
	st = map_bars(c);
	if (st != LF_OK)
		goto fail;
	snprintf(name, namelen, "%s", AWS_CL_PLATFORM);
	c->bus.ops = &card_ops;
	*out = &c->bus;
	return LF_OK;
fail:
	free(c);
	return st;
}
