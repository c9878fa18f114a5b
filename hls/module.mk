# hls: the kernels. Built as host C (objects linked into the tests, and a
# shared object that goes into the emulation xclbins).
KERNEL_SRCS += $(wildcard hls/*.c)
KERNEL_HOST_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/kobj/%.o)
KERNEL_SO := $(BUILD)/hls/lfkernels.so
ALL_TARGETS += $(KERNEL_SO)

$(BUILD)/kobj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
-include $(KERNEL_HOST_OBJS:.o=.d)

$(KERNEL_SO): $(KERNEL_HOST_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ -lm
