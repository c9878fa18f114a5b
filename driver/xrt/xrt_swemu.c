/*
 * xrt_swemu.c - living with XRT's software-emulation shim (libxrt_swemu)
 * inside an application. What the shim does, and what the backend does
 * about it (reference xrt-swemu.md, pitfalls 4-7):
 *
 * Signal handlers. When it forks the device process the shim installs its
 * own handlers for SIGSEGV, SIGFPE, SIGABRT, SIGUSR1 and SIGCHLD, which
 * signal the whole process group (kill(0, ...)) and exit(1): a crash of the
 * device process, or of the application, takes down everything sharing
 * the group (a test runner, make). The backend saves the application's
 * handlers before each xclbin load and puts them back right after it, so
 * a dead device process becomes LF_ERR_DEVICE_LOST (below) and an
 * application crash stays the application's.
 *
 * SIGPIPE. The shim writes to its socket with write(); once the device
 * process is gone that raises SIGPIPE, whose default action kills the
 * process. In emulation, every backend call into XRT runs with SIGPIPE
 * blocked in the calling thread (and a SIGPIPE it caused is discarded
 * before the mask is restored); XRT's own threads are created inside those
 * calls and inherit the blocked mask. The process-wide disposition is not
 * touched.
 *
 * A dead device process. When its peer dies, the shim's read() gets end
 * of file and loops on it forever at 100% CPU (pitfall 5) or, if the dead
 * process left a request unread, ECONNRESET, after which the shim parses
 * stale bytes and fails an assert() (abort: Debian's build keeps them).
 * Nothing in XRT notices. So the backend keeps the device's end of that
 * connection open itself: before the first load (which forks the device
 * process) it makes a socket pair and names one end in
 * LF_SWEMU_KEEPER_FD; layerfab's device process inherits it and, once
 * connected to the shim, sends back its pid and a duplicate of its
 * connection (SCM_RIGHTS). With that duplicate held here, the
 * connection outlives the device process: the shim just waits for a
 * reply. A watchdog thread checks every XRT_WAIT_SLICE_MS whether the
 * child has exited (waitid(.., WNOWAIT): the zombie is left for the
 * shim's own waitpid(0) in xclClose, which would otherwise spin on
 * ECHILD, pitfall 7); on death it marks the device lost and answers the
 * shim on the held end in the device's place (xrt_tomb.c), so XRT's state
 * can be torn down normally. XRT's own descriptors are never touched.
 *
 * What stays unsafe: XRT still calls exit() on some errors (a failed
 * socket call, the 300 s connect timeout, a failed protobuf serialisation;
 * pitfall 6); the environment checks below catch the common causes
 * (missing XILINX_XRT / XILINX_VITIS / device process) before XRT does.
 * A device process that dies inside xrtDeviceClose, after the watchdog
 * was stopped, or in the middle of writing a reply, still leaves the shim
 * waiting: only an outer timeout catches that (tests/xrt/run.sh). A
 * device process other than layerfab's sends no keeper message: then
 * there is no watchdog, and a warning says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver/xrt/swemu_wire.h"
#include "driver/xrt/xrt_impl.h"

#define MODEL_PATH     "/data/emulation/unified/cpu_em/generic_pcie/model/"
#define MODEL_NAME     "genericpciemodel"
#define KEEPER_WAIT_MS 2000

struct xrt_swemu {
	struct xrt_dev *d;
	pid_t pid;
	int dev_fd; /* our duplicate of the device's end of the shim's
		     * connection, or -1 */
	struct lf_swemu_state *state; /* shared with the device, or NULL */
	pthread_t thread;
	int running; /* the thread was started and not joined */
	atomic_int stop;
	/* (watch_mu) the thread stands in for the dead device; it outlives
	 * the xrt_dev: XRT may close the device later, from its own
	 * threads, and that close needs an answer too */
	int in_tomb;
	int finished; /* (watch_mu) the thread is done with everything */
	int orphaned; /* (watch_mu) the device is closed: the thread frees
		       * this struct when it is done */
};

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;

static void free_swemu(struct xrt_swemu *s)
{
	if (s->dev_fd >= 0)
		close(s->dev_fd);
	if (s->state)
		munmap(s->state, 4096);
	free(s);
}

/* ------------------------------------------------------------------------
 * Signals.
 */

void lf__xrt_sig_begin(int emulation, struct lf__xrt_sigguard *g)
{
	sigset_t s;

	g->active = 0;
	if (!emulation)
		return;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &s, &g->old) == 0)
		g->active = 1;
}

void lf__xrt_sig_end(struct lf__xrt_sigguard *g)
{
	sigset_t s, pend;
	struct timespec zero = {0, 0};

	if (!g->active)
		return;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	/* Discard a SIGPIPE the call raised, unless the caller had SIGPIPE
	 * blocked itself (then it is the caller's to see). */
	if (!sigismember(&g->old, SIGPIPE))
		while (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) &&
		       sigtimedwait(&s, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static const int shim_sigs[LF__XRT_NSIGS] = {SIGSEGV, SIGFPE, SIGABRT, SIGUSR1,
					     SIGCHLD};

void lf__xrt_signals_save(struct lf__xrt_sigsave *s)
{
	for (int i = 0; i < LF__XRT_NSIGS; i++)
		sigaction(shim_sigs[i], NULL, &s->act[i]);
}

void lf__xrt_signals_restore(const struct lf__xrt_sigsave *s)
{
	for (int i = 0; i < LF__XRT_NSIGS; i++)
		sigaction(shim_sigs[i], &s->act[i], NULL);
}

/* ------------------------------------------------------------------------
 * Environment checks: what would otherwise end in exit() or a hang.
 */

/* The install root the shim's child uses (shim.cxx launchDeviceProcess):
 * XILINX_VITIS, else XILINX_SCOUT, else XILINX_SDX; XILINX_OPENCL wins
 * whenever XILINX_SDX does not. */
static const char *install_root(const char **var)
{
	const char *names[] = {"XILINX_VITIS", "XILINX_SCOUT", "XILINX_SDX"};
	const char *root = NULL, *v;

	for (int i = 0; i < 3 && !root; i++) {
		v = getenv(names[i]);
		if (v && *v) {
			root = v;
			*var = names[i];
		}
	}
	v = getenv("XILINX_OPENCL");
	if (v && (!getenv("XILINX_SDX") || *var != names[2])) {
		root = v;
		*var = "XILINX_OPENCL";
	}
	return root;
}

lf_status lf__xrt_swemu_check_env(void)
{
	const char *mode = getenv("XCL_EMULATION_MODE");
	const char *xrt = getenv("XILINX_XRT"), *var = "XILINX_VITIS";
	const char *root;
	struct sigaction sa;
	char path[PATH_MAX];

	if (!mode)
		return LF_OK;
	if (strcmp(mode, "sw_emu") != 0 && strcmp(mode, "hw_emu") != 0)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "xrt: XCL_EMULATION_MODE=%s: XRT knows "
				     "sw_emu and hw_emu",
				     mode);
	if (!xrt || !*xrt)
		return lf__drv_error(
		    LF_ERR_NOT_FOUND,
		    "xrt: XCL_EMULATION_MODE=%s needs "
		    "XILINX_XRT, a prefix whose lib/ holds "
		    "libxrt_%s.so.2 (scripts/xrt-swemu-setup.sh "
		    "makes one; see driver/xrt/README.md)",
		    mode, mode[0] == 's' ? "swemu" : "hwemu");
	snprintf(path, sizeof(path), "%s/lib/libxrt_%s.so.2", xrt,
		 mode[0] == 's' ? "swemu" : "hwemu");
	if (access(path, R_OK) != 0)
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "xrt: %s: %s (XRT would abort the "
				     "process; on Debian use "
				     "scripts/xrt-swemu-setup.sh)",
				     path, strerror(errno));
	if (mode[0] != 's')
		return LF_OK;
	root = install_root(&var);
	if (!root)
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "xrt: sw_emu needs XILINX_VITIS: the tree "
				     "holding the device process (XRT's child "
				     "would exit(1) and the host with it)");
	snprintf(path, sizeof(path), "%s" MODEL_PATH MODEL_NAME, root);
	if (access(path, X_OK) != 0)
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "xrt: sw_emu device process %s (from %s): "
				     "%s",
				     path, var, strerror(errno));
	if (sigaction(SIGCHLD, NULL, &sa) == 0 &&
	    (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT)))
		return lf__drv_error(LF_ERR_STATE,
				     "xrt: SIGCHLD is ignored in this process; "
				     "XRT's sw_emu close would then wait "
				     "forever for its device process");
	return LF_OK;
}

/* ------------------------------------------------------------------------
 * The keeper channel: the device process's pid and its connection.
 */

/* One keeper channel at a time: it travels in the environment. */
static pthread_mutex_t keeper_mu = PTHREAD_MUTEX_INITIALIZER;

void lf__xrt_keeper_open(struct xrt_dev *d, struct lf__xrt_keeper *k)
{
	char v[16];
	int sp[2];

	k->ours = k->theirs = -1;
	k->locked = 0;
	if (!d->emulation || d->sw)
		return; /* the device process exists already */
	pthread_mutex_lock(&keeper_mu);
	k->locked = 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
		return;
	/* The device process inherits their end across fork and exec. */
	fcntl(sp[1], F_SETFD, 0);
	k->ours = sp[0];
	k->theirs = sp[1];
	snprintf(v, sizeof(v), "%d", sp[1]);
	setenv(LF_SWEMU_KEEPER_ENV, v, 1);
}

/* The keeper message (swemu_wire.h): the pid, the connection, the
 * shared state page. */
static int keeper_receive(int fd, int wait_ms, struct xrt_swemu *s)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct pollfd p = {fd, POLLIN, 0};
	struct msghdr m;
	struct cmsghdr *c;
	struct iovec io;
	int32_t v = 0;
	int fds[2];
	void *page;

	memset(&m, 0, sizeof(m));
	io.iov_base = &v;
	io.iov_len = sizeof(v);
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	/* Sent right after the device connects, before it answers the
	 * load this follows: it is there already, or never comes. */
	if (poll(&p, 1, wait_ms) != 1 ||
	    recvmsg(fd, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(v))
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(fds)))
		return -1;
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
	close(fds[1]);
	if (page == MAP_FAILED || v <= 0) {
		if (page != MAP_FAILED)
			munmap(page, 4096);
		close(fds[0]);
		return -1;
	}
	s->pid = (pid_t)v;
	s->dev_fd = fds[0];
	s->state = page;
	return 0;
}

/* ------------------------------------------------------------------------
 * The watchdog.
 */

static void describe_death(const siginfo_t *si, int reaped, char *out,
			   size_t cap, pid_t pid)
{
	if (reaped)
		snprintf(out, cap,
			 "the sw_emu device process (pid %ld) is gone",
			 (long)pid);
	else if (si->si_code == CLD_EXITED)
		snprintf(out, cap,
			 "the sw_emu device process (pid %ld) exited with "
			 "status %d",
			 (long)pid, si->si_status);
	else
		snprintf(out, cap,
			 "the sw_emu device process (pid %ld) was killed by "
			 "signal %d",
			 (long)pid, si->si_status);
}

/* Mark the device lost; 0 if the watchdog should stand in for it. */
static int on_death(struct xrt_swemu *s, const siginfo_t *si, int reaped)
{
	struct xrt_dev *d = s->d;

	pthread_mutex_lock(&d->mu);
	if (atomic_load(&s->stop)) {
		pthread_mutex_unlock(&d->mu);
		return -1;
	}
	pthread_mutex_lock(&watch_mu);
	s->in_tomb = 1;
	pthread_mutex_unlock(&watch_mu);
	d->lost = 1;
	describe_death(si, reaped, d->lost_why, sizeof(d->lost_why), s->pid);
	pthread_cond_broadcast(&d->run_cv);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static void *watch_main(void *arg)
{
	struct xrt_swemu *s = arg;
	struct timespec slice = {0, XRT_WAIT_SLICE_MS * 1000000L};

	int orphan;

	while (!atomic_load(&s->stop)) {
		siginfo_t si;
		int rc;

		memset(&si, 0, sizeof(si));
		rc = waitid(P_PID, (id_t)s->pid, &si,
			    WEXITED | WNOHANG | WNOWAIT);
		if ((rc == 0 && si.si_pid == s->pid) ||
		    (rc < 0 && errno == ECHILD)) {
			/* From here s->d may be freed at any time. */
			if (on_death(s, &si, rc < 0) == 0)
				lf__xrt_tomb_serve(s->dev_fd, s->state);
			break;
		}
		nanosleep(&slice, NULL);
	}
	pthread_mutex_lock(&watch_mu);
	s->finished = 1;
	orphan = s->orphaned;
	pthread_mutex_unlock(&watch_mu);
	if (orphan)
		free_swemu(s);
	return NULL;
}

static lf_status start_watch(struct xrt_swemu *s)
{
	sigset_t all, old;
	int rc;

	/* The watchdog takes no signals meant for the application. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, watch_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "xrt: cannot start the sw_emu watchdog: "
				     "%s",
				     strerror(rc));
	s->running = 1;
	return LF_OK;
}

lf_status lf__xrt_keeper_close(struct xrt_dev *d, struct lf__xrt_keeper *k,
			       int loaded)
{
	struct xrt_swemu *s = NULL;
	lf_status st = LF_OK;

	if (k->theirs >= 0)
		close(k->theirs);
	if (k->locked) {
		unsetenv(LF_SWEMU_KEEPER_ENV);
		pthread_mutex_unlock(&keeper_mu);
	}
	if (k->ours < 0)
		return LF_OK;
	s = d->sw ? NULL : calloc(1, sizeof(*s));
	if (s) {
		s->d = d;
		s->pid = -1;
		s->dev_fd = -1;
		atomic_init(&s->stop, 0);
		/* A failed load may or may not have forked the process. */
		if (keeper_receive(k->ours, loaded ? KEEPER_WAIT_MS : 100, s) ==
		    0) {
			d->sw = s;
			st = start_watch(s);
		} else if (loaded) {
			d->sw = s;
			fprintf(stderr,
				"layerfab: xrt: the sw_emu device process "
				"sent no keeper message (is it layerfab's "
				"genericpciemodel?); if it dies, XRT in this "
				"process hangs\n");
		} else {
			free(s);
		}
	}
	close(k->ours);
	return st;
}

pid_t lf__xrt_swemu_pid(const struct xrt_dev *d)
{
	return d->sw ? d->sw->pid : -1;
}

void lf__xrt_swemu_stop_watch(struct xrt_dev *d)
{
	struct xrt_swemu *s = d->sw;
	int stopped = 0;

	if (!s || !s->running)
		return;
	pthread_mutex_lock(&d->mu);
	if (!d->lost) {
		atomic_store(&s->stop, 1);
		stopped = 1;
	}
	pthread_mutex_unlock(&d->mu);
	if (stopped) {
		pthread_join(s->thread, NULL);
		s->running = 0;
	}
}

void lf__xrt_swemu_release(struct xrt_dev *d)
{
	struct xrt_swemu *s = d->sw;
	int orphan = 0;

	if (!s)
		return;
	d->sw = NULL;
	atomic_store(&s->stop, 1);
	pthread_mutex_lock(&watch_mu);
	if (s->running && s->in_tomb && !s->finished) {
		/* It answers the shim until the shim closes the connection,
		 * then frees what it holds. */
		s->orphaned = 1;
		orphan = 1;
		pthread_detach(s->thread);
	}
	pthread_mutex_unlock(&watch_mu);
	if (orphan)
		return;
	if (s->running)
		pthread_join(s->thread, NULL);
	free_swemu(s);
}
