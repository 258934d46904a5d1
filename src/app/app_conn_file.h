/* app_conn_file: the connections file as text: read and write it atomically, parse it, and edit
 * it line by line, so that the teacher's comments and layout survive every change. */
#ifndef DS_APP_CONN_FILE_H
#define DS_APP_CONN_FILE_H

#include <stddef.h>

#include "app/app_events.h"
#include "config/connections.h"

/* Replacements of byte ranges, applied at once (sorted by start). */
struct cf_edit {
    size_t start, end; /* replaced bytes [start, end) */
    char *repl;        /* owned */
};
struct cf_edits {
    struct cf_edit *v; /* owned */
    size_t n, cap;
};

/* Wipes (the file may hold plaintext secrets) and frees t. */
void cf_text_free(char *t, size_t n);
/* Reads the whole file: 1 = it does not exist (*out = "" then), 0 ok, -1 error (reported).
 * *out is malloc'd: free with cf_text_free. */
int cf_read_all(const struct app_events *ev, const char *path, char **out, size_t *len);
/* Writes the file atomically with mode 0600. 0 or -1 (reported). */
int cf_write_atomic(const struct app_events *ev, const char *path, const char *text, size_t len);
/* Byte offset of (line, col), 1-based; (size_t)-1 when out of range. */
size_t cf_pos_offset(const char *t, size_t n, int line, int col);
/* Byte offset of the start of a 1-based line (n when past the end). */
size_t cf_line_offset(const char *t, size_t n, int line);
/* The one-line scalar at off whose value is plain: *end after it, *quote its quote ('\0' none).
 * 0 or -1. */
int cf_scalar_span(const char *t, size_t n, size_t off, const char *plain, size_t *end,
                   char *quote);
/* Adds an edit; takes repl (malloc'd). */
void cf_edits_add(struct cf_edits *e, size_t start, size_t end, char *repl);
void cf_edits_free(struct cf_edits *e);
/* The text with every edit applied (malloc'd, free with cf_text_free); sorts e. */
char *cf_edits_apply(const char *t, size_t n, struct cf_edits *e, size_t *out_len);
/* 1 when the line at start is blank or a comment in column 1. */
int cf_line_is_loose(const char *t, size_t n, size_t start);
/* The byte range of connection i in the file text. */
void cf_conn_extent(const struct connections *cs, size_t i, const char *t, size_t n, size_t *start,
                    size_t *end);
/* 1 when the file holds nothing but blank lines and comments. */
int cf_text_is_empty(const char *t, size_t n);
/* Parses text as the connections file `path`; reports the problems. 0 or APP_USAGE. */
int cf_parse(const struct app_events *ev, const char *path, const char *text, size_t len,
             unsigned flags, struct connections **out);
/* Reads and parses the file (which must exist): 0 with *text (cf_text_free) and *out
 * (connections_free), or an exit code (reported). */
int cf_open(const struct app_events *ev, const char *path, unsigned flags, char **text, size_t *len,
            struct connections **out);
/* The end of the word (letters) at off. */
size_t cf_word_end(const char *t, size_t n, size_t off);
/* Edits that make `name` the only `default: true` (name NULL: none); the connection `skip` is left
 * alone (it is being replaced). 0 or -1 (reported). */
int cf_default_edits(const struct app_events *ev, const char *path, const char *t, size_t n,
                     const struct connections *cs, const char *name, const char *skip,
                     struct cf_edits *e);

#endif
