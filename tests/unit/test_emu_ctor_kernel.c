/*
 * test_emu_ctor_kernel.c - a stand-in for a crafted xclbin BITSTREAM
 * (reliability review 2.7, repros/bitstream_ctor.c): a shared object whose
 * constructor runs the moment it is loaded. It leaves a mark (creates the
 * file $LF_TEST_CTOR_MARK) so the "emu_trust" suite can tell whether the
 * emulator loaded it. Built as $(BUILD)/tests/emu_ctor.so; no kernels.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void ctor(void)
{
	const char *mark = getenv("LF_TEST_CTOR_MARK");
	int fd;

	if (!mark)
		return;
	fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}
