/*
 * onnx_impl.h - what the files of hostlib/onnx share beyond onnx.h: the
 * protobuf-c types (generated at build time into $(BUILD)/gen from
 * Debian's /usr/include/onnx/onnx.proto) and small helpers. Not for use
 * outside hostlib/onnx.
 */
#ifndef LF_ONNX_IMPL_H
#define LF_ONNX_IMPL_H

#include "hostlib/onnx/onnx.h"
#include "onnx.pb-c.h"

/*
 * lf__onnx_tensor_from_proto() - decode an unpacked TensorProto (a graph
 * initializer, an attribute value) into @out. @what prefixes messages.
 */
lf_status lf__onnx_tensor_from_proto(const Onnx__TensorProto *tp,
				     const char *what, struct lf__tensor *out,
				     char *err, size_t errlen);

/* printf into @err (if not NULL) and return @st. */
lf_status lf__onnx_fail(char *err, size_t errlen, lf_status st, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

/* strdup() of @s, "" for NULL; NULL only when out of memory. */
char *lf__onnx_strdup(const char *s);

#endif /* LF_ONNX_IMPL_H */
