/*
 * kernel_names.c - print LF_KERNELS (hls/lf_desc.h) as the C compiler
 * reads it, space-separated, for bitstreams/hw.mk's hw-kernels-check.
 */
#include <stdio.h>

#include "lf_desc.h"

int main(void)
{
	for (int k = 0; k < LF_KERNEL_COUNT; k++)
		printf("%s%s", k ? " " : "", lf_kernel_name((enum lf_kernel)k));
	printf("\n");
	return 0;
}
