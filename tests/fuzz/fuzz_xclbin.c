/*
 * fuzz_xclbin.c - the xclbin reader and everything that reads its result
 * without running kernel code: lf__xclbin_parse, the description
 * `layerfab info` prints, every lookup helper, the driver's validation
 * (lf__drv_check_xclbin) and the emulator's image build (banks, CU reach,
 * kernel binding, clocks) on an emulated card of the matching platform.
 * Fuzzed bytes are never loaded as code: the kernels come from the
 * build's own shared object (FUZZ_SO, default $LAYERFAB_BUILD/hls/
 * lfkernels.so), with the device's explicit trust opt-in so that the
 * file is loaded as it is. Seeds: the build's xclbins and tests/data/xclbin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/core/backend.h"
#include "driver/emu/emu_impl.h"
#include "driver/xclbin/xclbin.h"
#include "fuzz.h"

#define MAX_EMU 8

static lf_emu *emus[MAX_EMU];
static const struct lf_xclbin_platform *pfs[MAX_EMU];
static int nemu;
static char so[4096];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env = getenv("FUZZ_SO"), *build = getenv("LAYERFAB_BUILD");

	(void)argc;
	(void)argv;
	snprintf(so, sizeof(so), "%s", env ? env : "");
	if (!env)
		snprintf(so, sizeof(so), "%s/hls/lfkernels.so",
			 build ? build : "build");
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	for (uint32_t i = 0; i < lf__emu_profile_count() && nemu < MAX_EMU;
	     i++) {
		struct lf_emu_config cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.profile = lf__emu_profile_get(i);
		cfg.launch_ns = LF_EMU_DEFAULT;
		cfg.dma_setup_ns = LF_EMU_DEFAULT;
		cfg.trust_xclbin = 1; /* the kernels are FUZZ_SO, ours */
		if (lf__emu_create(&cfg, &emus[nemu]) != LF_OK)
			abort();
		pfs[nemu] = lf__xclbin_platform_find(cfg.profile->name);
		nemu++;
	}
	return 0;
}

static void lookups(const struct lf_xclbin *x)
{
	(void)lf__xclbin_limit(x, "lfk_conv2d.pe_oc", 1);
	for (uint32_t c = 0; c < x->ncus; c++) {
		uint32_t k = x->cus[c].kernel;

		(void)lf__xclbin_find_cu(x, x->cus[c].name);
		if (k >= x->nkernels)
			continue;
		for (uint32_t a = 0; a < x->kernels[k].nargs; a++) {
			uint32_t id = x->kernels[k].args[a].id;

			(void)lf__xclbin_find_arg(x, k, id);
			(void)lf__xclbin_arg_mem(x, c, id);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf_xclbin *x = NULL;
	char err[512];

	if (lf__xclbin_parse(data, size, &x, err, sizeof(err)) != LF_OK)
		return 0;
	lf__xclbin_print(devnull, "fuzz.xclbin", x);
	lookups(x);
	if (lf__drv_check_xclbin(x, "fuzz") == LF_OK) {
		for (int i = 0; i < nemu; i++) {
			struct emu_image *img = NULL;

			if (x->platform[0] && pfs[i] &&
			    strcmp(x->platform, pfs[i]->vbnv) != 0)
				continue;
			if (lf__emu_image_build(emus[i], x, so, &img) == LF_OK)
				lf__emu_image_free(emus[i], img);
			break;
		}
	}
	lf__xclbin_free(x);
	return 0;
}
