# tests: one CUnit binary; suites are listed once, in tests/suites.def.
TEST_SRCS += tests/test_main.c tests/lf_test.c tests/unit/test_status.c
TEST_SRCS += tests/unit/test_limits.c
TEST_SRCS += tests/unit/test_kernels.c tests/unit/test_kernels_pool.c
TEST_SRCS += tests/unit/test_kernels_blk.c tests/unit/test_kernels_part.c
TEST_SRCS += tests/unit/test_qadd_int.c
TEST_SRCS += tests/unit/test_xclbin.c tests/unit/test_pci.c
TEST_SRCS += tests/unit/test_api.c tests/unit/test_options.c tests/unit/test_hostlib_ops.c \
	tests/unit/test_tiling.c tests/unit/test_hostlib_util.c
TEST_SRCS += tests/unit/test_ref_ops.c tests/conformance/test_onnx_node.c tests/conformance/test_onnx_malformed.c
TEST_SRCS += tests/conformance/test_onnx_device.c tests/conformance/test_device_conformance.c hostlib/cli/cmd_conformance.c hostlib/cli/cmd_util.c
# driver and emu suites (driver/core, driver/emu); emu_probe.so is a tiny
# kernel the emulator tests load as a BITSTREAM (test_emu_probe_kernel.c).
TEST_SRCS += tests/unit/test_driver.c tests/unit/test_emu.c \
	tests/unit/test_emu_util.c tests/unit/test_emu_run.c \
	tests/unit/test_emu_timing.c tests/unit/test_emu_fault.c
# aws suite: the AWS F2 backend on aws:sim and on sysfs-like files; it
# reuses the emu suite's probe helpers (test_emu_util.c).
TEST_SRCS += tests/unit/test_aws.c
EMU_PROBE_SO := $(BUILD)/tests/emu_probe.so
ALL_TARGETS += $(EMU_PROBE_SO)
TEST_DEPS += $(EMU_PROBE_SO)
$(EMU_PROBE_SO): tests/unit/test_emu_probe_kernel.c hls/lf_desc.h \
		hls/lf_kernel.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ $<
# emu_ctor.so: a shared object with only a constructor, the crafted
# BITSTREAM of the emu_trust suite (test_emu_ctor_kernel.c).
EMU_CTOR_SO := $(BUILD)/tests/emu_ctor.so
ALL_TARGETS += $(EMU_CTOR_SO)
TEST_DEPS += $(EMU_CTOR_SO)
$(EMU_CTOR_SO): tests/unit/test_emu_ctor_kernel.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -fPIC -shared $(LDFLAGS_ALL) -o $@ $<
# emu_blk.so: a stand-in lfk_engine with blocked datapaths (the real
# engine for NCHW descriptors, LF_DF_BLK ones interpreted from the text of
# lf_desc.h) for the model suite's blocked-segment tests, until the
# blocked datapaths are in hls/ (test_blk_kernel.c).
EMU_BLK_SO := $(BUILD)/tests/emu_blk.so
ALL_TARGETS += $(EMU_BLK_SO)
TEST_DEPS += $(EMU_BLK_SO)
$(EMU_BLK_SO): tests/unit/test_blk_kernel.c tests/unit/blk_interp.h \
		hls/cycles.c $(KERNEL_SRCS) $(wildcard hls/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ \
		tests/unit/test_blk_kernel.c hls/cycles.c -lm
TEST_SRCS += tests/unit/test_emu_trust.c
TEST_SRCS += tests/unit/test_kernels_opencl.c
TEST_LDLIBS += -lOpenCL
# opencl suite: the OpenCL backend (driver/opencl) on PoCL or any device.
TEST_SRCS += tests/unit/test_opencl.c
# io_binding suite: tensors that stay on the card (emu, opencl:0).
TEST_SRCS += tests/unit/test_io_binding.c
# The XRT suites: their own binary, build/tests/lf_tests_xrt, which
# `make test` runs through tests/xrt/run.sh (XRT's software emulation, one
# process group, USER and run directory per suite, under a timeout), so a
# shim that signals its process group cannot reach make.
ifeq ($(LF_HAVE_XRT),1)
XRT_TEST_SRCS := $(wildcard tests/xrt/*.c)
XRT_TEST_OBJS := $(XRT_TEST_SRCS:%.c=$(BUILD)/obj/%.o) \
	$(BUILD)/obj/tests/unit/test_kernels.o $(BUILD)/obj/tests/lf_test.o
XRT_TEST_BIN := $(BUILD)/tests/lf_tests_xrt
$(XRT_TEST_BIN): $(XRT_TEST_OBJS) $(BUILD)/lib/liblayerfab.a $(KERNEL_HOST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(XRT_TEST_OBJS) $(KERNEL_HOST_OBJS) \
		$(BUILD)/lib/liblayerfab.a -lcunit -lOpenCL -lxrt_coreutil \
		$(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(XRT_TEST_OBJS:.o=.d)
.PHONY: xrt-test
xrt-test: all $(XRT_TEST_BIN) $(SWEMU_DEVPROC) $(EMU_PROBE_SO) \
		$(BUILD)/tests/lf_tests
	sh tests/xrt/run.sh --self-check $(BUILD)
else
.PHONY: xrt-test
xrt-test:
	@echo "SKIP: XRT not installed (libxrt-dev not found): the XRT" \
		"suites did not run"
endif
test: xrt-test
# model and graph suites (hostlib/model, hostlib/plan/model_plan.c,
# hostlib/exec/model_exec.c); test_model_util.c builds ONNX models.
TEST_SRCS += tests/unit/test_model.c tests/unit/test_graph.c \
	tests/unit/test_model_util.c tests/unit/test_multidev.c \
	tests/unit/test_cu_split.c \
	tests/unit/test_model_segments.c tests/unit/test_realworld.c \
	tests/unit/test_model_cycles.c tests/unit/test_model_lut.c \
	tests/unit/test_model_concat.c tests/unit/test_model_fuse.c \
	tests/unit/test_model_se.c
# xrt_devproc suite: the sw_emu device process and the lost-device
# responder over the wire protocol, without XRT (empty when XRT is absent).
TEST_SRCS += tests/unit/test_xrt_devproc.c
# xrt_open suite: xrt:N without a card or without XRT set up is an error,
# never an abort (child processes).
TEST_SRCS += tests/unit/test_xrt_open.c
$(BUILD)/obj/tests/unit/test_xrt_devproc.o: CPPFLAGS_ALL += -isystem $(XRT_INC)
# native_handles calls XRT's C API on the handles layerfab gives out.
$(BUILD)/obj/tests/xrt/test_xrt.o: CPPFLAGS_ALL += -isystem $(XRT_INC)
$(BUILD)/obj/tests/unit/test_xrt_devproc.o: $(LF_XRT_FLAG)
TEST_DEPS += $(SWEMU_DEVPROC)
# file suite: base/lf_file.c and every reader of user-supplied files (FIFO,
# directory, oversized), each in a child process under a deadline.
TEST_SRCS += tests/unit/test_file.c
# The Python package (python/layerfab, tests/python) and `make install` /
# `make uninstall` as a user runs them (tests/install): shell scripts,
# not CUnit suites. Skipped in sanitizer builds: an instrumented
# liblayerfab cannot be loaded into python3 or linked into a plain program.
.PHONY: python-test install-test
ifeq ($(SAN_CFLAGS),)
python-test: all
	sh tests/python/run.sh $(BUILD) $(BUILD)/lib/$(LIB_SONAME)
install-test: all
	sh tests/install/run.sh $(BUILD)
else
python-test install-test:
	@echo "SKIP: $@ (sanitizer build)"
endif
test: python-test install-test

# make realworld: every case of scripts/models/realworld.py (quantized
# torchvision CNNs through PyTorch FX / eager and ORT's QDQ format, a
# transformer encoder; expected outputs from ONNX Runtime via npm) into
# build/realworld, then the realworld suite on them: cpu, emu, opencl:0,
# byte for byte. `make test` runs the small committed ones
# (tests/data/realworld). Needs python3-torch and python3-torchvision
# (installed here, not for make test) and build/ort (gen_vectors.sh).
.PHONY: realworld
realworld: all $(BUILD)/tests/lf_tests
	@sh scripts/install-deps.sh --realworld
	/usr/bin/python3 scripts/models/realworld.py --out $(BUILD)/realworld \
		--work $(BUILD)/realworld-work
	LF_REALWORLD_DIR=$(BUILD)/realworld $(BUILD)/tests/lf_tests realworld
# env suite: environment values validated; names from files escaped.
TEST_SRCS += tests/unit/test_env.c
# fault_campaign suite: every emu fault kind at every occurrence of a
# load + run of the demo model, through the device string.
TEST_SRCS += tests/unit/test_fault_campaign.c
# libFuzzer harnesses: built against a replay main and their seeds replayed
# in make test; make fuzz fuzzes them (tests/fuzz/README.md).
include tests/fuzz/module.mk
