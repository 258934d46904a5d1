/* cmd_reset: `deploy-stand reset` gives students fresh VMs: their VMs are destroyed and cloned
 * again from the templates, while users (and passwords), pools, roles and bridges stay. */
#include "app/app_reset.h"
#include "cli/cli.h"
#include "util/i18n.h"

const struct cmd_entry cmd_reset_entry = {
    .name = "reset",
    .usage = "reset --config FILE --users FILE [--user USERID]... [--strategy NAME] --yes",
    .summary = N_("give students fresh VMs: destroy and clone them again, keeping users and "
                  "passwords"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"),
    .flags = CMD_FILES | CMD_STRATEGY | CMD_USER | CMD_STATE | CMD_CONFIRM,
    .refuse = N_("reset destroys the students' VMs and clones them again; it needs --yes here"),
    .refuse_hint = N_("add --yes to confirm when not running in a terminal"),
    .help_after =
        N_("  --refresh-templates  rebuild template copies whose original changed\n"
           "  --template-map FILE  the seed's mapper_template.yml (hints for template copies)\n"
           "\nThe students' VMs (found by their marks) are stopped and destroyed, then the\n"
           "stand is deployed again: every VM is cloned fresh from its template. Users,\n"
           "their passwords, pools, roles and bridges stay as they are.\n"),
    .run = app_reset,
};
