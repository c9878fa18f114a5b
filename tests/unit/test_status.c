/* test_status.c - the status list: values, names, messages. */
#include <string.h>

#include "layerfab.h"
#include "lf_test.h"

static void test_values(void)
{
	CU_ASSERT_EQUAL(LF_OK, 0);
	CU_ASSERT(LF_ERR_INVALID_ARG < 0);
	CU_ASSERT(LF_ERR_INTERNAL < 0);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(lf_status_name(LF_OK), "LF_OK");
	CU_ASSERT_STRING_EQUAL(lf_status_name(LF_ERR_TIMEOUT),
			       "LF_ERR_TIMEOUT");
	CU_ASSERT_STRING_EQUAL(lf_status_name((lf_status)-12345),
			       "LF_ERR_UNKNOWN");
	CU_ASSERT_STRING_EQUAL(lf_status_str((lf_status)12345),
			       "unknown status");
	CU_ASSERT(strlen(lf_status_str(LF_ERR_BUSY)) > 0);
}

/* Every value has a distinct name: the X-macro list has no duplicates. */
static void test_distinct(void)
{
	for (int a = 0; a >= LF_ERR_INTERNAL; a--)
		for (int b = a - 1; b >= LF_ERR_INTERNAL; b--)
			CU_ASSERT(strcmp(lf_status_name((lf_status)a),
					 lf_status_name((lf_status)b)) != 0);
}

void lf_test_suite_status(void)
{
	static const struct lf_test_case cases[] = {
	    {"values", test_values},
	    {"names", test_names},
	    {"distinct", test_distinct},
	    {NULL, NULL},
	};
	lf_test_add_suite("status", NULL, NULL, cases);
}
