# tests: one CUnit binary; suites are listed once, in tests/suites.def.
TEST_SRCS += tests/test_main.c tests/unit/test_status.c
