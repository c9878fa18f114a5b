/*
 * model_api_stub.c - TEMPORARY: weak stand-ins for the Models section of
 * layerfab.h while hostlib/model and hostlib/exec implement it.
 *
 * Built into its own archive, linked after liblayerfab.a: the linker takes
 * every lf_model_* / lf_run_profile_* the library defines from the
 * library, and only a missing one from here, so the CLI and the demo link
 * and say clearly that the model runner is not built yet. A library
 * definition always wins over these weak ones. Delete this folder (and
 * its rule in hostlib/cli/module.mk) once the model API is complete.
 */
#include <stddef.h>

#include "hostlib/core/context.h"
#include "hostlib/core/error.h"
#include "layerfab.h"

#define WEAK __attribute__((weak))
#define MSG  "the model runner (lf_model_*) is not in this build yet"

/* The declarations are layerfab.h's; these need none of their own. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

WEAK lf_status lf_model_load(lf_context *ctx, const char *path, lf_model **out)
{
	(void)path;
	(void)out;
	return lf__err(ctx ? ctx->id : 0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK lf_status lf_model_load_memory(lf_context *ctx, const void *data,
				    size_t size, const char *base_dir,
				    lf_model **out)
{
	(void)data;
	(void)size;
	(void)base_dir;
	(void)out;
	return lf__err(ctx ? ctx->id : 0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK lf_status lf_model_destroy(lf_model *m)
{
	(void)m;
	return LF_OK;
}

WEAK size_t lf_model_input_count(const lf_model *m)
{
	(void)m;
	return 0;
}

WEAK size_t lf_model_output_count(const lf_model *m)
{
	(void)m;
	return 0;
}

WEAK lf_status lf_model_input_info(const lf_model *m, size_t i,
				   struct lf_tensor_info *info)
{
	(void)m;
	(void)i;
	(void)info;
	return lf__err(0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK lf_status lf_model_output_info(const lf_model *m, size_t i,
				    struct lf_tensor_info *info)
{
	(void)m;
	(void)i;
	(void)info;
	return lf__err(0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK lf_status lf_model_run(lf_model *m, lf_tensor *const *inputs,
			    size_t ninputs, lf_tensor **outputs,
			    size_t noutputs, lf_run_profile *prof)
{
	(void)m;
	(void)inputs;
	(void)ninputs;
	(void)outputs;
	(void)noutputs;
	(void)prof;
	return lf__err(0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK lf_status lf_run_profile_create(lf_run_profile **out)
{
	(void)out;
	return lf__err(0, LF_ERR_UNSUPPORTED, MSG);
}

WEAK void lf_run_profile_destroy(lf_run_profile *p)
{
	(void)p;
}

WEAK size_t lf_run_profile_count(const lf_run_profile *p)
{
	(void)p;
	return 0;
}

WEAK lf_status lf_run_profile_get(const lf_run_profile *p, size_t i,
				  struct lf_layer_profile *rec)
{
	(void)p;
	(void)i;
	(void)rec;
	return LF_ERR_RANGE;
}

WEAK lf_status lf_run_profile_write_trace(const lf_run_profile *p,
					  const char *path)
{
	(void)p;
	(void)path;
	return lf__err(0, LF_ERR_UNSUPPORTED, MSG);
}
