/* test_xrt_opencl.c - placeholder, filled below. */
#include "test_xrt.h"

void lf_test_suite_xrt_opencl(void)
{
}
