/* users: checks every class-list entry against PVE's pve-userid format and makes sure no two
 * students would share a user or a pool, reporting each problem at its line. */
#include "config/users.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "config/yaml_doc.h"
#include "pve_format.h"
#include "util/i18n.h"

static const char *const top_keys[] = {"users", NULL};

static void entry_parse(const struct ydoc *d, const struct ydoc_node *n, struct users_list *u,
                        struct diag_list *diags)
{
    const char *id;
    if (n->kind != YDOC_SCALAR || n->type == YDOC_T_NULL || n->type == YDOC_T_BOOL) {
        ydoc_report(d, n, diags, _("write it as name@realm, e.g. student1@pve"),
                    _("a user must be a string, got %s"), ydoc_describe(n));
        return;
    }
    if (ydoc_want_str(d, n, "user", &id, diags) < 0)
        return;
    if (!pve_is_userid(id)) {
        ydoc_report(d, n, diags, _("write it as name@realm, e.g. student1@pve"),
                    _("'%s' is not a valid Proxmox user id"), id);
        return;
    }
    if (strcmp(id, "root@pam") == 0) {
        ydoc_report(d, n, diags, _("remove it; list the students' own accounts"),
                    _("'%s' is the cluster's superuser and cannot be a student"), id);
        return;
    }
    size_t pool_len = (size_t)(strrchr(id, '@') - id);
    char *pool = strndup(id, pool_len);
    if (!pool)
        abort();
    if (strchr(pool, '/') || !pve_is_poolid(pool)) {
        ydoc_report(d, n, diags, _("use only letters, digits, '.', '-' and '_' before the '@'"),
                    _("user part '%s' cannot be used as a pool name"), pool);
        free(pool);
        return;
    }
    for (size_t i = 0; i < u->n; i++) {
        const struct user_entry *o = &u->users[i];
        if (strcmp(o->userid, id) == 0) {
            ydoc_report(d, n, diags, _("remove the duplicate"),
                        _("user '%s' is listed twice (first at line %d)"), id, o->line);
            free(pool);
            return;
        }
        if (strcmp(o->pool, pool) == 0) {
            ydoc_report(d, n, diags, _("rename one of them"),
                        _("pool '%s' would be shared by '%s' (line %d) and '%s'"), pool, o->userid,
                        o->line, id);
            free(pool);
            return;
        }
    }
    struct user_entry *e = &u->users[u->n++];
    e->userid = xstrdup(id);
    e->pool = pool;
    e->line = n->line;
    e->col = n->col;
}

static void users_build(const struct ydoc *d, struct users_list *u, struct diag_list *diags)
{
    const struct ydoc_node *root = d->root;
    if (ydoc_is_null(root)) {
        ydoc_report(d, root, diags, _("add `users:` with one `- name@realm` per student"),
                    _("the file is empty"));
        return;
    }
    if (root->kind != YDOC_MAPPING) {
        ydoc_report(d, root, diags, _("put the list under a top-level `users:` key"),
                    _("expected a mapping with 'users' at the top, got %s"), ydoc_describe(root));
        return;
    }
    ydoc_check_keys(d, root, top_keys, NULL, _("the users file"), diags);
    const struct ydoc_node *list =
        ydoc_want_list(d, root, "users", _("add `users:` with one `- name@realm` per student"),
                       _("list at least one student, e.g. `- student1@pve`"), diags);
    if (!list)
        return;
    u->users = xcalloc(list->n_items, sizeof *u->users);
    for (size_t i = 0; i < list->n_items; i++)
        entry_parse(d, list->items[i], u, diags);
}

/* YDOC_DEFINE_LOADERS build: a class list from a parsed document. */
static void users_from_doc(const struct ydoc *d, const char *path, struct users_list *u,
                           struct diag_list *diags)
{
    u->path = xstrdup(path);
    users_build(d, u, diags);
}

YDOC_DEFINE_LOADERS(users, struct users_list, users_from_doc)

void users_free(struct users_list *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++) {
        free(u->users[i].userid);
        free(u->users[i].pool);
    }
    free(u->users);
    free(u->path);
    free(u);
}
