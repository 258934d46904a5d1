/* cmd_status: `deploy-stand status` shows per student the user, pool, node, each VM with its
 * state and the bridges, read from the cluster's ownership marks. */
#include "cli/cli_front.h"
#include "cli/stand_args.h"
#include "util/i18n.h"

static int cmd_status_exec(struct cli_globals *g, int argc, char **argv)
{
    struct stand_args a;
    int rc = stand_args_parse("status", argc, argv, 0, 0, &a);
    if (rc)
        return rc;
    return cli_front_run(g, &a.o, 0, 0, cli_front_status);
}

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status --config FILE --users FILE",
    .summary = N_("show each student's user, pool, VMs (with their state) and bridges"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"),
    .exec = cmd_status_exec,
};
