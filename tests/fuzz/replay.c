/*
 * replay.c - a main() for the tests/fuzz harnesses without libFuzzer:
 * every file named on the command line (directories: every regular file
 * in them, in name order) is given to LLVMFuzzerTestOneInput once. `make
 * test` builds each harness with the normal compiler against it and
 * replays its seed corpus, so the harnesses keep building and every seed
 * keeps passing through them cleanly; `make fuzz` does the fuzzing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/lf_file.h"
#include "fuzz.h"

/* Seeds are files of the repository; none is near this. */
#define SEED_MAX (256ull << 20)

static size_t nrun;

static int replay_file(const char *path)
{
	char err[512];
	uint8_t *buf = NULL;
	size_t len = 0;
	lf_status st =
	    lf__file_read(path, SEED_MAX, &buf, &len, err, sizeof(err));

	if (st != LF_OK) {
		fprintf(stderr, "replay: %s\n", err);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	nrun++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_dir(const char *dir)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, by_name), rc = 0;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    replay_file(path) != 0)
			rc = -1;
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			rc |= replay_dir(argv[i]);
		else
			rc |= replay_file(argv[i]);
	}
	printf("%s: %zu inputs replayed\n", argv[0], nrun);
	return rc ? 1 : 0;
}
