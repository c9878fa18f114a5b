# hostlib/bench: lf-bench times realistic layers on the emulated card.
# It brings its own aws-f1 emulation xclbin (the kernels' own limits) so it
# does not depend on which bitstreams the tree builds.
LF_BENCH := $(BUILD)/bin/lf-bench
LF_BENCH_XCLBIN := $(BUILD)/bench/emu-aws-f1.xclbin
TOOLS += $(LF_BENCH)
$(LF_BENCH): $(BUILD)/obj/hostlib/bench/lf_bench.o $(BUILD)/lib/liblayerfab.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LDLIBS) $(LDLIBS_ALL)
-include $(BUILD)/obj/hostlib/bench/lf_bench.d

$(LF_BENCH_XCLBIN): $(BUILD)/hls/lfkernels.so $(BUILD)/bin/lf-xclbin $(BUILD)/bin/lf-limits-dump
	@mkdir -p $(@D)
	$(BUILD)/bin/lf-limits-dump > $(BUILD)/bench/limits.txt
	$(BUILD)/bin/lf-xclbin --out $@ --platform aws-f1 \
		--kernels-so $(BUILD)/hls/lfkernels.so --limits $(BUILD)/bench/limits.txt \
		--kernel lfk_conv2d:2 --kernel lfk_matmul:1 > /dev/null

# `make bench` (not part of `make test`): ONNX Runtime and layerfab on the
# same models in one run, then the layer lines above; scripts/bench-ort.sh
# installs ORT from npm and generates ResNet-18 when they are missing.
bench: all $(LF_BENCH) $(LF_BENCH_XCLBIN) $(LAYERFAB_BIN)
	BUILD=$(BUILD) LF_BENCH_XCLBIN=$(LF_BENCH_XCLBIN) sh scripts/bench-ort.sh
