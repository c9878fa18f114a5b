/*
 * cli.h - what the `layerfab` subcommands (cmd_*.c) share: exit codes,
 * option parsing, opening a device, model inputs, and the sums over a
 * run profile that `run`, `bench` and the demo report.
 *
 * Exit codes of every subcommand: 0 success, 1 the work failed (a file,
 * the device, a test), 2 the command line is wrong.
 */
#ifndef LF_CLI_H
#define LF_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hostlib/onnx/conformance.h"
#include "layerfab.h"

#define LF__CLI_OK    0
#define LF__CLI_FAIL  1
#define LF__CLI_USAGE 2

/* The subcommands; argv[0] is the first argument after the command. */
int lf__cli_devices(int argc, char **argv);
int lf__cli_info(int argc, char **argv);
int lf__cli_run(int argc, char **argv);
int lf__cli_bench(int argc, char **argv);

/*
 * lf__cli_conformance_device() - the `conformance DIR --device DEV` runner:
 * every test folder under @dir (or @dir itself) whose name contains
 * @filter goes through lf_model_load() / lf_model_run() on one context
 * opened on @device, single-node and whole-model tests alike. Prints what
 * `layerfab conformance` prints. Return: LF__CLI_OK if nothing failed,
 * LF__CLI_FAIL otherwise (and when the device or @dir cannot be opened).
 */
int lf__cli_conformance_device(const char *dir, const char *filter,
			       const char *device, FILE *out);

/*
 * lf__cli_conformance_device_run() - the same on a context the caller
 * opened (@ctx): the report to @out, the totals to *@totals. Return:
 * LF_OK whatever the tests gave; LF_ERR_IO if @dir cannot be listed
 * (message in @err).
 */
lf_status lf__cli_conformance_device_run(lf_context *ctx, const char *dir,
					 const char *filter, FILE *out,
					 struct lf__conf_totals *totals,
					 char *err, size_t errlen);

/*
 * lf__cli_conformance_device_test() - one test folder @dir through the
 * model API on @ctx; @msg as lf__conformance_test()'s.
 */
enum lf__conf_result lf__cli_conformance_device_test(lf_context *ctx,
						     const char *dir, char *msg,
						     size_t len);

/* ---- options ----------------------------------------------------------- */

/*
 * lf__cli_opt() - does argv[*i] name option @name ("--name VALUE" or
 * "--name=VALUE")? Return: 1 and *val set (and *i advanced past a
 * separate value); 0 if it is another argument; -1 if the value is
 * missing (a message naming @cmd is printed).
 */
int lf__cli_opt(const char *cmd, int argc, char **argv, int *i,
		const char *name, const char **val);

/* Is argv[i] "-h" or "--help"? */
int lf__cli_is_help(const char *arg);

/*
 * lf__cli_parse_u64() / lf__cli_parse_double() - a whole decimal number
 * in [@min, @max]. Return: 0 and *out; -1 with a message naming @cmd and
 * @opt.
 */
int lf__cli_parse_u64(const char *cmd, const char *opt, const char *s,
		      uint64_t min, uint64_t max, uint64_t *out);
int lf__cli_parse_double(const char *cmd, const char *opt, const char *s,
			 double min, double max, double *out);

/* "layerfab CMD: <message>\n" on stderr; returns LF__CLI_USAGE. */
int lf__cli_usage_error(const char *cmd, const char *usage, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));

/* ---- devices, models, inputs ------------------------------------------- */

/*
 * lf__cli_open() - lf_context_create(@device, @xclbin); on failure print
 * "layerfab CMD: cannot open device ...: <lf_last_error()>".
 */
lf_status lf__cli_open(const char *cmd, const char *device, const char *xclbin,
		       lf_context **out);

/* Print "layerfab CMD: what: <last error> (LF_ERR_...)" to stderr. */
void lf__cli_report(const char *cmd, const lf_context *ctx, lf_status st,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * lf__cli_tensor_to_onnx() - the host copy of @t as a new struct lf__tensor
 * (release it with lf__tensor_release()), for comparing or writing it.
 */
lf_status lf__cli_tensor_to_onnx(lf_tensor *t, struct lf__tensor *out,
				 char *err, size_t errlen);

/*
 * lf__cli_tensor_read() - a TensorProto file (an ONNX test vector) as a
 * new tensor on @ctx. Return: the reader's status, message in @err.
 */
lf_status lf__cli_tensor_read(lf_context *ctx, const char *path,
			      lf_tensor **out, char *err, size_t errlen);

/*
 * lf__cli_tensor_random() - a tensor for model input @info with every
 * free dimension set to @batch: float32 uniform in [0, 1), integer types
 * uniform over their range, from the xorshift state *@rng.
 */
lf_status lf__cli_tensor_random(lf_context *ctx,
				const struct lf_tensor_info *info,
				int64_t batch, uint64_t *rng, lf_tensor **out);

/* "[1,10]" into @buf; free dimensions print as "?". */
void lf__cli_dims_str(const int64_t *dims, int ndim, char *buf, size_t len);

/* "float32", "uint8", ... */
const char *lf__cli_dtype_name(lf_dtype t);

/* Monotonic wall clock in ns. */
uint64_t lf__cli_now_ns(void);

/*
 * lf__cli_progress() - "\r@cmd: @what @done/@total, S s" on stderr (no
 * "/@total" when it is 0), S the seconds since @t0, at most every 0.2 s
 * unless @force; *@last keeps the time of the last line. Only when stderr
 * is a terminal: a pipe or a log gets nothing. lf__cli_progress_end()
 * clears the line (again only on a terminal).
 */
void lf__cli_progress(const char *cmd, const char *what, size_t done,
		      size_t total, uint64_t t0, uint64_t *last, int force);
void lf__cli_progress_end(void);

/* ---- what a run cost --------------------------------------------------- */

/* Sums over the layer records of one profiled run. */
struct lf__cli_totals {
	size_t layers, device_layers;
	unsigned segments;	       /* distinct device segments */
	unsigned fallbacks;	       /* distinct segments that failed on the
					  device and ran on the CPU */
	unsigned failed_segments;      /* distinct segments with a failed
					  device attempt (retried or not) */
	uint64_t host_ns, cpu_host_ns; /* all layers / CPU layers only */
	uint64_t device_ns;	       /* modeled device time, summed */
	uint64_t h2d_bytes, d2h_bytes;
	uint64_t dma_transfers, launches;
	uint64_t macs, device_macs;
	uint64_t cu_mask; /* bit c: CU c (< 64) ran device layers */
};

void lf__cli_totals_of(const lf_run_profile *p, struct lf__cli_totals *t);

/*
 * lf__cli_failures_print() - one line per device segment of @p that had a
 * failed device attempt: whether it then ran on the CPU or was retried on
 * the device, and the device's message. Prints nothing when none failed.
 */
void lf__cli_failures_print(const lf_run_profile *p, FILE *out);

/*
 * lf__cli_cpu_why_print() - the layers of @p the plan put on the CPU,
 * one line per reason (lf_layer_profile.cpu_why) with up to four of
 * their names and their count; nothing when there are none.
 */
void lf__cli_cpu_why_print(const lf_run_profile *p, FILE *out);

/* The first record of @p whose segment fell back: 1 and *rec, else 0. */
int lf__cli_first_fallback(const lf_run_profile *p,
			   struct lf_layer_profile *rec);

/*
 * lf__cli_fallback_warn() - when @fallbacks (of @segments planned device
 * segments) is non-zero, one line on stderr: "layerfab CMD: warning: ...",
 * with @when (e.g. " in 3 of 20 runs", or "") and the first segment that
 * fell back (@first, NULL: not named) and why.
 */
void lf__cli_fallback_warn(const char *cmd, unsigned fallbacks,
			   unsigned segments, const char *when,
			   const struct lf_layer_profile *first);

/*
 * The card's peak from the loaded xclbin's limits: the sum over its
 * compute units of "<kernel>.macs_per_cycle", and "clock_mhz"; and each
 * CU's own rate and name (IP_LAYOUT order: the driver's CU index).
 */
#define LF__CLI_MAX_CUS 64
struct lf__cli_peak {
	unsigned ncus;	       /* CUs with a MAC rate */
	double macs_per_cycle; /* those CUs together */
	double clock_mhz;
	unsigned nall; /* CUs in the xclbin (up to LF__CLI_MAX_CUS kept) */
	double cu_macs[LF__CLI_MAX_CUS]; /* MACs per cycle; 0: none */
	char cu_name[LF__CLI_MAX_CUS][64];
};

/*
 * lf__cli_peak_of() - read @xclbin_path's limits. Return: LF_OK; the
 * reader's error; LF_ERR_NOT_FOUND when the limits are absent.
 */
lf_status lf__cli_peak_of(const char *xclbin_path, struct lf__cli_peak *out);

/* MACs / (device time x peak MACs per cycle x clock), in percent; 0 when
 * any term is 0. */
double lf__cli_mac_util(uint64_t macs, uint64_t device_ns,
			const struct lf__cli_peak *peak);

/*
 * lf__cli_peak_used() - @all restricted to the CUs in @mask (the ones a
 * run used, lf__cli_totals.cu_mask): their count and MACs per cycle,
 * the same clock. Utilisation of the work is over these, not the card.
 */
void lf__cli_peak_used(const struct lf__cli_peak *all, uint64_t mask,
		       struct lf__cli_peak *out);

/* "name, name" of the CUs in @mask into @buf ("-" when none). */
const char *lf__cli_cus_str(const struct lf__cli_peak *pk, uint64_t mask,
			    char *buf, size_t len);

/*
 * lf__cli_layers_print() - the per-layer table of profile @p (layer,
 * place, host and modeled time, cycles, MAC % of its CU, transfers,
 * launches), its totals, and whether the layers' modeled times sum to
 * the run's modeled device time.
 */
void lf__cli_layers_print(FILE *out, const lf_run_profile *p,
			  const struct lf__cli_peak *pk, int have_peak);

/*
 * lf__cli_util_print() - "MAC utilisation: U% = device MACs / (modeled
 * time x M MACs/cycle x C MHz) over the CU(s) that ran: NAMES (n of N
 * CUs; over all N: U2%)" on @out, or why it is unknown. Returns U (0 when
 * unknown).
 */
double lf__cli_util_print(FILE *out, const struct lf__cli_totals *t,
			  const struct lf__cli_peak *pk, int have_peak);

/* The cycle model's loops summed over runs (lf_run_profile_loop_*). */
struct lf__cli_loops {
	size_t n;
	struct lf_loop_profile l[64];
};

/* Add @p's loop records to @acc, by label. */
void lf__cli_loops_add(struct lf__cli_loops *acc, const lf_run_profile *p);

/*
 * lf__cli_loops_print() - the per-loop breakdown, largest first: label,
 * calls, iterations, modeled cycles, memory-stall cycles, share of all
 * loop cycles and ms at @clock_mhz (0: not printed), each divided by
 * @runs. Says so when the device counted no loops.
 */
void lf__cli_loops_print(FILE *out, const struct lf__cli_loops *acc,
			 double runs, double clock_mhz);

/* "12.3 KiB" style byte count into @buf. */
const char *lf__cli_bytes_str(double bytes, char *buf, size_t len);

#endif /* LF_CLI_H */
