# hostlib/cpu: the CPU reference and CPU ops.
LIB_SRCS += $(wildcard hostlib/cpu/*.c)
