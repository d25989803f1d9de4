/* error.c -- filling ipsim_error; see error.h. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int ipsim_error_set(ipsim_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int ipsim_error_exit_status(int code)
{
    if (code == IPSIM_OK)
        return 0;
    return code == IPSIM_EINPUT ? 2 : 1;
}
