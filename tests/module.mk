# tests: one CUnit binary; suites are listed once, in tests/suites.def.
TEST_SRCS += tests/test_main.c tests/unit/test_status.c
TEST_SRCS += tests/unit/test_kernels.c
TEST_SRCS += tests/unit/test_xclbin.c tests/unit/test_pci.c
TEST_SRCS += tests/unit/test_api.c tests/unit/test_hostlib_ops.c \
	tests/unit/test_tiling.c tests/unit/test_hostlib_util.c
TEST_SRCS += tests/unit/test_ref_ops.c tests/conformance/test_onnx_node.c tests/conformance/test_onnx_malformed.c
# driver and emu suites (driver/core, driver/emu); emu_probe.so is a tiny
# kernel the emulator tests load as a BITSTREAM (test_emu_probe_kernel.c).
TEST_SRCS += tests/unit/test_driver.c tests/unit/test_emu.c \
	tests/unit/test_emu_util.c tests/unit/test_emu_run.c \
	tests/unit/test_emu_timing.c tests/unit/test_emu_fault.c
EMU_PROBE_SO := $(BUILD)/tests/emu_probe.so
ALL_TARGETS += $(EMU_PROBE_SO)
TEST_DEPS += $(EMU_PROBE_SO)
$(EMU_PROBE_SO): tests/unit/test_emu_probe_kernel.c hls/lf_desc.h \
		hls/lf_kernel.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ $<
TEST_SRCS += tests/unit/test_kernels_opencl.c
TEST_LDLIBS += -lOpenCL
