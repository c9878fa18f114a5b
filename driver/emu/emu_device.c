/*
 * emu_device.c - an emulated card's life: create, program, reset,
 * describe, destroy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu_impl.h"

#define EMU_TIMELINE_CAP_MAX (1u << 24)

lf_status lf__emu_create(const struct lf_emu_config *cfg, lf_emu **out)
{
	const struct lf_xclbin_platform *pf;
	pthread_condattr_t ca;
	lf_emu *e;

	if (!cfg || !cfg->profile || !out)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__emu_create: NULL argument");
	if (cfg->timeline_cap > EMU_TIMELINE_CAP_MAX || cfg->h2d_bps < 0 ||
	    cfg->d2h_bps < 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "emu: timeline capacity above %u or a "
				     "negative bandwidth",
				     EMU_TIMELINE_CAP_MAX);
	pf = lf__xclbin_platform_find(cfg->profile->name);
	if (!pf || pf->nbanks == 0)
		return lf__drv_error(
		    LF_ERR_INTERNAL,
		    "emu: profile '%s' has no xclbin platform "
		    "profile (driver/xclbin/xclbin_platform.c)",
		    cfg->profile->name);
	e = calloc(1, sizeof(*e));
	if (!e)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	e->cfg = *cfg;
	e->profile = cfg->profile;
	e->platform = pf;
	e->ring_cap =
	    cfg->timeline_cap ? cfg->timeline_cap : LF_EMU_TIMELINE_CAP;
	e->ring = calloc(e->ring_cap, sizeof(*e->ring));
	if (!e->ring) {
		free(e);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	}
	pthread_mutex_init(&e->mu, NULL);
	/* Waits with a timeout measure it on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->done_cv, &ca);
	pthread_cond_init(&e->sync_cv, NULL);
	pthread_condattr_destroy(&ca);
	lf__emu_banks_from_profile(e);
	e->setup_ns = cfg->dma_setup_ns == LF_EMU_DEFAULT ? LF_EMU_DMA_SETUP_NS
							  : cfg->dma_setup_ns;
	e->launch_ns = cfg->launch_ns == LF_EMU_DEFAULT ? LF_EMU_LAUNCH_NS
							: cfg->launch_ns;
	e->h2d_bps = cfg->h2d_bps > 0 ? cfg->h2d_bps : e->profile->h2d_bps;
	e->d2h_bps = cfg->d2h_bps > 0 ? cfg->d2h_bps : e->profile->d2h_bps;
	e->faults.hang_cu = -1;
	*out = e;
	return LF_OK;
}

void lf__emu_destroy(lf_emu *e)
{
	if (!e)
		return;
	lf__emu_image_free(e, e->img);
	e->img = NULL;
	lf__emu_free_all(e);
	free(e->ring);
	pthread_cond_destroy(&e->done_cv);
	pthread_cond_destroy(&e->sync_cv);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* Anything that forbids replacing the xclbin (e->mu held). */
static lf_status check_idle(const lf_emu *e)
{
	if (e->lost)
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "emu: xclbin load: the device was lost");
	if (e->nallocs)
		return lf__drv_error(LF_ERR_BUSY,
				     "emu: cannot load an xclbin while %u "
				     "buffers are allocated",
				     e->nallocs);
	if (e->img)
		for (uint32_t i = 0; i < e->img->ncus; i++)
			if (e->img->cus[i].head || e->img->cus[i].running)
				return lf__drv_error(LF_ERR_BUSY,
						     "emu: cannot load an "
						     "xclbin while CU %u has "
						     "pending runs",
						     i);
	return LF_OK;
}

lf_status lf__emu_load(lf_emu *e, const struct lf_xclbin *xb,
		       const char *so_path)
{
	struct emu_image *img = NULL, *old = NULL;
	lf_status st;

	if (!e || !xb)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__emu_load: NULL argument");
	pthread_mutex_lock(&e->mu);
	st = check_idle(e);
	pthread_mutex_unlock(&e->mu);
	if (st != LF_OK)
		return st;
	st = lf__emu_image_build(e, xb, so_path, &img);
	if (st != LF_OK)
		return st;
	st = lf__emu_cus_start(e, img);
	if (st != LF_OK)
		goto fail;
	pthread_mutex_lock(&e->mu);
	st = check_idle(e); /* the caller raced us: keep the old image */
	if (st == LF_OK) {
		old = e->img;
		e->img = img;
		if (img->nbanks) {
			e->nbanks = img->nbanks;
			memcpy(e->banks, img->banks,
			       img->nbanks * sizeof(e->banks[0]));
		} else {
			lf__emu_banks_from_profile(e);
		}
	}
	pthread_mutex_unlock(&e->mu);
	if (st != LF_OK)
		goto fail;
	lf__emu_image_free(e, old);
	return LF_OK;
fail:
	lf__emu_image_free(e, img);
	return st;
}

lf_status lf__emu_reset(lf_emu *e)
{
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	if (e->lost) {
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "emu: reset: the device was lost (a lost "
				   "card needs a host reboot, not a reset)");
		goto out;
	}
	if (e->img)
		for (uint32_t i = 0; i < e->img->ncus; i++)
			lf__emu_cu_quiesce(e, &e->img->cus[i], LF_ERR_DEVICE,
					   "aborted by a device reset");
	memset(&e->faults, 0, sizeof(e->faults));
	e->faults.hang_cu = -1;
	st = lf__emu_zero_all(e);
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

lf_status lf__emu_props(lf_emu *e, struct lf_dev_props *p)
{
	const struct emu_image *img;

	pthread_mutex_lock(&e->mu);
	snprintf(p->backend, sizeof(p->backend), "emu");
	snprintf(p->name, sizeof(p->name), "%s", e->profile->name);
	p->nmems = e->nbanks;
	for (uint32_t i = 0; i < e->nbanks; i++) {
		memcpy(p->mems[i].tag, e->banks[i].tag, sizeof(p->mems[i].tag));
		p->mems[i].type = e->banks[i].type;
		p->mems[i].usable = e->banks[i].usable;
		p->mems[i].base = e->banks[i].base;
		p->mems[i].size = e->banks[i].size;
	}
	img = e->img;
	if (img) {
		const struct lf_xclbin *xb = img->xb;

		p->xclbin_loaded = 1;
		memcpy(p->xclbin_uuid, xb->uuid, sizeof(p->xclbin_uuid));
		memcpy(p->xclbin_platform, xb->platform,
		       sizeof(p->xclbin_platform));
		p->xclbin_platform[sizeof(p->xclbin_platform) - 1] = '\0';
		p->nkernels = xb->nkernels;
		memcpy(p->kernels, xb->kernels,
		       xb->nkernels * sizeof(p->kernels[0]));
		p->ncus = xb->ncus;
		/* Its CU threads run at once and meet at the kernels'
		 * barriers (emu_cu.c sync_wait), if the kernels have one. */
		p->cu_sync = img->sync_set != NULL && !e->cfg.no_cu_sync;
		for (uint32_t c = 0; c < xb->ncus; c++) {
			struct lf_dev_cu *d = &p->cus[c];

			memcpy(d->name, xb->cus[c].name, sizeof(d->name));
			d->kernel = xb->cus[c].kernel;
			d->base = xb->cus[c].base;
			for (uint32_t a = 0; a < LF_DRV_MAX_ARGS; a++) {
				d->arg_bank[a] = LF_DRV_NO_BANK;
				d->arg_reach[a] =
				    a < EMU_ABI_NARGS ? img->reach[c][a][0] : 0;
				for (uint32_t b = 0;
				     a < EMU_ABI_NARGS && b < e->nbanks; b++) {
					if ((img->reach[c][a][b / 64] >>
					     (b % 64)) &
					    1u) {
						d->arg_bank[a] = b;
						break;
					}
				}
			}
		}
		p->nlimits = xb->nlimits;
		memcpy(p->limits, xb->limits,
		       xb->nlimits * sizeof(p->limits[0]));
	}
	pthread_mutex_unlock(&e->mu);
	return LF_OK;
}

void lf__emu_counters(lf_emu *e, struct lf_dev_counters *out)
{
	pthread_mutex_lock(&e->mu);
	*out = e->ctr;
	out->ncus = e->img ? e->img->ncus : 0;
	for (uint32_t i = 0; i < out->ncus; i++)
		out->cu[i] = e->img->cus[i].ctr;
	pthread_mutex_unlock(&e->mu);
}
