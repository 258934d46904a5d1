/* app_ctx: the context's constructor, destructor and steps: inputs, connection, state, lock and
 * inventory. The order is fixed: nothing touches the cluster before every file has been validated.
 */
#include "app/app_ctx.h"
#include "app/app_conn.h"
#include "app/app_lock.h"
#include "config/library.h"
#include "pve/pve_api.h"
#include "util/err.h"
#include "util/i18n.h"
#include "util/xalloc.h"
#include "util/xdg.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void app_ctx_init(struct app_ctx *c, const struct app_env *env, const struct app_events *ev)
{
    memset(c, 0, sizeof *c);
    if (env)
        c->env = *env;
    if (ev)
        c->ev = *ev;
}

/* A --config/--users NAME that is no file but a saved config or list of that name
 * ($XDG_CONFIG_HOME/deploy-stand/{configs,lists}/NAME.yml) means that file. malloc'd. */
static char *lib_input_path(enum lib_kind k, const char *value)
{
    if (access(value, F_OK) != 0 && lib_exists(k, value)) {
        char *p = lib_path(k, value);
        if (p)
            return p;
    }
    return strdup(value);
}

/* A --config/--users value that is neither a file nor a saved entry and names no folder reads as
 * a saved name with a typo: one diagnostic offering the closest saved names. 1 when it is one. */
static int missing_name(enum lib_kind k, const char *value, struct diag_list *d)
{
    if (strchr(value, '/') || access(value, F_OK) == 0 || errno != ENOENT)
        return 0;
    char *near = lib_suggest(k, value), *hint;
    const char *list = k == LIB_CONFIG ? "config list" : "users list";
    if (near)
        hint =
            xasprintf(_("did you mean %s? (`deploy-stand %s` shows the saved names)"), near, list);
    else
        hint = xasprintf(_("check the path; `deploy-stand %s` shows the saved names"), list);
    diag_add(d, value, 0, 0, hint,
             k == LIB_CONFIG ? _("there is no file or saved config named '%s'")
                             : _("there is no file or saved user list named '%s'"),
             value);
    free(hint);
    free(near);
    return 1;
}

static int load_files(struct app_ctx *c, const char *config_path, const char *users_path)
{
    struct diag_list d = {0};
    int bad = missing_name(LIB_CONFIG, config_path, &d);
    bad = bad || stand_load(config_path, &c->stand, &d) < 0;
    if (missing_name(LIB_LIST, users_path, &d))
        bad = 1;
    else
        bad |= users_load(users_path, &c->users, &d) < 0;
    app_diags(&c->ev, &d);
    diag_list_clear(&d);
    if (bad) {
        app_error(&c->ev, NULL, "%s",
                  _("the input files have problems (above); nothing was changed"));
        return APP_USAGE;
    }
    return APP_OK;
}

/* mapper_template.yml: the given file, else next to the stand file, else ./data/. */
int app_ctx_load_template_map(struct app_ctx *c, const char *config_path, const char *given)
{
    char *path = NULL;
    if (given) {
        path = strdup(given);
    } else {
        const char *slash = strrchr(config_path, '/');
        char *cand = NULL;
        if (asprintf(&cand, "%.*smapper_template.yml", slash ? (int)(slash - config_path + 1) : 0,
                     config_path) >= 0 &&
            access(cand, R_OK) == 0)
            path = cand;
        else {
            free(cand);
            if (access("data/mapper_template.yml", R_OK) == 0)
                path = strdup("data/mapper_template.yml");
        }
    }
    if (!path)
        return APP_OK;
    struct diag_list d = {0};
    int rc = template_map_load(path, &c->tmap, &d);
    app_diags(&c->ev, &d);
    diag_list_clear(&d);
    free(path);
    return rc < 0 ? APP_USAGE : APP_OK;
}

int app_ctx_load_inputs(struct app_ctx *c, const char *config, const char *users,
                        const char *template_map)
{
    char *cfg = lib_input_path(LIB_CONFIG, config);
    char *usr = lib_input_path(LIB_LIST, users);
    int rc = cfg && usr ? load_files(c, cfg, usr) : APP_USAGE;
    if (!rc)
        rc = app_ctx_load_template_map(c, cfg, template_map);
    free(cfg);
    free(usr);
    return rc;
}

/* --connections, else a readable ./connections_config.yml, else the XDG one. malloc'd. */
static char *default_connections_path(const struct app_env *env)
{
    if (env->connections_path)
        return strdup(env->connections_path);
    if (access("connections_config.yml", R_OK) == 0)
        return strdup("connections_config.yml");
    char *dir = xdg_config_dir();
    char *p = NULL;
    if (dir && asprintf(&p, "%s/connections_config.yml", dir) < 0)
        p = NULL;
    free(dir);
    return p;
}

void app_ctx_use_connection(struct app_ctx *c, const struct connection *conn)
{
    c->conn_override = *conn;
    c->conn = &c->conn_override;
}

/* One warning per file: it names the file and the fix, never a value. */
static void plaintext_warn(struct app_ctx *c, const char *path)
{
    size_t n = c->conns->n_plaintext;
    char hint[1024];
    snprintf(hint, sizeof hint,
             ngettext("encrypt it in place with `deploy-stand connection encrypt --connections %s`",
                      "encrypt them in place with `deploy-stand connection encrypt --connections "
                      "%s`",
                      n),
             path);
    app_say(&c->ev, APP_ERR, APP_LV_WARNING, hint,
            ngettext("%s holds %zu secret in plaintext (password/token_value)",
                     "%s holds %zu secrets in plaintext (password/token_value)", n),
            path, n);
}

int app_ctx_load_connection(struct app_ctx *c)
{
    if (c->conn)
        return APP_OK;
    char *path = default_connections_path(&c->env);
    if (!path || access(path, R_OK) != 0) {
        app_error(&c->ev,
                  _("create connections_config.yml (see examples/connections_config.yml) or pass "
                    "--connections FILE"),
                  _("no connections file found (looked for %s)"),
                  path ? path : "connections_config.yml");
        free(path);
        return APP_USAGE;
    }
    struct diag_list d = {0};
    int rc = connections_load_ex(path, CONN_LOAD_QUIET, &c->conns, &d);
    app_diags(&c->ev, &d);
    if (rc == 0 && c->conns->n_plaintext)
        plaintext_warn(c, path);
    diag_list_clear(&d);
    free(path);
    if (rc < 0)
        return APP_USAGE;
    c->conn = connections_pick(c->conns, c->env.connection);
    if (!c->conn) {
        app_error(&c->ev, _("pass --connection NAME, or mark one connection with `default: true`"),
                  "%s", ds_err_last());
        return APP_USAGE;
    }
    return APP_OK;
}

int app_ctx_connect(struct app_ctx *c)
{
    const struct connection *cn = c->conn;
    if (!cn->verify_ssl && !cn->fingerprint)
        app_say(&c->ev, APP_ERR, APP_LV_WARNING,
                _("pin the certificate instead with `fingerprint: AA:BB:...` (Datacenter > node "
                  "> Certificates in the web UI)"),
                _("TLS verification is off for connection '%s': anyone on the network path could "
                  "read the credentials."),
                cn->name);
    c->client = app_conn_client_new(cn);
    if (!c->client || pve_client_login(c->client) < 0) {
        char hint[1024];
        snprintf(
            hint, sizeof hint,
            _("if the certificate was renewed on purpose, check the new fingerprint on the node "
              "and pin it: `deploy-stand connection add %s --host %s:%u --user %s ... --trust` "
              "(or --fingerprint NEW); otherwise do not connect"),
            cn->name, cn->host, cn->port, cn->user);
        app_error(&c->ev, c->client && pve_client_pin_mismatch(c->client) ? hint : NULL, "%s",
                  ds_err_last());
        return APP_FAILED;
    }
    return APP_OK;
}

int app_ctx_open_state(struct app_ctx *c)
{
    if (state_open(NULL, &c->state) < 0 || journal_open(NULL, &c->journal) < 0)
        return app_error(&c->ev,
                         _("check $XDG_STATE_HOME and the permissions of its deploy-stand folder"),
                         _("cannot open the local state: %s"), ds_err_last());
    return APP_OK;
}

int app_ctx_begin_run(struct app_ctx *c, const char *command)
{
    c->command = command;
    if (!c->journal)
        return APP_OK;
    if (journal_run_begin(c->journal, command, c->stand->name, &c->run_id) < 0)
        return app_error(&c->ev, NULL, "%s", ds_err_last());
    struct journal_lock holder;
    int rc = journal_lock_stand(c->journal, c->stand->name, command, c->run_id, &holder);
    if (rc < 0)
        return app_error(&c->ev, NULL, "%s", ds_err_last());
    if (rc == 1) {
        char since[64];
        time_t t = (time_t)holder.since;
        strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", localtime(&t));
        journal_run_end(c->journal, c->run_id, "refused: stand locked");
        return app_error(
            &c->ev,
            _("wait for it to finish; if that process is gone for good, its lock is taken "
              "over automatically on its host"),
            _("stand '%s' is being changed by another run: `%s` (run %lld, pid %ld, user %s "
              "on %s) since %s"),
            c->stand->name, holder.command, holder.run_id, holder.pid, holder.user, holder.host,
            since);
    }
    c->locked = 1;
    return APP_OK;
}

int app_ctx_refresh(struct app_ctx *c, enum inv_config_scope scope)
{
    cluster_view_free(c->view);
    c->view = NULL;
    size_t n = c->stand->n_machines;
    int *tpl = calloc(n + 1, sizeof *tpl);
    const char **names = calloc(n + 1, sizeof *names);
    for (size_t i = 0; tpl && names && i < n; i++) {
        tpl[i] = c->stand->machines[i].template_vmid;
        names[i] = c->stand->machines[i].name;
    }
    int rc = tpl && names ? inventory_load(c->client, tpl, n, names, n, scope,
                                           c->all_snapshots ? NULL : c->stand->baseline, &c->view)
                          : ds_err_set("out of memory");
    free(tpl);
    free(names);
    if (rc < 0)
        return app_error(&c->ev, NULL, "%s", ds_err_last());
    json_t *perms = NULL;
    if (pve_permissions_get(c->client, &perms) == 0)
        json_object_set_new(c->view->raw, "permissions", perms);
    return APP_OK;
}

/* --expires YYYY-MM-DD instead of the stand file's `expires:`. APP_OK or APP_USAGE (reported). */
static int override_expires(struct app_ctx *c, const char *date)
{
    long long end = 0;
    int rc = stand_date_parse(date, &end);
    if (rc < 0) {
        app_error(&c->ev, _("write the last day of access as YYYY-MM-DD, e.g. 2025-06-30"),
                  rc == -1 ? _("--expires: '%s' is not a date (YYYY-MM-DD)")
                           : _("--expires: %s is not a real date"),
                  date);
        return APP_USAGE;
    }
    c->stand->expires = end;
    snprintf(c->stand->expires_date, sizeof c->stand->expires_date, "%s", date);
    return APP_OK;
}

int app_ctx_open(struct app_ctx *c, const struct app_env *env, const struct app_events *ev,
                 const struct app_opts *o, int want_state)
{
    app_ctx_init(c, env, ev);
    int rc = app_ctx_load_inputs(c, o->config, o->users, o->template_map);
    if (!rc && o->expires)
        rc = override_expires(c, o->expires);
    if (!rc)
        rc = app_ctx_load_connection(c);
    if (!rc)
        rc = app_ctx_connect(c);
    if (!rc && want_state)
        rc = app_ctx_open_state(c);
    return rc;
}

int app_ctx_open_cluster(struct app_ctx *c, const struct app_env *env, const struct app_events *ev,
                         int want_state)
{
    app_ctx_init(c, env, ev);
    int rc = app_ctx_load_connection(c);
    if (!rc)
        rc = app_ctx_connect(c);
    if (!rc && want_state)
        rc = app_ctx_open_state(c);
    return rc;
}

void app_ctx_set_stand(struct app_ctx *c, struct stand *stand, struct users_list *users)
{
    app_lock_release(c);
    if (c->locked)
        journal_unlock_stand(c->journal, c->stand->name);
    c->locked = 0;
    users_free(c->users);
    stand_free(c->stand);
    c->stand = stand;
    c->users = users;
}

void app_ctx_free(struct app_ctx *c)
{
    app_lock_release(c);
    if (c->locked)
        journal_unlock_stand(c->journal, c->stand->name);
    journal_close(c->journal);
    cluster_view_free(c->view);
    pve_client_free(c->client);
    if (c->state)
        state_close(c->state);
    connections_free(c->conns);
    template_map_free(c->tmap);
    users_free(c->users);
    stand_free(c->stand);
    memset(c, 0, sizeof *c);
}

void app_ctx_warn_unreadable(struct app_ctx *c, size_t n, const char *why)
{
    if (!n)
        return;
    app_say(&c->ev, APP_ERR, APP_LV_WARNING,
            ngettext("restore the key file (or set DEPLOY_STAND_PASSPHRASE) from a backup to show "
                     "it again; the student's account still works. If the key is lost, `destroy "
                     "--user ID` and a new deploy give that student a new password",
                     "restore the key file (or set DEPLOY_STAND_PASSPHRASE) from a backup to show "
                     "them again; the students' accounts still work. If the key is lost, "
                     "`destroy --user ID` and a new deploy give a student a new password",
                     n),
            ngettext("%zu stored password of stand '%s' cannot be read: %s",
                     "%zu stored passwords of stand '%s' cannot be read: %s", n),
            n, c->stand->name, why);
}
