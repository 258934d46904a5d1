/* cmd_reset: `deploy-stand reset` puts students' VMs back to the stand's baseline snapshot (or
 * clones them fresh), while users (and passwords), pools, roles and bridges stay. */
#include "app/app_reset.h"
#include "cli/cli.h"
#include "ui/status_view.h"
#include "util/i18n.h"
#include <stddef.h>

struct reset_opts {
    int start;   /* --start */
    int reclone; /* --reclone */
};

static const struct cli_opt reset_opts[] = {
    {.name = "--start", .kind = CLI_FLAG, .off = offsetof(struct reset_opts, start)},
    {.name = "--reclone", .kind = CLI_FLAG, .off = offsetof(struct reset_opts, reclone)},
    {.name = NULL},
};

static int run_reset(struct app_ctx *c, const struct app_opts *o, const void *arg, json_t **out)
{
    (void)arg;
    return app_reset(c, o, out);
}

static int cmd_reset_exec(struct cli_call *call)
{
    const struct reset_opts *ro = call->opts;
    call->sa.o.start = ro->start;
    call->sa.o.reclone = ro->reclone;
    struct cli_result_op op = {.run = run_reset, .show = status_view_result};
    return cli_run_result(call, &op);
}

const struct cmd_entry cmd_reset_entry = {
    .name = "reset",
    .usage = "reset --config FILE --users FILE [--user USERID]... [--vm NAME] [--start] "
             "[--reclone] [--strategy NAME] --yes",
    .summary = N_("roll the students' VMs back to the baseline snapshot, keeping users"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --vm NAME         only this machine of each student\n"
               "  --start           start every VM afterwards (default: the state it had)\n"
               "  --reclone         destroy the VMs and clone them fresh instead\n"),
    .flags = CMD_FILES | CMD_STRATEGY | CMD_USER | CMD_VM | CMD_STATE | CMD_CONFIRM,
    .opts = reset_opts,
    .opts_size = sizeof(struct reset_opts),
    .refuse = N_("reset rolls back or re-clones the students' VMs; it needs --yes here"),
    .refuse_hint = N_("add --yes to confirm when not running in a terminal"),
    .help_after =
        N_("  --refresh-templates  rebuild template copies whose original changed\n"
           "  --overcommit      accept more memory configured on a node than it has (a note,\n"
           "                    not a refusal)\n"
           "  --template-map FILE  the seed's mapper_template.yml (hints for template copies)\n"
           "\nEach VM (found by its marks) is rolled back to the stand's baseline snapshot, all\n"
           "in parallel. A VM without the baseline (its storage cannot take snapshots, or the\n"
           "snapshot is gone) is destroyed and cloned fresh from its template instead, and a\n"
           "machine a student has no VM for is cloned; --reclone does that for every VM. Each\n"
           "VM ends running or stopped as it was before (running with --start). Users, their\n"
           "passwords, pools, roles and bridges stay as they are.\n"),
    .exec = cmd_reset_exec,
};
