/*
 * test_xrt_harness.c - the "xrt_harness" suite: checks of the harness
 * itself, run by tests/xrt/run.sh with the outcome it expects rather than
 * CUnit's. They stand in for the two failures the backend cannot make
 * safe from inside the process (driver/xrt/README.md): the shim's
 * kill(0, SIGTERM) of its whole process group, and a hang inside XRT.
 * run.sh passes when the first ends with SIGTERM and the second is
 * stopped by the timeout, and it is still there to say so: make is not in
 * that process group.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_xrt.h"

static void test_group_kill(void)
{
	const char *what = getenv("LF_XRT_HARNESS_CHECK");

	if (!what) {
		CU_PASS("only run by tests/xrt/run.sh --self-check");
		return;
	}
	if (what[0] == 'k') {
		/* What the shim's signal handlers do (pitfall 4). */
		kill(0, SIGTERM);
		sleep(30);
	} else {
		/* What XRT does when its device process vanishes inside a
		 * call nobody watches (pitfall 5), without the CPU burn. */
		for (;;)
			pause();
	}
	CU_FAIL("still running");
}

void lf_test_suite_xrt_harness(void)
{
	static const struct lf_test_case cases[] = {
	    {"group_kill_or_hang", test_group_kill},
	    {NULL, NULL},
	};
	lf_test_add_suite("xrt_harness", NULL, NULL, cases);
}
