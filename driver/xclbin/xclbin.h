/*
 * xclbin.h - reading and writing xclbin files (internal to driver/).
 *
 * The reader parses the axlf container (Debian's <xrt/xclbin.h> structs)
 * and the sections layerfab needs into plain C structs, validating every
 * byte it touches; a bad file gets LF_ERR_BAD_FILE and a precise message,
 * never a crash. The same reader handles our emulation xclbins and real
 * v++-built ones. The writer builds emulation xclbins (Debian's xclbinutil
 * has no binary behind its wrapper).
 *
 * Kernel limits (tile sizes, MAC parallelism, clock) travel as "key=value"
 * lines in a section of kind USER_METADATA named "layerfab_limits", which
 * `xclbinutil --add-section USER_METADATA:RAW:file` can attach to a
 * v++-built xclbin too. Keys are "<kernel>.<name>", e.g.
 * "lfk_conv2d.pe_oc=16"; hls/limits_dump.c prints them for a build.
 */
#ifndef LF_DRIVER_XCLBIN_H
#define LF_DRIVER_XCLBIN_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

#define LF_XCLBIN_NAME_MAX 64
#define LF_XCLBIN_MAX_KERNELS 32
#define LF_XCLBIN_MAX_ARGS 32
#define LF_XCLBIN_MAX_CUS 64
#define LF_XCLBIN_MAX_MEMS 128
#define LF_XCLBIN_MAX_CONN 1024
#define LF_XCLBIN_MAX_LIMITS 64

/* One kernel argument, from EMBEDDED_METADATA. */
struct lf_xclbin_arg {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t id;        /* argument index */
	uint32_t offset;    /* register-map offset */
	uint32_t size;      /* register bytes (8 for a pointer) */
	uint32_t is_global; /* addressQualifier 1: a pointer to device memory */
	char port[LF_XCLBIN_NAME_MAX]; /* e.g. "M_AXI_GMEM0" or "S_AXI_CONTROL" */
};

struct lf_xclbin_kernel {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t nargs;
	struct lf_xclbin_arg args[LF_XCLBIN_MAX_ARGS];
};

/* One compute unit, from IP_LAYOUT ("kernel:instance"). */
struct lf_xclbin_cu {
	char name[LF_XCLBIN_NAME_MAX * 2]; /* "kernel:instance" */
	uint32_t kernel;                   /* index into kernels[] */
	uint64_t base;
};

/* One memory bank, from MEM_TOPOLOGY. */
struct lf_xclbin_mem {
	char tag[16]; /* "DDR[0]", "HBM[3]", "bank0" ... */
	uint32_t type;  /* enum MEM_TYPE of xclbin.h */
	uint32_t used;
	uint64_t base;
	uint64_t size;  /* bytes */
};

/* One CONNECTIVITY entry: argument arg of CU cu uses memory mem. */
struct lf_xclbin_conn {
	uint32_t arg, cu, mem;
};

struct lf_xclbin_limit {
	char key[LF_XCLBIN_NAME_MAX];
	int64_t value;
};

/* A parsed xclbin. The bitstream points into the file image it owns. */
struct lf_xclbin {
	uint8_t uuid[16];
	uint32_t mode; /* XCLBIN_MODE of the header */
	char platform[LF_XCLBIN_NAME_MAX * 2]; /* m_platformVBNV */
	uint32_t nkernels, ncus, nmems, nconn, nlimits;
	struct lf_xclbin_kernel kernels[LF_XCLBIN_MAX_KERNELS];
	struct lf_xclbin_cu cus[LF_XCLBIN_MAX_CUS];
	struct lf_xclbin_mem mems[LF_XCLBIN_MAX_MEMS];
	struct lf_xclbin_conn conn[LF_XCLBIN_MAX_CONN];
	struct lf_xclbin_limit limits[LF_XCLBIN_MAX_LIMITS];
	const uint8_t *bitstream; /* BITSTREAM section, or NULL */
	uint64_t bitstream_size;
	uint8_t *image;           /* the whole file, owned */
	uint64_t image_size;
};

/*
 * lf__xclbin_parse() - parse an xclbin image in memory (copied; the caller
 * keeps its buffer). On success *out is set and must be released with
 * lf__xclbin_free(). On failure *out is untouched and, if err is not NULL,
 * a message naming the offending field is written to err (errlen bytes).
 */
lf_status lf__xclbin_parse(const void *data, size_t size,
			   struct lf_xclbin **out, char *err, size_t errlen);

/* lf__xclbin_load() - read a file and parse it, as lf__xclbin_parse(). */
lf_status lf__xclbin_load(const char *path, struct lf_xclbin **out, char *err,
			  size_t errlen);

void lf__xclbin_free(struct lf_xclbin *x);

/* Limit value by key ("lfk_conv2d.pe_oc"); returns dflt when absent. */
int64_t lf__xclbin_limit(const struct lf_xclbin *x, const char *key,
			 int64_t dflt);

/* Index of the kernel / CU with that name, or -1. */
int lf__xclbin_find_kernel(const struct lf_xclbin *x, const char *name);

/* Memory bank index that argument arg of CU cu is connected to, or -1. */
int lf__xclbin_arg_mem(const struct lf_xclbin *x, uint32_t cu, uint32_t arg);

#endif /* LF_DRIVER_XCLBIN_H */
