/*
 * emu_fault.c - injected faults: each armed to fire at the nth occurrence
 * of its event, counted from when it was armed, then disarmed.
 *
 * What a fault does, and why it looks like this on a card:
 *   ALLOC        the allocation fails (LF_ERR_NO_DEVICE_MEMORY), as when
 *                the bank is fragmented or the driver refuses;
 *   DMA_FAIL     the transfer fails (LF_ERR_DMA) and moves nothing;
 *   DMA_CORRUPT  the transfer reports success with one byte flipped (the
 *                middle byte of the range, XOR 0xff): a silent corruption,
 *                which only an end-to-end check can catch;
 *   CU_HANG      the run never completes, so waits time out; abort or
 *                reset ends it (LF_ERR_DEVICE);
 *   DEVICE_LOST  the card falls off the bus: this call and every later
 *                one that touches the device fails with
 *                LF_ERR_DEVICE_LOST; pending runs end with it; freeing and
 *                closing still release everything.
 *   STATUS_CORRUPT the run completes without the kernel running (a lost
 *                start) and its last descriptor's status word reads
 *                LF_KST_OK without a nonce: what a pending word with its
 *                low bit flipped, or an OK left from an earlier run,
 *                looks like. Its outputs are whatever act held; only a
 *                host that checks the nonce's echo (lf_desc.h) sees it.
 */
#include <string.h>

#include "driver/emu/emu_impl.h"

static void lose_device(lf_emu *e)
{
	e->lost = 1;
	lf__emu_sync_break(e);
	if (e->img) {
		for (uint32_t i = 0; i < e->img->ncus; i++) {
			struct emu_cu *cu = &e->img->cus[i];

			lf__emu_abort_queue(e, cu, LF_ERR_DEVICE_LOST,
					    "the device was lost");
			if (cu->running && cu->running->hang) {
				cu->running->abort_req = 1;
				cu->running->abort_st = LF_ERR_DEVICE_LOST;
				cu->running->abort_why = "the device was lost";
				pthread_cond_broadcast(&cu->cv);
			}
		}
	}
	pthread_cond_broadcast(&e->done_cv);
}

int lf__emu_fault_tick(lf_emu *e, enum lf_fault_kind kind, int32_t cu)
{
	uint32_t *left = &e->faults.left[kind];

	if (*left == 0)
		return 0;
	if (kind == LF_FAULT_CU_HANG && e->faults.hang_cu >= 0 &&
	    e->faults.hang_cu != cu)
		return 0;
	if (--*left != 0)
		return 0;
	e->ctr.faults_fired++;
	return 1;
}

lf_status lf__emu_op_begin(lf_emu *e, const char *what)
{
	if (!e->lost && lf__emu_fault_tick(e, LF_FAULT_DEVICE_LOST, -1)) {
		lose_device(e);
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "emu: injected fault: the device was lost "
				     "during %s",
				     what);
	}
	if (e->lost)
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "emu: %s: the device was lost earlier",
				     what);
	return LF_OK;
}

lf_status lf__emu_fault(lf_emu *e, const struct lf_fault *f)
{
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	if (f->kind == LF_FAULT_NONE) {
		memset(&e->faults, 0, sizeof(e->faults));
	} else if (f->kind < LF_FAULT_ALLOC ||
		   f->kind > LF_FAULT_STATUS_CORRUPT) {
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "emu: unknown fault kind %d", (int)f->kind);
	} else if (f->nth == 0) {
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "emu: a fault fires at occurrence nth >= 1 "
				   "(1 = the next one), not 0");
	} else {
		e->faults.left[f->kind] = f->nth;
		if (f->kind == LF_FAULT_CU_HANG)
			e->faults.hang_cu = f->cu < 0 ? -1 : f->cu;
	}
	pthread_mutex_unlock(&e->mu);
	return st;
}
