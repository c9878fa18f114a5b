/*
 * test_cli_util.h - start a built program ($LF_BUILD/bin/PROG) as a child
 * process, from the source root, and collect its exit status, stdout and
 * stderr. Shared by the suites that test what a user of the tools sees.
 */
#ifndef LF_TEST_CLI_UTIL_H
#define LF_TEST_CLI_UTIL_H

struct cli_res {
	int status; /* exit code; -1 if it did not exit normally */
	int signal; /* the signal that ended it, or 0 */
	char *out, *err;
};

/*
 * lf_test_cli_run() - run $LF_BUILD/bin/@prog with @argv (NULL-terminated,
 * without argv[0]) in an environment changed by @env (NULL-terminated, may
 * be NULL): "NAME=value" sets, "NAME" removes. Asserts (fatally) only what
 * the harness itself needs; release @r with cli_res_free().
 */
void lf_test_cli_run(struct cli_res *r, const char *const *env,
		     const char *prog, const char *const *argv);

/* Variadic form: the arguments end with NULL. */
void run_prog(struct cli_res *r, const char *prog, ...);

void cli_res_free(struct cli_res *r);

/* The whole content of @fd from its start, NUL-terminated; free() it. */
char *lf_test_slurp_fd(int fd);

#define run_cli(r, ...) run_prog(r, "layerfab", __VA_ARGS__, (char *)NULL)

#endif
