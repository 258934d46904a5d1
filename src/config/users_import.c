/* users_import: reads class lists typed or exported by teachers (text, CSV from a spreadsheet),
 * reporting every bad line at once, and writes them back as users_list.yml. */
#include "config/users_import.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/users.h"
#include "config/yaml_doc.h"
#include "pve_format.h"
#include "util/fsutil.h"
#include "util/i18n.h"

#define IMPORT_MAX (4u << 20)

static const char *const header_words[] = {"user",    "users", "login",        "username",
                                           "userid",  "name",  "id",           "user id",
                                           "user_id", "логин", "пользователь", NULL};

void users_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

char *users_id_normalize(const char *raw, char *msg, size_t msglen)
{
    while (is_blank(*raw))
        raw++;
    size_t len = strlen(raw);
    while (len && is_blank(raw[len - 1]))
        len--;
    char *id = NULL;
    if (len == 0) {
        snprintf(msg, msglen, "%s", _("the user id is empty"));
        return NULL;
    }
    if (memchr(raw, '@', len)) {
        id = strndup(raw, len);
    } else if (asprintf(&id, "%.*s@pve", (int)len, raw) < 0) {
        id = NULL;
    }
    if (!id)
        abort();
    if (!pve_is_userid(id)) {
        snprintf(msg, msglen, _("'%s' is not a valid Proxmox user id (name@realm)"), id);
        free(id);
        return NULL;
    }
    size_t pool_len = (size_t)(strrchr(id, '@') - id);
    char *pool = strndup(id, pool_len);
    if (!pool)
        abort();
    int pool_ok = !strchr(pool, '/') && pve_is_poolid(pool);
    free(pool);
    if (!pool_ok) {
        snprintf(msg, msglen,
                 _("the part of '%s' before '@' cannot be a pool name: use only letters, digits, "
                   "'.', '-' and '_'"),
                 id);
        free(id);
        return NULL;
    }
    return id;
}

static int pool_equal(const char *a, const char *b)
{
    size_t la = (size_t)(strrchr(a, '@') - a), lb = (size_t)(strrchr(b, '@') - b);
    return la == lb && strncasecmp(a, b, la) == 0;
}

static int header_word(const char *field)
{
    for (size_t i = 0; header_words[i]; i++)
        if (strcasecmp(field, header_words[i]) == 0)
            return 1;
    return 0;
}

/* The first column of a line: up to ',', ';' or TAB, blanks trimmed, quotes removed. *col gets
 * its 1-based byte column. malloc'd. */
static char *first_field(const char *line, size_t len, int *col)
{
    size_t i = 0;
    while (i < len && is_blank(line[i]))
        i++;
    *col = (int)i + 1;
    size_t end;
    char *f;
    if (i < len && line[i] == '"') {
        /* "a""b" -> a"b, up to the closing quote */
        f = malloc(len - i + 1);
        if (!f)
            abort();
        size_t o = 0;
        for (end = i + 1; end < len; end++) {
            if (line[end] == '"') {
                if (end + 1 < len && line[end + 1] == '"') {
                    f[o++] = '"';
                    end++;
                    continue;
                }
                break;
            }
            f[o++] = line[end];
        }
        f[o] = '\0';
        /* trim the blanks inside the quotes too */
        size_t s = 0;
        while (f[s] && is_blank(f[s]))
            s++;
        memmove(f, f + s, o - s + 1);
        o -= s;
        while (o && is_blank(f[o - 1]))
            f[--o] = '\0';
        return f;
    }
    for (end = i; end < len && line[end] != ',' && line[end] != ';' && line[end] != '\t'; end++)
        ;
    while (end > i && is_blank(line[end - 1]))
        end--;
    f = strndup(line + i, end - i);
    if (!f)
        abort();
    return f;
}

/* The ids taken so far, with the line each came from. */
struct id_list {
    char **ids;
    int *lines;
    size_t n, cap;
};

/* Reports at lineno:col when id repeats an id of l or would share its pool; 1 then, else 0. */
static int id_list_clash(const struct id_list *l, const char *id, const char *file, int lineno,
                         int col, struct diag_list *diags)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcasecmp(l->ids[i], id) == 0) {
            diag_add(diags, file, lineno, col, _("remove the duplicate"),
                     _("user '%s' is listed twice (first at line %d)"), id, l->lines[i]);
            return 1;
        } else if (pool_equal(l->ids[i], id)) {
            diag_add(diags, file, lineno, col, _("rename one of them"),
                     _("'%s' and '%s' (line %d) would share one pool"), id, l->ids[i], l->lines[i]);
            return 1;
        }
    }
    return 0;
}

/* Appends id (taken) from line lineno. */
static void id_list_add(struct id_list *l, char *id, int lineno)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        char **g1 = realloc(l->ids, l->cap * sizeof *g1);
        int *g2 = realloc(l->lines, l->cap * sizeof *g2);
        if (!g1 || !g2)
            abort();
        l->ids = g1;
        l->lines = g2;
    }
    l->lines[l->n] = lineno;
    l->ids[l->n++] = id;
}

/* One line of the list (without its '\n'): blank lines, comments and a header on the first line
 * with data are skipped; the user id of its first field goes into l or a diagnostic. */
static void import_line(const char *file, const char *line, size_t ll, int lineno, int *seen_data,
                        struct id_list *l, struct diag_list *diags)
{
    if (ll && line[ll - 1] == '\r')
        ll--;
    size_t s = 0;
    while (s < ll && is_blank(line[s]))
        s++;
    if (s == ll || line[s] == '#')
        return;
    int col;
    char *field = first_field(line, ll, &col);
    int first = !*seen_data;
    *seen_data = 1;
    if (first && header_word(field)) {
        free(field);
        return;
    }
    char msg[512];
    char *id = users_id_normalize(field, msg, sizeof msg);
    free(field);
    if (!id) {
        diag_add(diags, file, lineno, col,
                 _("write one user per line as name or name@realm, e.g. student1@pve"), "%s", msg);
        return;
    }
    if (id_list_clash(l, id, file, lineno, col, diags)) {
        free(id);
        return;
    }
    id_list_add(l, id, lineno);
}

int users_import_text(const char *display_name, const char *text, size_t len, char ***ids,
                      size_t *n, struct diag_list *diags)
{
    *ids = NULL;
    *n = 0;
    size_t before = diags->n;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (memchr(text, '\0', len)) {
        diag_add(diags, display_name, 0, 0, _("save the list as plain text or CSV"), "%s",
                 _("the file holds NUL bytes: it is not a text file"));
        return -1;
    }
    struct id_list l = {0};
    int lineno = 0, seen_data = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;
        import_line(display_name, line, ll, lineno, &seen_data, &l, diags);
    }
    free(l.lines);
    if (diags->n == before && l.n == 0)
        diag_add(diags, display_name, 0, 0,
                 _("write one user per line, e.g. student1@pve; lines starting with '#' are "
                   "comments"),
                 "%s", _("the file lists no users"));
    if (diags->n > before) {
        users_ids_free(l.ids, l.n);
        return -1;
    }
    *ids = l.ids;
    *n = l.n;
    return 0;
}

int users_import_file(const char *path, char ***ids, size_t *n, struct diag_list *diags)
{
    *ids = NULL;
    *n = 0;
    char *buf = NULL;
    size_t len = 0;
    int err = fs_read_file(path, IMPORT_MAX, &buf, &len);
    int rc = -1;
    if (err)
        diag_add(diags, path, 0, 0, _("check the file name"), _("cannot open the file: %s"),
                 fs_strerror(err));
    else if (len > IMPORT_MAX)
        diag_add(diags, path, 0, 0, _("split the list into smaller files"), "%s",
                 _("the file is larger than 4 MiB"));
    else
        rc = users_import_text(path, buf, len, ids, n, diags);
    free(buf);
    return rc;
}

/* A plain YAML scalar is safe for ids made only of these characters. */
static int plain_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_' || *s == '@'))
            return 0;
    return 1;
}

char *users_yaml(char *const *ids, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    if (n == 0)
        fputs("users: []\n", f);
    else
        fputs("users:\n", f);
    for (size_t i = 0; i < n; i++) {
        if (plain_ok(ids[i]) && ids[i][0] != '-' && ids[i][0] != '.') {
            fprintf(f, "  - %s\n", ids[i]);
            continue;
        }
        fputs("  - \"", f);
        for (const char *p = ids[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                fputc('\\', f);
            fputc(*p, f);
        }
        fputs("\"\n", f);
    }
    fclose(f);
    return buf;
}

int users_yaml_read(const char *display_name, const char *text, size_t len, char ***ids, size_t *n,
                    struct diag_list *diags)
{
    *ids = NULL;
    *n = 0;
    struct ydoc *d = NULL;
    size_t before = diags->n;
    if (ydoc_load_text(display_name, text, len, &d, diags) < 0)
        return -1;
    const struct ydoc_node *root = d->root, *list = NULL;
    if (root && root->kind == YDOC_MAPPING)
        list = ydoc_get(root, "users", NULL);
    int empty = diags->n == before &&
                (ydoc_is_null(root) ||
                 (root->kind == YDOC_MAPPING && root->n_pairs == 1 && list &&
                  (ydoc_is_null(list) || (list->kind == YDOC_SEQUENCE && list->n_items == 0))));
    ydoc_free(d);
    if (empty)
        return 0;
    struct users_list *u = NULL;
    if (users_load_text(display_name, text, len, &u, diags) < 0)
        return -1;
    char **out = calloc(u->n ? u->n : 1, sizeof *out);
    if (!out)
        abort();
    for (size_t i = 0; i < u->n; i++) {
        out[i] = xstrdup(u->users[i].userid);
    }
    *ids = out;
    *n = u->n;
    users_free(u);
    return 0;
}
