# hostlib/demo: lf-demo and `make demo` - the Fashion-MNIST test set through
# models/fmnist_qop.onnx on the emulated F1 card. It reads Debian's
# dataset-fashion-mnist through zlib and shares hostlib/cli's helpers
# (cmd_util.c). The accuracy must equal ONNX Runtime's, 90.35 % on the
# 10,000 test images (models/README.md).
LF_DEMO := $(BUILD)/bin/lf-demo
DEMO_SRCS := $(wildcard hostlib/demo/*.c)
DEMO_OBJS := $(DEMO_SRCS:%.c=$(BUILD)/obj/%.o) \
	$(BUILD)/obj/hostlib/cli/cmd_util.o
DEMO_ORT_ACCURACY := 90.35
ALL_TARGETS += $(LF_DEMO)
-include $(DEMO_SRCS:%.c=$(BUILD)/obj/%.d)

$(LF_DEMO): $(DEMO_OBJS) $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(DEMO_OBJS) $(BUILD)/lib/liblayerfab.a \
		$(LIB_LDLIBS) -lz $(LDLIBS_ALL)

# `all` first: it builds the bitstreams and, through the deps stamp,
# installs any missing Debian package.
demo: all $(LF_DEMO)
	$(LF_DEMO) --device emu --model models/fmnist_qop.onnx \
		--expect-accuracy $(DEMO_ORT_ACCURACY)
