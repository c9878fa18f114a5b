/*
 * xrt_api.h - private to driver/xrt: XRT's C API through a table loaded
 * at the backend's first open (lf__xrt_api_load()), so liblayerfab does
 * not link libxrt_coreutil and an application that never opens "xrt:"
 * never loads XRT (driver/core/dynlib.c).
 *
 * Call XRT as lf__xrt.xrtDeviceOpen(...): each member has the type of the
 * function of the same name in XRT 2.13's C headers.
 */
#ifndef LF_DRIVER_XRT_API_H
#define LF_DRIVER_XRT_API_H

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "driver/core/backend.h"

/* Every XRT function the backend calls (all in libxrt_coreutil). */
#define LF__XRT_FUNCS(X)                                                       \
	X(xrtBOAlloc)                                                          \
	X(xrtBOFree)                                                           \
	X(xrtBOMap)                                                            \
	X(xrtBOSubAlloc)                                                       \
	X(xrtBOSync)                                                           \
	X(xrtDeviceClose)                                                      \
	X(xrtDeviceGetXclbinUUID)                                              \
	X(xrtDeviceLoadXclbin)                                                 \
	X(xrtDeviceOpen)                                                       \
	X(xrtDeviceOpenByBDF)                                                  \
	X(xrtDeviceToXclDevice)                                                \
	X(xrtKernelArgGroupId)                                                 \
	X(xrtKernelClose)                                                      \
	X(xrtPLKernelOpen)                                                     \
	X(xrtRunClose)                                                         \
	X(xrtRunOpen)                                                          \
	X(xrtRunSetArg)                                                        \
	X(xrtRunStart)                                                         \
	X(xrtRunState)                                                         \
	X(xrtRunWaitFor)

struct lf__xrt_api {
#define LF__XRT_MEMBER(f) __typeof__(f) *f;
	LF__XRT_FUNCS(LF__XRT_MEMBER)
#undef LF__XRT_MEMBER
};

/* Filled by lf__xrt_api_load(); read-only afterwards. */
extern struct lf__xrt_api lf__xrt;

/*
 * Load libxrt_coreutil once per process: $XILINX_XRT/lib/ first (where
 * XRT's setup.sh installs it, /opt/xilinx/xrt), then the soname through
 * the usual search (Debian: /usr/lib/x86_64-linux-gnu). LF_ERR_NOT_FOUND
 * naming the library when neither loads (lf__drv_last_error()).
 */
lf_status lf__xrt_api_load(void);

#endif /* LF_DRIVER_XRT_API_H */
