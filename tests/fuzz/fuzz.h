/*
 * fuzz.h - the libFuzzer entry points every harness in tests/fuzz/
 * defines. Built two ways (tests/fuzz/README.md): with clang and
 * -fsanitize=fuzzer for `make fuzz`, and with the normal compiler against
 * replay.c's main() for `make test`, which replays the seed corpora.
 */
#ifndef LF_TESTS_FUZZ_H
#define LF_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; may read the environment. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* One input. Returns 0; a bug aborts (or is a sanitizer report). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
