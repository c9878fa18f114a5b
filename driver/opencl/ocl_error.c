/*
 * ocl_error.c - OpenCL error codes: their names (for messages) and the
 * lf_status each maps to.
 *
 * Names and values as in the Khronos <CL/cl.h> (OpenCL 1.2 and the later
 * additions the header knows), plus CL_PLATFORM_NOT_FOUND_KHR of the
 * cl_khr_icd extension, which the ICD loader returns when no platform is
 * installed.
 */
#include <stdarg.h>
#include <stdio.h>

#include "driver/opencl/ocl_impl.h"

#define OCL_ERRORS(X)                                                          \
	X(CL_SUCCESS, LF_OK)                                                   \
	X(CL_DEVICE_NOT_FOUND, LF_ERR_NOT_FOUND)                               \
	X(CL_DEVICE_NOT_AVAILABLE, LF_ERR_DEVICE)                              \
	X(CL_COMPILER_NOT_AVAILABLE, LF_ERR_UNSUPPORTED)                       \
	X(CL_MEM_OBJECT_ALLOCATION_FAILURE, LF_ERR_NO_DEVICE_MEMORY)           \
	X(CL_OUT_OF_RESOURCES, LF_ERR_NO_DEVICE_MEMORY)                        \
	X(CL_OUT_OF_HOST_MEMORY, LF_ERR_NO_MEMORY)                             \
	X(CL_PROFILING_INFO_NOT_AVAILABLE, LF_ERR_UNSUPPORTED)                 \
	X(CL_MEM_COPY_OVERLAP, LF_ERR_RANGE)                                   \
	X(CL_IMAGE_FORMAT_MISMATCH, LF_ERR_BACKEND)                            \
	X(CL_IMAGE_FORMAT_NOT_SUPPORTED, LF_ERR_BACKEND)                       \
	X(CL_BUILD_PROGRAM_FAILURE, LF_ERR_BAD_FILE)                           \
	X(CL_MAP_FAILURE, LF_ERR_DMA)                                          \
	X(CL_MISALIGNED_SUB_BUFFER_OFFSET, LF_ERR_RANGE)                       \
	X(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, LF_ERR_DEVICE)         \
	X(CL_COMPILE_PROGRAM_FAILURE, LF_ERR_BAD_FILE)                         \
	X(CL_LINKER_NOT_AVAILABLE, LF_ERR_UNSUPPORTED)                         \
	X(CL_LINK_PROGRAM_FAILURE, LF_ERR_BAD_FILE)                            \
	X(CL_DEVICE_PARTITION_FAILED, LF_ERR_BACKEND)                          \
	X(CL_KERNEL_ARG_INFO_NOT_AVAILABLE, LF_ERR_UNSUPPORTED)                \
	X(CL_INVALID_VALUE, LF_ERR_INVALID_ARG)                                \
	X(CL_INVALID_DEVICE_TYPE, LF_ERR_INVALID_ARG)                          \
	X(CL_INVALID_PLATFORM, LF_ERR_NOT_FOUND)                               \
	X(CL_INVALID_DEVICE, LF_ERR_NOT_FOUND)                                 \
	X(CL_INVALID_CONTEXT, LF_ERR_BACKEND)                                  \
	X(CL_INVALID_QUEUE_PROPERTIES, LF_ERR_UNSUPPORTED)                     \
	X(CL_INVALID_COMMAND_QUEUE, LF_ERR_BACKEND)                            \
	X(CL_INVALID_HOST_PTR, LF_ERR_INVALID_ARG)                             \
	X(CL_INVALID_MEM_OBJECT, LF_ERR_INVALID_ARG)                           \
	X(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, LF_ERR_BACKEND)                  \
	X(CL_INVALID_IMAGE_SIZE, LF_ERR_BACKEND)                               \
	X(CL_INVALID_SAMPLER, LF_ERR_BACKEND)                                  \
	X(CL_INVALID_BINARY, LF_ERR_BAD_FILE)                                  \
	X(CL_INVALID_BUILD_OPTIONS, LF_ERR_BAD_FILE)                           \
	X(CL_INVALID_PROGRAM, LF_ERR_BAD_FILE)                                 \
	X(CL_INVALID_PROGRAM_EXECUTABLE, LF_ERR_BAD_FILE)                      \
	X(CL_INVALID_KERNEL_NAME, LF_ERR_BAD_FILE)                             \
	X(CL_INVALID_KERNEL_DEFINITION, LF_ERR_BAD_FILE)                       \
	X(CL_INVALID_KERNEL, LF_ERR_BACKEND)                                   \
	X(CL_INVALID_ARG_INDEX, LF_ERR_INVALID_ARG)                            \
	X(CL_INVALID_ARG_VALUE, LF_ERR_INVALID_ARG)                            \
	X(CL_INVALID_ARG_SIZE, LF_ERR_INVALID_ARG)                             \
	X(CL_INVALID_KERNEL_ARGS, LF_ERR_INVALID_ARG)                          \
	X(CL_INVALID_WORK_DIMENSION, LF_ERR_BACKEND)                           \
	X(CL_INVALID_WORK_GROUP_SIZE, LF_ERR_BACKEND)                          \
	X(CL_INVALID_WORK_ITEM_SIZE, LF_ERR_BACKEND)                           \
	X(CL_INVALID_GLOBAL_OFFSET, LF_ERR_BACKEND)                            \
	X(CL_INVALID_EVENT_WAIT_LIST, LF_ERR_BACKEND)                          \
	X(CL_INVALID_EVENT, LF_ERR_BACKEND)                                    \
	X(CL_INVALID_OPERATION, LF_ERR_STATE)                                  \
	X(CL_INVALID_GL_OBJECT, LF_ERR_BACKEND)                                \
	X(CL_INVALID_BUFFER_SIZE, LF_ERR_NO_DEVICE_MEMORY)                     \
	X(CL_INVALID_MIP_LEVEL, LF_ERR_BACKEND)                                \
	X(CL_INVALID_GLOBAL_WORK_SIZE, LF_ERR_BACKEND)                         \
	X(CL_INVALID_PROPERTY, LF_ERR_BACKEND)                                 \
	X(CL_INVALID_IMAGE_DESCRIPTOR, LF_ERR_BACKEND)                         \
	X(CL_INVALID_COMPILER_OPTIONS, LF_ERR_BAD_FILE)                        \
	X(CL_INVALID_LINKER_OPTIONS, LF_ERR_BAD_FILE)                          \
	X(CL_INVALID_DEVICE_PARTITION_COUNT, LF_ERR_BACKEND)                   \
	X(CL_PLATFORM_NOT_FOUND_KHR, LF_ERR_NOT_FOUND)

const char *lf__ocl_err_name(int32_t err)
{
	switch (err) {
#define OCL_NAME_CASE(name, st)                                                \
	case name:                                                             \
		return #name;
		OCL_ERRORS(OCL_NAME_CASE)
#undef OCL_NAME_CASE
	}
	return "CL_UNKNOWN_ERROR";
}

lf_status lf__ocl_status(int32_t err)
{
	switch (err) {
#define OCL_STATUS_CASE(name, st)                                              \
	case name:                                                             \
		return st;
		OCL_ERRORS(OCL_STATUS_CASE)
#undef OCL_STATUS_CASE
	}
	return LF_ERR_BACKEND;
}

lf_status lf__ocl_fail(lf_status st, const char *fn, cl_int err,
		       const char *fmt, ...)
{
	char detail[OCL_MSG_MAX * 2];
	va_list ap;

	detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (err == CL_SUCCESS)
		return lf__drv_error(st, "opencl: %s: %s", fn, detail);
	return lf__drv_error(st, "opencl: %s: %s (%d)%s%s", fn,
			     lf__ocl_err_name(err), (int)err,
			     detail[0] ? ": " : "", detail);
}
