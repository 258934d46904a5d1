/* library: the saved configs and class lists under $XDG_CONFIG_HOME/deploy-stand/{configs,lists}:
 * name checks, sorted listing, and atomic private writes that never clobber on copy or rename. */
#include "config/library.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/stand.h"
#include "config/yaml_doc.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"
#include "util/xalloc.h"
#include "util/xdg.h"

#define LIB_NAME_MAX 64
#define LIB_FILE_MAX (4u << 20)

static const char *kind_dir(enum lib_kind k)
{
    return k == LIB_CONFIG ? "configs" : "lists";
}

int lib_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > LIB_NAME_MAX || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

/* malloc'd folder of the kind (not created). */
static char *lib_dir(enum lib_kind k)
{
    char *base = xdg_config_dir();
    if (!base)
        return NULL;
    char *dir = NULL;
    if (asprintf(&dir, "%s/%s", base, kind_dir(k)) < 0)
        dir = NULL;
    free(base);
    if (!dir)
        ds_err_set("%s", _("out of memory"));
    return dir;
}

/* mkdir -p of the kind's folder; every folder it creates is 0700. */
static char *lib_dir_create(enum lib_kind k)
{
    char *dir = lib_dir(k);
    if (dir && fs_mkdir_p(dir, 0700) < 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

static int name_check(enum lib_kind k, const char *name)
{
    if (lib_name_valid(name))
        return 0;
    return ds_err_set(k == LIB_CONFIG
                          ? _("'%s' is not a valid config name: use 1 to 64 letters, "
                              "digits, '.', '-' and '_', not starting with '.'")
                          : _("'%s' is not a valid user list name: use 1 to 64 "
                              "letters, digits, '.', '-' and '_', not starting with '.'"),
                      name ? name : "");
}

char *lib_path(enum lib_kind k, const char *name)
{
    if (name_check(k, name) < 0)
        return NULL;
    char *dir = lib_dir(k);
    if (!dir)
        return NULL;
    char *p = NULL;
    if (asprintf(&p, "%s/%s.yml", dir, name) < 0) {
        p = NULL;
        ds_err_set("%s", _("out of memory"));
    }
    free(dir);
    return p;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lib_list(enum lib_kind k, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    char *dir = lib_dir(k);
    if (!dir)
        return -1;
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        if (e == ENOENT) {
            free(dir);
            return 0;
        }
        ds_err_set(_("cannot read %s: %s"), dir, strerror(e));
        free(dir);
        return -1;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".yml") != 0)
            continue;
        char *name = strndup(de->d_name, len - 4);
        if (!name)
            abort();
        struct stat st;
        char *full = NULL;
        int ok = lib_name_valid(name) && asprintf(&full, "%s/%s", dir, de->d_name) >= 0 &&
                 stat(full, &st) == 0 && S_ISREG(st.st_mode);
        free(full);
        if (!ok) {
            free(name);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(*names, cap * sizeof *grown);
            if (!grown)
                abort();
            *names = grown;
        }
        (*names)[(*n)++] = name;
    }
    closedir(d);
    free(dir);
    if (*n)
        qsort(*names, *n, sizeof **names, name_cmp);
    return 0;
}

void lib_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int lib_exists(enum lib_kind k, const char *name)
{
    if (!lib_name_valid(name))
        return 0;
    char *p = lib_path(k, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

/* The edit distance of a and b (insertions, deletions, substitutions and swaps of neighbours
 * cost 1; case is ignored), or a value above `max` once it is sure to exceed it. */
static size_t edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > LIB_NAME_MAX || lb > LIB_NAME_MAX || (la > lb ? la - lb : lb - la) > max)
        return max + 1;
    size_t d[LIB_NAME_MAX + 1][LIB_NAME_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j - 1] + !same;
            v = d[i - 1][j] + 1 < v ? d[i - 1][j] + 1 : v;
            v = d[i][j - 1] + 1 < v ? d[i][j - 1] + 1 : v;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

char *lib_suggest(enum lib_kind k, const char *name)
{
    char **names = NULL;
    size_t n = 0;
    if (!name || lib_list(k, &names, &n) < 0)
        return NULL;
    size_t len = strlen(name), max = len < 4 ? 1 : len < 8 ? 2 : 3, best = max + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = edit_distance(name, names[i], max);
        best = dist < best ? dist : best;
    }
    char *out = NULL;
    for (size_t i = 0, shown = 0; best <= max && i < n && shown < 3; i++) {
        if (edit_distance(name, names[i], max) != best)
            continue;
        char *more = xasprintf("%s%s%s", out ? out : "", out ? ", " : "", names[i]);
        free(out);
        out = more;
        shown++;
    }
    lib_names_free(names, n);
    return out;
}

static int not_found(enum lib_kind k, const char *name)
{
    char *near = lib_suggest(k, name);
    if (near)
        ds_err_set(k == LIB_CONFIG ? _("there is no config named '%s'; did you mean %s?")
                                   : _("there is no user list named '%s'; did you mean %s?"),
                   name, near);
    else
        ds_err_set(k == LIB_CONFIG ? _("there is no config named '%s'")
                                   : _("there is no user list named '%s'"),
                   name);
    free(near);
    return -1;
}

static int exists_error(enum lib_kind k, const char *name)
{
    return ds_err_set(k == LIB_CONFIG ? _("a config named '%s' already exists")
                                      : _("a user list named '%s' already exists"),
                      name);
}

char *lib_read(enum lib_kind k, const char *name, size_t *len)
{
    char *p = lib_path(k, name);
    if (!p)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    int err = fs_read_file(p, LIB_FILE_MAX, &buf, &n);
    if (err == ENOENT)
        not_found(k, name);
    else if (err)
        ds_err_set(_("cannot read %s: %s"), p, fs_strerror(err));
    else if (n > LIB_FILE_MAX)
        ds_err_set(_("%s is larger than 4 MiB"), p);
    free(p);
    if (err || n > LIB_FILE_MAX) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}

/* Saves text as <name>.yml; `replace` = 0 refuses an existing entry (link() never clobbers). */
static int save_as(enum lib_kind k, const char *name, const char *text, int replace)
{
    if (name_check(k, name) < 0)
        return -1;
    char *dir = lib_dir_create(k);
    char *final = dir ? lib_path(k, name) : NULL;
    int rc = -1;
    if (final) {
        rc = fs_write_atomic(final, text, strlen(text), 0600, replace ? 0 : FS_NO_REPLACE);
        if (rc == 1)
            rc = exists_error(k, name);
    }
    free(final);
    free(dir);
    return rc;
}

int lib_save(enum lib_kind k, const char *name, const char *yaml_text)
{
    return save_as(k, name, yaml_text ? yaml_text : "", 1);
}

int lib_copy(enum lib_kind k, const char *from, const char *to)
{
    if (name_check(k, from) < 0 || name_check(k, to) < 0)
        return -1;
    char *text = lib_read(k, from, NULL);
    if (!text)
        return -1;
    int rc = save_as(k, to, text, 0);
    free(text);
    return rc;
}

/* The stand name of a saved config's text, read as entry `name`: malloc'd, or NULL when the text is
 * not a valid stand. *has_key: the text names it with a top-level `stand:` key. */
static char *config_stand_name(const char *name, const char *text, size_t len, int *has_key)
{
    struct diag_list dl = {0};
    struct ydoc *d = NULL;
    *has_key = 0;
    if (ydoc_load_text(name, text, len, &d, &dl) == 0 && d->root && d->root->kind == YDOC_MAPPING)
        *has_key = ydoc_get(d->root, "stand", NULL) != NULL;
    ydoc_free(d);
    char *display = xasprintf("%s.yml", name);
    struct stand *st = NULL;
    char *stand = NULL;
    if (stand_load_text(display, text, len, &st, &dl) == 0)
        stand = xstrdup(st->name);
    stand_free(st);
    free(display);
    diag_list_clear(&dl);
    return stand;
}

/* A saved config without a `stand:` key takes its stand name from the entry's name, so renaming
 * the entry would lose the deployed stand: the text saved under `to` then names the stand it had.
 * Returns 0 and *out (malloc'd, NULL when the text can move as it is), or -1 with ds_err. */
static int config_keep_stand(const char *from, const char *to, char **out)
{
    *out = NULL;
    size_t len = 0;
    char *text = lib_read(LIB_CONFIG, from, &len);
    if (!text)
        return -1;
    int has_key = 0;
    char *stand = config_stand_name(from, text, len, &has_key);
    if (stand && !has_key) {
        char *named =
            xasprintf("%s%sstand: %s\n", text, len && text[len - 1] != '\n' ? "\n" : "", stand);
        char *after = config_stand_name(to, named, strlen(named), &has_key);
        if (after && strcmp(after, stand) == 0)
            *out = named;
        else
            free(named);
        free(after);
        if (!*out) {
            ds_err_set(_("config '%s' takes its stand name '%s' from its own name; renamed, it "
                         "would lose the stand: add `stand: %s` to it first (`deploy-stand config "
                         "show %s`)"),
                       from, stand, stand, from);
        }
    }
    int rc = stand && !has_key && !*out ? -1 : 0;
    free(stand);
    free(text);
    return rc;
}

/* Renames a config whose text needs its stand name written in: the new entry is written first
 * (never over an existing one), then the old one removed. */
static int rename_with_text(const char *from, const char *to, const char *text)
{
    if (save_as(LIB_CONFIG, to, text, 0) < 0)
        return -1;
    if (lib_delete(LIB_CONFIG, from) < 0) {
        lib_delete(LIB_CONFIG, to);
        return -1;
    }
    return 0;
}

int lib_rename(enum lib_kind k, const char *from, const char *to)
{
    if (name_check(k, from) < 0 || name_check(k, to) < 0)
        return -1;
    if (k == LIB_CONFIG) {
        char *named = NULL;
        if (config_keep_stand(from, to, &named) < 0)
            return -1;
        if (named) {
            int rc = rename_with_text(from, to, named);
            free(named);
            return rc;
        }
    }
    char *a = lib_path(k, from), *b = lib_path(k, to);
    int rc = -1;
    if (a && b) {
        /* link + unlink: the new name never replaces an existing entry */
        if (link(a, b) == 0) {
            if (unlink(a) == 0)
                rc = 0;
            else {
                ds_err_set(_("cannot remove %s: %s"), a, strerror(errno));
                unlink(b);
            }
        } else if (errno == ENOENT) {
            not_found(k, from);
        } else if (errno == EEXIST) {
            exists_error(k, to);
        } else {
            ds_err_set(_("cannot rename %s: %s"), a, strerror(errno));
        }
    }
    free(a);
    free(b);
    return rc;
}

int lib_delete(enum lib_kind k, const char *name)
{
    char *p = lib_path(k, name);
    if (!p)
        return -1;
    int rc = 0;
    if (unlink(p) < 0) {
        rc = errno == ENOENT ? not_found(k, name)
                             : ds_err_set(_("cannot remove %s: %s"), p, strerror(errno));
    }
    free(p);
    return rc;
}
