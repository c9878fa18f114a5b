/*
 * lf_test.c - the helpers lf_test.h declares, shared by both test binaries
 * (build/tests/lf_tests and build/tests/lf_tests_xrt), and the CUnit run
 * with the closing "N passed, M failed" line.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"

static int g_argc;
static char **g_argv;

void lf_test_set_args(int argc, char **argv)
{
	g_argc = argc;
	g_argv = argv;
}

static int suite_selected(const char *name)
{
	if (g_argc <= 1)
		return 1;
	for (int i = 1; i < g_argc; i++)
		if (strcmp(g_argv[i], name) == 0)
			return 1;
	return 0;
}

void lf_test_add_suite(const char *name, int (*init)(void), int (*clean)(void),
		       const struct lf_test_case *cases)
{
	if (!suite_selected(name))
		return;
	CU_pSuite s = CU_add_suite(name, init, clean);
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

int lf_test_run(void)
{
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	unsigned ran = CU_get_number_of_tests_run();
	unsigned tfailed = CU_get_number_of_tests_failed();
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

const char *lf_test_build_dir(void)
{
	const char *b = getenv("LF_BUILD");
	return b && *b ? b : "build";
}

int lf_test_under_valgrind(void)
{
	const char *v = getenv("LF_UNDER_VALGRIND");
	return v && *v && strcmp(v, "0") != 0;
}

void lf_test_env_defaults(void)
{
	/* A launch runs 20 to 50 times slower under Valgrind or ASan: a
	 * blocked SqueezeNet segment took 47 s of the library's 60 s default
	 * (LF__DEFAULT_TIMEOUT_MS) on a loaded machine, and past it a run
	 * fails (model/blocked_segments under make check-valgrind at
	 * 6aff863). Suites that set or unset the variable call this again
	 * when they are done. */
	if (lf_test_slow_mode())
		setenv("LAYERFAB_TIMEOUT_MS", "900000", 1);
	else
		unsetenv("LAYERFAB_TIMEOUT_MS");
}

int lf_test_slow_mode(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return 1; /* an ASan+UBSan build: same sweeps as under Valgrind */
#endif
	return lf_test_under_valgrind();
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
