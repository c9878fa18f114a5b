/*
 * launch.h - the one place the host library starts kernel runs, for
 * single ops and model segments alike (model_exec.c runs both): the kernel
 * ABI's six arguments (enum lf_karg, hls/lf_desc.h), start, wait with the
 * device's timeout, abort of a hung CU, and the runs that could not be
 * collected even then (abandoned: what they may still write is never
 * reused, and released only once they are freed, at close).
 */
#ifndef LF_EXEC_LAUNCH_H
#define LF_EXEC_LAUNCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/driver.h"

struct lf__exec;

/* What one launch runs: every pointer argument at offset 0. */
struct lf__launch_bufs {
	lf_bo *desc;
	uint32_t ndesc;
	lf_bo *params;
	uint32_t params_bytes;
	lf_bo *act;
	uint32_t act_bytes;
	/* NULL, or receives the device's cycle model of the completed run
	 * (lf__run_model; its arrays set by the caller); clock_mhz stays 0
	 * when the device has none. */
	struct lf_run_model *model;
};

/* An abandoned run and the buffers it may still write. */
struct lf__zombie {
	lf_run *run;
	uint32_t cu;
	int nbos;
	lf_bo **bos; /* buffers of their own (malloc'ed array): freed */
	struct lf__zombie *next;
};

struct lf__zombies {
	pthread_mutex_t mu;
	struct lf__zombie *head;
};

/* Return: LF_OK; LF_ERR_NO_MEMORY (no mutex). */
lf_status lf__zombies_init(struct lf__zombies *zs);

/* Hand @z (calloc'ed, filled) over to @zs. */
void lf__zombies_park(struct lf__zombies *zs, struct lf__zombie *z);

/* At close: abort each abandoned run's CU, wait up to a second, and
 * release its buffers if it can then be freed (else leave them: a run
 * that may still write must not have its memory reused). */
void lf__zombies_drain(struct lf__exec *d, struct lf__zombies *zs);

/*
 * lf__launch() - start CU @cu of @d on @b and wait up to the device's
 * timeout. *started says whether the run started (the caller counts a
 * launch). On a timeout the CU is aborted; a run that still cannot be
 * freed is returned in *pending, and the caller must park it with every
 * buffer it may write (lf__zombies_park), or leak them.
 * Return: LF_OK (the run completed and is freed); else the driver's status
 * (a lost device is noted on @d), its message copied to @msg.
 */
lf_status lf__launch(struct lf__exec *d, uint32_t cu,
		     const struct lf__launch_bufs *b, int *started,
		     lf_run **pending, char *msg, size_t msglen);

/*
 * lf__launch_group() - start CUs @cus[0 .. @n - 1] of @d on @b[i]
 * together (under the device's group lock, so every CU of a group queues
 * the group's runs in the same order) and wait for all of them, each up
 * to the device's timeout. The runs meet at their descriptors' barriers
 * (hls/lf_desc.h "Barrier"), so one that fails or never starts leaves the
 * others waiting: then every CU of the group is aborted. @started[i] and
 * @pending[i] as lf__launch()'s, per run; each @b[i].model filled as
 * there.
 * Return: LF_OK when every run completed; else the first failure's
 * status, its message in @msg.
 */
lf_status lf__launch_group(struct lf__exec *d, unsigned n, const uint32_t *cus,
			   const struct lf__launch_bufs *b, int *started,
			   lf_run **pending, char *msg, size_t msglen);

#endif /* LF_EXEC_LAUNCH_H */
