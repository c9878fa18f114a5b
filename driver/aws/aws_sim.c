/*
 * aws_sim.c - "aws:sim": the layerfab F2 Custom Logic emulated in this
 * process, behind the same BAR0/BAR4 accessors a card has, so the backend
 * above the bus (aws_backend.c, aws_mem.c, aws_run.c) runs unchanged.
 *
 * The CL is the emulator's device core (driver/emu/emu.h), programmed with
 * the description (whose BITSTREAM section carries the host-C kernels):
 *   - BAR0 (OCL): the identity block at 0, and per CU an HLS s_axilite
 *     register file at its IP_LAYOUT base with the ap_ctrl_hs handshake,
 *     as driver/xrt/devproc/devproc_cu.c answers XRT's shim: a write of
 *     ap_start starts lf__emu_run_start with each argument read from its
 *     register; while the run is pending the control word reads ap_start;
 *     the first read after it ends returns ap_done | ap_idle and clears
 *     ap_done, later reads ap_idle. A start the device core refuses (an
 *     address outside the banks) reads done at once: the kernel did not
 *     run, its descriptors stay LF_KST_PENDING.
 *   - BAR4 (PCIS): each bank one allocation of the device core over its
 *     whole (capped) size, accessed with lf__emu_mem_bus; the status page
 *     at the top reads AWS_CL_MAGIC; other addresses read all-ones and
 *     drop writes.
 * Faults (lf__dev_fault): LF_FAULT_DMA_FAIL makes the nth PCIS transfer
 * time out as the shell times one out (reads all-ones, writes dropped)
 * and opens the shell's 4 ms moderation window, in which every PCIS
 * access does the same; LF_FAULT_CU_HANG is the device core's (the run
 * never sets ap_done); LF_FAULT_DEVICE_LOST makes every access from the
 * nth PCIS transfer or CU start on read all-ones (the AFI was cleared).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/aws/aws_impl.h"
#include "driver/emu/emu.h"

#define SIM_REGS	128	   /* 32-bit registers per CU register file */
#define SIM_MODERATE_NS 4000000ull /* the shell's 4 ms after a timeout */

struct sim_cu {
	uint64_t base;
	uint32_t kernel;
	uint32_t regs[SIM_REGS];
	lf_emu_run *run;
	int done;
};

struct aws_sim {
	struct aws_bus bus;
	pthread_mutex_t mu;
	lf_emu *emu;
	struct lf_xclbin *xb; /* kernels' register maps (no image) */
	int programmed;
	uint32_t desc_id;
	uint32_t ncus;
	struct sim_cu cus[LF_DRV_MAX_CUS];
	uint32_t nwin;
	uint64_t win[LF_DRV_MAX_MEMS]; /* bank allocations, by address */
	/* faults */
	uint32_t pcis_fail_in, lost_in; /* countdowns, 0: disarmed */
	int lost;
	uint64_t moderate_until;
};

/* The profile the device core is created with: banks of the aws-f2-hdk
 * description (xclbin_platform.c). The PCIe figures are unused: BAR
 * accesses are not modeled DMA. */
static const struct lf_emu_profile sim_profile = {
    AWS_CL_PLATFORM, "layerfab F2 CL, emulated", 0, 0};

static struct aws_sim *sim_of(struct aws_bus *b)
{
	return lf__container_of(b, struct aws_sim, bus);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Count a device operation for LF_FAULT_DEVICE_LOST. With s->mu. */
static void tick_lost(struct aws_sim *s)
{
	if (s->lost_in && --s->lost_in == 0)
		s->lost = 1;
}

static struct sim_cu *cu_at(struct aws_sim *s, uint64_t off, uint32_t *reg)
{
	for (uint32_t i = 0; i < s->ncus; i++)
		if (off >= s->cus[i].base &&
		    off - s->cus[i].base < AWS_CU_SPAN) {
			*reg = (uint32_t)((off - s->cus[i].base) / 4);
			return &s->cus[i];
		}
	return NULL;
}

/* The control word, advancing the handshake. With s->mu. */
static uint32_t control(struct aws_sim *s, struct sim_cu *c)
{
	if (c->run) {
		if (lf__emu_run_wait(s->emu, c->run, 0) == LF_ERR_TIMEOUT)
			return AWS_AP_START;
		lf__emu_run_free(s->emu, c->run);
		c->run = NULL;
		c->done = 1;
	}
	if (c->done) {
		c->done = 0;
		return AWS_AP_DONE | AWS_AP_IDLE;
	}
	return AWS_AP_IDLE;
}

static uint32_t sim_ocl_read32(struct aws_bus *b, uint64_t off)
{
	struct aws_sim *s = sim_of(b);
	struct sim_cu *c;
	uint32_t reg = 0, v = AWS_ALL_ONES;

	pthread_mutex_lock(&s->mu);
	if (s->lost || !s->programmed || off % 4)
		goto out;
	switch (off) {
	case AWS_ID_MAGIC:
		v = AWS_CL_MAGIC;
		goto out;
	case AWS_ID_VERSION:
		v = AWS_CL_VERSION;
		goto out;
	case AWS_ID_NCUS:
		v = s->ncus;
		goto out;
	case AWS_ID_DESC:
		v = s->desc_id;
		goto out;
	}
	c = cu_at(s, off, &reg);
	if (!c)
		goto out;
	if (reg == 0)
		v = control(s, c);
	else
		v = reg < SIM_REGS ? c->regs[reg] : 0;
out:
	pthread_mutex_unlock(&s->mu);
	return v;
}

/* ap_start: run the kernel on the register values. With s->mu. */
static void start(struct aws_sim *s, struct sim_cu *c)
{
	const struct lf_xclbin_kernel *k = &s->xb->kernels[c->kernel];
	uint64_t argv[LF_XCLBIN_MAX_ARGS] = {0};

	tick_lost(s);
	if (c->run || s->lost)
		return; /* a busy HLS block ignores ap_start */
	for (uint32_t i = 0; i < k->nargs; i++) {
		const struct lf_xclbin_arg *a = &k->args[i];
		uint32_t w = a->offset / 4;

		if (a->id >= LF_XCLBIN_MAX_ARGS || w + 1 >= SIM_REGS)
			continue;
		argv[a->id] = c->regs[w];
		if (a->size > 4)
			argv[a->id] |= (uint64_t)c->regs[w + 1] << 32;
	}
	if (lf__emu_run_start(s->emu, (uint32_t)(c - s->cus), argv, k->nargs,
			      &c->run) != LF_OK) {
		c->run = NULL;
		c->done = 1;
	}
}

static void sim_ocl_write32(struct aws_bus *b, uint64_t off, uint32_t v)
{
	struct aws_sim *s = sim_of(b);
	struct sim_cu *c;
	uint32_t reg = 0;

	pthread_mutex_lock(&s->mu);
	if (s->lost || !s->programmed || off % 4)
		goto out;
	c = cu_at(s, off, &reg);
	if (!c || reg >= SIM_REGS)
		goto out;
	c->regs[reg] = v;
	if (reg == 0 && (v & AWS_AP_START))
		start(s, c);
out:
	pthread_mutex_unlock(&s->mu);
}

/*
 * One PCIS transfer: 1 if it completes, 0 if the shell times it out (an
 * injected timeout, the moderation window after one, or a lost CL).
 * With s->mu.
 */
static int pcis_ok(struct aws_sim *s)
{
	uint64_t t = now_ns();

	tick_lost(s);
	if (s->lost || !s->programmed || t < s->moderate_until)
		return 0;
	if (s->pcis_fail_in && --s->pcis_fail_in == 0) {
		s->moderate_until = t + SIM_MODERATE_NS;
		return 0;
	}
	return 1;
}

static void sim_pcis_write(struct aws_bus *b, uint64_t addr, const void *src,
			   uint64_t n)
{
	struct aws_sim *s = sim_of(b);

	pthread_mutex_lock(&s->mu);
	if (pcis_ok(s) && addr < AWS_PCIS_STATUS)
		(void)lf__emu_mem_bus(s->emu, LF_SYNC_TO_DEVICE, addr,
				      (void *)src, n);
	pthread_mutex_unlock(&s->mu);
}

static void sim_pcis_read(struct aws_bus *b, uint64_t addr, void *dst,
			  uint64_t n)
{
	struct aws_sim *s = sim_of(b);
	int ok;

	pthread_mutex_lock(&s->mu);
	/* The status-page read that ends every transfer is a PCIS access
	 * too, but not one the fault countdown counts. */
	if (addr >= AWS_PCIS_STATUS)
		ok = !s->lost && s->programmed && now_ns() >= s->moderate_until;
	else
		ok = pcis_ok(s);
	memset(dst, 0xff, (size_t)n);
	if (ok && addr >= AWS_PCIS_STATUS) {
		uint32_t magic = AWS_CL_MAGIC;

		memset(dst, 0, (size_t)n);
		memcpy(dst, &magic, n < 4 ? (size_t)n : 4);
	} else if (ok && lf__emu_mem_bus(s->emu, LF_SYNC_FROM_DEVICE, addr, dst,
					 n) != LF_OK) {
		memset(dst, 0xff, (size_t)n); /* decode error */
	}
	pthread_mutex_unlock(&s->mu);
}

/* Release the emulated CL's runs and bank allocations. With s->mu. */
static void unprogram(struct aws_sim *s)
{
	for (uint32_t i = 0; i < s->ncus; i++) {
		struct sim_cu *c = &s->cus[i];

		if (c->run) {
			lf__emu_cu_abort(s->emu, i);
			lf__emu_run_wait(s->emu, c->run, LF_DRV_WAIT_FOREVER);
			lf__emu_run_free(s->emu, c->run);
		}
	}
	for (uint32_t i = 0; i < s->nwin; i++)
		lf__emu_mem_free(s->emu, s->win[i]);
	s->nwin = 0;
	s->ncus = 0;
	memset(s->cus, 0, sizeof(s->cus));
	free(s->xb);
	s->xb = NULL;
	s->programmed = 0;
}

static lf_status sim_program(struct aws_bus *b, const struct lf_xclbin *xb)
{
	struct aws_sim *s = sim_of(b);
	struct lf_dev_props *p = calloc(1, sizeof(*p));
	lf_status st;

	if (!p)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws:sim: out of host memory");
	pthread_mutex_lock(&s->mu);
	unprogram(s);
	s->xb = malloc(sizeof(*s->xb));
	if (!s->xb) {
		st = lf__drv_error(LF_ERR_NO_MEMORY,
				   "aws:sim: out of host memory");
		goto out;
	}
	memcpy(s->xb, xb, sizeof(*xb));
	s->xb->image = NULL;
	s->xb->bitstream = NULL;
	st = lf__emu_load(s->emu, xb, NULL);
	if (st == LF_OK)
		st = lf__emu_props(s->emu, p);
	for (uint32_t m = 0; st == LF_OK && m < p->nmems; m++) {
		if (!p->mems[m].usable)
			continue;
		st = lf__emu_mem_alloc_at(s->emu, p->mems[m].base,
					  p->mems[m].size);
		if (st == LF_OK)
			s->win[s->nwin++] = p->mems[m].base;
	}
	if (st != LF_OK) {
		unprogram(s);
		goto out;
	}
	s->ncus = xb->ncus;
	for (uint32_t i = 0; i < xb->ncus; i++) {
		s->cus[i].base = xb->cus[i].base;
		s->cus[i].kernel = xb->cus[i].kernel;
	}
	s->desc_id = (uint32_t)xb->uuid[0] | (uint32_t)xb->uuid[1] << 8 |
		     (uint32_t)xb->uuid[2] << 16 | (uint32_t)xb->uuid[3] << 24;
	s->programmed = 1;
out:
	pthread_mutex_unlock(&s->mu);
	free(p);
	return st;
}

static lf_status sim_cu_abort(struct aws_bus *b, uint32_t cu)
{
	struct aws_sim *s = sim_of(b);
	lf_status st;

	pthread_mutex_lock(&s->mu);
	st = cu < s->ncus ? lf__emu_cu_abort(s->emu, cu) : LF_ERR_INVALID_ARG;
	pthread_mutex_unlock(&s->mu);
	return st;
}

static lf_status sim_fault(struct aws_bus *b, const struct lf_fault *f)
{
	struct aws_sim *s = sim_of(b);
	uint32_t nth = f->nth ? f->nth : 1;

	switch (f->kind) {
	case LF_FAULT_NONE:
		s->pcis_fail_in = 0;
		s->lost_in = 0;
		s->moderate_until = 0;
		return lf__emu_fault(s->emu, f);
	case LF_FAULT_DMA_FAIL:
		pthread_mutex_lock(&s->mu);
		s->pcis_fail_in = nth;
		pthread_mutex_unlock(&s->mu);
		return LF_OK;
	case LF_FAULT_DEVICE_LOST:
		pthread_mutex_lock(&s->mu);
		s->lost_in = nth;
		pthread_mutex_unlock(&s->mu);
		return LF_OK;
	case LF_FAULT_CU_HANG:
	case LF_FAULT_STATUS_CORRUPT:
		return lf__emu_fault(s->emu, f);
	default:
		return lf__drv_error(LF_ERR_UNSUPPORTED,
				     "aws:sim: fault kind %d is not a bus "
				     "fault (PCIS timeout, CU hang, lost CL "
				     "are)",
				     (int)f->kind);
	}
}

static void sim_close(struct aws_bus *b)
{
	struct aws_sim *s = sim_of(b);

	pthread_mutex_lock(&s->mu);
	unprogram(s);
	pthread_mutex_unlock(&s->mu);
	lf__emu_destroy(s->emu);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static const struct aws_bus_ops sim_ops = {
    .ocl_read32 = sim_ocl_read32,
    .ocl_write32 = sim_ocl_write32,
    .pcis_write = sim_pcis_write,
    .pcis_read = sim_pcis_read,
    .program = sim_program,
    .close = sim_close,
    .cu_abort = sim_cu_abort,
    .fault = sim_fault,
};

lf_status lf__aws_sim_open(const struct lf_dev_spec *spec, struct aws_bus **out)
{
	struct lf_emu_config cfg;
	struct aws_sim *s;
	uint64_t cap = 1ull << 30;
	lf_status st;

	for (uint32_t i = 0; i < spec->nopts; i++)
		if (strcmp(spec->opts[i].key, "bank_size") != 0)
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "aws:sim: unknown option '%s' "
					     "(known: bank_size)",
					     spec->opts[i].key);
	st = lf__dev_spec_opt_u64(spec, "bank_size", &cap);
	if (st != LF_OK && st != LF_ERR_NOT_FOUND)
		return st;
	s = calloc(1, sizeof(*s));
	if (!s)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws:sim: out of host memory");
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws:sim: cannot create a mutex");
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = &sim_profile;
	cfg.bank_size = cap;
	cfg.launch_ns = LF_EMU_DEFAULT;
	cfg.dma_setup_ns = LF_EMU_DEFAULT;
	cfg.trust_xclbin = spec->trust_xclbin;
	st = lf__emu_create(&cfg, &s->emu);
	if (st != LF_OK) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return st;
	}
	s->bus.ops = &sim_ops;
	*out = &s->bus;
	return LF_OK;
}
