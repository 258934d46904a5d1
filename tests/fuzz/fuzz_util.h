/* fuzz_util: shared checks for the libFuzzer targets: a loader's result must agree with its
 * diagnostics, every diagnostic must be located and printable; violations abort (a finding). */
#ifndef DS_FUZZ_UTIL_H
#define DS_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* rc 0 <=> an object was returned <=> no diagnostic; every diagnostic names the file, has a
 * position (line 0 only for whole-file problems) and a message; printing them works. */
static inline void fuzz_check_result(int rc, int have_object, const struct diag_list *diags)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK((rc == 0) == (have_object != 0));
    if (rc < 0)
        FUZZ_CHECK(diags->n > 0);
    else
        FUZZ_CHECK(diags->n == 0);
    for (size_t i = 0; i < diags->n; i++) {
        const struct diag *d = &diags->items[i];
        FUZZ_CHECK(d->file && strcmp(d->file, "fuzz.yml") == 0);
        FUZZ_CHECK(d->line >= 1 && d->col >= 1);
        FUZZ_CHECK(d->what && d->what[0]);
    }
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (sink)
        diag_print(diags, sink);
}

#endif
