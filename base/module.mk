# base: libc-only helpers every layer may use (base/README.md).
LIB_SRCS += $(wildcard base/*.c)
