/* cmd_destroy: `deploy-stand destroy` removes the students' marked VMs, pools, users and the
 * bridges it created that nothing uses any more, then checks that nothing is left. */
#include "app/app_destroy.h"
#include "cli/cli.h"
#include "util/i18n.h"

const struct cmd_entry cmd_destroy_entry = {
    .name = "destroy",
    .usage = "destroy --config FILE --users FILE [--user USERID]... --yes",
    .summary = N_("remove the students' stands: exactly what deploy-stand created, nothing else"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n"
               "  --break-lock      take over the stand's lock on the cluster from a run that has\n"
               "                    not renewed it for 150 s (its machine crashed)\n\n"
               "Stops and destroys the students' VMs (tagged ds-<stand>), deletes their pools and\n"
               "users when deploy-stand created them, deletes the bridges it created that no VM\n"
               "uses any more, and applies the network once per touched node. Objects without\n"
               "deploy-stand's marks are never touched, even when their names match.\n"),
    .flags = CMD_FILES | CMD_USER | CMD_STATE | CMD_CONFIRM,
    .refuse = N_("destroy removes VMs and users; it needs --yes here"),
    .refuse_hint = N_("add --yes to confirm when not running in a terminal"),
    .run = app_destroy,
};
