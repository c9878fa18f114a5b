/*
 * test_env.c - the "env" suite: environment values are validated, not
 * silently ignored (LAYERFAB_TIMEOUT_MS=abc or 0, LAYERFAB_FALLBACK=maybe
 * used to mean "default"), and names read from files reach messages
 * escaped (a corrupted tensor name used to be printed raw); reliability
 * review 2.5. Also base/lf_text.c, the escaping itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lf_text.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_cli_util.h"
#include "test_model_util.h"

static void unset_all(void)
{
	unsetenv("LAYERFAB_TIMEOUT_MS");
	unsetenv("LAYERFAB_FALLBACK");
}

/* lf_context_create on @dev with @var=@val: @want, and the message names
 * the variable. */
static void expect_ctx(const char *dev, const char *var, const char *val,
		       lf_status want)
{
	lf_context *ctx = NULL;
	lf_status st;

	unset_all();
	setenv(var, val, 1);
	st = lf_context_create(dev, NULL, &ctx);
	if (st != want)
		fprintf(stderr, "\n%s, %s=%s: %s (%s)\n", dev, var, val,
			lf_status_name(st), lf_last_error());
	CU_ASSERT_EQUAL(st, want);
	if (want != LF_OK) {
		CU_ASSERT_PTR_NULL(ctx);
		CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), var));
	}
	lf_context_destroy(ctx);
	unset_all();
}

static void test_timeout(void)
{
	static const char *const bad[] = {
	    "abc", "0",	  "-5",	      "12ms",
	    " 7",  "1e3", "86400001", "99999999999999999999999"};
	static const char *const devs[] = {"cpu", "emu:tiny"};
	for (size_t d = 0; d < 2; d++) {
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			expect_ctx(devs[d], "LAYERFAB_TIMEOUT_MS", bad[i],
				   LF_ERR_INVALID_ARG);
		expect_ctx(devs[d], "LAYERFAB_TIMEOUT_MS", "1", LF_OK);
		expect_ctx(devs[d], "LAYERFAB_TIMEOUT_MS", "86400000", LF_OK);
		expect_ctx(devs[d], "LAYERFAB_TIMEOUT_MS", "", LF_OK);
	}
}

static void test_fallback(void)
{
	static const char *const bad[] = {"maybe", "OFF ", "2", "onn"};
	static const char *const good[] = {"on",  "off", "0",	 "1",
					   "yes", "no",	 "true", "false"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_ctx("emu:tiny", "LAYERFAB_FALLBACK", bad[i],
			   LF_ERR_INVALID_ARG);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect_ctx("cpu", "LAYERFAB_FALLBACK", good[i], LF_OK);
}

/* What a user sees: the CLI says which variable and exits 1. */
static void test_cli(void)
{
	static const char *const tmo[] = {"LAYERFAB_TIMEOUT_MS=abc", NULL};
	static const char *const fb[] = {"LAYERFAB_FALLBACK=maybe", NULL};
	static const char *const argv[] = {"run", "models/fmnist_qop.onnx",
					   "--device", "emu", NULL};
	struct cli_res r;
	lf_test_cli_run(&r, tmo, "layerfab", argv);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LAYERFAB_TIMEOUT_MS=\"abc\""));
	cli_res_free(&r);
	lf_test_cli_run(&r, fb, "layerfab", argv);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LAYERFAB_FALLBACK=\"maybe\""));
	cli_res_free(&r);
}

static void test_escape(void)
{
	char out[64];
	/* ESC, a lone continuation byte, 0xff, DEL become \xNN. */
	lf__text_escape("a\x1b[31mb\x80\xff\x7f", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "a\\x1b[31mb\\x80\\xff\\x7f");
	/* Valid UTF-8 (2, 3 and 4 bytes) stays; newline and tab stay. */
	lf__text_escape("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\n\t", out,
			sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\n\t");
	/* An overlong "/" (C0 AF), a surrogate (ED A0 80), a truncated
	 * sequence at the end. */
	lf__text_escape("\xc0\xaf\xed\xa0\x80\xe4\xb8", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "\\xc0\\xaf\\xed\\xa0\\x80\\xe4\\xb8");
	/* Truncation never splits an escape. */
	lf__text_escape("ab\x01", out, 6);
	CU_ASSERT_STRING_EQUAL(out, "ab");
	CU_ASSERT_FALSE(lf__text_needs_escape("plain name_1/x:0"));
}

/* A model whose node reads a value nobody produces, named with terminal
 * control bytes and invalid UTF-8 (what a bit flip in a name gives). */
static void test_model_name_escaped(void)
{
	int64_t d[2] = {1, 4};
	struct lft_onnx *b = lft_onnx_new(13);
	size_t len;
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lft_onnx_input(b, "x", 1, 2, d);
	lft_onnx_output(b, "y", 1, 2, d);
	lft_onnx_node(b, "Relu", "", "relu\x1b]0;pwned\x07", "x\x1b[2J\xfe",
		      "y");
	uint8_t *buf = lft_onnx_finish(b, &len);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("cpu", NULL, &ctx), LF_OK);
	CU_ASSERT_NOT_EQUAL(lf_model_load_memory(ctx, buf, len, NULL, &m),
			    LF_OK);
	const char *msg = lf_last_error();
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "\\x1b"));
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		CU_ASSERT_FALSE(*p < 0x20 && *p != '\n' && *p != '\t');
	CU_ASSERT_PTR_NULL(strchr(msg, '\xfe'));
	CU_ASSERT_PTR_NULL(strstr(lf_context_last_error(ctx), "\x1b"));
	free(buf);
	lf_context_destroy(ctx);
}

/* Leave the environment as every suite starts from it. */
static int suite_clean(void)
{
	lf_test_env_defaults();
	return 0;
}

void lf_test_suite_env(void)
{
	static const struct lf_test_case cases[] = {
	    {"timeout", test_timeout},
	    {"fallback", test_fallback},
	    {"cli", test_cli},
	    {"escape", test_escape},
	    {"model_name_escaped", test_model_name_escaped},
	    {NULL, NULL}};
	lf_test_add_suite("env", NULL, suite_clean, cases);
}
