/* diag: located diagnostics for user files.
 * Collected rather than printed at once so a file with several mistakes reports them all. */
#include "util/diag.h"
#include "util/xalloc.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diag_list *l, const char *file, int line, int col, const char *hint,
              const char *fmt, ...)
{
    void *items = l->items;
    xgrow(&items, &l->cap, l->n, sizeof *l->items);
    l->items = items;
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    struct diag *d = &l->items[l->n++];
    d->file = xstrdup(file ? file : "<input>");
    d->line = line;
    d->col = col;
    d->what = strdup(what);
    d->hint = xstrdup(hint);
}

void diag_print(const struct diag_list *l, FILE *out)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct diag *d = &l->items[i];
        fprintf(out, "%s", d->file);
        if (d->line > 0)
            fprintf(out, ":%d", d->line);
        if (d->col > 0)
            fprintf(out, ":%d", d->col);
        fprintf(out, ": %s", d->what);
        if (d->hint)
            fprintf(out, "; %s", d->hint);
        fputc('\n', out);
    }
}

void diag_list_clear(struct diag_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].what);
        free(l->items[i].hint);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}
