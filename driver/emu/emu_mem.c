/*
 * emu_mem.c - device memory: banks, allocations, and DMA into them.
 *
 * Each bank is a range of device addresses. An allocation reserves a
 * 4 KiB-aligned range in one bank (first fit) and gets its own host
 * memory of exactly its size, allocated when the buffer is (so a 16 GiB
 * bank costs nothing until used, and AddressSanitizer sees any access past
 * a buffer's end). Device memory is separate from every host view: data
 * moves only through lf__emu_dma(), so a host that forgets a sync reads
 * stale bytes, as on a card.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu_impl.h"

void lf__emu_banks_from_profile(lf_emu *e)
{
	const struct lf_xclbin_platform *pf = e->platform;
	uint64_t base = 0;

	e->nbanks = pf->nbanks < LF_DRV_MAX_MEMS ? pf->nbanks : LF_DRV_MAX_MEMS;
	for (uint32_t i = 0; i < e->nbanks; i++) {
		struct emu_bank *b = &e->banks[i];
		uint64_t size = pf->banks[i].size;

		if (e->cfg.bank_size && e->cfg.bank_size < size)
			size = e->cfg.bank_size;
		snprintf(b->tag, sizeof(b->tag), "%s", pf->banks[i].tag);
		b->type = pf->banks[i].type;
		b->usable = 1;
		/* Back to back from address 0, as the sw_emu shim lays
		 * out its banks. */
		b->base = base;
		b->size = size;
		base += size;
	}
}

/* Index of the first allocation with addr > @addr. */
static uint32_t upper_bound(const lf_emu *e, uint64_t addr)
{
	uint32_t lo = 0, hi = e->nallocs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (e->allocs[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct emu_alloc *lf__emu_find_alloc(lf_emu *e, uint64_t addr)
{
	uint32_t i = upper_bound(e, addr);
	struct emu_alloc *a;

	if (i == 0)
		return NULL;
	a = e->allocs[i - 1];
	return addr - a->addr < a->size ? a : NULL;
}

static uint64_t bank_used(const lf_emu *e, uint32_t bank, uint32_t *count)
{
	uint64_t used = 0;

	*count = 0;
	for (uint32_t i = 0; i < e->nallocs; i++) {
		if (e->allocs[i]->bank == bank) {
			used += e->allocs[i]->span;
			(*count)++;
		}
	}
	return used;
}

/* Make room for one more entry in the sorted array. */
static lf_status reserve_slot(lf_emu *e)
{
	struct emu_alloc **n;
	uint32_t cap;

	if (e->nallocs < e->cap_allocs)
		return LF_OK;
	if (e->cap_allocs > UINT32_MAX / 2)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: too many buffers (%u)", e->nallocs);
	cap = e->cap_allocs ? e->cap_allocs * 2 : 64;
	n = realloc(e->allocs, (size_t)cap * sizeof(*n));
	if (!n)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory for the buffer "
				     "table (%u entries)",
				     cap);
	e->allocs = n;
	e->cap_allocs = cap;
	return LF_OK;
}

/* Create and insert an allocation at @addr (range already checked free). */
static lf_status insert_alloc(lf_emu *e, uint32_t bank, uint64_t addr,
			      uint64_t size, uint64_t span)
{
	struct emu_alloc *a;
	uint32_t pos;
	lf_status st = reserve_slot(e);

	if (st != LF_OK)
		return st;
	if (size > SIZE_MAX)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: a %llu-byte buffer does not fit "
				     "the host's address space",
				     (unsigned long long)size);
	a = calloc(1, sizeof(*a));
	if (!a)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	a->mem = calloc(1, (size_t)size);
	if (!a->mem) {
		free(a);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory for the %llu "
				     "bytes of emulated device memory",
				     (unsigned long long)size);
	}
	a->addr = addr;
	a->size = size;
	a->span = span;
	a->bank = bank;
	pos = upper_bound(e, addr);
	memmove(&e->allocs[pos + 1], &e->allocs[pos],
		(size_t)(e->nallocs - pos) * sizeof(*e->allocs));
	e->allocs[pos] = a;
	e->nallocs++;
	e->ctr.allocs++;
	e->ctr.live_bos++;
	e->ctr.live_bytes += size;
	return LF_OK;
}

static lf_status span_of(uint64_t size, uint64_t *span)
{
	if (size == 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "emu: a buffer needs at least one byte");
	if (size > UINT64_MAX - (EMU_PAGE - 1))
		return lf__drv_error(LF_ERR_OVERFLOW,
				     "emu: buffer size %llu overflows",
				     (unsigned long long)size);
	*span = (size + EMU_PAGE - 1) & ~(uint64_t)(EMU_PAGE - 1);
	return LF_OK;
}

static uint64_t align_up(uint64_t v)
{
	return (v + EMU_PAGE - 1) & ~(uint64_t)(EMU_PAGE - 1);
}

/* First fit inside bank @b; 0 and *addr on success. */
static int first_fit(const lf_emu *e, const struct emu_bank *b, uint64_t span,
		     uint64_t *addr)
{
	uint64_t end = b->base + b->size, cand = align_up(b->base);

	for (uint32_t i = 0; i < e->nallocs; i++) {
		const struct emu_alloc *a = e->allocs[i];

		if (a->addr + a->span <= cand)
			continue;
		if (a->addr >= end)
			break;
		if (a->addr >= cand && a->addr - cand >= span)
			break;
		cand = align_up(a->addr + a->span);
	}
	if (cand > end || span > end - cand)
		return -1;
	*addr = cand;
	return 0;
}

lf_status lf__emu_mem_alloc(lf_emu *e, uint32_t bank, uint64_t size,
			    uint64_t *addr)
{
	const struct emu_bank *b;
	uint64_t span = 0, at = 0, used;
	uint32_t count;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, "buffer allocation");
	if (st != LF_OK)
		goto out;
	if (bank >= e->nbanks || !e->banks[bank].usable) {
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "emu: bank %u does not exist or holds no "
				   "buffers",
				   bank);
		goto out;
	}
	b = &e->banks[bank];
	st = span_of(size, &span);
	if (st != LF_OK)
		goto out;
	if (lf__emu_fault_tick(e, LF_FAULT_ALLOC, -1)) {
		st = lf__drv_error(LF_ERR_NO_DEVICE_MEMORY,
				   "emu: injected fault: allocation of %llu "
				   "bytes in bank %u '%s' failed",
				   (unsigned long long)size, bank, b->tag);
		goto out;
	}
	if (first_fit(e, b, span, &at) != 0) {
		used = bank_used(e, bank, &count);
		st = lf__drv_error(
		    LF_ERR_NO_DEVICE_MEMORY,
		    "emu: bank %u '%s' (%llu bytes) has no free "
		    "range of %llu bytes: %llu bytes are used by "
		    "%u buffers",
		    bank, b->tag, (unsigned long long)b->size,
		    (unsigned long long)span, (unsigned long long)used, count);
		goto out;
	}
	st = insert_alloc(e, bank, at, size, span);
	if (st == LF_OK)
		*addr = at;
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

lf_status lf__emu_mem_alloc_at(lf_emu *e, uint64_t addr, uint64_t size)
{
	uint64_t span = 0;
	uint32_t bank, i;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, "buffer allocation");
	if (st != LF_OK)
		goto out;
	st = span_of(size, &span);
	if (st != LF_OK)
		goto out;
	for (bank = 0; bank < e->nbanks; bank++) {
		const struct emu_bank *b = &e->banks[bank];
		if (b->usable && addr >= b->base && addr - b->base <= b->size &&
		    span <= b->size - (addr - b->base))
			break;
	}
	if (bank == e->nbanks || addr % EMU_PAGE) {
		st = lf__drv_error(
		    LF_ERR_RANGE,
		    "emu: [0x%llx, +%llu) is not a 4 KiB-aligned "
		    "range inside one usable bank",
		    (unsigned long long)addr, (unsigned long long)span);
		goto out;
	}
	if (lf__emu_fault_tick(e, LF_FAULT_ALLOC, -1)) {
		st = lf__drv_error(LF_ERR_NO_DEVICE_MEMORY,
				   "emu: injected fault: allocation at 0x%llx "
				   "failed",
				   (unsigned long long)addr);
		goto out;
	}
	i = upper_bound(e, addr);
	if ((i > 0 && e->allocs[i - 1]->addr + e->allocs[i - 1]->span > addr) ||
	    (i < e->nallocs && e->allocs[i]->addr - addr < span)) {
		st = lf__drv_error(LF_ERR_NO_DEVICE_MEMORY,
				   "emu: [0x%llx, +%llu) overlaps a buffer",
				   (unsigned long long)addr,
				   (unsigned long long)span);
		goto out;
	}
	st = insert_alloc(e, bank, addr, size, span);
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

static void destroy_alloc(lf_emu *e, uint32_t i)
{
	struct emu_alloc *a = e->allocs[i];

	e->ctr.frees++;
	e->ctr.live_bos--;
	e->ctr.live_bytes -= a->size;
	memmove(&e->allocs[i], &e->allocs[i + 1],
		(size_t)(e->nallocs - i - 1) * sizeof(*e->allocs));
	e->nallocs--;
	free(a->mem);
	free(a);
}

lf_status lf__emu_mem_free(lf_emu *e, uint64_t addr)
{
	struct emu_alloc *a;
	uint32_t i;
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	i = upper_bound(e, addr);
	a = i > 0 ? e->allocs[i - 1] : NULL;
	if (!a || a->addr != addr) {
		st = lf__drv_error(LF_ERR_INVALID_ARG,
				   "emu: no buffer starts at 0x%llx",
				   (unsigned long long)addr);
		goto out;
	}
	/* On a lost device pending runs were ended; only a kernel still
	 * executing on its worker can hold the buffer, briefly. */
	while (a->users && e->lost)
		pthread_cond_wait(&e->done_cv, &e->mu);
	if (a->users) {
		st = lf__drv_error(LF_ERR_BUSY,
				   "emu: buffer at 0x%llx is used by %u "
				   "arguments of pending runs; wait for them "
				   "(or abort) before freeing it",
				   (unsigned long long)addr, a->users);
		goto out;
	}
	destroy_alloc(e, upper_bound(e, addr) - 1);
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

void lf__emu_free_all(lf_emu *e)
{
	while (e->nallocs)
		destroy_alloc(e, e->nallocs - 1);
	free(e->allocs);
	e->allocs = NULL;
	e->cap_allocs = 0;
}

lf_status lf__emu_zero_all(lf_emu *e)
{
	for (uint32_t i = 0; i < e->nallocs; i++) {
		struct emu_alloc *a = e->allocs[i];
		/* A fresh calloc keeps untouched pages uncommitted. */
		uint8_t *m = calloc(1, (size_t)a->size);

		if (m) {
			free(a->mem);
			a->mem = m;
		} else {
			memset(a->mem, 0, (size_t)a->size);
		}
	}
	return LF_OK;
}

/* Does run @r have a pointer argument covering part of [off, off+size)? */
static int run_uses(const lf_emu_run *r, const struct emu_alloc *a,
		    uint64_t off, uint64_t size)
{
	for (int i = 0; i < EMU_ABI_NARGS; i++)
		if (r->alloc[i] == a && off + size > r->off[i])
			return 1;
	return 0;
}

/* A pending run that uses bytes [off, off+size) of @a, or NULL. */
static const lf_emu_run *conflicting_run(const lf_emu *e,
					 const struct emu_alloc *a,
					 uint64_t off, uint64_t size)
{
	if (!e->img)
		return NULL;
	for (uint32_t c = 0; c < e->img->ncus; c++) {
		const struct emu_cu *cu = &e->img->cus[c];

		if (cu->running && run_uses(cu->running, a, off, size))
			return cu->running;
		for (const lf_emu_run *r = cu->head; r; r = r->next)
			if (run_uses(r, a, off, size))
				return r;
	}
	return NULL;
}

lf_status lf__emu_dma(lf_emu *e, enum lf_sync_dir dir, uint64_t addr,
		      void *host, uint64_t size)
{
	int h2d = dir == LF_SYNC_TO_DEVICE;
	const char *name = h2d ? "H2D" : "D2H";
	struct lf_tl_event ev = {0};
	struct emu_alloc *a;
	const lf_emu_run *r;
	uint64_t off, *engine;
	int fail, corrupt;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, h2d ? "an H2D transfer" : "a D2H transfer");
	if (st != LF_OK)
		goto out;
	a = lf__emu_find_alloc(e, addr);
	if (!a || size == 0 || size > a->size - (addr - a->addr)) {
		st = lf__drv_error(LF_ERR_RANGE,
				   "emu: %s of %llu bytes at 0x%llx does not "
				   "lie inside one buffer",
				   name, (unsigned long long)size,
				   (unsigned long long)addr);
		goto out;
	}
	off = addr - a->addr;
	r = conflicting_run(e, a, off, size);
	if (r) {
		st =
		    lf__drv_error(LF_ERR_BUSY,
				  "emu: %s of bytes [%llu, %llu) of the buffer "
				  "at 0x%llx: run #%llu on CU %u uses them and "
				  "has not completed; wait for it first",
				  name, (unsigned long long)off,
				  (unsigned long long)(off + size),
				  (unsigned long long)a->addr,
				  (unsigned long long)r->id, r->cu);
		goto out;
	}
	fail = lf__emu_fault_tick(e, LF_FAULT_DMA_FAIL, -1);
	corrupt = lf__emu_fault_tick(e, LF_FAULT_DMA_CORRUPT, -1);

	engine = h2d ? &e->h2d_free_ns : &e->d2h_free_ns;
	ev.kind = h2d ? LF_TL_H2D : LF_TL_D2H;
	ev.cu = UINT32_MAX;
	ev.addr = addr;
	ev.bytes = size;
	ev.start_ns = lf__emu_max3(*engine, e->now_ns, a->run_end_ns);
	ev.end_ns = ev.start_ns + lf__emu_dma_ns(e, dir, size);
	*engine = ev.end_ns;
	e->now_ns = ev.end_ns;
	if (fail) {
		e->ctr.dma_errors++;
		ev.status = LF_ERR_DMA;
		lf__emu_tl_record(e, &ev);
		st = lf__drv_error(LF_ERR_DMA,
				   "emu: injected fault: %s of %llu bytes at "
				   "0x%llx failed; nothing was transferred",
				   name, (unsigned long long)size,
				   (unsigned long long)addr);
		goto out;
	}
	if (h2d) {
		memcpy(a->mem + off, host, (size_t)size);
		if (corrupt)
			a->mem[off + size / 2] ^= 0xff;
		a->h2d_end_ns = ev.end_ns;
		e->ctr.h2d_transfers++;
		e->ctr.h2d_bytes += size;
	} else {
		memcpy(host, a->mem + off, (size_t)size);
		if (corrupt)
			((uint8_t *)host)[size / 2] ^= 0xff;
		e->ctr.d2h_transfers++;
		e->ctr.d2h_bytes += size;
	}
	ev.status = LF_OK;
	lf__emu_tl_record(e, &ev);
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

lf_status lf__emu_copy(lf_emu *e, uint64_t dst, uint64_t src, uint64_t size)
{
	struct emu_alloc *ad, *as;
	const lf_emu_run *r;
	uint64_t start;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, "a copy on the card");
	if (st != LF_OK)
		goto out;
	ad = lf__emu_find_alloc(e, dst);
	as = lf__emu_find_alloc(e, src);
	if (!ad || !as || size == 0 || size > ad->size - (dst - ad->addr) ||
	    size > as->size - (src - as->addr)) {
		st = lf__drv_error(LF_ERR_RANGE,
				   "emu: copy of %llu bytes from 0x%llx to "
				   "0x%llx: each range must lie inside one "
				   "buffer",
				   (unsigned long long)size,
				   (unsigned long long)src,
				   (unsigned long long)dst);
		goto out;
	}
	r = conflicting_run(e, ad, dst - ad->addr, size);
	if (!r)
		r = conflicting_run(e, as, src - as->addr, size);
	if (r) {
		st = lf__drv_error(LF_ERR_BUSY,
				   "emu: copy on the card: run #%llu on CU %u "
				   "uses the bytes and has not completed",
				   (unsigned long long)r->id, r->cu);
		goto out;
	}
	start = lf__emu_max3(e->now_ns, ad->run_end_ns, as->run_end_ns);
	e->now_ns = start + lf__emu_dma_ns(e, LF_SYNC_TO_DEVICE, size);
	if (e->now_ns > ad->h2d_end_ns)
		ad->h2d_end_ns = e->now_ns; /* a run reading it waits */
	memmove(ad->mem + (dst - ad->addr), as->mem + (src - as->addr),
		(size_t)size);
	e->ctr.d2d_transfers++;
	e->ctr.d2d_bytes += size;
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}

lf_status lf__emu_mem_bus(lf_emu *e, enum lf_sync_dir dir, uint64_t addr,
			  void *host, uint64_t size)
{
	struct emu_alloc *a;
	uint64_t off;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, "a bus access");
	if (st != LF_OK)
		goto out;
	a = lf__emu_find_alloc(e, addr);
	if (!a || size == 0 || size > a->size - (addr - a->addr)) {
		st = lf__drv_error(LF_ERR_RANGE,
				   "emu: bus access of %llu bytes at 0x%llx "
				   "does not lie inside one allocation",
				   (unsigned long long)size,
				   (unsigned long long)addr);
		goto out;
	}
	off = addr - a->addr;
	if (dir == LF_SYNC_TO_DEVICE)
		memcpy(a->mem + off, host, (size_t)size);
	else
		memcpy(host, a->mem + off, (size_t)size);
out:
	pthread_mutex_unlock(&e->mu);
	return st;
}
