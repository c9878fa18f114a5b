/*
 * abi.h - the public structs' struct_size rule (include/layerfab.h,
 * "Structs the caller allocates"), in one place: a struct coming in is
 * copied into this version's full struct (fields the caller's struct lacks
 * are 0); a struct going out is written up to the caller's struct_size.
 */
#ifndef LF_BASE_ABI_H
#define LF_BASE_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/*
 * The smallest struct_size accepted: the struct as 0.2.0 declared it (the
 * first version with struct_size). Every public struct is still that
 * size; when one grows, replace sizeof here by its 0.2.0 size for it.
 */
#define LF__STRUCT_MIN(type) sizeof(type)

/*
 * lf__struct_in() - copy the caller's struct @src into @dst (@full bytes,
 * this version's struct): its first struct_size bytes (at most @full),
 * the rest zero; dst's struct_size becomes @full.
 * Return: LF_OK; LF_ERR_INVALID_ARG (struct_size below @min) with a
 * message "@fn: struct @type: struct_size ...".
 */
lf_status lf__struct_in(uint64_t ctx_id, const char *fn, const char *type,
			const void *src, void *dst, size_t full, size_t min);

/*
 * lf__struct_out() - write this version's @src (@full bytes) into the
 * caller's @dst: the first min(struct_size, @full) bytes, dst's
 * struct_size kept. Return: as lf__struct_in().
 */
lf_status lf__struct_out(uint64_t ctx_id, const char *fn, const char *type,
			 void *dst, const void *src, size_t full, size_t min);

#define LF__STRUCT_IN(id, fn, type, src, dst)                                  \
	lf__struct_in(id, fn, #type, src, dst, sizeof(struct type),            \
		      LF__STRUCT_MIN(struct type))
#define LF__STRUCT_OUT(id, fn, type, dst, src)                                 \
	lf__struct_out(id, fn, #type, dst, src, sizeof(struct type),           \
		       LF__STRUCT_MIN(struct type))

#endif /* LF_BASE_ABI_H */
