# hls: the kernels. Built as host C (objects linked into the tests, and a
# shared object that goes into the emulation xclbins), plus the limits text
# (hls/README.md) the xclbins embed.
# limits_dump.c is a host tool: keep it out of the kernel objects.
# engine.c #includes conv2d.c, matmul.c, pool.c and add.c (one translation
# unit per kernel, hls/README.md); -MMD records them, so a change to any of
# them rebuilds engine.o as well.
KERNEL_SRCS += $(filter-out hls/limits_dump.c,$(wildcard hls/*.c))
KERNEL_HOST_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/kobj/%.o)
KERNEL_SO := $(BUILD)/hls/lfkernels.so
# Every kernels shared object the build puts into an emulation xclbin: the
# emulator runs only these by default (driver/emu/trust.mk). A rule that
# builds another one must add it here.
KERNEL_SOS := $(KERNEL_SO)
LIMITS_DUMP := $(BUILD)/bin/lf-limits-dump
LIMITS_TXT := $(BUILD)/hls/limits.txt
ALL_TARGETS += $(KERNEL_SO) $(LIMITS_TXT)

$(BUILD)/kobj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
-include $(KERNEL_HOST_OBJS:.o=.d)

$(KERNEL_SO): $(KERNEL_HOST_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ -lm

# Same compiler flags as the kernels, so a -D override changes both.
$(LIMITS_DUMP): hls/limits_dump.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -Ihls $(KERNEL_CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS_ALL) $< -o $@
-include $(LIMITS_DUMP).d

$(LIMITS_TXT): $(LIMITS_DUMP)
	@mkdir -p $(@D)
	$(LIMITS_DUMP) > $@.tmp && mv $@.tmp $@
