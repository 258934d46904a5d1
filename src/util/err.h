/* err: the thread-local "last error" text that failing functions leave behind (libgit2 style).
 * Functions return 0 or a negative code; the caller reads ds_err_last() for the detail. */
/* Besides the text, the last error may carry a class: a small integer that says what kind of
 * failure it was, so that callers decide without reading the text. The layer that sets it gives
 * the values their meaning (the PVE client: enum pve_err_class in pve/pve_error.h, read with
 * pve_err_last()). ds_err_set/ds_err_vset/ds_err_clear reset the class to 0 ("none"): a new error
 * never inherits an old class. ds_err_wrap keeps it: a prefix does not change what failed.
 * Nothing here is allocated: text and class live in thread-local storage; nothing to free. */
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

/* Sets the class of the calling thread's last error (after ds_err_set, which resets it). Always
 * returns -1, like ds_err_set. */
int ds_err_set_class(int cls);

/* The class of the calling thread's last error; 0 when none was set. */
int ds_err_class(void);

#endif
