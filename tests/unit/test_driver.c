/*
 * test_driver.c - the "driver" suite: device strings, the backend
 * registry, and the checks and defaults the core supplies around a
 * backend's vtable, observed through a minimal in-memory backend ("fake")
 * that implements only the required methods.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/core/backend.h"
#include "lf_test.h"

/* ---- the fake backend -------------------------------------------------- */

struct fake_dev {
	struct lf_dev base;
	int syncs;
	enum lf_sync_dir last_dir;
	uint64_t last_size, last_off;
	struct lf_run_arg last_args[2];
};

struct fake_bo {
	struct lf_bo base;
	uint8_t *host, *mem;
};

struct fake_run {
	struct lf_run base;
};

static struct fake_dev *fdev(lf_dev *d)
{
	return lf__container_of(d, struct fake_dev, base);
}

static struct fake_bo *fbo(lf_bo *b)
{
	return lf__container_of(b, struct fake_bo, base);
}

static lf_status fake_enumerate(struct lf_dev_desc *out, uint32_t max,
				uint32_t *count)
{
	if (max) {
		memset(out, 0, sizeof(*out));
		snprintf(out->backend, sizeof(out->backend), "fake");
		snprintf(out->name, sizeof(out->name), "fake0");
	}
	*count = 1;
	return LF_OK;
}

static lf_status fake_open(const struct lf_dev_spec *spec, lf_dev **out)
{
	struct fake_dev *d;

	if (spec->device[0] && strcmp(spec->device, "0") != 0)
		return lf__drv_error(LF_ERR_NOT_FOUND, "fake: no device %s",
				     spec->device);
	d = calloc(1, sizeof(*d));
	if (!d)
		return lf__drv_error(LF_ERR_NO_MEMORY, "fake: no memory");
	*out = &d->base;
	return LF_OK;
}

static void fake_close(lf_dev *dev)
{
	free(fdev(dev));
}

static lf_status fake_load(lf_dev *dev, const struct lf_xclbin *xb)
{
	(void)dev;
	(void)xb;
	return LF_OK;
}

/* One usable bank, one that is not; kernel k(buf*, n) with one CU. */
static lf_status fake_query(lf_dev *dev, struct lf_dev_props *p)
{
	(void)dev;
	snprintf(p->backend, sizeof(p->backend), "fake");
	snprintf(p->name, sizeof(p->name), "fake0");
	p->nmems = 2;
	snprintf(p->mems[0].tag, sizeof(p->mems[0].tag), "bank0");
	p->mems[0].usable = 1;
	p->mems[0].size = 1 << 20;
	snprintf(p->mems[1].tag, sizeof(p->mems[1].tag), "stream0");
	p->xclbin_loaded = 1;
	p->nkernels = 1;
	snprintf(p->kernels[0].name, sizeof(p->kernels[0].name), "k");
	p->kernels[0].nargs = 2;
	snprintf(p->kernels[0].args[0].name, LF_XCLBIN_NAME_MAX, "buf");
	p->kernels[0].args[0].id = 0;
	p->kernels[0].args[0].is_global = 1;
	p->kernels[0].args[0].size = 8;
	snprintf(p->kernels[0].args[1].name, LF_XCLBIN_NAME_MAX, "n");
	p->kernels[0].args[1].id = 1;
	p->kernels[0].args[1].size = 4;
	p->ncus = 1;
	snprintf(p->cus[0].name, sizeof(p->cus[0].name), "k:k_1");
	for (int i = 0; i < LF_DRV_MAX_ARGS; i++)
		p->cus[0].arg_bank[i] = LF_DRV_NO_BANK;
	p->cus[0].arg_bank[0] = 0;
	return LF_OK;
}

static lf_status fake_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			       lf_bo **out)
{
	struct fake_bo *b = calloc(1, sizeof(*b));

	(void)dev;
	(void)bank;
	if (!b)
		return lf__drv_error(LF_ERR_NO_MEMORY, "fake: no memory");
	b->host = calloc(1, size);
	b->mem = calloc(1, size);
	if (!b->host || !b->mem) {
		free(b->host);
		free(b->mem);
		free(b);
		return lf__drv_error(LF_ERR_NO_MEMORY, "fake: no memory");
	}
	*out = &b->base;
	return LF_OK;
}

static lf_status fake_bo_free(lf_bo *bo)
{
	struct fake_bo *b = fbo(bo);

	free(b->host);
	free(b->mem);
	free(b);
	return LF_OK;
}

static lf_status fake_bo_map(lf_bo *bo, void **host)
{
	*host = fbo(bo)->host;
	return LF_OK;
}

static lf_status fake_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			      uint64_t off)
{
	struct fake_dev *d = fdev(bo->dev);
	struct fake_bo *b = fbo(bo);

	d->syncs++;
	d->last_dir = dir;
	d->last_size = size;
	d->last_off = off;
	if (dir == LF_SYNC_TO_DEVICE)
		memcpy(b->mem + off, b->host + off, size);
	else
		memcpy(b->host + off, b->mem + off, size);
	return LF_OK;
}

static lf_status fake_run_start(lf_dev *dev, uint32_t cu,
				const struct lf_run_arg *args, uint32_t nargs,
				lf_run **out)
{
	struct fake_run *r = calloc(1, sizeof(*r));

	(void)cu;
	if (!r)
		return lf__drv_error(LF_ERR_NO_MEMORY, "fake: no memory");
	memcpy(fdev(dev)->last_args, args, nargs * sizeof(*args));
	*out = &r->base;
	return LF_OK;
}

static lf_status fake_run_wait(lf_run *run, uint32_t timeout_ms)
{
	(void)run;
	(void)timeout_ms;
	return LF_OK;
}

static lf_status fake_run_free(lf_run *run)
{
	free(lf__container_of(run, struct fake_run, base));
	return LF_OK;
}

static const struct lf_backend_ops fake_ops = {
    .name = "fake",
    .enumerate = fake_enumerate,
    .open = fake_open,
    .close = fake_close,
    .load_xclbin = fake_load,
    .query = fake_query,
    .bo_alloc = fake_bo_alloc,
    .bo_free = fake_bo_free,
    .bo_map = fake_bo_map,
    .bo_sync = fake_bo_sync,
    .run_start = fake_run_start,
    .run_wait = fake_run_wait,
    .run_free = fake_run_free,
};

static int err_has(const char *s)
{
	return strstr(lf__drv_last_error(), s) != NULL;
}

/* ---- device strings ---------------------------------------------------- */

static void test_spec_parse(void)
{
	struct lf_dev_spec s;
	static const char *const bad[] = {
	    "",
	    ":0",
	    "EMU",
	    "emu:",
	    "emu,",
	    "emu,k",
	    "emu,k=",
	    "emu x",
	    "emu,a=1,a=2",
	    "emu:a b",
	    "emu,K=1",
	    "emu;x",
	    "a234567890123456",
	    "emu,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9",
	};

	CU_ASSERT_EQUAL(lf__dev_spec_parse("emu", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.backend, "emu");
	CU_ASSERT_STRING_EQUAL(s.device, "");
	CU_ASSERT_EQUAL(s.nopts, 0);
	CU_ASSERT_EQUAL(lf__dev_spec_parse("emu:aws-f1", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.device, "aws-f1");
	CU_ASSERT_EQUAL(
	    lf__dev_spec_parse("emu:tiny,bank_size=1M,timeline=8", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.device, "tiny");
	CU_ASSERT_EQUAL(s.nopts, 2);
	CU_ASSERT_STRING_EQUAL(s.opts[0].key, "bank_size");
	CU_ASSERT_STRING_EQUAL(s.opts[0].value, "1M");
	CU_ASSERT_STRING_EQUAL(s.opts[1].value, "8");
	CU_ASSERT_EQUAL(lf__dev_spec_parse("xrt:0", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.backend, "xrt");
	CU_ASSERT_STRING_EQUAL(s.device, "0");
	/* A PCIe address keeps its colons. */
	CU_ASSERT_EQUAL(lf__dev_spec_parse("xrt:0000:65:00.1", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.device, "0000:65:00.1");
	CU_ASSERT_EQUAL(lf__dev_spec_parse("opencl:0,x=a/b", &s), LF_OK);
	CU_ASSERT_STRING_EQUAL(s.backend, "opencl");
	CU_ASSERT_STRING_EQUAL(s.opts[0].value, "a/b");

	memset(&s, 0x6b, sizeof(s));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(lf__dev_spec_parse(bad[i], &s),
				LF_ERR_INVALID_ARG);
		CU_ASSERT(strlen(lf__drv_last_error()) > 0);
	}
	CU_ASSERT_EQUAL((unsigned char)s.backend[0], 0x6b); /* untouched */
	CU_ASSERT_EQUAL(lf__dev_spec_parse("emu,k=", &s), LF_ERR_INVALID_ARG);
	CU_ASSERT(err_has("position 6"));
	CU_ASSERT_EQUAL(lf__dev_spec_parse(NULL, &s), LF_ERR_INVALID_ARG);
}

static void test_spec_opt(void)
{
	struct lf_dev_spec s;
	uint64_t v = 7;

	CU_ASSERT_EQUAL_FATAL(
	    lf__dev_spec_parse("emu,a=1M,b=0x10,c=3G,d=12Q,e=99999999999G,"
			       "f=-1,g=18446744073709551616",
			       &s),
	    LF_OK);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "a", &v), LF_OK);
	CU_ASSERT_EQUAL(v, 1048576);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "b", &v), LF_OK);
	CU_ASSERT_EQUAL(v, 16);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "c", &v), LF_OK);
	CU_ASSERT_EQUAL(v, 3ull << 30);
	v = 7;
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "d", &v), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "e", &v), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "f", &v), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "g", &v), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_spec_opt_u64(&s, "z", &v), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(v, 7);
}

/* ---- registry ---------------------------------------------------------- */

static void test_register(void)
{
	struct lf_backend_ops broken = fake_ops;
	char list[128];
	struct lf_dev_desc d[16];
	uint32_t n = 0;

	broken.name = "broken";
	broken.bo_sync = NULL;
	CU_ASSERT_EQUAL(lf__backend_register(&broken), LF_ERR_INVALID_ARG);
	CU_ASSERT(err_has("'bo_sync'"));
	broken.bo_sync = fake_bo_sync;
	broken.run_wait = NULL;
	CU_ASSERT_EQUAL(lf__backend_register(&broken), LF_ERR_INVALID_ARG);
	CU_ASSERT(err_has("'run_wait'"));
	broken.run_wait = fake_run_wait;
	broken.name = "Broken";
	CU_ASSERT_EQUAL(lf__backend_register(&broken), LF_ERR_INVALID_ARG);
	broken.name = "a_name_far_too_long";
	CU_ASSERT_EQUAL(lf__backend_register(&broken), LF_ERR_INVALID_ARG);
	broken.name = "emu";
	CU_ASSERT_EQUAL(lf__backend_register(&broken), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__backend_register(NULL), LF_ERR_INVALID_ARG);

	/* Devices the built-in backends (emu, and opencl / xrt where built
	 * and present) enumerate; the fake's device comes after them. */
	uint32_t before = 0;
	CU_ASSERT_EQUAL(lf__drv_enumerate(NULL, NULL, 0, &before), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__backend_register(&fake_ops), LF_OK);
	CU_ASSERT_EQUAL(lf__backend_register(&fake_ops), LF_ERR_BUSY);
	lf__backend_list(list, sizeof(list));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "emu"));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "fake"));
	CU_ASSERT_EQUAL(lf__drv_enumerate(NULL, d, 16, &n), LF_OK);
	CU_ASSERT_EQUAL_FATAL(n, before + 1);
	CU_ASSERT(before >= 5); /* at least the 5 emulated profiles */
	CU_ASSERT_STRING_EQUAL(d[before].name, "fake0");
	CU_ASSERT_EQUAL(lf__drv_enumerate("fake", d, 16, &n), LF_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(lf__drv_enumerate("nope", d, 16, &n), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf__backend_unregister("fake"), LF_OK);
	CU_ASSERT_EQUAL(lf__backend_unregister("fake"), LF_ERR_NOT_FOUND);
}

static void test_open_errors(void)
{
	lf_dev *dev = NULL;

	CU_ASSERT_EQUAL(lf__dev_open("nope", &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT(err_has("nope") && err_has("emu"));
	/* Known backends that this build lacks say so. */
#if !defined(LF_HAVE_XRT)
	CU_ASSERT_EQUAL(lf__dev_open("xrt:0", &dev), LF_ERR_UNSUPPORTED);
	CU_ASSERT(err_has("not built"));
#endif
#if !defined(LF_HAVE_OPENCL)
	CU_ASSERT_EQUAL(lf__dev_open("opencl:0", &dev), LF_ERR_UNSUPPORTED);
	CU_ASSERT(err_has("not built"));
#endif
	/* A backend that is not known at all. */
	CU_ASSERT_EQUAL(lf__dev_open("cuda:0", &dev), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(lf__dev_open("", &dev), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_open(NULL, &dev), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_open("emu", NULL), LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(dev);
	CU_ASSERT_EQUAL(lf__dev_close(NULL), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(NULL), LF_OK);
	CU_ASSERT_EQUAL(lf__run_free(NULL), LF_OK);
}

/*
 * What the host asks the driver instead of knowing backends: whether a
 * string names a backend it has, the default device, the selection string
 * of an enumerated device, the bitstream a device needs, every backend's
 * name.
 */
static uint32_t card_is_card;

static lf_status card_enumerate(struct lf_dev_desc *out, uint32_t max,
				uint32_t *count)
{
	if (max) {
		memset(out, 0, sizeof(*out));
		snprintf(out->backend, sizeof(out->backend), "card");
		out->index = 3;
		snprintf(out->name, sizeof(out->name), "card3");
		out->is_card = card_is_card;
	}
	*count = 1;
	return LF_OK;
}

static void test_host_questions(void)
{
	struct lf_backend_ops card = fake_ops;
	char spec[LF_DRV_SPEC_MAX];
	const char *names[LF_DRV_MAX_BACKENDS * 2];
	struct lf_dev_desc d[16];
	uint32_t n = 0;
	lf_dev *dev = NULL;

	CU_ASSERT_EQUAL(lf__dev_spec_check("emu:u250,bank_size=1M"), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_spec_check("card:0"), LF_ERR_INVALID_ARG);
	CU_ASSERT(err_has("unknown backend 'card'") && err_has("emu"));
	CU_ASSERT_EQUAL(lf__dev_spec_check("emu:"), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__dev_spec_check(NULL), LF_ERR_INVALID_ARG);
	/* The emulator names its devices by profile. */
	CU_ASSERT_EQUAL(lf__drv_enumerate("emu", d, 16, &n), LF_OK);
	CU_ASSERT_STRING_EQUAL(d[0].spec, "emu:aws-f1");
	/* A real card (or XRT's emulation of one) would be the default;
	 * without one, the emulator is. */
	int real_card = 0;
	CU_ASSERT_EQUAL(lf__drv_enumerate(NULL, d, 16, &n), LF_OK);
	for (uint32_t i = 0; i < n && i < 16; i++)
		real_card |= d[i].is_card != 0;
	lf__drv_default(spec, sizeof(spec));
	if (!real_card)
		CU_ASSERT_STRING_EQUAL(spec, "emu");

	card.name = "card";
	card.enumerate = card_enumerate;
	CU_ASSERT_EQUAL_FATAL(lf__backend_register(&card), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_spec_check("card:0000:65:00.1"), LF_OK);
	card_is_card = 0; /* a generic device is never the default */
	lf__drv_default(spec, sizeof(spec));
	CU_ASSERT_STRING_NOT_EQUAL(spec, "card:3");
	card_is_card = 1; /* registered last: first card if no real one */
	lf__drv_default(spec, sizeof(spec));
	if (!real_card)
		CU_ASSERT_STRING_EQUAL(spec, "card:3");
	/* A backend that leaves spec empty gets "<backend>:<index>". */
	CU_ASSERT_EQUAL(lf__drv_enumerate("card", d, 16, &n), LF_OK);
	CU_ASSERT_STRING_EQUAL(d[0].spec, "card:3");
	n = lf__backend_known(names, LF_DRV_MAX_BACKENDS * 2);
	CU_ASSERT(n >= 4); /* emu, xrt, opencl (built or not), card */
	int has_card = 0, has_xrt = 0;
	for (uint32_t i = 0; i < n && i < LF_DRV_MAX_BACKENDS * 2; i++) {
		has_card |= strcmp(names[i], "card") == 0;
		has_xrt |= strcmp(names[i], "xrt") == 0;
	}
	CU_ASSERT(has_card && has_xrt);
	/* The bitstream name: the core's "<name>.xclbin" by default. */
	CU_ASSERT_EQUAL_FATAL(lf__dev_open("card:0", &dev), LF_OK);
	CU_ASSERT_STRING_EQUAL(lf__dev_props(dev)->xclbin_hint, "fake0.xclbin");
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	CU_ASSERT_EQUAL(lf__backend_unregister("card"), LF_OK);
	/* The emulator's own: its profile's emulation bitstream. */
	CU_ASSERT_EQUAL_FATAL(lf__dev_open("emu:u280", &dev), LF_OK);
	CU_ASSERT_STRING_EQUAL(lf__dev_props(dev)->xclbin_hint,
			       "emu-u280.xclbin");
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/* ---- the core around a minimal backend --------------------------------- */

static void test_core_checks(void)
{
	struct lf_dev_counters c;
	struct lf_tl_event ev;
	struct lf_fault f = {LF_FAULT_ALLOC, 1, -1};
	lf_dev *dev = NULL, *dev2 = NULL;
	lf_bo *bo = NULL, *bo2 = NULL, *none = NULL;
	lf_run *run = NULL;
	uint8_t in[10], out[10];
	uint32_t n = 0, cu = 9;

	CU_ASSERT_EQUAL_FATAL(lf__backend_register(&fake_ops), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__dev_open("fake", &dev), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_open("fake:3", &dev2), LF_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL_FATAL(lf__dev_open("fake:0", &dev2), LF_OK);
	CU_ASSERT_EQUAL(lf__backend_unregister("fake"), LF_ERR_BUSY);

	/* Optional methods the backend lacks. */
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 0), LF_ERR_UNSUPPORTED);
	CU_ASSERT(err_has("backend 'fake' does not support"));
	CU_ASSERT_EQUAL(lf__dev_reset(dev), LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__dev_counters(dev, &c), LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__dev_timeline(dev, 0, &ev, 1, &n),
			LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__dev_fault(dev, &f), LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__dev_find_cu(dev, "k", &cu), LF_OK);
	CU_ASSERT_EQUAL(cu, 0);
	CU_ASSERT(lf__drv_last_error()[0] == '\0'); /* success clears it */

	/* Banks. */
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 100, 1, &none), LF_ERR_INVALID_ARG);
	CU_ASSERT(err_has("stream0"));
	CU_ASSERT_EQUAL(lf__bo_alloc(dev, 100, 2, &none), LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(none);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 100, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev2, 100, 0, &bo2), LF_OK);

	/* The write/read defaults: map + copy + a sync of exactly the
	 * range. */
	for (int i = 0; i < 10; i++)
		in[i] = (uint8_t)(i + 1);
	CU_ASSERT_EQUAL(lf__bo_write(bo, in, 10, 20), LF_OK);
	CU_ASSERT_EQUAL(fdev(dev)->last_dir, LF_SYNC_TO_DEVICE);
	CU_ASSERT_EQUAL(fdev(dev)->last_size, 10);
	CU_ASSERT_EQUAL(fdev(dev)->last_off, 20);
	memset(fbo(bo)->host, 0, 100);
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 10, 20), LF_OK);
	CU_ASSERT_EQUAL(fdev(dev)->last_dir, LF_SYNC_FROM_DEVICE);
	CU_ASSERT_EQUAL(memcmp(in, out, 10), 0);
	CU_ASSERT_EQUAL(fdev(dev)->syncs, 2);
	/* Ranges are checked before the backend sees them. */
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 10, 95), LF_ERR_RANGE);
	CU_ASSERT_EQUAL(lf__bo_sync(bo, LF_SYNC_TO_DEVICE, 1, UINT64_MAX),
			LF_ERR_RANGE);
	CU_ASSERT_EQUAL(fdev(dev)->syncs, 2);

	/* Runs: arguments arrive dense, by index, whatever the order. */
	{
		struct lf_run_arg a[2] = {lf__arg_u32(1, 42),
					  lf__arg_bo(0, bo, 8)};
		CU_ASSERT_EQUAL_FATAL(lf__run_start(dev, 0, a, 2, &run), LF_OK);
		CU_ASSERT_EQUAL(fdev(dev)->last_args[0].kind, LF_ARG_BO);
		CU_ASSERT_EQUAL(fdev(dev)->last_args[0].offset, 8);
		CU_ASSERT_EQUAL(fdev(dev)->last_args[1].value, 42);
		CU_ASSERT_EQUAL(lf__run_wait(run, 10), LF_OK);
		CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
		CU_ASSERT(err_has("runs"));
		CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
		run = NULL;

		a[1] = lf__arg_bo(0, bo2, 0);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 2, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT(err_has("another device"));
		a[1] = lf__arg_bo(0, bo, 100);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 2, &run),
				LF_ERR_RANGE);
		a[1] = lf__arg_bo(0, bo, 0);
		a[0] = lf__arg_u64(1, 1ull << 32);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 2, &run),
				LF_ERR_INVALID_ARG);
		a[0] = lf__arg_u32(2, 1);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 2, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT(err_has("no argument 2"));
		a[0] = lf__arg_u32(1, 1);
		CU_ASSERT_EQUAL(lf__run_start(dev, 1, a, 2, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT_EQUAL(lf__run_start(dev, 0, a, 1, &run),
				LF_ERR_INVALID_ARG);
		CU_ASSERT_PTR_NULL(run);
	}

	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
	CU_ASSERT(err_has("buffers"));
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_free(bo2), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev2), LF_OK);
	CU_ASSERT_EQUAL(lf__backend_unregister("fake"), LF_OK);
}

static int dl_filled;
static void *dl_fns[2];
static void dl_fill(void *const *fns)
{
	/* Called once, before the library reads as loaded. */
	dl_filled++;
	CU_ASSERT_PTR_NOT_NULL(fns[0]);
	CU_ASSERT_PTR_NOT_NULL(fns[1]);
}

/* lf__drv_dl_load (dynlib.c), how the XRT and OpenCL backends load their
 * vendor library at first use: a missing library and a missing function
 * are LF_ERR_NOT_FOUND naming them; a library that loads is kept. */
static void test_dynlib(void)
{
	static const char *const good[] = {"cos", "sin"};
	static const char *const bad[] = {"cos", "lf_no_such_function"};
	static const char *const none[] = {"", NULL,
					   "liblf-no-such-library.so.7"};
	static const char *const libm[] = {"liblf-no-such-library.so.7",
					   "libm.so.6"};
	struct lf__drv_dl a = {.backend = "test",
			       .hint = "apt install nothing",
			       .syms = good,
			       .nsyms = 2,
			       .fns = dl_fns,
			       .fill = dl_fill,
			       .mu = PTHREAD_MUTEX_INITIALIZER};
	struct lf__drv_dl b = a;
	double (*c)(double);

	dl_filled = 0;
	CU_ASSERT_EQUAL(lf__drv_dl_load(&a, none, 3), LF_ERR_NOT_FOUND);
	CU_ASSERT(err_has("test: cannot load liblf-no-such-library.so.7"));
	CU_ASSERT(err_has("apt install nothing"));
	CU_ASSERT_EQUAL(dl_filled, 0);
	CU_ASSERT_EQUAL(a.loaded, 0);

	b.syms = bad;
	CU_ASSERT_EQUAL(lf__drv_dl_load(&b, libm, 2), LF_ERR_NOT_FOUND);
	CU_ASSERT(err_has("libm.so.6 has no function lf_no_such_function"));
	CU_ASSERT_EQUAL(dl_filled, 0);

	/* The second name loads; the first one's failure is not an error. */
	CU_ASSERT_EQUAL(lf__drv_dl_load(&a, libm, 2), LF_OK);
	CU_ASSERT_EQUAL(dl_filled, 1);
	memcpy(&c, &dl_fns[0], sizeof(c));
	CU_ASSERT_DOUBLE_EQUAL(c(0.0), 1.0, 0.0); /* cos 0 = 1 */
	/* Loaded once: a later call neither reloads nor refills. */
	CU_ASSERT_EQUAL(lf__drv_dl_load(&a, none, 3), LF_OK);
	CU_ASSERT_EQUAL(dl_filled, 1);
}

void lf_test_suite_driver(void)
{
	static const struct lf_test_case cases[] = {
	    {"spec_parse", test_spec_parse},
	    {"spec_opt", test_spec_opt},
	    {"register", test_register},
	    {"open_errors", test_open_errors},
	    {"host_questions", test_host_questions},
	    {"core_checks", test_core_checks},
	    {"dynlib", test_dynlib},
	    {NULL, NULL},
	};
	lf_test_add_suite("driver", NULL, NULL, cases);
}
