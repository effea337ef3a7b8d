/* Error codes plus a caller-owned message buffer (as libuv and jansson do). */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void scenmc_error_clear(scenmc_error *err)
{
    if (!err)
        return;
    err->code = SCENMC_OK;
    err->n_problems = 0;
    err->msg[0] = '\0';
}

scenmc_status scenmc_error_add(scenmc_error *err, scenmc_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    if (err->code == SCENMC_OK)
        err->code = code;
    err->n_problems++;
    size_t used = strlen(err->msg);
    /* Keep room for a final "... and more" line once the buffer is nearly full. */
    const size_t reserve = 64;
    if (used + reserve >= sizeof err->msg) {
        return code;
    }
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t room = sizeof err->msg - used - reserve;
    if (strlen(line) + 1 > room) {
        snprintf(err->msg + used, sizeof err->msg - used, "%s(further problems not shown)",
                 used ? "\n" : "");
        return code;
    }
    snprintf(err->msg + used, sizeof err->msg - used, "%s%s", used ? "\n" : "", line);
    return code;
}

const char *scenmc_status_name(scenmc_status s)
{
    switch (s) {
    case SCENMC_OK: return "ok";
    case SCENMC_E_INPUT: return "invalid input";
    case SCENMC_E_IO: return "input/output error";
    case SCENMC_E_NOMEM: return "out of memory";
    case SCENMC_E_LIMIT: return "limit exceeded";
    case SCENMC_E_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
