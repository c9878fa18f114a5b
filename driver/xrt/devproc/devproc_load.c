/*
 * devproc_load.c - turning what xclLoadBitstream sends into a program for
 * the device core.
 *
 * The shim does not send the xclbin: only the path of its
 * EMBEDDED_METADATA (XML) dump, the path of its BITSTREAM dump (our
 * kernels' shared object), the emconfig device name and the bank sizes of
 * emconfig.json. So the program is rebuilt from those: the XML is wrapped
 * in a one-section xclbin and parsed by the project's reader (kernels,
 * arguments with their register offsets, CUs from <instance><addrRemap>,
 * as XRT does in sw_emu), the banks come from ddrbanks laid out back to
 * back from address 0 (as the shim's memory managers lay them out), and
 * the kernel code is dlopened by the device core from the BITSTREAM dump.
 *
 * CONNECTIVITY is not sent either, so every pointer port is given every
 * bank here. Which bank a buffer must be in is decided on the host, by
 * XRT (xrtKernelArgGroupId) and checked by layerfab's XRT backend before
 * a run starts (driver/xrt/xrt_run.c), as a card does not check it at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xrt/xclbin.h>

#include "driver/xrt/devproc/devproc.h"

/* Read a whole file; NULL on error (logged). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		dp_log("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	if (!buf)
		dp_log("cannot read %s", path);
	return buf;
}

/* The name="" of the XML's <platform> element (the platform VBNV v++ and
 * lf-xclbin write there), or "" when there is none. */
static void xml_platform(const char *xml, char *out, size_t cap)
{
	const char *p = strstr(xml, "<platform ");
	const char *end = p ? strchr(p, '>') : NULL;
	const char *n = p ? strstr(p, " name=\"") : NULL;
	const char *q;

	out[0] = '\0';
	if (!n || n > end)
		return;
	n += 7;
	q = strchr(n, '"');
	if (q && q < end && (size_t)(q - n) < cap) {
		memcpy(out, n, (size_t)(q - n));
		out[q - n] = '\0';
	}
}

/* The emulated platform whose VBNV is @name (the emconfig device name the
 * harness writes), or NULL. */
static const struct lf_emu_profile *profile_named(const char *name)
{
	for (uint32_t i = 0; i < lf__emu_profile_count(); i++) {
		const struct lf_emu_profile *p = lf__emu_profile_get(i);
		const struct lf_xclbin_platform *pf =
		    lf__xclbin_platform_find(p->name);

		if (pf && strcmp(pf->vbnv, name) == 0)
			return p;
	}
	return NULL;
}

lf_status dp_emu_get(struct dp *d, const char *devicename)
{
	struct lf_emu_config cfg;
	lf_status st;

	if (d->emu)
		return LF_OK;
	memset(&cfg, 0, sizeof(cfg));
	cfg.launch_ns = LF_EMU_DEFAULT;
	cfg.dma_setup_ns = LF_EMU_DEFAULT;
	cfg.profile = devicename ? profile_named(devicename) : NULL;
	if (!cfg.profile && lf__emu_profile_find("aws-f1", &cfg.profile))
		return LF_ERR_INTERNAL;
	st = lf__emu_create(&cfg, &d->emu);
	if (st != LF_OK)
		dp_log("cannot create the device: %s", lf__drv_last_error());
	return st;
}

void dp_drop_program(struct dp *d)
{
	/* Destroying the core aborts runs and frees device memory. */
	lf__emu_destroy(d->emu);
	d->emu = NULL;
	dp_free_all(d);
	free(d->cus);
	d->cus = NULL;
	d->ncus = 0;
	lf__xclbin_free(d->xb);
	d->xb = NULL;
}

/* Parse the XML as the EMBEDDED_METADATA of a one-section xclbin. */
static struct lf_xclbin *parse_xml(const char *xml, size_t len,
				   const char *vbnv)
{
	struct lf_xclbin_section sec = {EMBEDDED_METADATA, "", xml, len};
	struct lf_xclbin_pack_info info = {XCLBIN_SW_EMU, vbnv, NULL, 0};
	struct lf_xclbin *xb = NULL;
	uint8_t *img = NULL;
	size_t img_len = 0;
	char err[256] = "";

	if (lf__xclbin_pack(&info, &sec, 1, &img, &img_len, err, sizeof(err)) ==
		LF_OK &&
	    lf__xclbin_parse(img, img_len, &xb, err, sizeof(err)) == LF_OK) {
		free(img);
		return xb;
	}
	free(img);
	dp_log("the kernel metadata cannot be used: %s", err);
	return NULL;
}

/* Banks back to back from 0; every pointer port reaches every bank. */
static void add_banks(struct lf_xclbin *xb, const uint64_t *banks,
		      uint32_t nbanks)
{
	uint64_t base = 0;

	xb->nmems = nbanks;
	for (uint32_t i = 0; i < nbanks; i++) {
		struct lf_xclbin_mem *m = &xb->mems[i];

		memset(m, 0, sizeof(*m));
		snprintf(m->tag, sizeof(m->tag), "bank%u", i);
		m->type = LF_MEM_DDR4;
		m->used = 1;
		m->base = base;
		m->size = banks[i];
		base += banks[i];
	}
	xb->nconn = 0;
	for (uint32_t c = 0; c < xb->ncus; c++) {
		const struct lf_xclbin_kernel *k =
		    &xb->kernels[xb->cus[c].kernel];

		for (uint32_t a = 0; a < k->nargs; a++) {
			for (uint32_t b = 0; k->args[a].is_global && b < nbanks;
			     b++) {
				if (xb->nconn == LF_XCLBIN_MAX_CONN)
					return;
				xb->conn[xb->nconn++] = (struct lf_xclbin_conn){
				    k->args[a].id, c, b};
			}
		}
	}
}

static int install(struct dp *d, struct lf_xclbin *xb, const char *so_path)
{
	lf_status st = lf__emu_load(d->emu, xb, so_path);

	if (st == LF_ERR_BUSY) {
		/* The shim always closes the old program first; if it did
		 * not, start from a fresh device rather than refuse. */
		const struct lf_emu_profile *p = NULL;
		struct lf_emu_config cfg;

		dp_log("loading over a busy program; the old one is dropped");
		lf__emu_destroy(d->emu);
		d->emu = NULL;
		dp_free_all(d);
		memset(&cfg, 0, sizeof(cfg));
		cfg.launch_ns = cfg.dma_setup_ns = LF_EMU_DEFAULT;
		if (lf__emu_profile_find("aws-f1", &p) != LF_OK ||
		    (cfg.profile = p, lf__emu_create(&cfg, &d->emu)) != LF_OK)
			return -1;
		st = lf__emu_load(d->emu, xb, so_path);
	}
	if (st != LF_OK) {
		dp_log("xclLoadBitstream refused: %s", lf__drv_last_error());
		return -1;
	}
	return 0;
}

int dp_load(struct dp *d, const char *xml_path, const char *so_path,
	    const char *devicename, const uint64_t *banks, uint32_t nbanks)
{
	char vbnv[LF_XCLBIN_NAME_MAX * 2];
	struct lf_xclbin *xb;
	size_t len = 0;
	char *xml;
	int matched = profile_named(devicename) != NULL;

	if (nbanks > DP_MAX_BANKS) {
		dp_log("%u memory banks in emconfig.json; at most %u", nbanks,
		       DP_MAX_BANKS);
		return -1;
	}
	xml = slurp(xml_path, &len);
	if (!xml)
		return -1;
	xml_platform(xml, vbnv, sizeof(vbnv));
	/* Only when this device knows its platform can it refuse an xclbin
	 * built for another one (the device core compares the names). */
	xb = parse_xml(xml, len, matched ? vbnv : NULL);
	free(xml);
	if (!xb)
		return -1;
	if (nbanks)
		add_banks(xb, banks, nbanks);
	if (dp_emu_get(d, devicename) != LF_OK || install(d, xb, so_path)) {
		lf__xclbin_free(xb);
		return -1;
	}
	free(d->cus);
	d->cus = calloc(xb->ncus, sizeof(*d->cus));
	if (!d->cus) {
		lf__xclbin_free(xb);
		return -1;
	}
	d->ncus = xb->ncus;
	for (uint32_t i = 0; i < xb->ncus; i++) {
		d->cus[i].base = xb->cus[i].base;
		d->cus[i].kernel = xb->cus[i].kernel;
		d->cus[i].regs[0] = DP_AP_IDLE;
	}
	lf__xclbin_free(d->xb);
	d->xb = xb;
	if (d->hang_nth) {
		struct lf_fault f = {LF_FAULT_CU_HANG, d->hang_nth, -1};

		lf__emu_fault(d->emu, &f);
	}
	return 0;
}
