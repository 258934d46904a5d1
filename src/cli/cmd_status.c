/* cmd_status: `deploy-stand status` shows per student the user, pool, node, each VM with its power
 * state and uptime, "N of M running", the bridges and the stand's expiry, read from the marks. */
#include "cli/cli_front.h"
#include "util/i18n.h"

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status --config FILE --users FILE",
    .summary =
        N_("show each student's VMs (power state, uptime), pool and bridges, and the expiry"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"),
    .flags = CMD_FILES,
    .run = cli_front_status,
};
