/* app_conn_file: the connections file as text: read and write it atomically, parse it, and edit
 * it line by line (replace a value, move `default: true`) so comments and layout survive. */
#include "app/app_conn_file.h"
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (4u << 20)

#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"

void cf_text_free(char *t, size_t n)
{
    if (t) {
        sodium_memzero(t, n);
        free(t);
    }
}

/* Reads the whole file. 1 = it does not exist (*out = "" then), 0 ok, -1 error (printed). */
int cf_read_all(const struct app_events *ev, const char *path, char **out, size_t *len)
{
    int err = fs_read_file(path, FILE_MAX, out, len);
    if (err == ENOENT) {
        *out = calloc(1, 1);
        return *out ? 1 : -1;
    }
    if (err) {
        app_error(ev, NULL, _("cannot read %s: %s"), path, strerror(err));
        return -1;
    }
    if (*len > FILE_MAX) {
        app_error(ev, NULL, _("%s is larger than %u bytes"), path, FILE_MAX);
        cf_text_free(*out, *len);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The connections file is replaced atomically (util/fsutil.h), private. 0 or -1 (printed). */
int cf_write_atomic(const struct app_events *ev, const char *path, const char *text, size_t len)
{
    if (fs_write_atomic(path, text, len, 0600, 0) == 0)
        return 0;
    app_error(ev, _("check the folder's permissions"), "%s", ds_err_last());
    return -1;
}

/* ---- positions and line-level edits --------------------------------------------------------- */

/* Byte offset of (line, col) (1-based; col counts characters as libyaml does), or (size_t)-1. */
size_t cf_pos_offset(const char *t, size_t n, int line, int col)
{
    size_t o = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(t + o, '\n', n - o);
        if (!nl)
            return (size_t)-1;
        o = (size_t)(nl - t) + 1;
    }
    for (int c = 1; c < col; c++) {
        if (o >= n || t[o] == '\n')
            return (size_t)-1;
        o++;
        while (o < n && ((unsigned char)t[o] & 0xC0) == 0x80)
            o++;
    }
    return o;
}

/* Offset of the start of line `line` (n when past the end). */
size_t cf_line_offset(const char *t, size_t n, int line)
{
    size_t o = cf_pos_offset(t, n, line, 1);
    return o == (size_t)-1 ? n : o;
}

/* The end of the one-line scalar that starts at off: a quoted scalar up to its closing quote, a
 * plain one as long as `plain` (which must be what is written there). *quote gets '"', '\'' or 0.
 * 0, or -1 when the value is not a simple one-line scalar (block, multi-line, tag, anchor). */
int cf_scalar_span(const char *t, size_t n, size_t off, const char *plain, size_t *end, char *quote)
{
    if (off >= n)
        return -1;
    char q = t[off];
    *quote = 0;
    if (q == '"' || q == '\'') {
        for (size_t i = off + 1; i < n && t[i] != '\n'; i++) {
            if (q == '"' && t[i] == '\\') {
                i++;
                continue;
            }
            if (t[i] == q) {
                if (q == '\'' && i + 1 < n && t[i + 1] == '\'') {
                    i++;
                    continue;
                }
                *end = i + 1;
                *quote = q;
                return 0;
            }
        }
        return -1;
    }
    size_t pl = plain ? strlen(plain) : 0;
    if (!pl || strchr(plain, '\n') || off + pl > n || memcmp(t + off, plain, pl) != 0)
        return -1;
    *end = off + pl;
    return 0;
}

void cf_edits_add(struct cf_edits *e, size_t start, size_t end, char *repl)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->v = realloc(e->v, e->cap * sizeof *e->v);
        if (!e->v)
            abort();
    }
    e->v[e->n++] = (struct cf_edit){start, end, repl};
}

void cf_edits_free(struct cf_edits *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i].repl);
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int edit_cmp(const void *a, const void *b)
{
    const struct cf_edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The text with every edit applied (edits must not overlap). malloc'd, NUL-terminated. */
char *cf_edits_apply(const char *t, size_t n, struct cf_edits *e, size_t *out_len)
{
    qsort(e->v, e->n, sizeof *e->v, edit_cmp);
    size_t len = n;
    for (size_t i = 0; i < e->n; i++)
        len += strlen(e->v[i].repl) - (e->v[i].end - e->v[i].start);
    char *out = malloc(len + 1);
    if (!out)
        abort();
    size_t o = 0, from = 0;
    for (size_t i = 0; i < e->n; i++) {
        memcpy(out + o, t + from, e->v[i].start - from);
        o += e->v[i].start - from;
        size_t rl = strlen(e->v[i].repl);
        memcpy(out + o, e->v[i].repl, rl);
        o += rl;
        from = e->v[i].end;
    }
    memcpy(out + o, t + from, n - from);
    o += n - from;
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* A line that is blank or a comment starting in column 1. */
int cf_line_is_loose(const char *t, size_t n, size_t start)
{
    size_t i = start;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
        i++;
    return i >= n || t[i] == '\n' || (t[start] == '#');
}

/* The byte range of connection i's lines: from its name's line to the line before the next
 * connection's name (or the end), without trailing blank lines and column-1 comments. */
void cf_conn_extent(const struct connections *cs, size_t i, const char *t, size_t n, size_t *start,
                    size_t *end)
{
    *start = cf_line_offset(t, n, cs->items[i].line);
    size_t stop = i + 1 < cs->n ? cf_line_offset(t, n, cs->items[i + 1].line) : n;
    /* walk the lines, remembering the end of the last "content" line */
    size_t o = *start, last = *start;
    while (o < stop) {
        const char *nl = memchr(t + o, '\n', stop - o);
        size_t next = nl ? (size_t)(nl - t) + 1 : stop;
        if (o == *start || !cf_line_is_loose(t, n, o))
            last = next;
        o = next;
    }
    *end = last;
}

/* 1 when the file holds nothing but blank lines and comments. */
int cf_text_is_empty(const char *t, size_t n)
{
    size_t o = 0;
    while (o < n) {
        size_t i = o;
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
            i++;
        if (i < n && t[i] != '\n' && t[i] != '#')
            return 0;
        const char *nl = memchr(t + o, '\n', n - o);
        o = nl ? (size_t)(nl - t) + 1 : n;
    }
    return 1;
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Parses text as the connections file `path`; prints the problems. 0 or APP_USAGE. */
int cf_parse(const struct app_events *ev, const char *path, const char *text, size_t len,
             unsigned flags, struct connections **out)
{
    struct diag_list d = {0};
    int rc = connections_load_text_ex(path, text, len, flags, out, &d);
    app_diags(ev, &d);
    diag_list_clear(&d);
    return rc < 0 ? APP_USAGE : 0;
}

/* Reads and parses the file (which must exist). 0 or an exit code (printed). */
int cf_open(const struct app_events *ev, const char *path, unsigned flags, char **text, size_t *len,
            struct connections **out)
{
    *out = NULL;
    int r = cf_read_all(ev, path, text, len);
    if (r < 0)
        return APP_FAILED;
    if (r == 1) {
        app_error(ev,
                  _("add one with `deploy-stand connection add NAME --host H --user U`, or pass "
                    "--connections FILE"),
                  _("no connections file %s"), path);
        cf_text_free(*text, *len);
        *text = NULL;
        return APP_USAGE;
    }
    int rc = cf_parse(ev, path, *text, *len, flags, out);
    if (rc) {
        cf_text_free(*text, *len);
        *text = NULL;
    }
    return rc;
}

size_t cf_word_end(const char *t, size_t n, size_t off)
{
    size_t e = off;
    while (e < n && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z')))
        e++;
    return e;
}

/* Edits that make `name` the only default (name NULL: none). The connection named `skip` is left
 * alone (it is being replaced). */
int cf_default_edits(const struct app_events *ev, const char *path, const char *t, size_t n,
                     const struct connections *cs, const char *name, const char *skip,
                     struct cf_edits *e)
{
    for (size_t i = 0; i < cs->n; i++) {
        const struct connection *c = &cs->items[i];
        int want = name && strcmp(c->name, name) == 0;
        if (skip && strcmp(c->name, skip) == 0)
            continue;
        if (c->default_line) {
            if (c->is_default == want)
                continue;
            size_t off = cf_pos_offset(t, n, c->default_line, c->default_col);
            size_t end = off == (size_t)-1 ? off : cf_word_end(t, n, off);
            if (off == (size_t)-1 || end == off) {
                app_error(ev, _("write `default: true` or `default: false` on one line"),
                          _("%s:%d:%d: cannot change the default of connection '%s' in place"),
                          path, c->default_line, c->default_col, c->name);
                return -1;
            }
            cf_edits_add(e, off, end, strdup(want ? "true" : "false"));
        } else if (want) {
            size_t voff = cf_pos_offset(t, n, c->value_line, c->value_col);
            if (voff == (size_t)-1 || c->value_line == c->line || t[voff] == '{') {
                app_error(ev, _("write the connection as a block mapping (one key per line)"),
                          _("%s:%d:%d: cannot add `default: true` to connection '%s' in place"),
                          path, c->line, c->col, c->name);
                return -1;
            }
            size_t start, end;
            cf_conn_extent(cs, i, t, n, &start, &end);
            char *line = NULL;
            if (asprintf(&line, "%s%*sdefault: true\n", end > 0 && t[end - 1] != '\n' ? "\n" : "",
                         c->value_col - 1, "") < 0)
                abort();
            cf_edits_add(e, end, end, line);
        }
    }
    return 0;
}
