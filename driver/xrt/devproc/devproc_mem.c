/*
 * devproc_mem.c - buffers: device memory in the device core, and for
 * peer-to-peer BOs a file the host maps as its view of the buffer.
 *
 * The file is only the host's view. Device memory is the core's own
 * allocation, reached only through the H2D / D2H copy requests, so a host
 * that forgets xrtBOSync reads stale bytes as on a card (reference
 * xrt-swemu.md, section 9: using the file as device memory lets a
 * memset() on the mapped BO change "device" data).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/xrt/devproc/devproc.h"

static struct dp_bo *find_bo(struct dp *d, uint64_t addr)
{
	for (uint32_t i = 0; i < d->nbos; i++)
		if (d->bos[i].addr == addr)
			return &d->bos[i];
	return NULL;
}

static char *make_file(struct dp *d, uint64_t addr, uint64_t size)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/lf_bo_%llx_%ld", d->devdir,
		     (unsigned long long)addr,
		     (long)getpid()) >= (int)sizeof(path))
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		dp_log("cannot create the BO file %s: %s", path,
		       strerror(errno));
		return NULL;
	}
	if (ftruncate(fd, (off_t)size) != 0)
		dp_log("cannot size %s: %s", path, strerror(errno));
	close(fd);
	return strdup(path);
}

int dp_alloc(struct dp *d, uint64_t addr, uint64_t size, int p2p,
	     const char **file)
{
	struct dp_bo *b;

	*file = NULL;
	if (find_bo(d, addr)) {
		dp_log("xclAllocDeviceBuffer at 0x%llx: already allocated",
		       (unsigned long long)addr);
		return -1;
	}
	if (d->nbos == d->cap_bos) {
		uint32_t cap = d->cap_bos ? 2 * d->cap_bos : 64;
		struct dp_bo *n = realloc(d->bos, cap * sizeof(*n));

		if (!n)
			return -1;
		d->bos = n;
		d->cap_bos = cap;
	}
	if (dp_emu_get(d, NULL) != LF_OK)
		return -1;
	b = &d->bos[d->nbos];
	memset(b, 0, sizeof(*b));
	b->addr = addr;
	b->size = size;
	if (lf__emu_mem_alloc_at(d->emu, addr, size) != LF_OK) {
		dp_log("xclAllocDeviceBuffer 0x%llx +%llu: %s",
		       (unsigned long long)addr, (unsigned long long)size,
		       lf__drv_last_error());
		return -1;
	}
	b->in_emu = 1;
	if (p2p) {
		b->file = make_file(d, addr, size);
		if (!b->file) {
			lf__emu_mem_free(d->emu, addr);
			return -1;
		}
		*file = b->file;
	}
	d->nbos++;
	return 0;
}

static void release(struct dp *d, struct dp_bo *b)
{
	if (b->in_emu && d->emu && lf__emu_mem_free(d->emu, b->addr) != LF_OK)
		dp_log("xclFreeDeviceBuffer 0x%llx: %s",
		       (unsigned long long)b->addr, lf__drv_last_error());
	if (b->file) {
		unlink(b->file);
		free(b->file);
	}
}

int dp_free(struct dp *d, uint64_t addr)
{
	struct dp_bo *b = find_bo(d, addr);

	if (!b) {
		dp_log("xclFreeDeviceBuffer 0x%llx: no such buffer",
		       (unsigned long long)addr);
		return -1;
	}
	release(d, b);
	*b = d->bos[--d->nbos];
	return 0;
}

void dp_free_all(struct dp *d)
{
	for (uint32_t i = 0; i < d->nbos; i++) {
		/* The core is gone or going: only the files remain. */
		d->bos[i].in_emu = d->emu != NULL;
		release(d, &d->bos[i]);
	}
	d->nbos = 0;
}

int dp_h2d(struct dp *d, uint64_t addr, const void *src, uint64_t size)
{
	if (size == 0)
		return 0;
	if (!d->emu || lf__emu_dma(d->emu, LF_SYNC_TO_DEVICE, addr,
				   (void *)(uintptr_t)src, size) != LF_OK) {
		dp_log("H2D of %llu bytes to 0x%llx failed: %s",
		       (unsigned long long)size, (unsigned long long)addr,
		       d->emu ? lf__drv_last_error() : "no device memory");
		return -1;
	}
	return 0;
}

int dp_d2h(struct dp *d, uint64_t addr, void *dst, uint64_t size)
{
	if (size == 0)
		return 0;
	if (!d->emu || lf__emu_dma(d->emu, LF_SYNC_FROM_DEVICE, addr, dst,
				   size) != LF_OK) {
		dp_log("D2H of %llu bytes from 0x%llx failed: %s",
		       (unsigned long long)size, (unsigned long long)addr,
		       d->emu ? lf__drv_last_error() : "no device memory");
		return -1;
	}
	return 0;
}
