# layerfab - top-level build. Non-recursive: each folder contributes a
# module.mk fragment that appends to the lists below. All output goes to
# $(BUILD) (default build/); `make check` reuses this file with another
# BUILD and sanitizer flags.
#
#   make            library, kernels, tools, emulation bitstreams
#   make test       the CUnit suites (the README's test command)
#   make check      tests under ASan+UBSan, then under Valgrind
#   make demo       the newcomer's first command
#   make conformance [DIR=...]   ONNX node tests (default: Debian's)
#   make format / format-check
#   make install / uninstall [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=...]
#   make clean
#
# Builds run one job at a time unless asked: `make -j$(nproc)` is safe.

BUILD ?= build
PREFIX ?= /usr/local
# Installation directories (GNU names). A relative one is taken under
# PREFIX, so LIBDIR=lib/x86_64-linux-gnu gives Debian's multiarch layout.
# DATADIR is compiled into the library (where it finds its bitstreams):
# changing it rebuilds what embeds it.
BINDIR ?= bin
LIBDIR ?= lib
INCLUDEDIR ?= include
DATADIR ?= share
MANDIR ?= $(DATADIR)/man
PYTHONDIR ?= lib/python3/dist-packages
lf_dir = $(patsubst %/,%,$(if $(filter /%,$(1)),$(1),$(PREFIX)/$(1)))
I_BINDIR = $(call lf_dir,$(BINDIR))
I_LIBDIR = $(call lf_dir,$(LIBDIR))
I_INCLUDEDIR = $(call lf_dir,$(INCLUDEDIR))
I_DATADIR = $(call lf_dir,$(DATADIR))
I_MANDIR = $(call lf_dir,$(MANDIR))
I_PYTHONDIR = $(call lf_dir,$(PYTHONDIR))
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

OPT ?= -O2
SAN_CFLAGS ?=
SAN_LDFLAGS ?=
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS_ALL := -D_GNU_SOURCE -Iinclude -I. -Ihls -Itests -I$(BUILD)/gen
CFLAGS_ALL := -std=c11 $(OPT) -g -fPIC -fvisibility=hidden $(WARN) \
	$(SAN_CFLAGS) $(CFLAGS)
# Kernel sources carry `#pragma HLS` lines that only Vitis understands, and
# loop labels that only Vitis reads (hls/lf_pipes.h). KERNEL_SAN_CFLAGS:
# the sanitizers of the kernels' shared objects (make fuzz leaves out
# libFuzzer's coverage there: tests/fuzz/module.mk says why).
# On x86-64 the kernels' thread-local on-chip buffers (hls/lf_kernel.h
# LF_ONCHIP: static _Thread_local in host C) use TLS descriptors: in a
# dlopen'ed object each access otherwise calls __tls_get_addr, which gcc
# leaves inside loops (a quarter of the emulator's instructions). Only
# where the compiler takes the flag: Debian 12's clang 14 (make fuzz)
# rejects -mtls-dialect=gnu2 on x86-64.
KERNEL_SAN_CFLAGS = $(SAN_CFLAGS)
KERNEL_TLS := $(shell $(CC) -mtls-dialect=gnu2 -x c -c /dev/null \
	-o /dev/null 2>/dev/null && echo -mtls-dialect=gnu2)
KERNEL_CFLAGS := -std=c11 $(OPT) -g -fPIC $(KERNEL_TLS) -Wall -Wextra -Werror \
	-Wno-unknown-pragmas -Wno-unused-label $(KERNEL_SAN_CFLAGS) $(CFLAGS)
LDLIBS_ALL := -lm -lpthread -ldl
LDFLAGS_ALL := $(SAN_LDFLAGS) $(LDFLAGS)

# The version: read from include/layerfab.h, its one source (see there).
lf_version_part = $(shell sed -n \
	's/^\#define LF_VERSION_$(1) \([0-9][0-9]*\)$$/\1/p' include/layerfab.h)
LF_VERSION_MAJOR := $(call lf_version_part,MAJOR)
LF_VERSION_MINOR := $(call lf_version_part,MINOR)
LF_VERSION_PATCH := $(call lf_version_part,PATCH)
LF_VERSION := $(LF_VERSION_MAJOR).$(LF_VERSION_MINOR).$(LF_VERSION_PATCH)
ifneq ($(words $(LF_VERSION_MAJOR) $(LF_VERSION_MINOR) $(LF_VERSION_PATCH)),3)
$(error cannot read LF_VERSION_MAJOR/MINOR/PATCH from include/layerfab.h)
endif
# The ABI version, the soname's suffix: MAJOR, but MAJOR.MINOR while MAJOR
# is 0 (a 0.x minor release may break the ABI: 0.2 added struct_size to
# the public structs), as libtool-less projects and Cargo treat 0.x.
LF_ABI := $(if $(filter 0,$(LF_VERSION_MAJOR)),0.$(LF_VERSION_MINOR),$(LF_VERSION_MAJOR))

# Filled in by the module.mk fragments.
LIB_SRCS :=
GEN_SRCS :=
TEST_SRCS :=
KERNEL_SRCS :=
TOOLS :=
LIB_LDLIBS :=
TEST_LDLIBS :=
ALL_TARGETS :=
TEST_DEPS :=

.PHONY: all test check check-asan check-valgrind demo conformance format \
	format-check install uninstall clean deps bench
all:

# --- dependencies -----------------------------------------------------------
# Checked (and installed) while the Makefile is read, before anything else:
# the fragments below probe for the OpenCL and XRT headers with $(shell),
# and generated sources need protoc-c, so the packages must be there first.
# `scripts/install-deps.sh --check` is a quick dpkg query.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
LF_DEPS_MISSING := $(shell sh scripts/install-deps.sh --check >/dev/null 2>&1 \
	|| echo yes)
ifeq ($(LF_DEPS_MISSING),yes)
$(info layerfab: installing missing Debian packages (scripts/install-deps.sh))
LF_DEPS_RC := $(shell sh scripts/install-deps.sh >&2; echo $$?)
ifneq ($(LF_DEPS_RC),0)
$(error scripts/install-deps.sh failed (exit $(LF_DEPS_RC)); run it by hand \
	to see why)
endif
endif
endif
# Rules that need the packages depend on this marker (order-only); the
# check above has already installed them when the marker is made.
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP):
	@mkdir -p $(@D) && touch $@
deps:
	@sh scripts/install-deps.sh

include base/module.mk
include hostlib/module.mk
include hls/module.mk
include driver/module.mk
include bitstreams/module.mk
include driver/emu/trust.mk
include tests/module.mk

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(GEN_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
DEPFILES := $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d)

LIB_A := $(BUILD)/lib/liblayerfab.a
# The shared library: real name liblayerfab.so.MAJOR.MINOR.PATCH, soname
# liblayerfab.so.$(LF_ABI) (MAJOR, or 0.MINOR before 1.0), and the
# link-time name liblayerfab.so, all links in $(BUILD)/lib as they will be
# installed.
LIB_SONAME := liblayerfab.so.$(LF_ABI)
LIB_SO_REAL := $(BUILD)/lib/liblayerfab.so.$(LF_VERSION)
LIB_SO := $(BUILD)/lib/liblayerfab.so

all: $(LIB_A) $(LIB_SO) $(TOOLS) $(ALL_TARGETS)

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | $(DEPS_STAMP) $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -Wno-missing-prototypes -MMD -MP -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO_REAL): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) $(LDFLAGS_ALL) -o $@ $^ \
		$(LIB_LDLIBS) $(LDLIBS_ALL)

$(LIB_SO): $(LIB_SO_REAL)
	ln -sf $(notdir $(LIB_SO_REAL)) $(@D)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

-include $(DEPFILES)

# --- tests ----------------------------------------------------------------
TEST_BIN := $(BUILD)/tests/lf_tests
$(TEST_BIN): $(TEST_OBJS) $(LIB_A) $(KERNEL_HOST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(KERNEL_HOST_OBJS) $(LIB_A) \
		-lcunit $(TEST_LDLIBS) $(LIB_LDLIBS) $(LDLIBS_ALL)

test: all $(TEST_BIN) $(TEST_DEPS)
	LF_BUILD=$(BUILD) $(TEST_BIN)

check: check-asan check-valgrind
check-asan:
	$(MAKE) BUILD=$(BUILD)/asan OPT=-O1 \
		SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		SAN_LDFLAGS="-fsanitize=address,undefined" test
check-valgrind: all $(TEST_BIN) $(TEST_DEPS)
	LF_BUILD=$(BUILD) LF_UNDER_VALGRIND=1 valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--track-fds=no --suppressions=tests/valgrind.supp $(TEST_BIN)

# --- formatting -------------------------------------------------------------
FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

include scripts/install.mk

clean:
	rm -rf $(BUILD)
