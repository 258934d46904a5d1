/* session: what the stand commands share: inputs, connection, local state and inventory.
 * The order is fixed: nothing touches the cluster before every file has been validated. */
#include "cli/session.h"
#include "cli/connection_ops.h"
#include "config/library.h"
#include "pve/pve_api.h"
#include "store/journal.h"
#include "util/diag.h"
#include "util/err.h"
#include "util/xdg.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int session_require_files(const char *cmd, const char *config, const char *users)
{
    if (!config || !users) {
        cli_error(_("both are needed, e.g. --config deployment_config.yml --users users_list.yml"),
                  _("%s: missing %s"), cmd, !config ? "--config FILE" : "--users FILE");
        return EXIT_USAGE;
    }
    return 0;
}

static int session_load_files(struct session *s, const char *config_path, const char *users_path);

/* --config/--users NAME: when no such file exists but the teacher's library holds a saved config
 * or list of that name ($XDG_CONFIG_HOME/deploy-stand/{configs,lists}/NAME.yml), use that file.
 * Returns the path to load (malloc'd). */
static char *lib_input_path(enum lib_kind k, const char *value)
{
    if (access(value, F_OK) != 0 && lib_exists(k, value)) {
        char *p = lib_path(k, value);
        if (p)
            return p;
    }
    return strdup(value);
}

int session_load_inputs(struct session *s, const char *config_path, const char *users_path)
{
    char *cfg = lib_input_path(LIB_CONFIG, config_path);
    char *usr = lib_input_path(LIB_LIST, users_path);
    int rc = session_load_files(s, cfg, usr);
    free(cfg);
    free(usr);
    return rc;
}

static int session_load_files(struct session *s, const char *config_path, const char *users_path)
{
    struct diag_list d = {0};
    int bad = stand_load(config_path, &s->stand, &d) < 0;
    bad |= users_load(users_path, &s->users, &d) < 0;
    if (bad || d.n) {
        diag_print(&d, stderr);
        diag_list_clear(&d);
        if (bad) {
            fprintf(stderr,
                    _("error: the input files have problems (above); nothing was changed\n"));
            return EXIT_USAGE;
        }
    }
    return 0;
}

static char *default_connections_path(void)
{
    if (access("connections_config.yml", R_OK) == 0)
        return strdup("connections_config.yml");
    char *dir = xdg_config_dir();
    char *p = NULL;
    if (dir && asprintf(&p, "%s/connections_config.yml", dir) < 0)
        p = NULL;
    free(dir);
    return p;
}

int session_load_connection(struct session *s)
{
    if (s->conn)
        return 0;
    char *path =
        s->g->connections_path ? strdup(s->g->connections_path) : default_connections_path();
    if (!path || access(path, R_OK) != 0) {
        cli_error(_("create connections_config.yml (see examples/connections_config.yml) or pass "
                    "--connections FILE"),
                  _("no connections file found (looked for %s)"),
                  path ? path : "connections_config.yml");
        free(path);
        return EXIT_USAGE;
    }
    struct diag_list d = {0};
    int rc = connections_load(path, &s->conns, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    if (rc < 0) {
        free(path);
        return EXIT_USAGE;
    }
    s->conn = connections_pick(s->conns, s->g->connection);
    if (!s->conn) {
        cli_error(_("pass --connection NAME, or mark one connection with `default: true`"), "%s",
                  ds_err_last());
        free(path);
        return EXIT_USAGE;
    }
    free(path);
    return 0;
}

int session_connect(struct session *s)
{
    const struct connection *c = s->conn;
    if (!c->verify_ssl && !c->fingerprint)
        fprintf(stderr,
                _("warning: TLS verification is off for connection '%s': anyone on the network "
                  "path could read the credentials.\nhint: pin the certificate instead with "
                  "`fingerprint: AA:BB:...` (Datacenter > node > Certificates in the web UI)\n"),
                c->name);
    s->client = conn_client_new(c);
    if (!s->client || pve_client_login(s->client) < 0) {
        char hint[1024];
        snprintf(
            hint, sizeof hint,
            _("if the certificate was renewed on purpose, check the new fingerprint on the node "
              "and pin it: `deploy-stand connection add %s --host %s:%u --user %s ... --trust` "
              "(or --fingerprint NEW); otherwise do not connect"),
            c->name, c->host, c->port, c->user);
        cli_error(pve_client_pin_mismatch(s->client) ? hint : NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    return 0;
}

int session_open_state(struct session *s)
{
    if (state_open(NULL, &s->state) < 0 || journal_open(NULL, &s->journal) < 0) {
        cli_error(_("check $XDG_STATE_HOME and the permissions of its deploy-stand folder"),
                  _("cannot open the local state: %s"), ds_err_last());
        return EXIT_FAILED;
    }
    return 0;
}

int session_begin_run(struct session *s, const char *command)
{
    if (!s->journal)
        return 0;
    if (journal_run_begin(s->journal, command, s->stand->name, &s->run_id) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    struct journal_lock holder;
    int rc = journal_lock_stand(s->journal, s->stand->name, command, s->run_id, &holder);
    if (rc < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    if (rc == 1) {
        char since[64];
        time_t t = (time_t)holder.since;
        strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", localtime(&t));
        journal_run_end(s->journal, s->run_id, "refused: stand locked");
        cli_error(_("wait for it to finish; if that process is gone for good, its lock is taken "
                    "over automatically on its host"),
                  _("stand '%s' is being changed by another run: `%s` (run %lld, pid %ld, user %s "
                    "on %s) since %s"),
                  s->stand->name, holder.command, holder.run_id, holder.pid, holder.user,
                  holder.host, since);
        return EXIT_FAILED;
    }
    s->locked = 1;
    return 0;
}

int session_inventory(struct session *s, enum inv_config_scope scope)
{
    int *tpl = calloc(s->stand->n_machines + 1, sizeof *tpl);
    const char **names = calloc(s->stand->n_machines + 1, sizeof *names);
    for (size_t i = 0; i < s->stand->n_machines; i++) {
        tpl[i] = s->stand->machines[i].template_vmid;
        names[i] = s->stand->machines[i].name;
    }
    int rc = inventory_load(s->client, tpl, s->stand->n_machines, names, s->stand->n_machines,
                            scope, &s->view);
    free(tpl);
    free(names);
    if (rc < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    json_t *perms = NULL;
    if (pve_permissions_get(s->client, &perms) == 0)
        json_object_set_new(s->view->raw, "permissions", perms);
    return 0;
}

void session_close(struct session *s)
{
    if (s->locked)
        journal_unlock_stand(s->journal, s->stand->name);
    journal_close(s->journal);
    cluster_view_free(s->view);
    pve_client_free(s->client);
    if (s->state)
        state_close(s->state);
    connections_free(s->conns);
    template_map_free(s->tmap);
    users_free(s->users);
    stand_free(s->stand);
    memset(s, 0, sizeof *s);
}

static int parse_int_opt(const char *cmd, const char *opt, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) {
        cli_error(NULL, _("%s: %s wants a number from %d to %d, not '%s'"), cmd, opt, lo, hi, v);
        return EXIT_USAGE;
    }
    *out = (int)n;
    return 0;
}

int stand_args_parse(const char *cmd, int argc, char **argv, int allow_strategy, int allow_user,
                     struct stand_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char **slot = NULL;
        int *islot = NULL, lo = 1, hi = 64;
        if (strcmp(opt, "--config") == 0 || strcmp(opt, "-c") == 0)
            slot = &a->config;
        else if (strcmp(opt, "--users") == 0 || strcmp(opt, "-u") == 0)
            slot = &a->users;
        else if (allow_strategy && (strcmp(opt, "--strategy") == 0 || strcmp(opt, "-s") == 0))
            slot = &a->strategy;
        else if (allow_strategy && strcmp(opt, "--node") == 0)
            slot = &a->node;
        else if (allow_strategy && strcmp(opt, "--template-map") == 0)
            slot = &a->template_map;
        else if (allow_strategy && strcmp(opt, "--refresh-templates") == 0) {
            a->refresh_templates = 1;
            continue;
        } else if (strcmp(opt, "--parallel-per-node") == 0)
            islot = &a->per_node;
        else if (strcmp(opt, "--workers") == 0)
            islot = &a->workers;
        else if (allow_strategy && strcmp(opt, "--mem-reserve") == 0) {
            int pct;
            if (i + 1 >= argc || parse_int_opt(cmd, opt, argv[i + 1], 0, 90, &pct))
                return EXIT_USAGE;
            a->mem_reserve = pct / 100.0;
            if (pct == 0)
                a->mem_reserve = 1e-9; /* "no reserve" rather than the default */
            i++;
            continue;
        } else if (allow_user && strcmp(opt, "--user") == 0) {
            if (i + 1 >= argc || a->n_only >= sizeof a->only / sizeof a->only[0]) {
                cli_error(_("e.g. --user student1@pve"), _("%s: --user needs a user id"), cmd);
                return EXIT_USAGE;
            }
            a->only[a->n_only++] = argv[++i];
            continue;
        } else {
            cli_error(_("see `deploy-stand COMMAND --help`"), _("%s: unknown option '%s'"), cmd,
                      opt);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            cli_error(_("give a value after it"), _("%s: option %s needs an argument"), cmd, opt);
            return EXIT_USAGE;
        }
        if (islot) {
            if (parse_int_opt(cmd, opt, argv[++i], lo, hi, islot))
                return EXIT_USAGE;
            continue;
        }
        *slot = argv[++i];
    }
    if (a->strategy && strcmp(a->strategy, "remote") == 0 && !a->node) {
        cli_error(_("e.g. --strategy remote --node pve2"),
                  _("%s: strategy remote needs --node NAME"), cmd);
        return EXIT_USAGE;
    }
    return session_require_files(cmd, a->config, a->users);
}

/* mapper_template.yml: --template-map, else next to the stand file, else ./data/. */
static int load_template_map(struct session *s, const struct stand_args *a)
{
    char *path = NULL;
    if (a->template_map) {
        path = strdup(a->template_map);
    } else {
        const char *slash = strrchr(a->config, '/');
        char *cand = NULL;
        if (asprintf(&cand, "%.*smapper_template.yml", slash ? (int)(slash - a->config + 1) : 0,
                     a->config) >= 0 &&
            access(cand, R_OK) == 0)
            path = cand;
        else {
            free(cand);
            if (access("data/mapper_template.yml", R_OK) == 0)
                path = strdup("data/mapper_template.yml");
        }
    }
    if (!path)
        return 0;
    struct diag_list d = {0};
    int rc = template_map_load(path, &s->tmap, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    free(path);
    return rc < 0 ? EXIT_USAGE : 0;
}

int session_open_all(struct session *s, struct cli_globals *g, const struct stand_args *a,
                     int want_state)
{
    memset(s, 0, sizeof *s);
    s->g = g;
    int rc = session_load_inputs(s, a->config, a->users);
    if (!rc)
        rc = load_template_map(s, a);
    if (!rc)
        rc = session_load_connection(s);
    if (!rc)
        rc = session_connect(s);
    if (!rc && want_state)
        rc = session_open_state(s);
    return rc;
}
