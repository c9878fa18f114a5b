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
#include <stdio.h>

#include "layerfab.h"

#define LF_XCLBIN_NAME_MAX    64
#define LF_XCLBIN_MAX_KERNELS 32
#define LF_XCLBIN_MAX_ARGS    32
#define LF_XCLBIN_MAX_CUS     64
#define LF_XCLBIN_MAX_MEMS    128
#define LF_XCLBIN_MAX_CONN    1024
#define LF_XCLBIN_MAX_LIMITS  128
#define LF_XCLBIN_MAX_SP      256

/* One kernel argument, from EMBEDDED_METADATA. */
struct lf_xclbin_arg {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t id;	    /* argument index */
	uint32_t offset;    /* register-map offset */
	uint32_t size;	    /* register bytes (8 for a pointer) */
	uint32_t is_global; /* addressQualifier 1 or 2: a pointer to device
			     * memory */
	/* e.g. "M_AXI_GMEM0" or "S_AXI_CONTROL"; "" when the XML has none */
	char port[LF_XCLBIN_NAME_MAX];
	/* addressQualifier as written: 0 scalar, 1 global, 2 constant,
	 * 3 local, 4 stream */
	uint32_t addr_qualifier;
};

struct lf_xclbin_kernel {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t nargs;
	struct lf_xclbin_arg args[LF_XCLBIN_MAX_ARGS];
};

/*
 * One compute unit: an IP_KERNEL entry of IP_LAYOUT ("kernel:instance") of
 * a kernel EMBEDDED_METADATA describes, in IP_LAYOUT order; in a file
 * without IP_LAYOUT, an <instance> with an <addrRemap base>.
 */
struct lf_xclbin_cu {
	char name[LF_XCLBIN_NAME_MAX * 2]; /* "kernel:instance" */
	uint32_t kernel;		   /* index into kernels[] */
	uint64_t base;
};

/*
 * One MEM_TOPOLOGY entry; mems[i] is entry i, so CONNECTIVITY's indices
 * hold. Unused banks are kept (used = 0); streams have base = size = 0.
 */
struct lf_xclbin_mem {
	char tag[16];  /* "DDR[0]", "HBM[3]", "bank0" ... */
	uint32_t type; /* enum MEM_TYPE of xclbin.h */
	uint32_t used;
	uint64_t base;
	uint64_t size; /* bytes (the file says KiB) */
};

/*
 * One CONNECTIVITY entry: the argument with id arg of cus[cu] uses
 * mems[mem]. Entries for IPs that are not in cus[] are dropped.
 */
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
	uint32_t mode;			       /* XCLBIN_MODE of the header */
	char platform[LF_XCLBIN_NAME_MAX * 2]; /* m_platformVBNV */
	uint32_t nkernels, ncus, nmems, nconn, nlimits;
	struct lf_xclbin_kernel kernels[LF_XCLBIN_MAX_KERNELS];
	struct lf_xclbin_cu cus[LF_XCLBIN_MAX_CUS];
	struct lf_xclbin_mem mems[LF_XCLBIN_MAX_MEMS];
	struct lf_xclbin_conn conn[LF_XCLBIN_MAX_CONN];
	struct lf_xclbin_limit limits[LF_XCLBIN_MAX_LIMITS];
	const uint8_t *bitstream; /* BITSTREAM section, or NULL */
	uint64_t bitstream_size;
	uint8_t *image; /* the whole file, owned */
	uint64_t image_size;
};

/*
 * lf__xclbin_parse() - parse an xclbin image in memory (copied; the caller
 * keeps its buffer). On success *out is set and must be released with
 * lf__xclbin_free(). On failure *out is untouched and, if err is not NULL,
 * a message naming the offending field is written to err (errlen bytes).
 * Return: LF_OK; LF_ERR_BAD_FILE (malformed); LF_ERR_UNSUPPORTED (well
 * formed but beyond the LF_XCLBIN_MAX_* above); LF_ERR_NO_MEMORY;
 * LF_ERR_INVALID_ARG. lf__xclbin_load() adds LF_ERR_NOT_FOUND and
 * LF_ERR_IO.
 */
lf_status lf__xclbin_parse(const void *data, size_t size,
			   struct lf_xclbin **out, char *err, size_t errlen);

/*
 * The largest xclbin file read, 1 GiB: Vitis xclbins for the supported
 * cards are tens to a few hundred MiB. A larger file, or anything but a
 * regular file (a FIFO, a directory), is refused before it is read.
 */
#define LF_XCLBIN_FILE_MAX (1ull << 30)

/*
 * lf__xclbin_load() - read a file and parse it, as lf__xclbin_parse().
 * Also: LF_ERR_NOT_FOUND (no such file), LF_ERR_IO (unreadable, or not a
 * regular file), LF_ERR_UNSUPPORTED (over LF_XCLBIN_FILE_MAX).
 */
lf_status lf__xclbin_load(const char *path, struct lf_xclbin **out, char *err,
			  size_t errlen);

void lf__xclbin_free(struct lf_xclbin *x);

/* Limit value by key ("lfk_conv2d.pe_oc"); returns dflt when absent. */
int64_t lf__xclbin_limit(const struct lf_xclbin *x, const char *key,
			 int64_t dflt);

/* Index of the kernel / CU with that name, or -1. */
int lf__xclbin_find_kernel(const struct lf_xclbin *x, const char *name);
int lf__xclbin_find_cu(const struct lf_xclbin *x, const char *name);

/* Index into kernels[k].args[] of the argument with that id, or -1. */
int lf__xclbin_find_arg(const struct lf_xclbin *x, uint32_t k, uint32_t id);

/* Memory bank index that argument arg of CU cu is connected to, or -1. */
int lf__xclbin_arg_mem(const struct lf_xclbin *x, uint32_t cu, uint32_t arg);

/*
 * lf__xclbin_print() - describe @x to @f as `lf-xclbin --info` and
 * `layerfab info` show it (xclbin_print.c); @path names the file.
 * lf__xclbin_print_size() prints a byte count as "16 GiB", "512 KiB".
 */
void lf__xclbin_print(FILE *f, const char *path, const struct lf_xclbin *x);
void lf__xclbin_print_size(FILE *f, uint64_t bytes);

/* ---- writer ------------------------------------------------------------ */

/*
 * A platform profile: what an emulation xclbin says about a card. Banks are
 * listed in MEM_TOPOLOGY order; sizes are in bytes. The profiles and their
 * sources are in xclbin_platform.c.
 */
struct lf_xclbin_bank {
	const char *tag; /* "DDR[0]", "HBM[31]" */
	uint32_t type;	 /* enum MEM_TYPE */
	uint64_t size;
};

struct lf_xclbin_platform {
	const char *name; /* "aws-f1", "u250", "u280", "u55c", "tiny" */
	const char *vbnv; /* m_platformVBNV of real xclbins for the card */
	uint32_t nbanks;
	const struct lf_xclbin_bank *banks;
	int test_only; /* a profile for tests that describes no card (tiny) */
};

/* The profile with that name, or NULL. */
const struct lf_xclbin_platform *lf__xclbin_platform_find(const char *name);
/* Profiles by index 0..n-1 (for listing them); NULL past the end. */
const struct lf_xclbin_platform *lf__xclbin_platform_at(size_t i);

/* One kernel of an emulation xclbin and its CU count. */
struct lf_xclbin_wkernel {
	char name[LF_XCLBIN_NAME_MAX];
	uint32_t ncus;
};

/*
 * One v++ link.cfg `sp=` line: pointer argument @arg ("desc", "params",
 * "act") of CU @cu ("lfk_engine_1") uses bank @bank: a tag of the
 * platform ("DDR[3]") or a range of them ("HBM[8:15]", every bank from
 * HBM[8] to HBM[15], one CONNECTIVITY entry each).
 */
struct lf_xclbin_wsp {
	char cu[LF_XCLBIN_NAME_MAX];
	char arg[LF_XCLBIN_NAME_MAX];
	char bank[LF_XCLBIN_NAME_MAX];
};

/*
 * What lf__xclbin_build() makes an emulation xclbin from. Every kernel has
 * the argument list of hls/lf_desc.h; CU i of a kernel is "<k>:<k>_<i+1>"
 * (v++'s default names). Without sp entries the ports are spread over the
 * banks (xclbin_write.c, conn_bank); with them, every pointer argument of
 * every CU must have exactly one, as in a link.cfg that places them all.
 */
struct lf_xclbin_spec {
	const struct lf_xclbin_platform *platform;
	uint64_t bank_size;    /* 0: the profile's sizes; else every bank's */
	const void *bitstream; /* the kernels' shared object (BITSTREAM) */
	size_t bitstream_size;
	const char *limits; /* "key=value" lines, or NULL */
	size_t limits_size;
	uint64_t timestamp; /* m_timeStamp; 0 for reproducible files */
	uint32_t nkernels;
	struct lf_xclbin_wkernel kernels[LF_XCLBIN_MAX_KERNELS];
	uint32_t nsp;
	struct lf_xclbin_wsp sp[LF_XCLBIN_MAX_SP];
};

/*
 * lf__xclbin_build() - build an emulation xclbin (m_mode XCLBIN_SW_EMU):
 * EMBEDDED_METADATA in v++'s format, IP_LAYOUT, MEM_TOPOLOGY, CONNECTIVITY,
 * USER_METADATA "layerfab_limits" and BITSTREAM. The UUID is derived from
 * the content, so the same inputs give the same bytes. On success *out is a
 * malloc()ed image of *out_size bytes the caller free()s; on failure the
 * outputs are untouched and err says why (LF_ERR_INVALID_ARG for a bad
 * spec, LF_ERR_NO_MEMORY).
 */
lf_status lf__xclbin_build(const struct lf_xclbin_spec *spec, uint8_t **out,
			   size_t *out_size, char *err, size_t errlen);

/* Register-map offset of argument id (0..5) of the lf_desc.h kernel ABI. */
uint32_t lf__xclbin_abi_offset(uint32_t id);

/* One section for lf__xclbin_pack(). */
struct lf_xclbin_section {
	uint32_t kind;	  /* enum axlf_section_kind */
	const char *name; /* m_sectionName, at most 15 characters */
	const void *data;
	uint64_t size;
};

/* The container fields lf__xclbin_pack() does not derive itself. */
struct lf_xclbin_pack_info {
	uint32_t mode;	     /* enum XCLBIN_MODE */
	const char *vbnv;    /* at most 63 characters */
	const uint8_t *uuid; /* 16 bytes, or NULL: derived from content */
	uint64_t timestamp;
};

/*
 * lf__xclbin_pack() - lay sections out as an axlf container the way
 * xclbinutil does (headers, then each section 8-byte aligned, m_length =
 * file size). Output as for lf__xclbin_build(). Tests use it to make
 * malformed files.
 */
lf_status lf__xclbin_pack(const struct lf_xclbin_pack_info *info,
			  const struct lf_xclbin_section *sections,
			  uint32_t nsections, uint8_t **out, size_t *out_size,
			  char *err, size_t errlen);

#endif /* LF_DRIVER_XCLBIN_H */
