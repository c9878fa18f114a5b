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
 * The helpers lf_test.h declares come from tests/lf_test.c, shared with
 * build/tests/lf_tests.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_xrt.h"

int main(int argc, char **argv)
{
	lf_test_set_args(argc, argv);
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
	/* The suites load the probe kernel (tests/unit/test_emu_probe_kernel.c)
	 * as well as the library's own kernel builds: the explicit opt-in
	 * the emulated card behind XRT (the device process, which inherits
	 * this environment) needs to run code it does not know. */
	setenv("LAYERFAB_TRUST_XCLBIN", "1", 1);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	lf_test_suite_xrt();
	lf_test_suite_xrt_fault();
	lf_test_suite_xrt_opencl();
	lf_test_suite_xrt_harness();
	return lf_test_run();
}
