/*
 * options.h - struct lf_options (options.c) and the text forms that the
 * LAYERFAB_* variables and lf_options_set() share.
 */
#ifndef LF_CORE_OPTIONS_H
#define LF_CORE_OPTIONS_H

#include <stdint.h>

#include "layerfab.h"

/* Most threads lf_options_set_cpu_threads() allows. */
#define LF__MAX_CPU_THREADS 64

struct lf_options {
	int fallback;	      /* -1 unset, else 0 / 1 */
	unsigned timeout_ms;  /* 0 unset */
	unsigned cpu_threads; /* 0 unset */
	int trust_xclbin;     /* -1 unset, else 0 / 1 */
	uint64_t mem_limit;   /* 0: none */
};

/* "on/1/yes/true" -> 1, "off/0/no/false" -> 0, anything else -1. */
int lf__onoff(const char *v);

#endif /* LF_CORE_OPTIONS_H */
