/*
 * xrt_main.c - the runner of build/tests/lf_tests_xrt: the XRT suites,
 * kept out of build/tests/lf_tests because they must run inside XRT's
 * software emulation, in their own process group under a timeout
 * (tests/xrt/run.sh sets that up; the shim signals its whole process
 * group on some errors).
 *
 * Usage: lf_tests_xrt SUITE...   (xrt, xrt_fault, xrt_opencl,
 *                                 xrt_harness)
 *
 * The helpers lf_test.h declares are defined again here (test_main.c,
 * which defines them for lf_tests, also holds that binary's main() and
 * its suite list).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_xrt.h"

static int g_argc;
static char **g_argv;

static int suite_selected(const char *name)
{
	for (int i = 1; i < g_argc; i++)
		if (strcmp(g_argv[i], name) == 0)
			return 1;
	return 0;
}

void lf_test_add_suite(const char *name, int (*init)(void), int (*clean)(void),
		       const struct lf_test_case *cases)
{
	CU_pSuite s;

	if (!suite_selected(name))
		return;
	s = CU_add_suite(name, init, clean);
	if (!s) {
		fprintf(stderr, "cannot add suite %s: %s\n", name,
			CU_get_error_msg());
		exit(2);
	}
	for (const struct lf_test_case *c = cases; c->name; c++) {
		if (!CU_add_test(s, c->name, c->fn)) {
			fprintf(stderr, "cannot add test %s.%s\n", name,
				c->name);
			exit(2);
		}
	}
}

const char *lf_test_build_dir(void)
{
	const char *b = getenv("LF_BUILD");
	return b && *b ? b : "build";
}

int lf_test_slow_mode(void)
{
	const char *v = getenv("LF_UNDER_VALGRIND");
	return v && *v && strcmp(v, "0") != 0;
}

void lf_rng_seed(struct lf_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint32_t lf_rng_u32(struct lf_rng *r)
{
	uint64_t x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

int lf_rng_range(struct lf_rng *r, int lo, int hi)
{
	uint32_t span = (uint32_t)(hi - lo) + 1u;
	return lo + (int)(lf_rng_u32(r) % span);
}

int main(int argc, char **argv)
{
	unsigned failed, ran, tfailed;

	g_argc = argc;
	g_argv = argv;
	if (argc < 2) {
		fprintf(stderr,
			"usage: %s SUITE... (run through "
			"tests/xrt/run.sh)\n",
			argv[0]);
		return 2;
	}
	if (!getenv("XCL_EMULATION_MODE"))
		fprintf(stderr,
			"%s: XCL_EMULATION_MODE is not set: these "
			"suites drive a real card\n",
			argv[0]);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	lf_test_suite_xrt();
	lf_test_suite_xrt_fault();
	lf_test_suite_xrt_opencl();
	lf_test_suite_xrt_harness();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	ran = CU_get_number_of_tests_run();
	tfailed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	if (CU_get_error() != CUE_SUCCESS)
		return 2;
	if (ran == 0) {
		fprintf(stderr, "no test ran\n");
		return 3;
	}
	printf("\n%u passed, %u failed\n", ran - tfailed, tfailed);
	return failed ? 1 : 0;
}
