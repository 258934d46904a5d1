/* cmd_plan: `deploy-stand plan` prints every action a deploy would take, grouped by node and
 * student, after the same validation and cluster checks, and changes nothing. */
#include "app/app_deploy.h"
#include "cli/cli.h"
#include "util/i18n.h"

const struct cmd_entry cmd_plan_entry = {
    .name = "plan",
    .usage = "plan --config FILE --users FILE [--strategy NAME] [--node N] [--expires YYYY-MM-DD]",
    .summary = N_("show what a deploy would do, grouped by node and student; changes nothing"),
    .flags = CMD_FILES | CMD_STRATEGY | CMD_EXPIRES,
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --expires DATE    the students' accounts expire at the end of this day (UTC,\n"
               "                    YYYY-MM-DD), instead of the stand's `expires:`\n"),
    .help_after =
        N_("  --refresh-templates  rebuild template copies whose original changed\n"
           "  --overcommit      accept more memory configured on a node than it has (a note,\n"
           "                    not a refusal)\n"
           "  --template-map FILE  the seed's mapper_template.yml (hints for template copies)\n"),
    .run = app_plan,
};
