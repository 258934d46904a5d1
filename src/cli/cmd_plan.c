/* cmd_plan: `deploy-stand plan` prints every action a deploy would take, grouped by node and
 * student, after the same validation and cluster checks, and changes nothing. */
#include "app/app_deploy.h"
#include "cli/cli_front.h"
#include "cli/stand_args.h"
#include "util/i18n.h"

static int cmd_plan_exec(struct cli_globals *g, int argc, char **argv)
{
    struct stand_args a;
    int rc = stand_args_parse("plan", argc, argv, 1, 0, &a);
    if (rc)
        return rc;
    return cli_front_run(g, &a.o, 0, 0, app_plan);
}

const struct cmd_entry cmd_plan_entry = {
    .name = "plan",
    .usage = "plan --config FILE --users FILE [--strategy NAME] [--node N]",
    .summary = N_("show what a deploy would do, grouped by node and student; changes nothing"),
    .flags = CMD_STRATEGY,
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"),
    .help_after =
        N_("  --refresh-templates  rebuild template copies whose original changed\n"
           "  --template-map FILE  the seed's mapper_template.yml (hints for template copies)\n"),
    .exec = cmd_plan_exec,
};
