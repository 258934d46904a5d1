/* menu: the teacher's interactive menu (`deploy-stand menu`, or no command on a terminal): choose
 * a connection, then configs, user lists, deploy, delete and connections by number or hotkey. */
#include "ui/menu.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/connection_ops.h"
#include "cli/session.h"
#include "cli/stand_ops.h"
#include "config/library.h"
#include "config/users_import.h"
#include "plan/plan.h"
#include "pve/pve_api.h"
#include "store/secrets.h"
#include "ui/prompt.h"
#include "ui/report.h"
#include "ui/wizard.h"
#include "util/err.h"
#include "util/i18n.h"

struct menu {
    struct cli_globals g; /* g.connection points at conn_name */
    char *conn_name;      /* the active connection (owned) */
    char *conn_where;     /* "host:port as user" (owned) */
    size_t n_nodes, n_online;
};

/* ---- small helpers --------------------------------------------------------------------------- */

static void say_error(const char *fmt, const char *arg)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, arg);
    prompt_error(msg);
}

/* Waits for Enter so a result stays on the screen before the menu is printed again. */
static void pause_enter(void)
{
    char *s = prompt_ask(_("Press Enter to return to the menu"), NULL);
    free(s);
}

/* Lets the user pick a saved entry: malloc'd name, or NULL (none saved, back, EOF). */
static char *entry_pick(enum lib_kind k, const char *question)
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

/* ---- connection ------------------------------------------------------------------------------ */

/* Connects with the active connection and counts the nodes. 0 or -1 (printed). */
static int conn_check(struct menu *m)
{
    struct session s = {0};
    s.g = &m->g;
    int rc = session_load_connection(&s) || session_connect(&s);
    json_t *nodes = NULL;
    if (!rc && pve_nodes_list(s.client, &nodes) < 0) {
        prompt_error(ds_err_last());
        rc = 1;
    }
    if (!rc) {
        m->n_nodes = json_array_size(nodes);
        m->n_online = 0;
        for (size_t i = 0; i < m->n_nodes; i++) {
            const char *st = json_string_value(json_object_get(json_array_get(nodes, i), "status"));
            m->n_online += st && strcmp(st, "online") == 0;
        }
        free(m->conn_where);
        if (asprintf(&m->conn_where, _("%s:%u as %s"), s.conn->host, s.conn->port, s.conn->user) <
            0)
            m->conn_where = NULL;
    }
    json_decref(nodes);
    session_close(&s);
    return rc ? -1 : 0;
}

static int menu_trust(void *ud, const char *hp, const struct pve_certinfo *ci)
{
    (void)ud;
    (void)ci;
    printf(_("Compare the SHA-256 fingerprint above with the one on the node's certificate page "
             "(Datacenter > node > Certificates) before you trust it.\n"));
    char q[400];
    snprintf(q, sizeof q, _("Trust the certificate of %s?"), hp);
    int y = prompt_yesno(q, 0);
    if (y != 1) {
        prompt_error(_("Not trusted; nothing was saved."));
        return EXIT_FAILED;
    }
    return 0;
}

static int menu_secret(void *ud, const char *what, char **out)
{
    (void)what;
    char **pw = ud;
    *out = *pw;
    *pw = NULL;
    return *out ? 0 : EXIT_USAGE;
}

/* Asks everything for a new connection and saves it; the new one becomes active. 0 or -1. */
static int conn_create(struct menu *m, int first)
{
    prompt_title("🔌", _("New connection to a Proxmox VE cluster"));
    char *name = NULL, *host = NULL, *user = NULL, *pw = NULL, *hp = NULL;
    long port = 8006;
    int rc = -1;
    if (!(name = prompt_ask_required(_("Connection name"), "pve")) ||
        !(host = prompt_ask_required(_("Host name or IP address of a node"), NULL)) ||
        prompt_number(_("Port"), 1, 65535, 8006, &port) < 0 ||
        !(user = prompt_ask_required(_("User"), "root@pam")) ||
        !(pw = prompt_secret(_("Password (not shown)"))))
        goto out;
    int dflt = first;
    if (!first) {
        int y = prompt_yesno(_("Make it the default connection?"), 0);
        if (y < 0)
            goto out;
        dflt = y;
    }
    if (asprintf(&hp, "%s:%ld", host, port) < 0)
        goto out;
    struct conn_add_req r = {
        .name = name, .host = hp, .user = user, .token_name = NULL, .make_default = dflt};
    struct conn_add_io io = {.trust = menu_trust, .secret = menu_secret, .ud = &pw};
    fflush(stdout);
    if (conn_ops_add(&m->g, &r, &io) == 0) {
        free(m->conn_name);
        m->conn_name = strdup(name);
        m->g.connection = m->conn_name;
        rc = 0;
    } else {
        prompt_error(_("The connection was not saved."));
    }
out:
    secret_free(pw);
    free(name);
    free(host);
    free(user);
    free(hp);
    return rc;
}

/* The connection names of the file (malloc'd array), or n = 0 when there is none. */
static char **conn_names(struct menu *m, size_t *n, int *dflt)
{
    *n = 0;
    *dflt = -1;
    char *path = conn_ops_path(&m->g, 0);
    int exists = path && access(path, F_OK) == 0;
    free(path);
    struct connections *cs = NULL;
    if (!exists || conn_ops_load(&m->g, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs))
        return NULL;
    char **names = calloc(cs->n + 1, sizeof *names);
    const struct connection *d = connections_pick(cs, NULL);
    for (size_t i = 0; names && i < cs->n; i++) {
        names[i] = strdup(cs->items[i].name);
        if (&cs->items[i] == d)
            *dflt = (int)i;
    }
    *n = names ? cs->n : 0;
    connections_free(cs);
    ds_err_clear();
    return names;
}

static void names_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Start-up: a connection that works must be chosen (or created) first. 0, or -1 to leave. */
static int conn_startup(struct menu *m)
{
    if (m->g.connection) { /* --connection NAME */
        m->conn_name = strdup(m->g.connection);
        m->g.connection = m->conn_name;
        if (conn_check(m) == 0)
            return 0;
    }
    while (!prompt_cancelled()) {
        size_t n;
        int dflt;
        char **names = conn_names(m, &n, &dflt);
        if (n == 0) {
            names_free(names, n);
            printf(_("There is no saved connection yet; let's create one.\n"));
            if (conn_create(m, 1) == 0 && conn_check(m) == 0)
                return 0;
            continue;
        }
        prompt_title("🔌", _("Choose the connection to work with"));
        char **v = realloc(names, (n + 1) * sizeof *v);
        if (!v) {
            names_free(names, n);
            return -1;
        }
        v[n] = strdup(_("create a new connection"));
        int i = prompt_pick(_("Connection"), v, n + 1, dflt >= 0 ? dflt : 0);
        int ok = -1;
        if (i == PROMPT_BACK || i < 0) {
            names_free(v, n + 1);
            return -1;
        }
        if ((size_t)i == n) {
            ok = conn_create(m, 0);
        } else {
            free(m->conn_name);
            m->conn_name = strdup(v[i]);
            m->g.connection = m->conn_name;
            ok = 0;
        }
        names_free(v, n + 1);
        if (ok == 0 && conn_check(m) == 0)
            return 0;
    }
    return -1;
}

static void conn_manage(struct menu *m)
{
    static const struct prompt_item items[] = {
        {"1", NULL, N_("list the connections")},
        {"2", NULL, N_("add a connection")},
        {"3", NULL, N_("test a connection")},
        {"4", NULL, N_("set the default connection")},
        {"5", NULL, N_("delete a connection")},
        {"6", NULL, N_("switch to another connection")},
        {"0", NULL, N_("back")},
    };
    struct prompt_item tr[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        tr[i] = (struct prompt_item){items[i].key, items[i].hotkey, _(items[i].label)};
    for (;;) {
        prompt_title("⚙", _("Connection management"));
        int c = prompt_menu(_("Choice"), tr, sizeof tr / sizeof tr[0], -1);
        if (c < 0 || strcmp(tr[c].key, "0") == 0)
            return;
        fflush(stdout);
        if (c == 0) {
            conn_ops_list(&m->g);
            continue;
        }
        if (c == 1) {
            if (conn_create(m, 0) == 0 && conn_check(m) < 0)
                prompt_error(_("The new connection does not work; choose another one."));
            continue;
        }
        size_t n;
        int dflt;
        char **names = conn_names(m, &n, &dflt);
        if (n == 0) {
            printf(_("There are no saved connections.\n"));
            names_free(names, n);
            continue;
        }
        int i = prompt_pick(_("Which connection"), names, n, -1);
        if (i >= 0) {
            fflush(stdout);
            if (c == 2) {
                conn_ops_test(&m->g, names[i]);
            } else if (c == 3) {
                conn_ops_default(&m->g, names[i]);
            } else if (c == 4) {
                char q[300];
                snprintf(q, sizeof q, _("Delete the connection '%s'?"), names[i]);
                if (prompt_yesno(q, 0) == 1) {
                    int active = m->conn_name && strcmp(names[i], m->conn_name) == 0;
                    if (conn_ops_delete(&m->g, names[i]) == 0 && active) {
                        free(m->conn_name);
                        m->conn_name = NULL;
                        m->g.connection = NULL;
                        names_free(names, n);
                        printf(_("That was the active connection; choose another one.\n"));
                        if (conn_startup(m) < 0)
                            return;
                        continue;
                    }
                }
            } else if (c == 5) {
                char *old = m->conn_name;
                m->conn_name = strdup(names[i]);
                m->g.connection = m->conn_name;
                if (conn_check(m) < 0) {
                    free(m->conn_name);
                    m->conn_name = old;
                    m->g.connection = old;
                    conn_check(m);
                } else {
                    free(old);
                }
            }
            fflush(stderr);
        }
        names_free(names, n);
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
    struct session s = {0};
    s.g = &m->g;
    struct cluster_view *view = NULL;
    if (session_load_connection(&s) || session_connect(&s)) {
        session_close(&s);
        return;
    }
    if (wizard_view_load(s.client, &view) < 0) {
        prompt_error(ds_err_last());
        session_close(&s);
        return;
    }
    session_close(&s);
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
    struct session s = {0};
    s.g = &m->g;
    struct cluster_view *v = NULL;
    if (session_load_connection(&s) || session_connect(&s) || wizard_view_load(s.client, &v) < 0) {
        if (!v && ds_err_last()[0])
            prompt_error(ds_err_last());
        session_close(&s);
        stand_free(st);
        return;
    }
    session_close(&s);
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
                 _("Config '%s' is valid: its %zu machine(s) use templates that exist on their "
                   "nodes."),
                 name, st->n_machines);
        prompt_ok(msg);
    }
    cluster_view_free(v);
    stand_free(st);
}

static void configs_manage(struct menu *m)
{
    static const struct prompt_item items[] = {
        {"1", NULL, N_("list the configs")},
        {"2", NULL, N_("show a config")},
        {"3", NULL, N_("validate a config against the cluster")},
        {"4", NULL, N_("copy a config")},
        {"5", NULL, N_("rename a config")},
        {"6", NULL, N_("delete a config")},
        {"0", NULL, N_("back")},
    };
    struct prompt_item tr[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        tr[i] = (struct prompt_item){items[i].key, items[i].hotkey, _(items[i].label)};
    for (;;) {
        prompt_title("📂", _("Deployment configs"));
        int c = prompt_menu(_("Choice"), tr, sizeof tr / sizeof tr[0], -1);
        if (c < 0 || c == 6)
            return;
        if (c == 0) {
            char **names = NULL;
            size_t n = 0;
            if (lib_list(LIB_CONFIG, &names, &n) < 0) {
                prompt_error(ds_err_last());
                continue;
            }
            printf(_("%zu saved config(s):\n"), n);
            for (size_t i = 0; i < n; i++)
                printf("  %s\n", names[i]);
            lib_names_free(names, n);
            continue;
        }
        char *name = entry_pick(LIB_CONFIG, _("Which config"));
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
static int list_read(const char *name, char ***ids, size_t *n)
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

static void list_show(const char *name)
{
    char **ids = NULL;
    size_t n = 0;
    if (list_read(name, &ids, &n) < 0)
        return;
    printf(_("User list '%s': %zu user(s)\n"), name, n);
    for (size_t i = 0; i < n; i++)
        printf("  %2zu. %s\n", i + 1, ids[i]);
    users_ids_free(ids, n);
}

static void list_edit(const char *name)
{
    static const struct prompt_item items[] = {
        {"1", NULL, N_("add users")},
        {"2", NULL, N_("remove a user")},
        {"3", NULL, N_("clear the list")},
        {"0", NULL, N_("back")},
    };
    struct prompt_item tr[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        tr[i] = (struct prompt_item){items[i].key, items[i].hotkey, _(items[i].label)};
    for (;;) {
        list_show(name);
        char **ids = NULL;
        size_t n = 0;
        if (list_read(name, &ids, &n) < 0)
            return;
        int c = prompt_menu(_("Choice"), tr, sizeof tr / sizeof tr[0], -1);
        if (c < 0 || c == 3) {
            users_ids_free(ids, n);
            return;
        }
        if (c == 0) {
            size_t before = n;
            int r = list_add_users(&ids, &n);
            if (n > before && list_write(name, ids, n) == 0) {
                char msg[300];
                snprintf(msg, sizeof msg, _("Added %zu user(s)."), n - before);
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
            snprintf(q, sizeof q, _("Remove all %zu user(s) from '%s'?"), n, name);
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
    printf(_("%zu user(s) read from %s.\n"), n, file);
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
        snprintf(msg, sizeof msg, _("Saved the user list '%s' with %zu user(s)."), name, n);
        prompt_ok(msg);
    }
    free(name);
    free(file);
    users_ids_free(ids, n);
}

static void lists_manage(void)
{
    static const struct prompt_item items[] = {
        {"1", NULL, N_("create a user list")},
        {"2", NULL, N_("show a user list")},
        {"3", NULL, N_("edit a user list (add, remove, clear)")},
        {"4", NULL, N_("delete a user list")},
        {"5", NULL, N_("import a user list from a text or CSV file")},
        {"0", NULL, N_("back")},
    };
    struct prompt_item tr[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        tr[i] = (struct prompt_item){items[i].key, items[i].hotkey, _(items[i].label)};
    for (;;) {
        prompt_title("👥", _("User lists"));
        int c = prompt_menu(_("Choice"), tr, sizeof tr / sizeof tr[0], -1);
        if (c < 0 || c == 5)
            return;
        if (c == 0) {
            char *name = entry_name_ask(LIB_LIST, _("Name of the new list"), NULL, 0);
            char **ids = NULL;
            size_t n = 0;
            if (name && list_add_users(&ids, &n) == 0 && list_write(name, ids, n) == 0) {
                char msg[300];
                snprintf(msg, sizeof msg, _("Saved the user list '%s' with %zu user(s)."), name, n);
                prompt_ok(msg);
            }
            users_ids_free(ids, n);
            free(name);
        } else if (c == 4) {
            list_import();
        } else {
            char *name = entry_pick(LIB_LIST, _("Which list"));
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

/* ---- 4-6: deploy and delete ------------------------------------------------------------------ */

/* A session for an operation on a saved config and list: inputs, connection, login, state.
 * 0, or -1 (printed; the session is closed). */
static int op_session(struct menu *m, struct session *s, const char *config, const char *list)
{
    memset(s, 0, sizeof *s);
    s->g = &m->g;
    char *cp = lib_path(LIB_CONFIG, config), *lp = lib_path(LIB_LIST, list);
    int rc = !cp || !lp || session_load_inputs(s, cp, lp) || session_load_connection(s) ||
             session_connect(s) || session_open_state(s);
    free(cp);
    free(lp);
    if (rc) {
        session_close(s);
        return -1;
    }
    return 0;
}

static void request_fill(struct plan_request *rq, const struct session *s, const char *strategy,
                         const char *node, const char *const *only, size_t n_only)
{
    memset(rq, 0, sizeof *rq);
    rq->stand = s->stand;
    rq->users = s->users;
    rq->strategy = strategy;
    rq->target_node = node;
    rq->only = only;
    rq->n_only = n_only;
    rq->api_user = s->conn ? s->conn->user : NULL;
}

/* What the deploy will do, in numbers: students, VMs, nodes with their memory, bridges. */
static void deploy_summary(const struct plan *p, const struct cluster_view *v)
{
    size_t vms = 0, new_vms = 0, bridges = 0;
    printf("\n");
    prompt_title("📋", _("Summary"));
    for (size_t n = 0; n < v->n_nodes; n++) {
        const struct inv_node *nd = &v->nodes[n];
        size_t st = 0, nv = 0;
        long long need = 0;
        for (size_t i = 0; i < p->n_students; i++) {
            const struct plan_student *ps = &p->students[i];
            int here = 0;
            for (size_t k = 0; k < ps->n_vms; k++) {
                const struct plan_vm *pv = &ps->vms[k];
                if (strcmp(pv->node, nd->name) != 0)
                    continue;
                here = 1;
                nv++;
                int src = pv->copy >= 0 ? p->copies[pv->copy].orig : pv->src_vmid;
                const struct inv_vm *t = inv_vm_find(v, src);
                if (!pv->exists && t)
                    need += t->maxmem;
            }
            st += here;
        }
        if (!nv && !nd->online)
            continue;
        double gib = 1024.0 * 1024.0 * 1024.0;
        printf(_("  node %-12s %s: %zu student(s), %zu VM(s); memory %.1f of %.1f GiB in use, "
                 "+%.1f GiB for the new VMs\n"),
               nd->name, nd->online ? _("online") : _("offline"), st, nv, (double)nd->mem / gib,
               (double)nd->maxmem / gib, (double)need / gib);
    }
    for (size_t i = 0; i < p->n_students; i++) {
        vms += p->students[i].n_vms;
        for (size_t k = 0; k < p->students[i].n_vms; k++)
            new_vms += !p->students[i].vms[k].exists;
        for (size_t k = 0; k < p->students[i].n_bridges; k++)
            bridges += !p->students[i].bridges[k].exists;
    }
    for (size_t i = 0; i < p->n_shared_bridges; i++)
        bridges += !p->shared_bridges[i].exists;
    printf(_("  %zu student(s), %zu VM(s) (%zu new), %zu new bridge(s), %zu change(s) in all\n"),
           p->n_students, vms, new_vms, bridges, p->n_acts);
}

/* The node for the remote strategy: malloc'd, NULL at EOF/back. */
static char *node_pick(const struct cluster_view *v)
{
    char **names = calloc(v->n_nodes + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; names && i < v->n_nodes; i++)
        if (v->nodes[i].online)
            names[n++] = v->nodes[i].name;
    char *r = NULL;
    if (n == 0) {
        prompt_error(_("No node is online."));
    } else {
        int i = prompt_pick(_("Node for every student"), names, n, 0);
        if (i >= 0)
            r = strdup(names[i]);
    }
    free(names);
    return r;
}

static void deploy(struct menu *m)
{
    prompt_title("🚀", _("Deploy"));
    char *config = entry_pick(LIB_CONFIG, _("Which config"));
    char *list = config ? entry_pick(LIB_LIST, _("Which user list")) : NULL;
    if (!list) {
        free(config);
        return;
    }
    static const struct prompt_item items[] = {
        {"1", NULL, N_("local: every VM on the node of its template")},
        {"2", NULL, N_("remote: every student on one node you choose")},
        {"3", NULL, N_("balanced: students spread evenly over the online nodes")},
        {"4", NULL, N_("smart: by free memory and CPU of the nodes")},
    };
    static const char *const names[] = {"local", "remote", "balanced", "smart"};
    struct prompt_item tr[4];
    for (size_t i = 0; i < 4; i++)
        tr[i] = (struct prompt_item){items[i].key, NULL, _(items[i].label)};
    printf(_("Placement strategy:\n"));
    int c = prompt_menu(_("Strategy"), tr, 4, 0);
    struct session s;
    if (c < 0 || op_session(m, &s, config, list) < 0) {
        free(config);
        free(list);
        return;
    }
    char *node = NULL;
    struct plan *p = NULL;
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    if (session_inventory(&s, INV_CONFIGS_MARKED))
        goto out;
    if (c == 1 && !(node = node_pick(s.view)))
        goto out;
    struct plan_request rq;
    request_fill(&rq, &s, names[c], node, NULL, 0);
    if (plan_deploy(&rq, s.view, &p) < 0) {
        prompt_error(ds_err_last());
        goto out;
    }
    report_plan(p, names[c], stdout, 0);
    report_problems(p, stdout);
    if (p->n_problems) {
        prompt_error(_("The cluster check found problems (above); nothing was changed."));
        goto out;
    }
    deploy_summary(p, s.view);
    if (p->n_acts) {
        int y = prompt_yesno(_("Deploy now?"), 0);
        if (y != 1) {
            if (y == 0)
                printf(_("Nothing was changed.\n"));
            goto out;
        }
    }
    plan_free(p);
    p = NULL;
    cluster_view_free(s.view);
    s.view = NULL;
    struct stand_op_opts o = {
        .strategy = names[c], .node = node, .out = stdout, .progress = stdout, .confirm = 0};
    fflush(stdout);
    int rc = stand_op_deploy(&s, &o);
    fflush(stdout);
    fflush(stderr);
    if (rc == EXIT_OK)
        prompt_ok(_("Deployed. The credentials are above: hand them out to the students."));
    else
        prompt_error(_("The deploy did not complete for everyone (see above)."));
    pause_enter();
out:
    plan_free(p);
    free(node);
    session_close(&s);
    free(config);
    free(list);
}

/* Items 5 and 6: the whole list, or one user of it. */
static void destroy(struct menu *m, int one)
{
    prompt_title("🗑",
                 one ? _("Delete one user's machines") : _("Delete all users' machines of a list"));
    char *config = entry_pick(LIB_CONFIG, _("Which config (the stand)"));
    char *list = config ? entry_pick(LIB_LIST, _("Which user list")) : NULL;
    char *user = NULL;
    if (!list)
        goto done;
    if (one) {
        char **ids = NULL;
        size_t n = 0;
        if (list_read(list, &ids, &n) < 0)
            goto done;
        int i = n ? prompt_pick(_("Which user"), ids, n, -1) : -1;
        if (!n)
            printf(_("The list is empty.\n"));
        if (i >= 0)
            user = strdup(ids[i]);
        users_ids_free(ids, n);
        if (!user)
            goto done;
    }
    struct session s;
    if (op_session(m, &s, config, list) < 0)
        goto done;
    const char *only[1] = {user};
    struct plan *p = NULL;
    printf(_("Reading the cluster...\n"));
    fflush(stdout);
    if (session_inventory(&s, INV_CONFIGS_ALL))
        goto out;
    struct plan_request rq;
    request_fill(&rq, &s, "local", NULL, one ? only : NULL, one ? 1 : 0);
    if (plan_destroy(&rq, s.view, &p) < 0) {
        prompt_error(ds_err_last());
        goto out;
    }
    if (p->n_acts == 0) {
        printf(_("Nothing of stand '%s' is deployed for %s: there is nothing to delete.\n"),
               s.stand->name, one ? user : list);
        report_problems(p, stdout);
        goto out;
    }
    printf(_("This will be removed:\n"));
    report_plan(p, NULL, stdout, 0);
    report_problems(p, stdout);
    char expect[200], q[400];
    snprintf(expect, sizeof expect, "DELETE_%s", one ? user : list);
    snprintf(q, sizeof q, _("Type %s to delete it all"), expect);
    int y = prompt_typed(q, expect);
    if (y != 1) {
        if (y == 0)
            printf(_("Nothing was removed.\n"));
        goto out;
    }
    plan_free(p);
    p = NULL;
    cluster_view_free(s.view);
    s.view = NULL;
    struct stand_op_opts o = {.strategy = "local",
                              .only = one ? only : NULL,
                              .n_only = one ? 1 : 0,
                              .out = stdout,
                              .progress = stdout,
                              .confirm = 0};
    fflush(stdout);
    int rc = stand_op_destroy(&s, &o);
    fflush(stdout);
    fflush(stderr);
    if (rc == EXIT_OK)
        prompt_ok(_("Deleted and verified."));
    else
        prompt_error(_("The deletion did not complete (see above)."));
    pause_enter();
out:
    plan_free(p);
    session_close(&s);
done:
    free(user);
    free(config);
    free(list);
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

int menu_run(const struct cli_globals *g)
{
    struct menu m = {0};
    m.g = *g;
    m.g.yes = 0;
    m.g.json = 0;
    prompt_init();
    prompt_title("🎓", _("deploy-stand: training stands on Proxmox VE"));
    if (conn_startup(&m) < 0) {
        prompt_end();
        free(m.conn_name);
        free(m.conn_where);
        printf(_("Bye.\n"));
        return EXIT_OK;
    }
    static const struct prompt_item items[] = {
        {"1", "c", N_("create a deployment config")},
        {"2", NULL, N_("manage configs")},
        {"3", "u", N_("user lists")},
        {"4", "d", N_("deploy")},
        {"5", "x", N_("delete all users' machines of a list")},
        {"6", NULL, N_("delete one user's machines")},
        {"7", "s", N_("connection management")},
        {"0", NULL, N_("exit")},
    };
    struct prompt_item tr[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        tr[i] = (struct prompt_item){items[i].key, items[i].hotkey, _(items[i].label)};
    for (;;) {
        header_print(&m);
        int c = prompt_menu(_("Choice"), tr, sizeof tr / sizeof tr[0], -1);
        if (c < 0 || c == 7)
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
            deploy(&m);
            break;
        case 4:
            destroy(&m, 0);
            break;
        case 5:
            destroy(&m, 1);
            break;
        case 6:
            conn_manage(&m);
            if (!m.conn_name)
                goto leave;
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
    return EXIT_OK;
}
