/*
 * exec.h - running layers on a device: what hostlib/core asks of
 * hostlib/exec. The implementation is the only part of the library proper
 * that talks to driver/driver.h (the cli and bench tools also do). It
 * knows no backend: device strings, the default device and the bitstream
 * a device needs are the driver's.
 *
 * Every function may be called from several threads at once on the same
 * device; the implementation locks what it shares (the buffer pool, the
 * single ops' plan cache, op_exec.c) and nothing else, so independent
 * ops overlap.
 */
#ifndef LF_EXEC_EXEC_H
#define LF_EXEC_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

struct lf__diag;
struct lf__exec;
struct lf__op;

/* What one op did on the device, for its profile record. */
struct lf__runinfo {
	unsigned long long device_ns; /* modeled */
	unsigned long long h2d_bytes, d2h_bytes;
	unsigned dma_transfers, launches, tiles;
};

/*
 * lf__exec_timeout_env() - the launch timeout LAYERFAB_TIMEOUT_MS asks for
 * (unset or empty: the default), or LF_ERR_INVALID_ARG with a message
 * for anything but 1..86400000 ms. lf_context_create checks it for every
 * device, the cpu included.
 */
lf_status lf__exec_timeout_env(uint64_t ctx_id, unsigned *ms);
/* Its range, for lf_options_set_timeout_ms(). */
#define LF__MAX_TIMEOUT_MS 86400000u

/*
 * lf__exec_check() - is @device (one member of a "DEV+DEV" list) a device
 * string of a backend the driver has? Opens nothing; the driver owns the
 * grammar. On failure its message is copied to @why.
 * Return: LF_OK; LF_ERR_INVALID_ARG; LF_ERR_UNSUPPORTED (not built in).
 */
lf_status lf__exec_check(const char *device, char *why, size_t whylen);

/* A context's options (lf_options) that belong to its devices. */
struct lf__exec_opts {
	unsigned timeout_ms; /* 0: LAYERFAB_TIMEOUT_MS, else the default */
	int trust_xclbin;    /* struct lf_dev_open_opts (driver/driver.h) */
	uint64_t mem_limit;  /* bytes per device; 0: none */
};

/*
 * lf__exec_open() - open @device (NULL: the driver's default, the first
 * card found, else the emulator), with no bitstream yet: the caller finds
 * the file lf__exec_xclbin_hint() names (or uses its own) and passes it to
 * lf__exec_load(). @o: NULL or the context's options. Errors are recorded
 * for context @ctx_id. Release with lf__exec_close(), loaded or not; only
 * a loaded device runs anything.
 */
lf_status lf__exec_open(uint64_t ctx_id, const char *device,
			const struct lf__exec_opts *o, struct lf__exec **out);

/* File name (no directory) of the bitstream the driver names for @d. */
const char *lf__exec_xclbin_hint(const struct lf__exec *d);

/*
 * lf__exec_load() - load the bitstream at @path, find the kernels, their
 * CUs, banks and limits, set up the buffer pool. Once per device.
 */
lf_status lf__exec_load(uint64_t ctx_id, struct lf__exec *d, const char *path);
void lf__exec_close(struct lf__exec *d);

/* Fill the device fields of @info; strings stay owned by @d. */
void lf__exec_info(const struct lf__exec *d, struct lf_device_info *info);

/* A device failure worth one more try on the device, for single ops and
 * model segments alike (a transient fault costs one launch, not the
 * result): a timeout, a DMA error, a generic device error. */
static inline int lf__exec_retryable(lf_status st)
{
	return st == LF_ERR_TIMEOUT || st == LF_ERR_DMA || st == LF_ERR_DEVICE;
}

/* Was the device lost (every later op goes to the CPU or fails)? */
int lf__exec_lost(const struct lf__exec *d);

/*
 * lf__exec_run() - run @op on the device, moving data as needed: as a
 * one-node plan on the model path's engine (op_exec.c).
 * LF_ERR_UNSUPPORTED (with the reason in @dg, the planner's diagnostic)
 * when the device cannot run this op at all, before anything was touched;
 * device errors otherwise (their message is the context's last error, as
 * everywhere in exec/). On any error the output's device copy is invalid
 * and nothing is leaked.
 */
lf_status lf__exec_run(struct lf__exec *d, uint64_t ctx_id, struct lf__op *op,
		       struct lf__runinfo *ri, struct lf__diag *dg);

/* Residency moves; the caller holds t->lock. */
lf_status lf__exec_tensor_upload(struct lf__exec *d, uint64_t ctx_id,
				 lf_tensor *t);
/* A device buffer for @t (from the pool, in the default act bank) if it
 * has none; nothing is transferred and dev_valid is unchanged. Caller
 * holds t->lock. */
lf_status lf__exec_tensor_devbuf(struct lf__exec *d, uint64_t ctx_id,
				 lf_tensor *t);
lf_status lf__exec_tensor_download(struct lf__exec *d, uint64_t ctx_id,
				   lf_tensor *t);
/*
 * lf__exec_native() - the backend's handle of @d (@t NULL) or of the
 * buffer holding @t's device copy (caller holds t->lock), for
 * lf_context_native_handle() / lf_tensor_native_handle(). @kind passes
 * through to the driver, which knows what it means.
 * Return: LF_OK; LF_ERR_STATE (no device copy); the driver's errors.
 */
lf_status lf__exec_native(struct lf__exec *d, uint64_t ctx_id, lf_tensor *t,
			  uint32_t kind, void **out);

/* Drop the tensor's device copy and any data cached from it. */
void lf__exec_tensor_release(struct lf__exec *d, lf_tensor *t);

#endif /* LF_EXEC_EXEC_H */
