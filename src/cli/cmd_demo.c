/* cmd_demo: `deploy-stand demo`, the embedded default: it starts the simulated cluster in-process,
 * fits the example stand to the scenario's templates, deploys it, shows status and tears it down.
 */
#include "cli/demo_intro.h"
#include "cli/demo_stand.h"
#include "app/app_deploy.h"
#include "app/app_destroy.h"
#include "cli/cli_front.h"
#include "embedded.h"
#include "pve_sim.h"
#include "ui/wizard.h"
#include "util/diag.h"
#include "util/err.h"
#include "util/i18n.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The example stand and class, then the template map as for a stand file in examples/. */
static int load_examples(struct app_ctx *s)
{
    struct diag_list d = {0};
    size_t len;
    const char *cfg = embedded_get("examples/deployment_config.yml", &len);
    int rc = cfg ? stand_load_text("examples/deployment_config.yml", cfg, len, &s->stand, &d) : -1;
    const char *users = embedded_get("examples/users_list.yml", &len);
    if (rc == 0)
        rc = users ? users_load_text("examples/users_list.yml", users, len, &s->users, &d) : -1;
    app_diags(&s->ev, &d);
    diag_list_clear(&d);
    if (rc == 0 && app_ctx_load_template_map(s, "examples/deployment_config.yml", NULL))
        rc = -1;
    return rc;
}

static void banner(const char *title)
{
    printf("\n==== %s ====\n\n", title);
    fflush(stdout);
}

/* The demo's in-memory connection to the simulator, then the login. 0 or EXIT_FAILED. */
static int demo_connect(struct app_ctx *s, struct pve_sim *sim)
{
    struct connection conn = {0}, *c = &conn;
    c->name = "demo";
    c->host = "127.0.0.1";
    c->port = pve_sim_port(sim);
    c->user = "root@pam";
    c->password = (char *)pve_sim_user_password(sim, "root@pam");
    c->verify_ssl = 1;
    c->fingerprint = (char *)pve_sim_fingerprint(sim);
    app_ctx_use_connection(s, c);
    return app_ctx_connect(s);
}

/* Reads the scenario's cluster, points the example stand's machines at its real templates and
 * prints the introduction. 0, EXIT_USAGE (the scenario has no template) or EXIT_FAILED. */
static int demo_fit(struct app_ctx *s, struct pve_sim *sim, const struct pve_sim_options *so)
{
    struct cluster_view *v = NULL;
    if (wizard_view_load(s->client, &v) < 0) {
        cli_error(NULL, "%s", ds_err_last());
        return EXIT_FAILED;
    }
    int rc = 0;
    if (demo_intro_templates(v) == 0) {
        cli_error(_("add a VM with `template: 1` on an online node to the scenario's `vms:` (as in "
                    "examples/clusters/single.yml)"),
                  _("scenario '%s' has no VM template on an online node, so the demo has nothing "
                    "to clone"),
                  so->scenario);
        rc = EXIT_USAGE;
    } else if (demo_stand_fit(s->stand, v) < 0) {
        cli_error(NULL, _("out of memory"));
        rc = EXIT_FAILED;
    } else {
        struct demo_intro in = {.scenario = so->scenario,
                                .url = pve_sim_url(sim),
                                .fingerprint = pve_sim_fingerprint(sim),
                                .time_scale = so->time_scale,
                                .n_students = s->users->n};
        demo_intro_print(stdout, &in, v, s->stand);
    }
    cluster_view_free(v);
    return rc;
}

/* Deploy, status, teardown: the real commands' operations, one after the other. When the
 * templates are spread over nodes, the balanced strategy keeps each student's machines on one node
 * (copying templates there), so that the student's private networks join them. */
static int demo_steps(struct app_ctx *s)
{
    struct app_opts o = {0};
    if (demo_templates_spread(s->stand))
        o.strategy = "balanced";
    banner(_("1. Deploy: plan, progress, credentials"));
    int rc = app_deploy(s, &o);
    if (!rc) {
        banner(_("2. Status"));
        rc = cli_front_status(s, &o);
    }
    if (!rc) {
        banner(_("3. Teardown"));
        rc = app_destroy(s, &o);
    }
    if (!rc)
        printf(
            _("\nDone. To use a real cluster: copy examples/*.yml, put your node, templates and\n"
              "class list in them, then run `deploy-stand plan` and `deploy-stand deploy`\n"
              "(see README.md).\n"));
    return rc;
}

struct demo_opts {
    const char *time_scale, *scenario;
};

/* The built-in scenarios (a scenario file is taken too). */
static const char *const scenarios[] = {"single", "classroom", "campus", NULL};

static const struct cli_opt demo_opts[] = {
    {.name = "--time-scale", .kind = CLI_VALUE, .off = offsetof(struct demo_opts, time_scale)},
    {.name = "--scenario",
     .kind = CLI_VALUE,
     .off = offsetof(struct demo_opts, scenario),
     .choices = scenarios},
    {.name = NULL},
};

static int cmd_demo_exec(struct cli_call *c)
{
    const struct demo_opts *o = c->opts;
    const struct cli_globals *g = c->g;
    struct pve_sim_options so;
    pve_sim_options_init(&so);
    so.scenario = o->scenario ? o->scenario : "classroom";
    so.time_scale = 0.05;
    so.quiet = 1;
    if (o->time_scale) {
        char *end;
        so.time_scale = strtod(o->time_scale, &end);
        if (!*o->time_scale || *end || !(so.time_scale > 0)) {
            cli_error(_("e.g. --time-scale 0.05 (shorter) or --time-scale 1 (real durations)"),
                      _("demo: --time-scale wants a positive number, not '%s'"), o->time_scale);
            return EXIT_USAGE;
        }
    }
    struct pve_sim *sim = NULL;
    char err[256];
    int started = pve_sim_start(&so, &sim, err, sizeof err);
    if (started == PVE_SIM_ESCENARIO) {
        cli_error(_("use single, classroom or campus, or a readable YAML file like "
                    "examples/clusters/classroom.yml"),
                  _("cannot load the scenario: %s"), err);
        return EXIT_USAGE;
    }
    if (started < 0) {
        cli_error(NULL, _("cannot start the simulated cluster: %s"), err);
        return EXIT_FAILED;
    }
    struct cli_globals tg = *g;
    tg.json = 0;
    struct cli_front f;
    cli_front_init(&f, &tg, 0);
    struct app_ctx s;
    app_ctx_init(&s, &f.env, &f.ev);
    int rc = load_examples(&s) < 0 ? EXIT_USAGE : 0; /* the examples are built in: the map */
    if (!rc)
        rc = demo_connect(&s, sim);
    if (!rc)
        rc = demo_fit(&s, sim, &so);
    if (!rc)
        rc = demo_steps(&s);
    app_ctx_free(&s);
    pve_sim_stop(sim);
    return rc;
}

const struct cmd_entry cmd_demo_entry = {
    .name = "demo",
    .usage = "demo [--time-scale F] [--scenario NAME|FILE]",
    .summary = N_("deploy the example stand to a built-in simulated cluster, then tear it down"),
    .help = N_("  --time-scale F    multiply the simulated task durations by F (default 0.05)\n"
               "  --scenario NAME   simulated cluster: single, classroom (default), campus, or a\n"
               "                    scenario file (YAML, like examples/clusters/*.yml); the\n"
               "                    example stand's machines are cloned from its templates\n"),
    .opts = demo_opts,
    .opts_size = sizeof(struct demo_opts),
    .exec = cmd_demo_exec,
};
