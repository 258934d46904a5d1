/* cmd_config: `deploy-stand config ...`: the teacher's saved stands (list, show, validate with or
 * without the cluster, copy, rename, delete, import, and create through the wizard). */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "app/app_deploy.h"
#include "cli/cli_front.h"
#include "config/library.h"
#include "config/stand.h"
#include "config/users.h"
#include "ui/table.h"
#include "ui/wizard.h"
#include "util/diag.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/i18n.h"

/* "lan", "lan.10", "**vmbr100**", "vmbr0" as written in the file. */
static void net_text(const struct stand_net *n, char *out, size_t len)
{
    if (n->kind == STAND_NET_RESERVED)
        snprintf(out, len, "**%s**", n->name);
    else if (n->vid)
        snprintf(out, len, "%s.%d", n->name, n->vid);
    else
        snprintf(out, len, "%s", n->name);
}

/* Checks that NAME is a valid, existing config. 0 or EXIT_USAGE (message printed). */
static int need_existing(const char *name)
{
    if (!lib_name_valid(name) || !lib_exists(LIB_CONFIG, name)) {
        if (!lib_name_valid(name))
            lib_path(LIB_CONFIG, name); /* sets the message */
        else
            ds_err_set(_("there is no config named '%s'"), name);
        cli_error(_("`deploy-stand config list` shows the saved configs"), "%s", ds_err_last());
        return EXIT_USAGE;
    }
    return 0;
}

static int need_new(const char *name)
{
    if (!lib_name_valid(name)) {
        lib_path(LIB_CONFIG, name);
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_USAGE;
    }
    if (lib_exists(LIB_CONFIG, name)) {
        cli_error(_("pick another name, or delete the old one first"),
                  _("a config named '%s' already exists"), name);
        return EXIT_USAGE;
    }
    return 0;
}

/* Loads a saved config; prints its problems. 0 and *out, or EXIT_USAGE. */
static int load_saved(const char *name, struct stand **out)
{
    char *path = lib_path(LIB_CONFIG, name);
    struct diag_list d = {0};
    int rc = stand_load(path, out, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    free(path);
    if (rc < 0) {
        fprintf(stderr, _("error: config '%s' has problems (above)\n"), name);
        return EXIT_USAGE;
    }
    return 0;
}

static int config_list(struct cli_call *c)
{
    const struct cli_globals *g = c->g;
    char **names;
    size_t n;
    if (lib_list(LIB_CONFIG, &names, &n) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    json_t *arr = g->json ? json_array() : NULL;
    const char *hdr[] = {_("NAME"), _("STAND"), _("MACHINES")};
    struct table *t = table_new(3, hdr);
    for (size_t i = 0; i < n; i++) {
        char *path = lib_path(LIB_CONFIG, names[i]);
        struct diag_list d = {0};
        struct stand *s = NULL;
        int ok = stand_load(path, &s, &d) == 0;
        char count[32];
        snprintf(count, sizeof count, "%zu", ok ? s->n_machines : 0);
        if (arr) {
            json_array_append_new(arr,
                                  json_pack("{s:s, s:s, s:o, s:i, s:b}", "name", names[i], "path",
                                            path, "stand", ok ? json_string(s->name) : json_null(),
                                            "machines", ok ? (int)s->n_machines : 0, "valid", ok));
        } else {
            const char *row[] = {names[i], ok ? s->name : _("(has problems)"), ok ? count : "-"};
            table_add(t, row);
        }
        stand_free(s);
        diag_list_clear(&d);
        free(path);
    }
    if (arr) {
        char *txt = json_dumps(arr, JSON_INDENT(2));
        puts(txt);
        free(txt);
        json_decref(arr);
    } else if (n == 0) {
        printf("%s\n", _("No saved configs. Create one with `deploy-stand config create NAME`."));
    } else {
        table_print(t, stdout);
    }
    table_free(t);
    lib_names_free(names, n);
    return EXIT_OK;
}

static int config_show(struct cli_call *c)
{
    const struct cli_globals *g = c->g;
    const char *name = c->pos[0];
    int rc = need_existing(name);
    struct stand *s = NULL;
    if (rc || (rc = load_saved(name, &s)))
        return rc;
    char *path = lib_path(LIB_CONFIG, name);
    if (g->json) {
        json_t *ms = json_array();
        for (size_t i = 0; i < s->n_machines; i++) {
            const struct stand_machine *m = &s->machines[i];
            json_t *nets = json_array();
            for (size_t k = 0; k < m->n_nets; k++) {
                char b[96];
                net_text(&m->nets[k], b, sizeof b);
                json_array_append_new(nets, json_string(b));
            }
            json_array_append_new(ms, json_pack("{s:s, s:s, s:s, s:i, s:b, s:o}", "name", m->name,
                                                "device_type", stand_machine_type_name(m),
                                                "template_node", m->template_node, "template_vmid",
                                                m->template_vmid, "full_clone", m->full_clone,
                                                "networks", nets));
        }
        json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "name", name, "path", path, "stand",
                                s->name, "machines", ms);
        char *txt = json_dumps(doc, JSON_INDENT(2));
        puts(txt);
        free(txt);
        json_decref(doc);
    } else {
        printf(_("Config %s (%s)\n"), name, path);
        printf(ngettext("Stand %s, %zu machine, passwords: %s\n\n",
                        "Stand %s, %zu machines, passwords: %s\n\n", s->n_machines),
               s->name, s->n_machines,
               s->password_policy.style == PASSWORD_DIGITS ? _("digits") : _("unambiguous"));
        const char *hdr[] = {_("MACHINE"), _("TYPE"), _("TEMPLATE"), _("CLONE"), _("NETWORKS")};
        struct table *t = table_new(5, hdr);
        for (size_t i = 0; i < s->n_machines; i++) {
            const struct stand_machine *m = &s->machines[i];
            char tpl[128], nets[1024] = "";
            snprintf(tpl, sizeof tpl, _("%d on %s"), m->template_vmid, m->template_node);
            size_t o = 0;
            for (size_t k = 0; k < m->n_nets && o < sizeof nets - 1; k++) {
                char b[96];
                net_text(&m->nets[k], b, sizeof b);
                int w = snprintf(nets + o, sizeof nets - o, "%s%s", k ? ", " : "", b);
                if (w < 0)
                    break;
                o += (size_t)w;
            }
            const char *row[] = {m->name, stand_machine_type_name(m), tpl,
                                 m->full_clone ? _("full") : _("linked"),
                                 m->n_nets ? nets : _("(the template's)")};
            table_add(t, row);
        }
        table_print(t, stdout);
        table_free(t);
    }
    free(path);
    stand_free(s);
    return EXIT_OK;
}

/* Resolves a --users value: an existing file, else a saved list's path. malloc'd. */
static char *users_arg_path(const char *v)
{
    if (access(v, F_OK) == 0 || !lib_exists(LIB_LIST, v))
        return strdup(v);
    return lib_path(LIB_LIST, v);
}

/* Everything but the plan itself (which went to /dev/null before). */
static void validate_event(const struct app_event *e, void *ud)
{
    if (e->stream == APP_DATA && (e->kind == APP_EV_PLAN || e->kind == APP_EV_PROBLEMS))
        return;
    app_view_event(e, ud);
}

/* The stand is planned (the plan itself is not shown) against the cluster of the connection,
 * with the same template map a deploy of this file would use. st is taken. */
struct validate_opts {
    int live;
    const char *users, *strategy, *node;
};

#define VO(f) offsetof(struct validate_opts, f)
static const struct cli_opt validate_opts[] = {
    {.name = "--live", .kind = CLI_FLAG, .off = VO(live)},
    {.name = "--users",
     .short_name = "-u",
     .kind = CLI_VALUE,
     .off = VO(users),
     .complete = CLI_C_LIST_OR_FILE},
    {.name = "--strategy",
     .short_name = "-s",
     .kind = CLI_VALUE,
     .off = VO(strategy),
     .complete = CLI_C_STRATEGY},
    {.name = "--node", .kind = CLI_VALUE, .off = VO(node)},
    {.name = NULL},
};

static int config_validate_live(const struct cli_globals *g, const char *name, const char *path,
                                struct stand *st, const struct validate_opts *v)
{
    const char *users = v->users;
    struct cli_front f;
    cli_front_init(&f, g, 0);
    struct app_events quiet = f.ev; /* the plan's own output is not shown */
    struct app_ctx s;
    app_ctx_init(&s, &f.env, &f.ev);
    s.stand = st;
    struct diag_list d = {0};
    int rc;
    if (users) {
        char *p = users_arg_path(users);
        rc = users_load(p, &s.users, &d);
        free(p);
    } else {
        /* the plan needs a class: one stand-in student checks everything per machine */
        static const char one[] = "users: [ds-validate@pve]\n";
        rc = users_load_text(_("(one stand-in student)"), one, sizeof one - 1, &s.users, &d);
    }
    diag_print(&d, stderr);
    diag_list_clear(&d);
    rc = rc < 0 ? EXIT_USAGE : app_ctx_load_template_map(&s, path, NULL);
    if (!rc)
        rc = app_ctx_load_connection(&s);
    if (!rc)
        rc = app_ctx_connect(&s);
    if (!rc) {
        struct app_opts o = {.strategy = v->strategy, .node = v->node};
        quiet.emit = validate_event;
        s.ev = quiet;
        rc = app_plan(&s, &o);
        if (!rc)
            printf(_("Config %s fits the cluster of connection %s: templates, nodes, bridges and "
                     "privileges checked.\n"),
                   name, s.conn->name);
    }
    app_ctx_free(&s);
    return rc;
}

static int config_validate(struct cli_call *c)
{
    const struct validate_opts *v = c->opts;
    const char *name = c->pos[0];
    if (stand_args_check_node(c->name, v->strategy, v->node))
        return EXIT_USAGE;
    int rc = need_existing(name);
    struct stand *s = NULL;
    if (rc || (rc = load_saved(name, &s)))
        return rc;
    if (!v->live) {
        printf(ngettext("Config %s is valid: stand %s, %zu machine. Add --live to check it "
                        "against the cluster.\n",
                        "Config %s is valid: stand %s, %zu machines. Add --live to check it "
                        "against the cluster.\n",
                        s->n_machines),
               name, s->name, s->n_machines);
        stand_free(s);
        return EXIT_OK;
    }
    char *path = lib_path(LIB_CONFIG, name);
    rc = path ? config_validate_live(c->g, name, path, s, v) /* takes s */
              : EXIT_FAILED;
    if (!path)
        stand_free(s);
    free(path);
    return rc;
}

static int config_copy_rename(const struct cli_call *c, int rename)
{
    const char *from = c->pos[0], *to = c->pos[1];
    int rc = need_existing(from);
    if (!rc)
        rc = need_new(to);
    if (rc)
        return rc;
    if ((rename ? lib_rename(LIB_CONFIG, from, to) : lib_copy(LIB_CONFIG, from, to)) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    printf(rename ? _("Renamed config %s to %s.\n") : _("Copied config %s to %s.\n"), from, to);
    if (!rename) {
        struct stand *s = NULL;
        struct diag_list d = {0};
        char *path = lib_path(LIB_CONFIG, to);
        if (stand_load(path, &s, &d) == 0 && strcmp(s->name, to) != 0)
            printf(_("Note: both configs deploy the stand '%s'. Change `stand:` in %s before you "
                     "deploy both for the same class.\n"),
                   s->name, path);
        stand_free(s);
        diag_list_clear(&d);
        free(path);
    }
    return EXIT_OK;
}

static int config_copy(struct cli_call *c)
{
    return config_copy_rename(c, 0);
}

static int config_rename(struct cli_call *c)
{
    return config_copy_rename(c, 1);
}

static int config_delete(struct cli_call *c)
{
    const char *name = c->pos[0];
    int rc = need_existing(name);
    if (rc)
        return rc;
    char q[256];
    snprintf(q, sizeof q, _("Delete config %s?"), name);
    if ((rc = cli_confirm(c, q, _("Nothing was deleted."))))
        return rc;
    if (lib_delete(LIB_CONFIG, name) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    printf(_("Deleted config %s.\n"), name);
    return EXIT_OK;
}

static int config_import(struct cli_call *c)
{
    const char *name = c->pos[0], *file = c->pos[1];
    if (!lib_name_valid(name)) {
        lib_path(LIB_CONFIG, name);
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_USAGE;
    }
    if (!c->g->yes && lib_exists(LIB_CONFIG, name)) {
        cli_error(_("add --yes to replace it"), _("a config named '%s' already exists"), name);
        return EXIT_USAGE;
    }
    struct diag_list d = {0};
    struct stand *s = NULL;
    int rc = stand_load(file, &s, &d);
    diag_print(&d, stderr);
    diag_list_clear(&d);
    stand_free(s);
    if (rc < 0) {
        fprintf(stderr, "%s\n", _("error: the file has problems (above); nothing was saved"));
        return EXIT_USAGE;
    }
    char *text = NULL;
    int err = fs_read_file(file, 0, &text, NULL);
    if (err) {
        cli_error(NULL, _("cannot read %s: %s"), file, fs_strerror(err));
        return EXIT_USAGE;
    }
    rc = lib_save(LIB_CONFIG, name, text);
    free(text);
    if (rc < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    printf(_("Saved %s as config %s.\n"), file, name);
    return EXIT_OK;
}

static int config_create(struct cli_call *c)
{
    const char *name = c->pos[0];
    int rc = need_new(name);
    if (rc)
        return rc;
    struct cli_front f;
    cli_front_init(&f, c->g, 0);
    struct app_ctx s;
    app_ctx_init(&s, &f.env, &f.ev);
    rc = app_ctx_load_connection(&s);
    if (!rc)
        rc = app_ctx_connect(&s);
    struct cluster_view *view = NULL;
    if (!rc && wizard_view_load(s.client, &view) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        rc = EXIT_FAILED;
    }
    if (!rc) {
        char *yaml = wizard_config(&wizard_io_stdio, view);
        if (!yaml) {
            printf("%s\n", _("The wizard ended; nothing was saved."));
            rc = EXIT_FAILED;
        } else if (lib_save(LIB_CONFIG, name, yaml) < 0) {
            cli_error(NULL, "%s", ds_err_last());
            rc = EXIT_FAILED;
        } else {
            char *path = lib_path(LIB_CONFIG, name);
            printf(_("Saved config %s (%s).\n"), name, path);
            free(path);
        }
        free(yaml);
    }
    cluster_view_free(view);
    app_ctx_free(&s);
    return rc;
}

static const struct cmd_entry config_subs[] = {
    CMD_SUB("list", "config list", 0, 0, config_list,
            .summary = N_("the saved configs with their stand and machine count")),
    CMD_SUB("show", "config show NAME", 1, 1, config_show,
            .summary = N_("the machines of a config"), .pos_complete = {CLI_C_CONFIG}),
    CMD_SUB("validate",
            "config validate NAME [--live] [--users LIST|FILE] [--strategy S [--node N]]", 1, 1,
            config_validate,
            .summary = N_("check the file; with --live also against the cluster\n"
                          "(templates, nodes, bridges, privileges) as `plan` does"),
            .help = N_("  --live            also plan it against the cluster of the connection\n"
                       "  --users LIST|FILE the class to plan for (default: one stand-in student)\n"
                       "  --strategy S      the placement to check (default local)\n"
                       "  --node N          the target node of a strategy that needs one\n"),
            .opts = validate_opts, .opts_size = sizeof(struct validate_opts),
            .pos_complete = {CLI_C_CONFIG}, .want_pos = N_("%s: which config?"),
            .want_hint = N_("e.g. deploy-stand config validate mylab --live")),
    CMD_SUB("copy", "config copy FROM TO", 2, 2, config_copy,
            .summary = N_("copy a config (the target must not exist)"),
            .pos_complete = {CLI_C_CONFIG}),
    CMD_SUB("rename", "config rename FROM TO", 2, 2, config_rename,
            .summary = N_("rename a config (the target must not exist)"),
            .pos_complete = {CLI_C_CONFIG}),
    CMD_SUB("delete", "config delete NAME --yes", 1, 1, config_delete,
            .summary = N_("delete a config"), .flags = CMD_CONFIRM, .pos_complete = {CLI_C_CONFIG},
            .refuse = N_("config delete: not deleting %s without --yes"),
            .refuse_hint = N_("add --yes to delete it")),
    CMD_SUB("import", "config import NAME FILE", 2, 2, config_import,
            .summary = N_("validate a deployment_config.yml and save it as NAME\n"
                          "(--yes replaces an existing one)"),
            .pos_complete = {CLI_C_NONE, CLI_C_FILE}),
    CMD_SUB("create", "config create NAME", 1, 1, config_create,
            .summary = N_("the wizard: lists the cluster's templates and asks\n"
                          "machine after machine on the terminal")),
    {.name = NULL},
};

const struct cmd_entry cmd_config_entry = {
    .name = "config",
    .usage = "config list | show NAME | validate NAME [--live] | copy A B | rename A B | "
             "delete NAME --yes | import NAME FILE | create NAME",
    .summary = N_("saved stand configs: list, show, validate, copy, rename, delete, create"),
    .help = N_("Saved configs live in $XDG_CONFIG_HOME/deploy-stand/configs/NAME.yml (mode 0600).\n"
               "`--config NAME` of plan, deploy, status and destroy finds them by name.\n\n"),
    .subs = config_subs,
    .default_sub = "list",
};
