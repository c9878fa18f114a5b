/*
 * test_xrt_fault.c - the "xrt_fault" suite: the software-emulation device
 * process dies (SIGKILL) during a run, or between calls. XRT alone would
 * spin forever in the shim's socket read (reference xrt-swemu.md,
 * pitfall 5) or be killed by the shim's SIGCHLD handler (pitfall 4); the
 * backend's watchdog must turn it into LF_ERR_DEVICE_LOST quickly, let
 * everything be released, and leave the process able to open the device
 * again.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/xrt/xrt.h"
#include "test_xrt.h"

/* Kill the device process of @dev; 0 when it was found and killed. */
static int kill_device(lf_dev *dev)
{
	pid_t pid = lf__xrt_device_pid(dev);

	CU_ASSERT(pid > 0);
	if (pid <= 0)
		return -1;
	return kill(pid, SIGKILL);
}

/* The same work on a fresh device, to show the process recovered. */
static void check_fresh_device(void)
{
	lf_dev *dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	uint8_t in[64], out[64];
	lf_bo *bo = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	for (int i = 0; i < 64; i++)
		in[i] = (uint8_t)(200 - i);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, 64, 0, &bo), LF_OK);
	CU_ASSERT_EQUAL(lf__bo_write(bo, in, 64, 0), LF_OK);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(lf__bo_read(bo, out, 64, 0), LF_OK);
	CU_ASSERT_EQUAL(memcmp(in, out, 64), 0);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * A long run (the device process reports it running for a minute); the
 * device process is killed 200 ms in: the wait returns
 * LF_ERR_DEVICE_LOST within a second, every later device call too, and
 * frees and close still work.
 */
static void test_killed_mid_run(void)
{
	struct lf_xt_launch b;
	lf_dev *dev;
	lf_run *run = NULL;
	void *host = NULL;
	uint64_t t0;
	lf_desc d;

	setenv("LF_SWEMU_SLOW_MS", "60000", 1);
	dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	unsetenv("LF_SWEMU_SLOW_MS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_xt_alloc(dev, 0, 1, 64, 64, &b), LF_OK);
	memset(&d, 0, sizeof(d)); /* a bad magic: the kernel returns at once */
	CU_ASSERT_EQUAL(lf__bo_write(b.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_xt_start(dev, 0, &b, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 200), LF_ERR_TIMEOUT);
	t0 = lf_xt_now_ms();
	CU_ASSERT_EQUAL_FATAL(kill_device(dev), 0);
	CU_ASSERT_EQUAL(lf__run_wait(run, 20000), LF_ERR_DEVICE_LOST);
	CU_ASSERT(lf_xt_now_ms() - t0 < 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf__drv_last_error(), "signal 9"));
	CU_ASSERT_EQUAL(lf__run_wait(run, 0), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_sync(b.act, LF_SYNC_FROM_DEVICE, 64, 0),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_map(b.act, &host), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf_xt_start(dev, 0, &b, &run), LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	lf_xt_free(&b);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	CU_ASSERT(lf_xt_now_ms() - t0 < 5000);
	check_fresh_device();
}

/*
 * A run that never ends (the device core's CU_HANG fault through
 * LF_SWEMU_HANG): waits time out, abort is unsupported, the device cannot
 * be closed; killing the device process is the way out.
 */
static void test_hung_run(void)
{
	struct lf_xt_launch b;
	lf_dev *dev;
	lf_run *run = NULL;
	lf_desc d;

	setenv("LF_SWEMU_HANG", "1", 1);
	dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	unsetenv("LF_SWEMU_HANG");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf_xt_alloc(dev, 1, 1, 64, 64, &b), LF_OK);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(lf__bo_write(b.desc, &d, sizeof(d), 0), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_xt_start(dev, 1, &b, &run), LF_OK);
	CU_ASSERT_EQUAL(lf__run_wait(run, 300), LF_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(lf__dev_cu_abort(dev, 1), LF_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_ERR_BUSY);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_ERR_BUSY);
	CU_ASSERT_EQUAL_FATAL(kill_device(dev), 0);
	CU_ASSERT_EQUAL(lf__run_wait(run, LF_DRV_WAIT_FOREVER),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__run_free(run), LF_OK);
	lf_xt_free(&b);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
}

/*
 * Killed between calls, and the next call is a copy: the shim writes its
 * request into a dead socket (SIGPIPE, which the backend holds off) and
 * waits for a reply that never comes, until the watchdog takes the socket
 * over. The copy fails with LF_ERR_DEVICE_LOST instead of hanging.
 */
static void test_killed_idle(void)
{
	lf_dev *dev = lf_xt_open_loaded("xrt:0", LF_XT_PROFILE);
	uint8_t buf[4096] = {0};
	lf_bo *bo = NULL;
	uint64_t t0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(lf__bo_alloc(dev, sizeof(buf), 0, &bo), LF_OK);
	t0 = lf_xt_now_ms();
	CU_ASSERT_EQUAL_FATAL(kill_device(dev), 0);
	CU_ASSERT_EQUAL(lf__bo_write(bo, buf, sizeof(buf), 0),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT_EQUAL(lf__bo_read(bo, buf, sizeof(buf), 0),
			LF_ERR_DEVICE_LOST);
	CU_ASSERT(lf_xt_now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(lf__bo_free(bo), LF_OK);
	CU_ASSERT_EQUAL(lf__dev_close(dev), LF_OK);
	check_fresh_device();
}

void lf_test_suite_xrt_fault(void)
{
	static const struct lf_test_case cases[] = {
	    {"killed_mid_run", test_killed_mid_run},
	    {"hung_run", test_hung_run},
	    {"killed_idle", test_killed_idle},
	    {NULL, NULL},
	};
	lf_test_add_suite("xrt_fault", NULL, NULL, cases);
}
