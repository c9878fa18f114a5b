/*
 * layerfab.h - the public API of layerfab: int8 inference layers on FPGAs.
 *
 * This is the only header an application includes and the only interface it
 * may rely on. Everything else in the source tree is internal.
 */
#ifndef LAYERFAB_H
#define LAYERFAB_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LF_API __attribute__((visibility("default")))
#else
#define LF_API
#endif

/*
 * LF_STATUS_MAP - every status code: name, value, message.
 *
 * LF_OK is 0 and every error is negative. The enum, lf_status_name() and
 * lf_status_str() are all produced from this one list, so they cannot drift.
 */
#define LF_STATUS_MAP(X)                                                       \
	X(OK, 0, "success")                                                    \
	X(ERR_INVALID_ARG, -1, "invalid argument")                             \
	X(ERR_NO_MEMORY, -2, "out of host memory")                             \
	X(ERR_NO_DEVICE_MEMORY, -3, "out of device memory")                    \
	X(ERR_UNSUPPORTED, -4, "operation not supported")                      \
	X(ERR_BAD_FILE, -5, "malformed or unreadable file")                    \
	X(ERR_IO, -6, "input/output error")                                    \
	X(ERR_NOT_FOUND, -7, "not found")                                      \
	X(ERR_BUSY, -8, "object still has live children or pending work")      \
	X(ERR_TIMEOUT, -9, "timed out")                                        \
	X(ERR_DEVICE, -10, "device error")                                     \
	X(ERR_DEVICE_LOST, -11, "device lost")                                 \
	X(ERR_DMA, -12, "DMA transfer failed")                                 \
	X(ERR_KERNEL, -13, "kernel reported an error")                         \
	X(ERR_SHAPE, -14, "shapes do not fit")                                 \
	X(ERR_OVERFLOW, -15, "size overflow")                                  \
	X(ERR_RANGE, -16, "address or offset out of range")                    \
	X(ERR_STATE, -17, "call not valid in the object's current state")      \
	X(ERR_BACKEND, -18, "backend library error")                           \
	X(ERR_INTERNAL, -19, "internal error")

/** lf_status - result of every layerfab function that can fail. */
typedef enum lf_status {
#define LF__STATUS_ENUM(name, value, msg) LF_##name = (value),
	LF_STATUS_MAP(LF__STATUS_ENUM)
#undef LF__STATUS_ENUM
} lf_status;

/** lf_dtype - element type of a tensor. */
typedef enum lf_dtype {
	LF_DTYPE_UINT8 = 0,
	LF_DTYPE_INT8 = 1,
	LF_DTYPE_INT32 = 2,
	LF_DTYPE_FLOAT32 = 3
} lf_dtype;

/**
 * lf_status_name() - the enumerator name of a status, e.g. "LF_ERR_TIMEOUT".
 * @status: any value; unknown values give "LF_ERR_UNKNOWN".
 *
 * Return: a static string; never NULL.
 */
LF_API const char *lf_status_name(lf_status status);

/**
 * lf_status_str() - a short English description of a status.
 * @status: any value; unknown values give "unknown status".
 *
 * Return: a static string; never NULL.
 */
LF_API const char *lf_status_str(lf_status status);

#ifdef __cplusplus
}
#endif
#endif /* LAYERFAB_H */
