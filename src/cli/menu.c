/* menu: the teacher's interactive menu (`deploy-stand menu`, or no command on a terminal): choose
 * a connection, then configs, user lists, deploy, delete, connections and the class's lifecycle. */
#include "cli/menu.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/app_ctx.h"
#include "config/library.h"
#include "config/users_import.h"
#include "pve/pve_api.h"
#include "store/secrets.h"
#include "ui/prompt.h"
#include "cli/menu_class.h"
#include "cli/menu_conn.h"
#include "cli/menu_ops.h"
#include "ui/wizard.h"
#include "util/err.h"
#include "util/i18n.h"

/* ---- small helpers --------------------------------------------------------------------------- */

static void say_error(const char *fmt, const char *arg)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, arg);
    prompt_error(msg);
}

/* Waits for Enter so a result stays on the screen before the menu is printed again. */
void menu_pause(void)
{
    char *s = prompt_ask(_("Press Enter to return to the menu"), NULL);
    free(s);
}

int menu_choose(const char *emoji, const char *title, const char *const *labels)
{
    enum { MAX = 15 };
    struct prompt_item items[MAX + 1];
    char keys[MAX][4];
    size_t n = 0;
    for (; labels[n] && n < MAX; n++) {
        snprintf(keys[n], sizeof keys[n], "%zu", n + 1);
        items[n] = (struct prompt_item){keys[n], NULL, labels[n]};
    }
    items[n] = (struct prompt_item){"0", NULL, N_("back")};
    if (title)
        prompt_title(emoji, title);
    int c = prompt_menu(_("Choice"), items, n + 1, -1);
    return c < 0 || (size_t)c == n ? -1 : c;
}

/* Lets the user pick a saved entry: malloc'd name, or NULL (none saved, back, EOF). */
char *menu_entry_pick(enum lib_kind k, const char *question)
{
    char **names = NULL;
    size_t n = 0;
    if (lib_list(k, &names, &n) < 0) {
        prompt_error(ds_err_last());
        return NULL;
    }
    if (n == 0) {
        printf("%s\n",
               k == LIB_CONFIG
                   ? _("There are no saved configs yet: create one with item 1.")
                   : _("There are no saved user lists yet: create or import one in item 3."));
        lib_names_free(names, n);
        return NULL;
    }
    int i = prompt_pick(question, names, n, n == 1 ? 0 : -1);
    char *r = i >= 0 ? strdup(names[i]) : NULL;
    lib_names_free(names, n);
    return r;
}

/* Asks a name for a new entry until it is valid (and free, or the user agrees to replace it).
 * malloc'd, NULL at EOF. */
static char *entry_name_ask(enum lib_kind k, const char *question, const char *dflt, int replace_ok)
{
    for (;;) {
        char *s = prompt_ask_required(question, dflt);
        if (!s)
            return NULL;
        if (!lib_name_valid(s)) {
            say_error(_("'%s' is not a valid name: use letters, digits, '-', '_' and '.' (at most "
                        "64, not starting with '.')."),
                      s);
        } else if (lib_exists(k, s)) {
            if (!replace_ok) {
                say_error(_("'%s' already exists; choose another name."), s);
            } else {
                int y = prompt_yesno(_("It already exists. Replace it?"), 0);
                if (y < 0) {
                    free(s);
                    return NULL;
                }
                if (y)
                    return s;
            }
        } else {
            return s;
        }
        free(s);
    }
}

/* ---- 1: config wizard ------------------------------------------------------------------------ */

static char *wiz_ask(void *ud, const char *question, const char *dflt)
{
    (void)ud;
    return prompt_ask(question, dflt);
}

static void wiz_say(void *ud, const char *text)
{
    (void)ud;
    puts(text);
    fflush(stdout);
}

static void config_create(struct menu *m)
{
    prompt_title("📝", _("Create a deployment config"));
    struct app_ctx s;
    app_ctx_init(&s, &m->g, &m->ev);
    struct cluster_view *view = NULL;
    if (app_ctx_load_connection(&s) || app_ctx_connect(&s)) {
        app_ctx_free(&s);
        return;
    }
    if (wizard_view_load(s.client, &view) < 0) {
        prompt_error(ds_err_last());
        app_ctx_free(&s);
        return;
    }
    app_ctx_free(&s);
    struct wizard_io io = {.ask = wiz_ask, .say = wiz_say, .ud = m};
    char *yaml = wizard_config(&io, view);
    cluster_view_free(view);
    if (!yaml) {
        if (!prompt_cancelled())
            printf(_("No config was saved.\n"));
        return;
    }
    char *name = entry_name_ask(LIB_CONFIG, _("Save the config as"), "deployment_config", 1);
    if (name) {
        if (lib_save(LIB_CONFIG, name, yaml) < 0) {
            prompt_error(ds_err_last());
        } else {
            char *path = lib_path(LIB_CONFIG, name);
            char msg[1200];
            snprintf(msg, sizeof msg, _("Saved config '%s' (%s)."), name, path ? path : "");
            prompt_ok(msg);
            free(path);
        }
    }
    free(name);
    free(yaml);
}

/* ---- 2: configs ------------------------------------------------------------------------------ */

/* Loads the config, reads the cluster and checks each machine's template, node and bridges. */
static void config_validate(struct menu *m, const char *name)
{
    char *path = lib_path(LIB_CONFIG, name);
    struct stand *st = NULL;
    struct diag_list d = {0};
    int bad = !path || stand_load(path, &st, &d) < 0;
    diag_print(&d, stdout);
    diag_list_clear(&d);
    free(path);
    if (bad) {
        prompt_error(_("The config has problems (above)."));
        return;
    }
    struct app_ctx s;
    app_ctx_init(&s, &m->g, &m->ev);
    struct cluster_view *v = NULL;
    if (app_ctx_load_connection(&s) || app_ctx_connect(&s) || wizard_view_load(s.client, &v) < 0) {
        if (!v && ds_err_last()[0])
            prompt_error(ds_err_last());
        app_ctx_free(&s);
        stand_free(st);
        return;
    }
    app_ctx_free(&s);
    size_t problems = 0;
    char msg[1200];
    for (size_t i = 0; i < st->n_machines; i++) {
        const struct stand_machine *mc = &st->machines[i];
        const struct inv_vm *vm = inv_vm_find(v, mc->template_vmid);
        const struct inv_node *nd = inv_node_find(v, mc->template_node);
        msg[0] = '\0';
        if (!nd)
            snprintf(msg, sizeof msg, _("machine '%s': node '%s' is not in the cluster"), mc->name,
                     mc->template_node);
        else if (!nd->online)
            snprintf(msg, sizeof msg, _("machine '%s': node '%s' is offline"), mc->name,
                     mc->template_node);
        else if (!vm)
            snprintf(msg, sizeof msg, _("machine '%s': there is no VM %d in the cluster"), mc->name,
                     mc->template_vmid);
        else if (!vm->template)
            snprintf(msg, sizeof msg, _("machine '%s': VM %d is not a template"), mc->name,
                     mc->template_vmid);
        else if (strcmp(vm->node, mc->template_node) != 0)
            snprintf(msg, sizeof msg, _("machine '%s': template %d is on node '%s', not on '%s'"),
                     mc->name, mc->template_vmid, vm->node, mc->template_node);
        if (msg[0]) {
            prompt_error(msg);
            problems++;
        }
        for (size_t k = 0; k < mc->n_nets; k++) {
            const struct stand_net *net = &mc->nets[k];
            if (net->kind == STAND_NET_LITERAL &&
                !inv_iface_find(v, mc->template_node, net->name)) {
                snprintf(msg, sizeof msg,
                         _("machine '%s': bridge '%s' does not exist on node '%s'"), mc->name,
                         net->name, mc->template_node);
                prompt_error(msg);
                problems++;
            }
        }
    }
    if (!problems) {
        snprintf(msg, sizeof msg,
                 ngettext("Config '%s' is valid: its %zu machine uses a template that exists on "
                          "its node.",
                          "Config '%s' is valid: its %zu machines use templates that exist on "
                          "their nodes.",
                          st->n_machines),
                 name, st->n_machines);
        prompt_ok(msg);
    }
    cluster_view_free(v);
    stand_free(st);
}

static const char *const config_items[] = {N_("list the configs"),
                                           N_("show a config"),
                                           N_("validate a config against the cluster"),
                                           N_("copy a config"),
                                           N_("rename a config"),
                                           N_("delete a config"),
                                           NULL};

static void configs_manage(struct menu *m)
{
    for (int c; (c = menu_choose("📂", _("Deployment configs"), config_items)) >= 0;) {
        if (c == 0) {
            char **names = NULL;
            size_t n = 0;
            if (lib_list(LIB_CONFIG, &names, &n) < 0) {
                prompt_error(ds_err_last());
                continue;
            }
            printf(ngettext("%zu saved config:\n", "%zu saved configs:\n", n), n);
            for (size_t i = 0; i < n; i++)
                printf("  %s\n", names[i]);
            lib_names_free(names, n);
            continue;
        }
        char *name = menu_entry_pick(LIB_CONFIG, _("Which config"));
        if (!name)
            continue;
        char msg[600];
        if (c == 1) {
            char *text = lib_read(LIB_CONFIG, name, NULL);
            if (!text)
                prompt_error(ds_err_last());
            else
                printf("--- %s ---\n%s%s", name, text,
                       text[0] && text[strlen(text) - 1] != '\n' ? "\n" : "");
            free(text);
        } else if (c == 2) {
            config_validate(m, name);
        } else if (c == 3 || c == 4) {
            char *to =
                entry_name_ask(LIB_CONFIG, c == 3 ? _("Name of the copy") : _("New name"), NULL, 0);
            if (to) {
                int r = c == 3 ? lib_copy(LIB_CONFIG, name, to) : lib_rename(LIB_CONFIG, name, to);
                if (r < 0) {
                    prompt_error(ds_err_last());
                } else {
                    snprintf(msg, sizeof msg,
                             c == 3 ? _("Copied '%s' to '%s'.") : _("Renamed '%s' to '%s'."), name,
                             to);
                    prompt_ok(msg);
                }
            }
            free(to);
        } else if (c == 5) {
            snprintf(msg, sizeof msg, _("Delete the config '%s'?"), name);
            if (prompt_yesno(msg, 0) == 1) {
                if (lib_delete(LIB_CONFIG, name) < 0)
                    prompt_error(ds_err_last());
                else {
                    snprintf(msg, sizeof msg, _("Deleted the config '%s'."), name);
                    prompt_ok(msg);
                }
            }
        }
        free(name);
    }
}

/* ---- 3: user lists --------------------------------------------------------------------------- */

/* Reads a saved list: 0 and the ids, or -1 (printed). */
int menu_list_read(const char *name, char ***ids, size_t *n)
{
    size_t len = 0;
    char *text = lib_read(LIB_LIST, name, &len);
    if (!text) {
        prompt_error(ds_err_last());
        return -1;
    }
    struct diag_list d = {0};
    int rc = users_yaml_read(name, text, len, ids, n, &d);
    diag_print(&d, stdout);
    diag_list_clear(&d);
    free(text);
    return rc < 0 ? -1 : 0;
}

static int list_write(const char *name, char *const *ids, size_t n)
{
    char *yaml = users_yaml(ids, n);
    int rc = yaml ? lib_save(LIB_LIST, name, yaml) : -1;
    free(yaml);
    if (rc < 0)
        prompt_error(ds_err_last());
    return rc;
}

/* Asks user ids one per line until an empty line; adds the new valid ones to the list. */
static int list_add_users(char ***ids, size_t *n)
{
    printf(_("Type one user id per line (e.g. student1 or student1@pve); an empty line ends.\n"));
    for (;;) {
        char *s = prompt_ask(_("User id"), NULL);
        if (!s)
            return -1;
        if (!*s) {
            free(s);
            return 0;
        }
        char msg[600];
        char *id = users_id_normalize(s, msg, sizeof msg);
        free(s);
        if (!id) {
            prompt_error(msg);
            continue;
        }
        int dup = 0;
        for (size_t i = 0; i < *n; i++)
            dup |= strcasecmp((*ids)[i], id) == 0;
        if (dup) {
            say_error(_("%s is already in the list."), id);
            free(id);
            continue;
        }
        char **v = realloc(*ids, (*n + 1) * sizeof *v);
        if (!v) {
            free(id);
            return -1;
        }
        *ids = v;
        v[(*n)++] = id;
    }
}

/* "Saved the user list '%s' with %zu user(s)." in the form for n. */
static const char *saved_list_fmt(size_t n)
{
    return ngettext("Saved the user list '%s' with %zu user.",
                    "Saved the user list '%s' with %zu users.", n);
}

static void list_show(const char *name)
{
    char **ids = NULL;
    size_t n = 0;
    if (menu_list_read(name, &ids, &n) < 0)
        return;
    printf(ngettext("User list '%s': %zu user\n", "User list '%s': %zu users\n", n), name, n);
    for (size_t i = 0; i < n; i++)
        printf("  %2zu. %s\n", i + 1, ids[i]);
    users_ids_free(ids, n);
}

static void list_edit(const char *name)
{
    static const char *const items[] = {N_("add users"), N_("remove a user"), N_("clear the list"),
                                        NULL};
    for (;;) {
        list_show(name);
        char **ids = NULL;
        size_t n = 0;
        if (menu_list_read(name, &ids, &n) < 0)
            return;
        int c = menu_choose(NULL, NULL, items);
        if (c < 0) {
            users_ids_free(ids, n);
            return;
        }
        if (c == 0) {
            size_t before = n;
            int r = list_add_users(&ids, &n);
            if (n > before && list_write(name, ids, n) == 0) {
                char msg[300];
                snprintf(msg, sizeof msg,
                         ngettext("Added %zu user.", "Added %zu users.", n - before), n - before);
                prompt_ok(msg);
            }
            if (r < 0) {
                users_ids_free(ids, n);
                return;
            }
        } else if (c == 1 && n > 0) {
            int i = prompt_pick(_("Which user"), ids, n, -1);
            if (i >= 0) {
                char *gone = ids[i];
                memmove(ids + i, ids + i + 1, (n - (size_t)i - 1) * sizeof *ids);
                n--;
                if (list_write(name, ids, n) == 0)
                    printf(_("Removed %s.\n"), gone);
                free(gone);
            }
        } else if (c == 1) {
            printf(_("The list is empty.\n"));
        } else if (c == 2) {
            char q[300];
            snprintf(
                q, sizeof q,
                ngettext("Remove the %zu user from '%s'?", "Remove all %zu users from '%s'?", n), n,
                name);
            if (prompt_yesno(q, 0) == 1 && list_write(name, NULL, 0) == 0)
                prompt_ok(_("The list is empty now."));
        }
        users_ids_free(ids, n);
    }
}

static void list_import(void)
{
    char *file = prompt_ask_required(_("Text or CSV file to import (one user per line)"), NULL);
    if (!file)
        return;
    char **ids = NULL;
    size_t n = 0;
    struct diag_list d = {0};
    int rc = users_import_file(file, &ids, &n, &d);
    diag_print(&d, stdout);
    diag_list_clear(&d);
    if (rc < 0) {
        prompt_error(_("Nothing was imported: fix the lines above and try again."));
        free(file);
        return;
    }
    printf(ngettext("%zu user read from %s.\n", "%zu users read from %s.\n", n), n, file);
    /* the default name: the file's base name without its extension */
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char dflt[65];
    snprintf(dflt, sizeof dflt, "%s", base);
    char *dot = strrchr(dflt, '.');
    if (dot && dot != dflt)
        *dot = '\0';
    char *name =
        entry_name_ask(LIB_LIST, _("Save the list as"), lib_name_valid(dflt) ? dflt : NULL, 1);
    if (name && list_write(name, ids, n) == 0) {
        char msg[300];
        snprintf(msg, sizeof msg, saved_list_fmt(n), name, n);
        prompt_ok(msg);
    }
    free(name);
    free(file);
    users_ids_free(ids, n);
}

static const char *const list_items[] = {N_("create a user list"),
                                         N_("show a user list"),
                                         N_("edit a user list (add, remove, clear)"),
                                         N_("delete a user list"),
                                         N_("import a user list from a text or CSV file"),
                                         NULL};

static void lists_manage(void)
{
    for (int c; (c = menu_choose("👥", _("User lists"), list_items)) >= 0;) {
        if (c == 0) {
            char *name = entry_name_ask(LIB_LIST, _("Name of the new list"), NULL, 0);
            char **ids = NULL;
            size_t n = 0;
            if (name && list_add_users(&ids, &n) == 0 && list_write(name, ids, n) == 0) {
                char msg[300];
                snprintf(msg, sizeof msg, saved_list_fmt(n), name, n);
                prompt_ok(msg);
            }
            users_ids_free(ids, n);
            free(name);
        } else if (c == 4) {
            list_import();
        } else {
            char *name = menu_entry_pick(LIB_LIST, _("Which list"));
            if (!name)
                continue;
            if (c == 1) {
                list_show(name);
            } else if (c == 2) {
                list_edit(name);
            } else {
                char q[300];
                snprintf(q, sizeof q, _("Delete the user list '%s'?"), name);
                if (prompt_yesno(q, 0) == 1) {
                    if (lib_delete(LIB_LIST, name) < 0)
                        prompt_error(ds_err_last());
                    else {
                        snprintf(q, sizeof q, _("Deleted the user list '%s'."), name);
                        prompt_ok(q);
                    }
                }
            }
            free(name);
        }
    }
}

/* ---- the main loop --------------------------------------------------------------------------- */

static void header_print(const struct menu *m)
{
    char line[1200];
    snprintf(line, sizeof line, _("deploy-stand — connection: %s (%s), nodes: %zu (%zu online)"),
             m->conn_name ? m->conn_name : "-", m->conn_where ? m->conn_where : "?", m->n_nodes,
             m->n_online);
    if (prompt_color())
        printf("\n\033[1;36m%s\033[0m\n", line);
    else
        printf("\n%s\n", line);
}

int menu_run(const struct app_env *env)
{
    struct menu m = {0};
    m.g = *env;
    app_view_init(&m.view, 0);
    m.ev = (struct app_events){.emit = app_view_event, .ud = &m.view};
    prompt_init();
    prompt_title("🎓", _("deploy-stand: training stands on Proxmox VE"));
    if (menu_conn_startup(&m) < 0) {
        prompt_end();
        free(m.conn_name);
        free(m.conn_where);
        printf(_("Bye.\n"));
        return APP_OK;
    }
    static const struct prompt_item items[] = {
        {"1", "c", N_("create a deployment config")},
        {"2", NULL, N_("manage configs")},
        {"3", "u", N_("user lists")},
        {"4", "d", N_("deploy")},
        {"5", "x", N_("delete all users' machines of a list")},
        {"6", NULL, N_("delete one user's machines")},
        {"7", "s", N_("connection management")},
        {"8", "i", N_("stand status and credentials (hand-out)")},
        {"9", "p", N_("start or stop the class")},
        {"10", "r", N_("reset to the baseline (class or a student)")},
        {"11", "n", N_("snapshots")},
        {"12", "e", N_("expired stands")},
        {"0", NULL, N_("exit")},
    };
    enum { N_ITEMS = sizeof items / sizeof items[0], FIRST_CLASS = 7 };
    for (;;) {
        header_print(&m);
        int c = prompt_menu(_("Choice"), items, N_ITEMS, -1);
        if (c < 0 || c == N_ITEMS - 1)
            break;
        switch (c) {
        case 0:
            config_create(&m);
            break;
        case 1:
            configs_manage(&m);
            break;
        case 2:
            lists_manage();
            break;
        case 3:
            menu_deploy(&m);
            break;
        case 4:
            menu_destroy(&m, 0);
            break;
        case 5:
            menu_destroy(&m, 1);
            break;
        case 6:
            menu_conn_manage(&m);
            if (!m.conn_name)
                goto leave;
            break;
        default:
            menu_class(&m, (enum menu_class_screen)(c - FIRST_CLASS));
            break;
        }
        fflush(stdout);
        fflush(stderr);
    }
leave:
    prompt_end();
    printf(_("Bye.\n"));
    free(m.conn_name);
    free(m.conn_where);
    return APP_OK;
}
