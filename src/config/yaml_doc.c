/* yaml_doc: loads one YAML document into a tree whose nodes keep their line:col (composed by
 * yaml_compose.c) and offers typed getters that turn type mistakes into diagnostics. */
#include "config/yaml_doc.h"
#include "util/xalloc.h"
#include "config/yaml_compose.h"
#include "util/fsutil.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ydoc_load_text(const char *display_name, const char *text, size_t len, struct ydoc **out,
                   struct diag_list *diags)
{
    *out = NULL;
    const char *file = display_name ? display_name : "<input>";
    struct ydoc_node *root = NULL;
    if (ydoc_compose(file, text, len, diags, &root) < 0)
        return -1;
    struct ydoc *d = xcalloc(1, sizeof *d);
    d->file = xstrdup(file);
    d->root = root;
    *out = d;
    return 0;
}

int ydoc_load_file(const char *path, struct ydoc **out, struct diag_list *diags)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    /* one byte past the limit is read, so ydoc_load_text reports where the limit is crossed */
    int err = fs_read_file(path, YDOC_MAX_FILE, &buf, &len);
    if (err) {
        diag_add(diags, path, 0, 0, _("check the path"), _("cannot open the file: %s"),
                 fs_strerror(err));
        return -1;
    }
    int rc = ydoc_load_text(path, buf, len, out, diags);
    free(buf);
    return rc;
}

int ydoc_load_typed(const struct ydoc_doctype *t, const char *path, const char *text, size_t len,
                    const void *arg, void **out, struct diag_list *diags)
{
    *out = NULL;
    size_t before = diags->n;
    struct ydoc *d;
    int rc = text ? ydoc_load_text(path, text, len, &d, diags) : ydoc_load_file(path, &d, diags);
    if (rc < 0)
        return -1;
    void *obj = xcalloc(1, t->size);
    t->build(d, d->file, obj, arg, diags);
    ydoc_free(d);
    if (diags->n > before) {
        t->free(obj);
        return -1;
    }
    *out = obj;
    return 0;
}

const struct ydoc_node *ydoc_want_list(const struct ydoc *d, const struct ydoc_node *map,
                                       const char *key, const char *add_hint,
                                       const char *items_hint, struct diag_list *diags)
{
    const struct ydoc_node *key_node;
    const struct ydoc_node *v = ydoc_get(map, key, &key_node);
    if (!v) {
        ydoc_report(d, map, diags, add_hint, _("the file has no '%s'"), key);
        return NULL;
    }
    if (v->kind != YDOC_SEQUENCE || v->n_items == 0) {
        ydoc_report(d, ydoc_is_null(v) ? key_node : v, diags, items_hint,
                    _("'%s' must be a non-empty list, got %s"), key,
                    v->kind == YDOC_SEQUENCE ? _("an empty list") : ydoc_describe(v));
        return NULL;
    }
    return v;
}

void ydoc_free(struct ydoc *d)
{
    if (!d)
        return;
    ydoc_node_free(d->root);
    free(d->file);
    free(d);
}

const struct ydoc_node *ydoc_get(const struct ydoc_node *map, const char *key,
                                 const struct ydoc_node **key_node)
{
    if (key_node)
        *key_node = NULL;
    if (!map || map->kind != YDOC_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->n_pairs; i++) {
        if (strcmp(map->pairs[i].key->text, key) == 0) {
            if (key_node)
                *key_node = map->pairs[i].key;
            return map->pairs[i].value;
        }
    }
    return NULL;
}

const char *ydoc_describe(const struct ydoc_node *n)
{
    if (!n)
        return _("nothing");
    switch (n->kind) {
    case YDOC_MAPPING:
        return _("a mapping");
    case YDOC_SEQUENCE:
        return _("a list");
    case YDOC_SCALAR:
        break;
    }
    switch (n->type) {
    case YDOC_T_NULL:
        return _("nothing (null)");
    case YDOC_T_BOOL:
        return _("true/false");
    case YDOC_T_INT:
        return _("an integer");
    case YDOC_T_FLOAT:
        return _("a number");
    case YDOC_T_STR:
        break;
    }
    return _("a string");
}

bool ydoc_is_null(const struct ydoc_node *n)
{
    return !n || (n->kind == YDOC_SCALAR && n->type == YDOC_T_NULL);
}

void ydoc_report(const struct ydoc *d, const struct ydoc_node *n, struct diag_list *diags,
                 const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ydoc_diag_vadd(diags, d->file, n ? n->line : 1, n ? n->col : 1, hint, fmt, ap);
    va_end(ap);
}

/* Edit distance, capped: enough to suggest 'machines' for 'machine'. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

size_t ydoc_check_keys(const struct ydoc *d, const struct ydoc_node *map, const char *const *known,
                       const char *const *ignored, const char *where, struct diag_list *diags)
{
    if (!map || map->kind != YDOC_MAPPING)
        return 0;
    char hint[512];
    size_t used = (size_t)snprintf(hint, sizeof hint, "%s", _("known keys: "));
    for (size_t i = 0; known[i] && used < sizeof hint; i++)
        used += (size_t)snprintf(hint + used, sizeof hint - used, "%s%s", i ? ", " : "", known[i]);
    size_t bad = 0;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const struct ydoc_node *k = map->pairs[i].key;
        if (ydoc_text_is(k->text, known) || (ignored && ydoc_text_is(k->text, ignored)))
            continue;
        const char *close = NULL;
        for (size_t j = 0; known[j] && !close; j++)
            if (edit_distance(k->text, known[j]) <= 2)
                close = known[j];
        if (close) {
            char better[640];
            snprintf(better, sizeof better, _("did you mean '%s'? %s"), close, hint);
            ydoc_report(d, k, diags, better, _("unknown key '%s' in %s"), k->text, where);
        } else {
            ydoc_report(d, k, diags, hint, _("unknown key '%s' in %s"), k->text, where);
        }
        bad++;
    }
    return bad;
}

int ydoc_want_str(const struct ydoc *d, const struct ydoc_node *n, const char *field,
                  const char **out, struct diag_list *diags)
{
    if (n && n->kind == YDOC_SCALAR &&
        (n->type == YDOC_T_STR || n->type == YDOC_T_INT || n->type == YDOC_T_FLOAT)) {
        *out = n->text;
        return 0;
    }
    if (ydoc_is_null(n))
        ydoc_report(d, n, diags, _("write a value after the colon"), _("'%s' is empty"), field);
    else if (n->kind == YDOC_SCALAR && n->type == YDOC_T_BOOL)
        ydoc_report(d, n, diags, _("put the value in quotes"),
                    _("'%s' must be a string, got true/false"), field);
    else
        ydoc_report(d, n, diags, _("write a single value"), _("'%s' must be a string, got %s"),
                    field, ydoc_describe(n));
    return -1;
}

int ydoc_want_int(const struct ydoc *d, const struct ydoc_node *n, const char *field, long long min,
                  long long max, long long *out, struct diag_list *diags)
{
    if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_INT) {
        errno = 0;
        long long v = strtoll(n->text, NULL, 10);
        if (errno == 0 && v >= min && v <= max) {
            *out = v;
            return 0;
        }
        char hint[96];
        snprintf(hint, sizeof hint, _("use a value from %lld to %lld"), min, max);
        ydoc_report(d, n, diags, hint, _("'%s' must be between %lld and %lld, got %s"), field, min,
                    max, n->text);
        return -1;
    }
    if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_STR && ydoc_text_is_int(n->text))
        ydoc_report(d, n, diags, _("remove the quotes"),
                    _("'%s' must be an integer, got a string \"%s\""), field, n->text);
    else if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_STR && n->len <= 64)
        ydoc_report(d, n, diags, _("write a whole number"), _("'%s' must be an integer, got '%s'"),
                    field, n->text);
    else
        ydoc_report(d, n, diags, _("write a whole number"), _("'%s' must be an integer, got %s"),
                    field, ydoc_describe(n));
    return -1;
}

int ydoc_want_bool(const struct ydoc *d, const struct ydoc_node *n, const char *field, int *out,
                   struct diag_list *diags)
{
    static const char *const yaml11[] = {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
                                         "off", "Off", "OFF", "y",  "Y",  "n",  "N",  NULL};
    if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_BOOL) {
        *out = n->text[0] == 't' || n->text[0] == 'T';
        return 0;
    }
    if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_STR && ydoc_text_is(n->text, yaml11))
        ydoc_report(d, n, diags, _("write true or false (yes/no/on/off are not accepted)"),
                    _("'%s' must be true or false, got '%s'"), field, n->text);
    else if (n && n->kind == YDOC_SCALAR && n->type == YDOC_T_STR &&
             ydoc_resolve_plain(n->text) == YDOC_T_BOOL)
        ydoc_report(d, n, diags, _("remove the quotes"),
                    _("'%s' must be true or false, got a string \"%s\""), field, n->text);
    else
        ydoc_report(d, n, diags, _("write true or false"), _("'%s' must be true or false, got %s"),
                    field, ydoc_describe(n));
    return -1;
}
