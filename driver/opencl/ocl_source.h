/*
 * ocl_source.h - the hls/ kernels' OpenCL C text embedded in the library.
 *
 * $(BUILD)/gen/lf_kernels_cl.c (written by driver/opencl/embed_cl.sh at
 * build time) defines the table: one entry per kernel source file, its
 * #includes resolved, so the portable flavour needs no source path at run
 * time. Each text is one OpenCL program.
 */
#ifndef LF_DRIVER_OPENCL_OCL_SOURCE_H
#define LF_DRIVER_OPENCL_OCL_SOURCE_H

#include <stddef.h>

struct lf__ocl_source {
	const char *file;    /* "conv2d.c" */
	const char *kernels; /* kernels it defines, ';'-separated */
	const char *text;
	size_t len;
};

extern const struct lf__ocl_source lf__ocl_sources[];
extern const unsigned lf__ocl_nsources;

#endif /* LF_DRIVER_OPENCL_OCL_SOURCE_H */
