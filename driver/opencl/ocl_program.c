/*
 * ocl_program.c - programming the device from an xclbin, in either
 * flavour, and what both share: banks from MEM_TOPOLOGY, CUs from
 * IP_LAYOUT, the banks each CU port reaches from CONNECTIVITY, and one
 * kernel object and one in-order, profiling command queue per CU (separate
 * queues let CUs run concurrently and keep transfers independent of
 * kernels, without relying on out-of-order queues).
 *
 * Xilinx flavour: clCreateProgramWithBinary with the whole xclbin file,
 * then one kernel object per CU named "kernel:{instance}" (UG1393,
 * "Kernel Handle and Compute Units": clCreateKernel accepts
 * "<kernel_name>:{compute_unit_name}").
 *
 * Portable flavour: the kernels' OpenCL C text embedded at build time
 * (ocl_source.h), compiled with the xclbin's kernel limits as -D options
 * so the device code has exactly the tile sizes the host plans with; the
 * BITSTREAM section is not used. Programs come from the build cache
 * (ocl_cache.c) when it has them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/opencl/ocl_impl.h"
#include "driver/opencl/ocl_source.h"
#include "lf_config.h"
#include "lf_desc.h"

#define OPTS_MAX 1536
#define KEY_MAX	 4096

/*
 * Kernel limits (USER_METADATA "layerfab_limits"): every key of LF_LIMITS
 * (hls/lf_config.h) with the text of its value there. A key whose value
 * is one -D parameter of LF_PARAMS is passed back to the OpenCL build as
 * that parameter (the first key naming it: lfk_pool.blk_iw_max repeats
 * LF_POOL_DIM_MAX, already passed as lfk_pool.dim_max); any other key is
 * derived from the parameters, known but not passed. Generated from the
 * two X-macros, so a limit added there needs nothing here. lf_config.h
 * itself rejects inconsistent values with #error, so a bad xclbin fails
 * the build with that message.
 */
#define LF__OCL_LIMIT(key, value) {key, #value},
static const struct {
	const char *key;
	const char *value; /* its expression in LF_LIMITS */
} limit_rows[] = {LF_LIMITS(LF__OCL_LIMIT)};
#undef LF__OCL_LIMIT
#define NLIMIT_ROWS (sizeof(limit_rows) / sizeof(limit_rows[0]))

#define LF__OCL_PARAM(name, value) name,
static const char *const param_names[] = {LF_PARAMS(LF__OCL_PARAM)};
#undef LF__OCL_PARAM

/* The -D parameter limit row @i is passed as, or NULL (derived). */
static const char *limit_macro(size_t i)
{
	const char *v = limit_rows[i].value;
	size_t n = 0;
	for (size_t k = 0; k < sizeof(param_names) / sizeof(*param_names); k++)
		n += strcmp(param_names[k], v) == 0;
	if (!n)
		return NULL;
	for (size_t j = 0; j < i; j++)
		if (strcmp(limit_rows[j].value, v) == 0)
			return NULL;
	return v;
}

/* Banks from MEM_TOPOLOGY (none: the device's default bank stays). */
static void build_banks(const struct lf_xclbin *xb, struct ocl_image *img)
{
	img->nbanks = xb->nmems;
	for (uint32_t i = 0; i < xb->nmems; i++) {
		const struct lf_xclbin_mem *m = &xb->mems[i];
		struct ocl_bank *b = &img->banks[i];

		memcpy(b->tag, m->tag, sizeof(b->tag));
		b->tag[sizeof(b->tag) - 1] = '\0';
		b->type = m->type;
		b->base = m->base;
		b->size = m->size;
		b->usable = m->used && m->size > 0 &&
			    m->type != LF_MEM_STREAMING &&
			    m->type != LF_MEM_STREAMING_CONNECTION;
	}
}

/* The kernel's description of argument @id, or NULL. */
static const struct lf_xclbin_arg *kernel_arg(const struct lf_xclbin_kernel *k,
					      uint32_t id)
{
	for (uint32_t i = 0; i < k->nargs && i < LF_XCLBIN_MAX_ARGS; i++)
		if (k->args[i].id == id)
			return &k->args[i];
	return NULL;
}

/* Which banks each pointer argument of each CU reaches. */
static lf_status build_reach(const struct lf_xclbin *xb, struct ocl_image *img)
{
	/* Without MEM_TOPOLOGY the device keeps its one default bank. */
	uint32_t nbanks = img->nbanks ? img->nbanks : 1;

	for (uint32_t i = 0; i < xb->nconn; i++) {
		const struct lf_xclbin_conn *c = &xb->conn[i];
		const struct lf_xclbin_arg *a = NULL;

		if (c->cu < xb->ncus && c->arg < LF_DRV_MAX_ARGS)
			a = kernel_arg(&xb->kernels[xb->cus[c->cu].kernel],
				       c->arg);
		if (!a || !a->is_global || c->mem >= nbanks)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "opencl: CONNECTIVITY entry %u "
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
		const struct lf_xclbin_kernel *k =
		    &xb->kernels[xb->cus[cu].kernel];

		for (uint32_t a = 0; a < k->nargs; a++) {
			const struct lf_xclbin_arg *info = kernel_arg(k, a);
			int any = 0;

			if (!info || !info->is_global)
				continue;
			for (uint32_t w = 0; w < LF_DRV_MAX_MEMS / 64; w++)
				any |= img->reach[cu][a][w] != 0;
			if (!any)
				img->reach[cu][a][0] = 1;
		}
	}
	return LF_OK;
}

static int find_limit(const struct lf_xclbin *xb, const char *key, int64_t *v)
{
	for (uint32_t i = 0; i < xb->nlimits; i++) {
		if (strcmp(xb->limits[i].key, key) == 0) {
			*v = xb->limits[i].value;
			return 1;
		}
	}
	return 0;
}

/*
 * Limits the portable build sizes for itself: a row's key takes the value
 * of its _ocl key where that is smaller, in the -D options and in the
 * limits the device reports, so the host plans with the build that runs.
 * The line buffer (lf_config.h LF_BLK_LBEATS_OCL): UltraRAM on the cards,
 * where 4096 beats cost what 1024 do, but __local here, and PoCL's 512
 * KiB hold the engine's other arrays and 1024 beats only. The resident
 * first block (LF_BLK_WRES_OCL, 0): up to 288 KiB more __local, off.
 */
static const struct {
	const char *key, *ocl_key;
} portable_own[] = {
    {"lfk_conv2d.blk_lbeats", "lfk_conv2d.blk_lbeats_ocl"},
    {"lfk_conv2d.blk_wres", "lfk_conv2d.blk_wres_ocl"},
};

static void portable_limits(struct lf_xclbin *xb)
{
	for (size_t r = 0; r < sizeof(portable_own) / sizeof(*portable_own);
	     r++) {
		int64_t own;

		if (!find_limit(xb, portable_own[r].ocl_key, &own))
			continue;
		for (uint32_t i = 0; i < xb->nlimits; i++)
			if (strcmp(xb->limits[i].key, portable_own[r].key) ==
				0 &&
			    own < xb->limits[i].value)
				xb->limits[i].value = own;
	}
}

/* Is @key a limit of a kernel in @xb that this library has no -D for? */
static int unknown_kernel_limit(const struct lf_xclbin *xb, const char *key)
{
	const char *dot = strchr(key, '.');

	for (size_t i = 0; i < NLIMIT_ROWS; i++)
		if (strcmp(limit_rows[i].key, key) == 0)
			return 0;
	if (!dot)
		return 0;
	for (uint32_t k = 0; k < xb->nkernels; k++)
		if (strlen(xb->kernels[k].name) == (size_t)(dot - key) &&
		    strncmp(xb->kernels[k].name, key, (size_t)(dot - key)) == 0)
			return 1;
	return 0;
}

/*
 * The portable build options: -cl-kernel-arg-info (so the argument list
 * can be checked against the xclbin) and one -D per kernel limit.
 */
static lf_status build_options(const struct lf_xclbin *xb, char *opts,
			       size_t len)
{
	size_t used;
	int64_t v;
	int w;

	if (find_limit(xb, "desc_bytes", &v) && v != LF_DESC_BYTES)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "opencl: the xclbin's kernels use "
				     "%lld-byte descriptors; this library's "
				     "lf_desc.h has %d",
				     (long long)v, LF_DESC_BYTES);
	for (uint32_t i = 0; i < xb->nlimits; i++)
		if (unknown_kernel_limit(xb, xb->limits[i].key))
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "opencl: kernel limit '%s' has no "
					     "compile-time parameter this "
					     "library knows; the OpenCL build "
					     "could not honour it",
					     xb->limits[i].key);
	w = snprintf(opts, len, "-cl-kernel-arg-info");
	used = (size_t)w;
	for (size_t i = 0; i < NLIMIT_ROWS; i++) {
		const char *macro = limit_macro(i);
		if (!macro || !find_limit(xb, limit_rows[i].key, &v))
			continue;
		w = snprintf(opts + used, len - used, " -D%s=%lld", macro,
			     (long long)v);
		if (w < 0 || (size_t)w >= len - used)
			return lf__drv_error(LF_ERR_INTERNAL,
					     "opencl: build options too long");
		used += (size_t)w;
	}
	return LF_OK;
}

/* The build log, from the first line that says "error", flattened. */
static void log_excerpt(cl_program p, cl_device_id dev, char *out, size_t len)
{
	size_t n = 0, o = 0;
	char *log, *at;

	out[0] = '\0';
	if (lf__cl.clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, 0, NULL,
					 &n) != CL_SUCCESS ||
	    n == 0)
		return;
	log = malloc(n + 1);
	if (!log)
		return;
	if (lf__cl.clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, n, log,
					 NULL) != CL_SUCCESS)
		n = 0;
	log[n] = '\0';
	at = strstr(log, "error");
	if (!at)
		at = log;
	while (at > log && at[-1] != '\n')
		at--;
	for (; *at && o + 1 < len; at++) {
		if (*at == '\n') {
			if (o + 4 >= len)
				break;
			memcpy(out + o, " | ", 3);
			o += 3;
		} else {
			out[o++] = *at;
		}
	}
	out[o] = '\0';
	free(log);
}

static lf_status build_program(struct ocl_dev *d, cl_program p,
			       const char *what, const char *opts)
{
	char excerpt[320];
	cl_int err =
	    lf__cl.clBuildProgram(p, 1, &d->info.dev, opts, NULL, NULL);

	if (err == CL_SUCCESS)
		return LF_OK;
	log_excerpt(p, d->info.dev, excerpt, sizeof(excerpt));
	/* PoCL fails this way when it cannot write its kernel cache or
	 * cannot run the linker. */
	return lf__ocl_fail(lf__ocl_status(err), "clBuildProgram", err,
			    "%s: %s%s", what,
			    excerpt[0] ? excerpt : "(no build log)",
			    strstr(excerpt, "error") ? ""
						     : " (no compiler error: "
						       "on PoCL, check that "
						       "POCL_CACHE_DIR is "
						       "writable and ld is on "
						       "PATH)");
}

static lf_status program_from_binary(struct ocl_dev *d, const uint8_t *bin,
				     size_t size, const char *what,
				     const char *opts, cl_program *out)
{
	const unsigned char *b = bin;
	cl_int bst = CL_SUCCESS, err = CL_SUCCESS;
	cl_program p;
	lf_status st;

	p = lf__cl.clCreateProgramWithBinary(d->ctx, 1, &d->info.dev, &size, &b,
					     &bst, &err);
	if (!p)
		return lf__ocl_fail(lf__ocl_status(err),
				    "clCreateProgramWithBinary", err,
				    "%s: the device rejects it (binary "
				    "status %s)",
				    what, lf__ocl_err_name(bst));
	lf__ocl_obj_add(d, LF_OCL_PROGRAM);
	st = build_program(d, p, what, opts);
	if (st != LF_OK) {
		lf__ocl_release_program(d, &p);
		return st;
	}
	*out = p;
	return LF_OK;
}

static lf_status program_from_source(struct ocl_dev *d,
				     const struct lf__ocl_source *s,
				     const char *opts, cl_program *out)
{
	const char *text = s->text;
	size_t len = s->len;
	cl_int err = CL_SUCCESS;
	cl_program p;
	lf_status st;

	p = lf__cl.clCreateProgramWithSource(d->ctx, 1, &text, &len, &err);
	if (!p)
		return lf__ocl_fail(lf__ocl_status(err),
				    "clCreateProgramWithSource", err, "%s",
				    s->file);
	lf__ocl_obj_add(d, LF_OCL_PROGRAM);
	st = build_program(d, p, s->file, opts);
	if (st != LF_OK) {
		lf__ocl_release_program(d, &p);
		return st;
	}
	*out = p;
	return LF_OK;
}

static void stat_add(struct ocl_dev *d, uint64_t *field)
{
	pthread_mutex_lock(&d->mu);
	(*field)++;
	pthread_mutex_unlock(&d->mu);
}

/* Store the built program's binary in the cache (best effort). */
static void cache_store(struct ocl_dev *d, cl_program p, const char *key)
{
	size_t size = 0;
	unsigned char *bin;
	cl_int err;

	err = lf__cl.clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof(size),
				      &size, NULL);
	if (err != CL_SUCCESS || size == 0) {
		stat_add(d, &d->st.cache_errors);
		return;
	}
	bin = malloc(size);
	if (!bin) {
		stat_add(d, &d->st.cache_errors);
		return;
	}
	err = lf__cl.clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof(bin), &bin,
				      NULL);
	if (err == CL_SUCCESS &&
	    lf__ocl_cache_store(d->cache_dir, key, bin, size) == LF_OK)
		stat_add(d, &d->st.cache_stores);
	else
		stat_add(d, &d->st.cache_errors);
	free(bin);
}

/* One portable program: from the cache if it has it, else compiled. */
static lf_status build_portable(struct ocl_dev *d,
				const struct lf__ocl_source *s,
				const char *opts, cl_program *out)
{
	char *key = NULL;
	lf_status st;

	if (d->use_cache) {
		uint8_t *bin = NULL;
		size_t size = 0;

		key = malloc(KEY_MAX);
		if (!key)
			return lf__drv_error(LF_ERR_NO_MEMORY,
					     "opencl: out of host memory");
		lf__ocl_cache_key(d, s->file, s->text, s->len, opts, key,
				  KEY_MAX);
		st = lf__ocl_cache_load(d->cache_dir, key, &bin, &size);
		if (st == LF_OK) {
			st = program_from_binary(d, bin, size, s->file, opts,
						 out);
			free(bin);
			if (st == LF_OK) {
				stat_add(d, &d->st.cache_hits);
				free(key);
				return LF_OK;
			}
			stat_add(d, &d->st.cache_rejects);
		} else if (st == LF_ERR_NOT_FOUND) {
			stat_add(d, &d->st.cache_misses);
		} else if (st == LF_ERR_BAD_FILE) {
			stat_add(d, &d->st.cache_rejects);
		} else {
			stat_add(d, &d->st.cache_errors);
		}
	}
	st = program_from_source(d, s, opts, out);
	if (st == LF_OK) {
		stat_add(d, &d->st.src_builds);
		if (key)
			cache_store(d, *out, key);
	}
	free(key);
	return st;
}

/* The OpenCL C kernel name of xclbin kernel @name (emu's rule). */
static void kernel_symbol(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s%s", strncmp(name, "lfk_", 4) == 0 ? "" : "lfk_",
		 name);
}

/* Does ';'-separated @list contain @name? */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* An executable @name in a directory of $PATH (1), or no PATH (-1). */
static int on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		return -1;
	while (*path) {
		size_t n = strcspn(path, ":");
		int w =
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);

		if (n && w > 0 && (size_t)w < sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 1;
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

/*
 * PoCL links each kernel with `ld` at its first run and aborts the
 * process when it cannot (PoCL 3.1): refuse the load instead.
 */
static lf_status check_pocl_linker(const struct ocl_dev *d)
{
	if (!strstr(d->info.plat_name, "Portable Computing Language") ||
	    on_path("ld") != 0)
		return LF_OK;
	return lf__drv_error(LF_ERR_UNSUPPORTED,
			     "opencl: PoCL links kernels with 'ld', which is "
			     "not on PATH (PoCL would abort the process at "
			     "the first run); install binutils or fix PATH");
}

/*
 * Portable: build the programs the xclbin's kernels need; prog_of[k] is
 * the program index of kernel k.
 */
static lf_status load_portable(struct ocl_dev *d, const struct lf_xclbin *xb,
			       struct ocl_image *img, uint32_t *prog_of)
{
	int32_t src_prog[LF_XCLBIN_MAX_KERNELS];
	char opts[OPTS_MAX], sym[LF_XCLBIN_NAME_MAX + 8];
	lf_status st = check_pocl_linker(d);

	if (st == LF_OK)
		st = build_options(xb, opts, sizeof(opts));

	if (st != LF_OK)
		return st;
	for (uint32_t i = 0; i < LF_XCLBIN_MAX_KERNELS; i++)
		src_prog[i] = -1;
	for (uint32_t k = 0; k < xb->nkernels; k++) {
		unsigned s = 0;

		kernel_symbol(xb->kernels[k].name, sym, sizeof(sym));
		while (s < lf__ocl_nsources &&
		       !list_has(lf__ocl_sources[s].kernels, sym))
			s++;
		if (s == lf__ocl_nsources || s >= LF_XCLBIN_MAX_KERNELS)
			return lf__drv_error(
			    LF_ERR_BAD_FILE,
			    "opencl: kernel '%s' of the "
			    "xclbin has no OpenCL C source in "
			    "this library (it has %s%s%s)",
			    xb->kernels[k].name, lf__ocl_sources[0].kernels,
			    lf__ocl_nsources > 1 ? ", " : "",
			    lf__ocl_nsources > 1 ? lf__ocl_sources[1].kernels
						 : "");
		if (src_prog[s] < 0) {
			st = build_portable(d, &lf__ocl_sources[s], opts,
					    &img->prog[img->nprog]);
			if (st != LF_OK)
				return st;
			src_prog[s] = (int32_t)img->nprog++;
		}
		prog_of[k] = (uint32_t)src_prog[s];
	}
	return LF_OK;
}

/* Xilinx: the xclbin is the program. */
static lf_status load_xilinx(struct ocl_dev *d, const struct lf_xclbin *xb,
			     struct ocl_image *img, uint32_t *prog_of)
{
	lf_status st;

	if (!xb->image || xb->image_size == 0 || xb->image_size > SIZE_MAX)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "opencl: the xclbin has no file image to "
				     "program the device with");
	st = program_from_binary(d, xb->image, (size_t)xb->image_size, "xclbin",
				 "", &img->prog[0]);
	if (st != LF_OK)
		return st;
	img->nprog = 1;
	for (uint32_t k = 0; k < xb->nkernels; k++)
		prog_of[k] = 0;
	return LF_OK;
}

lf_status lf__ocl_xilinx_cu_kernel_name(const char *cu_name, char *out,
					size_t len)
{
	const char *colon = cu_name ? strchr(cu_name, ':') : NULL;
	int w;

	if (!colon || !out)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "opencl: CU name '%s' is not "
				     "\"kernel:instance\"",
				     cu_name ? cu_name : "(null)");
	w = snprintf(out, len, "%.*s:{%s}", (int)(colon - cu_name), cu_name,
		     colon + 1);
	if (w < 0 || (size_t)w >= len)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "opencl: CU name '%s' is too long",
				     cu_name);
	return LF_OK;
}

/* The kernel object's arguments agree with the xclbin's. */
static lf_status check_kernel(struct ocl_dev *d, cl_kernel k,
			      const struct lf_xclbin_kernel *xk,
			      const char *cu_name)
{
	cl_uint nargs = 0;
	cl_ulong local = 0;
	cl_int err;

	err = lf__cl.clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof(nargs),
				     &nargs, NULL);
	if (err != CL_SUCCESS)
		return lf__ocl_fail(LF_ERR_BACKEND, "clGetKernelInfo", err,
				    "CU '%s'", cu_name);
	if (nargs != xk->nargs)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "opencl: CU '%s': the OpenCL kernel has "
				     "%u arguments, the xclbin says %u",
				     cu_name, nargs, xk->nargs);
	/* Xilinx's runtime takes both from the xclbin (and reports its own
	 * qualifiers); the portable source can disagree with it. */
	for (cl_uint i = 0; i < nargs && d->flavour == LF_OCL_PORTABLE; i++) {
		const struct lf_xclbin_arg *a = kernel_arg(xk, i);
		cl_kernel_arg_address_qualifier q = 0;
		int global;

		err = lf__cl.clGetKernelArgInfo(
		    k, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof(q), &q, NULL);
		if (err == CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
			break;
		if (err != CL_SUCCESS || !a)
			return lf__ocl_fail(LF_ERR_BAD_FILE,
					    "clGetKernelArgInfo", err,
					    "CU '%s' argument %u", cu_name, i);
		global = q == CL_KERNEL_ARG_ADDRESS_GLOBAL ||
			 q == CL_KERNEL_ARG_ADDRESS_CONSTANT;
		if (global != (a->is_global != 0))
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "opencl: CU '%s' argument %u "
					     "'%s': the xclbin says %s, the "
					     "OpenCL kernel has %s",
					     cu_name, i, a->name,
					     a->is_global ? "a pointer"
							  : "a scalar",
					     global ? "a pointer" : "a scalar");
	}
	err = lf__cl.clGetKernelWorkGroupInfo(k, d->info.dev,
					      CL_KERNEL_LOCAL_MEM_SIZE,
					      sizeof(local), &local, NULL);
	if (err == CL_SUCCESS && d->local_mem && local > d->local_mem)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "opencl: CU '%s' needs %llu bytes of "
				     "local memory for the xclbin's tile "
				     "sizes; the device has %llu",
				     cu_name, (unsigned long long)local,
				     (unsigned long long)d->local_mem);
	return LF_OK;
}

static lf_status make_cus(struct ocl_dev *d, const struct lf_xclbin *xb,
			  struct ocl_image *img, const uint32_t *prog_of)
{
	char name[LF_XCLBIN_NAME_MAX * 3];
	cl_int err = CL_SUCCESS;
	lf_status st;

	for (uint32_t c = 0; c < xb->ncus; c++) {
		struct ocl_cu *cu = &img->cus[c];
		const struct lf_xclbin_kernel *xk =
		    &xb->kernels[xb->cus[c].kernel];

		cu->kernel = xb->cus[c].kernel;
		if (d->flavour == LF_OCL_XILINX) {
			st = lf__ocl_xilinx_cu_kernel_name(xb->cus[c].name,
							   name, sizeof(name));
			if (st != LF_OK)
				return st;
		} else {
			kernel_symbol(xk->name, name, sizeof(name));
		}
		cu->k = lf__cl.clCreateKernel(img->prog[prog_of[cu->kernel]],
					      name, &err);
		if (!cu->k)
			return lf__ocl_fail(lf__ocl_status(err),
					    "clCreateKernel", err, "'%s'",
					    name);
		lf__ocl_obj_add(d, LF_OCL_KERNEL);
		img->ncus = c + 1;
		st = check_kernel(d, cu->k, xk, xb->cus[c].name);
		if (st != LF_OK)
			return st;
		cu->q = lf__cl.clCreateCommandQueue(
		    d->ctx, d->info.dev, CL_QUEUE_PROFILING_ENABLE, &err);
		if (!cu->q)
			return lf__ocl_fail(lf__ocl_status(err),
					    "clCreateCommandQueue", err,
					    "CU '%s'", xb->cus[c].name);
		lf__ocl_obj_add(d, LF_OCL_QUEUE);
	}
	return LF_OK;
}

void lf__ocl_image_free(struct ocl_dev *d, struct ocl_image *img)
{
	if (!img)
		return;
	for (uint32_t c = 0; c < img->ncus; c++) {
		lf__ocl_release_queue(d, &img->cus[c].q);
		lf__ocl_release_kernel(d, &img->cus[c].k);
	}
	for (uint32_t p = 0; p < img->nprog; p++)
		lf__ocl_release_program(d, &img->prog[p]);
	free(img->xb);
	free(img);
}

lf_status lf__ocl_load(struct ocl_dev *d, const struct lf_xclbin *xb)
{
	uint32_t prog_of[LF_XCLBIN_MAX_KERNELS];
	uint64_t t0 = lf__ocl_wall_ns();
	struct ocl_image *img, *old;
	lf_status st = lf__drv_check_xclbin(xb, "opencl");

	if (st != LF_OK)
		return st;
	img = calloc(1, sizeof(*img));
	if (!img)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	/* The private copy first: the portable build's own limits go in it
	 * (portable_limits), for its -D options and for query_image. */
	img->xb = malloc(sizeof(*img->xb));
	if (!img->xb) {
		st = lf__drv_error(LF_ERR_NO_MEMORY,
				   "opencl: out of host memory");
		goto fail;
	}
	memcpy(img->xb, xb, sizeof(*xb));
	img->xb->bitstream = NULL;
	img->xb->bitstream_size = 0;
	img->xb->image = NULL;
	img->xb->image_size = 0;
	if (d->flavour != LF_OCL_XILINX)
		portable_limits(img->xb);
	build_banks(xb, img);
	st = build_reach(xb, img);
	if (st == LF_OK)
		st = d->flavour == LF_OCL_XILINX
			 ? load_xilinx(d, xb, img, prog_of)
			 : load_portable(d, img->xb, img, prog_of);
	if (st == LF_OK)
		st = make_cus(d, xb, img, prog_of);
	if (st != LF_OK)
		goto fail;

	/* The core guarantees no buffers or runs are alive. */
	pthread_mutex_lock(&d->mu);
	old = d->img;
	d->img = img;
	if (img->nbanks) {
		d->nbanks = img->nbanks;
		memcpy(d->banks, img->banks, img->nbanks * sizeof(d->banks[0]));
	}
	d->st.build_ns = lf__ocl_wall_ns() - t0;
	pthread_mutex_unlock(&d->mu);
	lf__ocl_image_free(d, old);
	return LF_OK;
fail:
	lf__ocl_image_free(d, img);
	return st;
}
