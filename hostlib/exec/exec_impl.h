/*
 * exec_impl.h - struct lf__exec, shared by the files of hostlib/exec.
 */
#ifndef LF_EXEC_EXEC_IMPL_H
#define LF_EXEC_EXEC_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "driver/driver.h"
#include "hostlib/exec/exec.h"
#include "hostlib/exec/pool.h"
#include "hostlib/plan/tile.h"

/* One kernel the host drives: its CUs, their banks, its limits. */
struct lf__kern {
	const char *name; /* "lfk_conv2d" */
	uint32_t ncus;
	uint32_t cu[LF_DRV_MAX_CUS];
	/* Banks of desc (arg 0), params (arg 2), act (arg 4), per CU. */
	uint32_t bank_desc[LF_DRV_MAX_CUS], bank_params[LF_DRV_MAX_CUS],
	    bank_act[LF_DRV_MAX_CUS];
	struct lf__klimits lim;
	atomic_uint next; /* round-robin over CUs */
};

/* A run that could not be collected (a hang without abort): its buffers
 * are kept until close, never reused. */
struct lf__zombie {
	lf_run *run;
	uint32_t cu;
	struct lf__pbuf *bufs[3];
	struct lf__zombie *next;
};

struct lf__exec {
	lf_dev *dev;
	char backend[LF_DRV_BACKEND_MAX];
	char name[LF_DRV_NAME_MAX];
	char xclbin[4096];
	unsigned ncus, nbanks_usable;
	unsigned long long mem_bytes;
	struct lf__kern conv, mm;
	/* lfk_engine (lim unused: its ops have their kernels' limits) and
	 * the lfk_pool / lfk_add limits its pooling and add ops obey */
	struct lf__kern eng;
	struct lf__kern poolk, addk; /* lfk_pool, lfk_add (single ops) */
	int64_t pool_dim_max, pool_kdim_max, pool_step_max, pool_row_bytes;
	int64_t add_dim_max;
	struct lf__pool pool; /* set up by lf__exec_load() */
	int loaded;	      /* lf__exec_load() succeeded */
	atomic_int lost;
	unsigned timeout_ms;
	pthread_mutex_t zmu;
	struct lf__zombie *zombies;
};

/* The device's view of a tensor: a pool buffer holding a copy. */
struct lf__dbuf {
	struct lf__pbuf *buf;
};

/* Note a driver status: a lost device is remembered. */
lf_status lf__exec_note(struct lf__exec *d, lf_status st);

/* The name of a descriptor status a kernel wrote (LF_KST_*). */
const char *lf__kst_name(int32_t s);

#endif /* LF_EXEC_EXEC_IMPL_H */
