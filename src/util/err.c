/* err: the thread-local "last error" text (and class) that failing functions leave behind.
 * A fixed buffer per thread: nothing to free, safe under the parallel executor. */
#include "util/err.h"
#include <stdio.h>
#include <string.h>

static _Thread_local char err_buf[2048];
static _Thread_local int err_class;

int ds_err_vset(const char *fmt, va_list ap)
{
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    err_class = 0;
    return -1;
}

int ds_err_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ds_err_vset(fmt, ap);
    va_end(ap);
    return -1;
}

int ds_err_wrap(const char *fmt, ...)
{
    char old[sizeof err_buf];
    char prefix[sizeof err_buf];
    va_list ap;
    memcpy(old, err_buf, sizeof old);
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* truncation of an over-long message is intended; the result is checked to say so */
    int n = old[0] ? snprintf(err_buf, sizeof err_buf, "%s: %s", prefix, old)
                   : snprintf(err_buf, sizeof err_buf, "%s", prefix);
    if (n < 0)
        err_buf[0] = '\0';
    return -1;
}

const char *ds_err_last(void)
{
    return err_buf;
}

void ds_err_clear(void)
{
    err_buf[0] = '\0';
    err_class = 0;
}

int ds_err_set_class(int cls)
{
    err_class = cls;
    return -1;
}

int ds_err_class(void)
{
    return err_class;
}
