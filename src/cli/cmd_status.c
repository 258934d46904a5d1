/* cmd_status: `deploy-stand status` shows per student the user, pool, node, each VM with its
 * state and the bridges, read from the cluster's ownership marks. */
#include "cli/cli_front.h"
#include "util/i18n.h"

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status --config FILE --users FILE",
    .summary = N_("show each student's user, pool, VMs (with their state) and bridges"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"),
    .flags = CMD_FILES,
    .run = cli_front_status,
};
