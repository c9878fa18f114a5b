# driver: PCIe discovery, xclbin reader/writer, backends.

# driver/xclbin: xclbin reader and writer (expat for the kernel XML); the
# lf-xclbin tool builds and prints xclbins with them.
LIB_SRCS += driver/xclbin/xclbin_read.c driver/xclbin/xclbin_xml.c \
	driver/xclbin/xclbin_limits.c driver/xclbin/xclbin_platform.c \
	driver/xclbin/xclbin_write.c
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
