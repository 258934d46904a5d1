/* cmd_users: `deploy-stand users ...`: the teacher's saved class lists (list, show, create, add,
 * remove, clear, delete, import from text or CSV). Bad input changes nothing and exits 2. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "config/library.h"
#include "config/users_import.h"
#include "ui/table.h"
#include "util/diag.h"
#include "util/err.h"
#include "util/i18n.h"

static int bad_name(const char *name)
{
    lib_path(LIB_LIST, name); /* sets the message */
    cli_error(NULL, "%s", ds_err_last());
    return EXIT_USAGE;
}

/* Reads a saved list (an empty one is fine). 0 and ids, or EXIT_USAGE (message printed). */
static int list_read(const char *name, char ***ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!lib_name_valid(name))
        return bad_name(name);
    size_t len;
    char *text = lib_read(LIB_LIST, name, &len);
    if (!text) {
        cli_error(_("`deploy-stand users list` shows the saved lists"), "%s", ds_err_last());
        return EXIT_USAGE;
    }
    char *path = lib_path(LIB_LIST, name);
    struct diag_list d = {0};
    int rc = users_yaml_read(path, text, len, ids, n, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    free(path);
    free(text);
    if (rc < 0) {
        fprintf(stderr, _("error: user list '%s' has problems (above)\n"), name);
        return EXIT_USAGE;
    }
    return 0;
}

static int list_write(const char *name, char **ids, size_t n)
{
    char *yaml = users_yaml(ids, n);
    int rc = lib_save(LIB_LIST, name, yaml);
    free(yaml);
    if (rc < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    return 0;
}

static ssize_t find_id(char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ids[i], id) == 0)
            return (ssize_t)i;
    return -1;
}

/* Same pool (the part before '@', ignoring case) as an id already in the list. */
static ssize_t find_pool(char *const *ids, size_t n, const char *id)
{
    size_t l = (size_t)(strrchr(id, '@') - id);
    for (size_t i = 0; i < n; i++) {
        size_t li = (size_t)(strrchr(ids[i], '@') - ids[i]);
        if (li == l && strncasecmp(ids[i], id, l) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* Appends the typed ids to *ids (normalised, "@pve" added); every bad or duplicate id is printed.
 * Returns the number of problems (then the caller saves nothing). */
static int ids_append(char ***ids, size_t *n, const char *const *args, size_t nargs)
{
    int bad = 0;
    char **out = realloc(*ids, (*n + nargs + 1) * sizeof *out);
    if (!out)
        abort();
    *ids = out;
    for (size_t i = 0; i < nargs; i++) {
        char msg[512];
        char *id = users_id_normalize(args[i], msg, sizeof msg);
        if (!id) {
            cli_error(_("write name or name@realm, e.g. student1@pve"), "%s", msg);
            bad++;
            continue;
        }
        ssize_t k = find_id(out, *n, id);
        ssize_t p = k < 0 ? find_pool(out, *n, id) : -1;
        if (k >= 0 || p >= 0) {
            if (k >= 0)
                cli_error(_("each student is listed once"), _("user '%s' is already in the list"),
                          id);
            else
                cli_error(_("rename one of them"), _("'%s' and '%s' would share one pool"), id,
                          out[p]);
            free(id);
            bad++;
            continue;
        }
        out[(*n)++] = id;
    }
    return bad;
}

static int users_list_cmd(struct cli_call *c)
{
    const struct cli_globals *g = c->g;
    char **names;
    size_t n;
    if (lib_list(LIB_LIST, &names, &n) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    json_t *arr = g->json ? json_array() : NULL;
    const char *hdr[] = {_("NAME"), _("USERS")};
    struct table *t = table_new(2, hdr);
    for (size_t i = 0; i < n; i++) {
        size_t len, cnt = 0;
        char **ids = NULL;
        char *text = lib_read(LIB_LIST, names[i], &len);
        struct diag_list d = {0};
        int ok = text && users_yaml_read(names[i], text, len, &ids, &cnt, &d) == 0;
        char count[32];
        snprintf(count, sizeof count, "%zu", cnt);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:i, s:b}", "name", names[i], "users",
                                                 (int)cnt, "valid", ok));
        else {
            const char *row[] = {names[i], ok ? count : _("(has problems)")};
            table_add(t, row);
        }
        users_ids_free(ids, cnt);
        diag_list_clear(&d);
        free(text);
    }
    if (arr) {
        char *txt = json_dumps(arr, JSON_INDENT(2));
        puts(txt);
        free(txt);
        json_decref(arr);
    } else if (n == 0) {
        printf("%s\n", _("No saved user lists. Create one with `deploy-stand users create NAME "
                         "ID...` or `deploy-stand users import NAME FILE`."));
    } else {
        table_print(t, stdout);
    }
    table_free(t);
    lib_names_free(names, n);
    return EXIT_OK;
}

static int users_show(struct cli_call *c)
{
    const struct cli_globals *g = c->g;
    const char *name = c->pos[0];
    char **ids;
    size_t n;
    int rc = list_read(name, &ids, &n);
    if (rc)
        return rc;
    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_string(ids[i]));
        json_t *doc = json_pack("{s:s, s:o}", "name", name, "users", arr);
        char *txt = json_dumps(doc, JSON_INDENT(2));
        puts(txt);
        free(txt);
        json_decref(doc);
    } else {
        printf(ngettext("User list %s: %zu user\n", "User list %s: %zu users\n", n), name, n);
        if (n == 0)
            printf("  %s\n", _("(empty list)"));
        for (size_t i = 0; i < n; i++)
            printf("  %zu. %s\n", i + 1, ids[i]);
    }
    users_ids_free(ids, n);
    return EXIT_OK;
}

static int users_create(struct cli_call *c)
{
    const char *name = c->pos[0];
    if (!lib_name_valid(name))
        return bad_name(name);
    if (lib_exists(LIB_LIST, name)) {
        cli_error(_("use `deploy-stand users add` to add students to it"),
                  _("a user list named '%s' already exists"), name);
        return EXIT_USAGE;
    }
    char **ids = NULL;
    size_t n = 0;
    int bad = ids_append(&ids, &n, c->pos + 1, c->n_pos - 1);
    int rc = bad ? EXIT_USAGE : list_write(name, ids, n);
    if (bad)
        fprintf(stderr, "%s\n", _("error: nothing was saved"));
    else if (!rc)
        printf(ngettext("Created user list %s with %zu user.\n",
                        "Created user list %s with %zu users.\n", n),
               name, n);
    users_ids_free(ids, n);
    return rc;
}

static int users_add(struct cli_call *c)
{
    const char *name = c->pos[0];
    char **ids;
    size_t n;
    int rc = list_read(name, &ids, &n);
    if (rc)
        return rc;
    size_t before = n;
    int bad = ids_append(&ids, &n, c->pos + 1, c->n_pos - 1);
    rc = bad ? EXIT_USAGE : list_write(name, ids, n);
    if (bad)
        fprintf(stderr, "%s\n", _("error: nothing was saved"));
    else if (!rc)
        printf(ngettext("Added %zu user to %s; it now has %zu.\n",
                        "Added %zu users to %s; it now has %zu.\n", n - before),
               n - before, name, n);
    users_ids_free(ids, n);
    return rc;
}

static int users_remove(struct cli_call *c)
{
    const char *name = c->pos[0];
    const char *const *args = c->pos + 1;
    char **ids;
    size_t n;
    int rc = list_read(name, &ids, &n);
    if (rc)
        return rc;
    char *drop = calloc(n + 1, 1);
    if (!drop)
        abort();
    int bad = 0;
    for (size_t i = 0; i + 1 < c->n_pos; i++) {
        char msg[512];
        char *id = users_id_normalize(args[i], msg, sizeof msg);
        ssize_t k = id ? find_id(ids, n, id) : -1;
        free(id);
        if (k < 0) {
            /* the seed removed by number: 1-based positions as `users show` prints them */
            char *end;
            long v = strtol(args[i], &end, 10);
            if (*args[i] && !*end && v >= 1 && (size_t)v <= n)
                k = v - 1;
        }
        if (k < 0) {
            cli_error(_("`deploy-stand users show NAME` lists them with their numbers"),
                      _("'%s' is not in user list %s"), args[i], name);
            bad++;
            continue;
        }
        drop[k] = 1;
    }
    size_t kept = 0, removed = 0;
    if (!bad) {
        for (size_t i = 0; i < n; i++) {
            if (drop[i]) {
                free(ids[i]);
                removed++;
            } else {
                ids[kept++] = ids[i];
            }
        }
        n = kept;
        rc = list_write(name, ids, n);
        if (!rc)
            printf(ngettext("Removed %zu user from %s; %zu left.\n",
                            "Removed %zu users from %s; %zu left.\n", removed),
                   removed, name, n);
    } else {
        fprintf(stderr, "%s\n", _("error: nothing was saved"));
        rc = EXIT_USAGE;
    }
    free(drop);
    users_ids_free(ids, n);
    return rc;
}

static int users_clear(struct cli_call *c)
{
    const char *name = c->pos[0];
    char **ids;
    size_t n;
    int rc = list_read(name, &ids, &n);
    if (rc)
        return rc;
    users_ids_free(ids, n);
    rc = list_write(name, NULL, 0);
    if (!rc)
        printf(ngettext("Removed the %zu user from %s.\n", "Removed all %zu users from %s.\n", n),
               n, name);
    return rc;
}

static int users_delete(struct cli_call *c)
{
    const char *name = c->pos[0];
    if (!lib_name_valid(name))
        return bad_name(name);
    if (!lib_exists(LIB_LIST, name)) {
        cli_error(_("`deploy-stand users list` shows the saved lists"),
                  _("there is no user list named '%s'"), name);
        return EXIT_USAGE;
    }
    char q[256];
    snprintf(q, sizeof q, _("Delete user list %s?"), name);
    int rc = cli_confirm(c, q, _("Nothing was deleted."));
    if (rc)
        return rc;
    if (lib_delete(LIB_LIST, name) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    printf(_("Deleted user list %s.\n"), name);
    return EXIT_OK;
}

static int users_import(struct cli_call *c)
{
    const char *name = c->pos[0], *file = c->pos[1];
    if (!lib_name_valid(name))
        return bad_name(name);
    if (!c->g->yes && lib_exists(LIB_LIST, name)) {
        cli_error(_("add --yes to replace it, or import under another name"),
                  _("a user list named '%s' already exists"), name);
        return EXIT_USAGE;
    }
    char **ids;
    size_t n;
    struct diag_list d = {0};
    int rc = users_import_file(file, &ids, &n, &d);
    diag_print(&d, stderr);
    if (rc < 0) {
        fprintf(stderr,
                ngettext("error: %zu problem in %s (above); nothing was saved\n",
                         "error: %zu problems in %s (above); nothing was saved\n", d.n),
                d.n, file);
        diag_list_clear(&d);
        return EXIT_USAGE;
    }
    diag_list_clear(&d);
    rc = list_write(name, ids, n);
    if (!rc)
        printf(ngettext("Imported %zu user from %s into user list %s.\n",
                        "Imported %zu users from %s into user list %s.\n", n),
               n, file, name);
    users_ids_free(ids, n);
    return rc;
}

static const char users_help[] =
    N_("Saved lists live in $XDG_CONFIG_HOME/deploy-stand/lists/NAME.yml (mode 0600) in\n"
       "the users_list.yml format. `--users NAME` of plan, deploy, status and destroy\n"
       "finds them by name. An id without '@' gets \"@pve\".\n\n");

static const struct cmd_entry users_subs[] = {
    CMD_SUB("list", "users list", 0, 0, users_list_cmd,
            .summary = N_("the saved lists with their size")),
    CMD_SUB("show", "users show NAME", 1, 1, users_show,
            .summary = N_("the students of a list, numbered"), .pos_complete = {CLI_C_LIST}),
    CMD_SUB("create", "users create NAME [ID...]", 1, -1, users_create,
            .summary = N_("a new list")),
    CMD_SUB("add", "users add NAME ID...", 2, -1, users_add,
            .summary = N_("add students (duplicates are refused)"), .pos_complete = {CLI_C_LIST}),
    CMD_SUB("remove", "users remove NAME ID|NUMBER...", 2, -1, users_remove,
            .summary = N_("remove students by id or by number"), .pos_complete = {CLI_C_LIST}),
    CMD_SUB("clear", "users clear NAME", 1, 1, users_clear,
            .summary = N_("remove every student (the list stays)"), .pos_complete = {CLI_C_LIST}),
    CMD_SUB("delete", "users delete NAME --yes", 1, 1, users_delete,
            .summary = N_("delete the list"), .flags = CMD_CONFIRM, .pos_complete = {CLI_C_LIST},
            .refuse = N_("users delete: not deleting %s without --yes"),
            .refuse_hint = N_("add --yes to delete it")),
    CMD_SUB("import", "users import NAME FILE", 2, 2, users_import,
            .summary = N_("a text or CSV file: one student per line (the first\n"
                          "column), '#' comments, a header line user/login/...\n"
                          "skipped; every bad or duplicate line is reported with\n"
                          "its number and nothing is saved (--yes replaces an\n"
                          "existing list)"),
            .pos_complete = {CLI_C_NONE, CLI_C_FILE}),
    {.name = NULL},
};

const struct cmd_entry cmd_users_entry = {
    .name = "users",
    .usage = "users list | show NAME | create NAME [ID...] | add NAME ID... | remove NAME ID... | "
             "clear NAME | delete NAME --yes | import NAME FILE",
    .summary = N_("saved class lists: list, show, create, edit, delete, import from text/CSV"),
    .help = users_help,
    .subs = users_subs,
    .default_sub = "list",
};
