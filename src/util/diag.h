/* diag: located diagnostics for user files, printed as "file:line:col: what is wrong; what to do".
 * Config loaders append to a diag_list; the CLI prints them all and exits 2. */
#ifndef DS_DIAG_H
#define DS_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
    char *file; /* owned */
    int line;   /* 1-based; 0 when the whole file is meant */
    int col;    /* 1-based; 0 when unknown */
    char *what; /* owned: what is wrong */
    char *hint; /* owned, may be NULL: what to do */
};

struct diag_list {
    struct diag *items; /* owned array */
    size_t n, cap;
};

/* Appends a diagnostic; `hint` may be NULL. Strings are copied. */
void diag_add(struct diag_list *l, const char *file, int line, int col, const char *hint,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Prints every diagnostic, one per line: "file:line:col: what; hint". */
void diag_print(const struct diag_list *l, FILE *out);

/* Frees the items (not the list struct itself, which is usually on the stack). */
void diag_list_clear(struct diag_list *l);

#endif
