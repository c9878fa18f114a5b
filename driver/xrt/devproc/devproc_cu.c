/*
 * devproc_cu.c - compute units as the shim sees them: a register file per
 * CU at the base address of its <instance><addrRemap>, and the HLS
 * ap_ctrl_hs handshake on the control word at offset 0.
 *
 * What the shim's software scheduler does (XRT 2022.1, cpu_em/
 * generic_pcie_hal2/swscheduler.cxx; reference xrt-swemu.md, section 7):
 * for each start it writes the whole register map from offset 0 twice,
 * first with control word 0, then with AP_START; then it reads the control
 * word until AP_DONE or AP_IDLE is set. So:
 *   - a write that sets AP_START in the control word starts a run, with
 *     each kernel argument read from the register file at the offset and
 *     size the XML gives (a 64-bit pointer is two words, low first);
 *   - while the run is pending the control word reads AP_START (never
 *     IDLE: IDLE alone counts as done);
 *   - the first read after it completes returns AP_DONE | AP_IDLE and
 *     clears DONE (clear-on-read, as HLS does), later reads AP_IDLE.
 * A start the device core refuses (an address outside every buffer, ...)
 * is logged and reported done at once: the kernel did not run, its
 * descriptors stay LF_KST_PENDING, and the host is not left waiting.
 */
#include <string.h>

#include "driver/xrt/devproc/devproc.h"

/* The CU whose register range holds @addr, and the offset in it. */
static struct dp_cu *cu_at(struct dp *d, uint64_t addr, uint64_t *off)
{
	struct dp_cu *best = NULL;

	for (uint32_t i = 0; i < d->ncus; i++) {
		struct dp_cu *c = &d->cus[i];

		if (addr >= c->base && addr - c->base < DP_CU_SPAN &&
		    (!best || c->base > best->base))
			best = c;
	}
	if (best)
		*off = addr - best->base;
	return best;
}

static void start(struct dp *d, struct dp_cu *c)
{
	const struct lf_xclbin_kernel *k = &d->xb->kernels[c->kernel];
	uint64_t argv[LF_XCLBIN_MAX_ARGS] = {0};
	uint32_t idx = (uint32_t)(c - d->cus);

	if (c->run) {
		dp_log("CU %s: AP_START while a run is pending; ignored",
		       d->xb->cus[idx].name);
		return;
	}
	for (uint32_t i = 0; i < k->nargs; i++) {
		const struct lf_xclbin_arg *a = &k->args[i];
		uint32_t w = a->offset / 4;

		if (a->id >= LF_XCLBIN_MAX_ARGS || w + 1 >= DP_REG_WORDS)
			continue;
		argv[a->id] = c->regs[w];
		if (a->size > 4)
			argv[a->id] |= (uint64_t)c->regs[w + 1] << 32;
	}
	c->start_ms = dp_now_ms();
	if (lf__emu_run_start(d->emu, idx, argv, k->nargs, &c->run) != LF_OK) {
		dp_log("CU %s: the start was refused: %s", d->xb->cus[idx].name,
		       lf__drv_last_error());
		c->run = NULL;
		c->done = 1;
	}
}

void dp_ctrl_write(struct dp *d, uint64_t addr, const uint8_t *data,
		   uint32_t size)
{
	uint64_t off = 0;
	struct dp_cu *c = cu_at(d, addr, &off);

	if (!c || !d->emu) {
		dp_log("register write of %u bytes at 0x%llx: no CU there",
		       size, (unsigned long long)addr);
		return;
	}
	for (uint32_t i = 0; i < size; i++) {
		uint64_t b = off + i;

		if (b / 4 >= DP_REG_WORDS)
			break;
		c->regs[b / 4] &= ~(0xffu << (8 * (b % 4)));
		c->regs[b / 4] |= (uint32_t)data[i] << (8 * (b % 4));
	}
	if (off == 0 && size > 0 && (c->regs[0] & DP_AP_START))
		start(d, c);
}

/* The control word, advancing the handshake (see the top of the file). */
static uint32_t control(struct dp *d, struct dp_cu *c)
{
	if (c->run) {
		lf_status st = lf__emu_run_wait(d->emu, c->run, 0);

		if (st == LF_ERR_TIMEOUT ||
		    (d->slow_ms && dp_now_ms() - c->start_ms < d->slow_ms))
			return DP_AP_START;
		if (st != LF_OK)
			dp_log("CU run ended with %s: %s",
			       lf__drv_status_name(st), lf__drv_last_error());
		lf__emu_run_free(d->emu, c->run);
		c->run = NULL;
		c->done = 1;
	}
	if (c->done) {
		c->done = 0;
		return DP_AP_DONE | DP_AP_IDLE;
	}
	return DP_AP_IDLE;
}

void dp_ctrl_read(struct dp *d, uint64_t addr, uint8_t *data, uint32_t size)
{
	uint64_t off = 0;
	struct dp_cu *c = cu_at(d, addr, &off);

	memset(data, 0, size);
	if (!c)
		return;
	if (off == 0 && d->emu)
		c->regs[0] = control(d, c);
	for (uint32_t i = 0; i < size; i++) {
		uint64_t b = off + i;

		if (b / 4 >= DP_REG_WORDS)
			break;
		data[i] = (uint8_t)(c->regs[b / 4] >> (8 * (b % 4)));
	}
}
