/* xalloc: the allocation wrappers every layer uses: they abort on out-of-memory (a CLI tool
 * cannot go on without memory), so callers never check for NULL. */
#ifndef DS_XALLOC_H
#define DS_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* calloc of n items of sz bytes (at least one item); never NULL. Free with free(). */
void *xcalloc(size_t n, size_t sz);
/* realloc to n items of sz bytes, aborting on overflow or out-of-memory; never NULL. */
void *xreallocarray(void *p, size_t n, size_t sz);
/* Grows *items (of sz bytes each, *cap allocated) so that one more item fits at index n:
 * doubles the capacity (first 8). The new room is not zeroed. */
void xgrow(void **items, size_t *cap, size_t n, size_t sz);
/* strdup; NULL stays NULL. Free with free(). */
char *xstrdup(const char *s);
/* A formatted string (vasprintf); never NULL. Free with free(). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Frees each of the pointers given (any may be NULL): DS_FREE_ALL(vm->node, vm->name). */
#define DS_FREE_ALL(...)                                                                           \
    xfree_all((void *[]){__VA_ARGS__}, sizeof((void *[]){__VA_ARGS__}) / sizeof(void *))
void xfree_all(void *const *ptrs, size_t n);

#endif
