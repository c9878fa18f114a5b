/*
 * have_opencl.c - the make-time check for the OpenCL backend: driver/
 * module.mk compiles and links this against -lOpenCL; if that works, the
 * headers and the ICD loader are there and the backend is built.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

int main(void)
{
	cl_uint n = 0;

	return clGetPlatformIDs(0, NULL, &n) == CL_SUCCESS ? 0 : 1;
}
