/* event.h - the context's async worker (event.c). */
#ifndef LF_CORE_EVENT_H
#define LF_CORE_EVENT_H

#include "layerfab.h"

/* Stop and join the worker; the caller made sure no event is alive. */
void lf__worker_stop(lf_context *ctx);

#endif /* LF_CORE_EVENT_H */
