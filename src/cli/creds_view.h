/* creds_view: the students' credentials as the terminal front-end writes them (a table, CSV, JSON
 * or the printable HTML hand-out), to a stream or atomically to a private file; for `creds` and
 * the menu. */
#ifndef DS_CREDS_VIEW_H
#define DS_CREDS_VIEW_H

#include <stdio.h>

#include "ui/handout.h"

enum creds_format { CREDS_TABLE, CREDS_CSV, CREDS_JSON, CREDS_HTML };

/* The names of enum creds_format in its order ("table", "csv", "json", "html"), NULL-terminated
 * (static; the --format choices). */
extern const char *const creds_formats[];

/* Writes the sheet (only read) in format f to out. 0, or -1 with ds_err when writing failed. */
int creds_view_write(const struct cred_sheet *sh, enum creds_format f, FILE *out);

/* Writes the sheet to `path`: created with mode 0600, replaced atomically (util/fsutil.h). 0, or
 * -1 with ds_err (then the file is unchanged). */
int creds_view_file(const struct cred_sheet *sh, enum creds_format f, const char *path);

#endif
