/* cmd_sim: `deploy-stand sim` runs the simulated Proxmox VE cluster (same flags as pve-sim).
 * It exists so one installed binary is enough to try deploy-stand without a cluster. */
#include "cli/cli.h"
#include "pve_sim.h"
#include "util/i18n.h"

static int cmd_sim_exec(struct cli_call *c)
{
    return pve_sim_main(c->argc, c->argv);
}

const struct cmd_entry cmd_sim_entry = {
    .name = "sim",
    .usage = "sim [--scenario NAME|FILE] [--port N] [--http] [--time-scale F] ...",
    .summary =
        N_("run the simulated Proxmox VE cluster on 127.0.0.1 (see `deploy-stand sim --help`)"),
    .raw_args = 1,
    .exec = cmd_sim_exec,
};
