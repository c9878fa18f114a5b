/*
 * tool_xclbin.c - lf-xclbin: build an emulation xclbin, or print what the
 * reader makes of any xclbin (ours or a v++ one).
 *
 *   lf-xclbin --out F --platform aws-f1 --kernels-so lfkernels.so
 *             [--limits limits.txt] --kernel lfk_conv2d:2
 *             [--kernel lfk_matmul:1 ...] [--bank-size 1M]
 *             [--sp lfk_conv2d_1.act:DDR[0] ...]
 *   lf-xclbin --info F
 *   lf-xclbin --platforms
 *
 * --kernel NAME:CUS and --sp CU.ARG:BANK take what a v++ link.cfg's nk= and
 * sp= lines say (bitstreams/module.mk feeds them from bitstreams/<p>/
 * link.cfg), so an emulation xclbin has the CUs and bank connectivity of
 * the hardware link.
 *
 * m_timeStamp is $SOURCE_DATE_EPOCH when set, else 0, so a rebuild from the
 * same inputs gives the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/lf_file.h"
#include "driver/xclbin/xclbin.h"

#define ERRLEN 512

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lf-xclbin --out FILE --platform NAME --kernels-so SO\n"
		"                 [--limits FILE] --kernel NAME:CUS "
		"[--kernel ...]\n"
		"                 [--bank-size SIZE[K|M|G]] "
		"[--sp CU.ARG:BANK ...]\n"
		"       lf-xclbin --info FILE\n"
		"       lf-xclbin --platforms\n");
}

/* The build's own inputs (kernels .so, limits text), as safely as any
 * xclbin: base/lf_file.h. */
static int read_file(const char *path, char **data, size_t *size)
{
	char err[ERRLEN];
	uint8_t *buf = NULL;
	lf_status st = lf__file_read(path, LF_XCLBIN_FILE_MAX, &buf, size, err,
				     sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "lf-xclbin: %s (%s)\n", err,
			lf_status_name(st));
		return -1;
	}
	*data = (char *)buf;
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

/* "lfk_engine_1.desc:HBM[8:15]", as a link.cfg sp= line has it. */
static int add_sp(struct lf_xclbin_spec *s, const char *arg)
{
	const char *dot = strchr(arg, '.');
	const char *colon = dot ? strchr(dot, ':') : NULL;
	struct lf_xclbin_wsp *w;
	if (s->nsp >= LF_XCLBIN_MAX_SP) {
		fprintf(stderr, "lf-xclbin: more than %d --sp\n",
			LF_XCLBIN_MAX_SP);
		return -1;
	}
	if (!dot || !colon || dot == arg || colon == dot + 1 || !colon[1] ||
	    (size_t)(dot - arg) >= sizeof(w->cu) ||
	    (size_t)(colon - dot - 1) >= sizeof(w->arg) ||
	    strlen(colon + 1) >= sizeof(w->bank)) {
		fprintf(stderr,
			"lf-xclbin: --sp %s: expected CU.ARG:BANK (e.g. "
			"lfk_engine_1.act:DDR[0])\n",
			arg);
		return -1;
	}
	w = &s->sp[s->nsp++];
	memcpy(w->cu, arg, (size_t)(dot - arg));
	w->cu[dot - arg] = 0;
	memcpy(w->arg, dot + 1, (size_t)(colon - dot - 1));
	w->arg[colon - dot - 1] = 0;
	snprintf(w->bank, sizeof(w->bank), "%s", colon + 1);
	return 0;
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
	lf__xclbin_print(stdout, path, x);
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
		lf__xclbin_print_size(stdout, total);
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
		} else if (strcmp(o, "--sp") == 0) {
			if (add_sp(&a.spec, v))
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
