/*
 * test_main.c - the CUnit runner for every suite in suites.def.
 *
 * Usage: lf_tests [SUITE...]   (no argument: all suites)
 * Environment: LF_BUILD (build dir), LF_UNDER_VALGRIND=1 (smaller sweeps).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"

/*
 * LeakSanitizer reads this hook (default visibility, or it is never seen)
 * in sanitizer builds. PoCL and its in-process LLVM keep compiler state
 * for the life of the process; those allocations are not ours. Our own
 * OpenCL objects are checked by the backend's live-object counter instead.
 */
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void)
{
	return "leak:libpocl\nleak:libLLVM\nleak:libOpenCL\nleak:libclang\n";
}

int main(int argc, char **argv)
{
	lf_test_set_args(argc, argv);
	lf_test_env_defaults();
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
#define LF_SUITE(name) lf_test_suite_##name();
#include "suites.def"
#undef LF_SUITE
	return lf_test_run();
}
