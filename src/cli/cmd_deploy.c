/* cmd_deploy: `deploy-stand deploy` creates every student's stand and prints the credentials.
 * Exit 0 when every student is complete, 1 when any failed (rolled back), 2 for input errors;
 * without a terminal it needs --yes. */
#include "app/app_deploy.h"
#include "cli/cli.h"
#include "util/i18n.h"

const struct cmd_entry cmd_deploy_entry = {
    .name = "deploy",
    .usage =
        "deploy --config FILE --users FILE [--strategy NAME] [--node N] [--parallel-per-node N] "
        "[--expires YYYY-MM-DD]",
    .summary = N_("deploy the stand for every student and print their credentials"),
    .flags = CMD_FILES | CMD_STRATEGY | CMD_STATE | CMD_CONFIRM | CMD_EXPIRES,
    .refuse = N_("deploy creates users, pools and VMs; it needs --yes here"),
    .refuse_hint = N_("add --yes to confirm when not running in a terminal (scripts, CI); "
                      "`deploy-stand plan` shows what it would do"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --expires DATE    the students' accounts expire at the end of this day (UTC,\n"
               "                    YYYY-MM-DD), instead of the stand's `expires:`\n"),
    .help_after =
        N_("  --refresh-templates  rebuild template copies whose original changed\n"
           "  --overcommit      accept more memory configured on a node than it has (a note,\n"
           "                    not a refusal)\n"
           "  --template-map FILE  the seed's mapper_template.yml (hints for template copies)\n"
           "  --parallel-per-node N  concurrent Proxmox tasks per node (default 4; halved on\n"
           "                    lock errors, grown back gradually)\n"
           "  --workers N       concurrent actions in all (default: 4 per node + 2)\n"
           "  --break-lock      take over the stand's lock on the cluster from a run that has\n"
           "                    not renewed it for 150 s (its machine crashed)\n\n"
           "Running it again changes nothing; adding a student deploys only that student.\n"
           "Passwords are kept in $XDG_STATE_HOME/deploy-stand/state.db (mode 0600).\n"
           "Without a terminal (scripts, CI) it needs --yes.\n"
           "Exit status: 0 all students OK, 1 some failed (their objects are rolled back),\n"
           "2 bad input.\n"),
    .run = app_deploy,
};
