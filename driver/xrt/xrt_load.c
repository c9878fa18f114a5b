/*
 * xrt_load.c - programming the device: xrtDeviceLoadXclbin, the UUID
 * check after it, one kernel handle per CU, and each argument's bank.
 *
 * Shell matching. A card refuses an xclbin built for another shell (XRT
 * compares the xclbin's interface UUIDs with the shell's; the error only
 * says "see dmesg"), so a failed load is reported as LF_ERR_BAD_FILE
 * naming the xclbin's platform (m_platformVBNV) and the card's shell
 * (xclGetDeviceInfo2 mName); the two strings are not compared before the
 * load, because a card's shell name and an xclbin's platform name are
 * spelled differently even when they match. XRT's software emulation
 * checks nothing, so there the backend compares the xclbin's platform
 * with the emulated device's name (emconfig.json "Name") and refuses a
 * mismatch itself, as the card would.
 *
 * CUs. xrtPLKernelOpen(dev, uuid, "kernel") may run a start on any CU of
 * the kernel; the driver interface starts runs on one given CU, so each
 * CU gets its own handle, opened with XRT's CU selection syntax
 * "kernel:{instance}".
 *
 * Banks. A CU argument's bank is what xrtKernelArgGroupId says (XRT reads
 * CONNECTIVITY and MEM_TOPOLOGY itself); it is what lf__dev_arg_bank()
 * reports and what xrt_run.c checks buffers against.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/xrt/xrt_impl.h"

void lf__xrt_close_kernels(struct xrt_dev *d)
{
	for (uint32_t i = 0; i < LF_DRV_MAX_CUS; i++) {
		if (d->kh[i])
			lf__xrt.xrtKernelClose(d->kh[i]);
		d->kh[i] = NULL;
	}
}

static lf_status check_platform(const struct xrt_dev *d,
				const struct lf_xclbin *xb)
{
	if (!d->emulation || !xb->platform[0] ||
	    strcmp(xb->platform, d->name) == 0)
		return LF_OK;
	return lf__drv_error(LF_ERR_BAD_FILE,
			     "xrt: the xclbin is built for platform '%s'; %s "
			     "emulates '%s' (a card refuses an xclbin for "
			     "another shell; name the platform in "
			     "emconfig.json's device \"Name\" to emulate it)",
			     xb->platform, d->where, d->name);
}

static lf_status load_failed(const struct xrt_dev *d,
			     const struct lf_xclbin *xb, int err)
{
	if (err == EBUSY)
		return lf__drv_error(LF_ERR_BUSY,
				     "xrt: %s is busy (another process holds "
				     "its xclbin?): xrtDeviceLoadXclbin: %s",
				     d->where, strerror(err));
	/* errno after a failed C API call is not reliable (XRT prints its
	 * own message). */
	if (d->emulation || strcmp(xb->platform, d->name) == 0)
		return lf__drv_error(
		    LF_ERR_BAD_FILE,
		    "xrt: %s refused the xclbin "
		    "(xrtDeviceLoadXclbin failed; XRT's "
		    "message%s says why)",
		    d->where,
		    d->emulation ? ", and the device process's," : "");
	return lf__drv_error(
	    LF_ERR_BAD_FILE,
	    "xrt: %s refused the xclbin: it is built for "
	    "platform '%s', the card runs shell '%s' "
	    "(xrtDeviceLoadXclbin failed; XRT's message and "
	    "the kernel log, dmesg, say more)",
	    d->where, xb->platform[0] ? xb->platform : "(none)", d->name);
}

static void fmt_uuid(const uint8_t *u, char *out, size_t cap)
{
	snprintf(out, cap,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

static lf_status check_uuid(const struct xrt_dev *d, const struct lf_xclbin *xb,
			    uint8_t uuid[16])
{
	char want[40], got[40];

	if (lf__xrt.xrtDeviceGetXclbinUUID(d->dh, uuid) != 0)
		return lf__drv_error(LF_ERR_DEVICE,
				     "xrt: %s: xrtDeviceGetXclbinUUID failed "
				     "after the load",
				     d->where);
	if (memcmp(uuid, xb->uuid, 16) == 0)
		return LF_OK;
	fmt_uuid(xb->uuid, want, sizeof(want));
	fmt_uuid(uuid, got, sizeof(got));
	return lf__drv_error(LF_ERR_DEVICE,
			     "xrt: %s reports xclbin %s after loading %s",
			     d->where, got, want);
}

/* One kernel handle per CU and the bank of each of its arguments. */
static lf_status open_cus(struct xrt_dev *d, const struct lf_xclbin *xb,
			  const uint8_t uuid[16])
{
	for (uint32_t c = 0; c < xb->ncus; c++) {
		const struct lf_xclbin_kernel *k =
		    &xb->kernels[xb->cus[c].kernel];
		const char *inst = strchr(xb->cus[c].name, ':');
		char name[LF_XCLBIN_NAME_MAX * 2 + 4];

		snprintf(name, sizeof(name), "%s:{%s}", k->name,
			 inst ? inst + 1 : xb->cus[c].name);
		d->kh[c] = lf__xrt.xrtPLKernelOpen(d->dh, uuid, name);
		if (!d->kh[c])
			return lf__drv_error(LF_ERR_DEVICE,
					     "xrt: %s: xrtPLKernelOpen(\"%s\") "
					     "failed: %s",
					     d->where, name, strerror(errno));
		for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++)
			d->arg_bank[c][a] = LF_DRV_NO_BANK;
		for (uint32_t a = 0; a < k->nargs; a++) {
			const struct lf_xclbin_arg *arg = &k->args[a];
			int g;

			if (!arg->is_global || arg->id >= LF_DRV_MAX_ARGS)
				continue;
			g = lf__xrt.xrtKernelArgGroupId(d->kh[c], (int)arg->id);
			if (g < 0)
				return lf__drv_error(LF_ERR_DEVICE,
						     "xrt: CU '%s' argument %u "
						     "'%s': XRT knows no bank "
						     "for it",
						     xb->cus[c].name, arg->id,
						     arg->name);
			d->arg_bank[c][arg->id] = (uint32_t)g;
		}
	}
	return LF_OK;
}

/* A copy of the parsed xclbin without the file image. */
static struct lf_xclbin *copy_xclbin(const struct lf_xclbin *xb)
{
	struct lf_xclbin *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	memcpy(c, xb, sizeof(*c));
	c->image = NULL;
	c->image_size = 0;
	c->bitstream = NULL;
	c->bitstream_size = 0;
	return c;
}

lf_status lf__xrt_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb)
{
	struct xrt_dev *d = xdev(dev);
	struct lf__xrt_sigsave saved;
	struct lf__xrt_keeper keeper;
	struct lf__xrt_sigguard g;
	struct lf_xclbin *copy;
	uint8_t uuid[16];
	lf_status st;
	int rc, err;

	if ((st = lf__xrt_check_lost(d, "xclbin load")) != LF_OK ||
	    (st = check_platform(d, xb)) != LF_OK)
		return st;
	if (!xb->image || xb->image_size < sizeof(struct axlf))
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "xrt: the parsed xclbin carries no file "
				     "image to hand to XRT");
	copy = copy_xclbin(xb);
	if (!copy)
		return lf__drv_error(LF_ERR_NO_MEMORY, "xrt: out of memory");
	/* From here the old program is gone, whatever happens. */
	lf__xrt_close_kernels(d);
	lf__xclbin_free(d->xb);
	d->xb = NULL;
	lf__xrt_sig_begin(d->emulation, &g);
	lf__xrt_signals_save(&saved);
	lf__xrt_keeper_open(d, &keeper);
	errno = 0;
	rc = lf__xrt.xrtDeviceLoadXclbin(d->dh, (const struct axlf *)xb->image);
	err = errno;
	if (d->emulation)
		lf__xrt_signals_restore(&saved);
	st = lf__xrt_keeper_close(d, &keeper, rc == 0);
	if (rc != 0)
		st = load_failed(d, xb, err);
	if (st == LF_OK)
		st = check_uuid(d, xb, uuid);
	if (st == LF_OK)
		st = open_cus(d, copy, uuid);
	lf__xrt_sig_end(&g);
	if (st != LF_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
		lf__xrt_close_kernels(d);
		free(copy);
		return lf__drv_error(st, "%s", msg);
	}
	d->xb = copy;
	return LF_OK;
}
