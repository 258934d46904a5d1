/* cmd_destroy: `deploy-stand destroy` removes the students' marked VMs, pools, users and the
 * bridges it created that nothing uses any more, then checks that nothing is left. */
#include "app/app_destroy.h"
#include "cli/cli_front.h"
#include "cli/stand_args.h"
#include "util/i18n.h"
#include <unistd.h>

static int cmd_destroy_exec(struct cli_globals *g, int argc, char **argv)
{
    struct stand_args a;
    int rc = stand_args_parse("destroy", argc, argv, 0, 1, &a);
    if (rc)
        return rc;
    if (!g->yes && !isatty(0)) {
        cli_error(_("add --yes to confirm when not running in a terminal"),
                  _("destroy removes VMs and users; it needs --yes here"));
        return EXIT_USAGE;
    }
    return cli_front_run(g, &a.o, !g->yes, 1, app_destroy);
}

const struct cmd_entry cmd_destroy_entry = {
    .name = "destroy",
    .usage = "destroy --config FILE --users FILE [--user USERID]... --yes",
    .summary = N_("remove the students' stands: exactly what deploy-stand created, nothing else"),
    .help = N_("  --config FILE     the stand (deployment_config.yml)\n"
               "  --users FILE      the class list (users_list.yml)\n"
               "  --user USERID     only this student (repeatable)\n\n"
               "Stops and destroys the students' VMs (tagged ds-<stand>), deletes their pools and\n"
               "users when deploy-stand created them, deletes the bridges it created that no VM\n"
               "uses any more, and applies the network once per touched node. Objects without\n"
               "deploy-stand's marks are never touched, even when their names match.\n"),
    .exec = cmd_destroy_exec,
};
