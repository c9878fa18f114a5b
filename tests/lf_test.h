/*
 * lf_test.h - helpers shared by the CUnit suites.
 */
#ifndef LF_TEST_H
#define LF_TEST_H

#include <CUnit/CUnit.h>
#include <stdint.h>

/* Declares every suite's registration function. */
#define LF_SUITE(name) void lf_test_suite_##name(void);
#include "suites.def"
#undef LF_SUITE

/* One test inside the suite being registered. */
struct lf_test_case {
	const char *name;
	void (*fn)(void);
};

/*
 * lf_test_add_suite() - register a suite with its tests; @cases ends with a
 * {NULL, NULL} entry. init/clean may be NULL.
 */
void lf_test_add_suite(const char *name, int (*init)(void), int (*clean)(void),
		       const struct lf_test_case *cases);

/* Which suites to register: argv[1..] names them; none means all. */
void lf_test_set_args(int argc, char **argv);

/* Run the registered suites, print the closing "N passed, M failed"
 * line, clean up; returns the process exit code. */
int lf_test_run(void);

/* Directory of the build tree (LF_BUILD, default "build"). */
const char *lf_test_build_dir(void);

/* True under Valgrind (LF_UNDER_VALGRIND=1) and in ASan builds: suites may
 * shrink sweeps. */
int lf_test_slow_mode(void);

/* True under Valgrind only (LF_UNDER_VALGRIND=1). */
int lf_test_under_valgrind(void);
/* The environment every suite starts from: LAYERFAB_TIMEOUT_MS raised in
 * slow mode (Valgrind, ASan), else unset. */
void lf_test_env_defaults(void);

/* A small, seedable PRNG for randomized sweeps (xorshift64*). */
struct lf_rng {
	uint64_t s;
};
void lf_rng_seed(struct lf_rng *r, uint64_t seed);
uint32_t lf_rng_u32(struct lf_rng *r);
/* Uniform in [lo, hi], both inclusive. */
int lf_rng_range(struct lf_rng *r, int lo, int hi);

#endif
