/*
 * xclbin_print.c - the human-readable description of a parsed xclbin that
 * `lf-xclbin --info` and `layerfab info` print: header, kernels and their
 * arguments, compute units, memory banks, connectivity, limits.
 */
#include <stdio.h>
#include <string.h>

#include "driver/xclbin/xclbin.h"

static const char *mode_name(uint32_t mode)
{
	static const char *const names[] = {
	    "flat",   "pr",	"tandem_stage2", "tandem_stage2_with_pr",
	    "hw_emu", "sw_emu", "hw_emu_pr",
	};
	return mode < sizeof(names) / sizeof(names[0]) ? names[mode]
						       : "unknown";
}

static const char *mem_type_name(uint32_t t)
{
	static const char *const names[] = {
	    "DDR3", "DDR4",	 "DRAM", "STREAMING", "PREALLOCATED_GLOB",
	    "ARE",  "HBM",	 "BRAM", "URAM",      "STREAMING_CONNECTION",
	    "HOST", "PS_KERNEL",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

void lf__xclbin_print_size(FILE *f, uint64_t b)
{
	if (b && b % (1ull << 30) == 0)
		fprintf(f, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b && b % (1ull << 20) == 0)
		fprintf(f, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b && b % (1ull << 10) == 0)
		fprintf(f, "%llu KiB", (unsigned long long)(b >> 10));
	else
		fprintf(f, "%llu B", (unsigned long long)b);
}

static void print_kernels(FILE *f, const struct lf_xclbin *x)
{
	fprintf(f, "kernels: %u\n", x->nkernels);
	for (uint32_t k = 0; k < x->nkernels; k++) {
		const struct lf_xclbin_kernel *kn = &x->kernels[k];
		fprintf(f, "  %s (%u args)\n", kn->name, kn->nargs);
		for (uint32_t a = 0; a < kn->nargs; a++) {
			const struct lf_xclbin_arg *g = &kn->args[a];
			fprintf(f,
				"    arg %-2u %-14s offset 0x%02x size %u %-7s "
				"port %s\n",
				g->id, g->name, g->offset, g->size,
				g->is_global ? "global" : "scalar",
				g->port[0] ? g->port : "-");
		}
	}
}

void lf__xclbin_print(FILE *f, const char *path, const struct lf_xclbin *x)
{
	const uint8_t *u = x->uuid;
	fprintf(f, "file: %s (%llu bytes)\n", path,
		(unsigned long long)x->image_size);
	fprintf(f,
		"uuid: %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x\n",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		u[10], u[11], u[12], u[13], u[14], u[15]);
	fprintf(f, "mode: %s (%u)\n", mode_name(x->mode), x->mode);
	fprintf(f, "platform: %s\n", x->platform);
	const struct lf_xclbin_platform *pf;
	for (size_t i = 0; (pf = lf__xclbin_platform_at(i)); i++)
		if (pf->test_only && strcmp(pf->vbnv, x->platform) == 0)
			fprintf(f,
				"profile: %s, TEST-ONLY (an emulation profile "
				"for tests: its CUs, banks and kernel "
				"parameters describe no hardware build)\n",
				pf->name);
	print_kernels(f, x);
	fprintf(f, "compute units: %u\n", x->ncus);
	for (uint32_t c = 0; c < x->ncus; c++)
		fprintf(f, "  %-32s base 0x%llx\n", x->cus[c].name,
			(unsigned long long)x->cus[c].base);
	fprintf(f, "memory banks: %u\n", x->nmems);
	for (uint32_t m = 0; m < x->nmems; m++) {
		const struct lf_xclbin_mem *mm = &x->mems[m];
		fprintf(f, "  [%u] %-10s %-6s base 0x%llx size ", m, mm->tag,
			mem_type_name(mm->type), (unsigned long long)mm->base);
		lf__xclbin_print_size(f, mm->size);
		fprintf(f, "%s\n", mm->used ? "" : " (unused)");
	}
	fprintf(f, "connectivity: %u\n", x->nconn);
	for (uint32_t i = 0; i < x->nconn; i++) {
		const struct lf_xclbin_conn *c = &x->conn[i];
		const struct lf_xclbin_cu *cu = &x->cus[c->cu];
		int a = lf__xclbin_find_arg(x, cu->kernel, c->arg);
		fprintf(f, "  %s arg %u (%s) -> [%u] %s\n", cu->name, c->arg,
			a >= 0 ? x->kernels[cu->kernel].args[a].name : "?",
			c->mem, x->mems[c->mem].tag);
	}
	/* The LF_* keys are the -D parameters of the build (LF_PARAMS in
	 * hls/lf_config.h); the rest are the limits the host plans from. */
	uint32_t nparams = 0;
	for (uint32_t i = 0; i < x->nlimits; i++)
		nparams += strncmp(x->limits[i].key, "LF_", 3) == 0;
	fprintf(f, "limits: %u\n", x->nlimits - nparams);
	for (uint32_t i = 0; i < x->nlimits; i++)
		if (strncmp(x->limits[i].key, "LF_", 3) != 0)
			fprintf(f, "  %s=%lld\n", x->limits[i].key,
				(long long)x->limits[i].value);
	if (nparams)
		fprintf(f, "kernel parameters (-D, as built): %u\n", nparams);
	else
		fprintf(f, "kernel parameters: not recorded\n");
	for (uint32_t i = 0; i < x->nlimits; i++)
		if (strncmp(x->limits[i].key, "LF_", 3) == 0)
			fprintf(f, "  %s=%lld\n", x->limits[i].key,
				(long long)x->limits[i].value);
	fprintf(f, "bitstream: %llu bytes\n",
		(unsigned long long)(x->bitstream ? x->bitstream_size : 0));
}
