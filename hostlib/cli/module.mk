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

# --- devices, info, run, bench (cmd_*.c; issue 5) -------------------------
# The demo program and `make demo` (hostlib/demo; lf-demo links cmd_util.o).
include hostlib/demo/module.mk

# Suites "cli" (runs the built binary) and "cli_demo" (IDX reader, batches,
# report); the IDX reader needs zlib in the test binary too.
TEST_SRCS += tests/unit/test_cli.c tests/unit/test_cli_util.c \
	tests/unit/test_cli_demo.c \
	hostlib/demo/idx.c hostlib/demo/fmnist.c hostlib/demo/report.c
TEST_LDLIBS += -lz
TEST_DEPS += $(LAYERFAB_BIN) $(LF_DEMO)
