# driver: PCIe discovery, xclbin reader/writer, backends.

# driver/xclbin: xclbin reader and writer (expat for the kernel XML); the
# lf-xclbin tool builds and prints xclbins with them.
LIB_SRCS += driver/xclbin/xclbin_read.c driver/xclbin/xclbin_xml.c \
	driver/xclbin/xclbin_limits.c driver/xclbin/xclbin_platform.c \
	driver/xclbin/xclbin_write.c driver/xclbin/xclbin_print.c
LIB_LDLIBS += -lexpat
LF_XCLBIN_TOOL := $(BUILD)/bin/lf-xclbin
TOOLS += $(LF_XCLBIN_TOOL)
$(LF_XCLBIN_TOOL): $(BUILD)/obj/driver/xclbin/tool_xclbin.o \
		$(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(BUILD)/obj/driver/xclbin/tool_xclbin.d

# driver/pci: PCIe discovery of FPGA cards through libpci.
LIB_SRCS += driver/pci/pci.c
LIB_LDLIBS += -lpci
# driver/core (registry, entry points) and driver/emu (the emulated card).
LIB_SRCS += $(wildcard driver/core/*.c) $(wildcard driver/emu/*.c)
# driver/aws: the AWS F2 register-level backend (BARs through sysfs, AFI
# loading through the SDK's libfpga_mgmt found with dlopen) and its
# emulated CL, aws:sim. Always built: it needs no vendor library.
LIB_SRCS += $(wildcard driver/aws/*.c)

# driver/opencl: the OpenCL backend, built when the OpenCL headers and the
# ICD loader are found (scripts/install-deps.sh installs them): a
# compile-and-link check of have_opencl.c decides, `make OPENCL=0` forces
# it off. When built, LF_HAVE_OPENCL=1 is defined everywhere (the registry
# registers it, tests use its hooks) and the hls/ kernels' OpenCL C text is
# embedded into $(BUILD)/gen/lf_kernels_cl.c (embed_cl.sh).
OPENCL ?= auto
ifeq ($(OPENCL),auto)
LF_HAVE_OPENCL := $(shell $(CC) -o /dev/null driver/opencl/have_opencl.c \
	-lOpenCL >/dev/null 2>&1 && echo 1)
else ifeq ($(OPENCL),1)
LF_HAVE_OPENCL := 1
endif
# Objects that test LF_HAVE_OPENCL rebuild when the answer changes.
LF_OPENCL_FLAG := $(BUILD)/gen/have-opencl
$(shell mkdir -p $(BUILD)/gen && { echo '$(LF_HAVE_OPENCL)' | \
	cmp -s - $(LF_OPENCL_FLAG) || echo '$(LF_HAVE_OPENCL)' > \
	$(LF_OPENCL_FLAG); })
$(BUILD)/obj/driver/core/registry.o: $(LF_OPENCL_FLAG)
$(BUILD)/obj/tests/unit/test_opencl.o: $(LF_OPENCL_FLAG)
ifeq ($(LF_HAVE_OPENCL),1)
CPPFLAGS_ALL += -DLF_HAVE_OPENCL=1
LIB_SRCS += $(filter-out driver/opencl/have_opencl.c \
	driver/opencl/bench_opencl.c,$(wildcard driver/opencl/*.c))
# Not linked: the backend loads libOpenCL.so.1 at its first use
# (driver/opencl/ocl_api.h), so consumers of liblayerfab do not need it.
LF_OCL_GEN_C := $(BUILD)/gen/lf_kernels_cl.c
GEN_SRCS += $(LF_OCL_GEN_C)
$(LF_OCL_GEN_C): driver/opencl/embed_cl.sh $(wildcard hls/*.h) $(KERNEL_SRCS)
	@mkdir -p $(@D)
	sh driver/opencl/embed_cl.sh hls $(KERNEL_SRCS:hls/%=%) > $@.tmp
	mv $@.tmp $@
# lf-bench-opencl: a realistic conv layer on an OpenCL device next to the
# emulator, wall times (driver/opencl/README.md).
LF_BENCH_OPENCL := $(BUILD)/bin/lf-bench-opencl
TOOLS += $(LF_BENCH_OPENCL)
$(LF_BENCH_OPENCL): $(BUILD)/obj/driver/opencl/bench_opencl.o \
		$(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(BUILD)/obj/driver/opencl/bench_opencl.d
endif
# driver/xrt: the XRT backend (XRT's C API, libxrt_coreutil) and the device
# process XRT's software emulation forks (driver/xrt/devproc, a second
# front door of the emulated card). Built only where Debian's libxrt-dev is
# installed; LF_HAVE_XRT tells the code. Only libxrt_coreutil is used (with
# dlopen, at the first open): it loads the hardware or emulation shim
# itself (XCL_EMULATION_MODE).
# `make XRT=0` leaves it out.
XRT ?= auto
XRT_INC ?= /usr/include/xrt
ifeq ($(XRT),auto)
LF_HAVE_XRT := $(shell test -f $(XRT_INC)/xrt/xrt_kernel.h && \
	$(CC) -print-file-name=libxrt_coreutil.so | grep -q / && echo 1)
else ifeq ($(XRT),1)
LF_HAVE_XRT := 1
endif
# Objects that test LF_HAVE_XRT rebuild when the answer changes.
LF_XRT_FLAG := $(BUILD)/gen/have-xrt
$(shell mkdir -p $(BUILD)/gen && { echo '$(LF_HAVE_XRT)' | \
	cmp -s - $(LF_XRT_FLAG) || echo '$(LF_HAVE_XRT)' > $(LF_XRT_FLAG); })
$(BUILD)/obj/driver/core/registry.o: $(LF_XRT_FLAG)
ifeq ($(LF_HAVE_XRT),1)
SWEMU_PROTO := driver/xrt/swemu_rpc.proto
SWEMU_GEN_C := $(BUILD)/gen/swemu_rpc.pb-c.c
SWEMU_GEN_H := $(BUILD)/gen/swemu_rpc.pb-c.h
GEN_SRCS += $(SWEMU_GEN_C)
GEN_HDRS += $(SWEMU_GEN_H)
LIB_SRCS += $(wildcard driver/xrt/*.c)
# Not linked: the backend loads libxrt_coreutil.so.2 at its first open
# (driver/xrt/xrt_api.h), so consumers of liblayerfab do not need XRT.
CPPFLAGS_ALL += -DLF_HAVE_XRT=1
$(BUILD)/obj/driver/xrt/%.o: \
	CPPFLAGS_ALL += -isystem $(XRT_INC)
$(SWEMU_GEN_C) $(SWEMU_GEN_H) &: $(SWEMU_PROTO) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	protoc-c --proto_path=$(dir $(SWEMU_PROTO)) --c_out=$(@D) $(SWEMU_PROTO)
# The device process, where the shim looks for it under XILINX_VITIS.
SWEMU_DIR := $(BUILD)/xrt-swemu
SWEMU_VITIS := $(SWEMU_DIR)/vitis
SWEMU_DEVPROC := \
	$(SWEMU_VITIS)/data/emulation/unified/cpu_em/generic_pcie/model/genericpciemodel
DEVPROC_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard driver/xrt/devproc/*.c))
ALL_TARGETS += $(SWEMU_DEVPROC)
$(SWEMU_DEVPROC): $(DEVPROC_OBJS) $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(DEVPROC_OBJS) $(BUILD)/lib/liblayerfab.a \
		-Wl,--as-needed $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(DEVPROC_OBJS:.o=.d)
endif
# `make bench-opencl`: lf-bench-opencl on opencl:0 next to emu:aws-f1.
.PHONY: bench-opencl
ifeq ($(LF_HAVE_OPENCL),1)
bench-opencl: $(LF_BENCH_OPENCL) $(BUILD)/bitstreams/emu-aws-f1.xclbin
	$(LF_BENCH_OPENCL) --xclbin $(BUILD)/bitstreams/emu-aws-f1.xclbin
else
bench-opencl:
	@echo "SKIP: the OpenCL backend is not built"
endif
