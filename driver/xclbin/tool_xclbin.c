/*
 * tool_xclbin.c - lf-xclbin: build an emulation xclbin, or print what the
 * reader makes of any xclbin (ours or a v++ one).
 *
 *   lf-xclbin --out F --platform aws-f1 --kernels-so lfkernels.so
 *             [--limits limits.txt] --kernel lfk_conv2d:2
 *             [--kernel lfk_matmul:1 ...] [--bank-size 1M]
 *   lf-xclbin --info F
 *   lf-xclbin --platforms
 *
 * m_timeStamp is $SOURCE_DATE_EPOCH when set, else 0, so a rebuild from the
 * same inputs gives the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/xclbin/xclbin.h"

#define ERRLEN 512

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lf-xclbin --out FILE --platform NAME --kernels-so SO\n"
		"                 [--limits FILE] --kernel NAME:CUS "
		"[--kernel ...]\n"
		"                 [--bank-size SIZE[K|M|G]]\n"
		"       lf-xclbin --info FILE\n"
		"       lf-xclbin --platforms\n");
}

static int read_file(const char *path, char **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;
	if (!f) {
		fprintf(stderr, "lf-xclbin: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "lf-xclbin: %s: cannot seek\n", path);
		fclose(f);
		return -1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "lf-xclbin: %s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = buf;
	*size = (size_t)n;
	return 0;
}

/* Writes next to the target and renames, so make never sees half a file. */
static int write_file(const char *path, const uint8_t *data, size_t size)
{
	char tmp[4096];
	FILE *f;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		fprintf(stderr, "lf-xclbin: %s: path too long\n", path);
		return -1;
	}
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "lf-xclbin: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "lf-xclbin: %s: write failed\n", tmp);
		remove(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "lf-xclbin: %s: %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

/* "64K", "1M", "2G", "4096": bytes, or 0 for anything else. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || s[0] == '-')
		return 0;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30;
	else if (*end)
		return 0;
	if (*end && end[1])
		return 0;
	if (v > UINT64_MAX / mul)
		return 0;
	return v * mul;
}

static int add_kernel(struct lf_xclbin_spec *s, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	unsigned long n;
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	if (s->nkernels >= LF_XCLBIN_MAX_KERNELS) {
		fprintf(stderr, "lf-xclbin: more than %d kernels\n",
			LF_XCLBIN_MAX_KERNELS);
		return -1;
	}
	if (len == 0 || len >= LF_XCLBIN_NAME_MAX) {
		fprintf(stderr, "lf-xclbin: --kernel %s: bad name\n", arg);
		return -1;
	}
	n = 1;
	if (colon) {
		errno = 0;
		n = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || n == 0 ||
		    n > LF_XCLBIN_MAX_CUS) {
			fprintf(stderr,
				"lf-xclbin: --kernel %s: CU count must be 1 to "
				"%d\n",
				arg, LF_XCLBIN_MAX_CUS);
			return -1;
		}
	}
	struct lf_xclbin_wkernel *k = &s->kernels[s->nkernels++];
	memcpy(k->name, arg, len);
	k->name[len] = 0;
	k->ncus = (uint32_t)n;
	return 0;
}

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

static void print_size(uint64_t b)
{
	if (b && b % (1ull << 30) == 0)
		printf("%llu GiB", (unsigned long long)(b >> 30));
	else if (b && b % (1ull << 20) == 0)
		printf("%llu MiB", (unsigned long long)(b >> 20));
	else if (b && b % (1ull << 10) == 0)
		printf("%llu KiB", (unsigned long long)(b >> 10));
	else
		printf("%llu B", (unsigned long long)b);
}

static void print_kernels(const struct lf_xclbin *x)
{
	printf("kernels: %u\n", x->nkernels);
	for (uint32_t k = 0; k < x->nkernels; k++) {
		const struct lf_xclbin_kernel *kn = &x->kernels[k];
		printf("  %s (%u args)\n", kn->name, kn->nargs);
		for (uint32_t a = 0; a < kn->nargs; a++) {
			const struct lf_xclbin_arg *g = &kn->args[a];
			printf("    arg %-2u %-14s offset 0x%02x size %u %-7s "
			       "port %s\n",
			       g->id, g->name, g->offset, g->size,
			       g->is_global ? "global" : "scalar",
			       g->port[0] ? g->port : "-");
		}
	}
}

static void print_info(const char *path, const struct lf_xclbin *x)
{
	const uint8_t *u = x->uuid;
	printf("file: %s (%llu bytes)\n", path,
	       (unsigned long long)x->image_size);
	printf("uuid: %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	       "%02x%02x%02x%02x%02x%02x\n",
	       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
	       u[10], u[11], u[12], u[13], u[14], u[15]);
	printf("mode: %s (%u)\n", mode_name(x->mode), x->mode);
	printf("platform: %s\n", x->platform);
	print_kernels(x);
	printf("compute units: %u\n", x->ncus);
	for (uint32_t c = 0; c < x->ncus; c++)
		printf("  %-32s base 0x%llx\n", x->cus[c].name,
		       (unsigned long long)x->cus[c].base);
	printf("memory banks: %u\n", x->nmems);
	for (uint32_t m = 0; m < x->nmems; m++) {
		const struct lf_xclbin_mem *mm = &x->mems[m];
		printf("  [%u] %-10s %-6s base 0x%llx size ", m, mm->tag,
		       mem_type_name(mm->type), (unsigned long long)mm->base);
		print_size(mm->size);
		printf("%s\n", mm->used ? "" : " (unused)");
	}
	printf("connectivity: %u\n", x->nconn);
	for (uint32_t i = 0; i < x->nconn; i++) {
		const struct lf_xclbin_conn *c = &x->conn[i];
		const struct lf_xclbin_cu *cu = &x->cus[c->cu];
		int a = lf__xclbin_find_arg(x, cu->kernel, c->arg);
		printf("  %s arg %u (%s) -> [%u] %s\n", cu->name, c->arg,
		       a >= 0 ? x->kernels[cu->kernel].args[a].name : "?",
		       c->mem, x->mems[c->mem].tag);
	}
	printf("limits: %u\n", x->nlimits);
	for (uint32_t i = 0; i < x->nlimits; i++)
		printf("  %s=%lld\n", x->limits[i].key,
		       (long long)x->limits[i].value);
	printf("bitstream: %llu bytes\n",
	       (unsigned long long)(x->bitstream ? x->bitstream_size : 0));
}

static int cmd_info(const char *path)
{
	struct lf_xclbin *x;
	char err[ERRLEN];
	lf_status st = lf__xclbin_load(path, &x, err, sizeof(err));
	if (st) {
		fprintf(stderr, "lf-xclbin: %s (%s)\n", err,
			lf_status_name(st));
		return 1;
	}
	print_info(path, x);
	lf__xclbin_free(x);
	return 0;
}

static int cmd_platforms(void)
{
	const struct lf_xclbin_platform *p;
	for (size_t i = 0; (p = lf__xclbin_platform_at(i)); i++) {
		uint64_t total = 0;
		for (uint32_t b = 0; b < p->nbanks; b++)
			total += p->banks[b].size;
		printf("%-8s %-46s %2u banks, ", p->name, p->vbnv, p->nbanks);
		print_size(total);
		printf("\n");
	}
	return 0;
}

struct build_args {
	const char *out, *platform, *so, *limits;
	struct lf_xclbin_spec spec;
};

static int cmd_build(struct build_args *a)
{
	char *so = NULL, *limits = NULL;
	size_t so_n = 0, limits_n = 0;
	uint8_t *img = NULL;
	size_t img_n = 0;
	char err[ERRLEN];
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int rc = 1;
	if (!a->out || !a->platform || !a->so || !a->spec.nkernels) {
		usage(stderr);
		return 2;
	}
	a->spec.platform = lf__xclbin_platform_find(a->platform);
	if (!a->spec.platform) {
		fprintf(stderr,
			"lf-xclbin: unknown platform '%s' (see --platforms)\n",
			a->platform);
		return 2;
	}
	if (read_file(a->so, &so, &so_n) ||
	    (a->limits && read_file(a->limits, &limits, &limits_n)))
		goto out;
	a->spec.bitstream = so;
	a->spec.bitstream_size = so_n;
	a->spec.limits = limits;
	a->spec.limits_size = limits_n;
	a->spec.timestamp = sde ? strtoull(sde, NULL, 10) : 0;
	lf_status st =
	    lf__xclbin_build(&a->spec, &img, &img_n, err, sizeof(err));
	if (st) {
		fprintf(stderr, "lf-xclbin: %s: %s (%s)\n", a->out, err,
			lf_status_name(st));
		goto out;
	}
	if (write_file(a->out, img, img_n) == 0)
		rc = 0;
out:
	free(so);
	free(limits);
	free(img);
	return rc;
}

int main(int argc, char **argv)
{
	struct build_args a;
	memset(&a, 0, sizeof(a));
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(o, "--platforms") == 0)
			return cmd_platforms();
		if (!v) {
			fprintf(stderr, "lf-xclbin: %s needs a value\n", o);
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(o, "--info") == 0) {
			return cmd_info(v);
		} else if (strcmp(o, "--out") == 0) {
			a.out = v;
		} else if (strcmp(o, "--platform") == 0) {
			a.platform = v;
		} else if (strcmp(o, "--kernels-so") == 0) {
			a.so = v;
		} else if (strcmp(o, "--limits") == 0) {
			a.limits = v;
		} else if (strcmp(o, "--kernel") == 0) {
			if (add_kernel(&a.spec, v))
				return 2;
		} else if (strcmp(o, "--bank-size") == 0) {
			a.spec.bank_size = parse_size(v);
			if (!a.spec.bank_size) {
				fprintf(stderr,
					"lf-xclbin: --bank-size %s: not a "
					"size\n",
					v);
				return 2;
			}
		} else {
			fprintf(stderr, "lf-xclbin: unknown option %s\n", o);
			usage(stderr);
			return 2;
		}
	}
	return cmd_build(&a);
}
