# tests/fuzz: libFuzzer harnesses (tests/fuzz/README.md).
#
# make test: each harness is built with the normal compiler against
# replay.c's main() and replays its seed corpus (the repository's own
# files), so the harnesses keep building and every seed passes cleanly.
#
# make fuzz [FUZZ_SECONDS=60]: the library, kernels and bitstreams rebuilt
# with clang under ASan+UBSan and libFuzzer's coverage ($(BUILD)/fuzz),
# then each target fuzzed for FUZZ_SECONDS from its seeds; any crash,
# leak, timeout or out-of-memory fails the target.
FUZZ_TARGETS := onnx pb xclbin
FUZZ_SECONDS ?= 60
FUZZ_HDRS := tests/fuzz/fuzz.h

# Seeds: the repository's files of each kind (and the build's xclbins).
FUZZ_SEEDS_onnx = $(wildcard models/*.onnx) \
	$(shell find tests/data -name '*.onnx' 2>/dev/null | sort)
FUZZ_SEEDS_pb = $(shell find tests/data -name '*.pb' 2>/dev/null | sort)
FUZZ_SEEDS_xclbin = $(EMU_XCLBINS) $(wildcard tests/data/xclbin/*)

FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz-replay-%)
TEST_DEPS += $(FUZZ_REPLAY)
$(BUILD)/tests/fuzz-replay-%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
		$(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(BUILD)/obj/tests/fuzz/*.d

.PHONY: fuzz-replay fuzz fuzz-run
test: fuzz-replay
fuzz-replay: $(FUZZ_REPLAY) $(EMU_XCLBINS)
	@for t in $(FUZZ_TARGETS); do \
	  case $$t in onnx) s="$(FUZZ_SEEDS_onnx)";; pb) s="$(FUZZ_SEEDS_pb)";; \
	    xclbin) s="$(FUZZ_SEEDS_xclbin)";; esac; \
	  LAYERFAB_BUILD=$(BUILD) $(BUILD)/tests/fuzz-replay-$$t $$s \
	    $(wildcard tests/fuzz/corpus/$$t) || exit 1; \
	done

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
# The kernels' shared object (lfkernels.so, and the xclbins' BITSTREAM)
# gets ASan+UBSan but not libFuzzer's coverage: libFuzzer reads the
# coverage counters of every instrumented module after each input, and
# the emulator dlclose()s the kernels when an image is freed (the xclbin
# target frees one per input), so their counters became unmapped memory:
# a SEGV in libFuzzer's CollectFeatures at emu-tiny's xclbin seed (make
# fuzz failed so on main at e2269ca).
fuzz:
	$(MAKE) BUILD=$(BUILD)/fuzz CC=clang OPT=-O1 OPENCL=0 XRT=0 \
		SAN_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		KERNEL_SAN_CFLAGS="$(FUZZ_SAN)" \
		SAN_LDFLAGS="$(FUZZ_SAN)" FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz-run

# Inside the sub-make above ($(BUILD) is .../fuzz).
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz-%)
$(BUILD)/tests/fuzz-%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
		$(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) -fsanitize=fuzzer $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) \
		$(LDLIBS_ALL)

# libFuzzer takes seed directories: each kind's files, copied flat.
fuzz-run: $(FUZZ_BINS) $(KERNEL_SO) $(EMU_XCLBINS)
	@for t in $(FUZZ_TARGETS); do \
	  case $$t in onnx) s="$(FUZZ_SEEDS_onnx)";; pb) s="$(FUZZ_SEEDS_pb)";; \
	    xclbin) s="$(FUZZ_SEEDS_xclbin)";; esac; \
	  seeds=$(BUILD)/fuzz-seeds/$$t; corpus=$(BUILD)/fuzz-corpus/$$t; \
	  art=$(BUILD)/fuzz-artifacts/$$t; \
	  rm -rf $$seeds; mkdir -p $$seeds $$corpus $$art; \
	  for f in $$s; do cp "$$f" "$$seeds/$$(echo "$$f" | tr / _)"; done; \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s from $$(ls $$seeds | wc -l) seeds"; \
	  LAYERFAB_BUILD=$(BUILD) \
	  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(BUILD)/tests/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=$$art/ $$corpus $$seeds \
	    $(wildcard tests/fuzz/corpus/$$t) > $(BUILD)/fuzz-$$t.log 2>&1 \
	  || { tail -40 $(BUILD)/fuzz-$$t.log; \
	       echo "fuzz $$t: FAILED (log $(BUILD)/fuzz-$$t.log, input in $$art)"; \
	       exit 1; }; \
	  grep -E "stat::number_of_executed_units|cov:" $(BUILD)/fuzz-$$t.log | tail -2; \
	  echo "fuzz $$t: passed"; \
	done
