# hostlib: the library an application links.
LIB_SRCS += hostlib/base/status.c
include hostlib/cpu/module.mk
include hostlib/onnx/module.mk
include hostlib/cli/module.mk
# hostlib/base (errors, status names, struct lf_tensor), hostlib/core
# (contexts, tensors, ops, events, profiling), hostlib/plan
# (tiling, descriptor packing, requantization) and hostlib/exec (running
# on a device through driver/driver.h, buffer pool).
LIB_SRCS += $(filter-out hostlib/base/status.c,$(wildcard hostlib/base/*.c)) \
	$(wildcard hostlib/core/*.c) \
	$(wildcard hostlib/plan/*.c) $(wildcard hostlib/exec/*.c)
# Where an installed library finds its bitstreams: I_DATADIR (Makefile)
# compiled into xclbin_path.o. The flag file changes when PREFIX or DATADIR
# does, so `make install PREFIX=X` rebuilds the object and everything that
# links it before installing (uninstall and clean leave it alone).
LF_DATADIR_FLAG := $(BUILD)/gen/datadir
ifneq ($(filter-out uninstall clean,$(or $(MAKECMDGOALS),all)),)
$(shell mkdir -p $(BUILD)/gen && { echo '$(I_DATADIR)' | \
	cmp -s - $(LF_DATADIR_FLAG) || echo '$(I_DATADIR)' > \
	$(LF_DATADIR_FLAG); })
endif
$(BUILD)/obj/hostlib/core/xclbin_path.o: $(LF_DATADIR_FLAG)
$(BUILD)/obj/hostlib/core/xclbin_path.o: \
	CPPFLAGS_ALL += -DLF_DATADIR='"$(I_DATADIR)"'
include hostlib/bench/module.mk
# hostlib/model: ONNX model import into the graph IR, QDQ folding, the
# public lf_model_* API (planning in hostlib/plan/model_plan.c, execution
# in hostlib/exec/model_exec.c).
LIB_SRCS += $(wildcard hostlib/model/*.c)

# The layering check: hostlib's folder include graph is acyclic and each
# folder includes only what its README allows; no backend name outside
# cli/ and demo/. tests/check_includes shows the check fails when it should.
.PHONY: include-check include-check-test
include-check: | $(DEPS_STAMP)
	@$(PYTHON3) scripts/check-includes
include-check-test: | $(DEPS_STAMP)
	@PYTHON=$(PYTHON3) sh tests/check_includes/run.sh
TEST_DEPS += include-check include-check-test
