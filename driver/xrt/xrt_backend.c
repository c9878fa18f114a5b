/*
 * xrt_backend.c - the XRT backend's vtable: enumerating, opening, closing
 * and describing devices. Loading is in xrt_load.c, buffers in xrt_bo.c,
 * runs in xrt_run.c, software-emulation support in xrt_swemu.c.
 *
 * Device string: "xrt[:<index>|:<PCI address>]", e.g. "xrt", "xrt:0",
 * "xrt:1", "xrt:0000:65:00.1" or "xrt:65:00.1" (xrtDeviceOpen /
 * xrtDeviceOpenByBDF). One option, cu_sync=0|1 (default 0): with 1 the
 * device reports lf_dev_props.cu_sync, so the host may run a batch-1
 * segment on a group of CUs that meet at their descriptors' barriers
 * (hls/lf_desc.h "Barrier"; the xclbin must have the ring, limits
 * lfk_engine.sync). XRT starts each CU's run as it is asked, and the CUs
 * of a card run at once; in software emulation the device process starts
 * each on its own emulator CU thread, where the barrier works as under
 * `emu` (tests/xrt: cu_group). Off by default: on a card the flag
 * barrier is UNVERIFIED, and XRT 2.13's C API cannot abort a run
 * (xrt_run.c), so a lane that stops on an error leaves the others
 * polling their flags (LF_SYNC_POLLS rounds) until they give up with
 * LF_KST_BAD_OP, and in emulation waiting until the device process ends.
 *
 * With XCL_EMULATION_MODE=sw_emu XRT runs its software emulation instead
 * of a card: libxrt_coreutil loads $XILINX_XRT/lib/libxrt_swemu.so.2,
 * which forks $XILINX_VITIS/.../genericpciemodel, here layerfab's device
 * process (driver/xrt/devproc). The backend is the same code either way;
 * README.md says what emulation does and does not verify.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver/pci/pci.h"
#include "driver/xrt/xrt.h"
#include "driver/xrt/xrt_impl.h"

#define MAX_CARDS 64
#define MAX_OPEN  16

/*
 * Devices open in this process, by device string. XRT hands every open of
 * an index the same device (in emulation the same shim object and device
 * process), so a second lf_dev on it would replace the first one's
 * program under it: refused instead.
 */
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;
static char open_where[MAX_OPEN][XRT_WHERE_MAX];

/* Take @where (@take) or give it back; -1 when it is taken or all slots
 * are. */
static int claim(const char *where, int take)
{
	int rc = take ? -1 : 0, slot = -1, found = 0;

	pthread_mutex_lock(&open_mu);
	for (int i = 0; i < MAX_OPEN && !found; i++) {
		if (strcmp(open_where[i], where) == 0) {
			found = 1;
			if (!take)
				open_where[i][0] = '\0';
		} else if (!open_where[i][0] && slot < 0) {
			slot = i;
		}
	}
	if (take && !found && slot >= 0) {
		snprintf(open_where[slot], XRT_WHERE_MAX, "%s", where);
		rc = 0;
	}
	pthread_mutex_unlock(&open_mu);
	return rc;
}

lf_status lf__xrt_check_lost(struct xrt_dev *d, const char *what)
{
	char why[sizeof(d->lost_why)];
	int lost;

	pthread_mutex_lock(&d->mu);
	lost = d->lost;
	memcpy(why, d->lost_why, sizeof(why));
	pthread_mutex_unlock(&d->mu);
	if (!lost)
		return LF_OK;
	return lf__drv_error(LF_ERR_DEVICE_LOST, "xrt: %s on %s: %s", what,
			     d->where, why);
}

/* The "Name" of the first device in emconfig.json, or "" (a plain scan:
 * only used to label enumeration). */
static void emconfig_name(char *out, size_t cap)
{
	const char *dir = getenv("EMCONFIG_PATH");
	char path[4096], buf[8192];
	const char *p, *q;
	size_t n = 0;
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/emconfig.json", dir ? dir : ".");
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "\"Name\"");
	p = p ? strchr(p + 6, '"') : NULL;
	q = p ? strchr(p + 1, '"') : NULL;
	if (q && (size_t)(q - p - 1) < cap) {
		memcpy(out, p + 1, (size_t)(q - p - 1));
		out[q - p - 1] = '\0';
	}
}

/* The cards XRT would number, as XRT numbers them: user functions in bus
 * order. A machine without PCI (a container) has none. Returns how many
 * of @cards were filled (at most MAX_CARDS). */
static size_t user_cards(struct lf__pci_card *cards)
{
	size_t n = 0, k = 0;

	if (lf__pci_scan(NULL, cards, MAX_CARDS, &n, NULL, 0) != LF_OK)
		n = 0;
	for (size_t i = 0; i < n && i < MAX_CARDS; i++)
		if (cards[i].role == LF_PCI_ROLE_USER)
			cards[k++] = cards[i];
	return k;
}

static lf_status xrt_enumerate(struct lf_dev_desc *out, uint32_t max,
			       uint32_t *count)
{
	const char *mode = getenv("XCL_EMULATION_MODE");
	struct lf__pci_card cards[MAX_CARDS];
	size_t n = 0;
	uint32_t k = 0;

	if (mode) {
		/* One emulated device (emconfig.json NumDevices is not
		 * used by layerfab's harness). */
		if (max > 0) {
			memset(&out[0], 0, sizeof(out[0]));
			snprintf(out[0].backend, sizeof(out[0].backend), "xrt");
			emconfig_name(out[0].name, sizeof(out[0].name));
			snprintf(out[0].detail, sizeof(out[0].detail),
				 "XRT %s device (XCL_EMULATION_MODE)", mode);
			out[0].is_card = 1;
		}
		*count = 1;
		return LF_OK;
	}
	n = user_cards(cards);
	for (size_t i = 0; i < n; i++) {
		if (k < max) {
			memset(&out[k], 0, sizeof(out[k]));
			snprintf(out[k].backend, sizeof(out[k].backend), "xrt");
			out[k].index = k;
			out[k].is_card = 1;
			snprintf(out[k].name, sizeof(out[k].name), "%s",
				 cards[i].name);
			snprintf(out[k].detail, sizeof(out[k].detail),
				 "%.40s at %.16s (open as xrt:%u or xrt:%.16s)",
				 cards[i].name, cards[i].bdf, k, cards[i].bdf);
		}
		k++;
	}
	*count = k;
	return LF_OK;
}

/* "0000:65:00.1" or "65:00.1" (hexadecimal fields). */
static int is_bdf(const char *s)
{
	size_t n = strlen(s), colons = 0, dots = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (s[i] == '.')
			dots++;
		else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return dots == 1 && (colons == 1 || colons == 2) && s[n - 1] != '.' &&
	       s[0] != ':';
}

static lf_status parse_spec(const struct lf_dev_spec *spec, unsigned *index,
			    int *by_bdf, int *cu_sync)
{
	const char *dev = spec->device;
	char *end;
	unsigned long v;
	uint64_t cs = 0;

	for (uint32_t i = 0; i < spec->nopts; i++)
		if (strcmp(spec->opts[i].key, "cu_sync") != 0)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "xrt: unknown option '%s' (known: "
					     "cu_sync)",
					     spec->opts[i].key);
	lf_status st = lf__dev_spec_opt_u64(spec, "cu_sync", &cs);
	if (st == LF_ERR_NOT_FOUND)
		st = LF_OK;
	if (st == LF_OK && cs > 1)
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "xrt: cu_sync=%llu: expected 0 or 1",
				   (unsigned long long)cs);
	if (st != LF_OK)
		return st;
	*cu_sync = (int)cs;
	*by_bdf = 0;
	*index = 0;
	if (!dev[0])
		return LF_OK;
	if (is_bdf(dev)) {
		*by_bdf = 1;
		return LF_OK;
	}
	errno = 0;
	v = strtoul(dev, &end, 10);
	if (!isdigit((unsigned char)dev[0]) || *end || errno || v > 1024)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "xrt: device '%s' is neither an index "
				     "(xrt:0) nor a PCI address "
				     "(xrt:0000:65:00.1)",
				     dev);
	*index = (unsigned)v;
	return LF_OK;
}

/*
 * Hardware mode (no XCL_EMULATION_MODE). XRT 2.13's libxrt_coreutil loads
 * its hardware shim, $XILINX_XRT/lib/libxrt_core.so.2, the first time a
 * call needs it (core/common/module_loader.cpp), and when XILINX_XRT is
 * unset or names a prefix without that file it throws a C++ exception
 * through the C API: xrtDeviceOpen() then ends the process with SIGABRT
 * ("XILINX_XRT not set", "No such library"), even for an index with no
 * card, because its error path goes through the same loader. So nothing
 * here calls into XRT unless XRT is set up and enumeration found the card.
 * (Debian's libxrt packages install under /usr/lib/<triplet>, so
 * XILINX_XRT=/usr is not a working setting either.)
 */
static lf_status hw_check_env(void)
{
	const char *xrt = getenv("XILINX_XRT");
	char path[PATH_MAX], magic[4];
	struct stat stb;
	ssize_t got = 0;
	int fd;

	if (!xrt || !*xrt)
		return lf__drv_error(
		    LF_ERR_NOT_FOUND,
		    "xrt: XILINX_XRT is not set, so XRT cannot load its "
		    "hardware shim and would abort the process; set XRT up "
		    "first (`source /opt/xilinx/xrt/setup.sh`, which sets "
		    "XILINX_XRT to the prefix holding lib/libxrt_core.so.2), "
		    "or use XRT's software emulation (driver/xrt/README.md) "
		    "or the emulated device (--device emu)");
	if (snprintf(path, sizeof(path), "%s/lib/libxrt_core.so.2", xrt) >=
	    (int)sizeof(path))
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "xrt: XILINX_XRT is too long");
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &stb) == 0 && S_ISREG(stb.st_mode))
			got = read(fd, magic, sizeof(magic));
		close(fd);
	}
	if (fd < 0 || got != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "\177ELF", 4) != 0)
		return lf__drv_error(
		    LF_ERR_NOT_FOUND,
		    "xrt: XILINX_XRT=%s has no loadable lib/libxrt_core.so.2 "
		    "(%s), so XRT cannot load its hardware shim and would "
		    "abort the process; point XILINX_XRT at XRT's install "
		    "prefix (`source /opt/xilinx/xrt/setup.sh`)",
		    xrt, fd < 0 ? strerror(errno) : "not an ELF file");
	return LF_OK;
}

/* "65:00.1" and "0000:65:00.1" name the same function. */
static int bdf_eq(const char *card, const char *asked)
{
	char full[96];

	if (strchr(asked, ':') == strrchr(asked, ':'))
		snprintf(full, sizeof(full), "0000:%s", asked);
	else
		snprintf(full, sizeof(full), "%s", asked);
	return strcasecmp(card, full) == 0;
}

/* The card asked for must be one enumeration (`layerfab devices`) lists. */
static lf_status hw_check_card(const struct lf_dev_spec *spec, unsigned index,
			       int by_bdf)
{
	struct lf__pci_card cards[MAX_CARDS];
	size_t n = user_cards(cards);

	for (size_t i = 0; i < n; i++)
		if (by_bdf ? bdf_eq(cards[i].bdf, spec->device) : i == index)
			return LF_OK;
	return lf__drv_error(LF_ERR_NOT_FOUND,
			     "xrt: no card %s%s: PCI enumeration found %zu "
			     "XRT card%s (`layerfab devices` lists them); "
			     "XRT is not asked to open a card it cannot see "
			     "(it would abort the process)",
			     by_bdf ? "at " : "xrt:",
			     by_bdf	       ? spec->device
			     : spec->device[0] ? spec->device
					       : "0",
			     n, n == 1 ? "" : "s");
}

/* The card's shell (VBNV) or, in emulation, the emconfig device name:
 * xclGetDeviceInfo2 of whichever shim libxrt_coreutil loaded (it is
 * dlopened RTLD_GLOBAL; this library does not link a shim itself). */
static void device_name(struct xrt_dev *d)
{
	typedef int (*info_fn)(xclDeviceHandle, struct xclDeviceInfo2 *);
	struct xclDeviceInfo2 *info = calloc(1, sizeof(*info));
	void *sym = dlsym(RTLD_DEFAULT, "xclGetDeviceInfo2");
	info_fn fn;

	snprintf(d->name, sizeof(d->name), "%s", d->where);
	if (!info || !sym) {
		free(info);
		return;
	}
	memcpy(&fn, &sym, sizeof(fn));
	if (fn(lf__xrt.xrtDeviceToXclDevice(d->dh), info) == 0 &&
	    info->mName[0])
		snprintf(d->name, sizeof(d->name), "%s", info->mName);
	free(info);
}

/* How many devices the loaded shim reports (xclProbe), or UINT_MAX. */
static unsigned device_count(void)
{
	typedef unsigned (*probe_fn)(void);
	void *sym = dlsym(RTLD_DEFAULT, "xclProbe");
	probe_fn fn;

	if (!sym)
		return UINT_MAX;
	memcpy(&fn, &sym, sizeof(fn));
	return fn();
}

static lf_status xrt_open(const struct lf_dev_spec *spec, lf_dev **out)
{
	struct lf__xrt_sigguard g;
	pthread_condattr_t ca;
	struct xrt_dev *d;
	unsigned index;
	int by_bdf, err, cu_sync = 0;
	lf_status st = parse_spec(spec, &index, &by_bdf, &cu_sync);

	if (st == LF_OK)
		st = lf__xrt_swemu_check_env();
	if (st == LF_OK && !getenv("XCL_EMULATION_MODE"))
		st = hw_check_env();
	if (st == LF_OK && !getenv("XCL_EMULATION_MODE"))
		st = hw_check_card(spec, index, by_bdf);
	if (st == LF_OK)
		st = lf__xrt_api_load();
	if (st != LF_OK)
		return st;
	d = calloc(1, sizeof(*d));
	if (!d)
		return lf__drv_error(LF_ERR_NO_MEMORY, "xrt: out of memory");
	d->emulation = getenv("XCL_EMULATION_MODE") != NULL;
	d->cu_sync = cu_sync;
	if (by_bdf)
		snprintf(d->where, sizeof(d->where), "xrt:%s", spec->device);
	else
		snprintf(d->where, sizeof(d->where), "xrt:%u", index);
	if (claim(d->where, 1) != 0) {
		st = lf__drv_error(LF_ERR_BUSY,
				   "xrt: %s is already open in this process",
				   d->where);
		free(d);
		return st;
	}
	lf__xrt_sig_begin(d->emulation, &g);
	errno = 0;
	d->dh = by_bdf ? lf__xrt.xrtDeviceOpenByBDF(spec->device)
		       : lf__xrt.xrtDeviceOpen(index);
	err = errno;
	if (d->dh && !by_bdf && index >= device_count()) {
		/* libxrt_swemu opens any index; emconfig.json says how
		 * many devices there are. */
		lf__xrt.xrtDeviceClose(d->dh);
		d->dh = NULL;
		err = ENODEV;
	}
	if (d->dh)
		device_name(d);
	lf__xrt_sig_end(&g);
	if (!d->dh) {
		claim(d->where, 0);
		free(d);
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "xrt: cannot open %s: %s (XRT's own "
				     "message, if any, is on stderr)",
				     by_bdf ? spec->device : "device",
				     err ? strerror(err) : "no such device");
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->run_cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = &d->base;
	return LF_OK;
}

static void xrt_close(lf_dev *dev)
{
	struct xrt_dev *d = xdev(dev);
	struct lf__xrt_sigguard g;

	lf__xrt_sig_begin(d->emulation, &g);
	lf__xrt_close_kernels(d);
	/* A healthy device process answers the close itself; a dead one's
	 * stand-in (xrt_tomb.c) must keep answering until the close is
	 * done. */
	lf__xrt_swemu_stop_watch(d);
	lf__xrt.xrtDeviceClose(d->dh);
	lf__xrt_swemu_release(d);
	lf__xrt_sig_end(&g);
	lf__xclbin_free(d->xb);
	claim(d->where, 0);
	pthread_cond_destroy(&d->run_cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/*
 * The CUs, each argument's bank (XRT's group id) and every bank below 64
 * it reaches: the xclbin's CONNECTIVITY entries (a port linked to a
 * range, sp=...act:DDR[1:3], has one per bank), else its one bank.
 */
static void query_cus(const struct xrt_dev *d, struct lf_dev_props *p)
{
	const struct lf_xclbin *xb = d->xb;

	p->ncus = xb->ncus;
	for (uint32_t c = 0; c < xb->ncus; c++) {
		struct lf_dev_cu *cu = &p->cus[c];

		memcpy(cu->name, xb->cus[c].name, sizeof(cu->name));
		cu->kernel = xb->cus[c].kernel;
		cu->base = xb->cus[c].base;
		memcpy(cu->arg_bank, d->arg_bank[c], sizeof(cu->arg_bank));
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++)
			cu->arg_reach[a] = 0;
		for (uint32_t i = 0; i < xb->nconn; i++) {
			const struct lf_xclbin_conn *k = &xb->conn[i];

			if (k->cu == c && k->arg < LF_DRV_MAX_ARGS &&
			    k->mem < 64)
				cu->arg_reach[k->arg] |= 1ull << k->mem;
		}
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++)
			if (!cu->arg_reach[a] && cu->arg_bank[a] < 64)
				cu->arg_reach[a] = 1ull << cu->arg_bank[a];
	}
	p->cu_sync = (uint32_t)d->cu_sync;
}

static lf_status xrt_query(lf_dev *dev, struct lf_dev_props *p)
{
	struct xrt_dev *d = xdev(dev);
	const struct lf_xclbin *xb = d->xb;

	snprintf(p->backend, sizeof(p->backend), "xrt");
	snprintf(p->name, sizeof(p->name), "%.*s", (int)sizeof(p->name) - 1,
		 d->name);
	if (!xb)
		return LF_OK;
	p->xclbin_loaded = 1;
	memcpy(p->xclbin_uuid, xb->uuid, sizeof(p->xclbin_uuid));
	memcpy(p->xclbin_platform, xb->platform, sizeof(p->xclbin_platform));
	p->nmems = xb->nmems;
	for (uint32_t i = 0; i < xb->nmems; i++) {
		const struct lf_xclbin_mem *m = &xb->mems[i];

		memcpy(p->mems[i].tag, m->tag, sizeof(p->mems[i].tag));
		p->mems[i].type = m->type;
		p->mems[i].usable = m->used && m->size > 0 &&
				    m->type != LF_MEM_STREAMING &&
				    m->type != LF_MEM_STREAMING_CONNECTION;
		p->mems[i].base = m->base;
		p->mems[i].size = m->size;
	}
	p->nkernels = xb->nkernels;
	memcpy(p->kernels, xb->kernels, xb->nkernels * sizeof(p->kernels[0]));
	query_cus(d, p);
	p->nlimits = xb->nlimits;
	memcpy(p->limits, xb->limits, xb->nlimits * sizeof(p->limits[0]));
	return LF_OK;
}

static lf_status xrt_counters(lf_dev *dev, struct lf_dev_counters *out)
{
	struct xrt_dev *d = xdev(dev);

	pthread_mutex_lock(&d->mu);
	*out = d->ctr;
	pthread_mutex_unlock(&d->mu);
	out->ncus = d->xb ? d->xb->ncus : 0;
	return LF_OK;
}

/* xrtDeviceHandle / xrtBufferHandle, borrowed (lf_context_native_handle,
 * lf_tensor_native_handle in layerfab.h). */
static lf_status xrt_native(lf_dev *dev, lf_bo *bo, uint32_t kind, void **out)
{
	if (!bo && kind == LF_NATIVE_XRT_DEVICE) {
		*out = xdev(dev)->dh;
		return LF_OK;
	}
	if (bo && kind == LF_NATIVE_XRT_BO) {
		*out = xbo(bo)->bh;
		return LF_OK;
	}
	return lf__drv_error(LF_ERR_INVALID_ARG,
			     "xrt: native handle kind %u is not the %s kind "
			     "(%s)",
			     kind, bo ? "buffer" : "device",
			     bo ? "LF_NATIVE_XRT_BO" : "LF_NATIVE_XRT_DEVICE");
}

const struct lf_backend_ops lf__xrt_backend = {
    .name = "xrt",
    .enumerate = xrt_enumerate,
    .open = xrt_open,
    .close = xrt_close,
    .load_xclbin = lf__xrt_load_xclbin,
    .query = xrt_query,
    .bo_alloc = lf__xrt_bo_alloc,
    .bo_free = lf__xrt_bo_free,
    .bo_map = lf__xrt_bo_map,
    .bo_sync = lf__xrt_bo_sync,
    .run_start = lf__xrt_run_start,
    .run_wait = lf__xrt_run_wait,
    .run_free = lf__xrt_run_free,
    .cu_abort = lf__xrt_cu_abort,
    .counters = xrt_counters,
    .native = xrt_native,
};

pid_t lf__xrt_device_pid(lf_dev *dev)
{
	if (!dev || dev->ops != &lf__xrt_backend)
		return -1;
	return lf__xrt_swemu_pid(xdev(dev));
}

/*
 * Registration. driver/core/registry.c registers the built-in backends it
 * knows; until it lists this one, the backend registers itself when the
 * library is loaded. (From a static library the object is linked only if
 * something references lf__xrt_backend; the shared library always has
 * it.)
 */
__attribute__((constructor)) static void xrt_register(void)
{
	lf_status st = lf__backend_register(&lf__xrt_backend);

	if (st != LF_OK && st != LF_ERR_BUSY)
		fprintf(stderr, "layerfab: %s\n", lf__drv_last_error());
}
