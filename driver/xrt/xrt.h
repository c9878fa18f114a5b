/*
 * xrt.h - the XRT backend as the rest of driver/ and the tests see it.
 * Built only where XRT's development files are (LF_HAVE_XRT).
 */
#ifndef LF_DRIVER_XRT_H
#define LF_DRIVER_XRT_H

#include <sys/types.h>

#include "driver/driver.h"

/* The vtable ("xrt"), for the registry. */
extern const struct lf_backend_ops lf__xrt_backend;

/*
 * lf__xrt_device_pid() - the pid of the software-emulation device process
 * behind @dev (XCL_EMULATION_MODE=sw_emu, after the first xclbin load), or
 * -1 (a card, another backend, not found). For fault tests.
 */
pid_t lf__xrt_device_pid(lf_dev *dev);

#endif /* LF_DRIVER_XRT_H */
