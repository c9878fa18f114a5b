/* test_emu_util.c - helpers of the "emu" suite (see test_emu.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/emu/emu.h"
#include "driver/xclbin/xclbin.h"
#include "test_emu.h"

lf_dev *lf_test_emu_open(const char *spec)
{
	lf_dev *dev = NULL;
	lf_status st = lf__dev_open(spec, &dev);

	if (st != LF_OK)
		fprintf(stderr, "\nopen %s: %s\n", spec, lf__drv_last_error());
	CU_ASSERT_EQUAL(st, LF_OK);
	return dev;
}

lf_status lf_test_emu_load_file(lf_dev *dev, const char *profile)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/bitstreams/emu-%s.xclbin",
		 lf_test_build_dir(), profile);
	return lf__dev_load_xclbin_file(dev, path);
}

uint8_t *lf_test_emu_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

lf_status lf_test_emu_load_probe(lf_dev *dev, const char *platform,
				 const char *kernel, uint32_t ncus,
				 const char *limits, const void *bitstream,
				 size_t bitstream_size)
{
	struct lf_xclbin_spec *spec = calloc(1, sizeof(*spec));
	struct lf_xclbin *xb = NULL;
	uint8_t *so = NULL, *img = NULL;
	size_t so_size = 0, img_size = 0;
	char path[512], err[256] = "";
	lf_status st = LF_ERR_IO;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	if (!bitstream) {
		snprintf(path, sizeof(path), "%s/tests/emu_probe.so",
			 lf_test_build_dir());
		so = lf_test_emu_read_file(path, &so_size);
		if (!so) {
			fprintf(stderr, "\ncannot read %s\n", path);
			goto out;
		}
		bitstream = so;
		bitstream_size = so_size;
	}
	spec->platform = lf__xclbin_platform_find(platform);
	spec->bitstream = bitstream;
	spec->bitstream_size = bitstream_size;
	spec->limits = limits;
	spec->limits_size = limits ? strlen(limits) : 0;
	spec->nkernels = 1;
	snprintf(spec->kernels[0].name, sizeof(spec->kernels[0].name), "%s",
		 kernel);
	spec->kernels[0].ncus = ncus;
	st = lf__xclbin_build(spec, &img, &img_size, err, sizeof(err));
	if (st == LF_OK)
		st = lf__xclbin_parse(img, img_size, &xb, err, sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "\nprobe xclbin: %s\n", err);
		goto out;
	}
	/* The probe is test code, not a kernel build of the library: the
	 * explicit opt-in the emulator asks for (driver/emu/emu_trust.c). */
	st = lf__emu_dev_trust_xclbin(dev);
	if (st == LF_OK) {
		st = lf__dev_load_xclbin(dev, xb);
	} else if (st == LF_ERR_INVALID_ARG) {
		/* Another backend on the emulator's device core (aws:sim):
		 * the process-wide opt-in, for this load only. */
		const char *was = getenv("LAYERFAB_TRUST_XCLBIN");
		char *keep = was ? strdup(was) : NULL;
		setenv("LAYERFAB_TRUST_XCLBIN", "1", 1);
		st = lf__dev_load_xclbin(dev, xb);
		if (keep)
			setenv("LAYERFAB_TRUST_XCLBIN", keep, 1);
		else
			unsetenv("LAYERFAB_TRUST_XCLBIN");
		free(keep);
	}
out:
	lf__xclbin_free(xb);
	free(img);
	free(so);
	free(spec);
	return st;
}

lf_status lf_test_emu_probe_alloc(lf_dev *dev, uint32_t cu, uint32_t ndesc,
				  uint64_t params_size, uint64_t act_size,
				  struct lf_test_emu_probe *p)
{
	uint32_t bd, bp, ba;
	lf_status st;

	memset(p, 0, sizeof(*p));
	p->dev = dev;
	p->cu = cu;
	p->ndesc = ndesc;
	if ((st = lf__dev_arg_bank(dev, cu, 0, &bd)) != LF_OK ||
	    (st = lf__dev_arg_bank(dev, cu, 2, &bp)) != LF_OK ||
	    (st = lf__dev_arg_bank(dev, cu, 4, &ba)) != LF_OK)
		return st;
	if ((st = lf__bo_alloc(dev, (uint64_t)ndesc * LF_DESC_BYTES, bd,
			       &p->desc)) != LF_OK ||
	    (st = lf__bo_alloc(dev, params_size, bp, &p->params)) != LF_OK ||
	    (st = lf__bo_alloc(dev, act_size, ba, &p->act)) != LF_OK) {
		char msg[512];

		/* Keep the failure's message across the frees. */
		snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
		lf_test_emu_probe_free(p);
		lf__drv_error(st, "%s", msg);
	}
	return st;
}

void lf_test_emu_probe_free(struct lf_test_emu_probe *p)
{
	CU_ASSERT_EQUAL(lf__bo_free(p->desc), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(p->params), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(p->act), LF_OK);
	p->desc = p->params = p->act = NULL;
}

void lf_test_emu_probe_desc(lf_desc *d, uint32_t cycles, uint32_t n,
			    uint32_t x_off, uint32_t w_off, uint32_t y_off)
{
	memset(d, 0, sizeof(*d));
	d->magic = LF_DESC_MAGIC;
	d->reserved8[0] = cycles;
	d->mm_k = n;
	d->x_off = x_off;
	d->w_off = w_off;
	d->y_off = y_off;
}

lf_status lf_test_emu_probe_start(struct lf_test_emu_probe *p,
				  uint32_t params_bytes, uint32_t act_bytes,
				  lf_run **run)
{
	struct lf_run_arg a[6] = {
	    lf__arg_bo(0, p->desc, 0),	 lf__arg_u32(1, p->ndesc),
	    lf__arg_bo(2, p->params, 0), lf__arg_u32(3, params_bytes),
	    lf__arg_bo(4, p->act, 0),	 lf__arg_u32(5, act_bytes),
	};
	return lf__run_start(p->dev, p->cu, a, 6, run);
}

uint64_t lf_test_emu_dur(const struct lf_tl_event *ev)
{
	return ev->end_ns - ev->start_ns;
}

struct lf_tl_event lf_test_emu_last_event(lf_dev *dev)
{
	struct lf_tl_event ev[64], last;
	uint32_t n = 0;
	uint64_t from = 0;

	memset(&last, 0, sizeof(last));
	/* Page through the history to its end. */
	for (;;) {
		CU_ASSERT_EQUAL_FATAL(lf__dev_timeline(dev, from, ev, 64, &n),
				      LF_OK);
		if (n == 0)
			break;
		last = ev[n - 1];
		from = last.seq + 1;
	}
	CU_ASSERT(last.end_ns > 0);
	return last;
}
