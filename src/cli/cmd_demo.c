/* cmd_demo: `deploy-stand demo`, the embedded default: it starts the simulated cluster in-process,
 * deploys the example stand for three students, shows status and credentials, and tears it down. */
#include "cli/stand_ops.h"
#include "embedded.h"
#include "pve_sim.h"
#include "util/diag.h"
#include "util/i18n.h"
#include <stdlib.h>
#include <string.h>

static int load_examples(struct session *s)
{
    struct diag_list d = {0};
    size_t len;
    const char *cfg = embedded_get("examples/deployment_config.yml", &len);
    int rc = cfg ? stand_load_text("examples/deployment_config.yml", cfg, len, &s->stand, &d) : -1;
    const char *users = embedded_get("examples/users_list.yml", &len);
    if (rc == 0)
        rc = users ? users_load_text("examples/users_list.yml", users, len, &s->users, &d) : -1;
    diag_print(&d, stderr);
    diag_list_clear(&d);
    return rc;
}

static void banner(const char *title)
{
    printf("\n==== %s ====\n\n", title);
    fflush(stdout);
}

static int cmd_demo_exec(struct cli_globals *g, int argc, char **argv)
{
    struct pve_sim_options so;
    pve_sim_options_init(&so);
    so.scenario = "classroom";
    so.time_scale = 0.05;
    so.quiet = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--time-scale") == 0 && i + 1 < argc) {
            so.time_scale = atof(argv[++i]);
        } else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) {
            so.scenario = argv[++i];
        } else {
            cli_error(_("see `deploy-stand demo --help`"), _("demo: unknown option '%s'"), argv[i]);
            return EXIT_USAGE;
        }
    }
    struct pve_sim *sim = NULL;
    char err[256];
    if (pve_sim_start(&so, &sim, err, sizeof err) < 0) {
        cli_error(NULL, _("cannot start the simulated cluster: %s"), err);
        return EXIT_FAILED;
    }
    printf(_("deploy-stand demo\n\n"
             "A simulated Proxmox VE 8.4 cluster ('%s' scenario: 3 nodes, templates 100, 101 and\n"
             "102 on pve1) now runs at %s (TLS pinned to %.23s...).\n"
             "The demo deploys the example stand (examples/deployment_config.yml: a web server,\n"
             "a client and an EcoRouter, with a private 'lan' network per student, a VLAN and a\n"
             "shared reserved bridge) for the 3 students of examples/users_list.yml, shows the\n"
             "result, and removes everything again. Task times are scaled by %.2f.\n"),
           so.scenario, pve_sim_url(sim), pve_sim_fingerprint(sim), so.time_scale);

    struct session s;
    memset(&s, 0, sizeof s);
    s.g = g;
    int rc = load_examples(&s) < 0 ? EXIT_FAILED : 0;
    if (!rc) {
        struct connection *c = &s.conn_override;
        c->name = "demo";
        c->host = "127.0.0.1";
        c->port = pve_sim_port(sim);
        c->user = "root@pam";
        c->password = (char *)pve_sim_user_password(sim, "root@pam");
        c->verify_ssl = 1;
        c->fingerprint = (char *)pve_sim_fingerprint(sim);
        s.conn = c;
        rc = session_connect(&s);
    }
    struct stand_op_opts o = {.json = 0, .out = stdout, .progress = stdout};
    if (!rc) {
        banner(_("1. Deploy: plan, progress, credentials"));
        rc = stand_op_deploy(&s, &o);
    }
    if (!rc) {
        banner(_("2. Status"));
        cluster_view_free(s.view);
        s.view = NULL;
        rc = stand_op_status(&s, &o);
    }
    if (!rc) {
        banner(_("3. Teardown"));
        cluster_view_free(s.view);
        s.view = NULL;
        rc = stand_op_destroy(&s, &o);
    }
    if (!rc)
        printf(
            _("\nDone. To use a real cluster: copy examples/*.yml, put your node, templates and\n"
              "class list in them, then run `deploy-stand plan` and `deploy-stand deploy`\n"
              "(see README.md).\n"));
    session_close(&s);
    pve_sim_stop(sim);
    return rc;
}

const struct cmd_entry cmd_demo_entry = {
    .name = "demo",
    .usage = "demo [--time-scale F] [--scenario NAME]",
    .summary = N_("deploy the example stand to a built-in simulated cluster, then tear it down"),
    .help = N_("  --time-scale F    multiply the simulated task durations by F (default 0.05)\n"
               "  --scenario NAME   simulated cluster: single, classroom (default) or campus\n"),
    .exec = cmd_demo_exec,
};
