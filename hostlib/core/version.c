/* version.c - lf_version(): the version this library was built as. */
#include "layerfab.h"

const char *lf_version(void)
{
	return LF_VERSION_STRING;
}
