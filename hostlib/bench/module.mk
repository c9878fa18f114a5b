# hostlib/bench: lf-bench times realistic layers on the emulated card.
# It uses the aws-f1 emulation xclbin that `make` builds (every kernel:
# conv2d, matmul, pool, add and the engine that runs whole segments).
LF_BENCH := $(BUILD)/bin/lf-bench
LF_BENCH_XCLBIN := $(BUILD)/bitstreams/emu-aws-f1.xclbin
TOOLS += $(LF_BENCH)
$(LF_BENCH): $(BUILD)/obj/hostlib/bench/lf_bench.o $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(BUILD)/obj/hostlib/bench/lf_bench.d

# `make bench` (not part of `make test`): ONNX Runtime and layerfab on the
# same models in one run, then the layer lines above; scripts/bench-ort.sh
# installs ORT from npm and generates ResNet-18 when they are missing.
bench: all $(LF_BENCH) $(LAYERFAB_BIN)
	BUILD=$(BUILD) LF_BENCH_XCLBIN=$(LF_BENCH_XCLBIN) sh scripts/bench-ort.sh
