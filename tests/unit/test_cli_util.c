/*
 * test_cli_util.c - running the built tools as child processes (see
 * test_cli_util.h).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lf_test.h"
#include "test_cli_util.h"

char *lf_test_slurp_fd(int fd)
{
	size_t n = 0, cap = 4096;
	char *b = malloc(cap);
	ssize_t got;
	if (!b)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	while ((got = read(fd, b + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (cap - n < 2) {
			char *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
	}
	b[n] = '\0';
	return b;
}

static int tmp_fd(void)
{
	char name[] = "/tmp/lf_cli_XXXXXX";
	int fd = mkstemp(name);
	if (fd >= 0)
		unlink(name);
	return fd;
}

/* In the child: apply "NAME=value" / "NAME" changes. */
static void apply_env(const char *const *env)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char name[256];
		size_t n = eq ? (size_t)(eq - env[i]) : strlen(env[i]);
		if (n >= sizeof(name))
			_exit(126);
		memcpy(name, env[i], n);
		name[n] = '\0';
		if (eq)
			setenv(name, eq + 1, 1);
		else
			unsetenv(name);
	}
}

void lf_test_cli_run(struct cli_res *r, const char *const *env,
		     const char *prog, const char *const *args)
{
	char path[512];
	const char *argv[32];
	int argc = 0;
	snprintf(path, sizeof(path), "%s/bin/%s", lf_test_build_dir(), prog);
	argv[argc++] = path;
	for (size_t i = 0; args && args[i] && argc < 31; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	int fo = tmp_fd(), fe = tmp_fd();
	CU_ASSERT_FATAL(fo >= 0 && fe >= 0);
	fflush(NULL);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		apply_env(env);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	int ws;
	if (waitpid(pid, &ws, 0) == pid) {
		if (WIFEXITED(ws))
			r->status = WEXITSTATUS(ws);
		else if (WIFSIGNALED(ws))
			r->signal = WTERMSIG(ws);
	}
	r->out = lf_test_slurp_fd(fo);
	r->err = lf_test_slurp_fd(fe);
	close(fo);
	close(fe);
	CU_ASSERT_FATAL(r->out && r->err);
	if (r->status == 127)
		fprintf(stderr, "\ncannot run %s (not built?)\n", path);
}

void run_prog(struct cli_res *r, const char *prog, ...)
{
	const char *argv[32];
	int argc = 0;
	const char *a;
	va_list ap;
	va_start(ap, prog);
	while ((a = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	lf_test_cli_run(r, NULL, prog, argv);
}

void cli_res_free(struct cli_res *r)
{
	free(r->out);
	free(r->err);
}
