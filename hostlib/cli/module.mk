# hostlib/cli: the `layerfab` command-line tool, linked against the static
# library. `make conformance [DIR=...] [FILTER=...]` runs the ONNX node
# tests (default: Debian's libonnx-testdata) on the CPU ops.
LAYERFAB_BIN := $(BUILD)/bin/layerfab
CLI_SRCS := $(wildcard hostlib/cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TOOLS += $(LAYERFAB_BIN)
CONFORMANCE_DIR := /usr/share/libonnx-testdata/data/node

-include $(CLI_OBJS:.o=.d)

# LIB_A is defined after the fragments are read: name the archive here.
$(LAYERFAB_BIN): $(CLI_OBJS) $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJS) $(BUILD)/lib/liblayerfab.a \
		$(LIB_LDLIBS) $(LDLIBS_ALL)

conformance: $(LAYERFAB_BIN)
	$(LAYERFAB_BIN) conformance $(or $(DIR),$(CONFORMANCE_DIR)) \
		$(if $(FILTER),--filter $(FILTER))
