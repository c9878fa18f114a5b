/*
 * opencl.h - what the OpenCL backend offers beyond the driver vtable:
 * its statistics (build cache, live OpenCL objects) for tests and tools,
 * and a few pure helpers the tests check directly.
 *
 * Only declared when the backend is built (LF_HAVE_OPENCL, set by
 * driver/module.mk when the OpenCL headers and ICD loader are found);
 * nothing here needs <CL/cl.h>.
 */
#ifndef LF_DRIVER_OPENCL_H
#define LF_DRIVER_OPENCL_H

#include <stdint.h>

#include "driver/driver.h"

/* The backend's vtable, registered by driver/core/registry.c. */
extern const struct lf_backend_ops lf__opencl_backend;

/* Kinds of OpenCL objects the backend creates and must release. */
enum lf_ocl_obj {
	LF_OCL_CONTEXT = 0,
	LF_OCL_QUEUE = 1,
	LF_OCL_PROGRAM = 2,
	LF_OCL_KERNEL = 3,
	LF_OCL_MEM = 4, /* buffers and sub-buffers */
	LF_OCL_EVENT = 5,
	LF_OCL_NOBJ = 6
};

/* Flavours: what the platform decides (see README.md). */
enum lf_ocl_flavour {
	LF_OCL_PORTABLE = 0, /* hls/ kernels built from OpenCL C */
	LF_OCL_XILINX = 1    /* the xclbin itself, on Xilinx's runtime */
};

struct lf_ocl_stats {
	enum lf_ocl_flavour flavour;
	uint64_t live[LF_OCL_NOBJ]; /* objects of this device alive now */
	uint64_t src_builds;	    /* programs compiled from source */
	uint64_t cache_hits;	    /* programs loaded from the build cache */
	uint64_t cache_misses;	    /* no usable entry (then built) */
	uint64_t cache_stores;	    /* entries written */
	uint64_t cache_rejects;	    /* entries present but unusable */
	uint64_t cache_errors;	    /* cache directory or file I/O failures */
	uint64_t sub_buffers;	    /* created for pointer args with offsets */
	uint64_t build_ns;	    /* host time spent in the last load */
	uint64_t base_align;	    /* bytes: sub-buffer offsets' multiple */
	uint64_t max_alloc;	    /* bytes: largest buffer */
	char cache_dir[256];	    /* "" when the cache is off */
};

/*
 * lf__ocl_stats() - statistics of an open "opencl" device.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL, or a device of another backend).
 */
lf_status lf__ocl_stats(lf_dev *dev, struct lf_ocl_stats *out);

/* OpenCL objects alive in the whole process, all devices together. */
uint64_t lf__ocl_live_total(void);

/*
 * lf__ocl_find_device() - the flat device index that a selector names
 * (what follows "opencl:"): "" (the first device), "N", or
 * "<platform substring>/<device substring>" (':' also separates, for the
 * device-string grammar of driver/core/spec.c), or one substring matched
 * against device and platform names; substrings are case-insensitive and
 * either side may be empty.
 * Return: LF_OK; LF_ERR_NOT_FOUND (no platform, or no such device: the
 * message lists what there is); LF_ERR_BACKEND.
 */
lf_status lf__ocl_find_device(const char *selector, uint32_t *index);

/* "CL_BUILD_PROGRAM_FAILURE" for -11; "CL_UNKNOWN_ERROR(-1234)" style
 * text is never returned: unknown codes give "CL_UNKNOWN_ERROR". */
const char *lf__ocl_err_name(int32_t err);

/* The lf_status an OpenCL error code maps to (LF_ERR_BACKEND if none
 * is closer). */
lf_status lf__ocl_status(int32_t err);

/* Xilinx's name for one CU in clCreateKernel: "k:inst" -> "k:{inst}".
 * Return: LF_OK; LF_ERR_INVALID_ARG (no ':' or no room). */
lf_status lf__ocl_xilinx_cu_kernel_name(const char *cu_name, char *out,
					size_t len);

#endif /* LF_DRIVER_OPENCL_H */
