/*
 * emu_kernels.c - turning an xclbin into what the emulated card runs:
 * banks (MEM_TOPOLOGY), CUs (IP_LAYOUT), which banks each CU port reaches
 * (CONNECTIVITY) and the kernel code (BITSTREAM: a shared object built
 * from the hls/ sources as host C).
 *
 * Only trusted kernel code is loaded (emu_trust.c). The shared object is
 * written to a private temporary file (mkstemp under $TMPDIR), opened with
 * dlopen(RTLD_NOW | RTLD_LOCAL) so that two devices or two xclbins never share
 * kernel state, and the file is unlinked at once; dlclose happens when the
 * image is unloaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/lf_file.h"
#include "driver/emu/emu_impl.h"

/* The pattern of the layerfab kernel ABI: pointer or scalar per index. */
static const uint32_t abi_global[EMU_ABI_NARGS] = {1, 0, 1, 0, 1, 0};
static const char *const abi_names[EMU_ABI_NARGS] = {
    "desc", "ndesc", "params", "params_bytes", "act", "act_bytes"};

static lf_status check_kernel_abi(const struct lf_xclbin_kernel *k)
{
	const struct lf_xclbin_arg *by_id[EMU_ABI_NARGS] = {0};

	if (k->nargs != EMU_ABI_NARGS)
		goto bad;
	for (uint32_t i = 0; i < k->nargs; i++) {
		const struct lf_xclbin_arg *a = &k->args[i];

		if (a->id >= EMU_ABI_NARGS || by_id[a->id])
			goto bad;
		by_id[a->id] = a;
		if ((a->is_global != 0) != (abi_global[a->id] != 0))
			goto bad;
	}
	return LF_OK;
bad:
	return lf__drv_error(LF_ERR_BAD_FILE,
			     "emu: kernel '%s' does not have the layerfab "
			     "kernel ABI (%s*, %s, %s*, %s, %s*, %s; "
			     "hls/lf_desc.h): it has %u arguments",
			     k->name, abi_names[0], abi_names[1], abi_names[2],
			     abi_names[3], abi_names[4], abi_names[5],
			     k->nargs);
}

static lf_status check_counts(const struct lf_xclbin *xb)
{
	lf_status st = lf__drv_check_xclbin(xb, "emu");
	if (st != LF_OK)
		return st;
	for (uint32_t i = 0; i < xb->nkernels; i++) {
		st = check_kernel_abi(&xb->kernels[i]);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* Banks from MEM_TOPOLOGY, each capped at the configured bank size. */
static lf_status build_banks(const lf_emu *e, const struct lf_xclbin *xb,
			     struct emu_image *img)
{
	img->nbanks = xb->nmems;
	for (uint32_t i = 0; i < xb->nmems; i++) {
		const struct lf_xclbin_mem *m = &xb->mems[i];
		struct emu_bank *b = &img->banks[i];

		memcpy(b->tag, m->tag, sizeof(b->tag));
		b->tag[sizeof(b->tag) - 1] = '\0';
		b->type = m->type;
		b->base = m->base;
		b->size = m->size;
		if (e->cfg.bank_size && e->cfg.bank_size < b->size)
			b->size = e->cfg.bank_size;
		if (b->base > UINT64_MAX - b->size)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "emu: MEM_TOPOLOGY bank %u '%s' "
					     "wraps around the address space",
					     i, b->tag);
		b->usable = m->used && b->size > 0 &&
			    m->type != LF_MEM_STREAMING &&
			    m->type != LF_MEM_STREAMING_CONNECTION;
	}
	return LF_OK;
}

/* Which banks each pointer argument of each CU reaches. */
static lf_status build_reach(const lf_emu *e, const struct lf_xclbin *xb,
			     struct emu_image *img)
{
	uint32_t nbanks = img->nbanks ? img->nbanks : e->nbanks;

	for (uint32_t i = 0; i < xb->nconn; i++) {
		const struct lf_xclbin_conn *c = &xb->conn[i];

		if (c->cu >= xb->ncus || c->mem >= nbanks ||
		    c->arg >= EMU_ABI_NARGS || !abi_global[c->arg])
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "emu: CONNECTIVITY entry %u "
					     "(arg %u of CU %u -> bank %u) "
					     "names no pointer argument of a "
					     "CU, or no bank (%u CUs, %u "
					     "banks)",
					     i, c->arg, c->cu, c->mem, xb->ncus,
					     nbanks);
		img->reach[c->cu][c->arg][c->mem / 64] |= 1ull << (c->mem % 64);
	}
	/* A port without an entry uses bank 0, as XRT assumes. */
	for (uint32_t cu = 0; cu < xb->ncus; cu++) {
		for (int a = 0; a < EMU_ABI_NARGS; a++) {
			int any = 0;

			for (uint32_t w = 0; w < LF_DRV_MAX_MEMS / 64; w++)
				any |= img->reach[cu][a][w] != 0;
			if (abi_global[a] && !any)
				img->reach[cu][a][0] = 1;
		}
	}
	return LF_OK;
}

static lf_status write_all(int fd, const uint8_t *p, uint64_t n,
			   const char *path)
{
	while (n > 0) {
		size_t chunk = n > (1u << 30) ? (1u << 30) : (size_t)n;
		ssize_t w = write(fd, p, chunk);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return lf__drv_error(LF_ERR_IO,
					     "emu: writing the kernels to %s: "
					     "%s",
					     path, strerror(errno));
		p += w;
		n -= (uint64_t)w;
	}
	return LF_OK;
}

/* Write @code (a shared object) to a private file and dlopen it. */
static lf_status open_code(const void *code, size_t size, void **dl)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	lf_status st;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/lf-emu-kernels-XXXXXX", dir) >=
	    (int)sizeof(path))
		return lf__drv_error(LF_ERR_IO, "emu: TMPDIR is too long");
	fd = mkstemp(path);
	if (fd < 0)
		return lf__drv_error(LF_ERR_IO,
				     "emu: cannot create a temporary file in "
				     "%s: %s",
				     dir, strerror(errno));
	st = write_all(fd, code, size, path);
	if (close(fd) != 0 && st == LF_OK)
		st = lf__drv_error(LF_ERR_IO, "emu: closing %s: %s", path,
				   strerror(errno));
	if (st == LF_OK) {
		*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!*dl)
			st = lf__drv_error(LF_ERR_BAD_FILE,
					   "emu: the kernel code is not a "
					   "loadable shared object: %s",
					   dlerror());
	}
	unlink(path);
	return st;
}

/*
 * The kernel code: the BITSTREAM section, or the file @so_path (the socket
 * door gets it from the shim). Checked against the trusted kernel builds
 * before it is written anywhere or loaded (emu_trust.c); a file is read
 * once and the checked bytes are what is loaded, so it cannot change in
 * between. With the device's explicit opt-in a file is dlopen()ed as it is.
 */
static lf_status load_code(lf_emu *e, const struct lf_xclbin *xb,
			   const char *so_path, void **dl)
{
	char err[256] = "";
	uint8_t *file = NULL;
	size_t size = 0;
	lf_status st;

	if (so_path && e->cfg.trust_xclbin > 0) {
		*dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
		if (!*dl)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "emu: cannot load kernels from "
					     "%s: %s",
					     so_path, dlerror());
		return LF_OK;
	}
	if (so_path) {
		st = lf__file_read(so_path, LF_XCLBIN_FILE_MAX, &file, &size,
				   err, sizeof(err));
		if (st != LF_OK)
			return lf__drv_error(st, "emu: kernels: %s", err);
		st = lf__emu_trust_check(file, size, e->cfg.trust_xclbin,
					 so_path);
	} else if (!xb->bitstream || xb->bitstream_size == 0) {
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "emu: the xclbin has no BITSTREAM "
				     "section; the emulator needs the "
				     "kernels' host-C shared object there");
	} else {
		st = lf__emu_trust_check(
		    xb->bitstream, xb->bitstream_size, e->cfg.trust_xclbin,
		    "the xclbin's kernel code (BITSTREAM)");
	}
	if (st == LF_OK)
		st = so_path ? open_code(file, size, dl)
			     : open_code(xb->bitstream, xb->bitstream_size, dl);
	free(file);
	return st;
}

static void *sym(void *dl, const char *name)
{
	dlerror();
	return dlsym(dl, name);
}

static int find_limit(const struct lf_xclbin *xb, const char *key, int64_t *v)
{
	for (uint32_t l = 0; l < xb->nlimits; l++) {
		if (strcmp(xb->limits[l].key, key) == 0) {
			*v = xb->limits[l].value;
			return 1;
		}
	}
	return 0;
}

static lf_status bind_kernels(const struct lf_xclbin *xb, struct emu_image *img)
{
	void *p;

	p = sym(img->dl, "lfk_cycles_reset");
	memcpy(&img->cycles_reset, &p, sizeof(p));
	p = sym(img->dl, "lfk_cycles_get");
	memcpy(&img->cycles_get, &p, sizeof(p));
	/* Optional: kernel objects without the memory model lack it. */
	p = sym(img->dl, "lfk_mem_set");
	memcpy(&img->mem_set, &p, sizeof(p));
	p = sym(img->dl, "lfk_desc_cycles");
	memcpy(&img->desc_cycles, &p, sizeof(p));
	p = sym(img->dl, "lfk_pipe_stats");
	memcpy(&img->pipe_stats, &p, sizeof(p));
	p = sym(img->dl, "lfk_pipe_name");
	memcpy(&img->pipe_name, &p, sizeof(p));
	p = sym(img->dl, "lfk_sync_set");
	memcpy(&img->sync_set, &p, sizeof(p));
	if (!img->pipe_name)
		img->pipe_stats = NULL;
	if (!img->cycles_reset || !img->cycles_get)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "emu: the kernels' shared object lacks "
				     "lfk_cycles_reset / lfk_cycles_get (is "
				     "it a host-C build of hls/?)");
	for (uint32_t i = 0; i < xb->nkernels; i++) {
		struct emu_kernel *k = &img->kernels[i];
		const char *name = xb->kernels[i].name;
		char key[LF_XCLBIN_NAME_MAX + 32];
		int64_t mhz = LF_EMU_CLOCK_MHZ;

		/* Kernel "lfk_conv2d" or "conv2d": symbol lfk_conv2d. */
		snprintf(k->sym, sizeof(k->sym), "%s%s",
			 strncmp(name, "lfk_", 4) == 0 ? "" : "lfk_", name);
		p = sym(img->dl, k->sym);
		if (!p)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "emu: the kernels' shared object "
					     "has no symbol '%s' for kernel "
					     "'%s'",
					     k->sym, name);
		memcpy(&k->fn, &p, sizeof(p));
		/* "lfk_<kernel>.clock_mhz", else the xclbin-wide
		 * "clock_mhz", else LF_EMU_CLOCK_MHZ. */
		snprintf(key, sizeof(key), "%s.clock_mhz", k->sym);
		if (!find_limit(xb, key, &mhz) &&
		    find_limit(xb, "clock_mhz", &mhz))
			snprintf(key, sizeof(key), "clock_mhz");
		if (mhz < 1 || mhz > 10000)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "emu: limit %s=%lld is not a "
					     "clock in MHz (1-10000)",
					     key, (long long)mhz);
		k->clock_mhz = (uint32_t)mhz;
	}
	return LF_OK;
}

/* The first bank port (c, a) reaches, or LF_DRV_MAX_MEMS. */
static uint32_t first_bank(const struct emu_image *img, uint32_t c, int a)
{
	for (uint32_t b = 0; b < LF_DRV_MAX_MEMS; b++)
		if ((img->reach[c][a][b / 64] >> (b % 64)) & 1u)
			return b;
	return LF_DRV_MAX_MEMS;
}

/*
 * How many CUs share each bank's bandwidth: those with a port whose
 * first bank it is (a port's own bank; of a range, the one XRT allocates
 * in by default, UG1393 "Assigning DDR Bank in Host Code", and where the
 * host library puts a lane's buffers), or, for a bank that is no port's
 * first, every CU with a port that reaches it. So a port that also
 * reaches a neighbour's bank (aws-f1's second lane, act: DDR[1:3], for
 * runs split across both lanes) does not halve the neighbour's share at
 * batch > 1, where it never uses it; a split run's CUs share their act
 * bank explicitly (emu_cu.c set_memory).
 */
static void count_bank_cus(const struct lf_xclbin *xb, struct emu_image *img)
{
	uint32_t ncu = xb->ncus < LF_DRV_MAX_CUS ? xb->ncus : LF_DRV_MAX_CUS;
	for (uint32_t b = 0; b < LF_DRV_MAX_MEMS; b++) {
		uint32_t first = 0, reach = 0;
		for (uint32_t c = 0; c < ncu; c++) {
			int f = 0, r = 0;
			for (int a = 0; a < EMU_ABI_NARGS; a++) {
				f |= first_bank(img, c, a) == b;
				r |= (int)((img->reach[c][a][b / 64] >>
					    (b % 64)) &
					   1u);
			}
			first += (uint32_t)f;
			reach += (uint32_t)r;
		}
		img->bank_cus[b] = first ? first : reach;
	}
}

lf_status lf__emu_image_build(lf_emu *e, const struct lf_xclbin *xb,
			      const char *so_path, struct emu_image **out)
{
	struct emu_image *img;
	lf_status st;

	/* As XRT refuses an xclbin built for another shell. */
	if (xb->platform[0] && strcmp(xb->platform, e->platform->vbnv) != 0)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "emu: the xclbin is built for platform "
				     "'%s'; this device emulates '%s' (%s)",
				     xb->platform, e->profile->name,
				     e->platform->vbnv);
	st = check_counts(xb);
	if (st != LF_OK)
		return st;
	img = calloc(1, sizeof(*img));
	if (!img)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "emu: out of host memory");
	st = build_banks(e, xb, img);
	if (st == LF_OK)
		st = build_reach(e, xb, img);
	if (st == LF_OK)
		count_bank_cus(xb, img);
	if (st != LF_OK)
		goto fail;
	st = load_code(e, xb, so_path, &img->dl);
	if (st == LF_OK)
		st = bind_kernels(xb, img);
	if (st != LF_OK)
		goto fail;
	img->xb = malloc(sizeof(*img->xb));
	img->ncus = xb->ncus;
	img->cus = calloc(xb->ncus, sizeof(*img->cus));
	if (!img->xb || !img->cus) {
		st = lf__drv_error(LF_ERR_NO_MEMORY, "emu: out of host memory");
		goto fail;
	}
	memcpy(img->xb, xb, sizeof(*xb));
	img->xb->bitstream = NULL;
	img->xb->bitstream_size = 0;
	img->xb->image = NULL;
	img->xb->image_size = 0;
	*out = img;
	return LF_OK;
fail:
	/* No worker was started: nothing to join. */
	free(img->cus);
	img->cus = NULL;
	lf__emu_image_free(e, img);
	return st;
}
