/*
 * hls-lint: host-file (a build tool; not part of any kernel)
 * limits_dump.c - prints the kernels' compile-time limits (LF_LIMITS in
 * lf_config.h) as `key=value` lines: the text the emulation xclbins embed
 * and the host library plans tiles from; then the -D parameters it was
 * built with (LF_PARAMS), under their macro names.
 *
 * A build tool, not part of the kernels: hls/module.mk keeps it out of
 * KERNEL_SRCS and builds it with the same flags, so -D overrides reach it.
 */
#include <stdio.h>

#include "lf_config.h"
#include "lf_desc.h"

int main(void)
{
#define LF_PRINT_LIMIT(key, value)                                             \
	if (printf("%s=%ld\n", key, (long)(value)) < 0)                        \
		return 1;
	LF_LIMITS(LF_PRINT_LIMIT)
	LF_PARAMS(LF_PRINT_LIMIT)
#undef LF_PRINT_LIMIT
	return fflush(stdout) == 0 ? 0 : 1;
}
