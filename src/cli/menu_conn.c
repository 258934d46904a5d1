/* menu_conn: the menu's connection part: choose or create the connection at start-up, check it
 * (nodes online), and manage the connections (list, add, test, default, delete, switch). */
#include "cli/menu_conn.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_conn.h"
#include "pve/pve_api.h"
#include "store/secrets.h"
#include "cli/conn_view.h"
#include "cli/menu.h"
#include "ui/prompt.h"
#include "util/err.h"
#include "util/i18n.h"

/* The connections as a table. */
static void menu_conn_list(struct menu *m)
{
    char *path = NULL;
    struct connections *cs = NULL;
    if (app_conn_list(&m->g, &m->ev, &path, &cs) == 0)
        conn_view_list(path, cs, stdout, 0);
    connections_free(cs);
    free(path);
}

/* Connects with the active connection and counts the nodes. 0 or -1 (printed). */
int menu_conn_check(struct menu *m)
{
    struct app_ctx s;
    app_ctx_init(&s, &m->g, &m->ev);
    int rc = app_ctx_load_connection(&s) || app_ctx_connect(&s);
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
    app_ctx_free(&s);
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
        return APP_FAILED;
    }
    return 0;
}

static int menu_secret(void *ud, const char *what, char **out)
{
    (void)what;
    char **pw = ud;
    *out = *pw;
    *pw = NULL;
    return *out ? 0 : APP_USAGE;
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
    if (app_conn_add(&m->g, &m->ev, &r, &io) == 0) {
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
    char *path = app_conn_path(&m->g, 0);
    int exists = path && access(path, F_OK) == 0;
    free(path);
    struct connections *cs = NULL;
    if (!exists || app_conn_load(&m->g, &m->ev, CONN_LOAD_QUIET | CONN_LOAD_RAW_SECRETS, &cs))
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
int menu_conn_startup(struct menu *m)
{
    if (m->g.connection) { /* --connection NAME */
        m->conn_name = strdup(m->g.connection);
        m->g.connection = m->conn_name;
        if (menu_conn_check(m) == 0)
            return 0;
    }
    while (!prompt_cancelled()) {
        size_t n;
        int dflt;
        char **names = conn_names(m, &n, &dflt);
        if (n == 0) {
            names_free(names, n);
            printf(_("There is no saved connection yet; let's create one.\n"));
            if (conn_create(m, 1) == 0 && menu_conn_check(m) == 0)
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
        if (ok == 0 && menu_conn_check(m) == 0)
            return 0;
    }
    return -1;
}

static const char *const conn_items[] = {N_("list the connections"),
                                         N_("add a connection"),
                                         N_("test a connection"),
                                         N_("set the default connection"),
                                         N_("delete a connection"),
                                         N_("switch to another connection"),
                                         NULL};

void menu_conn_manage(struct menu *m)
{
    for (int c; (c = menu_choose("⚙", _("Connection management"), conn_items)) >= 0;) {
        fflush(stdout);
        if (c == 0) {
            menu_conn_list(m);
            continue;
        }
        if (c == 1) {
            if (conn_create(m, 0) == 0 && menu_conn_check(m) < 0)
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
                app_conn_test(&m->g, &m->ev, names[i]);
            } else if (c == 3) {
                app_conn_default(&m->g, &m->ev, names[i]);
            } else if (c == 4) {
                char q[300];
                snprintf(q, sizeof q, _("Delete the connection '%s'?"), names[i]);
                if (prompt_yesno(q, 0) == 1) {
                    int active = m->conn_name && strcmp(names[i], m->conn_name) == 0;
                    if (app_conn_delete(&m->g, &m->ev, names[i]) == 0 && active) {
                        free(m->conn_name);
                        m->conn_name = NULL;
                        m->g.connection = NULL;
                        names_free(names, n);
                        printf(_("That was the active connection; choose another one.\n"));
                        if (menu_conn_startup(m) < 0)
                            return;
                        continue;
                    }
                }
            } else if (c == 5) {
                char *old = m->conn_name;
                m->conn_name = strdup(names[i]);
                m->g.connection = m->conn_name;
                if (menu_conn_check(m) < 0) {
                    free(m->conn_name);
                    m->conn_name = old;
                    m->g.connection = old;
                    menu_conn_check(m);
                } else {
                    free(old);
                }
            }
            fflush(stderr);
        }
        names_free(names, n);
    }
}
