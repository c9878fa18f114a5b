/*
 * registry.c - the backend table.
 *
 * Required methods are checked once, here, so the rest of the core calls
 * them without NULL checks. Built-in backends register on first use.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "driver/aws/aws.h" /* lf__aws_backend */
#include "driver/core/core.h"
#if defined(LF_HAVE_OPENCL)
#include "driver/opencl/opencl.h" /* lf__opencl_backend */
#endif
#if defined(LF_HAVE_XRT)
#include "driver/xrt/xrt.h" /* lf__xrt_backend */
#endif

static struct lf_backend_slot slots[LF_DRV_MAX_BACKENDS];
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

/* Backends layerfab knows of, built in or not (for a clear message). */
static const char *const known_backends[] = {"emu", "xrt", "opencl", "aws"};

static lf_status check_ops(const struct lf_backend_ops *ops)
{
	size_t n;

	if (!ops || !ops->name)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "backend registration: NULL table or "
				     "name");
	n = strlen(ops->name);
	if (n == 0 || n >= LF_DRV_BACKEND_MAX)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "backend registration: name \"%s\" must "
				     "have 1 to %d characters",
				     ops->name, LF_DRV_BACKEND_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		char c = ops->name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return lf__drv_error(LF_ERR_INVALID_ARG,
					     "backend registration: name "
					     "\"%s\" may only use [a-z0-9_]",
					     ops->name);
	}
#define LF__REQUIRED(m)                                                        \
	if (!ops->m)                                                           \
		return lf__drv_error(LF_ERR_INVALID_ARG,                       \
				     "backend '%s': required method '%s' is "  \
				     "missing",                                \
				     ops->name, #m);
	LF__REQUIRED(enumerate)
	LF__REQUIRED(open)
	LF__REQUIRED(close)
	LF__REQUIRED(load_xclbin)
	LF__REQUIRED(query)
	LF__REQUIRED(bo_alloc)
	LF__REQUIRED(bo_free)
	LF__REQUIRED(bo_map)
	LF__REQUIRED(bo_sync)
	LF__REQUIRED(run_start)
	LF__REQUIRED(run_wait)
	LF__REQUIRED(run_free)
#undef LF__REQUIRED
	return LF_OK;
}

static struct lf_backend_slot *find_locked(const char *name)
{
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++)
		if (slots[i].ops && strcmp(slots[i].ops->name, name) == 0)
			return &slots[i];
	return NULL;
}

static lf_status register_locked(const struct lf_backend_ops *ops)
{
	lf_status st = check_ops(ops);

	if (st != LF_OK)
		return st;
	if (find_locked(ops->name))
		return lf__drv_error(LF_ERR_BUSY,
				     "backend '%s' is already registered",
				     ops->name);
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++) {
		if (!slots[i].ops) {
			slots[i].ops = ops;
			slots[i].open_devs = 0;
			return LF_OK;
		}
	}
	return lf__drv_error(LF_ERR_NO_MEMORY,
			     "backend '%s': the registry is full (%d backends)",
			     ops->name, LF_DRV_MAX_BACKENDS);
}

static void register_builtins(void)
{
	/* Built-ins are correct by construction; a failure is a bug. */
	if (register_locked(&lf__emu_backend) != LF_OK)
		fprintf(stderr, "layerfab: %s\n", lf__drv_last_error());
	if (register_locked(&lf__aws_backend) != LF_OK)
		fprintf(stderr, "layerfab: %s\n", lf__drv_last_error());
#if defined(LF_HAVE_XRT)
	/* XRT before OpenCL: a card both see (XRT's OpenCL platform) is
	 * taken through the native API when lf__drv_default() picks it. */
	if (register_locked(&lf__xrt_backend) != LF_OK)
		fprintf(stderr, "layerfab: %s\n", lf__drv_last_error());
#endif
#if defined(LF_HAVE_OPENCL)
	if (register_locked(&lf__opencl_backend) != LF_OK)
		fprintf(stderr, "layerfab: %s\n", lf__drv_last_error());
#endif
}

static void lock_registry(void)
{
	pthread_once(&reg_once, register_builtins);
	pthread_mutex_lock(&reg_mu);
}

lf_status lf__backend_register(const struct lf_backend_ops *ops)
{
	lf_status st;

	lf__drv_clear_error();
	lock_registry();
	st = register_locked(ops);
	pthread_mutex_unlock(&reg_mu);
	return st;
}

lf_status lf__backend_unregister(const char *name)
{
	struct lf_backend_slot *s;
	lf_status st = LF_OK;

	lf__drv_clear_error();
	if (!name)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__backend_unregister: NULL name");
	lock_registry();
	s = find_locked(name);
	if (!s)
		st = lf__drv_error(LF_ERR_NOT_FOUND,
				   "backend '%s' is not registered", name);
	else if (s->open_devs)
		st = lf__drv_error(LF_ERR_BUSY,
				   "backend '%s' still has %u open devices",
				   name, s->open_devs);
	else
		s->ops = NULL;
	pthread_mutex_unlock(&reg_mu);
	return st;
}

static void list_locked(char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++) {
		int w;

		if (!slots[i].ops)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     slots[i].ops->name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

void lf__backend_list(char *buf, size_t len)
{
	if (!buf)
		return;
	lock_registry();
	list_locked(buf, len);
	pthread_mutex_unlock(&reg_mu);
}

static lf_status not_found_locked(const char *name)
{
	char names[128];

	for (size_t i = 0; i < sizeof(known_backends) / sizeof(*known_backends);
	     i++)
		if (strcmp(known_backends[i], name) == 0)
			return lf__drv_error(LF_ERR_UNSUPPORTED,
					     "backend '%s' is not built into "
					     "this library (its development "
					     "files were not found at build "
					     "time)",
					     name);
	list_locked(names, sizeof(names));
	return lf__drv_error(LF_ERR_NOT_FOUND,
			     "unknown backend '%s' (available: %s)", name,
			     names);
}

lf_status lf__backend_acquire(const char *name, struct lf_backend_slot **out)
{
	struct lf_backend_slot *s;
	lf_status st = LF_OK;

	lock_registry();
	s = find_locked(name);
	if (s) {
		s->open_devs++;
		*out = s;
	} else {
		st = not_found_locked(name);
	}
	pthread_mutex_unlock(&reg_mu);
	return st;
}

void lf__backend_release(struct lf_backend_slot *slot)
{
	pthread_mutex_lock(&reg_mu);
	slot->open_devs--;
	pthread_mutex_unlock(&reg_mu);
}

/* The selection string of an enumerated device, when its backend gave
 * none. */
static void fill_spec(struct lf_dev_desc *d)
{
	char spec[sizeof(d->spec)];

	if (d->spec[0])
		return;
	snprintf(spec, sizeof(spec), "%s:%u", d->backend, d->index);
	memcpy(d->spec, spec, sizeof(spec));
}

lf_status lf__drv_enumerate(const char *backend, struct lf_dev_desc *out,
			    uint32_t max, uint32_t *count)
{
	const struct lf_backend_ops *ops[LF_DRV_MAX_BACKENDS];
	uint32_t nops = 0, total = 0, written = 0;
	lf_status st = LF_OK;

	lf__drv_clear_error();
	if (!count || (max && !out))
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__drv_enumerate: NULL argument");
	lock_registry();
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++)
		if (slots[i].ops &&
		    (!backend || strcmp(backend, slots[i].ops->name) == 0))
			ops[nops++] = slots[i].ops;
	if (backend && nops == 0)
		st = not_found_locked(backend);
	pthread_mutex_unlock(&reg_mu);
	if (st != LF_OK)
		return st;
	/*
	 * Backends enumerate outside the lock (a card scan can be slow);
	 * unregistering a backend that is being enumerated is a test-only
	 * operation and not supported concurrently.
	 */
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t room = max - written, n = 0;

		st = ops[i]->enumerate(room ? out + written : NULL, room, &n);
		if (st != LF_OK)
			return st;
		for (uint32_t k = written; k < written + (n < room ? n : room);
		     k++)
			fill_spec(&out[k]);
		written += n < room ? n : room;
		total += n;
	}
	*count = total;
	return LF_OK;
}

lf_status lf__dev_spec_check(const char *text)
{
	struct lf_dev_spec spec;
	lf_status st;

	lf__drv_clear_error();
	st = lf__dev_spec_parse(text, &spec);
	if (st != LF_OK)
		return st;
	lock_registry();
	st = find_locked(spec.backend) ? LF_OK : not_found_locked(spec.backend);
	pthread_mutex_unlock(&reg_mu);
	/* A name nobody registered is a malformed string to the caller. */
	if (st == LF_ERR_NOT_FOUND)
		st = LF_ERR_INVALID_ARG;
	return st;
}

uint32_t lf__backend_known(const char **out, uint32_t max)
{
	uint32_t n = 0;

	lock_registry();
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++) {
		if (!slots[i].ops)
			continue;
		if (n < max)
			out[n] = slots[i].ops->name;
		n++;
	}
	for (size_t i = 0; i < sizeof(known_backends) / sizeof(*known_backends);
	     i++) {
		if (find_locked(known_backends[i]))
			continue;
		if (n < max)
			out[n] = known_backends[i];
		n++;
	}
	pthread_mutex_unlock(&reg_mu);
	return n;
}

void lf__drv_default(char *spec, size_t len)
{
	const struct lf_backend_ops *ops[LF_DRV_MAX_BACKENDS];
	struct lf_dev_desc found[8];
	uint32_t nops = 0;

	lock_registry();
	for (int i = 0; i < LF_DRV_MAX_BACKENDS; i++)
		if (slots[i].ops)
			ops[nops++] = slots[i].ops;
	pthread_mutex_unlock(&reg_mu);
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t n = 0;

		memset(found, 0, sizeof(found));
		if (ops[i]->enumerate(found, 8, &n) != LF_OK)
			continue;
		for (uint32_t j = 0; j < n && j < 8; j++) {
			if (!found[j].is_card)
				continue;
			fill_spec(&found[j]);
			snprintf(spec, len, "%s", found[j].spec);
			return;
		}
	}
	lf__drv_clear_error();
	snprintf(spec, len, "%s", lf__emu_backend.name);
}
