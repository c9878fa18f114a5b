/*
 * test_emu.h - helpers shared by the "emu" suite's files (test_emu*.c).
 *
 * Two kinds of xclbin are used: the emulation xclbins the build makes
 * (build/bitstreams/emu-<profile>.xclbin, the real conv2d/matmul kernels),
 * and probe xclbins built in memory with the xclbin writer around
 * build/tests/emu_probe.so (test_emu_probe_kernel.c), whose cycle counts
 * and behaviour the tests control.
 */
#ifndef LF_TEST_EMU_H
#define LF_TEST_EMU_H

#include "driver/driver.h"
#include "lf_desc.h"
#include "lf_test.h"

/* Test cases of the files, concatenated into the "emu" suite. */
extern const struct lf_test_case lf_test_emu_mem_cases[];
extern const struct lf_test_case lf_test_emu_run_cases[];
extern const struct lf_test_case lf_test_emu_timing_cases[];
extern const struct lf_test_case lf_test_emu_fault_cases[];

/* Open @spec; NULL (and a CUnit failure with the message) on error. */
lf_dev *lf_test_emu_open(const char *spec);

/* Load build/bitstreams/emu-<profile>.xclbin. */
lf_status lf_test_emu_load_file(lf_dev *dev, const char *profile);

/*
 * Build a probe xclbin for @platform ("tiny", ...) with @ncus CUs of
 * kernel @kernel (normally "lfk_probe") and limits text @limits (or NULL),
 * and load it. @bitstream NULL means emu_probe.so.
 */
lf_status lf_test_emu_load_probe(lf_dev *dev, const char *platform,
				 const char *kernel, uint32_t ncus,
				 const char *limits, const void *bitstream,
				 size_t bitstream_size);

/* Read a whole file; NULL on error. free() it. */
uint8_t *lf_test_emu_read_file(const char *path, size_t *size);

/* The three buffers of one probe launch, each in the bank its port of
 * CU @cu reaches. */
struct lf_test_emu_probe {
	lf_dev *dev;
	uint32_t cu;
	lf_bo *desc, *params, *act;
	uint32_t ndesc;
};

lf_status lf_test_emu_probe_alloc(lf_dev *dev, uint32_t cu, uint32_t ndesc,
				  uint64_t params_size, uint64_t act_size,
				  struct lf_test_emu_probe *p);
void lf_test_emu_probe_free(struct lf_test_emu_probe *p);

/* A probe descriptor: @cycles modeled cycles, act[y+i] = act[x+i] +
 * params[w+i] for i < n. */
void lf_test_emu_probe_desc(lf_desc *d, uint32_t cycles, uint32_t n,
			    uint32_t x_off, uint32_t w_off, uint32_t y_off);

/* Start the probe launch with args desc+0, ndesc, params+0, params_bytes,
 * act+0, act_bytes. */
lf_status lf_test_emu_probe_start(struct lf_test_emu_probe *p,
				  uint32_t params_bytes, uint32_t act_bytes,
				  lf_run **run);

/* Modeled duration of timeline event @ev. */
uint64_t lf_test_emu_dur(const struct lf_tl_event *ev);

/* The most recent timeline event of @dev (CUnit failure if none). */
struct lf_tl_event lf_test_emu_last_event(lf_dev *dev);

#endif
