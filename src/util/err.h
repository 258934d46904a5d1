/* err: the thread-local "last error" text that failing functions leave behind (libgit2 style).
 * Functions return 0 or a negative code; the caller reads ds_err_last() for the detail. */
#ifndef DS_ERR_H
#define DS_ERR_H

#include <stdarg.h>

/* Sets the calling thread's last error (printf-style). Always returns -1 so that
 * `return ds_err_set(...)` reads naturally. */
int ds_err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ds_err_vset(const char *fmt, va_list ap);

/* Prefixes the current last error: "prefix: <old error>". Returns -1. */
int ds_err_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The calling thread's last error; "" when none. The string belongs to the thread
 * and stays valid until the next ds_err_* call on that thread. */
const char *ds_err_last(void);

void ds_err_clear(void);

#endif
