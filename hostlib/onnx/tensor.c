/*
 * tensor.c - ONNX TensorProto -> struct lf__tensor: checks the shape, the
 * type and that the data (raw_data or the typed field) matches the shape
 * exactly, then decodes it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/lf_file.h"
#include "base/lf_text.h"
#include "hostlib/onnx/onnx_impl.h"

lf_status lf__onnx_fail(char *err, size_t errlen, lf_status st, const char *fmt,
			...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* Names from the file may hold any bytes. */
		lf__text_sanitize(err, errlen);
	}
	return st;
}

char *lf__onnx_strdup(const char *s)
{
	return strdup(s ? s : "");
}

const char *lf__onnx_dtype_name(int32_t dtype)
{
	/* TensorProto.DataType in onnx.proto, by value. */
	static const char *const names[] = {
	    "undefined",  "float32",  "uint8",	"int8",	  "uint16",
	    "int16",	  "int32",    "int64",	"string", "bool",
	    "float16",	  "double",   "uint32", "uint64", "complex64",
	    "complex128", "bfloat16",
	};
	if (dtype >= 0 && (size_t)dtype < sizeof(names) / sizeof(names[0]))
		return names[dtype];
	return "unknown";
}

size_t lf__onnx_dtype_size(int32_t dtype)
{
	switch (dtype) {
	case LF__ONNX_FLOAT:
	case LF__ONNX_INT32:
		return 4;
	case LF__ONNX_UINT8:
	case LF__ONNX_INT8:
	case LF__ONNX_BOOL:
		return 1;
	case LF__ONNX_INT64:
		return 8;
	}
	return 0;
}

lf_status lf__onnx_dtype_to_lf(int32_t dtype, lf_dtype *out)
{
	switch (dtype) {
	case LF__ONNX_FLOAT:
		*out = LF_DTYPE_FLOAT32;
		return LF_OK;
	case LF__ONNX_UINT8:
		*out = LF_DTYPE_UINT8;
		return LF_OK;
	case LF__ONNX_INT8:
		*out = LF_DTYPE_INT8;
		return LF_OK;
	case LF__ONNX_INT32:
		*out = LF_DTYPE_INT32;
		return LF_OK;
	}
	return LF_ERR_UNSUPPORTED;
}

void lf__onnx_dims_str(const int64_t *dims, int rank, char *buf, size_t len)
{
	size_t at = 0;
	if (!len)
		return;
	buf[0] = '\0';
	at += (size_t)snprintf(buf, len, "[");
	for (int i = 0; i < rank && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%lld",
				       i ? "," : "", (long long)dims[i]);
	if (at < len)
		snprintf(buf + at, len - at, "]");
}

size_t lf__tensor_bytes(const struct lf__tensor *t)
{
	return t->count * lf__onnx_dtype_size(t->dtype);
}

void lf__tensor_release(struct lf__tensor *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

/* Checks a shape; its element count goes to @count. */
static lf_status shape_count(const char *what, const char *name, int32_t dtype,
			     int rank, const int64_t *dims, size_t *count,
			     char *err, size_t errlen)
{
	if (rank < 0 || rank > LF__TENSOR_MAX_RANK)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: tensor '%s': rank %d exceeds the "
				     "supported %d",
				     what, name, rank, LF__TENSOR_MAX_RANK);
	size_t n = 1;
	for (int i = 0; i < rank; i++) {
		if (dims[i] < 0)
			return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
					     "%s: tensor '%s': dim %d is "
					     "negative (%lld)",
					     what, name, i, (long long)dims[i]);
		if ((uint64_t)dims[i] > SIZE_MAX ||
		    __builtin_mul_overflow(n, (size_t)dims[i], &n))
			return lf__onnx_fail(err, errlen, LF_ERR_OVERFLOW,
					     "%s: tensor '%s': the element "
					     "count of its shape overflows",
					     what, name);
	}
	size_t bytes;
	if (__builtin_mul_overflow(n, lf__onnx_dtype_size(dtype), &bytes))
		return lf__onnx_fail(err, errlen, LF_ERR_OVERFLOW,
				     "%s: tensor '%s': %zu elements of %s "
				     "overflow the byte count",
				     what, name, n, lf__onnx_dtype_name(dtype));
	*count = n;
	return LF_OK;
}

lf_status lf__tensor_count(int32_t dtype, int rank, const int64_t *dims,
			   size_t *count, char *err, size_t errlen)
{
	return shape_count("tensor", "", dtype, rank, dims, count, err, errlen);
}

lf_status lf__tensor_alloc(struct lf__tensor *t, int32_t dtype, int rank,
			   const int64_t *dims, char *err, size_t errlen)
{
	size_t count;
	if (!t || (rank > 0 && !dims))
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "lf__tensor_alloc: NULL argument");
	if (!lf__onnx_dtype_size(dtype))
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "data type %d (%s) is not supported",
				     (int)dtype, lf__onnx_dtype_name(dtype));
	lf_status st = lf__tensor_count(dtype, rank, dims, &count, err, errlen);
	if (st != LF_OK)
		return st;
	struct lf__tensor r = {.dtype = dtype, .rank = rank, .count = count};
	for (int i = 0; i < rank; i++)
		r.dims[i] = dims[i];
	r.name = lf__onnx_strdup("");
	if (count)
		r.data = calloc(count, lf__onnx_dtype_size(dtype));
	if (!r.name || (count && !r.data)) {
		lf__tensor_release(&r);
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "out of memory for a %zu-element tensor",
				     count);
	}
	*t = r;
	return LF_OK;
}

/* Little-endian decoding of raw_data, whatever the host's byte order. */
static void decode_raw(int32_t dtype, const uint8_t *src, size_t count,
		       void *dst)
{
	size_t size = lf__onnx_dtype_size(dtype);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *p = src + i * size;
		uint64_t v = 0;
		for (size_t b = 0; b < size; b++)
			v |= (uint64_t)p[b] << (8 * b);
		if (size == 1) {
			((uint8_t *)dst)[i] = (uint8_t)v;
		} else if (size == 4) {
			uint32_t u = (uint32_t)v;
			memcpy((uint8_t *)dst + 4 * i, &u, 4);
		} else {
			memcpy((uint8_t *)dst + 8 * i, &v, 8);
		}
	}
}

/* Where a TensorProto keeps its values. */
struct source {
	const char *field;
	size_t n; /* values present (bytes for raw_data) */
	int present;
};

static lf_status pick_source(const Onnx__TensorProto *tp, const char *what,
			     const char *name, struct source *src, char *err,
			     size_t errlen)
{
	const struct source all[] = {
	    {"raw_data", tp->raw_data.len, tp->has_raw_data},
	    {"float_data", tp->n_float_data, tp->n_float_data > 0},
	    {"int32_data", tp->n_int32_data, tp->n_int32_data > 0},
	    {"int64_data", tp->n_int64_data, tp->n_int64_data > 0},
	    {"double_data", tp->n_double_data, tp->n_double_data > 0},
	    {"uint64_data", tp->n_uint64_data, tp->n_uint64_data > 0},
	    {"string_data", tp->n_string_data, tp->n_string_data > 0},
	};
	const struct source *found = NULL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i].present)
			continue;
		if (found)
			return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
					     "%s: tensor '%s': has both %s "
					     "and %s",
					     what, name, found->field,
					     all[i].field);
		found = &all[i];
	}
	if (found) {
		*src = *found;
	} else {
		src->field = NULL;
		src->n = 0;
		src->present = 0;
	}
	return LF_OK;
}

/* The typed field each type uses (raw_data works for all). */
static const char *typed_field(int32_t dtype)
{
	switch (dtype) {
	case LF__ONNX_FLOAT:
		return "float_data";
	case LF__ONNX_INT64:
		return "int64_data";
	default:
		return "int32_data";
	}
}

static lf_status decode_typed(const Onnx__TensorProto *tp, const char *what,
			      const char *name, struct lf__tensor *t, char *err,
			      size_t errlen)
{
	for (size_t i = 0; i < t->count; i++) {
		switch (t->dtype) {
		case LF__ONNX_FLOAT:
			((float *)t->data)[i] = tp->float_data[i];
			break;
		case LF__ONNX_INT64:
			((int64_t *)t->data)[i] = tp->int64_data[i];
			break;
		case LF__ONNX_INT32:
			((int32_t *)t->data)[i] = tp->int32_data[i];
			break;
		case LF__ONNX_BOOL:
			((uint8_t *)t->data)[i] = tp->int32_data[i] != 0;
			break;
		case LF__ONNX_UINT8:
		case LF__ONNX_INT8: {
			/* 8-bit values travel widened to int32. */
			int32_t v = tp->int32_data[i];
			int u8 = t->dtype == LF__ONNX_UINT8;
			if (u8 ? (v < 0 || v > 255) : (v < -128 || v > 127))
				return lf__onnx_fail(
				    err, errlen, LF_ERR_BAD_FILE,
				    "%s: tensor '%s': int32_data[%zu] = "
				    "%d does not fit %s",
				    what, name, i, (int)v,
				    lf__onnx_dtype_name(t->dtype));
			if (u8)
				((uint8_t *)t->data)[i] = (uint8_t)v;
			else
				((int8_t *)t->data)[i] = (int8_t)v;
			break;
		}
		}
	}
	return LF_OK;
}

lf_status lf__onnx_tensor_from_proto(const Onnx__TensorProto *tp,
				     const char *what, struct lf__tensor *out,
				     char *err, size_t errlen)
{
	const char *name = tp->name ? tp->name : "";
	char shape[160];
	what = what ? what : "tensor";

	if (!tp->has_data_type ||
	    tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: tensor '%s': no data type", what,
				     name);
	int32_t dt = tp->data_type;
	size_t esize = lf__onnx_dtype_size(dt);
	if (!esize)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: tensor '%s': data type %d (%s) is "
				     "not supported (float32, uint8, int8, "
				     "int32, int64 are)",
				     what, name, (int)dt,
				     lf__onnx_dtype_name(dt));
	if (tp->segment)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: tensor '%s': segmented tensors are "
				     "not supported",
				     what, name);
	if ((tp->has_data_location &&
	     tp->data_location ==
		 ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
	    tp->n_external_data)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: tensor '%s': external data is not "
				     "supported",
				     what, name);
	if (tp->n_dims > LF__TENSOR_MAX_RANK)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: tensor '%s': rank %zu exceeds the "
				     "supported %d",
				     what, name, tp->n_dims,
				     LF__TENSOR_MAX_RANK);
	int rank = (int)tp->n_dims;
	size_t count;
	lf_status st =
	    shape_count(what, name, dt, rank, tp->dims, &count, err, errlen);
	if (st != LF_OK)
		return st;
	lf__onnx_dims_str(tp->dims, rank, shape, sizeof(shape));

	struct source src = {NULL, 0, 0};
	st = pick_source(tp, what, name, &src, err, errlen);
	if (st != LF_OK)
		return st;
	int raw = src.present && strcmp(src.field, "raw_data") == 0;
	if (src.present && !raw && strcmp(src.field, typed_field(dt)) != 0)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: tensor '%s': %s cannot hold %s "
				     "values",
				     what, name, src.field,
				     lf__onnx_dtype_name(dt));
	size_t have = src.n;
	size_t need = raw ? count * esize : count;
	if (!src.present && count)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: tensor '%s': no data, shape %s of "
				     "%s needs %zu values",
				     what, name, shape, lf__onnx_dtype_name(dt),
				     count);
	if (src.present && have != need)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: tensor '%s': %s has %zu %s, shape "
				     "%s of %s needs %zu",
				     what, name, src.field, have,
				     raw ? "bytes" : "values", shape,
				     lf__onnx_dtype_name(dt), need);

	struct lf__tensor t = {.dtype = dt, .rank = rank, .count = count};
	for (int i = 0; i < rank; i++)
		t.dims[i] = tp->dims[i];
	t.name = lf__onnx_strdup(name);
	if (count)
		t.data = malloc(count * esize);
	if (!t.name || (count && !t.data)) {
		lf__tensor_release(&t);
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: tensor '%s': out of memory for %zu "
				     "bytes",
				     what, name, count * esize);
	}
	if (raw && count)
		decode_raw(dt, tp->raw_data.data, count, t.data);
	else if (count)
		st = decode_typed(tp, what, name, &t, err, errlen);
	if (st != LF_OK) {
		lf__tensor_release(&t);
		return st;
	}
	*out = t;
	return LF_OK;
}

lf_status lf__onnx_tensor_parse(const void *buf, size_t len, const char *what,
				struct lf__tensor *out, char *err,
				size_t errlen)
{
	what = what ? what : "TensorProto";
	if (!out || (len && !buf))
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "%s: NULL argument", what);
	Onnx__TensorProto *tp =
	    onnx__tensor_proto__unpack(NULL, len, (const uint8_t *)buf);
	if (!tp)
		return lf__onnx_fail(err, errlen, LF_ERR_BAD_FILE,
				     "%s: not a valid TensorProto (truncated "
				     "or corrupt protobuf, %zu bytes)",
				     what, len);
	lf_status st = lf__onnx_tensor_from_proto(tp, what, out, err, errlen);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return st;
}

lf_status lf__onnx_read_file(const char *path, uint8_t **buf, size_t *len,
			     char *err, size_t errlen)
{
	if (!path || !buf || !len)
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "lf__onnx_read_file: NULL argument");
	/* Protobuf messages are limited to 2 GiB. A FIFO, a directory or a
	 * larger file is refused before anything is read (base/lf_file.h). */
	lf_status st =
	    lf__file_read(path, LF__ONNX_FILE_MAX, buf, len, err, errlen);
	/* The model API's contract: a file that cannot be read is LF_ERR_IO,
	 * whatever the reason. */
	return st == LF_ERR_NOT_FOUND ? LF_ERR_IO : st;
}

lf_status lf__onnx_tensor_read(const char *path, struct lf__tensor *out,
			       char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	lf_status st = lf__onnx_read_file(path, &buf, &len, err, errlen);
	if (st != LF_OK)
		return st;
	st = lf__onnx_tensor_parse(buf, len, path, out, err, errlen);
	free(buf);
	return st;
}

lf_status lf__onnx_tensor_write(const char *path, const struct lf__tensor *t,
				char *err, size_t errlen)
{
	Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
	size_t esize, bytes, len;
	uint8_t *raw = NULL, *buf = NULL;
	lf_status st = LF_OK;
	FILE *f;

	if (!path || !t || t->rank < 0 || t->rank > LF__TENSOR_MAX_RANK)
		return lf__onnx_fail(err, errlen, LF_ERR_INVALID_ARG,
				     "lf__onnx_tensor_write: bad argument");
	esize = lf__onnx_dtype_size(t->dtype);
	bytes = lf__tensor_bytes(t);
	if (!esize)
		return lf__onnx_fail(err, errlen, LF_ERR_UNSUPPORTED,
				     "%s: cannot write a %s tensor", path,
				     lf__onnx_dtype_name(t->dtype));
	/* raw_data is little-endian whatever the host (onnx.proto). */
	raw = malloc(bytes ? bytes : 1);
	if (!raw)
		return lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				     "%s: out of memory", path);
	for (size_t i = 0; i < bytes; i += esize) {
		const uint8_t *src = (const uint8_t *)t->data + i;
		uint64_t v = 0;
		uint32_t v32;
		if (esize == 1) {
			v = *src;
		} else if (esize == 4) {
			memcpy(&v32, src, 4);
			v = v32;
		} else {
			memcpy(&v, src, 8);
		}
		for (size_t b = 0; b < esize; b++)
			raw[i + b] = (uint8_t)(v >> (8 * b));
	}
	tp.n_dims = (size_t)t->rank;
	tp.dims = (int64_t *)t->dims;
	tp.has_data_type = 1;
	tp.data_type = t->dtype;
	tp.name = t->name && t->name[0] ? t->name : NULL;
	tp.has_raw_data = 1;
	tp.raw_data.len = bytes;
	tp.raw_data.data = raw;
	len = onnx__tensor_proto__get_packed_size(&tp);
	buf = malloc(len ? len : 1);
	if (!buf) {
		st = lf__onnx_fail(err, errlen, LF_ERR_NO_MEMORY,
				   "%s: out of memory", path);
		goto out;
	}
	onnx__tensor_proto__pack(&tp, buf);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		st = lf__onnx_fail(err, errlen, LF_ERR_IO, "%s: %s", path,
				   strerror(errno));
		if (f)
			fclose(f);
		goto out;
	}
	if (fclose(f) != 0)
		st = lf__onnx_fail(err, errlen, LF_ERR_IO, "%s: %s", path,
				   strerror(errno));
out:
	free(buf);
	free(raw);
	return st;
}
