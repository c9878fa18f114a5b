# hostlib/onnx: reading ONNX files with protobuf-c. The C code for the
# messages is generated at build time from Debian's onnx.proto (package
# libonnx-dev) into $(BUILD)/gen; protoc-c takes the proto as it is
# (`package onnx;` gives the Onnx__ prefix).
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
ONNX_GEN_C := $(BUILD)/gen/onnx.pb-c.c
ONNX_GEN_H := $(BUILD)/gen/onnx.pb-c.h
GEN_SRCS += $(ONNX_GEN_C)
GEN_HDRS += $(ONNX_GEN_H)
LIB_SRCS += $(wildcard hostlib/onnx/*.c)
LIB_LDLIBS += -lprotobuf-c

# One protoc-c run writes both files.
$(ONNX_GEN_C) $(ONNX_GEN_H) &: $(ONNX_PROTO) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	protoc-c --proto_path=$(dir $(ONNX_PROTO)) --c_out=$(@D) $(ONNX_PROTO)
