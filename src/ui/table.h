/* table: plain-text tables with aligned columns for the terminal.
 * Cells are copied; widths count UTF-8 characters, not bytes. */
#ifndef DS_TABLE_H
#define DS_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/* A table with `ncols` columns and these headers (copied). Free with table_free. */
struct table *table_new(size_t ncols, const char *const *headers);
/* Adds a row of ncols cells (copied; NULL prints as empty). */
void table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
