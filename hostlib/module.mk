# hostlib: the library an application links.
LIB_SRCS += hostlib/core/status.c
include hostlib/cpu/module.mk
