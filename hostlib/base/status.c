/* status.c - names and messages for lf_status, from LF_STATUS_MAP. */
#include "layerfab.h"

const char *lf_status_name(lf_status status)
{
	switch (status) {
#define LF__STATUS_NAME(name, value, msg)                                      \
	case LF_##name:                                                        \
		return "LF_" #name;
		LF_STATUS_MAP(LF__STATUS_NAME)
#undef LF__STATUS_NAME
	}
	return "LF_ERR_UNKNOWN";
}

const char *lf_status_str(lf_status status)
{
	switch (status) {
#define LF__STATUS_STR(name, value, msg)                                       \
	case LF_##name:                                                        \
		return msg;
		LF_STATUS_MAP(LF__STATUS_STR)
#undef LF__STATUS_STR
	}
	return "unknown status";
}
