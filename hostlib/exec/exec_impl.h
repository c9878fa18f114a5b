/*
 * exec_impl.h - struct lf__exec, shared by the files of hostlib/exec.
 */
#ifndef LF_EXEC_EXEC_IMPL_H
#define LF_EXEC_EXEC_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "driver/driver.h"
#include "hostlib/exec/exec.h"
#include "hostlib/exec/launch.h"
#include "hostlib/exec/pool.h"
#include "hostlib/plan/tile.h"

/* One kernel the host drives: its CUs, their banks, its limits. */
struct lf__kern {
	const char *name; /* "lfk_conv2d" */
	uint32_t ncus;
	uint32_t cu[LF_DRV_MAX_CUS];
	/* Banks of the desc, params and act arguments (enum lf_karg), per
	 * CU. */
	uint32_t bank_desc[LF_DRV_MAX_CUS], bank_params[LF_DRV_MAX_CUS],
	    bank_act[LF_DRV_MAX_CUS];
	struct lf__klimits lim;
	atomic_uint next; /* round-robin over CUs */
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
	int64_t pool_dim_max, pool_kdim_max, pool_step_max, pool_row_bytes;
	int64_t add_dim_max;
	/* lfk_engine.blk_ops and the `.blk_*` limits (lf_config.h; -1:
	 * absent) of the blocked datapaths */
	int64_t blk_ops, blk_conv_wbeats, blk_conv_iw_max, blk_pool_iw_max;
	int64_t blk_conv_lbeats, blk_conv_stride_max, blk_conv_dw;
	int64_t blk_conv_ycb; /* lfk_conv2d.blk_ycb: LF_DF_YCB (0: absent) */
	int64_t blk_conv_add; /* lfk_conv2d.blk_add: LF_DF_ADD (0: absent) */
	/* lfk_conv2d.blk_pool: LF_DF_POOL's widest conv row (0: absent) */
	int64_t blk_conv_pool;
	/* lfk_conv2d.blk_xfold: LF_DF_XFOLD's most row beats (0: absent) */
	int64_t blk_conv_xfold;
	int64_t blk_conv_wpre; /* lfk_conv2d.blk_wpre: LF_DF_WPRE (0: absent) */
	int64_t conv_lut;      /* lfk_conv2d.lut: LF_DF_LUT (0: absent) */
	/* Engine CUs 0 .. sync_lanes - 1 run one batch-1 segment together,
	 * each a part of every layer with a barrier between layers
	 * (hls/lf_desc.h "Barrier"; model_exec.c): the size of the kernels'
	 * ring (lfk_engine.sync) when they take parts (lfk_engine.blk_range),
	 * the backend runs a group (lf_dev_props.cu_sync) and every one of
	 * those CUs' act ports reaches the first one's act bank; else 0. */
	unsigned sync_lanes;
	/* lfk_engine.csum = 1: the engine runs the checksum op LF_KOP_CSUM
	 * (hls/lf_csum.h), which a run's launch uses in place of reading its
	 * transfers back (model_exec.c, README.md); else 0 */
	int csum;
	pthread_mutex_t group_mu; /* a group's runs start together */
	struct lf__pool pool;	  /* set up by lf__exec_load() */
	int loaded;		  /* lf__exec_load() succeeded */
	atomic_int lost;
	unsigned timeout_ms;
	struct lf__opcache *opc; /* single ops' plans (op_exec.c) */
};

/* The single-op plan cache of @d (op_exec.c): made at load, closed
 * (every plan's device memory freed) before the device. */
lf_status lf__opcache_init(struct lf__exec *d);
void lf__opcache_close(struct lf__exec *d);

/* The device's view of a tensor: a pool buffer holding a copy. */
struct lf__dbuf {
	struct lf__pbuf *buf;
};

/* Note a driver status: a lost device is remembered. */
lf_status lf__exec_note(struct lf__exec *d, lf_status st);

/*
 * lf__xfer_checked() - move bytes [@off, @off + @size) of @bo between the
 * card and its host view @host (lf__bo_map()), checked end to end
 * (xfer.c): an upload is read back and compared with what was sent (the
 * host view keeps what was sent), a download is read twice and compared.
 * @scratch holds @size bytes. n[0] and n[1] count the H2D and D2H
 * transfers made, of @size bytes each, whatever the outcome. Return:
 * LF_OK; a transfer's own error (message: lf__drv_last_error()) with
 * *@bad = @size; LF_ERR_DMA when the bytes differ, *@bad = the first.
 */
lf_status lf__xfer_checked(lf_bo *bo, uint8_t *host, enum lf_sync_dir dir,
			   uint64_t off, uint64_t size, uint8_t *scratch,
			   unsigned n[2], uint64_t *bad);

/*
 * lf__csum_range() - the digest of bytes [@off, @off + @len) as the
 * kernels' checksum op computes it over the same bytes of act
 * (hls/lf_csum.h; xfer.c): @p points at byte @off, only @len bytes are
 * read.
 */
void lf__csum_range(const uint8_t *p, uint64_t off, uint64_t len,
		    uint32_t dg[4]);

/* The name of a descriptor status a kernel wrote (LF_KST_*). */
const char *lf__kst_name(int32_t s);

#endif /* LF_EXEC_EXEC_IMPL_H */
