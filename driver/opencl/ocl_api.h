/*
 * ocl_api.h - private to driver/opencl: the OpenCL API through a table
 * loaded at the backend's first use (lf__cl_api_load(), from
 * lf__ocl_scan()), so liblayerfab does not link the ICD loader and an
 * application that never enumerates or opens "opencl" devices never loads
 * libOpenCL (driver/core/dynlib.c).
 *
 * Call OpenCL as lf__cl.clGetDeviceInfo(...): each member has the type of
 * the function of the same name in <CL/cl.h> (OpenCL 1.2 names).
 */
#ifndef LF_DRIVER_OPENCL_OCL_API_H
#define LF_DRIVER_OPENCL_OCL_API_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "driver/core/backend.h"

/* Every OpenCL function the backend calls (all in the ICD loader). */
#define LF__CL_FUNCS(X)                                                        \
	X(clBuildProgram)                                                      \
	X(clCreateBuffer)                                                      \
	X(clCreateCommandQueue)                                                \
	X(clCreateContext)                                                     \
	X(clCreateKernel)                                                      \
	X(clCreateProgramWithBinary)                                           \
	X(clCreateProgramWithSource)                                           \
	X(clCreateSubBuffer)                                                   \
	X(clEnqueueCopyBuffer)                                                 \
	X(clEnqueueMarkerWithWaitList)                                         \
	X(clEnqueueNDRangeKernel)                                              \
	X(clEnqueueReadBuffer)                                                 \
	X(clEnqueueTask)                                                       \
	X(clEnqueueWriteBuffer)                                                \
	X(clFlush)                                                             \
	X(clGetDeviceIDs)                                                      \
	X(clGetDeviceInfo)                                                     \
	X(clGetEventInfo)                                                      \
	X(clGetEventProfilingInfo)                                             \
	X(clGetKernelArgInfo)                                                  \
	X(clGetKernelInfo)                                                     \
	X(clGetKernelWorkGroupInfo)                                            \
	X(clGetPlatformIDs)                                                    \
	X(clGetPlatformInfo)                                                   \
	X(clGetProgramBuildInfo)                                               \
	X(clGetProgramInfo)                                                    \
	X(clReleaseCommandQueue)                                               \
	X(clReleaseContext)                                                    \
	X(clReleaseEvent)                                                      \
	X(clReleaseKernel)                                                     \
	X(clReleaseMemObject)                                                  \
	X(clReleaseProgram)                                                    \
	X(clRetainEvent)                                                       \
	X(clSetKernelArg)                                                      \
	X(clWaitForEvents)

struct lf__cl_api {
#define LF__CL_MEMBER(f) __typeof__(f) *f;
	LF__CL_FUNCS(LF__CL_MEMBER)
#undef LF__CL_MEMBER
};

/* Filled by lf__cl_api_load(); read-only afterwards. */
extern struct lf__cl_api lf__cl;

/*
 * Load the ICD loader (libOpenCL.so.1) once per process. LF_ERR_NOT_FOUND
 * naming it when it does not load (lf__drv_last_error()).
 */
lf_status lf__cl_api_load(void);

#endif /* LF_DRIVER_OPENCL_OCL_API_H */
