/* table: plain-text tables with aligned columns for the terminal.
 * Rows are kept until printing so every column gets the width of its widest cell. */
#include "ui/table.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

struct table {
    size_t ncols, nrows;
    char **cells; /* (nrows + 1) * ncols, row 0 = headers */
};

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

struct table *table_new(size_t ncols, const char *const *headers)
{
    struct table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->cells = xcalloc(ncols, sizeof *t->cells);
    for (size_t i = 0; i < ncols; i++)
        t->cells[i] = dup0(headers[i]);
    return t;
}

void table_add(struct table *t, const char *const *cells)
{
    size_t rows = t->nrows + 2;
    char **c = realloc(t->cells, rows * t->ncols * sizeof *c);
    if (!c)
        abort();
    t->cells = c;
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[(t->nrows + 1) * t->ncols + i] = dup0(cells[i]);
    t->nrows++;
}

static size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void table_print(const struct table *t, FILE *out)
{
    size_t *w = xcalloc(t->ncols, sizeof *w);
    for (size_t r = 0; r <= t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t cw = utf8_width(t->cells[r * t->ncols + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            fputs(cell, out);
            if (c + 1 < t->ncols)
                for (size_t k = utf8_width(cell); k < w[c] + 2; k++)
                    fputc(' ', out);
        }
        fputc('\n', out);
        if (r == 0) {
            for (size_t c = 0; c < t->ncols; c++) {
                for (size_t k = 0; k < w[c]; k++)
                    fputc('-', out);
                if (c + 1 < t->ncols)
                    fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
    free(w);
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}
